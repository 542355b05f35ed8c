/* ui/pane_stats: the figures of `ebb stats` for the last 30 days as a screen:
 * a table per channel, then terminal bar charts of volume and of replies
 * within target, the outbox and the time in live mode. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "ui_internal.h"

#define STATS_DAYS 30
#define STATS_LINE 512
#define BAR_CELLS 30

struct stats_pane {
	char (*lines)[STATS_LINE];
	size_t n, cap;
	size_t scroll;
};

static struct stats_pane *priv(struct pane *p)
{
	return p->priv;
}

static void add_line(struct stats_pane *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_line(struct stats_pane *s, const char *fmt, ...)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		char(*grown)[STATS_LINE] = realloc(s->lines, ncap * sizeof(*grown));
		if (!grown)
			return;   /* the screen shows less; nothing breaks */
		s->lines = grown;
		s->cap = ncap;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->lines[s->n++], STATS_LINE, fmt, ap);
	va_end(ap);
}

/* Working time: "45s", "12m", "3h05m", "-" for none. */
static void work_text(long secs, char *out, size_t outlen)
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

static void bar(long long value, long long max, char *out, size_t outlen)
{
	size_t used = 0;
	int n = max > 0 ? (int)((value * BAR_CELLS + max / 2) / max) : 0;
	if (value > 0 && n == 0)
		n = 1;
	for (int i = 0; i < n && used + 4 < outlen; i++) {
		memcpy(out + used, "\xE2\x96\x88", 3);   /* U+2588 FULL BLOCK */
		used += 3;
	}
	out[used] = '\0';
}

/* A channel label cut to 20 bytes on a character boundary, padded. */
static void label20(const char *label, char *out, size_t outlen)
{
	char clean[64];
	ui_sanitize(label, strlen(label), clean, sizeof(clean), 0);
	size_t len = strlen(clean);
	if (len > 20) {
		len = 20;
		while (len > 0 && ((unsigned char)clean[len] & 0xC0) == 0x80)
			len--;
		clean[len] = '\0';
	}
	int w = ui_text_width(clean, strlen(clean));
	snprintf(out, outlen, "%s%*s", clean, w < 20 ? 20 - w : 0, "");
}

static void row(struct stats_pane *s, const char *label, const char *tier,
		struct sync_report_figures *f)
{
	long median, p90;
	sync_report_percentiles(f, &median, &p90);
	char name[96], med[32], p9[32], share[64] = "-";
	label20(label, name, sizeof(name));
	work_text(median, med, sizeof(med));
	work_text(p90, p9, sizeof(p9));
	if (f->judged)
		snprintf(share, sizeof(share), "%lld/%lld %lld%%", f->within, f->judged,
			 (f->within * 100 + f->judged / 2) / f->judged);
	char tier_clean[16];
	ui_sanitize(tier ? tier : "", tier ? strlen(tier) : 0, tier_clean, sizeof(tier_clean), 0);
	add_line(s, "%s %-9.9s %8lld %5lld %5lld %7lld %7s %7s  %s", name, tier_clean, f->received,
		 f->sent, f->owed, f->overdue, med, p9, share);
}

