#!/bin/sh
# Integration: list.LIST-ID = TIER rules over a Maildir: a list mail takes
# its list's tier (fyi: no due time even when it is To me), a direct mail
# keeps the account's, a sender rule beats a list rule, a malformed List-Id
# is no list, and my answer on the list keeps the list's tier.
. "$(dirname "$0")/../lib.sh"
new_home

M="$T/Mail"
mkdir -p "$M/cur" "$M/new" "$M/tmp"
msg() {  # msg FILE FROM TO SUBJECT MSGID LIST-ID [IN-REPLY-TO]
	{
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s>\n' "$2" "$3" "$4" "$5"
		printf 'Date: Mon, 23 Nov 2026 09:00:00 +0000\n'
		[ -n "$6" ] && printf 'List-Id: %s\n' "$6"
		[ -n "${7:-}" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$7" "$7"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nBody of %s.\n' "$5"
	} > "$1"
}
# To me as well as the list: without the rule it would be owed in 2 days.
msg "$M/cur/1.dev.host:2,S" "Kim <kim@example.org>" "me@example.com, dev@example.org" \
	"Build is red" dev1@x "Developers <Dev.Example.ORG>"
msg "$M/cur/2.ops.host:2,S" "Lee <lee@example.org>" "me@example.com" \
	"Disk full on db2" ops1@x '"Ops <pager>" <ops.example.org>'
msg "$M/cur/3.direct.host:2,S" "Ann <ann@example.org>" "me@example.com" \
	"Lunch on Friday?" d1@x ""
msg "$M/cur/4.boss.host:2,S" "Boss <boss@example.com>" "me@example.com, dev@example.org" \
	"Release date" b1@x "Developers <dev.example.org>"
msg "$M/cur/5.odd.host:2,S" "Odd <odd@example.org>" "me@example.com" \
	"Odd list header" o1@x "Developers <dev.example.org"
msg "$M/cur/6.news.host:2,S" "News <news@example.org>" "dev@example.org" \
	"Weekly digest" n1@x "<dev.example.org>"

cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
work = Mon-Fri 09:00-17:00
tz = UTC
[account.t]
kind = maildir
path = $M
from = me@example.com
sender.boss@example.com = urgent
list.dev.example.org = fyi
list.OPS.example.org = chat
CFG
export EBB_NOW=1795939200   # Sun 2026-11-29 08:00 UTC

out=$($EBB sync 2>&1)
if [ "$out" = "t: 6 new, 0 changed, 0 removed" ]; then pass "list: sync stores 6 messages"; else fail "list: sync stores 6 messages" "$out"; fi
$EBB list --view all --json > "$T/all.json" 2>"$T/err" || fail "list: list --json" "$(cat "$T/err")"
python3 - "$T/all.json" <<'PY' && pass "list: tiers and due times follow the list rules" || fail "list: tiers follow the list rules" "see above"
import json, sys
by = {r["subject"]: r for r in json.load(open(sys.argv[1]))}
assert len(by) == 6, sorted(by)
def want(subject, tier, due):
    r = by[subject]
    assert (r["tier"], r["due_at"]) == (tier, due), (subject, r["tier"], r["due_at"], r["needs_reply"])
want("Build is red", "fyi", None)                             # list fyi: no due time although To me
want("Weekly digest", "fyi", None)
assert by["Weekly digest"]["needs_reply"] is False, by["Weekly digest"]
want("Disk full on db2", "chat", "2026-11-23T13:00:00+00:00")  # rule in other case; 4 working hours
want("Lunch on Friday?", "email", "2026-11-24T17:00:00+00:00") # no list: the account's 2 days
want("Release date", "urgent", "2026-11-23T10:00:00+00:00")    # sender rule beats the list rule
want("Odd list header", "email", "2026-11-24T17:00:00+00:00")  # unterminated '<': no list
PY
$EBB list --json > "$T/due.json"
python3 - "$T/due.json" <<'PY' && pass "list: fyi list mail is not in the owed group" || fail "list: owed group" "see above"
import json, sys
rows = json.load(open(sys.argv[1]))
owed = [r["subject"] for r in rows if r["due_at"]]
assert owed == ["Release date", "Disk full on db2", "Lunch on Friday?", "Odd list header"] or \
       owed == ["Release date", "Disk full on db2", "Odd list header", "Lunch on Friday?"], owed
PY
python3 - "$XDG_DATA_HOME/ebb/ebb.db" <<'PY' && pass "list: List-Id stored lower-cased, NULL when absent or malformed" || fail "list: stored List-Id" "see above"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
got = dict(db.execute("SELECT msgid, list_id FROM message"))
assert got == {"dev1@x": "dev.example.org", "ops1@x": "ops.example.org", "d1@x": None,
               "b1@x": "dev.example.org", "o1@x": None, "n1@x": "dev.example.org"}, got
assert db.execute("PRAGMA user_version").fetchone()[0] == 3
PY

# My answer on the list (my copy has no List-Id) keeps the list's tier; an
# off-list mail to me in the ops thread falls back to the account's tier.
msg "$M/cur/7.reply.host:2,S" "Me <me@example.com>" "dev@example.org" "Re: Build is red" dev2@x "" dev1@x
msg "$M/new/8.offlist.host" "Pat <pat@example.org>" "me@example.com" "Re: Disk full on db2" ops2@x "" ops1@x
out=$($EBB sync 2>&1)
if [ "$out" = "t: 2 new, 0 changed, 0 removed" ]; then pass "list: second sync stores 2 messages"; else fail "list: second sync" "$out"; fi
$EBB list --view all --json > "$T/all2.json"
python3 - "$T/all2.json" <<'PY' && pass "list: the rule follows the last message from others" || fail "list: last message from others" "see above"
import json, sys
by = {r["subject"]: r for r in json.load(open(sys.argv[1]))}
r = by["Build is red"]
assert (r["tier"], r["due_at"], r["messages"]) == ("fyi", None, 2), r
r = by["Disk full on db2"]
assert (r["tier"], r["due_at"], r["messages"]) == ("email", "2026-11-24T17:00:00+00:00", 2), r
PY
exit 0
