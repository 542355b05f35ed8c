/* providers/slack: a Slack workspace (Web API, user token) as channels and
 * messages: one conversation the user is in per batch, threads and days as
 * conversations, mrkdwn as plain text. The mapping is in docs/chat.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_int.h"
#include "slack_int.h"

#define SK_PAGE 200                /* messages or channels asked for per page */
#define SK_FIRST_SYNC 200          /* a channel new to ebb starts with this much history */
#define SK_WINDOW_MSGS 200         /* older messages re-read for news in their threads */
#define SK_WINDOW_SECONDS (2 * 86400)
/* Messages this close below the cursor are asked for again (and skipped
 * when stored): a reply posted to a thread while the pull was reading
 * others gets an older ts than what the pull saw last. */
#define SK_OVERLAP_SECONDS 120
#define SK_OVERLAP_MAX 10000
#define SK_MAX_PAGES 50            /* of one channel's history in one pull */
#define SK_MAX_REPLY_PAGES 20
#define SK_MAX_THREADS 100         /* threads with news fetched per channel and pull */
#define SK_MAX_CONVS 5000
#define SK_SUBJECT_MAX 120

static int nomem(struct ebb_err *err)
{
	return ebb_err_set(err, EBB_ENOMEM, "out of memory");
}

int sk_id_ok(const char *s)
{
	size_t len = s ? strnlen(s, SK_MAX_ID + 1) : 0;
	if (!len || len > SK_MAX_ID)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* ---- the conversations the user is in ---------------------------------------- */

static int add_conv(struct slack *s, const cJSON *c, size_t *cap)
{
	const char *id, *name = NULL, *user = NULL;
	int is_im = 0, is_mpim = 0, is_private = 0, is_member = 0, archived = 0;
	if (!cJSON_IsObject(c) || json_get_string(c, "id", &id, NULL) || !sk_id_ok(id) ||
	    json_opt_bool(c, "is_im", &is_im, NULL) || json_opt_bool(c, "is_mpim", &is_mpim, NULL) ||
	    json_opt_bool(c, "is_private", &is_private, NULL) ||
	    json_opt_bool(c, "is_archived", &archived, NULL) ||
	    json_opt_string(c, "name", &name, NULL) || json_opt_string(c, "user", &user, NULL))
		return EBB_OK;   /* one odd entry must not stop the account */
	/* IMs carry no is_member: being listed is being in them. */
	if (json_opt_bool(c, "is_member", &is_member, NULL) || (!is_member && !is_im) || archived)
		return EBB_OK;
	if (is_im && !sk_id_ok(user))
		return EBB_OK;
	if (s->nconvs >= SK_MAX_CONVS)
		return EBB_OK;
	if (s->nconvs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct sk_conv *grown = realloc(s->convs, ncap * sizeof *grown);
		if (!grown)
			return EBB_ENOMEM;
		s->convs = grown;
		*cap = ncap;
	}
	struct sk_conv *k = &s->convs[s->nconvs++];
	memset(k, 0, sizeof *k);
	snprintf(k->id, sizeof k->id, "%s", id);
	snprintf(k->name, sizeof k->name, "%.*s", SK_MAX_NAME, name ? name : "");
	if (is_im)
		snprintf(k->user, sizeof k->user, "%s", user);
	k->is_im = is_im;
	k->is_mpim = is_mpim;
	k->is_private = is_private;
	return EBB_OK;
}

static int list_conversations(struct slack *s, struct ebb_err *err)
{
	char next[1024] = "";
	size_t cap = 0;
	for (int page = 0; page < SK_MAX_PAGES; page++) {
		struct sbuf query = {0};
		if (sbuf_printf(&query, "types=public_channel,private_channel,mpim,im"
				"&exclude_archived=true&limit=%d", SK_PAGE) ||
		    (next[0] && (sbuf_puts(&query, "&cursor=") || net_url_escape(&query, next)))) {
			sbuf_free(&query);
			return nomem(err);
		}
		cJSON *resp;
		int rc = sk_call(s, "conversations.list", NULL, query.buf, NULL, NULL, &resp, err);
		sbuf_free(&query);
		if (rc)
			return rc;
		const cJSON *channels, *meta = NULL, *c;
		const char *cursor = NULL;
		struct ebb_err jerr;
		if (json_get_array(resp, "channels", &channels, &jerr) ||
		    json_opt_object(resp, "response_metadata", &meta, &jerr) ||
		    (meta && json_opt_string(meta, "next_cursor", &cursor, &jerr))) {
			cJSON_Delete(resp);
			return ebb_err_set(err, EBB_EPARSE, "slack conversations.list: %s; will retry "
					   "next sync", jerr.msg);
		}
		cJSON_ArrayForEach(c, channels) {
			if (add_conv(s, c, &cap)) {
				cJSON_Delete(resp);
				return nomem(err);
			}
		}
		int more = cursor && cursor[0] && strlen(cursor) < sizeof next;
		if (more)
			snprintf(next, sizeof next, "%s", cursor);
		cJSON_Delete(resp);
		if (!more)
			return EBB_OK;
	}
	return EBB_OK;
}

static const struct store_channel *known_channel(const struct slack *s, const char *id)
{
	for (size_t i = 0; i < s->nknown; i++)
		if (!strcmp(s->known[i].remote_id, id))
			return &s->known[i];
	return NULL;
}

/* ---- one channel's messages ---------------------------------------------------- */

struct entry {
	const cJSON *msg;
	const char *ts;
	const cJSON *parent;       /* the thread's root when known (replies) */
};

struct pull {
	struct slack *s;
	const struct sk_conv *conv;
	char display[SK_MAX_NAME + 2];   /* channel name as shown: "general", "Ann" */
	char day_subject[SK_MAX_NAME + 2];
	const char *old;           /* the stored cursor, NULL on the first sync */
	char floor[32];            /* old minus the overlap: newer may be new */
	char (*stored)[32];        /* messages stored between floor and old */
	size_t nstored, capstored;
	cJSON **pages;             /* answers the entries point into */
	size_t npages;
	struct entry *e;
	size_t n, cap;
	char newest[32];           /* the newest ts seen: the next cursor */
};

static void pull_free(struct pull *pl)
{
	for (size_t i = 0; i < pl->npages; i++)
		cJSON_Delete(pl->pages[i]);
	free(pl->pages);
	free(pl->e);
	free(pl->stored);
}

static int collect_stored(void *ctx, const char *remote_id, unsigned flags)
{
	(void)flags;
	struct pull *pl = ctx;
	if (sk_ts_cmp(remote_id, pl->floor) <= 0 || strlen(remote_id) >= sizeof pl->stored[0] ||
	    pl->nstored >= SK_OVERLAP_MAX)
		return 0;
	if (pl->nstored == pl->capstored) {
		size_t cap = pl->capstored ? pl->capstored * 2 : 32;
		char (*grown)[32] = realloc(pl->stored, cap * sizeof *grown);
		if (!grown)
			return EBB_ENOMEM;
		pl->stored = grown;
		pl->capstored = cap;
	}
	snprintf(pl->stored[pl->nstored++], sizeof pl->stored[0], "%s", remote_id);
	return 0;
}

static int keep_page(struct pull *pl, cJSON *resp)
{
	cJSON **grown = realloc(pl->pages, (pl->npages + 1) * sizeof *grown);
	if (!grown) {
		cJSON_Delete(resp);
		return EBB_ENOMEM;
	}
	pl->pages = grown;
	pl->pages[pl->npages++] = resp;
	return EBB_OK;
}

static int add_entry(struct pull *pl, const cJSON *msg, const char *ts, const cJSON *parent)
{
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 64;
		struct entry *grown = realloc(pl->e, cap * sizeof *grown);
		if (!grown)
			return EBB_ENOMEM;
		pl->e = grown;
		pl->cap = cap;
	}
	pl->e[pl->n++] = (struct entry){.msg = msg, .ts = ts, .parent = parent};
	if (sk_ts_cmp(ts, pl->newest) > 0)
		snprintf(pl->newest, sizeof pl->newest, "%s", ts);
	return EBB_OK;
}

