#!/bin/sh
# tests/tui/status.sh: the status bar (sync state per account, an account's
# error, held outbox mail, time to the next reply block), [colors] (and
# NO_COLOR), [keys] rebinding shown in help, and a clear line for bad
# [keys] or [colors] entries.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require tui-status
demo_setup tui-status
echo "Hello" | ebb_cli send --to kim@example.com --subject "Note" >/dev/null 2>&1
cp "$cfg" "$T/config.plain"
cat >>"$cfg" <<EOF2

[account.broken]
kind = maildir
path = $T/no-such-maildir

[keys]
done = D
search = ^F, /

[colors]
overdue = green
at-risk = bright-magenta, default
EOF2
demo_start tui-status

esc=$(printf '\033')
ok=1
expect tui-status-bar "broken: " && {
	status_line | grep -qF "demo synced" || { fail tui-status-bar "no sync state for demo: $(status_line)"; ok=0; }
	status_line | grep -qF "1 held · block in 2h40m" || { fail tui-status-bar "no outbox/block: $(status_line)"; ok=0; }
	status_line | grep -qF "?:help q:quit" || { fail tui-status-bar "no hints: $(status_line)"; ok=0; }
	# The error is drawn as an error (red).
	tmux capture-pane -p -e -t "$TMUX_SESSION" | tail -1 | grep -q "$esc\[[0-9;]*31m" ||
		{ fail tui-status-bar "the error is not red"; ok=0; }
}
[ "$ok" = 1 ] && pass tui-status-bar

# [colors]: overdue in green (32), at risk in bright magenta (95).
ok=1
cap=$(tmux capture-pane -p -e -t "$TMUX_SESSION")
printf '%s\n' "$cap" | sed -n 3p | grep -q "$esc\[[0-9;]*32m[^$esc]*overdue" ||
	{ fail tui-status-colors "overdue not green: $(printf '%s\n' "$cap" | sed -n 3p | od -c | head -3 | tr '\n' ' ')"; ok=0; }
printf '%s\n' "$cap" | grep "due 1h" | head -1 | grep -q "$esc\[[0-9;]*95m" ||
	{ fail tui-status-colors "at risk not bright magenta"; ok=0; }
[ "$ok" = 1 ] && pass tui-status-colors

# [keys]: D is done, d no longer; help shows the new keys.
ok=1
tmux_keys d
sleep 0.3
title_line | grep -qF "Due (152)" || { fail tui-status-keys "d still works: $(title_line)"; ok=0; }
tmux_keys D
expect tui-status-keys "Done: All-hands talk about the sync engine?" && {
	status_line | grep -qF "u to undo" || { fail tui-status-keys "no undo hint"; ok=0; }
}
tmux_keys C-f
expect_status tui-status-keys "Search:" && tmux_keys Escape
tmux_keys '?'
expect tui-status-keys "move-down" && {
	tmux_screen | grep -q "^   D  *done " || { fail tui-status-keys "help: $(tmux_screen | grep ' done ')"; ok=0; }
	tmux_screen | grep -q "^   ^F, /  *search " || { fail tui-status-keys "help: $(tmux_screen | grep ' search ')"; ok=0; }
}
tmux_keys q Q
[ "$ok" = 1 ] && pass tui-status-keys

# Bad entries: a line that says which, and ebb works on. (The line takes
# the place of the sync state, so this waits for the inbox only.)
start_plain() {
	demo_stop
	tmux_start 100 30 "EBB_NOW=$NOW $EBB --config $cfg"
	tmux_wait "Due (" 10 || { fail tui-status-errors "the inbox did not appear"; ok=0; }
}
ok=1
cp "$T/config.plain" "$cfg"
printf '\n[keys]\nfrobnicate = x\n[colors]\nbogus = red\n' >>"$cfg"
start_plain
status_line | grep -qF '[keys] line' && status_line | grep -qF 'no action "frobnicate"' ||
	{ fail tui-status-errors "no [keys] error line: $(status_line)"; ok=0; }
tmux_keys j
tmux_wait "synced" 5 || { fail tui-status-errors "the error line stays: $(status_line)"; ok=0; }
cp "$T/config.plain" "$cfg"
printf '\n[colors]\nbogus = red\n' >>"$cfg"
start_plain
status_line | grep -qF '[colors] line' && status_line | grep -qF 'no element "bogus"' ||
	{ fail tui-status-errors "no [colors] error line: $(status_line)"; ok=0; }
demo_stop
[ "$ok" = 1 ] && pass tui-status-errors

# NO_COLOR: attributes only, no color codes.
ok=1
cp "$T/config.plain" "$cfg"
printf '\n[colors]\noverdue = green\n' >>"$cfg"
demo_start tui-status-nocolor NO_COLOR=1
tmux capture-pane -p -e -t "$TMUX_SESSION" | grep -q "$esc\[[0-9;]*3[0-8]m" &&
	{ fail tui-status-nocolor "color codes with NO_COLOR"; ok=0; }
tmux capture-pane -p -e -t "$TMUX_SESSION" | sed -n 2p | grep -q "$esc\[1m" ||
	{ fail tui-status-nocolor "overdue not bold: $(tmux capture-pane -p -e -t "$TMUX_SESSION" | sed -n 2p | od -c | head -2 | tr '\n' ' ')"; ok=0; }
tmux_keys Q
[ "$ok" = 1 ] && pass tui-status-nocolor
exit 0
