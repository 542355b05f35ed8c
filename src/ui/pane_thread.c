/* ui/pane_thread: one conversation, message after message: From and Date
 * (all headers with h), attachments numbered across the thread, and the
 * body word-wrapped by display width with quotes and signatures folded (z). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui_internal.h"

/* Bytes of one header value and of one body kept for display. */
#define HEADER_MAX 4096
#define BODY_MAX (4u * 1024 * 1024)
/* Attachments listed per message; the rest are summed up in one line. */
#define ATT_MAX 64

struct tatt {
	char *name;       /* sanitized, for display */
	char *raw_name;   /* as stored, for the file name */
	char *type;       /* sanitized */
	size_t size;
};

/* A message as shown: header lines joined by '\n', the body, all sanitized. */
struct tmsg {
	char *head_short;  /* From, Date */
	char *head_full;   /* From, To, Cc, Date, Subject */
	char *body;        /* NULL when not fetched yet */
	char *channel;     /* remote ids, to fetch the raw message again */
	char *remote_id;
	struct tatt *att;
	size_t natt;
	size_t first_att;  /* thread-wide number of att[0], from 1 */
};

enum tline_kind { TL_TEXT, TL_HEADER, TL_QUOTE, TL_NOTE, TL_RULE, TL_BLANK, TL_FOLD, TL_ATTACH };

/* One screen line: a slice of a message's text, or a fold with a count. */
struct tline {
	const char *text;
	size_t len;
	size_t label;           /* bytes of a header line drawn bold ("From:") */
	enum tline_kind kind;
	size_t count;           /* TL_FOLD: lines hidden; TL_ATTACH: attachment number */
	int signature;          /* TL_FOLD: a signature rather than a quote */
};

struct thread {
	long long conv_id;
	char *subject;
	struct tmsg *msgs;
	size_t nmsgs;
	size_t natt;            /* attachments in the whole thread */
	struct tline *lines;
	size_t nlines, caplines;
	size_t scroll;          /* first line on screen */
	int wrap_cols;          /* width the lines were wrapped for */
	int show_quotes;
	int full_headers;
	size_t pending_att;     /* the attachment a save prompt is about */
	/* An attachment of a network account the engine is fetching: its
	 * request, and what to do with the file (save to att_dest, or open). */
	unsigned long long att_req;
	int att_open;
	size_t att_n, att_size;
	char att_name[256];
	char att_dest[4096];
	char missing[EBB_ERRLEN + 64];  /* shown where a body is not stored yet */
};

static struct thread *priv(struct pane *p)
{
	return p->priv;
}

/* Bodies come from the engine's fetch thread; the screen says how far it
 * got rather than waiting for the network. */
static void update_missing(struct pane *p)
{
	struct thread *t = priv(p);
	char error[EBB_ERRLEN];
	switch (sync_engine_fetch_state(p->ui->engine, t->conv_id, error, sizeof(error))) {
	case SYNC_FETCH_PENDING:
		util_strlcpy(t->missing, "(fetching body\xe2\x80\xa6)", sizeof(t->missing));
		break;
	case SYNC_FETCH_FAILED:
	{
		/* The sentence may quote the server. */
		char *clean = ui_clean(error, EBB_ERRLEN, 0);
		snprintf(t->missing, sizeof(t->missing), "(the body could not be fetched: %s)",
			 clean ? clean : "out of memory");
		free(clean);
		break;
	}
	default:
		util_strlcpy(t->missing, "(body not fetched yet)", sizeof(t->missing));
		break;
	}
}

static void msg_free(struct tmsg *m)
{
	free(m->head_short);
	free(m->head_full);
	free(m->body);
	free(m->channel);
	free(m->remote_id);
	for (size_t i = 0; i < m->natt; i++) {
		free(m->att[i].name);
		free(m->att[i].raw_name);
		free(m->att[i].type);
	}
	free(m->att);
	memset(m, 0, sizeof(*m));
}

static void msgs_free(struct thread *t)
{
	for (size_t i = 0; i < t->nmsgs; i++)
		msg_free(&t->msgs[i]);
	free(t->msgs);
	t->msgs = NULL;
	t->nmsgs = 0;
	t->nlines = 0;
	t->natt = 0;
}

/* Appends "Label: value\n" with the value sanitized; empty values are left out
 * unless `always`. */
static int head_add(struct sbuf *sb, const char *label, const char *value, int always)
{
	if (!always && (!value || !value[0]))
		return EBB_OK;
	char *clean = ui_clean(value, HEADER_MAX, 0);
	if (!clean)
		return EBB_ENOMEM;
	int rc = sbuf_printf(sb, "%s: %s\n", label, clean);
	free(clean);
	return rc;
}

