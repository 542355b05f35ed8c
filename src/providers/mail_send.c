/* providers/mail_send: hands an outgoing mail to the account's transport.
 * sendmail_cmd gets the message on stdin and reads recipients from its
 * headers (msmtp -t, sendmail -t); smtp_url goes through net/. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ebb/mime.h"
#include "ebb/net.h"
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

/* Splits the comma-separated addresses in list (modified in place) into
 * rcpt, which points into it. */
static int split_addrs(char *list, char ***rcpt, size_t *n)
{
	for (char *save = NULL, *a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		while (*a == ' ')
			a++;
		if (!*a)
			continue;
		char **grown = realloc(*rcpt, (*n + 1) * sizeof *grown);
		if (!grown)
			return EBB_ENOMEM;
		*rcpt = grown;
		grown[(*n)++] = a;
	}
	return EBB_OK;
}

/* smtp_url: envelope from the message's own From, To and Cc. */
static int smtp_send(const struct account_cfg *acc, const struct outbox_item *item,
		     struct send_result *res, struct ebb_err *err)
{
	struct mime_message *m = NULL;
	struct ebb_err perr = {0};
	if (mime_parse(item->payload, item->payload_len, &m, &perr))
		return ebb_err_set(err, EBB_EINVAL, "account %s: cannot read the queued message: %s",
				   acc->name, perr.msg);
	char **rcpt = NULL;
	size_t nrcpt = 0;
	struct sbuf addrs = {0};
	char secret[8192] = "";
	int rc = EBB_OK;
	if (sbuf_puts(&addrs, m->to_addrs ? m->to_addrs : "") || sbuf_putc(&addrs, ',') ||
	    sbuf_puts(&addrs, m->cc_addrs ? m->cc_addrs : "") ||
	    split_addrs(addrs.buf, &rcpt, &nrcpt)) {
		rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
		goto out;
	}
	struct net_mail_login login = {.ca_file = acc->ca_file};
	const char *cmd = acc->oauth_token_cmd ? acc->oauth_token_cmd : acc->password_cmd;
	if (acc->user && cmd) {
		if ((rc = util_run_secret_cmd(cmd, secret, sizeof secret, err))) {
			ebb_err_prefix(err, "account %s: ", acc->name);
			goto out;
		}
		login.user = acc->user;
		if (acc->oauth_token_cmd)
			login.bearer = secret;
		else
			login.password = secret;
	}
	struct net_smtp_msg msg = {
		.from = m->from_addr, .rcpt = (const char *const *)rcpt, .nrcpt = nrcpt,
		.data = item->payload, .len = item->payload_len,
	};
	rc = net_smtp_send(acc->smtp_url, &login, &msg, &res->uncertain, err);
	if (rc)
		ebb_err_prefix(err, "account %s: ", acc->name);
out:
	explicit_bzero(secret, sizeof secret);
	sbuf_free(&addrs);
	free(rcpt);
	mime_message_free(m);
	return rc;
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
		return smtp_send(acc, item, res, err);
	return ebb_err_set(err, EBB_EINVAL, "account %s has no way to send mail; set sendmail_cmd "
			   "(e.g. msmtp -t) or smtp_url", acc->name);
}
