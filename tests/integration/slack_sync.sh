#!/bin/sh
# Integration: the Slack provider against tests/servers/slack_server.py:
# first sync (channels, DMs, MPIMs, threads, days, mentions and links as
# text, hostile text, cursor pagination), incremental sync with new thread
# replies, faults (a 429 storm, 500, a connection dropped mid-body,
# malformed JSON) without losses or duplicates, read marks, per-channel
# tiers, and the error sentences for a bad token and a missing scope.
. "$(dirname "$0")/../lib.sh"
if ! command -v python3 >/dev/null 2>&1; then skip "slack sync" "python3 is not installed"; exit 0; fi
new_home
export TZ=UTC EBB_NOW=1795521600   # Tue 2026-11-24 12:00 UTC
SRV=$TOP/tests/servers
python3 "$SRV/slack_server.py" "$SRV/slack_fixture.json" >"$T/port" 2>"$T/server.err" &
SRV_PID=$!
trap 'kill $SRV_PID 2>/dev/null; cleanup_home' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(head -1 "$T/port")
case "$PORT" in ''|*[!0-9]*) fail "slack test server starts" "$(cat "$T/server.err")"; exit 0;; esac

# ctl PATH [JSON]: the server's control endpoints (POST with JSON, else GET).
ctl() {
	python3 - "$PORT" "$@" <<'PY'
import sys, urllib.request
port, path = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data,
                             method="POST" if data is not None else "GET",
                             headers={"Content-Type": "application/json"})
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print(opener.open(req, timeout=10).read().decode())
PY
}
# stat KEY: a number from /_test/stats ("conversations.list", "fault:429").
stat() {
	ctl /_test/stats | python3 -c '
import json, sys
s = json.load(sys.stdin); k = sys.argv[1]
print(s["faults"].get(k[6:], 0) if k.startswith("fault:") else s["requests"].get(k, 0))' "$1"
}
DB=$XDG_DATA_HOME/ebb/ebb.db
nmsg() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from message").fetchone()[0])' "$DB"; }
inject() {  # inject JSON
	ctl /_test/inject "$1" >/dev/null
}

cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
work = Mon-Fri 09:00-17:00
tz = UTC
[tier.chat]
target = 4h
[account.team]
kind = slack
url = http://127.0.0.1:$PORT/api/
token_cmd = echo xoxp-test-token
CFG

out=$($EBB sync 2>&1)
if [ "$out" = "team: 15 new, 0 changed, 0 removed" ]; then pass "first slack sync stores 15 messages"; else fail "first slack sync stores 15 messages" "$out"; fi
[ "$(stat conversations.list)" = 2 ] && [ "$(stat conversations.history)" -ge 6 ] \
	&& pass "pagination: channel list and history follow next_cursor" \
	|| fail "pagination: channel list and history follow next_cursor" "$(ctl /_test/stats)"
$EBB list --view all --json > "$T/all1.json" 2>"$T/err" || fail "list --json" "$(cat "$T/err")"
python3 - "$T/all1.json" <<'PY' && pass "channels, DMs, threads and days become conversations" || fail "channels, DMs, threads and days become conversations" "see above"
import json, sys
rows = json.load(open(sys.argv[1]))
got = sorted((r["subject"], r["channel"], r["messages"]) for r in rows)
want = sorted([("#general", "general", 1), ("#general", "general", 3),
               ("Which build goes to staging?", "general", 4), ("#random", "random", 2),
               ("#secret-project", "secret-project", 1), ("Ann Lee", "Ann Lee", 3),
               ("ann, bob", "ann, bob", 1)])
