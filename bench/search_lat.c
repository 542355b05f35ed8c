/* bench/search_lat: search latency through the path the screen's `/` takes
 * (ui_search_parse, then store_search_filtered for one screen of results).
 * usage: search_lat --config FILE --runs N [--limit ROWS]
 * Prints one JSON object: {"common": [ms..], "rare": [..], "phrase": [..],
 * "hits": {"common": n, ...}}; hits are the conversations returned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "ebb/ui.h"
#include "ebb/util.h"

static const struct {
	const char *name;
	const char *text;   /* as typed after `/` */
} QUERIES[] = {
	{ "common", "meeting" },
	{ "rare", "zanzibar" },
	{ "phrase", "\"quarterly budget review\"" },
};
#define NQUERIES (sizeof(QUERIES) / sizeof(QUERIES[0]))

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One search as the screen runs it; *ms its time, *hits the rows. */
static int run_one(struct store *st, const struct ebb_config *cfg, const char *text,
		   size_t limit, double *ms, size_t *hits, struct ebb_err *err)
{
	double t0 = now_ms();
	struct ui_search_query q;
	int rc = ui_search_parse(cfg, text, ebb_now(), &q, err);
	if (rc)
		return rc;
	struct store_search_query sq = { .fts = q.fts, .to = q.to, .channel = q.channel,
					 .after = q.after, .before = q.before };
	struct conv_row *rows = NULL;
	size_t n = 0;
	rc = store_search_filtered(st, &sq, limit, &rows, &n, err);
	ui_search_query_free(&q);
	*ms = now_ms() - t0;
	*hits = n;
	store_conv_rows_free(rows, n);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: search_lat --config FILE --runs N [--limit ROWS]\n");
}

int main(int argc, char **argv)
{
	const char *config_path = NULL;
	long runs = 0;
	long limit = UI_SEARCH_PAGE;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config_path = argv[++i];
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			limit = strtol(argv[++i], NULL, 10);
		} else {
			usage();
			return 2;
		}
	}
	if (!config_path || runs < 1 || runs > 1000000 || limit < 1 || limit > 1000000) {
		usage();
		return 2;
	}

	struct ebb_err err = { 0 };
	struct ebb_config *cfg = NULL;
	struct store *st = NULL;
	char db_path[4096];
	if (config_load(config_path, &cfg, &err) ||
	    config_db_path(cfg, db_path, sizeof(db_path), &err) ||
	    store_open(db_path, &st, &err)) {
		fprintf(stderr, "search_lat: %s\n", err.msg);
		config_free(cfg);
		return 1;
	}

	double *ms = calloc((size_t)runs * NQUERIES, sizeof(*ms));
	size_t hits[NQUERIES] = { 0 };
	int rc = ms ? EBB_OK : ebb_err_set(&err, EBB_ENOMEM, "out of memory");
	/* Round robin, so no query always runs right after itself. */
	for (long r = 0; !rc && r < runs; r++)
		for (size_t q = 0; !rc && q < NQUERIES; q++)
			rc = run_one(st, cfg, QUERIES[q].text, (size_t)limit,
				     &ms[q * (size_t)runs + (size_t)r], &hits[q], &err);
	if (rc) {
		fprintf(stderr, "search_lat: %s\n", err.msg);
	} else {
		printf("{");
		for (size_t q = 0; q < NQUERIES; q++) {
			printf("\"%s\": [", QUERIES[q].name);
			for (long r = 0; r < runs; r++)
				printf("%s%.3f", r ? ", " : "", ms[q * (size_t)runs + (size_t)r]);
			printf("], ");
		}
		printf("\"hits\": {");
		for (size_t q = 0; q < NQUERIES; q++)
			printf("%s\"%s\": %zu", q ? ", " : "", QUERIES[q].name, hits[q]);
		printf("}}\n");
	}
	free(ms);
	store_close(st);
	config_free(cfg);
	return rc ? 1 : 0;
}
