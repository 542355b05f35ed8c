/* ui/reply: what a reply starts with: the recipients (reply-all without
 * my own addresses), "Re: " once, threading ids, and the quoted message
 * under an attribution line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui_internal.h"

/* Bytes of a header value and of a quoted body taken from a message. */
#define REPLY_HEADER_MAX (64u * 1024)
#define REPLY_QUOTE_MAX (1024u * 1024)
/* References kept: the first id and the newest ones (RFC 5322 3.6.4). */
#define REFS_MAX 20

void compose_fields_clear(struct compose_fields *f)
{
	free(f->to);
	free(f->cc);
	free(f->subject);
	free(f->body);
	memset(f, 0, sizeof(*f));
}

void ui_reply_draft_clear(struct reply_draft *r)
{
	compose_fields_clear(&r->f);
	free(r->in_reply_to);
	free(r->refs);
	memset(r, 0, sizeof(*r));
}

void ui_addr_free(char **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

int ui_addr_split(const char *list, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!list)
		return EBB_OK;
	size_t cap = 0;
	const char *p = list;
	while (*p) {
		int quoted = 0, angle = 0;
		size_t i = 0;
		while (p[i] && (quoted || angle || p[i] != ',')) {
			if (p[i] == '\\' && quoted && p[i + 1])
				i++;
			else if (p[i] == '"')
				quoted = !quoted;
			else if (!quoted && p[i] == '<')
				angle = 1;
			else if (!quoted && p[i] == '>')
				angle = 0;
			i++;
		}
		const char *start = p;
		size_t len = i;
		while (len && (*start == ' ' || *start == '\t')) {
			start++;
			len--;
		}
		while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
			len--;
		if (len) {
			if (*n == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				char **grown = realloc(*out, ncap * sizeof(*grown));
				if (!grown)
					goto nomem;
				*out = grown;
				cap = ncap;
			}
			(*out)[*n] = util_strndup(start, len);
			if (!(*out)[*n])
				goto nomem;
			(*n)++;
		}
		p += i;
		if (*p == ',')
			p++;
	}
	return EBB_OK;
nomem:
	ui_addr_free(*out, *n);
	*out = NULL;
	*n = 0;
	return EBB_ENOMEM;
}

void ui_addr_bare(const char *entry, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	const char *lt = NULL;
	int quoted = 0;
	for (const char *p = entry; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '<' && !quoted)
			lt = p;
	}
	const char *start = lt ? lt + 1 : entry;
	size_t len = lt ? strcspn(start, ">") : strlen(start);
	while (len && (*start == ' ' || *start == '\t')) {
		start++;
		len--;
	}
	while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
		len--;
	if (len >= outlen)
		len = outlen - 1;
	for (size_t i = 0; i < len; i++) {
		char c = start[i];
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
}

char *ui_reply_subject(const char *subject)
{
	const char *s = subject ? subject : "";
	s += strspn(s, " \t");
	if (!strncasecmp(s, "re:", 3))
		return util_strdup0(s);
	struct sbuf sb = { 0 };
	if (sbuf_printf(&sb, "Re: %s", s)) {
		sbuf_free(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

/* "Ann Becker <ann@x>", with the name quoted when it holds specials. */
static int put_mailbox(struct sbuf *sb, const char *name, const char *addr)
{
	if (!name || !name[0] || !strcmp(name, addr))
		return sbuf_puts(sb, addr);
	if (strpbrk(name, "()<>[]:;@\\,.\"")) {
		int rc = sbuf_putc(sb, '"');
		for (const char *p = name; !rc && *p; p++)
			rc = (*p == '"' || *p == '\\') ? sbuf_printf(sb, "\\%c", *p) : sbuf_putc(sb, *p);
		return rc ? rc : sbuf_printf(sb, "\" <%s>", addr);
	}
	return sbuf_printf(sb, "%s <%s>", name, addr);
}

/* Address lists being built, with the bare addresses already in them. */
struct addr_set {
	struct sbuf text;
	char **bare;
	size_t n, cap;
};

static int seen_in(const struct addr_set *set, const char *bare)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->bare[i], bare))
			return 1;
	return 0;
}

static int set_add_bare(struct addr_set *set, const char *bare)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		char **grown = realloc(set->bare, cap * sizeof(*grown));
		if (!grown)
			return EBB_ENOMEM;
		set->bare = grown;
		set->cap = cap;
	}
	set->bare[set->n] = util_strdup0(bare);
	if (!set->bare[set->n])
		return EBB_ENOMEM;
	set->n++;
	return EBB_OK;
}

/* Adds each entry of list to `into` unless it is mine or already in
 * `into` or `also`. */
static int add_entries(struct addr_set *into, const struct addr_set *also,
		       const struct account_cfg *acc, const char *list)
{
	char **entries;
	size_t n;
	if (ui_addr_split(list, &entries, &n))
		return EBB_ENOMEM;
	int rc = EBB_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		char bare[512];
		ui_addr_bare(entries[i], bare, sizeof(bare));
		if (!strchr(bare, '@') || config_is_me(acc, bare) || seen_in(into, bare) ||
		    (also && seen_in(also, bare)))
			continue;
		char *clean = ui_clean(entries[i], REPLY_HEADER_MAX, 0);
		if (!clean) {
			rc = EBB_ENOMEM;
			break;
		}
		if (into->text.len)
			rc = sbuf_puts(&into->text, ", ");
		if (!rc)
			rc = sbuf_puts(&into->text, clean);
		free(clean);
		if (!rc)
			rc = set_add_bare(into, bare);
	}
	ui_addr_free(entries, n);
	return rc;
}

