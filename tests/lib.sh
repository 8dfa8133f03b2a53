# Shared helpers for tests/t_*.sh.  Sourced, not run.  Each check prints
# "ok - WHAT" or "not ok - WHAT"; tests/run.sh counts those lines.
# ESCDB is the binary under test (default ./escdb); ROOT the repository.

ROOT=${ROOT:-$(pwd)}
ESCDB=${ESCDB:-$ROOT/escdb}
case $ESCDB in /*) ;; *) ESCDB=$ROOT/$ESCDB ;; esac
export NO_COLOR=1 TZ=UTC LC_ALL=C GOFLAGS=-mod=mod GOTOOLCHAIN=local
T=$(mktemp -d "${TMPDIR:-/tmp}/escdb-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
# escdb's cache directory (run's list of silent packages): one per test
export ESCDB_CACHE=$T/escdb-cache

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# check WHAT CMD...: ok when CMD succeeds.
check() {
	what=$1; shift
	if "$@" >"$T/.out" 2>&1; then ok "$what"; else notok "$what"; sed 's/^/#   /' "$T/.out" | head -20; fi
}

# check_exit WHAT STATUS CMD...: ok when CMD exits with STATUS.
check_exit() {
	what=$1; want=$2; shift 2
	"$@" >"$T/.out" 2>"$T/.err"; got=$?
	if [ "$got" = "$want" ]; then ok "$what"; else
		notok "$what (exit $got, want $want)"; sed 's/^/#   /' "$T/.err" | head -10; fi
}

# check_eq WHAT GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: got '$2', want '$3'"; fi
}

# golden WHAT FILE GOLDEN: compares with diff -u; UPDATE_GOLDEN=1 rewrites.
golden() {
	if [ -n "$UPDATE_GOLDEN" ]; then cp "$2" "$3"; ok "$1 (updated)"; return; fi
	if diff -u "$3" "$2" >"$T/.diff" 2>&1; then ok "$1"; else
		notok "$1"; head -40 "$T/.diff" | sed 's/^/#   /'; fi
}

sq() { sqlite3 -batch -noheader "$@"; }
