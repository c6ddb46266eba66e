# SPDX-License-Identifier: MIT
"""Issue 3 through the live monitor: the identity a Windows program run under
Wine carries, for every way Wine starts one, and that of native binaries.

One monitor (--emit events) watches the whole module; each test finds its own
launch by process id or by a command line no other test uses.
"""
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from monitor import Monitor, split_cmdline
from wine_env import (ATERA_COMPANY, PREFIX, WORK, build_atera_elf, needs_wine, renamed_loader,
                      run_wine, wine_environ, wine_session)  # noqa: F401 (fixture)

WINE64 = "/usr/lib/wine/wine64"


@pytest.fixture(scope="module")
def mon():
    with Monitor("--emit", "events") as m:
        yield m


def wait_program(m, pid, name="AteraAgent.exe", timeout=15):
    evs = m.wait_for(lambda _: m.events(ProcessId=pid, FileName=name), timeout=timeout)
    assert evs, f"no {name} event for pid {pid}: " + repr(m.events(ProcessId=pid))
    return evs[0]


def dump(evs):
    keys = ("ProcessId", "ParentProcessId", "FileName", "FolderPath", "ProcessCommandLine",
            "ExecFilename", "InitiatingProcessId", "InitiatingProcessFileName", "Timestamp")
    return "\n".join(repr({k: e.get(k) for k in keys}) for e in evs)


def to_windows(path):
    return "Z:" + str(path).replace("/", "\\")


def assert_atera(ev, folder, windows, typed, args, loader=WINE64):
    assert ev["FileName"] == "AteraAgent.exe"
    assert ev["FolderPath"] == str(folder)
    assert ev["WindowsPath"] == windows
    assert ev["WinePrefix"] == str(PREFIX)
    assert ev["WineLoaderPath"] == str(loader)
    assert ev["ProcessVersionInfoCompanyName"] == ATERA_COMPANY
    assert ev["VersionInfoSource"] == "pe"
    # the command line Windows gives the program: no loader in front
    assert split_cmdline(ev["ProcessCommandLine"].encode()) == [typed.encode(), *args]


@pytest.fixture(scope="module")
def drive_c_copy(wine_session):
    d = PREFIX / "drive_c" / "Program Files" / "RMM E2E"
    d.mkdir(parents=True, exist_ok=True)
    shutil.copy(wine_session["atera"], d / "AteraAgent.exe")
    yield d / "AteraAgent.exe"
    shutil.rmtree(d, ignore_errors=True)


@needs_wine
@pytest.mark.parametrize("how", ["absolute", "relative", "bare", "z-drive", "c-drive"])
def test_wine_launch__event_names_the_windows_program(wine_session, mon, drive_c_copy, how):
    exe = wine_session["atera"]
    folder, cwd = exe, exe.parent
    typed = {
        "absolute": str(exe),
        "relative": f"x64/{exe.name}",
        "bare": exe.name,
        "z-drive": to_windows(exe),
        "c-drive": "C:\\Program Files\\RMM E2E\\AteraAgent.exe",
    }[how]
    if how == "relative":
        cwd = exe.parent.parent
    if how == "c-drive":
        folder, cwd = drive_c_copy, WORK
    res = run_wine(["wine", typed, "10"], cwd=cwd)
    assert res.returncode == 0, res.stderr
    ev = wait_program(mon, res.pid)
    windows = "C:\\Program Files\\RMM E2E\\AteraAgent.exe" if how == "c-drive" else to_windows(exe)
    assert_atera(ev, folder, windows, typed, [b"10"])
    assert ev["ProcessCurrentDirectory"] == str(cwd)


@needs_wine
def test_wine_chain__collapses_into_one_event_per_program_start(wine_session, mon):
    exe = wine_session["atera"]
    res = run_wine(["wine", exe.name, "10"], cwd=exe.parent)
    assert res.returncode == 0, res.stderr
    wait_program(mon, res.pid)
    # /usr/bin/wine, wine64 and its re-exec all ran in this pid: let any held event out
    time.sleep(1.5)
    evs = mon.events(ProcessId=res.pid)
    assert [e["FileName"] for e in evs] == ["AteraAgent.exe"]
    assert evs[0]["ExecFilename"] in ("/usr/bin/wine", "wine", WINE64)


