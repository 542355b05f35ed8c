#!/bin/sh
# Integration: `ebb stats` on a hand-made week whose figures are worked out
# below by hand, then on the bundled demo: well-formed JSON whose numbers
# agree with `ebb list`.
. "$(dirname "$0")/../lib.sh"
new_home
M="$T/Mail"
for d in "" .Reviews .Lists .Sent; do mkdir -p "$M/$d/cur" "$M/$d/new" "$M/$d/tmp"; done
mkdir -p "$T/sent"
cat > "$T/deliver" <<SH
#!/bin/sh
f=\$(mktemp "$T/sent/msg.XXXXXX") && cat > "\$f"
SH
chmod +x "$T/deliver"
n=0
# msg FOLDER FROM TO SUBJECT MSGID "DAY HH:MM" [IN-REPLY-TO]   (DAY: Mon..Fri of
# the week of 23 Nov 2026, or "Thu19" for Thursday the week before; all UTC)
msg() {
	n=$((n + 1))
	case "$6" in
	Thu19*) date="Thu, 19 Nov 2026";; Mon*) date="Mon, 23 Nov 2026";; Tue*) date="Tue, 24 Nov 2026";;
	Wed*) date="Wed, 25 Nov 2026";; Thu*) date="Thu, 26 Nov 2026";; Fri*) date="Fri, 27 Nov 2026";;
	esac
	{
		printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s>\nDate: %s %s:00 +0000\n' "$2" "$3" "$4" "$5" "$date" "${6#* }"
		[ -n "${7:-}" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$7" "$7"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nText of %s.\n' "$5"
	} > "$M/$1/cur/$((1000 + n)).m$n.host:2,S"
}
ME=me@example.com
# INBOX, tier email: 2 working days = 16 working hours (work is 09:00-17:00).
msg "" ann@example.com $ME "A plan" a1 "Mon 09:00"
msg "" $ME ann@example.com "Re: A plan" a2 "Mon 11:00" a1     # 2h      = 7200
msg .Sent $ME ann@example.com "Re: A plan" a2 "Mon 11:00" a1  # a copy: counts once
msg "" bob@example.com $ME "B numbers" b1 "Mon 16:00"
msg "" $ME bob@example.com "Re: B numbers" b2 "Tue 12:00" b1  # 1h + 3h = 14400
msg "" cy@example.com $ME "C budget" c1 "Tue 09:00"
msg "" cy@example.com $ME "Re: C budget" c2 "Tue 10:00" c1    # same waiting period
msg "" $ME cy@example.com "Re: C budget" c3 "Wed 09:30" c2    # 8h + 30m = 30600
msg "" cy@example.com $ME "Re: C budget" c4 "Wed 10:00" c3    # open: 7h+8h+8h = 23h > 16h,
                                                              # due Fri 10:00: overdue now
msg "" dee@example.com $ME "D review" d1 "Thu 09:00"
msg "" $ME dee@example.com "Re: D review" d2 "Fri 16:00" d1   # 8h + 7h = 54000, within
msg "" eve@example.com team@example.com "E notes" e1 "Tue 14:00" # Cc-only: owes nothing
msg "" fay@example.com $ME "F question" f1 "Fri 15:00"        # open, 2h: no verdict yet
msg "" gus@example.com $ME "G old" g1 "Thu19 10:00"           # opened before the window
msg "" $ME gus@example.com "Re: G old" g2 "Mon 10:00" g1
msg "" hal@example.com $ME "H slow" h1 "Mon 09:00"
msg "" $ME hal@example.com "Re: H slow" h2 "Thu 12:00" h1     # 8+8+8+3 = 27h = 97200, late
# Reviews, tier feedback: 1 working day = 8 working hours.
msg .Reviews rev1@example.com $ME "R1" r1 "Mon 10:00"
msg .Reviews $ME rev1@example.com "Re: R1" r1b "Mon 15:00" r1  # 5h = 18000
msg .Reviews rev2@example.com $ME "R2" r2 "Tue 13:00"
msg .Reviews $ME rev2@example.com "Re: R2" r2b "Wed 13:00" r2  # 4h + 4h = 28800 = target
msg .Reviews rev3@example.com $ME "R3" r3 "Wed 09:00"          # open: 24h > 8h, overdue
# Lists, tier fyi: no target, nothing to me.
msg .Lists news@lists.example.com list@lists.example.com "L1" l1 "Mon 12:00"
msg .Lists news@lists.example.com list@lists.example.com "L2" l2 "Tue 12:00"

