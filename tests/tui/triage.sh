#!/bin/sh
# tests/tui/triage.sh: the triage keys on the demo inbox: d done, u undo
# (several levels), s snooze with its presets, x marks, l later, w waiting
# with a follow-up date, n needs-reply, m mute, and d from a thread. Each
# writes the store at once (checked with the CLI) and says so in the status bar.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require tui-triage
demo_setup tui-triage
demo_start tui-triage

FIRST="All-hands talk about the sync engine?"
SECOND="Review: on-call runbook changes"
THIRD="Review: PR #412 retry budget for sync"

# d: done at once, in the store, with a confirmation naming the subject.
ok=1
tmux_keys d
expect tui-triage-done "Done: $FIRST" && {
	status_line | grep -qF "u to undo" || { fail tui-triage-done "no undo hint: $(status_line)"; ok=0; }
	title_line | grep -qF "Due (151)" || { fail tui-triage-done "count: $(title_line)"; ok=0; }
	row 1 | grep -qF "$SECOND" || { fail tui-triage-done "first row: $(row 1)"; ok=0; }
	ebb_cli list --view done | grep -qF "$FIRST" || { fail tui-triage-done "not done in the store"; ok=0; }
}
[ "$ok" = 1 ] && pass tui-triage-done

# u: back where it was.
ok=1
tmux_keys u
expect tui-triage-undo "Undone (Done): $FIRST" && {
	title_line | grep -qF "Due (152)" || { fail tui-triage-undo "count: $(title_line)"; ok=0; }
	row 1 | grep -qF "$FIRST" || { fail tui-triage-undo "first row: $(row 1)"; ok=0; }
	ebb_cli list --view done | grep -qF "$FIRST" && { fail tui-triage-undo "still done in the store"; ok=0; }
}
[ "$ok" = 1 ] && pass tui-triage-undo

# s: the presets with their times; 3 = tomorrow at the start of work.
ok=1
tmux_keys g s
if expect tui-triage-snooze "Snooze until"; then
	for preset in "In 3 hours" "Next reply block" "Tomorrow, start of work" "Next Monday" "Custom"; do
		tmux_screen | grep -qF "$preset" || { fail tui-triage-snooze "no preset $preset"; ok=0; }
	done
	tmux_screen | grep "Tomorrow, start of work" | grep -qF "Wed 09:00" ||
		{ fail tui-triage-snooze "tomorrow is not Wed 09:00: $(tmux_screen | grep Tomorrow)"; ok=0; }
	tmux_keys 3
	expect tui-triage-snooze "Snoozed until Wed 09:00: $FIRST" &&
		ebb_cli list --view snoozed --json | grep -q '"snooze_until":[[:space:]]*"2026-11-25T09:00:00+01:00"' ||
		{ fail tui-triage-snooze "not snoozed until Wed 09:00 in the store"; ok=0; }
	tmux_keys 5
	expect tui-triage-snooze "Snoozed (1)" && {
		row 1 | grep -qF "Wed 09:00" || { fail tui-triage-snooze "row: $(row 1)"; ok=0; }
	}
	# A custom time in the same forms as `ebb snooze`.
	tmux_keys 1 j s 5
	expect tui-triage-snooze "Snooze until (" && {
		tmux_keys '+2h' Enter
		expect tui-triage-snooze "Snoozed until 10:20: $THIRD"
	}
fi
[ "$ok" = 1 ] && pass tui-triage-snooze

# Several levels of undo: the custom snooze, then the first snooze.
ok=1
tmux_keys u
expect tui-triage-undo-levels "Undone (Snoozed): $THIRD" && {
	tmux_keys u
	expect tui-triage-undo-levels "Undone (Snoozed): $FIRST" && {
		title_line | grep -qF "Due (152)" || { fail tui-triage-undo-levels "count: $(title_line)"; ok=0; }
		# The done of the first test was undone already: nothing is left.
		tmux_keys u
		expect tui-triage-undo-levels "Nothing to undo"
	}
}
ebb_cli list --view snoozed | grep -q . && { fail tui-triage-undo-levels "something is still snoozed"; ok=0; }
[ "$ok" = 1 ] && pass tui-triage-undo-levels

# x marks two rows, l moves both to Later, and the marks are gone.
ok=1
tmux_keys g x x
expect tui-triage-marks "2 marked" && {
	tmux_keys l
	expect tui-triage-marks "Later: 2 conversations" && {
		title_line | grep -qF "Due (150)" || { fail tui-triage-marks "count: $(title_line)"; ok=0; }
		title_line | grep -qF "marked" && { fail tui-triage-marks "marks left: $(title_line)"; ok=0; }
		tmux_keys 4
		expect tui-triage-marks "Later (2)" && {
			tmux_screen | grep -qF "$FIRST" && tmux_screen | grep -qF "$SECOND" ||
				{ fail tui-triage-marks "Later does not list both"; ok=0; }
		}
		tmux_keys 1 u
		expect tui-triage-marks "Undone (Later): 2 conversations"
	}
}
[ "$ok" = 1 ] && pass tui-triage-marks

# w: waiting with a follow-up date read like `ebb waiting`.
ok=1
tmux_keys g w
expect tui-triage-waiting "follow up on" && {
	tmux_keys fri Enter
	expect tui-triage-waiting "Waiting until Fri 09:00: $FIRST" && {
		ebb_cli list --view waiting --json | grep -q '"snooze_until":[[:space:]]*"2026-11-27T09:00:00+01:00"' ||
			{ fail tui-triage-waiting "no follow-up date in the store"; ok=0; }
		tmux_keys 3
		expect tui-triage-waiting "Waiting (1)"
		tmux_keys 1 u
	}
}
[ "$ok" = 1 ] && pass tui-triage-waiting

# n: not owed any more (sorts below the owed ones), and back with u.
ok=1
tmux_keys g n
expect tui-triage-needs-reply "No reply owed: $FIRST" && {
	row 1 | grep -qF "$SECOND" || { fail tui-triage-needs-reply "still first: $(row 1)"; ok=0; }
	ebb_cli list --json | grep -A12 -F "$FIRST" | grep -q '"needs_reply":[[:space:]]*false' ||
		{ fail tui-triage-needs-reply "still owed in the store"; ok=0; }
	tmux_keys u
	expect tui-triage-needs-reply "Undone (No reply owed)" &&
		{ row 1 | grep -qF "$FIRST" || { fail tui-triage-needs-reply "not first again: $(row 1)"; ok=0; }; }
}
[ "$ok" = 1 ] && pass tui-triage-needs-reply

# m: muted, listed by :view muted.
ok=1
tmux_keys g m
expect tui-triage-mute "Muted: $FIRST" && {
	tmux_keys : 'view muted' Enter
	expect tui-triage-mute "Muted (1)"
	tmux_keys 1 u
	expect tui-triage-mute "Due (152)"
}
[ "$ok" = 1 ] && pass tui-triage-mute

# From a thread: d marks it done and goes back to the list.
ok=1
tmux_keys g Enter
expect tui-triage-thread "From:" && {
	tmux_keys d
	expect tui-triage-thread "Done: $FIRST" && {
		title_line | grep -qF "Due (151)" || { fail tui-triage-thread "not back in the list: $(title_line)"; ok=0; }
	}
}
[ "$ok" = 1 ] && pass tui-triage-thread
tmux_keys Q
exit 0
