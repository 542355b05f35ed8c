/* providers/mail_send: hands an outgoing mail to the account's transport.
 * sendmail_cmd gets the message on stdin and reads recipients from its
 * headers (msmtp -t, sendmail -t); smtp_url goes through net/. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ebb/provider.h"

/* Runs cmd with data on stdin. Returns the wait status, or -1 when the
 * process could not be started (then nothing was handed over). */
static int run_with_stdin(const char *cmd, const char *data, size_t len, int *started)
{
	*started = 0;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 1);  /* its stdout would draw over the screen */
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	*started = 1;
	close(fds[0]);
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fds[1], data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;  /* the command stopped reading; its exit status tells */
		off += (size_t)n;
	}
	close(fds[1]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int mail_send(const struct account_cfg *acc, const struct outbox_item *item,
	      struct send_result *res, struct ebb_err *err)
{
	memset(res, 0, sizeof *res);
	if (acc->sendmail_cmd) {
		int started;
		int status = run_with_stdin(acc->sendmail_cmd, item->payload, item->payload_len,
					    &started);
		if (status < 0) {
			res->uncertain = started;
			return ebb_err_set(err, EBB_EIO, "cannot run sendmail_cmd: %s", strerror(errno));
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return EBB_OK;
		if (WIFEXITED(status))
			return ebb_err_set(err, EBB_EIO, "sendmail_cmd exited with status %d; the "
					   "message was not accepted", WEXITSTATUS(status));
		/* Killed mid-way: it may have queued the message already. */
		res->uncertain = 1;
		return ebb_err_set(err, EBB_EIO, "sendmail_cmd was killed by signal %d; it may "
				   "or may not have accepted the message", WTERMSIG(status));
	}
	if (acc->smtp_url)
		return ebb_err_set(err, EBB_EINVAL, "account %s: sending through smtp_url is not in "
				   "this version yet; set sendmail_cmd = msmtp -t (or sendmail -t)",
				   acc->name);
	return ebb_err_set(err, EBB_EINVAL, "account %s has no way to send mail; set sendmail_cmd "
			   "(e.g. msmtp -t) or smtp_url", acc->name);
}
