/* policy/roundup: a thread's round-up: candidate decisions, action items
 * and open questions, the block for a reply, and reading it back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "lang.h"
#include "policy_int.h"

#define ROUNDUP_MAX_BODY (1024u * 1024)   /* bytes of one message read */
#define OWNER_MAX 128

/* ---- the item list ------------------------------------------------------ */

void policy_roundup_free(struct roundup *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].text);
		free(r->items[i].owner);
	}
	free(r->items);
	memset(r, 0, sizeof *r);
}

/* Length of s cut to at most max bytes on a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* A copy with control characters turned into blanks, runs of blanks
 * squeezed and both ends trimmed; NULL only on ENOMEM. */
static char *clean_copy(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	int blank = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F || c == ' ') {
			if (!blank)
				out[n++] = ' ';
			blank = 1;
			continue;
		}
		out[n++] = (char)c;
		blank = 0;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return out;
}

static int same_text(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lang_lower((unsigned char)*a) != lang_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

int policy_roundup_add(struct roundup *r, enum roundup_kind kind, const char *text,
		       const char *owner, time_t due_at, int due_has_time, struct ebb_err *err)
{
	if (!text)
		return ebb_err_set(err, EBB_EINVAL, "a round-up item needs a text");
	if (r->n >= ROUNDUP_MAX_ITEMS)
		return ebb_err_set(err, EBB_ETOOBIG, "a round-up holds at most %d items",
				   ROUNDUP_MAX_ITEMS);
	size_t tlen = strlen(text);
	char *t = clean_copy(text, utf8_cut(text, tlen, ROUNDUP_TEXT_MAX - 1));
	char *o = NULL;
	if (owner && owner[0])
		o = clean_copy(owner, utf8_cut(owner, strlen(owner), OWNER_MAX - 1));
	if (!t || (owner && owner[0] && !o)) {
		free(t);
		free(o);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory writing a round-up");
	}
	if (!t[0]) {
		free(t);
		free(o);
		return EBB_OK;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (r->items[i].kind == kind && same_text(r->items[i].text, t)) {
			free(t);
			free(o);
			return EBB_OK;
		}
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		struct roundup_item *p = realloc(r->items, ncap * sizeof *p);
		if (!p) {
			free(t);
			free(o);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory writing a round-up");
		}
		r->items = p;
		r->cap = ncap;
	}
	r->items[r->n++] = (struct roundup_item){
		.kind = kind, .text = t, .owner = o, .due_at = due_at, .due_has_time = due_has_time,
	};
	return EBB_OK;
}

/* ---- finding candidates ------------------------------------------------- */

struct sentence {
	const char *s;
	size_t len;
};

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
	while (i < len && lang_blank(s[i]))
		i++;
	return i;
}

/* Capitalised words that start sentences but name nobody. */
static const char *const not_names[] = {
	"able", "according", "back", "close", "dear", "due", "easy", "free", "glad", "going",
	"good", "great", "happy", "hard", "hello", "hi", "hope", "how", "it", "listen", "looking",
	"moving", "need", "next", "nice", "nothing", "open", "plan", "plans", "prior", "ready",
	"remember", "reply", "similar", "something", "subject", "talk", "thanks", "thank",
	"time", "try", "trying", "up", "want", "welcome", "what", "when", "where", "which", "who",
	"why", "we", "you", "they", "he", "she", "i", "this", "that", "there", "here", "then",
	"also", "and", "but", "so", "or", "if", "nobody", "everyone", "someone", NULL,
};
/* After "Name to": an article or pronoun means it is not "Name to <verb>". */
static const char *const not_verbs[] = {
	"the", "a", "an", "our", "my", "your", "his", "her", "their", "this", "that", "these",
	"those", "be", "me", "you", "us", "them", "him", "it", "all", "everyone", "do", NULL,
};

