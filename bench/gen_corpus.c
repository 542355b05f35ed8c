/* bench/gen_corpus: writes the benchmark corpus, a Maildir of N realistic
 * messages that is byte-identical for the same --seed and --count.
 *
 * usage: gen_corpus --seed S --count N --out DIR
 *        gen_corpus --version      (prints GEN_VERSION)
 *
 * The search targets the benchmarks query are planted, so every size has
 * them (docs/benchmarks.md): the word "meeting" in ~30 % of the messages
 * (common), "zanzibar" in 1 of every 10 000 and at least one (rare), and the
 * phrase "quarterly budget review" in ~1 % and at least one (phrase). No
 * other generated word is one of these three.
 *
 * Dates are spread over the 12 months before 2026-11-24 (fixed, so the
 * corpus does not depend on today). DIR/.ebb-corpus is written last and
 * records the seed, count and GEN_VERSION: the driver reuses a corpus only
 * when it matches. Bump GEN_VERSION whenever the output changes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define GEN_VERSION 1
#define CORPUS_END 1795478400LL        /* 2026-11-24 00:00 UTC */
#define CORPUS_SPAN (365LL * 86400)
#define RARE_EVERY 10000
#define MAX_REFS 12
#define VOCAB_SIZE 6000

/* ---- deterministic randomness (splitmix64) ------------------------------ */

struct rng {
	uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); the modulo bias is irrelevant for n far below 2^64. */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

static uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* True with probability per_mille / 1000. */
static int rng_chance(struct rng *r, unsigned per_mille)
{
	return rng_below(r, 1000) < per_mille;
}

/* ---- a growing output buffer ------------------------------------------- */

struct buf {
	char *data;
	size_t len, cap;
	int failed;                 /* an allocation failed: the message is lost */
};

static int buf_reserve(struct buf *b, size_t more)
{
	if (b->failed)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 65536;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *grown = realloc(b->data, cap);
	if (!grown) {
		b->failed = 1;
		return -1;
	}
	b->data = grown;
	b->cap = cap;
	return 0;
}