static int build_heads(const struct ebb_config *cfg, const struct msg_row *m, struct tmsg *out)
{
	struct sbuf full = { 0 }, brief = { 0 }, from = { 0 };
	char date[64];
	int rc = EBB_OK;
	/* "Ann Example <ann@example.com>", or just the address. */
	if (m->sender_name && m->sender_name[0] && m->sender && m->sender[0] &&
	    strcmp(m->sender_name, m->sender))
		rc = sbuf_printf(&from, "%.1024s <%.1024s>", m->sender_name, m->sender);
	else
		rc = sbuf_puts(&from, m->sender && m->sender[0] ? m->sender :
				      m->sender_name ? m->sender_name : "");
	ui_format_date(m->sent_at, cfg->tz, date, sizeof(date));
	const char *f = from.buf ? from.buf : "";
	if (!rc)
		rc = head_add(&full, "From", f, 1);
	if (!rc)
		rc = head_add(&full, "To", m->recipients, 0);
	if (!rc)
		rc = head_add(&full, "Cc", m->cc, 0);
	if (!rc)
		rc = head_add(&full, "Date", date, 0);
	if (!rc)
		rc = head_add(&full, "Subject", m->subject, 1);
	if (!rc)
		rc = head_add(&brief, "From", f, 1);
	if (!rc)
		rc = head_add(&brief, "Date", date, 0);
	sbuf_free(&from);
	if (!rc) {
		out->head_full = sbuf_detach(&full);
		out->head_short = sbuf_detach(&brief);
		if (!out->head_full || !out->head_short)
			rc = EBB_ENOMEM;
	}
	sbuf_free(&full);
	sbuf_free(&brief);
	return rc ? EBB_ENOMEM : EBB_OK;
}

/* The stored list, "name\ttype\tsize\n" per attachment. */
static int parse_attachments(const char *list, struct tmsg *m)
{
	if (!list)
		return EBB_OK;
	size_t cap = 0;
	for (const char *p = list; *p && m->natt < ATT_MAX;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *tab1 = memchr(p, '\t', len);
		const char *tab2 = tab1 ? memchr(tab1 + 1, '\t', len - (size_t)(tab1 + 1 - p)) : NULL;
		if (tab1 && tab2) {
			if (m->natt == cap) {
				cap = cap ? cap * 2 : 4;
				struct tatt *a = realloc(m->att, cap * sizeof(*a));
				if (!a)
					return EBB_ENOMEM;
				m->att = a;
			}
			struct tatt *a = &m->att[m->natt];
			memset(a, 0, sizeof(*a));
			a->raw_name = util_strndup(p, (size_t)(tab1 - p));
			char *type = util_strndup(tab1 + 1, (size_t)(tab2 - tab1 - 1));
			a->name = a->raw_name ? ui_clean(a->raw_name[0] ? a->raw_name : "(no name)",
							 HEADER_MAX, 0) : NULL;
			a->type = type ? ui_clean(type, 256, 0) : NULL;
			free(type);
			a->size = (size_t)strtoull(tab2 + 1, NULL, 10);
			m->natt++;
			if (!a->raw_name || !a->name || !a->type)
				return EBB_ENOMEM;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return EBB_OK;
}

static int load_messages(struct pane *p, struct ebb_err *err)
{
	struct thread *t = priv(p);
	struct msg_row *rows;
	size_t n;
	int rc = store_msg_list(p->ui->st, t->conv_id, &rows, &n, err);
	if (rc)
		return rc;
	struct tmsg *msgs = calloc(n ? n : 1, sizeof(*msgs));
	if (!msgs) {
		store_msg_rows_free(rows, n);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading the conversation");
	}
	size_t natt = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = build_heads(p->ui->cfg, &rows[i], &msgs[i]);
		if (!rc && rows[i].body) {
			msgs[i].body = ui_clean(rows[i].body, BODY_MAX, 1);
			if (!msgs[i].body)
				rc = EBB_ENOMEM;
		}
		if (!rc) {
			msgs[i].channel = util_strdup0(rows[i].channel);
			msgs[i].remote_id = util_strdup0(rows[i].remote_id);
			if ((rows[i].channel && !msgs[i].channel) ||
			    (rows[i].remote_id && !msgs[i].remote_id))
				rc = EBB_ENOMEM;
		}
		if (!rc)
			rc = parse_attachments(rows[i].attachments, &msgs[i]);
		msgs[i].first_att = natt + 1;
		natt += msgs[i].natt;
	}
	if (!t->subject && n && !rc) {
		t->subject = ui_clean(rows[0].subject, HEADER_MAX, 0);
		if (!t->subject)
			rc = EBB_ENOMEM;
	}
	store_msg_rows_free(rows, n);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			msg_free(&msgs[i]);
		free(msgs);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading the conversation");
	}
	msgs_free(t);
	t->msgs = msgs;
	t->nmsgs = n;
	t->natt = natt;
	t->wrap_cols = 0;
	return EBB_OK;
}

