/* test_policy: the working-time clock, due times, urgency, release of held
 * replies, targets and tiers, and the parsers of the [hours] settings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebb/policy.h"

#define BERLIN_RULE "CET-1CEST,M3.5.0,M10.5.0/3"
#define NEW_YORK_RULE "EST5EDT,M3.2.0,M11.1.0"
#define HOUR 3600L
#define DAY 86400L

static struct ebb_tz *zone(const char *rule)
{
	struct ebb_tz *tz = NULL;
	struct ebb_err err = { 0 };
	if (tz_parse_posix(rule, &tz, &err))
		fail_msg("%s: %s", rule, err.msg);
	return tz;
}

static time_t at(const struct ebb_tz *tz, int y, int mo, int d, int h, int mi)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return tz_mktime(tz, &tm);
}

static time_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

/* Local "YYYY-MM-DD Www HH:MM:SS" for readable failures. */
static const char *local(const struct ebb_tz *tz, time_t t, char *buf, size_t len)
{
	struct tm tm;
	if (tz_localtime(tz, t, &tm))
		return "(out of range)";
	strftime(buf, len, "%Y-%m-%d %a %H:%M:%S", &tm);
	return buf;
}

#define assert_local(tz, t, want)                                         \
	do {                                                              \
		char lbuf_[64];                                           \
		assert_string_equal(local((tz), (t), lbuf_, sizeof lbuf_), (want)); \
	} while (0)

static void hours_with(struct policy_hours *h, const struct ebb_tz *tz, const char *work,
		       const char *blocks, const char *holidays)
{
	struct ebb_err err = { 0 };
	policy_hours_default(h, tz);
	if (work && policy_parse_work(work, h, &err))
		fail_msg("%s", err.msg);
	if (blocks && policy_parse_blocks(blocks, h, &err))
		fail_msg("%s", err.msg);
	if (holidays && policy_parse_holidays(holidays, h, &err))
		fail_msg("%s", err.msg);
}

/* ---- defaults ------------------------------------------------------------ */

static void test_defaults(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	assert_ptr_equal(h.tz, tz);
	assert_int_equal(h.workdays, 0x3e);
	assert_int_equal(h.nwork, 1);
	assert_int_equal(h.work[0].start_min, 540);
	assert_int_equal(h.work[0].end_min, 1050);
	assert_int_equal(h.nblocks, 2);
	assert_int_equal(h.blocks[0].start_min, 660);
	assert_int_equal(h.blocks[0].end_min, 690);
	assert_int_equal(h.blocks[1].start_min, 960);
	assert_int_equal(h.blocks[1].end_min, 1005);
	assert_int_equal(h.nholidays, 0);
	assert_int_equal(policy_workday_seconds(&h), 30600);

	struct policy_tier tiers[8];
	assert_int_equal(policy_default_tiers(tiers, 8), 5);
	assert_string_equal(tiers[0].name, "urgent");
	assert_int_equal(tiers[0].urgent, 1);
	assert_int_equal(tiers[0].target.kind, TARGET_SECONDS);
	assert_int_equal(tiers[0].target.amount, 3600);
	assert_string_equal(tiers[1].name, "chat");
	assert_int_equal(tiers[1].urgent, 0);
	assert_int_equal(tiers[1].target.amount, 4 * 3600);
	assert_string_equal(tiers[2].name, "feedback");
	assert_int_equal(tiers[2].target.kind, TARGET_DAYS);
	assert_int_equal(tiers[2].target.amount, 1);
	assert_string_equal(tiers[3].name, "email");
	assert_int_equal(tiers[3].target.kind, TARGET_DAYS);
	assert_int_equal(tiers[3].target.amount, 2);
	assert_string_equal(tiers[4].name, "fyi");
	assert_int_equal(tiers[4].target.kind, TARGET_NONE);
	assert_int_equal(policy_default_tiers(tiers, 2), 2);
	assert_int_equal(policy_default_tiers(tiers, 0), 0);
	tz_free(tz);
}

/* ---- due times ------------------------------------------------------------ */

static struct policy_target target(const char *spec)
{
	struct policy_target t;
	struct ebb_err err = { 0 };
	if (policy_parse_target(spec, &t, &err))
		fail_msg("%s", err.msg);
	return t;
}

