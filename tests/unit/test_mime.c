/* test_mime: header decoding in many charsets, charset conversion, body
 * choice, attachments, bounds on hostile nesting, HTML to text, snippets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "ebb/util.h"

static int valid_utf8(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (k < 0)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

static void assert_header(const char *raw, const char *expected)
{
	char *got = mime_decode_header(raw, strlen(raw));
	assert_non_null(got);
	assert_true(valid_utf8(got));
	assert_string_equal(got, expected);
	free(got);
}

static struct mime_message *parse_ok(const char *msg)
{
	struct mime_message *m = NULL;
	struct ebb_err err = {0};
	int rc = mime_parse(msg, strlen(msg), &m, &err);
	if (rc != EBB_OK)
		fail_msg("mime_parse: %d %s", rc, err.msg);
	assert_non_null(m);
	assert_non_null(m->text);
	assert_true(valid_utf8(m->text));
	assert_true(valid_utf8(m->subject));
	return m;
}

/* ---- mime_decode_header ---------------------------------------------------- */

static void test_header_utf8_words(void **state)
{
	(void)state;
	assert_header("=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=", "Grüße aus Köln");
	assert_header("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=", "Grüße aus Köln");
	assert_header("=?utf-8?q?Gr=C3=BC=C3=9Fe?= from Bonn", "Grüße from Bonn");
	assert_header("plain ascii subject", "plain ascii subject");
}

static void test_header_charsets(void **state)
{
	(void)state;
	assert_header("=?ISO-8859-1?Q?Caf=E9_cr=E8me?=", "Café crème");
	assert_header("=?ISO-8859-1?B?Q2Fm6SBjcuhtZQ==?=", "Café crème");
	assert_header("=?ISO-8859-15?Q?Preis:_5_=A4?=", "Preis: 5 €");
	assert_header("=?windows-1252?Q?=93quoted=94_=96_dash?=", "“quoted” – dash");
	assert_header("=?KOI8-R?B?8NLJ18XULCDNydI=?=", "Привет, мир");
	assert_header("=?KOI8-R?Q?=F0=D2=C9=D7=C5=D4?=", "Привет");
	assert_header("=?Shift_JIS?B?k/qWe4zqgsyDZYNYg2c=?=", "日本語のテスト");
	assert_header("=?GB2312?B?1tDOxLLiytQ=?=", "中文测试");
}

static void test_header_adjacent_words(void **state)
{
	(void)state;
	/* white space between encoded words is not part of the text (RFC 2047 6.2) */
	assert_header("=?UTF-8?Q?Gr=C3=BC?= =?UTF-8?Q?=C3=9Fe?=", "Grüße");
	assert_header("=?UTF-8?Q?a?=\r\n =?ISO-8859-1?Q?=E9?=", "aé");
	assert_header("Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and =?KOI8-R?Q?=F0=D2=C9=D7=C5=D4?= ok",
		      "Re: Grüße and Привет ok");
	/* a character split across two words of the same charset */
	assert_header("=?UTF-8?B?R3LD?= =?UTF-8?B?vGU=?=", "Grüe");
	/* folding is removed */
	assert_header("a long\r\n\tsubject\n here", "a long subject here");
}

static void test_header_malformed_words(void **state)
{
	(void)state;
	const char *cases[] = {
		"=?UTF-8?B?!!!!?=",                 /* bad base64 */
		"=?UTF-8?B?w4?=",                   /* truncated base64 */
		"=?x-no-such-charset?Q?caf=E9?=",   /* unknown charset */
		"=?UTF-8?Q?missing_end",            /* no ?= */
		"=?UTF-8?X?unknown_encoding?=",
		"=??Q?empty_charset?=",
		"=?UTF-8?Q?=FF=FE_invalid_utf8?=",
		"=?UTF-16?B?2D3eAA==?=",
		"=?",
		"?=",
		"=?UTF-8?Q?\x1b[31mred?=",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = mime_decode_header(cases[i], strlen(cases[i]));
		assert_non_null(got);
		assert_true(valid_utf8(got));
		free(got);
	}
	/* what cannot be decoded is shown as written */
	assert_header("=?UTF-8?Q?missing_end", "=?UTF-8?Q?missing_end");
	/* an unknown charset still shows its text, 8-bit bytes best effort */
	char *got = mime_decode_header(cases[2], strlen(cases[2]));
	assert_non_null(strstr(got, "caf"));
	free(got);
	/* invalid UTF-8 inside a UTF-8 word never survives as raw bytes */
	got = mime_decode_header(cases[6], strlen(cases[6]));
	assert_non_null(strstr(got, "invalid"));
	assert_true(valid_utf8(got));
	free(got);
}

