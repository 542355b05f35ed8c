/* Unit tests for chat in the outbox: sync_queue_chat (payload, txn id stored
 * before any attempt, release rule, refusals), the payload as providers
 * read it back, the held items handed to Slack's scheduler
 * (outbox_handover_list) and the thread key a chat reply goes to. */
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
#include "providers/chat_int.h"
#include "sync/sync_int.h"

#define NOW ((time_t)1795521600)      /* Tue 2026-11-24 12:00 UTC */
#define BLOCK ((time_t)1795536000)    /* 16:00, the next reply block */

static const char conf[] =
	"[hours]\n"
	"work = Mon-Fri 09:00-17:00\n"
	"blocks = 11:00-11:30, 16:00-16:45\n"
	"tz = UTC\n"
	"[account.team]\n"
	"kind = slack\n"
	"token_cmd = echo x\n"
	"server_schedule = yes\n"
	"[account.chat]\n"
	"kind = matrix\n"
	"url = https://matrix.example.org\n"
	"token_cmd = echo x\n"
	"[account.mail]\n"
	"kind = maildir\n"
	"path = /nonexistent\n";

struct fx {
	struct ebb_config *cfg;
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct ebb_err err = {0};
	if (!f || config_load_string(conf, strlen(conf), "test.conf", &f->cfg, &err) ||
	    store_open(":memory:", &f->st, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
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

static void test_queue(void **state)
{
	struct fx *f = *state;
	const struct account_cfg *team = config_account(f->cfg, "team");
	assert_non_null(team);
	assert_int_equal(team->server_schedule, 1);
	struct queued_chat q1, q2;
	struct ebb_err err = {0};
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "D0ANN", "Thursday & <fine>\n\n",
					 "1795514400.000400", NULL, RELEASE_NEXT_BLOCK, 0, NOW, &q1,
					 &err), EBB_OK);
	assert_true(q1.id > 0);
	assert_int_equal(q1.release_at, BLOCK);             /* outside a block: held */
	assert_int_equal(strlen(q1.txn_id), 36);
	assert_memory_equal(q1.txn_id, "ebb-", 4);
	assert_int_equal(strspn(q1.txn_id + 4, "0123456789abcdef"), 32);
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "D0ANN", "again", NULL, NULL,
					 RELEASE_NOW, 0, NOW, &q2, &err), EBB_OK);
	assert_int_equal(q2.release_at, NOW);
	assert_string_not_equal(q1.txn_id, q2.txn_id);     /* 128 random bits each */

	struct outbox_item it;
	assert_int_equal(store_outbox_get(f->st, q1.id, &it, &err), EBB_OK);
	assert_int_equal(it.state, OUTBOX_HELD);
	assert_string_equal(it.txn_id, q1.txn_id);          /* stored before any attempt */
	assert_null(it.msgid);
	struct chat_payload pl;
	assert_int_equal(chat_payload_parse(&it, "slack", &pl, &err), EBB_OK);
	assert_string_equal(pl.channel, "D0ANN");
	assert_string_equal(pl.text, "Thursday & <fine>");  /* trailing blank lines cut */
	assert_string_equal(pl.thread, "1795514400.000400");
	assert_null(pl.reply_to);
	chat_payload_free(&pl);
	/* A damaged row is refused with a sentence, not read half. */
	free(it.payload);
	it.payload = strdup("{\"channel\": 5, \"text\": \"x\"}");
	it.payload_len = strlen(it.payload);
	assert_int_equal(chat_payload_parse(&it, "slack", &pl, &err), EBB_EINVAL);
	assert_non_null(strstr(err.msg, "is not a chat message"));
	free(it.txn_id);
	it.txn_id = NULL;
	assert_int_equal(chat_payload_parse(&it, "slack", &pl, &err), EBB_EINVAL);
	assert_non_null(strstr(err.msg, "no transaction id"));
	store_outbox_item_clear(&it);
}

static void test_queue_refusals(void **state)
{
	struct fx *f = *state;
	const struct account_cfg *team = config_account(f->cfg, "team");
	const struct account_cfg *mail = config_account(f->cfg, "mail");
	struct queued_chat q;
	struct ebb_err err = {0};
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "D0ANN", " \n\t", NULL, NULL,
					 RELEASE_NOW, 0, NOW, &q, &err), EBB_EINVAL);
	assert_string_equal(err.msg, "the message is empty");
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "D0 ANN", "x", NULL, NULL,
					 RELEASE_NOW, 0, NOW, &q, &err), EBB_EINVAL);
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "", "x", NULL, NULL, RELEASE_NOW,
					 0, NOW, &q, &err), EBB_EINVAL);
	assert_int_equal(sync_queue_chat(f->cfg, f->st, mail, 0, "INBOX", "x", NULL, NULL,
					 RELEASE_NOW, 0, NOW, &q, &err), EBB_EINVAL);
	assert_non_null(strstr(err.msg, "not a chat account"));
	char *big = malloc(40002);
	assert_non_null(big);
	memset(big, 'a', 40001);
	big[40001] = '\0';
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "D0ANN", big, NULL, NULL,
					 RELEASE_NOW, 0, NOW, &q, &err), EBB_ETOOBIG);
	free(big);
	assert_int_equal(store_outbox_count(f->st, OUTBOX_QUEUED), 0);
}

