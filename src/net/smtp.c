/* net/smtp: sends one message with libcurl's SMTP (smtps://, or smtp:// with
 * STARTTLS required) and tells a certain failure from an uncertain one: only
 * a connection lost after the whole message went out may have delivered it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail_int.h"

struct upload {
	const char *data;         /* CRLF line ends */
	size_t len, off;
	int eof;                  /* curl asked past the end: the final dot follows */
	int reply_after_eof;      /* and the server answered it */
	char reply[256];          /* that answer */
	struct net_mail_trace trace;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *userp)
{
	struct upload *u = userp;
	size_t want = size * nitems, left = u->len - u->off;
	if (!left) {
		u->eof = 1;
		return 0;
	}
	if (want > left)
		want = left;
	memcpy(buf, u->data + u->off, want);
	u->off += want;
	return want;
}

static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	(void)h;
	struct upload *u = userp;
	/* Only what the server sent: what ebb sends holds the password. */
	if (type != CURLINFO_HEADER_IN || !size)
		return 0;
	net_mail_trace_line(&u->trace, data, size);
	if (u->eof) {
		u->reply_after_eof = 1;
		snprintf(u->reply, sizeof u->reply, "%s", u->trace.last_in);
	}
	return 0;
}

/* Lone LF becomes CRLF; CRLF stays. (Dot-stuffing is libcurl's job.) */
static int to_crlf(const char *in, size_t len, struct sbuf *out)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '\n' || (i && in[i - 1] == '\r'))
			continue;
		if (sbuf_append(out, in + start, i - start) || sbuf_append(out, "\r\n", 2))
			return EBB_ENOMEM;
		start = i + 1;
	}
	if (sbuf_append(out, in + start, len - start))
		return EBB_ENOMEM;
	return EBB_OK;
}

/* An envelope address goes into "MAIL FROM:<...>": nothing that could end
 * the command or the brackets. */
static int envelope_ok(const char *addr)
{
	if (!addr || !addr[0] || strlen(addr) > 320)
		return 0;
	for (const char *p = addr; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == 0x7f)
			return 0;
	return 1;
}

static int url_parts(const char *url, int *implicit, char *host, size_t hostlen, long *port,
		     struct ebb_err *err)
{
	char shown[128];
	net_clean_text(url ? url : "", shown, sizeof shown);
	CURLU *u = curl_url();
	if (!u)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	char *scheme = NULL, *h = NULL, *p = NULL, *user = NULL;
	int rc = EBB_OK;
	if (!url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    (strcmp(scheme, "smtps") && strcmp(scheme, "smtp"))) {
		rc = ebb_err_set(err, EBB_EINVAL, "smtp_url = %s: expected smtps://HOST[:PORT] or "
				 "smtp://HOST[:PORT] (STARTTLS)", shown);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		rc = ebb_err_set(err, EBB_EINVAL, "smtp_url holds a user name; use user = and "
				 "password_cmd = instead");
		goto out;
	}
	*implicit = !strcmp(scheme, "smtps");
	snprintf(host, hostlen, "%s", h);
	*port = *implicit ? 465 : 25;
	if (curl_url_get(u, CURLUPART_PORT, &p, 0) == CURLUE_OK)
		*port = strtol(p, NULL, 10);
out:
	curl_free(scheme);
	curl_free(h);
	curl_free(p);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

int net_smtp_send(const char *url, const struct net_mail_login *l, const struct net_smtp_msg *m,
		  int *uncertain, struct ebb_err *err)
{
	*uncertain = 0;
	int implicit = 0;
	char host[256];
	long port = 0;
	int rc = url_parts(url, &implicit, host, sizeof host, &port, err);
	if (rc)
		return rc;
	if (!envelope_ok(m->from))
		return ebb_err_set(err, EBB_EINVAL, "the sender address \"%s\" cannot be used for SMTP",
				   m->from ? m->from : "");
	if (!m->nrcpt)
		return ebb_err_set(err, EBB_EINVAL, "the message has no recipients");
	struct curl_slist *rcpt = NULL;
	char addr[330];
	for (size_t i = 0; i < m->nrcpt; i++) {
		if (!envelope_ok(m->rcpt[i])) {
			curl_slist_free_all(rcpt);
			return ebb_err_set(err, EBB_EINVAL, "the recipient address \"%.100s\" cannot be "
					   "used for SMTP", m->rcpt[i]);
		}
		snprintf(addr, sizeof addr, "<%s>", m->rcpt[i]);
		struct curl_slist *n = curl_slist_append(rcpt, addr);
		if (!n) {
			curl_slist_free_all(rcpt);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory");
		}
		rcpt = n;
	}
	struct sbuf body = {0};
	CURL *h = NULL;
	if (to_crlf(m->data, m->len, &body) || !(h = curl_easy_init())) {
		sbuf_free(&body);
		curl_slist_free_all(rcpt);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	struct upload up = {.data = body.buf ? body.buf : "", .len = body.len};
	char errbuf[CURL_ERROR_SIZE] = "";
	long timeout_ms = net_mail_timeout(l);
	snprintf(addr, sizeof addr, "<%s>", m->from);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (l && l->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, l->ca_file);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, (timeout_ms + 999) / 1000);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (timeout_ms + 999) / 1000);
	if (l && l->user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, l->user);
		if (l->bearer)
			curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, l->bearer);
		else if (l->password)
			curl_easy_setopt(h, CURLOPT_PASSWORD, l->password);
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	/* No size given: curl reads until read_cb says the end, which is how
	 * up.eof learns that the final dot is about to go. */
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &up);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	CURLcode cr = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (cr == CURLE_OK) {
		rc = EBB_OK;
	} else if (up.eof && !up.reply_after_eof && cr != CURLE_OUT_OF_MEMORY) {
		/* The final dot went out and no answer came back. */
		*uncertain = 1;
		rc = ebb_err_set(err, cr == CURLE_OPERATION_TIMEDOUT ? EBB_ETIMEOUT : EBB_ENET,
				 "the connection to %s:%ld was lost after the whole message was sent, "
				 "so it may or may not have been accepted; check the recipient's "
				 "mailbox before sending it again", host, port);
	} else if (up.reply_after_eof && up.reply[0] >= '4' && up.reply[0] <= '5') {
		rc = ebb_err_set(err, EBB_EPROTO, "%s refused the message: %s", host, up.reply);
	} else if (code >= 400 && cr != CURLE_LOGIN_DENIED && up.trace.last_in[0]) {
		rc = ebb_err_set(err, EBB_EPROTO, "%s refused the message: %s", host,
				 up.trace.last_in);
	} else {
		rc = net_mail_curl_err(h, cr, errbuf, &up.trace, l, host, port, err);
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	sbuf_free(&body);
	return rc;
}
