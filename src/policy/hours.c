/* policy/hours: working days, spans, reply blocks and holidays, and the
 * working-time clock that counts only seconds inside working spans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "policy_int.h"

/* How much of a hostile spec an error message quotes. */
#define SPEC_QUOTE 80

/* ---- local calendar ------------------------------------------------------ */

int policy_local_tm(const struct policy_hours *h, time_t t, struct tm *out)
{
	if (h->tz)
		return tz_localtime(h->tz, t, out);
	/* No zone configured: the working clock runs in UTC. */
	if (!gmtime_r(&t, out))
		return EBB_EINVAL;
	return EBB_OK;
}

int policy_local_day(const struct policy_hours *h, time_t t, int64_t *day)
{
	struct tm tm;
	int rc = policy_local_tm(h, t, &tm);
	if (rc)
		return rc;
	*day = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return EBB_OK;
}

/* The instant of `minutes` after local midnight of `day` (0..1440; 1440 is
 * the next midnight), DST gaps resolved as tz_mktime does. */
time_t policy_day_instant(const struct policy_hours *h, int64_t day, int minutes)
{
	if (!h->tz)
		return (time_t)(day * SECS_PER_DAY + (int64_t)minutes * 60);
	int64_t y;
	int m, d;
	civil_from_days(day, &y, &m, &d);
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_min = minutes;
	return tz_mktime(h->tz, &tm);
}

static int day_is_holiday(const struct policy_hours *h, int64_t day)
{
	int64_t y;
	int m, d;
	civil_from_days(day, &y, &m, &d);
	int64_t date = y * 10000 + m * 100 + d;
	size_t n = h->nholidays < POLICY_MAX_HOLIDAYS ? h->nholidays : POLICY_MAX_HOLIDAYS;
	for (size_t i = 0; i < n; i++)
		if (h->holidays[i] == date)
			return 1;
	return 0;
}

int policy_day_is_workday(const struct policy_hours *h, int64_t day)
{
	return (h->workdays >> weekday_of_days(day) & 1u) && !day_is_holiday(h, day);
}

/* ---- walking spans in real time ----------------------------------------- */

/* Yields the real-time intervals of one kind of span (work or blocks) on
 * working days in order. Each interval is clipped to start no earlier than
 * `floor`, which moves to the end of every interval yielded: a DST change can
 * make two wall-clock spans overlap in real time, and no second may count
 * twice. The adder and the counter walk the same intervals, which is what
 * makes between(a, add(a, s)) == s hold. */
struct span_walk {
	const struct policy_hours *h;
	const struct policy_span *spans;
	size_t nspans;
	int64_t day;
	int64_t last_day;
	size_t next;
	int workday;
	time_t floor;
};

static int walk_start(struct span_walk *w, const struct policy_hours *h, const struct policy_span *spans,
		      size_t nspans, time_t from, time_t floor)
{
	int64_t day;
	if (policy_local_day(h, from, &day))
		return -1;
	memset(w, 0, sizeof *w);
	w->h = h;
	w->spans = spans;
	w->nspans = nspans < POLICY_MAX_SPANS ? nspans : POLICY_MAX_SPANS;
	/* A span of the day before can end in this day after a DST change. */
	w->day = day - 1;
	w->last_day = day + POLICY_HORIZON_DAYS;
	w->floor = floor;
	return 0;
}

static int walk_next(struct span_walk *w, time_t *start, time_t *end)
{
	while (w->day <= w->last_day) {
		if (w->next == 0)
			w->workday = policy_day_is_workday(w->h, w->day);
		if (!w->workday || w->next >= w->nspans) {
			w->day++;
			w->next = 0;
			continue;
		}
		const struct policy_span *sp = &w->spans[w->next++];
		time_t s = policy_day_instant(w->h, w->day, sp->start_min);
		time_t e = policy_day_instant(w->h, w->day, sp->end_min);
		if (s == (time_t)-1 || e == (time_t)-1)
			continue;   /* outside the zone's years */
		if (s < w->floor)
			s = w->floor;
		if (e <= s)
			continue;
		w->floor = e;
		*start = s;
		*end = e;
		return 1;
	}
	return 0;
}

static time_t add_saturating(time_t t, int64_t secs)
{
	if (secs > 0 && (int64_t)t > INT64_MAX - secs)
		return (time_t)INT64_MAX;
	return (time_t)((int64_t)t + secs);
}

static time_t give_up(time_t from)
{
	return add_saturating(from, (int64_t)POLICY_HORIZON_DAYS * SECS_PER_DAY);
}

