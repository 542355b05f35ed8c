/* test_tz: time zones of policy/tz checked against glibc's own reading of
 * the same zone files and TZ strings, plus gaps, overlaps and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebb/policy.h"

#define ZONEINFO "/usr/share/zoneinfo/"

static unsigned char *read_zone(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof path, ZONEINFO "%s", name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	assert_true(*len > 44);
	return buf;
}

static struct ebb_tz *load_zone(const char *name)
{
	size_t len;
	unsigned char *data = read_zone(name, &len);
	struct ebb_tz *tz = NULL;
	struct ebb_err err = { 0 };
	int rc = tz_parse_tzif(data, len, &tz, &err);
	free(data);
	if (rc)
		fail_msg("%s: %s", name, err.msg);
	assert_non_null(tz);
	return tz;
}

static void set_process_tz(const char *tzval)
{
	setenv("TZ", tzval, 1);
	tzset();
}

/* Compares one instant with glibc; returns glibc's offset. */
static long compare_at(const struct ebb_tz *tz, time_t t, const char *label)
{
	struct tm want, got;
	assert_non_null(localtime_r(&t, &want));
	int rc = tz_localtime(tz, t, &got);
	if (rc || want.tm_year != got.tm_year || want.tm_mon != got.tm_mon ||
	    want.tm_mday != got.tm_mday || want.tm_hour != got.tm_hour || want.tm_min != got.tm_min ||
	    want.tm_sec != got.tm_sec || want.tm_wday != got.tm_wday ||
	    want.tm_yday != got.tm_yday || want.tm_isdst != got.tm_isdst ||
	    want.tm_gmtoff != got.tm_gmtoff || strcmp(want.tm_zone, got.tm_zone) != 0)
		fail_msg("%s at %lld: glibc %04d-%02d-%02d %02d:%02d:%02d wday %d yday %d dst %d "
			 "off %ld %s, ours (rc %d) %04d-%02d-%02d %02d:%02d:%02d wday %d yday %d "
			 "dst %d off %ld %s",
			 label, (long long)t, want.tm_year + 1900, want.tm_mon + 1, want.tm_mday,
			 want.tm_hour, want.tm_min, want.tm_sec, want.tm_wday, want.tm_yday,
			 want.tm_isdst, want.tm_gmtoff, want.tm_zone, rc, got.tm_year + 1900,
			 got.tm_mon + 1, got.tm_mday, got.tm_hour, got.tm_min, got.tm_sec,
			 got.tm_wday, got.tm_yday, got.tm_isdst, got.tm_gmtoff,
			 got.tm_zone ? got.tm_zone : "(null)");
	return want.tm_gmtoff;
}

/* The wall time of t must come back as t, or as an earlier instant with the
 * same wall time (the first occurrence of an ambiguous hour). */
static void check_round_trip(const struct ebb_tz *tz, time_t t)
{
	struct tm tm, back;
	assert_int_equal(tz_localtime(tz, t, &tm), 0);
	time_t r = tz_mktime(tz, &tm);
	if (r != t) {
		assert_true(r < t);
		assert_true(t - r <= 3 * 3600);
		assert_int_equal(tz_localtime(tz, r, &back), 0);
		assert_int_equal(back.tm_hour, tm.tm_hour);
		assert_int_equal(back.tm_min, tm.tm_min);
		assert_int_equal(back.tm_mday, tm.tm_mday);
		assert_true(back.tm_gmtoff > tm.tm_gmtoff);
	}
}

/* Samples 1970..2100 every ~7 h, and bisects every change of offset that
 * glibc shows to check the second before, at and after it. */
static size_t compare_zone_with_glibc(const struct ebb_tz *tz, const char *tzval,
				      const char *label, time_t from, time_t to)
{
	set_process_tz(tzval);
	const time_t step = 7 * 3600 + 13 * 60 + 17;
	time_t prev = from;
	long prev_off = compare_at(tz, prev, label);
	size_t changes = 0;
	for (time_t t = from + step; t < to; t += step) {
		long off = compare_at(tz, t, label);
		check_round_trip(tz, t);
		if (off != prev_off) {
			time_t lo = prev, hi = t;   /* offset changes in (lo, hi] */
			while (hi - lo > 1) {
				time_t mid = lo + (hi - lo) / 2;
				struct tm m;
				localtime_r(&mid, &m);
				if (m.tm_gmtoff == prev_off)
					lo = mid;
				else
					hi = mid;
			}
			compare_at(tz, hi - 1, label);
			compare_at(tz, hi, label);
			compare_at(tz, hi + 1, label);
			check_round_trip(tz, hi - 1);
			check_round_trip(tz, hi);
			changes++;
		}
		prev = t;
		prev_off = off;
	}
	unsetenv("TZ");
	tzset();
	return changes;
}

