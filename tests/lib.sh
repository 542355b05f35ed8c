# tests/lib.sh: shared helpers for the shell suites (integration, tui).
# Each test prints exactly one line: "PASS: name", "FAIL: name: why" or
# "SKIP: name: why"; tests/run.sh counts those lines.

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
EBB=${EBB:-$TOP/ebb}
FAILED=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; FAILED=$((FAILED + 1)); }
skip() { echo "SKIP: $1: $2"; }

# A private home for one test: config and data dirs, removed at exit.
new_home() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/ebb-test.XXXXXX")
	export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" HOME="$T"
	mkdir -p "$XDG_CONFIG_HOME/ebb"
	trap 'cleanup_home' EXIT
}
cleanup_home() {
	[ -n "${TMUX_SESSION:-}" ] && tmux kill-session -t "$TMUX_SESSION" 2>/dev/null
	[ -n "${T:-}" ] && rm -rf "$T"
}

# check NAME COMMAND...: PASS when the command succeeds.
check() {
	mailstack_test=$1; shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | tail -3 | tr '\n' ' ')"; fi
}

# need_mailstack NAME [TOOL...]: unless tests/mailstack.sh can run here
# (root, its tools and the extra TOOLs, an ebb binary), says SKIP NAME with
# the reason and ends the script.
need_mailstack() {
	mailstack_test=$1; shift
	if [ "$(id -u)" != 0 ]; then
		skip "$mailstack_test" "needs root (the mail stack runs OpenSMTPD in a private mount namespace)"
		exit 0
	fi
	for tool in "$@" dovecot smtpd socat openssl python3 unshare; do
		if ! command -v "$tool" >/dev/null 2>&1 && ! PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null 2>&1; then
			skip "$mailstack_test" "$tool is not installed (make deps-test)"
			exit 0
		fi
	done
	[ -x "$EBB" ] || { skip "$mailstack_test" "no ebb binary at $EBB (run make)"; exit 0; }
}

# count_stored: "CONVERSATIONS MESSAGES" over every view a conversation can
# be in (all, done, muted), as `ebb list --json` reports them.
count_stored() {
	for v in all done muted; do $EBB list --view $v --json; done |
		python3 -c 'import json,sys
rows = []
dec = json.JSONDecoder(); text = sys.stdin.read(); i = 0
while i < len(text):
    if text[i].isspace(): i += 1; continue
    part, i = dec.raw_decode(text, i); rows += part
print(len(rows), sum(x["messages"] for x in rows))'
}

# ---- tmux ----------------------------------------------------------------
# tmux_start COLS ROWS CMD...: runs CMD in a detached session of that size.
tmux_start() {
	cols=$1 rows=$2; shift 2
	TMUX_SESSION="ebbtest$$"
	export TMUX_TMPDIR="$T"
	tmux -f /dev/null new-session -d -s "$TMUX_SESSION" -x "$cols" -y "$rows" \
		"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $*; sleep 30"
}
tmux_keys() { tmux send-keys -t "$TMUX_SESSION" "$@"; }
tmux_screen() { tmux capture-pane -p -t "$TMUX_SESSION"; }
# tmux_wait TEXT [SECONDS]: waits until TEXT is on screen.
tmux_wait() {
	i=0; lim=$(( ${2:-5} * 20 ))
	while [ $i -lt $lim ]; do
		tmux_screen | grep -qF -- "$1" && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
