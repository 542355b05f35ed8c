/* ui/pane_session: a reply session walks the owed conversations one by one
 * (reply, done, snooze, later, next) with a counter and the time left in the
 * reply block; the conversation itself is drawn by an embedded thread pane. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "ui_internal.h"

#define SESSION_PAGE 200
#define SESSION_MAX 5000

struct session {
	long long *ids;        /* owed conversations, in the Due view's order */
	size_t n;
	size_t pos;            /* the one shown */
	size_t moved;          /* replied, done, snoozed or put off */
	struct pane thread;    /* the conversation, one row below the header */
	int has_thread;
	long long replying;    /* the conversation a reply is being written to */
};

static struct session *priv(struct pane *p)
{
	return p->priv;
}

/* Owed conversations in the inbox state: the top group of the Due view,
 * which the store orders by due time, overdue (the longest owed) first. */
static int collect(struct ui *ui, long long **out, size_t *nout, struct ebb_err *err)
{
	long long *ids = NULL;
	size_t n = 0, cap = 0;
	struct conv_cursor after;
	int have_after = 0, done = 0;
	while (!done && n < SESSION_MAX) {
		struct conv_row *rows = NULL;
		size_t nrows = 0;
		int rc = store_conv_list(ui->st, VIEW_DUE, have_after ? &after : NULL, SESSION_PAGE,
					 &rows, &nrows, err);
		if (rc) {
			free(ids);
			return rc;
		}
		if (nrows < SESSION_PAGE)
			done = 1;
		for (size_t i = 0; i < nrows && n < SESSION_MAX; i++) {
			if (!rows[i].needs_reply || rows[i].due_at == 0) {
				done = 1;   /* the owed group is over */
				break;
			}
			if (rows[i].state != CONV_INBOX)
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				long long *grown = realloc(ids, ncap * sizeof(*ids));
				if (!grown) {
					store_conv_rows_free(rows, nrows);
					free(ids);
					return ebb_err_set(err, EBB_ENOMEM,
							   "out of memory starting the reply session");
				}
				ids = grown;
				cap = ncap;
			}
			ids[n++] = rows[i].id;
		}
		if (nrows) {
			after.sort_key = rows[nrows - 1].sort_key;
			after.id = rows[nrows - 1].id;
			have_after = 1;
		}
		store_conv_rows_free(rows, nrows);
	}
	*out = ids;
	*nout = n;
	return EBB_OK;
}

static void close_thread(struct session *s)
{
	if (s->has_thread) {
		s->thread.ops->close(&s->thread);
		s->has_thread = 0;
	}
}

static void layout_thread(struct pane *p)
{
	struct session *s = priv(p);
	if (!s->has_thread)
		return;
	s->thread.top = p->top + 1;
	s->thread.lines = p->lines > 1 ? p->lines - 1 : 0;
	s->thread.cols = p->cols;
	s->thread.ops->layout(&s->thread, s->thread.lines, s->thread.cols);
}

/* Shows the conversation at pos; 0, or the error of opening it. */
static int open_current(struct pane *p, struct ebb_err *err)
{
	struct session *s = priv(p);
	close_thread(s);
	if (s->pos >= s->n)
		return EBB_OK;
	memset(&s->thread, 0, sizeof(s->thread));
	s->thread.ops = &pane_thread_ops;
	s->thread.ui = p->ui;
	long long id = s->ids[s->pos];
	int rc = pane_thread_ops.init(&s->thread, &id, err);
	if (rc)
		return rc;
	s->has_thread = 1;
	layout_thread(p);
	return EBB_OK;
}

