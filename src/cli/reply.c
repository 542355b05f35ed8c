/* cli/reply: `ebb reply ID [--all] [--now | --at TIME]`: answers a
 * conversation of any kind with the body from stdin: mail gets To, Subject
 * and threading headers from the last message, chat goes to the
 * conversation's channel and thread. Held until the next reply block
 * unless --now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_int.h"
#include "ebb/mime.h"
#include "ebb/store.h"
#include "ebb/sync.h"

#define REPLY_BODY_MAX (16u * 1024 * 1024)
#define REPLY_REFS_MAX 20          /* ids in References: the first and the newest */
#define REPLY_ADDR_MAX 320

/* ---- mail ------------------------------------------------------------------- */

/* The bare address of one list entry ("Ann <A@x>" -> "a@x"), "" if none. */
static void bare_address(const char *entry, size_t len, char *out, size_t outlen)
{
	const char *lt = NULL;
	int quoted = 0;
	for (size_t i = 0; i < len; i++) {
		if (entry[i] == '"')
			quoted = !quoted;
		else if (entry[i] == '<' && !quoted)
			lt = entry + i;
	}
	const char *start = lt ? lt + 1 : entry;
	const char *end = entry + len;
	if (lt) {
		const char *gt = memchr(start, '>', (size_t)(end - start));
		end = gt ? gt : end;
	}
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t n = (size_t)(end - start);
	out[0] = '\0';
	if (!n || n >= outlen || !memchr(start, '@', n))
		return;
	for (size_t i = 0; i < n; i++) {
		char c = start[i];
		if ((unsigned char)c <= ' ' || c == ',' || c == '<' || c == '>' || c == '"') {
			out[0] = '\0';
			return;
		}
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[n] = '\0';
}

struct addr_list {
	struct sbuf text;          /* "a@x, b@y" */
	char **bare;
	size_t n;
};

static int list_has(const struct addr_list *l, const char *bare)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->bare[i], bare))
			return 1;
	return 0;
}

/* Appends `shown` (the address as it goes into the header) unless it is
 * mine or already in `l` or `also`. */
static int list_add(struct addr_list *l, const struct addr_list *also,
		    const struct account_cfg *acc, const char *bare, const char *shown)
{
	if (!bare[0] || config_is_me(acc, bare) || list_has(l, bare) || (also && list_has(also, bare)))
		return EBB_OK;
	char **grown = realloc(l->bare, (l->n + 1) * sizeof *grown);
	if (!grown)
		return EBB_ENOMEM;
	l->bare = grown;
	if (!(l->bare[l->n] = strdup(bare)))
		return EBB_ENOMEM;
	l->n++;
	return sbuf_printf(&l->text, "%s%s", l->text.len ? ", " : "", shown);
}

/* Every address of a decoded To/Cc list, as bare addresses: display
 * names come back decoded and could hold commas that split them wrongly. */
static int list_add_all(struct addr_list *l, const struct addr_list *also,
			const struct account_cfg *acc, const char *list)
{
	int quoted = 0, angle = 0;
	size_t start = 0;
	for (size_t i = 0; list; i++) {
		char c = list[i];
		if (c == '"' && !angle)
			quoted = !quoted;
		else if (c == '<' && !quoted)
			angle = 1;
		else if (c == '>' && !quoted)
			angle = 0;
		if (c && (c != ',' || quoted || angle))
			continue;
		char bare[REPLY_ADDR_MAX];
		bare_address(list + start, i - start, bare, sizeof bare);
		int rc = list_add(l, also, acc, bare, bare);
		if (rc)
			return rc;
		if (!c)
			break;
		start = i + 1;
	}
	return EBB_OK;
}

static void list_free(struct addr_list *l)
{
	sbuf_free(&l->text);
	for (size_t i = 0; i < l->n; i++)
		free(l->bare[i]);
	free(l->bare);
}

/* "Ann Lee <ann@x>", the name quoted when it holds specials. */
static int mailbox(struct sbuf *out, const char *name, const char *addr)
{
	int rc = EBB_OK;
	if (!name || !name[0] || strpbrk(name, "\r\n") || !strcmp(name, addr))
		return sbuf_puts(out, addr);
	if (!strpbrk(name, "()<>[]:;@\\,.\""))
		return sbuf_printf(out, "%s <%s>", name, addr);
	rc = sbuf_putc(out, '"');
	for (const char *p = name; !rc && *p; p++)
		rc = (*p == '"' || *p == '\\') ? sbuf_printf(out, "\\%c", *p) : sbuf_putc(out, *p);
	return rc ? rc : sbuf_printf(out, "\" <%s>", addr);
}

/* References of the reply: the parent's (the first and the newest ones)
 * and the parent. */
