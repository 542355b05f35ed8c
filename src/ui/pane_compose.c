/* ui/pane_compose: a mail being written: From, To, Cc, Subject and the body.
 * E runs $EDITOR on all of it; every change is saved as a draft at once;
 * y queues it with the release rule (held until the next reply block),
 * after the high-context check when it is a new request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "ebb/policy.h"
#include "ui_internal.h"

#define SHOWN_MAX (4u * 1024 * 1024)

struct cline {
	const char *text;
	size_t len;
	size_t label;    /* bold bytes of a header line */
};

struct compose {
	struct store_draft d;
	const struct account_cfg *acc;
	char *shown;             /* sanitized headers + body that lines point into */
	struct cline *lines;
	size_t nlines, caplines;
	size_t scroll;
	int wrap_cols;
	int roundup;             /* store the round-up block when queued */
	long long from_outbox;   /* the outbox item this draft was taken back from */
	int context_ok;          /* the user said send anyway to the context check */
};

static struct compose *priv(struct pane *p)
{
	return p->priv;
}

/* ---- the draft ------------------------------------------------------------ */

static int save(struct pane *p)
{
	struct compose *c = priv(p);
	struct ebb_err err = { 0 };
	if (store_draft_save(p->ui->st, &c->d, p->ui->now, &err)) {
		ui_show_error(p->ui, &err);
		return err.code ? err.code : EBB_EIO;
	}
	return EBB_OK;
}

static int set_account(struct pane *p, const struct account_cfg *acc, struct ebb_err *err)
{
	struct compose *c = priv(p);
	c->acc = acc;
	if (!acc)
		return EBB_OK;
	return store_account_ensure(p->ui->st, acc->name, acc->kind, &c->d.account_id, err);
}

/* A reply to the conversation's last message. */
static int init_reply(struct pane *p, long long conv_id, int all, struct ebb_err *err)
{
	struct compose *c = priv(p);
	const struct account_cfg *acc = ui_conv_account(p->ui, conv_id);
	if (!acc)
		return ebb_err_set(err, EBB_ENOENT,
				   "The account of this conversation is not in the config: cannot reply");
	struct msg_row *rows;
	size_t n;
	int rc = store_msg_list(p->ui->st, conv_id, &rows, &n, err);
	if (rc)
		return rc;
	if (n == 0) {
		store_msg_rows_free(rows, n);
		return ebb_err_set(err, EBB_ENOENT, "The conversation has no messages to reply to");
	}
	struct reply_draft r;
	rc = ui_reply_build(p->ui->cfg, acc, &rows[n - 1], all, &r);
	store_msg_rows_free(rows, n);
	if (rc)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory writing the reply");
	c->d.conversation_id = conv_id;
	c->d.to = r.f.to;
	c->d.cc = r.f.cc;
	c->d.subject = r.f.subject;
	c->d.body = r.f.body;
	c->d.in_reply_to = r.in_reply_to;
	c->d.refs = r.refs;
	memset(&r, 0, sizeof(r));
	return set_account(p, acc, err);
}

/* ---- layout ---------------------------------------------------------------- */

static int line_add(struct compose *c, const char *text, size_t len, size_t label)
{
	if (c->nlines == c->caplines) {
		size_t cap = c->caplines ? c->caplines * 2 : 64;
		struct cline *lines = realloc(c->lines, cap * sizeof(*lines));
		if (!lines)
			return EBB_ENOMEM;
		c->lines = lines;
		c->caplines = cap;
	}
	c->lines[c->nlines++] = (struct cline){ text, len, label };
	return EBB_OK;
}

static int build_shown(struct pane *p)
{
	struct compose *c = priv(p);
	struct sbuf sb = { 0 };
	const char *from = c->acc && c->acc->from ? c->acc->from : "(no from = address)";
	int rc = sbuf_printf(&sb, "From: %s\nTo: %s\n", from, c->d.to ? c->d.to : "");
	if (!rc && c->d.cc && c->d.cc[0])
		rc = sbuf_printf(&sb, "Cc: %s\n", c->d.cc);
	if (!rc)
		rc = sbuf_printf(&sb, "Subject: %s\n\n", c->d.subject ? c->d.subject : "");
	if (!rc && c->d.body)
		rc = sbuf_puts(&sb, c->d.body);
	char *shown = rc ? NULL : ui_clean(sb.buf ? sb.buf : "", SHOWN_MAX, 1);
	sbuf_free(&sb);
	if (!shown)
		return EBB_ENOMEM;
	free(c->shown);
	c->shown = shown;
	c->wrap_cols = 0;
	return EBB_OK;
}

