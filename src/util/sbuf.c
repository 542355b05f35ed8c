/* util/sbuf: growable NUL-terminated strings with checked growth, and the
 * small string helpers that go with them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/util.h"

static int sbuf_grow(struct sbuf *sb, size_t extra)
{
	if (extra > SIZE_MAX / 2 - sb->len - 1)
		return EBB_ENOMEM;
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return EBB_OK;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(sb->buf, cap);
	if (!p)
		return EBB_ENOMEM;
	sb->buf = p;
	sb->cap = cap;
	return EBB_OK;
}

int sbuf_append(struct sbuf *sb, const char *s, size_t n)
{
	if (sbuf_grow(sb, n))
		return EBB_ENOMEM;
	if (n)
		memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return EBB_OK;
}

int sbuf_puts(struct sbuf *sb, const char *s)
{
	return sbuf_append(sb, s, strlen(s));
}

int sbuf_putc(struct sbuf *sb, char c)
{
	return sbuf_append(sb, &c, 1);
}

int sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return EBB_EINVAL;
	if (sbuf_grow(sb, (size_t)n))
		return EBB_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return EBB_OK;
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *sbuf_detach(struct sbuf *sb)
{
	char *p = sb->buf;
	if (!p)
		p = calloc(1, 1);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void sbuf_free(struct sbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *util_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *util_strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

int util_strlcpy(char *dst, const char *src, size_t dstlen)
{
	if (!dstlen)
		return EBB_ETOOBIG;
	size_t n = strlen(src);
	if (n >= dstlen) {
		memcpy(dst, src, dstlen - 1);
		dst[dstlen - 1] = '\0';
		return EBB_ETOOBIG;
	}
	memcpy(dst, src, n + 1);
	return EBB_OK;
}

int util_strncaseeq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

void util_trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	size_t i = 0;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
}
