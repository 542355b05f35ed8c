/* net/http: HTTP requests over libcurl for the chat providers: timeouts,
 * TLS always verified, proxies from the environment, gzip, a bound on the
 * body, and the retry policy (backoff with jitter, Retry-After). */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ebb/net.h"

#define NET_DEFAULT_ATTEMPTS 5
#define NET_DEFAULT_BASE_MS 500
#define NET_DEFAULT_MAX_DELAY_MS 30000
#define NET_DEFAULT_MAX_SERVER_MS 60000
#define NET_DEFAULT_MAX_TOTAL_MS 120000
#define NET_MAX_RETRY_AFTER_MS (24L * 3600 * 1000)
#define NET_MAX_HEADERS 32

struct net_client {
	CURL *curl;
};

int net_init(struct ebb_err *err)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		return ebb_err_set(err, EBB_ENET, "cannot initialise libcurl: %s",
				   curl_easy_strerror(rc));
	return EBB_OK;
}

void net_shutdown(void)
{
	curl_global_cleanup();
}

int net_client_new(struct net_client **out, struct ebb_err *err)
{
	*out = NULL;
	struct net_client *c = calloc(1, sizeof *c);
	if (!c)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return ebb_err_set(err, EBB_ENOMEM, "cannot start libcurl (out of memory?)");
	}
	*out = c;
	return EBB_OK;
}

void net_client_free(struct net_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

void net_response_free(struct net_response *r)
{
	if (!r)
		return;
	sbuf_free(&r->body);
	memset(r, 0, sizeof *r);
	r->retry_after_ms = -1;
}

/* ---- URLs ----------------------------------------------------------------- */

static int is_loopback(const char *host)
{
	if (!strcasecmp(host, "localhost"))
		return 1;
	char bare[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof bare) {
		memcpy(bare, host + 1, len - 2);
		bare[len - 2] = '\0';
		host = bare;
	}
	struct in_addr a4;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	struct in6_addr a6;
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return 0;
}

int net_url_check(const char *url, char *host, size_t hostlen, struct ebb_err *err)
{
	if (host && hostlen)
		host[0] = '\0';
	if (!url || !url[0])
		return ebb_err_set(err, EBB_EINVAL, "no URL given");
	CURLU *u = curl_url();
	if (!u)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	char *scheme = NULL, *h = NULL, *user = NULL, *password = NULL;
	int rc = EBB_OK;
	char shown[128];
	net_clean_text(url, shown, sizeof shown);
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK) {
		rc = ebb_err_set(err, EBB_EINVAL, "\"%s\" is not a URL (expected "
				 "https://host[:port][/path])", shown);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
		rc = ebb_err_set(err, EBB_EINVAL, "the URL of %s holds a user name or password; "
				 "remove it and use token_cmd or password_cmd", h);
		goto out;
	}
	if (strcmp(scheme, "https") != 0) {
		if (strcmp(scheme, "http") != 0) {
			rc = ebb_err_set(err, EBB_EINVAL, "\"%s\": only https:// URLs are "
					 "supported", shown);
			goto out;
		}
		if (!is_loopback(h)) {
			rc = ebb_err_set(err, EBB_EINVAL, "http://%s is refused: plain HTTP would "
					 "show your token to the network; use https:// (http:// is "
					 "only allowed for localhost)", h);
			goto out;
		}
	}
	if (host && util_strlcpy(host, h, hostlen))
		rc = ebb_err_set(err, EBB_EINVAL, "the host name in the URL is too long");
out:
	curl_free(scheme);
	curl_free(h);
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	return rc;
}

int net_url_escape(struct sbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
			    *p == '~';
		char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
		int rc = plain ? sbuf_putc(out, (char)*p) : sbuf_append(out, enc, 3);
		if (rc)
			return rc;
	}
	return EBB_OK;
}

