/* ui/text: the one sanitizer every byte bound for the terminal goes through,
 * and display-width helpers (measuring, fitting, wrapping) built on wcwidth. */
#include <string.h>
#include <wchar.h>

#include "ebb/ui.h"

/* An escape sequence longer than this is hostile or broken: it ends there and
 * the rest of the text is read as text again, so one unterminated OSC cannot
 * swallow a whole mail body. */
#define SEQ_MAX 256

static const char REPLACEMENT[] = "\xEF\xBF\xBD";   /* U+FFFD */
static const char ELLIPSIS[] = "\xE2\x80\xA6";      /* U+2026 */

/* Output cursor: never writes past outlen - 1, so a NUL always fits. Once a
 * piece does not fit, everything after it is dropped too, which keeps the
 * cut on a character boundary. */
struct out {
	char *buf;
	size_t cap;
	size_t len;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full)
		return;
	if (o->cap == 0 || n > o->cap - 1 - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static int is_bidi_or_bom(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0xFEFF;
}

/* Kinds of escape sequence, by how they end. */
enum seq_kind { SEQ_CSI, SEQ_STRING };

/* Length of a CSI body starting after its introducer: parameter and
 * intermediate bytes (0x20-0x3F), then one final byte (0x40-0x7E). Anything
 * else ends the sequence before it, and that byte is judged on its own. */
static size_t csi_len(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len && i < SEQ_MAX && s[i] >= 0x20 && s[i] <= 0x3F)
		i++;
	if (i < len && i < SEQ_MAX && s[i] >= 0x40 && s[i] <= 0x7E)
		i++;
	return i;
}

/* Length of an OSC/DCS/SOS/PM/APC body: up to and including BEL, ESC \ or
 * U+009C (ST in UTF-8). Another ESC aborts the string in real terminals, so
 * it ends here too and starts a sequence of its own. */
static size_t string_len(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len && i < SEQ_MAX) {
		if (s[i] == 0x07)
			return i + 1;
		if (s[i] == 0x1B)
			return (i + 1 < len && s[i + 1] == '\\') ? i + 2 : i;
		if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0x9C)
			return i + 2;
		i++;
	}
	return i;
}

/* Length of the sequence after a bare ESC: ESC [ is CSI, ESC ] P X ^ _ open
 * strings, ESC with intermediates (0x20-0x2F) takes one final byte, and
 * ESC + one byte 0x30-0x7E is a two-byte sequence. Returns bytes after ESC. */
static size_t esc_len(const unsigned char *s, size_t len)
{
	if (len == 0)
		return 0;
	switch (s[0]) {
	case '[':
		return 1 + csi_len(s + 1, len - 1);
	case ']':
	case 'P':
	case 'X':
	case '^':
	case '_':
		return 1 + string_len(s + 1, len - 1);
	default:
		break;
	}
	size_t i = 0;
	while (i < len && i < SEQ_MAX && s[i] >= 0x20 && s[i] <= 0x2F)
		i++;
	if (i < len && i < SEQ_MAX && s[i] >= 0x30 && s[i] <= 0x7E)
		i++;
	return i;
}

/* C1 controls that open a sequence in 8-bit form: CSI, OSC, DCS, SOS, PM, APC. */
static int c1_opens(uint32_t cp, enum seq_kind *kind)
{
	switch (cp) {
	case 0x9B:
		*kind = SEQ_CSI;
		return 1;
	case 0x9D:
	case 0x90:
	case 0x98:
	case 0x9E:
	case 0x9F:
		*kind = SEQ_STRING;
		return 1;
	default:
		return 0;
	}
}

/* Besides what ui.h says: CR LF counts as one newline (mail bodies use it),
 * a lone CR is replaced like any other control, and NUL bytes are data. */
