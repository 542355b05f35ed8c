/* mime/html_cmd: HTML through the user's own converter (w3m, lynx) when
 * html_cmd is set. The HTML goes on stdin, never on a command line; the
 * output is bounded in size and time and re-checked as UTF-8. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ebb/mime.h"
#include "mime_internal.h"

#define HTML_CMD_TIMEOUT_MS 5000

/* Written once by main before any thread starts, then only read. */
static char *html_command;

int mime_set_html_command(const char *cmd)
{
	char *copy = NULL;
	if (cmd && *cmd && !(copy = strdup(cmd)))
		return EBB_ENOMEM;
	free(html_command);
	html_command = copy;
	return EBB_OK;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Feeds html to the command and collects its stdout at the same time, so a
 * converter that writes before it has read everything cannot deadlock us. */
static char *run_converter(const char *cmd, const char *html, size_t len)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC))
		return NULL;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	struct sbuf sb = {0};
	size_t sent = 0;
	int ok = 1, writing = 1;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (!len) {
		close(in[1]);
		writing = 0;
	}
	for (;;) {
		long left = HTML_CMD_TIMEOUT_MS - elapsed_ms(&start);
		if (left <= 0) {
			ok = 0;
			break;
		}
		struct pollfd pf[2] = {{.fd = out[0], .events = POLLIN},
				       {.fd = writing ? in[1] : -1, .events = POLLOUT}};
		int n = poll(pf, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ok = 0;
			break;
		}
		if (writing && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in[1], html + sent, len - sent);
			if (w > 0)
				sent += (size_t)w;
			if (w < 0 && errno != EAGAIN && errno != EINTR)
				sent = len;  /* it stopped reading: take what it printed */
			if (sent == len) {
				close(in[1]);
				writing = 0;
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[8192];
			ssize_t r = read(out[0], buf, sizeof buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;  /* end of its output */
			if (sb.len + (size_t)r > MIME_MAX_TEXT || sbuf_append(&sb, buf, (size_t)r)) {
				ok = 0;
				break;
			}
		}
	}
	if (writing)
		close(in[1]);
	close(out[0]);
	if (!ok)
		kill(pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !sb.len) {
		sbuf_free(&sb);
		return NULL;
	}
	char *text = mime_to_utf8(sb.buf, sb.len, "utf-8");
	sbuf_free(&sb);
	return text;
}

char *mime_html_external(const char *html, size_t len)
{
	if (!html_command)
		return NULL;
	return run_converter(html_command, html, len);
}
