#!/bin/sh
# Integration: the Matrix provider against tests/servers/matrix_server.py:
# first sync (rooms, DMs, threads, days, encrypted rooms, hostile text),
# incremental sync and gap filling, faults (429, 500, malformed JSON, a
# connection dropped mid-body) without duplicates, and the auth errors.
. "$(dirname "$0")/../lib.sh"
if ! command -v python3 >/dev/null 2>&1; then skip "matrix sync" "python3 is not installed"; exit 0; fi
new_home
export TZ=UTC EBB_NOW=1795521600   # Tue 2026-11-24 12:00 UTC
SRV=$TOP/tests/servers
python3 "$SRV/matrix_server.py" "$SRV/matrix_fixture.json" >"$T/port" 2>"$T/server.err" &
SRV_PID=$!
trap 'kill $SRV_PID 2>/dev/null; cleanup_home' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(head -1 "$T/port")
case "$PORT" in ''|*[!0-9]*) fail "matrix test server starts" "$(cat "$T/server.err")"; exit 0;; esac

# ctl PATH [JSON]: the server's control endpoints (POST with JSON, else GET).
ctl() {
	python3 - "$PORT" "$@" <<'PY'
import sys, urllib.request
port, path = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data,
                             method="POST" if data is not None else "GET")
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print(opener.open(req, timeout=10).read().decode())
PY
}
# stat KEY: one number from /_test/stats ("GET /sync", "fault:429", ...).
stat() {
	ctl /_test/stats | python3 -c '
import json, sys
s = json.load(sys.stdin); k = sys.argv[1]
print(s["faults"].get(k[6:], 0) if k.startswith("fault:") else s["requests"].get(k, 0))' "$1"
}
DB=$XDG_DATA_HOME/ebb/ebb.db
nmsg() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from message").fetchone()[0])' "$DB"; }
inject() {  # inject ROOM SENDER BODY [MINUTE]: a message at 11:MINUTE
	ctl /_test/inject "{\"room_id\": \"$1\", \"sender\": \"$2\", \"body\": \"$3\", \"ts\": $((1795518000000 + ${4:-0} * 60000))}" >/dev/null
}

cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
work = Mon-Fri 09:00-17:00
tz = UTC
[tier.chat]
target = 4h
[account.chat]
kind = matrix
url = http://127.0.0.1:$PORT/
user = @Mia:test.local
token_cmd = echo TOKEN
CFG

out=$($EBB sync 2>&1)
if [ "$out" = "chat: 63 new, 0 changed, 0 removed" ]; then pass "first matrix sync stores 63 messages"; else fail "first matrix sync stores 63 messages" "$out"; fi
$EBB list --view all --json > "$T/all1.json" 2>"$T/err" || fail "list --json" "$(cat "$T/err")"
python3 - "$T/all1.json" <<'PY' && pass "rooms, days and threads become conversations" || fail "rooms, days and threads become conversations" "see above"
import json, sys
rows = json.load(open(sys.argv[1]))
got = sorted((r["subject"], r["channel"], r["messages"]) for r in rows)
want = sorted([("Ann Lee", "Ann Lee", 3), ("Team", "Team", 5), ("Team", "Team", 1),
               ("Release plan for Friday", "Team", 3), ("Announcements", "Announcements", 50),
               ("Ops \x1b[31mred\x1b[0m \u202eevil", "Ops \x1b[31mred\x1b[0m \u202eevil", 1)])
assert got == want, got
by = {(r["subject"], r["messages"]): r for r in rows}
dm = by[("Ann Lee", 3)]
assert dm["tier"] == "chat" and dm["needs_reply"] is True and dm["from"] == "Ann Lee", dm
assert dm["unread"] == 1, dm                                         # my m.read receipt
# Ann wrote last at 10:30; chat = 4 working hours
assert dm["due_at"] == "2026-11-24T14:30:00+00:00", dm["due_at"]
team = by[("Team", 5)]
assert team["tier"] == "fyi" and team["needs_reply"] is True, team   # mentioned by name
assert team["unread"] == 4, team                                     # m.fully_read = first
assert by[("Team", 1)]["last_at"] == "2026-11-23T16:00:00+00:00", by[("Team", 1)]
thread = by[("Release plan for Friday", 3)]
assert thread["from"] == "Mia Example" and thread["needs_reply"] is False, thread
PY

