/* providers/matrix: a Matrix account (client-server API v3) as channels and
 * messages: one /sync per pull, rooms as channels, threads and days as
 * conversations. The mapping is described in docs/chat.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chat_int.h"
#include "ebb/mime.h"
#include "matrix_int.h"

#define MX_TIMELINE_LIMIT 50       /* events per room in one /sync */
#define MX_GAP_PAGE 100            /* events per /messages page filling a gap */
#define MX_GAP_PAGES 5             /* a gap beyond 500 events stays a gap */
#define MX_MAX_ROOT_FETCHES 16     /* thread roots fetched per pull */
#define MX_MAX_BODY (64 * 1024)    /* Matrix caps events at 64 KiB anyway */
#define MX_MAX_MEMBERS 10000
#define MX_SUBJECT_MAX 120
#define MX_NAME_MAX 255

/* The filter of every /sync: recent history per room, the members who wrote
 * it (lazy loading, repeated every time so names never go missing), no
 * presence, the account data ebb reads, receipts for read state. */
static const char sync_filter[] =
	"{\"room\":{\"timeline\":{\"limit\":50},"
	"\"state\":{\"lazy_load_members\":true,\"include_redundant_members\":true},"
	"\"ephemeral\":{\"types\":[\"m.receipt\"]},"
	"\"account_data\":{\"types\":[\"m.fully_read\"]}},"
	"\"presence\":{\"types\":[]},"
	"\"account_data\":{\"types\":[\"m.direct\"]}}";

_Static_assert(MX_TIMELINE_LIMIT == 50, "keep sync_filter's limit in step");

/* ---- small helpers -------------------------------------------------------- */

struct ptrs {
	const cJSON **v;
	size_t n, cap;
};

static int ptrs_add(struct ptrs *a, const cJSON *item)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		const cJSON **v = realloc(a->v, cap * sizeof *v);
		if (!v)
			return EBB_ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = item;
	return EBB_OK;
}

static int nomem(struct ebb_err *err)
{
	return ebb_err_set(err, EBB_ENOMEM, "out of memory");
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* Copies at most max bytes of s, cut on a UTF-8 character boundary. */
static char *dup_cut(const char *s, size_t max)
{
	size_t len = strnlen(s, max + 1);
	if (len > max) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	return util_strndup(s, len);
}

static int valid_id(const char *s, char sigil)
{
	size_t len = s ? strnlen(s, MX_MAX_ID + 1) : 0;
	return len > 1 && len <= MX_MAX_ID && s[0] == sigil;
}

/* Case-insensitive (ASCII) search for needle in text as a whole word. */
static int mentions(const char *text, const char *needle)
{
	size_t nl = needle ? strlen(needle) : 0;
	if (nl < 2)
		return 0;
	for (const char *p = text; *p; p++) {
		if (strncasecmp(p, needle, nl))
			continue;
		unsigned char before = p == text ? ' ' : (unsigned char)p[-1];
		unsigned char after = (unsigned char)p[nl];
		int word_before = (before >= '0' && before <= '9') || (before >= 'A' && before <= 'Z') ||
				  (before >= 'a' && before <= 'z');
		int word_after = (after >= '0' && after <= '9') || (after >= 'A' && after <= 'Z') ||
				 (after >= 'a' && after <= 'z');
		if (!word_before && !word_after)
			return 1;
	}
	return 0;
}

/* ---- what the store knows --------------------------------------------------- */

struct known {
	struct store_channel *ch;
	size_t n;
	char *cursor;              /* the /sync token, NULL before the first sync */
};

static const struct store_channel *known_room(const struct known *k, const char *room_id)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->ch[i].remote_id, room_id))
			return &k->ch[i];
	return NULL;
}

static int load_known(struct provider *p, struct known *k, struct ebb_err *err)
{
	memset(k, 0, sizeof *k);
	int rc = store_channel_list(p->store, p->account_id, &k->ch, &k->n, err);
	if (rc)
		return rc;
	const struct store_channel *c = known_room(k, MX_CURSOR_CHANNEL);
	if (c && c->cursor && c->cursor[0] && !(k->cursor = strdup(c->cursor)))
		return nomem(err);
	return EBB_OK;
}

static void known_free(struct known *k)
{
	store_channel_list_free(k->ch, k->n);
	free(k->cursor);
	memset(k, 0, sizeof *k);
}

/* ---- one room of a /sync answer ------------------------------------------------ */

struct member {
	const char *user;
	const char *name;
};

struct room {
	const char *id;
	const char *name;          /* m.room.name */
	const char *alias;         /* m.room.canonical_alias */
	int encrypted;
	int is_direct;
	int is_new;                /* not in the store before this pull */
	struct member *members;
	size_t nmembers;
	const cJSON *heroes;       /* summary m.heroes */
	long long joined;          /* summary m.joined_member_count, -1 unknown */
	const char *read_upto;     /* m.fully_read or my m.read receipt */
	struct ptrs events;        /* timeline events, oldest first (gap first) */
	cJSON **pages;             /* /messages answers the gap events live in */
	size_t npages;
	char display[MX_NAME_MAX + sizeof MX_ENCRYPTED_SUFFIX];
	char base_name[MX_NAME_MAX + 1];  /* display without the encrypted marker */
};