static void test_due_examples(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	struct policy_target day1 = target("1d"), h4 = target("4h");
	/* Monday evening: the whole of Tuesday's working day. */
	assert_local(tz, policy_due_at(&h, &day1, at(tz, 2026, 11, 23, 20, 0)),
		     "2026-11-24 Tue 17:30:00");
	/* Tuesday morning: one working day later is Wednesday at the same time. */
	assert_local(tz, policy_due_at(&h, &day1, at(tz, 2026, 11, 24, 10, 0)),
		     "2026-11-25 Wed 10:00:00");
	/* Friday 16:00 + 4 h: 1.5 h on Friday, 2.5 h on Monday. */
	assert_local(tz, policy_due_at(&h, &h4, at(tz, 2026, 11, 27, 16, 0)),
		     "2026-11-30 Mon 11:30:00");
	struct policy_target none = target("none");
	assert_int_equal(policy_due_at(&h, &none, at(tz, 2026, 11, 27, 16, 0)), 0);
	struct policy_target day2 = target("2d");
	assert_local(tz, policy_due_at(&h, &day2, at(tz, 2026, 11, 24, 10, 0)),
		     "2026-11-26 Thu 10:00:00");
	struct policy_target day5 = target("5d");
	assert_local(tz, policy_due_at(&h, &day5, at(tz, 2026, 11, 25, 12, 0)),
		     "2026-12-02 Wed 12:00:00");
	tz_free(tz);
}

static void test_add_edges(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	time_t mon10 = at(tz, 2026, 11, 23, 10, 0);
	assert_int_equal(policy_work_add(&h, mon10, 0), mon10);
	assert_int_equal(policy_work_add(&h, mon10, -50), mon10);
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 11, 23, 8, 0), 0), "2026-11-23 Mon 09:00:00");
	/* 17:30 is the first second after work: adding 0 moves to tomorrow. */
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 11, 23, 17, 30), 0),
		     "2026-11-24 Tue 09:00:00");
	time_t last = at(tz, 2026, 11, 23, 17, 30) - 1;
	assert_local(tz, policy_work_add(&h, last, 1), "2026-11-23 Mon 17:30:00");
	assert_local(tz, policy_work_add(&h, last, 2), "2026-11-24 Tue 09:00:01");
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 11, 27, 18, 0), 0),
		     "2026-11-30 Mon 09:00:00");
	/* Weekend arrival. */
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 11, 28, 10, 0), 4 * HOUR),
		     "2026-11-30 Mon 13:00:00");
	assert_int_equal(policy_work_between(&h, mon10, mon10), 0);
	assert_int_equal(policy_work_between(&h, mon10, mon10 - 5), 0);
	assert_int_equal(policy_work_between(&h, at(tz, 2026, 11, 27, 17, 0),
					     at(tz, 2026, 11, 30, 10, 0)), HOUR + HOUR / 2);
	/* A whole week is five working days. */
	assert_int_equal(policy_work_between(&h, at(tz, 2026, 11, 23, 0, 0),
					     at(tz, 2026, 11, 30, 0, 0)), 5 * 30600);
	tz_free(tz);
}

static void test_holidays(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	hours_with(&h, tz, NULL, NULL, "2026-12-24, 2026-12-25");
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 12, 23, 17, 0), HOUR),
		     "2026-12-28 Mon 09:30:00");
	/* Arrival on a holiday counts from the next working day. */
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 12, 24, 10, 0), HOUR),
		     "2026-12-28 Mon 10:00:00");
	assert_false(policy_is_workday(&h, at(tz, 2026, 12, 24, 10, 0)));
	assert_false(policy_in_work(&h, at(tz, 2026, 12, 24, 10, 0)));
	assert_false(policy_in_block(&h, at(tz, 2026, 12, 24, 11, 10)));
	assert_true(policy_is_workday(&h, at(tz, 2026, 12, 23, 23, 59)));
	/* The holiday is a local date: 00:30 on the 24th in Berlin is the 23rd in UTC. */
	assert_false(policy_is_workday(&h, at(tz, 2026, 12, 24, 0, 30)));
	assert_int_equal(policy_work_between(&h, at(tz, 2026, 12, 21, 0, 0),
					     at(tz, 2026, 12, 28, 0, 0)), 3 * 30600);
	tz_free(tz);
}

static void test_lunch_break(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	hours_with(&h, tz, "Mon-Thu 08:00-12:00 13:00-17:00", NULL, NULL);
	assert_int_equal(h.workdays, 0x1e);
	assert_int_equal(policy_workday_seconds(&h), 8 * HOUR);
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 11, 23, 11, 0), 2 * HOUR),
		     "2026-11-23 Mon 14:00:00");
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 11, 23, 12, 30), 0),
		     "2026-11-23 Mon 13:00:00");
	assert_false(policy_in_work(&h, at(tz, 2026, 11, 23, 12, 30)));
	assert_true(policy_in_work(&h, at(tz, 2026, 11, 23, 13, 0)));
	/* Thursday 16:00 + 2 h: Friday is not a working day here. */
	assert_local(tz, policy_work_add(&h, at(tz, 2026, 11, 26, 16, 0), 2 * HOUR),
		     "2026-11-30 Mon 09:00:00");
	assert_int_equal(policy_work_between(&h, at(tz, 2026, 11, 23, 11, 0),
					     at(tz, 2026, 11, 23, 14, 0)), 2 * HOUR);
	struct policy_target d1 = target("1d");
	assert_int_equal(policy_target_seconds(&h, &d1), 8 * HOUR);
	/* From lunch: Monday afternoon and Tuesday morning make the day. */
	assert_local(tz, policy_due_at(&h, &d1, at(tz, 2026, 11, 23, 12, 30)),
		     "2026-11-24 Tue 12:00:00");
	tz_free(tz);
}

