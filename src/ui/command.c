/* ui/command: what no pane takes — views, search, the `:` command line,
 * help, undo, quit — and the channel picker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ebb/policy.h"
#include "ui_internal.h"

static struct pane *root(struct ui *ui)
{
	return ui->npanes ? ui->stack[0] : NULL;
}

static void show_view(struct ui *ui, enum store_view v)
{
	ui_pop_to_root(ui);
	struct pane *r = root(ui);
	if (r && r->ops == &pane_inbox_ops)
		pane_inbox_show_view(r, v);
}

static void show_pane(struct ui *ui, const struct pane_ops *ops)
{
	ui_pop_to_root(ui);
	ui_push(ui, ops, NULL);
}

void ui_search(struct ui *ui, const char *query)
{
	if (!query || !query[strspn(query, " ")]) {
		ui_show_message(ui, "Nothing to search for");
		return;
	}
	/* A new search replaces the results on top instead of stacking them:
	 * close what was opened from them, then them. */
	while (ui->npanes > 1 && ui_top(ui)->ops != &pane_inbox_ops)
		ui_pop(ui);
	if (ui->npanes > 1)
		ui_pop(ui);
	struct inbox_arg arg = { .mode = INBOX_SEARCH, .query = query };
	ui_push(ui, &pane_inbox_ops, &arg);
}

static void search_entered(struct ui *ui, const char *text, void *ctx)
{
	(void)ctx;
	ui_search(ui, text);
}

static void command_entered(struct ui *ui, const char *text, void *ctx)
{
	(void)ctx;
	ui_run_command(ui, text);
}

/* ---- channels ------------------------------------------------------------ */

struct found_channel {
	long long id;
	char name[96];   /* "account/name" */
};

/* Every stored channel of the configured accounts, up to max. */
static size_t list_channels(struct ui *ui, struct found_channel *out, size_t max)
{
	size_t n = 0;
	for (size_t a = 0; a < ui->cfg->naccounts && n < max; a++) {
		const struct account_cfg *acc = &ui->cfg->accounts[a];
		long long account_id;
		if (store_account_ensure(ui->st, acc->name, acc->kind, &account_id, NULL))
			continue;
		struct store_channel *chans;
		size_t nchans;
		if (store_channel_list(ui->st, account_id, &chans, &nchans, NULL))
			continue;
		for (size_t i = 0; i < nchans && n < max; i++) {
			out[n].id = chans[i].id;
			snprintf(out[n].name, sizeof(out[n].name), "%.40s/%.50s", acc->name,
				 chans[i].name ? chans[i].name : chans[i].remote_id);
			n++;
		}
		store_channel_list_free(chans, nchans);
	}
	return n;
}

static void channel_chosen(struct ui *ui, int choice, void *ctx)
{
	(void)ctx;
	if (choice < 0 || (size_t)choice >= ui->modal.nitems)
		return;
	const struct ui_menu_item *it = &ui->modal.items[choice];
	char name[96];
	util_strlcpy(name, it->label, sizeof(name));
	long long id = it->value;
	ui_pop_to_root(ui);
	struct pane *r = root(ui);
	if (r && r->ops == &pane_inbox_ops)
		pane_inbox_show_channel(r, id, name);
}

static void channel_picker(struct ui *ui)
{
	struct found_channel found[UI_MENU_MAX];
	size_t n = list_channels(ui, found, UI_MENU_MAX);
	if (!n) {
		ui_show_message(ui, "No channels yet: they appear after the first sync");
		return;
	}
	struct ui_menu_item items[UI_MENU_MAX];
	memset(items, 0, sizeof(items));
	for (size_t i = 0; i < n; i++) {
		items[i].key = i < 9 ? (char)('1' + i) : 0;
		util_strlcpy(items[i].label, found[i].name, sizeof(items[i].label));
		items[i].value = found[i].id;
	}
	ui_menu(ui, "Channel (j/k, Enter; Esc cancels)", items, n, channel_chosen, NULL);
}

