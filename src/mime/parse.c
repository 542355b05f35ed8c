/* mime/parse: turns one raw message into decoded headers, one body text and
 * the list of attachments, within the bounds of ebb/mime.h. GMime parses;
 * this file decides what a reader sees. */
#include <stdlib.h>
#include <string.h>

#include "ebb/mime.h"
#include "mime_internal.h"

#define MAX_ADDRS 256   /* addresses kept per header */
#define MAX_REFS 100    /* References ids kept: the first and the last 99 */
#define MAX_ID 512      /* longest Message-ID kept */
#define MAX_TYPE 128    /* longest content type kept */

struct walk {
	struct mime_message *m;
	struct sbuf text;
	size_t nparts;
	size_t capatt;
	int oom;
};

/* ---- small string helpers ------------------------------------------------ */

static void lower_ascii(char *s)
{
	for (; *s; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

/* One line of display text: breaks and tabs become spaces, ends trimmed. */
static void one_line(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	}
	util_trim(s);
}

static char *clean_str(const char *s)
{
	return mime_dup_clean(s ? s : "", s ? strlen(s) : 0);
}

/* Where read_headers finds what a message says: a message GMime parsed
 * whole, or only a header block (mime_parse_headers), whose fields are
 * found here and whose values GMime's small parsers read one by one. The
 * block path is the header sync's: building a GMimeMessage per header cost
 * more than everything else a first sync does. */
struct header_src {
	GMimeMessage *msg;
	const char *block;
	size_t len;
};

/* The raw value of the first field called name in a header block: a
 * malloc'd copy of at most MIME_MAX_HEADER bytes, folding kept; NULL when
 * there is none (or on ENOMEM: then *oom is set). */
static char *block_field(const char *block, size_t len, const char *name, int *oom)
{
	size_t nlen = strlen(name);
	const char *p = block, *end = block + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol ? eol + 1 : end;
		size_t linelen = (size_t)(next - p);
		if (linelen <= 2 && (p[0] == '\n' || (p[0] == '\r' && linelen == 2)))
			break;  /* the empty line: the body follows */
		if (linelen > nlen && p[nlen] == ':' && util_strncaseeq(p, nlen, name)) {
			const char *v = p + nlen + 1, *vend = next;
			/* continuation lines start with white space */
			while (vend < end && (*vend == ' ' || *vend == '\t')) {
				const char *nl = memchr(vend, '\n', (size_t)(end - vend));
				vend = nl ? nl + 1 : end;
			}
			while (vend > v && (vend[-1] == '\n' || vend[-1] == '\r'))
				vend--;
			size_t vlen = (size_t)(vend - v);
			if (vlen > MIME_MAX_HEADER)
				vlen = MIME_MAX_HEADER;
			char *copy = util_strndup(v, vlen);
			if (!copy)
				*oom = 1;
			return copy;
		}
		p = next;
	}
	return NULL;
}

/* The raw value of a header, NULL when missing. *owned is what the caller
 * frees (set only for a header block). */
static const char *raw_header(const struct header_src *src, const char *name, char **owned,
			      int *oom)
{
	*owned = NULL;
	if (src->msg) {
		GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(src->msg));
		GMimeHeader *h = list ? g_mime_header_list_get_header(list, name) : NULL;
		return h ? g_mime_header_get_raw_value(h) : NULL;
	}
	*owned = block_field(src->block, src->len, name, oom);
	return *owned;
}

/* Decoded value of a raw header, "" when missing; NULL only on ENOMEM. */
static char *decode_raw(const char *raw)
{
	return mime_decode_header(raw ? raw : "", raw ? strlen(raw) : 0);
}

/* ---- identifiers ----------------------------------------------------------- */

/* An id goes into space-separated lists and database keys: it must be one
 * plausible token. */
static int id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > MAX_ID)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c <= 0x20 || c == 0x7F || c == '<' || c == '>')
			return 0;
	}
	return 1;
}

