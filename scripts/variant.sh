#!/usr/bin/env bash
# The second test kernel (configs/variant.config): the test module tests/modules/kop_misuse.ko must
# make the kernel report each misuse (a WARN and a line per page for pages freed still typed, a
# page_table_check BUG for a page freed while mapped); then the perf tests of tests/vmtests.txt
# (the test AUX PMU loaded, as in make vmtest) must pass on perf's vmalloc()ed ring buffer.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUILD_VARIANT=$CACHE/build/x86_64-variant
FRAGMENT=$TOP/configs/variant.config
RUN=$CACHE/vm/misuse
rc=0
tap_begin "$RESULTS/variant-misuse.checks"

# When the guest kernel's config is newer than the variant's (a cold cache, or guest.config changed),
# the variant starts from a copy of the guest kernel's build: kbuild rebuilds only the objects that
# use a symbol the variant's options change (fixdep's include/config/ dependencies), not all of them.
if [ -f "$BUILD_X86/.config" ] && [ "$BUILD_X86/.config" -nt "$BUILD_VARIANT/.config" ]; then
	stage "variant: starting from a copy of $BUILD_X86"
	rm -rf "$BUILD_VARIANT" && cp -a "$BUILD_X86" "$BUILD_VARIANT"
fi
kernel=$("$TOP/scripts/build-kernel.sh" "$BUILD_VARIANT" "$FRAGMENT")
MODULE_OUT=$("$TOP/scripts/build-modules.sh" "$BUILD_VARIANT")

stage "variant: misusing kernel-owned pages, expecting a WARN and a page_table_check BUG; console: $RUN/console.log"
# free_mapped BUGs and kills the process that writes it, so it runs in a child shell.
cmd="busybox insmod $MODULE_OUT/kop_misuse.ko && echo free_typed >/sys/kernel/debug/kop_misuse &&"
cmd+=" { sh -c 'echo free_mapped >/sys/kernel/debug/kop_misuse'; true; }"
# The WARN and the BUG make vm-run.sh fail on purpose; what it says otherwise (no qemu, no kernel,
# a hang) is the reason this stage fails.
"$TOP/scripts/vm-run.sh" --kernel "$kernel" --dir "$RUN" --timeout 900 --append kunit.enable=0 \
	"$cmd" >/dev/null 2>"$CACHE/vm/misuse.err" || true
on_console() { grep -q -E -e "$1" "$RUN/console.log" 2>/dev/null; }
expect() { # NAME REGEX: one test, passed when the console matches REGEX
	if on_console "$2"; then ok "$1"; else bad "$1: '$2' not on the console $RUN/console.log"; fi
}
if on_console '^kop-guest: command exited with status 0'; then
	ok "the guest ran the module's misuses to the end"
elif on_console '^kop-guest: command exited'; then
	bad "the guest's command failed (status $(cat "$RUN/status" 2>/dev/null)): $(tail -3 "$RUN/output" 2>/dev/null | paste -sd' ')"
else
	bad "the guest did not finish its command: $(grep -v '^==>' "$CACHE/vm/misuse.err" | tail -3 | paste -sd' ')"
fi
expect "a page freed still typed WARNs" 'WARNING: mm/page_alloc\.c:[0-9]+ at free_page_kernel_owned'
# Every typed page the module freed is named by the allocator.
freed=$(sed -n 's/.*kop_misuse: freeing typed pfn \(0x[0-9a-f]*\).*/\1/p' "$RUN/console.log" 2>/dev/null || true)
[ "$(echo "$freed" | grep -c .)" = 7 ] && ok "the module freed 7 typed pages" ||
	bad "the module did not report its 7 typed frees"
for pfn in $freed; do
	expect "typed free of pfn $pfn reported" "kernel-owned page freed with its type set \(pfn $pfn\)"
done
expect "page_table_check BUGs on a page freed while mapped" 'kernel BUG at mm/page_table_check\.c'
! on_console 'page table check missed' && ok "page_table_check missed nothing" ||
	bad "page table check missed a page freed while mapped"
# Nothing else: the WARN, the BUG and its oops lines are the only reports allowed.
unexpected=$(kernel_reports "$RUN/console.log" | grep -v -E -e \
	'WARNING: mm/page_alloc\.c:[0-9]+ at free_page_kernel_owned|kernel BUG at mm/page_table_check\.c|Oops: invalid opcode|RIP: .*__page_table_check_zero' ||
	true)
if [ -z "$unexpected" ]; then
	ok "no other kernel report"
else
	printf '%s\n' "$unexpected" >&2
	bad "unexpected kernel reports above"
fi
count_results variant-misuse "misuse=$TAP_LOG" || rc=1

list=$CACHE/vmtests-variant.txt
grep -E '^(perf|kop)' "$TOP/tests/vmtests.txt" >"$list"
VMTESTS=$list VMTEST_NAME=variant-perf VMTEST_BUILD=$BUILD_VARIANT VMTEST_FRAGMENTS=$FRAGMENT VMTEST_HOST=0 \
	"$TOP/scripts/vmtest.sh" || rc=1
exit $rc
