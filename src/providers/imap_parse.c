/* providers/imap_parse: frames IMAP server responses byte by byte (counting
 * literals, never searching inside them) and parses each into a value tree. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "imap_parse.h"

/* RFC 9051 says a server may send any response at any time, so the parser
 * works in two steps. Framing: bytes are collected until one response is
 * complete; a line of untagged data that ends in {n} is followed by exactly
 * n bytes of literal, whatever they look like. Parsing: the complete
 * response is read by a small recursive-descent parser into imap_values.
 * The framer puts one NUL after every literal in its buffer, so literals
 * can be handed out in place, NUL-terminated, without a copy. */

void imap_limits_default(struct imap_limits *lim)
{
	lim->max_line = IMAP_DEFAULT_MAX_LINE;
	lim->max_literal = IMAP_DEFAULT_MAX_LITERAL;
	lim->max_response = IMAP_DEFAULT_MAX_RESPONSE;
	lim->max_items = IMAP_DEFAULT_MAX_ITEMS;
	lim->max_depth = IMAP_DEFAULT_MAX_DEPTH;
}

/* ---- arena: all memory of one response, freed at once ------------------- */

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	alignas(max_align_t) char data[];
};

struct imap_resp_mem {
	char *raw;                  /* the framed response, literals in place */
	struct arena_block *blocks;
	size_t first_block;         /* size of the next new block */
};

static void *arena_alloc(struct imap_resp_mem *m, size_t size, size_t align)
{
	struct arena_block *b = m->blocks;
	if (b) {
		size_t at = (b->used + align - 1) & ~(align - 1);
		if (at <= b->cap && size <= b->cap - at) {
			b->used = at + size;
			return b->data + at;
		}
	}
	size_t cap = m->first_block;
	if (cap < size)
		cap = size;
	if (cap > SIZE_MAX - sizeof *b)
		return NULL;
	b = malloc(sizeof *b + cap);
	if (!b)
		return NULL;
	b->next = m->blocks;
	b->used = size;
	b->cap = cap;
	m->blocks = b;
	if (m->first_block < ((size_t)1 << 20))
		m->first_block *= 2;
	return b->data;
}

