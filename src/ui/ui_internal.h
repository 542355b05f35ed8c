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
 * hints in the status bar and the [keys] section all read one source. */
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
	ACT_VIEW_DONE,
	ACT_VIEW_OUTBOX,
	ACT_VIEW_DRAFTS,
	ACT_REPLY,
	ACT_REPLY_ALL,
	ACT_COMPOSE,
	ACT_DONE,
	ACT_SNOOZE,
	ACT_WAITING,
	ACT_LATER,
	ACT_MUTE,
	ACT_TO_INBOX,
	ACT_NEEDS_REPLY,
	ACT_UNDO,
	ACT_SEARCH,
	ACT_COMMAND,
	ACT_HELP,
	ACT_REDRAW,
	ACT_QUIT,
	ACT_MARK,
	ACT_TOGGLE_QUOTES,
	ACT_TOGGLE_HEADERS,
	ACT_SAVE_ATTACHMENT,
	ACT_OPEN_ATTACHMENT,
	ACT_SEND,
	ACT_EDIT,
	ACT_EDIT_TO,
	ACT_EDIT_CC,
	ACT_EDIT_SUBJECT,
	ACT_OUTBOX_CANCEL,
	ACT_OUTBOX_RELEASE,
	ACT_DRAFT_DELETE,
	ACT_SESSION,
	ACT_SESSION_NEXT,
	ACT_ROUNDUP,
	ACT_DECISION_CLOSE,
	ACT_OUTBOX_EDIT,
	ACT_COUNT
};

/* Where a binding counts. A pane looks its own scope up first, then the
 * global one, so `c` can cancel in the outbox and compose everywhere else. */
enum ui_scope {
	SCOPE_GLOBAL = 0,
	SCOPE_LIST,      /* the conversation lists (views, channels, search) */
	SCOPE_THREAD,
	SCOPE_COMPOSE,
	SCOPE_OUTBOX,
	SCOPE_DRAFTS,
	SCOPE_SESSION,   /* a reply session; falls back to the thread's keys */
	SCOPE_DECISIONS,
	SCOPE_COUNT
};

struct ui_action_def {
	enum ui_action action;
	const char *name;      /* "move-down": the name in help and in [keys] */
	const char *key;       /* default key, in keys_parse syntax */
	const char *alt_key;   /* a second default (arrow keys), or NULL */
	enum ui_scope scope;
	const char *help;
};

/* The action table, in the order help lists it. */
const struct ui_action_def *keys_actions(size_t *n);
const struct ui_action_def *keys_action_def(enum ui_action a);
const struct ui_action_def *keys_action_by_name(const char *name);
/* "Everywhere", "In lists", ...: the heading help shows for a scope. */
const char *keys_scope_title(enum ui_scope s);

/* A key as wget_wch reads it: a character code, or a curses KEY_* code with
 * UI_KEY_FN added (KEY_* values overlap ordinary characters otherwise). */
#define UI_KEY_FN 0x1000000
/* "j", "G", "?", "^L", "Enter", "Space", "Tab", "Esc", "Backspace", "Up",
 * "Down", "Left", "Right", "PgUp", "PgDn", "Home", "End", "F1".."F12", or one
 * UTF-8 character. Returns 0 or EBB_EINVAL. */
int keys_parse(const char *name, int *key);
/* The name keys_parse reads back. */
void keys_name(int key, char *out, size_t outlen);

#define KEYMAP_MAX 192
struct keymap {
	struct {
		int key;
		enum ui_scope scope;
		enum ui_action action;
	} map[KEYMAP_MAX];
	size_t n;
};
/* The defaults of the action table. */
int keymap_init(struct keymap *km, struct ebb_err *err);
/* Binds key to action in the action's scope, replacing what the key did
 * there before. */
