#!/bin/sh
# tests/tui/views.sh: the views by key (1-8) and by `:view NAME`, one
# channel (`:view channel NAME` and the picker), and the Outbox view: what
# is held, cancel (c) and send now (r), each after a yes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require tui-views
demo_setup tui-views
# Two mails in the outbox, held until the 11:00 reply block.
for who in kim lee; do
	echo "Hello $who" | ebb_cli send --to "$who@example.com" --subject "Note for $who" >/dev/null 2>&1 ||
		{ fail tui-views "ebb send failed"; exit 0; }
done
ebb_cli done 1 >/dev/null
demo_start tui-views

ok=1
for pair in "2:All (" "3:Waiting (0)" "4:Later (0)" "5:Snoozed (0)" "6:Done (1)" "7:Outbox (2)" \
	"8:Drafts (0)" "1:Due (151)"; do
	tmux_keys "${pair%%:*}"
	expect tui-views-keys "${pair#*:}" || break
done
[ "$ok" = 1 ] && pass tui-views-keys

ok=1
for pair in "all:All (" "waiting:Waiting (0)" "later:Later (0)" "snoozed:Snoozed (0)" \
	"done:Done (1)" "muted:Muted (0)" "outbox:Outbox (2)" "drafts:Drafts (0)" "due:Due (151)"; do
	tmux_keys : "view ${pair%%:*}" Enter
	expect tui-views-command "${pair#*:}" || break
done
tmux_keys : 'view nowhere' Enter
expect tui-views-command 'No view "nowhere"'
[ "$ok" = 1 ] && pass tui-views-command

# One channel by name, then by the picker.
ok=1
tmux_keys : 'view channel Reviews' Enter
if expect tui-views-channel "demo/Reviews ("; then
	tmux_screen | grep -qF "Review: accessibility audit notes" ||
		{ fail tui-views-channel "Reviews does not list its threads"; ok=0; }
	tmux_screen | grep -qF "Headcount plan" && { fail tui-views-channel "an INBOX thread in Reviews"; ok=0; }
fi
tmux_keys : 'view channel' Enter
if expect tui-views-channel "Channel (j/k, Enter"; then
	tmux_screen | grep -qF "demo/Lists" || { fail tui-views-channel "the picker lacks Lists"; ok=0; }
	line=$(tmux_screen | grep -F "demo/Lists" | head -1)
	key=$(printf '%s' "$line" | sed -n 's/^ \([1-9]\) .*/\1/p')
	tmux_keys "${key:-x}"
	expect tui-views-channel "demo/Lists ("
fi
tmux_keys 1
[ "$ok" = 1 ] && pass tui-views-channel

# Outbox: held until 11:00 with To and Subject; c asks, n keeps, y cancels.
ok=1
tmux_keys 7
if expect tui-views-outbox "Outbox (2)"; then
	row 1 | grep -qF "held until 11:00" && row 1 | grep -qF "kim@example.com" &&
		row 1 | grep -qF "Note for kim" || { fail tui-views-outbox "row 1: $(row 1)"; ok=0; }
	tmux_keys c
	expect_status tui-views-outbox "Cancel #1 to kim@example.com? (y/n)" && {
		tmux_keys n
		expect tui-views-outbox "Cancelled"   # the answer no: "Cancelled" the question
		title_line | grep -qF "Outbox (2)" || { fail tui-views-outbox "n cancelled the mail"; ok=0; }
		tmux_keys c
		expect_status tui-views-outbox "(y/n)" && tmux_keys y
		expect tui-views-outbox "Cancelled #1" && expect tui-views-outbox "Outbox (1)"
	}
	tmux_keys r
	expect_status tui-views-outbox "Send #2 now, before the reply block? (y/n)" && {
		tmux_keys y
		expect tui-views-outbox "Released #2" && {
			row 1 | grep -qF "queued" || { fail tui-views-outbox "not queued: $(row 1)"; ok=0; }
		}
	}
	out=$(ebb_cli outbox --json)
	printf '%s' "$out" | grep -q '"state":[[:space:]]*"queued"' &&
		! printf '%s' "$out" | grep -q '"state":[[:space:]]*"held"' ||
		{ fail tui-views-outbox "store: $(printf '%s' "$out" | grep state | tr '\n\t' '  ')"; ok=0; }
fi
[ "$ok" = 1 ] && pass tui-views-outbox
tmux_keys Q
exit 0
