/* providers/slack_int.h: what the Slack provider's files share: its state,
 * the Web API call with Slack's error sentences (slack_api.c), mrkdwn to
 * plain text and message timestamps (slack_text.c), sending (slack_send.c). */
#ifndef EBB_SLACK_INT_H
#define EBB_SLACK_INT_H

#include <cjson/cJSON.h>

#include "ebb/net.h"
#include "ebb/provider.h"

#define SK_DEFAULT_URL "https://slack.com/api"
#define SK_MAX_ID 64               /* user, channel and team ids (U012AB3CD) */
#define SK_MAX_NAME 255
#define SK_MAX_BODY (64 * 1024)

/* A conversation the user is a member of, from conversations.list. */
struct sk_conv {
	char id[SK_MAX_ID + 1];
	char name[SK_MAX_NAME + 1];   /* channel name, or "" for an IM */
	char user[SK_MAX_ID + 1];     /* the other person of an IM */
	int is_im, is_mpim, is_private;
};

struct sk_user {
	char id[SK_MAX_ID + 1];
	char *name;                   /* display name, NULL when unknown */
};

struct slack {
	struct provider *p;
	struct net_client *http;
	struct net_retry retry;       /* for reading calls */
	char base[1024];              /* API base URL without a trailing '/' */
	char host[256];
	char token[2048];             /* wiped on close */
	char me[SK_MAX_ID + 1];       /* my user id as Slack writes it */
	char my_handle[SK_MAX_NAME + 1];
	/* One sync: the conversations listed, pulled one per batch. */
	struct sk_conv *convs;
	size_t nconvs, next_conv;
	int listed;
	struct store_channel *known;  /* the store's channels (cursors) */
	size_t nknown;
	struct sk_user *users;        /* users.info answers of this sync */
	size_t nusers, capusers;
	/* Answers requests in place of the network, for the fuzz targets
	 * (tests/fuzz/); NULL in ebb. */
	int (*fake_http)(void *ctx, const struct net_request *rq, struct net_response *r,
			 struct ebb_err *err);
	void *fake_ctx;
};

/* ---- slack_api.c ---------------------------------------------------------- */
/* One Web API call: GET base/METHOD?query, or POST with a JSON body when
 * body is set. An answer with "ok": true is returned in *out (caller frees);
 * anything else is an error sentence that starts with "slack LABEL: "
 * (label NULL = the method; "conversations.history #general" says more).
 * pol NULL = s->retry (429 waits Retry-After, 5xx and drops back off). */
int sk_call(struct slack *s, const char *method, const char *label, const char *query,
	    const char *body, const struct net_retry *pol, cJSON **out, struct ebb_err *err);
/* The sentence for an "ok": false answer (invalid_auth, missing_scope, ...);
 * returns the ebb code. Exposed for sending, which makes its own requests. */
int sk_api_error(const char *label, const cJSON *root, struct ebb_err *err);
/* The sentence for an answer that is not HTTP 200 (or has no JSON). */
int sk_http_error(struct slack *s, const char *label, const struct net_response *r,
		  struct ebb_err *err);
/* The request sk_call makes, for the senders that drive their own retries. */
void sk_request(struct slack *s, const char *method, const char *query, const char *body,
		struct sbuf *url, struct net_request *rq);
/* The display name of a user (users.info, cached for the provider's life);
 * NULL when Slack does not know it. */
const char *sk_user_name(struct slack *s, const char *user_id);

/* ---- slack_text.c ----------------------------------------------------------- */
/* Names for mentions: kind '@' (a user id) or '#' (a channel id); NULL when
 * unknown, then the id is shown. */
typedef const char *(*sk_name_fn)(void *ctx, char kind, const char *id);
/* Slack's mrkdwn as plain text: <@U1> -> @Name, <#C1|name> -> #name,
 * <https://x|label> -> label <https://x>, <!here> -> @here, &amp; &lt; &gt;
 * decoded; *bold* and _italic_ stay as typed. At most max bytes of input
 * are read. NULL only on ENOMEM. */
char *sk_mrkdwn_to_text(const char *in, size_t max, sk_name_fn names, void *ctx);
/* The text of a message the user typed, escaped for Slack (&, <, >). */
char *sk_escape_text(const char *in);

/* Message timestamps "1512085950.000216": seconds and microseconds. */
struct sk_ts {
	long long sec;
	long usec;
};
/* 0 for a well-formed ts, EBB_EPARSE otherwise. */
int sk_ts_parse(const char *s, struct sk_ts *out);
/* <0, 0, >0 like strcmp; a missing or malformed ts sorts first. */
int sk_ts_cmp(const char *a, const char *b);
void sk_ts_format(const struct sk_ts *t, char *out, size_t outlen);

/* ---- slack_send.c ------------------------------------------------------------- */
int sk_send(struct provider *p, const struct outbox_item *it, struct send_result *res,
	    struct ebb_err *err);
int sk_push_flags(struct provider *p, const struct batch_flag *f, size_t n, struct ebb_err *err);
/* Is s a Slack id (upper-case letters and digits)? */
int sk_id_ok(const char *s);

#endif
