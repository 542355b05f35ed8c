/* Unit tests for conversation.reply_override (the user's say on whether a
 * reply is owed) and the due rule's tier precedence (sender rules first). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "ebb/sync.h"
#include "../../src/store/store_int.h"

#define HOUR 3600
#define DAY 86400
/* Monday 2026-11-23 09:00 UTC; the test config works Mon-Fri 09:00-17:00 UTC. */
#define MON_0900 ((time_t)1795424400)

static const char config_text[] =
	"[hours]\n"
	"work = Mon-Fri 09:00-17:00\n"
	"tz = UTC\n"
	"[account.a]\n"
	"kind = maildir\n"
	"path = /nonexistent\n"
	"from = me@example.com\n"
	"tier = email\n"
	"channel.Reviews = feedback\n"
	"channel.Lists = fyi\n"
	"sender.*@reviews.example.com = feedback\n"
	"sender.Boss@Example.com = urgent\n"
	"sender.*@example.com = chat\n";

struct fx {
	struct store *st;
	long long acc;
	struct ebb_config *cfg;
	struct sync_due_ctx due;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	struct ebb_err err = {0};
	if (store_open(":memory:", &f->st, &err) ||
	    store_account_ensure(f->st, "a", "maildir", &f->acc, &err) ||
	    config_load_string(config_text, strlen(config_text), "override.conf", &f->cfg, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		store_close(f->st);
		free(f);
		return -1;
	}
	f->due.cfg = f->cfg;
	f->due.acc = config_account(f->cfg, "a");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	config_free(f->cfg);
	free(f);
	return 0;
}

struct m {
	const char *chan, *rid, *sender;
	time_t at;
	int from_me, to_me;
	const char *irt;
};

/* Each message starts its own thread (a subject of its own) unless it
 * replies to another with irt. */
static void add(struct store_batch *b, struct m x)
{
	char msgid[64], subject[64];
	snprintf(msgid, sizeof msgid, "%s@test", x.rid);
	snprintf(subject, sizeof subject, "Thread %s", x.rid);
	struct batch_msg m = {
		.channel = (char *)(x.chan ? x.chan : "INBOX"),
		.remote_id = (char *)x.rid,
		.msgid = msgid,
		.in_reply_to = (char *)x.irt,
		.sender = (char *)x.sender,
		.subject = subject,
		.sent_at = x.at,
		.from_me = x.from_me,
		.to_me = x.to_me,
	};
	assert_int_equal(batch_add_msg(b, &m), 0);
}

static void apply(struct fx *f, struct store_batch *b, store_due_fn due, void *ctx)
{
	struct ebb_err err = {0};
	struct batch_result res;
	int rc = store_apply_batch(f->st, f->acc, b, due, ctx, &res, &err);
	if (rc)
		fprintf(stderr, "apply: %s\n", err.msg);
	assert_int_equal(rc, 0);
	batch_free(b);   /* empty and reusable, nothing left allocated */
}

static long long conv_of(struct fx *f, const char *rid)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db,
					    "SELECT conversation_id FROM message WHERE remote_id = ?1",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, rid, -1, SQLITE_STATIC);
	long long id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	assert_true(id > 0);
	return id;
}

/* override: -1 = NULL (the rule decides), else 0 or 1. */
static void set_override(struct fx *f, long long conv, int override)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db,
					    "UPDATE conversation SET reply_override = ?2 WHERE id = ?1",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(s, 1, conv);
	if (override >= 0)
		sqlite3_bind_int(s, 2, override);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static void recompute(struct fx *f, store_due_fn due, void *ctx)
{
	struct ebb_err err = {0};
	int rc = store_recompute_due(f->st, f->acc, due, ctx, &err);
	if (rc)
		fprintf(stderr, "recompute: %s\n", err.msg);
	assert_int_equal(rc, 0);
}

static struct conv_row get(struct fx *f, long long id)
{
	struct conv_row r;
	struct ebb_err err = {0};
	assert_int_equal(store_conv_get(f->st, id, &r, &err), 0);
	return r;
}

/* What the rule was asked, for the conversation under test. */
struct asked {
	long long conv;
	int calls;
	int forced;
	time_t waiting_since;
};

