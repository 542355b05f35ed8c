/* providers/slack_api: Slack Web API calls and the sentences for what Slack
 * answers instead: "ok": false errors (HTTP 200), rate limits (429 with
 * Retry-After), server errors, and bodies that are not JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slack_int.h"

#define SK_MAX_USERS 10000

static const char *const get_headers[] = {"Accept: application/json"};
static const char *const post_headers[] = {"Accept: application/json",
					   "Content-Type: application/json; charset=utf-8"};

void sk_request(struct slack *s, const char *method, const char *query, const char *body,
		struct sbuf *url, struct net_request *rq)
{
	sbuf_reset(url);
	memset(rq, 0, sizeof *rq);
	if (sbuf_printf(url, "%s/%s%s%s", s->base, method, query ? "?" : "", query ? query : ""))
		sbuf_free(url);   /* rq->url NULL: the caller reports ENOMEM */
	rq->method = body ? "POST" : "GET";
	rq->url = url->buf;
	rq->headers = body ? post_headers : get_headers;
	rq->nheaders = body ? 2 : 1;
	rq->bearer = s->token;
	rq->body = body;
	rq->body_len = body ? strlen(body) : 0;
	rq->ca_file = s->p->acc->ca_file;
}

int sk_api_error(const char *label, const cJSON *root, struct ebb_err *err)
{
	const char *code = NULL, *needed = NULL, *provided = NULL;
	if (cJSON_IsObject(root)) {
		json_opt_string(root, "error", &code, NULL);
		json_opt_string(root, "needed", &needed, NULL);
		json_opt_string(root, "provided", &provided, NULL);
	}
	char c[64], need[128], have[256];
	net_clean_text(code ? code : "unknown_error", c, sizeof c);
	net_clean_text(needed ? needed : "", need, sizeof need);
	net_clean_text(provided ? provided : "", have, sizeof have);
	if (!strcmp(c, "invalid_auth") || !strcmp(c, "not_authed") ||
	    !strcmp(c, "token_revoked") || !strcmp(c, "token_expired") ||
	    !strcmp(c, "account_inactive"))
		return ebb_err_set(err, EBB_EAUTH, "slack: the Slack token was rejected (%s); check "
				   "token_cmd", c);
	if (!strcmp(c, "missing_scope")) {
		if (need[0])
			return ebb_err_set(err, EBB_EAUTH, "slack %s: the token lacks the scope %s "
					   "(missing_scope%s%s); add it to the Slack app's user token "
					   "scopes and reinstall the app", label, need,
					   have[0] ? "; it has " : "", have);
		return ebb_err_set(err, EBB_EAUTH, "slack %s: the token lacks a scope this needs "
				   "(missing_scope); see the Slack app's user token scopes", label);
	}
	if (!strcmp(c, "not_in_channel"))
		return ebb_err_set(err, EBB_EAUTH, "slack %s: you are not a member of this channel "
				   "(not_in_channel); join it in Slack first", label);
	if (!strcmp(c, "channel_not_found"))
		return ebb_err_set(err, EBB_ENOENT, "slack %s: the channel does not exist or this "
				   "token cannot see it (channel_not_found)", label);
	if (!strcmp(c, "thread_not_found"))
		return ebb_err_set(err, EBB_ENOENT, "slack %s: the thread does not exist any more "
				   "(thread_not_found)", label);
	if (!strcmp(c, "ratelimited"))
		return ebb_err_set(err, EBB_ENET, "slack %s: Slack is rate limiting ebb "
				   "(ratelimited); will retry next sync", label);
	if (!strcmp(c, "is_archived"))
		return ebb_err_set(err, EBB_EINVAL, "slack %s: the channel is archived "
				   "(is_archived); nothing can be posted there", label);
	if (!strcmp(c, "msg_too_long"))
		return ebb_err_set(err, EBB_ETOOBIG, "slack %s: the message is too long for Slack "
				   "(msg_too_long)", label);
	if (!strcmp(c, "time_in_past") || !strcmp(c, "time_too_far"))
		return ebb_err_set(err, EBB_EINVAL, "slack %s: Slack refused the time to post at "
				   "(%s)", label, c);
	return ebb_err_set(err, EBB_EPROTO, "slack %s: Slack answered %s", label, c);
}

int sk_http_error(struct slack *s, const char *label, const struct net_response *r,
		  struct ebb_err *err)
{
	char tries[48] = "";
	if (r->attempts > 1)
		snprintf(tries, sizeof tries, " after %d attempts", r->attempts);
	cJSON *root = NULL;
	const char *code = NULL;
	if (!json_parse(r->body.buf, r->body.len, &root, NULL) && cJSON_IsObject(root))
		json_opt_string(root, "error", &code, NULL);
	char c[64] = "";
	net_clean_text(code, c, sizeof c);
	int rc;
	if (r->status == 429) {
		char asks[64] = "";
		if (r->retry_after_ms >= 0)
			snprintf(asks, sizeof asks, ", asking to wait %ld s",
				 (r->retry_after_ms + 999) / 1000);
		rc = ebb_err_set(err, EBB_ENET, "slack %s: %s is rate limiting ebb (%s%s)%s; will "
				 "retry next sync", label, s->host, c[0] ? c : "HTTP 429", asks, tries);
	} else if ((r->status == 401 || r->status == 403) && c[0]) {
		rc = sk_api_error(label, root, err);
	} else if (r->status >= 500) {
		rc = ebb_err_set(err, EBB_ENET, "slack %s: %s answered HTTP %ld%s%s%s%s; will retry "
				 "next sync", label, s->host, r->status, c[0] ? " (" : "", c,
				 c[0] ? ")" : "", tries);
	} else if (r->status == 404) {
		rc = ebb_err_set(err, EBB_EPROTO, "slack %s: %s does not know this method (HTTP "
				 "404); is url the Web API base, e.g. https://slack.com/api?", label,
				 s->host);
	} else if (r->status >= 300 && r->status < 400) {
		rc = ebb_err_set(err, EBB_EPROTO, "slack %s: %s answered with a redirect (HTTP %ld), "
				 "which ebb does not follow; set url to the final address", label,
				 s->host, r->status);
	} else {
		rc = ebb_err_set(err, EBB_EPROTO, "slack %s: %s answered HTTP %ld%s%s%s", label,
				 s->host, r->status, c[0] ? " (" : "", c, c[0] ? ")" : "");
	}
	cJSON_Delete(root);
	return rc;
}

