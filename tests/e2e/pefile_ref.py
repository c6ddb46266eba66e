#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reference reader for the differential test: prints, for each PE path given
on stdin (one per line), a JSON line {"Path": ..., "Fields": {...} or null,
"Companies": [...]}: the strings of the first string table of the first
version resource, and the CompanyName values of every table, as pefile reads
them (only the resource directory is parsed: fast_load)."""
import json
import re
import sys

import pefile

KEYS = ("CompanyName", "ProductName", "ProductVersion", "FileVersion", "InternalName",
        "OriginalFilename", "FileDescription")


def join_surrogates(s):
    """pefile turns each UTF-16 unit into its own character, so a pair comes
    out as two backslash-escaped surrogates: join pairs, and make any other
    surrogate U+FFFD, as Windows' own UTF-8 conversion does."""
    def pair(m):
        hi, lo = int(m.group(1), 16), int(m.group(2), 16)
        return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    s = re.sub(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", pair, s)
    return re.sub(r"\\ud[89a-f][0-9a-f]{2}", "\ufffd", s)


def tables(pe):
    for finfo in getattr(pe, "FileInfo", None) or []:
        for block in finfo:
            if block.Key.startswith(b"StringFileInfo"):
                yield from getattr(block, "StringTable", [])


def main():
    for path in sys.stdin.read().splitlines():
        try:
            pe = pefile.PE(path, fast_load=True)
            pe.parse_data_directories(
                directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]])
            all_tables = [t.entries for t in tables(pe)]
        except pefile.PEFormatError:
            all_tables = []
        fields = None
        if all_tables:
            fields = {k: join_surrogates(all_tables[0][k.encode()].decode("utf-8", "replace"))
                      for k in KEYS if k.encode() in all_tables[0]}
        companies = {join_surrogates(t[b"CompanyName"].decode("utf-8", "replace"))
                     for t in all_tables if t.get(b"CompanyName")}
        print(json.dumps({"Path": path, "Fields": fields, "Companies": sorted(companies)}))


if __name__ == "__main__":
    main()
