/* test_ui_inbox: the inbox pane's keyset paging on a real store (no screen),
 * opening a thread, and the action table with its key names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/ui/ui_internal.h"

#define NCONV 230
#define PAGE 10
#define T0 1795000000

struct fixture {
	char dir[64];
	char db[128];
	struct ebb_config *cfg;
	struct ui ui;
	struct pane pane;
	long long order[NCONV];   /* conversation ids of the Due view, in order */
};

/* Every conversation owes a reply, due an hour after it arrived. */
static void due_rule(void *ctx, const struct conv_facts *f, struct conv_due *out)
{
	(void)ctx;
	out->tier = "email";
	out->needs_reply = !f->last_from_me;
	out->due_at = f->waiting_since + 3600;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_ui_inbox.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof(fx->db), "%s/ebb.db", fx->dir);
	/* The account is in the config too: replies and channel views look it up. */
	static const char config_text[] = "[hours]\ntz = UTC\n"
					  "[account.test]\nkind = maildir\npath = /nonexistent\n"
					  "from = me@test.example\nme = me@test.example\n";
	assert_int_equal(config_load_string(config_text, strlen(config_text), "test",
					    &fx->cfg, NULL), 0);
	assert_int_equal(store_open(fx->db, &fx->ui.st, NULL), 0);

	long long account;
	assert_int_equal(store_account_ensure(fx->ui.st, "test", "maildir", &account, NULL), 0);
	struct store_batch b;
	memset(&b, 0, sizeof(b));
	struct batch_channel ch = { .remote_id = "INBOX", .name = "INBOX", .tier = "email" };
	assert_int_equal(batch_add_channel(&b, &ch), 0);
	for (int i = 0; i < NCONV; i++) {
		char rid[32], msgid[64], subject[64], sender[64];
		snprintf(rid, sizeof(rid), "%d", i + 1);
		snprintf(msgid, sizeof(msgid), "m%d@test.example", i);
		/* Distinct words, so subject threading never joins two. */
		snprintf(subject, sizeof(subject), "Topic %c%c%d", 'a' + i % 26, 'a' + i / 26, i);
		snprintf(sender, sizeof(sender), "p%d@test.example", i);
		struct batch_msg m = {
			.channel = "INBOX", .remote_id = rid, .msgid = msgid, .sender = sender,
			.sender_name = sender, .recipients = "me@test.example", .subject = subject,
			/* Arrival order differs from id order, to catch id-only paging. */
			.sent_at = T0 + (time_t)((i * 37) % NCONV) * 60, .to_me = 1,
		};
		assert_int_equal(batch_add_msg(&b, &m), 0);
	}
	struct batch_result res;
	assert_int_equal(store_apply_batch(fx->ui.st, account, &b, due_rule, NULL, &res, NULL), 0);
	batch_free(&b);

	struct conv_row *rows;
	size_t n;
	assert_int_equal(store_conv_list(fx->ui.st, VIEW_DUE, NULL, NCONV + 10, &rows, &n, NULL), 0);
	assert_int_equal(n, NCONV);
	for (size_t i = 0; i < n; i++)
		fx->order[i] = rows[i].id;
	store_conv_rows_free(rows, n);

	fx->ui.cfg = fx->cfg;
	fx->ui.lines = PAGE + 2;
	fx->ui.cols = 100;
	fx->ui.now = T0 + 86400;
	assert_int_equal(keymap_init(&fx->ui.keys, NULL), 0);
	fx->pane.ops = &pane_inbox_ops;
	fx->pane.ui = &fx->ui;
	fx->pane.top = 1;
	fx->pane.lines = PAGE;
	fx->pane.cols = 100;
	fx->ui.stack[0] = &fx->pane;
	fx->ui.npanes = 1;
	assert_int_equal(pane_inbox_ops.init(&fx->pane, NULL, NULL), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	/* Panes the tests opened on top of the inbox. */
	while (fx->ui.npanes > 1)
		ui_pop(&fx->ui);
	pane_inbox_ops.close(&fx->pane);
	ui_triage_free(&fx->ui);
	store_close(fx->ui.st);
	config_free(fx->cfg);
	char path[160];
	const char *suffixes[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", fx->db, suffixes[i]);
		unlink(path);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void act(struct fixture *fx, enum ui_action a)
{
	assert_int_equal(fx->pane.ops->handle_action(&fx->pane, a), 1);
	assert_string_equal(fx->ui.error, "");
}

static void test_first_screen_is_small(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[0]);
	/* The screen plus one page, not the whole view. */
	assert_true(pane_inbox_held(&fx->pane) <= 2 * PAGE);
	assert_true(pane_inbox_held(&fx->pane) >= PAGE);
	char title[64];
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "Due (230)");
}

