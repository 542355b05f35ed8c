/* providers/imap: syncs IMAP mailboxes into the store: headers of new mail
 * in batches by UID, flag changes and expunges by QRESYNC (or a sweep), a
 * UIDVALIDITY change as a refetch; writes flags back, moves done mail to the
 * archive mailbox, fetches bodies on demand, files sent mail, IDLEs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebb/mime.h"
#include "ebb/provider.h"
#include "imap_int.h"

/* Messages per committed batch. Each batch refreshes every conversation it
 * touched, so long threads cost once per batch: 5000 took a 100 k first
 * sync from 4.8 s to 3.7 s; larger ones leave the pull-ahead thread (see
 * sync/sync.c) too few batches to overlap on smaller mailboxes. */
#define IMAP_BATCH 5000
#define IMAP_TRIES 3               /* attempts of one step on a transient error */
#define IMAP_ARCHIVE_MAX 5000      /* messages moved to the archive per sync */
#define IMAP_MAX_BOXES 1000

static const char header_fields[] =
	"FROM TO CC SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES LIST-ID CONTENT-TYPE";
static const unsigned managed_flags = MSG_SEEN | MSG_FLAGGED | MSG_ANSWERED;

struct mailbox {
	char *raw;         /* as the server spells it: the channel's remote id */
	char *name;        /* UTF-8, for people */
};

struct uid_flags {
	uint32_t uid;
	unsigned flags;
	bool present;      /* seen on the server in this sync */
};

/* The mailbox being synced. Its cursor in the store is "V/U/M": UIDVALIDITY,
 * the highest UID fetched and the HIGHESTMODSEQ up to which flags and
 * expunges are known (0 = none known: sweep). */
struct box_sync {
	struct mailbox *box;
	uint64_t v, u, m;              /* from the stored cursor */
	bool had_channel;
	long long channel_id;
	uint64_t srv_v, srv_next, srv_m, exists;
	bool nomodseq;
	bool reset;                    /* UIDVALIDITY changed: send reset with the next batch */
	bool qresync_select;           /* SELECT carried QRESYNC parameters */
	struct uid_flags *changed;     /* FETCH responses during SELECT */
	size_t nchanged, capchanged;
	struct imap_uidset vanished;
	uint32_t *uids;                /* new messages to fetch, ascending */
	size_t nuids, next;
};

struct imap {
	struct imap_session s;
	bool connected;
	struct net_mail_login login;
	char *secret;
	struct mailbox *boxes;
	size_t nboxes, next_box;
	bool listed, archived;
	bool explicit_boxes;           /* mailboxes = in the config */
	char *archive_raw, *sent_raw;
	struct box_sync *cur;
	bool idle_ready;               /* INBOX examined on this connection for wait */
};

/* ---- small helpers ------------------------------------------------------- */

static int nomem(struct ebb_err *err)
{
	return ebb_err_set(err, EBB_ENOMEM, "out of memory");
}

static int encode_name(const char *utf8, char **raw, struct ebb_err *err)
{
	struct sbuf sb = {0};
	int rc = imap_mutf7_encode(utf8, strlen(utf8), &sb, err);
	if (rc) {
		sbuf_free(&sb);
		return rc;
	}
	*raw = sbuf_detach(&sb);
	return *raw ? EBB_OK : nomem(err);
}

static char *display_name(const char *raw, size_t len)
{
	struct sbuf sb = {0};
	if (imap_mutf7_decode(raw, len, &sb, NULL)) {
		sbuf_reset(&sb);
		sbuf_append(&sb, raw, len);
	}
	return sbuf_detach(&sb);
}

