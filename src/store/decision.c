/* store/decision: the decisions, action items and open questions a
 * round-up wrote down, and closing them once done. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char *const kind_names[] = {"decision", "action", "question"};
#define KIND_COUNT (sizeof kind_names / sizeof kind_names[0])

const char *store_decision_kind_name(enum decision_kind k)
{
	return (unsigned)k < KIND_COUNT ? kind_names[k] : "?";
}

int store_decision_kind_parse(const char *name, enum decision_kind *k)
{
	for (unsigned i = 0; name && i < KIND_COUNT; i++) {
		if (util_strncaseeq(name, strlen(name), kind_names[i])) {
			*k = (enum decision_kind)i;
			return EBB_OK;
		}
	}
	return EBB_EINVAL;
}

static const char sql_conv_exists[] = "SELECT 1 FROM conversation WHERE id = ?1";
static const char sql_account_exists[] = "SELECT 1 FROM account WHERE id = ?1";
static const char sql_add[] =
	"INSERT INTO decision(conversation_id, account_id, kind, text, owner, due_at, created_at)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static int exists(struct store *st, const char *sql, long long id, int *found,
		  struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot store a decision");
	*found = rc == SQLITE_ROW;
	return EBB_OK;
}

int store_decision_add(struct store *st, const struct decision_new *d, time_t now, long long *id,
		       struct ebb_err *err)
{
	if (id)
		*id = 0;
	if (!d || (unsigned)d->kind >= KIND_COUNT)
		return ebb_err_set(err, EBB_EINVAL, "a decision needs one of the kinds decision, "
				   "action or question");
	size_t tlen = d->text ? strnlen(d->text, DECISION_TEXT_MAX + 1) : 0;
	if (!tlen || tlen > DECISION_TEXT_MAX)
		return ebb_err_set(err, EBB_EINVAL, "the text of a %s must be 1 to %d bytes",
				   kind_names[d->kind], DECISION_TEXT_MAX);
	if (d->owner && strnlen(d->owner, DECISION_OWNER_MAX + 1) > DECISION_OWNER_MAX)
		return ebb_err_set(err, EBB_EINVAL, "an owner is at most %d bytes",
				   DECISION_OWNER_MAX);
	int found, rc;
	if (d->conversation_id > 0) {
		if ((rc = exists(st, sql_conv_exists, d->conversation_id, &found, err)))
			return rc;
		if (!found)
			return ebb_err_set(err, EBB_ENOENT, "conversation %lld does not exist",
					   d->conversation_id);
	}
	if (d->account_id > 0) {
		if ((rc = exists(st, sql_account_exists, d->account_id, &found, err)))
			return rc;
		if (!found)
			return ebb_err_set(err, EBB_ENOENT, "account %lld does not exist",
					   d->account_id);
	}
	sqlite3_stmt *s = store_stmt(st, sql_add, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	if (d->conversation_id > 0)
		sqlite3_bind_int64(s, 1, d->conversation_id);
	if (d->account_id > 0)
		sqlite3_bind_int64(s, 2, d->account_id);
	store_bind_text(s, 3, kind_names[d->kind]);
	sqlite3_bind_text(s, 4, d->text, (int)tlen, SQLITE_TRANSIENT);
	store_bind_text(s, 5, d->owner && d->owner[0] ? d->owner : NULL);
	if (d->due_at > 0)
		sqlite3_bind_int64(s, 6, (sqlite3_int64)d->due_at);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot store a decision");
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return EBB_OK;
}

#define DECISION_SELECT \
	"SELECT d.id, d.conversation_id, d.account_id, d.kind, d.text, d.owner, c.subject," \
	" d.due_at, d.done_at, d.created_at FROM decision d" \
	" LEFT JOIN conversation c ON c.id = d.conversation_id"

static const char sql_list_open[] =
	DECISION_SELECT " WHERE d.done_at IS NULL"
	" ORDER BY coalesce(d.due_at, 0) = 0, d.due_at, d.id";
static const char sql_list_conv[] =
	DECISION_SELECT " WHERE d.conversation_id = ?1 ORDER BY d.id";

static void row_clear(struct decision_row *r)
{
	free(r->text);
	free(r->owner);
	free(r->subject);
	memset(r, 0, sizeof *r);
}

void store_decision_rows_free(struct decision_row *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		row_clear(&rows[i]);
	free(rows);
}

static int row_fill(sqlite3_stmt *s, struct decision_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	r->conversation_id = sqlite3_column_int64(s, 1);
	r->account_id = sqlite3_column_int64(s, 2);
	enum decision_kind k = DECISION_ACTION;
	const char *kind = (const char *)sqlite3_column_text(s, 3);
	if (kind && store_decision_kind_parse(kind, &k) == EBB_OK)
		r->kind = k;
	else
		r->kind = DECISION_ACTION;
	r->due_at = (time_t)sqlite3_column_int64(s, 7);
	r->done_at = (time_t)sqlite3_column_int64(s, 8);
	r->created_at = (time_t)sqlite3_column_int64(s, 9);
	if (store_col_strdup(s, 4, &r->text) || store_col_strdup(s, 5, &r->owner) ||
	    store_col_strdup(s, 6, &r->subject)) {
		row_clear(r);
		return EBB_ENOMEM;
	}
	if (!r->text && !(r->text = strdup(""))) {
		row_clear(r);
		return EBB_ENOMEM;
	}
	return EBB_OK;
}

/* Trimmed, any-case comparison of an owner with one of the wanted names. */
static int owner_matches(const char *owner, const char *const *owners, size_t nowners)
{
	if (!owner)
		return 0;
	while (*owner == ' ' || *owner == '\t')
		owner++;
	size_t len = strlen(owner);
	while (len && (owner[len - 1] == ' ' || owner[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < nowners; i++)
		if (owners[i] && len && util_strncaseeq(owner, len, owners[i]))
			return 1;
	return 0;
}

/* Steps s to its end, keeping the rows that pass the filters. */
static int collect(struct store *st, sqlite3_stmt *s, unsigned kinds, const char *const *owners,
		   size_t nowners, struct decision_row **rows, size_t *n, struct ebb_err *err)
{
	struct decision_row *out = NULL;
	size_t count = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct decision_row *p = realloc(out, ncap * sizeof *p);
			if (!p)
				goto nomem;
			out = p;
			cap = ncap;
		}
		if (row_fill(s, &out[count]))
			goto nomem;
		struct decision_row *r = &out[count];
		if (!(kinds & DECISION_KIND_BIT(r->kind)) ||
		    (nowners && !owner_matches(r->owner, owners, nowners))) {
			row_clear(r);
			continue;
		}
		count++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_decision_rows_free(out, count);
		return store_sql_err(st, rc, err, "cannot list decisions");
	}
	*rows = out;
	*n = count;
	return EBB_OK;
nomem:
	sqlite3_reset(s);
	store_decision_rows_free(out, count);
	return ebb_err_set(err, EBB_ENOMEM, "out of memory listing decisions");
}

int store_decision_list_open(struct store *st, unsigned kinds, const char *const *owners,
			     size_t nowners, struct decision_row **rows, size_t *n,
			     struct ebb_err *err)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_list_open, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	return collect(st, s, kinds, owners, nowners, rows, n, err);
}

int store_decision_list_conv(struct store *st, long long conv_id, struct decision_row **rows,
			     size_t *n, struct ebb_err *err)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_list_conv, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	return collect(st, s, ~0u, NULL, 0, rows, n, err);
}

static const char sql_close[] =
	"UPDATE decision SET done_at = coalesce(done_at, ?2) WHERE id = ?1";

int store_decision_close(struct store *st, long long id, time_t now, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_close, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot close a decision");
	if (!sqlite3_changes(st->db))
		return ebb_err_set(err, EBB_ENOENT, "there is no decision or action item %lld "
				   "(see ebb decisions)", id);
	return EBB_OK;
}
