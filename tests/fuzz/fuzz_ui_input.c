/* fuzz_ui_input: libFuzzer target for what the client reads from people and
 * from mail: search queries, the editor's file, address lists, attachment
 * file names and typed times. Nothing may crash, and what comes out keeps
 * its promises (safe file names, bounded FTS text). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ui/ui_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ebb_config *cfg;
	if (!cfg && config_defaults(&cfg, NULL))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct ui_search_query q;
	if (ui_search_parse(cfg, text, 1795504800, &q, NULL) == EBB_OK) {
		if (!q.fts && !q.to && !q.channel && !q.before && !q.after)
			__builtin_trap();   /* an empty query must be an error */
		ui_search_query_free(&q);
	}

	struct compose_fields f = { 0 };
	if (compose_file_parse(text, strlen(text), &f) == EBB_OK && !f.body)
		__builtin_trap();
	compose_fields_clear(&f);

	char **addrs;
	size_t n;
	if (ui_addr_split(text, &addrs, &n) == EBB_OK) {
		for (size_t i = 0; i < n; i++) {
			char bare[256];
			ui_addr_bare(addrs[i], bare, sizeof(bare));
		}
		ui_addr_free(addrs, n);
	}

	char name[256];
	ui_attachment_filename(text, 1, name, sizeof(name));
	if (!name[0] || name[0] == '.' || strchr(name, '/') || strlen(name) > 200)
		__builtin_trap();
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			__builtin_trap();

	time_t t;
	ui_parse_when(cfg, text, 1795504800, &t);
	char *subject = ui_reply_subject(text);
	free(subject);
	free(text);
	return 0;
}
