/* store/chan: accounts and channels (mailboxes, rooms, Slack channels) and
 * the listing of a channel's stored remote ids for providers that diff. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char sql_account_ensure[] =
	"INSERT INTO account(name, kind) VALUES(?1, ?2)"
	" ON CONFLICT(name) DO UPDATE SET kind = excluded.kind RETURNING id";

/* Runs a statement that returns one id row. */
static int returning_id(struct store *st, sqlite3_stmt *s, long long *id, struct ebb_err *err,
			const char *what)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_sql_err(st, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc, err, what);
	}
	*id = sqlite3_column_int64(s, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? EBB_OK : store_sql_err(st, rc, err, what);
}

int store_account_ensure(struct store *st, const char *name, const char *kind, long long *id,
			 struct ebb_err *err)
{
	if (!name || !name[0] || !kind || !kind[0])
		return ebb_err_set(err, EBB_EINVAL, "an account needs a name and a kind");
	sqlite3_stmt *s = store_stmt(st, sql_account_ensure, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	store_bind_text(s, 1, name);
	store_bind_text(s, 2, kind);
	return returning_id(st, s, id, err, "cannot store an account");
}

static const char sql_channel_ensure[] =
	"INSERT INTO channel(account_id, remote_id, name, is_direct) VALUES(?1, ?2, ?3, ?4)"
	" ON CONFLICT(account_id, remote_id) DO UPDATE SET name = excluded.name,"
	" is_direct = excluded.is_direct RETURNING id";

int store_channel_ensure(struct store *st, long long account_id, const char *remote_id,
			 const char *name, int is_direct, long long *id, struct ebb_err *err)
{
	if (!remote_id || !remote_id[0])
		return ebb_err_set(err, EBB_EINVAL, "a channel needs a remote id");
	sqlite3_stmt *s = store_stmt(st, sql_channel_ensure, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, account_id);
	store_bind_text(s, 2, remote_id);
	store_bind_text(s, 3, name && name[0] ? name : remote_id);
	sqlite3_bind_int(s, 4, is_direct ? 1 : 0);
	return returning_id(st, s, id, err, "cannot store a channel");
}

static const char sql_channel_tier[] = "UPDATE channel SET tier = ?2 WHERE id = ?1";

int store_channel_set_tier(struct store *st, long long channel_id, const char *tier,
			   struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_channel_tier, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, channel_id);
	store_bind_text(s, 2, tier);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot set the tier of a channel");
	if (!sqlite3_changes(st->db))
		return ebb_err_set(err, EBB_ENOENT, "channel %lld does not exist", channel_id);
	return EBB_OK;
}

static const char sql_channel_list[] =
	"SELECT id, account_id, remote_id, name, tier, cursor, uidvalidity, muted, is_direct"
	" FROM channel WHERE account_id = ?1 ORDER BY id";

void store_channel_list_free(struct store_channel *c, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].remote_id);
		free(c[i].name);
		free(c[i].tier);
		free(c[i].cursor);
	}
	free(c);
}

static int channel_fill(sqlite3_stmt *s, void *row)
{
	struct store_channel *c = row;
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(s, 0);
	c->account_id = sqlite3_column_int64(s, 1);
	c->uidvalidity = sqlite3_column_int64(s, 6);
	c->muted = sqlite3_column_int(s, 7);
	c->is_direct = sqlite3_column_int(s, 8);
	if (store_col_strdup(s, 2, &c->remote_id) || store_col_strdup(s, 3, &c->name) ||
	    store_col_strdup(s, 4, &c->tier) || store_col_strdup(s, 5, &c->cursor)) {
		free(c->remote_id);
		free(c->name);
		free(c->tier);
		free(c->cursor);
		return EBB_ENOMEM;
	}
	return EBB_OK;
}

static void channels_free_any(void *rows, size_t n)
{
	store_channel_list_free(rows, n);
}

static const struct store_rows_kind channel_rows = {
	.row_size = sizeof(struct store_channel),
	.first_cap = 16,
	.fill = channel_fill,
	.free_rows = channels_free_any,
	.sql_what = "cannot list channels",
	.nomem_what = "out of memory listing channels",
};

int store_channel_list(struct store *st, long long account_id, struct store_channel **out,
		       size_t *n, struct ebb_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_channel_list, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, account_id);
	void *list;
	int rc = store_rows_collect(st, s, &channel_rows, &list, n, err);
	if (!rc)
		*out = list;
	return rc;
}

static const char sql_remote_ids[] =
	"SELECT remote_id, flags FROM message WHERE channel_id = ?1 ORDER BY remote_id";

int store_channel_remote_ids(struct store *st, long long channel_id, store_remote_cb cb,
			     void *ctx, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_remote_ids, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, channel_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *remote = (const char *)sqlite3_column_text(s, 0);
		if (!remote)
			continue;
		int stop = cb(ctx, remote, (unsigned)sqlite3_column_int64(s, 1));
		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot list the messages of a channel");
	return EBB_OK;
}
