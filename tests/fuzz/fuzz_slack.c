/* fuzz_slack: any bytes as Slack's answers (conversations.list, then
 * conversations.history, conversations.replies and users.info as the pull
 * asks) run through a whole sync: batches or an error sentence, never a
 * crash, leak or out-of-bounds read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_chat.h"
#include "providers/slack_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ebb_config *cfg;
static struct store *st;
static long long account_id;

static void setup(void)
{
	struct chat_fuzz_files files;
	chat_fuzz_open("fuzz_slack", "[account.s]\nkind = slack\nurl = http://127.0.0.1:8009/api\n"
		       "token_cmd = echo t\n", "s", "slack", &cfg, &st, &account_id, &files);
	chat_fuzz_forget_files(&files);
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
		chat_fuzz_check(&b, rc, &err, &fs);
	} while (!rc && b.more && ++pulls < 100);
	batch_free(&b);
	p.ops->close(&p);
	return 0;
}
