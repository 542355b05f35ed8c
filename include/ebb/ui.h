/* ui: the full-screen ncurses client, and the one sanitizer every byte
 * bound for the terminal goes through. */
#ifndef EBB_UI_H
#define EBB_UI_H

#include <stddef.h>
#include <time.h>

#include "ebb/config.h"
#include "ebb/util.h"

/* Makes text safe to draw: C0/C1 controls, DEL, ESC/CSI/OSC/DCS sequences,
 * bidi overrides and isolates (U+202A-202E, U+2066-2069), U+200E/F, BOM and
 * invalid UTF-8 are replaced by U+FFFD (a whole escape sequence by one).
 * Tabs become a space, newlines (LF or CR LF) too unless keep_newlines; a
 * lone CR and NUL are controls like the others. An escape sequence without
 * its terminator ends after 256 bytes. The output is valid UTF-8, always
 * NUL-terminated, cut on a character boundary when outlen is too small.
 * Returns the output length in bytes. */
size_t ui_sanitize(const char *in, size_t inlen, char *out, size_t outlen, int keep_newlines);
/* Display width of sanitized UTF-8 text (wcwidth; wide = 2, combining = 0). */
int ui_text_width(const char *s, size_t len);
/* Copies at most `cols` display columns of sanitized s into out, ending with
 * "…" when cut. Returns the display width written. */
int ui_fit(const char *s, int cols, char *out, size_t outlen);
/* Word wrap: the byte length of the first line of at most `cols` columns of
 * sanitized, newline-free s[0..len), broken after the last space that fits
 * (else on a character boundary; never inside a character or before its
 * combining marks). *next is where the following line starts (spaces at the
 * break skipped); it is always > 0 when len > 0. */
size_t ui_wrap(const char *s, size_t len, int cols, size_t *next);

/* Age of a message for a list column: "now", "42m", "3h", "2d", "Nov 3"
 * (same year in tz), "Nov 2024". tz NULL = UTC. */
void ui_format_age(time_t t, time_t now, const struct ebb_tz *tz, char *out, size_t outlen);
/* A date for headers: "Tue, 24 Nov 2026 09:00 +0100" in tz (NULL = UTC). */
void ui_format_date(time_t t, const struct ebb_tz *tz, char *out, size_t outlen);

/* A time as the user types it, for snooze, waiting and `ebb snooze`:
 * "+3h", "+30m", "+2d", "+1w", "next-block" (the next reply block),
 * "tomorrow" and weekdays ("monday", "mon": the next one) at the start of
 * work, "2026-11-25" (start of work that day), "2026-11-25T14:00" (local
 * time in the configured zone) or with a zone ("...Z", "...+01:00").
 * Returns 0 or EBB_EPARSE. */
int ui_parse_when(const struct ebb_config *cfg, const char *s, time_t now, time_t *out);

/* A search as typed: FTS5 syntax plus from:, to:, subject:, before:DATE,
 * after:DATE and in:CHANNEL (values may be "quoted"). from: and subject:
 * become FTS5 column filters; to:, before:, after: and in: become filters
 * on the messages (see store_search_filtered). DATE is 2026-11-20 (local
 * midnight), 2026-11-20T14:00, today, yesterday or 7d (days ago). */
struct ui_search_query {
	char *fts;        /* FTS5 query for the store, NULL when there is none */
	char *to;
	char *channel;
	time_t after, before;
};
/* Fails with EBB_EINVAL and a sentence starting "search: " for a bad date
 * or a repeated to:/in:. */
int ui_search_parse(const struct ebb_config *cfg, const char *text, time_t now,
		    struct ui_search_query *out, struct ebb_err *err);
void ui_search_query_free(struct ui_search_query *q);
/* How many conversations the search list fetches at once (bench/search_lat
 * measures the same). */
#define UI_SEARCH_PAGE 200

struct ui_opts {
	const struct ebb_config *cfg;
	const char *db_path;
	int sync;            /* start the background sync engine */
};
/* Runs the client until the user quits. Restores the terminal on every path. */
int ui_run(const struct ui_opts *opts, struct ebb_err *err);

#endif