#define Y1970 ((time_t)0)
#define Y2100 ((time_t)4102444800LL)

static void test_zone_files_match_glibc(void **state)
{
	(void)state;
	static const char *const zones[] = { "Europe/Berlin", "America/New_York",
					     "Australia/Lord_Howe", "Asia/Kolkata",
					     "America/Sao_Paulo", "UTC" };
	/* Offset changes 1970-2100 the walk must have met (DST twice a year). */
	static const size_t min_changes[] = { 2 * 120, 2 * 125, 2 * 115, 0, 2 * 20, 0 };
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		struct ebb_tz *tz = load_zone(zones[i]);
		char tzval[128];
		snprintf(tzval, sizeof tzval, ":%s", zones[i]);
		size_t n = compare_zone_with_glibc(tz, tzval, zones[i], Y1970, Y2100);
		if (n < min_changes[i])
			fail_msg("%s: only %zu offset changes seen", zones[i], n);
		/* Before 1970 too, back to the first transitions (LMT). */
		compare_zone_with_glibc(tz, tzval, zones[i], (time_t)-2500000000LL, Y1970);
		tz_free(tz);
	}
}

static void test_posix_rules_match_glibc(void **state)
{
	(void)state;
	static const char *const rules[] = {
		"CET-1CEST,M3.5.0,M10.5.0/3",
		"EST5EDT,M3.2.0,M11.1.0",
		"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
		"IST-5:30",
		"<-03>3",
		"AEST-10AEDT,M10.1.0,M4.1.0/3",
		"NZST-12NZDT,M9.5.0,M4.1.0/3",
		"XXX3YYY,J60/2,J300/2",         /* Julian days without Feb 29 */
		"XXX3YYY,59/2,299/2",           /* zero-based days with Feb 29 */
		"ABC-2:15:30DEF-3:45,M4.1.3/0:30,M9.5.6/23:59:59",
		"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", /* negative time (RFC 8536) */
		"<+13>-13<+14>,M9.5.0/50,M4.1.0/27", /* hours past 24 */
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		struct ebb_tz *tz = NULL;
		struct ebb_err err = { 0 };
		int rc = tz_parse_posix(rules[i], &tz, &err);
		if (rc)
			fail_msg("%s: %s", rules[i], err.msg);
		size_t n = compare_zone_with_glibc(tz, rules[i], rules[i], Y1970, Y2100);
		if (strchr(rules[i], ',') && n < 2 * 129)
			fail_msg("%s: only %zu offset changes seen", rules[i], n);
		tz_free(tz);
	}
	/* No dates: today's US rules. glibc takes the dates from its posixrules
	 * file (New York's history), so compare from 2007 on. */
	struct ebb_tz *tz = NULL;
	assert_int_equal(tz_parse_posix("EST5EDT", &tz, NULL), 0);
	compare_zone_with_glibc(tz, "EST5EDT", "EST5EDT", (time_t)1167609600, Y2100);
	tz_free(tz);
}

static void test_posix_dst_all_year(void **state)
{
	(void)state;
	struct ebb_tz *tz = NULL;
	assert_int_equal(tz_parse_posix("EST5EDT,0/0,J365/25", &tz, NULL), 0);
	for (time_t t = 1700000000; t < 1700000000 + 3 * 366 * 86400LL; t += 3599 * 7) {
		struct tm tm;
		assert_int_equal(tz_localtime(tz, t, &tm), 0);
		assert_int_equal(tm.tm_isdst, 1);
		assert_int_equal(tm.tm_gmtoff, -4 * 3600);
	}
	tz_free(tz);
}