/* "Reviews", "demo/Reviews" or the remote id, in any case. */
static void show_channel_named(struct ui *ui, const char *name)
{
	struct found_channel found[UI_MENU_MAX];
	size_t n = list_channels(ui, found, UI_MENU_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *slash = strchr(found[i].name, '/');
		const char *short_name = slash ? slash + 1 : found[i].name;
		if (!strcasecmp(found[i].name, name) || !strcasecmp(short_name, name)) {
			ui_pop_to_root(ui);
			struct pane *r = root(ui);
			if (r && r->ops == &pane_inbox_ops)
				pane_inbox_show_channel(r, found[i].id, found[i].name);
			return;
		}
	}
	struct ebb_err err = { 0 };
	ebb_err_set(&err, EBB_ENOENT, "No channel \"%.60s\": `:view channel` lists them", name);
	ui_show_error(ui, &err);
}

/* ---- the command line ---------------------------------------------------- */

static int word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

static void show_view_named(struct ui *ui, const char *arg)
{
	size_t len = strcspn(arg, " ");
	if (word_is(arg, len, "outbox")) {
		show_pane(ui, &pane_outbox_ops);
		return;
	}
	if (word_is(arg, len, "drafts")) {
		show_pane(ui, &pane_drafts_ops);
		return;
	}
	if (word_is(arg, len, "decisions")) {
		show_pane(ui, &pane_decisions_ops);
		return;
	}
	if (word_is(arg, len, "stats")) {
		show_pane(ui, &pane_stats_ops);
		return;
	}
	if (word_is(arg, len, "channel") || word_is(arg, len, "channels")) {
		const char *name = arg + len;
		name += strspn(name, " ");
		if (*name)
			show_channel_named(ui, name);
		else
			channel_picker(ui);
		return;
	}
	enum store_view v;
	char name[32];
	if (len < sizeof(name)) {
		memcpy(name, arg, len);
		name[len] = '\0';
		if (store_view_parse(name, &v) == EBB_OK) {
			show_view(ui, v);
			return;
		}
	}
	struct ebb_err err = { 0 };
	ebb_err_set(&err, EBB_EINVAL,
		    "No view \"%.40s\": due, all, waiting, later, snoozed, done, muted, outbox, "
		    "drafts, decisions, stats, channel NAME", arg);
	ui_show_error(ui, &err);
}

void ui_run_command(struct ui *ui, const char *line)
{
	line += strspn(line, " ");
	size_t len = strcspn(line, " ");
	const char *arg = line + len;
	arg += strspn(arg, " ");
	if (len == 0)
		return;
	if (word_is(line, len, "view") || word_is(line, len, "v")) {
		if (*arg)
			show_view_named(ui, arg);
		else
			ui_show_message(ui, "view what? due, all, waiting, later, snoozed, done, muted, "
					    "outbox, drafts, decisions, stats, channel NAME");
	} else if (word_is(line, len, "channel") || word_is(line, len, "channels")) {
		if (*arg)
			show_channel_named(ui, arg);
		else
			channel_picker(ui);
	} else if (word_is(line, len, "search") || word_is(line, len, "s")) {
		ui_search(ui, arg);
	} else if (word_is(line, len, "sync")) {
		if (ui->engine) {
			sync_engine_kick(ui->engine);
			ui_show_message(ui, "Syncing now");
		} else {
			ui_show_message(ui, "Background sync is off");
		}
	} else if (word_is(line, len, "undo")) {
		ui_undo(ui);
	} else if (word_is(line, len, "help")) {
		ui_global_action(ui, ACT_HELP);
	} else if (word_is(line, len, "stats")) {
		show_pane(ui, &pane_stats_ops);
	} else if (word_is(line, len, "burst")) {
		ui_burst_start(ui, arg);
	} else if (word_is(line, len, "session")) {
		ui_session_start(ui);
	} else if (word_is(line, len, "compose")) {
		ui_compose_start(ui, COMPOSE_NEW, 0);
	} else if (word_is(line, len, "quit") || word_is(line, len, "q")) {
		ui->quit = 1;
	} else {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_EINVAL,
			    "Unknown command \"%.40s\": view NAME, view channel NAME, search QUERY, "
			    "session, burst, stats, sync, undo, compose, help, quit", line);
		ui_show_error(ui, &err);
	}
}

