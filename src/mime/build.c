/* mime/build: outgoing messages built with GMime, so headers are encoded
 * and folded correctly and nothing the user typed can inject a header. */
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ebb/mime.h"

int mime_new_msgid(const char *from_addr, char *out, size_t outlen)
{
	unsigned char rnd[12];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return EBB_EIO;
	char hex[sizeof rnd * 2 + 1];
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	const char *at = from_addr ? strrchr(from_addr, '@') : NULL;
	const char *domain = at && at[1] ? at + 1 : "ebb.invalid";
	size_t dlen = strcspn(domain, "> \t\r\n");
	int n = snprintf(out, outlen, "ebb.%s@%.*s", hex, (int)dlen, domain);
	return (n < 0 || (size_t)n >= outlen) ? EBB_ETOOBIG : EBB_OK;
}

/* Header values from the user never carry line breaks into the header. */
static char *one_line(const char *s)
{
	char *copy = strdup(s ? s : "");
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\0')
			*p = ' ';
	return copy;
}

static int add_addresses(GMimeMessage *msg, GMimeAddressType type, const char *list,
			 const char *what, int required, struct ebb_err *err)
{
	if (!list || !*list) {
		if (required)
			return ebb_err_set(err, EBB_EINVAL, "the message has no %s address", what);
		return EBB_OK;
	}
	char *clean = one_line(list);
	if (!clean)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	InternetAddressList *parsed = internet_address_list_parse(NULL, clean);
	free(clean);
	if (!parsed || internet_address_list_length(parsed) == 0) {
		if (parsed)
			g_object_unref(parsed);
		return ebb_err_set(err, EBB_EINVAL, "%s: \"%.100s\" is not a list of addresses", what,
				   list);
	}
	for (int i = 0; i < internet_address_list_length(parsed); i++) {
		InternetAddress *ia = internet_address_list_get_address(parsed, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia) ||
		    !strchr(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), '@')) {
			g_object_unref(parsed);
			return ebb_err_set(err, EBB_EINVAL, "%s: \"%.100s\" is not a mail address", what,
					   list);
		}
	}
	internet_address_list_append(g_mime_message_get_addresses(msg, type), parsed);
	g_object_unref(parsed);
	return EBB_OK;
}

static int set_id_header(GMimeMessage *msg, const char *name, const char *ids,
			 struct ebb_err *err)
{
	if (!ids || !*ids)
		return EBB_OK;
	struct sbuf sb = {0};
	const char *p = ids;
	while (*p) {
		while (*p == ' ' || *p == '<' || *p == '>')
			p++;
		size_t n = strcspn(p, " <>\r\n");
		if (n) {
			int rc = sb.len ? sbuf_putc(&sb, ' ') : EBB_OK;
			if (!rc)
				rc = sbuf_putc(&sb, '<');
			if (!rc)
				rc = sbuf_append(&sb, p, n);
			if (!rc)
				rc = sbuf_putc(&sb, '>');
			if (rc) {
				sbuf_free(&sb);
				return ebb_err_set(err, EBB_ENOMEM, "out of memory");
			}
		}
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	if (sb.len)
		g_mime_object_set_header(GMIME_OBJECT(msg), name, sb.buf, NULL);
	sbuf_free(&sb);
	return EBB_OK;
}

int mime_build(const struct mime_draft *d, char **out, size_t *len, struct ebb_err *err)
{
	*out = NULL;
	*len = 0;
	if (!d->msgid || !*d->msgid)
		return ebb_err_set(err, EBB_EINVAL, "the message has no Message-ID");
	GMimeMessage *msg = g_mime_message_new(TRUE);
	if (!msg)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	int rc = add_addresses(msg, GMIME_ADDRESS_TYPE_FROM, d->from, "From", 1, err);
	if (!rc)
		rc = add_addresses(msg, GMIME_ADDRESS_TYPE_TO, d->to, "To", 1, err);
	if (!rc)
		rc = add_addresses(msg, GMIME_ADDRESS_TYPE_CC, d->cc, "Cc", 0, err);
	if (!rc)
		rc = set_id_header(msg, "In-Reply-To", d->in_reply_to, err);
	if (!rc)
		rc = set_id_header(msg, "References", d->references, err);
	if (rc) {
		g_object_unref(msg);
		return rc;
	}
	char *subject = one_line(d->subject);
	char *body = mime_to_utf8(d->body ? d->body : "", strlen(d->body ? d->body : ""), "utf-8");
	if (!subject || !body) {
		free(subject);
		free(body);
		g_object_unref(msg);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	g_mime_message_set_subject(msg, subject, "utf-8");
	g_mime_message_set_message_id(msg, d->msgid);
	GTimeZone *tz = g_time_zone_new_offset((gint32)d->gmtoff);
	GDateTime *utc = g_date_time_new_from_unix_utc((gint64)d->date);
	GDateTime *local = utc && tz ? g_date_time_to_timezone(utc, tz) : NULL;
	if (local)
		g_mime_message_set_date(msg, local);
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(part, body);
	g_mime_object_encode(GMIME_OBJECT(part), GMIME_ENCODING_CONSTRAINT_7BIT);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	char *text = g_mime_object_to_string(GMIME_OBJECT(msg), NULL);
	if (text) {
		*len = strlen(text);
		*out = util_strndup(text, *len);
		g_free(text);
	}
	g_object_unref(part);
	if (local)
		g_date_time_unref(local);
	if (utc)
		g_date_time_unref(utc);
	if (tz)
		g_time_zone_unref(tz);
	g_object_unref(msg);
	free(subject);
	free(body);
	if (!*out)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory building the message");
	return EBB_OK;
}