time_t policy_work_add(const struct policy_hours *h, time_t from, long work_seconds)
{
	if (!h || h->nwork == 0 || (h->workdays & 0x7fu) == 0)
		return give_up(from);
	if (work_seconds < 0)
		work_seconds = 0;
	struct span_walk w;
	if (walk_start(&w, h, h->work, h->nwork, from, from))
		return give_up(from);
	int64_t remaining = work_seconds;
	time_t s, e;
	while (walk_next(&w, &s, &e)) {
		int64_t avail = (int64_t)e - s;
		if (remaining <= avail)
			return (time_t)((int64_t)s + remaining);
		remaining -= avail;
	}
	return give_up(from);
}

long policy_work_between(const struct policy_hours *h, time_t a, time_t b)
{
	if (!h || b <= a || h->nwork == 0)
		return 0;
	struct span_walk w;
	if (walk_start(&w, h, h->work, h->nwork, a, a))
		return 0;
	int64_t total = 0;
	time_t s, e;
	while (walk_next(&w, &s, &e) && s < b)
		total += (int64_t)(e < b ? e : b) - s;
	return (long)total;
}

/* The first interval ending after t; 1 when there is one. */
static int interval_after(const struct policy_hours *h, const struct policy_span *spans,
			  size_t nspans, time_t t, time_t floor, time_t *s, time_t *e)
{
	struct span_walk w;
	if (!nspans || walk_start(&w, h, spans, nspans, t, floor))
		return 0;
	while (walk_next(&w, s, e))
		if (*e > t)
			return 1;
	return 0;
}

int policy_is_workday(const struct policy_hours *h, time_t t)
{
	int64_t day;
	if (!h || policy_local_day(h, t, &day))
		return 0;
	return policy_day_is_workday(h, day);
}

static int in_spans(const struct policy_hours *h, const struct policy_span *spans, size_t n,
		    time_t t)
{
	time_t s, e;
	/* Clipped to t, the next interval starts at t exactly when t is inside. */
	return interval_after(h, spans, n, t, t, &s, &e) && s == t;
}

int policy_in_work(const struct policy_hours *h, time_t t)
{
	return h && in_spans(h, h->work, h->nwork, t);
}

int policy_in_block(const struct policy_hours *h, time_t t)
{
	return h && in_spans(h, h->blocks, h->nblocks, t);
}

long policy_workday_seconds(const struct policy_hours *h)
{
	long total = 0;
	if (!h)
		return 0;
	size_t n = h->nwork < POLICY_MAX_SPANS ? h->nwork : POLICY_MAX_SPANS;
	for (size_t i = 0; i < n; i++)
		if (h->work[i].end_min > h->work[i].start_min)
			total += (long)(h->work[i].end_min - h->work[i].start_min) * 60;
	return total;
}

time_t policy_block_start(const struct policy_hours *h, time_t now)
{
	time_t s, e;
	if (!h || !interval_after(h, h->blocks, h->nblocks, now, (time_t)INT64_MIN, &s, &e))
		return 0;
	return s;
}

time_t policy_block_end(const struct policy_hours *h, time_t now)
{
	time_t s, e;
	if (!h || !interval_after(h, h->blocks, h->nblocks, now, now, &s, &e) || s != now)
		return 0;
	return e;
}

/* ---- defaults and parsing ------------------------------------------------ */

