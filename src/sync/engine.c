/* sync/engine: background sync for the UI. One worker thread per account,
 * each with its own store connection; after every committed batch a byte on
 * the wake pipe tells the UI to re-read what it shows. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebb/sync.h"

#define SYNC_POLL_SECONDS 60
/* Held replies go out at the start of a reply block: check often enough
 * that "at 11:00" means within half a minute of it. */
#define OUTBOX_POLL_SECONDS 30

struct worker {
	struct sync_engine *engine;
	const struct account_cfg *acc;
	pthread_t thread;
	int started;
	struct sync_status status;  /* guarded by engine->lock */
};

struct sync_engine {
	const struct ebb_config *cfg;
	char *db_path;
	int wake_fd;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stopping;
	unsigned kicks;             /* bumped by sync_engine_kick */
	struct worker *workers;
	size_t nworkers;
	pthread_t outbox_thread;
	int outbox_started;
};

static void wake_ui(struct sync_engine *e)
{
	if (e->wake_fd < 0)
		return;
	char b = 1;
	/* Non-blocking pipe: when it is full the UI has a wake-up pending anyway. */
	while (write(e->wake_fd, &b, 1) < 0 && errno == EINTR)
		;
}

static void on_progress(void *ctx, const struct sync_progress *p)
{
	struct worker *w = ctx;
	struct sync_engine *e = w->engine;
	pthread_mutex_lock(&e->lock);
	util_strlcpy(w->status.phase, p->phase, sizeof w->status.phase);
	w->status.done = p->done;
	w->status.total = p->total;
	pthread_mutex_unlock(&e->lock);
	wake_ui(e);
}

/* Sleeps until the next poll, a kick or the stop request; returns 1 to stop. */
static int engine_wait(struct sync_engine *e, unsigned seen_kicks, int seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&e->lock);
	while (!e->stopping && e->kicks == seen_kicks) {
		if (pthread_cond_timedwait(&e->cond, &e->lock, &until) == ETIMEDOUT)
			break;
	}
	int stop = e->stopping;
	pthread_mutex_unlock(&e->lock);
	return stop;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct sync_engine *e = w->engine;
	struct store *st = NULL;
	struct ebb_err err = {0};
	unsigned seen_kicks = 0;
	for (;;) {
		pthread_mutex_lock(&e->lock);
		int stop = e->stopping;
		seen_kicks = e->kicks;
		pthread_mutex_unlock(&e->lock);
		if (stop)
			break;
		int rc = st ? EBB_OK : store_open(e->db_path, &st, &err);
		/* Another ebb (sync --watch) may own this account: then we only read. */
		int lock_fd = -1;
		long holder = 0;
		int elsewhere = 0;
		if (!rc && sync_lock_account(e->db_path, w->acc->name, &lock_fd, &holder, &err) ==
				   EBB_EBUSY) {
			elsewhere = 1;
		} else if (!rc) {
			rc = sync_account(e->cfg, w->acc, st, on_progress, w, NULL, &err);
			sync_unlock_account(lock_fd);
		}
		pthread_mutex_lock(&e->lock);
		if (elsewhere) {
			w->status.error[0] = '\0';
			util_strlcpy(w->status.phase, "elsewhere", sizeof w->status.phase);
		} else if (rc) {
			util_strlcpy(w->status.error, err.msg, sizeof w->status.error);
			util_strlcpy(w->status.phase, "error", sizeof w->status.phase);
		} else {
			w->status.error[0] = '\0';
			util_strlcpy(w->status.phase, "idle", sizeof w->status.phase);
		}
		pthread_mutex_unlock(&e->lock);
		wake_ui(e);
		if (engine_wait(e, seen_kicks, SYNC_POLL_SECONDS))
			break;
	}
	store_close(st);
	return NULL;
}

/* Releases due outbox items while the UI runs, like `ebb outbox flush`
 * from cron would; the flush's own lock keeps two processes from sending
 * the same item. */
static void *outbox_main(void *arg)
{
	struct sync_engine *e = arg;
	struct store *st = NULL;
	char lock[4200];
	if (util_path(lock, sizeof lock, "%s.outbox.lock", e->db_path))
		return NULL;
	for (;;) {
		pthread_mutex_lock(&e->lock);
		unsigned seen_kicks = e->kicks;
		int stop = e->stopping;
		pthread_mutex_unlock(&e->lock);
		if (stop)
			break;
		struct ebb_err err = {0};
		if (st || !store_open(e->db_path, &st, &err)) {
			struct outbox_flush_result res;
			if (!sync_outbox_flush(e->cfg, st, lock, ebb_now(), NULL, NULL, &res, &err) &&
			    (res.sent || res.failed || res.uncertain || res.recovered))
				wake_ui(e);
		}
		if (engine_wait(e, seen_kicks, OUTBOX_POLL_SECONDS))
			break;
	}
	store_close(st);
	return NULL;
}

int sync_engine_start(const struct ebb_config *cfg, const char *db_path, int wake_fd,
		      struct sync_engine **out, struct ebb_err *err)
{
	*out = NULL;
	struct sync_engine *e = calloc(1, sizeof *e);
	if (!e)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	e->cfg = cfg;
	e->wake_fd = wake_fd;
	e->db_path = strdup(db_path);
	e->workers = calloc(cfg->naccounts ? cfg->naccounts : 1, sizeof *e->workers);
	if (!e->db_path || !e->workers) {
		free(e->db_path);
		free(e->workers);
		free(e);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	e->nworkers = cfg->naccounts;
	for (size_t i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];
		w->engine = e;
		w->acc = &cfg->accounts[i];
		util_strlcpy(w->status.account, w->acc->name, sizeof w->status.account);
		util_strlcpy(w->status.phase, "starting", sizeof w->status.phase);
		if (pthread_create(&w->thread, NULL, worker_main, w)) {
			sync_engine_stop(e);
			return ebb_err_set(err, EBB_ENOMEM, "cannot start a sync thread");
		}
		w->started = 1;
	}
	if (pthread_create(&e->outbox_thread, NULL, outbox_main, e)) {
		sync_engine_stop(e);
		return ebb_err_set(err, EBB_ENOMEM, "cannot start the outbox thread");
	}
	e->outbox_started = 1;
	*out = e;
	return EBB_OK;
}

size_t sync_engine_status(struct sync_engine *e, struct sync_status *out, size_t max)
{
	if (!e)
		return 0;
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->nworkers && i < max; i++)
		out[i] = e->workers[i].status;
	size_t n = e->nworkers;
	pthread_mutex_unlock(&e->lock);
	return n;
}

void sync_engine_kick(struct sync_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->kicks++;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

void sync_engine_stop(struct sync_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	for (size_t i = 0; i < e->nworkers; i++)
		if (e->workers[i].started)
			pthread_join(e->workers[i].thread, NULL);
	if (e->outbox_started)
		pthread_join(e->outbox_thread, NULL);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
	free(e->workers);
	free(e->db_path);
	free(e);
}