/* Moves on; at the end the session closes and says how it went. */
static void advance(struct pane *p, int handled)
{
	struct session *s = priv(p);
	struct ui *ui = p->ui;
	if (handled)
		s->moved++;
	s->pos++;
	s->replying = 0;
	struct ebb_err err = { 0 };
	while (s->pos < s->n) {
		/* Something else (a sync, another pane) may have dealt with it. */
		struct conv_row row;
		int still = 0;
		if (!store_conv_get(ui->st, s->ids[s->pos], &row, NULL)) {
			still = row.state == CONV_INBOX && row.needs_reply;
			store_conv_row_clear(&row);
		}
		if (still)
			break;
		s->pos++;
	}
	if (s->pos >= s->n) {
		size_t moved = s->moved, n = s->n;
		ui_pop(ui);   /* frees p */
		ui_show_message(ui, "Reply session over: %zu of %zu dealt with", moved, n);
		return;
	}
	if (open_current(p, &err))
		ui_show_error(ui, &err);
}

static int session_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	(void)arg;
	struct session *s = calloc(1, sizeof(*s));
	if (!s)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory starting the reply session");
	int rc = collect(p->ui, &s->ids, &s->n, err);
	if (rc) {
		free(s);
		return rc;
	}
	if (s->n == 0) {
		free(s);
		return ebb_err_set(err, EBB_ENOENT, "No replies owed: nothing for a reply session");
	}
	p->priv = s;
	rc = open_current(p, err);
	if (rc) {
		free(s->ids);
		free(s);
		p->priv = NULL;
	}
	return rc;
}

static void session_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	layout_thread(p);
}

/* "block ends in 22m", "outside a block", "" when there are no blocks. */
static void block_left(const struct ui *ui, char *out, size_t outlen)
{
	const struct policy_hours *h = &ui->cfg->hours;
	out[0] = '\0';
	if (!h->tz || policy_block_start(h, ui->now) == 0)
		return;
	time_t end = policy_block_end(h, ui->now);
	if (!end || end <= ui->now) {
		snprintf(out, outlen, "outside a block");
		return;
	}
	long long mins = ((long long)end - ui->now + 59) / 60;
	if (mins < 60)
		snprintf(out, outlen, "block ends in %lldm", mins);
	else
		snprintf(out, outlen, "block ends in %lldh%02lldm", mins / 60, mins % 60);
}

static void session_draw(struct pane *p)
{
	struct session *s = priv(p);
	struct ui *ui = p->ui;
	char left[64], header[160];
	block_left(ui, left, sizeof(left));
	snprintf(header, sizeof(header), " Reply session %zu/%zu%s%s", s->pos + 1, s->n,
		 left[0] ? " \xE2\x80\x94 " : "", left);
	attr_t attr = ui_attr(ui, UI_C_HEADER) | A_BOLD;
	ui_fill(p->top, 0, p->cols, attr);
	ui_put(p->top, 0, p->cols, header, attr);
	if (s->has_thread && s->thread.lines > 0)
		s->thread.ops->draw(&s->thread);
}

static int session_action(struct pane *p, enum ui_action a)
{
	struct session *s = priv(p);
	struct ui *ui = p->ui;
	if (s->pos >= s->n)
		return 0;
	long long id = s->ids[s->pos];
	switch (a) {
	case ACT_REPLY:
	case ACT_REPLY_ALL:
		/* The reply is noticed when the compose pane closes (reload). */
		s->replying = id;
		ui->last_queued_conv = 0;
		ui_compose_start(ui, a == ACT_REPLY ? COMPOSE_REPLY : COMPOSE_REPLY_ALL, id);
		return 1;
	case ACT_ROUNDUP:
		s->replying = id;
		ui->last_queued_conv = 0;
		ui_compose_roundup(ui, id);
		return 1;
	case ACT_DONE:
		if (!ui_triage_set(ui, &id, 1, CONV_DONE, 0))
			advance(p, 1);
		return 1;
	case ACT_LATER:
		if (!ui_triage_set(ui, &id, 1, CONV_LATER, 0))
			advance(p, 1);
		return 1;
	case ACT_SNOOZE:
		/* The menu answers later; reload sees the new state. */
		ui_triage_action(ui, ACT_SNOOZE, &id, 1, 0);
		return 1;
	case ACT_SESSION_NEXT:
		advance(p, 0);
		return 1;
	case ACT_BACK: {
		size_t moved = s->moved, n = s->n;
		ui_pop(ui);   /* frees p */
		ui_show_message(ui, "Reply session ended: %zu of %zu dealt with", moved, n);
		return 1;
	}
	case ACT_WAITING:
	case ACT_MUTE:
	case ACT_TO_INBOX:
	case ACT_NEEDS_REPLY:
	case ACT_OPEN:
		return 1;   /* not part of a session: keep them from the list behind */
	default:
		return s->has_thread ? s->thread.ops->handle_action(&s->thread, a) : 0;
	}
}

