/* policy internals: proleptic Gregorian calendar arithmetic shared by the
 * zone code (tz.c) and the working clock (hours.c, due.c). */
#ifndef EBB_POLICY_INT_H
#define EBB_POLICY_INT_H

#include <stdint.h>
#include <time.h>

#include "ebb/policy.h"

#define SECS_PER_DAY 86400

/* Floor division and modulo: calendar maths must round towards minus
 * infinity so that instants before 1970 land on the right day. */
static inline int64_t floor_div64(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static inline int64_t floor_mod64(int64_t a, int64_t b)
{
	return a - floor_div64(a, b) * b;
}

static inline int is_leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline int days_in_month(int64_t y, int month /* 1..12 */)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (month == 2 && is_leap_year(y))
		return 29;
	return len[month - 1];
}

/* Days since 1970-01-01 of a civil date (month 1..12, day 1..31), after
 * Howard Hinnant's days_from_civil. Valid for any year an int64 can carry
 * without overflow in the multiplications below (|y| < 2^50). */
static inline int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div64(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static inline void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = floor_div64(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* 0 = Sunday, like tm_wday; 1970-01-01 was a Thursday. */
static inline int weekday_of_days(int64_t days)
{
	return (int)floor_mod64(days + 4, 7);
}

/* Local wall clock and local day number (days since 1970-01-01) of t in the
 * hours' zone, or in UTC when the hours have no zone. In hours.c. */
int policy_local_tm(const struct policy_hours *h, time_t t, struct tm *out);
int policy_local_day(const struct policy_hours *h, time_t t, int64_t *day);

/* Working days and local instants by day number (days since 1970-01-01
 * in the hours' zone), shared by the working clock (hours.c) and the
 * deadline phrases (deadline.c). A workday is a work weekday and not a
 * holiday; the instant is `minutes` after that day's local midnight
 * (0..1440), DST gaps resolved as tz_mktime does. */
int policy_day_is_workday(const struct policy_hours *h, int64_t day);
time_t policy_day_instant(const struct policy_hours *h, int64_t day, int minutes);

#endif
