#!/bin/sh
# Integration: secrets stay secret. A Matrix token from token_cmd and a
# password from password_cmd never reach the database (-wal, -shm), files
# under the data dir, ebb's output or errors (also the wrong-token error),
# nor the argv of any process while `ebb sync --watch` runs; a failing
# password_cmd's stdout never appears in the error.
. "$(dirname "$0")/../lib.sh"
if ! command -v python3 >/dev/null 2>&1; then skip "secrets" "python3 is not installed"; exit 0; fi
new_home
export TZ=UTC EBB_NOW=1795521600
SRV=$TOP/tests/servers
# Distinct strings that occur nowhere else; they live in files, never in an
# argv of this script, so a scan of /proc/*/cmdline finds only leaks.
printf 'syt_SeCrEtToKeN_7f3a9c41\n' > "$T/token"
printf 'syt_WrOnGtOkEn_2b8d6e10\n' > "$T/wrong"
printf 'pw_S3cretPassw0rd_5521\n' > "$T/password"
printf 'pw_Fa1ledCmdOutput_9931\n' > "$T/failout"
chmod 600 "$T/token" "$T/wrong" "$T/password" "$T/failout"
python3 - "$SRV/matrix_fixture.json" "$T" > "$T/fixture.json" <<'PY'
import json, sys
fx = json.load(open(sys.argv[1]))
fx["access_token"] = open(sys.argv[2] + "/token").read().strip()
fx["password"] = open(sys.argv[2] + "/password").read().strip()
print(json.dumps(fx))
PY
python3 "$SRV/matrix_server.py" "$T/fixture.json" >"$T/port" 2>"$T/server.err" &
SRV_PID=$!
WATCH_PID=
trap 'kill $SRV_PID $WATCH_PID 2>/dev/null; cleanup_home' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(head -1 "$T/port")
case "$PORT" in ''|*[!0-9]*) fail "matrix test server starts" "$(cat "$T/server.err")"; exit 0;; esac
DATA=$XDG_DATA_HOME/ebb
OUT=$T/out          # every byte ebb printed, stdout and stderr
: > "$OUT"
mkdir -p "$T/work"
cd "$T/work" || exit 1

config() {  # config SECRET-LINE: one Matrix account, no IMAP
	cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
work = Mon-Fri 09:00-17:00
tz = UTC
[account.chat]
kind = matrix
url = http://127.0.0.1:$PORT/
user = @mia:test.local
$1
CFG
}
# leaks FILE...: names the files holding the token or the password.
leaks() { grep -laF -f "$T/token" "$@" 2>/dev/null; grep -laF -f "$T/password" "$@" 2>/dev/null; }
run() { "$EBB" "$@" >>"$OUT" 2>&1; }