static void session_title(struct pane *p, char *out, size_t outlen)
{
	struct session *s = priv(p);
	char inner[400] = "";
	if (s->has_thread && s->thread.ops->title)
		s->thread.ops->title(&s->thread, inner, sizeof(inner));
	snprintf(out, outlen, "Reply session: %s", inner);
}

/* The pane below the compose pane or a snooze menu: see what happened to
 * the conversation shown and move on when it was dealt with. */
static void session_reload(struct pane *p)
{
	struct session *s = priv(p);
	struct ui *ui = p->ui;
	if (s->pos >= s->n)
		return;
	long long id = s->ids[s->pos];
	if (s->replying == id && ui_top(ui) == p) {
		s->replying = 0;
		if (ui->last_queued_conv == id) {
			ui->last_queued_conv = 0;
			advance(p, 1);
			return;
		}
	}
	struct conv_row row;
	/* Only while on top: moving on may close the session, and a pane
	 * above (compose) must not be the one closed. */
	if (ui_top(ui) == p && !store_conv_get(ui->st, id, &row, NULL)) {
		int moved_on = row.state == CONV_SNOOZED;
		store_conv_row_clear(&row);
		if (moved_on) {
			advance(p, 1);
			return;
		}
	}
	if (s->has_thread)
		s->thread.ops->reload(&s->thread);
}

static void session_close(struct pane *p)
{
	struct session *s = priv(p);
	if (!s)
		return;
	close_thread(s);
	free(s->ids);
	free(s);
	p->priv = NULL;
}

static void session_hints(struct pane *p, char *out, size_t outlen)
{
	struct ui *ui = p->ui;
	char r[16], d[16], sn[16], l[16], n[16], q[16];
	keymap_keys_of(&ui->keys, ACT_REPLY, 1, r, sizeof(r));
	keymap_keys_of(&ui->keys, ACT_DONE, 1, d, sizeof(d));
	keymap_keys_of(&ui->keys, ACT_SNOOZE, 1, sn, sizeof(sn));
	keymap_keys_of(&ui->keys, ACT_LATER, 1, l, sizeof(l));
	keymap_keys_of(&ui->keys, ACT_SESSION_NEXT, 1, n, sizeof(n));
	keymap_keys_of(&ui->keys, ACT_BACK, 1, q, sizeof(q));
	snprintf(out, outlen, "%s:reply %s:done %s:snooze %s:later %s:next %s:end", r, d, sn, l, n,
		 q);
}

const struct pane_ops pane_session_ops = {
	.name = "session",
	.scope = SCOPE_SESSION,
	.init = session_init,
	.layout = session_layout,
	.draw = session_draw,
	.handle_action = session_action,
	.title = session_title,
	.reload = session_reload,
	.close = session_close,
	.hints = session_hints,
};

long long pane_session_conv(const struct pane *p)
{
	const struct session *s = p->priv;
	return s && s->pos < s->n ? s->ids[s->pos] : 0;
}

void ui_session_start(struct ui *ui)
{
	ui_pop_to_root(ui);
	ui_push(ui, &pane_session_ops, NULL);
}