static bool parse_uid(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	if (!*s || *s == '0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > UINT32_MAX)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v == 0 || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Reads decimal digits at *p (at least one, no overflow) and moves past them. */
static bool parse_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

/* "V/U/M", three decimal numbers; the database is input like any other. */
static bool parse_cursor(const char *c, uint64_t *v, uint64_t *u, uint64_t *m)
{
	if (!c || !parse_u64(&c, v) || *c++ != '/' || !parse_u64(&c, u) || *c++ != '/' ||
	    !parse_u64(&c, m) || *c)
		return false;
	return *v > 0 && *v <= UINT32_MAX && *u <= UINT32_MAX;
}

static int cmp_uid_flags(const void *a, const void *b)
{
	uint32_t x = ((const struct uid_flags *)a)->uid, y = ((const struct uid_flags *)b)->uid;
	return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static struct uid_flags *find_uid(struct uid_flags *list, size_t n, uint32_t uid)
{
	struct uid_flags key = {.uid = uid};
	return n ? bsearch(&key, list, n, sizeof key, cmp_uid_flags) : NULL;
}

static void box_sync_free(struct box_sync *bs)
{
	if (!bs)
		return;
	free(bs->changed);
	imap_uidset_free(&bs->vanished);
	free(bs->uids);
	free(bs);
}

/* Addressed to me means To, not only Cc or a list. */
static int addressed_to_me(const struct account_cfg *acc, const char *to_addrs)
{
	for (size_t i = 0; to_addrs && i < acc->nme; i++) {
		size_t ml = strlen(acc->me[i]);
		for (const char *hit = strstr(to_addrs, acc->me[i]); hit;
		     hit = strstr(hit + 1, acc->me[i])) {
			bool start_ok = hit == to_addrs || hit[-1] == ',' || hit[-1] == ' ';
			bool end_ok = hit[ml] == '\0' || hit[ml] == ',' || hit[ml] == ' ';
			if (start_ok && end_ok)
				return 1;
		}
	}
	return 0;
}

/* ---- connection ------------------------------------------------------------ */

static int ensure_connected(struct imap *im, struct ebb_err *err)
{
	if (im->connected && !im->s.broken)
		return EBB_OK;
	if (im->connected)
		imap_session_close(&im->s, false);
	im->connected = false;
	im->idle_ready = false;
	int rc = imap_session_open(&im->s, &im->login, err);
	if (rc) {
		imap_session_close(&im->s, false);
		return rc;
	}
	im->connected = true;
	return EBB_OK;
}

/* Waits a moment before another try (0.5 s, then 1.5 s); false when interrupted. */
static bool backoff(int attempt)
{
	long ms = attempt == 1 ? 500 : 1500;
	for (; ms > 0; ms -= 200) {
		if (net_mail_cancelled())
			return false;
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return !net_mail_cancelled();
}

/* A command of ebb's own text: numbers and UID sets, never a string from outside
 * (those go through imap_cmd_string). */
static int run_fmt(struct imap *im, imap_untagged_fn fn, void *ctx, const char *what,
		   struct ebb_err *err, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int run_fmt(struct imap *im, imap_untagged_fn fn, void *ctx, const char *what,
		   struct ebb_err *err, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof text)
		return ebb_err_set(err, EBB_ETOOBIG, "an IMAP command too long to send");
	struct imap_cmd c;
	int rc = imap_session_begin(&im->s, &c, err);
	if (!rc)
		rc = imap_cmd_add(&c, err, "%s", text);
	if (!rc)
		rc = imap_cmd_end(&c, err);
	if (rc) {
		imap_cmd_free(&c);
		return rc;
	}
	return imap_session_run(&im->s, &c, what, fn, ctx, err);
}

/* ---- mailboxes --------------------------------------------------------------- */

static int add_box(struct imap *im, const char *raw, size_t len)
{
	for (size_t i = 0; i < im->nboxes; i++)
		if (strlen(im->boxes[i].raw) == len && !memcmp(im->boxes[i].raw, raw, len))
			return EBB_OK;
	if (im->nboxes >= IMAP_MAX_BOXES)
		return EBB_OK;
	struct mailbox *grown = realloc(im->boxes, (im->nboxes + 1) * sizeof *grown);
	if (!grown)
		return EBB_ENOMEM;
	im->boxes = grown;
	struct mailbox *b = &grown[im->nboxes];
	b->raw = util_strndup(raw, len);
	b->name = display_name(raw, len);
	if (!b->raw || !b->name) {
		free(b->raw);
		free(b->name);
		return EBB_ENOMEM;
	}
	im->nboxes++;
	return EBB_OK;
}

static int list_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	struct imap *im = ctx;
	if (r->data != IMAP_DATA_LIST && r->data != IMAP_DATA_LSUB)
		return EBB_OK;
	const struct imap_list_data *l = &r->u.list;
	/* Not mail to answer: trash, spam, drafts, all-mail copies, archives. */
	static const char *const skip[] = {"\\Noselect", "\\NonExistent", "\\Trash", "\\Junk",
					   "\\Drafts", "\\All", "\\Archive"};
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (imap_list_has_atom(l->attrs, skip[i]))
			return EBB_OK;
	if (im->archive_raw && strlen(im->archive_raw) == l->name.raw_len &&
	    !memcmp(im->archive_raw, l->name.raw, l->name.raw_len))
		return EBB_OK;
	if (memchr(l->name.raw, '\0', l->name.raw_len))
		return EBB_OK;
	if (l->name.raw_len == 5 && util_strncaseeq(l->name.raw, 5, "INBOX"))
		return EBB_OK;  /* already first */
	return add_box(im, l->name.raw, l->name.raw_len) ? nomem(err) : EBB_OK;
}

static int list_boxes(struct provider *p, struct ebb_err *err)
{
	struct imap *im = p->priv;
	for (size_t i = 0; i < im->nboxes; i++) {
		free(im->boxes[i].raw);
		free(im->boxes[i].name);
	}
	im->nboxes = 0;
	if (p->acc->mailboxes) {
		im->explicit_boxes = true;
		char *copy = strdup(p->acc->mailboxes);
		if (!copy)
			return nomem(err);
		int rc = EBB_OK;
		for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && !rc;
		     t = strtok_r(NULL, ",", &save)) {
			util_trim(t);
			if (!*t)
				continue;
			if (util_strncaseeq(t, strlen(t), "INBOX")) {
				rc = add_box(im, "INBOX", 5) ? nomem(err) : EBB_OK;
				continue;
			}
			char *raw;
			if (!(rc = encode_name(t, &raw, err))) {
				rc = add_box(im, raw, strlen(raw)) ? nomem(err) : EBB_OK;
				free(raw);
			}
		}
		free(copy);
		return rc;
	}
	if (add_box(im, "INBOX", 5))
		return nomem(err);
	int rc;
	if ((im->s.caps & IMAP_CAP_LIST_EXTENDED) && (im->s.caps & IMAP_CAP_SPECIAL_USE)) {
		rc = run_fmt(im, list_cb, im, "to list mailboxes", err,
			     "LIST (SUBSCRIBED) \"\" \"*\" RETURN (SPECIAL-USE)");
		if (rc != EBB_EPROTO)
			return rc;
	}
	return run_fmt(im, list_cb, im, "to list mailboxes", err, "LSUB \"\" \"*\"");
}

/* ---- the stored side of a mailbox ------------------------------------------- */

static int stored_channel(struct provider *p, struct box_sync *bs, struct ebb_err *err)
{
	struct store_channel *ch;
	size_t n;
	int rc = store_channel_list(p->store, p->account_id, &ch, &n, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ch[i].remote_id, bs->box->raw))
			continue;
		bs->had_channel = true;
		bs->channel_id = ch[i].id;
		if (!parse_cursor(ch[i].cursor, &bs->v, &bs->u, &bs->m)) {
			/* No usable cursor: start over, forgetting what is stored. */
			bs->v = bs->u = bs->m = 0;
			bs->reset = true;
		}
	}
	store_channel_list_free(ch, n);
	return EBB_OK;
}

struct known {
	struct uid_flags *list;
	size_t n, cap;
};

static int known_cb(void *ctx, const char *remote_id, unsigned flags)
{
	struct known *k = ctx;
	uint32_t uid;
	if (!parse_uid(remote_id, &uid))
		return EBB_OK;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		struct uid_flags *grown = realloc(k->list, cap * sizeof *grown);
		if (!grown)
			return EBB_ENOMEM;
		k->list = grown;
		k->cap = cap;
	}
	k->list[k->n++] = (struct uid_flags){.uid = uid, .flags = flags};
	return EBB_OK;
}

/* What the store holds for the mailbox, ascending by UID. */
static int load_known(struct provider *p, struct box_sync *bs, struct known *k,
		      struct ebb_err *err)
{
	memset(k, 0, sizeof *k);
	if (!bs->had_channel)
		return EBB_OK;
	int rc = store_channel_remote_ids(p->store, bs->channel_id, known_cb, k, err);
	if (rc == EBB_ENOMEM)
		return nomem(err);
	if (rc)
		return rc;
	if (k->n)
		qsort(k->list, k->n, sizeof *k->list, cmp_uid_flags);
	return EBB_OK;
}

/* ---- SELECT ------------------------------------------------------------------ */

static int add_changed(struct box_sync *bs, uint32_t uid, unsigned flags)
{
	if (bs->nchanged == bs->capchanged) {
		size_t cap = bs->capchanged ? bs->capchanged * 2 : 64;
		struct uid_flags *grown = realloc(bs->changed, cap * sizeof *grown);
		if (!grown)
			return EBB_ENOMEM;
		bs->changed = grown;
		bs->capchanged = cap;
	}
	bs->changed[bs->nchanged++] = (struct uid_flags){.uid = uid, .flags = flags};
	return EBB_OK;
}

