/* cli/common: the id parser and JSON output helpers the command files
 * share, so every command reads ids and writes JSON alike. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_int.h"

int cli_parse_id(const char *s, long long *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 1)
		return -1;
	*id = v;
	return 0;
}

cJSON *cli_json_add_str(cJSON *obj, const char *key, const char *s)
{
	return s ? cJSON_AddStringToObject(obj, key, s) : cJSON_AddNullToObject(obj, key);
}

cJSON *cli_json_push_object(cJSON *arr)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int cli_json_print(cJSON *root)
{
	char *text = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text)
		return 1;
	puts(text);
	cJSON_free(text);
	return 0;
}
