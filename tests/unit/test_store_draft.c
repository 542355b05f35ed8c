/* test_store_draft: the store functions the full-screen client added:
 * drafts, the reply override setter, search with filters (bound, never
 * spliced into SQL) and the keyset-paged list of one channel. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebb/store.h"

#define T0 ((time_t)1795000000)

struct fixture {
	struct store *st;
	long long account;
	long long conv_inbox, conv_reviews;
};

static void add_msg(struct store_batch *b, const char *channel, int i, const char *subject,
		    const char *sender, const char *to, const char *cc, const char *body,
		    time_t at)
{
	char rid[32], msgid[64];
	snprintf(rid, sizeof(rid), "%d", i);
	snprintf(msgid, sizeof(msgid), "m%d@test.example", i);
	struct batch_msg m = {
		.channel = (char *)channel, .remote_id = rid, .msgid = msgid,
		.sender = (char *)sender, .sender_name = (char *)sender, .recipients = (char *)to,
		.cc = (char *)cc, .subject = (char *)subject, .body = (char *)body, .sent_at = at,
		.to_me = 1,
	};
	assert_int_equal(batch_add_msg(b, &m), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	assert_int_equal(store_open(":memory:", &fx->st, NULL), 0);
	assert_int_equal(store_account_ensure(fx->st, "work", "maildir", &fx->account, NULL), 0);
	struct store_batch b;
	memset(&b, 0, sizeof(b));
	struct batch_channel inbox = { .remote_id = "INBOX", .name = "INBOX" };
	struct batch_channel reviews = { .remote_id = ".Reviews", .name = "Reviews" };
	assert_int_equal(batch_add_channel(&b, &inbox), 0);
	assert_int_equal(batch_add_channel(&b, &reviews), 0);
	add_msg(&b, "INBOX", 1, "Budget plan", "ann@x.org", "Sam <sam@x.org>", "Dana <dana@x.org>",
		"the numbers for the budget", T0);
	add_msg(&b, "INBOX", 2, "Lunch", "bob@x.org", "sam@x.org", NULL, "pizza on friday",
		T0 + 86400);
	add_msg(&b, ".Reviews", 3, "Review: parser", "ann@x.org", "sam@x.org", NULL,
		"please review the budget parser", T0 + 2 * 86400);
	for (int i = 0; i < 25; i++) {
		char subject[32];
		snprintf(subject, sizeof(subject), "Review %c%c", 'a' + i, 'q' + i % 3);
		add_msg(&b, ".Reviews", 100 + i, subject, "lee@x.org", "sam@x.org", NULL, "text",
			T0 + 3 * 86400 + i * 60);
	}
	struct batch_result res;
	assert_int_equal(store_apply_batch(fx->st, fx->account, &b, NULL, NULL, &res, NULL), 0);
	batch_free(&b);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	store_close(fx->st);
	free(fx);
	return 0;
}

static void test_drafts(void **state)
{
	struct fixture *fx = *state;
	struct store_draft d;
	memset(&d, 0, sizeof(d));
	d.account_id = fx->account;
	d.to = "ann@x.org";
	d.subject = "Re: Budget plan";
	d.body = "first words";
	d.in_reply_to = "m1@test.example";
	assert_int_equal(store_draft_save(fx->st, &d, T0 + 10, NULL), 0);
	assert_true(d.id > 0);
	assert_int_equal(d.created_at, T0 + 10);
	long long first = d.id;
	/* Saved again: the same row, a new time. */
	d.body = "first words, more words";
	assert_int_equal(store_draft_save(fx->st, &d, T0 + 20, NULL), 0);
	assert_int_equal(d.id, first);
	struct store_draft other;
	memset(&other, 0, sizeof(other));
	other.subject = "New mail";
	assert_int_equal(store_draft_save(fx->st, &other, T0 + 15, NULL), 0);
	assert_int_equal(store_draft_count(fx->st), 2);

	struct store_draft got;
	assert_int_equal(store_draft_get(fx->st, first, &got, NULL), 0);
	assert_string_equal(got.body, "first words, more words");
	assert_string_equal(got.account, "work");
	assert_string_equal(got.in_reply_to, "m1@test.example");
	assert_null(got.refs);
	assert_string_equal(got.cc, "");
	assert_int_equal(got.created_at, T0 + 10);
	assert_int_equal(got.updated_at, T0 + 20);
	store_draft_clear(&got);

	struct store_draft *list;
	size_t n;
	assert_int_equal(store_draft_list(fx->st, &list, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, first);   /* most recently changed first */
	assert_null(list[1].account);
	store_drafts_free(list, n);

	struct ebb_err err = { 0 };
	assert_int_equal(store_draft_delete(fx->st, first, NULL), 0);
	assert_int_equal(store_draft_delete(fx->st, first, &err), EBB_ENOENT);
	assert_int_equal(store_draft_get(fx->st, first, &got, &err), EBB_ENOENT);
	/* Saving a draft deleted elsewhere (sent from another ebb) says so. */
	assert_int_equal(store_draft_save(fx->st, &d, T0 + 30, &err), EBB_ENOENT);
	assert_non_null(strstr(err.msg, "is gone"));
	assert_int_equal(store_draft_count(fx->st), 1);
}

