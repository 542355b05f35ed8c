/* cli/stats: `ebb stats`: per channel volume, owed and overdue, time to
 * first reply in working hours, targets met, outbox and live-mode time. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/cli.h"
#include "ebb/policy.h"
#include "ebb/store.h"
#include "ebb/ui.h"

#define DAY 86400
#define LIVE_GUIDELINE 0.10          /* at most about 10 % of the time in real time */
#define BURST_DEFAULT_SECONDS (25 * 60)
#define MAX_BURSTS 100000
#define BAR_CELLS 30
#define NAME_COLS 22

/* The figures of one channel, or of all of them. */
struct figures {
	long long received, sent;
	long long owed, overdue;
	long *reply_secs;            /* working seconds to first reply */
	size_t nreplies, capreplies;
	long long within, judged;    /* answered within target / periods with a verdict */
	int no_memory;
};

struct chan {
	struct store_channel_stats *st;
	struct figures f;
	char label[256];             /* "INBOX" or "work/INBOX" */
};

struct stats {
	const struct ebb_config *cfg;
	time_t since, until;
	struct chan *chans;
	size_t nchans;
	struct figures total;
};

static int add_reply(struct figures *f, long secs)
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
static void percentiles(struct figures *f, long *median, long *p90)
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

static struct chan *chan_by_id(struct stats *s, long long id)
{
	for (size_t i = 0; i < s->nchans; i++)
		if (s->chans[i].st->channel_id == id)
			return &s->chans[i];
	return NULL;
}

