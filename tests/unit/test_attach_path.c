/* test_attach_path: an attachment saved under a hostile name (../, absolute
 * paths, NUL, controls, bidi, dot-files, very long or random bytes) lands
 * as one new 0600 file directly inside the chosen directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/ui/ui_internal.h"

/* The name alone: one path component, not hidden, bounded, clean UTF-8. */
static void assert_safe_name(const char *name, size_t outlen)
{
	size_t len = strlen(name);
	assert_true(len > 0);
	assert_true(len < outlen);
	assert_true(len <= 200);
	assert_null(strchr(name, '/'));
	assert_null(strchr(name, '\\'));
	assert_int_not_equal(name[0], '.');
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int k = utf8_decode((const unsigned char *)name + i, len - i, &cp);
		assert_true(k > 0);
		assert_true(cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0));
		assert_false(cp >= 0x202A && cp <= 0x202E);
		assert_false(cp >= 0x2066 && cp <= 0x2069);
		i += (size_t)k;
	}
}

/* Saves under the cleaned name and checks where and how the file landed. */
static void save_and_check(const char *dir, const char *raw, int n)
{
	char name[256], path[1024], real_dir[PATH_MAX], real_parent[PATH_MAX];
	ui_attachment_filename(raw, n, name, sizeof(name));
	assert_safe_name(name, sizeof(name));
	assert_int_equal(ui_save_bytes(dir, name, "data", 4, path, sizeof(path), NULL), 0);
	struct stat sb;
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_nlink, 1);
	char *slash = strrchr(path, '/');
	assert_non_null(slash);
	*slash = '\0';
	assert_non_null(realpath(dir, real_dir));
	assert_non_null(realpath(path, real_parent));
	assert_string_equal(real_parent, real_dir);   /* directly inside, nowhere else */
	*slash = '/';
	assert_int_equal(unlink(path), 0);
}

static int dir_setup(void **state)
{
	static char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/test_attach_path.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int dir_teardown(void **state)
{
	return rmdir(*state);   /* fails when a test left anything behind */
}

static void test_hostile_names(void **state)
{
	const char *dir = *state;
	char longname[700], longutf8[700];
	memset(longname, 'a', 600);
	memcpy(longname + 600, ".tar.gz", 8);
	size_t o = 0;
	while (o + 2 < 600) {
		longutf8[o++] = (char)0xC3;
		longutf8[o++] = (char)0xBC;   /* ü: a cut must not split it */
	}
	memcpy(longutf8 + o, ".pdf", 5);
	const char *names[] = {
		"../../../../etc/passwd", "/etc/passwd", "/", "..", ".", "...", "../", "a/../../b",
		"..\\..\\windows\\system32\\x.dll", "\\\\server\\share\\y.exe", "C:\\evil.exe",
		"./.ssh/authorized_keys", ".bashrc", "..hidden", "dir/", "", " ", "\t", "a\nb.txt",
		"a\rb", "\x1b[31mred.txt", "\x1b]52;c;aGk=\x07.txt", "file\x7f.txt",
		"\xc2\x85next.txt", "x\xe2\x80\xaegpj.exe", "x\xe2\x81\xa6y.txt", "bad\xff.txt",
		"\xc0\xaf\xc0\xaf.txt", "\xed\xa0\x80.txt", "../\xe2\x80\xae/../z", "~/x", "$(touch x)",
		"; rm -rf ~", "`id`.txt", "a*b?.txt", "name with spaces.pdf", "Übersicht.pdf",
		longname, longutf8,
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		save_and_check(dir, names[i], (int)i);
}

static void test_nul_ends_the_name(void **state)
{
	const char *dir = *state;
	/* A length-counted name from a mail with a NUL inside: C sees the part
	 * before it, so "../../evil" after the NUL never counts. */
	static const char raw[] = "ok.txt\0../../evil";
	char name[256];
	assert_string_equal(ui_attachment_filename(raw, 1, name, sizeof(name)), "ok.txt");
	static const char lead[] = "\0../../evil";
	assert_string_equal(ui_attachment_filename(lead, 2, name, sizeof(name)), "attachment-2");
	save_and_check(dir, raw, 1);
}

/* A name that exists already is never replaced, not even through a symlink
 * or a directory of that name. */
static void test_existing_names(void **state)
{
	const char *dir = *state;
	char taken[512], path[1024], sub[512];
	snprintf(taken, sizeof(taken), "%s/passwd", dir);
	assert_int_equal(symlink("/etc/passwd", taken), 0);
	snprintf(sub, sizeof(sub), "%s/report.pdf", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(ui_save_bytes(dir, "passwd", "x", 1, path, sizeof(path), NULL), 0);
	char want[1024];
	snprintf(want, sizeof(want), "%s/passwd (1)", dir);
	assert_string_equal(path, want);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ui_save_bytes(dir, "report.pdf", "x", 1, path, sizeof(path), NULL), 0);
	snprintf(want, sizeof(want), "%s/report (1).pdf", dir);
	assert_string_equal(path, want);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(taken), 0);
	assert_int_equal(rmdir(sub), 0);
}

/* Random names built from the bytes that matter: the name rules hold for
 * every one, and every 25th is saved and checked on disk. */
static void test_random_names(void **state)
{
	const char *dir = *state;
	static const char *const parts[] = {"/", ".", "..", "\\", "\x01", "\x1b", "\xe2\x80\xae",
					    "a", "b.", "\xc3\xbc", "\xff", "\xc3", " ", "~",
					    "$(", ".pdf", "\x7f"};
	uint32_t seed = 12345;
	for (int i = 0; i < 5000; i++) {
		char raw[700];
		size_t len = 0;
		seed = seed * 1103515245u + 12345u;
		int nparts = (int)(seed >> 16) % 300;
		for (int k = 0; k < nparts; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *p = parts[(seed >> 16) % (sizeof(parts) / sizeof(parts[0]))];
			size_t pl = strlen(p);
			if (len + pl >= sizeof(raw))
				break;
			memcpy(raw + len, p, pl);
			len += pl;
		}
		raw[len] = '\0';
		char name[256];
		ui_attachment_filename(raw, i, name, sizeof(name));
		assert_safe_name(name, sizeof(name));
		if (i % 25 == 0)
			save_and_check(dir, raw, i);
	}
}

/* A buffer smaller than the extension must not be overrun: the name is cut
 * without it. */
static void test_tiny_buffer(void **state)
{
	(void)state;
	char long_name[300];
	memset(long_name, 'a', sizeof long_name);
	memcpy(long_name + sizeof long_name - 5, ".pdf", 5);
	for (size_t outlen = 2; outlen <= 8; outlen++) {
		char out[8];
		memset(out, 'Z', sizeof out);
		ui_attachment_filename(long_name, 1, out, outlen);
		assert_true(strlen(out) < outlen);
		for (size_t i = outlen; i < sizeof out; i++)
			assert_int_equal(out[i], 'Z');  /* nothing written past outlen */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hostile_names, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_nul_ends_the_name, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_existing_names, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_random_names, dir_setup, dir_teardown),
		cmocka_unit_test(test_tiny_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
