/* sync/outbox: queues what the user wrote and releases it. A mail's
 * Message-ID is stored before the first attempt; each item is claimed
 * (queued -> sending) before its transport runs, so a crash leaves it in
 * `sending`, which the next flush turns into `uncertain`, never a resend. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ebb/provider.h"
#include "ebb/sync.h"
#include "sync_int.h"

/* Where an earlier footer of ours starts (the last line, under a signature
 * line), else the body's length: a held mail taken back into a draft and
 * queued again gets one footer, with the window of now. */
static size_t footer_start(const char *b)
{
	static const char *const starts[] = {"I usually reply within ", "My next reply window is "};
	size_t len = strlen(b);
	size_t end = len && b[len - 1] == '\n' ? len - 1 : len;
	size_t line = end;
	while (line && b[line - 1] != '\n')
		line--;
	if (!line || (strncmp(b, "-- \n", 4) && !strstr(b, "\n-- \n")))
		return len;
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
		if (!strncmp(b + line, starts[i], strlen(starts[i])))
			return line;
	return len;
}

/* footer = yes: a new mail (not a reply) tells its reader how fast they
 * may expect an answer and when the next reply window is. Goes under the
 * signature line, which is added when the body has none. NULL when there
 * is nothing to add; *nomem on failure. */
static char *with_footer(const struct ebb_config *cfg, const struct account_cfg *acc,
			 const char *body, time_t now, int *nomem)
{
	*nomem = 0;
	const struct policy_tier *tier = config_tier(cfg, config_channel_tier(acc, NULL, NULL, 0));
	char line[256];
	policy_format_footer(&cfg->hours, tier ? &tier->target : NULL, now, line, sizeof line);
	if (!line[0])
		return NULL;
	const char *b = body ? body : "";
	size_t len = footer_start(b);
	int has_sig = !strncmp(b, "-- \n", 4) || strstr(b, "\n-- \n") != NULL;
	struct sbuf sb = {0};
	if (sbuf_append(&sb, b, len) || (len && b[len - 1] != '\n' && sbuf_putc(&sb, '\n')) ||
	    (!has_sig && sbuf_puts(&sb, "-- \n")) || sbuf_puts(&sb, line) || sbuf_putc(&sb, '\n')) {
		sbuf_free(&sb);
		*nomem = 1;
		return NULL;
	}
	return sbuf_detach(&sb);
}

int sync_queue_mail(const struct ebb_config *cfg, struct store *st,
		    const struct account_cfg *acc, struct mime_draft *draft, long long conv_id,
		    enum policy_release release, time_t at, time_t now, struct queued_mail *out,
		    struct ebb_err *err)
{
	memset(out, 0, sizeof *out);
	if (!draft->from)
		draft->from = acc->from;
	if (!draft->from)
		return ebb_err_set(err, EBB_EINVAL, "account %s has no from = address to send with",
				   acc->name);
	if (mime_new_msgid(draft->from, out->msgid, sizeof out->msgid))
		return ebb_err_set(err, EBB_EIO, "cannot make a Message-ID");
	draft->msgid = out->msgid;
	draft->date = now;
	struct tm tm;
	draft->gmtoff = tz_localtime(cfg->tz, now, &tm) ? 0 : tm.tm_gmtoff;
	char *footed = NULL;
	const char *body = draft->body;
	if (acc->footer && !conv_id && !(draft->in_reply_to && draft->in_reply_to[0])) {
		int nomem;
		footed = with_footer(cfg, acc, draft->body, now, &nomem);
		if (nomem)
			return ebb_err_set(err, EBB_ENOMEM, "out of memory adding the footer");
		if (footed)
			draft->body = footed;
	}
	char *payload;
	size_t len;
	int rc = mime_build(draft, &payload, &len, err);
	draft->body = body;   /* the caller's text again; the footer was ours */
	free(footed);
	if (rc)
		return rc;
	long long account_id;
	rc = store_account_ensure(st, acc->name, acc->kind, &account_id, err);
	if (!rc) {
		static const char *const policies[] = {"next_block", "now", "at"};
		out->release_at = policy_release_time(&cfg->hours, release, at, now);
		struct outbox_new n = {
			.account_id = account_id, .conversation_id = conv_id, .payload = payload,
			.payload_len = len, .release_policy = policies[release],
			.release_at = out->release_at, .msgid = out->msgid,
		};
		rc = store_outbox_add(st, &n, now, &out->id, err);
	}
	free(payload);
	return rc;
}

/* One provider per account, opened on first use during a flush. */
struct open_provider {
	const struct account_cfg *acc;
	struct provider p;
	int opened;
	int failed;
	struct ebb_err err;
};

