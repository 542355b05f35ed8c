/* store/draft: what the user is writing, saved on every change so a crash
 * or kill -9 loses nothing, and the user's own say on whether a reply is owed. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* A draft bigger than this is not something a person typed. */
#define DRAFT_FIELD_MAX (16u * 1024 * 1024)

static const char sql_draft_insert[] =
	"INSERT INTO draft(account_id, conversation_id, in_reply_to, refs, to_addrs, cc_addrs,"
	" subject, body, created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
static const char sql_draft_update[] =
	"UPDATE draft SET account_id = ?1, conversation_id = ?2, in_reply_to = ?3, refs = ?4,"
	" to_addrs = ?5, cc_addrs = ?6, subject = ?7, body = ?8, updated_at = ?9 WHERE id = ?10";
#define DRAFT_SELECT \
	"SELECT d.id, d.account_id, a.name, d.conversation_id, d.in_reply_to, d.refs," \
	" d.to_addrs, d.cc_addrs, d.subject, d.body, d.created_at, d.updated_at" \
	" FROM draft d LEFT JOIN account a ON a.id = d.account_id"
static const char sql_draft_get[] = DRAFT_SELECT " WHERE d.id = ?1";
static const char sql_draft_list[] = DRAFT_SELECT " ORDER BY d.updated_at DESC, d.id DESC";
static const char sql_draft_delete[] = "DELETE FROM draft WHERE id = ?1";
static const char sql_draft_count[] = "SELECT count(*) FROM draft";

void store_draft_clear(struct store_draft *d)
{
	if (!d)
		return;
	free(d->account);
	free(d->in_reply_to);
	free(d->refs);
	free(d->to);
	free(d->cc);
	free(d->subject);
	free(d->body);
	memset(d, 0, sizeof *d);
}

void store_drafts_free(struct store_draft *d, size_t n)
{
	if (!d)
		return;
	for (size_t i = 0; i < n; i++)
		store_draft_clear(&d[i]);
	free(d);
}

static int too_big(const char *s)
{
	return s && strnlen(s, DRAFT_FIELD_MAX + 1) > DRAFT_FIELD_MAX;
}

int store_draft_save(struct store *st, struct store_draft *d, time_t now, struct ebb_err *err)
{
	if (too_big(d->to) || too_big(d->cc) || too_big(d->subject) || too_big(d->body) ||
	    too_big(d->in_reply_to) || too_big(d->refs))
		return ebb_err_set(err, EBB_ETOOBIG, "the draft is over %u bytes; shorten it",
				   DRAFT_FIELD_MAX);
	sqlite3_stmt *s = store_stmt(st, d->id ? sql_draft_update : sql_draft_insert, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	if (d->account_id > 0)
		sqlite3_bind_int64(s, 1, d->account_id);
	if (d->conversation_id > 0)
		sqlite3_bind_int64(s, 2, d->conversation_id);
	store_bind_text(s, 3, d->in_reply_to);
	store_bind_text(s, 4, d->refs);
	store_bind_text(s, 5, d->to ? d->to : "");
	store_bind_text(s, 6, d->cc ? d->cc : "");
	store_bind_text(s, 7, d->subject ? d->subject : "");
	store_bind_text(s, 8, d->body ? d->body : "");
	sqlite3_bind_int64(s, 9, (sqlite3_int64)now);
	if (d->id)
		sqlite3_bind_int64(s, 10, d->id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot save the draft");
	if (!d->id) {
		d->id = sqlite3_last_insert_rowid(st->db);
		d->created_at = now;
	} else if (!sqlite3_changes(st->db)) {
		return ebb_err_set(err, EBB_ENOENT,
				   "draft %lld is gone (sent or discarded elsewhere)", d->id);
	}
	d->updated_at = now;
	return EBB_OK;
}

static int draft_fill(sqlite3_stmt *s, void *row)
{
	struct store_draft *d = row;
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(s, 0);
	d->account_id = sqlite3_column_int64(s, 1);
	d->conversation_id = sqlite3_column_int64(s, 3);
	d->created_at = (time_t)sqlite3_column_int64(s, 10);
	d->updated_at = (time_t)sqlite3_column_int64(s, 11);
	if (store_col_strdup(s, 2, &d->account) || store_col_strdup(s, 4, &d->in_reply_to) ||
	    store_col_strdup(s, 5, &d->refs) || store_col_strdup(s, 6, &d->to) ||
	    store_col_strdup(s, 7, &d->cc) || store_col_strdup(s, 8, &d->subject) ||
	    store_col_strdup(s, 9, &d->body)) {
		store_draft_clear(d);
		return EBB_ENOMEM;
	}
	return EBB_OK;
}

int store_draft_get(struct store *st, long long id, struct store_draft *out, struct ebb_err *err)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = store_stmt(st, sql_draft_get, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return ebb_err_set(err, EBB_ENOENT, "draft %lld does not exist", id);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_sql_err(st, rc, err, "cannot read a draft");
	}
	rc = draft_fill(s, out);
	sqlite3_reset(s);
	return rc ? ebb_err_set(err, EBB_ENOMEM, "out of memory reading a draft") : EBB_OK;
}

static void drafts_free_any(void *rows, size_t n)
{
	store_drafts_free(rows, n);
}

static const struct store_rows_kind draft_rows = {
	.row_size = sizeof(struct store_draft),
	.first_cap = 16,
	.fill = draft_fill,
	.free_rows = drafts_free_any,
	.sql_what = "cannot list drafts",
	.nomem_what = "out of memory listing drafts",
};

int store_draft_list(struct store *st, struct store_draft **out, size_t *n, struct ebb_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_draft_list, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	void *list;
	int rc = store_rows_collect(st, s, &draft_rows, &list, n, err);
	if (!rc)
		*out = list;
	return rc;
}

int store_draft_delete(struct store *st, long long id, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_draft_delete, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot delete a draft");
	if (!sqlite3_changes(st->db))
		return ebb_err_set(err, EBB_ENOENT, "draft %lld does not exist", id);
	return EBB_OK;
}

size_t store_draft_count(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, sql_draft_count, NULL);
	if (!s)
		return 0;
	return store_step_count(s);
}

