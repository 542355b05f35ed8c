/* bench/sqlite_ref: the SQLite reference for storing a header sync: N header
 * rows inserted into a table with an FTS5 index, in one transaction, into a
 * fresh WAL database. Prints {"rows": N, "seconds": S} on stdout.
 * usage: sqlite_ref DBFILE [ROWS]   (ROWS defaults to 100000) */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *const words[] = {
	"budget", "review", "plan", "release", "notes", "draft", "offsite", "hiring", "roadmap",
	"quarter", "agenda", "client", "proposal", "invoice", "schedule", "design", "feedback",
	"report", "numbers", "contract", "server", "deploy", "patch", "travel", "launch",
	"summary", "decision", "priority", "risk", "milestone", "café", "Zürich",
};
#define NWORDS (sizeof words / sizeof *words)

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ref: %s: %s\n", sql, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: sqlite_ref DBFILE [ROWS]\n");
		return 2;
	}
	long rows = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
	if (rows <= 0) {
		fprintf(stderr, "sqlite_ref: ROWS must be a positive number\n");
		return 2;
	}
	char wal[4096];
	snprintf(wal, sizeof wal, "%s-wal", argv[1]);
	unlink(argv[1]);
	unlink(wal);

	double t0 = now_s();
	sqlite3 *db = NULL;
	if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ref: cannot open %s\n", argv[1]);
		sqlite3_close(db);
		return 1;
	}
	sqlite3_stmt *ins = NULL, *fts = NULL;
	int rc = 1;
	if (exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") ||
	    exec(db, "CREATE TABLE msg(id INTEGER PRIMARY KEY, uid INTEGER, msgid TEXT, "
		     "in_reply_to TEXT, sender TEXT, recipients TEXT, subject TEXT, date INTEGER, "
		     "flags INTEGER, size INTEGER)") ||
	    exec(db, "CREATE VIRTUAL TABLE msg_fts USING fts5(sender, recipients, subject)") ||
	    exec(db, "BEGIN"))
		goto out;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO msg(uid, msgid, in_reply_to, sender, recipients, subject, "
			       "date, flags, size) VALUES (?,?,?,?,?,?,?,?,?)",
			       -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO msg_fts(rowid, sender, recipients, subject) "
				   "VALUES (?,?,?,?)", -1, &fts, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ref: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	uint64_t state = 42;
	for (long i = 0; i < rows; i++) {
		char msgid[64], reply[64], sender[96], rcpt[96], subject[160];
		snprintf(msgid, sizeof msgid, "%016llx.%ld@example.org",
			 (unsigned long long)next_rand(&state), i);
		snprintf(reply, sizeof reply, "%016llx.%ld@example.org",
			 (unsigned long long)next_rand(&state), i / 2);
		snprintf(sender, sizeof sender, "%s Person <p%u@example.com>",
			 words[next_rand(&state) % NWORDS], (unsigned)(next_rand(&state) % 500));
		snprintf(rcpt, sizeof rcpt, "Sam Rivera <sam@ebb.test>, team%u@example.org",
			 (unsigned)(next_rand(&state) % 20));
		size_t len = 0;
		subject[0] = 0;
		for (int w = 0; w < 6; w++)
			len += (size_t)snprintf(subject + len, sizeof subject - len, "%s ",
						words[next_rand(&state) % NWORDS]);
		sqlite3_bind_int64(ins, 1, i + 1);
		sqlite3_bind_text(ins, 2, msgid, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, reply, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, sender, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, rcpt, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, subject, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 7, 1764000000 + i * 300);
		sqlite3_bind_int(ins, 8, 1);
		sqlite3_bind_int(ins, 9, 4000 + (int)(next_rand(&state) % 6000));
		if (sqlite3_step(ins) != SQLITE_DONE)
			break;
		sqlite3_reset(ins);
		sqlite3_bind_int64(fts, 1, sqlite3_last_insert_rowid(db));
		sqlite3_bind_text(fts, 2, sender, -1, SQLITE_STATIC);
		sqlite3_bind_text(fts, 3, rcpt, -1, SQLITE_STATIC);
		sqlite3_bind_text(fts, 4, subject, -1, SQLITE_STATIC);
		if (sqlite3_step(fts) != SQLITE_DONE)
			break;
		sqlite3_reset(fts);
		if (i + 1 == rows)
			rc = 0;
	}
	if (rc) {
		fprintf(stderr, "sqlite_ref: insert failed: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	if (exec(db, "COMMIT"))
		rc = 1;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(fts);
	sqlite3_close(db);
	if (!rc)
		printf("{\"rows\": %ld, \"seconds\": %.4f}\n", rows, now_s() - t0);
	return rc;
}