static void set_free(struct addr_set *set)
{
	sbuf_free(&set->text);
	for (size_t i = 0; i < set->n; i++)
		free(set->bare[i]);
	free(set->bare);
	memset(set, 0, sizeof(*set));
}

static char *set_take(struct addr_set *set)
{
	char *s = sbuf_detach(&set->text);
	return s;
}

/* "> " before every line; the quoted message's own signature left out. */
static int quote_body(const char *body, struct sbuf *out)
{
	char *clean = ui_clean(body, REPLY_QUOTE_MAX, 1);
	if (!clean)
		return EBB_ENOMEM;
	size_t end = strlen(clean);
	for (const char *p = clean; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if ((len == 3 && !memcmp(p, "-- ", 3)) || (len == 2 && !memcmp(p, "--", 2))) {
			end = (size_t)(p - clean);
			break;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	while (end && (clean[end - 1] == '\n' || clean[end - 1] == ' '))
		end--;
	int rc = EBB_OK;
	const char *p = clean;
	const char *stop = clean + end;
	while (!rc && p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		rc = sbuf_puts(out, len ? (*p == '>' ? ">" : "> ") : ">");
		if (!rc)
			rc = sbuf_append(out, p, len);
		if (!rc)
			rc = sbuf_putc(out, '\n');
		p += len + (nl ? 1 : 0);
	}
	free(clean);
	return rc;
}

/* References of the reply: the parent's, then the parent, at most REFS_MAX
 * ids (the first and the newest). */
static int build_refs(const char *refs, const char *msgid, char **out)
{
	char *ids[REFS_MAX + 1];
	size_t n = 0;
	char *copy = util_strdup0(refs ? refs : "");
	if (!copy)
		return EBB_ENOMEM;
	char *first = NULL;
	char *save = NULL;
	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!first) {
			first = tok;
			continue;
		}
		if (n == REFS_MAX - 2) {
			memmove(ids, ids + 1, (n - 1) * sizeof(ids[0]));
			n--;
		}
		ids[n++] = tok;
	}
	struct sbuf sb = { 0 };
	int rc = EBB_OK;
	if (first)
		rc = sbuf_puts(&sb, first);
	for (size_t i = 0; i < n && !rc; i++)
		rc = sbuf_printf(&sb, " %s", ids[i]);
	if (!rc && msgid && msgid[0])
		rc = sbuf_printf(&sb, "%s%s", sb.len ? " " : "", msgid);
	free(copy);
	if (rc) {
		sbuf_free(&sb);
		return EBB_ENOMEM;
	}
	*out = sb.len ? sbuf_detach(&sb) : NULL;
	sbuf_free(&sb);
	return EBB_OK;
}

int ui_reply_build(const struct ebb_config *cfg, const struct account_cfg *acc,
		   const struct msg_row *msg, int all, struct reply_draft *out)
{
	memset(out, 0, sizeof(*out));
	struct addr_set to = { 0 }, cc = { 0 };
	struct sbuf body = { 0 };
	int rc = EBB_OK;
	const char *sender = msg->sender ? msg->sender : "";
	if (msg->from_me) {
		/* Following up on my own message: to the people it went to. */
		rc = add_entries(&to, NULL, acc, msg->recipients);
		if (!rc && all)
			rc = add_entries(&cc, &to, acc, msg->cc);
	} else {
		struct sbuf one = { 0 };
		char *name = ui_clean(msg->sender_name, REPLY_HEADER_MAX, 0);
		rc = name ? put_mailbox(&one, name, sender) : EBB_ENOMEM;
		free(name);
		if (!rc)
			rc = add_entries(&to, NULL, acc, one.buf ? one.buf : "");
		sbuf_free(&one);
		if (!rc && all)
			rc = add_entries(&to, NULL, acc, msg->recipients);
		if (!rc && all)
			rc = add_entries(&cc, &to, acc, msg->cc);
	}
	/* Attribution: "On Tue, 24 Nov 2026 09:00 +0100, Ann Becker wrote:". */
	char date[64];
	ui_format_date(msg->sent_at, cfg->tz, date, sizeof(date));
	char *who = ui_clean(msg->sender_name && msg->sender_name[0] ? msg->sender_name : sender,
			     REPLY_HEADER_MAX, 0);
	if (!rc && !who)
		rc = EBB_ENOMEM;
	if (!rc)
		rc = date[0] ? sbuf_printf(&body, "On %s, %s wrote:\n", date, who)
			     : sbuf_printf(&body, "%s wrote:\n", who);
	free(who);
	if (!rc && msg->body)
		rc = quote_body(msg->body, &body);
	if (!rc)
		rc = sbuf_putc(&body, '\n');
	if (!rc) {
		char *subject = ui_clean(msg->subject, REPLY_HEADER_MAX, 0);
		out->f.subject = subject ? ui_reply_subject(subject) : NULL;
		free(subject);
		out->f.to = set_take(&to);
		out->f.cc = set_take(&cc);
		out->f.body = sbuf_detach(&body);
		out->in_reply_to = msg->msgid && msg->msgid[0] ? util_strdup0(msg->msgid) : NULL;
		if (!out->f.subject || !out->f.to || !out->f.cc || !out->f.body ||
		    (msg->msgid && msg->msgid[0] && !out->in_reply_to) ||
		    build_refs(msg->refs, msg->msgid, &out->refs))
			rc = EBB_ENOMEM;
	}
	set_free(&to);
	set_free(&cc);
	sbuf_free(&body);
	if (rc)
		ui_reply_draft_clear(out);
	return rc;
}
