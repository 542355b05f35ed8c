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

/* ---- deadlines in text (policy/deadline.c) ------------------------------
 * English deadline phrases: weekdays ("Thursday", "next Fri"), today,
 * tonight, tomorrow, EOD/COB/end of day, EOW/end of week/this week, next
 * week, end of month/next month, dates (2026-12-01, 1 Dec, Dec 1st, 12/01 as
 * month/day, 25/12 as day/month), "by the 3rd", times (15:00, 3pm, 3:30 pm,
 * noon) alone or joined to a date ("Thursday 15:00", "tomorrow at 3pm"),
 * and "in|within N minutes/hours/days/weeks/working days". "last Friday",
 * "since Monday" and "3 days ago" are not deadlines; ASAP is not one
 * either (it says no time). Text inside URLs is skipped. */
struct policy_deadline {
	size_t start, len;   /* the phrase's bytes in the text */
	time_t at;           /* the instant it means; 0 when not placed */
	int has_time;        /* a time of day was given */
};
/* Finds the first deadline in text[0..len) and returns 1, else 0. With
 * hours and now > 0 it is placed from now in the hours' zone: a day
 * without a time means the end of the last work span that day (17:30); a
 * time alone means today, or tomorrow once it has passed; a weekday means
 * the next such day (today counts); "next Friday" the Friday of next week;
 * end of week the last working day of this week; a date without a year
 * the next such date. */
int policy_deadline_find(const char *text, size_t len, const struct policy_hours *h, time_t now,
			 struct policy_deadline *out);

/* ---- the high-context check (policy/context.c) ---------------------------
 * Does a new request carry what the reader needs to act without a round
 * trip: a concrete ask, a deadline, and the document it points at? Quoted
 * lines ("> ..."), "On ... wrote:" lines and everything after the
 * signature line ("-- ") are not read. */
enum policy_context_found {
	CONTEXT_ASK = 1u << 0,          /* a question or a request phrase */
	CONTEXT_DEADLINE = 1u << 1,     /* a deadline phrase */
	CONTEXT_POINTS = 1u << 2,       /* points at a document, link, PR, ticket */
	CONTEXT_POINTS_FILE = 1u << 3,  /* points at an attachment ("attached") */
	CONTEXT_LINK = 1u << 4,         /* an http(s):// or www. link */
	CONTEXT_FILE = 1u << 5,         /* the caller said a file is attached */
	CONTEXT_REF_ID = 1u << 6,       /* an id such as #412 or ABC-123 */
};
enum policy_context_missing {
	CONTEXT_MISSING_ASK = 1u << 0,
	CONTEXT_MISSING_DEADLINE = 1u << 1,
	CONTEXT_MISSING_FILE = 1u << 2,  /* says "attached", nothing is */
	CONTEXT_MISSING_LINK = 1u << 3,  /* points at a document without a link */
};
#define POLICY_CONTEXT_ADVICE_MAX 640
struct policy_context {
	unsigned found;     /* enum policy_context_found bits */
	unsigned missing;   /* enum policy_context_missing bits */
	/* One sentence per missing item, e.g. No deadline: add when you need
	 * it (e.g. "by Thursday 15:00"). Empty when nothing is missing. */
	char advice[POLICY_CONTEXT_ADVICE_MAX];
};
/* subject and body may be NULL. Reads at most the first 64 KiB of what the
 * sender wrote. Returns 0, or EBB_EINVAL without out. */
int policy_context_check(const char *subject, const char *body, int has_attachment,
			 struct policy_context *out);
/* For one CONTEXT_MISSING_* bit: a short name (no deadline) and what to do
 * (add when you need it (e.g. "by Thursday 15:00")); "" for other values. */
const char *policy_context_missing_name(unsigned missing);
const char *policy_context_missing_hint(unsigned missing);

/* ---- wording for people (policy/footer.c) ---------------------------- */
/* A target as people say it: "2 working days", "1 working day", "4 working
 * hours", "90 working minutes", "no set time" for none. */
