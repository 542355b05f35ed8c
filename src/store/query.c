/* store/query: what the full-screen client asks beyond the fixed views:
 * search with filters (to:, before:, after:, in:) and one channel's list.
 * Every statement is constant text; the user's words are bound parameters. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* The columns store_conv_row_fill reads, in its order. */
#define Q_CONV_COLUMNS \
	"c.id, a.name, ch.name, c.subject, c.last_from, c.last_at, c.state, c.tier," \
	" c.due_at, c.snooze_until, c.needs_reply, c.unread, c.messages"
#define Q_CONV_JOIN \
	" LEFT JOIN account a ON a.id = c.account_id" \
	" LEFT JOIN channel ch ON ch.id = c.channel_id"

/* A message passes when every filter that is set (not NULL, not 0) holds:
 * ?2 a LIKE pattern over To and Cc, ?3 sent at or after, ?4 sent before,
 * ?5 the channel's name or remote id or the account's name. */
#define Q_FILTERS \
	" (?2 IS NULL OR m.recipients LIKE ?2 ESCAPE '\\' OR m.cc LIKE ?2 ESCAPE '\\')" \
	" AND (?3 = 0 OR m.sent_at >= ?3) AND (?4 = 0 OR m.sent_at < ?4)" \
	" AND (?5 IS NULL OR mc.name = ?5 COLLATE NOCASE OR mc.remote_id = ?5 COLLATE NOCASE" \
	"  OR ma.name = ?5 COLLATE NOCASE)"
#define Q_MSG_JOIN \
	" JOIN channel mc ON mc.id = m.channel_id JOIN account ma ON ma.id = mc.account_id"

/* rank is bm25: smaller is better; a conversation ranks by its best message.
 * Only the newest ?7 matching messages (by rowid, i.e. as they arrived) are
 * ranked: bm25 and the join to message cost a few microseconds per hit, and
 * a common word hits 300 000 messages of a million (over a second). FTS5
 * walks its rowids backwards and stops after ?7, so a first screen costs the
 * same at any size; a query with fewer hits is ranked in full as before. */
static const char sql_search_fts[] =
	"SELECT " Q_CONV_COLUMNS ", c.sort_key"
	" FROM (SELECT hit.conv, min(hit.rank) AS best"
	"  FROM (SELECT m.conversation_id AS conv, f.rank AS rank"
	"   FROM message_fts f JOIN message m ON m.id = f.rowid" Q_MSG_JOIN
	"   WHERE message_fts MATCH ?1 AND" Q_FILTERS
	"   ORDER BY f.rowid DESC LIMIT ?7) hit"
	"  GROUP BY hit.conv) found"
	" JOIN conversation c ON c.id = found.conv" Q_CONV_JOIN
	" ORDER BY found.best, c.last_at DESC, c.id LIMIT ?6";

/* Filters only: newest matching message first. There is no ?1 here;
 * SQLite numbers the parameters by their ?N, so both take the same binds. */
static const char sql_search_plain[] =
	"SELECT " Q_CONV_COLUMNS ", c.sort_key"
	" FROM (SELECT m.conversation_id AS conv, max(m.sent_at) AS best"
	"  FROM message m" Q_MSG_JOIN
	"  WHERE" Q_FILTERS " GROUP BY m.conversation_id) found"
	" JOIN conversation c ON c.id = found.conv" Q_CONV_JOIN
	" ORDER BY found.best DESC, c.id LIMIT ?6";

/* "%" + s with LIKE's wildcards escaped + "%". */
static char *like_pattern(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(2 * len + 3);
	if (!out)
		return NULL;
	size_t n = 0;
	out[n++] = '%';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			out[n++] = '\\';
		out[n++] = s[i];
	}
	out[n++] = '%';
	out[n] = '\0';
	return out;
}

static int blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

