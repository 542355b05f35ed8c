/* util/text: UTF-8 coding, the program clock and ISO 8601 in UTC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/util.h"

int utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (!len)
		return -1;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int n;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0) {
		n = 2; v = c & 0x1F; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3; v = c & 0x0F; min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else {
		return -1;
	}
	if (len < (size_t)n)
		return -1;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return -1;
	*cp = v;
	return n;
}

int utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

time_t ebb_now(void)
{
	const char *s = getenv("EBB_NOW");
	if (s && *s) {
		char *end;
		long long v = strtoll(s, &end, 10);
		if (*end == '\0' && v > 0)
			return (time_t)v;
	}
	return time(NULL);
}

int util_format_utc(time_t t, char *out, size_t outlen)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return EBB_EINVAL;
	if (strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return EBB_ETOOBIG;
	return EBB_OK;
}

static int digits(const char *s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

int util_parse_iso8601(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return EBB_EPARSE;
	const char *p = s + 10;
	long off = 0;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi))
			return EBB_EPARSE;
		p += 5;
		if (*p == ':') {
			if (digits(p + 1, 2, &sec))
				return EBB_EPARSE;
			p += 3;
		}
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (digits(p + 1, 2, &oh))
				return EBB_EPARSE;
			const char *q = p + 3;
			if (*q == ':')
				q++;
			if (digits(q, 2, &om))
				return EBB_EPARSE;
			off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
			p = q + 2;
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return EBB_EPARSE;
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) - off;
	return EBB_OK;
}
