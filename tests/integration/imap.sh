#!/bin/sh
# Integration: IMAP sync and SMTP send against the real Dovecot + OpenSMTPD of
# tests/mailstack.sh. First sync (threads, charsets, malformed headers, forged
# IMAP lines in a body, 20 MB), resync without fetching, new mail (also while
# IDLE), flags both ways, expunge, UIDVALIDITY change, archive, send with the
# Sent copy, and each failure: wrong password, untrusted certificate, refused
# connection, dropped connection mid-FETCH, timeout, SMTP lost after DATA.
. "$(dirname "$0")/../lib.sh"

STACK=$TOP/tests/mailstack.sh
FAULTS=$TOP/tests/servers/mail_faults.py
need_mailstack "imap sync"

new_home
D=$(mktemp -d "${TMPDIR:-/tmp}/ebb-imap.XXXXXX")
W=$T/work
mkdir -p "$W/msgs"
PIDS=
D2=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sh "$STACK" stop "$D" >/dev/null 2>&1
	rm -rf "$D"
	if [ -n "$D2" ]; then
		sh "$STACK" stop "$D2" >/dev/null 2>&1
		rm -rf "$D2"
	fi
	cleanup_home
}
trap cleanup EXIT

if ! vars=$(sh "$STACK" start "$D" 2>&1); then
	fail "imap: mail stack starts" "$(printf '%s' "$vars" | tail -3 | tr '\n' ' ')"
	exit 0
fi
eval "$vars"
export IMAP_PORT IMAPS_PORT SMTPS_PORT CA_FILE MAIL_USER MAIL_PASS W

CFG=$XDG_CONFIG_HOME/ebb/config
write_config() {  # extra lines for [account.work] on stdin
	cat > "$CFG" <<EOF
[account.work]
kind = imap
host = 127.0.0.1
port = $IMAPS_PORT
tls = implicit
ca_file = $CA_FILE
user = $MAIL_USER
password_cmd = echo $MAIL_PASS
from = Sam <sam@ebb.test>
me = sam@ebb.test
smtp_url = ${SMTP_URL:-smtps://127.0.0.1:$SMTPS_PORT}
$(cat)
EOF
}
printf '' | write_config

# py: runs the python script on stdin with imap() at hand (a logged-in IMAP4).
py() {
	python3 - <<EOF
import imaplib, os, ssl, sys, time
def imap():
    m = imaplib.IMAP4("127.0.0.1", int(os.environ["IMAP_PORT"]))
    m.login(os.environ["MAIL_USER"], os.environ["MAIL_PASS"])
    return m
$(cat)
EOF
}

list_json() { $EBB list --view "${1:-all}" --json; }
# conv_field SUBJECT FIELD [VIEW]: a field of the conversation with that subject.
conv_field() {
	list_json "${3:-all}" | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["subject"] == sys.argv[1]]
print(rows[0][sys.argv[2]] if rows else "none")' "$1" "$2"
}

# ---- the seeded mailbox ------------------------------------------------------
python3 - "$W/msgs" <<'EOF'
import base64, os, sys
d = sys.argv[1]
def write(name, headers, body, raw=None):
    with open(os.path.join(d, name), "wb") as f:
        f.write(raw if raw is not None else (headers + "\n" + body).encode())
base = "To: Sam <sam@ebb.test>\nDate: Tue, 24 Nov 2026 08:%02d:00 +0100\n"
write("01.eml", base % 1 + "From: Ann <ann@example.org>\nSubject: Budget review\n"
      "Message-ID: <t1@example.org>\n", "Can you look at the budget?\n")
write("02.eml", base % 2 + "From: Bo <bo@example.org>\nSubject: Re: Budget review\n"
      "Message-ID: <t2@example.org>\nIn-Reply-To: <t1@example.org>\n"
      "References: <t1@example.org>\nList-Id: Budget team <Budget.Example.org>\n", "Me too.\n")
write("03.eml", base % 3 + "From: Ann <ann@example.org>\nSubject: Re: Budget review\n"
      "Message-ID: <t3@example.org>\nIn-Reply-To: <t2@example.org>\n"
      "References: <t1@example.org> <t2@example.org>\n", "Friday then.\n")
