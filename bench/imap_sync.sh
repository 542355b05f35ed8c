#!/bin/sh
# bench/imap_sync.sh [N]: first IMAP header sync of N (10000) seeded messages
# by `ebb sync` against the transport floor (bench/imap_floor: one raw-socket
# UID FETCH 1:* of the same header fields), on the same Dovecot in one run,
# both as whole processes over plain loopback; then ebb over TLS and a
# resync with nothing new. Needs root (tests/mailstack.sh) and the binaries:
#   make B=build build/bench/imap_floor ebb
# EBB and FLOOR override the binaries' paths.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-10000}
EBB=${EBB:-$TOP/ebb}
FLOOR=${FLOOR:-$TOP/build/bench/imap_floor}
STACK=$TOP/tests/mailstack.sh
[ "$(id -u)" = 0 ] || { echo "imap_sync: needs root (the mail stack)" >&2; exit 1; }
[ -x "$EBB" ] && [ -x "$FLOOR" ] || { echo "imap_sync: build $EBB and $FLOOR first" >&2; exit 1; }

D=$(mktemp -d /tmp/ebb-bench-imap.XXXXXX)
H=$(mktemp -d /tmp/ebb-bench-home.XXXXXX)
trap 'sh "$STACK" stop "$D" >/dev/null 2>&1; rm -rf "$D" "$H"' EXIT
eval "$(sh "$STACK" start "$D")"

# Realistic mail: threads, names, lists, several charsets, a few kB of body
# and the transport headers real mail carries (not fetched by a header sync).
python3 - "$H/msgs" "$N" <<'EOF'
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
rnd = random.Random(42)
names = ["Ann Lee", "Bo Berg", "Cy Diaz", "Dana Wu", "Émile Roux", "Jürgen Groß", "山田 太郎"]
words = "budget review plan release notes meeting draft offsite hiring roadmap quarter".split()
threads = []
for i in range(n):
    who = rnd.choice(names)
    addr = who.split()[0].lower().encode("ascii", "ignore").decode() or "user"
    qname = "".join("=%02X" % b if b > 127 or b in (32, 61, 63, 95) else chr(b)
                    for b in who.encode("utf-8"))
    frm = "=?utf-8?q?%s?= <%s%d@example.org>" % (qname, addr, i % 97)
    hdr = ["Received: from mx%d.example.org (mx.example.org [192.0.2.%d]) by mail.ebb.test "
           "with ESMTPS id %08x for <sam@ebb.test>; Tue, 24 Nov 2026 08:00:00 +0100" % (i % 7, i % 250, i),
           "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1; h=from:to:subject:date; "
           "bh=" + "A" * 44 + "; b=" + "B" * 340,
           "From: " + frm, "To: Sam <sam@ebb.test>"]
    if i % 3 == 0:
        hdr.append("Cc: team@example.org, %s@example.org" % addr)
    if threads and rnd.random() < 0.6:
        root, refs, subj = rnd.choice(threads[-200:])
        hdr.append("Subject: Re: " + subj)
        hdr.append("In-Reply-To: <%s>" % refs[-1])
        hdr.append("References: " + " ".join("<%s>" % r for r in refs[-10:]))
        mid = "m%d@example.org" % i
        threads.append((root, refs + [mid], subj))
    else:
        subj = " ".join(rnd.choice(words) for _ in range(5)) + " #%d" % i
        hdr.append("Subject: " + subj)
        mid = "m%d@example.org" % i
        threads.append((mid, [mid], subj))
    hdr.append("Message-ID: <%s>" % mid)
    hdr.append("Date: Tue, 24 Nov 2026 %02d:%02d:%02d +0100" % (i // 3600 % 24, i // 60 % 60, i % 60))
    if i % 5 == 0:
        hdr.append("List-Id: Team list <team.example.org>")
    hdr.append("MIME-Version: 1.0")
    hdr.append("Content-Type: text/plain; charset=utf-8")
    body = "\n".join(" ".join(rnd.choice(words) for _ in range(12)) for _ in range(rnd.randint(5, 40)))
    with open(os.path.join(out, "%06d.eml" % i), "w") as f:
        f.write("\n".join(hdr) + "\n\n" + body + "\n")
EOF
t0=$(date +%s.%N)
sh "$STACK" seed "$D" "$H"/msgs/*.eml >/dev/null
t1=$(date +%s.%N)
echo "seeded $N messages in $(echo "$t1 - $t0" | bc) s"

config() {  # PORT TLS
	mkdir -p "$H/config/ebb"
	cat > "$H/config/ebb/config" <<EOF
[account.bench]
kind = imap
host = 127.0.0.1
port = $1
tls = $2
ca_file = $CA_FILE
user = $MAIL_USER
password_cmd = echo $MAIL_PASS
me = sam@ebb.test
mailboxes = INBOX
EOF
}
secs() {  # CMD...: wall seconds of the whole process
	s=$(date +%s.%N)
	"$@" >/dev/null
	e=$(date +%s.%N)
	echo "$e - $s" | bc
}
export XDG_CONFIG_HOME=$H/config HOME=$H

# Warm Dovecot's index and page cache once, then measure.
"$FLOOR" 127.0.0.1 "$IMAP_PORT" "$MAIL_USER" "$MAIL_PASS" >/dev/null
floor=$(secs "$FLOOR" 127.0.0.1 "$IMAP_PORT" "$MAIL_USER" "$MAIL_PASS")
"$FLOOR" 127.0.0.1 "$IMAP_PORT" "$MAIL_USER" "$MAIL_PASS"

config "$IMAP_PORT" off
export XDG_DATA_HOME=$H/plain
plain=$(secs "$EBB" sync)
resync=$(secs "$EBB" sync)
config "$IMAPS_PORT" implicit
export XDG_DATA_HOME=$H/tls
tls=$(secs "$EBB" sync)
count=$("$EBB" list --view all --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), sum(x["messages"] for x in r))')

printf '%-44s %8s\n' "scenario ($N messages)" "seconds"
printf '%-44s %8.3f\n' "transport floor (raw socket, UID FETCH 1:*)" "$floor"
printf '%-44s %8.3f  (%.1fx the floor)\n' "ebb sync, first, plain loopback" "$plain" "$(echo "$plain / $floor" | bc -l)"
printf '%-44s %8.3f\n' "ebb sync, first, implicit TLS" "$tls"
printf '%-44s %8.3f\n' "ebb sync, nothing new (QRESYNC)" "$resync"
echo "conversations, messages stored: $count"