void net_clean_text(const char *in, char *out, size_t outlen)
{
	if (!outlen)
		return;
	size_t n = 0;
	for (; in && *in && n + 1 < outlen; in++)
		out[n++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
	out[n] = '\0';
}

/* ---- one request ---------------------------------------------------------- */

struct transfer {
	struct net_response *r;
	size_t max_body;
	int too_big;
	int nomem;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct transfer *t = ctx;
	size_t n = size * nmemb;
	if (n > t->max_body || t->r->body.len > t->max_body - n) {
		t->too_big = 1;
		return 0;   /* aborts with CURLE_WRITE_ERROR */
	}
	if (sbuf_append(&t->r->body, data, n)) {
		t->nomem = 1;
		return 0;
	}
	return n;
}

static int header_is(const char *line, size_t len, const char *name, const char **value,
		     size_t *vlen)
{
	size_t nl = strlen(name);
	if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
		return 0;
	const char *v = line + nl + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' ||
			   end[-1] == '\t'))
		end--;
	*value = v;
	*vlen = (size_t)(end - v);
	return 1;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ctx)
{
	struct transfer *t = ctx;
	size_t len = size * nmemb;
	const char *v;
	size_t vlen;
	if (len >= 5 && !strncmp(line, "HTTP/", 5)) {
		/* A new response (after 100 Continue, say): forget the last one's headers. */
		t->r->retry_after_ms = -1;
		t->r->content_type[0] = '\0';
	} else if (header_is(line, len, "Retry-After", &v, &vlen)) {
		char buf[64];
		long ms;
		if (vlen < sizeof buf) {
			memcpy(buf, v, vlen);
			buf[vlen] = '\0';
			if (!net_parse_retry_after(buf, time(NULL), &ms))
				t->r->retry_after_ms = ms;
		}
	} else if (header_is(line, len, "Content-Type", &v, &vlen)) {
		size_t n = vlen < sizeof t->r->content_type ? vlen : sizeof t->r->content_type - 1;
		memcpy(t->r->content_type, v, n);
		t->r->content_type[n] = '\0';
	}
	return len;
}

/* libcurl asks about once a second, also while a long poll is idle: a
 * SIGINT/SIGTERM handler's net_mail_cancel stops HTTP as it stops IMAP. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)ctx;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return net_mail_cancelled() ? 1 : 0;
}

/* Turns a libcurl failure into a sentence naming the host and the cause. */
static int transfer_error(CURLcode cc, const struct transfer *t, const struct net_request *rq,
			  const char *host, const char *detail, struct ebb_err *err)
{
	const char *what = rq->what ? rq->what : "the request";
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return ebb_err_set(err, EBB_ENET, "%s: cannot find the host %s (DNS lookup failed); "
				   "check the url and the network", what, host);
	case CURLE_COULDNT_CONNECT:
		return ebb_err_set(err, EBB_ENET, "%s: cannot connect to %s (connection refused or "
				   "host unreachable)", what, host);
	case CURLE_OPERATION_TIMEDOUT:
		return ebb_err_set(err, EBB_ETIMEOUT, "%s: %s did not answer in time (%s)", what,
				   host, detail);
	case CURLE_PEER_FAILED_VERIFICATION:
		return ebb_err_set(err, EBB_ETLS, "%s: the TLS certificate of %s is not trusted "
				   "(%s); if the server uses a private CA, set ca_file in the "
				   "account", what, host, detail);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_USE_SSL_FAILED:
		return ebb_err_set(err, EBB_ETLS, "%s: the TLS handshake with %s failed (%s)", what,
				   host, detail);
	case CURLE_SSL_CACERT_BADFILE:
		return ebb_err_set(err, EBB_ETLS, "%s: cannot read the CA file %s (ca_file)", what,
				   rq->ca_file ? rq->ca_file : "of the system");
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return ebb_err_set(err, EBB_ENET, "%s: the connection to %s was dropped before the "
				   "response was complete", what, host);
	case CURLE_FILESIZE_EXCEEDED:
		return ebb_err_set(err, EBB_ETOOBIG, "%s: %s sent a response over %zu MB; refused",
				   what, host, t->max_body >> 20);
	case CURLE_WRITE_ERROR:
		if (t->nomem)
			return ebb_err_set(err, EBB_ENOMEM, "%s: out of memory reading the response",
					   what);
		if (t->too_big)
			return ebb_err_set(err, EBB_ETOOBIG, "%s: %s sent a response over %zu MB; "
					   "refused", what, host, t->max_body >> 20);
		break;
	case CURLE_BAD_CONTENT_ENCODING:
		return ebb_err_set(err, EBB_EPROTO, "%s: %s sent a compressed body that cannot be "
				   "decoded", what, host);
	case CURLE_WEIRD_SERVER_REPLY:
		return ebb_err_set(err, EBB_EPROTO, "%s: %s did not answer with HTTP", what, host);
	case CURLE_OUT_OF_MEMORY:
		return ebb_err_set(err, EBB_ENOMEM, "%s: out of memory", what);
	case CURLE_ABORTED_BY_CALLBACK:
		return ebb_err_set(err, EBB_ETIMEOUT, "%s: interrupted", what);
	default:
		break;
	}
	return ebb_err_set(err, EBB_ENET, "%s: request to %s failed (%s)", what, host, detail);
}