write("04.eml", base % 4 + "From: =?iso-8859-1?q?Ren=E9?= <rene@example.org>\n"
      "Subject: =?iso-8859-1?q?Caf=E9_cr=E8me?=\nMessage-ID: <c1@example.org>\n", "latin1\n")
write("05.eml", base % 5 + "From: =?utf-8?b?5bGx55Sw?= <yamada@example.jp>\n"
      "Subject: =?iso-2022-jp?b?GyRCJUYlOSVIGyhC?=\nMessage-ID: <c2@example.org>\n", "jp\n")
write("06.eml", base % 6 + "From: Broken <broken@example.org>\n"
      "Subject: =?utf-8?q?unterminated and =?x-unknown?q?abc?= end\n"
      "Message-ID: <c3@example.org>\n", "malformed\n")
write("07.eml", None, None, raw=(base % 7 + "From: Raw <raw@example.org>\n"
      "Subject: ").encode() + b"8bit caf\xe9 \xff\xfe subject\nMessage-ID: <c4@example.org>\n\nraw\n")
write("08.eml", base % 8 + "From: Mallory <mallory@example.org>\nSubject: forged lines\n"
      "Message-ID: <f1@example.org>\n",
      "first line\ne6 OK done\nA001 OK done\n{99}\n* 3 EXPUNGE\n* BYE fake\n+ go on\nlast line marker\n")
big = base64.encodebytes(os.urandom(15 * 1024 * 1024)).decode()
write("09.eml", base % 9 + "From: Big <big@example.org>\nSubject: big attachment\n"
      "Message-ID: <big@example.org>\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=XX\n",
      "--XX\nContent-Type: text/plain\n\nsee the attachment\n--XX\n"
      "Content-Type: application/octet-stream; name=big.bin\n"
      "Content-Transfer-Encoding: base64\n\n" + big + "--XX--\n")