int keymap_bind(struct keymap *km, int key, enum ui_action action, struct ebb_err *err);
/* Removes every key of an action (before [keys] gives it new ones). */
void keymap_unbind_action(struct keymap *km, enum ui_action action);
/* The action of key in scope (a session looks at the thread's keys next),
 * else in the global scope; ACT_NONE if neither. */
enum ui_action keymap_lookup(const struct keymap *km, enum ui_scope scope, int key);
/* Names of the keys bound to action, "j, Down"; "" when unbound. first_only
 * gives just the first one (for hints). */
void keymap_keys_of(const struct keymap *km, enum ui_action action, int first_only, char *out,
		    size_t outlen);
/* Applies [keys] (action = key, or several keys separated by commas). Bad
 * lines are skipped; the first problem is described in err and returned
 * as EBB_EINVAL after the good lines are applied. */
int keymap_apply_config(struct keymap *km, const struct ebb_config *cfg, struct ebb_err *err);

/* ---- panes ----------------------------------------------------------- */
struct ui;
struct pane;

/* A pane owns the screen rows between the title line and the status bar.
 * Panes stack: the top one draws and gets the actions first; what it does
 * not handle goes to the global handler (help, views, undo, quit...). */
struct pane_ops {
	const char *name;
	enum ui_scope scope;
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
	/* Key hints for the status bar ("y:send E:edit"); may be NULL. */
	void (*hints)(struct pane *p, char *out, size_t outlen);
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
extern const struct pane_ops pane_compose_ops;
extern const struct pane_ops pane_outbox_ops;
extern const struct pane_ops pane_drafts_ops;
extern const struct pane_ops pane_session_ops;
extern const struct pane_ops pane_decisions_ops;
extern const struct pane_ops pane_stats_ops;

/* Starts a reply session over the owed conversations (ui/pane_session.c). */
void ui_session_start(struct ui *ui);
/* The conversation a session shows; 0 when none. */
long long pane_session_conv(const struct pane *p);
/* The conversation a thread pane shows. */
long long pane_thread_conv(const struct pane *p);

/* ---- bursts (ui/burst.c) -------------------------------------------------- */
/* The conversation the top pane is about (the selected row, the open
 * thread, the session's); 0 when none. */
long long ui_selected_conv(struct ui *ui);
/* `:burst 25m` on the selected conversation, `:burst off`. */
void ui_burst_start(struct ui *ui, const char *spec);
/* Ends the burst (its burst_end event at now, or at its planned end when
 * that passed); why (may be NULL) goes to the status bar. */
void ui_burst_end(struct ui *ui, const char *why);
/* Ends the burst once its time is up (the loop calls it every turn). */
void ui_burst_tick(struct ui *ui);
/* Is the conversation live now? Its replies are not held then. */
int ui_burst_live(const struct ui *ui, long long conv_id);
/* "LIVE 24:10 <subject>", "" without a burst. */
void ui_burst_status(const struct ui *ui, char *out, size_t outlen);

/* What the inbox holds, for tests: the selected conversation (0 when the
 * list is empty) and how many rows it keeps in memory. */
long long pane_inbox_selected(const struct pane *p);
size_t pane_inbox_held(const struct pane *p);

/* The inbox pane shows a view (the root pane), one channel, or search
 * results (pushed on top by `/`). */
enum inbox_mode { INBOX_VIEW = 0, INBOX_CHANNEL, INBOX_SEARCH };
struct inbox_arg {
	enum inbox_mode mode;
	enum store_view view;
	long long channel_id;
	const char *channel_name;  /* for the title */
	const char *query;         /* the search as typed */
};
/* Switches the root inbox to a view or a channel. */
void pane_inbox_show_view(struct pane *p, enum store_view v);
void pane_inbox_show_channel(struct pane *p, long long channel_id, const char *name);

/* The compose pane opens a reply, a reply to all, a new mail or a draft. */
enum compose_kind { COMPOSE_NEW = 0, COMPOSE_REPLY, COMPOSE_REPLY_ALL, COMPOSE_DRAFT };
struct compose_arg {
	enum compose_kind kind;
	long long conv_id;                /* reply, reply-all */
	long long draft_id;               /* draft */
	const struct account_cfg *acc;    /* new */
	int roundup;                      /* reply: the body starts with the round-up
					   * template, stored in the decision table
					   * when the reply is queued */
	long long from_outbox;            /* draft: the outbox item it was taken
					   * back from; the editor opens at once */
};
/* Opens the compose pane and, unless it continues a draft, the editor. */
int ui_compose_open(struct ui *ui, const struct compose_arg *arg);
/* A reply (all = 0) or reply-all to a conversation, or a new mail: picks
 * the account (asking when there are several). */
void ui_compose_start(struct ui *ui, enum compose_kind kind, long long conv_id);
/* R: a reply whose body starts with the conversation's round-up. */
void ui_compose_roundup(struct ui *ui, long long conv_id);
/* e in the outbox (and the missed-release question): takes a waiting mail
 * out of the outbox into a draft and opens it in the compose pane with the
 * editor. Says in the status bar why not when it cannot (sending, chat). */
int ui_outbox_edit(struct ui *ui, long long id);

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
	UI_C_MARKED,
	UI_C_INFO,
	UI_C_COUNT
};