static int build_refs(const char *refs, const char *msgid, struct sbuf *out)
{
	const char *ids[REPLY_REFS_MAX];
	size_t lens[REPLY_REFS_MAX], n = 0;
	const char *first = NULL;
	size_t first_len = 0;
	for (const char *p = refs ? refs : ""; *p;) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t");
		if (!len)
			break;
		if (!first) {
			first = p;
			first_len = len;
		} else {
			if (n == REPLY_REFS_MAX - 2) {
				memmove(ids, ids + 1, (n - 1) * sizeof ids[0]);
				memmove(lens, lens + 1, (n - 1) * sizeof lens[0]);
				n--;
			}
			ids[n] = p;
			lens[n++] = len;
		}
		p += len;
	}
	int rc = EBB_OK;
	if (first)
		rc = sbuf_append(out, first, first_len);
	for (size_t i = 0; !rc && i < n; i++)
		rc = sbuf_putc(out, ' ') || sbuf_append(out, ids[i], lens[i]) ? EBB_ENOMEM : EBB_OK;
	if (!rc && msgid && msgid[0])
		rc = sbuf_printf(out, "%s%s", out->len ? " " : "", msgid);
	return rc;
}

static int reply_mail(struct cli_env *env, struct store *st, const struct account_cfg *acc,
		      const struct conv_row *conv, const struct msg_row *last, int all,
		      const char *body, enum policy_release release, time_t at, time_t now,
		      struct queued_mail *q, char *to_out, size_t to_len, struct ebb_err *err)
{
	struct addr_list to = {0}, cc = {0};
	struct sbuf one = {0}, subject = {0}, refs = {0};
	int rc;
	if (last->from_me) {
		/* Following up on my own message: to the people it went to. */
		rc = list_add_all(&to, NULL, acc, last->recipients);
		if (!rc && all)
			rc = list_add_all(&cc, &to, acc, last->cc);
	} else {
		char bare[REPLY_ADDR_MAX];
		bare_address(last->sender ? last->sender : "", strlen(last->sender ? last->sender : ""),
			     bare, sizeof bare);
		rc = mailbox(&one, last->sender_name, bare);
		if (!rc && bare[0])
			rc = list_add(&to, NULL, acc, bare, one.buf);
		if (!rc && all)
			rc = list_add_all(&to, NULL, acc, last->recipients);
		if (!rc && all)
			rc = list_add_all(&cc, &to, acc, last->cc);
	}
	if (rc) {
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
		goto out;
	}
	if (!to.n) {
		rc = ebb_err_set(err, EBB_EINVAL, "conversation %lld has no one to reply to (the last "
				 "message has no sender or recipient address but yours)", conv->id);
		goto out;
	}
	const char *subj = last->subject && last->subject[0] ? last->subject
			   : (conv->subject ? conv->subject : "");
	subj += strspn(subj, " \t");
	if ((strncasecmp(subj, "re:", 3) ? sbuf_printf(&subject, "Re: %s", subj)
					 : sbuf_puts(&subject, subj)) ||
	    build_refs(last->refs, last->msgid, &refs)) {
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
		goto out;
	}
	struct mime_draft d = {
		.to = to.text.buf, .cc = cc.n ? cc.text.buf : NULL, .subject = subject.buf,
		.body = body, .in_reply_to = last->msgid && last->msgid[0] ? last->msgid : NULL,
		.references = refs.len ? refs.buf : NULL,
	};
	snprintf(to_out, to_len, "%s", to.text.buf);
	rc = sync_queue_mail(env->cfg, st, acc, &d, conv->id, release, at, now, q, err);
out:
	list_free(&to);
	list_free(&cc);
	sbuf_free(&one);
	sbuf_free(&subject);
	sbuf_free(&refs);
	return rc;
}

/* ---- chat --------------------------------------------------------------------- */

static int slack_ts_like(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	return digits && s[digits] == '.' && s[digits + 1] &&
	       strspn(s + digits + 1, "0123456789") == strlen(s + digits + 1);
}

/* Where a chat conversation lives: thread keys are "t:" + the provider's
 * thread hint: Matrix "$root" or "!room:server:DAY", Slack "CHANNEL:TS"
 * or "CHANNEL:DAY" (see docs/chat.md). */
static void chat_thread(const char *kind, const char *key, char *thread, size_t len)
{
	thread[0] = '\0';
	if (strncmp(key, "t:", 2))
		return;
	key += 2;
	if (!strcmp(kind, "matrix")) {
		if (key[0] == '$')
			snprintf(thread, len, "%s", key);
		return;
	}
	const char *colon = strrchr(key, ':');
	if (colon && slack_ts_like(colon + 1))
		snprintf(thread, len, "%s", colon + 1);
}

