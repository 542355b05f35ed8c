/* util/file: files and directories with ebb's modes (dirs 0700, files 0600),
 * bounded reads, atomic writes and the XDG locations. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebb/util.h"

int util_path(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= outlen) ? EBB_ETOOBIG : EBB_OK;
}

int util_mkdir_p(const char *path, mode_t mode, struct ebb_err *err)
{
	char buf[4096];
	if (util_strlcpy(buf, path, sizeof buf))
		return ebb_err_set(err, EBB_ETOOBIG, "path too long: %.100s...", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return ebb_err_set(err, EBB_EIO, "cannot create directory %s: %s", buf,
					   strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return ebb_err_set(err, EBB_EIO, "cannot create directory %s: %s", buf,
				   strerror(errno));
	struct stat st;
	if (stat(buf, &st) || !S_ISDIR(st.st_mode))
		return ebb_err_set(err, EBB_EIO, "%s exists but is not a directory", buf);
	return EBB_OK;
}

int util_read_file(const char *path, size_t max, char **out, size_t *len, struct ebb_err *err)
{
	*out = NULL;
	if (len)
		*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ebb_err_set(err, errno == ENOENT ? EBB_ENOENT : EBB_EIO, "cannot open %s: %s",
				   path, strerror(errno));
	struct sbuf sb = {0};
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			sbuf_free(&sb);
			return ebb_err_set(err, EBB_EIO, "cannot read %s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		if (sb.len + (size_t)n > max) {
			close(fd);
			sbuf_free(&sb);
			return ebb_err_set(err, EBB_ETOOBIG, "%s is larger than %zu bytes", path, max);
		}
		if (sbuf_append(&sb, chunk, (size_t)n)) {
			close(fd);
			sbuf_free(&sb);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory reading %s", path);
		}
	}
	close(fd);
	if (len)
		*len = sb.len;
	*out = sbuf_detach(&sb);
	if (!*out)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory reading %s", path);
	return EBB_OK;
}

int util_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct ebb_err *err)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= sizeof tmp)
		return ebb_err_set(err, EBB_ETOOBIG, "path too long: %.100s...", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return ebb_err_set(err, EBB_EIO, "cannot create %s: %s", tmp, strerror(errno));
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return ebb_err_set(err, EBB_EIO, "cannot write %s: %s", path, strerror(e));
		}
		p += n;
		left -= (size_t)n;
	}
	if (fchmod(fd, mode) || fsync(fd)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return ebb_err_set(err, EBB_EIO, "cannot write %s: %s", path, strerror(e));
	}
	close(fd);
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return ebb_err_set(err, EBB_EIO, "cannot replace %s: %s", path, strerror(e));
	}
	return EBB_OK;
}

static int xdg_dir(const char *env, const char *fallback, char *out, size_t outlen,
		   struct ebb_err *err)
{
	const char *base = getenv(env);
	int n;
	if (base && base[0] == '/') {
		n = snprintf(out, outlen, "%s/ebb", base);
	} else {
		const char *home = getenv("HOME");
		if (!home || home[0] != '/')
			return ebb_err_set(err, EBB_ENOENT,
					   "neither $%s nor $HOME is set to an absolute path", env);
		n = snprintf(out, outlen, "%s/%s/ebb", home, fallback);
	}
	if (n < 0 || (size_t)n >= outlen)
		return ebb_err_set(err, EBB_ETOOBIG, "$%s or $HOME is too long", env);
	return EBB_OK;
}

int util_config_dir(char *out, size_t outlen, struct ebb_err *err)
{
	return xdg_dir("XDG_CONFIG_HOME", ".config", out, outlen, err);
}

int util_data_dir(char *out, size_t outlen, struct ebb_err *err)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share", out, outlen, err);
}
