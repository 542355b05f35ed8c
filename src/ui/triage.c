/* ui/triage: done, snooze, waiting, later, mute, needs-reply — written to
 * the store at once — and the undo stack that remembers what each changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "ui_internal.h"

/* Subjects in confirmations are cut to this many bytes. */
#define SUBJECT_SHOWN 60

static void undo_entry_free(struct undo_entry *e)
{
	free(e->items);
	memset(e, 0, sizeof(*e));
}

void ui_undo_clear(struct ui *ui)
{
	for (size_t i = 0; i < ui->nundo; i++)
		undo_entry_free(&ui->undo[i]);
	ui->nundo = 0;
}

void ui_triage_free(struct ui *ui)
{
	ui_undo_clear(ui);
	free(ui->pending.ids);
	ui->pending.ids = NULL;
	ui->pending.n = 0;
}

/* Pushes an entry; the oldest falls off when the stack is full. Takes items. */
static void undo_push(struct ui *ui, enum undo_kind kind, const char *what,
		      struct undo_item *items, size_t n)
{
	if (ui->nundo == UI_UNDO_MAX) {
		undo_entry_free(&ui->undo[0]);
		memmove(ui->undo, ui->undo + 1, (UI_UNDO_MAX - 1) * sizeof(ui->undo[0]));
		ui->nundo--;
	}
	struct undo_entry *e = &ui->undo[ui->nundo++];
	e->kind = kind;
	util_strlcpy(e->what, what, sizeof(e->what));
	e->items = items;
	e->n = n;
}

/* The sanitized, shortened subject of a conversation, for messages. */
static void subject_of(struct ui *ui, long long id, char *out, size_t outlen)
{
	struct conv_row row;
	out[0] = '\0';
	if (store_conv_get(ui->st, id, &row, NULL))
		return;
	char clean[SUBJECT_SHOWN * 3 + 8];
	const char *subject = row.subject && row.subject[0] ? row.subject : "(no subject)";
	ui_sanitize(subject, strnlen(subject, SUBJECT_SHOWN * 4), clean, sizeof(clean), 0);
	ui_fit(clean, SUBJECT_SHOWN, out, outlen);
	store_conv_row_clear(&row);
}

/* "Done: <subject>" for one, "Done: 3 conversations" for many. */
static void say_done(struct ui *ui, const char *what, const long long *ids, size_t n,
		     int undoable)
{
	char subject[SUBJECT_SHOWN * 4];
	char undo_key[32];
	keymap_keys_of(&ui->keys, ACT_UNDO, 1, undo_key, sizeof(undo_key));
	if (n == 1)
		subject_of(ui, ids[0], subject, sizeof(subject));
	else
		snprintf(subject, sizeof(subject), "%zu conversations", n);
	if (undoable && undo_key[0])
		ui_show_message(ui, "%s: %s \xE2\x80\x94 %s to undo", what, subject, undo_key);
	else
		ui_show_message(ui, "%s: %s", what, subject);
}

static const char *state_verb(enum conv_state s)
{
	switch (s) {
	case CONV_DONE:
		return "Done";
	case CONV_SNOOZED:
		return "Snoozed";
	case CONV_WAITING:
		return "Waiting";
	case CONV_LATER:
		return "Later";
	case CONV_MUTED:
		return "Muted";
	default:
		return "Back in the inbox";
	}
}

/* Ends the transaction of one triage change: commits what rc says went
 * well, else rolls all of it back; a failure is shown. Returns rc. */
static int end_change(struct ui *ui, int rc, struct ebb_err *err)
{
	if (!rc)
		rc = store_commit(ui->st, err);
	else
		store_rollback(ui->st);
	if (rc)
		ui_show_error(ui, err);
	return rc;
}

int ui_triage_set(struct ui *ui, const long long *ids, size_t n, enum conv_state state,
		  time_t until)
{
	if (n == 0)
		return EBB_OK;
	struct undo_item *items = calloc(n, sizeof(*items));
	if (!items) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_ENOMEM, "out of memory");
		ui_show_error(ui, &err);
		return EBB_ENOMEM;
	}
	/* One transaction: all marked rows move, or none. */
	struct ebb_err err = { 0 };
	int rc = store_begin(ui->st, &err);
	size_t done = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct conv_row row;
		rc = store_conv_get(ui->st, ids[i], &row, &err);
		if (rc)
			break;
		items[done].conv_id = ids[i];
		items[done].state = row.state;
		items[done].until = row.snooze_until;
		items[done].override = -1;
		store_conv_row_clear(&row);
		rc = store_conv_set_state(ui->st, ids[i], state, until, ui->now, &err);
		if (!rc)
			done++;
	}
	if ((rc = end_change(ui, rc, &err))) {
		free(items);
		ui_reload_all(ui);
		return rc;
	}
	char what[64];
	if ((state == CONV_SNOOZED || state == CONV_WAITING) && until) {
		char when[40];
		ui_format_when(ui, until, when, sizeof(when));
		snprintf(what, sizeof(what), "%s until %s", state_verb(state), when);
	} else {
		snprintf(what, sizeof(what), "%s", state_verb(state));
	}
	undo_push(ui, UNDO_STATE, state_verb(state), items, done);
	say_done(ui, what, ids, n, 1);
	ui_reload_all(ui);
	return EBB_OK;
}

