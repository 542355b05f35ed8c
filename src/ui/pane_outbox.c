/* ui/pane_outbox: what is waiting to go out and when: held until the next
 * reply block, queued, failed or uncertain; c cancels, r releases now (or
 * retries), each after a yes; e takes a mail back into the compose pane. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "ebb/sync.h"
#include "ui_internal.h"

#define FIELD_MAX 1024

struct orow {
	long long id;
	enum outbox_state state;
	time_t release_at;
	int attempts;
	char *to;        /* sanitized */
	char *subject;   /* sanitized */
	char *error;     /* sanitized, NULL when none */
};

struct outbox {
	struct orow *rows;
	struct listpane list;
	long long asked;   /* the item a yes/no question is about */
};

static struct outbox *priv(struct pane *p)
{
	return p->priv;
}

static void rows_free(struct outbox *o)
{
	for (size_t i = 0; i < o->list.n; i++) {
		free(o->rows[i].to);
		free(o->rows[i].subject);
		free(o->rows[i].error);
	}
	free(o->rows);
	o->rows = NULL;
	o->list.n = 0;
}

/* To and Subject read back from the queued item itself. */
static int summarize(const struct outbox_item *it, struct orow *r)
{
	char *to = NULL, *subject = NULL;
	sync_outbox_summary(it, &to, &subject);
	r->to = ui_clean(to ? to : "", FIELD_MAX, 0);
	r->subject = ui_clean(subject && subject[0] ? subject : "(no subject)", FIELD_MAX, 0);
	r->error = it->last_error ? ui_clean(it->last_error, FIELD_MAX, 0) : NULL;
	free(to);
	free(subject);
	return (!r->to || !r->subject || (it->last_error && !r->error)) ? EBB_ENOMEM : EBB_OK;
}

/* "held until Tue 11:00", "queued", "failed (2 tries)". */
static void state_text(struct pane *p, const struct orow *r, char *out, size_t outlen)
{
	if (r->state == OUTBOX_HELD && r->release_at > p->ui->now) {
		char when[40];
		ui_format_when(p->ui, r->release_at, when, sizeof(when));
		snprintf(out, outlen, "held until %s", when);
	} else if (r->state == OUTBOX_FAILED && r->attempts > 1) {
		snprintf(out, outlen, "failed (%d tries)", r->attempts);
	} else {
		snprintf(out, outlen, "%s", store_outbox_state_name(r->state));
	}
}

static long long row_id(struct pane *p, size_t idx)
{
	return priv(p)->rows[idx].id;
}

static void draw_row(struct pane *p, size_t idx, int y, attr_t attr, int selected)
{
	(void)selected;
	struct ui *ui = p->ui;
	const struct orow *r = &priv(p)->rows[idx];
	int to_w = p->cols >= 80 ? 24 : p->cols >= 50 ? 16 : 0;
	int state_w = 22;
	char state[64];
	state_text(p, r, state, sizeof(state));
	attr_t sattr = attr;
	if (r->state == OUTBOX_FAILED || r->state == OUTBOX_UNCERTAIN)
		sattr |= ui_attr(ui, UI_C_ERROR);
	int x = 1;
	ui_put(y, x, state_w - 1, state, sattr);
	x += state_w;
	if (to_w) {
		ui_put(y, x, to_w - 1, r->to, attr);
		x += to_w;
	}
	char text[2 * FIELD_MAX + 8];
	if (r->error)
		snprintf(text, sizeof(text), "%s \xE2\x80\x94 %s", r->subject, r->error);
	else
		snprintf(text, sizeof(text), "%s", r->subject);
	ui_put(y, x, p->cols - x - 1, text, attr);
}

static const struct listpane_ops list_ops = {
	.empty = "The outbox is empty. Replies you send wait here until their reply block.",
	.row_id = row_id,
	.draw_row = draw_row,
};

