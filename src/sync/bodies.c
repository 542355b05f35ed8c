/* sync/bodies: fetches what a header-only sync leaves out, for `ebb show`
 * and the UI's engine: missing bodies (IMAP), the due queue's bodies ahead
 * of time, and one older page of a chat room (Matrix back-pagination). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebb/mime.h"
#include "ebb/provider.h"
#include "sync_int.h"

/* The account's provider, opened on the first body that is missing so a
 * conversation with every body stored costs no connection. */
struct body_source {
	const struct account_cfg *acc;
	struct provider p;
	int opened;
};

static int source_open(struct body_source *src, struct store *st, struct ebb_err *err)
{
	if (src->opened)
		return EBB_OK;
	src->p.ops = provider_lookup(src->acc->kind);
	src->p.acc = src->acc;
	src->p.store = st;
	if (!src->p.ops)
		return ebb_err_set(err, EBB_EINVAL, "kind = %s is not supported by this ebb",
				   src->acc->kind);
	int rc = store_account_ensure(st, src->acc->name, src->acc->kind, &src->p.account_id, err);
	if (!rc)
		rc = src->p.ops->open(&src->p, err);
	if (!rc)
		src->opened = 1;
	return rc;
}

static void source_close(struct body_source *src)
{
	if (src->opened && src->p.ops->close)
		src->p.ops->close(&src->p);
	src->opened = 0;
}

/* Attachments are stored as "name\ttype\tsize\n" lines, the form the
 * thread pane lists. */
static int fetch_one(struct body_source *src, struct store *st, const struct msg_row *m,
		     struct ebb_err *err)
{
	if (!m->channel || !m->remote_id)
		return ebb_err_set(err, EBB_ENOENT, "message %lld has no remote id to fetch it by",
				   m->id);
	struct sbuf raw = {0};
	struct mime_message *mm = NULL;
	int rc = src->p.ops->fetch_raw(&src->p, m->channel, m->remote_id, &raw, err);
	if (!rc)
		rc = mime_parse(raw.buf ? raw.buf : "", raw.len, &mm, err);
	sbuf_free(&raw);
	if (rc)
		return rc;
	struct sbuf att = {0};
	for (size_t i = 0; i < mm->natt && !rc; i++)
		rc = sbuf_printf(&att, "%s\t%s\t%zu\n",
				 mm->att[i].filename ? mm->att[i].filename : "",
				 mm->att[i].content_type ? mm->att[i].content_type : "",
				 mm->att[i].size);
	if (rc)
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory listing attachments");
	else
		rc = store_msg_set_body(st, m->id, mm->text ? mm->text : "",
					att.len ? att.buf : NULL, err);
	sbuf_free(&att);
	mime_message_free(mm);
	return rc;
}

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fetches the missing bodies of one conversation until deadline_ms (0 =
 * none). Keeps going past a message that fails so one broken mail does not
 * hide the rest; the first failure is returned. */
static int fetch_conv(struct body_source *src, struct store *st, long long conv_id,
		      long long deadline_ms, size_t *fetched, struct ebb_err *err)
{
	struct msg_row *rows = NULL;
	size_t n = 0;
	int rc = store_msg_list(st, conv_id, &rows, &n, err);
	if (rc)
		return rc;
	int first_rc = EBB_OK;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].body)
			continue;
		if (deadline_ms && monotonic_ms() > deadline_ms)
			break;
		struct ebb_err one = {0};
		rc = source_open(src, st, &one);
		if (!rc)
			rc = fetch_one(src, st, &rows[i], &one);
		if (!rc) {
			(*fetched)++;
		} else if (!first_rc) {
			first_rc = rc;
			if (err)
				*err = one;
		}
		/* Without a connection every other message fails the same way. */
		if (rc && !src->opened)
			break;
	}
	store_msg_rows_free(rows, n);
	return first_rc;
}

static int can_fetch(const struct account_cfg *acc)
{
	const struct provider_ops *ops = provider_lookup(acc->kind);
	return ops && ops->fetch_raw;
}

int sync_fetch_bodies(const struct account_cfg *acc, struct store *st, long long conv_id,
		      size_t *fetched, struct ebb_err *err)
{
	size_t count = 0;
	if (fetched)
		*fetched = 0;
	if (!can_fetch(acc))
		return EBB_OK;
	struct body_source src = {.acc = acc};
	int rc = fetch_conv(&src, st, conv_id, 0, &count, err);
	source_close(&src);
	if (fetched)
		*fetched = count;
	if (rc)
		ebb_err_prefix(err, "account %s: ", acc->name);
	return rc;
}

/* Rows of the due view read per page, and at most, while looking for the
 * account's first conversations among those of every account. */
#define DUE_PAGE 100
#define DUE_SCAN_MAX 1000

