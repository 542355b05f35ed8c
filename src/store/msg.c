/* store/msg: the messages of a conversation, bodies fetched later, and the
 * local flag changes that wait to be pushed to the server. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* A mail kept in two folders is shown once: the copy stored first. */
static const char sql_msg_list[] =
	"SELECT m.id, m.channel_id, ch.remote_id, m.remote_id, m.msgid, m.in_reply_to, m.refs,"
	" m.sender, m.sender_name, m.recipients, m.cc, m.subject, m.sent_at, m.flags, m.size,"
	" m.body, m.attachments, m.from_me"
	" FROM message m JOIN channel ch ON ch.id = m.channel_id"
	" WHERE m.conversation_id = ?1 AND (m.msgid IS NULL OR NOT EXISTS(SELECT 1 FROM message d"
	"  WHERE d.msgid = m.msgid AND d.conversation_id = ?1 AND d.id < m.id))"
	" ORDER BY m.sent_at, m.id";

static void msg_row_clear(struct msg_row *r)
{
	char *fields[] = {r->channel, r->remote_id, r->msgid, r->in_reply_to, r->refs,
			  r->sender, r->sender_name, r->recipients, r->cc, r->subject,
			  r->body, r->attachments};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		free(fields[i]);
	memset(r, 0, sizeof *r);
}

void store_msg_rows_free(struct msg_row *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		msg_row_clear(&rows[i]);
	free(rows);
}

static int msg_row_fill(sqlite3_stmt *s, void *row)
{
	struct msg_row *r = row;
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	r->channel_id = sqlite3_column_int64(s, 1);
	r->sent_at = (time_t)sqlite3_column_int64(s, 12);
	r->flags = (unsigned)sqlite3_column_int64(s, 13);
	r->size = sqlite3_column_int64(s, 14);
	r->from_me = sqlite3_column_int(s, 17);
	char **text[] = {&r->channel, &r->remote_id, &r->msgid, &r->in_reply_to, &r->refs,
			 &r->sender, &r->sender_name, &r->recipients, &r->cc, &r->subject};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
		if (store_col_strdup(s, (int)i + 2, text[i]))
			goto nomem;
	}
	if (store_col_strdup(s, 15, &r->body) || store_col_strdup(s, 16, &r->attachments))
		goto nomem;
	return EBB_OK;
nomem:
	msg_row_clear(r);
	return EBB_ENOMEM;
}

static void msg_rows_free_any(void *rows, size_t n)
{
	store_msg_rows_free(rows, n);
}

static const struct store_rows_kind msg_rows = {
	.row_size = sizeof(struct msg_row),
	.first_cap = 16,
	.fill = msg_row_fill,
	.free_rows = msg_rows_free_any,
	.sql_what = "cannot list messages",
	.nomem_what = "out of memory listing messages",
};

int store_msg_list(struct store *st, long long conv_id, struct msg_row **rows, size_t *n,
		   struct ebb_err *err)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_msg_list, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	void *out;
	int rc = store_rows_collect(st, s, &msg_rows, &out, n, err);
	if (!rc)
		*rows = out;
	return rc;
}

static const char sql_set_body[] = "UPDATE message SET body = ?2, attachments = ?3 WHERE id = ?1";

int store_msg_set_body(struct store *st, long long msg_id, const char *body,
		       const char *attachments, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_set_body, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, msg_id);
	store_bind_text(s, 2, body);
	store_bind_text(s, 3, attachments);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot store a message body");
	if (!sqlite3_changes(st->db))
		return ebb_err_set(err, EBB_ENOENT, "message %lld does not exist", msg_id);
	return EBB_OK;
}

static const char sql_pending[] =
	"SELECT ch.remote_id, m.remote_id, m.pending_flags FROM channel ch"
	" JOIN message m ON m.channel_id = ch.id AND m.pending_flags IS NOT NULL"
	" WHERE ch.account_id = ?1 ORDER BY ch.id, m.id";

void store_flags_free(struct batch_flag *f, size_t n)
{
	if (!f)
		return;
	for (size_t i = 0; i < n; i++) {
		free(f[i].channel);
		free(f[i].remote_id);
	}
	free(f);
}

int store_pending_flags(struct store *st, long long account_id, struct batch_flag **out,
			size_t *n, struct ebb_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_pending, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, account_id);
	struct batch_flag *list = NULL;
	size_t count = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct batch_flag *p = realloc(list, ncap * sizeof *p);
			if (!p)
				goto nomem;
			list = p;
			cap = ncap;
		}
		struct batch_flag *f = &list[count];
		memset(f, 0, sizeof *f);
		count++;
		f->flags = (unsigned)sqlite3_column_int64(s, 2);
		if (store_col_strdup(s, 0, &f->channel) || store_col_strdup(s, 1, &f->remote_id))
			goto nomem;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_flags_free(list, count);
		return store_sql_err(st, rc, err, "cannot list pending flag changes");
	}
	*out = list;
	*n = count;
	return EBB_OK;
nomem:
	sqlite3_reset(s);
	store_flags_free(list, count);
	return ebb_err_set(err, EBB_ENOMEM, "out of memory listing pending flag changes");
}

/* Only a change still equal to what was pushed is cleared: one made while
 * the push was under way stays pending for the next round. */
static const char sql_pending_clear[] =
	"UPDATE message SET pending_flags = NULL WHERE pending_flags = ?4 AND remote_id = ?3"
	" AND channel_id = (SELECT id FROM channel WHERE account_id = ?1 AND remote_id = ?2)";

int store_pending_flags_clear(struct store *st, long long account_id,
			      const struct batch_flag *done, size_t n, struct ebb_err *err)
{
	int nested;
	int rc = store_tx_begin(st, &nested, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!done[i].channel || !done[i].remote_id)
			continue;
		sqlite3_stmt *s = store_stmt(st, sql_pending_clear, err);
		if (!s) {
			store_tx_rollback(st, nested);
			return err ? err->code : EBB_EIO;
		}
		sqlite3_bind_int64(s, 1, account_id);
		store_bind_text(s, 2, done[i].channel);
		store_bind_text(s, 3, done[i].remote_id);
		sqlite3_bind_int64(s, 4, done[i].flags);
		int src = sqlite3_step(s);
		sqlite3_reset(s);
		if (src != SQLITE_DONE) {
			store_tx_rollback(st, nested);
			return store_sql_err(st, src, err, "cannot clear pushed flag changes");
		}
	}
	return store_tx_commit(st, nested, err);
}
