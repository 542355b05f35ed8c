/* test_ui_text: the terminal sanitizer (every class of hostile byte), display
 * widths, fitting with "…", word wrap and the time formats of the UI. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/ui.h"

#define FFFD "\xEF\xBF\xBD"

/* Sanitizes a length-counted input into a fresh buffer big enough for the
 * worst case (every byte replaced), checks the returned length and returns
 * the text. */
static char outbuf[65536];

static const char *san_n(const char *in, size_t len, int keep_newlines)
{
	size_t n = ui_sanitize(in, len, outbuf, sizeof(outbuf), keep_newlines);
	assert_int_equal(n, strlen(outbuf));
	return outbuf;
}

static const char *san(const char *in)
{
	return san_n(in, strlen(in), 0);
}

static void test_plain_text_unchanged(void **state)
{
	(void)state;
	assert_string_equal(san("Re: quarterly numbers (draft)"), "Re: quarterly numbers (draft)");
	assert_string_equal(san("Grüße, 漢字, emoji \xF0\x9F\x98\x80"), "Grüße, 漢字, emoji \xF0\x9F\x98\x80");
	assert_string_equal(san(""), "");
}

static void test_c0_controls(void **state)
{
	(void)state;
	assert_string_equal(san("a\x01" "b\x07" "c\x08" "d"), "a" FFFD "b" FFFD "c" FFFD "d");
	assert_string_equal(san("bell\x07"), "bell" FFFD);
	assert_string_equal(san("x\x1Fy"), "x" FFFD "y");
	/* Tab is a space; newline is a space unless kept. */
	assert_string_equal(san("a\tb"), "a b");
	assert_string_equal(san_n("a\nb", 3, 0), "a b");
	assert_string_equal(san_n("a\nb", 3, 1), "a\nb");
	/* CR LF is one newline; a lone CR could rewrite the line, so it goes. */
	assert_string_equal(san_n("a\r\nb", 4, 1), "a\nb");
	assert_string_equal(san_n("a\r\nb", 4, 0), "a b");
	assert_string_equal(san_n("a\rb", 3, 1), "a" FFFD "b");
}

static void test_nul_is_data(void **state)
{
	(void)state;
	assert_string_equal(san_n("a\0b", 3, 0), "a" FFFD "b");
	assert_string_equal(san_n("\0\0", 2, 0), FFFD FFFD);
}

static void test_del(void **state)
{
	(void)state;
	assert_string_equal(san("a\x7F" "b"), "a" FFFD "b");
}

static void test_c1_controls(void **state)
{
	(void)state;
	/* U+0085 (NEL) and U+009C in UTF-8 form. */
	assert_string_equal(san("a\xC2\x85" "b\xC2\x9C" "c"), "a" FFFD "b" FFFD "c");
	/* As raw 8-bit bytes they are invalid UTF-8: one replacement per byte. */
	assert_string_equal(san("a\x85" "b\x9B" "31m"), "a" FFFD "b" FFFD "31m");
	assert_string_equal(san("\x9D" "52;c;QQ==\x07"), FFFD "52;c;QQ==" FFFD);
}

static void test_csi(void **state)
{
	(void)state;
	assert_string_equal(san("a\x1B[31mred\x1B[0m"), "a" FFFD "red" FFFD);
	assert_string_equal(san("\x1B[2J\x1B[H\x1B[?1049h" "x"), FFFD FFFD FFFD "x");
	/* Cursor movement with intermediates; ends at the final byte only. */
	assert_string_equal(san("\x1B[1 qafter"), FFFD "after");
	/* A control inside a CSI ends it there and is judged on its own. */
	assert_string_equal(san("\x1B[31\x07" "z"), FFFD FFFD "z");
	/* A cut-off CSI at the end of the text. */
	assert_string_equal(san("tail\x1B[12;"), "tail" FFFD);
}

static void test_osc(void **state)
{
	(void)state;
	/* OSC 52 writes the clipboard: BEL and ST terminated. */
	assert_string_equal(san("\x1B]52;c;ZWNobyBwd25lZA==\x07" "after"), FFFD "after");
	assert_string_equal(san("\x1B]52;c;ZWNobyBwd25lZA==\x1B\\after"), FFFD "after");
	/* OSC 8 hyperlink around visible text. */
	assert_string_equal(san("\x1B]8;;https://evil.example/\x1B\\click\x1B]8;;\x1B\\!"),
			    FFFD "click" FFFD "!");
	/* OSC 0 title, terminated by ST in UTF-8 form (U+009C). */
	assert_string_equal(san("\x1B]0;pwned\xC2\x9Cok"), FFFD "ok");
	/* ESC inside an OSC aborts it and starts its own sequence. */
	assert_string_equal(san("\x1B]2;t\x1B[1mX"), FFFD FFFD "X");
}

