/* providers/maildir: reads a local Maildir++ tree (the demo data, and what
 * mbsync/offlineimap users already have) and writes flags back as Maildir
 * filename flags. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebb/mime.h"
#include "ebb/provider.h"

/* Messages per committed batch: bodies make these larger than IMAP's
 * header batches; 2000 rather than 500 took 100 k from 16.4 s to 14.5 s
 * (per-batch conversation refreshes). */
#define MAILDIR_BATCH 2000
#define MAILDIR_MAX_FOLDERS 4096

struct known_msg {
	char *remote_id;
	unsigned flags;
	int present;
};

struct entry {
	char *unique;      /* file name up to the ':' of the info part */
	char *path;        /* relative to the folder: "cur/NAME" or "new/NAME" */
	unsigned flags;
};

struct folder_scan {
	char *remote_id;   /* "INBOX" or the Maildir++ folder name without the dot */
	char *dir;         /* absolute directory */
	char cursor[96];   /* directory mtimes taken before listing */
	struct entry *entries;
	size_t nentries, next;
	struct known_msg *known;
	size_t nknown;
	int emitted_channel;
};

struct maildir {
	char *root;
	char **folders;    /* remote ids, INBOX first */
	size_t nfolders, next_folder;
	struct folder_scan *cur;
};

static unsigned flags_from_name(const char *name)
{
	const char *info = strstr(name, ":2,");
	unsigned f = 0;
	if (!info)
		return 0;
	for (const char *p = info + 3; *p; p++) {
		switch (*p) {
		case 'S': f |= MSG_SEEN; break;
		case 'F': f |= MSG_FLAGGED; break;
		case 'R': f |= MSG_ANSWERED; break;
		case 'D': f |= MSG_DRAFT; break;
		case 'T': f |= MSG_DELETED; break;
		default: break;
		}
	}
	return f;
}

static int folder_dir(const struct maildir *md, const char *remote_id, char *out, size_t outlen)
{
	/* Folder names come from the store; never let one climb out of the tree. */
	if (strchr(remote_id, '/') || !strcmp(remote_id, "..") || !strcmp(remote_id, "."))
		return EBB_EINVAL;
	if (!strcmp(remote_id, "INBOX"))
		return util_path(out, outlen, "%s", md->root);
	return util_path(out, outlen, "%s/.%s", md->root, remote_id);
}

static int is_maildir(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;
	if (util_path(p, sizeof p, "%s/cur", dir) || stat(p, &st) || !S_ISDIR(st.st_mode))
		return 0;
	return !util_path(p, sizeof p, "%s/new", dir) && !stat(p, &st) && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_folders(struct maildir *md, struct ebb_err *err)
{
	if (!is_maildir(md->root))
		return ebb_err_set(err, EBB_ENOENT, "%s is not a Maildir (it needs cur/ and new/ "
				   "subdirectories); check path = in the config", md->root);
	md->folders = calloc(1, sizeof *md->folders);
	if (!md->folders || !(md->folders[0] = strdup("INBOX")))
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	md->nfolders = 1;
	DIR *d = opendir(md->root);
	if (!d)
		return ebb_err_set(err, EBB_EIO, "cannot read %s: %s", md->root, strerror(errno));
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char dir[PATH_MAX];
		if (util_path(dir, sizeof dir, "%s/%s", md->root, de->d_name) || !is_maildir(dir))
			continue;
		if (md->nfolders >= MAILDIR_MAX_FOLDERS)
			break;
		char **grown = realloc(md->folders, (md->nfolders + 1) * sizeof *grown);
		if (!grown || !(grown[md->nfolders] = strdup(de->d_name + 1))) {
			if (grown)
				md->folders = grown;
			closedir(d);
			return ebb_err_set(err, EBB_ENOMEM, "out of memory");
		}
		md->folders = grown;
		md->nfolders++;
	}
	closedir(d);
	qsort(md->folders + 1, md->nfolders - 1, sizeof *md->folders, cmp_str);
	return EBB_OK;
}

static void scan_free(struct folder_scan *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->nentries; i++) {
		free(fs->entries[i].unique);
		free(fs->entries[i].path);
	}
	free(fs->entries);
	for (size_t i = 0; i < fs->nknown; i++)
		free(fs->known[i].remote_id);
	free(fs->known);
	free(fs->remote_id);
	free(fs->dir);
	free(fs);
}

