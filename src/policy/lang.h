/* policy/lang: English word matching and the walk over the lines a sender
 * wrote, shared by the deadline grammar, context check and round-ups. */
#ifndef EBB_POLICY_LANG_H
#define EBB_POLICY_LANG_H

#include <stddef.h>

#include "ebb/policy.h"

/* Case folding is ASCII only; bytes >= 0x80 count as letters, so words in
 * other scripts stay whole and never match an English word. */
static inline int lang_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static inline int lang_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int lang_alpha(int c)
{
	c = (unsigned char)c;
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static inline int lang_alnum(int c)
{
	return lang_alpha(c) || lang_digit(c);
}

static inline int lang_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Does a word start at s[i] (nothing word-like right before it)? */
int lang_word_start(const char *s, size_t i);
/* Length of `phrase` (lower case; a space matches one or more blanks) at
 * s[i..len), case-insensitive, starting and ending on word boundaries;
 * 0 when it is not there. */
size_t lang_phrase_at(const char *s, size_t len, size_t i, const char *phrase);
/* The first of `phrases` (NULL-terminated) at s[i]; its length or 0. */
size_t lang_any_at(const char *s, size_t len, size_t i, const char *const *phrases);
/* A run of 1..maxdigits digits at s[i] not followed by another digit; its
 * value in *v and its length, or 0. */
size_t lang_number_at(const char *s, size_t len, size_t i, size_t maxdigits, int *v);
/* The lower-cased word ending right before s[end] (blanks skipped) into
 * out (cut at outlen - 1); "" when there is none. */
void lang_word_before(const char *s, size_t end, char *out, size_t outlen);

/* One line of a message body, as a view into it. */
struct lang_line {
	const char *text;
	size_t len;
};
/* Walks the lines of a body that were written by its sender: quoted lines
 * ("> ..."), attribution lines ("On ... wrote:") and everything from the
 * signature ("-- ") or a forwarded/original message marker on are left
 * out. Returns 1 with the next line in *line, 0 at the end. *pos starts 0. */
int lang_next_own_line(const char *body, size_t len, size_t *pos, struct lang_line *line);
/* Is s[i] the start of a URL (http://, https://, www.)? Its length (up to
 * blank, '<', '>', '"' or the end, without trailing punctuation), else 0. */
size_t lang_url_at(const char *s, size_t len, size_t i);

#endif