static void test_header_raw_8bit(void **state)
{
	(void)state;
	assert_header("Caf\xe9 cr\xe8me", "Café crème");                 /* Latin-1 */
	assert_header("\x93Smart\x94 quotes \x80 5", "“Smart” quotes € 5"); /* windows-1252 */
	assert_header("Grüße", "Grüße");                                    /* raw UTF-8 */
	/* NUL bytes are dropped, the length counts */
	char *got = mime_decode_header("a\0b", 3);
	assert_string_equal(got, "ab");
	free(got);
	got = mime_decode_header(NULL, 0);
	assert_string_equal(got, "");
	free(got);
	/* only len bytes are read */
	got = mime_decode_header("abcdef", 3);
	assert_string_equal(got, "abc");
	free(got);
}

/* ---- mime_to_utf8 -------------------------------------------------------- */

static void assert_conv(const char *data, const char *charset, const char *expected)
{
	char *got = mime_to_utf8(data, strlen(data), charset);
	assert_non_null(got);
	assert_true(valid_utf8(got));
	assert_string_equal(got, expected);
	free(got);
}

static void test_to_utf8(void **state)
{
	(void)state;
	assert_conv("Caf\xe9", "ISO-8859-1", "Café");
	assert_conv("Caf\xe9", "latin1", "Café");
	assert_conv("\xa4", "iso-8859-15", "€");
	assert_conv("\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет");
	assert_conv("\x93hi\x94", "windows-1252", "“hi”");
	/* unknown and suspicious charset names fall back to windows-1252 */
	assert_conv("Caf\xe9", "x-unknown-charset", "Café");
	assert_conv("Caf\xe9", "UTF-8//IGNORE", "Café");
	/* declared UTF-8 that is not: replaced, never passed through */
	assert_conv("a\xff" "b", "utf-8", "a\xEF\xBF\xBD" "b");
	assert_conv("a\xe2\x82", "UTF-8", "a\xEF\xBF\xBD\xEF\xBF\xBD");
	/* undeclared: UTF-8 when valid, else windows-1252 */
	assert_conv("Grüße", NULL, "Grüße");
	assert_conv("Caf\xe9", NULL, "Café");
	assert_conv("Caf\xe9", "us-ascii", "Café");
	/* a Shift_JIS sequence cut off at the end */
	assert_conv("\x93\xfa\x96", "Shift_JIS", "日\xEF\xBF\xBD");
	/* an undefined windows-1252 byte */
	assert_conv("a\x81" "b", "windows-1252", "a\xEF\xBF\xBD" "b");
	/* NUL bytes are dropped */
	char *got = mime_to_utf8("a\0b", 3, "utf-8");
	assert_string_equal(got, "ab");
	free(got);
	got = mime_to_utf8(NULL, 0, NULL);
	assert_string_equal(got, "");
	free(got);
}

/* ---- mime_parse: headers ------------------------------------------------- */

static const char full_headers[] =
	"Return-Path: <ann@example.org>\r\n"
	"From: =?UTF-8?Q?Zo=C3=AB_M=C3=BCller?= <Zoe.Mueller@Example.ORG>\r\n"
	"To: Sam Rivera <SAM@example.com>, \"Doe, Jo\" <jo@example.net>,\r\n"
	"\tplain@example.net\r\n"
	"Cc: =?UTF-8?B?5p2O6Zu3?= <li.lei@example.cn>\r\n"
	"Subject: =?UTF-8?Q?Re:_Budget_f=C3=BCr?= 2027\r\n"
	"Date: Mon, 23 Nov 2026 10:15:00 +0100\r\n"
	"Message-ID: <abc.123@example.org>\r\n"
	"In-Reply-To: <root.1@example.com> <other@example.com>\r\n"
	"References: <root.1@example.com>\r\n"
	" <mid.2@example.org>   <last.3@example.com>\r\n"
	"List-Id: Team news <team-news.example.org>\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"\r\n"
	"Hello Sam,\r\nthe numbers are in.\r\n";

