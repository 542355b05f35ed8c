/* net: ebb's only door to libcurl for HTTP (Matrix, Slack), plus the retry
 * policy and the type-checked JSON accessors the HTTP providers share. */
#ifndef EBB_NET_H
#define EBB_NET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ebb/util.h"

struct cJSON;

#define NET_MAX_BODY (32u * 1024 * 1024)   /* default response bound */
#define NET_CONNECT_TIMEOUT_MS 10000
#define NET_TIMEOUT_MS 60000
#define NET_LOW_SPEED_SECONDS 30           /* abort below 1 byte/s for this long */

/* curl_global_init: call once from main before any thread starts. */
int net_init(struct ebb_err *err);
void net_shutdown(void);

/* One connection cache; use one per thread (a provider keeps one). */
struct net_client;
int net_client_new(struct net_client **out, struct ebb_err *err);
void net_client_free(struct net_client *c);

struct net_request {
	const char *method;          /* "GET" (NULL), "POST", "PUT", "DELETE" */
	const char *url;             /* https://, or http:// to a loopback host */
	const char *const *headers;  /* "Name: value" lines */
	size_t nheaders;
	const char *bearer;          /* sent as Authorization: Bearer; never logged */
	const char *body;            /* NULL = none */
	size_t body_len;
	const char *ca_file;         /* extra trust anchors, NULL = the system's */
	long connect_timeout_ms;     /* 0 = NET_CONNECT_TIMEOUT_MS */
	long timeout_ms;             /* whole transfer; 0 = NET_TIMEOUT_MS */
	long low_speed_seconds;      /* 0 = NET_LOW_SPEED_SECONDS; a long poll needs more */
	size_t max_body;             /* 0 = NET_MAX_BODY */
	const char *what;            /* names the request in errors: "matrix /sync" */
	/* A request that must never go twice (a Slack post): a new connection,
	 * because libcurl re-sends a request on its own when a reused
	 * connection dies before any answer. */
	int fresh_connect;
};

struct net_response {
	long status;                 /* HTTP status of the final response */
	struct sbuf body;            /* decoded (gzip undone), NUL-terminated */
	long retry_after_ms;         /* from Retry-After, -1 when absent */
	char content_type[128];
	int attempts;                /* requests made by net_request_retry */
	long waited_ms;              /* time it slept between them */
	/* The whole request went out (also when the transfer failed after):
	 * the server may have acted on it. 0 = it surely did not (refused). */
	int request_sent;
};
void net_response_free(struct net_response *r);

/* One request. EBB_OK whenever a whole HTTP response arrived, whatever its
 * status: the caller reads r->status. Transport failures: EBB_ENET
 * (refused, reset, dropped mid-body, DNS), EBB_ETIMEOUT, EBB_ETLS,
 * EBB_ETOOBIG (body over max_body), EBB_EINVAL (URL refused); err names the
 * host and the cause. r is reset first; free it with net_response_free. */
int net_request(struct net_client *c, const struct net_request *rq, struct net_response *r,
		struct ebb_err *err);

/* ---- retries ------------------------------------------------------------ */
struct net_retry {
	int max_attempts;            /* including the first; 0 = 5 */
	long base_delay_ms;          /* first backoff; 0 = 500 */
	long max_delay_ms;           /* one backoff at most; 0 = 30000 */
	long max_server_delay_ms;    /* longest Retry-After obeyed; 0 = 60000 */
	long max_total_ms;           /* all waits together; 0 = 120000 */
	/* A delay the body asks for (Matrix retry_after_ms); -1 = none. May be NULL. */
	long (*body_delay_ms)(void *ctx, const struct net_response *r);
	/* Waits ms; non-zero return cancels the retries (shutdown). NULL = nanosleep. */
	int (*sleep_ms)(void *ctx, long ms);
	void *ctx;
};

/* The policy as a pure function, for the retry loop and for tests:
 * `attempt` requests were made (>= 1), `waited_ms` slept so far, the last
 * one ended with rc and (when rc == EBB_OK) HTTP status, server_delay_ms is
 * what the server asked for (-1 = nothing) and rnd any random number.
 * Returns the milliseconds to wait before the next attempt, or -1 when the
 * outcome is final: success, a non-retryable error, attempts or time spent,
 * or a server asking to wait longer than max_server_delay_ms. Retried:
 * connection errors and timeouts, 5xx but 501/505, 408 and 429. 429 and 503
 * wait what the server asked, the rest back off exponentially with jitter
 * (between half and all of base * 2^(attempt-1), at most max_delay_ms). */
long net_retry_delay(const struct net_retry *pol, int attempt, long waited_ms, int rc,
		     long status, long server_delay_ms, uint32_t rnd);

/* net_request, repeated as net_retry_delay says. The outcome is that of the
 * last attempt; r->attempts and r->waited_ms tell how it went. pol may be NULL
 * for the defaults. */
int net_request_retry(struct net_client *c, const struct net_request *rq,
		      const struct net_retry *pol, struct net_response *r, struct ebb_err *err);

/* Retry-After: delta seconds or an HTTP date, relative to now. EBB_EPARSE
 * when it is neither; a date in the past is 0. */
int net_parse_retry_after(const char *value, time_t now, long *ms);

/* ---- URLs and text -------------------------------------------------------- */
/* Accepts https:// URLs, and http:// only to 127.0.0.0/8, ::1 or localhost;
 * no user or password in the URL. err says why not. host (may be NULL)
 * receives the host name for messages. */