/* ---- wrapping ------------------------------------------------------------ */

static int line_add(struct thread *t, const char *text, size_t len, size_t label,
		    enum tline_kind kind)
{
	if (t->nlines == t->caplines) {
		size_t cap = t->caplines ? t->caplines * 2 : 256;
		struct tline *lines = realloc(t->lines, cap * sizeof(*lines));
		if (!lines)
			return EBB_ENOMEM;
		t->lines = lines;
		t->caplines = cap;
	}
	t->lines[t->nlines++] = (struct tline){ text, len, label, kind, 0, 0 };
	return EBB_OK;
}

static int fold_add(struct thread *t, size_t hidden, int signature)
{
	if (line_add(t, "", 0, 0, TL_FOLD))
		return EBB_ENOMEM;
	t->lines[t->nlines - 1].count = hidden;
	t->lines[t->nlines - 1].signature = signature;
	return EBB_OK;
}

static int is_quoted(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] == ' ')
		i++;
	return i < len && s[i] == '>';
}

/* "-- " alone on a line starts a signature (RFC 3676); "--" too, as many
 * mailers strip the trailing space. */
static int is_sig_dash(const char *s, size_t len)
{
	return (len == 3 && !memcmp(s, "-- ", 3)) || (len == 2 && !memcmp(s, "--", 2));
}

/* Wraps one line of text into screen lines of kind. Header lines keep
 * their label (up to ": ") bold on the first screen line. */
static int wrap_line(struct thread *t, const char *p, size_t len, int cols, enum tline_kind k)
{
	size_t label = 0;
	if (k == TL_HEADER) {
		const char *colon = memchr(p, ':', len);
		label = colon ? (size_t)(colon - p) + 1 : 0;
	}
	if (len == 0)
		return line_add(t, p, 0, 0, k);
	size_t at = 0;
	while (at < len) {
		size_t next;
		size_t n = ui_wrap(p + at, len - at, cols, &next);
		if (line_add(t, p + at, n, at == 0 ? label : 0, k))
			return EBB_ENOMEM;
		at += next;
	}
	return EBB_OK;
}

static int wrap_text(struct thread *t, const char *text, int cols, enum tline_kind kind)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (wrap_line(t, p, len, cols, kind))
			return EBB_ENOMEM;
		if (!nl)
			break;
		p = nl + 1;   /* a final newline adds no empty line */
	}
	return EBB_OK;
}

/* A body: quoted runs and the signature become one fold line each unless
 * the quotes are shown. */
static int wrap_body(struct thread *t, const char *body, int cols)
{
	const char *p = body;
	size_t quoted_run = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (!t->show_quotes && is_sig_dash(p, len)) {
			size_t rest = 1;
			for (const char *q = nl; q && q[1]; q = strchr(q + 1, '\n'))
				rest++;
			if (quoted_run && fold_add(t, quoted_run, 0))
				return EBB_ENOMEM;
			return fold_add(t, rest, 1);
		}
		int quoted = is_quoted(p, len);
		if (quoted && !t->show_quotes) {
			quoted_run++;
		} else {
			if (quoted_run && fold_add(t, quoted_run, 0))
				return EBB_ENOMEM;
			quoted_run = 0;
			if (wrap_line(t, p, len, cols, quoted ? TL_QUOTE : TL_TEXT))
				return EBB_ENOMEM;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (quoted_run && fold_add(t, quoted_run, 0))
		return EBB_ENOMEM;
	return EBB_OK;
}

static int rewrap(struct pane *p)
{
	struct thread *t = priv(p);
	int cols = p->cols - 2 > 0 ? p->cols - 2 : 1;
	if (cols == t->wrap_cols && t->nlines)
		return EBB_OK;
	t->nlines = 0;
	t->wrap_cols = cols;
	for (size_t i = 0; i < t->nmsgs; i++) {
		const struct tmsg *m = &t->msgs[i];
		if (i > 0 && line_add(t, "", 0, 0, TL_RULE))
			return EBB_ENOMEM;
		if (wrap_text(t, t->full_headers ? m->head_full : m->head_short, cols, TL_HEADER))
			return EBB_ENOMEM;
		for (size_t a = 0; a < m->natt; a++) {
			if (line_add(t, "", 0, 0, TL_ATTACH))
				return EBB_ENOMEM;
			t->lines[t->nlines - 1].count = m->first_att + a;
		}
		if (line_add(t, "", 0, 0, TL_BLANK))
			return EBB_ENOMEM;
		if (m->body) {
			if (wrap_body(t, m->body, cols))
				return EBB_ENOMEM;
		} else if (line_add(t, t->missing, strlen(t->missing), 0, TL_NOTE)) {
			return EBB_ENOMEM;
		}
		if (line_add(t, "", 0, 0, TL_BLANK))
			return EBB_ENOMEM;
	}
	return EBB_OK;
}

static size_t max_scroll(const struct pane *p)
{
	const struct thread *t = p->priv;
	size_t rows = p->lines > 0 ? (size_t)p->lines : 1;
	return t->nlines > rows ? t->nlines - rows : 0;
}

static void relayout(struct pane *p)
{
	struct thread *t = priv(p);
	if (rewrap(p)) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_ENOMEM, "out of memory laying out the conversation");
		ui_show_error(p->ui, &err);
		t->nlines = 0;
	}
	if (t->scroll > max_scroll(p))
		t->scroll = max_scroll(p);
}

