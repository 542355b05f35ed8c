#!/bin/sh
# tmux: one notification per reply block ("N due, M overdue") through
# notify_cmd (the summary as $1, not in the command line); none outside a
# block; none at all with notify = never.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require "tui-notify"
demo_setup "tui-notify"
# [hours] is the first section of the demo config: the key goes after it.
sed -i "s|^notify = blocks\$|notify = blocks\nnotify_cmd = printf '%s\\\\n' \"\$1\" >> $T/notes|" "$cfg"
grep -q "^notify_cmd" "$cfg" || { fail "tui-notify" "could not set notify_cmd"; exit 0; }
notes() { [ -f "$T/notes" ] && cat "$T/notes"; }
owed=$(ebb_cli list --json | python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin) if c.get("due_at")))')
overdue=$(ebb_cli list --json | python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin) if c.get("urgency") == "overdue"))')
ok=1
# 08:20: outside the blocks, nothing.
demo_start "tui-notify"
sleep 1.5
[ -z "$(notes)" ] || { fail "tui-notify: quiet outside blocks" "$(notes)"; ok=0; }
demo_stop
# 11:00: the block starts: one summary, counts only.
NOW=1795514400
owed=$(ebb_cli list --json | python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin) if c.get("due_at")))')
overdue=$(ebb_cli list --json | python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin) if c.get("urgency") == "overdue"))')
demo_start "tui-notify"
i=0
while [ $i -lt 50 ] && [ -z "$(notes)" ]; do sleep 0.1; i=$((i + 1)); done
tmux_keys : s y n c Enter
sleep 1.5
want="$owed due, $overdue overdue"
[ "$(notes)" = "$want" ] || { fail "tui-notify: one summary per block" "got \"$(notes)\", want \"$want\""; ok=0; }
tmux_keys Q
demo_stop
[ $ok = 1 ] && pass "tui-notify: one summary at the block start through notify_cmd, none outside"
# notify = never: silent even at the block start.
rm -f "$T/notes"
printf '[hours]\nnotify = never\n' >> "$cfg"
demo_start "tui-notify"
sleep 1.5
[ -z "$(notes)" ] && pass "tui-notify: notify = never is silent" || fail "tui-notify: never" "$(notes)"
tmux_keys Q
demo_stop
exit 0
