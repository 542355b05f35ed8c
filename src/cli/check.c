/* cli/check: `ebb check`, a read-only PRAGMA integrity_check of the
 * database with a one-line summary. */
#include <stdio.h>

#include "cli_int.h"
#include "ebb/store.h"

int cli_check(struct cli_env *env, int argc, char **argv)
{
	(void)argv;
	if (argc) {
		fprintf(stderr, "ebb: usage: ebb check\n");
		return 2;
	}
	struct store *st;
	struct ebb_err err = {0};
	if (store_open_readonly(env->db_path, &st, &err)) {
		cli_error(err.msg);
		return 1;
	}
	int rc = store_check(st, &err);
	if (rc)
		cli_error(err.msg);
	else
		printf("%s: ok (schema %d, %zu conversations in view all, %zu held, %zu uncertain)\n",
		       env->db_path, store_schema_version(st), store_conv_count(st, VIEW_ALL),
		       store_outbox_count(st, OUTBOX_HELD), store_outbox_count(st, OUTBOX_UNCERTAIN));
	store_close(st);
	return rc ? 1 : 0;
}
