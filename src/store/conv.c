/* store/conv: conversations — the cached columns recomputed from messages,
 * the keyset-paged views, triage state changes and the event log. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define DAY_SECONDS 86400

static const char *const view_names[VIEW_COUNT] = {
	"due", "all", "waiting", "later", "snoozed", "done", "muted",
};
static const char *const state_names[] = {
	"inbox", "done", "snoozed", "waiting", "later", "muted",
};
#define STATE_COUNT (sizeof state_names / sizeof state_names[0])

const char *store_view_name(enum store_view v)
{
	return (unsigned)v < VIEW_COUNT ? view_names[v] : "?";
}

/* The index of name (any case) in names; EBB_EINVAL when it is not there. */
static int name_index(const char *const *names, unsigned count, const char *name,
		      unsigned *index)
{
	for (unsigned i = 0; name && i < count; i++) {
		if (util_strncaseeq(name, strlen(name), names[i])) {
			*index = i;
			return EBB_OK;
		}
	}
	return EBB_EINVAL;
}

int store_view_parse(const char *name, enum store_view *v)
{
	unsigned i;
	if (name_index(view_names, VIEW_COUNT, name, &i))
		return EBB_EINVAL;
	*v = (enum store_view)i;
	return EBB_OK;
}

const char *store_state_name(enum conv_state s)
{
	return (unsigned)s < STATE_COUNT ? state_names[s] : "?";
}

int store_state_parse(const char *name, enum conv_state *s)
{
	unsigned i;
	if (name_index(state_names, STATE_COUNT, name, &i))
		return EBB_EINVAL;
	*s = (enum conv_state)i;
	return EBB_OK;
}

int64_t store_clamp_time(int64_t t)
{
	if (t < 0)
		return 0;
	if (t > STORE_TIME_MAX)
		return STORE_TIME_MAX;
	return t;
}

int64_t store_due_sort_key(int needs_reply, int64_t due_at, int64_t last_at)
{
	if (needs_reply && due_at > 0)
		return store_clamp_time(due_at);
	/* Above every due time, and the newer the smaller. */
	return 2 * STORE_TIME_MAX + 1 + (STORE_TIME_MAX - store_clamp_time(last_at));
}

/* ---- refresh ------------------------------------------------------------ */

/* Every message of a conversation in order, read once by conv_scan: six
 * queries (two of them COUNT(DISTINCT), each with its own scratch table)
 * cost a first sync a fifth of its time. */
static const char sql_conv_messages[] =
	"SELECT sent_at, id, from_me, to_me, flags & 1, msgid FROM message"
	" WHERE conversation_id = ?1 ORDER BY sent_at, id";
/* Then three rows by their ids: the first names the conversation, the last
 * says who spoke last, and the last from others carries the List-Id a list
 * rule ranks by (my own copy in Sent never has it). */
static const char sql_conv_subject_of[] = "SELECT subject FROM message WHERE id = ?1";
static const char sql_conv_last_of[] =
	"SELECT coalesce(nullif(m.sender_name, ''), m.sender), m.sender, m.channel_id,"
	" ch.remote_id, ch.tier, ch.is_direct"
	" FROM message m JOIN channel ch ON ch.id = m.channel_id WHERE m.id = ?1";
static const char sql_conv_list_of[] = "SELECT list_id FROM message WHERE id = ?1";
/* NULL = the rule decides; 0 or 1 = the user's own say (`n` in the inbox). */
static const char sql_reply_override[] =
	"SELECT reply_override FROM conversation WHERE id = ?1";
static const char sql_conv_update[] =
	"UPDATE conversation SET subject = ?2, norm_subject = ?3, last_at = ?4, last_from = ?5,"
	" channel_id = ?6, messages = ?7, unread = ?8, needs_reply = ?9, due_at = ?10,"
	" tier = ?11, sort_key = ?12, age_key = ?13 WHERE id = ?1";