static void recording_due(void *ctx, const struct conv_facts *fc, struct conv_due *out)
{
	struct asked *a = ctx;
	if (fc->conv_id == a->conv) {
		a->calls++;
		a->forced = fc->reply_forced;
		a->waiting_since = fc->waiting_since;
	}
	/* A rule that knows nothing of the override: owed only by the rule. */
	out->needs_reply = policy_needs_reply(fc->last_from_me, fc->addressed_to_me,
					      fc->is_direct);
	out->due_at = out->needs_reply ? fc->waiting_since + HOUR : 0;
}

/* ---- the override ------------------------------------------------------ */

/* I answered last, so the rule owes nothing; the user says a reply is owed:
 * it is due from my last message by the tier's target (email, 2 days). */
static void test_forced_after_my_reply(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .sender = "bob@other.org", .at = MON_0900, .to_me = 1});
	add(&b, (struct m){.rid = "2", .sender = "me@example.com", .at = MON_0900 + HOUR,
			   .from_me = 1, .irt = "1@test"});
	apply(f, &b, sync_due, &f->due);
	long long id = conv_of(f, "1");
	struct conv_row r = get(f, id);
	assert_int_equal(r.needs_reply, 0);
	assert_int_equal(r.due_at, 0);
	int64_t free_key = r.sort_key;
	store_conv_row_clear(&r);

	set_override(f, id, 1);
	struct asked asked = {.conv = id};
	recompute(f, recording_due, &asked);
	assert_int_equal(asked.calls, 1);
	assert_int_equal(asked.forced, 1);
	/* nothing from others waits: the clock starts at the last message */
	assert_int_equal(asked.waiting_since, MON_0900 + HOUR);
	r = get(f, id);
	/* the store honours it even when the rule does not: owed, but a rule
	 * that ignores reply_forced gives no due time */
	assert_int_equal(r.needs_reply, 1);
	assert_int_equal(r.due_at, 0);
	store_conv_row_clear(&r);

	recompute(f, sync_due, &f->due);
	r = get(f, id);
	assert_int_equal(r.needs_reply, 1);
	/* Mon 10:00 + 16 working hours (2 days of 8h) = Wed 10:00 */
	assert_int_equal(r.due_at, MON_0900 + HOUR + 2 * DAY);
	assert_int_equal(r.sort_key, r.due_at);  /* the due view's key follows */
	assert_true(r.sort_key < free_key);
	assert_string_equal(r.tier, "email");
	store_conv_row_clear(&r);

	/* Back to the rule: no longer owed. */
	set_override(f, id, -1);
	asked = (struct asked){.conv = id};
	recompute(f, recording_due, &asked);
	assert_int_equal(asked.forced, 0);
	assert_int_equal(asked.waiting_since, 0);
	r = get(f, id);
	assert_int_equal(r.needs_reply, 0);
	assert_int_equal(r.due_at, 0);
	assert_int_equal(r.sort_key, free_key);
	store_conv_row_clear(&r);
}

/* The rule owes a reply; the user says no: not owed, no due time, sorted with
 * the rest, and it stays so when a new message arrives. */
static void test_not_owed_wins_over_rule(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .sender = "bob@other.org", .at = MON_0900 + 2 * HOUR,
			   .to_me = 1});
	apply(f, &b, sync_due, &f->due);
	long long id = conv_of(f, "1");
	struct conv_row r = get(f, id);
	assert_int_equal(r.needs_reply, 1);
	assert_int_equal(r.due_at, MON_0900 + 2 * HOUR + 2 * DAY);
	store_conv_row_clear(&r);

	set_override(f, id, 0);
	recompute(f, sync_due, &f->due);
	r = get(f, id);
	assert_int_equal(r.needs_reply, 0);
	assert_int_equal(r.due_at, 0);
	assert_int_equal(r.sort_key, store_due_sort_key(0, 0, MON_0900 + 2 * HOUR));
	store_conv_row_clear(&r);

	add(&b, (struct m){.rid = "2", .sender = "bob@other.org", .at = MON_0900 + 3 * HOUR,
			   .to_me = 1, .irt = "1@test"});
	apply(f, &b, sync_due, &f->due);
	r = get(f, id);
	assert_int_equal(r.messages, 2);
	assert_int_equal(r.needs_reply, 0);
	assert_int_equal(r.due_at, 0);
	assert_int_equal(r.sort_key, store_due_sort_key(0, 0, MON_0900 + 3 * HOUR));
	store_conv_row_clear(&r);

	set_override(f, id, -1);
	recompute(f, sync_due, &f->due);
	r = get(f, id);
	assert_int_equal(r.needs_reply, 1);
	assert_int_equal(r.due_at, MON_0900 + 2 * HOUR + 2 * DAY);  /* from the first waiting one */
	store_conv_row_clear(&r);
}

