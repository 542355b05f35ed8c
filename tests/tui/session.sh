#!/bin/sh
# tmux: a reply session (S or :session) walks the owed conversations with a
# counter and the time left in the block: r replies (and moves on once the
# reply is queued), d done, l later, s snooze, n next, q ends it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require "tui-session"
demo_setup "tui-session"
cat >"$T/editor" <<EDITOR
#!/bin/sh
echo "Noted, thanks." >>"\$1"
exit 0
EDITOR
chmod +x "$T/editor"
owed=$(ebb_cli list --json | python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin) if c.get("due_at") and c.get("state","inbox")=="inbox"))')
in_view() { ebb_cli list --view "$2" --json | python3 -c "import json,sys; print(any(c['id']==$1 for c in json.load(sys.stdin)))"; }
demo_start "tui-session" "EDITOR=$T/editor"
ok=1
tmux_keys S
expect "tui-session: header" "Reply session 1/$owed" || { demo_stop; exit 0; }
# 08:20 on a Tuesday: the first block is at 11:00.
row 1 | grep -qF "outside a block" || { fail "tui-session: block time" "$(row 1)"; ok=0; }
expect_status "tui-session: hints" "r:reply d:done s:snooze l:later n:next q:end"
first=$(title_line)
tmux_keys n
expect "tui-session: n moves on" "Reply session 2/$owed"
[ "$(title_line)" != "$first" ] || { fail "tui-session: n shows the next" "$(title_line)"; ok=0; }
# d: done, and the next one shows.
id2=$(ebb_cli list --json | python3 -c 'import json,sys; r=[c for c in json.load(sys.stdin) if c.get("due_at")]; print(r[1]["id"])')
tmux_keys d
expect "tui-session: d moves on" "Reply session 3/$owed"
[ "$(in_view "$id2" done)" = True ] || { fail "tui-session: d archives" "not in the Done view"; ok=0; }
# l: later.
tmux_keys l
expect "tui-session: l moves on" "Reply session 4/$owed"
# s opens the snooze menu; its first preset moves on.
tmux_keys s
expect "tui-session: snooze menu" "Snooze" 3
tmux_keys 1
expect "tui-session: s moves on" "Reply session 5/$owed"
# r: the reply is written, y queues it and the session moves on.
tmux_keys r
expect "tui-session: compose" "y:send" 5
tmux_keys y
expect "tui-session: r moves on" "Reply session 6/$owed"
expect_status "tui-session: reply held" "Held until"
# q ends the session and says how it went.
tmux_keys q
expect_status "tui-session: q" "Reply session ended: 4 of $owed dealt with"
tmux_screen | grep -qF "Reply session 6" && { fail "tui-session: q closes" "still shown"; ok=0; }
# :session starts it again over what is still owed (the reply is only held,
# so that conversation is still owed).
tmux_keys : s e s s i o n Enter
expect "tui-session: :session" "Reply session 1/$((owed - 3))"
tmux_keys q
[ $ok = 1 ] && pass "tui-session: S and :session walk the owed queue; r d l s n q"
# At 11:08, in the 11:00-11:30 block: the time left in it (the held reply
# is taken back first, or ebb would ask about its missed release).
for id in $(ebb_cli outbox --json | python3 -c 'import json,sys; print(" ".join(str(i["id"]) for i in json.load(sys.stdin)))'); do
	ebb_cli outbox cancel "$id" >/dev/null
done
NOW=1795514880
demo_restart "tui-session" "EDITOR=$T/editor"
tmux_keys S
expect "tui-session: block left" "Reply session 1/" && \
	expect "tui-session: block left" "block ends in 22m" && pass "tui-session: time left in the block"
demo_stop
exit 0
