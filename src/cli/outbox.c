/* cli/outbox: `ebb send` queues a mail with its release rule, `ebb outbox`
 * shows and releases what is waiting (`flush` is what cron runs). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "ebb/mime.h"
#include "ebb/policy.h"
#include "ebb/store.h"
#include "ebb/sync.h"
#include "ebb/ui.h"

#define BODY_MAX (16u * 1024 * 1024)

/* A new request (not a reply) is checked for an ask, a deadline and the
 * document it points at; what is missing goes to stderr. It warns, it
 * never stops the mail. */
static void context_warnings(const struct cli_env *env, const char *subject, const char *body)
{
	const char *mode = env->cfg->context_check;
	if (mode && !strcmp(mode, "off"))
		return;
	struct policy_context ctx;
	if (policy_context_check(subject, body, 0, &ctx))
		return;
	for (unsigned bit = 1; bit && bit <= ctx.missing; bit <<= 1)
		if (ctx.missing & bit)
			fprintf(stderr, "ebb: context check: %s \xe2\x80\x94 %s.\n",
				policy_context_missing_name(bit), policy_context_missing_hint(bit));
}

static void describe_release(const struct cli_env *env, time_t release_at, time_t now,
			     char *out, size_t outlen)
{
	if (release_at <= now) {
		snprintf(out, outlen, "goes out with the next flush");
		return;
	}
	char when[64];
	tz_format_iso8601(env->cfg->tz, release_at, when, sizeof when);
	snprintf(out, outlen, "held until %s", when);
}

int cli_send(struct cli_env *env, int argc, char **argv)
{
	const char *account = NULL, *to = NULL, *cc = NULL, *subject = NULL, *reply = NULL;
	const char *at_s = NULL;
	int check = 1;
	enum policy_release release = RELEASE_NEXT_BLOCK;
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		int has = i + 1 < argc;
		if (!strcmp(o, "--now")) {
			release = RELEASE_NOW;
		} else if (!strcmp(o, "--at") && has) {
			at_s = argv[++i];
			release = RELEASE_AT;
		} else if (!strcmp(o, "--account") && has) {
			account = argv[++i];
		} else if (!strcmp(o, "--to") && has) {
			to = argv[++i];
		} else if (!strcmp(o, "--cc") && has) {
			cc = argv[++i];
		} else if (!strcmp(o, "--subject") && has) {
			subject = argv[++i];
		} else if (!strcmp(o, "--in-reply-to") && has) {
			reply = argv[++i];
		} else if (!strcmp(o, "--no-check")) {
			check = 0;
		} else {
			fprintf(stderr, "ebb: send: unexpected argument \"%s\" (see ebb --help)\n", o);
			return 2;
		}
	}
	if (!to || !subject) {
		fprintf(stderr, "ebb: usage: ebb send [--account A] --to ADDR --subject S < body\n");
		return 2;
	}
	const struct account_cfg *acc = account ? config_account(env->cfg, account)
				      : (env->cfg->naccounts == 1 ? &env->cfg->accounts[0] : NULL);
	if (!acc) {
		fprintf(stderr, "ebb: send: %s\n", account ? "no such account in the config"
			: "name the account with --account (there is more than one, or none)");
		return 2;
	}
	time_t now = ebb_now(), at = 0;
	if (at_s && cli_parse_when(env->cfg, at_s, now, &at)) {
		fprintf(stderr, "ebb: send: cannot read the time \"%s\"\n", at_s);
		return 2;
	}
	struct ebb_err err = {0};
	char *body;
	if (cli_read_stdin(BODY_MAX, "the message body", &body, NULL, &err)) {
		cli_error(err.msg);
		return 1;
	}
	if (check && !reply)
		context_warnings(env, subject, body);
	struct store *st;
	if (store_open(env->db_path, &st, &err)) {
		cli_error(err.msg);
		free(body);
		return 1;
	}
	/* A reply quotes the thread's references so it threads everywhere. */
	struct mime_draft d = {.to = to, .cc = cc, .subject = subject, .body = body,
			       .in_reply_to = reply, .references = reply};
	struct queued_mail q;
	int rc = sync_queue_mail(env->cfg, st, acc, &d, 0, release, at, now, &q, &err);
	store_close(st);
	free(body);
	if (rc) {
		fprintf(stderr, "ebb: send: %s\n", err.msg);
		return 1;
	}
	char when[128];
	describe_release(env, q.release_at, now, when, sizeof when);
	printf("queued #%lld <%s>: %s\n", q.id, q.msgid, when);
	return 0;
}

/* A chat item (JSON from sync_queue_chat): the channel (and thread) as
 * "to", the first line of the text as "subject". */
static int on_server(const struct outbox_item *it, time_t now)
{
	return it->state == OUTBOX_SENT && it->release_policy &&
	       !strcmp(it->release_policy, "server") && it->release_at > now;
}