/* ---- modal input: a prompt line, a menu, a yes/no question ---------------
 * While one is open every key goes to it; Esc cancels. Callbacks run when
 * the user submits, with the ctx given when it was opened. */
typedef void (*ui_prompt_fn)(struct ui *ui, const char *text, void *ctx);
typedef void (*ui_choice_fn)(struct ui *ui, int choice, void *ctx);

#define UI_PROMPT_MAX 1024
#define UI_MENU_MAX 64

struct ui_menu_item {
	char key;          /* '1'.. or a letter; 0 = select with j/k and Enter only */
	char label[96];
	char detail[64];   /* right column, e.g. the time a preset means */
	long long value;   /* what the item stands for (a time, a channel id) */
};

enum ui_modal { MODAL_NONE = 0, MODAL_PROMPT, MODAL_MENU, MODAL_CONFIRM };

struct ui_modal_state {
	enum ui_modal kind;
	char label[160];
	char text[UI_PROMPT_MAX];    /* prompt text, UTF-8 */
	size_t len;
	struct ui_menu_item items[UI_MENU_MAX];
	size_t nitems, sel, scroll;
	ui_prompt_fn prompt_fn;
	ui_choice_fn choice_fn;
	void *ctx;
};

void ui_prompt(struct ui *ui, const char *label, const char *initial, ui_prompt_fn fn, void *ctx);
void ui_menu(struct ui *ui, const char *title, const struct ui_menu_item *items, size_t n,
	     ui_choice_fn fn, void *ctx);
/* Asks "question (y/n)"; fn gets 1 for y. */
void ui_confirm(struct ui *ui, const char *question, ui_choice_fn fn, void *ctx);
/* Feeds one key to the open modal input (tests call it directly). */
void ui_modal_key(struct ui *ui, int key);

/* ---- triage and undo (ui/triage.c) ---------------------------------------- */
enum undo_kind { UNDO_STATE, UNDO_OVERRIDE };
struct undo_item {
	long long conv_id;
	enum conv_state state;     /* before the action */
	time_t until;
	int override;              /* -1 / 0 / 1 before the action */
};
struct undo_entry {
	enum undo_kind kind;
	char what[32];             /* "Done", "Snoozed": for the undo message */
	struct undo_item *items;
	size_t n;
};
#define UI_UNDO_MAX 64

/* Conversations a modal triage question (snooze until when?) is about. */
struct ui_pending {
	long long *ids;
	size_t n;
	int pop_after;             /* close the thread pane once done */
};

/* Moves conversations to a state (until for snoozed/waiting), remembers
 * the old states for undo and says what happened in the status bar. */
int ui_triage_set(struct ui *ui, const long long *ids, size_t n, enum conv_state state,
		  time_t until);
