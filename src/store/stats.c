/* store/stats: the raw figures behind `ebb stats`: volume per channel, the
 * waiting periods of conversations, the event log; policy/ does the maths. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char sql_channels[] =
	"SELECT ch.id, ch.account_id, a.name, ch.name, ch.tier,"
	" (SELECT count(*) FROM message m WHERE m.channel_id = ch.id AND m.from_me = 0"
	"   AND m.sent_at >= ?1 AND m.sent_at < ?2),"
	" (SELECT count(*) FROM message m WHERE m.channel_id = ch.id AND m.from_me = 1"
	"   AND m.sent_at >= ?1 AND m.sent_at < ?2)"
	" FROM channel ch JOIN account a ON a.id = ch.account_id ORDER BY a.name, ch.name, ch.id";

void store_stats_channels_free(struct store_channel_stats *c, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].account);
		free(c[i].name);
		free(c[i].tier);
	}
	free(c);
}

static int channel_stats_fill(sqlite3_stmt *s, void *row)
{
	struct store_channel_stats *c = row;
	memset(c, 0, sizeof *c);
	c->channel_id = sqlite3_column_int64(s, 0);
	c->account_id = sqlite3_column_int64(s, 1);
	c->received = sqlite3_column_int64(s, 5);
	c->sent = sqlite3_column_int64(s, 6);
	if (store_col_strdup(s, 2, &c->account) || store_col_strdup(s, 3, &c->name) ||
	    store_col_strdup(s, 4, &c->tier)) {
		free(c->account);
		free(c->name);
		free(c->tier);
		return EBB_ENOMEM;
	}
	return EBB_OK;
}

static void channel_stats_free_any(void *rows, size_t n)
{
	store_stats_channels_free(rows, n);
}

static const struct store_rows_kind channel_stats_rows = {
	.row_size = sizeof(struct store_channel_stats),
	.first_cap = 16,
	.fill = channel_stats_fill,
	.free_rows = channel_stats_free_any,
	.sql_what = "cannot count messages per channel",
	.nomem_what = "out of memory counting messages",
};

int store_stats_channels(struct store *st, time_t since, time_t until,
			 struct store_channel_stats **out, size_t *n, struct ebb_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_channels, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)until);
	void *rows;
	int rc = store_rows_collect(st, s, &channel_stats_rows, &rows, n, err);
	if (!rc)
		*out = rows;
	return rc;
}

/* Every message of the conversations someone wrote to in the window, in
 * order; the periods are found by walking them. */
static const char sql_period_msgs[] =
	"SELECT m.conversation_id, m.channel_id, m.sent_at, m.from_me, m.to_me, m.msgid,"
	" ch.is_direct, c.tier"
	" FROM message m JOIN channel ch ON ch.id = m.channel_id"
	" JOIN conversation c ON c.id = m.conversation_id"
	" WHERE m.sent_at < ?2 AND m.conversation_id IN (SELECT DISTINCT conversation_id"
	"  FROM message WHERE from_me = 0 AND sent_at >= ?1 AND sent_at < ?2)"
	" ORDER BY m.conversation_id, m.sent_at, m.id";

/* The Message-IDs seen at one sent_at in one conversation: copies of a
 * mail carry the same Date, so this finds them without remembering the
 * whole thread. */
struct same_time {
	long long conv_id;
	int64_t at;
	char **ids;
	size_t n, cap;
};

static void same_time_reset(struct same_time *t, long long conv_id, int64_t at)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->ids[i]);
	t->n = 0;
	t->conv_id = conv_id;
	t->at = at;
}

/* 1 when msgid was seen at this time already, else remembers it. */
static int same_time_seen(struct same_time *t, const char *msgid, int *nomem)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->ids[i], msgid))
			return 1;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 8;
		char **p = realloc(t->ids, ncap * sizeof *p);
		if (!p) {
			*nomem = 1;
			return 0;
		}
		t->ids = p;
		t->cap = ncap;
	}
	char *copy = strdup(msgid);
	if (!copy) {
		*nomem = 1;
		return 0;
	}
	t->ids[t->n++] = copy;
	return 0;
}

struct walk {
	time_t since;
	store_period_fn fn;
	void *ctx;
	struct store_reply_period p;
	int waiting;
	char *tier;
};

static int emit(struct walk *w, time_t reply_at)
{
	int rc = 0;
	if (w->waiting && w->p.start >= w->since) {
		w->p.reply_at = reply_at;
		w->p.tier = w->tier;
		rc = w->fn(w->ctx, &w->p);
	}
	w->waiting = 0;
	return rc;
}

