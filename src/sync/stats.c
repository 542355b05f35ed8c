/* sync/stats: the figures of `ebb stats` and the client's stats pane: per
 * channel volume, owed and overdue, time to first reply in working hours,
 * targets met, the outbox and the working time spent in bursts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "ebb/sync.h"

#define BURST_DEFAULT_SECONDS (25 * 60)
#define MAX_BURSTS 100000

static int add_reply(struct sync_report_figures *f, long secs)
{
	if (f->nreplies == f->capreplies) {
		size_t ncap = f->capreplies ? f->capreplies * 2 : 32;
		long *p = realloc(f->reply_secs, ncap * sizeof *p);
		if (!p) {
			f->no_memory = 1;
			return EBB_ENOMEM;
		}
		f->reply_secs = p;
		f->capreplies = ncap;
	}
	f->reply_secs[f->nreplies++] = secs;
	return EBB_OK;
}

static int long_cmp(const void *x, const void *y)
{
	long a = *(const long *)x, b = *(const long *)y;
	return (a > b) - (a < b);
}

/* The median (the mean of the two middle values for an even count,
 * rounded down) and the 90th percentile by nearest rank: the smallest value
 * with at least 90 % of the values at or below it. -1 when there are none. */
void sync_report_percentiles(struct sync_report_figures *f, long *median, long *p90)
{
	*median = *p90 = -1;
	size_t n = f->nreplies;
	if (!n)
		return;
	qsort(f->reply_secs, n, sizeof *f->reply_secs, long_cmp);
	if (n % 2)
		*median = f->reply_secs[n / 2];
	else
		*median = (f->reply_secs[n / 2 - 1] + f->reply_secs[n / 2]) / 2;
	size_t rank = (9 * n + 9) / 10;   /* ceil(0.9 n) */
	*p90 = f->reply_secs[rank - 1];
}

static struct sync_report_chan *chan_by_id(struct sync_report *s, long long id)
{
	for (size_t i = 0; i < s->nchans; i++)
		if (s->chans[i].st->channel_id == id)
			return &s->chans[i];
	return NULL;
}

static struct sync_report_chan *chan_by_name(struct sync_report *s, const char *account, const char *name)
{
	for (size_t i = 0; account && name && i < s->nchans; i++)
		if (!strcmp(s->chans[i].st->account, account) && !strcmp(s->chans[i].st->name, name))
			return &s->chans[i];
	return NULL;
}

/* The target of a tier in working seconds; -1 for none or unknown. */
static long tier_seconds(const struct ebb_config *cfg, const char *tier)
{
	const struct policy_tier *t = tier ? config_tier(cfg, tier) : NULL;
	return t ? policy_target_seconds(&cfg->hours, &t->target) : -1;
}

static int on_period(void *ctx, const struct store_reply_period *p)
{
	struct sync_report *s = ctx;
	if (!p->owed)
		return 0;   /* nobody asked me: no reply time to count */
	struct sync_report_chan *c = chan_by_id(s, p->channel_id);
	const char *tier = p->tier ? p->tier : c ? c->st->tier : NULL;
	long target = tier_seconds(s->cfg, tier);
	const struct policy_hours *h = &s->cfg->hours;
	struct sync_report_figures *figs[2] = {c ? &c->f : NULL, &s->total};
	long secs = -1;
	if (p->reply_at)
		secs = policy_work_between(h, p->start, p->reply_at);
	for (int k = 0; k < 2; k++) {
		struct sync_report_figures *f = figs[k];
		if (!f)
			continue;
		if (secs >= 0 && add_reply(f, secs))
			return EBB_ENOMEM;
		if (target < 0)
			continue;
		/* Unanswered and still within the target: no verdict yet. */
		if (secs >= 0) {
			f->judged++;
			f->within += secs <= target;
		} else if (policy_work_between(h, p->start, s->until) > target) {
			f->judged++;
		}
	}
	return 0;
}

/* Owed and overdue now, as the Due view and `ebb list` see them. */
static int count_owed(struct sync_report *s, struct store *st, struct ebb_err *err)
{
	struct conv_cursor cur;
	int have_cur = 0;
	for (;;) {
		struct conv_row *rows;
		size_t n;
		int rc = store_conv_list(st, VIEW_DUE, have_cur ? &cur : NULL, 500, &rows, &n, err);
		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++) {
			const struct conv_row *r = &rows[i];
			if (!r->needs_reply)
				continue;
			struct sync_report_chan *c = chan_by_name(s, r->account, r->channel);
			const struct policy_tier *t = r->tier ? config_tier(s->cfg, r->tier) : NULL;
			int overdue = r->due_at && t &&
				      policy_urgency(&s->cfg->hours, &t->target, r->due_at, s->until) ==
					      URGENCY_OVERDUE;
			s->total.owed++;
			s->total.overdue += overdue;
			if (c) {
				c->f.owed++;
				c->f.overdue += overdue;
			}
		}
		if (n) {
			cur.sort_key = rows[n - 1].sort_key;
			cur.id = rows[n - 1].id;
			have_cur = 1;
		}
		store_conv_rows_free(rows, n);
		if (n < 500)
			return EBB_OK;
	}
}

/* ---- live mode ------------------------------------------------------------ */

struct burst {
	long long conv_id;
	time_t start, end;   /* end 0 = still open */
	long planned;
};

struct bursts {
	struct burst *b;
	size_t n, cap;
	int too_many;
};

