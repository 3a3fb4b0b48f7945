#!/usr/bin/env bash
# The second test kernel (configs/variant.config): the misuse KUnit suite must make the kernel
# report each misuse (a WARN for a page freed still typed, a page_table_check BUG for a page freed
# while mapped), and the perf selftests must pass on the vmalloc()ed ring buffer.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUILD_VARIANT=$CACHE/build/x86_64-variant
FRAGMENT=$TOP/configs/variant.config
RUN=$CACHE/vm/misuse
rc=0 pass=0 fail=0

kernel=$("$TOP/scripts/build-kernel.sh" "$BUILD_VARIANT" "$FRAGMENT")
stage "variant: misuse suite, expecting a WARN and a page_table_check BUG; console: $RUN/console.log"
"$TOP/scripts/vm-run.sh" --kernel "$kernel" --dir "$RUN" --timeout 900 \
	--append "kunit.filter_glob=kernel_owned_pages_misuse*" true >/dev/null 2>&1 || true
expect() { # NAME REGEX: one test, passed when the console matches REGEX
	if grep -q -E -e "$2" "$RUN/console.log" 2>/dev/null; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "variant: FAIL: $1: '$2' not on the console; console log: $RUN/console.log" >&2
	fi
}
expect "a page freed still typed WARNs" 'WARNING: .*mm/page_alloc\.c.*|kernel-owned page freed with its type set'
expect "the free-typed cases pass" '^ *ok [0-9]+ kernel_owned_pages_misuse[[:space:]]*$'
expect "page_table_check BUGs on a page freed while mapped" 'kernel BUG at mm/page_table_check\.c'
# Nothing else: the WARN, the BUG and its oops lines are the only reports allowed.
unexpected=$(kernel_reports "$RUN/console.log" | grep -v -E -e \
	'WARNING: mm/page_alloc\.c:[0-9]+ at free_page_kernel_owned|kernel BUG at mm/page_table_check\.c|Oops: invalid opcode|RIP: .*__page_table_check_zero' ||
	true)
if [ -z "$unexpected" ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	printf '%s\n' "$unexpected" >&2
	echo "variant: FAIL: unexpected kernel reports above; console log: $RUN/console.log" >&2
fi
record_counts variant-misuse "$pass" "$fail" 0
[ "$fail" = 0 ] || rc=1

list=$CACHE/vmtests-perf.txt
grep -E '^perf' "$TOP/tests/vmtests.txt" >"$list"
VMTESTS=$list VMTEST_NAME=variant-perf-vmalloc VMTEST_BUILD=$BUILD_VARIANT VMTEST_FRAGMENTS=$FRAGMENT \
	"$TOP/scripts/vmtest.sh" || rc=1
exit $rc
