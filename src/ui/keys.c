/* ui/keys: the one table of user actions (name, default keys, help text), key
 * names ("j", "^L", "Enter") and the keymap that dispatch and help both read. */
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

/* Adding an action: a value in enum ui_action, a row here, and a case in the
 * pane (or the global handler) that performs it. Help lists rows in order,
 * grouped by scope. A key may mean one thing in a scope and another
 * globally: the pane's scope is looked up first. */
static const struct ui_action_def ACTIONS[] = {
	{ ACT_MOVE_DOWN, "move-down", "j", "Down", SCOPE_GLOBAL, "Move down one line" },
	{ ACT_MOVE_UP, "move-up", "k", "Up", SCOPE_GLOBAL, "Move up one line" },
	{ ACT_PAGE_DOWN, "page-down", "Space", "PgDn", SCOPE_GLOBAL, "Move down one screen" },
	{ ACT_PAGE_UP, "page-up", "b", "PgUp", SCOPE_GLOBAL, "Move up one screen" },
	{ ACT_FIRST, "first", "g", "Home", SCOPE_GLOBAL, "Go to the first line" },
	{ ACT_LAST, "last", "G", "End", SCOPE_GLOBAL, "Go to the last line" },
	{ ACT_OPEN, "open", "Enter", NULL, SCOPE_GLOBAL, "Open the selected conversation or item" },
	{ ACT_BACK, "back", "q", "Esc", SCOPE_GLOBAL, "Close this pane (in the inbox: quit)" },
	{ ACT_REPLY, "reply", "r", NULL, SCOPE_GLOBAL, "Reply to the sender in $EDITOR" },
	{ ACT_REPLY_ALL, "reply-all", "a", NULL, SCOPE_GLOBAL, "Reply to the sender and all recipients" },
	{ ACT_COMPOSE, "compose", "c", NULL, SCOPE_GLOBAL, "Write a new mail" },
	{ ACT_DONE, "done", "d", NULL, SCOPE_GLOBAL, "Done: archive the conversation" },
	{ ACT_SNOOZE, "snooze", "s", NULL, SCOPE_GLOBAL, "Snooze: +3h, next block, tomorrow, Monday, custom" },
	{ ACT_WAITING, "waiting", "w", NULL, SCOPE_GLOBAL, "Waiting for them, with an optional follow-up date" },
	{ ACT_LATER, "later", "l", NULL, SCOPE_GLOBAL, "Later: the reply-later pile (keeps its due time)" },
	{ ACT_MUTE, "mute", "m", NULL, SCOPE_GLOBAL, "Mute the conversation" },
	{ ACT_TO_INBOX, "inbox", "i", NULL, SCOPE_GLOBAL, "Move back to the inbox" },
	{ ACT_NEEDS_REPLY, "needs-reply", "n", NULL, SCOPE_GLOBAL, "Toggle whether a reply is owed" },
	{ ACT_UNDO, "undo", "u", NULL, SCOPE_GLOBAL, "Undo the last triage action (several levels)" },
	{ ACT_SEARCH, "search", "/", NULL, SCOPE_GLOBAL, "Search: FTS5 plus from: to: subject: before: after: in:" },
	{ ACT_COMMAND, "command", ":", NULL, SCOPE_GLOBAL, "Command line: view NAME, view channel NAME, search, sync, quit" },
	{ ACT_VIEW_DUE, "view-due", "1", NULL, SCOPE_GLOBAL, "Due: replies owed, most urgent first" },
	{ ACT_VIEW_ALL, "view-all", "2", NULL, SCOPE_GLOBAL, "All conversations, newest first" },
	{ ACT_VIEW_WAITING, "view-waiting", "3", NULL, SCOPE_GLOBAL, "Waiting: answered, waiting for them" },
	{ ACT_VIEW_LATER, "view-later", "4", NULL, SCOPE_GLOBAL, "Later: the reply-later pile" },
	{ ACT_VIEW_SNOOZED, "view-snoozed", "5", NULL, SCOPE_GLOBAL, "Snoozed: coming back at a set time" },
	{ ACT_VIEW_DONE, "view-done", "6", NULL, SCOPE_GLOBAL, "Done: archived conversations" },
	{ ACT_VIEW_OUTBOX, "view-outbox", "7", NULL, SCOPE_GLOBAL, "Outbox: what goes out, and when" },
	{ ACT_VIEW_DRAFTS, "view-drafts", "8", NULL, SCOPE_GLOBAL, "Drafts: postponed mail, open one to continue" },
	{ ACT_HELP, "help", "?", NULL, SCOPE_GLOBAL, "Show this help" },
	{ ACT_REDRAW, "redraw", "^L", NULL, SCOPE_GLOBAL, "Redraw the screen" },
	{ ACT_QUIT, "quit", "Q", NULL, SCOPE_GLOBAL, "Quit ebb" },
	{ ACT_MARK, "mark", "x", "Space", SCOPE_LIST, "Mark the row; triage keys then act on all marked" },
	{ ACT_TOGGLE_QUOTES, "toggle-quotes", "z", NULL, SCOPE_THREAD, "Show or fold quoted text and signatures" },
	{ ACT_TOGGLE_HEADERS, "toggle-headers", "h", NULL, SCOPE_THREAD, "Show all headers or only From and Date" },
	{ ACT_SAVE_ATTACHMENT, "save-attachment", "S", NULL, SCOPE_THREAD, "Save attachment N to a directory" },
	{ ACT_OPEN_ATTACHMENT, "open-attachment", "o", NULL, SCOPE_THREAD, "Open attachment N with run-mailcap or xdg-open" },
	{ ACT_SEND, "send", "y", NULL, SCOPE_COMPOSE, "Send (held until the next reply block)" },
	{ ACT_EDIT, "edit", "E", NULL, SCOPE_COMPOSE, "Edit headers and body in $EDITOR" },
	{ ACT_EDIT_TO, "edit-to", "t", NULL, SCOPE_COMPOSE, "Edit the To line" },
	{ ACT_EDIT_CC, "edit-cc", "c", NULL, SCOPE_COMPOSE, "Edit the Cc line" },
	{ ACT_EDIT_SUBJECT, "edit-subject", "s", NULL, SCOPE_COMPOSE, "Edit the subject" },
	{ ACT_OUTBOX_CANCEL, "outbox-cancel", "c", NULL, SCOPE_OUTBOX, "Cancel the selected message" },
	{ ACT_OUTBOX_RELEASE, "outbox-release", "r", NULL, SCOPE_OUTBOX, "Release now (or retry a failed one)" },
	{ ACT_OUTBOX_EDIT, "outbox-edit", "e", NULL, SCOPE_OUTBOX, "Edit: take the mail back into a draft and $EDITOR" },
	{ ACT_DRAFT_DELETE, "draft-delete", "d", NULL, SCOPE_DRAFTS, "Discard the selected draft" },
	{ ACT_SESSION, "session", "S", NULL, SCOPE_LIST, "Reply session: walk the owed conversations" },
	{ ACT_ROUNDUP, "roundup", "R", NULL, SCOPE_GLOBAL, "Round-up: reply with decisions, action items, open questions" },
	{ ACT_DECISION_CLOSE, "decision-close", "D", NULL, SCOPE_DECISIONS, "Close the selected action item" },
	{ ACT_SESSION_NEXT, "session-next", "n", NULL, SCOPE_SESSION, "Next conversation (r, d, s, l move on too; q ends)" },
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

const char *keys_scope_title(enum ui_scope s)
{
	static const char *const TITLES[SCOPE_COUNT] = {
		"Everywhere", "In lists", "In a conversation", "Writing a mail", "In the outbox",
		"In drafts", "In a reply session", "In decisions",
	};
	return (unsigned)s < SCOPE_COUNT ? TITLES[s] : "";
}

static enum ui_scope scope_of(enum ui_action a)
{
	const struct ui_action_def *d = keys_action_def(a);
	return d ? d->scope : SCOPE_GLOBAL;
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
	enum ui_scope scope = scope_of(action);
	for (size_t i = 0; i < km->n; i++) {
		if (km->map[i].key == key && km->map[i].scope == scope) {
			km->map[i].action = action;
			return EBB_OK;
		}
	}
	if (km->n == KEYMAP_MAX)
		return ebb_err_set(err, EBB_ETOOBIG, "too many key bindings (at most %d)", KEYMAP_MAX);
	km->map[km->n].key = key;
	km->map[km->n].scope = scope;
	km->map[km->n].action = action;
	km->n++;
	return EBB_OK;
}

void keymap_unbind_action(struct keymap *km, enum ui_action action)
{
	size_t kept = 0;
	for (size_t i = 0; i < km->n; i++)
		if (km->map[i].action != action)
			km->map[kept++] = km->map[i];
	km->n = kept;
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

enum ui_action keymap_lookup(const struct keymap *km, enum ui_scope scope, int key)
{
	enum ui_action global = ACT_NONE, thread = ACT_NONE;
	for (size_t i = 0; i < km->n; i++) {
		if (km->map[i].key != key)
			continue;
		if (km->map[i].scope == scope)
			return km->map[i].action;
		/* A session shows a thread: z, h and the attachment keys work. */
		if (scope == SCOPE_SESSION && km->map[i].scope == SCOPE_THREAD)
			thread = km->map[i].action;
		if (km->map[i].scope == SCOPE_GLOBAL)
			global = km->map[i].action;
	}
	return thread != ACT_NONE ? thread : global;
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

/* One [keys] line: "action = key" or "action = key, key". */
static int apply_line(struct keymap *km, const struct config_kv *kv, struct ebb_err *err)
{
	const struct ui_action_def *def = keys_action_by_name(kv->key);
	if (!def)
		return ebb_err_set(err, EBB_EINVAL,
				   "[keys] line %d: there is no action \"%.64s\" (press ? for the names)",
				   kv->line, kv->key);
	int keys[8];
	size_t nkeys = 0;
	const char *p = kv->value;
	if (!strcmp(p, ",")) {   /* the one key the list syntax cannot name */
		keys[nkeys++] = ',';
		p = "";
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		char name[32];
		const char *start = p;
		while (len && (*start == ' ' || *start == '\t')) {
			start++;
			len--;
		}
		while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof(name) || nkeys == sizeof(keys) / sizeof(keys[0]))
			return ebb_err_set(err, EBB_EINVAL,
					   "[keys] line %d: cannot read the keys \"%.64s\" for %s",
					   kv->line, kv->value, def->name);
		memcpy(name, start, len);
		name[len] = '\0';
		if (keys_parse(name, &keys[nkeys]))
			return ebb_err_set(err, EBB_EINVAL,
					   "[keys] line %d: \"%s\" is not a key (try x, ^X, Enter, F5)",
					   kv->line, name);
		nkeys++;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	if (nkeys == 0)
		return ebb_err_set(err, EBB_EINVAL, "[keys] line %d: no key given for %s", kv->line,
				   def->name);
	keymap_unbind_action(km, def->action);
	for (size_t i = 0; i < nkeys; i++) {
		int rc = keymap_bind(km, keys[i], def->action, err);
		if (rc)
			return rc;
	}
	return EBB_OK;
}

int keymap_apply_config(struct keymap *km, const struct ebb_config *cfg, struct ebb_err *err)
{
	int first = EBB_OK;
	for (size_t i = 0; i < cfg->nkeys; i++) {
		struct ebb_err line_err = { 0 };
		if (apply_line(km, &cfg->keys[i], &line_err) && first == EBB_OK) {
			first = EBB_EINVAL;
			ebb_err_set(err, EBB_EINVAL, "%s", line_err.msg);
		}
	}
	return first;
}
