/* ui/pane_inbox: the conversation lists — the views (Due, All, Waiting,
 * Later, Snoozed, Done, Muted), one channel, search results — holding only a
 * window of rows around the screen, paged by keyset cursors; marks and
 * triage keys act on the rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "ui_internal.h"

/* One conversation as the list shows it; from and subject are sanitized. */
struct inbox_row {
	long long id;
	struct conv_cursor cursor;
	char *from;
	char *subject;
	char *tier;          /* raw tier name, only looked up in the config */
	time_t last_at;
	time_t due_at;
	time_t snooze_until;   /* snoozed: back then; waiting: the follow-up */
	enum conv_state state;
	int needs_reply;
	int unread;
	int messages;
};

/* Search results: at most this many, all held (there is no cursor). */
#define SEARCH_LIMIT UI_SEARCH_PAGE
/* List titles count this far and then say "999+": an exact count reads
 * every row of the view (100 ms and more at a million messages) and the
 * title is counted again on every reload; 999 rows cost a tenth of a ms. */
#define COUNT_CAP 999

struct inbox {
	enum inbox_mode mode;
	enum store_view view;
	long long channel_id;
	char *channel_name;       /* sanitized, for the title */
	char *query;              /* the search as typed */
	long long *marks;         /* marked conversation ids */
	size_t nmarks, capmarks;
	struct inbox_row *rows;   /* a window of the view, in display order */
	size_t n, cap;
	size_t top;               /* index of the first row on screen */
	size_t sel;               /* index of the selected row */
	int at_start;             /* rows[0] is the first row of the view */
	int at_end;               /* rows[n - 1] is the last row of the view */
	size_t count;             /* rows in the whole view, for the title */
};

/* Longest subject or name kept; the rest would never fit on a screen. */
#define FIELD_MAX 1024

static struct inbox *priv(struct pane *p)
{
	return p->priv;
}

/* Rows on screen, at least 1 so paging always moves. */
static size_t page_rows(const struct pane *p)
{
	return p->lines > 0 ? (size_t)p->lines : 1;
}

static void row_clear(struct inbox_row *r)
{
	free(r->from);
	free(r->subject);
	free(r->tier);
	memset(r, 0, sizeof(*r));
}

static void rows_clear(struct inbox *in)
{
	for (size_t i = 0; i < in->n; i++)
		row_clear(&in->rows[i]);
	in->n = 0;
	in->top = 0;
	in->sel = 0;
}

static int row_from_store(const struct conv_row *c, struct inbox_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = c->id;
	r->cursor.sort_key = c->sort_key;
	r->cursor.id = c->id;
	r->last_at = c->last_at;
	r->due_at = c->due_at;
	r->snooze_until = c->snooze_until;
	r->state = c->state;
	r->needs_reply = c->needs_reply;
	r->unread = c->unread;
	r->messages = c->messages;
	r->from = ui_clean(c->from, FIELD_MAX, 0);
	r->subject = ui_clean(c->subject && c->subject[0] ? c->subject : "(no subject)", FIELD_MAX, 0);
	r->tier = c->tier ? util_strdup0(c->tier) : NULL;
	if (!r->from || !r->subject || (c->tier && !r->tier)) {
		row_clear(r);
		return EBB_ENOMEM;
	}
	return EBB_OK;
}

/* Inserts store rows at index `at` of the window. */
static int insert_rows(struct inbox *in, size_t at, const struct conv_row *src, size_t n,
		       struct ebb_err *err)
{
	if (n == 0)
		return EBB_OK;
	if (in->n + n > in->cap) {
		size_t cap = in->cap ? in->cap : 64;
		while (cap < in->n + n)
			cap *= 2;
		struct inbox_row *rows = realloc(in->rows, cap * sizeof(*rows));
		if (!rows)
			return ebb_err_set(err, EBB_ENOMEM, "out of memory listing conversations");
		in->rows = rows;
		in->cap = cap;
	}
	struct inbox_row *tmp = calloc(n, sizeof(*tmp));
	if (!tmp)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory listing conversations");
	for (size_t i = 0; i < n; i++) {
		if (row_from_store(&src[i], &tmp[i])) {
			for (size_t j = 0; j < i; j++)
				row_clear(&tmp[j]);
			free(tmp);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory listing conversations");
		}
	}
	memmove(in->rows + at + n, in->rows + at, (in->n - at) * sizeof(*in->rows));
	memcpy(in->rows + at, tmp, n * sizeof(*tmp));
	in->n += n;
	free(tmp);
	return EBB_OK;
}

