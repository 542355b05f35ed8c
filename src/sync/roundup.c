/* sync/roundup: a conversation's round-up between the store and the policy
 * rules: the pre-filled template, and storing an edited block (CLI and UI). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"
#include "ebb/sync.h"

/* The first address of a display list ("Ann <ann@x>, b@y" -> "ann@x"),
 * into out; "" when there is none. */
static void first_address(const char *list, char *out, size_t outlen)
{
	out[0] = '\0';
	if (!list)
		return;
	const char *end = strchr(list, ',');
	size_t len = end ? (size_t)(end - list) : strlen(list);
	const char *lt = memchr(list, '<', len);
	const char *s = list;
	if (lt) {
		const char *gt = memchr(lt, '>', len - (size_t)(lt - list));
		if (!gt)
			return;
		s = lt + 1;
		len = (size_t)(gt - s);
	}
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || !memchr(s, '@', len) || len >= outlen)
		return;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* Is one of the account's addresses among a display list? */
static int list_has_me(const struct account_cfg *acc, const char *list)
{
	char addr[320];
	for (const char *p = list; acc && p && *p;) {
		first_address(p, addr, sizeof addr);
		if (addr[0] && config_is_me(acc, addr))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

struct thread_msgs {
	struct roundup_msg *msgs;
	char (*addressees)[320];
	size_t n;
};

static int load_thread(const struct ebb_config *cfg, struct store *st, long long conv_id,
		       struct msg_row **rows, size_t *nrows, struct thread_msgs *t,
		       struct ebb_err *err)
{
	struct conv_row conv;
	int rc = store_conv_get(st, conv_id, &conv, err);
	if (rc)
		return rc;
	const struct account_cfg *acc = conv.account ? config_account(cfg, conv.account) : NULL;
	store_conv_row_clear(&conv);
	if ((rc = store_msg_list(st, conv_id, rows, nrows, err)))
		return rc;
	t->n = *nrows;
	t->msgs = calloc(*nrows ? *nrows : 1, sizeof *t->msgs);
	t->addressees = calloc(*nrows ? *nrows : 1, sizeof *t->addressees);
	if (!t->msgs || !t->addressees)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading a thread");
	for (size_t i = 0; i < *nrows; i++) {
		const struct msg_row *m = &(*rows)[i];
		struct roundup_msg *rm = &t->msgs[i];
		rm->sender = m->from_me ? "me" : m->sender;
		rm->text = m->body;
		rm->sent_at = m->sent_at;
		/* "Can you ...": to me when I am among the recipients */
		if (!m->from_me && list_has_me(acc, m->recipients))
			snprintf(t->addressees[i], sizeof t->addressees[i], "me");
		else
			first_address(m->recipients, t->addressees[i], sizeof t->addressees[i]);
		rm->addressee = t->addressees[i][0] ? t->addressees[i] : NULL;
	}
	return EBB_OK;
}

int sync_roundup_template(const struct ebb_config *cfg, struct store *st, long long conv_id,
			  time_t now, char **block, size_t *missing, size_t *total,
			  struct ebb_err *err)
{
	*block = NULL;
	struct msg_row *rows = NULL;
	size_t nrows = 0;
	struct thread_msgs t = { 0 };
	struct roundup r = { 0 };
	int rc = load_thread(cfg, st, conv_id, &rows, &nrows, &t, err);
	size_t nmissing = 0;
	for (size_t i = 0; !rc && i < nrows; i++)
		nmissing += !rows[i].body;
	if (!rc)
		rc = policy_roundup_extract(t.msgs, t.n, &cfg->hours, &r, err);
	if (!rc)
		rc = policy_roundup_format(&r, &cfg->hours, now, block, err);
	policy_roundup_free(&r);
	free(t.msgs);
	free(t.addressees);
	store_msg_rows_free(rows, nrows);
	if (missing)
		*missing = nmissing;
	if (total)
		*total = nrows;
	return rc;
}

int sync_roundup_save(const struct ebb_config *cfg, struct store *st, long long conv_id,
		      const char *text, size_t len, time_t now, size_t counts[3],
		      struct ebb_err *err)
{
	counts[0] = counts[1] = counts[2] = 0;
	struct conv_row conv;
	int rc = store_conv_get(st, conv_id, &conv, err);
	if (rc)
		return rc;
	struct roundup r = { 0 };
	rc = policy_roundup_parse(text, len, &cfg->hours, now, &r, err);
	long long account_id = 0;
	const struct account_cfg *acc = !rc && conv.account ? config_account(cfg, conv.account)
							    : NULL;
	if (acc)
		rc = store_account_ensure(st, acc->name, acc->kind, &account_id, err);
	int began = 0;
	if (!rc) {
		rc = store_begin(st, err);
		began = !rc;
	}
	for (size_t i = 0; !rc && i < r.n; i++) {
		const struct roundup_item *it = &r.items[i];
		static const enum decision_kind kinds[] = { DECISION_DECISION, DECISION_ACTION,
							    DECISION_QUESTION };
		struct decision_new d = {
			.conversation_id = conv.id, .account_id = account_id,
			.kind = kinds[it->kind], .text = it->text, .owner = it->owner,
			.due_at = it->due_at,
		};
		rc = store_decision_add(st, &d, now, NULL, err);
		counts[it->kind]++;
	}
	if (!rc && began)
		rc = store_commit(st, err);
	else if (began)
		store_rollback(st);
	if (rc)
		counts[0] = counts[1] = counts[2] = 0;
	policy_roundup_free(&r);
	store_conv_row_clear(&conv);
	return rc;
}