static int select_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	struct box_sync *bs = ctx;
	uint64_t n;
	if (r->status == IMAP_ST_OK && r->code) {
		if (imap_code_number(r, "UIDVALIDITY", &n))
			bs->srv_v = n;
		else if (imap_code_number(r, "UIDNEXT", &n))
			bs->srv_next = n;
		else if (imap_code_number(r, "HIGHESTMODSEQ", &n))
			bs->srv_m = n;
		else if (!strcmp(r->code, "NOMODSEQ"))
			bs->nomodseq = true;
		return EBB_OK;
	}
	if (r->data == IMAP_DATA_EXISTS) {
		bs->exists = r->number;
	} else if (r->data == IMAP_DATA_VANISHED) {
		struct imap_uidset set = {0};
		int rc = imap_uidset_parse(r->u.vanished.set, r->u.vanished.set_len, &set, err);
		for (size_t i = 0; !rc && i < set.n; i++)
			if (imap_uidset_add(&bs->vanished, set.r[i].lo, set.r[i].hi))
				rc = nomem(err);
		imap_uidset_free(&set);
		return rc;
	} else if (r->data == IMAP_DATA_FETCH && (r->u.fetch.has & IMAP_FETCH_UID) &&
		   (r->u.fetch.has & IMAP_FETCH_FLAGS)) {
		if (add_changed(bs, r->u.fetch.uid, imap_flags_from_list(r->u.fetch.flags)))
			return nomem(err);
	}
	return EBB_OK;
}

/* ---- flags and expunges of what is stored ----------------------------------- */

static int add_flag(struct store_batch *b, const char *box, uint32_t uid, unsigned flags,
		    struct ebb_err *err)
{
	char id[16];
	snprintf(id, sizeof id, "%" PRIu32, uid);
	return batch_add_flag(b, box, id, flags) ? nomem(err) : EBB_OK;
}

static int add_removal(struct store_batch *b, const char *box, uint32_t uid,
		       struct ebb_err *err)
{
	char id[16];
	snprintf(id, sizeof id, "%" PRIu32, uid);
	return batch_add_removal(b, box, id) ? nomem(err) : EBB_OK;
}

struct sweep {
	const char *box;
	struct known *k;
	struct store_batch *b;
};

static int sweep_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	struct sweep *sw = ctx;
	if (r->data != IMAP_DATA_FETCH || !(r->u.fetch.has & IMAP_FETCH_UID) ||
	    !(r->u.fetch.has & IMAP_FETCH_FLAGS))
		return EBB_OK;
	struct uid_flags *k = find_uid(sw->k->list, sw->k->n, r->u.fetch.uid);
	if (!k)
		return EBB_OK;  /* not stored (yet): the fetch of new mail brings it */
	k->present = true;
	unsigned flags = imap_flags_from_list(r->u.fetch.flags);
	if (flags != k->flags)
		return add_flag(sw->b, sw->box, k->uid, flags, err);
	return EBB_OK;
}

static int search_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	struct known *k = ctx;
	if (r->data == IMAP_DATA_SEARCH) {
		for (size_t i = 0; i < r->u.search.n; i++) {
			struct uid_flags *f = find_uid(k->list, k->n, r->u.search.nums[i]);
			if (f)
				f->present = true;
		}
	} else if (r->data == IMAP_DATA_ESEARCH && (r->u.esearch.has & IMAP_ES_ALL)) {
		struct imap_uidset set = {0};
		int rc = imap_uidset_parse(r->u.esearch.all, r->u.esearch.all_len, &set, err);
		for (size_t i = 0; !rc && i < k->n; i++)
			if (imap_uidset_contains(&set, k->list[i].uid))
				k->list[i].present = true;
		imap_uidset_free(&set);
		return rc;
	}
	return EBB_OK;
}

/* Flag changes and expunges among UIDs 1..U, the cheapest way the server
 * allows: QRESYNC told them in the SELECT; CONDSTORE says which flags
 * changed and a UID SEARCH which are gone; else every flag is fetched. */
static int sync_known(struct provider *p, struct box_sync *bs, struct store_batch *b,
		      struct ebb_err *err)
{
	struct imap *im = p->priv;
	const char *box = bs->box->raw;
	struct known k;
	int rc;
	if (bs->qresync_select) {
		for (size_t i = 0; i < bs->nchanged; i++)
			if (bs->changed[i].uid <= bs->u &&
			    (rc = add_flag(b, box, bs->changed[i].uid, bs->changed[i].flags, err)))
				return rc;
		if (!bs->vanished.n)
			return EBB_OK;
		imap_uidset_normalize(&bs->vanished);
		if ((rc = load_known(p, bs, &k, err)))
			return rc;
		for (size_t i = 0; !rc && i < k.n; i++)
			if (imap_uidset_contains(&bs->vanished, k.list[i].uid))
				rc = add_removal(b, box, k.list[i].uid, err);
		free(k.list);
		return rc;
	}
	bool condstore = (im->s.caps & IMAP_CAP_CONDSTORE) && bs->m && bs->srv_m && !bs->nomodseq;
	if (condstore && bs->srv_m == bs->m)
		return EBB_OK;  /* nothing changed since the cursor */
	if ((rc = load_known(p, bs, &k, err)))
		return rc;
	struct sweep sw = {.box = box, .k = &k, .b = b};
	if (condstore)
		rc = run_fmt(im, sweep_cb, &sw, "to fetch flag changes", err,
			     "UID FETCH 1:%" PRIu64 " (UID FLAGS) (CHANGEDSINCE %" PRIu64 ")", bs->u,
			     bs->m);
	else
		rc = run_fmt(im, sweep_cb, &sw, "to fetch flags", err, "UID FETCH 1:%" PRIu64
			     " (UID FLAGS)", bs->u);
	if (!rc && condstore) {
		for (size_t i = 0; i < k.n; i++)
			k.list[i].present = false;
		rc = run_fmt(im, search_cb, &k, "to list messages", err,
			     (im->s.caps & IMAP_CAP_ESEARCH) ? "UID SEARCH RETURN (ALL) UID 1:%" PRIu64
							     : "UID SEARCH UID 1:%" PRIu64, bs->u);
	}
	for (size_t i = 0; !rc && i < k.n; i++)
		if (!k.list[i].present)
			rc = add_removal(b, box, k.list[i].uid, err);
	free(k.list);
	return rc;
}