static void test_parse_headers(void **state)
{
	(void)state;
	struct mime_message *m = parse_ok(full_headers);
	assert_string_equal(m->msgid, "abc.123@example.org");
	assert_string_equal(m->in_reply_to, "root.1@example.com");
	assert_string_equal(m->references,
			    "root.1@example.com mid.2@example.org last.3@example.com");
	assert_string_equal(m->from_addr, "zoe.mueller@example.org");
	assert_string_equal(m->from_name, "Zoë Müller");
	assert_string_equal(m->to, "Sam Rivera <sam@example.com>, \"Doe, Jo\" <jo@example.net>, "
				   "plain@example.net");
	assert_string_equal(m->to_addrs, "sam@example.com,jo@example.net,plain@example.net");
	assert_string_equal(m->cc, "李雷 <li.lei@example.cn>");
	assert_string_equal(m->cc_addrs, "li.lei@example.cn");
	assert_string_equal(m->subject, "Re: Budget für 2027");
	assert_string_equal(m->list_id, "team-news.example.org");
	assert_int_equal((long long)m->date, 1795425300LL); /* 2026-11-23 09:15 UTC */
	assert_string_equal(m->text, "Hello Sam,\nthe numbers are in.");
	assert_int_equal(m->text_from_html, 0);
	assert_int_equal(m->natt, 0);
	mime_message_free(m);
}

static void test_parse_missing_headers(void **state)
{
	(void)state;
	struct mime_message *m = parse_ok("X-Nothing: here\n\nJust a body.\n");
	assert_null(m->msgid);
	assert_null(m->in_reply_to);
	assert_null(m->references);
	assert_null(m->list_id);
	assert_string_equal(m->from_addr, "");
	assert_string_equal(m->from_name, "");
	assert_string_equal(m->to, "");
	assert_string_equal(m->to_addrs, "");
	assert_string_equal(m->cc, "");
	assert_string_equal(m->cc_addrs, "");
	assert_string_equal(m->subject, "");
	assert_int_equal((long long)m->date, 0);
	assert_string_equal(m->text, "Just a body.");
	mime_message_free(m);

	/* an unparsable date is 0, a From without a name has "" as name */
	m = parse_ok("From: bob@example.com\nDate: not a date at all\nSubject: x\n\nb\n");
	assert_int_equal((long long)m->date, 0);
	assert_string_equal(m->from_addr, "bob@example.com");
	assert_string_equal(m->from_name, "");
	mime_message_free(m);
}

static void test_parse_raw_8bit_headers(void **state)
{
	(void)state;
	struct mime_message *m = parse_ok("From: J\xfcrgen Wei\xdf <jw@example.de>\n"
					  "Subject: Caf\xe9 cr\xe8me\n"
					  "To: sam@example.com\n\nbody\n");
	assert_string_equal(m->subject, "Café crème");
	assert_string_equal(m->from_name, "Jürgen Weiß");
	assert_string_equal(m->from_addr, "jw@example.de");
	mime_message_free(m);
}

static void test_parse_hostile_subject(void **state)
{
	(void)state;
	/* Escape sequences and bidi overrides are kept for the UI's sanitizer to
	 * neutralise; mime only promises valid UTF-8 on one line. */
	struct mime_message *m =
		parse_ok("From: x@example.com\n"
			 "Subject: =?UTF-8?Q?=1B[2J=1B]0;pwn=07_evil_=E2=80=AEtxt.exe?=\n\nb\n");
	assert_true(valid_utf8(m->subject));
	assert_non_null(strstr(m->subject, "\x1b[2J"));
	assert_non_null(strstr(m->subject, "\xE2\x80\xAE"));
	assert_null(strchr(m->subject, '\n'));
	mime_message_free(m);
}

static void test_parse_mbox_from_line(void **state)
{
	(void)state;
	struct mime_message *m = parse_ok("From sam@example.com Mon Nov 23 10:00:00 2026\n"
					  "From: ann@example.org\nSubject: hi\n\nbody\n");
	assert_string_equal(m->from_addr, "ann@example.org");
	assert_string_equal(m->subject, "hi");
	mime_message_free(m);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct mime_message *m = (struct mime_message *)&m;
	struct ebb_err err = {0};
	assert_int_equal(mime_parse("", 0, &m, &err), EBB_EINVAL);
	assert_null(m);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(mime_parse(NULL, 10, &m, NULL), EBB_EINVAL);
	size_t big = MIME_MAX_MESSAGE + 1;
	char *huge = calloc(1, big);
	assert_non_null(huge);
	assert_int_equal(mime_parse(huge, big, &m, &err), EBB_ETOOBIG);
	assert_null(m);
	assert_non_null(strstr(err.msg, "64 MiB"));
	free(huge);
}

