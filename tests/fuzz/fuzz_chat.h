/* fuzz_chat: what fuzz_matrix and fuzz_slack share: a fake HTTP server that
 * answers from the fuzz input, a store to pull against, and the checks every
 * chat batch must pass. Static functions: each target includes it once. */
#ifndef EBB_FUZZ_CHAT_H
#define EBB_FUZZ_CHAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "ebb/net.h"

/* The input is the server's answers in order, split at this line. */
static const char answer_sep[] = "\n===\n";

struct fake_server {
	const char *next;
	size_t left;
	int answers;
};

static int fake_http(void *ctx, const struct net_request *rq, struct net_response *r,
		     struct ebb_err *err)
{
	struct fake_server *fs = ctx;
	(void)rq;
	memset(r, 0, sizeof *r);
	r->retry_after_ms = -1;
	if (!fs->left || ++fs->answers > 64)
		return ebb_err_set(err, EBB_ENET, "fuzz: no more answers");
	const char *end = memmem(fs->next, fs->left, answer_sep, sizeof answer_sep - 1);
	size_t len = end ? (size_t)(end - fs->next) : fs->left;
	r->status = 200;
	if (sbuf_append(&r->body, fs->next, len))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	fs->next += len;
	fs->left -= len;
	if (end) {
		fs->next += sizeof answer_sep - 1;
		fs->left -= sizeof answer_sep - 1;
	}
	return EBB_OK;
}

/* Where chat_fuzz_open put the store, for chat_fuzz_forget_files. */
struct chat_fuzz_files {
	char dir[32];
	char path[64];
};

/* Loads conf, opens a store in a new temp dir and adds the account; aborts
 * with the reason on any failure (a broken harness, not a finding). */
static void chat_fuzz_open(const char *target, const char *conf, const char *account,
			   const char *kind, struct ebb_config **cfg, struct store **st,
			   long long *account_id, struct chat_fuzz_files *files)
{
	struct ebb_err err = {0};
	snprintf(files->dir, sizeof files->dir, "/tmp/%s.XXXXXX", target);
	if (!mkdtemp(files->dir))
		abort();
	snprintf(files->path, sizeof files->path, "%s/ebb.db", files->dir);
	if (config_load_string(conf, strlen(conf), "fuzz.conf", cfg, &err) ||
	    store_open(files->path, st, &err) ||
	    store_account_ensure(*st, account, kind, account_id, &err)) {
		fprintf(stderr, "%s setup: %s\n", target, err.msg);
		abort();
	}
}

/* The store stays open; its files go once the process has them. */
static void chat_fuzz_forget_files(const struct chat_fuzz_files *files)
{
	char side[80];
	unlink(files->path);
	snprintf(side, sizeof side, "%s-wal", files->path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", files->path);
	unlink(side);
	rmdir(files->dir);
}

/* What every pull must give: a failure that says what went wrong, and
 * messages with their ids, text and thread, whose channel is in the batch. */
static void chat_fuzz_check(struct store_batch *b, int rc, const struct ebb_err *err,
			    const struct fake_server *fs)
{
	if (rc && !err->msg[0])
		abort();
	if (getenv("FUZZ_VERBOSE"))   /* for writing seeds: did it get far? */
		fprintf(stderr, "rc %d, %zu channels, %zu messages, %d answers read: %s\n", rc,
			b->nchannels, b->nmsgs, fs->answers, err->msg);
	for (size_t i = 0; !rc && i < b->nmsgs; i++) {
		const struct batch_msg *bm = &b->msgs[i];
		if (!bm->channel || !bm->remote_id || !bm->body || !bm->thread_hint)
			abort();
		if (!batch_channel_find(b, bm->channel))
			abort();
	}
}

#endif
