/* Unit tests for net/http without a network: the retry policy (backoff,
 * jitter, Retry-After, budgets), Retry-After parsing, the URL rules and the
 * retry loop's use of an injected sleep against a closed loopback port. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ebb/net.h"

static const struct net_retry policy = {
	.max_attempts = 5, .base_delay_ms = 1000, .max_delay_ms = 8000,
	.max_server_delay_ms = 30000, .max_total_ms = 20000,
};

static void test_backoff_grows_with_jitter(void **state)
{
	(void)state;
	/* rnd 0 gives the lower half, rnd max the whole step. */
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_ENET, 0, -1, 0), 500);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_ENET, 0, -1, 500), 1000);
	assert_int_equal(net_retry_delay(&policy, 2, 0, EBB_OK, 500, -1, 0), 1000);
	assert_int_equal(net_retry_delay(&policy, 3, 0, EBB_OK, 502, -1, 0), 2000);
	assert_int_equal(net_retry_delay(&policy, 4, 0, EBB_ETIMEOUT, 0, -1, 0), 4000);
	/* Capped at max_delay_ms however many attempts. */
	struct net_retry many = policy;
	many.max_attempts = 50;
	many.max_total_ms = 1000000;
	assert_int_equal(net_retry_delay(&many, 30, 0, EBB_ENET, 0, -1, 0), 4000);
	assert_int_equal(net_retry_delay(&many, 30, 0, EBB_ENET, 0, -1, 4000), 8000);
	/* Jitter always stays within [half, full]. */
	for (uint32_t rnd = 0; rnd < 5000; rnd += 7) {
		long d = net_retry_delay(&policy, 3, 0, EBB_OK, 503, -1, rnd * 2654435761u);
		assert_true(d >= 2000 && d <= 4000);
	}
}

static void test_what_is_retried(void **state)
{
	(void)state;
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 200, -1, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 404, -1, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 401, -1, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 501, -1, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 505, -1, 0), -1);
	assert_true(net_retry_delay(&policy, 1, 0, EBB_OK, 408, -1, 0) > 0);
	assert_true(net_retry_delay(&policy, 1, 0, EBB_OK, 599, -1, 0) > 0);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_ETLS, 0, -1, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_ETOOBIG, 0, -1, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_EINVAL, 0, -1, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_EPROTO, 0, -1, 0), -1);
	/* Attempts: the fifth failure is the last. */
	assert_true(net_retry_delay(&policy, 4, 0, EBB_ENET, 0, -1, 0) > 0);
	assert_int_equal(net_retry_delay(&policy, 5, 0, EBB_ENET, 0, -1, 0), -1);
	/* NULL policy = the defaults: 5 attempts, 500 ms first. */
	assert_int_equal(net_retry_delay(NULL, 1, 0, EBB_ENET, 0, -1, 0), 250);
	assert_int_equal(net_retry_delay(NULL, 5, 0, EBB_ENET, 0, -1, 0), -1);
}

static void test_server_delay(void **state)
{
	(void)state;
	/* 429 and 503 wait exactly what the server asked, without jitter. */
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 429, 2500, 12345), 2500);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 503, 0, 12345), 0);
	/* 429 without a hint backs off like the rest. */
	assert_int_equal(net_retry_delay(&policy, 2, 0, EBB_OK, 429, -1, 0), 1000);
	/* A 500 with a hint is not told what to do by it. */
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 500, 9000, 0), 500);
	/* Longer than ebb is willing to wait: give up now, not later. */
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 429, 30001, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 1, 0, EBB_OK, 429, 30000, 0), -1);  /* > total */
	/* The total budget counts what was slept already. */
	assert_int_equal(net_retry_delay(&policy, 2, 18000, EBB_OK, 429, 2000, 0), 2000);
	assert_int_equal(net_retry_delay(&policy, 2, 18001, EBB_OK, 429, 2000, 0), -1);
	assert_int_equal(net_retry_delay(&policy, 3, 19000, EBB_ENET, 0, -1, 0), -1);
}

static void test_parse_retry_after(void **state)
{
	(void)state;
	long ms = -1;
	assert_int_equal(net_parse_retry_after("120", 0, &ms), EBB_OK);
	assert_int_equal(ms, 120000);
	assert_int_equal(net_parse_retry_after(" 0 ", 0, &ms), EBB_OK);
	assert_int_equal(ms, 0);
	/* Absurd values are capped at a day rather than overflowing. */
	assert_int_equal(net_parse_retry_after("99999999999999999999", 0, &ms), EBB_OK);
	assert_int_equal(ms, 24L * 3600 * 1000);
	/* HTTP date: Wed, 21 Oct 2026 07:28:00 GMT = 1792567680. */
	assert_int_equal(net_parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", 1792567670, &ms),
			 EBB_OK);
	assert_int_equal(ms, 10000);
	assert_int_equal(net_parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", 1792567690, &ms),
			 EBB_OK);
	assert_int_equal(ms, 0);   /* already past */
	assert_int_equal(net_parse_retry_after("12abc", 0, &ms), EBB_EPARSE);
	assert_int_equal(net_parse_retry_after("soon", 0, &ms), EBB_EPARSE);
	assert_int_equal(net_parse_retry_after("-5", 0, &ms), EBB_EPARSE);
}

