/* fuzz_tz: any bytes given to tz_parse_tzif (and, cut at 300 bytes, to
 * tz_parse_posix) either fail cleanly or give a zone whose local times are
 * in range and whose working clock keeps between(add()) consistent. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OFFSET 93599L   /* the widest UT offset a zone may have */

static void check_zone(const struct ebb_tz *tz)
{
	static const int64_t instants[] = {
		0, 1, -1, 86399, 951782400 /* 2000-02-29 */, 1774747800 /* 2026-03-29 */,
		1792800000, 2147483647, 2147483648LL, 4102444800LL /* 2100 */,
		-2208988800LL /* 1900 */, 253402300799LL, -62135596800LL, INT64_MAX, INT64_MIN,
	};
	for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
		time_t t = (time_t)instants[i];
		struct tm tm;
		int rc = tz_localtime(tz, t, &tm);
		if (rc == EBB_EINVAL)
			continue;
		if (rc != 0)
			abort();
		if (tm.tm_sec < 0 || tm.tm_sec > 59 || tm.tm_min < 0 || tm.tm_min > 59 ||
		    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
		    tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_wday < 0 || tm.tm_wday > 6 ||
		    tm.tm_yday < 0 || tm.tm_yday > 365 || tm.tm_gmtoff < -MAX_OFFSET ||
		    tm.tm_gmtoff > MAX_OFFSET || !tm.tm_zone)
			abort();
		/* The wall time maps back to an instant no further away than the
		 * widest offsets allow (exactly t unless t is in an overlap). */
		time_t back = tz_mktime(tz, &tm);
		if (back != (time_t)-1 && (back - t > 2 * MAX_OFFSET || t - back > 2 * MAX_OFFSET))
			abort();
		char iso[64];
		rc = tz_format_iso8601(tz, t, iso, sizeof iso);
		if (rc != 0 || strlen(iso) < 25)
			abort();
	}

	/* Wall times out of range and denormalised must not hurt. */
	struct tm odd;
	memset(&odd, 0, sizeof odd);
	odd.tm_year = INT_MAX;
	odd.tm_mon = INT_MAX;
	odd.tm_mday = INT_MIN;
	odd.tm_hour = INT_MAX;
	(void)tz_mktime(tz, &odd);
	odd.tm_year = 126;
	odd.tm_mon = -7;
	odd.tm_mday = 400;
	odd.tm_hour = -30;
	(void)tz_mktime(tz, &odd);

	/* The working clock over whatever DST the zone has. */
	struct policy_hours h;
	policy_hours_default(&h, tz);
	static const int64_t starts[] = { 1774600000, 1792700000, 4102444800LL };
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
		time_t a = (time_t)starts[i];
		time_t b = policy_work_add(&h, a, 3 * 3600 + 7);
		if (b < a)
			abort();
		if (b < a + (time_t)POLICY_HORIZON_DAYS * 86400 &&
		    policy_work_between(&h, a, b) != 3 * 3600 + 7)
			abort();
		(void)policy_release_time(&h, RELEASE_NEXT_BLOCK, 0, a);
		char due[32];
		policy_format_due(&h, b, a, due, sizeof due);
		if (strlen(due) > 12)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ebb_tz *tz = (struct ebb_tz *)&tz;
	struct ebb_err err;
	int rc = tz_parse_tzif(data, size, &tz, &err);
	if (rc == 0) {
		if (!tz)
			abort();
		check_zone(tz);
		tz_free(tz);
	} else if (tz || rc > 0 || err.code != rc) {
		abort();
	}

	char rule[301];
	size_t n = size < 300 ? size : 300;
	memcpy(rule, data, n);
	rule[n] = '\0';
	tz = NULL;
	if (tz_parse_posix(rule, &tz, &err) == 0) {
		check_zone(tz);
		tz_free(tz);
	} else if (tz) {
		abort();
	}
	return 0;
}
