/* cli/commands: the headless commands. Each opens the store, does one thing
 * and prints either text for people (sanitized, like the screen) or --json
 * for scripts. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "ebb/cli.h"
#include "ebb/policy.h"
#include "ebb/store.h"
#include "ebb/sync.h"
#include "ebb/ui.h"

static int open_store(struct cli_env *env, struct store **st)
{
	struct ebb_err err = {0};
	if (store_open(env->db_path, st, &err)) {
		cli_error(err.msg);
		return 1;
	}
	return 0;
}

struct progress_ctx {
	int tty;
};

static void print_progress(void *ctx, const struct sync_progress *p)
{
	const struct progress_ctx *pc = ctx;
	if (!pc->tty)
		return;
	if (!strcmp(p->phase, "pulling")) {
		if (p->total > 0)
			fprintf(stderr, "\r%s: %lld/%lld messages", p->account, p->done, p->total);
		else
			fprintf(stderr, "\r%s: %lld messages", p->account, p->done);
	} else if (!strcmp(p->phase, "done") || !strcmp(p->phase, "error")) {
		fputs("\r\033[K", stderr);
	}
}

int cli_sync(struct cli_env *env, int argc, char **argv)
{
	const char *only = NULL;
	int watch = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--watch")) {
			watch = 1;
		} else if (!only && argv[i][0] != '-') {
			only = argv[i];
		} else {
			fprintf(stderr, "ebb: usage: ebb sync [--watch] [ACCOUNT]\n");
			return 2;
		}
	}
	if (only && !config_account(env->cfg, only)) {
		fprintf(stderr, "ebb: no account named \"%s\" in %s\n", only,
			env->cfg->path ? env->cfg->path : "the config");
		return 1;
	}
	if (!env->cfg->naccounts) {
		fprintf(stderr, "ebb: %s has no [account.NAME] section; nothing to sync\n",
			env->cfg->path ? env->cfg->path : "the config");
		return 1;
	}
	if (watch)
		return cli_sync_watch(env, only);
	struct store *st;
	if (open_store(env, &st))
		return 1;
	struct progress_ctx pc = {.tty = isatty(2)};
	int status = 0;
	for (size_t i = 0; i < env->cfg->naccounts; i++) {
		const struct account_cfg *acc = &env->cfg->accounts[i];
		if (only && strcmp(acc->name, only))
			continue;
		struct sync_stats stats;
		struct ebb_err err = {0};
		int lock_fd;
		long holder;
		/* Another ebb (sync --watch) has it: its data lands in the same store. */
		if (sync_lock_account(env->db_path, acc->name, &lock_fd, &holder, &err)) {
			cli_error(err.msg);
			if (err.code != EBB_EBUSY)
				status = 1;
			continue;
		}
		int rc = sync_account(env->cfg, acc, st, print_progress, &pc, &stats, &err);
		sync_unlock_account(lock_fd);
		if (rc) {
			cli_error(err.msg);
			status = 1;
			continue;
		}
		printf("%s: %zu new, %zu changed, %zu removed\n", acc->name, stats.inserted,
		       stats.updated, stats.removed);
	}
	store_close(st);
	return status;
}

static const struct policy_tier *tier_of(const struct cli_env *env, const struct conv_row *r)
{
	return r->tier ? config_tier(env->cfg, r->tier) : NULL;
}

static const char *urgency_name(enum policy_urgency u)
{
	switch (u) {
	case URGENCY_OVERDUE: return "overdue";
	case URGENCY_AT_RISK: return "at_risk";
	case URGENCY_DUE: return "due";
	default: return NULL;
	}
}

static enum policy_urgency row_urgency(const struct cli_env *env, const struct conv_row *r,
				       time_t now)
{
	const struct policy_tier *t = tier_of(env, r);
	if (!r->needs_reply || !r->due_at || !t)
		return URGENCY_NONE;
	return policy_urgency(&env->cfg->hours, &t->target, r->due_at, now);
}

static cJSON *add_time(cJSON *obj, const char *key, const struct ebb_tz *tz, time_t t)
{
	char buf[64];
	if (!t || tz_format_iso8601(tz, t, buf, sizeof buf))
		return cJSON_AddNullToObject(obj, key);
	return cJSON_AddStringToObject(obj, key, buf);
}

