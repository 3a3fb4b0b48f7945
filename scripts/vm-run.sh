#!/usr/bin/env bash
# vm-run.sh [options] COMMAND...: boot the guest kernel under QEMU (TCG), run COMMAND in it with
# sh -c, and exit with its status. The whole console goes to a log that is scanned for kernel
# reports; any report fails the run.
#   --kernel FILE   bzImage (default: the one build-kernel.sh builds)
#   --dir DIR       run directory: cmd, output (the command's stdout+stderr), status, console.log
#   --append ARGS   extra kernel command line
#   --timeout SEC   kill a hung guest after SEC seconds (default 1200)
#   --disks         attach a fresh ext4 disk (mounted at /tmp/disk in the guest: real O_DIRECT) and
#                   a swap disk
#   --show          print the command's output after the run
#   --shell         interactive shell on the console instead of a command
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$BUILD_X86/arch/x86/boot/bzImage dir=$CACHE/vm/run append="" timeout=1200 show=0 shell=0 disks=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--disks) disks=1; shift ;;
	--show) show=1; shift ;;
	--shell) shell=1; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make kernel' first"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run 'make deps'"

rm -rf "$dir" && mkdir -p "$dir"
log=$dir/console.log
printf '%s\n' "$*" >"$dir/cmd"
cmdline="console=ttyS0 root=/dev/root rootfstype=9p ro init=$TOP/scripts/guest-init.sh"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose"
cmdline+=" page_table_check=on panic=-1 KOP_SHELL=$shell KOP_KEEP=$TOP:$CACHE$append"
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G -nodefaults -no-reboot -display none
	-kernel "$kernel" -append "$cmdline"
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root
	-fsdev local,id=out,path="$dir",security_model=none,multidevs=remap
	-device virtio-9p-pci,fsdev=out,mount_tag=kopout)

if [ "$disks" = 1 ]; then
	command -v mkfs.ext4 >/dev/null && command -v mkswap >/dev/null ||
		die "mkfs.ext4 or mkswap missing: run 'make deps'"
	truncate -s 1G "$dir/ext4.img" && mkfs.ext4 -q -F "$dir/ext4.img" &&
		truncate -s 512M "$dir/swap.img" && mkswap -q "$dir/swap.img" ||
		die "could not make the guest's disk images in $dir"
	qemu+=(-drive "file=$dir/ext4.img,if=virtio,format=raw,cache=unsafe"
		-drive "file=$dir/swap.img,if=virtio,format=raw,cache=unsafe")
fi

if [ "$shell" = 1 ]; then
	"${qemu[@]}" -serial mon:stdio
	exit 0
fi

rc=0
timeout -k 10 "$timeout" "${qemu[@]}" -monitor none -serial "file:$log" </dev/null || rc=$?
[ "$show" = 1 ] && [ -f "$dir/output" ] && cat "$dir/output"
[ "$rc" != 124 ] || die "the guest hung and was killed after ${timeout}s; console log: $log"
[ "$rc" = 0 ] || die "qemu failed (exit $rc); console log: $log"

reports=$(kernel_reports "$log")
if [ -n "$reports" ]; then
	printf '%s\n' "$reports" | head -20 >&2
	die "the kernel reported a problem (above); console log: $log"
fi
[ -f "$dir/status" ] || die "the guest stopped before the command finished; console log: $log"
status=$(cat "$dir/status")
[ "$status" = 0 ] || stage "command exited with status $status; output: $dir/output, console log: $log"
exit "$status"