/* Reads the ids of In-Reply-To or References: *first gets the first id,
 * *all (when given) every kept id, oldest first, single spaces. */
static int read_ids(const char *raw, char **first, char **all)
{
	if (!raw)
		return EBB_OK;
	char *bounded = g_strndup(raw, MIME_MAX_HEADER);
	GMimeReferences *refs = g_mime_references_parse(mime_options(), bounded);
	g_free(bounded);
	if (!refs)
		return EBB_OK;
	int n = g_mime_references_length(refs);
	struct sbuf sb = {0};
	int rc = EBB_OK;
	for (int i = 0; i < n && rc == EBB_OK; i++) {
		/* a thread root and the recent ancestors are what threading needs */
		if (i > 0 && i < n - (MAX_REFS - 1))
			continue;
		const char *id = g_mime_references_get_message_id(refs, i);
		if (!id || !id_ok(id))
			continue;
		if (first && !*first) {
			*first = clean_str(id);
			if (!*first)
				rc = EBB_ENOMEM;
		}
		if (!all)
			break;
		if ((sb.len && sbuf_putc(&sb, ' ')) || mime_append_clean(&sb, id, strlen(id)))
			rc = EBB_ENOMEM;
	}
	g_mime_references_free(refs);
	if (rc == EBB_OK && all && sb.len)
		*all = sbuf_detach(&sb);
	sbuf_free(&sb);
	return rc;
}

/* ---- addresses ------------------------------------------------------------- */

struct addr_out {
	struct sbuf display;   /* "Ann <a@x>, b@y" */
	struct sbuf addrs;     /* "a@x,b@y" */
	int count;
	int oom;
};

static int needs_quotes(const char *name)
{
	return strpbrk(name, ",;<>\"@:()[]\\") != NULL;
}

static void add_mailbox(struct addr_out *a, InternetAddress *ia)
{
	const char *addr_raw = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	char *addr = clean_str(addr_raw);
	char *name = clean_str(internet_address_get_name(ia));
	if (!addr || !name) {
		a->oom = 1;
		goto out;
	}
	one_line(name);
	one_line(addr);
	lower_ascii(addr);
	if (!addr[0] && !name[0])
		goto out;
	struct sbuf *d = &a->display;
	int rc = 0;
	if (d->len)
		rc |= sbuf_puts(d, ", ");
	if (name[0]) {
		if (needs_quotes(name)) {
			rc |= sbuf_putc(d, '"');
			for (const char *p = name; *p; p++) {
				if (*p == '"' || *p == '\\')
					rc |= sbuf_putc(d, '\\');
				rc |= sbuf_putc(d, *p);
			}
			rc |= sbuf_putc(d, '"');
		} else {
			rc |= sbuf_puts(d, name);
		}
		if (addr[0])
			rc |= sbuf_printf(d, " <%s>", addr);
	} else {
		rc |= sbuf_puts(d, addr);
	}
	if (addr[0]) {
		if (a->addrs.len)
			rc |= sbuf_putc(&a->addrs, ',');
		rc |= sbuf_puts(&a->addrs, addr);
	}
	if (rc)
		a->oom = 1;
	a->count++;
out:
	free(addr);
	free(name);
}

static void add_list(struct addr_out *a, InternetAddressList *list, int depth)
{
	if (!list)
		return;
	int n = internet_address_list_length(list);
	for (int i = 0; i < n && a->count < MAX_ADDRS && !a->oom; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (depth < 2)
				add_list(a, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
					 depth + 1);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			add_mailbox(a, ia);
		}
	}
}