python3 - "$DB" <<'PY' && pass "encrypted room marked, back-pagination token kept, text stored as sent" || fail "encrypted room marked, back-pagination token kept, text stored as sent" "see above"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ch = {r[0]: r[1:] for r in db.execute("select remote_id, name, is_direct, cursor from channel")}
assert ch["!secret:test.local"][0] == "Secret (encrypted, not supported yet)", ch
assert db.execute("select count(*) from message m join channel c on c.id = m.channel_id"
                  " where c.remote_id = '!secret:test.local'").fetchone()[0] == 0
assert ch["!dm:test.local"][1] == 1 and ch["!team:test.local"][1] == 0, ch
assert ch["!big:test.local"][2].startswith("b:"), ch
assert ch["~account"][2].startswith("s"), ch
m = {r[0]: r[1:] for r in db.execute("select remote_id, thread_hint, sender, sender_name,"
                                     " in_reply_to, body, flags, from_me, to_me from message")}
assert m["$hostile"][4] == "look \x1b[2J\x1b]0;pwned\x07 here \u202eevil\u202c done", m["$hostile"]
assert m["$tr1"][0] == m["$root"][0] == "$root", (m["$tr1"], m["$root"])
assert m["$t2"][0] == "!team:test.local:2026-11-24" and m["$y1"][0] == "!team:test.local:2026-11-23"
assert m["$t3"][3] == "$t2" and m["$t3"][4] == "It is in the top drawer.", m["$t3"]   # fallback cut
assert m["$dm2"][1] == "@mia:test.local" and m["$dm2"][6] == 1 and m["$dm2"][5] & 1, m["$dm2"]
assert m["$t4"][7] == 1 and m["$t2"][7] == 0, (m["$t4"], m["$t2"])   # mention by display name
assert m["$n1"][4] == "Build #42 passed" and m["$n1"][2] == "CI Bot"
PY