static void test_walk_down_and_up(void **state)
{
	struct fixture *fx = *state;
	for (int i = 1; i < NCONV; i++) {
		act(fx, ACT_MOVE_DOWN);
		assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[i]);
		assert_true(pane_inbox_held(&fx->pane) <= 5 * PAGE);
	}
	act(fx, ACT_MOVE_DOWN);   /* past the end stays on the last row */
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[NCONV - 1]);
	for (int i = NCONV - 2; i >= 0; i--) {
		act(fx, ACT_MOVE_UP);
		assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[i]);
		assert_true(pane_inbox_held(&fx->pane) <= 5 * PAGE);
	}
	act(fx, ACT_MOVE_UP);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[0]);
}

static void test_jumps_and_pages(void **state)
{
	struct fixture *fx = *state;
	act(fx, ACT_LAST);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[NCONV - 1]);
	assert_true(pane_inbox_held(&fx->pane) <= 5 * PAGE);
	act(fx, ACT_PAGE_UP);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[NCONV - 1 - PAGE]);
	/* Scrolling up from the end pages backwards all the way to the top. */
	for (int i = 0; i < NCONV / PAGE + 2; i++)
		act(fx, ACT_PAGE_UP);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[0]);
	act(fx, ACT_PAGE_DOWN);
	act(fx, ACT_PAGE_DOWN);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[2 * PAGE]);
	act(fx, ACT_FIRST);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[0]);
	/* G from far down, then g from far down: both reload cheaply. */
	for (int i = 0; i < 10; i++)
		act(fx, ACT_PAGE_DOWN);
	act(fx, ACT_FIRST);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[0]);
}

static void test_reload_keeps_selection(void **state)
{
	struct fixture *fx = *state;
	for (int i = 0; i < 57; i++)
		act(fx, ACT_MOVE_DOWN);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[57]);
	/* Rows above and below go away (done elsewhere, e.g. by the CLI). */
	assert_int_equal(store_conv_set_state(fx->ui.st, fx->order[50], CONV_DONE, 0, T0, NULL), 0);
	assert_int_equal(store_conv_set_state(fx->ui.st, fx->order[60], CONV_DONE, 0, T0, NULL), 0);
	pane_inbox_ops.reload(&fx->pane);
	assert_string_equal(fx->ui.error, "");
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[57]);
	char title[64];
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "Due (228)");
	act(fx, ACT_MOVE_DOWN);
	act(fx, ACT_MOVE_DOWN);
	act(fx, ACT_MOVE_DOWN);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[61]);
	/* The selected row itself goes: the selection stays in place. */
	assert_int_equal(store_conv_set_state(fx->ui.st, fx->order[61], CONV_DONE, 0, T0, NULL), 0);
	pane_inbox_ops.reload(&fx->pane);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[62]);
}