static const char *ts_of(const cJSON *m)
{
	const char *ts;
	if (!cJSON_IsObject(m) || json_get_string(m, "ts", &ts, NULL) || sk_ts_cmp(ts, "0.0") <= 0)
		return NULL;
	return ts;
}

/* Not stored yet: newer than the cursor, or in the overlap and not stored. */
static int is_new(const struct pull *pl, const char *ts)
{
	if (!pl->old || sk_ts_cmp(ts, pl->old) > 0)
		return 1;
	if (sk_ts_cmp(ts, pl->floor) <= 0)
		return 0;
	for (size_t i = 0; i < pl->nstored; i++)
		if (!strcmp(pl->stored[i], ts))
			return 0;
	return 1;
}

/* The replies of a thread newer than the cursor (all on the first sync). */
static int fetch_replies(struct pull *pl, const char *thread_ts, struct ebb_err *err)
{
	char next[1024] = "", label[SK_MAX_NAME + 48];
	snprintf(label, sizeof label, "conversations.replies %s", pl->day_subject);
	const cJSON *parent = NULL;   /* kept across pages: later ones may not repeat it */
	for (int page = 0; page < SK_MAX_REPLY_PAGES; page++) {
		struct sbuf q = {0};
		if (sbuf_puts(&q, "channel=") || net_url_escape(&q, pl->conv->id) ||
		    sbuf_puts(&q, "&ts=") || net_url_escape(&q, thread_ts) ||
		    sbuf_printf(&q, "&limit=%d", SK_PAGE) ||
		    (pl->old && (sbuf_puts(&q, "&oldest=") || net_url_escape(&q, pl->floor))) ||
		    (next[0] && (sbuf_puts(&q, "&cursor=") || net_url_escape(&q, next)))) {
			sbuf_free(&q);
			return nomem(err);
		}
		cJSON *resp;
		int rc = sk_call(pl->s, "conversations.replies", label, q.buf, NULL, NULL, &resp, err);
		sbuf_free(&q);
		if (rc == EBB_ENOENT)
			return EBB_OK;   /* the thread went away meanwhile */
		if (rc)
			return rc;
		if (keep_page(pl, resp))
			return nomem(err);
		const cJSON *msgs, *meta = NULL, *m;
		const char *cursor = NULL;
		struct ebb_err jerr;
		if (json_get_array(resp, "messages", &msgs, &jerr) ||
		    json_opt_object(resp, "response_metadata", &meta, &jerr) ||
		    (meta && json_opt_string(meta, "next_cursor", &cursor, &jerr)))
			return ebb_err_set(err, EBB_EPARSE, "slack %s: %s; will retry next sync", label,
					   jerr.msg);
		cJSON_ArrayForEach(m, msgs) {
			const char *ts = ts_of(m);
			if (ts && !strcmp(ts, thread_ts))
				parent = m;
		}
		cJSON_ArrayForEach(m, msgs) {
			const char *ts = ts_of(m);
			if (!ts || !strcmp(ts, thread_ts) || !is_new(pl, ts))
				continue;
			if (add_entry(pl, m, ts, parent))
				return nomem(err);
		}
		if (!cursor || !cursor[0] || strlen(cursor) >= sizeof next)
			return EBB_OK;
		snprintf(next, sizeof next, "%s", cursor);
	}
	return EBB_OK;
}