/* Starts a triage action that may ask first (snooze menu, waiting date);
 * pop_after closes the top pane when it is done. */
void ui_triage_action(struct ui *ui, enum ui_action a, const long long *ids, size_t n,
		      int pop_after);
/* Flips needs-reply of the conversations (the user overrides the rule). */
int ui_triage_toggle_reply(struct ui *ui, const long long *ids, size_t n);
/* Reverts the last triage action; says so in the status bar. */
int ui_undo(struct ui *ui);
void ui_undo_clear(struct ui *ui);
/* Frees the undo stack and a pending question's ids (at exit). */
void ui_triage_free(struct ui *ui);
/* The snooze presets at now: labels and times (tests). */
size_t ui_snooze_presets(const struct ebb_config *cfg, time_t now, struct ui_menu_item *items,
			 time_t *times, size_t max);

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
	char message[EBB_ERRLEN]; /* a confirmation, same life as error */
	struct ui_modal_state modal;
	struct undo_entry undo[UI_UNDO_MAX];
	size_t nundo;
	struct ui_pending pending;
	int cursor_y, cursor_x;   /* where the terminal cursor goes; -1 = hidden */
	/* What starting the engine needs, kept so it can start late. */
	const char *db_path;
	int wake_fd;
	int want_sync;
	int engine_deferred;      /* waits for the missed-release question */
	long long *missed_ids;    /* held items that missed their release */
	size_t nmissed;
	long long last_queued_conv; /* set by compose when a reply is queued */
	long long burst_conv;     /* the live conversation, 0 = none */
	time_t burst_until;
	char burst_subject[160];  /* sanitized */
	/* Notifications (ui/notify.c). */
	time_t notify_checked;    /* when the owed queue was last read */
	int notify_pending;       /* the store changed since */
	time_t notify_read_mono;  /* then, in CLOCK_MONOTONIC seconds */
	time_t notified_block;    /* start of the block last summarized */
	long long *owed_known;    /* owed conversations already seen */
	size_t nowed_known;
	unsigned notified;        /* how many notifications went out */
};