static void build(struct pane *p)
{
	struct stats_pane *s = priv(p);
	struct ui *ui = p->ui;
	s->n = 0;
	struct sync_report r;
	struct ebb_err err = { 0 };
	time_t since = ui->now - (time_t)STATS_DAYS * 86400;
	if (sync_report_compute(ui->cfg, ui->st, since, ui->now, &r, &err)) {
		add_line(s, "Stats are not available: %s", err.msg);
		return;
	}
	add_line(s, "The last %d days (as `ebb stats`; times are working time)", STATS_DAYS);
	add_line(s, "%s", "");
	add_line(s, "%-20s %-9s %8s %5s %5s %7s %7s %7s  %s", "channel", "tier", "received", "sent",
		 "owed", "overdue", "median", "p90", "within target");
	for (size_t i = 0; i < r.nchans; i++)
		row(s, r.chans[i].label, r.chans[i].st->tier, &r.chans[i].f);
	row(s, "all", "", &r.total);

	long long max = 0;
	for (size_t i = 0; i < r.nchans; i++)
		if (r.chans[i].f.received + r.chans[i].f.sent > max)
			max = r.chans[i].f.received + r.chans[i].f.sent;
	char name[96], cells[4 * BAR_CELLS + 8];
	add_line(s, "%s", "");
	add_line(s, "Volume (received + sent)");
	for (size_t i = 0; i < r.nchans; i++) {
		long long v = r.chans[i].f.received + r.chans[i].f.sent;
		label20(r.chans[i].label, name, sizeof(name));
		bar(v, max, cells, sizeof(cells));
		add_line(s, "%s %s %lld", name, cells, v);
	}
	add_line(s, "%s", "");
	add_line(s, "Replied within target");
	for (size_t i = 0; i < r.nchans; i++) {
		const struct sync_report_figures *f = &r.chans[i].f;
		if (!f->judged)
			continue;
		label20(r.chans[i].label, name, sizeof(name));
		bar(f->within, f->judged, cells, sizeof(cells));
		add_line(s, "%s %s %lld%%", name, cells, (f->within * 100 + f->judged / 2) / f->judged);
	}
	add_line(s, "%s", "");
	add_line(s, "Outbox: %zu held, %zu queued, %zu sent in the period, %zu failed, %zu uncertain",
		 r.outbox[0], r.outbox[1], r.outbox[2], r.outbox[3], r.outbox[4]);
	if (!r.nbursts) {
		add_line(s, "Live mode: no bursts recorded (:burst 25m opens one)");
	} else {
		char live[32], work[32];
		work_text(r.live, live, sizeof(live));
		work_text(r.work, work, sizeof(work));
		double share = r.work > 0 ? 100.0 * (double)r.live / (double)r.work : 0;
		bar(r.live, r.work, cells, sizeof(cells));
		add_line(s, "Live mode: %zu burst%s, %s of %s working time (%.1f %%; guideline: at most 10 %%)",
			 r.nbursts, r.nbursts == 1 ? "" : "s", live, work, share);
	}
	sync_report_free(&r);
}

static int stats_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	(void)arg;
	struct stats_pane *s = calloc(1, sizeof(*s));
	if (!s)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the stats");
	p->priv = s;
	build(p);
	return EBB_OK;
}

static void stats_layout(struct pane *p, int lines, int cols)
{
	(void)p;
	(void)lines;
	(void)cols;
}

static void stats_draw(struct pane *p)
{
	struct stats_pane *s = priv(p);
	for (int i = 0; i < p->lines; i++) {
		size_t idx = s->scroll + (size_t)i;
		if (idx >= s->n)
			break;
		attr_t attr = idx == 2 ? ui_attr(p->ui, UI_C_HEADER) | A_BOLD : A_NORMAL;
		ui_put(p->top + i, 1, p->cols - 2, s->lines[idx], attr);
	}
}

static int stats_action(struct pane *p, enum ui_action a)
{
	struct stats_pane *s = priv(p);
	long max = (long)s->n - (long)p->lines;
	long target;
	if (!ui_scroll_move(a, (long)s->scroll, max, p->lines, &target))
		return 0;
	s->scroll = (size_t)target;
	return 1;
}

static void stats_title(struct pane *p, char *out, size_t outlen)
{
	(void)p;
	snprintf(out, outlen, "Stats");
}

static void stats_reload(struct pane *p)
{
	build(p);
}

static void stats_close(struct pane *p)
{
	struct stats_pane *s = priv(p);
	free(s->lines);
	free(s);
}

const struct pane_ops pane_stats_ops = {
	.name = "stats",
	.scope = SCOPE_GLOBAL,
	.init = stats_init,
	.layout = stats_layout,
	.draw = stats_draw,
	.handle_action = stats_action,
	.title = stats_title,
	.reload = stats_reload,
	.close = stats_close,
	.hints = NULL,
};
