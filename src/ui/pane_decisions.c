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
	size_t n;
	size_t sel, top;
};

static struct decisions *priv(struct pane *p)
{
	return p->priv;
}

static void rows_free(struct decisions *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->rows[i].owner);
		free(d->rows[i].text);
	}
	free(d->rows);
	d->rows = NULL;
	d->n = 0;
}

static void load(struct pane *p)
{
	struct decisions *d = priv(p);
	struct ebb_err err = { 0 };
	long long sel_id = d->n ? d->rows[d->sel].id : 0;
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
		struct irow *r = &d->rows[d->n++];
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
	if (d->sel >= d->n)
		d->sel = d->n ? d->n - 1 : 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->rows[i].id == sel_id)
			d->sel = i;
}

static void keep_visible(struct pane *p)
{
	struct decisions *d = priv(p);
	size_t rows = p->lines > 0 ? (size_t)p->lines : 1;
	if (d->sel < d->top)
		d->top = d->sel;
	if (d->sel >= d->top + rows)
		d->top = d->sel - rows + 1;
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
	keep_visible(p);
}

static void decisions_draw(struct pane *p)
{
	struct decisions *d = priv(p);
	struct ui *ui = p->ui;
	if (d->n == 0) {
		ui_put(p->top + (p->lines > 2 ? 1 : 0), 2, p->cols - 4,
		       "No open action items. R in a conversation writes a round-up.", A_NORMAL);
		return;
	}
	int due_w = p->cols >= 60 ? 18 : 0;
	int owner_w = p->cols >= 40 ? 16 : 0;
	for (int i = 0; i < p->lines; i++) {
		size_t idx = d->top + (size_t)i;
		if (idx >= d->n)
			break;
		const struct irow *r = &d->rows[idx];
		int y = p->top + i;
		int overdue = r->due_at && r->due_at < ui->now;
		attr_t attr = idx == d->sel ? ui_attr(ui, UI_C_SELECTED) : A_NORMAL;
		if (idx == d->sel)
			ui_fill(y, 0, p->cols, attr);
		int x = 1;
		if (due_w) {
			char due[48] = "";
			if (r->due_at) {
				char when[40];
				ui_format_when(ui, r->due_at, when, sizeof(when));
				snprintf(due, sizeof(due), "%s%s", overdue ? "overdue " : "", when);
			}
			ui_put(y, x, due_w - 1, due,
			       overdue && idx != d->sel ? ui_attr(ui, UI_C_OVERDUE) : attr);
			x += due_w;
		}
		if (owner_w) {
			ui_put(y, x, owner_w - 1, r->owner, attr);
			x += owner_w;
		}
		ui_put(y, x, p->cols - x - 1, r->text, attr);
	}
}

static int decisions_action(struct pane *p, enum ui_action a)
{
	struct decisions *d = priv(p);
	long page = p->lines > 1 ? p->lines - 1 : 1;
	long target = (long)d->sel;
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
		target = (long)d->n - 1;
		break;
	case ACT_OPEN:
		if (d->n && d->rows[d->sel].conv_id) {
			long long id = d->rows[d->sel].conv_id;
			ui_push(p->ui, &pane_thread_ops, &id);
		}
		return 1;
	case ACT_DECISION_CLOSE:
		if (d->n) {
			struct ebb_err err = { 0 };
			long long id = d->rows[d->sel].id;
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
	if (target >= (long)d->n)
		target = (long)d->n - 1;
	if (target < 0)
		target = 0;
	d->sel = (size_t)target;
	keep_visible(p);
	return 1;
}

static void decisions_title(struct pane *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "Action items (%zu open)", priv(p)->n);
}

static void decisions_reload(struct pane *p)
{
	load(p);
	keep_visible(p);
}

static void decisions_close(struct pane *p)
{
	struct decisions *d = priv(p);
	rows_free(d);
	free(d);
}

static void decisions_hints(struct pane *p, char *out, size_t outlen)
{
	struct ui *ui = p->ui;
	char open[16], close_key[16], back[16], help[16];
	keymap_keys_of(&ui->keys, ACT_OPEN, 1, open, sizeof(open));
	keymap_keys_of(&ui->keys, ACT_DECISION_CLOSE, 1, close_key, sizeof(close_key));
	keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
	keymap_keys_of(&ui->keys, ACT_HELP, 1, help, sizeof(help));
	snprintf(out, outlen, "%s:open %s:close item %s:help %s:back", open, close_key, help, back);
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