assert got == want, got
by = {(r["subject"], r["messages"]): r for r in rows}
dm = by[("Ann Lee", 3)]
# A DM is direct: chat tier, a reply owed 4 working hours after Ann's 10:30.
assert dm["tier"] == "chat" and dm["needs_reply"] is True and dm["from"] == "Ann Lee", dm
assert dm["due_at"] == "2026-11-24T14:30:00+00:00", dm
assert dm["unread"] == 2, dm                                     # my "Sure" is read
mp = by[("ann, bob", 1)]
assert mp["tier"] == "chat" and mp["due_at"] == "2026-11-24T15:00:00+00:00", mp
day = by[("#general", 3)]
# A channel is fyi; the mention makes a reply owed, fyi gives it no due time.
assert day["tier"] == "fyi" and day["needs_reply"] is True and day["due_at"] is None, day
thread = by[("Which build goes to staging?", 4)]
assert thread["needs_reply"] is False and thread["from"] == "Ann Lee", thread
assert by[("#general", 1)]["last_at"] == "2026-11-23T16:00:00+00:00"
PY

python3 - "$DB" <<'PY' && pass "mentions, links and entities as text; joins left out; files and bots kept" || fail "mentions, links and entities as text; joins left out; files and bots kept" "see above"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
m = {r[0]: r[1:] for r in db.execute("select remote_id, body, sender, sender_name, thread_hint,"
                                     " to_me, from_me, flags, attachments, in_reply_to from message")}
assert m["1795512600.000300"][0] == "@Mia can you review the deploy checklist <today>?", m["1795512600.000300"]
assert m["1795512600.000300"][4] == 1                                            # mention = to me
assert m["1795510800.000200"][0] == "Draft is up: release notes <https://docs.example.com/rn> & ideas in #random"
assert m["1795507200.000100"][0] == "Morning all! Standup moved to 10:30 @here"
assert m["1795507200.000100"][4] == 0                                            # @here is no mention of me
assert m["1795508000.000100"][0] == "look \x1b[2J\x1b]0;pwned\x07 here \u202eevil\u202c done"
assert "1795508100.000200" not in m                                              # channel_join
assert m["1795508200.000300"][2] == "CI Bot" and m["1795508200.000300"][7] == "report.html\ttext/html\t2048\n"
assert m["1795514460.000500"][3] == m["1795514400.000400"][3] == "C0GENERAL:1795514400.000400"
assert m["1795514460.000500"][8] == "1795514400.000400"
assert m["1795514520.000600"][5] == 1 and m["1795514520.000600"][6] & 1          # mine, read
assert m["1795514400.000100"][1] == "u0ann" and m["1795514400.000100"][2] == "Ann Lee"
assert m["1795449600.000100"][3] == "C0GENERAL:2026-11-23"
ch = {r[0]: r[1:] for r in db.execute("select remote_id, name, is_direct, cursor, tier from channel")}
assert "C0ALERTS" not in ch, ch                                                  # not a member
assert ch["D0ANN"][1] == 1 and ch["G0MPIM"][1] == 1 and ch["C0GENERAL"][1] == 0, ch
assert ch["C0GENERAL"][2] == "1795514580.000700", ch                             # newest ts, replies too
PY

$EBB list --view all > "$T/list.txt"
if grep -q "$(printf '\033')" "$T/list.txt" || grep -q "$(printf '\342\200\256')" "$T/list.txt"; then
	fail "list text output sanitized" "raw escape in output"
elif grep -q "random" "$T/list.txt" && grep -q "Ann Lee" "$T/list.txt"; then pass "list text output sanitized"
else fail "list text output sanitized" "$(cat "$T/list.txt")"; fi

out=$($EBB sync 2>&1)
if [ "$out" = "team: 0 new, 0 changed, 0 removed" ]; then pass "second slack sync changes nothing"; else fail "second slack sync changes nothing" "$out"; fi

