/* store: ebb's only door to SQLite. Schema and migrations, the batch writer
 * used by sync, and typed queries for the CLI and the UI. No other module
 * writes SQL. One struct store = one connection; use one per thread. */
#ifndef EBB_STORE_H
#define EBB_STORE_H

#include <stddef.h>
#include <time.h>

#include "ebb/util.h"

struct store;

#define STORE_SCHEMA_VERSION 3

/* Opens (creating when missing, mode 0600) and migrates the database.
 * A database whose user_version is newer than this ebb fails with
 * EBB_EVERSION; a file that is not a healthy SQLite database fails with
 * EBB_ECORRUPT and is left untouched. WAL, foreign keys, busy timeout.
 * The parent directory must exist (EBB_ENOENT otherwise). The header and
 * length are checked on every open, PRAGMA quick_check only before a
 * migration (it reads the whole file); store_check is the full check.
 * ":memory:" opens a private in-memory database (tests). */
int store_open(const char *path, struct store **out, struct ebb_err *err);
/* Opens an existing database read-only without migrating (for checks). */
int store_open_readonly(const char *path, struct store **out, struct ebb_err *err);
void store_close(struct store *st);
/* The file the store was opened from; NULL for an in-memory store. */
const char *store_path(const struct store *st);
int store_schema_version(struct store *st);
/* PRAGMA integrity_check and the search index's own check; 0 when both
 * pass, EBB_ECORRUPT with the first problems otherwise. */
int store_check(struct store *st, struct ebb_err *err);

/* BEGIN IMMEDIATE. Store functions that write called inside it join it
 * (as savepoints) instead of committing on their own. */
int store_begin(struct store *st, struct ebb_err *err);
int store_commit(struct store *st, struct ebb_err *err);
void store_rollback(struct store *st);

/* ---- accounts and channels -------------------------------------------- */
/* Finds or creates the account row; returns its id in *id. */
int store_account_ensure(struct store *st, const char *name, const char *kind, long long *id,
			 struct ebb_err *err);
/* Finds or creates a channel (mailbox, room, Slack channel). */
int store_channel_ensure(struct store *st, long long account_id, const char *remote_id,
			 const char *name, int is_direct, long long *id, struct ebb_err *err);
int store_channel_set_tier(struct store *st, long long channel_id, const char *tier,
			   struct ebb_err *err);

struct store_channel {
	long long id;
	long long account_id;
	char *remote_id;
	char *name;
	char *tier;        /* NULL = account default */
	char *cursor;      /* provider's sync cursor, NULL before first sync */
	long long uidvalidity;
	int muted;
	int is_direct;
};
int store_channel_list(struct store *st, long long account_id, struct store_channel **out,
		       size_t *n, struct ebb_err *err);
void store_channel_list_free(struct store_channel *c, size_t n);

/* Remote ids of the messages stored for a channel with their flags, for
 * providers that sync by comparing listings (Maildir, IMAP sweep), in
 * remote id order. A non-zero return from cb stops the walk and is returned.
 * The flags include local changes not pushed yet. */
typedef int (*store_remote_cb)(void *ctx, const char *remote_id, unsigned flags);
int store_channel_remote_ids(struct store *st, long long channel_id, store_remote_cb cb,
			     void *ctx, struct ebb_err *err);

/* ---- the sync batch ----------------------------------------------------
 * A provider's pull fills a batch; store_apply_batch writes all of it plus
 * the new cursors in ONE transaction, so a crash repeats at most one batch. */
enum msg_flag {
	MSG_SEEN = 1u << 0,
	MSG_FLAGGED = 1u << 1,
	MSG_ANSWERED = 1u << 2,
	MSG_DRAFT = 1u << 3,
	MSG_DELETED = 1u << 4,
};