static void test_resize_and_views(void **state)
{
	struct fixture *fx = *state;
	for (int i = 0; i < 25; i++)
		act(fx, ACT_MOVE_DOWN);
	/* A 5-line terminal leaves three rows; the selection stays. */
	fx->pane.lines = 3;
	pane_inbox_ops.layout(&fx->pane, 3, 20);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[25]);
	act(fx, ACT_PAGE_DOWN);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[28]);
	fx->pane.lines = 0;
	pane_inbox_ops.layout(&fx->pane, 0, 20);
	act(fx, ACT_MOVE_DOWN);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[29]);
	fx->pane.lines = PAGE;
	pane_inbox_ops.layout(&fx->pane, PAGE, 100);

	assert_int_equal(store_conv_set_state(fx->ui.st, fx->order[3], CONV_WAITING, 0, T0, NULL), 0);
	/* Views are switched by the global handler, which switches the root. */
	ui_global_action(&fx->ui, ACT_VIEW_WAITING);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[3]);
	assert_int_equal(pane_inbox_held(&fx->pane), 1);
	ui_global_action(&fx->ui, ACT_VIEW_SNOOZED);
	assert_int_equal(pane_inbox_selected(&fx->pane), 0);
	act(fx, ACT_MOVE_DOWN);   /* on an empty list: nothing happens */
	act(fx, ACT_LAST);
	assert_int_equal(pane_inbox_selected(&fx->pane), 0);
	ui_global_action(&fx->ui, ACT_VIEW_DUE);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[0]);
}

static void test_open_thread(void **state)
{
	struct fixture *fx = *state;
	act(fx, ACT_MOVE_DOWN);
	act(fx, ACT_OPEN);
	assert_int_equal(fx->ui.npanes, 2);
	struct pane *thread = fx->ui.stack[1];
	assert_ptr_equal(thread->ops, &pane_thread_ops);
	struct conv_row conv;
	assert_int_equal(store_conv_get(fx->ui.st, fx->order[1], &conv, NULL), 0);
	char title[128];
	thread->ops->title(thread, title, sizeof(title));
	assert_string_equal(title, conv.subject);
	/* Opening marks it read. */
	assert_int_equal(conv.unread, 0);
	store_conv_row_clear(&conv);
	ui_pop(&fx->ui);
	assert_int_equal(fx->ui.npanes, 1);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[1]);
}

static void test_action_table(void **state)
{
	(void)state;
	struct keymap km;
	assert_int_equal(keymap_init(&km, NULL), 0);
	size_t n;
	const struct ui_action_def *defs = keys_actions(&n);
	assert_int_equal(n, ACT_COUNT - 1);
	for (size_t i = 0; i < n; i++) {
		int key;
		/* Every action is reachable by its default key in its scope, and
		 * no default key is taken by two actions of one scope (the later
		 * would silently win). */
		assert_int_equal(keys_parse(defs[i].key, &key), 0);
		assert_int_equal(keymap_lookup(&km, defs[i].scope, key), defs[i].action);
		if (defs[i].alt_key) {
			assert_int_equal(keys_parse(defs[i].alt_key, &key), 0);
			assert_int_equal(keymap_lookup(&km, defs[i].scope, key), defs[i].action);
		}
		assert_ptr_equal(keys_action_by_name(defs[i].name), &defs[i]);
		assert_ptr_equal(keys_action_def(defs[i].action), &defs[i]);
		assert_true(strlen(defs[i].help) > 0);
	}
	assert_null(keys_action_by_name("no-such-action"));
	char keys[64];
	keymap_keys_of(&km, ACT_MOVE_DOWN, 0, keys, sizeof(keys));
	assert_string_equal(keys, "j, Down");
	keymap_keys_of(&km, ACT_MOVE_DOWN, 1, keys, sizeof(keys));
	assert_string_equal(keys, "j");
	/* Rebinding a key moves it to the new action. */
	int key;
	assert_int_equal(keys_parse("j", &key), 0);
	assert_int_equal(keymap_bind(&km, key, ACT_QUIT, NULL), 0);
	assert_int_equal(keymap_lookup(&km, SCOPE_GLOBAL, key), ACT_QUIT);
	keymap_keys_of(&km, ACT_MOVE_DOWN, 0, keys, sizeof(keys));
	assert_string_equal(keys, "Down");
	/* A scope's own binding comes first, the global one elsewhere: c
	 * cancels in the outbox and composes in a list. */
	assert_int_equal(keys_parse("c", &key), 0);
	assert_int_equal(keymap_lookup(&km, SCOPE_OUTBOX, key), ACT_OUTBOX_CANCEL);
	assert_int_equal(keymap_lookup(&km, SCOPE_LIST, key), ACT_COMPOSE);
	assert_int_equal(keys_parse("Space", &key), 0);
	assert_int_equal(keymap_lookup(&km, SCOPE_LIST, key), ACT_MARK);
	assert_int_equal(keymap_lookup(&km, SCOPE_THREAD, key), ACT_PAGE_DOWN);
}

