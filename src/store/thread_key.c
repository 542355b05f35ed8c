/* store/thread_key: the thread key of a conversation, so a chat reply can
 * go where the conversation lives (its thread, or a channel's day). */
#include <stdlib.h>

#include "store_int.h"

static const char sql_thread_key[] = "SELECT thread_key FROM conversation WHERE id = ?1";

int store_conv_thread_key(struct store *st, long long conv_id, char **key, struct ebb_err *err)
{
	*key = NULL;
	sqlite3_stmt *s = store_stmt(st, sql_thread_key, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return ebb_err_set(err, EBB_ENOENT, "conversation %lld does not exist (see ebb list)",
				   conv_id);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_sql_err(st, rc, err, "cannot read the conversation");
	}
	rc = store_col_strdup(s, 0, key);
	sqlite3_reset(s);
	if (rc)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	if (!*key)
		return ebb_err_set(err, EBB_ECORRUPT, "conversation %lld has no thread key", conv_id);
	return EBB_OK;
}