static void load(struct pane *p)
{
	struct outbox *o = priv(p);
	struct ebb_err err = { 0 };
	long long sel_id = o->list.n ? o->rows[o->list.sel].id : 0;
	struct outbox_item *items;
	size_t n;
	rows_free(o);
	if (store_outbox_list(p->ui->st, 0, &items, &n, &err)) {
		ui_show_error(p->ui, &err);
		return;
	}
	o->rows = calloc(n ? n : 1, sizeof(*o->rows));
	if (!o->rows) {
		store_outbox_items_free(items, n);
		ebb_err_set(&err, EBB_ENOMEM, "out of memory reading the outbox");
		ui_show_error(p->ui, &err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct orow *r = &o->rows[o->list.n++];
		r->id = items[i].id;
		r->state = items[i].state;
		r->release_at = items[i].release_at;
		r->attempts = items[i].attempts;
		if (summarize(&items[i], r)) {
			ebb_err_set(&err, EBB_ENOMEM, "out of memory reading the outbox");
			ui_show_error(p->ui, &err);
			break;
		}
	}
	store_outbox_items_free(items, n);
	listpane_loaded(p, &o->list, &list_ops, sel_id);
}

static int outbox_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	(void)arg;
	struct outbox *o = calloc(1, sizeof(*o));
	if (!o)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the outbox");
	p->priv = o;
	load(p);
	return EBB_OK;
}

static void outbox_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	listpane_keep_visible(&priv(p)->list, p->lines);
}

static void outbox_draw(struct pane *p)
{
	listpane_draw(p, &priv(p)->list, &list_ops);
}

static const struct orow *selected(struct pane *p)
{
	struct outbox *o = priv(p);
	return o->list.n ? &o->rows[o->list.sel] : NULL;
}

static void cancel_answered(struct ui *ui, int yes, void *ctx)
{
	struct pane *p = ctx;
	struct outbox *o = priv(p);
	struct ebb_err err = { 0 };
	if (!yes)
		return;
	if (store_outbox_cancel(ui->st, o->asked, &err))
		ui_show_error(ui, &err);
	else
		ui_show_message(ui, "Cancelled #%lld", o->asked);
	ui_reload_all(ui);
}

static void release_answered(struct ui *ui, int yes, void *ctx)
{
	struct pane *p = ctx;
	struct outbox *o = priv(p);
	struct ebb_err err = { 0 };
	if (!yes)
		return;
	if (store_outbox_reschedule(ui->st, o->asked, "now", ui->now, ui->now, &err))
		ui_show_error(ui, &err);
	else
		ui_show_message(ui, "Released #%lld: it goes with the next outbox flush", o->asked);
	ui_reload_all(ui);
}

/* The draft a queued mail came from, read back from its payload. */
static int draft_from_mail(const struct outbox_item *it, struct store_draft *d,
			   struct ebb_err *err)
{
	memset(d, 0, sizeof(*d));
	struct mime_message *m = NULL;
	int rc = mime_parse(it->payload, it->payload_len, &m, err);
	if (rc) {
		ebb_err_prefix(err, "cannot read #%lld back to edit it: ", it->id);
		return rc;
	}
	d->account_id = it->account_id;
	d->conversation_id = it->conversation_id;
	d->to = util_strdup0(m->to);
	d->cc = util_strdup0(m->cc);
	d->subject = util_strdup0(m->subject);
	d->body = util_strdup0(m->text);
	if (m->in_reply_to)
		d->in_reply_to = util_strdup0(m->in_reply_to);
	if (m->references)
		d->refs = util_strdup0(m->references);
	int nomem = !d->to || !d->cc || !d->subject || !d->body ||
		    (m->in_reply_to && !d->in_reply_to) || (m->references && !d->refs);
	mime_message_free(m);
	if (nomem) {
		store_draft_clear(d);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading #%lld back", it->id);
	}
	return EBB_OK;
}