static int print_rows_json(struct cli_env *env, const struct conv_row *rows, size_t n,
			   time_t now)
{
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return 1;
	for (size_t i = 0; i < n; i++) {
		const struct conv_row *r = &rows[i];
		cJSON *o = cli_json_push_object(arr);
		if (!o) {
			cJSON_Delete(arr);
			return 1;
		}
		cJSON_AddNumberToObject(o, "id", (double)r->id);
		cli_json_add_str(o, "account", r->account);
		cli_json_add_str(o, "channel", r->channel);
		cli_json_add_str(o, "subject", r->subject);
		cli_json_add_str(o, "from", r->from);
		add_time(o, "last_at", env->cfg->tz, r->last_at);
		cli_json_add_str(o, "state", store_state_name(r->state));
		cli_json_add_str(o, "tier", r->tier);
		add_time(o, "due_at", env->cfg->tz, r->needs_reply ? r->due_at : 0);
		cli_json_add_str(o, "urgency", urgency_name(row_urgency(env, r, now)));
		cJSON_AddBoolToObject(o, "needs_reply", r->needs_reply != 0);
		cJSON_AddNumberToObject(o, "unread", r->unread);
		cJSON_AddNumberToObject(o, "messages", r->messages);
		add_time(o, "snooze_until", env->cfg->tz, r->snooze_until);
	}
	return cli_json_print(arr);
}

/* One line per conversation, sanitized and cut to columns like the screen. */
static void print_rows_text(struct cli_env *env, const struct conv_row *rows, size_t n,
			    time_t now)
{
	for (size_t i = 0; i < n; i++) {
		const struct conv_row *r = &rows[i];
		char due[32] = "";
		if (r->needs_reply && r->due_at)
			policy_format_due(&env->cfg->hours, r->due_at, now, due, sizeof due);
		char from[128], subject[512], tmp[1024];
		ui_sanitize(r->from ? r->from : "", strlen(r->from ? r->from : ""), tmp, sizeof tmp,
			    0);
		ui_fit(tmp, 20, from, sizeof from);
		ui_sanitize(r->subject ? r->subject : "", strlen(r->subject ? r->subject : ""), tmp,
			    sizeof tmp, 0);
		ui_fit(tmp, 60, subject, sizeof subject);
		int wf = ui_text_width(from, strlen(from));
		printf("%6lld  %-12s  %s%*s  %s", r->id, due, from, 20 - wf, "", subject);
		if (r->messages > 1)
			printf(" (%d)", r->messages);
		putchar('\n');
	}
}

static int parse_limit(const char *s, size_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 1000000)
		return -1;
	*out = (size_t)v;
	return 0;
}

int cli_list(struct cli_env *env, int argc, char **argv)
{
	enum store_view view = VIEW_DUE;
	int json = 0;
	size_t limit = 0;  /* 0 = all */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--view") && i + 1 < argc) {
			if (store_view_parse(argv[++i], &view)) {
				fprintf(stderr, "ebb: unknown view \"%s\" (due, all, waiting, later, "
					"snoozed, done, muted)\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			if (parse_limit(argv[++i], &limit)) {
				fprintf(stderr, "ebb: --limit takes a number from 1 to 1000000\n");
				return 2;
			}
		} else {
			fprintf(stderr, "ebb: list: unexpected argument \"%s\"\n", argv[i]);
			return 2;
		}
	}
	struct store *st;
	if (open_store(env, &st))
		return 1;
	time_t now = ebb_now();
	struct ebb_err err = {0};
	store_wake(st, now, NULL);
	/* Page through with the keyset cursor, as the screen does. */
	struct conv_row *all = NULL;
	size_t nall = 0;
	struct conv_cursor cur;
	int have_cur = 0, rc = 0;
	for (;;) {
		struct conv_row *rows;
		size_t n;
		size_t want = 500;
		if (limit && limit - nall < want)
			want = limit - nall;
		rc = store_conv_list(st, view, have_cur ? &cur : NULL, want, &rows, &n, &err);
		if (rc)
			break;
		if (n) {
			struct conv_row *grown = realloc(all, (nall + n) * sizeof *grown);
			if (!grown) {
				store_conv_rows_free(rows, n);
				rc = ebb_err_set(&err, EBB_ENOMEM, "out of memory");
				break;
			}
			all = grown;
			memcpy(all + nall, rows, n * sizeof *rows);
			nall += n;
			cur.sort_key = rows[n - 1].sort_key;
			cur.id = rows[n - 1].id;
			have_cur = 1;
			free(rows);  /* the strings now belong to `all` */
		} else {
			free(rows);
		}
		if (n < want || (limit && nall >= limit))
			break;
	}
	int status = 0;
	if (rc) {
		cli_error(err.msg);
		status = 1;
	} else if (json) {
		status = print_rows_json(env, all, nall, now);
	} else {
		print_rows_text(env, all, nall, now);
	}
	store_conv_rows_free(all, nall);
	store_close(st);
	return status;
}

