/* Unit tests for store/: opening and refusing files, migrations, the batch
 * writer and threading, triage, views with keyset paging, search, flags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ebb/store.h"
#include "../../src/store/store_int.h"
#include "store/schema.h"

#define T0 ((time_t)1700000000)
#define DAY 86400

struct fx {
	char dir[64];
	char path[128];
	struct store *st;
	long long acc;
};

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[600];
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/ebb-store-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/ebb.db", f->dir);
	struct ebb_err err = {0};
	if (store_open(f->path, &f->st, &err) ||
	    store_account_ensure(f->st, "work", "imap", &f->acc, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		store_close(f->st);
		remove_dir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	remove_dir(f->dir);
	free(f);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

struct m {
	const char *chan, *rid, *msgid, *irt, *refs, *hint, *subject, *sender, *body;
	time_t at;
	int from_me, to_me;
	unsigned flags;
};

static void add(struct store_batch *b, struct m x)
{
	struct batch_msg m = {
		.channel = (char *)(x.chan ? x.chan : "INBOX"),
		.remote_id = (char *)x.rid,
		.flags = x.flags,
		.msgid = (char *)x.msgid,
		.in_reply_to = (char *)x.irt,
		.refs = (char *)x.refs,
		.thread_hint = (char *)x.hint,
		.sender = (char *)(x.sender ? x.sender : (x.from_me ? "me@example.com"
								    : "bob@example.com")),
		.sender_name = (char *)(x.from_me ? "Me" : "Bob"),
		.subject = (char *)x.subject,
		.sent_at = x.at,
		.body = (char *)x.body,
		.from_me = x.from_me,
		.to_me = x.to_me,
	};
	assert_int_equal(batch_add_msg(b, &m), 0);
}

static void add_chan(struct store_batch *b, const char *remote, int is_direct, const char *tier,
		     int reset)
{
	struct batch_channel c = {
		.remote_id = (char *)remote,
		.name = (char *)remote,
		.is_direct = is_direct,
		.tier = (char *)tier,
		.cursor = (char *)"cur-1",
		.uidvalidity = 42,
		.reset = reset,
	};
	assert_int_equal(batch_add_channel(b, &c), 0);
}

static struct batch_result apply(struct fx *f, struct store_batch *b, store_due_fn due,
				 void *ctx)
{
	struct batch_result res;
	struct ebb_err err = {0};
	int rc = store_apply_batch(f->st, f->acc, b, due, ctx, &res, &err);
	if (rc)
		fprintf(stderr, "apply: %s\n", err.msg);
	assert_int_equal(rc, 0);
	batch_reset(b);
	return res;
}

/* The conversation a message (by channel and remote id) belongs to. */
static long long conv_of(struct fx *f, const char *chan, const char *rid)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db,
					    "SELECT m.conversation_id FROM message m JOIN channel c"
					    " ON c.id = m.channel_id WHERE c.remote_id = ?1"
					    " AND m.remote_id = ?2",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, chan, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rid, -1, SQLITE_STATIC);
	long long id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	assert_true(id > 0);
	return id;
}

static long long query_ll(struct fx *f, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	long long v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static struct conv_row get(struct fx *f, long long id)
{
	struct conv_row r;
	struct ebb_err err = {0};
	assert_int_equal(store_conv_get(f->st, id, &r, &err), 0);
	return r;
}

static enum conv_state state_of(struct fx *f, long long id)
{
	struct conv_row r = get(f, id);
	enum conv_state s = r.state;
	store_conv_row_clear(&r);
	return s;
}

static int messages_of(struct fx *f, long long id)
{
	struct conv_row r = get(f, id);
	int n = r.messages;
	store_conv_row_clear(&r);
	return n;
}

static char *read_all(const char *path, size_t *len)
{
	char *data = NULL;
	struct ebb_err err = {0};
	assert_int_equal(util_read_file(path, 64 << 20, &data, len, &err), 0);
	return data;
}

static void write_all(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* A due rule for tests: owed when to me or direct, due one hour after the
 * first unanswered message; remembers the facts it saw. */
struct due_log {
	int calls;
	long long conv;
	struct conv_facts f;
	char channel[64], tier[64], sender[64];
	long target;
};

static void test_due(void *ctx, const struct conv_facts *f, struct conv_due *out)
{
	struct due_log *log = ctx;
	log->calls++;
	log->conv = f->conv_id;
	log->f = *f;
	snprintf(log->channel, sizeof log->channel, "%s", f->channel ? f->channel : "");
	snprintf(log->tier, sizeof log->tier, "%s", f->channel_tier ? f->channel_tier : "");
	snprintf(log->sender, sizeof log->sender, "%s", f->last_sender ? f->last_sender : "");
	out->needs_reply = !f->last_from_me && (f->addressed_to_me || f->is_direct);
	out->due_at = out->needs_reply ? f->waiting_since + (log->target ? log->target : 3600) : 0;
	out->tier = f->channel_tier ? f->channel_tier : "email";
}

/* ---- opening ---------------------------------------------------------- */

static void test_create_reopen_mode(void **state)
{
	struct fx *f = *state;
	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
	struct stat sb;
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char wal[160];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	if (stat(wal, &sb) == 0)
		assert_int_equal(sb.st_mode & 0777, 0600);
	long long acc = f->acc;
	store_close(f->st);
	f->st = NULL;
	struct ebb_err err = {0};
	assert_int_equal(store_open(f->path, &f->st, &err), 0);
	long long again = 0;
	assert_int_equal(store_account_ensure(f->st, "work", "imap", &again, &err), 0);
	assert_int_equal(again, acc);
	long long other = 0;
	assert_int_equal(store_account_ensure(f->st, "home", "maildir", &other, &err), 0);
	assert_int_not_equal(other, acc);
	assert_int_equal(store_check(f->st, &err), 0);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "PRAGMA journal_mode", -1, &s, NULL), 0);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	assert_int_equal(query_ll(f, "PRAGMA foreign_keys"), 1);
}