static int in_list(const char *s, size_t len, const char *const *list)
{
	for (size_t k = 0; list[k]; k++)
		if (util_strncaseeq(s, len, list[k]))
			return 1;
	return 0;
}

static size_t word_len(const char *s, size_t len, size_t i)
{
	size_t j = i;
	while (j < len && lang_alpha(s[j]))
		j++;
	return j - i;
}

struct found {
	enum roundup_kind kind;
	size_t text_start;       /* the item's text is sentence[text_start..] */
	char owner[OWNER_MAX];
};

static void set_owner(struct found *f, const char *s, size_t len)
{
	if (len >= sizeof f->owner)
		len = sizeof f->owner - 1;
	memcpy(f->owner, s, len);
	f->owner[len] = '\0';
}

/* "@ann will ...", "@ann to ...", "@ann: ...": the owner and where the
 * task starts; 0 when the sentence does not start so. */
static size_t at_owner(const char *s, size_t len, struct found *f)
{
	if (!len || s[0] != '@')
		return 0;
	size_t j = 1;
	while (j < len && (lang_alnum(s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '-'))
		j++;
	while (j > 1 && s[j - 1] == '.')
		j--;   /* "@ann." ends a sentence, not a name */
	if (j == 1)
		return 0;
	size_t k = j;
	if (k < len && s[k] == ':') {
		set_owner(f, s + 1, j - 1);
		return skip_blanks(s, len, k + 1);
	}
	k = skip_blanks(s, len, k);
	static const char *const verbs[] = {"will", "to", "can", "should", "please", NULL};
	size_t n = lang_any_at(s, len, k, verbs);
	if (!n)
		return 0;
	set_owner(f, s + 1, j - 1);
	return util_strncaseeq(s + k, n, "please") ? k : skip_blanks(s, len, k + n);
}

/* "Ann to send the slides", "Ann Lee to review": a capitalised name at the
 * start, then "to" and a verb. */
static size_t name_to(const char *s, size_t len, struct found *f)
{
	if (!len || !(s[0] >= 'A' && s[0] <= 'Z'))
		return 0;
	size_t w1 = word_len(s, len, 0);
	if (w1 < 2 || in_list(s, w1, not_names))
		return 0;
	size_t end = w1;
	size_t j = skip_blanks(s, len, w1);
	size_t w2 = j < len && s[j] >= 'A' && s[j] <= 'Z' ? word_len(s, len, j) : 0;
	if (w2 >= 2) {
		end = j + w2;
		j = skip_blanks(s, len, end);
	}
	size_t to = lang_phrase_at(s, len, j, "to");
	if (!to)
		return 0;
	size_t v = skip_blanks(s, len, j + to);
	size_t vl = word_len(s, len, v);
	if (v == j + to || !vl || !(s[v] >= 'a' && s[v] <= 'z') || in_list(s + v, vl, not_verbs))
		return 0;
	set_owner(f, s, end);
	return v;
}

static const char *const not_asks_after_please[] = {"find", "see", "note", "ignore", "let",
						    NULL};

/* "Can you ...", "Ann, could you please ...", "Please ...": a request to the
 * addressee; where the task starts, or 0. */
static size_t request(const char *s, size_t len)
{
	static const char *const leads[] = {"can you", "could you", "would you", "will you",
					    "i need you to", "need you to", "please", NULL};
	size_t i = 0;
	/* "Ann, can you" */
	size_t w = word_len(s, len, 0);
	if (w && w < len && s[w] == ',')
		i = skip_blanks(s, len, w + 1);
	size_t n = lang_any_at(s, len, i, leads);
	if (!n) {
		if (i == 0)
			return 0;
		n = lang_any_at(s, len, 0, leads);
		if (!n)
			return 0;
		i = 0;
	}
	int is_please = util_strncaseeq(s + i, n, "please");
	size_t j = skip_blanks(s, len, i + n);
	if (is_please && lang_any_at(s, len, j, not_asks_after_please))
		return 0;
	size_t p = lang_phrase_at(s, len, j, "please");
	if (p)
		j = skip_blanks(s, len, j + p);
	return j < len ? j : 0;
}

/* "I'll ...", "I will ...": the sender takes it on (not "I'll be ..."). */
static size_t i_will(const char *s, size_t len)
{
	static const char *const leads[] = {"i'll", "i\xe2\x80\x99ll", "i will", "i am going to",
					    "i'm going to", NULL};
	size_t n = lang_any_at(s, len, 0, leads);
	if (!n)
		return 0;
	size_t j = skip_blanks(s, len, n);
	if (j >= len || lang_phrase_at(s, len, j, "be") || lang_phrase_at(s, len, j, "have") ||
	    lang_phrase_at(s, len, j, "let"))
		return 0;
	return j;
}

static int has_decision_phrase(const char *s, size_t len)
{
	static const char *const phrases[] = {
		"we decided", "we've decided", "we have decided", "decided to", "agreed",
		"let's go with", "lets go with", "let us go with", "we'll", "we\xe2\x80\x99ll",
		"we will", "we are going with", "we're going with", "we go with", NULL,
	};
	for (size_t i = 0; i < len; i++)
		if (lang_word_start(s, i) && lang_any_at(s, len, i, phrases))
			return 1;
	return 0;
}

/* An explicit label at the start: "TODO", "Action:", "Decision:". */
static size_t label(const char *s, size_t len, enum roundup_kind *kind)
{
	static const struct { const char *w; enum roundup_kind kind; int colon; } labels[] = {
		{"todo", ROUNDUP_ACTION, 0},        {"to do:", ROUNDUP_ACTION, 1},
		{"action items:", ROUNDUP_ACTION, 1}, {"action item:", ROUNDUP_ACTION, 1},
		{"action:", ROUNDUP_ACTION, 1},     {"ai:", ROUNDUP_ACTION, 1},
		{"decisions:", ROUNDUP_DECISION, 1}, {"decision:", ROUNDUP_DECISION, 1},
		{"decided:", ROUNDUP_DECISION, 1},
	};
	for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
		size_t n = lang_phrase_at(s, len, 0, labels[k].w);
		if (!n)
			continue;
		size_t j = n;
		if (!labels[k].colon && j < len && (s[j] == ':' || s[j] == '-'))
			j++;
		*kind = labels[k].kind;
		return skip_blanks(s, len, j);
	}
	return 0;
}

