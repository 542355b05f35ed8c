/* sync/engine: background sync for the UI. One worker thread per account,
 * each with its own store connection, and a fetch thread for the bodies and
 * attachments the UI asks for; after every committed batch or fetch a byte
 * on the wake pipe tells the UI to re-read what it shows. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebb/provider.h"
#include "ebb/sync.h"

#define SYNC_POLL_SECONDS 60
/* Held replies go out at the start of a reply block: check often enough
 * that "at 11:00" means within half a minute of it. */
#define OUTBOX_POLL_SECONDS 30
/* Bodies of the due queue fetched after each sync: enough for a working
 * session, bounded in time so the next sync is not held up for long. */
#define PREFETCH_CONVS 50
#define PREFETCH_BUDGET_MS 10000
/* Conversations asked for and remembered; a finished request is forgotten
 * for a new one when the table is full. */
#define FETCH_SLOTS 32

enum fetch_kind { FETCH_BODIES, FETCH_ATTACHMENT };

struct fetch_req {
	long long conv_id;          /* 0 = free slot */
	enum fetch_kind kind;
	enum sync_fetch_state state;
	int running;                /* taken by the fetch thread */
	unsigned long long order;   /* when asked, to reuse the oldest slot; the
				     * request number of an attachment */
	char error[EBB_ERRLEN];
	/* FETCH_ATTACHMENT: which one, and the file it was written to
	 * (dir and path are "" until written; owned here until handed over). */
	char *channel, *remote_id;
	size_t index;
	char name[256];
	char dir[4096];
	char path[4352];
	size_t len;
};

