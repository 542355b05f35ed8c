/* policy/footer: targets and reply windows in words for people, as the
 * footer of new mails says them. */
#include <stdio.h>
#include <string.h>

#include "ebb/policy.h"
#include "policy_int.h"

void policy_format_target_human(const struct policy_target *t, char *out, size_t outlen)
{
	if (!out || !outlen)
		return;
	if (!t || t->kind == TARGET_NONE || t->amount < 0) {
		snprintf(out, outlen, "no set time");
		return;
	}
	long v = t->amount;
	const char *unit;
	if (t->kind == TARGET_DAYS) {
		unit = "day";
	} else if (v % 3600 == 0) {
		v /= 3600;
		unit = "hour";
	} else if (v % 60 == 0) {
		v /= 60;
		unit = "minute";
	} else {
		unit = "second";
	}
	snprintf(out, outlen, "%ld working %s%s", v, unit, v == 1 ? "" : "s");
}

/* "Tue 11:00 CET", or "Mon 4 Jan 11:00 CET" a week or more ahead. */
static int format_window(const struct policy_hours *h, time_t at, time_t now, char *out,
			 size_t outlen)
{
	static const char *const wday[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	int64_t day, today;
	if (policy_local_tm(h, at, &tm) || policy_local_day(h, at, &day) ||
	    policy_local_day(h, now, &today))
		return EBB_EINVAL;
	const char *zone = h->tz ? tm.tm_zone : "UTC";
	char date[32] = "";
	if (day - today >= 7)
		snprintf(date, sizeof date, " %d %s", tm.tm_mday, mon[tm.tm_mon]);
	snprintf(out, outlen, "%s%s %02d:%02d%s%s", wday[tm.tm_wday], date, tm.tm_hour, tm.tm_min,
		 zone && zone[0] ? " " : "", zone ? zone : "");
	return EBB_OK;
}

void policy_format_footer(const struct policy_hours *h, const struct policy_target *t, time_t now,
			  char *out, size_t outlen)
{
	if (!out || !outlen)
		return;
	out[0] = '\0';
	char within[64] = "", window[64] = "";
	if (t && t->kind != TARGET_NONE && t->amount >= 0)
		policy_format_target_human(t, within, sizeof within);
	if (h && h->nblocks) {
		time_t start = policy_block_start(h, now);
		/* Inside a block the next window is the one after it. */
		if (start && start <= now)
			start = policy_block_start(h, policy_block_end(h, now));
		if (start && format_window(h, start, now, window, sizeof window))
			window[0] = '\0';
	}
	if (within[0] && window[0])
		snprintf(out, outlen, "I usually reply within %s; next reply window %s.", within,
			 window);
	else if (within[0])
		snprintf(out, outlen, "I usually reply within %s.", within);
	else if (window[0])
		snprintf(out, outlen, "My next reply window is %s.", window);
}