static void test_string_sequences(void **state)
{
	(void)state;
	assert_string_equal(san("\x1BP1$r0m\x1B\\d"), FFFD "d");       /* DCS */
	assert_string_equal(san("\x1BXsos\x1B\\e"), FFFD "e");          /* SOS */
	assert_string_equal(san("\x1B^pm\x1B\\f"), FFFD "f");           /* PM */
	assert_string_equal(san("\x1B_Gf=100;AAAA\x1B\\g"), FFFD "g");   /* APC (kitty graphics) */
}

static void test_two_byte_escapes(void **state)
{
	(void)state;
	assert_string_equal(san("\x1B" "7x\x1B" "8y"), FFFD "x" FFFD "y");   /* save/restore cursor */
	assert_string_equal(san("\x1B" "cz"), FFFD "z");                       /* full reset */
	assert_string_equal(san("\x1B(0q\x1B(B"), FFFD "q" FFFD);               /* charset switch */
	assert_string_equal(san("\x1B#8w"), FFFD "w");
	assert_string_equal(san("end\x1B"), "end" FFFD);
	/* ESC followed by a non-ASCII letter takes only the ESC. */
	assert_string_equal(san("\x1B\xC3\xA9"), FFFD "\xC3\xA9");
}

static void test_c1_sequences_in_utf8(void **state)
{
	(void)state;
	/* U+009B is CSI: the parameters and final byte go with it. */
	assert_string_equal(san("\xC2\x9B" "31mX"), FFFD "X");
	/* U+009D is OSC: up to BEL or ST. */
	assert_string_equal(san("\xC2\x9D" "52;c;QUFB\x07Y"), FFFD "Y");
	assert_string_equal(san("\xC2\x9D" "8;;http://x\xC2\x9CZ"), FFFD "Z");
	/* U+0090 is DCS, U+009F APC. */
	assert_string_equal(san("\xC2\x90q\x1B\\A\xC2\x9Fx\x07" "B"), FFFD "A" FFFD "B");
}

static void test_bidi_and_bom(void **state)
{
	(void)state;
	static const char *const marks[] = {
		"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
		"\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9",
		"\xE2\x80\x8E", "\xE2\x80\x8F", "\xD8\x9C", "\xEF\xBB\xBF",
	};
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		char in[32];
		snprintf(in, sizeof(in), "a%sb", marks[i]);
		assert_string_equal(san(in), "a" FFFD "b");
	}
	/* The classic: "invoice_\u202Efdp.exe" must not display as "exe.pdf". */
	assert_string_equal(san("invoice_\xE2\x80\xAE" "fdp.exe"), "invoice_" FFFD "fdp.exe");
	/* Neighbours of the ranges are ordinary characters. */
	assert_string_equal(san("\xE2\x80\xA9\xE2\x81\xAA"), "\xE2\x80\xA9\xE2\x81\xAA");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_string_equal(san("\xFF\xFE"), FFFD FFFD);
	assert_string_equal(san("\xC0\xAF"), FFFD FFFD);                 /* overlong "/" */
	assert_string_equal(san("\xED\xA0\x80"), FFFD FFFD FFFD);        /* surrogate */
	assert_string_equal(san("ok\xE2\x82"), "ok" FFFD FFFD);          /* cut at the end */
	assert_string_equal(san("\xE2\x82" "A"), FFFD FFFD "A");         /* cut mid-text */
	assert_string_equal(san("\xF4\x90\x80\x80"), FFFD FFFD FFFD FFFD); /* > U+10FFFF */
}

static void test_unterminated_sequence_is_bounded(void **state)
{
	(void)state;
	size_t len = 10000;
	char *in = malloc(len);
	assert_non_null(in);
	memcpy(in, "\x1B]52;c;", 7);
	memset(in + 7, 'A', len - 7);
	const char *out = san_n(in, len, 0);
	/* One replacement for the capped sequence, then the text is text again. */
	assert_memory_equal(out, FFFD, 3);
	size_t outlen = strlen(out);
	assert_true(outlen > len - 300);
	assert_true(outlen < len);
	assert_int_equal(out[outlen - 1], 'A');
	free(in);
}