EOF
sh "$STACK" seed "$D" "$W"/msgs/*.eml >/dev/null || fail "imap: seed" "cannot seed"

# ---- first sync ----------------------------------------------------------------
start=$(date +%s)
out=$(EBB_IMAP_LOG=$W/log1 $EBB sync 2>&1)
case "$out" in
	"work: 9 new, 0 changed, 0 removed") pass "imap: first sync of 9 messages" ;;
	*) fail "imap: first sync of 9 messages" "$out" ;;
esac
n=$(list_json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
msgs=$(conv_field "Budget review" messages)
[ "$n" = 7 ] && [ "$msgs" = 3 ] && pass "imap: a thread of three is one conversation (7 in all)" ||
	fail "imap: threads" "conversations=$n thread=$msgs"
check "imap: headers in several charsets and malformed encodings" python3 -c '
import json, subprocess, sys
rows = json.loads(subprocess.check_output([sys.argv[1], "list", "--view", "all", "--json"]))
subj = {r["subject"] for r in rows}
for want in ("Café crème", "テスト"):
    assert want in subj, (want, subj)
assert any("unterminated" in s for s in subj), subj
assert any(s.startswith("8bit caf") and "subject" in s for s in subj), subj
for s in subj:
    s.encode("utf-8")
' "$EBB"
grep -q 'SELECT "INBOX" (CONDSTORE)' "$W/log1" && grep -q 'UID FETCH 1:9 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK\[HEADER.FIELDS' "$W/log1" &&
	pass "imap: first sync fetches header fields only, own tags" ||
	fail "imap: first sync commands" "$(head -8 "$W/log1" | tr '\n' '|')"
grep -q '^C: A0' "$W/log1" && fail "imap: own tag prefix" "ebb used libcurl's A001 tags"
lid=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select group_concat(coalesce(list_id, \"-\")) from (select list_id from message where msgid in (\"t1@example.org\", \"t2@example.org\") order by msgid)").fetchone()[0])' "$XDG_DATA_HOME/ebb/ebb.db")
grep -q 'HEADER.FIELDS ([^)]*LIST-ID' "$W/log1" && [ "$lid" = "-,budget.example.org" ] &&
	pass "imap: header sync fetches List-Id and stores its id" ||
	fail "imap: List-Id from the header sync" "stored: $lid"

# ---- resync with nothing new -----------------------------------------------------
out=$(EBB_IMAP_LOG=$W/log2 $EBB sync 2>&1)
if [ "$out" = "work: 0 new, 0 changed, 0 removed" ] && ! grep -q 'FETCH' "$W/log2" &&
	grep -q 'SELECT "INBOX" (QRESYNC (' "$W/log2"; then
	pass "imap: resync of a mailbox in sync issues no FETCH (QRESYNC)"
else
	fail "imap: resync issues no FETCH" "$out / $(tr '\n' '|' < "$W/log2")"
fi

printf '[account.work]\nkind = imap\nhost = 127.0.0.1\nport = %s\ntls = starttls\nca_file = %s\nuser = %s\npassword_cmd = echo %s\nme = sam@ebb.test\n' \
	"$IMAP_PORT" "$CA_FILE" "$MAIL_USER" "$MAIL_PASS" > "$W/starttls.cfg"
out=$($EBB --config "$W/starttls.cfg" sync 2>&1)
[ "$out" = "work: 0 new, 0 changed, 0 removed" ] && pass "imap: the same account over STARTTLS" ||
	fail "imap: STARTTLS" "$out"

# ---- bodies: forged IMAP lines and 20 MB --------------------------------------------
id=$(conv_field "forged lines" id)
check "imap: a body with forged tagged lines and literals comes whole" sh -c '
	"$1" show "$2" --json | python3 -c "
import json, sys
body = json.load(sys.stdin)[0][\"body\"]
for line in (\"e6 OK done\", \"A001 OK done\", \"{99}\", \"* 3 EXPUNGE\", \"* BYE fake\", \"last line marker\"):
    assert line in body, (line, body)
"' sh "$EBB" "$id"
id=$(conv_field "big attachment" id)
t0=$(date +%s)
check "imap: a 20 MB message is fetched on open" sh -c '
	"$1" show "$2" --json | python3 -c "
import json, sys
m = json.load(sys.stdin)[0]
assert m[\"size\"] > 20000000, m[\"size\"]
assert \"see the attachment\" in m[\"body\"], m[\"body\"][:200]
"' sh "$EBB" "$id"
[ $(( $(date +%s) - t0 )) -le 10 ] || fail "imap: 20 MB fetch time" "$(( $(date +%s) - t0 )) s"

# ---- new mail over SMTPS -------------------------------------------------------------
smtp_send() {  # SUBJECT [MSGID]
	python3 - "$1" "${2:-}" <<'EOF'
import email.message, os, smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=os.environ["CA_FILE"])
m = email.message.EmailMessage()
m["From"] = "Cy <cy@example.org>"
m["To"] = "sam@ebb.test"
m["Subject"] = sys.argv[1]
if sys.argv[2]:
    m["Message-ID"] = sys.argv[2]
m.set_content("new mail\n")
with smtplib.SMTP_SSL("127.0.0.1", int(os.environ["SMTPS_PORT"]), context=ctx, timeout=10) as s:
    s.send_message(m)
EOF
}
wait_conv() {  # SUBJECT SECONDS: until the conversation is in the store
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		[ "$(conv_field "$1" id)" != none ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
smtp_send "arrived by smtps"
ok=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	$EBB sync >/dev/null 2>&1
	[ "$(conv_field "arrived by smtps" id)" != none ] && { ok=1; break; }
	sleep 0.3
done
[ $ok = 1 ] && pass "imap: mail delivered over SMTPS shows up on the next sync" ||
	fail "imap: new mail over SMTPS" "not synced"

# ---- flags both ways, expunge ----------------------------------------------------------
id=$(conv_field "Budget review" id)
$EBB read "$id" && out=$($EBB sync 2>&1)
check "imap: read in ebb sets \\Seen on the server" py <<'EOF'
m = imap(); m.select("INBOX", readonly=True)
typ, data = m.search(None, "UNSEEN", "SUBJECT", '"Budget review"')
assert typ == "OK" and data[0] == b"", data
typ, data = m.search(None, "SEEN", "SUBJECT", '"Budget review"')
assert len(data[0].split()) == 3, data
EOF
py <<'EOF'
m = imap(); m.select("INBOX")
typ, data = m.search(None, "SUBJECT", "Caf")
m.store(data[0].split()[0], "+FLAGS", "(\\Flagged)")
typ, data = m.search(None, "HEADER", "Message-ID", "<c3@example.org>")
m.store(data[0].split()[0], "+FLAGS", "(\\Deleted)")
m.expunge()
EOF
out=$(EBB_IMAP_LOG=$W/log3 $EBB sync 2>&1)
id=$(conv_field "Café crème" id)
flags=$($EBB show "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["flags"])')
[ "$out" = "work: 0 new, 1 changed, 1 removed" ] && [ $((flags & 2)) = 2 ] &&
	pass "imap: \\Flagged set on the server reaches ebb" ||
	fail "imap: flag from the server" "$out flags=$flags"
[ "$(list_json | python3 -c 'import json,sys; print(sum("unterminated" in r["subject"] for r in json.load(sys.stdin)))')" = 0 ] &&
	pass "imap: a message expunged on the server is gone from ebb" ||
	fail "imap: expunge" "still listed"
grep -q 'FETCH' "$W/log3" && fail "imap: QRESYNC brings changes without FETCH" "$(tr '\n' '|' < "$W/log3")"

# ---- UIDVALIDITY change -------------------------------------------------------------------
py <<'EOF'
m = imap()
m.create("Team"); m.subscribe("Team")
for i, (mid, irt) in enumerate([("<team1@example.org>", None), ("<team2@example.org>", "<team1@example.org>")]):
    msg = ("From: Di <di@example.org>\r\nTo: sam@ebb.test\r\nSubject: %sTeam offsite\r\n"
           "Message-ID: %s\r\n%sDate: Tue, 24 Nov 2026 07:0%d:00 +0100\r\n\r\nplans\r\n"
           % ("Re: " if irt else "", mid, "In-Reply-To: %s\r\n" % irt if irt else "", i))
    m.append("Team", None, None, msg.encode())
EOF
$EBB sync >/dev/null 2>&1
id=$(conv_field "Team offsite" id)
$EBB "done" "$id"
before=$(list_json "done" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
v1=$(py <<'EOF'
m = imap(); print(m.status("Team", "(UIDVALIDITY)")[1][0].decode().split()[-1].rstrip(")"))
m.delete("Team"); m.create("Team"); m.subscribe("Team")
for i, (mid, irt) in enumerate([("<team1@example.org>", None), ("<team2@example.org>", "<team1@example.org>")]):
    msg = ("From: Di <di@example.org>\r\nTo: sam@ebb.test\r\nSubject: %sTeam offsite\r\n"
           "Message-ID: %s\r\n%sDate: Tue, 24 Nov 2026 07:0%d:00 +0100\r\n\r\nplans\r\n"
           % ("Re: " if irt else "", mid, "In-Reply-To: %s\r\n" % irt if irt else "", i))
    m.append("Team", None, None, msg.encode())
EOF
)
out=$($EBB sync 2>&1)
after=$(list_json "done" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
state=$(conv_field "Team offsite" state "done")
msgs=$(conv_field "Team offsite" messages "done")
total=$(list_json all | python3 -c 'import json,sys; print(sum(r["subject"]=="Team offsite" for r in json.load(sys.stdin)))')
if [ "$state" = "done" ] && [ "$msgs" = 2 ] && [ "$before" = "$after" ] && [ "$total" = 0 ]; then
	pass "imap: UIDVALIDITY change refetches without duplicates, triage kept"
else
	fail "imap: UIDVALIDITY change" "state=$state messages=$msgs done $before->$after in inbox=$total ($out, old uidvalidity $v1)"
fi

# ---- send, reply threading, Sent copy ---------------------------------------------------
out=$(printf 'Friday is fine.\n' | $EBB send --now --to sam@ebb.test --subject "Re: Budget review" --in-reply-to t3@example.org 2>&1)
msgid=$(printf '%s' "$out" | sed -n 's/^queued #[0-9]* <\(.*\)>.*/\1/p')
out=$($EBB outbox flush 2>&1)
case "$out" in *"1 sent, 0 failed, 0 uncertain"*) pass "imap: send through smtp_url (smtps)" ;;
	*) fail "imap: send through smtp_url" "$out" ;; esac
