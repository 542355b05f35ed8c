/* fuzz_matrix: any bytes as the Matrix server's answers (/sync, then the
 * /rooms/{id}/messages pages filling a gap and the /rooms/{id}/event thread
 * roots it asks for) run through a whole pull: it ends in a batch or an
 * error sentence, never a crash, leak or out-of-bounds read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_chat.h"
#include "providers/matrix_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ebb_config *cfg;
static struct store *st;
static long long account_id;

static void setup(void)
{
	struct chat_fuzz_files files;
	struct ebb_err err = {0};
	chat_fuzz_open("fuzz_matrix", "[account.m]\nkind = matrix\nurl = http://127.0.0.1:8008\n"
		       "user = @mia:test.local\ntoken_cmd = echo t\n", "m", "matrix", &cfg, &st,
		       &account_id, &files);
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
	chat_fuzz_forget_files(&files);
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
	chat_fuzz_check(&b, rc, &err, &fs);
	if (!rc && !batch_channel_find(&b, MX_CURSOR_CHANNEL))
		abort();   /* a good /sync always moves the cursor */
	batch_free(&b);
	p.ops->close(&p);
	return 0;
}
