/* test_store_outbox_edit: store_outbox_take_to_draft, the one step that
 * takes a waiting item back to edit: cancelled and a draft, or nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ebb/store.h"

#define T0 ((time_t)1795000000)

struct fixture {
	struct store *st;
	long long account;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	assert_int_equal(store_open(":memory:", &fx->st, NULL), 0);
	assert_int_equal(store_account_ensure(fx->st, "work", "maildir", &fx->account, NULL), 0);
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

/* release_at after now: held; at now: queued. */
static long long add_item(struct fixture *fx, time_t release_at)
{
	static const char payload[] = "To: ann@x.org\nSubject: Plan\n\nold text\n";
	struct outbox_new n = {
		.account_id = fx->account, .payload = payload, .payload_len = strlen(payload),
		.release_policy = "next_block", .release_at = release_at, .msgid = "a@x.org",
	};
	long long id = 0;
	assert_int_equal(store_outbox_add(fx->st, &n, T0, &id, NULL), 0);
	assert_true(id > 0);
	return id;
}

static enum outbox_state state_of(struct fixture *fx, long long id)
{
	struct outbox_item it;
	assert_int_equal(store_outbox_get(fx->st, id, &it, NULL), 0);
	enum outbox_state s = it.state;
	store_outbox_item_clear(&it);
	return s;
}

static void draft_fill(struct store_draft *d, long long account, const char *body)
{
	memset(d, 0, sizeof(*d));
	d->account_id = account;
	d->to = strdup("ann@x.org");
	d->subject = strdup("Plan");
	d->body = strdup(body);
	d->in_reply_to = strdup("q@x.org");
	assert_non_null(d->to);
	assert_non_null(d->subject);
	assert_non_null(d->body);
	assert_non_null(d->in_reply_to);
}

static void test_take_held(void **state)
{
	struct fixture *fx = *state;
	long long id = add_item(fx, T0 + 3600);
	assert_int_equal(state_of(fx, id), OUTBOX_HELD);
	struct store_draft d;
	draft_fill(&d, fx->account, "old text\n");
	struct ebb_err err = { 0 };
	assert_int_equal(store_outbox_take_to_draft(fx->st, id, &d, T0 + 10, &err), 0);
	assert_true(d.id > 0);
	assert_int_equal(state_of(fx, id), OUTBOX_CANCELLED);
	/* Not due any more, even after its release time. */
	long long *ids;
	size_t n;
	assert_int_equal(store_outbox_due(fx->st, T0 + 7200, &ids, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(ids);
	struct store_draft got;
	assert_int_equal(store_draft_get(fx->st, d.id, &got, NULL), 0);
	assert_string_equal(got.body, "old text\n");
	assert_string_equal(got.in_reply_to, "q@x.org");
	assert_string_equal(got.account, "work");
	assert_int_equal(got.created_at, T0 + 10);
	store_draft_clear(&got);
	store_draft_clear(&d);
	assert_int_equal(store_draft_count(fx->st), 1);
}

static void test_take_queued_and_failed(void **state)
{
	struct fixture *fx = *state;
	long long queued = add_item(fx, T0);
	assert_int_equal(state_of(fx, queued), OUTBOX_QUEUED);
	long long failed = add_item(fx, T0);
	assert_int_equal(store_outbox_claim(fx->st, failed, T0, NULL), 0);
	assert_int_equal(store_outbox_finish(fx->st, failed, OUTBOX_FAILED, "refused", T0, NULL),
			 0);
	struct store_draft d;
	draft_fill(&d, fx->account, "a");
	assert_int_equal(store_outbox_take_to_draft(fx->st, queued, &d, T0, NULL), 0);
	store_draft_clear(&d);
	draft_fill(&d, fx->account, "b");
	assert_int_equal(store_outbox_take_to_draft(fx->st, failed, &d, T0, NULL), 0);
	store_draft_clear(&d);
	assert_int_equal(state_of(fx, queued), OUTBOX_CANCELLED);
	assert_int_equal(state_of(fx, failed), OUTBOX_CANCELLED);
	assert_int_equal(store_draft_count(fx->st), 2);
}

/* The outbox thread claimed it first: no draft, the send goes on. */
static void test_refuses_sending(void **state)
{
	struct fixture *fx = *state;
	long long id = add_item(fx, T0);
	assert_int_equal(store_outbox_claim(fx->st, id, T0, NULL), 0);
	struct store_draft d;
	draft_fill(&d, fx->account, "x");
	struct ebb_err err = { 0 };
	assert_int_equal(store_outbox_take_to_draft(fx->st, id, &d, T0, &err), EBB_EBUSY);
	assert_int_equal(err.code, EBB_EBUSY);
	assert_non_null(strstr(err.msg, "being sent"));
	assert_int_equal(d.id, 0);
	assert_int_equal(state_of(fx, id), OUTBOX_SENDING);
	assert_int_equal(store_draft_count(fx->st), 0);
	/* The send can still finish normally. */
	assert_int_equal(store_outbox_finish(fx->st, id, OUTBOX_SENT, NULL, T0, NULL), 0);
	store_draft_clear(&d);
}

static void test_refuses_done_and_gone(void **state)
{
	struct fixture *fx = *state;
	long long sent = add_item(fx, T0);
	assert_int_equal(store_outbox_claim(fx->st, sent, T0, NULL), 0);
	assert_int_equal(store_outbox_finish(fx->st, sent, OUTBOX_SENT, NULL, T0, NULL), 0);
	long long uncertain = add_item(fx, T0);
	assert_int_equal(store_outbox_claim(fx->st, uncertain, T0, NULL), 0);
	assert_int_equal(store_outbox_finish(fx->st, uncertain, OUTBOX_UNCERTAIN, "timeout", T0,
					     NULL), 0);
	long long cancelled = add_item(fx, T0 + 60);
	assert_int_equal(store_outbox_cancel(fx->st, cancelled, NULL), 0);
	const long long ids[] = { sent, uncertain, cancelled, 99999 };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct store_draft d;
		draft_fill(&d, fx->account, "x");
		assert_int_equal(store_outbox_take_to_draft(fx->st, ids[i], &d, T0, NULL), EBB_EBUSY);
		assert_int_equal(d.id, 0);
		store_draft_clear(&d);
	}
	assert_int_equal(state_of(fx, sent), OUTBOX_SENT);
	assert_int_equal(state_of(fx, uncertain), OUTBOX_UNCERTAIN);
	assert_int_equal(store_draft_count(fx->st), 0);
}

/* A draft the store refuses leaves the item waiting: nothing is lost. */
static void test_draft_refused_keeps_item(void **state)
{
	struct fixture *fx = *state;
	long long id = add_item(fx, T0 + 3600);
	struct store_draft d;
	draft_fill(&d, fx->account, "x");
	size_t big = 16u * 1024 * 1024 + 1;
	char *body = malloc(big + 1);
	assert_non_null(body);
	memset(body, 'a', big);
	body[big] = '\0';
	free(d.body);
	d.body = body;
	struct ebb_err err = { 0 };
	assert_int_equal(store_outbox_take_to_draft(fx->st, id, &d, T0, &err), EBB_ETOOBIG);
	assert_int_equal(d.id, 0);
	assert_int_equal(state_of(fx, id), OUTBOX_HELD);
	assert_int_equal(store_draft_count(fx->st), 0);
	store_draft_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_queued_and_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_done_and_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_draft_refused_keeps_item, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
