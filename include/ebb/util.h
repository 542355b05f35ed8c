/* util: helpers every module may use: error reporting, growable strings,
 * files and directories with safe modes, child commands, UTF-8, the clock. */
#ifndef EBB_UTIL_H
#define EBB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Every fallible function returns EBB_OK or one of these negative codes and,
 * when given a struct ebb_err, leaves a sentence there that tells the user
 * what went wrong and, where possible, what to do. */
enum ebb_status {
	EBB_OK = 0,
	EBB_EINVAL = -1,   /* bad argument or bad input */
	EBB_ENOMEM = -2,
	EBB_EIO = -3,      /* file system or pipe */
	EBB_ENOENT = -4,   /* something asked for does not exist */
	EBB_EPARSE = -5,   /* malformed input (config, mail, server response) */
	EBB_ENET = -6,     /* connection refused, reset, DNS */
	EBB_EAUTH = -7,    /* credentials rejected */
	EBB_ETLS = -8,     /* certificate or handshake failure */
	EBB_ETOOBIG = -9,  /* input over a bound */
	EBB_EVERSION = -10,/* database or data from a newer ebb */
	EBB_ECORRUPT = -11,/* database damaged */
	EBB_EBUSY = -12,   /* locked by another process */
	EBB_ETIMEOUT = -13,
	EBB_EPROTO = -14,  /* peer broke the protocol */
};

#define EBB_ERRLEN 512

struct ebb_err {
	int code;
	char msg[EBB_ERRLEN];
};

/* Sets err (if not NULL) and returns code, so callers can write
 * `return ebb_err_set(err, EBB_EIO, "cannot read %s: %s", path, strerror(errno));` */
int ebb_err_set(struct ebb_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes an existing message: "account work: " + old message. */
int ebb_err_prefix(struct ebb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ebb_err_clear(struct ebb_err *err);

/* Growable, always NUL-terminated byte string. Zero-initialise to use. */
struct sbuf {
	char *buf;
	size_t len;
	size_t cap;
};
int sbuf_append(struct sbuf *sb, const char *s, size_t n);
int sbuf_puts(struct sbuf *sb, const char *s);
int sbuf_putc(struct sbuf *sb, char c);
int sbuf_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_reset(struct sbuf *sb);
/* Hands the buffer to the caller (never NULL on success: "" when empty). */
char *sbuf_detach(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);

char *util_strndup(const char *s, size_t n);   /* NULL only on ENOMEM */
char *util_strdup0(const char *s);              /* NULL in, NULL out */
/* Bounded copy that always terminates; returns 0 or EBB_ETOOBIG when cut. */
int util_strlcpy(char *dst, const char *src, size_t dstlen);
/* ASCII-only case-insensitive compare of two length-counted strings. */
int util_strncaseeq(const char *a, size_t alen, const char *b);
void util_trim(char *s);                        /* strips ASCII white space both ends */

/* snprintf for paths: returns EBB_ETOOBIG instead of silently cutting. */
int util_path(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Creates dir and missing parents with mode (0700 for ebb's own dirs). */
int util_mkdir_p(const char *path, mode_t mode, struct ebb_err *err);
/* Reads a whole file, refusing files larger than max. *out is NUL-terminated. */
int util_read_file(const char *path, size_t max, char **out, size_t *len, struct ebb_err *err);
/* Writes via a temp file in the same directory + fsync + rename. */
int util_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct ebb_err *err);
/* $XDG_CONFIG_HOME/ebb or ~/.config/ebb (and the same for DATA_HOME). */
int util_config_dir(char *out, size_t outlen, struct ebb_err *err);
int util_data_dir(char *out, size_t outlen, struct ebb_err *err);

/* Runs `sh -c cmd` with stdin from /dev/null and returns the first line of
 * its stdout (no newline). Used for password_cmd/token_cmd: the output is a
 * secret, so it is never put into err; err names the command's exit status. */
int util_run_secret_cmd(const char *cmd, char *out, size_t outlen, struct ebb_err *err);

/* The program's idea of now: EBB_NOW (epoch seconds) when set, else time(). */
time_t ebb_now(void);

/* Decodes one UTF-8 sequence from s[0..len). Returns its byte length (1..4)
 * and stores the code point, or returns -1 for an invalid/overlong/surrogate
 * sequence (then the caller consumes one byte). */
int utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* Encodes cp into out (>= 4 bytes); returns the byte count. */
int utf8_encode(uint32_t cp, char *out);

/* ISO 8601 in UTC ("2026-11-24T08:00:00Z") and back; the parser also takes
 * offsets and plain dates. Returns 0 or EBB_EPARSE. */
int util_format_utc(time_t t, char *out, size_t outlen);
int util_parse_iso8601(const char *s, time_t *out);

#endif
