/* store internals shared by the files of src/store/: the connection with its
 * statement cache, SQLite error sentences and the conversation refresh. */
#ifndef EBB_STORE_INT_H
#define EBB_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "ebb/store.h"

/* Enough for every statement the store's code holds; the count is fixed by
 * the code, not by data, so running out is a programming error. */
#define STORE_STMT_SLOTS 256

struct store_stmt_slot {
	const char *sql;     /* the static SQL text; its address is the key */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	int readonly;
	int schema_version;
	struct store_stmt_slot slots[STORE_STMT_SLOTS];
};

/* Keys of the due view: replies owed by due time first, then the rest
 * newest first. Times are clamped into [0, STORE_TIME_MAX] so hostile dates
 * cannot make the two groups overlap. */
#define STORE_TIME_MAX ((int64_t)1 << 40)
int64_t store_clamp_time(int64_t t);
int64_t store_due_sort_key(int needs_reply, int64_t due_at, int64_t last_at);

/* Returns the cached statement for sql (a string literal or other static
 * text), reset and with cleared bindings; NULL with err set on failure. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct ebb_err *err);
/* Turns a SQLite result code into an ebb code and a sentence about `what`
 * ("cannot store the batch"). */
int store_sql_err(struct store *st, int rc, struct ebb_err *err, const char *what);

/* Binds a string or NULL (SQLITE_TRANSIENT: the caller's buffer may go). */
int store_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Copies column i as a string; *out NULL when the column is NULL. Returns 0
 * or EBB_ENOMEM. */
int store_col_strdup(sqlite3_stmt *s, int i, char **out);
/* Steps a bound COUNT-like statement and resets it: its first column as a
 * size, 0 when negative, missing or on error (counts only feed titles). */
size_t store_step_count(sqlite3_stmt *s);

/* A transaction that nests: BEGIN IMMEDIATE when none is open, else a
 * savepoint, so store_apply_batch also works inside store_begin(). */
int store_tx_begin(struct store *st, int *nested, struct ebb_err *err);
int store_tx_commit(struct store *st, int nested, struct ebb_err *err);
void store_tx_rollback(struct store *st, int nested);

/* Recomputes the cached columns of a conversation from its messages and,
 * when due is not NULL, asks the due rule and stores its answer (else the
 * built-in rule, with no due time). */
int store_conv_refresh(struct store *st, long long conv_id, store_due_fn due, void *due_ctx,
		       struct ebb_err *err);
/* Writes the state-change event and moves the conversation to state. */
int store_conv_move(struct store *st, long long conv_id, const char *state, int64_t until,
		    time_t now, struct ebb_err *err);

/* Fills r from a row of the conversation SELECT used by the views (id,
 * account, channel, subject, from, last_at, state, tier, due_at,
 * snooze_until, needs_reply, unread, messages, key); 0 or EBB_ENOMEM. */
int store_conv_row_fill(sqlite3_stmt *s, struct conv_row *r);
/* How store_rows_collect handles one kind of row. fill copies the current
 * result row into row and returns 0, or EBB_ENOMEM leaving row holding
 * nothing; free_rows frees n filled rows and the array. The two sentences
 * say what failed ("cannot list drafts", "out of memory listing drafts"). */
struct store_rows_kind {
	size_t row_size;
	size_t first_cap;
	int (*fill)(sqlite3_stmt *s, void *row);
	void (*free_rows)(void *rows, size_t n);
	const char *sql_what;
	const char *nomem_what;
};
/* Steps s to its end appending every row to a growing array; s is reset
 * afterwards. On failure nothing is returned and everything is freed. */
int store_rows_collect(struct store *st, sqlite3_stmt *s, const struct store_rows_kind *kind,
		       void **rows, size_t *n, struct ebb_err *err);
/* Steps s to its end collecting rows; s is reset afterwards. */
/* A search ranks at most this many of its newest matching messages, and at
 * least 5 per conversation asked for, so a screen of results mostly fills. */
#define STORE_SEARCH_WINDOW_MIN 1000
long long store_search_window(size_t limit);
int store_conv_rows_collect(struct store *st, sqlite3_stmt *s, struct conv_row **rows,
			    size_t *n, struct ebb_err *err);
/* The SQL a view runs, so tests can check its query plan; mode 0 = first
 * page, 1 = page after a cursor, 2 = last page, 3 = page before a cursor. */
const char *store_view_sql(enum store_view view, int mode);

/* "Re: [list] Fwd: Hello  World" -> "hello world", into out (always
 * terminated, cut at outlen - 1 bytes). */
void store_norm_subject(const char *subject, char *out, size_t outlen);

#endif
