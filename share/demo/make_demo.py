#!/usr/bin/env python3
# make_demo.py: writes share/demo/Maildir, the bundled demo mailbox of ebb
# (Sam Rivera's work mail), and prints the due picture expected at EBB_NOW.
#
# Standard library only and deterministic: a seeded random generator and
# fixed dates, so running it again rewrites exactly the same files.
# Usage: python3 share/demo/make_demo.py [--check]
#   --check  only compute and print the summary, write nothing.

import base64
import html
import os
import quopri
import random
import re
import shutil
import sys
from datetime import datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "Maildir")

# The demo's "now": Tuesday 2026-11-24 08:00 in Berlin, before the working
# day starts. (1795504800, 08:20 the same morning, gives the same picture:
# no working time passes between the two.)
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN)
NOW_EPOCH = int(NOW.timestamp())
ALT_NOW_EPOCH = 1795504800

WORK_START = (9, 0)
WORK_END = (17, 30)
TARGETS = {"email": 2 * 8.5 * 3600, "feedback": 1 * 8.5 * 3600, "fyi": None}
FOLDER_TIER = {"INBOX": "email", "Reviews": "feedback", "Lists": "fyi"}

ME = ("Sam Rivera", "sam@example.com")

rng = random.Random(20261124)


# ---- working-time arithmetic (the same rules as src/policy) ---------------

def day_span(d):
    start = datetime(d.year, d.month, d.day, *WORK_START, tzinfo=BERLIN)
    end = datetime(d.year, d.month, d.day, *WORK_END, tzinfo=BERLIN)
    return start, end


def next_day_start(t):
    d = (t + timedelta(days=1)).date()
    return datetime(d.year, d.month, d.day, *WORK_START, tzinfo=BERLIN)


def work_add(t, seconds, roll_at_end=False):
    """The instant `seconds` of working time after t. roll_at_end puts a
    result that lands exactly on a day's end at the next day's start (the
    other way an implementation may count); the demo avoids both cases
    differing."""
    cur = t
    while True:
        start, end = day_span(cur)
        if cur.weekday() >= 5 or cur >= end:
            cur = next_day_start(cur)
            continue
        if cur < start:
            cur = start
        avail = (end - cur).total_seconds()
        if seconds < avail or (seconds == avail and not roll_at_end):
            return cur + timedelta(seconds=seconds)
        seconds -= avail
        cur = next_day_start(cur)


