/* sync/sync: drives one account's provider to completion: push local flag
 * changes, then pull batch after batch, each committed with its cursor and
 * the due times of the conversations it touched in one transaction. */
#include <pthread.h>
#include <string.h>

#include "ebb/policy.h"
#include "ebb/provider.h"
#include "sync_int.h"

/* Tier precedence: a sender rule (by the sender of the last message, the
 * one waiting for a reply; none when I wrote last), then a list rule (by
 * the List-Id of the last message from others, so a list thread keeps its
 * tier after I answered on the list), then the channel's stored tier (its
 * channel rule, else the account's tier, else the defaults, resolved when
 * synced). The user's reply_override is applied by the store after this. */
void sync_due(void *ctx, const struct conv_facts *f, struct conv_due *out)
{
	const struct sync_due_ctx *d = ctx;
	const char *tier = f->last_from_me ? NULL : config_sender_tier(d->acc, f->last_sender);
	if (!tier)
		tier = config_list_tier(d->acc, f->last_list_id);
	if (!tier)
		tier = f->channel_tier;
	if (!tier)
		tier = config_channel_tier(d->acc, f->channel, NULL, f->is_direct);
	out->tier = tier;
	out->needs_reply = f->reply_forced ||
			   policy_needs_reply(f->last_from_me, f->addressed_to_me, f->is_direct);
	out->due_at = 0;
	if (!out->needs_reply)
		return;
	const struct policy_tier *t = config_tier(d->cfg, tier);
	if (t && f->waiting_since > 0)
		out->due_at = policy_due_at(&d->cfg->hours, &t->target, f->waiting_since);
}

static void report(sync_progress_fn progress, void *ctx, const char *account, const char *phase,
		   long long done, long long total)
{
	if (!progress)
		return;
	struct sync_progress p = {.account = account, .phase = phase, .done = done, .total = total};
	progress(ctx, &p);
}

static int push_pending(struct provider *p, struct store *st, long long account_id,
			struct ebb_err *err)
{
	if (!p->ops->push_flags)
		return EBB_OK;
	struct batch_flag *flags;
	size_t n;
	int rc = store_pending_flags(st, account_id, &flags, &n, err);
	if (rc || !n)
		return rc;
	rc = p->ops->push_flags(p, flags, n, err);
	if (!rc)
		rc = store_pending_flags_clear(st, account_id, flags, n, err);
	store_flags_free(flags, n);
	return rc;
}

/* Every channel gets its tier from the config before the batch goes in,
 * so a new room is ranked by its rule from its first message on. */
