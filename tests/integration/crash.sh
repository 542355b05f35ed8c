#!/bin/sh
# Crash safety: `ebb sync` and `ebb outbox flush` killed with SIGKILL at
# random points, again and again; afterwards every message is stored exactly
# once, triage state survived, no outbox item went out twice and none was
# silently dropped, and the database passes PRAGMA integrity_check.
. "$(dirname "$0")/../lib.sh"
new_home
M="$T/Mail"
N=${CRASH_MESSAGES:-3000}
python3 - "$M" "$N" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
for i in range(n):
    thread = i // 3
    parent = f"<m{i-1}@crash.test>" if i % 3 else None
    hdr = [f"From: Person {thread % 50} <p{thread % 50}@example.com>",
           "To: me@example.com", f"Subject: {'Re: ' if parent else ''}Topic {thread}",
           f"Message-ID: <m{i}@crash.test>",
           f"Date: Mon, 23 Nov 2026 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d} +0000"]
    if parent:
        hdr += [f"In-Reply-To: {parent}", f"References: {parent}"]
    body = "\n".join(hdr) + "\n\n" + f"Message {i} body text.\n" * 20
    with open(os.path.join(root, "cur", f"{1700000000 + i}.M{i}.crash:2,S"), "w") as f:
        f.write(body)
PY
cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
tz = UTC
[account.c]
kind = maildir
path = $M
from = me@example.com
sendmail_cmd = $T/deliver
CFG
mkdir -p "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
export EBB_NOW=1795939200

# Random kill points: a delay drawn from [0, SPAN_MS) where SPAN_MS is how
# long one uninterrupted run of the command takes; bounded in count and time.
kills=0 seed=${CRASH_SEED:-$$}
RANDOM_STATE=$seed SPAN_MS=400
next_delay() {  # sets DELAY; no subshell, so the generator advances
	RANDOM_STATE=$(( (RANDOM_STATE * 1103515245 + 12345) % 2147483648 ))
	ms=$(( RANDOM_STATE / 65536 % SPAN_MS ))
	DELAY=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
}
measure_ms() {  # measure_ms CMD...: sets SPAN_MS to the command's run time
	s0=$(date +%s%N); "$@" >/dev/null 2>&1; s1=$(date +%s%N)
	SPAN_MS=$(( (s1 - s0) / 1000000 )); [ $SPAN_MS -gt 0 ] || SPAN_MS=1
}
kill_loop() {  # kill_loop MAX_KILLS MAX_SECONDS CMD...
	max=$1 secs=$2; shift 2
	i=0 t0=$(date +%s)
	while [ $i -lt "$max" ] && [ $(( $(date +%s) - t0 )) -lt "$secs" ]; do
		"$@" >/dev/null 2>&1 &
		pid=$!
		next_delay
		sleep "$DELAY"
		if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
		wait "$pid" 2>/dev/null
		i=$((i + 1))
	done
}
want="$((N / 3)) $N"
# Many first syncs: each round starts from an empty database and is killed
# at random points until one run completes; then it must hold each message once.
measure_ms $EBB sync
echo "one first sync of $N messages: ${SPAN_MS} ms" >&2
rounds=0 bad=0 t0=$(date +%s)
while [ $rounds -lt 100 ] && [ $(( $(date +%s) - t0 )) -lt ${CRASH_SECONDS:-45} ]; do
	rm -f "$XDG_DATA_HOME/ebb/ebb.db" "$XDG_DATA_HOME/ebb/ebb.db-wal" "$XDG_DATA_HOME/ebb/ebb.db-shm"
	kill_loop 6 10 $EBB sync
	$EBB sync >/dev/null 2>"$T/err" || { bad=$((bad + 1)); echo "sync after kills: $(cat "$T/err")" >&2; }
	got=$(count_stored)
	[ "$got" = "$want" ] || { bad=$((bad + 1)); echo "round $rounds: got $got want $want" >&2; }
	rounds=$((rounds + 1))
done
[ $bad = 0 ] && pass "first sync killed $kills times over $rounds rounds: every message exactly once" || fail "first sync after kills" "$bad bad rounds of $rounds"
out=$($EBB check 2>&1) && pass "integrity_check after first-sync kills" || fail "integrity_check" "$out"

# Triage state survives kills during an incremental sync that touches it.
ids=$($EBB list --json --limit 5 | python3 -c 'import json,sys; print(" ".join(str(r["id"]) for r in json.load(sys.stdin)))')
$EBB done $ids
for f in $(ls "$M/cur" | head -300); do mv "$M/cur/$f" "$M/cur/${f%:2,S}:2,RS"; done
kills_before=$kills
measure_ms $EBB --config /dev/null --version   # process start-up alone, as a floor
floor=$SPAN_MS
SPAN_MS=$((floor * 4 + 30))
kill_loop 60 20 $EBB sync
$EBB sync >/dev/null 2>&1
done_now=$($EBB list --view done --json | python3 -c 'import json,sys; print(" ".join(sorted(str(r["id"]) for r in json.load(sys.stdin))))')
want_done=$(printf '%s\n' $ids | sort | tr '\n' ' ' | sed 's/ $//')
[ "$done_now" = "$want_done" ] && [ "$(count_stored)" = "$want" ] && pass "incremental sync killed $((kills - kills_before)) times: triage kept, nothing doubled" || fail "incremental sync kills" "done=[$done_now] want=[$want_done] count=$(count_stored)"

# Outbox flush killed mid-way, in rounds of fresh items: at most once each,
# none silently lost.
sed -i "s|^sendmail_cmd = .*|sendmail_cmd = sleep 0.05; $T/deliver|" "$XDG_CONFIG_HOME/ebb/config"
kills_before=$kills
SPAN_MS=500
for round in $(seq 1 ${CRASH_OUTBOX_ROUNDS:-12}); do
	for i in $(seq 1 8); do printf 'body %s %s\n' "$round" "$i" | $EBB send --to "r$i@example.com" --subject "item $round.$i" --now >/dev/null; done
	kill_loop 3 5 $EBB outbox flush
done
$EBB outbox flush >/dev/null 2>&1
python3 - "$T/sent" <<PY > "$T/outcome" 2>&1
import json, os, subprocess, sys, collections, email
sent = collections.Counter()
for f in os.listdir(sys.argv[1]):
    m = email.message_from_file(open(os.path.join(sys.argv[1], f)))
    sent[m["Message-Id"].strip("<>")] += 1
items = json.loads(subprocess.check_output(["$EBB", "outbox", "--json"]))
dup = [k for k, v in sent.items() if v > 1]
assert not dup, f"sent twice: {dup}"
for it in items:
    n = sent.get(it["msgid"], 0)
    if it["state"] == "sent":
        assert n == 1, (it, n)
    elif it["state"] == "uncertain":
        assert n <= 1, (it, n)
    else:
        raise AssertionError(f"left {it['state']}: {it}")
print(f"{sum(1 for i in items if i['state']=='sent')} sent, {sum(1 for i in items if i['state']=='uncertain')} uncertain")
PY
if [ $? = 0 ]; then pass "outbox flush killed $((kills - kills_before)) times: $(cat "$T/outcome"), none twice, none lost"; else fail "outbox flush kills" "$(tail -3 "$T/outcome")"; fi
out=$($EBB check 2>&1) && pass "integrity_check at the end ($kills kills in all)" || fail "final integrity_check" "$out"
exit 0