/* Forced while others' messages wait that were not addressed to me (Cc):
 * the clock starts at the first of them, not at the last message. */
static void test_forced_counts_from_waiting_since(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .sender = "me@example.com", .at = MON_0900, .from_me = 1});
	add(&b, (struct m){.rid = "2", .sender = "carol@other.org", .at = MON_0900 + 3 * HOUR,
			   .irt = "1@test"});
	add(&b, (struct m){.rid = "3", .sender = "carol@other.org", .at = MON_0900 + 5 * HOUR,
			   .irt = "1@test"});
	apply(f, &b, sync_due, &f->due);
	long long id = conv_of(f, "1");
	struct conv_row r = get(f, id);
	assert_int_equal(r.needs_reply, 0);
	store_conv_row_clear(&r);
	set_override(f, id, 1);
	struct asked asked = {.conv = id};
	recompute(f, recording_due, &asked);
	assert_int_equal(asked.waiting_since, MON_0900 + 3 * HOUR);
	recompute(f, sync_due, &f->due);
	r = get(f, id);
	assert_int_equal(r.needs_reply, 1);
	assert_int_equal(r.due_at, MON_0900 + 3 * HOUR + 2 * DAY);
	store_conv_row_clear(&r);
}

/* Without a due rule the store still honours the override (no due time). */
static void test_override_without_rule(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .sender = "me@example.com", .at = MON_0900, .from_me = 1});
	add(&b, (struct m){.rid = "2", .sender = "dan@other.org", .at = MON_0900 + HOUR,
			   .to_me = 1});
	apply(f, &b, NULL, NULL);
	long long mine = conv_of(f, "1"), theirs = conv_of(f, "2");
	assert_true(mine != theirs);
	set_override(f, mine, 1);
	set_override(f, theirs, 0);
	recompute(f, NULL, NULL);
	struct conv_row r = get(f, mine);
	assert_int_equal(r.needs_reply, 1);
	assert_int_equal(r.due_at, 0);
	store_conv_row_clear(&r);
	r = get(f, theirs);
	assert_int_equal(r.needs_reply, 0);
	store_conv_row_clear(&r);
}

/* Forced conversations take their place in the due view by due time. */
static void test_due_view_order(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	/* a: owed by the rule, due Wed 17:00 (Tue 09:00 + 16h); b: mine last,
	 * forced, due Tue 17:00 (Mon 09:00 + 16h); c: owed, overridden to no. */
	add(&b, (struct m){.rid = "a1", .sender = "ann@other.org", .at = MON_0900 + DAY,
			   .to_me = 1});
	add(&b, (struct m){.rid = "b1", .sender = "me@example.com", .at = MON_0900, .from_me = 1});
	add(&b, (struct m){.rid = "c1", .sender = "cy@other.org", .at = MON_0900 + 4 * HOUR,
			   .to_me = 1});
	apply(f, &b, sync_due, &f->due);
	long long a = conv_of(f, "a1"), bb = conv_of(f, "b1"), c = conv_of(f, "c1");
	set_override(f, bb, 1);
	set_override(f, c, 0);
	recompute(f, sync_due, &f->due);
	struct conv_row *rows;
	size_t n;
	struct ebb_err err = {0};
	assert_int_equal(store_conv_list(f->st, VIEW_DUE, NULL, 10, &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].id, bb);
	assert_int_equal(rows[0].due_at, MON_0900 + DAY + 8 * HOUR);
	assert_int_equal(rows[1].id, a);
	assert_int_equal(rows[1].due_at, MON_0900 + 2 * DAY + 8 * HOUR);
	assert_int_equal(rows[2].id, c);
	assert_int_equal(rows[2].needs_reply, 0);
	store_conv_rows_free(rows, n);
}