static char *arena_strndup(struct imap_resp_mem *m, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(m, n + 1, 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void imap_response_free(struct imap_response *r)
{
	if (!r)
		return;
	if (r->mem) {
		struct arena_block *b = r->mem->blocks;
		while (b) {
			struct arena_block *next = b->next;
			free(b);
			b = next;
		}
		free(r->mem->raw);
		free(r->mem);
	}
	free(r);
}

/* ---- small helpers ------------------------------------------------------ */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Recognises a literal announcement "{n}", "{n+}" or "~{n}" that ends the
 * text s[0..n). Returns 1 and *size, 0 when there is none, EBB_ETOOBIG when
 * the size does not fit in 64 bits. */
static int literal_marker(const char *s, size_t n, uint64_t *size)
{
	if (n < 3 || s[n - 1] != '}')
		return 0;
	size_t end = n - 1;
	if (s[end - 1] == '+')
		end--;
	size_t start = end;
	while (start > 0 && is_digit(s[start - 1]))
		start--;
	if (start == end || start == 0 || s[start - 1] != '{')
		return 0;
	uint64_t v = 0;
	for (size_t i = start; i < end; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return EBB_ETOOBIG;
		v = v * 10 + d;
	}
	*size = v;
	return 1;
}

/* ---- framing ------------------------------------------------------------ */

struct imap_parser {
	struct imap_limits lim;
	bool utf8_names;
	char *buf;              /* the response being received */
	size_t len, cap;
	size_t wire;            /* bytes the server sent for it (buf minus sentinels) */
	size_t line_start;      /* offset of the current line in buf */
	bool in_literal;
	uint64_t lit_left;      /* bytes of the current literal still to come */
	size_t nliterals;
	size_t lit_bytes;
	int single_line;        /* -1 until the first line is in; 1 status/continuation */
	int failed;             /* sticky error code */
};

int imap_parser_new(const struct imap_limits *lim, struct imap_parser **out, struct ebb_err *err)
{
	*out = NULL;
	struct imap_parser *p = calloc(1, sizeof *p);
	if (!p)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for the IMAP parser");
	imap_limits_default(&p->lim);
	if (lim) {
		if (lim->max_line)
			p->lim.max_line = lim->max_line;
		if (lim->max_literal)
			p->lim.max_literal = lim->max_literal;
		if (lim->max_response)
			p->lim.max_response = lim->max_response;
		if (lim->max_items)
			p->lim.max_items = lim->max_items;
		if (lim->max_depth)
			p->lim.max_depth = lim->max_depth;
	}
	p->single_line = -1;
	*out = p;
	return EBB_OK;
}

void imap_parser_free(struct imap_parser *p)
{
	if (!p)
		return;
	free(p->buf);
	free(p);
}

void imap_parser_set_utf8_names(struct imap_parser *p, bool on)
{
	p->utf8_names = on;
}

size_t imap_parser_pending(const struct imap_parser *p)
{
	return p->wire;
}

static void frame_reset(struct imap_parser *p)
{
	p->buf = NULL;
	p->len = p->cap = p->wire = p->line_start = 0;
	p->in_literal = false;
	p->lit_left = 0;
	p->nliterals = p->lit_bytes = 0;
	p->single_line = -1;
}

/* Room for extra more bytes plus the terminating NUL. A literal asks for its
 * whole size at once, so a large one is one allocation, not a doubling run. */
static int frame_reserve(struct imap_parser *p, size_t extra)
{
	if (extra > SIZE_MAX - p->len - 2)
		return EBB_ENOMEM;
	size_t need = p->len + extra + 1;
	if (need <= p->cap)
		return EBB_OK;
	size_t cap = p->cap ? p->cap : 256;
	if (cap > SIZE_MAX / 2 || cap * 2 < need)
		cap = need;
	else
		cap *= 2;
	char *nb = realloc(p->buf, cap);
	if (!nb)
		return EBB_ENOMEM;
	p->buf = nb;
	p->cap = cap;
	return EBB_OK;
}

/* Status responses and continuations are one line and never carry literals
 * (resp-text has none), so a "{5}" at the end of their text is just text. */
static bool first_line_is_single(const char *s, size_t n)
{
	if (n >= 1 && s[0] == '+')
		return true;
	if (n < 1 || s[0] != '*')
		return true;   /* tagged: always a status response */
	if (n < 2 || s[1] != ' ')
		return false;
	static const char *const words[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};
	size_t w = 2;
	while (w < n && s[w] != ' ')
		w++;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (util_strncaseeq(s + 2, w - 2, words[i]))
			return true;
	return false;
}

/* A line (with its LF) has arrived. Returns 1 when it ends the response, 0
 * when a literal follows, or a negative code. */
static int frame_line_end(struct imap_parser *p, struct ebb_err *err)
{
	size_t end = p->len - 1;   /* at the LF */
	if (end > p->line_start && p->buf[end - 1] == '\r')
		end--;
	const char *line = p->buf + p->line_start;
	size_t n = end - p->line_start;
	if (p->single_line < 0)
		p->single_line = first_line_is_single(line, n) ? 1 : 0;
	if (p->single_line)
		return 1;
	uint64_t size;
	int m = literal_marker(line, n, &size);
	if (m == 0)
		return 1;
	if (m < 0 || size > p->lim.max_literal)
		return ebb_err_set(err, EBB_ETOOBIG,
				   "the IMAP server announced a literal of %llu bytes, more than the "
				   "limit of %zu", m < 0 ? (unsigned long long)UINT64_MAX
				   : (unsigned long long)size, p->lim.max_literal);
	if (size > p->lim.max_response - p->wire)
		return ebb_err_set(err, EBB_ETOOBIG,
				   "an IMAP response would grow past the limit of %zu bytes "
				   "(a literal of %llu bytes)", p->lim.max_response,
				   (unsigned long long)size);
	if (p->nliterals >= p->lim.max_items)
		return ebb_err_set(err, EBB_ETOOBIG,
				   "an IMAP response has more than %zu literals", p->lim.max_items);
	if (frame_reserve(p, (size_t)size + 1))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for a literal of %llu bytes",
				   (unsigned long long)size);
	p->nliterals++;
	p->lit_bytes += (size_t)size;
	p->in_literal = true;
	p->lit_left = size;
	return 0;
}

static void literal_done(struct imap_parser *p)
{
	p->buf[p->len++] = '\0';   /* sentinel: reserved when the literal was announced */
	p->in_literal = false;
	p->line_start = p->len;
}

static int parse_response(char *raw, size_t len, const struct imap_parser *p,
			  struct imap_response **out, struct ebb_err *err);

int imap_parser_feed(struct imap_parser *p, const void *data, size_t len, size_t *used,
		     struct imap_response **out, struct ebb_err *err)
{
	const char *d = data;
	size_t i = 0;
	int rc = 0;
	*used = 0;
	*out = NULL;
	if (p->failed)
		return ebb_err_set(err, p->failed,
				   "the IMAP connection is out of step after an earlier error and "
				   "must be reopened");
	while (i < len) {
		if (p->in_literal) {
			size_t take = len - i;
			if (take > p->lit_left)
				take = (size_t)p->lit_left;
			memcpy(p->buf + p->len, d + i, take);
			p->len += take;
			p->wire += take;
			p->lit_left -= take;
			i += take;
			if (!p->lit_left)
				literal_done(p);
			continue;
		}
		const char *lf = memchr(d + i, '\n', len - i);
		size_t take = lf ? (size_t)(lf - (d + i)) + 1 : len - i;
		if (p->len - p->line_start + take > p->lim.max_line) {
			rc = ebb_err_set(err, EBB_ETOOBIG,
					 "the IMAP server sent a line longer than the limit of %zu bytes",
					 p->lim.max_line);
			goto fail;
		}
		if (take > p->lim.max_response - p->wire) {
			rc = ebb_err_set(err, EBB_ETOOBIG,
					 "an IMAP response is larger than the limit of %zu bytes",
					 p->lim.max_response);
			goto fail;
		}
		if (frame_reserve(p, take)) {
			rc = ebb_err_set(err, EBB_ENOMEM, "out of memory reading an IMAP response");
			goto fail;
		}
		memcpy(p->buf + p->len, d + i, take);
		p->len += take;
		p->wire += take;
		i += take;
		if (!lf)
			break;
		rc = frame_line_end(p, err);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			if (!p->lit_left)
				literal_done(p);   /* {0} */
			continue;
		}
		/* A whole response: hand the buffer to the parser. */
		char *raw = p->buf;
		size_t raw_len = p->len;
		raw[raw_len] = '\0';
		rc = parse_response(raw, raw_len, p, out, err);
		frame_reset(p);
		if (rc < 0)
			goto fail_reset;
		*used = i;
		return 1;
	}
	*used = i;
	return 0;
fail:
	free(p->buf);
	frame_reset(p);
fail_reset:
	*used = i;
	p->failed = rc;
	return rc;
}

/* ---- parsing one framed response ---------------------------------------- */

struct pctx {
	const char *b;
	size_t len, pos;
	bool literals_ok;
	const struct imap_limits *lim;
	size_t nitems;
	struct imap_resp_mem *mem;
	struct imap_value *stack;   /* items of the lists being read */
	size_t sn, scap;
	struct ebb_err *err;
};

static int peek(const struct pctx *c)
{
	return c->pos < c->len ? (unsigned char)c->b[c->pos] : -1;
}

static bool at_eol(const struct pctx *c)
{
	return c->pos >= c->len || c->b[c->pos] == '\n' ||
	       (c->b[c->pos] == '\r' && c->pos + 1 < c->len && c->b[c->pos + 1] == '\n');
}

static void skip_sp(struct pctx *c)
{
	while (c->pos < c->len && c->b[c->pos] == ' ')
		c->pos++;
}

static int proto(struct pctx *c, const char *what)
{
	int ch = peek(c);
	if (ch < 0)
		return ebb_err_set(c->err, EBB_EPROTO,
				   "the IMAP server sent a malformed response: %s at its end", what);
	return ebb_err_set(c->err, EBB_EPROTO,
			   "the IMAP server sent a malformed response: %s at byte %zu (0x%02x)",
			   what, c->pos, (unsigned)ch);
}

static int nomem(struct pctx *c)
{
	return ebb_err_set(c->err, EBB_ENOMEM, "out of memory parsing an IMAP response");
}