static void put_mem(struct buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void put(struct buf *b, const char *s)
{
	put_mem(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void putf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put_mem(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- word material ------------------------------------------------------ */

/* Frequent English words first: picks are skewed towards the start. */
static const char *const common_words[] = {
	"the", "to", "and", "of", "a", "in", "is", "that", "for", "it", "on", "we", "this",
	"with", "be", "as", "you", "are", "have", "not", "can", "will", "at", "from", "or",
	"an", "by", "but", "if", "so", "all", "our", "they", "would", "there", "about",
	"should", "could", "some", "one", "what", "when", "next", "week", "team", "plan",
	"release", "notes", "draft", "review", "budget", "update", "project", "call",
	"thanks", "please", "agenda", "roadmap", "hiring", "offsite", "deadline", "client",
	"proposal", "invoice", "schedule", "design", "feedback", "report", "numbers",
	"contract", "server", "deploy", "issue", "patch", "version", "test", "build",
	"travel", "lunch", "friday", "monday", "tomorrow", "morning", "afternoon", "office",
	"question", "answer", "change", "support", "customer", "quarter", "sales", "launch",
	"document", "slides", "summary", "decision", "priority", "risk", "milestone",
};

static const char *const syllables[] = {
	"ka", "lo", "mi", "ne", "ra", "ti", "po", "su", "ve", "da", "gor", "lin", "mar",
	"tes", "qua", "bri", "sto", "fen", "hal", "dri", "vo", "cen", "pla", "tor", "mu",
	"shi", "wen", "rok", "bel", "an", "ex", "ul",
};

/* Accented words, so that encoded bodies and subjects carry real UTF-8. */
static const char *const utf8_words[] = {
	"café", "naïve", "résumé", "Zürich", "Müller", "über", "señor", "façade",
	"crème", "straße", "déjà", "Ørsted", "Łódź", "東京", "会議", "Привет",
};

static const char *const targets[] = {"meeting", "zanzibar", "quarterly"};

static char vocab[VOCAB_SIZE][24];
static size_t nvocab;

/* Common words plus made-up ones from syllables: a large, Zipf-like
 * vocabulary gives a full-text index of realistic size. */
static void vocab_build(void)
{
	struct rng r = {0x5eedULL};
	size_t ncommon = sizeof common_words / sizeof *common_words;
	for (size_t i = 0; i < ncommon; i++)
		snprintf(vocab[nvocab++], sizeof vocab[0], "%s", common_words[i]);
	size_t nsyl = sizeof syllables / sizeof *syllables;
	while (nvocab < VOCAB_SIZE) {
		char w[24] = "";
		size_t parts = rng_range(&r, 2, 4);
		for (size_t p = 0; p < parts; p++)
			strncat(w, syllables[rng_below(&r, nsyl)], sizeof w - strlen(w) - 1);
		int clash = 0;
		for (size_t t = 0; t < sizeof targets / sizeof *targets; t++)
			clash |= strstr(w, targets[t]) != NULL;
		if (!clash)
			memcpy(vocab[nvocab++], w, sizeof w);
	}
}

static const char *pick_word(struct rng *r)
{
	/* u^3 puts most picks on the first words, like natural text. */
	double u = (double)(rng_next(r) >> 11) / 9007199254740992.0;
	size_t i = (size_t)(u * u * u * (double)nvocab);
	if (rng_chance(r, 15))
		return utf8_words[rng_below(r, sizeof utf8_words / sizeof *utf8_words)];
	return vocab[i < nvocab ? i : nvocab - 1];
}

/* ---- people ------------------------------------------------------------- */

enum name_enc { NAME_ASCII, NAME_UTF8, NAME_LATIN1 };

struct person {
	const char *display;        /* UTF-8 */
	const char *local;          /* ASCII address part */
	enum name_enc enc;
};

static const struct person people[] = {
	{"Ann Lee", "ann", NAME_ASCII},           {"Bo Berg", "bo", NAME_ASCII},
	{"Cy Diaz", "cy", NAME_ASCII},            {"Dana Wu", "dana", NAME_ASCII},
	{"Eve Olsen", "eve", NAME_ASCII},         {"Frank Moore", "frank", NAME_ASCII},
	{"Grace Kim", "grace", NAME_ASCII},       {"Hugo Park", "hugo", NAME_ASCII},
	{"Émile Roux", "emile", NAME_UTF8},       {"Jürgen Groß", "juergen", NAME_UTF8},
	{"山田 太郎", "yamada", NAME_UTF8},       {"Zoë Ångström", "zoe", NAME_UTF8},
	{"Łukasz Wójcik", "lukasz", NAME_UTF8},   {"Дмитрий Иванов", "dmitry", NAME_UTF8},
	{"François Lefèvre", "francois", NAME_LATIN1}, {"Inés Muñoz", "ines", NAME_LATIN1},
	{"Søren Kjær", "soren", NAME_LATIN1},     {"Björn Nyström", "bjorn", NAME_LATIN1},
	{"José García", "jose", NAME_LATIN1},     {"Renée Dubois", "renee", NAME_LATIN1},
};
#define NPEOPLE (sizeof people / sizeof *people)

static const char *const domains[] = {
	"example.org", "example.com", "corp.example", "mail.example.net", "uni.example.edu",
};
#define NDOMAINS (sizeof domains / sizeof *domains)

static const char *const lists[] = {
	"dev", "announce", "users", "security", "ops", "design", "random", "releases",
};
#define NLISTS (sizeof lists / sizeof *lists)

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_base64(struct buf *b, const unsigned char *in, size_t n, int wrap)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		char q[4] = {b64chars[v >> 18 & 63], b64chars[v >> 12 & 63],
			     i + 1 < n ? b64chars[v >> 6 & 63] : '=', i + 2 < n ? b64chars[v & 63] : '='};
		put_mem(b, q, 4);
		col += 4;
		if (wrap && col >= 76) {
			put(b, "\n");
			col = 0;
		}
	}
	if (wrap && col)
		put(b, "\n");
}

/* UTF-8 to ISO-8859-1 for the Latin-1 names (every one of them fits). */
static size_t to_latin1(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n < cap; p++) {
		if (*p < 0x80)
			out[n++] = *p;
		else if ((*p & 0xe0) == 0xc0 && p[1]) {
			out[n++] = (unsigned char)(((*p & 0x1f) << 6) | (p[1] & 0x3f));
			p++;
		}
	}
	return n;
}

/* An RFC 2047 encoded-word: Q or B, in the given charset. */
static void put_encoded_word(struct buf *b, const unsigned char *s, size_t n, const char *charset,
			     int use_b)
{
	putf(b, "=?%s?%c?", charset, use_b ? 'B' : 'Q');
	if (use_b) {
		put_base64(b, s, n, 0);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (s[i] == ' ')
				put(b, "_");
			else if (s[i] >= 0x80 || s[i] == '=' || s[i] == '?' || s[i] == '_')
				putf(b, "=%02X", s[i]);
			else
				put_mem(b, (const char *)&s[i], 1);
		}
	}
	put(b, "?=");
}