/* Fills *display and *addrs ("" when the header is missing). */
static int read_addresses(InternetAddressList *list, char **display, char **addrs)
{
	struct addr_out a = {0};
	add_list(&a, list, 0);
	if (!a.oom && !a.display.buf && sbuf_append(&a.display, "", 0))
		a.oom = 1;
	if (!a.oom && !a.addrs.buf && sbuf_append(&a.addrs, "", 0))
		a.oom = 1;
	if (a.oom) {
		sbuf_free(&a.display);
		sbuf_free(&a.addrs);
		return EBB_ENOMEM;
	}
	*display = sbuf_detach(&a.display);
	*addrs = sbuf_detach(&a.addrs);
	return EBB_OK;
}

static InternetAddressMailbox *first_mailbox(InternetAddressList *list, int depth)
{
	int n = list ? internet_address_list_length(list) : 0;
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			if (addr && addr[0])
				return INTERNET_ADDRESS_MAILBOX(ia);
		} else if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 2) {
			InternetAddressList *members =
				internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
			InternetAddressMailbox *mb = first_mailbox(members, depth + 1);
			if (mb)
				return mb;
		}
	}
	return NULL;
}

/* A From that GMime could not parse: take what is inside <...>, else the
 * first word with an '@'. */
static char *from_fallback(const char *value)
{
	const char *lt = strrchr(value, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt && gt > lt + 1)
		return util_strndup(lt + 1, (size_t)(gt - lt - 1));
	const char *at = strchr(value, '@');
	if (!at)
		return util_strndup("", 0);
	const char *s = at, *e = at;
	while (s > value && !strchr(" \t,;<>\"'()", s[-1]))
		s--;
	while (*e && !strchr(" \t,;<>\"'()", *e))
		e++;
	return util_strndup(s, (size_t)(e - s));
}

static int read_from(InternetAddressList *from, const char *raw, struct mime_message *m)
{
	InternetAddressMailbox *mb = first_mailbox(from, 0);
	if (mb) {
		m->from_addr = clean_str(internet_address_mailbox_get_addr(mb));
		m->from_name = clean_str(internet_address_get_name(INTERNET_ADDRESS(mb)));
	} else {
		char *value = decode_raw(raw);
		if (!value)
			return EBB_ENOMEM;
		m->from_addr = from_fallback(value);
		m->from_name = util_strndup("", 0);
		free(value);
	}
	if (!m->from_addr || !m->from_name)
		return EBB_ENOMEM;
	one_line(m->from_addr);
	lower_ascii(m->from_addr);
	one_line(m->from_name);
	return EBB_OK;
}

/* The id is ASCII inside <>, so the raw value is read: decoding the phrase
 * could only bring in a '<' that is not the id's. */
static int read_list_id(const char *raw, struct mime_message *m)
{
	char id[MIME_MAX_LIST_ID + 1];
	if (!raw || mime_list_id(raw, strlen(raw), id, sizeof id))
		return EBB_OK;
	if (!(m->list_id = util_strndup(id, strlen(id))))
		return EBB_ENOMEM;
	return EBB_OK;
}

/* ---- the body -------------------------------------------------------------- */

int mime_type_is(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	return ct && g_mime_content_type_is_type(ct, type, subtype);
}

int mime_is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);
	return d && g_mime_content_disposition_is_attachment(d);
}

int mime_is_body_text(GMimeObject *obj, int *html)
{
	if (!GMIME_IS_PART(obj) || mime_is_attachment(obj))
		return 0;
	if (mime_type_is(obj, "text", "plain")) {
		*html = 0;
		return 1;
	}
	if (mime_type_is(obj, "text", "html")) {
		*html = 1;
		return 1;
	}
	return 0;
}

GMimeStream *mime_part_decoder(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	if (!content)
		return NULL;
	GMimeStream *src = g_mime_data_wrapper_get_stream(content);
	if (!src || g_mime_stream_reset(src) == -1)
		return NULL;
	GMimeStream *filtered = g_mime_stream_filter_new(src);
	GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(content);
	if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE) {
		GMimeFilter *decoder = g_mime_filter_basic_new(enc, FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), decoder);
		g_object_unref(decoder);
	}
	return filtered;
}

