/* fuzz_text: any bytes through the context check, the deadline grammar and
 * the round-up extractor, formatter and parser: no crash, bounds kept. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW ((time_t)1795503600)   /* Tue 2026-11-24 08:00 CET */

static void check_items(const struct roundup *r)
{
	if (r->n > ROUNDUP_MAX_ITEMS)
		abort();
	for (size_t i = 0; i < r->n; i++) {
		const struct roundup_item *it = &r->items[i];
		if (!it->text || !it->text[0] || strlen(it->text) >= ROUNDUP_TEXT_MAX ||
		    (unsigned)it->kind > ROUNDUP_QUESTION)
			abort();
		for (const char *p = it->text; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ebb_tz *tz;
	if (!tz && tz_parse_posix("CET-1CEST,M3.5.0,M10.5.0/3", &tz, NULL))
		abort();
	struct policy_hours h;
	policy_hours_default(&h, tz);
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	/* The deadline grammar reads exactly size bytes, NUL or not. */
	struct policy_deadline dl;
	if (policy_deadline_find((const char *)data, size, &h, NOW, &dl) &&
	    (dl.start > size || dl.len > size - dl.start || dl.len == 0))
		abort();

	char *nl = strchr(text, '\n');
	char subject[256] = "";
	if (nl && (size_t)(nl - text) < sizeof subject)
		memcpy(subject, text, (size_t)(nl - text));
	struct policy_context ctx;
	if (policy_context_check(subject, nl ? nl + 1 : text, (int)(size & 1), &ctx) ||
	    strlen(ctx.advice) >= sizeof ctx.advice || (ctx.missing && !ctx.advice[0]))
		abort();

	/* The body as a thread of two, then the block written and read back. */
	struct roundup_msg msgs[2] = {
		{"ann@example.com", "me", text, NOW - 86400},
		{"me", "ann@example.com", nl ? nl + 1 : text, NOW - 3600},
	};
	struct roundup r = {0}, back = {0};
	if (policy_roundup_extract(msgs, 2, &h, &r, NULL) == EBB_OK) {
		check_items(&r);
		char *block = NULL;
		if (policy_roundup_format(&r, &h, NOW, &block, NULL) == EBB_OK) {
			if (policy_roundup_parse(block, strlen(block), &h, NOW, &back, NULL) == EBB_OK) {
				check_items(&back);
				/* Never more than was written (an item reading "(none)"
				 * or two that read alike once their due date is taken
				 * out may merge). */
				if (back.n > r.n)
					abort();
			}
			free(block);
		}
	}
	policy_roundup_free(&back);
	policy_roundup_free(&r);
	if (policy_roundup_parse(text, size, &h, NOW, &back, NULL) == EBB_OK)
		check_items(&back);
	policy_roundup_free(&back);
	free(text);
	return 0;
}