/* ---- DST ------------------------------------------------------------------ */

static void test_dst_berlin(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	hours_with(&h, tz, "Mon-Sun 09:00-17:30", NULL, NULL);
	/* The switch days have 23 and 25 hours, their working day still 8.5. */
	time_t s0 = at(tz, 2026, 3, 29, 0, 0), s1 = at(tz, 2026, 3, 30, 0, 0);
	assert_int_equal(s1 - s0, 23 * HOUR);
	assert_int_equal(policy_work_between(&h, s0, s1), 30600);
	time_t f0 = at(tz, 2026, 10, 25, 0, 0), f1 = at(tz, 2026, 10, 26, 0, 0);
	assert_int_equal(f1 - f0, 25 * HOUR);
	assert_int_equal(policy_work_between(&h, f0, f1), 30600);
	assert_local(tz, policy_work_add(&h, s0, 30600), "2026-03-29 Sun 17:30:00");
	assert_int_equal(policy_work_add(&h, s0, 30600), utc(2026, 3, 29, 15, 30));

	/* The default week: a Friday message over the DST weekend. */
	policy_hours_default(&h, tz);
	time_t fri = at(tz, 2026, 3, 27, 16, 0);
	time_t due = policy_work_add(&h, fri, 4 * HOUR);
	assert_local(tz, due, "2026-03-30 Mon 11:30:00");
	assert_int_equal(due, utc(2026, 3, 30, 9, 30));
	assert_int_equal(policy_work_between(&h, fri, due), 4 * HOUR);
	fri = at(tz, 2026, 10, 23, 16, 0);
	due = policy_work_add(&h, fri, 4 * HOUR);
	assert_local(tz, due, "2026-10-26 Mon 11:30:00");
	assert_int_equal(due, utc(2026, 10, 26, 10, 30));
	assert_int_equal(policy_work_between(&h, fri, due), 4 * HOUR);

	/* A span across the switch counts the real time that passes in it. */
	hours_with(&h, tz, "Sun 00:00-04:00", NULL, NULL);
	assert_int_equal(policy_work_between(&h, s0, s1), 3 * HOUR);
	assert_int_equal(policy_work_between(&h, f0, f1), 5 * HOUR);
	tz_free(tz);
}

static void test_dst_new_york(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(NEW_YORK_RULE);
	struct policy_hours h;
	hours_with(&h, tz, "Sun-Sat 09:00-17:30", NULL, NULL);
	assert_int_equal(h.workdays, 0x7f);
	assert_int_equal(policy_work_between(&h, at(tz, 2026, 3, 8, 0, 0), at(tz, 2026, 3, 9, 0, 0)),
			 30600);
	assert_int_equal(policy_work_between(&h, at(tz, 2026, 11, 1, 0, 0),
					     at(tz, 2026, 11, 2, 0, 0)), 30600);
	policy_hours_default(&h, tz);
	time_t due = policy_work_add(&h, at(tz, 2026, 3, 6, 16, 0), 4 * HOUR);
	assert_local(tz, due, "2026-03-09 Mon 11:30:00");
	assert_int_equal(due, utc(2026, 3, 9, 15, 30));
	due = policy_work_add(&h, at(tz, 2026, 10, 30, 16, 0), 4 * HOUR);
	assert_local(tz, due, "2026-11-02 Mon 11:30:00");
	assert_int_equal(due, utc(2026, 11, 2, 16, 30));
	tz_free(tz);
}

static void test_zone_file_hours(void **state)
{
	(void)state;
	FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
	assert_non_null(f);
	unsigned char buf[16384];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct ebb_tz *tz = NULL;
	assert_int_equal(tz_parse_tzif(buf, len, &tz, NULL), 0);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	time_t due = policy_work_add(&h, at(tz, 2026, 3, 27, 16, 0), 4 * HOUR);
	assert_int_equal(due, utc(2026, 3, 30, 9, 30));
	/* Beyond the file's transitions its footer rule takes over. */
	due = policy_work_add(&h, at(tz, 2090, 3, 24, 16, 0), 4 * HOUR);
	assert_local(tz, due, "2090-03-27 Mon 11:30:00");
	assert_int_equal(due, utc(2090, 3, 27, 9, 30));
	tz_free(tz);
}

static void test_no_zone_is_utc(void **state)
{
	(void)state;
	struct policy_hours h;
	policy_hours_default(&h, NULL);
	assert_int_equal(policy_work_add(&h, utc(2026, 11, 23, 20, 0), 30600),
			 utc(2026, 11, 24, 17, 30));
	assert_true(policy_in_work(&h, utc(2026, 11, 23, 9, 0)));
	assert_false(policy_in_work(&h, utc(2026, 11, 23, 8, 59)));
}

