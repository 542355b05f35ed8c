/* providers/imap_parse: ebb's own IMAP response parser (literal-aware,
 * incremental, bounded) and the helpers that build commands safely. */
#ifndef EBB_PROVIDERS_IMAP_PARSE_H
#define EBB_PROVIDERS_IMAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ebb/util.h"

/* ---- limits ------------------------------------------------------------ */

/* A server that goes past one of these gets EBB_ETOOBIG and must be
 * disconnected. Zero in a field means "use the default". */
struct imap_limits {
	size_t max_line;      /* one line between literals, CRLF included */
	size_t max_literal;   /* one {n} or ~{n} literal */
	size_t max_response;  /* one whole response, literals included */
	size_t max_items;     /* values (atoms, strings, lists...) in one response */
	unsigned max_depth;   /* parenthesis nesting */
};

#define IMAP_DEFAULT_MAX_LINE ((size_t)8 << 20)
#define IMAP_DEFAULT_MAX_LITERAL ((size_t)100 << 20)
#define IMAP_DEFAULT_MAX_RESPONSE ((size_t)128 << 20)
#define IMAP_DEFAULT_MAX_ITEMS ((size_t)1 << 20)
#define IMAP_DEFAULT_MAX_DEPTH 64u

void imap_limits_default(struct imap_limits *lim);

/* ---- values ------------------------------------------------------------ */

enum imap_vtype {
	IMAP_NIL,
	IMAP_ATOM,     /* also flags (\Seen) and FETCH item names (BODY[TEXT]<0>) */
	IMAP_NUMBER,   /* all digits and fits in 64 bits; s keeps the digits */
	IMAP_STRING,   /* quoted or literal */
	IMAP_LIST,
};

/* Scalars are length-counted and also NUL-terminated; a literal may hold
 * NUL bytes, so trust len. Everything lives as long as its response. */
struct imap_value {
	enum imap_vtype type;
	bool literal;                /* IMAP_STRING sent as {n} or ~{n} */
	bool literal8;               /* sent as ~{n} (BINARY) */
	const char *s;               /* bytes of a scalar ("NIL" for NIL) */
	size_t len;
	uint64_t num;                /* IMAP_NUMBER */
	const struct imap_value *items;  /* IMAP_LIST */
	size_t n;
};

/* The i-th item of a list; NULL when v is not a list or i is out of range. */
const struct imap_value *imap_item(const struct imap_value *v, size_t i);
/* True when v is an atom equal to word, ignoring ASCII case. */
bool imap_is_atom(const struct imap_value *v, const char *word);
/* True and *out set when v is a number. */
bool imap_get_number(const struct imap_value *v, uint64_t *out);
/* The text of an atom, number or string (astring); NULL for NIL and lists. */
const char *imap_get_string(const struct imap_value *v, size_t *len);
/* True when the list holds an atom equal to word, ignoring case: for
 * capabilities, ENABLED and flags (imap_list_has_atom(f->flags, "\\Seen")). */
bool imap_list_has_atom(const struct imap_value *list, const char *word);

/* ---- responses --------------------------------------------------------- */

enum imap_kind { IMAP_TAGGED, IMAP_UNTAGGED, IMAP_CONTINUE };

enum imap_status {
	IMAP_ST_NONE,    /* untagged data, continuation */
	IMAP_ST_OK,
	IMAP_ST_NO,
	IMAP_ST_BAD,
	IMAP_ST_PREAUTH,
	IMAP_ST_BYE,
};

enum imap_data {
	IMAP_DATA_NONE,        /* status response or continuation */
	IMAP_DATA_OTHER,       /* a name ebb has no view for: see name and args */
	IMAP_DATA_CAPABILITY,  /* args: atoms */
	IMAP_DATA_ENABLED,     /* args: atoms */
	IMAP_DATA_FLAGS,       /* u.flags */
	IMAP_DATA_LIST,        /* u.list */
	IMAP_DATA_LSUB,        /* u.list */
	IMAP_DATA_STATUS,      /* u.status */
	IMAP_DATA_SEARCH,      /* u.search */
	IMAP_DATA_ESEARCH,     /* u.esearch */
	IMAP_DATA_EXISTS,      /* number */
	IMAP_DATA_RECENT,      /* number */
	IMAP_DATA_EXPUNGE,     /* number (a sequence number) */
	IMAP_DATA_VANISHED,    /* u.vanished */
	IMAP_DATA_FETCH,       /* number and u.fetch */
};

/* A mailbox name as the server sent it (use raw in commands) and as UTF-8
 * for people (decoded from modified UTF-7 unless the name was not valid
 * modified UTF-7 or UTF8=ACCEPT is on; then utf8 is a copy of raw). */
struct imap_mailbox {
	const char *raw;
	size_t raw_len;
	const char *utf8;
	size_t utf8_len;
	bool decoded;
};

