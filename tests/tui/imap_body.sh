#!/bin/sh
# tests/tui/imap_body.sh: bodies of an IMAP account (synced headers only)
# reach the screen without the UI touching the network: the due queue's
# bodies are fetched after the background sync without opening them, and
# a thread outside it is fetched on open by the engine, "(fetching body…)"
# meanwhile, keys answering while the server is slow; an attachment saved
# with S is fetched by the engine too, keys answering meanwhile.
. "$(dirname "$0")/../lib.sh"
name=tui-imap-body
STACK=$TOP/tests/mailstack.sh
FAULTS=$TOP/tests/servers/mail_faults.py
need_mailstack "$name" tmux

new_home
D=$(mktemp -d "${TMPDIR:-/tmp}/ebb-imapbody.XXXXXX")
W=$T/work
mkdir -p "$W/msgs"
PROXY_PID=
cleanup() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
	sh "$STACK" stop "$D" >/dev/null 2>&1
	rm -rf "$D"
	cleanup_home
}
trap cleanup EXIT
if ! vars=$(sh "$STACK" start "$D" 2>&1); then
	fail $name "the mail stack did not start: $(printf '%s' "$vars" | tail -3 | tr '\n' ' ')"
	exit 0
fi
eval "$vars"

# Two mails to me: one stays in the inbox (due), one is archived first.
base="To: Sam <sam@ebb.test>\nDate: Tue, 24 Nov 2026 08:%02d:00 +0000\n"
printf "${base}From: Ann <ann@example.org>\nSubject: Owed question\nMessage-ID: <owed@example.org>\n\nPREFETCHED-BODY-ALPHA\n" 1 >"$W/msgs/1.eml"
printf "${base}From: Bo <bo@example.org>\nSubject: Archived note\nMessage-ID: <arch@example.org>\n\nON-DEMAND-BODY-BETA\n" 2 >"$W/msgs/2.eml"
# One with a small PDF, saved from the thread with S.
python3 - "$W/msgs/3.eml" "$W/report.pdf" <<'PY'
import sys
from email.message import EmailMessage
pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" + bytes(range(256)) + b"\n%%EOF\n"
open(sys.argv[2], "wb").write(pdf)
m = EmailMessage()
m["From"] = "Cy <cy@example.org>"
m["To"] = "Sam <sam@ebb.test>"
m["Date"] = "Tue, 24 Nov 2026 08:03:00 +0000"
m["Subject"] = "Quarterly report"
m["Message-ID"] = "<report@example.org>"
m.set_content("REPORT-BODY-GAMMA\n")
m.add_attachment(pdf, maintype="application", subtype="pdf", filename="report.pdf")
open(sys.argv[1], "wb").write(bytes(m))
PY
mkdir -p "$T/dl" "$T/tmp" "$T/bin"
# run-mailcap that records its arguments (one a line) and the bytes it got.
cat >"$T/bin/run-mailcap" <<RM
#!/bin/sh
for a in "\$@"; do echo "arg:\$a"; done >>"$T/mailcap.log"
for a in "\$@"; do last=\$a; done
cp "\$last" "$T/opened"
RM
chmod +x "$T/bin/run-mailcap"
sh "$STACK" seed "$D" "$W"/msgs/*.eml >/dev/null || { fail $name "cannot seed"; exit 0; }

# Through a proxy that can make every new connection slow.
echo pass >"$W/mode"
python3 "$FAULTS" proxy "$IMAP_PORT" "$W/mode" >"$W/proxy.port" &
PROXY_PID=$!
i=0
while [ ! -s "$W/proxy.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PROXY=$(head -1 "$W/proxy.port")
cat >"$XDG_CONFIG_HOME/ebb/config" <<EOF
[hours]
tz = UTC
[account.work]
kind = imap
host = 127.0.0.1
port = $PROXY
tls = off
user = $MAIL_USER
password_cmd = echo $MAIL_PASS
me = sam@ebb.test
EOF
DB=$XDG_DATA_HOME/ebb/ebb.db
# body_of MSGID: the stored body, "NULL" when not fetched.
body_of() {
	python3 -c 'import sqlite3,sys
r = sqlite3.connect(sys.argv[1]).execute("select body from message where msgid like ?", ("%" + sys.argv[2] + "%",)).fetchone()
print("NULL" if not r or r[0] is None else r[0].strip())' "$DB" "$1"
}

out=$($EBB sync 2>&1) || { fail $name "sync failed: $out"; exit 0; }
arch=$($EBB list --view all --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["subject"] == "Archived note"][0])')
$EBB done "$arch" >/dev/null 2>&1 || { fail $name "ebb done $arch failed"; exit 0; }
if [ "$(body_of owed@)" != NULL ] || [ "$(body_of arch@)" != NULL ]; then
	fail $name "the sync stored bodies: it should fetch headers only"
	exit 0
fi

# Prefetch: the due conversation's body arrives without opening it.
started=$(date +%s%N)
tmux_start 100 30 "XDG_DOWNLOAD_DIR=$T/dl" "TMPDIR=$T/tmp" "PATH=$T/bin:$PATH" "$EBB"
ok=1
tmux_wait "Due (" 10 || { fail $name "the inbox did not appear: $(tmux_screen | head -3 | tr '\n' '|')"; exit 0; }
i=0
while [ "$(body_of owed@)" = NULL ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(body_of owed@)" = PREFETCHED-BODY-ALPHA ]; then
	pass "$name: the due queue's bodies are fetched after the sync ($((($(date +%s%N) - started) / 1000000)) ms from start)"
else
	fail "$name: due prefetch" "body after 10 s: $(body_of owed@)"
fi
[ "$(body_of arch@)" = NULL ] && pass "$name: done conversations are not prefetched" ||
	fail "$name: prefetch scope" "the archived body was fetched too"

# On demand, with every new connection 2 s late: the note shows at once,
# keys still answer, the body follows.
echo "slow 2" >"$W/mode"
tmux_keys 6
tmux_wait "Archived note" 5 || { fail $name "the done view lacks the message: $(tmux_screen | head -4 | tr '\n' '|')"; exit 0; }
start=$(date +%s%N)
tmux_keys Enter
if tmux_wait "(fetching body" 2; then
	tmux_keys '?'
	if tmux_wait "Keys of ebb" 1; then
		tmux_keys q
		tmux_wait "(fetching body" 1 || tmux_wait "ON-DEMAND-BODY-BETA" 1 ||
			{ fail "$name: keys while fetching" "back from help: $(tmux_screen | head -3 | tr '\n' '|')"; ok=0; }
	else
		fail "$name: keys while fetching" "help did not open within 1 s"; ok=0
	fi
	tmux_keys j k
else
	fail "$name: fetching note" "no \"(fetching body…)\": $(tmux_screen | head -8 | tr '\n' '|')"; ok=0
fi
if tmux_wait "ON-DEMAND-BODY-BETA" 8; then
	ms=$((($(date +%s%N) - start) / 1000000))
	[ $ok = 1 ] && pass "$name: a thread's body is fetched on open, keys answer meanwhile (${ms} ms with a 2 s server)"
else
	fail "$name: body on open" "not shown: $(tmux_screen | head -8 | tr '\n' '|')"
fi
[ "$(body_of arch@)" = ON-DEMAND-BODY-BETA ] && pass "$name: the fetched body is stored" ||
	fail "$name: stored body" "$(body_of arch@)"

# S on an IMAP attachment: queued to the engine (still 2 s per
# connection), keys answer meanwhile, the file lands 0600 with the bytes.
ok=1
tmux_keys q 1
tmux_wait "Quarterly report" 5 || { fail "$name: attachment" "no report in Due: $(tmux_screen | head -5 | tr '\n' '|')"; exit 0; }
tmux_keys / ; sleep 0.2
tmux_keys -l "subject:Quarterly"; tmux_keys Enter
tmux_wait "Quarterly report" 5 && tmux_keys Enter
if ! tmux_wait "[1] report.pdf" 10; then
	fail "$name: attachment" "not listed: $(tmux_screen | head -12 | tr '\n' '|')"; exit 0
fi
tmux_keys S
if tmux_wait "Save [1] to directory: $T/dl" 2; then
	start=$(date +%s%N)
	tmux_keys Enter
	tmux_wait "Fetching attachment" 2 || { fail "$name: attachment" "no \"Fetching attachment…\": $(tmux_screen | tail -2 | tr '\n' '|')"; ok=0; }
	tmux_keys j k '?'
	tmux_wait "Keys of ebb" 1 || { fail "$name: keys while fetching an attachment" "help did not open within 1 s"; ok=0; }
	[ -e "$T/dl/report.pdf" ] && { fail "$name: attachment" "saved before the slow server answered: blocking?"; ok=0; }
	tmux_keys q
	if tmux_wait "Saved $T/dl/report.pdf" 10; then
		ms=$((($(date +%s%N) - start) / 1000000))
		[ "$(stat -c %a "$T/dl/report.pdf")" = 600 ] || { fail "$name: attachment" "mode $(stat -c %a "$T/dl/report.pdf")"; ok=0; }
		cmp -s "$T/dl/report.pdf" "$W/report.pdf" || { fail "$name: attachment" "other bytes than the seeded PDF"; ok=0; }
		[ -z "$(ls -A "$T/tmp")" ] || { fail "$name: attachment" "private copy left: $(ls -A "$T/tmp")"; ok=0; }
		[ $ok = 1 ] && pass "$name: S saves an IMAP attachment through the engine, keys answer meanwhile (${ms} ms with a 2 s server)"
	else
		fail "$name: attachment" "not saved: $(tmux_screen | tail -3 | tr '\n' '|')"
	fi
else
	fail "$name: attachment" "no save prompt: $(tmux_screen | tail -2 | tr '\n' '|')"
fi

# o: fetched the same way, then run-mailcap --action=view FILE (argv).
ok=1
tmux_keys o
tmux_wait "Fetching attachment" 2 || { fail "$name: open" "no \"Fetching attachment…\""; ok=0; }
if tmux_wait "Opened with run-mailcap: report.pdf" 10; then
	i=0
	while [ ! -s "$T/opened" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(sed -n 1p "$T/mailcap.log")" = "arg:--action=view" ] &&
		sed -n 2p "$T/mailcap.log" | grep -q "^arg:$T/tmp/ebb-att-[^/]*/report.pdf$" &&
		[ "$(grep -c '^arg:' "$T/mailcap.log")" = 2 ] ||
		{ fail "$name: open" "run-mailcap got: $(cat "$T/mailcap.log" 2>&1 | tr '\n' '|')"; ok=0; }
	cmp -s "$T/opened" "$W/report.pdf" || { fail "$name: open" "opened other bytes"; ok=0; }
	[ $ok = 1 ] && pass "$name: o opens an IMAP attachment with run-mailcap --action=view"
else
	fail "$name: open" "not opened: $(tmux_screen | tail -3 | tr '\n' '|')"
fi
tmux_keys Q
exit 0
