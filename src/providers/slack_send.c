/* providers/slack_send: posting from the outbox and marking channels read.
 * Slack has no idempotency key, so every post carries the outbox's txn id
 * in its message metadata, and whenever an earlier attempt may have landed
 * the channel's recent history is searched for it before posting again.
 * A post whose answer was lost and that history does not show (yet) is
 * `uncertain`, never posted a second time by ebb. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_int.h"
#include "slack_int.h"

#define SK_POST_ATTEMPTS 5
#define SK_POST_MAX_WAIT_MS 60000          /* all waits of one send together */
#define SK_LOOKUP_BEFORE 600               /* seconds of history before the item was written */
#define SK_LOOKUP_PAGES 10
#define SK_SCHEDULE_MIN_AHEAD 60           /* Slack refuses post_at in the past */
#define SK_EVENT_TYPE "ebb_outbox"

static int nomem(struct ebb_err *err)
{
	return ebb_err_set(err, EBB_ENOMEM, "out of memory");
}

static int ts_ok(const char *s)
{
	struct sk_ts t;
	return s && !sk_ts_parse(s, &t);
}

/* Does message m carry our txn id in its metadata? */
static int has_txn(const cJSON *m, const char *txn)
{
	const cJSON *meta, *payload;
	const char *type, *found;
	return cJSON_IsObject(m) && !json_opt_object(m, "metadata", &meta, NULL) && meta &&
	       !json_get_string(meta, "event_type", &type, NULL) && !strcmp(type, SK_EVENT_TYPE) &&
	       !json_get_object(meta, "event_payload", &payload, NULL) &&
	       !json_get_string(payload, "txn", &found, NULL) && !strcmp(found, txn);
}

/* Looks for an earlier post of this item: the channel's history (or the
 * thread's replies) since shortly before the item was written, with
 * metadata. 1 = found (ts copied), 0 = not there, <0 = cannot tell. */
static int find_post(struct slack *s, const struct chat_payload *pl, const char *txn,
		     time_t since, char *ts_out, size_t tslen, struct ebb_err *err)
{
	char next[1024] = "";
	struct sk_ts from = {.sec = since > SK_LOOKUP_BEFORE ? since - SK_LOOKUP_BEFORE : 0};
	char oldest[32];
	sk_ts_format(&from, oldest, sizeof oldest);
	const char *method = pl->thread ? "conversations.replies" : "conversations.history";
	struct net_retry brief = {.max_attempts = 4, .base_delay_ms = 500, .max_delay_ms = 4000,
				  .max_server_delay_ms = 30000, .max_total_ms = 30000};
	for (int page = 0; page < SK_LOOKUP_PAGES; page++) {
		struct sbuf q = {0};
		if (sbuf_puts(&q, "channel=") || net_url_escape(&q, pl->channel) ||
		    (pl->thread && (sbuf_puts(&q, "&ts=") || net_url_escape(&q, pl->thread))) ||
		    sbuf_printf(&q, "&oldest=%s&limit=200&include_all_metadata=true", oldest) ||
		    (next[0] && (sbuf_puts(&q, "&cursor=") || net_url_escape(&q, next)))) {
			sbuf_free(&q);
			return nomem(err);
		}
		cJSON *resp;
		int rc = sk_call(s, method, NULL, q.buf, NULL, &brief, &resp, err);
		sbuf_free(&q);
		if (rc)
			return rc;
		const cJSON *msgs, *meta = NULL, *m;
		const char *cursor = NULL;
		if (json_get_array(resp, "messages", &msgs, NULL) ||
		    json_opt_object(resp, "response_metadata", &meta, NULL) ||
		    (meta && json_opt_string(meta, "next_cursor", &cursor, NULL))) {
			cJSON_Delete(resp);
			return ebb_err_set(err, EBB_EPARSE, "slack %s: the answer has no messages",
					   method);
		}
		cJSON_ArrayForEach(m, msgs) {
			const char *ts;
			if (has_txn(m, txn) && !json_get_string(m, "ts", &ts, NULL) && ts_ok(ts)) {
				snprintf(ts_out, tslen, "%s", ts);
				cJSON_Delete(resp);
				return 1;
			}
		}
		int more = cursor && cursor[0] && strlen(cursor) < sizeof next;
		if (more)
			snprintf(next, sizeof next, "%s", cursor);
		cJSON_Delete(resp);
		if (!more)
			return 0;
	}
	return 0;
}

