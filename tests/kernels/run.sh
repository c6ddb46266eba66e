#!/bin/sh
# One binary, many kernels: boots Debian's packaged kernels under QEMU (software
# emulation, nothing installed on the host) with an initramfs holding the static
# rmmhunt, busybox and tests/kernels/init.sh, and prints one line per kernel:
#   kernel 6.1.0-50-amd64: PASS (tp_btf and raw_tp: event ok, clean exit; ...) [12s]
# Exits non-zero if any kernel fails.
#
# Usage: tests/kernels/run.sh [SUITE...]   (default: bullseye bookworm
# bookworm-backports, i.e. Linux 5.10, 6.1 and 6.12; trixie also works). Each
# suite's linux-image-amd64 names the kernel. 5.10 (Debian 11) is the oldest
# distribution kernel with BTF and ring buffers: the older core_fixes.bpf.h
# branches run there. Environment:
#   RMMHUNT          the static binary (default build/static/rmmhunt)
#   KERNELS_CACHE    apt lists, kernels and logs (default build/kernels)
#   KERNELS_REFRESH  1: refresh the cached apt lists (newest kernel of each suite)
#   KERNELS_TIMEOUT  seconds one boot may take before it counts as failed (240)
#   KERNELS_ACCEL    QEMU accelerator (default tcg,thread=single: kvm is not always
#                    usable, and multi-threaded TCG can run a stale int3 of the guest's
#                    code patching: a 6.12 boot oopsed so under load, before /init)
#   KERNELS_MIRROR   Debian archive (default: the one in the system's apt sources)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TIMEOUT=${KERNELS_TIMEOUT:-240}
# one host thread for both vCPUs: code the guest patches is seen at once by both
KERNELS_ACCEL=${KERNELS_ACCEL:-tcg,thread=single}
# shellcheck source=tests/kernels/lib.sh
. "$here/lib.sh"

[ $# -gt 0 ] || set -- bullseye bookworm bookworm-backports

# The guest's whole filesystem: busybox, rmmhunt, the target and /init.
make_initramfs() {
	root=$CACHE/initramfs
	initramfs_begin "$root" "$here/init.sh"
	# a file of its own, not a link: the event names the executable's own path
	cp "$root/bin/busybox" "$root/bin/rmm-smoke-target"
	initramfs_pack "$root" "$CACHE/initramfs.cpio"
}

# Boots VMLINUZ; prints "RELEASE: RESULT (DETAILS)" and returns 0 on PASS.
boot() {
	vmlinuz=$1 name=$(basename "$(dirname "$1")")
	log=$CACHE/$name/console.log
	start=$(date +%s)
	rc=0
	qemu_boot "$vmlinuz" "$CACHE/initramfs.cpio" "$log" "$TIMEOUT" 1024 || rc=$?
	secs=$(($(date +%s) - start))
	release=$(sed -n 's/^kernel \([^[:space:]]*\).*/\1/p' "$log" | head -n 1)
	result=$(sed -n 's/^RMMHUNT-KTEST-RESULT \([A-Z]*\) \(.*[^[:space:]]\)[[:space:]]*$/\1 (\2)/p' \
		"$log" | head -n 1)
	if [ -z "$result" ]; then
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			result="FAIL (no result: killed after ${TIMEOUT}s)"
		else
			result="FAIL (no result: qemu exit code $rc)"
		fi
	fi
	echo "kernel ${release:-$name}: $result [${secs}s]"
	case $result in
	PASS*) return 0 ;;
	esac
	echo "--- console of ${release:-$name} ($log)" >&2
	sed -n '/^RMMHUNT-KTEST-BEGIN/,/^RMMHUNT-KTEST-END/p' "$log" | grep . >&2 ||
		tail -n 40 "$log" >&2
	return 1
}

make_initramfs
failed=0
for suite in "$@"; do
	if ! vmlinuz=$(kernel_for "$suite"); then
		echo "kernel of $suite: FAIL (not obtainable)"
		failed=1
		continue
	fi
	boot "$vmlinuz" || failed=1
done
exit $failed
