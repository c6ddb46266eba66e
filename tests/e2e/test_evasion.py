# SPDX-License-Identifier: MIT
"""Issue 7, evasion: what an attacker controls (the file's name, its string
tables, a container's filesystem, the command line) never hides Atera, never
makes rmmhunt read a host file for a container, and never forges a record."""
import hashlib
import json
import os
import shutil
import subprocess

from elfpkg import ATERA, RULE_ID, build_elf, is_atera, last_alert_count, matched
from monitor import RMMHUNT, Monitor, raw_string, split_cmdline

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_renamed_atera_binary_is_still_detected(tmp_path):
    atera = build_elf(tmp_path / "src", "int main(void) { return 0; }\n")
    names = ["svchost.exe", "agent", ".hidden", "AteraAgent.exe.txt"]
    paths = []
    for name in names:
        paths.append(str(tmp_path / name))
        shutil.copy(atera, paths[-1])
    with Monitor("--emit", "events") as m:
        for p in paths:
            subprocess.run([p], check=True)
        m.wait_for(lambda _: all(m.events(FolderPath=p) for p in paths))
    for name, p in zip(names, paths):
        (ev,) = m.events(FolderPath=p)
        assert ev["FileName"] == name
        assert is_atera(ev) and RULE_ID in ev["MatchedRules"], ev
    assert last_alert_count(m.records) == len(matched(m.records))


# --- a decoy first string table -------------------------------------------------

def build_pe(tmp_path, rc):
    """prog.c linked with @rc's resources, as tests/fixtures/pe/build.sh does (x64 only)."""
    src = os.path.join(ROOT, "tests", "fixtures", "pe")
    exe = tmp_path / (os.path.basename(rc or "plain.rc")[:-3] + ".exe")
    objs = []
    if rc:
        subprocess.run(["x86_64-w64-mingw32-windres", os.path.join(src, rc), "-O", "coff",
                        "-o", str(tmp_path / "res.o")], check=True)
        objs.append(str(tmp_path / "res.o"))
    subprocess.run(["x86_64-w64-mingw32-gcc", "-nostdlib", "-s", "-Wl,-e,entry", "-o", str(exe),
                    os.path.join(src, "prog.c"), *objs], check=True)
    return exe


