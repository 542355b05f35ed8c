#!/bin/sh
# make bench: the benchmark driver. Today it runs the IMAP first-sync
# scenario against the transport floor (bench/imap_sync.sh); the corpus
# generator and the other scenarios of the benchmarks issue are still to come.
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
if [ "$(id -u)" != 0 ]; then
	echo "ebb bench: the IMAP scenario needs root (it runs a private Dovecot); nothing measured."
	exit 0
fi
EBB="$TOP/ebb" FLOOR="$TOP/$B/bench/imap_floor" sh "$TOP/bench/imap_sync.sh" "${BENCH_MESSAGES:-10000}"
