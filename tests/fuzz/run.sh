#!/bin/sh
# tests/fuzz/run.sh: runs every libFuzzer target for FUZZ_SECONDS (default
# 10) on its seed corpus in tests/fuzz/corpus/NAME; one PASS/FAIL line each.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${B:-build}
secs=${FUZZ_SECONDS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$TOP/$B"/fuzzers/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f"); name=${name#fuzz_}
	seeds="$TOP/tests/fuzz/corpus/$name"
	mkdir -p "$work/$name"
	if out=$(cd "$work" && "$f" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$work/$name" "$seeds" 2>&1); then
		execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
		echo "PASS: fuzz $name (${execs:-?} executions in ${secs}s)"
	else
		echo "FAIL: fuzz $name: $(printf '%s\n' "$out" | grep -m1 -E 'ERROR|SUMMARY|crash' )"
		printf '%s\n' "$out" | tail -40
	fi
done
