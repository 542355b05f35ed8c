/* ui/pane_thread: one conversation, message after message: a header block
 * and the body, word-wrapped by display width, quoted lines dimmed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

/* Bytes of one header value and of one body kept for display. */
#define HEADER_MAX 4096
#define BODY_MAX (4u * 1024 * 1024)

/* A message as shown: header lines joined by '\n', the body, all sanitized. */
struct tmsg {
	char *head;
	char *body;   /* NULL when not fetched yet */
};

enum tline_kind { TL_TEXT, TL_HEADER, TL_QUOTE, TL_NOTE, TL_RULE, TL_BLANK };

/* One screen line: a slice of a message's text. */
struct tline {
	const char *text;
	size_t len;
	size_t label;           /* bytes of a header line drawn bold ("From:") */
	enum tline_kind kind;
};

struct thread {
	long long conv_id;
	char *subject;
	struct tmsg *msgs;
	size_t nmsgs;
	struct tline *lines;
	size_t nlines, caplines;
	size_t scroll;          /* first line on screen */
	int wrap_cols;          /* width the lines were wrapped for */
};

static const char NOT_FETCHED[] = "(body not fetched yet)";

static struct thread *priv(struct pane *p)
{
	return p->priv;
}

static void msgs_free(struct thread *t)
{
	for (size_t i = 0; i < t->nmsgs; i++) {
		free(t->msgs[i].head);
		free(t->msgs[i].body);
	}
	free(t->msgs);
	t->msgs = NULL;
	t->nmsgs = 0;
	t->nlines = 0;
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

static int build_head(const struct ebb_config *cfg, const struct msg_row *m, char **out)
{
	struct sbuf sb = { 0 };
	struct sbuf from = { 0 };
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
	if (!rc)
		rc = head_add(&sb, "From", from.buf ? from.buf : "", 1);
	if (!rc)
		rc = head_add(&sb, "To", m->recipients, 0);
	if (!rc)
		rc = head_add(&sb, "Cc", m->cc, 0);
	if (!rc)
		rc = head_add(&sb, "Date", date, 0);
	if (!rc)
		rc = head_add(&sb, "Subject", m->subject, 1);
	sbuf_free(&from);
	if (rc) {
		sbuf_free(&sb);
		return EBB_ENOMEM;
	}
	*out = sbuf_detach(&sb);
	return *out ? EBB_OK : EBB_ENOMEM;
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
	for (size_t i = 0; i < n && !rc; i++) {
		rc = build_head(p->ui->cfg, &rows[i], &msgs[i].head);
		if (!rc && rows[i].body) {
			msgs[i].body = ui_clean(rows[i].body, BODY_MAX, 1);
			if (!msgs[i].body)
				rc = EBB_ENOMEM;
		}
	}
	if (!t->subject && n && !rc) {
		t->subject = ui_clean(rows[0].subject, HEADER_MAX, 0);
		if (!t->subject)
			rc = EBB_ENOMEM;
	}
	store_msg_rows_free(rows, n);
	if (rc) {
		for (size_t i = 0; i < n; i++) {
			free(msgs[i].head);
			free(msgs[i].body);
		}
		free(msgs);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading the conversation");
	}
	msgs_free(t);
	t->msgs = msgs;
	t->nmsgs = n;
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
	t->lines[t->nlines++] = (struct tline){ text, len, label, kind };
	return EBB_OK;
}

static int is_quoted(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] == ' ')
		i++;
	return i < len && s[i] == '>';
}

/* Wraps each '\n'-separated line of text into screen lines of kind. Header
 * lines keep their label (up to ": ") bold on the first screen line. */
static int wrap_text(struct thread *t, const char *text, int cols, enum tline_kind kind)
{
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		enum tline_kind k = kind;
		if (kind == TL_TEXT && is_quoted(p, len))
			k = TL_QUOTE;
		size_t label = 0;
		if (kind == TL_HEADER) {
			const char *colon = memchr(p, ':', len);
			label = colon ? (size_t)(colon - p) + 1 : 0;
		}
		if (len == 0 && line_add(t, p, 0, 0, k))
			return EBB_ENOMEM;
		size_t at = 0;
		while (at < len) {
			size_t next;
			size_t n = ui_wrap(p + at, len - at, cols, &next);
			if (line_add(t, p + at, n, at == 0 ? label : 0, k))
				return EBB_ENOMEM;
			at += next;
		}
		if (!nl)
			return EBB_OK;
		p = nl + 1;
		if (!*p)
			return EBB_OK;   /* a final newline adds no empty line */
	}
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
		if (wrap_text(t, m->head, cols, TL_HEADER) || line_add(t, "", 0, 0, TL_BLANK))
			return EBB_ENOMEM;
		if (m->body) {
			if (wrap_text(t, m->body, cols, TL_TEXT))
				return EBB_ENOMEM;
		} else if (line_add(t, NOT_FETCHED, strlen(NOT_FETCHED), 0, TL_NOTE)) {
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
	if (load_messages(p, &err))
		ui_show_error(p->ui, &err);
	relayout(p);
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
	default:
		return 0;
	}
}

const struct pane_ops pane_thread_ops = {
	.name = "thread",
	.init = thread_init,
	.layout = thread_layout,
	.draw = thread_draw,
	.handle_action = thread_action,
	.title = thread_title,
	.reload = thread_reload,
	.close = thread_close,
};
