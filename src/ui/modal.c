/* ui/modal: the one-line prompt (`:`, `/`, custom times), the small menu
 * (snooze presets, accounts, channels) and yes/no questions. While one is
 * open it takes every key; Esc cancels. */
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

static void modal_reset(struct ui *ui)
{
	struct ui_modal_state *m = &ui->modal;
	m->kind = MODAL_NONE;
	m->prompt_fn = NULL;
	m->choice_fn = NULL;
	m->ctx = NULL;
	ui->cursor_y = ui->cursor_x = -1;
}

void ui_prompt(struct ui *ui, const char *label, const char *initial, ui_prompt_fn fn, void *ctx)
{
	struct ui_modal_state *m = &ui->modal;
	modal_reset(ui);
	m->kind = MODAL_PROMPT;
	util_strlcpy(m->label, label ? label : "", sizeof(m->label));
	/* The initial text comes from mail (a subject) or the config: clean it,
	 * as one line, and cut it on a character boundary. */
	ui_sanitize(initial ? initial : "", initial ? strlen(initial) : 0, m->text,
		    sizeof(m->text), 0);
	m->len = strlen(m->text);
	m->prompt_fn = fn;
	m->ctx = ctx;
}

void ui_menu(struct ui *ui, const char *title, const struct ui_menu_item *items, size_t n,
	     ui_choice_fn fn, void *ctx)
{
	struct ui_modal_state *m = &ui->modal;
	modal_reset(ui);
	if (n == 0)
		return;
	if (n > UI_MENU_MAX)
		n = UI_MENU_MAX;
	m->kind = MODAL_MENU;
	util_strlcpy(m->label, title ? title : "", sizeof(m->label));
	memmove(m->items, items, n * sizeof(*items));
	m->nitems = n;
	m->sel = 0;
	m->scroll = 0;
	m->choice_fn = fn;
	m->ctx = ctx;
}

void ui_confirm(struct ui *ui, const char *question, ui_choice_fn fn, void *ctx)
{
	struct ui_modal_state *m = &ui->modal;
	modal_reset(ui);
	m->kind = MODAL_CONFIRM;
	snprintf(m->label, sizeof(m->label), "%s (y/n)", question);
	m->choice_fn = fn;
	m->ctx = ctx;
}

/* Removes the last character (with the combining marks before it counted
 * as characters of their own: Backspace takes one code point). */
static void prompt_backspace(struct ui_modal_state *m)
{
	if (m->len == 0)
		return;
	size_t i = m->len - 1;
	while (i > 0 && ((unsigned char)m->text[i] & 0xC0) == 0x80)
		i--;
	m->len = i;
	m->text[m->len] = '\0';
}

static void prompt_kill_word(struct ui_modal_state *m)
{
	while (m->len > 0 && m->text[m->len - 1] == ' ')
		m->len--;
	while (m->len > 0 && m->text[m->len - 1] != ' ')
		m->len--;
	m->text[m->len] = '\0';
}

static void prompt_insert(struct ui_modal_state *m, int key)
{
	if (key < 0x20 || key == 0x7F || (key >= 0x80 && key < 0xA0) || key >= 0x110000)
		return;
	uint32_t cp = (uint32_t)key;
	/* Bidi controls and friends would reorder what the user sees typing. */
	if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
	    cp == 0x200F || cp == 0xFEFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return;
	char buf[4];
	int n = utf8_encode(cp, buf);
	if (m->len + (size_t)n >= sizeof(m->text))
		return;
	memcpy(m->text + m->len, buf, (size_t)n);
	m->len += (size_t)n;
	m->text[m->len] = '\0';
}

static void submit_choice(struct ui *ui, int choice)
{
	ui_choice_fn fn = ui->modal.choice_fn;
	void *ctx = ui->modal.ctx;
	modal_reset(ui);
	if (fn)
		fn(ui, choice, ctx);
}

static void menu_key(struct ui *ui, int key)
{
	struct ui_modal_state *m = &ui->modal;
	if (key == 27 || key == 'q') {
		modal_reset(ui);
		ui_show_message(ui, "Cancelled");
		return;
	}
	if (key == '\n' || key == ' ') {
		submit_choice(ui, (int)m->sel);
		return;
	}
	if (key == 'j' || key == UI_KEY_FN + KEY_DOWN) {
		if (m->sel + 1 < m->nitems)
			m->sel++;
		return;
	}
	if (key == 'k' || key == UI_KEY_FN + KEY_UP) {
		if (m->sel > 0)
			m->sel--;
		return;
	}
	for (size_t i = 0; i < m->nitems; i++) {
		if (m->items[i].key && m->items[i].key == key) {
			submit_choice(ui, (int)i);
			return;
		}
	}
}

void ui_modal_key(struct ui *ui, int key)
{
	struct ui_modal_state *m = &ui->modal;
	switch (m->kind) {
	case MODAL_NONE:
		return;
	case MODAL_MENU:
		menu_key(ui, key);
		return;
	case MODAL_CONFIRM:
		if (key == 'y' || key == 'Y')
			submit_choice(ui, 1);
		else {
			modal_reset(ui);
			ui_show_message(ui, "Cancelled");
		}
		return;
	case MODAL_PROMPT:
		break;
	}
	if (key == 27 || key == 0x07) {   /* Esc, ^G */
		modal_reset(ui);
		ui_show_message(ui, "Cancelled");
	} else if (key == '\n') {
		char text[UI_PROMPT_MAX];
		memcpy(text, m->text, m->len + 1);
		ui_prompt_fn fn = m->prompt_fn;
		void *ctx = m->ctx;
		modal_reset(ui);
		if (fn)
			fn(ui, text, ctx);
	} else if (key == UI_KEY_FN + KEY_BACKSPACE) {
		prompt_backspace(m);
	} else if (key == 0x15) {   /* ^U */
		m->len = 0;
		m->text[0] = '\0';
	} else if (key == 0x17) {   /* ^W */
		prompt_kill_word(m);
	} else if (key < UI_KEY_FN) {
		prompt_insert(m, key);
	}
}