/* ---- between() and add() agree ------------------------------------------- */

static void check_consistency(const struct policy_hours *h, time_t from, time_t to, time_t step)
{
	static const long amounts[] = { 0, 1, 59, 1800, 3600, 5000, 30600, 86400, 200000 };
	for (time_t a = from; a < to; a += step) {
		time_t prev = a;
		for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
			time_t b = policy_work_add(h, a, amounts[i]);
			long got = policy_work_between(h, a, b);
			if (got != amounts[i])
				fail_msg("a=%lld s=%ld: add gave %lld, between says %ld",
					 (long long)a, amounts[i], (long long)b, got);
			assert_true(b >= prev);   /* more work never ends earlier */
			if (amounts[i] > 0)
				assert_true(policy_in_work(h, b - 1));
			else
				assert_true(policy_in_work(h, b));
			prev = b;
		}
	}
}

static void test_between_add_consistency(void **state)
{
	(void)state;
	struct ebb_tz *berlin = zone(BERLIN_RULE);
	struct ebb_tz *ny = zone(NEW_YORK_RULE);
	struct policy_hours h;
	const time_t step = 37 * 60 + 13;

	hours_with(&h, berlin, NULL, NULL, "2026-03-27, 2026-10-26");
	check_consistency(&h, at(berlin, 2026, 3, 20, 0, 0), at(berlin, 2026, 4, 5, 0, 0), step);
	check_consistency(&h, at(berlin, 2026, 10, 18, 0, 0), at(berlin, 2026, 11, 2, 0, 0), step);

	hours_with(&h, berlin, "Mon-Fri 08:00-12:00, 12:45-17:00", NULL, NULL);
	check_consistency(&h, at(berlin, 2026, 3, 25, 0, 0), at(berlin, 2026, 4, 2, 0, 0), step);

	/* Spans that start, end and lie inside the switch hours. */
	hours_with(&h, berlin, "Mon-Sun 00:00-02:15 02:30-02:45 02:50-03:30 08:00-24:00", NULL,
		   NULL);
	check_consistency(&h, at(berlin, 2026, 3, 27, 0, 0), at(berlin, 2026, 3, 31, 0, 0), step);
	check_consistency(&h, at(berlin, 2026, 10, 23, 0, 0), at(berlin, 2026, 10, 27, 0, 0), step);

	hours_with(&h, ny, "Sun-Sat 01:30-02:30 09:00-17:30", NULL, NULL);
	check_consistency(&h, at(ny, 2026, 3, 6, 0, 0), at(ny, 2026, 3, 11, 0, 0), step);
	check_consistency(&h, at(ny, 2026, 10, 30, 0, 0), at(ny, 2026, 11, 4, 0, 0), step);
	tz_free(berlin);
	tz_free(ny);
}

static void test_give_up(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	time_t from = at(tz, 2026, 11, 23, 10, 0);
	const time_t horizon = (time_t)POLICY_HORIZON_DAYS * DAY;
	assert_int_equal(policy_work_add(&h, from, LONG_MAX), from + horizon);
	/* A large but reachable amount: about 4 years of working days. */
	time_t far = policy_work_add(&h, from, 1000L * 30600);
	assert_true(far > from + 3 * 365 * DAY && far < from + 5 * 365 * DAY);
	assert_int_equal(policy_work_between(&h, from, far), 1000L * 30600);

	h.workdays = 0;
	assert_int_equal(policy_work_add(&h, from, 60), from + horizon);
	assert_int_equal(policy_work_between(&h, from, from + 30 * DAY), 0);
	assert_int_equal(policy_block_start(&h, from), 0);
	policy_hours_default(&h, tz);
	h.nwork = 0;
	assert_int_equal(policy_work_add(&h, from, 0), from + horizon);
	assert_int_equal(policy_workday_seconds(&h), 0);
	tz_free(tz);
}

/* ---- urgency and markers --------------------------------------------------- */