cat > "$XDG_CONFIG_HOME/ebb/config" <<CFG
[hours]
work = Mon-Fri 09:00-17:00
blocks = 11:00-11:30
tz = UTC
[account.m]
kind = maildir
path = $M
from = $ME
sendmail_cmd = $T/deliver
channel.Reviews = feedback
channel.Lists = fyi
CFG
NOW=1795798800   # Fri 2026-11-27 17:00 UTC; --since 7d starts Fri 20 Nov 17:00
export EBB_NOW=$NOW
$EBB sync >/dev/null 2>&1 || fail "sync the hand-made week" "$($EBB sync 2>&1)"

# The outbox: one sent at 16:00 (in the window), one held for Monday's block.
printf 'Sent.\n' | EBB_NOW=$((NOW - 3600)) $EBB send --to x@example.com --subject s1 --now --no-check >/dev/null
EBB_NOW=$((NOW - 3600)) $EBB outbox flush >/dev/null
printf 'Held.\n' | $EBB send --to y@example.com --subject s2 --no-check >/dev/null
# Live mode as the client logs it: C's burst Thu 10:00-10:30, B's 10:15-10:45
# (overlapping: together 45m), and one Fri 16:50 "25m" never ended (ebb was
# closed): it counts until its planned end, cut at now = 10m. 55m = 3300 s
# of 5 x 8h = 144000 s of working time in the window.
python3 - "$XDG_DATA_HOME/ebb/ebb.db" <<'PY' || fail "write burst events" "python"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def conv(subject):
    return db.execute("SELECT id FROM conversation WHERE subject = ?", (subject,)).fetchone()[0]
base = 1795392000
day, hour, minute = 86400, 3600, 60
ev = [(base + 3*day + 10*hour, "burst_start", conv("C budget"), "25m"),
      (base + 3*day + 10*hour + 15*minute, "burst_start", conv("B numbers"), "25m"),
      (base + 3*day + 10*hour + 30*minute, "burst_end", conv("C budget"), None),
      (base + 3*day + 10*hour + 45*minute, "burst_end", conv("B numbers"), None),
      (base + 4*day + 16*hour + 50*minute, "burst_start", conv("A plan"), "25m")]
for at, kind, c, detail in ev:
    db.execute("INSERT INTO event(at, kind, conversation_id, detail) VALUES(?,?,?,?)", (at, kind, c, detail))
db.commit()
PY

$EBB stats --since 7d --json > "$T/stats.json" 2>"$T/err" || fail "stats --json" "$(cat "$T/err")"
python3 - "$T/stats.json" <<'PY' && pass "stats: hand-counted week" || fail "stats: hand-counted week" "see above"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["since"] == "2026-11-20T17:00:00+00:00" and s["until"] == "2026-11-27T17:00:00+00:00", s
assert s["days"] == 7
ch = {c["channel"]: c for c in s["channels"]}
assert sorted(ch) == ["INBOX", "Lists", "Reviews", "Sent"], sorted(ch)
def check(name, c, **want):
    for k, v in want.items():
        assert c[k] == v, (name, k, c[k], v)