static void test_url_rules(void **state)
{
	(void)state;
	char host[64];
	struct ebb_err err = {0};
	assert_int_equal(net_url_check("https://matrix.example.org", host, sizeof host, &err),
			 EBB_OK);
	assert_string_equal(host, "matrix.example.org");
	assert_int_equal(net_url_check("http://127.0.0.1:8008/", host, sizeof host, &err), EBB_OK);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(net_url_check("http://127.8.9.10", host, sizeof host, &err), EBB_OK);
	assert_int_equal(net_url_check("http://localhost:1", host, sizeof host, &err), EBB_OK);
	assert_int_equal(net_url_check("http://[::1]:8008", host, sizeof host, &err), EBB_OK);
	assert_int_equal(net_url_check("HTTP://LOCALHOST", NULL, 0, &err), EBB_OK);
	assert_int_equal(net_url_check("http://matrix.example.org", host, sizeof host, &err),
			 EBB_EINVAL);
	assert_non_null(strstr(err.msg, "http://matrix.example.org is refused"));
	assert_non_null(strstr(err.msg, "use https://"));
	assert_int_equal(net_url_check("http://128.0.0.1", NULL, 0, &err), EBB_EINVAL);
	assert_int_equal(net_url_check("http://127.0.0.1.example.com", NULL, 0, &err), EBB_EINVAL);
	assert_int_equal(net_url_check("http://[::2]", NULL, 0, &err), EBB_EINVAL);
	assert_int_equal(net_url_check("http://localhost.evil.org", NULL, 0, &err), EBB_EINVAL);
	assert_int_equal(net_url_check("ftp://localhost/", NULL, 0, &err), EBB_EINVAL);
	assert_non_null(strstr(err.msg, "only https://"));
	assert_int_equal(net_url_check("https://me:secret@matrix.example.org", NULL, 0, &err),
			 EBB_EINVAL);
	assert_null(strstr(err.msg, "secret"));   /* never repeat a password */
	assert_int_equal(net_url_check("not a url", NULL, 0, &err), EBB_EINVAL);
	assert_int_equal(net_url_check("", NULL, 0, &err), EBB_EINVAL);
}

static void test_escape_and_clean(void **state)
{
	(void)state;
	struct sbuf sb = {0};
	assert_int_equal(net_url_escape(&sb, "!room:example.org/$ev?a=b&c d~._-"), EBB_OK);
	assert_string_equal(sb.buf, "%21room%3Aexample.org%2F%24ev%3Fa%3Db%26c%20d~._-");
	sbuf_reset(&sb);
	assert_int_equal(net_url_escape(&sb, "\xc3\xa9"), EBB_OK);
	assert_string_equal(sb.buf, "%C3%A9");
	sbuf_free(&sb);
	char out[16];
	net_clean_text("ok \x1b[2J\n\xe2\x80\xae!", out, sizeof out);
	assert_string_equal(out, "ok ?[2J???" "?!");   /* split: no trigraph */
	net_clean_text("0123456789abcdefghij", out, sizeof out);
	assert_string_equal(out, "0123456789abcde");
	net_clean_text(NULL, out, sizeof out);
	assert_string_equal(out, "");
}

struct sleeps {
	long ms[8];
	int n;
	int cancel_at;   /* cancel on this call (1-based), 0 = never */
};

static int record_sleep(void *ctx, long ms)
{
	struct sleeps *s = ctx;
	if (s->n < 8)
		s->ms[s->n] = ms;
	s->n++;
	return s->cancel_at && s->n >= s->cancel_at;
}

static void test_retry_loop(void **state)
{
	(void)state;
	struct net_client *c;
	struct ebb_err err = {0};
	assert_int_equal(net_client_new(&c, &err), EBB_OK);
	struct sleeps s = {0};
	struct net_retry pol = {.max_attempts = 3, .base_delay_ms = 100, .max_delay_ms = 1000,
				.max_total_ms = 10000, .sleep_ms = record_sleep, .ctx = &s};
	/* Nothing listens on loopback port 1: refused at once, no network needed. */
	struct net_request rq = {.url = "http://127.0.0.1:1/x", .what = "test", .bearer = "SECRET"};
	struct net_response r = {0};
	int rc = net_request_retry(c, &rq, &pol, &r, &err);
	assert_int_equal(rc, EBB_ENET);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(s.n, 2);
	assert_true(s.ms[0] >= 50 && s.ms[0] <= 100);
	assert_true(s.ms[1] >= 100 && s.ms[1] <= 200);
	assert_int_equal(r.waited_ms, s.ms[0] + s.ms[1]);
	assert_non_null(strstr(err.msg, "test: cannot connect to 127.0.0.1"));
	assert_non_null(strstr(err.msg, "(3 attempts)"));
	assert_null(strstr(err.msg, "SECRET"));
	net_response_free(&r);
	/* A sleep that reports shutdown stops the retries. */
	memset(&s, 0, sizeof s);
	s.cancel_at = 1;
	rc = net_request_retry(c, &rq, &pol, &r, &err);
	assert_int_equal(rc, EBB_ENET);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(s.n, 1);
	net_response_free(&r);
	/* A refused URL is final: no attempt, no sleep. */
	memset(&s, 0, sizeof s);
	rq.url = "http://example.org/";
	rc = net_request_retry(c, &rq, &pol, &r, &err);
	assert_int_equal(rc, EBB_EINVAL);
	assert_int_equal(s.n, 0);
	net_response_free(&r);
	net_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_grows_with_jitter),
		cmocka_unit_test(test_what_is_retried),
		cmocka_unit_test(test_server_delay),
		cmocka_unit_test(test_parse_retry_after),
		cmocka_unit_test(test_url_rules),
		cmocka_unit_test(test_escape_and_clean),
		cmocka_unit_test(test_retry_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
