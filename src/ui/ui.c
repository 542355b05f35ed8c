/* ui/ui: the client's main loop (poll on keys, a wake pipe and a 1 s clock),
 * the pane stack, title and status bar; the terminal restored on every exit. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ebb/policy.h"
#include "ui_internal.h"

/* Signal handlers only set these and poke the wake pipe, so the loop does
 * the real work (endwin, resizing) outside signal context. */
static volatile sig_atomic_t g_stop_signal;
static volatile sig_atomic_t g_resized;
static volatile sig_atomic_t g_wake_fd = -1;

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGWINCH)
		g_resized = 1;
	else
		g_stop_signal = sig;
	if (g_wake_fd >= 0) {
		ssize_t w = write(g_wake_fd, "s", 1);
		(void)w;   /* a full pipe already wakes the loop */
	}
	errno = saved;
}

static const int HANDLED_SIGNALS[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };
#define NSIGNALS (sizeof(HANDLED_SIGNALS) / sizeof(HANDLED_SIGNALS[0]))

static void signals_install(struct sigaction *saved)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(HANDLED_SIGNALS[i], &sa, &saved[i]);
}

static void signals_restore(const struct sigaction *saved)
{
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(HANDLED_SIGNALS[i], &saved[i], NULL);
}

void ui_show_error(struct ui *ui, const struct ebb_err *err)
{
	if (err && err->msg[0])
		util_strlcpy(ui->error, err->msg, sizeof(ui->error));
}

void ui_show_message(struct ui *ui, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof(ui->message), fmt, ap);
	va_end(ap);
}

struct pane *ui_top(struct ui *ui)
{
	return ui->npanes ? ui->stack[ui->npanes - 1] : NULL;
}

static struct pane *top_pane(struct ui *ui)
{
	return ui_top(ui);
}

/* Rows between the title line and the status bar; both give way first on a
 * tiny terminal so the content keeps at least one row. */
static void pane_area(const struct ui *ui, int *top, int *lines)
{
	int title = ui->lines >= 2 ? 1 : 0;
	int status = ui->lines >= 3 ? 1 : 0;
	*top = title;
	*lines = ui->lines - title - status;
	if (*lines < 0)
		*lines = 0;
}

static void layout_pane(struct ui *ui, struct pane *p)
{
	pane_area(ui, &p->top, &p->lines);
	p->cols = ui->cols;
	p->ops->layout(p, p->lines, p->cols);
}

static void layout_all(struct ui *ui)
{
	ui->lines = LINES;
	ui->cols = COLS;
	for (size_t i = 0; i < ui->npanes; i++)
		layout_pane(ui, ui->stack[i]);
}

int ui_push(struct ui *ui, const struct pane_ops *ops, const void *arg)
{
	struct ebb_err err = { 0 };
	if (ui->npanes == UI_MAX_PANES) {
		ebb_err_set(&err, EBB_ETOOBIG, "too many panes open: close one with q");
		ui_show_error(ui, &err);
		return EBB_ETOOBIG;
	}
	struct pane *p = calloc(1, sizeof(*p));
	if (!p) {
		ebb_err_set(&err, EBB_ENOMEM, "out of memory opening the %s pane", ops->name);
		ui_show_error(ui, &err);
		return EBB_ENOMEM;
	}
	p->ops = ops;
	p->ui = ui;
	pane_area(ui, &p->top, &p->lines);
	p->cols = ui->cols;
	int rc = ops->init(p, arg, &err);
	if (rc) {
		ui_show_error(ui, &err);
		free(p);
		return rc;
	}
	ui->stack[ui->npanes++] = p;
	layout_pane(ui, p);
	return EBB_OK;
}

static void close_pane(struct pane *p)
{
	p->ops->close(p);
	free(p);
}

void ui_pop(struct ui *ui)
{
	if (ui->npanes <= 1)
		return;
	close_pane(ui->stack[--ui->npanes]);
	struct pane *p = top_pane(ui);
	p->ops->reload(p);
}

void ui_pop_to_root(struct ui *ui)
{
	while (ui->npanes > 1)
		ui_pop(ui);
}

