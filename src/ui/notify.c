/* ui/notify: at most one summary per reply block ("7 due, 2 overdue") as a
 * bell plus a desktop notification (OSC 9/777) or notify_cmd; outside blocks
 * only a new owed conversation from a vip or an urgent tier rings. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ebb/policy.h"
#include "ui_internal.h"

#define NOTIFY_PAGE 200
#define NOTIFY_MAX_OWED 5000
/* The owed queue is read again at most this often. */
#define NOTIFY_CHECK_SECONDS 15
/* After a change, not sooner than this: reading thousands of owed rows on
 * every sync batch would hold up the keys typed meanwhile. */
#define NOTIFY_CHANGED_SECONDS 2

enum notify_mode { NOTIFY_BLOCKS = 0, NOTIFY_ALWAYS, NOTIFY_NEVER };

static enum notify_mode mode_of(const struct ebb_config *cfg)
{
	if (cfg->notify && !strcmp(cfg->notify, "never"))
		return NOTIFY_NEVER;
	if (cfg->notify && !strcmp(cfg->notify, "always"))
		return NOTIFY_ALWAYS;
	return NOTIFY_BLOCKS;
}

void ui_notify_summary(size_t due, size_t overdue, char *out, size_t outlen)
{
	if (overdue)
		snprintf(out, outlen, "%zu due, %zu overdue", due, overdue);
	else
		snprintf(out, outlen, "%zu due", due);
}

/* The OSC sequence for a summary: OSC 777 for terminals that speak it
 * (rxvt-unicode, foot), OSC 9 otherwise. The text is built from counts
 * only (ui_notify_summary), so mail text never reaches the terminal. */
void ui_notify_osc(const char *term, const char *summary, char *out, size_t outlen)
{
	int is_777 = term && (!strncmp(term, "rxvt", 4) || !strncmp(term, "foot", 4));
	if (is_777)
		snprintf(out, outlen, "\033]777;notify;ebb;%s\007", summary);
	else
		snprintf(out, outlen, "\033]9;ebb: %s\007", summary);
}

/* sh -c "$notify_cmd" sh "$summary": the summary is an argument, never part
 * of the command line. Double fork: nobody waits for it. */
static void run_cmd(const char *cmd, const char *summary)
{
	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		pid_t grandchild = fork();
		if (grandchild != 0)
			_exit(0);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl("/bin/sh", "sh", "-c", cmd, "sh", summary, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

static void notify(struct ui *ui, const char *summary)
{
	ui->notified++;
	if (ui->cfg->notify_cmd && ui->cfg->notify_cmd[0]) {
		run_cmd(ui->cfg->notify_cmd, summary);
		return;
	}
	beep();
	char osc[128];
	ui_notify_osc(getenv("TERM"), summary, osc, sizeof(osc));
	/* Straight to the terminal: curses has no call for OSC strings. */
	fflush(stdout);
	ssize_t w = write(STDOUT_FILENO, osc, strlen(osc));
	(void)w;
}

static int tier_urgent(const struct ebb_config *cfg, const char *tier)
{
	for (size_t i = 0; tier && i < cfg->ntiers; i++)
		if (!strcmp(cfg->tiers[i].name, tier))
			return cfg->tiers[i].urgent;
	return 0;
}

/* Is the last sender of the conversation a vip? */
static int from_vip(struct ui *ui, long long conv_id)
{
	if (!ui->cfg->nvip)
		return 0;
	struct msg_row *rows;
	size_t n;
	if (store_msg_list(ui->st, conv_id, &rows, &n, NULL))
		return 0;
	int vip = 0;
	for (size_t i = n; i-- > 0 && !vip;) {
		if (rows[i].from_me)
			continue;
		for (size_t v = 0; rows[i].sender && v < ui->cfg->nvip; v++)
			if (!strcasecmp(rows[i].sender, ui->cfg->vip[v]))
				vip = 1;
		break;
	}
	store_msg_rows_free(rows, n);
	return vip;
}

static int cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

/* owed_known is sorted: thousands of owed rows are looked up every check. */
static int known(const struct ui *ui, long long id)
{
	return ui->nowed_known &&
	       bsearch(&id, ui->owed_known, ui->nowed_known, sizeof(id), cmp_id) != NULL;
}

void ui_notify_tick(struct ui *ui, int changed)
{
	enum notify_mode mode = mode_of(ui->cfg);
	if (mode == NOTIFY_NEVER)
		return;
	if (changed)
		ui->notify_pending = 1;
	/* The monotonic clock: ui->now stands still under EBB_NOW. */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int settled = !ui->notify_read_mono || ts.tv_sec - ui->notify_read_mono >=
							     NOTIFY_CHANGED_SECONDS;
	if (!(ui->notify_pending && settled) && ui->notify_checked &&
	    ui->now - ui->notify_checked < NOTIFY_CHECK_SECONDS)
		return;
	ui->notify_checked = ui->now;
	ui->notify_pending = 0;
	ui->notify_read_mono = ts.tv_sec;

	long long *ids = NULL;
	size_t n = 0, cap = 0, overdue = 0;
	int urgent_new = 0, always_new = 0, done = 0;
	struct conv_cursor after;
	int have_after = 0;
	while (!done && n < NOTIFY_MAX_OWED) {
		struct conv_row *rows = NULL;
		size_t nrows = 0;
		if (store_conv_list(ui->st, VIEW_DUE, have_after ? &after : NULL, NOTIFY_PAGE, &rows,
				    &nrows, NULL))
			break;
		if (nrows < NOTIFY_PAGE)
			done = 1;
		for (size_t i = 0; i < nrows && n < NOTIFY_MAX_OWED; i++) {
			const struct conv_row *r = &rows[i];
			if (!r->needs_reply || r->due_at == 0) {
				done = 1;
				break;
			}
			if (r->state != CONV_INBOX)
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				long long *grown = realloc(ids, ncap * sizeof(*ids));
				if (!grown) {
					done = 1;
					break;
				}
				ids = grown;
				cap = ncap;
			}
			ids[n++] = r->id;
			if (r->due_at < ui->now)
				overdue++;
			if (ui->owed_known && !known(ui, r->id)) {
				always_new = 1;
				if (tier_urgent(ui->cfg, r->tier) || from_vip(ui, r->id))
					urgent_new = 1;
			}
		}
		if (nrows) {
			after.sort_key = rows[nrows - 1].sort_key;
			after.id = rows[nrows - 1].id;
			have_after = 1;
		}
		store_conv_rows_free(rows, nrows);
	}
	/* The first look only learns what is owed: starting ebb is no news. */
	if (ids)
		qsort(ids, n, sizeof(*ids), cmp_id);
	free(ui->owed_known);
	ui->owed_known = ids ? ids : calloc(1, sizeof(*ids));
	ui->nowed_known = ids ? n : 0;

	const struct policy_hours *h = &ui->cfg->hours;
	char summary[64];
	ui_notify_summary(n, overdue, summary, sizeof(summary));
	if (h->tz && policy_in_block(h, ui->now)) {
		time_t start = policy_block_start(h, ui->now);
		if (start != ui->notified_block) {
			ui->notified_block = start;
			if (n)
				notify(ui, summary);
			return;
		}
	}
	if (mode == NOTIFY_ALWAYS && always_new)
		notify(ui, summary);
	else if (urgent_new)
		notify(ui, "a reply is owed to a vip or an urgent tier");
}

void ui_notify_free(struct ui *ui)
{
	free(ui->owed_known);
	ui->owed_known = NULL;
	ui->nowed_known = 0;
}