/* Undoes the transfer encoding of a leaf part. Keeps at most max bytes in
 * out (when given) and returns the whole decoded size, so an attachment's
 * size is exact without holding it in memory. */
static size_t part_decode(GMimePart *part, struct sbuf *out, size_t max, int *oom)
{
	GMimeStream *filtered = mime_part_decoder(part);
	if (!filtered)
		return 0;
	char buf[8192];
	size_t total = 0;
	unsigned idle = 0;
	for (;;) {
		ssize_t n = g_mime_stream_read(filtered, buf, sizeof(buf));
		if (n > 0) {
			idle = 0;
			total += (size_t)n;
			if (out && !*oom && out->len < max) {
				size_t take = (size_t)n < max - out->len ? (size_t)n : max - out->len;
				if (sbuf_append(out, buf, take))
					*oom = 1;
			}
			continue;
		}
		/* a filter may swallow a whole read (white space in base64) */
		if (n < 0 || g_mime_stream_eos(filtered) || ++idle > (1u << 20))
			break;
	}
	g_object_unref(filtered);
	return total;
}

/* Appends the text of a body part; returns 1 when it added any. */
static int add_text(struct walk *w, GMimeObject *obj, int html)
{
	if (w->oom || w->text.len >= MIME_MAX_TEXT)
		return 0;
	struct sbuf raw = {0};
	part_decode(GMIME_PART(obj), &raw, MIME_MAX_TEXT, &w->oom);
	if (w->oom) {
		sbuf_free(&raw);
		return 0;
	}
	const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
	char *u = mime_to_utf8(raw.buf ? raw.buf : "", raw.len, charset);
	sbuf_free(&raw);
	if (u && html) {
		char *plain = mime_html_to_text(u, strlen(u));
		free(u);
		u = plain;
	}
	if (!u) {
		w->oom = 1;
		return 0;
	}
	/* one newline convention: CRLF and lone CR become LF */
	size_t n = 0;
	for (size_t i = 0; u[i]; i++) {
		if (u[i] == '\r') {
			if (u[i + 1] != '\n')
				u[n++] = '\n';
			continue;
		}
		u[n++] = u[i];
	}
	while (n && (u[n - 1] == '\n' || u[n - 1] == ' ' || u[n - 1] == '\t'))
		n--;
	u[n] = '\0';
	size_t lead = strspn(u, " \t\n");
	if (lead == n) {
		free(u);
		return 0;
	}
	int rc = 0;
	if (w->text.len)
		rc = sbuf_puts(&w->text, "\n\n");
	size_t room = MIME_MAX_TEXT > w->text.len ? MIME_MAX_TEXT - w->text.len : 0;
	size_t take = n < room ? n : mime_utf8_cut(u, room);
	if (!rc)
		rc = sbuf_append(&w->text, u, take);
	free(u);
	if (rc) {
		w->oom = 1;
		return 0;
	}
	if (html)
		w->m->text_from_html = 1;
	return 1;
}

static int push_attachment(struct walk *w, char *filename, char *type, size_t size)
{
	struct mime_message *m = w->m;
	if (!type) {
		free(filename);
		return EBB_ENOMEM;
	}
	if (m->natt == w->capatt) {
		size_t cap = w->capatt ? w->capatt * 2 : 4;
		struct mime_attachment *p = realloc(m->att, cap * sizeof(*p));
		if (!p) {
			free(filename);
			free(type);
			return EBB_ENOMEM;
		}
		m->att = p;
		w->capatt = cap;
	}
	m->att[m->natt].filename = filename;
	m->att[m->natt].content_type = type;
	m->att[m->natt].size = size;
	m->natt++;
	return EBB_OK;
}

static char *type_of(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *mime = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	char *type = clean_str(mime ? mime : "application/octet-stream");
	g_free(mime);
	if (!type)
		return NULL;
	one_line(type);
	lower_ascii(type);
	if (strlen(type) > MAX_TYPE)
		type[mime_utf8_cut(type, MAX_TYPE)] = '\0';
	return type;
}

