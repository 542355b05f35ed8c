/* cli/demo: `ebb --demo` — a private copy of the bundled demo Maildir and
 * config in a temp dir, with the clock fixed to the demo's Tuesday morning. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ebb/cli.h"
#include "ebb/store.h"
#include "ebb/sync.h"

#ifndef EBB_SHAREDIR
#define EBB_SHAREDIR "/usr/local/share/ebb"
#endif

/* Tuesday 2026-11-24 08:00 Europe/Berlin: before the first reply block. */
#define DEMO_NOW "1795503600"

static int is_demo_dir(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;
	return !util_path(p, sizeof p, "%s/config", dir) && !stat(p, &st) &&
	       !util_path(p, sizeof p, "%s/Maildir/cur", dir) && !stat(p, &st);
}

/* $EBB_DEMO_DIR, the source tree next to the binary, or the installed copy. */
static int find_demo(const char *argv0, char *out, size_t outlen)
{
	const char *env = getenv("EBB_DEMO_DIR");
	if (env && *env)
		return is_demo_dir(env) && !util_strlcpy(out, env, outlen) ? 0 : -1;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		if (!realpath(argv0, exe))
			exe[0] = '\0';
	} else {
		exe[n] = '\0';
	}
	char *slash = strrchr(exe, '/');
	if (slash) {
		*slash = '\0';
		if (!util_path(out, outlen, "%s/share/demo", exe) && is_demo_dir(out))
			return 0;
	}
	if (!util_path(out, outlen, "%s/demo", EBB_SHAREDIR) && is_demo_dir(out))
		return 0;
	return -1;
}

/* Runs argv without a shell: paths never get interpreted. */
static int run(char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int cli_demo_setup(struct cli_env *env, const char *argv0, char *tmpdir, size_t tmplen,
		   struct ebb_err *err)
{
	char demo[PATH_MAX], path[PATH_MAX];
	if (find_demo(argv0, demo, sizeof demo))
		return ebb_err_set(err, EBB_ENOENT, "cannot find the demo data (share/demo); set "
				   "EBB_DEMO_DIR to it");
	const char *base = getenv("TMPDIR");
	if (util_path(tmpdir, tmplen, "%s/ebb-demo.XXXXXX", base && *base ? base : "/tmp") ||
	    !mkdtemp(tmpdir)) {
		tmpdir[0] = '\0';
		return ebb_err_set(err, EBB_EIO, "cannot create a temporary directory: %s",
				   strerror(errno));
	}
	char src[PATH_MAX + 16], dst[PATH_MAX + 16];
	if (util_path(src, sizeof src, "%s/Maildir", demo) ||
	    util_path(dst, sizeof dst, "%s/Maildir", tmpdir))
		return ebb_err_set(err, EBB_ETOOBIG, "demo path too long");
	char *cp[] = {"cp", "-R", src, dst, NULL};
	if (run(cp))
		return ebb_err_set(err, EBB_EIO, "cannot copy the demo Maildir to %s", tmpdir);
	if (util_path(src, sizeof src, "%s/config", demo) ||
	    util_path(dst, sizeof dst, "%s/config", tmpdir))
		return ebb_err_set(err, EBB_ETOOBIG, "demo path too long");
	char *cp2[] = {"cp", src, dst, NULL};
	if (run(cp2))
		return ebb_err_set(err, EBB_EIO, "cannot copy the demo config to %s", tmpdir);
	if (!getenv("EBB_NOW"))
		setenv("EBB_NOW", DEMO_NOW, 1);
	int rc = config_load(dst, &env->cfg, err);
	if (rc)
		return rc;
	/* The data dir is the temp dir too: the demo never touches real data. */
	if (util_path(path, sizeof path, "%s/data", tmpdir))
		return ebb_err_set(err, EBB_ETOOBIG, "demo path too long");
	free(env->cfg->data_dir);
	env->cfg->data_dir = strdup(path);
	if (!env->cfg->data_dir)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	rc = config_db_path(env->cfg, env->db_path, sizeof env->db_path, err);
	if (rc)
		return rc;
	struct store *st;
	rc = store_open(env->db_path, &st, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < env->cfg->naccounts && !rc; i++)
		rc = sync_account(env->cfg, &env->cfg->accounts[i], st, NULL, NULL, NULL, err);
	store_close(st);
	return rc;
}

void cli_demo_cleanup(const char *tmpdir)
{
	if (!tmpdir || !tmpdir[0] || getenv("EBB_DEMO_KEEP"))
		return;
	char *rm[] = {"rm", "-rf", (char *)tmpdir, NULL};
	run(rm);
}
