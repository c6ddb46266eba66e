#!/bin/sh
# Writes seeds for fuzz_pgp into DIR from real rpm signatures and keys: the
# header signature packets and gpg-pubkey key blocks of the packages that
# tests/fixtures/rpm/signed.sh signs (RSA and EdDSA), alone, armored, and
# joined as the target splits them (never committed).
set -eu
dir=${1:?usage: pgp-seeds.sh DIR}
dir=$(cd "$dir" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$(dirname "$0")/../fixtures/rpm/signed.sh" "$tmp/fx" >/dev/null
cp "$tmp/fx/rsa.asc" "$dir/armor-rsa"
cp "$tmp/fx/ed.asc" "$dir/armor-ed"
python3 - "$tmp/fx/root/var/lib/rpm/rpmdb.sqlite" "$dir" <<'PY'
import base64, sqlite3, struct, sys
db, out = sqlite3.connect(sys.argv[1]), sys.argv[2]

def tags(blob):
    il, dl = struct.unpack(">II", blob[:8])
    data = blob[8 + 16 * il:]
    for i in range(il):
        tag, typ, off, count = struct.unpack(">IIiI", blob[8 + 16 * i:24 + 16 * i])
        yield tag, typ, off, count, data

sigs, keys = {}, []
for name, blob in db.execute("SELECT n.key, p.blob FROM Name n JOIN Packages p ON p.hnum = n.hnum"):
    for tag, typ, off, count, data in tags(blob):
        if tag in (267, 268) and typ == 7:
            sigs[name] = data[off:off + count]
        if tag == 266 and name == "gpg-pubkey":
            keys.append(base64.b64decode(data[off:data.index(b"\0", off)]))
for name, sig in sigs.items():
    open(f"{out}/sig-{name}", "wb").write(sig)
    for i, key in enumerate(keys):
        open(f"{out}/pair-{name}-{i}", "wb").write(struct.pack("<H", len(sig)) + sig + key)
for i, key in enumerate(keys):
    open(f"{out}/key-{i}", "wb").write(key)
PY
