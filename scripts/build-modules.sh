#!/usr/bin/env bash
# build-modules.sh O: build the test modules of tests/modules (not part of the series) with W=1
# against the kernel built in O, into O/kop-modules, and print that directory. A warning fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build=$1 out=$1/kop-modules
stage "building the test modules of tests/modules against $build"
mkdir -p "$out"
"${KMAKE[@]}" -C "$SRC" O="$build" ARCH=x86_64 M="$TOP/tests/modules" MO="$out" W=1 modules \
	>"$out/build.log" 2>&1 && ! grep -q -i 'warning' "$out/build.log" ||
	die "tests/modules does not build without warnings; see $out/build.log"
echo "$out"