static void test_output_bounds(void **state)
{
	(void)state;
	char small[4];
	/* "é" (2 bytes) fits in 3 usable bytes, "漢" (3) no longer does. */
	size_t n = ui_sanitize("\xC3\xA9\xE6\xBC\xA2", 5, small, sizeof(small), 0);
	assert_int_equal(n, 2);
	assert_string_equal(small, "\xC3\xA9");
	/* A replacement is never cut in half either. */
	n = ui_sanitize("ab\x01", 3, small, sizeof(small), 0);
	assert_int_equal(n, 2);
	assert_string_equal(small, "ab");
	char one[1] = { 'x' };
	assert_int_equal(ui_sanitize("abc", 3, one, 1, 0), 0);
	assert_int_equal(one[0], '\0');
	assert_int_equal(ui_sanitize("abc", 3, NULL, 0, 0), 0);
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(ui_text_width("abc", 3), 3);
	assert_int_equal(ui_text_width("漢字", strlen("漢字")), 4);               /* CJK: 2 each */
	assert_int_equal(ui_text_width("e\xCC\x81", 3), 1);                       /* e + combining acute */
	assert_int_equal(ui_text_width("\xF0\x9F\x98\x80", 4), 2);                /* emoji */
	assert_int_equal(ui_text_width("\xE2\x80\x8D", 3), 0);                    /* ZWJ */
	assert_int_equal(ui_text_width(FFFD, 3), 1);
	assert_int_equal(ui_text_width("\xFF", 1), 1);                            /* unknown: 1 */
	assert_int_equal(ui_text_width("\xE2\x80\xA6", 3), 1);                    /* … */
}