static void test_quoted_names_and_offsets(void **state)
{
	(void)state;
	struct ebb_tz *tz = NULL;
	assert_int_equal(tz_parse_posix("<+03>-3", &tz, NULL), 0);
	struct tm tm;
	assert_int_equal(tz_localtime(tz, 1767225600, &tm), 0);   /* 2026-01-01T00:00Z */
	assert_int_equal(tm.tm_gmtoff, 3 * 3600);
	assert_string_equal(tm.tm_zone, "+03");
	assert_int_equal(tm.tm_hour, 3);
	tz_free(tz);
}

static time_t wall(const struct ebb_tz *tz, int y, int mon, int d, int h, int mi)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return tz_mktime(tz, &tm);
}

static time_t utc(int y, int mon, int d, int h, int mi)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

static void test_mktime_gaps_and_overlaps(void **state)
{
	(void)state;
	struct ebb_tz *berlin = load_zone("Europe/Berlin");
	struct ebb_tz *ny = load_zone("America/New_York");
	struct ebb_tz *lh = load_zone("Australia/Lord_Howe");

	/* Spring forward 02:00 -> 03:00: 02:30 is read as 03:30 CEST. */
	assert_int_equal(wall(berlin, 2026, 3, 29, 2, 30), utc(2026, 3, 29, 1, 30));
	assert_int_equal(wall(berlin, 2026, 3, 29, 2, 0), utc(2026, 3, 29, 1, 0));
	assert_int_equal(wall(berlin, 2026, 3, 29, 3, 0), utc(2026, 3, 29, 1, 0));
	assert_int_equal(wall(berlin, 2026, 3, 29, 1, 59), utc(2026, 3, 29, 0, 59));
	/* Fall back 03:00 -> 02:00: 02:30 happens twice, the first (CEST) wins. */
	assert_int_equal(wall(berlin, 2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30));
	assert_int_equal(wall(berlin, 2026, 10, 25, 3, 0), utc(2026, 10, 25, 2, 0));
	/* The footer rule far beyond the file's last transition. */
	assert_int_equal(wall(berlin, 2090, 3, 26, 2, 30), utc(2090, 3, 26, 1, 30));
	assert_int_equal(wall(berlin, 2090, 10, 29, 2, 30), utc(2090, 10, 29, 0, 30));

	assert_int_equal(wall(ny, 2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 30));
	assert_int_equal(wall(ny, 2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30));
	assert_int_equal(wall(ny, 2026, 11, 1, 2, 0), utc(2026, 11, 1, 7, 0));

	/* Lord Howe moves by 30 minutes: 02:00 -> 02:30 in October... */
	assert_int_equal(wall(lh, 2026, 10, 4, 2, 15), utc(2026, 10, 3, 15, 45));
	/* ...and 02:00 -> 01:30 in April (01:45 first at +11). */
	assert_int_equal(wall(lh, 2026, 4, 5, 1, 45), utc(2026, 4, 4, 14, 45));
	assert_int_equal(wall(lh, 2026, 4, 5, 2, 0), utc(2026, 4, 4, 15, 30));

	tz_free(berlin);
	tz_free(ny);
	tz_free(lh);
}

static void test_mktime_normalises(void **state)
{
	(void)state;
	struct ebb_tz *u = tz_utc();
	assert_non_null(u);
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = 126;
	tm.tm_mon = 13;       /* February of the next year */
	tm.tm_mday = 0;       /* the last day of January */
	tm.tm_hour = 25;
	tm.tm_min = -30;
	tm.tm_sec = 61;
	struct tm copy = tm;
	time_t want = timegm(&copy);
	assert_int_equal(tz_mktime(u, &tm), want);
	assert_int_equal(want, utc(2027, 2, 1, 0, 31) + 1);

	tm.tm_year = 99999999;   /* far outside the zone's years */
	assert_int_equal(tz_mktime(u, &tm), (time_t)-1);
	assert_int_equal(tz_mktime(NULL, &tm), (time_t)-1);
	tz_free(u);
}

