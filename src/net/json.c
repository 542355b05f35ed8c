/* net/json: parsing server responses with cJSON and reading their fields
 * type-checked, so a missing or mistyped field is a sentence, never a crash. */
#include <cjson/cJSON.h>
#include <math.h>

#include "ebb/net.h"

#define JSON_MAX_EXACT 9007199254740992.0   /* 2^53: integers a double holds exactly */

int json_parse(const char *text, size_t len, struct cJSON **out, struct ebb_err *err)
{
	*out = NULL;
	if (!text || !len)
		return ebb_err_set(err, EBB_EPARSE, "malformed JSON at byte 0 (the body is empty)");
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
		return ebb_err_set(err, EBB_EPARSE, "malformed JSON at byte %zu", at);
	}
	/* One value only: trailing bytes mean the body is not what it claims. */
	size_t at = (size_t)(end - text);
	while (at < len && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' ||
			    text[at] == '\n'))
		at++;
	if (at < len) {
		cJSON_Delete(root);
		return ebb_err_set(err, EBB_EPARSE, "malformed JSON at byte %zu (data after the "
				   "value)", at);
	}
	*out = root;
	return EBB_OK;
}

/* Finds key in obj; *item NULL when missing. Fails when obj is no object. */
static int lookup(const struct cJSON *obj, const char *key, const cJSON **item,
		  struct ebb_err *err)
{
	*item = NULL;
	if (!obj || !cJSON_IsObject(obj))
		return ebb_err_set(err, EBB_EPARSE, "expected an object holding field \"%s\"", key);
	*item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return EBB_OK;
}

static int type_error(const char *key, const char *type, int optional, struct ebb_err *err)
{
	if (optional)
		return ebb_err_set(err, EBB_EPARSE, "field \"%s\" is not %s", key, type);
	return ebb_err_set(err, EBB_EPARSE, "field \"%s\" is missing or not %s", key, type);
}

/* Shared by every getter: finds the item, checks its type, decides about
 * absence. Returns 1 when the item is there and of the right type. */
static int fetch(const struct cJSON *obj, const char *key, cJSON_bool (*is)(const cJSON *),
		 const char *type, int optional, const cJSON **item, struct ebb_err *err)
{
	int rc = lookup(obj, key, item, err);
	if (rc)
		return rc;
	if (!*item || cJSON_IsNull(*item)) {
		if (optional)
			return 0;
		return type_error(key, type, 0, err);
	}
	if (!is(*item))
		return type_error(key, type, optional, err);
	return 1;
}

static int get_string(const struct cJSON *obj, const char *key, const char **out, int optional,
		      struct ebb_err *err)
{
	const cJSON *item;
	int rc = fetch(obj, key, cJSON_IsString, "a string", optional, &item, err);
	if (rc <= 0)
		return rc;
	if (!item->valuestring)
		return type_error(key, "a string", optional, err);
	*out = item->valuestring;
	return EBB_OK;
}

int json_get_string(const struct cJSON *obj, const char *key, const char **out,
		    struct ebb_err *err)
{
	return get_string(obj, key, out, 0, err);
}

int json_opt_string(const struct cJSON *obj, const char *key, const char **out,
		    struct ebb_err *err)
{
	*out = NULL;
	return get_string(obj, key, out, 1, err);
}

static int get_number(const struct cJSON *obj, const char *key, double *out, int optional,
		      struct ebb_err *err)
{
	const cJSON *item;
	int rc = fetch(obj, key, cJSON_IsNumber, "a number", optional, &item, err);
	if (rc <= 0)
		return rc;
	if (!isfinite(item->valuedouble))
		return type_error(key, "a number", optional, err);
	*out = item->valuedouble;
	return EBB_OK;
}

int json_get_number(const struct cJSON *obj, const char *key, double *out, struct ebb_err *err)
{
	return get_number(obj, key, out, 0, err);
}

int json_opt_number(const struct cJSON *obj, const char *key, double *out, struct ebb_err *err)
{
	return get_number(obj, key, out, 1, err);
}

static int get_int(const struct cJSON *obj, const char *key, long long *out, int optional,
		   struct ebb_err *err)
{
	const cJSON *item;
	int rc = fetch(obj, key, cJSON_IsNumber, "a whole number", optional, &item, err);
	if (rc <= 0)
		return rc;
	double v = item->valuedouble;
	/* The range test is written so NaN fails it too. */
	if (!(v >= -JSON_MAX_EXACT && v <= JSON_MAX_EXACT) || (double)(long long)v != v)
		return type_error(key, "a whole number", optional, err);
	*out = (long long)v;
	return EBB_OK;
}

int json_get_int(const struct cJSON *obj, const char *key, long long *out, struct ebb_err *err)
{
	return get_int(obj, key, out, 0, err);
}

int json_opt_int(const struct cJSON *obj, const char *key, long long *out, struct ebb_err *err)
{
	return get_int(obj, key, out, 1, err);
}

static int get_bool(const struct cJSON *obj, const char *key, int *out, int optional,
		    struct ebb_err *err)
{
	const cJSON *item;
	int rc = fetch(obj, key, cJSON_IsBool, "true or false", optional, &item, err);
	if (rc <= 0)
		return rc;
	*out = cJSON_IsTrue(item) ? 1 : 0;
	return EBB_OK;
}

int json_get_bool(const struct cJSON *obj, const char *key, int *out, struct ebb_err *err)
{
	return get_bool(obj, key, out, 0, err);
}

int json_opt_bool(const struct cJSON *obj, const char *key, int *out, struct ebb_err *err)
{
	return get_bool(obj, key, out, 1, err);
}

static int get_object(const struct cJSON *obj, const char *key, const struct cJSON **out,
		      int optional, struct ebb_err *err)
{
	const cJSON *item;
	int rc = fetch(obj, key, cJSON_IsObject, "an object", optional, &item, err);
	if (rc <= 0)
		return rc;
	*out = item;
	return EBB_OK;
}

int json_get_object(const struct cJSON *obj, const char *key, const struct cJSON **out,
		    struct ebb_err *err)
{
	return get_object(obj, key, out, 0, err);
}

int json_opt_object(const struct cJSON *obj, const char *key, const struct cJSON **out,
		    struct ebb_err *err)
{
	*out = NULL;
	return get_object(obj, key, out, 1, err);
}

static int get_array(const struct cJSON *obj, const char *key, const struct cJSON **out,
		     int optional, struct ebb_err *err)
{
	const cJSON *item;
	int rc = fetch(obj, key, cJSON_IsArray, "an array", optional, &item, err);
	if (rc <= 0)
		return rc;
	*out = item;
	return EBB_OK;
}

int json_get_array(const struct cJSON *obj, const char *key, const struct cJSON **out,
		   struct ebb_err *err)
{
	return get_array(obj, key, out, 0, err);
}

int json_opt_array(const struct cJSON *obj, const char *key, const struct cJSON **out,
		   struct ebb_err *err)
{
	*out = NULL;
	return get_array(obj, key, out, 1, err);
}