int ui_outbox_edit(struct ui *ui, long long id)
{
	struct ebb_err err = { 0 };
	struct outbox_item it;
	if (store_outbox_get(ui->st, id, &it, &err)) {
		ui_show_error(ui, &err);
		return err.code ? err.code : EBB_EIO;
	}
	int rc = EBB_OK;
	if (it.state == OUTBOX_SENDING || it.state == OUTBOX_SENT) {
		rc = ebb_err_set(&err, EBB_EBUSY, "#%lld is %s: too late to edit it", id,
				 it.state == OUTBOX_SENT ? "sent already" : "being sent right now");
	} else if (it.state == OUTBOX_UNCERTAIN) {
		rc = ebb_err_set(&err, EBB_EBUSY, "#%lld may have been sent already (check Sent): "
				 "c cancels it, then write it again", id);
	} else if (it.state == OUTBOX_CANCELLED) {
		rc = ebb_err_set(&err, EBB_ENOENT, "#%lld was cancelled", id);
	} else if (it.release_policy && !strcmp(it.release_policy, "server")) {
		/* Slack's scheduler holds its own copy; editing ours would not
		 * change what Slack posts. */
		rc = ebb_err_set(&err, EBB_EINVAL, "#%lld is scheduled on the Slack server: it cannot "
				 "be edited here", id);
	} else if (it.txn_id && it.payload_len && it.payload[0] == '{') {
		/* The compose pane writes mail only; a chat text reopened there
		 * would go out as a mail. */
		rc = ebb_err_set(&err, EBB_EINVAL, "#%lld is a chat message: the screen cannot edit "
				 "chat yet; c cancels it, then `ebb reply` writes it again", id);
	}
	struct store_draft d = { 0 };
	if (!rc)
		rc = draft_from_mail(&it, &d, &err);
	store_outbox_item_clear(&it);
	/* Out of the outbox and into a draft in one step: the outbox thread
	 * cannot claim it while the editor is open. */
	if (!rc)
		rc = store_outbox_take_to_draft(ui->st, id, &d, ui->now, &err);
	long long draft_id = d.id;
	store_draft_clear(&d);
	ui_reload_all(ui);
	if (rc) {
		ui_show_error(ui, &err);
		return rc;
	}
	struct compose_arg arg = { .kind = COMPOSE_DRAFT, .draft_id = draft_id,
				   .from_outbox = id };
	rc = ui_compose_open(ui, &arg);
	if (rc) {
		char key[16];
		keymap_keys_of(&ui->keys, ACT_VIEW_DRAFTS, 1, key, sizeof(key));
		ui_show_message(ui, "#%lld is a draft now, not queued: %s lists drafts", id, key);
	}
	return rc;
}

static int outbox_action(struct pane *p, enum ui_action a)
{
	struct outbox *o = priv(p);
	if (listpane_move(p, &o->list, a))
		return 1;
	const struct orow *r = selected(p);
	char question[160];
	switch (a) {
	case ACT_OPEN:
		return 1;
	case ACT_OUTBOX_CANCEL:
		if (!r)
			return 1;
		if (r->state == OUTBOX_SENDING) {
			ui_show_message(p->ui, "#%lld is being sent right now", r->id);
			return 1;
		}
		o->asked = r->id;
		snprintf(question, sizeof(question), "Cancel #%lld to %.60s?", r->id, r->to);
		ui_confirm(p->ui, question, cancel_answered, p);
		return 1;
	case ACT_OUTBOX_EDIT:
		if (r)
			ui_outbox_edit(p->ui, r->id);   /* may push the compose pane */
		return 1;
	case ACT_OUTBOX_RELEASE:
		if (!r)
			return 1;
		if (r->state == OUTBOX_SENDING || r->state == OUTBOX_QUEUED) {
			ui_show_message(p->ui, "#%lld goes with the next outbox flush already", r->id);
			return 1;
		}
		o->asked = r->id;
		if (r->state == OUTBOX_UNCERTAIN)
			snprintf(question, sizeof(question),
				 "#%lld may have been sent already (check Sent). Send it again?", r->id);
		else if (r->state == OUTBOX_FAILED)
			snprintf(question, sizeof(question), "Retry #%lld now?", r->id);
		else
			snprintf(question, sizeof(question), "Send #%lld now, before the reply block?",
				 r->id);
		ui_confirm(p->ui, question, release_answered, p);
		return 1;
	default:
		return 0;
	}
}

static void outbox_title(struct pane *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "Outbox (%zu)", priv(p)->list.n);
}

static void outbox_reload(struct pane *p)
{
	load(p);
	listpane_keep_visible(&priv(p)->list, p->lines);
}

static void outbox_close(struct pane *p)
{
	struct outbox *o = priv(p);
	rows_free(o);
	free(o);
}

static void outbox_hints(struct pane *p, char *out, size_t outlen)
{
	/* Three actions here: listpane_hints names two, so the edit key is
	 * put in front of what it writes. */
	char edit_key[16], rest[256];
	keymap_keys_of(&p->ui->keys, ACT_OUTBOX_EDIT, 1, edit_key, sizeof(edit_key));
	listpane_hints(p, ACT_OUTBOX_CANCEL, "cancel", ACT_OUTBOX_RELEASE, "send now", rest,
		       sizeof(rest));
	if (edit_key[0])
		snprintf(out, outlen, "%s:edit %s", edit_key, rest);
	else
		snprintf(out, outlen, "%s", rest);
}

const struct pane_ops pane_outbox_ops = {
	.name = "outbox",
	.scope = SCOPE_OUTBOX,
	.init = outbox_init,
	.layout = outbox_layout,
	.draw = outbox_draw,
	.handle_action = outbox_action,
	.title = outbox_title,
	.reload = outbox_reload,
	.close = outbox_close,
	.hints = outbox_hints,
};
