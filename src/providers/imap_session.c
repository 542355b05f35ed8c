/* providers/imap_session: one IMAP session over net/: tags of ebb's own,
 * commands with literals, responses through ebb's parser. Any network or
 * parser error leaves the session broken; the provider then reconnects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/store.h"
#include "imap_int.h"

#define RBUF_SIZE (64u * 1024)

static const struct { const char *name; unsigned bit; } cap_names[] = {
	{"IMAP4rev2", IMAP_CAP_IMAP4REV2}, {"LITERAL+", IMAP_CAP_LITERAL_PLUS},
	{"LITERAL-", IMAP_CAP_LITERAL_MINUS}, {"CONDSTORE", IMAP_CAP_CONDSTORE},
	{"QRESYNC", IMAP_CAP_QRESYNC}, {"ENABLE", IMAP_CAP_ENABLE}, {"IDLE", IMAP_CAP_IDLE},
	{"MOVE", IMAP_CAP_MOVE}, {"UIDPLUS", IMAP_CAP_UIDPLUS}, {"ESEARCH", IMAP_CAP_ESEARCH},
	{"LIST-EXTENDED", IMAP_CAP_LIST_EXTENDED}, {"SPECIAL-USE", IMAP_CAP_SPECIAL_USE},
};

unsigned imap_flags_from_list(const struct imap_value *flags)
{
	static const struct { const char *atom; unsigned bit; } map[] = {
		{"\\Seen", MSG_SEEN}, {"\\Flagged", MSG_FLAGGED}, {"\\Answered", MSG_ANSWERED},
		{"\\Draft", MSG_DRAFT}, {"\\Deleted", MSG_DELETED},
	};
	unsigned f = 0;
	for (size_t i = 0; flags && i < sizeof map / sizeof map[0]; i++)
		if (imap_list_has_atom(flags, map[i].atom))
			f |= map[i].bit;
	return f;
}

static void drop(struct imap_session *s)
{
	s->broken = true;
	net_imap_close(s->conn);
	s->conn = NULL;
	free(s->selected);
	s->selected = NULL;
}

void imap_session_close(struct imap_session *s, bool logout)
{
	if (logout && s->conn && !s->broken) {
		struct imap_cmd c;
		if (!imap_session_begin(s, &c, NULL) && !imap_cmd_add(&c, NULL, "LOGOUT") &&
		    !imap_cmd_end(&c, NULL))
			imap_session_run(s, &c, "LOGOUT", NULL, NULL, NULL);
		else
			imap_cmd_free(&c);
	}
	net_imap_close(s->conn);
	imap_parser_free(s->parser);
	free(s->rbuf);
	free(s->selected);
	if (s->log)
		fclose(s->log);
	memset(s, 0, sizeof *s);
}

static void set_caps(struct imap_session *s, const struct imap_value *list)
{
	s->caps = 0;
	for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
		if (imap_list_has_atom(list, cap_names[i].name))
			s->caps |= cap_names[i].bit;
}

int imap_session_send(struct imap_session *s, const char *text, size_t len,
		      struct ebb_err *err)
{
	if (!s->conn || s->broken)
		return ebb_err_set(err, EBB_ENET, "the IMAP connection was lost");
	int rc = net_imap_send(s->conn, text, len, err);
	if (rc)
		drop(s);
	return rc;
}

int imap_session_read(struct imap_session *s, long timeout_ms, struct imap_response **out,
		      struct ebb_err *err)
{
	*out = NULL;
	if (!s->conn || s->broken)
		return ebb_err_set(err, EBB_ENET, "the IMAP connection was lost");
	for (;;) {
		if (s->rpos < s->rlen) {
			size_t used = 0;
			struct ebb_err perr = {0};
			int rc = imap_parser_feed(s->parser, s->rbuf + s->rpos, s->rlen - s->rpos, &used,
						  out, &perr);
			s->rpos += used;
			if (rc < 0) {
				drop(s);
				return ebb_err_set(err, rc, "the server sent something ebb cannot read, "
						   "so it dropped the connection: %s", perr.msg);
			}
			if (rc == 1) {
				const struct imap_response *r = *out;
				if (r->kind == IMAP_UNTAGGED && r->status == IMAP_ST_BYE)
					net_clean_text(r->text ? r->text : "", s->bye, sizeof s->bye);
				if (r->kind == IMAP_UNTAGGED && r->data == IMAP_DATA_CAPABILITY)
					set_caps(s, &r->args);
				return EBB_OK;
			}
			continue;
		}
		size_t got;
		struct ebb_err nerr = {0};
		int rc = net_imap_recv(s->conn, s->rbuf, RBUF_SIZE, &got, timeout_ms, &nerr);
		if (rc == EBB_ETIMEOUT && !imap_parser_pending(s->parser))
			return ebb_err_set(err, rc, "%s", nerr.msg);
		if (rc) {
			drop(s);
			if (s->bye[0])
				return ebb_err_set(err, rc, "the server closed the connection: %s", s->bye);
			return ebb_err_set(err, rc, "%s", nerr.msg);
		}
		s->rpos = 0;
		s->rlen = got;
	}
}

int imap_session_begin(struct imap_session *s, struct imap_cmd *c, struct ebb_err *err)
{
	enum imap_literal_mode mode = IMAP_LIT_SYNC;
	if (s->caps & IMAP_CAP_LITERAL_PLUS)
		mode = IMAP_LIT_PLUS;
	else if (s->caps & (IMAP_CAP_LITERAL_MINUS | IMAP_CAP_IMAP4REV2))
		mode = IMAP_LIT_MINUS;
	imap_cmd_init(c, mode);
	snprintf(s->tag, sizeof s->tag, "e%u", ++s->next_tag);
	return imap_cmd_add(c, err, "%s ", s->tag);
}

static void log_command(struct imap_session *s, const struct imap_cmd *c)
{
	if (!s->log)
		return;
	/* The first line only: literals (message bodies) stay out of the log. */
	size_t n = c->buf.len;
	const char *crlf = memchr(c->buf.buf, '\r', n);
	if (crlf)
		n = (size_t)(crlf - c->buf.buf);
	if (n > 300)
		n = 300;
	fprintf(s->log, "C: %.*s\n", (int)n, c->buf.buf);
	fflush(s->log);
}