static void due_ctx_for(struct ui *ui, long long id, struct sync_due_ctx *ctx, store_due_fn *fn)
{
	ctx->cfg = ui->cfg;
	ctx->acc = ui_conv_account(ui, id);
	*fn = ctx->acc ? sync_due : NULL;
}

int ui_triage_toggle_reply(struct ui *ui, const long long *ids, size_t n)
{
	if (n == 0)
		return EBB_OK;
	struct undo_item *items = calloc(n, sizeof(*items));
	struct ebb_err err = { 0 };
	if (!items) {
		ebb_err_set(&err, EBB_ENOMEM, "out of memory");
		ui_show_error(ui, &err);
		return EBB_ENOMEM;
	}
	/* Many rows follow the first: all owed, or none. */
	int owed = -1;
	int rc = store_begin(ui->st, &err);
	size_t done = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct conv_row row;
		rc = store_conv_get(ui->st, ids[i], &row, &err);
		if (rc)
			break;
		int needs = row.needs_reply;
		store_conv_row_clear(&row);
		int before;
		rc = store_conv_reply_override(ui->st, ids[i], &before, &err);
		if (rc)
			break;
		if (owed < 0)
			owed = needs ? 0 : 1;
		items[done].conv_id = ids[i];
		items[done].override = before;
		struct sync_due_ctx ctx;
		store_due_fn fn;
		due_ctx_for(ui, ids[i], &ctx, &fn);
		rc = store_conv_set_reply_override(ui->st, ids[i], owed, fn, &ctx, ui->now, &err);
		if (!rc)
			done++;
	}
	if ((rc = end_change(ui, rc, &err))) {
		free(items);
		ui_reload_all(ui);
		return rc;
	}
	const char *what = owed ? "Reply owed" : "No reply owed";
	undo_push(ui, UNDO_OVERRIDE, what, items, done);
	say_done(ui, what, ids, n, 1);
	ui_reload_all(ui);
	return EBB_OK;
}

int ui_undo(struct ui *ui)
{
	if (ui->nundo == 0) {
		ui_show_message(ui, "Nothing to undo");
		return EBB_OK;
	}
	struct undo_entry *e = &ui->undo[ui->nundo - 1];
	struct ebb_err err = { 0 };
	int rc = store_begin(ui->st, &err);
	for (size_t i = 0; i < e->n && !rc; i++) {
		const struct undo_item *it = &e->items[i];
		if (e->kind == UNDO_OVERRIDE) {
			struct sync_due_ctx ctx;
			store_due_fn fn;
			due_ctx_for(ui, it->conv_id, &ctx, &fn);
			rc = store_conv_set_reply_override(ui->st, it->conv_id, it->override, fn, &ctx,
							   ui->now, &err);
			continue;
		}
		enum conv_state state = it->state;
		time_t until = it->until;
		/* A snooze or follow-up that has run out meanwhile is over: inbox. */
		if ((state == CONV_SNOOZED || state == CONV_WAITING) && until && until <= ui->now) {
			state = CONV_INBOX;
			until = 0;
		}
		if (state != CONV_SNOOZED && state != CONV_WAITING)
			until = 0;
		rc = store_conv_set_state(ui->st, it->conv_id, state, until, ui->now, &err);
	}
	if ((rc = end_change(ui, rc, &err)))
		return rc;
	char what[64];
	snprintf(what, sizeof(what), "Undone (%s)", e->what);
	long long first = e->n ? e->items[0].conv_id : 0;
	size_t n = e->n;
	if (n == 1)
		say_done(ui, what, &first, 1, 0);
	else
		ui_show_message(ui, "%s: %zu conversations", what, n);
	undo_entry_free(e);
	ui->nundo--;
	ui_reload_all(ui);
	return EBB_OK;
}

/* ---- actions that may ask first ----------------------------------------- */

static int pending_set(struct ui *ui, const long long *ids, size_t n, int pop_after)
{
	free(ui->pending.ids);
	ui->pending.ids = NULL;
	ui->pending.n = 0;
	ui->pending.pop_after = pop_after;
	if (n == 0)
		return EBB_OK;
	ui->pending.ids = malloc(n * sizeof(*ids));
	if (!ui->pending.ids)
		return EBB_ENOMEM;
	memcpy(ui->pending.ids, ids, n * sizeof(*ids));
	ui->pending.n = n;
	return EBB_OK;
}

/* Runs the state change the pending question was about, then closes the
 * thread it was asked from. */
static void pending_apply(struct ui *ui, enum conv_state state, time_t until)
{
	if (ui_triage_set(ui, ui->pending.ids, ui->pending.n, state, until) == EBB_OK &&
	    ui->pending.pop_after && ui_top(ui) && ui_top(ui)->ops == &pane_thread_ops)
		ui_pop(ui);
}