static void drop_front(struct inbox *in, size_t k)
{
	for (size_t i = 0; i < k; i++)
		row_clear(&in->rows[i]);
	memmove(in->rows, in->rows + k, (in->n - k) * sizeof(*in->rows));
	in->n -= k;
	in->top -= k;
	in->sel -= k;
	in->at_start = 0;
}

static void drop_back(struct inbox *in, size_t keep)
{
	for (size_t i = keep; i < in->n; i++)
		row_clear(&in->rows[i]);
	in->n = keep;
	in->at_end = 0;
}

/* The search results, all at once. */
static int search_rows(struct pane *p, struct conv_row **rows, size_t *n, struct ebb_err *err)
{
	struct inbox *in = priv(p);
	struct ui_search_query q;
	int rc = ui_search_parse(p->ui->cfg, in->query, p->ui->now, &q, err);
	if (rc)
		return rc;
	struct store_search_query sq = { .fts = q.fts, .to = q.to, .channel = q.channel,
					 .after = q.after, .before = q.before };
	rc = store_search_filtered(p->ui->st, &sq, SEARCH_LIMIT, rows, n, err);
	ui_search_query_free(&q);
	return rc;
}

/* One page of whatever the pane lists: after (or before, when backwards)
 * the cursor, or the first (last) page when cursor is NULL. */
static int list_page(struct pane *p, const struct conv_cursor *cursor, int backwards,
		     size_t limit, struct conv_row **rows, size_t *n, struct ebb_err *err)
{
	struct inbox *in = priv(p);
	*rows = NULL;
	*n = 0;
	switch (in->mode) {
	case INBOX_CHANNEL:
		return store_conv_list_channel(p->ui->st, in->channel_id, cursor, backwards, limit,
					       rows, n, err);
	case INBOX_SEARCH:
		/* Search results are all fetched by the first call; paging past them
		 * finds nothing. */
		return cursor ? EBB_OK : search_rows(p, rows, n, err);
	default:
		if (backwards)
			return store_conv_list_before(p->ui->st, in->view, cursor, limit, rows, n,
						      err);
		return store_conv_list(p->ui->st, in->view, cursor, limit, rows, n, err);
	}
}

static size_t list_count(struct pane *p, size_t held)
{
	struct inbox *in = priv(p);
	switch (in->mode) {
	case INBOX_CHANNEL:
		return store_conv_count_channel_upto(p->ui->st, in->channel_id, COUNT_CAP);
	case INBOX_SEARCH:
		return held;
	default:
		return store_conv_count_upto(p->ui->st, in->view, COUNT_CAP);
	}
}

/* Appends the page after the last row. */
static int fetch_after(struct pane *p, struct ebb_err *err)
{
	struct inbox *in = priv(p);
	size_t limit = page_rows(p);
	struct conv_row *rows;
	size_t n;
	const struct conv_cursor *after = in->n ? &in->rows[in->n - 1].cursor : NULL;
	int rc = list_page(p, after, 0, limit, &rows, &n, err);
	if (rc)
		return rc;
	rc = insert_rows(in, in->n, rows, n, err);
	store_conv_rows_free(rows, n);
	if (rc)
		return rc;
	if (n < limit)
		in->at_end = 1;
	if (!after)
		in->at_start = 1;
	return EBB_OK;
}

/* Prepends the page before the first row; *added says how many came. */
static int fetch_before(struct pane *p, size_t *added, struct ebb_err *err)
{
	struct inbox *in = priv(p);
	size_t limit = page_rows(p);
	struct conv_row *rows;
	size_t n;
	*added = 0;
	if (in->n == 0)
		return EBB_OK;
	int rc = list_page(p, &in->rows[0].cursor, 1, limit, &rows, &n, err);
	if (rc)
		return rc;
	rc = insert_rows(in, 0, rows, n, err);
	store_conv_rows_free(rows, n);
	if (rc)
		return rc;
	in->top += n;
	in->sel += n;
	*added = n;
	if (n < limit)
		in->at_start = 1;
	return EBB_OK;
}

/* Fetches a page ahead on either side of the screen when less than that is
 * held, and drops rows more than two pages away: at most five pages held. */