# Back-pagination on demand (the engine does it when a room is opened; the
# CLI's show --older takes the same path): the 10 announcements the first
# sync left out come once, then the room's start is reached.
big=$(python3 -c 'import json,sys; print([r["id"] for r in json.load(open(sys.argv[1])) if r["subject"] == "Announcements"][0])' "$T/all1.json")
n0=$(nmsg)
c1=$($EBB show "$big" --older --json 2>"$T/older1.err" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
n1=$(nmsg)
$EBB show "$big" --older --json 2>"$T/older2.err" >/dev/null
n2=$(nmsg)
python3 - "$DB" <<'PY'; ok=$?
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cur = db.execute("select cursor from channel where remote_id = '!big:test.local'").fetchone()[0]
rows = db.execute("select m.remote_id, m.body from message m join channel c on c.id = m.channel_id"
                  " where c.remote_id = '!big:test.local'").fetchall()
assert cur == "", cur
assert len(rows) == 60 and len(set(r[0] for r in rows)) == 60, len(rows)
assert sorted(r[1] for r in rows) == sorted("Announcement %d" % i for i in range(1, 61)), rows[:3]
PY
if [ "$c1" = 60 ] && [ $((n1 - n0)) = 10 ] && [ "$n2" = "$n1" ] && [ $ok = 0 ] &&
	grep -q "nothing older" "$T/older2.err"; then
	pass "back-pagination stores the older messages once, then stops at the room's start"
else
	fail "back-pagination" "shown $c1, added $((n1 - n0)) then $((n2 - n1)): $(cat "$T/older1.err" "$T/older2.err" | tr '\n' ' ')"
fi

$EBB list --view all > "$T/list.txt"
if grep -q "$(printf '\033')" "$T/list.txt" || grep -q "$(printf '\342\200\256')" "$T/list.txt"; then
	fail "list text output sanitized" "raw escape in output"
elif grep -q "Ops" "$T/list.txt" && grep -q "Mal" "$T/list.txt"; then pass "list text output sanitized"
else fail "list text output sanitized" "$(cat "$T/list.txt")"; fi

out=$($EBB sync 2>&1)
if [ "$out" = "chat: 0 new, 0 changed, 0 removed" ]; then pass "second matrix sync changes nothing"; else fail "second matrix sync changes nothing" "$out"; fi

# A new thread reply joins its thread; a message in the DM reopens the due time.
ctl /_test/inject '{"room_id": "!team:test.local", "sender": "@ann:test.local", "body": "Freeze moved to Thursday noon.", "thread_root": "$root", "ts": 1795518000000}' >/dev/null
out=$($EBB sync 2>&1)
n=$($EBB list --view all --json | python3 -c 'import json,sys; print([(r["messages"], r["from"]) for r in json.load(sys.stdin) if r["subject"] == "Release plan for Friday"])')
if [ "$out" = "chat: 1 new, 0 changed, 0 removed" ] && [ "$n" = "[(4, 'Ann Lee')]" ]; then pass "injected thread reply: exactly one new, in its thread"; else fail "injected thread reply: exactly one new, in its thread" "$out $n"; fi

# A thread started on a message synced before: the root is fetched for the
# subject (the root itself stays in its day's conversation, see docs/chat.md).
before=$(stat "GET /rooms/{roomId}/event/{eventId}")
ctl /_test/inject '{"room_id": "!team:test.local", "sender": "@bob:test.local", "body": "Found it, thanks", "thread_root": "$t2", "ts": 1795518060000}' >/dev/null
out=$($EBB sync 2>&1)
n=$($EBB list --view all --json | python3 -c 'import json,sys; print([(r["messages"], r["channel"]) for r in json.load(sys.stdin) if r["subject"] == "Has anyone seen the projector remote?"])')
if [ "$out" = "chat: 1 new, 0 changed, 0 removed" ] && [ "$n" = "[(1, 'Team')]" ] && [ "$(stat "GET /rooms/{roomId}/event/{eventId}")" = $((before + 1)) ]; then
	pass "thread on an older root: subject from the fetched root"
else
	fail "thread on an older root: subject from the fetched root" "$out $n"
fi

# More events than the timeline limit: the gap is filled with /messages.
python3 - "$PORT" <<'PY'
import json, sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
for i in range(70):
    body = json.dumps({"room_id": "!team:test.local", "sender": "@bob:test.local",
                       "body": "Catching up %d" % i, "ts": 1795518600000 + i * 1000}).encode()
    opener.open(urllib.request.Request("http://127.0.0.1:%s/_test/inject" % sys.argv[1],
                                       data=body, method="POST"), timeout=10).read()
PY
before=$(stat "GET /rooms/{roomId}/messages")
out=$($EBB sync 2>&1)
after=$(stat "GET /rooms/{roomId}/messages")
if [ "$out" = "chat: 70 new, 0 changed, 0 removed" ] && [ "$after" -gt "$before" ]; then pass "limited timeline: gap filled, nothing lost"; else fail "limited timeline: gap filled, nothing lost" "$out (messages calls $before -> $after)"; fi

# Faults: each sync converges, stores the new message exactly once.
count=$(nmsg)
fault_case() {  # fault_case NAME FAULT_JSON MINUTE
	inject "!dm:test.local" "@ann:test.local" "fault $1" "$3"
	ctl /_test/fault "$2" >/dev/null
	syncs_before=$(stat "GET /sync")
	out=$($EBB sync 2>&1); rc=$?
	syncs=$(( $(stat "GET /sync") - syncs_before ))
	count=$((count + 1))
	if [ $rc = 0 ] && [ "$out" = "chat: 1 new, 0 changed, 0 removed" ] && [ "$(nmsg)" = "$count" ]; then
		pass "fault $1: retried ($syncs requests), one new message"
	else
		fail "fault $1" "rc=$rc $out, $(nmsg) messages, want $count"
	fi
}
start=$(date +%s)
fault_case "429 with retry_after_ms" '{"kind": "429", "count": 2, "path": "/sync", "retry_after_ms": 200}' 5
fault_case "500 twice" '{"kind": "500", "count": 2, "path": "/sync"}' 6
fault_case "connection dropped mid-body" '{"kind": "drop", "count": 1, "path": "/sync"}' 7
[ "$(stat fault:429)/$(stat fault:500)/$(stat fault:drop)" = "2/2/1" ] && pass "every fault was served" || fail "every fault was served" "$(ctl /_test/stats)"

inject "!dm:test.local" "@ann:test.local" "after malformed" 8
ctl /_test/fault '{"kind": "malformed", "count": 1, "path": "/sync"}' >/dev/null
out=$($EBB sync 2>&1); rc=$?
case "$out" in
"ebb: account chat: matrix /sync returned malformed JSON at byte "*"; will retry next sync")
	[ $rc = 1 ] && [ "$(nmsg)" = "$count" ] && pass "malformed JSON: one clear line, nothing stored" || fail "malformed JSON" "rc=$rc $(nmsg)";;
