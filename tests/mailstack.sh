#!/bin/sh
# tests/mailstack.sh: a real Dovecot (IMAP) and OpenSMTPD (SMTP) on loopback for
# the mail integration tests, with all state, logs and certificates in one dir.
#
#   mailstack.sh start DIR        starts the stack, prints shell assignments
#                                 (eval them): ports, user, password, CA file
#   mailstack.sh env DIR          prints the same assignments again
#   mailstack.sh seed DIR [-m MAILBOX] [-f FLAGS] FILE...
#                                 appends messages (RFC 5322 files) over IMAP
#   mailstack.sh stop DIR         stops everything start started
#
# MAILSTACK_NO_QRESYNC=1 at start gives a Dovecot without CONDSTORE/QRESYNC
# (for the full-sweep fallback). Several stacks may run at once in different
# DIRs. Needs root: OpenSMTPD runs in a private mount namespace and Dovecot
# drops privileges to its own users.
set -eu

MAIL_USER=sam
MAIL_PASS=test-pass
MAIL_DOMAIN=ebb.test
# The mail user Dovecot runs imap/lmtp as, and OpenSMTPD delivers as. Dovecot
# refuses UID 0 for mail access, so not root: nobody owns only the Maildir.
MAIL_UID=65534
MAIL_GID=65534

die() {
	echo "mailstack: $*" >&2
	exit 1
}