static const char sql_conv_empty[] =
	"UPDATE conversation SET messages = 0, unread = 0, needs_reply = 0, due_at = 0,"
	" sort_key = ?2, age_key = ?3 WHERE id = ?1 RETURNING last_at";
static const char sql_conv_last_at[] = "SELECT last_at FROM conversation WHERE id = ?1";

/* What refresh learns from the messages, before it asks the due rule. */
struct conv_scan {
	char *subject;
	int64_t last_at;
	char *last_from;      /* display name or address */
	char *last_sender;    /* address */
	long long channel_id;
	int last_from_me;
	char *channel;
	char *channel_tier;
	int is_direct;
	int messages, unread;
	int64_t waiting_since;
	int addressed;
	int reply_override;   /* -1 = none, else 0 or 1 */
	char *last_list_id;   /* of the last message from others */
};

static void conv_scan_free(struct conv_scan *c)
{
	free(c->subject);
	free(c->last_from);
	free(c->last_sender);
	free(c->channel);
	free(c->channel_tier);
	free(c->last_list_id);
}

static int step_row(struct store *st, sqlite3_stmt *s, int *have, struct ebb_err *err)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*have = 1;
		return EBB_OK;
	}
	*have = 0;
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot read a conversation");
	return EBB_OK;
}

static int scan_nomem(sqlite3_stmt *s, struct ebb_err *err)
{
	sqlite3_reset(s);
	return ebb_err_set(err, EBB_ENOMEM, "out of memory reading a conversation");
}

/* One message id of a conversation and whether that copy is unread and
 * from someone else: copies in several folders count once. */
struct msgid_seen {
	char *msgid;
	int unread_other;
};

static int msgid_cmp(const void *x, const void *y)
{
	return strcmp(((const struct msgid_seen *)x)->msgid, ((const struct msgid_seen *)y)->msgid);
}

/* messages and unread as the views count them: distinct Message-IDs, plus
 * every message without one. */
static void count_distinct(struct msgid_seen *ids, size_t n, int *messages, int *unread)
{
	if (n)
		qsort(ids, n, sizeof *ids, msgid_cmp);
	for (size_t i = 0; i < n;) {
		int any_unread = 0;
		size_t j = i;
		for (; j < n && strcmp(ids[j].msgid, ids[i].msgid) == 0; j++)
			any_unread |= ids[j].unread_other;
		(*messages)++;
		*unread += any_unread;
		i = j;
	}
}

/* Walks the messages oldest first, from the index alone: what others wrote
 * after my last message is what waits for me; copies count once. Notes the
 * ids of the first message, the last, and the last from others. */
struct scan_ids {
	int64_t first, last, last_other;
};

static int scan_messages(struct store *st, long long id, struct conv_scan *c,
			 struct scan_ids *at, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_conv_messages, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	struct msgid_seen *ids = NULL;
	size_t nids = 0, capids = 0;
	int rc, oom = 0, waiting = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t sent_at = sqlite3_column_int64(s, 0);
		int from_me = sqlite3_column_int(s, 2);
		int unread_other = !from_me && !sqlite3_column_int(s, 4);
		at->last = sqlite3_column_int64(s, 1);
		if (!at->first)
			at->first = at->last;
		c->last_at = sent_at;
		c->last_from_me = from_me;
		if (from_me) {
			waiting = 0;
			c->waiting_since = 0;
			c->addressed = 0;
		} else {
			if (!waiting)
				c->waiting_since = sent_at;
			waiting = 1;
			at->last_other = at->last;
			c->addressed |= sqlite3_column_int(s, 3) != 0;
		}
		const char *msgid = (const char *)sqlite3_column_text(s, 5);
		if (!msgid) {
			c->messages++;
			c->unread += unread_other;
			continue;
		}
		if (nids == capids) {
			size_t ncap = capids ? capids * 2 : 16;
			struct msgid_seen *grown = realloc(ids, ncap * sizeof *ids);
			if (!grown) {
				oom = 1;
				break;
			}
			ids = grown;
			capids = ncap;
		}
		if (!(ids[nids].msgid = strdup(msgid))) {
			oom = 1;
			break;
		}
		ids[nids++].unread_other = unread_other;
	}
	sqlite3_reset(s);
	if (!oom)
		count_distinct(ids, nids, &c->messages, &c->unread);
	for (size_t i = 0; i < nids; i++)
		free(ids[i].msgid);
	free(ids);
	if (oom)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading a conversation");
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sql_err(st, rc, err, "cannot read a conversation");
	return EBB_OK;
}

