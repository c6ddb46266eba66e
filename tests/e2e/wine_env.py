# SPDX-License-Identifier: MIT
"""Shared set-up of the live-monitor tests: fixtures built once, a warm Wine prefix.

Everything lives in WORK (/tmp/rmmhunt-e2e-wine-<uid>), kept between runs:
fixtures are rebuilt only when their sources change, the prefix is created once
(wineboot takes many seconds the first time). Each session starts a persistent
wineserver for that prefix before any monitor starts and kills it at the end.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
WORK = Path(f"/tmp/rmmhunt-e2e-wine-{os.getuid()}")
PREFIX = WORK / "prefix"
BUILD = WORK / "fixtures"
ATERA_COMPANY = "Atera Networks Ltd."  # tests/fixtures/pe/atera.rc
ATERA_ELF_META = ('{"type":"deb","name":"ateraagent","version":"1.2.3",'
                  '"vendor":"Atera Networks Ltd."}')

WINE_TOOLS = ("wine", "wineserver", "x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-windres",
              "i686-w64-mingw32-gcc", "i686-w64-mingw32-windres")
needs_wine = pytest.mark.skipif(not all(shutil.which(t) for t in WINE_TOOLS),
                                reason="needs wine and mingw-w64 (scripts/deps/test-wine.txt)")


def wine_environ(**more):
    env = dict(os.environ, WINEPREFIX=str(PREFIX), WINEDEBUG="-all",
               WINEDLLOVERRIDES="mscoree,mshtml=")
    env.update(more)
    return env


def _stale(target, *sources):
    if not target.exists():
        return True
    t = target.stat().st_mtime
    return any(Path(s).stat().st_mtime > t for s in (*sources, __file__))


def _build(target, cmd, *sources):
    """Runs cmd (which writes target.tmp) when target is missing or older than a source."""
    if not _stale(target, *sources):
        return target
    tmp = target.with_name(target.name + ".tmp")
    subprocess.run([str(c).replace("{out}", str(tmp)) for c in cmd], check=True,
                   capture_output=True, timeout=120)
    tmp.rename(target)
    return target


def _windows_exe(target, triplet, src, rc=None, libs=()):
    objs = []
    if rc:
        obj = _build(target.with_suffix(".res.o"),
                     [f"{triplet}-windres", rc, "-O", "coff", "-o", "{out}"], rc)
        objs.append(obj)
    return _build(target, [f"{triplet}-gcc", "-O2", "-o", "{out}", src, *objs, *libs], src,
                  *objs)


def build_windows_fixtures():
    """AteraAgent.exe (x64 sleeper + atera.rc), its i686 twin in x86/, spawner.exe,
    AteraConnect.exe (a Winsock client with atera.rc) and AteraListen.exe (a Winsock
    server that also makes a connect that fails, with atera.rc)."""
    rc = FIXTURES / "pe" / "atera.rc"
    sleeper = FIXTURES / "wine" / "sleeper.c"
    (BUILD / "x64").mkdir(parents=True, exist_ok=True)
    (BUILD / "x86").mkdir(parents=True, exist_ok=True)
    return {
        "atera": _windows_exe(BUILD / "x64" / "AteraAgent.exe", "x86_64-w64-mingw32", sleeper,
                              rc),
        "atera32": _windows_exe(BUILD / "x86" / "AteraAgent.exe", "i686-w64-mingw32", sleeper,
                                rc),
        "spawner": _windows_exe(BUILD / "x64" / "spawner.exe", "x86_64-w64-mingw32",
                                FIXTURES / "wine" / "spawner.c"),
        "connector": _windows_exe(BUILD / "x64" / "AteraConnect.exe", "x86_64-w64-mingw32",
                                  FIXTURES / "wine" / "connector.c", rc, libs=("-lws2_32",)),
        "listener": _windows_exe(BUILD / "x64" / "AteraListen.exe", "x86_64-w64-mingw32",
                                 FIXTURES / "wine" / "listener.c", rc, libs=("-lws2_32",)),
    }


def build_atera_elf(directory, name="AteraAgent", metadata=ATERA_ELF_META, sleep_ms=0):
    """A native ELF carrying Atera's vendor in its package-metadata note (ld --package-metadata)."""
    directory = Path(directory)
    src = directory / f"{name}.c"
    src.write_text("#include <unistd.h>\n"
                   f"int main(void) {{ usleep({sleep_ms} * 1000); return 0; }}\n")
    out = directory / name
    subprocess.run(["gcc", "-o", str(out), str(src), "-Xlinker",
                    f"--package-metadata={metadata}"], check=True, timeout=120)
    return out


def renamed_loader():
    """The Wine loader copied as .../lib/wine/notwine, next to links to the libraries it
    finds relative to its own directory (../x86_64-linux-gnu/wine, ../../share/wine)."""
    root = WORK / "loader"
    loader = root / "lib" / "wine" / "notwine"
    if not loader.exists():
        loader.parent.mkdir(parents=True, exist_ok=True)
        (root / "share").mkdir(exist_ok=True)
        for link, target in ((root / "lib" / "x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"),
                             (root / "share" / "wine", "/usr/share/wine")):
            if not link.is_symlink():
                link.symlink_to(target)
        tmp = loader.with_name("notwine.tmp")
        shutil.copy(os.path.realpath("/usr/lib/wine/wine64"), tmp)
        tmp.rename(loader)
    return loader


def warm_prefix():
    """Creates the prefix once, then starts a persistent wineserver for it."""
    WORK.mkdir(mode=0o700, exist_ok=True)
    env = wine_environ()
    # booted once; again if an interrupted boot left it without its DLLs
    if not (PREFIX / "drive_c" / "windows" / "system32" / "kernel32.dll").is_file():
        shutil.rmtree(PREFIX, ignore_errors=True)
        run_wine(["wineboot", "-i"], env=env, timeout=180)
    # a server left by wineboot is not persistent: replace it by one that is
    subprocess.run(["wineserver", "-k"], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)
    subprocess.run(["wineserver", "-w"], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)
    subprocess.run(["wineserver", "-p"], env=env, check=True, timeout=30,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return env


def stop_wineserver():
    subprocess.run(["wineserver", "-k"], env=wine_environ(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)


def run_wine(cmd, cwd=None, env=None, timeout=60):
    """Runs a Wine command to its end; returns the CompletedProcess (pid in .pid).

    Output goes to files, not pipes: Wine's services inherit the descriptors and
    outlive the program, so reading a pipe to its end would wait for them.
    """
    import tempfile
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env or wine_environ(),
                             stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise
        out.seek(0)
        err.seek(0)
        res = subprocess.CompletedProcess(p.args, p.returncode, out.read(),
                                          err.read().decode(errors="replace"))
    res.pid = p.pid
    return res


@pytest.fixture(scope="session")
def wine_session():
    """Built Windows fixtures and a warm prefix with a running wineserver."""
    exes = build_windows_fixtures()
    env = warm_prefix()
    # the first program start also starts Wine's services: do it before any monitor runs
    run_wine(["wine", exes["atera"], "10"], cwd=exes["atera"].parent, env=env, timeout=120)
    try:
        yield exes
    finally:
        stop_wineserver()