static void test_localtime_range(void **state)
{
	(void)state;
	struct ebb_tz *u = tz_utc();
	struct tm tm;
	assert_int_equal(tz_localtime(u, (time_t)253402300799LL, &tm), 0);
	assert_int_equal(tm.tm_year + 1900, 9999);
	assert_int_equal(tz_localtime(u, (time_t)253402300800LL, &tm), EBB_EINVAL);
	assert_int_equal(tz_localtime(u, (time_t)-62135596801LL, &tm), EBB_EINVAL);
	assert_int_equal(tz_localtime(u, (time_t)INT64_MAX, &tm), EBB_EINVAL);
	assert_int_equal(tz_localtime(NULL, 0, &tm), EBB_EINVAL);
	assert_int_equal(tz_localtime(u, -86400, &tm), 0);
	assert_int_equal(tm.tm_year, 69);
	assert_int_equal(tm.tm_mday, 31);
	assert_int_equal(tm.tm_wday, 3);
	tz_free(u);
}

static void test_format_iso8601(void **state)
{
	(void)state;
	struct ebb_tz *berlin = load_zone("Europe/Berlin");
	struct ebb_tz *kolkata = load_zone("Asia/Kolkata");
	struct ebb_tz *ny = load_zone("America/New_York");
	struct ebb_tz *u = tz_utc();
	char buf[64];
	assert_int_equal(tz_format_iso8601(berlin, utc(2026, 11, 24, 7, 0), buf, sizeof buf), 0);
	assert_string_equal(buf, "2026-11-24T08:00:00+01:00");
	assert_int_equal(tz_format_iso8601(berlin, utc(2026, 7, 1, 12, 0) + 5, buf, sizeof buf), 0);
	assert_string_equal(buf, "2026-07-01T14:00:05+02:00");
	assert_int_equal(tz_format_iso8601(u, utc(2026, 11, 24, 7, 0), buf, sizeof buf), 0);
	assert_string_equal(buf, "2026-11-24T07:00:00+00:00");
	assert_int_equal(tz_format_iso8601(kolkata, utc(2026, 1, 1, 0, 0), buf, sizeof buf), 0);
	assert_string_equal(buf, "2026-01-01T05:30:00+05:30");
	assert_int_equal(tz_format_iso8601(ny, utc(2026, 1, 1, 0, 0), buf, sizeof buf), 0);
	assert_string_equal(buf, "2025-12-31T19:00:00-05:00");
	/* Berlin's LMT was +00:53:28: cut to +00:53 with the matching wall time. */
	assert_int_equal(tz_format_iso8601(berlin, utc(1880, 1, 1, 0, 0), buf, sizeof buf), 0);
	assert_string_equal(buf, "1880-01-01T00:53:00+00:53");
	/* Too small a buffer is refused and left empty. */
	assert_int_equal(tz_format_iso8601(berlin, 0, buf, 25), EBB_ETOOBIG);
	assert_string_equal(buf, "");
	assert_int_equal(tz_format_iso8601(berlin, 0, buf, 26), 0);
	assert_string_equal(buf, "1970-01-01T01:00:00+01:00");
	assert_int_equal(tz_format_iso8601(berlin, (time_t)INT64_MAX, buf, sizeof buf), EBB_EINVAL);
	tz_free(berlin);
	tz_free(kolkata);
	tz_free(ny);
	tz_free(u);
}

static void expect_posix_error(const char *rule, const char *mention)
{
	struct ebb_tz *tz = (struct ebb_tz *)&tz;   /* must be reset to NULL */
	struct ebb_err err = { 0 };
	int rc = tz_parse_posix(rule, &tz, &err);
	if (rc != EBB_EPARSE)
		fail_msg("\"%s\" gave %d, wanted EBB_EPARSE", rule, rc);
	assert_null(tz);
	assert_int_equal(err.code, EBB_EPARSE);
	if (!strstr(err.msg, mention))
		fail_msg("\"%s\": message \"%s\" does not mention \"%s\"", rule, err.msg, mention);
}