static void test_migrate_empty_file(void **state)
{
	struct fx *f = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/empty.db", f->dir);
	write_all(path, "", 0);
	struct store *st = NULL;
	struct ebb_err err = {0};
	assert_int_equal(store_open(path, &st, &err), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_conv_count(st, VIEW_ALL), 0);
	assert_int_equal(store_check(st, &err), 0);
	store_close(st);
	assert_int_equal(store_open(":memory:", &st, &err), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	/* A missing directory is a clear error, not a crash. */
	snprintf(path, sizeof path, "%s/no/such/dir.db", f->dir);
	assert_int_equal(store_open(path, &st, &err), EBB_ENOENT);
	assert_null(st);
	assert_non_null(strstr(err.msg, "directory"));
	/* Read-only opening of a missing file. */
	assert_int_equal(store_open_readonly(path, &st, &err), EBB_ENOENT);
}

static void test_newer_version_refused(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	f->st = NULL;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	size_t before_len, after_len;
	char *before = read_all(f->path, &before_len);
	struct ebb_err err = {0};
	struct store *st = NULL;
	assert_int_equal(store_open(f->path, &st, &err), EBB_EVERSION);
	assert_null(st);
	char want[80];
	snprintf(want, sizeof want, "newer ebb (schema 7, this ebb knows %d)", STORE_SCHEMA_VERSION);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(store_open_readonly(f->path, &st, &err), EBB_EVERSION);
	char *after = read_all(f->path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

/* Opens path expecting a refusal that leaves the bytes alone. */
static void expect_refused(const char *path)
{
	size_t before_len, after_len;
	char *before = read_all(path, &before_len);
	struct store *st = NULL;
	struct ebb_err err = {0};
	assert_int_equal(store_open(path, &st, &err), EBB_ECORRUPT);
	assert_null(strchr(err.msg, '\n'));
	assert_null(st);
	assert_non_null(strstr(err.msg, "is not an ebb database or is damaged"));
	assert_non_null(strstr(err.msg, "left untouched"));
	char *after = read_all(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

static void fill_messages(struct fx *f, int n)
{
	struct store_batch b = {0};
	char rid[32], msgid[64], subject[64];
	char body[300];
	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	for (int i = 0; i < n; i++) {
		snprintf(rid, sizeof rid, "%d", i + 1);
		snprintf(msgid, sizeof msgid, "fill%d@example.com", i);
		snprintf(subject, sizeof subject, "filler number %d", i);
		add(&b, (struct m){.rid = rid, .msgid = msgid, .subject = subject, .body = body,
				   .at = T0 + i});
	}
	apply(f, &b, NULL, NULL);
	batch_free(&b);
}

static void test_corrupt_refused(void **state)
{
	struct fx *f = *state;
	char path[160];
	/* Random bytes. */
	snprintf(path, sizeof path, "%s/random.db", f->dir);
	unsigned char junk[8192];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	write_all(path, junk, sizeof junk);
	expect_refused(path);
	/* A text file. */
	snprintf(path, sizeof path, "%s/notes.txt", f->dir);
	const char *text = "[hours]\nwork = Mon-Fri 09:00-17:30\n";
	write_all(path, text, strlen(text));
	expect_refused(path);
	/* Another program's SQLite database. */
	snprintf(path, sizeof path, "%s/other.db", f->dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	expect_refused(path);

	/* A real database cut short, at a page boundary and in a page. */
	fill_messages(f, 300);
	store_close(f->st);
	f->st = NULL;
	size_t len;
	char *real = read_all(f->path, &len);
	assert_true(len >= 16 * 4096);
	snprintf(path, sizeof path, "%s/cut.db", f->dir);
	write_all(path, real, (len / 2) & ~(size_t)4095);
	expect_refused(path);
	write_all(path, real, len / 2 + 100);
	expect_refused(path);
	/* Damaged pages inside a file of the right length: opening writes
	 * nothing, and store_check finds the damage. */
	char *damaged = malloc(len);
	assert_non_null(damaged);
	memcpy(damaged, real, len);
	for (size_t i = 2 * 4096; i < 6 * 4096; i++)
		damaged[i] = (char)junk[i % sizeof junk];
	snprintf(path, sizeof path, "%s/damaged.db", f->dir);
	write_all(path, damaged, len);
	struct store *st = NULL;
	struct ebb_err err = {0};
	assert_int_equal(store_open(path, &st, &err), 0);
	assert_int_equal(store_check(st, &err), EBB_ECORRUPT);
	assert_non_null(strstr(err.msg, "is damaged: "));
	assert_null(strchr(err.msg, '\n'));
	store_close(st);
	size_t after_len;
	char *after = read_all(path, &after_len);
	assert_int_equal(after_len, len);
	assert_memory_equal(after, damaged, len);
	free(after);
	free(damaged);
	free(real);
	/* The original still opens. */
	assert_int_equal(store_open(f->path, &f->st, &err), 0);
}

/* ---- batches and threading -------------------------------------------- */

static void test_batch_idempotent(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	for (int round = 0; round < 2; round++) {
		add_chan(&b, "INBOX", 0, "email", 0);
		add(&b, (struct m){.rid = "1", .msgid = "a@x", .subject = "Plan", .at = T0,
				   .to_me = 1});
		add(&b, (struct m){.rid = "2", .msgid = "b@x", .irt = "a@x", .refs = "a@x",
				   .subject = "Re: Plan", .at = T0 + 60, .from_me = 1,
				   .flags = MSG_SEEN});
		add(&b, (struct m){.rid = "3", .msgid = "c@x", .subject = "Lunch", .at = T0 + 120});
		assert_non_null(batch_channel_find(&b, "INBOX"));
		assert_null(batch_channel_find(&b, "Sent"));
		struct batch_result r = apply(f, &b, NULL, NULL);
		assert_int_equal(r.inserted, round ? 0 : 3);
		assert_int_equal(r.updated, 0);
		assert_int_equal(r.removed, 0);
		assert_int_equal(r.conversations, round ? 0 : 2);
	}
	batch_free(&b);
	assert_int_equal(store_conv_count(f->st, VIEW_ALL), 2);
	assert_int_equal(conv_of(f, "INBOX", "1"), conv_of(f, "INBOX", "2"));
	struct store_channel *ch;
	size_t n;
	struct ebb_err err = {0};
	assert_int_equal(store_channel_list(f->st, f->acc, &ch, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ch[0].remote_id, "INBOX");
	assert_string_equal(ch[0].cursor, "cur-1");
	assert_string_equal(ch[0].tier, "email");
	assert_int_equal(ch[0].uidvalidity, 42);
	store_channel_list_free(ch, n);
}

static void test_thread_in_reply_to_and_refs(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "root@x", .subject = "Budget", .at = T0});
	add(&b, (struct m){.rid = "2", .msgid = "r1@x", .irt = "root@x", .refs = "root@x",
			   .subject = "totally different", .at = T0 + 10});
	/* The parent (missing@x) never arrived: the References find the root. */
	add(&b, (struct m){.rid = "3", .msgid = "r2@x", .irt = "<missing@x>",
			   .refs = "<root@x> <missing@x>", .subject = "other words", .at = T0 + 20});
	add(&b, (struct m){.rid = "4", .msgid = "alone@x", .subject = "Unrelated", .at = T0 + 30});
	apply(f, &b, NULL, NULL);
	long long root = conv_of(f, "INBOX", "1");
	assert_int_equal(conv_of(f, "INBOX", "2"), root);
	assert_int_equal(conv_of(f, "INBOX", "3"), root);
	assert_int_not_equal(conv_of(f, "INBOX", "4"), root);
	struct conv_row r = get(f, root);
	assert_int_equal(r.messages, 3);
	assert_string_equal(r.subject, "Budget");   /* of the first message */
	assert_int_equal(r.last_at, T0 + 20);
	store_conv_row_clear(&r);
	/* A sibling answering the same missing parent joins too. */
	add(&b, (struct m){.rid = "5", .msgid = "r3@x", .irt = "missing@x", .subject = "zzz",
			   .at = T0 + 40});
	apply(f, &b, NULL, NULL);
	assert_int_equal(conv_of(f, "INBOX", "5"), root);
	batch_free(&b);
}

static void test_thread_reply_first(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "10", .msgid = "reply@x", .irt = "parent@x",
			   .refs = "parent@x", .subject = "Re: Trip", .at = T0 + 100});
	apply(f, &b, NULL, NULL);
	add(&b, (struct m){.chan = "Archive", .rid = "7", .msgid = "parent@x",
			   .subject = "Trip planning", .at = T0});
	struct batch_result r = apply(f, &b, NULL, NULL);
	assert_int_equal(r.inserted, 1);
	long long conv = conv_of(f, "INBOX", "10");
	assert_int_equal(conv_of(f, "Archive", "7"), conv);
	struct conv_row row = get(f, conv);
	assert_int_equal(row.messages, 2);
	assert_string_equal(row.subject, "Trip planning");
	store_conv_row_clear(&row);
	/* Both arrivals are logged: the parent was new to us. */
	assert_int_equal(query_ll(f, "SELECT count(*) FROM event WHERE kind = 'arrival'"), 2);
	batch_free(&b);
}

static void test_thread_subject(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "s1@x", .subject = "Quarterly  Report",
			   .at = T0});
	add(&b, (struct m){.rid = "2", .msgid = "s2@x", .subject = "RE: [team] Fwd: quarterly report",
			   .at = T0 + 10 * DAY});
	/* 31 days after the conversation's last message: a new conversation. */
	add(&b, (struct m){.rid = "3", .msgid = "s3@x", .subject = "Re: Quarterly Report",
			   .at = T0 + 41 * DAY});
	add(&b, (struct m){.rid = "4", .msgid = "s4@x", .subject = "Aw: Sv: quarterly report",
			   .at = T0 + 42 * DAY});
	add(&b, (struct m){.rid = "5", .msgid = "s5@x", .subject = "", .at = T0 + 1});
	add(&b, (struct m){.rid = "6", .msgid = "s6@x", .subject = "Re:", .at = T0 + 2});
	apply(f, &b, NULL, NULL);
	long long first = conv_of(f, "INBOX", "1");
	assert_int_equal(conv_of(f, "INBOX", "2"), first);
	long long later = conv_of(f, "INBOX", "3");
	assert_int_not_equal(later, first);
	assert_int_equal(conv_of(f, "INBOX", "4"), later);
	/* Empty subjects never thread by subject. */
	assert_int_not_equal(conv_of(f, "INBOX", "5"), conv_of(f, "INBOX", "6"));
	batch_free(&b);

	char norm[32];
	store_norm_subject("  Re[2]: RE :  [list-x]   Hello\tWORLD  ", norm, sizeof norm);
	assert_string_equal(norm, "hello world");
	store_norm_subject("Reply to this", norm, sizeof norm);
	assert_string_equal(norm, "reply to this");
	store_norm_subject("[unterminated tag", norm, sizeof norm);
	assert_string_equal(norm, "[unterminated tag");
	char tiny[6];
	store_norm_subject("abcd\xc3\xa9xyz", tiny, sizeof tiny);
	assert_string_equal(tiny, "abcd");   /* never half a UTF-8 sequence */
}

static void test_thread_hint(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add_chan(&b, "room1", 1, "chat", 0);
	add(&b, (struct m){.chan = "room1", .rid = "e1", .msgid = "e1", .hint = "T1",
			   .subject = "first", .at = T0});
	add(&b, (struct m){.chan = "room1", .rid = "e2", .msgid = "e2", .hint = "T1",
			   .subject = "second", .at = T0 + 5});
	add(&b, (struct m){.chan = "room1", .rid = "e3", .msgid = "e3", .hint = "T2",
			   .subject = "first", .at = T0 + 6});
	apply(f, &b, NULL, NULL);
	assert_int_equal(conv_of(f, "room1", "e1"), conv_of(f, "room1", "e2"));
	assert_int_not_equal(conv_of(f, "room1", "e1"), conv_of(f, "room1", "e3"));
	/* A mail with the same subject does not join a chat thread. */
	add(&b, (struct m){.rid = "m1", .msgid = "m1@x", .subject = "first", .at = T0 + 7});
	apply(f, &b, NULL, NULL);
	assert_int_not_equal(conv_of(f, "INBOX", "m1"), conv_of(f, "room1", "e1"));
	assert_int_not_equal(conv_of(f, "INBOX", "m1"), conv_of(f, "room1", "e3"));
	batch_free(&b);
}

static void test_duplicates_count_once(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "dup@x", .subject = "Hi", .at = T0});
	add(&b, (struct m){.chan = "Archive", .rid = "9", .msgid = "dup@x", .subject = "Hi",
			   .at = T0});
	add(&b, (struct m){.rid = "2", .msgid = "re@x", .irt = "dup@x", .subject = "Re: Hi",
			   .at = T0 + 5, .from_me = 1, .flags = MSG_SEEN});
	add(&b, (struct m){.chan = "Sent", .rid = "3", .msgid = "re@x", .irt = "dup@x",
			   .subject = "Re: Hi", .at = T0 + 5, .from_me = 1, .flags = MSG_SEEN});
	struct batch_result r = apply(f, &b, NULL, NULL);
	assert_int_equal(r.inserted, 4);
	long long conv = conv_of(f, "INBOX", "1");
	assert_int_equal(conv_of(f, "Archive", "9"), conv);
	assert_int_equal(conv_of(f, "Sent", "3"), conv);
	struct conv_row row = get(f, conv);
	assert_int_equal(row.messages, 2);
	assert_int_equal(row.unread, 1);
	store_conv_row_clear(&row);
	struct msg_row *msgs;
	size_t n;
	struct ebb_err err = {0};
	assert_int_equal(store_msg_list(f->st, conv, &msgs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(msgs[0].msgid, "dup@x");
	assert_string_equal(msgs[0].channel, "INBOX");
	assert_string_equal(msgs[1].msgid, "re@x");
	assert_int_equal(msgs[1].from_me, 1);
	store_msg_rows_free(msgs, n);
	/* One arrival and one reply: copies are not new arrivals. */
	assert_int_equal(query_ll(f, "SELECT count(*) FROM event WHERE kind = 'arrival'"), 1);
	assert_int_equal(query_ll(f, "SELECT count(*) FROM event WHERE kind = 'reply'"), 1);
	batch_free(&b);
}

static void test_reset_keeps_triage(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add_chan(&b, "INBOX", 0, "email", 0);
	add(&b, (struct m){.rid = "1", .msgid = "p@x", .subject = "Contract", .at = T0});
	add(&b, (struct m){.rid = "2", .msgid = "q@x", .irt = "p@x", .subject = "Re: Contract",
			   .at = T0 + 60, .to_me = 1});
	apply(f, &b, NULL, NULL);
	long long conv = conv_of(f, "INBOX", "1");
	struct ebb_err err = {0};
	assert_int_equal(store_conv_set_state(f->st, conv, CONV_DONE, 0, T0 + 100, &err), 0);
	/* New UIDVALIDITY: every message comes again under new UIDs, the reply first. */
	add_chan(&b, "INBOX", 0, "email", 1);
	add(&b, (struct m){.rid = "101", .msgid = "q@x", .irt = "p@x", .subject = "Re: Contract",
			   .at = T0 + 60, .to_me = 1});
	add(&b, (struct m){.rid = "100", .msgid = "p@x", .subject = "Contract", .at = T0});
	struct batch_result r = apply(f, &b, NULL, NULL);
	assert_int_equal(r.inserted, 2);
	assert_int_equal(conv_of(f, "INBOX", "100"), conv);
	assert_int_equal(conv_of(f, "INBOX", "101"), conv);
	assert_int_equal(state_of(f, conv), CONV_DONE);
	assert_int_equal(messages_of(f, conv), 2);
	assert_int_equal(store_conv_count(f->st, VIEW_DONE), 1);
	assert_int_equal(store_conv_count(f->st, VIEW_ALL), 0);
	assert_int_equal(query_ll(f, "SELECT count(*) FROM message"), 2);
	assert_int_equal(query_ll(f, "SELECT count(*) FROM conversation"), 1);
	/* A reset alone (messages in a later batch) hides, never drops, the conversation. */
	add_chan(&b, "INBOX", 0, "email", 1);
	apply(f, &b, NULL, NULL);
	assert_int_equal(store_conv_count(f->st, VIEW_DONE), 0);
	assert_int_equal(state_of(f, conv), CONV_DONE);
	add(&b, (struct m){.rid = "200", .msgid = "p@x", .subject = "Contract", .at = T0});
	apply(f, &b, NULL, NULL);
	assert_int_equal(conv_of(f, "INBOX", "200"), conv);
	assert_int_equal(store_conv_count(f->st, VIEW_DONE), 1);
	assert_int_equal(store_check(f->st, &err), 0);
	batch_free(&b);
}

static void test_new_message_reopens(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "d@x", .subject = "Done one", .at = T0});
	add(&b, (struct m){.rid = "2", .msgid = "m@x", .subject = "Muted one", .at = T0});
	add(&b, (struct m){.rid = "3", .msgid = "w@x", .subject = "Waiting one", .at = T0});
	add(&b, (struct m){.rid = "4", .msgid = "s@x", .subject = "Snoozed one", .at = T0});
	apply(f, &b, NULL, NULL);
	long long done = conv_of(f, "INBOX", "1"), muted = conv_of(f, "INBOX", "2");
	long long waiting = conv_of(f, "INBOX", "3"), snoozed = conv_of(f, "INBOX", "4");
	struct ebb_err err = {0};
	assert_int_equal(store_conv_set_state(f->st, done, CONV_DONE, 0, T0, &err), 0);
	assert_int_equal(store_conv_set_state(f->st, muted, CONV_MUTED, 0, T0, &err), 0);
	assert_int_equal(store_conv_set_state(f->st, waiting, CONV_WAITING, 0, T0, &err), 0);
	assert_int_equal(store_conv_set_state(f->st, snoozed, CONV_SNOOZED, T0 + DAY, T0, &err),
			 0);
	/* My own message does not reopen. */
	add(&b, (struct m){.chan = "Sent", .rid = "1", .msgid = "mine@x", .irt = "d@x",
			   .subject = "Re: Done one", .at = T0 + 10, .from_me = 1});
	apply(f, &b, NULL, NULL);
	assert_int_equal(state_of(f, done), CONV_DONE);
	add(&b, (struct m){.rid = "11", .msgid = "d2@x", .irt = "d@x", .at = T0 + 20});
	add(&b, (struct m){.rid = "12", .msgid = "m2@x", .irt = "m@x", .at = T0 + 20});
	add(&b, (struct m){.rid = "13", .msgid = "w2@x", .irt = "w@x", .at = T0 + 20});
	add(&b, (struct m){.rid = "14", .msgid = "s2@x", .irt = "s@x", .at = T0 + 20});
	apply(f, &b, NULL, NULL);
	assert_int_equal(state_of(f, done), CONV_INBOX);
	assert_int_equal(state_of(f, muted), CONV_MUTED);
	assert_int_equal(state_of(f, waiting), CONV_INBOX);
	assert_int_equal(state_of(f, snoozed), CONV_SNOOZED);
	/* 4 set_state + 2 reopenings. */
	assert_int_equal(query_ll(f, "SELECT count(*) FROM event WHERE kind = 'state'"), 6);
	assert_int_equal(query_ll(f, "SELECT count(*) FROM event WHERE kind = 'state'"
				     " AND detail = 'inbox'"),
			 2);
	batch_free(&b);
}

