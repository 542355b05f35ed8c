/* cli/cli_int: what the cli files share. */
#ifndef EBB_CLI_INT_H
#define EBB_CLI_INT_H

#include "ebb/cli.h"

/* sync --watch [ACCOUNT]: sync, then wait for news (IDLE) or the next poll,
 * until SIGINT/SIGTERM. */
int cli_sync_watch(struct cli_env *env, const char *only);

#endif