usage() {
	sed -n '4,13s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
case $dir in
	/*) ;;
	*) dir=$(pwd)/$dir ;;
esac

need_tools() {
	for t in dovecot smtpd socat openssl python3 unshare setsid setpriv; do
		command -v "$t" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null 2>&1 ||
			die "$t is missing: run 'make deps-test' (Debian packages dovecot-imapd dovecot-lmtpd opensmtpd socat openssl python3)"
	done
}

# free_ports N: N distinct free TCP ports on 127.0.0.1. The sockets stay
# open until all are picked, so the ports differ from each other.
free_ports() {
	python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# wait_ports SECONDS PORT...: until every port accepts a connection.
wait_ports() {
	python3 - "$@" <<'EOF'
import socket, sys, time
deadline = time.time() + float(sys.argv[1])
for port in sys.argv[2:]:
    while True:
        try:
            socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline:
                sys.exit("port %s did not open" % port)
            time.sleep(0.05)
EOF
}

# A CA and a server certificate for localhost/127.0.0.1 signed by it; the
# client trusts ca.pem (ca_file), never the system store.
make_certs() {
	(
		cd "$dir"
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -days 30 -subj "/CN=ebb test CA" 2>/dev/null
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
		printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
			"keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out server.pem -days 30 -extfile server.ext 2>/dev/null
		rm -f server.csr server.ext ca.srl
		chmod 600 ca.key server.key
	) || die "cannot make certificates with openssl"
}

write_dovecot_conf() {
	caps=
	if [ -n "${MAILSTACK_NO_QRESYNC:-}" ]; then
		# Dovecot 2.3's post-login list without CONDSTORE and QRESYNC.
		caps="imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT \
SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL \
CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT \
SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY \
PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"
	fi
	cat >"$dir/dovecot.conf" <<EOF
# Dovecot for the ebb test mail stack (tests/mailstack.sh); everything in $dir.
instance_name = ebb-mailstack-$imap_port
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
ssl = yes
ssl_cert = <$dir/server.pem
ssl_key = <$dir/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
mail_location = maildir:~/Maildir
# Test data: speed over durability.
mail_fsync = never
$caps
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $dir/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%n $dir/passwd
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
protocol lmtp {
  postmaster_address = postmaster@$MAIL_DOMAIN
}
EOF
}

write_smtpd_conf() {
	cat >"$dir/smtpd.conf" <<EOF
# OpenSMTPD for the ebb test mail stack: accepts mail for the test user only
# (nothing is relayed) and hands it to Dovecot over LMTP. TLS is terminated
# by socat in front, as OpenSMTPD 6.8 cannot use OpenSSL 3.
table recipients { "$MAIL_USER@$MAIL_DOMAIN", "$MAIL_USER@localhost" }
# The test user has no system account: map it to the delivery user.
table vusers { "$MAIL_USER@$MAIL_DOMAIN" = "nobody", "$MAIL_USER@localhost" = "nobody" }
listen on 127.0.0.1 port $smtp_port hostname mail.$MAIL_DOMAIN
action "dovecot" lmtp "127.0.0.1:$lmtp_port" rcpt-to virtual <vusers>
match from any for rcpt-to <recipients> action "dovecot"
EOF
	chmod 644 "$dir/smtpd.conf"
}

print_env() {
	[ -f "$dir/env" ] || die "no stack in $dir (run: $0 start $dir)"
	cat "$dir/env"
}

# daemon NAME CMD...: runs CMD in its own session (so stop can end it and
# every child by process group), with its output in DIR/NAME.log and its
# pid in DIR/NAME.pid. stdin/stdout are never the caller's, so $(...) around
# start does not wait for the daemons.
daemon() {
	name=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner sh
	setsid sh -c 'echo $$ >"$0"; exec "$@"' "$dir/$name.pid" "$@" \
		</dev/null >>"$dir/$name.log" 2>&1 &
	i=0
	while [ ! -s "$dir/$name.pid" ] && [ $i -lt 100 ]; do
		sleep 0.02
		i=$((i + 1))
	done
}

# Every directory above DIR must let other users pass (o+x), or Dovecot's
# logins fail later with a mere "Temporary authentication failure".
check_searchable() {
	d=$1
	while [ "$d" != / ]; do
		if ! setpriv --reuid="$MAIL_UID" --regid="$MAIL_GID" --clear-groups test -x "$d"; then
			die "$d is not searchable by other users (mode $(stat -c %a "$d")), so Dovecot cannot reach the stack: chmod o+x it or use a directory elsewhere"
		fi
		d=$(dirname "$d")
	done
}

start() {
	[ "$(id -u)" = 0 ] ||
		die "must run as root: OpenSMTPD needs a private mount namespace (unshare -m)"
	need_tools
	if [ -f "$dir/env" ]; then
		die "a stack already uses $dir (run: $0 stop $dir)"
	fi
	mkdir -p "$dir"
	# mktemp -d makes 0700; Dovecot's auth (user dovecot) and mail processes
	# (nobody) must pass through to the passwd file and the Maildir.
	chmod 0711 "$dir"
	check_searchable "$(dirname "$dir")"
	mkdir -p "$dir/home/$MAIL_USER" "$dir/run" "$dir/state"
	chown "$MAIL_UID:$MAIL_GID" "$dir/home/$MAIL_USER"
	chmod 0700 "$dir/home/$MAIL_USER"
	# shellcheck disable=SC2046
	set -- $(free_ports 5)
	imap_port=$1 imaps_port=$2 lmtp_port=$3 smtp_port=$4 smtps_port=$5
	make_certs
	printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$MAIL_USER" "$MAIL_PASS" "$MAIL_UID" "$MAIL_GID" \
		"$dir/home/$MAIL_USER" >"$dir/passwd"
	chmod 644 "$dir/passwd"
	write_dovecot_conf
	write_smtpd_conf

	daemon dovecot dovecot -F -c "$dir/dovecot.conf"
	# OpenSMTPD's queue (/var/spool/smtpd) and control socket (/run/smtpd.sock)
	# are fixed paths: a private mount namespace with tmpfs over both keeps
	# this instance apart from any other on the machine. unshare without -f
	# execs, so the pid stays the one daemon() recorded.
	# shellcheck disable=SC2016 # expanded by the inner sh
	daemon smtpd unshare -m sh -c '
		mount -t tmpfs -o mode=0755 ebb-run /run &&
		mount -t tmpfs -o mode=0755 ebb-spool /var/spool &&
		mkdir -m 0711 /var/spool/smtpd &&
		exec smtpd -d -f "$0"' "$dir/smtpd.conf"
	daemon socat socat "OPENSSL-LISTEN:$smtps_port,bind=127.0.0.1,reuseaddr,fork,cert=$dir/server.pem,key=$dir/server.key,verify=0" \
		"TCP:127.0.0.1:$smtp_port"

	if ! wait_ports 10 "$imap_port" "$imaps_port" "$lmtp_port" "$smtp_port" "$smtps_port" 2>"$dir/wait.log"; then
		msg=$(cat "$dir/wait.log")
		stop >/dev/null 2>&1 || true
		die "$msg; see the logs in $dir"
	fi
	rm -f "$dir/wait.log"
	cat >"$dir/env" <<EOF
MAILSTACK_DIR='$dir'
MAIL_HOST=127.0.0.1
IMAP_PORT=$imap_port
IMAPS_PORT=$imaps_port
LMTP_PORT=$lmtp_port
SMTP_PORT=$smtp_port
SMTPS_PORT=$smtps_port
MAIL_USER=$MAIL_USER
MAIL_PASS=$MAIL_PASS
MAIL_ADDR=$MAIL_USER@$MAIL_DOMAIN
CA_FILE='$dir/ca.pem'
MAILSTACK_QRESYNC=$([ -n "${MAILSTACK_NO_QRESYNC:-}" ] && echo 0 || echo 1)
EOF
	cat "$dir/env"
}

# group_alive PGID: a process of the group still runs (zombies left for
# init to reap do not count).
group_alive() {
	ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# Ends the process group of DIR/NAME.pid: TERM, then KILL after 5 s.
# (dash's kill takes no "--": a negative number names the group.)
stop_one() {
	pidfile=$dir/$1.pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	case $pid in
		*[!0-9]* | '' | 0 | 1) die "$pidfile does not hold a process id" ;;
	esac
	kill -TERM "-$pid" 2>/dev/null || true
	i=0
	while group_alive "$pid"; do
		if [ $i -eq 100 ]; then
			echo "mailstack: $1 did not stop on TERM, killing it" >&2
			kill -KILL "-$pid" 2>/dev/null || true
		fi
		[ $i -gt 150 ] && die "cannot stop $1 (process group $pid)"
		sleep 0.05
		i=$((i + 1))
	done
	rm -f "$pidfile"
}

stop() {
	stop_one socat
	stop_one smtpd
	stop_one dovecot
	rm -f "$dir/env"
}

# Appends each FILE to MAILBOX (created when missing), 256 messages per
# MULTIAPPEND command with non-synchronising literals: 10 000 take seconds.
seed() {
	mailbox=INBOX flags=
	while [ $# -gt 0 ]; do
		case $1 in
			-m | -f)
				[ $# -ge 2 ] || usage
				[ "$1" = -m ] && mailbox=$2 || flags=$2
				shift 2 ;;
			--) shift; break ;;
			-*) usage ;;
			*) break ;;
		esac
	done
	[ $# -gt 0 ] || usage
	eval "$(print_env)"
	# shellcheck disable=SC2153 # IMAP_PORT and the others come from the eval
	python3 - "$IMAP_PORT" "$MAIL_USER" "$MAIL_PASS" "$mailbox" "$flags" "$@" <<'EOF'
import base64, socket, sys

port, user, password, mailbox, flags = sys.argv[1:6]
files = sys.argv[6:]

def mutf7(name):
    out, run = [], ""
    def flush():
        if run:
            b = base64.b64encode(run.encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + b.replace("/", ",") + "-")
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            run = ""
            out.append("&-" if ch == "&" else ch)
        else:
            run += ch
    flush()
    return "".join(out)

def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

sock = socket.create_connection(("127.0.0.1", int(port)))
rd = sock.makefile("rb")
tagno = 0

def wait(tag):
    while True:
        line = rd.readline()
        if not line:
            sys.exit("seed: the IMAP server closed the connection")
        if line.startswith(tag.encode() + b" "):
            if not line.split()[1] == b"OK":
                return line.decode(errors="replace").strip()
            return None

def command(text, ok_no=False):
    global tagno
    tagno += 1
    tag = "s%d" % tagno
    sock.sendall(("%s %s\r\n" % (tag, text)).encode())
    bad = wait(tag)
    if bad and not ok_no:
        sys.exit("seed: %s: %s" % (text.split()[0], bad))

rd.readline()
command("LOGIN %s %s" % (quote(user), quote(password)))
box = quote(mutf7(mailbox))
if mailbox.upper() != "INBOX":
    command("CREATE " + box, ok_no=True)
flag_part = " (%s)" % flags if flags else ""
# MULTIAPPEND (Dovecot has it): one command, one transaction per batch.
for start in range(0, len(files), 256):
    batch = files[start:start + 256]
    tagno += 1
    tag = "s%d" % tagno
    parts = [("%s APPEND %s" % (tag, box)).encode()]
    for path in batch:
        with open(path, "rb") as f:
            data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        parts.append(("%s {%d+}\r\n" % (flag_part, len(data))).encode() + data)
    sock.sendall(b"".join(parts) + b"\r\n")
    bad = wait(tag)
    if bad:
        sys.exit("seed: cannot append %s..%s: %s" % (batch[0], batch[-1], bad))
command("LOGOUT")
EOF
}

case $cmd in
	start) start ;;
	stop) stop ;;
	env) print_env ;;
	seed) seed "$@" ;;
	*) usage ;;
esac
