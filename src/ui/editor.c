/* ui/editor: the user's $EDITOR on a private temp file holding the headers
 * and the body, with curses suspended while it runs, and the file read back. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ui_internal.h"

/* What we read back: a person does not type more. */
#define EDIT_MAX (16u * 1024 * 1024)

int compose_file_format(const struct compose_fields *f, struct sbuf *out)
{
	int rc = sbuf_printf(out, "To: %s\nCc: %s\nSubject: %s\n\n", f->to ? f->to : "",
			     f->cc ? f->cc : "", f->subject ? f->subject : "");
	if (!rc && f->body)
		rc = sbuf_puts(out, f->body);
	return rc;
}

/* "Name: value" with a name of letters, digits and dashes. */
static int header_name_len(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && ((line[i] >= 'A' && line[i] <= 'Z') || (line[i] >= 'a' && line[i] <= 'z') ||
			   (line[i] >= '0' && line[i] <= '9') || line[i] == '-'))
		i++;
	return (i > 0 && i < len && line[i] == ':') ? (int)i : -1;
}

static char *trimmed_dup(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	return util_strndup(s, len);
}

/* Appends a folded continuation to a header value. */
static int append_value(char **value, const char *more, size_t len)
{
	char *tail = trimmed_dup(more, len);
	if (!tail)
		return EBB_ENOMEM;
	struct sbuf sb = { 0 };
	int rc = sbuf_printf(&sb, "%s%s%s", *value ? *value : "", *value && **value ? " " : "", tail);
	free(tail);
	if (rc) {
		sbuf_free(&sb);
		return EBB_ENOMEM;
	}
	free(*value);
	*value = sbuf_detach(&sb);
	return *value ? EBB_OK : EBB_ENOMEM;
}

int compose_file_parse(const char *text, size_t len, struct compose_fields *f)
{
	const char *p = text, *end = text + len;
	/* Not starting with a header: all of it is the body. */
	const char *first_nl = memchr(p, '\n', len);
	size_t first_len = first_nl ? (size_t)(first_nl - p) : len;
	int headers = header_name_len(p, first_len) > 0;
	struct compose_fields got = { 0 };
	char **current = NULL;
	int rc = EBB_OK;
	while (headers && p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t content = n;
		if (content && p[content - 1] == '\r')
			content--;
		if (content == 0) {       /* the blank line: the body follows */
			p += n + (nl ? 1 : 0);
			break;
		}
		if ((p[0] == ' ' || p[0] == '\t') && current) {
			rc = append_value(current, p, content);
		} else {
			int name = header_name_len(p, content);
			if (name < 0)
				break;        /* no blank line: the body starts here */
			current = NULL;
			if (name == 2 && !strncasecmp(p, "To", 2))
				current = &got.to;
			else if (name == 2 && !strncasecmp(p, "Cc", 2))
				current = &got.cc;
			else if (name == 7 && !strncasecmp(p, "Subject", 7))
				current = &got.subject;
			if (current) {
				free(*current);
				*current = trimmed_dup(p + name + 1, content - (size_t)name - 1);
				if (!*current)
					rc = EBB_ENOMEM;
			}
		}
		p += n + (nl ? 1 : 0);
	}
	/* The body without the trailing blank lines editors like to leave. */
	size_t blen = (size_t)(end - p);
	while (blen && (p[blen - 1] == '\n' || p[blen - 1] == '\r' || p[blen - 1] == ' ' ||
			p[blen - 1] == '\t'))
		blen--;
	if (!rc) {
		struct sbuf body = { 0 };
		rc = sbuf_append(&body, p, blen);
		if (!rc && blen)
			rc = sbuf_putc(&body, '\n');
		got.body = rc ? NULL : sbuf_detach(&body);
		sbuf_free(&body);
		if (!got.body)
			rc = EBB_ENOMEM;
	}
	if (rc) {
		compose_fields_clear(&got);
		return EBB_ENOMEM;
	}
	if (headers) {
		/* A header the user deleted is now empty, not what it was. */
		free(f->to);
		free(f->cc);
		free(f->subject);
		f->to = got.to ? got.to : util_strdup0("");
		f->cc = got.cc ? got.cc : util_strdup0("");
		f->subject = got.subject ? got.subject : util_strdup0("");
	}
	free(f->body);
	f->body = got.body;
	if (!f->to || !f->cc || !f->subject)
		return EBB_ENOMEM;
	return EBB_OK;
}

