/* ui/pane_help: every action with the keys bound to it and what it does,
 * grouped by where it works, read from the action table and the live keymap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

/* One help line: intro text, a scope heading, an action, or blank. */
enum hline_kind { HL_INTRO1, HL_INTRO2, HL_BLANK, HL_HEADING, HL_ACTION };

struct hline {
	enum hline_kind kind;
	enum ui_scope scope;
	const struct ui_action_def *def;
};

struct help {
	struct hline *lines;
	size_t n;
	size_t scroll;
};

static int build(struct help *h)
{
	size_t nactions;
	const struct ui_action_def *actions = keys_actions(&nactions);
	size_t cap = 3 + nactions + 2 * SCOPE_COUNT;
	h->lines = calloc(cap, sizeof(*h->lines));
	if (!h->lines)
		return EBB_ENOMEM;
	h->lines[h->n++].kind = HL_INTRO1;
	h->lines[h->n++].kind = HL_INTRO2;
	for (int s = 0; s < SCOPE_COUNT; s++) {
		int any = 0;
		for (size_t i = 0; i < nactions; i++) {
			if (actions[i].scope != (enum ui_scope)s)
				continue;
			if (!any) {
				h->lines[h->n++].kind = HL_BLANK;
				h->lines[h->n].kind = HL_HEADING;
				h->lines[h->n++].scope = (enum ui_scope)s;
				any = 1;
			}
			h->lines[h->n].kind = HL_ACTION;
			h->lines[h->n++].def = &actions[i];
		}
	}
	return EBB_OK;
}

static size_t max_scroll(const struct pane *p)
{
	const struct help *h = p->priv;
	size_t rows = p->lines > 0 ? (size_t)p->lines : 1;
	return h->n > rows ? h->n - rows : 0;
}

static int help_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	(void)arg;
	struct help *h = calloc(1, sizeof(*h));
	if (!h || build(h)) {
		free(h);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening help");
	}
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
	int keys_w = 12, name_w = 17;
	if (p->cols < 60) {
		keys_w = 9;
		name_w = 0;
	}
	for (int i = 0; i < p->lines; i++) {
		size_t idx = h->scroll + (size_t)i;
		int y = p->top + i;
		if (idx >= h->n)
			break;
		const struct hline *l = &h->lines[idx];
		switch (l->kind) {
		case HL_INTRO1:
			ui_put(y, 1, p->cols - 2,
			       "Keys of ebb. Every action has a name for [keys] in the config.",
			       ui_attr(ui, UI_C_HEADER));
			break;
		case HL_INTRO2: {
			char back[32], down[32], text[160];
			keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
			keymap_keys_of(&ui->keys, ACT_PAGE_DOWN, 1, down, sizeof(down));
			snprintf(text, sizeof(text), "%s scrolls, %s goes back.", down, back);
			ui_put(y, 1, p->cols - 2, text, ui_attr(ui, UI_C_DIM));
			break;
		}
		case HL_BLANK:
			break;
		case HL_HEADING:
			ui_put(y, 1, p->cols - 2, keys_scope_title(l->scope), ui_attr(ui, UI_C_HEADER));
			break;
		case HL_ACTION: {
			char keys[64];
			keymap_keys_of(&ui->keys, l->def->action, 0, keys, sizeof(keys));
			int x = 3;
			ui_put(y, x, keys_w - 1, keys[0] ? keys : "(unbound)", ui_attr(ui, UI_C_HEADER));
			x += keys_w;
			if (name_w) {
				ui_put(y, x, name_w - 1, l->def->name, A_NORMAL);
				x += name_w;
			}
			ui_put(y, x, p->cols - x - 1, l->def->help, A_NORMAL);
			break;
		}
		}
	}
}

static int help_action(struct pane *p, enum ui_action a)
{
	struct help *h = p->priv;
	long target;
	if (a == ACT_HELP || a == ACT_BACK) {
		ui_pop(p->ui);   /* frees p: touch nothing after this */
		return 1;
	}
	if (!ui_scroll_move(a, (long)h->scroll, (long)max_scroll(p), p->lines, &target))
		return 0;
	h->scroll = (size_t)target;
	return 1;
}

static void help_title(struct pane *p, char *out, size_t outlen)
{
	struct help *h = p->priv;
	size_t rows = p->lines > 0 ? (size_t)p->lines : 1;
	if (h->n > rows)
		snprintf(out, outlen, "Help (%zu-%zu of %zu)", h->scroll + 1,
			 h->scroll + rows < h->n ? h->scroll + rows : h->n, h->n);
	else
		snprintf(out, outlen, "Help");
}

static void help_reload(struct pane *p)
{
	(void)p;
}

static void help_close(struct pane *p)
{
	struct help *h = p->priv;
	free(h->lines);
	free(h);
}

const struct pane_ops pane_help_ops = {
	.name = "help",
	.scope = SCOPE_GLOBAL,
	.init = help_init,
	.layout = help_layout,
	.draw = help_draw,
	.handle_action = help_action,
	.title = help_title,
	.reload = help_reload,
	.close = help_close,
	.hints = NULL,
};