MSGID=$msgid check "imap: the reply arrives threaded, and a \\Seen copy is in Sent" py <<'EOF'
msgid = os.environ["MSGID"]
m = imap()
deadline = time.time() + 10
while True:
    m.select("INBOX", readonly=True)
    typ, data = m.search(None, "HEADER", "Message-ID", msgid)
    if data[0]:
        break
    assert time.time() < deadline, "not delivered"
    time.sleep(0.2)
typ, d = m.fetch(data[0].split()[0], "(BODY.PEEK[HEADER.FIELDS (IN-REPLY-TO REFERENCES)])")
hdr = d[0][1].decode()
assert "In-Reply-To: <t3@example.org>" in hdr and "References: <t3@example.org>" in hdr, hdr
m.select("Sent", readonly=True)
typ, data = m.search(None, "SEEN", "HEADER", "Message-ID", msgid)
assert data[0], "no Sent copy"
EOF
$EBB sync >/dev/null 2>&1
msgs=$(conv_field "Budget review" messages)
[ "$msgs" -ge 4 ] 2>/dev/null && pass "imap: the sent reply joins its thread" || fail "imap: reply joins thread" "messages=$msgs"

out=$(printf 'x\n' | $EBB send --now --to victim@example.com --subject refused >/dev/null 2>&1; $EBB outbox flush 2>&1)
case "$out" in *"failed"*"refused the message"*) pass "imap: a recipient the server refuses: failed, with its answer" ;;
	*) fail "imap: refused recipient" "$out" ;; esac