static void fill_and_trim(struct pane *p)
{
	struct inbox *in = priv(p);
	size_t page = page_rows(p);
	struct ebb_err err = { 0 };
	size_t added;
	if (!in->at_end && in->n - in->top < 2 * page && fetch_after(p, &err))
		ui_show_error(p->ui, &err);
	if (!in->at_start && in->top < page && fetch_before(p, &added, &err))
		ui_show_error(p->ui, &err);
	if (in->mode == INBOX_SEARCH)
		return;   /* results cannot be fetched again page by page */
	if (in->top > 2 * page)
		drop_front(in, in->top - page);
	if (in->n > in->top + 3 * page)
		drop_back(in, in->top + 3 * page);
}

static void keep_selection_visible(struct pane *p)
{
	struct inbox *in = priv(p);
	size_t page = page_rows(p);
	if (in->n == 0) {
		in->top = in->sel = 0;
		return;
	}
	if (in->sel >= in->n)
		in->sel = in->n - 1;
	if (in->sel < in->top)
		in->top = in->sel;
	if (in->sel >= in->top + page)
		in->top = in->sel - page + 1;
}

static void load_first(struct pane *p)
{
	struct inbox *in = priv(p);
	struct ebb_err err = { 0 };
	rows_clear(in);
	in->at_start = 1;
	in->at_end = 0;
	if (fetch_after(p, &err))
		ui_show_error(p->ui, &err);
	in->count = list_count(p, in->n);
	fill_and_trim(p);
}

static void load_last(struct pane *p)
{
	struct inbox *in = priv(p);
	struct ebb_err err = { 0 };
	size_t limit = page_rows(p);
	struct conv_row *rows;
	size_t n;
	rows_clear(in);
	in->at_end = 1;
	in->at_start = 0;
	if (list_page(p, NULL, 1, limit, &rows, &n, &err)) {
		ui_show_error(p->ui, &err);
		return;
	}
	if (insert_rows(in, 0, rows, n, &err))
		ui_show_error(p->ui, &err);
	store_conv_rows_free(rows, n);
	if (n < limit)
		in->at_start = 1;
	in->sel = in->n ? in->n - 1 : 0;
	in->top = in->n > limit ? in->n - limit : 0;
	fill_and_trim(p);
}

/* Moves the selection, paging in rows across the window's edges. */
static void move_selection(struct pane *p, long delta)
{
	struct inbox *in = priv(p);
	struct ebb_err err = { 0 };
	long target = (long)in->sel + delta;
	while (target >= (long)in->n && !in->at_end) {
		size_t before = in->n;
		if (fetch_after(p, &err)) {
			ui_show_error(p->ui, &err);
			break;
		}
		if (in->n == before)
			in->at_end = 1;
	}
	while (target < 0 && !in->at_start) {
		size_t added;
		if (fetch_before(p, &added, &err)) {
			ui_show_error(p->ui, &err);
			break;
		}
		if (added == 0)
			in->at_start = 1;
		target += (long)added;
	}
	if (in->n == 0)
		return;
	if (target < 0)
		target = 0;
	if (target >= (long)in->n)
		target = (long)in->n - 1;
	in->sel = (size_t)target;
	keep_selection_visible(p);
	fill_and_trim(p);
}

/* Re-reads the window after the store changed, starting at the row that was
 * on top of the screen and keeping the same conversation selected. */
