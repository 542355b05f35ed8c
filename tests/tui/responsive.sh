#!/bin/sh
# tests/tui/responsive.sh: keys answer within a second while the first sync
# of a 20 000-message Maildir (RESPONSIVE_MESSAGES to change it) runs in the
# background, and the status bar shows how far it got.
. "$(dirname "$0")/../lib.sh"
name=tui-responsive
NOW=1795504800
command -v tmux >/dev/null 2>&1 || { skip $name "tmux is not installed"; exit 0; }
[ -x "$EBB" ] || { skip $name "no ebb binary at $EBB (run make)"; exit 0; }
new_home
M="$T/mail"
mkdir -p "$M/cur" "$M/new" "$M/tmp"
cat >"$XDG_CONFIG_HOME/ebb/config" <<EOF2
[hours]
tz = UTC
[account.big]
kind = maildir
path = $M
me = me@example.com
EOF2

# 30 recent messages, synced first: they stay on top of the list, so the
# rows on screen do not move while the old ones stream in below.
gen() {  # FROM TO DAY0: messages FROM..TO-1, dated from DAY0 on
	awk -v dir="$M/cur" -v from="$1" -v to="$2" -v day0="$3" 'BEGIN {
		for (i = from; i < to; i++) {
			f = sprintf("%s/%d.%d.gen:2,S", dir, 1700000000 + i, i)
			t = day0 + i * 60
			printf "From: Sender %d <s%d@example.org>\nTo: list@example.org\n", i % 97, i % 97 > f
			printf "Subject: Generated message number %d\nMessage-ID: <gen%d@example.org>\n", i, i > f
			printf "Date: %s\n\nBody of message %d.\n", strftime("%a, %d %b %Y %H:%M:%S +0000", t, 1), i > f
			close(f)
		}
	}'
}
gen 100000 100030 1795000000
EBB_NOW=$NOW "$EBB" sync >/dev/null 2>&1 || { fail $name "the first small sync failed"; exit 0; }
N=${RESPONSIVE_MESSAGES:-20000}
gen 0 "$N" 1600000000
[ "$(ls "$M/cur" | wc -l)" -ge $((N + 30)) ] || { fail $name "could not generate the Maildir"; exit 0; }

tmux_start 100 30 "EBB_NOW=$NOW $EBB"
ok=1
tmux_wait "Due (" 10 || { fail $name "no inbox: $(tmux_screen | head -2 | tr '\n' '|')"; exit 0; }
tmux_keys 2
tmux_wait "All (" 1 || { fail $name "2 did not switch to All within a second"; ok=0; }
if ! tmux_wait "big pulling" 5; then
	fail $name "the status bar shows no sync progress: $(tmux_screen | tail -1)"
	ok=0
fi
esc=$(printf '\033')
# The selected row is drawn in reverse video (SGR 7, alone or after a reset).
selected_row() { tmux capture-pane -p -e -t "$TMUX_SESSION" | grep -n "$esc\[\(0;\)\{0,1\}7m" | head -1 | cut -d: -f1; }
# wait_row N: the selection is on screen line N within a second.
wait_row() {
	i=0
	while [ $i -lt 20 ]; do
		[ "$(selected_row)" = "$1" ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
progress1=$(tmux_screen | tail -1 | sed -n 's/.*big pulling \([0-9]*\).*/\1/p')
for round in 1 2 3; do
	tmux_keys j
	wait_row 3 || { fail $name "j took over a second (round $round, selection on line $(selected_row))"; ok=0; break; }
	tmux_keys k
	wait_row 2 || { fail $name "k took over a second (round $round)"; ok=0; break; }
	tmux_keys '?'
	tmux_wait "move-down" 1 || { fail $name "? took over a second (round $round)"; ok=0; break; }
	tmux_keys q
	tmux_wait "All (" 1 || { fail $name "q took over a second (round $round)"; ok=0; break; }
done
# Still syncing while the keys were answered, and it moved on meanwhile.
status=$(tmux_screen | tail -1)
progress2=$(printf '%s' "$status" | sed -n 's/.*big pulling \([0-9]*\).*/\1/p')
if [ -n "$progress2" ]; then
	[ "${progress1:-0}" -le "$progress2" ] || { fail $name "progress went back: $progress1 -> $progress2"; ok=0; }
else
	printf '%s' "$status" | grep -qF "big synced" ||
		{ fail $name "the sync neither runs nor finished: $status"; ok=0; }
fi
# It finishes: every message is listed.
tmux_wait "big synced" 120 || { fail $name "the sync did not finish: $(tmux_screen | tail -1)"; ok=0; }
tmux_keys 2
# Titles count up to 999 conversations (an exact count reads every row).
all=$((N + 30)); [ $all -gt 999 ] && all="999+"
tmux_wait "All ($all)" 5 || { fail $name "not all listed: $(tmux_screen | head -1)"; ok=0; }
tmux_keys Q
[ "$ok" = 1 ] && pass $name
exit 0