@needs_wine
@pytest.mark.parametrize("child", ["AteraAgent.exe", "C:\\Program Files\\RMM E2E\\AteraAgent.exe"])
def test_createprocess_child__named_with_its_windows_parent(wine_session, mon, drive_c_copy,
                                                             child):
    spawner = wine_session["spawner"]
    ms = "23" if child == "AteraAgent.exe" else "29"  # the child's command line tells them apart
    # cwd elsewhere: a bare name is found in the parent program's directory, as Windows does
    res = run_wine(["wine", spawner, child, ms], cwd=WORK)
    assert res.returncode == 0, res.stderr
    evs = mon.wait_for(lambda _: [e for e in mon.events(FileName="AteraAgent.exe")
                                  if e["ProcessCommandLine"].endswith(" " + ms)])
    assert len(evs) == 1, mon.events(InitiatingProcessFileName="spawner.exe")
    ev = evs[0]
    if child == "AteraAgent.exe":
        assert_atera(ev, wine_session["atera"], to_windows(wine_session["atera"]), child, [ms.encode()])
    else:
        assert_atera(ev, drive_c_copy, child, child, [ms.encode()])
    assert ev["ProcessId"] != res.pid
    assert ev["InitiatingProcessFileName"] == "spawner.exe"
    assert ev["InitiatingProcessFolderPath"] == str(spawner)
    parent = wait_program(mon, res.pid, "spawner.exe")
    assert parent["ProcessCommandLine"].startswith(str(spawner))


@needs_wine
def test_binfmt_misc__exe_run_directly(wine_session, mon, binfmt_wine):
    exe = wine_session["atera"]
    os.chmod(exe, 0o755)
    res = run_wine(["./AteraAgent.exe", "10"], cwd=exe.parent)
    assert res.returncode == 0, res.stderr
    ev = wait_program(mon, res.pid)
    assert_atera(ev, exe, to_windows(exe), "./AteraAgent.exe", [b"10"])
    time.sleep(1.5)
    assert [e["FileName"] for e in mon.events(ProcessId=res.pid)] == ["AteraAgent.exe"]


@needs_wine
def test_renamed_loader_copy__is_still_known_as_wine(wine_session, mon):
    loader = renamed_loader()
    exe = wine_session["atera"]
    res = run_wine([loader, exe.name, "10"], cwd=exe.parent)
    assert res.returncode == 0, res.stderr
    ev = wait_program(mon, res.pid)
    assert_atera(ev, exe, to_windows(exe), exe.name, [b"10"], loader=loader)


@needs_wine
def test_32bit_program_that_dies_at_once__still_carries_its_version_info(wine_session, mon):
    # wine32 is missing: the launching process hands the program to a new one
    # (start.exe /exec), which crashes before it maps anything: argv is all there is
    exe = wine_session["atera32"]
    res = run_wine(["wine", exe.name, "31"], cwd=exe.parent)
    zpath = to_windows(exe)
    evs = mon.wait_for(lambda _: [e for e in mon.events(FolderPath=str(exe))
                                  if e["ProcessCommandLine"].startswith(zpath)])
    assert len(evs) == 1, (res, dump(mon.events(FolderPath=str(exe)) + mon.events(ProcessId=res.pid)))
    ev = evs[0]
    assert ev["ProcessId"] != res.pid
    assert ev["FileName"] == "AteraAgent.exe"
    assert ev["WindowsPath"] == zpath
    assert ev["ProcessVersionInfoCompanyName"] == ATERA_COMPANY
    assert ev["VersionInfoSource"] == "pe"
    assert split_cmdline(ev["ProcessCommandLine"].encode()) == [zpath.encode(), b"31"]
    # the launching process is one event too, named as its child names it:
    # start.exe once it got to map it, else the program argv asked for
    time.sleep(1.5)
    launcher = mon.events(ProcessId=res.pid)
    assert len(launcher) == 1, dump(launcher)
    assert launcher[0]["FileName"] in ("start.exe", "AteraAgent.exe")
    assert ev["InitiatingProcessFileName"] == launcher[0]["FileName"]


