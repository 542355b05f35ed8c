/* Unit tests for config: a full valid file, and every kind of mistake
 * reported with file, line and what is wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebb/config.h"

static const char good[] =
	"; ebb test config\n"
	"[general]\n"
	"context_check = warn\n"
	"\n"
	"[hours]\n"
	"work   = Mon-Fri 09:00-17:30\n"
	"blocks = 11:00-11:30, 16:00-16:45     ; reply blocks\n"
	"tz     = UTC\n"
	"notify = blocks\n"
	"vip    = Boss@Example.com, cto@example.com\n"
	"vip    = ceo@example.com\n"
	"holidays = 2026-12-24, 2026-12-25\n"
	"\n"
	"[tier.chat]      target = 3h\n"
	"[tier.review]\n"
	"target = 1d\n"
	"\n"
	"[account.work]\n"
	"kind = imap\n"
	"host = imap.example.com\n"
	"port = 993\n"
	"user = me@example.com\n"
	"password_cmd = pass show mail/work\n"
	"from = Me@Example.com\n"
	"me = alias@example.com\n"
	"tier = email\n"
	"channel.INBOX/Reviews = review\n"
	"\n"
	"[account.local]\n"
	"kind = maildir\n"
	"path = /srv/mail\n"
	"\n"
	"[keys]\n"
	"move-down = n\n";

static void test_good_config(void **state)
{
	(void)state;
	struct ebb_config *cfg;
	struct ebb_err err = {0};
	int rc = config_load_string(good, strlen(good), "test.conf", &cfg, &err);
	assert_int_equal(rc, EBB_OK);
	assert_string_equal(cfg->context_check, "warn");
	assert_string_equal(cfg->tz_name, "UTC");
	assert_int_equal(cfg->hours.nwork, 1);
	assert_int_equal(cfg->hours.work[0].start_min, 9 * 60);
	assert_int_equal(cfg->hours.work[0].end_min, 17 * 60 + 30);
	assert_int_equal(cfg->hours.nblocks, 2);
	assert_int_equal(cfg->hours.blocks[1].start_min, 16 * 60);
	assert_int_equal(cfg->hours.nholidays, 2);
	assert_int_equal(cfg->hours.holidays[0], 20261224);
	assert_int_equal(cfg->nvip, 3);
	assert_string_equal(cfg->vip[0], "boss@example.com");
	assert_string_equal(cfg->vip[2], "ceo@example.com");
	/* the compact "[tier.chat] target = 3h" form overrides the default 4h */
	const struct policy_tier *chat = config_tier(cfg, "chat");
	assert_non_null(chat);
	assert_int_equal(policy_target_seconds(&cfg->hours, &chat->target), 3 * 3600);
	const struct policy_tier *review = config_tier(cfg, "review");
	assert_non_null(review);
	assert_int_equal(policy_target_seconds(&cfg->hours, &review->target), 8 * 3600 + 1800);
	assert_non_null(config_tier(cfg, "email"));  /* defaults stay */
	assert_null(config_tier(cfg, "nope"));
	assert_int_equal(cfg->naccounts, 2);
	const struct account_cfg *work = config_account(cfg, "work");
	assert_non_null(work);
	assert_int_equal(work->port, 993);
	assert_string_equal(work->password_cmd, "pass show mail/work");
	assert_true(config_is_me(work, "me@example.com"));
	assert_true(config_is_me(work, "ALIAS@example.com"));
	assert_false(config_is_me(work, "other@example.com"));
	assert_string_equal(config_channel_tier(work, "INBOX/Reviews", NULL, 0), "review");
	assert_string_equal(config_channel_tier(work, "INBOX", NULL, 0), "email");
	assert_string_equal(config_channel_tier(work, "INBOX", NULL, 1), "chat");
	const struct account_cfg *local = config_account(cfg, "local");
	assert_non_null(local);
	assert_string_equal(local->path, "/srv/mail");
	assert_string_equal(config_channel_tier(local, "INBOX", NULL, 0), "email");
	assert_int_equal(cfg->nkeys, 1);
	assert_string_equal(cfg->keys[0].key, "move-down");
	assert_int_equal(cfg->keys[0].line, 34);
	config_free(cfg);
}

/* Each bad input must fail with its line number and a word of the cause. */
struct bad_case {
	const char *text;
	const char *expect;   /* substring of the message, after "bad.conf:LINE: " */
	int line;
};