static void room_free(struct room *r)
{
	free(r->members);
	free(r->events.v);
	for (size_t i = 0; i < r->npages; i++)
		cJSON_Delete(r->pages[i]);
	free(r->pages);
}

static const char *member_name(const struct room *r, const char *user)
{
	for (size_t i = r->nmembers; i-- > 0;)
		if (!strcasecmp(r->members[i].user, user))
			return r->members[i].name;
	return NULL;
}

/* Learns what a state event says about the room. Malformed ones are
 * skipped: a broken event from someone else must not stop the sync. */
static int apply_state(struct room *r, const cJSON *ev)
{
	const char *type, *key;
	const cJSON *content;
	if (!cJSON_IsObject(ev) || json_get_string(ev, "type", &type, NULL) ||
	    json_opt_string(ev, "state_key", &key, NULL) || !key ||
	    json_get_object(ev, "content", &content, NULL))
		return EBB_OK;
	const char *s = NULL;
	if (!strcmp(type, "m.room.name") && !key[0]) {
		if (!json_opt_string(content, "name", &s, NULL))
			r->name = s;
	} else if (!strcmp(type, "m.room.canonical_alias") && !key[0]) {
		if (!json_opt_string(content, "alias", &s, NULL))
			r->alias = s;
	} else if (!strcmp(type, "m.room.encryption") && !key[0]) {
		r->encrypted = 1;
	} else if (!strcmp(type, "m.room.member") && valid_id(key, '@')) {
		if (json_opt_string(content, "displayname", &s, NULL) || !s || !s[0])
			s = NULL;
		if (r->nmembers >= MX_MAX_MEMBERS)
			return EBB_OK;
		struct member *grown = realloc(r->members, (r->nmembers + 1) * sizeof *grown);
		if (!grown)
			return EBB_ENOMEM;
		r->members = grown;
		grown[r->nmembers].user = key;
		grown[r->nmembers].name = s;
		r->nmembers++;
	}
	return EBB_OK;
}

static int apply_states(struct room *r, const cJSON *events)
{
	const cJSON *ev;
	cJSON_ArrayForEach(ev, events)
		if (apply_state(r, ev))
			return EBB_ENOMEM;
	return EBB_OK;
}

/* The room's name as Matrix clients compute it: m.room.name, else the
 * canonical alias, else the heroes' names; else what the store had. */
static void room_display(struct room *r, const struct store_channel *known)
{
	char buf[MX_NAME_MAX * 4] = "";
	if (r->name && r->name[0]) {
		snprintf(buf, sizeof buf, "%s", r->name);
	} else if (r->alias && r->alias[0]) {
		snprintf(buf, sizeof buf, "%s", r->alias);
	} else if (r->heroes) {
		/* "Ann", "Ann and Bob", "Ann, Bob and Eve", "Ann, Bob and 3 others". */
		const char *names[5];
		int shown = 0;
		const cJSON *h;
		cJSON_ArrayForEach(h, r->heroes) {
			if (shown < 5 && cJSON_IsString(h) && valid_id(h->valuestring, '@')) {
				const char *name = member_name(r, h->valuestring);
				names[shown++] = name ? name : h->valuestring;
			}
		}
		long long others = r->joined > 0 ? r->joined - 1 - shown : 0;
		for (int i = 0; i < shown; i++) {
			size_t len = strlen(buf);
			const char *sep = !i ? "" : (i == shown - 1 && others <= 0) ? " and " : ", ";
			snprintf(buf + len, sizeof buf - len, "%s%s", sep, names[i]);
		}
		if (shown && others > 0) {
			size_t len = strlen(buf);
			snprintf(buf + len, sizeof buf - len, " and %lld other%s", others,
				 others == 1 ? "" : "s");
		}
	}
	if (!buf[0] && known && known->name) {
		snprintf(buf, sizeof buf, "%s", known->name);
		size_t len = strlen(buf), sl = strlen(MX_ENCRYPTED_SUFFIX);
		if (len > sl && !strcmp(buf + len - sl, MX_ENCRYPTED_SUFFIX)) {
			buf[len - sl] = '\0';
			r->encrypted = 1;   /* the marker is how the store remembers it */
		}
	}
	if (!buf[0])
		snprintf(buf, sizeof buf, "%s", r->id);
	char *cut = dup_cut(buf, MX_NAME_MAX - strlen(MX_ENCRYPTED_SUFFIX));
	snprintf(r->base_name, sizeof r->base_name, "%s", cut ? cut : r->id);
	free(cut);
	snprintf(r->display, sizeof r->display, "%s%s", r->base_name,
		 r->encrypted ? MX_ENCRYPTED_SUFFIX : "");
}

