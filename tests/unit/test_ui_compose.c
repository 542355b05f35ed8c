/* test_ui_compose: what the client builds for the user: replies (recipients,
 * Re:, quotes, threading), the editor file and its parsing, the editor run
 * itself, times typed by hand, search queries, and attachment file names. */
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

#include "../../src/ui/ui_internal.h"

/* Tue 2026-11-24 08:20 in Berlin. */
#define NOW ((time_t)1795504800)

static const char CONFIG[] =
	"[hours]\nwork = Mon-Fri 09:00-17:30\nblocks = 11:00-11:30, 16:00-16:45\n"
	"tz = Europe/Berlin\n"
	"[account.work]\nkind = maildir\npath = /nonexistent\nfrom = sam@example.com\n"
	"me = sam@example.com\nme = s.rivera@example.com\n";

static int setup(void **state)
{
	struct ebb_config *cfg;
	if (config_load_string(CONFIG, strlen(CONFIG), "test", &cfg, NULL))
		return -1;
	*state = cfg;
	return 0;
}

static int teardown(void **state)
{
	config_free(*state);
	return 0;
}

static void test_addr_split(void **state)
{
	(void)state;
	char **list;
	size_t n;
	assert_int_equal(ui_addr_split("Ann <a@x.org>, \"Lee, Bo\" <b@y.org>,, c@z.org ,", &list, &n),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0], "Ann <a@x.org>");
	assert_string_equal(list[1], "\"Lee, Bo\" <b@y.org>");
	assert_string_equal(list[2], "c@z.org");
	char bare[64];
	ui_addr_bare(list[1], bare, sizeof(bare));
	assert_string_equal(bare, "b@y.org");
	ui_addr_bare("  C@Z.Org ", bare, sizeof(bare));
	assert_string_equal(bare, "c@z.org");
	/* A "<" inside the quoted name is not the address. */
	ui_addr_bare("\"x <y@evil>\" <real@ok.org>", bare, sizeof(bare));
	assert_string_equal(bare, "real@ok.org");
	ui_addr_free(list, n);
	assert_int_equal(ui_addr_split(NULL, &list, &n), 0);
	assert_int_equal(n, 0);
}

static void test_reply_subject(void **state)
{
	(void)state;
	char *s = ui_reply_subject("Budget");
	assert_string_equal(s, "Re: Budget");
	free(s);
	s = ui_reply_subject("RE: Budget");
	assert_string_equal(s, "RE: Budget");
	free(s);
	s = ui_reply_subject("  re:Budget");
	assert_string_equal(s, "re:Budget");
	free(s);
	s = ui_reply_subject(NULL);
	assert_string_equal(s, "Re: ");
	free(s);
}

static struct msg_row sample_msg(void)
{
	struct msg_row m;
	memset(&m, 0, sizeof(m));
	m.msgid = "m3@example.com";
	m.refs = "m1@example.com m2@example.com";
	m.sender = "ann@example.com";
	m.sender_name = "Becker, Ann";
	m.recipients = "Sam Rivera <sam@example.com>, Dana <dana@example.com>";
	m.cc = "S. Rivera <S.Rivera@example.com>, Lee <lee@example.com>, dana@example.com";
	m.subject = "Re: Budget \x1b[31mnow";
	m.sent_at = NOW - 3600;
	m.body = "Hi Sam,\n\n> earlier text\nsee below\n\n-- \nAnn\n";
	return m;
}

