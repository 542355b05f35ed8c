/* providers/matrix_api: the Matrix client-server API calls the provider
 * makes, and the sentences for what a homeserver can answer instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_int.h"

#define MX_PREFIX "/_matrix/client/v3"
#define MX_MAX_PASSWORD 1024

/* The errcode and error a homeserver put in an error body, cleaned for a
 * sentence; empty strings when the body is not a Matrix error. */
struct mx_error {
	char errcode[64];
	char error[160];
};

static void read_error(const struct net_response *r, struct mx_error *e)
{
	e->errcode[0] = e->error[0] = '\0';
	cJSON *root;
	if (json_parse(r->body.buf, r->body.len, &root, NULL))
		return;
	const char *code = NULL, *text = NULL;
	if (cJSON_IsObject(root) && !json_opt_string(root, "errcode", &code, NULL) &&
	    !json_opt_string(root, "error", &text, NULL)) {
		net_clean_text(code, e->errcode, sizeof e->errcode);
		net_clean_text(text, e->error, sizeof e->error);
	}
	cJSON_Delete(root);
}

/* Matrix puts the wait of a 429 in the body as retry_after_ms. */
static long body_delay(void *ctx, const struct net_response *r)
{
	(void)ctx;
	cJSON *root;
	long long ms = -1;
	if (json_parse(r->body.buf, r->body.len, &root, NULL))
		return -1;
	if (json_opt_int(root, "retry_after_ms", &ms, NULL) || ms < 0)
		ms = -1;
	cJSON_Delete(root);
	return ms > 24LL * 3600 * 1000 ? 24L * 3600 * 1000 : (long)ms;
}

static int http_error(struct mx *m, const char *what, const struct net_response *r,
		      struct ebb_err *err)
{
	struct mx_error e;
	read_error(r, &e);
	char detail[256];
	if (e.errcode[0] && e.error[0])
		snprintf(detail, sizeof detail, "%s: %s", e.errcode, e.error);
	else
		snprintf(detail, sizeof detail, "%s", e.errcode[0] ? e.errcode : "not a Matrix error body");
	char tries[48] = "";
	if (r->attempts > 1)
		snprintf(tries, sizeof tries, " after %d attempts", r->attempts);
	if (r->status == 401) {
		if (m->logged_in)
			return ebb_err_set(err, EBB_EAUTH, "matrix: the homeserver %s rejected the "
					   "access token from the password login (%s); check user "
					   "and password_cmd", m->host, e.errcode[0] ? e.errcode : "401");
		return ebb_err_set(err, EBB_EAUTH, "matrix: the homeserver %s rejected the access "
				   "token (%s); check token_cmd", m->host,
				   e.errcode[0] ? e.errcode : "HTTP 401");
	}
	if (r->status == 429) {
		long wait = body_delay(NULL, r);
		if (r->retry_after_ms > wait)
			wait = r->retry_after_ms;
		char asks[64] = "";
		if (wait >= 0)
			snprintf(asks, sizeof asks, ", asking to wait %ld s", (wait + 999) / 1000);
		return ebb_err_set(err, EBB_ENET, "matrix %s: %s is rate limiting ebb (%s%s)%s; will "
				   "retry next sync", what, m->host, detail, asks, tries);
	}
	if (r->status >= 500)
		return ebb_err_set(err, EBB_ENET, "matrix %s: %s answered HTTP %ld (%s)%s; will "
				   "retry next sync", what, m->host, r->status, detail, tries);
	if (r->status == 404 && !strcmp(e.errcode, "M_UNRECOGNIZED"))
		return ebb_err_set(err, EBB_EPROTO, "matrix %s: %s does not know this request (HTTP "
				   "404 M_UNRECOGNIZED); is url the homeserver's base URL, e.g. "
				   "https://matrix.example.org?", what, m->host);
	if (r->status == 403)
		return ebb_err_set(err, EBB_EAUTH, "matrix %s: %s refused (HTTP 403 %s)", what,
				   m->host, detail);
	if (r->status >= 300 && r->status < 400)
		return ebb_err_set(err, EBB_EPROTO, "matrix %s: %s answered with a redirect (HTTP "
				   "%ld), which ebb does not follow; set url to the homeserver's "
				   "final address", what, m->host, r->status);
	return ebb_err_set(err, EBB_EPROTO, "matrix %s: %s answered HTTP %ld (%s)", what, m->host,
			   r->status, detail);
}