static void test_due_facts_and_order(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct due_log log = {0};
	add_chan(&b, "INBOX", 0, "email", 0);
	add_chan(&b, "dm", 1, "chat", 0);
	/* A: they wrote to me, I answered, they wrote twice more (the second to me). */
	add(&b, (struct m){.rid = "1", .msgid = "a1", .subject = "A", .at = T0, .to_me = 1});
	add(&b, (struct m){.rid = "2", .msgid = "a2", .irt = "a1", .at = T0 + 100, .from_me = 1});
	add(&b, (struct m){.rid = "3", .msgid = "a3", .irt = "a2", .at = T0 + 200,
			   .sender = "carol@x"});
	add(&b, (struct m){.rid = "4", .msgid = "a4", .irt = "a3", .at = T0 + 300, .to_me = 1,
			   .sender = "dave@x"});
	apply(f, &b, test_due, &log);
	long long a = conv_of(f, "INBOX", "1");
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.conv, a);
	assert_int_equal(log.f.last_from_me, 0);
	assert_int_equal(log.f.addressed_to_me, 1);
	assert_int_equal(log.f.waiting_since, T0 + 200);
	assert_int_equal(log.f.is_direct, 0);
	assert_string_equal(log.channel, "INBOX");
	assert_string_equal(log.tier, "email");
	assert_string_equal(log.sender, "dave@x");
	struct conv_row r = get(f, a);
	assert_int_equal(r.needs_reply, 1);
	assert_int_equal(r.due_at, T0 + 200 + 3600);
	assert_string_equal(r.tier, "email");
	assert_string_equal(r.channel, "INBOX");
	assert_string_equal(r.account, "work");
	assert_string_equal(r.from, "Bob");
	store_conv_row_clear(&r);

	/* B: a direct chat owes a reply without to_me, due earlier than A. */
	add(&b, (struct m){.chan = "dm", .rid = "x1", .msgid = "x1", .hint = "dm", .at = T0 - 5000});
	/* C: only Cc'd, newest: not owed. D: not owed, older. E: I wrote last. */
	add(&b, (struct m){.rid = "5", .msgid = "c1", .subject = "C", .at = T0 + 900});
	add(&b, (struct m){.rid = "6", .msgid = "d1", .subject = "D", .at = T0 + 800});
	add(&b, (struct m){.rid = "7", .msgid = "e1", .subject = "E", .at = T0 + 700, .to_me = 1});
	add(&b, (struct m){.rid = "8", .msgid = "e2", .irt = "e1", .at = T0 + 750, .from_me = 1});
	apply(f, &b, test_due, &log);
	assert_int_equal(log.calls, 5);
	long long bb = conv_of(f, "dm", "x1"), c = conv_of(f, "INBOX", "5");
	long long d = conv_of(f, "INBOX", "6"), e = conv_of(f, "INBOX", "7");
	struct conv_row *rows;
	size_t n;
	struct ebb_err err = {0};
	assert_int_equal(store_conv_list(f->st, VIEW_DUE, NULL, 50, &rows, &n, &err), 0);
	assert_int_equal(n, 5);
	long long want[] = {bb, a, c, d, e};   /* owed by due time, then newest first */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rows[i].id, want[i]);
	assert_int_equal(rows[0].due_at, T0 - 5000 + 3600);
	assert_string_equal(rows[0].tier, "chat");
	assert_int_equal(rows[3].needs_reply, 0);
	assert_int_equal(rows[3].due_at, 0);
	store_conv_rows_free(rows, n);

	/* A config change: recompute with a longer target moves A after B still. */
	log.target = 10 * 3600;
	assert_int_equal(store_recompute_due(f->st, f->acc, test_due, &log, &err), 0);
	r = get(f, a);
	assert_int_equal(r.due_at, T0 + 200 + 10 * 3600);
	store_conv_row_clear(&r);
	batch_free(&b);
}