static int count_item(struct pctx *c)
{
	if (++c->nitems > c->lim->max_items)
		return ebb_err_set(c->err, EBB_ETOOBIG,
				   "an IMAP response has more than %zu items", c->lim->max_items);
	return EBB_OK;
}

static bool atom_char(int ch, bool in_code)
{
	if (ch <= 0x20 || ch == 0x7f)
		return false;
	if (ch == '(' || ch == ')' || ch == '{' || ch == '"')
		return false;
	if (in_code && ch == ']')
		return false;
	return true;
}

/* FETCH item names carry a section that may hold spaces and parentheses:
 * BODY[HEADER.FIELDS (DATE FROM)]<0>. Only these names open one. */
static bool section_name(const char *s, size_t n)
{
	return util_strncaseeq(s, n, "BODY") || util_strncaseeq(s, n, "BODY.PEEK") ||
	       util_strncaseeq(s, n, "BINARY") || util_strncaseeq(s, n, "BINARY.PEEK") ||
	       util_strncaseeq(s, n, "BINARY.SIZE");
}

/* From a '[' to its ']' on the same line; quoted strings may hold ']'. */
static int skip_section(struct pctx *c)
{
	c->pos++;
	while (c->pos < c->len) {
		char ch = c->b[c->pos];
		if (ch == ']') {
			c->pos++;
			return EBB_OK;
		}
		if (ch == '\r' || ch == '\n' || ch == '\0' || ch == '[')
			break;
		if (ch == '"') {
			c->pos++;
			while (c->pos < c->len && c->b[c->pos] != '"') {
				if (c->b[c->pos] == '\r' || c->b[c->pos] == '\n' || c->b[c->pos] == '\0')
					return proto(c, "an unterminated quoted string in a section");
				if (c->b[c->pos] == '\\' && c->pos + 1 < c->len)
					c->pos++;
				c->pos++;
			}
		}
		c->pos++;
	}
	return proto(c, "an unterminated body section");
}

static int parse_atom(struct pctx *c, bool in_code, struct imap_value *v)
{
	size_t start = c->pos;
	while (c->pos < c->len) {
		int ch = (unsigned char)c->b[c->pos];
		if (ch == '[' && section_name(c->b + start, c->pos - start)) {
			int rc = skip_section(c);
			if (rc)
				return rc;
			continue;
		}
		if (!atom_char(ch, in_code))
			break;
		c->pos++;
	}
	size_t n = c->pos - start;
	if (!n)
		return proto(c, "an unexpected character");
	const char *s = c->b + start;
	memset(v, 0, sizeof *v);
	v->len = n;
	if (util_strncaseeq(s, n, "NIL")) {
		v->type = IMAP_NIL;
		v->s = "NIL";
		return EBB_OK;
	}
	bool digits = n <= 20;
	uint64_t num = 0;
	for (size_t i = 0; digits && i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (!is_digit(s[i]) || num > (UINT64_MAX - d) / 10)
			digits = false;
		else
			num = num * 10 + d;
	}
	v->type = digits ? IMAP_NUMBER : IMAP_ATOM;
	v->num = digits ? num : 0;
	v->s = arena_strndup(c->mem, s, n);
	return v->s ? EBB_OK : nomem(c);
}

static int parse_quoted(struct pctx *c, struct imap_value *v)
{
	size_t start = ++c->pos, n = 0;
	for (;;) {
		if (c->pos >= c->len)
			return proto(c, "an unterminated quoted string");
		char ch = c->b[c->pos];
		if (ch == '"')
			break;
		if (ch == '\r' || ch == '\n' || ch == '\0')
			return proto(c, "an unterminated quoted string");
		if (ch == '\\') {
			c->pos++;
			if (c->pos >= c->len || c->b[c->pos] == '\r' || c->b[c->pos] == '\n' ||
			    c->b[c->pos] == '\0')
				return proto(c, "a broken escape in a quoted string");
		}
		c->pos++;
		n++;
	}
	size_t end = c->pos++;
	char *out = arena_alloc(c->mem, n + 1, 1);
	if (!out)
		return nomem(c);
	size_t o = 0;
	for (size_t i = start; i < end; i++) {
		if (c->b[i] == '\\')
			i++;
		out[o++] = c->b[i];
	}
	out[o] = '\0';
	memset(v, 0, sizeof *v);
	v->type = IMAP_STRING;
	v->s = out;
	v->len = o;
	return EBB_OK;
}

/* {n}CRLF then n bytes the framer counted and a NUL sentinel it added. */
static int parse_literal(struct pctx *c, struct imap_value *v)
{
	if (!c->literals_ok)
		return proto(c, "a literal where none may be");
	bool lit8 = false;
	if (c->b[c->pos] == '~') {
		lit8 = true;
		c->pos++;
		if (peek(c) != '{')
			return proto(c, "a broken literal8");
	}
	c->pos++;
	uint64_t size = 0;
	size_t digits = 0;
	while (c->pos < c->len && is_digit(c->b[c->pos])) {
		unsigned d = (unsigned)(c->b[c->pos] - '0');
		if (size > (UINT64_MAX - d) / 10)
			return proto(c, "a literal size too large");
		size = size * 10 + d;
		c->pos++;
		digits++;
	}
	if (!digits)
		return proto(c, "a literal without a size");
	if (peek(c) == '+')
		c->pos++;
	if (peek(c) != '}')
		return proto(c, "a broken literal announcement");
	c->pos++;
	if (peek(c) == '\r')
		c->pos++;
	if (peek(c) != '\n')
		return proto(c, "a literal announcement not at the end of a line");
	c->pos++;
	if (size > c->len - c->pos || (size_t)size + 1 > c->len - c->pos ||
	    c->b[c->pos + size] != '\0')
		return proto(c, "a literal that does not match its framing");
	memset(v, 0, sizeof *v);
	v->type = IMAP_STRING;
	v->literal = true;
	v->literal8 = lit8;
	v->s = c->b + c->pos;
	v->len = (size_t)size;
	c->pos += (size_t)size + 1;
	return EBB_OK;
}

