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
#   KERNELS_ACCEL    QEMU accelerator (default tcg: kvm is not always usable)
#   KERNELS_MIRROR   Debian archive (default: the one in the system's apt sources)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
RMMHUNT=${RMMHUNT:-build/static/rmmhunt}
CACHE=${KERNELS_CACHE:-build/kernels}
TIMEOUT=${KERNELS_TIMEOUT:-240}
ACCEL=${KERNELS_ACCEL:-tcg,thread=multi}
# shellcheck disable=SC2016 # apt's format, not the shell's
MIRROR=${KERNELS_MIRROR:-$(apt-get indextargets --format '$(REPO_URI)' \
	'Origin: Debian' 'Label: Debian' 2>/dev/null | head -n 1)}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

[ $# -gt 0 ] || set -- bullseye bookworm bookworm-backports
[ -x "$RMMHUNT" ] || { echo "run.sh: $RMMHUNT missing: make static" >&2; exit 2; }
for tool in qemu-system-x86_64 busybox cpio dpkg-deb apt-get timeout readelf; do
	command -v $tool >/dev/null || { echo "run.sh: $tool missing" >&2; exit 2; }
done
# the guest has no libraries: busybox must be Debian's busybox-static
if readelf -l "$(command -v busybox)" | grep -q INTERP; then
	echo "run.sh: $(command -v busybox) is dynamically linked: install busybox-static" >&2
	exit 2
fi
[ -n "$MIRROR" ] || { echo "run.sh: no Debian archive in apt's sources: set KERNELS_MIRROR" >&2; exit 2; }
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# apt with a private configuration per suite under $CACHE/apt/SUITE: the
# system's sources, lists and package cache are never touched.
apt_suite() {
	suite=$1
	shift
	dir=$CACHE/apt/$suite
	apt-get -q -o Dir::Etc::sourcelist="$dir/sources.list" \
		-o Dir::Etc::sourceparts="$dir/sources.list.d" -o Dir::State::lists="$dir/lists" \
		-o Dir::Cache="$dir/cache" -o APT::Architectures=amd64 \
		-o APT::Sandbox::User=root "$@"
}

apt_update() {
	dir=$CACHE/apt/$1
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb [signed-by=$KEYRING] $MIRROR $1 main" >"$dir/sources.list"
	apt_suite "$1" update >"$dir/update.log" 2>&1 ||
		{ echo "run.sh: apt-get update for $1 failed, see $dir/update.log" >&2; return 1; }
}

# The kernel package linux-image-amd64 depends on in SUITE.
kernel_package() {
	apt-cache -o Dir::Etc::sourcelist="$CACHE/apt/$1/sources.list" \
		-o Dir::Etc::sourceparts="$CACHE/apt/$1/sources.list.d" \
		-o Dir::State::lists="$CACHE/apt/$1/lists" -o Dir::Cache="$CACHE/apt/$1/cache" \
		-o APT::Architectures=amd64 depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# Downloads PKG and keeps only its /boot/vmlinuz-* and config-*, in $CACHE/PKG/.
fetch_kernel() {
	suite=$1 pkg=$2 dl=$CACHE/dl
	rm -rf "$dl" && mkdir -p "$dl"
	(cd "$dl" && apt_suite "$suite" download "$pkg" >download.log 2>&1) || return 1
	dpkg-deb --fsys-tarfile "$dl"/*.deb | (cd "$dl" && tar -x --wildcards \
		'./boot/vmlinuz-*' './boot/config-*')
	mkdir -p "$CACHE/$pkg"
	mv "$dl"/boot/vmlinuz-* "$CACHE/$pkg/vmlinuz"
	mv "$dl"/boot/config-* "$CACHE/$pkg/config"
	rm -rf "$dl"
}

# Prints the cached vmlinuz of SUITE's current kernel, downloading what is missing.
kernel_for() {
	suite=$1
	if [ "${KERNELS_REFRESH:-0}" = 1 ] || [ ! -f "$CACHE/apt/$suite/sources.list" ]; then
		apt_update "$suite" || return 1
	fi
	pkg=$(kernel_package "$suite")
	[ -n "$pkg" ] || { echo "run.sh: no linux-image-amd64 in $suite" >&2; return 1; }
	if [ ! -f "$CACHE/$pkg/vmlinuz" ]; then
		echo "run.sh: downloading $pkg ($suite)" >&2
		# the lists may name a package the archive has since dropped
		fetch_kernel "$suite" "$pkg" ||
			{ apt_update "$suite" && pkg=$(kernel_package "$suite") &&
				fetch_kernel "$suite" "$pkg"; } ||
			{ echo "run.sh: cannot download $pkg from $suite" >&2; return 1; }
	fi
	echo "$CACHE/$pkg/vmlinuz"
}

# The guest's whole filesystem: busybox, rmmhunt, the target and /init.
make_initramfs() {
	root=$CACHE/initramfs
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/etc"
	cp "$(command -v busybox)" "$root/bin/busybox"
	for applet in $(busybox --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	# a file of its own, not a link: the event names the executable's own path
	cp "$root/bin/busybox" "$root/bin/rmm-smoke-target"
	strip -o "$root/bin/rmmhunt" "$RMMHUNT" 2>/dev/null || cp "$RMMHUNT" "$root/bin/rmmhunt"
	cp "$here/init.sh" "$root/init"
	chmod 0755 "$root/init"
	echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) >"$CACHE/initramfs.cpio"
}

# Boots VMLINUZ; prints "RELEASE: RESULT (DETAILS)" and returns 0 on PASS.
boot() {
	vmlinuz=$1 name=$(basename "$(dirname "$1")")
	log=$CACHE/$name/console.log
	start=$(date +%s)
	rc=0
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel "$ACCEL" -smp 2 -m 1024 \
		-nodefaults -display none -no-reboot -serial "file:$log" \
		-kernel "$vmlinuz" -initrd "$CACHE/initramfs.cpio" \
		-append "console=ttyS0 rdinit=/init panic=-1 quiet" </dev/null || rc=$?
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