static void test_keys_config(void **state)
{
	(void)state;
	struct keymap km;
	assert_int_equal(keymap_init(&km, NULL), 0);
	struct config_kv kvs[] = {
		{ .key = "done", .value = "D", .line = 3 },
		{ .key = "snooze", .value = "z, ^Z", .line = 4 },
		{ .key = "no-such-thing", .value = "x", .line = 5 },
		{ .key = "later", .value = "NotAKey", .line = 6 },
	};
	struct ebb_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.keys = kvs;
	cfg.nkeys = sizeof(kvs) / sizeof(kvs[0]);
	struct ebb_err err = { 0 };
	assert_int_equal(keymap_apply_config(&km, &cfg, &err), EBB_EINVAL);
	/* The first bad line is named; the good ones were applied anyway. */
	assert_non_null(strstr(err.msg, "line 5"));
	assert_non_null(strstr(err.msg, "no-such-thing"));
	int key;
	assert_int_equal(keys_parse("D", &key), 0);
	assert_int_equal(keymap_lookup(&km, SCOPE_LIST, key), ACT_DONE);
	assert_int_equal(keys_parse("d", &key), 0);
	assert_int_equal(keymap_lookup(&km, SCOPE_LIST, key), ACT_NONE);
	char keys[64];
	keymap_keys_of(&km, ACT_SNOOZE, 0, keys, sizeof(keys));
	assert_string_equal(keys, "z, ^Z");
	/* In the thread, its own z (toggle-quotes) still wins over snooze. */
	assert_int_equal(keys_parse("z", &key), 0);
	assert_int_equal(keymap_lookup(&km, SCOPE_THREAD, key), ACT_TOGGLE_QUOTES);
	/* later kept its key: its line was bad. */
	keymap_keys_of(&km, ACT_LATER, 0, keys, sizeof(keys));
	assert_string_equal(keys, "l");
	/* Only the bad line's error: a config with only good lines passes. */
	cfg.nkeys = 2;
	assert_int_equal(keymap_apply_config(&km, &cfg, &err), EBB_OK);
}

static void test_key_names(void **state)
{
	(void)state;
	static const char *const names[] = { "j", "G", "?", "^L", "Enter", "Space", "Tab", "Esc",
					     "Backspace", "Up", "Down", "PgUp", "PgDn", "Home",
					     "End", "F1", "F12", "\xC3\xA9" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int key;
		char back[32];
		assert_int_equal(keys_parse(names[i], &key), 0);
		keys_name(key, back, sizeof(back));
		assert_string_equal(back, names[i]);
	}
	int key;
	assert_int_equal(keys_parse("^l", &key), 0);
	assert_int_equal(key, 12);
	assert_int_equal(keys_parse("enter", &key), 0);
	assert_int_equal(key, '\n');
	assert_int_equal(keys_parse("j", &key), 0);
	assert_int_equal(key, 'j');
	assert_int_equal(keys_parse("", &key), EBB_EINVAL);
	assert_int_equal(keys_parse("jk", &key), EBB_EINVAL);
	assert_int_equal(keys_parse("^1", &key), EBB_EINVAL);
	assert_int_equal(keys_parse("F13", &key), EBB_EINVAL);
	assert_int_equal(keys_parse("\x1b", &key), EBB_EINVAL);
	assert_int_equal(keys_parse("\xC2\x9B", &key), EBB_EINVAL);
	assert_int_equal(keys_parse("\xFF", &key), EBB_EINVAL);
}

