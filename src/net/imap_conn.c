/* net/imap_conn: an IMAP connection for providers/imap. libcurl connects,
 * does TLS or STARTTLS and logs in (CURLOPT_CONNECT_ONLY); after that ebb
 * speaks IMAP itself through curl_easy_send/curl_easy_recv. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail_int.h"

#define SLICE_MS 1000   /* longest poll, so a cancel is seen within a second */

struct net_imap {
	CURL *curl;
	curl_socket_t fd;
	char host[256];
	long port;
	long timeout_ms;
};

static volatile sig_atomic_t cancelled;

void net_mail_cancel(void)
{
	cancelled = 1;
}

int net_mail_cancelled(void)
{
	return cancelled != 0;
}

int net_mail_transient(int rc)
{
	return rc == EBB_ENET || rc == EBB_ETIMEOUT;
}

long net_mail_timeout(const struct net_mail_login *l)
{
	if (l && l->timeout_ms > 0)
		return l->timeout_ms;
	const char *env = getenv("EBB_NET_TIMEOUT");
	if (env && *env) {
		char *end;
		long s = strtol(env, &end, 10);
		if (!*end && s > 0 && s <= 3600)
			return s * 1000;
	}
	return NET_MAIL_TIMEOUT_MS;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- what the server said during login ------------------------------------ */

void net_mail_trace_line(struct net_mail_trace *t, const char *data, size_t size)
{
	while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	const char *line = data;
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == '\n')
			line = data + i + 1;
	size_t n = size - (size_t)(line - data);
	char raw[sizeof t->last_in];
	if (n >= sizeof raw)
		n = sizeof raw - 1;
	memcpy(raw, line, n);
	raw[n] = '\0';
	net_clean_text(raw, t->last_in, sizeof t->last_in);
}

static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	(void)h;
	/* Only what the server sent: what ebb sends holds the password. */
	if (type == CURLINFO_HEADER_IN && size)
		net_mail_trace_line(userp, data, size);
	return 0;
}

void net_mail_trace_install(CURL *h, struct net_mail_trace *t)
{
	t->last_in[0] = '\0';
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, t);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
}

/* "[AUTHENTICATIONFAILED]" of "a3 NO [AUTHENTICATIONFAILED] Authentication
 * failed." or the SMTP code "535" of "535 5.7.8 Bad credentials". */
static void response_code(const char *line, char *out, size_t outlen)
{
	out[0] = '\0';
	const char *open = strchr(line, '[');
	const char *close = open ? strchr(open, ']') : NULL;
	if (open && close && close > open + 1) {
		size_t n = (size_t)(close - open - 1);
		if (n >= outlen)
			n = outlen - 1;
		memcpy(out, open + 1, n);
		out[n] = '\0';
		char *space = strchr(out, ' ');
		if (space)
			*space = '\0';
		return;
	}
	if (line[0] >= '2' && line[0] <= '5' && strlen(line) >= 3)
		snprintf(out, outlen, "%.3s", line);
}