# ---- archive: done conversations move to archive = NAME ---------------------------------------
id=$(conv_field "arrived by smtps" id)
$EBB "done" "$id"
printf 'archive = Archive\n' | write_config
out=$($EBB sync 2>&1)
check "imap: done conversations are moved to the archive mailbox" py <<'EOF'
m = imap()
m.select("INBOX", readonly=True)
assert m.search(None, "SUBJECT", '"arrived by smtps"')[1][0] == b"", "still in INBOX"
m.select("Archive", readonly=True)
assert m.search(None, "SUBJECT", '"arrived by smtps"')[1][0] != b"", "not in Archive"
EOF
printf '' | write_config

# ---- IDLE: sync --watch, and the per-account lock ------------------------------------------
$EBB sync --watch > "$W/watch.out" 2>&1 &
WATCH=$!
PIDS="$PIDS $WATCH"
i=0
while ! grep -q watching "$W/watch.out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
out=$($EBB sync 2>&1)
case "$out" in *"account work is being synced by another ebb (pid $WATCH)"*) pass "imap: a second sync of the account steps aside (lock)" ;;
	*) fail "imap: sync lock" "$out" ;; esac
smtp_send "while idle"
t0=$(date +%s)
wait_conv "while idle" 8 && pass "imap: new mail shows up during --watch (IDLE) in $(( $(date +%s) - t0 )) s" ||
	fail "imap: IDLE" "$(cat "$W/watch.out")"
kill -TERM "$WATCH"
i=0
while kill -0 "$WATCH" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$WATCH" 2>/dev/null && fail "imap: --watch stops on SIGTERM" "still running" ||
	pass "imap: --watch stops on SIGTERM"

# ---- a server without CONDSTORE/QRESYNC: the sweep --------------------------------------------
D2=$(mktemp -d "${TMPDIR:-/tmp}/ebb-imap-plain.XXXXXX")
if vars2=$(MAILSTACK_NO_QRESYNC=1 sh "$STACK" start "$D2" 2>&1); then
	P2=$(printf '%s\n' "$vars2" | sed -n 's/^IMAPS_PORT=//p')
	for i in 1 2 3; do printf 'From: a@example.org\nSubject: sweep %s\nMessage-ID: <sw%s@example.org>\n\nx\n' $i $i > "$W/sw$i.eml"; done
	sh "$STACK" seed "$D2" "$W"/sw1.eml "$W"/sw2.eml "$W"/sw3.eml >/dev/null
	SCFG=$W/sweep.cfg
	printf '[account.plain]\nkind = imap\nhost = 127.0.0.1\nport = %s\ntls = implicit\nca_file = %s\nuser = %s\npassword_cmd = echo %s\n' \
		"$P2" "$D2/ca.pem" "$MAIL_USER" "$MAIL_PASS" > "$SCFG"
	out1=$($EBB --config "$SCFG" sync 2>&1)
	out2=$(EBB_IMAP_LOG=$W/log4 $EBB --config "$SCFG" sync 2>&1)
	if [ "$out1" = "plain: 3 new, 0 changed, 0 removed" ] && [ "$out2" = "plain: 0 new, 0 changed, 0 removed" ] &&
		grep -q 'UID FETCH 1:3 (UID FLAGS)$' "$W/log4" && ! grep -q 'BODY\|HEADER\|RFC822' "$W/log4"; then
		pass "imap: without QRESYNC a resync sweeps flags, fetches no message data"
	else
		fail "imap: sweep resync" "$out1 / $out2 / $(tr '\n' '|' < "$W/log4")"
	fi
	IMAP_PORT=$(printf '%s\n' "$vars2" | sed -n 's/^IMAP_PORT=//p') py <<'EOF2'
