/* mime/snippet: the one-line preview of a body shown in lists: what the
 * sender wrote, without quoted text, attribution lines and signatures. */
#include <stdint.h>
#include <string.h>

#include "ebb/mime.h"
#include "mime_internal.h"

struct line {
	const char *s;
	size_t len;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static struct line next_line(const char *p)
{
	struct line l = {p, 0};
	const char *nl = strchr(p, '\n');
	l.len = nl ? (size_t)(nl - p) : strlen(p);
	return l;
}

static struct line trimmed(struct line l)
{
	while (l.len && is_blank(l.s[0])) {
		l.s++;
		l.len--;
	}
	while (l.len && is_blank(l.s[l.len - 1]))
		l.len--;
	return l;
}

static int ends_with(struct line l, const char *suffix)
{
	size_t n = strlen(suffix);
	return l.len >= n && !memcmp(l.s + l.len - n, suffix, n);
}

static int contains(struct line l, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= l.len; i++) {
		if (!memcmp(l.s + i, needle, n))
			return 1;
	}
	return 0;
}

/* "On Mon, 23 Nov 2026, Ann <ann@x> wrote:" and its common translations
 * ("Am 23.11.2026 um 10:00 schrieb Ann <ann@x>:"). */
static int is_attribution(struct line l)
{
	if (ends_with(l, "wrote:") || ends_with(l, "crit :") || ends_with(l, "crit:") ||
	    ends_with(l, "escribi\xC3\xB3:"))
		return 1;
	return ends_with(l, ":") && l.len > 3 && !memcmp(l.s, "Am ", 3) && contains(l, " schrieb");
}

/* Everything after these lines is a signature or the quoted original. */
static int ends_message(struct line raw, struct line t)
{
	if ((raw.len == 3 && !memcmp(raw.s, "-- ", 3)) || (raw.len == 4 && !memcmp(raw.s, "-- \r", 4)))
		return 1;
	if (raw.len == 2 && !memcmp(raw.s, "--", 2))
		return 1;
	static const char original[] = "-----Original Message-----";
	return t.len == sizeof(original) - 1 && !memcmp(t.s, original, t.len);
}

void mime_snippet(const char *text, char *out, size_t outlen)
{
	if (!out || outlen == 0)
		return;
	out[0] = '\0';
	if (!text)
		return;
	size_t o = 0;
	int space = 0;
	const char *p = text;
	while (*p) {
		struct line raw = next_line(p);
		const char *next = raw.s + raw.len + (raw.s[raw.len] == '\n');
		struct line t = trimmed(raw);
		if (ends_message(raw, t))
			break;
		int skip = t.len == 0 || t.s[0] == '>' || is_attribution(t);
		/* an attribution line wrapped in two: "On ..., Ann" / "<a@x> wrote:" */
		if (!skip && t.len > 3 && !memcmp(t.s, "On ", 3) && *next) {
			struct line t2 = trimmed(next_line(next));
			skip = is_attribution(t2);
		}
		p = next;
		if (skip)
			continue;
		space = 1;
		for (size_t i = 0; i < t.len;) {
			unsigned char c = (unsigned char)t.s[i];
			if (c < 0x20 || c == 0x7F) {
				space = 1;
				i++;
				continue;
			}
			uint32_t cp;
			int k = utf8_decode((const unsigned char *)t.s + i, t.len - i, &cp);
			const char *seq = t.s + i;
			size_t seqlen = (size_t)k;
			if (k < 0) {
				seq = "\xEF\xBF\xBD";
				seqlen = 3;
				k = 1;
			}
			if (c == ' ') {
				space = 1;
				i++;
				continue;
			}
			if (!o)
				space = 0;   /* nothing leads the snippet */
			if (o + (size_t)space + seqlen > outlen - 1)
				goto done;
			if (space)
				out[o++] = ' ';
			space = 0;
			memcpy(out + o, seq, seqlen);
			o += seqlen;
			i += (size_t)k;
		}
	}
done:
	out[o] = '\0';
}
