/* fuzz_matrix: any bytes as the Matrix server's answers (/sync, then the
 * /rooms/{id}/messages pages filling a gap and the /rooms/{id}/event thread
 * roots it asks for) run through a whole pull: it ends in a batch or an
 * error sentence, never a crash, leak or out-of-bounds read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "providers/matrix_int.h"

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
	static const char conf[] = "[account.m]\nkind = matrix\nurl = http://127.0.0.1:8008\n"
				   "user = @mia:test.local\ntoken_cmd = echo t\n";
	char dir[] = "/tmp/fuzz_matrix.XXXXXX", path[64];
	struct ebb_err err = {0};
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/ebb.db", dir);
	if (config_load_string(conf, sizeof conf - 1, "fuzz.conf", &cfg, &err) ||
	    store_open(path, &st, &err) ||
	    store_account_ensure(st, "m", "matrix", &account_id, &err)) {
		fprintf(stderr, "fuzz_matrix setup: %s\n", err.msg);
		abort();
	}
	/* Two rooms ebb knows already and a stored /sync position: a limited
	 * timeline in one of them fills its gap through /messages, the other
	 * rooms are new. Pulls never write, so every input sees this store. */
	struct store_batch known = {0};
	struct batch_channel cur = {.remote_id = MX_CURSOR_CHANNEL, .name = "(matrix sync position)",
				    .cursor = "s0"};
	struct batch_channel team = {.remote_id = "!team:test.local", .name = "Team"};
	struct batch_channel dm = {.remote_id = "!dm:test.local", .name = "Ann Lee", .is_direct = 1};
	struct batch_result res;
	if (batch_add_channel(&known, &cur) || batch_add_channel(&known, &team) ||
	    batch_add_channel(&known, &dm) ||
	    store_apply_batch(st, account_id, &known, NULL, NULL, &res, &err)) {
		fprintf(stderr, "fuzz_matrix setup: %s\n", err.msg);
		abort();
	}
	batch_free(&known);
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
	struct provider p = {.ops = &matrix_provider_ops, .acc = &cfg->accounts[0], .store = st,
			     .account_id = account_id};
	struct mx *m = calloc(1, sizeof *m);
	if (!m)
		return 0;
	p.priv = m;
	m->p = &p;
	snprintf(m->base, sizeof m->base, "http://127.0.0.1:8008");
	snprintf(m->user, sizeof m->user, "@mia:test.local");
	m->my_name = strdup("Mia Example");
	m->fake_http = fake_http;
	m->fake_ctx = &fs;
	struct store_batch b = {0};
	struct ebb_err err = {0};
	int rc = p.ops->pull(&p, &b, &err);
	if (rc && !err.msg[0])
		abort();   /* every failure says what went wrong */
	for (size_t i = 0; !rc && i < b.nmsgs; i++) {
		const struct batch_msg *bm = &b.msgs[i];
		if (!bm->channel || !bm->remote_id || !bm->body || !bm->thread_hint)
			abort();
		if (!batch_channel_find(&b, bm->channel))
			abort();   /* a message's room is in the same batch */
	}
	if (!rc && !batch_channel_find(&b, MX_CURSOR_CHANNEL))
		abort();   /* a good /sync always moves the cursor */
	if (getenv("FUZZ_VERBOSE"))   /* for writing seeds: did it get far? */
		fprintf(stderr, "rc %d, %zu channels, %zu messages, %d answers read: %s\n", rc,
			b.nchannels, b.nmsgs, fs.answers, err.msg);
	batch_free(&b);
	p.ops->close(&p);
	return 0;
}
