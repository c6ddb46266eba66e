#!/bin/sh
# The connect storm on a kernel that has kprobes, so that libbpf-tools'
# tcpconnect can attach (this project's own VM has none): boots Debian's
# bookworm-backports kernel (6.12) under QEMU with tests/kernels/lib.sh, from an
# initramfs of busybox, the static rmmhunt, a static connstorm, tcpconnect and
# bpftool with their shared libraries, and bench/qemu_net_init.sh as /init.
# Prints the guest's RMMHUNT-BENCH-* lines (bench/run.py's bench_net_qemu step
# parses them); exits 1 if the guest did not finish. Environment:
#   RMMHUNT, KERNELS_CACHE, KERNELS_ACCEL, KERNELS_MIRROR  as for tests/kernels/run.sh
#   CONNSTORM            bench/connstorm.c built static (build/bench/connstorm-static)
#   BENCH_QEMU_N         connections per storm (5000)
#   BENCH_QEMU_ROUNDS    rounds, each storm under every mode (5)
#   BENCH_W              connstorm's workers (2)
#   BENCH_QEMU_SUITE     the Debian suite whose kernel boots (bookworm-backports)
#   BENCH_QEMU_TIMEOUT   seconds the boot may take (1800)
#   BENCH_QEMU_ICOUNT    1: guest time counts instructions (-icount, one host
#                        thread for both vCPUs), not the host's clock: no noise
#                        from the host's load, but every instruction costs the same
set -eu

here=$(cd "$(dirname "$0")" && pwd)
CONNSTORM=${CONNSTORM:-build/bench/connstorm-static}
SUITE=${BENCH_QEMU_SUITE:-bookworm-backports}
TIMEOUT=${BENCH_QEMU_TIMEOUT:-1800}
[ "${BENCH_QEMU_ICOUNT:-0}" = 1 ] && KERNELS_ACCEL=tcg
# shellcheck source=tests/kernels/lib.sh
. "$here/../tests/kernels/lib.sh"
[ "${BENCH_QEMU_ICOUNT:-0}" = 1 ] && qemu_extra="-icount shift=2,sleep=off"

for f in "$CONNSTORM" /usr/sbin/tcpconnect /usr/sbin/bpftool; do
	[ -x "$f" ] || { echo "qemu_net.sh: $f missing" >&2; exit 2; }
done
if readelf -l "$CONNSTORM" | grep -q INTERP; then
	echo "qemu_net.sh: $CONNSTORM is dynamically linked" >&2
	exit 2
fi

vmlinuz=$(kernel_for "$SUITE") || exit 2
dir=$CACHE/bench-net
mkdir -p "$dir"
root=$dir/initramfs
initramfs_begin "$root" "$here/qemu_net_init.sh"
cp "$CONNSTORM" "$root/bin/connstorm"
initramfs_add_dynamic "$root" /usr/sbin/tcpconnect
initramfs_add_dynamic "$root" /usr/sbin/bpftool
initramfs_pack "$root" "$dir/initramfs.cpio"

log=$dir/console.log
rc=0
qemu_boot "$vmlinuz" "$dir/initramfs.cpio" "$log" "$TIMEOUT" 2048 \
	"BENCH_N=${BENCH_QEMU_N:-5000}" "BENCH_W=${BENCH_W:-2}" "BENCH_ROUNDS=${BENCH_QEMU_ROUNDS:-5}" ||
	rc=$?
grep -a '^RMMHUNT-BENCH-' "$log" | tr -d '\r' || true
if ! grep -aq '^RMMHUNT-BENCH-END' "$log" || grep -aq '^RMMHUNT-BENCH-FAIL' "$log"; then
	echo "qemu_net.sh: the guest did not finish (qemu exit code $rc); console: $log" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
