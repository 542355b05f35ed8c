/* policy/due: response targets and tiers, when a reply is owed and by when,
 * how urgent it is, and when a held reply may go out. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ebb/policy.h"
#include "policy_int.h"

#define SPEC_QUOTE 80
/* Targets beyond ten years are typing mistakes, not agreements. */
#define TARGET_MAX_DAYS 3650L
#define TARGET_MAX_SECONDS (TARGET_MAX_DAYS * 24 * 3600)

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "none", or numbers with units: days alone ("2d") or any of h, m, s
 * ("1h30m", "90s"); blanks between the parts are allowed. */
int policy_parse_target(const char *spec, struct policy_target *t, struct ebb_err *err)
{
	if (!spec || !t)
		return ebb_err_set(err, EBB_EINVAL, "target: nothing to parse");
	const char *p = spec;
	while (is_space(*p))
		p++;
	size_t len = strlen(p);
	while (len && is_space(p[len - 1]))
		len--;
	if (len && util_strncaseeq(p, len, "none")) {
		*t = (struct policy_target){ TARGET_NONE, 0 };
		return EBB_OK;
	}
	if (!len)
		return ebb_err_set(err, EBB_EPARSE,
				   "target: \"%.*s\": expected a duration such as 4h, 30m, 1h30m, 1d "
				   "or none",
				   SPEC_QUOTE, spec);
	const char *end = p + len;
	long days = 0, seconds = 0;
	int have_days = 0, have_time = 0;
	while (p < end) {
		const char *num = p;
		long v = 0;
		while (p < end && is_digit(*p)) {
			if (v > TARGET_MAX_SECONDS)
				break;
			v = v * 10 + (*p++ - '0');
		}
		if (p == num)
			return ebb_err_set(err, EBB_EPARSE,
					   "target: \"%.*s\": expected a number at \"%.*s\"; write a "
					   "duration such as 4h, 30m, 1h30m, 1d or none",
					   SPEC_QUOTE, spec, (int)(end - p > 20 ? 20 : end - p), p);
		if (p < end && is_digit(*p))
			return ebb_err_set(err, EBB_EPARSE, "target: \"%.*s\": number too large",
					   SPEC_QUOTE, spec);
		while (p < end && is_space(*p))
			p++;
		char unit = p < end ? *p : '\0';
		long mult;
		switch (unit) {
		case 'd': case 'D': mult = 0; break;
		case 'h': case 'H': mult = 3600; break;
		case 'm': case 'M': mult = 60; break;
		case 's': case 'S': mult = 1; break;
		default:
			if (!unit)
				return ebb_err_set(err, EBB_EPARSE,
						   "target: \"%.*s\": the number %ld needs a unit: d, h, m "
						   "or s",
						   SPEC_QUOTE, spec, v);
			return ebb_err_set(err, EBB_EPARSE,
					   "target: \"%.*s\": '%c' is not a unit; use d, h, m or s",
					   SPEC_QUOTE, spec, unit);
		}
		p++;
		if (mult == 0) {
			days += v;
			have_days = 1;
		} else {
			seconds += v * mult;
			have_time = 1;
		}
		if (days > TARGET_MAX_DAYS || seconds > TARGET_MAX_SECONDS)
			return ebb_err_set(err, EBB_EPARSE,
					   "target: \"%.*s\": more than %ld days is not a response target",
					   SPEC_QUOTE, spec, TARGET_MAX_DAYS);
		while (p < end && is_space(*p))
			p++;
	}
	if (have_days && have_time)
		return ebb_err_set(err, EBB_EPARSE,
				   "target: \"%.*s\": count either working days (1d) or hours and "
				   "minutes (4h30m), not both",
				   SPEC_QUOTE, spec);
	if (have_days)
		*t = (struct policy_target){ TARGET_DAYS, days };
	else
		*t = (struct policy_target){ TARGET_SECONDS, seconds };
	return EBB_OK;
}

long policy_target_seconds(const struct policy_hours *h, const struct policy_target *t)
{
	if (!t || t->kind == TARGET_NONE || t->amount < 0)
		return -1;
	if (t->kind == TARGET_SECONDS)
		return t->amount;
	long per_day = policy_workday_seconds(h);
	if (per_day > 0 && t->amount > LONG_MAX / per_day)
		return LONG_MAX;
	return t->amount * per_day;
}

void policy_format_target(const struct policy_target *t, char *out, size_t outlen)
{
	if (!out || !outlen)
		return;
	if (!t || t->kind == TARGET_NONE || t->amount < 0) {
		snprintf(out, outlen, "none");
		return;
	}
	if (t->kind == TARGET_DAYS) {
		snprintf(out, outlen, "%ldd", t->amount);
		return;
	}
	long h = t->amount / 3600, m = t->amount / 60 % 60, s = t->amount % 60;
	char buf[64];
	size_t n = 0;
	if (h)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%ldh", h);
	if (m)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%ldm", m);
	if (s)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%lds", s);
	if (!n)
		snprintf(buf, sizeof buf, "0m");
	snprintf(out, outlen, "%s", buf);
}