/* ---- mime_parse: bodies -------------------------------------------------- */

static const char alternative_msg[] =
	"From: a@example.com\n"
	"Subject: alt\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/alternative; boundary=\"alt\"\n"
	"\n"
	"preamble\n"
	"--alt\n"
	"Content-Type: text/plain; charset=us-ascii\n"
	"\n"
	"The plain version.\n"
	"--alt\n"
	"Content-Type: text/html; charset=us-ascii\n"
	"\n"
	"<p>The <b>HTML</b> version.</p>\n"
	"--alt--\n";

static void test_parse_alternative(void **state)
{
	(void)state;
	struct mime_message *m = parse_ok(alternative_msg);
	assert_string_equal(m->text, "The plain version.");
	assert_int_equal(m->text_from_html, 0);
	assert_int_equal(m->natt, 0);
	mime_message_free(m);

	/* an empty text/plain alternative does not hide the HTML one */
	m = parse_ok("Content-Type: multipart/alternative; boundary=b\n\n"
		     "--b\nContent-Type: text/plain\n\n  \n\n"
		     "--b\nContent-Type: text/html\n\n<div>Only <i>here</i></div>\n--b--\n");
	assert_string_equal(m->text, "Only here");
	assert_int_equal(m->text_from_html, 1);
	mime_message_free(m);
}

static void test_parse_html_only(void **state)
{
	(void)state;
	struct mime_message *m = parse_ok(
		"From: news@example.org\n"
		"Subject: html\n"
		"Content-Type: text/html; charset=\"iso-8859-1\"\n"
		"Content-Transfer-Encoding: quoted-printable\n"
		"\n"
		"<html><head><title>T</title></head><body>\n"
		"<h2>Caf=E9 news</h2><p>First&nbsp;line<br>second line</p>\n"
		"<p>Read <a href=3D\"https://example.org/a?x=3D1&amp;y=3D2\">more</a></p>\n"
		"</body></html>\n");
	assert_string_equal(m->text, "Café news\n\nFirst line\nsecond line\n\n"
				     "Read more <https://example.org/a?x=1&y=2>");
	assert_int_equal(m->text_from_html, 1);
	mime_message_free(m);
}

static void test_parse_latin1_body(void **state)
{
	(void)state;
	struct mime_message *m = parse_ok("Content-Type: text/plain; charset=ISO-8859-1\n"
					  "Content-Transfer-Encoding: quoted-printable\n\n"
					  "Gr=FC=DFe, =\nJ=FCrgen\n");
	assert_string_equal(m->text, "Grüße, Jürgen");
	mime_message_free(m);

	m = parse_ok("Content-Type: text/plain; charset=koi8-r\n"
		     "Content-Transfer-Encoding: 8bit\n\n\xf0\xd2\xc9\xd7\xc5\xd4\n");
	assert_string_equal(m->text, "Привет");
	mime_message_free(m);

	/* 8-bit body without a charset: windows-1252 when it is not UTF-8 */
	m = parse_ok("Subject: x\n\nna\xefve\n");
	assert_string_equal(m->text, "naïve");
	mime_message_free(m);
}

static const char nested_msg[] =
	"From: Ann <ann@example.org>\n"
	"To: sam@example.com\n"
	"Subject: Report\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=\"outer\"\n"
	"\n"
	"--outer\n"
	"Content-Type: multipart/alternative; boundary=\"inner\"\n"
	"\n"
	"--inner\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"See the attached report.\n"
	"--inner\n"
	"Content-Type: text/html; charset=utf-8\n"
	"\n"
	"<p>See the <b>attached</b> report.</p>\n"
	"--inner--\n"
	"\n"
	"--outer\n"
	"Content-Type: application/pdf\n"
	"Content-Disposition: attachment; filename*=UTF-8''Bericht_Q3_%C3%9Cbersicht.pdf\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKdHJhaWxlciA8PCAv\n"
	"Um9vdCAxIDAgUiA+PgolJUVPRgo=\n"
	"\n"
	"--outer\n"
	"Content-Type: multipart/mixed; boundary=\"third\"\n"
	"\n"
	"--third\n"
	"Content-Type: image/PNG; name=\"=?UTF-8?Q?diagr=C3=A4m.png?=\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n"
	"OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYw==\n"
	"--third\n"
	"Content-Type: text/plain\n"
	"Content-Disposition: attachment; filename=\"../../notes.txt\"\n"
	"\n"
	"line one\n"
	"line two\n"
	"--third\n"
	"Content-Type: text/plain\n"
	"\n"
	"Second inline text.\n"
	"--third--\n"
	"--outer\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"From: old@example.org\n"
	"Subject: The original\n"
	"\n"
	"Old text that is not part of the body.\n"
	"--outer--\n";