int mx_call(struct mx *m, const char *method, const char *path, const char *query,
	    const char *body, const char *what, const struct net_retry *pol, cJSON **out,
	    struct ebb_err *err)
{
	*out = NULL;
	struct sbuf url = {0};
	if (sbuf_printf(&url, "%s" MX_PREFIX "%s%s%s", m->base, path, query ? "?" : "",
			query ? query : "")) {
		sbuf_free(&url);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	static const char *const headers[] = {"Accept: application/json",
					      "Content-Type: application/json"};
	char label[96];
	snprintf(label, sizeof label, "matrix %s", what);
	struct net_request rq = {
		.method = method,
		.url = url.buf,
		.headers = headers,
		.nheaders = body ? 2 : 1,
		.bearer = m->token[0] ? m->token : NULL,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.ca_file = m->p->acc->ca_file,
		.what = label,
	};
	struct net_retry retry = pol ? *pol : m->retry;
	retry.body_delay_ms = body_delay;
	struct net_response r = {0};
	int rc = m->fake_http ? m->fake_http(m->fake_ctx, &rq, &r, err)
			     : net_request_retry(m->http, &rq, &retry, &r, err);
	sbuf_free(&url);
	if (rc) {
		/* Only passing troubles are worth the next sync's retry. */
		if ((rc == EBB_ENET || rc == EBB_ETIMEOUT) && err) {
			size_t len = strnlen(err->msg, sizeof err->msg);
			snprintf(err->msg + len, sizeof err->msg - len, "; will retry next sync");
		}
		net_response_free(&r);
		return rc;
	}
	if (r.status < 200 || r.status > 299) {
		rc = http_error(m, what, &r, err);
		net_response_free(&r);
		return rc;
	}
	struct ebb_err perr;
	cJSON *root;
	rc = json_parse(r.body.buf, r.body.len, &root, &perr);
	net_response_free(&r);
	if (rc)
		return ebb_err_set(err, EBB_EPARSE, "matrix %s returned %s; will retry next sync",
				   what, perr.msg);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ebb_err_set(err, EBB_EPARSE, "matrix %s returned JSON that is not an object; "
				   "will retry next sync", what);
	}
	*out = root;
	return EBB_OK;
}

/* A device id that stays the same for an account, so that logging in on
 * every sync reuses one device instead of adding a new one each time. */