/* ---- new messages -------------------------------------------------------------- */

struct new_uids {
	struct box_sync *bs;
	uint64_t max;          /* no more UIDs than this: the mailbox's size */
};

static int push_uid(struct new_uids *nu, uint32_t uid, size_t *cap, struct ebb_err *err)
{
	struct box_sync *bs = nu->bs;
	if (uid <= bs->u)
		return EBB_OK;  /* "U+1:*" also names the last message when none is newer */
	if (bs->nuids >= nu->max)
		return ebb_err_set(err, EBB_EPROTO, "the server listed more new messages than the "
				   "mailbox holds");
	if (bs->nuids == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		uint32_t *grown = realloc(bs->uids, ncap * sizeof *grown);
		if (!grown)
			return nomem(err);
		bs->uids = grown;
		*cap = ncap;
	}
	bs->uids[bs->nuids++] = uid;
	return EBB_OK;
}

struct new_ctx {
	struct new_uids nu;
	size_t cap;
};

static int new_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	struct new_ctx *nc = ctx;
	int rc = EBB_OK;
	if (r->data == IMAP_DATA_SEARCH) {
		for (size_t i = 0; !rc && i < r->u.search.n; i++)
			rc = push_uid(&nc->nu, r->u.search.nums[i], &nc->cap, err);
	} else if (r->data == IMAP_DATA_ESEARCH && (r->u.esearch.has & IMAP_ES_ALL)) {
		struct imap_uidset set = {0};
		rc = imap_uidset_parse(r->u.esearch.all, r->u.esearch.all_len, &set, err);
		for (size_t i = 0; !rc && i < set.n; i++) {
			if (set.r[i].hi == IMAP_STAR)
				rc = ebb_err_set(err, EBB_EPROTO, "the server sent \"*\" in a search result");
			for (uint64_t uid = set.r[i].lo; !rc && uid <= set.r[i].hi; uid++)
				rc = push_uid(&nc->nu, (uint32_t)uid, &nc->cap, err);
		}
		imap_uidset_free(&set);
	}
	return rc;
}

static int find_new(struct imap *im, struct box_sync *bs, struct ebb_err *err)
{
	/* A bound against a server that lists absurd ranges; EXISTS may grow
	 * while the search runs. */
	uint64_t max = bs->exists + 100000;
	struct new_ctx nc = {.nu = {.bs = bs, .max = max > 10000000 ? 10000000 : max}};
	uint64_t from = bs->u + 1;
	int rc = run_fmt(im, new_cb, &nc, "to list new messages", err,
			 (im->s.caps & IMAP_CAP_ESEARCH) ? "UID SEARCH RETURN (ALL) UID %" PRIu64 ":*"
							 : "UID SEARCH UID %" PRIu64 ":*", from);
	if (!rc && bs->nuids > 1)
		qsort(bs->uids, bs->nuids, sizeof *bs->uids, cmp_u32);
	return rc;
}

struct fetch_ctx {
	struct provider *p;
	struct box_sync *bs;
	struct store_batch *b;
	uint32_t lo, hi;
	size_t added;
};

static int header_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	struct fetch_ctx *fc = ctx;
	if (r->data != IMAP_DATA_FETCH || !(r->u.fetch.has & IMAP_FETCH_UID))
		return EBB_OK;
	const struct imap_fetch_data *f = &r->u.fetch;
	if (f->uid < fc->lo || f->uid > fc->hi || f->uid <= fc->bs->u)
		return EBB_OK;
	const struct imap_section *sec = NULL;
	for (size_t i = 0; i < f->nsections; i++)
		if (!strncmp(f->sections[i].spec, "HEADER", 6))
			sec = &f->sections[i];
	if (!sec)
		return EBB_OK;  /* an unsolicited flag update; the answer itself follows */
	const char *hdr = sec->data;
	size_t hlen = sec->data ? sec->len : 0;
	struct mime_message *m = NULL;
	if (hdr && hlen && mime_parse_headers(hdr, hlen, &m, NULL))
		m = NULL;
	char id[16];
	snprintf(id, sizeof id, "%" PRIu32, f->uid);
	struct batch_msg bm = {
		.channel = fc->bs->box->raw,
		.remote_id = id,
		.flags = imap_flags_from_list(f->flags),
		.size = (f->has & IMAP_FETCH_SIZE) ? (long long)f->size : 0,
		.sent_at = (f->has & IMAP_FETCH_INTERNALDATE) ? f->internaldate : 0,
	};
	if (m) {
		bm.msgid = m->msgid;
		bm.in_reply_to = m->in_reply_to;
		bm.refs = m->references;
		bm.sender = m->from_addr;
		bm.sender_name = m->from_name;
		bm.recipients = m->to;
		bm.cc = m->cc;
		bm.subject = m->subject;
		bm.list_id = m->list_id;   /* LIST-ID is among header_fields */
		if (m->date)
			bm.sent_at = m->date;
		bm.from_me = config_is_me(fc->p->acc, m->from_addr);
		bm.to_me = addressed_to_me(fc->p->acc, m->to_addrs);
	} else {
		bm.subject = "(unreadable message)";
		bm.sender = "";
	}
	int rc = batch_add_msg(fc->b, &bm);
	mime_message_free(m);
	if (rc)
		return nomem(err);
	fc->added++;
	return EBB_OK;
}

/* Fetches the headers of up to max new messages into b. */
static int fetch_chunk(struct provider *p, struct box_sync *bs, struct store_batch *b,
		       size_t max, size_t *added, struct ebb_err *err)
{
	struct imap *im = p->priv;
	size_t k = bs->nuids - bs->next;
	if (k > max)
		k = max;
	*added = 0;
	if (!k)
		return EBB_OK;
	struct imap_uidset set = {0};
	for (size_t i = 0; i < k; i++)
		if (imap_uidset_add(&set, bs->uids[bs->next + i], bs->uids[bs->next + i])) {
			imap_uidset_free(&set);
			return nomem(err);
		}
	imap_uidset_normalize(&set);
	struct sbuf uids = {0};
	struct imap_cmd c;
	int rc = imap_uidset_format(&set, &uids) ? nomem(err) : EBB_OK;
	imap_uidset_free(&set);
	if (!rc)
		rc = imap_session_begin(&im->s, &c, err);
	else
		imap_cmd_init(&c, IMAP_LIT_SYNC);
	if (!rc)
		rc = imap_cmd_add(&c, err, "UID FETCH ");
	if (!rc && sbuf_append(&c.buf, uids.buf, uids.len))
		rc = nomem(err);
	if (!rc)
		rc = imap_cmd_add(&c, err, " (UID FLAGS INTERNALDATE RFC822.SIZE "
				  "BODY.PEEK[HEADER.FIELDS (%s)])", header_fields);
	if (!rc)
		rc = imap_cmd_end(&c, err);
	sbuf_free(&uids);
	if (rc) {
		imap_cmd_free(&c);
		return rc;
	}
	struct fetch_ctx fc = {.p = p, .bs = bs, .b = b, .lo = bs->uids[bs->next],
			       .hi = bs->uids[bs->next + k - 1]};
	rc = imap_session_run(&im->s, &c, "to fetch new messages", header_cb, &fc, err);
	if (rc)
		return rc;
	bs->u = bs->uids[bs->next + k - 1];
	bs->next += k;
	*added = fc.added;
	b->progress_done += (long long)k;
	return EBB_OK;
}