/* History since the cursor, plus a window of older messages whose threads
 * may have news: Slack does not bring a parent back when a reply arrives. */
static int fetch_history(struct pull *pl, struct ebb_err *err)
{
	char next[1024] = "", oldest[32] = "", label[SK_MAX_NAME + 48];
	snprintf(label, sizeof label, "conversations.history %s", pl->day_subject);
	if (pl->old) {
		struct sk_ts t;
		sk_ts_parse(pl->old, &t);
		t.sec = t.sec > SK_WINDOW_SECONDS ? t.sec - SK_WINDOW_SECONDS : 0;
		t.usec = 0;
		sk_ts_format(&t, oldest, sizeof oldest);
	}
	size_t fetched = 0, window = 0, threads = 0;
	for (int page = 0; page < SK_MAX_PAGES; page++) {
		struct sbuf q = {0};
		if (sbuf_puts(&q, "channel=") || net_url_escape(&q, pl->conv->id) ||
		    sbuf_printf(&q, "&limit=%d", SK_PAGE) ||
		    (oldest[0] && sbuf_printf(&q, "&oldest=%s", oldest)) ||
		    (next[0] && (sbuf_puts(&q, "&cursor=") || net_url_escape(&q, next)))) {
			sbuf_free(&q);
			return nomem(err);
		}
		cJSON *resp;
		int rc = sk_call(pl->s, "conversations.history", label, q.buf, NULL, NULL, &resp,
				 err);
		sbuf_free(&q);
		if (rc)
			return rc;
		if (keep_page(pl, resp))
			return nomem(err);
		const cJSON *msgs, *meta = NULL, *m;
		const char *cursor = NULL;
		struct ebb_err jerr;
		if (json_get_array(resp, "messages", &msgs, &jerr) ||
		    json_opt_object(resp, "response_metadata", &meta, &jerr) ||
		    (meta && json_opt_string(meta, "next_cursor", &cursor, &jerr)))
			return ebb_err_set(err, EBB_EPARSE, "slack %s: %s; will retry next sync", label,
					   jerr.msg);
		size_t fresh = 0;
		cJSON_ArrayForEach(m, msgs) {
			const char *ts = ts_of(m), *thread_ts = NULL, *latest = NULL;
			long long replies = 0;
			if (!ts)
				continue;
			fetched++;
			if (is_new(pl, ts)) {
				fresh++;
				if (add_entry(pl, m, ts, NULL))
					return nomem(err);
			}
			/* A thread root with replies newer than the cursor. */
			if (json_opt_string(m, "thread_ts", &thread_ts, NULL) ||
			    json_opt_int(m, "reply_count", &replies, NULL) ||
			    json_opt_string(m, "latest_reply", &latest, NULL) || !thread_ts ||
			    strcmp(thread_ts, ts) || replies <= 0)
				continue;
			if (pl->old && latest && sk_ts_cmp(latest, pl->floor) <= 0)
				continue;
			if (threads++ >= SK_MAX_THREADS)
				continue;
			if ((rc = fetch_replies(pl, ts, err)))
				return rc;
		}
		if (pl->old && !fresh)
			window += (size_t)cJSON_GetArraySize(msgs);
		if (!cursor || !cursor[0] || strlen(cursor) >= sizeof next)
			break;
		if (!pl->old && fetched >= SK_FIRST_SYNC)
			break;
		if (pl->old && window >= SK_WINDOW_MSGS)
			break;
		snprintf(next, sizeof next, "%s", cursor);
	}
	return EBB_OK;
}

