/* policy/tz: time zones from TZif bytes (RFC 8536) or POSIX TZ rules, and
 * local time <-> UTC in them without touching the process's TZ. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "policy_int.h"

/* Bounds on hostile TZif data. Real zones have a few hundred transitions,
 * fewer than 20 types and well under 100 abbreviation bytes. */
#define TZ_MAX_TIMES 4096
#define TZ_MAX_TYPES 256
#define TZ_MAX_CHARS 4096
#define TZ_MAX_LEAPS 4096
#define TZ_NAME_MAX 31
#define TZ_RULE_MAX 255
/* RFC 8536 3.2: UT offsets should lie in [-25:59:59, +25:59:59]. */
#define TZ_MIN_UTOFF (-89999)
#define TZ_MAX_UTOFF 93599
/* The instants we answer for: 0001-01-01 to 9999-12-31 UTC. Far enough for
 * any mail date, near enough that no calendar sum can overflow. */
#define TZ_MIN_T (-62135596800LL)
#define TZ_MAX_T 253402300799LL
/* Rule transition times may be -167..167 hours (RFC 8536 3.3.1). */
#define TZ_MAX_RULE_HOURS 167
/* Changes of offset we consider around one wall time in tz_mktime. */
#define TZ_MAX_SEGS 64

struct tz_type {
	int32_t utoff;      /* seconds east of UTC */
	int isdst;
	size_t abbr_off;    /* into ebb_tz.chars */
};

/* A date of a POSIX rule: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d. */
struct tz_date {
	char kind;          /* 'J', 'N' or 'M' */
	int day;
	int month, week, wday;
	int32_t time;       /* seconds after local midnight, may be negative */
};

struct tz_rule {
	int32_t std_utoff, dst_utoff;
	int has_dst;
	struct tz_date start, end;
	char std_name[TZ_NAME_MAX + 1];
	char dst_name[TZ_NAME_MAX + 1];
};

struct ebb_tz {
	size_t ntimes;
	int64_t *times;             /* strictly ascending transitions */
	unsigned char *idx;         /* type in effect from times[i] on */
	size_t ntypes;
	struct tz_type types[TZ_MAX_TYPES];
	char *chars;                /* NUL-terminated abbreviations */
	size_t nchars;
	int has_rule;               /* rule applies from the last transition on */
	struct tz_rule rule;
};

/* What is in effect at one instant. */
struct tz_state {
	int32_t utoff;
	int isdst;
	const char *abbr;
};

/* ---- POSIX rules -------------------------------------------------------- */

static int64_t rule_date_days(const struct tz_date *d, int64_t year)
{
	int64_t jan1 = days_from_civil(year, 1, 1);
	switch (d->kind) {
	case 'J':
		/* J60 is always 1 March: Feb 29 is never counted. */
		return jan1 + d->day - 1 + (is_leap_year(year) && d->day >= 60);
	case 'N':
		return jan1 + d->day;
	default: {
		int64_t first = days_from_civil(year, d->month, 1);
		int64_t day = first + floor_mod64(d->wday - weekday_of_days(first), 7) +
			      (int64_t)(d->week - 1) * 7;
		while (day >= first + days_in_month(year, d->month))
			day -= 7;
		return day;
	}
	}
}

struct rule_change {
	int64_t at;
	int isdst;
};

/* The start and end of DST in `year`, in UTC. The start is written in
 * standard time, the end in daylight time (POSIX). */
static void rule_year(const struct tz_rule *r, int64_t year, struct rule_change out[2])
{
	out[0].at = rule_date_days(&r->start, year) * SECS_PER_DAY + r->start.time - r->std_utoff;
	out[0].isdst = 1;
	out[1].at = rule_date_days(&r->end, year) * SECS_PER_DAY + r->end.time - r->dst_utoff;
	out[1].isdst = 0;
}

/* Stable, so that when one year's end meets the next year's start (DST all
 * year, RFC 8536 3.3.1) the start wins. */