static void test_parse_nested_attachments(void **state)
{
	(void)state;
	struct mime_message *m = parse_ok(nested_msg);
	assert_string_equal(m->text, "See the attached report.\n\nSecond inline text.");
	assert_int_equal(m->text_from_html, 0);
	assert_null(strstr(m->text, "Old text"));
	assert_int_equal(m->natt, 4);

	assert_string_equal(m->att[0].filename, "Bericht_Q3_Übersicht.pdf");
	assert_string_equal(m->att[0].content_type, "application/pdf");
	assert_int_equal(m->att[0].size, 77);

	assert_string_equal(m->att[1].filename, "diagräm.png");
	assert_string_equal(m->att[1].content_type, "image/png");
	assert_int_equal(m->att[1].size, 100);

	/* directories in a file name are dropped */
	assert_string_equal(m->att[2].filename, "notes.txt");
	assert_string_equal(m->att[2].content_type, "text/plain");
	assert_int_equal(m->att[2].size, strlen("line one\nline two"));

	assert_string_equal(m->att[3].filename, "The original.eml");
	assert_string_equal(m->att[3].content_type, "message/rfc822");
	assert_true(m->att[3].size > 50);
	mime_message_free(m);
}

static char *deep_message(int levels)
{
	struct sbuf sb = {0};
	assert_int_equal(sbuf_puts(&sb, "From: deep@example.com\nSubject: deep\nMIME-Version: 1.0\n"), 0);
	for (int i = 0; i < levels; i++)
		assert_int_equal(sbuf_printf(&sb,
					     "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n"
					     "--b%d\nContent-Type: text/plain\n\nlevel %d\n--b%d\n",
					     i, i, i, i), 0);
	assert_int_equal(sbuf_puts(&sb, "Content-Type: text/plain\n\nbottom\n"), 0);
	for (int i = levels - 1; i >= 0; i--)
		assert_int_equal(sbuf_printf(&sb, "--b%d--\n", i), 0);
	return sbuf_detach(&sb);
}

static void test_parse_deep_nesting(void **state)
{
	(void)state;
	char *msg = deep_message(MIME_MAX_DEPTH + 8);
	struct mime_message *m = parse_ok(msg);
	assert_string_equal(m->subject, "deep");
	assert_non_null(strstr(m->text, "level 0\n"));
	assert_non_null(strstr(m->text, "level 20\n"));
	char beyond[32];
	snprintf(beyond, sizeof(beyond), "level %d", MIME_MAX_DEPTH + 2);
	assert_null(strstr(m->text, beyond));
	assert_null(strstr(m->text, "bottom"));
	mime_message_free(m);
	free(msg);

	/* far beyond any limit: still no crash, still the top levels */
	msg = deep_message(3000);
	m = parse_ok(msg);
	assert_non_null(strstr(m->text, "level 1\n"));
	mime_message_free(m);
	free(msg);
}

static void test_parse_many_parts(void **state)
{
	(void)state;
	struct sbuf sb = {0};
	assert_int_equal(sbuf_puts(&sb, "Content-Type: multipart/mixed; boundary=x\n\n"), 0);
	for (int i = 0; i < MIME_MAX_PARTS + 200; i++)
		assert_int_equal(sbuf_printf(&sb, "--x\nContent-Type: application/octet-stream\n"
						  "Content-Disposition: attachment; filename=f%d\n\nz\n", i), 0);
	assert_int_equal(sbuf_puts(&sb, "--x--\n"), 0);
	struct mime_message *m = parse_ok(sb.buf);
	assert_true(m->natt < MIME_MAX_PARTS);
	assert_true(m->natt > MIME_MAX_PARTS - 10);
	assert_string_equal(m->att[0].filename, "f0");
	assert_int_equal(m->att[0].size, 1);
	mime_message_free(m);
	sbuf_free(&sb);
}

