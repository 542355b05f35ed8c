/* Unit tests for what a header-only sync leaves out, on a Maildir account:
 * sync_fetch_bodies, sync_fetch_attachment, sync_backfill without the op,
 * and the engine's request table (sync_engine_want_bodies,
 * sync_engine_want_attachment and their states). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebb/config.h"
#include "ebb/store.h"
#include "ebb/sync.h"

static const char mail[] =
	"From: Ann <ann@example.org>\n"
	"To: me@example.com\n"
	"Subject: Plan\n"
	"Message-ID: <plan@example.org>\n"
	"Date: Tue, 24 Nov 2026 08:00:00 +0000\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=XX\n"
	"\n"
	"--XX\n"
	"Content-Type: text/plain\n"
	"\n"
	"See the notes.\n"
	"--XX\n"
	"Content-Type: text/plain; name=notes.txt\n"
	"Content-Disposition: attachment; filename=notes.txt\n"
	"\n"
	"ATTACHED-NOTES\n"
	"--XX--\n";

struct fx {
	char dir[64];
	char db[128];
	struct ebb_config *cfg;
	struct store *st;
	long long conv_id;
};

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int rc = fputs(text, f) < 0;
	return fclose(f) || rc ? -1 : 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/ebb-bodies-test.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	char path[256], conf[512];
	const char *sub[] = {"/m", "/m/cur", "/m/new", "/m/tmp"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s%s", f->dir, sub[i]);
		if (mkdir(path, 0700))
			return -1;
	}
	snprintf(path, sizeof path, "%s/m/cur/1.1.test:2,S", f->dir);
	snprintf(conf, sizeof conf, "[hours]\ntz = UTC\n[account.mail]\nkind = maildir\n"
		 "path = %s/m\nme = me@example.com\n", f->dir);
	snprintf(f->db, sizeof f->db, "%s/ebb.db", f->dir);
	struct ebb_err err = {0};
	if (write_file(path, mail) ||
	    config_load_string(conf, strlen(conf), "test.conf", &f->cfg, &err) ||
	    store_open(f->db, &f->st, &err) ||
	    sync_account(f->cfg, &f->cfg->accounts[0], f->st, NULL, NULL, NULL, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	struct conv_row *rows;
	size_t n;
	if (store_conv_list(f->st, VIEW_ALL, NULL, 10, &rows, &n, &err) || n != 1)
		return -1;
	f->conv_id = rows[0].id;
	store_conv_rows_free(rows, n);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	config_free(f->cfg);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd)) {
		/* A leftover temp dir is not a test failure. */
	}
	free(f);
	return 0;
}

static void test_fetch_bodies_nothing_missing(void **state)
{
	struct fx *f = *state;
	size_t fetched = 99;
	struct ebb_err err = {0};
	assert_int_equal(sync_fetch_bodies(&f->cfg->accounts[0], f->st, f->conv_id, &fetched, &err),
			 EBB_OK);
	assert_int_equal(fetched, 0);
}

static void test_fetch_attachment(void **state)
{
	struct fx *f = *state;
	struct msg_row *rows;
	size_t n;
	struct ebb_err err = {0};
	assert_int_equal(store_msg_list(f->st, f->conv_id, &rows, &n, &err), EBB_OK);
	assert_int_equal(n, 1);
	assert_non_null(rows[0].attachments);
	assert_non_null(strstr(rows[0].attachments, "notes.txt\t"));
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(sync_fetch_attachment(&f->cfg->accounts[0], f->st, rows[0].channel,
					       rows[0].remote_id, 0, &data, &len, &err), EBB_OK);
	/* The line break before the boundary belongs to the boundary. */
	assert_int_equal(len, strlen("ATTACHED-NOTES"));
	assert_memory_equal(data, "ATTACHED-NOTES", len);
	free(data);
	data = NULL;
	assert_int_equal(sync_fetch_attachment(&f->cfg->accounts[0], f->st, rows[0].channel,
					       rows[0].remote_id, 1, &data, &len, &err), EBB_ENOENT);
	assert_null(data);
	store_msg_rows_free(rows, n);
}

