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
void sync_engine_stop(struct sync_engine *e);

#endif
