/* cli/decisions: `ebb decisions` lists and closes open action items; `ebb
 * roundup` pre-fills a thread's round-up and stores the edited block. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "ebb/policy.h"
#include "ebb/store.h"
#include "ebb/sync.h"
#include "ebb/ui.h"

#define ROUNDUP_INPUT_MAX (1024u * 1024)
#define MAX_ALIASES 256

/* Prints text with everything a terminal could act on replaced, cut to
 * width columns (0 = no limit) and padded to them when pad is set. */
static void put_safe(const char *s, int width, int pad)
{
	char safe[2048], fitted[2048];
	ui_sanitize(s ? s : "", s ? strlen(s) : 0, safe, sizeof safe, 0);
	if (width > 0) {
		ui_fit(safe, width, fitted, sizeof fitted);
		int w = ui_text_width(fitted, strlen(fitted));
		fputs(fitted, stdout);
		if (pad)
			printf("%*s", width > w ? width - w : 0, "");
	} else {
		fputs(safe, stdout);
	}
}

/* ---- who "me" is -------------------------------------------------------- */

struct aliases {
	char *names[MAX_ALIASES];
	size_t n;
};

static void alias_add(struct aliases *a, const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t' || *s == '"')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '"'))
		len--;
	if (!len || a->n >= MAX_ALIASES)
		return;
	char *copy = util_strndup(s, len);
	if (copy)
		a->names[a->n++] = copy;
}

/* "Sam Rivera <sam@example.com>" gives the name, the address and "sam";
 * a bare address gives itself and its local part. */
static void alias_add_identity(struct aliases *a, const char *id)
{
	if (!id)
		return;
	const char *lt = strchr(id, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *addr = id;
	size_t alen = strlen(id);
	if (lt && gt) {
		alias_add(a, id, (size_t)(lt - id));
		addr = lt + 1;
		alen = (size_t)(gt - lt - 1);
	}
	alias_add(a, addr, alen);
	const char *at = memchr(addr, '@', alen);
	if (at)
		alias_add(a, addr, (size_t)(at - addr));
}

static void my_aliases(const struct ebb_config *cfg, struct aliases *a)
{
	alias_add(a, "me", 2);
	for (size_t i = 0; i < cfg->naccounts; i++) {
		const struct account_cfg *acc = &cfg->accounts[i];
		alias_add_identity(a, acc->from);
		for (size_t k = 0; k < acc->nme; k++)
			alias_add_identity(a, acc->me[k]);
	}
}

static void aliases_free(struct aliases *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->names[i]);
	a->n = 0;
}

/* ---- ebb decisions --------------------------------------------------------- */