static void inbox_reload(struct pane *p)
{
	struct inbox *in = priv(p);
	if (in->n == 0 || (in->at_start && in->top == 0) || in->mode == INBOX_SEARCH) {
		long long sel_id = in->n ? in->rows[in->sel].id : 0;
		size_t sel_off = in->sel - in->top;
		load_first(p);
		for (size_t i = 0; i < in->n; i++) {
			if (in->rows[i].id == sel_id) {
				in->sel = i;
				keep_selection_visible(p);
				return;
			}
		}
		in->sel = sel_off;
		keep_selection_visible(p);
		return;
	}
	struct ebb_err err = { 0 };
	size_t page = page_rows(p);
	long long sel_id = in->rows[in->sel].id;
	size_t sel_off = in->sel - in->top;
	struct conv_cursor anchor = in->rows[in->top].cursor;
	struct conv_row *before = NULL, *after = NULL;
	size_t nbefore = 0, nafter = 0;
	if (list_page(p, &anchor, 1, page, &before, &nbefore, &err)) {
		ui_show_error(p->ui, &err);
		return;
	}
	const struct conv_cursor *from = NULL;
	struct conv_cursor last_before;
	if (nbefore) {
		last_before.sort_key = before[nbefore - 1].sort_key;
		last_before.id = before[nbefore - 1].id;
		from = &last_before;
	}
	if (list_page(p, from, 0, 2 * page, &after, &nafter, &err)) {
		ui_show_error(p->ui, &err);
		store_conv_rows_free(before, nbefore);
		return;
	}
	rows_clear(in);
	in->count = list_count(p, 0);
	in->at_start = nbefore < page;
	in->at_end = nafter < 2 * page;
	if (insert_rows(in, 0, before, nbefore, &err) || insert_rows(in, in->n, after, nafter, &err)) {
		ui_show_error(p->ui, &err);
		rows_clear(in);
		in->at_start = in->at_end = 0;
	}
	store_conv_rows_free(before, nbefore);
	store_conv_rows_free(after, nafter);
	in->top = in->n ? (nbefore < in->n ? nbefore : in->n - 1) : 0;
	in->sel = in->top + sel_off;
	for (size_t i = 0; i < in->n; i++)
		if (in->rows[i].id == sel_id)
			in->sel = i;
	keep_selection_visible(p);
	fill_and_trim(p);
}

static void inbox_free(struct inbox *in)
{
	rows_clear(in);
	free(in->rows);
	free(in->channel_name);
	free(in->query);
	free(in->marks);
	free(in);
}

static int inbox_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	const struct inbox_arg *a = arg;
	struct inbox *in = calloc(1, sizeof(*in));
	if (!in)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the inbox");
	in->view = VIEW_DUE;
	if (a) {
		in->mode = a->mode;
		in->view = a->view;
		in->channel_id = a->channel_id;
		in->channel_name = a->channel_name ? ui_clean(a->channel_name, FIELD_MAX, 0) : NULL;
		in->query = a->query ? util_strndup(a->query, strnlen(a->query, FIELD_MAX)) : NULL;
		if ((a->channel_name && !in->channel_name) || (a->query && !in->query)) {
			inbox_free(in);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the list");
		}
	}
	p->priv = in;
	if (in->mode == INBOX_SEARCH) {
		/* A query that cannot be read fails here, before a pane opens. */
		struct ui_search_query q;
		int rc = ui_search_parse(p->ui->cfg, in->query ? in->query : "", p->ui->now, &q, err);
		ui_search_query_free(&q);
		if (rc) {
			inbox_free(in);
			p->priv = NULL;
			return rc;
		}
		/* The results are the whole list: searching once is enough. */
		struct conv_row *rows;
		size_t n;
		rc = search_rows(p, &rows, &n, err);
		if (!rc) {
			rc = insert_rows(in, 0, rows, n, err);
			store_conv_rows_free(rows, n);
		}
		if (rc) {
			inbox_free(in);
			p->priv = NULL;
			return rc;
		}
		in->at_start = in->at_end = 1;
		in->count = in->n;
		return EBB_OK;
	}
	load_first(p);
	return EBB_OK;
}

static void inbox_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	keep_selection_visible(p);
	fill_and_trim(p);
}

static void inbox_close(struct pane *p)
{
	inbox_free(priv(p));
}

static void inbox_title(struct pane *p, char *out, size_t outlen)
{
	struct inbox *in = priv(p);
	static const char *const NAMES[VIEW_COUNT] = { "Due", "All", "Waiting", "Later",
						       "Snoozed", "Done", "Muted" };
	size_t count_shown = in->count > COUNT_CAP ? COUNT_CAP : in->count;
	const char *more = in->count > COUNT_CAP ? "+" : "";
	char marked[48] = "";
	if (in->nmarks)
		snprintf(marked, sizeof(marked), " \xC2\xB7 %zu marked", in->nmarks);
	if (in->mode == INBOX_SEARCH) {
		char query[200];
		ui_sanitize(in->query ? in->query : "", strnlen(in->query ? in->query : "", 150),
			    query, sizeof(query), 0);
		snprintf(out, outlen, "Search: %s (%zu%s)%s", query, in->count,
			 in->count >= SEARCH_LIMIT ? "+" : "", marked);
	} else if (in->mode == INBOX_CHANNEL) {
		snprintf(out, outlen, "%s (%zu%s)%s", in->channel_name ? in->channel_name : "channel",
			 count_shown, more, marked);
	} else {
		const char *name = (unsigned)in->view < VIEW_COUNT ? NAMES[in->view] : "?";
		snprintf(out, outlen, "%s (%zu%s)%s", name, count_shown, more, marked);
	}
}

