#!/bin/sh
# Database faults: a full disk and a read-only data directory each give a
# clear message and leave the database intact (needs root for a private
# mount namespace; skipped with the reason otherwise).
. "$(dirname "$0")/../lib.sh"
new_home
if ! unshare -m true 2>/dev/null; then
	skip "full disk" "needs root to mount a small tmpfs in a private namespace"
	skip "read-only data dir" "needs root to remount read-only in a private namespace"
	exit 0
fi
M="$T/Mail"
python3 - "$M" <<'PY'
import os, sys
root = sys.argv[1]
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
for i in range(1500):
    with open(os.path.join(root, "cur", f"{1700000000 + i}.M{i}.db:2,S"), "w") as f:
        f.write(f"From: p{i}@example.com\nTo: me@example.com\nSubject: Fill {i}\n"
                f"Message-ID: <f{i}@db.test>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\n"
                + ("padding text to fill the disk quickly\n" * 60))
PY
D="$T/small"
mkdir -p "$D"
cat > "$T/ebb.conf" <<CFG
[general]
data_dir = $D/data
[hours]
tz = UTC
[account.f]
kind = maildir
path = $M
from = me@example.com
CFG
# A 1.5 MB tmpfs holds the schema and a few hundred messages, not 1500.
out=$(unshare -m sh -c "mount -t tmpfs -o size=1536k tmpfs '$D' && $EBB --config '$T/ebb.conf' sync; echo rc=\$?; $EBB --config '$T/ebb.conf' check" 2>&1)
case "$out" in
	*"disk is full"*rc=1*": ok"*) pass "full disk: clear message, database still consistent";;
	*) fail "full disk: clear message, database still consistent" "$(printf '%s' "$out" | tr '\n' '|')";;
esac
# Read-only: sync once normally, then remount the data dir read-only.
mkdir -p "$D/data"
$EBB --config "$T/ebb.conf" sync >/dev/null 2>&1
sum1=$(md5sum < "$D/data/ebb.db")
out=$(unshare -m sh -c "mount --bind '$D/data' '$D/data' && mount -o remount,ro,bind '$D/data' && touch '$M/cur/x' 2>/dev/null; $EBB --config '$T/ebb.conf' done 1; echo rc=\$?" 2>&1)
sum2=$(md5sum < "$D/data/ebb.db")
case "$out" in
	*"read-only"*rc=1*) [ "$sum1" = "$sum2" ] && pass "read-only data dir: clear message, nothing changed" || fail "read-only data dir" "database changed";;
	*) fail "read-only data dir: clear message, nothing changed" "$(printf '%s' "$out" | tr '\n' '|')";;
esac
exit 0
