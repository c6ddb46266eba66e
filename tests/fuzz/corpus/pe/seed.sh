#!/bin/sh
# SPDX-License-Identifier: MIT
# Fills DIR (default: this directory) with the seed corpus of fuzz_pe: the PE
# fixtures that tests/fixtures/pe/build.sh makes from source, the small ones only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
dir=${1:-$here}
out="$repo/build/fixtures/pe"
"$repo/tests/fixtures/pe/build.sh" "$out"
find "$out" -name '*.exe' -size -64k -exec cp {} "$dir/" \;
