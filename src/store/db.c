/* store/db: opening a database safely (0600; damaged or newer files refused
 * untouched), migrations, statement cache, transactions, error sentences. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "store_int.h"

#define BUSY_TIMEOUT_MS 5000
#define SQLITE_HEADER_LEN 100

static const char sqlite_magic[16] = "SQLite format 3";   /* with its NUL */

int store_sql_err(struct store *st, int rc, struct ebb_err *err, const char *what)
{
	const char *path = st && st->path ? st->path : "the database";
	const char *detail = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return ebb_err_set(err, EBB_EIO,
				   "%s: the disk is full (database %s); free some space and try again",
				   what, path);
	case SQLITE_READONLY:
		return ebb_err_set(err, EBB_EIO,
				   "%s: database %s is read-only; check the permissions of the file "
				   "and of its directory",
				   what, path);
	case SQLITE_CANTOPEN:
		return ebb_err_set(err, EBB_EIO,
				   "%s: cannot open database %s; check that its directory exists "
				   "and is writable",
				   what, path);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ebb_err_set(err, EBB_EBUSY,
				   "%s: database %s is busy (another ebb is writing to it); "
				   "try again in a moment",
				   what, path);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return ebb_err_set(err, EBB_ECORRUPT,
				   "%s: database %s is damaged (%s); restore a backup or move the "
				   "file away",
				   what, path, detail);
	case SQLITE_NOMEM:
		return ebb_err_set(err, EBB_ENOMEM, "%s: out of memory", what);
	case SQLITE_IOERR:
		return ebb_err_set(err, EBB_EIO, "%s: input/output error on database %s (%s)",
				   what, path, detail);
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
	case SQLITE_TOOBIG:
		return ebb_err_set(err, EBB_EINVAL, "%s: %s", what, detail);
	default:
		return ebb_err_set(err, EBB_EIO, "%s: %s (database %s)", what, detail, path);
	}
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct ebb_err *err)
{
	size_t start = (size_t)(((uintptr_t)sql >> 3) % STORE_STMT_SLOTS);
	for (size_t k = 0; k < STORE_STMT_SLOTS; k++) {
		struct store_stmt_slot *slot = &st->slots[(start + k) % STORE_STMT_SLOTS];
		if (slot->sql == sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
		if (!slot->sql) {
			sqlite3_stmt *s = NULL;
			int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
						    NULL);
			if (rc != SQLITE_OK) {
				sqlite3_finalize(s);
				store_sql_err(st, rc, err, "cannot prepare a query");
				return NULL;
			}
			slot->sql = sql;
			slot->stmt = s;
			return s;
		}
	}
	ebb_err_set(err, EBB_EINVAL, "internal error: the store's statement cache is full");
	return NULL;
}

int store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (!v)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

size_t store_step_count(sqlite3_stmt *s)
{
	size_t count = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		sqlite3_int64 v = sqlite3_column_int64(s, 0);
		count = v > 0 ? (size_t)v : 0;
	}
	sqlite3_reset(s);
	return count;
}

int store_col_strdup(sqlite3_stmt *s, int i, char **out)
{
	*out = NULL;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return EBB_OK;
	const unsigned char *v = sqlite3_column_text(s, i);
	if (!v)
		return EBB_ENOMEM;
	int len = sqlite3_column_bytes(s, i);
	*out = util_strndup((const char *)v, (size_t)len);
	return *out ? EBB_OK : EBB_ENOMEM;
}

/* Runs one statement that returns no rows we need. */
static int run_simple(struct store *st, const char *sql, struct ebb_err *err, const char *what)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	int rc = sqlite3_step(s);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sql_err(st, rc, err, what);
	return EBB_OK;
}

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_savepoint[] = "SAVEPOINT store_nested";
static const char sql_release[] = "RELEASE store_nested";
static const char sql_rollback_to[] = "ROLLBACK TO store_nested";

int store_tx_begin(struct store *st, int *nested, struct ebb_err *err)
{
	*nested = !sqlite3_get_autocommit(st->db);
	return run_simple(st, *nested ? sql_savepoint : sql_begin, err,
			  "cannot start a transaction");
}

int store_tx_commit(struct store *st, int nested, struct ebb_err *err)
{
	int rc = run_simple(st, nested ? sql_release : sql_commit, err,
			    "cannot commit a transaction");
	if (rc)
		store_tx_rollback(st, nested);
	return rc;
}