/* The attachment with thread-wide number n (from 1), and its message. */
static const struct tatt *find_att(const struct thread *t, size_t n, const struct tmsg **msg,
				   size_t *index)
{
	for (size_t i = 0; i < t->nmsgs; i++) {
		const struct tmsg *m = &t->msgs[i];
		if (n >= m->first_att && n < m->first_att + m->natt) {
			*msg = m;
			*index = n - m->first_att;
			return &m->att[*index];
		}
	}
	return NULL;
}

/* ---- attachments ---------------------------------------------------------- */

/* Reads attachment n out of the raw message (sync_fetch_attachment). Only
 * local stores (Maildir) are read from the screen: a network fetch would
 * block it, so those go through queue_attachment. */
static int fetch_attachment(struct pane *p, size_t n, char **data, size_t *len,
			    const struct tatt **att, struct ebb_err *err)
{
	struct thread *t = priv(p);
	const struct tmsg *m;
	size_t index;
	*att = find_att(t, n, &m, &index);
	if (!*att)
		return ebb_err_set(err, EBB_ENOENT, "There is no attachment %zu here (1-%zu)", n,
				   t->natt);
	const struct account_cfg *acc = ui_conv_account(p->ui, t->conv_id);
	if (!acc)
		return ebb_err_set(err, EBB_ENOENT,
				   "The account of this conversation is no longer in the config");
	if (strcmp(acc->kind, "maildir"))
		return ebb_err_set(err, EBB_EINVAL,
				   "Attachments of %s accounts cannot be read from the screen yet",
				   acc->kind);
	int rc = sync_fetch_attachment(acc, p->ui->st, m->channel, m->remote_id, index, data, len,
				       err);
	if (!rc && *len != (*att)->size) {
		free(*data);
		*data = NULL;
		rc = ebb_err_set(err, EBB_EIO,
				 "The message changed since it was read (attachment %zu is %zu bytes "
				 "now, was %zu); sync and try again", n, *len, (*att)->size);
	}
	return rc;
}

static void size_text(size_t size, char *out, size_t outlen)
{
	if (size < 1024)
		snprintf(out, outlen, "%zu B", size);
	else if (size < 1024 * 1024)
		snprintf(out, outlen, "%zu kB", (size + 1023) / 1024);
	else
		snprintf(out, outlen, "%.1f MB", (double)size / (1024.0 * 1024.0));
}

/* Is attachment reading left to the engine (a network account)? */
static int fetched_by_engine(struct pane *p)
{
	const struct account_cfg *acc = ui_conv_account(p->ui, priv(p)->conv_id);
	return p->ui->engine && acc && strcmp(acc->kind, "maildir");
}

/* Asks the engine's fetch thread for attachment n; collect_attachment
 * finishes the save (into dest) or the open (dest NULL) on its wake byte. */
