/* store/outbox: the rows of what the user wrote until it is sent. Every
 * transition is one UPDATE guarded by the state it leaves, so two processes
 * never both send an item. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char *const state_names[] = {"queued", "held", "sending", "sent",
					  "failed", "uncertain", "cancelled"};

const char *store_outbox_state_name(enum outbox_state s)
{
	if ((size_t)s >= sizeof state_names / sizeof state_names[0])
		return "?";
	return state_names[s];
}

static enum outbox_state state_parse(const char *s)
{
	for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
		if (s && !strcmp(s, state_names[i]))
			return (enum outbox_state)i;
	return OUTBOX_FAILED;
}

/* The outbox is the path where a lost write loses mail: full fsync. */
static void durable(struct store *st, int on)
{
	sqlite3_exec(st->db, on ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
		     NULL, NULL, NULL);
}

static const char sql_add[] =
	"INSERT INTO outbox(account_id, conversation_id, payload, release_policy, release_at,"
	" state, msgid, txn_id, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

int store_outbox_add(struct store *st, const struct outbox_new *n, time_t now, long long *id,
		     struct ebb_err *err)
{
	if (!n->payload || !n->payload_len)
		return ebb_err_set(err, EBB_EINVAL, "the message is empty");
	sqlite3_stmt *s = store_stmt(st, sql_add, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, n->account_id);
	if (n->conversation_id > 0)
		sqlite3_bind_int64(s, 2, n->conversation_id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_blob64(s, 3, n->payload, n->payload_len, SQLITE_TRANSIENT);
	store_bind_text(s, 4, n->release_policy ? n->release_policy : "next_block");
	sqlite3_bind_int64(s, 5, (sqlite3_int64)n->release_at);
	store_bind_text(s, 6, n->release_at > now ? "held" : "queued");
	store_bind_text(s, 7, n->msgid);
	store_bind_text(s, 8, n->txn_id);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)now);
	durable(st, 1);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	durable(st, 0);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot queue the message");
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return EBB_OK;
}

void store_outbox_item_clear(struct outbox_item *it)
{
	free(it->account);
	free(it->payload);
	free(it->release_policy);
	free(it->msgid);
	free(it->txn_id);
	free(it->last_error);
	memset(it, 0, sizeof *it);
}

void store_outbox_items_free(struct outbox_item *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		store_outbox_item_clear(&items[i]);
	free(items);
}

static int item_fill(sqlite3_stmt *s, struct outbox_item *it)
{
	memset(it, 0, sizeof *it);
	it->id = sqlite3_column_int64(s, 0);
	it->account_id = sqlite3_column_int64(s, 1);
	it->conversation_id = sqlite3_column_int64(s, 3);
	const void *blob = sqlite3_column_blob(s, 4);
	int blen = sqlite3_column_bytes(s, 4);
	it->payload = util_strndup(blob ? blob : "", blob ? (size_t)blen : 0);
	it->payload_len = blob ? (size_t)blen : 0;
	it->release_at = (time_t)sqlite3_column_int64(s, 6);
	it->state = state_parse((const char *)sqlite3_column_text(s, 7));
	it->attempts = sqlite3_column_int(s, 10);
	it->created_at = (time_t)sqlite3_column_int64(s, 12);
	it->sent_at = (time_t)sqlite3_column_int64(s, 13);
	if (!it->payload || store_col_strdup(s, 2, &it->account) ||
	    store_col_strdup(s, 5, &it->release_policy) || store_col_strdup(s, 8, &it->msgid) ||
	    store_col_strdup(s, 9, &it->txn_id) || store_col_strdup(s, 11, &it->last_error)) {
		store_outbox_item_clear(it);
		return EBB_ENOMEM;
	}
	return EBB_OK;
}

static int collect_items(struct store *st, sqlite3_stmt *s, struct outbox_item **items,
			 size_t *n, struct ebb_err *err)
{
	struct outbox_item *out = NULL;
	size_t count = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct outbox_item *p = realloc(out, (count + 1) * sizeof *p);
		if (!p || item_fill(s, &p[count])) {
			if (p)
				out = p;
			sqlite3_reset(s);
			store_outbox_items_free(out, count);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory reading the outbox");
		}
		out = p;
		count++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_outbox_items_free(out, count);
		return store_sql_err(st, rc, err, "cannot read the outbox");
	}
	*items = out;
	*n = count;
	return EBB_OK;
}