static const char *resolve_name(void *ctx, char kind, const char *id)
{
	struct slack *s = ctx;
	if (kind == '@')
		return sk_user_name(s, id);
	for (size_t i = 0; i < s->nconvs; i++)
		if (!strcmp(s->convs[i].id, id) && s->convs[i].name[0])
			return s->convs[i].name;
	return NULL;
}

static void first_line(const char *text, char *out, size_t outlen)
{
	const char *p = text;
	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	size_t len = strcspn(p, "\r\n");
	if (len > SK_SUBJECT_MAX) {
		len = SK_SUBJECT_MAX;
		while (len && ((unsigned char)p[len] & 0xC0) == 0x80)
			len--;
	}
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, p, len);
	out[len] = '\0';
}

static char *text_of(struct slack *s, const cJSON *m)
{
	const char *raw = NULL;
	if (json_opt_string(m, "text", &raw, NULL))
		return NULL;
	return sk_mrkdwn_to_text(raw ? raw : "", SK_MAX_BODY, resolve_name, s);
}

/* "name\ttype\tsize" lines for the files of a message. */
static char *files_of(const cJSON *m)
{
	const cJSON *files, *f;
	if (json_opt_array(m, "files", &files, NULL) || !files)
		return NULL;
	struct sbuf sb = {0};
	int count = 0;
	cJSON_ArrayForEach(f, files) {
		const char *name = NULL, *type = NULL;
		long long size = 0;
		if (!cJSON_IsObject(f) || json_opt_string(f, "name", &name, NULL) ||
		    json_opt_string(f, "mimetype", &type, NULL) || json_opt_int(f, "size", &size, NULL))
			continue;
		char n[201], t[101];
		snprintf(n, sizeof n, "%s", name ? name : "file");
		snprintf(t, sizeof t, "%s", type ? type : "application/octet-stream");
		for (char *q = n; *q; q++)
			if (*q == '\t' || *q == '\n' || *q == '\r')
				*q = ' ';
		for (char *q = t; *q; q++)
			if (*q == '\t' || *q == '\n' || *q == '\r')
				*q = ' ';
		if (++count > 100 || sbuf_printf(&sb, "%s\t%s\t%lld\n", n, t, size < 0 ? 0 : size))
			break;
	}
	return sb.len ? sbuf_detach(&sb) : (sbuf_free(&sb), NULL);
}

