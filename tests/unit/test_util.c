/* Unit tests for util: strings, UTF-8, ISO 8601, paths, the clock override. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebb/util.h"

static void test_sbuf(void **state)
{
	(void)state;
	struct sbuf sb = {0};
	assert_int_equal(sbuf_puts(&sb, "abc"), 0);
	assert_int_equal(sbuf_printf(&sb, "-%d-", 42), 0);
	assert_int_equal(sbuf_append(&sb, "x\0y", 3), 0);
	assert_int_equal(sb.len, 10);
	assert_memory_equal(sb.buf, "abc-42-x\0y", 11);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(sbuf_putc(&sb, 'z'), 0);
	assert_int_equal(sb.len, 10010);
	assert_int_equal(sb.buf[sb.len], '\0');
	sbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	char *p = sbuf_detach(&sb);
	assert_string_equal(p, "");
	assert_null(sb.buf);
	free(p);
}

static void test_strlcpy_trim(void **state)
{
	(void)state;
	char b[4];
	assert_int_equal(util_strlcpy(b, "abc", sizeof b), 0);
	assert_string_equal(b, "abc");
	assert_int_equal(util_strlcpy(b, "abcd", sizeof b), EBB_ETOOBIG);
	assert_string_equal(b, "abc");
	char t[] = " \t hello world \r\n";
	util_trim(t);
	assert_string_equal(t, "hello world");
	assert_true(util_strncaseeq("INBOX", 5, "inbox"));
	assert_false(util_strncaseeq("INBOX", 4, "inbox"));
}

static void test_utf8(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	/* overlong, surrogate, truncated, stray continuation, > U+10FFFF */
	assert_int_equal(utf8_decode((const unsigned char *)"\xc0\xaf", 2, &cp), -1);
	assert_int_equal(utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &cp), -1);
	assert_int_equal(utf8_decode((const unsigned char *)"\xe2\x82", 2, &cp), -1);
	assert_int_equal(utf8_decode((const unsigned char *)"\x80", 1, &cp), -1);
	assert_int_equal(utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), -1);
	char out[4];
	for (uint32_t c = 1; c < 0x110000; c += 97) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		int n = utf8_encode(c, out);
		uint32_t back;
		assert_int_equal(utf8_decode((const unsigned char *)out, (size_t)n, &back), n);
		assert_int_equal(back, c);
	}
}

static void test_iso8601(void **state)
{
	(void)state;
	time_t t;
	assert_int_equal(util_parse_iso8601("2026-11-24T08:00:00Z", &t), 0);
	assert_int_equal(t, 1795507200);
	assert_int_equal(util_parse_iso8601("2026-11-24T09:00:00+01:00", &t), 0);
	assert_int_equal(t, 1795507200);
	assert_int_equal(util_parse_iso8601("2026-11-24T03:00-0500", &t), 0);
	assert_int_equal(t, 1795507200);
	assert_int_equal(util_parse_iso8601("2026-11-24", &t), 0);
	assert_int_equal(t, 1795478400);
	assert_int_equal(util_parse_iso8601("2026-13-24", &t), EBB_EPARSE);
	assert_int_equal(util_parse_iso8601("2026-11-24T8:00", &t), EBB_EPARSE);
	assert_int_equal(util_parse_iso8601("2026-11-24Tjunk", &t), EBB_EPARSE);
	assert_int_equal(util_parse_iso8601("tomorrow", &t), EBB_EPARSE);
	char buf[32];
	assert_int_equal(util_format_utc(1795507200, buf, sizeof buf), 0);
	assert_string_equal(buf, "2026-11-24T08:00:00Z");
}

static void test_now_override(void **state)
{
	(void)state;
	setenv("EBB_NOW", "1795507200", 1);
	assert_int_equal(ebb_now(), 1795507200);
	setenv("EBB_NOW", "garbage", 1);
	time_t real = time(NULL);
	assert_true(ebb_now() >= real && ebb_now() <= real + 5);
	unsetenv("EBB_NOW");
}

static void test_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/ebb-util-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[256], file[300];
	assert_int_equal(util_path(sub, sizeof sub, "%s/x/y/z", dir), 0);
	assert_int_equal(util_mkdir_p(sub, 0700, NULL), 0);
	struct stat st;
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(util_path(file, sizeof file, "%s/f", sub), 0);
	assert_int_equal(util_write_file_atomic(file, "hello", 5, 0600, NULL), 0);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *data;
	size_t len;
	struct ebb_err err;
	assert_int_equal(util_read_file(file, 100, &data, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_string_equal(data, "hello");
	free(data);
	assert_int_equal(util_read_file(file, 4, &data, &len, &err), EBB_ETOOBIG);
	assert_null(data);
	assert_int_equal(util_read_file("/nonexistent/x", 4, &data, &len, &err), EBB_ENOENT);
	char small[8];
	assert_int_equal(util_path(small, sizeof small, "%s", "0123456789"), EBB_ETOOBIG);
	unlink(file);
	for (int i = 0; i < 3; i++) {
		rmdir(sub);
		*strrchr(sub, '/') = '\0';
	}
	rmdir(dir);
}

static void test_err(void **state)
{
	(void)state;
	struct ebb_err err;
	assert_int_equal(ebb_err_set(&err, EBB_EIO, "cannot read %s", "x"), EBB_EIO);
	assert_int_equal(ebb_err_prefix(&err, "account %s: ", "work"), EBB_EIO);
	assert_string_equal(err.msg, "account work: cannot read x");
	assert_int_equal(ebb_err_set(NULL, EBB_EIO, "ignored"), EBB_EIO);
	char big[2 * EBB_ERRLEN];
	memset(big, 'p', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ebb_err_prefix(&err, "%s", big);
	assert_int_equal(strlen(err.msg), EBB_ERRLEN - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbuf),       cmocka_unit_test(test_strlcpy_trim),
		cmocka_unit_test(test_utf8),       cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_now_override), cmocka_unit_test(test_files),
		cmocka_unit_test(test_err),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