/* ---- views and paging ------------------------------------------------- */

static void check_plan(struct fx *f, const char *sql)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->st->db, buf, -1, &s, NULL), SQLITE_OK);
	int uses_index = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(s, 3);
		if (!detail)
			continue;
		if (strstr(detail, "TEMP B-TREE") ||
		    (!strncmp(detail, "SCAN c", 6) && !strstr(detail, "USING"))) {
			fprintf(stderr, "bad plan for %s: %s\n", sql, detail);
			fail();
		}
		if (strstr(detail, "SEARCH c USING INDEX") || strstr(detail, "SCAN c USING INDEX"))
			uses_index = 1;
	}
	sqlite3_finalize(s);
	if (!uses_index)
		fprintf(stderr, "no index for %s\n", sql);
	assert_true(uses_index);
}

static void test_paging_equals_one_query(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct due_log log = {0};
	char rid[16], msgid[32], subject[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(rid, sizeof rid, "%d", i);
		snprintf(msgid, sizeof msgid, "p%d@x", i);
		snprintf(subject, sizeof subject, "subject %d", i);
		/* Few distinct times: many ties, broken by id. */
		add(&b, (struct m){.rid = rid, .msgid = msgid, .subject = subject,
				   .at = T0 + (i % 40) * 60, .to_me = i % 3 == 0});
	}
	apply(f, &b, test_due, &log);
	batch_free(&b);
	struct ebb_err err = {0};
	assert_int_equal(store_begin(f->st, &err), 0);
	for (long long id = 1; id <= 1000; id++) {
		static const enum conv_state cycle[] = {CONV_INBOX, CONV_DONE,  CONV_MUTED,
							CONV_WAITING, CONV_LATER, CONV_SNOOZED,
							CONV_INBOX};
		enum conv_state s = cycle[id % 7];
		time_t until = s == CONV_SNOOZED ? T0 + DAY + (id % 13) * 60 : 0;
		assert_int_equal(store_conv_set_state(f->st, id, s, until, T0, &err), 0);
	}
	assert_int_equal(store_commit(f->st, &err), 0);
	size_t total = 0;
	for (int v = 0; v < VIEW_COUNT; v++) {
		for (int mode = 0; mode < 4; mode++)
			check_plan(f, store_view_sql((enum store_view)v, mode));
		struct conv_row *all;
		size_t nall;
		assert_int_equal(store_conv_list(f->st, (enum store_view)v, NULL, 100000, &all, &nall,
						 &err),
				 0);
		assert_int_equal(nall, store_conv_count(f->st, (enum store_view)v));
		assert_true(nall > 50);
		/* The capped count stops one past the cap, else is exact. */
		assert_int_equal(store_conv_count_upto(f->st, (enum store_view)v, 10), 11);
		assert_int_equal(store_conv_count_upto(f->st, (enum store_view)v, nall - 1), nall);
		assert_int_equal(store_conv_count_upto(f->st, (enum store_view)v, nall), nall);
		assert_int_equal(store_conv_count_upto(f->st, (enum store_view)v, 100000), nall);
		if (v != VIEW_ALL)
			total += nall;
		/* Forwards in pages of 37. */
		size_t seen = 0;
		struct conv_cursor cur;
		const struct conv_cursor *after = NULL;
		for (;;) {
			struct conv_row *page;
			size_t n;
			assert_int_equal(store_conv_list(f->st, (enum store_view)v, after, 37, &page,
							 &n, &err),
					 0);
			for (size_t i = 0; i < n; i++) {
				assert_true(seen + i < nall);
				assert_int_equal(page[i].id, all[seen + i].id);
				assert_int_equal(page[i].sort_key, all[seen + i].sort_key);
			}
			seen += n;
			if (n) {
				cur.sort_key = page[n - 1].sort_key;
				cur.id = page[n - 1].id;
				after = &cur;
			}
			store_conv_rows_free(page, n);
			if (n < 37)
				break;
		}
		assert_int_equal(seen, nall);
		/* Backwards from the end in pages of 41, each page in display order. */
		size_t left = nall;
		const struct conv_cursor *before = NULL;
		for (;;) {
			struct conv_row *page;
			size_t n;
			assert_int_equal(store_conv_list_before(f->st, (enum store_view)v, before, 41,
								&page, &n, &err),
					 0);
			assert_true(n <= left);
			for (size_t i = 0; i < n; i++)
				assert_int_equal(page[i].id, all[left - n + i].id);
			left -= n;
			if (n) {
				cur.sort_key = page[0].sort_key;
				cur.id = page[0].id;
				before = &cur;
			}
			store_conv_rows_free(page, n);
			if (n < 41)
				break;
		}
		assert_int_equal(left, 0);
		/* The keys really order the rows. */
		for (size_t i = 1; i < nall; i++)
			assert_true(all[i - 1].sort_key < all[i].sort_key ||
				    (all[i - 1].sort_key == all[i].sort_key && all[i - 1].id < all[i].id));
		if (v == VIEW_DONE || v == VIEW_WAITING)
			for (size_t i = 1; i < nall; i++)
				assert_true(all[i - 1].last_at >= all[i].last_at);
		if (v == VIEW_SNOOZED)
			for (size_t i = 1; i < nall; i++)
				assert_true(all[i - 1].snooze_until <= all[i].snooze_until);
		store_conv_rows_free(all, nall);
	}
	assert_int_equal(total, 1000);
	assert_int_equal(store_conv_count(f->st, VIEW_ALL),
			 1000 - store_conv_count(f->st, VIEW_DONE) -
				 store_conv_count(f->st, VIEW_MUTED));
	struct conv_row *none;
	size_t n = 99;
	assert_int_equal(store_conv_list(f->st, VIEW_DUE, NULL, 0, &none, &n, &err), 0);
	assert_int_equal(n, 0);
}

