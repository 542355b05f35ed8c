/* test_mime_list_id: reading the id of a List-Id header (RFC 2919), normal
 * and hostile, and mime_parse handing it on lower-cased. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ebb/mime.h"
#include "ebb/util.h"

/* The id of value, or NULL when mime_list_id finds none (then out must be ""). */
static const char *list_id(const char *value, size_t len)
{
	static char out[MIME_MAX_LIST_ID + 1];
	memset(out, 'x', sizeof out);
	int rc = mime_list_id(value, len, out, sizeof out);
	if (rc) {
		assert_int_equal(rc, EBB_ENOENT);
		assert_string_equal(out, "");
		return NULL;
	}
	return out;
}

#define ID(s) list_id((s), strlen(s))

static void test_normal(void **state)
{
	(void)state;
	assert_string_equal(ID("Dev talk <dev.example.org>"), "dev.example.org");
	assert_string_equal(ID("<ops.example.org>"), "ops.example.org");
	/* Ids compare without case: they are kept lower-cased. */
	assert_string_equal(ID("Team <Team-News.Example.ORG>"), "team-news.example.org");
	/* Folded header, blanks around the id. */
	assert_string_equal(ID("\"A very long list name\"\r\n\t< dev.example.org >  "),
			    "dev.example.org");
	/* A '<' in the quoted phrase: the last one opens the id. */
	assert_string_equal(ID("\"a <b\" <real.example.org>"), "real.example.org");
	/* RFC 2047 phrase: the raw value has no '<' of its own. */
	assert_string_equal(ID("=?utf-8?q?Entwickler_=C3=BC?= <dev.example.de>"), "dev.example.de");
	/* The value is length-counted: what follows len is not read. */
	assert_string_equal(list_id("<a.example.org>garbage<b.example.org>", 15), "a.example.org");
}

/* RFC 2919 requires the brackets; lists older than it sent the bare id, so
 * a value that is one id (with a dot, no blanks) still counts. */
static void test_no_brackets(void **state)
{
	(void)state;
	assert_string_equal(ID("  dev.example.org \r\n"), "dev.example.org");
	assert_null(ID("Dev talk"));           /* a phrase, not an id */
	assert_null(ID("announcements"));      /* no dot: not list-label "." namespace */
	assert_null(ID("dev.example.org and more"));
}

static void test_hostile(void **state)
{
	(void)state;
	assert_null(ID(""));
	assert_null(list_id(NULL, 0));
	assert_null(ID("   "));
	assert_null(ID("Name <>"));
	assert_null(ID("Name <  >"));
	assert_null(ID("Name <dev.example.org"));        /* unterminated */
	assert_null(ID("Name dev.example.org>"));        /* '>' without '<' */
	assert_null(ID("<dev.exa\x01mple.org>"));       /* control byte */
	assert_null(ID("<dev.example.org\x1b[2J>"));     /* terminal escape */
	assert_null(ID("<dev.exa mple.org>"));           /* blank inside */
	assert_null(ID("<dev.example.\xc3\xa9>"));       /* not ASCII */
	assert_null(ID("<dev.example.org\x7f>"));        /* DEL */
	assert_null(list_id("<dev.ex\0ample.org>", 18)); /* NUL inside */
	/* Exactly the bound fits; one byte more is dropped, not cut. */
	char big[MIME_MAX_LIST_ID + 8];
	big[0] = '<';
	memset(big + 1, 'a', MIME_MAX_LIST_ID);
	big[1 + MIME_MAX_LIST_ID - 4] = '.';
	memcpy(big + 1 + MIME_MAX_LIST_ID, ">", 2);
	const char *got = ID(big);
	assert_non_null(got);
	assert_int_equal(strlen(got), MIME_MAX_LIST_ID);
	big[1 + MIME_MAX_LIST_ID] = 'a';
	memcpy(big + 2 + MIME_MAX_LIST_ID, ">", 2);
	assert_null(ID(big));
	/* A buffer too small for the id gets nothing rather than a cut id. */
	char small[8] = "zzzzzzz";
	assert_int_equal(mime_list_id("<dev.example.org>", 17, small, sizeof small), EBB_ENOENT);
	assert_string_equal(small, "");
	assert_int_equal(mime_list_id("<a.b>", 5, small, sizeof small), EBB_OK);
	assert_string_equal(small, "a.b");
	assert_int_equal(mime_list_id("<a.b>", 5, NULL, 0), EBB_ENOENT);
}

static const char *parsed_list_id(const char *header, char *out, size_t outsz)
{
	char msg[600];
	snprintf(msg, sizeof msg, "From: a@example.org\r\nSubject: x\r\n%s\r\n\r\nbody\r\n", header);
	struct mime_message *m = NULL;
	assert_int_equal(mime_parse(msg, strlen(msg), &m, NULL), 0);
	const char *got = NULL;
	if (m->list_id) {
		snprintf(out, outsz, "%s", m->list_id);
		got = out;
	}
	mime_message_free(m);
	return got;
}

static void test_parse_message(void **state)
{
	(void)state;
	char buf[300];
	assert_string_equal(parsed_list_id("List-Id: Dev <DEV.Example.org>", buf, sizeof buf),
			    "dev.example.org");
	assert_string_equal(parsed_list_id("LIST-ID: =?utf-8?q?Caf=C3=A9?= <cafe.example.org>",
					   buf, sizeof buf), "cafe.example.org");
	assert_null(parsed_list_id("List-Id: Dev <dev.example.org", buf, sizeof buf));
	assert_null(parsed_list_id("List-Id: <dev.exa\x07mple.org>", buf, sizeof buf));
	assert_null(parsed_list_id("X-List: <dev.example.org>", buf, sizeof buf));
}

static int setup(void **state)
{
	(void)state;
	mime_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mime_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_no_brackets),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_parse_message),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
