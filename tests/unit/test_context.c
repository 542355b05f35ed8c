/* Unit tests for the deadline grammar, the context check and the footer,
 * on sentences people write (accepted false positives marked). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ebb/policy.h"

/* Tuesday 2026-11-24 08:00 CET, the demo's morning. */
#define TUE_0800 ((time_t)1795503600)
#define HOUR 3600

static const char berlin[] = "CET-1CEST,M3.5.0,M10.5.0/3";

struct fx {
	struct ebb_tz *tz;
	struct policy_hours h;   /* Mon-Fri 09:00-17:30, blocks 11:00-11:30 16:00-16:45 */
};

static int setup(void **state)
{
	static struct fx f;
	struct ebb_err err = {0};
	if (tz_parse_posix(berlin, &f.tz, &err))
		return -1;
	policy_hours_default(&f.h, f.tz);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	tz_free(f->tz);
	return 0;
}

/* ---- deadlines ---------------------------------------------------------- */

struct dl_case {
	const char *text;
	const char *when;    /* local ISO time it means; NULL = no deadline found */
	const char *phrase;  /* the bytes found, when checked */
};

static const struct dl_case dl_cases[] = {
	{"Could you send it by Thursday 15:00?", "2026-11-26T15:00:00+01:00", "Thursday 15:00"},
	{"Thursday works for me", "2026-11-26T17:30:00+01:00", "Thursday"},
	{"We need it by Tuesday.", "2026-11-24T17:30:00+01:00", "Tuesday"},   /* today counts */
	{"next Friday is fine", "2026-12-04T17:30:00+01:00", "next Friday"},
	{"this Friday please", "2026-11-27T17:30:00+01:00", "this Friday"},
	{"Fri. would be best", "2026-11-27T17:30:00+01:00", "Fri."},
	{"tomorrow", "2026-11-25T17:30:00+01:00", "tomorrow"},
	{"Tomorrow at 3pm works", "2026-11-25T15:00:00+01:00", "Tomorrow at 3pm"},
	{"3pm tomorrow works", "2026-11-25T15:00:00+01:00", "3pm tomorrow"},
	{"Can I have it by EOD?", "2026-11-24T17:30:00+01:00", "EOD"},
	{"by end of day", "2026-11-24T17:30:00+01:00", "end of day"},
	{"before close of business", "2026-11-24T17:30:00+01:00", "close of business"},
	{"sometime tonight", "2026-11-24T23:59:00+01:00", "tonight"},
	{"by the end of the week", "2026-11-27T17:30:00+01:00", "end of the week"},
	{"EOW is fine", "2026-11-27T17:30:00+01:00", "EOW"},
	{"some time next week", "2026-12-04T17:30:00+01:00", "next week"},
	{"by end of month", "2026-11-30T17:30:00+01:00", "end of month"},
	{"due 2026-12-01", "2026-12-01T17:30:00+01:00", "2026-12-01"},
	{"at 2026-12-01T10:00 sharp", "2026-12-01T10:00:00+01:00", "2026-12-01T10:00"},
	{"by 1 Dec", "2026-12-01T17:30:00+01:00", "1 Dec"},
	{"by Dec 1", "2026-12-01T17:30:00+01:00", "Dec 1"},
	{"by December 1st, 10:00", "2026-12-01T10:00:00+01:00", "December 1st, 10:00"},
	{"the 1st of December", "2026-12-01T17:30:00+01:00", "1st of December"},
	{"due 12/01", "2026-12-01T17:30:00+01:00", "12/01"},       /* month/day */
	{"by 25/12", "2026-12-25T17:30:00+01:00", "25/12"},        /* day/month: 25 > 12 */
	{"on 3/15/2027", "2027-03-15T17:30:00+01:00", "3/15/2027"},
	{"by 1 Jan", "2027-01-01T17:30:00+01:00", "1 Jan"},        /* the next one */
	{"by 2 Nov", "2027-11-02T17:30:00+01:00", "2 Nov"},        /* this year's has passed */
	{"it was due 20 Nov 2026", "2026-11-20T17:30:00+01:00", "20 Nov 2026"},
	{"Thu 26 Nov 15:00", "2026-11-26T15:00:00+01:00", "Thu 26 Nov 15:00"},
	/* with its weekday a past date stays in the past (round-ups written back) */
	{"(due Mon 23 Nov 12:00)", "2026-11-23T12:00:00+01:00", "Mon 23 Nov 12:00"},
	{"(due Wed 24 Nov)", "2027-11-24T17:30:00+01:00", "Wed 24 Nov"},   /* a Wednesday in 2027 */
	{"(due Mon 24 Nov)", "2025-11-24T17:30:00+01:00", "Mon 24 Nov"},   /* ... a Monday in 2025 */
	/* no year next to this one has a Friday 24 Nov: the next such date */
	{"(due Fri 24 Nov)", "2026-11-24T17:30:00+01:00", "Fri 24 Nov"},
	{"at 15:00", "2026-11-24T15:00:00+01:00", "15:00"},
	{"at 07:30", "2026-11-25T07:30:00+01:00", "07:30"},        /* passed: tomorrow */
	{"around 3 pm", "2026-11-24T15:00:00+01:00", "3 pm"},
	{"by 11:30am", "2026-11-24T11:30:00+01:00", "11:30am"},
	{"by 12am", "2026-11-25T00:00:00+01:00", "12am"},
	{"before noon", "2026-11-24T12:00:00+01:00", "noon"},
	{"in 2 days", "2026-11-26T17:30:00+01:00", "in 2 days"},
	{"within a week", "2026-12-01T17:30:00+01:00", "within a week"},
	{"in 3 hours", "2026-11-24T11:00:00+01:00", "in 3 hours"},
	{"within 2 working days", "2026-11-26T17:30:00+01:00", "within 2 working days"},
	{"in a couple of days", "2026-11-26T17:30:00+01:00", "in a couple of days"},
	{"by the 3rd", "2026-12-03T17:30:00+01:00", "by the 3rd"},
	{"by the 30th", "2026-11-30T17:30:00+01:00", "by the 30th"},
	/* not deadlines */
	{"I met her last Friday", NULL, NULL},
	{"open since Monday", NULL, NULL},
	{"that was 3 days ago", NULL, NULL},
	{"about 1/2 of the budget", NULL, NULL},   /* a fraction, not a date */
	{"I sat down in the sun", NULL, NULL},     /* "sat"/"sun" only as full names */
	{"ASAP please", NULL, NULL},               /* no time given */
	{"see https://example.com/2026-12-01/tomorrow?at=15:00", NULL, NULL},
	{"version 2.15:00 is out", NULL, NULL},
	{"room 3 people", NULL, NULL},
	{"in 2026 we grew", NULL, NULL},
	{"by 31/02", NULL, NULL},                  /* 31 Feb never comes */
	{"", NULL, NULL},
	/* found, knowingly: a date is a date even when it is not a deadline */
	{"I'll be out until 2026-12-01.", "2026-12-01T17:30:00+01:00", "2026-12-01"},
};

