/* cli/stdin: the CLI's terminal plumbing: one bounded reader for bodies
 * and round-ups on stdin, one sanitizing printer for error sentences. */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "ebb/ui.h"

void cli_error(const char *msg)
{
	char safe[EBB_ERRLEN * 3];
	ui_sanitize(msg, strnlen(msg, EBB_ERRLEN), safe, sizeof safe, 0);
	fprintf(stderr, "ebb: %s\n", safe);
}

int cli_read_stdin(size_t max, const char *what, char **out, size_t *len, struct ebb_err *err)
{
	struct sbuf sb = {0};
	char buf[8192];
	size_t n;
	*out = NULL;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		if (sb.len + n > max) {
			sbuf_free(&sb);
			return ebb_err_set(err, EBB_ETOOBIG, "%s is over %zu bytes", what, max);
		}
		if (sbuf_append(&sb, buf, n)) {
			sbuf_free(&sb);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory");
		}
	}
	if (len)
		*len = sb.len;
	*out = sbuf_detach(&sb);
	return *out ? EBB_OK : ebb_err_set(err, EBB_ENOMEM, "out of memory");
}
