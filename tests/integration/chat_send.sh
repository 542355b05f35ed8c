#!/bin/sh
# Integration: one inbox with mail (Maildir), Matrix and Slack in due order,
# and `ebb reply` for each kind through the outbox: held until the next
# reply block, sent exactly once while the servers answer 500, drop the
# connection or rate limit (counted at the test servers), a lost Slack
# answer found in the channel's history instead of posting twice, one that
# is not there left uncertain, Slack's own scheduler for held replies, and
# read markers.
. "$(dirname "$0")/../lib.sh"
if ! command -v python3 >/dev/null 2>&1; then skip "chat send" "python3 is not installed"; exit 0; fi
new_home
export TZ=UTC EBB_NOW=1795521600   # Tue 2026-11-24 12:00 UTC, between the reply blocks
BLOCK=1795536000                   # 16:00, the next reply block
SRV=$TOP/tests/servers
python3 "$SRV/matrix_server.py" "$SRV/matrix_fixture.json" >"$T/mport" 2>"$T/mserver.err" &
MX_PID=$!
python3 "$SRV/slack_server.py" "$SRV/slack_fixture.json" >"$T/sport" 2>"$T/sserver.err" &
SK_PID=$!
trap 'kill $MX_PID $SK_PID 2>/dev/null; cleanup_home' EXIT
i=0
while { [ ! -s "$T/mport" ] || [ ! -s "$T/sport" ]; } && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
MPORT=$(head -1 "$T/mport") SPORT=$(head -1 "$T/sport")
case "$MPORT$SPORT" in ''|*[!0-9]*) fail "test servers start" "$(cat "$T/mserver.err" "$T/sserver.err")"; exit 0;; esac

# ctl PORT PATH [JSON]: a test server's control endpoints.
ctl() {
	python3 - "$@" <<'PY'
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
# jq-like: json_get PORT EXPR, EXPR evaluated on the stats as `s`.
stats() { ctl "$1" /_test/stats | python3 -c 'import json,sys; s=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"; }
# conv SUBJECT ACCOUNT: the id of a conversation.
conv() {
	$EBB list --view all --json | python3 -c '
import json, sys
ids = [r["id"] for r in json.load(sys.stdin) if r["subject"] == sys.argv[1] and r["account"] == sys.argv[2]]
print(ids[0] if ids else "")' "$1" "$2"
}
# txn OUTBOX_ID: the txn id of an outbox item.
txn() { $EBB outbox --json | python3 -c 'import json,sys; print([r["txn_id"] for r in json.load(sys.stdin) if r["id"] == int(sys.argv[1])][0])' "$1"; }
qid() { sed -n 's/^queued #\([0-9]*\) .*/\1/p'; }

M="$T/Mail"
mkdir -p "$M/cur" "$M/new" "$M/tmp" "$T/sent"
cat > "$M/new/1795510800.1.host" <<'MAIL'
From: Ann Becker <ann@example.com>
To: Sam Rivera <sam@example.com>
Cc: "Bob Stone" <bob@example.com>, dana@example.com, sam@example.com
Subject: Budget review
Message-ID: <b1@example.com>
References: <b0@example.com>
In-Reply-To: <b0@example.com>
Date: Tue, 24 Nov 2026 09:00:00 +0000
Content-Type: text/plain; charset=utf-8

Could you check the Q4 numbers before Thursday?
MAIL
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
HOURS='[hours]
work = Mon-Fri 09:00-17:00
blocks = 11:00-11:30, 16:00-16:45
tz = UTC
[tier.chat]
target = 4h'
cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
$HOURS
[account.mail]
kind = maildir
path = $M
from = Sam Rivera <sam@example.com>
sendmail_cmd = $T/deliver
[account.chat]
kind = matrix
url = http://127.0.0.1:$MPORT/
user = @Mia:test.local
token_cmd = echo TOKEN
[account.team]
kind = slack
url = http://127.0.0.1:$SPORT/api
token_cmd = echo xoxp-test-token
CFG

out=$($EBB sync 2>&1)
case "$out" in *"mail: 1 new"*"chat: 63 new"*"team: 15 new"*) pass "mail, Matrix and Slack sync into one store";; *) fail "mail, Matrix and Slack sync into one store" "$out";; esac
$EBB list --json > "$T/due.json"
python3 - "$T/due.json" <<'PY' && pass "one inbox: mail, Matrix and Slack in due order" || fail "one inbox: mail, Matrix and Slack in due order" "see above"
import json, sys
rows = json.load(open(sys.argv[1]))
owed = [r for r in rows if r["due_at"]]
assert {r["account"] for r in owed} == {"mail", "chat", "team"}, [(r["account"], r["subject"]) for r in owed]
assert [r["due_at"] for r in owed] == sorted(r["due_at"] for r in owed), [(r["account"], r["due_at"]) for r in owed]
# Owed replies first, in due order: the chat DMs at 14:30 and 15:00, the mail
# (email tier, two working days) at the end of Wednesday.
assert rows[:len(owed)] == owed, [r["subject"] for r in rows]
want = [("chat", "Ann Lee", "2026-11-24T14:30:00+00:00"), ("team", "Ann Lee", "2026-11-24T14:30:00+00:00"),
        ("team", "ann, bob", "2026-11-24T15:00:00+00:00"), ("mail", "Budget review", "2026-11-25T17:00:00+00:00")]