static void test_reply_build(void **state)
{
	struct ebb_config *cfg = *state;
	const struct account_cfg *acc = config_account(cfg, "work");
	struct msg_row m = sample_msg();
	struct reply_draft r;
	assert_int_equal(ui_reply_build(cfg, acc, &m, 0, &r), 0);
	/* The name has a comma: quoted, so it stays one address. */
	assert_string_equal(r.f.to, "\"Becker, Ann\" <ann@example.com>");
	assert_string_equal(r.f.cc, "");
	/* Re: once; the escape in the subject became U+FFFD. */
	assert_string_equal(r.f.subject, "Re: Budget \xEF\xBF\xBDnow");
	assert_string_equal(r.in_reply_to, "m3@example.com");
	assert_string_equal(r.refs, "m1@example.com m2@example.com m3@example.com");
	assert_string_equal(r.f.body, "On Tue, 24 Nov 2026 07:20 +0100, Becker, Ann wrote:\n"
				      "> Hi Sam,\n>\n>> earlier text\n> see below\n\n");
	ui_reply_draft_clear(&r);

	/* Reply-all: the other To and the Cc, never me (in any case), no doubles. */
	assert_int_equal(ui_reply_build(cfg, acc, &m, 1, &r), 0);
	assert_string_equal(r.f.to, "\"Becker, Ann\" <ann@example.com>, Dana <dana@example.com>");
	assert_string_equal(r.f.cc, "Lee <lee@example.com>");
	ui_reply_draft_clear(&r);

	/* Following up on my own message: to its recipients. */
	m.from_me = 1;
	m.sender = "sam@example.com";
	m.sender_name = "Sam Rivera";
	m.msgid = NULL;
	assert_int_equal(ui_reply_build(cfg, acc, &m, 0, &r), 0);
	assert_string_equal(r.f.to, "Dana <dana@example.com>");
	assert_null(r.in_reply_to);
	assert_string_equal(r.refs, "m1@example.com m2@example.com");
	ui_reply_draft_clear(&r);
}

static void test_reply_refs_capped(void **state)
{
	struct ebb_config *cfg = *state;
	struct sbuf refs = { 0 };
	for (int i = 0; i < 60; i++)
		assert_int_equal(sbuf_printf(&refs, "%sr%d@x", i ? " " : "", i), 0);
	struct msg_row m = sample_msg();
	m.refs = refs.buf;
	m.body = NULL;
	struct reply_draft r;
	assert_int_equal(ui_reply_build(cfg, config_account(cfg, "work"), &m, 0, &r), 0);
	/* The first id, the newest ones, then the parent: 20 in all. */
	assert_true(strncmp(r.refs, "r0@x r42@x ", 11) == 0);
	assert_non_null(strstr(r.refs, " r59@x m3@example.com"));
	size_t spaces = 0;
	for (const char *p = r.refs; *p; p++)
		spaces += *p == ' ';
	assert_int_equal(spaces, 19);
	/* No body fetched: the attribution line only. */
	assert_true(strncmp(r.f.body, "On ", 3) == 0);
	assert_null(strchr(r.f.body, '>'));
	ui_reply_draft_clear(&r);
	sbuf_free(&refs);
}

static void test_file_format_and_parse(void **state)
{
	(void)state;
	struct compose_fields f = { util_strdup0("a@x.org"), util_strdup0(""),
				    util_strdup0("Hello"), util_strdup0("Body\n") };
	struct sbuf sb = { 0 };
	assert_int_equal(compose_file_format(&f, &sb), 0);
	assert_string_equal(sb.buf, "To: a@x.org\nCc: \nSubject: Hello\n\nBody\n");
	sbuf_free(&sb);

	/* The user edits everything: folded To, a new Cc, an unknown header. */
	const char *edited = "to: a@x.org,\n  b@y.org\nCC: c@z.org\nX-Note: kept out\n"
			     "Subject:  New subject \n\nLine 1\n\nLine 3\n\n\n";
	assert_int_equal(compose_file_parse(edited, strlen(edited), &f), 0);
	assert_string_equal(f.to, "a@x.org, b@y.org");
	assert_string_equal(f.cc, "c@z.org");
	assert_string_equal(f.subject, "New subject");
	assert_string_equal(f.body, "Line 1\n\nLine 3\n");

	/* Headers deleted: all body, the headers stay as they were. */
	const char *body_only = "Just text: with a colon\nmore\n";
	assert_int_equal(compose_file_parse(body_only, strlen(body_only), &f), 0);
	assert_string_equal(f.to, "a@x.org, b@y.org");
	assert_string_equal(f.body, "Just text: with a colon\nmore\n");

	/* A header deleted from the block is now empty; no blank line before
	 * the body is forgiven; CR LF endings too. */
	const char *crlf = "To: d@w.org\r\nSubject: S\r\nbody starts here\r\n";
	assert_int_equal(compose_file_parse(crlf, strlen(crlf), &f), 0);
	assert_string_equal(f.to, "d@w.org");
	assert_string_equal(f.cc, "");
	assert_string_equal(f.body, "body starts here\n");

	/* Empty file: empty body. */
	assert_int_equal(compose_file_parse("", 0, &f), 0);
	assert_string_equal(f.body, "");
	compose_fields_clear(&f);
}

