#!/bin/sh
# tmux: R opens a reply that starts with the conversation's round-up; y
# queues it and stores the edited block in the decision table; the
# Decisions view (:view decisions) lists open action items and D closes one.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require "tui-roundup"
demo_setup "tui-roundup"
# The editor keeps a copy of what it was given and adds a decision.
cat >"$T/editor" <<EDITOR
#!/bin/sh
cp "\$1" "$T/given"
sed -i '0,/^- (none)\$/s//- We go with the 10 minute slot./' "\$1"
exit 0
EDITOR
chmod +x "$T/editor"
demo_start "tui-roundup" "EDITOR=$T/editor"
ok=1
# The first row of the Due view: the all-hands talk, one action item for me.
tmux_keys R
expect "tui-roundup: compose" "y:send" 5 || { demo_stop; exit 0; }
for want in "Round-up" "Action items:" "- [me] give a 10 minute talk about the new sync engine" "Open questions:"; do
	grep -qF -- "$want" "$T/given" || { fail "tui-roundup: template" "no \"$want\" in the editor"; ok=0; }
done
grep -q "^> " "$T/given" || { fail "tui-roundup: template" "the quote is gone"; ok=0; }
tmux_keys y
expect_status "tui-roundup: saved" "Held until 11:00; round-up: 1 decision(s), 1 action(s), 0 question(s)"
out=$(ebb_cli decisions)
case "$out" in *"give a 10 minute talk"*) ;; *) fail "tui-roundup: stored" "ebb decisions: $out"; ok=0;; esac
[ $ok = 1 ] && pass "tui-roundup: R pre-fills the round-up, y stores it"
ok=1
tmux_keys : v i e w Space d e c i s i o n s Enter
expect "tui-roundup: decisions view" "Action items (1 open)" || { demo_stop; exit 0; }
expect "tui-roundup: item row" "give a 10 minute talk"
row 1 | grep -qF "Thu 3 Dec" || row 1 | grep -qF "3 Dec" || { fail "tui-roundup: due shown" "$(row 1)"; ok=0; }
tmux_keys D
expect "tui-roundup: D closes" "Action items (0 open)"
expect "tui-roundup: empty" "No open action items"
out=$(ebb_cli decisions)
case "$out" in *"give a 10 minute talk"*) fail "tui-roundup: closed in the store" "$out"; ok=0;; esac
tmux_keys q
[ $ok = 1 ] && pass "tui-roundup: the Decisions view lists open items, D closes one"
demo_stop
exit 0