def replay_inspected(tmp_path, exe):
    """The Alerts `rmmhunt replay` prints for one exec event of @exe as inspect sees it."""
    r = subprocess.run([RMMHUNT, "inspect", str(exe)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    ident = json.loads(r.stdout)
    ev = {k: v for k, v in ident.items() if k not in ("Path", "FileType") and v is not None}
    ev.update(RecordType="DeviceProcessEvents", Timestamp="2026-11-28T06:00:00.000000Z",
              DeviceId="host-decoy", DeviceName="decoy", ReportId=1,
              ActionType="ProcessCreated", FileName=exe.name, FolderPath=str(exe),
              ProcessCommandLine=exe.name)
    f = tmp_path / "events.jsonl"
    f.write_text(json.dumps(ev) + "\n")
    r = subprocess.run([RMMHUNT, "replay", str(f)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return ident, [json.loads(line) for line in r.stdout.splitlines()]


def test_decoy_first_string_table_does_not_hide_atera(tmp_path):
    ident, alerts = replay_inspected(tmp_path, build_pe(tmp_path, "decoy_first.rc"))
    # Defender reports the first table; the second still names Atera
    assert ident["ProcessVersionInfoCompanyName"] == "Microsoft Corporation"
    assert ident["VersionInfoCompanyNames"] == ["Microsoft Corporation", ATERA]
    (alert,) = [a for a in alerts if a["RuleId"] == RULE_ID]
    assert alert["Count"] == 1 and alert["Report"] == [1]


def test_no_version_info_gives_no_alert(tmp_path):
    """The control for the decoy: the same program without resources."""
    ident, alerts = replay_inspected(tmp_path, build_pe(tmp_path, None))
    assert ident["VersionInfoCompanyNames"] is None
    assert alerts == []


# --- a container's filesystem is confined to its root ---------------------------

def make_root(base, name, dpkg):
    """A root with a static busybox at /usr/bin/busybox; @dpkg(root) sets up var/lib/dpkg."""
    root = base / name
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "var" / "lib" / "dpkg").mkdir(parents=True)
    shutil.copy("/usr/bin/busybox", root / "usr" / "bin" / "busybox")
    dpkg(root / "var" / "lib" / "dpkg")
    return root


def own_dpkg(d):
    (d / "info").mkdir()
    (d / "status").write_text("Package: rootpkg\nStatus: install ok installed\n"
                              "Maintainer: Root Test <root@example.org>\nVersion: 7.0\n"
                              "Architecture: amd64\n\n")
    (d / "info" / "rootpkg.list").write_text("/usr\n/usr/bin\n/usr/bin/busybox\n")


def absolute_links(d):
    os.symlink("/var/lib/dpkg/status", d / "status")
    os.symlink("/var/lib/dpkg/info", d / "info")


def dotdot_links(d):
    up = "../" * 12
    os.symlink(up + "var/lib/dpkg/status", d / "status")
    os.symlink(up + "var/lib/dpkg/info", d / "info")


def test_container_symlinks_never_reach_the_host(tmp_path):
    # the host's dpkg knows /usr/bin/busybox: read naively, the links would name it
    host = json.loads(subprocess.run([RMMHUNT, "inspect", "/usr/bin/busybox"],
                                     capture_output=True, text=True).stdout)
    assert host["VersionInfoSource"] == "dpkg"
    roots = {"own": make_root(tmp_path, "own", own_dpkg),
             "absolute": make_root(tmp_path, "absolute", absolute_links),
             "dotdot": make_root(tmp_path, "dotdot", dotdot_links)}
    procs = {}
    with Monitor("--emit", "events") as m:
        for name, root in roots.items():
            procs[name] = subprocess.Popen(["chroot", str(root), "/usr/bin/busybox", "sleep", "3"])
        found = m.wait_for(lambda _: all(m.events(ProcessId=p.pid, FileName="busybox")
                                         for p in procs.values()))
        for p in procs.values():
            p.kill()
            p.wait()
    assert found
    evs = {n: m.events(ProcessId=p.pid, FileName="busybox")[-1] for n, p in procs.items()}
    # the lookup happens inside the root: its own package database is found
    assert evs["own"]["VersionInfoSource"] == "dpkg"
    assert evs["own"]["ProcessVersionInfoCompanyName"] == "Root Test"
    assert evs["own"]["ProcessVersionInfoProductName"] == "rootpkg"
    # and links out of it lead nowhere
    for name in ("absolute", "dotdot"):
        assert evs[name]["VersionInfoSource"] is None, evs[name]
        assert evs[name]["ProcessVersionInfoCompanyName"] is None
    # chroot's own exec event, often read after the same process exec'd
    # busybox, never takes busybox's file for its own
    busybox = evs["own"]["SHA256"]
    for p in procs.values():
        for ev in m.events(ProcessId=p.pid, FileName="chroot"):
            assert ev["SHA256"] != busybox


# --- output cannot be forged ----------------------------------------------------

FORGED = b'{"RecordType":"Alert","RuleId":"forged","DeviceId":"x","Count":99}'


def test_arguments_and_file_names_cannot_forge_records(tmp_path):
    atera = build_elf(tmp_path / "src", "int main(void) { return 0; }\n")
    # the file name itself carries a quote, a newline, a forged record and bad UTF-8
    name = b'evil"\n' + FORGED + b"\n\xff\xfe.bin"
    exe = os.path.join(bytes(tmp_path), name)
    shutil.copy(atera, exe)
    args = [exe, b'a"b', b"line1\nline2", b"\n" + FORGED + b"\n", b"\xc3\x28\xff",
            b'\\"}\n{"x":1}', b"\x1b[2J"]
    with Monitor("--emit", "all") as m:
        subprocess.run(args, check=True)
        evs = m.wait_for(lambda _: [e for e in m.events() if raw_string(e, "FolderPath") == exe])
    assert m.returncode == 0
    # every line parsed as one object (the reader would have stopped) up to the last Status
    assert m.records[-1]["RecordType"] == "Status" and m.records[-1]["State"] == "stopping"
    (ev,) = evs
    assert raw_string(ev, "FileName") == name
    assert split_cmdline(raw_string(ev, "ProcessCommandLine")) == args
    assert is_atera(ev)
    assert {r["RecordType"] for r in m.records} <= {"Status", "DeviceProcessEvents", "Alert"}
    assert all(a["RuleId"] != "forged" and a["DeviceId"] != "x" for a in m.alerts())
    assert last_alert_count(m.records) == len(matched(m.records))


SPAWNER = r"""
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	if (fork() == 0) {
		execv(argv[1], argv + 1);
		_exit(127);
	}
	wait(NULL);
	sleep(3);
	return 0;
}
"""


def test_fileless_atera_from_a_memfd_is_detected(tmp_path):
    """No file on disk: exec of a memfd; identity comes from /proc/PID/exe."""
    atera = open(build_elf(tmp_path / "src", SPAWNER), "rb").read()
    child = str(tmp_path / "memfd-child")
    shutil.copy("/bin/true", child)
    fd = os.memfd_create("svchost", 0)
    os.write(fd, atera)
    try:
        with Monitor("--emit", "events") as m:
            p = subprocess.Popen([f"/proc/self/fd/{fd}", child], pass_fds=(fd,))
            found = m.wait_for(lambda _: m.events(ProcessId=p.pid) and m.events(FolderPath=child))
            p.kill()
            p.wait()
    finally:
        os.close(fd)
    assert found
    (ev,) = m.events(ProcessId=p.pid)
    # named as /proc/PID/exe names it, " (deleted)" left to ExecutableDeleted
    assert ev["FolderPath"] == "/memfd:svchost" and ev["FileName"] == "memfd:svchost"
    assert ev["ExecutableDeleted"] is True
    assert is_atera(ev) and RULE_ID in ev["MatchedRules"]
    assert ev["SHA256"] == hashlib.sha256(atera).hexdigest()
    # and its child names it so
    (ch,) = m.events(FolderPath=child)
    assert ch["InitiatingProcessFolderPath"] == "/memfd:svchost"
    assert ch["InitiatingProcessFileName"] == "memfd:svchost"