static void test_deadlines(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < sizeof dl_cases / sizeof dl_cases[0]; i++) {
		const struct dl_case *c = &dl_cases[i];
		struct policy_deadline dl;
		int found = policy_deadline_find(c->text, strlen(c->text), &f->h, TUE_0800, &dl);
		if (!c->when) {
			if (found)
				fail_msg("\"%s\": found \"%.*s\", want nothing", c->text, (int)dl.len,
					 c->text + dl.start);
			continue;
		}
		if (!found)
			fail_msg("\"%s\": nothing found, want %s", c->text, c->when);
		char iso[64];
		assert_int_equal(tz_format_iso8601(f->tz, dl.at, iso, sizeof iso), 0);
		if (strcmp(iso, c->when))
			fail_msg("\"%s\": %s, want %s", c->text, iso, c->when);
		if (strlen(c->phrase) != dl.len || memcmp(c->text + dl.start, c->phrase, dl.len))
			fail_msg("\"%s\": phrase \"%.*s\", want \"%s\"", c->text, (int)dl.len,
				 c->text + dl.start, c->phrase);
	}
}

static void test_deadline_details(void **state)
{
	struct fx *f = *state;
	struct policy_deadline dl;
	/* without hours it only finds */
	assert_int_equal(policy_deadline_find("by Friday", 9, NULL, 0, &dl), 1);
	assert_int_equal(dl.at, 0);
	assert_int_equal(dl.start, 3);
	assert_int_equal(dl.len, 6);
	assert_int_equal(dl.has_time, 0);
	assert_int_equal(policy_deadline_find("by Friday 9:15", 14, &f->h, TUE_0800, &dl), 1);
	assert_int_equal(dl.has_time, 1);
	/* length-counted: the text past len is not read */
	assert_int_equal(policy_deadline_find("by Friday", 2, &f->h, TUE_0800, &dl), 0);
	assert_int_equal(policy_deadline_find(NULL, 0, &f->h, TUE_0800, &dl), 0);
	/* a holiday is not a working day */
	struct policy_hours h = f->h;
	struct ebb_err err = {0};
	assert_int_equal(policy_parse_holidays("2026-11-25", &h, &err), 0);
	const char *t = "within 2 working days";
	assert_int_equal(policy_deadline_find(t, strlen(t), &h, TUE_0800, &dl), 1);
	char iso[64];
	tz_format_iso8601(f->tz, dl.at, iso, sizeof iso);
	assert_string_equal(iso, "2026-11-27T17:30:00+01:00");
	/* the end of the week is the last working day: Thursday with Mon-Thu */
	assert_int_equal(policy_parse_work("Mon-Thu 08:00-16:00", &h, &err), 0);
	t = "by end of week";
	assert_int_equal(policy_deadline_find(t, strlen(t), &h, TUE_0800, &dl), 1);
	tz_format_iso8601(f->tz, dl.at, iso, sizeof iso);
	assert_string_equal(iso, "2026-11-26T16:00:00+01:00");
	/* across the DST change: "tomorrow 10:00" on Sat 2026-03-28 is 10:00 CEST */
	t = "tomorrow 10:00";
	assert_int_equal(policy_deadline_find(t, strlen(t), &f->h, (time_t)1774684800, &dl), 1);
	tz_format_iso8601(f->tz, dl.at, iso, sizeof iso);
	assert_string_equal(iso, "2026-03-29T10:00:00+02:00");
}

