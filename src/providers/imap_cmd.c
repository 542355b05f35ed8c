/* providers/imap_cmd: what ebb sends to an IMAP server: commands with safely
 * quoted strings and literals, modified UTF-7 mailbox names and UID sets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_parse.h"

/* ---- UID sets ----------------------------------------------------------- */

void imap_uidset_free(struct imap_uidset *set)
{
	free(set->r);
	set->r = NULL;
	set->n = set->cap = 0;
}

int imap_uidset_add(struct imap_uidset *set, uint32_t lo, uint32_t hi)
{
	if (lo > hi) {
		uint32_t t = lo;
		lo = hi;
		hi = t;
	}
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		if (cap > SIZE_MAX / sizeof *set->r)
			return EBB_ENOMEM;
		struct imap_range *nr = realloc(set->r, cap * sizeof *nr);
		if (!nr)
			return EBB_ENOMEM;
		set->r = nr;
		set->cap = cap;
	}
	set->r[set->n].lo = lo;
	set->r[set->n].hi = hi;
	set->n++;
	return EBB_OK;
}

static int range_cmp(const void *a, const void *b)
{
	const struct imap_range *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

void imap_uidset_normalize(struct imap_uidset *set)
{
	if (set->n < 2)
		return;
	qsort(set->r, set->n, sizeof *set->r, range_cmp);
	size_t out = 0;
	for (size_t i = 1; i < set->n; i++) {
		struct imap_range *cur = &set->r[out];
		/* hi + 1 would overflow at IMAP_STAR, which covers everything after. */
		if (cur->hi == IMAP_STAR || set->r[i].lo <= cur->hi + 1) {
			if (set->r[i].hi > cur->hi)
				cur->hi = set->r[i].hi;
		} else {
			set->r[++out] = set->r[i];
		}
	}
	set->n = out + 1;
}

bool imap_uidset_contains(const struct imap_uidset *set, uint32_t uid)
{
	for (size_t i = 0; i < set->n; i++)
		if (uid >= set->r[i].lo && uid <= set->r[i].hi)
			return true;
	return false;
}

/* seq-number = nz-number / "*" */
static bool set_number(const char *s, size_t n, uint32_t *out)
{
	if (n == 1 && s[0] == '*') {
		*out = IMAP_STAR;
		return true;
	}
	if (!n || n > 10 || s[0] == '0')
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

int imap_uidset_parse(const char *s, size_t len, struct imap_uidset *set, struct ebb_err *err)
{
	set->n = 0;
	if (!len)
		return ebb_err_set(err, EBB_EPARSE, "an empty UID set");
	size_t i = 0;
	while (i <= len) {
		size_t end = i;
		while (end < len && s[end] != ',')
			end++;
		const char *colon = memchr(s + i, ':', end - i);
		uint32_t lo, hi;
		bool ok;
		if (colon) {
			size_t a = (size_t)(colon - (s + i));
			ok = set_number(s + i, a, &lo) && set_number(colon + 1, end - i - a - 1, &hi);
		} else {
			ok = set_number(s + i, end - i, &lo);
			hi = lo;
		}
		if (!ok)
			return ebb_err_set(err, EBB_EPARSE, "a malformed UID set \"%.*s\"",
					   len > 60 ? 60 : (int)len, s);
		if (imap_uidset_add(set, lo, hi))
			return ebb_err_set(err, EBB_ENOMEM, "out of memory for a UID set");
		i = end + 1;
	}
	imap_uidset_normalize(set);
	return EBB_OK;
}

static int put_uid(struct sbuf *out, uint32_t uid)
{
	if (uid == IMAP_STAR)
		return sbuf_putc(out, '*');
	return sbuf_printf(out, "%lu", (unsigned long)uid);
}

int imap_uidset_format(const struct imap_uidset *set, struct sbuf *out)
{
	if (!set->n)
		return EBB_EINVAL;
	for (size_t i = 0; i < set->n; i++) {
		const struct imap_range *r = &set->r[i];
		if ((i && sbuf_putc(out, ',')) || put_uid(out, r->lo))
			return EBB_ENOMEM;
		if (r->hi != r->lo && (sbuf_putc(out, ':') || put_uid(out, r->hi)))
			return EBB_ENOMEM;
	}
	return EBB_OK;
}

/* ---- modified UTF-7 ----------------------------------------------------- */

/* Base64 with ',' in place of '/' and no padding. */
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int b64_value(char ch)
{
	const char *p = ch ? strchr(b64, ch) : NULL;
	return p ? (int)(p - b64) : -1;
}

struct b64_out {
	uint32_t bits;
	unsigned nbits;
};

static int put_unit(struct sbuf *out, struct b64_out *st, uint32_t unit)
{
	st->bits = (st->bits << 16) | unit;
	st->nbits += 16;
	while (st->nbits >= 6) {
		st->nbits -= 6;
		if (sbuf_putc(out, b64[(st->bits >> st->nbits) & 0x3f]))
			return EBB_ENOMEM;
	}
	st->bits &= (1u << st->nbits) - 1;
	return EBB_OK;
}

static int end_run(struct sbuf *out, struct b64_out *st)
{
	if (st->nbits && sbuf_putc(out, b64[(st->bits << (6 - st->nbits)) & 0x3f]))
		return EBB_ENOMEM;
	st->bits = st->nbits = 0;
	return sbuf_putc(out, '-');
}

int imap_mutf7_encode(const char *utf8, size_t len, struct sbuf *out, struct ebb_err *err)
{
	const unsigned char *s = (const unsigned char *)utf8;
	struct b64_out st = {0, 0};
	bool in_run = false;
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		int n = utf8_decode(s + i, len - i, &cp);
		if (n < 0 || cp == 0)
			return ebb_err_set(err, EBB_EINVAL,
					   "the mailbox name is not valid UTF-8 (byte %zu)", i);
		i += (size_t)n;
		int rc = EBB_OK;
		if (cp >= 0x20 && cp <= 0x7e) {
			if (in_run) {
				rc = end_run(out, &st);
				in_run = false;
			}
			if (!rc)
				rc = sbuf_putc(out, (char)cp);
			if (!rc && cp == '&')
				rc = sbuf_putc(out, '-');
		} else {
			if (!in_run) {
				rc = sbuf_putc(out, '&');
				in_run = true;
			}
			if (!rc && cp >= 0x10000) {
				cp -= 0x10000;
				rc = put_unit(out, &st, 0xD800 | (cp >> 10));
				if (!rc)
					rc = put_unit(out, &st, 0xDC00 | (cp & 0x3ff));
			} else if (!rc) {
				rc = put_unit(out, &st, cp);
			}
		}
		if (rc)
			return ebb_err_set(err, EBB_ENOMEM, "out of memory encoding a mailbox name");
	}
	if (in_run && end_run(out, &st))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory encoding a mailbox name");
	return EBB_OK;
}

/* Decodes one "&...-" run starting after the '&'; *i ends after the '-'. */
static int decode_run(const char *s, size_t len, size_t *i, struct sbuf *out)
{
	uint32_t bits = 0, high = 0;
	unsigned nbits = 0;
	size_t units = 0;
	for (;;) {
		if (*i >= len)
			return EBB_EPARSE;
		char ch = s[(*i)++];
		if (ch == '-')
			break;
		int v = b64_value(ch);
		if (v < 0)
			return EBB_EPARSE;
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		uint32_t unit = (bits >> nbits) & 0xffff;
		bits &= (1u << nbits) - 1;
		units++;
		uint32_t cp;
		if (high) {
			if (unit < 0xDC00 || unit > 0xDFFF)
				return EBB_EPARSE;
			cp = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
			high = 0;
		} else if (unit >= 0xD800 && unit <= 0xDBFF) {
			high = unit;
			continue;
		} else if (unit >= 0xDC00 && unit <= 0xDFFF) {
			return EBB_EPARSE;
		} else {
			cp = unit;
		}
		/* Printable ASCII must be sent as itself; NUL never. */
		if (cp == 0 || (cp >= 0x20 && cp <= 0x7e))
			return EBB_EPARSE;
		char enc[4];
		int n = utf8_encode(cp, enc);
		if (sbuf_append(out, enc, (size_t)n))
			return EBB_ENOMEM;
	}
	/* Leftover bits are padding: fewer than 6 and all zero. */
	if (!units || high || nbits >= 6 || bits)
		return EBB_EPARSE;
	return EBB_OK;
}

int imap_mutf7_decode(const char *s, size_t len, struct sbuf *out, struct ebb_err *err)
{
	size_t i = 0;
	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch > 0x7e)
			return ebb_err_set(err, EBB_EPARSE,
					   "the mailbox name has a byte 0x%02x that modified UTF-7 "
					   "does not allow", ch);
		if (ch != '&') {
			if (sbuf_putc(out, (char)ch))
				return ebb_err_set(err, EBB_ENOMEM, "out of memory decoding a mailbox name");
			i++;
			continue;
		}
		i++;
		if (i < len && s[i] == '-') {
			if (sbuf_putc(out, '&'))
				return ebb_err_set(err, EBB_ENOMEM, "out of memory decoding a mailbox name");
			i++;
			continue;
		}
		int rc = decode_run(s, len, &i, out);
		if (rc == EBB_ENOMEM)
			return ebb_err_set(err, rc, "out of memory decoding a mailbox name");
		if (rc)
			return ebb_err_set(err, rc, "the mailbox name is not valid modified UTF-7");
	}
	return EBB_OK;
}

