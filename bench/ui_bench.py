#!/usr/bin/env python3
# bench/ui_bench.py: the full-screen client's timings in a detached tmux
# (120x40): cold start to the first painted inbox, `j` and opening a thread
# key-to-paint, and peak RSS, read from ebb's EBB_BENCH_LOG lines.
#
# usage: python3 bench/ui_bench.py --ebb PATH --config FILE --runs N [--keys 300]
#
# "Cold start" is a new process each run with the database already in the OS
# page cache (one unmeasured run first warms it); the page cache is not
# dropped. Prints one JSON object on stdout; on error a sentence on stderr
# and a non-zero exit.
import argparse
import configparser
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

COLS, LINES = 120, 40
PAINT_TIMEOUT_S = 60
KEY_TIMEOUT_S = 10
PACE_S = 0.020
THREADS = 30

# Runs as `python3 -c LAUNCHER PIDFILE EBB ARGS...`: the clock is read right
# before exec, so interpreter start-up is not counted; the pid survives exec.
LAUNCHER = (
    "import os, sys, time\n"
    "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
    "os.environ['EBB_BENCH_T0'] = str(time.monotonic_ns())\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


class BenchError(Exception):
    pass


def db_path(config_file):
    """Where ebb keeps its database for this config (config_db_path's rule)."""
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        with open(config_file, encoding="utf-8") as f:
            cp.read_file(f)
    except (OSError, configparser.Error) as e:
        raise BenchError("cannot read the config %s: %s" % (config_file, e))
    data_dir = cp.get("general", "data_dir", fallback=None)
    if data_dir:
        data_dir = os.path.expanduser(data_dir)
    elif os.environ.get("XDG_DATA_HOME"):
        data_dir = os.path.join(os.environ["XDG_DATA_HOME"], "ebb")
    else:
        data_dir = os.path.join(os.path.expanduser("~"), ".local", "share", "ebb")
    return os.path.join(data_dir, "ebb.db")


def count_messages(path):
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            return db.execute("SELECT count(*) FROM message").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as e:
        raise BenchError("cannot count the messages in %s: %s" % (path, e))


class Tmux:
    def __init__(self, workdir):
        self.socket = os.path.join(workdir, "tmux.sock")
        self.session = "uibench"

    def run(self, *args, check=True):
        r = subprocess.run(["tmux", "-f", "/dev/null", "-S", self.socket] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if check and r.returncode != 0:
            raise BenchError("tmux %s failed: %s" % (args[0], r.stderr.strip()))
        return r

    def start_server(self):
        # A session that outlives the measured ones: a server left with no
        # session exits, and a new-session racing with that exit fails.
        self.run("new-session", "-d", "-s", "keep", "-x", "20", "-y", "2",
                 "exec sleep 2147483647")

    def start(self, command):
        self.run("new-session", "-d", "-s", self.session, "-x", str(COLS), "-y", str(LINES),
                 command)

    def alive(self):
        return self.run("has-session", "-t", self.session, check=False).returncode == 0

    def keys(self, *keys):
        self.run("send-keys", "-t", self.session, *keys)

    def screen(self):
        return self.run("capture-pane", "-p", "-t", self.session, check=False).stdout

    def kill(self):
        self.run("kill-server", check=False)


class Log:
    """The EBB_BENCH_LOG file, read as it grows."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = ""

    def new_lines(self):
        try:
            with open(self.path, encoding="ascii", errors="replace") as f:
                f.seek(self.offset)
                data = f.read()
                self.offset = f.tell()
        except FileNotFoundError:
            return []
        data = self.partial + data
        lines = data.split("\n")
        self.partial = lines.pop()
        return lines

    def wait_for(self, prefix, timeout, tmux):
        """The number after the first new line starting with prefix."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Whether ebb lives is asked before reading: it may write its
            # line and exit (EBB_BENCH_EXIT) between the two.
            alive = tmux.alive()
            for line in self.new_lines():
                if line.startswith(prefix + " "):
                    try:
                        return int(line.split()[-1])
                    except ValueError:
                        raise BenchError("ebb wrote a bad bench line: %r" % line)
            if not alive:
                try:
                    with open(os.path.join(os.path.dirname(self.path), "stderr")) as f:
                        said = f.read().strip()
                except OSError:
                    said = ""
                raise BenchError("ebb exited before writing %r%s" % (
                    prefix, ": " + said if said else " and said nothing"))
            time.sleep(0.001)
        raise BenchError("no %r line from ebb within %d s; the screen was:\n%s"
                         % (prefix, timeout, tmux.screen()))


def command(args, workdir, log_path, exit_after_paint):
    env = ["EBB_BENCH_LOG=" + log_path]
    if exit_after_paint:
        env.append("EBB_BENCH_EXIT=1")
    argv = ["env"] + env + [sys.executable, "-c", LAUNCHER, os.path.join(workdir, "pid"),
                            os.path.abspath(args.ebb), "--config", os.path.abspath(args.config)]
    return " ".join(shlex.quote(a) for a in argv) + " 2>" + shlex.quote(
        os.path.join(workdir, "stderr"))


def wait_gone(tmux, timeout):
    deadline = time.monotonic() + timeout
    while tmux.alive():
        if time.monotonic() > deadline:
            raise BenchError("ebb did not exit within %d s of its first paint" % timeout)
        time.sleep(0.005)


def cold_starts(args, workdir, tmux):
    times = []
    for run in range(args.runs + 1):
        log_path = os.path.join(workdir, "cold%d.log" % run)
        log = Log(log_path)
        tmux.start(command(args, workdir, log_path, True))
        us = log.wait_for("first_paint_us", PAINT_TIMEOUT_S, tmux)
        wait_gone(tmux, 60)
        if run > 0:   # the first run only warms the page cache
            times.append(us / 1000.0)
    return times


def read_hwm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError as e:
        raise BenchError("cannot read ebb's memory use: %s" % e)
    raise BenchError("no VmHWM in /proc/%d/status" % pid)


def key_ms(log, tmux, key, name):
    tmux.keys(key)
    us = log.wait_for("key " + name, KEY_TIMEOUT_S, tmux)
    time.sleep(PACE_S)
    return us / 1000.0


def long_run(args, workdir, tmux):
    log_path = os.path.join(workdir, "keys.log")
    log = Log(log_path)
    tmux.start(command(args, workdir, log_path, False))
    log.wait_for("first_paint_us", PAINT_TIMEOUT_S, tmux)
    try:
        with open(os.path.join(workdir, "pid")) as f:
            pid = int(f.read())
    except (OSError, ValueError) as e:
        raise BenchError("cannot read the pid of ebb: %s" % e)
    j_times = [key_ms(log, tmux, "j", "j") for _ in range(args.keys)]
    open_times = []
    for _ in range(THREADS):
        open_times.append(key_ms(log, tmux, "Enter", "Enter"))
        key_ms(log, tmux, "q", "q")
        key_ms(log, tmux, "j", "j")   # the next conversation
    hwm = read_hwm(pid)
    tmux.keys("q")
    try:
        wait_gone(tmux, 30)
    except BenchError:
        tmux.kill()
    return j_times, open_times, hwm


def main():
    ap = argparse.ArgumentParser(description="ebb full-screen client timings in tmux")
    ap.add_argument("--ebb", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--keys", type=int, default=300)
    args = ap.parse_args()
    if args.runs < 1 or args.keys < 1:
        raise BenchError("--runs and --keys must be at least 1")
    if not shutil.which("tmux"):
        raise BenchError("tmux is not installed; the UI benchmark runs ebb inside it")
    if not os.access(args.ebb, os.X_OK):
        raise BenchError("%s is not an executable ebb" % args.ebb)
    messages = count_messages(db_path(args.config))
    workdir = tempfile.mkdtemp(prefix="ebb-uibench-")
    tmux = Tmux(workdir)
    try:
        tmux.start_server()
        cold = cold_starts(args, workdir, tmux)
        j_times, open_times, hwm = long_run(args, workdir, tmux)
    finally:
        tmux.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps({"messages": messages, "cold_start_ms": cold, "key_j_ms": j_times,
                      "open_thread_ms": open_times, "peak_rss_kb": hwm}))


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print("ui_bench: %s" % e, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
