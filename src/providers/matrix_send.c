/* providers/matrix_send: what ebb tells a homeserver: messages from the
 * outbox (PUT .../send with the outbox's txn id, so any retry is
 * de-duplicated by the server), read markers for conversations read in
 * ebb, and the long poll that waits for news. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_int.h"
#include "matrix_int.h"

#define MX_WAIT_CHUNK_MS 20000     /* one long poll; the cancel flag is checked between */

/* A long poll only asks whether anything happened: one event per room. */
static const char wait_filter[] =
	"{\"room\":{\"timeline\":{\"limit\":1},\"state\":{\"types\":[]},"
	"\"ephemeral\":{\"types\":[]},\"account_data\":{\"types\":[]}},"
	"\"presence\":{\"types\":[]},\"account_data\":{\"types\":[]}}";

static int id_ok(const char *s, char sigil)
{
	size_t len = s ? strnlen(s, MX_MAX_ID + 1) : 0;
	return len > 1 && len <= MX_MAX_ID && s[0] == sigil;
}

/* The sentences of mx_call promise the next sync; a send is retried by the
 * user instead, and safely so. */
static void retry_hint(struct ebb_err *err)
{
	static const char tail[] = "; will retry next sync";
	if (!err)
		return;
	size_t len = strnlen(err->msg, sizeof err->msg), tl = sizeof tail - 1;
	if (len >= tl && !strcmp(err->msg + len - tl, tail))
		err->msg[len - tl] = '\0';
	len = strnlen(err->msg, sizeof err->msg);
	snprintf(err->msg + len, sizeof err->msg - len, "; `ebb outbox retry` sends it again "
		 "under the same transaction id, so it cannot arrive twice");
}

static char *message_content(const struct chat_payload *pl)
{
	cJSON *c = cJSON_CreateObject();
	char *out = NULL;
	if (!c || !cJSON_AddStringToObject(c, "msgtype", "m.text") ||
	    !cJSON_AddStringToObject(c, "body", pl->text))
		goto done;
	if (pl->thread || pl->reply_to) {
		cJSON *rel = cJSON_AddObjectToObject(c, "m.relates_to");
		cJSON *reply = rel ? cJSON_AddObjectToObject(rel, "m.in_reply_to") : NULL;
		if (!reply)
			goto done;
		if (pl->thread) {
			/* A thread reply, with the in-reply-to fallback for clients
			 * without threads pointing at the latest message answered. */
			if (!cJSON_AddStringToObject(rel, "rel_type", "m.thread") ||
			    !cJSON_AddStringToObject(rel, "event_id", pl->thread) ||
			    !cJSON_AddBoolToObject(rel, "is_falling_back", pl->reply_to == NULL) ||
			    !cJSON_AddStringToObject(reply, "event_id",
						     pl->reply_to ? pl->reply_to : pl->thread))
				goto done;
		} else if (!cJSON_AddStringToObject(reply, "event_id", pl->reply_to)) {
			goto done;
		}
	}
	out = cJSON_PrintUnformatted(c);
done:
	cJSON_Delete(c);
	return out;
}

int mx_send(struct provider *p, const struct outbox_item *it, struct send_result *res,
	    struct ebb_err *err)
{
	struct mx *m = p->priv;
	memset(res, 0, sizeof *res);
	struct chat_payload pl;
	int rc = chat_payload_parse(it, "matrix", &pl, err);
	if (rc)
		return rc;
	if (!id_ok(pl.channel, '!') || (pl.thread && !id_ok(pl.thread, '$')) ||
	    (pl.reply_to && !id_ok(pl.reply_to, '$'))) {
		chat_payload_free(&pl);
		return ebb_err_set(err, EBB_EINVAL, "matrix: outbox item %lld names no valid room "
				   "or event", it->id);
	}
	char *content = message_content(&pl);
	struct sbuf path = {0};
	if (!content || sbuf_puts(&path, "/rooms/") || net_url_escape(&path, pl.channel) ||
	    sbuf_puts(&path, "/send/m.room.message/") || net_url_escape(&path, it->txn_id)) {
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
		goto out;
	}
	/* Every retry, here or by `ebb outbox retry`, reuses the txn id: a
	 * timeout after the request went out is safe to repeat. */
	cJSON *resp;
	rc = mx_call(m, "PUT", path.buf, NULL, content, "send", NULL, &resp, err);
	if (rc) {
		retry_hint(err);
		goto out;
	}
	const char *event_id;
	struct ebb_err jerr;
	if (json_get_string(resp, "event_id", &event_id, &jerr) || !id_ok(event_id, '$'))
		rc = ebb_err_set(err, EBB_EPROTO, "matrix send: the answer has no valid event_id; "
				 "`ebb outbox retry` is safe (same transaction id)");
	else
		snprintf(res->server_id, sizeof res->server_id, "%s", event_id);
	cJSON_Delete(resp);
out:
	sbuf_free(&path);
	cJSON_free(content);
	chat_payload_free(&pl);
	return rc;
}

/* Read in ebb: the newest read message of each room becomes my read
 * receipt and fully-read marker. Flags come grouped by room in the order
 * the messages were stored. */
