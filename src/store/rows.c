/* store/rows: steps a statement to its end collecting its rows into a
 * growing array, for every list the store hands out. */
#include <stdint.h>
#include <stdlib.h>

#include "store_int.h"

int store_rows_collect(struct store *st, sqlite3_stmt *s, const struct store_rows_kind *kind,
		       void **rows, size_t *n, struct ebb_err *err)
{
	char *out = NULL;
	size_t count = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : kind->first_cap;
			if (ncap > SIZE_MAX / kind->row_size)
				goto nomem;
			char *p = realloc(out, ncap * kind->row_size);
			if (!p)
				goto nomem;
			out = p;
			cap = ncap;
		}
		if (kind->fill(s, out + count * kind->row_size))
			goto nomem;
		count++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		kind->free_rows(out, count);
		return store_sql_err(st, rc, err, kind->sql_what);
	}
	*rows = out;
	*n = count;
	return EBB_OK;
nomem:
	sqlite3_reset(s);
	kind->free_rows(out, count);
	return ebb_err_set(err, EBB_ENOMEM, "%s", kind->nomem_what);
}
