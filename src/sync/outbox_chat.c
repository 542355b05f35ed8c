/* sync/outbox_chat: queues chat messages (Matrix, Slack) with an idempotency
 * key stored before the first attempt, and picks the held ones an account
 * hands to its server's own scheduler. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "sync_int.h"

#define CHAT_TEXT_MAX 40000        /* Slack's limit; Matrix allows a little more */
#define CHAT_ID_MAX 255

static int random_bytes(unsigned char *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == len)
		return EBB_OK;
	/* Old kernels without getrandom. */
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return EBB_EIO;
	got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got == len ? EBB_OK : EBB_EIO;
}

static int valid_ref(const char *s)
{
	if (!s)
		return 1;
	size_t len = strnlen(s, CHAT_ID_MAX + 1);
	if (!len || len > CHAT_ID_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || s[i] == 0x7f)
			return 0;
	return 1;
}

int sync_queue_chat(const struct ebb_config *cfg, struct store *st,
		    const struct account_cfg *acc, long long conv_id, const char *channel,
		    const char *text, const char *thread, const char *reply_to,
		    enum policy_release release, time_t at, time_t now, struct queued_chat *out,
		    struct ebb_err *err)
{
	memset(out, 0, sizeof *out);
	if (strcmp(acc->kind, "matrix") && strcmp(acc->kind, "slack"))
		return ebb_err_set(err, EBB_EINVAL, "account %s (kind %s) is not a chat account",
				   acc->name, acc->kind);
	if (!channel || !channel[0] || !valid_ref(channel) || !valid_ref(thread) ||
	    !valid_ref(reply_to))
		return ebb_err_set(err, EBB_EINVAL, "the channel, thread or message to reply to is "
				   "not a valid id");
	size_t len = text ? strnlen(text, CHAT_TEXT_MAX + 1) : 0;
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (!len)
		return ebb_err_set(err, EBB_EINVAL, "the message is empty");
	if (len > CHAT_TEXT_MAX)
		return ebb_err_set(err, EBB_ETOOBIG, "the message is over %d bytes; chat servers "
				   "refuse or cut longer ones", CHAT_TEXT_MAX);
	unsigned char rnd[16];
	if (random_bytes(rnd, sizeof rnd))
		return ebb_err_set(err, EBB_EIO, "cannot read random bytes for the message's "
				   "transaction id");
	memcpy(out->txn_id, "ebb-", 4);
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(out->txn_id + 4 + 2 * i, 3, "%02x", rnd[i]);
	char *body = util_strndup(text, len);
	cJSON *o = cJSON_CreateObject();
	char *payload = NULL;
	if (body && o && cJSON_AddStringToObject(o, "channel", channel) &&
	    cJSON_AddStringToObject(o, "text", body) &&
	    (thread ? cJSON_AddStringToObject(o, "thread", thread)
		    : cJSON_AddNullToObject(o, "thread")) &&
	    (reply_to ? cJSON_AddStringToObject(o, "reply_to", reply_to)
		      : cJSON_AddNullToObject(o, "reply_to")))
		payload = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(body);
	if (!payload)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	long long account_id;
	int rc = store_account_ensure(st, acc->name, acc->kind, &account_id, err);
	if (!rc) {
		static const char *const policies[] = {"next_block", "now", "at"};
		out->release_at = policy_release_time(&cfg->hours, release, at, now);
		struct outbox_new n = {
			.account_id = account_id, .conversation_id = conv_id, .payload = payload,
			.payload_len = strlen(payload), .release_policy = policies[release],
			.release_at = out->release_at, .txn_id = out->txn_id,
		};
		rc = store_outbox_add(st, &n, now, &out->id, err);
	}
	cJSON_free(payload);
	return rc;
}

int outbox_handover_list(const struct ebb_config *cfg, struct store *st, time_t now,
			 struct outbox_handover **out, size_t *n, struct ebb_err *err)
{
	*out = NULL;
	*n = 0;
	int any = 0;
	for (size_t i = 0; i < cfg->naccounts; i++)
		any |= cfg->accounts[i].server_schedule;
	if (!any)
		return EBB_OK;
	struct outbox_item *items;
	size_t nitems;
	int rc = store_outbox_list(st, 0, &items, &nitems, err);
	if (rc)
		return rc;
	struct outbox_handover *list = nitems ? calloc(nitems, sizeof *list) : NULL;
	if (nitems && !list) {
		store_outbox_items_free(items, nitems);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	size_t count = 0;
	for (size_t i = 0; i < nitems && !rc; i++) {
		const struct outbox_item *it = &items[i];
		const struct account_cfg *acc = it->account ? config_account(cfg, it->account) : NULL;
		if (it->state != OUTBOX_HELD || !acc || !acc->server_schedule ||
		    strcmp(acc->kind, "slack") ||
		    it->release_at <= now + OUTBOX_HANDOVER_MIN_SECONDS)
			continue;
		const char *policy = it->release_policy ? it->release_policy : "at";
		/* Marked by a flush that stopped before the handover: its first
		 * policy is gone; "at" keeps the same release time. */
		if (!strcmp(policy, OUTBOX_POLICY_SERVER))
			policy = "at";
		else if ((rc = store_outbox_reschedule(st, it->id, OUTBOX_POLICY_SERVER,
						       it->release_at, now, err)))
			break;
		list[count].id = it->id;
		snprintf(list[count].policy, sizeof list[count].policy, "%s", policy);
		count++;
	}
	store_outbox_items_free(items, nitems);
	if (rc) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return EBB_OK;
}
