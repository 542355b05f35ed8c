#!/usr/bin/env python3
# bench/bench.py: the benchmark driver of `make bench` (docs/benchmarks.md).
# Runs every scenario several times against its reference in the same run
# and prints median, spread, target and ratio; --smoke is the 1 k check.
import argparse
import datetime
import glob
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 20261125
SIZES = {"1k": 1000, "10k": 10000, "100k": 100000, "1m": 1000000}
IMAP_SIZES = ("1k", "10k", "100k")       # 1 M is not served over IMAP
FIELDS = ("UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT "
          "DATE MESSAGE-ID IN-REPLY-TO REFERENCES LIST-ID CONTENT-TYPE)]")
QUERIES = {"common": "meeting", "rare": "zanzibar", "phrase": '"quarterly budget review"'}
MAIL_UID = 65534                         # tests/mailstack.sh's mail user
NOTMUCH_BUDGET_S = 300                   # a larger corpus only if it fits this


class ScenarioError(Exception):
    """A scenario could not measure: a tool failed or gave wrong results."""


class Skip(Exception):
    """A scenario's prerequisites are missing; the reason is printed."""


# ---- figures ---------------------------------------------------------------

class Figure:
    """Samples of one measurement in a base unit (seconds, bytes, msg/s)."""

    def __init__(self, label, samples, unit, note=""):
        self.label, self.samples, self.unit, self.note = label, list(samples), unit, note

    @property
    def median(self):
        if not self.samples:
            return None
        s = sorted(self.samples)
        n = len(s)
        return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2

    @property
    def p99(self):
        if not self.samples:
            return None
        s = sorted(self.samples)
        return s[max(0, math.ceil(0.99 * len(s)) - 1)]


class Row:
    """One scenario: ebb's figure, its target, and the references it is
    compared with (a ratio each), or why it was skipped or failed."""

    def __init__(self, name, size):
        self.name, self.size = name, size
        self.fig = None
        self.target = ""          # text
        self.met = None           # True/False, None: no target
        self.use_p99 = False
        self.refs = []            # Figures
        self.skip = self.error = None


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "s":
        if value < 1:
            return "%.1f ms" % (value * 1000)
        return "%.2f s" % value
    if unit == "ms":
        return "%.2f ms" % value
    if unit == "B":
        if value >= 1 << 20:
            return "%.1f MB" % (value / (1 << 20))
        if value >= 10 << 10:
            return "%.0f kB" % (value / 1024)
        return "%.0f B" % value
    if unit == "msg/s":
        return "%.0f msg/s" % value
    return "%g %s" % (value, unit)


def spread(fig):
    if len(fig.samples) < 2:
        return ""
    return "%s–%s" % (fmt(min(fig.samples), fig.unit), fmt(max(fig.samples), fig.unit))


def one_line(text):
    return " ".join(str(text).split())


def table(rows):
    head = ["scenario", "N", "median", "spread (min–max)", "p99", "target", "met",
            "ratio"]
    lines = []
    for r in rows:
        if r.skip or r.error:
            lines.append([r.name, r.size, "SKIP" if r.skip else "ERROR",
                          one_line(r.skip or r.error), "", r.target, "", ""])
            continue
        f = r.fig
        met = "" if r.met is None else ("yes" if r.met else "MISSED")
        lines.append([r.name, r.size, fmt(f.median, f.unit), spread(f),
                      fmt(f.p99, f.unit) if r.use_p99 else "", r.target, met, ""])
        for ref in r.refs:
            ratio = ""
            if ref.median and f.median is not None:
                ratio = "%.2f×" % (f.median / ref.median)
            lines.append(["  vs " + ref.label, r.size, fmt(ref.median, ref.unit), spread(ref),
                          "", one_line(ref.note), "", ratio])
    return head, lines


def print_table(rows, out=sys.stdout):
    head, lines = table(rows)
    widths = [max(len(str(x[i])) for x in [head] + lines) for i in range(len(head))]
    widths = [min(w, 60) for w in widths]
    for ln in [head] + lines:
        print("  ".join(str(c)[:60].ljust(w) for c, w in zip(ln, widths)).rstrip(), file=out)


def markdown(rows):
    head, lines = table(rows)
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for ln in lines:
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in ln) + " |")
    return "\n".join(out)


# ---- processes -------------------------------------------------------------

def run(cmd, env=None, timeout=600, stdin=None, what=None, cwd=None):
    """Runs cmd to completion; returns (seconds, stdout, peak RSS in kB).
    A nonzero exit or a timeout is a ScenarioError naming `what`."""
    what = what or os.path.basename(cmd[0])
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd,
                             stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
        timer.start()
        try:
            if stdin is not None:
                p.stdin.write(stdin.encode())
                p.stdin.close()
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if p.returncode != 0:
        why = "timed out after %d s" % timeout if p.returncode == -signal.SIGKILL else \
            "exited %d" % p.returncode
        raise ScenarioError("%s %s: %s" % (what, why, (stderr or stdout).strip()[-300:]))
    return seconds, stdout, usage.ru_maxrss


