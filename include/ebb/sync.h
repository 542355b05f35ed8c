/* sync: drives providers. Pushes local flag changes, pulls batches and
 * commits each batch with its cursor in one transaction, applying the due
 * rule of policy/ to every conversation a batch touched. */
#ifndef EBB_SYNC_H
#define EBB_SYNC_H

#include <stddef.h>

#include "ebb/config.h"
#include "ebb/mime.h"
#include "ebb/policy.h"
#include "ebb/store.h"
#include "ebb/util.h"

struct sync_progress {
	const char *account;
	const char *phase;         /* "connecting", "pulling", "done", "error" */
	long long done, total;     /* messages; total 0 = unknown */
};
typedef void (*sync_progress_fn)(void *ctx, const struct sync_progress *p);

struct sync_stats {
	size_t batches, inserted, updated, removed, conversations;
};

/* Syncs one account to completion in the calling thread. */
int sync_account(const struct ebb_config *cfg, const struct account_cfg *acc, struct store *st,
		 sync_progress_fn progress, void *ctx, struct sync_stats *stats,
		 struct ebb_err *err);

/* The due rule as a store callback; ctx is a struct sync_due_ctx. */
struct sync_due_ctx {
	const struct ebb_config *cfg;
	const struct account_cfg *acc;
};
void sync_due(void *ctx, const struct conv_facts *f, struct conv_due *out);

/* ---- the outbox --------------------------------------------------------- */
struct outbox_flush_result {
	size_t sent, failed, uncertain, recovered;
};
/* Sends every outbox item due at `now`. Takes an exclusive lock on
 * lock_path so only one ebb process sends; EBB_EBUSY when another holds it.
 * Items left in `sending` by a crash become `uncertain` first. Held items
 * of Slack accounts with server_schedule = yes whose release is more than
 * 2 minutes away are handed to Slack's scheduler: they end `sent` with
 * release policy "server" and last_error "scheduled on server for TIME"
 * (counted in res->sent), or stay held when Slack refuses. One line per
 * item goes to report (may be NULL). */
typedef void (*outbox_report_fn)(void *ctx, const struct outbox_item *item,
				 enum outbox_state result, const char *detail);
int sync_outbox_flush(const struct ebb_config *cfg, struct store *st, const char *lock_path,
		      time_t now, outbox_report_fn report, void *ctx,
		      struct outbox_flush_result *res, struct ebb_err *err);

/* For lists of the outbox: "To" and "Subject" of an item read back from its
 * payload (a chat item gives its channel/thread and first line). Both are
 * malloc'd or NULL; the caller sanitizes them before display. */
void sync_outbox_summary(const struct outbox_item *it, char **to, char **subject);

/* Builds a mail from the draft (a fresh Message-ID stored in the row before
 * any attempt) and queues it with the release rule: RELEASE_NEXT_BLOCK holds
 * it until the next reply block unless now is inside one. With footer = yes
 * in the account, a new mail (conv_id 0 and no In-Reply-To) ends with the
 * reply-time footer of policy_format_footer under its signature line. */
struct queued_mail {
	long long id;
	time_t release_at;
	char msgid[256];
};
int sync_queue_mail(const struct ebb_config *cfg, struct store *st,
		    const struct account_cfg *acc, struct mime_draft *draft, long long conv_id,
		    enum policy_release release, time_t at, time_t now, struct queued_mail *out,
		    struct ebb_err *err);

/* Queues a chat message (Matrix, Slack) as a JSON payload {"channel",
 * "text", "thread", "reply_to"} with the release rule of sync_queue_mail.
 * channel is the remote channel id (room id, Slack channel id); thread is
 * the thread root (event id or thread ts) or NULL; reply_to the message
 * answered or NULL. The txn id ("ebb-" + 128 random bits in hex) is stored
 * in the row before any attempt: Matrix de-duplicates retries by it, Slack
 * finds an earlier attempt by it in the message metadata. */
