#!/bin/sh
# Runs inside the guest (see vm-run.sh), under the host's /bin/sh without lib.sh, so it filters LIST
# itself: guest-vmtest.sh KSFT_DIR LIST PROGS_DIR SRC [SETUP]. Runs SETUP (e.g. loading a test
# module), copies the kselftest install to scratch, runs every test of LIST (with $KOP_TOP the
# repository, $KOP_PROGS the test programs of tests/progs and $KOP_SRC the patched tree), and leaves each one's output in $OUT/NAME.log and
# "NAME EXIT-STATUS" lines in $OUT/status.list for vmtest.sh to count.
set -u
KOP_TOP=$(cd "$(dirname "$0")/.." && pwd)
KOP_PROGS=$3
KOP_SRC=$4
export KOP_TOP KOP_PROGS KOP_SRC
if [ -n "${5:-}" ]; then
	echo "kop-vmtest: setup: $5"
	sh -c "$5" || { echo "kop-vmtest: setup failed"; exit 1; }
fi
# On the ext4 disk if there is one, so that tests using the current directory or $TMPDIR get a
# file system with real O_DIRECT.
scratch=/tmp
[ -d /tmp/disk/tmp ] && scratch=/tmp/disk && export TMPDIR=/tmp/disk/tmp
cp -a "$1" "$scratch/ksft" || exit 1
grep -v -e '^#' -e '^[[:space:]]*$' "$2" | while read -r name _ cmd; do
	echo "kop-vmtest: running $name"
	# Through a pipe: run_kselftest.sh appends to /dev/stdout, which on a file would open it again
	# at its end, and the lines this shell then writes would overwrite the test's output.
	{ (cd "$scratch/ksft" && timeout 700 sh -c "$cmd") </dev/null 2>&1; echo "$?" >"$OUT/rc"; } |
		cat >"$OUT/$name.log"
	echo "$name $(cat "$OUT/rc")" >>"$OUT/status.list"
done