/* ---- tier precedence in sync_due ------------------------------------- */

static const char *tier_of(struct fx *f, long long id, time_t *due)
{
	static char tier[32];
	struct conv_row r = get(f, id);
	snprintf(tier, sizeof tier, "%s", r.tier ? r.tier : "(null)");
	*due = r.due_at;
	store_conv_row_clear(&r);
	return tier;
}

static void add_channel(struct store_batch *b, const char *name, const char *tier)
{
	struct batch_channel c = {.remote_id = (char *)name, .name = (char *)name,
				  .tier = (char *)tier};
	assert_int_equal(batch_add_channel(b, &c), 0);
}

static void test_sender_rules(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	/* sync stores each channel's resolved tier (channel rule or account tier) */
	add_channel(&b, "INBOX", "email");
	add_channel(&b, "Lists", "fyi");
	add_channel(&b, "Reviews", "feedback");
	add(&b, (struct m){.rid = "boss", .sender = "boss@example.com", .at = MON_0900, .to_me = 1});
	add(&b, (struct m){.chan = "Lists", .rid = "bosslist", .sender = "BOSS@example.com",
			   .at = MON_0900, .to_me = 1});
	add(&b, (struct m){.rid = "rev", .sender = "ci@reviews.example.com", .at = MON_0900,
			   .to_me = 1});
	add(&b, (struct m){.rid = "colleague", .sender = "kim@example.com", .at = MON_0900,
			   .to_me = 1});
	add(&b, (struct m){.chan = "Reviews", .rid = "outsider", .sender = "x@other.org",
			   .at = MON_0900, .to_me = 1});
	add(&b, (struct m){.rid = "plain", .sender = "y@other.org", .at = MON_0900, .to_me = 1});
	add(&b, (struct m){.rid = "sub", .sender = "z@sub.example.com.evil.org", .at = MON_0900,
			   .to_me = 1});
	apply(f, &b, sync_due, &f->due);
	time_t due;
	/* the exact address beats the glob that comes after it in the file */
	assert_string_equal(tier_of(f, conv_of(f, "boss"), &due), "urgent");
	assert_int_equal(due, MON_0900 + HOUR);
	/* a sender rule beats the channel rule (Lists = fyi) */
	assert_string_equal(tier_of(f, conv_of(f, "bosslist"), &due), "urgent");
	assert_int_equal(due, MON_0900 + HOUR);
	/* the first matching glob in file order */
	assert_string_equal(tier_of(f, conv_of(f, "rev"), &due), "feedback");
	assert_int_equal(due, MON_0900 + 8 * HOUR);
	assert_string_equal(tier_of(f, conv_of(f, "colleague"), &due), "chat");
	assert_int_equal(due, MON_0900 + 4 * HOUR);
	/* no sender rule: the channel rule, then the account's tier */
	assert_string_equal(tier_of(f, conv_of(f, "outsider"), &due), "feedback");
	assert_string_equal(tier_of(f, conv_of(f, "plain"), &due), "email");
	assert_int_equal(due, MON_0900 + DAY + 8 * HOUR);
	assert_string_equal(tier_of(f, conv_of(f, "sub"), &due), "email");
	batch_free(&b);
}

/* My reply makes me the last sender: the rule of the channel applies again. */
static void test_sender_rule_follows_last_sender(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add_channel(&b, "INBOX", "email");
	add(&b, (struct m){.rid = "1", .sender = "boss@example.com", .at = MON_0900, .to_me = 1});
	apply(f, &b, sync_due, &f->due);
	time_t due;
	long long id = conv_of(f, "1");
	assert_string_equal(tier_of(f, id, &due), "urgent");
	add(&b, (struct m){.rid = "2", .sender = "me@example.com", .at = MON_0900 + 1800,
			   .from_me = 1, .irt = "1@test"});
	apply(f, &b, sync_due, &f->due);
	/* me@example.com matches *@example.com too, but nothing of mine waits
	 * for a reply: the channel's tier */
	assert_string_equal(tier_of(f, id, &due), "email");
	assert_int_equal(due, 0);
	batch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forced_after_my_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_owed_wins_over_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_counts_from_waiting_since, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_override_without_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_view_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_rule_follows_last_sender, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