/* One row of sql by message id, its columns copied to out[] (NULL stays
 * NULL); *have 0 when there is no such row. */
static int row_by_id(struct store *st, const char *sql, int64_t id, char **out[], int nout,
		     int *have, sqlite3_stmt **row, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	int rc = step_row(st, s, have, err);
	if (rc || !*have)
		return rc;
	for (int i = 0; i < nout; i++)
		if (out[i] && store_col_strdup(s, i, out[i]))
			return scan_nomem(s, err);
	*row = s;   /* still on its row for other columns; the caller resets it */
	return EBB_OK;
}

static int conv_scan(struct store *st, long long id, struct conv_scan *c, struct ebb_err *err)
{
	int have, rc;
	struct scan_ids at = {0};
	if ((rc = scan_messages(st, id, c, &at, err)))
		return rc;
	if (!at.last)
		return EBB_OK;  /* no messages: c->channel stays NULL */
	sqlite3_stmt *s = NULL;
	char **subject[] = {&c->subject};
	if ((rc = row_by_id(st, sql_conv_subject_of, at.first, subject, 1, &have, &s, err)))
		return rc;
	if (have)
		sqlite3_reset(s);
	char **last[] = {&c->last_from, &c->last_sender, NULL, &c->channel, &c->channel_tier};
	if ((rc = row_by_id(st, sql_conv_last_of, at.last, last, 5, &have, &s, err)) || !have)
		return rc;
	c->channel_id = sqlite3_column_int64(s, 2);
	c->is_direct = sqlite3_column_int(s, 5);
	sqlite3_reset(s);
	char **list[] = {&c->last_list_id};
	if (at.last_other &&
	    (rc = row_by_id(st, sql_conv_list_of, at.last_other, list, 1, &have, &s, err)))
		return rc;
	if (at.last_other && have)
		sqlite3_reset(s);

	c->reply_override = -1;
	if (!(s = store_stmt(st, sql_reply_override, err)))
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = step_row(st, s, &have, err)))
		return rc;
	if (have) {
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			c->reply_override = sqlite3_column_int64(s, 0) != 0;
		sqlite3_reset(s);
	}
	return EBB_OK;
}

/* A conversation whose messages are all gone keeps its row (and triage
 * state: a mailbox refetch brings the messages back) but leaves the views. */
static int conv_refresh_empty(struct store *st, long long id, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_conv_last_at, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	int have, rc;
	if ((rc = step_row(st, s, &have, err)))
		return rc;
	if (!have)
		return EBB_OK;
	int64_t last_at = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (!(s = store_stmt(st, sql_conv_empty, err)))
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, store_due_sort_key(0, 0, last_at));
	sqlite3_bind_int64(s, 3, -store_clamp_time(last_at));
	rc = sqlite3_step(s);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot update a conversation");
	return EBB_OK;
}