static enum conv_state state_of(struct fixture *fx, long long id)
{
	struct conv_row row;
	assert_int_equal(store_conv_get(fx->ui.st, id, &row, NULL), 0);
	enum conv_state s = row.state;
	store_conv_row_clear(&row);
	return s;
}

static time_t until_of(struct fixture *fx, long long id)
{
	struct conv_row row;
	assert_int_equal(store_conv_get(fx->ui.st, id, &row, NULL), 0);
	time_t t = row.snooze_until;
	store_conv_row_clear(&row);
	return t;
}

static void type_text(struct fixture *fx, const char *text)
{
	for (const char *p = text; *p; p++)
		ui_modal_key(&fx->ui, (unsigned char)*p);
}

static void test_triage_and_undo(void **state)
{
	struct fixture *fx = *state;
	act(fx, ACT_MOVE_DOWN);
	assert_int_equal(fx->pane.ops->handle_action(&fx->pane, ACT_DONE), 1);
	assert_int_equal(state_of(fx, fx->order[1]), CONV_DONE);
	assert_string_equal(fx->ui.error, "");
	assert_true(strncmp(fx->ui.message, "Done: Topic", 11) == 0);
	assert_non_null(strstr(fx->ui.message, "u to undo"));
	/* The list followed: one row fewer, the next one selected. */
	char title[64];
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "Due (229)");
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[2]);

	/* Marks: x on two rows, then l moves both and clears the marks. */
	act(fx, ACT_FIRST);
	act(fx, ACT_MARK);   /* marks order[0], moves to order[2] */
	act(fx, ACT_MARK);
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "Due (229) \xC2\xB7 2 marked");
	assert_int_equal(fx->pane.ops->handle_action(&fx->pane, ACT_LATER), 1);
	assert_int_equal(state_of(fx, fx->order[0]), CONV_LATER);
	assert_int_equal(state_of(fx, fx->order[2]), CONV_LATER);
	assert_int_equal(state_of(fx, fx->order[3]), CONV_INBOX);
	assert_string_equal(fx->ui.message, "Later: 2 conversations \xE2\x80\x94 u to undo");
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "Due (227)");

	/* Undo walks back: first the later, then the done, then nothing;
	 * committed, so another connection (the CLI, sync) sees it. */
	assert_int_equal(ui_undo(&fx->ui), 0);
	struct store *other;
	assert_int_equal(store_open(fx->db, &other, NULL), 0);
	struct conv_row row;
	assert_int_equal(store_conv_get(other, fx->order[0], &row, NULL), 0);
	assert_int_equal(row.state, CONV_INBOX);
	store_conv_row_clear(&row);
	store_close(other);
	assert_int_equal(state_of(fx, fx->order[0]), CONV_INBOX);
	assert_int_equal(state_of(fx, fx->order[2]), CONV_INBOX);
	assert_int_equal(state_of(fx, fx->order[1]), CONV_DONE);
	assert_int_equal(ui_undo(&fx->ui), 0);
	assert_int_equal(state_of(fx, fx->order[1]), CONV_INBOX);
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "Due (230)");
	assert_int_equal(ui_undo(&fx->ui), 0);
	assert_string_equal(fx->ui.message, "Nothing to undo");
}