static struct open_provider *provider_for(struct open_provider *ps, size_t n, struct store *st,
					  const char *account)
{
	for (size_t i = 0; i < n; i++) {
		struct open_provider *op = &ps[i];
		if (strcmp(op->acc->name, account))
			continue;
		if (!op->opened && !op->failed) {
			op->p.ops = provider_lookup(op->acc->kind);
			op->p.acc = op->acc;
			op->p.store = st;
			if (!op->p.ops || !op->p.ops->send) {
				ebb_err_set(&op->err, EBB_EINVAL, "account %s (kind %s) cannot send yet",
					    op->acc->name, op->acc->kind);
				op->failed = 1;
			} else if (op->p.ops->open(&op->p, &op->err)) {
				op->failed = 1;
				if (op->p.ops->close)
					op->p.ops->close(&op->p);
			} else {
				op->opened = 1;
			}
		}
		return op;
	}
	return NULL;
}

static int take_lock(const char *path, int *fd, struct ebb_err *err)
{
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return ebb_err_set(err, EBB_EIO, "cannot open the outbox lock %s: %s", path,
				   strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		close(*fd);
		*fd = -1;
		return ebb_err_set(err, EBB_EBUSY, "another ebb is sending the outbox right now; "
				   "it will send these items too");
	}
	return EBB_OK;
}

static void send_one(struct store *st, struct open_provider *op, struct outbox_item *it,
		     time_t now, outbox_report_fn report, void *ctx,
		     struct outbox_flush_result *res)
{
	struct ebb_err err = {0};
	if (!op || op->failed) {
		/* The account cannot send: leave the item waiting, say why. */
		const char *why = op ? op->err.msg : "its account is no longer in the config";
		if (report)
			report(ctx, it, OUTBOX_FAILED, why);
		res->failed++;
		return;
	}
	if (store_outbox_claim(st, it->id, now, &err))
		return;  /* another process took it, or it was cancelled meanwhile */
	struct send_result sr = {0};
	enum outbox_state result = OUTBOX_SENT;
	if (op->p.ops->send(&op->p, it, &sr, &err))
		result = sr.uncertain ? OUTBOX_UNCERTAIN : OUTBOX_FAILED;
	const char *detail = result == OUTBOX_SENT ? NULL : err.msg;
	struct ebb_err ferr = {0};
	if (store_outbox_finish(st, it->id, result, detail, now, &ferr) && report)
		report(ctx, it, OUTBOX_UNCERTAIN, ferr.msg);
	if (result == OUTBOX_SENT)
		store_event_add(st, now, "sent", it->conversation_id, 0, it->msgid, NULL);
	if (report)
		report(ctx, it, result, detail);
	if (result == OUTBOX_SENT)
		res->sent++;
	else if (result == OUTBOX_UNCERTAIN)
		res->uncertain++;
	else
		res->failed++;
}

/* A held chat item goes to the server's scheduler now and is `sent` from
 * ebb's side (release policy "server" says where it waits). When the server
 * refuses, it stays held in ebb with its old policy and goes at its time. */
static void hand_over_one(const struct ebb_config *cfg, struct store *st,
			  struct open_provider *op, struct outbox_item *it, const char *policy,
			  time_t now, outbox_report_fn report, void *ctx,
			  struct outbox_flush_result *res)
{
	struct ebb_err err = {0};
	char when[64] = "", detail[EBB_ERRLEN + 128];
	tz_format_iso8601(cfg->tz, it->release_at, when, sizeof when);
	if (!op || op->failed || store_outbox_claim(st, it->id, now, &err)) {
		store_outbox_reschedule(st, it->id, policy, it->release_at, now, NULL);
		if (op && op->failed && report) {
			snprintf(detail, sizeof detail, "cannot schedule it on the server (%s); it "
				 "stays held in ebb until %s", op->err.msg, when);
			report(ctx, it, OUTBOX_HELD, detail);
		}
		return;
	}
	struct send_result sr = {0};
	if (!op->p.ops->send(&op->p, it, &sr, &err)) {
		snprintf(detail, sizeof detail, "scheduled on server for %s", when);
		store_outbox_finish(st, it->id, OUTBOX_SENT, detail, now, NULL);
		if (report)
			report(ctx, it, OUTBOX_SENT, detail);
		res->sent++;
		return;
	}
	if (sr.uncertain) {
		store_outbox_finish(st, it->id, OUTBOX_UNCERTAIN, err.msg, now, NULL);
		if (report)
			report(ctx, it, OUTBOX_UNCERTAIN, err.msg);
		res->uncertain++;
		return;
	}
	store_outbox_finish(st, it->id, OUTBOX_QUEUED, NULL, now, NULL);
	store_outbox_reschedule(st, it->id, policy, it->release_at, now, NULL);
	if (report) {
		snprintf(detail, sizeof detail, "cannot schedule it on the server (%s); it stays "
			 "held in ebb until %s", err.msg, when);
		report(ctx, it, OUTBOX_HELD, detail);
	}
}