void policy_hours_default(struct policy_hours *h, const struct ebb_tz *tz)
{
	memset(h, 0, sizeof *h);
	h->tz = tz;
	h->workdays = 0x3e;   /* Monday to Friday */
	h->work[0] = (struct policy_span){ 9 * 60, 17 * 60 + 30 };
	h->nwork = 1;
	h->blocks[0] = (struct policy_span){ 11 * 60, 11 * 60 + 30 };
	h->blocks[1] = (struct policy_span){ 16 * 60, 16 * 60 + 45 };
	h->nblocks = 2;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* H:MM or HH:MM; the range is checked by the caller. */
static int parse_clock(const char **pp, int *hour, int *min)
{
	const char *p = *pp;
	if (!is_digit(p[0]))
		return -1;
	*hour = *p++ - '0';
	if (is_digit(*p))
		*hour = *hour * 10 + (*p++ - '0');
	if (*p++ != ':' || !is_digit(p[0]) || !is_digit(p[1]))
		return -1;
	*min = (p[0] - '0') * 10 + (p[1] - '0');
	p += 2;
	if (is_digit(*p))
		return -1;
	*pp = p;
	return 0;
}

static int clock_ok(int hour, int min)
{
	return min <= 59 && (hour < 24 || (hour == 24 && min == 0));
}

enum span_status { SPAN_OK, SPAN_SYNTAX, SPAN_RANGE };

static enum span_status parse_span(const char **pp, struct policy_span *sp)
{
	const char *p = *pp;
	int h1, m1, h2, m2;
	if (parse_clock(&p, &h1, &m1))
		return SPAN_SYNTAX;
	p = skip_space(p);
	if (*p++ != '-')
		return SPAN_SYNTAX;
	p = skip_space(p);
	if (parse_clock(&p, &h2, &m2))
		return SPAN_SYNTAX;
	*pp = p;
	sp->start_min = h1 * 60 + m1;
	sp->end_min = h2 * 60 + m2;
	if (!clock_ok(h1, m1) || !clock_ok(h2, m2) || sp->end_min <= sp->start_min)
		return SPAN_RANGE;
	return SPAN_OK;
}

static int span_cmp(const void *x, const void *y)
{
	const struct policy_span *a = x, *b = y;
	return (a->start_min > b->start_min) - (a->start_min < b->start_min);
}

/* A list of spans separated by commas and/or blanks, up to the end of the
 * string. `what` names the setting; `first_hint` says what was expected
 * where the list starts. */
static int parse_span_list(const char *spec, const char *p, const char *what,
			   const char *first_hint, struct policy_span *out, size_t *nout,
			   struct ebb_err *err)
{
	size_t n = 0;
	p = skip_space(p);
	if (!*p)
		return ebb_err_set(err, EBB_EPARSE, "%s: \"%.*s\": %s", what, SPEC_QUOTE, spec,
				   first_hint);
	while (*p) {
		const char *at = p;
		struct policy_span sp;
		enum span_status st = parse_span(&p, &sp);
		if (st == SPAN_SYNTAX) {
			if (n == 0)
				return ebb_err_set(err, EBB_EPARSE, "%s: \"%.*s\": %s", what,
						   SPEC_QUOTE, spec, first_hint);
			return ebb_err_set(err, EBB_EPARSE,
					   "%s: \"%.*s\": expected another HH:MM-HH:MM at \"%.20s\"",
					   what, SPEC_QUOTE, spec, at);
		}
		if (st == SPAN_RANGE)
			return ebb_err_set(err, EBB_EPARSE,
					   "%s: \"%.*s\": \"%.*s\" is not a span of one day: write "
					   "HH:MM-HH:MM from 00:00 to 24:00, the end after the start",
					   what, SPEC_QUOTE, spec, (int)(p - at), at);
		if (n == POLICY_MAX_SPANS)
			return ebb_err_set(err, EBB_ETOOBIG, "%s: \"%.*s\": more than %d spans",
					   what, SPEC_QUOTE, spec, POLICY_MAX_SPANS);
		out[n++] = sp;
		p = skip_space(p);
		if (*p == ',')
			p = skip_space(p + 1);
	}
	qsort(out, n, sizeof *out, span_cmp);
	for (size_t i = 1; i < n; i++)
		if (out[i].start_min < out[i - 1].end_min)
			return ebb_err_set(err, EBB_EPARSE,
					   "%s: \"%.*s\": %02d:%02d-%02d:%02d overlaps %02d:%02d-%02d:%02d",
					   what, SPEC_QUOTE, spec, out[i].start_min / 60,
					   out[i].start_min % 60, out[i].end_min / 60, out[i].end_min % 60,
					   out[i - 1].start_min / 60, out[i - 1].start_min % 60,
					   out[i - 1].end_min / 60, out[i - 1].end_min % 60);
	*nout = n;
	return EBB_OK;
}

/* "Mon".."Sun" or the full English name, any case; returns tm_wday or -1. */
static int day_by_name(const char *s, size_t len)
{
	static const char *const abbrs[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
	static const char *const names[7] = { "sunday", "monday", "tuesday", "wednesday",
					      "thursday", "friday", "saturday" };
	for (int i = 0; i < 7; i++)
		if (util_strncaseeq(s, len, abbrs[i]) || util_strncaseeq(s, len, names[i]))
			return i;
	return -1;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int parse_day(const char *spec, const char **pp, int *wday, struct ebb_err *err)
{
	const char *p = *pp;
	const char *word = p;
	while (is_alpha(*p))
		p++;
	size_t len = (size_t)(p - word);
	if (len == 0)
		return ebb_err_set(err, EBB_EPARSE,
				   "work: \"%.*s\": expected working days such as Mon-Fri first",
				   SPEC_QUOTE, spec);
	*wday = day_by_name(word, len);
	if (*wday < 0)
		return ebb_err_set(err, EBB_EPARSE,
				   "work: \"%.*s\": \"%.*s\" is not a day; use Mon, Tue, Wed, Thu, "
				   "Fri, Sat or Sun",
				   SPEC_QUOTE, spec, (int)(len > 20 ? 20 : len), word);
	*pp = p;
	return EBB_OK;
}

int policy_parse_work(const char *spec, struct policy_hours *h, struct ebb_err *err)
{
	if (!spec || !h)
		return ebb_err_set(err, EBB_EINVAL, "work: nothing to parse");
	const char *p = skip_space(spec);
	unsigned days = 0;
	for (;;) {
		int first, last;
		int rc = parse_day(spec, &p, &first, err);
		if (rc)
			return rc;
		last = first;
		if (*p == '-') {
			p++;
			rc = parse_day(spec, &p, &last, err);
			if (rc)
				return rc;
		}
		/* Ranges may wrap over the weekend: Fri-Mon, Sun-Thu. */
		for (int d = first;; d = (d + 1) % 7) {
			days |= 1u << d;
			if (d == last)
				break;
		}
		const char *q = skip_space(p);
		if (*q != ',')
			break;
		p = skip_space(q + 1);
	}
	if (*p && !is_space(*p))
		return ebb_err_set(err, EBB_EPARSE,
				   "work: \"%.*s\": expected a blank and HH:MM-HH:MM after the days",
				   SPEC_QUOTE, spec);
	struct policy_span spans[POLICY_MAX_SPANS];
	size_t n;
	int rc = parse_span_list(spec, p, "work", "expected HH:MM-HH:MM after the days", spans, &n,
				 err);
	if (rc)
		return rc;
	h->workdays = days;
	memcpy(h->work, spans, n * sizeof spans[0]);
	h->nwork = n;
	return EBB_OK;
}

static int is_none(const char *p)
{
	p = skip_space(p);
	if (!*p)
		return 1;
	const char *end = p + strlen(p);
	while (end > p && is_space(end[-1]))
		end--;
	return util_strncaseeq(p, (size_t)(end - p), "none");
}

int policy_parse_blocks(const char *spec, struct policy_hours *h, struct ebb_err *err)
{
	if (!spec || !h)
		return ebb_err_set(err, EBB_EINVAL, "blocks: nothing to parse");
	if (is_none(spec)) {
		h->nblocks = 0;
		return EBB_OK;
	}
	struct policy_span spans[POLICY_MAX_SPANS];
	size_t n;
	int rc = parse_span_list(spec, spec, "blocks",
				 "expected reply blocks as HH:MM-HH:MM, separated by commas", spans,
				 &n, err);
	if (rc)
		return rc;
	memcpy(h->blocks, spans, n * sizeof spans[0]);
	h->nblocks = n;
	return EBB_OK;
}

static int int_cmp(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	return (a > b) - (a < b);
}

/* YYYY-MM-DD as yyyymmdd, or -1. */
static int parse_date(const char *p, size_t len)
{
	if (len != 10 || p[4] != '-' || p[7] != '-')
		return -1;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(p[i]))
			return -1;
	int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	int m = (p[5] - '0') * 10 + (p[6] - '0');
	int d = (p[8] - '0') * 10 + (p[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	return y * 10000 + m * 100 + d;
}

int policy_parse_holidays(const char *spec, struct policy_hours *h, struct ebb_err *err)
{
	if (!spec || !h)
		return ebb_err_set(err, EBB_EINVAL, "holidays: nothing to parse");
	int dates[POLICY_MAX_HOLIDAYS];
	size_t n = 0;
	if (!is_none(spec)) {
		const char *p = skip_space(spec);
		while (*p) {
			const char *tok = p;
			while (*p && *p != ',' && !is_space(*p))
				p++;
			size_t len = (size_t)(p - tok);
			int date = parse_date(tok, len);
			if (date < 0)
				return ebb_err_set(err, EBB_EPARSE,
						   "holidays: \"%.*s\": \"%.*s\" is not a date; write "
						   "YYYY-MM-DD, separated by commas",
						   SPEC_QUOTE, spec, (int)(len > 20 ? 20 : len), tok);
			if (n == POLICY_MAX_HOLIDAYS)
				return ebb_err_set(err, EBB_ETOOBIG,
						   "holidays: \"%.*s...\": more than %d dates; drop past ones",
						   SPEC_QUOTE, spec, POLICY_MAX_HOLIDAYS);
			dates[n++] = date;
			p = skip_space(p);
			if (*p == ',')
				p = skip_space(p + 1);
		}
	}
	qsort(dates, n, sizeof dates[0], int_cmp);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || dates[i] != dates[kept - 1])
			dates[kept++] = dates[i];
	memcpy(h->holidays, dates, kept * sizeof dates[0]);
	h->nholidays = kept;
	return EBB_OK;
}