/* ---- the context check --------------------------------------------------- */

struct ctx_case {
	const char *subject;
	const char *body;
	int attached;
	unsigned missing;
};

#define NO_ASK CONTEXT_MISSING_ASK
#define NO_DEADLINE CONTEXT_MISSING_DEADLINE
#define NO_FILE CONTEXT_MISSING_FILE
#define NO_LINK CONTEXT_MISSING_LINK

static const struct ctx_case ctx_cases[] = {
	/* complete requests */
	{"Q4 budget",
	 "Hi Ann,\n\nCould you approve the Q4 budget by Thursday 15:00? The numbers are in the\n"
	 "sheet: https://docs.example.com/q4\n\nThanks,\nSam\n-- \nSam Rivera\n",
	 0, 0},
	{"Invoice", "Please approve the attached invoice by EOD.\n", 1, 0},
	{"PR", "Can you look at PR #412 by tomorrow?\n", 0, 0},
	{"Ticket", "Ticket ABC-123 needs your approval by 1 Dec.\n", 0, 0},
	{"Review: indexer benchmark", "Decide between option A and B by next week.\n", 0, 0},
	{"Can you send me your slides by Friday?", NULL, 0, 0},
	{"Quick question", "Are we still on for 3pm?\n", 0, 0},
	{"Two things", "Two things:\n- review the draft https://x.example.com/d\n"
		       "- confirm the date by Dec 3\n", 0, 0},
	{"Re: retry budget", "We need a decision on the retry budget before the 15th.\n", 0, 0},
	{"Lunch", "Let me know by noon if you want to join.\n", 0, 0},
	/* something missing */
	{"Invoice", "Please approve the attached invoice by EOD.\n", 0, NO_FILE},
	{"Release", "FYI: the release went out yesterday.\n", 0, NO_ASK | NO_DEADLINE},
	{"Design doc", "See the doc for the details. Let me know what you think by Friday.\n", 0,
	 NO_LINK},
	{"PR", "Can you look at the PR?\n", 0, NO_DEADLINE | NO_LINK},
	{"Lunch", "See you tomorrow!\n", 0, NO_ASK},   /* "see you" points at nothing */
	{"Retro", "The review went well. I met Ann last Monday.\n", 0, NO_ASK | NO_DEADLINE},
	{"Hello", "Hi all, hope you had a great weekend.\n", 0, NO_ASK | NO_DEADLINE},
	{"Budget split", "What do you think about 3/4 of the budget?\n", 0, NO_DEADLINE},
	{"Report", "Please find attached the report.\n", 1, NO_ASK | NO_DEADLINE},
	{"Notes", "See below for my notes.\n\nNotes: all fine.\n", 0, NO_ASK | NO_DEADLINE},
	{"", "", 0, NO_ASK | NO_DEADLINE},
	/* what is not read */
	{"Re: numbers", "> Can you send it by Friday?\n\nHere they are.\n", 0,
	 NO_ASK | NO_DEADLINE},
	{"Update", "Thanks for the update.\n-- \nSam\nCall me by Friday?\n", 0, NO_ASK | NO_DEADLINE},
	{"Re: plan", "On Mon, 23 Nov 2026 at 10:00, Ann <ann@example.com> wrote:\nGreat, thanks.\n",
	 0, NO_ASK | NO_DEADLINE},
	{"Results", "Results: https://example.com/search?q=2026-12-01\n", 0, NO_ASK | NO_DEADLINE},
	{"Fwd", "FYI.\n---------- Forwarded message ---------\nCan you do it by Monday?\n", 0,
	 NO_ASK | NO_DEADLINE},
	/* accepted, knowingly */
	{"Out of office", "I'll be out until 2026-12-01.\n", 0, NO_ASK},  /* a date is a date */
	{"Frage", "Kannst du das bis Freitag machen?\n", 0, NO_DEADLINE}, /* English words only */
	{"Thanks", "Take care!\n", 0, NO_DEADLINE},   /* an imperative at the start is an ask */
	{"Review: PR #431", "Thanks.\n", 0, NO_ASK | NO_DEADLINE}, /* not in the subject */
};

