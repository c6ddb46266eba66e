# SPDX-License-Identifier: MIT
"""`rmmhunt inspect`: version info of PE fixtures built from source, malformed
images, a differential run against pefile over every PE that Debian's wine and
mingw-w64 packages install, file types, hashes, and files that must not hang."""
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RMMHUNT = os.environ.get("RMMHUNT", str(REPO / "build" / "rmmhunt"))
FIXTURE_SRC = REPO / "tests" / "fixtures" / "pe"
FIXTURE_OUT = REPO / "build" / "fixtures" / "pe"

VERSION_KEYS = {
    "CompanyName": "ProcessVersionInfoCompanyName",
    "ProductName": "ProcessVersionInfoProductName",
    "ProductVersion": "ProcessVersionInfoProductVersion",
    "FileVersion": "ProcessVersionInfoFileVersion",
    "InternalName": "ProcessVersionInfoInternalFileName",
    "OriginalFilename": "ProcessVersionInfoOriginalFileName",
    "FileDescription": "ProcessVersionInfoFileDescription",
}

# Packages whose PE files the differential test reads: every installed one of these.
PE_PACKAGE_PATTERNS = ("wine*", "libwine*", "*mingw*")


def standard(company, product):
    """The strings of the fixtures written by one template (atera.rc, ...)."""
    return {"CompanyName": company, "FileDescription": product + " service",
            "FileVersion": "1.8.7.2", "InternalName": product + ".exe",
            "OriginalFilename": product + ".exe", "ProductName": product,
            "ProductVersion": "1.8.7.2"}


# What each .rc fixture says: first-table strings and all company names.
RC_EXPECTED = {
    "atera": (standard("Atera Networks Ltd.", "AteraAgent"), ["Atera Networks Ltd."]),
    "atera_upper": (standard("ATERA NETWORKS", "AteraAgent"), ["ATERA NETWORKS"]),
    "atera_short": (standard("Atera", "AteraAgent"), ["Atera"]),
    "atera_oneword": (standard("AteraNetworks", "AteraAgent"), ["AteraNetworks"]),
    "anydesk": (standard("AnyDesk Software GmbH", "AnyDesk"), ["AnyDesk Software GmbH"]),
    "screenconnect": (standard("ConnectWise, LLC", "ScreenConnect.ClientService"),
                      ["ConnectWise, LLC"]),
    "decoy_first": ({"CompanyName": "Microsoft Corporation",
                     "FileDescription": "Windows Update Helper",
                     "ProductName": "Microsoft Windows Operating System",
                     "ProductVersion": "10.0.19041.1", "OriginalFilename": "wuhelper.exe"},
                    ["Microsoft Corporation", "Atera Networks Ltd."]),
    "decoy_second": ({"CompanyName": "Atera Networks Ltd.", "FileDescription": "AteraAgent",
                      "ProductName": "AteraAgent", "ProductVersion": "1.8.7.2",
                      "OriginalFilename": "AteraAgent.exe"},
                     ["Atera Networks Ltd.", "Microsoft Corporation"]),
    "varfileinfo_first": ({"CompanyName": "Atera Networks Ltd.", "ProductName": "AteraAgent",
                           "InternalName": "AteraAgent", "FileVersion": "1.8.7.2"},
                          ["Atera Networks Ltd."]),
    "two_langs": ({"CompanyName": "Atera Networks Ltd.", "ProductName": "AteraAgent"},
                  ["Atera Networks Ltd.", "Contoso Ltd."]),
    "empty_values": ({"CompanyName": "", "ProductName": "Empty Company", "FileDescription": ""},
                     []),
    "unicode": ({"CompanyName": "Ätera Nëtworks 株式会社 😀", "ProductName": "Agent ✓"},
                ["Ätera Nëtworks 株式会社 😀"]),
    "no_version": (None, None),
    "plain": (None, None),
}
ARCHES = {"x64": "pe32+", "x86": "pe32"}


def inspect(*paths, timeout=120):
    p = subprocess.run([RMMHUNT, "inspect", *map(str, paths)], capture_output=True,
                       timeout=timeout)
    records = [json.loads(line) for line in p.stdout.decode().splitlines()]
    return p.returncode, records


def version_fields(record):
    return {k: record[col] for k, col in VERSION_KEYS.items() if record[col] is not None}


@pytest.fixture(scope="session")
def fixtures():
    subprocess.run([str(FIXTURE_SRC / "build.sh"), str(FIXTURE_OUT)], check=True, timeout=300)
    return FIXTURE_OUT


@pytest.fixture(scope="session")
def manifest(fixtures):
    with open(fixtures / "malformed.json") as f:
        return json.load(f)


def rc_fixture_paths(fixtures):
    paths = []
    for name in RC_EXPECTED:
        paths += [fixtures / f"{name}.{arch}.exe" for arch in ARCHES]
    return paths + [fixtures / "atera.arm64.exe"]