void store_tx_rollback(struct store *st, int nested)
{
	/* SQLite itself rolls back on some errors (disk full, I/O); then there
	 * is nothing left to undo at the outer level. */
	if (nested) {
		run_simple(st, sql_rollback_to, NULL, "rollback");
		run_simple(st, sql_release, NULL, "rollback");
	} else if (!sqlite3_get_autocommit(st->db)) {
		run_simple(st, sql_rollback, NULL, "rollback");
	}
}

int store_begin(struct store *st, struct ebb_err *err)
{
	if (!sqlite3_get_autocommit(st->db))
		return ebb_err_set(err, EBB_EINVAL, "a transaction is already open on database %s",
				   st->path);
	return run_simple(st, sql_begin, err, "cannot start a transaction");
}

int store_commit(struct store *st, struct ebb_err *err)
{
	if (sqlite3_get_autocommit(st->db))
		return ebb_err_set(err, EBB_EINVAL, "no transaction is open on database %s",
				   st->path);
	int rc = run_simple(st, sql_commit, err, "cannot commit a transaction");
	if (rc)
		store_rollback(st);
	return rc;
}

void store_rollback(struct store *st)
{
	if (st && !sqlite3_get_autocommit(st->db))
		run_simple(st, sql_rollback, NULL, "rollback");
}

/* Reads one integer from a PRAGMA or query without parameters. */
static int query_int(struct store *st, const char *sql, long long *out, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return EBB_OK;
	}
	sqlite3_reset(s);
	return store_sql_err(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, err,
			     "cannot read the database header");
}

static const char sql_user_version[] = "PRAGMA user_version";
static const char sql_application_id[] = "PRAGMA application_id";
static const char sql_schema_count[] = "SELECT count(*) FROM sqlite_schema";
static const char sql_quick_check[] = "PRAGMA quick_check(1)";
static const char sql_integrity_check[] = "PRAGMA integrity_check(10)";
static const char sql_fts_check[] =
	"INSERT INTO message_fts(message_fts) VALUES('integrity-check')";
static const char sql_wal[] = "PRAGMA journal_mode = WAL";
static const char sql_synchronous[] = "PRAGMA synchronous = NORMAL";
static const char sql_foreign_keys[] = "PRAGMA foreign_keys = ON";
/* 32 MiB of page cache (the default is 2 MiB): a sync probes the thread and
 * message-id indexes at random, and at 100 k messages they outgrow 2 MiB,
 * so every probe became a read. Pages are only taken as they are used. */
static const char sql_cache_size[] = "PRAGMA cache_size = -32768";
/* Sorting and DISTINCT scratch tables stay in memory, never in files. */
static const char sql_temp_store[] = "PRAGMA temp_store = MEMORY";

/* SQLite's check reports come in lines, the first naming the schema
 * ("*** in database main ***"); an error sentence is one line. */
static void one_line(const char *in, char *out, size_t outlen)
{
	const char *marker = "*** in database main ***";
	if (strncmp(in, marker, strlen(marker)) == 0)
		in += strlen(marker);
	size_t len = 0;
	for (; *in && len + 3 < outlen; in++) {
		unsigned char c = (unsigned char)*in;
		if (c == '\n') {
			if (len) {
				out[len++] = ';';
				out[len++] = ' ';
			}
		} else if (c >= 0x20 && c != 0x7f) {
			out[len++] = (char)c;
		}
	}
	out[len] = '\0';
}

static int refuse_damaged(struct store *st, const char *why, struct ebb_err *err)
{
	return ebb_err_set(err, EBB_ECORRUPT,
			   "%s is not an ebb database or is damaged (%s); it was left untouched",
			   st->path, why);
}

static int refuse_newer(const char *path, long long version, struct ebb_err *err)
{
	return ebb_err_set(err, EBB_EVERSION,
			   "database %s was written by a newer ebb (schema %lld, this ebb knows %d); "
			   "upgrade ebb or move the file away",
			   path, version, STORE_SCHEMA_VERSION);
}

/* Whether a non-empty -wal or -journal file lies next to path. */
static int has_journal(const char *path)
{
	static const char *const suffixes[] = {"-wal", "-journal"};
	for (size_t i = 0; i < 2; i++) {
		char side[4096];
		struct stat sb;
		if ((size_t)snprintf(side, sizeof side, "%s%s", path, suffixes[i]) >= sizeof side)
			continue;
		if (stat(side, &sb) == 0 && sb.st_size > 0)
			return 1;
	}
	return 0;
}

