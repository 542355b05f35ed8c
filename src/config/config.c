/* config: reads ebb's INI file with libinih into struct ebb_config and
 * validates it, so every mistake is reported as "FILE:LINE: what is wrong". */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebb/config.h"

#define CONFIG_MAX_SIZE (1024 * 1024)
#define RULE_PATTERN_MAX 320   /* an address is at most 254 bytes; room for a glob */

#ifndef EBB_SHAREDIR
#define EBB_SHAREDIR "/usr/local/share/ebb"
#endif

/* The raw [hours] strings, parsed after the whole file is read because tz
 * may come after work = ... */
struct raw_setting {
	char *value;
	int line;
};

struct parse_ctx {
	struct ebb_config *cfg;
	const char *name;           /* file name for messages */
	const char *base_dir;       /* for relative paths */
	/* reader state */
	const char *text;
	size_t len, pos;
	int line;                   /* line being handed to inih */
	int section_line;           /* line of the last [section] header */
	char pending[512];          /* second half of "[section] key = value" */
	int have_pending;
	/* results */
	struct ebb_err *err;
	int failed;
	struct raw_setting work, blocks, holidays, tz;
	int tier_line[CONFIG_MAX_TIERS];
};

static int fail_at(struct parse_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct parse_ctx *c, int line, const char *fmt, ...)
{
	if (c->failed)
		return 0;  /* keep the first error: it is the one to fix first */
	char what[EBB_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (line > 0)
		ebb_err_set(c->err, EBB_EPARSE, "%s:%d: %s", c->name, line, what);
	else
		ebb_err_set(c->err, EBB_EPARSE, "%s: %s", c->name, what);
	c->failed = 1;
	return 0;
}

/* Feeds inih one line at a time so we know the line number of every
 * handler call, and splits "[tier.chat]  target = 4h" into two lines. */
static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	if (num < 4)
		return NULL;
	if (c->have_pending) {
		c->have_pending = 0;
		util_strlcpy(str, c->pending, (size_t)num);
		return str;
	}
	if (c->pos >= c->len)
		return NULL;
	const char *start = c->text + c->pos;
	const char *nl = memchr(start, '\n', c->len - c->pos);
	size_t n = nl ? (size_t)(nl - start) + 1 : c->len - c->pos;
	c->pos += n;
	c->line++;
	if (memchr(start, '\0', n)) {
		fail_at(c, c->line, "contains a NUL byte; the file must be text");
		n = (size_t)((const char *)memchr(start, '\0', n) - start);
	}
	if (n + 1 > (size_t)num - 2) {
		fail_at(c, c->line, "line is longer than %d characters; shorten it (list settings "
			"such as vip or holidays may be repeated on several lines)", num - 3);
		str[0] = '\n';
		str[1] = '\0';
		return str;
	}
	memcpy(str, start, n);
	str[n] = '\0';
	/* "[section] key = value": hand inih the section now, the rest next. */
	char *p = str;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '[') {
		c->section_line = c->line;
		char *close = strchr(p, ']');
		if (close) {
			char *rest = close + 1;
			while (*rest == ' ' || *rest == '\t')
				rest++;
			if (*rest && *rest != '\n' && *rest != '\r' && *rest != ';' && *rest != '#') {
				util_strlcpy(c->pending, rest, sizeof c->pending);
				c->have_pending = 1;
				close[1] = '\n';
				close[2] = '\0';
			}
		}
	}
	return str;
}

static int set_str(struct parse_ctx *c, char **slot, const char *value)
{
	char *v = strdup(value);
	if (!v)
		return fail_at(c, c->line, "out of memory");
	free(*slot);
	*slot = v;
	return 1;
}

/* Appends every comma-separated item of value to a string list. */
static int add_list(struct parse_ctx *c, char ***list, size_t *n, const char *value, int lower)
{
	const char *p = value;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		size_t len = (size_t)(e - p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len) {
			char **grown = realloc(*list, (*n + 1) * sizeof **list);
			if (!grown)
				return fail_at(c, c->line, "out of memory");
			*list = grown;
			char *item = util_strndup(p, len);
			if (!item)
				return fail_at(c, c->line, "out of memory");
			if (lower)
				for (char *q = item; *q; q++)
					*q = (char)tolower((unsigned char)*q);
			(*list)[(*n)++] = item;
		}
		p = e;
	}
	return 1;
}