/* ---- drawing ------------------------------------------------------------ */

/* Column widths for a terminal width; columns give way from the right. */
struct columns {
	int due, from, count, age;
};

static struct columns columns_for(int cols)
{
	struct columns c = { 13, 20, 5, 9 };
	if (cols < 80)
		c.from = 14;
	if (cols < 60) {
		c.from = 0;
		c.age = 7;
	}
	if (cols < 40) {
		c.due = 12;
		c.age = 0;
		c.count = 0;
	}
	return c;
}

static int is_marked(const struct inbox *in, long long id)
{
	for (size_t i = 0; i < in->nmarks; i++)
		if (in->marks[i] == id)
			return 1;
	return 0;
}

/* Adds a color attribute to a base: a color pair replaces the base's. */
static attr_t combine(attr_t base, attr_t extra)
{
	if (extra & A_COLOR)
		base &= ~A_COLOR;
	return base | extra;
}

static void draw_row(struct pane *p, const struct inbox_row *r, int y, int selected)
{
	struct ui *ui = p->ui;
	const struct ebb_config *cfg = ui->cfg;
	struct columns c = columns_for(p->cols);
	attr_t base = r->unread ? ui_attr(ui, UI_C_UNREAD) : ui_attr(ui, UI_C_NORMAL);
	if (selected) {
		base = combine(base, ui_attr(ui, UI_C_SELECTED));
		ui_fill(y, 0, p->cols, base);
	}
	if (is_marked(priv(p), r->id))
		ui_put(y, 0, 1, "*", combine(base, ui_attr(ui, UI_C_MARKED)));

	int x = 1;
	if ((r->state == CONV_SNOOZED || r->state == CONV_WAITING) && r->snooze_until) {
		/* What matters for these is when they come back. */
		char when[32], text[40];
		ui_format_when(ui, r->snooze_until, when, sizeof(when));
		/* "30 Nov 09:00" does not fit the column: the day is enough. */
		char *last_space = strrchr(when, ' ');
		if (ui_text_width(when, strlen(when)) > c.due - 3 && last_space)
			*last_space = '\0';
		snprintf(text, sizeof(text), "\xE2\x86\xBB %s", when);
		ui_put(y, x, c.due - 1, text, combine(base, ui_attr(ui, UI_C_DIM)));
	} else if (r->needs_reply && r->due_at) {
		char due[32];
		policy_format_due(&cfg->hours, r->due_at, ui->now, due, sizeof(due));
		const struct policy_tier *tier = r->tier ? config_tier(cfg, r->tier) : NULL;
		enum policy_urgency u;
		if (tier)
			u = policy_urgency(&cfg->hours, &tier->target, r->due_at, ui->now);
		else
			u = r->due_at <= ui->now ? URGENCY_OVERDUE : URGENCY_DUE;
		attr_t attr = base;
		if (u == URGENCY_OVERDUE)
			attr = combine(base, ui_attr(ui, UI_C_OVERDUE));
		else if (u == URGENCY_AT_RISK)
			attr = combine(base, ui_attr(ui, UI_C_AT_RISK));
		ui_put(y, x, c.due - 1, due, attr);
	}
	x += c.due;

	/* Right to left: age, message count, then the subject takes what is left. */
	int end = p->cols - 1;
	if (c.age) {
		char age[24];
		ui_format_age(r->last_at, ui->now, cfg->tz, age, sizeof(age));
		int w = ui_text_width(age, strlen(age));
		if (w > c.age - 1)
			w = c.age - 1;
		ui_put(y, end - w, w, age, base);
		end -= c.age;
	}
	if (c.from) {
		ui_put(y, x, c.from - 1, r->from, base);
		x += c.from;
	}
	if (c.count && r->messages > 1) {
		char count[16];
		snprintf(count, sizeof(count), "(%d)", r->messages > 999 ? 999 : r->messages);
		int w = ui_text_width(count, strlen(count));
		if (end - w > x) {
			ui_put(y, end - w, w, count, combine(base, ui_attr(ui, UI_C_DIM)));
			end -= w + 1;
		}
	}
	int subject_cols = end - x;
	ui_put(y, x, subject_cols, r->subject, base);
}