static void sort_changes(struct rule_change *c, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct rule_change v = c[i];
		size_t j = i;
		while (j > 0 && c[j - 1].at > v.at) {
			c[j] = c[j - 1];
			j--;
		}
		c[j] = v;
	}
}

static int64_t year_of(int64_t t)
{
	int64_t y;
	int m, d;
	civil_from_days(floor_div64(t, SECS_PER_DAY), &y, &m, &d);
	return y;
}

static void rule_lookup(const struct tz_rule *r, int64_t t, struct tz_state *st)
{
	int isdst = 0;
	if (r->has_dst) {
		/* A transition may be shifted up to a week into the next year, so
		 * the last one at or before t can belong to the year before last. */
		struct rule_change c[8];
		int64_t y = year_of(t);
		for (int k = 0; k < 4; k++)
			rule_year(r, y - 2 + k, &c[2 * k]);
		sort_changes(c, 8);
		isdst = !c[0].isdst;
		for (size_t i = 0; i < 8 && c[i].at <= t; i++)
			isdst = c[i].isdst;
	}
	st->utoff = isdst ? r->dst_utoff : r->std_utoff;
	st->isdst = isdst;
	st->abbr = isdst ? r->dst_name : r->std_name;
}

/* Rule parsing works on a NUL-terminated copy; *pp advances past what was
 * understood and each helper returns 0 or -1 with `why` set. */
struct rule_parse {
	const char *p;
	const char *why;
};

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_zone_name(struct rule_parse *rp, char *out)
{
	const char *p = rp->p;
	size_t n = 0;
	if (*p == '<') {
		p++;
		while (is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-') {
			if (n >= TZ_NAME_MAX) {
				rp->why = "a zone name longer than 31 characters";
				return -1;
			}
			out[n++] = *p++;
		}
		if (*p != '>') {
			rp->why = "a quoted zone name <...> of letters, digits, + and -";
			return -1;
		}
		p++;
	} else {
		while (is_alpha(*p)) {
			if (n >= TZ_NAME_MAX) {
				rp->why = "a zone name longer than 31 characters";
				return -1;
			}
			out[n++] = *p++;
		}
	}
	if (n < 3) {
		rp->why = "expected a zone name of at least 3 letters (or <+03>)";
		return -1;
	}
	out[n] = '\0';
	rp->p = p;
	return 0;
}

/* [+-]h[h[h]][:mm[:ss]] with hours up to max_hours; returns seconds. */
static int parse_hms(struct rule_parse *rp, int max_hours, int32_t *out)
{
	const char *p = rp->p;
	int sign = 1;
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
	}
	if (!is_digit(*p)) {
		rp->why = "expected an offset or time such as 5, -1 or 2:30";
		return -1;
	}
	int hours = 0, digits = 0;
	while (is_digit(*p)) {
		if (++digits > 3) {
			rp->why = "too many digits in the hours";
			return -1;
		}
		hours = hours * 10 + (*p++ - '0');
	}
	if (hours > max_hours) {
		rp->why = max_hours == 24 ? "an offset of more than 24 hours"
					  : "a transition time of more than 167 hours";
		return -1;
	}
	int part[2] = { 0, 0 };
	for (int k = 0; k < 2 && *p == ':'; k++) {
		p++;
		if (!is_digit(p[0])) {
			rp->why = "expected two digits after ':'";
			return -1;
		}
		int v = p[0] - '0';
		p++;
		if (is_digit(*p))
			v = v * 10 + (*p++ - '0');
		if (v > 59) {
			rp->why = "minutes or seconds above 59";
			return -1;
		}
		part[k] = v;
	}
	*out = sign * (hours * 3600 + part[0] * 60 + part[1]);
	rp->p = p;
	return 0;
}

