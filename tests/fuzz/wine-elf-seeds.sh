#!/bin/sh
# Writes seeds for fuzz_wine_elf into DIR: Wine's own loader, when installed, is
# the realest ELF a loader check will see (copied at run time, never committed).
set -eu
dir=${1:?usage: wine-elf-seeds.sh DIR}
for f in /usr/lib/wine/wine64 /usr/lib/wine/wine; do
	[ -f "$f" ] && cp "$f" "$dir/"
done
exit 0
