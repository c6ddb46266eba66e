# SPDX-License-Identifier: MIT
"""The exec chain Wine shows an exec monitor, which identity/wine.h's
classification contract relies on: a Wine update that changes it fails here.

The resolver itself runs against real Wine in tests/unit/test_wine.c (group
wine-live); this file records, with strace, which execs a launch makes.
"""
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wine"
WORK = Path(f"/tmp/rmmhunt-wine-test-{os.getuid()}")
PREFIX = WORK / "prefix"
LOADERS = ("wine", "wine64", "wine-preloader", "wine64-preloader")

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("wine", "wineserver", "strace", "x86_64-w64-mingw32-gcc")),
    reason="needs wine, strace and mingw-w64 (scripts/deps/test-wine.txt)",
)


@pytest.fixture(scope="module")
def wine_env():
    WORK.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, WINEPREFIX=str(PREFIX), WINEDEBUG="-all",
               WINEDLLOVERRIDES="mscoree,mshtml=")
    # booted once; again if an interrupted boot left it without its DLLs
    if not (PREFIX / "drive_c" / "windows" / "system32" / "kernel32.dll").is_file():
        shutil.rmtree(PREFIX, ignore_errors=True)
        subprocess.run(["wineboot", "-i"], env=env, capture_output=True, timeout=120)
    # A server left by wineboot or an earlier run is not persistent: replace it.
    subprocess.run(["wineserver", "-k"], env=env, capture_output=True, timeout=30)
    subprocess.run(["wineserver", "-p"], env=env, check=True, timeout=30)
    yield env
    subprocess.run(["wineserver", "-k"], env=env, timeout=30)


@pytest.fixture(scope="module")
def exes(wine_env):
    with tempfile.TemporaryDirectory(dir=WORK) as d:
        build = Path(d)
        for name, src in (("Sleeper.exe", "sleeper.c"), ("spawner.exe", "spawner.c")):
            subprocess.run(["x86_64-w64-mingw32-gcc", "-O2", "-o", str(build / name),
                            str(FIXTURES / src)], check=True)
        pf = PREFIX / "drive_c" / "Program Files" / "RMM Test E2E"
        pf.mkdir(parents=True, exist_ok=True)
        shutil.copy(build / "Sleeper.exe", pf / "RmmChild.exe")
        # Start Wine's own services untraced: strace -f would wait for them forever.
        subprocess.run(["wine", "Sleeper.exe", "10"], env=wine_env, cwd=build, timeout=60)
        yield build
        shutil.rmtree(pf, ignore_errors=True)


# One file per process (-ff): strace -f alone splits a syscall that another process
# interrupts into "<unfinished ...>" and "resumed" lines, which a busy machine makes
# common; -ttt orders the processes' execs again.
EXECVE = re.compile(r'^(\d+\.\d+) execve\("([^"]*)", \[(.*)\], 0x[0-9a-f]+ /\* \d+ vars \*/\) = 0$')


def traced(cmd, env, cwd):
    """Runs @cmd under strace: its CompletedProcess and [(pid, filename, argv)]
    of every exec that succeeded, in order."""
    with tempfile.TemporaryDirectory(dir=WORK) as logs:
        res = subprocess.run(["strace", "-f", "-ff", "-ttt", "-qq", "-s", "4096", "-e",
                              "trace=execve", "-o", f"{logs}/x"] + cmd, env=env, cwd=cwd,
                             capture_output=True, timeout=30)
        execs = []
        for log in Path(logs).glob("x.*"):
            pid = int(log.suffix[1:])
            for line in log.read_text().splitlines():
                m = EXECVE.match(line)
                if m:
                    argv = [a.encode().decode("unicode_escape")
                            for a in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(3))]
                    execs.append((float(m.group(1)), pid, m.group(2), argv))
        return res, [(pid, filename, argv) for _, pid, filename, argv in sorted(execs)]


def successful_execs(cmd, env, cwd):
    return traced(cmd, env, cwd)[1]


def is_loader(path):
    return os.path.basename(path) in LOADERS


def test_wine_launch__script_then_loader_in_one_pid(wine_env, exes):
    execs = successful_execs(["wine", "Sleeper.exe", "10"], wine_env, exes)
    pid, filename, argv = execs[0]
    assert filename == shutil.which("wine")
    assert argv == ["wine", "Sleeper.exe", "10"]
    # The loader follows in the same pid, argv[1] as typed; it may re-exec itself.
    mine = [e for e in execs if e[0] == pid]
    loaders = [e for e in mine[1:] if is_loader(e[1])]
    assert loaders and len(loaders) == len(mine) - 1
    for _, filename, argv in loaders:
        if "preloader" in filename:
            assert argv[2:] == ["Sleeper.exe", "10"]
        else:
            assert argv == [filename, "Sleeper.exe", "10"]
    # No other process starts the program.
    assert not [e for e in execs if e[0] != pid and "Sleeper.exe" in " ".join(e[2])]


def test_createprocess_child__one_loader_exec_with_the_windows_path(wine_env, exes):
    child = "C:\\Program Files\\RMM Test E2E\\RmmChild.exe"
    # Under load Wine now and then quits at start-up, before the spawner runs
    # (it exits 0 only once CreateProcess succeeded): that says nothing of the
    # exec chain, so launch again.
    for _ in range(3):
        res, execs = traced(["wine", "spawner.exe", child, "10"], wine_env, exes)
        if res.returncode == 0:
            break
    first = execs[0][0]
    children = [e for e in execs if e[0] != first and len(e[2]) > 1 and child in e[2]]
    assert len(children) == 1, (res.returncode, res.stderr[-2000:], execs)
    pid, filename, argv = children[0]
    assert is_loader(filename)
    assert argv[argv.index(child):] == [child, "10"]
    assert [e for e in execs if e[0] == pid] == children


def test_binfmt_misc__exe_exec_then_loader_in_one_pid(wine_env, exes, binfmt_wine):
    os.chmod(exes / "Sleeper.exe", 0o755)
    execs = successful_execs(["./Sleeper.exe", "10"], wine_env, exes)
    pid, filename, argv = execs[0]
    # bprm->filename is the .exe itself; the loader then gets it as typed.
    assert filename == "./Sleeper.exe" and argv == ["./Sleeper.exe", "10"]
    loaders = [e for e in execs if e[0] == pid and is_loader(e[1])]
    assert loaders
    assert all(e[2][-2:] == ["./Sleeper.exe", "10"] for e in loaders)
