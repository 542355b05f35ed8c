#!/bin/sh
# tests/tui/inbox.sh: the client on the demo data in tmux: inbox screen, thread,
# help, resizing down to 20x5 and back, and a restored terminal after Q.
. "$(dirname "$0")/../lib.sh"
name=tui-inbox
NOW=1795504800
expected="$TOP/tests/tui/expected/inbox.txt"

command -v tmux >/dev/null 2>&1 || { skip "$name" "tmux is not installed"; exit 0; }
[ -x "$EBB" ] || { skip "$name" "no ebb binary at $EBB (run make)"; exit 0; }
[ -f "$TOP/share/demo/config" ] || { skip "$name" "no demo data in share/demo"; exit 0; }

new_home
# A private copy: reading marks messages seen, which renames Maildir files.
cp -R "$TOP/share/demo" "$T/demo"
cfg="$T/demo/config"
if ! out=$(EBB_NOW=$NOW "$EBB" --config "$cfg" sync 2>&1); then
	fail "$name" "sync failed: $out"
	exit 0
fi

# After ebb exits the pane shows its status and whether the tty is sane again.
tmux_start 100 30 "EBB_NOW=$NOW $EBB --config $cfg; echo ebb-exited-\$?;" \
	"stty -a | grep -q ' icanon' && stty -a | grep -q ' echo ' && echo tty-restored"
if ! tmux_wait "Due (" 10; then
	fail "$name" "the inbox did not appear: $(tmux_screen | head -5 | tr '\n' ' ')"
	exit 0
fi
# The status bar settles once the background sync has looked at the Maildir.
tmux_wait "synced" 10 || { fail "$name" "sync state never showed: $(tmux_screen | tail -1)"; exit 0; }

screen="$T/screen.txt"
tmux_screen >"$screen"
if [ "${EBB_UPDATE_EXPECTED:-}" = 1 ]; then
	mkdir -p "$(dirname "$expected")"
	cp "$screen" "$expected"
fi
ok=1
if ! diff -u "$expected" "$screen" >"$T/diff" 2>&1; then
	fail "$name" "inbox screen differs from $expected: $(head -20 "$T/diff" | tr '\n' '|')"
	ok=0
fi

# The first list rows are overdue, and an unselected overdue marker is red.
sed -n 2,3p "$screen" | grep -q '^ overdue' ||
	{ fail "$name" "the first rows are not overdue: $(sed -n 2p "$screen")"; ok=0; }
esc=$(printf '\033')
tmux capture-pane -p -e -t "$TMUX_SESSION" | sed -n 3p | grep -q "$esc\[31moverdue" ||
	{ fail "$name" "the overdue marker of row 2 is not red"; ok=0; }

# j j Enter opens the third conversation: the thread's subject (h shows
# all headers) is the one of the third list row (which may be cut short
# there with "…").
tmux_keys j j Enter
if tmux_wait "From:" 5; then
	tmux_keys h
	tmux_wait "Subject:" 5
	subject=$(tmux_screen | sed -n 's/^ Subject: //p' | head -1)
	start=$(printf '%s' "$subject" | cut -c1-24)
	if [ -z "$subject" ] || ! sed -n 4p "$screen" | LC_ALL=C grep -qF -- "$start"; then
		fail "$name" "thread subject \"$subject\" is not the third row's: $(sed -n 4p "$screen")"
		ok=0
	fi
	tmux_screen | head -1 | LC_ALL=C grep -qF -- "$start" ||
		{ fail "$name" "the title line does not name the thread"; ok=0; }
else
	fail "$name" "Enter did not open the thread: $(tmux_screen | head -3 | tr '\n' '|')"
	ok=0
fi
tmux_keys q
tmux_wait "Due (" 5 || { fail "$name" "q did not return to the inbox"; ok=0; }

# Help lists every action of the table in src/ui/keys.c; it is longer than
# the screen, so it is read page by page (Space) to its end.
tmux_keys '?'
if tmux_wait "move-down" 5; then
	: >"$T/help.txt"
	for page in 1 2 3 4 5; do
		tmux_screen >>"$T/help.txt"
		tmux_keys Space
		sleep 0.2
	done
	tmux_screen | head -1 | grep -q "Help (" ||
		{ fail "$name" "help does not say it scrolls: $(tmux_screen | head -1)"; ok=0; }
	for action in $(sed -n 's/^[[:space:]]*{ ACT_[A-Z_]*, "\([a-z-]*\)".*/\1/p' "$TOP/src/ui/keys.c"); do
		grep -q " $action " "$T/help.txt" ||
			{ fail "$name" "help does not list $action"; ok=0; }
	done
else
	fail "$name" "? did not open help"
	ok=0
fi
tmux_keys q
tmux_wait "Due (" 5 || { fail "$name" "q did not close help"; ok=0; }

# Down to 20x5 and back: still running, and the same inbox as before.
tmux resize-window -t "$TMUX_SESSION" -x 20 -y 5
sleep 0.5
tmux_screen | head -1 | grep -q "ebb" || { fail "$name" "nothing drawn at 20x5: $(tmux_screen | tr '\n' '|')"; ok=0; }
tmux resize-window -t "$TMUX_SESSION" -x 100 -y 30
sleep 0.5
tmux_wait "synced" 5
tmux_screen >"$T/screen2.txt"
diff -u "$expected" "$T/screen2.txt" >/dev/null 2>&1 ||
	{ fail "$name" "the inbox differs after resizing back: $(diff "$expected" "$T/screen2.txt" | head -6 | tr '\n' '|')"; ok=0; }

# Q quits: exit status 0, the alternate screen gone, the tty back in cooked mode.
tmux_keys Q
if tmux_wait "tty-restored" 5; then
	tmux_screen | grep -q "ebb-exited-0" || { fail "$name" "ebb did not exit with 0"; ok=0; }
	tmux_screen | grep -q "Due (" && { fail "$name" "the inbox is still on screen after Q"; ok=0; }
else
	fail "$name" "Q did not quit or the terminal was not restored: $(tmux_screen | grep -v '^$' | tail -3 | tr '\n' '|')"
	ok=0
fi
[ "$ok" = 1 ] && pass "$name"
exit 0