struct queued_chat {
	long long id;
	time_t release_at;
	char txn_id[40];
};
int sync_queue_chat(const struct ebb_config *cfg, struct store *st,
		    const struct account_cfg *acc, long long conv_id, const char *channel,
		    const char *text, const char *thread, const char *reply_to,
		    enum policy_release release, time_t at, time_t now, struct queued_chat *out,
		    struct ebb_err *err);

/* Takes the lock file sync-ACCOUNT.lock next to db_path (flock) and writes
 * our pid into it. EBB_EBUSY when another process holds it: *holder is its
 * pid (0 when unknown). Release with sync_unlock_account. */
int sync_lock_account(const char *db_path, const char *account, int *fd, long *holder,
		      struct ebb_err *err);
void sync_unlock_account(int fd);

/* ---- what a header-only sync leaves out ---------------------------------- */
/* Fetches the bodies (and attachment lists) conversation conv_id of account
 * acc does not have yet through the provider's fetch_raw; the provider is
 * opened only when a body is missing. Providers without fetch_raw have
 * nothing to fetch (EBB_OK). Messages that fail do not stop the others;
 * the first failure is returned. *fetched (may be NULL) counts bodies stored. */
int sync_fetch_bodies(const struct account_cfg *acc, struct store *st, long long conv_id,
		      size_t *fetched, struct ebb_err *err);
/* The same for the first max_convs conversations of the due view that
 * belong to acc, stopping after about budget_ms, so opening an owed thread
 * needs no network. */
int sync_prefetch_due(const struct account_cfg *acc, struct store *st, size_t max_convs,
		      int budget_ms, size_t *fetched, struct ebb_err *err);
/* The decoded bytes of attachment index (0-based, the order of the stored
 * list) of one message, read through the provider's fetch_raw; *data is
 * malloc'd. Blocks on the provider: the screen calls it for local stores
 * (Maildir) only and asks sync_engine_want_attachment for the others. */
int sync_fetch_attachment(const struct account_cfg *acc, struct store *st, const char *channel,
			  const char *remote_id, size_t index, char **data, size_t *len,
			  struct ebb_err *err);
/* One older page of the room of conversation conv_id through the
 * provider's backfill op, committed like a pull. EBB_ENOENT when the
 * provider cannot page back or the room has no older history stored as
 * reachable. *added (may be NULL) counts new messages. */
int sync_backfill(const struct ebb_config *cfg, const struct account_cfg *acc, struct store *st,
		  long long conv_id, size_t *added, struct ebb_err *err);

/* Background engine for the UI: one worker thread per account with its own
 * store connection. After every committed batch (or error) a byte is written
 * to wake_fd so the UI's poll loop re-reads what is on screen. */
struct sync_engine;

struct sync_status {
	char account[64];
	char phase[16];
	long long done, total;
	char error[EBB_ERRLEN];    /* last error, "" when fine */
};

int sync_engine_start(const struct ebb_config *cfg, const char *db_path, int wake_fd,
		      struct sync_engine **out, struct ebb_err *err);
/* Copies the status of up to max accounts; returns how many accounts. */
size_t sync_engine_status(struct sync_engine *e, struct sync_status *out, size_t max);
/* Asks every worker to sync again now. */
void sync_engine_kick(struct sync_engine *e);
/* Asks for the missing bodies of a conversation (and one older page of its
 * room when the provider can page back), fetched by the engine's fetch
 * thread; a byte on wake_fd says when the store has them. Never blocks on
 * the network. Returns EBB_EBUSY when too many requests are queued. */
int sync_engine_want_bodies(struct sync_engine *e, long long conv_id);
enum sync_fetch_state {
	SYNC_FETCH_NONE = 0,       /* never asked for (or forgotten) */
	SYNC_FETCH_PENDING,        /* queued or running */
	SYNC_FETCH_DONE,
	SYNC_FETCH_FAILED          /* error holds the sentence */
};
/* Where the request for conv_id stands; error (may be NULL) gets the
 * failure of a SYNC_FETCH_FAILED request. */