static bool is_ours(const struct imap_session *s, const struct imap_response *r)
{
	return r->kind == IMAP_TAGGED && r->tag && !strcmp(r->tag, s->tag);
}

static int tagged_result(struct imap_session *s, const struct imap_response *r,
			 const char *what, struct ebb_err *err)
{
	snprintf(s->code, sizeof s->code, "%s", r->code ? r->code : "");
	net_clean_text(r->text ? r->text : "", s->text, sizeof s->text);
	if (r->status == IMAP_ST_OK)
		return EBB_OK;
	return ebb_err_set(err, EBB_EPROTO, "the server refused %s: %s%s%s%s", what,
			   s->code[0] ? "[" : "", s->code, s->code[0] ? "] " : "", s->text);
}

int imap_session_run(struct imap_session *s, struct imap_cmd *c, const char *what,
		     imap_untagged_fn fn, void *ctx, struct ebb_err *err)
{
	int rc = EBB_OK;
	if (!s->conn || s->broken) {
		imap_cmd_free(c);
		return ebb_err_set(err, EBB_ENET, "the IMAP connection was lost");
	}
	log_command(s, c);
	s->code[0] = s->text[0] = '\0';
	size_t sent = 0;
	struct imap_response *r = NULL;
	for (size_t i = 0; i <= c->nsync; i++) {
		size_t upto = i < c->nsync ? c->sync_at[i] : c->buf.len;
		if ((rc = imap_session_send(s, c->buf.buf + sent, upto - sent, err)))
			goto out;
		sent = upto;
		if (i == c->nsync)
			break;
		/* A synchronising literal: the server says "+" before the bytes. */
		for (;;) {
			if ((rc = imap_session_read(s, 0, &r, err)))
				goto fail;
			if (r->kind == IMAP_CONTINUE)
				break;
			if (is_ours(s, r)) {
				rc = tagged_result(s, r, what, err);
				if (!rc)
					rc = ebb_err_set(err, EBB_EPROTO, "the server ended %s before its data",
							 what);
				goto out;
			}
			if (r->kind == IMAP_UNTAGGED && fn && (rc = fn(ctx, r, err)))
				goto fail;
			imap_response_free(r);
			r = NULL;
		}
		imap_response_free(r);
		r = NULL;
	}
	for (;;) {
		if ((rc = imap_session_read(s, 0, &r, err)))
			goto fail;
		if (is_ours(s, r)) {
			rc = tagged_result(s, r, what, err);
			goto out;
		}
		if (r->kind == IMAP_UNTAGGED && fn && (rc = fn(ctx, r, err)))
			goto fail;
		imap_response_free(r);
		r = NULL;
	}
fail:
	/* Half way through a command nothing can be trusted about the stream. */
	if (s->conn)
		drop(s);
	if (err && (rc == EBB_ENET || rc == EBB_ETIMEOUT) && strcmp(err->msg, "interrupted")) {
		char msg[EBB_ERRLEN];
		snprintf(msg, sizeof msg, "%s", err->msg);
		ebb_err_set(err, rc, "%s, trying %s", msg, what);
	}
out:
	imap_response_free(r);
	imap_cmd_free(c);
	return rc;
}

