# Sourced by tests/kernels/run.sh and bench/qemu_net.sh: Debian's packaged
# kernels, downloaded once and cached, and a busybox initramfs to boot them
# with under QEMU. Reads RMMHUNT, KERNELS_CACHE, KERNELS_ACCEL, KERNELS_MIRROR
# and KERNELS_REFRESH (run.sh documents them); sets CACHE and checks the tools.
# shellcheck shell=sh

RMMHUNT=${RMMHUNT:-build/static/rmmhunt}
CACHE=${KERNELS_CACHE:-build/kernels}
ACCEL=${KERNELS_ACCEL:-tcg,thread=multi}
# shellcheck disable=SC2016 # apt's format, not the shell's
MIRROR=${KERNELS_MIRROR:-$(apt-get indextargets --format '$(REPO_URI)' \
	'Origin: Debian' 'Label: Debian' 2>/dev/null | head -n 1)}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
qemu_extra=
me=$(basename "$0")

[ -x "$RMMHUNT" ] || { echo "$me: $RMMHUNT missing: make static" >&2; exit 2; }
for tool in qemu-system-x86_64 busybox cpio dpkg-deb apt-get timeout readelf; do
	command -v $tool >/dev/null || { echo "$me: $tool missing" >&2; exit 2; }
done
# the guest has no libraries: busybox must be Debian's busybox-static
if readelf -l "$(command -v busybox)" | grep -q INTERP; then
	echo "$me: $(command -v busybox) is dynamically linked: install busybox-static" >&2
	exit 2
fi
[ -n "$MIRROR" ] || { echo "$me: no Debian archive in apt's sources: set KERNELS_MIRROR" >&2; exit 2; }
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
		{ echo "$me: apt-get update for $1 failed, see $dir/update.log" >&2; return 1; }
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
	[ -n "$pkg" ] || { echo "$me: no linux-image-amd64 in $suite" >&2; return 1; }
	if [ ! -f "$CACHE/$pkg/vmlinuz" ]; then
		echo "$me: downloading $pkg ($suite)" >&2
		# the lists may name a package the archive has since dropped
		fetch_kernel "$suite" "$pkg" ||
			{ apt_update "$suite" && pkg=$(kernel_package "$suite") &&
				fetch_kernel "$suite" "$pkg"; } ||
			{ echo "$me: cannot download $pkg from $suite" >&2; return 1; }
	fi
	echo "$CACHE/$pkg/vmlinuz"
}

# initramfs_begin ROOT INIT: a fresh guest filesystem in ROOT with busybox,
# rmmhunt and INIT as /init.
initramfs_begin() {
	root=$1
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/etc"
	cp "$(command -v busybox)" "$root/bin/busybox"
	for applet in $(busybox --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	strip -o "$root/bin/rmmhunt" "$RMMHUNT" 2>/dev/null || cp "$RMMHUNT" "$root/bin/rmmhunt"
	cp "$2" "$root/init"
	chmod 0755 "$root/init"
	echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
}

# initramfs_add_dynamic ROOT PROGRAM: PROGRAM at its own path in ROOT, with the
# shared libraries and loader ldd names, at theirs.
initramfs_add_dynamic() {
	for f in "$2" $(ldd "$2" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$1$(dirname "$f")"
		cp -L "$f" "$1$f"
	done
}

# initramfs_pack ROOT CPIO
initramfs_pack() {
	(cd "$1" && find . | cpio -o -H newc -R 0:0 --quiet) >"$2"
}

# qemu_boot VMLINUZ CPIO LOG TIMEOUT MEMORY_MIB [KERNEL_ARGS...]: boots with
# the console in LOG and the words of $qemu_extra among QEMU's options; returns
# QEMU's exit code (124 or 137: killed at TIMEOUT).
qemu_boot() {
	vmlinuz=$1 cpio=$2 log=$3 timeout=$4 mem=$5
	shift 5
	# shellcheck disable=SC2086 # words
	timeout -k 5 "$timeout" qemu-system-x86_64 -accel "$ACCEL" $qemu_extra -smp 2 -m "$mem" \
		-nodefaults -display none -no-reboot -serial "file:$log" \
		-kernel "$vmlinuz" -initrd "$cpio" \
		-append "console=ttyS0 rdinit=/init panic=-1 quiet${*:+ $*}" </dev/null
}
