/* cli/stdin: message bodies and edited round-ups arrive on stdin; one
 * bounded reader for all commands that take them. */
#include <stdio.h>

#include "cli_int.h"

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