# News: a message, a reply in a known thread, and a thread started on an
# older message (Slack does not bring its parent back in the history).
inject '{"channel": "C0GENERAL", "user": "U0BOB", "text": "Coffee is ready"}'
inject '{"channel": "C0GENERAL", "user": "U0CAR", "text": "Staging is on 42 now", "thread_ts": "1795514400.000400"}'
inject '{"channel": "C0GENERAL", "user": "U0ANN", "text": "Looks good to me", "thread_ts": "1795510800.000200"}'
out=$($EBB sync 2>&1)
$EBB list --view all --json > "$T/all2.json"
python3 - "$T/all2.json" <<'PY' && [ "$out" = "team: 3 new, 0 changed, 0 removed" ] && pass "incremental sync: new replies join their threads" || fail "incremental sync: new replies join their threads" "$out"
import json, sys
rows = json.load(open(sys.argv[1]))
by = {r["subject"]: r for r in rows}
assert by["Which build goes to staging?"]["messages"] == 5, by["Which build goes to staging?"]
t = by["Draft is up: release notes <https://docs.example.com/rn> & ideas in #random"]
assert t["messages"] == 1 and t["from"] == "Ann Lee", t
PY

# A reply posted while the last pull was reading other threads has a ts
# below the cursor: the overlap below the cursor still finds it, once.
cursor=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select cursor from channel where remote_id = ?", ("C0GENERAL",)).fetchone()[0])' "$DB")
late=$(python3 -c 'import sys; s, f = sys.argv[1].split("."); print("%d.%s" % (int(s) - 30, f))' "$cursor")
inject "{\"channel\": \"C0GENERAL\", \"user\": \"U0BOB\", \"text\": \"Late reply\", \"thread_ts\": \"1795514400.000400\", \"ts\": \"$late\"}"
out=$($EBB sync 2>&1)
again=$($EBB sync 2>&1)
[ "$out" = "team: 1 new, 0 changed, 0 removed" ] && [ "$again" = "team: 0 new, 0 changed, 0 removed" ] \
	&& pass "a reply with a ts just below the cursor is found, once" || fail "a reply just below the cursor" "$out / $again"

# Faults: each sync converges and stores the new message exactly once.
count=$(nmsg)
fault_case() {  # fault_case NAME FAULT_JSON MINUTE (later cases, later minutes: ts only grow)
	inject "{\"channel\": \"D0ANN\", \"user\": \"U0ANN\", \"text\": \"fault $1\", \"ts\": \"$((1795519000 + $3 * 60)).000100\"}"
	ctl /_test/fault "$2" >/dev/null
	out=$($EBB sync 2>&1); rc=$?
	count=$((count + 1))
	if [ $rc = 0 ] && [ "$out" = "team: 1 new, 0 changed, 0 removed" ] && [ "$(nmsg)" = "$count" ]; then
		pass "fault $1: retried, one new message"
	else
		fail "fault $1" "rc=$rc $out, $(nmsg) messages, want $count"
	fi
}
fault_case "500 twice" '{"kind": "500", "count": 2, "path": "conversations.history"}' 1
fault_case "connection dropped mid-body" '{"kind": "drop", "count": 1, "path": "conversations.history"}' 2
fault_case "slow answer" '{"kind": "slow", "count": 1, "path": "conversations.history", "delay_ms": 800}' 3
start=$(date +%s)
fault_case "429 storm (Retry-After 1, every endpoint)" '{"kind": "429", "count": 4, "retry_after": 1}' 4
took=$(( $(date +%s) - start ))
[ "$(stat fault:429)" = 4 ] && [ "$took" -ge 3 ] && pass "429 storm: Retry-After obeyed (${took}s), nothing lost" || fail "429 storm: Retry-After obeyed" "took ${took}s, $(ctl /_test/stats)"

inject '{"channel": "D0ANN", "user": "U0ANN", "text": "after malformed", "ts": "1795519500.000100"}'
ctl /_test/fault '{"kind": "malformed", "count": 1, "path": "conversations.history"}' >/dev/null
out=$($EBB sync 2>&1); rc=$?
lines=$(printf '%s\n' "$out" | wc -l | tr -d ' ')
case "$out" in
"ebb: account team: slack conversations.history #"*" returned malformed JSON at byte "*"; will retry next sync")
	[ $rc = 1 ] && [ "$lines" = 1 ] && pass "malformed JSON: one clear line" || fail "malformed JSON: one clear line" "rc=$rc lines=$lines";;