/* The newest of m.fully_read (room account data) and my m.read receipt. */
static void read_marker(struct mx *m, struct room *r, const cJSON *jroom)
{
	const cJSON *sect, *events, *ev;
	if (!json_opt_object(jroom, "account_data", &sect, NULL) && sect &&
	    !json_opt_array(sect, "events", &events, NULL) && events) {
		cJSON_ArrayForEach(ev, events) {
			const char *type, *id;
			const cJSON *content;
			if (!cJSON_IsObject(ev) || json_get_string(ev, "type", &type, NULL) ||
			    strcmp(type, "m.fully_read") ||
			    json_get_object(ev, "content", &content, NULL) ||
			    json_get_string(content, "event_id", &id, NULL))
				continue;
			r->read_upto = id;
		}
	}
	if (json_opt_object(jroom, "ephemeral", &sect, NULL) || !sect ||
	    json_opt_array(sect, "events", &events, NULL) || !events)
		return;
	/* Receipts: {"$event": {"m.read": {"@me:server": {...}}}}. */
	size_t best = 0;
	for (size_t i = 0; i < r->events.n && r->read_upto; i++) {
		const char *id;
		if (!json_get_string(r->events.v[i], "event_id", &id, NULL) && !strcmp(id, r->read_upto))
			best = i + 1;
	}
	cJSON_ArrayForEach(ev, events) {
		const char *type;
		const cJSON *content, *target;
		if (!cJSON_IsObject(ev) || json_get_string(ev, "type", &type, NULL) ||
		    strcmp(type, "m.receipt") || json_get_object(ev, "content", &content, NULL))
			continue;
		cJSON_ArrayForEach(target, content) {
			const cJSON *reads, *who;
			if (!cJSON_IsObject(target) || json_opt_object(target, "m.read", &reads, NULL) ||
			    !reads)
				continue;
			int mine = 0;
			cJSON_ArrayForEach(who, reads)
				mine |= who->string && !strcasecmp(who->string, m->user);
			if (!mine)
				continue;
			for (size_t i = 0; i < r->events.n; i++) {
				const char *id;
				if (!json_get_string(r->events.v[i], "event_id", &id, NULL) &&
				    !strcmp(id, target->string) && i + 1 > best) {
					best = i + 1;
					r->read_upto = target->string;
				}
			}
		}
	}
}

/* ---- threads ---------------------------------------------------------------- */

/* The thread an event belongs to: the root of an m.thread relation. */
static const char *thread_root_of(const cJSON *ev)
{
	const cJSON *content, *rel;
	const char *type = NULL, *root = NULL;
	if (json_get_object(ev, "content", &content, NULL) ||
	    json_opt_object(content, "m.relates_to", &rel, NULL) || !rel ||
	    json_opt_string(rel, "rel_type", &type, NULL) || !type || strcmp(type, "m.thread") ||
	    json_opt_string(rel, "event_id", &root, NULL) || !valid_id(root, '$'))
		return NULL;
	return root;
}

/* A root carries the server's thread summary (bundled aggregation). */
static int has_thread_summary(const cJSON *ev)
{
	const cJSON *uns, *rels, *thread;
	return !json_opt_object(ev, "unsigned", &uns, NULL) && uns &&
	       !json_opt_object(uns, "m.relations", &rels, NULL) && rels &&
	       !json_opt_object(rels, "m.thread", &thread, NULL) && thread;
}

static const char *event_id_of(const cJSON *ev)
{
	const char *id;
	if (!cJSON_IsObject(ev) || json_get_string(ev, "event_id", &id, NULL) || !valid_id(id, '$'))
		return NULL;
	return id;
}

static const cJSON *find_event(const struct room *r, const char *id)
{
	for (size_t i = 0; i < r->events.n; i++) {
		const char *eid = event_id_of(r->events.v[i]);
		if (eid && !strcmp(eid, id))
			return r->events.v[i];
	}
	return NULL;
}

static int is_thread_root(const struct room *r, const cJSON *ev, const char *id)
{
	if (has_thread_summary(ev))
		return 1;
	for (size_t i = 0; i < r->events.n; i++) {
		const char *root = thread_root_of(r->events.v[i]);
		if (root && !strcmp(root, id))
			return 1;
	}
	return 0;
}

/* First non-empty line of a message, for the subject of its thread. */
static void first_line(const char *body, char *out, size_t outlen)
{
	const char *p = body;
	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	size_t len = strcspn(p, "\r\n");
	if (len > MX_SUBJECT_MAX) {
		len = MX_SUBJECT_MAX;
		while (len && ((unsigned char)p[len] & 0xC0) == 0x80)
			len--;
	}
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, p, len);
	out[len] = '\0';
}

/* ---- events to messages ------------------------------------------------------- */

/* The text of a message event, NULL when it has none (redacted, edits,
 * reactions and other kinds ebb does not show). *att gets attachment lines. */