void ui_reload_all(struct ui *ui)
{
	for (size_t i = 0; i < ui->npanes; i++)
		ui->stack[i]->ops->reload(ui->stack[i]);
}

static void reload_all(struct ui *ui)
{
	ui_reload_all(ui);
}

/* ---- title line and status bar ----------------------------------------- */

/* "reply block until 11:30", "next reply block 16:00", "next reply block Wed 11:00" */
static void block_text(const struct ui *ui, char *out, size_t outlen)
{
	static const char *const WDAY[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	const struct policy_hours *h = &ui->cfg->hours;
	out[0] = '\0';
	if (!h->tz)
		return;
	time_t start = policy_block_start(h, ui->now);
	if (start == 0)
		return;
	struct tm when, today;
	if (start <= ui->now) {
		time_t end = policy_block_end(h, ui->now);
		if (end && !tz_localtime(h->tz, end, &when))
			snprintf(out, outlen, "reply block until %02d:%02d", when.tm_hour, when.tm_min);
		return;
	}
	if (tz_localtime(h->tz, start, &when) || tz_localtime(h->tz, ui->now, &today) ||
	    when.tm_wday < 0 || when.tm_wday > 6)
		return;
	if (when.tm_yday == today.tm_yday && when.tm_year == today.tm_year)
		snprintf(out, outlen, "next reply block %02d:%02d", when.tm_hour, when.tm_min);
	else
		snprintf(out, outlen, "next reply block %s %02d:%02d", WDAY[when.tm_wday],
			 when.tm_hour, when.tm_min);
}

static void draw_title(struct ui *ui, struct pane *p)
{
	if (ui->lines < 2)
		return;
	attr_t attr = ui_attr(ui, UI_C_TITLE);
	ui_fill(0, 0, ui->cols, attr);
	char title[512] = "";
	if (p->ops->title)
		p->ops->title(p, title, sizeof(title));
	char left[600];
	snprintf(left, sizeof(left), " ebb \xE2\x80\x94 %s", title);
	int used = ui_put(0, 0, ui->cols, left, attr);
	char block[64];
	block_text(ui, block, sizeof(block));
	int bw = ui_text_width(block, strlen(block));
	if (bw && ui->cols - used >= bw + 3)
		ui_put(0, ui->cols - bw - 1, bw, block, attr);
}

/* Each account's sync state, short: "work synced", "work pulling 40/120",
 * "work: <error>". Returns 1 when any account reports an error. */
static int sync_text(struct ui *ui, char *out, size_t outlen)
{
	struct sync_status st[CONFIG_MAX_ACCOUNTS];
	size_t n = sync_engine_status(ui->engine, st, CONFIG_MAX_ACCOUNTS);
	if (n > CONFIG_MAX_ACCOUNTS)
		n = CONFIG_MAX_ACCOUNTS;
	size_t used = 0;
	int has_error = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < outlen; i++) {
		int w;
		const char *sep = used ? "  " : "";
		if (st[i].error[0]) {
			w = snprintf(out + used, outlen - used, "%s%.63s: %s", sep, st[i].account,
				     st[i].error);
			has_error = 1;
		} else if (!strcmp(st[i].phase, "done") || !strcmp(st[i].phase, "idle")) {
			w = snprintf(out + used, outlen - used, "%s%.63s synced", sep, st[i].account);
		} else if (st[i].total > 0) {
			w = snprintf(out + used, outlen - used, "%s%.63s %s %lld/%lld", sep,
				     st[i].account, st[i].phase, st[i].done, st[i].total);
		} else if (st[i].done > 0) {
			/* Providers that cannot know the total still show headway. */
			w = snprintf(out + used, outlen - used, "%s%.63s %.15s %lld", sep,
				     st[i].account, st[i].phase, st[i].done);
		} else {
			w = snprintf(out + used, outlen - used, "%s%.63s %.15s", sep, st[i].account,
				     st[i].phase);
		}
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return has_error;
}

/* "2 held, 1 queued, 1 failed": what the outbox holds, "" when nothing waits. */
static void outbox_text(struct ui *ui, char *out, size_t outlen)
{
	static const struct {
		enum outbox_state state;
		const char *name;
	} SHOWN[] = {
		{ OUTBOX_HELD, "held" },
		{ OUTBOX_QUEUED, "queued" },
		{ OUTBOX_SENDING, "sending" },
		{ OUTBOX_FAILED, "failed" },
		{ OUTBOX_UNCERTAIN, "uncertain" },
	};
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(SHOWN) / sizeof(SHOWN[0]); i++) {
		size_t n = store_outbox_count(ui->st, SHOWN[i].state);
		if (!n)
			continue;
		int w = snprintf(out + used, outlen - used, "%s%zu %s", used ? ", " : "", n,
				 SHOWN[i].name);
		if (w < 0 || (size_t)w >= outlen - used)
			return;
		used += (size_t)w;
	}
}

