/* cli/stats: `ebb stats`: the figures of sync_report_compute (sync/stats.c) as
 * a table with bar charts or as JSON. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "ebb/policy.h"
#include "ebb/store.h"
#include "ebb/sync.h"
#include "ebb/ui.h"

#define DAY 86400
#define LIVE_GUIDELINE 0.10          /* at most about 10 % of the time in real time */
#define BAR_CELLS 30
#define NAME_COLS 22

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

static void print_row(const char *label, const char *tier, struct sync_report_figures *f)
{
	long median, p90;
	sync_report_percentiles(f, &median, &p90);
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

static void print_text(struct sync_report *s, size_t nbursts, long live, long work,
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

static cJSON *figures_json(struct sync_report_figures *f)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	long median, p90;
	sync_report_percentiles(f, &median, &p90);
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

static int print_json(struct sync_report *s, size_t nbursts, long live, long work,
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
	time_t since;
	if (parse_since(env->cfg, since_s, now, &since)) {
		fprintf(stderr, "ebb: stats: --since takes a length such as 30d, 2w or 12h, or a "
			"date in the past such as 2026-11-01 (not \"%s\")\n", since_s);
		return 2;
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		cli_error(err.msg);
		return 1;
	}
	store_wake(st, now, NULL);
	struct sync_report s;
	int status = 0;
	if (sync_report_compute(env->cfg, st, since, now, &s, &err)) {
		fprintf(stderr, "ebb: stats: %s\n", err.msg);
		status = 1;
	} else {
		if (json)
			status = print_json(&s, s.nbursts, s.live, s.work, s.outbox,
					    (long)((s.until - s.since) / DAY));
		else
			print_text(&s, s.nbursts, s.live, s.work, s.outbox);
		sync_report_free(&s);
	}
	store_close(st);
	return status;
}
