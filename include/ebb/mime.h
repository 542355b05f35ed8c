/* mime: reading mail with GMime. Turns raw RFC 5322 bytes into decoded
 * headers, one text body and a list of attachments. Input is hostile:
 * every size and depth is bounded and nothing here trusts a header. */
#ifndef EBB_MIME_H
#define EBB_MIME_H

#include <stddef.h>
#include <time.h>

#include "ebb/util.h"

#define MIME_MAX_MESSAGE (64u * 1024 * 1024)  /* bytes of one message */
#define MIME_MAX_DEPTH 32                      /* multipart nesting */
#define MIME_MAX_PARTS 1000
#define MIME_MAX_TEXT (4u * 1024 * 1024)       /* bytes of decoded body text kept */
#define MIME_MAX_LIST_ID 255                   /* bytes of a List-Id id */

/* Call once from main before threads start (g_mime_init). Idempotent. */
void mime_init(void);
void mime_shutdown(void);

struct mime_attachment {
	char *filename;      /* decoded, may be NULL */
	char *content_type;  /* "application/pdf" */
	size_t size;         /* decoded size in bytes */
};

struct mime_message {
	char *msgid;         /* without <>; NULL when missing */
	char *in_reply_to;   /* first id, without <>; NULL when missing */
	char *references;    /* ids separated by single spaces, oldest first (the
				first and the last 99 when longer); NULL when missing */
	char *from_addr;     /* lower-cased bare address, "" when missing */
	char *from_name;     /* decoded display name, "" when missing */
	char *to;            /* decoded To for display: "Ann <a@x>, b@y"; "" when missing */
	char *to_addrs;      /* lower-cased bare addresses joined by "," (no
				spaces): "a@x,b@y"; "" when missing */
	char *cc;            /* like to */
	char *cc_addrs;      /* like to_addrs */
	char *subject;       /* decoded, valid UTF-8, "" when missing */
	char *list_id;       /* the id of List-Id as mime_list_id reads it, NULL
				when not a list message */
	time_t date;         /* Date header, 0 when missing or unparsable */
	char *text;          /* chosen body as UTF-8 text, LF line ends; "" when
				there is none. Never NULL. */
	int text_from_html;  /* body was HTML converted to text */
	struct mime_attachment *att;
	size_t natt;
};

/* Parses a whole message. Malformed input still yields what could be read;
 * only an empty, over-large or unparsable message is an error. */
int mime_parse(const char *data, size_t len, struct mime_message **out, struct ebb_err *err);
void mime_message_free(struct mime_message *m);
/* Reads only the header fields mime_message holds from a header block (an
 * IMAP header fetch): the same values mime_parse gives for them, without
 * building a whole message; text is "" and there are no attachments. */
int mime_parse_headers(const char *data, size_t len, struct mime_message **out,
		       struct ebb_err *err);

/* Decodes one raw header value: RFC 2047 words in any charset, raw 8-bit
 * bytes (tried as UTF-8, then as windows-1252), folding removed. Always
 * returns valid UTF-8; NULL only on ENOMEM. */
char *mime_decode_header(const char *raw, size_t len);
/* The id of a raw List-Id header value (RFC 2919): "Dev talk <dev.example.org>"
 * gives "dev.example.org". The id is the part inside the last <...>; a value
 * without brackets counts only when it is one bare id ("dev.example.org",
 * as lists written before RFC 2919 send it). The id must contain a dot, be
 * at most MIME_MAX_LIST_ID bytes of printable ASCII without spaces, and is
 * lower-cased (ids compare without case). Anything else (an unterminated
 * '<', control bytes, an empty or overlong id) is no id: EBB_ENOENT with
 * out = "". outsz must leave room for the id and its NUL
 * (MIME_MAX_LIST_ID + 1 always does). */
int mime_list_id(const char *value, size_t len, char *out, size_t outsz);
/* Converts bytes in a named charset to UTF-8, replacing what cannot be
 * converted with U+FFFD. Unknown charsets fall back to windows-1252. */
char *mime_to_utf8(const char *data, size_t len, const char *charset);
/* Built-in HTML to text: drops script/style, turns block elements into line
 * breaks, decodes entities, keeps link targets as " <url>". */
char *mime_html_to_text(const char *html, size_t len);
/* Uses an external HTML-to-text command (e.g. "w3m -dump -T text/html",
 * "lynx -dump -stdin") instead of the built-in converter: the HTML goes to
 * its stdin, its stdout (bounded, 5 s at most) becomes the text, and the
 * built-in converter takes over when it fails. Set once before threads
 * start (main does it from html_cmd in [general]); NULL = built-in only. */
int mime_set_html_command(const char *cmd);

/* First meaningful line(s) of a body, quotes and signatures skipped, single
 * spaced, at most outlen-1 bytes, cut on a UTF-8 boundary. */
void mime_snippet(const char *text, char *out, size_t outlen);

/* ---- writing ------------------------------------------------------------
 * An outgoing message: From/To/Cc/Subject encoded as RFC 2047 where needed,
 * a text/plain UTF-8 body in 7-bit-safe transfer encoding, Date and the
 * given Message-ID, In-Reply-To/References for replies. LF line ends (the
 * SMTP transport turns them into CRLF). */
struct mime_draft {
	const char *from;         /* "Sam Rivera <sam@example.com>" */
	const char *to;           /* comma-separated addresses */
	const char *cc;           /* may be NULL */
	const char *subject;
	const char *body;         /* UTF-8 text */
	const char *in_reply_to;  /* id without <>, may be NULL */
	const char *references;   /* space-separated ids without <>, may be NULL */
	const char *msgid;        /* id without <> (mime_new_msgid) */
	time_t date;
	long gmtoff;              /* offset of the Date header, seconds east of UTC */
};
int mime_build(const struct mime_draft *d, char **out, size_t *len, struct ebb_err *err);
/* A fresh, unguessable Message-ID (without <>) in the domain of from_addr. */
int mime_new_msgid(const char *from_addr, char *out, size_t outlen);

/* ---- attachments (mime/attach.c) -----------------------------------------
 * The decoded bytes of attachment `index` (0-based, the order of
 * mime_parse's att list) of a raw message; *out is malloc'd (at most
 * MIME_MAX_MESSAGE bytes). EBB_ENOENT when there is no such attachment. */
int mime_attachment_extract(const char *data, size_t len, size_t index, char **out,
			    size_t *outlen, struct ebb_err *err);

#endif
