#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes seeds for fuzz_authenticode into DIR: the PE fixtures signed at run time by
# tests/fixtures/pe/sign.py (nested, timestamped, cut short...; never committed), and
# the PKCS#7 DER of each one's first certificate-table entry (the harness wraps an
# input that is not a PE in a minimal image).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${1:?usage: authenticode-seeds.sh DIR}
out="$repo/build/fixtures/pe"
"$repo/tests/fixtures/pe/sign.py" "$out"
find "$out/signed" -name '*.exe' -size -64k -exec cp {} "$dir/" \;
python3 - "$out/signed" "$dir" <<'EOF'
import struct, sys
from pathlib import Path
for exe in sorted(Path(sys.argv[1]).glob("*.exe")):
    data = exe.read_bytes()
    lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    opt = lfanew + 24
    entry = opt + (112 if struct.unpack_from("<H", data, opt)[0] == 0x20B else 96) + 32
    off, size = struct.unpack_from("<II", data, entry)
    if off and off + 8 <= len(data) and size >= 8:
        length = struct.unpack_from("<I", data, off)[0]
        der = data[off + 8:off + min(length, size)]
        if der:
            (Path(sys.argv[2]) / (exe.stem + ".p7")).write_bytes(der)
EOF
