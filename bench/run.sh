#!/bin/sh
# make bench: the benchmark driver. The corpus generator and scenarios come
# with the benchmarks issue; until then this says so instead of pretending.
echo "ebb bench: no scenarios yet (see the benchmarks issue); nothing measured."
