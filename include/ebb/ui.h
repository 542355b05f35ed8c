/* ui: the full-screen ncurses client, and the one sanitizer every byte
 * bound for the terminal goes through. */
#ifndef EBB_UI_H
#define EBB_UI_H

#include <stddef.h>

#include "ebb/config.h"
#include "ebb/util.h"

/* Makes text safe to draw: C0/C1 controls, DEL, ESC/CSI/OSC/DCS sequences,
 * bidi overrides and isolates (U+202A-202E, U+2066-2069), U+200E/F, BOM and
 * invalid UTF-8 are replaced by U+FFFD (a whole escape sequence by one).
 * Tabs become a space, newlines too unless keep_newlines. The output is valid
 * UTF-8, always NUL-terminated, cut on a character boundary when outlen is
 * too small. Returns the output length in bytes. */
size_t ui_sanitize(const char *in, size_t inlen, char *out, size_t outlen, int keep_newlines);
/* Display width of sanitized UTF-8 text (wcwidth; wide = 2, combining = 0). */
int ui_text_width(const char *s, size_t len);
/* Copies at most `cols` display columns of sanitized s into out, ending with
 * "…" when cut. Returns the display width written. */
int ui_fit(const char *s, int cols, char *out, size_t outlen);

struct ui_opts {
	const struct ebb_config *cfg;
	const char *db_path;
	int sync;            /* start the background sync engine */
};
/* Runs the client until the user quits. Restores the terminal on every path. */
int ui_run(const struct ui_opts *opts, struct ebb_err *err);

#endif