struct batch_msg {
	char *channel;      /* channel remote id */
	char *remote_id;    /* unique within the channel (UID, Maildir unique name, event id) */
	unsigned flags;
	char *msgid;        /* Message-ID without <>, or platform id */
	char *in_reply_to;
	char *refs;         /* space-separated ids, oldest first */
	char *thread_hint;  /* chat thread id; when set it is the thread key (chat
			     * providers set it for every message, e.g. the room
			     * id for a room's main timeline) */
	char *sender;       /* bare address or user id, lower case */
	char *sender_name;  /* decoded display name */
	char *recipients;   /* decoded To, for display */
	char *cc;           /* decoded Cc, for display */
	char *subject;      /* decoded */
	time_t sent_at;
	long long size;
	char *body;         /* decoded text or NULL when not fetched */
	char *attachments;  /* "name\ttype\tsize\n" lines or NULL */
	int from_me;        /* the provider sets these two with config_is_me() */
	int to_me;          /* addressed to me in To (or a mention/DM in chat) */
	char *list_id;      /* List-Id id (mime_list_id), NULL when not list mail */
};

struct batch_flag {
	char *channel;
	char *remote_id;
	unsigned flags;
};

struct batch_removal {
	char *channel;
	char *remote_id;
};

struct batch_channel {
	char *remote_id;
	char *name;
	int is_direct;
	char *tier;         /* resolved tier for this channel (sync fills it); NULL
			     * leaves the stored tier unchanged */
	char *cursor;       /* new cursor, or NULL to leave unchanged */
	long long uidvalidity; /* 0 = unchanged */
	int reset;          /* UIDVALIDITY changed: forget cached remote ids first */
};

struct store_batch {
	struct batch_channel *channels;
	size_t nchannels, capchannels;
	struct batch_msg *msgs;
	size_t nmsgs, capmsgs;
	struct batch_flag *flag_changes;
	size_t nflags, capflags;
	struct batch_removal *removals;
	size_t nremovals, capremovals;
	int more;           /* the provider has more to pull: call pull again */
	long long progress_done, progress_total;
};

/* Append helpers copy the strings; they return 0 or EBB_ENOMEM. */
int batch_add_channel(struct store_batch *b, const struct batch_channel *c);
int batch_add_msg(struct store_batch *b, const struct batch_msg *m);
int batch_add_flag(struct store_batch *b, const char *channel, const char *remote_id,
		   unsigned flags);
int batch_add_removal(struct store_batch *b, const char *channel, const char *remote_id);
/* Finds the channel entry with that remote id (to set its cursor). */
struct batch_channel *batch_channel_find(struct store_batch *b, const char *remote_id);
/* Frees the contents and clears `more`, keeps it usable; progress_done and
 * progress_total describe the whole pull and stay. */
void batch_reset(struct store_batch *b);
void batch_free(struct store_batch *b);

/* What the due rule needs to know about a conversation after a batch. */
struct conv_facts {
	long long conv_id;
	const char *channel;       /* channel remote id of the last message */
	const char *channel_tier;  /* channel's tier or NULL */
	int is_direct;
	int last_from_me;
	int addressed_to_me;       /* any message since my last one has to_me */
	time_t waiting_since;      /* first message from others after my last one */
	const char *last_sender;
	/* The user said a reply is owed (conversation.reply_override = 1): the
	 * rule answers with a due time even when it would not owe one. Then
	 * waiting_since is the last message's time when nothing from others
	 * waits. The store applies the override after the rule (0 = no reply
	 * owed, 1 = owed), so a rule that ignores this field still sorts right. */
	int reply_forced;
	/* List-Id of the last message from others (whoever wrote last), NULL
	 * when it came from no list or nothing from others is stored. */
	const char *last_list_id;
};
struct conv_due {
	const char *tier;          /* tier name (copied by the store) or NULL */
	int needs_reply;
	time_t due_at;             /* 0 = none */
};
/* Called inside the batch transaction for every conversation the batch
 * touched, so due times are committed together with the messages. */
typedef void (*store_due_fn)(void *ctx, const struct conv_facts *f, struct conv_due *out);