static int enabled_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	(void)err;
	struct imap_session *s = ctx;
	if (r->data == IMAP_DATA_ENABLED && imap_list_has_atom(&r->args, "QRESYNC"))
		s->qresync = true;
	return EBB_OK;
}

/* A command of fixed text. */
static int simple(struct imap_session *s, const char *text, imap_untagged_fn fn, void *ctx,
		  struct ebb_err *err)
{
	struct imap_cmd c;
	int rc = imap_session_begin(s, &c, err);
	if (!rc)
		rc = imap_cmd_add(&c, err, "%s", text);
	if (!rc)
		rc = imap_cmd_end(&c, err);
	if (rc) {
		imap_cmd_free(&c);
		return rc;
	}
	return imap_session_run(s, &c, text, fn, ctx, err);
}

int imap_session_open(struct imap_session *s, const struct net_mail_login *l,
		      struct ebb_err *err)
{
	memset(s, 0, sizeof *s);
	const char *log = getenv("EBB_IMAP_LOG");
	if (log && *log)
		s->log = fopen(log, "ae");
	int rc = imap_parser_new(NULL, &s->parser, err);
	if (rc)
		return rc;
	if (!(s->rbuf = malloc(RBUF_SIZE)))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	if ((rc = net_imap_connect(l, &s->conn, err))) {
		s->broken = true;
		return rc;
	}
	/* libcurl kept the capabilities it saw at login to itself. */
	if ((rc = simple(s, "CAPABILITY", NULL, NULL, err)))
		return rc;
	if ((s->caps & IMAP_CAP_QRESYNC) && (s->caps & IMAP_CAP_ENABLE) &&
	    (rc = simple(s, "ENABLE QRESYNC", enabled_cb, s, err)) && s->broken)
		return rc;
	return EBB_OK;
}

int imap_session_select(struct imap_session *s, const char *raw, bool rw, const char *extra,
			imap_untagged_fn fn, void *ctx, struct ebb_err *err)
{
	if (!extra && s->selected && !strcmp(s->selected, raw) && (s->selected_rw || !rw))
		return EBB_OK;
	free(s->selected);
	s->selected = NULL;
	struct imap_cmd c;
	int rc = imap_session_begin(s, &c, err);
	if (!rc)
		rc = imap_cmd_add(&c, err, "%s ", rw ? "SELECT" : "EXAMINE");
	if (!rc)
		rc = imap_cmd_string(&c, raw, strlen(raw), err);
	if (!rc && extra && extra[0])
		rc = imap_cmd_add(&c, err, " %s", extra);
	if (!rc)
		rc = imap_cmd_end(&c, err);
	if (rc) {
		imap_cmd_free(&c);
		return rc;
	}
	char what[160];
	struct sbuf name = {0};
	if (imap_mutf7_decode(raw, strlen(raw), &name, NULL))
		sbuf_puts(&name, raw);
	char shown[120];
	net_clean_text(name.buf ? name.buf : raw, shown, sizeof shown);
	sbuf_free(&name);
	snprintf(what, sizeof what, "to open mailbox %s", shown);
	rc = imap_session_run(s, &c, what, fn, ctx, err);
	if (!rc) {
		s->selected = strdup(raw);
		s->selected_rw = rw;
		if (!s->selected)
			return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	return rc;
}