static void test_context_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof ctx_cases / sizeof ctx_cases[0]; i++) {
		const struct ctx_case *c = &ctx_cases[i];
		struct policy_context ctx;
		assert_int_equal(policy_context_check(c->subject, c->body, c->attached, &ctx), 0);
		if (ctx.missing != c->missing)
			fail_msg("case %zu (\"%s\"): missing %#x, want %#x (found %#x): %s", i,
				 c->subject, ctx.missing, c->missing, ctx.found, ctx.advice);
		if (!c->missing && ctx.advice[0])
			fail_msg("case %zu: advice \"%s\" for a complete request", i, ctx.advice);
		if (c->missing && !ctx.advice[0])
			fail_msg("case %zu: no advice", i);
	}
}

static void test_context_found_and_advice(void **state)
{
	(void)state;
	struct policy_context ctx;
	assert_int_equal(policy_context_check("Design doc",
					      "See the doc for the details. Let me know by Friday.",
					      0, &ctx), 0);
	assert_int_equal(ctx.found, CONTEXT_ASK | CONTEXT_DEADLINE | CONTEXT_POINTS);
	assert_string_equal(ctx.advice, "No link: the text points at a document, PR or ticket; "
					"add its link (https://...).");
	assert_int_equal(policy_context_check("Release", "FYI: it went out.", 0, &ctx), 0);
	assert_string_equal(ctx.advice, "No clear ask: say what you need from them (e.g. \"Could "
					"you approve the budget?\"). No deadline: add when you need "
					"it (e.g. \"by Thursday 15:00\").");
	assert_int_equal(policy_context_check("Invoice", "See attached, https://x.example/i", 1,
					      &ctx), 0);
	assert_int_equal(ctx.found & (CONTEXT_POINTS_FILE | CONTEXT_FILE | CONTEXT_LINK),
			 CONTEXT_POINTS_FILE | CONTEXT_FILE | CONTEXT_LINK);
	assert_string_equal(policy_context_missing_name(CONTEXT_MISSING_DEADLINE), "no deadline");
	assert_string_equal(policy_context_missing_hint(CONTEXT_MISSING_DEADLINE),
			    "add when you need it (e.g. \"by Thursday 15:00\")");
	assert_string_equal(policy_context_missing_name(CONTEXT_MISSING_ASK), "no clear ask");
	assert_string_equal(policy_context_missing_name(CONTEXT_MISSING_FILE), "nothing attached");
	assert_string_equal(policy_context_missing_name(CONTEXT_MISSING_LINK), "no link");
	assert_string_equal(policy_context_missing_name(0), "");
	assert_string_equal(policy_context_missing_hint(1u << 9), "");
	assert_int_equal(policy_context_check("x", "y", 0, NULL), EBB_EINVAL);
	assert_int_equal(policy_context_check(NULL, NULL, 0, &ctx), 0);
	assert_int_equal(ctx.missing, CONTEXT_MISSING_ASK | CONTEXT_MISSING_DEADLINE);
}

/* Hostile input: long, binary, no line ends, only a quote; nothing breaks
 * and only the first 64 KiB of the sender's text is read. */