assert sorted((r["account"], r["subject"], r["due_at"]) for r in owed) == sorted(want), owed
PY

# ---- Slack -------------------------------------------------------------------
SDM=$(conv "Ann Lee" team)
out=$(printf 'Thursday 14:00 works & <fine>\n' | $EBB reply "$SDM")
case "$out" in "queued #"*" (ebb-"*"): held until 2026-11-24T16:00:00+00:00") pass "slack reply outside a block is held until 16:00";; *) fail "slack reply outside a block is held until 16:00" "$out";; esac
id=$(printf '%s\n' "$out" | qid)
held=$($EBB outbox --json | python3 -c 'import json,sys; r=[r for r in json.load(sys.stdin) if r["id"]==int(sys.argv[1])][0]; print(r["state"], r["held"], r["to"])' "$id")
out=$($EBB outbox flush)
[ "$held" = "held local D0ANN" ] && [ "$out" = "0 sent, 0 failed, 0 uncertain" ] && pass "held locally: a flush at 12:00 sends nothing" || fail "held locally: a flush at 12:00 sends nothing" "$held / $out"
out=$(EBB_NOW=$BLOCK $EBB outbox flush)
t=$(txn "$id")
n=$(stats "$SPORT" "s['posted'].get('$t', 0)")
case "$out" in *"1 sent, 0 failed, 0 uncertain") [ "$n" = 1 ] && pass "released at 16:00, posted once with its txn in the metadata" || fail "released at 16:00" "posted $n";; *) fail "released at 16:00, posted once" "$out";; esac

# A thread reply while chat.postMessage answers 500 twice: exactly once.
STH=$(conv "Which build goes to staging?" team)
before=$(stats "$SPORT" "s['requests'].get('chat.postMessage', 0)")
ctl "$SPORT" /_test/fault '{"kind": "500", "count": 2, "path": "chat.postMessage"}' >/dev/null
id=$(printf 'Confirmed: 42 on staging\n' | $EBB reply "$STH" --now | qid)
out=$($EBB outbox flush 2>&1)
t=$(txn "$id")
n=$(stats "$SPORT" "s['posted'].get('$t', 0)")
tries=$(( $(stats "$SPORT" "s['requests'].get('chat.postMessage', 0)") - before ))
[ "$out" = "#$id sent
1 sent, 0 failed, 0 uncertain" ] && [ "$n" = 1 ] && [ "$tries" = 3 ] && pass "slack: a reply sent while the server answers 500 twice arrives exactly once" || fail "slack: 500 twice, exactly once" "$out; posted $n, $tries requests"
$EBB sync team >/dev/null 2>&1
hint=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select thread_hint from message where body = ?", ("Confirmed: 42 on staging",)).fetchone()[0])' "$XDG_DATA_HOME/ebb/ebb.db")
[ "$hint" = "C0GENERAL:1795514400.000400" ] && pass "slack: the reply went into the thread" || fail "slack: the reply went into the thread" "$hint"

# The post is accepted and the connection drops before the answer: found
# in the channel's history, recorded as sent, never posted twice.
ctl "$SPORT" /_test/fault '{"kind": "accept_drop", "count": 1, "path": "chat.postMessage"}' >/dev/null
id=$(printf 'Lost answer\n' | $EBB reply "$SDM" --now | qid)
out=$($EBB outbox flush 2>&1)
t=$(txn "$id")
n=$(stats "$SPORT" "s['posted'].get('$t', 0)")
case "$out" in *"1 sent, 0 failed, 0 uncertain") [ "$n" = 1 ] && pass "slack: a lost answer is looked up in history, not posted twice" || fail "slack: lost answer" "posted $n";; *) fail "slack: lost answer" "$out";; esac

