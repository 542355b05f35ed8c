#!/bin/sh
# Crash safety of the IMAP first sync, which pulls the next batch on a second
# thread while it writes the one before (sync/sync.c): `ebb sync` SIGKILLed
# at random points over two mailboxes, then one run to the end must give the
# same conversations and messages as an uninterrupted sync, each message
# once, and a database that passes integrity_check.
. "$(dirname "$0")/../lib.sh"

STACK=$TOP/tests/mailstack.sh
need_mailstack "imap kills"

new_home
D=$(mktemp -d "${TMPDIR:-/tmp}/ebb-imapkill.XXXXXX")
cleanup() {
	sh "$STACK" stop "$D" >/dev/null 2>&1
	rm -rf "$D"
	cleanup_home
}
trap cleanup EXIT
if ! vars=$(sh "$STACK" start "$D" 2>&1); then
	fail "imap kills: mail stack starts" "$(printf '%s' "$vars" | tail -3 | tr '\n' ' ')"
	exit 0
fi
eval "$vars"

# 12 000 messages in threads that cross the two mailboxes and the 5 000-UID
# batch boundaries, so a kill can land between any two batches.
N=${IMAP_KILL_MESSAGES:-12000}
python3 - "$T/msgs" "$N" <<'EOF'
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
for box in ("inbox", "lists"):
    os.makedirs(os.path.join(out, box))
for i in range(n):
    hdr = ["From: Ann Lee <ann%d@example.org>" % (i % 13), "To: Sam <sam@ebb.test>",
           "Message-ID: <k%d@example.org>" % i,
           "Date: Tue, 24 Nov 2026 %02d:%02d:00 +0100" % (i // 60 % 24, i % 60)]
    if i > 10 and rnd.random() < 0.6:
        p = rnd.randrange(max(0, i - 1500), i)
        hdr += ["Subject: Re: thread %d" % (p % 400), "In-Reply-To: <k%d@example.org>" % p,
                "References: <k%d@example.org>" % p]
    else:
        hdr.append("Subject: thread %d" % (i % 400))
    box = "lists" if i % 3 == 0 else "inbox"
    with open(os.path.join(out, box, "%05d.eml" % i), "w") as f:
        f.write("\n".join(hdr) + "\n\nbody %d\n" % i)
EOF
(cd "$T/msgs/inbox" && ls | xargs sh "$STACK" seed "$D" >/dev/null) &&
	(cd "$T/msgs/lists" && ls | xargs sh "$STACK" seed "$D" -m Lists >/dev/null) ||
	{ fail "imap kills: seeding" "mailstack seed failed"; exit 0; }

cat > "$XDG_CONFIG_HOME/ebb/config" <<EOF
[account.work]
kind = imap
host = 127.0.0.1
port = $IMAP_PORT
tls = off
user = $MAIL_USER
password_cmd = echo $MAIL_PASS
me = sam@ebb.test
mailboxes = INBOX, Lists
EOF
DB=$XDG_DATA_HOME/ebb/ebb.db

s0=$(date +%s%N)
$EBB sync >/dev/null 2>"$T/err" || { fail "imap kills: clean sync" "$(cat "$T/err")"; exit 0; }
span=$(( ($(date +%s%N) - s0) / 1000000 ))
want=$(count_stored)
case $want in
	*" $N") pass "imap kills: an uninterrupted sync stores all $N messages ($want, ${span} ms)" ;;
	*) fail "imap kills: clean sync" "got [$want], want $N messages"; exit 0 ;;
esac

kills=0 rounds=0 bad=0 state=${CRASH_SEED:-$$} t0=$(date +%s)
while [ $rounds -lt 25 ] && [ $(( $(date +%s) - t0 )) -lt 40 ]; do
	rm -f "$DB" "$DB-wal" "$DB-shm"
	# two kills: the second run resumes what the first committed
	for i in 1 2; do
		$EBB sync >/dev/null 2>&1 &
		pid=$!
		state=$(( (state * 1103515245 + 12345) % 2147483648 ))
		# the first sync (span) warmed Dovecot: later ones run faster
		ms=$(( state / 65536 % (span / 2 + 1) ))
		sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
		wait "$pid" 2>/dev/null
	done
	$EBB sync >/dev/null 2>"$T/err" || { bad=$((bad + 1)); echo "sync after kills: $(cat "$T/err")" >&2; }
	got=$(count_stored)
	[ "$got" = "$want" ] || { bad=$((bad + 1)); echo "round $rounds: got $got want $want" >&2; }
	rounds=$((rounds + 1))
done
# A round whose kills all came after the sync ended still checks the end
# state; but some must have cut a sync short, or the test proves nothing.
[ $kills -ge 1 ] || fail "imap kills: no kill landed" "$kills in $rounds rounds (span ${span} ms)"
[ $bad = 0 ] && pass "imap kills: first sync killed $kills times over $rounds rounds, then finished: same $want" ||
	fail "imap kills" "$bad bad rounds of $rounds"
out=$($EBB check 2>&1) && pass "imap kills: integrity_check after the kills" || fail "imap kills: integrity_check" "$out"
exit 0