static void put_person(struct buf *b, struct rng *r, const struct person *p, const char *domain)
{
	if (p->enc == NAME_ASCII) {
		putf(b, "%s <%s@%s>", p->display, p->local, domain);
		return;
	}
	if (p->enc == NAME_LATIN1) {
		unsigned char l1[64];
		size_t n = to_latin1(p->display, l1, sizeof l1);
		put_encoded_word(b, l1, n, rng_chance(r, 500) ? "iso-8859-1" : "ISO-8859-1",
				 rng_chance(r, 300));
	} else {
		put_encoded_word(b, (const unsigned char *)p->display, strlen(p->display),
				 rng_chance(r, 500) ? "utf-8" : "UTF-8", rng_chance(r, 500));
	}
	putf(b, " <%s@%s>", p->local, domain);
}

/* ---- messages ----------------------------------------------------------- */

struct corpus {
	struct rng rng;
	uint64_t seed;
	uint64_t count;
	uint64_t rare_slot;         /* i % RARE_EVERY == rare_slot carries "zanzibar" */
	uint64_t phrase_first;      /* carries the phrase, whatever the dice say */
	int32_t *parent;            /* index of the message replied to, or -1 */
	int32_t *root;              /* first message of the thread */
	uint32_t *subject_seed;     /* of the thread's root, to repeat its subject */
	uint8_t *list_of;           /* 0 = not list mail, else 1 + list index */
	int32_t *deep;              /* roots of the threads that grow past 30 */
	int32_t *deep_latest;       /* the newest message of each of them */
	size_t ndeep, deep_cap;
	struct buf msg, text, html;
	unsigned char *blob;        /* attachment bytes */
};

static void put_msgid(struct buf *b, const struct corpus *c, uint64_t i)
{
	uint64_t h = i * 0x9e3779b97f4a7c15ULL ^ c->seed;
	putf(b, "<%016llx.%llu@%s>", (unsigned long long)h, (unsigned long long)i,
	     domains[i % NDOMAINS]);
}

static void put_date(struct buf *b, long long when, int tz_minutes)
{
	time_t local = (time_t)(when + tz_minutes * 60LL);
	struct tm tm;
	gmtime_r(&local, &tm);
	char s[64];
	strftime(s, sizeof s, "%a, %d %b %Y %H:%M:%S", &tm);
	int a = tz_minutes < 0 ? -tz_minutes : tz_minutes;
	putf(b, "%s %c%02d%02d", s, tz_minutes < 0 ? '-' : '+', a / 60, a % 60);
}

static void put_subject_words(struct buf *b, uint32_t seed)
{
	struct rng r = {seed};
	size_t n = rng_range(&r, 2, 7);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(b, " ");
		put(b, pick_word(&r));
	}
	putf(b, " #%u", (unsigned)(seed % 9973));
}

