/* test_mime_attach: attachment N of mime_attachment_extract is attachment N
 * of mime_parse (same walk, same choices), with its decoded bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"

/* "%PDF-1.4 tiny" in base64, and "hello, attachment" quoted-printable. */
static const char MIXED[] =
	"From: Ann <ann@x.org>\n"
	"To: sam@x.org\n"
	"Subject: files\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=\"b1\"\n"
	"\n"
	"--b1\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"See the files.\n"
	"--b1\n"
	"Content-Type: application/pdf; name=\"r.pdf\"\n"
	"Content-Disposition: attachment; filename=\"r.pdf\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"JVBERi0xLjQg\n"
	"dGlueQ==\n"
	"--b1\n"
	"Content-Type: text/plain; charset=utf-8; name=\"note.txt\"\n"
	"Content-Disposition: attachment; filename=\"note.txt\"\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"hello, attachment=3D\n"
	"--b1\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"From: Bob <bob@x.org>\n"
	"Subject: inner\n"
	"\n"
	"inner body\n"
	"--b1--\n";

/* Plain is empty, so the nested multipart (HTML with an image) is the body
 * and its image is the only attachment; the text/html beside it is not. */
static const char ALTERNATIVE[] =
	"From: Ann <ann@x.org>\n"
	"Subject: alt\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/alternative; boundary=\"a1\"\n"
	"\n"
	"--a1\n"
	"Content-Type: text/plain\n"
	"\n"
	"   \n"
	"--a1\n"
	"Content-Type: multipart/related; boundary=\"r1\"\n"
	"\n"
	"--r1\n"
	"Content-Type: text/html\n"
	"\n"
	"<p>Hello <b>there</b></p>\n"
	"--r1\n"
	"Content-Type: image/png; name=\"logo.png\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"iVBORw0KGgo=\n"
	"--r1--\n"
	"--a1\n"
	"Content-Type: application/zip; name=\"hidden.zip\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"UEsDBA==\n"
	"--a1--\n";

static void check_matches_parse(const char *raw)
{
	struct mime_message *m;
	assert_int_equal(mime_parse(raw, strlen(raw), &m, NULL), 0);
	for (size_t i = 0; i < m->natt; i++) {
		char *data;
		size_t len;
		assert_int_equal(mime_attachment_extract(raw, strlen(raw), i, &data, &len, NULL), 0);
		assert_int_equal(len, m->att[i].size);
		free(data);
	}
	char *data;
	size_t len;
	struct ebb_err err = { 0 };
	assert_int_equal(mime_attachment_extract(raw, strlen(raw), m->natt, &data, &len, &err),
			 EBB_ENOENT);
	assert_null(data);
	mime_message_free(m);
}

static void test_mixed(void **state)
{
	(void)state;
	check_matches_parse(MIXED);
	char *data;
	size_t len;
	assert_int_equal(mime_attachment_extract(MIXED, strlen(MIXED), 0, &data, &len, NULL), 0);
	assert_int_equal(len, 13);
	assert_memory_equal(data, "%PDF-1.4 tiny", 13);
	free(data);
	assert_int_equal(mime_attachment_extract(MIXED, strlen(MIXED), 1, &data, &len, NULL), 0);
	assert_string_equal(data, "hello, attachment=");   /* the last CRLF is the boundary's */
	free(data);
	/* A forwarded message is saved as the message. */
	assert_int_equal(mime_attachment_extract(MIXED, strlen(MIXED), 2, &data, &len, NULL), 0);
	assert_non_null(strstr(data, "Subject: inner"));
	assert_non_null(strstr(data, "inner body"));
	free(data);
}

static void test_alternative(void **state)
{
	(void)state;
	struct mime_message *m;
	assert_int_equal(mime_parse(ALTERNATIVE, strlen(ALTERNATIVE), &m, NULL), 0);
	assert_int_equal(m->natt, 1);
	assert_string_equal(m->att[0].filename, "logo.png");
	mime_message_free(m);
	check_matches_parse(ALTERNATIVE);
	char *data;
	size_t len;
	assert_int_equal(mime_attachment_extract(ALTERNATIVE, strlen(ALTERNATIVE), 0, &data, &len,
						 NULL), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(data, "\x89PNG\r\n\x1a\n", 8);
	free(data);
}

static void test_bad_input(void **state)
{
	(void)state;
	char *data;
	size_t len;
	struct ebb_err err = { 0 };
	assert_int_equal(mime_attachment_extract("", 0, 0, &data, &len, &err), EBB_EINVAL);
	assert_int_equal(mime_attachment_extract("From nobody\n", 12, 0, &data, &len, &err),
			 EBB_EPARSE);
	const char *plain = "Subject: x\n\nno attachments\n";
	assert_int_equal(mime_attachment_extract(plain, strlen(plain), 0, &data, &len, &err),
			 EBB_ENOENT);
	assert_non_null(strstr(err.msg, "0 attachments"));
}

int main(void)
{
	mime_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_alternative),
		cmocka_unit_test(test_bad_input),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mime_shutdown();
	return rc;
}