/* ---- one mailbox --------------------------------------------------------------- */

/* The batch's entry for the mailbox, added on first use in a batch. */
static struct batch_channel *batch_box(struct box_sync *bs, struct store_batch *b,
				       struct ebb_err *err)
{
	struct batch_channel *bc = batch_channel_find(b, bs->box->raw);
	if (bc)
		return bc;
	struct batch_channel nc = {.remote_id = bs->box->raw, .name = bs->box->name,
				   .uidvalidity = (long long)bs->srv_v, .reset = bs->reset};
	if (batch_add_channel(b, &nc)) {
		nomem(err);
		return NULL;
	}
	bs->reset = false;  /* once: the batch that carries it forgets the old UIDs */
	return batch_channel_find(b, bs->box->raw);
}

static int set_cursor(struct box_sync *bs, struct store_batch *b, bool complete,
		      struct ebb_err *err)
{
	struct batch_channel *bc = batch_box(bs, b, err);
	if (!bc)
		return EBB_ENOMEM;
	char cur[96];
	snprintf(cur, sizeof cur, "%" PRIu64 "/%" PRIu64 "/%" PRIu64, bs->srv_v, bs->u,
		 complete && !bs->nomodseq ? bs->srv_m : bs->m);
	free(bc->cursor);
	bc->cursor = strdup(cur);
	return bc->cursor ? EBB_OK : nomem(err);
}

/* Selects the next mailbox and brings its stored messages up to date.
 * *skipped when it cannot be opened and was not asked for by name. */
static int start_box(struct provider *p, struct mailbox *box, struct store_batch *b,
		     bool *skipped, struct ebb_err *err)
{
	struct imap *im = p->priv;
	*skipped = false;
	struct box_sync *bs = calloc(1, sizeof *bs);
	if (!bs)
		return nomem(err);
	bs->box = box;
	int rc = stored_channel(p, bs, err);
	if (rc) {
		box_sync_free(bs);
		return rc;
	}
	/* Never reuse a selection here: the SELECT's answers are the news. */
	char extra[96] = "";
	if (im->s.qresync && bs->v && bs->m) {
		snprintf(extra, sizeof extra, "(QRESYNC (%" PRIu64 " %" PRIu64 "))", bs->v, bs->m);
		bs->qresync_select = true;
	} else if (im->s.caps & IMAP_CAP_CONDSTORE) {
		snprintf(extra, sizeof extra, "(CONDSTORE)");
	}
	rc = imap_session_select(&im->s, box->raw, true, extra, select_cb, bs, err);
	if (rc == EBB_EPROTO && !im->s.broken && !im->explicit_boxes) {
		box_sync_free(bs);
		*skipped = true;  /* subscribed but gone, or not selectable */
		return EBB_OK;
	}
	if (!rc && !bs->srv_v)
		rc = ebb_err_set(err, EBB_EPROTO, "the server did not say the UIDVALIDITY of %s",
				 box->name);
	if (rc) {
		box_sync_free(bs);
		return rc;
	}
	if (bs->v && bs->v != bs->srv_v) {
		/* Renumbered: refetch everything; the store keeps conversations and
		 * triage by Message-ID. */
		bs->reset = true;
		bs->qresync_select = false;
	}
	if (bs->reset)
		bs->u = bs->m = 0;
	if (!bs->v || bs->v != bs->srv_v)
		bs->qresync_select = false;
	if (bs->qresync_select && bs->nomodseq)
		bs->qresync_select = false;
	if (!batch_box(bs, b, err))
		rc = EBB_ENOMEM;
	if (!rc && bs->u)
		rc = sync_known(p, bs, b, err);
	/* New mail exists when UIDNEXT moved past the cursor (or is unknown). */
	if (!rc && bs->exists && (!bs->srv_next || bs->srv_next > bs->u + 1))
		rc = find_new(im, bs, err);
	if (rc) {
		box_sync_free(bs);
		return rc;
	}
	b->progress_total += (long long)bs->nuids;
	im->cur = bs;
	return EBB_OK;
}

/* ---- archive --------------------------------------------------------------------- */

/* CREATE, for a mailbox the server said to create ([TRYCREATE]). */
static int create_box(struct imap *im, const char *raw, struct ebb_err *err)
{
	struct imap_cmd c;
	int rc = imap_session_begin(&im->s, &c, err);
	if (!rc)
		rc = imap_cmd_add(&c, err, "CREATE ");
	if (!rc)
		rc = imap_cmd_string(&c, raw, strlen(raw), err);
	if (!rc)
		rc = imap_cmd_end(&c, err);
	if (rc) {
		imap_cmd_free(&c);
		return rc;
	}
	return imap_session_run(&im->s, &c, "to create a mailbox", NULL, NULL, err);
}

/* "UID MOVE|COPY set mailbox", creating the mailbox when the server asks. */
static int copy_or_move(struct imap *im, const char *verb, const char *set,
			struct ebb_err *err)
{
	for (int attempt = 0;; attempt++) {
		struct imap_cmd c;
		int rc = imap_session_begin(&im->s, &c, err);
		if (!rc)
			rc = imap_cmd_add(&c, err, "UID %s %s ", verb, set);
		if (!rc)
			rc = imap_cmd_string(&c, im->archive_raw, strlen(im->archive_raw), err);
		if (!rc)
			rc = imap_cmd_end(&c, err);
		if (rc) {
			imap_cmd_free(&c);
			return rc;
		}
		rc = imap_session_run(&im->s, &c, "to archive messages", NULL, NULL, err);
		if (rc != EBB_EPROTO || attempt || strcmp(im->s.code, "TRYCREATE") || im->s.broken)
			return rc;
		if ((rc = create_box(im, im->archive_raw, err)))
			return rc;
	}
}

