#!/bin/sh
# Integration: the test mail stack (tests/mailstack.sh) starts, takes IMAP
# logins over plain, STARTTLS and implicit TLS, delivers SMTPS mail into the
# INBOX, relays nothing, seeds messages, and stops without leaving daemons.
. "$(dirname "$0")/../lib.sh"

STACK=$TOP/tests/mailstack.sh
if [ "$(id -u)" != 0 ]; then
	skip "mail stack" "needs root (OpenSMTPD runs in a private mount namespace via unshare -m)"
	exit 0
fi
for tool in dovecot smtpd socat openssl python3 unshare; do
	if ! command -v "$tool" >/dev/null 2>&1 && ! PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null 2>&1; then
		skip "mail stack" "$tool is not installed (make deps-test)"
		exit 0
	fi
done

# The stack's own directory (mailstack.sh makes it 0711 for Dovecot's users).
D=$(mktemp -d "${TMPDIR:-/tmp}/ebb-mailstack.XXXXXX")
trap 'sh "$STACK" stop "$D" >/dev/null 2>&1; rm -rf "$D"' EXIT

if ! vars=$(sh "$STACK" start "$D" 2>&1); then
	fail "mail stack starts" "$(printf '%s' "$vars" | tail -3 | tr '\n' ' ')"
	exit 0
fi
eval "$vars"
pass "mail stack starts"

# imap_check NAME MODE: logs in with python's imaplib (MODE plain, starttls
# or imaps), verifying the certificate against CA_FILE and the host name.
imap_check() {
	check "$1" python3 - "$2" "$IMAP_PORT" "$IMAPS_PORT" "$MAIL_USER" "$MAIL_PASS" "$CA_FILE" <<'EOF'
import imaplib, ssl, sys
mode, port, sport, user, password, ca = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
if mode == "imaps":
    m = imaplib.IMAP4_SSL("127.0.0.1", int(sport), ssl_context=ctx)
else:
    m = imaplib.IMAP4("127.0.0.1", int(port))
    if mode == "starttls":
        m.starttls(ssl_context=ctx)
typ, _ = m.login(user, password)
assert typ == "OK", typ
typ, data = m.select("INBOX")
assert typ == "OK", (typ, data)
typ, data = m.capability()  # imaplib keeps the list from before login
caps = data[0].split()
assert b"QRESYNC" in caps and b"CONDSTORE" in caps, caps
m.logout()
EOF
}
imap_check "imap login over plain text" plain
imap_check "imap login over STARTTLS" starttls
imap_check "imap login over implicit TLS" imaps

check "imaps refuses a client that does not trust the CA" python3 - "$IMAPS_PORT" <<'EOF'
import imaplib, ssl, sys
try:
    imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ssl.create_default_context())
except ssl.SSLCertVerificationError:
    sys.exit(0)
sys.exit("connected without trusting the test CA")
EOF

check "smtps delivers into INBOX and relays nothing" python3 - "$SMTPS_PORT" "$IMAPS_PORT" "$MAIL_USER" "$MAIL_PASS" "$MAIL_ADDR" "$CA_FILE" <<'EOF'
import email.message, imaplib, smtplib, ssl, sys, time
sport, iport, user, password, addr, ca = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
msg = email.message.EmailMessage()
msg["From"] = "alice@example.org"
msg["To"] = addr
msg["Subject"] = "over smtps"
msg["Message-ID"] = "<smtps-check@example.org>"
msg.set_content("A001 OK looks like IMAP\r\n* 3 EXPUNGE\r\n")
s = smtplib.SMTP_SSL("127.0.0.1", int(sport), context=ctx, timeout=10)
s.send_message(msg)
for rcpt in ("victim@example.com", "nobody-here@ebb.test"):
    try:
        s.sendmail("alice@example.org", [rcpt], msg.as_bytes())
        sys.exit("accepted mail for " + rcpt)
    except smtplib.SMTPRecipientsRefused:
        pass
s.quit()
deadline = time.time() + 10
while True:
    m = imaplib.IMAP4_SSL("127.0.0.1", int(iport), ssl_context=ctx)
    m.login(user, password)
    m.select("INBOX", readonly=True)
    typ, data = m.search(None, "HEADER", "Message-ID", "<smtps-check@example.org>")
    m.logout()
    if data[0]:
        break
    if time.time() > deadline:
        sys.exit("the message did not arrive in INBOX within 10 s")
    time.sleep(0.1)
EOF

seed_check() {
	printf 'From: a@example.org\nSubject: seeded 1\n\nbody\n' >"$D/m1.eml"
	printf 'From: a@example.org\nSubject: seeded 2\n\nbody\n' >"$D/m2.eml"
	sh "$STACK" seed "$D" -m "Entwürfe" -f '\Seen' "$D/m1.eml" "$D/m2.eml" || return 1
	python3 - "$IMAP_PORT" "$MAIL_USER" "$MAIL_PASS" <<'EOF'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
typ, data = m.status("Entw&APw-rfe", "(MESSAGES UNSEEN)")
assert typ == "OK" and b"MESSAGES 2 UNSEEN 0" in data[0], data
EOF
}
check "seed appends messages to a new mailbox" seed_check

groups=$(cat "$D/dovecot.pid" "$D/smtpd.pid" "$D/socat.pid" 2>/dev/null | tr '\n' ' ')
if out=$(sh "$STACK" stop "$D" 2>&1); then
	left=$(ps -e -o pgid=,stat=,args= | awk -v groups=" $groups" '
		index(groups, " " $1 " ") && $2 !~ /^Z/ { print }')
	if [ -n "$left" ]; then
		fail "mail stack stops every daemon" "still running: $left"
	elif [ -z "$groups" ]; then
		fail "mail stack stops every daemon" "no pid files were written"
	else
		pass "mail stack stops every daemon"
	fi
else
	fail "mail stack stops every daemon" "$out"
fi