struct batch_result {
	size_t inserted, updated, removed;
	size_t conversations;      /* touched */
};

/* Threading: a message with thread_hint joins "t:" + hint. Otherwise it
 * joins the conversation that already knows its Message-ID (another copy,
 * or a reply that came first), else that of its In-Reply-To or References
 * (newest first), else a mail conversation of the same account with the
 * same subject (without Re:/Fwd:/Aw:/Sv:/[list]) whose last message is at
 * most 30 days older, else a new one. Copies of one mail in two channels
 * are two messages but count once. A new message from someone else brings
 * a done or waiting conversation back to inbox. A channel reset (new
 * UIDVALIDITY) deletes its messages but keeps conversations, so refetched
 * mail finds its conversation and triage state again; a conversation left
 * without messages stays (state kept) but is in no view.
 * Events written: "arrival" (new message from someone else, at = sent_at,
 * detail = sender), "reply" (new message from me), "state" (detail = the
 * new state name). */
int store_apply_batch(struct store *st, long long account_id, const struct store_batch *b,
		      store_due_fn due, void *due_ctx, struct batch_result *res,
		      struct ebb_err *err);
/* Recomputes needs_reply/due of every conversation of an account (after a
 * config change of tiers or hours). */
int store_recompute_due(struct store *st, long long account_id, store_due_fn due, void *ctx,
			struct ebb_err *err);

/* ---- conversations ---------------------------------------------------- */
enum store_view {
	VIEW_DUE = 0,   /* state inbox: owed replies by due time (overdue first), then the rest newest first */
	VIEW_ALL,       /* everything but done and muted, newest first */
	VIEW_WAITING,
	VIEW_LATER,
	VIEW_SNOOZED,
	VIEW_DONE,
	VIEW_MUTED,
	VIEW_COUNT
};
const char *store_view_name(enum store_view v);
int store_view_parse(const char *name, enum store_view *v);

enum conv_state { CONV_INBOX = 0, CONV_DONE, CONV_SNOOZED, CONV_WAITING, CONV_LATER, CONV_MUTED };
const char *store_state_name(enum conv_state s);
int store_state_parse(const char *name, enum conv_state *s);

struct conv_row {
	long long id;
	char *account;
	char *channel;        /* channel display name */
	char *subject;
	char *from;           /* display name or address of the last sender */
	time_t last_at;
	enum conv_state state;
	char *tier;           /* may be NULL */
	time_t due_at;        /* 0 = no reply owed */
	time_t snooze_until;  /* 0 = none */
	int needs_reply;
	int unread;           /* unread message count */
	int messages;
	long long sort_key;   /* keyset paging key; pass the last row back as `after` */
};

/* Keyset paging: first page with after == NULL, next pages with the last row
 * of the previous page. Same cost on the first and the millionth row.
 * Every view orders by (sort_key, id) ascending; sort_key is the view's own
 * key (due: owed replies by due time, then the rest newest first; snoozed:
 * snooze_until; the others: minus last_at, newest first). */
struct conv_cursor {
	long long sort_key;
	long long id;
};
int store_conv_list(struct store *st, enum store_view view, const struct conv_cursor *after,
		    size_t limit, struct conv_row **rows, size_t *n, struct ebb_err *err);
/* Same, but backwards from `before` (for scrolling up): rows come in display order. */
int store_conv_list_before(struct store *st, enum store_view view,
			   const struct conv_cursor *before, size_t limit, struct conv_row **rows,
			   size_t *n, struct ebb_err *err);
/* row->sort_key is the key of the due view. EBB_ENOENT for an unknown id. */
int store_conv_get(struct store *st, long long id, struct conv_row *row, struct ebb_err *err);
size_t store_conv_count(struct store *st, enum store_view view);
/* Counts no further than cap + 1, so a title can say "cap+" in constant time
 * however many conversations the view holds. */