/* The body text: sentences of vocabulary words with the targets planted. */
static void make_text(struct corpus *c, struct buf *t, size_t want, int meeting, int rare,
		      int phrase, uint64_t i)
{
	struct rng *r = &c->rng;
	size_t at_meeting = meeting ? rng_below(r, want) : (size_t)-1;
	size_t at_rare = rare ? rng_below(r, want) : (size_t)-1;
	size_t at_phrase = phrase ? rng_below(r, want) : (size_t)-1;
	size_t line = 0;
	int sentence_start = 1;
	put(t, rng_chance(r, 500) ? "Hi,\n\n" : "Hello all,\n\n");
	while (t->len < want && !t->failed) {
		const char *w = pick_word(r);
		char cap[32];
		if (t->len >= at_meeting) {
			w = "meeting";
			at_meeting = (size_t)-1;
		} else if (t->len >= at_rare) {
			w = "zanzibar";
			at_rare = (size_t)-1;
		} else if (t->len >= at_phrase) {
			w = "quarterly budget review";
			at_phrase = (size_t)-1;
		}
		if (sentence_start && (unsigned char)w[0] < 0x80) {
			snprintf(cap, sizeof cap, "%s", w);
			if (cap[0] >= 'a' && cap[0] <= 'z')
				cap[0] = (char)(cap[0] - 'a' + 'A');
			w = cap;
		}
		size_t wl = strlen(w);
		if (line + wl + 1 > 72) {
			put(t, "\n");
			line = 0;
		} else if (!sentence_start || line) {
			put(t, " ");
			line++;
		}
		put(t, w);
		line += wl;
		sentence_start = 0;
		if (rng_chance(r, 90)) {
			put(t, rng_chance(r, 150) ? "?" : ".");
			line++;
			sentence_start = 1;
			if (rng_chance(r, 150)) {
				put(t, "\n\n");
				line = 0;
			}
		}
	}
	/* Whatever the length, the planted targets are in. */
	if (at_meeting != (size_t)-1)
		put(t, " meeting");
	if (at_rare != (size_t)-1)
		put(t, " zanzibar");
	if (at_phrase != (size_t)-1)
		put(t, " quarterly budget review");
	put(t, ".\n");
	if (c->parent[i] >= 0 && rng_chance(r, 700)) {
		const struct person *p = &people[(uint64_t)c->parent[i] % NPEOPLE];
		putf(t, "\nOn an earlier day, %s wrote:\n", p->display);
		size_t quoted = rng_range(r, 2, 12);
		for (size_t q = 0; q < quoted; q++) {
			put(t, ">");
			size_t words = rng_range(r, 3, 11);
			for (size_t k = 0; k < words; k++) {
				put(t, " ");
				put(t, pick_word(r));
			}
			put(t, "\n");
		}
	}
	if (rng_chance(r, 400))
		put(t, "\n-- \nSent from the benchmark corpus\n");
}

/* Quoted-printable of UTF-8 text, lines kept under 76 with soft breaks. */
static void put_qp(struct buf *b, const struct buf *t)
{
	size_t col = 0;
	for (size_t k = 0; k < t->len; k++) {
		unsigned char ch = (unsigned char)t->data[k];
		if (ch == '\n') {
			put(b, "\n");
			col = 0;
			continue;
		}
		char enc[4];
		size_t n = 1;
		if (ch >= 0x80 || ch == '=') {
			snprintf(enc, sizeof enc, "=%02X", ch);
			n = 3;
		} else {
			enc[0] = (char)ch;
		}
		if (col + n > 75) {
			put(b, "=\n");
			col = 0;
		}
		put_mem(b, enc, n);
		col += n;
	}
}

static void put_html(struct buf *b, const struct buf *t)
{
	put(b, "<html><head><meta charset=\"utf-8\"></head><body><p>");
	for (size_t k = 0; k < t->len; k++) {
		char ch = t->data[k];
		if (ch == '\n' && k + 1 < t->len && t->data[k + 1] == '\n') {
			put(b, "</p>\n<p>");
			k++;
		} else if (ch == '<') {
			put(b, "&lt;");
		} else if (ch == '>') {
			put(b, "&gt;");
		} else if (ch == '&') {
			put(b, "&amp;");
		} else {
			put_mem(b, &ch, 1);
		}
	}
	put(b, "</p></body></html>\n");
}