static const struct bad_case bad_cases[] = {
	{"[hours]\nwork = Mon-Fri 09:00-17:30\nworkk = x\n", "unknown key \"workk\"", 3},
	{"[hourz]\nwork = x\n", "unknown section [hourz]", 2},
	{"[tier.chat]\ntarget = 4 hours\n", "4 hours", 2},
	{"[account.a]\nkind = imap\nhost = mail.example.com\nuser = u\ntls = off\n",
	 "only allowed for localhost", 1},
	{"[account.a]\nkind = imap\npassword = hunter2\n", "password_cmd", 3},
	{"[account.a]\npath = /x\n", "has no kind", 1},
	{"[account.a]\nkind = pop3\n", "kind = pop3", 1},
	{"[account.a]\nkind = imap\nhost = h\nuser = u\nport = 99999\n", "port = 99999", 5},
	{"[account.a]\nkind = maildir\npath = /x\ntier = vip\n", "tier = vip: no such tier", 1},
	{"[hours]\ntz = Mars/Olympus_Mons\n", "unknown time zone", 2},
	{"[hours]\ntz = ../../etc/passwd\n", "not a time zone name", 2},
	{"[hours]\nwork = Mon-Fri 9-17\n", "work", 2},
	{"[hours]\nblocks = 11:00-10:00\n", "11:00-10:00", 2},
	{"\n\nkey = value\n", "outside any [section]", 3},
	{"[general]\nthis line has no equals sign\n", "cannot read this line", 2},
	{"[account.a]\nkind = maildir\n", "has no path", 1},
};

static void test_bad_configs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ebb_config *cfg = NULL;
		struct ebb_err err = {0};
		int rc = config_load_string(c->text, strlen(c->text), "bad.conf", &cfg, &err);
		if (rc == EBB_OK)
			fail_msg("case %zu parsed but should fail: %s", i, c->text);
		assert_null(cfg);
		char prefix[64];
		snprintf(prefix, sizeof prefix, "bad.conf:%d: ", c->line);
		if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, c->expect))
			fail_msg("case %zu: got \"%s\", want prefix \"%s\" and \"%s\"", i, err.msg,
				 prefix, c->expect);
	}
}

static void test_long_line(void **state)
{
	(void)state;
	char text[1024];
	memset(text, 'a', sizeof text);
	memcpy(text, "[hours]\nvip = ", 14);
	text[sizeof text - 2] = '\n';
	text[sizeof text - 1] = '\0';
	struct ebb_config *cfg = NULL;
	struct ebb_err err = {0};
	assert_int_not_equal(config_load_string(text, strlen(text), "long.conf", &cfg, &err), 0);
	assert_non_null(strstr(err.msg, "long.conf:2: line is longer than"));
}

static void test_nul_byte(void **state)
{
	(void)state;
	const char text[] = "[hours]\nwork = Mon\0-Fri 09:00-17:00\n";
	struct ebb_config *cfg = NULL;
	struct ebb_err err = {0};
	assert_int_not_equal(config_load_string(text, sizeof text - 1, "nul.conf", &cfg, &err), 0);
	assert_non_null(strstr(err.msg, "nul.conf:2: contains a NUL byte"));
}

static void test_file_relative_path_and_missing(void **state)
{
	(void)state;
	char dir[] = "/tmp/ebb-config-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/config", dir);
	struct ebb_config *cfg = NULL;
	struct ebb_err err = {0};
	/* A missing file says how to create one and mentions the demo. */
	assert_int_equal(config_load(path, &cfg, &err), EBB_ENOENT);
	assert_non_null(strstr(err.msg, "no configuration at"));
	assert_non_null(strstr(err.msg, "ebb --demo"));
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("[account.m]\nkind = maildir\npath = Mail\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &cfg, &err), EBB_OK);
	char want[300];
	snprintf(want, sizeof want, "%s/Mail", dir);
	assert_string_equal(cfg->accounts[0].path, want);
	assert_string_equal(cfg->path, path);
	config_free(cfg);
	unlink(path);
	rmdir(dir);
}

