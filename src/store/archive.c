/* store/archive: which messages of done conversations still sit outside the
 * archive mailbox, for mail providers that move them there (archive = NAME). */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char sql_archive_pending[] =
	"SELECT ch.remote_id, m.remote_id FROM conversation c"
	" JOIN message m ON m.conversation_id = c.id"
	" JOIN channel ch ON ch.id = m.channel_id"
	" WHERE c.account_id = ?1 AND c.state = 'done'"
	" AND ch.remote_id != coalesce(?2, '') AND ch.remote_id != coalesce(?3, '')"
	" ORDER BY ch.id, m.id LIMIT ?4";

void store_archive_free(struct batch_removal *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].channel);
		free(r[i].remote_id);
	}
	free(r);
}

int store_archive_pending(struct store *st, long long account_id, const char *archive,
			  const char *keep, size_t limit, struct batch_removal **out, size_t *n,
			  struct ebb_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql_archive_pending, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	sqlite3_bind_int64(s, 1, account_id);
	store_bind_text(s, 2, archive);
	store_bind_text(s, 3, keep);
	sqlite3_bind_int64(s, 4, limit > INT32_MAX ? INT32_MAX : (sqlite3_int64)limit);
	struct batch_removal *list = NULL;
	size_t count = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct batch_removal *grown = realloc(list, ncap * sizeof *grown);
			if (!grown)
				goto nomem;
			list = grown;
			cap = ncap;
		}
		struct batch_removal *r = &list[count];
		memset(r, 0, sizeof *r);
		count++;
		if (store_col_strdup(s, 0, &r->channel) || store_col_strdup(s, 1, &r->remote_id))
			goto nomem;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_archive_free(list, count);
		return store_sql_err(st, rc, err, "cannot list the messages to archive");
	}
	*out = list;
	*n = count;
	return EBB_OK;
nomem:
	sqlite3_reset(s);
	store_archive_free(list, count);
	return ebb_err_set(err, EBB_ENOMEM, "out of memory listing the messages to archive");
}