static int add_kv(struct parse_ctx *c, struct config_kv **list, size_t *n, const char *key,
		  const char *value)
{
	struct config_kv *grown = realloc(*list, (*n + 1) * sizeof **list);
	if (!grown)
		return fail_at(c, c->line, "out of memory");
	*list = grown;
	struct config_kv *kv = &(*list)[*n];
	kv->key = strdup(key);
	kv->value = strdup(value);
	kv->line = c->line;
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return fail_at(c, c->line, "out of memory");
	}
	(*n)++;
	return 1;
}

static int set_raw(struct parse_ctx *c, struct raw_setting *r, const char *value, int append)
{
	if (append && r->value) {
		size_t a = strlen(r->value), b = strlen(value);
		char *v = malloc(a + b + 3);
		if (!v)
			return fail_at(c, c->line, "out of memory");
		memcpy(v, r->value, a);
		memcpy(v + a, ", ", 2);
		memcpy(v + a + 2, value, b + 1);
		free(r->value);
		r->value = v;
	} else {
		free(r->value);
		r->value = strdup(value);
		if (!r->value)
			return fail_at(c, c->line, "out of memory");
	}
	r->line = c->line;
	return 1;
}

/* Paths may be relative to the config file's directory, or start with ~/. */
static int set_path(struct parse_ctx *c, char **slot, const char *value)
{
	char buf[PATH_MAX];
	int n;
	if (value[0] == '~' && value[1] == '/') {
		const char *home = getenv("HOME");
		if (!home)
			return fail_at(c, c->line, "\"%s\" starts with ~ but $HOME is not set", value);
		n = snprintf(buf, sizeof buf, "%s/%s", home, value + 2);
	} else if (value[0] != '/' && c->base_dir) {
		n = snprintf(buf, sizeof buf, "%s/%s", c->base_dir, value);
	} else {
		n = snprintf(buf, sizeof buf, "%s", value);
	}
	if (n < 0 || (size_t)n >= sizeof buf)
		return fail_at(c, c->line, "path is too long");
	return set_str(c, slot, buf);
}

static struct account_cfg *account_for(struct parse_ctx *c, const char *name)
{
	struct ebb_config *cfg = c->cfg;
	for (size_t i = 0; i < cfg->naccounts; i++)
		if (strcmp(cfg->accounts[i].name, name) == 0)
			return &cfg->accounts[i];
	if (cfg->naccounts >= CONFIG_MAX_ACCOUNTS) {
		fail_at(c, c->line, "more than %d accounts", CONFIG_MAX_ACCOUNTS);
		return NULL;
	}
	struct account_cfg *grown = realloc(cfg->accounts, (cfg->naccounts + 1) * sizeof *grown);
	if (!grown) {
		fail_at(c, c->line, "out of memory");
		return NULL;
	}
	cfg->accounts = grown;
	struct account_cfg *a = &cfg->accounts[cfg->naccounts];
	memset(a, 0, sizeof *a);
	a->name = strdup(name);
	if (!a->name) {
		fail_at(c, c->line, "out of memory");
		return NULL;
	}
	a->line = c->section_line;
	cfg->naccounts++;
	return a;
}