def dpkg_maintainer(pkg):
    m = subprocess.run(["dpkg-query", "-W", "-f", "${Maintainer}", pkg], capture_output=True,
                       text=True, check=True).stdout
    return m.split("<")[0].strip()


def test_dpkg_owned_binary__carries_its_package_maintainer(mon):
    if not shutil.which("dpkg-query"):
        pytest.skip("not a dpkg system")
    ls = os.path.realpath("/usr/bin/ls")
    p = subprocess.Popen([ls, "/nonexistent-rmm-e2e"], stderr=subprocess.DEVNULL)
    p.wait()
    ev = mon.wait_for(lambda _: mon.events(ProcessId=p.pid, FolderPath=ls))
    assert ev, mon.events(ProcessId=p.pid)
    ev = ev[0]
    assert ev["VersionInfoSource"] == "dpkg"
    assert ev["ProcessVersionInfoCompanyName"] == dpkg_maintainer("coreutils")
    assert ev["ProcessVersionInfoProductName"] == "coreutils"


def test_elf_with_package_metadata_note__carries_its_vendor(mon, tmp_path):
    elf = build_atera_elf(tmp_path)
    p = subprocess.Popen([elf, "--probe"])
    p.wait()
    ev = mon.wait_for(lambda _: mon.events(ProcessId=p.pid, FolderPath=str(elf)))
    assert ev, mon.events(ProcessId=p.pid)
    ev = ev[0]
    assert ev["VersionInfoSource"] == "elf-note"
    assert ev["ProcessVersionInfoCompanyName"] == ATERA_COMPANY
    assert ev["ProcessVersionInfoProductName"] == "ateraagent"
    assert ev["ProcessVersionInfoProductVersion"] == "1.2.3"


