/* cli/show: `ebb show ID` prints a conversation's messages, fetching the
 * bodies the store does not have yet from the server (IMAP syncs headers
 * only) with sync_fetch_bodies; `ebb read ID` marks a conversation read. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "ebb/store.h"
#include "ebb/sync.h"
#include "ebb/ui.h"

int cli_read(struct cli_env *env, int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "ebb: usage: ebb read ID...\n");
		return 2;
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		cli_error(err.msg);
		return 1;
	}
	int status = 0;
	for (int i = 0; i < argc; i++) {
		long long id;
		if (cli_parse_id(argv[i], &id)) {
			fprintf(stderr, "ebb: \"%s\" is not a conversation id (see ebb list)\n", argv[i]);
			status = 2;
		} else if (store_conv_mark_read(st, id, &err)) {
			cli_error(err.msg);
			status = 1;
		}
	}
	store_close(st);
	return status;
}

static void print_text(const char *s)
{
	size_t len = strlen(s);
	char *clean = malloc(len * 3 + 16);
	if (!clean)
		return;
	ui_sanitize(s, len, clean, len * 3 + 16, 1);
	fputs(clean, stdout);
	free(clean);
}

/* One older page of the conversation's room, under the account's sync lock
 * so a running sync does not move the room's cursor at the same time. */
static int show_older(struct cli_env *env, const struct account_cfg *acc, struct store *st,
		      long long id)
{
	struct ebb_err err = {0};
	int lock_fd = -1;
	long holder = 0;
	int rc = sync_lock_account(env->db_path, acc->name, &lock_fd, &holder, &err);
	if (rc == EBB_EBUSY) {
		strncat(err.msg, "; try --older again when it is done",
			sizeof err.msg - strlen(err.msg) - 1);
		cli_error(err.msg);
		return rc;
	}
	size_t added = 0;
	if (!rc)
		rc = sync_backfill(env->cfg, acc, st, id, &added, &err);
	sync_unlock_account(lock_fd);
	if (rc == EBB_ENOENT) {
		fprintf(stderr, "ebb: nothing older to fetch for this conversation\n");
		return EBB_OK;
	}
	if (rc) {
		cli_error(err.msg);
		return rc;
	}
	fprintf(stderr, "ebb: %zu older messages\n", added);
	return EBB_OK;
}

int cli_show(struct cli_env *env, int argc, char **argv)
{
	long long id = 0;
	int json = 0, older = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--older"))
			older = 1;
		else if (!id && !cli_parse_id(argv[i], &id))
			continue;
		else {
			fprintf(stderr, "ebb: usage: ebb show ID [--json] [--older]\n");
			return 2;
		}
	}
	if (!id) {
		fprintf(stderr, "ebb: usage: ebb show ID [--json] [--older]\n");
		return 2;
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		cli_error(err.msg);
		return 1;
	}
	struct conv_row conv;
	struct msg_row *rows = NULL;
	size_t n = 0;
	if (store_conv_get(st, id, &conv, &err)) {
		cli_error(err.msg);
		store_close(st);
		return 1;
	}
	int status = 0;
	const struct account_cfg *acc = config_account(env->cfg, conv.account);
	if (acc && sync_fetch_bodies(acc, st, id, NULL, &err)) {
		cli_error(err.msg);
		status = 1;
	}
	if (older && acc && show_older(env, acc, st, id))
		status = 1;
	if (store_msg_list(st, id, &rows, &n, &err)) {
		cli_error(err.msg);
		store_conv_row_clear(&conv);
		store_close(st);
		return 1;
	}
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; arr && i < n; i++) {
			const struct msg_row *m = &rows[i];
			cJSON *o = cli_json_push_object(arr);
			if (!o)
				break;
			cJSON_AddNumberToObject(o, "id", (double)m->id);
			cJSON_AddStringToObject(o, "channel", m->channel ? m->channel : "");
			cJSON_AddStringToObject(o, "remote_id", m->remote_id ? m->remote_id : "");
			cJSON_AddStringToObject(o, "msgid", m->msgid ? m->msgid : "");
			cJSON_AddStringToObject(o, "sender", m->sender ? m->sender : "");
			cJSON_AddStringToObject(o, "sender_name", m->sender_name ? m->sender_name : "");
			cJSON_AddStringToObject(o, "subject", m->subject ? m->subject : "");
			cJSON_AddNumberToObject(o, "sent_at", (double)m->sent_at);
			cJSON_AddNumberToObject(o, "flags", m->flags);
			cJSON_AddNumberToObject(o, "size", (double)m->size);
			if (m->body)
				cJSON_AddStringToObject(o, "body", m->body);
			else
				cJSON_AddNullToObject(o, "body");
		}
		if (cli_json_print(arr))
			status = 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			const struct msg_row *m = &rows[i];
			char when[64] = "";
			if (m->sent_at)
				tz_format_iso8601(env->cfg->tz, m->sent_at, when, sizeof when);
			printf("%s---- ", i ? "\n" : "");
			print_text(m->sender_name && m->sender_name[0] ? m->sender_name
								       : m->sender ? m->sender : "");
			printf("  %s\n", when);
			print_text(m->body ? m->body : "(the body could not be fetched)\n");
		}
	}
	store_msg_rows_free(rows, n);
	store_conv_row_clear(&conv);
	store_close(st);
	return status;
}