struct imap_list_data {
	const struct imap_value *attrs;  /* list of atoms (\HasNoChildren, \Sent...) */
	char delim;                      /* hierarchy delimiter, 0 for NIL */
	struct imap_mailbox name;
};

enum {
	IMAP_STATUS_MESSAGES = 1 << 0,
	IMAP_STATUS_RECENT = 1 << 1,
	IMAP_STATUS_UIDNEXT = 1 << 2,
	IMAP_STATUS_UIDVALIDITY = 1 << 3,
	IMAP_STATUS_UNSEEN = 1 << 4,
	IMAP_STATUS_HIGHESTMODSEQ = 1 << 5,
	IMAP_STATUS_SIZE = 1 << 6,
};

struct imap_status_data {
	struct imap_mailbox name;
	unsigned has;                    /* IMAP_STATUS_* bits */
	uint64_t messages, recent, uidnext, uidvalidity, unseen, highestmodseq, size;
};

struct imap_search_data {
	const uint32_t *nums;
	size_t n;
	uint64_t modseq;                 /* (MODSEQ n) of CONDSTORE, 0 when absent */
};

enum {
	IMAP_ES_MIN = 1 << 0,
	IMAP_ES_MAX = 1 << 1,
	IMAP_ES_COUNT = 1 << 2,
	IMAP_ES_ALL = 1 << 3,
	IMAP_ES_MODSEQ = 1 << 4,
};

struct imap_esearch_data {
	const char *tag;                 /* the (TAG "...") correlator, NULL when absent */
	bool uid;
	unsigned has;                    /* IMAP_ES_* bits */
	uint32_t min, max, count;
	uint64_t modseq;
	const char *all;                 /* a sequence set: see imap_uidset_parse */
	size_t all_len;
};

struct imap_vanished_data {
	bool earlier;
	const char *set;                 /* a UID set: see imap_uidset_parse */
	size_t set_len;
};

/* One body section a FETCH returned: BODY[...], BINARY[...], RFC822,
 * RFC822.HEADER or RFC822.TEXT. */
struct imap_section {
	const char *item;     /* the item name as sent: "BODY[HEADER.FIELDS (FROM)]<0>" */
	const char *spec;     /* inside the brackets: "HEADER.FIELDS (FROM)", "" for the
			       * whole message; RFC822.HEADER gives "HEADER" */
	bool binary;          /* BINARY[...] */
	bool has_origin;
	uint32_t origin;      /* <n> of a partial fetch */
	const char *data;     /* NULL when the server sent NIL; may hold NUL bytes */
	size_t len;
};

enum {
	IMAP_FETCH_UID = 1 << 0,
	IMAP_FETCH_FLAGS = 1 << 1,
	IMAP_FETCH_INTERNALDATE = 1 << 2,
	IMAP_FETCH_SIZE = 1 << 3,
	IMAP_FETCH_MODSEQ = 1 << 4,
	IMAP_FETCH_ENVELOPE = 1 << 5,
	IMAP_FETCH_BODYSTRUCTURE = 1 << 6,
};

struct imap_fetch_data {
	unsigned has;                    /* IMAP_FETCH_* bits */
	uint32_t uid;
	const struct imap_value *flags;  /* list of atoms */
	time_t internaldate;             /* UTC */
	uint64_t size;                   /* RFC822.SIZE */
	uint64_t modseq;
	const struct imap_value *envelope;       /* generic nested list */
	const struct imap_value *bodystructure;  /* BODYSTRUCTURE or BODY, generic */
	const struct imap_section *sections;
	size_t nsections;
};

struct imap_response {
	enum imap_kind kind;
	const char *tag;                 /* IMAP_TAGGED only, else NULL */
	enum imap_status status;
	/* Status responses: the response code ("UIDVALIDITY", upper case; NULL
	 * when none), its arguments as a list when they parse as IMAP values,
	 * and the code's argument text as sent. */
	const char *code;
	struct imap_value code_args;
	const char *code_text;
	/* Status responses: the human text; continuations: the text after "+ ". */
	const char *text;
	size_t text_len;
	/* Untagged data: the name upper-cased ("FETCH"), the leading number of
	 * "* 3 EXISTS", and everything after the name as a list. */
	enum imap_data data;
	const char *name;
	bool has_number;
	uint32_t number;
	struct imap_value args;
	union {
		const struct imap_value *flags;  /* IMAP_DATA_FLAGS */
		struct imap_list_data list;
		struct imap_status_data status;
		struct imap_search_data search;
		struct imap_esearch_data esearch;
		struct imap_vanished_data vanished;
		struct imap_fetch_data fetch;
	} u;
	struct imap_resp_mem *mem;       /* owned memory; private */
};

void imap_response_free(struct imap_response *r);

/* The number argument of response code `name` ("UIDVALIDITY", "UIDNEXT",
 * "HIGHESTMODSEQ"...): true and *out set when r carries it. */
bool imap_code_number(const struct imap_response *r, const char *name, uint64_t *out);