static void test_snooze_and_waiting(void **state)
{
	struct fixture *fx = *state;
	time_t tomorrow;
	assert_int_equal(ui_parse_when(fx->cfg, "tomorrow", fx->ui.now, &tomorrow), 0);
	act(fx, ACT_SNOOZE);
	assert_int_equal(fx->ui.modal.kind, MODAL_MENU);
	/* +3h, next block, tomorrow, Monday, custom (the defaults have blocks). */
	assert_int_equal(fx->ui.modal.nitems, 5);
	assert_string_equal(fx->ui.modal.items[2].label, "Tomorrow, start of work");
	ui_modal_key(&fx->ui, '3');
	assert_int_equal(fx->ui.modal.kind, MODAL_NONE);
	assert_int_equal(state_of(fx, fx->order[0]), CONV_SNOOZED);
	assert_int_equal(until_of(fx, fx->order[0]), tomorrow);
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[1]);

	/* Custom: a prompt that reads the same forms as `ebb snooze`. */
	act(fx, ACT_SNOOZE);
	ui_modal_key(&fx->ui, '5');
	assert_int_equal(fx->ui.modal.kind, MODAL_PROMPT);
	type_text(fx, "+2h");
	ui_modal_key(&fx->ui, '\n');
	assert_int_equal(state_of(fx, fx->order[1]), CONV_SNOOZED);
	assert_int_equal(until_of(fx, fx->order[1]), fx->ui.now + 2 * 3600);

	/* Esc cancels and changes nothing. */
	act(fx, ACT_SNOOZE);
	ui_modal_key(&fx->ui, 27);
	assert_int_equal(fx->ui.modal.kind, MODAL_NONE);
	assert_int_equal(state_of(fx, fx->order[2]), CONV_INBOX);

	/* Waiting: a date that cannot be read is an error, Enter alone is none. */
	act(fx, ACT_WAITING);
	type_text(fx, "someday");
	ui_modal_key(&fx->ui, '\n');
	assert_non_null(strstr(fx->ui.error, "someday"));
	assert_int_equal(state_of(fx, fx->order[2]), CONV_INBOX);
	fx->ui.error[0] = '\0';
	act(fx, ACT_WAITING);
	ui_modal_key(&fx->ui, '\n');
	assert_int_equal(state_of(fx, fx->order[2]), CONV_WAITING);
	assert_int_equal(until_of(fx, fx->order[2]), 0);

	/* Undo brings back the snooze with its time. */
	assert_int_equal(ui_undo(&fx->ui), 0);
	assert_int_equal(state_of(fx, fx->order[2]), CONV_INBOX);
	assert_int_equal(ui_undo(&fx->ui), 0);
	assert_int_equal(state_of(fx, fx->order[1]), CONV_INBOX);
	assert_int_equal(until_of(fx, fx->order[1]), 0);
}

static void test_needs_reply_toggle(void **state)
{
	struct fixture *fx = *state;
	long long id = fx->order[0];
	struct conv_row row;
	assert_int_equal(store_conv_get(fx->ui.st, id, &row, NULL), 0);
	assert_int_equal(row.needs_reply, 1);
	store_conv_row_clear(&row);
	act(fx, ACT_NEEDS_REPLY);
	assert_int_equal(store_conv_get(fx->ui.st, id, &row, NULL), 0);
	assert_int_equal(row.needs_reply, 0);
	assert_int_equal(row.due_at, 0);
	store_conv_row_clear(&row);
	int override;
	assert_int_equal(store_conv_reply_override(fx->ui.st, id, &override, NULL), 0);
	assert_int_equal(override, 0);
	assert_true(strncmp(fx->ui.message, "No reply owed: ", 15) == 0);
	/* No longer owed, it sorts after every owed conversation. */
	assert_int_equal(pane_inbox_selected(&fx->pane), fx->order[1]);
	assert_int_equal(ui_undo(&fx->ui), 0);
	assert_int_equal(store_conv_reply_override(fx->ui.st, id, &override, NULL), 0);
	assert_int_equal(override, -1);
	assert_int_equal(store_conv_get(fx->ui.st, id, &row, NULL), 0);
	assert_int_equal(row.needs_reply, 1);
	store_conv_row_clear(&row);
}