size_t policy_default_tiers(struct policy_tier *out, size_t max)
{
	static const struct policy_tier tiers[] = {
		{ "urgent", { TARGET_SECONDS, 3600 }, 1 },
		{ "chat", { TARGET_SECONDS, 4 * 3600 }, 0 },
		{ "feedback", { TARGET_DAYS, 1 }, 0 },
		{ "email", { TARGET_DAYS, 2 }, 0 },
		{ "fyi", { TARGET_NONE, 0 }, 0 },
	};
	size_t n = sizeof tiers / sizeof tiers[0];
	if (!out)
		return 0;
	if (n > max)
		n = max;
	memcpy(out, tiers, n * sizeof tiers[0]);
	return n;
}

int policy_needs_reply(int last_from_me, int addressed_to_me, int is_direct)
{
	return !last_from_me && (addressed_to_me || is_direct);
}

time_t policy_due_at(const struct policy_hours *h, const struct policy_target *t, time_t arrival)
{
	long secs = policy_target_seconds(h, t);
	if (secs < 0)
		return 0;
	return policy_work_add(h, arrival, secs);
}

enum policy_urgency policy_urgency(const struct policy_hours *h, const struct policy_target *t,
				   time_t due_at, time_t now)
{
	if (due_at == 0)
		return URGENCY_NONE;
	if (now >= due_at)
		return URGENCY_OVERDUE;
	long target = policy_target_seconds(h, t);
	if (target < 0)
		return URGENCY_DUE;
	long left = policy_work_between(h, now, due_at);
	/* 4 * left <= target, without overflow: left <= target / 4 exactly. */
	if ((long long)left * 4 <= (long long)target)
		return URGENCY_AT_RISK;
	return URGENCY_DUE;
}

/* The markers, at most 12 characters, all in real (not working) time:
 *   ""              no due time (due_at == 0)
 *   "overdue now"   less than a minute past due
 *   "overdue 45m"   under an hour past (whole minutes, rounded down)
 *   "overdue 3h"    under a day past (whole hours, rounded down)
 *   "overdue 2d"    a day or more past (whole days, rounded down, at most 999)
 *   "due 45m"       under an hour left (minutes rounded up, so never "due 0m")
 *   "due 4h"        up to a day left (whole hours, rounded down)
 *   "due Thu"       more than a day left and on a local date within 6 days
 *   "due 24 Nov"    further away (local date in the hours' zone)
 *   "due later"     a due time beyond the zone's years (9999) */
void policy_format_due(const struct policy_hours *h, time_t due_at, time_t now, char *out,
		       size_t outlen)
{
	static const char *const wday[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	if (!out || !outlen)
		return;
	out[0] = '\0';
	if (due_at == 0)
		return;
	if (now >= due_at) {
		int64_t late = (int64_t)now - due_at;
		if (late < 60)
			snprintf(out, outlen, "overdue now");
		else if (late < 3600)
			snprintf(out, outlen, "overdue %dm", (int)(late / 60));
		else if (late < SECS_PER_DAY)
			snprintf(out, outlen, "overdue %dh", (int)(late / 3600));
		else
			snprintf(out, outlen, "overdue %dd",
				 (int)(late / SECS_PER_DAY > 999 ? 999 : late / SECS_PER_DAY));
		return;
	}
	int64_t left = (int64_t)due_at - now;
	if (left < 3600) {
		snprintf(out, outlen, "due %dm", (int)((left + 59) / 60));
		return;
	}
	if (left <= SECS_PER_DAY) {
		snprintf(out, outlen, "due %dh", (int)(left / 3600));
		return;
	}
	struct policy_hours utc;
	if (!h) {
		memset(&utc, 0, sizeof utc);
		h = &utc;
	}
	struct tm due_tm;
	int64_t due_day, now_day;
	if (policy_local_tm(h, due_at, &due_tm) || policy_local_day(h, due_at, &due_day) ||
	    policy_local_day(h, now, &now_day)) {
		snprintf(out, outlen, "due later");
		return;
	}
	if (due_day - now_day < 7)
		snprintf(out, outlen, "due %s", wday[due_tm.tm_wday]);
	else
		snprintf(out, outlen, "due %d %s", due_tm.tm_mday, mon[due_tm.tm_mon]);
}

time_t policy_release_time(const struct policy_hours *h, enum policy_release r, time_t at,
			   time_t now)
{
	switch (r) {
	case RELEASE_AT:
		return at;
	case RELEASE_NEXT_BLOCK: {
		if (!h || h->nblocks == 0)
			return now;
		time_t start = policy_block_start(h, now);
		/* No block within the horizon means there is nothing to wait for. */
		if (start == 0 || start <= now)
			return now;
		return start;
	}
	case RELEASE_NOW:
	default:
		return now;
	}
}