static char *message_text(const struct room *r, const char *sender, const cJSON *content,
			  char **att)
{
	const char *msgtype = NULL, *body = NULL, *formatted = NULL;
	const cJSON *rel = NULL, *reply = NULL;
	*att = NULL;
	if (json_opt_string(content, "msgtype", &msgtype, NULL) ||
	    json_opt_string(content, "body", &body, NULL) ||
	    json_opt_string(content, "formatted_body", &formatted, NULL) ||
	    json_opt_object(content, "m.relates_to", &rel, NULL))
		return NULL;
	const char *rel_type = NULL;
	if (rel && (json_opt_string(rel, "rel_type", &rel_type, NULL) ||
		    json_opt_object(rel, "m.in_reply_to", &reply, NULL)))
		return NULL;
	if (rel_type && !strcmp(rel_type, "m.replace"))
		return NULL;   /* an edit: the original stays what ebb shows */
	char *text = NULL;
	if (body) {
		/* A rich reply quotes its parent as "> " lines and a blank line;
		 * the parent is in the conversation already. */
		if (reply && !strncmp(body, "> ", 2)) {
			const char *p = body;
			while (!strncmp(p, "> ", 2) || !strncmp(p, ">\n", 2)) {
				const char *nl = strchr(p, '\n');
				if (!nl) {
					p += strlen(p);
					break;
				}
				p = nl + 1;
			}
			if (*p == '\n')
				p++;
			if (*p)
				body = p;
		}
		text = dup_cut(body, MX_MAX_BODY);
	} else if (formatted) {
		text = mime_html_to_text(formatted, strnlen(formatted, MX_MAX_BODY));
	} else {
		return NULL;
	}
	if (!text)
		return NULL;
	if (msgtype && !strcmp(msgtype, "m.emote")) {
		const char *name = member_name(r, sender);
		struct sbuf sb = {0};
		if (sbuf_printf(&sb, "* %s %s", name ? name : sender, text)) {
			sbuf_free(&sb);
			free(text);
			return NULL;
		}
		free(text);
		text = sbuf_detach(&sb);
	} else if (msgtype && (!strcmp(msgtype, "m.image") || !strcmp(msgtype, "m.file") ||
			       !strcmp(msgtype, "m.audio") || !strcmp(msgtype, "m.video"))) {
		const cJSON *info = NULL;
		const char *mime = NULL, *filename = NULL;
		long long size = 0;
		if (json_opt_object(content, "info", &info, NULL) ||
		    (info && (json_opt_string(info, "mimetype", &mime, NULL) ||
			      json_opt_int(info, "size", &size, NULL))) ||
		    json_opt_string(content, "filename", &filename, NULL))
			return text;
		struct sbuf sb = {0};
		char *name = dup_cut(filename ? filename : text, 200);
		char *type = dup_cut(mime ? mime : "application/octet-stream", 100);
		if (name && type) {
			/* The store keeps one attachment per line, fields split by tabs. */
			for (char *q = name; *q; q++)
				if (*q == '\t' || *q == '\n' || *q == '\r')
					*q = ' ';
			for (char *q = type; *q; q++)
				if (*q == '\t' || *q == '\n' || *q == '\r')
					*q = ' ';
			if (!sbuf_printf(&sb, "%s\t%s\t%lld\n", name, type, size < 0 ? 0 : size))
				*att = sbuf_detach(&sb);
		}
		sbuf_free(&sb);
		free(name);
		free(type);
	}
	return text;
}

static int mentions_me(const struct mx *m, const struct room *r, const char *text,
		       const cJSON *content)
{
	const cJSON *mm = NULL, *ids = NULL, *id;
	if (!json_opt_object(content, "m.mentions", &mm, NULL) && mm &&
	    !json_opt_array(mm, "user_ids", &ids, NULL) && ids)
		cJSON_ArrayForEach(id, ids)
			if (cJSON_IsString(id) && !strcasecmp(id->valuestring, m->user))
				return 1;
	if (mentions(text, m->user))
		return 1;
	const char *room_name = member_name(r, m->user);
	return mentions(text, room_name) || mentions(text, m->my_name);
}

struct pull_ctx {
	struct mx *m;
	struct store_batch *b;
	size_t added;
	size_t skipped;            /* malformed events left out */
};

/* Adds one timeline event as a message when it is one ebb shows. */
static int add_event(struct pull_ctx *pc, const struct room *r, const cJSON *ev, int seen,
		     const char *subject_root_line, struct ebb_err *err)
{
	struct mx *m = pc->m;
	const char *type, *id, *sender;
	const cJSON *content;
	long long ts;
	if (!cJSON_IsObject(ev) || json_get_string(ev, "type", &type, NULL))
		goto skip;
	if (strcmp(type, "m.room.message") || cJSON_GetObjectItemCaseSensitive(ev, "state_key"))
		return EBB_OK;   /* not a message: state, reactions, encrypted, ... */
	if (!(id = event_id_of(ev)) || json_get_string(ev, "sender", &sender, NULL) ||
	    !valid_id(sender, '@') || json_get_int(ev, "origin_server_ts", &ts, NULL) || ts < 0 ||
	    json_get_object(ev, "content", &content, NULL))
		goto skip;
	char *att;
	char *text = message_text(r, sender, content, &att);
	if (!text)
		return EBB_OK;
	char sender_lc[MX_MAX_ID + 1];
	snprintf(sender_lc, sizeof sender_lc, "%s", sender);
	lower_ascii(sender_lc);
	const char *root = thread_root_of(ev);
	char hint[MX_MAX_ID * 2 + 16], subject[MX_SUBJECT_MAX + MX_NAME_MAX + 16];
	time_t sent = (time_t)(ts / 1000);
	if (root || is_thread_root(r, ev, id)) {
		snprintf(hint, sizeof hint, "%s", root ? root : id);
		if (subject_root_line && subject_root_line[0])
			snprintf(subject, sizeof subject, "%s", subject_root_line);
		else if (!root)
			first_line(text, subject, sizeof subject);
		else
			snprintf(subject, sizeof subject, "Thread in %s", r->base_name);
	} else {
		/* Chat outside threads: one conversation per room and local day. */
		struct tm tm;
		char day[16] = "";
		if (localtime_r(&sent, &tm))
			strftime(day, sizeof day, "%Y-%m-%d", &tm);
		snprintf(hint, sizeof hint, "%s:%s", r->id, day);
		snprintf(subject, sizeof subject, "%s", r->base_name);
	}
	const char *in_reply_to = NULL;
	const cJSON *rel, *reply;
	if (!json_opt_object(content, "m.relates_to", &rel, NULL) && rel &&
	    !json_opt_object(rel, "m.in_reply_to", &reply, NULL) && reply &&
	    !json_opt_string(reply, "event_id", &in_reply_to, NULL) && !valid_id(in_reply_to, '$'))
		in_reply_to = NULL;
	struct batch_msg bm = {0};
	bm.channel = (char *)r->id;
	bm.remote_id = (char *)id;
	bm.msgid = (char *)id;
	bm.in_reply_to = (char *)in_reply_to;
	bm.thread_hint = hint;
	bm.sender = sender_lc;
	bm.sender_name = (char *)member_name(r, sender);
	bm.subject = subject;
	bm.sent_at = sent;
	bm.size = (long long)strlen(text);
	bm.body = text;
	bm.attachments = att;
	bm.from_me = !strcmp(sender_lc, m->user) || config_is_me(m->p->acc, sender_lc);
	bm.to_me = !bm.from_me && (r->is_direct || mentions_me(m, r, text, content));
	bm.flags = bm.from_me || seen ? MSG_SEEN : 0;
	int rc = batch_add_msg(pc->b, &bm);
	free(text);
	free(att);
	if (rc)
		return nomem(err);
	pc->added++;
	pc->b->progress_done++;
	return EBB_OK;
skip:
	pc->skipped++;
	return EBB_OK;
}