def have(tool):
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")


def du(paths):
    return sum(os.path.getsize(p) for p in paths if os.path.exists(p))


# ---- the bench -------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.smoke = args.smoke
        self.runs = 1 if args.smoke else args.runs
        self.build = os.path.join(TOP, args.build)
        self.ebb = args.ebb
        self.bin = lambda name: os.path.join(self.build, "bench", name)
        self.rows = []
        self.scratch = tempfile.mkdtemp(prefix="ebb-bench.", dir=args.dir)
        os.chmod(self.scratch, 0o755)     # Dovecot's users pass through it
        self.home = os.path.join(self.scratch, "home")
        os.makedirs(self.home)
        self.env = dict(os.environ, HOME=self.home, LANG="C.UTF-8", LC_ALL="C.UTF-8",
                        XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
                        XDG_DATA_HOME=os.path.join(self.home, ".local/share"),
                        TERM="xterm-256color")
        self.env.pop("EBB_CONFIG", None)
        self.env.pop("NOTMUCH_CONFIG", None)
        self.caches = {}          # size -> ebb config whose data dir holds that corpus
        self.notmuch = {}         # size -> NOTMUCH_CONFIG of an indexed corpus
        self.neomutt_warm = {}    # size -> Figure (seconds), Figure (RSS)

    # -- rows
    def row(self, name, size):
        r = Row(name, size)
        self.rows.append(r)
        return r

    def scenario(self, name, size, fn):
        """Runs fn(row); a Skip or error is recorded on the row, never raised."""
        r = self.row(name, size)
        t0 = time.time()
        try:
            fn(r)
        except Skip as e:
            r.skip = str(e)
        except ScenarioError as e:
            r.error = str(e)
        except Exception:
            r.error = "driver error: " + traceback.format_exc().strip().splitlines()[-1]
            if self.smoke or self.args.verbose:
                traceback.print_exc()
        if self.args.verbose:
            print("  [%s %s: %.1f s]" % (name, size, time.time() - t0), file=sys.stderr)
        return r

    def progress(self, msg):
        if not self.smoke:
            print("bench: " + msg, file=sys.stderr, flush=True)

    # -- corpus
    def corpus(self, size):
        count = SIZES[size]
        d = os.path.join(self.args.corpus_dir, "corpus-%s" % size)
        _, version, _ = run([self.bin("gen_corpus"), "--version"])
        want = "seed=%d count=%d version=%s\n" % (self.args.seed, count, version.strip())
        marker = os.path.join(d, ".ebb-corpus")
        try:
            if open(marker).read() == want:
                return d
        except OSError:
            pass
        shutil.rmtree(d, ignore_errors=True)
        self.progress("generating the %s corpus in %s" % (size, d))
        secs, _, _ = run([self.bin("gen_corpus"), "--seed", str(self.args.seed), "--count",
                          str(count), "--out", d], timeout=1800, what="gen_corpus")
        self.progress("  %d messages in %.1f s" % (count, secs))
        return d

    def ebb_config(self, name, body):
        path = os.path.join(self.scratch, name + ".conf")
        with open(path, "w") as f:
            f.write(body)
        return path

    def ebb_run(self, config, args, **kw):
        env = dict(self.env, EBB_CONFIG=config)
        return run([self.ebb] + args, env=env, what="ebb " + args[0], **kw)

    # -- Maildir: indexing, database size, UI, search
    def maildir_scenarios(self, size):
        corpus = self.corpus(size)
        count = SIZES[size]
        runs = 1 if size == "1m" else (self.runs if size in ("1k", "10k") else min(self.runs, 3))

        def index(r):
            r.target = "≥ 5000 msg/s"
            rates, data = [], None
            for i in range(runs):
                data = os.path.join(self.scratch, "maildir-%s-%d" % (size, i))
                shutil.rmtree(data, ignore_errors=True)
                cfg = self.ebb_config("maildir-%s" % size,
                                      "[general]\ndata_dir = %s\n[account.bench]\nkind = maildir\n"
                                      "path = %s\nfrom = Sam Rivera <sam@ebb.test>\n"
                                      "me = sam@ebb.test\n" % (data, corpus))
                secs, out, _ = self.ebb_run(cfg, ["sync"], timeout=7200)
                m = re.search(r"(\d+) new", out)
                if not m or int(m.group(1)) != count:
                    raise ScenarioError("ebb sync stored %s of %d messages: %s"
                                        % (m.group(1) if m else "?", count, out.strip()[-200:]))
                rates.append(count / secs)
                if i + 1 < runs:
                    shutil.rmtree(data)
            r.fig = Figure("ebb sync", rates, "msg/s")
            r.met = r.fig.median >= 5000
            self.caches[size] = cfg
            self.db_files = glob.glob(os.path.join(data, "ebb.db*"))
            try:
                nm = self.notmuch_new(size, corpus)
            except ScenarioError as e:
                # A reference that fails must not take ebb's figure with it.
                nm = Figure("notmuch new", [], "msg/s", note="failed: %s" % str(e)[-120:])
            if nm:
                r.refs.append(nm)

        self.scenario("body indexing (Maildir → FTS5)", size, index)

        def dbsize(r):
            if size not in self.caches:
                raise Skip("no synced cache (indexing failed)")
            r.target = "reported: %s in all, with -wal" % fmt(du(self.db_files), "B")
            r.fig = Figure("db", [du(self.db_files) / count], "B")

        self.scenario("database size per message", size, dbsize)
        self.ui_scenarios(size)
        self.search_scenarios(size)

    def notmuch_new(self, size, corpus):
        """notmuch new on the same Maildir as the reference, when it fits
        the time budget; returns a Figure (msg/s) or None."""
        if self.smoke:
            return None
        if not have("notmuch"):
            return Figure("notmuch new: not installed (make deps-bench)", [], "msg/s")
        count = SIZES[size]
        rates = [SIZES[s] / self.notmuch_secs[s] for s in self.notmuch_secs]
        if rates and count / min(rates) > NOTMUCH_BUDGET_S:
            return Figure("notmuch new", [], "msg/s",
                          note="not run: ~%.0f s at its %.0f msg/s (budget %d s)"
                          % (count / min(rates), min(rates), NOTMUCH_BUDGET_S))
        if not rates and count > 10000:
            # No rate of a smaller corpus to judge from: don't risk hours.
            return Figure("notmuch new", [], "msg/s", note="not run: no 10k rate in this run")
        db = os.path.join(self.scratch, "notmuch-%s" % size)
        os.makedirs(db)
        cfg = os.path.join(self.scratch, "notmuch-%s.conf" % size)
        with open(cfg, "w") as f:
            f.write("[database]\npath=%s\nmail_root=%s\n[user]\nname=Sam Rivera\n"
                    "primary_email=sam@ebb.test\n[new]\ntags=unread;inbox\nignore=.ebb-corpus\n"
                    "[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=false\n"
                    % (db, corpus))
        self.progress("notmuch new on %s (%d messages)" % (corpus, count))
        env = dict(self.env, NOTMUCH_CONFIG=cfg)
        secs, _, _ = run(["notmuch", "new", "--quiet"], env=env, timeout=3 * NOTMUCH_BUDGET_S,
                         what="notmuch new")
        self.notmuch_secs[size] = secs
        self.notmuch[size] = cfg
        return Figure("notmuch new (1 run)", [count / secs], "msg/s")

    def ui_scenarios(self, size):
        script = os.path.join(TOP, "bench", "ui_bench.py")
        names = [("cold start to painted inbox (tmux)", "cold_start_ms", "< 50 ms", 50, False),
                 ("keystroke j → redraw", "key_j_ms", "p99 < 5 ms", 5, True),
                 ("open a cached thread", "open_thread_ms", "p99 < 5 ms", 5, True)]
        result = {}

        def get():
            if "json" in result:
                return result["json"]
            if not os.path.exists(script):
                raise Skip("bench/ui_bench.py not present")
            if size not in self.caches:
                raise Skip("no synced cache of this size (indexing failed)")
            _, out, _ = run([sys.executable, script, "--ebb", self.ebb, "--config",
                             self.caches[size], "--runs", str(self.runs)],
                            env=self.env, timeout=1800, what="ui_bench.py")
            result["json"] = parse_json(out, "ui_bench.py")
            return result["json"]

        for label, key, target, limit, p99 in names:
            def one(r, key=key, target=target, limit=limit, p99=p99):
                r.target, r.use_p99 = target, p99
                data = get()
                r.fig = Figure("ebb", [x / 1000 for x in ms_list(data, key)], "s")
                r.met = (r.fig.p99 if p99 else r.fig.median) * 1000 < limit
                if key == "cold_start_ms" and size in ("100k", "1m"):
                    warm = self.neomutt_warm.get("100k")
                    if warm:
                        r.refs.append(warm[0])
            self.scenario(label, size, one)

        def rss(r):
            data = get()
            kb = data.get("peak_rss_kb")
            if not isinstance(kb, (int, float)):
                raise ScenarioError("ui_bench.py gave no peak_rss_kb")
            r.fig = Figure("ebb", [kb * 1024], "B")
            if size == "1m":
                r.target, r.met = "< 50 MB", kb * 1024 < 50 << 20
            else:
                r.target = "reported (< 50 MB at 1 M)"
            at = size if size in self.neomutt_warm else "100k"
            warm = self.neomutt_warm.get(at)
            if warm:
                if at != size:
                    warm[1].note = "neomutt at %s" % at
                r.refs.append(warm[1])

        self.scenario("peak RSS of the UI", size, rss)

    def search_scenarios(self, size):
        tool = self.bin("search_lat")
        result = {}

        def get():
            if "json" in result:
                return result["json"]
            if not os.path.exists(tool):
                raise Skip("%s not present" % os.path.relpath(tool, TOP))
            if size not in self.caches:
                raise Skip("no synced cache of this size (indexing failed)")
            _, out, _ = run([tool, "--config", self.caches[size], "--runs", str(self.runs)],
                            env=self.env, timeout=1800, what="search_lat")
            result["json"] = parse_json(out, "search_lat")
            return result["json"]

        for kind, query in QUERIES.items():
            def one(r, kind=kind, query=query):
                r.target, r.use_p99 = "p50 < 30 ms, p99 < 200 ms", True
                r.fig = Figure("ebb", [x / 1000 for x in ms_list(get(), kind)], "s")
                r.met = r.fig.median < 0.030 and r.fig.p99 < 0.200
                nm = self.notmuch_search(size, query)
                if nm:
                    r.refs.append(nm)
            self.scenario("search, %s: %s" % (kind, query), size, one)

    def notmuch_search(self, size, query):
        if not self.notmuch:
            return None
        at = size if size in self.notmuch else max(self.notmuch, key=lambda s: SIZES[s])
        env = dict(self.env, NOTMUCH_CONFIG=self.notmuch[at])
        samples = []
        for _ in range(self.runs):
            secs, out, _ = run(["notmuch", "search", "--limit=50", query], env=env,
                               timeout=600, what="notmuch search")
            if not out.strip():
                raise ScenarioError("notmuch search %s found nothing" % query)
            samples.append(secs)
        return Figure("notmuch search --limit=50", samples, "s",
                      note="" if at == size else "notmuch indexed %s only" % at)

    # -- IMAP: the mail stack
    def imap_scenarios(self, size):
        names = ["IMAP first header sync", "resync, no changes (QRESYNC)"]
        if self.smoke:
            names.append("send: queue → accepted, per message")
        elif size == "10k" or (size == "100k" and "10k" not in self.sizes):
            names.append("send: queue → accepted, per message")
        reason = None
        if os.geteuid() != 0:
            reason = "needs root (tests/mailstack.sh runs a private Dovecot and OpenSMTPD)"
        else:
            for tool in ("dovecot", "smtpd", "socat", "openssl", "unshare"):
                if not have(tool):
                    reason = "%s is not installed (make deps-test)" % tool
        if reason:
            for n in names:
                r = self.row(n, size)
                r.skip = reason
            return
        stack = tempfile.mkdtemp(prefix="stack-", dir=self.scratch)
        try:
            _, out, _ = run(["sh", os.path.join(TOP, "tests", "mailstack.sh"), "start", stack],
                            timeout=60, what="mailstack.sh start")
        except ScenarioError as e:
            for n in names:
                r = self.row(n, size)
                r.error = str(e)
            return
        try:
            env = dict(re.findall(r"^(\w+)='?([^'\n]*)'?$", out, re.M))
            self.imap_with_stack(size, env, stack, names)
        except (ScenarioError, OSError) as e:
            # Loading or warming Dovecot failed: no row of this stack ran.
            self.row("IMAP: loading Dovecot", size).error = str(e)
        finally:
            subprocess.run(["sh", os.path.join(TOP, "tests", "mailstack.sh"), "stop", stack],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(stack, ignore_errors=True)

    def load_inbox(self, corpus, stack):
        """The corpus as the user's INBOX: the files linked (or copied) into
        the Maildir Dovecot serves, owned by its mail user; no LMTP."""
        maildir = os.path.join(stack, "home", "sam", "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        for dirpath in (os.path.dirname(maildir), maildir) + tuple(
                os.path.join(maildir, s) for s in ("cur", "new", "tmp")):
            os.chown(dirpath, MAIL_UID, MAIL_UID)
        for sub in ("cur", "new"):
            for name in os.listdir(os.path.join(corpus, sub)):
                src = os.path.join(corpus, sub, name)
                dst = os.path.join(maildir, sub, name)
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copyfile(src, dst)
                os.chown(dst, MAIL_UID, MAIL_UID)

    def floor_cmd(self, env):
        return [self.bin("imap_floor"), "127.0.0.1", env["IMAP_PORT"], env["MAIL_USER"],
                env["MAIL_PASS"]]

    def imap_config(self, size, env, data, tag):
        return self.ebb_config("imap-%s-%s" % (size, tag),
                               "[general]\ndata_dir = %s\n[account.bench]\nkind = imap\n"
                               "host = 127.0.0.1\nport = %s\ntls = off\nca_file = %s\n"
                               "user = %s\npassword_cmd = echo %s\nme = sam@ebb.test\n"
                               "from = Sam Rivera <sam@ebb.test>\nmailboxes = INBOX\n"
                               "smtp_url = smtps://127.0.0.1:%s\n"
                               % (data, env["IMAP_PORT"], env["CA_FILE"], env["MAIL_USER"],
                                  env["MAIL_PASS"], env["SMTPS_PORT"]))

    def imap_with_stack(self, size, env, stack, names):
        count = SIZES[size]
        corpus = self.corpus(size)
        self.progress("loading %d messages into Dovecot's INBOX" % count)
        self.load_inbox(corpus, stack)
        # Dovecot builds its index and cache on the first fetch: not counted.
        _, out, _ = run(self.floor_cmd(env), timeout=1200, what="imap_floor (warm-up)")
        floor = []
        for _ in range(self.runs):
            secs, out, _ = run(self.floor_cmd(env), timeout=600, what="imap_floor")
            floor.append(secs)
        m = re.search(r"(\d+) bytes", out)
        wire = int(m.group(1)) if m else 0
        floor_fig = Figure("transport floor (raw socket, %s on the wire)" % fmt(wire, "B"),
                           floor, "s")
        state = {}

        def first(r):
            r.target = "≤ 2× floor"
            samples = []
            for i in range(self.runs):
                data = os.path.join(self.scratch, "imap-%s-%d" % (size, i))
                shutil.rmtree(data, ignore_errors=True)
                cfg = self.imap_config(size, env, data, str(i))
                secs, out, _ = self.ebb_run(cfg, ["sync"], timeout=1800)
                nm = re.search(r"(\d+) new", out)
                if not nm or int(nm.group(1)) != count:
                    raise ScenarioError("ebb sync stored %s of %d messages: %s"
                                        % (nm.group(1) if nm else "?", count, out.strip()[-200:]))
                samples.append(secs)
                if "data" in state:
                    shutil.rmtree(state["data"], ignore_errors=True)
                state["cfg"], state["data"] = cfg, data
            r.fig = Figure("ebb sync", samples, "s")
            r.met = r.fig.median <= 2 * floor_fig.median
            r.refs.append(floor_fig)
            if not self.smoke:
                for ref in (self.curl_chunks, self.neomutt_open):
                    try:
                        fig = ref(size, env, stack)
                    except (ScenarioError, Skip) as e:
                        fig = Figure(ref.__name__.replace("_", " "), [], "s", note="failed: %s" % e)
                    if fig:
                        r.refs.append(fig)

        self.scenario(names[0], size, first)
        if size in self.neomutt_warm:
            # Shown here too, since the UI rows that compare with it may skip.
            def warm(r):
                seconds, rss = self.neomutt_warm[size]
                r.fig = seconds
                r.target = "reference; peak RSS %s" % fmt(rss.median, "B")
            self.scenario("neomutt open, warm header cache", size, warm)

        def resync(r):
            if "cfg" not in state:
                raise Skip("the first sync failed")
            r.target = "< 100 ms"
            samples = []
            for _ in range(self.runs):
                secs, out, _ = self.ebb_run(state["cfg"], ["sync"], timeout=600)
                if not re.search(r"\b0 new\b", out):
                    raise ScenarioError("the resync found changes: " + out.strip()[-200:])
                samples.append(secs)
            r.fig = Figure("ebb sync", samples, "s")
            r.met = r.fig.median < 0.100
            if not self.smoke:
                r.refs.append(self.mbsync_resync(size, env))

        self.scenario(names[1], size, resync)
        if len(names) > 2:
            self.scenario(names[2], size, lambda r: self.send(r, size, env))

    def curl_chunks(self, size, env, stack):
        if not have("curl"):
            raise Skip("curl is not installed (make deps-bench)")
        count = SIZES[size]
        cfg = os.path.join(self.scratch, "curl-%s.conf" % size)
        # One curl process; "next" starts the options of each further URL,
        # and curl keeps the connection between them.
        with open(cfg, "w") as f:
            for lo in range(1, count + 1, 20):
                f.write('%surl = "imap://127.0.0.1:%s/INBOX"\nuser = "%s:%s"\n'
                        'request = "UID FETCH %d:%d (%s)"\nsilent\nshow-error\n'
                        % ("next\n" if lo > 1 else "", env["IMAP_PORT"], env["MAIL_USER"],
                           env["MAIL_PASS"], lo, min(lo + 19, count), FIELDS))
        samples = []
        for _ in range(min(self.runs, 3)):
            secs, out, _ = run(["curl", "-K", cfg], env=self.env, timeout=1800, what="curl")
            samples.append(secs)
            # curl prints the first line of each FETCH response.
            got = len(re.findall(r"^\* \d+ FETCH", out, re.M))
            if got != count:
                raise ScenarioError("curl fetched %d of %d messages" % (got, count))
        # What one command gets: curl's custom FETCH stops early (the issue),
        # so its exit status is not checked here.
        one = subprocess.run(["curl", "-s", "-u", "%s:%s" % (env["MAIL_USER"], env["MAIL_PASS"]),
                              "-X", "UID FETCH 1:* (%s)" % FIELDS,
                              "imap://127.0.0.1:%s/INBOX" % env["IMAP_PORT"]],
                             env=self.env, capture_output=True, text=True, timeout=600)
        one_got = len(re.findall(r"^\* \d+ FETCH", one.stdout, re.M))
        return Figure("curl, UID FETCH in 20-UID chunks", samples, "s",
                      note="one UID FETCH 1:* instead: curl exit %d, %d of %d shown"
                      % (one.returncode, one_got, count))

    def neomutt_open(self, size, env, stack):
        """neomutt's cold open (no header cache) as a Figure; its warm open
        and peak RSS are kept for the UI scenarios."""
        if not have("neomutt") or not have("tmux"):
            raise Skip("neomutt or tmux is not installed (make deps-bench)")
        hcache = os.path.join(self.scratch, "neomutt-hcache-%s" % size)
        os.makedirs(hcache, exist_ok=True)

        def muttrc(cache):
            path = os.path.join(self.scratch, "muttrc-%s-%s" % (size, "warm" if cache else "cold"))
            with open(path, "w") as f:
                f.write('set folder="imap://%s@127.0.0.1:%s/"\nset spoolfile="+INBOX"\n'
                        'set imap_pass="%s"\nset ssl_starttls=no\nset ssl_force_tls=no\n'
                        'set header_cache="%s"\nset quit=yes\nset move=no\nset mark_old=no\n'
                        'set imap_passive=yes\nset mail_check_stats=no\nset beep=no\n'
                        % (env["MAIL_USER"], env["IMAP_PORT"], env["MAIL_PASS"], cache))
            return path

        cold_rc, warm_rc = muttrc(""), muttrc(hcache)
        # Fills the header cache and checks neomutt really shows the mailbox.
        self.neomutt_tmux(warm_rc, size, expect="Msgs:%d" % SIZES[size])
        warm, rss = [], []
        for _ in range(self.runs):
            secs, kb = self.neomutt_tmux(warm_rc, size)
            warm.append(secs)
            rss.append(kb * 1024)
        cold = []
        for _ in range(min(self.runs, 3)):
            cold.append(self.neomutt_tmux(cold_rc, size)[0])
        self.neomutt_warm[size] = (Figure("neomutt open, warm header cache", warm, "s"),
                                   Figure("neomutt peak RSS (warm open)", rss, "B"))
        return Figure("neomutt open, no header cache", cold, "s")

    def neomutt_tmux(self, rc, size, expect=None):
        """One neomutt run in a detached tmux: opens the INBOX, paints the
        index, quits. Returns (seconds of the whole process, peak RSS kB).
        With expect, waits for that text on screen and quits by key."""
        sock = "ebbbench%d" % os.getpid()
        result = os.path.join(self.scratch, "neomutt.result")
        if os.path.exists(result):
            os.unlink(result)
        wrapper = ("import resource,subprocess,sys,time\n"
                   "t=time.perf_counter();p=subprocess.run(sys.argv[2:])\n"
                   "t=time.perf_counter()-t\n"
                   "open(sys.argv[1],'w').write('%f %d %d'%(t,resource.getrusage("
                   "resource.RUSAGE_CHILDREN).ru_maxrss,p.returncode))\n")
        cmd = [sys.executable, "-c", wrapper, result, "neomutt", "-n", "-F", rc]
        if not expect:
            cmd += ["-e", "push <quit>"]
        tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
        subprocess.run(tmux + ["new-session", "-d", "-x", "160", "-y", "48", shlex.join(cmd)],
                       env=self.env, check=True)
        try:
            deadline = time.time() + 1200
            if expect:
                while time.time() < deadline:
                    screen = subprocess.run(tmux + ["capture-pane", "-p"], env=self.env,
                                            capture_output=True, text=True).stdout
                    if expect in screen:
                        break
                    time.sleep(0.1)
                else:
                    raise ScenarioError("neomutt never showed %r" % expect)
                subprocess.run(tmux + ["send-keys", "q"], env=self.env)
            while not os.path.exists(result) and time.time() < deadline:
                time.sleep(0.02)
            time.sleep(0.02)
            try:
                secs, kb, code = open(result).read().split()
            except (OSError, ValueError):
                raise ScenarioError("neomutt did not finish")
            if code != "0":
                raise ScenarioError("neomutt exited %s" % code)
            return float(secs), int(kb)
        finally:
            subprocess.run(tmux + ["kill-server"], env=self.env, stderr=subprocess.DEVNULL)

    def mbsync_resync(self, size, env):
        if not have("mbsync"):
            return Figure("mbsync: not installed (make deps-bench)", [], "s")
        local = os.path.join(self.scratch, "mbsync-%s" % size)
        os.makedirs(local, exist_ok=True)
        rc = os.path.join(self.scratch, "mbsyncrc-%s" % size)
        with open(rc, "w") as f:
            f.write("IMAPAccount bench\nHost 127.0.0.1\nPort %s\nUser %s\nPass %s\n"
                    "SSLType None\nAuthMechs LOGIN\n\nIMAPStore remote\nAccount bench\n\n"
                    "MaildirStore local\nPath %s/\nInbox %s/INBOX\n\nChannel bench\n"
                    "Far :remote:\nNear :local:\nPatterns INBOX\nCreate Near\nSyncState *\n"
                    % (env["IMAP_PORT"], env["MAIL_USER"], env["MAIL_PASS"], local, local))
        self.progress("mbsync: first sync of %s (not counted)" % size)
        run(["mbsync", "-q", "-c", rc, "-a"], env=self.env, timeout=3600, what="mbsync")
        # The first resync still settles mbsync's state files: not counted.
        run(["mbsync", "-q", "-c", rc, "-a"], env=self.env, timeout=600, what="mbsync")
        samples = []
        for _ in range(self.runs):
            secs, _, _ = run(["mbsync", "-q", "-c", rc, "-a"], env=self.env, timeout=600,
                             what="mbsync")
            samples.append(secs)
        shutil.rmtree(local, ignore_errors=True)
        return Figure("mbsync resync, unchanged", samples, "s")

    def send(self, r, size, env):
        n = 20 if self.smoke else 100
        data = os.path.join(self.scratch, "send-%s" % size)
        cfg = self.imap_config(size, env, data, "send")
        r.name = "send %d: queue → accepted, per message" % n
        t0 = time.perf_counter()
        for i in range(n):
            self.ebb_run(cfg, ["send", "--now", "--no-check", "--to", "sam@ebb.test",
                               "--subject", "bench send %d" % i],
                         stdin="Message %d of the send benchmark.\n" % i, timeout=60)
        queued = time.perf_counter() - t0
        flush, out, _ = self.ebb_run(cfg, ["outbox", "flush"], timeout=600)
        total = time.perf_counter() - t0
        _, js, _ = self.ebb_run(cfg, ["outbox", "--json"], timeout=60)
        states = [x.get("state") for x in parse_json(js, "ebb outbox --json")]
        sent = states.count("sent")
        if sent != n:
            raise ScenarioError("%d of %d sent (%s); flush said: %s"
                                % (sent, n, ",".join(sorted(set(map(str, states)))),
                                   out.strip()[-200:]))
        r.fig = Figure("ebb", [total / n], "s")
        r.target = "reported: %s queueing + %s flush, per message" % (fmt(queued / n, "s"),
                                                                      fmt(flush / n, "s"))

    # -- SQLite reference
    def sqlite_ref(self):
        def one(r):
            rows = 100000
            r.name = "SQLite: %d header rows + FTS5, one transaction" % rows
            r.target = "reference (issue: 0.53 s)"
            samples = []
            for _ in range(self.runs):
                db = os.path.join(self.scratch, "sqlite_ref.db")
                _, out, _ = run([self.bin("sqlite_ref"), db, str(rows)], timeout=600)
                samples.append(float(parse_json(out, "sqlite_ref")["seconds"]))
                for p in glob.glob(db + "*"):
                    os.unlink(p)
            r.fig = Figure("sqlite", samples, "s")
        self.scenario("SQLite reference", "100k", one)

    # -- all
    def main(self):
        self.sizes = ["1k"] if self.smoke else self.args.sizes
        self.notmuch_secs = {}
        self.sqlite_ref()
        for size in sorted(self.sizes, key=lambda s: SIZES[s]):
            self.progress("== %s messages" % size)
            try:
                self.corpus(size)
            except (ScenarioError, OSError) as e:
                self.row("corpus", size).error = str(e)
                continue
            if size in IMAP_SIZES:
                self.imap_scenarios(size)
            self.maildir_scenarios(size)

    def cleanup(self):
        if not self.args.keep:
            shutil.rmtree(self.scratch, ignore_errors=True)


def ms_list(data, key):
    v = data.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(x, (int, float)) for x in v):
        raise ScenarioError("no list of milliseconds for %r" % key)
    return v


