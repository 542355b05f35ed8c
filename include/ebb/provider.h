/* providers: one ops table per protocol (maildir, imap, matrix, slack).
 * The sync engine drives them without knowing which protocol it drives. */
#ifndef EBB_PROVIDER_H
#define EBB_PROVIDER_H

#include <stddef.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "ebb/util.h"

struct provider;

/* What a send attempt tells the outbox. */
struct send_result {
	int uncertain;             /* the server may have accepted it: never resend by itself */
	char server_id[128];       /* the platform's id for the message, when known */
};

struct provider_ops {
	const char *kind;
	/* Connects / checks the account; fills err with a sentence naming the cause. */
	int (*open)(struct provider *p, struct ebb_err *err);
	/* Fills b with what is new or changed since the stored cursors, and the
	 * new cursors. Sets b->more when it should be called again. */
	int (*pull)(struct provider *p, struct store_batch *b, struct ebb_err *err);
	/* Writes local flag changes back to the server / files. */
	int (*push_flags)(struct provider *p, const struct batch_flag *f, size_t n,
			  struct ebb_err *err);
	/* Fetches the raw message for a body not stored yet; may be NULL. */
	int (*fetch_raw)(struct provider *p, const char *channel, const char *remote_id,
			 struct sbuf *raw, struct ebb_err *err);
	/* Sends one outbox item. 0 = accepted by the server. On failure err says
	 * why and res->uncertain tells whether it might have gone anyway. */
	int (*send)(struct provider *p, const struct outbox_item *item, struct send_result *res,
		    struct ebb_err *err);
	/* Blocks until the server has news or timeout_ms passes (IDLE,
	 * long-poll); NULL when the provider can only poll. */
	int (*wait)(struct provider *p, int timeout_ms, struct ebb_err *err);
	void (*close)(struct provider *p);
	/* Adds one older page of a channel's history to b, with the channel's
	 * next older-history cursor; EBB_ENOENT when nothing older is left.
	 * NULL when the provider has no history beyond what pull brings. */
	int (*backfill)(struct provider *p, const char *channel, struct store_batch *b,
			struct ebb_err *err);
	/* Set when pull may run while the batch before is still being written:
	 * it reads the store only through p->store (then a connection of its
	 * own, seeing committed data) and only what that batch cannot change. */
	int pull_ahead;
};

struct provider {
	const struct provider_ops *ops;
	const struct account_cfg *acc;
	struct store *store;       /* the worker's own connection, read-only use */
	long long account_id;
	void *priv;                /* the provider's state */
};

/* NULL when no provider of that kind exists. */
const struct provider_ops *provider_lookup(const char *kind);

extern const struct provider_ops maildir_provider_ops;
extern const struct provider_ops imap_provider_ops;
extern const struct provider_ops matrix_provider_ops;
extern const struct provider_ops slack_provider_ops;

/* Mail transport shared by the mail providers: sendmail_cmd (the message on
 * stdin, recipients from its headers) or smtp_url. */
int mail_send(const struct account_cfg *acc, const struct outbox_item *item,
	      struct send_result *res, struct ebb_err *err);
/* Files a copy of a sent message into a Maildir folder (created when
 * missing), flagged seen, so the reply appears in its thread. */
int maildir_file_copy(const char *root, const char *folder, const char *data, size_t len,
		      struct ebb_err *err);

#endif
