#!/bin/sh
# tests/tui/huge.sh: mail built to choke a client — a 4 MB body on one line,
# MIME nested 2 000 levels deep, 50 000 header lines — syncs, lists and
# opens, and the screen keeps answering keys.
. "$(dirname "$0")/../lib.sh"
name=tui-huge
NOW=1795504800
command -v tmux >/dev/null 2>&1 || { skip "$name" "tmux is not installed"; exit 0; }
command -v python3 >/dev/null 2>&1 || { skip "$name" "python3 is not installed"; exit 0; }
[ -x "$EBB" ] || { skip "$name" "no ebb binary at $EBB (run make)"; exit 0; }
new_home
M="$T/mail"
mkdir -p "$M/cur" "$M/new" "$M/tmp"
cat >"$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
tz = UTC
[account.big]
kind = maildir
path = $M
me = me@example.com
CFG
python3 - "$M/cur" <<'PY'
import sys
d = sys.argv[1]
def head(n, subject):
    return (f"From: Big {n} <big{n}@example.org>\nTo: me@example.com\nSubject: {subject}\n"
            f"Message-ID: <huge{n}@example.org>\nDate: Mon, 23 Nov 2026 1{n}:00:00 +0000\n")
with open(f"{d}/1700000001.1.huge:2,S", "w") as f:
    f.write(head(1, "LONGLINE one line of four megabytes") + "\n" + "x" * (4 << 20) + "\n")
levels = 2000
with open(f"{d}/1700000002.2.huge:2,S", "w") as f:
    f.write(head(2, "DEEPNEST two thousand levels") + "MIME-Version: 1.0\n")
    for i in range(levels):
        f.write(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n')
    f.write("Content-Type: text/plain\n\ninnermost text\n")
    for i in reversed(range(levels)):
        f.write(f"--b{i}--\n")
with open(f"{d}/1700000003.3.huge:2,S", "w") as f:
    f.write(head(3, "MANYHEADERS fifty thousand header lines"))
    for i in range(50000):
        f.write(f"X-Filler-{i}: {'y' * 40}\n")
    f.write("\nsmall body\n")
PY
if ! out=$(EBB_NOW=$NOW timeout 60 "$EBB" sync 2>&1); then
	fail "$name" "sync failed: $out"
	exit 0
fi
tmux_start 100 30 "EBB_NOW=$NOW $EBB"
tmux_wait "Due (" 10 || { fail "$name" "no inbox: $(tmux_screen | head -2 | tr '\n' '|')"; exit 0; }
tmux_keys 2
ok=1
for subject in LONGLINE DEEPNEST MANYHEADERS; do
	tmux_wait "$subject" 10 || { fail "$name" "$subject is not listed: $(tmux_screen | head -4 | tr '\n' '|')"; ok=0; }
done
# Open each one, go to its end, then check that keys still answer within
# a second and that q comes back to the list.
for row in 0 1 2; do
	tmux_keys g
	i=0
	while [ $i -lt $row ]; do tmux_keys j; i=$((i + 1)); done
	tmux_keys Enter
	tmux_wait "From: Big" 5 || { fail "$name" "row $row did not open: $(tmux_screen | head -3 | tr '\n' '|')"; ok=0; }
	tmux_keys G
	sleep 0.2
	tmux_keys '?'
	tmux_wait "move-down" 1 || { fail "$name" "? took over a second in row $row"; ok=0; }
	tmux_keys q q
	tmux_wait "All (" 2 || { fail "$name" "q did not come back from row $row"; ok=0; }
done
tmux_screen | grep -q "DEEPNEST" || { fail "$name" "the list is gone after opening"; ok=0; }
tmux_keys Q
[ "$ok" = 1 ] && pass "$name: a 4 MB line, 2 000-deep MIME and 50 000 headers list, open and stay responsive"
exit 0
