#!/bin/sh
# make bench: the benchmark driver bench/bench.py over 10 k, 100 k and 1 M
# messages (docs/benchmarks.md). BENCH_ARGS passes options to it, e.g.
#   make bench BENCH_ARGS="--sizes 10k --runs 3"
TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
exec python3 "$TOP/bench/bench.py" --build "${B:-build}" ${BENCH_ARGS:-}
