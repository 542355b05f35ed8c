/* store/batch: the sync batch — building it (batch_* helpers) and writing it
 * in one transaction: channels, threaded messages, flags, removals, due times. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define SUBJECT_WINDOW (30 * 86400)   /* subject threading reaches back this far */
#define MAX_THREAD_REFS 64            /* References beyond this (newest kept) are ignored */
#define MAX_REF_LEN 998               /* an RFC 5322 line; longer ids are junk */
#define NORM_SUBJECT_MAX 256

/* ---- building a batch ------------------------------------------------------ */

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return EBB_OK;
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap < *cap || ncap > SIZE_MAX / size)
		return EBB_ENOMEM;
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return EBB_ENOMEM;
	*arr = p;
	*cap = ncap;
	return EBB_OK;
}

/* Copies src into *dst; NULL stays NULL. Returns 0 or EBB_ENOMEM. */
static int copy_str(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return EBB_OK;
	*dst = strdup(src);
	return *dst ? EBB_OK : EBB_ENOMEM;
}

static void channel_free(struct batch_channel *c)
{
	free(c->remote_id);
	free(c->name);
	free(c->tier);
	free(c->cursor);
}

static void msg_free(struct batch_msg *m)
{
	char **fields[] = {&m->channel, &m->remote_id, &m->msgid, &m->in_reply_to, &m->refs,
			   &m->thread_hint, &m->sender, &m->sender_name, &m->recipients, &m->cc,
			   &m->subject, &m->body, &m->attachments, &m->list_id};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		free(*fields[i]);
}

int batch_add_channel(struct store_batch *b, const struct batch_channel *c)
{
	if (grow((void **)&b->channels, &b->capchannels, b->nchannels, sizeof *b->channels))
		return EBB_ENOMEM;
	struct batch_channel *d = &b->channels[b->nchannels];
	*d = *c;
	d->remote_id = d->name = d->tier = d->cursor = NULL;
	if (copy_str(&d->remote_id, c->remote_id) || copy_str(&d->name, c->name) ||
	    copy_str(&d->tier, c->tier) || copy_str(&d->cursor, c->cursor)) {
		channel_free(d);
		return EBB_ENOMEM;
	}
	b->nchannels++;
	return EBB_OK;
}

int batch_add_msg(struct store_batch *b, const struct batch_msg *m)
{
	if (grow((void **)&b->msgs, &b->capmsgs, b->nmsgs, sizeof *b->msgs))
		return EBB_ENOMEM;
	struct batch_msg *d = &b->msgs[b->nmsgs];
	memset(d, 0, sizeof *d);
	d->flags = m->flags;
	d->sent_at = m->sent_at;
	d->size = m->size;
	d->from_me = m->from_me;
	d->to_me = m->to_me;
	if (copy_str(&d->channel, m->channel) || copy_str(&d->remote_id, m->remote_id) ||
	    copy_str(&d->msgid, m->msgid) || copy_str(&d->in_reply_to, m->in_reply_to) ||
	    copy_str(&d->refs, m->refs) || copy_str(&d->thread_hint, m->thread_hint) ||
	    copy_str(&d->sender, m->sender) || copy_str(&d->sender_name, m->sender_name) ||
	    copy_str(&d->recipients, m->recipients) || copy_str(&d->cc, m->cc) ||
	    copy_str(&d->subject, m->subject) || copy_str(&d->body, m->body) ||
	    copy_str(&d->attachments, m->attachments) || copy_str(&d->list_id, m->list_id)) {
		msg_free(d);
		return EBB_ENOMEM;
	}
	b->nmsgs++;
	return EBB_OK;
}

int batch_add_flag(struct store_batch *b, const char *channel, const char *remote_id,
		   unsigned flags)
{
	if (grow((void **)&b->flag_changes, &b->capflags, b->nflags, sizeof *b->flag_changes))
		return EBB_ENOMEM;
	struct batch_flag *d = &b->flag_changes[b->nflags];
	d->flags = flags;
	if (copy_str(&d->channel, channel) || copy_str(&d->remote_id, remote_id)) {
		free(d->channel);
		free(d->remote_id);
		return EBB_ENOMEM;
	}
	b->nflags++;
	return EBB_OK;
}