static struct chan *chan_by_name(struct stats *s, const char *account, const char *name)
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
	struct stats *s = ctx;
	if (!p->owed)
		return 0;   /* nobody asked me: no reply time to count */
	struct chan *c = chan_by_id(s, p->channel_id);
	const char *tier = p->tier ? p->tier : c ? c->st->tier : NULL;
	long target = tier_seconds(s->cfg, tier);
	const struct policy_hours *h = &s->cfg->hours;
	struct figures *figs[2] = {c ? &c->f : NULL, &s->total};
	long secs = -1;
	if (p->reply_at)
		secs = policy_work_between(h, p->start, p->reply_at);
	for (int k = 0; k < 2; k++) {
		struct figures *f = figs[k];
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
static int count_owed(struct stats *s, struct store *st, struct ebb_err *err)
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
			struct chan *c = chan_by_name(s, r->account, r->channel);
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
static long live_seconds(const struct stats *s, struct bursts *bs, size_t *count)
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

/* ---- output ---------------------------------------------------------------- */

/* Working time: "45s", "12m", "3h05m". */
static void format_work(long secs, char *out, size_t outlen)
{
	if (secs < 0)
		snprintf(out, outlen, "-");
	else if (secs < 60)
		snprintf(out, outlen, "%lds", secs);
	else if (secs < 3600)
		snprintf(out, outlen, "%ldm", secs / 60);
	else
		snprintf(out, outlen, "%ldh%02ldm", secs / 3600, secs / 60 % 60);
}

static void bar(long long value, long long max, int cells, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	int n = max > 0 ? (int)((value * cells + max / 2) / max) : 0;
	if (value > 0 && n == 0)
		n = 1;
	for (int i = 0; i < n && used + 4 < outlen; i++) {
		memcpy(out + used, "\xe2\x96\x88", 3);   /* U+2588 FULL BLOCK */
		used += 3;
	}
	out[used] = '\0';
}

/* A channel name fitted to its column, made safe for the terminal. */
static void put_name(const char *name, int cols)
{
	char safe[512], fitted[512];
	ui_sanitize(name, strlen(name), safe, sizeof safe, 0);
	ui_fit(safe, cols, fitted, sizeof fitted);
	int w = ui_text_width(fitted, strlen(fitted));
	printf("%s%*s", fitted, cols > w ? cols - w : 0, "");
}

static void print_row(const char *label, const char *tier, struct figures *f)
{
	long median, p90;
	percentiles(f, &median, &p90);
	char med[32], p9[32], share[64] = "-", cells[64] = "";
	format_work(median, med, sizeof med);
	format_work(p90, p9, sizeof p9);
	if (f->judged) {
		snprintf(share, sizeof share, "%lld/%lld %3lld%%", f->within, f->judged,
			 (f->within * 100 + f->judged / 2) / f->judged);
		bar(f->within, f->judged, 10, cells, sizeof cells);
	}
	put_name(label, NAME_COLS);
	printf("  %-9.9s %8lld %6lld %5lld %7lld %7zu %8s %8s  %-13s %s\n", tier ? tier : "",
	       f->received, f->sent, f->owed, f->overdue, f->nreplies, med, p9, share, cells);
}

static void print_text(struct stats *s, size_t nbursts, long live, long work,
		       const size_t outbox[5])
{
	char from[64], to[64];
	tz_format_iso8601(s->cfg->tz, s->since, from, sizeof from);
	tz_format_iso8601(s->cfg->tz, s->until, to, sizeof to);
	printf("ebb stats from %s to %s (%s)\n", from, to,
	       s->cfg->tz_name ? s->cfg->tz_name : "system zone");
	printf("Times are working time; a reply counts when someone wrote to you (To, or a direct "
	       "chat).\n\n");
	put_name("channel", NAME_COLS);
	printf("  %-9s %8s %6s %5s %7s %7s %8s %8s  %s\n", "tier", "received", "sent", "owed",
	       "overdue", "replies", "median", "p90", "within target");
	for (size_t i = 0; i < s->nchans; i++)
		print_row(s->chans[i].label, s->chans[i].st->tier, &s->chans[i].f);
	print_row("all", NULL, &s->total);

	long long max = 0;
	for (size_t i = 0; i < s->nchans; i++)
		if (s->chans[i].f.received > max)
			max = s->chans[i].f.received;
	printf("\nreceived per channel\n");
	for (size_t i = 0; i < s->nchans; i++) {
		char cells[4 * BAR_CELLS + 4];
		bar(s->chans[i].f.received, max, BAR_CELLS, cells, sizeof cells);
		fputs("  ", stdout);
		put_name(s->chans[i].label, NAME_COLS);
		printf("  %s %lld\n", cells, s->chans[i].f.received);
	}
	printf("\noutbox: %zu held, %zu queued, %zu sent in this period, %zu failed, %zu "
	       "uncertain\n", outbox[0], outbox[1], outbox[2], outbox[3], outbox[4]);
	if (!nbursts) {
		printf("live mode: no bursts recorded (guideline: at most %d %% of working time in "
		       "real time)\n", (int)(LIVE_GUIDELINE * 100));
		return;
	}
	char live_s[32], work_s[32], cells[4 * BAR_CELLS + 4];
	format_work(live, live_s, sizeof live_s);
	format_work(work, work_s, sizeof work_s);
	double share = work > 0 ? (double)live / (double)work : 0;
	bar(live, work, BAR_CELLS, cells, sizeof cells);
	printf("live mode: %zu burst(s), %s of %s working time = %.1f %% %s (guideline: at most "
	       "%d %%%s)\n", nbursts, live_s, work_s, share * 100, cells, (int)(LIVE_GUIDELINE * 100),
	       share > LIVE_GUIDELINE ? "; over it" : "");
}

static cJSON *figures_json(struct figures *f)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	long median, p90;
	percentiles(f, &median, &p90);
	cJSON_AddNumberToObject(o, "received", (double)f->received);
	cJSON_AddNumberToObject(o, "sent", (double)f->sent);
	cJSON_AddNumberToObject(o, "needs_reply", (double)f->owed);
	cJSON_AddNumberToObject(o, "overdue", (double)f->overdue);
	cJSON_AddNumberToObject(o, "replies", (double)f->nreplies);
	if (median >= 0) {
		cJSON_AddNumberToObject(o, "median_reply_seconds", (double)median);
		cJSON_AddNumberToObject(o, "p90_reply_seconds", (double)p90);
	} else {
		cJSON_AddNullToObject(o, "median_reply_seconds");
		cJSON_AddNullToObject(o, "p90_reply_seconds");
	}
	cJSON_AddNumberToObject(o, "within_target", (double)f->within);
	cJSON_AddNumberToObject(o, "target_periods", (double)f->judged);
	if (f->judged)
		cJSON_AddNumberToObject(o, "within_target_share", (double)f->within / (double)f->judged);
	else
		cJSON_AddNullToObject(o, "within_target_share");
	return o;
}