static int reply_chat(struct cli_env *env, struct store *st, const struct account_cfg *acc,
		      const struct conv_row *conv, const struct msg_row *last, const char *body,
		      enum policy_release release, time_t at, time_t now, struct queued_chat *q,
		      struct ebb_err *err)
{
	char *key;
	int rc = store_conv_thread_key(st, conv->id, &key, err);
	if (rc)
		return rc;
	char thread[300];
	chat_thread(acc->kind, key, thread, sizeof thread);
	free(key);
	/* Matrix threads name the message answered for clients without threads. */
	const char *reply_to = thread[0] && !strcmp(acc->kind, "matrix") ? last->remote_id : NULL;
	if (!last->channel || !last->channel[0])
		return ebb_err_set(err, EBB_ECORRUPT, "conversation %lld has no channel to reply in",
				   conv->id);
	return sync_queue_chat(env->cfg, st, acc, conv->id, last->channel, body,
			       thread[0] ? thread : NULL, reply_to, release, at, now, q, err);
}

/* ---- the command ----------------------------------------------------------------- */

static void describe(const struct cli_env *env, time_t release_at, time_t now, char *out,
		     size_t outlen)
{
	if (release_at <= now) {
		snprintf(out, outlen, "goes out with the next flush");
		return;
	}
	char when[64];
	tz_format_iso8601(env->cfg->tz, release_at, when, sizeof when);
	snprintf(out, outlen, "held until %s", when);
}

int cli_reply(struct cli_env *env, int argc, char **argv)
{
	long long id = 0;
	int all = 0;
	const char *at_s = NULL;
	enum policy_release release = RELEASE_NEXT_BLOCK;
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		char *end;
		if (!strcmp(o, "--all")) {
			all = 1;
		} else if (!strcmp(o, "--now")) {
			release = RELEASE_NOW;
		} else if (!strcmp(o, "--at") && i + 1 < argc) {
			at_s = argv[++i];
			release = RELEASE_AT;
		} else if (!id && (id = strtoll(o, &end, 10)) > 0 && !*end) {
			continue;
		} else {
			fprintf(stderr, "ebb: usage: ebb reply ID [--all] [--now | --at TIME] < body\n");
			return 2;
		}
	}
	if (id <= 0) {
		fprintf(stderr, "ebb: usage: ebb reply ID [--all] [--now | --at TIME] < body\n");
		return 2;
	}
	time_t now = ebb_now(), at = 0;
	if (at_s && cli_parse_when(env->cfg, at_s, now, &at)) {
		fprintf(stderr, "ebb: reply: cannot read the time \"%s\"\n", at_s);
		return 2;
	}
	struct ebb_err err = {0};
	char *body = NULL;
	struct store *st = NULL;
	struct conv_row conv = {0};
	struct msg_row *msgs = NULL;
	size_t n = 0;
	int status = 1;
	/* The conversation first: nobody should type a reply to a wrong id. */
	if (store_open(env->db_path, &st, &err) || store_conv_get(st, id, &conv, &err) ||
	    store_msg_list(st, id, &msgs, &n, &err) || cli_read_stdin(REPLY_BODY_MAX, "the reply", &body, NULL, &err)) {
		fprintf(stderr, "ebb: reply: %s\n", err.msg);
		goto out;
	}
	const struct account_cfg *acc = conv.account ? config_account(env->cfg, conv.account) : NULL;
	if (!acc) {
		fprintf(stderr, "ebb: reply: conversation %lld belongs to account %s, which is no "
			"longer in the config\n", id, conv.account ? conv.account : "?");
		goto out;
	}
	if (!n) {
		fprintf(stderr, "ebb: reply: conversation %lld has no messages to reply to\n", id);
		goto out;
	}
	const struct msg_row *last = &msgs[n - 1];
	char when[128];
	if (!strcmp(acc->kind, "matrix") || !strcmp(acc->kind, "slack")) {
		struct queued_chat q;
		if (reply_chat(env, st, acc, &conv, last, body, release, at, now, &q, &err)) {
			fprintf(stderr, "ebb: reply: %s\n", err.msg);
			goto out;
		}
		describe(env, q.release_at, now, when, sizeof when);
		printf("queued #%lld (%s): %s\n", q.id, q.txn_id, when);
	} else {
		struct queued_mail q;
		char to[1024];
		if (reply_mail(env, st, acc, &conv, last, all, body, release, at, now, &q, to,
			       sizeof to, &err)) {
			fprintf(stderr, "ebb: reply: %s\n", err.msg);
			goto out;
		}
		describe(env, q.release_at, now, when, sizeof when);
		printf("queued #%lld <%s>: %s\n", q.id, q.msgid, when);
	}
	status = 0;
out:
	store_msg_rows_free(msgs, n);
	store_conv_row_clear(&conv);
	if (st)
		store_close(st);
	free(body);
	return status;
}
