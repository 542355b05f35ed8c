/* policy/context: the high-context check of a new request: a concrete ask,
 * a deadline, the document it points at. It warns, it never blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "lang.h"

/* A request is short; past this the check goes by what it has read. */
#define CONTEXT_MAX_TEXT (64u * 1024)

/* Anywhere in the text: the reader is asked for something. */
static const char *const ask_phrases[] = {
	"please", "pls", "could you", "can you", "would you", "will you", "could we",
	"can we", "would it be possible", "is it possible", "are you able", "do you mind",
	"need you to", "i need", "we need", "i'd like you to", "would like you to",
	"let me know", "lmk", "send me", "get back to me", "your thoughts",
	"your feedback", "your input", "your approval", "your decision", "your review",
	"waiting for your", "would appreciate", NULL,
};
/* "Please find attached" and "please see" point at something, they ask
 * nothing. */
static const char *const not_asks_after_please[] = {"find", "see", "note", "ignore", NULL};

/* At the start of a sentence (or a bullet): an imperative. */
static const char *const imperatives[] = {
	"review", "approve", "decide", "confirm", "send", "check", "sign", "reply", "respond",
	"answer", "share", "update", "fix", "merge", "pick", "choose", "fill", "add", "look",
	"take", "schedule", "book", "prepare", "submit", "forward", "call", "ping", "read",
	"comment", "vote", "join", "rsvp", "tell", "give", "provide", "complete", "finish",
	"sign off", NULL,
};

static const char *const file_words[] = {"attached", "attachment", "attachments", "enclosed",
					 "i attach", NULL};
/* "the doc", "this PR", "our spec": something the reader will want to open. */
static const char *const pointer_lead[] = {"the", "this", "that", "our", "my", NULL};
static const char *const pointer_nouns[] = {
	"design doc", "doc", "docs", "document", "documents", "spreadsheet", "sheet", "slides",
	"deck", "file", "files", "link", "pr", "pull request", "mr", "merge request", "ticket",
	"spec", "wiki", "draft", NULL,
};
/* "see you", "see if", "see below": not a pointer at a document. */
static const char *const not_pointer_after_see[] = {
	"you", "u", "ya", "if", "whether", "what", "how", "why", "when", "where", "who", "that",
	"it", "below", "above", "them", "him", "her", "me", "us", "each", "no", "again",
	"more", NULL,
};

struct missing_text {
	unsigned bit;
	const char *name;
	const char *hint;
};

static const struct missing_text missing_texts[] = {
	{CONTEXT_MISSING_ASK, "no clear ask",
	 "say what you need from them (e.g. \"Could you approve the budget?\")"},
	{CONTEXT_MISSING_DEADLINE, "no deadline",
	 "add when you need it (e.g. \"by Thursday 15:00\")"},
	{CONTEXT_MISSING_FILE, "nothing attached",
	 "the text mentions an attachment; attach the file or link to it"},
	{CONTEXT_MISSING_LINK, "no link",
	 "the text points at a document, PR or ticket; add its link (https://...)"},
};

const char *policy_context_missing_name(unsigned missing)
{
	for (size_t i = 0; i < sizeof missing_texts / sizeof missing_texts[0]; i++)
		if (missing_texts[i].bit == missing)
			return missing_texts[i].name;
	return "";
}

const char *policy_context_missing_hint(unsigned missing)
{
	for (size_t i = 0; i < sizeof missing_texts / sizeof missing_texts[0]; i++)
		if (missing_texts[i].bit == missing)
			return missing_texts[i].hint;
	return "";
}

/* Appends one line of what the sender wrote, with URLs blanked out (so a
 * '?' or a date inside a link counts for nothing) and noted. */
static void add_line(char *buf, size_t *n, const char *line, size_t len, unsigned *found)
{
	if (*n >= CONTEXT_MAX_TEXT)
		return;
	if (len > CONTEXT_MAX_TEXT - *n - 1)
		len = CONTEXT_MAX_TEXT - *n - 1;
	char *dst = buf + *n;
	memcpy(dst, line, len);
	for (size_t i = 0; i < len; i++) {
		size_t url = lang_url_at(dst, len, i);
		if (url) {
			*found |= CONTEXT_LINK;
			memset(dst + i, ' ', url);
			i += url - 1;
		}
	}
	*n += len;
	buf[(*n)++] = '\n';
}

/* Does a sentence (or a bullet item) start at s[i]? */
static int sentence_start(const char *s, size_t i)
{
	size_t k = i;
	while (k > 0 && lang_blank(s[k - 1]))
		k--;
	if (k == 0 || s[k - 1] == '\n')
		return 1;
	char c = s[k - 1];
	if (c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == ')')
		return k < i || c == ')';
	if (c == '-' || c == '*') {
		size_t b = k - 1;
		while (b > 0 && lang_blank(s[b - 1]))
			b--;
		return b == 0 || s[b - 1] == '\n';
	}
	/* U+2022 BULLET */
	return k >= 3 && (unsigned char)s[k - 3] == 0xE2 && (unsigned char)s[k - 2] == 0x80 &&
	       (unsigned char)s[k - 1] == 0xA2;
}

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
	while (i < len && lang_blank(s[i]))
		i++;
	return i;
}

/* A question mark that ends a question: after a word, a number or a
 * closing mark, not a lone "?" or "??" standing for nothing. */