static int print_json(struct stats *s, size_t nbursts, long live, long work,
		      const size_t outbox[5], long days)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *chans = root ? cJSON_AddArrayToObject(root, "channels") : NULL;
	if (!chans) {
		cJSON_Delete(root);
		return 1;
	}
	char buf[64];
	tz_format_iso8601(s->cfg->tz, s->since, buf, sizeof buf);
	cJSON_AddStringToObject(root, "since", buf);
	tz_format_iso8601(s->cfg->tz, s->until, buf, sizeof buf);
	cJSON_AddStringToObject(root, "until", buf);
	cJSON_AddNumberToObject(root, "days", (double)days);
	int failed = 0;
	for (size_t i = 0; i < s->nchans; i++) {
		cJSON *o = figures_json(&s->chans[i].f);
		if (!o || !cJSON_AddItemToArray(chans, o)) {
			cJSON_Delete(o);
			failed = 1;
			break;
		}
		cJSON_AddStringToObject(o, "account", s->chans[i].st->account);
		cJSON_AddStringToObject(o, "channel", s->chans[i].st->name);
		if (s->chans[i].st->tier)
			cJSON_AddStringToObject(o, "tier", s->chans[i].st->tier);
		else
			cJSON_AddNullToObject(o, "tier");
	}
	cJSON *total = figures_json(&s->total);
	if (!total || !cJSON_AddItemToObject(root, "total", total)) {
		cJSON_Delete(total);
		failed = 1;
	}
	cJSON *ob = cJSON_CreateObject();
	if (ob && cJSON_AddItemToObject(root, "outbox", ob)) {
		static const char *const keys[5] = {"held", "queued", "sent", "failed", "uncertain"};
		for (int k = 0; k < 5; k++)
			cJSON_AddNumberToObject(ob, keys[k], (double)outbox[k]);
	} else {
		cJSON_Delete(ob);
		failed = 1;
	}
	cJSON *lv = cJSON_CreateObject();
	if (lv && cJSON_AddItemToObject(root, "live", lv)) {
		cJSON_AddNumberToObject(lv, "bursts", (double)nbursts);
		cJSON_AddNumberToObject(lv, "live_seconds", (double)live);
		cJSON_AddNumberToObject(lv, "working_seconds", (double)work);
		if (nbursts && work > 0)
			cJSON_AddNumberToObject(lv, "share", (double)live / (double)work);
		else
			cJSON_AddNullToObject(lv, "share");
		cJSON_AddNumberToObject(lv, "guideline", LIVE_GUIDELINE);
	} else {
		cJSON_Delete(lv);
		failed = 1;
	}
	char *text = failed ? NULL : cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return 1;
	puts(text);
	cJSON_free(text);
	return 0;
}

/* "30d", "2w", "12h", "90m", or a date/time for cli_parse_when. */
static int parse_since(const struct ebb_config *cfg, const char *s, time_t now, time_t *since)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end != s && v > 0 && v <= 36500 && end[0] && !end[1]) {
		long unit = end[0] == 'd' ? DAY : end[0] == 'w' ? 7 * DAY : end[0] == 'h' ? 3600
			  : end[0] == 'm' ? 60 : 0;
		if (unit) {
			*since = now - v * unit;
			return 0;
		}
	}
	if (s[0] != '+' && !cli_parse_when(cfg, s, now, since) && *since < now)
		return 0;
	return -1;
}

