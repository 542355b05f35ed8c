/* util/err: the error sentence every fallible function leaves behind. */
#include <stdio.h>
#include <string.h>

#include "ebb/util.h"

int ebb_err_set(struct ebb_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

int ebb_err_prefix(struct ebb_err *err, const char *fmt, ...)
{
	if (!err)
		return EBB_OK;
	char prefix[EBB_ERRLEN];
	char old[EBB_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	old[sizeof old - 1] = '\0';
	/* Cut deliberately: a long prefix shortens the old message, never overflows. */
	size_t plen = strnlen(prefix, sizeof prefix);
	size_t olen = strnlen(old, sizeof old);
	if (plen > sizeof err->msg - 1)
		plen = sizeof err->msg - 1;
	if (olen > sizeof err->msg - 1 - plen)
		olen = sizeof err->msg - 1 - plen;
	memcpy(err->msg, prefix, plen);
	memcpy(err->msg + plen, old, olen);
	err->msg[plen + olen] = '\0';
	return err->code;
}

void ebb_err_clear(struct ebb_err *err)
{
	if (err) {
		err->code = EBB_OK;
		err->msg[0] = '\0';
	}
}