static void put_transport(struct corpus *c, struct buf *b, uint64_t i, long long when,
			  const char *from_domain)
{
	struct rng *r = &c->rng;
	putf(b, "Return-Path: <bounce-%llu@%s>\n", (unsigned long long)i, from_domain);
	putf(b, "Delivered-To: sam@ebb.test\n");
	size_t hops = rng_range(r, 2, 4);
	for (size_t h = 0; h < hops; h++) {
		put(b, "Received: from ");
		if (h == 0)
			put(b, "mx.ebb.test (mx.ebb.test [10.0.0.5])\n\tby mail.ebb.test (Postfix) with LMTP");
		else
			putf(b, "mail%u.%s (mail%u.%s [192.0.2.%u])\n\tby %s (Postfix) with ESMTPS",
			     (unsigned)rng_below(r, 40), from_domain, (unsigned)rng_below(r, 40),
			     from_domain, (unsigned)rng_range(r, 1, 254),
			     h == 1 ? "mx.ebb.test" : from_domain);
		putf(b, " id %08llX%04X\n\tfor <sam@ebb.test>; ",
		     (unsigned long long)(rng_next(r) & 0xffffffffULL), (unsigned)rng_below(r, 65536));
		put_date(b, when + (long long)(hops - h) * 2, 0);
		put(b, "\n");
	}
	unsigned char sig[256];
	for (size_t k = 0; k < sizeof sig; k++)
		sig[k] = (unsigned char)rng_next(r);
	putf(b, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n\ts=s%u; t=%lld;\n"
		"\th=from:to:cc:subject:date:message-id:in-reply-to:references:mime-version;\n\tbh=",
	     from_domain, (unsigned)rng_below(r, 4) + 2024, when);
	put_base64(b, sig, 32, 0);
	put(b, ";\n\tb=");
	struct buf tmp = {0};
	put_base64(&tmp, sig, sizeof sig, 0);
	for (size_t k = 0; k < tmp.len && !tmp.failed; k += 70) {
		put_mem(b, tmp.data + k, tmp.len - k < 70 ? tmp.len - k : 70);
		put(b, k + 70 < tmp.len ? "\n\t " : "\n");
	}
	if (tmp.failed)
		b->failed = 1;
	if (rng_chance(r, 700))
		putf(b, "Authentication-Results: mx.ebb.test;\n\tdkim=pass header.d=%s header.s=s2025;\n"
			"\tspf=pass (mx.ebb.test: domain of bounce@%s designates 192.0.2.7 as permitted "
			"sender) smtp.mailfrom=%s;\n\tdmarc=pass (p=REJECT sp=REJECT dis=NONE) "
			"header.from=%s\n",
		     from_domain, from_domain, from_domain, from_domain);
	if (rng_chance(r, 300)) {
		putf(b, "ARC-Seal: i=1; a=rsa-sha256; t=%lld; cv=none; d=%s; s=arc-2025;\n\tb=", when,
		     from_domain);
		put_mem(b, tmp.data ? tmp.data : "", tmp.len < 200 ? tmp.len : 200);
		putf(b, "\nARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n"
			"\ts=arc-2025; h=from:to:subject:date:message-id;\n\tbh=",
		     from_domain);
		put_mem(b, tmp.data ? tmp.data : "", tmp.len < 44 ? tmp.len : 44);
		put(b, "\n\tb=");
		put_mem(b, tmp.data ? tmp.data + 44 : "", tmp.len > 244 ? 200 : 0);
		putf(b, "\nARC-Authentication-Results: i=1; mx.%s; dkim=pass header.d=%s;\n"
			"\tspf=pass smtp.mailfrom=%s\n",
		     from_domain, from_domain, from_domain);
	}
	free(tmp.data);
	putf(b, "X-Spam-Score: -%u.%u\nX-Mailer: %s\n", (unsigned)rng_below(r, 5),
	     (unsigned)rng_below(r, 10),
	     rng_chance(r, 500) ? "Mutt/2.2.12 (2023-09-09)" : "Thunderbird 128.4.0");
}

/* Picks the message this one answers, or -1 for a new thread. */
static int32_t pick_parent(struct corpus *c, uint64_t i)
{
	struct rng *r = &c->rng;
	if (i == 0 || !rng_chance(r, 600))
		return -1;
	/* Deep threads: a few roots keep collecting replies, 30 and more. */
	if (c->ndeep && rng_chance(r, 120)) {
		size_t d = rng_below(r, c->ndeep);
		int32_t latest = c->deep_latest[d];
		c->deep_latest[d] = (int32_t)i;
		return latest;
	}
	uint64_t window = i < 3000 ? i : 3000;
	return (int32_t)(i - 1 - rng_below(r, window));
}