static int on_burst_event(void *ctx, const struct store_event *e)
{
	struct bursts *bs = ctx;
	int is_start = !strcmp(e->kind, "burst_start");
	if (!is_start && strcmp(e->kind, "burst_end"))
		return 0;
	for (size_t i = bs->n; i-- > 0;) {
		struct burst *b = &bs->b[i];
		if (b->conv_id != e->conv_id || b->end)
			continue;
		if (is_start)
			return 0;    /* already open: one burst per conversation at a time */
		b->end = e->at;
		return 0;
	}
	if (!is_start)
		return 0;        /* an end without a start counts for nothing */
	if (bs->n >= MAX_BURSTS) {
		bs->too_many = 1;
		return 0;
	}
	if (bs->n == bs->cap) {
		size_t ncap = bs->cap ? bs->cap * 2 : 16;
		struct burst *p = realloc(bs->b, ncap * sizeof *p);
		if (!p)
			return EBB_ENOMEM;
		bs->b = p;
		bs->cap = ncap;
	}
	struct policy_target planned = {TARGET_NONE, 0};
	long secs = BURST_DEFAULT_SECONDS;
	if (e->detail && !policy_parse_target(e->detail, &planned, NULL) &&
	    planned.kind == TARGET_SECONDS && planned.amount > 0)
		secs = planned.amount;
	bs->b[bs->n++] = (struct burst){.conv_id = e->conv_id, .start = e->at, .planned = secs};
	return 0;
}

static int burst_cmp(const void *x, const void *y)
{
	const struct burst *a = x, *b = y;
	return (a->start > b->start) - (a->start < b->start);
}

/* Working seconds inside the union of the bursts, clipped to the window;
 * *count gets the number of bursts that reach into it. */
static long live_seconds(const struct sync_report *s, struct bursts *bs, size_t *count)
{
	*count = 0;
	for (size_t i = 0; i < bs->n; i++) {
		struct burst *b = &bs->b[i];
		/* Not ended (ebb stopped, or it is still on): the planned length. */
		if (!b->end || b->end < b->start)
			b->end = b->start + b->planned;
		if (b->end > s->until)
			b->end = s->until;
		*count += b->end > s->since;
	}
	if (bs->n)
		qsort(bs->b, bs->n, sizeof *bs->b, burst_cmp);
	long total = 0;
	time_t from = 0, to = 0;
	for (size_t i = 0; i <= bs->n; i++) {
		if (i < bs->n && bs->b[i].start <= to && to) {
			if (bs->b[i].end > to)
				to = bs->b[i].end;
			continue;
		}
		if (to) {
			time_t a = from < s->since ? s->since : from;
			if (to > a)
				total += policy_work_between(&s->cfg->hours, a, to);
		}
		if (i < bs->n) {
			from = bs->b[i].start;
			to = bs->b[i].end;
		}
	}
	return total;
}

static void figures_free(struct sync_report_figures *f)
{
	free(f->reply_secs);
	f->reply_secs = NULL;
}

void sync_report_free(struct sync_report *s)
{
	for (size_t i = 0; i < s->nchans; i++)
		figures_free(&s->chans[i].f);
	figures_free(&s->total);
	free(s->chans);
	s->chans = NULL;
	s->nchans = 0;
	store_stats_channels_free(s->channel_rows, s->nchannel_rows);
	s->channel_rows = NULL;
	s->nchannel_rows = 0;
}

int sync_report_compute(const struct ebb_config *cfg, struct store *st, time_t since,
		       time_t until, struct sync_report *s, struct ebb_err *err)
{
	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->since = since;
	s->until = until;
	struct store_channel_stats *cs = NULL;
	size_t ncs = 0;
	struct bursts bs = {0};
	int rc = store_stats_channels(st, s->since, s->until, &cs, &ncs, err);
	s->channel_rows = cs;
	s->nchannel_rows = ncs;
	if (!rc && ncs && !(s->chans = calloc(ncs, sizeof *s->chans)))
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
	if (!rc) {
		s->nchans = ncs;
		int accounts = 0;
		for (size_t i = 0; i < ncs; i++)
			accounts |= i > 0 && cs[i].account_id != cs[0].account_id;
		for (size_t i = 0; i < ncs; i++) {
			struct sync_report_chan *c = &s->chans[i];
			c->st = &cs[i];
			c->f.received = cs[i].received;
			c->f.sent = cs[i].sent;
			s->total.received += cs[i].received;
			s->total.sent += cs[i].sent;
			snprintf(c->label, sizeof c->label, "%s%s%s", accounts ? cs[i].account : "",
				 accounts ? "/" : "", cs[i].name);
		}
		rc = count_owed(s, st, err);
	}
	if (!rc) {
		rc = store_stats_periods(st, s->since, s->until, on_period, s, err);
		if (rc == EBB_ENOMEM)
			ebb_err_set(err, rc, "out of memory counting reply times");
	}
	if (!rc) {
		/* Bursts that began before the window may reach into it. */
		rc = store_event_walk(st, "burst_", 0, s->until, on_burst_event, &bs, err);
		if (rc == EBB_ENOMEM)
			ebb_err_set(err, rc, "out of memory reading bursts");
	}
	if (!rc) {
		s->outbox[0] = store_outbox_count(st, OUTBOX_HELD);
		s->outbox[1] = store_outbox_count(st, OUTBOX_QUEUED);
		s->outbox[2] = store_stats_outbox_sent(st, s->since, s->until);
		s->outbox[3] = store_outbox_count(st, OUTBOX_FAILED);
		s->outbox[4] = store_outbox_count(st, OUTBOX_UNCERTAIN);
		s->live = live_seconds(s, &bs, &s->nbursts);
		s->work = policy_work_between(&cfg->hours, s->since, s->until);
	}
	free(bs.b);
	if (rc)
		sync_report_free(s);
	return rc;
}
