/* providers/chat_payload: reads back the JSON payload sync_queue_chat wrote
 * into the outbox (the row came from the database, so it is checked like
 * any other input), and the server URL set-up both chat providers share. */
#include <string.h>

#include "chat_int.h"
#include "ebb/net.h"

int chat_payload_parse(const struct outbox_item *it, const char *who, struct chat_payload *out,
		       struct ebb_err *err)
{
	memset(out, 0, sizeof *out);
	struct ebb_err jerr;
	if (!it->txn_id || !it->txn_id[0])
		return ebb_err_set(err, EBB_EINVAL, "%s: outbox item %lld has no transaction id; "
				   "cancel it and write it again", who, it->id);
	if (!it->payload || json_parse(it->payload, it->payload_len, &out->root, &jerr))
		return ebb_err_set(err, EBB_EINVAL, "%s: outbox item %lld is not a chat message "
				   "(was it queued for another account?)", who, it->id);
	if (!cJSON_IsObject(out->root) ||
	    json_get_string(out->root, "channel", &out->channel, &jerr) ||
	    json_get_string(out->root, "text", &out->text, &jerr) ||
	    json_opt_string(out->root, "thread", &out->thread, &jerr) ||
	    json_opt_string(out->root, "reply_to", &out->reply_to, &jerr) ||
	    !out->channel[0] || !out->text[0]) {
		chat_payload_free(out);
		return ebb_err_set(err, EBB_EINVAL, "%s: outbox item %lld is not a chat message "
				   "(was it queued for another account?)", who, it->id);
	}
	return EBB_OK;
}

void chat_payload_free(struct chat_payload *p)
{
	cJSON_Delete(p->root);
	memset(p, 0, sizeof *p);
}

int chat_base_url(const char *url, const char *who, char *base, size_t baselen, char *host,
		  size_t hostlen, struct ebb_err *err)
{
	if (util_strlcpy(base, url, baselen))
		return ebb_err_set(err, EBB_EINVAL, "%s: url is too long", who);
	size_t len = strlen(base);
	while (len && base[len - 1] == '/')
		base[--len] = '\0';
	int rc = net_url_check(base, host, hostlen, err);
	if (rc)
		ebb_err_prefix(err, "%s: url: ", who);
	return rc;
}
