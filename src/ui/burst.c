/* ui/burst: a timed live window for one conversation (`:burst 25m`): its
 * replies go at once instead of being held, the status bar counts down, and
 * burst_start/burst_end events let `ebb stats` add up the live time. */
#include <stdio.h>
#include <string.h>

#include "ebb/policy.h"
#include "ui_internal.h"

#define BURST_MAX_SECONDS (8 * 3600)

long long ui_selected_conv(struct ui *ui)
{
	struct pane *p = ui_top(ui);
	if (!p)
		return 0;
	if (p->ops == &pane_inbox_ops)
		return pane_inbox_selected(p);
	if (p->ops == &pane_thread_ops)
		return pane_thread_conv(p);
	if (p->ops == &pane_session_ops)
		return pane_session_conv(p);
	return 0;
}

int ui_burst_live(const struct ui *ui, long long conv_id)
{
	return conv_id && ui->burst_conv == conv_id && ui->now < ui->burst_until;
}

void ui_burst_end(struct ui *ui, const char *why)
{
	if (!ui->burst_conv)
		return;
	time_t at = ui->now < ui->burst_until ? ui->now : ui->burst_until;
	struct ebb_err err = { 0 };
	if (store_event_add(ui->st, at, "burst_end", ui->burst_conv, 0, NULL, &err))
		ui_show_error(ui, &err);
	else if (why)
		ui_show_message(ui, "%s", why);
	ui->burst_conv = 0;
	ui->burst_until = 0;
	ui->burst_subject[0] = '\0';
}

void ui_burst_start(struct ui *ui, const char *spec)
{
	struct ebb_err err = { 0 };
	size_t len = strcspn(spec, " ");
	if (len == 3 && !strncmp(spec, "off", 3)) {
		if (ui->burst_conv)
			ui_burst_end(ui, "Burst over: back to async");
		else
			ui_show_message(ui, "No burst running");
		return;
	}
	char word[32];
	if (len == 0 || len >= sizeof(word)) {
		ebb_err_set(&err, EBB_EINVAL, "burst how long? e.g. `:burst 25m`; `:burst off` ends it");
		ui_show_error(ui, &err);
		return;
	}
	memcpy(word, spec, len);
	word[len] = '\0';
	struct policy_target t;
	if (policy_parse_target(word, &t, NULL) || t.kind != TARGET_SECONDS || t.amount <= 0 ||
	    t.amount > BURST_MAX_SECONDS) {
		ebb_err_set(&err, EBB_EINVAL,
			    "burst \"%.20s\": give a length up to 8h, such as 25m or 1h30m", word);
		ui_show_error(ui, &err);
		return;
	}
	long long conv_id = ui_selected_conv(ui);
	struct conv_row row;
	if (!conv_id || store_conv_get(ui->st, conv_id, &row, NULL)) {
		ebb_err_set(&err, EBB_EINVAL, "burst: select a conversation first");
		ui_show_error(ui, &err);
		return;
	}
	if (ui->burst_conv)
		ui_burst_end(ui, NULL);
	/* The length as typed is what stats reads back as the planned one. */
	if (store_event_add(ui->st, ui->now, "burst_start", conv_id, 0, word, &err)) {
		store_conv_row_clear(&row);
		ui_show_error(ui, &err);
		return;
	}
	ui_sanitize(row.subject ? row.subject : "", row.subject ? strlen(row.subject) : 0,
		    ui->burst_subject, sizeof(ui->burst_subject), 0);
	store_conv_row_clear(&row);
	ui->burst_conv = conv_id;
	ui->burst_until = ui->now + (time_t)t.amount;
	ui_show_message(ui, "Live for %s: replies here go at once", word);
}

void ui_burst_tick(struct ui *ui)
{
	if (ui->burst_conv && ui->now >= ui->burst_until)
		ui_burst_end(ui, "Burst over: back to async");
}

void ui_burst_status(const struct ui *ui, char *out, size_t outlen)
{
	out[0] = '\0';
	if (!ui->burst_conv)
		return;
	long long left = (long long)(ui->burst_until - ui->now);
	if (left < 0)
		left = 0;
	if (left >= 3600)
		snprintf(out, outlen, "LIVE %lld:%02lld:%02lld %s", left / 3600, left / 60 % 60,
			 left % 60, ui->burst_subject);
	else
		snprintf(out, outlen, "LIVE %02lld:%02lld %s", left / 60, left % 60,
			 ui->burst_subject);
}