/* A file name from a message only ever names a file: no directories. */
static char *clean_filename(const char *name)
{
	if (!name)
		return NULL;
	const char *base = name;
	for (const char *p = name; *p; p++) {
		if (*p == '/' || *p == '\\')
			base = p + 1;
	}
	char *f = clean_str(base);
	if (f)
		one_line(f);
	return f;
}

static void add_part_attachment(struct walk *w, GMimeObject *obj)
{
	char *filename = NULL;
	const char *name = g_mime_part_get_filename(GMIME_PART(obj));
	if (name && !(filename = clean_filename(name))) {
		w->oom = 1;
		return;
	}
	size_t size = part_decode(GMIME_PART(obj), NULL, 0, &w->oom);
	if (push_attachment(w, filename, type_of(obj), size))
		w->oom = 1;
}

/* A forwarded message (message/rfc822) is listed, not read into the body. */
static void add_message_attachment(struct walk *w, GMimeObject *obj)
{
	GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	size_t size = 0;
	if (inner) {
		GMimeStream *counter = g_mime_stream_null_new();
		ssize_t n = g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, counter);
		g_object_unref(counter);
		size = n > 0 ? (size_t)n : 0;
	}
	const char *name = g_mime_object_get_content_disposition_parameter(obj, "filename");
	if (!name)
		name = g_mime_object_get_content_type_parameter(obj, "name");
	char *filename = NULL;
	if (name) {
		filename = clean_filename(name);
	} else if (inner) {
		struct header_src src = {.msg = inner};
		char *raw_owned;
		int oom = 0;
		char *subject = decode_raw(raw_header(&src, "Subject", &raw_owned, &oom));
		if (subject && subject[0]) {
			struct sbuf sb = {0};
			if (sbuf_printf(&sb, "%s.eml", subject) == EBB_OK)
				filename = sbuf_detach(&sb);
			sbuf_free(&sb);
		} else if (subject) {
			filename = util_strndup("message.eml", 11);
		}
		free(subject);
	} else {
		filename = util_strndup("message.eml", 11);
	}
	if (!filename) {
		w->oom = 1;
		return;
	}
	if (push_attachment(w, filename, type_of(obj), size))
		w->oom = 1;
}

void mime_alternative_order(GMimeMultipart *mp, GMimeObject *order[3])
{
	GMimeObject *plain = NULL, *html = NULL, *nested = NULL;
	int n = g_mime_multipart_get_count(mp);
	for (int i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		int is_html;
		if (mime_is_body_text(child, &is_html)) {
			if (is_html && !html)
				html = child;
			else if (!is_html && !plain)
				plain = child;
		} else if (GMIME_IS_MULTIPART(child) && !nested) {
			nested = child;
		}
	}
	order[0] = plain;
	order[1] = html;
	order[2] = nested;
}

static void walk(struct walk *w, GMimeObject *obj, int depth);

/* multipart/alternative: text/plain when it says anything, else the HTML
 * version, else a nested multipart (HTML with its images, usually). */
static void walk_alternative(struct walk *w, GMimeMultipart *mp, int depth)
{
	GMimeObject *order[3];
	mime_alternative_order(mp, order);
	for (int i = 0; i < 3; i++) {
		if (!order[i])
			continue;
		size_t before = w->text.len;
		walk(w, order[i], depth + 1);
		if (w->text.len > before || w->oom)
			return;
	}
}

