#!/bin/sh
# tmux: outside reply blocks only a new owed conversation from a vip rings
# (once); any other new mail stays quiet. notify = always notifies for every
# new owed conversation.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/demo.inc"
demo_require "tui-notify-vip"
demo_setup "tui-notify-vip"
sed -i "s|^notify = blocks\$|notify = blocks\nvip = boss@example.com\nnotify_cmd = printf '%s\\\\n' \"\$1\" >> $T/notes|" "$cfg"
notes() { [ -f "$T/notes" ] && cat "$T/notes"; }
# deliver NAME FROM SUBJECT: a new mail to sam in the demo's Maildir.
deliver() {
	cat > "$T/demo/Maildir/new/1795504000.$1.test" <<MAIL
From: $2
To: sam@example.com
Subject: $3
Date: Tue, 24 Nov 2026 08:10:00 +0100
Message-ID: <$1@example.com>

Could you look at this by Thursday?
MAIL
}
demo_start "tui-notify-vip"
ok=1
sleep 1
deliver plain "Kim <kim@example.com>" "Lunch order"
tmux_keys : s y n c Enter
expect "tui-notify-vip: the new mail is in" "Lunch order" 10
sleep 1.5
[ -z "$(notes)" ] || { fail "tui-notify-vip: quiet for others" "$(notes)"; ok=0; }
deliver vip "Boss <boss@example.com>" "Budget question"
tmux_keys : s y n c Enter
expect "tui-notify-vip: the vip mail is in" "Budget question" 10
i=0
while [ $i -lt 50 ] && [ -z "$(notes)" ]; do sleep 0.1; i=$((i + 1)); done
tmux_keys : s y n c Enter
sleep 1.5
[ "$(notes)" = "a reply is owed to a vip or an urgent tier" ] || { fail "tui-notify-vip: vip rings once" "$(notes)"; ok=0; }
tmux_keys Q
demo_stop
[ $ok = 1 ] && pass "tui-notify-vip: outside blocks only a vip's new mail notifies, once"
# always: every new owed conversation.
rm -f "$T/notes"
printf '[hours]\nnotify = always\n' >> "$cfg"
demo_start "tui-notify-vip"
sleep 1
deliver other "Lee <lee@example.com>" "Printer question"
tmux_keys : s y n c Enter
expect "tui-notify-vip: always" "Printer question" 10
i=0
while [ $i -lt 50 ] && [ -z "$(notes)" ]; do sleep 0.1; i=$((i + 1)); done
case "$(notes)" in *" due"*) pass "tui-notify-vip: notify = always notifies a new owed conversation";;
	*) fail "tui-notify-vip: always" "notes: $(notes)";; esac
tmux_keys Q
demo_stop
exit 0