static int archive_group(struct imap *im, const struct batch_removal *r, size_t n,
			 struct store_batch *b, struct ebb_err *err)
{
	struct imap_uidset set = {0};
	for (size_t i = 0; i < n; i++) {
		uint32_t uid;
		if (parse_uid(r[i].remote_id, &uid) && imap_uidset_add(&set, uid, uid)) {
			imap_uidset_free(&set);
			return nomem(err);
		}
	}
	if (!set.n)
		return EBB_OK;
	imap_uidset_normalize(&set);
	struct sbuf uids = {0};
	int rc = imap_uidset_format(&set, &uids) ? nomem(err) : EBB_OK;
	imap_uidset_free(&set);
	if (!rc)
		rc = imap_session_select(&im->s, r[0].channel, true, NULL, NULL, NULL, err);
	if (rc == EBB_EPROTO && !im->s.broken) {
		sbuf_free(&uids);
		return EBB_OK;  /* the mailbox is gone; so are its messages */
	}
	if (!rc && (im->s.caps & IMAP_CAP_MOVE)) {
		rc = copy_or_move(im, "MOVE", uids.buf, err);
	} else if (!rc) {
		rc = copy_or_move(im, "COPY", uids.buf, err);
		if (!rc)
			rc = run_fmt(im, NULL, NULL, "to archive messages", err,
				     "UID STORE %s +FLAGS.SILENT (\\Deleted)", uids.buf);
		if (!rc && (im->s.caps & IMAP_CAP_UIDPLUS))
			rc = run_fmt(im, NULL, NULL, "to archive messages", err, "UID EXPUNGE %s",
				     uids.buf);
		else if (!rc)
			rc = run_fmt(im, NULL, NULL, "to archive messages", err, "EXPUNGE");
	}
	sbuf_free(&uids);
	for (size_t i = 0; !rc && i < n; i++)
		if (batch_add_removal(b, r[i].channel, r[i].remote_id))
			rc = nomem(err);
	return rc;
}

/* Done conversations' messages go to `archive = NAME` (design §1: done = archived). */
static int archive_done(struct provider *p, struct store_batch *b, struct ebb_err *err)
{
	struct imap *im = p->priv;
	if (!im->archive_raw)
		return EBB_OK;
	struct batch_removal *r;
	size_t n;
	int rc = store_archive_pending(p->store, p->account_id, im->archive_raw, im->sent_raw,
				       IMAP_ARCHIVE_MAX, &r, &n, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n;) {
		size_t j = i;
		/* Batches of one mailbox, and short enough for one command line. */
		while (j < n && j - i < 200 && !strcmp(r[j].channel, r[i].channel))
			j++;
		rc = archive_group(im, r + i, j - i, b, err);
		i = j;
	}
	store_archive_free(r, n);
	return rc;
}

/* ---- pull ----------------------------------------------------------------------- */

static int pull_once(struct provider *p, struct store_batch *b, struct ebb_err *err)
{
	struct imap *im = p->priv;
	int rc = ensure_connected(im, err);
	if (rc)
		return rc;
	if (!im->listed) {
		if ((rc = list_boxes(p, err)))
			return rc;
		im->listed = true;
	}
	if (!im->archived) {
		if ((rc = archive_done(p, b, err)))
			return rc;
		im->archived = true;
	}
	size_t added = 0;
	while (added < IMAP_BATCH) {
		if (!im->cur) {
			if (im->next_box >= im->nboxes)
				break;
			bool skipped;
			rc = start_box(p, &im->boxes[im->next_box], b, &skipped, err);
			if (rc)
				return rc;
			if (skipped) {
				im->next_box++;
				continue;
			}
		}
		struct box_sync *bs = im->cur;
		size_t got;
		if ((rc = fetch_chunk(p, bs, b, IMAP_BATCH - added, &got, err)))
			return rc;
		added += got;
		bool complete = bs->next >= bs->nuids;
		if ((rc = set_cursor(bs, b, complete, err)))
			return rc;
		if (!complete)
			break;
		box_sync_free(bs);
		im->cur = NULL;
		im->next_box++;
	}
	b->more = im->cur || im->next_box < im->nboxes;
	return EBB_OK;
}

static int imap_pull(struct provider *p, struct store_batch *b, struct ebb_err *err)
{
	struct imap *im = p->priv;
	long long done = b->progress_done, total = b->progress_total;
	size_t first_box = im->next_box;
	bool archived = im->archived;
	for (int attempt = 1;; attempt++) {
		int rc = pull_once(p, b, err);
		if (!rc || !net_mail_transient(rc) || attempt == IMAP_TRIES || net_mail_cancelled()) {
			if (rc && attempt > 1 && err) {
				char msg[EBB_ERRLEN];
				snprintf(msg, sizeof msg, "%s", err->msg);
				ebb_err_set(err, rc, "%s (gave up after %d attempts)", msg, attempt);
			}
			return rc;
		}
		/* Start this step again from what the store has committed. */
		batch_reset(b);
		b->progress_done = done;
		b->progress_total = total;
		box_sync_free(im->cur);
		im->cur = NULL;
		im->next_box = first_box;
		im->archived = archived;
		if (!backoff(attempt))
			return rc;
	}
}

/* ---- flags back to the server ---------------------------------------------------- */

/* Adds the flags in mask to the messages whose local flag set is exactly
 * mask. Only adds: a pending change holds the whole local set, not which
 * bits changed, so a bit missing locally may be one set elsewhere since the
 * last sync, and removing it would undo that. */
static int store_flags(struct imap *im, const struct batch_flag *f, size_t n, unsigned mask,
		       struct ebb_err *err)
{
	static const struct { unsigned bit; const char *atom; } names[] = {
		{MSG_SEEN, "\\Seen"}, {MSG_FLAGGED, "\\Flagged"}, {MSG_ANSWERED, "\\Answered"}};
	char list[64] = "";
	for (size_t i = 0; i < 3; i++) {
		if (!(mask & names[i].bit))
			continue;
		if (list[0])
			strcat(list, " ");
		strcat(list, names[i].atom);
	}
	if (!list[0])
		return EBB_OK;
	struct imap_uidset set = {0};
	for (size_t i = 0; i < n; i++) {
		uint32_t uid;
		if ((f[i].flags & managed_flags) == mask && parse_uid(f[i].remote_id, &uid) &&
		    imap_uidset_add(&set, uid, uid)) {
			imap_uidset_free(&set);
			return nomem(err);
		}
	}
	if (!set.n)
		return EBB_OK;
	imap_uidset_normalize(&set);
	struct sbuf uids = {0};
	int rc = imap_uidset_format(&set, &uids) ? nomem(err) : EBB_OK;
	imap_uidset_free(&set);
	if (!rc)
		rc = run_fmt(im, NULL, NULL, "to change flags", err, "UID STORE %s +FLAGS.SILENT (%s)",
			     uids.buf, list);
	sbuf_free(&uids);
	return rc;
}