int sk_call(struct slack *s, const char *method, const char *label, const char *query,
	    const char *body, const struct net_retry *pol, cJSON **out, struct ebb_err *err)
{
	*out = NULL;
	if (!label)
		label = method;
	struct sbuf url = {0};
	struct net_request rq;
	sk_request(s, method, query, body, &url, &rq);
	if (!rq.url)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	char what[128];
	snprintf(what, sizeof what, "slack %s", label);
	rq.what = what;
	struct net_response r = {0};
	int rc = s->fake_http ? s->fake_http(s->fake_ctx, &rq, &r, err)
			     : net_request_retry(s->http, &rq, pol ? pol : &s->retry, &r, err);
	sbuf_free(&url);
	if (rc) {
		if ((rc == EBB_ENET || rc == EBB_ETIMEOUT) && err) {
			size_t len = strnlen(err->msg, sizeof err->msg);
			snprintf(err->msg + len, sizeof err->msg - len, "; will retry next sync");
		}
		net_response_free(&r);
		return rc;
	}
	if (r.status != 200) {
		rc = sk_http_error(s, label, &r, err);
		net_response_free(&r);
		return rc;
	}
	struct ebb_err perr;
	cJSON *root;
	rc = json_parse(r.body.buf, r.body.len, &root, &perr);
	net_response_free(&r);
	if (rc)
		return ebb_err_set(err, EBB_EPARSE, "slack %s returned %s; will retry next sync",
				   label, perr.msg);
	int ok = 0;
	if (!cJSON_IsObject(root) || json_get_bool(root, "ok", &ok, &perr)) {
		cJSON_Delete(root);
		return ebb_err_set(err, EBB_EPARSE, "slack %s returned JSON without a boolean "
				   "\"ok\"; will retry next sync", label);
	}
	if (!ok) {
		rc = sk_api_error(label, root, err);
		cJSON_Delete(root);
		return rc;
	}
	*out = root;
	return EBB_OK;
}

/* display_name, else real_name, else the handle. */
static char *name_of(const cJSON *user)
{
	const cJSON *profile = NULL;
	const char *name = NULL;
	if (!json_opt_object(user, "profile", &profile, NULL) && profile) {
		if (!json_opt_string(profile, "display_name", &name, NULL) && name && name[0])
			return util_strndup(name, strnlen(name, SK_MAX_NAME));
		if (!json_opt_string(profile, "real_name", &name, NULL) && name && name[0])
			return util_strndup(name, strnlen(name, SK_MAX_NAME));
	}
	if (!json_opt_string(user, "real_name", &name, NULL) && name && name[0])
		return util_strndup(name, strnlen(name, SK_MAX_NAME));
	if (!json_opt_string(user, "name", &name, NULL) && name && name[0])
		return util_strndup(name, strnlen(name, SK_MAX_NAME));
	return NULL;
}

const char *sk_user_name(struct slack *s, const char *user_id)
{
	if (!sk_id_ok(user_id))
		return NULL;
	for (size_t i = 0; i < s->nusers; i++)
		if (!strcmp(s->users[i].id, user_id))
			return s->users[i].name;
	if (s->nusers >= SK_MAX_USERS)
		return NULL;
	if (s->nusers == s->capusers) {
		size_t cap = s->capusers ? s->capusers * 2 : 32;
		struct sk_user *grown = realloc(s->users, cap * sizeof *grown);
		if (!grown)
			return NULL;
		s->users = grown;
		s->capusers = cap;
	}
	struct sbuf query = {0};
	cJSON *resp = NULL;
	const cJSON *user;
	char *name = NULL;
	/* A name is a nicety: a short budget, and a failure shows the id. */
	struct net_retry brief = {.max_attempts = 3, .base_delay_ms = 300, .max_total_ms = 10000,
				  .max_server_delay_ms = 10000};
	if (!sbuf_puts(&query, "user=") && !net_url_escape(&query, user_id) &&
	    !sk_call(s, "users.info", NULL, query.buf, NULL, &brief, &resp, NULL) &&
	    !json_get_object(resp, "user", &user, NULL))
		name = name_of(user);
	cJSON_Delete(resp);
	sbuf_free(&query);
	struct sk_user *u = &s->users[s->nusers++];
	snprintf(u->id, sizeof u->id, "%s", user_id);
	u->name = name;
	return name;
}