int batch_add_removal(struct store_batch *b, const char *channel, const char *remote_id)
{
	if (grow((void **)&b->removals, &b->capremovals, b->nremovals, sizeof *b->removals))
		return EBB_ENOMEM;
	struct batch_removal *d = &b->removals[b->nremovals];
	if (copy_str(&d->channel, channel) || copy_str(&d->remote_id, remote_id)) {
		free(d->channel);
		free(d->remote_id);
		return EBB_ENOMEM;
	}
	b->nremovals++;
	return EBB_OK;
}

struct batch_channel *batch_channel_find(struct store_batch *b, const char *remote_id)
{
	for (size_t i = 0; remote_id && i < b->nchannels; i++)
		if (b->channels[i].remote_id && strcmp(b->channels[i].remote_id, remote_id) == 0)
			return &b->channels[i];
	return NULL;
}

void batch_reset(struct store_batch *b)
{
	for (size_t i = 0; i < b->nchannels; i++)
		channel_free(&b->channels[i]);
	for (size_t i = 0; i < b->nmsgs; i++)
		msg_free(&b->msgs[i]);
	for (size_t i = 0; i < b->nflags; i++) {
		free(b->flag_changes[i].channel);
		free(b->flag_changes[i].remote_id);
	}
	for (size_t i = 0; i < b->nremovals; i++) {
		free(b->removals[i].channel);
		free(b->removals[i].remote_id);
	}
	b->nchannels = b->nmsgs = b->nflags = b->nremovals = 0;
	/* progress_* describe the whole pull, not one batch: they stay. */
	b->more = 0;
}

void batch_free(struct store_batch *b)
{
	if (!b)
		return;
	batch_reset(b);
	free(b->channels);
	free(b->msgs);
	free(b->flag_changes);
	free(b->removals);
	memset(b, 0, sizeof *b);
}