int net_mail_curl_err(CURL *h, CURLcode rc, const char *errbuf, const struct net_mail_trace *t,
		      const struct net_mail_login *l, const char *host, long port,
		      struct ebb_err *err)
{
	char detail[256];
	net_clean_text(errbuf && errbuf[0] ? errbuf : curl_easy_strerror(rc), detail,
		       sizeof detail);
	long timeout_s = net_mail_timeout(l) / 1000;
	long os_errno = 0;
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
	char code[64];
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return ebb_err_set(err, EBB_ENET, "cannot find the host %s (check host =)", host);
	case CURLE_COULDNT_CONNECT:
		if (os_errno == ECONNREFUSED)
			return ebb_err_set(err, EBB_ENET, "connection refused by %s:%ld (is the server "
					   "running? check host and port)", host, port);
		return ebb_err_set(err, EBB_ENET, "cannot connect to %s:%ld: %s", host, port,
				   os_errno ? strerror((int)os_errno) : detail);
	case CURLE_OPERATION_TIMEDOUT:
		return ebb_err_set(err, EBB_ETIMEOUT, "timed out after %ld s waiting for %s:%ld",
				   timeout_s, host, port);
	case CURLE_PEER_FAILED_VERIFICATION:
		return ebb_err_set(err, EBB_ETLS, "the certificate of %s is not trusted (set "
				   "ca_file?): %s", host, detail);
	case CURLE_SSL_CACERT_BADFILE:
		return ebb_err_set(err, EBB_ETLS, "cannot use ca_file %s: %s",
				   l && l->ca_file ? l->ca_file : "(none)", detail);
	case CURLE_SSL_CONNECT_ERROR:
		return ebb_err_set(err, EBB_ETLS, "the TLS handshake with %s:%ld failed (does that "
				   "port speak TLS? check tls = and port =): %s", host, port, detail);
	case CURLE_USE_SSL_FAILED:
		return ebb_err_set(err, EBB_ETLS, "%s:%ld does not offer STARTTLS, and ebb does not "
				   "log in without TLS (use tls = implicit with its TLS port)", host,
				   port);
	case CURLE_LOGIN_DENIED:
		response_code(t ? t->last_in : "", code, sizeof code);
		return ebb_err_set(err, EBB_EAUTH, "the server rejected the login%s%s%s; check user "
				   "and %s", code[0] ? " (" : "", code, code[0] ? ")" : "",
				   l && l->bearer ? "oauth_token_cmd" : "password_cmd");
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_WEIRD_SERVER_REPLY:
		if (t && t->last_in[0])
			return ebb_err_set(err, EBB_ENET, "the connection to %s:%ld was lost (last "
					   "from the server: \"%s\"): %s", host, port, t->last_in,
					   detail);
		return ebb_err_set(err, EBB_ENET, "the connection to %s:%ld was lost: %s", host,
				   port, detail);
	case CURLE_OUT_OF_MEMORY:
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	default:
		return ebb_err_set(err, EBB_ENET, "cannot talk to %s:%ld: %s", host, port, detail);
	}
}

/* ---- the connection --------------------------------------------------------- */

static int is_loopback(const char *host)
{
	return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "::1") ||
	       !strcmp(host, "[::1]");
}

static int build_url(const char *scheme, const char *host, long port, char **out,
		     struct ebb_err *err)
{
	*out = NULL;
	CURLU *u = curl_url();
	if (!u)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	char bracketed[300];
	const char *h = host;
	if (strchr(host, ':') && host[0] != '[') {
		snprintf(bracketed, sizeof bracketed, "[%s]", host);
		h = bracketed;
	}
	char portstr[16];
	snprintf(portstr, sizeof portstr, "%ld", port);
	int rc = EBB_OK;
	if (curl_url_set(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_HOST, h, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PORT, portstr, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, out, 0) != CURLUE_OK) {
		char shown[128];
		net_clean_text(host, shown, sizeof shown);
		rc = ebb_err_set(err, EBB_EINVAL, "host = %s is not a host name or address", shown);
	}
	curl_url_cleanup(u);
	return rc;
}

int net_imap_connect(const struct net_mail_login *l, struct net_imap **out,
		     struct ebb_err *err)
{
	*out = NULL;
	if (!l->host || !l->host[0] || !l->user)
		return ebb_err_set(err, EBB_EINVAL, "an IMAP account needs host and user");
	if (strlen(l->host) >= sizeof ((struct net_imap *)0)->host)
		return ebb_err_set(err, EBB_EINVAL, "host = is too long");
	const char *tls = l->tls ? l->tls : "implicit";
	int implicit = !strcmp(tls, "implicit"), starttls = !strcmp(tls, "starttls");
	if (!implicit && !starttls && strcmp(tls, "off"))
		return ebb_err_set(err, EBB_EINVAL, "tls = %s: expected implicit, starttls or off",
				   tls);
	if (!implicit && !starttls && !is_loopback(l->host))
		return ebb_err_set(err, EBB_EINVAL, "tls = off is only allowed for localhost");
	struct net_imap *c = calloc(1, sizeof *c);
	if (!c)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	snprintf(c->host, sizeof c->host, "%s", l->host);
	c->port = l->port > 0 ? l->port : implicit ? 993 : 143;
	c->timeout_ms = net_mail_timeout(l);
	c->fd = CURL_SOCKET_BAD;
	char *url = NULL;
	int rc = build_url(implicit ? "imaps" : "imap", l->host, c->port, &url, err);
	if (rc) {
		free(c);
		return rc;
	}
	c->curl = curl_easy_init();
	if (!c->curl) {
		curl_free(url);
		free(c);
		return ebb_err_set(err, EBB_ENOMEM, "cannot start libcurl (out of memory?)");
	}
	CURL *h = c->curl;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct net_mail_trace trace;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	/* Greeting, CAPABILITY, STARTTLS and login together. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2 * c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, (c->timeout_ms + 999) / 1000);
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(implicit || starttls ? CURLUSESSL_ALL
							       : CURLUSESSL_NONE));
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (l->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, l->ca_file);
	curl_easy_setopt(h, CURLOPT_USERNAME, l->user);
	if (l->bearer)
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, l->bearer);
	else if (l->password)
		curl_easy_setopt(h, CURLOPT_PASSWORD, l->password);
	net_mail_trace_install(h, &trace);
	CURLcode cr = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
	/* The secrets stay in curl's handle only as long as needed. */
	curl_easy_setopt(h, CURLOPT_PASSWORD, "");
	curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, NULL);
	curl_free(url);
	if (cr != CURLE_OK) {
		rc = net_mail_curl_err(h, cr, errbuf, &trace, l, c->host, c->port, err);
		net_imap_close(c);
		return rc;
	}
	if (curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &c->fd) != CURLE_OK ||
	    c->fd == CURL_SOCKET_BAD) {
		net_imap_close(c);
		return ebb_err_set(err, EBB_ENET, "the connection to %s:%ld closed after the login",
				   l->host, (long)(l->port > 0 ? l->port : implicit ? 993 : 143));
	}
	*out = c;
	return EBB_OK;
}