static int add_known(void *ctx, const char *remote_id, unsigned flags)
{
	struct folder_scan *fs = ctx;
	struct known_msg *grown = realloc(fs->known, (fs->nknown + 1) * sizeof *grown);
	if (!grown)
		return EBB_ENOMEM;
	fs->known = grown;
	grown[fs->nknown].remote_id = strdup(remote_id);
	if (!grown[fs->nknown].remote_id)
		return EBB_ENOMEM;
	grown[fs->nknown].flags = flags;
	grown[fs->nknown].present = 0;
	fs->nknown++;
	return EBB_OK;
}

static int cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct known_msg *)a)->remote_id,
		      ((const struct known_msg *)b)->remote_id);
}

static struct known_msg *find_known(struct folder_scan *fs, const char *remote_id)
{
	struct known_msg key = {.remote_id = (char *)remote_id};
	if (!fs->nknown)
		return NULL;
	return bsearch(&key, fs->known, fs->nknown, sizeof key, cmp_known);
}

static int dir_cursor(const char *dir, char *out, size_t outlen)
{
	char p[PATH_MAX];
	struct stat sn, sc;
	if (util_path(p, sizeof p, "%s/new", dir) || stat(p, &sn))
		return EBB_EIO;
	if (util_path(p, sizeof p, "%s/cur", dir) || stat(p, &sc))
		return EBB_EIO;
	snprintf(out, outlen, "%lld.%09ld/%lld.%09ld", (long long)sn.st_mtim.tv_sec,
		 sn.st_mtim.tv_nsec, (long long)sc.st_mtim.tv_sec, sc.st_mtim.tv_nsec);
	return EBB_OK;
}

static int list_sub(struct folder_scan *fs, const char *sub, struct ebb_err *err)
{
	char p[PATH_MAX];
	DIR *d = util_path(p, sizeof p, "%s/%s", fs->dir, sub) ? NULL : opendir(p);
	if (!d)
		return ebb_err_set(err, EBB_EIO, "cannot read %s: %s", p, strerror(errno));
	struct dirent *de;
	int rc = EBB_OK;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		struct entry *grown = realloc(fs->entries, (fs->nentries + 1) * sizeof *grown);
		if (!grown) {
			rc = EBB_ENOMEM;
			break;
		}
		fs->entries = grown;
		struct entry *e = &grown[fs->nentries];
		const char *colon = strchr(de->d_name, ':');
		size_t ulen = colon ? (size_t)(colon - de->d_name) : strlen(de->d_name);
		e->unique = util_strndup(de->d_name, ulen);
		e->path = malloc(strlen(sub) + strlen(de->d_name) + 2);
		if (!e->unique || !e->path) {
			free(e->unique);
			free(e->path);
			rc = EBB_ENOMEM;
			break;
		}
		sprintf(e->path, "%s/%s", sub, de->d_name);
		e->flags = strcmp(sub, "new") ? flags_from_name(de->d_name) : 0;
		fs->nentries++;
	}
	closedir(d);
	if (rc)
		return ebb_err_set(err, rc, "out of memory listing %s", p);
	return EBB_OK;
}

static long long channel_id_of(struct provider *p, const char *remote_id, char **cursor)
{
	struct store_channel *ch;
	size_t n;
	long long id = 0;
	*cursor = NULL;
	if (store_channel_list(p->store, p->account_id, &ch, &n, NULL))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ch[i].remote_id, remote_id)) {
			id = ch[i].id;
			*cursor = util_strdup0(ch[i].cursor);
		}
	store_channel_list_free(ch, n);
	return id;
}

/* Starts a folder: takes the directory mtimes (before listing, so a change
 * during the scan makes the next sync look again), lists files and loads
 * what the store already has. Returns 1 when the folder is unchanged. */
static int scan_start(struct provider *p, const char *remote_id, struct folder_scan **out,
		      struct ebb_err *err)
{
	struct maildir *md = p->priv;
	*out = NULL;
	struct folder_scan *fs = calloc(1, sizeof *fs);
	char dir[PATH_MAX];
	if (!fs)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	if (folder_dir(md, remote_id, dir, sizeof dir) || !(fs->dir = strdup(dir)) ||
	    !(fs->remote_id = strdup(remote_id))) {
		scan_free(fs);
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	}
	if (dir_cursor(dir, fs->cursor, sizeof fs->cursor)) {
		scan_free(fs);
		return ebb_err_set(err, EBB_EIO, "cannot read %s: %s", dir, strerror(errno));
	}
	char *old_cursor;
	long long channel_id = channel_id_of(p, remote_id, &old_cursor);
	int unchanged = old_cursor && !strcmp(old_cursor, fs->cursor);
	free(old_cursor);
	if (unchanged) {
		scan_free(fs);
		return 1;
	}
	int rc = list_sub(fs, "new", err);
	if (!rc)
		rc = list_sub(fs, "cur", err);
	if (!rc && channel_id &&
	    store_channel_remote_ids(p->store, channel_id, add_known, fs, err))
		rc = EBB_EIO;
	if (rc) {
		scan_free(fs);
		return rc;
	}
	if (fs->nknown)  /* qsort and bsearch want a real array even for 0 items */
		qsort(fs->known, fs->nknown, sizeof *fs->known, cmp_known);
	*out = fs;
	return EBB_OK;
}

