#!/bin/sh
# Integration: the async discipline without the screen: the reply-time
# footer of new mails, the context check of `ebb send`, tier rules per
# sender, and round-ups with `ebb roundup` and `ebb decisions` on a small
# Maildir thread.
. "$(dirname "$0")/../lib.sh"
new_home
M="$T/Mail"
mkdir -p "$M/cur" "$M/new" "$M/tmp" "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
write_config() {  # write_config EXTRA-GENERAL-LINE
	cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[general]
$1
[hours]
work = Mon-Fri 09:00-17:30
blocks = 11:00-11:30, 16:00-16:45
tz = Europe/Berlin
[account.m]
kind = maildir
path = $M
from = Sam Rivera <sam@example.com>
me = sam@example.com
sendmail_cmd = $T/deliver
footer = yes
sender.*@vip.example.com = urgent
CFG
}
write_config ""
TUE_0805=1795503900   # Tue 2026-11-24 08:05 Europe/Berlin
export EBB_NOW=$TUE_0805
# body_of N: the decoded body of the Nth mail delivered
body_of() {
	python3 - "$(ls -tr "$T"/sent/* | sed -n "$1p")" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
sys.stdout.write(m.get_payload(decode=True).decode(m.get_content_charset()))
PY
}

# ---- the footer -----------------------------------------------------------
printf 'Could you approve the Q4 budget by Thursday 15:00?\nhttps://docs.example.com/q4\n' |
	$EBB send --to ann@example.com --subject "Q4 budget" --now >/dev/null 2>"$T/err"
printf 'Friday works.\n' | $EBB send --to ann@example.com --subject "Re: plan" --in-reply-to a1@example.com --now >/dev/null
printf 'Can you send me the slides by Friday?\n\nThanks\n-- \nSam\n' |
	$EBB send --to bob@example.com --subject "Slides" --now >/dev/null 2>&1
# A held mail taken back into a draft comes back with its footer: queued
# again it must carry one, not two.
printf 'Can you review the plan by Monday?\n-- \nI usually reply within 9 working days; next reply window Mon 11:00 CET.\n' |
	$EBB send --to cy@example.com --subject "Plan" --now >/dev/null 2>&1
$EBB outbox flush >/dev/null
want=$(printf 'Could you approve the Q4 budget by Thursday 15:00?\nhttps://docs.example.com/q4\n-- \nI usually reply within 2 working days; next reply window Tue 11:00 CET.\n')
[ "$(body_of 1)" = "$want" ] && pass "footer: a new mail says the reply time and window" || fail "footer on a new mail" "$(body_of 1)"
[ "$(body_of 2)" = "Friday works." ] && pass "footer: not on a reply" || fail "footer: not on a reply" "$(body_of 2)"
want=$(printf 'Can you send me the slides by Friday?\n\nThanks\n-- \nSam\nI usually reply within 2 working days; next reply window Tue 11:00 CET.\n')
[ "$(body_of 3)" = "$want" ] && pass "footer: under an existing signature" || fail "footer under a signature" "$(body_of 3)"
want=$(printf 'Can you review the plan by Monday?\n-- \nI usually reply within 2 working days; next reply window Tue 11:00 CET.\n')
[ "$(body_of 4)" = "$want" ] && pass "footer: a mail that has one (edited back from the outbox) gets one, renewed" || fail "footer: renewed once" "$(body_of 4)"
[ ! -s "$T/err" ] && pass "context check: a complete request passes quietly" || fail "context check: complete request" "$(cat "$T/err")"

# ---- the context check ------------------------------------------------------
out=$(printf 'FYI: the release went out.\n' | $EBB send --to b@example.com --subject "Release" 2>"$T/err")
case "$out" in "queued #"*"held until 2026-11-24T11:00:00+01:00") pass "context check: warns, still queues";; *) fail "context check: still queues" "$out";; esac
want=$(printf 'ebb: context check: no clear ask \342\200\224 say what you need from them (e.g. "Could you approve the budget?").\nebb: context check: no deadline \342\200\224 add when you need it (e.g. "by Thursday 15:00").')
[ "$(cat "$T/err")" = "$want" ] && pass "context check: says what is missing" || fail "context check: says what is missing" "$(cat "$T/err")"
printf 'Please review the attached doc by Friday.\n' | $EBB send --to b@example.com --subject "Doc" >/dev/null 2>"$T/err"
grep -q "context check: nothing attached" "$T/err" && [ "$(wc -l < "$T/err")" = 1 ] && pass "context check: mentions an attachment that is not there" || fail "context check: attachment" "$(cat "$T/err")"
printf 'FYI.\n' | $EBB send --to b@example.com --subject "x" --no-check >/dev/null 2>"$T/err"
[ ! -s "$T/err" ] && pass "context check: --no-check" || fail "context check: --no-check" "$(cat "$T/err")"
printf 'FYI.\n' | $EBB send --to b@example.com --subject "Re: x" --in-reply-to x@example.com >/dev/null 2>"$T/err"
[ ! -s "$T/err" ] && pass "context check: not for replies" || fail "context check: replies" "$(cat "$T/err")"
write_config "context_check = off"
printf 'FYI.\n' | $EBB send --to b@example.com --subject "x" >/dev/null 2>"$T/err"
[ ! -s "$T/err" ] && pass "context check: context_check = off" || fail "context check: off" "$(cat "$T/err")"
write_config ""

