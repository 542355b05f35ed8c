/* cli/show: `ebb show ID` prints a conversation's messages, fetching the
 * bodies the store does not have yet from the server (IMAP syncs headers
 * only); `ebb read ID` marks a conversation read (pushed at the next sync). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/cli.h"
#include "ebb/mime.h"
#include "ebb/provider.h"
#include "ebb/store.h"
#include "ebb/ui.h"

static int parse_conv_id(const char *s, long long *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 1)
		return -1;
	*id = v;
	return 0;
}

int cli_read(struct cli_env *env, int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "ebb: usage: ebb read ID...\n");
		return 2;
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		fprintf(stderr, "ebb: %s\n", err.msg);
		return 1;
	}
	int status = 0;
	for (int i = 0; i < argc; i++) {
		long long id;
		if (parse_conv_id(argv[i], &id)) {
			fprintf(stderr, "ebb: \"%s\" is not a conversation id (see ebb list)\n", argv[i]);
			status = 2;
		} else if (store_conv_mark_read(st, id, &err)) {
			fprintf(stderr, "ebb: %s\n", err.msg);
			status = 1;
		}
	}
	store_close(st);
	return status;
}

/* The account's provider, opened on the first body that is missing. */
struct body_source {
	const struct account_cfg *acc;
	struct provider p;
	int opened, failed;
	struct ebb_err err;
};

static int fetch_body(struct store *st, struct body_source *src, struct msg_row *m)
{
	if (src->failed)
		return -1;
	if (!src->opened) {
		src->p.ops = provider_lookup(src->acc->kind);
		src->p.acc = src->acc;
		src->p.store = st;
		if (!src->p.ops || !src->p.ops->fetch_raw) {
			src->failed = 1;
			return -1;
		}
		if (store_account_ensure(st, src->acc->name, src->acc->kind, &src->p.account_id,
					 &src->err) || src->p.ops->open(&src->p, &src->err)) {
			src->failed = 1;
			return -1;
		}
		src->opened = 1;
	}
	struct sbuf raw = {0};
	struct mime_message *mm = NULL;
	int rc = src->p.ops->fetch_raw(&src->p, m->channel, m->remote_id, &raw, &src->err);
	if (!rc)
		rc = mime_parse(raw.buf ? raw.buf : "", raw.len, &mm, &src->err);
	sbuf_free(&raw);
	if (rc)
		return -1;
	struct sbuf att = {0};
	for (size_t i = 0; i < mm->natt; i++)
		sbuf_printf(&att, "%s\t%s\t%zu\n", mm->att[i].filename ? mm->att[i].filename : "",
			    mm->att[i].content_type ? mm->att[i].content_type : "", mm->att[i].size);
	rc = store_msg_set_body(st, m->id, mm->text, att.len ? att.buf : NULL, &src->err);
	if (!rc) {
		free(m->body);
		m->body = strdup(mm->text);
	}
	sbuf_free(&att);
	mime_message_free(mm);
	return rc || !m->body ? -1 : 0;
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

int cli_show(struct cli_env *env, int argc, char **argv)
{
	long long id = 0;
	int json = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!id && !parse_conv_id(argv[i], &id))
			continue;
		else {
			fprintf(stderr, "ebb: usage: ebb show ID [--json]\n");
			return 2;
		}
	}
	if (!id) {
		fprintf(stderr, "ebb: usage: ebb show ID [--json]\n");
		return 2;
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open(env->db_path, &st, &err)) {
		fprintf(stderr, "ebb: %s\n", err.msg);
		return 1;
	}
	struct conv_row conv;
	struct msg_row *rows = NULL;
	size_t n = 0;
	if (store_conv_get(st, id, &conv, &err) || store_msg_list(st, id, &rows, &n, &err)) {
		fprintf(stderr, "ebb: %s\n", err.msg);
		store_close(st);
		return 1;
	}
	struct body_source src = {.acc = config_account(env->cfg, conv.account)};
	int status = 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].body || !src.acc)
			continue;
		if (fetch_body(st, &src, &rows[i]) && !src.failed)
			fprintf(stderr, "ebb: account %s: %s\n", src.acc->name, src.err.msg);
	}
	if (src.failed && src.err.msg[0]) {
		fprintf(stderr, "ebb: account %s: %s\n", src.acc->name, src.err.msg);
		status = 1;
	}
	if (src.opened && src.p.ops->close)
		src.p.ops->close(&src.p);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; arr && i < n; i++) {
			const struct msg_row *m = &rows[i];
			cJSON *o = cJSON_CreateObject();
			if (!o || !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				break;
			}
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
		char *text = arr ? cJSON_Print(arr) : NULL;
		if (text)
			puts(text);
		else
			status = 1;
		cJSON_free(text);
		cJSON_Delete(arr);
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
