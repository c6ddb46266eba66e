#!/bin/sh
# Installs the Debian/Ubuntu packages listed in scripts/deps/<list>.txt for each
# list named (shell patterns allowed: `install-deps.sh build 'test*'`), and only
# those missing, so a second run costs nothing.
set -eu
dir="$(dirname "$0")/deps"
pkgs=""
for list in "$@"; do
	for f in "$dir"/$list.txt; do
		[ -f "$f" ] && pkgs="$pkgs $(sed 's/#.*//' "$f")"
	done
done
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "rmmhunt: missing packages:$missing; run as root (sudo) to install them" >&2
	exit 1
fi
echo "rmmhunt: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || true
# Ubuntu ships bpftool inside linux-tools; Debian has a package of its own.
case " $missing " in
*" bpftool "*)
	if ! apt-cache show bpftool >/dev/null 2>&1; then
		missing=$(echo "$missing" | sed 's/ bpftool//')
		missing="$missing linux-tools-common linux-tools-$(uname -r)"
	fi ;;
esac
apt-get install -y -q --no-install-recommends $missing