static void walk(struct walk *w, GMimeObject *obj, int depth)
{
	if (!obj || w->oom || depth >= MIME_MAX_DEPTH || w->nparts >= MIME_MAX_PARTS)
		return;
	w->nparts++;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		if (mime_type_is(obj, "multipart", "alternative")) {
			walk_alternative(w, mp, depth);
		} else if (mime_type_is(obj, "multipart", "signed")) {
			/* the second part is the signature, not content */
			if (n > 0)
				walk(w, g_mime_multipart_get_part(mp, 0), depth + 1);
		} else {
			for (int i = 0; i < n && !w->oom && w->nparts < MIME_MAX_PARTS; i++)
				walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
		}
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		add_message_attachment(w, obj);
		return;
	}
	if (GMIME_IS_PART(obj)) {
		int html;
		if (mime_is_body_text(obj, &html))
			add_text(w, obj, html);
		else
			add_part_attachment(w, obj);
	}
}

/* ---- the message ----------------------------------------------------------- */

/* The addresses of From, To or Cc: the message's own list, or one parsed
 * from the raw value (*owned then holds it for the caller to unref). */
static InternetAddressList *address_list(const struct header_src *src, GMimeAddressType type,
					 const char *raw, InternetAddressList **owned)
{
	*owned = NULL;
	if (src->msg)
		return g_mime_message_get_addresses(src->msg, type);
	if (raw)
		*owned = internet_address_list_parse(mime_options(), raw);
	return *owned;
}

static int read_message_id(const struct header_src *src, const char *raw, struct mime_message *m)
{
	char *parsed = NULL;
	const char *id = src->msg ? g_mime_message_get_message_id(src->msg) : NULL;
	if (!src->msg && raw)
		id = parsed = g_mime_utils_decode_message_id(raw);
	int rc = EBB_OK;
	if (id && id_ok(id) && !(m->msgid = clean_str(id)))
		rc = EBB_ENOMEM;
	g_free(parsed);
	return rc;
}

static void read_date(const struct header_src *src, const char *raw, struct mime_message *m)
{
	GDateTime *parsed = NULL;
	GDateTime *date = src->msg ? g_mime_message_get_date(src->msg) : NULL;
	if (!src->msg && raw)
		date = parsed = g_mime_utils_header_decode_date(raw);
	if (date) {
		gint64 t = g_date_time_to_unix(date);
		if (t > 0)
			m->date = (time_t)t;
	}
	if (parsed)
		g_date_time_unref(parsed);
}

enum { H_MSGID, H_IRT, H_REFS, H_FROM, H_TO, H_CC, H_SUBJECT, H_LIST, H_DATE, H_COUNT };

static int read_headers(const struct header_src *src, struct mime_message *m)
{
	static const char *const names[H_COUNT] = {"Message-ID", "In-Reply-To", "References",
						   "From", "To", "Cc", "Subject", "List-Id",
						   "Date"};
	static const GMimeAddressType types[3] = {GMIME_ADDRESS_TYPE_FROM, GMIME_ADDRESS_TYPE_TO,
						  GMIME_ADDRESS_TYPE_CC};
	const char *raw[H_COUNT];
	char *owned[H_COUNT];
	InternetAddressList *lists[3], *owned_lists[3] = {NULL, NULL, NULL};
	int oom = 0, rc = EBB_ENOMEM;
	for (int i = 0; i < H_COUNT; i++)
		raw[i] = raw_header(src, names[i], &owned[i], &oom);
	for (int i = 0; i < 3; i++)
		lists[i] = address_list(src, types[i], raw[H_FROM + i], &owned_lists[i]);
	if (oom || read_message_id(src, raw[H_MSGID], m) ||
	    read_ids(raw[H_IRT], &m->in_reply_to, NULL) ||
	    read_ids(raw[H_REFS], NULL, &m->references) ||
	    read_from(lists[0], raw[H_FROM], m) ||
	    read_addresses(lists[1], &m->to, &m->to_addrs) ||
	    read_addresses(lists[2], &m->cc, &m->cc_addrs) ||
	    !(m->subject = decode_raw(raw[H_SUBJECT])) || read_list_id(raw[H_LIST], m))
		goto out;
	read_date(src, raw[H_DATE], m);
	rc = EBB_OK;
out:
	for (int i = 0; i < H_COUNT; i++)
		free(owned[i]);
	for (int i = 0; i < 3; i++)
		if (owned_lists[i])
			g_object_unref(owned_lists[i]);
	return rc;
}