/* Opens a pane on top. On failure the error goes to the status bar. */
int ui_push(struct ui *ui, const struct pane_ops *ops, const void *arg);
/* Closes the top pane (never the last one) and reloads the one below. */
void ui_pop(struct ui *ui);
/* Closes every pane above the root inbox. */
void ui_pop_to_root(struct ui *ui);
struct pane *ui_top(struct ui *ui);
/* Every pane re-reads the store. */
void ui_reload_all(struct ui *ui);
/* Puts an error sentence in the status bar. */
void ui_show_error(struct ui *ui, const struct ebb_err *err);
/* Puts a confirmation in the status bar. */
void ui_show_message(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs a `:` command line ("view waiting", "search foo", "quit"). */
void ui_run_command(struct ui *ui, const char *line);
/* Performs actions no pane took (views, help, search, undo, quit...). */
void ui_global_action(struct ui *ui, enum ui_action a);
/* Starts a search and shows its results on top. */
void ui_search(struct ui *ui, const char *query);
/* The account a conversation belongs to, from the config; NULL when the
 * config no longer has it. */
const struct account_cfg *ui_conv_account(struct ui *ui, long long conv_id);
/* "Tue 11:00", "11:00" (today), "24 Dec 09:00" (further than a week). */
void ui_format_when(const struct ui *ui, time_t t, char *out, size_t outlen);

/* Starts the background sync (and the outbox thread) when the options want
 * it; an error goes to the status bar and leaves sync off. */
void ui_engine_start(struct ui *ui);

/* ---- held replies that missed their release (ui/missed.c) ----------------
 * The engine's outbox thread flushes every due item as it starts, so ui_run
 * checks first and keeps the engine back until the user answered. */
/* Collects the missed items at ui->now; 1 when there are any. */
int ui_missed_check(struct ui *ui, struct ebb_err *err);
/* Opens the "send now / next block / edit" question. */
void ui_missed_ask(struct ui *ui);
/* Once the question is closed (answered or Esc: then they wait for the
 * next block), starts the deferred engine. */
void ui_missed_settle(struct ui *ui);
void ui_missed_free(struct ui *ui);
/* The start of the next reply block after now (the one after the current
 * block when now is inside one); now when there are no blocks. */
time_t ui_next_block_after(const struct ebb_config *cfg, time_t now);

/* ---- notifications (ui/notify.c) ------------------------------------------ */
/* "7 due, 2 overdue" ("7 due" without overdue ones). */
void ui_notify_summary(size_t due, size_t overdue, char *out, size_t outlen);
/* The desktop notification escape for a summary built by ui_notify_summary:
 * OSC 777 when TERM starts with rxvt or foot, OSC 9 otherwise. */
void ui_notify_osc(const char *term, const char *summary, char *out, size_t outlen);
/* Reads the owed queue (when changed, else every 15 s) and notifies: once
 * per reply block with the summary; outside blocks only for a new owed
 * conversation from a vip or an urgent tier; `always`: every new one;
 * `never`: nothing. */
void ui_notify_tick(struct ui *ui, int changed);
void ui_notify_free(struct ui *ui);

/* ---- the editor (ui/editor.c) --------------------------------------------- */
/* The fields of a mail being written. */
struct compose_fields {
	char *to, *cc, *subject, *body;
};
void compose_fields_clear(struct compose_fields *f);
/* "To: ...\nCc: ...\nSubject: ...\n\n" + body: what the editor shows. */
int compose_file_format(const struct compose_fields *f, struct sbuf *out);
/* Reads the editor's file back: headers up to the first empty line
 * (To, Cc, Subject in any case; folded lines joined; others ignored), then
 * the body. A file that does not start with a header is all body and
 * leaves the headers as they were. */
int compose_file_parse(const char *text, size_t len, struct compose_fields *f);
/* $EDITOR, else $VISUAL, else vi: the command the editor runs with. */
const char *ui_editor_command(void);
/* Writes f to a 0600 file in a fresh 0700 dir, runs the editor with curses
 * suspended, reads the file back into f and removes both. */
int ui_edit_fields(struct compose_fields *f, struct ebb_err *err);

/* ---- replies (ui/reply.c) -------------------------------------------------- */
/* Splits an address list ("Ann <a@x>, \"Lee, Bo\" <b@y>") at the commas
 * outside quotes and angle brackets; entries trimmed, empty ones skipped. */
int ui_addr_split(const char *list, char ***out, size_t *n);
void ui_addr_free(char **list, size_t n);
/* The bare address of an entry, lower case: "Ann <A@x>" -> "a@x". */
void ui_addr_bare(const char *entry, char *out, size_t outlen);
/* "Re: " + subject, unless it already starts with Re: (any case). */
char *ui_reply_subject(const char *subject);
/* A reply to msg: To (and Cc for all), Subject, the quoted body with an
 * attribution line; in_reply_to and refs for threading. The account's own
 * addresses are left out of the recipients. */
struct reply_draft {
	struct compose_fields f;
	char *in_reply_to;
	char *refs;
};
int ui_reply_build(const struct ebb_config *cfg, const struct account_cfg *acc,
		   const struct msg_row *msg, int all, struct reply_draft *out);
void ui_reply_draft_clear(struct reply_draft *r);

/* ---- attachments (ui/attach.c) --------------------------------------------- */
/* A file name from a message, made safe to create in a directory: only
 * the last path component, leading dots dropped (".", ".." and hidden
 * files); a name that is then empty or holds control characters, bidi
 * controls or invalid UTF-8 becomes "attachment-N". Returns out. */
char *ui_attachment_filename(const char *name, int n, char *out, size_t outlen);
/* Creates dir/name (0600, never following or replacing anything: "name
 * (1).ext" when taken) and writes data; *path gets the file's path. */
int ui_save_bytes(const char *dir, const char *name, const char *data, size_t len, char *path,
		  size_t pathlen, struct ebb_err *err);
/* $XDG_DOWNLOAD_DIR, else ~/Downloads. */
int ui_download_dir(char *out, size_t outlen);
/* Is there an executable `name` on $PATH? */
int ui_have_program(const char *name);
/* Starts `run-mailcap --action=view path` when run-mailcap is installed,
 * else `xdg-open path`, in the background (argv, no shell; its output goes
 * to /dev/null so it cannot draw over the screen). *via (may be NULL) gets
 * the program's name. */
int ui_open_file(const char *path, const char **via, struct ebb_err *err);

/* ---- drawing (ui/draw.c) --------------------------------------------- */
/* Bytes of one screen line ui_put looks at; wider lines end in "…". */
#define UI_LINE_MAX 4096

/* Picks colors, or attributes only when the terminal has no colors or
 * NO_COLOR is set; [colors] from the config when given. The first bad
 * [colors] line is described in err (colors still start). */
void ui_colors_init(struct ui *ui, struct ebb_err *err);
/* Reads [colors] into attrs without touching the terminal: the pairs it
 * would use (tests). Returns 0 or EBB_EINVAL with err naming the line. */
int ui_colors_parse(const struct ebb_config *cfg, short fg[UI_C_COUNT], short bg[UI_C_COUNT],
		    struct ebb_err *err);
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

/* ---- simple lists (ui/listpane.c) ----------------------------------------
 * The drafts, outbox and action-item panes: one selected row, scrolled to
 * stay on screen. The pane keeps its rows; the list keeps where it is. */
struct listpane {
	size_t n;     /* rows loaded */
	size_t sel;   /* the selected row */
	size_t top;   /* the first row on screen */
};

struct listpane_ops {
	/* What an empty list says instead of rows. */
	const char *empty;
	/* The id of row idx: the selection follows it across reloads. */
	long long (*row_id)(struct pane *p, size_t idx);
	/* Draws row idx at screen row y in attr (the selection's colour when
	 * selected, the row already filled with it). */
	void (*draw_row)(struct pane *p, size_t idx, int y, attr_t attr, int selected);
};

/* Where a movement action (down, up, page, first, last) takes a cursor or
 * scroll offset at cur, lines rows to a screen: into *to, kept within
 * 0..last (0 when last is below 0). Returns 0 and leaves *to alone when a
 * is no movement. Every scrolling pane moves this way. */
int ui_scroll_move(enum ui_action a, long cur, long last, int lines, long *to);
/* Scrolls so the selected row is on screen. */
void listpane_keep_visible(struct listpane *l, int lines);
/* After the rows were read again: back on the row with sel_id if it is
 * still there, else on the nearest row. */
void listpane_loaded(struct pane *p, struct listpane *l, const struct listpane_ops *ops,
		     long long sel_id);
/* Moves the selection; 1 when a was a movement, 0 to handle it otherwise. */
int listpane_move(struct pane *p, struct listpane *l, enum ui_action a);
/* The rows on screen, or the empty text. */
void listpane_draw(struct pane *p, const struct listpane *l, const struct listpane_ops *ops);
/* "o:open c:close item ?:help q:back": the first keys of two actions with
 * what they do, then help and back. */
void listpane_hints(struct pane *p, enum ui_action first, const char *first_does,
		    enum ui_action second, const char *second_does, char *out, size_t outlen);

/* ---- benchmark timings (ui/bench.c), off unless EBB_BENCH_LOG is set ---- */
void ui_bench_init(void);
void ui_bench_end(void);
/* A key was just read. */
void ui_bench_key(int key);
/* The screen was just updated: logs the first paint and the keys read
 * since the last one; sets ui->quit after the first with EBB_BENCH_EXIT=1. */
int ui_bench_painted(struct ui *ui);

#endif
