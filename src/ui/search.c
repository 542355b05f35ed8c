/* ui/search: turns what the user types after `/` (or `ebb search`) into an
 * FTS5 query plus filters: from: and subject: become column filters,
 * to:, before:, after: and in: filters the store applies to messages. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ebb/policy.h"
#include "ebb/ui.h"

#define QUERY_MAX 4096

void ui_search_query_free(struct ui_search_query *q)
{
	if (!q)
		return;
	free(q->fts);
	free(q->to);
	free(q->channel);
	memset(q, 0, sizeof(*q));
}

/* The end of the token at s: spaces end it, except inside "quotes". */
static size_t token_len(const char *s)
{
	size_t i = 0;
	int quoted = 0;
	while (s[i] && (quoted || (s[i] != ' ' && s[i] != '\t'))) {
		if (s[i] == '"')
			quoted = !quoted;
		i++;
	}
	return i;
}

/* A value with its quotes taken off ("" inside quotes is one quote). */
static char *unquote(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"') {
			if (i + 1 < len && s[i + 1] == '"') {
				out[n++] = '"';
				i++;
			}
			continue;
		}
		out[n++] = s[i];
	}
	out[n] = '\0';
	return out;
}

/* Appends value as an FTS5 string: "..." with quotes doubled. */
static int put_phrase(struct sbuf *sb, const char *value)
{
	int rc = sbuf_putc(sb, '"');
	for (const char *p = value; !rc && *p; p++)
		rc = *p == '"' ? sbuf_puts(sb, "\"\"") : sbuf_putc(sb, *p);
	return rc ? rc : sbuf_putc(sb, '"');
}

/* Characters FTS5 reads as part of a bareword or as its own syntax. */
static int fts_plain(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80 || c == '*' || c == '"' || c == '(' ||
	       c == ')' || c == '^' || c == '+';
}

static int is_fts_column(const char *s, size_t len)
{
	return (len == 7 && !strncasecmp(s, "subject", 7)) ||
	       (len == 6 && !strncasecmp(s, "sender", 6)) || (len == 4 && !strncasecmp(s, "body", 4));
}

/* A token that is not one of ours goes to FTS5 as typed when FTS5 can read
 * it, else as a phrase (ann@example.com, re:, 2026-11), keeping the
 * parentheses around it. */
static int put_plain_token(struct sbuf *sb, const char *t, size_t len)
{
	size_t open = 0, close = 0;
	while (open < len && t[open] == '(')
		open++;
	while (close < len - open && t[len - 1 - close] == ')')
		close++;
	const char *core = t + open;
	size_t core_len = len - open - close;
	int plain = 1;
	const char *colon = memchr(core, ':', core_len);
	for (size_t i = 0; i < core_len && plain; i++)
		plain = fts_plain((unsigned char)core[i]) ||
			(core[i] == ':' && colon == core + i && is_fts_column(core, i));
	int rc = sbuf_append(sb, t, open);
	if (!rc && (plain || memchr(core, '"', core_len))) {
		rc = sbuf_append(sb, core, core_len);
	} else if (!rc && core_len) {
		int prefix = core[core_len - 1] == '*';
		char *v = unquote(core, core_len - (size_t)prefix);
		if (!v)
			return EBB_ENOMEM;
		rc = put_phrase(sb, v);
		free(v);
		if (!rc && prefix)
			rc = sbuf_putc(sb, '*');
	}
	return rc ? rc : sbuf_append(sb, t + len - close, close);
}

static int local_midnight(const struct ebb_config *cfg, int year, int mon, int day, time_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	*out = tz_mktime(cfg->tz, &tm);
	return *out == (time_t)-1 ? EBB_EPARSE : EBB_OK;
}

/* 2026-11-20 (local midnight), 2026-11-20T14:00, today, yesterday, 7d, 2w, 12h. */
static int parse_date(const struct ebb_config *cfg, const char *s, time_t now, time_t *out)
{
	size_t len = strlen(s);
	struct tm tm;
	if (!strcasecmp(s, "today") || !strcasecmp(s, "yesterday")) {
		if (tz_localtime(cfg->tz, now, &tm))
			return EBB_EPARSE;
		int back = !strcasecmp(s, "yesterday");
		return local_midnight(cfg, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday - back, out);
	}
	if (len >= 2 && len <= 7 && isdigit((unsigned char)s[0])) {
		char *end;
		long v = strtol(s, &end, 10);
		long unit = !strcmp(end, "d") ? 86400 : !strcmp(end, "w") ? 7 * 86400
			  : !strcmp(end, "h") ? 3600 : 0;
		if (!unit || v < 0 || v > 100000)
			return EBB_EPARSE;
		*out = now - v * unit;
		return EBB_OK;
	}
	if (len == 10 && isdigit((unsigned char)s[0])) {
		int y, m, d;
		char tail;
		if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
		    d > 31)
			return EBB_EPARSE;
		return local_midnight(cfg, y, m, d, out);
	}
	if (len > 10 && isdigit((unsigned char)s[0]))
		return ui_parse_when(cfg, s, now, out);
	return EBB_EPARSE;
}