static int push_item(struct pctx *c, const struct imap_value *v)
{
	if (c->sn == c->scap) {
		size_t cap = c->scap ? c->scap * 2 : 32;
		struct imap_value *ns = realloc(c->stack, cap * sizeof *ns);
		if (!ns)
			return nomem(c);
		c->stack = ns;
		c->scap = cap;
	}
	c->stack[c->sn++] = *v;
	return EBB_OK;
}

/* Moves the items pushed since base into the arena as list v. */
static int pop_list(struct pctx *c, size_t base, struct imap_value *v)
{
	memset(v, 0, sizeof *v);
	v->type = IMAP_LIST;
	v->n = c->sn - base;
	if (v->n) {
		struct imap_value *items = arena_alloc(c->mem, v->n * sizeof *items,
						       alignof(struct imap_value));
		if (!items)
			return nomem(c);
		memcpy(items, c->stack + base, v->n * sizeof *items);
		v->items = items;
	}
	c->sn = base;
	return EBB_OK;
}

static int parse_value(struct pctx *c, unsigned depth, bool in_code, struct imap_value *v);

/* Items separated by spaces up to ')' (close true) or to the end of the
 * line / ']' of a response code. */
static int parse_items(struct pctx *c, unsigned depth, bool close, bool in_code,
		       struct imap_value *v)
{
	size_t base = c->sn;
	for (;;) {
		skip_sp(c);
		int ch = peek(c);
		if (close && ch == ')') {
			c->pos++;
			break;
		}
		if (!close && (at_eol(c) || (in_code && ch == ']')))
			break;
		if (at_eol(c))
			return proto(c, "an unterminated list");
		struct imap_value item;
		int rc = parse_value(c, depth, in_code, &item);
		if (rc)
			return rc;
		rc = push_item(c, &item);
		if (rc)
			return rc;
	}
	return pop_list(c, base, v);
}

static int parse_value(struct pctx *c, unsigned depth, bool in_code, struct imap_value *v)
{
	int rc = count_item(c);
	if (rc)
		return rc;
	int ch = peek(c);
	if (ch == '(') {
		if (depth + 1 > c->lim->max_depth)
			return ebb_err_set(c->err, EBB_ETOOBIG,
					   "an IMAP response nests lists deeper than the limit of %u",
					   c->lim->max_depth);
		c->pos++;
		return parse_items(c, depth + 1, true, in_code, v);
	}
	if (ch == '"')
		return parse_quoted(c, v);
	if (ch == '{' || (ch == '~' && c->pos + 1 < c->len && c->b[c->pos + 1] == '{'))
		return parse_literal(c, v);
	return parse_atom(c, in_code, v);
}

static int expect_eol(struct pctx *c)
{
	if (peek(c) == '\r')
		c->pos++;
	if (peek(c) != '\n')
		return proto(c, "trailing bytes after the response");
	c->pos++;
	if (c->pos != c->len)
		return proto(c, "bytes after the end of the response");
	return EBB_OK;
}

/* The rest of the line as text; NUL is not text. */
static int rest_of_line(struct pctx *c, const char **text, size_t *len)
{
	size_t start = c->pos;
	while (!at_eol(c)) {
		if (c->b[c->pos] == '\0' || c->b[c->pos] == '\r')
			return proto(c, "a control character in response text");
		c->pos++;
	}
	*len = c->pos - start;
	*text = arena_strndup(c->mem, c->b + start, *len);
	return *text ? EBB_OK : nomem(c);
}

static char *upper_copy(struct pctx *c, const char *s, size_t n)
{
	char *u = arena_strndup(c->mem, s, n);
	if (u)
		for (size_t i = 0; i < n; i++)
			if (u[i] >= 'a' && u[i] <= 'z')
				u[i] = (char)(u[i] - 'a' + 'A');
	return u;
}

/* A word up to SP or the end of the line (tags, status words, names). */
static size_t word_len(const struct pctx *c, bool in_code)
{
	size_t i = c->pos;
	while (i < c->len && c->b[i] != ' ' && c->b[i] != '\r' && c->b[i] != '\n' &&
	       !(in_code && c->b[i] == ']'))
		i++;
	return i - c->pos;
}

static enum imap_status status_word(const char *s, size_t n)
{
	if (util_strncaseeq(s, n, "OK"))
		return IMAP_ST_OK;
	if (util_strncaseeq(s, n, "NO"))
		return IMAP_ST_NO;
	if (util_strncaseeq(s, n, "BAD"))
		return IMAP_ST_BAD;
	if (util_strncaseeq(s, n, "PREAUTH"))
		return IMAP_ST_PREAUTH;
	if (util_strncaseeq(s, n, "BYE"))
		return IMAP_ST_BYE;
	return IMAP_ST_NONE;
}

/* resp-text: ["[" code [SP args] "]" SP] text */
static int parse_resp_text(struct pctx *c, struct imap_response *r)
{
	if (peek(c) == ' ')
		c->pos++;
	r->code_args.type = IMAP_LIST;
	if (peek(c) == '[') {
		c->pos++;
		size_t n = word_len(c, true);
		for (size_t i = 0; i < n; i++)
			if (!atom_char((unsigned char)c->b[c->pos + i], true))
				return proto(c, "a malformed response code");
		if (!n)
			return proto(c, "an empty response code");
		r->code = upper_copy(c, c->b + c->pos, n);
		if (!r->code)
			return nomem(c);
		c->pos += n;
		if (peek(c) == ' ')
			c->pos++;
		size_t args_start = c->pos;
		/* Arguments of codes ebb does not know may be free text that is
		 * not IMAP values: then only code_text has them. */
		size_t save_items = c->nitems, save_sn = c->sn;
		int rc = parse_items(c, 0, false, true, &r->code_args);
		if (rc == EBB_ETOOBIG || rc == EBB_ENOMEM)
			return rc;
		if (rc || peek(c) != ']') {
			c->sn = save_sn;
			c->nitems = save_items;
			memset(&r->code_args, 0, sizeof r->code_args);
			r->code_args.type = IMAP_LIST;
			c->pos = args_start;
			while (!at_eol(c) && c->b[c->pos] != ']')
				c->pos++;
			if (peek(c) != ']')
				return proto(c, "a response code without ']'");
		}
		r->code_text = arena_strndup(c->mem, c->b + args_start, c->pos - args_start);
		if (!r->code_text)
			return nomem(c);
		c->pos++;
		if (peek(c) == ' ')
			c->pos++;
	}
	int rc = rest_of_line(c, &r->text, &r->text_len);
	return rc ? rc : expect_eol(c);
}