/* ---- triage ----------------------------------------------------------- */

static void test_set_state_and_wake(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "z1", .subject = "One", .at = T0});
	add(&b, (struct m){.rid = "2", .msgid = "z2", .subject = "Two", .at = T0});
	apply(f, &b, NULL, NULL);
	batch_free(&b);
	long long one = conv_of(f, "INBOX", "1"), two = conv_of(f, "INBOX", "2");
	struct ebb_err err = {0};
	assert_int_equal(store_conv_set_state(f->st, one, CONV_SNOOZED, 0, T0, &err), EBB_EINVAL);
	assert_int_equal(store_conv_set_state(f->st, one, CONV_SNOOZED, T0 - 1, T0, &err),
			 EBB_EINVAL);
	assert_int_equal(store_conv_set_state(f->st, one, CONV_DONE, T0 + 5, T0, &err), EBB_EINVAL);
	assert_int_equal(store_conv_set_state(f->st, one, (enum conv_state)42, 0, T0, &err),
			 EBB_EINVAL);
	assert_int_equal(store_conv_set_state(f->st, 9999, CONV_DONE, 0, T0, &err), EBB_ENOENT);
	assert_int_equal(store_conv_set_state(f->st, one, CONV_SNOOZED, T0 + 100, T0, &err), 0);
	assert_int_equal(store_conv_set_state(f->st, two, CONV_WAITING, T0 + 200, T0, &err), 0);
	struct conv_row r = get(f, one);
	assert_int_equal(r.snooze_until, T0 + 100);
	assert_int_equal(r.sort_key != 0, 1);
	store_conv_row_clear(&r);
	assert_int_equal(store_wake(f->st, T0 + 99, &err), 0);
	assert_int_equal(state_of(f, one), CONV_SNOOZED);
	assert_int_equal(store_wake(f->st, T0 + 100, &err), 0);
	assert_int_equal(state_of(f, one), CONV_INBOX);
	assert_int_equal(state_of(f, two), CONV_WAITING);
	assert_int_equal(store_wake(f->st, T0 + 300, &err), 0);
	assert_int_equal(state_of(f, two), CONV_INBOX);
	r = get(f, two);
	assert_int_equal(r.snooze_until, 0);
	store_conv_row_clear(&r);
	/* Setting the same state again logs nothing new. */
	long long events = query_ll(f, "SELECT count(*) FROM event WHERE kind = 'state'");
	assert_int_equal(events, 4);
	assert_int_equal(store_conv_set_state(f->st, one, CONV_INBOX, 0, T0 + 400, &err), 0);
	assert_int_equal(query_ll(f, "SELECT count(*) FROM event WHERE kind = 'state'"), events);
	assert_int_equal(store_event_add(f->st, T0, "stats", one, 0, "note", &err), 0);
	assert_int_equal(store_event_add(f->st, T0, "", one, 0, NULL, &err), EBB_EINVAL);
	assert_int_equal(query_ll(f, "SELECT count(*) FROM event WHERE kind = 'stats'"
				     " AND channel_id IS NULL"),
			 1);
	assert_int_equal(store_conv_mark_read(f->st, 9999, &err), EBB_ENOENT);
}

