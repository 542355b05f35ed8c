/* Unit tests for the List-Id of stored messages: migration 3 keeps what a
 * version 2 database holds, the batch stores the id (NULL when absent),
 * and the due rule ranks by list.ID = TIER after sender rules and before
 * channel rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "ebb/sync.h"
#include "store/schema.h"
#include "store/store_int.h"

#define T0 ((time_t)1795424400)   /* Mon 2026-11-23 09:00 UTC */
#define HOUR 3600

static const char conf[] =
	"[hours]\ntz = UTC\nwork = Mon-Fri 09:00-17:00\n"
	"[account.work]\nkind = maildir\npath = /nonexistent\nme = me@example.com\n"
	"channel.Lists = feedback\n"
	"sender.boss@example.com = urgent\n"
	"list.dev.example.org = fyi\n"
	"list.OPS.example.org = chat\n";

struct fx {
	char dir[64];
	char path[128];
	struct store *st;
	struct ebb_config *cfg;
	long long acc;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/ebb-listid-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/ebb.db", f->dir);
	struct ebb_err err = {0};
	if (config_load_string(conf, strlen(conf), "test.conf", &f->cfg, &err) ||
	    store_open(f->path, &f->st, &err) ||
	    store_account_ensure(f->st, "work", "maildir", &f->acc, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static void unlink_db(const char *path)
{
	const char *suffix[] = {"", "-wal", "-shm"};
	char p[200];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	config_free(f->cfg);
	unlink_db(f->path);
	char p[160];
	snprintf(p, sizeof p, "%s/v2.db", f->dir);
	unlink_db(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

struct m {
	const char *chan, *rid, *msgid, *irt, *sender, *list_id, *subject;
	time_t at;
	int from_me, to_me;
};

static void add(struct store_batch *b, struct m x)
{
	struct batch_msg m = {
		.channel = (char *)(x.chan ? x.chan : "INBOX"),
		.remote_id = (char *)x.rid,
		.msgid = (char *)x.msgid,
		.in_reply_to = (char *)x.irt,
		.sender = (char *)(x.sender ? x.sender : "ann@example.org"),
		.subject = (char *)(x.subject ? x.subject : x.rid),
		.list_id = (char *)x.list_id,
		.sent_at = x.at,
		.from_me = x.from_me,
		.to_me = x.to_me,
	};
	assert_int_equal(batch_add_msg(b, &m), 0);
}

static void add_chan(struct store_batch *b, const char *name, const char *tier)
{
	struct batch_channel c = {.remote_id = (char *)name, .name = (char *)name,
				  .tier = (char *)tier};
	assert_int_equal(batch_add_channel(b, &c), 0);
}

static void apply(struct fx *f, struct store_batch *b)
{
	struct sync_due_ctx due = {.cfg = f->cfg, .acc = &f->cfg->accounts[0]};
	struct batch_result res;
	struct ebb_err err = {0};
	int rc = store_apply_batch(f->st, f->acc, b, sync_due, &due, &res, &err);
	if (rc)
		fprintf(stderr, "apply: %s\n", err.msg);
	assert_int_equal(rc, 0);
	batch_reset(b);
}

/* The stored list_id of a message by remote id: NULL as "(null)". */
static void list_id_of(struct fx *f, const char *rid, char *out, size_t outsz)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db,
					    "SELECT coalesce(list_id, '(null)') FROM message"
					    " WHERE remote_id = ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, rid, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

/* Tier, needs_reply and due_at of the conversation of a message. */
struct got {
	char tier[32];
	int needs_reply;
	time_t due_at;
};

static struct got conv_of(struct fx *f, const char *rid)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db,
					    "SELECT coalesce(c.tier, '(null)'), c.needs_reply, c.due_at"
					    " FROM conversation c JOIN message m"
					    " ON m.conversation_id = c.id WHERE m.remote_id = ?1",
					    -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, rid, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	struct got g;
	snprintf(g.tier, sizeof g.tier, "%s", (const char *)sqlite3_column_text(s, 0));
	g.needs_reply = sqlite3_column_int(s, 1);
	g.due_at = (time_t)sqlite3_column_int64(s, 2);
	sqlite3_finalize(s);
	return g;
}

/* A database written by schema 2, with a conversation and its message,
 * opens under schema 3 with both kept and list_id NULL. */
static void test_migrate_from_v2(void **state)
{
	struct fx *f = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/v2.db", f->dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(store_migrations[0].version, 1);
	assert_int_equal(store_migrations[1].version, 2);
	assert_int_equal(sqlite3_exec(db, store_migrations[0].sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, store_migrations[1].sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 2;"
				      "INSERT INTO account(name, kind) VALUES('old', 'maildir');"
				      "INSERT INTO channel(account_id, remote_id, name, tier)"
				      " VALUES(1, 'INBOX', 'INBOX', 'email');"
				      "INSERT INTO conversation(account_id, channel_id, thread_key,"
				      " subject, last_at, messages, needs_reply, due_at, tier)"
				      " VALUES(1, 1, 'm:old@x', 'Old news', 1700000000, 1, 1,"
				      " 1700003600, 'email');"
				      "INSERT INTO message(channel_id, remote_id, conversation_id, msgid,"
				      " sender, subject, sent_at, to_me)"
				      " VALUES(1, 'r1', 1, 'old@x', 'ann@example.org', 'Old news',"
				      " 1700000000, 1);",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct store *st = NULL;
	struct ebb_err err = {0};
	assert_int_equal(store_open(path, &st, &err), 0);
	assert_int_equal(store_schema_version(st), 3);
	assert_int_equal(STORE_SCHEMA_VERSION, 3);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(st->db,
					    "SELECT m.msgid, m.sender, m.to_me, m.list_id IS NULL,"
					    " c.subject, c.due_at, c.tier FROM message m"
					    " JOIN conversation c ON c.id = m.conversation_id",
					    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "old@x");
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "ann@example.org");
	assert_int_equal(sqlite3_column_int(s, 2), 1);
	assert_int_equal(sqlite3_column_int(s, 3), 1);
	assert_string_equal((const char *)sqlite3_column_text(s, 4), "Old news");
	assert_int_equal(sqlite3_column_int64(s, 5), 1700003600);
	assert_string_equal((const char *)sqlite3_column_text(s, 6), "email");
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	assert_int_equal(store_check(st, &err), 0);
	/* The migrated file takes a list message like a new one. */
	struct store_batch b = {0};
	struct batch_msg m = {.channel = (char *)"INBOX", .remote_id = (char *)"r2",
			      .msgid = (char *)"new@x", .sender = (char *)"bob@example.org",
			      .subject = (char *)"New", .list_id = (char *)"dev.example.org",
			      .sent_at = 1700007200};
	assert_int_equal(batch_add_msg(&b, &m), 0);
	struct batch_result res;
	assert_int_equal(store_apply_batch(st, 1, &b, NULL, NULL, &res, &err), 0);
	assert_int_equal(res.inserted, 1);
	batch_free(&b);
	long long n = -1;
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT count(*) FROM message WHERE"
					    " list_id = 'dev.example.org'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	assert_int_equal(n, 1);
	store_close(st);
}

static void test_batch_stores_list_id(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "l1", .msgid = "l1@x", .list_id = "dev.example.org", .at = T0});
	add(&b, (struct m){.rid = "d1", .msgid = "d1@x", .at = T0});
	add(&b, (struct m){.rid = "e1", .msgid = "e1@x", .list_id = "", .at = T0});
	apply(f, &b);
	batch_free(&b);
	char got[64];
	list_id_of(f, "l1", got, sizeof got);
	assert_string_equal(got, "dev.example.org");
	list_id_of(f, "d1", got, sizeof got);
	assert_string_equal(got, "(null)");
	list_id_of(f, "e1", got, sizeof got);
	assert_string_equal(got, "(null)");   /* "" is no list either */
}

/* list.dev = fyi (no target): a list mail to me gets no due time; the same
 * mail without the list is owed by the channel's tier. */
static void test_list_rule_applies(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "dev", .msgid = "dev@x", .list_id = "dev.example.org",
			   .to_me = 1, .at = T0});
	add(&b, (struct m){.rid = "ops", .msgid = "ops@x", .list_id = "ops.example.org",
			   .to_me = 1, .at = T0});
	add(&b, (struct m){.rid = "direct", .msgid = "direct@x", .to_me = 1, .at = T0});
	add(&b, (struct m){.rid = "other", .msgid = "other@x", .list_id = "other.example.org",
			   .to_me = 1, .at = T0});
	apply(f, &b);
	batch_free(&b);
	struct got g = conv_of(f, "dev");
	assert_string_equal(g.tier, "fyi");
	assert_int_equal(g.due_at, 0);
	g = conv_of(f, "ops");                 /* the rule's case differs: still matches */
	assert_string_equal(g.tier, "chat");
	assert_int_equal(g.needs_reply, 1);
	assert_int_equal(g.due_at, T0 + 4 * HOUR);
	g = conv_of(f, "direct");
	assert_string_equal(g.tier, "email");
	assert_int_equal(g.needs_reply, 1);
	assert_int_equal(g.due_at, T0 + 32 * HOUR);   /* 2d: all of Monday and Tuesday */
	g = conv_of(f, "other");               /* no rule for that list */
	assert_string_equal(g.tier, "email");
	assert_int_equal(g.due_at, T0 + 32 * HOUR);
}

/* Sender rule > list rule > channel rule. */
static void test_precedence(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add_chan(&b, "Lists", "feedback");
	add(&b, (struct m){.chan = "Lists", .rid = "boss", .msgid = "boss@x",
			   .sender = "boss@example.com", .list_id = "dev.example.org",
			   .to_me = 1, .at = T0});
	add(&b, (struct m){.chan = "Lists", .rid = "ann", .msgid = "ann@x",
			   .list_id = "dev.example.org", .to_me = 1, .at = T0});
	add(&b, (struct m){.chan = "Lists", .rid = "nolist", .msgid = "nolist@x",
			   .to_me = 1, .at = T0});
	apply(f, &b);
	batch_free(&b);
	struct got g = conv_of(f, "boss");
	assert_string_equal(g.tier, "urgent");
	assert_int_equal(g.due_at, T0 + HOUR);
	g = conv_of(f, "ann");
	assert_string_equal(g.tier, "fyi");
	assert_int_equal(g.due_at, 0);
	g = conv_of(f, "nolist");
	assert_string_equal(g.tier, "feedback");
	assert_int_equal(g.due_at, T0 + 8 * HOUR);
}

/* The rule follows the last message from others: my answer (no List-Id in
 * my copy) keeps the list's tier; an off-list reply from someone else to me
 * drops it. */
static void test_follows_last_from_others(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "a1", .msgid = "a1@x", .subject = "Build broken",
			   .list_id = "dev.example.org", .to_me = 1, .at = T0});
	add(&b, (struct m){.rid = "a2", .msgid = "a2@x", .irt = "a1@x", .subject = "Re: Build broken",
			   .sender = "me@example.com", .from_me = 1, .at = T0 + HOUR});
	apply(f, &b);
	struct got g = conv_of(f, "a1");
	assert_string_equal(g.tier, "fyi");
	assert_int_equal(g.needs_reply, 0);
	add(&b, (struct m){.rid = "a3", .msgid = "a3@x", .irt = "a2@x", .subject = "Re: Build broken",
			   .sender = "kim@example.org", .to_me = 1, .at = T0 + 2 * HOUR});
	apply(f, &b);
	batch_free(&b);
	g = conv_of(f, "a1");
	assert_string_equal(g.tier, "email");
	assert_int_equal(g.needs_reply, 1);
	assert_int_equal(g.due_at, T0 + 2 * HOUR + 48 * HOUR);   /* Wednesday 11:00 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_from_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_stores_list_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_rule_applies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follows_last_from_others, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
