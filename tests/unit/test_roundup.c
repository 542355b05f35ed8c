/* Unit tests for round-ups (policy/roundup.c): the candidates found in a
 * thread, the block written for a reply, and reading an edited block back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"

#define MON_1000 ((time_t)1795424400)   /* Mon 2026-11-23 10:00 CET */
#define HOUR 3600
#define TUE_1000 (MON_1000 + 24 * HOUR)

struct fx {
	struct ebb_tz *tz;
	struct policy_hours h;
};

static int setup(void **state)
{
	static struct fx f;
	struct ebb_err err = {0};
	if (tz_parse_posix("CET-1CEST,M3.5.0,M10.5.0/3", &f.tz, &err))
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

static const char msg1[] =
	"Hi Sam,\n"
	"\n"
	"We need to settle the storage plan. Can you send me the cost numbers by\n"
	"Thursday? Also, who owns the migration runbook?\n"
	"\n"
	"TODO: update the capacity sheet @kim\n"
	"Ann\n";
static const char msg2[] =
	"Thanks Ann.\n"
	"\n"
	"> Can you send me the cost numbers by Thursday?\n"
	"I'll send the numbers on Wednesday.\n"
	"\n"
	"We decided to go with Postgres 16 for the new cluster.\n"
	"Bob to review the failover plan by Friday 15:00. Is the budget approved?\n"
	"\n"
	"-- \n"
	"Sam\n"
	"Can you call me by Monday?\n";
static const char msg3[] =
	"On Mon, 23 Nov 2026 at 14:00, Sam <sam@example.com> wrote:\n"
	"> We decided to go with Postgres 16 for the new cluster.\n"
	"\n"
	"Agreed, let's go with Postgres 16.\n"
	"@lee will book the room for the workshop by 1 Dec.\n"
	"Should we invite the vendor?\n";

static const struct roundup_msg thread[] = {
	{"ann@example.com", "me", msg1, MON_1000},
	{"me", "ann@example.com", msg2, MON_1000 + 4 * HOUR},
	{"ann@example.com", "me", msg3, MON_1000 + 23 * HOUR},
};

static const char thread_block[] =
	"Round-up\n"
	"\n"
	"Decisions:\n"
	"- We decided to go with Postgres 16 for the new cluster.\n"
	"- Agreed, let's go with Postgres 16.\n"
	"Action items:\n"
	"- [me] send me the cost numbers by Thursday (due Thu 26 Nov)\n"
	"- [kim] update the capacity sheet @kim\n"
	"- [me] send the numbers on Wednesday (due Wed 25 Nov)\n"
	"- [Bob] review the failover plan by Friday 15:00 (due Fri 27 Nov 15:00)\n"
	"- [lee] book the room for the workshop by 1 Dec (due Tue 1 Dec)\n"
	"Open questions:\n"
	"- Should we invite the vendor?\n";

static void iso(const struct fx *f, time_t t, char *out, size_t outlen)
{
	assert_int_equal(tz_format_iso8601(f->tz, t, out, outlen), 0);
}

static void test_extract_thread(void **state)
{
	struct fx *f = *state;
	struct roundup r = {0};
	struct ebb_err err = {0};
	assert_int_equal(policy_roundup_extract(thread, 3, &f->h, &r, &err), 0);
	assert_int_equal(r.n, 8);
	struct { enum roundup_kind kind; const char *text, *owner, *due; int has_time; } want[] = {
		{ROUNDUP_ACTION, "send me the cost numbers by Thursday", "me",
		 "2026-11-26T17:30:00+01:00", 0},
		{ROUNDUP_ACTION, "update the capacity sheet @kim", "kim", NULL, 0},
		{ROUNDUP_ACTION, "send the numbers on Wednesday", "me", "2026-11-25T17:30:00+01:00", 0},
		{ROUNDUP_DECISION, "We decided to go with Postgres 16 for the new cluster.", NULL, NULL,
		 0},
		{ROUNDUP_ACTION, "review the failover plan by Friday 15:00", "Bob",
		 "2026-11-27T15:00:00+01:00", 1},
		{ROUNDUP_DECISION, "Agreed, let's go with Postgres 16.", NULL, NULL, 0},
		{ROUNDUP_ACTION, "book the room for the workshop by 1 Dec", "lee",
		 "2026-12-01T17:30:00+01:00", 0},
		{ROUNDUP_QUESTION, "Should we invite the vendor?", NULL, NULL, 0},
	};
	for (size_t i = 0; i < r.n; i++) {
		const struct roundup_item *it = &r.items[i];
		if (it->kind != want[i].kind || strcmp(it->text, want[i].text))
			fail_msg("item %zu: kind %d \"%s\", want %d \"%s\"", i, it->kind, it->text,
				 want[i].kind, want[i].text);
		if (want[i].owner)
			assert_string_equal(it->owner, want[i].owner);
		else
			assert_null(it->owner);
		if (want[i].due) {
			char buf[64];
			iso(f, it->due_at, buf, sizeof buf);
			assert_string_equal(buf, want[i].due);
		} else {
			assert_int_equal(it->due_at, 0);
		}
		assert_int_equal(it->due_has_time, want[i].has_time);
	}
	/* "Who owns the migration runbook?" and "Is the budget approved?" had an
	 * answer from someone else later; the signature's question is not read */
	char *block;
	assert_int_equal(policy_roundup_format(&r, &f->h, TUE_1000, &block, &err),
			 0);
	assert_string_equal(block, thread_block);
	free(block);
	policy_roundup_free(&r);
	assert_int_equal(r.n, 0);
	assert_null(r.items);
}

/* The round trip: what the formatter writes, the parser reads back. */
static void test_format_parse_round_trip(void **state)
{
	struct fx *f = *state;
	struct roundup r = {0}, back = {0};
	struct ebb_err err = {0};
	assert_int_equal(policy_roundup_extract(thread, 3, &f->h, &r, &err), 0);
	char *block;
	time_t now = TUE_1000;
	assert_int_equal(policy_roundup_format(&r, &f->h, now, &block, &err), 0);
	assert_int_equal(policy_roundup_parse(block, strlen(block), &f->h, now, &back, &err), 0);
	assert_int_equal(back.n, r.n);
	/* Sorted by section now: decisions, actions, questions. */
	size_t k = 0;
	for (int kind = ROUNDUP_DECISION; kind <= ROUNDUP_QUESTION; kind++) {
		for (size_t i = 0; i < r.n; i++) {
			if ((int)r.items[i].kind != kind)
				continue;
			const struct roundup_item *a = &r.items[i], *b = &back.items[k++];
			assert_int_equal(b->kind, a->kind);
			assert_string_equal(b->text, a->text);
			if (a->owner)
				assert_string_equal(b->owner, a->owner);
			else
				assert_null(b->owner);
			assert_int_equal(b->due_at, a->due_at);
			assert_int_equal(b->due_has_time, a->due_has_time);
		}
	}
	free(block);
	policy_roundup_free(&r);
	policy_roundup_free(&back);
}

static void test_parse_edited(void **state)
{
	struct fx *f = *state;
	static const char edited[] =
		"Thanks all, here is where we are.\n"
		"\n"
		"Round-up:\n"
		"\n"
		"DECISIONS\n"
		"- Postgres 16 for the new cluster\n"
		"Action items:\n"
		"- [ann@example.com] send the cost numbers (due Thu 26 Nov 12:00)\n"
		"- [?] update the capacity sheet\n"
		"  and share it with finance\n"
		"* [ Bob ]   review the failover plan\n"
		"- [x] do it (due someday)\n"
		"- [me] plan the workshop (due 2027-01-15)\n"
		"Open questions:\n"
		"- (none)\n"
		"\n"
		"Best,\n"
		"- not an item: the block ended\n"
		"-- \n"
		"Sam\n";
	struct roundup r = {0};
	struct ebb_err err = {0};
	time_t now = TUE_1000;
	assert_int_equal(policy_roundup_parse(edited, strlen(edited), &f->h, now, &r, &err), 0);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.items[0].kind, ROUNDUP_DECISION);
	assert_string_equal(r.items[0].text, "Postgres 16 for the new cluster");
	assert_int_equal(r.items[1].kind, ROUNDUP_ACTION);
	assert_string_equal(r.items[1].owner, "ann@example.com");
	assert_string_equal(r.items[1].text, "send the cost numbers");
	char buf[64];
	iso(f, r.items[1].due_at, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-26T12:00:00+01:00");
	assert_int_equal(r.items[1].due_has_time, 1);
	assert_null(r.items[2].owner);
	assert_string_equal(r.items[2].text, "update the capacity sheet and share it with finance");
	assert_int_equal(r.items[2].due_at, 0);
	assert_string_equal(r.items[3].owner, "Bob");
	assert_string_equal(r.items[3].text, "review the failover plan");
	/* a due date that cannot be read stays in the text */
	assert_string_equal(r.items[4].text, "do it (due someday)");
	assert_int_equal(r.items[4].due_at, 0);
	iso(f, r.items[5].due_at, buf, sizeof buf);
	assert_string_equal(buf, "2027-01-15T17:30:00+01:00");
	policy_roundup_free(&r);

	/* Nothing but prose: nothing. No title: from the start. */
	assert_int_equal(policy_roundup_parse("Just thanks.\n", 13, &f->h, now, &r, &err), 0);
	assert_int_equal(r.n, 0);
	static const char bare[] = "Action items:\n- [kim] ship it\n";
	assert_int_equal(policy_roundup_parse(bare, strlen(bare), &f->h, now, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].owner, "kim");
	policy_roundup_free(&r);
	assert_int_equal(policy_roundup_parse(NULL, 0, &f->h, now, &r, &err), 0);
	assert_int_equal(r.n, 0);
}

/* What the formatter writes for an empty round-up and for a year ahead. */
static void test_format_edges(void **state)
{
	struct fx *f = *state;
	struct roundup r = {0};
	struct ebb_err err = {0};
	char *block;
	assert_int_equal(policy_roundup_format(&r, &f->h, MON_1000, &block, &err), 0);
	assert_string_equal(block, "Round-up\n\nDecisions:\n- (none)\nAction items:\n- (none)\n"
				   "Open questions:\n- (none)\n");
	free(block);
	assert_int_equal(policy_roundup_add(&r, ROUNDUP_ACTION, "plan 2027", NULL,
					    (time_t)1800000000, 1, &err), 0);
	/* control characters and runs of blanks are cleaned; repeats dropped */
	assert_int_equal(policy_roundup_add(&r, ROUNDUP_QUESTION, " why\x1b[31m  now?\t", NULL, 0, 0,
					    &err), 0);
	assert_int_equal(policy_roundup_add(&r, ROUNDUP_QUESTION, "WHY [31m now?", NULL, 0, 0,
					    &err), 0);
	assert_int_equal(policy_roundup_add(&r, ROUNDUP_DECISION, "   ", NULL, 0, 0, &err), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.items[1].text, "why [31m now?");
	assert_int_equal(policy_roundup_format(&r, &f->h, MON_1000, &block, &err), 0);
	assert_string_equal(block, "Round-up\n\nDecisions:\n- (none)\nAction items:\n"
				   "- [?] plan 2027 (due Fri 15 Jan 2027 09:00)\n"
				   "Open questions:\n- why [31m now?\n");
	free(block);
	assert_int_equal(policy_roundup_add(&r, ROUNDUP_DECISION, NULL, NULL, 0, 0, &err),
			 EBB_EINVAL);
	policy_roundup_free(&r);
}

/* Sentences that are not candidates, and ones that are, one by one. */
static void test_rules(void **state)
{
	struct fx *f = *state;
	static const struct { const char *text; int kind; const char *item, *owner; } cases[] = {
		{"Please find attached the report.", -1, NULL, NULL},
		{"Happy to help with that.", -1, NULL, NULL},
		{"Welcome to the team!", -1, NULL, NULL},
		{"Ann to the rescue.", -1, NULL, NULL},
		{"I'll be out on Friday.", -1, NULL, NULL},
		{"Thanks, see you there.", -1, NULL, NULL},
		{"Ann, could you please check the logs?", ROUNDUP_ACTION, "check the logs", "bob"},
		{"Please review the draft.", ROUNDUP_ACTION, "review the draft", "bob"},
		{"Action: rotate the keys", ROUNDUP_ACTION, "rotate the keys", NULL},
		{"AI: @pat to write the notes", ROUNDUP_ACTION, "@pat to write the notes", "pat"},
		{"@dana: please file the ticket.", ROUNDUP_ACTION, "please file the ticket", "dana"},
		{"Ann Lee to draft the announcement.", ROUNDUP_ACTION, "draft the announcement",
		 "Ann Lee"},
		{"I will merge it after lunch.", ROUNDUP_ACTION, "merge it after lunch", "zoe"},
		{"Decision: no deploys on Fridays.", ROUNDUP_DECISION, "no deploys on Fridays.", NULL},
		{"Minutes are in the wiki. Decisions: keep SQLite, add FTS5 triggers.",
		 ROUNDUP_DECISION, "keep SQLite, add FTS5 triggers.", NULL},
		{"We'll ship on Monday.", ROUNDUP_DECISION, "We'll ship on Monday.", NULL},
		{"What about the e.g. cases?", ROUNDUP_QUESTION, "What about the e.g. cases?", NULL},
		{"See https://example.com/a?b. Done?", ROUNDUP_QUESTION, "Done?", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct roundup_msg m = {"zoe", "bob", cases[i].text, MON_1000};
		struct roundup r = {0};
		struct ebb_err err = {0};
		assert_int_equal(policy_roundup_extract(&m, 1, &f->h, &r, &err), 0);
		if (cases[i].kind < 0) {
			if (r.n)
				fail_msg("\"%s\": found \"%s\", want nothing", cases[i].text,
					 r.items[0].text);
		} else {
			if (r.n != 1 || (int)r.items[0].kind != cases[i].kind ||
			    strcmp(r.items[0].text, cases[i].item))
				fail_msg("\"%s\": %zu items, first \"%s\"", cases[i].text, r.n,
					 r.n ? r.items[0].text : "");
			if (cases[i].owner)
				assert_string_equal(r.items[0].owner, cases[i].owner);
			else
				assert_null(r.items[0].owner);
		}
		policy_roundup_free(&r);
	}
}

/* Hostile input: huge bodies, binary, NULL fields, too many items. */
static void test_hostile(void **state)
{
	struct fx *f = *state;
	static char body[300 * 1024];
	size_t n = 0;
	while (n + 40 < sizeof body)
		n += (size_t)snprintf(body + n, sizeof body - n, "TODO: task number %zu\n", n);
	struct roundup_msg m = {NULL, NULL, body, 0};
	struct roundup r = {0};
	struct ebb_err err = {0};
	assert_int_equal(policy_roundup_extract(&m, 1, &f->h, &r, &err), 0);
	assert_int_equal(r.n, ROUNDUP_MAX_ITEMS);
	policy_roundup_free(&r);
	for (size_t i = 0; i < sizeof body - 1; i++)
		body[i] = (char)(1 + (i * 131) % 255);
	body[sizeof body - 1] = '\0';
	assert_int_equal(policy_roundup_extract(&m, 1, &f->h, &r, &err), 0);
	for (size_t i = 0; i < r.n; i++)
		assert_true(strlen(r.items[i].text) < ROUNDUP_TEXT_MAX);
	char *block;
	assert_int_equal(policy_roundup_format(&r, &f->h, MON_1000, &block, &err), 0);
	struct roundup back = {0};
	assert_int_equal(policy_roundup_parse(block, strlen(block), &f->h, MON_1000, &back, &err),
			 0);
	free(block);
	policy_roundup_free(&back);
	policy_roundup_free(&r);
	assert_int_equal(policy_roundup_parse(body, sizeof body - 1, &f->h, MON_1000, &r, &err), 0);
	policy_roundup_free(&r);
	struct roundup_msg empty = {NULL, NULL, NULL, 0};
	assert_int_equal(policy_roundup_extract(&empty, 1, NULL, &r, &err), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(policy_roundup_extract(NULL, 0, NULL, NULL, &err), EBB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extract_thread),
		cmocka_unit_test(test_format_parse_round_trip),
		cmocka_unit_test(test_parse_edited),
		cmocka_unit_test(test_format_edges),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
