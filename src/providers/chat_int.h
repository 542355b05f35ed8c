/* providers/chat_int.h: the outbox payload of a chat message as the chat
 * providers (Matrix, Slack) read it back: {"channel", "text", "thread",
 * "reply_to"}, written by sync_queue_chat. */
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

#endif
