/* ui/pane_outbox: what is waiting to go out and when: held until the next
 * reply block, queued, failed or uncertain; c cancels, r releases now (or
 * retries), each after a yes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "ui_internal.h"

#define FIELD_MAX 1024

struct orow {
	long long id;
	enum outbox_state state;
	time_t release_at;
	int attempts;
	char *to;        /* sanitized */
	char *subject;   /* sanitized */
	char *error;     /* sanitized, NULL when none */
};

struct outbox {
	struct orow *rows;
	size_t n;
	size_t sel, top;
	long long asked;   /* the item a yes/no question is about */
};

static struct outbox *priv(struct pane *p)
{
	return p->priv;
}

static void rows_free(struct outbox *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->rows[i].to);
		free(o->rows[i].subject);
		free(o->rows[i].error);
	}
	free(o->rows);
	o->rows = NULL;
	o->n = 0;
}

/* To and Subject read back from the queued message itself. */
static int summarize(const struct outbox_item *it, struct orow *r)
{
	struct mime_message *m = NULL;
	const char *to = "", *subject = "";
	if (it->payload && mime_parse(it->payload, it->payload_len, &m, NULL) == EBB_OK) {
		to = m->to;
		subject = m->subject && m->subject[0] ? m->subject : "(no subject)";
	} else if (it->txn_id) {
		subject = "(chat message)";
	}
	r->to = ui_clean(to, FIELD_MAX, 0);
	r->subject = ui_clean(subject, FIELD_MAX, 0);
	r->error = it->last_error ? ui_clean(it->last_error, FIELD_MAX, 0) : NULL;
	mime_message_free(m);
	return (!r->to || !r->subject || (it->last_error && !r->error)) ? EBB_ENOMEM : EBB_OK;
}

static void load(struct pane *p)
{
	struct outbox *o = priv(p);
	struct ebb_err err = { 0 };
	long long sel_id = o->n ? o->rows[o->sel].id : 0;
	struct outbox_item *items;
	size_t n;
	rows_free(o);
	if (store_outbox_list(p->ui->st, 0, &items, &n, &err)) {
		ui_show_error(p->ui, &err);
		return;
	}
	o->rows = calloc(n ? n : 1, sizeof(*o->rows));
	if (!o->rows) {
		store_outbox_items_free(items, n);
		ebb_err_set(&err, EBB_ENOMEM, "out of memory reading the outbox");
		ui_show_error(p->ui, &err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct orow *r = &o->rows[o->n++];
		r->id = items[i].id;
		r->state = items[i].state;
		r->release_at = items[i].release_at;
		r->attempts = items[i].attempts;
		if (summarize(&items[i], r)) {
			ebb_err_set(&err, EBB_ENOMEM, "out of memory reading the outbox");
			ui_show_error(p->ui, &err);
			break;
		}
	}
	store_outbox_items_free(items, n);
	if (o->sel >= o->n)
		o->sel = o->n ? o->n - 1 : 0;
	for (size_t i = 0; i < o->n; i++)
		if (o->rows[i].id == sel_id)
			o->sel = i;
}

static void keep_visible(struct pane *p)
{
	struct outbox *o = priv(p);
	size_t rows = p->lines > 0 ? (size_t)p->lines : 1;
	if (o->sel < o->top)
		o->top = o->sel;
	if (o->sel >= o->top + rows)
		o->top = o->sel - rows + 1;
}

static int outbox_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	(void)arg;
	struct outbox *o = calloc(1, sizeof(*o));
	if (!o)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the outbox");
	p->priv = o;
	load(p);
	return EBB_OK;
}

static void outbox_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	keep_visible(p);
}

/* "held until Tue 11:00", "queued", "failed (2 tries)". */
static void state_text(struct pane *p, const struct orow *r, char *out, size_t outlen)
{
	if (r->state == OUTBOX_HELD && r->release_at > p->ui->now) {
		char when[40];
		ui_format_when(p->ui, r->release_at, when, sizeof(when));
		snprintf(out, outlen, "held until %s", when);
	} else if (r->state == OUTBOX_FAILED && r->attempts > 1) {
		snprintf(out, outlen, "failed (%d tries)", r->attempts);
	} else {
		snprintf(out, outlen, "%s", store_outbox_state_name(r->state));
	}
}

static void outbox_draw(struct pane *p)
{
	struct outbox *o = priv(p);
	struct ui *ui = p->ui;
	if (o->n == 0) {
		ui_put(p->top + (p->lines > 2 ? 1 : 0), 2, p->cols - 4,
		       "The outbox is empty. Replies you send wait here until their reply block.",
		       A_NORMAL);
		return;
	}
	int to_w = p->cols >= 80 ? 24 : p->cols >= 50 ? 16 : 0;
	int state_w = 22;
	for (int i = 0; i < p->lines; i++) {
		size_t idx = o->top + (size_t)i;
		if (idx >= o->n)
			break;
		const struct orow *r = &o->rows[idx];
		int y = p->top + i;
		attr_t attr = idx == o->sel ? ui_attr(ui, UI_C_SELECTED) : A_NORMAL;
		if (idx == o->sel)
			ui_fill(y, 0, p->cols, attr);
		char state[64];
		state_text(p, r, state, sizeof(state));
		attr_t sattr = attr;
		if (r->state == OUTBOX_FAILED || r->state == OUTBOX_UNCERTAIN)
			sattr |= ui_attr(ui, UI_C_ERROR);
		int x = 1;
		ui_put(y, x, state_w - 1, state, sattr);
		x += state_w;
		if (to_w) {
			ui_put(y, x, to_w - 1, r->to, attr);
			x += to_w;
		}
		char text[2 * FIELD_MAX + 8];
		if (r->error)
			snprintf(text, sizeof(text), "%s \xE2\x80\x94 %s", r->subject, r->error);
		else
			snprintf(text, sizeof(text), "%s", r->subject);
		ui_put(y, x, p->cols - x - 1, text, attr);
	}
}