int net_url_check(const char *url, char *host, size_t hostlen, struct ebb_err *err);
/* Appends s percent-encoded (everything but A-Z a-z 0-9 - . _ ~). */
int net_url_escape(struct sbuf *out, const char *s);
/* Copies text a server sent for use in an error sentence: printable ASCII
 * only (the rest becomes '?'), cut to outlen - 1 bytes. */
void net_clean_text(const char *in, char *out, size_t outlen);

/* ---- JSON ----------------------------------------------------------------
 * Server responses are hostile: every field is type-checked, and a missing
 * or mistyped field is an error sentence such as
 * `field "next_batch" is missing or not a string`, which the caller
 * prefixes with what it was reading ("matrix /sync: "). */
/* Parses exactly one JSON value from text[0..len); on failure err says
 * "malformed JSON at byte N". */
int json_parse(const char *text, size_t len, struct cJSON **out, struct ebb_err *err);

/* obj must be an object; the getters fail when key is missing or of another
 * type, the opt_ variants accept a missing key or null (leaving the
 * default) but still fail on another type. Strings point into obj. */
int json_get_string(const struct cJSON *obj, const char *key, const char **out,
		    struct ebb_err *err);
int json_opt_string(const struct cJSON *obj, const char *key, const char **out,
		    struct ebb_err *err);   /* default NULL */
int json_get_number(const struct cJSON *obj, const char *key, double *out, struct ebb_err *err);
int json_opt_number(const struct cJSON *obj, const char *key, double *out, struct ebb_err *err);
/* A whole number within +-2^53 (what JSON numbers hold exactly). */
int json_get_int(const struct cJSON *obj, const char *key, long long *out, struct ebb_err *err);
int json_opt_int(const struct cJSON *obj, const char *key, long long *out, struct ebb_err *err);
int json_get_bool(const struct cJSON *obj, const char *key, int *out, struct ebb_err *err);
int json_opt_bool(const struct cJSON *obj, const char *key, int *out, struct ebb_err *err);
int json_get_object(const struct cJSON *obj, const char *key, const struct cJSON **out,
		    struct ebb_err *err);
int json_opt_object(const struct cJSON *obj, const char *key, const struct cJSON **out,
		    struct ebb_err *err);   /* default NULL */
int json_get_array(const struct cJSON *obj, const char *key, const struct cJSON **out,
		   struct ebb_err *err);
int json_opt_array(const struct cJSON *obj, const char *key, const struct cJSON **out,
		   struct ebb_err *err);    /* default NULL */

/* ---- IMAP and SMTP (net/imap_conn.c, net/smtp.c) --------------------------
 * libcurl opens the connection, does TLS or STARTTLS and logs in; after that
 * IMAP is spoken by providers/imap over net_imap_send/net_imap_recv. TLS is
 * always verified. Secrets are never put into an error sentence. */
#define NET_MAIL_TIMEOUT_MS 30000  /* no progress for this long = timed out */

struct net_mail_login {
	const char *host;
	int port;                /* 0 = 993 for tls implicit, else 143 */
	const char *tls;         /* "implicit" (NULL), "starttls", "off" (loopback only) */
	const char *ca_file;     /* extra trust anchors, NULL = the system's */
	const char *user;
	const char *password;    /* NULL when bearer is set */
	const char *bearer;      /* OAuth 2 token for XOAUTH2, or NULL */
	long timeout_ms;         /* 0 = NET_MAIL_TIMEOUT_MS, or $EBB_NET_TIMEOUT seconds */
};

/* A logged-in IMAP connection with no mailbox selected. libcurl swallowed
 * the capabilities sent at login: ask again. Errors: EBB_ENET (refused,
 * lost), EBB_ETIMEOUT, EBB_ETLS (certificate, handshake, no STARTTLS),
 * EBB_EAUTH (login rejected, with the server's response code). */
struct net_imap;
int net_imap_connect(const struct net_mail_login *l, struct net_imap **out,
		     struct ebb_err *err);
/* Sends all of data (EBB_ENET, EBB_ETIMEOUT). */
int net_imap_send(struct net_imap *c, const void *data, size_t len, struct ebb_err *err);
/* Waits up to timeout_ms (<= 0: the connection's timeout) for bytes and
 * returns at least one in buf. The server closing is EBB_ENET. */
int net_imap_recv(struct net_imap *c, void *buf, size_t cap, size_t *got, long timeout_ms,
		  struct ebb_err *err);
void net_imap_close(struct net_imap *c);

/* Sends one message over SMTP: url is smtps://host[:port] or smtp://host[:port]
 * (STARTTLS required). LF line ends become CRLF. 0 = accepted. On failure
 * *uncertain is 1 only when the whole message went out and no answer came
 * (connection lost or timeout after the end of DATA): the server may have
 * taken it. Refused connection, TLS, login and any rejection are certain. */
struct net_smtp_msg {
	const char *from;        /* envelope sender, bare address */
	const char *const *rcpt; /* envelope recipients, bare addresses */
	size_t nrcpt;
	const char *data;        /* the RFC 5322 message */
	size_t len;
};
int net_smtp_send(const char *url, const struct net_mail_login *l, const struct net_smtp_msg *m,
		  int *uncertain, struct ebb_err *err);

/* Async-signal-safe: every IMAP and SMTP wait in the process gives up within
 * a second with EBB_ETIMEOUT ("interrupted"). For SIGINT/SIGTERM handlers. */
void net_mail_cancel(void);
/* True once net_mail_cancel was called. */
int net_mail_cancelled(void);
/* A failure worth another try soon: connection lost or refused mid-way, timeout. */
int net_mail_transient(int rc);

#endif
