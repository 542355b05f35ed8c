/* Unit tests for providers/slack_text: Slack's mrkdwn turned into the plain
 * text ebb stores (mentions, links, entities, hostile and broken input),
 * text escaped for posting, and message timestamps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "providers/slack_int.h"

/* Two users and a channel, as users.info and conversations.list know them. */
static const char *names(void *ctx, char kind, const char *id)
{
	int *calls = ctx;
	(*calls)++;
	if (kind == '@' && !strcmp(id, "U0ANN"))
		return "Ann Lee";
	if (kind == '@' && !strcmp(id, "U0MIA"))
		return "Mia";
	if (kind == '#' && !strcmp(id, "C0GEN"))
		return "general";
	return NULL;
}

static void check(const char *in, const char *want)
{
	int calls = 0;
	char *got = sk_mrkdwn_to_text(in, 64 * 1024, names, &calls);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_mentions(void **state)
{
	(void)state;
	check("<@U0MIA> can you look?", "@Mia can you look?");
	check("ask <@U0ANN> and <@U0NOBODY>", "ask @Ann Lee and @U0NOBODY");
	check("<@U0ANN|ann> legacy label", "@ann legacy label");
	check("<@U0ANN|@ann.lee>", "@ann.lee");
	check("see <#C0GEN|general> and <#C0GEN>", "see #general and #general");
	check("<#C0OTHER>", "#C0OTHER");
	check("<!here> <!channel> <!everyone>", "@here @channel @everyone");
	check("<!subteam^S0TEAM|@designers> please", "@designers please");
	check("<!date^1392734382^{date_short}|Feb 18, 2014> ok", "Feb 18, 2014 ok");
	/* A lower-case "id" is no mention: the sequence is kept as a link. */
	check("<@lower>", "@lower");
}

static void test_links_and_entities(void **state)
{
	(void)state;
	check("<https://docs.example.com/rn|release notes>",
	      "release notes <https://docs.example.com/rn>");
	check("<https://example.com>", "https://example.com");
	check("<https://example.com|https://example.com>", "https://example.com");
	check("<mailto:ann@example.com|ann@example.com>", "ann@example.com");
	check("<https://x.example/?a=1&amp;b=2|a &amp; b>", "a & b <https://x.example/?a=1&b=2>");
	check("5 &lt; 6 &amp;&amp; 7 &gt; 2", "5 < 6 && 7 > 2");
	check("&amp;lt; stays one level", "&lt; stays one level");
	check("&nbsp; &quot; are not Slack's", "&nbsp; &quot; are not Slack's");
	check("*bold* _italic_ ~strike~ `code`", "*bold* _italic_ ~strike~ `code`");
}

static void test_broken_and_hostile(void **state)
{
	(void)state;
	check("", "");
	check("a < b and c > d", "a < b and c > d");   /* not escaped, not a sequence */
	check("<unclosed", "<unclosed");
	check("<>", "<>");
	check("<a\nb>", "<a\nb>");
	check("<not a link> <x|y>", "<not a link> <x|y>");
	check("<<@U0MIA>>", "<@Mia>");
	check("x&", "x&");
	/* Escapes and bidi controls are stored as sent; the UI sanitizes. */
	check("\x1b[2J\xe2\x80\xae", "\x1b[2J\xe2\x80\xae");
	int calls = 0;
	char *got = sk_mrkdwn_to_text(NULL, 100, names, &calls);
	assert_non_null(got);
	assert_string_equal(got, "");
	free(got);
	/* The bound cuts on a character boundary: "é" is two bytes. */
	got = sk_mrkdwn_to_text("ab\xc3\xa9", 3, names, &calls);
	assert_string_equal(got, "ab");
	free(got);
	/* Without a resolver the ids show. */
	got = sk_mrkdwn_to_text("<@U0ANN>", 100, NULL, NULL);
	assert_string_equal(got, "@U0ANN");
	free(got);
	/* A very long text full of sequences stays bounded by its input. */
	char *big = malloc(70000);
	assert_non_null(big);
	for (size_t i = 0; i + 8 < 70000; i += 8)
		memcpy(big + i, "<@U0ANN>", 8);
	big[69999] = '\0';
	got = sk_mrkdwn_to_text(big, 64 * 1024, names, &calls);
	assert_non_null(got);
	assert_true(strlen(got) <= 8192 * strlen("@Ann Lee") + 8);
	assert_memory_equal(got, "@Ann Lee@Ann Lee", 16);
	free(got);
	free(big);
}

static void test_escape(void **state)
{
	(void)state;
	char *s = sk_escape_text("Thursday & <fine> > later");
	assert_string_equal(s, "Thursday &amp; &lt;fine&gt; &gt; later");
	int calls = 0;
	char *back = sk_mrkdwn_to_text(s, 1000, names, &calls);
	assert_string_equal(back, "Thursday & <fine> > later");   /* a round trip */
	free(back);
	free(s);
	s = sk_escape_text("");
	assert_string_equal(s, "");
	free(s);
}

static void test_ts(void **state)
{
	(void)state;
	struct sk_ts t;
	assert_int_equal(sk_ts_parse("1512085950.000216", &t), EBB_OK);
	assert_true(t.sec == 1512085950 && t.usec == 216);
	assert_int_equal(sk_ts_parse("1.5", &t), EBB_OK);
	assert_true(t.sec == 1 && t.usec == 500000);
	const char *bad[] = {"", ".1", "1.", "1", "1.1234567", "x.1", "1.1x", "1234567890123.1",
			     "-1.0", " 1.0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(sk_ts_parse(bad[i], &t), EBB_EPARSE);
	assert_int_equal(sk_ts_parse(NULL, &t), EBB_EPARSE);
	/* Numeric order, not string order. */
	assert_true(sk_ts_cmp("999.000001", "1000.000000") < 0);
	assert_true(sk_ts_cmp("1000.1", "1000.099999") > 0);
	assert_int_equal(sk_ts_cmp("1000.5", "1000.500000"), 0);
	assert_true(sk_ts_cmp(NULL, "1.0") < 0 && sk_ts_cmp("1.0", "junk") > 0);
	assert_int_equal(sk_ts_cmp("junk", NULL), 0);
	char buf[32];
	t = (struct sk_ts){.sec = 1795521600, .usec = 7};
	sk_ts_format(&t, buf, sizeof buf);
	assert_string_equal(buf, "1795521600.000007");
}

static void test_ids(void **state)
{
	(void)state;
	assert_true(sk_id_ok("C0GENERAL") && sk_id_ok("U0ANN") && sk_id_ok("D1"));
	assert_false(sk_id_ok("") || sk_id_ok(NULL) || sk_id_ok("c0general") ||
		     sk_id_ok("C0/../x") || sk_id_ok("C 1"));
	char long_id[80];
	memset(long_id, 'A', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	assert_false(sk_id_ok(long_id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mentions),
		cmocka_unit_test(test_links_and_entities),
		cmocka_unit_test(test_broken_and_hostile),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_ts),
		cmocka_unit_test(test_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