def work_between(a, b):
    if b <= a:
        return 0.0
    total = 0.0
    cur = a
    while cur < b:
        start, end = day_span(cur)
        if cur.weekday() < 5:
            lo, hi = max(cur, start), min(b, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        cur = next_day_start(cur)
    return total


def urgency(tier, waiting_since, now, roll_at_end=False):
    target = TARGETS[tier]
    if target is None:
        return "none", None
    due = work_add(waiting_since, target, roll_at_end)
    if due <= now:
        return "overdue", due
    left = work_between(now, due)
    return ("at risk" if left <= 0.25 * target else "due"), due


# ---- building messages ----------------------------------------------------

def b_word(text, charset):
    out, chunk = [], ""
    for ch in text:   # encoded words stay under 75 characters
        if len((chunk + ch).encode(charset)) > 42:
            out.append(chunk)
            chunk = ""
        chunk += ch
    out.append(chunk)
    return "\n ".join("=?%s?B?%s?=" % (charset, base64.b64encode(c.encode(charset)).decode())
                      for c in out if c)


def q_word(text, charset):
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/.,:"
    words, cur = [], ""
    for ch in text:
        enc = ""
        for byte in ch.encode(charset):
            if byte == 0x20:
                enc += "_"
            elif byte in safe:
                enc += chr(byte)
            else:
                enc += "=%02X" % byte
        if len(cur) + len(enc) > 50:
            words.append(cur)
            cur = ""
        cur += enc
    words.append(cur)
    return "\n ".join("=?%s?Q?%s?=" % (charset, w) for w in words if w)


def encode_text(text, charset="utf-8", mode="Q"):
    if all(32 <= ord(c) < 127 for c in text):
        return text
    return q_word(text, charset) if mode == "Q" else b_word(text, charset)


def fmt_addr(person):
    name, addr, mode = person[0], person[1], person[2] if len(person) > 2 else "Q"
    if not name:
        return addr
    if mode == "raw":    # RFC 6532: raw UTF-8 in the header
        return '"%s" <%s>' % (name, addr)
    if all(32 <= ord(c) < 127 for c in name):
        if any(c in name for c in ',.;:"()'):
            return '"%s" <%s>' % (name.replace('"', '\\"'), addr)
        return "%s <%s>" % (name, addr)
    charset = person[3] if len(person) > 3 else "utf-8"
    return "%s <%s>" % (encode_text(name, charset, mode), addr)


class Msg:
    counter = 0

    def __init__(self, thread, when, sender, to, cc=(), body="", subject=None):
        Msg.counter += 1
        self.seq = Msg.counter
        self.thread = thread
        self.when = when
        self.sender = sender
        self.to = list(to)
        self.cc = list(cc)
        self.body = body
        self.subject = subject
        self.parent = None
        self.flags = set()
        self.unread = False
        self.extra_headers = []
        self.kind = "plain"         # plain | latin1 | koi8r | html | alternative | pdf
        self.subject_mode = None    # header encoding override for the subject
        domain = sender[1].split("@")[1]
        self.msgid = "%s.%04d.%x@%s" % (when.astimezone(ZoneInfo("UTC")).strftime("%Y%m%d%H%M%S"),
                                        self.seq, rng.randrange(16 ** 6), domain)

    @property
    def from_me(self):
        return self.sender[1] == ME[1]

    @property
    def to_me(self):
        return any(p[1] == ME[1] for p in self.to)

    def references(self):
        chain, p = [], self.parent
        while p:
            chain.append(p.msgid)
            p = p.parent
        return list(reversed(chain))


class Thread:
    all = []

    def __init__(self, folder, subject, kind):
        self.folder = folder
        self.subject = subject
        self.kind = kind      # owed | waiting | cc | sam | announce | list | long
        self.msgs = []
        Thread.all.append(self)

    def add(self, when, sender, to, cc=(), body="", parent=None, subject=None):
        if self.msgs and subject is None:
            subject = "Re: " + self.subject
        m = Msg(self, when, sender, to, cc, body, subject or self.subject)
        if self.msgs:
            m.parent = parent if parent is not None else self.msgs[-1]
        self.msgs.append(m)
        return m


def signature(person):
    first = person[0].split()[0] if person[0] else person[1]
    return "%s\n\n-- \n%s\n" % (first, person[0] or person[1])


def quote(parent):
    own = []
    for line in parent.body.splitlines():
        if line.startswith((">", "-- ")) or (line.startswith("On ") and line.endswith("wrote:")):
            break
        own.append(line)
    while own and not own[-1].strip():
        own.pop()
    when = parent.when.strftime("%a, %d %b %Y at %H:%M")
    name = parent.sender[0] or parent.sender[1]
    lines = ["On %s, %s <%s> wrote:" % (when, name, parent.sender[1])]
    lines += ["> " + l if l else ">" for l in own[:6]]
    return "\n".join(lines) + "\n"


def reply_body(text, who, parent):
    return text.rstrip("\n") + "\n\n" + signature(who).rstrip("\n") + "\n\n" + quote(parent)


# ---- people -----------------------------------------------------------------

ANN = ("Ann Becker", "ann.becker@example.com")
ZOE = ("Zoë Müller", "zoe.mueller@example.com", "Q")
LILEI = ("李雷", "li.lei@example.cn", "B")
NANDU = ("Ñandú Pérez", "nandu.perez@example.es", "raw")
PRIYA = ("Priya Raman", "priya.raman@example.com")
TOM = ("Tom O'Brien", "tom.obrien@example.com")
JUERGEN = ("Jürgen Weiß", "juergen.weiss@example.de", "Q", "iso-8859-1")
IVAN = ("Иван Петров", "ivan.petrov@example.ru", "B", "koi8-r")
MARTA = ("Marta Kowalska", "marta.kowalska@example.com")
KENJI = ("Kenji Sato", "kenji.sato@example.jp")
FATIMA = ("Fatima Al-Sayed", "fatima.alsayed@example.com")
CHRIS = ("Chris Lee", "chris.lee@example.com")
DANA = ("Dana Whitfield", "dana.whitfield@example.com")
OLIVER = ("Oliver Grant", "oliver.grant@example.com")
HELPDESK = ("IT Helpdesk", "helpdesk@example.com")
FACILITIES = ("Facilities Team", "facilities@example.com")
HR = ("People Team", "people@example.com")
STAFF = ("All Staff", "staff@example.com")
PLATFORM = ("Platform Team", "platform-team@example.com")
COLLEAGUES = [ANN, ZOE, LILEI, PRIYA, TOM, MARTA, KENJI, FATIMA, CHRIS, DANA, OLIVER]
ZONES = {KENJI[1]: ZoneInfo("Asia/Tokyo"), LILEI[1]: ZoneInfo("Asia/Shanghai"),
         TOM[1]: ZoneInfo("Europe/Dublin"), DANA[1]: ZoneInfo("America/New_York")}


def at(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=BERLIN)


WORKDAYS = [d for d in range(3, 24) if datetime(2026, 11, d).weekday() < 5]
CUTOFF = at(23, 17, 20)      # nothing generated after this but the fixed owed items


def random_work_time(days=WORKDAYS, dense_last=3):
    weights = [3 if d in WORKDAYS[-dense_last:] else 1 for d in days]
    day = rng.choices(days, weights)[0]
    minute = rng.randrange(9 * 60 + 5, 17 * 60 + 20)
    return at(day, minute // 60, minute % 60)


def later(t, lo_min, hi_min):
    return work_add(t, rng.randrange(lo_min, hi_min) * 60)


# ---- the owed replies, placed by hand -----------------------------------------
# INBOX (email, 2 working days) and .Reviews (feedback, 1 working day). The
# comments give the expected state at NOW.

def owed_threads():
    # E1 overdue: a plain work request without a deadline.
    t = Thread("INBOX", "Access request: staging database", "owed")
    t.add(at(18, 14, 20), CHRIS, [ME], [], "Hi Sam,\n\ncould you grant me read access to the staging database?\n"
          "I need it to reproduce the sync bug Dana reported (ticket OPS-2291).\n"
          "Read-only is enough.\n\nThanks,\n" + signature(CHRIS))

    # E2 overdue: a reminder after Sam promised numbers by Friday.
    t = Thread("INBOX", "Headcount plan for Q1: your numbers by Friday", "owed")
    m1 = t.add(at(16, 9, 40), ANN, [ME], [DANA],
               "Hi Sam,\n\nfor the Q1 headcount plan I need from you by Friday 20 Nov:\n"
               "1. open roles you want to keep,\n2. one new role you would add and why,\n"
               "3. contractors ending in Q1.\n\nTemplate: https://wiki.example.com/hr/headcount-q1\n\n" + signature(ANN))
    m2 = t.add(at(16, 11, 5), ME, [ANN], [DANA], reply_body("Will do, you'll have them by Friday.", ME, m1))
    m3 = t.add(at(19, 10, 5), ANN, [ME], [DANA], reply_body(
        "Friendly reminder: I still need your three numbers for the plan.\n"
        "Finance closes the sheet on Monday morning.", ANN, m2))
    m3.flags.add("F")

    # E3 overdue (long ago): a favour.
    t = Thread("INBOX", "All-hands talk about the sync engine?", "owed")
    t.add(at(12, 16, 40), TOM, [ME], [], "Hey Sam,\n\nwould you give a 10 minute talk about the new sync engine at\n"
          "the all-hands on 3 December? Slides optional, a demo would be great.\n\n" + signature(TOM))

    # E4 overdue: questions with a clear ask.
    t = Thread("INBOX", "Vendor contract renewal: three questions", "owed")
    t.add(at(19, 16, 10), OLIVER, [ME], [ANN],
          "Sam,\n\nthe profiler vendor wants an answer on the renewal. Three questions:\n"
          "- do we still need 12 seats or is 8 enough?\n- is the CI integration used at all?\n"
          "- can we live with yearly instead of monthly billing?\n\n"
          "Their offer expires on 30 November.\n\n" + signature(OLIVER))

    # E5 at risk: the PDF attachment.
    t = Thread("INBOX", "Q4 budget draft (PDF attached)", "owed")
    m = t.add(at(20, 9, 40), ZOE, [ME], [ANN],
              "Hallo Sam,\n\nattached is the Q4 budget draft. Could you check the infrastructure\n"
              "lines (page 2) before Tuesday noon? Finance wants the final version on\nTuesday afternoon.\n\n"
              "Danke!\n" + signature(ZOE))
    m.kind = "pdf"

    # E6 at risk: multipart/alternative from an American colleague.
    t = Thread("INBOX", "Customer escalation: Acme sync failures", "owed")
    m = t.add(at(20, 11, 20), DANA, [ME], [CHRIS],
              "Sam,\n\nAcme reports that about 3% of their mailboxes stop syncing after\n"
              "a UIDVALIDITY change. Can you tell me by Tuesday whether this is the\n"
              "known bug (OPS-2291) or something new? They are asking for an ETA.\n\n"
              "Logs: https://support.example.com/tickets/88412\n\n" + signature(DANA))
    m.kind = "alternative"
    m.flags.add("F")

    # E7 at risk.
    t = Thread("INBOX", "Load test results for the new indexer", "owed")
    t.add(at(20, 12, 30), LILEI, [ME], [PRIYA],
          "Hi Sam,\n\nthe load test finished: p99 indexing latency went from 840 ms to\n"
          "310 ms at 2k msg/s, but memory grew by 40%. Do we accept that for the\n"
          "release, or should I try the smaller batch size first?\n\n"
          "Full report: https://wiki.example.com/perf/indexer-2026-11\n\n" + signature(LILEI))

    # E8 due: ISO-8859-1 mail with an RFC 2047 subject.
    t = Thread("INBOX", "Übergabe der Büroschlüssel für Köln", "owed")
    m = t.add(at(20, 15, 10), JUERGEN, [ME], [],
              "Hallo Sam,\n\nich bin ab Montag, 30.11., im Urlaub. Wer übernimmt die Schlüssel\n"
              "für das Kölner Büro? Bitte sag mir bis Freitag Bescheid, dann lege ich\n"
              "sie beim Empfang ab.\n\nGrüße aus Köln\n" + signature(JUERGEN))
    m.kind = "latin1"

    # E9 due: raw UTF-8 headers (RFC 6532), arrives on a Saturday.
    t = Thread("INBOX", "Conference talk proposal: co-author?", "owed")
    m = t.add(at(21, 10, 30), NANDU, [ME], [],
              "¡Hola Sam!\n\nI'm submitting a talk on offline-first mail clients to the\n"
              "Barcelona systems conference. Would you co-author? The CFP closes on\n"
              "4 December; I only need a yes/no and a two-line bio from you.\n\n" + signature(NANDU))
    m.subject_mode = "raw"

    # E10 due: KOI8-R mail with an RFC 2047 subject in KOI8-R.
    t = Thread("INBOX", "Отчёт за ноябрь", "owed")
    m = t.add(at(23, 9, 50), IVAN, [ME], [],
              "Привет, Сэм!\n\nОтчёт за ноябрь готов. Посмотри, пожалуйста, раздел про\n"
              "синхронизацию до среды. Если всё в порядке, отправлю его Анне.\n\n"
              "Спасибо,\nИван\n\n-- \nИван Петров\n")
    m.kind = "koi8r"

    # E11: the long thread is built separately (long_thread()).

    # E12 due.
    t = Thread("INBOX", "Interview panel on Thursday?", "owed")
    t.add(at(23, 16, 45), MARTA, [ME], [],
          "Hi Sam,\n\ncan you join the interview panel for the backend role on Thursday\n"
          "26 Nov, 14:00-15:00? You'd cover the systems design part.\n"
          "Candidate CV: https://jobs.example.com/cand/5521\n\n" + signature(MARTA))

    # E13 due: hostile input for the sanitizer (escape sequences, bidi override).
    t = Thread("INBOX", "Invoice \x1b[31mOVERDUE\x1b[0m \x1b]0;pwned\x07 \u202egpj.exe", "owed")
    m = t.add(at(22, 21, 13), ("Billing \u202eDept\u202c", "billing@invoices.example.net"), [ME], [],
              "Dear customer,\n\nyour invoice is overdue.\x1b[2J\x1b[H Please open the attachment\n"
              "\u202efdp.exe and pay within 24 hours.\n\nBilling\n")
    m.subject_mode = "utf-8"

    # E14 due: a request with a deadline.
    t = Thread("INBOX", "Laptop refresh: pick a model by 1 December", "owed")
    t.add(at(23, 11, 5), FATIMA, [ME], [HELPDESK],
          "Hi Sam,\n\nyour laptop is due for a refresh. Please pick one by Tuesday 1 December:\n"
          "  A) 14\" 32 GB  B) 16\" 64 GB (needs manager approval)\n"
          "Reply with A or B.\n\n" + signature(FATIMA))

    # E15 due: arrives before the working day starts.
    t = Thread("INBOX", "Tokyo office sync: agenda for Thursday", "owed")
    t.add(at(24, 7, 12), KENJI, [ME], [PRIYA],
          "Hi Sam,\n\nfor Thursday's sync with the Tokyo office I'd propose:\n"
          "1. release date for the indexer\n2. Japanese localisation status\n3. on-call handover\n"
          "Anything you want to add? I'll send the invite this afternoon (JST).\n\n" + signature(KENJI))

    # ---- .Reviews (feedback, 1 working day) ----
    # F1 overdue.
    t = Thread("Reviews", "Review: PR #412 retry budget for sync", "owed")
    t.add(at(19, 14, 0), PRIYA, [ME], [],
          "Sam, could you review https://git.example.com/ebb/pull/412 ?\n"
          "It caps retries per account at 5 per hour. Small diff (+120/-30).\n\n" + signature(PRIYA))

    # F2 overdue.
    t = Thread("Reviews", "Review: outbox delivery states (design doc)", "owed")
    t.add(at(20, 10, 30), CHRIS, [ME], [ANN],
          "Hi Sam,\n\nplease review the design doc for the outbox delivery states\n"
          "(queued, sending, sent, failed, uncertain):\n"
          "https://docs.example.com/d/outbox-states\nComments in the doc are fine.\n\n" + signature(CHRIS))

    # F3 overdue: a ping after Sam said he would look.
    t = Thread("Reviews", "Review: on-call runbook changes", "owed")
    m1 = t.add(at(16, 10, 15), TOM, [ME], [],
               "Sam, the on-call runbook got a new section on IMAP outages.\n"
               "Could you read it? https://wiki.example.com/oncall/runbook\n\n" + signature(TOM))
    m2 = t.add(at(16, 14, 2), ME, [TOM], [], reply_body("Sure, I'll look on Wednesday.", ME, m1))
    t.add(at(18, 16, 20), TOM, [ME], [], reply_body("Ping :) Did you get to it?", TOM, m2))

    # F4 at risk.
    t = Thread("Reviews", "Review: PR #431 FTS5 search ranking", "owed")
    t.add(at(23, 9, 30), ZOE, [ME], [],
          "Hi Sam,\n\nPR #431 switches search ranking to bm25 with a boost for the\n"
          "subject column: https://git.example.com/ebb/pull/431\n"
          "I'd like to merge before Tuesday lunch.\n\n" + signature(ZOE))

    # F5 at risk.
    t = Thread("Reviews", "Review: Japanese translation strings", "owed")
    t.add(at(23, 10, 40), KENJI, [ME], [],
          "Sam, the ja.po file is ready for review. Mostly the triage keys and\n"
          "the status bar. https://git.example.com/ebb/pull/433\n\n" + signature(KENJI))

    # F6 due (unread).
    t = Thread("Reviews", "Review: indexer benchmark methodology", "owed")
    m = t.add(at(23, 13, 20), LILEI, [ME], [],
              "Hi Sam,\n\nbefore I publish the numbers: could you check the benchmark\n"
              "method (warm cache, 3 runs, median)? https://wiki.example.com/perf/method\n\n" + signature(LILEI))
    m.unread = True

    # F7 due (unread).
    t = Thread("Reviews", "Review: accessibility audit notes", "owed")
    m = t.add(at(23, 16, 5), FATIMA, [ME], [],
              "Sam, the accessibility audit notes for the terminal UI are in\n"
              "https://docs.example.com/d/a11y-audit . Feedback by Wednesday would be great.\n\n" + signature(FATIMA))
    m.unread = True


# ---- the long thread (28 messages, References chains) ----------------------

def long_thread():
    t = Thread("INBOX", "Platform migration: cut-over plan for the EU cluster", "long")
    crew = [PRIYA, TOM, LILEI, OLIVER, ZOE]
    lines = [
        "here is the first draft of the cut-over plan: freeze on the 1st,\ncopy on the 2nd, switch DNS on the 3rd.",
        "the copy will take longer than a day for the archive volumes.",
        "can we copy the archives a week early and only sync deltas?",
        "agreed, deltas via rsync worked fine last time.",
        "what about the IMAP caches? Do clients need to resync?",
        "UIDVALIDITY must stay the same or every client refetches everything.",
        "Dovecot keeps it if we copy the index files too.",
        "I'll test that on the staging copy tomorrow.",
        "staging test: UIDVALIDITY kept, clients did not refetch.",
        "great. Rollback plan?",
        "keep the old cluster read-only for a week.",
        "DNS TTL is 3600 now, I'll lower it to 300 on the 1st.",
        "do we need a maintenance window announcement?",
        "yes, I'll draft it for staff@.",
        "draft: https://docs.example.com/d/eu-cutover-announcement",
        "looks good, one typo in the second paragraph.",
        "fixed, sending Friday.",
        "monitoring: which dashboards do we watch during the switch?",
        "sync lag, IMAP login errors, SMTP queue length.",
        "I'll add an alert on login errors > 2%.",
        "who is on call that night?",
        "me, with Tom as backup.",
        "final check on Monday, then go.",
    ]
    start = at(3, 10, 5)
    people_cycle = [PRIYA, TOM, ME, LILEI, OLIVER, PRIYA, ZOE, ME, TOM, LILEI, PRIYA, ME, OLIVER,
                    TOM, ZOE, PRIYA, ME, LILEI, TOM, OLIVER, ZOE, ME, PRIYA, TOM]
    when = start
    idx = 0
    for who in people_cycle:
        others = [p for p in crew if p != who]
        if who is ME:
            to, cc = [PRIYA], [p for p in crew if p != PRIYA]
        else:
            to = [ME] if rng.random() < 0.3 else [PLATFORM]
            cc = [ME] + [p for p in others[:2]] if to != [ME] else others[:2]
        text = lines[idx % len(lines)]
        parent = None
        if t.msgs and len(t.msgs) > 4 and rng.random() < 0.2:
            parent = t.msgs[-3]       # someone answers an older message: a branch
        if not t.msgs:
            m = t.add(when, who, to, cc, "Hi all,\n\n" + text + "\n\n" + signature(who))
        else:
            par = parent or t.msgs[-1]
            m = t.add(when, who, to, cc, reply_body(text[0].upper() + text[1:], who, par), parent=parent)
        idx += 1
        when = work_add(when, rng.randrange(150, 300) * 60)
        if when > at(23, 10, 0):
            break
    # The end, fixed: Sam answers, Tom comments to the team, Priya asks Sam.
    last = t.msgs[-1]
    m = t.add(at(23, 11, 30), ME, [PRIYA], [TOM, LILEI, OLIVER, ZOE],
              reply_body("Go from my side. I'll watch sync lag during the switch.", ME, last))
    m = t.add(at(23, 13, 0), TOM, [PLATFORM], [ME, PRIYA],
              reply_body("Heads-up: the DNS change needs a ticket with 48h notice.", TOM, m))
    m = t.add(at(23, 15, 10), PRIYA, [ME], [TOM],
              reply_body("Sam, can you file the DNS ticket today or tomorrow? You have\n"
                         "the access, I don't. Needs to be in before Thursday 10:00.", PRIYA, m))
    m.unread = True
    assert len(t.msgs) >= 25, len(t.msgs)


# ---- threads Sam has answered (he is waiting for them) -------------------------

WAITING_TOPICS = [
    ("Expense report for the Lisbon trip", "could you approve my expense report for the Lisbon trip?\nIt's in the tool as #4471.", "Approved."),
    ("Parking permit renewal", "your parking permit expires at the end of the month. Do you want to renew it?", "Yes please, same spot."),
    ("API rate-limit numbers for the partner portal", "can you share the current API rate limits? The partner portal docs are out of date.", "100 requests/minute per token, bursts of 20. I'll update the docs page too."),
    ("Offsite agenda draft", "here's the offsite agenda draft. Anything missing?", "Looks good. Can we add 30 minutes for the roadmap Q&A?"),
    ("Question about the retention policy", "how long do we keep the sync logs? Legal asked.", "90 days, then they are deleted. Policy doc: https://wiki.example.com/retention"),
    ("Access to the analytics dashboard", "could you add me to the analytics dashboard?", "Done, you should have viewer access now."),
    ("Feedback on the onboarding checklist", "I reworked the onboarding checklist. Does it cover the dev setup?", "Mostly. The VPN step is missing, I added a comment."),
    ("Invoice 2026-1187 from Nordlicht GmbH", "the Nordlicht invoice needs a cost centre. Which one?", "CC 4120 (platform)."),
    ("Migrating the wiki to the new space", "we're moving the team wiki next week. OK to archive the old pages?", "Yes, but keep the runbooks section."),
    ("Security training deadline", "reminder: the yearly security training is due by 30 November.", "Done this morning."),
    ("Customer call notes: Globex", "notes from the Globex call are attached in the CRM. Can you check the tech part?", "Checked, one correction: they use IMAP IDLE, not polling."),
    ("Team lunch on Friday?", "team lunch on Friday at 12:30, the Vietnamese place?", "I'm in!"),
    ("Status of the SSO rollout", "where are we with SSO for the admin console?", "Staging works, production rollout next Tuesday."),
    ("Backup restore drill results", "the restore drill took 47 minutes. Is that within our target?", "Target is 60, so yes. Thanks for running it."),
    ("Hiring: backend engineer job description", "can you review the job description for the backend role?", "Two edits: drop the 'rockstar', add async work to the 'how we work' part."),
    ("Conference budget 2027", "how many conference tickets should I plan for 2027?", "Four, plus travel for two."),
    ("Slide deck for the board meeting", "I need two slides on platform reliability for the board deck.", "Sent to you in the shared folder: platform-reliability.key"),
    ("Postmortem: search outage on 9 November", "the postmortem draft for the search outage is ready for comments.", "Added my notes on the index rebuild timing."),
    ("Desk move to the third floor", "you're moving to the third floor on 1 December. Any special needs?", "A standing desk if possible."),
    ("License renewal for the profiler", "the profiler licence renews in January. Keep it?", "Keep it, we use it weekly."),
    ("Question on the sync cursor semantics", "is the sync cursor stored before or after the batch commit?", "In the same transaction as the batch, so a crash re-pulls at most one batch."),
    ("Quarterly OKR check-in", "let's do the OKR check-in this week. Wednesday 15:00?", "Wednesday 15:00 works."),
    ("Mentoring session next week", "can we move our mentoring session to Thursday?", "Thursday is fine, same time."),
    ("Dependency upgrade: libcurl 8.x", "libcurl 8.x is in the distro now. Should we move?", "Yes, after the release. I opened a ticket."),
    ("DNS change window", "is the Thursday 06:00 window OK for the DNS change?", "OK for me."),
    ("Reimbursement for the home office chair", "is a home office chair reimbursable?", "Up to 300 EUR, with a receipt."),
    ("Grüße vom Team Köln", "das Team in Köln lädt dich zur Weihnachtsfeier am 10.12. ein. Kommst du?", "Sehr gern, ich bin dabei!"),
    ("Retro notes from sprint 47", "retro notes are up. Can you own the 'flaky tests' action?", "Yes, I'll take it."),
    ("Room booking for the design sprint", "can I book the big meeting room for the design sprint, 7-9 December?", "Yes, booked under my name."),
    ("Speaker for the Rust meetup", "the Rust meetup is looking for a speaker in January. Interested?", "Not this time, but ask Zoë."),
    ("Old test servers in rack 4", "can we switch off the three old test servers in rack 4?", "Yes, after Friday's backup."),
    ("Your talk abstract for the newsletter", "could you send me three sentences about your team for the newsletter?", "Sent as a doc, see the shared folder."),
    ("On-call swap on 5 December", "could we swap on-call shifts on 5 December?", "Sure, swapped in the schedule."),
    ("Translation of the error messages", "do we translate the CLI error messages too, or only the UI?", "Only the UI for now."),
    ("Support ticket 88102: slow search", "a customer reports slow search on 2M messages. Known issue?", "Fixed in 0.9, ask them to upgrade."),
    ("Año nuevo: team dinner in January", "we plan a team dinner in the second week of January. Which evening suits you?", "Tuesday or Wednesday."),
]
FOLLOW_UPS = [
    ("Thanks! One more thing: can you also check last month's?", "Done, last month's is fine too."),
    ("Great. Should I send it to finance directly?", "Yes, please send it directly."),
    ("Perfect, thanks. Who else should I ask?", "Ask Dana, she owns the other half."),
    ("Got it. Is next week soon enough?", "Next week is fine."),
]

REVIEW_TOPICS = [
    ("Review: PR #398 IMAP literal parser limits", "small PR: bounds on literal size and nesting. https://git.example.com/ebb/pull/398", "LGTM, one nit about the error message."),
    ("Review: PR #401 Matrix 429 handling", "retry_after_ms is now honoured. https://git.example.com/ebb/pull/401", "Looks good. Please add a test for a missing retry_after_ms."),
    ("Review: PR #405 keyset paging for the inbox", "inbox paging without OFFSET. https://git.example.com/ebb/pull/405", "Nice. Approved."),
    ("Review: release notes 0.9", "release notes for 0.9 are in the doc, please check the wording.", "Reads well. I fixed two typos."),
    ("Review: PR #409 Slack scheduled messages", "chat.scheduleMessage support. https://git.example.com/ebb/pull/409", "Approved with a comment about time zones."),
    ("Review: PR #414 WAL checkpoint tuning", "changes the checkpoint threshold. https://git.example.com/ebb/pull/414", "Please add the benchmark numbers to the PR description, then LGTM."),
    ("Review: onboarding guide for contributors", "new CONTRIBUTING draft, please skim.", "Looks good, merged."),
    ("Review: PR #417 sanitizer for OSC sequences", "strips OSC 8 and OSC 52 too. https://git.example.com/ebb/pull/417", "LGTM."),
    ("Review: PR #420 SMTP uncertain state", "after DATA timeouts we now mark uncertain. https://git.example.com/ebb/pull/420", "Approved, good catch."),
]


def greeting():
    return "Hi Sam,\n\n" if rng.random() < 0.7 else "Sam,\n\n"


def waiting_threads():
    for folder, topics in (("INBOX", WAITING_TOPICS), ("Reviews", REVIEW_TOPICS)):
        for subject, ask, answer in topics:
            who = rng.choice([p for p in COLLEAGUES + [JUERGEN] if p is not ME])
            if subject.startswith("Grüße"):
                who = JUERGEN
            t = Thread(folder, subject, "waiting")
            first = random_work_time(WORKDAYS[:-1])
            m = t.add(first, who, [ME], [], greeting() + ask + "\n\n" + signature(who))
            reply_at = later(first, 20, 420)
            if reply_at > CUTOFF:
                reply_at = CUTOFF - timedelta(minutes=rng.randrange(5, 60))
            if reply_at <= first:
                reply_at = first + timedelta(minutes=17)
            m = t.add(reply_at, ME, [who], [], reply_body(answer, ME, m))
            if rng.random() < 0.6:
                q, a = rng.choice(FOLLOW_UPS)
                t1 = later(reply_at, 30, 300)
                t2 = later(t1, 10, 200)
                if t2 < CUTOFF:
                    m = t.add(t1, who, [ME], [], reply_body(q, who, m))
                    t.add(t2, ME, [who], [], reply_body(a, ME, m))


CC_TOPICS = [
    ("Release notes for 4.2", ANN, [PRIYA], "Priya, please send the 4.2 release notes to the support team by Wednesday."),
    ("Rollout schedule for the EU region", PRIYA, [TOM, OLIVER], "EU rollout: 10% Monday, 50% Wednesday, 100% Friday."),
    ("Minutes: architecture review 17 Nov", ZOE, [PLATFORM], "Minutes are in the wiki. Decisions: keep SQLite, add FTS5 triggers."),
    ("Office Wi-Fi maintenance", HELPDESK, [MARTA], "Marta, the Wi-Fi in your area will be down Thursday 7-8 am."),
    ("New monitoring dashboards", OLIVER, [PLATFORM], "The new Grafana dashboards are live: https://grafana.example.com/d/sync"),
    ("Budget sign-off", DANA, [ANN], "Ann, the Q4 numbers are final from my side."),
    ("Travel policy update", HR, [ANN, DANA], "The updated travel policy applies from 1 January."),
    ("Partner API deprecation timeline", CHRIS, [DANA], "Dana, v1 of the partner API goes away on 31 March; customers got the notice."),
    ("Intern project ideas", MARTA, [ANN], "Collected intern project ideas, Sam's team has two on the list."),
    ("Datacenter power test", TOM, [OLIVER], "Power test Saturday 02:00-04:00, no impact expected."),
    ("Kickoff: accessibility audit", FATIMA, [KENJI, ZOE], "Kickoff for the accessibility audit is Monday 10:00."),
    ("Customer survey results", DANA, [MARTA, CHRIS], "NPS went from 31 to 38. Top request: faster search."),
]


def cc_threads():
    for subject, sender, to, text in CC_TOPICS:
        t = Thread("INBOX", subject, "cc")
        when = random_work_time()
        if when > CUTOFF:
            when = CUTOFF - timedelta(hours=2)
        m = t.add(when, sender, to, [ME], "Hi,\n\n" + text + "\n\n" + signature(sender))
        for _ in range(rng.randrange(0, 3)):
            when = later(when, 15, 240)
            if when > CUTOFF:
                break
            who = rng.choice(to)
            back = [sender] + [p for p in to if p is not who]
            m = t.add(when, who, back[:1], back[1:] + [ME], reply_body("Thanks, noted.", who, m))


SAM_TOPICS = [
    ("Draft: Q1 roadmap for the sync team", [ANN], "Here is my draft of the Q1 roadmap. Comments welcome until Friday."),
    ("Question about the build cache", [OLIVER], "Is the remote build cache still on the old bucket?"),
    ("Proposal: no-meeting Wednesdays", [PLATFORM], "Proposal: no meetings on Wednesdays from January. Thoughts?"),
    ("Can I borrow the test iPad?", [HELPDESK], "Could I borrow the test iPad next week for the mobile check?"),
    ("Follow-up: Globex renewal call", [DANA], "Following up on the renewal call: they want the offline mode demo."),
]


def sam_threads():
    for subject, to, text in SAM_TOPICS:
        t = Thread("INBOX", subject, "sam")
        when = random_work_time()
        if when > CUTOFF:
            when = CUTOFF - timedelta(hours=1)
        t.add(when, ME, to, [], "Hi,\n\n" + text + "\n\n" + signature(ME))


ANNOUNCEMENTS = [
    (FACILITIES, "Office closure 24-26 December and the holiday party", "html", 10),
    (HELPDESK, "Planned maintenance: VPN gateway on Saturday", "plain", 6),
    (HR, "Open enrolment for benefits ends on 30 November", "plain", 9),
    (HELPDESK, "Phishing warning: fake invoice mails", "plain", 17),
    (FACILITIES, "Kitchen renovation on the 2nd floor", "plain", 12),
    (HR, "Welcome our new colleagues in November", "alternative", 16),
    (ANN, "Reminder: performance reviews start in December", "plain", 19),
    (HELPDESK, "New printer on the third floor", "plain", 20),
]


def announcements():
    for sender, subject, kind, day in ANNOUNCEMENTS:
        t = Thread("INBOX", subject, "announce")
        minute = rng.randrange(9 * 60, 17 * 60)
        details = ""
        if kind == "html":
            details = ("- the office is closed from 24 to 26 December\n"
                       "- the holiday party is on 18 December at 18:00\n"
                       "- RSVP by 4 December: https://intranet.example.com/party\n\n")
        m = t.add(at(day, minute // 60, minute % 60), sender, [STAFF], [],
                  "Dear all,\n\n" + subject + ".\n\n" + details +
                  "Details are on the intranet: https://intranet.example.com/news\n\n"
                  "Best regards,\n" + sender[0] + "\n")
        m.kind = kind
        m.extra_headers.append(("Precedence", "bulk"))


# ---- mailing lists --------------------------------------------------------------

def list_threads():
    dev = ("dev-announce", "dev-announce@lists.example.com", "Dev announcements <dev-announce.lists.example.com>")
    ops = ("ops-status", "ops-status@lists.example.com", "Daily ops status <ops-status.lists.example.com>")
    sec = ("security", "security-advisories@lists.example.com", "Security advisories <security.lists.example.com>")
    digest = ("digest", "digest@berlin-tech.example", "Berlin Tech Digest <digest.berlin-tech.example>")
    discuss = ("sqlite-users", "sqlite-users@lists.example.org", "SQLite users <sqlite-users.lists.example.org>")

    def post(lst, subject, sender, when, body, kind="plain", parent_thread=None, parent=None):
        t = parent_thread or Thread("Lists", subject, "list")
        m = t.add(when, sender, [(lst[0], lst[1])], [], body, parent=parent)
        m.extra_headers += [("List-Id", lst[2]), ("List-Post", "<mailto:%s>" % lst[1]),
                            ("List-Unsubscribe", "<mailto:%s?subject=unsubscribe>" % lst[1]),
                            ("Precedence", "list")]
        m.kind = kind
        return t, m

    for n, day in enumerate(WORKDAYS):
        post(ops, "[ops-status] Daily status %s" % at(day, 8).strftime("%a %d %b"), ("Ops Bot", "ops-bot@example.com"),
             at(day, 7, 30), "All systems operational.\nSync lag p95: %d s\nOpen incidents: %d\n" % (
                 rng.randrange(2, 40), rng.randrange(0, 3)))
    dev_subjects = ["Release 0.8.1 is out", "CI runners upgraded", "Deprecation: old config keys",
                    "New code owners file", "Release 0.9.0-rc1", "Staging reset on Thursday",
                    "Lint rules: -Wshadow is now on", "Fuzzing now runs nightly", "Release 0.9.0",
                    "Holiday freeze from 18 December", "Docs site moved", "Two-factor auth for git is mandatory",
                    "Postgres 17 on the build hosts", "Flaky test quarantine list"]
    days = sorted(rng.choice(WORKDAYS) for _ in dev_subjects)
    for subject, day in zip(dev_subjects, days):
        sender = rng.choice([PRIYA, OLIVER, TOM, ZOE])
        post(dev, "[dev-announce] " + subject, sender, at(day, rng.randrange(9, 17), rng.randrange(60)),
             "Hi all,\n\n%s.\nQuestions to the list, please.\n\n%s" % (subject, signature(sender)))
    for i, day in enumerate([4, 11, 16, 18, 20, 23]):
        post(sec, "[security] Advisory 2026-%03d: %s" % (40 + i, rng.choice(
            ["OpenSSL update", "libcurl CVE fix", "glibc iconv fix", "kernel update", "sudo update", "zlib fix"])),
            ("Security Team", "security@example.com"), at(day, 10, 0 + i),
            "Severity: %s\nAction: update your hosts by the end of the week.\n" % rng.choice(["low", "medium", "high"]))
    ci = ("ci", "ci@lists.example.com", "CI notifications <ci.lists.example.com>")
    for day in WORKDAYS[-8:]:
        for _ in range(2):
            build = rng.randrange(5000, 6000)
            post(ci, "[ci] ebb main #%d %s" % (build, rng.choice(["passed", "passed", "failed", "fixed"])),
                 ("CI", "ci-bot@example.com"), at(day, rng.randrange(9, 18), rng.randrange(60)),
                 "Build #%d on main.\nDetails: https://ci.example.com/ebb/%d\n" % (build, build))
    for i, day in enumerate([6, 13, 20]):
        post(digest, "Berlin Tech Digest #%d" % (118 + i), ("Berlin Tech Digest", "digest@berlin-tech.example"),
             at(day, 6, 45), "This week: meetups, talks and jobs in Berlin.\n", kind="html")
    # A discussion list: threads among others, never addressed to Sam.
    people = [("Richard H.", "drh@example.org"), ("Maria Santos", "maria@example.org"),
              ("Wei Zhang", "wei@example.org"), ("Olaf Nilsson", "olaf@example.se"),
              ("Keith M.", "keith@example.org")]
    topics = ["WAL mode and network file systems", "FTS5 rank with column weights",
              "busy_timeout vs. retry loops", "Keyset paging with composite keys",
              "STRICT tables in production?", "VACUUM INTO for backups"]
    for topic in topics:
        day = rng.choice(WORKDAYS)
        when = at(day, rng.randrange(9, 16), rng.randrange(60))
        sender = rng.choice(people)
        t, m = post(discuss, topic, sender, when, "Hello list,\n\nquestion about %s: what do you recommend?\n\n%s" % (
            topic.lower(), sender[0]))
        for _ in range(rng.randrange(2, 5)):
            when = later(when, 30, 600)
            if when > CUTOFF:
                break
            who = rng.choice([p for p in people if p != m.sender])
            t, m = post(discuss, topic, who, when,
                        reply_body(rng.choice(["It works if you keep it on local disk.",
                                               "We do exactly that, no problems so far.",
                                               "Measure first; it depends on the workload.",
                                               "See the docs, section 4 explains it."]), who, m),
                        parent_thread=t, parent=m)


# ---- writing files ------------------------------------------------------------

FAKE_PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
            b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def html_version(text, title):
    """The HTML a mailer would make of the text: paragraphs, "- " lines as
    a list, bare URLs as links."""
    blocks = []
    for para in (p for p in text.split("\n\n") if p.strip()):
        lines = para.split("\n")
        if all(l.startswith("- ") for l in lines):
            items = "".join("<li>%s</li>" % html.escape(l[2:]) for l in lines)
            blocks.append("<ul>%s</ul>\n" % items)
        else:
            blocks.append("<p>%s</p>\n" % "<br>\n".join(html.escape(l) for l in lines))
    body = re.sub(r'(https://[^\s<]+)', r'<a href="\1">\1</a>', "".join(blocks))
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n"
            "<style>body { font-family: sans-serif; }</style></head>\n<body>\n%s</body></html>\n"
            % (html.escape(title), body))


def qp(data):
    return quopri.encodestring(data).decode("ascii")


def subject_header(m):
    if m.subject_mode == "raw":
        return m.subject
    if m.kind == "latin1":
        return encode_text(m.subject, "iso-8859-1", "Q")
    if m.kind == "koi8r":
        return encode_text(m.subject, "koi8-r", "B")
    return encode_text(m.subject, "utf-8", "Q")


def render(m):
    tz = ZONES.get(m.sender[1], BERLIN)
    h = []
    h.append(("Return-Path", "<%s>" % m.sender[1]))
    h.append(("Delivered-To", ME[1]))
    h.append(("Date", format_datetime(m.when.astimezone(tz))))
    h.append(("From", fmt_addr(m.sender)))
    h.append(("To", ", ".join(fmt_addr(p) for p in m.to)))
    if m.cc:
        h.append(("Cc", ", ".join(fmt_addr(p) for p in m.cc)))
    h.append(("Subject", subject_header(m)))
    h.append(("Message-ID", "<%s>" % m.msgid))
    refs = m.references()
    if refs:
        h.append(("In-Reply-To", "<%s>" % refs[-1]))
        h.append(("References", "\n ".join("<%s>" % r for r in refs)))
    h += m.extra_headers
    h.append(("MIME-Version", "1.0"))

    text = m.body
    body = b""
    if m.kind == "latin1":
        h.append(("Content-Type", "text/plain; charset=ISO-8859-1"))
        h.append(("Content-Transfer-Encoding", "quoted-printable"))
        body = qp(text.encode("iso-8859-1")).encode()
    elif m.kind == "koi8r":
        h.append(("Content-Type", "text/plain; charset=KOI8-R"))
        h.append(("Content-Transfer-Encoding", "8bit"))
        body = text.encode("koi8-r")
    elif m.kind == "html":
        h.append(("Content-Type", "text/html; charset=utf-8"))
        h.append(("Content-Transfer-Encoding", "quoted-printable"))
        body = qp(html_version(text, m.subject).encode()).encode()
    elif m.kind in ("alternative", "pdf"):
        boundary = "=_ebb_demo_%d" % m.seq
        plain = ("--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n%s\n"
                 % (boundary, qp(text.encode())))
        if m.kind == "alternative":
            h.append(("Content-Type", 'multipart/alternative; boundary="%s"' % boundary))
            htmlpart = ("--%s\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n%s\n"
                        % (boundary, qp(html_version(text, m.subject).encode())))
            body = ("This is a multi-part message in MIME format.\n\n" + plain + htmlpart + "--%s--\n" % boundary).encode()
        else:
            h.append(("Content-Type", 'multipart/mixed; boundary="%s"' % boundary))
            pdf = ("--%s\nContent-Type: application/pdf; name=\"Q4-budget-draft.pdf\"\n"
                   "Content-Disposition: attachment; filename=\"Q4-budget-draft.pdf\"\n"
                   "Content-Transfer-Encoding: base64\n\n%s\n" % (boundary, base64.encodebytes(FAKE_PDF).decode().strip()))
            body = (plain + pdf + "--%s--\n" % boundary).encode()
    else:
        if all(ord(c) < 128 for c in text):
            h.append(("Content-Type", "text/plain; charset=us-ascii"))
            h.append(("Content-Transfer-Encoding", "7bit"))
            body = text.encode()
        else:
            h.append(("Content-Type", "text/plain; charset=utf-8"))
            h.append(("Content-Transfer-Encoding", "8bit"))
            body = text.encode()
    head = "".join("%s: %s\n" % (k, v) for k, v in h)
    return head.encode("utf-8") + b"\n" + body


def assign_flags():
    for t in Thread.all:
        for i, m in enumerate(t.msgs):
            if m.from_me:
                m.flags.add("S")
                continue
            answered = any(x.from_me and x.parent is m for x in t.msgs)
            if answered:
                m.flags.add("R")
            if not m.unread:
                m.flags.add("S")
    # a few older mails Sam flagged to come back to
    older = [m for t in Thread.all if t.folder == "INBOX" and t.kind in ("waiting", "cc", "announce")
             for m in t.msgs if not m.from_me]
    for m in rng.sample(older, 4):
        m.flags.add("F")
    # the last few list mails are unread, like a real morning
    lists = sorted((m for t in Thread.all if t.folder == "Lists" for m in t.msgs), key=lambda m: m.when)
    for m in lists[-6:]:
        m.unread = True
        m.flags.discard("S")
    # a Sunday phishing mail and the early mail from Tokyo were not read yet
    for t in Thread.all:
        last = t.msgs[-1]
        if t.kind == "owed" and last.when >= at(22, 0, 0) and not last.from_me:
            last.unread = True
            last.flags.discard("S")


def write_maildir():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    dirs = {"INBOX": ROOT, "Reviews": os.path.join(ROOT, ".Reviews"), "Lists": os.path.join(ROOT, ".Lists")}
    for name, d in dirs.items():
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(d, sub))
        # git keeps no empty directory; readers never look into tmp/
        open(os.path.join(d, "tmp", ".gitkeep"), "w").close()
        if name != "INBOX":
            open(os.path.join(d, "maildirfolder"), "w").close()
    pid = 4100
    for m in sorted((m for t in Thread.all for m in t.msgs), key=lambda m: (m.when, m.seq)):
        pid += rng.randrange(1, 40)
        base = "%d.M%dP%d.demo" % (int(m.when.timestamp()), m.seq, pid)
        d = dirs[m.thread.folder]
        if m.unread:
            path = os.path.join(d, "new", base)
        else:
            path = os.path.join(d, "cur", base + ":2," + "".join(sorted(m.flags)))
        with open(path, "wb") as f:
            f.write(render(m))
        os.utime(path, (m.when.timestamp(), m.when.timestamp()))


# ---- the expected picture -----------------------------------------------------------

def conversation_facts(t):
    """The due rule of design.md: a reply is owed when the last message is
    not from me and a message since my last one is addressed To me; the
    clock starts at the first message from others after my last one."""
    msgs = sorted(t.msgs, key=lambda m: m.when)
    last_mine = max((i for i, m in enumerate(msgs) if m.from_me), default=-1)
    since = msgs[last_mine + 1:]
    owed = bool(since) and not msgs[-1].from_me and any(m.to_me for m in since)
    return owed, (since[0].when if since else None)


def summary(write=True):
    out = []
    msgs = [m for t in Thread.all for m in t.msgs]
    out.append("demo Maildir for %s <%s>" % ME)
    out.append("messages: %d (INBOX %d, Reviews %d, Lists %d); from Sam: %d"
               % (len(msgs), sum(m.thread.folder == "INBOX" for m in msgs),
                  sum(m.thread.folder == "Reviews" for m in msgs), sum(m.thread.folder == "Lists" for m in msgs),
                  sum(m.from_me for m in msgs)))
    out.append("flags: unread (new/) %d, flagged F %d, answered R %d"
               % (sum(m.unread for m in msgs), sum("F" in m.flags for m in msgs), sum("R" in m.flags for m in msgs)))
    out.append("threads: %d (INBOX %d, Reviews %d, Lists %d); longest: %d messages"
               % (len(Thread.all), sum(t.folder == "INBOX" for t in Thread.all),
                  sum(t.folder == "Reviews" for t in Thread.all), sum(t.folder == "Lists" for t in Thread.all),
                  max(len(t.msgs) for t in Thread.all)))
    rows, counts = [], {}
    waiting = 0
    for t in Thread.all:
        owed, since = conversation_facts(t)
        if not owed:
            waiting += t.msgs[-1].from_me
            continue
        tier = FOLDER_TIER[t.folder]
        state, due = urgency(tier, since, NOW)
        # the picture must not depend on how an implementation counts edges
        for now_epoch in (NOW_EPOCH, ALT_NOW_EPOCH):
            other_now = datetime.fromtimestamp(now_epoch, BERLIN)
            for roll in (False, True):
                assert urgency(tier, since, other_now, roll)[0] == state, t.subject
        if state == "at risk":
            left = work_between(NOW, due)
            assert 900 <= left <= 0.25 * TARGETS[tier] - 900, t.subject
        elif state == "due":
            assert work_between(NOW, due) >= 0.25 * TARGETS[tier] + 900, t.subject
        else:
            assert work_between(due, at(24, 9, 0)) >= 900, t.subject
        counts[(tier, state)] = counts.get((tier, state), 0) + 1
        rows.append((due, tier, state, since, t))
    owed_n = len(rows)
    over = sum(1 for r in rows if r[2] == "overdue")
    risk = sum(1 for r in rows if r[2] == "at risk")
    later_n = owed_n - over - risk
    out.append("owed replies at EBB_NOW %d (%s): %d = %d overdue, %d at risk, %d due later"
               % (NOW_EPOCH, NOW.strftime("%a %Y-%m-%d %H:%M %Z"), owed_n, over, risk, later_n))
    for tier in ("email", "feedback"):
        out.append("  %-8s overdue %d, at risk %d, due %d" % (
            tier, counts.get((tier, "overdue"), 0), counts.get((tier, "at risk"), 0), counts.get((tier, "due"), 0)))
    out.append("threads where Sam wrote last (waiting for others): %d" % waiting)
    out.append("owed, by due time:")
    for due, tier, state, since, t in sorted(rows, key=lambda r: r[0]):
        subj = "".join(c if 32 <= ord(c) < 127 else "\\x%02x" % ord(c) if ord(c) < 256 else "\\u%04x" % ord(c)
                       for c in t.subject)
        out.append("  %-8s %-8s due %s  (since %s)  %s" % (
            state, tier, due.strftime("%a %d %H:%M"), since.strftime("%a %d %H:%M"), subj[:60]))
    return "\n".join(out)


def main():
    check_only = "--check" in sys.argv[1:]
    owed_threads()
    long_thread()
    waiting_threads()
    cc_threads()
    sam_threads()
    announcements()
    list_threads()
    for t in Thread.all:
        for m in t.msgs:
            assert m.when < NOW, (t.subject, m.when)
    # distinct subjects, so subject-fallback threading cannot merge threads
    keys = [t.subject.lower() for t in Thread.all]
    assert len(keys) == len(set(keys))
    assign_flags()
    if not check_only:
        write_maildir()
    print(summary())


if __name__ == "__main__":
    main()
