#!/bin/sh
# tests/tui/draft_crash.sh: a draft survives kill -9: once after the editor
# returned (the typed body is there after a restart), once while the editor
# is still open (the reply as it was when the editor started is there).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
name=tui-draft-crash
demo_require $name
demo_setup $name

# The editor appends a line; with $T/hold present it then waits for it to go.
cat >"$T/editor" <<EDITOR
#!/bin/sh
echo "Body typed before the crash." >>"\$1"
while [ -f "$T/hold" ]; do sleep 0.1; done
exit 0
EDITOR
chmod +x "$T/editor"

ebb_pid() {
	pane=$(tmux display-message -p -t "$TMUX_SESSION" '#{pane_pid}')
	pgrep -P "$pane" | head -1   # env execs ebb: the shell's only child
}

# 1. After the editor returned: kill -9, start again, the draft has the body.
ok=1
demo_start $name "EDITOR=$T/editor"
tmux_keys j j j j r
if expect $name "Draft saved"; then
	pid=$(ebb_pid)
	[ -n "$pid" ] && kill -9 "$pid"
	tmux_wait "ebb-exited-137" 5 || { fail $name "ebb was not killed (pid \"$pid\")"; ok=0; }
	demo_restart $name "EDITOR=$T/editor"
	tmux_keys 8
	if expect $name "Drafts (1)"; then
		row 1 | grep -qF "Re: Headcount plan for Q1" || { fail $name "draft row: $(row 1)"; ok=0; }
		tmux_keys Enter
		expect $name "Body typed before the crash." &&
			expect $name "> Friendly reminder: I still need your three numbers"
		tmux_keys q
	fi
fi

# 2. While the editor is open: what was saved when it started survives.
touch "$T/hold"
tmux_keys 1 j j j r
tmux_wait "Body typed" 1   # the editor owns the terminal now; nothing to see
sleep 0.5
pid=$(ebb_pid)
[ -n "$pid" ] && kill -9 "$pid"
rm -f "$T/hold"
tmux_wait "ebb-exited-137" 5 || { fail $name "ebb was not killed in the editor (pid \"$pid\")"; ok=0; }
demo_restart $name "EDITOR=$T/editor"
tmux_keys 8
if expect $name "Drafts (2)"; then
	tmux_screen | grep -qF "Re: Access request: staging database" ||
		{ fail $name "the draft opened before the crash is missing: $(tmux_screen | sed -n 2,3p | tr '\n' '|')"; ok=0; }
fi
tmux_keys Q
[ "$ok" = 1 ] && pass $name
exit 0
