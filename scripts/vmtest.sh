#!/usr/bin/env bash
# Build the guest kernel and the selftests from the patched tree, run tests/vmtests.txt in the guest,
# write a TAP log to $RESULTS/NAME.tap and end with "N passed, N failed, N skipped".
# Environment: VMTESTS (the list), VMTEST_NAME (default vmtest), VMTEST_BUILD (the kernel's O=,
# default $BUILD_X86) and VMTEST_FRAGMENTS (extra kconfig fragments of that kernel).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LIST=${VMTESTS:-$TOP/tests/vmtests.txt}
NAME=${VMTEST_NAME:-vmtest}
BUILD=${VMTEST_BUILD:-$BUILD_X86}
KSFT=$BUILD/kselftest/kselftest_install
RUN=$CACHE/vm/$NAME
# Selftest directories to build; "." marks a test that is not a kselftest.
targets=$(list_entries "$LIST" | awk '$2 != "." {print $2}' | sort -u | tr '\n' ' ')

# shellcheck disable=SC2086
kernel=$("$TOP/scripts/build-kernel.sh" "$BUILD" ${VMTEST_FRAGMENTS:-})
stage "building selftests: $targets"
make -s -j"$JOBS" -C "$SRC" O="$BUILD" ARCH=x86_64 TARGETS="$targets" FORCE_TARGETS=1 kselftest-install \
	>"$BUILD/selftests-build.log" 2>&1 || die "selftests failed to build; see $BUILD/selftests-build.log"
# A warning in a selftest the series adds or changes is a failure, as in the kernel build.
series_tests=$(git -C "$SRC" diff --name-only base HEAD -- 'tools/testing/selftests/*.c' | xargs -rn1 basename | sed 's/\.c$//')
for t in $series_tests; do
	! grep -E "(^|/)$t\.c:[0-9]+:[0-9]+: warning:" "$BUILD/selftests-build.log" ||
		die "selftest $t.c builds with a warning (above); see $BUILD/selftests-build.log"
done

stage "running the selftests in the guest under QEMU TCG (a few minutes)"
vm_rc=0
"$TOP/scripts/vm-run.sh" --kernel "$kernel" --dir "$RUN" --timeout 2400 --append kunit.enable=0 \
	"$TOP/scripts/guest-vmtest.sh" "$KSFT" "$LIST" || vm_rc=$?

mkdir -p "$RESULTS"
tap=$RESULTS/$NAME.tap
pass=0 fail=0 skip=0 n=0
echo "TAP version 13" >"$tap"
while read -r name _; do
	n=$((n + 1))
	rc=$(awk -v t="$name" '$1 == t {print $2}' "$RUN/status.list" 2>/dev/null)
	log=$RUN/$name.log
	read -r p f s < <(grep -o 'Totals: pass:[0-9]* fail:[0-9]* xfail:[0-9]* xpass:[0-9]* skip:[0-9]* error:[0-9]*' \
		"$log" 2>/dev/null | tr -c '0-9\n' ' ' |
		awk '{p += $1 + $3; f += $2 + $4 + $6; s += $5; c++} END {print (c ? p : "-"), f + 0, s + 0}')
	if [ -z "$rc" ]; then
		p=0 f=1 s=0 why="did not run"
	elif [ "$p" = - ]; then
		case $rc in 0) p=1 f=0 s=0 ;; 4) p=0 f=0 s=1 ;; *) p=0 f=1 s=0 ;; esac
		why="exit $rc"
	else
		case $rc in 0 | 4) ;; *) [ "$f" -gt 0 ] || f=1 ;; esac
		why="exit $rc"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	ok=ok
	[ "$f" = 0 ] || ok="not ok"
	echo "$ok $n $name # pass:$p fail:$f skip:$s ($why) log: $log" >>"$tap"
done < <(list_entries "$LIST")
if [ "$vm_rc" != 0 ]; then
	n=$((n + 1)) fail=$((fail + 1))
	echo "not ok $n guest # the guest run failed; console log: $RUN/console.log" >>"$tap"
fi
echo "1..$n" >>"$tap"
grep -v '^ok' "$tap" | grep -v -e '^TAP' -e '^1\.\.' >&2 || true
record_counts "$NAME" "$pass" "$fail" "$skip"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
