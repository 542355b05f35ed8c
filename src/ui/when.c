/* ui/when: times as people type them ("+3h", "tomorrow", "fri",
 * "2026-12-01T14:00"), shared by the snooze prompt and `ebb snooze`. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ebb/policy.h"
#include "ebb/ui.h"

/* The local start of work on the day of t (09:00 when no hours are set). */
static time_t work_start_of_day(const struct ebb_config *cfg, time_t t)
{
	struct tm tm;
	if (tz_localtime(cfg->tz, t, &tm))
		return t;
	int start = cfg->hours.nwork ? cfg->hours.work[0].start_min : 9 * 60;
	tm.tm_hour = start / 60;
	tm.tm_min = start % 60;
	tm.tm_sec = 0;
	return tz_mktime(cfg->tz, &tm);
}

int ui_parse_when(const struct ebb_config *cfg, const char *s, time_t now, time_t *out)
{
	static const char *const days[] = { "sunday", "monday", "tuesday", "wednesday",
					    "thursday", "friday", "saturday" };
	if (!s)
		return EBB_EPARSE;
	while (*s == ' ')
		s++;
	size_t len = strlen(s);
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 0 || len > 64)
		return EBB_EPARSE;
	char buf[65];
	memcpy(buf, s, len);
	buf[len] = '\0';
	s = buf;
	if (s[0] == '+') {
		char *end;
		long v = strtol(s + 1, &end, 10);
		long unit = !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600
			  : !strcmp(end, "d") ? 86400 : !strcmp(end, "w") ? 7 * 86400 : 0;
		if (end == s + 1 || !isdigit((unsigned char)s[1]) || v < 0 || v > 100000 || !unit)
			return EBB_EPARSE;
		*out = now + v * unit;
		return EBB_OK;
	}
	if (!strcasecmp(s, "next-block") || !strcasecmp(s, "block")) {
		time_t b = policy_block_start(&cfg->hours, now);
		if (b && b <= now)
			b = policy_block_start(&cfg->hours, policy_block_end(&cfg->hours, now));
		if (!b)
			return EBB_EPARSE;
		*out = b;
		return EBB_OK;
	}
	struct tm tm;
	if (tz_localtime(cfg->tz, now, &tm))
		return EBB_EPARSE;
	if (!strcasecmp(s, "tomorrow")) {
		tm.tm_mday += 1;
		tm.tm_hour = 12;
		*out = work_start_of_day(cfg, tz_mktime(cfg->tz, &tm));
		return EBB_OK;
	}
	for (int d = 0; d < 7; d++) {
		if (strcasecmp(s, days[d]) && !(len == 3 && !strncasecmp(s, days[d], 3)))
			continue;
		int ahead = (d - tm.tm_wday + 7) % 7;
		tm.tm_mday += ahead ? ahead : 7;
		tm.tm_hour = 12;
		*out = work_start_of_day(cfg, tz_mktime(cfg->tz, &tm));
		return EBB_OK;
	}
	/* ISO forms: with an offset or Z it is absolute, otherwise local time. */
	if (len >= 10 && isdigit((unsigned char)s[0])) {
		int has_zone = s[len - 1] == 'Z' || (len > 16 && (s[len - 6] == '+' || s[len - 6] == '-'));
		if (has_zone)
			return util_parse_iso8601(s, out);
		time_t as_utc;
		if (util_parse_iso8601(s, &as_utc))
			return EBB_EPARSE;
		struct tm lt;
		if (!gmtime_r(&as_utc, &lt))
			return EBB_EPARSE;
		if (len == 10) {
			lt.tm_hour = 12;
			*out = work_start_of_day(cfg, tz_mktime(cfg->tz, &lt));
		} else {
			*out = tz_mktime(cfg->tz, &lt);
		}
		return *out == (time_t)-1 ? EBB_EPARSE : EBB_OK;
	}
	return EBB_EPARSE;
}
