/* ui/format: short, locale-independent renderings of times for the screen
 * (list ages and header dates), in the configured zone. */
#include <stdio.h>
#include <stdlib.h>

#include "ebb/policy.h"
#include "ebb/ui.h"

/* English names on purpose: the screen must read the same in every locale
 * the terminal happens to have, and tests compare it byte for byte. */
static const char *const MONTHS[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const WEEKDAYS[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

static int local_tm(const struct ebb_tz *tz, time_t t, struct tm *out)
{
	if (tz)
		return tz_localtime(tz, t, out);
	if (!gmtime_r(&t, out))
		return EBB_EINVAL;
	out->tm_gmtoff = 0;
	return EBB_OK;
}

static int tm_sane(const struct tm *tm)
{
	return tm->tm_mon >= 0 && tm->tm_mon < 12 && tm->tm_wday >= 0 && tm->tm_wday < 7;
}

void ui_format_age(time_t t, time_t now, const struct ebb_tz *tz, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (t <= 0)
		return;
	long long d = (long long)now - (long long)t;
	if (d < 60) {
		snprintf(out, outlen, "now");
	} else if (d < 3600) {
		snprintf(out, outlen, "%lldm", d / 60);
	} else if (d < 86400) {
		snprintf(out, outlen, "%lldh", d / 3600);
	} else if (d < 7 * 86400) {
		snprintf(out, outlen, "%lldd", d / 86400);
	} else {
		struct tm then, today;
		if (local_tm(tz, t, &then) || local_tm(tz, now, &today) || !tm_sane(&then))
			return;
		if (then.tm_year == today.tm_year)
			snprintf(out, outlen, "%s %d", MONTHS[then.tm_mon], then.tm_mday);
		else
			snprintf(out, outlen, "%s %d", MONTHS[then.tm_mon], then.tm_year + 1900);
	}
}

void ui_format_date(time_t t, const struct ebb_tz *tz, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	out[0] = '\0';
	struct tm tm;
	if (t <= 0 || local_tm(tz, t, &tm) || !tm_sane(&tm))
		return;
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	off = labs(off);
	snprintf(out, outlen, "%s, %d %s %d %02d:%02d %c%02ld%02ld", WEEKDAYS[tm.tm_wday],
		 tm.tm_mday, MONTHS[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, sign,
		 off / 3600, off % 3600 / 60);
}
