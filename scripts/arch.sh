#!/usr/bin/env bash
# make check-arch: the series on other architectures, each with its own counts.
#   arch-nommu  riscv64 without an MMU (nommu_virt_defconfig): mm/nommu.c and the !CONFIG_MMU half of
#               io_uring compile without a warning, with the other series objects that config builds;
#   arch-i386   32-bit highmem: the series objects compile without a warning and the KUnit suite runs
#               (the access helper's kmap path) in qemu-system-i386 under TCG;
#   arch-arm64  kunit.py run --arch=arm64 (pte_special, arm64's prot encoding, page_table_check),
#               and every series object of that kernel rebuilt without a warning.
# ARCHES selects some of them (default: all three). Each function checks every step itself: they
# run under "||", where set -e does not apply.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUNIT_PY=$SRC/tools/testing/kunit/kunit.py
"$TOP/scripts/src.sh"
series_c=$(git -C "$SRC" diff --name-only --diff-filter=AM base HEAD -- '*.c' ':!tools/')
rc=0

# compile_series STAGE O ARCH CROSS SKIP...: compile every series object but the SKIP files in O
# (configured already), one TAP result per object, into $TAP_LOG; fails on an error or a warning.
compile_series() {
	local stage=$1 out=$2 arch=$3 cross=$4 f
	shift 4
	for f in $series_c; do
		case " $* " in *" $f "*) continue ;; esac
		rm -f "$out/${f%.c}.o"
		build_ok "$stage: $f compiles without a warning" 'warning:' "$out/series-objects.log" \
			"${KMAKE[@]}" -C "$SRC" O="$out" ARCH="$arch" CROSS_COMPILE="$cross" \
			CC="ccache ${cross}gcc" "${f%.c}.o"
	done
}

arch_nommu() {
	local out=$CACHE/build/riscv64-nommu
	tap_begin "$RESULTS/arch-nommu.checks"
	stage "arch-nommu: riscv64 nommu_virt_defconfig, the series' objects in $out"
	"$TOP/scripts/kconfig.sh" "$out" riscv nommu_virt_defconfig "$TOP/configs/arch-nommu.config" ||
		{ bad "arch-nommu: kconfig"; count_results arch-nommu "nommu=$TAP_LOG"; return 1; }
	# Without an MMU: no GUP-based process_vm_access, no page table check, no MMU-only tests.
	compile_series arch-nommu "$out" riscv riscv64-linux-gnu- mm/memory.c mm/gup.c \
		mm/page_table_check.c mm/pgtable-generic.c mm/process_vm_access.c fs/proc/page.c \
		io_uring/zcrx.c mm/tests/kernel_owned_pages_kunit.c mm/tests/kernel_owned_pages_bench.c
	count_results arch-nommu "nommu=$TAP_LOG"
}

arch_i386() {
	local out=$CACHE/build/i386 run=$CACHE/vm/kunit-i386 vm_rc=0
	tap_begin "$RESULTS/arch-i386.checks"
	stage "arch-i386: i386 highmem kernel with the KUnit suite in $out"
	if ! "$TOP/scripts/kconfig.sh" "$out" i386 tinyconfig "$TOP/configs/arch-i386.config" \
		"${KUNITCONFIGS[@]}" ||
		! "${KMAKE[@]}" -C "$SRC" O="$out" ARCH=i386 bzImage >"$out/build.log" 2>&1; then
		tail -20 "$out/build.log" >&2 2>/dev/null || true
		bad "arch-i386: the i386 kernel builds (see $out/build.log)"
		count_results arch-i386 "i386=$TAP_LOG"
		return 1
	fi
	# page_table_check is x86_64-only on x86, zcrx needs INET, nommu.c no MMU.
	compile_series arch-i386 "$out" i386 "" mm/nommu.c mm/page_table_check.c io_uring/zcrx.c
	count_results arch-i386 "i386=$TAP_LOG" || rc=1
	stage "arch-i386: KUnit in qemu-system-i386 under TCG; console: $run/console.log"
	rm -rf "$run" && mkdir -p "$run"
	timeout -k 10 900 qemu-system-i386 -accel tcg -m 1G -nodefaults -no-reboot -display none \
		-kernel "$out/arch/x86/boot/bzImage" -append "console=ttyS0 kunit_shutdown=reboot" \
		-serial "file:$run/console.log" </dev/null || vm_rc=$?
	count_results arch-i386-kunit "kunit=$run/console.log:$vm_rc" \
		"console=$(console_checks arch-i386-kunit "$run/console.log")" || rc=1
}

arch_arm64() {
	local out=$CACHE/build/arm64 kunit_rc=0
	tap_begin "$RESULTS/arch-arm64.checks"
	stage "arch-arm64: kunit.py run --arch=arm64 (a cold build takes ~15 minutes) in $out"
	rm -f "$out/test.log"
	python3 "$KUNIT_PY" run --arch=arm64 --cross_compile=aarch64-linux-gnu- \
		"${KUNITCONFIGS[@]/#/--kunitconfig=}" --kunitconfig="$TOP/configs/arch-arm64.config" \
		--build_dir="$out" --jobs="$JOBS" --make_options="CC=ccache aarch64-linux-gnu-gcc" \
		--timeout=900 >"$RESULTS/kunit-arm64.log" 2>&1 || kunit_rc=$?
	count_results arch-arm64-kunit "kunit=$out/test.log:$kunit_rc" \
		"console=$(console_checks arch-arm64-kunit "$out/test.log")" || rc=1
	[ -f "$out/.config" ] || { bad "arch-arm64: kunit.py configured no kernel"; count_results arch-arm64 "arm64=$TAP_LOG"; return 1; }
	compile_series arch-arm64 "$out" arm64 aarch64-linux-gnu- mm/nommu.c
	count_results arch-arm64 "arm64=$TAP_LOG"
}

for a in ${ARCHES:-nommu i386 arm64}; do
	"arch_$a" || rc=1
done
exit $rc
