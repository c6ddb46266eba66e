#!/bin/sh
# Writes seeds for fuzz_rpmheader into DIR: the header blob of a small package
# built with rpmbuild and registered in a throw-away rpmdb (never committed),
# behind each file index it has.
set -eu
dir=${1:?usage: rpmheader-seeds.sh DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/t.spec" <<'SPEC'
Name: rmmtest-rpm
Version: 1.2.3
Release: 4
Summary: seed
License: MIT
Vendor: Atera Networks
BuildArch: noarch
%description
seed
%install
mkdir -p %{buildroot}/usr/bin
echo x > %{buildroot}/usr/bin/rmmtest-rpm
echo x > %{buildroot}/usr/bin/other
%files
/usr/bin/rmmtest-rpm
/usr/bin/other
SPEC
rpmbuild -bb --quiet --define "_topdir $tmp/top" "$tmp/t.spec" >/dev/null 2>&1
rpm --root "$tmp/root" --dbpath /var/lib/rpm -i --justdb --nodeps --noscripts \
	"$tmp"/top/RPMS/noarch/*.rpm 2>/dev/null
sqlite3 "$tmp/root/var/lib/rpm/rpmdb.sqlite" \
	"SELECT writefile('$tmp/blob', blob) FROM Packages LIMIT 1" >/dev/null
for i in 0 1; do
	{ printf "\\$(printf %03o "$i")\\000\\000\\000"; cat "$tmp/blob"; } > "$dir/seed-idx$i"
done
# Signed headers and gpg-pubkey entries (tests/fixtures/rpm/signed.sh): the
# signature and key readers get real input too.
"$(dirname "$0")/../fixtures/rpm/signed.sh" "$tmp/signed" >/dev/null
sqlite3 "$tmp/signed/root/var/lib/rpm/rpmdb.sqlite" "SELECT hnum FROM Packages" |
	while read -r h; do
		sqlite3 "$tmp/signed/root/var/lib/rpm/rpmdb.sqlite" \
			"SELECT writefile('$tmp/signed-$h', blob) FROM Packages WHERE hnum = $h" >/dev/null
		{ printf '\000\000\000\000'; cat "$tmp/signed-$h"; } > "$dir/seed-signed-$h"
	done