static void test_db_path_mode(void **state)
{
	(void)state;
	char dir[] = "/tmp/ebb-config-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct ebb_config *cfg = NULL;
	struct ebb_err err = {0};
	assert_int_equal(config_defaults(&cfg, &err), EBB_OK);
	char data[300];
	snprintf(data, sizeof data, "%s/a/b", dir);
	cfg->data_dir = strdup(data);
	char db[512];
	assert_int_equal(config_db_path(cfg, db, sizeof db, &err), EBB_OK);
	char want[400];
	snprintf(want, sizeof want, "%s/ebb.db", data);
	assert_string_equal(db, want);
	struct stat st;
	assert_int_equal(stat(data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	config_free(cfg);
	rmdir(data);
	snprintf(data, sizeof data, "%s/a", dir);
	rmdir(data);
	rmdir(dir);
}

static void test_secret_cmd(void **state)
{
	(void)state;
	char out[64];
	struct ebb_err err = {0};
	assert_int_equal(util_run_secret_cmd("printf 's3cret\\nsecond line\\n'", out, sizeof out, &err),
			 EBB_OK);
	assert_string_equal(out, "s3cret");
	/* A failing command reports its status, never its output. */
	assert_int_equal(util_run_secret_cmd("echo leaked; exit 3", out, sizeof out, &err), EBB_EAUTH);
	assert_non_null(strstr(err.msg, "status 3"));
	assert_null(strstr(err.msg, "leaked"));
	assert_string_equal(out, "");
	assert_int_equal(util_run_secret_cmd("true", out, sizeof out, &err), EBB_EAUTH);
	assert_int_equal(util_run_secret_cmd("printf '%0100d' 0", out, 16, &err), EBB_ETOOBIG);
	assert_string_equal(out, "");
}

/* Tier rules per sender and list, and the footer switch (issue 6). */
static const char rules[] =
	"[tier.review]\n"
	"target = 1d\n"
	"[account.work]\n"
	"kind = maildir\n"
	"path = /srv/mail\n"
	"from = me@example.com\n"
	"footer = yes\n"
	"sender.*@Reviews.Example.com = review\n"
	"sender.boss@example.com = urgent\n"
	"sender.*@example.com = chat\n"
	"sender.ops-[0-9]@example.org = fyi\n"
	"list.dev.lists.example.com = fyi\n"
	"[account.home]\n"
	"kind = maildir\n"
	"path = /srv/home\n";

static void test_sender_and_list_rules(void **state)
{
	(void)state;
	struct ebb_config *cfg;
	struct ebb_err err = {0};
	assert_int_equal(config_load_string(rules, strlen(rules), "rules.conf", &cfg, &err), EBB_OK);
	const struct account_cfg *work = config_account(cfg, "work");
	assert_non_null(work);
	assert_int_equal(work->footer, 1);
	assert_int_equal(work->nsender_tiers, 4);
	assert_string_equal(work->sender_tiers[0].pattern, "*@reviews.example.com"); /* lower case */
	assert_int_equal(work->sender_tiers[0].line, 8);
	/* a glob, any case */
	assert_string_equal(config_sender_tier(work, "ci@reviews.example.com"), "review");
	assert_string_equal(config_sender_tier(work, "CI@REVIEWS.example.COM"), "review");
	/* the exact address wins over the globs, wherever it stands */
	assert_string_equal(config_sender_tier(work, "boss@example.com"), "urgent");
	assert_string_equal(config_sender_tier(work, "Boss@Example.com"), "urgent");
	/* then the first matching glob in file order */
	assert_string_equal(config_sender_tier(work, "kim@example.com"), "chat");
	assert_string_equal(config_sender_tier(work, "ops-7@example.org"), "fyi");
	assert_null(config_sender_tier(work, "ops-x@example.org"));
	assert_null(config_sender_tier(work, "kim@example.com.evil.org"));
	assert_null(config_sender_tier(work, "someone@other.org"));
	assert_null(config_sender_tier(work, ""));
	assert_null(config_sender_tier(work, NULL));
	assert_int_equal(work->nlist_tiers, 1);
	assert_string_equal(config_list_tier(work, "DEV.lists.example.com"), "fyi");
	assert_null(config_list_tier(work, "ops.lists.example.com"));
	const struct account_cfg *home = config_account(cfg, "home");
	assert_int_equal(home->footer, 0);   /* the default */
	assert_null(config_sender_tier(home, "boss@example.com"));
	config_free(cfg);

	static const struct bad_case bad[] = {
		{"[account.a]\nkind = maildir\npath = /x\nsender.a@b.c = nope\n",
		 "sender.a@b.c = nope: no such tier", 4},
		{"[account.a]\nkind = maildir\npath = /x\n\nlist.l.example = vip\n",
		 "list.l.example = vip: no such tier", 5},
		{"[account.a]\nkind = maildir\npath = /x\nfooter = maybe\n",
		 "footer = maybe: expected yes or no", 4},
		{"[account.a]\nkind = maildir\npath = /x\nsender. = urgent\n",
		 "must be 1 to", 4},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cfg = NULL;
		int rc = config_load_string(bad[i].text, strlen(bad[i].text), "bad.conf", &cfg, &err);
		assert_int_equal(rc, EBB_EPARSE);
		assert_null(cfg);
		char prefix[64];
		snprintf(prefix, sizeof prefix, "bad.conf:%d: ", bad[i].line);
		if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, bad[i].expect))
			fail_msg("rule case %zu: got \"%s\", want prefix \"%s\" and \"%s\"", i,
				 err.msg, prefix, bad[i].expect);
	}
}

int main(void)
{
	setenv("TZDIR", "/usr/share/zoneinfo", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_config),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_file_relative_path_and_missing),
		cmocka_unit_test(test_db_path_mode),
		cmocka_unit_test(test_secret_cmd),
		cmocka_unit_test(test_sender_and_list_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