int sync_prefetch_due(const struct account_cfg *acc, struct store *st, size_t max_convs,
		      int budget_ms, size_t *fetched, struct ebb_err *err)
{
	size_t count = 0, mine = 0, scanned = 0;
	int first_rc = EBB_OK;
	if (fetched)
		*fetched = 0;
	if (!can_fetch(acc) || !max_convs)
		return EBB_OK;
	long long deadline = monotonic_ms() + (budget_ms > 0 ? budget_ms : 1);
	struct body_source src = {.acc = acc};
	struct conv_cursor after = {0};
	int rc = EBB_OK, no_connection = 0;
	while (!rc && !no_connection && mine < max_convs && scanned < DUE_SCAN_MAX &&
	       monotonic_ms() <= deadline) {
		struct conv_row *convs = NULL;
		size_t n = 0;
		if ((rc = store_conv_list(st, VIEW_DUE, scanned ? &after : NULL, DUE_PAGE, &convs,
					  &n, err)) || !n)
			break;
		for (size_t i = 0; i < n && mine < max_convs && !no_connection; i++) {
			if (!convs[i].account || strcmp(convs[i].account, acc->name))
				continue;
			mine++;
			if (monotonic_ms() > deadline)
				break;
			struct ebb_err one = {0};
			int one_rc = fetch_conv(&src, st, convs[i].id, deadline, &count, &one);
			/* The first failure is reported; without a connection the
			 * other conversations would fail the same way. */
			if (one_rc && !first_rc) {
				first_rc = one_rc;
				if (err)
					*err = one;
			}
			no_connection = one_rc && !src.opened;
		}
		after.sort_key = convs[n - 1].sort_key;
		after.id = convs[n - 1].id;
		scanned += n;
		store_conv_rows_free(convs, n);
		if (n < DUE_PAGE)
			break;
	}
	source_close(&src);
	if (fetched)
		*fetched = count;
	if (!rc)
		rc = first_rc;
	if (rc)
		ebb_err_prefix(err, "account %s: ", acc->name);
	return rc;
}

int sync_fetch_attachment(const struct account_cfg *acc, struct store *st, const char *channel,
			  const char *remote_id, size_t index, char **data, size_t *len,
			  struct ebb_err *err)
{
	*data = NULL;
	*len = 0;
	if (!can_fetch(acc))
		return ebb_err_set(err, EBB_EINVAL, "%s accounts keep no raw messages to read "
				   "attachments from", acc->kind);
	if (!channel || !remote_id)
		return ebb_err_set(err, EBB_ENOENT, "The message of this attachment is gone");
	/* No store_account_ensure: fetch_raw needs only the remote ids, and
	 * the caller's connection may be the screen's, which only reads here. */
	struct provider p = {.ops = provider_lookup(acc->kind), .acc = acc, .store = st};
	struct sbuf raw = {0};
	int rc = p.ops->open(&p, err);
	if (!rc)
		rc = p.ops->fetch_raw(&p, channel, remote_id, &raw, err);
	if (p.ops->close)
		p.ops->close(&p);
	if (!rc)
		rc = mime_attachment_extract(raw.buf ? raw.buf : "", raw.len, index, data, len, err);
	sbuf_free(&raw);
	return rc;
}

/* The room of a conversation whose stored cursor says older history
 * exists ("b:TOKEN"); EBB_ENOENT when there is none. */
static int older_room(struct store *st, long long account_id, long long conv_id, char **room,
		      struct ebb_err *err)
{
	*room = NULL;
	struct msg_row *rows = NULL;
	size_t n = 0;
	int rc = store_msg_list(st, conv_id, &rows, &n, err);
	if (rc)
		return rc;
	long long channel_id = n ? rows[0].channel_id : 0;
	store_msg_rows_free(rows, n);
	if (!channel_id)
		return EBB_ENOENT;
	struct store_channel *chans = NULL;
	size_t nchans = 0;
	rc = store_channel_list(st, account_id, &chans, &nchans, err);
	if (rc)
		return rc;
	rc = EBB_ENOENT;
	for (size_t i = 0; i < nchans; i++) {
		const struct store_channel *c = &chans[i];
		if (c->id != channel_id)
			continue;
		if (c->remote_id && c->cursor && !strncmp(c->cursor, "b:", 2) && c->cursor[2]) {
			*room = strdup(c->remote_id);
			rc = *room ? EBB_OK : ebb_err_set(err, EBB_ENOMEM, "out of memory");
		}
		break;
	}
	store_channel_list_free(chans, nchans);
	return rc;
}

int sync_backfill(const struct ebb_config *cfg, const struct account_cfg *acc, struct store *st,
		  long long conv_id, size_t *added, struct ebb_err *err)
{
	if (added)
		*added = 0;
	const struct provider_ops *ops = provider_lookup(acc->kind);
	if (!ops || !ops->backfill)
		return EBB_ENOENT;
	long long account_id;
	int rc = store_account_ensure(st, acc->name, acc->kind, &account_id, err);
	char *room = NULL;
	if (!rc)
		rc = older_room(st, account_id, conv_id, &room, err);
	if (rc)
		return rc;
	struct body_source src = {.acc = acc};
	struct store_batch batch = {0};
	struct batch_result res = {0};
	rc = source_open(&src, st, err);
	if (!rc)
		rc = ops->backfill(&src.p, room, &batch, err);
	if (!rc)
		rc = sync_commit_batch(cfg, acc, st, account_id, &batch, &res, err);
	batch_free(&batch);
	source_close(&src);
	free(room);
	if (!rc && added)
		*added = res.inserted;
	if (rc && rc != EBB_ENOENT)
		ebb_err_prefix(err, "account %s: ", acc->name);
	return rc;
}