static void device_id(const struct mx *m, char *out, size_t outlen)
{
	uint32_t h = 2166136261u;
	for (const char *s = m->p->acc->name; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (const char *s = m->user; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(out, outlen, "EBB%08X", h);
}

int mx_login(struct mx *m, struct ebb_err *err)
{
	const struct account_cfg *acc = m->p->acc;
	char password[MX_MAX_PASSWORD];
	struct ebb_err cerr;
	if (util_run_secret_cmd(acc->password_cmd, password, sizeof password, &cerr))
		return ebb_err_set(err, EBB_EAUTH, "matrix: password_cmd failed: %s", cerr.msg);
	char device[32];
	device_id(m, device, sizeof device);
	cJSON *req = cJSON_CreateObject(), *ident = cJSON_CreateObject();
	cJSON *pw = NULL;
	char *body = NULL;
	if (req && ident && cJSON_AddItemToObject(req, "identifier", ident)) {
		ident = NULL;   /* owned by req now */
		cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "identifier");
		pw = cJSON_AddStringToObject(req, "password", password);
		if (cJSON_AddStringToObject(req, "type", "m.login.password") &&
		    cJSON_AddStringToObject(id, "type", "m.id.user") &&
		    cJSON_AddStringToObject(id, "user", m->user) && pw &&
		    cJSON_AddStringToObject(req, "device_id", device) &&
		    cJSON_AddStringToObject(req, "initial_device_display_name", "ebb"))
			body = cJSON_PrintUnformatted(req);
	}
	explicit_bzero(password, sizeof password);
	if (pw && pw->valuestring)
		explicit_bzero(pw->valuestring, strlen(pw->valuestring));
	cJSON_Delete(ident);
	cJSON_Delete(req);
	if (!body)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	cJSON *resp;
	struct ebb_err lerr;
	int rc = mx_call(m, "POST", "/login", NULL, body, "/login", NULL, &resp, &lerr);
	explicit_bzero(body, strlen(body));
	cJSON_free(body);
	if (rc) {
		if (lerr.code == EBB_EAUTH || strstr(lerr.msg, "M_FORBIDDEN"))
			return ebb_err_set(err, EBB_EAUTH, "matrix: the homeserver %s rejected the "
					   "password for %s (M_FORBIDDEN); check user and "
					   "password_cmd", m->host, m->user);
		return ebb_err_set(err, rc, "%s", lerr.msg);
	}
	const char *token, *user_id;
	rc = json_get_string(resp, "access_token", &token, &lerr);
	if (!rc)
		rc = json_get_string(resp, "user_id", &user_id, &lerr);
	if (!rc && (strlen(token) >= sizeof m->token || strlen(user_id) > MX_MAX_ID))
		rc = ebb_err_set(&lerr, EBB_ETOOBIG, "the access token or user id is too long");
	if (rc) {
		cJSON_Delete(resp);
		return ebb_err_set(err, EBB_EPROTO, "matrix /login: %s", lerr.msg);
	}
	util_strlcpy(m->token, token, sizeof m->token);
	explicit_bzero(cJSON_GetObjectItemCaseSensitive(resp, "access_token")->valuestring,
		       strlen(token));
	cJSON_Delete(resp);
	m->logged_in = 1;
	return EBB_OK;
}

int mx_whoami(struct mx *m, struct ebb_err *err)
{
	cJSON *resp;
	int rc = mx_call(m, "GET", "/account/whoami", NULL, NULL, "/account/whoami", NULL, &resp,
			 err);
	if (rc)
		return rc;
	const char *user_id;
	struct ebb_err jerr;
	rc = json_get_string(resp, "user_id", &user_id, &jerr);
	if (!rc && (strlen(user_id) > MX_MAX_ID || user_id[0] != '@'))
		rc = ebb_err_set(&jerr, EBB_EPROTO, "field \"user_id\" is not a Matrix user id");
	if (!rc) {
		size_t i = 0;
		for (; user_id[i]; i++)
			m->user[i] = (char)(user_id[i] >= 'A' && user_id[i] <= 'Z' ? user_id[i] + 32
										 : user_id[i]);
		m->user[i] = '\0';
	} else {
		ebb_err_set(err, EBB_EPROTO, "matrix /account/whoami: %s", jerr.msg);
	}
	cJSON_Delete(resp);
	return rc;
}

void mx_fetch_my_name(struct mx *m)
{
	struct sbuf path = {0};
	struct net_retry once = {.max_attempts = 1};
	cJSON *resp;
	if (sbuf_puts(&path, "/profile/") || net_url_escape(&path, m->user) ||
	    sbuf_puts(&path, "/displayname") ||
	    mx_call(m, "GET", path.buf, NULL, NULL, "/profile", &once, &resp, NULL)) {
		sbuf_free(&path);
		return;
	}
	sbuf_free(&path);
	const char *name = NULL;
	if (!json_opt_string(resp, "displayname", &name, NULL) && name && name[0] &&
	    strlen(name) <= MX_MAX_ID) {
		free(m->my_name);
		m->my_name = strdup(name);   /* NULL on ENOMEM: mentions by MXID still work */
	}
	cJSON_Delete(resp);
}

int mx_room_history(struct mx *m, const char *room_id, const char *from, const char *to,
		    int limit, cJSON **out, struct ebb_err *err)
{
	struct sbuf path = {0}, query = {0};
	int rc = EBB_OK;
	if (sbuf_puts(&path, "/rooms/") || net_url_escape(&path, room_id) ||
	    sbuf_puts(&path, "/messages") || sbuf_printf(&query, "dir=b&limit=%d&from=", limit) ||
	    net_url_escape(&query, from) ||
	    (to && (sbuf_puts(&query, "&to=") || net_url_escape(&query, to))) ||
	    sbuf_puts(&query, "&filter=") ||
	    net_url_escape(&query, "{\"lazy_load_members\":true}"))
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
	if (!rc)
		rc = mx_call(m, "GET", path.buf, query.buf, NULL, "/rooms/{roomId}/messages", NULL,
			     out, err);
	sbuf_free(&path);
	sbuf_free(&query);
	return rc;
}

int mx_room_event(struct mx *m, const char *room_id, const char *event_id, cJSON **out,
		  struct ebb_err *err)
{
	struct sbuf path = {0};
	int rc = EBB_OK;
	if (sbuf_puts(&path, "/rooms/") || net_url_escape(&path, room_id) ||
	    sbuf_puts(&path, "/event/") || net_url_escape(&path, event_id))
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
	/* Best effort for a subject: not worth the full retry budget. */
	struct net_retry brief = {.max_attempts = 2, .base_delay_ms = 200, .max_total_ms = 2000};
	if (!rc)
		rc = mx_call(m, "GET", path.buf, NULL, NULL, "/rooms/{roomId}/event", &brief, out,
			     err);
	sbuf_free(&path);
	return rc;
}
