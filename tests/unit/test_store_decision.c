/* Unit tests for store/decision.c (the items round-ups write down) and
 * store/stats.c (the raw figures of `ebb stats`). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/store.h"
#include "../../src/store/store_int.h"

#define T0 ((time_t)1795392000)   /* Mon 2026-11-23 00:00 UTC */
#define HOUR 3600

struct fx {
	struct store *st;
	long long acc;
	long long conv_a, conv_b;
};

static void add_msg(struct store_batch *b, const char *chan, const char *rid, const char *msgid,
		    const char *irt, const char *subject, time_t at, int from_me, int to_me)
{
	struct batch_msg m = {
		.channel = (char *)chan, .remote_id = (char *)rid, .msgid = (char *)msgid,
		.in_reply_to = (char *)irt, .subject = (char *)subject,
		.sender = (char *)(from_me ? "me@example.com" : "ann@example.com"),
		.sent_at = at, .from_me = from_me, .to_me = to_me,
	};
	assert_int_equal(batch_add_msg(b, &m), 0);
}

static long long conv_of(struct fx *f, const char *msgid)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db,
					    "SELECT conversation_id FROM message WHERE msgid = ?1",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, msgid, -1, SQLITE_STATIC);
	long long id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	assert_true(id > 0);
	return id;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct ebb_err err = {0};
	if (!f || store_open(":memory:", &f->st, &err) ||
	    store_account_ensure(f->st, "work", "maildir", &f->acc, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		free(f);
		return -1;
	}
	struct store_batch b = {0};
	add_msg(&b, "INBOX", "1", "a1", NULL, "Storage plan", T0 + 9 * HOUR, 0, 1);
	add_msg(&b, "INBOX", "2", "b1", NULL, "Budget", T0 + 10 * HOUR, 0, 1);
	struct batch_result res;
	if (store_apply_batch(f->st, f->acc, &b, NULL, NULL, &res, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	batch_free(&b);
	*state = f;
	f->conv_a = conv_of(f, "a1");
	f->conv_b = conv_of(f, "b1");
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	free(f);
	return 0;
}

static long long add(struct fx *f, long long conv, enum decision_kind kind, const char *text,
		     const char *owner, time_t due)
{
	struct decision_new d = {.conversation_id = conv, .account_id = f->acc, .kind = kind,
				 .text = text, .owner = owner, .due_at = due};
	long long id = 0;
	struct ebb_err err = {0};
	int rc = store_decision_add(f->st, &d, T0, &id, &err);
	if (rc)
		fprintf(stderr, "add: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_true(id > 0);
	return id;
}

static void test_add_list_close(void **state)
{
	struct fx *f = *state;
	long long late = add(f, f->conv_a, DECISION_ACTION, "send the numbers", "me", T0 + 5 * HOUR);
	long long none = add(f, f->conv_a, DECISION_ACTION, "book the room", NULL, 0);
	long long soon = add(f, f->conv_b, DECISION_ACTION, "review the plan", " Ann ", T0 + HOUR);
	long long dec = add(f, f->conv_a, DECISION_DECISION, "Postgres 16", NULL, 0);
	long long q = add(f, 0, DECISION_QUESTION, "who owns it?", NULL, 0);
	struct decision_row *rows;
	size_t n;
	struct ebb_err err = {0};
	/* action items only, soonest due first, no due time last */
	assert_int_equal(store_decision_list_open(f->st, DECISION_KIND_BIT(DECISION_ACTION), NULL, 0,
						  &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].id, soon);
	assert_int_equal(rows[1].id, late);
	assert_int_equal(rows[2].id, none);
	assert_string_equal(rows[0].subject, "Budget");
	assert_string_equal(rows[1].text, "send the numbers");
	assert_string_equal(rows[1].owner, "me");
	assert_int_equal(rows[1].due_at, T0 + 5 * HOUR);
	assert_int_equal(rows[1].account_id, f->acc);
	assert_int_equal(rows[1].conversation_id, f->conv_a);
	assert_int_equal(rows[1].created_at, T0);
	assert_int_equal(rows[1].done_at, 0);
	assert_int_equal(rows[1].kind, DECISION_ACTION);
	assert_null(rows[2].owner);
	store_decision_rows_free(rows, n);
	/* mine: any case, blanks around the stored owner ignored */
	const char *const mine[] = {"ME", "ann"};
	assert_int_equal(store_decision_list_open(f->st, ~0u, mine, 2, &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, soon);
	assert_int_equal(rows[1].id, late);
	store_decision_rows_free(rows, n);
	/* every kind */
	assert_int_equal(store_decision_list_open(f->st, ~0u, NULL, 0, &rows, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(rows[4].id, q);
	assert_null(rows[4].subject);
	assert_int_equal(rows[4].conversation_id, 0);
	store_decision_rows_free(rows, n);
	/* close: gone from the open list, kept for the conversation */
	assert_int_equal(store_decision_close(f->st, late, T0 + 7 * HOUR, &err), 0);
	assert_int_equal(store_decision_close(f->st, late, T0 + 9 * HOUR, &err), 0);
	assert_int_equal(store_decision_list_open(f->st, DECISION_KIND_BIT(DECISION_ACTION), NULL, 0,
						  &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	store_decision_rows_free(rows, n);
	assert_int_equal(store_decision_list_conv(f->st, f->conv_a, &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].id, late);
	assert_int_equal(rows[0].done_at, T0 + 7 * HOUR);   /* the first close counts */
	assert_int_equal(rows[1].id, none);
	assert_int_equal(rows[2].id, dec);
	assert_int_equal(rows[2].kind, DECISION_DECISION);
	store_decision_rows_free(rows, n);
	assert_int_equal(store_decision_close(f->st, 9999, T0, &err), EBB_ENOENT);
	assert_non_null(strstr(err.msg, "9999"));
	/* a conversation that goes takes its items along */
	assert_int_equal(store_decision_list_conv(f->st, f->conv_b, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	store_decision_rows_free(rows, n);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "DELETE FROM conversation WHERE id = ?1", -1,
					    &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, f->conv_b);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	assert_int_equal(store_decision_list_conv(f->st, f->conv_b, &rows, &n, &err), 0);
	assert_int_equal(n, 0);
	store_decision_rows_free(rows, n);
}

static void test_add_refuses(void **state)
{
	struct fx *f = *state;
	struct ebb_err err = {0};
	long long id = 7;
	struct decision_new d = {.conversation_id = 4242, .kind = DECISION_ACTION, .text = "x"};
	assert_int_equal(store_decision_add(f->st, &d, T0, &id, &err), EBB_ENOENT);
	assert_non_null(strstr(err.msg, "conversation 4242 does not exist"));
	assert_int_equal(id, 0);
	d.conversation_id = f->conv_a;
	d.account_id = 99;
	assert_int_equal(store_decision_add(f->st, &d, T0, &id, &err), EBB_ENOENT);
	d.account_id = 0;
	d.text = "";
	assert_int_equal(store_decision_add(f->st, &d, T0, &id, &err), EBB_EINVAL);
	static char big[DECISION_TEXT_MAX + 2];
	memset(big, 'x', sizeof big - 1);
	d.text = big;
	assert_int_equal(store_decision_add(f->st, &d, T0, &id, &err), EBB_EINVAL);
	big[DECISION_TEXT_MAX] = '\0';   /* exactly the maximum is fine */
	assert_int_equal(store_decision_add(f->st, &d, T0, &id, &err), 0);
	d.text = "ok";
	d.owner = big;
	assert_int_equal(store_decision_add(f->st, &d, T0, &id, &err), EBB_EINVAL);
	d.owner = NULL;
	d.kind = (enum decision_kind)7;
	assert_int_equal(store_decision_add(f->st, &d, T0, &id, &err), EBB_EINVAL);
	enum decision_kind k;
	assert_int_equal(store_decision_kind_parse("Action", &k), 0);
	assert_int_equal(k, DECISION_ACTION);
	assert_int_equal(store_decision_kind_parse("todo", &k), EBB_EINVAL);
	assert_string_equal(store_decision_kind_name(DECISION_QUESTION), "question");
	assert_string_equal(store_decision_kind_name((enum decision_kind)9), "?");
}

/* ---- stats -------------------------------------------------------------- */

struct periods {
	struct store_reply_period p[16];
	char tiers[16][16];
	size_t n;
};

static int collect(void *ctx, const struct store_reply_period *p)
{
	struct periods *ps = ctx;
	if (ps->n >= 16)
		return 1;
	ps->p[ps->n] = *p;
	snprintf(ps->tiers[ps->n], sizeof ps->tiers[0], "%s", p->tier ? p->tier : "-");
	ps->n++;
	return 0;
}

static void test_periods(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	/* Storage plan (a1 at 09:00, to me): my reply at 12:00 in INBOX and its
	 * copy in Sent; then Ann Cc-only at 13:00 and to me at 14:00 (one
	 * period, owed); nothing after. */
	add_msg(&b, "INBOX", "3", "a2", "a1", "Re: Storage plan", T0 + 12 * HOUR, 1, 0);
	add_msg(&b, "Sent", "s1", "a2", "a1", "Re: Storage plan", T0 + 12 * HOUR, 1, 0);
	add_msg(&b, "INBOX", "4", "a3", "a2", "Re: Storage plan", T0 + 13 * HOUR, 0, 0);
	add_msg(&b, "INBOX", "5", "a4", "a3", "Re: Storage plan", T0 + 14 * HOUR, 0, 1);
	/* Notes: Cc-only, answered */
	add_msg(&b, "INBOX", "6", "n1", NULL, "Notes", T0 + 9 * HOUR, 0, 0);
	add_msg(&b, "INBOX", "7", "n2", "n1", "Re: Notes", T0 + 11 * HOUR, 1, 0);
	/* Old: before the window, answered inside it */
	add_msg(&b, "INBOX", "8", "o1", NULL, "Old", T0 - 20 * HOUR, 0, 1);
	add_msg(&b, "INBOX", "9", "o2", "o1", "Re: Old", T0 + 8 * HOUR, 1, 0);
	/* Late: answered after the window's end */
	add_msg(&b, "INBOX", "10", "l1", NULL, "Late", T0 + 15 * HOUR, 0, 1);
	add_msg(&b, "INBOX", "11", "l2", "l1", "Re: Late", T0 + 30 * HOUR, 1, 0);
	struct batch_channel tier = {.remote_id = (char *)"INBOX", .name = (char *)"INBOX",
				     .tier = (char *)"email"};
	assert_int_equal(batch_add_channel(&b, &tier), 0);
	struct batch_result res;
	struct ebb_err err = {0};
	assert_int_equal(store_apply_batch(f->st, f->acc, &b, NULL, NULL, &res, &err), 0);
	batch_free(&b);
	struct periods ps = {0};
	assert_int_equal(store_stats_periods(f->st, T0, T0 + 24 * HOUR, collect, &ps, &err), 0);
	/* by conversation id: Storage plan (2 periods), Budget, Notes, Late */
	assert_int_equal(ps.n, 5);
	assert_int_equal(ps.p[0].conv_id, f->conv_a);
	assert_int_equal(ps.p[0].start, T0 + 9 * HOUR);
	assert_int_equal(ps.p[0].reply_at, T0 + 12 * HOUR);   /* the copy counts once */
	assert_int_equal(ps.p[0].owed, 1);
	assert_string_equal(ps.tiers[0], "email");
	assert_int_equal(ps.p[1].start, T0 + 13 * HOUR);
	assert_int_equal(ps.p[1].reply_at, 0);
	assert_int_equal(ps.p[1].owed, 1);                   /* the 14:00 one was to me */
	assert_int_equal(ps.p[2].conv_id, f->conv_b);
	assert_int_equal(ps.p[2].reply_at, 0);
	assert_int_equal(ps.p[3].start, T0 + 9 * HOUR);      /* Notes */
	assert_int_equal(ps.p[3].reply_at, T0 + 11 * HOUR);
	assert_int_equal(ps.p[3].owed, 0);
	assert_int_equal(ps.p[4].start, T0 + 15 * HOUR);     /* Late: not answered by then */
	assert_int_equal(ps.p[4].reply_at, 0);
	/* a callback's stop comes back */
	ps.n = 16;
	assert_int_equal(store_stats_periods(f->st, T0, T0 + 24 * HOUR, collect, &ps, &err), 1);

	struct store_channel_stats *cs;
	size_t n;
	assert_int_equal(store_stats_channels(f->st, T0, T0 + 24 * HOUR, &cs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].name, "INBOX");
	assert_string_equal(cs[0].account, "work");
	assert_string_equal(cs[0].tier, "email");
	/* from others in the window: a1 b1 a3 a4 n1 l1; mine: a2 n2 o2 */
	assert_int_equal(cs[0].received, 6);
	assert_int_equal(cs[0].sent, 3);
	assert_string_equal(cs[1].name, "Sent");
	assert_int_equal(cs[1].sent, 1);
	store_stats_channels_free(cs, n);
}

struct events {
	char kinds[8][32];
	time_t at[8];
	long long conv[8];
	size_t n;
};

static int on_event(void *ctx, const struct store_event *e)
{
	struct events *ev = ctx;
	if (ev->n >= 8)
		return 5;
	snprintf(ev->kinds[ev->n], sizeof ev->kinds[0], "%s:%s", e->kind,
		 e->detail ? e->detail : "");
	ev->at[ev->n] = e->at;
	ev->conv[ev->n] = e->conv_id;
	ev->n++;
	return 0;
}

static void test_events_and_outbox(void **state)
{
	struct fx *f = *state;
	struct ebb_err err = {0};
	assert_int_equal(store_event_add(f->st, T0 + 100, "burst_start", f->conv_a, 0, "25m", &err), 0);
	assert_int_equal(store_event_add(f->st, T0 + 50, "burst_end", f->conv_b, 0, NULL, &err), 0);
	assert_int_equal(store_event_add(f->st, T0 + 60, "bursty", 0, 0, NULL, &err), 0);
	assert_int_equal(store_event_add(f->st, T0 + 70, "burst", 0, 0, NULL, &err), 0);
	assert_int_equal(store_event_add(f->st, T0 + 900, "burst_end", f->conv_a, 0, NULL, &err), 0);
	struct events ev = {0};
	assert_int_equal(store_event_walk(f->st, "burst_", T0, T0 + 900, on_event, &ev, &err), 0);
	assert_int_equal(ev.n, 2);   /* in time order; "bursty", "burst" and 900 are not */
	assert_string_equal(ev.kinds[0], "burst_end:");
	assert_int_equal(ev.conv[0], f->conv_b);
	assert_string_equal(ev.kinds[1], "burst_start:25m");
	assert_int_equal(ev.at[1], T0 + 100);
	assert_int_equal(store_event_walk(f->st, "", 0, T0, on_event, &ev, &err), EBB_EINVAL);
	struct outbox_new o = {.account_id = f->acc, .payload = "x", .payload_len = 1,
			       .release_policy = "now", .release_at = T0, .msgid = "o1@x"};
	long long id;
	assert_int_equal(store_outbox_add(f->st, &o, T0, &id, &err), 0);
	assert_int_equal(store_outbox_claim(f->st, id, T0 + 10, &err), 0);
	assert_int_equal(store_outbox_finish(f->st, id, OUTBOX_SENT, NULL, T0 + 10, &err), 0);
	assert_int_equal(store_stats_outbox_sent(f->st, T0, T0 + 11), 1);
	assert_int_equal(store_stats_outbox_sent(f->st, T0, T0 + 10), 0);
	assert_int_equal(store_stats_outbox_sent(f->st, T0 + 11, T0 + 100), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_list_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_periods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_and_outbox, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
