/* cli/cli_int: what the cli files share. */
#ifndef EBB_CLI_INT_H
#define EBB_CLI_INT_H

#include <cjson/cJSON.h>

#include "ebb/cli.h"

/* Prints "ebb: MSG" to stderr with MSG made safe for a terminal: error
 * sentences can quote names and text chosen by a server. */
void cli_error(const char *msg);

/* Reads all of stdin, refusing more than max bytes; `what` names it in the
 * message ("the reply is over 16777216 bytes"). *out is NUL-terminated. */
int cli_read_stdin(size_t max, const char *what, char **out, size_t *len, struct ebb_err *err);

/* sync --watch [ACCOUNT]: sync, then wait for news (IDLE) or the next poll,
 * until SIGINT/SIGTERM. */
int cli_sync_watch(struct cli_env *env, const char *only);

/* A positive decimal id, the whole of s; 0 or -1. */
int cli_parse_id(const char *s, long long *id);
/* Adds s under key, or null when s is NULL; returns the item or NULL. */
cJSON *cli_json_add_str(cJSON *obj, const char *key, const char *s);
/* A new object appended to arr; NULL when out of memory (nothing is left
 * over). */
cJSON *cli_json_push_object(cJSON *arr);
/* Prints root as pretty JSON on stdout and deletes it (NULL is allowed and
 * fails); 0, or 1 when it could not be printed. */
int cli_json_print(cJSON *root);

#endif
