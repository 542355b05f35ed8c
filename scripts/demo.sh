#!/bin/sh
# make demo: opens ebb on a private copy of the bundled demo data with the
# clock fixed to Tuesday 2026-11-24 08:00 Europe/Berlin.
cd "$(dirname "$0")/.." || exit 1
if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "make demo opens the full-screen client and needs a terminal; showing the Due view instead:"
	exec ./ebb --demo list
fi
exec ./ebb --demo
