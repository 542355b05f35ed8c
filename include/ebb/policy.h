/* policy: the pure rules of ebb's time: time zones, working hours and reply
 * blocks, tiers and targets, due times, urgency, release of held replies.
 * No I/O and no globals: every function takes the time it reasons about. */
#ifndef EBB_POLICY_H
#define EBB_POLICY_H

#include <stddef.h>
#include <time.h>

#include "ebb/util.h"

/* ---- time zones ----------------------------------------------------------
 * A zone is parsed from TZif bytes (the caller reads /usr/share/zoneinfo/NAME)
 * or from a POSIX TZ rule string such as "CET-1CEST,M3.5.0,M10.5.0/3".
 * After the last TZif transition the file's footer rule is used. */
struct ebb_tz;

int tz_parse_tzif(const unsigned char *data, size_t len, struct ebb_tz **out, struct ebb_err *err);
int tz_parse_posix(const char *rule, struct ebb_tz **out, struct ebb_err *err);
struct ebb_tz *tz_utc(void);  /* a UTC zone; NULL only on ENOMEM */
void tz_free(struct ebb_tz *tz);

/* UTC -> local wall clock. Fills tm_year..tm_sec, tm_wday, tm_yday, tm_isdst
 * and tm_gmtoff. Returns 0 or EBB_EINVAL for a time outside the zone's range. */
int tz_localtime(const struct ebb_tz *tz, time_t t, struct tm *out);
/* Local wall clock (tm_year, tm_mon, tm_mday, tm_hour, tm_min, tm_sec; other
 * fields ignored, out-of-range fields normalised) -> UTC. A wall time that
 * does not exist (spring-forward gap) maps to the instant just after the gap
 * at the same distance (02:30 in a 02:00->03:00 gap = 03:30); an ambiguous one
 * (fall-back) maps to its first occurrence. */
time_t tz_mktime(const struct ebb_tz *tz, const struct tm *local);
/* (tz_localtime also sets tm_zone to the abbreviation, owned by the zone.
 * Both work for 0001-01-01..9999-12-31 UTC; tz_mktime returns (time_t)-1
 * outside that range.) */
/* "2026-11-24T08:00:00+01:00" */
int tz_format_iso8601(const struct ebb_tz *tz, time_t t, char *out, size_t outlen);

/* ---- working hours and reply blocks ------------------------------------ */
#define POLICY_MAX_SPANS 8
#define POLICY_MAX_HOLIDAYS 128

struct policy_span {
	int start_min;  /* minutes after local midnight, 0..1440 */
	int end_min;    /* > start_min */
};

struct policy_hours {
	const struct ebb_tz *tz;      /* not owned; must outlive the struct */
	unsigned workdays;            /* bit n set = tm_wday n is a working day (0 = Sunday) */
	struct policy_span work[POLICY_MAX_SPANS];
	size_t nwork;                 /* sorted, non-overlapping */
	struct policy_span blocks[POLICY_MAX_SPANS];
	size_t nblocks;               /* reply blocks, on working days only */
	int holidays[POLICY_MAX_HOLIDAYS]; /* local dates as yyyymmdd, sorted */
	size_t nholidays;
};

/* Defaults: Mon-Fri 09:00-17:30, blocks 11:00-11:30 and 16:00-16:45, no holidays. */
void policy_hours_default(struct policy_hours *h, const struct ebb_tz *tz);
/* "Mon-Fri 09:00-17:30", "Mon-Thu 08:00-12:00 13:00-17:00", "Mon,Wed,Fri 10:00-16:00" */
int policy_parse_work(const char *spec, struct policy_hours *h, struct ebb_err *err);
/* "11:00-11:30, 16:00-16:45" */
int policy_parse_blocks(const char *spec, struct policy_hours *h, struct ebb_err *err);
/* "2026-12-24, 2026-12-25, 2027-01-01" */
int policy_parse_holidays(const char *spec, struct policy_hours *h, struct ebb_err *err);

