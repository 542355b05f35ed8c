#!/bin/sh
# Integration: `ebb sync` + `ebb list --json` over a Maildir made here, with
# threads, encoded subjects and hostile text; a second sync changes nothing.
. "$(dirname "$0")/../lib.sh"
new_home

M="$T/Mail"
mkdir -p "$M/cur" "$M/new" "$M/tmp" "$M/.Lists/cur" "$M/.Lists/new" "$M/.Lists/tmp"
msg() {  # msg FILE FROM TO SUBJECT MSGID DATE [IN-REPLY-TO]
	{
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s>\nDate: %s\n' "$2" "$3" "$4" "$5" "$6"
		[ -n "${7:-}" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$7" "$7"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nBody of %s.\n' "$5"
	} > "$1"
}
msg "$M/cur/1000.a.host:2,S" "Ann <ann@example.com>" "me@example.com" "Budget for Q1" a1@x "Mon, 23 Nov 2026 09:00:00 +0000"
msg "$M/cur/1001.b.host:2,S" "Me <me@example.com>" "ann@example.com" "Re: Budget for Q1" a2@x "Mon, 23 Nov 2026 10:00:00 +0000" a1@x
msg "$M/new/1002.c.host" "Ann <ann@example.com>" "me@example.com" "Re: Budget for Q1" a3@x "Mon, 23 Nov 2026 11:00:00 +0000" a2@x
msg "$M/cur/1003.d.host:2,S" "=?ISO-8859-1?Q?Zo=EB?= <zoe@example.com>" "me@example.com" "=?UTF-8?B?Q2Fmw6kgbWVldGluZw==?=" b1@x "Sat, 21 Nov 2026 12:00:00 +0000"
msg "$M/cur/1004.e.host:2,S" "Bob <bob@example.com>" "team@example.com" "FYI: notes" c1@x "Fri, 20 Nov 2026 12:00:00 +0000"
msg "$M/.Lists/cur/1005.f.host:2,S" "List <news@lists.example.com>" "me@example.com" "Weekly news" d1@x "Sun, 22 Nov 2026 12:00:00 +0000"

cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
work = Mon-Fri 09:00-17:00
tz = UTC
[account.t]
kind = maildir
path = $M
from = me@example.com
channel.Lists = fyi
CFG
export EBB_NOW=1795939200   # Sun 2026-11-29 08:00 UTC

check "ebb --version" sh -c "$EBB --version | grep -q '^ebb [0-9]'"
out=$($EBB sync 2>&1)
if [ "$out" = "t: 6 new, 0 changed, 0 removed" ]; then pass "first sync stores 6 messages"; else fail "first sync stores 6 messages" "$out"; fi
m=$(stat -c %a "$XDG_DATA_HOME/ebb/ebb.db")/$(stat -c %a "$XDG_DATA_HOME/ebb")
[ "$m" = 600/700 ] && pass "database 0600 in a 0700 dir" || fail "database 0600 in a 0700 dir" "$m"
$EBB list --view all --json > "$T/all1.json" 2>"$T/err" || fail "list --json" "$(cat "$T/err")"
python3 - "$T/all1.json" <<'PY' && pass "every thread listed once, decoded" || fail "every thread listed once, decoded" "see above"
import json, sys
rows = json.load(open(sys.argv[1]))
subjects = sorted(r["subject"] for r in rows)
want = sorted(["Budget for Q1", "Café meeting", "FYI: notes", "Weekly news"])
assert subjects == want, subjects
for r in rows:
    for k in ("id", "account", "channel", "subject", "from", "last_at", "state", "tier",
              "due_at", "needs_reply", "unread", "messages"):
        assert k in r, (k, r)
by = {r["subject"]: r for r in rows}
b = by["Budget for Q1"]
assert b["messages"] == 3 and b["unread"] == 1 and b["needs_reply"] is True, b
assert b["from"] == "Ann", b
# Mon 11:00 UTC + 2 working days (8h each, 09-17) = Wed 11:00
assert b["due_at"] == "2026-11-25T11:00:00+00:00", b["due_at"]
assert b["last_at"] == "2026-11-23T11:00:00+00:00", b["last_at"]
assert by["Café meeting"]["from"] == "Zoë", by["Café meeting"]
# Sat arrival: counts from Monday 09:00 -> due Tue 17:00
assert by["Café meeting"]["due_at"] == "2026-11-24T17:00:00+00:00", by["Café meeting"]["due_at"]
assert by["FYI: notes"]["needs_reply"] is False and by["FYI: notes"]["due_at"] is None
assert by["Weekly news"]["tier"] == "fyi" and by["Weekly news"]["due_at"] is None
assert all(r["state"] == "inbox" for r in rows)
PY
$EBB list --json > "$T/due.json"
python3 - "$T/due.json" <<'PY' && pass "due view: owed replies first, by due time" || fail "due view order" "see above"
import json, sys
rows = json.load(open(sys.argv[1]))
owed = [r["due_at"] for r in rows if r["due_at"]]
assert owed == sorted(owed) and len(owed) == 2, owed
first_free = next(i for i, r in enumerate(rows) if not r["due_at"])
assert all(r["due_at"] for r in rows[:first_free]), rows
assert rows[0]["urgency"] == "overdue", rows[0]
PY
out=$($EBB sync 2>&1)
if [ "$out" = "t: 0 new, 0 changed, 0 removed" ]; then pass "second sync changes nothing"; else fail "second sync changes nothing" "$out"; fi
$EBB list --view all --json > "$T/all2.json"
if cmp -s "$T/all1.json" "$T/all2.json"; then pass "list identical after resync"; else fail "list identical after resync" "$(diff "$T/all1.json" "$T/all2.json" | head -5)"; fi

# A new reply in Maildir joins its thread; a removed file leaves the store.
msg "$M/new/1006.g.host" "Zoë <zoe@example.com>" "me@example.com" "Re: Café meeting" b2@x "Sun, 29 Nov 2026 07:00:00 +0000" b1@x
rm "$M/cur/1004.e.host:2,S"
out=$($EBB sync 2>&1)
if [ "$out" = "t: 1 new, 0 changed, 1 removed" ]; then pass "incremental sync sees new and removed"; else fail "incremental sync sees new and removed" "$out"; fi
n=$($EBB list --view all --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), [x["messages"] for x in r if x["subject"]=="Café meeting"])')
if [ "$n" = "3 [2]" ]; then pass "reply threaded, removed thread gone"; else fail "reply threaded, removed thread gone" "$n"; fi