/* ---- subjects ------------------------------------------------------------- */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Reply and forward markers in the languages mail clients commonly write. */
static int is_reply_word(const char *p, size_t n)
{
	static const char *const words[] = {"re", "fwd", "fw", "aw", "sv", "wg"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (util_strncaseeq(p, n, words[i]))
			return 1;
	return 0;
}

/* Length of one "Re:", "RE[2]:", "Re :" or "[list]" prefix at p, 0 if none. */
static size_t subject_prefix(const char *p)
{
	if (*p == '[') {
		const char *close = memchr(p, ']', strnlen(p, 64));
		return close ? (size_t)(close - p) + 1 : 0;
	}
	size_t n = 0;
	while (is_alpha(p[n]) && n < 8)
		n++;
	if (!n || !is_reply_word(p, n))
		return 0;
	size_t i = n;
	if (p[i] == '[' || p[i] == '(') {
		char close = p[i] == '[' ? ']' : ')';
		i++;
		while (p[i] >= '0' && p[i] <= '9' && i < n + 8)
			i++;
		if (p[i] != close)
			return 0;
		i++;
	}
	while (p[i] == ' ')
		i++;
	return p[i] == ':' ? i + 1 : 0;
}

void store_norm_subject(const char *subject, char *out, size_t outlen)
{
	if (!outlen)
		return;
	const char *p = subject ? subject : "";
	for (;;) {
		while (is_space(*p))
			p++;
		size_t skip = subject_prefix(p);
		if (!skip)
			break;
		p += skip;
	}
	size_t len = 0;
	int pending_space = 0;
	for (; *p && len + 1 < outlen; p++) {
		if (is_space(*p)) {
			pending_space = 1;
			continue;
		}
		if (pending_space && len) {
			if (len + 2 >= outlen)
				break;
			out[len++] = ' ';
		}
		pending_space = 0;
		out[len++] = lower(*p);
	}
	/* Cut at a character boundary, not inside a UTF-8 sequence. */
	if (*p && len) {
		size_t end = len;
		while (end && ((unsigned char)out[end - 1] & 0xC0) == 0x80)
			end--;
		if (end && (unsigned char)out[end - 1] >= 0xC0)
			end--;
		if (end)
			len = end;
	}
	out[len] = '\0';
}

/* ---- applying a batch ----------------------------------------------------- */

struct touched {
	long long conv_id;
	int reopen;   /* a new message from someone else arrived */
};

struct apply {
	struct store *st;
	long long account_id;
	time_t now;
	struct touched *touched;
	size_t ntouched, captouched;
	/* The channel looked up last: batches come grouped by channel. */
	char *chan_remote;
	long long chan_id;
	int chan_muted;
	struct batch_result res;
};

static int touch(struct apply *a, long long conv_id, int reopen, struct ebb_err *err)
{
	if (grow((void **)&a->touched, &a->captouched, a->ntouched, sizeof *a->touched))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory storing a batch");
	a->touched[a->ntouched].conv_id = conv_id;
	a->touched[a->ntouched].reopen = reopen;
	a->ntouched++;
	return EBB_OK;
}

static int touched_cmp(const void *x, const void *y)
{
	const struct touched *a = x, *b = y;
	return (a->conv_id > b->conv_id) - (a->conv_id < b->conv_id);
}

static int step_done(struct store *st, sqlite3_stmt *s, struct ebb_err *err, const char *what)
{
	int rc = sqlite3_step(s);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? EBB_OK : store_sql_err(st, rc, err, what);
}

static const char sql_channel_update[] =
	"UPDATE channel SET tier = coalesce(?2, tier), cursor = coalesce(?3, cursor),"
	" uidvalidity = CASE WHEN ?4 != 0 THEN ?4 ELSE uidvalidity END WHERE id = ?1";
static const char sql_channel_convs[] =
	"SELECT DISTINCT conversation_id FROM message WHERE channel_id = ?1";
static const char sql_channel_forget[] = "DELETE FROM message WHERE channel_id = ?1";
static const char sql_channel_lookup[] =
	"SELECT id, muted FROM channel WHERE account_id = ?1 AND remote_id = ?2";
static const char sql_channel_create[] =
	"INSERT INTO channel(account_id, remote_id, name) VALUES(?1, ?2, ?2)";

static int apply_channel(struct apply *a, const struct batch_channel *c, struct ebb_err *err)
{
	struct store *st = a->st;
	if (!c->remote_id || !c->remote_id[0])
		return ebb_err_set(err, EBB_EINVAL, "the batch names a channel without an id");
	long long id;
	int rc = store_channel_ensure(st, a->account_id, c->remote_id, c->name, c->is_direct, &id,
				      err);
	if (rc)
		return rc;
	sqlite3_stmt *s;
	if (c->reset) {
		/* The server renumbered the mailbox: forget its messages, keep the
		 * conversations (and their triage state) for the refetch to find. */
		if (!(s = store_stmt(st, sql_channel_convs, err)))
			return err ? err->code : EBB_EIO;
		sqlite3_bind_int64(s, 1, id);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (touch(a, sqlite3_column_int64(s, 0), 0, err)) {
				sqlite3_reset(s);
				return EBB_ENOMEM;
			}
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store_sql_err(st, rc, err, "cannot reset a channel");
		if (!(s = store_stmt(st, sql_channel_forget, err)))
			return err ? err->code : EBB_EIO;
		sqlite3_bind_int64(s, 1, id);
		if ((rc = step_done(st, s, err, "cannot reset a channel")))
			return rc;
	}
	if (!(s = store_stmt(st, sql_channel_update, err)))
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, c->tier);
	store_bind_text(s, 3, c->cursor);
	sqlite3_bind_int64(s, 4, c->uidvalidity);
	return step_done(st, s, err, "cannot store a channel's cursor");
}

/* Finds the channel of a message, creating it when create is set. *id is 0
 * when it does not exist and create is not set. */
static int channel_id(struct apply *a, const char *remote, int create, long long *id, int *muted,
		      struct ebb_err *err)
{
	struct store *st = a->st;
	if (a->chan_remote && strcmp(a->chan_remote, remote) == 0) {
		*id = a->chan_id;
		*muted = a->chan_muted;
		return EBB_OK;
	}
	*id = 0;
	*muted = 0;
	sqlite3_stmt *s = store_stmt(st, sql_channel_lookup, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, a->account_id);
	store_bind_text(s, 2, remote);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*muted = sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, "cannot look up a channel");
	if (!*id) {
		if (!create)
			return EBB_OK;
		if (!(s = store_stmt(st, sql_channel_create, err)))
			return err ? err->code : EBB_EIO;
		sqlite3_bind_int64(s, 1, a->account_id);
		store_bind_text(s, 2, remote);
		if ((rc = step_done(st, s, err, "cannot store a channel")))
			return rc;
		*id = sqlite3_last_insert_rowid(st->db);
	}
	char *copy = strdup(remote);
	if (!copy)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory storing a batch");
	free(a->chan_remote);
	a->chan_remote = copy;
	a->chan_id = *id;
	a->chan_muted = *muted;
	return EBB_OK;
}