static int rewrap(struct pane *p)
{
	struct compose *c = priv(p);
	int cols = p->cols - 2 > 0 ? p->cols - 2 : 1;
	if (cols == c->wrap_cols && c->nlines)
		return EBB_OK;
	c->nlines = 0;
	c->wrap_cols = cols;
	int in_header = 1;
	for (const char *s = c->shown; s && *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		size_t label = 0;
		if (in_header && len == 0)
			in_header = 0;
		else if (in_header) {
			const char *colon = memchr(s, ':', len);
			label = colon ? (size_t)(colon - s) + 1 : 0;
		}
		if (len == 0 && line_add(c, s, 0, 0))
			return EBB_ENOMEM;
		for (size_t at = 0; at < len;) {
			size_t next;
			size_t n = ui_wrap(s + at, len - at, cols, &next);
			if (line_add(c, s + at, n, at == 0 ? label : 0))
				return EBB_ENOMEM;
			at += next;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	return EBB_OK;
}

static size_t max_scroll(const struct pane *p)
{
	const struct compose *c = p->priv;
	size_t rows = p->lines > 0 ? (size_t)p->lines : 1;
	return c->nlines > rows ? c->nlines - rows : 0;
}

static void relayout(struct pane *p)
{
	struct compose *c = priv(p);
	if (rewrap(p)) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_ENOMEM, "out of memory laying out the draft");
		ui_show_error(p->ui, &err);
		c->nlines = 0;
	}
	if (c->scroll > max_scroll(p))
		c->scroll = max_scroll(p);
}

static void changed(struct pane *p)
{
	if (build_shown(p)) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_ENOMEM, "out of memory showing the draft");
		ui_show_error(p->ui, &err);
	}
	relayout(p);
}

/* ---- editing ------------------------------------------------------------- */

/* Equal but for the spaces and blank lines around them, which the editor
 * round trip trims. */
static int same_text(const char *a, const char *b)
{
	a = a ? a : "";
	b = b ? b : "";
	a += strspn(a, " \t\r\n");
	b += strspn(b, " \t\r\n");
	size_t alen = strlen(a), blen = strlen(b);
	while (alen && strchr(" \t\r\n", a[alen - 1]))
		alen--;
	while (blen && strchr(" \t\r\n", b[blen - 1]))
		blen--;
	return alen == blen && !memcmp(a, b, alen);
}

static void edit(struct pane *p)
{
	struct compose *c = priv(p);
	struct compose_fields f = { c->d.to, c->d.cc, c->d.subject, c->d.body };
	struct ebb_err err = { 0 };
	/* A mail taken back from the outbox and left as it was is a draft
	 * now, not queued: the user must hear that. */
	struct compose_fields before = { 0 };
	int compare = c->from_outbox != 0;
	if (compare) {
		before.to = util_strdup0(c->d.to ? c->d.to : "");
		before.cc = util_strdup0(c->d.cc ? c->d.cc : "");
		before.subject = util_strdup0(c->d.subject ? c->d.subject : "");
		before.body = util_strdup0(c->d.body ? c->d.body : "");
		compare = before.to && before.cc && before.subject && before.body;
	}
	int rc = ui_edit_fields(&f, &err);
	/* ui_edit_fields replaces the strings it changed: take them back. */
	c->d.to = f.to;
	c->d.cc = f.cc;
	c->d.subject = f.subject;
	c->d.body = f.body;
	int unchanged = compare && same_text(before.to, c->d.to) && same_text(before.cc, c->d.cc) &&
			same_text(before.subject, c->d.subject) && same_text(before.body, c->d.body);
	free(before.to);
	free(before.cc);
	free(before.subject);
	free(before.body);
	if (rc) {
		ui_show_error(p->ui, &err);
	} else if (save(p) == EBB_OK) {
		char send[16], drafts[16];
		keymap_keys_of(&p->ui->keys, ACT_SEND, 1, send, sizeof(send));
		keymap_keys_of(&p->ui->keys, ACT_VIEW_DRAFTS, 1, drafts, sizeof(drafts));
		if (unchanged)
			ui_show_message(p->ui, "Unchanged: #%lld stays a draft (%s lists drafts) "
					"until %s queues it again", c->from_outbox, drafts, send);
		else
			ui_show_message(p->ui, "Draft saved \xE2\x80\x94 %s sends it", send);
	}
	changed(p);
}