size_t store_conv_count_upto(struct store *st, enum store_view view, size_t cap);
void store_conv_row_clear(struct conv_row *r);
void store_conv_rows_free(struct conv_row *rows, size_t n);

/* Triage: state changes are logged in event; until is for snoozed/waiting. */
int store_conv_set_state(struct store *st, long long id, enum conv_state state, time_t until,
			 time_t now, struct ebb_err *err);
/* Snoozed/waiting conversations whose time has come go back to inbox. */
int store_wake(struct store *st, time_t now, struct ebb_err *err);
/* Marks every message of a conversation seen (local flag; pushed by sync later). */
int store_conv_mark_read(struct store *st, long long id, struct ebb_err *err);

/* ---- messages ---------------------------------------------------------- */
struct msg_row {
	long long id;
	long long channel_id;
	char *channel;       /* channel remote id */
	char *remote_id;
	char *msgid;
	char *in_reply_to;
	char *refs;
	char *sender;
	char *sender_name;
	char *recipients;
	char *cc;
	char *subject;
	time_t sent_at;
	unsigned flags;
	long long size;
	char *body;          /* NULL when not fetched yet */
	char *attachments;
	int from_me;
};
/* Oldest first (sent_at, then id). A mail stored in two channels (INBOX and
 * Sent) comes once: the copy stored first. */
int store_msg_list(struct store *st, long long conv_id, struct msg_row **rows, size_t *n,
		   struct ebb_err *err);
void store_msg_rows_free(struct msg_row *rows, size_t n);
int store_msg_set_body(struct store *st, long long msg_id, const char *body,
		       const char *attachments, struct ebb_err *err);

/* Local flag changes (read in the UI, ...) not yet pushed to the server.
 * store_conv_mark_read and friends set them; sync pushes them before it
 * pulls, then clears them, and a pull never overwrites a pending change. */
int store_pending_flags(struct store *st, long long account_id, struct batch_flag **out,
			size_t *n, struct ebb_err *err);
int store_pending_flags_clear(struct store *st, long long account_id,
			      const struct batch_flag *done, size_t n, struct ebb_err *err);
void store_flags_free(struct batch_flag *f, size_t n);

/* ---- outbox ------------------------------------------------------------
 * What the user wrote, waiting to go: queued (due now) or held (until
 * release_at, the next reply block), then sending -> sent | failed |
 * uncertain. A row is written with synchronous=FULL and its Message-ID or
 * txn id before the first attempt; `uncertain` (a crash or timeout after the
 * server may have accepted it) is never resent by itself. */
enum outbox_state {
	OUTBOX_QUEUED = 0,
	OUTBOX_HELD,
	OUTBOX_SENDING,
	OUTBOX_SENT,
	OUTBOX_FAILED,
	OUTBOX_UNCERTAIN,
	OUTBOX_CANCELLED,
};
const char *store_outbox_state_name(enum outbox_state s);

struct outbox_new {
	long long account_id;
	long long conversation_id;   /* 0 = a new conversation */
	const char *payload;         /* RFC 5322 message for mail, JSON for chat */
	size_t payload_len;
	const char *release_policy;  /* "next_block", "now", "at" */
	time_t release_at;           /* when it may go; <= now = queued */
	const char *msgid;           /* Message-ID (mail) */
	const char *txn_id;          /* idempotency key (chat) */
};

struct outbox_item {
	long long id;
	long long account_id;
	char *account;
	long long conversation_id;
	char *payload;
	size_t payload_len;
	char *release_policy;
	time_t release_at;
	enum outbox_state state;
	char *msgid;
	char *txn_id;
	int attempts;
	char *last_error;
	time_t created_at;
	time_t sent_at;              /* 0 until sent */
};

int store_outbox_add(struct store *st, const struct outbox_new *n, time_t now, long long *id,
		     struct ebb_err *err);
/* Every item not sent or cancelled (all when include_done), oldest first. */
int store_outbox_list(struct store *st, int include_done, struct outbox_item **items,
		      size_t *n, struct ebb_err *err);