static int write_message(struct corpus *c, uint64_t i, const char *dir, int *fatal)
{
	struct rng *r = &c->rng;
	struct buf *b = &c->msg, *t = &c->text, *h = &c->html;
	b->len = t->len = h->len = 0;
	b->failed = t->failed = h->failed = 0;

	int32_t parent = pick_parent(c, i);
	c->parent[i] = parent;
	c->root[i] = parent < 0 ? (int32_t)i : c->root[parent];
	if (parent < 0) {
		c->subject_seed[i] = (uint32_t)rng_next(r);
		c->list_of[i] = rng_chance(r, 250) ? (uint8_t)(1 + rng_below(r, NLISTS)) : 0;
		if (rng_chance(r, 4)) {
			if (c->ndeep == c->deep_cap) {
				size_t cap = c->deep_cap ? c->deep_cap * 2 : 64;
				int32_t *grown = realloc(c->deep, cap * sizeof *grown);
				if (grown)
					c->deep = grown;
				int32_t *grown_latest = realloc(c->deep_latest, cap * sizeof *grown_latest);
				if (grown_latest)
					c->deep_latest = grown_latest;
				if (!grown || !grown_latest) {
					fprintf(stderr, "gen_corpus: out of memory\n");
					*fatal = 1;
					return -1;
				}
				c->deep_cap = cap;
			}
			c->deep[c->ndeep] = (int32_t)i;
			c->deep_latest[c->ndeep++] = (int32_t)i;
		}
	} else {
		c->subject_seed[i] = c->subject_seed[parent];
		c->list_of[i] = c->list_of[parent];
	}

	long long when = CORPUS_END - CORPUS_SPAN +
			 (long long)((double)i / (double)c->count * (double)CORPUS_SPAN) +
			 (long long)rng_below(r, 600);
	int tz = ((int)rng_below(r, 27) - 12) * 60 + (rng_chance(r, 50) ? 30 : 0);
	int from_me = rng_chance(r, 80);
	const struct person *from = &people[rng_below(r, NPEOPLE)];
	const char *from_domain = domains[rng_below(r, NDOMAINS)];
	int list = c->list_of[i];

	if (!from_me)
		put_transport(c, b, i, when, from_domain);
	put(b, "From: ");
	if (from_me)
		put(b, "Sam Rivera <sam@ebb.test>");
	else
		put_person(b, r, from, from_domain);
	put(b, "\nTo: ");
	int to_me = !from_me && !list && rng_chance(r, 620);
	if (list)
		putf(b, "%s@lists.example.org", lists[list - 1]);
	else if (to_me)
		put(b, rng_chance(r, 500) ? "Sam Rivera <sam@ebb.test>" : "sam@ebb.test");
	else
		put_person(b, r, &people[rng_below(r, NPEOPLE)], domains[rng_below(r, NDOMAINS)]);
	size_t ncc = rng_chance(r, 350) ? rng_range(r, 1, 4) : 0;
	for (size_t k = 0; k < ncc; k++) {
		put(b, k ? ",\n\t" : "\nCc: ");
		put_person(b, r, &people[rng_below(r, NPEOPLE)], domains[rng_below(r, NDOMAINS)]);
	}
	put(b, "\nSubject: ");
	if (parent >= 0)
		put(b, rng_chance(r, 900) ? "Re: " : "RE: ");
	if (list)
		putf(b, "[%s] ", lists[list - 1]);
	struct buf subj = {0};
	put_subject_words(&subj, c->subject_seed[i]);
	int subj_utf8 = 0;
	for (size_t k = 0; k < subj.len; k++)
		subj_utf8 |= (unsigned char)subj.data[k] >= 0x80;
	if (subj_utf8 || (c->subject_seed[i] % 7) == 0)
		put_encoded_word(b, (const unsigned char *)(subj.data ? subj.data : ""), subj.len,
				 "UTF-8", c->subject_seed[i] % 2);
	else
		put_mem(b, subj.data ? subj.data : "", subj.len);
	if (subj.failed)
		b->failed = 1;
	free(subj.data);
	put(b, "\nDate: ");
	put_date(b, when, tz);
	put(b, "\nMessage-ID: ");
	put_msgid(b, c, i);
	if (parent >= 0) {
		put(b, "\nIn-Reply-To: ");
		put_msgid(b, c, (uint64_t)parent);
		int32_t chain[MAX_REFS];
		size_t nchain = 0;
		for (int32_t k = parent; k >= 0 && nchain < MAX_REFS; k = c->parent[k])
			chain[nchain++] = k;
		/* A long thread keeps its root first, as mail clients do. */
		if (nchain == MAX_REFS && c->root[i] != chain[nchain - 1])
			chain[nchain - 1] = c->root[i];
		put(b, "\nReferences:");
		for (size_t k = nchain; k-- > 0;) {
			put(b, k + 1 == nchain ? " " : "\n ");
			put_msgid(b, c, (uint64_t)chain[k]);
		}
	}
	if (list) {
		const char *l = lists[list - 1];
		putf(b, "\nList-Id: %s list <%s.lists.example.org>\nList-Unsubscribe: "
			"<mailto:%s-leave@lists.example.org>\nList-Archive: "
			"<https://lists.example.org/archive/%s>\nPrecedence: list",
		     l, l, l, l);
	}
	put(b, "\nMIME-Version: 1.0\n");

	size_t want;
	if (rng_chance(r, 700))
		want = (size_t)rng_range(r, 200, 1500);
	else
		want = (size_t)rng_range(r, 1500, 6000);
	int meeting = rng_chance(r, 310);
	int rare = i % RARE_EVERY == c->rare_slot;
	int phrase = rng_chance(r, 10) || i == c->phrase_first;
	make_text(c, t, want, meeting, rare, phrase, i);
	unsigned kind = (unsigned)rng_below(r, 100);
	int attach = rng_chance(r, 50);
	const char *boundary_mix = "=_ebb_mixed_";
	if (attach)
		putf(b, "Content-Type: multipart/mixed; boundary=\"%s%llu\"\n\nThis is a MIME message.\n"
			"\n--%s%llu\n",
		     boundary_mix, (unsigned long long)i, boundary_mix, (unsigned long long)i);
	if (kind < 55) {
		put(b, "Content-Type: text/plain; charset=utf-8; format=flowed\n"
		       "Content-Transfer-Encoding: 8bit\n\n");
		put_mem(b, t->data ? t->data : "", t->len);
	} else if (kind < 70) {
		put(b, "Content-Type: text/plain; charset=utf-8\n"
		       "Content-Transfer-Encoding: quoted-printable\n\n");
		put_qp(b, t);
	} else if (kind < 80) {
		put(b, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n");
		put_base64(b, (const unsigned char *)(t->data ? t->data : ""), t->len, 1);
	} else {
		putf(b, "Content-Type: multipart/alternative; boundary=\"=_ebb_alt_%llu\"\n\n"
			"--=_ebb_alt_%llu\nContent-Type: text/plain; charset=utf-8\n"
			"Content-Transfer-Encoding: quoted-printable\n\n",
		     (unsigned long long)i, (unsigned long long)i);
		put_qp(b, t);
		putf(b, "\n--=_ebb_alt_%llu\nContent-Type: text/html; charset=utf-8\n"
			"Content-Transfer-Encoding: quoted-printable\n\n",
		     (unsigned long long)i);
		put_html(h, t);
		put_qp(b, h);
		putf(b, "\n--=_ebb_alt_%llu--\n", (unsigned long long)i);
	}
	if (attach) {
		size_t size = (size_t)rng_range(r, 5000, 50000);
		for (size_t k = 0; k < size; k += 8) {
			uint64_t v = rng_next(r);
			memcpy(c->blob + k, &v, size - k < 8 ? size - k : 8);
		}
		int pdf = rng_chance(r, 500);
		putf(b, "\n--%s%llu\nContent-Type: %s; name=\"%s-%llu.%s\"\n"
			"Content-Disposition: attachment; filename=\"%s-%llu.%s\"\n"
			"Content-Transfer-Encoding: base64\n\n",
		     boundary_mix, (unsigned long long)i, pdf ? "application/pdf" : "image/png",
		     pdf ? "report" : "photo", (unsigned long long)i, pdf ? "pdf" : "png",
		     pdf ? "report" : "photo", (unsigned long long)i, pdf ? "pdf" : "png");
		put_base64(b, c->blob, size, 1);
		putf(b, "\n--%s%llu--\n", boundary_mix, (unsigned long long)i);
	}
	if (b->failed || t->failed || h->failed) {
		fprintf(stderr, "gen_corpus: out of memory at message %llu\n", (unsigned long long)i);
		*fatal = 1;
		return -1;
	}

	/* Most mail read; the newest tenth partly unread, some still in new/. */
	int recent = i * 10 >= c->count * 9;
	int in_new = recent && rng_chance(r, 300);
	int seen = !recent || rng_chance(r, 500);
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s/%lld.M%lluP1.ebb-bench%s%s", dir,
			 in_new ? "new" : "cur", when, (unsigned long long)i, in_new ? "" : ":2,",
			 in_new ? "" : (seen ? (rng_chance(r, 30) ? "FS" : "S") : ""));
	if (n < 0 || (size_t)n >= sizeof path) {
		fprintf(stderr, "gen_corpus: the output path is too long\n");
		*fatal = 1;
		return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "gen_corpus: cannot create %s: %s\n", path, strerror(errno));
		*fatal = 1;
		return -1;
	}
	size_t off = 0;
	while (off < b->len) {
		ssize_t w = write(fd, b->data + off, b->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "gen_corpus: cannot write %s: %s\n", path, strerror(errno));
			close(fd);
			*fatal = 1;
			return -1;
		}
		off += (size_t)w;
	}
	/* The file time is the delivery time: Dovecot's INTERNALDATE. */
	struct timespec times[2] = {{.tv_sec = (time_t)when}, {.tv_sec = (time_t)when}};
	futimens(fd, times);
	if (close(fd)) {
		fprintf(stderr, "gen_corpus: cannot write %s: %s\n", path, strerror(errno));
		*fatal = 1;
		return -1;
	}
	return 0;
}

