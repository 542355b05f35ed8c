/* Unit tests for store/archive: which messages of done conversations a mail
 * provider must still move to the archive mailbox. */
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

#define T0 ((time_t)1700000000)

struct fx {
	struct store *st;
	long long acc, other;
};

static void add(struct store_batch *b, const char *channel, const char *uid, const char *msgid,
		const char *in_reply_to, const char *subject, time_t at)
{
	struct batch_msg m = {
		.channel = (char *)channel, .remote_id = (char *)uid, .msgid = (char *)msgid,
		.in_reply_to = (char *)in_reply_to, .sender = "ann@example.org",
		.subject = (char *)subject, .sent_at = at,
	};
	assert_int_equal(batch_add_msg(b, &m), EBB_OK);
}

static long long conv_of(struct store *st, long long account, const char *channel,
			 const char *uid)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(st->db,
		"SELECT m.conversation_id FROM message m JOIN channel c ON c.id = m.channel_id"
		" WHERE c.account_id = ?1 AND c.remote_id = ?2 AND m.remote_id = ?3", -1, &s, NULL),
		SQLITE_OK);
	sqlite3_bind_int64(s, 1, account);
	sqlite3_bind_text(s, 2, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, uid, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	long long id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return id;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct ebb_err err = {0};
	if (!f || store_open(":memory:", &f->st, &err) ||
	    store_account_ensure(f->st, "work", "imap", &f->acc, &err) ||
	    store_account_ensure(f->st, "home", "imap", &f->other, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	/* Thread A lives in INBOX, Sent and Archive; B in INBOX; C in Lists. */
	struct store_batch b = {0};
	add(&b, "INBOX", "1", "a1@x", NULL, "Plan A", T0);
	add(&b, "INBOX", "2", "b1@x", NULL, "Plan B", T0 + 10);
	add(&b, "Lists", "4", "c1@x", NULL, "Plan C", T0 + 20);
	add(&b, "Sent", "7", "a2@x", "a1@x", "Re: Plan A", T0 + 30);
	add(&b, "Archive", "3", "a3@x", "a1@x", "Re: Plan A", T0 + 40);
	if (store_apply_batch(f->st, f->acc, &b, NULL, NULL, NULL, &err))
		return -1;
	batch_free(&b);
	/* The other account has a done conversation in its INBOX too. */
	add(&b, "INBOX", "1", "z1@x", NULL, "Elsewhere", T0);
	if (store_apply_batch(f->st, f->other, &b, NULL, NULL, NULL, &err))
		return -1;
	batch_free(&b);
	if (store_conv_set_state(f->st, conv_of(f->st, f->other, "INBOX", "1"), CONV_DONE, 0, T0,
				 &err))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	free(f);
	return 0;
}

static void set_done(struct fx *f, const char *channel, const char *uid)
{
	struct ebb_err err = {0};
	assert_int_equal(store_conv_set_state(f->st, conv_of(f->st, f->acc, channel, uid),
					      CONV_DONE, 0, T0, &err), EBB_OK);
}

static void test_nothing_done(void **state)
{
	struct fx *f = *state;
	struct batch_removal *r;
	size_t n = 99;
	assert_int_equal(store_archive_pending(f->st, f->acc, "Archive", "Sent", 100, &r, &n, NULL),
			 EBB_OK);
	assert_int_equal(n, 0);
	store_archive_free(r, n);
}

static void test_done_outside_archive_and_sent(void **state)
{
	struct fx *f = *state;
	set_done(f, "INBOX", "1");
	set_done(f, "Lists", "4");
	struct batch_removal *r;
	size_t n;
	assert_int_equal(store_archive_pending(f->st, f->acc, "Archive", "Sent", 100, &r, &n, NULL),
			 EBB_OK);
	/* Thread A's INBOX copy and C; not A's Sent or Archive copies, not B,
	 * not the other account's; grouped by channel in channel order. */
	assert_int_equal(n, 2);
	assert_string_equal(r[0].channel, "INBOX");
	assert_string_equal(r[0].remote_id, "1");
	assert_string_equal(r[1].channel, "Lists");
	assert_string_equal(r[1].remote_id, "4");
	store_archive_free(r, n);
}

static void test_limit_and_no_exclusions(void **state)
{
	struct fx *f = *state;
	set_done(f, "INBOX", "1");
	set_done(f, "Lists", "4");
	struct batch_removal *r;
	size_t n;
	assert_int_equal(store_archive_pending(f->st, f->acc, "Archive", "Sent", 1, &r, &n, NULL),
			 EBB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].remote_id, "1");
	store_archive_free(r, n);
	/* Without names nothing is excluded: all four messages of A and C. */
	assert_int_equal(store_archive_pending(f->st, f->acc, NULL, NULL, 100, &r, &n, NULL), EBB_OK);
	assert_int_equal(n, 4);
	size_t archive = 0, sent = 0;
	for (size_t i = 0; i < n; i++) {
		archive += !strcmp(r[i].channel, "Archive");
		sent += !strcmp(r[i].channel, "Sent");
	}
	assert_int_equal(archive, 1);
	assert_int_equal(sent, 1);
	store_archive_free(r, n);
}

static void test_moved_messages_leave_the_list(void **state)
{
	struct fx *f = *state;
	set_done(f, "INBOX", "1");
	/* The provider moved it: the batch removes it from INBOX. */
	struct store_batch b = {0};
	assert_int_equal(batch_add_removal(&b, "INBOX", "1"), EBB_OK);
	assert_int_equal(store_apply_batch(f->st, f->acc, &b, NULL, NULL, NULL, NULL), EBB_OK);
	batch_free(&b);
	struct batch_removal *r;
	size_t n;
	assert_int_equal(store_archive_pending(f->st, f->acc, "Archive", "Sent", 100, &r, &n, NULL),
			 EBB_OK);
	assert_int_equal(n, 0);
	store_archive_free(r, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_outside_archive_and_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_and_no_exclusions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved_messages_leave_the_list, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