int store_conv_refresh(struct store *st, long long conv_id, store_due_fn due, void *due_ctx,
		       struct ebb_err *err)
{
	struct conv_scan c = {0};
	int rc = conv_scan(st, conv_id, &c, err);
	if (rc) {
		conv_scan_free(&c);
		return rc;
	}
	if (!c.channel) {
		conv_scan_free(&c);
		return conv_refresh_empty(st, conv_id, err);
	}
	struct conv_due answer = {0};
	int forced = c.reply_override == 1;
	if (due) {
		struct conv_facts f = {
			.conv_id = conv_id,
			.channel = c.channel,
			.channel_tier = c.channel_tier,
			.is_direct = c.is_direct,
			.last_from_me = c.last_from_me,
			.addressed_to_me = c.addressed,
			.waiting_since = (time_t)c.waiting_since,
			.last_sender = c.last_sender,
			.reply_forced = forced,
			.last_list_id = c.last_list_id,
		};
		/* Owed by the user's say with nothing from others waiting: the
		 * clock starts at the last message. */
		if (forced && !f.waiting_since)
			f.waiting_since = (time_t)c.last_at;
		answer.tier = c.channel_tier;
		due(due_ctx, &f, &answer);
	} else {
		/* Without a rule: owed when it is to me or a direct chat, no due time. */
		answer.tier = c.channel_tier;
		answer.needs_reply = !c.last_from_me && (c.addressed || c.is_direct);
	}
	/* The user's say comes after the rule: it wins, whatever the rule knows. */
	if (c.reply_override == 0) {
		answer.needs_reply = 0;
		answer.due_at = 0;
	} else if (forced) {
		answer.needs_reply = 1;
	}
	int64_t due_at = answer.needs_reply ? (int64_t)answer.due_at : 0;
	char norm[256];
	store_norm_subject(c.subject ? c.subject : "", norm, sizeof norm);
	sqlite3_stmt *s = store_stmt(st, sql_conv_update, err);
	if (!s) {
		conv_scan_free(&c);
		return err ? err->code : EBB_EIO;
	}
	sqlite3_bind_int64(s, 1, conv_id);
	store_bind_text(s, 2, c.subject ? c.subject : "");
	store_bind_text(s, 3, norm);
	sqlite3_bind_int64(s, 4, c.last_at);
	store_bind_text(s, 5, c.last_from);
	sqlite3_bind_int64(s, 6, c.channel_id);
	sqlite3_bind_int(s, 7, c.messages);
	sqlite3_bind_int(s, 8, c.unread);
	sqlite3_bind_int(s, 9, answer.needs_reply ? 1 : 0);
	sqlite3_bind_int64(s, 10, due_at);
	store_bind_text(s, 11, answer.tier);   /* copied by SQLite before the rule's string goes */
	sqlite3_bind_int64(s, 12, store_due_sort_key(answer.needs_reply, due_at, c.last_at));
	sqlite3_bind_int64(s, 13, -store_clamp_time(c.last_at));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	conv_scan_free(&c);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot update a conversation");
	return EBB_OK;
}

/* ---- events and state changes ------------------------------------------- */

static const char sql_event_add[] =
	"INSERT INTO event(at, kind, conversation_id, channel_id, detail) VALUES(?1, ?2, ?3, ?4, ?5)";

int store_event_add(struct store *st, time_t at, const char *kind, long long conv_id,
		    long long channel_id, const char *detail, struct ebb_err *err)
{
	if (!kind || !kind[0])
		return ebb_err_set(err, EBB_EINVAL, "an event needs a kind");
	sqlite3_stmt *s = store_stmt(st, sql_event_add, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)at);
	store_bind_text(s, 2, kind);
	if (conv_id > 0)
		sqlite3_bind_int64(s, 3, conv_id);
	if (channel_id > 0)
		sqlite3_bind_int64(s, 4, channel_id);
	store_bind_text(s, 5, detail);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot record an event");
	return EBB_OK;
}

static const char sql_conv_state[] =
	"SELECT state, snooze_until, channel_id FROM conversation WHERE id = ?1";
static const char sql_conv_set_state[] =
	"UPDATE conversation SET state = ?2, snooze_until = ?3 WHERE id = ?1";