static int mark_room(struct mx *m, const char *room, const char *event_id, struct ebb_err *err)
{
	struct sbuf path = {0};
	cJSON *body = cJSON_CreateObject();
	char *text = NULL;
	int rc = EBB_OK;
	if (!body || !cJSON_AddStringToObject(body, "m.fully_read", event_id) ||
	    !cJSON_AddStringToObject(body, "m.read", event_id) ||
	    !(text = cJSON_PrintUnformatted(body)) || sbuf_puts(&path, "/rooms/") ||
	    net_url_escape(&path, room) || sbuf_puts(&path, "/read_markers"))
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
	cJSON_Delete(body);
	struct net_retry brief = {.max_attempts = 3, .base_delay_ms = 300, .max_total_ms = 5000,
				  .max_server_delay_ms = 5000};
	cJSON *resp = NULL;
	if (!rc)
		rc = mx_call(m, "POST", path.buf, NULL, text, "/rooms/{roomId}/read_markers", &brief,
			     &resp, err);
	cJSON_Delete(resp);
	cJSON_free(text);
	sbuf_free(&path);
	return rc;
}

int mx_push_flags(struct provider *p, const struct batch_flag *f, size_t n, struct ebb_err *err)
{
	struct mx *m = p->priv;
	for (size_t i = 0; i < n;) {
		const char *room = f[i].channel;
		const char *newest = NULL;
		size_t j = i;
		for (; j < n && f[j].channel && room && !strcmp(f[j].channel, room); j++)
			if ((f[j].flags & MSG_SEEN) && id_ok(f[j].remote_id, '$'))
				newest = f[j].remote_id;
		if (j == i)
			j = i + 1;   /* a flag without a channel: nothing to tell */
		i = j;
		if (!newest || !id_ok(room, '!'))
			continue;
		int rc = mark_room(m, room, newest, err);
		/* Only passing troubles keep the flags for the next sync; a room
		 * that refuses (left, forbidden) must not block every sync. */
		if (rc == EBB_ENET || rc == EBB_ETIMEOUT || rc == EBB_ENOMEM)
			return rc;
	}
	return EBB_OK;
}

/* The stored /sync position, "" before the first sync. */
static int stored_position(struct provider *p, char *out, size_t outlen, struct ebb_err *err)
{
	struct store_channel *ch;
	size_t n;
	out[0] = '\0';
	int rc = store_channel_list(p->store, p->account_id, &ch, &n, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ch[i].remote_id, MX_CURSOR_CHANNEL) && ch[i].cursor &&
		    strlen(ch[i].cursor) < outlen)
			snprintf(out, outlen, "%s", ch[i].cursor);
	store_channel_list_free(ch, n);
	return EBB_OK;
}

/* 1 when a room has new timeline events, 0 when not; an answer that does
 * not parse counts as news (the pull will say what is wrong). */
static int has_news(const cJSON *root, const char **next_batch)
{
	const cJSON *rooms, *join, *room;
	*next_batch = NULL;
	if (json_opt_string(root, "next_batch", next_batch, NULL) ||
	    json_opt_object(root, "rooms", &rooms, NULL))
		return 1;
	if (!rooms || json_opt_object(rooms, "join", &join, NULL))
		return rooms != NULL;
	cJSON_ArrayForEach(room, join) {
		const cJSON *timeline, *events;
		if (!cJSON_IsObject(room) || json_opt_object(room, "timeline", &timeline, NULL) ||
		    (timeline && json_opt_array(timeline, "events", &events, NULL)))
			return 1;
		if (timeline && events && cJSON_GetArraySize(events) > 0)
			return 1;
	}
	return 0;
}

int mx_wait(struct provider *p, int timeout_ms, struct ebb_err *err)
{
	struct mx *m = p->priv;
	if (timeout_ms <= 0)
		return 0;   /* the stored position is the baseline already */
	char since[1024];
	int rc = stored_position(p, since, sizeof since, err);
	if (rc)
		return rc;
	if (!since[0])
		return 1;   /* never synced: everything is news */
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (net_mail_cancelled())
			return ebb_err_set(err, EBB_ETIMEOUT, "interrupted");
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long spent = (long)(now.tv_sec - start.tv_sec) * 1000 +
			     (now.tv_nsec - start.tv_nsec) / 1000000;
		if (spent >= timeout_ms)
			return 0;
		long chunk = timeout_ms - spent < MX_WAIT_CHUNK_MS ? timeout_ms - spent
								   : MX_WAIT_CHUNK_MS;
		struct sbuf query = {0};
		if (sbuf_printf(&query, "timeout=%ld&set_presence=offline&filter=", chunk) ||
		    net_url_escape(&query, wait_filter) || sbuf_puts(&query, "&since=") ||
		    net_url_escape(&query, since)) {
			sbuf_free(&query);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory");
		}
		struct net_retry once = {.max_attempts = 2, .base_delay_ms = 1000,
					 .max_server_delay_ms = 10000, .max_total_ms = 10000};
		cJSON *root;
		rc = mx_call(m, "GET", "/sync", query.buf, NULL, "/sync (waiting)", &once, &root, err);
		sbuf_free(&query);
		if (rc)
			return rc;
		const char *next;
		int news = has_news(root, &next);
		/* Later polls continue from here, so an answer about receipts or
		 * typing is not asked for again; the pull still starts from the
		 * stored position and gets everything. */
		if (!news && next && next[0] && strlen(next) < sizeof since)
			snprintf(since, sizeof since, "%s", next);
		cJSON_Delete(root);
		if (news)
			return 1;
	}
}