static void test_context_hostile(void **state)
{
	(void)state;
	static char big[200 * 1024];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	/* a question far beyond the limit is not seen */
	memcpy(big + sizeof big - 40, " can you do it by Friday?", 25);
	struct policy_context ctx;
	assert_int_equal(policy_context_check("x", big, 0, &ctx), 0);
	assert_int_equal(ctx.missing, CONTEXT_MISSING_ASK | CONTEXT_MISSING_DEADLINE);
	for (size_t i = 0; i < sizeof big - 1; i++)
		big[i] = (char)(1 + (i * 7919) % 255);
	assert_int_equal(policy_context_check(big, big, 1, &ctx), 0);
	assert_int_equal(policy_context_check("x", "> only a quote?", 0, &ctx), 0);
	assert_int_equal(ctx.missing, CONTEXT_MISSING_ASK | CONTEXT_MISSING_DEADLINE);
}

/* ---- the footer ---------------------------------------------------------- */

static void test_target_human(void **state)
{
	(void)state;
	static const struct { struct policy_target t; const char *want; } cases[] = {
		{{TARGET_DAYS, 1}, "1 working day"},
		{{TARGET_DAYS, 2}, "2 working days"},
		{{TARGET_SECONDS, 4 * 3600}, "4 working hours"},
		{{TARGET_SECONDS, 3600}, "1 working hour"},
		{{TARGET_SECONDS, 5400}, "90 working minutes"},
		{{TARGET_SECONDS, 45}, "45 working seconds"},
		{{TARGET_NONE, 0}, "no set time"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		policy_format_target_human(&cases[i].t, buf, sizeof buf);
		assert_string_equal(buf, cases[i].want);
	}
	policy_format_target_human(&cases[0].t, buf, 5);
	assert_string_equal(buf, "1 wo");
}

static void test_footer(void **state)
{
	struct fx *f = *state;
	struct policy_target two_days = {TARGET_DAYS, 2}, none = {TARGET_NONE, 0};
	char buf[160];
	policy_format_footer(&f->h, &two_days, TUE_0800, buf, sizeof buf);
	assert_string_equal(buf, "I usually reply within 2 working days; next reply window "
				 "Tue 11:00 CET.");
	/* inside the 11:00 block: the next window is the 16:00 one */
	policy_format_footer(&f->h, &two_days, TUE_0800 + 3 * HOUR + 600, buf, sizeof buf);
	assert_string_equal(buf, "I usually reply within 2 working days; next reply window "
				 "Tue 16:00 CET.");
	/* Friday evening: Monday */
	policy_format_footer(&f->h, &two_days, TUE_0800 + 3 * 86400 + 10 * HOUR, buf, sizeof buf);
	assert_string_equal(buf, "I usually reply within 2 working days; next reply window "
				 "Mon 11:00 CET.");
	/* a week of holidays: the date is said too */
	struct policy_hours h = f->h;
	struct ebb_err err = {0};
	assert_int_equal(policy_parse_holidays("2026-11-30, 2026-12-01, 2026-12-02, 2026-12-03, "
					       "2026-12-04", &h, &err), 0);
	policy_format_footer(&h, &two_days, TUE_0800 + 3 * 86400 + 10 * HOUR, buf, sizeof buf);
	assert_string_equal(buf, "I usually reply within 2 working days; next reply window "
				 "Mon 7 Dec 11:00 CET.");
	policy_format_footer(&f->h, &none, TUE_0800, buf, sizeof buf);
	assert_string_equal(buf, "My next reply window is Tue 11:00 CET.");
	h = f->h;
	h.nblocks = 0;
	struct policy_target four_hours = {TARGET_SECONDS, 4 * 3600};
	policy_format_footer(&h, &four_hours, TUE_0800, buf, sizeof buf);
	assert_string_equal(buf, "I usually reply within 4 working hours.");
	policy_format_footer(&h, &none, TUE_0800, buf, sizeof buf);
	assert_string_equal(buf, "");
	/* without a zone the clock is UTC */
	policy_hours_default(&h, NULL);
	policy_format_footer(&h, &two_days, TUE_0800, buf, sizeof buf);
	assert_string_equal(buf, "I usually reply within 2 working days; next reply window "
				 "Tue 11:00 UTC.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_deadline_details),
		cmocka_unit_test(test_context_cases),
		cmocka_unit_test(test_context_found_and_advice),
		cmocka_unit_test(test_context_hostile),
		cmocka_unit_test(test_target_human),
		cmocka_unit_test(test_footer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