/* Frees the header list after wiping the token it may carry. */
static void headers_free(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		if (p->data)
			explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

static int build_headers(const struct net_request *rq, struct curl_slist **out,
			 struct ebb_err *err)
{
	struct curl_slist *h = NULL, *next;
	*out = NULL;
	if (rq->nheaders > NET_MAX_HEADERS)
		return ebb_err_set(err, EBB_EINVAL, "too many request headers");
	for (size_t i = 0; i < rq->nheaders; i++) {
		if (!(next = curl_slist_append(h, rq->headers[i])))
			goto nomem;
		h = next;
	}
	if (rq->bearer) {
		struct sbuf line = {0};
		if (sbuf_puts(&line, "Authorization: Bearer ") || sbuf_puts(&line, rq->bearer)) {
			if (line.buf)
				explicit_bzero(line.buf, line.len);
			sbuf_free(&line);
			goto nomem;
		}
		next = curl_slist_append(h, line.buf);
		explicit_bzero(line.buf, line.len);
		sbuf_free(&line);
		if (!next)
			goto nomem;
		h = next;
	}
	/* No "Expect: 100-continue" round trip before a POST body. */
	if (!(next = curl_slist_append(h, "Expect:")))
		goto nomem;
	*out = next;
	return EBB_OK;
nomem:
	headers_free(h);
	return ebb_err_set(err, EBB_ENOMEM, "out of memory");
}

static int setup(CURL *curl, const struct net_request *rq, struct transfer *t,
		 struct curl_slist *headers, int loopback, char *errbuf)
{
	CURLcode rc = CURLE_OK;
	const char *method = rq->method ? rq->method : "GET";
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(curl, opt, val); } while (0)
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);   /* a redirect could carry the token elsewhere */
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (rq->ca_file)
		SET(CURLOPT_CAINFO, rq->ca_file);
	if (loopback)
		SET(CURLOPT_PROXY, "");    /* a proxy cannot reach our loopback */
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_USERAGENT, "ebb/" EBB_VERSION);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms : (long)NET_CONNECT_TIMEOUT_MS);
	SET(CURLOPT_TIMEOUT_MS, rq->timeout_ms > 0 ? rq->timeout_ms : (long)NET_TIMEOUT_MS);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME,
	    rq->low_speed_seconds > 0 ? rq->low_speed_seconds : (long)NET_LOW_SPEED_SECONDS);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_body);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, t);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_HTTPHEADER, headers);
	if (rq->fresh_connect) {
		SET(CURLOPT_FRESH_CONNECT, 1L);
		SET(CURLOPT_FORBID_REUSE, 1L);
	}
	if (!strcmp(method, "GET")) {
		SET(CURLOPT_HTTPGET, 1L);
	} else {
		if (!strcmp(method, "POST"))
			SET(CURLOPT_POST, 1L);
		else
			SET(CURLOPT_CUSTOMREQUEST, method);
		SET(CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(rq->body ? rq->body_len : 0));
	}