int store_stats_periods(struct store *st, time_t since, time_t until, store_period_fn fn,
			void *ctx, struct ebb_err *err)
{
	if (!fn)
		return ebb_err_set(err, EBB_EINVAL, "store_stats_periods: no callback");
	sqlite3_stmt *s = store_stmt(st, sql_period_msgs, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)until);
	struct walk w = {.since = since, .fn = fn, .ctx = ctx};
	struct same_time seen = {.conv_id = -1};
	int rc = EBB_OK, src, nomem = 0;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		long long conv = sqlite3_column_int64(s, 0);
		int64_t at = sqlite3_column_int64(s, 2);
		if (conv != w.p.conv_id) {
			if ((rc = emit(&w, 0)))
				break;
			free(w.tier);
			w.tier = NULL;
			memset(&w.p, 0, sizeof w.p);
			w.p.conv_id = conv;
			if (store_col_strdup(s, 7, &w.tier)) {
				nomem = 1;
				break;
			}
		}
		if (conv != seen.conv_id || at != seen.at)
			same_time_reset(&seen, conv, at);
		const char *msgid = (const char *)sqlite3_column_text(s, 5);
		if (msgid && same_time_seen(&seen, msgid, &nomem))
			continue;
		if (nomem)
			break;
		int from_me = sqlite3_column_int(s, 3);
		int owed = sqlite3_column_int(s, 4) || sqlite3_column_int(s, 6);
		if (from_me) {
			if ((rc = emit(&w, (time_t)at)))
				break;
		} else if (!w.waiting) {
			w.waiting = 1;
			w.p.start = (time_t)at;
			w.p.channel_id = sqlite3_column_int64(s, 1);
			w.p.owed = owed;
		} else {
			w.p.owed |= owed;
		}
	}
	sqlite3_reset(s);
	if (!rc && !nomem && src == SQLITE_DONE)
		rc = emit(&w, 0);
	same_time_reset(&seen, 0, 0);
	free(seen.ids);
	free(w.tier);
	if (nomem)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading reply times");
	if (!rc && src != SQLITE_DONE && src != SQLITE_ROW)
		return store_sql_err(st, src, err, "cannot read reply times");
	return rc;
}

static const char sql_events[] =
	"SELECT at, kind, conversation_id, channel_id, detail FROM event"
	" WHERE kind >= ?1 AND kind < ?2 AND at >= ?3 AND at < ?4 ORDER BY at, id";

int store_event_walk(struct store *st, const char *kind_prefix, time_t since, time_t until,
		     store_event_fn fn, void *ctx, struct ebb_err *err)
{
	if (!fn || !kind_prefix || !kind_prefix[0] || strlen(kind_prefix) > 64)
		return ebb_err_set(err, EBB_EINVAL, "store_event_walk: a kind of 1 to 64 bytes and a "
				   "callback are needed");
	/* Every kind with the prefix sorts in [prefix, prefix with its last
	 * byte raised), so the (kind, at) index answers. */
	char upper[66];
	size_t len = strlen(kind_prefix);
	memcpy(upper, kind_prefix, len + 1);
	if ((unsigned char)upper[len - 1] == 0xFF)
		return ebb_err_set(err, EBB_EINVAL, "store_event_walk: bad kind prefix");
	upper[len - 1] = (char)((unsigned char)upper[len - 1] + 1);
	sqlite3_stmt *s = store_stmt(st, sql_events, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	store_bind_text(s, 1, kind_prefix);
	store_bind_text(s, 2, upper);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)since);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)until);
	int rc = EBB_OK, src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event e = {
			.at = (time_t)sqlite3_column_int64(s, 0),
			.kind = (const char *)sqlite3_column_text(s, 1),
			.conv_id = sqlite3_column_int64(s, 2),
			.channel_id = sqlite3_column_int64(s, 3),
			.detail = (const char *)sqlite3_column_text(s, 4),
		};
		if (!e.kind)
			e.kind = "";
		if ((rc = fn(ctx, &e)))
			break;
	}
	sqlite3_reset(s);
	if (!rc && src != SQLITE_DONE)
		return store_sql_err(st, src, err, "cannot read the event log");
	return rc;
}

static const char sql_outbox_sent[] =
	"SELECT count(*) FROM outbox WHERE state = 'sent' AND sent_at >= ?1 AND sent_at < ?2";

size_t store_stats_outbox_sent(struct store *st, time_t since, time_t until)
{
	sqlite3_stmt *s = store_stmt(st, sql_outbox_sent, NULL);
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)until);
	return store_step_count(s);
}
