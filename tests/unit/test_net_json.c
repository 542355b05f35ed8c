/* Unit tests for net/json: parsing with byte positions and the type-checked
 * accessors, which must turn every missing or mistyped field into a sentence. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <string.h>

#include "ebb/net.h"

static cJSON *parse(const char *text)
{
	cJSON *root = NULL;
	struct ebb_err err = {0};
	assert_int_equal(json_parse(text, strlen(text), &root, &err), EBB_OK);
	assert_non_null(root);
	return root;
}

static void test_parse_errors(void **state)
{
	(void)state;
	cJSON *root = (cJSON *)1;
	struct ebb_err err = {0};
	const char *cut = "{\"next_batch\": \"s1\", \"rooms\": {";
	assert_int_equal(json_parse(cut, strlen(cut), &root, &err), EBB_EPARSE);
	assert_null(root);
	assert_string_equal(err.msg, "malformed JSON at byte 30");   /* where the input ran out */
	const char *bad = "{\"a\": tru}";
	assert_int_equal(json_parse(bad, strlen(bad), &root, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "malformed JSON at byte 6");
	assert_int_equal(json_parse("", 0, &root, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "at byte 0"));
	/* A second value after the first is not one JSON document. */
	const char *two = "{\"a\": 1} {\"b\": 2}";
	assert_int_equal(json_parse(two, strlen(two), &root, &err), EBB_EPARSE);
	assert_non_null(strstr(err.msg, "at byte 9"));
	/* Trailing white space is fine; the length bounds the parse, not a NUL. */
	const char *ws = "[1, 2]\r\n  ";
	assert_int_equal(json_parse(ws, strlen(ws), &root, &err), EBB_OK);
	assert_int_equal(cJSON_GetArraySize(root), 2);
	cJSON_Delete(root);
	assert_int_equal(json_parse("[1, 2]xyz", 6, &root, &err), EBB_OK);
	cJSON_Delete(root);
}

