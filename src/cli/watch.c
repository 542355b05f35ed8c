/* cli/watch: `ebb sync --watch` keeps every account in sync until SIGINT or
 * SIGTERM: one thread per account syncs, then waits for the server's news
 * (IMAP IDLE) or the next poll; a lock file per account keeps a second ebb
 * from syncing the same account at the same time. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cli_int.h"
#include "ebb/net.h"
#include "ebb/provider.h"
#include "ebb/sync.h"
#include "ebb/ui.h"

#define WATCH_POLL_SECONDS 60

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
	net_mail_cancel();  /* every network wait ends within a second */
}

/* ---- the watch loop ------------------------------------------------------------ */

struct watcher {
	struct cli_env *env;
	const struct account_cfg *acc;
	pthread_t thread;
	int started;
};

static void sleep_seconds(int seconds)
{
	for (int i = 0; i < seconds * 5 && !stopping; i++) {
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	char line[EBB_ERRLEN + 128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* Lines quote server text (errors, names): sanitize like the screen.
	 * One printf per line: threads do not interleave inside it. */
	char safe[sizeof line * 3];
	ui_sanitize(line, strlen(line), safe, sizeof safe, 0);
	printf("%s %s\n", when, safe);
	fflush(stdout);
}

static void *watch_account(void *arg)
{
	struct watcher *w = arg;
	const struct account_cfg *acc = w->acc;
	struct ebb_err err = {0};
	struct store *st = NULL;
	if (store_open(w->env->db_path, &st, &err)) {
		say("ebb: %s", err.msg);
		return NULL;
	}
	const struct provider_ops *ops = provider_lookup(acc->kind);
	struct provider idle = {.ops = ops, .acc = acc, .store = st};
	int idle_open = 0, lock_fd = -1, told_busy = 0;
	while (!stopping) {
		if (lock_fd < 0) {
			long holder;
			if (sync_lock_account(w->env->db_path, acc->name, &lock_fd, &holder, &err)) {
				if (!told_busy)
					say("%s; waiting", err.msg);
				told_busy = 1;
				sleep_seconds(WATCH_POLL_SECONDS);
				continue;
			}
			told_busy = 0;
		}
		/* The IDLE connection first: what arrives after it is news. */
		if (ops && ops->wait && !idle_open && !stopping &&
		    !store_account_ensure(st, acc->name, acc->kind, &idle.account_id, &err)) {
			if (!ops->open(&idle, &err) && ops->wait(&idle, 0, &err) >= 0) {
				idle_open = 1;
			} else if (ops->close) {
				ops->close(&idle);
			}
		}
		struct sync_stats stats;
		if (sync_account(w->env->cfg, acc, st, NULL, NULL, &stats, &err)) {
			if (!stopping)
				say("ebb: %s", err.msg);
		} else if (stats.inserted || stats.updated || stats.removed) {
			say("%s: %zu new, %zu changed, %zu removed", acc->name, stats.inserted,
			    stats.updated, stats.removed);
		}
		if (stopping)
			break;
		if (idle_open) {
			if (ops->wait(&idle, WATCH_POLL_SECONDS * 1000, &err) < 0 && !stopping) {
				say("ebb: account %s: %s", acc->name, err.msg);
				ops->close(&idle);
				idle_open = 0;
				sleep_seconds(WATCH_POLL_SECONDS);
			}
		} else {
			sleep_seconds(WATCH_POLL_SECONDS);
		}
	}
	if (idle_open && ops->close)
		ops->close(&idle);
	sync_unlock_account(lock_fd);
	store_close(st);
	return NULL;
}

int cli_sync_watch(struct cli_env *env, const char *only)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking wait returns so the loops see the stop. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct ebb_err err = {0};
	if (net_init(&err)) {  /* libcurl's global set-up, before the threads */
		cli_error(err.msg);
		return 1;
	}
	struct watcher *ws = calloc(env->cfg->naccounts, sizeof *ws);
	if (!ws) {
		fprintf(stderr, "ebb: out of memory\n");
		return 1;
	}
	size_t started = 0;
	for (size_t i = 0; i < env->cfg->naccounts; i++) {
		const struct account_cfg *acc = &env->cfg->accounts[i];
		if (only && strcmp(acc->name, only))
			continue;
		ws[i].env = env;
		ws[i].acc = acc;
		if (pthread_create(&ws[i].thread, NULL, watch_account, &ws[i])) {
			fprintf(stderr, "ebb: cannot start a sync thread for %s\n", acc->name);
			continue;
		}
		ws[i].started = 1;
		started++;
	}
	say("watching %zu account%s; stop with Ctrl-C", started, started == 1 ? "" : "s");
	for (size_t i = 0; i < env->cfg->naccounts; i++)
		if (ws[i].started)
			pthread_join(ws[i].thread, NULL);
	free(ws);
	return started ? 0 : 1;
}