static struct policy_tier *tier_for(struct parse_ctx *c, const char *name)
{
	struct ebb_config *cfg = c->cfg;
	for (size_t i = 0; i < cfg->ntiers; i++)
		if (strcmp(cfg->tiers[i].name, name) == 0) {
			c->tier_line[i] = c->line;
			return &cfg->tiers[i];
		}
	if (cfg->ntiers >= CONFIG_MAX_TIERS) {
		fail_at(c, c->line, "more than %d tiers", CONFIG_MAX_TIERS);
		return NULL;
	}
	if (strlen(name) >= POLICY_TIER_NAME_MAX || !name[0]) {
		fail_at(c, c->line, "tier name \"%s\" must be 1 to %d characters", name,
			POLICY_TIER_NAME_MAX - 1);
		return NULL;
	}
	struct policy_tier *t = &cfg->tiers[cfg->ntiers];
	memset(t, 0, sizeof *t);
	util_strlcpy(t->name, name, sizeof t->name);
	c->tier_line[cfg->ntiers] = c->line;
	cfg->ntiers++;
	return t;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* sender.PATTERN / list.ID: kept lower case, since addresses and List-Ids
 * compare without case. */
static int add_rule(struct parse_ctx *c, struct config_rule_tier **list, size_t *n,
		    const char *key, const char *pattern, const char *value)
{
	size_t len = strlen(pattern);
	if (!len || len > RULE_PATTERN_MAX)
		return fail_at(c, c->line, "%s: the address or pattern after the dot must be 1 to %d "
			       "characters", key, RULE_PATTERN_MAX);
	if (!value[0])
		return fail_at(c, c->line, "%s needs a tier (e.g. %s = urgent)", key, key);
	struct config_rule_tier *grown = realloc(*list, (*n + 1) * sizeof *grown);
	if (!grown)
		return fail_at(c, c->line, "out of memory");
	*list = grown;
	struct config_rule_tier *r = &grown[*n];
	r->pattern = strdup(pattern);
	r->tier = strdup(value);
	r->line = c->line;
	if (!r->pattern || !r->tier) {
		free(r->pattern);
		free(r->tier);
		return fail_at(c, c->line, "out of memory");
	}
	for (char *q = r->pattern; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	(*n)++;
	return 1;
}

static int account_key(struct parse_ctx *c, struct account_cfg *a, const char *key,
		       const char *value)
{
	struct { const char *key; char **slot; int is_path; } strs[] = {
		{"kind", &a->kind, 0}, {"path", &a->path, 1}, {"host", &a->host, 0},
		{"tls", &a->tls, 0}, {"ca_file", &a->ca_file, 1}, {"user", &a->user, 0},
		{"password_cmd", &a->password_cmd, 0}, {"oauth_token_cmd", &a->oauth_token_cmd, 0},
		{"token_cmd", &a->token_cmd, 0}, {"url", &a->url, 0}, {"smtp_url", &a->smtp_url, 0},
		{"sendmail_cmd", &a->sendmail_cmd, 0}, {"from", &a->from, 0},
		{"archive", &a->archive, 0}, {"mailboxes", &a->mailboxes, 0}, {"tier", &a->tier, 0},
		{"sent", &a->sent, 0},
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		if (strcmp(key, strs[i].key))
			continue;
		if (strs[i].is_path)
			return set_path(c, strs[i].slot, value);
		return set_str(c, strs[i].slot, value);
	}
	if (!strcmp(key, "port")) {
		char *end;
		errno = 0;
		long port = strtol(value, &end, 10);
		if (errno || *end || port < 1 || port > 65535)
			return fail_at(c, c->line, "port = %s: expected a number from 1 to 65535", value);
		a->port = (int)port;
		return 1;
	}
	if (!strcmp(key, "me"))
		return add_list(c, &a->me, &a->nme, value, 1);
	if (!strcmp(key, "footer")) {
		if (parse_bool(value, &a->footer))
			return fail_at(c, c->line, "footer = %s: expected yes or no", value);
		return 1;
	}
	if (!strcmp(key, "server_schedule")) {
		if (parse_bool(value, &a->server_schedule))
			return fail_at(c, c->line, "server_schedule = %s: expected yes or no", value);
		return 1;
	}
	if (!strncmp(key, "sender.", 7))
		return add_rule(c, &a->sender_tiers, &a->nsender_tiers, key, key + 7, value);
	if (!strncmp(key, "list.", 5))
		return add_rule(c, &a->list_tiers, &a->nlist_tiers, key, key + 5, value);
	if (!strcmp(key, "password") || !strcmp(key, "token"))
		return fail_at(c, c->line, "%s is not read from the config file, so it never sits in "
			       "a file in clear; use %s_cmd = COMMAND that prints it (e.g. pass show "
			       "...)", key, key);
	if (!strncmp(key, "channel.", 8) && key[8]) {
		struct config_channel_tier *grown =
			realloc(a->channel_tiers, (a->nchannel_tiers + 1) * sizeof *grown);
		if (!grown)
			return fail_at(c, c->line, "out of memory");
		a->channel_tiers = grown;
		grown[a->nchannel_tiers].channel = strdup(key + 8);
		grown[a->nchannel_tiers].tier = strdup(value);
		if (!grown[a->nchannel_tiers].channel || !grown[a->nchannel_tiers].tier) {
			free(grown[a->nchannel_tiers].channel);
			free(grown[a->nchannel_tiers].tier);
			return fail_at(c, c->line, "out of memory");
		}
		a->nchannel_tiers++;
		return 1;
	}
	return fail_at(c, c->line, "unknown key \"%s\" in [account.%s] (see ebb(1), ACCOUNTS)", key,
		       a->name);
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *c = user;
	struct ebb_config *cfg = c->cfg;
	if (c->failed)
		return 1;
	if (!strcmp(section, "general")) {
		if (!strcmp(key, "data_dir"))
			return set_path(c, &cfg->data_dir, value);
		if (!strcmp(key, "html_cmd"))
			return set_str(c, &cfg->html_cmd, value);
		if (!strcmp(key, "context_check")) {
			if (strcmp(value, "warn") && strcmp(value, "off"))
				return fail_at(c, c->line, "context_check = %s: expected warn or off",
					       value);
			return set_str(c, &cfg->context_check, value);
		}
		return fail_at(c, c->line, "unknown key \"%s\" in [general] (data_dir, "
			       "context_check, html_cmd)", key);
	}
	if (!strcmp(section, "hours")) {
		if (!strcmp(key, "work"))
			return set_raw(c, &c->work, value, 0);
		if (!strcmp(key, "blocks"))
			return set_raw(c, &c->blocks, value, 0);
		if (!strcmp(key, "holidays"))
			return set_raw(c, &c->holidays, value, 1);
		if (!strcmp(key, "tz"))
			return set_raw(c, &c->tz, value, 0);
		if (!strcmp(key, "notify")) {
			if (strcmp(value, "blocks") && strcmp(value, "always") && strcmp(value, "never"))
				return fail_at(c, c->line,
					       "notify = %s: expected blocks, always or never", value);
			return set_str(c, &cfg->notify, value);
		}
		if (!strcmp(key, "vip"))
			return add_list(c, &cfg->vip, &cfg->nvip, value, 1);
		if (!strcmp(key, "notify_cmd"))
			return set_str(c, &cfg->notify_cmd, value);
		return fail_at(c, c->line, "unknown key \"%s\" in [hours] (work, blocks, tz, "
			       "holidays, notify, notify_cmd, vip)", key);
	}
	if (!strncmp(section, "tier.", 5)) {
		struct policy_tier *t = tier_for(c, section + 5);
		if (!t)
			return 0;
		if (!strcmp(key, "target")) {
			struct ebb_err e;
			if (policy_parse_target(value, &t->target, &e))
				return fail_at(c, c->line, "%s", e.msg);
			return 1;
		}
		if (!strcmp(key, "urgent")) {
			if (parse_bool(value, &t->urgent))
				return fail_at(c, c->line, "urgent = %s: expected yes or no", value);
			return 1;
		}
		return fail_at(c, c->line, "unknown key \"%s\" in [%s] (target, urgent)", key, section);
	}
	if (!strncmp(section, "account.", 8) && section[8]) {
		struct account_cfg *a = account_for(c, section + 8);
		return a ? account_key(c, a, key, value) : 0;
	}
	if (!strcmp(section, "keys"))
		return add_kv(c, &cfg->keys, &cfg->nkeys, key, value);
	if (!strcmp(section, "colors"))
		return add_kv(c, &cfg->colors, &cfg->ncolors, key, value);
	if (!section[0])
		return fail_at(c, c->line, "\"%s\" is outside any [section]", key);
	return fail_at(c, c->line, "unknown section [%s] (general, hours, tier.NAME, "
		       "account.NAME, keys, colors)", section);
}

static int is_loopback(const char *host)
{
	return host && (!strcmp(host, "localhost") || !strncmp(host, "127.", 4) ||
			!strcmp(host, "::1") || !strcmp(host, "[::1]"));
}

static int validate_account(struct parse_ctx *c, struct account_cfg *a)
{
	const char *kinds[] = {"maildir", "imap", "matrix", "slack"};
	if (!a->kind)
		return fail_at(c, a->line, "[account.%s] has no kind (maildir, imap, matrix, slack)",
			       a->name);
	size_t k;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (!strcmp(a->kind, kinds[k]))
			break;
	if (k == sizeof kinds / sizeof kinds[0])
		return fail_at(c, a->line, "[account.%s] kind = %s: expected maildir, imap, matrix "
			       "or slack", a->name, a->kind);
	if (!strcmp(a->kind, "maildir") && !a->path)
		return fail_at(c, a->line, "[account.%s] is a maildir account but has no path",
			       a->name);
	if (!strcmp(a->kind, "imap")) {
		if (!a->host || !a->user)
			return fail_at(c, a->line, "[account.%s] is an imap account and needs host and "
				       "user", a->name);
		if (a->tls && strcmp(a->tls, "implicit") && strcmp(a->tls, "starttls") &&
		    strcmp(a->tls, "off"))
			return fail_at(c, a->line, "[account.%s] tls = %s: expected implicit, starttls "
				       "or off", a->name, a->tls);
		if (a->tls && !strcmp(a->tls, "off") && !is_loopback(a->host))
			return fail_at(c, a->line, "[account.%s] tls = off is only allowed for "
				       "localhost; %s would see your password in clear", a->name,
				       a->host);
	}
	if ((!strcmp(a->kind, "matrix") || !strcmp(a->kind, "slack")) && !a->token_cmd &&
	    !a->password_cmd)
		return fail_at(c, a->line, "[account.%s] needs token_cmd (or password_cmd for "
			       "matrix)", a->name);
	if (a->tier && !config_tier(c->cfg, a->tier))
		return fail_at(c, a->line, "[account.%s] tier = %s: no such tier", a->name, a->tier);
	for (size_t i = 0; i < a->nchannel_tiers; i++)
		if (!config_tier(c->cfg, a->channel_tiers[i].tier))
			return fail_at(c, a->line, "[account.%s] channel.%s = %s: no such tier",
				       a->name, a->channel_tiers[i].channel, a->channel_tiers[i].tier);
	for (size_t i = 0; i < a->nsender_tiers; i++)
		if (!config_tier(c->cfg, a->sender_tiers[i].tier))
			return fail_at(c, a->sender_tiers[i].line, "[account.%s] sender.%s = %s: no such "
				       "tier (define it in a [tier.%s] section)", a->name,
				       a->sender_tiers[i].pattern, a->sender_tiers[i].tier,
				       a->sender_tiers[i].tier);
	for (size_t i = 0; i < a->nlist_tiers; i++)
		if (!config_tier(c->cfg, a->list_tiers[i].tier))
			return fail_at(c, a->list_tiers[i].line, "[account.%s] list.%s = %s: no such "
				       "tier (define it in a [tier.%s] section)", a->name,
				       a->list_tiers[i].pattern, a->list_tiers[i].tier,
				       a->list_tiers[i].tier);
	if (a->from) {
		/* "Sam Rivera <sam@example.com>": the address is what mail compares. */
		const char *lt = strrchr(a->from, '<');
		const char *gt = lt ? strchr(lt, '>') : NULL;
		char *lower = lt && gt ? util_strndup(lt + 1, (size_t)(gt - lt - 1)) : strdup(a->from);
		if (!lower)
			return fail_at(c, a->line, "out of memory");
		for (char *q = lower; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		int r = add_list(c, &a->me, &a->nme, lower, 1);
		free(lower);
		if (!r)
			return 0;
	}
	return 1;
}

/* Applies the collected [hours] settings once the zone is known. */
static int finish(struct parse_ctx *c)
{
	struct ebb_config *cfg = c->cfg;
	struct ebb_err e;
	if (c->tz.value) {
		if (config_load_tz(c->tz.value, &cfg->tz, &e))
			return fail_at(c, c->tz.line, "%s", e.msg);
		cfg->tz_name = strdup(c->tz.value);
		if (!cfg->tz_name)
			return fail_at(c, c->tz.line, "out of memory");
	} else if (config_load_tz(NULL, &cfg->tz, &e)) {
		return fail_at(c, 0, "%s", e.msg);
	}
	policy_hours_default(&cfg->hours, cfg->tz);
	if (c->work.value && policy_parse_work(c->work.value, &cfg->hours, &e))
		return fail_at(c, c->work.line, "%s", e.msg);
	if (c->blocks.value && policy_parse_blocks(c->blocks.value, &cfg->hours, &e))
		return fail_at(c, c->blocks.line, "%s", e.msg);
	if (c->holidays.value && policy_parse_holidays(c->holidays.value, &cfg->hours, &e))
		return fail_at(c, c->holidays.line, "%s", e.msg);
	for (size_t i = 0; i < cfg->naccounts; i++)
		if (!validate_account(c, &cfg->accounts[i]))
			return 0;
	return 1;
}

static struct ebb_config *config_new(void)
{
	struct ebb_config *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return NULL;
	cfg->ntiers = policy_default_tiers(cfg->tiers, CONFIG_MAX_TIERS);
	return cfg;
}

static int load_text(const char *text, size_t len, const char *name, const char *base_dir,
		     struct ebb_config **out, struct ebb_err *err)
{
	*out = NULL;
	struct ebb_config *cfg = config_new();
	if (!cfg)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading %s", name);
	struct parse_ctx c = {0};
	c.cfg = cfg;
	c.name = name;
	c.base_dir = base_dir;
	c.text = text;
	c.len = len;
	c.err = err;
	int rc = ini_parse_stream(reader, &c, handler, &c);
	if (!c.failed && rc > 0)
		fail_at(&c, c.line, "cannot read this line: expected [section], key = value or a "
			"comment");
	else if (!c.failed && rc < 0)
		fail_at(&c, 0, "out of memory");
	if (!c.failed)
		finish(&c);
	free(c.work.value);
	free(c.blocks.value);
	free(c.holidays.value);
	free(c.tz.value);
	if (c.failed) {
		config_free(cfg);
		return EBB_EPARSE;
	}
	*out = cfg;
	return EBB_OK;
}

int config_load_string(const char *text, size_t len, const char *name, struct ebb_config **out,
		       struct ebb_err *err)
{
	return load_text(text, len, name, NULL, out, err);
}

int config_load(const char *path, struct ebb_config **out, struct ebb_err *err)
{
	*out = NULL;
	char *text;
	size_t len;
	int rc = util_read_file(path, CONFIG_MAX_SIZE, &text, &len, err);
	if (rc == EBB_ENOENT)
		return ebb_err_set(err, EBB_ENOENT,
				   "no configuration at %s. Create it from the example: mkdir -p "
				   "\"$(dirname %s)\" && cp " EBB_SHAREDIR "/config.example %s "
				   "(or share/config.example in the source tree), then edit the "
				   "[account.NAME] section. To look around first, run: ebb --demo",
				   path, path, path);
	if (rc)
		return rc;
	char dir[PATH_MAX];
	util_strlcpy(dir, path, sizeof dir);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		util_strlcpy(dir, ".", sizeof dir);
	rc = load_text(text, len, path, dir, out, err);
	free(text);
	if (rc == EBB_OK) {
		(*out)->path = strdup(path);
		if (!(*out)->path) {
			config_free(*out);
			*out = NULL;
			return ebb_err_set(err, EBB_ENOMEM, "out of memory");
		}
	}
	return rc;
}

int config_defaults(struct ebb_config **out, struct ebb_err *err)
{
	return load_text("", 0, "(defaults)", NULL, out, err);
}

int config_default_path(char *out, size_t outlen, struct ebb_err *err)
{
	const char *env = getenv("EBB_CONFIG");
	if (env && *env) {
		if (util_strlcpy(out, env, outlen))
			return ebb_err_set(err, EBB_ETOOBIG, "$EBB_CONFIG is too long");
		return EBB_OK;
	}
	char dir[PATH_MAX];
	int rc = util_config_dir(dir, sizeof dir, err);
	if (rc)
		return rc;
	int n = snprintf(out, outlen, "%s/config", dir);
	if (n < 0 || (size_t)n >= outlen)
		return ebb_err_set(err, EBB_ETOOBIG, "config path is too long");
	return EBB_OK;
}

static void free_account(struct account_cfg *a)
{
	char **strs[] = {&a->name, &a->kind, &a->path, &a->host, &a->tls, &a->ca_file, &a->user,
			 &a->password_cmd, &a->oauth_token_cmd, &a->token_cmd, &a->url,
			 &a->smtp_url, &a->sendmail_cmd, &a->from, &a->archive, &a->mailboxes,
			 &a->tier, &a->sent};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(*strs[i]);
	for (size_t i = 0; i < a->nme; i++)
		free(a->me[i]);
	free(a->me);
	for (size_t i = 0; i < a->nchannel_tiers; i++) {
		free(a->channel_tiers[i].channel);
		free(a->channel_tiers[i].tier);
	}
	free(a->channel_tiers);
	struct { struct config_rule_tier *rules; size_t n; } lists[] = {
		{a->sender_tiers, a->nsender_tiers}, {a->list_tiers, a->nlist_tiers},
	};
	for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
		for (size_t i = 0; i < lists[l].n; i++) {
			free(lists[l].rules[i].pattern);
			free(lists[l].rules[i].tier);
		}
		free(lists[l].rules);
	}
}

static void free_kvs(struct config_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void config_free(struct ebb_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->naccounts; i++)
		free_account(&cfg->accounts[i]);
	free(cfg->accounts);
	for (size_t i = 0; i < cfg->nvip; i++)
		free(cfg->vip[i]);
	free(cfg->vip);
	free_kvs(cfg->keys, cfg->nkeys);
	free_kvs(cfg->colors, cfg->ncolors);
	tz_free(cfg->tz);
	free(cfg->tz_name);
	free(cfg->notify);
	free(cfg->notify_cmd);
	free(cfg->data_dir);
	free(cfg->context_check);
	free(cfg->html_cmd);
	free(cfg->path);
	free(cfg);
}

/* Zone names come from the user; keep them inside the zoneinfo tree. */
static int valid_zone_name(const char *name)
{
	if (!name[0] || name[0] == '/' || strstr(name, ".."))
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	return 1;
}

int config_load_tz(const char *name, struct ebb_tz **out, struct ebb_err *err)
{
	*out = NULL;
	char path[PATH_MAX];
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	if (!name) {
		const char *env = getenv("TZ");
		if (env && *env == ':')
			env++;
		if (env && *env && valid_zone_name(env))
			name = env;
	}
	if (name && (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC"))) {
		*out = tz_utc();
		return *out ? EBB_OK : ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	if (name) {
		if (!valid_zone_name(name))
			return ebb_err_set(err, EBB_EINVAL, "tz = %s: not a time zone name (use one "
					   "like Europe/Berlin)", name);
		snprintf(path, sizeof path, "%s/%s", dir, name);
	} else {
		util_strlcpy(path, "/etc/localtime", sizeof path);
	}
	char *data;
	size_t len;
	struct ebb_err e;
	int rc = util_read_file(path, 1024 * 1024, &data, &len, &e);
	if (rc) {
		if (!name) {  /* no system zone configured: UTC is the honest default */
			*out = tz_utc();
			return *out ? EBB_OK : ebb_err_set(err, EBB_ENOMEM, "out of memory");
		}
		return ebb_err_set(err, EBB_ENOENT, "tz = %s: unknown time zone (%s); see the names "
				   "under %s", name, e.msg, dir);
	}
	rc = tz_parse_tzif((const unsigned char *)data, len, out, &e);
	free(data);
	if (rc)
		return ebb_err_set(err, rc, "time zone file %s: %s", path, e.msg);
	return EBB_OK;
}

const struct policy_tier *config_tier(const struct ebb_config *cfg, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < cfg->ntiers; i++)
		if (!strcmp(cfg->tiers[i].name, name))
			return &cfg->tiers[i];
	return NULL;
}

const struct account_cfg *config_account(const struct ebb_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->naccounts; i++)
		if (!strcmp(cfg->accounts[i].name, name))
			return &cfg->accounts[i];
	return NULL;
}

const char *config_channel_tier(const struct account_cfg *acc, const char *channel_remote,
				const char *channel_name, int is_direct)
{
	for (size_t i = 0; i < acc->nchannel_tiers; i++) {
		const char *ch = acc->channel_tiers[i].channel;
		if ((channel_remote && !strcmp(ch, channel_remote)) ||
		    (channel_name && !strcmp(ch, channel_name)))
			return acc->channel_tiers[i].tier;
	}
	if (is_direct)
		return "chat";
	if (acc->tier)
		return acc->tier;
	if (!strcmp(acc->kind, "matrix") || !strcmp(acc->kind, "slack"))
		return "fyi";
	return "email";
}

static int is_glob(const char *pattern)
{
	return strpbrk(pattern, "*?[") != NULL;
}

const char *config_sender_tier(const struct account_cfg *acc, const char *sender)
{
	if (!acc || !sender || !sender[0])
		return NULL;
	for (size_t i = 0; i < acc->nsender_tiers; i++) {
		const struct config_rule_tier *r = &acc->sender_tiers[i];
		if (!is_glob(r->pattern) && strcasecmp(r->pattern, sender) == 0)
			return r->tier;
	}
	/* No FNM_PATHNAME or FNM_PERIOD: '*' matches dots and '@' too, so
	 * *@example.com is every address at that domain and nothing else. */
	for (size_t i = 0; i < acc->nsender_tiers; i++) {
		const struct config_rule_tier *r = &acc->sender_tiers[i];
		if (is_glob(r->pattern) && fnmatch(r->pattern, sender, FNM_CASEFOLD) == 0)
			return r->tier;
	}
	return NULL;
}

const char *config_list_tier(const struct account_cfg *acc, const char *list_id)
{
	if (!acc || !list_id || !list_id[0])
		return NULL;
	for (size_t i = 0; i < acc->nlist_tiers; i++)
		if (strcasecmp(acc->list_tiers[i].pattern, list_id) == 0)
			return acc->list_tiers[i].tier;
	return NULL;
}

int config_is_me(const struct account_cfg *acc, const char *addr)
{
	if (!addr)
		return 0;
	for (size_t i = 0; i < acc->nme; i++)
		if (strcasecmp(acc->me[i], addr) == 0)
			return 1;
	return 0;
}

int config_db_path(const struct ebb_config *cfg, char *out, size_t outlen, struct ebb_err *err)
{
	char dir[PATH_MAX];
	if (cfg->data_dir) {
		if (util_strlcpy(dir, cfg->data_dir, sizeof dir))
			return ebb_err_set(err, EBB_ETOOBIG, "data_dir is too long");
	} else {
		int rc = util_data_dir(dir, sizeof dir, err);
		if (rc)
			return rc;
	}
	int rc = util_mkdir_p(dir, 0700, err);
	if (rc)
		return rc;
	int n = snprintf(out, outlen, "%s/ebb.db", dir);
	if (n < 0 || (size_t)n >= outlen)
		return ebb_err_set(err, EBB_ETOOBIG, "database path is too long");
	return EBB_OK;
}
