/* providers/imap_int: the IMAP session the IMAP provider's files share: one
 * logged-in connection (net/), ebb's own tags, commands and the parser. */
#ifndef EBB_PROVIDERS_IMAP_INT_H
#define EBB_PROVIDERS_IMAP_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "ebb/net.h"
#include "imap_parse.h"

/* Capabilities the provider acts on. */
enum {
	IMAP_CAP_IMAP4REV2 = 1u << 0,
	IMAP_CAP_LITERAL_PLUS = 1u << 1,
	IMAP_CAP_LITERAL_MINUS = 1u << 2,
	IMAP_CAP_CONDSTORE = 1u << 3,
	IMAP_CAP_QRESYNC = 1u << 4,
	IMAP_CAP_ENABLE = 1u << 5,
	IMAP_CAP_IDLE = 1u << 6,
	IMAP_CAP_MOVE = 1u << 7,
	IMAP_CAP_UIDPLUS = 1u << 8,
	IMAP_CAP_ESEARCH = 1u << 9,
	IMAP_CAP_LIST_EXTENDED = 1u << 10,
	IMAP_CAP_SPECIAL_USE = 1u << 11,
};

struct imap_session {
	struct net_imap *conn;
	struct imap_parser *parser;
	char *rbuf;                /* bytes received, not yet fed to the parser */
	size_t rpos, rlen;
	unsigned next_tag;
	char tag[16];              /* of the command in flight */
	unsigned caps;
	bool qresync;              /* ENABLE QRESYNC accepted */
	bool broken;               /* out of step or closed: reconnect before use */
	char *selected;            /* raw name of the selected mailbox, NULL = none */
	bool selected_rw;
	char bye[200];             /* text of an untagged BYE, "" when none */
	/* The tagged answer to the last command: its response code ("TRYCREATE",
	 * upper case, "" when none) and text, cleaned for messages. */
	char code[32];
	char text[200];
	FILE *log;                 /* $EBB_IMAP_LOG: every command's first line */
};

/* Called with every untagged response of a command; non-zero aborts it
 * (and drops the connection, which is then out of step). */
typedef int (*imap_untagged_fn)(void *ctx, const struct imap_response *r, struct ebb_err *err);

/* Connects, logs in (net/), asks for CAPABILITY and enables QRESYNC when
 * offered. s must be zeroed or closed before. */
int imap_session_open(struct imap_session *s, const struct net_mail_login *l,
		      struct ebb_err *err);
/* LOGOUT (when the session is healthy and logout is set), then closes. */
void imap_session_close(struct imap_session *s, bool logout);

/* Starts a command with a fresh tag of ebb's own ("e1", "e2"...); add the
 * rest with imap_cmd_*, then imap_session_run. */
int imap_session_begin(struct imap_session *s, struct imap_cmd *c, struct ebb_err *err);
/* Sends c (waiting for "+" at synchronising literals) and reads until its
 * tagged answer. EBB_OK for OK; EBB_EPROTO for NO or BAD with s->code and
 * s->text set and err saying "the server refused WHAT: text"; network
 * and parser errors mark the session broken. c is freed. */
int imap_session_run(struct imap_session *s, struct imap_cmd *c, const char *what,
		     imap_untagged_fn fn, void *ctx, struct ebb_err *err);
/* One response (for IDLE). EBB_ETIMEOUT when nothing came in timeout_ms;
 * the session stays usable then if no response was half read. */
int imap_session_read(struct imap_session *s, long timeout_ms, struct imap_response **out,
		      struct ebb_err *err);
/* Raw protocol text ebb writes itself ("DONE\r\n"). */
int imap_session_send(struct imap_session *s, const char *text, size_t len,
		      struct ebb_err *err);
/* SELECT or EXAMINE mailbox raw (as the server spells it). With extra NULL
 * a mailbox already selected that way is kept; otherwise it is selected
 * again and a non-empty extra appended ("(CONDSTORE)"). fn sees the
 * untagged data. */
int imap_session_select(struct imap_session *s, const char *raw, bool rw, const char *extra,
			imap_untagged_fn fn, void *ctx, struct ebb_err *err);

/* Message flags ebb keeps (MSG_*) from a FLAGS list. */
unsigned imap_flags_from_list(const struct imap_value *flags);

#endif
