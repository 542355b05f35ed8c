/* providers/chat_int.h: what the chat providers (Matrix, Slack) share: the
 * outbox payload of a chat message as they read it back ({"channel", "text",
 * "thread", "reply_to"}, written by sync_queue_chat) and the server URL. */
#ifndef EBB_CHAT_INT_H
#define EBB_CHAT_INT_H

#include <cjson/cJSON.h>

#include "ebb/store.h"

struct chat_payload {
	const char *channel;       /* remote channel id */
	const char *text;
	const char *thread;        /* thread root, NULL = none */
	const char *reply_to;      /* message answered, NULL = none */
	cJSON *root;               /* owns the strings */
};

/* Parses and checks the payload; `who` names the provider in the error
 * ("matrix", "slack"). The item's txn id must be set too. */
int chat_payload_parse(const struct outbox_item *it, const char *who, struct chat_payload *out,
		       struct ebb_err *err);
void chat_payload_free(struct chat_payload *p);

/* Copies the configured url into base without trailing '/' and checks it,
 * writing its host into host for messages; `who` names the provider in the
 * error. */
int chat_base_url(const char *url, const char *who, char *base, size_t baselen, char *host,
		  size_t hostlen, struct ebb_err *err);

#endif
