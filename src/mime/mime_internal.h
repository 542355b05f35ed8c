/* mime/mime_internal: helpers shared by the files of the mime module only:
 * the one set of GMime parser options and the UTF-8 cleaning every output
 * string goes through. */
#ifndef EBB_MIME_INTERNAL_H
#define EBB_MIME_INTERNAL_H

#include <stddef.h>

#include <gmime/gmime.h>

#include "ebb/util.h"

/* Raw header values longer than this are cut before decoding: no useful
 * subject or address list is that long, and hostile ones are. */
#define MIME_MAX_HEADER (64u * 1024)

/* Parser options shared read-only by every thread (initialises GMime on
 * first use). Never NULL after mime_init. */
GMimeParserOptions *mime_options(void);

/* Appends s[0..n) to sb as valid UTF-8: invalid or truncated sequences
 * become U+FFFD, NUL bytes are dropped. Returns 0 or EBB_ENOMEM. */
int mime_append_clean(struct sbuf *sb, const char *s, size_t n);
/* A malloc'd valid UTF-8 copy of s[0..n); NULL only on ENOMEM. */
char *mime_dup_clean(const char *s, size_t n);
/* The text of html from the user's html_cmd, or NULL when none is set or
 * it failed (then the built-in converter is used). */
char *mime_html_external(const char *html, size_t len);
/* Length of the longest prefix of s[0..n) that ends on a UTF-8 boundary. */
size_t mime_utf8_cut(const char *s, size_t n);

/* The choices mime_parse makes while walking parts, shared with
 * mime_attachment_extract so both count attachments alike. */
int mime_type_is(GMimeObject *obj, const char *type, const char *subtype);
int mime_is_attachment(GMimeObject *obj);
/* Inline text/plain or text/html: part of what the sender wrote; *html
 * says which. */
int mime_is_body_text(GMimeObject *obj, int *html);
/* A stream of the part's content with its transfer encoding undone (the
 * caller unrefs it), or NULL when the part has no content. */
GMimeStream *mime_part_decoder(GMimePart *part);
/* The children of a multipart/alternative worth trying, best first: the
 * first inline text/plain, the first inline text/html, the first nested
 * multipart; NULL where there is none. */
void mime_alternative_order(GMimeMultipart *mp, GMimeObject *order[3]);

#endif