/* ---- threading ------------------------------------------------------------ */

static const char sql_ref_lookup[] =
	"SELECT conversation_id, seen FROM thread_ref WHERE account_id = ?1 AND ref = ?2";
static const char sql_ref_seen[] =
	"INSERT INTO thread_ref(account_id, ref, conversation_id, seen) VALUES(?1, ?2, ?3, 1)"
	" ON CONFLICT(account_id, ref) DO UPDATE SET seen = 1";
static const char sql_ref_mention[] =
	"INSERT INTO thread_ref(account_id, ref, conversation_id, seen) VALUES(?1, ?2, ?3, 0)"
	" ON CONFLICT(account_id, ref) DO NOTHING";
static const char sql_conv_by_key[] =
	"SELECT id FROM conversation WHERE account_id = ?1 AND thread_key = ?2";
static const char sql_conv_by_subject[] =
	"SELECT id FROM conversation WHERE account_id = ?1 AND norm_subject = ?2"
	" AND last_at >= ?3 AND substr(thread_key, 1, 2) != 't:'"
	" ORDER BY last_at DESC LIMIT 1";
static const char sql_conv_create[] =
	"INSERT INTO conversation(account_id, thread_key, state, subject, norm_subject, last_at)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_conv_seen_at[] =
	"UPDATE conversation SET last_at = max(last_at, ?2) WHERE id = ?1";

/* A message id as the thread index keys it: without the angle brackets a
 * careless provider may have left. Returns its length, 0 for none or junk. */
static size_t ref_token(const char *s, size_t len, const char **start)
{
	if (len && s[0] == '<') {
		s++;
		len--;
	}
	if (len && s[len - 1] == '>')
		len--;
	*start = s;
	return len > MAX_REF_LEN ? 0 : len;
}

/* Looks id up in the thread index: *conv 0 when unknown. */
static int ref_lookup(struct apply *a, const char *id, size_t len, long long *conv, int *seen,
		      struct ebb_err *err)
{
	*conv = 0;
	*seen = 0;
	const char *tok;
	len = ref_token(id, len, &tok);
	if (!len)
		return EBB_OK;
	sqlite3_stmt *s = store_stmt(a->st, sql_ref_lookup, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, a->account_id);
	sqlite3_bind_text(s, 2, tok, (int)len, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*conv = sqlite3_column_int64(s, 0);
		*seen = sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_err(a->st, rc, err, "cannot thread a message");
	return EBB_OK;
}

static int ref_record(struct apply *a, const char *sql, const char *id, size_t len,
		      long long conv, struct ebb_err *err)
{
	const char *tok;
	len = ref_token(id, len, &tok);
	if (!len)
		return EBB_OK;
	sqlite3_stmt *s = store_stmt(a->st, sql, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, a->account_id);
	sqlite3_bind_text(s, 2, tok, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, conv);
	return step_done(a->st, s, err, "cannot thread a message");
}

/* Calls fn for In-Reply-To and then References newest first, at most
 * MAX_THREAD_REFS ids; stops when fn returns non-zero or sets *stop. */
typedef int (*parent_fn)(struct apply *a, const char *id, size_t len, void *ctx, int *stop,
			 struct ebb_err *err);

static int each_parent(struct apply *a, const struct batch_msg *m, parent_fn fn, void *ctx,
		       struct ebb_err *err)
{
	int stop = 0, rc;
	size_t seen = 0;
	if (m->in_reply_to && m->in_reply_to[0]) {
		const char *p = m->in_reply_to;
		while (is_space(*p))
			p++;
		size_t n = 0;
		while (p[n] && !is_space(p[n]))
			n++;
		if (n && (rc = fn(a, p, n, ctx, &stop, err)))
			return rc;
		seen++;
	}
	if (stop || !m->refs)
		return EBB_OK;
	const char *end = m->refs + strlen(m->refs);
	while (end > m->refs && seen < MAX_THREAD_REFS && !stop) {
		while (end > m->refs && is_space(end[-1]))
			end--;
		const char *start = end;
		while (start > m->refs && !is_space(start[-1]))
			start--;
		if (start < end) {
			if ((rc = fn(a, start, (size_t)(end - start), ctx, &stop, err)))
				return rc;
			seen++;
		}
		end = start;
	}
	return EBB_OK;
}

static int find_parent(struct apply *a, const char *id, size_t len, void *ctx, int *stop,
		       struct ebb_err *err)
{
	long long *conv = ctx;
	int seen;
	int rc = ref_lookup(a, id, len, conv, &seen, err);
	if (!rc && *conv)
		*stop = 1;
	return rc;
}

static int mention_parent(struct apply *a, const char *id, size_t len, void *ctx, int *stop,
			  struct ebb_err *err)
{
	(void)stop;
	return ref_record(a, sql_ref_mention, id, len, *(long long *)ctx, err);
}

static int conv_by_key(struct apply *a, const char *key, long long *conv, struct ebb_err *err)
{
	*conv = 0;
	sqlite3_stmt *s = store_stmt(a->st, sql_conv_by_key, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, a->account_id);
	store_bind_text(s, 2, key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*conv = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_err(a->st, rc, err, "cannot thread a message");
	return EBB_OK;
}

/* Finds the conversation with that thread key or starts it. */
static int conv_for_key(struct apply *a, const char *key, const struct batch_msg *m, int muted,
			const char *norm, long long *conv, struct ebb_err *err)
{
	int rc = conv_by_key(a, key, conv, err);
	if (rc || *conv)
		return rc;
	sqlite3_stmt *s = store_stmt(a->st, sql_conv_create, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, a->account_id);
	store_bind_text(s, 2, key);
	store_bind_text(s, 3, muted ? "muted" : "inbox");
	store_bind_text(s, 4, m->subject ? m->subject : "");
	store_bind_text(s, 5, norm);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)m->sent_at);
	if ((rc = step_done(a->st, s, err, "cannot start a conversation")))
		return rc;
	*conv = sqlite3_last_insert_rowid(a->st->db);
	return EBB_OK;
}

