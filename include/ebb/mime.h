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
	char *in_reply_to;   /* first id, without <> */
	char *references;    /* ids separated by single spaces, oldest first */
	char *from_addr;     /* lower-cased bare address, "" when missing */
	char *from_name;     /* decoded display name, "" when missing */
	char *to;            /* decoded To for display: "Ann <a@x>, b@y" */
	char *to_addrs;      /* lower-cased bare addresses, comma-separated */
	char *cc;
	char *cc_addrs;
	char *subject;       /* decoded, valid UTF-8, "" when missing */
	char *list_id;       /* List-Id, NULL when not a list message */
	time_t date;         /* Date header, 0 when missing or unparsable */
	char *text;          /* chosen body as UTF-8 text */
	int text_from_html;  /* body was HTML converted to text */
	struct mime_attachment *att;
	size_t natt;
};

/* Parses a whole message. Malformed input still yields what could be read;
 * only an empty, over-large or unparsable message is an error. */
int mime_parse(const char *data, size_t len, struct mime_message **out, struct ebb_err *err);
void mime_message_free(struct mime_message *m);

/* Decodes one raw header value: RFC 2047 words in any charset, raw 8-bit
 * bytes (tried as UTF-8, then as windows-1252), folding removed. Always
 * returns valid UTF-8; NULL only on ENOMEM. */
char *mime_decode_header(const char *raw, size_t len);
/* Converts bytes in a named charset to UTF-8, replacing what cannot be
 * converted with U+FFFD. Unknown charsets fall back to windows-1252. */
char *mime_to_utf8(const char *data, size_t len, const char *charset);
/* Built-in HTML to text: drops script/style, turns block elements into line
 * breaks, decodes entities, keeps link targets as " <url>". */
char *mime_html_to_text(const char *html, size_t len);
/* First meaningful line(s) of a body, quotes and signatures skipped, single
 * spaced, at most outlen-1 bytes, cut on a UTF-8 boundary. */
void mime_snippet(const char *text, char *out, size_t outlen);

#endif