enum sync_fetch_state sync_engine_fetch_state(struct sync_engine *e, long long conv_id,
					      char *error, size_t errlen);
/* Asks the fetch thread for attachment index (0-based, the stored order)
 * of message (channel, remote_id) of conversation conv_id: it writes the
 * decoded bytes to a 0600 file called name (a safe base name the caller
 * made) inside a new 0700 directory under tmpdir, then writes a byte on
 * wake_fd. Never blocks on the network. *req gets the request's number.
 * EBB_EBUSY when too many requests are queued. */
int sync_engine_want_attachment(struct sync_engine *e, long long conv_id, const char *channel,
				const char *remote_id, size_t index, const char *name,
				const char *tmpdir, unsigned long long *req);
/* Where attachment request req stands. SYNC_FETCH_DONE hands the file
 * over: path gets it, *len its size, and the caller removes it and its
 * directory when done. DONE and FAILED (error gets the sentence) forget
 * the request; NONE means it is unknown. */
enum sync_fetch_state sync_engine_attachment_state(struct sync_engine *e,
						   unsigned long long req, char *path,
						   size_t pathlen, size_t *len, char *error,
						   size_t errlen);
void sync_engine_stop(struct sync_engine *e);

/* ---- round-ups (sync/roundup.c) ------------------------------------------
 * Between the store and policy/roundup: `ebb roundup` and the client's R. */
/* The round-up template of a conversation, pre-filled from its messages
 * (policy_roundup_extract, _format); *block is malloc'd, mail text not yet
 * sanitized. missing/total (may be NULL) get how many of the messages have
 * no body in the cache yet, and how many there are. */
int sync_roundup_template(const struct ebb_config *cfg, struct store *st, long long conv_id,
			  time_t now, char **block, size_t *missing, size_t *total,
			  struct ebb_err *err);
/* Reads an edited block (it may sit inside a whole reply) and stores its
 * items for the conversation, all or none; counts[ROUNDUP_DECISION..
 * ROUNDUP_QUESTION] get how many of each. */
int sync_roundup_save(const struct ebb_config *cfg, struct store *st, long long conv_id,
		      const char *text, size_t len, time_t now, size_t counts[3],
		      struct ebb_err *err);

/* ---- figures for `ebb stats` and the stats pane (sync/stats.c) ----------- */
/* The figures of one channel, or of all of them. */
struct sync_report_figures {
	long long received, sent;
	long long owed, overdue;
	long *reply_secs;            /* working seconds to first reply */
	size_t nreplies, capreplies;
	long long within, judged;    /* answered within target / periods with a verdict */
	int no_memory;
};

struct sync_report_chan {
	struct store_channel_stats *st;
	struct sync_report_figures f;
	char label[256];             /* "INBOX" or "work/INBOX" */
};

struct sync_report {
	const struct ebb_config *cfg;
	time_t since, until;
	struct sync_report_chan *chans;
	size_t nchans;
	struct sync_report_figures total;
	size_t outbox[5];            /* held, queued, sent in the period, failed, uncertain */
	size_t nbursts;              /* bursts reaching into the period */
	long live;                   /* working seconds in bursts (overlaps once) */
	long work;                   /* working seconds of the period */
	struct store_channel_stats *channel_rows;   /* owned */
	size_t nchannel_rows;
};
/* Everything `ebb stats` shows for since..until (see docs/async.md). */
int sync_report_compute(const struct ebb_config *cfg, struct store *st, time_t since,
		       time_t until, struct sync_report *out, struct ebb_err *err);
/* The median (the mean of the two middle values for an even count,
 * rounded down) and p90 by nearest rank; -1 when there are none. Sorts
 * f->reply_secs. */
void sync_report_percentiles(struct sync_report_figures *f, long *median, long *p90);
void sync_report_free(struct sync_report *s);

#endif
