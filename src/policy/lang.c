/* policy/lang: word matching and the walk over the lines a sender wrote
 * (quotes, attributions and signatures left out) for the text heuristics. */
#include <string.h>

#include "lang.h"

int lang_word_start(const char *s, size_t i)
{
	return i == 0 || !lang_alnum(s[i - 1]);
}

size_t lang_phrase_at(const char *s, size_t len, size_t i, const char *phrase)
{
	if (i >= len || !lang_word_start(s, i))
		return 0;
	size_t j = i;
	for (const char *p = phrase; *p; p++) {
		if (*p == ' ') {
			if (j >= len || !lang_blank(s[j]))
				return 0;
			while (j < len && lang_blank(s[j]))
				j++;
			continue;
		}
		if (j >= len || lang_lower((unsigned char)s[j]) != *p)
			return 0;
		j++;
	}
	/* A phrase that ends in a letter or digit must end a word there. */
	size_t plen = strlen(phrase);
	if (plen && lang_alnum(phrase[plen - 1]) && j < len && lang_alnum(s[j]))
		return 0;
	return j - i;
}

size_t lang_any_at(const char *s, size_t len, size_t i, const char *const *phrases)
{
	for (size_t k = 0; phrases[k]; k++) {
		size_t n = lang_phrase_at(s, len, i, phrases[k]);
		if (n)
			return n;
	}
	return 0;
}

size_t lang_number_at(const char *s, size_t len, size_t i, size_t maxdigits, int *v)
{
	size_t j = i;
	int value = 0;
	while (j < len && lang_digit(s[j]) && j - i < maxdigits) {
		value = value * 10 + (s[j] - '0');
		j++;
	}
	if (j == i || (j < len && lang_digit(s[j])))
		return 0;
	*v = value;
	return j - i;
}

void lang_word_before(const char *s, size_t end, char *out, size_t outlen)
{
	if (!outlen)
		return;
	out[0] = '\0';
	size_t e = end;
	while (e > 0 && lang_blank(s[e - 1]))
		e--;
	size_t b = e;
	while (b > 0 && lang_alpha(s[b - 1]))
		b--;
	size_t n = e - b;
	if (n >= outlen)
		n = outlen - 1;
	for (size_t k = 0; k < n; k++)
		out[k] = (char)lang_lower((unsigned char)s[b + k]);
	out[n] = '\0';
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	if (len < n)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (lang_lower((unsigned char)s[k]) != prefix[k])
			return 0;
	return 1;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && starts_with(s + len - n, n, suffix);
}

int lang_next_own_line(const char *body, size_t len, size_t *pos, struct lang_line *line)
{
	while (*pos < len) {
		const char *start = body + *pos;
		const char *nl = memchr(start, '\n', len - *pos);
		size_t n = nl ? (size_t)(nl - start) : len - *pos;
		*pos += nl ? n + 1 : n;
		size_t raw = n;
		if (raw && start[raw - 1] == '\r')
			raw--;
		/* The signature and anything forwarded or quoted below it end
		 * what the sender wrote. */
		if ((raw == 3 && !memcmp(start, "-- ", 3)) || (raw == 2 && !memcmp(start, "--", 2)) ||
		    starts_with(start, raw, "-----original message") ||
		    starts_with(start, raw, "---------- forwarded message") ||
		    starts_with(start, raw, "begin forwarded message")) {
			*pos = len;
			return 0;
		}
		size_t b = 0;
		while (b < raw && lang_blank(start[b]))
			b++;
		if (b < raw && start[b] == '>')
			continue;
		size_t e = raw;
		while (e > b && lang_blank(start[e - 1]))
			e--;
		/* "On Mon, 23 Nov 2026 at 10:00, Ann <ann@x> wrote:" */
		if (ends_with(start + b, e - b, "wrote:") || ends_with(start + b, e - b, "writes:"))
			continue;
		line->text = start + b;
		line->len = e - b;
		return 1;
	}
	return 0;
}

size_t lang_url_at(const char *s, size_t len, size_t i)
{
	if (!lang_word_start(s, i))
		return 0;
	if (!starts_with(s + i, len - i, "http://") && !starts_with(s + i, len - i, "https://") &&
	    !starts_with(s + i, len - i, "www."))
		return 0;
	size_t j = i;
	while (j < len && !lang_blank(s[j]) && s[j] != '\n' && s[j] != '<' && s[j] != '>' &&
	       s[j] != '"')
		j++;
	/* "see https://x.example/a." ends the sentence, not the link */
	while (j > i && strchr(".,;:!?)'", s[j - 1]))
		j--;
	return j - i;
}
