/* cli: the headless commands (`ebb sync`, `ebb list`, triage, search) and
 * the demo set-up. main() parses global options and dispatches here. */
#ifndef EBB_CLI_H
#define EBB_CLI_H

#include "ebb/config.h"

struct cli_env {
	struct ebb_config *cfg;
	char db_path[4096];
};

/* Each command returns the process exit status: 0 ok, 1 failure, 2 usage. */
int cli_sync(struct cli_env *env, int argc, char **argv);
int cli_list(struct cli_env *env, int argc, char **argv);
int cli_search(struct cli_env *env, int argc, char **argv);
/* send --account A --to ADDR [--cc ADDR] --subject S [--in-reply-to ID]
 * [--now | --at TIME]; the body is read from stdin. */
int cli_send(struct cli_env *env, int argc, char **argv);
/* reply ID [--all] [--now | --at TIME]: answers a conversation (mail or
 * chat) with the body from stdin; held until the next reply block. */
int cli_reply(struct cli_env *env, int argc, char **argv);
/* outbox [--json] | outbox flush | outbox cancel ID | outbox retry ID */
int cli_outbox(struct cli_env *env, int argc, char **argv);
/* check: PRAGMA integrity_check of the database, read-only. */
int cli_check(struct cli_env *env, int argc, char **argv);
/* read ID...: marks conversations read (the server learns it at the next sync). */
int cli_read(struct cli_env *env, int argc, char **argv);
/* show ID [--json]: a conversation's messages, bodies fetched when missing. */
int cli_show(struct cli_env *env, int argc, char **argv);
/* done, inbox, later, mute, snooze ID UNTIL, waiting ID [UNTIL] */
int cli_triage(struct cli_env *env, const char *verb, int argc, char **argv);
/* decisions [--mine] [--json] | decisions close ID...: open action items. */
int cli_decisions(struct cli_env *env, int argc, char **argv);
/* roundup CONV_ID: prints the pre-filled round-up of a conversation;
 * roundup CONV_ID --save: stores the edited block read from stdin. */
int cli_roundup(struct cli_env *env, int argc, char **argv);
/* stats [--since 30d] [--json]: volume, reply times, targets, live mode. */
int cli_stats(struct cli_env *env, int argc, char **argv);

/* Prepares a private copy of the bundled demo (Maildir + config) in a new
 * temp dir, sets EBB_NOW to the demo's Tuesday unless set, and loads its
 * config into env. *tmpdir receives the dir to remove at exit. */
int cli_demo_setup(struct cli_env *env, const char *argv0, char *tmpdir, size_t tmplen,
		   struct ebb_err *err);
void cli_demo_cleanup(const char *tmpdir);

/* Parses "2026-11-25", "2026-11-25T09:00", "+3h", "+2d", "tomorrow",
 * "monday" (next one, at the start of work) into a time. */
int cli_parse_when(const struct ebb_config *cfg, const char *s, time_t now, time_t *out);

#endif
