/* sync/lock: one lock file per account next to the database, so only one
 * ebb process (an interactive ebb or `ebb sync --watch`) syncs an account
 * at a time; the others just read what it stores. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ebb/sync.h"

static int lock_path(const char *db_path, const char *account, char *out, size_t outlen)
{
	char dir[PATH_MAX];
	if (util_strlcpy(dir, db_path, sizeof dir))
		return EBB_ETOOBIG;
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	/* The account name is the user's own, but a '/' must not leave the dir. */
	char safe[128];
	size_t n = 0;
	for (const char *p = account; *p && n + 1 < sizeof safe; p++, n++)
		safe[n] = (*p == '/' || *p == '\\') ? '_' : *p;
	safe[n] = '\0';
	return util_path(out, outlen, "%s/sync-%s.lock", dir, safe);
}

int sync_lock_account(const char *db_path, const char *account, int *fd, long *holder,
		      struct ebb_err *err)
{
	*fd = -1;
	*holder = 0;
	char path[PATH_MAX];
	if (lock_path(db_path, account, path, sizeof path))
		return ebb_err_set(err, EBB_ETOOBIG, "the lock file path for account %s is too long",
				   account);
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f < 0)
		return ebb_err_set(err, EBB_EIO, "cannot open the lock file %s: %s", path,
				   strerror(errno));
	if (flock(f, LOCK_EX | LOCK_NB)) {
		char buf[32] = "";
		ssize_t r = pread(f, buf, sizeof buf - 1, 0);
		if (r > 0) {
			buf[r] = '\0';
			*holder = strtol(buf, NULL, 10);
		}
		close(f);
		if (*holder > 0)
			return ebb_err_set(err, EBB_EBUSY, "account %s is being synced by another ebb "
					   "(pid %ld)", account, *holder);
		return ebb_err_set(err, EBB_EBUSY, "account %s is being synced by another ebb",
				   account);
	}
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(f, 0) || pwrite(f, pid, (size_t)len, 0) != len) {
		/* The lock holds without the pid; the other side just cannot name us. */
	}
	*fd = f;
	return EBB_OK;
}

void sync_unlock_account(int fd)
{
	if (fd >= 0)
		close(fd);  /* closing releases the flock */
}