int store_outbox_get(struct store *st, long long id, struct outbox_item *item,
		     struct ebb_err *err);
/* Ids of queued or held items whose release_at <= now, oldest release first. */
int store_outbox_due(struct store *st, time_t now, long long **ids, size_t *n,
		     struct ebb_err *err);
/* Held items whose release time passed before `since` (ebb was not running
 * when they were due): the caller asks what to do with them. */
int store_outbox_missed(struct store *st, time_t since, long long **ids, size_t *n,
			struct ebb_err *err);
/* queued/held -> sending, attempts + 1. EBB_EBUSY when another process took
 * it first or it is no longer waiting. */
int store_outbox_claim(struct store *st, long long id, time_t now, struct ebb_err *err);
/* sending -> sent | failed | uncertain | queued (retry later); error may be NULL. */
int store_outbox_finish(struct store *st, long long id, enum outbox_state state,
			const char *error, time_t now, struct ebb_err *err);
/* A waiting, failed or uncertain item (the user decided) gets a new release: held until release_at, or
 * queued when release_at <= now. */
int store_outbox_reschedule(struct store *st, long long id, const char *policy,
			    time_t release_at, time_t now, struct ebb_err *err);
int store_outbox_cancel(struct store *st, long long id, struct ebb_err *err);
/* Takes a waiting item (queued, held or failed) back to edit it: in one
 * transaction it becomes cancelled and d is saved as a new draft (d->id
 * set). EBB_EBUSY, with nothing changed, when the item is sending, sent,
 * uncertain, cancelled or gone. struct store_draft is declared below. */
struct store_draft;
int store_outbox_take_to_draft(struct store *st, long long id, struct store_draft *d, time_t now,
			       struct ebb_err *err);
/* After a crash: items left in `sending` become `uncertain`. Call only while
 * holding the outbox lock, so no other process is sending them. */
int store_outbox_recover(struct store *st, size_t *recovered, struct ebb_err *err);
size_t store_outbox_count(struct store *st, enum outbox_state state);
void store_outbox_item_clear(struct outbox_item *item);
void store_outbox_items_free(struct outbox_item *items, size_t n);

/* ---- search ----------------------------------------------------------- */
/* FTS5 MATCH over subject, sender (name and address) and body; returns
 * conversations, best first (bm25, then newest). A query FTS5 cannot parse
 * fails with EBB_EINVAL and a sentence starting "search: ". */
int store_search(struct store *st, const char *fts_query, size_t limit, struct conv_row **rows,
		 size_t *n, struct ebb_err *err);

/* ---- events ------------------------------------------------------------ */
int store_event_add(struct store *st, time_t at, const char *kind, long long conv_id,
		    long long channel_id, const char *detail, struct ebb_err *err);

/* ---- drafts (store/draft.c) --------------------------------------------
 * What the user is writing, saved on every change so a crash or kill -9
 * never loses it. Strings are UTF-8; to and cc are address lists as typed. */
struct store_draft {
	long long id;              /* 0 = not saved yet */
	long long account_id;      /* 0 = none chosen */
	char *account;             /* account name; filled by get and list only */
	long long conversation_id; /* 0 = a new conversation */
	char *in_reply_to;         /* id without <>, NULL for a new mail */
	char *refs;                /* space-separated ids, NULL for a new mail */
	char *to;
	char *cc;
	char *subject;
	char *body;
	time_t created_at, updated_at;
};
/* Inserts (id 0: sets d->id and d->created_at) or updates the draft; sets
 * d->updated_at. EBB_ENOENT when the draft was deleted meanwhile. */
int store_draft_save(struct store *st, struct store_draft *d, time_t now, struct ebb_err *err);
int store_draft_get(struct store *st, long long id, struct store_draft *out,
		    struct ebb_err *err);
/* Every draft, the most recently changed first. */
int store_draft_list(struct store *st, struct store_draft **out, size_t *n,
		     struct ebb_err *err);