static long long conv_of(struct fixture *fx, const char *subject)
{
	struct store_search_query q = { .fts = NULL };
	char phrase[128];
	snprintf(phrase, sizeof(phrase), "subject:\"%s\"", subject);
	q.fts = phrase;
	struct conv_row *rows;
	size_t n;
	assert_int_equal(store_search_filtered(fx->st, &q, 10, &rows, &n, NULL), 0);
	assert_int_equal(n, 1);
	long long id = rows[0].id;
	store_conv_rows_free(rows, n);
	return id;
}

static void test_reply_override(void **state)
{
	struct fixture *fx = *state;
	long long id = conv_of(fx, "Lunch");
	int override;
	assert_int_equal(store_conv_reply_override(fx->st, id, &override, NULL), 0);
	assert_int_equal(override, -1);
	struct conv_row row;
	assert_int_equal(store_conv_get(fx->st, id, &row, NULL), 0);
	assert_int_equal(row.needs_reply, 1);
	store_conv_row_clear(&row);

	assert_int_equal(store_conv_set_reply_override(fx->st, id, 0, NULL, NULL, T0, NULL), 0);
	assert_int_equal(store_conv_reply_override(fx->st, id, &override, NULL), 0);
	assert_int_equal(override, 0);
	assert_int_equal(store_conv_get(fx->st, id, &row, NULL), 0);
	assert_int_equal(row.needs_reply, 0);
	store_conv_row_clear(&row);

	assert_int_equal(store_conv_set_reply_override(fx->st, id, -1, NULL, NULL, T0, NULL), 0);
	assert_int_equal(store_conv_get(fx->st, id, &row, NULL), 0);
	assert_int_equal(row.needs_reply, 1);
	store_conv_row_clear(&row);

	struct ebb_err err = { 0 };
	assert_int_equal(store_conv_set_reply_override(fx->st, 99999, 1, NULL, NULL, T0, &err),
			 EBB_ENOENT);
	assert_int_equal(store_conv_set_reply_override(fx->st, id, 2, NULL, NULL, T0, &err),
			 EBB_EINVAL);
}

static size_t search(struct fixture *fx, const struct store_search_query *q, const char *first)
{
	struct conv_row *rows;
	size_t n;
	struct ebb_err err = { 0 };
	assert_int_equal(store_search_filtered(fx->st, q, 100, &rows, &n, &err), 0);
	if (first) {
		assert_true(n > 0);
		assert_string_equal(rows[0].subject, first);
	}
	store_conv_rows_free(rows, n);
	return n;
}

