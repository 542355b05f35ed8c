/* net/mail_int: what net/imap_conn.c and net/smtp.c share: the timeout, the
 * cancel flag, curl's login errors turned into sentences. */
#ifndef EBB_NET_MAIL_INT_H
#define EBB_NET_MAIL_INT_H

#include <curl/curl.h>

#include "ebb/net.h"

/* The login's timeout, else $EBB_NET_TIMEOUT seconds, else the default. */
long net_mail_timeout(const struct net_mail_login *l);

/* The last line the server sent during curl's part of the session, kept by
 * a CURLOPT_DEBUGFUNCTION that never looks at what is sent (it holds the
 * password). */
struct net_mail_trace {
	char last_in[256];
};
void net_mail_trace_install(CURL *h, struct net_mail_trace *t);
/* Keeps the last line of data (what CURLINFO_HEADER_IN delivered), cleaned. */
void net_mail_trace_line(struct net_mail_trace *t, const char *data, size_t size);

/* Sets err from a failed curl_easy_perform of a connect or login, naming
 * host:port and the cause (l gives ca_file and whether a token was used). */
int net_mail_curl_err(CURL *h, CURLcode rc, const char *errbuf, const struct net_mail_trace *t,
		      const struct net_mail_login *l, const char *host, long port,
		      struct ebb_err *err);

#endif