static int push_once(struct provider *p, const struct batch_flag *f, size_t n,
		     struct ebb_err *err)
{
	struct imap *im = p->priv;
	int rc = ensure_connected(im, err);
	for (size_t i = 0; !rc && i < n;) {
		size_t j = i;
		while (j < n && !strcmp(f[j].channel, f[i].channel) && j - i < 500)
			j++;
		rc = imap_session_select(&im->s, f[i].channel, true, NULL, NULL, NULL, err);
		if (rc == EBB_EPROTO && !im->s.broken) {
			rc = EBB_OK;  /* the mailbox is gone: nothing to change there */
		} else {
			/* One command per distinct flag set: a "mark read" of many is one STORE. */
			for (unsigned mask = 1; !rc && mask <= managed_flags; mask++)
				if ((mask & ~managed_flags) == 0)
					rc = store_flags(im, f + i, j - i, mask, err);
		}
		i = j;
	}
	return rc;
}

static int imap_push_flags(struct provider *p, const struct batch_flag *f, size_t n,
			   struct ebb_err *err)
{
	for (int attempt = 1;; attempt++) {
		int rc = push_once(p, f, n, err);
		if (!rc || !net_mail_transient(rc) || attempt == IMAP_TRIES || !backoff(attempt))
			return rc;
	}
}

/* ---- bodies ---------------------------------------------------------------------- */

struct body_ctx {
	uint32_t uid;
	struct sbuf *raw;
	bool found;
};

static int body_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	struct body_ctx *bc = ctx;
	if (r->data != IMAP_DATA_FETCH || r->u.fetch.uid != bc->uid)
		return EBB_OK;
	for (size_t i = 0; i < r->u.fetch.nsections; i++) {
		const struct imap_section *s = &r->u.fetch.sections[i];
		if (s->spec[0] || !s->data || bc->found)
			continue;
		if (sbuf_append(bc->raw, s->data, s->len))
			return nomem(err);
		bc->found = true;
	}
	return EBB_OK;
}

static int fetch_once(struct provider *p, const char *channel, uint32_t uid, struct sbuf *raw,
		      struct ebb_err *err)
{
	struct imap *im = p->priv;
	int rc = ensure_connected(im, err);
	if (!rc)
		rc = imap_session_select(&im->s, channel, false, NULL, NULL, NULL, err);
	struct body_ctx bc = {.uid = uid, .raw = raw};
	size_t start = raw->len;
	if (!rc)
		rc = run_fmt(im, body_cb, &bc, "to fetch a message", err,
			     "UID FETCH %" PRIu32 " (UID BODY.PEEK[])", uid);
	if (rc) {
		raw->len = start;
		if (raw->buf)
			raw->buf[start] = '\0';
		return rc;
	}
	if (!bc.found) {
		char *name = display_name(channel, strlen(channel));
		rc = ebb_err_set(err, EBB_ENOENT, "message %" PRIu32 " is no longer in %s on the "
				 "server", uid, name ? name : channel);
		free(name);
	}
	return rc;
}

static int imap_fetch_raw(struct provider *p, const char *channel, const char *remote_id,
			  struct sbuf *raw, struct ebb_err *err)
{
	uint32_t uid;
	if (!parse_uid(remote_id, &uid))
		return ebb_err_set(err, EBB_EINVAL, "\"%.40s\" is not an IMAP UID", remote_id);
	for (int attempt = 1;; attempt++) {
		int rc = fetch_once(p, channel, uid, raw, err);
		if (!rc || !net_mail_transient(rc) || attempt == IMAP_TRIES || !backoff(attempt))
			return rc;
	}
}

/* ---- sending --------------------------------------------------------------------- */

static int append_sent(struct provider *p, const char *data, size_t len, struct ebb_err *err)
{
	struct imap *im = p->priv;
	int rc = ensure_connected(im, err);
	if (rc)
		return rc;
	/* IMAP wants CRLF; the queued message has LF line ends. */
	struct sbuf crlf = {0};
	size_t start = 0;
	for (size_t i = 0; i < len && !rc; i++) {
		if (data[i] != '\n' || (i && data[i - 1] == '\r'))
			continue;
		if (sbuf_append(&crlf, data + start, i - start) || sbuf_append(&crlf, "\r\n", 2))
			rc = nomem(err);
		start = i + 1;
	}
	if (!rc && sbuf_append(&crlf, data + start, len - start))
		rc = nomem(err);
	for (int attempt = 0; !rc; attempt++) {
		struct imap_cmd c;
		rc = imap_session_begin(&im->s, &c, err);
		if (!rc)
			rc = imap_cmd_add(&c, err, "APPEND ");
		if (!rc)
			rc = imap_cmd_string(&c, im->sent_raw, strlen(im->sent_raw), err);
		if (!rc)
			rc = imap_cmd_add(&c, err, " (\\Seen) ");
		if (!rc)
			rc = imap_cmd_literal(&c, crlf.buf ? crlf.buf : "", crlf.len, err);
		if (!rc)
			rc = imap_cmd_end(&c, err);
		if (rc) {
			imap_cmd_free(&c);
			break;
		}
		rc = imap_session_run(&im->s, &c, "to file the sent copy", NULL, NULL, err);
		if (rc != EBB_EPROTO || attempt || strcmp(im->s.code, "TRYCREATE") || im->s.broken)
			break;
		rc = create_box(im, im->sent_raw, err);
	}
	sbuf_free(&crlf);
	return rc;
}

/* The transport (smtp_url or sendmail_cmd), then a copy in the Sent mailbox
 * so the reply joins its thread. */
static int imap_send(struct provider *p, const struct outbox_item *item,
		     struct send_result *res, struct ebb_err *err)
{
	int rc = mail_send(p->acc, item, res, err);
	if (rc)
		return rc;
	/* The message went out; a missing Sent copy only hides it from its thread. */
	for (int attempt = 1;; attempt++) {
		rc = append_sent(p, item->payload, item->payload_len, NULL);
		if (!rc || !net_mail_transient(rc) || attempt == IMAP_TRIES || !backoff(attempt))
			break;
	}
	return EBB_OK;
}

/* ---- waiting for news -------------------------------------------------------------- */

static bool is_news(const struct imap_response *r)
{
	return r->kind == IMAP_UNTAGGED &&
	       (r->data == IMAP_DATA_EXISTS || r->data == IMAP_DATA_EXPUNGE ||
		r->data == IMAP_DATA_VANISHED || r->data == IMAP_DATA_FETCH);
}