# INBOX replies: 7200 14400 30600 54000 97200 -> median 30600 (8h30m);
# p90 by nearest rank: ceil(0.9 * 5) = 5th = 97200. Within 16h: A B C1 D;
# not: H (27h) and C2 (open, 23h). F is open with 2h: no verdict yet.
check("INBOX", ch["INBOX"], received=9, sent=6, needs_reply=2, overdue=1, replies=5,
      median_reply_seconds=30600, p90_reply_seconds=97200, within_target=4, target_periods=6)
# Reviews: 18000 28800 -> median 23400 (6h30m), p90 = 2nd = 28800; R3 is late.
check("Reviews", ch["Reviews"], received=3, sent=2, needs_reply=1, overdue=1, replies=2,
      median_reply_seconds=23400, p90_reply_seconds=28800, within_target=2, target_periods=3)
check("Lists", ch["Lists"], received=2, sent=0, needs_reply=0, overdue=0, replies=0,
      median_reply_seconds=None, p90_reply_seconds=None, within_target=0, target_periods=0,
      within_target_share=None, tier="fyi")
check("Sent", ch["Sent"], received=0, sent=1, replies=0)
# All: 7200 14400 18000 28800 30600 54000 97200 -> median 4th = 28800,
# p90 = ceil(6.3) = 7th = 97200; 6 of 9 within.
t = s["total"]
check("total", t, received=14, sent=9, needs_reply=3, overdue=2, replies=7,
      median_reply_seconds=28800, p90_reply_seconds=97200, within_target=6, target_periods=9)
assert abs(t["within_target_share"] - 6 / 9) < 1e-9
assert s["outbox"] == {"held": 1, "queued": 0, "sent": 1, "failed": 0, "uncertain": 0}, s["outbox"]
lv = s["live"]
assert lv["bursts"] == 3 and lv["live_seconds"] == 3300 and lv["working_seconds"] == 144000, lv
assert abs(lv["share"] - 3300 / 144000) < 1e-9 and lv["guideline"] == 0.1, lv
PY
out=$($EBB list --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(sum(1 for x in r if x["urgency"]=="overdue"), sum(1 for x in r if x["needs_reply"]))')
[ "$out" = "2 3" ] && pass "stats agree with ebb list" || fail "stats agree with ebb list" "$out"

$EBB stats --since 7d > "$T/stats.txt" 2>&1
row() { grep "^$1 " "$T/stats.txt" | tr -s ' '; }
[ "$(row INBOX)" = "INBOX email 9 6 2 1 5 8h30m 27h00m 4/6 67% ███████" ] && pass "stats text: INBOX row" || fail "stats text: INBOX row" "$(row INBOX)"
[ "$(row Reviews)" = "Reviews feedback 3 2 1 1 2 6h30m 8h00m 2/3 67% ███████" ] && pass "stats text: Reviews row" || fail "stats text: Reviews row" "$(row Reviews)"
[ "$(row Lists)" = "Lists fyi 2 0 0 0 0 - - - " ] && pass "stats text: Lists row" || fail "stats text: Lists row" "$(row Lists)"
[ "$(row all)" = "all 14 9 3 2 7 8h00m 27h00m 6/9 67% ███████" ] && pass "stats text: totals" || fail "stats text: totals" "$(row all)"
grep -q 'live mode: 3 burst(s), 55m of 40h00m working time = 2.3 %' "$T/stats.txt" && pass "stats text: live mode" || fail "stats text: live mode" "$(grep 'live mode' "$T/stats.txt")"
bars=$(sed -n '/^received per channel/,/^$/p' "$T/stats.txt" | tr -s ' ')
want=$(printf 'received per channel\n INBOX ██████████████████████████████ 9\n Lists ███████ 2\n Reviews ██████████ 3\n Sent 0\n')
[ "$bars" = "$want" ] && pass "stats text: bar chart of volume" || fail "stats text: bar chart of volume" "$bars"
grep -q 'outbox: 1 held, 0 queued, 1 sent in this period, 0 failed, 0 uncertain' "$T/stats.txt" && pass "stats text: outbox" || fail "stats text: outbox" "$(grep outbox "$T/stats.txt")"
out=$($EBB stats --since 2026-11-26 --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["since"], s["total"]["received"], s["total"]["replies"])')
# Thu 00:00 to Fri 17:00: dee Thu 09:00, fay Fri 15:00; D is the one answered period
[ "$out" = "2026-11-26T09:00:00+00:00 2 1" ] && pass "stats --since a date" || fail "stats --since a date" "$out"
out=$($EBB stats --since yesterday 2>&1); rc=$?
case "$out" in *"--since takes"*) [ $rc = 2 ] && pass "stats: a bad --since is explained" || fail "stats bad --since rc" "$rc";; *) fail "stats: a bad --since is explained" "$out";; esac

