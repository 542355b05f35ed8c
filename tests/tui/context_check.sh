#!/bin/sh
# tests/tui/context_check.sh: the high-context check in the compose pane.
# y on a new request without a deadline names what is missing and offers
# e (edit again), s (send anyway), d (keep as draft); it never blocks the
# mail. With context_check = off there is no question.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require tui-context-check
demo_setup tui-context-check
mkdir -p "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
printf 'sendmail_cmd = %s\n' "$T/deliver" >> "$cfg"

# The editor: the file becomes $T/editor-file (what the user wrote).
cat >"$T/editor" <<EDITOR
#!/bin/sh
cat "$T/editor-file" >"\$1"
EDITOR
chmod +x "$T/editor"
# write SUBJECT BODY: the editor's next file, a new mail to kim.
write() { printf 'To: kim@example.com\nCc: \nSubject: %s\n\n%s\n' "$1" "$2" >"$T/editor-file"; }
held() { ebb_cli outbox --json | python3 -c 'import json,sys; print(sum(i["state"] == "held" for i in json.load(sys.stdin)))'; }
demo_start tui-context-check "EDITOR=$T/editor"

# c, no deadline: y asks, names the deadline only; s sends it anyway.
ok=1
write "Budget numbers" "Could you send me the budget numbers?"
tmux_keys c
expect tui-context-send-anyway "Draft saved" && {
	tmux_keys y
	expect tui-context-send-anyway "Missing: no deadline" && {
		tmux_screen | grep -qF "no clear ask" && { fail tui-context-send-anyway "the ask was there"; ok=0; }
		for want in "Edit again" "Send anyway" "Keep as a draft"; do
			tmux_screen | grep -qF "$want" || { fail tui-context-send-anyway "no \"$want\""; ok=0; }
		done
		status_line | grep -qF "by Thursday 15:00" ||
			{ fail tui-context-send-anyway "no advice: $(status_line)"; ok=0; }
		tmux_keys s
		expect tui-context-send-anyway "Held until 11:00 (next reply block)"
	}
}
n=$(held)
[ "$n" = 1 ] || { fail tui-context-send-anyway "$n held"; ok=0; }
[ "$ok" = 1 ] && pass tui-context-send-anyway

# e edits again; with the deadline added y queues without a question.
ok=1
write "Budget numbers" "Could you send me the budget numbers?"
tmux_keys c
expect tui-context-edit "Draft saved" && {
	tmux_keys y
	expect tui-context-edit "Missing: no deadline" && {
		write "Budget numbers" "Could you send me the budget numbers by Thursday 15:00?"
		tmux_keys e
		expect tui-context-edit "by Thursday 15:00?" && {
			tmux_keys y
			expect tui-context-edit "Held until 11:00 (next reply block)"
		}
	}
}
n=$(held)
[ "$n" = 2 ] || { fail tui-context-edit "$n held"; ok=0; }
[ "$ok" = 1 ] && pass tui-context-edit

# d keeps it as a draft: not queued.
ok=1
write "Slides" "Please look at the slides."
tmux_keys c
expect tui-context-draft "Draft saved" && {
	tmux_keys y
	expect tui-context-draft "Missing: no deadline" && {
		tmux_keys d
		expect_status tui-context-draft "Draft kept"
		tmux_keys 8
		expect tui-context-draft "Drafts (1)"
	}
}
n=$(held)
[ "$n" = 2 ] || { fail tui-context-draft "$n held"; ok=0; }
[ "$ok" = 1 ] && pass tui-context-draft

# context_check = off: no question.
ok=1
printf '[general]\ncontext_check = off\n' >>"$cfg"
demo_restart tui-context-check "EDITOR=$T/editor"
write "Budget numbers" "Could you send me the budget numbers?"
tmux_keys c
expect tui-context-off "Draft saved" && {
	tmux_keys y
	expect tui-context-off "Held until 11:00 (next reply block)"
	tmux_screen | grep -qF "Missing:" && { fail tui-context-off "asked anyway"; ok=0; }
}
n=$(held)
[ "$n" = 3 ] || { fail tui-context-off "$n held"; ok=0; }
[ "$(ls "$T/sent" | wc -l | tr -d ' ')" = 0 ] || { fail tui-context-off "something was sent"; ok=0; }
[ "$ok" = 1 ] && pass tui-context-off
tmux_keys Q
exit 0
