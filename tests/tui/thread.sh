#!/bin/sh
# tests/tui/thread.sh: the thread pane: headers folded to From and Date (h
# shows all), quotes and signatures folded (z shows them), attachments
# listed and saved with S (a safe name, 0600, never over an existing file,
# the bytes of the attachment) or opened with o through xdg-open's argv.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require tui-thread
demo_setup tui-thread
mkdir -p "$T/bin" "$T/dl"
# xdg-open that records what it was given (one argument per line).
cat >"$T/bin/xdg-open" <<XDG
#!/bin/sh
for a in "\$@"; do echo "arg:\$a"; done >>"$T/xdg.log"
cp "\$1" "$T/opened" 2>/dev/null
XDG
chmod +x "$T/bin/xdg-open"
demo_start tui-thread "XDG_DOWNLOAD_DIR=$T/dl" "PATH=$T/bin:$PATH"

# Headcount plan (row 5): a signature at the end of Ann's message.
ok=1
tmux_keys j j j j Enter
if expect tui-thread-folds "From: Ann Becker <ann.becker@example.com>"; then
	tmux_screen | grep -qF "[… signature, 2 lines — z shows]" ||
		{ fail tui-thread-folds "no folded signature"; ok=0; }
	tmux_screen | grep -q "^ To: " && { fail tui-thread-folds "To shown while folded"; ok=0; }
	tmux_keys z
	expect tui-thread-folds "Quotes and signatures shown" && {
		tmux_screen | grep -q "^ Ann Becker$" || { fail tui-thread-folds "signature not shown"; ok=0; }
		tmux_screen | grep -qF "[… signature" && { fail tui-thread-folds "still folded"; ok=0; }
	}
	tmux_keys z
	expect tui-thread-folds "[… signature, 2 lines"
	tmux_keys h
	expect tui-thread-folds "To: Sam Rivera <sam@example.com>" && {
		tmux_screen | grep -qF "Cc: Dana Whitfield <dana.whitfield@example.com>" &&
			tmux_screen | grep -qF "Subject: Headcount plan for Q1" ||
			{ fail tui-thread-folds "not all headers: $(tmux_screen | sed -n 2,7p | tr '\n' '|')"; ok=0; }
	}
	tmux_keys h
	sleep 0.3
	tmux_screen | grep -q "^ To: " && { fail tui-thread-folds "h did not fold the headers again"; ok=0; }
fi
tmux_keys q
[ "$ok" = 1 ] && pass tui-thread-folds

# The PDF of "Q4 budget draft" (row 9), saved twice.
PDF=$(grep -l "application/pdf" "$T/demo/Maildir/cur/"* | head -1)
ok=1
tmux_keys g j j j j j j j j Enter
if expect tui-thread-attachments "[1] Q4-budget-draft.pdf application/pdf 224 B"; then
	tmux_keys S
	expect_status tui-thread-attachments "Save [1] to directory: $T/dl" && {
		tmux_keys Enter
		expect tui-thread-attachments "Saved $T/dl/Q4-budget-draft.pdf (224 B)"
	}
	tmux_keys S Enter
	expect tui-thread-attachments "Saved $T/dl/Q4-budget-draft (1).pdf"
	[ "$(stat -c %a "$T/dl/Q4-budget-draft.pdf" 2>/dev/null)" = 600 ] ||
		{ fail tui-thread-attachments "mode $(stat -c %a "$T/dl/Q4-budget-draft.pdf" 2>&1)"; ok=0; }
	cmp -s "$T/dl/Q4-budget-draft.pdf" "$T/dl/Q4-budget-draft (1).pdf" ||
		{ fail tui-thread-attachments "the two copies differ"; ok=0; }
	head -c 5 "$T/dl/Q4-budget-draft.pdf" | grep -q "%PDF-" ||
		{ fail tui-thread-attachments "not the PDF's bytes: $(head -c 20 "$T/dl/Q4-budget-draft.pdf" | od -c | head -1)"; ok=0; }
	if command -v python3 >/dev/null 2>&1 && [ -n "$PDF" ]; then
		python3 - "$PDF" "$T/dl/Q4-budget-draft.pdf" <<'PY' || { fail tui-thread-attachments "bytes differ from the mail's"; ok=0; }
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
want = [p.get_payload(decode=True) for p in m.walk() if p.get_filename()][0]
sys.exit(0 if want == open(sys.argv[2], 'rb').read() else 1)
PY
	fi
	# o: a private copy handed to xdg-open as one argument (run-mailcap is
	# preferred when the machine has one; then only the message is checked).
	tmux_keys o
	if PATH="$T/bin:$PATH" command -v run-mailcap >/dev/null 2>&1; then
		expect tui-thread-attachments "Opened with run-mailcap: Q4-budget-draft.pdf"
	else expect tui-thread-attachments "Opened with xdg-open: Q4-budget-draft.pdf" && {
		sleep 0.5
		grep -q "^arg:$T/ebb-open-.*/Q4-budget-draft.pdf$" "$T/xdg.log" && [ "$(grep -c '^arg:' "$T/xdg.log")" = 1 ] ||
			{ fail tui-thread-attachments "xdg-open got: $(cat "$T/xdg.log" 2>&1)"; ok=0; }
		cmp -s "$T/opened" "$T/dl/Q4-budget-draft.pdf" || { fail tui-thread-attachments "opened other bytes"; ok=0; }
	}
	fi
fi
[ "$ok" = 1 ] && pass tui-thread-attachments
tmux_keys Q
exit 0