/* An "@name" anywhere in a labelled task names its owner. */
static void owner_in_text(const char *s, size_t len, struct found *f)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '@' || (i > 0 && lang_alnum(s[i - 1])))
			continue;
		size_t j = i + 1;
		while (j < len && (lang_alnum(s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '-'))
			j++;
		while (j > i + 1 && s[j - 1] == '.')
			j--;
		if (j > i + 1) {
			set_owner(f, s + i + 1, j - i - 1);
			return;
		}
	}
}

/* Which rule a sentence meets; 0 when none. */
static int classify(const char *s, size_t len, const struct roundup_msg *m, struct found *f)
{
	memset(f, 0, sizeof *f);
	size_t at;
	enum roundup_kind kind;
	if ((at = label(s, len, &kind))) {
		f->kind = kind;
		f->text_start = at;
		if (kind == ROUNDUP_ACTION)
			owner_in_text(s + at, len - at, f);
		return at < len;
	}
	f->kind = ROUNDUP_ACTION;
	if ((at = at_owner(s, len, f)) || (at = name_to(s, len, f))) {
		f->text_start = at;
		return at < len;
	}
	if ((at = request(s, len))) {
		f->text_start = at;
		if (m->addressee)
			set_owner(f, m->addressee, strlen(m->addressee));
		return 1;
	}
	if ((at = i_will(s, len))) {
		f->text_start = at;
		if (m->sender)
			set_owner(f, m->sender, strlen(m->sender));
		return 1;
	}
	if (has_decision_phrase(s, len)) {
		f->kind = ROUNDUP_DECISION;
		return 1;
	}
	if (len && s[len - 1] == '?') {
		f->kind = ROUNDUP_QUESTION;
		return 1;
	}
	return 0;
}