static void test_parse_garbage(void **state)
{
	(void)state;
	/* no header at all: a body, or a parse error, never a crash */
	const char *inputs[] = {
		"just some text\nwith lines\n",
		"\n\n\n",
		"Content-Type: multipart/mixed\n\nno boundary\n",
		"Content-Type: multipart/mixed; boundary=\"\"\n\n----\n",
		"Content-Transfer-Encoding: base64\n\n!!!!====\n",
		"Content-Type: text/plain; charset=\"\\\"\n\n\xff\xfe\n",
		"From: <<<@>>>\nTo: ,,,;;;\nCc: a@\nSubject: =?\n\n",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct mime_message *m = NULL;
		int rc = mime_parse(inputs[i], strlen(inputs[i]), &m, NULL);
		if (rc == EBB_OK) {
			assert_true(valid_utf8(m->text));
			assert_true(valid_utf8(m->from_addr));
			assert_true(valid_utf8(m->to));
			mime_message_free(m);
		} else {
			assert_int_equal(rc, EBB_EPARSE);
			assert_null(m);
		}
	}
}

/* Two threads parse at once: GMime's global state must hold. */
/* ---- mime_parse_headers gives what mime_parse gives ------------------------ */

static void assert_same_opt(const char *a, const char *b, const char *what)
{
	if (!a || !b) {
		if (a != b)
			fail_msg("%s: one parser has none: '%s' vs '%s'", what, a ? a : "(null)",
				 b ? b : "(null)");
		return;
	}
	if (strcmp(a, b) != 0)
		fail_msg("%s differs: '%s' vs '%s'", what, a, b);
}

/* The header sync (IMAP) uses mime_parse_headers, Maildir and bodies use
 * mime_parse: a message must read the same either way, or a conversation's
 * sender and threading would depend on where it was synced from. */
static void assert_headers_agree(const char *data, size_t len)
{
	struct mime_message *full = NULL, *head = NULL;
	int full_rc = mime_parse(data, len, &full, NULL);
	int head_rc = mime_parse_headers(data, len, &head, NULL);
	if (full_rc != EBB_OK) {  /* only the header reader reads what has no body */
		mime_message_free(head);
		return;
	}
	assert_int_equal(head_rc, EBB_OK);
	assert_same_opt(full->msgid, head->msgid, "msgid");
	assert_same_opt(full->in_reply_to, head->in_reply_to, "in_reply_to");
	assert_same_opt(full->references, head->references, "references");
	assert_same_opt(full->from_addr, head->from_addr, "from_addr");
	assert_same_opt(full->from_name, head->from_name, "from_name");
	assert_same_opt(full->to, head->to, "to");
	assert_same_opt(full->to_addrs, head->to_addrs, "to_addrs");
	assert_same_opt(full->cc, head->cc, "cc");
	assert_same_opt(full->cc_addrs, head->cc_addrs, "cc_addrs");
	assert_same_opt(full->subject, head->subject, "subject");
	assert_same_opt(full->list_id, head->list_id, "list_id");
	assert_int_equal((long long)full->date, (long long)head->date);
	assert_string_equal(head->text, "");
	assert_int_equal(head->natt, 0);
	mime_message_free(full);
	mime_message_free(head);
}

/* Every file of a directory (tree), read whole. Returns how many. */
static int agree_in_dir(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (depth < 3)
			n += agree_in_dir(path, depth + 1);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		static char buf[1 << 20];
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		if (len) {
			assert_headers_agree(buf, len);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void test_parse_headers_agrees(void **state)
{
	(void)state;
	assert_headers_agree(full_headers, sizeof full_headers - 1);
	assert_headers_agree(alternative_msg, sizeof alternative_msg - 1);
	assert_headers_agree(nested_msg, sizeof nested_msg - 1);
	/* Folded fields, odd case, a header without a body, an mbox line. */
	static const char folded[] =
		"From somebody Tue Nov 24 08:00:00 2026\n"
		"FROM: =?utf-8?q?Zo=C3=AB?=\n  <zoe@Example.ORG>\n"
		"to: a@x.org,\n\t\"B, C\" <b@y.org>\n"
		"subject: one\n two\n"
		"message-id:\n <id.1@x>\n"
		"References: <r1@x>\n <r2@x>\n";
	assert_headers_agree(folded, sizeof folded - 1);
	int n = agree_in_dir("share/demo/Maildir", 0);
	n += agree_in_dir("tests/fuzz/corpus/mime", 0);
	if (n == 0)
		print_message("the demo Maildir and the mime corpus were not found "
			      "(run from the project root): only the built-in samples compared\n");
}

static void *parse_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		struct mime_message *m = NULL;
		if (mime_parse(full_headers, strlen(full_headers), &m, NULL) != EBB_OK)
			return (void *)1;
		int bad = strcmp(m->from_name, "Zoë Müller") || strcmp(m->cc, "李雷 <li.lei@example.cn>");
		mime_message_free(m);
		if (mime_parse(nested_msg, strlen(nested_msg), &m, NULL) != EBB_OK)
			return (void *)1;
		bad |= m->natt != 4 || m->att[0].size != 77;
		mime_message_free(m);
		char *h = mime_decode_header("=?KOI8-R?B?8NLJ18XULCDNydI=?=", 29);
		bad |= !h || strcmp(h, "Привет, мир");
		free(h);
		if (bad)
			return (void *)1;
	}
	return NULL;
}