void net_imap_close(struct net_imap *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c);
}

/* Waits until fd is ready for events or the deadline passes, a second at a
 * time so that net_mail_cancel is noticed. */
static int wait_fd(struct net_imap *c, short events, long deadline, long timeout_ms,
		   struct ebb_err *err)
{
	for (;;) {
		if (cancelled)
			return ebb_err_set(err, EBB_ETIMEOUT, "interrupted");
		long left = deadline - now_ms();
		if (left <= 0)
			return ebb_err_set(err, EBB_ETIMEOUT, "timed out after %ld s waiting for %s",
					   (timeout_ms + 999) / 1000, c->host);
		struct pollfd pfd = {.fd = c->fd, .events = events};
		int n = poll(&pfd, 1, (int)(left < SLICE_MS ? left : SLICE_MS));
		if (n < 0 && errno != EINTR)
			return ebb_err_set(err, EBB_ENET, "cannot wait for %s: %s", c->host,
					   strerror(errno));
		if (n > 0)
			return EBB_OK;
	}
}

int net_imap_send(struct net_imap *c, const void *data, size_t len, struct ebb_err *err)
{
	const char *p = data;
	long deadline = now_ms() + c->timeout_ms;
	while (len) {
		size_t sent = 0;
		CURLcode cr = curl_easy_send(c->curl, p, len, &sent);
		if (cr == CURLE_OK) {
			p += sent;
			len -= sent;
			deadline = now_ms() + c->timeout_ms;  /* progress: the clock starts again */
			continue;
		}
		if (cr != CURLE_AGAIN)
			return ebb_err_set(err, EBB_ENET, "the connection to %s was lost while sending: "
					   "%s", c->host, curl_easy_strerror(cr));
		int rc = wait_fd(c, POLLOUT, deadline, c->timeout_ms, err);
		if (rc)
			return rc;
	}
	return EBB_OK;
}

int net_imap_recv(struct net_imap *c, void *buf, size_t cap, size_t *got, long timeout_ms,
		  struct ebb_err *err)
{
	*got = 0;
	if (timeout_ms <= 0)
		timeout_ms = c->timeout_ms;
	long deadline = now_ms() + timeout_ms;
	for (;;) {
		/* Read first: TLS may hold decrypted bytes the socket does not show. */
		size_t n = 0;
		CURLcode cr = curl_easy_recv(c->curl, buf, cap, &n);
		if (cr == CURLE_OK) {
			if (!n)
				return ebb_err_set(err, EBB_ENET, "%s closed the connection", c->host);
			*got = n;
			return EBB_OK;
		}
		if (cr != CURLE_AGAIN)
			return ebb_err_set(err, EBB_ENET, "the connection to %s was lost: %s", c->host,
					   curl_easy_strerror(cr));
		int rc = wait_fd(c, POLLIN, deadline, timeout_ms, err);
		if (rc)
			return rc;
	}
}