static int is_question_mark(const char *s, size_t i)
{
	size_t k = i;
	while (k > 0 && (s[k - 1] == '?' || s[k - 1] == '!'))
		k--;
	while (k > 0 && lang_blank(s[k - 1]))
		k--;
	if (k == 0)
		return 0;
	char c = s[k - 1];
	return lang_alnum(c) || c == ')' || c == '"' || c == '\'' || c == ']';
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* #412, ABC-123: ids that name a PR or a ticket well enough. */
static size_t ref_id_at(const char *s, size_t len, size_t i)
{
	int v;
	if (s[i] == '#' && (i == 0 || !lang_alnum(s[i - 1]))) {
		size_t n = lang_number_at(s, len, i + 1, 9, &v);
		return n ? n + 1 : 0;
	}
	if (!is_upper(s[i]) || !lang_word_start(s, i))
		return 0;
	size_t j = i;
	while (j < len && is_upper(s[j]) && j - i < 10)
		j++;
	if (j - i < 2 || j >= len || s[j] != '-')
		return 0;
	size_t n = lang_number_at(s, len, j + 1, 7, &v);
	return n ? j + 1 + n - i : 0;
}

/* The subject is s[0..subject_len): a noun there ("Update", "Review") is
 * a title, not an imperative. */
static void scan(const char *s, size_t len, size_t subject_len, unsigned *found)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '?' && is_question_mark(s, i))
			*found |= CONTEXT_ASK;
		size_t id = ref_id_at(s, len, i);
		if (id) {
			*found |= CONTEXT_REF_ID;
			i += id - 1;
			continue;
		}
		if (!lang_alpha(s[i]) || !lang_word_start(s, i))
			continue;
		size_t n = lang_any_at(s, len, i, ask_phrases);
		if (n) {
			size_t j = skip_blanks(s, len, i + n);
			if (!(lang_phrase_at(s, len, i, "please") &&
			      lang_any_at(s, len, j, not_asks_after_please)))
				*found |= CONTEXT_ASK;
		}
		if (i >= subject_len && sentence_start(s, i) && lang_any_at(s, len, i, imperatives))
			*found |= CONTEXT_ASK;
		if (lang_any_at(s, len, i, file_words))
			*found |= CONTEXT_POINTS_FILE;
		n = lang_any_at(s, len, i, pointer_lead);
		if (n) {
			size_t j = skip_blanks(s, len, i + n);
			if (j > i + n && lang_any_at(s, len, j, pointer_nouns))
				*found |= CONTEXT_POINTS;
		}
		n = lang_phrase_at(s, len, i, "link");
		if (n)
			*found |= CONTEXT_POINTS;
		n = lang_phrase_at(s, len, i, "see");
		if (n) {
			size_t j = skip_blanks(s, len, i + n);
			if (j > i + n && j < len && lang_alnum(s[j]) &&
			    !lang_any_at(s, len, j, not_pointer_after_see))
				*found |= CONTEXT_POINTS;
		}
	}
}

static void advise(struct policy_context *out)
{
	size_t used = 0;
	out->advice[0] = '\0';
	for (size_t i = 0; i < sizeof missing_texts / sizeof missing_texts[0]; i++) {
		if (!(out->missing & missing_texts[i].bit))
			continue;
		const char *name = missing_texts[i].name;
		int n = snprintf(out->advice + used, sizeof out->advice - used, "%s%c%s: %s.",
				 used ? " " : "", name[0] - 'a' + 'A', name + 1, missing_texts[i].hint);
		if (n < 0 || (size_t)n >= sizeof out->advice - used)
			break;
		used += (size_t)n;
	}
}

int policy_context_check(const char *subject, const char *body, int has_attachment,
			 struct policy_context *out)
{
	if (!out)
		return EBB_EINVAL;
	memset(out, 0, sizeof *out);
	char *buf = malloc(CONTEXT_MAX_TEXT + 1);
	if (!buf)
		return EBB_ENOMEM;
	size_t n = 0;
	unsigned found = has_attachment ? CONTEXT_FILE : 0;
	if (subject) {
		size_t len = strnlen(subject, CONTEXT_MAX_TEXT);
		const char *nl = memchr(subject, '\n', len);
		add_line(buf, &n, subject, nl ? (size_t)(nl - subject) : len, &found);
	}
	size_t subject_len = n;
	if (body) {
		size_t len = strnlen(body, 16u * CONTEXT_MAX_TEXT);
		size_t pos = 0;
		struct lang_line line;
		while (n < CONTEXT_MAX_TEXT && lang_next_own_line(body, len, &pos, &line))
			add_line(buf, &n, line.text, line.len, &found);
	}
	buf[n] = '\0';
	scan(buf, n, subject_len, &found);
	struct policy_deadline dl;
	if (policy_deadline_find(buf, n, NULL, 0, &dl))
		found |= CONTEXT_DEADLINE;
	free(buf);
	out->found = found;
	if (!(found & CONTEXT_ASK))
		out->missing |= CONTEXT_MISSING_ASK;
	if (!(found & CONTEXT_DEADLINE))
		out->missing |= CONTEXT_MISSING_DEADLINE;
	if ((found & CONTEXT_POINTS_FILE) && !(found & CONTEXT_FILE))
		out->missing |= CONTEXT_MISSING_FILE;
	if ((found & CONTEXT_POINTS) && !(found & (CONTEXT_LINK | CONTEXT_FILE | CONTEXT_REF_ID)))
		out->missing |= CONTEXT_MISSING_LINK;
	advise(out);
	return EBB_OK;
}