/* "block in 2h40m", "in a reply block", "" when there are no blocks. */
static void block_countdown(const struct ui *ui, char *out, size_t outlen)
{
	out[0] = '\0';
	const struct policy_hours *h = &ui->cfg->hours;
	if (!h->tz)
		return;
	time_t start = policy_block_start(h, ui->now);
	if (start == 0)
		return;
	if (start <= ui->now) {
		snprintf(out, outlen, "in a reply block");
		return;
	}
	long long mins = ((long long)start - ui->now + 59) / 60;
	if (mins < 60)
		snprintf(out, outlen, "block in %lldm", mins);
	else if (mins < 24 * 60)
		snprintf(out, outlen, "block in %lldh%02lldm", mins / 60, mins % 60);
	else
		snprintf(out, outlen, "block in %lldd", mins / (24 * 60));
}

static void default_hints(struct ui *ui, char *out, size_t outlen)
{
	char help[32], back[32];
	keymap_keys_of(&ui->keys, ACT_HELP, 1, help, sizeof(help));
	keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
	snprintf(out, outlen, "%s:help %s:%s", help, back, ui->npanes > 1 ? "back" : "quit");
}

/* The prompt replaces the status bar; the cursor sits after the text. */
static void draw_prompt(struct ui *ui, int y)
{
	struct ui_modal_state *m = &ui->modal;
	attr_t attr = ui_attr(ui, UI_C_STATUS);
	ui_fill(y, 0, ui->cols, attr);
	int x = ui_put(y, 0, ui->cols - 1, m->label, attr | A_BOLD);
	int room = ui->cols - x - 1;
	if (room <= 0)
		return;
	/* Show the end of a long text: what is being typed matters most. */
	const char *text = m->text;
	while (*text && ui_text_width(text, strlen(text)) > room - 1) {
		uint32_t cp;
		int n = utf8_decode((const unsigned char *)text, strlen(text), &cp);
		text += n > 0 ? n : 1;
	}
	int w = ui_put(y, x, room, text, attr);
	ui->cursor_y = y;
	ui->cursor_x = x + w < ui->cols ? x + w : ui->cols - 1;
}

/* A small box above the status bar: title, then one row per item. */
static void draw_menu(struct ui *ui)
{
	struct ui_modal_state *m = &ui->modal;
	int status_y = ui->lines >= 3 ? ui->lines - 1 : ui->lines;
	int max_rows = status_y - 1;   /* leave the title line */
	if (max_rows < 2)
		max_rows = status_y;
	int rows = (int)m->nitems + 1;
	if (rows > max_rows)
		rows = max_rows;
	if (rows < 1)
		return;
	int visible = rows - 1;
	if (visible > 0) {
		if (m->sel < m->scroll)
			m->scroll = m->sel;
		if (m->sel >= m->scroll + (size_t)visible)
			m->scroll = m->sel - (size_t)visible + 1;
	}
	/* Items use at most 64 columns, but the rows cover the whole width so
	 * the list behind does not run into them. */
	int width = ui->cols < 64 ? ui->cols : 64;
	int y0 = status_y - rows;
	attr_t frame = ui_attr(ui, UI_C_TITLE);
	ui_fill(y0, 0, ui->cols, frame);
	ui_put(y0, 1, width - 2, m->label, frame);
	for (int i = 0; i < visible; i++) {
		size_t idx = m->scroll + (size_t)i;
		if (idx >= m->nitems)
			break;
		const struct ui_menu_item *it = &m->items[idx];
		attr_t attr = idx == m->sel ? ui_attr(ui, UI_C_SELECTED) : A_NORMAL;
		int y = y0 + 1 + i;
		ui_fill(y, 0, ui->cols, A_NORMAL);
		ui_fill(y, 0, width, attr);
		char key[8] = "";
		if (it->key)
			snprintf(key, sizeof(key), "%c", it->key);
		ui_put(y, 1, 2, key, attr | A_BOLD);
		int dw = ui_text_width(it->detail, strlen(it->detail));
		int label_cols = width - 5 - (dw ? dw + 2 : 0);
		ui_put(y, 4, label_cols, it->label, attr);
		if (dw && width - dw - 1 > 4)
			ui_put(y, width - dw - 1, dw, it->detail, attr);
	}
}

