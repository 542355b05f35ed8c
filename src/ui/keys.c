/* ui/keys: the one table of user actions (name, default keys, help text), key
 * names ("j", "^L", "Enter") and the keymap that dispatch and help both read. */
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

/* Adding an action: a value in enum ui_action, a row here, and a case in the
 * pane (or the global handler) that performs it. Help lists rows in order. */
static const struct ui_action_def ACTIONS[] = {
	{ ACT_MOVE_DOWN, "move-down", "j", "Down", "Move down one line" },
	{ ACT_MOVE_UP, "move-up", "k", "Up", "Move up one line" },
	{ ACT_PAGE_DOWN, "page-down", "Space", "PgDn", "Move down one screen" },
	{ ACT_PAGE_UP, "page-up", "b", "PgUp", "Move up one screen" },
	{ ACT_FIRST, "first", "g", "Home", "Go to the first line" },
	{ ACT_LAST, "last", "G", "End", "Go to the last line" },
	{ ACT_OPEN, "open", "Enter", NULL, "Open the selected conversation" },
	{ ACT_BACK, "back", "q", "Esc", "Close this pane (in the inbox: quit)" },
	{ ACT_VIEW_DUE, "view-due", "1", NULL, "Due: replies owed, most urgent first" },
	{ ACT_VIEW_ALL, "view-all", "2", NULL, "All conversations, newest first" },
	{ ACT_VIEW_WAITING, "view-waiting", "3", NULL, "Waiting: answered, waiting for them" },
	{ ACT_VIEW_LATER, "view-later", "4", NULL, "Later: the reply-later pile" },
	{ ACT_VIEW_SNOOZED, "view-snoozed", "5", NULL, "Snoozed: coming back at a set time" },
	{ ACT_HELP, "help", "?", NULL, "Show this help" },
	{ ACT_REDRAW, "redraw", "^L", NULL, "Redraw the screen" },
	{ ACT_QUIT, "quit", "Q", NULL, "Quit ebb" },
};

#define NACTIONS (sizeof(ACTIONS) / sizeof(ACTIONS[0]))

const struct ui_action_def *keys_actions(size_t *n)
{
	*n = NACTIONS;
	return ACTIONS;
}

const struct ui_action_def *keys_action_def(enum ui_action a)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if (ACTIONS[i].action == a)
			return &ACTIONS[i];
	return NULL;
}

const struct ui_action_def *keys_action_by_name(const char *name)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if (!strcmp(ACTIONS[i].name, name))
			return &ACTIONS[i];
	return NULL;
}

static const struct {
	const char *name;
	int key;
} NAMED[] = {
	{ "Enter", '\n' },
	{ "Space", ' ' },
	{ "Tab", '\t' },
	{ "Esc", 27 },
	{ "Backspace", UI_KEY_FN + KEY_BACKSPACE },
	{ "Up", UI_KEY_FN + KEY_UP },
	{ "Down", UI_KEY_FN + KEY_DOWN },
	{ "Left", UI_KEY_FN + KEY_LEFT },
	{ "Right", UI_KEY_FN + KEY_RIGHT },
	{ "PgUp", UI_KEY_FN + KEY_PPAGE },
	{ "PgDn", UI_KEY_FN + KEY_NPAGE },
	{ "Home", UI_KEY_FN + KEY_HOME },
	{ "End", UI_KEY_FN + KEY_END },
	{ "Insert", UI_KEY_FN + KEY_IC },
	{ "Delete", UI_KEY_FN + KEY_DC },
};

#define NNAMED (sizeof(NAMED) / sizeof(NAMED[0]))

int keys_parse(const char *name, int *key)
{
	size_t len = strlen(name);
	if (len == 0)
		return EBB_EINVAL;
	for (size_t i = 0; i < NNAMED; i++) {
		if (util_strncaseeq(name, len, NAMED[i].name)) {
			*key = NAMED[i].key;
			return EBB_OK;
		}
	}
	if (len == 2 && name[0] == '^') {
		char c = name[1];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < '@' || c > '_')
			return EBB_EINVAL;
		*key = c & 0x1F;
		return EBB_OK;
	}
	if ((name[0] == 'F' || name[0] == 'f') && len >= 2 && len <= 3) {
		int n = 0;
		for (size_t i = 1; i < len; i++) {
			if (name[i] < '0' || name[i] > '9')
				return EBB_EINVAL;
			n = n * 10 + (name[i] - '0');
		}
		if (n < 1 || n > 12)
			return EBB_EINVAL;
		*key = UI_KEY_FN + KEY_F(n);
		return EBB_OK;
	}
	uint32_t cp;
	int n = utf8_decode((const unsigned char *)name, len, &cp);
	if (n < 0 || (size_t)n != len || cp < 0x21 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
		return EBB_EINVAL;
	*key = (int)cp;
	return EBB_OK;
}

void keys_name(int key, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	for (size_t i = 0; i < NNAMED; i++) {
		if (NAMED[i].key == key) {
			snprintf(out, outlen, "%s", NAMED[i].name);
			return;
		}
	}
	if (key >= UI_KEY_FN + KEY_F(1) && key <= UI_KEY_FN + KEY_F(12)) {
		snprintf(out, outlen, "F%d", key - UI_KEY_FN - KEY_F(0));
	} else if (key >= 0 && key < 0x20) {
		snprintf(out, outlen, "^%c", (char)(key + '@'));
	} else if (key > 0x20 && key < 0x110000 && key != 0x7F && !(key >= 0x80 && key < 0xA0)) {
		char buf[5];
		int n = utf8_encode((uint32_t)key, buf);
		buf[n] = '\0';
		snprintf(out, outlen, "%s", buf);
	} else {
		snprintf(out, outlen, "<%d>", key);
	}
}

int keymap_bind(struct keymap *km, int key, enum ui_action action, struct ebb_err *err)
{
	for (size_t i = 0; i < km->n; i++) {
		if (km->map[i].key == key) {
			km->map[i].action = action;
			return EBB_OK;
		}
	}
	if (km->n == KEYMAP_MAX)
		return ebb_err_set(err, EBB_ETOOBIG, "too many key bindings (at most %d)", KEYMAP_MAX);
	km->map[km->n].key = key;
	km->map[km->n].action = action;
	km->n++;
	return EBB_OK;
}

int keymap_init(struct keymap *km, struct ebb_err *err)
{
	km->n = 0;
	for (size_t i = 0; i < NACTIONS; i++) {
		const char *names[2] = { ACTIONS[i].key, ACTIONS[i].alt_key };
		for (int j = 0; j < 2; j++) {
			int key;
			if (!names[j])
				continue;
			if (keys_parse(names[j], &key))
				return ebb_err_set(err, EBB_EINVAL, "action %s: bad default key \"%s\"",
						   ACTIONS[i].name, names[j]);
			int rc = keymap_bind(km, key, ACTIONS[i].action, err);
			if (rc)
				return rc;
		}
	}
	return EBB_OK;
}

enum ui_action keymap_lookup(const struct keymap *km, int key)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->map[i].key == key)
			return km->map[i].action;
	return ACT_NONE;
}

void keymap_keys_of(const struct keymap *km, enum ui_action action, int first_only, char *out,
		    size_t outlen)
{
	if (outlen == 0)
		return;
	out[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < km->n; i++) {
		if (km->map[i].action != action)
			continue;
		char name[32];
		keys_name(km->map[i].key, name, sizeof(name));
		int n = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", name);
		if (n < 0 || (size_t)n >= outlen - used) {
			out[used] = '\0';
			return;
		}
		used += (size_t)n;
		if (first_only)
			return;
	}
}