static void field_entered(struct pane *p, char **field, const char *text)
{
	char *copy = util_strdup0(text);
	if (!copy) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_ENOMEM, "out of memory");
		ui_show_error(p->ui, &err);
		return;
	}
	free(*field);
	*field = copy;
	if (save(p) == EBB_OK)
		ui_show_message(p->ui, "Draft saved");
	changed(p);
}

static void to_entered(struct ui *ui, const char *text, void *ctx)
{
	(void)ui;
	struct pane *p = ctx;
	field_entered(p, &priv(p)->d.to, text);
}

static void cc_entered(struct ui *ui, const char *text, void *ctx)
{
	(void)ui;
	struct pane *p = ctx;
	field_entered(p, &priv(p)->d.cc, text);
}

static void subject_entered(struct ui *ui, const char *text, void *ctx)
{
	(void)ui;
	struct pane *p = ctx;
	field_entered(p, &priv(p)->d.subject, text);
}

/* "Held until 11:00 (next reply block)" or "Queued". */
static void say_queued(struct ui *ui, const struct queued_mail *q)
{
	if (q->release_at > ui->now) {
		char when[40];
		ui_format_when(ui, q->release_at, when, sizeof(when));
		ui_show_message(ui, "Held until %s (next reply block)", when);
	} else {
		ui_show_message(ui, "Queued");
	}
}

static void send(struct pane *p);
static void postpone(struct pane *p);

static void context_chosen(struct ui *ui, int choice, void *ctx)
{
	(void)ui;
	struct pane *p = ctx;
	switch (choice) {
	case 0:
		edit(p);
		break;
	case 1:
		priv(p)->context_ok = 1;
		send(p);   /* may free p */
		break;
	default:
		postpone(p);   /* frees p */
		break;
	}
}

/* A new request (not a reply: the same rule as `ebb send`) is read for an
 * ask, a deadline and what it points at. Returns 1 when it asked the user
 * first; it never stops the mail, send anyway is one key. */
static int context_ask(struct pane *p)
{
	struct compose *c = priv(p);
	struct ui *ui = p->ui;
	const char *mode = ui->cfg->context_check;
	if (c->context_ok || (mode && !strcmp(mode, "off")) || c->d.conversation_id ||
	    (c->d.in_reply_to && c->d.in_reply_to[0]))
		return 0;
	struct policy_context ctx;
	if (policy_context_check(c->d.subject, c->d.body, 0, &ctx) || !ctx.missing)
		return 0;
	char title[160] = "Missing: ";
	const char *sep = "";
	for (unsigned bit = 1; bit && bit <= ctx.missing; bit <<= 1) {
		if (!(ctx.missing & bit))
			continue;
		size_t used = strlen(title);
		snprintf(title + used, sizeof(title) - used, "%s%s", sep,
			 policy_context_missing_name(bit));
		sep = ", ";
	}
	struct ui_menu_item items[3];
	memset(items, 0, sizeof(items));
	items[0].key = 'e';
	util_strlcpy(items[0].label, "Edit again to add it", sizeof(items[0].label));
	items[1].key = 's';
	util_strlcpy(items[1].label, "Send anyway", sizeof(items[1].label));
	items[2].key = 'd';
	util_strlcpy(items[2].label, "Keep as a draft", sizeof(items[2].label));
	ui_menu(ui, title, items, 3, context_chosen, p);
	/* The menu's title line is short; the status bar has room for the
	 * whole advice. */
	ui_show_message(ui, "%s", ctx.advice);
	return 1;
}