static int parse_small_int(const char **pp, int *out)
{
	const char *p = *pp;
	int v = 0, digits = 0;
	while (is_digit(*p)) {
		if (++digits > 3)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	if (!digits)
		return -1;
	*out = v;
	*pp = p;
	return 0;
}

static int parse_rule_date(struct rule_parse *rp, struct tz_date *d)
{
	const char *p = rp->p;
	memset(d, 0, sizeof *d);
	if (*p == 'J') {
		p++;
		d->kind = 'J';
		if (parse_small_int(&p, &d->day) || d->day < 1 || d->day > 365) {
			rp->why = "expected a day J1 to J365";
			return -1;
		}
	} else if (*p == 'M') {
		p++;
		d->kind = 'M';
		if (parse_small_int(&p, &d->month) || d->month < 1 || d->month > 12 || *p != '.') {
			rp->why = "expected Mm.w.d with a month 1 to 12";
			return -1;
		}
		p++;
		if (parse_small_int(&p, &d->week) || d->week < 1 || d->week > 5 || *p != '.') {
			rp->why = "expected Mm.w.d with a week 1 to 5";
			return -1;
		}
		p++;
		if (parse_small_int(&p, &d->wday) || d->wday > 6) {
			rp->why = "expected Mm.w.d with a weekday 0 to 6";
			return -1;
		}
	} else if (is_digit(*p)) {
		d->kind = 'N';
		if (parse_small_int(&p, &d->day) || d->day > 365) {
			rp->why = "expected a day 0 to 365";
			return -1;
		}
	} else {
		rp->why = "expected a date Mm.w.d, Jn or n";
		return -1;
	}
	d->time = 2 * 3600;
	rp->p = p;
	if (*rp->p == '/') {
		rp->p++;
		if (parse_hms(rp, TZ_MAX_RULE_HOURS, &d->time))
			return -1;
	}
	return 0;
}

static int parse_rule(const char *text, struct tz_rule *r, struct ebb_err *err)
{
	struct rule_parse rp = { text, NULL };
	int32_t off;
	memset(r, 0, sizeof *r);
	if (parse_zone_name(&rp, r->std_name) || parse_hms(&rp, 24, &off))
		goto bad;
	r->std_utoff = -off;     /* POSIX counts west of Greenwich */
	r->dst_utoff = r->std_utoff;
	if (*rp.p && *rp.p != ',') {
		if (parse_zone_name(&rp, r->dst_name))
			goto bad;
		r->has_dst = 1;
		r->dst_utoff = r->std_utoff + 3600;
		if (*rp.p && *rp.p != ',') {
			if (parse_hms(&rp, 24, &off))
				goto bad;
			r->dst_utoff = -off;
		}
		if (*rp.p == ',') {
			rp.p++;
			if (parse_rule_date(&rp, &r->start))
				goto bad;
			if (*rp.p != ',') {
				rp.why = "expected ',' and the date DST ends";
				goto bad;
			}
			rp.p++;
			if (parse_rule_date(&rp, &r->end))
				goto bad;
		} else {
			/* No dates: the US rules, as the reference tzcode assumes. */
			r->start = (struct tz_date){ 'M', 0, 3, 2, 0, 2 * 3600 };
			r->end = (struct tz_date){ 'M', 0, 11, 1, 0, 2 * 3600 };
		}
	}
	if (*rp.p) {
		rp.why = r->has_dst ? "unexpected text after the rule" : "expected a DST name or the end";
		goto bad;
	}
	return EBB_OK;
bad:
	return ebb_err_set(err, EBB_EPARSE, "TZ rule \"%.80s\": %s at \"%.20s\"", text, rp.why,
			   rp.p);
}

static struct ebb_tz *tz_alloc_rule_zone(const struct tz_rule *r)
{
	struct ebb_tz *tz = calloc(1, sizeof *tz);
	if (!tz)
		return NULL;
	tz->has_rule = 1;
	tz->rule = *r;
	tz->ntypes = 1;
	tz->types[0].utoff = r->std_utoff;
	return tz;
}

int tz_parse_posix(const char *rule, struct ebb_tz **out, struct ebb_err *err)
{
	if (!rule || !out)
		return ebb_err_set(err, EBB_EINVAL, "tz_parse_posix: no rule given");
	*out = NULL;
	if (strnlen(rule, TZ_RULE_MAX + 1) > TZ_RULE_MAX)
		return ebb_err_set(err, EBB_EPARSE, "TZ rule \"%.40s...\" is longer than %d characters",
				   rule, TZ_RULE_MAX);
	struct tz_rule r;
	int rc = parse_rule(rule, &r, err);
	if (rc)
		return rc;
	*out = tz_alloc_rule_zone(&r);
	if (!*out)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for a time zone");
	return EBB_OK;
}

struct ebb_tz *tz_utc(void)
{
	struct tz_rule r;
	memset(&r, 0, sizeof r);
	memcpy(r.std_name, "UTC", 4);
	return tz_alloc_rule_zone(&r);
}

void tz_free(struct ebb_tz *tz)
{
	if (!tz)
		return;
	free(tz->times);
	free(tz->idx);
	free(tz->chars);
	free(tz);
}

/* ---- TZif ---------------------------------------------------------------- */

struct tzif_counts {
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64s(const unsigned char *p)
{
	uint64_t v = (uint64_t)be32(p) << 32 | be32(p + 4);
	return (int64_t)v;   /* two's complement, as RFC 8536 stores it */
}

static int32_t be32s(const unsigned char *p)
{
	return (int32_t)be32(p);
}

#define TZIF_HEADER 44

static int tzif_header(const unsigned char *p, size_t avail, int *version,
		       struct tzif_counts *c, struct ebb_err *err)
{
	if (avail < TZIF_HEADER)
		return ebb_err_set(err, EBB_EPARSE,
				   "time zone data is truncated: a TZif header needs 44 bytes, %zu left",
				   avail);
	if (memcmp(p, "TZif", 4) != 0)
		return ebb_err_set(err, EBB_EPARSE,
				   "not a TZif time zone file (no \"TZif\" magic); "
				   "give a file from /usr/share/zoneinfo");
	if (p[4] == 0)
		*version = 1;
	else if (p[4] >= '2' && p[4] <= '9')
		*version = p[4] - '0';
	else
		return ebb_err_set(err, EBB_EPARSE, "TZif file has an unknown version byte 0x%02x",
				   p[4]);
	c->isutcnt = be32(p + 20);
	c->isstdcnt = be32(p + 24);
	c->leapcnt = be32(p + 28);
	c->timecnt = be32(p + 32);
	c->typecnt = be32(p + 36);
	c->charcnt = be32(p + 40);
	if (c->timecnt > TZ_MAX_TIMES || c->typecnt > TZ_MAX_TYPES || c->charcnt > TZ_MAX_CHARS ||
	    c->leapcnt > TZ_MAX_LEAPS || c->isutcnt > TZ_MAX_TYPES || c->isstdcnt > TZ_MAX_TYPES)
		return ebb_err_set(err, EBB_EPARSE,
				   "TZif header has absurd counts (%u transitions, %u types, %u "
				   "abbreviation bytes, %u leap seconds); refusing it",
				   c->timecnt, c->typecnt, c->charcnt, c->leapcnt);
	return EBB_OK;
}

static size_t tzif_block_size(const struct tzif_counts *c, size_t tsize)
{
	/* Each count is bounded by 4096, so no sum here can overflow. */
	return c->timecnt * tsize + c->timecnt + c->typecnt * 6 + c->charcnt +
	       c->leapcnt * (tsize + 4) + c->isstdcnt + c->isutcnt;
}

static int tzif_block(struct ebb_tz *tz, const unsigned char *p, const struct tzif_counts *c,
		      size_t tsize, struct ebb_err *err)
{
	if (c->typecnt == 0 || c->charcnt == 0)
		return ebb_err_set(err, EBB_EPARSE, "TZif data has no local time types");
	if ((c->isutcnt && c->isutcnt != c->typecnt) || (c->isstdcnt && c->isstdcnt != c->typecnt))
		return ebb_err_set(err, EBB_EPARSE,
				   "TZif data has %u UT/local and %u standard/wall indicators for %u types",
				   c->isutcnt, c->isstdcnt, c->typecnt);
	if (c->timecnt) {
		tz->times = malloc(c->timecnt * sizeof *tz->times);
		tz->idx = malloc(c->timecnt);
		if (!tz->times || !tz->idx)
			return ebb_err_set(err, EBB_ENOMEM, "out of memory for a time zone");
	}
	tz->chars = malloc((size_t)c->charcnt + 1);
	if (!tz->chars)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for a time zone");
	tz->ntimes = c->timecnt;
	tz->ntypes = c->typecnt;
	tz->nchars = c->charcnt;

	for (size_t i = 0; i < c->timecnt; i++, p += tsize) {
		tz->times[i] = tsize == 8 ? be64s(p) : be32s(p);
		if (i && tz->times[i] <= tz->times[i - 1])
			return ebb_err_set(err, EBB_EPARSE,
					   "TZif transition %zu is not later than the one before", i);
	}
	for (size_t i = 0; i < c->timecnt; i++, p++) {
		if (*p >= c->typecnt)
			return ebb_err_set(err, EBB_EPARSE,
					   "TZif transition %zu names type %u of only %u", i, *p,
					   c->typecnt);
		tz->idx[i] = *p;
	}
	for (size_t i = 0; i < c->typecnt; i++, p += 6) {
		int32_t utoff = be32s(p);
		if (utoff < TZ_MIN_UTOFF || utoff > TZ_MAX_UTOFF)
			return ebb_err_set(err, EBB_EPARSE,
					   "TZif type %zu has an offset of %ld seconds, beyond +-26 hours",
					   i, (long)utoff);
		if (p[4] > 1)
			return ebb_err_set(err, EBB_EPARSE, "TZif type %zu has a DST flag of %u", i,
					   p[4]);
		if (p[5] >= c->charcnt)
			return ebb_err_set(err, EBB_EPARSE,
					   "TZif type %zu points past the abbreviations", i);
		tz->types[i].utoff = utoff;
		tz->types[i].isdst = p[4];
		tz->types[i].abbr_off = p[5];
	}
	memcpy(tz->chars, p, c->charcnt);
	tz->chars[c->charcnt] = '\0';
	/* Leap seconds and the UT/standard indicators are skipped: time_t counts
	 * POSIX seconds, and the indicators only matter for POSIX rule files. */
	return EBB_OK;
}

static int tzif_footer(struct ebb_tz *tz, const unsigned char *p, size_t avail,
		       struct ebb_err *err)
{
	if (avail < 2 || p[0] != '\n')
		return ebb_err_set(err, EBB_EPARSE, "TZif data is truncated before its footer rule");
	const unsigned char *nl = memchr(p + 1, '\n', avail - 1 < TZ_RULE_MAX + 1 ? avail - 1
									 : TZ_RULE_MAX + 1);
	if (!nl)
		return ebb_err_set(err, EBB_EPARSE,
				   "TZif footer rule is truncated or longer than %d bytes", TZ_RULE_MAX);
	size_t len = (size_t)(nl - (p + 1));
	if (len == 0)
		return EBB_OK;   /* no rule: the last type holds for ever */
	char text[TZ_RULE_MAX + 1];
	memcpy(text, p + 1, len);
	text[len] = '\0';
	if (strlen(text) != len)
		return ebb_err_set(err, EBB_EPARSE, "TZif footer rule contains a NUL byte");
	int rc = parse_rule(text, &tz->rule, err);
	if (rc) {
		ebb_err_prefix(err, "TZif footer: ");
		return rc;
	}
	tz->has_rule = 1;
	return EBB_OK;
}

int tz_parse_tzif(const unsigned char *data, size_t len, struct ebb_tz **out, struct ebb_err *err)
{
	if (!out)
		return ebb_err_set(err, EBB_EINVAL, "tz_parse_tzif: nowhere to put the zone");
	*out = NULL;
	if (!data)
		len = 0;
	int version;
	struct tzif_counts c;
	int rc = tzif_header(data, len, &version, &c, err);
	if (rc)
		return rc;
	size_t pos = TZIF_HEADER;
	size_t tsize = 4;
	size_t block = tzif_block_size(&c, 4);
	if (version >= 2) {
		/* Skip the 32-bit block; the 64-bit one after it is authoritative. */
		if (len - pos < block)
			return ebb_err_set(err, EBB_EPARSE, "TZif data is truncated in its first block");
		pos += block;
		rc = tzif_header(data + pos, len - pos, &version, &c, err);
		if (rc) {
			ebb_err_prefix(err, "TZif second header: ");
			return rc;
		}
		pos += TZIF_HEADER;
		tsize = 8;
		block = tzif_block_size(&c, 8);
	}
	if (len - pos < block)
		return ebb_err_set(err, EBB_EPARSE,
				   "TZif data is truncated: its data block needs %zu bytes, %zu left",
				   block, len - pos);
	struct ebb_tz *tz = calloc(1, sizeof *tz);
	if (!tz)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory for a time zone");
	rc = tzif_block(tz, data + pos, &c, tsize, err);
	if (!rc && tsize == 8)
		rc = tzif_footer(tz, data + pos + block, len - pos - block, err);
	if (rc) {
		tz_free(tz);
		return rc;
	}
	*out = tz;
	return EBB_OK;
}

/* ---- lookups ------------------------------------------------------------- */

static void type_state(const struct ebb_tz *tz, size_t type, struct tz_state *st)
{
	st->utoff = tz->types[type].utoff;
	st->isdst = tz->types[type].isdst;
	st->abbr = tz->chars ? tz->chars + tz->types[type].abbr_off : tz->rule.std_name;
}

/* Index of the last transition at or before t, or -1. */
static long last_transition_upto(const struct ebb_tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->ntimes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->times[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

static void zone_lookup(const struct ebb_tz *tz, int64_t t, struct tz_state *st)
{
	if (tz->ntimes == 0) {
		if (tz->has_rule)
			rule_lookup(&tz->rule, t, st);
		else
			type_state(tz, 0, st);
		return;
	}
	long i = last_transition_upto(tz, t);
	if (i < 0) {
		type_state(tz, 0, st);   /* RFC 8536: type 0 before the first transition */
		return;
	}
	if ((size_t)i == tz->ntimes - 1 && tz->has_rule)
		rule_lookup(&tz->rule, t, st);
	else
		type_state(tz, tz->idx[i], st);
}

int tz_localtime(const struct ebb_tz *tz, time_t t, struct tm *out)
{
	if (!tz || !out)
		return EBB_EINVAL;
	if ((int64_t)t < TZ_MIN_T || (int64_t)t > TZ_MAX_T)
		return EBB_EINVAL;
	struct tz_state st;
	zone_lookup(tz, t, &st);
	int64_t local = (int64_t)t + st.utoff;
	int64_t days = floor_div64(local, SECS_PER_DAY);
	int64_t secs = local - days * SECS_PER_DAY;
	int64_t year;
	int month, mday;
	civil_from_days(days, &year, &month, &mday);
	memset(out, 0, sizeof *out);
	out->tm_year = (int)(year - 1900);
	out->tm_mon = month - 1;
	out->tm_mday = mday;
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_sec = (int)(secs % 60);
	out->tm_wday = weekday_of_days(days);
	out->tm_yday = (int)(days - days_from_civil(year, 1, 1));
	out->tm_isdst = st.isdst;
	out->tm_gmtoff = st.utoff;
	out->tm_zone = st.abbr;   /* lives as long as the zone */
	return EBB_OK;
}

/* ---- local -> UTC -------------------------------------------------------- */

struct tz_seg {
	int64_t start;   /* the offset holds from here to the next segment */
	int32_t utoff;
};

static void sort_i64(int64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int64_t x = v[i];
		size_t j = i;
		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* The offsets in effect over (lo, hi]: the one at lo, then one segment per
 * change. Both the TZif transitions and the footer rule's are considered. */
static size_t zone_segments(const struct ebb_tz *tz, int64_t lo, int64_t hi, struct tz_seg *seg)
{
	int64_t at[TZ_MAX_SEGS];
	size_t nat = 0;
	long i = last_transition_upto(tz, lo) + 1;
	for (; (size_t)i < tz->ntimes && tz->times[i] <= hi && nat < TZ_MAX_SEGS; i++)
		at[nat++] = tz->times[i];
	if (tz->has_rule && tz->rule.has_dst) {
		int64_t from = tz->ntimes ? tz->times[tz->ntimes - 1] : INT64_MIN;
		int64_t ylo = year_of(lo) - 1, yhi = year_of(hi) + 1;
		for (int64_t y = ylo; y <= yhi; y++) {
			struct rule_change c[2];
			rule_year(&tz->rule, y, c);
			for (int k = 0; k < 2; k++)
				if (c[k].at > lo && c[k].at <= hi && c[k].at >= from &&
				    nat < TZ_MAX_SEGS)
					at[nat++] = c[k].at;
		}
	}
	sort_i64(at, nat);

	struct tz_state st;
	size_t n = 0;
	zone_lookup(tz, lo, &st);
	seg[n++] = (struct tz_seg){ lo, st.utoff };
	for (size_t k = 0; k < nat; k++) {
		zone_lookup(tz, at[k], &st);
		if (st.utoff != seg[n - 1].utoff && n < TZ_MAX_SEGS)
			seg[n++] = (struct tz_seg){ at[k], st.utoff };
	}
	return n;
}

time_t tz_mktime(const struct ebb_tz *tz, const struct tm *local)
{
	if (!tz || !local)
		return (time_t)-1;
	int64_t months = (int64_t)local->tm_year * 12 + local->tm_mon;
	int64_t year = 1900 + floor_div64(months, 12);
	int month = (int)floor_mod64(months, 12) + 1;
	if (year < -1000000 || year > 1000000)
		return (time_t)-1;
	int64_t wall = (days_from_civil(year, month, 1) + (int64_t)local->tm_mday - 1) * SECS_PER_DAY +
		       (int64_t)local->tm_hour * 3600 + (int64_t)local->tm_min * 60 + local->tm_sec;
	if (wall < TZ_MIN_T || wall > TZ_MAX_T)
		return (time_t)-1;

	/* Every instant with this wall time lies within the widest offsets. */
	struct tz_seg seg[TZ_MAX_SEGS];
	size_t n = zone_segments(tz, wall - TZ_MAX_UTOFF - 1, wall - TZ_MIN_UTOFF, seg);
	for (size_t k = 0; k < n; k++) {
		int64_t t = wall - seg[k].utoff;
		int64_t end = k + 1 < n ? seg[k + 1].start : INT64_MAX;
		if (t >= seg[k].start && t < end)
			return (time_t)t;   /* the first occurrence wins in an overlap */
	}
	/* A gap: read the wall time with the offset before it, which lands as
	 * far after the gap as the wall time is into it. */
	for (size_t k = 0; k + 1 < n; k++) {
		int64_t change = seg[k + 1].start;
		if (change + seg[k].utoff <= wall && wall < change + seg[k + 1].utoff)
			return (time_t)(wall - seg[k].utoff);
	}
	return (time_t)(wall - seg[0].utoff);
}

int tz_format_iso8601(const struct ebb_tz *tz, time_t t, char *out, size_t outlen)
{
	if (!out || !outlen)
		return EBB_EINVAL;
	out[0] = '\0';
	struct tm tm;
	int rc = tz_localtime(tz, t, &tm);
	if (rc)
		return rc;
	/* ISO 8601 offsets have no seconds (old LMT offsets do): show the
	 * offset cut to whole minutes and the wall time that goes with it, so
	 * the string still names the exact instant. */
	long off = tm.tm_gmtoff;
	long shown = off / 60 * 60;
	if (shown != off) {
		struct ebb_tz fixed;
		memset(&fixed, 0, sizeof fixed);
		fixed.ntypes = 1;
		fixed.types[0].utoff = (int32_t)shown;
		if (tz_localtime(&fixed, t, &tm))
			return EBB_EINVAL;
	}
	long mag = shown < 0 ? -shown : shown;
	int n = snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, shown < 0 ? '-' : '+', mag / 3600, mag / 60 % 60);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return EBB_ETOOBIG;
	}
	return EBB_OK;
}
