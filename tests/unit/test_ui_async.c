/* test_ui_async: the pieces of the client's async features that need no
 * screen: notification text and escapes, the next reply block for missed
 * held replies, and the session keys falling back to the thread's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ui/ui_internal.h"

static void test_summary(void **state)
{
	(void)state;
	char out[64];
	ui_notify_summary(7, 2, out, sizeof(out));
	assert_string_equal(out, "7 due, 2 overdue");
	ui_notify_summary(3, 0, out, sizeof(out));
	assert_string_equal(out, "3 due");
}

static void test_osc(void **state)
{
	(void)state;
	char out[128];
	ui_notify_osc("xterm-256color", "7 due", out, sizeof(out));
	assert_string_equal(out, "\033]9;ebb: 7 due\007");
	ui_notify_osc("foot", "7 due", out, sizeof(out));
	assert_string_equal(out, "\033]777;notify;ebb;7 due\007");
	ui_notify_osc("rxvt-unicode-256color", "1 due", out, sizeof(out));
	assert_string_equal(out, "\033]777;notify;ebb;1 due\007");
	ui_notify_osc(NULL, "1 due", out, sizeof(out));
	assert_string_equal(out, "\033]9;ebb: 1 due\007");
}

/* Berlin, default blocks 11:00-11:30 and 16:00-16:45 on weekdays. */
#define TUE_0820 1795504800
#define TUE_1100 1795514400
#define TUE_1108 (TUE_1100 + 8 * 60)
#define TUE_1600 (TUE_1100 + 5 * 3600)
#define TUE_1700 (TUE_1600 + 3600)
#define WED_1100 (TUE_1100 + 24 * 3600)

static void test_next_block(void **state)
{
	(void)state;
	static const char cfgtext[] = "[hours]\ntz = Europe/Berlin\nblocks = 11:00-11:30, 16:00-16:45\n";
	struct ebb_config *cfg = NULL;
	assert_int_equal(config_load_string(cfgtext, sizeof(cfgtext) - 1, "t", &cfg, NULL), 0);
	assert_int_equal(ui_next_block_after(cfg, TUE_0820), TUE_1100);
	/* Inside a block, "next" is the one after it. */
	assert_int_equal(ui_next_block_after(cfg, TUE_1100), TUE_1600);
	assert_int_equal(ui_next_block_after(cfg, TUE_1108), TUE_1600);
	assert_int_equal(ui_next_block_after(cfg, TUE_1700), WED_1100);
	config_free(cfg);
}

static void test_session_keys(void **state)
{
	(void)state;
	struct keymap km;
	assert_int_equal(keymap_init(&km, NULL), 0);
	/* n is next in a session, needs-reply elsewhere. */
	assert_int_equal(keymap_lookup(&km, SCOPE_SESSION, 'n'), ACT_SESSION_NEXT);
	assert_int_equal(keymap_lookup(&km, SCOPE_THREAD, 'n'), ACT_NEEDS_REPLY);
	/* The thread's own keys work in a session. */
	assert_int_equal(keymap_lookup(&km, SCOPE_SESSION, 'z'), ACT_TOGGLE_QUOTES);
	assert_int_equal(keymap_lookup(&km, SCOPE_LIST, 'z'), ACT_NONE);
	assert_int_equal(keymap_lookup(&km, SCOPE_LIST, 'S'), ACT_SESSION);
	assert_int_equal(keymap_lookup(&km, SCOPE_THREAD, 'S'), ACT_SAVE_ATTACHMENT);
	assert_int_equal(keymap_lookup(&km, SCOPE_LIST, 'R'), ACT_ROUNDUP);
	assert_int_equal(keymap_lookup(&km, SCOPE_DECISIONS, 'D'), ACT_DECISION_CLOSE);
	assert_int_equal(keymap_lookup(&km, SCOPE_LIST, 'D'), ACT_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_osc),
		cmocka_unit_test(test_next_block),
		cmocka_unit_test(test_session_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