static void test_parse_threads(void **state)
{
	(void)state;
	pthread_t a, b;
	void *ra = (void *)1, *rb = (void *)1;
	assert_int_equal(pthread_create(&a, NULL, parse_loop, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, parse_loop, NULL), 0);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	assert_null(ra);
	assert_null(rb);
}

/* ---- mime_html_to_text --------------------------------------------------- */

static void assert_html(const char *html, const char *expected)
{
	char *got = mime_html_to_text(html, strlen(html));
	assert_non_null(got);
	assert_true(valid_utf8(got));
	assert_string_equal(got, expected);
	free(got);
}

static void test_html_document(void **state)
{
	(void)state;
	assert_html("<!DOCTYPE html><html><head><title>Ignored title</title>\n"
		    "<style>p { color: red; }</style></head>\n"
		    "<body><h1>Weekly&nbsp;update</h1>\n"
		    "<p>Hello <b>Sam</b>,<br>the build is <i>green</i>   again &amp; faster.</p>\n"
		    "<ul><li>Item one</li><li>Item &#8220;two&#8221;</li></ul>\n"
		    "<p>See <a href=\"https://example.com/report\">the report</a> or "
		    "<a href='https://example.com/'>https://example.com/</a>.</p>\n"
		    "<script>alert(\"<p>x</p>\")</script><!-- a <p>comment</p> -->\n"
		    "<p>Caf&eacute; &#x2603; &lt;tag&gt; &bogus; &#150;</p>\n"
		    "</body></html>",
		    "Weekly update\n\n"
		    "Hello Sam,\nthe build is green again & faster.\n\n"
		    "- Item one\n- Item “two”\n\n"
		    "See the report <https://example.com/report> or https://example.com/.\n\n"
		    "Café ☃ <tag> &bogus; –");
}

static void test_html_edges(void **state)
{
	(void)state;
	assert_html("", "");
	assert_html("plain text, no tags", "plain text, no tags");
	assert_html("a<br><br><br><br>b", "a\n\nb");
	assert_html("<pre>  keep\n    this</pre>after", "  keep\n    this\n\nafter");
	assert_html("<a href=\"mailto:sam@example.com\">sam@example.com</a>", "sam@example.com");
	assert_html("<a href=\"#top\">Top</a> <a href=\"javascript:x()\">Run</a>", "Top Run");
	assert_html("<a href=\"https://x.test/\"><img src=\"logo.png\" alt=\"Logo\"></a>",
		    "Logo <https://x.test/>");
	assert_html("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc");
	assert_html("1 < 2 and 3 > 2", "1 < 2 and 3 > 2");
	assert_html("&#0; &#xD800; &#99999999999; &#x110000;",
		    "\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD");
	/* unterminated constructs swallow the rest rather than loop */
	assert_html("before<!-- never closed <p>x</p>", "before");
	assert_html("before<script>never closed", "before");
	assert_html("before<a href=\"unterminated", "before");
	/* a <head> without its end still shows the body */
	assert_html("<head><title>t</title><p>Body text</p>", "Body text");
	/* invalid UTF-8 comes out replaced */
	assert_html("bad \xff byte", "bad \xEF\xBF\xBD byte");
}

/* ---- mime_snippet --------------------------------------------------------- */