/* Chooses the conversation of a new message. *arrival is 0 when the
 * message is a copy of one stored before (another folder, or a refetch). */
static int thread_message(struct apply *a, const struct batch_msg *m, long long chan,
			  int muted, long long *conv, int *arrival, struct ebb_err *err)
{
	struct sbuf key = {0};
	char norm[NORM_SUBJECT_MAX];
	store_norm_subject(m->subject, norm, sizeof norm);
	*conv = 0;
	*arrival = 1;
	int rc = EBB_OK, seen = 0;
	size_t idlen = m->msgid ? strlen(m->msgid) : 0;
	if (idlen && (rc = ref_lookup(a, m->msgid, idlen, conv, &seen, err)))
		return rc;
	if (*conv && seen)
		*arrival = 0;

	if (m->thread_hint && m->thread_hint[0]) {
		/* Chat: the platform's thread id decides alone. */
		if (sbuf_puts(&key, "t:") || sbuf_puts(&key, m->thread_hint))
			goto nomem;
		rc = conv_for_key(a, key.buf, m, muted, norm, conv, err);
		goto out;
	}
	if (*conv)   /* a copy, or the parent of a reply that came first */
		goto out;
	if ((rc = each_parent(a, m, find_parent, conv, err)) || *conv)
		goto out;
	if (norm[0]) {
		sqlite3_stmt *s = store_stmt(a->st, sql_conv_by_subject, err);
		if (!s) {
			rc = err ? err->code : EBB_EIO;
			goto out;
		}
		sqlite3_bind_int64(s, 1, a->account_id);
		store_bind_text(s, 2, norm);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)m->sent_at - SUBJECT_WINDOW);
		int src = sqlite3_step(s);
		if (src == SQLITE_ROW)
			*conv = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (src != SQLITE_ROW && src != SQLITE_DONE) {
			rc = store_sql_err(a->st, src, err, "cannot thread a message");
			goto out;
		}
		if (*conv)
			goto out;
	}
	if (idlen) {
		const char *tok;
		size_t n = ref_token(m->msgid, idlen, &tok);
		if (n && (sbuf_puts(&key, "m:") || sbuf_append(&key, tok, n)))
			goto nomem;
	}
	if (!key.len && sbuf_printf(&key, "r:%lld:%s", chan, m->remote_id))
		goto nomem;
	rc = conv_for_key(a, key.buf, m, muted, norm, conv, err);