struct extract {
	const struct policy_hours *h;
	struct roundup *out;
	struct ebb_err *err;
	int full;
};

static int take_sentence(struct extract *x, const char *s, size_t len,
			 const struct roundup_msg *m, int answered)
{
	struct found f;
	while (len && lang_blank(s[len - 1]))
		len--;
	if (len < 3 || !classify(s, len, m, &f))
		return EBB_OK;
	if (f.kind == ROUNDUP_QUESTION && answered)
		return EBB_OK;
	const char *t = s + f.text_start;
	size_t tlen = len - f.text_start;
	/* A task reads better without the request's question mark or full
	 * stop; a question keeps its mark. */
	if (f.kind == ROUNDUP_ACTION)
		while (tlen && (t[tlen - 1] == '?' || t[tlen - 1] == '.' || t[tlen - 1] == '!'))
			tlen--;
	if (!tlen)
		return EBB_OK;
	time_t due = 0;
	int has_time = 0;
	struct policy_deadline dl;
	if (f.kind == ROUNDUP_ACTION && x->h && policy_deadline_find(s, len, x->h, m->sent_at, &dl)) {
		due = dl.at;
		has_time = dl.has_time;
	}
	char *text = util_strndup(t, utf8_cut(t, tlen, ROUNDUP_TEXT_MAX - 1));
	if (!text)
		return ebb_err_set(x->err, EBB_ENOMEM, "out of memory writing a round-up");
	int rc = policy_roundup_add(x->out, f.kind, text, f.owner[0] ? f.owner : NULL, due, has_time,
				    x->err);
	free(text);
	if (rc == EBB_ETOOBIG) {
		x->full = 1;
		ebb_err_clear(x->err);
		return EBB_OK;
	}
	return rc;
}

static int is_abbreviation(const char *s, size_t end)
{
	static const char *const abbr[] = {"e.g", "i.e", "etc", "vs", "approx", "dr", "mr", "mrs",
					   "ms", "no", "cf", NULL};
	char w[16];
	size_t b = end;
	while (b > 0 && (lang_alpha(s[b - 1]) || s[b - 1] == '.') && end - b < sizeof w - 1)
		b--;
	size_t n = end - b;
	for (size_t k = 0; k < n; k++)
		w[k] = (char)lang_lower((unsigned char)s[b + k]);
	w[n] = '\0';
	if (n == 1 && s[b] >= 'A' && s[b] <= 'Z')
		return 1;   /* an initial: "J. Smith" */
	for (size_t k = 0; abbr[k]; k++)
		if (!strcmp(w, abbr[k]))
			return 1;
	return 0;
}

/* Splits a paragraph into sentences at . ! ? followed by a blank or the
 * end; URLs are never split. */
static int take_paragraph(struct extract *x, const char *p, size_t len,
			  const struct roundup_msg *m, int answered)
{
	size_t start = 0;
	for (size_t i = 0; i < len && !x->full; i++) {
		size_t url = lang_url_at(p, len, i);
		if (url) {
			i += url - 1;
			continue;
		}
		char c = p[i];
		if (c != '.' && c != '!' && c != '?')
			continue;
		size_t e = i + 1;
		while (e < len && (p[e] == '.' || p[e] == '!' || p[e] == '?' || p[e] == ')' ||
				   p[e] == '"'))
			e++;
		if (e < len && !lang_blank(p[e]))
			continue;
		if (c == '.' && is_abbreviation(p, i))
			continue;
		size_t b = skip_blanks(p, len, start);
		int rc = take_sentence(x, p + b, e - b, m, answered);
		if (rc)
			return rc;
		start = e;
		i = e - 1;
	}
	if (start < len && !x->full) {
		size_t b = skip_blanks(p, len, start);
		return take_sentence(x, p + b, len - b, m, answered);
	}
	return EBB_OK;
}

