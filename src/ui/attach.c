/* ui/attach: attachment files on the user's disk: safe names, never
 * replacing a file, the download directory, and handing one to a viewer
 * (run-mailcap, else xdg-open). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ui_internal.h"

/* Bytes of a file name we create; file systems allow 255. */
#define NAME_MAX_BYTES 200

char *ui_attachment_filename(const char *name, int n, char *out, size_t outlen)
{
	if (outlen == 0)
		return out;
	const char *base = name ? name : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	/* A leading dot would hide the file (and "." and ".." name directories). */
	while (*base == '.')
		base++;
	int ok = base[0] != '\0';
	size_t len = strlen(base);
	for (size_t i = 0; ok && i < len;) {
		uint32_t cp;
		int k = utf8_decode((const unsigned char *)base + i, len - i, &cp);
		/* Controls, invalid UTF-8 and bidi overrides could disguise the name. */
		if (k < 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
		    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
		    cp == 0x200E || cp == 0x200F || cp == 0xFEFF)
			ok = 0;
		i += k > 0 ? (size_t)k : 1;
	}
	if (!ok) {
		snprintf(out, outlen, "attachment-%d", n);
		return out;
	}
	/* Keep the extension when cutting a long name. */
	size_t cap = outlen - 1 < NAME_MAX_BYTES ? outlen - 1 : NAME_MAX_BYTES;
	if (len <= cap) {
		memcpy(out, base, len + 1);
		return out;
	}
	const char *dot = strrchr(base, '.');
	/* The extension must leave room for at least one byte of the name. */
	size_t ext = dot && strlen(dot) <= 16 && strlen(dot) < cap ? strlen(dot) : 0;
	size_t head = cap - ext;
	while (head > 0 && ((unsigned char)base[head] & 0xC0) == 0x80)
		head--;
	memcpy(out, base, head);
	memcpy(out + head, base + len - ext, ext);
	out[head + ext] = '\0';
	return out;
}

/* "name (k).ext" for the k-th try; k = 0 is the name itself. */
static int candidate(const char *dir, const char *name, int k, char *path, size_t pathlen)
{
	if (k == 0)
		return util_path(path, pathlen, "%s/%s", dir, name);
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name)
		dot = name + strlen(name);
	return util_path(path, pathlen, "%s/%.*s (%d)%s", dir, (int)(dot - name), name, k, dot);
}

int ui_save_bytes(const char *dir, const char *name, const char *data, size_t len, char *path,
		  size_t pathlen, struct ebb_err *err)
{
	int fd = -1;
	for (int k = 0; k < 1000 && fd < 0; k++) {
		if (candidate(dir, name, k, path, pathlen))
			return ebb_err_set(err, EBB_ETOOBIG, "the path %s/%s is too long", dir, name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return ebb_err_set(err, EBB_EIO, "cannot create %s: %s", path, strerror(errno));
	}
	if (fd < 0)
		return ebb_err_set(err, EBB_EIO, "%s/%s and 999 numbered copies exist already", dir,
				   name);
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int saved = errno;
			close(fd);
			unlink(path);
			return ebb_err_set(err, EBB_EIO, "cannot write %s: %s", path, strerror(saved));
		}
		done += (size_t)w;
	}
	if (fsync(fd) || close(fd)) {
		unlink(path);
		return ebb_err_set(err, EBB_EIO, "cannot write %s: %s", path, strerror(errno));
	}
	return EBB_OK;
}

int ui_download_dir(char *out, size_t outlen)
{
	const char *xdg = getenv("XDG_DOWNLOAD_DIR");
	if (xdg && xdg[0] == '/')
		return util_strlcpy(out, xdg, outlen);
	const char *home = getenv("HOME");
	if (!home || home[0] != '/')
		return EBB_ENOENT;
	return util_path(out, outlen, "%s/Downloads", home);
}

int ui_have_program(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || strchr(name, '/'))
		return 0;
	while (*path) {
		size_t len = strcspn(path, ":");
		char full[4096];
		if (len && !util_path(full, sizeof(full), "%.*s/%s", (int)len, path, name) &&
		    access(full, X_OK) == 0)
			return 1;
		path += len;
		if (*path == ':')
			path++;
	}
	return 0;
}

int ui_open_file(const char *path, const char **via, struct ebb_err *err)
{
	/* run-mailcap follows the user's own mailcap entries; xdg-open the
	 * desktop's choice. */
	const char *prog = ui_have_program("run-mailcap") ? "run-mailcap" : "xdg-open";
	if (via)
		*via = prog;
	if (!strcmp(prog, "xdg-open") && !ui_have_program("xdg-open"))
		return ebb_err_set(err, EBB_ENOENT, "neither run-mailcap nor xdg-open is installed: "
				   "save the attachment with S instead");
	/* Two forks: the viewer runs on after the opener returns, and the
	 * grandchild is adopted by init, so no zombie waits on us. */
	pid_t pid = fork();
	if (pid < 0)
		return ebb_err_set(err, EBB_EIO, "cannot start %s: %s", prog, strerror(errno));
	if (pid == 0) {
		setsid();
		pid_t inner = fork();
		if (inner != 0)
			_exit(inner < 0 ? 127 : 0);
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (!strcmp(prog, "run-mailcap"))
			execlp(prog, prog, "--action=view", path, (char *)NULL);
		else
			execlp(prog, prog, path, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return EBB_OK;
}