def parse_json(text, what):
    try:
        return json.loads(text)
    except ValueError:
        raise ScenarioError("%s did not print one JSON object: %r" % (what, text[:200]))


def machine():
    def ver(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "not installed"
    rev = ver(["git", "-C", TOP, "rev-parse", "--short", "HEAD"])
    return [
        "machine: %s, %d cores, %s" % (platform.machine(), os.cpu_count() or 0,
                                       platform.release()),
        "ebb: %s (%s)" % (ver([os.path.join(TOP, "ebb"), "--version"]), rev),
        "dovecot %s; %s; %s; %s; %s" % (ver(["dovecot", "--version"]), ver(["neomutt", "-v"]),
                                        ver(["notmuch", "--version"]), ver(["mbsync", "-v"]),
                                        ver(["curl", "--version"])[:11]),
    ]


def pick_dir(sizes):
    for d in ("/dev/shm", "/var/tmp"):
        need = 0
        for size in sizes:  # corpus, caches, copies; a kept corpus is reused
            kept = os.path.exists(os.path.join(d, "ebb-bench", "corpus-%s" % size, ".ebb-corpus"))
            need += SIZES[size] * (12 if kept else 20) * 1024
        try:
            st = os.statvfs(d)
        except OSError:
            continue
        if st.f_bavail * st.f_frsize > need or d == "/var/tmp":
            return os.path.join(d, "ebb-bench")
    return os.path.join(TOP, "build", "bench-data")


def main():
    ap = argparse.ArgumentParser(description="ebb's benchmarks (docs/benchmarks.md)")
    ap.add_argument("--sizes", default="10k,100k,1m",
                    help="corpus sizes, of 1k, 10k, 100k, 1m (default 10k,100k,1m)")
    ap.add_argument("--runs", type=int, default=5, help="runs of each scenario (default 5)")
    ap.add_argument("--smoke", action="store_true",
                    help="1 k messages, one run, ebb and the floor only; PASS/FAIL lines")
    ap.add_argument("--dir", help="where corpora and scratch data go "
                    "(default /dev/shm/ebb-bench when it has room)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--ebb", default=os.path.join(TOP, "ebb"))
    ap.add_argument("--build", default=os.environ.get("B", "build"))
    ap.add_argument("--out", help="results file (default bench/results/DATE.md)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch data")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    bad = [s for s in args.sizes if s not in SIZES]
    if bad or args.runs < 1:
        ap.error("unknown size %s (sizes: %s)" % (bad, ", ".join(SIZES)) if bad else
                 "--runs must be at least 1")

    smoke_tmp = None
    if args.smoke:
        smoke_tmp = tempfile.mkdtemp(prefix="ebb-bench-smoke.", dir=args.dir)
        os.chmod(smoke_tmp, 0o755)
        args.dir = args.corpus_dir = smoke_tmp
    else:
        args.dir = args.dir or pick_dir(args.sizes)
        args.corpus_dir = args.dir
        os.makedirs(args.dir, exist_ok=True)
        os.chmod(args.dir, 0o755)
    missing = [p for p in (args.ebb, os.path.join(TOP, args.build, "bench", "gen_corpus"))
               if not os.access(p, os.X_OK)]
    if missing:
        print("FAIL: bench: build %s first (make all %s/bench/gen_corpus ...)"
              % (" ".join(missing), args.build))
        return 1

    b = Bench(args)
    t0 = time.time()
    try:
        if args.smoke:
            smoke_determinism(b)
        b.main()
    finally:
        b.cleanup()
    print()
    print("ebb benchmarks, %s, seed %d, %d run(s) each, %.0f s in all"
          % (", ".join(b.sizes), args.seed, b.runs, time.time() - t0))
    print_table(b.rows)
    rc = 0
    if args.smoke:
        for r in b.rows:
            label = "bench smoke: %s (%s)" % (r.name, r.size)
            if r.error:
                print("FAIL: %s: %s" % (label, r.error))
                rc = 1
            elif r.skip:
                print("SKIP: %s: %s" % (label, r.skip))
            else:
                print("PASS: %s" % label)
        shutil.rmtree(smoke_tmp, ignore_errors=True)
        return rc
    out = args.out or os.path.join(TOP, "bench", "results",
                                   datetime.date.today().isoformat() + ".md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write("# ebb benchmarks, %s\n\n" % datetime.date.today().isoformat())
        f.write("Sizes %s, seed %d, %d run(s) of each scenario (fewer for slow references), "
                "corpora in %s. Ratios are ebb's median over the reference's. "
                "See docs/benchmarks.md.\n\n" % (", ".join(b.sizes), args.seed, b.runs, args.dir))
        for line in machine():
            f.write("- %s\n" % line)
        f.write("\n" + markdown(b.rows) + "\n")
    print("\nresults written to %s" % os.path.relpath(out, TOP))
    return 0


def smoke_determinism(b):
    def one(r):
        r.target = "same bytes"
        dirs = [os.path.join(b.scratch, "det-%d" % i) for i in (1, 2)]
        for d in dirs:
            run([b.bin("gen_corpus"), "--seed", "7", "--count", "300", "--out", d])
        if subprocess.run(["diff", "-rq"] + dirs, capture_output=True).returncode != 0:
            raise ScenarioError("two runs with seed 7 differ")
        r.fig = Figure("gen", [0], "s")
        r.met = True
        for d in dirs:
            shutil.rmtree(d)
    b.scenario("corpus generator is deterministic", "300", one)


if __name__ == "__main__":
    sys.exit(main())
