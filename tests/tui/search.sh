#!/bin/sh
# tests/tui/search.sh: `/` searches with FTS5 syntax plus from:, to:,
# subject:, before:, after: and in:; results show in a Search view, Enter
# opens one, q goes back; bad queries say why. `ebb search` reads the same.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require tui-search
demo_setup tui-search
demo_start tui-search

MIGRATION="Platform migration: cut-over plan for the EU clust"

ok=1
tmux_keys /
if expect_status tui-search "Search:"; then
	tmux_keys 'from:priya migration' Enter
	if expect tui-search "Search: from:priya migration (1)"; then
		row 1 | grep -qF "$MIGRATION" || { fail tui-search "row: $(row 1)"; ok=0; }
		tmux_keys Enter
		expect tui-search "(27 messages)" && {
			tmux_keys q
			expect tui-search "Search: from:priya migration (1)"
			tmux_keys q
			expect tui-search "Due (152)"
		}
	fi
fi
[ "$ok" = 1 ] && pass tui-search

# The filters: to: and after: on the messages, subject: and in:.
ok=1
tmux_keys / 'to:dana after:2026-11-20' Enter
expect tui-search-filters "Search: to:dana after:2026-11-20 (5)" &&
	{ tmux_screen | grep -qF "Customer survey results" || { fail tui-search-filters "to:dana misses a thread"; ok=0; }; }
tmux_keys q / 'to:dana before:2026-11-20' Enter
expect tui-search-filters "Search: to:dana before:2026-11-20 (" &&
	{ tmux_screen | grep -qF "Customer survey results" && { fail tui-search-filters "before: lets a later thread in"; ok=0; }; }
tmux_keys q / 'subject:"customer escalation"' Enter
expect tui-search-filters '(1)' && { row 1 | grep -qF "Customer escalation: Acme sync failures" ||
	{ fail tui-search-filters "subject: row: $(row 1)"; ok=0; }; }
tmux_keys q / 'in:Reviews' Enter
expect tui-search-filters "Search: in:Reviews (16)" &&
	{ tmux_screen | sed -n '2,17p' | grep -v "Review" | grep -q '[a-z]' &&
		{ fail tui-search-filters "in:Reviews lists other threads: $(tmux_screen | sed -n '2,17p' | grep -v Review | head -2)"; ok=0; }; }
tmux_keys q
[ "$ok" = 1 ] && pass tui-search-filters

# Bad queries: FTS5's complaint, a date that cannot be read.
ok=1
tmux_keys / '"unbalanced' Enter
expect tui-search-errors "search: " && { title_line | grep -qF "Due (152)" || { fail tui-search-errors "a pane opened: $(title_line)"; ok=0; }; }
tmux_keys / 'before:someday' Enter
expect tui-search-errors 'search: cannot read the date "someday"'
[ "$ok" = 1 ] && pass tui-search-errors

# The CLI reads the same words.
ok=1
out=$(ebb_cli search 'from:priya migration' 2>&1)
printf '%s\n' "$out" | grep -qF "Platform migration" && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
	{ fail tui-search-cli "ebb search: $out"; ok=0; }
out=$(ebb_cli search 'in:Reviews to:sam' --json 2>&1)
printf '%s' "$out" | grep -q '"channel":[[:space:]]*"Reviews"' &&
	! printf '%s' "$out" | grep -q '"channel":[[:space:]]*"INBOX"' ||
	{ fail tui-search-cli "ebb search --json: $(printf '%s' "$out" | head -3)"; ok=0; }
ebb_cli search 'after:nonsense' >/dev/null 2>&1 && { fail tui-search-cli "a bad date was accepted"; ok=0; }
[ "$ok" = 1 ] && pass tui-search-cli
tmux_keys Q
exit 0
