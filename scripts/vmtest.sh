#!/usr/bin/env bash
# Build the guest kernel and the selftests from the patched tree, run tests/vmtests.txt in the guest,
# and count their results (scripts/ktap.py: $RESULTS/NAME.tap).
# Environment: VMTESTS (the list), VMTEST_NAME (default vmtest), VMTEST_BUILD (the kernel's O=,
# default $BUILD_X86), VMTEST_FRAGMENTS (extra kconfig fragments of that kernel) and VMTEST_HOST
# (default 1: also run tools/testing/vma's userland tests on the host). The guest loads the test
# AUX PMU of tests/modules first and has an ext4 disk and swap (vm-run.sh --disks).
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
series_c=$(git -C "$SRC" diff --name-only --diff-filter=AM base HEAD -- 'tools/testing/selftests/*.c')
series_tests=$(xargs -rn1 basename <<<"$series_c" | sed 's/\.c$//')
# Every selftest the series adds or changes in a directory that runs here is built and installed.
for c in $series_c; do
	d=$(sed 's|tools/testing/selftests/\([^/]*\)/.*|\1|' <<<"$c")
	case " $targets " in *" $d "*) ;; *) continue ;; esac
	[ -x "$KSFT/$d/$(basename "$c" .c)" ] || die "selftest $c was not built into $KSFT/$d"
done
# Without liburing the mm selftests build, but cow and gup_longterm lose their io_uring cases.
! grep -q 'missing liburing support' "$BUILD/selftests-build.log" ||
	die "the mm selftests were built without liburing (install liburing-dev); see $BUILD/selftests-build.log"
for t in $series_tests; do
	! grep -E "(^|/)$t\.c:[0-9]+:[0-9]+: warning:" "$BUILD/selftests-build.log" ||
		die "selftest $t.c builds with a warning (above); see $BUILD/selftests-build.log"
done

MODULES=$("$TOP/scripts/build-modules.sh" "$BUILD")
setup="busybox insmod $MODULES/kop_aux_pmu.ko"
# The test-only programs of tests/progs, against the patched tree's UAPI and selftest headers.
PROGS=$BUILD/kop-progs
mkdir -p "$PROGS"
for c in "$TOP"/tests/progs/*.c; do
	gcc -Wall -Werror -O2 -D_GNU_SOURCE= -I"$BUILD/usr/include" -I"$SRC/tools/testing/selftests" \
		-o "$PROGS/$(basename "$c" .c)" "$c" -lpthread ||
		die "tests/progs/$(basename "$c") does not build without warnings (above)"
done

stage "running the selftests in the guest under QEMU TCG (a few minutes)"
vm_rc=0
"$TOP/scripts/vm-run.sh" --kernel "$kernel" --dir "$RUN" --timeout 3600 --disks --append kunit.enable=0 \
	"$(printf '%q ' "$TOP/scripts/guest-vmtest.sh" "$KSFT" "$LIST" "$PROGS" "$SRC" "$setup")" || vm_rc=$?

# Each test's log with its exit status (-1: it did not finish), for the result parser.
sources=()
if [ "${VMTEST_HOST:-1}" = 1 ]; then
	stage "tools/testing/vma userland tests on the host"
	vma_rc=0
	"$TOP/tests/vma-userland.sh" "$SRC" >"$RUN/vma-userland.log" 2>&1 || vma_rc=$?
	sources+=("tools/testing/vma=$RUN/vma-userland.log:$vma_rc")
fi
while read -r name _; do
	rc=$(awk -v t="$name" '$1 == t {print $2}' "$RUN/status.list" 2>/dev/null || true)
	sources+=("$name=$RUN/$name.log:${rc:--1}")
done < <(list_entries "$LIST")
[ "$vm_rc" = 0 ] || sources+=("guest=$RUN/console.log:$vm_rc")
count_results "$NAME" "${sources[@]}"