const char *ui_editor_command(void)
{
	const char *names[] = { "EDITOR", "VISUAL" };
	for (size_t i = 0; i < 2; i++) {
		const char *v = getenv(names[i]);
		if (v && v[strspn(v, " \t")])
			return v;
	}
	return "vi";
}

/* Runs the editor on path and waits for it. The command may carry its own
 * arguments ("emacs -nw"), so it goes through sh, with the path as "$1"
 * so the file name itself is never read as shell text. */
static int run_editor(const char *path, struct ebb_err *err)
{
	const char *editor = ui_editor_command();
	struct sbuf cmd = { 0 };
	if (sbuf_printf(&cmd, "%s \"$1\"", editor)) {
		sbuf_free(&cmd);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	/* ^C while editing belongs to the editor, not to ebb. */
	struct sigaction ignore, old_int, old_quit;
	memset(&ignore, 0, sizeof(ignore));
	ignore.sa_handler = SIG_IGN;
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	pid_t pid = fork();
	if (pid == 0) {
		static const int sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGWINCH, SIGPIPE };
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd.buf, "sh", path, (char *)NULL);
		_exit(127);
	}
	int saved = errno;
	int status = 0;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	int rc = EBB_OK;
	if (pid < 0)
		rc = ebb_err_set(err, EBB_EIO, "cannot start the editor: %s", strerror(saved));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		rc = ebb_err_set(err, EBB_ENOENT,
				 "the editor \"%.100s\" was not found: set $EDITOR", editor);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = ebb_err_set(err, EBB_EIO,
				 "the editor \"%.100s\" failed; the draft is as it was", editor);
	sbuf_free(&cmd);
	return rc;
}

/* Removes the private dir with the draft and whatever the editor left
 * next to it (backup and swap files). */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			char path[4400];
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (!util_path(path, sizeof(path), "%s/%s", dir, de->d_name))
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

int ui_edit_fields(struct compose_fields *f, struct ebb_err *err)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], path[4200];
	if (util_path(dir, sizeof(dir), "%s/ebb-XXXXXX", tmp && *tmp ? tmp : "/tmp"))
		return ebb_err_set(err, EBB_ETOOBIG, "$TMPDIR is too long");
	/* mkdtemp makes it 0700 and mkstemps the file 0600: nobody else reads
	 * a draft, nor swaps the file under the editor. */
	if (!mkdtemp(dir))
		return ebb_err_set(err, EBB_EIO, "cannot make a private directory in %s: %s",
				   tmp && *tmp ? tmp : "/tmp", strerror(errno));
	if (util_path(path, sizeof(path), "%s/draft-XXXXXX.eml", dir)) {
		rmdir(dir);
		return ebb_err_set(err, EBB_ETOOBIG, "$TMPDIR is too long");
	}
	int fd = mkstemps(path, 4);
	if (fd < 0) {
		int saved = errno;
		rmdir(dir);
		return ebb_err_set(err, EBB_EIO, "cannot create a draft file in %s: %s", dir,
				   strerror(saved));
	}
	struct sbuf text = { 0 };
	int rc = compose_file_format(f, &text) ? ebb_err_set(err, EBB_ENOMEM, "out of memory")
					       : EBB_OK;
	for (size_t done = 0; !rc && done < text.len;) {
		ssize_t w = write(fd, text.buf + done, text.len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = ebb_err_set(err, EBB_EIO, "cannot write %s: %s", path, strerror(errno));
		else
			done += (size_t)w;
	}
	close(fd);
	sbuf_free(&text);

	int curses = stdscr != NULL && !isendwin();
	if (!rc) {
		if (curses) {
			def_prog_mode();
			endwin();
		}
		rc = run_editor(path, err);
		if (curses) {
			reset_prog_mode();
			clearok(curscr, TRUE);
			refresh();
		}
	}
	if (!rc) {
		char *data;
		size_t len;
		rc = util_read_file(path, EDIT_MAX, &data, &len, err);
		if (!rc) {
			if (compose_file_parse(data, len, f))
				rc = ebb_err_set(err, EBB_ENOMEM, "out of memory");
			free(data);
		}
	}
	remove_dir(dir);
	return rc;
}