struct worker {
	struct sync_engine *engine;
	const struct account_cfg *acc;
	pthread_t thread;
	int started;
	struct sync_status status;  /* guarded by engine->lock */
	/* Held around the account's sync lock, so the fetch thread's backfill
	 * and this worker's sync wait for each other instead of one taking
	 * the other for a second process. */
	pthread_mutex_t account_lock;
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
	struct fetch_req fetches[FETCH_SLOTS];  /* guarded by lock */
	unsigned long long fetch_order;
	pthread_cond_t fetch_cond;  /* a request was queued, or stop */
	pthread_t fetch_thread;
	int fetch_started;
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

/* Empties a slot that is not running; an attachment file nobody took is
 * removed with its private directory. */
static void slot_clear(struct fetch_req *r)
{
	/* dir names the private directory only once path is set; before that
	 * it is the caller's parent directory, never to be removed. */
	if (r->kind == FETCH_ATTACHMENT && r->path[0]) {
		unlink(r->path);
		rmdir(r->dir);
	}
	free(r->channel);
	free(r->remote_id);
	memset(r, 0, sizeof(*r));
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
		if (!rc) {
			pthread_mutex_lock(&w->account_lock);
			if (sync_lock_account(e->db_path, w->acc->name, &lock_fd, &holder, &err) ==
			    EBB_EBUSY)
				elsewhere = 1;
			else
				rc = sync_account(e->cfg, w->acc, st, on_progress, w, NULL, &err);
			sync_unlock_account(lock_fd);
			pthread_mutex_unlock(&w->account_lock);
		}
		if (!rc && !elsewhere) {
			/* A failure here is the fetch thread's to report when the
			 * conversation is opened; the sync itself went fine. */
			size_t fetched = 0;
			struct ebb_err perr = {0};
			sync_prefetch_due(w->acc, st, PREFETCH_CONVS, PREFETCH_BUDGET_MS, &fetched,
					  &perr);
			if (fetched)
				wake_ui(e);
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

/* The oldest queued request, marked running; NULL when stopping. */
static struct fetch_req *next_fetch(struct sync_engine *e, struct fetch_req *copy)
{
	pthread_mutex_lock(&e->lock);
	struct fetch_req *pick = NULL;
	while (!e->stopping) {
		for (size_t i = 0; i < FETCH_SLOTS; i++) {
			struct fetch_req *r = &e->fetches[i];
			if (r->conv_id && r->state == SYNC_FETCH_PENDING && !r->running &&
			    (!pick || r->order < pick->order))
				pick = r;
		}
		if (pick)
			break;
		pthread_cond_wait(&e->fetch_cond, &e->lock);
	}
	if (pick) {
		/* The strings stay owned by the slot, which is not reused while
		 * it runs. */
		*copy = *pick;
		pick->running = 1;
	}
	pthread_mutex_unlock(&e->lock);
	return pick;
}

/* Bodies first (what the user waits for), then one older page of a chat
 * room. The account's sync lock guards the backfill's cursor against a
 * pull running at the same moment; when the lock is taken it waits for the
 * next open. */
static int fetch_for(struct sync_engine *e, struct store *st, long long conv_id,
		     struct ebb_err *err)
{
	struct conv_row conv;
	int rc = store_conv_get(st, conv_id, &conv, err);
	if (rc)
		return rc;
	const struct account_cfg *acc = config_account(e->cfg, conv.account);
	store_conv_row_clear(&conv);
	if (!acc)
		return ebb_err_set(err, EBB_ENOENT,
				   "the account of this conversation is no longer in the config");
	rc = sync_fetch_bodies(acc, st, conv_id, NULL, err);
	const struct provider_ops *ops = provider_lookup(acc->kind);
	if (rc || !ops || !ops->backfill)
		return rc;
	struct worker *w = NULL;
	for (size_t i = 0; i < e->nworkers && !w; i++)
		if (e->workers[i].acc == acc)
			w = &e->workers[i];
	if (!w)
		return EBB_OK;
	int lock_fd = -1;
	long holder = 0;
	struct ebb_err lerr = {0};
	pthread_mutex_lock(&w->account_lock);
	if (sync_lock_account(e->db_path, acc->name, &lock_fd, &holder, &lerr)) {
		pthread_mutex_unlock(&w->account_lock);
		return EBB_OK;
	}
	rc = sync_backfill(e->cfg, acc, st, conv_id, NULL, err);
	sync_unlock_account(lock_fd);
	pthread_mutex_unlock(&w->account_lock);
	return rc == EBB_ENOENT ? EBB_OK : rc;
}

/* Writes data to a new 0600 file path, never following or replacing one. */
static int write_private(const char *path, const char *data, size_t len, struct ebb_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ebb_err_set(err, EBB_EIO, "cannot create %s: %s", path, strerror(errno));
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int saved = errno;
			close(fd);
			unlink(path);
			return ebb_err_set(err, EBB_EIO, "cannot write %s: %s", path,
					   strerror(saved));
		}
		done += (size_t)w;
	}
	if (close(fd)) {
		unlink(path);
		return ebb_err_set(err, EBB_EIO, "cannot write %s: %s", path, strerror(errno));
	}
	return EBB_OK;
}

/* The attachment's bytes into a file of its own private directory; dir
 * and path are filled only once the file exists. */
static int fetch_attachment_for(struct sync_engine *e, struct store *st, struct fetch_req *req,
				struct ebb_err *err)
{
	struct conv_row conv;
	int rc = store_conv_get(st, req->conv_id, &conv, err);
	if (rc)
		return rc;
	const struct account_cfg *acc = config_account(e->cfg, conv.account);
	store_conv_row_clear(&conv);
	if (!acc)
		return ebb_err_set(err, EBB_ENOENT,
				   "the account of this conversation is no longer in the config");
	char *data = NULL;
	size_t len = 0;
	rc = sync_fetch_attachment(acc, st, req->channel, req->remote_id, req->index, &data, &len,
				   err);
	if (rc)
		return rc;
	char dir[sizeof req->dir], path[sizeof req->path];
	/* req->dir holds the parent directory until the private one exists. */
	if (util_path(dir, sizeof dir, "%s/ebb-att-XXXXXX", req->dir))
		rc = ebb_err_set(err, EBB_ETOOBIG, "the temporary directory %s is too long",
				 req->dir);
	if (!rc && !mkdtemp(dir))
		rc = ebb_err_set(err, EBB_EIO, "cannot make a private directory in %s: %s",
				 req->dir, strerror(errno));
	else if (!rc && util_path(path, sizeof path, "%s/%s", dir, req->name)) {
		rmdir(dir);
		rc = ebb_err_set(err, EBB_ETOOBIG, "the attachment's path is too long");
	} else if (!rc && (rc = write_private(path, data, len, err)) != EBB_OK) {
		rmdir(dir);
	}
	free(data);
	if (rc)
		return rc;
	util_strlcpy(req->dir, dir, sizeof req->dir);
	util_strlcpy(req->path, path, sizeof req->path);
	req->len = len;
	return EBB_OK;
}

static void *fetch_main(void *arg)
{
	struct sync_engine *e = arg;
	struct store *st = NULL;
	struct fetch_req *r;
	struct fetch_req req;
	while ((r = next_fetch(e, &req))) {
		struct ebb_err err = {0};
		int rc = st ? EBB_OK : store_open(e->db_path, &st, &err);
		if (!rc && req.kind == FETCH_ATTACHMENT) {
			req.path[0] = '\0';
			rc = fetch_attachment_for(e, st, &req, &err);
			if (rc)
				req.dir[0] = '\0';
		} else if (!rc) {
			rc = fetch_for(e, st, req.conv_id, &err);
		}
		pthread_mutex_lock(&e->lock);
		/* The slot still holds this request: pending slots are never
		 * given to another conversation. */
		r->running = 0;
		r->state = rc ? SYNC_FETCH_FAILED : SYNC_FETCH_DONE;
		util_strlcpy(r->error, rc ? err.msg : "", sizeof r->error);
		if (r->kind == FETCH_ATTACHMENT) {
			util_strlcpy(r->dir, rc ? "" : req.dir, sizeof r->dir);
			util_strlcpy(r->path, rc ? "" : req.path, sizeof r->path);
			r->len = req.len;
		}
		pthread_mutex_unlock(&e->lock);
		wake_ui(e);
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
	pthread_cond_init(&e->fetch_cond, NULL);
	e->nworkers = cfg->naccounts;
	for (size_t i = 0; i < e->nworkers; i++)
		pthread_mutex_init(&e->workers[i].account_lock, NULL);
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
	if (pthread_create(&e->fetch_thread, NULL, fetch_main, e)) {
		sync_engine_stop(e);
		return ebb_err_set(err, EBB_ENOMEM, "cannot start the fetch thread");
	}
	e->fetch_started = 1;
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

/* A free slot, else the one finished longest ago (emptied); NULL when all
 * are pending. */
static struct fetch_req *free_slot(struct sync_engine *e)
{
	struct fetch_req *oldest = NULL;
	for (size_t i = 0; i < FETCH_SLOTS; i++) {
		struct fetch_req *r = &e->fetches[i];
		if (!r->conv_id)
			return r;
		if (r->state != SYNC_FETCH_PENDING && (!oldest || r->order < oldest->order))
			oldest = r;
	}
	if (oldest)
		slot_clear(oldest);
	return oldest;
}

int sync_engine_want_bodies(struct sync_engine *e, long long conv_id)
{
	if (!e || conv_id <= 0)
		return EBB_EINVAL;
	pthread_mutex_lock(&e->lock);
	struct fetch_req *slot = NULL;
	for (size_t i = 0; i < FETCH_SLOTS && !slot; i++)
		if (e->fetches[i].conv_id == conv_id && e->fetches[i].kind == FETCH_BODIES)
			slot = &e->fetches[i];
	if (slot && slot->state == SYNC_FETCH_PENDING) {
		pthread_mutex_unlock(&e->lock);
		return EBB_OK;
	}
	/* Opening again retries in its own slot; else a free slot, else the
	 * one finished longest ago. */
	if (!slot)
		slot = free_slot(e);
	int rc = EBB_OK;
	if (slot) {
		slot_clear(slot);
		slot->conv_id = conv_id;
		slot->state = SYNC_FETCH_PENDING;
		slot->running = 0;
		slot->error[0] = '\0';
		slot->order = ++e->fetch_order;
		pthread_cond_signal(&e->fetch_cond);
	} else {
		rc = EBB_EBUSY;
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

enum sync_fetch_state sync_engine_fetch_state(struct sync_engine *e, long long conv_id,
					      char *error, size_t errlen)
{
	if (error && errlen)
		error[0] = '\0';
	if (!e)
		return SYNC_FETCH_NONE;
	enum sync_fetch_state state = SYNC_FETCH_NONE;
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < FETCH_SLOTS; i++) {
		const struct fetch_req *r = &e->fetches[i];
		if (r->conv_id != conv_id || r->kind != FETCH_BODIES)
			continue;
		state = r->state;
		if (state == SYNC_FETCH_FAILED && error && errlen)
			util_strlcpy(error, r->error, errlen);
		break;
	}
	pthread_mutex_unlock(&e->lock);
	return state;
}

int sync_engine_want_attachment(struct sync_engine *e, long long conv_id, const char *channel,
				const char *remote_id, size_t index, const char *name,
				const char *tmpdir, unsigned long long *req)
{
	*req = 0;
	if (!e || conv_id <= 0 || !channel || !remote_id || !name || !name[0] ||
	    strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") || !tmpdir ||
	    !tmpdir[0] || strlen(name) >= sizeof e->fetches[0].name ||
	    strlen(tmpdir) >= sizeof e->fetches[0].dir)
		return EBB_EINVAL;
	char *chan = strdup(channel), *rid = strdup(remote_id);
	if (!chan || !rid) {
		free(chan);
		free(rid);
		return EBB_ENOMEM;
	}
	pthread_mutex_lock(&e->lock);
	struct fetch_req *slot = free_slot(e);
	if (!slot) {
		pthread_mutex_unlock(&e->lock);
		free(chan);
		free(rid);
		return EBB_EBUSY;
	}
	slot->conv_id = conv_id;
	slot->kind = FETCH_ATTACHMENT;
	slot->state = SYNC_FETCH_PENDING;
	slot->channel = chan;
	slot->remote_id = rid;
	slot->index = index;
	util_strlcpy(slot->name, name, sizeof slot->name);
	util_strlcpy(slot->dir, tmpdir, sizeof slot->dir);
	slot->order = ++e->fetch_order;
	*req = slot->order;
	pthread_cond_signal(&e->fetch_cond);
	pthread_mutex_unlock(&e->lock);
	return EBB_OK;
}

enum sync_fetch_state sync_engine_attachment_state(struct sync_engine *e,
						   unsigned long long req, char *path,
						   size_t pathlen, size_t *len, char *error,
						   size_t errlen)
{
	if (error && errlen)
		error[0] = '\0';
	if (path && pathlen)
		path[0] = '\0';
	if (len)
		*len = 0;
	if (!e || !req)
		return SYNC_FETCH_NONE;
	enum sync_fetch_state state = SYNC_FETCH_NONE;
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < FETCH_SLOTS; i++) {
		struct fetch_req *r = &e->fetches[i];
		if (!r->conv_id || r->kind != FETCH_ATTACHMENT || r->order != req)
			continue;
		state = r->state;
		if (state == SYNC_FETCH_FAILED && error && errlen)
			util_strlcpy(error, r->error, errlen);
		if (state == SYNC_FETCH_DONE) {
			if (path && pathlen && !util_strlcpy(path, r->path, pathlen)) {
				/* Handed over: the caller removes it now. */
				r->path[0] = '\0';
				r->dir[0] = '\0';
				if (len)
					*len = r->len;
			} else {
				state = SYNC_FETCH_FAILED;
				if (error && errlen)
					util_strlcpy(error, "the attachment's path is too long",
						     errlen);
			}
		}
		if (state != SYNC_FETCH_PENDING)
			slot_clear(r);
		break;
	}
	pthread_mutex_unlock(&e->lock);
	return state;
}

void sync_engine_stop(struct sync_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	pthread_cond_broadcast(&e->cond);
	pthread_cond_broadcast(&e->fetch_cond);
	pthread_mutex_unlock(&e->lock);
	for (size_t i = 0; i < e->nworkers; i++)
		if (e->workers[i].started)
			pthread_join(e->workers[i].thread, NULL);
	if (e->outbox_started)
		pthread_join(e->outbox_thread, NULL);
	if (e->fetch_started)
		pthread_join(e->fetch_thread, NULL);
	for (size_t i = 0; i < FETCH_SLOTS; i++)
		slot_clear(&e->fetches[i]);
	for (size_t i = 0; i < e->nworkers; i++)
		pthread_mutex_destroy(&e->workers[i].account_lock);
	pthread_cond_destroy(&e->fetch_cond);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
	free(e->workers);
	free(e->db_path);
	free(e);
}
