/* mime/list_id: the list identifier of a List-Id header (RFC 2919), the key
 * that list.ID = TIER rules of the config match against. */
#include <string.h>

#include "ebb/mime.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 2919 ids are dot-atoms; anything else printable is still harmless as
 * a key, but a space, a bracket or a control byte means we misread it. */
static int id_char_ok(char c)
{
	return c > ' ' && c < 0x7f && c != '<' && c != '>';
}

int mime_list_id(const char *value, size_t len, char *out, size_t outsz)
{
	if (out && outsz)
		out[0] = '\0';
	if (!value || !out || outsz < 2)
		return EBB_ENOENT;
	const char *start = value, *end = value + len;
	/* The last '<' opens the id: the phrase before it may itself hold one
	 * inside a quoted string. */
	const char *lt = NULL;
	for (const char *p = value; p < end; p++)
		if (*p == '<')
			lt = p;
	if (lt) {
		const char *gt = memchr(lt, '>', (size_t)(end - lt));
		if (!gt)
			return EBB_ENOENT;  /* unterminated: we cannot tell where it ends */
		start = lt + 1;
		end = gt;
	} else if (memchr(value, '>', len)) {
		return EBB_ENOENT;
	}
	while (start < end && is_space(*start))
		start++;
	while (end > start && is_space(end[-1]))
		end--;
	size_t n = (size_t)(end - start);
	if (!n || n > MIME_MAX_LIST_ID || n >= outsz)
		return EBB_ENOENT;
	int dot = 0;
	for (size_t i = 0; i < n; i++) {
		if (!id_char_ok(start[i]))
			return EBB_ENOENT;
		dot |= start[i] == '.';
	}
	/* list-id = list-label "." list-id-namespace: without a dot it is a bare
	 * phrase ("List-Id: announcements"), not an id. */
	if (!dot)
		return EBB_ENOENT;
	for (size_t i = 0; i < n; i++)
		out[i] = (start[i] >= 'A' && start[i] <= 'Z') ? (char)(start[i] - 'A' + 'a')
							      : start[i];
	out[n] = '\0';
	return EBB_OK;
}