static const char WHEN_FORMS[] = "+3h, +2d, next-block, tomorrow, fri, 2026-12-01T14:00";

static void snooze_custom(struct ui *ui, const char *text, void *ctx)
{
	(void)ctx;
	time_t until;
	struct ebb_err err = { 0 };
	if (ui_parse_when(ui->cfg, text, ui->now, &until)) {
		ebb_err_set(&err, EBB_EPARSE, "Cannot read the time \"%.40s\" (try %s)", text,
			    WHEN_FORMS);
		ui_show_error(ui, &err);
		return;
	}
	if (until <= ui->now) {
		ebb_err_set(&err, EBB_EINVAL, "That time has passed: snooze needs a future time");
		ui_show_error(ui, &err);
		return;
	}
	pending_apply(ui, CONV_SNOOZED, until);
}

static void snooze_chosen(struct ui *ui, int choice, void *ctx)
{
	(void)ctx;
	if (choice < 0 || (size_t)choice >= ui->modal.nitems)
		return;
	time_t until = (time_t)ui->modal.items[choice].value;
	if (until == 0) {
		char label[96];
		snprintf(label, sizeof(label), "Snooze until (%s): ", WHEN_FORMS);
		ui_prompt(ui, label, "", snooze_custom, NULL);
		return;
	}
	pending_apply(ui, CONV_SNOOZED, until);
}

size_t ui_snooze_presets(const struct ebb_config *cfg, time_t now, struct ui_menu_item *items,
			 time_t *times, size_t max)
{
	static const struct {
		const char *label;
		const char *when;
	} PRESETS[] = {
		{ "In 3 hours", "+3h" },
		{ "Next reply block", "next-block" },
		{ "Tomorrow, start of work", "tomorrow" },
		{ "Next Monday", "monday" },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(PRESETS) / sizeof(PRESETS[0]) && n < max; i++) {
		time_t t;
		if (ui_parse_when(cfg, PRESETS[i].when, now, &t) || t <= now)
			continue;
		memset(&items[n], 0, sizeof(items[n]));
		items[n].key = (char)('1' + n);
		util_strlcpy(items[n].label, PRESETS[i].label, sizeof(items[n].label));
		items[n].value = (long long)t;
		times[n] = t;
		n++;
	}
	if (n < max) {
		memset(&items[n], 0, sizeof(items[n]));
		items[n].key = (char)('1' + n);
		util_strlcpy(items[n].label, "Custom\xE2\x80\xA6", sizeof(items[n].label));
		items[n].value = 0;
		times[n] = 0;
		n++;
	}
	return n;
}

static void snooze_menu(struct ui *ui)
{
	struct ui_menu_item items[8];
	time_t times[8];
	size_t n = ui_snooze_presets(ui->cfg, ui->now, items, times, 8);
	for (size_t i = 0; i < n; i++)
		if (times[i])
			ui_format_when(ui, times[i], items[i].detail, sizeof(items[i].detail));
	char title[64];
	if (ui->pending.n > 1)
		snprintf(title, sizeof(title), "Snooze %zu conversations until", ui->pending.n);
	else
		snprintf(title, sizeof(title), "Snooze until");
	ui_menu(ui, title, items, n, snooze_chosen, NULL);
}

static void waiting_entered(struct ui *ui, const char *text, void *ctx)
{
	(void)ctx;
	time_t until = 0;
	if (text[strspn(text, " ")]) {
		struct ebb_err err = { 0 };
		if (ui_parse_when(ui->cfg, text, ui->now, &until)) {
			ebb_err_set(&err, EBB_EPARSE, "Cannot read the time \"%.40s\" (try %s)", text,
				    WHEN_FORMS);
			ui_show_error(ui, &err);
			return;
		}
		if (until <= ui->now) {
			ebb_err_set(&err, EBB_EINVAL, "That time has passed: a follow-up needs a future "
				    "time");
			ui_show_error(ui, &err);
			return;
		}
	}
	pending_apply(ui, CONV_WAITING, until);
}

void ui_triage_action(struct ui *ui, enum ui_action a, const long long *ids, size_t n,
		      int pop_after)
{
	if (n == 0) {
		ui_show_message(ui, "Nothing selected");
		return;
	}
	if (pending_set(ui, ids, n, pop_after)) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_ENOMEM, "out of memory");
		ui_show_error(ui, &err);
		return;
	}
	switch (a) {
	case ACT_DONE:
		pending_apply(ui, CONV_DONE, 0);
		break;
	case ACT_LATER:
		pending_apply(ui, CONV_LATER, 0);
		break;
	case ACT_MUTE:
		pending_apply(ui, CONV_MUTED, 0);
		break;
	case ACT_TO_INBOX:
		pending_apply(ui, CONV_INBOX, 0);
		break;
	case ACT_SNOOZE:
		snooze_menu(ui);
		break;
	case ACT_WAITING:
		ui_prompt(ui, "Waiting; follow up on (Enter for none): ", "", waiting_entered, NULL);
		break;
	case ACT_NEEDS_REPLY:
		ui_triage_toggle_reply(ui, ids, n);
		break;
	default:
		break;
	}
}