static void test_urgency(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	struct policy_target h4 = target("4h");
	time_t due = policy_due_at(&h, &h4, at(tz, 2026, 11, 23, 9, 0));
	assert_local(tz, due, "2026-11-23 Mon 13:00:00");
	assert_int_equal(policy_urgency(&h, &h4, 0, due), URGENCY_NONE);
	assert_int_equal(policy_urgency(&h, &h4, due, at(tz, 2026, 11, 23, 9, 0)), URGENCY_DUE);
	/* Exactly 25 % (1 h of 4 h) left is at risk; one second more is not. */
	assert_int_equal(policy_urgency(&h, &h4, due, at(tz, 2026, 11, 23, 12, 0)),
			 URGENCY_AT_RISK);
	assert_int_equal(policy_urgency(&h, &h4, due, at(tz, 2026, 11, 23, 12, 0) - 1),
			 URGENCY_DUE);
	assert_int_equal(policy_urgency(&h, &h4, due, due - 1), URGENCY_AT_RISK);
	assert_int_equal(policy_urgency(&h, &h4, due, due), URGENCY_OVERDUE);
	assert_int_equal(policy_urgency(&h, &h4, due, due + DAY), URGENCY_OVERDUE);

	/* The time left is working time: overnight does not use it up. */
	due = policy_due_at(&h, &h4, at(tz, 2026, 11, 23, 17, 0));
	assert_local(tz, due, "2026-11-24 Tue 12:30:00");
	assert_int_equal(policy_urgency(&h, &h4, due, at(tz, 2026, 11, 23, 23, 0)), URGENCY_DUE);
	assert_int_equal(policy_urgency(&h, &h4, due, at(tz, 2026, 11, 24, 11, 30)),
			 URGENCY_AT_RISK);
	assert_int_equal(policy_urgency(&h, &h4, due, at(tz, 2026, 11, 24, 11, 29)), URGENCY_DUE);

	/* 1d: 25 % of 8.5 h is 2 h 7.5 min. */
	struct policy_target d1 = target("1d");
	due = policy_due_at(&h, &d1, at(tz, 2026, 11, 23, 20, 0));
	assert_int_equal(policy_urgency(&h, &d1, due, due - 7650), URGENCY_AT_RISK);
	assert_int_equal(policy_urgency(&h, &d1, due, due - 7651), URGENCY_DUE);
	struct policy_target none = target("none");
	assert_int_equal(policy_urgency(&h, &none, due, due - 10), URGENCY_DUE);
	tz_free(tz);
}

