/* mime/decode: GMime set-up, header decoding (RFC 2047 words, raw 8-bit
 * bytes) and charset conversion. Whatever comes in, valid UTF-8 comes out. */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "mime_internal.h"

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;
static GMimeParserOptions *parser_options;

/* Raw 8-bit header bytes are read as UTF-8 when they are valid UTF-8,
 * else as windows-1252 (a superset of Latin-1 that most such mail is in). */
static const char *fallback_charsets[] = { "UTF-8", "windows-1252", NULL };

void mime_init(void)
{
	pthread_mutex_lock(&init_lock);
	if (!initialized) {
		g_mime_init();
		parser_options = g_mime_parser_options_new();
		g_mime_parser_options_set_rfc2047_compliance_mode(parser_options,
								  GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_address_compliance_mode(parser_options,
								  GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_parameter_compliance_mode(parser_options,
								    GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_allow_addresses_without_domain(parser_options, TRUE);
		g_mime_parser_options_set_fallback_charsets(parser_options, fallback_charsets);
		initialized = 1;
	}
	pthread_mutex_unlock(&init_lock);
}

void mime_shutdown(void)
{
	pthread_mutex_lock(&init_lock);
	if (initialized) {
		g_mime_parser_options_free(parser_options);
		parser_options = NULL;
		g_mime_shutdown();
		initialized = 0;
	}
	pthread_mutex_unlock(&init_lock);
}

GMimeParserOptions *mime_options(void)
{
	mime_init();
	return parser_options;
}

/* ---- UTF-8 cleaning ---------------------------------------------------- */

static const char replacement[] = "\xEF\xBF\xBD";  /* U+FFFD */

int mime_append_clean(struct sbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;  /* run: valid bytes not yet copied, ending at i */
	while (i < n) {
		uint32_t cp;
		int k = utf8_decode(p + i, n - i, &cp);
		if (k > 0 && cp != 0) {
			i += (size_t)k;
			run += (size_t)k;
			continue;
		}
		if (run && sbuf_append(sb, (const char *)p + i - run, run))
			return EBB_ENOMEM;
		run = 0;
		if (k < 0 && sbuf_append(sb, replacement, 3))
			return EBB_ENOMEM;
		i++;   /* a NUL is dropped, an invalid byte replaced */
	}
	if (run && sbuf_append(sb, (const char *)p + i - run, run))
		return EBB_ENOMEM;
	if (!sb->buf && sbuf_append(sb, "", 0))
		return EBB_ENOMEM;
	return EBB_OK;
}

char *mime_dup_clean(const char *s, size_t n)
{
	struct sbuf sb = {0};
	if (mime_append_clean(&sb, s ? s : "", s ? n : 0)) {
		sbuf_free(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

size_t mime_utf8_cut(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	/* find the lead byte of the last sequence (at most 3 bytes back) */
	size_t i = n - 1, back = 0;
	while (i > 0 && back < 3 && ((unsigned char)s[i] & 0xC0) == 0x80) {
		i--;
		back++;
	}
	unsigned char c = (unsigned char)s[i];
	size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	return need > n - i ? i : n;
}

static int is_utf8(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		int k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (k < 0)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

/* ---- headers ----------------------------------------------------------- */

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

char *mime_decode_header(const char *raw, size_t len)
{
	if (!raw)
		len = 0;
	if (len > MIME_MAX_HEADER)
		len = MIME_MAX_HEADER;
	char *flat = malloc(len + 1);
	if (!flat)
		return NULL;
	/* Unfold: a line break followed by white space disappears; any other
	 * line break (a caller passing several lines) becomes one space. */
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = raw[i];
		if (c == '\0')
			continue;
		if (c == '\r' || c == '\n') {
			size_t j = i;
			while (j < len && (raw[j] == '\r' || raw[j] == '\n'))
				j++;
			if (j < len && !is_wsp(raw[j]) && n)
				flat[n++] = ' ';
			i = j - 1;
			continue;
		}
		flat[n++] = c;
	}
	flat[n] = '\0';

	char *decoded = g_mime_utils_header_decode_text(mime_options(), flat);
	const char *src = decoded ? decoded : flat;
	struct sbuf sb = {0};
	int rc = mime_append_clean(&sb, src, strlen(src));
	g_free(decoded);
	free(flat);
	if (rc) {
		sbuf_free(&sb);
		return NULL;
	}
	/* Encoded words may carry line breaks and tabs; a header is one line. */
	for (size_t i = 0; i < sb.len; i++) {
		if (sb.buf[i] == '\r' || sb.buf[i] == '\n' || sb.buf[i] == '\t')
			sb.buf[i] = ' ';
	}
	util_trim(sb.buf);
	return sbuf_detach(&sb);
}

/* ---- charsets ---------------------------------------------------------- */

/* Charset names come from mail: only plain names reach iconv, so a label
 * cannot smuggle in iconv suffixes such as "//IGNORE". */
static int plain_charset_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == ':' || c == '+'))
			return 0;
	}
	return 1;
}

static int convert(iconv_t cd, const char *data, size_t len, struct sbuf *out)
{
	char buf[4096];
	char *in = (char *)data;
	size_t inleft = len;
	while (inleft > 0) {
		char *op = buf;
		size_t outleft = sizeof(buf);
		size_t r = iconv(cd, &in, &inleft, &op, &outleft);
		int saved = errno;
		if (op > buf && sbuf_append(out, buf, (size_t)(op - buf)))
			return EBB_ENOMEM;
		if (r != (size_t)-1)
			continue;
		if (saved == E2BIG) {
			if (op == buf)
				break;   /* no progress: give up rather than spin */
			continue;
		}
		if (sbuf_append(out, replacement, 3))
			return EBB_ENOMEM;
		if (saved != EILSEQ)
			break;       /* EINVAL: a sequence cut off at the end */
		in++;
		inleft--;
	}
	char *op = buf;
	size_t outleft = sizeof(buf);
	iconv(cd, NULL, NULL, &op, &outleft);   /* shift back to the initial state */
	if (op > buf && sbuf_append(out, buf, (size_t)(op - buf)))
		return EBB_ENOMEM;
	return EBB_OK;
}

char *mime_to_utf8(const char *data, size_t len, const char *charset)
{
	if (!data)
		len = 0;
	mime_init();
	const char *name = NULL;
	if (charset && plain_charset_name(charset))
		name = g_mime_charset_iconv_name(charset);
	int is_ascii = !name || !g_ascii_strcasecmp(name, "US-ASCII") ||
		       !g_ascii_strcasecmp(name, "ASCII");
	int is_u8 = name && (!g_ascii_strcasecmp(name, "UTF-8") || !g_ascii_strcasecmp(name, "UTF8"));
	/* Undeclared or "ASCII" text with 8-bit bytes is usually UTF-8 or
	 * windows-1252: take it as UTF-8 when it is valid UTF-8. */
	if (is_u8 || (is_ascii && is_utf8(data, len)))
		return mime_dup_clean(data, len);

	iconv_t cd = (iconv_t)-1;
	if (!is_ascii)
		cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		cd = iconv_open("UTF-8", "WINDOWS-1252");
	if (cd == (iconv_t)-1)
		return mime_dup_clean(data, len);

	struct sbuf raw = {0};
	int rc = convert(cd, data, len, &raw);
	iconv_close(cd);
	if (rc) {
		sbuf_free(&raw);
		return NULL;
	}
	char *out = mime_dup_clean(raw.buf, raw.len);
	sbuf_free(&raw);
	return out;
}
