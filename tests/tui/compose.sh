#!/bin/sh
# tests/tui/compose.sh: writing mail in $EDITOR from the screen: r reply
# (To, "Re:" once, attribution and quote), a reply-all (Cc without me), y
# queues it held until the next reply block, c a new mail with To and
# Subject typed in the pane, q postpones to the Drafts view, and a draft
# continued from there. The editor gets a 0600 file in a 0700 directory.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require tui-compose
demo_setup tui-compose

# The editor: logs the modes it was given and the header block, then
# appends $T/editor-input to the body (what the user "types").
cat >"$T/editor" <<EDITOR
#!/bin/sh
{
	echo "file=\$(stat -c %a "\$1") dir=\$(stat -c %a "\$(dirname "\$1")")"
	sed -n '1,3p' "\$1"
} >>"$T/editor.log"
[ -f "$T/editor-input" ] && cat "$T/editor-input" >>"\$1"
exit 0
EDITOR
chmod +x "$T/editor"
demo_start tui-compose "EDITOR=$T/editor"

HEADCOUNT="Headcount plan for Q1: your numbers by Friday"

# r on the fifth row: the editor runs at once, the pane shows the reply.
ok=1
echo "Thanks Ann, the numbers come on Thursday." >"$T/editor-input"
tmux_keys j j j j r
if expect tui-compose-reply "Draft saved"; then
	for want in "To: Ann Becker <ann.becker@example.com>" "Subject: Re: $HEADCOUNT" \
		"On Thu, 19 Nov 2026 10:05 +0100, Ann Becker wrote:" \
		"> Friendly reminder: I still need your three numbers for the plan." \
		"Thanks Ann, the numbers come on Thursday." "y:send"; do
		tmux_screen | grep -qF -- "$want" || { fail tui-compose-reply "no \"$want\" on screen"; ok=0; }
	done
	tmux_screen | grep -qF "Re: Re:" && { fail tui-compose-reply "Re: stacked"; ok=0; }
	tmux_screen | grep -q "^ Cc: ." && { fail tui-compose-reply "a plain reply has a Cc"; ok=0; }
	grep -q "^file=600 dir=700$" "$T/editor.log" ||
		{ fail tui-compose-reply "editor file modes: $(head -1 "$T/editor.log")"; ok=0; }
	grep -qF "To: Ann Becker <ann.becker@example.com>" "$T/editor.log" ||
		{ fail tui-compose-reply "the editor did not get the headers: $(cat "$T/editor.log")"; ok=0; }
	# ebb's TMPDIR is $T: the editor's directory is gone once it returned.
	left=$(ls -d "$T"/ebb-?????? 2>/dev/null)
	[ -n "$left" ] && { fail tui-compose-reply "temp files left: $left"; ok=0; }
fi
[ "$ok" = 1 ] && pass tui-compose-reply

# y: queued, held until the 11:00 block; the draft is gone; back in the list.
ok=1
tmux_keys y
if expect tui-compose-send "Held until 11:00 (next reply block)"; then
	title_line | grep -qF "Due (152)" || { fail tui-compose-send "not back in the list: $(title_line)"; ok=0; }
	status_line | grep -qF "1 held" || { fail tui-compose-send "status: $(status_line)"; ok=0; }
	out=$(ebb_cli outbox --json)
	printf '%s' "$out" | grep -q '"to":[[:space:]]*"Ann Becker <ann.becker@example.com>"' &&
		printf '%s' "$out" | grep -qF "\"Re: $HEADCOUNT\"" &&
		printf '%s' "$out" | grep -q '"state":[[:space:]]*"held"' &&
		printf '%s' "$out" | grep -q '"release_at":[[:space:]]*"2026-11-24T11:00:00+01:00"' ||
		{ fail tui-compose-send "outbox: $(printf '%s' "$out" | tr '\n\t' '  ')"; ok=0; }
	if command -v sqlite3 >/dev/null 2>&1; then
		payload=$(sqlite3 "$T/data/ebb/ebb.db" "select payload from outbox" 2>/dev/null)
		printf '%s' "$payload" | grep -q "^In-Reply-To: <.*@example.com>" &&
			printf '%s' "$payload" | grep -q "^References: <" &&
			printf '%s' "$payload" | grep -qF "Thanks Ann, the numbers come on Thursday." ||
			{ fail tui-compose-send "the queued mail lacks threading or body"; ok=0; }
	fi
fi
[ "$ok" = 1 ] && pass tui-compose-send

# a: reply-all keeps Dana in Cc and leaves me (sam@) out.
ok=1
echo "Adding Dana." >"$T/editor-input"
tmux_keys a
if expect tui-compose-reply-all "Draft saved"; then
	tmux_screen | grep -qF "Cc: Dana Whitfield <dana.whitfield@example.com>" ||
		{ fail tui-compose-reply-all "no Cc: $(tmux_screen | sed -n 2,5p | tr '\n' '|')"; ok=0; }
	tmux_screen | sed -n 3,5p | grep -qF "sam@example.com" &&
		{ fail tui-compose-reply-all "my own address is a recipient"; ok=0; }
fi
# q postpones: the draft stays, listed in Drafts.
tmux_keys q
expect tui-compose-reply-all "Draft kept"
[ "$ok" = 1 ] && pass tui-compose-reply-all

# c: a new mail; y without a recipient says how to add one.
ok=1
echo "Can we move the sync to 15:00?" >"$T/editor-input"
tmux_keys c
if expect tui-compose-new "Draft saved"; then
	tmux_keys y
	expect tui-compose-new "no recipient" && {
		tmux_keys t
		expect_status tui-compose-new "To:" && tmux_keys 'kim@example.com' Enter
		expect tui-compose-new "To: kim@example.com"
		tmux_keys s
		expect_status tui-compose-new "Subject:" && tmux_keys 'Sync time' Enter
		expect tui-compose-new "Subject: Sync time"
		tmux_keys y
		expect tui-compose-new "Held until 11:00 (next reply block)" &&
			status_line | grep -qF "2 held" || { fail tui-compose-new "status: $(status_line)"; ok=0; }
	}
fi
[ "$ok" = 1 ] && pass tui-compose-new

# 8: Drafts lists the postponed reply-all; Enter continues it, y sends it.
ok=1
tmux_keys 8
if expect tui-compose-drafts "Drafts (1)"; then
	row 1 | grep -qF "Re: $HEADCOUNT" || { fail tui-compose-drafts "row: $(row 1)"; ok=0; }
	tmux_keys Enter
	expect tui-compose-drafts "Adding Dana." && {
		tmux_keys y
		expect tui-compose-drafts "Held until 11:00" && {
			title_line | grep -qF "Drafts (0)" || { fail tui-compose-drafts "draft not gone: $(title_line)"; ok=0; }
		}
	}
fi
[ "$ok" = 1 ] && pass tui-compose-drafts
tmux_keys Q
exit 0