#undef SET
	return rc == CURLE_OK ? EBB_OK : EBB_EINVAL;
}

int net_request(struct net_client *c, const struct net_request *rq, struct net_response *r,
		struct ebb_err *err)
{
	sbuf_free(&r->body);
	r->status = 0;
	r->retry_after_ms = -1;
	r->content_type[0] = '\0';
	r->request_sent = 0;
	char host[256];
	int rc = net_url_check(rq->url, host, sizeof host, err);
	if (rc)
		return rc;
	const char *method = rq->method ? rq->method : "GET";
	if (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "PUT") &&
	    strcmp(method, "DELETE"))
		return ebb_err_set(err, EBB_EINVAL, "unsupported HTTP method %s", method);
	struct curl_slist *headers;
	if ((rc = build_headers(rq, &headers, err)))
		return rc;
	struct transfer t = {.r = r, .max_body = rq->max_body ? rq->max_body : NET_MAX_BODY};
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_reset(c->curl);   /* keeps the connection cache, drops old options */
	if (setup(c->curl, rq, &t, headers, is_loopback(host), errbuf)) {
		curl_easy_reset(c->curl);
		headers_free(headers);
		return ebb_err_set(err, EBB_EINVAL, "cannot set up the request to %s", host);
	}
	CURLcode cc = curl_easy_perform(c->curl);
	long status = 0, request_size = 0;
	curl_off_t uploaded = 0;
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->curl, CURLINFO_REQUEST_SIZE, &request_size);
	curl_easy_getinfo(c->curl, CURLINFO_SIZE_UPLOAD_T, &uploaded);
	r->request_sent = request_size > 0 &&
			  (!rq->body || (curl_off_t)rq->body_len <= uploaded);
	/* Nothing the handle points at (headers with the token, buffers on this
	 * stack) may outlive this call; reset keeps the open connection. */
	curl_easy_reset(c->curl);
	headers_free(headers);
	if (cc != CURLE_OK) {
		const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(cc);
		rc = transfer_error(cc, &t, rq, host, detail, err);
		sbuf_free(&r->body);
		return rc;
	}
	r->status = status;
	if (!r->body.buf && sbuf_append(&r->body, "", 0))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	return EBB_OK;
}

/* ---- retries -------------------------------------------------------------- */

static long pol_or(long v, long dflt)
{
	return v > 0 ? v : dflt;
}

static int retryable_status(long status)
{
	return status == 408 || status == 429 || (status >= 500 && status <= 599 &&
						  status != 501 && status != 505);
}

long net_retry_delay(const struct net_retry *pol, int attempt, long waited_ms, int rc,
		     long status, long server_delay_ms, uint32_t rnd)
{
	static const struct net_retry defaults = {0};
	if (!pol)
		pol = &defaults;
	int max_attempts = pol->max_attempts > 0 ? pol->max_attempts : NET_DEFAULT_ATTEMPTS;
	long base = pol_or(pol->base_delay_ms, NET_DEFAULT_BASE_MS);
	long max_delay = pol_or(pol->max_delay_ms, NET_DEFAULT_MAX_DELAY_MS);
	long max_server = pol_or(pol->max_server_delay_ms, NET_DEFAULT_MAX_SERVER_MS);
	long max_total = pol_or(pol->max_total_ms, NET_DEFAULT_MAX_TOTAL_MS);
	if (rc == EBB_OK) {
		if (!retryable_status(status))
			return -1;
	} else if (rc != EBB_ENET && rc != EBB_ETIMEOUT) {
		return -1;   /* TLS, URL, size, memory: trying again changes nothing */
	}
	if (attempt < 1 || attempt >= max_attempts)
		return -1;
	long delay;
	if (rc == EBB_OK && (status == 429 || status == 503) && server_delay_ms >= 0) {
		if (server_delay_ms > max_server)
			return -1;
		delay = server_delay_ms;
	} else {
		/* base * 2^(attempt-1), capped; then "equal jitter": half fixed,
		 * half random, so clients that failed together do not retry together. */
		delay = base;
		for (int i = 1; i < attempt && delay < max_delay; i++)
			delay *= 2;
		if (delay > max_delay)
			delay = max_delay;
		long half = delay / 2;
		delay = half + (long)(rnd % (uint32_t)(delay - half + 1));
	}
	if (waited_ms < 0 || delay > max_total - waited_ms)
		return -1;
	return delay;
}

