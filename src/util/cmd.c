/* util/cmd: runs password_cmd / token_cmd and keeps their output secret. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ebb/util.h"

int util_run_secret_cmd(const char *cmd, char *out, size_t outlen, struct ebb_err *err)
{
	if (!outlen)
		return ebb_err_set(err, EBB_EINVAL, "no room for the command's output");
	out[0] = '\0';
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return ebb_err_set(err, EBB_EIO, "cannot create a pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return ebb_err_set(err, EBB_EIO, "cannot start a process: %s", strerror(errno));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fds[1], 1);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	int cut = 0, eol = 0;
	char buf[512];
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n && !eol; i++) {
			if (buf[i] == '\n') {
				eol = 1;
			} else if (len + 1 < outlen) {
				out[len++] = buf[i];
			} else {
				cut = 1;
			}
		}
	}
	close(fds[0]);
	out[len] = '\0';
	if (len && out[len - 1] == '\r')
		out[--len] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		explicit_bzero(out, outlen);
		out[0] = '\0';
		if (WIFEXITED(status))
			return ebb_err_set(err, EBB_EAUTH, "the command exited with status %d",
					   WEXITSTATUS(status));
		return ebb_err_set(err, EBB_EAUTH, "the command was killed by a signal");
	}
	if (cut) {
		explicit_bzero(out, outlen);
		out[0] = '\0';
		return ebb_err_set(err, EBB_ETOOBIG, "the command printed a first line over %zu bytes",
				   outlen - 1);
	}
	if (!len)
		return ebb_err_set(err, EBB_EAUTH, "the command printed nothing");
	return EBB_OK;
}
