#!/bin/sh
# Integration: every file ebb creates is 0600 and every directory 0700, even
# under umask 000: the data dir after mail and Matrix syncs, a reply sent
# through the outbox, a draft written in $EDITOR and postponed (its temp
# file and directory), and an attachment saved into a download directory
# ebb has to create; checked while the database is open (-wal, -shm) too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tui/demo.inc"
if ! command -v python3 >/dev/null 2>&1; then skip "file modes" "python3 is not installed"; exit 0; fi
demo_require file-modes
umask 000
demo_setup file-modes
SRV=$TOP/tests/servers
python3 "$SRV/matrix_server.py" "$SRV/matrix_fixture.json" >"$T/port" 2>"$T/server.err" &
SRV_PID=$!
trap 'kill $SRV_PID 2>/dev/null; cleanup_home' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(head -1 "$T/port")
case "$PORT" in ''|*[!0-9]*) fail "matrix test server starts" "$(cat "$T/server.err")"; exit 0;; esac
printf '[account.chat]\nkind = matrix\nurl = http://127.0.0.1:%s/\nuser = @mia:test.local\ntoken_cmd = echo TOKEN\n' \
	"$PORT" >> "$cfg"
DATA=$XDG_DATA_HOME/ebb

# bad_modes DIR...: what under DIR is not 0600 (files) or 0700 (directories).
bad_modes() {
	find "$@" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \) -o \
		\( ! -type f ! -type d \) 2>/dev/null | while read -r f; do echo "$(stat -c %a "$f") $f"; done
}

out=$(ebb_cli sync 2>&1) || fail "sync of mail and Matrix" "$out"
id=$(ebb_cli list --view all --json | python3 -c '
import json, sys
print([r["id"] for r in json.load(sys.stdin) if r["account"] == "chat"][0])')
printf 'On it.\n' | ebb_cli reply "$id" --now >/dev/null 2>&1
out=$(ebb_cli outbox flush 2>&1)
case "$out" in *sent*) ;; *) fail "the reply goes out" "$out" ;; esac
bad=$(bad_modes "$DATA")
if [ -z "$bad" ]; then pass "data dir 0700 and its files 0600 after sync and send (umask 000)"
else fail "data dir 0700 and its files 0600 after sync and send (umask 000)" "$bad"; fi

# The editor logs the modes of the file it was given and of its directory.
cat >"$T/editor" <<EDITOR
#!/bin/sh
echo "\$(stat -c %a "\$1") \$(stat -c %a "\$(dirname "\$1")")" >>"$T/editor.log"
echo "Thanks, numbers on Thursday." >>"\$1"
exit 0
EDITOR
chmod 755 "$T/editor"
demo_start file-modes "EDITOR=$T/editor" "XDG_DOWNLOAD_DIR=$T/dl"
ok=1
tmux_keys j j j j r
expect file-modes-draft "Draft saved" && { tmux_keys q; expect file-modes-draft "Draft kept"; }
if [ "$ok" = 1 ] && [ "$(cat "$T/editor.log" 2>/dev/null)" = "600 700" ]; then
	pass "the draft's editor file is 0600 in a 0700 directory (umask 000)"
elif [ "$ok" = 1 ]; then fail "the draft's editor file is 0600 in a 0700 directory (umask 000)" "$(cat "$T/editor.log" 2>&1)"; fi
ok=1
tmux_keys g j j j j j j j j Enter
if expect file-modes-attachment "Q4-budget-draft.pdf"; then
	tmux_keys S
	expect_status file-modes-attachment "Save [1] to directory:" && {
		tmux_keys Enter
		expect file-modes-attachment "Saved $T/dl/Q4-budget-draft.pdf"
	}
fi
if [ "$ok" = 1 ]; then
	bad=$(bad_modes "$T/dl")
	if [ -f "$T/dl/Q4-budget-draft.pdf" ] && [ -z "$bad" ]; then
		pass "a saved attachment is 0600, in a download dir made 0700 (umask 000)"
	else fail "a saved attachment is 0600, in a download dir made 0700 (umask 000)" "${bad:-nothing saved}"; fi
fi
tmux_keys q
# While the inbox runs the database is open: its -wal and -shm count too.
sleep 0.3
bad=$(bad_modes "$DATA" "$T"/ebb-*)
if [ -z "$bad" ] && [ -f "$DATA/ebb.db-wal" ]; then pass "data dir and temp files 0600/0700 while ebb runs (-wal, -shm included)"
else fail "data dir and temp files 0600/0700 while ebb runs (-wal, -shm included)" "${bad:-no -wal seen: $(ls "$DATA")}"; fi
tmux_keys Q
exit 0