static void queue_attachment(struct pane *p, size_t n, const char *dest)
{
	struct thread *t = priv(p);
	struct ebb_err err = { 0 };
	const struct tmsg *m;
	size_t index;
	const struct tatt *att = find_att(t, n, &m, &index);
	if (t->att_req) {
		ui_show_message(p->ui, "Still fetching attachment [%zu]\xe2\x80\xa6", t->att_n);
		return;
	}
	if (!att) {
		ebb_err_set(&err, EBB_ENOENT, "There is no attachment %zu here (1-%zu)", n, t->natt);
		ui_show_error(p->ui, &err);
		return;
	}
	if (!m->channel || !m->remote_id) {
		ebb_err_set(&err, EBB_ENOENT, "The message of this attachment is gone");
		ui_show_error(p->ui, &err);
		return;
	}
	const char *tmp = getenv("TMPDIR");
	ui_attachment_filename(att->raw_name, (int)n, t->att_name, sizeof(t->att_name));
	unsigned long long req = 0;
	int rc = sync_engine_want_attachment(p->ui->engine, t->conv_id, m->channel, m->remote_id,
					     index, t->att_name,
					     tmp && tmp[0] == '/' ? tmp : "/tmp", &req);
	if (rc == EBB_EBUSY)
		ebb_err_set(&err, rc, "Too many fetches are queued; try again in a moment");
	else if (rc)
		ebb_err_set(&err, rc, "Cannot ask for attachment %zu (%s)", n,
			    rc == EBB_ENOMEM ? "out of memory" : "bad request");
	if (rc || (dest && util_strlcpy(t->att_dest, dest, sizeof(t->att_dest)))) {
		if (!rc)
			ebb_err_set(&err, EBB_ETOOBIG, "That directory name is too long");
		ui_show_error(p->ui, &err);
		return;
	}
	t->att_req = req;
	t->att_open = dest == NULL;
	t->att_n = n;
	t->att_size = att->size;
	ui_show_message(p->ui, "Fetching attachment\xe2\x80\xa6");
}

/* Removes the engine's private copy and its directory. */
static void drop_private(const char *path)
{
	char dir[4096];
	unlink(path);
	if (!util_strlcpy(dir, path, sizeof(dir))) {
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			rmdir(dir);
		}
	}
}

/* On a wake byte: when the engine has written the requested attachment,
 * copies it to the save directory or hands it to the viewer. Only local
 * files are touched here. */
static void collect_attachment(struct pane *p)
{
	struct thread *t = priv(p);
	if (!t->att_req)
		return;
	struct ui *ui = p->ui;
	struct ebb_err err = { 0 };
	char path[4352], error[EBB_ERRLEN];
	size_t len = 0;
	enum sync_fetch_state state = sync_engine_attachment_state(ui->engine, t->att_req, path,
								   sizeof(path), &len, error,
								   sizeof(error));
	if (state == SYNC_FETCH_PENDING)
		return;
	t->att_req = 0;
	if (state == SYNC_FETCH_NONE) {
		ebb_err_set(&err, EBB_ENOENT, "The attachment fetch was forgotten; try again");
		ui_show_error(ui, &err);
		return;
	}
	if (state == SYNC_FETCH_FAILED) {
		/* The sentence may quote the server. */
		char *clean = ui_clean(error, EBB_ERRLEN, 0);
		ebb_err_set(&err, EBB_EIO, "Attachment %zu could not be fetched: %s", t->att_n,
			    clean ? clean : "out of memory");
		free(clean);
		ui_show_error(ui, &err);
		return;
	}
	int rc = EBB_OK;
	if (len != t->att_size)
		rc = ebb_err_set(&err, EBB_EIO,
				 "The message changed since it was read (attachment %zu is %zu bytes "
				 "now, was %zu); sync and try again", t->att_n, len, t->att_size);
	if (!rc && t->att_open) {
		const char *via = NULL;
		rc = ui_open_file(path, &via, &err);
		if (!rc) {
			ui_show_message(ui, "Opened with %s: %s", via, t->att_name);
			return;   /* the viewer reads it after we return */
		}
	}
	char *data = NULL;
	char saved[4096];
	if (!rc && !t->att_open)
		rc = util_read_file(path, t->att_size + 1, &data, &len, &err);
	if (!rc && !t->att_open)
		rc = util_mkdir_p(t->att_dest, 0700, &err);
	if (!rc && !t->att_open)
		rc = ui_save_bytes(t->att_dest, t->att_name, data, len, saved, sizeof(saved), &err);
	free(data);
	drop_private(path);
	if (rc) {
		ui_show_error(ui, &err);
		return;
	}
	char size[32];
	size_text(len, size, sizeof(size));
	ui_show_message(ui, "Saved %s (%s)", saved, size);
}

