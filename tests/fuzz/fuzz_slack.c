/* fuzz_slack: any bytes as Slack's answers (conversations.list, then
 * conversations.history, conversations.replies and users.info as the pull
 * asks) run through a whole sync: batches or an error sentence, never a
 * crash, leak or out-of-bounds read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "providers/slack_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

static struct ebb_config *cfg;
static struct store *st;
static long long account_id;

static void setup(void)
{
	static const char conf[] = "[account.s]\nkind = slack\nurl = http://127.0.0.1:8009/api\n"
				   "token_cmd = echo t\n";
	char dir[] = "/tmp/fuzz_slack.XXXXXX", path[64];
	struct ebb_err err = {0};
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/ebb.db", dir);
	if (config_load_string(conf, sizeof conf - 1, "fuzz.conf", &cfg, &err) ||
	    store_open(path, &st, &err) ||
	    store_account_ensure(st, "s", "slack", &account_id, &err)) {
		fprintf(stderr, "fuzz_slack setup: %s\n", err.msg);
		abort();
	}
	/* The store stays open; its files go once the process has them. */
	unlink(path);
	char side[80];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cfg)
		setup();
	struct fake_server fs = {.next = (const char *)data, .left = size};
	struct provider p = {.ops = &slack_provider_ops, .acc = &cfg->accounts[0], .store = st,
			     .account_id = account_id};
	struct slack *s = calloc(1, sizeof *s);
	if (!s)
		return 0;
	p.priv = s;
	s->p = &p;
	snprintf(s->base, sizeof s->base, "http://127.0.0.1:8009/api");
	snprintf(s->host, sizeof s->host, "127.0.0.1");
	snprintf(s->me, sizeof s->me, "U0MIA");
	snprintf(s->my_handle, sizeof s->my_handle, "mia");
	s->fake_http = fake_http;
	s->fake_ctx = &fs;
	struct store_batch b = {0};
	struct ebb_err err = {0};
	int rc;
	int pulls = 0;
	do {
		batch_reset(&b);
		rc = p.ops->pull(&p, &b, &err);
		if (rc && !err.msg[0])
			abort();   /* every failure says what went wrong */
		if (getenv("FUZZ_VERBOSE"))   /* for writing seeds: did it get far? */
			fprintf(stderr, "rc %d, %zu channels, %zu messages, %d answers read: %s\n",
				rc, b.nchannels, b.nmsgs, fs.answers, err.msg);
		for (size_t i = 0; !rc && i < b.nmsgs; i++) {
			const struct batch_msg *bm = &b.msgs[i];
			if (!bm->channel || !bm->remote_id || !bm->body || !bm->thread_hint)
				abort();
			if (!batch_channel_find(&b, bm->channel))
				abort();   /* a message's channel is in the same batch */
		}
	} while (!rc && b.more && ++pulls < 100);
	batch_free(&b);
	p.ops->close(&p);
	return 0;
}
