/* config: reads the INI file (libinih) into typed settings: office hours,
 * tiers, accounts. Every error names the file, the line and what is wrong. */
#ifndef EBB_CONFIG_H
#define EBB_CONFIG_H

#include <stddef.h>

#include "ebb/policy.h"
#include "ebb/util.h"

#define CONFIG_MAX_TIERS 16
#define CONFIG_MAX_ACCOUNTS 32

struct config_channel_tier {
	char *channel;   /* mailbox / room / channel name or remote id */
	char *tier;
};

/* sender.PATTERN = tier and list.LIST-ID = tier in an account. */
struct config_rule_tier {
	char *pattern;   /* address or fnmatch glob, or List-Id; lower case */
	char *tier;
	int line;        /* for messages */
};

struct account_cfg {
	char *name;          /* from [account.NAME] */
	char *kind;          /* maildir | imap | matrix | slack */
	int line;            /* line of the section header, for messages */
	char *path;          /* maildir root */
	char *host;
	int port;            /* 0 = protocol default */
	char *tls;           /* implicit | starttls | off */
	char *ca_file;
	char *user;
	char *password_cmd;
	char *oauth_token_cmd;
	char *token_cmd;
	char *url;           /* HTTP API base (matrix, slack) */
	char *smtp_url;
	char *sendmail_cmd;
	char *from;          /* my address for this account */
	char **me;           /* every address/user id that is me, lower case */
	size_t nme;
	char *archive;
	char *mailboxes;     /* comma list, NULL = all subscribed */
	char *tier;          /* default tier for this account */
	struct config_channel_tier *channel_tiers;
	size_t nchannel_tiers;
	struct config_rule_tier *sender_tiers;  /* in file order */
	size_t nsender_tiers;
	/* Read and checked, not applied yet: the store does not keep List-Id. */
	struct config_rule_tier *list_tiers;
	size_t nlist_tiers;
	int footer;          /* footer = yes: new mails end with the reply-time footer */
	char *sent;          /* mailbox for copies of sent mail (imap), NULL = "Sent" */
	/* server_schedule = yes (slack): a held reply is handed to the server's
	 * own scheduler (chat.scheduleMessage) instead of waiting in ebb. */
	int server_schedule;
};

/* A raw key = value pair kept for the UI ([keys], [colors]). */
struct config_kv {
	char *key;
	char *value;
	int line;
};

struct ebb_config {
	char *path;          /* file it was read from, NULL for defaults */
	char *tz_name;       /* "Europe/Berlin" or NULL for the system zone */
	struct ebb_tz *tz;   /* owned */
	struct policy_hours hours;  /* hours.tz points at tz */
	char *notify;        /* blocks | always | never */
	char **vip;
	size_t nvip;
	struct policy_tier tiers[CONFIG_MAX_TIERS];
	size_t ntiers;
	struct account_cfg *accounts;
	size_t naccounts;
	char *data_dir;      /* from [general] data_dir or XDG */
	char *context_check; /* warn | off */
	char *html_cmd;      /* external HTML to text, e.g. w3m -dump -T text/html */
	struct config_kv *keys;     /* [keys] action = key */
	size_t nkeys;
	struct config_kv *colors;   /* [colors] element = fg[,bg] */
	size_t ncolors;
	char *notify_cmd;    /* [hours] notify_cmd: run with the summary as $1; NULL = none */
};

/* Where the config lives: --config FILE, else $EBB_CONFIG, else
 * $XDG_CONFIG_HOME/ebb/config. */
int config_default_path(char *out, size_t outlen, struct ebb_err *err);
/* Reads and validates; on error err says "FILE:LINE: what is wrong". A
 * missing file is EBB_ENOENT with a message that says how to create one. */
int config_load(const char *path, struct ebb_config **out, struct ebb_err *err);
/* Same from a string (tests, fuzzing); name is used in messages. */
int config_load_string(const char *text, size_t len, const char *name, struct ebb_config **out,
		       struct ebb_err *err);
/* A config with defaults only and no accounts (UTC unless tz given). */
int config_defaults(struct ebb_config **out, struct ebb_err *err);
void config_free(struct ebb_config *cfg);

/* Loads a zone by IANA name from $TZDIR or /usr/share/zoneinfo; NULL name =
 * the system zone (/etc/localtime), UTC when that is missing. */
int config_load_tz(const char *name, struct ebb_tz **out, struct ebb_err *err);

const struct policy_tier *config_tier(const struct ebb_config *cfg, const char *name);
const struct account_cfg *config_account(const struct ebb_config *cfg, const char *name);
/* The tier of a channel: channel.X = tier in the account, else the account's
 * tier, else "chat" for direct chats, else "email". */
const char *config_channel_tier(const struct account_cfg *acc, const char *channel_remote,
				const char *channel_name, int is_direct);
/* The tier a sender.PATTERN rule gives a sender: a rule naming the exact
 * address first, else the first glob (fnmatch, any case) in file order;
 * NULL when no rule matches. Precedence in the due rule: sender rule, then
 * list rule, then channel rule, then the account's tier, then the defaults. */
const char *config_sender_tier(const struct account_cfg *acc, const char *sender);
/* The tier of a list.LIST-ID rule for that List-Id (any case), or NULL. */
const char *config_list_tier(const struct account_cfg *acc, const char *list_id);
/* Is addr (any case) one of the account's own addresses? */
int config_is_me(const struct account_cfg *acc, const char *addr);
/* Database path: DATA_DIR/ebb.db; creates DATA_DIR with mode 0700. */
int config_db_path(const struct ebb_config *cfg, char *out, size_t outlen, struct ebb_err *err);

#endif