static void save_to(struct ui *ui, const char *dir_text, void *ctx)
{
	struct pane *p = ctx;
	struct thread *t = priv(p);
	struct ebb_err err = { 0 };
	char dir[4096];
	const char *d = dir_text + strspn(dir_text, " ");
	if (!*d) {
		ui_show_message(ui, "Cancelled");
		return;
	}
	if (d[0] == '~' && (d[1] == '/' || !d[1])) {
		const char *home = getenv("HOME");
		if (util_path(dir, sizeof(dir), "%s%s", home ? home : "", d + 1)) {
			ebb_err_set(&err, EBB_ETOOBIG, "That directory name is too long");
			ui_show_error(ui, &err);
			return;
		}
	} else if (util_strlcpy(dir, d, sizeof(dir))) {
		ebb_err_set(&err, EBB_ETOOBIG, "That directory name is too long");
		ui_show_error(ui, &err);
		return;
	}
	if (fetched_by_engine(p)) {
		queue_attachment(p, t->pending_att, dir);
		return;
	}
	char *data = NULL;
	size_t len = 0;
	const struct tatt *att;
	int rc = fetch_attachment(p, t->pending_att, &data, &len, &att, &err);
	char name[256], path[4096];
	if (!rc) {
		ui_attachment_filename(att->raw_name, (int)t->pending_att, name, sizeof(name));
		rc = util_mkdir_p(dir, 0700, &err);
	}
	if (!rc)
		rc = ui_save_bytes(dir, name, data, len, path, sizeof(path), &err);
	free(data);
	if (rc) {
		ui_show_error(ui, &err);
		return;
	}
	char size[32];
	size_text(len, size, sizeof(size));
	ui_show_message(ui, "Saved %s (%s)", path, size);
}

/* Opens a private copy with run-mailcap or xdg-open (argv, never a shell). */
static void open_attachment(struct pane *p, size_t n)
{
	struct ui *ui = p->ui;
	struct ebb_err err = { 0 };
	if (!ui_have_program("run-mailcap") && !ui_have_program("xdg-open")) {
		ebb_err_set(&err, EBB_ENOENT, "Neither run-mailcap nor xdg-open is installed: "
			    "save the attachment with S instead");
		ui_show_error(ui, &err);
		return;
	}
	if (fetched_by_engine(p)) {
		queue_attachment(p, n, NULL);
		return;
	}
	char *data = NULL;
	size_t len = 0;
	const struct tatt *att;
	int rc = fetch_attachment(p, n, &data, &len, &att, &err);
	char dir[4096], name[256], path[4096];
	const char *tmp = getenv("TMPDIR");
	if (!rc && util_path(dir, sizeof(dir), "%s/ebb-open-XXXXXX", tmp && *tmp ? tmp : "/tmp"))
		rc = ebb_err_set(&err, EBB_ETOOBIG, "$TMPDIR is too long");
	if (!rc && !mkdtemp(dir))
		rc = ebb_err_set(&err, EBB_EIO, "cannot make a private directory in %s",
				 tmp && *tmp ? tmp : "/tmp");
	if (!rc) {
		ui_attachment_filename(att->raw_name, (int)n, name, sizeof(name));
		rc = ui_save_bytes(dir, name, data, len, path, sizeof(path), &err);
	}
	free(data);
	const char *via = NULL;
	if (!rc)
		rc = ui_open_file(path, &via, &err);
	if (rc) {
		ui_show_error(ui, &err);
		return;
	}
	ui_show_message(ui, "Opened with %s: %s", via, name);
}

/* "3" of "Save attachment (1-3): " -> the number, 0 when it is not one. */
static size_t read_number(const char *text, size_t max)
{
	char *end;
	text += strspn(text, " ");
	unsigned long v = strtoul(text, &end, 10);
	end += strspn(end, " ");
	if (end == text || *end || v < 1 || v > max)
		return 0;
	return (size_t)v;
}

static void ask_save_dir(struct pane *p, size_t n)
{
	struct thread *t = priv(p);
	t->pending_att = n;
	char dir[4096], label[64];
	if (ui_download_dir(dir, sizeof(dir)))
		dir[0] = '\0';
	snprintf(label, sizeof(label), "Save [%zu] to directory: ", n);
	ui_prompt(p->ui, label, dir, save_to, p);
}

static void save_number(struct ui *ui, const char *text, void *ctx)
{
	struct pane *p = ctx;
	size_t n = read_number(text, priv(p)->natt);
	if (!n) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_EINVAL, "No attachment \"%.20s\" (1-%zu)", text,
			    priv(p)->natt);
		ui_show_error(ui, &err);
		return;
	}
	ask_save_dir(p, n);
}

static void open_number(struct ui *ui, const char *text, void *ctx)
{
	struct pane *p = ctx;
	size_t n = read_number(text, priv(p)->natt);
	if (!n) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_EINVAL, "No attachment \"%.20s\" (1-%zu)", text,
			    priv(p)->natt);
		ui_show_error(ui, &err);
		return;
	}
	open_attachment(p, n);
}

static void attachment_action(struct pane *p, int save)
{
	struct thread *t = priv(p);
	if (t->natt == 0) {
		ui_show_message(p->ui, "This conversation has no attachments");
		return;
	}
	if (t->natt == 1) {
		if (save)
			ask_save_dir(p, 1);
		else
			open_attachment(p, 1);
		return;
	}
	char label[64];
	snprintf(label, sizeof(label), "%s attachment (1-%zu): ", save ? "Save" : "Open", t->natt);
	ui_prompt(p->ui, label, "", save ? save_number : open_number, p);
}

