/* ui/draw: colors (with a monochrome fallback) and the only functions that
 * put text on the screen; each passes the text through ui_sanitize. */
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

enum { PAIR_OVERDUE = 1, PAIR_AT_RISK, PAIR_TITLE, PAIR_ERROR };

void ui_colors_init(struct ui *ui)
{
	/* Attributes that carry meaning without color first; colors only add. */
	ui->attrs[UI_C_NORMAL] = A_NORMAL;
	ui->attrs[UI_C_TITLE] = A_REVERSE | A_BOLD;
	ui->attrs[UI_C_STATUS] = A_NORMAL;
	ui->attrs[UI_C_OVERDUE] = A_BOLD;
	ui->attrs[UI_C_AT_RISK] = A_UNDERLINE;
	ui->attrs[UI_C_QUOTE] = A_DIM;
	ui->attrs[UI_C_HEADER] = A_BOLD;
	ui->attrs[UI_C_ERROR] = A_BOLD;
	ui->attrs[UI_C_DIM] = A_DIM;
	ui->attrs[UI_C_UNREAD] = A_BOLD;
	ui->attrs[UI_C_SELECTED] = A_REVERSE;

	const char *no_color = getenv("NO_COLOR");
	if ((no_color && *no_color) || !has_colors() || start_color() == ERR)
		return;
	short bg = COLOR_BLACK;
	if (use_default_colors() == OK)
		bg = -1;
	init_pair(PAIR_OVERDUE, COLOR_RED, bg);
	init_pair(PAIR_AT_RISK, COLOR_YELLOW, bg);
	init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_ERROR, COLOR_RED, bg);
	ui->attrs[UI_C_TITLE] = COLOR_PAIR(PAIR_TITLE) | A_BOLD;
	ui->attrs[UI_C_OVERDUE] = COLOR_PAIR(PAIR_OVERDUE) | A_BOLD;
	ui->attrs[UI_C_AT_RISK] = COLOR_PAIR(PAIR_AT_RISK);
	ui->attrs[UI_C_ERROR] = COLOR_PAIR(PAIR_ERROR) | A_BOLD;
}

attr_t ui_attr(const struct ui *ui, enum ui_color c)
{
	return (c >= 0 && c < UI_C_COUNT) ? ui->attrs[c] : A_NORMAL;
}

int ui_put(int y, int x, int cols, const char *s, attr_t attr)
{
	if (!s || y < 0 || y >= LINES || x < 0 || x >= COLS || cols <= 0)
		return 0;
	if (cols > COLS - x)
		cols = COLS - x;
	char clean[UI_LINE_MAX * 3 + 1];
	ui_sanitize(s, strnlen(s, UI_LINE_MAX), clean, sizeof(clean), 0);
	char fitted[UI_LINE_MAX];
	int width = ui_fit(clean, cols, fitted, sizeof(fitted));
	attrset(attr);
	mvaddstr(y, x, fitted);
	attrset(A_NORMAL);
	return width;
}

void ui_fill(int y, int x, int cols, attr_t attr)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS || cols <= 0)
		return;
	if (cols > COLS - x)
		cols = COLS - x;
	mvhline(y, x, ' ' | attr, cols);
}

char *ui_clean(const char *s, size_t max, int keep_newlines)
{
	if (!s)
		s = "";
	size_t len = strnlen(s, max);
	/* Worst case every input byte becomes a 3-byte U+FFFD. */
	size_t cap = len * 3 + 1;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t n = ui_sanitize(s, len, out, cap, keep_newlines);
	char *shrunk = realloc(out, n + 1);
	return shrunk ? shrunk : out;
}