static int add_message(struct provider *p, struct folder_scan *fs, const struct entry *e,
		       struct store_batch *b, struct ebb_err *err)
{
	char path[PATH_MAX];
	if (util_path(path, sizeof path, "%s/%s", fs->dir, e->path))
		return EBB_OK;  /* cannot be named, cannot be read: skip it */
	char *raw;
	size_t len;
	struct ebb_err e2;
	int rc = util_read_file(path, MIME_MAX_MESSAGE, &raw, &len, &e2);
	if (rc == EBB_ENOENT)
		return EBB_OK;  /* renamed or removed since listing: next sync sees it */
	if (rc == EBB_ETOOBIG) {
		raw = NULL;
		len = 0;
	} else if (rc) {
		return ebb_err_set(err, rc, "%s", e2.msg);
	}
	struct mime_message *m = NULL;
	if (raw && mime_parse(raw, len, &m, &e2))
		m = NULL;
	free(raw);
	struct batch_msg bm = {0};
	bm.channel = fs->remote_id;
	bm.remote_id = e->unique;
	bm.flags = e->flags;
	bm.size = (long long)len;
	if (m) {
		bm.msgid = m->msgid;
		bm.in_reply_to = m->in_reply_to;
		bm.refs = m->references;
		bm.sender = m->from_addr;
		bm.sender_name = m->from_name;
		bm.recipients = m->to;
		bm.cc = m->cc;
		bm.subject = m->subject;
		bm.sent_at = m->date;
		bm.body = m->text;
		bm.list_id = m->list_id;
		bm.from_me = config_is_me(p->acc, m->from_addr);
		/* Addressed to me means To, not only Cc or a list. */
		for (size_t i = 0; i < p->acc->nme && !bm.to_me; i++) {
			const char *hit = m->to_addrs ? strstr(m->to_addrs, p->acc->me[i]) : NULL;
			size_t ml = strlen(p->acc->me[i]);
			while (hit && !bm.to_me) {
				int start_ok = hit == m->to_addrs || hit[-1] == ',' || hit[-1] == ' ';
				int end_ok = hit[ml] == '\0' || hit[ml] == ',' || hit[ml] == ' ';
				bm.to_me = start_ok && end_ok;
				hit = strstr(hit + 1, p->acc->me[i]);
			}
		}
	} else {
		bm.subject = "(unreadable message)";
		bm.sender = "";
	}
	struct sbuf att = {0};
	for (size_t i = 0; m && i < m->natt; i++)
		sbuf_printf(&att, "%s\t%s\t%zu\n", m->att[i].filename ? m->att[i].filename : "",
			    m->att[i].content_type ? m->att[i].content_type : "", m->att[i].size);
	bm.attachments = att.len ? att.buf : NULL;
	if (!bm.sent_at) {  /* no usable Date: the delivery time in the file name */
		struct stat st;
		bm.sent_at = stat(path, &st) ? 0 : st.st_mtime;
	}
	rc = batch_add_msg(b, &bm);
	sbuf_free(&att);
	mime_message_free(m);
	if (rc)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	return EBB_OK;
}

static int maildir_open(struct provider *p, struct ebb_err *err)
{
	struct maildir *md = calloc(1, sizeof *md);
	if (!md)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	p->priv = md;
	md->root = strdup(p->acc->path);
	if (!md->root)
		return ebb_err_set(err, EBB_ENOMEM, "out of memory");
	return list_folders(md, err);
}