static int outbox_list(struct cli_env *env, struct store *st, int json)
{
	struct outbox_item *items;
	size_t n;
	struct ebb_err err = {0};
	if (store_outbox_list(st, 1, &items, &n, &err)) {
		cli_error(err.msg);
		return 1;
	}
	time_t now = ebb_now();
	cJSON *arr = json ? cJSON_CreateArray() : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct outbox_item *it = &items[i];
		char *to, *subject;
		sync_outbox_summary(it, &to, &subject);
		char release[64] = "", sent[64] = "";
		if (it->release_at)
			tz_format_iso8601(env->cfg->tz, it->release_at, release, sizeof release);
		if (it->sent_at)
			tz_format_iso8601(env->cfg->tz, it->sent_at, sent, sizeof sent);
		if (arr) {
			cJSON *o = cli_json_push_object(arr);
			if (o) {
				cJSON_AddNumberToObject(o, "id", (double)it->id);
				cJSON_AddStringToObject(o, "account", it->account ? it->account : "");
				cJSON_AddStringToObject(o, "state", store_outbox_state_name(it->state));
				/* Held in ebb until release_at, or handed to the server's
				 * own scheduler (release policy "server", sent from
				 * ebb's side) and waiting there. */
				cJSON_AddStringToObject(o, "held", it->state == OUTBOX_HELD ? "local"
							: on_server(it, now) ? "server" : "no");
				cJSON_AddStringToObject(o, "to", to ? to : "");
				cJSON_AddStringToObject(o, "subject", subject ? subject : "");
				cJSON_AddStringToObject(o, "release_policy",
							it->release_policy ? it->release_policy : "");
				if (*release)
					cJSON_AddStringToObject(o, "release_at", release);
				else
					cJSON_AddNullToObject(o, "release_at");
				if (*sent)
					cJSON_AddStringToObject(o, "sent_at", sent);
				else
					cJSON_AddNullToObject(o, "sent_at");
				cJSON_AddStringToObject(o, "msgid", it->msgid ? it->msgid : "");
				if (it->txn_id)
					cJSON_AddStringToObject(o, "txn_id", it->txn_id);
				else
					cJSON_AddNullToObject(o, "txn_id");
				cJSON_AddNumberToObject(o, "attempts", it->attempts);
				if (it->last_error)
					cJSON_AddStringToObject(o, "error", it->last_error);
				else
					cJSON_AddNullToObject(o, "error");
			} else {
				cJSON_Delete(o);
			}
		} else {
			char line[1024], safe[1024];
			const char *state = store_outbox_state_name(it->state);
			if (it->state == OUTBOX_HELD && it->release_at > now)
				snprintf(line, sizeof line, "held until %s", release);
			else if (on_server(it, now))
				snprintf(line, sizeof line, "on server until %s", release);
			else
				snprintf(line, sizeof line, "%s", state);
			snprintf(safe, sizeof safe, "%s  %s", to ? to : "", subject ? subject : "");
			char shown[1024];
			ui_sanitize(safe, strlen(safe), shown, sizeof shown, 0);
			printf("%5lld  %-32s  %s\n", it->id, line, shown);
			if (it->last_error) {
				ui_sanitize(it->last_error, strlen(it->last_error), shown, sizeof shown, 0);
				printf("       %s\n", shown);
			}
		}
		free(to);
		free(subject);
	}
	store_outbox_items_free(items, n);
	if (arr)
		return cli_json_print(arr);
	return 0;
}

static void print_result(void *ctx, const struct outbox_item *it, enum outbox_state result,
			 const char *detail)
{
	(void)ctx;
	char shown[600] = "";
	if (detail)
		ui_sanitize(detail, strlen(detail), shown, sizeof shown, 0);
	printf("#%lld %s%s%s\n", it->id, store_outbox_state_name(result), detail ? ": " : "",
	       shown);
}

int cli_outbox(struct cli_env *env, int argc, char **argv)
{
	const char *verb = argc > 0 && strcmp(argv[0], "--json") ? argv[0] : NULL;
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		cli_error(err.msg);
		return 1;
	}
	int status = 0;
	time_t now = ebb_now();
	if (!verb) {
		status = outbox_list(env, st, argc > 0);
	} else if (!strcmp(verb, "flush")) {
		char lock[4200];
		struct outbox_flush_result res;
		if (util_path(lock, sizeof lock, "%s.outbox.lock", env->db_path) ||
		    sync_outbox_flush(env->cfg, st, lock, now, print_result, NULL, &res, &err)) {
			cli_error(err.msg[0] ? err.msg : "outbox path too long");
			status = 1;
		} else {
			if (res.recovered)
				fprintf(stderr, "ebb: %zu message(s) were being sent when ebb stopped; "
					"they are marked uncertain (check your Sent folder, then "
					"`ebb outbox retry ID` or `cancel ID`)\n", res.recovered);
			printf("%zu sent, %zu failed, %zu uncertain\n", res.sent, res.failed,
			       res.uncertain);
			status = res.failed || res.uncertain ? 1 : 0;
		}
	} else if ((!strcmp(verb, "cancel") || !strcmp(verb, "retry")) && argc == 2) {
		long long id;
		if (cli_parse_id(argv[1], &id)) {
			fprintf(stderr, "ebb: \"%s\" is not an outbox id (see ebb outbox)\n", argv[1]);
			status = 2;
		} else if (!strcmp(verb, "cancel") ? store_outbox_cancel(st, id, &err)
			   : store_outbox_reschedule(st, id, "now", now, now, &err)) {
			fprintf(stderr, "ebb: outbox %s %lld: %s\n", verb, id, err.msg);
			status = 1;
		}
	} else {
		fprintf(stderr, "ebb: usage: ebb outbox [--json] | flush | cancel ID | retry ID\n");
		status = 2;
	}
	store_close(st);
	return status;
}
