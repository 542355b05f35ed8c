/* mime/html: a small, bounded HTML to text converter for HTML-only mail.
 * One pass, no tree: good enough to read a message, never a browser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "mime_internal.h"

#define TAG_NAME_MAX 16
#define HREF_MAX 2048

struct html_out {
	struct sbuf sb;
	int pending_space;   /* collapsed white space waits for the next text */
	int pending_lines;   /* 1 = start a new line, 2 = leave a blank line */
	int oom;
	int full;            /* MIME_MAX_TEXT reached: stop */
};

static void out_raw(struct html_out *o, const char *s, size_t n)
{
	if (o->oom || o->full)
		return;
	if (o->sb.len + n > MIME_MAX_TEXT) {
		o->full = 1;
		return;
	}
	if (sbuf_append(&o->sb, s, n))
		o->oom = 1;
}

static size_t trailing_newlines(const struct html_out *o)
{
	size_t k = 0;
	while (k < 2 && k < o->sb.len && o->sb.buf[o->sb.len - 1 - k] == '\n')
		k++;
	return k;
}

/* Turns the white space and breaks asked for since the last text into
 * output, just before the next text. Nothing leads the document. */
static void out_settle(struct html_out *o)
{
	if (o->sb.len == 0) {
		o->pending_lines = 0;
		o->pending_space = 0;
		return;
	}
	if (o->pending_lines) {
		size_t have = trailing_newlines(o);
		for (size_t k = have; k < (size_t)o->pending_lines; k++)
			out_raw(o, "\n", 1);
	} else if (o->pending_space) {
		char last = o->sb.buf[o->sb.len - 1];
		if (last != ' ' && last != '\n')
			out_raw(o, " ", 1);
	}
	o->pending_lines = 0;
	o->pending_space = 0;
}

static void out_text(struct html_out *o, const char *s, size_t n)
{
	out_settle(o);
	out_raw(o, s, n);
}

static void out_break(struct html_out *o, int lines)
{
	if (lines > o->pending_lines)
		o->pending_lines = lines;
}

static void out_codepoint(struct html_out *o, uint32_t cp)
{
	char buf[4];
	int n = utf8_encode(cp, buf);
	out_text(o, buf, (size_t)n);
}

/* ---- entities ------------------------------------------------------------ */

struct entity {
	const char *name;
	uint32_t cp;
};