/* ---- pane ops -------------------------------------------------------------- */

static int thread_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	struct thread *t = calloc(1, sizeof(*t));
	if (!t)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the conversation");
	t->conv_id = *(const long long *)arg;
	p->priv = t;

	struct conv_row conv;
	if (store_conv_get(p->ui->st, t->conv_id, &conv, NULL) == EBB_OK) {
		t->subject = ui_clean(conv.subject, HEADER_MAX, 0);
		store_conv_row_clear(&conv);
	}
	/* Asked on every open: it fetches missing bodies and, in a chat room
	 * with older history, one more page of it. */
	if (p->ui->engine)
		sync_engine_want_bodies(p->ui->engine, t->conv_id);
	update_missing(p);
	int rc = load_messages(p, err);
	if (rc) {
		free(t->subject);
		free(t);
		p->priv = NULL;
		return rc;
	}
	struct ebb_err rerr = { 0 };
	if (store_conv_mark_read(p->ui->st, t->conv_id, &rerr))
		ui_show_error(p->ui, &rerr);
	return EBB_OK;
}

static void thread_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	relayout(p);
}

static void thread_reload(struct pane *p)
{
	struct ebb_err err = { 0 };
	update_missing(p);
	if (load_messages(p, &err))
		ui_show_error(p->ui, &err);
	relayout(p);
	collect_attachment(p);
}

static void thread_close(struct pane *p)
{
	struct thread *t = priv(p);
	msgs_free(t);
	free(t->lines);
	free(t->subject);
	free(t);
}

static void thread_title(struct pane *p, char *out, size_t outlen)
{
	struct thread *t = priv(p);
	const char *subject = t->subject && t->subject[0] ? t->subject : "(no subject)";
	if (t->nmsgs > 1)
		snprintf(out, outlen, "%s (%zu messages)", subject, t->nmsgs);
	else
		snprintf(out, outlen, "%s", subject);
}

static void draw_line(struct pane *p, const struct tline *l, int y)
{
	struct ui *ui = p->ui;
	struct thread *t = priv(p);
	int cols = p->cols - 2 > 0 ? p->cols - 2 : p->cols;
	int x = p->cols - 2 > 0 ? 1 : 0;
	char buf[UI_LINE_MAX];
	size_t len = l->len < sizeof(buf) - 1 ? l->len : sizeof(buf) - 1;
	memcpy(buf, l->text, len);
	buf[len] = '\0';
	switch (l->kind) {
	case TL_RULE: {
		/* U+2500 as text: ACS line drawing shows up as "qqq" in captures. */
		char rule[UI_LINE_MAX];
		size_t used = 0;
		for (int i = 0; i < cols && used + 4 <= sizeof(rule); i++) {
			memcpy(rule + used, "\xE2\x94\x80", 3);
			used += 3;
		}
		rule[used] = '\0';
		ui_put(y, x, cols, rule, ui_attr(ui, UI_C_DIM));
		break;
	}
	case TL_BLANK:
		break;
	case TL_HEADER: {
		size_t label = l->label <= len ? l->label : 0;
		char value[UI_LINE_MAX];
		memcpy(value, buf + label, len - label + 1);
		buf[label] = '\0';
		int used = ui_put(y, x, cols, buf, ui_attr(ui, UI_C_HEADER));
		ui_put(y, x + used, cols - used, value, A_NORMAL);
		break;
	}
	case TL_FOLD: {
		char key[16], text[128];
		keymap_keys_of(&ui->keys, ACT_TOGGLE_QUOTES, 1, key, sizeof(key));
		if (l->signature)
			snprintf(text, sizeof(text), "[\xE2\x80\xA6 signature, %zu line%s \xE2\x80\x94 %s shows]",
				 l->count, l->count == 1 ? "" : "s", key);
		else
			snprintf(text, sizeof(text), "[\xE2\x80\xA6 %zu quoted line%s \xE2\x80\x94 %s shows]",
				 l->count, l->count == 1 ? "" : "s", key);
		ui_put(y, x, cols, text, ui_attr(ui, UI_C_QUOTE));
		break;
	}
	case TL_ATTACH: {
		const struct tmsg *m;
		size_t index;
		const struct tatt *a = find_att(t, l->count, &m, &index);
		if (!a)
			break;
		char size[32], text[UI_LINE_MAX];
		size_text(a->size, size, sizeof(size));
		snprintf(text, sizeof(text), "[%zu] %.1000s %.200s %s", l->count, a->name, a->type,
			 size);
		ui_put(y, x, cols, text, ui_attr(ui, UI_C_HEADER));
		break;
	}
	case TL_QUOTE:
		ui_put(y, x, cols, buf, ui_attr(ui, UI_C_QUOTE));
		break;
	case TL_NOTE:
		ui_put(y, x, cols, buf, ui_attr(ui, UI_C_DIM));
		break;
	default:
		ui_put(y, x, cols, buf, A_NORMAL);
		break;
	}
}

