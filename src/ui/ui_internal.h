/* ui/ui_internal: what the parts of the client share: its state, the pane
 * interface (like tig's views), actions and keys, and the drawing helpers. */
#ifndef EBB_UI_INTERNAL_H
#define EBB_UI_INTERNAL_H

#include <curses.h>
#include <stddef.h>
#include <time.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "ebb/sync.h"
#include "ebb/ui.h"

/* ---- actions and keys ---------------------------------------------------
 * Everything the user can do is an action with a name. Keys map to actions
 * through one keymap built from the action table, so the help pane, the
 * hints in the status bar and a later [keys] section all read one source. */
enum ui_action {
	ACT_NONE = 0,
	ACT_MOVE_DOWN,
	ACT_MOVE_UP,
	ACT_PAGE_DOWN,
	ACT_PAGE_UP,
	ACT_FIRST,
	ACT_LAST,
	ACT_OPEN,
	ACT_BACK,
	ACT_VIEW_DUE,
	ACT_VIEW_ALL,
	ACT_VIEW_WAITING,
	ACT_VIEW_LATER,
	ACT_VIEW_SNOOZED,
	ACT_HELP,
	ACT_REDRAW,
	ACT_QUIT,
	ACT_COUNT
};

struct ui_action_def {
	enum ui_action action;
	const char *name;      /* "move-down": the name in help and in [keys] */
	const char *key;       /* default key, in keys_parse syntax */
	const char *alt_key;   /* a second default (arrow keys), or NULL */
	const char *help;
};

/* The action table, in the order help lists it. */
const struct ui_action_def *keys_actions(size_t *n);
const struct ui_action_def *keys_action_def(enum ui_action a);
const struct ui_action_def *keys_action_by_name(const char *name);

/* A key as wget_wch reads it: a character code, or a curses KEY_* code with
 * UI_KEY_FN added (KEY_* values overlap ordinary characters otherwise). */
#define UI_KEY_FN 0x1000000
/* "j", "G", "?", "^L", "Enter", "Space", "Tab", "Esc", "Backspace", "Up",
 * "Down", "Left", "Right", "PgUp", "PgDn", "Home", "End", "F1".."F12", or one
 * UTF-8 character. Returns 0 or EBB_EINVAL. */
int keys_parse(const char *name, int *key);
/* The name keys_parse reads back. */
void keys_name(int key, char *out, size_t outlen);

#define KEYMAP_MAX 128
struct keymap {
	struct {
		int key;
		enum ui_action action;
	} map[KEYMAP_MAX];
	size_t n;
};
/* The defaults of the action table. */
int keymap_init(struct keymap *km, struct ebb_err *err);
/* Binds key to action, replacing what the key did before. */
int keymap_bind(struct keymap *km, int key, enum ui_action action, struct ebb_err *err);
enum ui_action keymap_lookup(const struct keymap *km, int key);
/* Names of the keys bound to action, "j, Down"; "" when unbound. first_only
 * gives just the first one (for hints). */
void keymap_keys_of(const struct keymap *km, enum ui_action action, int first_only, char *out,
		    size_t outlen);

/* ---- panes ----------------------------------------------------------- */
struct ui;
struct pane;

/* A pane owns the screen rows between the title line and the status bar.
 * Panes stack: the top one draws and gets the actions first; what it does
 * not handle goes to the global handler (help, quit, redraw, back). */
struct pane_ops {
	const char *name;
	/* arg is pane specific (the thread pane takes a long long conv id). */
	int (*init)(struct pane *p, const void *arg, struct ebb_err *err);
	/* The pane's area changed (start, resize); may re-query the store. */
	void (*layout)(struct pane *p, int lines, int cols);
	void (*draw)(struct pane *p);
	/* Returns 1 when handled, 0 to pass the action on. */
	int (*handle_action)(struct pane *p, enum ui_action action);
	/* Text after "ebb — " in the title line. */
	void (*title)(struct pane *p, char *out, size_t outlen);
	/* The store changed under the pane (sync batch, a triage write). */
	void (*reload)(struct pane *p);
	void (*close)(struct pane *p);
};

struct pane {
	const struct pane_ops *ops;
	struct ui *ui;
	void *priv;
	int top;      /* first screen row */
	int lines;    /* rows, may be 0 on a tiny terminal */
	int cols;
};

extern const struct pane_ops pane_inbox_ops;
extern const struct pane_ops pane_thread_ops;
extern const struct pane_ops pane_help_ops;

/* What the inbox holds, for tests: the selected conversation (0 when the
 * list is empty) and how many rows it keeps in memory. */
long long pane_inbox_selected(const struct pane *p);
size_t pane_inbox_held(const struct pane *p);

#define UI_MAX_PANES 8

enum ui_color {
	UI_C_NORMAL = 0,
	UI_C_TITLE,
	UI_C_STATUS,
	UI_C_OVERDUE,
	UI_C_AT_RISK,
	UI_C_QUOTE,
	UI_C_HEADER,
	UI_C_ERROR,
	UI_C_DIM,
	UI_C_UNREAD,
	UI_C_SELECTED,
	UI_C_COUNT
};

struct ui {
	const struct ebb_config *cfg;
	struct store *st;
	struct sync_engine *engine;
	struct keymap keys;
	struct pane *stack[UI_MAX_PANES];
	size_t npanes;
	int lines, cols;
	attr_t attrs[UI_C_COUNT];
	time_t now;
	int quit;
	char error[EBB_ERRLEN];   /* shown in the status bar until the next key */
};

/* Opens a pane on top. On failure the error goes to the status bar. */
int ui_push(struct ui *ui, const struct pane_ops *ops, const void *arg);
/* Closes the top pane (never the last one) and reloads the one below. */
void ui_pop(struct ui *ui);
/* Puts an error sentence in the status bar. */
void ui_show_error(struct ui *ui, const struct ebb_err *err);

/* ---- drawing (ui/draw.c) --------------------------------------------- */
/* Bytes of one screen line ui_put looks at; wider lines end in "…". */
#define UI_LINE_MAX 4096

/* Picks colors, or attributes only when the terminal has no colors or
 * NO_COLOR is set. */
void ui_colors_init(struct ui *ui);
attr_t ui_attr(const struct ui *ui, enum ui_color c);
/* Draws s at (y, x) in at most cols columns, "…" when cut, after passing
 * it through ui_sanitize once more: nothing reaches the terminal unsanitized.
 * Returns the columns drawn. Silently draws nothing outside the screen. */
int ui_put(int y, int x, int cols, const char *s, attr_t attr);
/* Fills cols columns of row y from x with spaces in attr. */
void ui_fill(int y, int x, int cols, attr_t attr);
/* A sanitized copy of at most max bytes of s (NULL reads as ""), or NULL
 * on ENOMEM. Newlines are kept when keep_newlines. */
char *ui_clean(const char *s, size_t max, int keep_newlines);

#endif
