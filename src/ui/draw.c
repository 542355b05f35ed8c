/* ui/draw: colors (with a monochrome fallback and [colors] from the config)
 * and the only functions that put text on the screen; each passes the text
 * through ui_sanitize. */
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

/* Names of the elements in [colors], in enum ui_color order. */
static const char *const ELEMENTS[UI_C_COUNT] = {
	"normal", "title", "status", "overdue", "at-risk", "quote", "header",
	"error", "dim", "unread", "selected", "marked", "info",
};

static const struct {
	const char *name;
	short color;
} COLOR_NAMES[] = {
	{ "default", -1 }, { "black", COLOR_BLACK }, { "red", COLOR_RED },
	{ "green", COLOR_GREEN }, { "yellow", COLOR_YELLOW }, { "blue", COLOR_BLUE },
	{ "magenta", COLOR_MAGENTA }, { "cyan", COLOR_CYAN }, { "white", COLOR_WHITE },
};

/* Not set in the config: the element keeps its built-in look. */
#define COLOR_UNSET (-2)

/* "red", "default", "bright-red" (8-15) or a number 0-255. */
static int parse_color(const char *s, size_t len, short *out)
{
	int bright = 0;
	if (len > 7 && util_strncaseeq(s, 7, "bright-")) {
		bright = 8;
		s += 7;
		len -= 7;
	}
	for (size_t i = 0; i < sizeof(COLOR_NAMES) / sizeof(COLOR_NAMES[0]); i++) {
		if (util_strncaseeq(s, len, COLOR_NAMES[i].name)) {
			if (bright && COLOR_NAMES[i].color < 0)
				return EBB_EINVAL;
			*out = (short)(COLOR_NAMES[i].color + bright);
			return EBB_OK;
		}
	}
	if (bright || len == 0 || len > 3)
		return EBB_EINVAL;
	int v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return EBB_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 255)
		return EBB_EINVAL;
	*out = (short)v;
	return EBB_OK;
}

static void trim_span(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

int ui_colors_parse(const struct ebb_config *cfg, short fg[UI_C_COUNT], short bg[UI_C_COUNT],
		    struct ebb_err *err)
{
	int rc = EBB_OK;
	for (int i = 0; i < UI_C_COUNT; i++)
		fg[i] = bg[i] = COLOR_UNSET;
	for (size_t i = 0; cfg && i < cfg->ncolors; i++) {
		const struct config_kv *kv = &cfg->colors[i];
		int element = -1;
		for (int e = 0; e < UI_C_COUNT; e++)
			if (util_strncaseeq(kv->key, strlen(kv->key), ELEMENTS[e]))
				element = e;
		short f = COLOR_UNSET, b = COLOR_UNSET;
		const char *v = kv->value;
		size_t flen = strcspn(v, ","), blen = 0;
		const char *bs = v[flen] == ',' ? v + flen + 1 : NULL;
		if (bs)
			blen = strlen(bs);
		trim_span(&v, &flen);
		if (bs)
			trim_span(&bs, &blen);
		int bad = element < 0 || parse_color(v, flen, &f) || (bs && parse_color(bs, blen, &b));
		if (bad) {
			if (rc == EBB_OK) {
				if (element < 0)
					ebb_err_set(err, EBB_EINVAL,
						    "[colors] line %d: no element \"%.40s\" (normal, title, "
						    "status, overdue, at-risk, quote, header, error, dim, "
						    "unread, selected, marked, info)", kv->line, kv->key);
				else
					ebb_err_set(err, EBB_EINVAL,
						    "[colors] line %d: cannot read \"%.40s\" (a color name "
						    "like red or bright-blue, default, or 0-255; fg[,bg])",
						    kv->line, kv->value);
			}
			rc = EBB_EINVAL;
			continue;
		}
		fg[element] = f;
		bg[element] = b;
	}
	return rc;
}

void ui_colors_init(struct ui *ui, struct ebb_err *err)
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
	ui->attrs[UI_C_MARKED] = A_BOLD;
	ui->attrs[UI_C_INFO] = A_NORMAL;

	short fg[UI_C_COUNT], bg[UI_C_COUNT];
	ui_colors_parse(ui->cfg, fg, bg, err);

	const char *no_color = getenv("NO_COLOR");
	if ((no_color && *no_color) || !has_colors() || start_color() == ERR)
		return;
	short def_bg = COLOR_BLACK, def_fg = COLOR_WHITE;
	if (use_default_colors() == OK)
		def_bg = def_fg = -1;
	/* The built-in colors, where the config says nothing. */
	static const struct {
		enum ui_color element;
		short fg, bg;   /* COLOR_UNSET bg = the terminal's */
	} BUILTIN[] = {
		{ UI_C_TITLE, COLOR_WHITE, COLOR_BLUE },
		{ UI_C_OVERDUE, COLOR_RED, COLOR_UNSET },
		{ UI_C_AT_RISK, COLOR_YELLOW, COLOR_UNSET },
		{ UI_C_ERROR, COLOR_RED, COLOR_UNSET },
		{ UI_C_MARKED, COLOR_CYAN, COLOR_UNSET },
	};
	for (size_t i = 0; i < sizeof(BUILTIN) / sizeof(BUILTIN[0]); i++) {
		enum ui_color e = BUILTIN[i].element;
		if (fg[e] == COLOR_UNSET && bg[e] == COLOR_UNSET) {
			fg[e] = BUILTIN[i].fg;
			bg[e] = BUILTIN[i].bg;
		}
	}
	for (int e = 0; e < UI_C_COUNT; e++) {
		if (fg[e] == COLOR_UNSET && bg[e] == COLOR_UNSET)
			continue;
		short f = fg[e] == COLOR_UNSET ? def_fg : fg[e];
		short b = bg[e] == COLOR_UNSET ? def_bg : bg[e];
		if ((f >= COLORS && f >= 0) || (b >= COLORS && b >= 0))
			continue;   /* the terminal has fewer colors: keep the attributes */
		if (init_pair((short)(e + 1), f, b) == ERR)
			continue;
		/* A color replaces reverse, dim and underline; bold stays. */
		ui->attrs[e] = COLOR_PAIR(e + 1) | (ui->attrs[e] & A_BOLD);
	}
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