/* A scheduled message of ours: same channel, time and text. */
static int find_scheduled(struct slack *s, const struct chat_payload *pl, const char *text,
			  long long post_at, char *id_out, size_t idlen, struct ebb_err *err)
{
	struct sbuf q = {0};
	if (sbuf_puts(&q, "channel=") || net_url_escape(&q, pl->channel) ||
	    sbuf_puts(&q, "&limit=100")) {
		sbuf_free(&q);
		return nomem(err);
	}
	struct net_retry brief = {.max_attempts = 4, .base_delay_ms = 500, .max_delay_ms = 4000,
				  .max_server_delay_ms = 30000, .max_total_ms = 30000};
	cJSON *resp;
	int rc = sk_call(s, "chat.scheduledMessages.list", NULL, q.buf, NULL, &brief, &resp, err);
	sbuf_free(&q);
	if (rc)
		return rc;
	const cJSON *list, *m;
	int found = 0;
	if (!json_get_array(resp, "scheduled_messages", &list, NULL)) {
		cJSON_ArrayForEach(m, list) {
			const char *id, *channel, *t;
			long long at;
			if (!cJSON_IsObject(m) || json_get_string(m, "id", &id, NULL) ||
			    json_get_string(m, "channel_id", &channel, NULL) ||
			    json_get_int(m, "post_at", &at, NULL) || json_get_string(m, "text", &t, NULL))
				continue;
			if (!strcmp(channel, pl->channel) && at == post_at && !strcmp(t, text)) {
				snprintf(id_out, idlen, "%s", id);
				found = 1;
				break;
			}
		}
	}
	cJSON_Delete(resp);
	return found;
}

static char *request_body(const struct chat_payload *pl, const char *text, const char *txn,
			  long long post_at)
{
	cJSON *o = cJSON_CreateObject();
	char *out = NULL;
	if (!o || !cJSON_AddStringToObject(o, "channel", pl->channel) ||
	    !cJSON_AddStringToObject(o, "text", text) ||
	    (pl->thread && !cJSON_AddStringToObject(o, "thread_ts", pl->thread)))
		goto done;
	if (post_at) {
		/* No metadata here: Slack does not post scheduled messages that
		 * carry metadata (a known bug of chat.scheduleMessage). */
		if (!cJSON_AddNumberToObject(o, "post_at", (double)post_at))
			goto done;
	} else {
		cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
		cJSON *payload = meta ? cJSON_AddObjectToObject(meta, "event_payload") : NULL;
		if (!payload || !cJSON_AddStringToObject(meta, "event_type", SK_EVENT_TYPE) ||
		    !cJSON_AddStringToObject(payload, "txn", txn))
			goto done;
	}
	out = cJSON_PrintUnformatted(o);
done:
	cJSON_Delete(o);
	return out;
}

static int sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts))
		if (net_mail_cancelled())
			return -1;
	return net_mail_cancelled() ? -1 : 0;
}

struct attempt_ctx {
	struct slack *s;
	const struct outbox_item *it;
	const struct chat_payload *pl;
	const char *text;          /* escaped for Slack */
	const char *method;        /* chat.postMessage or chat.scheduleMessage */
	long long post_at;         /* 0 = post now */
	struct send_result *res;
};

/* Did an attempt that may have landed land? 1 yes (server_id set), 0 no,
 * <0 cannot tell. */
static int landed(struct attempt_ctx *a, struct ebb_err *err)
{
	if (a->post_at)
		return find_scheduled(a->s, a->pl, a->text, a->post_at, a->res->server_id,
				      sizeof a->res->server_id, err);
	return find_post(a->s, a->pl, a->it->txn_id, a->it->created_at, a->res->server_id,
			 sizeof a->res->server_id, err);
}

static int uncertain(struct attempt_ctx *a, const char *why, struct ebb_err *err)
{
	a->res->uncertain = 1;
	return ebb_err_set(err, EBB_ENET, "slack %s: %s, and it is not %s; it may still arrive. "
			   "Look in Slack, then `ebb outbox retry %lld` or `ebb outbox cancel %lld`",
			   a->method, why, a->post_at ? "among the channel's scheduled messages"
			   : "in the channel's history", a->it->id, a->it->id);
}