static void send(struct pane *p)
{
	struct compose *c = priv(p);
	struct ui *ui = p->ui;
	struct ebb_err err = { 0 };
	if (!c->d.to || !c->d.to[strspn(c->d.to, " ")]) {
		char key[16];
		keymap_keys_of(&ui->keys, ACT_EDIT_TO, 1, key, sizeof(key));
		ebb_err_set(&err, EBB_EINVAL, "The mail has no recipient: %s edits To", key);
		ui_show_error(ui, &err);
		return;
	}
	if (!c->acc) {
		ebb_err_set(&err, EBB_ENOENT, "The draft's account is not in the config: cannot send");
		ui_show_error(ui, &err);
		return;
	}
	if (context_ask(p))
		return;
	struct mime_draft md = {
		.to = c->d.to,
		.cc = c->d.cc && c->d.cc[0] ? c->d.cc : NULL,
		.subject = c->d.subject ? c->d.subject : "",
		.body = c->d.body ? c->d.body : "",
		.in_reply_to = c->d.in_reply_to,
		.references = c->d.refs,
	};
	struct queued_mail q;
	/* In a burst the conversation is live: its replies are not held. */
	int live = ui_burst_live(ui, c->d.conversation_id);
	if (sync_queue_mail(ui->cfg, ui->st, c->acc, &md, c->d.conversation_id,
			    live ? RELEASE_NOW : RELEASE_NEXT_BLOCK, 0, ui->now, &q, &err)) {
		ui_show_error(ui, &err);
		return;
	}
	if (live && ui->engine)
		sync_engine_kick(ui->engine);
	/* The round-up goes into the decision table as the user left it in the
	 * reply; the mail is queued whatever happens to it. */
	size_t counts[3] = { 0 };
	struct ebb_err rerr = { 0 };
	int rrc = EBB_OK;
	if (c->roundup && c->d.conversation_id)
		rrc = sync_roundup_save(ui->cfg, ui->st, c->d.conversation_id,
					c->d.body ? c->d.body : "", c->d.body ? strlen(c->d.body) : 0,
					ui->now, counts, &rerr);
	int was_roundup = c->roundup;
	/* Queued: the draft has done its job. A failure here leaves a draft
	 * the user can discard, never a lost mail. */
	struct ebb_err derr = { 0 };
	int drc = c->d.id ? store_draft_delete(ui->st, c->d.id, &derr) : EBB_OK;
	/* A reply session below moves on when it sees its reply went. */
	ui->last_queued_conv = c->d.conversation_id;
	ui_pop(ui);   /* frees p */
	if (drc)
		ui_show_error(ui, &derr);
	say_queued(ui, &q);
	if (was_roundup && rrc) {
		ebb_err_prefix(&rerr, "Reply queued, round-up not saved: ");
		ui_show_error(ui, &rerr);
	} else if (was_roundup) {
		char when[40] = "";
		if (q.release_at > ui->now)
			ui_format_when(ui, q.release_at, when, sizeof(when));
		ui_show_message(ui, "%s%s; round-up: %zu decision(s), %zu action(s), %zu question(s)",
				when[0] ? "Held until " : "Queued", when, counts[ROUNDUP_DECISION],
				counts[ROUNDUP_ACTION], counts[ROUNDUP_QUESTION]);
	}
}

static int is_empty(const struct store_draft *d)
{
	const char *fields[] = { d->to, d->cc, d->subject, d->body };
	for (size_t i = 0; i < 4; i++)
		if (fields[i] && fields[i][strspn(fields[i], " \t\n")])
			return 0;
	return 1;
}

/* q: the draft stays (it is saved already), unless nothing was written. */
static void postpone(struct pane *p)
{
	struct compose *c = priv(p);
	struct ui *ui = p->ui;
	int empty = is_empty(&c->d) && c->d.conversation_id == 0;
	long long id = c->d.id;
	long long from_outbox = c->from_outbox;
	ui_pop(ui);   /* frees p */
	if (empty && id) {
		store_draft_delete(ui->st, id, NULL);
		ui_show_message(ui, "Empty draft discarded");
		return;
	}
	char key[16];
	keymap_keys_of(&ui->keys, ACT_VIEW_DRAFTS, 1, key, sizeof(key));
	if (from_outbox)
		ui_show_message(ui, "Not queued: #%lld stays a draft \xE2\x80\x94 %s lists drafts",
				from_outbox, key);
	else
		ui_show_message(ui, "Draft kept \xE2\x80\x94 %s lists drafts", key);
}

/* ---- pane ops -------------------------------------------------------------- */