/* Kinds of message that are people talking; joins, topic changes and the
 * like are not. */
static int shown_subtype(const char *subtype)
{
	static const char *const shown[] = {"bot_message", "thread_broadcast", "me_message",
					    "file_share"};
	if (!subtype)
		return 1;
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
		if (!strcmp(subtype, shown[i]))
			return 1;
	return 0;
}

static int mentions_me(const struct slack *s, const char *raw)
{
	char tag[SK_MAX_ID + 4];
	snprintf(tag, sizeof tag, "<@%s", s->me);
	size_t tl = strlen(tag);
	for (const char *p = raw; (p = strstr(p, tag)); p += tl)
		if (p[tl] == '>' || p[tl] == '|')
			return 1;
	return 0;
}

static int add_message(struct pull *pl, const struct entry *en, struct store_batch *b,
		       struct ebb_err *err)
{
	struct slack *s = pl->s;
	const cJSON *m = en->msg;
	const char *subtype = NULL, *user = NULL, *thread_ts = NULL, *raw = NULL, *bot = NULL,
		   *username = NULL;
	long long replies = 0;
	if (json_opt_string(m, "subtype", &subtype, NULL) || !shown_subtype(subtype) ||
	    json_opt_string(m, "user", &user, NULL) || json_opt_string(m, "bot_id", &bot, NULL) ||
	    json_opt_string(m, "username", &username, NULL) ||
	    json_opt_string(m, "thread_ts", &thread_ts, NULL) ||
	    json_opt_int(m, "reply_count", &replies, NULL) || json_opt_string(m, "text", &raw, NULL))
		return EBB_OK;   /* malformed: skipped, like a Matrix event */
	if (thread_ts && sk_ts_cmp(thread_ts, "0.0") <= 0)
		thread_ts = NULL;
	char *text = text_of(s, m);
	char *att = files_of(m);
	if (!text || (!text[0] && !att)) {
		free(text);
		free(att);
		return text ? EBB_OK : nomem(err);
	}
	char sender[SK_MAX_ID + 1] = "", hint[SK_MAX_ID + 40], subject[SK_SUBJECT_MAX + SK_MAX_NAME + 16];
	const char *sender_name = NULL;
	if (sk_id_ok(user)) {
		snprintf(sender, sizeof sender, "%s", user);
		sender_name = sk_user_name(s, user);
	} else if (sk_id_ok(bot)) {
		snprintf(sender, sizeof sender, "%s", bot);
	}
	if (!sender_name && username && username[0])
		sender_name = username;
	int from_me = sender[0] && !strcmp(sender, s->me);
	lower_ascii(sender);
	const char *root = NULL;
	if (thread_ts && strcmp(thread_ts, en->ts))
		root = thread_ts;            /* a reply */
	else if (thread_ts && replies > 0)
		root = en->ts;               /* the root of a thread */
	time_t sent = 0;
	struct sk_ts t;
	if (!sk_ts_parse(en->ts, &t))
		sent = (time_t)t.sec;
	if (root) {
		snprintf(hint, sizeof hint, "%s:%s", pl->conv->id, root);
		char line[SK_SUBJECT_MAX + 1] = "";
		if (!strcmp(root, en->ts)) {
			first_line(text, line, sizeof line);
		} else if (en->parent) {
			char *ptext = text_of(s, en->parent);
			if (ptext)
				first_line(ptext, line, sizeof line);
			free(ptext);
		}
		if (line[0])
			snprintf(subject, sizeof subject, "%s", line);
		else
			snprintf(subject, sizeof subject, "Thread in %s", pl->day_subject);
	} else {
		/* Outside threads: one conversation per channel and local day. */
		struct tm tm;
		char day[16] = "";
		if (localtime_r(&sent, &tm))
			strftime(day, sizeof day, "%Y-%m-%d", &tm);
		snprintf(hint, sizeof hint, "%s:%s", pl->conv->id, day);
		snprintf(subject, sizeof subject, "%s", pl->day_subject);
	}
	int direct = pl->conv->is_im || pl->conv->is_mpim;
	struct batch_msg bm = {0};
	bm.channel = (char *)pl->conv->id;
	bm.remote_id = (char *)en->ts;
	bm.msgid = (char *)en->ts;
	bm.in_reply_to = root && strcmp(root, en->ts) ? (char *)root : NULL;
	bm.thread_hint = hint;
	bm.sender = sender;
	bm.sender_name = (char *)sender_name;
	bm.subject = subject;
	bm.sent_at = sent;
	bm.size = (long long)strlen(text);
	bm.body = text;
	bm.attachments = att;
	bm.from_me = from_me;
	bm.to_me = !from_me && (direct || (raw && mentions_me(s, raw)));
	bm.flags = from_me ? MSG_SEEN : 0;
	int rc = batch_add_msg(b, &bm);
	free(text);
	free(att);
	if (rc)
		return nomem(err);
	b->progress_done++;
	return EBB_OK;
}