*) fail "malformed JSON: one clear line" "$out";;
esac
out=$($EBB sync 2>&1)
count=$((count + 1))
if [ "$out" = "team: 1 new, 0 changed, 0 removed" ] && [ "$(nmsg)" = "$count" ]; then pass "next sync after malformed JSON recovers"; else fail "next sync after malformed JSON recovers" "$out $(nmsg)/$count"; fi
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); assert c.execute("select count(*) from (select channel_id, remote_id from message group by 1, 2 having count(*) > 1)").fetchone()[0] == 0' "$DB" \
	&& pass "no duplicate messages in the store" || fail "no duplicate messages in the store" "duplicates"

# Read in ebb: the channel's read mark moves at the next sync.
dm=$($EBB list --view all --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["subject"] == "Ann Lee"][0])')
$EBB read "$dm" && $EBB sync >/dev/null 2>&1
mark=$(ctl /_test/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["marks"].get("D0ANN"))')
[ "$mark" = "1795519500.000100" ] && pass "read in ebb: conversations.mark with the newest ts" || fail "read in ebb: conversations.mark" "$mark"

# channel.NAME = tier in the account: a mention in #general is then due.
cat > "$T/tiers.conf" <<CFG
[hours]
work = Mon-Fri 09:00-17:00
tz = UTC
[tier.chat]
target = 4h
[account.team]
kind = slack
url = http://127.0.0.1:$PORT/api
token_cmd = echo xoxp-test-token
channel.general = chat
CFG
XDG_DATA_HOME="$T/tiers" $EBB --config "$T/tiers.conf" sync >/dev/null 2>&1
due=$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select c.tier, c.due_at from conversation c where c.thread_key = ?", ("t:C0GENERAL:2026-11-24",)).fetchone())' "$T/tiers/ebb/ebb.db")
# The day's first unanswered message came at 08:00: due 4 working hours after 09:00.
[ "$due" = "('chat', 1795525200)" ] && pass "channel.general = chat: the day with the mention is due at 13:00" || fail "channel.general = chat" "$due"

# Errors that say what to do.
mkconf() {  # mkconf NAME LINES
	printf '[account.%s]\nkind = slack\n%s\n' "$1" "$2" > "$T/$1.conf"
}
mkconf bad "url = http://127.0.0.1:$PORT/api
token_cmd = echo xoxp-wrong"
out=$(XDG_DATA_HOME="$T/bad" $EBB --config "$T/bad.conf" sync 2>&1); rc=$?
[ "$out" = "ebb: account bad: slack: the Slack token was rejected (invalid_auth); check token_cmd" ] && [ $rc = 1 ] \
	&& pass "wrong token explains itself" || fail "wrong token explains itself" "rc=$rc $out"
ctl /_test/fault '{"kind": "error", "count": 1, "path": "conversations.list", "error": "missing_scope", "needed": "channels:read", "provided": "chat:write"}' >/dev/null
out=$(XDG_DATA_HOME="$T/scope" $EBB sync 2>&1)
case "$out" in "ebb: account team: slack conversations.list: the token lacks the scope channels:read (missing_scope; it has chat:write); add it"*) pass "missing scope names the scope";; *) fail "missing scope names the scope" "$out";; esac
mkconf plain "url = http://slack.example.com/api
token_cmd = echo xoxp-test-token"
out=$(XDG_DATA_HOME="$T/plain" $EBB --config "$T/plain.conf" sync 2>&1)
case "$out" in *"http://slack.example.com is refused"*"https://"*) pass "plain http refused for a remote host";; *) fail "plain http refused for a remote host" "$out";; esac
exit 0