/* ---- typed views of untagged data -------------------------------------- */

static int bad_data(struct pctx *c, const char *name, const char *what)
{
	return ebb_err_set(c->err, EBB_EPROTO,
			   "the IMAP server sent a malformed %s response: %s", name, what);
}

static bool get_u32(const struct imap_value *v, bool nonzero, uint32_t *out)
{
	uint64_t n;
	if (!imap_get_number(v, &n) || n > UINT32_MAX || (nonzero && n == 0))
		return false;
	*out = (uint32_t)n;
	return true;
}

static int mailbox_name(struct pctx *c, const struct imap_value *v, bool utf8_names,
			struct imap_mailbox *mb)
{
	if (!v || v->type == IMAP_LIST)
		return EBB_EPROTO;
	/* A mailbox is an astring; a bare NIL there is a mailbox named "NIL". */
	mb->raw = v->s;
	mb->raw_len = v->len;
	mb->utf8 = v->s;
	mb->utf8_len = v->len;
	mb->decoded = false;
	if (utf8_names)
		return EBB_OK;
	struct sbuf sb = {0};
	if (imap_mutf7_decode(v->s, v->len, &sb, NULL) == EBB_OK) {
		char *u = arena_strndup(c->mem, sb.buf ? sb.buf : "", sb.len);
		if (!u) {
			sbuf_free(&sb);
			return nomem(c);
		}
		mb->utf8 = u;
		mb->utf8_len = sb.len;
		mb->decoded = true;
	}
	sbuf_free(&sb);
	return EBB_OK;
}

static int view_list(struct pctx *c, struct imap_response *r, bool utf8_names)
{
	const struct imap_value *attrs = imap_item(&r->args, 0);
	const struct imap_value *delim = imap_item(&r->args, 1);
	const struct imap_value *name = imap_item(&r->args, 2);
	if (!attrs || attrs->type != IMAP_LIST)
		return bad_data(c, r->name, "no attribute list");
	if (!delim || (delim->type != IMAP_NIL && (delim->type != IMAP_STRING || delim->len != 1)))
		return bad_data(c, r->name, "no hierarchy delimiter");
	r->u.list.attrs = attrs;
	r->u.list.delim = delim->type == IMAP_NIL ? 0 : delim->s[0];
	int rc = mailbox_name(c, name, utf8_names, &r->u.list.name);
	if (rc == EBB_EPROTO)
		return bad_data(c, r->name, "no mailbox name");
	return rc;
}

static int view_status(struct pctx *c, struct imap_response *r, bool utf8_names)
{
	struct imap_status_data *st = &r->u.status;
	int rc = mailbox_name(c, imap_item(&r->args, 0), utf8_names, &st->name);
	if (rc == EBB_EPROTO)
		return bad_data(c, "STATUS", "no mailbox name");
	if (rc)
		return rc;
	const struct imap_value *att = imap_item(&r->args, 1);
	if (!att || att->type != IMAP_LIST || att->n % 2)
		return bad_data(c, "STATUS", "no attribute list");
	const struct {
		const char *name;
		unsigned bit;
		uint64_t *field;
	} keys[] = {
		{"MESSAGES", IMAP_STATUS_MESSAGES, &st->messages},
		{"RECENT", IMAP_STATUS_RECENT, &st->recent},
		{"UIDNEXT", IMAP_STATUS_UIDNEXT, &st->uidnext},
		{"UIDVALIDITY", IMAP_STATUS_UIDVALIDITY, &st->uidvalidity},
		{"UNSEEN", IMAP_STATUS_UNSEEN, &st->unseen},
		{"HIGHESTMODSEQ", IMAP_STATUS_HIGHESTMODSEQ, &st->highestmodseq},
		{"SIZE", IMAP_STATUS_SIZE, &st->size},
	};
	for (size_t i = 0; i < att->n; i += 2) {
		uint64_t num;
		if (!imap_get_number(&att->items[i + 1], &num))
			return bad_data(c, "STATUS", "an attribute without a number");
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			if (imap_is_atom(&att->items[i], keys[k].name)) {
				st->has |= keys[k].bit;
				*keys[k].field = num;
			}
		}
	}
	return EBB_OK;
}

static int view_search(struct pctx *c, struct imap_response *r)
{
	struct imap_search_data *s = &r->u.search;
	size_t n = r->args.n;
	const struct imap_value *last = imap_item(&r->args, n ? n - 1 : 0);
	if (last && last->type == IMAP_LIST) {
		if (last->n != 2 || !imap_is_atom(&last->items[0], "MODSEQ") ||
		    !imap_get_number(&last->items[1], &s->modseq))
			return bad_data(c, "SEARCH", "a broken (MODSEQ n)");
		n--;
	}
	if (!n)
		return EBB_OK;
	uint32_t *nums = arena_alloc(c->mem, n * sizeof *nums, alignof(uint32_t));
	if (!nums)
		return nomem(c);
	for (size_t i = 0; i < n; i++)
		if (!get_u32(&r->args.items[i], true, &nums[i]))
			return bad_data(c, "SEARCH", "an entry that is not a message number");
	s->nums = nums;
	s->n = n;
	return EBB_OK;
}