static void test_prompt_editing(void **state)
{
	struct fixture *fx = *state;
	ui_prompt(&fx->ui, "To: ", "ab\x1b[31mc", NULL, NULL);
	/* The initial text is sanitized: the escape became U+FFFD. */
	assert_string_equal(fx->ui.modal.text, "ab\xEF\xBF\xBD" "c");
	ui_modal_key(&fx->ui, UI_KEY_FN + KEY_BACKSPACE);
	ui_modal_key(&fx->ui, UI_KEY_FN + KEY_BACKSPACE);
	assert_string_equal(fx->ui.modal.text, "ab");
	ui_modal_key(&fx->ui, 0xE9);   /* é */
	ui_modal_key(&fx->ui, 0x202E); /* RLO: never typed in */
	ui_modal_key(&fx->ui, 0x1B - 0x1B + 0x01);   /* ^A: ignored */
	assert_string_equal(fx->ui.modal.text, "ab\xC3\xA9");
	ui_modal_key(&fx->ui, ' ');
	type_text(fx, "cd");
	ui_modal_key(&fx->ui, 0x17);   /* ^W */
	assert_string_equal(fx->ui.modal.text, "ab\xC3\xA9 ");
	ui_modal_key(&fx->ui, 0x15);   /* ^U */
	assert_string_equal(fx->ui.modal.text, "");
	ui_modal_key(&fx->ui, 27);
	assert_int_equal(fx->ui.modal.kind, MODAL_NONE);
	assert_string_equal(fx->ui.message, "Cancelled");
}

static void test_command_line(void **state)
{
	struct fixture *fx = *state;
	char title[64];
	ui_run_command(&fx->ui, "view later");
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "Later (0)");
	ui_run_command(&fx->ui, "  v   due ");
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "Due (230)");
	ui_run_command(&fx->ui, "view nonsense");
	assert_non_null(strstr(fx->ui.error, "nonsense"));
	fx->ui.error[0] = '\0';
	ui_run_command(&fx->ui, "view channel INBOX");
	pane_inbox_ops.title(&fx->pane, title, sizeof(title));
	assert_string_equal(title, "test/INBOX (230)");
	assert_int_equal(pane_inbox_selected(&fx->pane) != 0, 1);
	ui_run_command(&fx->ui, "view outbox");
	assert_int_equal(fx->ui.npanes, 2);
	assert_ptr_equal(fx->ui.stack[1]->ops, &pane_outbox_ops);
	ui_run_command(&fx->ui, "view drafts");
	assert_int_equal(fx->ui.npanes, 2);
	assert_ptr_equal(fx->ui.stack[1]->ops, &pane_drafts_ops);
	/* A search opens on top, and a second one replaces it. */
	ui_run_command(&fx->ui, "search subject:\"topic ba1\"");
	assert_int_equal(fx->ui.npanes, 2);
	assert_ptr_equal(fx->ui.stack[1]->ops, &pane_inbox_ops);
	fx->ui.stack[1]->ops->title(fx->ui.stack[1], title, sizeof(title));
	assert_string_equal(title, "Search: subject:\"topic ba1\" (1)");
	ui_search(&fx->ui, "p3@test.example");
	assert_int_equal(fx->ui.npanes, 2);
	fx->ui.stack[1]->ops->title(fx->ui.stack[1], title, sizeof(title));
	assert_string_equal(title, "Search: p3@test.example (1)");
	ui_run_command(&fx->ui, "quit");
	assert_int_equal(fx->ui.quit, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_screen_is_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_down_and_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jumps_and_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_keeps_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize_and_views, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_thread, setup, teardown),
		cmocka_unit_test(test_action_table),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_keys_config),
		cmocka_unit_test_setup_teardown(test_triage_and_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snooze_and_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_reply_toggle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_editing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