def test_every_rc_fixture_reports_its_first_table_and_all_companies(fixtures):
    paths = rc_fixture_paths(fixtures)
    rc, records = inspect(*paths)
    assert rc == 0
    assert [r["Path"] for r in records] == [str(p) for p in paths]
    for path, rec in zip(paths, records):
        name, arch = path.name.split(".")[:2]
        fields, companies = RC_EXPECTED[name]
        assert rec["FileType"] == ARCHES.get(arch, "pe32+"), path
        assert version_fields(rec) == (fields or {}), path
        assert rec["VersionInfoCompanyNames"] == companies, path
        assert rec["VersionInfoSource"] == ("pe" if fields is not None else None), path
        assert "Error" not in rec, path


def test_arm64_fixture_really_is_arm64(fixtures):
    data = (fixtures / "atera.arm64.exe").read_bytes()
    lfanew = int.from_bytes(data[0x3C:0x40], "little")
    assert int.from_bytes(data[lfanew + 4:lfanew + 6], "little") == 0xAA64


def test_malformed_images_report_what_they_can_and_an_error(fixtures, manifest):
    names = sorted(manifest)
    rc, records = inspect(*(fixtures / n for n in names))
    assert rc == 1  # some of them are malformed
    assert len(records) == len(names)
    for name, rec in zip(names, records):
        want = manifest[name]
        assert rec["FileType"] == want["type"], name
        got = version_fields(rec)
        if want["fields"] is None:
            for key, value in got.items():
                assert want["prefix_of"][key].startswith(value.removesuffix("\ufffd")), name
        else:
            assert got == want["fields"], name
            assert rec["VersionInfoCompanyNames"] == want["companies"], name
        assert ("Error" in rec) == want["error"], (name, rec.get("Error"))
        assert rec["FileSize"] == (fixtures / name).stat().st_size, name


def test_every_truncation_of_an_image_is_handled(fixtures, tmp_path):
    data = (fixtures / "atera.x64.exe").read_bytes()
    paths = []
    for cut in range(0, len(data), 13):
        p = tmp_path / f"cut{cut:06d}.exe"
        p.write_bytes(data[:cut])
        paths.append(p)
    rc, records = inspect(*paths)
    assert rc in (0, 1)
    assert len(records) == len(paths)
    full = RC_EXPECTED["atera"][0]
    for rec in records:
        for key, value in version_fields(rec).items():
            # A cut inside a UTF-16 unit leaves one odd byte: U+FFFD.
            assert full[key].startswith(value.removesuffix("\ufffd")), rec


def pe_files_of_packages():
    q = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Status}\n",
                        *PE_PACKAGE_PATTERNS], capture_output=True, text=True)
    packages = [line.split()[0] for line in q.stdout.splitlines() if "ok installed" in line]
    assert "libwine" in packages, "scripts/deps/test-identity.txt installs wine"
    files = []
    for pkg in packages:
        p = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True)
        for line in p.stdout.splitlines():
            path = Path(line)
            try:
                if not stat.S_ISREG(path.lstat().st_mode):
                    continue
                with open(path, "rb") as f:
                    if f.read(2) == b"MZ":
                        files.append(path)
            except OSError:
                continue
    return sorted(set(files))


def pefile_python():
    """An interpreter that has pefile: this one, or Debian's python3-pefile's."""
    try:
        import pefile  # noqa: F401
        return sys.executable
    except ImportError:
        return "/usr/bin/python3"


def test_inspect_agrees_with_pefile(fixtures, manifest):
    paths = pe_files_of_packages()
    assert len(paths) > 300, "wine and mingw-w64 should install hundreds of PE files"
    paths += rc_fixture_paths(fixtures)
    paths += [fixtures / n for n, want in manifest.items() if want["pefile"]]
    rc, records = inspect(*paths)
    ref = subprocess.run([pefile_python(), str(Path(__file__).with_name("pefile_ref.py"))],
                         input="\n".join(map(str, paths)), capture_output=True, text=True,
                         check=True, timeout=300)
    expected = [json.loads(line) for line in ref.stdout.splitlines()]
    assert len(records) == len(expected) == len(paths)
    with_version = 0
    for rec, exp in zip(records, expected):
        assert rec["Path"] == exp["Path"]
        assert version_fields(rec) == (exp["Fields"] or {}), rec["Path"]
        # pefile may stop early in a StringFileInfo; it never sees more tables.
        assert set(exp["Companies"]) <= set(rec["VersionInfoCompanyNames"] or []), rec["Path"]
        with_version += exp["Fields"] is not None
    # The corpus must exercise the parser, not only files without version info.
    assert with_version > 200


