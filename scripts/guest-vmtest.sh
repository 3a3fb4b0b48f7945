#!/bin/sh
# Runs inside the guest (see vm-run.sh), under the host's /bin/sh without lib.sh, so it filters LIST
# itself: guest-vmtest.sh KSFT_DIR LIST. Copies the kselftest install
# to scratch, runs every test of LIST, and leaves each one's output in $OUT/NAME.log and
# "NAME EXIT-STATUS" lines in $OUT/status.list for vmtest.sh to count.
set -u
KOP_TOP=$(cd "$(dirname "$0")/.." && pwd)
export KOP_TOP
cp -a "$1" /tmp/ksft || exit 1
grep -v -e '^#' -e '^[[:space:]]*$' "$2" | while read -r name dir cmd; do
	echo "kop-vmtest: running $name"
	(cd "/tmp/ksft/$dir" && timeout 600 sh -c "$cmd") >"$OUT/$name.log" 2>&1 </dev/null
	echo "$name $?" >>"$OUT/status.list"
done