int store_conv_move(struct store *st, long long conv_id, const char *state, int64_t until,
		    time_t now, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_conv_state, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	int have, rc;
	if ((rc = step_row(st, s, &have, err)))
		return rc;
	if (!have)
		return ebb_err_set(err, EBB_ENOENT, "conversation %lld does not exist", conv_id);
	const char *old = (const char *)sqlite3_column_text(s, 0);
	int same = old && strcmp(old, state) == 0 && sqlite3_column_int64(s, 1) == until;
	long long channel_id = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	if (same)
		return EBB_OK;
	if (!(s = store_stmt(st, sql_conv_set_state, err)))
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	store_bind_text(s, 2, state);
	sqlite3_bind_int64(s, 3, until);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot change the state of a conversation");
	return store_event_add(st, now, "state", conv_id, channel_id, state, err);
}

int store_conv_set_state(struct store *st, long long id, enum conv_state state, time_t until,
			 time_t now, struct ebb_err *err)
{
	if ((unsigned)state >= STATE_COUNT)
		return ebb_err_set(err, EBB_EINVAL, "unknown conversation state %d", (int)state);
	if (state == CONV_SNOOZED && until <= now)
		return ebb_err_set(err, EBB_EINVAL,
				   "a conversation can only be snoozed until a time in the future");
	if (state == CONV_WAITING && until != 0 && until <= now)
		return ebb_err_set(err, EBB_EINVAL,
				   "the follow-up time of a waiting conversation must be in the "
				   "future");
	if (state != CONV_SNOOZED && state != CONV_WAITING && until != 0)
		return ebb_err_set(err, EBB_EINVAL,
				   "only snoozed and waiting conversations take a time, not %s",
				   state_names[state]);
	int nested;
	int rc = store_tx_begin(st, &nested, err);
	if (rc)
		return rc;
	rc = store_conv_move(st, id, state_names[state], (int64_t)until, now, err);
	if (rc) {
		store_tx_rollback(st, nested);
		return rc;
	}
	return store_tx_commit(st, nested, err);
}

static const char sql_wake_due[] =
	"SELECT id FROM conversation WHERE state IN ('snoozed', 'waiting')"
	" AND snooze_until > 0 AND snooze_until <= ?1";

static const char sql_wake_any[] =
	"SELECT EXISTS(SELECT 1 FROM conversation WHERE state IN ('snoozed', 'waiting')"
	" AND snooze_until > 0 AND snooze_until <= ?1)";