static int maildir_pull(struct provider *p, struct store_batch *b, struct ebb_err *err)
{
	struct maildir *md = p->priv;
	size_t added = 0;
	b->more = 0;
	while (added < MAILDIR_BATCH) {
		if (!md->cur) {
			if (md->next_folder >= md->nfolders)
				return EBB_OK;
			int rc = scan_start(p, md->folders[md->next_folder++], &md->cur, err);
			if (rc == 1)
				continue;
			if (rc)
				return rc;
		}
		struct folder_scan *fs = md->cur;
		if (!fs->emitted_channel) {
			struct batch_channel bc = {.remote_id = fs->remote_id, .name = fs->remote_id};
			if (batch_add_channel(b, &bc))
				return ebb_err_set(err, EBB_ENOMEM, "out of memory");
			fs->emitted_channel = 1;
		}
		for (; fs->next < fs->nentries && added < MAILDIR_BATCH; fs->next++) {
			const struct entry *e = &fs->entries[fs->next];
			struct known_msg *k = find_known(fs, e->unique);
			if (k) {
				k->present = 1;
				if (k->flags != e->flags &&
				    batch_add_flag(b, fs->remote_id, e->unique, e->flags))
					return ebb_err_set(err, EBB_ENOMEM, "out of memory");
				continue;
			}
			int rc = add_message(p, fs, e, b, err);
			if (rc)
				return rc;
			added++;
			b->progress_done++;
		}
		if (fs->next < fs->nentries) {
			b->more = 1;
			return EBB_OK;
		}
		/* Folder complete: what the store has but the folder lost was removed. */
		for (size_t i = 0; i < fs->nknown; i++)
			if (!fs->known[i].present &&
			    batch_add_removal(b, fs->remote_id, fs->known[i].remote_id))
				return ebb_err_set(err, EBB_ENOMEM, "out of memory");
		struct batch_channel *bc = batch_channel_find(b, fs->remote_id);
		if (bc) {
			free(bc->cursor);
			bc->cursor = strdup(fs->cursor);
			if (!bc->cursor)
				return ebb_err_set(err, EBB_ENOMEM, "out of memory");
		}
		scan_free(fs);
		md->cur = NULL;
		if (md->next_folder < md->nfolders)
			b->more = 1;
		if (added)
			return EBB_OK;
	}
	b->more = 1;
	return EBB_OK;
}

/* Finds the current file name of a message by its unique part. */
static int find_file(const char *dir, const char *unique, char *sub, char *name, size_t namelen)
{
	const char *subs[] = {"cur", "new"};
	size_t ulen = strlen(unique);
	for (size_t i = 0; i < 2; i++) {
		char p[PATH_MAX];
		DIR *d = util_path(p, sizeof p, "%s/%s", dir, subs[i]) ? NULL : opendir(p);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strncmp(de->d_name, unique, ulen) &&
			    (de->d_name[ulen] == ':' || de->d_name[ulen] == '\0')) {
				strcpy(sub, subs[i]);
				util_strlcpy(name, de->d_name, namelen);
				closedir(d);
				return EBB_OK;
			}
		}
		closedir(d);
	}
	return EBB_ENOENT;
}

static int maildir_push_flags(struct provider *p, const struct batch_flag *f, size_t n,
			      struct ebb_err *err)
{
	struct maildir *md = p->priv;
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX], sub[4], name[NAME_MAX + 1];
		if (folder_dir(md, f[i].channel, dir, sizeof dir))
			continue;
		if (strchr(f[i].remote_id, '/') ||
		    find_file(dir, f[i].remote_id, sub, name, sizeof name))
			continue;  /* gone from the folder: the next pull records the removal */
		/* Keep flag letters ebb does not know, in ASCII order as Maildir wants. */
		char letters[64] = "";
		size_t nl = 0;
		const char *info = strstr(name, ":2,");
		if (info)
			for (const char *q = info + 3; *q && nl < sizeof letters - 8; q++)
				if (!strchr("SFRDT", *q))
					letters[nl++] = *q;
		const struct { unsigned bit; char c; } map[] = {
			{MSG_DRAFT, 'D'}, {MSG_FLAGGED, 'F'}, {MSG_ANSWERED, 'R'},
			{MSG_SEEN, 'S'}, {MSG_DELETED, 'T'}};
		for (size_t k = 0; k < 5; k++)
			if (f[i].flags & map[k].bit)
				letters[nl++] = map[k].c;
		letters[nl] = '\0';
		for (size_t a = 0; a + 1 < nl; a++)  /* tiny insertion sort */
			for (size_t b2 = a + 1; b2 < nl; b2++)
				if (letters[b2] < letters[a]) {
					char t = letters[a];
					letters[a] = letters[b2];
					letters[b2] = t;
				}
		char from[PATH_MAX], to[PATH_MAX];
		size_t ulen = strlen(f[i].remote_id);
		if (util_path(from, sizeof from, "%s/%s/%s", dir, sub, name) ||
		    util_path(to, sizeof to, "%s/cur/%.*s:2,%s", dir, (int)ulen, name, letters))
			continue;
		if (strcmp(from, to) && rename(from, to))
			return ebb_err_set(err, EBB_EIO, "cannot update flags of %s: %s", from,
					   strerror(errno));
	}
	return EBB_OK;
}