static const char sql_list_open[] =
	"SELECT o.id, o.account_id, a.name, o.conversation_id, o.payload, o.release_policy,"
	" o.release_at, o.state, o.msgid, o.txn_id, o.attempts, o.last_error, o.created_at,"
	" o.sent_at FROM outbox o JOIN account a ON a.id = o.account_id"
	" WHERE o.state NOT IN ('sent', 'cancelled') ORDER BY o.id";
static const char sql_list_all[] =
	"SELECT o.id, o.account_id, a.name, o.conversation_id, o.payload, o.release_policy,"
	" o.release_at, o.state, o.msgid, o.txn_id, o.attempts, o.last_error, o.created_at,"
	" o.sent_at FROM outbox o JOIN account a ON a.id = o.account_id ORDER BY o.id";
static const char sql_get[] =
	"SELECT o.id, o.account_id, a.name, o.conversation_id, o.payload, o.release_policy,"
	" o.release_at, o.state, o.msgid, o.txn_id, o.attempts, o.last_error, o.created_at,"
	" o.sent_at FROM outbox o JOIN account a ON a.id = o.account_id WHERE o.id = ?1";

int store_outbox_list(struct store *st, int include_done, struct outbox_item **items,
		      size_t *n, struct ebb_err *err)
{
	*items = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, include_done ? sql_list_all : sql_list_open, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	return collect_items(st, s, items, n, err);
}

int store_outbox_get(struct store *st, long long id, struct outbox_item *item,
		     struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_get, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	struct outbox_item *items;
	size_t n;
	int rc = collect_items(st, s, &items, &n, err);
	if (rc)
		return rc;
	if (!n) {
		free(items);
		return ebb_err_set(err, EBB_ENOENT, "outbox item %lld does not exist (see ebb outbox)",
				   id);
	}
	*item = items[0];
	free(items);
	return EBB_OK;
}

static int collect_ids(struct store *st, sqlite3_stmt *s, long long **ids, size_t *n,
		       struct ebb_err *err)
{
	long long *out = NULL;
	size_t count = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long *p = realloc(out, (count + 1) * sizeof *p);
		if (!p) {
			sqlite3_reset(s);
			free(out);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory reading the outbox");
		}
		out = p;
		out[count++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(out);
		return store_sql_err(st, rc, err, "cannot read the outbox");
	}
	*ids = out;
	*n = count;
	return EBB_OK;
}

static const char sql_due[] =
	"SELECT id FROM outbox WHERE state IN ('queued', 'held') AND release_at <= ?1"
	" ORDER BY release_at, id";

int store_outbox_due(struct store *st, time_t now, long long **ids, size_t *n,
		     struct ebb_err *err)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_due, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	return collect_ids(st, s, ids, n, err);
}

static const char sql_missed[] =
	"SELECT id FROM outbox WHERE state = 'held' AND release_at < ?1 ORDER BY release_at, id";

int store_outbox_missed(struct store *st, time_t since, long long **ids, size_t *n,
			struct ebb_err *err)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_missed, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	return collect_ids(st, s, ids, n, err);
}

/* Runs a one-row state change; EBB_EBUSY when the guard matched nothing. */
static int transition(struct store *st, sqlite3_stmt *s, const char *what, struct ebb_err *err)
{
	durable(st, 1);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	durable(st, 0);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, what);
	if (!sqlite3_changes(st->db))
		return ebb_err_set(err, EBB_EBUSY, "%s: the item is not in a state that allows it",
				   what);
	return EBB_OK;
}

static const char sql_claim[] =
	"UPDATE outbox SET state = 'sending', attempts = attempts + 1"
	" WHERE id = ?1 AND state IN ('queued', 'held')";

