#!/usr/bin/env bash
# The tooling's own tests: scripts/test_ktap.py runs the result parser against the recorded logs in
# tests/ktap-logs and made-up ones; its TAP is counted by the parser it tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$RESULTS"
stage "tooling: the result parser against recorded logs"
rc=0
python3 "$TOP/scripts/test_ktap.py" >"$RESULTS/tooling.log" 2>&1 || rc=$?
count_results tooling "test_ktap=$RESULTS/tooling.log:$rc"