static void test_edit_fields(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_ui_compose.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char script[128], log[128];
	snprintf(script, sizeof(script), "%s/editor", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	/* Logs the file's and its dir's modes, rewrites the subject, appends. */
	fprintf(f, "#!/bin/sh\nstat -c '%%a %%s' \"$1\" >%s\nstat -c %%a \"$(dirname \"$1\")\" >>%s\n"
		   "sed -i 's/^Subject: .*/Subject: Edited/' \"$1\"\necho typed >>\"$1\"\n",
		log, log);
	fclose(f);
	chmod(script, 0700);
	setenv("EDITOR", script, 1);
	setenv("TMPDIR", dir, 1);
	struct compose_fields fields = { util_strdup0("a@x.org"), util_strdup0(""),
					 util_strdup0("Old"), util_strdup0("Hello\n") };
	struct ebb_err err = { 0 };
	assert_int_equal(ui_edit_fields(&fields, &err), 0);
	assert_string_equal(fields.subject, "Edited");
	assert_string_equal(fields.body, "Hello\ntyped\n");
	assert_string_equal(fields.to, "a@x.org");
	char *text;
	size_t len;
	assert_int_equal(util_read_file(log, 4096, &text, &len, NULL), 0);
	assert_true(strncmp(text, "600 ", 4) == 0);
	assert_non_null(strstr(text, "\n700\n"));
	free(text);

	/* An editor that fails leaves the fields alone and says so. */
	setenv("EDITOR", "false", 1);
	assert_int_equal(ui_edit_fields(&fields, &err), EBB_EIO);
	assert_non_null(strstr(err.msg, "editor \"false\" failed"));
	assert_string_equal(fields.subject, "Edited");
	setenv("EDITOR", "/nonexistent/editor", 1);
	assert_int_equal(ui_edit_fields(&fields, &err), EBB_ENOENT);
	/* EDITOR empty: VISUAL is next. */
	setenv("EDITOR", "", 1);
	setenv("VISUAL", "true", 1);
	assert_string_equal(ui_editor_command(), "true");
	assert_int_equal(ui_edit_fields(&fields, &err), 0);
	unsetenv("VISUAL");
	unsetenv("EDITOR");
	assert_string_equal(ui_editor_command(), "vi");
	unsetenv("TMPDIR");
	compose_fields_clear(&fields);

	/* Nothing of ours is left in TMPDIR: the private dir went. */
	unlink(script);
	unlink(log);
	assert_int_equal(rmdir(dir), 0);
}

static void test_parse_when(void **state)
{
	struct ebb_config *cfg = *state;
	time_t t;
	assert_int_equal(ui_parse_when(cfg, "+3h", NOW, &t), 0);
	assert_int_equal(t, NOW + 3 * 3600);
	assert_int_equal(ui_parse_when(cfg, " +90m ", NOW, &t), 0);
	assert_int_equal(t, NOW + 90 * 60);
	assert_int_equal(ui_parse_when(cfg, "next-block", NOW, &t), 0);
	assert_int_equal(t, 1795514400);   /* Tue 11:00 Berlin */
	/* Inside a block, "next block" is the one after it. */
	assert_int_equal(ui_parse_when(cfg, "next-block", 1795514400 + 600, &t), 0);
	assert_int_equal(t, 1795532400);   /* Tue 16:00 */
	assert_int_equal(ui_parse_when(cfg, "Tomorrow", NOW, &t), 0);
	assert_int_equal(t, 1795593600);   /* Wed 09:00 */
	assert_int_equal(ui_parse_when(cfg, "monday", NOW, &t), 0);
	assert_int_equal(t, 1796025600);   /* Mon 30 Nov 09:00 */
	assert_int_equal(ui_parse_when(cfg, "tue", NOW, &t), 0);
	assert_int_equal(t, 1796112000);   /* a week on: Tue 1 Dec 09:00 */
	assert_int_equal(ui_parse_when(cfg, "2026-12-01", NOW, &t), 0);
	assert_int_equal(t, 1796112000);
	assert_int_equal(ui_parse_when(cfg, "2026-12-01T14:30", NOW, &t), 0);
	assert_int_equal(t, 1796131800);
	assert_int_equal(ui_parse_when(cfg, "2026-12-01T14:30:00Z", NOW, &t), 0);
	assert_int_equal(t, 1796135400);
	const char *bad[] = { "", "+", "+-3h", "+3x", "+ 3h", "someday", "2026-13-01", "+999999h" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ui_parse_when(cfg, bad[i], NOW, &t), EBB_EPARSE);
}

static void test_search_parse(void **state)
{
	struct ebb_config *cfg = *state;
	struct ui_search_query q;
	struct ebb_err err = { 0 };
	assert_int_equal(ui_search_parse(cfg, "from:ann subject:\"Q4 \"\"draft\"\"\" budget*", NOW,
					 &q, &err), 0);
	assert_string_equal(q.fts, "sender:\"ann\" subject:\"Q4 \"\"draft\"\"\" budget*");
	assert_null(q.to);
	ui_search_query_free(&q);

	/* Words FTS5 cannot read bare become phrases; parentheses stay. */
	assert_int_equal(ui_search_parse(cfg, "(ann.becker@example.com OR re:) NOT x-y", NOW, &q,
					 &err), 0);
	assert_string_equal(q.fts, "(\"ann.becker@example.com\" OR \"re:\") NOT \"x-y\"");
	ui_search_query_free(&q);
	assert_int_equal(ui_search_parse(cfg, "body:crash from:li*", NOW, &q, &err), 0);
	assert_string_equal(q.fts, "body:crash sender:\"li\"*");
	ui_search_query_free(&q);

	/* Filters only: no FTS part. Dates in the configured zone. */
	assert_int_equal(ui_search_parse(cfg, "to:dana in:Reviews after:2026-11-20 before:today",
					 NOW, &q, &err), 0);
	assert_null(q.fts);
	assert_string_equal(q.to, "dana");
	assert_string_equal(q.channel, "Reviews");
	assert_int_equal(q.after, 1795474800 - 4 * 86400);   /* Fri 20 Nov 00:00 */
	assert_int_equal(q.before, 1795474800);   /* Tue 24 Nov 00:00 Berlin */
	ui_search_query_free(&q);
	assert_int_equal(ui_search_parse(cfg, "after:7d", NOW, &q, &err), 0);
	assert_int_equal(q.after, NOW - 7 * 86400);
	ui_search_query_free(&q);

	/* Errors say what is wrong. */
	assert_int_equal(ui_search_parse(cfg, "before:someday", NOW, &q, &err), EBB_EINVAL);
	assert_non_null(strstr(err.msg, "search: cannot read the date \"someday\""));
	assert_int_equal(ui_search_parse(cfg, "to:a to:b", NOW, &q, &err), EBB_EINVAL);
	assert_non_null(strstr(err.msg, "to: only once"));
	assert_int_equal(ui_search_parse(cfg, "from:", NOW, &q, &err), EBB_EINVAL);
	assert_int_equal(ui_search_parse(cfg, "   ", NOW, &q, &err), EBB_EINVAL);
	assert_null(q.fts);
}

static void test_attachment_names(void **state)
{
	(void)state;
	char out[256];
	assert_string_equal(ui_attachment_filename("report.pdf", 1, out, sizeof(out)), "report.pdf");
	assert_string_equal(ui_attachment_filename("../../etc/passwd", 2, out, sizeof(out)), "passwd");
	assert_string_equal(ui_attachment_filename("C:\\evil\\run.exe", 3, out, sizeof(out)),
			    "run.exe");
	assert_string_equal(ui_attachment_filename("..", 4, out, sizeof(out)), "attachment-4");
	assert_string_equal(ui_attachment_filename("dir/", 5, out, sizeof(out)), "attachment-5");
	assert_string_equal(ui_attachment_filename(".bashrc", 6, out, sizeof(out)), "bashrc");
	assert_string_equal(ui_attachment_filename(NULL, 7, out, sizeof(out)), "attachment-7");
	assert_string_equal(ui_attachment_filename("a\x01" "b", 8, out, sizeof(out)), "attachment-8");
	assert_string_equal(ui_attachment_filename("x\xE2\x80\xAEgpj.exe", 9, out, sizeof(out)),
			    "attachment-9");
	assert_string_equal(ui_attachment_filename("bad\xFF.txt", 10, out, sizeof(out)),
			    "attachment-10");
	assert_string_equal(ui_attachment_filename("Übersicht.pdf", 11, out, sizeof(out)),
			    "Übersicht.pdf");
	/* Long names are cut, keeping the extension. */
	char longname[400];
	memset(longname, 'a', 300);
	memcpy(longname + 300, ".pdf", 5);
	ui_attachment_filename(longname, 12, out, sizeof(out));
	assert_int_equal(strlen(out), 200);
	assert_string_equal(out + 196, ".pdf");
}

static void test_save_bytes(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_ui_save.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[512], path2[512], path3[512];
	assert_int_equal(ui_save_bytes(dir, "a.txt", "one", 3, path, sizeof(path), NULL), 0);
	assert_int_equal(ui_save_bytes(dir, "a.txt", "two", 3, path2, sizeof(path2), NULL), 0);
	assert_int_equal(ui_save_bytes(dir, "noext", "3", 1, path3, sizeof(path3), NULL), 0);
	char want[600];
	snprintf(want, sizeof(want), "%s/a (1).txt", dir);
	assert_string_equal(path2, want);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *text;
	size_t len;
	assert_int_equal(util_read_file(path, 100, &text, &len, NULL), 0);
	assert_string_equal(text, "one");   /* never overwritten */
	free(text);
	/* A symlink in the way is not followed. */
	char link[600], target[600];
	snprintf(link, sizeof(link), "%s/l.txt", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	assert_int_equal(symlink(target, link), 0);
	char path4[512];
	assert_int_equal(ui_save_bytes(dir, "l.txt", "x", 1, path4, sizeof(path4), NULL), 0);
	assert_int_equal(access(target, F_OK), -1);
	unlink(path);
	unlink(path2);
	unlink(path3);
	unlink(path4);
	unlink(link);
	assert_int_equal(rmdir(dir), 0);
}

static void test_snooze_presets(void **state)
{
	struct ebb_config *cfg = *state;
	struct ui_menu_item items[8];
	time_t times[8];
	size_t n = ui_snooze_presets(cfg, NOW, items, times, 8);
	assert_int_equal(n, 5);
	assert_int_equal(times[0], NOW + 3 * 3600);
	assert_int_equal(times[1], 1795514400);   /* next block, 11:00 */
	assert_int_equal(times[2], 1795593600);   /* tomorrow 09:00 */
	assert_int_equal(times[3], 1796025600);   /* Monday 09:00 */
	assert_int_equal(times[4], 0);            /* custom */
	assert_int_equal(items[4].key, '5');
	assert_string_equal(items[3].label, "Next Monday");
}

static void test_compose_account_choice(void **state)
{
	(void)state;
	static const char two[] = "[hours]\ntz = UTC\n"
				  "[account.work]\nkind = maildir\npath = /x\nfrom = sam@work.example\n"
				  "[account.home]\nkind = maildir\npath = /y\nfrom = sam@home.example\n";
	struct ebb_config *cfg;
	assert_int_equal(config_load_string(two, strlen(two), "two", &cfg, NULL), 0);
	struct ui ui;
	memset(&ui, 0, sizeof(ui));
	ui.cfg = cfg;
	/* Several accounts: a menu asks which one, naming each From. */
	ui_compose_start(&ui, COMPOSE_NEW, 0);
	assert_int_equal(ui.modal.kind, MODAL_MENU);
	assert_int_equal(ui.modal.nitems, 2);
	assert_string_equal(ui.modal.items[0].label, "work");
	assert_string_equal(ui.modal.items[1].detail, "sam@home.example");
	assert_int_equal(ui.modal.items[1].key, '2');
	ui_modal_key(&ui, 27);
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	config_free(cfg);
	/* None: a sentence that says what to add. */
	assert_int_equal(config_defaults(&cfg, NULL), 0);
	ui.cfg = cfg;
	ui_compose_start(&ui, COMPOSE_NEW, 0);
	assert_int_equal(ui.modal.kind, MODAL_NONE);
	assert_non_null(strstr(ui.error, "[account.NAME]"));
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_split),
		cmocka_unit_test(test_reply_subject),
		cmocka_unit_test_setup_teardown(test_reply_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_refs_capped, setup, teardown),
		cmocka_unit_test(test_file_format_and_parse),
		cmocka_unit_test(test_edit_fields),
		cmocka_unit_test_setup_teardown(test_parse_when, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_parse, setup, teardown),
		cmocka_unit_test(test_attachment_names),
		cmocka_unit_test(test_save_bytes),
		cmocka_unit_test_setup_teardown(test_snooze_presets, setup, teardown),
		cmocka_unit_test(test_compose_account_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