int store_outbox_claim(struct store *st, long long id, time_t now, struct ebb_err *err)
{
	(void)now;
	sqlite3_stmt *s = store_stmt(st, sql_claim, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	return transition(st, s, "cannot start sending", err);
}

static const char sql_finish[] =
	"UPDATE outbox SET state = ?2, last_error = ?3,"
	" sent_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent_at END"
	" WHERE id = ?1 AND state = 'sending'";

int store_outbox_finish(struct store *st, long long id, enum outbox_state state,
			const char *error, time_t now, struct ebb_err *err)
{
	if (state != OUTBOX_SENT && state != OUTBOX_FAILED && state != OUTBOX_UNCERTAIN &&
	    state != OUTBOX_QUEUED)
		return ebb_err_set(err, EBB_EINVAL, "a send ends as sent, failed, uncertain or queued");
	sqlite3_stmt *s = store_stmt(st, sql_finish, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, store_outbox_state_name(state));
	store_bind_text(s, 3, error);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
	return transition(st, s, "cannot record the result of sending", err);
}

static const char sql_reschedule[] =
	"UPDATE outbox SET release_policy = ?2, release_at = ?3, state = ?4, last_error = NULL"
	" WHERE id = ?1 AND state IN ('queued', 'held', 'failed', 'uncertain')";

int store_outbox_reschedule(struct store *st, long long id, const char *policy,
			    time_t release_at, time_t now, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_reschedule, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, policy);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)release_at);
	store_bind_text(s, 4, release_at > now ? "held" : "queued");
	return transition(st, s, "cannot reschedule the message", err);
}

static const char sql_cancel[] =
	"UPDATE outbox SET state = 'cancelled' WHERE id = ?1 AND state IN ('queued', 'held', 'failed')";

int store_outbox_cancel(struct store *st, long long id, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_cancel, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	return transition(st, s, "cannot cancel the message (it is sending or already sent)", err);
}

/* The guard is the same as cancel's: once the outbox thread has claimed
 * the item (sending) the UPDATE matches nothing and no draft is written. */
static const char sql_take[] =
	"UPDATE outbox SET state = 'cancelled', last_error = 'taken back to edit as a draft'"
	" WHERE id = ?1 AND state IN ('queued', 'held', 'failed')";

int store_outbox_take_to_draft(struct store *st, long long id, struct store_draft *d, time_t now,
			       struct ebb_err *err)
{
	d->id = 0;
	durable(st, 1);
	int nested;
	int rc = store_tx_begin(st, &nested, err);
	if (rc) {
		durable(st, 0);
		return rc;
	}
	sqlite3_stmt *s = store_stmt(st, sql_take, err);
	if (!s) {
		rc = err ? err->code : EBB_EIO;
	} else {
		sqlite3_bind_int64(s, 1, id);
		int step = sqlite3_step(s);
		sqlite3_reset(s);
		if (step != SQLITE_DONE)
			rc = store_sql_err(st, step, err, "cannot take the message back");
		else if (!sqlite3_changes(st->db))
			rc = ebb_err_set(err, EBB_EBUSY, "#%lld is being sent or is gone already: "
					 "it cannot be edited", id);
	}
	if (!rc)
		rc = store_draft_save(st, d, now, err);
	if (!rc)
		rc = store_tx_commit(st, nested, err);
	else
		store_tx_rollback(st, nested);
	durable(st, 0);
	if (rc)
		d->id = 0;
	return rc;
}

static const char sql_recover[] =
	"UPDATE outbox SET state = 'uncertain', last_error = 'ebb stopped while sending; the"
	" server may or may not have accepted it' WHERE state = 'sending'";

int store_outbox_recover(struct store *st, size_t *recovered, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_recover, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	durable(st, 1);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	durable(st, 0);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot check the outbox");
	if (recovered)
		*recovered = (size_t)sqlite3_changes(st->db);
	return EBB_OK;
}

static const char sql_count[] = "SELECT count(*) FROM outbox WHERE state = ?1";

size_t store_outbox_count(struct store *st, enum outbox_state state)
{
	sqlite3_stmt *s = store_stmt(st, sql_count, NULL);
	if (!s)
		return 0;
	store_bind_text(s, 1, store_outbox_state_name(state));
	size_t n = sqlite3_step(s) == SQLITE_ROW ? (size_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return n;
}