static void test_fit(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(ui_fit("hello world", 5, out, sizeof(out)), 5);
	assert_string_equal(out, "hell\xE2\x80\xA6");
	assert_int_equal(ui_fit("abc", 3, out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(ui_fit("abc", 10, out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	/* Wide characters are never split: 5 columns hold two and "…". */
	assert_int_equal(ui_fit("漢字漢字", 5, out, sizeof(out)), 5);
	assert_string_equal(out, "漢字\xE2\x80\xA6");
	assert_int_equal(ui_fit("漢字漢字", 4, out, sizeof(out)), 3);
	assert_string_equal(out, "漢\xE2\x80\xA6");
	/* Combining marks stay with their base character. */
	assert_int_equal(ui_fit("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 3, out, sizeof(out)), 3);
	assert_string_equal(out, "e\xCC\x81" "e\xCC\x81" "e\xCC\x81");
	assert_int_equal(ui_fit("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2, out, sizeof(out)), 2);
	assert_string_equal(out, "e\xCC\x81\xE2\x80\xA6");
	assert_int_equal(ui_fit("ab", 1, out, sizeof(out)), 1);
	assert_string_equal(out, "\xE2\x80\xA6");
	assert_int_equal(ui_fit("ab", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* A small buffer cuts on bytes as well, still on a boundary. */
	char tiny[6];
	assert_int_equal(ui_fit("abcdef", 10, tiny, sizeof(tiny)), 3);
	assert_string_equal(tiny, "ab\xE2\x80\xA6");
	assert_int_equal(ui_fit("\xC3\xA9\xC3\xA9\xC3\xA9", 10, tiny, sizeof(tiny)), 2);
	assert_string_equal(tiny, "\xC3\xA9\xE2\x80\xA6");
}

/* Wraps s at cols and joins the lines with '|' for an easy comparison. */
static const char *wrap_all(const char *s, int cols)
{
	static char buf[512];
	size_t pos = 0, len = strlen(s), at = 0;
	buf[0] = '\0';
	while (at < len) {
		size_t next;
		size_t n = ui_wrap(s + at, len - at, cols, &next);
		assert_true(next > 0);
		assert_true(pos + n + 2 < sizeof(buf));
		if (pos)
			buf[pos++] = '|';
		memcpy(buf + pos, s + at, n);
		pos += n;
		buf[pos] = '\0';
		assert_true(ui_text_width(s + at, n) <= cols || n <= 4);
		at += next;
	}
	return buf;
}

static void test_wrap(void **state)
{
	(void)state;
	assert_string_equal(wrap_all("hello world foo", 11), "hello world|foo");
	assert_string_equal(wrap_all("hello world foo", 8), "hello|world|foo");
	assert_string_equal(wrap_all("hello  world", 5), "hello|world");
	assert_string_equal(wrap_all("abcdefghij", 4), "abcd|efgh|ij");
	assert_string_equal(wrap_all("fits", 10), "fits");
	/* Indentation is kept and is not a break point. */
	assert_string_equal(wrap_all("    indented text", 12), "    indented|text");
	/* CJK by width: two characters in five columns. */
	assert_string_equal(wrap_all("漢字漢字漢", 5), "漢字|漢字|漢");
	/* A combining mark never starts a line. */
	assert_string_equal(wrap_all("ab\xCC\x81" "cd", 2), "ab\xCC\x81|cd");
	/* A character wider than the line still makes progress. */
	assert_string_equal(wrap_all("漢字", 1), "漢|字");
	size_t next;
	assert_int_equal(ui_wrap("", 0, 10, &next), 0);
	assert_int_equal(next, 0);
}

static void test_format_age(void **state)
{
	(void)state;
	char out[32];
	time_t now = 1795504800;   /* Tue 2026-11-24 07:20 UTC */
	ui_format_age(now - 5, now, NULL, out, sizeof(out));
	assert_string_equal(out, "now");
	ui_format_age(now - 42 * 60, now, NULL, out, sizeof(out));
	assert_string_equal(out, "42m");
	ui_format_age(now - 3 * 3600 - 10, now, NULL, out, sizeof(out));
	assert_string_equal(out, "3h");
	ui_format_age(now - 2 * 86400, now, NULL, out, sizeof(out));
	assert_string_equal(out, "2d");
	ui_format_age(now - 21 * 86400, now, NULL, out, sizeof(out));
	assert_string_equal(out, "Nov 3");
	ui_format_age(now - 400 * 86400, now, NULL, out, sizeof(out));
	assert_string_equal(out, "Oct 2025");
	ui_format_age(0, now, NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_format_date(void **state)
{
	(void)state;
	char out[64];
	ui_format_date(1795504800, NULL, out, sizeof(out));
	assert_string_equal(out, "Tue, 24 Nov 2026 07:20 +0000");
	struct ebb_tz *tz = NULL;
	assert_int_equal(tz_parse_posix("CET-1CEST,M3.5.0,M10.5.0/3", &tz, NULL), 0);
	ui_format_date(1795504800, tz, out, sizeof(out));
	assert_string_equal(out, "Tue, 24 Nov 2026 08:20 +0100");
	tz_free(tz);
	ui_format_date(0, NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

/* Invariants on pseudo-random hostile input: valid UTF-8, no C0 but the
 * kept newline, no DEL, no C1, no bidi controls. */
static void check_safe(const char *s, size_t len, int keep_newlines)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		int n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		assert_true(n > 0);
		if (cp < 0x20)
			assert_true(keep_newlines && cp == '\n');
		assert_true(cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F));
		assert_false((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
			     cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0xFEFF);
		i += (size_t)n;
	}
}

static void test_random_input_invariants(void **state)
{
	(void)state;
	static const unsigned char alphabet[] = { 0x00, 0x07, 0x09, 0x0A, 0x0D, 0x1B, '[', ']',
						  'P', '\\', '_', '^', 'X', 'a', '3', ';', 'm', 0x7F,
						  0x80, 0x9B, 0x9C, 0x9D, 0xC2, 0xE2, 0x80, 0xAE,
						  0xEF, 0xBB, 0xBF, 0xF0, 0xFF, ' ' };
	uint32_t seed = 12345;
	unsigned char in[300];
	char out[1000];
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(round % 300);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % sizeof(alphabet)];
		}
		int keep = round & 1;
		size_t outlen = (size_t)(round % 7 == 0 ? round % 50 : (int)sizeof(out));
		size_t n = ui_sanitize((const char *)in, len, out, outlen, keep);
		if (outlen == 0) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_true(n < outlen);
		assert_int_equal(out[n], '\0');
		check_safe(out, n, keep);
	}
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_nul_is_data),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_csi),
		cmocka_unit_test(test_osc),
		cmocka_unit_test(test_string_sequences),
		cmocka_unit_test(test_two_byte_escapes),
		cmocka_unit_test(test_c1_sequences_in_utf8),
		cmocka_unit_test(test_bidi_and_bom),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_unterminated_sequence_is_bounded),
		cmocka_unit_test(test_output_bounds),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_format_age),
		cmocka_unit_test(test_format_date),
		cmocka_unit_test(test_random_input_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