static void test_strings(void **state)
{
	(void)state;
	cJSON *root = parse("{\"next_batch\": \"s72\", \"n\": 5, \"nul\": null, \"e\": \"\"}");
	struct ebb_err err = {0};
	const char *s = NULL;
	assert_int_equal(json_get_string(root, "next_batch", &s, &err), EBB_OK);
	assert_string_equal(s, "s72");
	assert_int_equal(json_get_string(root, "e", &s, &err), EBB_OK);
	assert_string_equal(s, "");
	assert_int_equal(json_get_string(root, "missing", &s, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"missing\" is missing or not a string");
	assert_int_equal(json_get_string(root, "n", &s, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"n\" is missing or not a string");
	assert_int_equal(json_get_string(root, "nul", &s, &err), EBB_EPARSE);
	s = "old";
	assert_int_equal(json_opt_string(root, "missing", &s, &err), EBB_OK);
	assert_null(s);
	s = "old";
	assert_int_equal(json_opt_string(root, "nul", &s, &err), EBB_OK);
	assert_null(s);
	assert_int_equal(json_opt_string(root, "n", &s, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"n\" is not a string");
	/* Keys are case-sensitive: "Next_Batch" is another field. */
	assert_int_equal(json_get_string(root, "Next_Batch", &s, &err), EBB_EPARSE);
	cJSON_Delete(root);
}

static void test_numbers(void **state)
{
	(void)state;
	cJSON *root = parse("{\"ts\": 1795514400000, \"half\": 1.5, \"s\": \"12\", \"neg\": -3,"
			    " \"big\": 1e300, \"t\": true}");
	struct ebb_err err = {0};
	long long v = 0;
	double d = 0;
	assert_int_equal(json_get_int(root, "ts", &v, &err), EBB_OK);
	assert_true(v == 1795514400000LL);
	assert_int_equal(json_get_int(root, "neg", &v, &err), EBB_OK);
	assert_int_equal(v, -3);
	assert_int_equal(json_get_int(root, "half", &v, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"half\" is missing or not a whole number");
	assert_int_equal(json_get_int(root, "big", &v, &err), EBB_EPARSE);
	assert_int_equal(json_get_int(root, "s", &v, &err), EBB_EPARSE);
	assert_int_equal(json_get_number(root, "half", &d, &err), EBB_OK);
	assert_true(d == 1.5);
	assert_int_equal(json_get_number(root, "s", &d, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"s\" is missing or not a number");
	v = 42;
	assert_int_equal(json_opt_int(root, "absent", &v, &err), EBB_OK);
	assert_int_equal(v, 42);   /* the default stays */
	d = 7;
	assert_int_equal(json_opt_number(root, "absent", &d, &err), EBB_OK);
	assert_true(d == 7);
	assert_int_equal(json_opt_int(root, "t", &v, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"t\" is not a whole number");
	cJSON_Delete(root);
}

static void test_bools_objects_arrays(void **state)
{
	(void)state;
	cJSON *root = parse("{\"limited\": true, \"no\": false, \"one\": 1, \"rooms\": {\"join\": {}},"
			    " \"events\": [1, 2, 3], \"str\": \"x\"}");
	struct ebb_err err = {0};
	int b = -1;
	assert_int_equal(json_get_bool(root, "limited", &b, &err), EBB_OK);
	assert_int_equal(b, 1);
	assert_int_equal(json_get_bool(root, "no", &b, &err), EBB_OK);
	assert_int_equal(b, 0);
	assert_int_equal(json_get_bool(root, "one", &b, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"one\" is missing or not true or false");
	b = 9;
	assert_int_equal(json_opt_bool(root, "absent", &b, &err), EBB_OK);
	assert_int_equal(b, 9);
	const cJSON *o = NULL, *a = NULL;
	assert_int_equal(json_get_object(root, "rooms", &o, &err), EBB_OK);
	assert_true(cJSON_IsObject(o));
	assert_int_equal(json_get_object(o, "join", &o, &err), EBB_OK);
	assert_int_equal(json_get_object(root, "events", &o, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"events\" is missing or not an object");
	assert_int_equal(json_opt_object(root, "absent", &o, &err), EBB_OK);
	assert_null(o);
	assert_int_equal(json_get_array(root, "events", &a, &err), EBB_OK);
	assert_int_equal(cJSON_GetArraySize(a), 3);
	assert_int_equal(json_get_array(root, "rooms", &a, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"rooms\" is missing or not an array");
	assert_int_equal(json_opt_array(root, "str", &a, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "field \"str\" is not an array");
	assert_int_equal(json_opt_array(root, "absent", &a, &err), EBB_OK);
	assert_null(a);
	/* Asking a field of something that is not an object is an error, not a crash. */
	const cJSON *arr;
	assert_int_equal(json_get_array(root, "events", &arr, &err), EBB_OK);
	const char *s;
	assert_int_equal(json_get_string(arr, "x", &s, &err), EBB_EPARSE);
	assert_string_equal(err.msg, "expected an object holding field \"x\"");
	assert_int_equal(json_get_string(NULL, "x", &s, &err), EBB_EPARSE);
	assert_int_equal(json_opt_string(NULL, "x", &s, NULL), EBB_EPARSE);
	cJSON_Delete(root);
}

static void test_hostile_values(void **state)
{
	(void)state;
	/* Deep nesting beyond cJSON's limit is refused, not a stack overflow. */
	char deep[20001];
	for (int i = 0; i < 10000; i++) {
		deep[i] = '[';
		deep[10000 + i] = ']';
	}
	deep[20000] = '\0';
	cJSON *root = NULL;
	struct ebb_err err = {0};
	assert_int_equal(json_parse(deep, 20000, &root, &err), EBB_EPARSE);
	assert_null(root);
	/* An escaped NUL cuts the C string; the value still reads as a string. */
	root = parse("{\"body\": \"a\\u0000b\", \"dup\": 1, \"dup\": \"two\"}");
	const char *s;
	assert_int_equal(json_get_string(root, "body", &s, &err), EBB_OK);
	assert_string_equal(s, "a");
	long long v;
	assert_int_equal(json_get_int(root, "dup", &v, &err), EBB_OK);   /* the first wins */
	assert_int_equal(v, 1);
	cJSON_Delete(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_bools_objects_arrays),
		cmocka_unit_test(test_hostile_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