static void test_backfill_without_op(void **state)
{
	struct fx *f = *state;
	size_t added = 7;
	struct ebb_err err = {0};
	assert_int_equal(sync_backfill(f->cfg, &f->cfg->accounts[0], f->st, f->conv_id, &added, &err),
			 EBB_ENOENT);
	assert_int_equal(added, 0);
}

/* Waits (at most 10 s) on the wake pipe until the request leaves pending. */
static enum sync_fetch_state settle(struct sync_engine *e, int wake_fd, long long conv_id,
				    char *error, size_t errlen)
{
	enum sync_fetch_state s = SYNC_FETCH_PENDING;
	for (int i = 0; i < 100; i++) {
		s = sync_engine_fetch_state(e, conv_id, error, errlen);
		if (s != SYNC_FETCH_PENDING)
			break;
		struct pollfd pfd = {.fd = wake_fd, .events = POLLIN};
		if (poll(&pfd, 1, 100) > 0) {
			char buf[64];
			while (read(wake_fd, buf, sizeof buf) > 0)
				;
		}
	}
	return s;
}

static void test_engine_requests(void **state)
{
	struct fx *f = *state;
	int wake[2];
	assert_int_equal(pipe2(wake, O_CLOEXEC | O_NONBLOCK), 0);
	struct sync_engine *e = NULL;
	struct ebb_err err = {0};
	assert_int_equal(sync_engine_start(f->cfg, f->db, wake[1], &e, &err), EBB_OK);
	char error[EBB_ERRLEN];
	assert_int_equal(sync_engine_fetch_state(e, f->conv_id, error, sizeof error),
			 SYNC_FETCH_NONE);
	assert_int_equal(sync_engine_want_bodies(e, 0), EBB_EINVAL);
	assert_int_equal(sync_engine_want_bodies(NULL, f->conv_id), EBB_EINVAL);

	assert_int_equal(sync_engine_want_bodies(e, f->conv_id), EBB_OK);
	assert_int_equal(settle(e, wake[0], f->conv_id, error, sizeof error), SYNC_FETCH_DONE);
	assert_string_equal(error, "");

	/* An unknown conversation fails with a sentence; asking again retries. */
	assert_int_equal(sync_engine_want_bodies(e, 987654), EBB_OK);
	assert_int_equal(settle(e, wake[0], 987654, error, sizeof error), SYNC_FETCH_FAILED);
	assert_true(strlen(error) > 0);
	assert_int_equal(sync_engine_want_bodies(e, 987654), EBB_OK);
	assert_int_equal(settle(e, wake[0], 987654, error, sizeof error), SYNC_FETCH_FAILED);

	/* More conversations than slots: finished requests make room. */
	for (long long id = 1000; id < 1100; id++) {
		int rc = sync_engine_want_bodies(e, id);
		if (rc == EBB_EBUSY) {
			settle(e, wake[0], id - 1, NULL, 0);
			rc = sync_engine_want_bodies(e, id);
		}
		assert_true(rc == EBB_OK || rc == EBB_EBUSY);
	}
	assert_int_equal(settle(e, wake[0], 1099, NULL, 0), SYNC_FETCH_FAILED);
	sync_engine_stop(e);
	close(wake[0]);
	close(wake[1]);
}

/* Waits (at most 10 s) until attachment request req leaves pending. */
static enum sync_fetch_state settle_att(struct sync_engine *e, int wake_fd,
					unsigned long long req, char *path, size_t pathlen,
					size_t *len, char *error, size_t errlen)
{
	enum sync_fetch_state s = SYNC_FETCH_PENDING;
	for (int i = 0; i < 100; i++) {
		s = sync_engine_attachment_state(e, req, path, pathlen, len, error, errlen);
		if (s != SYNC_FETCH_PENDING)
			break;
		struct pollfd pfd = {.fd = wake_fd, .events = POLLIN};
		if (poll(&pfd, 1, 100) > 0) {
			char buf[64];
			while (read(wake_fd, buf, sizeof buf) > 0)
				;
		}
	}
	return s;
}

