/* ui/pane_decisions: the open action items round-ups wrote down, soonest due
 * first (like `ebb decisions`); D closes the selected one, Enter opens its
 * conversation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "ui_internal.h"

#define FIELD_MAX 1024

struct irow {
	long long id;
	long long conv_id;
	time_t due_at;
	char *owner;     /* sanitized, "?" for nobody */
	char *text;      /* sanitized: text and the conversation's subject */
};

struct decisions {
	struct irow *rows;
	struct listpane list;
};

static struct decisions *priv(struct pane *p)
{
	return p->priv;
}

static void rows_free(struct decisions *d)
{
	for (size_t i = 0; i < d->list.n; i++) {
		free(d->rows[i].owner);
		free(d->rows[i].text);
	}
	free(d->rows);
	d->rows = NULL;
	d->list.n = 0;
}

static long long row_id(struct pane *p, size_t idx)
{
	return priv(p)->rows[idx].id;
}

static void draw_row(struct pane *p, size_t idx, int y, attr_t attr, int selected)
{
	struct ui *ui = p->ui;
	const struct irow *r = &priv(p)->rows[idx];
	int due_w = p->cols >= 60 ? 18 : 0;
	int owner_w = p->cols >= 40 ? 16 : 0;
	int overdue = r->due_at && r->due_at < ui->now;
	int x = 1;
	if (due_w) {
		char due[48] = "";
		if (r->due_at) {
			char when[40];
			ui_format_when(ui, r->due_at, when, sizeof(when));
			snprintf(due, sizeof(due), "%s%s", overdue ? "overdue " : "", when);
		}
		ui_put(y, x, due_w - 1, due, overdue && !selected ? ui_attr(ui, UI_C_OVERDUE) : attr);
		x += due_w;
	}
	if (owner_w) {
		ui_put(y, x, owner_w - 1, r->owner, attr);
		x += owner_w;
	}
	ui_put(y, x, p->cols - x - 1, r->text, attr);
}

static const struct listpane_ops list_ops = {
	.empty = "No open action items. R in a conversation writes a round-up.",
	.row_id = row_id,
	.draw_row = draw_row,
};

static void load(struct pane *p)
{
	struct decisions *d = priv(p);
	struct ebb_err err = { 0 };
	long long sel_id = d->list.n ? d->rows[d->list.sel].id : 0;
	struct decision_row *list;
	size_t n;
	rows_free(d);
	if (store_decision_list_open(p->ui->st, DECISION_KIND_BIT(DECISION_ACTION), NULL, 0, &list,
				     &n, &err)) {
		ui_show_error(p->ui, &err);
		return;
	}
	d->rows = calloc(n ? n : 1, sizeof(*d->rows));
	if (!d->rows) {
		store_decision_rows_free(list, n);
		ebb_err_set(&err, EBB_ENOMEM, "out of memory listing action items");
		ui_show_error(p->ui, &err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct irow *r = &d->rows[d->list.n++];
		r->id = list[i].id;
		r->conv_id = list[i].conversation_id;
		r->due_at = list[i].due_at;
		r->owner = ui_clean(list[i].owner && list[i].owner[0] ? list[i].owner : "?",
				    FIELD_MAX, 0);
		char text[FIELD_MAX];
		if (list[i].subject)
			snprintf(text, sizeof(text), "%.600s  (%.300s)", list[i].text,
				 list[i].subject);
		else
			snprintf(text, sizeof(text), "%.900s", list[i].text);
		r->text = ui_clean(text, FIELD_MAX, 0);
		if (!r->owner || !r->text) {
			ebb_err_set(&err, EBB_ENOMEM, "out of memory listing action items");
			ui_show_error(p->ui, &err);
			break;
		}
	}
	store_decision_rows_free(list, n);
	listpane_loaded(p, &d->list, &list_ops, sel_id);
}

static int decisions_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	(void)arg;
	struct decisions *d = calloc(1, sizeof(*d));
	if (!d)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the action items");
	p->priv = d;
	load(p);
	return EBB_OK;
}

static void decisions_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	listpane_keep_visible(&priv(p)->list, p->lines);
}

static void decisions_draw(struct pane *p)
{
	listpane_draw(p, &priv(p)->list, &list_ops);
}

static int decisions_action(struct pane *p, enum ui_action a)
{
	struct decisions *d = priv(p);
	if (listpane_move(p, &d->list, a))
		return 1;
	switch (a) {
	case ACT_OPEN:
		if (d->list.n && d->rows[d->list.sel].conv_id) {
			long long id = d->rows[d->list.sel].conv_id;
			ui_push(p->ui, &pane_thread_ops, &id);
		}
		return 1;
	case ACT_DECISION_CLOSE:
		if (d->list.n) {
			struct ebb_err err = { 0 };
			long long id = d->rows[d->list.sel].id;
			if (store_decision_close(p->ui->st, id, p->ui->now, &err))
				ui_show_error(p->ui, &err);
			else
				ui_show_message(p->ui, "Closed action item #%lld", id);
			ui_reload_all(p->ui);
		}
		return 1;
	default:
		return 0;
	}
}

static void decisions_title(struct pane *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "Action items (%zu open)", priv(p)->list.n);
}

static void decisions_reload(struct pane *p)
{
	load(p);
	listpane_keep_visible(&priv(p)->list, p->lines);
}

static void decisions_close(struct pane *p)
{
	struct decisions *d = priv(p);
	rows_free(d);
	free(d);
}

static void decisions_hints(struct pane *p, char *out, size_t outlen)
{
	listpane_hints(p, ACT_OPEN, "open", ACT_DECISION_CLOSE, "close item", out, outlen);
}

const struct pane_ops pane_decisions_ops = {
	.name = "decisions",
	.scope = SCOPE_DECISIONS,
	.init = decisions_init,
	.layout = decisions_layout,
	.draw = decisions_draw,
	.handle_action = decisions_action,
	.title = decisions_title,
	.reload = decisions_reload,
	.close = decisions_close,
	.hints = decisions_hints,
};
