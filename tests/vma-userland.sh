#!/bin/sh
# tools/testing/vma's userland tests of mm/vma.c, on the host: vma-userland.sh TREE builds them in
# TREE and prints their result as TAP (the test binary prints only failures and a total). Each
# TEST(name) the runner calls is one result, failed if the binary reported it, or if the binary
# did not run to its total (then which tests ran is unknown); a total that does not match the names
# fails too.
set -u
dir=$1/tools/testing/vma
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
echo "TAP version 13"
if ! make -s -C "$dir" vma >/dev/null 2>"$logs/build.err"; then
	sed 's/^/# /' "$logs/build.err"
	echo "1..1"
	echo "not ok 1 build of tools/testing/vma"
	exit 1
fi
(cd "$dir" && ./vma) >"$logs/run.out" 2>"$logs/run.err"
rc=$?
total=$(sed -n 's/^\([0-9]*\) tests run.*/\1/p' "$logs/run.out")
names=$(grep -h -o '^[[:space:]]*TEST([a-z0-9_]*);' "$dir"/tests/*.c | sed 's/.*TEST(\(.*\));/\1/')
n=0
echo "1..$(($(echo "$names" | grep -c .) + 1))"
for t in $names; do
	n=$((n + 1))
	if [ -z "$total" ] || grep -qx "Test $t FAILED" "$logs/run.err"; then
		echo "not ok $n $t"
	else
		echo "ok $n $t"
	fi
done
sed 's/^/# /' "$logs/run.out" "$logs/run.err"
n=$((n + 1))
if [ "$total" = "$(echo "$names" | grep -c .)" ] && [ "$rc" = 0 ]; then
	echo "ok $n every test ran and the binary exited 0"
else
	echo "not ok $n every test ran and the binary exited 0 # ${total:-no} tests run, exit $rc"
fi
