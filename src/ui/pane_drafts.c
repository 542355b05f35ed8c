/* ui/pane_drafts: mail written but not sent, newest first; Enter continues
 * one in the compose pane, d discards one after a yes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

#define FIELD_MAX 1024

struct drow {
	long long id;
	time_t updated_at;
	char *to;        /* sanitized */
	char *subject;   /* sanitized */
	char *account;   /* sanitized */
};

struct drafts {
	struct drow *rows;
	struct listpane list;
	long long asked;
};

static struct drafts *priv(struct pane *p)
{
	return p->priv;
}

static void rows_free(struct drafts *d)
{
	for (size_t i = 0; i < d->list.n; i++) {
		free(d->rows[i].to);
		free(d->rows[i].subject);
		free(d->rows[i].account);
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
	(void)selected;
	struct ui *ui = p->ui;
	const struct drow *r = &priv(p)->rows[idx];
	int age_w = p->cols >= 40 ? 9 : 0;
	int to_w = p->cols >= 80 ? 24 : p->cols >= 50 ? 16 : 0;
	int x = 1;
	if (to_w) {
		ui_put(y, x, to_w - 1, r->to, attr);
		x += to_w;
	}
	int end = p->cols - 1;
	if (age_w) {
		char age[24];
		ui_format_age(r->updated_at, ui->now, ui->cfg->tz, age, sizeof(age));
		int w = ui_text_width(age, strlen(age));
		ui_put(y, end - w, w, age, attr);
		end -= age_w;
	}
	ui_put(y, x, end - x, r->subject, attr);
}

static const struct listpane_ops list_ops = {
	.empty = "No drafts. A reply you postpone with q waits here.",
	.row_id = row_id,
	.draw_row = draw_row,
};

static void load(struct pane *p)
{
	struct drafts *d = priv(p);
	struct ebb_err err = { 0 };
	long long sel_id = d->list.n ? d->rows[d->list.sel].id : 0;
	struct store_draft *list;
	size_t n;
	rows_free(d);
	if (store_draft_list(p->ui->st, &list, &n, &err)) {
		ui_show_error(p->ui, &err);
		return;
	}
	d->rows = calloc(n ? n : 1, sizeof(*d->rows));
	if (!d->rows) {
		store_drafts_free(list, n);
		ebb_err_set(&err, EBB_ENOMEM, "out of memory listing drafts");
		ui_show_error(p->ui, &err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct drow *r = &d->rows[d->list.n++];
		r->id = list[i].id;
		r->updated_at = list[i].updated_at;
		r->to = ui_clean(list[i].to && list[i].to[0] ? list[i].to : "(no recipient)",
				 FIELD_MAX, 0);
		r->subject = ui_clean(list[i].subject && list[i].subject[0] ? list[i].subject
									    : "(no subject)",
				      FIELD_MAX, 0);
		r->account = ui_clean(list[i].account, FIELD_MAX, 0);
		if (!r->to || !r->subject || !r->account) {
			ebb_err_set(&err, EBB_ENOMEM, "out of memory listing drafts");
			ui_show_error(p->ui, &err);
			break;
		}
	}
	store_drafts_free(list, n);
	listpane_loaded(p, &d->list, &list_ops, sel_id);
}

static int drafts_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	(void)arg;
	struct drafts *d = calloc(1, sizeof(*d));
	if (!d)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the drafts");
	p->priv = d;
	load(p);
	return EBB_OK;
}

static void drafts_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	listpane_keep_visible(&priv(p)->list, p->lines);
}

static void drafts_draw(struct pane *p)
{
	listpane_draw(p, &priv(p)->list, &list_ops);
}

static void discard_answered(struct ui *ui, int yes, void *ctx)
{
	struct pane *p = ctx;
	struct ebb_err err = { 0 };
	if (!yes)
		return;
	if (store_draft_delete(ui->st, priv(p)->asked, &err))
		ui_show_error(ui, &err);
	else
		ui_show_message(ui, "Draft discarded");
	ui_reload_all(ui);
}

static int drafts_action(struct pane *p, enum ui_action a)
{
	struct drafts *d = priv(p);
	if (listpane_move(p, &d->list, a))
		return 1;
	switch (a) {
	case ACT_OPEN:
		if (d->list.n) {
			struct compose_arg arg = { .kind = COMPOSE_DRAFT,
						   .draft_id = d->rows[d->list.sel].id };
			ui_compose_open(p->ui, &arg);
		}
		return 1;
	case ACT_DRAFT_DELETE:
		if (d->list.n) {
			char question[160];
			d->asked = d->rows[d->list.sel].id;
			snprintf(question, sizeof(question), "Discard the draft \"%.60s\"?",
				 d->rows[d->list.sel].subject);
			ui_confirm(p->ui, question, discard_answered, p);
		}
		return 1;
	default:
		return 0;
	}
}

static void drafts_title(struct pane *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "Drafts (%zu)", priv(p)->list.n);
}

static void drafts_reload(struct pane *p)
{
	load(p);
	listpane_keep_visible(&priv(p)->list, p->lines);
}

static void drafts_close(struct pane *p)
{
	struct drafts *d = priv(p);
	rows_free(d);
	free(d);
}

static void drafts_hints(struct pane *p, char *out, size_t outlen)
{
	listpane_hints(p, ACT_OPEN, "continue", ACT_DRAFT_DELETE, "discard", out, outlen);
}

const struct pane_ops pane_drafts_ops = {
	.name = "drafts",
	.scope = SCOPE_DRAFTS,
	.init = drafts_init,
	.layout = drafts_layout,
	.draw = drafts_draw,
	.handle_action = drafts_action,
	.title = drafts_title,
	.reload = drafts_reload,
	.close = drafts_close,
	.hints = drafts_hints,
};