void policy_format_target_human(const struct policy_target *t, char *out, size_t outlen);
/* The account footer for new mails: "I usually reply within 2 working
 * days; next reply window Tue 11:00 CET." Without a target it says only
 * "My next reply window is ...", without blocks only the first half; ""
 * when both are missing. The
 * next window is the next block start after now (the one after the
 * current block when now is inside one). */
void policy_format_footer(const struct policy_hours *h, const struct policy_target *t, time_t now,
			  char *out, size_t outlen);

/* ---- round-ups (policy/roundup.c) ---------------------------------------
 * A round-up closes a thread: the decisions taken, the action items (each
 * with one owner and a due date) and the questions still open. The
 * extractor pre-fills one from the thread's lines; the user edits it; the
 * parser reads the edited block back. */
enum roundup_kind { ROUNDUP_DECISION = 0, ROUNDUP_ACTION, ROUNDUP_QUESTION };

struct roundup_msg {
	const char *sender;     /* who wrote it, as the owner of an "I'll ..." */
	const char *addressee;  /* who it asks ("can you ..."), may be NULL */
	const char *text;       /* the body; quotes and signature are skipped */
	time_t sent_at;         /* deadlines in it are placed from here */
};

struct roundup_item {
	enum roundup_kind kind;
	char *text;
	char *owner;            /* action items; NULL when nobody is named */
	time_t due_at;          /* 0 = none */
	int due_has_time;       /* the deadline named a time of day */
};

struct roundup {
	struct roundup_item *items;   /* in the thread's order */
	size_t n, cap;
};

#define ROUNDUP_MAX_ITEMS 100
#define ROUNDUP_TEXT_MAX 300          /* bytes of one item's text */

/* Candidates, by the first rule that matches a sentence of what a sender
 * wrote:
 *  - action: "TODO: x", "Action: x", "@ann will x", "@ann to x", "Ann to
 *    send x" (a capitalised name at the start), "can/could/would you x",
 *    "please x", "need you to x" (owner: the addressee), "I'll x" / "I will
 *    x" (owner: the sender); due from the deadline grammar;
 *  - decision: "Decision: x", "we decided", "agreed", "let's go with",
 *    "we'll", "we will", "we are going with";
 *  - open question: a sentence ending in "?" with no later message from
 *    someone other than its sender.
 * Repeats are dropped; at most ROUNDUP_MAX_ITEMS. out is reset first. */
int policy_roundup_extract(const struct roundup_msg *msgs, size_t n, const struct policy_hours *h,
			   struct roundup *out, struct ebb_err *err);
/* The block for a reply:
 *   Round-up
 *
 *   Decisions:
 *   - We go with Postgres 16.
 *   Action items:
 *   - [ann@example.com] send the slides (due Thu 26 Nov)
 *   - [?] update the runbook
 *   Open questions:
 *   - Who owns the migration?
 * Empty sections say "- (none)". Due dates are local dates in the hours'
 * zone with the time when one was named, and the year when it is not
 * the year of now. *out is NUL-terminated and the caller's to free. */
int policy_roundup_format(const struct roundup *r, const struct policy_hours *h, time_t now,
			  char **out, struct ebb_err *err);
/* Reads an edited block back: the section headings (Decisions, Action
 * items, Open questions; any case, colon optional), "- " or "* " items,
 * indented lines continuing an item, "[owner]" ("[?]" = nobody) and a
 * trailing "(due ...)" placed from now. The block starts at a "Round-up"
 * line when there is one and ends at the signature or at the first
 * unindented line that is neither a heading nor an item. */
int policy_roundup_parse(const char *text, size_t len, const struct policy_hours *h, time_t now,
			 struct roundup *out, struct ebb_err *err);
/* Adds one item (copies the strings); EBB_ETOOBIG past ROUNDUP_MAX_ITEMS. */
int policy_roundup_add(struct roundup *r, enum roundup_kind kind, const char *text,
		       const char *owner, time_t due_at, int due_has_time, struct ebb_err *err);
void policy_roundup_free(struct roundup *r);

#endif