/* A line that starts an item of its own: a bullet, a number, a label. */
static size_t item_start(const char *s, size_t len, int *is_item)
{
	*is_item = 1;
	if (len >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && lang_blank(s[1]))
		return skip_blanks(s, len, 2);
	if (len >= 4 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0xA2)
		return skip_blanks(s, len, 3);
	size_t d = 0;
	while (d < len && d < 3 && lang_digit(s[d]))
		d++;
	if (d && d + 1 < len && (s[d] == '.' || s[d] == ')') && lang_blank(s[d + 1]))
		return skip_blanks(s, len, d + 1);
	enum roundup_kind kind;
	if ((len && s[0] == '@') || label(s, len, &kind))
		return 0;
	*is_item = 0;
	return 0;
}

static int take_message(struct extract *x, const struct roundup_msg *m, int answered)
{
	if (!m->text)
		return EBB_OK;
	size_t len = strnlen(m->text, ROUNDUP_MAX_BODY);
	size_t pos = 0;
	struct lang_line line;
	struct sbuf para = {0};
	int rc = EBB_OK;
	int more = 1, in_item = 0;
	while (!rc && !x->full && more) {
		more = lang_next_own_line(m->text, len, &pos, &line);
		int is_item = 0;
		size_t skip = more && line.len ? item_start(line.text, line.len, &is_item) : 0;
		/* An item goes on over indented lines only. */
		int indented = more && line.text > m->text && lang_blank(line.text[-1]);
		/* A blank line, an item or the end closes the paragraph. */
		if (!more || !line.len || is_item || (in_item && !indented)) {
			if (para.len)
				rc = take_paragraph(x, para.buf, para.len, m, answered);
			sbuf_reset(&para);
			in_item = is_item;
		}
		if (rc || !more || !line.len)
			continue;
		if (para.len && sbuf_putc(&para, ' '))
			rc = ebb_err_set(x->err, EBB_ENOMEM, "out of memory writing a round-up");
		else if (sbuf_append(&para, line.text + skip, line.len - skip))
			rc = ebb_err_set(x->err, EBB_ENOMEM, "out of memory writing a round-up");
	}
	sbuf_free(&para);
	return rc;
}

static int same_sender(const char *a, const char *b)
{
	return same_text(a ? a : "", b ? b : "");
}

int policy_roundup_extract(const struct roundup_msg *msgs, size_t n, const struct policy_hours *h,
			   struct roundup *out, struct ebb_err *err)
{
	if (!out)
		return ebb_err_set(err, EBB_EINVAL, "policy_roundup_extract: nowhere to write");
	policy_roundup_free(out);
	struct extract x = {.h = h, .out = out, .err = err};
	for (size_t i = 0; i < n && !x.full; i++) {
		/* A question counts as answered once someone else wrote later. */
		int answered = 0;
		for (size_t j = i + 1; j < n && !answered; j++)
			answered = !same_sender(msgs[j].sender, msgs[i].sender);
		int rc = take_message(&x, &msgs[i], answered);
		if (rc) {
			policy_roundup_free(out);
			return rc;
		}
	}
	return EBB_OK;
}

/* ---- the block ---------------------------------------------------------- */

static const char *const section_titles[] = {"Decisions:", "Action items:", "Open questions:"};

