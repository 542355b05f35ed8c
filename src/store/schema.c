/* store/schema: the ordered migrations; N takes user_version N-1 to N. Never
 * edit one that has shipped: append one and raise STORE_SCHEMA_VERSION. */
#include <stddef.h>

#include "schema.h"

/* Version 1. Times are epoch seconds, 0 = none. Conversation keeps copies of
 * what its messages say (subject, last_at, counts, the due answer) so list
 * views read one table through one index; sort_key and age_key are the
 * keyset paging keys (see store_due_sort_key), maintained by store/. */
static const char migration_1[] =
	"PRAGMA application_id = 1700946432;\n" /* "ebb\0": marks the file as ours */
	"CREATE TABLE account(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  kind TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE channel(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,\n"
	"  remote_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  tier TEXT,\n"
	"  cursor TEXT,\n"
	"  uidvalidity INTEGER NOT NULL DEFAULT 0,\n"
	"  muted INTEGER NOT NULL DEFAULT 0,\n"
	"  is_direct INTEGER NOT NULL DEFAULT 0,\n"
	"  UNIQUE(account_id, remote_id)\n"
	");\n"
	"CREATE TABLE conversation(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,\n"
	"  channel_id INTEGER REFERENCES channel(id) ON DELETE SET NULL,\n"
	"  thread_key TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL DEFAULT '',\n"
	"  norm_subject TEXT NOT NULL DEFAULT '',\n"
	"  last_at INTEGER NOT NULL DEFAULT 0,\n"
	"  last_from TEXT,\n"
	"  state TEXT NOT NULL DEFAULT 'inbox'\n"
	"    CHECK(state IN ('inbox','done','snoozed','waiting','later','muted')),\n"
	"  snooze_until INTEGER NOT NULL DEFAULT 0,\n"
	"  due_at INTEGER NOT NULL DEFAULT 0,\n"
	"  needs_reply INTEGER NOT NULL DEFAULT 0,\n"
	"  tier TEXT,\n"
	"  unread INTEGER NOT NULL DEFAULT 0,\n"
	"  messages INTEGER NOT NULL DEFAULT 0,\n"
	"  sort_key INTEGER NOT NULL DEFAULT 0,\n"
	"  age_key INTEGER NOT NULL DEFAULT 0,\n"
	"  UNIQUE(account_id, thread_key)\n"
	");\n"
	"CREATE INDEX conversation_due ON conversation(state, sort_key);\n"
	"CREATE INDEX conversation_age ON conversation(state, age_key);\n"
	"CREATE INDEX conversation_all ON conversation(age_key)\n"
	"  WHERE state NOT IN ('done','muted');\n"
	"CREATE INDEX conversation_snooze ON conversation(state, snooze_until);\n"
	"CREATE INDEX conversation_subject ON conversation(account_id, norm_subject, last_at);\n"
	"CREATE TABLE message(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  channel_id INTEGER NOT NULL REFERENCES channel(id) ON DELETE CASCADE,\n"
	"  remote_id TEXT NOT NULL,\n"
	"  conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,\n"
	"  msgid TEXT,\n"
	"  in_reply_to TEXT,\n"
	"  refs TEXT,\n"
	"  thread_hint TEXT,\n"
	"  sender TEXT,\n"
	"  sender_name TEXT,\n"
	"  recipients TEXT,\n"
	"  cc TEXT,\n"
	"  subject TEXT,\n"
	"  sent_at INTEGER NOT NULL DEFAULT 0,\n"
	"  flags INTEGER NOT NULL DEFAULT 0,\n"
	"  pending_flags INTEGER,\n"
	"  size INTEGER NOT NULL DEFAULT 0,\n"
	"  body TEXT,\n"
	"  attachments TEXT,\n"
	"  from_me INTEGER NOT NULL DEFAULT 0,\n"
	"  to_me INTEGER NOT NULL DEFAULT 0,\n"
	"  UNIQUE(channel_id, remote_id)\n"
	");\n"
	"CREATE INDEX message_msgid ON message(msgid);\n"
	"CREATE INDEX message_conversation ON message(conversation_id, sent_at);\n"
	"CREATE INDEX message_conversation_me ON message(conversation_id, from_me, sent_at);\n"
	"CREATE INDEX message_pending ON message(channel_id) WHERE pending_flags IS NOT NULL;\n"
	/* Every Message-ID an account has seen or seen referenced, with the
	 * conversation it threads into. It outlives message rows, so a mailbox
	 * refetched after a UIDVALIDITY change finds its old conversations. */
	"CREATE TABLE thread_ref(\n"
	"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,\n"
	"  ref TEXT NOT NULL,\n"
	"  conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,\n"
	"  seen INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY(account_id, ref)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX thread_ref_conversation ON thread_ref(conversation_id);\n"
	/* The sender column of the index holds the display name and the address,
	 * so a search finds people by either; the view is the external content. */
	"CREATE VIEW message_fts_content(id, subject, sender, body) AS\n"
	"  SELECT id, subject, coalesce(sender_name, '') || ' ' || coalesce(sender, ''), body\n"
	"  FROM message;\n"
	"CREATE VIRTUAL TABLE message_fts USING fts5(subject, sender, body,\n"
	"  content='message_fts_content', content_rowid='id');\n"
	"CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN\n"
	"  INSERT INTO message_fts(rowid, subject, sender, body) VALUES(new.id, new.subject,\n"
	"    coalesce(new.sender_name, '') || ' ' || coalesce(new.sender, ''), new.body);\n"
	"END;\n"
	"CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN\n"
	"  INSERT INTO message_fts(message_fts, rowid, subject, sender, body) VALUES('delete',\n"
	"    old.id, old.subject, coalesce(old.sender_name, '') || ' ' || coalesce(old.sender, ''),\n"
	"    old.body);\n"
	"END;\n"
	"CREATE TRIGGER message_fts_update AFTER UPDATE OF subject, sender, sender_name, body\n"
	"  ON message BEGIN\n"
	"  INSERT INTO message_fts(message_fts, rowid, subject, sender, body) VALUES('delete',\n"
	"    old.id, old.subject, coalesce(old.sender_name, '') || ' ' || coalesce(old.sender, ''),\n"
	"    old.body);\n"
	"  INSERT INTO message_fts(rowid, subject, sender, body) VALUES(new.id, new.subject,\n"
	"    coalesce(new.sender_name, '') || ' ' || coalesce(new.sender, ''), new.body);\n"
	"END;\n"
	"CREATE TABLE outbox(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,\n"
	"  conversation_id INTEGER REFERENCES conversation(id) ON DELETE SET NULL,\n"
	"  payload BLOB NOT NULL,\n"
	"  release_policy TEXT NOT NULL,\n"
	"  release_at INTEGER NOT NULL DEFAULT 0,\n"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK(state IN\n"
	"    ('queued','sending','sent','failed','uncertain','held','cancelled')),\n"
	"  msgid TEXT,\n"
	"  txn_id TEXT,\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  last_error TEXT,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  sent_at INTEGER\n"
	");\n"
	"CREATE INDEX outbox_state ON outbox(state, release_at);\n"
	"CREATE INDEX outbox_conversation ON outbox(conversation_id);\n"
	"CREATE TABLE decision(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  conversation_id INTEGER REFERENCES conversation(id) ON DELETE CASCADE,\n"
	"  kind TEXT NOT NULL,\n"
	"  text TEXT NOT NULL,\n"
	"  owner TEXT,\n"
	"  due_at INTEGER,\n"
	"  done_at INTEGER,\n"
	"  created_at INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX decision_conversation ON decision(conversation_id);\n"
	"CREATE INDEX decision_open ON decision(due_at) WHERE done_at IS NULL;\n"
	"CREATE TABLE event(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  at INTEGER NOT NULL,\n"
	"  kind TEXT NOT NULL,\n"
	"  conversation_id INTEGER REFERENCES conversation(id) ON DELETE SET NULL,\n"
	"  channel_id INTEGER REFERENCES channel(id) ON DELETE SET NULL,\n"
	"  detail TEXT\n"
	");\n"
	"CREATE INDEX event_kind ON event(kind, at);\n"
	"CREATE INDEX event_conversation ON event(conversation_id, at);\n"
	"CREATE INDEX event_channel ON event(channel_id);\n";

/* Version 2: drafts saved while the user types (so a crash loses nothing),
 * the user's own say on whether a reply is owed (`n` in the inbox), and
 * the round-up fields of a decision. */
static const char migration_2[] =
	"CREATE TABLE draft(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER REFERENCES account(id) ON DELETE CASCADE,\n"
	"  conversation_id INTEGER REFERENCES conversation(id) ON DELETE SET NULL,\n"
	"  in_reply_to TEXT,\n"
	"  refs TEXT,\n"
	"  to_addrs TEXT NOT NULL DEFAULT '',\n"
	"  cc_addrs TEXT NOT NULL DEFAULT '',\n"
	"  subject TEXT NOT NULL DEFAULT '',\n"
	"  body TEXT NOT NULL DEFAULT '',\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX draft_updated ON draft(updated_at);\n"
	/* NULL = the rule decides; 0 = no reply owed; 1 = a reply is owed. */
	"ALTER TABLE conversation ADD COLUMN reply_override INTEGER;\n"
	"ALTER TABLE decision ADD COLUMN account_id INTEGER REFERENCES account(id)"
	" ON DELETE CASCADE;\n";

/* Version 3: new messages enter the full-text index with one INSERT ...
 * SELECT per sync batch (store/batch.c), not by a trigger per row. Once
 * FTS5 is part of a transaction it flushes its pending terms at every
 * statement savepoint, so the row trigger wrote a tiny index segment per
 * message and merged them over and over: a third of a first sync's time.
 * And the List-Id of mailing-list mail (RFC 2919 id, lower case; NULL when
 * not from a list), so list.ID = TIER rules can rank it. Rows stored before
 * keep NULL until the mailbox is fetched again. */
static const char migration_3[] =
	"DROP TRIGGER message_fts_insert;\n"
	"ALTER TABLE message ADD COLUMN list_id TEXT;\n"
	/* The conversation refresh walks a conversation's messages in order for
	 * these columns alone: from the index, without reading rows whose long
	 * References push the rest onto overflow pages (10 k instructions a
	 * row, a third of a 100 k first sync). */
	"DROP INDEX message_conversation;\n"
	"CREATE INDEX message_conversation ON message(conversation_id, sent_at, id, from_me, to_me,"
	" flags, msgid);\n";

const struct store_migration store_migrations[] = {
	{1, migration_1},
	{2, migration_2},
	{3, migration_3},
};
const size_t store_nmigrations = sizeof store_migrations / sizeof store_migrations[0];