config "token_cmd = cat $T/token"
if run sync && [ -f "$DATA/ebb.db" ]; then pass "matrix sync with the token from token_cmd"
else fail "matrix sync with the token from token_cmd" "$(tail -3 "$OUT")"; fi
run list --view all; run list --view all --json; run stats; run outbox
id=$("$EBB" list --view all --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
run show "$id"
printf 'ok, on it\n' | run reply "$id" --now
run outbox flush; run outbox --json
n=$(python3 - "$PORT" <<'PY'
import json, sys, urllib.request
o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print(len(json.load(o.open("http://127.0.0.1:%s/_test/stats" % sys.argv[1], timeout=10))["sent"]))
PY
)
if [ "${n:-0}" -ge 1 ]; then pass "a reply went out with the token"; else fail "a reply went out with the token" "server saw ${n:-no} sends"; fi

# A wrong token: the server refuses it; the error must not quote it.
config "token_cmd = cat $T/wrong"
if "$EBB" sync > "$T/wrong.out" 2>&1; then fail "a wrong token is an error" "sync succeeded"
elif grep -qF -f "$T/wrong" "$T/wrong.out"; then fail "the wrong-token error does not quote the token" "$(cat "$T/wrong.out")"
else pass "the wrong-token error does not quote the token"; fi
cat "$T/wrong.out" >> "$OUT"

# A failing password_cmd: whatever it printed stays out of the error.
config "password_cmd = cat $T/failout; exit 3"
if "$EBB" sync > "$T/fail.out" 2>&1; then fail "a failing password_cmd is an error" "sync succeeded"
elif grep -qF -f "$T/failout" "$T/fail.out"; then fail "a failing password_cmd's output stays out of the error" "$(cat "$T/fail.out")"
elif ! grep -q "password_cmd" "$T/fail.out"; then fail "a failing password_cmd's error names it" "$(cat "$T/fail.out")"
else pass "a failing password_cmd's output stays out of the error"; fi
cat "$T/fail.out" >> "$OUT"

# Logging in with the password from password_cmd.
config "password_cmd = cat $T/password"
if run sync; then pass "matrix login with the password from password_cmd"
else fail "matrix login with the password from password_cmd" "$(tail -3 "$OUT")"; fi

# --watch, with a token_cmd slow enough to be seen running: scan the argv
# of every process while it runs (the token is never passed as one).
config "token_cmd = sleep 1; cat $T/token"
"$EBB" sync --watch >>"$OUT" 2>&1 &
WATCH_PID=$!
# One fast scanner: a shell loop over /proc is too slow to catch a child
# that lives a second on a busy machine.
python3 - "$T" > "$T/scan" <<'PY'
import os, sys, time
t = sys.argv[1]
token = open(t + "/token", "rb").read().strip()
cmd = ("cat %s/token" % t).encode()
seen, leaks, start = set(), set(), time.time()
while time.time() - start < 20:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            argv = open("/proc/%s/cmdline" % pid, "rb").read()
        except OSError:
            continue
        if cmd in argv:
            seen.add(pid)
        if token in argv:
            leaks.add("/proc/%s/cmdline" % pid)
    if len(seen) >= 2 and time.time() - start > 2:
        break
    time.sleep(0.02)
print(len(seen))
print(" ".join(sorted(leaks)))
PY
seen_cmd=$(sed -n 1p "$T/scan")
argv_leak=$(sed -n 2p "$T/scan")
# The files while the database is open (-wal and -shm exist now).
[ -z "$(leaks $(find "$DATA" -type f))" ] || argv_leak="$argv_leak data-dir"
wal_seen=0; [ -f "$DATA/ebb.db-wal" ] && wal_seen=1
kill -INT "$WATCH_PID" 2>/dev/null
i=0; while kill -0 "$WATCH_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null; WATCH_PID=
if [ "${seen_cmd:-0}" -eq 0 ]; then fail "no process argv holds the token during sync --watch" "the scan never saw token_cmd run"
elif [ -n "$argv_leak" ]; then fail "no process argv holds the token during sync --watch" "found in $argv_leak"
else pass "no process argv holds the token during sync --watch (token_cmd seen $seen_cmd times, -wal present: $wal_seen)"; fi

# What stayed behind: the database and its side files, everything under the
# data dir, and everything ebb printed.
if [ -n "$(leaks "$DATA/ebb.db" "$DATA/ebb.db-wal" "$DATA/ebb.db-shm")" ]; then fail "the database holds no token or password" "$(leaks "$DATA"/ebb.db*)"
else pass "the database holds no token or password"; fi
files=$(find "$DATA" "$T/work" -type f)
if [ -n "$(leaks $files)" ]; then fail "no file under the data dir holds a secret" "$(leaks $files)"
else pass "no file under the data dir holds a secret ($(echo $files | wc -w) files)"; fi
if [ ! -s "$OUT" ]; then fail "ebb's output holds no secret" "nothing was captured"
elif [ -n "$(leaks "$OUT")" ]; then fail "ebb's output holds no secret" "$(grep -F -f "$T/token" "$OUT" | head -3)"
else pass "ebb's output holds no secret ($(wc -l < "$OUT") lines checked)"; fi
exit 0
