/* providers/slack_text: Slack's message text (mrkdwn with <...> control
 * sequences and three HTML entities) turned into the plain text ebb
 * stores, text typed in ebb escaped for Slack, and message timestamps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slack_int.h"

#define SK_TOKEN_MAX 4096          /* longest <...> taken as a control sequence */

/* Appends s[0..len) with &amp; &lt; &gt; decoded. */
static int put_decoded(struct sbuf *out, const char *s, size_t len)
{
	static const struct { const char *ent; char c; } ents[] = {
		{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'},
	};
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '&')
			continue;
		for (size_t e = 0; e < sizeof ents / sizeof ents[0]; e++) {
			size_t el = strlen(ents[e].ent);
			if (len - i >= el && !memcmp(s + i, ents[e].ent, el)) {
				if (sbuf_append(out, s + start, i - start) || sbuf_putc(out, ents[e].c))
					return EBB_ENOMEM;
				i += el - 1;
				start = i + 1;
				break;
			}
		}
	}
	return sbuf_append(out, s + start, len - start);
}

static int id_chars(const char *s, size_t len)
{
	if (!len || len > SK_MAX_ID)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* A mention of a user or channel: the label Slack sent, else the name the
 * resolver knows, else the id. */
static int put_mention(struct sbuf *out, char kind, const char *id, size_t idlen,
		       const char *label, size_t labellen, sk_name_fn names, void *ctx)
{
	if (sbuf_putc(out, kind == '#' ? '#' : '@'))
		return EBB_ENOMEM;
	if (label && labellen) {
		if (kind == '@' && *label == '@') {   /* some clients send <@U1|@name> */
			label++;
			labellen--;
		}
		return put_decoded(out, label, labellen);
	}
	char idbuf[SK_MAX_ID + 1];
	memcpy(idbuf, id, idlen);
	idbuf[idlen] = '\0';
	const char *name = names ? names(ctx, kind, idbuf) : NULL;
	return sbuf_puts(out, name && name[0] ? name : idbuf);
}

/* One <...> sequence, tok[0..len) without the angle brackets. */
static int put_token(struct sbuf *out, const char *tok, size_t len, sk_name_fn names,
		     void *ctx)
{
	const char *bar = memchr(tok, '|', len);
	size_t head = bar ? (size_t)(bar - tok) : len;
	const char *label = bar ? bar + 1 : NULL;
	size_t labellen = bar ? len - head - 1 : 0;
	if ((tok[0] == '@' || tok[0] == '#') && id_chars(tok + 1, head - 1))
		return put_mention(out, tok[0], tok + 1, head - 1, label, labellen, names, ctx);
	if (tok[0] == '!') {
		/* Special mentions: <!here>, <!channel>, <!everyone>,
		 * <!subteam^S1|@team>, <!date^1392734382^{date}|fallback>. */
		if (label && labellen)
			return put_decoded(out, label, labellen);
		size_t word = strcspn(tok + 1, "^|>");
		if (word > head - 1)
			word = head - 1;
		if (sbuf_putc(out, '@'))
			return EBB_ENOMEM;
		return put_decoded(out, tok + 1, word);
	}
	if (label && labellen) {
		/* A link with a text: the text, then the target, unless they say the same. */
		size_t skip = 0;
		if (head > 7 && !strncmp(tok, "mailto:", 7))
			skip = 7;
		if (labellen == head - skip && !memcmp(label, tok + skip, labellen))
			return put_decoded(out, label, labellen);
		if (put_decoded(out, label, labellen) || sbuf_puts(out, " <") ||
		    put_decoded(out, tok, head) || sbuf_putc(out, '>'))
			return EBB_ENOMEM;
		return EBB_OK;
	}
	if (head > 7 && !strncmp(tok, "mailto:", 7))
		return put_decoded(out, tok + 7, head - 7);
	return put_decoded(out, tok, head);
}

/* Slack escapes a typed < and >, so <...> is a control sequence; still, a
 * link target has a scheme and no spaces, and anything else stays text. */
static int is_sequence(const char *tok, size_t len)
{
	if (tok[0] == '@' || tok[0] == '#' || tok[0] == '!')
		return 1;
	size_t head = 0;
	while (head < len && tok[head] != '|')
		head++;
	const char *colon = memchr(tok, ':', head);
	if (!colon || colon == tok)
		return 0;
	for (size_t i = 0; i < head; i++)
		if (tok[i] == ' ' || tok[i] == '\t')
			return 0;
	return 1;
}

char *sk_mrkdwn_to_text(const char *in, size_t max, sk_name_fn names, void *ctx)
{
	struct sbuf out = {0};
	size_t len = in ? strnlen(in, max) : 0;
	/* Never cut inside a UTF-8 sequence. */
	while (len && len == max && ((unsigned char)in[len] & 0xC0) == 0x80)
		len--;
	size_t i = 0, plain = 0;
	int rc = EBB_OK;
	while (i < len && !rc) {
		if (in[i] != '<') {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < len && j - i <= SK_TOKEN_MAX && in[j] != '>' && in[j] != '<' &&
		       in[j] != '\n')
			j++;
		if (j >= len || in[j] != '>' || j == i + 1 || !is_sequence(in + i + 1, j - i - 1)) {
			i++;   /* not a control sequence: kept as typed */
			continue;
		}
		rc = put_decoded(&out, in + plain, i - plain);
		if (!rc)
			rc = put_token(&out, in + i + 1, j - i - 1, names, ctx);
		i = j + 1;
		plain = i;
	}
	if (!rc)
		rc = put_decoded(&out, in + plain, len - plain);
	if (!rc && !out.buf)
		rc = sbuf_append(&out, "", 0);
	if (rc) {
		sbuf_free(&out);
		return NULL;
	}
	return sbuf_detach(&out);
}

char *sk_escape_text(const char *in)
{
	struct sbuf out = {0};
	int rc = sbuf_append(&out, "", 0);
	for (const char *p = in; !rc && *p; p++) {
		if (*p == '&')
			rc = sbuf_puts(&out, "&amp;");
		else if (*p == '<')
			rc = sbuf_puts(&out, "&lt;");
		else if (*p == '>')
			rc = sbuf_puts(&out, "&gt;");
		else
			rc = sbuf_putc(&out, *p);
	}
	if (rc) {
		sbuf_free(&out);
		return NULL;
	}
	return sbuf_detach(&out);
}

int sk_ts_parse(const char *s, struct sk_ts *out)
{
	out->sec = 0;
	out->usec = 0;
	if (!s)
		return EBB_EPARSE;
	size_t i = 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 12)
			return EBB_EPARSE;
		out->sec = out->sec * 10 + (s[i] - '0');
	}
	if (!i || s[i] != '.')
		return EBB_EPARSE;
	size_t f = 0;
	for (i++; s[i] >= '0' && s[i] <= '9'; i++, f++) {
		if (f >= 6)
			return EBB_EPARSE;
		out->usec = out->usec * 10 + (s[i] - '0');
	}
	if (!f || s[i])
		return EBB_EPARSE;
	for (; f < 6; f++)
		out->usec *= 10;
	return EBB_OK;
}

int sk_ts_cmp(const char *a, const char *b)
{
	struct sk_ts ta, tb;
	int bad_a = sk_ts_parse(a, &ta) != EBB_OK, bad_b = sk_ts_parse(b, &tb) != EBB_OK;
	if (bad_a || bad_b)
		return bad_b - bad_a;
	if (ta.sec != tb.sec)
		return ta.sec < tb.sec ? -1 : 1;
	if (ta.usec != tb.usec)
		return ta.usec < tb.usec ? -1 : 1;
	return 0;
}

void sk_ts_format(const struct sk_ts *t, char *out, size_t outlen)
{
	snprintf(out, outlen, "%lld.%06ld", t->sec, t->usec);
}