static void expect_due(const struct policy_hours *h, time_t due, time_t now, const char *want)
{
	char buf[64];
	memset(buf, 'x', sizeof buf);
	policy_format_due(h, due, now, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_true(strlen(buf) <= 12);
}

static void test_format_due(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	time_t due = at(tz, 2026, 11, 24, 12, 0);   /* Tuesday */
	expect_due(&h, 0, due, "");
	expect_due(&h, due, due, "overdue now");
	expect_due(&h, due, due + 59, "overdue now");
	expect_due(&h, due, due + 45 * 60 + 30, "overdue 45m");
	expect_due(&h, due, due + 3 * HOUR + 59 * 60, "overdue 3h");
	expect_due(&h, due, due + 2 * DAY + 5 * HOUR, "overdue 2d");
	expect_due(&h, due, due + 5000 * DAY, "overdue 999d");
	expect_due(&h, due, due - 45 * 60, "due 45m");
	expect_due(&h, due, due - 30, "due 1m");
	expect_due(&h, due, due - 4 * HOUR - 59 * 60, "due 4h");
	expect_due(&h, due, due - DAY, "due 24h");
	expect_due(&h, due, due - 2 * DAY, "due Tue");
	/* The weekday is the zone's: Thursday 00:30 in Berlin is Wednesday in UTC. */
	time_t thu = at(tz, 2026, 11, 26, 0, 30);
	expect_due(&h, thu, thu - 3 * DAY, "due Thu");
	expect_due(&h, due, due - 10 * DAY, "due 24 Nov");
	expect_due(&h, at(tz, 2026, 12, 1, 0, 30), at(tz, 2026, 12, 1, 0, 30) - 30 * DAY,
		   "due 1 Dec");
	char tiny[5];
	policy_format_due(&h, due, due + 3 * HOUR, tiny, sizeof tiny);
	assert_string_equal(tiny, "over");
	tz_free(tz);
}

/* ---- blocks and release ------------------------------------------------------ */

static void test_blocks_and_release(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	hours_with(&h, tz, NULL, NULL, "2026-12-01");
	time_t mon10 = at(tz, 2026, 11, 23, 10, 0);
	time_t mon11 = at(tz, 2026, 11, 23, 11, 0);
	time_t mon1110 = at(tz, 2026, 11, 23, 11, 10);
	time_t mon1130 = at(tz, 2026, 11, 23, 11, 30);
	time_t mon16 = at(tz, 2026, 11, 23, 16, 0);
	assert_int_equal(policy_block_start(&h, mon10), mon11);
	assert_int_equal(policy_block_start(&h, mon1110), mon11);
	assert_int_equal(policy_block_end(&h, mon1110), mon1130);
	assert_int_equal(policy_block_end(&h, mon10), 0);
	assert_int_equal(policy_block_end(&h, mon1130), 0);
	assert_true(policy_in_block(&h, mon11));
	assert_true(policy_in_block(&h, mon1130 - 1));
	assert_false(policy_in_block(&h, mon1130));
	assert_int_equal(policy_block_start(&h, mon1130), mon16);

	assert_int_equal(policy_release_time(&h, RELEASE_NEXT_BLOCK, 0, mon10), mon11);
	assert_int_equal(policy_release_time(&h, RELEASE_NEXT_BLOCK, 0, mon1110), mon1110);
	assert_int_equal(policy_release_time(&h, RELEASE_NEXT_BLOCK, 0, mon1130), mon16);
	assert_int_equal(policy_release_time(&h, RELEASE_NOW, 0, mon10), mon10);
	assert_int_equal(policy_release_time(&h, RELEASE_AT, mon16 + 7, mon10), mon16 + 7);
	/* Friday evening and Saturday wait for Monday's first block. */
	time_t next_mon11 = at(tz, 2026, 11, 30, 11, 0);
	assert_int_equal(policy_release_time(&h, RELEASE_NEXT_BLOCK, 0, at(tz, 2026, 11, 27, 17, 0)),
			 next_mon11);
	assert_int_equal(policy_release_time(&h, RELEASE_NEXT_BLOCK, 0, at(tz, 2026, 11, 28, 11, 10)),
			 next_mon11);
	/* No blocks on a holiday: Monday 30 Nov 17:00 waits until Wednesday. */
	assert_int_equal(policy_release_time(&h, RELEASE_NEXT_BLOCK, 0, at(tz, 2026, 11, 30, 17, 0)),
			 at(tz, 2026, 12, 2, 11, 0));

	struct ebb_err err = { 0 };
	assert_int_equal(policy_parse_blocks("none", &h, &err), 0);
	assert_int_equal(h.nblocks, 0);
	assert_int_equal(policy_block_start(&h, mon10), 0);
	assert_int_equal(policy_block_end(&h, mon11), 0);
	assert_false(policy_in_block(&h, mon11));
	assert_int_equal(policy_release_time(&h, RELEASE_NEXT_BLOCK, 0, mon10), mon10);
	tz_free(tz);
}

/* ---- parsers ----------------------------------------------------------------- */

/* A failed parse must leave the hours exactly as they were. */
static void expect_work_error(const char *spec, int code, const char *mention)
{
	struct policy_hours h, before;
	policy_hours_default(&h, NULL);
	before = h;
	struct ebb_err err = { 0 };
	int rc = policy_parse_work(spec, &h, &err);
	if (rc != code)
		fail_msg("\"%s\" gave %d, wanted %d (%s)", spec, rc, code, err.msg);
	assert_int_equal(err.code, code);
	assert_memory_equal(&h, &before, sizeof h);
	if (!strstr(err.msg, mention))
		fail_msg("\"%s\": message \"%s\" does not mention \"%s\"", spec, err.msg, mention);
	assert_true(strncmp(err.msg, "work: \"", 7) == 0);
}

static void test_parse_work(void **state)
{
	(void)state;
	struct policy_hours h;
	struct ebb_err err = { 0 };
	policy_hours_default(&h, NULL);
	assert_int_equal(policy_parse_work("Mon,Wed,Fri 10:00-16:00", &h, &err), 0);
	assert_int_equal(h.workdays, 0x2a);
	assert_int_equal(h.nwork, 1);
	assert_int_equal(h.work[0].start_min, 600);
	assert_int_equal(h.work[0].end_min, 960);
	assert_int_equal(policy_parse_work("Fri-Mon 9:00-12:00", &h, &err), 0);
	assert_int_equal(h.workdays, 0x63);   /* Fri, Sat, Sun, Mon */
	assert_int_equal(h.work[0].start_min, 540);
	assert_int_equal(policy_parse_work("  monday-FRIDAY 13:00-17:00, 08:00-12:00  ", &h, &err), 0);
	assert_int_equal(h.workdays, 0x3e);
	assert_int_equal(h.nwork, 2);
	assert_int_equal(h.work[0].start_min, 480);   /* sorted */
	assert_int_equal(h.work[1].start_min, 780);
	assert_int_equal(policy_parse_work("Sat, Sun 00:00-24:00", &h, &err), 0);
	assert_int_equal(h.workdays, 0x41);
	assert_int_equal(h.work[0].end_min, 1440);
	/* Untouched by the parser. */
	assert_int_equal(h.nblocks, 2);

	expect_work_error("Mon-Fri 9-17:30", EBB_EPARSE,
			  "work: \"Mon-Fri 9-17:30\": expected HH:MM-HH:MM after the days");
	expect_work_error("Mon-Fri", EBB_EPARSE, "expected HH:MM-HH:MM after the days");
	expect_work_error("", EBB_EPARSE, "expected working days such as Mon-Fri");
	expect_work_error("09:00-17:00", EBB_EPARSE, "expected working days such as Mon-Fri");
	expect_work_error("Mo-Fr 09:00-17:00", EBB_EPARSE, "\"Mo\" is not a day");
	expect_work_error("Mon-Xyz 09:00-17:00", EBB_EPARSE, "\"Xyz\" is not a day");
	expect_work_error("Mon-Fri09:00-17:00", EBB_EPARSE, "expected a blank");
	expect_work_error("Mon-Fri 17:00-09:00", EBB_EPARSE, "\"17:00-09:00\" is not a span");
	expect_work_error("Mon-Fri 09:00-25:00", EBB_EPARSE, "\"09:00-25:00\"");
	expect_work_error("Mon-Fri 09:60-10:00", EBB_EPARSE, "\"09:60-10:00\"");
	expect_work_error("Mon-Fri 24:30-24:45", EBB_EPARSE, "\"24:30-24:45\"");
	expect_work_error("Mon-Fri 09:00-12:00 11:00-13:00", EBB_EPARSE,
			  "11:00-13:00 overlaps 09:00-12:00");
	expect_work_error("Mon-Fri 09:00-10:00 x", EBB_EPARSE,
			  "expected another HH:MM-HH:MM at \"x\"");
	expect_work_error("Mon-Fri 01:00-01:30 02:00-02:30 03:00-03:30 04:00-04:30 05:00-05:30 "
			  "06:00-06:30 07:00-07:30 08:00-08:30 09:00-09:30",
			  EBB_ETOOBIG, "more than 8 spans");
	assert_int_equal(policy_parse_work(NULL, &h, &err), EBB_EINVAL);
}

static void test_parse_blocks(void **state)
{
	(void)state;
	struct policy_hours h, before;
	struct ebb_err err = { 0 };
	policy_hours_default(&h, NULL);
	assert_int_equal(policy_parse_blocks("16:00-16:45,11:00-11:30", &h, &err), 0);
	assert_int_equal(h.nblocks, 2);
	assert_int_equal(h.blocks[0].start_min, 660);
	assert_int_equal(h.blocks[1].end_min, 1005);
	assert_int_equal(policy_parse_blocks("  ", &h, &err), 0);
	assert_int_equal(h.nblocks, 0);
	assert_int_equal(policy_parse_blocks("10:00-10:15", &h, &err), 0);
	assert_int_equal(h.nblocks, 1);

	before = h;
	assert_int_equal(policy_parse_blocks("11-12", &h, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "blocks: \"11-12\": expected reply blocks as HH:MM-HH:MM"));
	assert_memory_equal(&h, &before, sizeof h);
	assert_int_equal(policy_parse_blocks("11:00-11:30,, 12:00-12:30", &h, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "at \", 12:00-12:30\""));
	assert_int_equal(policy_parse_blocks("11:00-12:00, 11:30-12:30", &h, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "overlaps"));
	assert_int_equal(policy_parse_blocks("12:00-11:00", &h, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "\"12:00-11:00\""));
	assert_memory_equal(&h, &before, sizeof h);
}

static void test_parse_holidays(void **state)
{
	(void)state;
	struct policy_hours h, before;
	struct ebb_err err = { 0 };
	policy_hours_default(&h, NULL);
	assert_int_equal(policy_parse_holidays("2027-01-01, 2026-12-25 2026-12-24,2026-12-25", &h,
					       &err), 0);
	assert_int_equal(h.nholidays, 3);
	assert_int_equal(h.holidays[0], 20261224);
	assert_int_equal(h.holidays[1], 20261225);
	assert_int_equal(h.holidays[2], 20270101);
	assert_int_equal(policy_parse_holidays("2028-02-29", &h, &err), 0);
	assert_int_equal(h.holidays[0], 20280229);

	before = h;
	assert_int_equal(policy_parse_holidays("2026-12-24, 2026-13-01", &h, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "holidays: \"2026-12-24, 2026-13-01\": \"2026-13-01\" is not a date"));
	assert_int_equal(policy_parse_holidays("2026-02-29", &h, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "\"2026-02-29\" is not a date"));
	assert_int_equal(policy_parse_holidays("24.12.2026", &h, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "\"24.12.2026\""));
	assert_memory_equal(&h, &before, sizeof h);

	char many[200 * 12];
	size_t n = 0;
	for (int i = 0; i < 129; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "2026-%02d-%02d,", i / 28 + 1,
				      i % 28 + 1);
	assert_int_equal(policy_parse_holidays(many, &h, &err), EBB_ETOOBIG);
	assert_non_null(strstr(err.msg, "more than 128"));
	assert_memory_equal(&h, &before, sizeof h);
	many[n - 12] = '\0';   /* 128 dates fit */
	assert_int_equal(policy_parse_holidays(many, &h, &err), 0);
	assert_int_equal(h.nholidays, 128);
	assert_int_equal(policy_parse_holidays("none", &h, &err), 0);
	assert_int_equal(h.nholidays, 0);
}

static void expect_target(const char *spec, enum policy_target_kind kind, long amount,
			  const char *formatted)
{
	struct policy_target t;
	struct ebb_err err = { 0 };
	if (policy_parse_target(spec, &t, &err))
		fail_msg("\"%s\": %s", spec, err.msg);
	assert_int_equal(t.kind, kind);
	assert_int_equal(t.amount, amount);
	char buf[32];
	policy_format_target(&t, buf, sizeof buf);
	assert_string_equal(buf, formatted);
	struct policy_target again;
	assert_int_equal(policy_parse_target(buf, &again, NULL), 0);
	assert_int_equal(again.kind, kind);
	assert_int_equal(again.amount, amount);
}

static void expect_target_error(const char *spec, const char *mention)
{
	struct policy_target t = { TARGET_SECONDS, 77 };
	struct ebb_err err = { 0 };
	assert_int_equal(policy_parse_target(spec, &t, &err), EBB_EPARSE);
	assert_int_equal(t.amount, 77);
	if (!strstr(err.msg, mention))
		fail_msg("\"%s\": message \"%s\" does not mention \"%s\"", spec, err.msg, mention);
}

static void test_targets(void **state)
{
	(void)state;
	expect_target("4h", TARGET_SECONDS, 4 * 3600, "4h");
	expect_target("30m", TARGET_SECONDS, 1800, "30m");
	expect_target("90s", TARGET_SECONDS, 90, "1m30s");
	expect_target("1d", TARGET_DAYS, 1, "1d");
	expect_target("2d", TARGET_DAYS, 2, "2d");
	expect_target("1h30m", TARGET_SECONDS, 5400, "1h30m");
	expect_target(" 1h 30m ", TARGET_SECONDS, 5400, "1h30m");
	expect_target("0m", TARGET_SECONDS, 0, "0m");
	expect_target("none", TARGET_NONE, 0, "none");
	expect_target(" NONE", TARGET_NONE, 0, "none");

	expect_target_error("", "expected a duration");
	expect_target_error("4", "needs a unit");
	expect_target_error("4x", "'x' is not a unit");
	expect_target_error("1d4h", "not both");
	expect_target_error("h", "expected a number at \"h\"");
	expect_target_error("99999999999999999999h", "too large");
	expect_target_error("4000d", "more than 3650 days");
	expect_target_error("nonesuch", "expected a number");

	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	struct policy_target t = { TARGET_DAYS, 2 };
	assert_int_equal(policy_target_seconds(&h, &t), 61200);
	t = (struct policy_target){ TARGET_SECONDS, 900 };
	assert_int_equal(policy_target_seconds(&h, &t), 900);
	t = (struct policy_target){ TARGET_NONE, 0 };
	assert_int_equal(policy_target_seconds(&h, &t), -1);
	t = (struct policy_target){ TARGET_DAYS, LONG_MAX / 2 };
	assert_int_equal(policy_target_seconds(&h, &t), LONG_MAX);
	tz_free(tz);
}

static void test_needs_reply(void **state)
{
	(void)state;
	assert_true(policy_needs_reply(0, 1, 0));
	assert_true(policy_needs_reply(0, 0, 1));
	assert_true(policy_needs_reply(0, 1, 1));
	assert_false(policy_needs_reply(0, 0, 0));
	assert_false(policy_needs_reply(1, 1, 0));
	assert_false(policy_needs_reply(1, 0, 1));
}

static void test_in_work(void **state)
{
	(void)state;
	struct ebb_tz *tz = zone(BERLIN_RULE);
	struct policy_hours h;
	policy_hours_default(&h, tz);
	assert_true(policy_in_work(&h, at(tz, 2026, 11, 23, 9, 0)));
	assert_false(policy_in_work(&h, at(tz, 2026, 11, 23, 9, 0) - 1));
	assert_true(policy_in_work(&h, at(tz, 2026, 11, 23, 17, 30) - 1));
	assert_false(policy_in_work(&h, at(tz, 2026, 11, 23, 17, 30)));
	assert_false(policy_in_work(&h, at(tz, 2026, 11, 28, 12, 0)));   /* Saturday */
	assert_true(policy_is_workday(&h, at(tz, 2026, 11, 27, 23, 0)));
	assert_false(policy_is_workday(&h, at(tz, 2026, 11, 28, 0, 30)));
	tz_free(tz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_due_examples),
		cmocka_unit_test(test_add_edges),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_lunch_break),
		cmocka_unit_test(test_dst_berlin),
		cmocka_unit_test(test_dst_new_york),
		cmocka_unit_test(test_zone_file_hours),
		cmocka_unit_test(test_no_zone_is_utc),
		cmocka_unit_test(test_between_add_consistency),
		cmocka_unit_test(test_give_up),
		cmocka_unit_test(test_urgency),
		cmocka_unit_test(test_format_due),
		cmocka_unit_test(test_blocks_and_release),
		cmocka_unit_test(test_parse_work),
		cmocka_unit_test(test_parse_blocks),
		cmocka_unit_test(test_parse_holidays),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_needs_reply),
		cmocka_unit_test(test_in_work),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
