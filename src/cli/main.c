/* cli/main: ebb's entry point. Parses the global options, loads the config
 * and runs a headless command or the full-screen client. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "ebb/mime.h"
#include "ebb/net.h"
#include "ebb/ui.h"

static const char usage[] =
	"usage: ebb [--config FILE] [--demo] [COMMAND [ARGS]]\n"
	"\n"
	"Without a command ebb opens the full-screen inbox, ordered by when a\n"
	"reply is owed. Commands:\n"
	"  sync [--watch] [ACCOUNT]       fetch new mail and messages now; --watch\n"
	"                                 keeps syncing (IMAP IDLE) until Ctrl-C\n"
	"  list [--view V] [--json] [--limit N]\n"
	"                                 conversations of a view: due (default),\n"
	"                                 all, waiting, later, snoozed, done, muted\n"
	"  search QUERY [--json]          full-text search (SQLite FTS5 syntax)\n"
	"  send --account A --to ADDR [--cc ADDR] --subject S [--in-reply-to ID]\n"
	"       [--now | --at TIME] [--no-check]\n"
	"                                 queue a mail (body on stdin); held until\n"
	"                                 the next reply block unless --now; a new\n"
	"                                 request gets a context check (warnings)\n"
	"  reply ID [--all] [--now | --at TIME]\n"
	"                                 answer a conversation, mail or chat (body\n"
	"                                 on stdin); held until the next reply block\n"
	"  outbox [--json] | outbox flush | outbox cancel ID | outbox retry ID\n"
	"  check                          verify the database (read-only)\n"
	"  show ID [--json] [--older]     a conversation's messages (bodies are\n"
	"                                 fetched from the server when missing;\n"
	"                                 --older adds one older page of a chat room)\n"
	"  read ID...                     mark conversations read\n"
	"  done ID...                     archive conversations\n"
	"  later ID... | mute ID... | inbox ID...\n"
	"  snooze ID UNTIL                hide until UNTIL (+3h, tomorrow, monday,\n"
	"                                 2026-12-01T09:00)\n"
	"  waiting ID [UNTIL]             you answered; back on reply or at UNTIL\n"
	"  decisions [--mine] [--json]    open action items from round-ups\n"
	"  decisions close ID...          mark action items done\n"
	"  roundup ID [--save]            a conversation's round-up template; --save\n"
	"                                 stores the edited block read from stdin\n"
	"  stats [--since 30d] [--json]   volume, reply times in working hours,\n"
	"                                 targets met, outbox and live-mode time\n"
	"\n"
	"Options:\n"
	"  --config FILE   config file (default $EBB_CONFIG, else\n"
	"                  $XDG_CONFIG_HOME/ebb/config)\n"
	"  --demo          open the bundled demo data in a temporary copy\n"
	"  --version       print the version\n"
	"  --help          this text; see ebb(1) for the configuration\n"
	"\n"
	"Environment: EBB_NOW=EPOCH fixes the clock (tests, demos).\n";

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	const char *config_path = NULL;
	int demo = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("ebb %s\n", EBB_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config_path = argv[++i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			config_path = argv[i] + 9;
		} else if (!strcmp(argv[i], "--demo")) {
			demo = 1;
		} else {
			fprintf(stderr, "ebb: unknown option %s\n%s", argv[i], usage);
			return 2;
		}
	}
	/* Library set-up that is not thread-safe happens here, before any
	 * sync thread starts. */
	mime_init();
	struct cli_env env = {0};
	struct ebb_err err = {0};
	if (net_init(&err)) {
		cli_error(err.msg);
		return 1;
	}
	char demo_dir[4096] = "";
	int rc;
	if (demo) {
		rc = cli_demo_setup(&env, argv[0], demo_dir, sizeof demo_dir, &err);
	} else {
		char path[4096];
		rc = config_path ? util_strlcpy(path, config_path, sizeof path)
				 : config_default_path(path, sizeof path, &err);
		if (!rc)
			rc = config_load(path, &env.cfg, &err);
		if (!rc)
			rc = config_db_path(env.cfg, env.db_path, sizeof env.db_path, &err);
	}
	if (!rc && env.cfg->html_cmd && mime_set_html_command(env.cfg->html_cmd))
		rc = ebb_err_set(&err, EBB_ENOMEM, "out of memory");
	if (rc) {
		cli_error(err.msg);
		cli_demo_cleanup(demo_dir);
		net_shutdown();
		return 1;
	}
	int status;
	const char *cmd = i < argc ? argv[i] : NULL;
	int cargc = argc - i - 1;
	char **cargv = argv + i + 1;
	if (!cmd) {
		struct ui_opts opts = {.cfg = env.cfg, .db_path = env.db_path, .sync = 1};
		rc = ui_run(&opts, &err);
		if (rc)
			cli_error(err.msg);
		status = rc ? 1 : 0;
	} else if (!strcmp(cmd, "sync")) {
		status = cli_sync(&env, cargc, cargv);
	} else if (!strcmp(cmd, "read")) {
		status = cli_read(&env, cargc, cargv);
	} else if (!strcmp(cmd, "show")) {
		status = cli_show(&env, cargc, cargv);
	} else if (!strcmp(cmd, "list")) {
		status = cli_list(&env, cargc, cargv);
	} else if (!strcmp(cmd, "check")) {
		status = cli_check(&env, cargc, cargv);
	} else if (!strcmp(cmd, "send")) {
		status = cli_send(&env, cargc, cargv);
	} else if (!strcmp(cmd, "reply")) {
		status = cli_reply(&env, cargc, cargv);
	} else if (!strcmp(cmd, "outbox")) {
		status = cli_outbox(&env, cargc, cargv);
	} else if (!strcmp(cmd, "decisions")) {
		status = cli_decisions(&env, cargc, cargv);
	} else if (!strcmp(cmd, "roundup")) {
		status = cli_roundup(&env, cargc, cargv);
	} else if (!strcmp(cmd, "stats")) {
		status = cli_stats(&env, cargc, cargv);
	} else if (!strcmp(cmd, "search")) {
		status = cli_search(&env, cargc, cargv);
	} else if (!strcmp(cmd, "done") || !strcmp(cmd, "later") || !strcmp(cmd, "mute") ||
		   !strcmp(cmd, "inbox") || !strcmp(cmd, "snooze") || !strcmp(cmd, "waiting")) {
		status = cli_triage(&env, cmd, cargc, cargv);
	} else {
		fprintf(stderr, "ebb: unknown command \"%s\"; see ebb --help\n", cmd);
		status = 2;
	}
	config_free(env.cfg);
	cli_demo_cleanup(demo_dir);
	net_shutdown();
	mime_set_html_command(NULL);
	mime_shutdown();
	return status;
}