/* Looks at the first bytes of an existing file before SQLite may write to
 * it: an empty file is a new database; anything else must be SQLite and not
 * visibly cut short. Creates the file with mode 0600 when create is set and
 * it is missing. */
static int file_precheck(struct store *st, int create, off_t *size, struct ebb_err *err)
{
	/* No open()/close() of an existing database here: closing any descriptor
	 * of a file drops every POSIX lock this process holds on it, and SQLite's
	 * locks of the other connections in this process (the sync workers')
	 * would silently vanish. The header is read through SQLite's own file
	 * handle later (header_check). */
	const char *path = st->path;
	struct stat sb;
	*size = 0;
	if (stat(path, &sb) && errno == ENOENT && create) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0) {
			close(fd);  /* a file we just created: nobody holds locks on it yet */
			return EBB_OK;
		}
		if (errno != EEXIST) {  /* else another ebb created it meanwhile */
			int e = errno;
			if (e == ENOENT)
				return ebb_err_set(err, EBB_ENOENT, "cannot create database %s: its "
						   "directory does not exist", path);
			if (e == EROFS)
				return ebb_err_set(err, EBB_EIO, "cannot create database %s: the file "
						   "system is read-only; set data_dir in [general] to a "
						   "writable directory", path);
			return ebb_err_set(err, EBB_EIO, "cannot create database %s: %s", path,
					   strerror(e));
		}
	}
	if (stat(path, &sb)) {
		int e = errno;
		if (e == ENOENT)
			return ebb_err_set(err, EBB_ENOENT, "database %s does not exist", path);
		if (e == EACCES)
			return ebb_err_set(err, EBB_EIO,
					   "cannot open database %s: permission denied; check the "
					   "owner and mode of the file and its directory",
					   path);
		return ebb_err_set(err, EBB_EIO, "cannot open database %s: %s", path, strerror(e));
	}
	if (!S_ISREG(sb.st_mode))
		return refuse_damaged(st, "not a regular file", err);
	if (access(path, R_OK))
		return ebb_err_set(err, EBB_EIO, "cannot open database %s: %s; check the owner and "
				   "mode of the file", path, strerror(errno));
	/* SQLite needs to write the file and create -wal/-shm beside it; say so
	 * now rather than let it fail later as "unable to open database file". */
	if (create) {
		char dir[4096];
		util_strlcpy(dir, path, sizeof dir);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			util_strlcpy(dir, ".", sizeof dir);
		const char *which = access(path, W_OK) ? path : access(dir, W_OK) ? dir : NULL;
		if (which) {
			int e = errno;
			if (e == EROFS)
				return ebb_err_set(err, EBB_EIO, "cannot write database %s: %s is on a "
						   "read-only file system; make it writable or set "
						   "data_dir in [general] to a writable directory",
						   path, which);
			return ebb_err_set(err, EBB_EIO, "cannot write database %s: no write "
					   "permission on %s (%s); check its owner and mode",
					   path, which, strerror(e));
		}
	}
	*size = sb.st_size;
	return EBB_OK;
}

/* Checks the first 100 bytes and the length before SQLite reads any page,
 * so a file that is not a database, or is visibly cut short, is refused
 * without a write. Reads through SQLite's own descriptor (see above). */
static int header_check(struct store *st, off_t size, struct ebb_err *err)
{
	const char *path = st->path;
	if (size == 0)
		return EBB_OK;
	sqlite3_file *file = NULL;
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
	    !file || !file->pMethods)
		return ebb_err_set(err, EBB_EIO, "cannot read database %s", path);
	unsigned char hdr[SQLITE_HEADER_LEN];
	int rc = file->pMethods->xRead(file, hdr, (int)sizeof hdr, 0);
	if (rc == SQLITE_IOERR_SHORT_READ || (rc == SQLITE_OK && size < (off_t)sizeof hdr))
		return refuse_damaged(st, "it does not start with an SQLite header", err);
	if (rc != SQLITE_OK)
		return ebb_err_set(err, EBB_EIO, "cannot read database %s (%s)", path,
				   sqlite3_errstr(rc));
	if (memcmp(hdr, sqlite_magic, sizeof sqlite_magic) != 0)
		return refuse_damaged(st, "it does not start with an SQLite header", err);
	/* Page size: big-endian at 16, 1 meaning 65536. */
	unsigned long page = ((unsigned long)hdr[16] << 8) | hdr[17];
	if (page == 1)
		page = 65536;
	if (page < 512 || page > 65536 || (page & (page - 1)))
		return refuse_damaged(st, "its header names an impossible page size", err);
	/* A hot journal or WAL may still complete the file: SQLite's recovery
	 * decides then, not the length. */
	if (has_journal(path))
		return EBB_OK;
	unsigned long long len = (unsigned long long)size;
	if (len % page)
		return refuse_damaged(st, "it is not a whole number of pages long", err);
	/* The page count at 28 is valid when the change counter at 24 equals
	 * the version-valid-for number at 92. */
	if (memcmp(hdr + 24, hdr + 92, 4) == 0) {
		unsigned long long pages = ((unsigned long long)hdr[28] << 24) |
					   ((unsigned long long)hdr[29] << 16) |
					   ((unsigned long long)hdr[30] << 8) | hdr[31];
		if (pages * page > len)
			return refuse_damaged(st, "the file is cut short", err);
	}
	return EBB_OK;
}