m = imap(); m.select("INBOX")
m.uid("STORE", "1", "+FLAGS", "(\\Flagged)")
m.uid("STORE", "2", "+FLAGS", "(\\Deleted)"); m.expunge()
EOF2
	out=$($EBB --config "$SCFG" sync 2>&1)
	[ "$out" = "plain: 0 new, 1 changed, 1 removed" ] && pass "imap: the sweep finds flag changes and expunges" ||
		fail "imap: sweep changes" "$out"
else
	fail "imap: a stack without QRESYNC starts" "$(printf '%s' "$vars2" | tail -2 | tr '\n' ' ')"
fi
sh "$STACK" stop "$D2" >/dev/null 2>&1
rm -rf "$D2"
D2=

# ---- failures ----------------------------------------------------------------------------------
fail_case() {  # NAME EXPECTED-TEXT CONFIG-LINES (the account's key = value lines); $TMO: EBB_NET_TIMEOUT
	name=$1 want=$2
	cfg=$W/fail.cfg
	printf '[account.work]\nkind = imap\nhost = 127.0.0.1\nuser = %s\nme = sam@ebb.test\n%s\n' \
		"$MAIL_USER" "$3" > "$cfg"
	t0=$(date +%s)
	out=$(EBB_NET_TIMEOUT=${TMO:-10} $EBB --config "$cfg" sync 2>&1); rc=$?
	took=$(( $(date +%s) - t0 ))
	case "$out" in
		*"$want"*) [ $rc = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
			pass "imap: $name: one clear message (${took} s)" ||
			fail "imap: $name" "rc=$rc: $out" ;;
		*) fail "imap: $name" "$out" ;;
	esac
}
fail_case "wrong password" "account work: the server rejected the login (AUTHENTICATIONFAILED); check user and password_cmd" \
	"$(printf 'port = %s\ntls = implicit\nca_file = %s\npassword_cmd = echo wrong' "$IMAPS_PORT" "$CA_FILE")"
fail_case "untrusted certificate" "account work: the certificate of 127.0.0.1 is not trusted (set ca_file?)" \
	"$(printf 'port = %s\ntls = implicit\npassword_cmd = echo %s' "$IMAPS_PORT" "$MAIL_PASS")"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fail_case "refused connection" "account work: connection refused by 127.0.0.1:$closed" \
	"$(printf 'port = %s\ntls = implicit\nca_file = %s\npassword_cmd = echo x' "$closed" "$CA_FILE")"
fail_case "STARTTLS required" "account work: the certificate of 127.0.0.1 is not trusted" \
	"$(printf 'port = %s\ntls = starttls\npassword_cmd = echo %s' "$IMAP_PORT" "$MAIL_PASS")"