/* ---- commands ----------------------------------------------------------- */

void imap_cmd_init(struct imap_cmd *c, enum imap_literal_mode mode)
{
	memset(c, 0, sizeof *c);
	c->mode = mode;
}

void imap_cmd_free(struct imap_cmd *c)
{
	sbuf_free(&c->buf);
	c->nsync = 0;
}

int imap_cmd_add(struct imap_cmd *c, struct ebb_err *err, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ebb_err_set(err, EBB_EINVAL, "cannot format an IMAP command");
	char *text = small;
	if ((size_t)n >= sizeof small) {
		text = malloc((size_t)n + 1);
		if (!text)
			return ebb_err_set(err, EBB_ENOMEM, "out of memory for an IMAP command");
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	int rc = EBB_OK;
	if (memchr(text, '\r', (size_t)n) || memchr(text, '\n', (size_t)n) ||
	    memchr(text, '\0', (size_t)n))
		rc = ebb_err_set(err, EBB_EINVAL,
				 "refusing to send IMAP command text with a line break or NUL in it");
	else if (sbuf_append(&c->buf, text, (size_t)n))
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory for an IMAP command");
	if (text != small)
		free(text);
	return rc;
}

static int add_literal(struct imap_cmd *c, const char *data, size_t len, struct ebb_err *err)
{
	bool sync = c->mode == IMAP_LIT_SYNC || (c->mode == IMAP_LIT_MINUS && len > 4096);
	if (sync && c->nsync == IMAP_CMD_MAX_SYNC)
		return ebb_err_set(err, EBB_ETOOBIG, "an IMAP command with more than %d literals",
				   IMAP_CMD_MAX_SYNC);
	if (sbuf_printf(&c->buf, "{%zu%s}\r\n", len, sync ? "" : "+"))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for an IMAP command");
	if (sync)
		c->sync_at[c->nsync++] = c->buf.len;
	if (sbuf_append(&c->buf, data, len))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for an IMAP command");
	return EBB_OK;
}

int imap_cmd_literal(struct imap_cmd *c, const char *data, size_t len, struct ebb_err *err)
{
	if (memchr(data, '\0', len))
		return ebb_err_set(err, EBB_EINVAL,
				   "data with a NUL byte cannot be sent as an IMAP literal");
	return add_literal(c, data, len, err);
}

int imap_cmd_string(struct imap_cmd *c, const char *s, size_t len, struct ebb_err *err)
{
	if (memchr(s, '\0', len))
		return ebb_err_set(err, EBB_EINVAL, "a string with a NUL byte cannot be sent over IMAP");
	/* Quoted only when nothing in it needs care; escapes inside quoted
	 * strings are valid IMAP, but a literal is understood by every server. */
	bool quoted = len <= 1024;
	for (size_t i = 0; quoted && i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\')
			quoted = false;
	}
	if (!quoted)
		return add_literal(c, s, len, err);
	if (sbuf_putc(&c->buf, '"') || sbuf_append(&c->buf, s, len) || sbuf_putc(&c->buf, '"'))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for an IMAP command");
	return EBB_OK;
}

int imap_cmd_mailbox(struct imap_cmd *c, const char *utf8, size_t len, bool utf8_accept,
		     struct ebb_err *err)
{
	if (utf8_accept) {
		for (size_t i = 0; i < len;) {
			uint32_t cp;
			int n = utf8_decode((const unsigned char *)utf8 + i, len - i, &cp);
			if (n < 0)
				return ebb_err_set(err, EBB_EINVAL,
						   "the mailbox name is not valid UTF-8 (byte %zu)", i);
			i += (size_t)n;
		}
		return imap_cmd_string(c, utf8, len, err);
	}
	struct sbuf enc = {0};
	int rc = imap_mutf7_encode(utf8, len, &enc, err);
	if (!rc)
		rc = imap_cmd_string(c, enc.buf ? enc.buf : "", enc.len, err);
	sbuf_free(&enc);
	return rc;
}

int imap_cmd_end(struct imap_cmd *c, struct ebb_err *err)
{
	if (sbuf_append(&c->buf, "\r\n", 2))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for an IMAP command");
	return EBB_OK;
}