out:
	sbuf_free(&key);
	return rc;
nomem:
	sbuf_free(&key);
	return ebb_err_set(err, EBB_ENOMEM, "out of memory threading a message");
}

static const char sql_msg_find[] =
	"SELECT id, conversation_id, flags, pending_flags IS NOT NULL, body IS NULL FROM message"
	" WHERE channel_id = ?1 AND remote_id = ?2";
static const char sql_msg_flags[] = "UPDATE message SET flags = ?2 WHERE id = ?1";
static const char sql_msg_body[] =
	"UPDATE message SET body = ?2, attachments = ?3 WHERE id = ?1";
static const char sql_msg_insert[] =
	"INSERT INTO message(channel_id, remote_id, conversation_id, msgid, in_reply_to, refs,"
	" thread_hint, sender, sender_name, recipients, cc, subject, sent_at, flags, size, body,"
	" attachments, from_me, to_me, list_id)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	" ?19, ?20)"
	/* Cannot conflict after the lookup above; kept so a race can only
	 * update flags, never duplicate a message. */
	" ON CONFLICT(channel_id, remote_id) DO UPDATE SET flags = excluded.flags"
	" WHERE pending_flags IS NULL";

/* A message already stored: only its flags (unless a local change waits to
 * be pushed) and a body fetched since may change. */
static int update_message(struct apply *a, sqlite3_stmt *found, const struct batch_msg *m,
			  struct ebb_err *err)
{
	long long id = sqlite3_column_int64(found, 0);
	long long conv = sqlite3_column_int64(found, 1);
	unsigned flags = (unsigned)sqlite3_column_int64(found, 2);
	int pending = sqlite3_column_int(found, 3);
	int no_body = sqlite3_column_int(found, 4);
	sqlite3_reset(found);
	int changed = 0, rc;
	sqlite3_stmt *s;
	if (!pending && flags != m->flags) {
		if (!(s = store_stmt(a->st, sql_msg_flags, err)))
			return err ? err->code : EBB_EIO;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, m->flags);
		if ((rc = step_done(a->st, s, err, "cannot update a message")))
			return rc;
		changed = 1;
	}
	if (no_body && m->body) {
		if (!(s = store_stmt(a->st, sql_msg_body, err)))
			return err ? err->code : EBB_EIO;
		sqlite3_bind_int64(s, 1, id);
		store_bind_text(s, 2, m->body);
		store_bind_text(s, 3, m->attachments);
		if ((rc = step_done(a->st, s, err, "cannot update a message")))
			return rc;
		changed = 1;
	}
	if (!changed)
		return EBB_OK;
	a->res.updated++;
	return touch(a, conv, 0, err);
}

static int insert_message(struct apply *a, const struct batch_msg *m, long long chan, int muted,
			  struct ebb_err *err)
{
	long long conv;
	int arrival;
	int rc = thread_message(a, m, chan, muted, &conv, &arrival, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = store_stmt(a->st, sql_msg_insert, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, chan);
	store_bind_text(s, 2, m->remote_id);
	sqlite3_bind_int64(s, 3, conv);
	store_bind_text(s, 4, m->msgid && m->msgid[0] ? m->msgid : NULL);
	store_bind_text(s, 5, m->in_reply_to);
	store_bind_text(s, 6, m->refs);
	store_bind_text(s, 7, m->thread_hint);
	store_bind_text(s, 8, m->sender);
	store_bind_text(s, 9, m->sender_name);
	store_bind_text(s, 10, m->recipients);
	store_bind_text(s, 11, m->cc);
	store_bind_text(s, 12, m->subject);
	sqlite3_bind_int64(s, 13, (sqlite3_int64)m->sent_at);
	sqlite3_bind_int64(s, 14, m->flags);
	sqlite3_bind_int64(s, 15, m->size);
	store_bind_text(s, 16, m->body);
	store_bind_text(s, 17, m->attachments);
	sqlite3_bind_int(s, 18, m->from_me ? 1 : 0);
	sqlite3_bind_int(s, 19, m->to_me ? 1 : 0);
	store_bind_text(s, 20, m->list_id && m->list_id[0] ? m->list_id : NULL);
	if ((rc = step_done(a->st, s, err, "cannot store a message")))
		return rc;
	a->res.inserted++;
	if (m->msgid && m->msgid[0] &&
	    (rc = ref_record(a, sql_ref_seen, m->msgid, strlen(m->msgid), conv, err)))
		return rc;
	if ((rc = each_parent(a, m, mention_parent, &conv, err)))
		return rc;
	/* Later messages of this batch may thread by subject against it. */
	if (!(s = store_stmt(a->st, sql_conv_seen_at, err)))
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, conv);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)m->sent_at);
	if ((rc = step_done(a->st, s, err, "cannot store a message")))
		return rc;
	if (arrival && (rc = store_event_add(a->st, m->sent_at, m->from_me ? "reply" : "arrival",
					     conv, chan, m->sender, err)))
		return rc;
	return touch(a, conv, arrival && !m->from_me, err);
}