# ---- tier rules per sender --------------------------------------------------
msg() {  # msg FILE FROM TO SUBJECT MSGID DATE IN-REPLY-TO BODY
	{
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s>\nDate: %s\n' "$2" "$3" "$4" "$5" "$6"
		[ -n "$7" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$7" "$7"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s' "$8"
	} > "$M/cur/$1:2,S"
}
SAM="Sam Rivera <sam@example.com>"
msg 1.vip "Boss <boss@vip.example.com>" "$SAM" "Numbers now" v1@x "Mon, 23 Nov 2026 16:50:00 +0100" "" "Call me.
"
msg 2.other "Ann <ann@example.com>" "$SAM" "Storage plan" t1@x "Mon, 23 Nov 2026 10:00:00 +0100" "" "Hi Sam,

We need to settle the storage plan. Can you send me the cost numbers by
Thursday? Also, who owns the migration runbook?

TODO: update the capacity sheet @kim

Ann
"
msg 3.mine "$SAM" "Ann <ann@example.com>" "Re: Storage plan" t2@x "Mon, 23 Nov 2026 14:00:00 +0100" t1@x "Thanks Ann.

> Can you send me the cost numbers by Thursday?
I'll send the numbers on Wednesday.

We decided to go with Postgres 16 for the new cluster.
Bob to review the failover plan by Friday 15:00. Is the budget approved?

-- 
Sam
"
msg 4.other "Ann <ann@example.com>" "$SAM" "Re: Storage plan" t3@x "Tue, 24 Nov 2026 07:30:00 +0100" t2@x "Agreed, let's go with Postgres 16.
@lee will book the room for the workshop by 1 Dec.
Should we invite the vendor?
"
$EBB sync >/dev/null 2>&1 || fail "sync the thread" "$($EBB sync 2>&1)"
$EBB list --json > "$T/list.json"
python3 - "$T/list.json" <<'PY' && pass "sender rule: urgent for *@vip.example.com" || fail "sender rule" "see above"
import json, sys
by = {r["subject"]: r for r in json.load(open(sys.argv[1]))}
v = by["Numbers now"]
# 1h of working time from Mon 16:50: 40m on Monday, 20m on Tuesday
assert v["tier"] == "urgent" and v["due_at"] == "2026-11-24T09:20:00+01:00", v
s = by["Storage plan"]
# Ann wrote last at Tue 07:30: the clock starts at 09:00, 17 working hours
assert s["tier"] == "email" and s["due_at"] == "2026-11-25T17:30:00+01:00", s
PY
CONV=$(python3 -c 'import json,sys; print([r["id"] for r in json.load(open(sys.argv[1])) if r["subject"] == "Storage plan"][0])' "$T/list.json")

# ---- round-ups --------------------------------------------------------------
want='Round-up

Decisions:
- We decided to go with Postgres 16 for the new cluster.
- Agreed, let'"'"'s go with Postgres 16.
Action items:
- [me] send me the cost numbers by Thursday (due Thu 26 Nov)
- [kim] update the capacity sheet @kim
- [me] send the numbers on Wednesday (due Wed 25 Nov)
- [Bob] review the failover plan by Friday 15:00 (due Fri 27 Nov 15:00)
- [lee] book the room for the workshop by 1 Dec (due Tue 1 Dec)
Open questions:
- Should we invite the vendor?'
out=$($EBB roundup "$CONV" 2>&1)
[ "$out" = "$want" ] && pass "roundup: pre-filled from the thread" || fail "roundup: pre-filled from the thread" "$out"
out=$(printf 'Thanks all.\n\nRound-up\n\nDecisions:\n- Postgres 16 for the new cluster\nAction items:\n- [me] send the cost numbers to Ann (due Wed 25 Nov)\n- [Bob] review the failover plan (due Fri 27 Nov 15:00)\n- [kim] update the capacity sheet (due Mon 23 Nov 12:00)\n- [sam@example.com] book the flights\n- [Sam Rivera] write the summary\nOpen questions:\n- (none)\n\nSam\n' | $EBB roundup "$CONV" --save 2>&1)
[ "$out" = "saved 1 decision(s), 5 action item(s), 0 open question(s) for conversation $CONV" ] && pass "roundup --save stores what the user kept" || fail "roundup --save" "$out"
$EBB decisions --json > "$T/dec.json" 2>"$T/err" || fail "decisions --json" "$(cat "$T/err")"
python3 - "$T/dec.json" <<'PY' && pass "decisions --json: open action items, soonest due first" || fail "decisions --json" "see above"
import json, sys
rows = json.load(open(sys.argv[1]))
got = [(r["owner"], r["text"], r["due_at"], r["overdue"]) for r in rows]
want = [("kim", "update the capacity sheet", "2026-11-23T12:00:00+01:00", True),
        ("me", "send the cost numbers to Ann", "2026-11-25T17:30:00+01:00", False),
        ("Bob", "review the failover plan", "2026-11-27T15:00:00+01:00", False),
        ("sam@example.com", "book the flights", None, False),
        ("Sam Rivera", "write the summary", None, False)]
assert got == want, got
for r in rows:
    assert r["subject"] == "Storage plan" and r["kind"] == "action" and r["conversation_id"] > 0, r
    assert r["created_at"] == "2026-11-24T08:05:00+01:00", r
PY
mine=$($EBB decisions --mine --json | python3 -c 'import json,sys; print(" ".join(r["owner"].replace(" ", "_") for r in json.load(sys.stdin)))')
[ "$mine" = "me sam@example.com Sam_Rivera" ] && pass "decisions --mine: me, my address, my name" || fail "decisions --mine" "$mine"
python3 - "$XDG_DATA_HOME/ebb/ebb.db" "$CONV" <<'PY' && pass "round-up rows carry conversation, account and kind" || fail "round-up rows" "see above"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT kind, count(*), min(account_id IS NOT NULL), min(conversation_id) FROM decision GROUP BY kind ORDER BY kind").fetchall()
assert rows == [("action", 5, 1, int(sys.argv[2])), ("decision", 1, 1, int(sys.argv[2]))], rows
PY
text=$($EBB decisions)
first=$(printf '%s\n' "$text" | head -1 | tr -s ' ')
case "$first" in *" overdue Mon 23 Nov 12:00 kim update the capacity sheet (Storage plan #$CONV)") pass "decisions: text list";; *) fail "decisions: text list" "$text";; esac
ID=$($EBB decisions --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
$EBB decisions close "$ID" && $EBB decisions close "$ID" &&
	n=$($EBB decisions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 4 ] && pass "decisions close: done items leave the list (twice is fine)" || fail "decisions close" "$n"
out=$($EBB decisions close 9999 2>&1); rc=$?
case "$out" in *"no decision or action item 9999"*) [ $rc = 1 ] && pass "decisions close: unknown id explained" || fail "decisions close rc" "$rc";; *) fail "decisions close: unknown id" "$out";; esac
out=$($EBB roundup 9999 2>&1); rc=$?
case "$out" in *"conversation 9999 does not exist"*) [ $rc = 1 ] && pass "roundup: unknown conversation explained" || fail "roundup rc" "$rc";; *) fail "roundup: unknown conversation" "$out";; esac
out=$($EBB decisions --bogus 2>&1); rc=$?
[ $rc = 2 ] && pass "decisions: usage error" || fail "decisions: usage error" "$rc $out"

# Hostile text in a thread never reaches the terminal raw.
msg 5.evil "Eve <eve@example.com>" "$SAM" "$(printf 'Evil \033]52;c;x\007')" e1@x "Tue, 24 Nov 2026 07:40:00 +0100" "" "$(printf 'TODO: run \033[2J\342\200\256 this by Friday\n')"
$EBB sync >/dev/null 2>&1
EVIL=$($EBB list --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["subject"].startswith("Evil")][0])')
out=$($EBB roundup "$EVIL")
printf 'Round-up\n\nDecisions:\n- (none)\nAction items:\n- [?] x\n' | $EBB roundup "$EVIL" --save >/dev/null
printf '%s' "$out" | grep -q 'run' && ! printf '%s%s' "$out" "$($EBB decisions)" | grep -q "$(printf '\033')\|$(printf '\342\200\256')" && pass "roundup and decisions output sanitized" || fail "sanitized" "$(printf '%s' "$out" | cat -v)"
exit 0