*) fail "malformed JSON: one clear line, nothing stored" "$out";;
esac
out=$($EBB sync 2>&1)
count=$((count + 1))
if [ "$out" = "chat: 1 new, 0 changed, 0 removed" ] && [ "$(nmsg)" = "$count" ]; then pass "next sync after malformed JSON recovers"; else fail "next sync after malformed JSON recovers" "$out"; fi
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); assert c.execute("select count(*) from (select remote_id from message group by remote_id having count(*) > 1)").fetchone()[0] == 0' "$DB" \
	&& pass "no duplicate events in the store" || fail "no duplicate events in the store" "duplicates"

# The test server itself: long poll returns early on news, honours its timeout,
# and de-duplicates sends by txnId (for the outbox later).
python3 - "$PORT" <<'PY' && pass "test server: long poll and txnId de-duplication" || fail "test server: long poll and txnId de-duplication" "see above"
import json, sys, threading, time, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
def call(path, body=None, method=None, token="TOKEN"):
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                 method=method or ("POST" if body is not None else "GET"),
                                 headers={"Authorization": "Bearer " + token})
    return json.loads(opener.open(req, timeout=10).read())
nb = call("/_test/stats")["next_batch"]
t0 = time.monotonic()
empty = call("/_matrix/client/v3/sync?timeout=300&since=" + nb)
assert 0.25 < time.monotonic() - t0 < 2 and not empty["rooms"]["join"], empty
threading.Timer(0.3, lambda: call("/_test/inject", {"room_id": "!dm:test.local", "sender": "@ann:test.local", "body": "poll"})).start()
t0 = time.monotonic()
got = call("/_matrix/client/v3/sync?timeout=5000&since=" + nb)
assert time.monotonic() - t0 < 2, "long poll did not return early"
assert [e["content"]["body"] for e in got["rooms"]["join"]["!dm:test.local"]["timeline"]["events"]] == ["poll"]
a = call("/_matrix/client/v3/rooms/!dm:test.local/send/m.room.message/txn1", {"msgtype": "m.text", "body": "x"}, "PUT")
b = call("/_matrix/client/v3/rooms/!dm:test.local/send/m.room.message/txn1", {"msgtype": "m.text", "body": "x"}, "PUT")
assert a == b and call("/_test/stats")["sent"]["txn1"] == {"requests": 2, "events": 1}
PY
elapsed=$(( $(date +%s) - start ))

# Errors that say what to do.
mkconf() {  # mkconf NAME LINES: a config with one matrix account
	printf '[account.%s]\nkind = matrix\n%s\n' "$1" "$2" > "$T/$1.conf"
}
mkconf bad "url = http://127.0.0.1:$PORT
token_cmd = echo WRONG"
out=$(XDG_DATA_HOME="$T/bad" $EBB --config "$T/bad.conf" sync 2>&1); rc=$?
case "$out" in
"ebb: account bad: matrix: the homeserver 127.0.0.1 rejected the access token (M_UNKNOWN_TOKEN); check token_cmd") [ $rc = 1 ] && pass "wrong token explains itself" || fail "wrong token" "rc=$rc";;
*) fail "wrong token explains itself" "$out";;
esac
mkconf pw "url = http://localhost:$PORT
user = @mia:test.local
password_cmd = echo hunter2"
out=$(XDG_DATA_HOME="$T/pw" $EBB --config "$T/pw.conf" sync 2>&1)
case "$out" in "pw: "*" new, 0 changed, 0 removed") pass "password login syncs";; *) fail "password login syncs" "$out";; esac
mkconf pwbad "url = http://127.0.0.1:$PORT
user = @mia:test.local
password_cmd = echo nope"
out=$(XDG_DATA_HOME="$T/pwbad" $EBB --config "$T/pwbad.conf" sync 2>&1)
case "$out" in *"rejected the password for @mia:test.local (M_FORBIDDEN); check user and password_cmd") pass "wrong password explains itself";; *) fail "wrong password explains itself" "$out";; esac
mkconf plain "url = http://matrix.example.org
token_cmd = echo TOKEN"
out=$(XDG_DATA_HOME="$T/plain" $EBB --config "$T/plain.conf" sync 2>&1)
case "$out" in *"http://matrix.example.org is refused"*"https://"*) pass "plain http refused for a remote host";; *) fail "plain http refused for a remote host" "$out";; esac
[ "$elapsed" -lt 20 ] && pass "faults handled in ${elapsed}s" || fail "faults handled in time" "${elapsed}s"
exit 0