static int by_ts(const void *a, const void *b)
{
	return sk_ts_cmp(((const struct entry *)a)->ts, ((const struct entry *)b)->ts);
}

/* "mpdm-ann--bob--mia-1" -> "ann, bob" (without me). */
static void mpim_name(const struct slack *s, const char *raw, char *out, size_t outlen)
{
	out[0] = '\0';
	const char *p = raw;
	if (!strncmp(p, "mpdm-", 5))
		p += 5;
	size_t len = strlen(p);
	const char *dash = strrchr(p, '-');
	if (dash && dash[1] >= '0' && dash[1] <= '9')
		len = (size_t)(dash - p);
	size_t used = 0;
	while (len) {
		const char *sep = NULL;
		for (size_t i = 0; i + 1 < len; i++)
			if (p[i] == '-' && p[i + 1] == '-') {
				sep = p + i;
				break;
			}
		size_t part = sep ? (size_t)(sep - p) : len;
		if (part && (part != strlen(s->my_handle) || strncmp(p, s->my_handle, part))) {
			int w = snprintf(out + used, outlen - used, "%s%.*s", used ? ", " : "",
					 (int)part, p);
			if (w < 0 || (size_t)w >= outlen - used)
				break;
			used += (size_t)w;
		}
		if (!sep)
			break;
		len -= part + 2;
		p = sep + 2;
	}
	if (!out[0])
		snprintf(out, outlen, "%s", raw);
}

static int pull_conv(struct slack *s, const struct sk_conv *conv, struct store_batch *b,
		     struct ebb_err *err)
{
	struct pull pl = {.s = s, .conv = conv};
	const struct store_channel *kc = known_channel(s, conv->id);
	struct sk_ts t;
	int rc = EBB_OK;
	/* A damaged cursor means a fresh start (duplicates absorbed). */
	if (kc && kc->cursor && !sk_ts_parse(kc->cursor, &t)) {
		pl.old = kc->cursor;
		snprintf(pl.newest, sizeof pl.newest, "%s", pl.old);
		t.sec = t.sec > SK_OVERLAP_SECONDS ? t.sec - SK_OVERLAP_SECONDS : 0;
		sk_ts_format(&t, pl.floor, sizeof pl.floor);
		rc = store_channel_remote_ids(s->p->store, kc->id, collect_stored, &pl, err);
		if (rc) {
			pull_free(&pl);
			return rc == EBB_ENOMEM ? nomem(err) : rc;
		}
	}
	if (conv->is_im) {
		const char *name = sk_user_name(s, conv->user);
		snprintf(pl.display, sizeof pl.display, "%s", name ? name : conv->user);
		snprintf(pl.day_subject, sizeof pl.day_subject, "%s", pl.display);
	} else if (conv->is_mpim) {
		mpim_name(s, conv->name, pl.display, sizeof pl.display);
		snprintf(pl.day_subject, sizeof pl.day_subject, "%s", pl.display);
	} else {
		snprintf(pl.display, sizeof pl.display, "%s", conv->name[0] ? conv->name : conv->id);
		snprintf(pl.day_subject, sizeof pl.day_subject, "#%.*s", SK_MAX_NAME, pl.display);
	}
	rc = fetch_history(&pl, err);
	if (!rc) {
		struct batch_channel bc = {.remote_id = (char *)conv->id, .name = pl.display,
					   .is_direct = conv->is_im || conv->is_mpim,
					   .cursor = pl.newest[0] ? pl.newest : NULL};
		if (batch_add_channel(b, &bc))
			rc = nomem(err);
	}
	if (!rc && pl.n)
		qsort(pl.e, pl.n, sizeof *pl.e, by_ts);
	for (size_t i = 0; i < pl.n && !rc; i++) {
		if (i && !strcmp(pl.e[i].ts, pl.e[i - 1].ts))
			continue;   /* a thread_broadcast is in history and in its thread */
		rc = add_message(&pl, &pl.e[i], b, err);
	}
	pull_free(&pl);
	return rc;
}

