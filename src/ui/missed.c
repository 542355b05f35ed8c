/* ui/missed: at start, held replies whose release time passed while ebb was
 * not running are not sent behind the user's back: ebb asks first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "ui_internal.h"

/* The engine's outbox thread flushes every due item the moment it starts,
 * so ui_run holds the engine back (engine_deferred) until this question is
 * answered; ui_missed_settle then starts it. */

time_t ui_next_block_after(const struct ebb_config *cfg, time_t now)
{
	const struct policy_hours *h = &cfg->hours;
	time_t start = policy_block_start(h, now);
	if (start == 0)
		return now;
	/* Inside a block the "next" one is the one after it: the user said
	 * not now. Blocks are half-open, so the end of this one finds it. */
	if (start <= now) {
		time_t end = policy_block_end(h, now);
		start = end > now ? policy_block_start(h, end) : 0;
	}
	return start > now ? start : now;
}

static int reschedule_all(struct ui *ui, const char *policy, time_t release_at)
{
	struct ebb_err err = { 0 };
	int failures = 0;
	for (size_t i = 0; i < ui->nmissed; i++) {
		if (store_outbox_reschedule(ui->st, ui->missed_ids[i], policy, release_at, ui->now,
					    &err)) {
			failures++;
			ui_show_error(ui, &err);
		}
	}
	return failures;
}

static void missed_free(struct ui *ui)
{
	free(ui->missed_ids);
	ui->missed_ids = NULL;
	ui->nmissed = 0;
}

/* Returns 0 when every item moved; when[] gets the block's time. */
static int move_to_next_block(struct ui *ui, char *when, size_t whenlen)
{
	time_t next = ui_next_block_after(ui->cfg, ui->now);
	ui_format_when(ui, next, when, whenlen);
	return reschedule_all(ui, "next_block", next);
}

static void say_moved(struct ui *ui, const char *what)
{
	char when[48];
	size_t n = ui->nmissed;
	if (!move_to_next_block(ui, when, sizeof(when)))
		ui_show_message(ui, "%s%zu held repl%s moved to the next block (%s)", what, n,
				n == 1 ? "y" : "ies", when);
}

static void missed_chosen(struct ui *ui, int choice, void *ctx)
{
	(void)ctx;
	size_t n = ui->nmissed;
	switch (choice) {
	case 0:   /* send now */
		if (reschedule_all(ui, "now", ui->now))
			break;
		if (ui->want_sync)
			ui_show_message(ui, "Sending %zu held repl%s now", n, n == 1 ? "y" : "ies");
		else
			ui_show_message(ui, "Queued %zu repl%s: sync is off, `ebb outbox flush` sends",
					n, n == 1 ? "y" : "ies");
		break;
	case 1:
		say_moved(ui, "");
		break;
	default: {
		/* Editing takes a while; until the user edits, releases or cancels
		 * them in the outbox they wait for the next block, not for the
		 * flush that starts with the engine. One reply opens in the editor
		 * at once (taken out of the outbox, so the engine cannot send it). */
		char when[48];
		int failed = move_to_next_block(ui, when, sizeof(when));
		ui_global_action(ui, ACT_VIEW_OUTBOX);
		long long only = n == 1 && !failed ? ui->missed_ids[0] : 0;
		if (!failed) {
			char edit[16];
			keymap_keys_of(&ui->keys, ACT_OUTBOX_EDIT, 1, edit, sizeof(edit));
			ui_show_message(ui, "Held until %s: %s%sr sends now, c cancels", when, edit,
					edit[0] ? " edits, " : "");
		}
		if (only)
			ui_outbox_edit(ui, only);
		break;
	}
	}
	missed_free(ui);
	ui_reload_all(ui);
}

int ui_missed_check(struct ui *ui, struct ebb_err *err)
{
	missed_free(ui);
	int rc = store_outbox_missed(ui->st, ui->now, &ui->missed_ids, &ui->nmissed, err);
	if (rc)
		return rc;
	return ui->nmissed ? 1 : 0;
}

void ui_missed_ask(struct ui *ui)
{
	if (!ui->nmissed)
		return;
	char when[48] = "";
	struct outbox_item item;
	if (!store_outbox_get(ui->st, ui->missed_ids[0], &item, NULL)) {
		ui_format_when(ui, item.release_at, when, sizeof(when));
		store_outbox_item_clear(&item);
	}
	char title[160];
	snprintf(title, sizeof(title), "%zu held repl%s missed %s release (%s)", ui->nmissed,
		 ui->nmissed == 1 ? "y" : "ies", ui->nmissed == 1 ? "its" : "their", when);
	struct ui_menu_item items[3];
	memset(items, 0, sizeof(items));
	items[0].key = 's';
	util_strlcpy(items[0].label, "Send now", sizeof(items[0].label));
	items[1].key = 'n';
	util_strlcpy(items[1].label, "Move to the next reply block", sizeof(items[1].label));
	ui_format_when(ui, ui_next_block_after(ui->cfg, ui->now), items[1].detail,
		       sizeof(items[1].detail));
	items[2].key = 'e';
	util_strlcpy(items[2].label, ui->nmissed == 1 ? "Edit it in $EDITOR" : "Edit: open the outbox",
		     sizeof(items[2].label));
	ui_menu(ui, title, items, 3, missed_chosen, NULL);
}

void ui_missed_settle(struct ui *ui)
{
	if (!ui->engine_deferred || ui->modal.kind != MODAL_NONE)
		return;
	/* Esc closed the question: nothing goes out without a yes. */
	if (ui->nmissed) {
		say_moved(ui, "Not sent: ");
		missed_free(ui);
		ui_reload_all(ui);
	}
	ui->engine_deferred = 0;
	ui_engine_start(ui);
	if (ui->engine)
		sync_engine_kick(ui->engine);
}

void ui_missed_free(struct ui *ui)
{
	missed_free(ui);
}