static int view_esearch(struct pctx *c, struct imap_response *r)
{
	struct imap_esearch_data *es = &r->u.esearch;
	size_t i = 0;
	const struct imap_value *corr = imap_item(&r->args, 0);
	if (corr && corr->type == IMAP_LIST) {
		if (corr->n != 2 || !imap_is_atom(&corr->items[0], "TAG") ||
		    corr->items[1].type != IMAP_STRING)
			return bad_data(c, "ESEARCH", "a broken (TAG ...) correlator");
		es->tag = corr->items[1].s;
		i++;
	}
	if (imap_is_atom(imap_item(&r->args, i), "UID")) {
		es->uid = true;
		i++;
	}
	for (; i < r->args.n; i += 2) {
		const struct imap_value *key = &r->args.items[i];
		const struct imap_value *val = imap_item(&r->args, i + 1);
		if (key->type != IMAP_ATOM || !val)
			return bad_data(c, "ESEARCH", "a result without a value");
		uint32_t *field = NULL;
		unsigned bit = 0;
		if (imap_is_atom(key, "MIN")) {
			field = &es->min;
			bit = IMAP_ES_MIN;
		} else if (imap_is_atom(key, "MAX")) {
			field = &es->max;
			bit = IMAP_ES_MAX;
		} else if (imap_is_atom(key, "COUNT")) {
			field = &es->count;
			bit = IMAP_ES_COUNT;
		}
		if (field) {
			if (!get_u32(val, bit != IMAP_ES_COUNT, field))
				return bad_data(c, "ESEARCH", "a result that is not a number");
			es->has |= bit;
		} else if (imap_is_atom(key, "ALL")) {
			if (val->type != IMAP_ATOM && val->type != IMAP_NUMBER)
				return bad_data(c, "ESEARCH", "ALL without a sequence set");
			es->all = val->s;
			es->all_len = val->len;
			es->has |= IMAP_ES_ALL;
		} else if (imap_is_atom(key, "MODSEQ")) {
			if (!imap_get_number(val, &es->modseq))
				return bad_data(c, "ESEARCH", "MODSEQ without a number");
			es->has |= IMAP_ES_MODSEQ;
		}
	}
	return EBB_OK;
}

static int view_vanished(struct pctx *c, struct imap_response *r)
{
	size_t i = 0;
	const struct imap_value *first = imap_item(&r->args, 0);
	if (first && first->type == IMAP_LIST) {
		if (first->n != 1 || !imap_is_atom(&first->items[0], "EARLIER"))
			return bad_data(c, "VANISHED", "an unknown modifier");
		r->u.vanished.earlier = true;
		i++;
	}
	const struct imap_value *set = imap_item(&r->args, i);
	if (!set || (set->type != IMAP_ATOM && set->type != IMAP_NUMBER) || r->args.n != i + 1)
		return bad_data(c, "VANISHED", "no UID set");
	r->u.vanished.set = set->s;
	r->u.vanished.set_len = set->len;
	return EBB_OK;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153LL * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool fixed_digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE,
 * e.g. "17-Jul-1996 02:44:25 -0700" (the day may be " 7"). */
static bool parse_date_time(const char *s, size_t n, time_t *out)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	if (n && s[0] == ' ') {
		s++;
		n--;
	}
	/* After the one- or two-digit day: "-Jul-1996 02:44:25 -0700", 24 bytes. */
	size_t dl = n > 1 && s[1] == '-' ? 1 : 2;
	int day, year, hh, mm, ss, zh, zm, mon = 0;
	if (n != dl + 24 || !fixed_digits(s, dl, &day))
		return false;
	s += dl;
	if (s[0] != '-' || s[4] != '-' || s[9] != ' ' || s[12] != ':' || s[15] != ':' ||
	    s[18] != ' ' || (s[19] != '+' && s[19] != '-'))
		return false;
	for (int i = 0; i < 12; i++)
		if (lower(s[1]) == months[i * 3] && lower(s[2]) == months[i * 3 + 1] &&
		    lower(s[3]) == months[i * 3 + 2])
			mon = i + 1;
	if (!mon || !fixed_digits(s + 5, 4, &year) || !fixed_digits(s + 10, 2, &hh) ||
	    !fixed_digits(s + 13, 2, &mm) || !fixed_digits(s + 16, 2, &ss) ||
	    !fixed_digits(s + 20, 2, &zh) || !fixed_digits(s + 22, 2, &zm))
		return false;
	if (year < 1 || day < 1 || day > days_in_month(year, mon) || hh > 23 || mm > 59 ||
	    ss > 60 || zm > 59)
		return false;
	long long t = days_from_civil(year, mon, day) * 86400LL + hh * 3600LL + mm * 60LL + ss;
	long long zone = zh * 3600LL + zm * 60LL;
	t += s[19] == '+' ? -zone : zone;
	*out = (time_t)t;
	return true;
}

/* A body section item: BODY[spec]<origin>, BINARY[spec]<origin>, RFC822... */
static int section_item(struct pctx *c, const struct imap_value *key,
			const struct imap_value *val, struct imap_section *sec)
{
	const char *k = key->s;
	size_t n = key->len;
	memset(sec, 0, sizeof *sec);
	sec->item = k;
	if (util_strncaseeq(k, n, "RFC822"))
		sec->spec = "";
	else if (util_strncaseeq(k, n, "RFC822.HEADER"))
		sec->spec = "HEADER";
	else if (util_strncaseeq(k, n, "RFC822.TEXT"))
		sec->spec = "TEXT";
	if (!sec->spec) {
		/* The last ']': a quoted header name in the section may hold one. */
		const char *open = memchr(k, '[', n), *close = NULL;
		for (const char *q = k + n; open && q > open; q--)
			if (q[-1] == ']') {
				close = q - 1;
				break;
			}
		if (!close)
			return bad_data(c, "FETCH", "a body section without ']'");
		sec->binary = lower(k[0]) == 'b' && lower(k[1]) == 'i';
		sec->spec = arena_strndup(c->mem, open + 1, (size_t)(close - open - 1));
		if (!sec->spec)
			return nomem(c);
		const char *rest = close + 1, *end = k + n;
		if (rest < end) {
			uint64_t origin = 0;
			const char *p = rest + 1;
			if (*rest != '<' || end[-1] != '>' || p == end - 1)
				return bad_data(c, "FETCH", "a broken <origin> of a section");
			for (; p < end - 1; p++) {
				if (!is_digit(*p) || origin > UINT32_MAX)
					return bad_data(c, "FETCH", "a broken <origin> of a section");
				origin = origin * 10 + (uint64_t)(*p - '0');
			}
			if (origin > UINT32_MAX)
				return bad_data(c, "FETCH", "a broken <origin> of a section");
			sec->has_origin = true;
			sec->origin = (uint32_t)origin;
		}
	}
	if (val->type == IMAP_NIL)
		return EBB_OK;
	if (val->type != IMAP_STRING)
		return bad_data(c, "FETCH", "a body section that is not a string");
	sec->data = val->s;
	sec->len = val->len;
	return EBB_OK;
}