# A hostile channel name never reaches the terminal raw.
mkdir -p "$M/.$(printf 'Evil\033[31m')/cur" "$M/.$(printf 'Evil\033[31m')/new" "$M/.$(printf 'Evil\033[31m')/tmp"
$EBB sync >/dev/null 2>&1
if $EBB stats | grep -q "$(printf '\033')"; then fail "stats text sanitized" "raw ESC"; else pass "stats text sanitized"; fi

# The demo: well-formed, consistent with `ebb list` at the demo's Tuesday.
D="$T/demo"; mkdir -p "$D"; cp -R "$TOP/share/demo/." "$D/"
printf '[general]\ndata_dir = %s/data\n' "$D" | cat - "$D/config" > "$D/config.t" && mv "$D/config.t" "$D/config"
export EBB_NOW=1795503600
$EBB --config "$D/config" sync >/dev/null 2>&1
$EBB --config "$D/config" stats --json > "$T/demo.json" 2>"$T/err" || fail "demo stats --json" "$(cat "$T/err")"
$EBB --config "$D/config" list --json > "$T/demo_list.json"
python3 - "$T/demo.json" "$T/demo_list.json" <<'PY' && pass "demo stats: well-formed and consistent" || fail "demo stats: well-formed and consistent" "see above"
import json, sys
s = json.load(open(sys.argv[1]))
rows = json.load(open(sys.argv[2]))
t = s["total"]
# the demo README: 22 owed replies, 7 of them overdue; 306 messages, 82 from Sam
assert t["overdue"] == sum(1 for r in rows if r["urgency"] == "overdue") == 7, t
assert t["needs_reply"] == sum(1 for r in rows if r["needs_reply"]) == 22, t
assert t["received"] + t["sent"] == 306 and t["sent"] == 82, t
for k in ("received", "sent", "needs_reply", "overdue", "replies", "within_target", "target_periods"):
    assert sum(c[k] for c in s["channels"]) == t[k], k
ch = {c["channel"]: c for c in s["channels"]}
assert ch["INBOX"]["received"] + ch["INBOX"]["sent"] == 203, ch["INBOX"]
assert ch["Reviews"]["received"] + ch["Reviews"]["sent"] == 29 and ch["Lists"]["received"] == 74
assert ch["Lists"]["replies"] == 0 and ch["Lists"]["target_periods"] == 0
for c in list(s["channels"]) + [t]:
    assert c["within_target"] <= c["target_periods"]
    assert c["replies"] == 0 or 0 <= c["median_reply_seconds"] <= c["p90_reply_seconds"]
    # at most as many overdue as owed, and every overdue one missed its target
    assert c["overdue"] <= c["needs_reply"] and c["overdue"] <= c["target_periods"] - c["within_target"]
assert s["live"]["bursts"] == 0 and s["live"]["share"] is None
PY
$EBB --config "$D/config" stats | grep -q 'live mode: no bursts recorded' && pass "demo stats text: no bursts recorded" || fail "demo stats text" "$($EBB --config "$D/config" stats 2>&1 | tail -3)"
exit 0
