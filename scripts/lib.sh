# Shared settings and helpers for the scripts in this directory. Source it; do not run it.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../base.conf
. "$TOP/base.conf"

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/kernel-owned-pages
SRC=$CACHE/src/linux                 # base tree with the series applied as commits
BUILD_X86=$CACHE/build/x86_64        # O= for the QEMU guest kernel (also runs KUnit on x86_64)
BUILD_UML=$CACHE/build/uml           # O= for kunit.py on UML
BUILD_LINT=$CACHE/build/lint         # O= for the per-patch builds
LINT_TREE=$CACHE/src/lint            # git worktree the per-patch builds check out
RESULTS=${RESULTS:-$CACHE/results}   # logs and pass/fail counts of the last run
# The KUnit config of every test kernel: the series' own mm/tests/.kunitconfig, then the tooling's.
KUNITCONFIGS=("$SRC/mm/tests/.kunitconfig" "$TOP/configs/kunitconfig")
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
JOBS=${JOBS:-$(nproc)}
KMAKE=(make -s -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc")

stage() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# One run at a time per cache: a second clone or make process waits here instead of rebuilding the
# tree or a kernel under a running one. Scripts started by a script that holds the lock inherit it.
if [ -z "${KOP_CACHE_LOCKED:-}" ]; then
	mkdir -p "$CACHE"
	exec 9>"$CACHE/lock"
	flock -n 9 || { stage "waiting for another run that uses $CACHE"; flock 9; }
	export KOP_CACHE_LOCKED=1
fi

# The commit the series is applied on top of.
base_commit() { git -C "$SRC" rev-parse --verify -q refs/tags/base; }

# Print the series' patch files in order (cover letter excluded).
series_patches() { find "$TOP/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' | sort; }

# list_entries FILE: the lines of a list file (tests/vmtests.txt, configs/checkpatch-exceptions)
# without its comments and blank lines.
list_entries() { grep -v -e '^#' -e '^[[:space:]]*$' "$1" || true; }

# "<hash of the patch files> <HEAD of $SRC>" of the last apply or export; src.sh compares with it.
APPLIED_STAMP=$CACHE/src/applied
patches_hash() { series_patches | xargs -r cat | sha256sum | cut -d' ' -f1; }

# record_counts STAGE PASS FAIL SKIP: the stage's result, summed by scripts/check.sh.
record_counts() {
	mkdir -p "$RESULTS"
	printf '%s %s %s\n' "$2" "$3" "$4" >"$RESULTS/$1.counts"
	printf '%s: %s passed, %s failed, %s skipped\n' "$1" "$2" "$3" "$4" >&2
}

# count_results STAGE SOURCE...: count the TAP/KTAP results of every SOURCE (NAME=LOG[:EXIT_STATUS],
# -1 for a command that did not finish) with scripts/ktap.py, the one result parser, against
# tests/expected-skips; write $RESULTS/STAGE.tap and the stage's counts. Fails if a result failed.
count_results() {
	local stage=$1 p f s
	shift
	mkdir -p "$RESULTS"
	read -r p f s < <(python3 "$TOP/scripts/ktap.py" "$stage" "$TOP/tests/expected-skips" \
		"$RESULTS/$stage.tap" "$@" || echo "0 1 0")
	record_counts "$stage" "$p" "$f" "$s"
	[ "$f" = 0 ]
}

# A stage's own checks (lint, variant) as a TAP log for count_results: tap_begin LOG, then one
# ok DESCRIPTION or bad DESCRIPTION per check.
tap_begin() { TAP_LOG=$1 TAP_N=0; mkdir -p "$(dirname "$1")"; echo 'TAP version 13' >"$TAP_LOG"; }
# A "#" in a description would start a TAP directive: it becomes "No.".
ok() { local d=$*; TAP_N=$((TAP_N + 1)); echo "ok $TAP_N ${d//#/No.}" >>"$TAP_LOG"; }
bad() {
	local d=$*
	TAP_N=$((TAP_N + 1))
	echo "not ok $TAP_N ${d//#/No.}" >>"$TAP_LOG"
	printf 'FAIL: %s\n' "$d" >&2
}

# build_ok WHAT WARN LOG COMMAND...: run a build into LOG; a TAP result (ok/bad) that passes when
# it succeeds and LOG has no line matching the regex WARN; on failure its warnings and errors go
# to stderr.
build_ok() {
	local what=$1 warn=$2 log=$3
	shift 3
	if "$@" >"$log" 2>&1 && ! grep -q -E "$warn" "$log"; then
		ok "$what"
	else
		bad "$what"
		grep -E 'warning:|error:' "$log" | head -20 >&2 || tail -20 "$log" >&2
	fi
}

# console_checks NAME LOG: a TAP log (printed path) with one result, "no kernel report in LOG", for
# consoles that no vm-run.sh scanned (kunit.py's runs); count it with count_results.
console_checks() {
	local out=$RESULTS/$1.console.checks reports
	reports=$(kernel_reports "$2" 2>/dev/null || true)
	{
		echo 'TAP version 13'
		if [ ! -f "$2" ]; then
			echo "not ok 1 no console log at $2"
		elif [ -z "$reports" ]; then
			echo "ok 1 no kernel report on the console"
		else
			printf '%s\n' "$reports" | head -20 | sed 's/^/# /'
			echo "not ok 1 no kernel report on the console (see $2)"
		fi
	} >"$out"
	echo "$out"
}

# kernel_reports LOG: the console lines of LOG that report a kernel problem. The command line
# (which names page_table_check) and the kernel's echo of unknown parameters are not reports.
kernel_reports() {
	grep -v -e 'Command line:' -e 'Kernel command line:' -e 'Unknown kernel command line parameters' "$1" |
		grep -E 'BUG:|WARNING:|Bad page|Bad rss-counter|page_table_check|KASAN|UBSAN:|possible circular locking|Kernel panic|Oops|general protection fault|kernel BUG|rcu: INFO: .* stall|INFO: task .* blocked' ||
		true
}