/* The entities seen in real mail; the rest stay as written. */
static const struct entity entities[] = {
	{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
	{"nbsp", 0xA0}, {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009},
	{"zwnj", 0x200C}, {"zwj", 0x200D}, {"shy", 0xAD},
	{"copy", 0xA9}, {"reg", 0xAE}, {"trade", 0x2122}, {"hellip", 0x2026},
	{"mdash", 0x2014}, {"ndash", 0x2013}, {"minus", 0x2212},
	{"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A},
	{"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E},
	{"laquo", 0xAB}, {"raquo", 0xBB}, {"lsaquo", 0x2039}, {"rsaquo", 0x203A},
	{"bull", 0x2022}, {"middot", 0xB7}, {"dagger", 0x2020}, {"Dagger", 0x2021},
	{"euro", 0x20AC}, {"pound", 0xA3}, {"yen", 0xA5}, {"cent", 0xA2}, {"curren", 0xA4},
	{"sect", 0xA7}, {"para", 0xB6}, {"deg", 0xB0}, {"plusmn", 0xB1}, {"times", 0xD7},
	{"divide", 0xF7}, {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE},
	{"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3}, {"micro", 0xB5},
	{"iexcl", 0xA1}, {"iquest", 0xBF}, {"ordf", 0xAA}, {"ordm", 0xBA},
	{"larr", 0x2190}, {"uarr", 0x2191}, {"rarr", 0x2192}, {"darr", 0x2193},
	{"harr", 0x2194}, {"rArr", 0x21D2}, {"check", 0x2713}, {"hearts", 0x2665},
	{"Agrave", 0xC0}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Atilde", 0xC3},
	{"Auml", 0xC4}, {"Aring", 0xC5}, {"AElig", 0xC6}, {"Ccedil", 0xC7},
	{"Egrave", 0xC8}, {"Eacute", 0xC9}, {"Ecirc", 0xCA}, {"Euml", 0xCB},
	{"Igrave", 0xCC}, {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Iuml", 0xCF},
	{"ETH", 0xD0}, {"Ntilde", 0xD1}, {"Ograve", 0xD2}, {"Oacute", 0xD3},
	{"Ocirc", 0xD4}, {"Otilde", 0xD5}, {"Ouml", 0xD6}, {"Oslash", 0xD8},
	{"Ugrave", 0xD9}, {"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Uuml", 0xDC},
	{"Yacute", 0xDD}, {"THORN", 0xDE}, {"szlig", 0xDF},
	{"agrave", 0xE0}, {"aacute", 0xE1}, {"acirc", 0xE2}, {"atilde", 0xE3},
	{"auml", 0xE4}, {"aring", 0xE5}, {"aelig", 0xE6}, {"ccedil", 0xE7},
	{"egrave", 0xE8}, {"eacute", 0xE9}, {"ecirc", 0xEA}, {"euml", 0xEB},
	{"igrave", 0xEC}, {"iacute", 0xED}, {"icirc", 0xEE}, {"iuml", 0xEF},
	{"eth", 0xF0}, {"ntilde", 0xF1}, {"ograve", 0xF2}, {"oacute", 0xF3},
	{"ocirc", 0xF4}, {"otilde", 0xF5}, {"ouml", 0xF6}, {"oslash", 0xF8},
	{"ugrave", 0xF9}, {"uacute", 0xFA}, {"ucirc", 0xFB}, {"uuml", 0xFC},
	{"yacute", 0xFD}, {"thorn", 0xFE}, {"yuml", 0xFF},
	{"OElig", 0x152}, {"oelig", 0x153}, {"Scaron", 0x160}, {"scaron", 0x161},
};

/* HTML reads &#128;..&#159; as windows-1252, as mail from Outlook needs. */
static const uint16_t c1_as_cp1252[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0] is '&'. Returns the bytes the entity takes (0 when it is not one)
 * and stores its code point. */
static size_t decode_entity(const char *s, size_t n, uint32_t *cp)
{
	size_t i = 1;
	if (i < n && s[i] == '#') {
		i++;
		int hex = i < n && (s[i] == 'x' || s[i] == 'X');
		if (hex)
			i++;
		uint32_t v = 0;
		size_t digits = 0;
		while (i < n && digits < 8) {
			int d = hex ? hex_value(s[i]) : (is_digit(s[i]) ? s[i] - '0' : -1);
			if (d < 0)
				break;
			v = v * (hex ? 16u : 10u) + (uint32_t)d;
			i++;
			digits++;
		}
		if (!digits)
			return 0;
		while (i < n && (hex ? hex_value(s[i]) >= 0 : is_digit(s[i])))
			i++;   /* absurdly long numbers: consume, then refuse below */
		if (i < n && s[i] == ';')
			i++;
		if (digits >= 8 || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			v = 0xFFFD;
		else if (v >= 0x80 && v <= 0x9F)
			v = c1_as_cp1252[v - 0x80];
		*cp = v;
		return i;
	}
	size_t start = i;
	while (i < n && i - start < 10 && (is_alpha(s[i]) || is_digit(s[i])))
		i++;
	if (i == start || i >= n || s[i] != ';')
		return 0;
	size_t len = i - start;
	for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
		if (strlen(entities[k].name) == len && !memcmp(entities[k].name, s + start, len)) {
			*cp = entities[k].cp;
			return i + 1;
		}
	}
	return 0;
}

/* Copies an attribute value into out (bounded), decoding entities. */
static void attr_copy(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		char buf[4];
		size_t k = 1;
		const char *src = s + i;
		uint32_t cp;
		size_t used = s[i] == '&' ? decode_entity(s + i, n - i, &cp) : 0;
		if (used) {
			k = (size_t)utf8_encode(cp, buf);
			src = buf;
		} else {
			used = 1;
		}
		if (o + k >= outlen) {
			o = 0;   /* too long to be worth showing: drop it whole */
			break;
		}
		memcpy(out + o, src, k);
		o += k;
		i += used;
	}
	out[o] = '\0';
}

/* ---- tags ---------------------------------------------------------------- */

static int name_in(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i]; i++) {
		if (!strcmp(name, list[i]))
			return 1;
	}
	return 0;
}

static const char *const paragraph_tags[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table",
	"blockquote", "pre", "hr", NULL,
};
static const char *const line_tags[] = {
	"div", "tr", "dt", "dd", "section", "article", "header", "footer", "nav", "aside",
	"main", "address", "form", "fieldset", "figure", "figcaption", "center",
	"details", "summary", "caption", "option", "legend", "li", NULL,
};
/* Their content is not text (script, style) or only a label (title). */
static const char *const raw_skip_tags[] = {"script", "style", "title", "template", NULL};
static const char *const head_tags[] = {
	"meta", "link", "base", "title", "style", "script", "noscript", "template", NULL,
};

struct tag {
	char name[TAG_NAME_MAX];
	int closing;
	char href[HREF_MAX];
	char alt[512];
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Parses the tag that starts at s[0] == '<'; returns its length (up to
 * and including '>', or the rest of the input when it never closes). */
static size_t parse_tag(const char *s, size_t n, struct tag *t)
{
	size_t i = 1;
	t->closing = 0;
	t->href[0] = t->alt[0] = '\0';
	if (i < n && s[i] == '/') {
		t->closing = 1;
		i++;
	}
	size_t k = 0;
	while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == ':')) {
		if (k + 1 < sizeof(t->name)) {
			char c = s[i];
			t->name[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		i++;
	}
	t->name[k] = '\0';
	while (i < n && s[i] != '>') {
		if (is_space(s[i]) || s[i] == '/') {
			i++;
			continue;
		}
		size_t an = i;
		while (i < n && !is_space(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/')
			i++;
		size_t anlen = i - an;
		if (anlen == 0) {
			i++;   /* a stray '=' */
			continue;
		}
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n || s[i] != '=')
			continue;
		i++;
		while (i < n && is_space(s[i]))
			i++;
		size_t vs, ve;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			char q = s[i++];
			vs = i;
			while (i < n && s[i] != q)
				i++;
			ve = i;
			if (i < n)
				i++;
		} else {
			vs = i;
			while (i < n && !is_space(s[i]) && s[i] != '>')
				i++;
			ve = i;
		}
		if (util_strncaseeq(s + an, anlen, "href"))
			attr_copy(s + vs, ve - vs, t->href, sizeof(t->href));
		else if (util_strncaseeq(s + an, anlen, "alt"))
			attr_copy(s + vs, ve - vs, t->alt, sizeof(t->alt));
	}
	if (i >= n) {
		/* never closed: not a tag a link or image can be taken from */
		t->href[0] = t->alt[0] = '\0';
		return n;
	}
	return i + 1;
}

/* Case-insensitive search for needle in s[0..n). */
static const char *find_ci(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++) {
		if (util_strncaseeq(s + i, m, needle))
			return s + i;
	}
	return NULL;
}

struct link {
	int open;
	size_t text_start;
	char href[HREF_MAX];
};

static void link_close(struct html_out *o, struct link *l)
{
	if (!l->open)
		return;
	l->open = 0;
	const char *url = l->href;
	if (!url[0] || url[0] == '#' || !strncmp(url, "javascript:", 11))
		return;
	/* the link text, trimmed, as written so far */
	size_t a = l->text_start < o->sb.len ? l->text_start : o->sb.len, b = o->sb.len;
	while (a < b && is_space(o->sb.buf[a]))
		a++;
	while (b > a && is_space(o->sb.buf[b - 1]))
		b--;
	const char *text = o->sb.buf ? o->sb.buf + a : "";
	size_t tlen = b - a;
	const char *bare = !strncmp(url, "mailto:", 7) ? url + 7 : url;
	if ((strlen(url) == tlen && !memcmp(url, text, tlen)) ||
	    (strlen(bare) == tlen && !memcmp(bare, text, tlen)))
		return;
	if (tlen)
		o->pending_space = 1;
	out_text(o, "<", 1);
	out_raw(o, url, strlen(url));
	out_raw(o, ">", 1);
}

/* Strips spaces at line ends, keeps at most one blank line in a row and
 * no blank lines at either end. Works in place. */
static void tidy(struct sbuf *sb)
{
	size_t w = 0, newlines = 0;
	for (size_t r = 0; r < sb->len; r++) {
		char c = sb->buf[r];
		if (c == '\n') {
			while (w > 0 && sb->buf[w - 1] == ' ')
				w--;
			if (w == 0 || newlines >= 2)
				continue;
			newlines++;
			sb->buf[w++] = c;
			continue;
		}
		newlines = 0;
		sb->buf[w++] = c;
	}
	while (w > 0 && (sb->buf[w - 1] == '\n' || sb->buf[w - 1] == ' '))
		w--;
	sb->len = w;
	if (sb->buf)
		sb->buf[w] = '\0';
}

char *mime_html_to_text(const char *html, size_t len)
{
	char *external = html ? mime_html_external(html, len) : NULL;
	if (external)
		return external;
	struct html_out o = {0};
	struct tag *t = malloc(sizeof(*t));
	struct link *l = calloc(1, sizeof(*l));
	if (!t || !l) {
		free(t);
		free(l);
		return NULL;
	}
	if (!html)
		len = 0;
	int in_head = 0, pre = 0;
	size_t i = 0;
	while (i < len && !o.oom && !o.full) {
		char c = html[i];
		if (c == '<' && i + 1 < len) {
			const char *rest = html + i;
			size_t left = len - i;
			if (left >= 4 && !memcmp(rest, "<!--", 4)) {
				const char *end = find_ci(rest + 4, left - 4, "-->");
				i = end ? (size_t)(end - html) + 3 : len;
				continue;
			}
			if (rest[1] == '!' || rest[1] == '?') {
				const char *end = memchr(rest, '>', left);
				i = end ? (size_t)(end - html) + 1 : len;
				continue;
			}
			if (is_alpha(rest[1]) || (rest[1] == '/' && left > 2 && is_alpha(rest[2]))) {
				i += parse_tag(rest, left, t);
				const char *name = t->name;
				if (in_head && (!strcmp(name, "body") || (!t->closing && !name_in(name, head_tags)) ||
						(t->closing && !strcmp(name, "head"))))
					in_head = 0;
				if (!t->closing && !strcmp(name, "head")) {
					in_head = 1;
				} else if (!t->closing && name_in(name, raw_skip_tags)) {
					char endtag[TAG_NAME_MAX + 2];
					snprintf(endtag, sizeof(endtag), "</%s", name);
					const char *end = find_ci(html + i, len - i, endtag);
					if (!end) {
						i = len;
					} else {
						const char *gt = memchr(end, '>', (size_t)(html + len - end));
						i = gt ? (size_t)(gt - html) + 1 : len;
					}
				} else if (!strcmp(name, "br")) {
					out_settle(&o);
					if (o.sb.len && trailing_newlines(&o) < 2)
						out_raw(&o, "\n", 1);
				} else if (!strcmp(name, "li") && !t->closing) {
					out_break(&o, 1);
					out_text(&o, "- ", 2);
				} else if (!strcmp(name, "a")) {
					link_close(&o, l);
					if (!t->closing && t->href[0]) {
						l->open = 1;
						l->text_start = o.sb.len;
						memcpy(l->href, t->href, sizeof(l->href));
					}
				} else if (!strcmp(name, "img") && t->alt[0]) {
					o.pending_space = 1;
					out_text(&o, t->alt, strlen(t->alt));
					o.pending_space = 1;
				} else if (!strcmp(name, "td") || !strcmp(name, "th")) {
					o.pending_space = 1;
				} else if (name_in(name, paragraph_tags)) {
					out_break(&o, 2);
					if (!strcmp(name, "pre"))
						pre = t->closing ? (pre ? pre - 1 : 0) : pre + 1;
				} else if (name_in(name, line_tags)) {
					out_break(&o, 1);
				}
				continue;
			}
		}
		if (c == '&') {
			uint32_t cp;
			size_t used = decode_entity(html + i, len - i, &cp);
			if (used) {
				i += used;
				if (in_head)
					continue;
				if (cp == 0xA0)
					cp = ' ';
				out_codepoint(&o, cp);
				continue;
			}
		}
		i++;
		if (in_head)
			continue;
		if (is_space(c) && !pre) {
			o.pending_space = 1;
			continue;
		}
		if (c == '\r')
			continue;
		if (c == '\n') {
			out_settle(&o);
			out_raw(&o, "\n", 1);
			continue;
		}
		out_text(&o, &c, 1);
	}
	link_close(&o, l);
	free(t);
	free(l);
	if (o.oom) {
		sbuf_free(&o.sb);
		return NULL;
	}
	if (o.full)
		o.sb.len = mime_utf8_cut(o.sb.buf, o.sb.len);
	tidy(&o.sb);
	char *out = mime_dup_clean(o.sb.buf ? o.sb.buf : "", o.sb.len);
	sbuf_free(&o.sb);
	return out;
}
