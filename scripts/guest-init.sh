#!/bin/sh
# PID 1 of the QEMU guest started by vm-run.sh. The root file system is the host's, read-only over
# 9p; /tmp is a fresh tmpfs, and the run directory of the host is mounted writable at /tmp/out.
# With vm-run.sh --disks, the first virtio disk is an ext4 file system mounted at /tmp/disk and the
# second is swap. Runs /tmp/out/cmd (or an interactive shell), records its exit status in
# /tmp/out/status, and powers the guest off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp TERM=${TERM:-linux}
mount -t proc proc /proc
hostname localhost  # sudo (run_vmtests.sh's on-fault-limit) resolves it through the host's /etc/hosts
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
# /tmp becomes scratch; paths of the host's /tmp the run needs (KOP_KEEP: the repository and the
# cache, colon-separated) stay visible through bind mounts.
mkdir -p /dev/.host-tmp && mount --bind /tmp /dev/.host-tmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
for keep in $(echo "$KOP_KEEP" | tr : ' '); do
	case $keep in
	/tmp/*) mkdir -p "$keep" && mount --bind "/dev/.host-tmp/${keep#/tmp/}" "$keep" ;;
	esac
done
# devtmpfs has no /dev/stdout and friends (udev makes them); run_kselftest.sh writes to /dev/stdout.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /tmp/out /dev/shm
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 kopout /tmp/out
if [ -b /dev/vda ]; then
	mkdir -p /tmp/disk && mount -t ext4 /dev/vda /tmp/disk && mkdir -m 1777 /tmp/disk/tmp ||
		echo "kop-guest: could not mount the ext4 disk"
fi
[ -b /dev/vdb ] && { swapon /dev/vdb || echo "kop-guest: could not enable the swap disk"; }
cd /tmp || exit 1
export OUT=/tmp/out

if [ "$KOP_SHELL" = 1 ]; then
	echo "kernel $(uname -r); the host's / is mounted read-only, /tmp is scratch. Exit the shell to power off."
	busybox setsid -c /bin/bash -i </dev/console >/dev/console 2>&1
	status=$?
else
	sh /tmp/out/cmd >/tmp/out/output 2>&1 </dev/null
	status=$?
fi
echo "$status" >/tmp/out/status
sync
echo "kop-guest: command exited with status $status"
busybox umount /tmp/out 2>/dev/null
busybox reboot -f