enum filter { F_NONE, F_FROM, F_SUBJECT, F_TO, F_BEFORE, F_AFTER, F_IN };

static enum filter filter_of(const char *t, size_t len, size_t *name_len)
{
	static const struct {
		const char *name;
		enum filter f;
	} NAMES[] = {
		{ "from:", F_FROM }, { "subject:", F_SUBJECT }, { "to:", F_TO },
		{ "before:", F_BEFORE }, { "after:", F_AFTER }, { "in:", F_IN },
	};
	for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++) {
		size_t n = strlen(NAMES[i].name);
		if (len >= n && !strncasecmp(t, NAMES[i].name, n)) {
			*name_len = n;
			return NAMES[i].f;
		}
	}
	return F_NONE;
}

int ui_search_parse(const struct ebb_config *cfg, const char *text, time_t now,
		    struct ui_search_query *out, struct ebb_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!text || strnlen(text, QUERY_MAX + 1) > QUERY_MAX)
		return ebb_err_set(err, EBB_ETOOBIG, "search: the query is longer than %d bytes",
				   QUERY_MAX);
	struct sbuf fts = { 0 };
	int rc = EBB_OK;
	const char *p = text;
	while (!rc) {
		p += strspn(p, " \t\r\n");
		if (!*p)
			break;
		size_t len = token_len(p);
		size_t name_len = 0;
		enum filter f = filter_of(p, len, &name_len);
		const char *raw = p + name_len;
		size_t raw_len = len - name_len;
		p += len;
		if (f == F_NONE) {
			if (fts.len)
				rc = sbuf_putc(&fts, ' ');
			if (!rc)
				rc = put_plain_token(&fts, raw, raw_len);
			continue;
		}
		if (raw_len == 0) {
			rc = ebb_err_set(err, EBB_EINVAL, "search: %.*s needs a value, e.g. from:ann",
					 (int)name_len, raw - name_len);
			break;
		}
		int prefix = raw[raw_len - 1] == '*' && raw[0] != '"';
		char *value = unquote(raw, raw_len - (size_t)(prefix && (f == F_FROM || f == F_SUBJECT)));
		if (!value) {
			rc = EBB_ENOMEM;
			break;
		}
		switch (f) {
		case F_FROM:
		case F_SUBJECT:
			if (fts.len)
				rc = sbuf_putc(&fts, ' ');
			if (!rc)
				rc = sbuf_puts(&fts, f == F_FROM ? "sender:" : "subject:");
			if (!rc)
				rc = put_phrase(&fts, value);
			if (!rc && prefix)
				rc = sbuf_putc(&fts, '*');
			free(value);
			break;
		case F_TO:
		case F_IN: {
			char **slot = f == F_TO ? &out->to : &out->channel;
			if (*slot) {
				free(value);
				rc = ebb_err_set(err, EBB_EINVAL, "search: give %s only once",
						 f == F_TO ? "to:" : "in:");
				break;
			}
			*slot = value;
			break;
		}
		case F_BEFORE:
		case F_AFTER: {
			time_t *slot = f == F_BEFORE ? &out->before : &out->after;
			time_t t;
			if (*slot) {
				rc = ebb_err_set(err, EBB_EINVAL, "search: give %s only once",
						 f == F_BEFORE ? "before:" : "after:");
			} else if (parse_date(cfg, value, now, &t) || t <= 0) {
				rc = ebb_err_set(err, EBB_EINVAL,
						 "search: cannot read the date \"%.40s\" (try 2026-11-20, "
						 "2026-11-20T14:00, today, yesterday, 7d)", value);
			} else {
				*slot = t;
			}
			free(value);
			break;
		}
		default:
			free(value);
			break;
		}
	}
	if (rc == EBB_ENOMEM)
		ebb_err_set(err, EBB_ENOMEM, "out of memory");
	if (!rc && fts.len) {
		out->fts = sbuf_detach(&fts);
		if (!out->fts)
			rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	sbuf_free(&fts);
	if (!rc && !out->fts && !out->to && !out->channel && !out->before && !out->after)
		rc = ebb_err_set(err, EBB_EINVAL, "search: the query is empty");
	if (rc)
		ui_search_query_free(out);
	return rc;
}
