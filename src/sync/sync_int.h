/* sync/sync_int.h: what the files of sync/ share: the held chat items an
 * account hands to its server's scheduler (outbox_chat.c, outbox.c) and
 * the commit of a pulled batch (sync.c, bodies.c). */
#ifndef EBB_SYNC_INT_H
#define EBB_SYNC_INT_H

#include "ebb/sync.h"

/* A held item is handed over when its release is further away than this:
 * closer than that, the server's scheduler gains nothing over ebb's. */
#define OUTBOX_HANDOVER_MIN_SECONDS 120
#define OUTBOX_POLICY_SERVER "server"

struct outbox_handover {
	long long id;
	char policy[16];           /* the release policy before the handover */
};

/* Held items of accounts with server_schedule = yes whose release is more
 * than OUTBOX_HANDOVER_MIN_SECONDS after now. Each is marked with release
 * policy "server" (still held) before it is returned, so the provider's
 * send schedules it instead of posting it; policy keeps what to restore
 * when the server refuses. An item marked before a crash comes again. */
int outbox_handover_list(const struct ebb_config *cfg, struct store *st, time_t now,
			 struct outbox_handover **out, size_t *n, struct ebb_err *err);

/* Gives the batch's channels their configured tier and commits it with
 * the due rule, in one transaction. */
int sync_commit_batch(const struct ebb_config *cfg, const struct account_cfg *acc,
		      struct store *st, long long account_id, struct store_batch *batch,
		      struct batch_result *res, struct ebb_err *err);

#endif