int store_wake(struct store *st, time_t now, struct ebb_err *err)
{
	/* The UI calls this on every tick: look first, so an idle tick never
	 * waits for the write lock a sync worker may hold. */
	sqlite3_stmt *s = store_stmt(st, sql_wake_any, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	int have, rc;
	if ((rc = step_row(st, s, &have, err)))
		return rc;
	int any = have && sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (!any)
		return EBB_OK;
	int nested;
	rc = store_tx_begin(st, &nested, err);
	if (rc)
		return rc;
	long long *ids = NULL;
	size_t n = 0, cap = 0;
	s = store_stmt(st, sql_wake_due, err);
	if (!s) {
		rc = err ? err->code : EBB_EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			long long *p = realloc(ids, ncap * sizeof *p);
			if (!p) {
				sqlite3_reset(s);
				rc = ebb_err_set(err, EBB_ENOMEM, "out of memory waking conversations");
				goto out;
			}
			ids = p;
			cap = ncap;
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(st, rc, err, "cannot wake conversations");
		goto out;
	}
	rc = EBB_OK;
	for (size_t i = 0; i < n && !rc; i++)
		rc = store_conv_move(st, ids[i], "inbox", 0, now, err);
out:
	free(ids);
	if (rc) {
		store_tx_rollback(st, nested);
		return rc;
	}
	return store_tx_commit(st, nested, err);
}

static const char sql_conv_exists[] = "SELECT 1 FROM conversation WHERE id = ?1";
/* pending_flags holds the whole flag set sync must push; flags always shows
 * the local truth, so the views need not look at pending_flags. */
static const char sql_mark_read[] =
	"UPDATE message SET pending_flags = flags | 1, flags = flags | 1"
	" WHERE conversation_id = ?1 AND flags & 1 = 0";
static const char sql_conv_read[] = "UPDATE conversation SET unread = 0 WHERE id = ?1";

int store_conv_mark_read(struct store *st, long long id, struct ebb_err *err)
{
	int nested;
	int rc = store_tx_begin(st, &nested, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = store_stmt(st, sql_conv_exists, err);
	if (!s) {
		rc = err ? err->code : EBB_EIO;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, id);
	int have;
	if ((rc = step_row(st, s, &have, err)))
		goto fail;
	sqlite3_reset(s);
	if (!have) {
		rc = ebb_err_set(err, EBB_ENOENT, "conversation %lld does not exist", id);
		goto fail;
	}
	const char *const steps[] = {sql_mark_read, sql_conv_read};
	for (size_t i = 0; i < 2; i++) {
		if (!(s = store_stmt(st, steps[i], err))) {
			rc = err ? err->code : EBB_EIO;
			goto fail;
		}
		sqlite3_bind_int64(s, 1, id);
		int src = sqlite3_step(s);
		sqlite3_reset(s);
		if (src != SQLITE_DONE) {
			rc = store_sql_err(st, src, err, "cannot mark a conversation read");
			goto fail;
		}
	}
	return store_tx_commit(st, nested, err);
fail:
	store_tx_rollback(st, nested);
	return rc;
}

/* ---- views ---------------------------------------------------------------
 * Every view orders by (key, id) ascending through an index, so a page
 * after (key, id) is an index seek. The SQL is assembled from constant
 * fragments at compile time; nothing from data ever reaches it. */

#define CONV_SELECT \
	"SELECT c.id, a.name, ch.name, c.subject, c.last_from, c.last_at, c.state, c.tier," \
	" c.due_at, c.snooze_until, c.needs_reply, c.unread, c.messages, "
#define CONV_FROM \
	" FROM conversation c LEFT JOIN account a ON a.id = c.account_id" \
	" LEFT JOIN channel ch ON ch.id = c.channel_id"
#define LISTED " AND c.messages > 0"

enum { PAGE_FIRST, PAGE_AFTER, PAGE_LAST, PAGE_BEFORE, PAGE_MODES };

#define VIEW_SQL(where, key)                                                                  \
	{                                                                                     \
		CONV_SELECT key CONV_FROM " WHERE " where LISTED " ORDER BY " key ", c.id"    \
					  " LIMIT ?3",                                        \
		CONV_SELECT key CONV_FROM " WHERE " where LISTED " AND (" key ", c.id) > (?1, ?2)" \
					  " ORDER BY " key ", c.id LIMIT ?3",                 \
		CONV_SELECT key CONV_FROM " WHERE " where LISTED " ORDER BY " key " DESC,"     \
					  " c.id DESC LIMIT ?3",                              \
		CONV_SELECT key CONV_FROM " WHERE " where LISTED " AND (" key ", c.id) < (?1, ?2)" \
					  " ORDER BY " key " DESC, c.id DESC LIMIT ?3",       \
	}

static const char *const view_sql[VIEW_COUNT][PAGE_MODES] = {
	[VIEW_DUE] = VIEW_SQL("c.state = 'inbox'", "c.sort_key"),
	[VIEW_ALL] = VIEW_SQL("c.state NOT IN ('done','muted')", "c.age_key"),
	[VIEW_WAITING] = VIEW_SQL("c.state = 'waiting'", "c.age_key"),
	[VIEW_LATER] = VIEW_SQL("c.state = 'later'", "c.age_key"),
	[VIEW_SNOOZED] = VIEW_SQL("c.state = 'snoozed'", "c.snooze_until"),
	[VIEW_DONE] = VIEW_SQL("c.state = 'done'", "c.age_key"),
	[VIEW_MUTED] = VIEW_SQL("c.state = 'muted'", "c.age_key"),
};

#define COUNT_SQL(where) "SELECT count(*) FROM conversation c WHERE " where LISTED
static const char *const view_count_sql[VIEW_COUNT] = {
	[VIEW_DUE] = COUNT_SQL("c.state = 'inbox'"),
	[VIEW_ALL] = COUNT_SQL("c.state NOT IN ('done','muted')"),
	[VIEW_WAITING] = COUNT_SQL("c.state = 'waiting'"),
	[VIEW_LATER] = COUNT_SQL("c.state = 'later'"),
	[VIEW_SNOOZED] = COUNT_SQL("c.state = 'snoozed'"),
	[VIEW_DONE] = COUNT_SQL("c.state = 'done'"),
	[VIEW_MUTED] = COUNT_SQL("c.state = 'muted'"),
};

/* The same, stopping after ?1 rows: the list titles' cost stays flat. */
#define COUNT_UPTO_SQL(where) \
	"SELECT count(*) FROM (SELECT 1 FROM conversation c WHERE " where LISTED " LIMIT ?1)"
static const char *const view_count_upto_sql[VIEW_COUNT] = {
	[VIEW_DUE] = COUNT_UPTO_SQL("c.state = 'inbox'"),
	[VIEW_ALL] = COUNT_UPTO_SQL("c.state NOT IN ('done','muted')"),
	[VIEW_WAITING] = COUNT_UPTO_SQL("c.state = 'waiting'"),
	[VIEW_LATER] = COUNT_UPTO_SQL("c.state = 'later'"),
	[VIEW_SNOOZED] = COUNT_UPTO_SQL("c.state = 'snoozed'"),
	[VIEW_DONE] = COUNT_UPTO_SQL("c.state = 'done'"),
	[VIEW_MUTED] = COUNT_UPTO_SQL("c.state = 'muted'"),
};

static const char sql_conv_get[] =
	CONV_SELECT "c.sort_key" CONV_FROM " WHERE c.id = ?1";

/* Tests read the query plan of this SQL. */
const char *store_view_sql(enum store_view view, int mode)
{
	if ((unsigned)view >= VIEW_COUNT || mode < 0 || mode >= PAGE_MODES)
		return NULL;
	return view_sql[view][mode];
}

void store_conv_row_clear(struct conv_row *r)
{
	if (!r)
		return;
	free(r->account);
	free(r->channel);
	free(r->subject);
	free(r->from);
	free(r->tier);
	memset(r, 0, sizeof *r);
}

void store_conv_rows_free(struct conv_row *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		store_conv_row_clear(&rows[i]);
	free(rows);
}

/* Fills r from a row of CONV_SELECT; 0 or EBB_ENOMEM. */
int store_conv_row_fill(sqlite3_stmt *s, struct conv_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	r->last_at = (time_t)sqlite3_column_int64(s, 5);
	r->due_at = (time_t)sqlite3_column_int64(s, 8);
	r->snooze_until = (time_t)sqlite3_column_int64(s, 9);
	r->needs_reply = sqlite3_column_int(s, 10);
	r->unread = sqlite3_column_int(s, 11);
	r->messages = sqlite3_column_int(s, 12);
	r->sort_key = sqlite3_column_int64(s, 13);
	enum conv_state state = CONV_INBOX;
	const char *name = (const char *)sqlite3_column_text(s, 6);
	if (name && store_state_parse(name, &state) == EBB_OK)
		r->state = state;
	if (store_col_strdup(s, 1, &r->account) || store_col_strdup(s, 2, &r->channel) ||
	    store_col_strdup(s, 3, &r->subject) || store_col_strdup(s, 4, &r->from) ||
	    store_col_strdup(s, 7, &r->tier)) {
		store_conv_row_clear(r);
		return EBB_ENOMEM;
	}
	return EBB_OK;
}

static int conv_row_fill_any(sqlite3_stmt *s, void *row)
{
	return store_conv_row_fill(s, row);
}

static void conv_rows_free_any(void *rows, size_t n)
{
	store_conv_rows_free(rows, n);
}

static const struct store_rows_kind conv_rows = {
	.row_size = sizeof(struct conv_row),
	.first_cap = 32,
	.fill = conv_row_fill_any,
	.free_rows = conv_rows_free_any,
	.sql_what = "cannot list conversations",
	.nomem_what = "out of memory listing conversations",
};

/* Steps s to the end, appending every row; s is reset afterwards. */
int store_conv_rows_collect(struct store *st, sqlite3_stmt *s, struct conv_row **rows,
			    size_t *n, struct ebb_err *err)
{
	void *out;
	int rc = store_rows_collect(st, s, &conv_rows, &out, n, err);
	if (!rc)
		*rows = out;
	return rc;
}

static int conv_list(struct store *st, enum store_view view, const struct conv_cursor *cursor,
		     int backwards, size_t limit, struct conv_row **rows, size_t *n,
		     struct ebb_err *err)
{
	*rows = NULL;
	*n = 0;
	if ((unsigned)view >= VIEW_COUNT)
		return ebb_err_set(err, EBB_EINVAL, "unknown view %d", (int)view);
	if (!limit)
		return EBB_OK;
	int mode = backwards ? (cursor ? PAGE_BEFORE : PAGE_LAST)
			     : (cursor ? PAGE_AFTER : PAGE_FIRST);
	sqlite3_stmt *s = store_stmt(st, view_sql[view][mode], err);
	if (!s)
		return err ? err->code : EBB_EIO;
	if (cursor) {
		sqlite3_bind_int64(s, 1, cursor->sort_key);
		sqlite3_bind_int64(s, 2, cursor->id);
	}
	sqlite3_bind_int64(s, 3, limit > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
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

int store_conv_list(struct store *st, enum store_view view, const struct conv_cursor *after,
		    size_t limit, struct conv_row **rows, size_t *n, struct ebb_err *err)
{
	return conv_list(st, view, after, 0, limit, rows, n, err);
}

int store_conv_list_before(struct store *st, enum store_view view,
			   const struct conv_cursor *before, size_t limit, struct conv_row **rows,
			   size_t *n, struct ebb_err *err)
{
	return conv_list(st, view, before, 1, limit, rows, n, err);
}

int store_conv_get(struct store *st, long long id, struct conv_row *row, struct ebb_err *err)
{
	memset(row, 0, sizeof *row);
	sqlite3_stmt *s = store_stmt(st, sql_conv_get, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	int have, rc;
	if ((rc = step_row(st, s, &have, err)))
		return rc;
	if (!have)
		return ebb_err_set(err, EBB_ENOENT, "conversation %lld does not exist", id);
	rc = store_conv_row_fill(s, row);
	sqlite3_reset(s);
	if (rc)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading a conversation");
	return EBB_OK;
}

size_t store_conv_count(struct store *st, enum store_view view)
{
	if ((unsigned)view >= VIEW_COUNT)
		return 0;
	sqlite3_stmt *s = store_stmt(st, view_count_sql[view], NULL);
	if (!s)
		return 0;
	return store_step_count(s);
}

size_t store_conv_count_upto(struct store *st, enum store_view view, size_t cap)
{
	if ((unsigned)view >= VIEW_COUNT)
		return 0;
	sqlite3_stmt *s = store_stmt(st, view_count_upto_sql[view], NULL);
	if (!s)
		return 0;
	sqlite3_int64 limit = cap >= (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)cap + 1;
	sqlite3_bind_int64(s, 1, limit);
	return store_step_count(s);
}
