#!/bin/sh
# tmux: held replies whose release passed while ebb was not running are not
# sent at start; ebb asks (send now, next block, edit) before its engine runs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require "tui-missed-release"
demo_setup "tui-missed-release"
mkdir -p "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
printf 'sendmail_cmd = %s\n' "$T/deliver" >> "$cfg"
# Two replies queued at 08:20, held until the 11:00 block ...
for who in ann bob; do
	printf 'Thanks, will do.\n' | ebb_cli send --to $who@example.com --subject "Re: plan" >/dev/null 2>&1
done
sent() { ls "$T/sent" | wc -l | tr -d ' '; }
states() { ebb_cli outbox --json | python3 -c 'import json,sys; print(" ".join(i["state"] for i in json.load(sys.stdin)))'; }
# ... and ebb starts again only at 12:00, after the block. The editor (for
# e) rewrites the body as the user would.
cat > "$T/editor" <<'SH'
#!/bin/sh
sed -i 's/^Later\.$/Later, edited./' "$1"
SH
chmod +x "$T/editor"
start_at() {
	NOW=$1
	tmux_start 100 30 "EBB_NOW=$NOW TMPDIR=$T EDITOR=$T/editor $EBB --config $cfg; echo ebb-exited-\$?"
}
ok=1
start_at 1795518000
expect "tui-missed-release: asks" "2 held replies missed their release (11:00)" 10
expect "tui-missed-release: offers the next block" "Move to the next reply block" 2
sleep 1.5
n=$(sent)
[ "$n" = 0 ] || { fail "tui-missed-release: nothing goes before the answer" "$n sent"; ok=0; }
# n: both wait for the 16:00 block; the engine starts and sends nothing.
tmux_keys n
expect_status "tui-missed-release: next block" "2 held replies moved to the next block (16:00)"
tmux_keys C-l
expect "tui-missed-release: sync starts after the answer" "synced" 10
sleep 1
n=$(sent); st=$(states)
[ "$n" = 0 ] && [ "$st" = "held held" ] || { fail "tui-missed-release: n holds them" "sent=$n states=$st"; ok=0; }
tmux_keys Q
[ $ok = 1 ] && pass "tui-missed-release: asks at start, n moves them to the next block"
demo_stop
# At 17:00 (after the 16:00 block) they are missed again: s sends them now.
ok=1
start_at 1795536000
expect "tui-missed-release: asks again" "2 held replies missed their release (16:00)" 10
tmux_keys s
expect_status "tui-missed-release: s" "Sending 2 held replies now"
i=0
while [ $i -lt 100 ] && [ "$(sent)" != 2 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
n=$(sent); st=$(states)
[ "$n" = 2 ] || { fail "tui-missed-release: s sends them" "sent=$n states=$st"; ok=0; }
tmux_keys Q
[ $ok = 1 ] && pass "tui-missed-release: s sends them at once, once each"
demo_stop
# Esc sends nothing: they wait for the next block.
NOW=1795504800
printf 'Later.\n' | ebb_cli send --to cy@example.com --subject "Re: x" >/dev/null 2>&1
ok=1
start_at 1795518000
expect "tui-missed-release: asks for the third" "1 held reply missed its release (11:00)" 10
tmux_keys Escape
expect_status "tui-missed-release: Esc" "Not sent: 1 held reply moved to the next block (16:00)"
sleep 1
n=$(sent)
[ "$n" = 2 ] || { fail "tui-missed-release: Esc sends nothing" "sent=$n"; ok=0; }
tmux_keys Q
[ $ok = 1 ] && pass "tui-missed-release: Esc sends nothing and holds until the next block"
demo_stop
# e: the one held reply opens in the editor, out of the outbox while it is
# edited; y holds it again for the next block with the new text.
ok=1
start_at 1795537000
expect "tui-missed-release: asks" "1 held reply missed its release (16:00)" 10
tmux_keys e
expect "tui-missed-release: e opens the editor" "Later, edited." 5
st=$(states)
[ "$st" = "sent sent cancelled" ] || { fail "tui-missed-release: e takes it out" "states=$st"; ok=0; }
# It was written with `ebb send`, not as a reply: a new request, so the
# context check asks first; s sends it anyway.
tmux_keys y
expect "tui-missed-release: context check" "Missing: no clear ask" 5
tmux_keys s
expect_status "tui-missed-release: y holds it again" "Held until Wed 11:00" 5
sleep 1
st=$(states); n=$(sent)
[ "$st" = "sent sent cancelled held" ] && [ "$n" = 2 ] ||
	{ fail "tui-missed-release: e then y" "sent=$n states=$st"; ok=0; }
tmux_keys Q
[ $ok = 1 ] && pass "tui-missed-release: e edits the one missed reply, y holds it for the next block"
demo_stop
exit 0