/* ---- the ops ------------------------------------------------------------------ */

static int sk_open(struct provider *p, struct ebb_err *err)
{
	const struct account_cfg *acc = p->acc;
	struct slack *s = calloc(1, sizeof *s);
	if (!s)
		return nomem(err);
	p->priv = s;
	s->p = p;
	s->retry = (struct net_retry){.max_attempts = 6, .base_delay_ms = 500,
				      .max_delay_ms = 8000, .max_server_delay_ms = 60000,
				      .max_total_ms = 120000};
	int rc = chat_base_url(acc->url ? acc->url : SK_DEFAULT_URL, "slack", s->base,
			       sizeof s->base, s->host, sizeof s->host, err);
	if (rc)
		return rc;
	if ((rc = net_client_new(&s->http, err)))
		return rc;
	if (!acc->token_cmd)
		return ebb_err_set(err, EBB_EINVAL, "slack: the account needs token_cmd = a command "
				   "that prints a user token (xoxp-...)");
	struct ebb_err cerr;
	if (util_run_secret_cmd(acc->token_cmd, s->token, sizeof s->token, &cerr))
		return ebb_err_set(err, EBB_EAUTH, "slack: token_cmd failed: %s", cerr.msg);
	if (!s->token[0])
		return ebb_err_set(err, EBB_EAUTH, "slack: token_cmd printed nothing; it must print "
				   "the user token (xoxp-...)");
	cJSON *resp;
	if ((rc = sk_call(s, "auth.test", NULL, NULL, NULL, NULL, &resp, err)))
		return rc;
	const char *user_id, *handle = NULL;
	struct ebb_err jerr;
	if (json_get_string(resp, "user_id", &user_id, &jerr) || !sk_id_ok(user_id) ||
	    json_opt_string(resp, "user", &handle, &jerr)) {
		cJSON_Delete(resp);
		return ebb_err_set(err, EBB_EPROTO, "slack auth.test: the answer has no valid "
				   "user_id");
	}
	snprintf(s->me, sizeof s->me, "%s", user_id);
	snprintf(s->my_handle, sizeof s->my_handle, "%.*s", SK_MAX_NAME, handle ? handle : "");
	cJSON_Delete(resp);
	return EBB_OK;
}

static int sk_pull(struct provider *p, struct store_batch *b, struct ebb_err *err)
{
	struct slack *s = p->priv;
	b->more = 0;
	int rc;
	if (!s->listed) {
		if ((rc = list_conversations(s, err)))
			return rc;
		if ((rc = store_channel_list(p->store, p->account_id, &s->known, &s->nknown, err)))
			return rc;
		s->listed = 1;
	}
	if (s->next_conv >= s->nconvs)
		return EBB_OK;
	/* One conversation per batch: its messages and its cursor commit
	 * together, and an error later keeps what came before. */
	rc = pull_conv(s, &s->convs[s->next_conv], b, err);
	if (rc)
		return rc;
	s->next_conv++;
	b->more = s->next_conv < s->nconvs;
	return EBB_OK;
}

static void sk_close(struct provider *p)
{
	struct slack *s = p->priv;
	if (!s)
		return;
	explicit_bzero(s->token, sizeof s->token);
	net_client_free(s->http);
	free(s->convs);
	store_channel_list_free(s->known, s->nknown);
	for (size_t i = 0; i < s->nusers; i++)
		free(s->users[i].name);
	free(s->users);
	free(s);
	p->priv = NULL;
}

const struct provider_ops slack_provider_ops = {
	.kind = "slack",
	.open = sk_open,
	.pull = sk_pull,
	.push_flags = sk_push_flags,
	.fetch_raw = NULL,
	.send = sk_send,
	.wait = NULL,
	.close = sk_close,
};