static void thread_draw(struct pane *p)
{
	struct thread *t = priv(p);
	for (int i = 0; i < p->lines; i++) {
		size_t idx = t->scroll + (size_t)i;
		if (idx >= t->nlines)
			break;
		draw_line(p, &t->lines[idx], p->top + i);
	}
}

static void scroll_by(struct pane *p, long delta)
{
	struct thread *t = priv(p);
	long target = (long)t->scroll + delta;
	long max = (long)max_scroll(p);
	if (target > max)
		target = max;
	if (target < 0)
		target = 0;
	t->scroll = (size_t)target;
}

/* Re-lays the text out after a fold changed, keeping the top message in view. */
static void refold(struct pane *p)
{
	struct thread *t = priv(p);
	t->wrap_cols = 0;
	t->scroll = 0;
	relayout(p);
}

static int thread_action(struct pane *p, enum ui_action a)
{
	struct thread *t = priv(p);
	long page = p->lines > 1 ? p->lines - 1 : 1;
	switch (a) {
	case ACT_MOVE_DOWN:
		scroll_by(p, 1);
		return 1;
	case ACT_MOVE_UP:
		scroll_by(p, -1);
		return 1;
	case ACT_PAGE_DOWN:
		scroll_by(p, page);
		return 1;
	case ACT_PAGE_UP:
		scroll_by(p, -page);
		return 1;
	case ACT_FIRST:
		t->scroll = 0;
		return 1;
	case ACT_LAST:
		t->scroll = max_scroll(p);
		return 1;
	case ACT_OPEN:
		return 1;   /* already open */
	case ACT_TOGGLE_QUOTES:
		t->show_quotes = !t->show_quotes;
		refold(p);
		ui_show_message(p->ui, t->show_quotes ? "Quotes and signatures shown"
						      : "Quotes and signatures folded");
		return 1;
	case ACT_TOGGLE_HEADERS:
		t->full_headers = !t->full_headers;
		refold(p);
		return 1;
	case ACT_SAVE_ATTACHMENT:
		attachment_action(p, 1);
		return 1;
	case ACT_OPEN_ATTACHMENT:
		attachment_action(p, 0);
		return 1;
	case ACT_REPLY:
	case ACT_REPLY_ALL:
		ui_compose_start(p->ui, a == ACT_REPLY ? COMPOSE_REPLY : COMPOSE_REPLY_ALL,
				 t->conv_id);
		return 1;
	case ACT_ROUNDUP:
		ui_compose_roundup(p->ui, t->conv_id);
		return 1;
	case ACT_DONE:
	case ACT_SNOOZE:
	case ACT_WAITING:
	case ACT_LATER:
	case ACT_MUTE:
	case ACT_TO_INBOX: {
		/* The conversation leaves the list: back to it once done. */
		long long id = t->conv_id;
		ui_triage_action(p->ui, a, &id, 1, 1);   /* may free p */
		return 1;
	}
	case ACT_NEEDS_REPLY: {
		long long id = t->conv_id;
		ui_triage_action(p->ui, a, &id, 1, 0);
		return 1;
	}
	default:
		return 0;
	}
}

static void thread_hints(struct pane *p, char *out, size_t outlen)
{
	struct ui *ui = p->ui;
	char reply[16], done[16], help[16], back[16];
	keymap_keys_of(&ui->keys, ACT_REPLY, 1, reply, sizeof(reply));
	keymap_keys_of(&ui->keys, ACT_DONE, 1, done, sizeof(done));
	keymap_keys_of(&ui->keys, ACT_HELP, 1, help, sizeof(help));
	keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
	snprintf(out, outlen, "%s:reply %s:done %s:help %s:back", reply, done, help, back);
}

const struct pane_ops pane_thread_ops = {
	.name = "thread",
	.scope = SCOPE_THREAD,
	.init = thread_init,
	.layout = thread_layout,
	.draw = thread_draw,
	.handle_action = thread_action,
	.title = thread_title,
	.reload = thread_reload,
	.close = thread_close,
	.hints = thread_hints,
};

long long pane_thread_conv(const struct pane *p)
{
	const struct thread *t = p->priv;
	return t ? t->conv_id : 0;
}