int policy_is_workday(const struct policy_hours *h, time_t t);
int policy_in_work(const struct policy_hours *h, time_t t);
int policy_in_block(const struct policy_hours *h, time_t t);
/* Working seconds in one full working day (the unit of a "d" target). */
long policy_workday_seconds(const struct policy_hours *h);
/* The working clock looks at most this many days ahead. When the working
 * time cannot be found in that horizon (no working days or spans, every day
 * a holiday, an absurd amount) policy_work_add gives up and returns
 * from + POLICY_HORIZON_DAYS days, which sorts after every real due time;
 * policy_block_start returns 0 and policy_work_between counts only the
 * working time within the horizon after a. */
#define POLICY_HORIZON_DAYS 3660
/* The instant `work_seconds` of working time after `from`. Starting outside
 * working hours counts from the next working period. Adding 0 to a time
 * outside working hours gives the start of the next working period.
 * Negative amounts count as 0. Spans are wall-clock times converted with
 * tz_mktime each day, so a DST change outside the spans changes nothing. */
time_t policy_work_add(const struct policy_hours *h, time_t from, long work_seconds);
/* Working seconds in [a, b); 0 when b <= a. */
long policy_work_between(const struct policy_hours *h, time_t a, time_t b);
/* Start of the reply block that contains `now`, else of the next one; 0 when
 * there are no blocks at all (then held replies go at once). */
time_t policy_block_start(const struct policy_hours *h, time_t now);
/* End of the block containing now, or 0 when now is not in a block. */
time_t policy_block_end(const struct policy_hours *h, time_t now);

/* ---- tiers and targets ------------------------------------------------- */
enum policy_target_kind { TARGET_NONE = 0, TARGET_SECONDS, TARGET_DAYS };

struct policy_target {
	enum policy_target_kind kind;
	long amount;   /* working seconds, or working days */
};

/* "4h", "30m", "90s", "1d", "2d", "1h30m", "none" */
int policy_parse_target(const char *spec, struct policy_target *t, struct ebb_err *err);
/* The target in working seconds (days use policy_workday_seconds); -1 for none. */
long policy_target_seconds(const struct policy_hours *h, const struct policy_target *t);
/* "4h", "1d", "none" */
void policy_format_target(const struct policy_target *t, char *out, size_t outlen);

#define POLICY_TIER_NAME_MAX 32
struct policy_tier {
	char name[POLICY_TIER_NAME_MAX];
	struct policy_target target;
	int urgent;    /* notifies even outside blocks */
};
/* The pyramid of responsiveness: urgent 1h (urgent), chat 4h, feedback 1d,
 * email 2d, fyi none. Returns how many were written (<= max). */
size_t policy_default_tiers(struct policy_tier *out, size_t max);

/* ---- reply owed -------------------------------------------------------- */
/* A reply is owed when the last message is not from me and is addressed to
 * me (To, not only Cc or a list) or the conversation is a direct chat. */
int policy_needs_reply(int last_from_me, int addressed_to_me, int is_direct);
/* arrival + target in working time; 0 when the target is none. */
time_t policy_due_at(const struct policy_hours *h, const struct policy_target *t, time_t arrival);

enum policy_urgency {
	URGENCY_NONE = 0,  /* no reply owed */
	URGENCY_DUE,       /* owed, more than 25 % of the target left */
	URGENCY_AT_RISK,   /* at most 25 % of the target left (in working time) */
	URGENCY_OVERDUE,   /* past due */
};
enum policy_urgency policy_urgency(const struct policy_hours *h, const struct policy_target *t,
				   time_t due_at, time_t now);
/* Short marker for screens and --json: "overdue 3h", "due 2h", "due Thu". */
void policy_format_due(const struct policy_hours *h, time_t due_at, time_t now, char *out,
		       size_t outlen);

/* ---- holding replies --------------------------------------------------- */
enum policy_release { RELEASE_NEXT_BLOCK = 0, RELEASE_NOW, RELEASE_AT };
/* When a reply queued at `now` may go out: now for RELEASE_NOW or when now is
 * inside a block (or there are no blocks), the next block start otherwise,
 * `at` for RELEASE_AT. */
time_t policy_release_time(const struct policy_hours *h, enum policy_release r, time_t at,
			   time_t now);

#endif