static void test_snippet(void **state)
{
	(void)state;
	char out[200];
	mime_snippet("Sounds good, I'll do it.\n\n"
		     "On Mon, 23 Nov 2026 at 10:00, Ann <ann@x.com> wrote:\n"
		     "> Can you do it?\n> thanks\n\nThanks   again\n-- \nSam Rivera\nExample Corp\n",
		     out, sizeof(out));
	assert_string_equal(out, "Sounds good, I'll do it. Thanks again");

	mime_snippet("> quoted first\n>> deeper\n\n   Real\ttext here  \n", out, sizeof(out));
	assert_string_equal(out, "Real text here");

	mime_snippet("Yes.\nOn Mon, 23 Nov 2026 at 10:00, Ann Long-Name\n<ann@x.com> wrote:\n> q\n",
		     out, sizeof(out));
	assert_string_equal(out, "Yes.");

	mime_snippet("Short answer\n--\nsig\n", out, sizeof(out));
	assert_string_equal(out, "Short answer");

	mime_snippet("Top\n-----Original Message-----\nFrom: x\nold text\n", out, sizeof(out));
	assert_string_equal(out, "Top");

	mime_snippet("Am 23.11.2026 um 10:00 schrieb Zoë:\n> alt\nneu", out, sizeof(out));
	assert_string_equal(out, "neu");

	/* cut on a UTF-8 boundary, never in the middle of a character */
	char small[5];
	mime_snippet("Grüße", small, 4);
	assert_string_equal(small, "Gr");
	mime_snippet("Grüße", small, 5);
	assert_string_equal(small, "Grü");

	mime_snippet("", out, sizeof(out));
	assert_string_equal(out, "");
	mime_snippet(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	mime_snippet("-- \nonly a signature", out, sizeof(out));
	assert_string_equal(out, "");
	out[0] = 'x';
	mime_snippet("text", out, 1);
	assert_string_equal(out, "");
}

static int setup(void **state)
{
	(void)state;
	mime_init();
	mime_init();   /* twice is fine */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mime_shutdown();
	return 0;
}

/* html_cmd: the user's converter gets the HTML on stdin; a failing, silent
 * or hanging one falls back to the built-in converter. */
static void test_html_command(void **state)
{
	(void)state;
	const char html[] = "<p>Hello <b>world</b></p>";
	assert_int_equal(mime_set_html_command("tr a-z A-Z"), 0);
	char *t = mime_html_to_text(html, strlen(html));
	assert_string_equal(t, "<P>HELLO <B>WORLD</B></P>");
	free(t);
	/* Its output is made valid UTF-8. */
	assert_int_equal(mime_set_html_command("printf 'ok \\377'"), 0);
	t = mime_html_to_text(html, strlen(html));
	assert_string_equal(t, "ok \xef\xbf\xbd");
	free(t);
	const char *broken[] = {"exit 3", "cat >/dev/null", "sleep 30"};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(mime_set_html_command(broken[i]), 0);
		t = mime_html_to_text(html, strlen(html));
		assert_non_null(strstr(t, "Hello world"));  /* the built-in result */
		free(t);
	}
	assert_int_equal(mime_set_html_command(NULL), 0);
	t = mime_html_to_text(html, strlen(html));
	assert_non_null(strstr(t, "Hello world"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_utf8_words),
		cmocka_unit_test(test_header_charsets),
		cmocka_unit_test(test_header_adjacent_words),
		cmocka_unit_test(test_header_malformed_words),
		cmocka_unit_test(test_header_raw_8bit),
		cmocka_unit_test(test_to_utf8),
		cmocka_unit_test(test_parse_headers),
		cmocka_unit_test(test_parse_headers_agrees),
		cmocka_unit_test(test_parse_missing_headers),
		cmocka_unit_test(test_parse_raw_8bit_headers),
		cmocka_unit_test(test_parse_hostile_subject),
		cmocka_unit_test(test_parse_mbox_from_line),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_alternative),
		cmocka_unit_test(test_parse_html_only),
		cmocka_unit_test(test_parse_latin1_body),
		cmocka_unit_test(test_parse_nested_attachments),
		cmocka_unit_test(test_parse_deep_nesting),
		cmocka_unit_test(test_parse_many_parts),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_threads),
		cmocka_unit_test(test_html_document),
		cmocka_unit_test(test_html_edges),
		cmocka_unit_test(test_html_command),
		cmocka_unit_test(test_snippet),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
