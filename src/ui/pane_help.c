/* ui/pane_help: every action with the keys bound to it and what it does,
 * read from the action table and the live keymap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

struct help {
	size_t scroll;
};

/* Two lines of introduction, a blank line, then one line per action. */
#define HEADER_LINES 3

static size_t line_count(void)
{
	size_t n;
	keys_actions(&n);
	return HEADER_LINES + n;
}

static size_t max_scroll(const struct pane *p)
{
	size_t rows = p->lines > 0 ? (size_t)p->lines : 1;
	size_t n = line_count();
	return n > rows ? n - rows : 0;
}

static int help_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	(void)arg;
	struct help *h = calloc(1, sizeof(*h));
	if (!h)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening help");
	p->priv = h;
	return EBB_OK;
}

static void help_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	struct help *h = p->priv;
	if (h->scroll > max_scroll(p))
		h->scroll = max_scroll(p);
}

static void help_draw(struct pane *p)
{
	struct help *h = p->priv;
	struct ui *ui = p->ui;
	size_t nactions;
	const struct ui_action_def *actions = keys_actions(&nactions);
	int keys_w = 12, name_w = 15;
	if (p->cols < 60) {
		keys_w = 9;
		name_w = 0;
	}
	for (int i = 0; i < p->lines; i++) {
		size_t idx = h->scroll + (size_t)i;
		int y = p->top + i;
		if (idx == 0) {
			ui_put(y, 1, p->cols - 2, "Keys of ebb. Every action has a name for [keys] in the config.",
			       ui_attr(ui, UI_C_HEADER));
			continue;
		}
		if (idx == 1) {
			char back[32], text[96];
			keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
			snprintf(text, sizeof(text), "Press %s to go back.", back);
			ui_put(y, 1, p->cols - 2, text, ui_attr(ui, UI_C_DIM));
			continue;
		}
		if (idx < HEADER_LINES)
			continue;
		if (idx - HEADER_LINES >= nactions)
			break;
		const struct ui_action_def *a = &actions[idx - HEADER_LINES];
		char keys[64];
		keymap_keys_of(&ui->keys, a->action, 0, keys, sizeof(keys));
		int x = 1;
		ui_put(y, x, keys_w - 1, keys[0] ? keys : "(unbound)", ui_attr(ui, UI_C_HEADER));
		x += keys_w;
		if (name_w) {
			ui_put(y, x, name_w - 1, a->name, A_NORMAL);
			x += name_w;
		}
		ui_put(y, x, p->cols - x - 1, a->help, A_NORMAL);
	}
}

static int help_action(struct pane *p, enum ui_action a)
{
	struct help *h = p->priv;
	long rows = p->lines > 1 ? p->lines - 1 : 1;
	long target = (long)h->scroll;
	switch (a) {
	case ACT_HELP:
	case ACT_BACK:
		ui_pop(p->ui);   /* frees p: touch nothing after this */
		return 1;
	case ACT_MOVE_DOWN:
		target += 1;
		break;
	case ACT_MOVE_UP:
		target -= 1;
		break;
	case ACT_PAGE_DOWN:
		target += rows;
		break;
	case ACT_PAGE_UP:
		target -= rows;
		break;
	case ACT_FIRST:
		target = 0;
		break;
	case ACT_LAST:
		target = (long)max_scroll(p);
		break;
	default:
		return 0;
	}
	if (target > (long)max_scroll(p))
		target = (long)max_scroll(p);
	if (target < 0)
		target = 0;
	h->scroll = (size_t)target;
	return 1;
}

static void help_title(struct pane *p, char *out, size_t outlen)
{
	(void)p;
	snprintf(out, outlen, "Help");
}

static void help_reload(struct pane *p)
{
	(void)p;
}

static void help_close(struct pane *p)
{
	free(p->priv);
}

const struct pane_ops pane_help_ops = {
	.name = "help",
	.init = help_init,
	.layout = help_layout,
	.draw = help_draw,
	.handle_action = help_action,
	.title = help_title,
	.reload = help_reload,
	.close = help_close,
};
