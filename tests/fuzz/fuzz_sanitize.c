/* fuzz_sanitize: ui_sanitize output is valid UTF-8 free of controls, C1, DEL
 * and bidi characters, and ui_fit/ui_wrap stay in bounds; else abort. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/ui.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_ALL, "C.UTF-8");
	return 0;
}

static int forbidden(uint32_t cp, int keep_newlines)
{
	if (cp < 0x20)
		return !(keep_newlines && cp == '\n');
	return cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
	       cp == 0xFEFF;
}

static void check_text(const char *s, size_t len, int keep_newlines)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		int n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (n < 0 || forbidden(cp, keep_newlines))
			abort();
		i += (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	/* Two option bytes: newline mode and the output size, so cuts at every
	 * boundary get exercised, not only roomy buffers. */
	int keep_newlines = data[0] & 1;
	int cols = data[0] >> 1;
	size_t outlen = data[1] == 0xFF ? size * 3 + 1 : data[1];
	const char *in = (const char *)data + 2;
	size_t inlen = size - 2;

	char *out = malloc(outlen ? outlen : 1);
	if (!out)
		return 0;
	size_t n = ui_sanitize(in, inlen, out, outlen, keep_newlines);
	if (outlen == 0) {
		if (n != 0)
			abort();
		free(out);
		return 0;
	}
	if (n >= outlen || out[n] != '\0' || strlen(out) != n)
		abort();
	check_text(out, n, keep_newlines);
	if (outlen == size * 3 + 1 && inlen > 0 && n == 0)
		abort();   /* a roomy buffer never loses all of a non-empty input */

	char fit[512];
	int w = ui_fit(out, cols, fit, sizeof(fit));
	if (w < 0 || w > cols || ui_text_width(fit, strlen(fit)) != w)
		abort();
	check_text(fit, strlen(fit), keep_newlines);

	if (!keep_newlines && cols > 0) {
		size_t at = 0;
		while (at < n) {
			size_t next;
			size_t line = ui_wrap(out + at, n - at, cols, &next);
			if (next == 0 || next > n - at || line > next)
				abort();
			check_text(out + at, line, 0);
			at += next;
		}
	}
	free(out);
	return 0;
}
