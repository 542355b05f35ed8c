/* libFuzzer target for the IMAP response parser: feeds the input in chunks
 * whose sizes come from the input, walks every response, and checks that
 * strings found survive the mUTF-7, UID set and command-quoting helpers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/imap_parse.h"

/* Small limits, so the fuzzer reaches every limit check quickly. */
static const struct imap_limits fuzz_limits = {
	.max_line = 4096,
	.max_literal = 8192,
	.max_response = 16384,
	.max_items = 1024,
	.max_depth = 16,
};

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* A string put into a command with imap_cmd_string and read back by the
 * parser as a LIST mailbox name must come back byte for byte. */
static void quote_roundtrip(const char *s, size_t len)
{
	if (memchr(s, '\0', len))
		return;
	struct imap_cmd c;
	imap_cmd_init(&c, IMAP_LIT_PLUS);
	int rc = imap_cmd_add(&c, NULL, "* LIST () \"/\" ");
	if (!rc)
		rc = imap_cmd_string(&c, s, len, NULL);
	if (!rc)
		rc = imap_cmd_end(&c, NULL);
	check(rc == 0);
	struct imap_parser *p;
	check(imap_parser_new(NULL, &p, NULL) == 0);
	struct imap_response *r = NULL;
	size_t used;
	check(imap_parser_feed(p, c.buf.buf, c.buf.len, &used, &r, NULL) == 1);
	check(used == c.buf.len && r && r->data == IMAP_DATA_LIST);
	check(r->u.list.name.raw_len == len && !memcmp(r->u.list.name.raw, s, len));
	imap_response_free(r);
	imap_parser_free(p);
	imap_cmd_free(&c);
}

/* decode(encode(x)) == x for UTF-8 text; a decoded name re-encodes. */
static void mutf7_roundtrip(const char *s, size_t len)
{
	struct sbuf enc = {0}, dec = {0};
	if (imap_mutf7_encode(s, len, &enc, NULL) == 0) {
		check(imap_mutf7_decode(enc.buf ? enc.buf : "", enc.len, &dec, NULL) == 0);
		check(dec.len == len && (!len || !memcmp(dec.buf, s, len)));
	}
	sbuf_reset(&dec);
	sbuf_reset(&enc);
	if (imap_mutf7_decode(s, len, &dec, NULL) == 0)
		check(imap_mutf7_encode(dec.buf ? dec.buf : "", dec.len, &enc, NULL) == 0);
	sbuf_free(&enc);
	sbuf_free(&dec);
}

/* A set that parses formats to text that parses to the same ranges. */
static void uidset_roundtrip(const char *s, size_t len)
{
	struct imap_uidset a = {0}, b = {0};
	if (imap_uidset_parse(s, len, &a, NULL) == 0) {
		struct sbuf sb = {0};
		check(imap_uidset_format(&a, &sb) == 0);
		check(imap_uidset_parse(sb.buf, sb.len, &b, NULL) == 0);
		check(a.n == b.n && !memcmp(a.r, b.r, a.n * sizeof *a.r));
		for (size_t i = 0; i < a.n; i++)
			check(imap_uidset_contains(&a, a.r[i].lo) && imap_uidset_contains(&a, a.r[i].hi));
		sbuf_free(&sb);
	}
	imap_uidset_free(&a);
	imap_uidset_free(&b);
}

static unsigned long budget;  /* helper calls left for this input */

/* depth: lists around v; the response's own args list is 0. */
static void walk(const struct imap_value *v, unsigned depth)
{
	if (v->type == IMAP_LIST) {
		check(depth <= fuzz_limits.max_depth);
		check(v->n == 0 || v->items != NULL);
		for (size_t i = 0; i < v->n; i++)
			walk(&v->items[i], depth + 1);
		return;
	}
	check(v->s != NULL && v->s[v->len] == '\0');
	if (!v->literal)
		check(strlen(v->s) == v->len);  /* only literals may hold NUL */
	if (budget && v->len < 512) {
		budget--;
		mutf7_roundtrip(v->s, v->len);
		uidset_roundtrip(v->s, v->len);
		quote_roundtrip(v->s, v->len);
	}
}

static void walk_response(const struct imap_response *r)
{
	walk(&r->args, 0);
	walk(&r->code_args, 0);
	if (r->text)
		check(r->text[r->text_len] == '\0');
	if (r->kind == IMAP_TAGGED)
		check(r->tag && *r->tag);
	if (r->data == IMAP_DATA_FETCH) {
		const struct imap_fetch_data *f = &r->u.fetch;
		for (size_t i = 0; i < f->nsections; i++) {
			const struct imap_section *s = &f->sections[i];
			check(s->item && s->spec);
			if (s->data)
				check(s->data[s->len] == '\0');
		}
		if (f->has & IMAP_FETCH_FLAGS)
			check(f->flags && f->flags->type == IMAP_LIST);
		if (f->has & IMAP_FETCH_UID)
			check(f->uid != 0);
	}
	if (r->data == IMAP_DATA_LIST || r->data == IMAP_DATA_LSUB) {
		const struct imap_mailbox *mb = &r->u.list.name;
		check(mb->raw && mb->utf8 && mb->utf8[mb->utf8_len] == '\0');
	}
	if (r->data == IMAP_DATA_SEARCH)
		for (size_t i = 0; i < r->u.search.n; i++)
			check(r->u.search.nums[i] != 0);
	if (r->data == IMAP_DATA_VANISHED)
		uidset_roundtrip(r->u.vanished.set, r->u.vanished.set_len);
	if (r->data == IMAP_DATA_ESEARCH && (r->u.esearch.has & IMAP_ES_ALL))
		uidset_roundtrip(r->u.esearch.all, r->u.esearch.all_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	/* The first byte seeds the chunk sizes, so the same bytes arrive in
	 * different pieces: the parse must not depend on the split. */
	uint32_t seed = data[0] | 0x100u;
	data++;
	size--;
	struct imap_parser *p;
	if (imap_parser_new(&fuzz_limits, &p, NULL))
		return 0;
	imap_parser_set_utf8_names(p, seed & 1);
	budget = 64;
	size_t pos = 0;
	while (pos < size) {
		seed = seed * 1103515245u + 12345u;
		size_t chunk = 1 + (seed >> 16) % ((seed & 0x10000) ? 7 : 600);
		if (chunk > size - pos)
			chunk = size - pos;
		size_t off = 0;
		int rc = 0;
		while (off < chunk) {
			size_t used;
			struct imap_response *r = NULL;
			struct ebb_err err = {0};
			rc = imap_parser_feed(p, data + pos + off, chunk - off, &used, &r, &err);
			check(used <= chunk - off);
			off += used;
			if (rc < 0) {
				check(err.msg[0] != '\0' && r == NULL);
				check(rc == EBB_EPROTO || rc == EBB_ETOOBIG);
				break;
			}
			if (rc == 1) {
				walk_response(r);
				imap_response_free(r);
			} else {
				check(off == chunk);
			}
		}
		if (rc < 0)
			break;
		pos += chunk;
		check(imap_parser_pending(p) <= fuzz_limits.max_response);
	}
	imap_parser_free(p);
	return 0;
}