/* A thread reply whose root is not in this answer: fetch the root for the
 * first line of the conversation's subject. Best effort: without it the
 * subject says "Thread in ROOM". The root is not added as a message: it is
 * stored already (or older than what ebb keeps), and sending it again would
 * overwrite its read state with a guess. */
static int fetch_root_line(struct pull_ctx *pc, struct room *r, const char *root_id,
			   char *line, size_t linelen, struct ebb_err *err)
{
	struct mx *m = pc->m;
	line[0] = '\0';
	if (m->root_fetches >= MX_MAX_ROOT_FETCHES)
		return EBB_OK;
	m->root_fetches++;
	cJSON *ev;
	if (mx_room_event(m, r->id, root_id, &ev, NULL))
		return EBB_OK;
	const char *id = event_id_of(ev);
	if (!id || strcmp(id, root_id)) {
		cJSON_Delete(ev);
		return EBB_OK;
	}
	/* Kept with the room's events so its other replies find it. */
	cJSON **pages = realloc(r->pages, (r->npages + 1) * sizeof *pages);
	if (!pages) {
		cJSON_Delete(ev);
		return nomem(err);
	}
	r->pages = pages;
	r->pages[r->npages++] = ev;
	if (ptrs_add(&r->events, ev))
		return nomem(err);
	const cJSON *content;
	const char *body;
	if (!json_get_object(ev, "content", &content, NULL) &&
	    !json_get_string(content, "body", &body, NULL))
		first_line(body, line, linelen);
	return EBB_OK;
}

/* Fills the gap of a limited timeline: the events between the last sync and
 * the answer's first one, fetched backwards with /messages down to `since`. */
static int fill_gap(struct pull_ctx *pc, struct room *r, const char *prev_batch,
		    const char *since, struct ptrs *older, struct ebb_err *err)
{
	const char *from = prev_batch;
	for (int page = 0; page < MX_GAP_PAGES && from; page++) {
		cJSON *resp;
		int rc = mx_room_history(pc->m, r->id, from, since, MX_GAP_PAGE, &resp, err);
		if (rc)
			return rc;
		cJSON **pages = realloc(r->pages, (r->npages + 1) * sizeof *pages);
		if (!pages) {
			cJSON_Delete(resp);
			return nomem(err);
		}
		r->pages = pages;
		r->pages[r->npages++] = resp;
		const cJSON *chunk, *state;
		const char *end = NULL;
		struct ebb_err jerr;
		if (json_get_array(resp, "chunk", &chunk, &jerr) ||
		    json_opt_array(resp, "state", &state, &jerr) ||
		    json_opt_string(resp, "end", &end, &jerr))
			return ebb_err_set(err, EBB_EPARSE, "matrix /rooms/{roomId}/messages for %s: "
					   "%s; will retry next sync", r->id, jerr.msg);
		if (state && apply_states(r, state))
			return nomem(err);
		const cJSON *ev;
		cJSON_ArrayForEach(ev, chunk)
			if (ptrs_add(older, ev))
				return nomem(err);
		if (!cJSON_GetArraySize(chunk))
			break;
		from = end;
	}
	return EBB_OK;
}

/* Adds a room's events (oldest first) as messages; the first `seen` of
 * them are marked read. */
