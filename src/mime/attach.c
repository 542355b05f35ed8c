/* mime/attach: the decoded bytes of one attachment of a raw message, found
 * by walking the parts in the same order (and with the same choices) as
 * mime_parse lists them, so attachment N here is att[N] there. */
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "mime_internal.h"

struct find {
	size_t want;        /* index of the attachment asked for */
	size_t seen;        /* attachments passed so far */
	size_t nparts;
	GMimeObject *hit;   /* the part, once found (not owned) */
};

/* Undoes the transfer encoding of a leaf part into out, at most max bytes;
 * returns 0, EBB_ETOOBIG past max, EBB_ENOMEM. */
static int part_bytes(GMimePart *part, struct sbuf *out, size_t max)
{
	GMimeStream *filtered = mime_part_decoder(part);
	if (!filtered)
		return EBB_OK;
	char buf[8192];
	unsigned idle = 0;
	int rc = EBB_OK;
	for (;;) {
		ssize_t n = g_mime_stream_read(filtered, buf, sizeof(buf));
		if (n > 0) {
			idle = 0;
			if (out->len + (size_t)n > max) {
				rc = EBB_ETOOBIG;
				break;
			}
			if (sbuf_append(out, buf, (size_t)n)) {
				rc = EBB_ENOMEM;
				break;
			}
			continue;
		}
		/* a filter may swallow a whole read (white space in base64) */
		if (n < 0 || g_mime_stream_eos(filtered) || ++idle > (1u << 20))
			break;
	}
	g_object_unref(filtered);
	return rc;
}

/* Would mime_parse take any text from this body part? (It skips parts
 * that are empty or white space once decoded.) */
static int gives_text(GMimeObject *obj, int html)
{
	struct sbuf raw = { 0 };
	if (part_bytes(GMIME_PART(obj), &raw, MIME_MAX_TEXT) == EBB_ENOMEM) {
		sbuf_free(&raw);
		return 0;
	}
	const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
	char *u = mime_to_utf8(raw.buf ? raw.buf : "", raw.len, charset);
	sbuf_free(&raw);
	if (u && html) {
		char *plain = mime_html_to_text(u, strlen(u));
		free(u);
		u = plain;
	}
	int any = u && u[strspn(u, " \t\r\n")] != '\0';
	free(u);
	return any;
}

static int walk(struct find *f, GMimeObject *obj, int depth);

/* multipart/alternative: the first of plain, HTML, nested multipart that
 * gives text is walked; the others are not there for mime_parse. */
static int walk_alternative(struct find *f, GMimeMultipart *mp, int depth)
{
	GMimeObject *order[3];
	mime_alternative_order(mp, order);
	for (int i = 0; i < 3; i++) {
		if (order[i] && walk(f, order[i], depth + 1))
			return 1;
	}
	return 0;
}

static void count_attachment(struct find *f, GMimeObject *obj)
{
	if (!f->hit && f->seen == f->want)
		f->hit = obj;
	f->seen++;
}

/* Walks like mime_parse; returns 1 when the subtree gave body text. */
static int walk(struct find *f, GMimeObject *obj, int depth)
{
	if (!obj || depth >= MIME_MAX_DEPTH || f->nparts >= MIME_MAX_PARTS)
		return 0;
	f->nparts++;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		if (mime_type_is(obj, "multipart", "alternative"))
			return walk_alternative(f, mp, depth);
		if (mime_type_is(obj, "multipart", "signed"))
			return n > 0 ? walk(f, g_mime_multipart_get_part(mp, 0), depth + 1) : 0;
		int text = 0;
		for (int i = 0; i < n && f->nparts < MIME_MAX_PARTS; i++)
			text |= walk(f, g_mime_multipart_get_part(mp, i), depth + 1);
		return text;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		count_attachment(f, obj);
		return 0;
	}
	if (GMIME_IS_PART(obj)) {
		int html;
		if (mime_is_body_text(obj, &html))
			return gives_text(obj, html);
		count_attachment(f, obj);
	}
	return 0;
}

/* A forwarded message is saved as the message it carries. */
static int message_bytes(GMimeObject *obj, struct sbuf *out)
{
	GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	if (!inner)
		return EBB_OK;
	GMimeStream *mem = g_mime_stream_mem_new();
	ssize_t n = g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
	int rc = EBB_OK;
	if (n > 0) {
		GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		if ((size_t)bytes->len > MIME_MAX_MESSAGE)
			rc = EBB_ETOOBIG;
		else if (sbuf_append(out, (const char *)bytes->data, bytes->len))
			rc = EBB_ENOMEM;
	}
	g_object_unref(mem);
	return rc;
}

int mime_attachment_extract(const char *data, size_t len, size_t index, char **out,
			    size_t *outlen, struct ebb_err *err)
{
	*out = NULL;
	*outlen = 0;
	if (!data || len == 0)
		return ebb_err_set(err, EBB_EINVAL, "the message is empty");
	if (len > MIME_MAX_MESSAGE)
		return ebb_err_set(err, EBB_ETOOBIG, "the message is %zu bytes; ebb reads up to %u MiB",
				   len, MIME_MAX_MESSAGE / (1024 * 1024));
	/* An mbox "From " line on top is skipped as mime_parse does. */
	size_t skip = 0;
	if (len >= 5 && !memcmp(data, "From ", 5)) {
		const char *nl = memchr(data, '\n', len);
		skip = nl ? (size_t)(nl - data) + 1 : len;
	}
	if (skip == len)
		return ebb_err_set(err, EBB_EPARSE, "the message has no header");
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data + skip, len - skip);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, mime_options());
	g_object_unref(parser);
	if (!msg)
		return ebb_err_set(err, EBB_EPARSE, "the message could not be parsed");
	struct find f = { .want = index };
	walk(&f, g_mime_message_get_mime_part(msg), 0);
	int rc = EBB_OK;
	struct sbuf bytes = { 0 };
	if (!f.hit)
		rc = ebb_err_set(err, EBB_ENOENT, "the message has %zu attachment%s, not %zu", f.seen,
				 f.seen == 1 ? "" : "s", index + 1);
	else if (GMIME_IS_MESSAGE_PART(f.hit))
		rc = message_bytes(f.hit, &bytes);
	else
		rc = part_bytes(GMIME_PART(f.hit), &bytes, MIME_MAX_MESSAGE);
	g_object_unref(msg);
	if (rc == EBB_ETOOBIG)
		ebb_err_set(err, rc, "the attachment is over %u MiB", MIME_MAX_MESSAGE / (1024 * 1024));
	else if (rc == EBB_ENOMEM)
		ebb_err_set(err, rc, "out of memory reading an attachment");
	if (rc) {
		sbuf_free(&bytes);
		return rc;
	}
	*outlen = bytes.len;
	*out = sbuf_detach(&bytes);
	if (!*out)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading an attachment");
	return EBB_OK;
}