int sync_commit_batch(const struct ebb_config *cfg, const struct account_cfg *acc,
		      struct store *st, long long account_id, struct store_batch *batch,
		      struct batch_result *res, struct ebb_err *err)
{
	for (size_t i = 0; i < batch->nchannels; i++) {
		struct batch_channel *c = &batch->channels[i];
		if (c->tier)
			continue;
		c->tier = util_strdup0(config_channel_tier(acc, c->remote_id, c->name, c->is_direct));
		if (!c->tier)
			return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	struct sync_due_ctx due = {.cfg = cfg, .acc = acc};
	return store_apply_batch(st, account_id, batch, sync_due, &due, res, err);
}

/* ---- pulling ahead -------------------------------------------------------------
 * With a provider that allows it, the next batch is pulled (network and
 * parsing) on a second thread while this one writes the batch before: on
 * two cores a first sync then costs about the larger of the two, not their
 * sum. Batches are still written one at a time, in order, each with its
 * cursor, so what a crash leaves behind is what it was without this. */
struct pull_ahead {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct provider *p;
	struct store_batch slots[2];
	int full[2];       /* pulled, not yet written */
	int finished;      /* the puller stopped: nothing more, or pull_rc */
	int stop;          /* the writer failed: stop pulling */
	int pull_rc;
	struct ebb_err pull_err;
};

static void *puller(void *arg)
{
	struct pull_ahead *pa = arg;
	long long done = 0, total = 0;
	for (int k = 0;; k ^= 1) {
		pthread_mutex_lock(&pa->mu);
		while (pa->full[k] && !pa->stop)
			pthread_cond_wait(&pa->cv, &pa->mu);
		int stop = pa->stop;
		pthread_mutex_unlock(&pa->mu);
		if (stop)
			break;
		struct store_batch *b = &pa->slots[k];
		batch_reset(b);
		/* progress_* count the whole pull: carry them from slot to slot */
		b->progress_done = done;
		b->progress_total = total;
		struct ebb_err e = {0};
		int rc = pa->p->ops->pull(pa->p, b, &e);
		done = b->progress_done;
		total = b->progress_total;
		pthread_mutex_lock(&pa->mu);
		if (rc) {
			pa->pull_rc = rc;
			pa->pull_err = e;
			pa->finished = 1;
		} else {
			pa->full[k] = 1;
			pa->finished = !b->more;
		}
		int finished = pa->finished;
		pthread_cond_broadcast(&pa->cv);
		pthread_mutex_unlock(&pa->mu);
		if (finished)
			break;
	}
	return NULL;
}

static void add_stats(struct sync_stats *stats, const struct batch_result *res)
{
	stats->batches++;
	stats->inserted += res->inserted;
	stats->updated += res->updated;
	stats->removed += res->removed;
	stats->conversations += res->conversations;
}

/* Pulls on a second thread, through a store connection of its own, and
 * writes here. Returns 1 (nothing done) when that connection cannot be had:
 * the caller then pulls and writes in turn. */
static int sync_pulling_ahead(const struct ebb_config *cfg, const struct account_cfg *acc,
			      struct store *st, struct provider *p, sync_progress_fn progress,
			      void *ctx, struct sync_stats *stats, struct ebb_err *err)
{
	const char *path = store_path(st);
	struct store *reader = NULL;
	if (!path || store_open_readonly(path, &reader, NULL))
		return 1;
	struct store *writer_store = p->store;
	p->store = reader;
	struct pull_ahead pa = {.p = p};
	pthread_mutex_init(&pa.mu, NULL);
	pthread_cond_init(&pa.cv, NULL);
	pthread_t thread;
	int rc = EBB_OK;
	if (pthread_create(&thread, NULL, puller, &pa)) {
		rc = 1;
		goto out;
	}
	for (int k = 0;; k ^= 1) {
		pthread_mutex_lock(&pa.mu);
		while (!pa.full[k] && !pa.finished)
			pthread_cond_wait(&pa.cv, &pa.mu);
		int full = pa.full[k];
		if (!full) {
			rc = pa.pull_rc;
			if (err)
				*err = pa.pull_err;
		}
		pthread_mutex_unlock(&pa.mu);
		if (!full)
			break;
		struct store_batch *b = &pa.slots[k];
		struct batch_result res = {0};
		rc = sync_commit_batch(cfg, acc, st, p->account_id, b, &res, err);
		int more = b->more;
		if (!rc) {
			add_stats(stats, &res);
			report(progress, ctx, acc->name, "pulling", b->progress_done, b->progress_total);
		}
		pthread_mutex_lock(&pa.mu);
		pa.full[k] = 0;
		if (rc)
			pa.stop = 1;
		pthread_cond_broadcast(&pa.cv);
		pthread_mutex_unlock(&pa.mu);
		if (rc || !more)
			break;
	}
	pthread_join(thread, NULL);
out:
	batch_free(&pa.slots[0]);
	batch_free(&pa.slots[1]);
	pthread_cond_destroy(&pa.cv);
	pthread_mutex_destroy(&pa.mu);
	p->store = writer_store;
	store_close(reader);
	return rc;
}

int sync_account(const struct ebb_config *cfg, const struct account_cfg *acc, struct store *st,
		 sync_progress_fn progress, void *ctx, struct sync_stats *stats,
		 struct ebb_err *err)
{
	struct sync_stats local = {0};
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	const struct provider_ops *ops = provider_lookup(acc->kind);
	if (!ops)
		return ebb_err_set(err, EBB_EINVAL, "account %s: kind = %s is not supported by this "
				   "ebb yet", acc->name, acc->kind);
	long long account_id;
	int rc = store_account_ensure(st, acc->name, acc->kind, &account_id, err);
	if (rc)
		return rc;
	struct provider p = {.ops = ops, .acc = acc, .store = st, .account_id = account_id};
	report(progress, ctx, acc->name, "connecting", 0, 0);
	rc = ops->open(&p, err);
	if (!rc)
		rc = push_pending(&p, st, account_id, err);
	if (!rc && ops->pull_ahead) {
		rc = sync_pulling_ahead(cfg, acc, st, &p, progress, ctx, stats, err);
		if (rc != 1)
			goto closed;
		rc = EBB_OK;
	}
	struct store_batch batch = {0};
	while (!rc) {
		batch_reset(&batch);
		rc = ops->pull(&p, &batch, err);
		if (rc)
			break;
		struct batch_result res = {0};
		rc = sync_commit_batch(cfg, acc, st, account_id, &batch, &res, err);
		if (rc)
			break;
		add_stats(stats, &res);
		report(progress, ctx, acc->name, "pulling", batch.progress_done, batch.progress_total);
		if (!batch.more)
			break;
	}
	batch_free(&batch);
closed:
	if (ops->close)
		ops->close(&p);
	if (rc) {
		ebb_err_prefix(err, "account %s: ", acc->name);
		report(progress, ctx, acc->name, "error", 0, 0);
		return rc;
	}
	report(progress, ctx, acc->name, "done", (long long)stats->inserted, 0);
	return EBB_OK;
}
