#!/bin/sh
# tmux: `:burst 25m` makes the selected conversation live: the status bar
# counts down, its replies go at once (not held), burst_start/burst_end
# events reach `ebb stats`; `:burst off` ends it and replies are held again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require "tui-burst"
demo_setup "tui-burst"
mkdir -p "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
printf 'sendmail_cmd = %s\n' "$T/deliver" >> "$cfg"
cat >"$T/editor" <<EDITOR
#!/bin/sh
echo "On it now." >>"\$1"
exit 0
EDITOR
chmod +x "$T/editor"
NOW=1795509000   # Tue 09:30: working time, outside the reply blocks
demo_start "tui-burst" "EDITOR=$T/editor"
sent() { ls "$T/sent" | wc -l | tr -d ' '; }
ok=1
tmux_keys : b u r s t Space 2 5 m Enter
expect_status "tui-burst: live" "LIVE 25:00 All-hands talk" || { demo_stop; exit 0; }
tmux_keys r
expect "tui-burst: compose" "y:send" 5
tmux_keys y
expect_status "tui-burst: not held" "Queued"
i=0
while [ $i -lt 100 ] && [ "$(sent)" = 0 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(sent)" = 1 ] || { fail "tui-burst: the reply goes at once" "sent=$(sent) $(ebb_cli outbox 2>&1 | head -2)"; ok=0; }
[ $ok = 1 ] && pass "tui-burst: the live conversation's reply is sent at once"
ok=1
tmux_keys : b u r s t Space o f f Enter
expect_status "tui-burst: off" "Burst over: back to async"
status_line | grep -qF "LIVE" && { fail "tui-burst: off clears the bar" "$(status_line)"; ok=0; }
tmux_keys r
expect "tui-burst: compose again" "y:send" 5
tmux_keys y
expect_status "tui-burst: held again" "Held until 11:00"
db=$(find "$T/data" -name '*.db' | head -1)
ev=$(python3 -c 'import sqlite3,sys; print(" ".join("%s:%s:%s" % r for r in sqlite3.connect(sys.argv[1]).execute("SELECT kind, conversation_id, coalesce(detail, \"-\") FROM event WHERE kind LIKE \"burst%\" ORDER BY id")))' "$db")
first=$(ebb_cli list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
[ "$ev" = "burst_start:$first:25m burst_end:$first:-" ] || { fail "tui-burst: events" "$ev"; ok=0; }
tmux_keys : b u r s t Space x y z Enter
expect_status "tui-burst: bad length" "burst \"xyz\": give a length"
tmux_keys Q
[ $ok = 1 ] && pass "tui-burst: :burst off ends it (events for stats), replies held again"
demo_stop
exit 0
