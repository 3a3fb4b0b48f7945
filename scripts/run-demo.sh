#!/usr/bin/env bash
# make run: build the patched guest kernel and the demo (kmapdemo, from demo/*.c), boot the guest and run the demo.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/build-kernel.sh" >/dev/null
mkdir -p "$CACHE/demo"
gcc -O2 -Wall -Wextra -o "$CACHE/demo/kmapdemo" "$TOP"/demo/*.c || die "the demo (demo/*.c) failed to build"
stage "booting the patched kernel under QEMU TCG and running the demo"
"$TOP/scripts/vm-run.sh" --dir "$CACHE/vm/demo" --timeout 600 --append kunit.enable=0 --show "$CACHE/demo/kmapdemo"