int cli_search(struct cli_env *env, int argc, char **argv)
{
	const char *query = NULL;
	int json = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!query)
			query = argv[i];
		else {
			fprintf(stderr, "ebb: search takes one query; quote it\n");
			return 2;
		}
	}
	if (!query) {
		fprintf(stderr, "ebb: usage: ebb search QUERY [--json]\n");
		return 2;
	}
	struct store *st;
	if (open_store(env, &st))
		return 1;
	struct conv_row *rows;
	size_t n;
	struct ebb_err err = {0};
	int status = 0;
	/* The same words as `/` on the screen: from:, to:, in:, before:, ... */
	struct ui_search_query q;
	if (ui_search_parse(env->cfg, query, ebb_now(), &q, &err)) {
		cli_error(err.msg);
		store_close(st);
		return 2;
	}
	struct store_search_query sq = {.fts = q.fts, .to = q.to, .channel = q.channel,
					.after = q.after, .before = q.before};
	int src = store_search_filtered(st, &sq, 200, &rows, &n, &err);
	ui_search_query_free(&q);
	if (src) {
		cli_error(err.msg);
		status = 1;
	} else {
		time_t now = ebb_now();
		if (json)
			status = print_rows_json(env, rows, n, now);
		else
			print_rows_text(env, rows, n, now);
		store_conv_rows_free(rows, n);
	}
	store_close(st);
	return status;
}

int cli_triage(struct cli_env *env, const char *verb, int argc, char **argv)
{
	enum conv_state state;
	int needs_until = !strcmp(verb, "snooze"), may_until = !strcmp(verb, "waiting");
	if (!strcmp(verb, "done"))
		state = CONV_DONE;
	else if (!strcmp(verb, "later"))
		state = CONV_LATER;
	else if (!strcmp(verb, "mute"))
		state = CONV_MUTED;
	else if (!strcmp(verb, "inbox"))
		state = CONV_INBOX;
	else if (needs_until)
		state = CONV_SNOOZED;
	else
		state = CONV_WAITING;
	time_t now = ebb_now(), until = 0;
	int nids = argc;
	if ((needs_until || may_until) && argc >= 2) {
		if (cli_parse_when(env->cfg, argv[argc - 1], now, &until)) {
			fprintf(stderr, "ebb: %s: cannot read the time \"%s\" (try +3h, tomorrow, "
				"monday, 2026-12-01T09:00)\n", verb, argv[argc - 1]);
			return 2;
		}
		nids = argc - 1;
	} else if (needs_until) {
		fprintf(stderr, "ebb: usage: ebb snooze ID UNTIL\n");
		return 2;
	}
	if (nids < 1) {
		fprintf(stderr, "ebb: usage: ebb %s ID...\n", verb);
		return 2;
	}
	struct store *st;
	if (open_store(env, &st))
		return 1;
	int status = 0;
	for (int i = 0; i < nids; i++) {
		long long id;
		struct ebb_err err = {0};
		if (cli_parse_id(argv[i], &id)) {
			fprintf(stderr, "ebb: \"%s\" is not a conversation id (see ebb list)\n", argv[i]);
			status = 2;
			continue;
		}
		if (store_conv_set_state(st, id, state, until, now, &err)) {
			cli_error(err.msg);
			status = 1;
		}
	}
	store_close(st);
	return status;
}

/* The parser lives in ui/ so the snooze prompt reads the same forms. */
int cli_parse_when(const struct ebb_config *cfg, const char *s, time_t now, time_t *out)
{
	return ui_parse_when(cfg, s, now, out);
}
