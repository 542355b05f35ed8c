#!/bin/sh
# tmux: a held reply is released by the running client once its reply
# block starts (no cron needed), exactly once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require "tui-outbox-release"
demo_setup "tui-outbox-release"
mkdir -p "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
printf 'sendmail_cmd = %s\n' "$T/deliver" >> "$cfg"
# Queued at 08:20: held until the 11:00 block.
out=$(printf 'Thanks, will do.\n' | ebb_cli send --to ann@example.com --subject "Re: plan" 2>&1)
case "$out" in *"held until 2026-11-24T11:00:00+01:00"*) ;; *) fail "tui-outbox-release" "not held: $out"; exit 0;; esac
# At 10:59 the client sends nothing ...
NOW=1795514340
demo_start "tui-outbox-release"
sleep 2
n=$(ls "$T/sent" | wc -l | tr -d ' ')
tmux_keys Q
sleep 0.5
tmux kill-session -t "$TMUX_SESSION" 2>/dev/null
[ "$n" = 0 ] && pass "tui-outbox-release: nothing goes before the block" || fail "tui-outbox-release: nothing goes before the block" "$n sent"
# ... at 11:00 it releases the reply by itself, once.
NOW=1795514400
demo_start "tui-outbox-release"
i=0
while [ $i -lt 100 ] && [ "$(ls "$T/sent" | wc -l | tr -d ' ')" = 0 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
n=$(ls "$T/sent" | wc -l | tr -d ' ')
st=$(ebb_cli outbox --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])')
tmux_keys Q
[ "$n" = 1 ] && [ "$st" = sent ] && pass "tui-outbox-release: released at 11:00 by the running client, once" || fail "tui-outbox-release: released at 11:00" "sent=$n state=$st"
exit 0