static int add_events(struct pull_ctx *pc, struct room *r, size_t seen, struct ebb_err *err)
{
	int rc = EBB_OK;
	size_t nevents = r->events.n;   /* fetched roots get appended behind */
	for (size_t i = 0; i < nevents && !rc; i++) {
		const cJSON *e = r->events.v[i];
		const char *root = thread_root_of(e), *id = event_id_of(e);
		char line[MX_SUBJECT_MAX + 1] = "";
		const cJSON *root_ev = root ? find_event(r, root) : NULL;
		if (!root && id && is_thread_root(r, e, id))
			root_ev = e;
		if (root_ev) {
			const cJSON *content;
			const char *body;
			if (!json_get_object(root_ev, "content", &content, NULL) &&
			    !json_get_string(content, "body", &body, NULL))
				first_line(body, line, sizeof line);
		} else if (root) {
			rc = fetch_root_line(pc, r, root, line, sizeof line, err);
			if (rc)
				break;
		}
		rc = add_event(pc, r, e, i < seen, line, err);
	}
	return rc;
}

static int process_room(struct pull_ctx *pc, const char *room_id, const cJSON *jroom,
			const struct known *known, const char *const *direct, size_t ndirect,
			int have_direct, struct ebb_err *err)
{
	struct mx *m = pc->m;
	struct room r = {.id = room_id, .joined = -1};
	const struct store_channel *kc = known_room(known, room_id);
	r.is_new = kc == NULL;
	r.is_direct = kc ? kc->is_direct : 0;
	if (have_direct) {
		r.is_direct = 0;
		for (size_t i = 0; i < ndirect; i++)
			r.is_direct |= !strcmp(direct[i], room_id);
	}
	const cJSON *state = NULL, *timeline = NULL, *summary = NULL, *sevents = NULL,
		    *tevents = NULL;
	const char *prev_batch = NULL;
	int limited = 0, rc;
	struct ebb_err jerr;
	if (json_opt_object(jroom, "state", &state, &jerr) ||
	    (state && json_opt_array(state, "events", &sevents, &jerr)) ||
	    json_opt_object(jroom, "timeline", &timeline, &jerr) ||
	    (timeline && (json_opt_array(timeline, "events", &tevents, &jerr) ||
			  json_opt_bool(timeline, "limited", &limited, &jerr) ||
			  json_opt_string(timeline, "prev_batch", &prev_batch, &jerr))) ||
	    json_opt_object(jroom, "summary", &summary, &jerr) ||
	    (summary && (json_opt_array(summary, "m.heroes", &r.heroes, &jerr) ||
			 json_opt_int(summary, "m.joined_member_count", &r.joined, &jerr))))
		return ebb_err_set(err, EBB_EPARSE, "matrix /sync: room %s: %s; will retry next "
				   "sync", room_id, jerr.msg);
	struct ptrs older = {0};
	if ((sevents && apply_states(&r, sevents)) || (tevents && apply_states(&r, tevents))) {
		rc = nomem(err);
		goto out;
	}
	if (kc && kc->name) {
		size_t nl = strlen(kc->name), sl = strlen(MX_ENCRYPTED_SUFFIX);
		r.encrypted |= nl > sl && !strcmp(kc->name + nl - sl, MX_ENCRYPTED_SUFFIX);
	}
	/* A gap after the last sync is filled now, so nothing is skipped; a
	 * room new to ebb starts with recent history (older on demand). */
	if (limited && prev_batch && known->cursor && !r.is_new && !r.encrypted) {
		if ((rc = fill_gap(pc, &r, prev_batch, known->cursor, &older, err)))
			goto out;
	}
	for (size_t i = older.n; i-- > 0;)
		if (ptrs_add(&r.events, older.v[i])) {
			rc = nomem(err);
			goto out;
		}
	const cJSON *ev;
	cJSON_ArrayForEach(ev, tevents)
		if (ptrs_add(&r.events, ev)) {
			rc = nomem(err);
			goto out;
		}
	room_display(&r, kc);
	struct batch_channel bc = {.remote_id = (char *)room_id, .name = r.display,
				   .is_direct = r.is_direct};
	char cursor[1024];
	if (r.is_new && limited && prev_batch && strlen(prev_batch) < sizeof cursor - 2) {
		/* Where older history continues, for back-pagination on demand. */
		snprintf(cursor, sizeof cursor, "b:%s", prev_batch);
		bc.cursor = cursor;
	}
	if (batch_add_channel(pc->b, &bc)) {
		rc = nomem(err);
		goto out;
	}
	rc = EBB_OK;
	if (r.encrypted)
		goto out;   /* listed, marked, and no messages ebb cannot read */
	read_marker(m, &r, jroom);
	size_t read_idx = 0;
	for (size_t i = 0; r.read_upto && i < r.events.n; i++) {
		const char *id = event_id_of(r.events.v[i]);
		if (id && !strcmp(id, r.read_upto))
			read_idx = i + 1;
	}
	rc = add_events(pc, &r, read_idx, err);
out:
	free(older.v);
	room_free(&r);
	return rc;
}

