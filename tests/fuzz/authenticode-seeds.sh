#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes seeds for fuzz_authenticode into DIR: the PE fixtures signed at run time by
# tests/fixtures/pe/sign.py (nested, timestamped, cut short...; never committed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${1:?usage: authenticode-seeds.sh DIR}
out="$repo/build/fixtures/pe"
"$repo/tests/fixtures/pe/sign.py" "$out"
find "$out/signed" -name '*.exe' -size -64k -exec cp {} "$dir/" \;
