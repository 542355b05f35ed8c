#!/bin/sh
# bench/smoke.sh: the benchmark driver's 1 k smoke run for `make check`, so
# the driver cannot rot. PASS/FAIL/SKIP lines; never fails on timing.
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
for bin in gen_corpus imap_floor sqlite_ref; do
	if [ ! -x "$TOP/$B/bench/$bin" ]; then
		echo "FAIL: bench smoke: $B/bench/$bin is not built (make test-bins)"
		exit 0
	fi
done
# Bounded: a hung scenario ends the run (and fails it) instead of the suite.
exec timeout -k 5 120 python3 "$TOP/bench/bench.py" --smoke --build "$B"