/* ---- the user's say on whether a reply is owed ---------------------------- */

static const char sql_override_get[] = "SELECT reply_override FROM conversation WHERE id = ?1";
static const char sql_override_set[] = "UPDATE conversation SET reply_override = ?2 WHERE id = ?1";

int store_conv_reply_override(struct store *st, long long id, int *override, struct ebb_err *err)
{
	*override = -1;
	sqlite3_stmt *s = store_stmt(st, sql_override_get, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			*override = sqlite3_column_int(s, 0) ? 1 : 0;
		sqlite3_reset(s);
		return EBB_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return ebb_err_set(err, EBB_ENOENT, "conversation %lld does not exist", id);
	return store_sql_err(st, rc, err, "cannot read a conversation");
}

int store_conv_set_reply_override(struct store *st, long long id, int override,
				  store_due_fn due, void *due_ctx, time_t now,
				  struct ebb_err *err)
{
	if (override < -1 || override > 1)
		return ebb_err_set(err, EBB_EINVAL, "reply override must be -1, 0 or 1, not %d",
				   override);
	int nested;
	int rc = store_tx_begin(st, &nested, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = store_stmt(st, sql_override_set, err);
	if (!s) {
		rc = err ? err->code : EBB_EIO;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, id);
	if (override >= 0)
		sqlite3_bind_int(s, 2, override);
	int src = sqlite3_step(s);
	sqlite3_reset(s);
	if (src != SQLITE_DONE) {
		rc = store_sql_err(st, src, err, "cannot change whether a reply is owed");
		goto fail;
	}
	if (!sqlite3_changes(st->db)) {
		rc = ebb_err_set(err, EBB_ENOENT, "conversation %lld does not exist", id);
		goto fail;
	}
	/* The refresh reads reply_override and lays it over the rule. */
	rc = store_conv_refresh(st, id, due, due_ctx, err);
	if (rc)
		goto fail;
	rc = store_event_add(st, now, "reply_override", id, 0,
			     override < 0 ? "rule" : override ? "owed" : "not_owed", err);
	if (rc)
		goto fail;
	return store_tx_commit(st, nested, err);
fail:
	store_tx_rollback(st, nested);
	return rc;
}