static void test_names(void **state)
{
	(void)state;
	for (int v = 0; v < VIEW_COUNT; v++) {
		enum store_view back;
		assert_int_equal(store_view_parse(store_view_name((enum store_view)v), &back), 0);
		assert_int_equal(back, v);
	}
	enum store_view view;
	assert_int_equal(store_view_parse("Due", &view), 0);
	assert_int_equal(view, VIEW_DUE);
	assert_int_equal(store_view_parse("nope", &view), EBB_EINVAL);
	assert_string_equal(store_view_name(VIEW_SNOOZED), "snoozed");
	assert_string_equal(store_state_name(CONV_INBOX), "inbox");
	assert_string_equal(store_state_name(CONV_LATER), "later");
	enum conv_state s;
	assert_int_equal(store_state_parse("muted", &s), 0);
	assert_int_equal(s, CONV_MUTED);
	assert_int_equal(store_state_parse("archived", &s), EBB_EINVAL);
}

/* ---- search ----------------------------------------------------------- */

static void test_search(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct batch_msg m = {
		.channel = "INBOX", .remote_id = "1", .msgid = "s@x", .sender = "carol@example.com",
		.sender_name = "Carol Smith", .subject = "Budget review",
		.body = "the quarterly numbers", .sent_at = T0,
	};
	assert_int_equal(batch_add_msg(&b, &m), 0);
	add(&b, (struct m){.rid = "2", .msgid = "k1", .subject = "Fruit",
			   .body = "kiwi kiwi kiwi", .at = T0});
	add(&b, (struct m){.rid = "3", .msgid = "k2", .subject = "Salad",
			   .body = "a long text that mentions kiwi only once among many other words",
			   .at = T0 + 5});
	apply(f, &b, NULL, NULL);
	batch_free(&b);
	long long budget = conv_of(f, "INBOX", "1");
	const char *hits[] = {"budget", "carol", "smith", "quarterly", "sender:carol",
			      "subject:review", "budg*"};
	struct conv_row *rows;
	size_t n;
	struct ebb_err err = {0};
	for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
		assert_int_equal(store_search(f->st, hits[i], 10, &rows, &n, &err), 0);
		assert_int_equal(n, 1);
		assert_int_equal(rows[0].id, budget);
		assert_string_equal(rows[0].subject, "Budget review");
		store_conv_rows_free(rows, n);
	}
	assert_int_equal(store_search(f->st, "kiwi", 10, &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, conv_of(f, "INBOX", "2"));   /* more kiwi, better rank */
	store_conv_rows_free(rows, n);
	assert_int_equal(store_search(f->st, "kiwi", 1, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	store_conv_rows_free(rows, n);
	assert_int_equal(store_search(f->st, "nothinglikethis", 10, &rows, &n, &err), 0);
	assert_int_equal(n, 0);
	store_conv_rows_free(rows, n);

	/* The body arrives later: the index follows. */
	struct msg_row *msgs;
	assert_int_equal(store_msg_list(f->st, budget, &msgs, &n, &err), 0);
	assert_int_equal(n, 1);
	long long msg_id = msgs[0].id;
	store_msg_rows_free(msgs, n);
	assert_int_equal(store_msg_set_body(f->st, msg_id, "zebra crossing", "a.pdf\tapplication/pdf\t10\n",
					    &err),
			 0);
	assert_int_equal(store_msg_set_body(f->st, 424242, "x", NULL, &err), EBB_ENOENT);
	assert_int_equal(store_search(f->st, "zebra", 10, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	store_conv_rows_free(rows, n);
	assert_int_equal(store_search(f->st, "quarterly", 10, &rows, &n, &err), 0);
	assert_int_equal(n, 0);
	store_conv_rows_free(rows, n);
	assert_int_equal(store_msg_list(f->st, budget, &msgs, &n, &err), 0);
	assert_string_equal(msgs[0].body, "zebra crossing");
	assert_string_equal(msgs[0].attachments, "a.pdf\tapplication/pdf\t10\n");
	store_msg_rows_free(msgs, n);

	/* Bad syntax is a clean error with a sentence. */
	const char *bad[] = {"budget AND", "\"unterminated", "nosuchcolumn:x", "(budget"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct conv_row sentinel;
		rows = &sentinel;
		assert_int_equal(store_search(f->st, bad[i], 10, &rows, &n, &err), EBB_EINVAL);
		assert_null(rows);
		assert_int_equal(strncmp(err.msg, "search: ", 8), 0);
	}
	assert_int_equal(store_search(f->st, "budget AND", 10, &rows, &n, &err), EBB_EINVAL);
	assert_non_null(strstr(err.msg, "syntax error"));
	assert_int_equal(store_search(f->st, "  ", 10, &rows, &n, &err), EBB_EINVAL);
	/* And the connection still works afterwards. */
	assert_int_equal(store_search(f->st, "zebra", 10, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	store_conv_rows_free(rows, n);
	assert_int_equal(store_check(f->st, &err), 0);
}

/* A common word ranks only its newest 1000 hits (5 per row asked, at least
 * 1000): a better match older than those is left out, one inside is first. */
static void test_search_window(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	char rid[16], msgid[32];
	for (int i = 0; i < 1100; i++) {
		snprintf(rid, sizeof rid, "%d", i);
		snprintf(msgid, sizeof msgid, "w%d@x", i);
		const char *body = i == 0 || i == 600 ? "kiwi kiwi kiwi"
						      : "a long text that says kiwi once among words";
		add(&b, (struct m){.rid = rid, .msgid = msgid, .subject = msgid, .body = body,
				   .at = T0 + i});
	}
	apply(f, &b, NULL, NULL);
	batch_free(&b);
	long long old_best = conv_of(f, "INBOX", "0"), new_best = conv_of(f, "INBOX", "600");
	struct conv_row *rows;
	size_t n;
	struct ebb_err err = {0};
	assert_int_equal(store_search(f->st, "kiwi", 50, &rows, &n, &err), 0);
	assert_int_equal(n, 50);
	assert_int_equal(rows[0].id, new_best);
	for (size_t i = 0; i < n; i++)
		assert_true(rows[i].id != old_best);
	store_conv_rows_free(rows, n);
	struct store_search_query q = {.fts = "kiwi"};
	assert_int_equal(store_search_filtered(f->st, &q, 50, &rows, &n, &err), 0);
	assert_int_equal(n, 50);
	assert_int_equal(rows[0].id, new_best);
	store_conv_rows_free(rows, n);
	/* A limit of 300 ranks 1500 hits: all of them. */
	assert_int_equal(store_search_filtered(f->st, &q, 300, &rows, &n, &err), 0);
	assert_int_equal(n, 300);
	assert_int_equal(rows[0].id, new_best);
	assert_int_equal(rows[1].id, old_best);
	store_conv_rows_free(rows, n);
}

/* ---- flags ------------------------------------------------------------ */

static unsigned flags_of(struct fx *f, long long conv)
{
	struct msg_row *msgs;
	size_t n;
	struct ebb_err err = {0};
	assert_int_equal(store_msg_list(f->st, conv, &msgs, &n, &err), 0);
	assert_int_equal(n, 1);
	unsigned flags = msgs[0].flags;
	store_msg_rows_free(msgs, n);
	return flags;
}

static void test_pending_flags(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "u@x", .subject = "Unread", .at = T0,
			   .flags = MSG_FLAGGED});
	apply(f, &b, NULL, NULL);
	long long conv = conv_of(f, "INBOX", "1");
	struct conv_row r = get(f, conv);
	assert_int_equal(r.unread, 1);
	store_conv_row_clear(&r);
	struct ebb_err err = {0};
	assert_int_equal(store_conv_mark_read(f->st, conv, &err), 0);
	assert_int_equal(flags_of(f, conv), MSG_SEEN | MSG_FLAGGED);
	r = get(f, conv);
	assert_int_equal(r.unread, 0);
	store_conv_row_clear(&r);
	struct batch_flag *pending;
	size_t n;
	assert_int_equal(store_pending_flags(f->st, f->acc, &pending, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(pending[0].channel, "INBOX");
	assert_string_equal(pending[0].remote_id, "1");
	assert_int_equal(pending[0].flags, MSG_SEEN | MSG_FLAGGED);

	/* A pull that still carries the old flags changes nothing. */
	add(&b, (struct m){.rid = "1", .msgid = "u@x", .subject = "Unread", .at = T0,
			   .flags = MSG_FLAGGED});
	assert_int_equal(batch_add_flag(&b, "INBOX", "1", 0), 0);
	struct batch_result res = apply(f, &b, NULL, NULL);
	assert_int_equal(res.updated, 0);
	assert_int_equal(flags_of(f, conv), MSG_SEEN | MSG_FLAGGED);
	r = get(f, conv);
	assert_int_equal(r.unread, 0);
	store_conv_row_clear(&r);

	/* A stale "done" (flags differ from what is pending now) keeps it. */
	struct batch_flag stale = {.channel = "INBOX", .remote_id = "1", .flags = MSG_SEEN};
	assert_int_equal(store_pending_flags_clear(f->st, f->acc, &stale, 1, &err), 0);
	store_flags_free(pending, n);
	assert_int_equal(store_pending_flags(f->st, f->acc, &pending, &n, &err), 0);
	assert_int_equal(n, 1);
	/* Pushed: cleared, and the server's word counts again. */
	assert_int_equal(store_pending_flags_clear(f->st, f->acc, pending, n, &err), 0);
	store_flags_free(pending, n);
	assert_int_equal(store_pending_flags(f->st, f->acc, &pending, &n, &err), 0);
	assert_int_equal(n, 0);
	store_flags_free(pending, n);
	assert_int_equal(batch_add_flag(&b, "INBOX", "1", MSG_ANSWERED), 0);
	assert_int_equal(batch_add_flag(&b, "Nowhere", "1", MSG_ANSWERED), 0);
	res = apply(f, &b, NULL, NULL);
	assert_int_equal(res.updated, 1);
	assert_int_equal(flags_of(f, conv), MSG_ANSWERED);
	r = get(f, conv);
	assert_int_equal(r.unread, 1);
	store_conv_row_clear(&r);
	batch_free(&b);
}

struct listing {
	int n;
	char ids[4][8];
	unsigned flags[4];
};

static int collect(void *ctx, const char *remote_id, unsigned flags)
{
	struct listing *l = ctx;
	if (l->n >= 4)
		return 1;
	snprintf(l->ids[l->n], sizeof l->ids[0], "%s", remote_id);
	l->flags[l->n++] = flags;
	return 0;
}

static void test_removal_and_listing(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add_chan(&b, "INBOX", 0, NULL, 0);
	add(&b, (struct m){.rid = "1", .msgid = "r1", .subject = "Gone soon", .at = T0});
	add(&b, (struct m){.rid = "2", .msgid = "r2", .subject = "Stays", .at = T0,
			   .flags = MSG_SEEN});
	apply(f, &b, NULL, NULL);
	long long gone = conv_of(f, "INBOX", "1");
	struct store_channel *ch;
	size_t nch;
	struct ebb_err err = {0};
	assert_int_equal(store_channel_list(f->st, f->acc, &ch, &nch, &err), 0);
	assert_null(ch[0].tier);
	assert_int_equal(store_channel_set_tier(f->st, ch[0].id, "feedback", &err), 0);
	assert_int_equal(store_channel_set_tier(f->st, 999, "feedback", &err), EBB_ENOENT);
	struct listing l = {0};
	assert_int_equal(store_channel_remote_ids(f->st, ch[0].id, collect, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.ids[0], "1");
	assert_string_equal(l.ids[1], "2");
	assert_int_equal(l.flags[1], MSG_SEEN);
	store_channel_list_free(ch, nch);
	assert_int_equal(batch_add_removal(&b, "INBOX", "1"), 0);
	assert_int_equal(batch_add_removal(&b, "INBOX", "404"), 0);
	struct batch_result r = apply(f, &b, NULL, NULL);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.conversations, 1);
	assert_int_equal(store_conv_count(f->st, VIEW_DUE), 1);
	assert_int_equal(messages_of(f, gone), 0);
	assert_int_equal(store_check(f->st, &err), 0);
	batch_free(&b);
}

static void test_batch_errors_roll_back(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "ok@x", .subject = "Fine", .at = T0});
	struct batch_msg broken = {.channel = "INBOX", .subject = "no remote id"};
	assert_int_equal(batch_add_msg(&b, &broken), 0);
	struct batch_result res = {.inserted = 7};
	struct ebb_err err = {0};
	assert_int_equal(store_apply_batch(f->st, f->acc, &b, NULL, NULL, &res, &err), EBB_EINVAL);
	assert_int_equal(res.inserted, 0);
	assert_non_null(strstr(err.msg, "remote id"));
	assert_int_equal(query_ll(f, "SELECT count(*) FROM message"), 0);
	assert_int_equal(query_ll(f, "SELECT count(*) FROM conversation"), 0);
	/* batch_reset leaves it usable, and an apply inside store_begin nests. */
	batch_reset(&b);
	assert_int_equal(b.nmsgs, 0);
	add(&b, (struct m){.rid = "1", .msgid = "ok@x", .subject = "Fine", .at = T0});
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(store_begin(f->st, &err), EBB_EINVAL);
	assert_int_equal(store_apply_batch(f->st, f->acc, &b, NULL, NULL, &res, &err), 0);
	store_rollback(f->st);
	assert_int_equal(query_ll(f, "SELECT count(*) FROM message"), 0);
	assert_int_equal(store_commit(f->st, &err), EBB_EINVAL);
	batch_free(&b);
	batch_free(&b);   /* twice is harmless */
}

/* A database written by the first schema opens under the current one with
 * its data kept and the new tables in place. */
static void test_migrate_from_v1(void **state)
{
	struct fx *f = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/v1.db", f->dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(store_migrations[0].version, 1);
	assert_int_equal(sqlite3_exec(db, store_migrations[0].sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1;"
				      "INSERT INTO account(name, kind) VALUES('old', 'maildir');",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct store *st = NULL;
	struct ebb_err err = {0};
	assert_int_equal(store_open(path, &st, &err), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	long long id = 0;
	assert_int_equal(store_account_ensure(st, "old", "maildir", &id, &err), 0);
	assert_int_equal(id, 1);
	assert_int_equal(sqlite3_exec(st->db, "SELECT count(*) FROM draft;"
				      "SELECT reply_override FROM conversation;", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(store_check(st, &err), 0);
	store_close(st);
}

/* POSIX locks this process holds on path's inode, from /proc/locks. */
static int locks_held(const char *path)
{
	struct stat sb;
	if (stat(path, &sb))
		return -1;
	char inode[64], pid[32], line[512];
	snprintf(inode, sizeof inode, ":%lu ", (unsigned long)sb.st_ino);
	snprintf(pid, sizeof pid, " %d ", (int)getpid());
	FILE *f = fopen("/proc/locks", "r");
	if (!f)
		return -1;
	int n = 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, pid) && strstr(line, inode))
			n++;
	fclose(f);
	return n;
}

/* Opening a second connection in the same process must not drop the first
 * one's locks: closing any descriptor of a file drops every POSIX lock the
 * process holds on it, and then another process may checkpoint and delete
 * the WAL under us, so our later writes go to a deleted file. */
static void test_second_open_keeps_locks(void **state)
{
	struct fx *f = *state;
	struct store *b = NULL;
	struct ebb_err err = {0};
	long long id;
	assert_int_equal(store_account_ensure(f->st, "one", "maildir", &id, &err), 0);
	int before = locks_held(f->path);
	if (before < 0)
		skip();  /* no /proc/locks: nothing to compare */
	assert_true(before >= 1);
	assert_int_equal(store_open(f->path, &b, &err), 0);
	assert_int_equal(locks_held(f->path), before);
	store_close(b);
	assert_int_equal(locks_held(f->path), before);
}

static void test_readonly(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "ro@x", .subject = "Read me", .at = T0});
	apply(f, &b, NULL, NULL);
	batch_free(&b);
	struct store *ro = NULL;
	struct ebb_err err = {0};
	assert_int_equal(store_open_readonly(f->path, &ro, &err), 0);
	assert_int_equal(store_schema_version(ro), STORE_SCHEMA_VERSION);
	assert_int_equal(store_conv_count(ro, VIEW_DUE), 1);
	assert_int_equal(store_check(ro, &err), 0);
	long long id;
	assert_int_not_equal(store_account_ensure(ro, "x", "imap", &id, &err), 0);
	assert_non_null(strstr(err.msg, "read-only"));
	store_close(ro);
}

/* WAL: a second connection (the UI) reads while the first (a sync worker)
 * holds a write transaction, and sees the batch once it is committed. */
static void test_two_connections(void **state)
{
	struct fx *f = *state;
	struct store *ui = NULL;
	struct ebb_err err = {0};
	assert_int_equal(store_open(f->path, &ui, &err), 0);
	struct store_batch b = {0};
	add(&b, (struct m){.rid = "1", .msgid = "w1", .subject = "Concurrent", .at = T0});
	assert_int_equal(store_begin(f->st, &err), 0);
	struct batch_result res;
	assert_int_equal(store_apply_batch(f->st, f->acc, &b, NULL, NULL, &res, &err), 0);
	assert_int_equal(store_conv_count(ui, VIEW_DUE), 0);
	assert_int_equal(store_wake(ui, T0, &err), 0);   /* nothing to wake: no lock needed */
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(store_conv_count(ui, VIEW_DUE), 1);
	store_close(ui);
	batch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_reopen_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_open_keeps_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_in_reply_to_and_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_reply_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_subject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_count_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_keeps_triage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_message_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_facts_and_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paging_equals_one_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_state_and_wake, setup, teardown),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removal_and_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_errors_roll_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
