#!/bin/sh
# Installs the Debian packages ebb needs to build (deps.sh build), to run
# its tests (deps.sh test) or its benchmarks with the other clients they are
# compared against (deps.sh bench). As root it runs apt-get, with sudo it uses sudo,
# otherwise it prints the exact command and fails.
set -eu
BUILD="make gcc pkg-config libncurses-dev libsqlite3-dev libcurl4-openssl-dev libcjson-dev libgmime-3.0-dev libinih-dev"
TEST="$BUILD libcmocka-dev clang libclang-rt-14-dev tmux python3 dovecot-imapd dovecot-lmtpd opensmtpd socat openssl ncurses-term locales"
BENCH="$TEST neomutt notmuch isync curl time"
case "${1:-build}" in
	build) want=$BUILD ;;
	test) want=$TEST ;;
	bench) want=$BENCH ;;
	*) echo "usage: deps.sh build|test|bench" >&2; exit 2 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
	as=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as=sudo
else
	echo "ebb needs these Debian packages:$missing" >&2
	echo "Install them with:  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$as apt-get update -qq >&2
$as env DEBIAN_FRONTEND=noninteractive $cmd >&2