/* The round-up template above the quote: the reply's own text. */
static int add_roundup(struct pane *p, long long conv_id, struct ebb_err *err)
{
	struct compose *c = priv(p);
	struct ui *ui = p->ui;
	char *block = NULL;
	int rc = sync_roundup_template(ui->cfg, ui->st, conv_id, ui->now, &block, NULL, NULL, err);
	if (rc)
		return rc;
	/* Pre-filled from mail: no control characters into the editor. */
	char *clean = ui_clean(block, strlen(block), 1);
	free(block);
	if (!clean)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory writing the round-up");
	const char *quote = c->d.body ? c->d.body : "";
	size_t len = strlen(clean) + strlen(quote) + 2;
	char *body = malloc(len);
	if (!body) {
		free(clean);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory writing the round-up");
	}
	snprintf(body, len, "%s\n%s", clean, quote);
	free(clean);
	free(c->d.body);
	c->d.body = body;
	c->roundup = 1;
	return EBB_OK;
}

static int compose_init(struct pane *p, const void *arg, struct ebb_err *err)
{
	const struct compose_arg *a = arg;
	struct compose *c = calloc(1, sizeof(*c));
	if (!c)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening the draft");
	p->priv = c;
	int rc = EBB_OK;
	switch (a->kind) {
	case COMPOSE_REPLY:
	case COMPOSE_REPLY_ALL:
		rc = init_reply(p, a->conv_id, a->kind == COMPOSE_REPLY_ALL, err);
		if (!rc && a->roundup)
			rc = add_roundup(p, a->conv_id, err);
		break;
	case COMPOSE_DRAFT:
		rc = store_draft_get(p->ui->st, a->draft_id, &c->d, err);
		if (!rc)
			c->acc = c->d.account ? config_account(p->ui->cfg, c->d.account) : NULL;
		c->from_outbox = a->from_outbox;
		break;
	default:
		rc = set_account(p, a->acc, err);
		break;
	}
	/* Saved before the editor runs: a crash there keeps the reply's start. */
	if (!rc && a->kind != COMPOSE_DRAFT)
		rc = store_draft_save(p->ui->st, &c->d, p->ui->now, err);
	if (!rc && build_shown(p))
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory showing the draft");
	if (rc) {
		store_draft_clear(&c->d);
		free(c->shown);
		free(c);
		p->priv = NULL;
		return rc;
	}
	return EBB_OK;
}

static void compose_layout(struct pane *p, int lines, int cols)
{
	(void)lines;
	(void)cols;
	relayout(p);
}

static void compose_draw(struct pane *p)
{
	struct compose *c = priv(p);
	int cols = p->cols - 2 > 0 ? p->cols - 2 : p->cols;
	int x = p->cols - 2 > 0 ? 1 : 0;
	for (int i = 0; i < p->lines; i++) {
		size_t idx = c->scroll + (size_t)i;
		if (idx >= c->nlines)
			break;
		const struct cline *l = &c->lines[idx];
		char buf[UI_LINE_MAX];
		size_t len = l->len < sizeof(buf) - 1 ? l->len : sizeof(buf) - 1;
		memcpy(buf, l->text, len);
		buf[len] = '\0';
		int y = p->top + i;
		size_t label = l->label <= len ? l->label : 0;
		if (label) {
			char value[UI_LINE_MAX];
			memcpy(value, buf + label, len - label + 1);
			buf[label] = '\0';
			int used = ui_put(y, x, cols, buf, ui_attr(p->ui, UI_C_HEADER));
			ui_put(y, x + used, cols - used, value, A_NORMAL);
		} else {
			ui_put(y, x, cols, buf, buf[0] == '>' ? ui_attr(p->ui, UI_C_QUOTE) : A_NORMAL);
		}
	}
}

static int compose_action(struct pane *p, enum ui_action a)
{
	struct compose *c = priv(p);
	long target;
	if (ui_scroll_move(a, (long)c->scroll, (long)max_scroll(p), p->lines, &target)) {
		c->scroll = (size_t)target;
		return 1;
	}
	switch (a) {
	case ACT_EDIT:
	case ACT_OPEN:
		edit(p);
		return 1;
	case ACT_EDIT_TO:
		ui_prompt(p->ui, "To: ", c->d.to, to_entered, p);
		return 1;
	case ACT_EDIT_CC:
		ui_prompt(p->ui, "Cc: ", c->d.cc, cc_entered, p);
		return 1;
	case ACT_EDIT_SUBJECT:
		ui_prompt(p->ui, "Subject: ", c->d.subject, subject_entered, p);
		return 1;
	case ACT_SEND:
		send(p);   /* may free p */
		return 1;
	case ACT_BACK:
		postpone(p);   /* frees p */
		return 1;
	default:
		return 0;
	}
}