/* Skips an mbox "From " line that some deliveries leave on top. */
static size_t skip_mbox_line(const char *data, size_t len)
{
	if (len < 5 || memcmp(data, "From ", 5) != 0)
		return 0;
	const char *nl = memchr(data, '\n', len);
	return nl ? (size_t)(nl - data) + 1 : 0;
}

int mime_parse(const char *data, size_t len, struct mime_message **out, struct ebb_err *err)
{
	if (!out)
		return ebb_err_set(err, EBB_EINVAL, "mime_parse needs a place for its result");
	*out = NULL;
	if (!data || len == 0)
		return ebb_err_set(err, EBB_EINVAL, "the message is empty");
	if (len > MIME_MAX_MESSAGE)
		return ebb_err_set(err, EBB_ETOOBIG,
				   "the message is %zu bytes; ebb reads messages up to %u MiB", len,
				   MIME_MAX_MESSAGE / (1024 * 1024));
	size_t skip = skip_mbox_line(data, len);
	if (skip == len)
		return ebb_err_set(err, EBB_EPARSE, "the message has no header, only an mbox From line");

	GMimeParserOptions *options = mime_options();
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data + skip, len - skip);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	if (!msg)
		return ebb_err_set(err, EBB_EPARSE,
				   "the message could not be parsed: it has no RFC 5322 header");

	struct mime_message *m = calloc(1, sizeof(*m));
	if (!m) {
		g_object_unref(msg);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory while reading a message");
	}
	struct walk w = {.m = m};
	struct header_src src = {.msg = msg};
	int rc = read_headers(&src, m);
	if (rc == EBB_OK) {
		walk(&w, g_mime_message_get_mime_part(msg), 0);
		if (w.oom)
			rc = EBB_ENOMEM;
	}
	g_object_unref(msg);
	if (rc == EBB_OK && !w.text.buf && sbuf_append(&w.text, "", 0))
		rc = EBB_ENOMEM;
	if (rc != EBB_OK) {
		sbuf_free(&w.text);
		mime_message_free(m);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory while reading a message");
	}
	m->text = sbuf_detach(&w.text);
	*out = m;
	return EBB_OK;
}

int mime_parse_headers(const char *data, size_t len, struct mime_message **out,
		       struct ebb_err *err)
{
	if (!out)
		return ebb_err_set(err, EBB_EINVAL, "mime_parse_headers needs a place for its result");
	*out = NULL;
	if (!data || len == 0)
		return ebb_err_set(err, EBB_EINVAL, "the header is empty");
	if (len > MIME_MAX_MESSAGE)
		return ebb_err_set(err, EBB_ETOOBIG,
				   "the header is %zu bytes; ebb reads messages up to %u MiB", len,
				   MIME_MAX_MESSAGE / (1024 * 1024));
	size_t skip = skip_mbox_line(data, len);
	struct mime_message *m = calloc(1, sizeof(*m));
	if (!m)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory while reading a message");
	struct header_src src = {.block = data + skip, .len = len - skip};
	if (read_headers(&src, m) || !(m->text = util_strndup("", 0))) {
		mime_message_free(m);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory while reading a message");
	}
	*out = m;
	return EBB_OK;
}

void mime_message_free(struct mime_message *m)
{
	if (!m)
		return;
	free(m->msgid);
	free(m->in_reply_to);
	free(m->references);
	free(m->from_addr);
	free(m->from_name);
	free(m->to);
	free(m->to_addrs);
	free(m->cc);
	free(m->cc_addrs);
	free(m->subject);
	free(m->list_id);
	free(m->text);
	for (size_t i = 0; i < m->natt; i++) {
		free(m->att[i].filename);
		free(m->att[i].content_type);
	}
	free(m->att);
	free(m);
}