# Triage from the CLI.
id=$($EBB list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
$EBB done "$id" && st=$($EBB list --view done --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin)])')
if [ "$st" = "[$id]" ]; then pass "ebb done moves to the done view"; else fail "ebb done" "$st"; fi
$EBB snooze "$id" tomorrow
sn=$($EBB list --view snoozed --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["snooze_until"])')
if [ "$sn" = "2026-11-30T09:00:00+00:00" ]; then pass "snooze until tomorrow = start of work"; else fail "snooze tomorrow" "$sn"; fi

# Text output never carries raw escape sequences.
printf 'From: x@example.com\nTo: me@example.com\nSubject: evil \033]52;c;cGF3bmVk\007 \033[31mred \342\200\256txt\nMessage-ID: <e1@x>\nDate: Sun, 29 Nov 2026 07:30:00 +0000\n\nhi\n' > "$M/new/1007.h.host"
$EBB sync >/dev/null 2>&1
$EBB list --view all > "$T/list.txt"
if grep -q "$(printf '\033')" "$T/list.txt" || grep -q "$(printf '\342\200\256')" "$T/list.txt"; then
	fail "list text output sanitized" "raw escape in output"
elif grep -q "evil" "$T/list.txt"; then pass "list text output sanitized"; else fail "list text output sanitized" "subject missing"; fi

# Errors that tell the user what to do.
out=$(XDG_CONFIG_HOME="$T/none" $EBB list 2>&1); rc=$?
case "$out" in *"no configuration at"*"ebb --demo"*) [ $rc = 1 ] && pass "missing config explains itself" || fail "missing config" "rc=$rc";; *) fail "missing config explains itself" "$out";; esac
printf '[account.x]\nkind = maildir\n' > "$T/bad.conf"
out=$($EBB --config "$T/bad.conf" list 2>&1)
case "$out" in *"bad.conf:1: [account.x] is a maildir account but has no path"*) pass "config error names file and line";; *) fail "config error names file and line" "$out";; esac
# Error sentences quote names (here a path) and pass the sanitizer too.
printf '[account.x]\nkind = maildir\npath = /nonexistent/\033]52;c;cGF3bmVk\007x\n' > "$T/esc.conf"
out=$($EBB --config "$T/esc.conf" sync 2>&1)
if printf '%s' "$out" | grep -q "$(printf '\033')"; then fail "error messages sanitized" "raw ESC in: $out"
else case "$out" in *"is not a Maildir"*) pass "error messages sanitized";; *) fail "error messages sanitized" "$out";; esac; fi
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=99'); c.commit()" "$XDG_DATA_HOME/ebb/ebb.db"
sum1=$(md5sum < "$XDG_DATA_HOME/ebb/ebb.db")
out=$($EBB list 2>&1); rc=$?
sum2=$(md5sum < "$XDG_DATA_HOME/ebb/ebb.db")
case "$out" in *newer*) [ $rc = 1 ] && [ "$sum1" = "$sum2" ] && pass "newer database refused untouched" || fail "newer database" "rc=$rc";; *) fail "newer database refused untouched" "$out";; esac
head -c 4096 /dev/urandom > "$XDG_DATA_HOME/ebb/ebb.db"; rm -f "$XDG_DATA_HOME/ebb/ebb.db-wal" "$XDG_DATA_HOME/ebb/ebb.db-shm"
sum1=$(md5sum < "$XDG_DATA_HOME/ebb/ebb.db")
out=$($EBB list 2>&1); rc=$?
sum2=$(md5sum < "$XDG_DATA_HOME/ebb/ebb.db")
case "$out" in *damaged*|*"not an ebb database"*) [ $rc = 1 ] && [ "$sum1" = "$sum2" ] && pass "corrupt database refused untouched" || fail "corrupt database" "rc=$rc";; *) fail "corrupt database refused untouched" "$out";; esac
exit 0