static const char *empty_text(const struct inbox *in)
{
	if (in->mode == INBOX_SEARCH)
		return "No conversation matches. Search takes FTS5 syntax plus from:, to:, "
		       "subject:, before:DATE, after:DATE and in:CHANNEL.";
	if (in->mode == INBOX_CHANNEL)
		return "Nothing open in this channel.";
	switch (in->view) {
	case VIEW_DUE:
		return "Nothing owed. Replies you owe show up here, most urgent first.";
	case VIEW_WAITING:
		return "Nothing waiting: no answered conversations wait for a reply.";
	case VIEW_LATER:
		return "Nothing set aside for later.";
	case VIEW_SNOOZED:
		return "Nothing snoozed.";
	case VIEW_DONE:
		return "Nothing done yet.";
	case VIEW_MUTED:
		return "Nothing muted.";
	default:
		return "No conversations yet.";
	}
}

/* Draws text word-wrapped from row y; returns the rows used. */
static int draw_wrapped(int y, int x, int cols, int max_rows, const char *text, attr_t attr)
{
	size_t len = strlen(text), at = 0;
	int rows = 0;
	while (at < len && rows < max_rows) {
		size_t next;
		size_t n = ui_wrap(text + at, len - at, cols, &next);
		char line[512];
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, text + at, n);
		line[n] = '\0';
		ui_put(y + rows, x, cols, line, attr);
		rows++;
		at += next;
	}
	return rows;
}

static void draw_empty(struct pane *p)
{
	struct inbox *in = priv(p);
	int cols = p->cols - 4 > 0 ? p->cols - 4 : p->cols;
	int x = p->cols - 4 > 0 ? 2 : 0;
	int y = p->top + (p->lines > 4 ? 1 : 0);
	int end = p->top + p->lines;
	y += draw_wrapped(y, x, cols, end - y, empty_text(in), A_NORMAL);
	if (p->ui->cfg->naccounts == 0 && y + 1 < end) {
		char hint[600];
		snprintf(hint, sizeof(hint),
			 "No accounts are configured yet: add an [account.NAME] section to %s, "
			 "then run `ebb sync`.",
			 p->ui->cfg->path ? p->ui->cfg->path : "the config file");
		draw_wrapped(y + 1, x, cols, end - y - 1, hint, ui_attr(p->ui, UI_C_DIM));
	}
}

static void inbox_draw(struct pane *p)
{
	struct inbox *in = priv(p);
	if (in->n == 0) {
		draw_empty(p);
		return;
	}
	for (int i = 0; i < p->lines; i++) {
		size_t idx = in->top + (size_t)i;
		if (idx >= in->n)
			break;
		draw_row(p, &in->rows[idx], p->top + i, idx == in->sel);
	}
}

static void switch_view(struct pane *p, enum store_view v)
{
	struct inbox *in = priv(p);
	in->mode = INBOX_VIEW;
	in->view = v;
	in->nmarks = 0;
	load_first(p);
}

void pane_inbox_show_view(struct pane *p, enum store_view v)
{
	switch_view(p, v);
}

void pane_inbox_show_channel(struct pane *p, long long channel_id, const char *name)
{
	struct inbox *in = priv(p);
	char *clean = ui_clean(name, FIELD_MAX, 0);
	if (!clean) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_ENOMEM, "out of memory");
		ui_show_error(p->ui, &err);
		return;
	}
	free(in->channel_name);
	in->channel_name = clean;
	in->mode = INBOX_CHANNEL;
	in->channel_id = channel_id;
	in->nmarks = 0;
	load_first(p);
}

static void toggle_mark(struct pane *p)
{
	struct inbox *in = priv(p);
	if (!in->n)
		return;
	long long id = in->rows[in->sel].id;
	for (size_t i = 0; i < in->nmarks; i++) {
		if (in->marks[i] == id) {
			in->marks[i] = in->marks[--in->nmarks];
			move_selection(p, 1);
			return;
		}
	}
	if (in->nmarks == in->capmarks) {
		size_t cap = in->capmarks ? in->capmarks * 2 : 16;
		long long *marks = realloc(in->marks, cap * sizeof(*marks));
		if (!marks) {
			struct ebb_err err = { 0 };
			ebb_err_set(&err, EBB_ENOMEM, "out of memory");
			ui_show_error(p->ui, &err);
			return;
		}
		in->marks = marks;
		in->capmarks = cap;
	}
	in->marks[in->nmarks++] = id;
	move_selection(p, 1);
}