/* "Thu 26 Nov 17:30" in the configured zone. */
static void format_local(const struct ebb_config *cfg, time_t t, char *out, size_t outlen)
{
	static const char *const wday[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	if (tz_localtime(cfg->tz, t, &tm)) {
		snprintf(out, outlen, "?");
		return;
	}
	snprintf(out, outlen, "%s %d %s %02d:%02d", wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
		 tm.tm_hour, tm.tm_min);
}

static void add_iso(cJSON *o, const char *key, const struct ebb_config *cfg, time_t t)
{
	char buf[64];
	if (t > 0 && !tz_format_iso8601(cfg->tz, t, buf, sizeof buf))
		cJSON_AddStringToObject(o, key, buf);
	else
		cJSON_AddNullToObject(o, key);
}

static int print_json(const struct ebb_config *cfg, const struct decision_row *rows, size_t n,
		      time_t now)
{
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return 1;
	for (size_t i = 0; i < n; i++) {
		const struct decision_row *r = &rows[i];
		cJSON *o = cli_json_push_object(arr);
		if (!o) {
			cJSON_Delete(arr);
			return 1;
		}
		cJSON_AddNumberToObject(o, "id", (double)r->id);
		cJSON_AddStringToObject(o, "kind", store_decision_kind_name(r->kind));
		if (r->conversation_id)
			cJSON_AddNumberToObject(o, "conversation_id", (double)r->conversation_id);
		else
			cJSON_AddNullToObject(o, "conversation_id");
		cli_json_add_str(o, "subject", r->subject);
		cli_json_add_str(o, "text", r->text);
		cli_json_add_str(o, "owner", r->owner);
		add_iso(o, "due_at", cfg, r->due_at);
		cJSON_AddBoolToObject(o, "overdue", r->due_at > 0 && now >= r->due_at);
		add_iso(o, "created_at", cfg, r->created_at);
	}
	return cli_json_print(arr);
}

static void print_text(const struct ebb_config *cfg, const struct decision_row *rows, size_t n,
		       time_t now)
{
	if (!n) {
		puts("no open action items");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct decision_row *r = &rows[i];
		char due[64] = "-";
		if (r->due_at > 0) {
			char when[48];
			format_local(cfg, r->due_at, when, sizeof when);
			snprintf(due, sizeof due, "%s%s", now >= r->due_at ? "overdue " : "", when);
		}
		printf("%5lld  %-24s  ", r->id, due);
		put_safe(r->owner ? r->owner : "?", 18, 1);
		fputs("  ", stdout);
		put_safe(r->text, 0, 0);
		if (r->subject) {
			fputs("  (", stdout);
			put_safe(r->subject, 40, 0);
			printf(" #%lld)", r->conversation_id);
		}
		putchar('\n');
	}
}

static int decisions_close(struct store *st, int argc, char **argv, time_t now)
{
	if (argc < 1) {
		fprintf(stderr, "ebb: usage: ebb decisions close ID...\n");
		return 2;
	}
	int status = 0;
	for (int i = 0; i < argc; i++) {
		long long id;
		struct ebb_err err = {0};
		if (cli_parse_id(argv[i], &id)) {
			fprintf(stderr, "ebb: \"%s\" is not an item id (see ebb decisions)\n", argv[i]);
			status = 2;
		} else if (store_decision_close(st, id, now, &err)) {
			cli_error(err.msg);
			status = 1;
		}
	}
	return status;
}

int cli_decisions(struct cli_env *env, int argc, char **argv)
{
	int json = 0, mine = 0, close_verb = argc > 0 && !strcmp(argv[0], "close");
	for (int i = 0; !close_verb && i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--mine")) {
			mine = 1;
		} else {
			fprintf(stderr, "ebb: usage: ebb decisions [--mine] [--json] | "
				"ebb decisions close ID...\n");
			return 2;
		}
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		cli_error(err.msg);
		return 1;
	}
	time_t now = ebb_now();
	int status = 0;
	if (close_verb) {
		status = decisions_close(st, argc - 1, argv + 1, now);
		store_close(st);
		return status;
	}
	struct aliases me = {0};
	if (mine)
		my_aliases(env->cfg, &me);
	struct decision_row *rows;
	size_t n;
	if (store_decision_list_open(st, DECISION_KIND_BIT(DECISION_ACTION),
				     (const char *const *)me.names, mine ? me.n : 0, &rows, &n,
				     &err)) {
		cli_error(err.msg);
		status = 1;
	} else {
		if (json)
			status = print_json(env->cfg, rows, n, now);
		else
			print_text(env->cfg, rows, n, now);
		store_decision_rows_free(rows, n);
	}
	aliases_free(&me);
	store_close(st);
	return status;
}

/* ---- ebb roundup -------------------------------------------------------- */

/* Stores the items of an edited block from stdin, all or none. */
static int save_block(const struct cli_env *env, struct store *st, long long conv_id, time_t now,
		      struct ebb_err *err)
{
	char *text;
	size_t len = 0;
	int rc = cli_read_stdin(ROUNDUP_INPUT_MAX, "the round-up on stdin", &text, &len, err);
	if (rc)
		return rc;
	size_t counts[3];
	rc = sync_roundup_save(env->cfg, st, conv_id, text, len, now, counts, err);
	free(text);
	if (!rc)
		printf("saved %zu decision(s), %zu action item(s), %zu open question(s) for "
		       "conversation %lld\n", counts[ROUNDUP_DECISION], counts[ROUNDUP_ACTION],
		       counts[ROUNDUP_QUESTION], conv_id);
	return rc;
}

int cli_roundup(struct cli_env *env, int argc, char **argv)
{
	long long conv_id = 0;
	int save = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--save"))
			save = 1;
		else if (!conv_id && !cli_parse_id(argv[i], &conv_id))
			continue;
		else {
			fprintf(stderr, "ebb: usage: ebb roundup CONV_ID [--save < edited-block]\n");
			return 2;
		}
	}
	if (!conv_id) {
		fprintf(stderr, "ebb: usage: ebb roundup CONV_ID [--save < edited-block] "
			"(conversation ids: ebb list)\n");
		return 2;
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		cli_error(err.msg);
		return 1;
	}
	time_t now = ebb_now();
	int rc;
	if (save) {
		rc = save_block(env, st, conv_id, now, &err);
	} else {
		char *block = NULL;
		size_t missing = 0, total = 0;
		rc = sync_roundup_template(env->cfg, st, conv_id, now, &block, &missing, &total,
					   &err);
		if (!rc && missing)
			fprintf(stderr, "ebb: roundup: %zu of %zu messages have no body in the cache "
				"yet; `ebb show %lld` fetches them\n", missing, total, conv_id);
		/* line by line through the sanitizer: mail text is hostile */
		for (const char *p = block; !rc && p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			char line[4 * ROUNDUP_TEXT_MAX + 64];
			ui_sanitize(p, len, line, sizeof line, 0);
			puts(line);
			p = nl ? nl + 1 : p + len;
		}
		free(block);
	}
	if (rc)
		fprintf(stderr, "ebb: roundup: %s\n", err.msg);
	store_close(st);
	return rc ? 1 : 0;
}