/* Sleeps in slices so a cancel (net_mail_cancel) ends the wait soon. */
static int default_sleep(void *ctx, long ms)
{
	(void)ctx;
	while (ms > 0 && !net_mail_cancelled()) {
		long slice = ms < 200 ? ms : 200;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = slice * 1000000L};
		while (nanosleep(&ts, &ts) && errno == EINTR && !net_mail_cancelled())
			;
		ms -= slice;
	}
	return net_mail_cancelled();
}

static uint32_t next_random(uint32_t *state)
{
	/* xorshift32: only spreads retries, nothing secret depends on it. */
	uint32_t x = *state ? *state : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

int net_request_retry(struct net_client *c, const struct net_request *rq,
		      const struct net_retry *pol, struct net_response *r, struct ebb_err *err)
{
	static const struct net_retry defaults = {0};
	if (!pol)
		pol = &defaults;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint32_t seed = (uint32_t)now.tv_nsec ^ (uint32_t)(uintptr_t)r;
	long waited = 0;
	for (int attempt = 1;; attempt++) {
		int rc = net_request(c, rq, r, err);
		r->attempts = attempt;
		r->waited_ms = waited;
		long server_delay = -1;
		if (rc == EBB_OK && (r->status == 429 || r->status == 503)) {
			server_delay = r->retry_after_ms;
			long from_body = pol->body_delay_ms ? pol->body_delay_ms(pol->ctx, r) : -1;
			if (from_body > server_delay)
				server_delay = from_body;
		}
		long delay = net_mail_cancelled() ? -1
			     : net_retry_delay(pol, attempt, waited, rc, r->status, server_delay,
					       next_random(&seed));
		if (delay < 0) {
			if (rc && attempt > 1 && err) {
				size_t len = strnlen(err->msg, sizeof err->msg);
				snprintf(err->msg + len, sizeof err->msg - len, " (%d attempts)",
					 attempt);
			}
			return rc;
		}
		int (*sleep_fn)(void *, long) = pol->sleep_ms ? pol->sleep_ms : default_sleep;
		if (sleep_fn(pol->ctx, delay))
			return rc;
		waited += delay;
	}
}

int net_parse_retry_after(const char *value, time_t now, long *ms)
{
	while (*value == ' ' || *value == '\t')
		value++;
	if (*value >= '0' && *value <= '9') {
		long long secs = 0;
		const char *p = value;
		for (; *p >= '0' && *p <= '9'; p++) {
			secs = secs * 10 + (*p - '0');
			if (secs > NET_MAX_RETRY_AFTER_MS / 1000)
				secs = NET_MAX_RETRY_AFTER_MS / 1000;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return EBB_EPARSE;
		*ms = (long)(secs * 1000);
		return EBB_OK;
	}
	time_t at = curl_getdate(value, NULL);
	if (at == (time_t)-1)
		return EBB_EPARSE;
	long long diff = (long long)at - (long long)now;
	if (diff < 0)
		diff = 0;
	if (diff > NET_MAX_RETRY_AFTER_MS / 1000)
		diff = NET_MAX_RETRY_AFTER_MS / 1000;
	*ms = (long)(diff * 1000);
	return EBB_OK;
}