static bool is_section_key(const struct imap_value *key)
{
	const char *k = key->s;
	size_t n = key->len;
	if (util_strncaseeq(k, n, "RFC822") || util_strncaseeq(k, n, "RFC822.HEADER") ||
	    util_strncaseeq(k, n, "RFC822.TEXT"))
		return true;
	return (n >= 5 && util_strncaseeq(k, 5, "BODY[")) ||
	       (n >= 7 && util_strncaseeq(k, 7, "BINARY["));
}

static int view_fetch(struct pctx *c, struct imap_response *r)
{
	struct imap_fetch_data *f = &r->u.fetch;
	const struct imap_value *att = imap_item(&r->args, 0);
	if (!att || att->type != IMAP_LIST || r->args.n != 1)
		return bad_data(c, "FETCH", "no attribute list");
	if (att->n % 2)
		return bad_data(c, "FETCH", "an attribute without a value");
	size_t nsec = 0;
	for (size_t i = 0; i < att->n; i += 2) {
		if (att->items[i].type != IMAP_ATOM)
			return bad_data(c, "FETCH", "an attribute name that is not an atom");
		if (is_section_key(&att->items[i]))
			nsec++;
	}
	struct imap_section *secs = NULL;
	if (nsec) {
		secs = arena_alloc(c->mem, nsec * sizeof *secs, alignof(struct imap_section));
		if (!secs)
			return nomem(c);
	}
	for (size_t i = 0; i < att->n; i += 2) {
		const struct imap_value *key = &att->items[i], *val = &att->items[i + 1];
		if (imap_is_atom(key, "UID")) {
			if (!get_u32(val, true, &f->uid))
				return bad_data(c, "FETCH", "a UID that is not a number");
			f->has |= IMAP_FETCH_UID;
		} else if (imap_is_atom(key, "FLAGS")) {
			if (val->type != IMAP_LIST)
				return bad_data(c, "FETCH", "FLAGS that are not a list");
			f->flags = val;
			f->has |= IMAP_FETCH_FLAGS;
		} else if (imap_is_atom(key, "INTERNALDATE")) {
			if (val->type != IMAP_STRING || !parse_date_time(val->s, val->len, &f->internaldate))
				return bad_data(c, "FETCH", "an INTERNALDATE that is not a date");
			f->has |= IMAP_FETCH_INTERNALDATE;
		} else if (imap_is_atom(key, "RFC822.SIZE")) {
			if (!imap_get_number(val, &f->size))
				return bad_data(c, "FETCH", "an RFC822.SIZE that is not a number");
			f->has |= IMAP_FETCH_SIZE;
		} else if (imap_is_atom(key, "MODSEQ")) {
			if (val->type != IMAP_LIST || val->n != 1 ||
			    !imap_get_number(&val->items[0], &f->modseq))
				return bad_data(c, "FETCH", "a MODSEQ that is not (number)");
			f->has |= IMAP_FETCH_MODSEQ;
		} else if (imap_is_atom(key, "ENVELOPE")) {
			if (val->type != IMAP_LIST)
				return bad_data(c, "FETCH", "an ENVELOPE that is not a list");
			f->envelope = val;
			f->has |= IMAP_FETCH_ENVELOPE;
		} else if (imap_is_atom(key, "BODYSTRUCTURE") || imap_is_atom(key, "BODY")) {
			if (val->type != IMAP_LIST)
				return bad_data(c, "FETCH", "a BODYSTRUCTURE that is not a list");
			f->bodystructure = val;
			f->has |= IMAP_FETCH_BODYSTRUCTURE;
		} else if (is_section_key(key)) {
			int rc = section_item(c, key, val, &secs[f->nsections]);
			if (rc)
				return rc;
			f->nsections++;
		}
	}
	f->sections = secs;
	return EBB_OK;
}

static int parse_untagged_data(struct pctx *c, struct imap_response *r, bool utf8_names)
{
	size_t n = word_len(c, false);
	uint32_t num = 0;
	bool numbered = n > 0;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(c->b[c->pos + i]))
			numbered = false;
	if (numbered) {
		uint64_t v = 0;
		for (size_t i = 0; i < n && v <= UINT32_MAX; i++)
			v = v * 10 + (uint64_t)(c->b[c->pos + i] - '0');
		if (v > UINT32_MAX)
			return proto(c, "a message number over 32 bits");
		num = (uint32_t)v;
		c->pos += n;
		if (peek(c) != ' ')
			return proto(c, "a message number without data");
		c->pos++;
		n = word_len(c, false);
	}
	for (size_t i = 0; i < n; i++)
		if (!atom_char((unsigned char)c->b[c->pos + i], false))
			return proto(c, "a malformed data name");
	if (!n)
		return proto(c, "untagged data without a name");
	r->name = upper_copy(c, c->b + c->pos, n);
	if (!r->name)
		return nomem(c);
	r->has_number = numbered;
	r->number = num;
	c->pos += n;
	size_t args_start = c->pos, save_items = c->nitems, save_sn = c->sn;
	int rc = parse_items(c, 0, false, false, &r->args);
	if (rc == EBB_OK)
		rc = expect_eol(c);

	static const struct {
		const char *name;
		enum imap_data data;
		int numbered;  /* 1 needs a number, 0 must not have one */
	} names[] = {
		{"CAPABILITY", IMAP_DATA_CAPABILITY, 0}, {"ENABLED", IMAP_DATA_ENABLED, 0},
		{"FLAGS", IMAP_DATA_FLAGS, 0},           {"LIST", IMAP_DATA_LIST, 0},
		{"LSUB", IMAP_DATA_LSUB, 0},             {"STATUS", IMAP_DATA_STATUS, 0},
		{"SEARCH", IMAP_DATA_SEARCH, 0},         {"ESEARCH", IMAP_DATA_ESEARCH, 0},
		{"EXISTS", IMAP_DATA_EXISTS, 1},         {"RECENT", IMAP_DATA_RECENT, 1},
		{"EXPUNGE", IMAP_DATA_EXPUNGE, 1},       {"VANISHED", IMAP_DATA_VANISHED, 0},
		{"FETCH", IMAP_DATA_FETCH, 1},
	};
	enum imap_data data = IMAP_DATA_OTHER;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!strcmp(r->name, names[i].name)) {
			if (names[i].numbered != (int)numbered)
				return bad_data(c, r->name, numbered ? "an unexpected message number"
								      : "no message number");
			data = names[i].data;
		}
	}
	if (rc == EBB_ETOOBIG || rc == EBB_ENOMEM)
		return rc;
	if (rc) {
		if (data != IMAP_DATA_OTHER)
			return rc;
		/* Data ebb has no use for and cannot read as values (some servers
		 * send free text): keep its first line as text, not an error. */
		c->sn = save_sn;
		c->nitems = save_items;
		memset(&r->args, 0, sizeof r->args);
		r->args.type = IMAP_LIST;
		c->pos = args_start;
		skip_sp(c);
		args_start = c->pos;
		while (c->pos < c->len && c->b[c->pos] != '\r' && c->b[c->pos] != '\n')
			c->pos++;
		r->text = arena_strndup(c->mem, c->b + args_start, c->pos - args_start);
		if (!r->text)
			return nomem(c);
		r->text_len = c->pos - args_start;
		r->data = IMAP_DATA_OTHER;
		return EBB_OK;
	}
	r->data = data;
	switch (data) {
	case IMAP_DATA_FLAGS:
		r->u.flags = imap_item(&r->args, 0);
		if (!r->u.flags || r->u.flags->type != IMAP_LIST)
			return bad_data(c, "FLAGS", "no flag list");
		return EBB_OK;
	case IMAP_DATA_LIST:
	case IMAP_DATA_LSUB:
		return view_list(c, r, utf8_names);
	case IMAP_DATA_STATUS:
		return view_status(c, r, utf8_names);
	case IMAP_DATA_SEARCH:
		return view_search(c, r);
	case IMAP_DATA_ESEARCH:
		return view_esearch(c, r);
	case IMAP_DATA_VANISHED:
		return view_vanished(c, r);
	case IMAP_DATA_FETCH:
		return view_fetch(c, r);
	default:
		return EBB_OK;
	}
}