int store_draft_delete(struct store *st, long long id, struct ebb_err *err);
size_t store_draft_count(struct store *st);
void store_draft_clear(struct store_draft *d);
void store_drafts_free(struct store_draft *d, size_t n);

/* The user's own say on whether a reply is owed (conversation.
 * reply_override): 1 owed, 0 not owed, -1 the rule decides. Setting it
 * recomputes the conversation at once with the due rule (may be NULL), which
 * store_conv_refresh overrides as struct conv_facts describes; an "event"
 * row of kind "reply_override" records it. now is the event's time. */
int store_conv_reply_override(struct store *st, long long id, int *override,
			      struct ebb_err *err);
int store_conv_set_reply_override(struct store *st, long long id, int override,
				  store_due_fn due, void *due_ctx, time_t now,
				  struct ebb_err *err);

/* ---- the client's queries (store/query.c) ------------------------------ */
/* Full-text search with filters; every field is optional (NULL or 0), but
 * not all of them. fts is FTS5 query syntax over subject, sender and body;
 * to is a substring of a message's To or Cc; channel names a channel (its
 * name or remote id) or an account; after/before bound the sent time
 * [after, before). A conversation matches when one of its messages passes
 * everything. Best match first with fts, else the newest match first. */
struct store_search_query {
	const char *fts;
	const char *to;
	const char *channel;
	time_t after;
	time_t before;
};
int store_search_filtered(struct store *st, const struct store_search_query *q, size_t limit,
			  struct conv_row **rows, size_t *n, struct ebb_err *err);
/* The conversations (not done or muted) whose last message is in a
 * channel, newest first, keyset paged like store_conv_list (backwards like
 * store_conv_list_before; rows in display order). */
int store_conv_list_channel(struct store *st, long long channel_id,
			    const struct conv_cursor *cursor, int backwards, size_t limit,
			    struct conv_row **rows, size_t *n, struct ebb_err *err);
size_t store_conv_count_channel(struct store *st, long long channel_id);
/* Counts no further than cap + 1 (see store_conv_count_upto). */
size_t store_conv_count_channel_upto(struct store *st, long long channel_id, size_t cap);

/* ---- archiving (store/archive.c) ----------------------------------------
 * Messages of done conversations of an account that still sit in a channel
 * other than `archive` and `keep` (either may be NULL): what a mail provider
 * moves to the archive mailbox at the next sync. At most limit, grouped by
 * channel. Free with store_archive_free. */
int store_archive_pending(struct store *st, long long account_id, const char *archive,
			  const char *keep, size_t limit, struct batch_removal **out, size_t *n,
			  struct ebb_err *err);
void store_archive_free(struct batch_removal *r, size_t n);

/* ---- decisions and action items (store/decision.c) ----------------------
 * What a round-up wrote down: decisions, action items (one owner, a due
 * date) and open questions, each tied to its conversation and account.
 * An item is open until closed (done_at). */
enum decision_kind { DECISION_DECISION = 0, DECISION_ACTION, DECISION_QUESTION };
#define DECISION_KIND_BIT(k) (1u << (k))
#define DECISION_TEXT_MAX 4096
#define DECISION_OWNER_MAX 256
/* "decision", "action", "question" */
const char *store_decision_kind_name(enum decision_kind k);
int store_decision_kind_parse(const char *name, enum decision_kind *k);

struct decision_new {
	long long conversation_id;   /* 0 = none */
	long long account_id;        /* 0 = none */
	enum decision_kind kind;
	const char *text;            /* 1..DECISION_TEXT_MAX bytes */
	const char *owner;           /* NULL or "" = nobody named yet */
	time_t due_at;               /* 0 = none */
};

struct decision_row {
	long long id;
	long long conversation_id;   /* 0 = none */
	long long account_id;        /* 0 = none */
	enum decision_kind kind;
	char *text;
	char *owner;                 /* NULL = nobody */
	char *subject;               /* the conversation's subject, NULL without one */
	time_t due_at;               /* 0 = none */
	time_t done_at;              /* 0 = open */
	time_t created_at;
};

