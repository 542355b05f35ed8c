/* fuzz_mime: libFuzzer target for the mime module: the whole input as a
 * message, as one header value, as HTML and as text in a legacy charset.
 * Every string that comes out must be valid UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "ebb/util.h"

static void check_utf8(const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (k < 0)
			__builtin_trap();   /* a promise of the header broken */
		i += (size_t)k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	mime_init();

	struct mime_message *m = NULL;
	if (mime_parse(in, size, &m, NULL) == EBB_OK) {
		check_utf8(m->subject);
		check_utf8(m->from_addr);
		check_utf8(m->from_name);
		check_utf8(m->to);
		check_utf8(m->to_addrs);
		check_utf8(m->cc);
		check_utf8(m->references);
		check_utf8(m->text);
		for (size_t i = 0; i < m->natt; i++) {
			check_utf8(m->att[i].filename);
			check_utf8(m->att[i].content_type);
		}
		char snippet[120];
		mime_snippet(m->text, snippet, sizeof(snippet));
		check_utf8(snippet);
		mime_message_free(m);
	}

	char *header = mime_decode_header(in, size);
	check_utf8(header);
	free(header);

	char *text = mime_html_to_text(in, size);
	check_utf8(text);
	char snippet[64];
	mime_snippet(text, snippet, sizeof(snippet));
	check_utf8(snippet);
	free(text);

	static const char *const charsets[] = {"shift_jis", "koi8-r", "utf-8", "iso-2022-jp"};
	char *conv = mime_to_utf8(in, size, charsets[size % 4]);
	check_utf8(conv);
	free(conv);
	return 0;
}