# A proxy in front of Dovecot drops or hangs connections on request.
echo pass > "$W/mode"
python3 "$FAULTS" proxy "$IMAP_PORT" "$W/mode" > "$W/proxy.port" &
PIDS="$PIDS $!"
i=0
while [ ! -s "$W/proxy.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PROXY=$(head -1 "$W/proxy.port")
echo silent > "$W/mode"
TMO=1 fail_case "timeout" "timed out after 1 s" \
	"$(printf 'port = %s\ntls = off\npassword_cmd = echo %s' "$PROXY" "$MAIL_PASS")"

# Mid-FETCH: a mailbox of 3000, the connection cut after 300 kB.
python3 - "$W/bulk" <<'EOF'
import os, sys
os.makedirs(sys.argv[1])
for i in range(3000):
    with open(os.path.join(sys.argv[1], "b%05d.eml" % i), "w") as f:
        f.write("From: Bob <bob%d@example.org>\nTo: sam@ebb.test\nSubject: bulk %d\n"
                "Message-ID: <bulk%d@example.org>\nDate: Mon, 23 Nov 2026 09:%02d:00 +0000\n\nhi\n"
                % (i % 50, i, i, i % 60))
EOF
sh "$STACK" seed "$D" -m Bulk "$W"/bulk/*.eml >/dev/null
PCFG=$W/proxy.cfg
printf '[account.work]\nkind = imap\nhost = 127.0.0.1\nport = %s\ntls = off\nuser = %s\npassword_cmd = echo %s\nme = sam@ebb.test\nmailboxes = Bulk\n' \
	"$PROXY" "$MAIL_USER" "$MAIL_PASS" > "$PCFG"
bulk_count() {
	$EBB --config "$PCFG" list --view all --json | python3 -c 'import json,sys; print(sum(r["subject"].startswith("bulk ") for r in json.load(sys.stdin)))'
}
echo "drop 300000" > "$W/mode"
out=$($EBB --config "$PCFG" sync 2>&1); rc=$?
case "$out" in
	*"account work: 127.0.0.1 closed the connection, trying to fetch new messages (gave up after 3 attempts)"*)
		[ $rc = 1 ] && pass "imap: server closing mid-FETCH: one clear message after 3 tries" ||
			fail "imap: mid-FETCH" "rc=$rc" ;;
	*) fail "imap: server closing mid-FETCH" "$out" ;;
esac
partial=$(bulk_count)
echo "drop-once 300000" > "$W/mode"
out=$($EBB --config "$PCFG" sync 2>&1)
full=$(bulk_count)
case "$out" in
	"work: "*" new, 0 changed, 0 removed")
		[ "$full" = 3000 ] && pass "imap: the next sync finishes the job, reconnecting once ($partial of 3000 were in)" ||
			fail "imap: resume after mid-FETCH" "$full of 3000" ;;
	*) fail "imap: resume after mid-FETCH" "$out" ;;
esac
echo waiting > "$W/mode"
out=$($EBB --config "$PCFG" sync 2>&1)
[ "$out" = "work: 0 new, 0 changed, 0 removed" ] &&
	pass "imap: a greeting after \"* OK Waiting for authentication process\" is fine" ||
	fail "imap: waiting for authentication" "$out"
echo pass > "$W/mode"

# SMTP: the connection is lost after the whole message went out.
FAKE_SMTP_LOG=$W/smtp.log python3 "$FAULTS" smtp "$D/server.pem" "$D/server.key" > "$W/smtp.port" &
PIDS="$PIDS $!"
i=0
while [ ! -s "$W/smtp.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
SMTP_URL=smtps://127.0.0.1:$(head -1 "$W/smtp.port")
printf '' | SMTP_URL=$SMTP_URL write_config
printf 'maybe\n' | $EBB send --now --to sam@ebb.test --subject "lost after data" >/dev/null 2>&1
out=$(EBB_NET_TIMEOUT=2 $EBB outbox flush 2>&1)
out2=$($EBB outbox flush 2>&1)
st=$($EBB outbox --json | python3 -c 'import json,sys; print([r["state"] for r in json.load(sys.stdin) if r["subject"] == "lost after data"][0])')
conns=$(wc -l < "$W/smtp.log" | tr -d ' ')
if [ "$st" = uncertain ] && [ "$conns" = 1 ]; then
	case "$out" in *"uncertain"*"may or may not have been accepted"*) pass "imap: SMTP lost after DATA: uncertain, not resent" ;;
		*) fail "imap: SMTP uncertain message" "$out" ;; esac
else
	fail "imap: SMTP lost after DATA" "state=$st connections=$conns: $out / $out2"
fi

elapsed=$(( $(date +%s) - start ))
[ $elapsed -le 90 ] || fail "imap: the suite's time" "$elapsed s"
exit 0
