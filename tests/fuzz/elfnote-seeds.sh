#!/bin/sh
# Writes ELF seeds for fuzz_elfnote into DIR: small executables linked with a
# package note (built here, never committed), stripped to keep them small.
set -eu
dir=${1:?usage: elfnote-seeds.sh DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo 'int main(void) { return 0; }' > "$tmp/main.c"
gcc -Os -s -o "$dir/seed-note.elf" "$tmp/main.c" \
	-Xlinker '--package-metadata={"type":"deb","name":"seed","version":"1","os":"debian"}'