/* EBB_ENOENT when the conversation or account does not exist. */
int store_decision_add(struct store *st, const struct decision_new *d, time_t now, long long *id,
		       struct ebb_err *err);
/* Open items whose kind is in `kinds` (DECISION_KIND_BIT bits), soonest
 * due first (items without a due time last), then oldest. With nowners > 0
 * only items whose owner is one of owners (any case, blanks around
 * ignored). */
int store_decision_list_open(struct store *st, unsigned kinds, const char *const *owners,
			     size_t nowners, struct decision_row **rows, size_t *n,
			     struct ebb_err *err);
/* Every item of a conversation, open and closed, in the order written. */
int store_decision_list_conv(struct store *st, long long conv_id, struct decision_row **rows,
			     size_t *n, struct ebb_err *err);
/* Closes an item at now (an item closed before keeps its time).
 * EBB_ENOENT for an unknown id. */
int store_decision_close(struct store *st, long long id, time_t now, struct ebb_err *err);
void store_decision_rows_free(struct decision_row *rows, size_t n);

/* ---- figures for `ebb stats` (store/stats.c) ------------------------------ */
struct store_channel_stats {
	long long channel_id;
	long long account_id;
	char *account;
	char *name;                  /* display name */
	char *tier;                  /* NULL = the account's default */
	long long received;          /* messages from others sent in [since, until) */
	long long sent;              /* my messages sent in [since, until) */
};
/* Every channel of every account, by account name then channel name. */
int store_stats_channels(struct store *st, time_t since, time_t until,
			 struct store_channel_stats **out, size_t *n, struct ebb_err *err);
void store_stats_channels_free(struct store_channel_stats *c, size_t n);

/* One waiting period of a conversation: from the first message from others
 * after my last one to my next message. */
struct store_reply_period {
	long long conv_id;
	long long channel_id;        /* channel of the message that opened it */
	const char *tier;            /* the conversation's tier, may be NULL */
	time_t start;
	time_t reply_at;             /* my next message; 0 = none before until */
	int owed;                    /* a message in it was to me, or a direct chat */
};
typedef int (*store_period_fn)(void *ctx, const struct store_reply_period *p);
/* Calls fn for every waiting period that opened in [since, until), by
 * conversation; messages sent at or after until are not looked at. Copies
 * of one mail in two folders count once. A non-zero return from fn stops
 * the walk and is returned. */
int store_stats_periods(struct store *st, time_t since, time_t until, store_period_fn fn,
			void *ctx, struct ebb_err *err);

/* The event log, for figures over time. Live mode ("bursts") is logged by
 * the client as "burst_start" (detail: the planned length such as "25m")
 * and "burst_end", both with the conversation. */
struct store_event {
	time_t at;
	const char *kind;
	long long conv_id;           /* 0 = none */
	long long channel_id;        /* 0 = none */
	const char *detail;          /* may be NULL */
};
typedef int (*store_event_fn)(void *ctx, const struct store_event *e);
/* Events whose kind starts with kind_prefix and whose time is in
 * [since, until), oldest first. A non-zero return from fn stops the walk. */
int store_event_walk(struct store *st, const char *kind_prefix, time_t since, time_t until,
		     store_event_fn fn, void *ctx, struct ebb_err *err);
/* Outbox items sent in [since, until). */
size_t store_stats_outbox_sent(struct store *st, time_t since, time_t until);

/* ---- chat replies (store/thread_key.c) ---------------------------------
 * The conversation's thread key as stored: "t:" + the provider's
 * thread_hint for chat (a thread root, or CHANNEL:DAY), else the mail key.
 * *key is malloc'd. EBB_ENOENT for an unknown id. */
int store_conv_thread_key(struct store *st, long long conv_id, char **key, struct ebb_err *err);

#endif
