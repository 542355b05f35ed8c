#!/bin/sh
# tests/tui/outbox_edit.sh: a held reply is edited from the Outbox view: e
# takes it out of the outbox into a draft and the editor, y holds it again
# with the new text and nothing goes out; left unchanged it stays a draft.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require tui-outbox-edit
demo_setup tui-outbox-edit
mkdir -p "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
printf 'sendmail_cmd = %s\n' "$T/deliver" >> "$cfg"

# The editor: applies $T/editor-sed to the file when there is one, then
# appends $T/editor-input (what the user "types").
cat >"$T/editor" <<EDITOR
#!/bin/sh
[ -s "$T/editor-sed" ] && sed -i -f "$T/editor-sed" "\$1"
[ -f "$T/editor-input" ] && cat "$T/editor-input" >>"\$1"
exit 0
EDITOR
chmod +x "$T/editor"
demo_start tui-outbox-edit "EDITOR=$T/editor"

sent() { ls "$T/sent" | wc -l | tr -d ' '; }
states() { ebb_cli outbox --json | python3 -c 'import json,sys; print(" ".join(i["state"] for i in json.load(sys.stdin)))'; }
# Payloads of the items still waiting (held or queued).
waiting() { sqlite3 "$T/data/ebb/ebb.db" "select payload from outbox where state in ('held', 'queued')"; }
have_sqlite=0
command -v sqlite3 >/dev/null 2>&1 && have_sqlite=1

# At 08:20, outside a block: the reply is held until 11:00.
ok=1
echo "Numbers on Thursday." >"$T/editor-input"
tmux_keys j j j j r
expect tui-outbox-edit-queue "Draft saved" && tmux_keys y
expect tui-outbox-edit-queue "Held until 11:00 (next reply block)"
st=$(states)
[ "$st" = "held" ] || { fail tui-outbox-edit-queue "states=$st"; ok=0; }
[ "$ok" = 1 ] && pass tui-outbox-edit-queue

# 7 e: the editor gets the held mail; the new text replaces the old.
ok=1
: >"$T/editor-input"
echo 's/^Numbers on Thursday\.$/Numbers on Friday, sorry./' >"$T/editor-sed"
tmux_keys 7
expect tui-outbox-edit "Outbox (1)" && {
	status_line | grep -qF "e:edit" || { fail tui-outbox-edit "no e in the hints: $(status_line)"; ok=0; }
	tmux_keys e
	expect tui-outbox-edit "Numbers on Friday, sorry." && {
		tmux_screen | grep -qF "Numbers on Thursday." &&
			{ fail tui-outbox-edit "the old text is still in the draft"; ok=0; }
		# Out of the outbox while it is edited: nothing can send it.
		st=$(states)
		[ "$st" = "cancelled" ] || { fail tui-outbox-edit "while editing: states=$st"; ok=0; }
		tmux_keys y
		expect tui-outbox-edit "Held until 11:00 (next reply block)"
	}
}
st=$(states)
[ "$st" = "cancelled held" ] || { fail tui-outbox-edit "after y: states=$st"; ok=0; }
if [ "$have_sqlite" = 1 ]; then
	w=$(waiting)
	printf '%s' "$w" | grep -qF "Numbers on Friday, sorry." &&
		! printf '%s' "$w" | grep -qF "Numbers on Thursday." &&
		printf '%s' "$w" | grep -q "^In-Reply-To: <" ||
		{ fail tui-outbox-edit "held payload: $(printf '%s' "$w" | tr '\n' '|' | cut -c1-300)"; ok=0; }
fi
# y went back to the outbox, which lists the new item only.
expect tui-outbox-edit "Outbox (1)"
sleep 1
n=$(sent)
[ "$n" = 0 ] || { fail tui-outbox-edit "$n sent"; ok=0; }
[ "$ok" = 1 ] && pass tui-outbox-edit

# e, then the editor leaves it as it was and q: a draft, said so, not queued.
ok=1
: >"$T/editor-sed"
tmux_keys e
expect_status tui-outbox-edit-unchanged "Unchanged: #2 stays a draft" && {
	tmux_keys q
	expect_status tui-outbox-edit-unchanged "Not queued: #2 stays a draft"
	expect tui-outbox-edit-unchanged "Outbox (0)"
	tmux_keys 8
	expect tui-outbox-edit-unchanged "Drafts (1)"
}
st=$(states)
[ "$st" = "cancelled cancelled" ] || { fail tui-outbox-edit-unchanged "states=$st"; ok=0; }
n=$(sent)
[ "$n" = 0 ] || { fail tui-outbox-edit-unchanged "$n sent"; ok=0; }
[ "$ok" = 1 ] && pass tui-outbox-edit-unchanged
tmux_keys Q
exit 0