static void test_engine_attachment(void **state)
{
	struct fx *f = *state;
	struct msg_row *rows;
	size_t n;
	struct ebb_err err = {0};
	assert_int_equal(store_msg_list(f->st, f->conv_id, &rows, &n, &err), EBB_OK);
	assert_int_equal(n, 1);
	int wake[2];
	assert_int_equal(pipe2(wake, O_CLOEXEC | O_NONBLOCK), 0);
	struct sync_engine *e = NULL;
	assert_int_equal(sync_engine_start(f->cfg, f->db, wake[1], &e, &err), EBB_OK);
	char tmp[300], path[4400], error[EBB_ERRLEN];
	snprintf(tmp, sizeof tmp, "%s", f->dir);
	unsigned long long req = 7;
	/* Names that could leave the private directory are refused. */
	assert_int_equal(sync_engine_want_attachment(e, f->conv_id, rows[0].channel,
						     rows[0].remote_id, 0, "../x", tmp, &req),
			 EBB_EINVAL);
	assert_int_equal(req, 0);
	assert_int_equal(sync_engine_want_attachment(e, f->conv_id, rows[0].channel,
						     rows[0].remote_id, 0, "..", tmp, &req),
			 EBB_EINVAL);

	assert_int_equal(sync_engine_want_attachment(e, f->conv_id, rows[0].channel,
						     rows[0].remote_id, 0, "notes.txt", tmp, &req),
			 EBB_OK);
	assert_true(req > 0);
	size_t len = 0;
	assert_int_equal(settle_att(e, wake[0], req, path, sizeof path, &len, error, sizeof error),
			 SYNC_FETCH_DONE);
	assert_int_equal(len, strlen("ATTACHED-NOTES"));
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal((size_t)sb.st_size, len);
	char *slash = strrchr(path, '/');
	assert_non_null(slash);
	assert_string_equal(slash + 1, "notes.txt");
	*slash = '\0';
	assert_int_equal(strncmp(path, tmp, strlen(tmp)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	*slash = '/';
	FILE *in = fopen(path, "rb");
	assert_non_null(in);
	char got[64] = {0};
	assert_int_equal(fread(got, 1, sizeof got, in), len);
	fclose(in);
	assert_memory_equal(got, "ATTACHED-NOTES", len);
	/* Handed over: asking again knows nothing, and the file is ours. */
	assert_int_equal(sync_engine_attachment_state(e, req, NULL, 0, NULL, NULL, 0),
			 SYNC_FETCH_NONE);
	assert_int_equal(unlink(path), 0);
	*slash = '\0';
	assert_int_equal(rmdir(path), 0);

	/* A missing attachment fails with a sentence and leaves no file. */
	assert_int_equal(sync_engine_want_attachment(e, f->conv_id, rows[0].channel,
						     rows[0].remote_id, 5, "gone.txt", tmp, &req),
			 EBB_OK);
	assert_int_equal(settle_att(e, wake[0], req, path, sizeof path, &len, error, sizeof error),
			 SYNC_FETCH_FAILED);
	assert_true(strlen(error) > 0);
	assert_string_equal(path, "");

	/* One nobody collects is removed when the engine stops. */
	assert_int_equal(sync_engine_want_attachment(e, f->conv_id, rows[0].channel,
						     rows[0].remote_id, 0, "left.txt", tmp, &req),
			 EBB_OK);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "ls '%s'/ebb-att-*/left.txt >/dev/null 2>&1", tmp);
	int written = 0;
	for (int i = 0; i < 100 && !written; i++) {
		written = system(cmd) == 0;
		if (!written)
			usleep(100 * 1000);
	}
	assert_true(written);
	sync_engine_stop(e);
	snprintf(cmd, sizeof cmd, "ls -d '%s'/ebb-att-* >/dev/null 2>&1", tmp);
	assert_int_not_equal(system(cmd), 0);
	store_msg_rows_free(rows, n);
	close(wake[0]);
	close(wake[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fetch_bodies_nothing_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_attachment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backfill_without_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_attachment, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