static void compose_title(struct pane *p, char *out, size_t outlen)
{
	struct compose *c = priv(p);
	char subject[256];
	const char *s = c->d.subject && c->d.subject[0] ? c->d.subject : "(no subject)";
	ui_sanitize(s, strnlen(s, 200), subject, sizeof(subject), 0);
	snprintf(out, outlen, "%s: %s", c->d.in_reply_to ? "Reply" : "New mail", subject);
}

static void compose_reload(struct pane *p)
{
	(void)p;   /* the draft is ours; sync does not change it */
}

static void compose_close(struct pane *p)
{
	struct compose *c = priv(p);
	store_draft_clear(&c->d);
	free(c->shown);
	free(c->lines);
	free(c);
}

static void compose_hints(struct pane *p, char *out, size_t outlen)
{
	struct ui *ui = p->ui;
	char send_key[16], edit_key[16], to_key[16], back[16], help[16];
	keymap_keys_of(&ui->keys, ACT_SEND, 1, send_key, sizeof(send_key));
	keymap_keys_of(&ui->keys, ACT_EDIT, 1, edit_key, sizeof(edit_key));
	keymap_keys_of(&ui->keys, ACT_EDIT_TO, 1, to_key, sizeof(to_key));
	keymap_keys_of(&ui->keys, ACT_BACK, 1, back, sizeof(back));
	keymap_keys_of(&ui->keys, ACT_HELP, 1, help, sizeof(help));
	snprintf(out, outlen, "%s:send %s:edit %s:to %s:postpone %s:help", send_key, edit_key,
		 to_key, back, help);
}

const struct pane_ops pane_compose_ops = {
	.name = "compose",
	.scope = SCOPE_COMPOSE,
	.init = compose_init,
	.layout = compose_layout,
	.draw = compose_draw,
	.handle_action = compose_action,
	.title = compose_title,
	.reload = compose_reload,
	.close = compose_close,
	.hints = compose_hints,
};

/* ---- opening ------------------------------------------------------------- */

int ui_compose_open(struct ui *ui, const struct compose_arg *arg)
{
	int rc = ui_push(ui, &pane_compose_ops, arg);
	if (rc)
		return rc;
	if (arg->kind != COMPOSE_DRAFT || arg->from_outbox)
		edit(ui_top(ui));
	return EBB_OK;
}

static void account_chosen(struct ui *ui, int choice, void *ctx)
{
	(void)ctx;
	if (choice < 0 || (size_t)choice >= ui->cfg->naccounts)
		return;
	struct compose_arg arg = { .kind = COMPOSE_NEW, .acc = &ui->cfg->accounts[choice] };
	ui_compose_open(ui, &arg);
}

void ui_compose_roundup(struct ui *ui, long long conv_id)
{
	struct compose_arg arg = { .kind = COMPOSE_REPLY, .conv_id = conv_id, .roundup = 1 };
	ui_compose_open(ui, &arg);
}

void ui_compose_start(struct ui *ui, enum compose_kind kind, long long conv_id)
{
	if (kind == COMPOSE_REPLY || kind == COMPOSE_REPLY_ALL) {
		struct compose_arg arg = { .kind = kind, .conv_id = conv_id };
		ui_compose_open(ui, &arg);
		return;
	}
	const struct ebb_config *cfg = ui->cfg;
	if (cfg->naccounts == 0) {
		struct ebb_err err = { 0 };
		ebb_err_set(&err, EBB_ENOENT,
			    "No account to send from: add an [account.NAME] with from = ADDRESS");
		ui_show_error(ui, &err);
		return;
	}
	if (cfg->naccounts == 1) {
		account_chosen(ui, 0, NULL);
		return;
	}
	struct ui_menu_item items[UI_MENU_MAX];
	size_t n = cfg->naccounts < UI_MENU_MAX ? cfg->naccounts : UI_MENU_MAX;
	memset(items, 0, sizeof(items));
	for (size_t i = 0; i < n; i++) {
		items[i].key = i < 9 ? (char)('1' + i) : 0;
		util_strlcpy(items[i].label, cfg->accounts[i].name, sizeof(items[i].label));
		util_strlcpy(items[i].detail, cfg->accounts[i].from ? cfg->accounts[i].from : "",
			     sizeof(items[i].detail));
		items[i].value = (long long)i;
	}
	ui_menu(ui, "Write from which account?", items, n, account_chosen, NULL);
}
