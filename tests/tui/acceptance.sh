#!/bin/sh
# tests/tui/acceptance.sh: the issue's acceptance walk, using only keys that
# `?` help shows: read the inbox in due order, open a thread, reply in
# $EDITOR, send, mark done, snooze until tomorrow, undo, and search.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
name=tui-acceptance
demo_require $name
demo_setup $name
cat >"$T/editor" <<'EDITOR'
#!/bin/sh
echo "Sounds good, I will be there." >>"$1"
EDITOR
chmod +x "$T/editor"
demo_start $name "EDITOR=$T/editor"
ok=1

# Learn the keys from help: "   KEYS   name   text", page by page.
tmux_keys '?'
tmux_wait "move-down" 5 || { fail $name "? shows no help"; exit 0; }
: >"$T/help"
for page in 1 2 3 4 5; do
	tmux_screen >>"$T/help"
	tmux_keys Space
	sleep 0.2
done
tmux_keys q
key_of() {  # the first key help lists for an action, in tmux send-keys spelling
	k=$(sed -n "s/^   \([^ ]*\)[ ,].* $1  .*/\1/p" "$T/help" | head -1)
	k=${k%,}
	case $k in
	Enter) echo Enter ;; Space) echo Space ;; Esc) echo Escape ;;
	*) echo "$k" ;;
	esac
}
for action in open reply send done snooze undo search back; do
	[ -n "$(key_of $action)" ] || { fail $name "help shows no key for $action"; exit 0; }
done

# Due order: overdue first, then at risk / due, then the rest.
expect $name "Due (152)"
tmux_screen | sed -n 2,8p | grep -vq '^ overdue' && { fail $name "the first rows are not overdue"; ok=0; }
tmux_screen | sed -n 9p | grep -q '^ due 1h' || { fail $name "row 8 is not due 1h: $(row 8)"; ok=0; }

# Open the Tokyo thread (row 22), reply, send.
for i in $(seq 21); do tmux_keys j; done
tmux_keys "$(key_of open)"
expect $name "Tokyo office sync: agenda for Thursday" && {
	tmux_keys "$(key_of reply)"
	expect $name "Sounds good, I will be there." && {
		tmux_keys "$(key_of send)"
		expect $name "Held until 11:00 (next reply block)"
	}
	# Done from the thread: back to the list.
	tmux_keys "$(key_of done)"
	expect $name "Done: Tokyo office sync: agenda for Thursday"
	expect $name "Due (151)"
}
# Snooze the first row until tomorrow, then undo it.
tmux_keys g "$(key_of snooze)"
expect $name "Tomorrow, start of work" && {
	key=$(tmux_screen | sed -n 's/^ \([1-9]\)  Tomorrow, start of work.*/\1/p')
	tmux_keys "${key:-3}"
	expect $name "Snoozed until Wed 09:00: All-hands talk about the sync engine?"
	expect $name "Due (150)"
	tmux_keys "$(key_of undo)"
	expect $name "Undone (Snoozed): All-hands talk about the sync engine?"
	expect $name "Due (151)"
}
# Search, open the hit, back.
tmux_keys "$(key_of search)" 'subject:"Interview panel"' Enter
expect $name "(1)" && {
	tmux_keys "$(key_of open)"
	expect $name "Interview panel on Thursday?"
	tmux_keys "$(key_of back)" "$(key_of back)"
	expect $name "Due (151)"
}
tmux_keys Q
[ "$ok" = 1 ] && pass $name
exit 0