# Dropped before Slack took it, and not in history: uncertain, never resent
# by itself; `outbox retry` looks first and posts once.
ctl "$SPORT" /_test/fault '{"kind": "refuse_drop", "count": 1, "path": "chat.postMessage"}' >/dev/null
id=$(printf 'Maybe lost\n' | $EBB reply "$SDM" --now | qid)
out=$($EBB outbox flush 2>&1)
t=$(txn "$id")
again=$($EBB outbox flush 2>&1)
n=$(stats "$SPORT" "s['posted'].get('$t', 0)")
case "$out" in *"#$id uncertain: slack chat.postMessage: the connection was lost after the message was sent"*"ebb outbox retry $id"*)
	[ "$again" = "0 sent, 0 failed, 0 uncertain" ] && [ "$n" = 0 ] && pass "slack: unknown outcome is uncertain and not resent" || fail "slack: uncertain not resent" "$again / posted $n";;
*) fail "slack: unknown outcome is uncertain and not resent" "$out";; esac
$EBB outbox retry "$id" && out=$($EBB outbox flush 2>&1)
n=$(stats "$SPORT" "s['posted'].get('$t', 0)")
case "$out" in *"1 sent"*) [ "$n" = 1 ] && pass "slack: outbox retry posts it once" || fail "slack: outbox retry" "posted $n";; *) fail "slack: outbox retry posts it once" "$out";; esac

ctl "$SPORT" /_test/fault '{"kind": "429", "count": 2, "path": "chat.postMessage", "retry_after": 1}' >/dev/null
id=$(printf 'Rate limited\n' | $EBB reply "$SDM" --now | qid)
start=$(date +%s)
out=$($EBB outbox flush 2>&1)
took=$(( $(date +%s) - start ))
n=$(stats "$SPORT" "s['posted'].get('$(txn "$id")', 0)")
case "$out" in *"1 sent"*) [ "$n" = 1 ] && [ "$took" -ge 2 ] && pass "slack: 429 Retry-After honoured (${took}s), posted once" || fail "slack: 429" "posted $n in ${took}s";; *) fail "slack: 429 Retry-After honoured" "$out";; esac