/* m.direct: {"@user:server": ["!room", ...]} in global account data. */
static int read_direct(const cJSON *root, const char ***direct, size_t *n, int *have,
		       struct ebb_err *err)
{
	const cJSON *ad, *events, *ev;
	*direct = NULL;
	*n = 0;
	*have = 0;
	if (json_opt_object(root, "account_data", &ad, NULL) || !ad ||
	    json_opt_array(ad, "events", &events, NULL) || !events)
		return EBB_OK;
	cJSON_ArrayForEach(ev, events) {
		const char *type;
		const cJSON *content, *user, *room;
		if (!cJSON_IsObject(ev) || json_get_string(ev, "type", &type, NULL) ||
		    strcmp(type, "m.direct") || json_get_object(ev, "content", &content, NULL))
			continue;
		*have = 1;
		cJSON_ArrayForEach(user, content) {
			if (!cJSON_IsArray(user))
				continue;
			cJSON_ArrayForEach(room, user) {
				if (!cJSON_IsString(room) || !valid_id(room->valuestring, '!'))
					continue;
				const char **grown = realloc(*direct, (*n + 1) * sizeof *grown);
				if (!grown)
					return nomem(err);
				*direct = grown;
				grown[(*n)++] = room->valuestring;
			}
		}
	}
	return EBB_OK;
}

/* ---- the ops ----------------------------------------------------------------- */

static int mx_open(struct provider *p, struct ebb_err *err)
{
	const struct account_cfg *acc = p->acc;
	struct mx *m = calloc(1, sizeof *m);
	if (!m)
		return nomem(err);
	p->priv = m;
	m->p = p;
	m->retry = (struct net_retry){.max_attempts = 5, .base_delay_ms = 500,
				      .max_delay_ms = 8000, .max_server_delay_ms = 30000,
				      .max_total_ms = 60000};
	if (!acc->url)
		return ebb_err_set(err, EBB_EINVAL, "matrix: the account needs url = the "
				   "homeserver's base URL (e.g. https://matrix.example.org)");
	int rc = chat_base_url(acc->url, "matrix", m->base, sizeof m->base, m->host,
			       sizeof m->host, err);
	if (rc)
		return rc;
	if ((rc = net_client_new(&m->http, err)))
		return rc;
	if (acc->user) {
		if (!valid_id(acc->user, '@') || !strchr(acc->user, ':'))
			return ebb_err_set(err, EBB_EINVAL, "matrix: user = %.64s is not a Matrix user "
					   "id; write it as @name:server", acc->user);
		snprintf(m->user, sizeof m->user, "%s", acc->user);
		lower_ascii(m->user);
	}
	if (acc->token_cmd) {
		struct ebb_err cerr;
		if (util_run_secret_cmd(acc->token_cmd, m->token, sizeof m->token, &cerr))
			return ebb_err_set(err, EBB_EAUTH, "matrix: token_cmd failed: %s", cerr.msg);
	} else if (acc->password_cmd) {
		if (!m->user[0])
			return ebb_err_set(err, EBB_EINVAL, "matrix: password_cmd needs user = "
					   "@name:server to log in");
		if ((rc = mx_login(m, err)))
			return rc;
	} else {
		return ebb_err_set(err, EBB_EINVAL, "matrix: the account needs token_cmd or "
				   "password_cmd");
	}
	if (!m->user[0] && (rc = mx_whoami(m, err)))
		return rc;
	mx_fetch_my_name(m);
	return EBB_OK;
}

static int mx_pull(struct provider *p, struct store_batch *b, struct ebb_err *err)
{
	struct mx *m = p->priv;
	b->more = 0;
	m->root_fetches = 0;
	struct known known;
	int rc = load_known(p, &known, err);
	if (rc) {
		known_free(&known);
		return rc;
	}
	struct sbuf query = {0};
	if (sbuf_puts(&query, "timeout=0&set_presence=offline&filter=") ||
	    net_url_escape(&query, sync_filter) ||
	    (known.cursor && (sbuf_puts(&query, "&since=") ||
			      net_url_escape(&query, known.cursor)))) {
		sbuf_free(&query);
		known_free(&known);
		return nomem(err);
	}
	cJSON *root = NULL;
	rc = mx_call(m, "GET", "/sync", query.buf, NULL, "/sync", NULL, &root, err);
	sbuf_free(&query);
	const char **direct = NULL;
	size_t ndirect = 0;
	int have_direct = 0;
	struct pull_ctx pc = {.m = m, .b = b};
	const char *next_batch = NULL;
	const cJSON *rooms = NULL, *join = NULL;
	struct ebb_err jerr;
	if (rc)
		goto out;
	if (json_get_string(root, "next_batch", &next_batch, &jerr) ||
	    json_opt_object(root, "rooms", &rooms, &jerr) ||
	    (rooms && json_opt_object(rooms, "join", &join, &jerr))) {
		rc = ebb_err_set(err, EBB_EPARSE, "matrix /sync: %s; will retry next sync",
				 jerr.msg);
		goto out;
	}
	if (!next_batch[0] || strlen(next_batch) > 1000) {
		rc = ebb_err_set(err, EBB_EPARSE, "matrix /sync: field \"next_batch\" is empty or "
				 "over 1000 bytes; will retry next sync");
		goto out;
	}
	if ((rc = read_direct(root, &direct, &ndirect, &have_direct, err)))
		goto out;
	const cJSON *jroom;
	cJSON_ArrayForEach(jroom, join) {
		if (!valid_id(jroom->string, '!') || !cJSON_IsObject(jroom)) {
			pc.skipped++;
			continue;
		}
		if ((rc = process_room(&pc, jroom->string, jroom, &known, direct, ndirect,
				       have_direct, err)))
			goto out;
	}
	/* m.direct changed: rooms without news this time change kind too. */
	for (size_t i = 0; have_direct && i < known.n; i++) {
		const struct store_channel *c = &known.ch[i];
		if (!strcmp(c->remote_id, MX_CURSOR_CHANNEL) || batch_channel_find(b, c->remote_id))
			continue;
		int is_direct = 0;
		for (size_t k = 0; k < ndirect; k++)
			is_direct |= !strcmp(direct[k], c->remote_id);
		if (is_direct == c->is_direct)
			continue;
		struct batch_channel bc = {.remote_id = c->remote_id, .name = c->name,
					   .is_direct = is_direct};
		if (batch_add_channel(b, &bc)) {
			rc = nomem(err);
			goto out;
		}
	}
	/* The account's one /sync position rides on a pseudo-channel, stored in
	 * the same transaction as the messages it covers. */
	struct batch_channel cur = {.remote_id = MX_CURSOR_CHANNEL, .name = "(matrix sync position)",
				    .cursor = (char *)next_batch};
	if (batch_add_channel(b, &cur))
		rc = nomem(err);
out:
	free(direct);
	cJSON_Delete(root);
	known_free(&known);
	return rc;
}