/* PRAGMA quick_check reads every page: it guards migrations, which rewrite
 * the schema, but is not run on every open because its cost grows with the
 * database (seconds at a million messages); store_check is the full check. */
static int quick_check(struct store *st, struct ebb_err *err)
{
	struct ebb_err tmp;
	sqlite3_stmt *s = store_stmt(st, sql_quick_check, &tmp);
	if (!s)
		return refuse_damaged(st, sqlite3_errmsg(st->db), err);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
			return store_sql_err(st, rc, err, "cannot check the database");
		return refuse_damaged(st, sqlite3_errmsg(st->db), err);
	}
	const char *res = (const char *)sqlite3_column_text(s, 0);
	if (!res || strcmp(res, "ok") != 0) {
		char why[200];
		one_line(res ? res : "no answer from quick_check", why, sizeof why);
		sqlite3_reset(s);
		return refuse_damaged(st, why, err);
	}
	sqlite3_reset(s);
	return EBB_OK;
}

/* Read-only checks, before the first write (journal mode, migrations). */
static int check_health(struct store *st, int will_migrate, long long *version,
			struct ebb_err *err)
{
	struct ebb_err tmp;
	long long app = 0, objects = 0;
	if (query_int(st, sql_user_version, version, &tmp) ||
	    query_int(st, sql_application_id, &app, &tmp) ||
	    query_int(st, sql_schema_count, &objects, &tmp)) {
		if (tmp.code == EBB_EBUSY || tmp.code == EBB_ENOMEM) {
			if (err)
				*err = tmp;
			return tmp.code;
		}
		return refuse_damaged(st, sqlite3_errmsg(st->db), err);
	}
	if (*version > STORE_SCHEMA_VERSION) {
		if (app != STORE_APPLICATION_ID)
			return refuse_damaged(st, "it belongs to another program", err);
		return refuse_newer(st->path, *version, err);
	}
	if (*version > 0 && app != STORE_APPLICATION_ID)
		return refuse_damaged(st, "it belongs to another program", err);
	if (*version == 0 && objects > 0)
		return refuse_damaged(st, "it holds tables of another program", err);
	if (*version < 0)
		return refuse_damaged(st, "negative schema version", err);
	if (will_migrate && *version < STORE_SCHEMA_VERSION)
		return quick_check(st, err);
	return EBB_OK;
}

static int migrate(struct store *st, struct ebb_err *err)
{
	for (size_t i = 0; i < store_nmigrations; i++) {
		const struct store_migration *m = &store_migrations[i];
		if (m->version <= st->schema_version)
			continue;
		int rc = run_simple(st, sql_begin, err, "cannot upgrade the database");
		if (rc)
			return rc;
		/* Another ebb may have migrated while we waited for the lock. */
		long long now_version = 0;
		rc = query_int(st, sql_user_version, &now_version, err);
		if (rc) {
			store_rollback(st);
			return rc;
		}
		if (now_version > STORE_SCHEMA_VERSION) {
			store_rollback(st);
			return refuse_newer(st->path, now_version, err);
		}
		if (now_version >= m->version) {
			store_rollback(st);
			st->schema_version = (int)now_version;
			continue;
		}
		char *msg = NULL;
		rc = sqlite3_exec(st->db, m->sql, NULL, NULL, &msg);
		if (rc == SQLITE_OK) {
			/* PRAGMA takes no parameters; the number is a constant of ours. */
			char set_version[64];
			snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d",
				 m->version);
			sqlite3_free(msg);
			msg = NULL;
			rc = sqlite3_exec(st->db, set_version, NULL, NULL, &msg);
		}
		sqlite3_free(msg);
		if (rc != SQLITE_OK) {
			char what[80];
			snprintf(what, sizeof what, "cannot upgrade the database to schema %d",
				 m->version);
			store_sql_err(st, rc, err, what);
			store_rollback(st);
			return err ? err->code : EBB_EIO;
		}
		rc = run_simple(st, sql_commit, err, "cannot upgrade the database");
		if (rc) {
			store_rollback(st);
			return rc;
		}
		st->schema_version = m->version;
	}
	return EBB_OK;
}

