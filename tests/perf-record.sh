#!/bin/sh
# perf record / perf report from Debian's linux-perf in the guest: a system-wide software event
# whose samples must come back through the ring buffer mapping and show up in the report.
set -eu
out=${TMPDIR:-/tmp}/perf-record.data
perf record -q -e cpu-clock -a -o "$out" -- sleep 1
samples=$(perf report -i "$out" --stdio 2>/dev/null | sed -n 's/^# Samples: \([0-9]*\).*/\1/p' | head -1)
echo "perf report: ${samples:-no} samples"
[ "${samples:-0}" -gt 0 ]
