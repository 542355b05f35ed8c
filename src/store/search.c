/* store/search: full-text search over subject, sender and body (FTS5 query
 * syntax), answered with conversations, best match first. */
#include <string.h>

#include "store_int.h"

/* rank is bm25: smaller is better; a conversation ranks by its best message.
 * Only the newest ?3 matching messages are ranked (see store/query.c). */
static const char sql_search[] =
	"SELECT c.id, a.name, ch.name, c.subject, c.last_from, c.last_at, c.state, c.tier,"
	" c.due_at, c.snooze_until, c.needs_reply, c.unread, c.messages, c.sort_key"
	" FROM (SELECT m.conversation_id AS conv, min(hit.rank) AS best"
	"  FROM (SELECT rowid, rank FROM message_fts WHERE message_fts MATCH ?1"
	"   ORDER BY rowid DESC LIMIT ?3) hit"
	"  JOIN message m ON m.id = hit.rowid GROUP BY m.conversation_id) found"
	" JOIN conversation c ON c.id = found.conv"
	" LEFT JOIN account a ON a.id = c.account_id"
	" LEFT JOIN channel ch ON ch.id = c.channel_id"
	" ORDER BY found.best, c.last_at DESC, c.id LIMIT ?2";

long long store_search_window(size_t limit)
{
	if (limit > STORE_SEARCH_WINDOW_MIN / 5)
		return limit > (size_t)(INT64_MAX / 5) ? INT64_MAX : (long long)limit * 5;
	return STORE_SEARCH_WINDOW_MIN;
}

int store_search(struct store *st, const char *fts_query, size_t limit, struct conv_row **rows,
		 size_t *n, struct ebb_err *err)
{
	*rows = NULL;
	*n = 0;
	if (!fts_query || !fts_query[strspn(fts_query, " \t\r\n")])
		return ebb_err_set(err, EBB_EINVAL, "search: the query is empty");
	if (!limit)
		return EBB_OK;
	sqlite3_stmt *s = store_stmt(st, sql_search, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	store_bind_text(s, 1, fts_query);
	sqlite3_bind_int64(s, 2, limit > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	sqlite3_bind_int64(s, 3, store_search_window(limit));
	int rc = store_conv_rows_collect(st, s, rows, n, err);
	if (rc == EBB_EIO && sqlite3_errcode(st->db) == SQLITE_ERROR) {
		/* The query is the user's: say what FTS5 disliked in it. */
		const char *msg = sqlite3_errmsg(st->db);
		if (strncmp(msg, "fts5: ", 6) == 0)
			msg += 6;
		return ebb_err_set(err, EBB_EINVAL, "search: %s", msg);
	}
	return rc;
}