static void draw_status(struct ui *ui)
{
	if (ui->lines < 3 && ui->modal.kind != MODAL_PROMPT)
		return;
	int y = ui->lines >= 3 ? ui->lines - 1 : ui->lines - 1;
	if (ui->modal.kind == MODAL_PROMPT) {
		draw_prompt(ui, y);
		return;
	}
	attr_t attr = ui_attr(ui, UI_C_STATUS);
	ui_fill(y, 0, ui->cols, attr);
	if (ui->modal.kind == MODAL_CONFIRM) {
		ui_put(y, 1, ui->cols - 2, ui->modal.label, attr | A_BOLD);
		return;
	}

	/* Right to left: key hints, then the outbox and the next block; the
	 * left part (sync state, a message or an error) gets what is left. */
	char hints[128] = "";
	struct pane *p = top_pane(ui);
	if (p && p->ops->hints)
		p->ops->hints(p, hints, sizeof(hints));
	if (!hints[0])
		default_hints(ui, hints, sizeof(hints));
	int right = ui->cols - 1;
	int hw = ui_text_width(hints, strlen(hints));
	if (right - hw >= 12) {
		ui_put(y, right - hw, hw, hints, attr);
		right -= hw + 2;
	}
	char outbox[96], block[48], info[160];
	outbox_text(ui, outbox, sizeof(outbox));
	block_countdown(ui, block, sizeof(block));
	snprintf(info, sizeof(info), "%s%s%s", outbox, outbox[0] && block[0] ? " \xC2\xB7 " : "",
		 block);
	int iw = ui_text_width(info, strlen(info));
	/* A message or an error is short-lived: it gets the room it needs
	 * while it shows, the outbox and block text only what is left. */
	const char *transient = ui->error[0] ? ui->error : ui->message;
	int tw = transient[0] ? ui_text_width(transient, strlen(transient)) + 2 : 24;
	if (iw && right - iw >= tw) {
		ui_put(y, right - iw, iw, info, attr);
		right -= iw + 2;
	}
	int room = right;
	if (room < 1)
		return;
	int x = 1;
	char live[200];
	ui_burst_status(ui, live, sizeof(live));
	if (live[0]) {
		/* The live window stays in sight whatever else the bar says. */
		int lw = ui_put(y, x, room * 2 / 3 > 12 ? room * 2 / 3 : room, live,
				ui_attr(ui, UI_C_AT_RISK) | A_BOLD);
		x += lw + 2;
		room -= lw + 2;
		if (room < 1)
			return;
	}
	if (ui->error[0]) {
		ui_put(y, x, room, ui->error, ui_attr(ui, UI_C_ERROR));
	} else if (ui->message[0]) {
		ui_put(y, x, room, ui->message, attr | ui_attr(ui, UI_C_INFO));
	} else if (ui->engine) {
		char text[1024];
		int has_error = sync_text(ui, text, sizeof(text));
		ui_put(y, x, room, text, has_error ? ui_attr(ui, UI_C_ERROR) : attr);
	}
}