int sync_outbox_flush(const struct ebb_config *cfg, struct store *st, const char *lock_path,
		      time_t now, outbox_report_fn report, void *ctx,
		      struct outbox_flush_result *res, struct ebb_err *err)
{
	memset(res, 0, sizeof *res);
	int lock_fd;
	int rc = take_lock(lock_path, &lock_fd, err);
	if (rc)
		return rc;
	rc = store_outbox_recover(st, &res->recovered, err);
	long long *ids = NULL;
	size_t nids = 0;
	if (!rc)
		rc = store_outbox_due(st, now, &ids, &nids, err);
	struct open_provider *ps = NULL;
	if (!rc && nids) {
		ps = calloc(cfg->naccounts ? cfg->naccounts : 1, sizeof *ps);
		if (!ps)
			rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
		for (size_t i = 0; ps && i < cfg->naccounts; i++)
			ps[i].acc = &cfg->accounts[i];
	}
	for (size_t i = 0; !rc && i < nids; i++) {
		struct outbox_item it;
		if (store_outbox_get(st, ids[i], &it, NULL))
			continue;
		send_one(st, provider_for(ps, cfg->naccounts, st, it.account), &it, now, report, ctx,
			 res);
		store_outbox_item_clear(&it);
	}
	struct outbox_handover *handover = NULL;
	size_t nhandover = 0;
	if (!rc)
		rc = outbox_handover_list(cfg, st, now, &handover, &nhandover, err);
	if (!rc && nhandover && !ps) {
		ps = calloc(cfg->naccounts ? cfg->naccounts : 1, sizeof *ps);
		if (!ps)
			rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
		for (size_t i = 0; ps && i < cfg->naccounts; i++)
			ps[i].acc = &cfg->accounts[i];
	}
	for (size_t i = 0; !rc && i < nhandover; i++) {
		struct outbox_item it;
		if (store_outbox_get(st, handover[i].id, &it, NULL))
			continue;
		hand_over_one(cfg, st, provider_for(ps, cfg->naccounts, st, it.account), &it,
			      handover[i].policy, now, report, ctx, res);
		store_outbox_item_clear(&it);
	}
	free(handover);
	for (size_t i = 0; ps && i < cfg->naccounts; i++)
		if (ps[i].opened && ps[i].p.ops->close)
			ps[i].p.ops->close(&ps[i].p);
	free(ps);
	free(ids);
	close(lock_fd);
	return rc;
}

static void chat_summary(const struct outbox_item *it, char **to, char **subject)
{
	cJSON *root = cJSON_ParseWithLength(it->payload, it->payload_len);
	const cJSON *channel = cJSON_GetObjectItemCaseSensitive(root, "channel");
	const cJSON *thread = cJSON_GetObjectItemCaseSensitive(root, "thread");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(root, "text");
	struct sbuf sb = {0};
	if (cJSON_IsString(channel) &&
	    !sbuf_puts(&sb, channel->valuestring) &&
	    (!cJSON_IsString(thread) || !sbuf_printf(&sb, " thread %s", thread->valuestring)))
		*to = sbuf_detach(&sb);
	sbuf_free(&sb);
	if (cJSON_IsString(text)) {
		const char *t = text->valuestring;
		size_t len = strcspn(t, "\r\n");
		if (len > 80) {
			len = 80;
			while (len && ((unsigned char)t[len] & 0xC0) == 0x80)
				len--;
		}
		*subject = util_strndup(t, len);
	}
	cJSON_Delete(root);
}

/* To and Subject of a queued item, read back from its payload: a mail's
 * headers, or a chat message's channel (and thread) and first line. */
void sync_outbox_summary(const struct outbox_item *it, char **to, char **subject)
{
	struct mime_message *m = NULL;
	*to = *subject = NULL;
	if (it->txn_id && it->payload_len && it->payload[0] == '{') {
		chat_summary(it, to, subject);
		return;
	}
	if (mime_parse(it->payload, it->payload_len, &m, NULL))
		return;
	*to = util_strdup0(m->to);
	*subject = util_strdup0(m->subject);
	mime_message_free(m);
}
