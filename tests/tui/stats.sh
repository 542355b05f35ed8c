#!/bin/sh
# tmux: :stats shows the figures of `ebb stats` (the same backend) with bar
# charts per channel, the outbox and the live-mode line.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require "tui-stats"
demo_setup "tui-stats"
NOW=1795509000   # Tue 09:30
demo_start "tui-stats"
ok=1
tmux_keys : s t a t s Enter
expect "tui-stats: pane" "The last 30 days" || { demo_stop; exit 0; }
for want in "channel" "received" "within target" "Volume (received + sent)" "Replied within target" "Outbox:" "Live mode: no bursts recorded"; do
	tmux_screen | grep -qF -- "$want" || { fail "tui-stats: shows" "no \"$want\""; ok=0; }
done
tmux_screen | grep -q "INBOX.*█" || { fail "tui-stats: bars" "no bar for INBOX"; ok=0; }
# The "all" row carries the CLI's totals.
want=$(ebb_cli stats --json | python3 -c 'import json,sys; t=json.load(sys.stdin)["total"]; print(t["received"], t["sent"], t["needs_reply"], t["overdue"])')
got=$(tmux_screen | awk '$1 == "all" { print $2, $3, $4, $5 }')
[ "$got" = "$want" ] || { fail "tui-stats: totals" "screen \"$got\", ebb stats \"$want\""; ok=0; }
[ $ok = 1 ] && pass "tui-stats: :stats shows the ebb stats figures as bar charts"
# A burst shows up in the live-mode line (an hour later: the clock is fixed).
tmux_keys q : b u r s t Space 2 5 m Enter
expect_status "tui-stats: burst" "LIVE 25:00"
tmux_keys Q
NOW=1795512600
demo_restart "tui-stats"
tmux_keys : s t a t s Enter
expect "tui-stats: live line" "Live mode: 1 burst" && pass "tui-stats: bursts reach the live-mode line"
tmux_keys Q
demo_stop
exit 0