static int maildir_fetch_raw(struct provider *p, const char *channel, const char *remote_id,
			     struct sbuf *raw, struct ebb_err *err)
{
	struct maildir *md = p->priv;
	char dir[PATH_MAX], sub[4], name[NAME_MAX + 1], path[PATH_MAX];
	if (folder_dir(md, channel, dir, sizeof dir) || strchr(remote_id, '/') ||
	    find_file(dir, remote_id, sub, name, sizeof name))
		return ebb_err_set(err, EBB_ENOENT, "message %s is no longer in %s", remote_id,
				   channel);
	if (util_path(path, sizeof path, "%s/%s/%s", dir, sub, name))
		return ebb_err_set(err, EBB_ETOOBIG, "path of %s is too long", remote_id);
	char *data;
	size_t len;
	int rc = util_read_file(path, MIME_MAX_MESSAGE, &data, &len, err);
	if (rc)
		return rc;
	rc = sbuf_append(raw, data, len);
	free(data);
	return rc ? ebb_err_set(err, rc, "out of memory") : EBB_OK;
}

int maildir_file_copy(const char *root, const char *folder, const char *data, size_t len,
		      struct ebb_err *err)
{
	char dir[PATH_MAX], sub[PATH_MAX + 8], name[PATH_MAX + 64], tmp[PATH_MAX + 64];
	if (strchr(folder, '/') || util_path(dir, sizeof dir, "%s/.%s", root, folder))
		return ebb_err_set(err, EBB_EINVAL, "bad folder name %s", folder);
	const char *subs[] = {"tmp", "new", "cur"};
	for (size_t i = 0; i < 3; i++) {
		if (util_path(sub, sizeof sub, "%s/%s", dir, subs[i]))
			return ebb_err_set(err, EBB_ETOOBIG, "path too long");
		int rc = util_mkdir_p(sub, 0700, err);
		if (rc)
			return rc;
	}
	/* Maildir delivery: write in tmp/, then rename into cur/ (seen). */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char unique[128];
	snprintf(unique, sizeof unique, "%lld.M%ldP%d.ebb", (long long)ts.tv_sec,
		 ts.tv_nsec / 1000, (int)getpid());
	if (util_path(tmp, sizeof tmp, "%s/tmp/%s", dir, unique) ||
	    util_path(name, sizeof name, "%s/cur/%s:2,S", dir, unique))
		return ebb_err_set(err, EBB_ETOOBIG, "path too long");
	int rc = util_write_file_atomic(tmp, data, len, 0600, err);
	if (rc)
		return rc;
	if (rename(tmp, name)) {
		unlink(tmp);
		return ebb_err_set(err, EBB_EIO, "cannot file the sent copy in %s: %s", dir,
				   strerror(errno));
	}
	return EBB_OK;
}

/* A sent mail is also filed in .Sent so it joins its thread on next sync. */
static int maildir_send(struct provider *p, const struct outbox_item *item,
			struct send_result *res, struct ebb_err *err)
{
	int rc = mail_send(p->acc, item, res, err);
	if (rc)
		return rc;
	/* The message went out; a missing Sent copy only hides it from its thread. */
	(void)maildir_file_copy(p->acc->path, "Sent", item->payload, item->payload_len, NULL);
	return EBB_OK;
}

static void maildir_close(struct provider *p)
{
	struct maildir *md = p->priv;
	if (!md)
		return;
	for (size_t i = 0; i < md->nfolders; i++)
		free(md->folders[i]);
	free(md->folders);
	scan_free(md->cur);
	free(md->root);
	free(md);
	p->priv = NULL;
}

const struct provider_ops maildir_provider_ops = {
	.kind = "maildir",
	.open = maildir_open,
	.pull = maildir_pull,
	.push_flags = maildir_push_flags,
	.fetch_raw = maildir_fetch_raw,
	.send = maildir_send,
	.wait = NULL,
	.close = maildir_close,
	/* The store is read only when a folder starts (its cursor and known
	 * files), which the batch in flight of the folder before cannot touch. */
	.pull_ahead = 1,
};
