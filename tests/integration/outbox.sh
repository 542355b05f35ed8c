#!/bin/sh
# Integration: the outbox. A reply written before the first reply block is
# held and goes out at the block's start, exactly once; failures and a crash
# mid-send are reported, and an uncertain item is never resent by itself.
. "$(dirname "$0")/../lib.sh"
new_home
M="$T/Mail"
mkdir -p "$M/cur" "$M/new" "$M/tmp" "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
work = Mon-Fri 09:00-17:30
blocks = 11:00-11:30, 16:00-16:45
tz = Europe/Berlin
[account.m]
kind = maildir
path = $M
from = Sam Rivera <sam@example.com>
sendmail_cmd = $T/deliver
CFG
TUE_0805=1795503900   # Tue 2026-11-24 08:05 Europe/Berlin
TUE_1059=1795514340
TUE_1100=1795514400
sent_count() { ls "$T/sent" | wc -l | tr -d ' '; }

out=$(printf 'Friday works. Zoë\n' | EBB_NOW=$TUE_0805 $EBB send --to "Ann <ann@example.com>" --subject "Re: Café plans" --in-reply-to a1@example.com)
case "$out" in "queued #1 <"*"@example.com>: held until 2026-11-24T11:00:00+01:00") pass "reply at 08:05 held until the 11:00 block";; *) fail "reply at 08:05 held until the 11:00 block" "$out";; esac
st=$(EBB_NOW=$TUE_0805 $EBB outbox --json | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["state"], r["held"], r["release_at"], r["to"], r["subject"])')
[ "$st" = "held local 2026-11-24T11:00:00+01:00 Ann <ann@example.com> Re: Café plans" ] && pass "outbox lists the held reply" || fail "outbox lists the held reply" "$st"
out=$(EBB_NOW=$TUE_1059 $EBB outbox flush)
[ "$out" = "0 sent, 0 failed, 0 uncertain" ] && [ "$(sent_count)" = 0 ] && pass "flush at 10:59 sends nothing" || fail "flush at 10:59 sends nothing" "$out / $(sent_count)"
out=$(EBB_NOW=$TUE_1100 $EBB outbox flush)
[ "$(sent_count)" = 1 ] && case "$out" in *"1 sent, 0 failed, 0 uncertain") true;; *) false;; esac && pass "flush at 11:00 sends it" || fail "flush at 11:00 sends it" "$out / $(sent_count)"
out=$(EBB_NOW=$TUE_1100 $EBB outbox flush)
[ "$out" = "0 sent, 0 failed, 0 uncertain" ] && [ "$(sent_count)" = 1 ] && pass "a second flush sends nothing again" || fail "a second flush" "$out"
msg=$(ls "$T"/sent/* | head -1)
id=$($EBB outbox --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["msgid"])')
if grep -q "^Message-Id: <$id>" "$msg" && grep -q '^In-Reply-To: <a1@example.com>' "$msg" && grep -q '^From: Sam Rivera <sam@example.com>' "$msg"; then
	pass "sent mail carries the stored Message-ID, In-Reply-To and From"
else fail "sent mail headers" "$(head -12 "$msg" | tr '\n' '|')"; fi
python3 - "$msg" <<'PY' && pass "sent body decodes to what was typed" || fail "sent body decodes" "see above"
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
assert m.get_payload(decode=True).decode(m.get_content_charset()) == "Friday works. Zoë\n", m.get_payload()
assert str(email.header.make_header(email.header.decode_header(m["Subject"]))) == "Re: Café plans"
PY
n=$(ls "$M/.Sent/cur" 2>/dev/null | wc -l | tr -d ' ')
[ "$n" = 1 ] && pass "a copy is filed in .Sent" || fail "a copy is filed in .Sent" "$n"

# --now goes with the next flush; a failing transport is reported, retried on request.
printf 'x\n' | EBB_NOW=$TUE_0805 $EBB send --to b@example.com --subject now --now >/dev/null
out=$(EBB_NOW=$TUE_0805 $EBB outbox flush)
[ "$(sent_count)" = 2 ] && pass "--now is not held" || fail "--now is not held" "$out"
sed -i "s|^sendmail_cmd = .*|sendmail_cmd = exit 75|" "$XDG_CONFIG_HOME/ebb/config"
printf 'y\n' | EBB_NOW=$TUE_1100 $EBB send --to c@example.com --subject fails >/dev/null
out=$(EBB_NOW=$TUE_1100 $EBB outbox flush 2>&1); rc=$?
case "$out" in *"#3 failed: sendmail_cmd exited with status 75"*) [ $rc = 1 ] && pass "a refused message is failed with the reason" || fail "failed exit status" "$rc";; *) fail "a refused message is failed with the reason" "$out";; esac
sed -i "s|^sendmail_cmd = .*|sendmail_cmd = $T/deliver|" "$XDG_CONFIG_HOME/ebb/config"
EBB_NOW=$TUE_1100 $EBB outbox retry 3 && out=$(EBB_NOW=$TUE_1100 $EBB outbox flush)
[ "$(sent_count)" = 3 ] && pass "retry sends it once" || fail "retry sends it once" "$out"

# A crash after the transport took the message: uncertain, never resent.
sed -i "s|^sendmail_cmd = .*|sendmail_cmd = $T/deliver; kill -9 \$PPID|" "$XDG_CONFIG_HOME/ebb/config"
printf 'z\n' | EBB_NOW=$TUE_1100 $EBB send --to d@example.com --subject crash >/dev/null
EBB_NOW=$TUE_1100 $EBB outbox flush >/dev/null 2>&1
sed -i "s|^sendmail_cmd = .*|sendmail_cmd = $T/deliver|" "$XDG_CONFIG_HOME/ebb/config"
out=$(EBB_NOW=$TUE_1100 $EBB outbox flush 2>&1)
st=$($EBB outbox --json | python3 -c 'import json,sys; print([r["state"] for r in json.load(sys.stdin) if r["id"]==4][0])')
if [ "$st" = uncertain ] && [ "$(sent_count)" = 4 ]; then
	case "$out" in *"marked uncertain"*) pass "crash mid-send: uncertain, not resent, and said so";; *) fail "crash mid-send message" "$out";; esac
else fail "crash mid-send: uncertain, not resent" "state=$st sent=$(sent_count)"; fi
printf 'c\n' | EBB_NOW=$TUE_0805 $EBB send --to e@example.com --subject cancelled >/dev/null
$EBB outbox cancel 5 && out=$(EBB_NOW=$TUE_1100 $EBB outbox flush)
[ "$(sent_count)" = 4 ] && pass "a cancelled message never goes" || fail "cancelled" "$out"
out=$(printf 'x' | $EBB send --to "not an address" --subject s 2>&1); rc=$?
case "$out" in *"not a list of addresses"*|*"not a mail address"*) [ $rc = 1 ] && pass "bad address refused with a reason" || fail "bad address rc" "$rc";; *) fail "bad address refused with a reason" "$out";; esac
exit 0