/* The answer of a post: 0 = accepted (server id set). */
static int read_answer(struct attempt_ctx *a, const struct net_response *r, int *maybe,
		       struct ebb_err *err)
{
	cJSON *root;
	struct ebb_err perr;
	*maybe = 0;
	if (json_parse(r->body.buf, r->body.len, &root, &perr)) {
		*maybe = 1;   /* HTTP 200 and no readable answer: it may well be posted */
		return ebb_err_set(err, EBB_EPARSE, "slack %s returned %s", a->method, perr.msg);
	}
	int ok = 0, rc;
	const char *id = NULL;
	if (!cJSON_IsObject(root) || json_get_bool(root, "ok", &ok, NULL)) {
		*maybe = 1;
		rc = ebb_err_set(err, EBB_EPARSE, "slack %s returned JSON without a boolean \"ok\"",
				 a->method);
	} else if (!ok) {
		rc = sk_api_error(a->method, root, err);
	} else if (json_get_string(root, a->post_at ? "scheduled_message_id" : "ts", &id, NULL) ||
		   !id[0] || strlen(id) >= sizeof a->res->server_id) {
		*maybe = 1;
		rc = ebb_err_set(err, EBB_EPROTO, "slack %s: the answer has no %s", a->method,
				 a->post_at ? "scheduled_message_id" : "ts");
	} else {
		snprintf(a->res->server_id, sizeof a->res->server_id, "%s", id);
		rc = EBB_OK;
	}
	cJSON_Delete(root);
	return rc;
}

static int deliver(struct attempt_ctx *a, struct ebb_err *err)
{
	struct slack *s = a->s;
	char *body = request_body(a->pl, a->text, a->it->txn_id, a->post_at);
	if (!body)
		return nomem(err);
	struct sbuf url = {0};
	struct net_request rq;
	sk_request(s, a->method, NULL, body, &url, &rq);
	if (!rq.url) {
		cJSON_free(body);
		return nomem(err);
	}
	char what[64];
	snprintf(what, sizeof what, "slack %s", a->method);
	rq.what = what;
	rq.fresh_connect = 1;   /* libcurl must never re-send this on its own */
	struct net_retry pol = {.max_attempts = SK_POST_ATTEMPTS, .base_delay_ms = 500,
				.max_delay_ms = 8000, .max_server_delay_ms = SK_POST_MAX_WAIT_MS,
				.max_total_ms = SK_POST_MAX_WAIT_MS};
	/* An earlier flush tried already: it may have landed. */
	int maybe = a->it->attempts > 0;
	long waited = 0;
	uint32_t rnd = (uint32_t)a->it->id * 2654435761u;
	int rc = EBB_OK;
	for (int attempt = 1;; attempt++) {
		if (maybe) {
			struct ebb_err lerr;
			int found = landed(a, &lerr);
			if (found == 1) {
				rc = EBB_OK;
				break;
			}
			if (found < 0) {
				/* Cannot look: posting again could make a duplicate. */
				a->res->uncertain = 1;
				rc = ebb_err_set(err, lerr.code ? lerr.code : EBB_ENET, "slack %s: an "
						 "earlier attempt may have been posted and the channel "
						 "cannot be searched for it (%s); look in Slack, then "
						 "`ebb outbox retry %lld` or `ebb outbox cancel %lld`",
						 a->method, lerr.msg, a->it->id, a->it->id);
				break;
			}
		}
		struct net_response r = {0};
		rc = net_request(s->http, &rq, &r, err);
		long status = rc ? 0 : r.status;
		if (!rc && status == 200) {
			rc = read_answer(a, &r, &maybe, err);
			net_response_free(&r);
			if (!rc || !maybe)
				break;
			/* A 200 we cannot read: look, but never post again. */
			int found = landed(a, &(struct ebb_err){0});
			rc = found == 1 ? EBB_OK : uncertain(a, "the answer could not be read", err);
			break;
		}
		if (rc && r.request_sent) {
			/* The request went out and the answer was lost. */
			net_response_free(&r);
			struct ebb_err lerr = {0};
			int found = landed(a, &lerr);
			rc = found == 1 ? EBB_OK
					: uncertain(a, "the connection was lost after the message was "
						    "sent", err);
			break;
		}
		if (!rc && status != 429 && status != 503 && status < 500 && status != 408) {
			rc = sk_http_error(s, a->method, &r, err);
			net_response_free(&r);
			break;
		}
		/* A server error may have posted it; a rate limit or a refused
		 * connection did not. */
		if (!rc && status >= 500 && status != 503)
			maybe = 1;
		long server_delay = !rc && (status == 429 || status == 503) ? r.retry_after_ms : -1;
		long delay = net_retry_delay(&pol, attempt, waited, rc, status, server_delay,
					     rnd = rnd * 1664525u + 1013904223u);
		if (!rc)
			rc = sk_http_error(s, a->method, &r, err);
		net_response_free(&r);
		if (delay < 0 || sleep_ms(delay)) {
			/* Out of attempts: one last look when it may be there. */
			if (maybe && landed(a, &(struct ebb_err){0}) == 1)
				rc = EBB_OK;
			break;
		}
		waited += delay;
	}
	sbuf_free(&url);
	explicit_bzero(body, strlen(body));
	cJSON_free(body);
	if (rc && err && !a->res->uncertain) {
		/* Sentences of the sync speak of the next sync; a send waits for the user. */
		static const char tail[] = "; will retry next sync";
		size_t len = strnlen(err->msg, sizeof err->msg), tl = sizeof tail - 1;
		if (len >= tl && !strcmp(err->msg + len - tl, tail))
			err->msg[len - tl] = '\0';
	}
	return rc;
}