size_t ui_sanitize(const char *in, size_t inlen, char *out, size_t outlen, int keep_newlines)
{
	struct out o = { out, outlen, 0, 0 };
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;

	while (i < inlen && !o.full) {
		unsigned char c = s[i];
		if (c == '\t') {
			put(&o, " ", 1);
			i++;
		} else if (c == '\n' || (c == '\r' && i + 1 < inlen && s[i + 1] == '\n')) {
			put(&o, keep_newlines ? "\n" : " ", 1);
			i += c == '\r' ? 2 : 1;
		} else if (c == 0x1B) {
			put(&o, REPLACEMENT, 3);
			i += 1 + esc_len(s + i + 1, inlen - i - 1);
		} else if (c < 0x20 || c == 0x7F) {
			put(&o, REPLACEMENT, 3);
			i++;
		} else if (c < 0x80) {
			put(&o, (const char *)s + i, 1);
			i++;
		} else {
			uint32_t cp;
			int n = utf8_decode(s + i, inlen - i, &cp);
			enum seq_kind kind;
			if (n < 0) {
				put(&o, REPLACEMENT, 3);
				i++;
			} else if (c1_opens(cp, &kind)) {
				put(&o, REPLACEMENT, 3);
				i += (size_t)n;
				if (kind == SEQ_CSI)
					i += csi_len(s + i, inlen - i);
				else
					i += string_len(s + i, inlen - i);
			} else if ((cp >= 0x80 && cp <= 0x9F) || is_bidi_or_bom(cp)) {
				put(&o, REPLACEMENT, 3);
				i += (size_t)n;
			} else {
				put(&o, (const char *)s + i, (size_t)n);
				i += (size_t)n;
			}
		}
	}
	if (outlen)
		out[o.len] = '\0';
	return o.len;
}

/* Width of one decoded character; controls and unknowns count as 1 so a
 * layout never undercounts what the terminal will draw. */
static int char_width(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

/* Decodes the character at s[0..len): its byte length (at least 1) and width. */
static size_t next_char(const char *s, size_t len, int *width)
{
	uint32_t cp;
	int n = utf8_decode((const unsigned char *)s, len, &cp);
	if (n < 0) {
		*width = 1;
		return 1;
	}
	*width = char_width(cp);
	return (size_t)n;
}

int ui_text_width(const char *s, size_t len)
{
	int total = 0;
	size_t i = 0;
	while (i < len) {
		int w;
		i += next_char(s + i, len - i, &w);
		total += w;
	}
	return total;
}

int ui_fit(const char *s, int cols, char *out, size_t outlen)
{
	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (cols <= 0)
		return 0;
	size_t len = strlen(s);
	int total = ui_text_width(s, len);
	if (total <= cols && len < outlen) {
		memcpy(out, s, len + 1);
		return total;
	}
	/* Cut: keep what fits in cols - 1 columns and outlen - 4 bytes, then "…". */
	if (outlen < sizeof(ELLIPSIS))
		return 0;
	size_t room = outlen - sizeof(ELLIPSIS);
	int used = 0;
	size_t i = 0;
	while (i < len) {
		int w;
		size_t n = next_char(s + i, len - i, &w);
		if (used + w > cols - 1 || i + n > room)
			break;
		used += w;
		i += n;
	}
	memcpy(out, s, i);
	memcpy(out + i, ELLIPSIS, sizeof(ELLIPSIS));
	return used + 1;
}

size_t ui_wrap(const char *s, size_t len, int cols, size_t *next)
{
	int used = 0;
	size_t i = 0, last_space = 0;
	int seen_text = 0;
	/* The first character is always taken, so every call makes progress
	 * even when one wide character is wider than the line. */
	while (i < len) {
		int w;
		size_t n = next_char(s + i, len - i, &w);
		if (used + w > cols && i > 0)
			break;
		/* Leading spaces are indentation, not a place to break. */
		if (s[i] == ' ' && seen_text)
			last_space = i;
		else if (s[i] != ' ')
			seen_text = 1;
		used += w;
		i += n;
	}
	if (i >= len) {
		*next = len;
		return len;
	}
	size_t end = i;
	if (s[i] != ' ' && last_space > 0)
		end = last_space;
	size_t skip = end;
	while (skip < len && s[skip] == ' ')
		skip++;
	while (end > 0 && s[end - 1] == ' ')
		end--;
	*next = skip;
	return end;
}
