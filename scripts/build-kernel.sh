#!/usr/bin/env bash
# Build the x86_64 guest kernel (tinyconfig + configs/*.config + configs/kunitconfig) and the
# UAPI headers the selftests compile against, incrementally, in $BUILD_X86.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/src.sh"
"$TOP/scripts/kconfig.sh" "$BUILD_X86" x86_64 tinyconfig \
	"$TOP/configs/guest.config" "$TOP/configs/debug.config" "$TOP/configs/kunitconfig" \
	${EXTRA_CONFIG:+"$EXTRA_CONFIG"}
stage "building the x86_64 kernel in $BUILD_X86 (a cold build takes ~10 minutes)"
"${KMAKE[@]}" -C "$SRC" O="$BUILD_X86" ARCH=x86_64 bzImage headers
echo "$BUILD_X86/arch/x86/boot/bzImage"