static int open_common(const char *path, int readonly, struct store **out, struct ebb_err *err)
{
	if (!out)
		return ebb_err_set(err, EBB_EINVAL, "store_open: no place for the result");
	*out = NULL;
	if (!path || !path[0])
		return ebb_err_set(err, EBB_EINVAL, "no database path given");
	struct store *st = calloc(1, sizeof *st);
	if (!st)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening database %s", path);
	st->path = strdup(path);
	if (!st->path) {
		free(st);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory opening database %s", path);
	}
	st->readonly = readonly;
	int memory = strcmp(path, ":memory:") == 0;
	int rc;
	off_t size = 0;
	if (!memory) {
		rc = file_precheck(st, !readonly, &size, err);
		if (rc)
			goto fail;
	}
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (memory)
		flags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(st, rc, err, "cannot open the database");
		goto fail;
	}
	if (!memory) {
		rc = header_check(st, size, err);
		if (rc)
			goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	rc = run_simple(st, sql_foreign_keys, err, "cannot set up the database");
	if (!rc)
		rc = run_simple(st, sql_cache_size, err, "cannot set up the database");
	if (!rc)
		rc = run_simple(st, sql_temp_store, err, "cannot set up the database");
	if (rc)
		goto fail;
	long long version = 0;
	rc = check_health(st, !readonly, &version, err);
	if (rc)
		goto fail;
	st->schema_version = (int)version;
	if (!readonly) {
		rc = run_simple(st, sql_wal, err, "cannot switch the database to WAL mode");
		if (!rc)
			rc = run_simple(st, sql_synchronous, err, "cannot set up the database");
		if (!rc)
			rc = migrate(st, err);
		if (rc)
			goto fail;
	}
	*out = st;
	return EBB_OK;
fail:
	store_close(st);
	return rc;
}

int store_open(const char *path, struct store **out, struct ebb_err *err)
{
	return open_common(path, 0, out, err);
}

int store_open_readonly(const char *path, struct store **out, struct ebb_err *err)
{
	return open_common(path, 1, out, err);
}

const char *store_path(const struct store *st)
{
	if (!st || !st->path || strcmp(st->path, ":memory:") == 0)
		return NULL;
	return st->path;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < STORE_STMT_SLOTS; i++)
		sqlite3_finalize(st->slots[i].stmt);
	if (st->db)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int store_schema_version(struct store *st)
{
	long long v = 0;
	if (query_int(st, sql_user_version, &v, NULL) == EBB_OK)
		st->schema_version = (int)v;
	return st->schema_version;
}

int store_check(struct store *st, struct ebb_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_integrity_check, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	struct sbuf problems = {0};
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(s, 0);
		if (!line || strcmp(line, "ok") == 0)
			continue;
		char clean[200];
		one_line(line, clean, sizeof clean);
		if (problems.len < 300 && clean[0] &&
		    ((problems.len && sbuf_puts(&problems, "; ")) || sbuf_puts(&problems, clean))) {
			sqlite3_reset(s);
			sbuf_free(&problems);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory checking the database");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		sbuf_free(&problems);
		return store_sql_err(st, rc, err, "cannot check the database");
	}
	if (problems.len) {
		ebb_err_set(err, EBB_ECORRUPT,
			    "database %s is damaged: %.300s; restore a backup or move the file away",
			    st->path, problems.buf);
		sbuf_free(&problems);
		return EBB_ECORRUPT;
	}
	if (st->readonly || st->schema_version < 1)
		return EBB_OK;
	/* The search index is kept in step by triggers; check that it is. */
	s = store_stmt(st, sql_fts_check, err);
	if (!s)
		return err ? err->code : EBB_EIO;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if ((rc & 0xff) == SQLITE_CORRUPT)
			return ebb_err_set(err, EBB_ECORRUPT,
					   "the search index of database %s does not match its "
					   "messages",
					   st->path);
		return store_sql_err(st, rc, err, "cannot check the search index");
	}
	return EBB_OK;
}
