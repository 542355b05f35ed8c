#!/bin/sh
# tests/run.sh: runs every suite of `make check` and ends with one line
# "N passed, N failed". Suites: cmocka unit tests (plain and ASan+UBSan),
# integration and tmux screen tests (PASS/FAIL/SKIP lines), the benchmark
# driver's 1 k smoke run, bounded fuzzing.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
export TOP
B=${B:-build}
passed=0 failed=0 skipped=0
log=$(mktemp)

count_cmocka() {  # $1 = binary, $2 = suite label
	out=$("$1" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # crashed or sanitizer abort
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" != 0 ]; then
		echo "FAIL: $2 $(basename "$1")"; printf '%s\n' "$out" | grep -v '^\[ \(RUN\|      OK\) ' | tail -40
	else
		echo "ok:   $2 $(basename "$1") ($p)"
	fi
}

count_lines() {  # $1 = script; counts its PASS/FAIL/SKIP lines
	out=$(sh "$1" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP): ' | sed 's/^/      /'
	p=$(printf '%s\n' "$out" | grep -c '^PASS: ')
	f=$(printf '%s\n' "$out" | grep -c '^FAIL: ')
	s=$(printf '%s\n' "$out" | grep -c '^SKIP: ')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1; echo "FAIL: $1 exited $rc"; printf '%s\n' "$out" | tail -20
	fi
	[ "$f" != 0 ] && printf '%s\n' "$out" | grep -v -E '^(PASS|SKIP): ' | tail -30 >&2
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

echo "== unit tests"
for t in "$B"/tests/test_*; do [ -x "$t" ] && count_cmocka "$t" unit; done
echo "== unit tests under ASan+UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "$B"/tests-asan/test_*; do [ -x "$t" ] && count_cmocka "$t" asan; done
unset ASAN_OPTIONS UBSAN_OPTIONS
for suite in integration tui; do
	echo "== $suite tests"
	for t in tests/$suite/*.sh; do [ -f "$t" ] && count_lines "$t"; done
done
echo "== bench smoke (1 k messages)"
count_lines bench/smoke.sh
echo "== fuzz (bounded)"
[ -f tests/fuzz/run.sh ] && count_lines tests/fuzz/run.sh
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