static int format_due(const struct policy_hours *h, const struct roundup_item *it, time_t now,
		      struct sbuf *sb)
{
	static const char *const wday[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct policy_hours utc;
	if (!h) {
		memset(&utc, 0, sizeof utc);
		h = &utc;
	}
	struct tm tm, now_tm;
	if (policy_local_tm(h, it->due_at, &tm) || policy_local_tm(h, now, &now_tm))
		return EBB_OK;  /* a time no zone can show is left out, not guessed */
	int rc = sbuf_printf(sb, " (due %s %d %s", wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon]);
	if (!rc && tm.tm_year != now_tm.tm_year)
		rc = sbuf_printf(sb, " %d", tm.tm_year + 1900);
	if (!rc && it->due_has_time)
		rc = sbuf_printf(sb, " %02d:%02d", tm.tm_hour, tm.tm_min);
	if (!rc)
		rc = sbuf_putc(sb, ')');
	return rc;
}

int policy_roundup_format(const struct roundup *r, const struct policy_hours *h, time_t now,
			  char **out, struct ebb_err *err)
{
	*out = NULL;
	struct sbuf sb = {0};
	int rc = sbuf_puts(&sb, "Round-up\n\n");
	for (int kind = ROUNDUP_DECISION; !rc && kind <= ROUNDUP_QUESTION; kind++) {
		rc = sbuf_printf(&sb, "%s\n", section_titles[kind]);
		int any = 0;
		for (size_t i = 0; r && !rc && i < r->n; i++) {
			const struct roundup_item *it = &r->items[i];
			if ((int)it->kind != kind)
				continue;
			any = 1;
			rc = sbuf_puts(&sb, "- ");
			if (!rc && kind == ROUNDUP_ACTION)
				rc = sbuf_printf(&sb, "[%s] ", it->owner && it->owner[0] ? it->owner : "?");
			if (!rc)
				rc = sbuf_puts(&sb, it->text ? it->text : "");
			if (!rc && kind == ROUNDUP_ACTION && it->due_at)
				rc = format_due(h, it, now, &sb);
			if (!rc)
				rc = sbuf_putc(&sb, '\n');
		}
		if (!rc && !any)
			rc = sbuf_puts(&sb, "- (none)\n");
	}
	if (rc) {
		sbuf_free(&sb);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory writing a round-up");
	}
	*out = sbuf_detach(&sb);
	return *out ? EBB_OK : ebb_err_set(err, EBB_ENOMEM, "out of memory writing a round-up");
}

/* ---- reading the edited block ----------------------------------------- */

/* Which section a heading line opens, or -1. */
static int heading(const char *s, size_t len)
{
	static const struct { const char *w; int kind; } heads[] = {
		{"decisions", ROUNDUP_DECISION},      {"decision", ROUNDUP_DECISION},
		{"action items", ROUNDUP_ACTION},     {"action item", ROUNDUP_ACTION},
		{"actions", ROUNDUP_ACTION},          {"open questions", ROUNDUP_QUESTION},
		{"questions", ROUNDUP_QUESTION},
	};
	while (len && (s[len - 1] == ':' || lang_blank(s[len - 1])))
		len--;
	for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++)
		if (util_strncaseeq(s, len, heads[k].w))
			return heads[k].kind;
	return -1;
}

static int is_title(const char *s, size_t len)
{
	while (len && (s[len - 1] == ':' || lang_blank(s[len - 1])))
		len--;
	return util_strncaseeq(s, len, "round-up") || util_strncaseeq(s, len, "roundup") ||
	       util_strncaseeq(s, len, "round up");
}

struct pending {
	int kind;
	struct sbuf text;
};