static int news_cb(void *ctx, const struct imap_response *r, struct ebb_err *err)
{
	(void)err;
	if (is_news(r))
		*(bool *)ctx = true;
	return EBB_OK;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* IDLE on INBOX until the server reports a change or timeout_ms pass.
 * Returns 1 for news, 0 for none. timeout_ms 0 only asks (NOOP). The first
 * call examines INBOX: what arrives after it counts as news. */
static int wait_once(struct provider *p, int timeout_ms, struct ebb_err *err)
{
	struct imap *im = p->priv;
	int rc = ensure_connected(im, err);
	if (rc)
		return rc;
	bool news = false;
	if (!im->idle_ready) {
		if ((rc = imap_session_select(&im->s, "INBOX", false, NULL, NULL, NULL, err)))
			return rc;
		im->idle_ready = true;
	}
	if (timeout_ms <= 0 || !(im->s.caps & IMAP_CAP_IDLE)) {
		/* Without IDLE: wait, then ask. */
		for (long end = now_ms() + (timeout_ms > 0 ? timeout_ms : 0); now_ms() < end;) {
			if (net_mail_cancelled())
				return ebb_err_set(err, EBB_ETIMEOUT, "interrupted");
			struct timespec ts = {0, 200 * 1000000L};
			nanosleep(&ts, NULL);
		}
		rc = run_fmt(im, news_cb, &news, "NOOP", err, "NOOP");
		return rc ? rc : news;
	}
	struct imap_cmd c;
	if ((rc = imap_session_begin(&im->s, &c, err)) || (rc = imap_cmd_add(&c, err, "IDLE")) ||
	    (rc = imap_cmd_end(&c, err))) {
		imap_cmd_free(&c);
		return rc;
	}
	char tag[sizeof im->s.tag];
	snprintf(tag, sizeof tag, "%s", im->s.tag);
	if (im->s.log) {
		fprintf(im->s.log, "C: %s IDLE\n", tag);
		fflush(im->s.log);
	}
	rc = imap_session_send(&im->s, c.buf.buf, c.buf.len, err);
	imap_cmd_free(&c);
	if (rc)
		return rc;
	long deadline = now_ms() + timeout_ms;
	bool idling = false, done_sent = false;
	for (;;) {
		struct imap_response *r = NULL;
		long left = deadline - now_ms();
		if (idling && !done_sent && (news || left <= 0)) {
			if ((rc = imap_session_send(&im->s, "DONE\r\n", 6, err)))
				return rc;
			done_sent = true;
		}
		rc = imap_session_read(&im->s, done_sent || left <= 0 ? 0 : left, &r, err);
		if (rc == EBB_ETIMEOUT && !net_mail_cancelled() && !done_sent && idling) {
			deadline = now_ms();  /* time is up: leave IDLE */
			continue;
		}
		if (rc)
			return rc;
		if (r->kind == IMAP_CONTINUE) {
			idling = true;
		} else if (r->kind == IMAP_TAGGED && r->tag && !strcmp(r->tag, tag)) {
			bool ok = r->status == IMAP_ST_OK;
			char text[200];
			net_clean_text(r->text ? r->text : "", text, sizeof text);
			imap_response_free(r);
			if (!ok)
				return ebb_err_set(err, EBB_EPROTO, "the server refused IDLE: %s", text);
			return news;
		} else if (is_news(r)) {
			news = true;
		}
		imap_response_free(r);
	}
}

static int imap_wait(struct provider *p, int timeout_ms, struct ebb_err *err)
{
	int rc = wait_once(p, timeout_ms, err);
	if (rc < 0 && net_mail_transient(rc) && !net_mail_cancelled()) {
		/* The connection went away while idle (servers drop idle ones):
		 * one fresh try, which reports news so nothing is missed. */
		rc = wait_once(p, 0, err);
		if (rc >= 0)
			rc = 1;
	}
	return rc;
}

/* ---- open and close ------------------------------------------------------------------ */

static void imap_close(struct provider *p)
{
	struct imap *im = p->priv;
	if (!im)
		return;
	if (im->connected)
		imap_session_close(&im->s, true);
	if (im->secret) {
		explicit_bzero(im->secret, strlen(im->secret));
		free(im->secret);
	}
	for (size_t i = 0; i < im->nboxes; i++) {
		free(im->boxes[i].raw);
		free(im->boxes[i].name);
	}
	free(im->boxes);
	free(im->archive_raw);
	free(im->sent_raw);
	box_sync_free(im->cur);
	free(im);
	p->priv = NULL;
}

/* Reads the settings and the secret; the connection is made on first use,
 * so a send still goes out through SMTP when the IMAP server is away. */
static int imap_open(struct provider *p, struct ebb_err *err)
{
	const struct account_cfg *acc = p->acc;
	struct imap *im = calloc(1, sizeof *im);
	if (!im)
		return nomem(err);
	p->priv = im;
	im->login = (struct net_mail_login){.host = acc->host, .port = acc->port, .tls = acc->tls,
					    .ca_file = acc->ca_file, .user = acc->user};
	const char *cmd = acc->oauth_token_cmd ? acc->oauth_token_cmd : acc->password_cmd;
	if (!cmd)
		return ebb_err_set(err, EBB_EINVAL, "no password_cmd (or oauth_token_cmd) to log in "
				   "with; add password_cmd = COMMAND that prints the password");
	size_t cap = 8192;  /* OAuth tokens run to a few kB */
	if (!(im->secret = calloc(1, cap)))
		return nomem(err);
	int rc = util_run_secret_cmd(cmd, im->secret, cap, err);
	if (rc)
		return rc;
	if (acc->oauth_token_cmd)
		im->login.bearer = im->secret;
	else
		im->login.password = im->secret;
	if (acc->archive && (rc = encode_name(acc->archive, &im->archive_raw, err)))
		return rc;
	return encode_name(acc->sent ? acc->sent : "Sent", &im->sent_raw, err);
}

const struct provider_ops imap_provider_ops = {
	.kind = "imap",
	.open = imap_open,
	.pull = imap_pull,
	.push_flags = imap_push_flags,
	.fetch_raw = imap_fetch_raw,
	.send = imap_send,
	.wait = imap_wait,
	.close = imap_close,
	/* Between batches it keeps the mailbox it is in in memory; the store is
	 * read only when a mailbox starts (cursors and known UIDs of that
	 * mailbox, which the batch in flight of the one before cannot touch). */
	.pull_ahead = 1,
};