static int apply_message(struct apply *a, const struct batch_msg *m, struct ebb_err *err)
{
	if (!m->channel || !m->channel[0] || !m->remote_id || !m->remote_id[0])
		return ebb_err_set(err, EBB_EINVAL,
				   "the batch holds a message without a channel or remote id");
	long long chan;
	int muted;
	int rc = channel_id(a, m->channel, 1, &chan, &muted, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = store_stmt(a->st, sql_msg_find, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, chan);
	store_bind_text(s, 2, m->remote_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return update_message(a, s, m, err);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(a->st, rc, err, "cannot look up a message");
	return insert_message(a, m, chan, muted, err);
}

static const char sql_flag_change[] =
	"UPDATE message SET flags = ?3 WHERE channel_id = ?1 AND remote_id = ?2"
	" AND pending_flags IS NULL AND flags != ?3 RETURNING conversation_id";
static const char sql_removal[] =
	"DELETE FROM message WHERE channel_id = ?1 AND remote_id = ?2 RETURNING conversation_id";

/* A flag change or a removal: one statement that names the conversation it
 * touched, if any. */
static int apply_change(struct apply *a, const char *sql, const char *channel,
			const char *remote_id, const unsigned *flags, size_t *count,
			struct ebb_err *err)
{
	if (!channel || !remote_id)
		return ebb_err_set(err, EBB_EINVAL,
				   "the batch holds a change without a channel or remote id");
	long long chan;
	int muted;
	int rc = channel_id(a, channel, 0, &chan, &muted, err);
	if (rc || !chan)
		return rc;
	sqlite3_stmt *s = store_stmt(a->st, sql, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, chan);
	store_bind_text(s, 2, remote_id);
	if (flags)
		sqlite3_bind_int64(s, 3, *flags);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? EBB_OK : store_sql_err(a->st, rc, err,
								  "cannot apply a change");
	}
	long long conv = sqlite3_column_int64(s, 0);
	if ((rc = step_done(a->st, s, err, "cannot apply a change")))
		return rc;
	if (!conv)
		return EBB_OK;
	(*count)++;
	return touch(a, conv, 0, err);
}

static const char sql_conv_state_of[] = "SELECT state FROM conversation WHERE id = ?1";

/* A new message from someone else brings a done or waiting conversation
 * back to the inbox; snoozed, later and muted ones stay where they are. */
static int maybe_reopen(struct apply *a, long long conv, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(a->st, sql_conv_state_of, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, conv);
	int rc = sqlite3_step(s);
	int reopen = 0;
	if (rc == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 0);
		reopen = state && (strcmp(state, "done") == 0 || strcmp(state, "waiting") == 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_err(a->st, rc, err, "cannot read a conversation");
	if (!reopen)
		return EBB_OK;
	return store_conv_move(a->st, conv, "inbox", 0, a->now, err);
}

static const char sql_msg_max_id[] = "SELECT coalesce(max(id), 0) FROM message";
static const char sql_fts_index_new[] =
	"INSERT INTO message_fts(rowid, subject, sender, body)"
	" SELECT id, subject, coalesce(sender_name, '') || ' ' || coalesce(sender, ''), body"
	" FROM message WHERE id > ?1";

/* The largest message id now; every row inserted after this call gets a
 * larger one (ids are max + 1: nothing here nears 2^63). */
static int max_message_id(struct apply *a, long long *id, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(a->st, sql_msg_max_id, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	int rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? EBB_OK : store_sql_err(a->st, rc, err, "cannot read messages");
}

/* Puts the messages inserted since max_message_id returned mark into the
 * full-text index in one statement (see migration 3 for why not a trigger).
 * It must run before anything in the batch may delete one of them: the
 * delete trigger removes rows from the index and expects them there. */
static int index_new_messages(struct apply *a, long long mark, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(a->st, sql_fts_index_new, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, mark);
	return step_done(a->st, s, err, "cannot index new messages for search");
}

static int apply_all(struct apply *a, const struct store_batch *b, store_due_fn due,
		     void *due_ctx, struct ebb_err *err)
{
	int rc;
	for (size_t i = 0; i < b->nchannels; i++)
		if ((rc = apply_channel(a, &b->channels[i], err)))
			return rc;
	long long fts_mark = 0;
	if (b->nmsgs && (rc = max_message_id(a, &fts_mark, err)))
		return rc;
	for (size_t i = 0; i < b->nmsgs; i++)
		if ((rc = apply_message(a, &b->msgs[i], err)))
			return rc;
	if (a->res.inserted && (rc = index_new_messages(a, fts_mark, err)))
		return rc;
	for (size_t i = 0; i < b->nflags; i++) {
		const struct batch_flag *f = &b->flag_changes[i];
		if ((rc = apply_change(a, sql_flag_change, f->channel, f->remote_id, &f->flags,
				       &a->res.updated, err)))
			return rc;
	}
	for (size_t i = 0; i < b->nremovals; i++) {
		const struct batch_removal *r = &b->removals[i];
		if ((rc = apply_change(a, sql_removal, r->channel, r->remote_id, NULL,
				       &a->res.removed, err)))
			return rc;
	}
	if (a->ntouched)
		qsort(a->touched, a->ntouched, sizeof *a->touched, touched_cmp);
	for (size_t i = 0; i < a->ntouched;) {
		long long conv = a->touched[i].conv_id;
		int reopen = 0;
		for (; i < a->ntouched && a->touched[i].conv_id == conv; i++)
			reopen |= a->touched[i].reopen;
		if (reopen && (rc = maybe_reopen(a, conv, err)))
			return rc;
		if ((rc = store_conv_refresh(a->st, conv, due, due_ctx, err)))
			return rc;
		a->res.conversations++;
	}
	return EBB_OK;
}

int store_apply_batch(struct store *st, long long account_id, const struct store_batch *b,
		      store_due_fn due, void *due_ctx, struct batch_result *res,
		      struct ebb_err *err)
{
	if (res)
		memset(res, 0, sizeof *res);
	if (!st || !b)
		return ebb_err_set(err, EBB_EINVAL, "store_apply_batch: no store or batch");
	struct apply a = {.st = st, .account_id = account_id, .now = ebb_now()};
	int nested;
	int rc = store_tx_begin(st, &nested, err);
	if (rc)
		return rc;
	rc = apply_all(&a, b, due, due_ctx, err);
	if (!rc)
		rc = store_tx_commit(st, nested, err);
	else
		store_tx_rollback(st, nested);
	if (!rc && res)
		*res = a.res;
	free(a.touched);
	free(a.chan_remote);
	return rc;
}

static const char sql_account_convs[] = "SELECT id FROM conversation WHERE account_id = ?1";

int store_recompute_due(struct store *st, long long account_id, store_due_fn due, void *ctx,
			struct ebb_err *err)
{
	struct apply a = {.st = st, .account_id = account_id};
	int nested;
	int rc = store_tx_begin(st, &nested, err);
	if (rc)
		return rc;
	sqlite3_stmt *s = store_stmt(st, sql_account_convs, err);
	if (!s) {
		rc = err ? err->code : EBB_EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, account_id);
	int src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = touch(&a, sqlite3_column_int64(s, 0), 0, err)))
			break;
	}
	sqlite3_reset(s);
	if (!rc && src != SQLITE_DONE)
		rc = store_sql_err(st, src, err, "cannot list conversations");
	for (size_t i = 0; !rc && i < a.ntouched; i++)
		rc = store_conv_refresh(st, a.touched[i].conv_id, due, ctx, err);
out:
	free(a.touched);
	if (rc) {
		store_tx_rollback(st, nested);
		return rc;
	}
	return store_tx_commit(st, nested, err);
}