static void figures_free(struct figures *f)
{
	free(f->reply_secs);
	f->reply_secs = NULL;
}

int cli_stats(struct cli_env *env, int argc, char **argv)
{
	int json = 0;
	const char *since_s = "30d";
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--since") && i + 1 < argc)
			since_s = argv[++i];
		else {
			fprintf(stderr, "ebb: usage: ebb stats [--since 30d] [--json]\n");
			return 2;
		}
	}
	time_t now = ebb_now();
	struct stats s = {.cfg = env->cfg, .until = now};
	if (parse_since(env->cfg, since_s, now, &s.since)) {
		fprintf(stderr, "ebb: stats: --since takes a length such as 30d, 2w or 12h, or a "
			"date in the past such as 2026-11-01 (not \"%s\")\n", since_s);
		return 2;
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		fprintf(stderr, "ebb: %s\n", err.msg);
		return 1;
	}
	store_wake(st, now, NULL);
	struct store_channel_stats *cs = NULL;
	size_t ncs = 0;
	struct bursts bs = {0};
	int rc = store_stats_channels(st, s.since, s.until, &cs, &ncs, &err);
	if (!rc && ncs && !(s.chans = calloc(ncs, sizeof *s.chans)))
		rc = ebb_err_set(&err, EBB_ENOMEM, "out of memory");
	if (!rc) {
		s.nchans = ncs;
		int accounts = 0;
		for (size_t i = 0; i < ncs; i++)
			accounts |= i > 0 && cs[i].account_id != cs[0].account_id;
		for (size_t i = 0; i < ncs; i++) {
			struct chan *c = &s.chans[i];
			c->st = &cs[i];
			c->f.received = cs[i].received;
			c->f.sent = cs[i].sent;
			s.total.received += cs[i].received;
			s.total.sent += cs[i].sent;
			snprintf(c->label, sizeof c->label, "%s%s%s", accounts ? cs[i].account : "",
				 accounts ? "/" : "", cs[i].name);
		}
		rc = count_owed(&s, st, &err);
	}
	if (!rc) {
		rc = store_stats_periods(st, s.since, s.until, on_period, &s, &err);
		if (rc == EBB_ENOMEM)
			ebb_err_set(&err, rc, "out of memory counting reply times");
	}
	if (!rc) {
		/* Bursts that began before the window may reach into it. */
		rc = store_event_walk(st, "burst_", 0, s.until, on_burst_event, &bs, &err);
		if (rc == EBB_ENOMEM)
			ebb_err_set(&err, rc, "out of memory reading bursts");
	}
	int status = 0;
	if (rc) {
		fprintf(stderr, "ebb: stats: %s\n", err.msg);
		status = 1;
	} else {
		size_t outbox[5] = {
			store_outbox_count(st, OUTBOX_HELD), store_outbox_count(st, OUTBOX_QUEUED),
			store_stats_outbox_sent(st, s.since, s.until),
			store_outbox_count(st, OUTBOX_FAILED), store_outbox_count(st, OUTBOX_UNCERTAIN),
		};
		size_t nbursts;
		long live = live_seconds(&s, &bs, &nbursts);
		long work = policy_work_between(&env->cfg->hours, s.since, s.until);
		if (json)
			status = print_json(&s, nbursts, live, work, outbox,
					    (long)((s.until - s.since) / DAY));
		else
			print_text(&s, nbursts, live, work, outbox);
	}
	for (size_t i = 0; i < s.nchans; i++)
		figures_free(&s.chans[i].f);
	figures_free(&s.total);
	free(s.chans);
	free(bs.b);
	store_stats_channels_free(cs, ncs);
	store_close(st);
	return status;
}