int mx_backfill(struct provider *p, const char *room_id, int limit, struct store_batch *b,
		struct ebb_err *err)
{
	struct mx *m = p->priv;
	struct known known;
	int rc = load_known(p, &known, err);
	if (rc) {
		known_free(&known);
		return rc;
	}
	const struct store_channel *kc = known_room(&known, room_id);
	if (!kc || !kc->cursor || strncmp(kc->cursor, "b:", 2) || !kc->cursor[2]) {
		known_free(&known);
		return ebb_err_set(err, EBB_ENOENT, "matrix: no older history of %.*s to fetch",
				   MX_MAX_ID, room_id);
	}
	if (limit < 1 || limit > 1000)
		limit = MX_GAP_PAGE;
	struct room r = {.id = kc->remote_id, .joined = -1, .is_direct = kc->is_direct};
	/* The name now, before old m.room.name events in the history speak. */
	room_display(&r, kc);
	cJSON *resp;
	if ((rc = mx_room_history(m, room_id, kc->cursor + 2, NULL, limit, &resp, err)))
		goto out;
	if (!(r.pages = malloc(sizeof *r.pages))) {
		cJSON_Delete(resp);
		rc = nomem(err);
		goto out;
	}
	r.pages[r.npages++] = resp;
	const cJSON *chunk, *state;
	const char *end = NULL;
	struct ebb_err jerr;
	if (json_get_array(resp, "chunk", &chunk, &jerr) ||
	    json_opt_array(resp, "state", &state, &jerr) ||
	    json_opt_string(resp, "end", &end, &jerr)) {
		rc = ebb_err_set(err, EBB_EPARSE, "matrix /rooms/{roomId}/messages for %.*s: %s",
				 MX_MAX_ID, room_id, jerr.msg);
		goto out;
	}
	if ((state && apply_states(&r, state)) || apply_states(&r, chunk)) {
		rc = nomem(err);
		goto out;
	}
	for (int i = cJSON_GetArraySize(chunk); i-- > 0;)
		if (ptrs_add(&r.events, cJSON_GetArrayItem(chunk, i))) {
			rc = nomem(err);
			goto out;
		}
	if (!r.encrypted) {
		/* Older than what the first sync showed: counted as read. */
		struct pull_ctx pc = {.m = m, .b = b};
		m->root_fetches = 0;
		if ((rc = add_events(&pc, &r, r.events.n, err)))
			goto out;
	}
	struct sbuf cursor = {0};
	if (end && end[0] && strlen(end) < 1000 &&
	    (sbuf_puts(&cursor, "b:") || sbuf_puts(&cursor, end))) {
		rc = nomem(err);
		goto out;
	}
	/* "" = the start of the room is reached: nothing older to ask for. */
	struct batch_channel bc = {.remote_id = kc->remote_id, .name = kc->name,
				   .is_direct = kc->is_direct, .cursor = cursor.buf ? cursor.buf : ""};
	if (batch_add_channel(b, &bc))
		rc = nomem(err);
	sbuf_free(&cursor);
out:
	room_free(&r);
	known_free(&known);
	return rc;
}

/* The provider op: one page of the usual gap size. */
static int mx_backfill_page(struct provider *p, const char *channel, struct store_batch *b,
			    struct ebb_err *err)
{
	return mx_backfill(p, channel, 0, b, err);
}

static void mx_close(struct provider *p)
{
	struct mx *m = p->priv;
	if (!m)
		return;
	explicit_bzero(m->token, sizeof m->token);
	net_client_free(m->http);
	free(m->my_name);
	free(m);
	p->priv = NULL;
}

const struct provider_ops matrix_provider_ops = {
	.kind = "matrix",
	.open = mx_open,
	.pull = mx_pull,
	.push_flags = mx_push_flags,
	.fetch_raw = NULL,
	.send = mx_send,
	.wait = mx_wait,
	.close = mx_close,
	.backfill = mx_backfill_page,
};