static int make_dir(const char *dir, const char *sub)
{
	char p[4096];
	int n = snprintf(p, sizeof p, "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
	if (n < 0 || (size_t)n >= sizeof p)
		return -1;
	if (mkdir(p, 0755) && errno != EEXIST) {
		fprintf(stderr, "gen_corpus: cannot create %s: %s\n", p, strerror(errno));
		return -1;
	}
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, count = 0;
	const char *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("%d\n", GEN_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			if (parse_u64(argv[++i], &seed))
				goto usage;
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			if (parse_u64(argv[++i], &count))
				goto usage;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else {
			goto usage;
		}
	}
	if (!out || !count || count > INT32_MAX)
		goto usage;

	char marker[4096];
	int n = snprintf(marker, sizeof marker, "%s/.ebb-corpus", out);
	if (n < 0 || (size_t)n >= sizeof marker) {
		fprintf(stderr, "gen_corpus: the output path is too long\n");
		return 1;
	}
	if (make_dir(out, NULL) || make_dir(out, "cur") || make_dir(out, "new") ||
	    make_dir(out, "tmp"))
		return 1;
	unlink(marker);             /* a half-written corpus must not be reused */

	vocab_build();
	struct corpus c = {.rng = {seed}, .seed = seed, .count = count};
	c.rare_slot = (seed * 7919) % (count < RARE_EVERY ? count : RARE_EVERY);
	c.phrase_first = (seed * 104729) % count;
	c.parent = malloc(count * sizeof *c.parent);
	c.root = malloc(count * sizeof *c.root);
	c.subject_seed = malloc(count * sizeof *c.subject_seed);
	c.list_of = malloc(count * sizeof *c.list_of);
	c.blob = malloc(50008);
	int fatal = !c.parent || !c.root || !c.subject_seed || !c.list_of || !c.blob;
	if (fatal)
		fprintf(stderr, "gen_corpus: out of memory for %llu messages\n",
			(unsigned long long)count);
	for (uint64_t i = 0; i < count && !fatal; i++)
		write_message(&c, i, out, &fatal);

	if (!fatal) {
		FILE *f = fopen(marker, "w");
		if (!f || fprintf(f, "seed=%llu count=%llu version=%d\n", (unsigned long long)seed,
				  (unsigned long long)count, GEN_VERSION) < 0 ||
		    fclose(f)) {
			fprintf(stderr, "gen_corpus: cannot write %s\n", marker);
			fatal = 1;
		}
	}
	free(c.parent);
	free(c.root);
	free(c.subject_seed);
	free(c.list_of);
	free(c.deep);
	free(c.deep_latest);
	free(c.blob);
	free(c.msg.data);
	free(c.text.data);
	free(c.html.data);
	return fatal ? 1 : 0;

usage:
	fprintf(stderr, "usage: gen_corpus --seed S --count N --out DIR\n");
	return 2;
}
