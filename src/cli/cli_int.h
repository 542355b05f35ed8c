/* cli/cli_int: what the cli files share: the per-account sync lock, so only
 * one ebb process syncs an account at a time. */
#ifndef EBB_CLI_INT_H
#define EBB_CLI_INT_H

#include "ebb/cli.h"

/* Takes the lock file DATA_DIR/sync-ACCOUNT.lock (flock) and writes our pid
 * into it. EBB_EBUSY when another process holds it: *holder is its pid (0
 * when unknown). Release with cli_unlock_account. */
int cli_lock_account(const struct cli_env *env, const char *account, int *fd, long *holder,
		     struct ebb_err *err);
void cli_unlock_account(int fd);

/* sync --watch [ACCOUNT]: sync, then wait for news (IDLE) or the next poll,
 * until SIGINT/SIGTERM. */
int cli_sync_watch(struct cli_env *env, const char *only);

#endif