static bool valid_tag(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];
		if (!atom_char(ch, false) || ch >= 0x80 || ch == '+' || ch == '%' || ch == '*' ||
		    ch == '\\')
			return false;
	}
	return true;
}

static int parse_response(char *raw, size_t len, const struct imap_parser *p,
			  struct imap_response **out, struct ebb_err *err)
{
	struct imap_response *r = calloc(1, sizeof *r);
	struct imap_resp_mem *mem = calloc(1, sizeof *mem);
	if (!r || !mem) {
		free(r);
		free(mem);
		free(raw);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory parsing an IMAP response");
	}
	r->mem = mem;
	mem->raw = raw;
	/* Scalars outside literals are at most as long as the line bytes, plus
	 * one NUL each: one block of about that size usually holds everything. */
	size_t line_bytes = len - p->lit_bytes;
	mem->first_block = line_bytes < 64 ? 256 : line_bytes * 2;
	if (mem->first_block > ((size_t)1 << 20))
		mem->first_block = (size_t)1 << 20;
	struct pctx c = {
		.b = raw,
		.len = len,
		.lim = &p->lim,
		.mem = mem,
		.err = err,
	};
	int rc;
	r->args.type = IMAP_LIST;
	r->code_args.type = IMAP_LIST;
	if (raw[0] == '+') {
		r->kind = IMAP_CONTINUE;
		c.pos = 1;
		if (peek(&c) == ' ')
			c.pos++;
		rc = rest_of_line(&c, &r->text, &r->text_len);
		if (!rc)
			rc = expect_eol(&c);
	} else if (raw[0] == '*') {
		r->kind = IMAP_UNTAGGED;
		c.pos = 1;
		if (peek(&c) != ' ') {
			rc = proto(&c, "'*' without a space");
		} else {
			c.pos++;
			size_t n = word_len(&c, false);
			r->status = status_word(raw + c.pos, n);
			if (r->status != IMAP_ST_NONE) {
				c.pos += n;
				rc = parse_resp_text(&c, r);
			} else {
				c.literals_ok = !p->single_line;
				rc = parse_untagged_data(&c, r, p->utf8_names);
			}
		}
	} else {
		r->kind = IMAP_TAGGED;
		size_t n = word_len(&c, false);
		if (!valid_tag(raw, n)) {
			rc = proto(&c, "a response that starts with neither '*', '+' nor a tag");
		} else if (!(r->tag = arena_strndup(mem, raw, n))) {
			rc = nomem(&c);
		} else {
			c.pos = n;
			if (peek(&c) == ' ')
				c.pos++;
			size_t w = word_len(&c, false);
			r->status = status_word(raw + c.pos, w);
			if (r->status != IMAP_ST_OK && r->status != IMAP_ST_NO &&
			    r->status != IMAP_ST_BAD) {
				rc = proto(&c, "a tagged response without OK, NO or BAD");
			} else {
				c.pos += w;
				rc = parse_resp_text(&c, r);
			}
		}
	}
	free(c.stack);
	if (rc) {
		imap_response_free(r);
		return rc;
	}
	*out = r;
	return EBB_OK;
}

/* ---- accessors ---------------------------------------------------------- */

const struct imap_value *imap_item(const struct imap_value *v, size_t i)
{
	if (!v || v->type != IMAP_LIST || i >= v->n)
		return NULL;
	return &v->items[i];
}

bool imap_is_atom(const struct imap_value *v, const char *word)
{
	return v && v->type == IMAP_ATOM && util_strncaseeq(v->s, v->len, word);
}

bool imap_get_number(const struct imap_value *v, uint64_t *out)
{
	if (!v || v->type != IMAP_NUMBER)
		return false;
	*out = v->num;
	return true;
}

const char *imap_get_string(const struct imap_value *v, size_t *len)
{
	if (!v || (v->type != IMAP_ATOM && v->type != IMAP_NUMBER && v->type != IMAP_STRING))
		return NULL;
	if (len)
		*len = v->len;
	return v->s;
}

bool imap_list_has_atom(const struct imap_value *list, const char *word)
{
	if (!list || list->type != IMAP_LIST)
		return false;
	for (size_t i = 0; i < list->n; i++)
		if (imap_is_atom(&list->items[i], word))
			return true;
	return false;
}

bool imap_code_number(const struct imap_response *r, const char *name, uint64_t *out)
{
	if (!r->code || strcmp(r->code, name) != 0)
		return false;
	return imap_get_number(imap_item(&r->code_args, 0), out);
}