static void test_posix_errors(void **state)
{
	(void)state;
	expect_posix_error("", "zone name");
	expect_posix_error("E5", "zone name");
	expect_posix_error("EST", "expected an offset");
	expect_posix_error("EST5EDT,M3.2.0", "the date DST ends");
	expect_posix_error("EST5EDT,M13.1.0,M11.1.0", "month 1 to 12");
	expect_posix_error("EST5EDT,M3.6.0,M11.1.0", "week 1 to 5");
	expect_posix_error("EST5EDT,M3.2.7,M11.1.0", "weekday 0 to 6");
	expect_posix_error("EST5EDT,J0,J100", "J1 to J365");
	expect_posix_error("EST5EDT,366,100", "0 to 365");
	expect_posix_error("EST5EDT,X1,J100", "Mm.w.d, Jn or n");
	expect_posix_error("EST25", "more than 24 hours");
	expect_posix_error("EST5EDT,M3.2.0/168,M11.1.0", "167 hours");
	expect_posix_error("EST5:60", "above 59");
	expect_posix_error("<+03-3", "quoted zone name");
	expect_posix_error("EST5 trailing", "\" trailing\"");
	expect_posix_error("EST5,M3.2.0,M11.1.0", "expected a DST name");
	expect_posix_error("EST5EDT,M3.2.0,M11.1.0junk", "junk");
	expect_posix_error(":Europe/Berlin", "zone name");
	expect_posix_error("<ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH>1", "longer than 31");
	char longrule[400];
	memset(longrule, 'A', sizeof longrule - 1);
	longrule[sizeof longrule - 1] = '\0';
	expect_posix_error(longrule, "longer than 255");
	struct ebb_tz *tz;
	assert_int_equal(tz_parse_posix(NULL, &tz, NULL), EBB_EINVAL);
}