int sk_send(struct provider *p, const struct outbox_item *it, struct send_result *res,
	    struct ebb_err *err)
{
	struct slack *s = p->priv;
	memset(res, 0, sizeof *res);
	struct chat_payload pl;
	int rc = chat_payload_parse(it, "slack", &pl, err);
	if (rc)
		return rc;
	if (!sk_id_ok(pl.channel) || (pl.thread && !ts_ok(pl.thread))) {
		chat_payload_free(&pl);
		return ebb_err_set(err, EBB_EINVAL, "slack: outbox item %lld names no valid channel "
				   "or thread", it->id);
	}
	char *text = sk_escape_text(pl.text);
	if (!text) {
		chat_payload_free(&pl);
		return nomem(err);
	}
	struct attempt_ctx a = {.s = s, .it = it, .pl = &pl, .text = text, .res = res,
				.method = "chat.postMessage"};
	if (it->release_policy && !strcmp(it->release_policy, "server") &&
	    it->release_at > ebb_now() + SK_SCHEDULE_MIN_AHEAD) {
		a.method = "chat.scheduleMessage";
		a.post_at = (long long)it->release_at;
	}
	rc = deliver(&a, err);
	free(text);
	chat_payload_free(&pl);
	return rc;
}

/* Read in ebb: each channel's newest read message becomes its read mark. */
int sk_push_flags(struct provider *p, const struct batch_flag *f, size_t n, struct ebb_err *err)
{
	struct slack *s = p->priv;
	for (size_t i = 0; i < n;) {
		const char *channel = f[i].channel;
		const char *newest = NULL;
		size_t j = i;
		for (; j < n && f[j].channel && channel && !strcmp(f[j].channel, channel); j++)
			if ((f[j].flags & MSG_SEEN) && ts_ok(f[j].remote_id) &&
			    (!newest || sk_ts_cmp(f[j].remote_id, newest) > 0))
				newest = f[j].remote_id;
		if (j == i)
			j = i + 1;
		i = j;
		if (!newest || !sk_id_ok(channel))
			continue;
		cJSON *o = cJSON_CreateObject(), *resp = NULL;
		char *body = NULL;
		if (o && cJSON_AddStringToObject(o, "channel", channel) &&
		    cJSON_AddStringToObject(o, "ts", newest))
			body = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!body)
			return nomem(err);
		struct net_retry brief = {.max_attempts = 3, .base_delay_ms = 300,
					  .max_total_ms = 10000, .max_server_delay_ms = 10000};
		int rc = sk_call(s, "conversations.mark", NULL, NULL, body, &brief, &resp, err);
		cJSON_free(body);
		cJSON_Delete(resp);
		/* Passing troubles keep the flags for the next sync; a channel that
		 * refuses must not block every sync. */
		if (rc == EBB_ENET || rc == EBB_ETIMEOUT || rc == EBB_ENOMEM)
			return rc;
	}
	return EBB_OK;
}
