#!/usr/bin/env bash
# kunit-counts.sh STAGE LOG: record the counts of kunit.py's "Testing complete." line in LOG.
# A log without that line, or with no test run, counts as one failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

stage_name=$1 log=$2
line=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -o 'Testing complete\. Ran .*' | tail -1 || true)
field() { grep -o "$1: [0-9]*" <<<"$line" | grep -o '[0-9]*$' || echo 0; }
pass=$(field passed) skip=$(field skipped)
fail=$(($(field failed) + $(field crashed) + $(field errors)))
if [ -z "$line" ] || [ $((pass + fail + skip)) = 0 ]; then
	printf '%s: no KUnit result in %s\n' "$stage_name" "$log" >&2
	fail=$((fail + 1))
fi
record_counts "$stage_name" "$pass" "$fail" "$skip"
[ "$fail" = 0 ]
