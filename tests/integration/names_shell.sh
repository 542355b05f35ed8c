#!/bin/sh
# Integration: names from mailboxes and servers never reach a shell (the
# 2018 mutt/neomutt CVEs): Maildir folders named `.$(touch PWNED)` and
# `.;touch PWNED2;` and a Matrix room named `$(touch PWNED3)` go through
# sync, list, show and the full-screen inbox and thread; no PWNED file
# appears anywhere, and the names are shown as the literal text they are.
. "$(dirname "$0")/../lib.sh"
if ! command -v python3 >/dev/null 2>&1; then skip "names never reach a shell" "python3 is not installed"; exit 0; fi
new_home
export TZ=UTC EBB_NOW=1795521600
SRV=$TOP/tests/servers
python3 "$SRV/matrix_server.py" "$SRV/matrix_fixture.json" >"$T/port" 2>"$T/server.err" &
SRV_PID=$!
trap 'kill $SRV_PID 2>/dev/null; cleanup_home' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(head -1 "$T/port")
case "$PORT" in ''|*[!0-9]*) fail "matrix test server starts" "$(cat "$T/server.err")"; exit 0;; esac
# Every command runs in $T/work: a `touch` run by a shell lands there.
mkdir -p "$T/work"
cd "$T/work" || exit 1

M="$T/Mail"
F1='.$(touch PWNED)'
F2='.;touch PWNED2;'
ROOM='$(touch PWNED3)'
for d in "$M" "$M/$F1" "$M/$F2"; do mkdir -p "$d/cur" "$d/new" "$d/tmp"; done
msg() {  # msg DIR SUBJECT ID
	printf 'From: Ann <ann@example.com>\nTo: mia@example.com\nSubject: %s\nMessage-ID: <%s@x>\nDate: Tue, 24 Nov 2026 09:00:00 +0000\n\nBody %s\n' \
		"$2" "$3" "$3" > "$1/new/1795510800.$3.host"
}
msg "$M" "Inbox mail" n0
msg "$M/$F1" "In folder one" n1
msg "$M/$F2" "In folder two" n2
python3 - "$PORT" "$ROOM" <<'PY'
import json, sys, urllib.request
o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
def post(path, body):
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (sys.argv[1], path), data=json.dumps(body).encode(), method="POST")
    o.open(req, timeout=10).read()
post("/_test/inject", {"room_id": "!team:test.local", "sender": "@ann:test.local", "type": "m.room.name",
                       "state_key": "", "content": {"name": sys.argv[2]}, "ts": 1795518000000})
post("/_test/inject", {"room_id": "!team:test.local", "sender": "@ann:test.local",
                       "body": "after the rename", "ts": 1795518060000})
PY

cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
work = Mon-Fri 09:00-17:00
tz = UTC
[account.mail]
kind = maildir
path = $M
[account.chat]
kind = matrix
url = http://127.0.0.1:$PORT/
user = @mia:test.local
token_cmd = echo TOKEN
CFG

# A shell run by ebb would touch in its working directory ($T/work) or home ($T).
pwned() { find "$T" "$TOP" -maxdepth 4 -name 'PWNED*' 2>/dev/null | head -3; }
out=$("$EBB" sync 2>&1)
case "$out" in *"mail: 3 new"*) pass "folders with shell syntax in their names sync" ;;
	*) fail "folders with shell syntax in their names sync" "$out" ;; esac
"$EBB" list --view all > "$T/list.txt" 2>&1
"$EBB" list --view all --json > "$T/list.json" 2>&1
for id in $(python3 -c 'import json,sys; print(" ".join(str(r["id"]) for r in json.load(open(sys.argv[1]))))' "$T/list.json"); do
	"$EBB" show "$id" >> "$T/show.txt" 2>&1
	"$EBB" show "$id" --json >> "$T/show.txt" 2>&1
done
# The full-screen inbox, opening the first conversations.
ui=0
if ! command -v tmux >/dev/null 2>&1; then
	skip "the inbox and thread pane with these names" "tmux is not installed"
elif tmux_start 120 40 "$EBB" && tmux_wait "In folder" 5; then
	tmux_screen > "$T/screen1.txt"
	# The renamed room (row 2), then the mail of both odd folders (rows 6, 7).
	tmux_keys j Enter; tmux_wait "after the rename" 5; tmux_screen > "$T/screen2.txt"
	tmux_keys q; tmux_wait "In folder" 5
	tmux_keys j j j j Enter; tmux_wait "Body n1" 5; tmux_screen >> "$T/screen2.txt"
	tmux_keys q; tmux_wait "In folder" 5
	tmux_keys j Enter; tmux_wait "Body n2" 5; tmux_screen >> "$T/screen2.txt"
	tmux_keys q q; sleep 0.3
	ui=1
else
	fail "the inbox shows the folders' mail" "$(tmux_screen | head -5 | tr '\n' '|')"
fi
if [ -n "$(pwned)" ]; then fail "no PWNED file after sync, list, show and the UI" "$(pwned)"
else pass "no PWNED file after sync, list, show and the UI"; fi
python3 - "$T/list.json" "$ROOM" <<'PY' && pass "the room name is listed as its literal text" || fail "the room name is listed as its literal text" "see above"
import json, sys
rows = json.load(open(sys.argv[1]))
assert any(r["channel"] == sys.argv[2] for r in rows), sorted({r["channel"] for r in rows})
PY
if grep -qF "$ROOM" "$T/list.txt" && grep -qF "after the rename" "$T/show.txt"; then
	pass "list and show print the room name literally"
else fail "list and show print the room name literally" "$(grep -i team "$T/list.txt" | head -3)"; fi
if grep -qF "In folder one" "$T/show.txt" && grep -qF "In folder two" "$T/show.txt"; then
	pass "show opens mail from both folders"
else fail "show opens mail from both folders" "$(head -5 "$T/show.txt")"; fi
if [ "$ui" = 1 ]; then
	if grep -qF "$ROOM" "$T/screen1.txt" || grep -qF "$ROOM" "$T/screen2.txt"; then
		pass "the inbox shows the room name literally"
	else fail "the inbox shows the room name literally" "$(head -12 "$T/screen1.txt" | tr '\n' '|')"; fi
	if grep -qF "after the rename" "$T/screen2.txt" && grep -qF "Body n1" "$T/screen2.txt" &&
		grep -qF "Body n2" "$T/screen2.txt"; then
		pass "the thread pane opens the room and the mail of both folders"
	else fail "the thread pane opens the room and the mail of both folders" "$(grep -F ' ebb — ' "$T/screen2.txt" | tr '\n' '|')"; fi
fi
exit 0
