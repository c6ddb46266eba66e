#!/bin/sh
# SPDX-License-Identifier: MIT
# Fills this directory with the seed corpus of fuzz_pe: the PE fixtures that
# tests/fixtures/pe/build.sh makes from source, the small ones only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
out="$repo/build/fixtures/pe"
"$repo/tests/fixtures/pe/build.sh" "$out"
find "$out" -name '*.exe' -size -64k -exec cp {} "$here/" \;