/* ---- the parser -------------------------------------------------------- */

struct imap_parser;

/* lim NULL means the defaults. */
int imap_parser_new(const struct imap_limits *lim, struct imap_parser **out, struct ebb_err *err);
void imap_parser_free(struct imap_parser *p);
/* With UTF8=ACCEPT enabled mailbox names arrive as UTF-8, not modified UTF-7. */
void imap_parser_set_utf8_names(struct imap_parser *p, bool on);

/* Hands the parser bytes as they come from the socket. It takes bytes up to
 * the end of one response at most: *used says how many. Returns 1 with *out
 * set (free it with imap_response_free) when a response is complete, then
 * call again with the bytes not used; 0 when all bytes were taken and more
 * are needed; or a negative code (EBB_ETOOBIG over a limit, EBB_EPROTO
 * malformed). After an error the parser refuses further input: drop the
 * connection. */
int imap_parser_feed(struct imap_parser *p, const void *data, size_t len, size_t *used,
		     struct imap_response **out, struct ebb_err *err);
/* Bytes of an unfinished response held (0 between responses). */
size_t imap_parser_pending(const struct imap_parser *p);

/* ---- UID sets ---------------------------------------------------------- */

/* "*" in a set; as no UID can exceed it, 4294967295 is written as "*" too. */
#define IMAP_STAR UINT32_MAX

struct imap_range {
	uint32_t lo, hi;   /* lo <= hi */
};

/* Zero-initialise to use. */
struct imap_uidset {
	struct imap_range *r;
	size_t n, cap;
};

/* Parses "1:5,7,9:*" into sorted, merged ranges (replacing set's content). */
int imap_uidset_parse(const char *s, size_t len, struct imap_uidset *set, struct ebb_err *err);
/* Appends a range (either order); call imap_uidset_normalize when done. */
int imap_uidset_add(struct imap_uidset *set, uint32_t lo, uint32_t hi);
/* Sorts and merges overlapping or adjacent ranges. */
void imap_uidset_normalize(struct imap_uidset *set);
bool imap_uidset_contains(const struct imap_uidset *set, uint32_t uid);
/* Appends "1:5,7,9:*"; an empty set is EBB_EINVAL (IMAP has no empty set). */
int imap_uidset_format(const struct imap_uidset *set, struct sbuf *out);
void imap_uidset_free(struct imap_uidset *set);

/* ---- modified UTF-7 (RFC 3501 5.1.3) ----------------------------------- */

/* UTF-8 -> modified UTF-7 and back, appended to out. Invalid input is
 * EBB_EINVAL (encode: not UTF-8) or EBB_EPARSE (decode: not modified UTF-7). */
int imap_mutf7_encode(const char *utf8, size_t len, struct sbuf *out, struct ebb_err *err);
int imap_mutf7_decode(const char *s, size_t len, struct sbuf *out, struct ebb_err *err);

/* ---- building commands ------------------------------------------------- */

enum imap_literal_mode {
	IMAP_LIT_SYNC,    /* plain IMAP4rev1: wait for "+" after each {n} */
	IMAP_LIT_PLUS,    /* LITERAL+: {n+} of any size */
	IMAP_LIT_MINUS,   /* LITERAL- or IMAP4rev2: {n+} up to 4096 bytes */
};

#define IMAP_CMD_MAX_SYNC 8

/* A command being built. Strings from outside go in through
 * imap_cmd_string/imap_cmd_mailbox/imap_cmd_literal only, so they can never
 * end the command or start another. When a synchronising literal is used,
 * send buf up to each sync_at[i] and wait for a "+" before the rest. */
struct imap_cmd {
	struct sbuf buf;
	enum imap_literal_mode mode;
	size_t sync_at[IMAP_CMD_MAX_SYNC];
	size_t nsync;
};

void imap_cmd_init(struct imap_cmd *c, enum imap_literal_mode mode);
/* Protocol text ebb writes itself ("A1 UID FETCH 5:* (UID FLAGS)"); refuses
 * CR, LF and NUL so a bug cannot inject a second command. */
int imap_cmd_add(struct imap_cmd *c, struct ebb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A string argument: quoted when it is short 7-bit text without CR, LF, '"'
 * or '\', else a literal. NUL cannot be sent (EBB_EINVAL). */
int imap_cmd_string(struct imap_cmd *c, const char *s, size_t len, struct ebb_err *err);
/* A mailbox name given in UTF-8: modified UTF-7 unless utf8_accept. */
int imap_cmd_mailbox(struct imap_cmd *c, const char *utf8, size_t len, bool utf8_accept,
		     struct ebb_err *err);
/* Always a literal (APPEND of a message). */
int imap_cmd_literal(struct imap_cmd *c, const char *data, size_t len, struct ebb_err *err);
/* Ends the command with CRLF. */
int imap_cmd_end(struct imap_cmd *c, struct ebb_err *err);
void imap_cmd_free(struct imap_cmd *c);

#endif