static void test_handover(void **state)
{
	struct fx *f = *state;
	const struct account_cfg *team = config_account(f->cfg, "team");
	const struct account_cfg *chat = config_account(f->cfg, "chat");
	struct queued_chat far, near, mx, now_item;
	struct ebb_err err = {0};
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "D0ANN", "at 16:00", NULL, NULL,
					 RELEASE_NEXT_BLOCK, 0, NOW, &far, &err), EBB_OK);
	/* Released 100 s from now: not worth the server's scheduler. */
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "D0ANN", "soon", NULL, NULL,
					 RELEASE_AT, NOW + 100, NOW, &near, &err), EBB_OK);
	assert_int_equal(sync_queue_chat(f->cfg, f->st, chat, 0, "!dm:test.local", "matrix", NULL,
					 NULL, RELEASE_NEXT_BLOCK, 0, NOW, &mx, &err), EBB_OK);
	assert_int_equal(sync_queue_chat(f->cfg, f->st, team, 0, "D0ANN", "now", NULL, NULL,
					 RELEASE_NOW, 0, NOW, &now_item, &err), EBB_OK);
	struct outbox_handover *h;
	size_t n;
	assert_int_equal(outbox_handover_list(f->cfg, f->st, NOW, &h, &n, &err), EBB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].id, far.id);
	assert_string_equal(h[0].policy, "next_block");
	free(h);
	struct outbox_item it;
	assert_int_equal(store_outbox_get(f->st, far.id, &it, &err), EBB_OK);
	assert_string_equal(it.release_policy, "server");   /* marked before the handover */
	assert_int_equal(it.state, OUTBOX_HELD);
	assert_int_equal(it.release_at, BLOCK);
	store_outbox_item_clear(&it);
	assert_int_equal(store_outbox_get(f->st, near.id, &it, &err), EBB_OK);
	assert_string_equal(it.release_policy, "at");
	store_outbox_item_clear(&it);
	/* A flush that stopped before the handover: the item comes again. */
	assert_int_equal(outbox_handover_list(f->cfg, f->st, NOW, &h, &n, &err), EBB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].id, far.id);
	assert_string_equal(h[0].policy, "at");
	free(h);
	/* Once the release is close, nothing is handed over any more. */
	assert_int_equal(outbox_handover_list(f->cfg, f->st, BLOCK - 60, &h, &n, &err), EBB_OK);
	assert_int_equal(n, 0);
	free(h);
}

static void test_thread_key(void **state)
{
	struct fx *f = *state;
	long long acc;
	struct ebb_err err = {0};
	assert_int_equal(store_account_ensure(f->st, "team", "slack", &acc, &err), EBB_OK);
	struct store_batch b = {0};
	struct batch_channel c = {.remote_id = "C0GEN", .name = "general"};
	struct batch_msg m = {.channel = "C0GEN", .remote_id = "1795514460.000500",
			      .thread_hint = "C0GEN:1795514400.000400", .sender = "u0bob",
			      .subject = "Which build?", .sent_at = NOW - 3600, .body = "42"};
	assert_int_equal(batch_add_channel(&b, &c), EBB_OK);
	assert_int_equal(batch_add_msg(&b, &m), EBB_OK);
	struct batch_result res;
	assert_int_equal(store_apply_batch(f->st, acc, &b, NULL, NULL, &res, &err), EBB_OK);
	batch_free(&b);
	struct conv_row *rows;
	size_t n;
	assert_int_equal(store_conv_list(f->st, VIEW_ALL, NULL, 10, &rows, &n, &err), EBB_OK);
	assert_int_equal(n, 1);
	char *key;
	assert_int_equal(store_conv_thread_key(f->st, rows[0].id, &key, &err), EBB_OK);
	assert_string_equal(key, "t:C0GEN:1795514400.000400");
	free(key);
	assert_int_equal(store_conv_thread_key(f->st, rows[0].id + 100, &key, &err), EBB_ENOENT);
	assert_null(key);
	store_conv_rows_free(rows, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_key, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