static void test_search_filtered(void **state)
{
	struct fixture *fx = *state;
	struct store_search_query q = { .fts = "budget" };
	assert_int_equal(search(fx, &q, NULL), 2);
	/* to: looks at To and Cc; LIKE's wildcards in the user's text are text. */
	q.to = "dana";
	assert_int_equal(search(fx, &q, "Budget plan"), 1);
	q.to = "%";
	assert_int_equal(search(fx, &q, NULL), 0);
	q.to = NULL;
	/* in: a channel by name or remote id, or an account. */
	q.channel = "reviews";
	assert_int_equal(search(fx, &q, "Review: parser"), 1);
	q.channel = ".Reviews";
	assert_int_equal(search(fx, &q, NULL), 1);
	q.channel = "work";
	assert_int_equal(search(fx, &q, NULL), 2);
	q.channel = "nowhere";
	assert_int_equal(search(fx, &q, NULL), 0);
	q.channel = NULL;
	/* Dates: [after, before). */
	q.after = T0 + 86400;
	assert_int_equal(search(fx, &q, "Review: parser"), 1);
	q.after = 0;
	q.before = T0 + 1;
	assert_int_equal(search(fx, &q, "Budget plan"), 1);
	/* Filters alone: newest first. */
	struct store_search_query only = { .to = "sam@x.org", .before = T0 + 3 * 86400 };
	assert_int_equal(search(fx, &only, "Review: parser"), 3);
	/* A user's text with quotes and SQL in it is just text. */
	struct store_search_query sql = { .fts = "\"x'); DROP TABLE message; --\"" };
	assert_int_equal(search(fx, &sql, NULL), 0);
	struct store_search_query still = { .fts = "pizza" };
	assert_int_equal(search(fx, &still, "Lunch"), 1);
	/* What FTS5 cannot parse, and nothing at all, are errors. */
	struct ebb_err err = { 0 };
	struct conv_row *rows;
	size_t n;
	struct store_search_query broken = { .fts = "\"open" };
	assert_int_equal(store_search_filtered(fx->st, &broken, 10, &rows, &n, &err), EBB_EINVAL);
	assert_true(strncmp(err.msg, "search: ", 8) == 0);
	struct store_search_query empty = { .fts = "  " };
	assert_int_equal(store_search_filtered(fx->st, &empty, 10, &rows, &n, &err), EBB_EINVAL);
}

static void test_channel_list(void **state)
{
	struct fixture *fx = *state;
	struct store_channel *chans;
	size_t nchans;
	assert_int_equal(store_channel_list(fx->st, fx->account, &chans, &nchans, NULL), 0);
	long long reviews = 0;
	for (size_t i = 0; i < nchans; i++)
		if (!strcmp(chans[i].remote_id, ".Reviews"))
			reviews = chans[i].id;
	store_channel_list_free(chans, nchans);
	assert_true(reviews > 0);
	assert_int_equal(store_conv_count_channel(fx->st, reviews), 26);

	/* Pages of 10 forward, newest first, then back again. */
	long long seen[40];
	size_t total = 0;
	struct conv_cursor cur;
	int have = 0;
	for (;;) {
		struct conv_row *rows;
		size_t n;
		assert_int_equal(store_conv_list_channel(fx->st, reviews, have ? &cur : NULL, 0, 10,
							 &rows, &n, NULL), 0);
		for (size_t i = 0; i < n; i++) {
			assert_true(total < 40);
			if (total)
				assert_true(rows[i].last_at <= rows[i > 0 ? i - 1 : 0].last_at);
			seen[total++] = rows[i].id;
		}
		if (n) {
			cur.sort_key = rows[n - 1].sort_key;
			cur.id = rows[n - 1].id;
			have = 1;
		}
		store_conv_rows_free(rows, n);
		if (n < 10)
			break;
	}
	assert_int_equal(total, 26);
	struct conv_row *rows;
	size_t n;
	assert_int_equal(store_conv_list_channel(fx->st, reviews, &cur, 1, 5, &rows, &n, NULL), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rows[i].id, seen[20 + i]);   /* display order */
	store_conv_rows_free(rows, n);
	/* Done conversations leave the channel's list. */
	assert_int_equal(store_conv_set_state(fx->st, seen[0], CONV_DONE, 0, T0, NULL), 0);
	assert_int_equal(store_conv_count_channel(fx->st, reviews), 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drafts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_filtered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channel_list, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