/* Turns one collected item into a round-up entry: "[owner] text (due ...)". */
static int flush_item(struct pending *p, const struct policy_hours *h, time_t now,
		      struct roundup *out, struct ebb_err *err)
{
	if (p->kind < 0 || !p->text.len)
		return EBB_OK;
	char *s = p->text.buf;
	size_t len = p->text.len;
	while (len && lang_blank(s[len - 1]))
		len--;
	s[len] = '\0';
	if (!strcmp(s, "(none)"))
		return EBB_OK;
	char *owner = NULL;
	if (p->kind == ROUNDUP_ACTION && s[0] == '[') {
		char *close = strchr(s, ']');
		if (close) {
			*close = '\0';
			owner = s + 1;
			while (lang_blank(*owner))
				owner++;
			size_t ol = strlen(owner);
			while (ol && lang_blank(owner[ol - 1]))
				owner[--ol] = '\0';
			if (!strcmp(owner, "?"))
				owner = NULL;
			s = close + 1;
			while (lang_blank(*s))
				s++;
			len = strlen(s);
		}
	}
	time_t due = 0;
	int has_time = 0;
	if (p->kind == ROUNDUP_ACTION && len && s[len - 1] == ')') {
		char *open = NULL;
		for (char *q = s + len - 1; q > s; q--)
			if (*q == '(') {
				open = q;
				break;
			}
		if (open && !strncmp(open, "(due ", 5)) {
			struct policy_deadline dl;
			size_t inner = (size_t)(s + len - 1 - (open + 5));
			if (h && policy_deadline_find(open + 5, inner, h, now, &dl) && dl.at) {
				due = dl.at;
				has_time = dl.has_time;
				*open = '\0';
				len = (size_t)(open - s);
				while (len && lang_blank(s[len - 1]))
					s[--len] = '\0';
			}
		}
	}
	return policy_roundup_add(out, (enum roundup_kind)p->kind, s, owner, due, has_time, err);
}

int policy_roundup_parse(const char *text, size_t len, const struct policy_hours *h, time_t now,
			 struct roundup *out, struct ebb_err *err)
{
	if (!out)
		return ebb_err_set(err, EBB_EINVAL, "policy_roundup_parse: nowhere to write");
	policy_roundup_free(out);
	if (!text)
		return EBB_OK;
	/* Start at the "Round-up" title when there is one. */
	size_t pos = 0;
	for (size_t p = 0; p < len;) {
		const char *nl = memchr(text + p, '\n', len - p);
		size_t n = nl ? (size_t)(nl - text - p) : len - p;
		size_t b = skip_blanks(text + p, n, 0);
		if (is_title(text + p + b, n - b)) {
			pos = nl ? p + n + 1 : len;
			break;
		}
		p += nl ? n + 1 : n;
	}
	struct pending item = {.kind = -1};
	int section = -1;
	int rc = EBB_OK;
	while (!rc && pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += nl ? n + 1 : n;
		if (n && line[n - 1] == '\r')
			n--;
		if ((n == 3 && !memcmp(line, "-- ", 3)) || (n == 2 && !memcmp(line, "--", 2)))
			break;
		size_t b = skip_blanks(line, n, 0);
		if (b == n)
			continue;
		int head = heading(line + b, n - b);
		if (head >= 0) {
			rc = flush_item(&item, h, now, out, err);
			sbuf_reset(&item.text);
			item.kind = -1;
			section = head;
			continue;
		}
		int is_item;
		size_t skip = item_start(line + b, n - b, &is_item);
		if (is_item && skip && section >= 0) {
			rc = flush_item(&item, h, now, out, err);
			sbuf_reset(&item.text);
			item.kind = section;
			if (!rc && sbuf_append(&item.text, line + b + skip, n - b - skip))
				rc = ebb_err_set(err, EBB_ENOMEM, "out of memory reading a round-up");
			continue;
		}
		if (b > 0 && item.kind >= 0) {   /* an indented line goes on */
			if (sbuf_putc(&item.text, ' ') || sbuf_append(&item.text, line + b, n - b))
				rc = ebb_err_set(err, EBB_ENOMEM, "out of memory reading a round-up");
			continue;
		}
		if (section >= 0)
			break;   /* the reply goes on after the block */
	}
	if (!rc)
		rc = flush_item(&item, h, now, out, err);
	sbuf_free(&item.text);
	if (rc == EBB_ETOOBIG)
		rc = EBB_OK;   /* the first ROUNDUP_MAX_ITEMS are kept */
	if (rc)
		policy_roundup_free(out);
	return rc;
}