/* Triage acts on the marked rows when there are any, else on the selected
 * one. The marks are used up: they are cleared before the action runs. */
static void triage(struct pane *p, enum ui_action a)
{
	struct inbox *in = priv(p);
	struct ui *ui = p->ui;
	if (in->nmarks) {
		size_t n = in->nmarks;
		long long *ids = malloc(n * sizeof(*ids));
		if (!ids) {
			struct ebb_err err = { 0 };
			ebb_err_set(&err, EBB_ENOMEM, "out of memory");
			ui_show_error(ui, &err);
			return;
		}
		memcpy(ids, in->marks, n * sizeof(*ids));
		in->nmarks = 0;
		ui_triage_action(ui, a, ids, n, 0);
		free(ids);
		return;
	}
	if (!in->n) {
		ui_show_message(ui, "Nothing selected");
		return;
	}
	long long id = in->rows[in->sel].id;
	ui_triage_action(ui, a, &id, 1, 0);
}

static int inbox_action(struct pane *p, enum ui_action a)
{
	struct inbox *in = priv(p);
	long page = (long)page_rows(p);
	switch (a) {
	case ACT_MOVE_DOWN:
		move_selection(p, 1);
		return 1;
	case ACT_MOVE_UP:
		move_selection(p, -1);
		return 1;
	case ACT_PAGE_DOWN:
		move_selection(p, page);
		return 1;
	case ACT_PAGE_UP:
		move_selection(p, -page);
		return 1;
	case ACT_FIRST:
		if (in->at_start) {
			in->sel = 0;
			keep_selection_visible(p);
			fill_and_trim(p);
		} else {
			load_first(p);
		}
		return 1;
	case ACT_LAST:
		if (in->at_end && in->n) {
			in->sel = in->n - 1;
			keep_selection_visible(p);
			fill_and_trim(p);
		} else {
			load_last(p);
		}
		return 1;
	case ACT_OPEN:
		if (in->n) {
			long long id = in->rows[in->sel].id;
			ui_push(p->ui, &pane_thread_ops, &id);
		}
		return 1;
	case ACT_MARK:
		toggle_mark(p);
		return 1;
	case ACT_DONE:
	case ACT_SNOOZE:
	case ACT_WAITING:
	case ACT_LATER:
	case ACT_MUTE:
	case ACT_TO_INBOX:
	case ACT_NEEDS_REPLY:
		triage(p, a);
		return 1;
	case ACT_REPLY:
	case ACT_REPLY_ALL:
		if (in->n)
			ui_compose_start(p->ui, a == ACT_REPLY ? COMPOSE_REPLY : COMPOSE_REPLY_ALL,
					 in->rows[in->sel].id);
		return 1;
	case ACT_ROUNDUP:
		if (in->n)
			ui_compose_roundup(p->ui, in->rows[in->sel].id);
		return 1;
	case ACT_BACK:
		if (in->nmarks) {   /* q first drops the marks, then leaves */
			in->nmarks = 0;
			ui_show_message(p->ui, "Marks cleared");
			return 1;
		}
		return 0;
	default:
		/* Views and the rest are the global handler's: it switches the
		 * root inbox, which may be this pane. */
		return 0;
	}
}

static void inbox_hints(struct pane *p, char *out, size_t outlen)
{
	struct inbox *in = priv(p);
	struct ui *ui = p->ui;
	char help[32], back[32];
	keymap_keys_of(&ui->keys, ACT_HELP, 1, help, sizeof(help));
	keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
	snprintf(out, outlen, "%s:help %s:%s", help, back,
		 in->nmarks ? "unmark" : ui->npanes > 1 ? "back" : "quit");
}

long long pane_inbox_selected(const struct pane *p)
{
	const struct inbox *in = p->priv;
	return in->n ? in->rows[in->sel].id : 0;
}

size_t pane_inbox_held(const struct pane *p)
{
	const struct inbox *in = p->priv;
	return in->n;
}

const struct pane_ops pane_inbox_ops = {
	.name = "inbox",
	.scope = SCOPE_LIST,
	.init = inbox_init,
	.layout = inbox_layout,
	.draw = inbox_draw,
	.handle_action = inbox_action,
	.title = inbox_title,
	.reload = inbox_reload,
	.close = inbox_close,
	.hints = inbox_hints,
};