@needs_wine
def test_running_wine_program__snapshot_names_it_with_its_command_line(wine_session):
    # Wine rewrites a running program's argv into its Windows command line, NUL-padded
    exe = wine_session["atera"]
    prog = subprocess.Popen(["wine", exe.name, "20000"], cwd=exe.parent, env=wine_environ(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not Path(f"/proc/{prog.pid}/cmdline").read_bytes().startswith(b"AteraAgent.exe"):
            assert time.monotonic() < deadline, "the program never started"
            time.sleep(0.05)
        with Monitor("--emit", "events") as m:
            evs = m.events(ProcessId=prog.pid)
    finally:
        prog.kill()
        prog.wait()
    assert len(evs) == 1, dump(evs)
    ev = evs[0]
    assert ev["FromSnapshot"] is True
    assert ev["ProcessCommandLine"] == "AteraAgent.exe 20000"
    assert ev["FolderPath"] == str(exe)
    assert ev["WindowsPath"] == to_windows(exe)
    assert ev["ProcessVersionInfoCompanyName"] == ATERA_COMPANY


def paused(m):
    """While the monitor is stopped its execs wait in the ring buffer: it sees them late."""
    class Paused:
        def __enter__(self):
            m.proc.send_signal(signal.SIGSTOP)

        def __exit__(self, *exc):
            m.proc.send_signal(signal.SIGCONT)
    return Paused()


def test_exec_chain_seen_late__each_event_keeps_its_own_identity(mon, tmp_path):
    # a script exec'ing an Atera binary: by the time the monitor reads the
    # script's exec, /proc/PID/exe is already the Atera binary
    elf = build_atera_elf(tmp_path, sleep_ms=3000)
    script = tmp_path / "launch-atera.sh"
    script.write_text(f"#!/bin/sh\nexec {elf}\n")
    script.chmod(0o755)
    with paused(mon):
        p = subprocess.Popen([script])
        deadline = time.monotonic() + 10
        while os.readlink(f"/proc/{p.pid}/exe") != str(elf):
            assert time.monotonic() < deadline
            time.sleep(0.02)
    evs = mon.wait_for(lambda _: len(mon.events(ProcessId=p.pid)) >= 2 and
                       mon.events(ProcessId=p.pid))
    p.wait()
    assert [e["FolderPath"] for e in evs] == [os.path.realpath("/bin/sh"), str(elf)], dump(evs)
    assert evs[0]["ProcessVersionInfoCompanyName"] != ATERA_COMPANY
    assert evs[0]["VersionInfoSource"] == "dpkg"
    assert evs[1]["ProcessVersionInfoCompanyName"] == ATERA_COMPANY


@needs_wine
def test_wine_chain_seen_late__still_one_event(wine_session, mon):
    exe = wine_session["atera"]
    with paused(mon):
        p = subprocess.Popen(["wine", exe.name, "3000"], cwd=exe.parent, env=wine_environ(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not Path(f"/proc/{p.pid}/cmdline").read_bytes().startswith(b"AteraAgent.exe"):
            assert time.monotonic() < deadline, "the program never started"
            time.sleep(0.05)
    wait_program(mon, p.pid)
    p.wait(timeout=30)
    time.sleep(1.5)
    evs = mon.events(ProcessId=p.pid)
    assert [e["FileName"] for e in evs] == ["AteraAgent.exe"], dump(evs)


@needs_wine
def test_createprocess_child_seen_late__still_named_with_its_windows_parent(wine_session, mon):
    # parent and child execs come in one batch: the parent's event is still held
    spawner = wine_session["spawner"]
    with paused(mon):
        res = run_wine(["wine", spawner, "AteraAgent.exe", "41"], cwd=WORK)
        assert res.returncode == 0, res.stderr
        time.sleep(0.5)  # the child is gone too: only argv can name it
    evs = mon.wait_for(lambda _: [e for e in mon.events(FileName="AteraAgent.exe")
                                  if e["ProcessCommandLine"] == "AteraAgent.exe 41"])
    assert len(evs) == 1, dump(mon.events(InitiatingProcessFileName="wine64"))
    assert evs[0]["FolderPath"] == str(wine_session["atera"])
    assert evs[0]["InitiatingProcessFileName"] == "spawner.exe"
    assert evs[0]["ProcessVersionInfoCompanyName"] == ATERA_COMPANY


@needs_wine
def test_windows_program_connection__named_as_the_program(wine_session, mon):
    """Its socket is the Wine loader's, whose identity is the Windows program: the
    connection's record names the program with its PE version info."""
    got = []
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.settimeout(60)
        port = srv.getsockname()[1]

        def serve():
            conn, _ = srv.accept()
            with conn:
                got.append(conn.recv(4096))

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        exe = wine_session["connector"]
        res = run_wine(["wine", exe, str(port)], cwd=exe.parent)
        t.join(timeout=60)
    assert res.returncode == 0, res.stderr
    assert got and b"Host: agent-api.atera.com" in got[0]
    program = wait_program(mon, res.pid, name="AteraConnect.exe")

    def connections(_):
        with mon._lock:
            recs = list(mon.records)
        return [r for r in recs if r.get("RecordType") == "DeviceNetworkEvents"
                and r["ActionType"] == "ConnectionSuccess" and r["RemotePort"] == port]

    recs = mon.wait_for(connections)
    assert len(recs) == 1, recs
    rec = recs[0]
    assert rec["InitiatingProcessId"] == res.pid
    assert rec["InitiatingProcessFileName"] == "AteraConnect.exe"
    assert rec["InitiatingProcessFolderPath"] == str(exe)
    assert rec["InitiatingProcessVersionInfoCompanyName"] == ATERA_COMPANY
    assert rec["InitiatingProcessSHA256"] == program["SHA256"]
    assert rec["InitiatingProcessCommandLine"] == program["ProcessCommandLine"]
    assert rec["RemoteUrl"] == "agent-api.atera.com"
    assert (rec["RemoteIP"], rec["Protocol"]) == ("127.0.0.1", "Tcp")


def free_port():
    """A port nothing listens on now (bound and closed: free to take again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_wine
def test_windows_program_listen_and_failed_connect__named_as_the_program(wine_session, mon):
    """Wine's server makes them (the program never holds these sockets), on the
    program's request: the records name the program, and so does the inbound
    connection its listener accepts."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port, listen_port = closed.getsockname()[1], free_port()
    exe = wine_session["listener"]
    res = []
    t = threading.Thread(target=lambda: res.append(
        run_wine(["wine", exe, str(closed_port), str(listen_port)], cwd=exe.parent)))
    t.start()

    def network(action, **match):
        def pred(_):
            with mon._lock:
                recs = list(mon.records)
            return [r for r in recs if r.get("RecordType") == "DeviceNetworkEvents"
                    and r["ActionType"] == action
                    and all(r[k] == v for k, v in match.items())]
        return mon.wait_for(pred, timeout=60)

    try:
        listen = network("ListeningConnectionCreated", LocalPort=listen_port)
        assert listen, "no listen record"
        with socket.create_connection(("127.0.0.1", listen_port), timeout=30) as c:
            c.sendall(b"hello")
    finally:
        t.join(timeout=90)
        closed.close()
    assert res and res[0].returncode == 0, res
    program = wait_program(mon, res[0].pid, name="AteraListen.exe")
    failed = network("ConnectionFailed", RemotePort=closed_port)
    accepted = network("InboundConnectionAccepted", LocalPort=listen_port)
    assert len(listen) == len(failed) == len(accepted) == 1, (listen, failed, accepted)
    for rec in (listen[0], failed[0], accepted[0]):
        assert rec["InitiatingProcessId"] == res[0].pid, rec
        assert rec["InitiatingProcessFileName"] == "AteraListen.exe"
        assert rec["InitiatingProcessFolderPath"] == str(exe)
        assert rec["InitiatingProcessVersionInfoCompanyName"] == ATERA_COMPANY
        assert rec["InitiatingProcessSHA256"] == program["SHA256"]
    assert failed[0]["ConnectionError"] == "ECONNREFUSED"


@needs_wine
def test_windows_program_on_a_hung_mount__reported_without_blocking(wine_session, tmp_path,
                                                                    hung_mount):
    src = tmp_path / "share"
    src.mkdir()
    shutil.copy(wine_session["atera"], src / "AteraAgent.exe")
    native = build_atera_elf(tmp_path, sleep_ms=0)
    with Monitor("--emit", "events", "--read-timeout", "300ms") as m:
        mnt = hung_mount(src, m.proc.pid)
        # the monitor looks the program up before Wine does, and the kernel
        # makes Wine's lookup of that name wait for the hung one: Wine goes
        # on once the mount answers, below
        wine = subprocess.Popen(["wine", str(mnt.path / "AteraAgent.exe"), "10"],
                                cwd=tmp_path, env=wine_environ(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # its start is reported, saying why it carries no identity
            evs = m.wait_for(lambda _: [e for e in m.events(ProcessId=wine.pid)
                                        if e.get("IdentityError")])
            assert evs, dump(m.events(ProcessId=wine.pid))
            assert evs[0]["ProcessVersionInfoCompanyName"] != ATERA_COMPANY
            # and the monitor went on: a later exec elsewhere is read and matched
            subprocess.run([native], check=True)
            (ev,) = m.wait_for(lambda _: m.events(FolderPath=str(native)))
            assert ev["ProcessVersionInfoCompanyName"] == ATERA_COMPANY and ev["MatchedRules"]
        finally:
            mnt.release()
            assert wine.wait(timeout=60) == 0
    assert m.returncode == 0, m.stderr
