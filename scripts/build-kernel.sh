#!/usr/bin/env bash
# build-kernel.sh [--bare] [O [FRAGMENT...]]: build an x86_64 guest kernel (tinyconfig +
# configs/guest.config, debug.config, kunitconfig, the config fragments of the selftest directories
# tests/vmtests.txt runs and the extra FRAGMENTs; with --bare only guest.config and the FRAGMENTs),
# its modules and the UAPI headers the selftests compile against, incrementally, in O (default
# $BUILD_X86). Prints the bzImage's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/src.sh"
fragments=("$TOP/configs/guest.config")
if [ "${1:-}" = --bare ]; then
	shift
else
	fragments+=("$TOP/configs/debug.config" "${KUNITCONFIGS[@]}")
	for d in $(list_entries "$TOP/tests/vmtests.txt" | awk '$2 != "." {print $2}' | sort -u); do
		if [ -f "$SRC/tools/testing/selftests/$d/config" ]; then
			fragments+=("$SRC/tools/testing/selftests/$d/config")
		fi
	done
fi
out=${1:-$BUILD_X86}
shift || true
"$TOP/scripts/kconfig.sh" "$out" x86_64 tinyconfig "${fragments[@]}" "$@"
stage "building the x86_64 kernel in $out (incremental; a cold build takes ~10 minutes)"
# modules: the Module.symvers that the test modules of tests/modules link against.
"${KMAKE[@]}" -C "$SRC" O="$out" ARCH=x86_64 bzImage modules headers
echo "$out/arch/x86/boot/bzImage"
