/* providers/matrix_int.h: what the Matrix provider's files share: its state
 * and the client-server API calls (matrix_api.c) the sync (matrix.c) uses. */
#ifndef EBB_MATRIX_INT_H
#define EBB_MATRIX_INT_H

#include <cjson/cJSON.h>

#include "ebb/net.h"
#include "ebb/provider.h"

#define MX_MAX_ID 255              /* room, event and user ids (spec limit) */
#define MX_CURSOR_CHANNEL "~account"  /* pseudo-channel holding the /sync token */
#define MX_ENCRYPTED_SUFFIX " (encrypted, not supported yet)"

struct mx {
	struct provider *p;
	struct net_client *http;
	struct net_retry retry;    /* for /sync, /messages, /login */
	char base[1024];           /* homeserver base URL, no trailing '/' */
	char host[256];            /* for messages */
	char token[2048];          /* access token; wiped on close */
	char user[MX_MAX_ID + 1];  /* my MXID, lower case */
	char *my_name;             /* my global display name, NULL when unknown */
	int logged_in;             /* the token came from password_cmd + /login */
	size_t root_fetches;       /* thread roots fetched during this pull */
	/* Answers requests in place of the network, for the fuzz targets
	 * (tests/fuzz/); NULL in ebb. */
	int (*fake_http)(void *ctx, const struct net_request *rq, struct net_response *r,
			 struct ebb_err *err);
	void *fake_ctx;
};

/* One call to PREFIX/_matrix/client/v3 + path (already escaped) with an
 * optional query (already escaped) and JSON body. A 2xx answer is parsed
 * into *out (a JSON object, caller frees); anything else is an error
 * sentence that starts with "matrix " + what. pol NULL = m->retry. */
int mx_call(struct mx *m, const char *method, const char *path, const char *query,
	    const char *body, const char *what, const struct net_retry *pol, cJSON **out,
	    struct ebb_err *err);

/* POST /login with m.login.password (password from password_cmd). */
int mx_login(struct mx *m, struct ebb_err *err);
/* GET /account/whoami: learns m->user when the config does not name it. */
int mx_whoami(struct mx *m, struct ebb_err *err);
/* GET /profile/{me}/displayname, one try; failures leave my_name NULL. */
void mx_fetch_my_name(struct mx *m);
/* GET /rooms/{room}/messages backwards from `from` down to `to` (NULL =
 * the room's start), at most limit events, members lazy-loaded. The answer's
 * chunk (newest first), state and end are checked by the caller. */
int mx_room_history(struct mx *m, const char *room_id, const char *from, const char *to,
		    int limit, cJSON **out, struct ebb_err *err);
/* GET /rooms/{room}/event/{event}. */
int mx_room_event(struct mx *m, const char *room_id, const char *event_id, cJSON **out,
		  struct ebb_err *err);

/* Older history on demand (the backfill op): pages back from
 * the room channel's stored token ("b:TOKEN", kept by the first sync of a
 * room with more history than it showed), adds up to limit messages to b,
 * marked read, and the channel with the next token ("" at the room's
 * start). EBB_ENOENT when there is nothing older to fetch. */
int mx_backfill(struct provider *p, const char *room_id, int limit, struct store_batch *b,
		struct ebb_err *err);

/* Outbox, read markers and waiting (matrix_send.c): the provider ops. */
int mx_send(struct provider *p, const struct outbox_item *it, struct send_result *res,
	    struct ebb_err *err);
int mx_push_flags(struct provider *p, const struct batch_flag *f, size_t n, struct ebb_err *err);
int mx_wait(struct provider *p, int timeout_ms, struct ebb_err *err);

#endif