static void draw(struct ui *ui)
{
	erase();
	ui->cursor_y = ui->cursor_x = -1;
	struct pane *p = top_pane(ui);
	if (p) {
		if (p->lines > 0)
			p->ops->draw(p);
		draw_title(ui, p);
	}
	if (ui->modal.kind == MODAL_MENU)
		draw_menu(ui);
	draw_status(ui);
	if (ui->cursor_y >= 0) {
		move(ui->cursor_y, ui->cursor_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}

/* ---- input --------------------------------------------------------------- */

static void resize(struct ui *ui)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	layout_all(ui);
	clearok(curscr, TRUE);
}

/* Enter and Backspace come in several spellings depending on the terminal. */
static int normalise_key(int key)
{
	if (key == '\r' || key == UI_KEY_FN + KEY_ENTER)
		return '\n';
	if (key == 0x7F || key == 0x08)
		return UI_KEY_FN + KEY_BACKSPACE;
	return key;
}

static void read_keys(struct ui *ui)
{
	for (;;) {
		wint_t wc;
		int r = get_wch(&wc);
		if (r == ERR)
			return;
		int key = r == KEY_CODE_YES ? UI_KEY_FN + (int)wc : (int)wc;
		ui_bench_key(normalise_key(key));
		if (key == UI_KEY_FN + KEY_RESIZE) {
			layout_all(ui);
			continue;
		}
		ui->error[0] = '\0';
		ui->message[0] = '\0';
		key = normalise_key(key);
		if (ui->modal.kind != MODAL_NONE) {
			ui_modal_key(ui, key);
			continue;
		}
		struct pane *p = top_pane(ui);
		enum ui_action a = keymap_lookup(&ui->keys, p ? p->ops->scope : SCOPE_GLOBAL, key);
		if (a == ACT_NONE)
			continue;
		if (!p || !p->ops->handle_action(p, a))
			ui_global_action(ui, a);
		if (ui->quit)
			return;
	}
}

static void drain(int fd)
{
	char buf[256];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* A sync can commit many small batches a second; re-reading the rows on
 * screen at most this often keeps keys responsive during a big first sync. */
#define RELOAD_MIN_MS 200

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int loop(struct ui *ui, int wake_fd, struct ebb_err *err)
{
	time_t last_wake_check = 0;
	int reload_pending = 0;
	long long last_reload = 0;
	while (!ui->quit && !g_stop_signal) {
		if (g_resized) {
			g_resized = 0;
			resize(ui);
		}
		ui->now = ebb_now();
		ui_burst_tick(ui);
		/* Snoozed and waiting conversations come back when their time comes. */
		if (ui->now - last_wake_check >= 60) {
			struct ebb_err werr = { 0 };
			if (store_wake(ui->st, ui->now, &werr))
				ui_show_error(ui, &werr);
			else if (last_wake_check)
				reload_pending = 1;
			last_wake_check = ui->now;
		}
		int reloaded = 0;
		if (reload_pending && monotonic_ms() - last_reload >= RELOAD_MIN_MS) {
			reload_all(ui);
			last_reload = monotonic_ms();
			reload_pending = 0;
			reloaded = 1;
		}
		draw(ui);
		if (ui_bench_painted(ui))
			break;
		/* After the paint: its scan of the owed queue (thousands of rows
		 * every 15 s) must not delay the answer to a key. It draws nothing. */
		ui_notify_tick(ui, reloaded);

		int timeout = 1000;
		if (reload_pending) {
			long long wait = RELOAD_MIN_MS - (monotonic_ms() - last_reload);
			timeout = wait < 0 ? 0 : (int)wait;
		}
		struct pollfd fds[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = wake_fd, .events = POLLIN },
		};
		int r = poll(fds, 2, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return ebb_err_set(err, EBB_EIO, "waiting for input failed: %s", strerror(errno));
		}
		if (fds[1].revents & POLLIN) {
			drain(wake_fd);
			reload_pending = 1;
		}
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			return ebb_err_set(err, EBB_EIO, "the terminal went away");
		if (fds[0].revents & POLLIN)
			read_keys(ui);
		ui_missed_settle(ui);
	}
	return EBB_OK;
}

void ui_engine_start(struct ui *ui)
{
	if (!ui->want_sync || ui->engine)
		return;
	struct ebb_err serr = { 0 };
	if (sync_engine_start(ui->cfg, ui->db_path, ui->wake_fd, &ui->engine, &serr)) {
		ui->engine = NULL;
		ebb_err_prefix(&serr, "sync is off: ");
		ui_show_error(ui, &serr);
	}
}

static void teardown_panes(struct ui *ui)
{
	while (ui->npanes)
		close_pane(ui->stack[--ui->npanes]);
}

int ui_run(const struct ui_opts *opts, struct ebb_err *err)
{
	if (!opts || !opts->cfg || !opts->db_path)
		return ebb_err_set(err, EBB_EINVAL, "ui_run: missing configuration or database path");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return ebb_err_set(err, EBB_EINVAL,
				   "ebb needs a terminal for its screen; in scripts use `ebb list`");

	struct ui ui;
	memset(&ui, 0, sizeof(ui));
	ui.cfg = opts->cfg;
	ui.cursor_y = ui.cursor_x = -1;
	int rc = keymap_init(&ui.keys, err);
	if (rc)
		return rc;
	/* A bad [keys] or [colors] line is reported, not fatal: the rest works. */
	struct ebb_err cfg_err = { 0 };
	keymap_apply_config(&ui.keys, ui.cfg, &cfg_err);
	rc = store_open(opts->db_path, &ui.st, err);
	if (rc)
		return rc;

	int wake[2];
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK)) {
		rc = ebb_err_set(err, EBB_EIO, "cannot create the wake pipe: %s", strerror(errno));
		store_close(ui.st);
		return rc;
	}
	g_stop_signal = 0;
	g_resized = 0;
	g_wake_fd = wake[1];
	struct sigaction saved[NSIGNALS];
	/* Before newterm, so curses leaves these signals to us. */
	signals_install(saved);
	ui_bench_init();

	SCREEN *screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		const char *term = getenv("TERM");
		rc = ebb_err_set(err, EBB_EINVAL,
				 "cannot start the screen for TERM=%s: set TERM to your terminal's type "
				 "(e.g. xterm-256color)", term ? term : "(unset)");
		goto out_signals;
	}
	set_term(screen);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	ui_colors_init(&ui, cfg_err.msg[0] ? NULL : &cfg_err);
	ui.lines = LINES;
	ui.cols = COLS;
	ui.now = ebb_now();

	ui.db_path = opts->db_path;
	ui.wake_fd = wake[1];
	ui.want_sync = opts->sync && ui.cfg->naccounts > 0;
	/* Held replies that missed their release would go with the engine's
	 * first flush: ask before starting it (ui/missed.c). */
	struct ebb_err merr = { 0 };
	int missed = ui_missed_check(&ui, &merr);
	if (missed < 0)
		ui_show_error(&ui, &merr);
	if (missed > 0)
		ui.engine_deferred = 1;
	else
		ui_engine_start(&ui);

	rc = ui_push(&ui, &pane_inbox_ops, NULL);
	if (!rc && cfg_err.msg[0] && !ui.error[0])
		ui_show_error(&ui, &cfg_err);
	if (!rc && ui.engine_deferred)
		ui_missed_ask(&ui);
	if (rc) {
		ebb_err_set(err, rc, "%s", ui.error[0] ? ui.error : "cannot open the inbox");
	} else {
		rc = loop(&ui, wake[0], err);
	}

	ui.now = ebb_now();
	ui_burst_end(&ui, NULL);   /* quitting ends the live window */
	teardown_panes(&ui);
	ui_triage_free(&ui);
	ui_missed_free(&ui);
	ui_notify_free(&ui);
	endwin();
	delscreen(screen);
	if (ui.engine)
		sync_engine_stop(ui.engine);
out_signals:
	signals_restore(saved);
	g_wake_fd = -1;
	close(wake[0]);
	close(wake[1]);
	store_close(ui.st);
	ui_bench_end();
	return rc;
}