# ---- Matrix --------------------------------------------------------------------
MDM=$(conv "Ann Lee" chat)
ctl "$MPORT" /_test/fault '{"kind": "500", "count": 2, "path": "/send/"}' >/dev/null
id=$(printf 'See you Thursday\n' | $EBB reply "$MDM" --now | qid)
out=$($EBB outbox flush 2>&1)
t=$(txn "$id")
sent=$(stats "$MPORT" "s['sent'].get('$t')")
[ "$out" = "#$id sent
1 sent, 0 failed, 0 uncertain" ] && [ "$sent" = "{'requests': 1, 'events': 1}" ] && pass "matrix: a reply sent while the server answers 500 twice arrives exactly once" || fail "matrix: 500 twice, exactly once" "$out; $sent"
ctl "$MPORT" /_test/fault '{"kind": "drop", "count": 1, "path": "/send/"}' >/dev/null
MTH=$(conv "Release plan for Friday" chat)
id=$(printf 'Friday it is\n' | $EBB reply "$MTH" --now | qid)
out=$($EBB outbox flush 2>&1)
t=$(txn "$id")
sent=$(stats "$MPORT" "s['sent'].get('$t')")
[ "$sent" = "{'requests': 2, 'events': 1}" ] && pass "matrix: a dropped answer is retried under the same txnId, one event" || fail "matrix: dropped answer" "$out; $sent"
$EBB read "$MDM"
$EBB sync chat >/dev/null 2>&1
python3 - "$XDG_DATA_HOME/ebb/ebb.db" <<'PY' && pass "matrix: the replies are in their DM and thread" || fail "matrix: the replies are in their DM and thread" "see above"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
m = dict(db.execute("select body, thread_hint from message where from_me = 1 and body in ('See you Thursday', 'Friday it is')").fetchall())
assert m["Friday it is"] == "$root", m
assert m["See you Thursday"].startswith("!dm:test.local:"), m
PY
mark=$(stats "$MPORT" "s.get('read_markers', {}).get('!dm:test.local', {}).get('m.read')")
[ "$mark" = '$dm3' ] && pass "matrix: read in ebb sets the read marker" || fail "matrix: read in ebb sets the read marker" "$mark"

# Matrix long poll: `sync --watch` sees news as it comes, stops on SIGTERM.
$EBB sync --watch chat > "$T/watch.out" 2>&1 &
W_PID=$!
trap 'kill $MX_PID $SK_PID $W_PID 2>/dev/null; cleanup_home' EXIT
i=0
while ! grep -q "watching" "$T/watch.out" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.5
ctl "$MPORT" /_test/inject '{"room_id": "!dm:test.local", "sender": "@ann:test.local", "body": "Are you there?"}' >/dev/null
i=0
while ! grep -q "chat: 1 new" "$T/watch.out" && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $W_PID 2>/dev/null
j=0
while kill -0 $W_PID 2>/dev/null && [ $j -lt 40 ]; do sleep 0.05; j=$((j + 1)); done
if [ $i -lt 60 ] && [ $j -lt 40 ]; then pass "matrix: sync --watch long-polls news in, stops within 2 s"
else fail "matrix: sync --watch long-polls news in" "$(cat "$T/watch.out")"; kill $W_PID 2>/dev/null; fi

# ---- mail ------------------------------------------------------------------------
MAILC=$(conv "Budget review" mail)
id=$(printf 'Numbers look right.\n' | $EBB reply "$MAILC" --all --now | qid)
$EBB outbox flush >/dev/null 2>&1
msg=$(ls "$T"/sent/* 2>/dev/null | head -1)
python3 - "$msg" <<'PY' && pass "mail reply-all: To the sender, Cc the rest but me, Re: and threading headers" || fail "mail reply-all headers" "see above"
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
assert m["To"] == "Ann Becker <ann@example.com>", m["To"]
assert m["Cc"] == "bob@example.com, dana@example.com", m["Cc"]
assert m["Subject"] == "Re: Budget review", m["Subject"]
assert m["In-Reply-To"] == "<b1@example.com>", m["In-Reply-To"]
assert m["References"].split() == ["<b0@example.com>", "<b1@example.com>"], m["References"]
assert m.get_payload(decode=True) == b"Numbers look right.\n"
PY
$EBB sync mail >/dev/null 2>&1
id=$(printf 'One more thing.\n' | $EBB reply "$MAILC" --now | qid)
$EBB outbox flush >/dev/null 2>&1
msg=$(ls -t "$T"/sent/* | head -1)
grep -q '^Subject: Re: Budget review$' "$msg" && grep -q '^To: ann@example.com$' "$msg" && grep -q '^In-Reply-To: <.*@example.com>$' "$msg" \
	&& pass "mail follow-up to my own reply: Re: once, to its recipients" || fail "mail follow-up" "$(grep -E '^(To|Subject|In-Reply-To):' "$msg" | tr '\n' '|')"

# ---- Slack's own scheduler ----------------------------------------------------------
cat > "$T/sched.conf" <<CFG
$HOURS
[account.sched]
kind = slack
url = http://127.0.0.1:$SPORT/api
token_cmd = echo xoxp-test-token
server_schedule = yes
CFG
sk() { XDG_DATA_HOME="$T/sched" $EBB --config "$T/sched.conf" "$@"; }
sk sync >/dev/null 2>&1
dm=$(sk list --view all --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["subject"] == "Ann Lee"][0])')
id=$(printf 'Scheduled on Slack\n' | sk reply "$dm" | qid)
out=$(sk outbox flush 2>&1)
row=$(sk outbox --json | python3 -c 'import json,sys; r=[r for r in json.load(sys.stdin) if r["id"]==int(sys.argv[1])][0]; print(r["state"], r["held"], r["release_policy"])' "$id")
sched=$(stats "$SPORT" "[(x['channel_id'], x['post_at'], x['text']) for x in s['scheduled']]")
case "$out" in "#$id sent: scheduled on server for 2026-11-24T16:00:00+00:00"*)
	[ "$row" = "sent server server" ] && [ "$sched" = "[('D0ANN', $BLOCK, 'Scheduled on Slack')]" ] && pass "server_schedule: a held reply goes to chat.scheduleMessage for 16:00, outbox says server" || fail "server_schedule" "$row / $sched";;
*) fail "server_schedule: a held reply goes to chat.scheduleMessage" "$out";; esac
out=$(sk outbox flush 2>&1)
n=$(stats "$SPORT" "len(s['scheduled'])")
[ "$out" = "0 sent, 0 failed, 0 uncertain" ] && [ "$n" = 1 ] && pass "server_schedule: handed over once" || fail "server_schedule: handed over once" "$out / $n"
id=$(printf 'Too close to schedule\n' | EBB_NOW=$((BLOCK - 60)) sk reply "$dm" | qid)
out=$(EBB_NOW=$((BLOCK - 60)) sk outbox flush 2>&1)
row=$(sk outbox --json | python3 -c 'import json,sys; r=[r for r in json.load(sys.stdin) if r["id"]==int(sys.argv[1])][0]; print(r["state"], r["held"])' "$id")
[ "$row" = "held local" ] && pass "server_schedule: a release under 2 minutes away stays held in ebb" || fail "server_schedule: close release stays local" "$row / $out"
exit 0
