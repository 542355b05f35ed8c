/* ui/listpane: what the simple list panes (drafts, outbox, action items)
 * share: moving and scrolling the selection, keeping it on its row across
 * reloads, drawing the rows, and the status bar hints. */
#include <stdio.h>

#include "ui_internal.h"

int ui_scroll_move(enum ui_action a, long cur, long last, int lines, long *to)
{
	long page = lines > 1 ? lines - 1 : 1;
	long target = cur;
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
		target = last;
		break;
	default:
		return 0;
	}
	if (target > last)
		target = last;
	if (target < 0)
		target = 0;
	*to = target;
	return 1;
}

void listpane_keep_visible(struct listpane *l, int lines)
{
	size_t rows = lines > 0 ? (size_t)lines : 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + rows)
		l->top = l->sel - rows + 1;
}

void listpane_loaded(struct pane *p, struct listpane *l, const struct listpane_ops *ops,
		     long long sel_id)
{
	if (l->sel >= l->n)
		l->sel = l->n ? l->n - 1 : 0;
	for (size_t i = 0; i < l->n; i++)
		if (ops->row_id(p, i) == sel_id)
			l->sel = i;
}

int listpane_move(struct pane *p, struct listpane *l, enum ui_action a)
{
	long to;
	if (!ui_scroll_move(a, (long)l->sel, (long)l->n - 1, p->lines, &to))
		return 0;
	l->sel = (size_t)to;
	listpane_keep_visible(l, p->lines);
	return 1;
}

void listpane_draw(struct pane *p, const struct listpane *l, const struct listpane_ops *ops)
{
	if (l->n == 0) {
		ui_put(p->top + (p->lines > 2 ? 1 : 0), 2, p->cols - 4, ops->empty, A_NORMAL);
		return;
	}
	for (int i = 0; i < p->lines; i++) {
		size_t idx = l->top + (size_t)i;
		if (idx >= l->n)
			break;
		int y = p->top + i;
		int selected = idx == l->sel;
		attr_t attr = selected ? ui_attr(p->ui, UI_C_SELECTED) : A_NORMAL;
		if (selected)
			ui_fill(y, 0, p->cols, attr);
		ops->draw_row(p, idx, y, attr, selected);
	}
}

void listpane_hints(struct pane *p, enum ui_action first, const char *first_does,
		    enum ui_action second, const char *second_does, char *out, size_t outlen)
{
	struct ui *ui = p->ui;
	char first_key[16], second_key[16], back[16], help[16];
	keymap_keys_of(&ui->keys, first, 1, first_key, sizeof(first_key));
	keymap_keys_of(&ui->keys, second, 1, second_key, sizeof(second_key));
	keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
	keymap_keys_of(&ui->keys, ACT_HELP, 1, help, sizeof(help));
	snprintf(out, outlen, "%s:%s %s:%s %s:help %s:back", first_key, first_does, second_key,
		 second_does, help, back);
}