static const struct orow *selected(struct pane *p)
{
	struct outbox *o = priv(p);
	return o->n ? &o->rows[o->sel] : NULL;
}

static void cancel_answered(struct ui *ui, int yes, void *ctx)
{
	struct pane *p = ctx;
	struct outbox *o = priv(p);
	struct ebb_err err = { 0 };
	if (!yes)
		return;
	if (store_outbox_cancel(ui->st, o->asked, &err))
		ui_show_error(ui, &err);
	else
		ui_show_message(ui, "Cancelled #%lld", o->asked);
	ui_reload_all(ui);
}

static void release_answered(struct ui *ui, int yes, void *ctx)
{
	struct pane *p = ctx;
	struct outbox *o = priv(p);
	struct ebb_err err = { 0 };
	if (!yes)
		return;
	if (store_outbox_reschedule(ui->st, o->asked, "now", ui->now, ui->now, &err))
		ui_show_error(ui, &err);
	else
		ui_show_message(ui, "Released #%lld: it goes with the next outbox flush", o->asked);
	ui_reload_all(ui);
}

static int outbox_action(struct pane *p, enum ui_action a)
{
	struct outbox *o = priv(p);
	long page = p->lines > 1 ? p->lines - 1 : 1;
	long target = (long)o->sel;
	const struct orow *r = selected(p);
	char question[160];
	switch (a) {
	case ACT_MOVE_DOWN:
		target += 1;
		break;
	case ACT_MOVE_UP:
		target -= 1;
		break;
	case ACT_PAGE_DOWN:
		target += page;
		break;
	case ACT_PAGE_UP:
		target -= page;
		break;
	case ACT_FIRST:
		target = 0;
		break;
	case ACT_LAST:
		target = (long)o->n - 1;
		break;
	case ACT_OPEN:
		return 1;
	case ACT_OUTBOX_CANCEL:
		if (!r)
			return 1;
		if (r->state == OUTBOX_SENDING) {
			ui_show_message(p->ui, "#%lld is being sent right now", r->id);
			return 1;
		}
		o->asked = r->id;
		snprintf(question, sizeof(question), "Cancel #%lld to %.60s?", r->id, r->to);
		ui_confirm(p->ui, question, cancel_answered, p);
		return 1;
	case ACT_OUTBOX_RELEASE:
		if (!r)
			return 1;
		if (r->state == OUTBOX_SENDING || r->state == OUTBOX_QUEUED) {
			ui_show_message(p->ui, "#%lld goes with the next outbox flush already", r->id);
			return 1;
		}
		o->asked = r->id;
		if (r->state == OUTBOX_UNCERTAIN)
			snprintf(question, sizeof(question),
				 "#%lld may have been sent already (check Sent). Send it again?", r->id);
		else if (r->state == OUTBOX_FAILED)
			snprintf(question, sizeof(question), "Retry #%lld now?", r->id);
		else
			snprintf(question, sizeof(question), "Send #%lld now, before the reply block?",
				 r->id);
		ui_confirm(p->ui, question, release_answered, p);
		return 1;
	default:
		return 0;
	}
	if (target >= (long)o->n)
		target = (long)o->n - 1;
	if (target < 0)
		target = 0;
	o->sel = (size_t)target;
	keep_visible(p);
	return 1;
}

static void outbox_title(struct pane *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "Outbox (%zu)", priv(p)->n);
}

static void outbox_reload(struct pane *p)
{
	load(p);
	keep_visible(p);
}

static void outbox_close(struct pane *p)
{
	struct outbox *o = priv(p);
	rows_free(o);
	free(o);
}

static void outbox_hints(struct pane *p, char *out, size_t outlen)
{
	struct ui *ui = p->ui;
	char cancel[16], release[16], back[16], help[16];
	keymap_keys_of(&ui->keys, ACT_OUTBOX_CANCEL, 1, cancel, sizeof(cancel));
	keymap_keys_of(&ui->keys, ACT_OUTBOX_RELEASE, 1, release, sizeof(release));
	keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
	keymap_keys_of(&ui->keys, ACT_HELP, 1, help, sizeof(help));
	snprintf(out, outlen, "%s:cancel %s:send now %s:help %s:back", cancel, release, help, back);
}

const struct pane_ops pane_outbox_ops = {
	.name = "outbox",
	.scope = SCOPE_OUTBOX,
	.init = outbox_init,
	.layout = outbox_layout,
	.draw = outbox_draw,
	.handle_action = outbox_action,
	.title = outbox_title,
	.reload = outbox_reload,
	.close = outbox_close,
	.hints = outbox_hints,
};