static void expect_tzif_error(const unsigned char *data, size_t len, const char *mention)
{
	struct ebb_tz *tz = (struct ebb_tz *)&tz;
	struct ebb_err err = { 0 };
	int rc = tz_parse_tzif(data, len, &tz, &err);
	if (rc != EBB_EPARSE)
		fail_msg("len %zu gave %d, wanted EBB_EPARSE", len, rc);
	assert_null(tz);
	if (mention && !strstr(err.msg, mention))
		fail_msg("message \"%s\" does not mention \"%s\"", err.msg, mention);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void test_tzif_errors(void **state)
{
	(void)state;
	size_t len;
	unsigned char *berlin = read_zone("Europe/Berlin", &len);
	unsigned char *copy = malloc(len);
	assert_non_null(copy);

	/* Every proper prefix is truncated somewhere. */
	for (size_t n = 0; n < len; n++) {
		memcpy(copy, berlin, n);
		expect_tzif_error(copy, n, NULL);
	}
	expect_tzif_error(berlin, 10, "truncated");
	expect_tzif_error(berlin, len - 1, "footer");

	memcpy(copy, berlin, len);
	copy[0] = 'X';
	expect_tzif_error(copy, len, "magic");

	memcpy(copy, berlin, len);
	copy[4] = '1';
	expect_tzif_error(copy, len, "version");

	memcpy(copy, berlin, len);
	put32(copy + 32, 100000);   /* timecnt */
	expect_tzif_error(copy, len, "absurd");

	/* The 64-bit block: its header follows the 32-bit block. */
	uint32_t c32[6];
	for (int i = 0; i < 6; i++)
		c32[i] = (uint32_t)berlin[20 + 4 * i] << 24 | (uint32_t)berlin[21 + 4 * i] << 16 |
			 (uint32_t)berlin[22 + 4 * i] << 8 | berlin[23 + 4 * i];
	size_t v1 = c32[3] * 5 + c32[4] * 6 + c32[5] + c32[2] * 8 + c32[1] + c32[0];
	size_t h2 = 44 + v1;
	assert_memory_equal(berlin + h2, "TZif", 4);
	uint32_t timecnt = (uint32_t)berlin[h2 + 32] << 24 | (uint32_t)berlin[h2 + 33] << 16 |
			   (uint32_t)berlin[h2 + 34] << 8 | berlin[h2 + 35];
	uint32_t typecnt = (uint32_t)berlin[h2 + 36] << 24 | (uint32_t)berlin[h2 + 37] << 16 |
			   (uint32_t)berlin[h2 + 38] << 8 | berlin[h2 + 39];
	size_t times = h2 + 44;
	assert_true(timecnt > 3);

	memcpy(copy, berlin, len);
	memcpy(copy + times + 8 * 2, copy + times + 8 * 1, 8);   /* transition 2 == 1 */
	expect_tzif_error(copy, len, "not later");

	memcpy(copy, berlin, len);
	copy[times + 8 * timecnt + 1] = (unsigned char)typecnt;  /* index out of range */
	expect_tzif_error(copy, len, "names type");

	memcpy(copy, berlin, len);
	put32(copy + times + 9 * timecnt, 200000);   /* type 0 offset beyond 26 h */
	expect_tzif_error(copy, len, "offset");

	memcpy(copy, berlin, len);
	copy[times + 9 * timecnt + 4] = 2;           /* DST flag 2 */
	expect_tzif_error(copy, len, "DST flag");

	memcpy(copy, berlin, len);
	put32(copy + h2 + 36, 0);                    /* no types */
	expect_tzif_error(copy, len, NULL);

	memcpy(copy, berlin, len);
	copy[len - 5] = '!';                         /* footer rule "...M10.5!/3" */
	expect_tzif_error(copy, len, "TZif footer");

	free(copy);
	free(berlin);
}

static void test_tzif_v1_and_no_footer(void **state)
{
	(void)state;
	/* A hand-made version 1 file: one transition at 1000000000 from +1h to
	 * +2h (DST), abbreviations "AAA\0BBB\0". */
	unsigned char f[44 + 4 + 1 + 12 + 8];
	memset(f, 0, sizeof f);
	memcpy(f, "TZif", 4);
	put32(f + 32, 1);   /* timecnt */
	put32(f + 36, 2);   /* typecnt */
	put32(f + 40, 8);   /* charcnt */
	unsigned char *p = f + 44;
	put32(p, 1000000000);
	p[4] = 1;
	p += 5;
	put32(p, 3600); p[4] = 0; p[5] = 0; p += 6;
	put32(p, 7200); p[4] = 1; p[5] = 4; p += 6;
	memcpy(p, "AAA\0BBB\0", 8);
	struct ebb_tz *tz = NULL;
	struct ebb_err err = { 0 };
	assert_int_equal(tz_parse_tzif(f, sizeof f, &tz, &err), 0);
	struct tm tm;
	assert_int_equal(tz_localtime(tz, 999999999, &tm), 0);
	assert_int_equal(tm.tm_gmtoff, 3600);
	assert_string_equal(tm.tm_zone, "AAA");
	assert_int_equal(tz_localtime(tz, 1000000000, &tm), 0);
	assert_int_equal(tm.tm_gmtoff, 7200);
	assert_int_equal(tm.tm_isdst, 1);
	assert_string_equal(tm.tm_zone, "BBB");
	/* No footer: the last type holds for ever. */
	assert_int_equal(tz_localtime(tz, 4000000000LL, &tm), 0);
	assert_int_equal(tm.tm_gmtoff, 7200);
	tz_free(tz);
}

static void test_utc(void **state)
{
	(void)state;
	struct ebb_tz *u = tz_utc();
	assert_non_null(u);
	struct tm tm;
	assert_int_equal(tz_localtime(u, 1767225600 + 3661, &tm), 0);
	assert_int_equal(tm.tm_year, 126);
	assert_int_equal(tm.tm_yday, 0);
	assert_int_equal(tm.tm_hour, 1);
	assert_int_equal(tm.tm_min, 1);
	assert_int_equal(tm.tm_sec, 1);
	assert_int_equal(tm.tm_gmtoff, 0);
	assert_int_equal(tm.tm_isdst, 0);
	assert_string_equal(tm.tm_zone, "UTC");
	assert_int_equal(tz_mktime(u, &tm), 1767225600 + 3661);
	tz_free(u);
	tz_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_files_match_glibc),
		cmocka_unit_test(test_posix_rules_match_glibc),
		cmocka_unit_test(test_posix_dst_all_year),
		cmocka_unit_test(test_quoted_names_and_offsets),
		cmocka_unit_test(test_mktime_gaps_and_overlaps),
		cmocka_unit_test(test_mktime_normalises),
		cmocka_unit_test(test_localtime_range),
		cmocka_unit_test(test_format_iso8601),
		cmocka_unit_test(test_posix_errors),
		cmocka_unit_test(test_tzif_errors),
		cmocka_unit_test(test_tzif_v1_and_no_footer),
		cmocka_unit_test(test_utc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