def test_hashes_and_size_match_hashlib(fixtures, tmp_path):
    paths = [fixtures / "atera.x64.exe", fixtures / "m_truncated_blob.exe", Path(sys.executable)]
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    paths.append(empty)
    rc, records = inspect(*paths)
    assert rc == 1  # the truncated image is hashed, and reported
    for path, rec in zip(paths, records):
        data = path.read_bytes()
        assert rec["SHA1"] == hashlib.sha1(data).hexdigest()
        assert rec["SHA256"] == hashlib.sha256(data).hexdigest()
        assert rec["FileSize"] == len(data)


def test_file_types_of_native_files(tmp_path):
    elf = tmp_path / "tool"
    elf.write_bytes(Path("/bin/true").read_bytes())
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    text = tmp_path / "notes.txt"
    text.write_text("MZ is not enough\n")
    rc, records = inspect(elf, script, text)
    assert rc == 0
    assert [r["FileType"] for r in records] == ["elf", "script", "other"]
    for rec in records:
        # Owned by no package: no version info, no source.
        assert version_fields(rec) == {}
        assert rec["VersionInfoSource"] is None
        assert rec["VersionInfoCompanyNames"] is None


def test_unreadable_and_special_files_get_an_error_and_never_block(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    rc, records = inspect(fifo, "/dev/null", tmp_path, tmp_path / "missing", timeout=20)
    assert rc == 1
    assert len(records) == 4
    for rec in records:
        assert rec["Error"]
        assert rec["FileType"] is None
        assert rec["SHA256"] is None


def test_exit_status_is_zero_only_when_every_file_was_read(fixtures, tmp_path):
    good = fixtures / "atera.x64.exe"
    assert inspect(good)[0] == 0
    assert inspect(good, tmp_path / "missing")[0] == 1
    assert inspect(fixtures / "m_loop_root.exe")[0] == 1


def test_output_uses_the_event_column_names():
    header = (REPO / "user" / "event.h").read_text()
    columns = set(re.findall(r'X\(\w+, "(\w+)"', header))
    rc, records = inspect("/bin/true")
    keys = set(records[0]) - {"Path", "FileType", "Error"}
    assert keys <= columns
    assert set(VERSION_KEYS.values()) | {"VersionInfoCompanyNames", "VersionInfoSource",
                                         "SHA1", "SHA256", "FileSize"} == keys


def test_non_utf8_path_gives_valid_json(tmp_path):
    odd = os.path.join(os.fsencode(tmp_path), b"bad\xff\xfename")
    with open(odd, "wb") as f:
        f.write(b"#!/bin/sh\n")
    p = subprocess.run([os.fsencode(RMMHUNT), b"inspect", odd], capture_output=True, timeout=20)
    assert p.returncode == 0
    rec = json.loads(p.stdout.decode("utf-8"))
    assert rec["FileType"] == "script"


def test_help_and_usage():
    p = subprocess.run([RMMHUNT, "inspect", "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "Usage: rmmhunt inspect" in p.stdout
    p = subprocess.run([RMMHUNT, "inspect"], capture_output=True, text=True)
    assert p.returncode == 2 and p.stdout == ""


def test_no_hash_reads_no_hashes_but_the_same_identity(fixtures):
    path = fixtures / "decoy_first.x64.exe"
    _, (full,) = inspect(path)
    p = subprocess.run([RMMHUNT, "inspect", "--no-hash", str(path)], capture_output=True,
                       timeout=20)
    assert p.returncode == 0
    fast = json.loads(p.stdout)
    assert fast["SHA1"] is None and fast["SHA256"] is None
    assert full["SHA256"] is not None
    assert {k: v for k, v in fast.items() if not k.startswith("SHA")} == \
        {k: v for k, v in full.items() if not k.startswith("SHA")}


def test_records_come_in_argument_order_whatever_each_file_costs(fixtures, tmp_path):
    # Files are read in parallel: a slow first file (64 MiB to hash) and more files
    # than the workers may run ahead by must still come out one per path, in order.
    slow = tmp_path / "slow.bin"
    with open(slow, "wb") as f:
        f.truncate(64 << 20)
    small = []
    for i in range(150):
        p = tmp_path / f"f{i:03d}.sh"
        p.write_bytes(b"#!/bin/sh\n# %d\n" % i)
        small.append(p)
    paths = [slow]
    for i, p in enumerate(small):
        paths.append(p)
        if i % 10 == 0:
            paths += [tmp_path / f"missing{i}", fixtures / "atera.x64.exe"]
    rc, records = inspect(*paths)
    assert rc == 1
    assert [r["Path"] for r in records] == [str(p) for p in paths]
    for p, rec in zip(paths, records):
        if p.exists():
            assert rec["SHA256"] == hashlib.sha256(p.read_bytes()).hexdigest(), p
            assert "Error" not in rec
        else:
            assert rec["Error"] and rec["FileType"] is None