int store_search_filtered(struct store *st, const struct store_search_query *q, size_t limit,
			  struct conv_row **rows, size_t *n, struct ebb_err *err)
{
	*rows = NULL;
	*n = 0;
	int has_fts = !blank(q->fts);
	if (!has_fts && blank(q->to) && blank(q->channel) && q->after <= 0 && q->before <= 0)
		return ebb_err_set(err, EBB_EINVAL, "search: the query is empty");
	if (!limit)
		return EBB_OK;
	char *pattern = NULL;
	if (!blank(q->to) && !(pattern = like_pattern(q->to)))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	sqlite3_stmt *s = store_stmt(st, has_fts ? sql_search_fts : sql_search_plain, err);
	if (!s) {
		free(pattern);
		return err ? err->code : EBB_EIO;
	}
	if (has_fts)
		store_bind_text(s, 1, q->fts);
	store_bind_text(s, 2, pattern);
	sqlite3_bind_int64(s, 3, q->after > 0 ? (sqlite3_int64)q->after : 0);
	sqlite3_bind_int64(s, 4, q->before > 0 ? (sqlite3_int64)q->before : 0);
	store_bind_text(s, 5, blank(q->channel) ? NULL : q->channel);
	sqlite3_bind_int64(s, 6, limit > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	if (has_fts)
		sqlite3_bind_int64(s, 7, store_search_window(limit));
	free(pattern);
	int rc = store_conv_rows_collect(st, s, rows, n, err);
	if (rc == EBB_EIO && has_fts && sqlite3_errcode(st->db) == SQLITE_ERROR) {
		/* The query is the user's: say what FTS5 disliked in it. */
		const char *msg = sqlite3_errmsg(st->db);
		if (strncmp(msg, "fts5: ", 6) == 0)
			msg += 6;
		return ebb_err_set(err, EBB_EINVAL, "search: %s", msg);
	}
	return rc;
}

/* ---- one channel ------------------------------------------------------------
 * The conversations whose last message is in the channel, newest first,
 * keyset paged on (age_key, id) like the All view. */
#define Q_CHANNEL_WHERE \
	" FROM conversation c" Q_CONV_JOIN \
	" WHERE c.channel_id = ?4 AND c.state NOT IN ('done','muted') AND c.messages > 0"

static const char *const sql_channel[4] = {
	"SELECT " Q_CONV_COLUMNS ", c.age_key" Q_CHANNEL_WHERE
	" ORDER BY c.age_key, c.id LIMIT ?3",
	"SELECT " Q_CONV_COLUMNS ", c.age_key" Q_CHANNEL_WHERE
	" AND (c.age_key, c.id) > (?1, ?2) ORDER BY c.age_key, c.id LIMIT ?3",
	"SELECT " Q_CONV_COLUMNS ", c.age_key" Q_CHANNEL_WHERE
	" ORDER BY c.age_key DESC, c.id DESC LIMIT ?3",
	"SELECT " Q_CONV_COLUMNS ", c.age_key" Q_CHANNEL_WHERE
	" AND (c.age_key, c.id) < (?1, ?2) ORDER BY c.age_key DESC, c.id DESC LIMIT ?3",
};
static const char sql_channel_count[] =
	"SELECT count(*) FROM conversation c WHERE c.channel_id = ?1"
	" AND c.state NOT IN ('done','muted') AND c.messages > 0";
static const char sql_channel_count_upto[] =
	"SELECT count(*) FROM (SELECT 1 FROM conversation c WHERE c.channel_id = ?1"
	" AND c.state NOT IN ('done','muted') AND c.messages > 0 LIMIT ?2)";

int store_conv_list_channel(struct store *st, long long channel_id,
			    const struct conv_cursor *cursor, int backwards, size_t limit,
			    struct conv_row **rows, size_t *n, struct ebb_err *err)
{
	*rows = NULL;
	*n = 0;
	if (!limit)
		return EBB_OK;
	int mode = backwards ? (cursor ? 3 : 2) : (cursor ? 1 : 0);
	sqlite3_stmt *s = store_stmt(st, sql_channel[mode], err);
	if (!s)
		return err ? err->code : EBB_EIO;
	if (cursor) {
		sqlite3_bind_int64(s, 1, cursor->sort_key);
		sqlite3_bind_int64(s, 2, cursor->id);
	}
	sqlite3_bind_int64(s, 3, limit > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	sqlite3_bind_int64(s, 4, channel_id);
	int rc = store_conv_rows_collect(st, s, rows, n, err);
	if (rc || !backwards)
		return rc;
	for (size_t i = 0, j = *n ? *n - 1 : 0; i < j; i++, j--) {
		struct conv_row t = (*rows)[i];
		(*rows)[i] = (*rows)[j];
		(*rows)[j] = t;
	}
	return EBB_OK;
}

static size_t count_channel(struct store *st, long long channel_id, sqlite3_int64 limit)
{
	sqlite3_stmt *s = store_stmt(st, limit ? sql_channel_count_upto : sql_channel_count, NULL);
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, channel_id);
	if (limit)
		sqlite3_bind_int64(s, 2, limit);
	return store_step_count(s);
}

size_t store_conv_count_channel(struct store *st, long long channel_id)
{
	return count_channel(st, channel_id, 0);
}

size_t store_conv_count_channel_upto(struct store *st, long long channel_id, size_t cap)
{
	return count_channel(st, channel_id,
			     cap >= (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)cap + 1);
}