void ui_global_action(struct ui *ui, enum ui_action a)
{
	static const struct {
		enum ui_action action;
		enum store_view view;
	} VIEWS[] = {
		{ ACT_VIEW_DUE, VIEW_DUE }, { ACT_VIEW_ALL, VIEW_ALL },
		{ ACT_VIEW_WAITING, VIEW_WAITING }, { ACT_VIEW_LATER, VIEW_LATER },
		{ ACT_VIEW_SNOOZED, VIEW_SNOOZED }, { ACT_VIEW_DONE, VIEW_DONE },
	};
	for (size_t i = 0; i < sizeof(VIEWS) / sizeof(VIEWS[0]); i++) {
		if (VIEWS[i].action == a) {
			show_view(ui, VIEWS[i].view);
			return;
		}
	}
	switch (a) {
	case ACT_VIEW_OUTBOX:
		show_pane(ui, &pane_outbox_ops);
		break;
	case ACT_VIEW_DRAFTS:
		show_pane(ui, &pane_drafts_ops);
		break;
	case ACT_HELP: {
		struct pane *p = ui_top(ui);
		if (p && p->ops != &pane_help_ops)
			ui_push(ui, &pane_help_ops, NULL);
		break;
	}
	case ACT_BACK:
		if (ui->npanes > 1)
			ui_pop(ui);
		else
			ui->quit = 1;
		break;
	case ACT_QUIT:
		ui->quit = 1;
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case ACT_SEARCH:
		ui_prompt(ui, "Search: ", "", search_entered, NULL);
		break;
	case ACT_COMMAND:
		ui_prompt(ui, ":", "", command_entered, NULL);
		break;
	case ACT_UNDO:
		ui_undo(ui);
		break;
	case ACT_COMPOSE:
		ui_compose_start(ui, COMPOSE_NEW, 0);
		break;
	case ACT_SESSION:
		ui_session_start(ui);
		break;
	default:
		break;
	}
}

const struct account_cfg *ui_conv_account(struct ui *ui, long long conv_id)
{
	struct conv_row row;
	if (store_conv_get(ui->st, conv_id, &row, NULL))
		return NULL;
	const struct account_cfg *acc = row.account ? config_account(ui->cfg, row.account) : NULL;
	store_conv_row_clear(&row);
	return acc;
}

void ui_format_when(const struct ui *ui, time_t t, char *out, size_t outlen)
{
	static const char *const WDAY[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const MON[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm when, today;
	const struct ebb_tz *tz = ui->cfg->tz;
	out[0] = '\0';
	if (!tz || tz_localtime(tz, t, &when) || tz_localtime(tz, ui->now, &today) ||
	    when.tm_wday < 0 || when.tm_wday > 6 || when.tm_mon < 0 || when.tm_mon > 11)
		return;
	long long ahead = (long long)t - ui->now;
	if (when.tm_year == today.tm_year && when.tm_yday == today.tm_yday)
		snprintf(out, outlen, "%02d:%02d", when.tm_hour, when.tm_min);
	else if (ahead > 0 && ahead < 6 * 86400)
		snprintf(out, outlen, "%s %02d:%02d", WDAY[when.tm_wday], when.tm_hour, when.tm_min);
	else if (when.tm_year == today.tm_year)
		snprintf(out, outlen, "%d %s %02d:%02d", when.tm_mday, MON[when.tm_mon], when.tm_hour,
			 when.tm_min);
	else
		snprintf(out, outlen, "%d %s %d %02d:%02d", when.tm_mday, MON[when.tm_mon],
			 when.tm_year + 1900, when.tm_hour, when.tm_min);
}
