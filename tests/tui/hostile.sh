#!/bin/sh
# tests/tui/hostile.sh: mail carrying escapes (SGR, OSC 52, OSC 8, titles, C1),
# bidi overrides and invalid UTF-8 must reach the screen only as U+FFFD.
. "$(dirname "$0")/../lib.sh"
name=tui-hostile
NOW=1795504800

command -v tmux >/dev/null 2>&1 || { skip "$name" "tmux is not installed"; exit 0; }
[ -x "$EBB" ] || { skip "$name" "no ebb binary at $EBB (run make)"; exit 0; }

new_home
mkdir -p "$T/mail/cur" "$T/mail/new" "$T/mail/tmp"
cat >"$XDG_CONFIG_HOME/ebb/config" <<EOF
[hours]
tz = UTC
[account.evil]
kind = maildir
path = $T/mail
me = me@example.com
EOF

# Raw bytes in the headers, the way a hostile server would send them.
{
	printf 'From: Mallory <mallory@evil.example>\n'
	printf 'To: me@example.com\n'
	printf 'Subject: HOSTILE red\033[31mALERT\033[0m clip\033]52;c;ZWNobyBwd25lZA==\007'
	printf ' link\033]8;;https://evil.example/\033\\click\033]8;;\033\\'
	printf ' rtl\342\200\256fdp.exe bad\377\376\300\257 csi\302\233'
	printf '2J title\033]0;owned\033\\ end\n'
	printf 'Date: Mon, 23 Nov 2026 10:00:00 +0000\n'
	printf 'Message-ID: <hostile1@evil.example>\n'
	printf 'Content-Type: text/plain; charset=utf-8\n'
	printf '\n'
	printf 'BODY start\033[2J\033[H\033]52;c;cm0gLXJmIH4=\007 osc8\033]8;;file:///etc/passwd\007x\033]8;;\007\n'
	printf 'bidi \342\201\246isolate\342\201\251 \342\200\256override\n'
	printf 'invalid \377 \355\240\200 dcs\033P1$r0m\033\\ apc\033_Gi=1;AAAA\033\\ BODY end\n'
} >"$T/mail/cur/1700000000.1.evil:2,"

# The same through RFC 2047 encoded words: decoders must not let them through.
{
	printf 'From: =?UTF-8?B?%s?= <eve@evil.example>\n' "$(printf 'Eve\033[5m\342\200\256' | base64 | tr -d '\n')"
	printf 'To: me@example.com\n'
	printf 'Subject: =?UTF-8?B?%s?=\n' "$(printf 'ENCODED \033]52;c;QUFB\007 \302\235 0;t\007 \033[1mbold \342\200\256x' | base64 | tr -d '\n')"
	printf 'Date: Mon, 23 Nov 2026 11:00:00 +0000\n'
	printf 'Message-ID: <hostile2@evil.example>\n'
	printf '\n'
	printf 'second\n'
} >"$T/mail/cur/1700000001.2.evil:2,"

if ! out=$(EBB_NOW=$NOW "$EBB" sync 2>&1); then
	fail "$name" "sync failed: $out"
	exit 0
fi

tmux_start 100 30 "EBB_NOW=$NOW $EBB"
if ! tmux_wait "Due (" 10; then
	fail "$name" "the inbox did not appear: $(tmux_screen | head -5 | tr '\n' ' ')"
	exit 0
fi
tmux_wait "synced" 10

esc=$(printf '\033')
# Everything but tmux's own SGR sequences (ESC [ digits/semicolons m).
check_capture() {  # $1 = what is on screen, for messages
	cap="$T/capture.$1"
	tmux capture-pane -p -e -t "$TMUX_SESSION" >"$cap"
	leftover=$(LC_ALL=C sed "s/$esc\[[0-9;]*m//g" "$cap" | LC_ALL=C grep -c "$esc")
	[ "$leftover" = 0 ] || { fail "$name" "$1: escape sequences other than SGR reached the screen"; return 1; }
	for bad in '\007' '\302\233' '\302\235' '\302\220' '\302\237' '\342\200\256' '\342\201\246' \
		'\342\201\251' '\377' '\376' '\300\257' '\355\240\200'; do
		if LC_ALL=C grep -qF "$(printf "$bad")" "$cap"; then
			fail "$name" "$1: hostile bytes $bad reached the screen"
			return 1
		fi
	done
	LC_ALL=C grep -qF "$(printf '\357\277\275')" "$cap" ||
		{ fail "$name" "$1: no U+FFFD placeholder on screen"; return 1; }
	return 0
}

ok=1
check_capture inbox || ok=0
# Let tmux obey OSC 52 from the pane, redraw everything, and look at what
# the terminal itself took in: no paste buffer, no title from the mail.
tmux set-option -s -t "$TMUX_SESSION" set-clipboard on
tmux_keys C-l
sleep 0.3
if [ -n "$(tmux list-buffers 2>/dev/null)" ]; then
	fail "$name" "an OSC 52 clipboard write reached the terminal"
	ok=0
fi
case $(tmux display-message -p -t "$TMUX_SESSION" '#{pane_title}') in
*owned*) fail "$name" "an OSC title sequence reached the terminal"; ok=0 ;;
esac
tmux_screen | grep -q "HOSTILE red" || { fail "$name" "the hostile subject is not listed"; ok=0; }
tmux_screen | grep -q "ENCODED" || { fail "$name" "the encoded-word subject is not listed"; ok=0; }

# Open the raw-bytes message: its headers and body are drawn too.
row=$(tmux_screen | grep -n "HOSTILE" | head -1 | cut -d: -f1)
first=$(tmux_screen | grep -n "ENCODED" | head -1 | cut -d: -f1)
if [ -n "$row" ] && [ -n "$first" ] && [ "$row" -gt "$first" ]; then tmux_keys j; fi
tmux_keys Enter
if tmux_wait "BODY end" 5; then
	check_capture thread || ok=0
else
	fail "$name" "the hostile message did not open: $(tmux_screen | head -3 | tr '\n' ' ')"
	ok=0
fi
tmux_keys q
tmux_wait "Due (" 5 || { fail "$name" "q did not return to the inbox"; ok=0; }
tmux_keys Q
[ "$ok" = 1 ] && pass "$name"
exit 0
