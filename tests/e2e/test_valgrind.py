# SPDX-License-Identifier: MIT
"""rmmhunt under valgrind memcheck: the monitor, inspect and replay run clean, with no
memory errors and no definite leaks (--error-exitcode makes either one fail the run).

Valgrind does not run ASan binaries, so with RMMHUNT=build/asan/rmmhunt these tests use
the plain build next to it (build/rmmhunt). tests/e2e/valgrind.supp says what libbpf
does that memcheck misreads. Valgrind's "unhandled eBPF command" warnings (on stderr,
prefixed --PID--) are not errors: they mean it does not know what the syscall writes.
"""
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUPP = Path(__file__).resolve().parent / "valgrind.supp"
VALGRIND = ["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite",
            "--error-exitcode=99", f"--suppressions={SUPP}"]
# Everything runs 20-50 times slower under memcheck.
READY_TIMEOUT = 120


def plain_binary():
    """RMMHUNT, or build/rmmhunt when RMMHUNT is the sanitizer build."""
    path = Path(os.environ.get("RMMHUNT", REPO / "build" / "rmmhunt")).resolve()
    if b"__asan_init" in path.read_bytes():
        path = REPO / "build" / "rmmhunt"
        if not path.exists():
            pytest.skip("valgrind cannot run an ASan binary and build/rmmhunt is not built")
    return str(path)


@pytest.fixture(scope="module")
def rmmhunt():
    assert shutil.which("valgrind"), "valgrind missing: scripts/deps/test-hardening.txt"
    return plain_binary()


def assert_clean(returncode, stderr):
    """Exit code 0 and memcheck's own verdict, of every process (the loader's child
    too), shown whole when it fails."""
    summaries = [line for line in stderr.splitlines() if "ERROR SUMMARY:" in line]
    assert summaries, stderr[-6000:]
    assert all("ERROR SUMMARY: 0 errors" in line for line in summaries), stderr[-6000:]
    assert returncode == 0, stderr[-6000:]


def test_run__monitor_starts_captures_and_stops_clean(rmmhunt, tmp_path):
    exe = tmp_path / f"rmm-vg-{uuid.uuid4().hex[:10]}"
    shutil.copy("/bin/echo", exe)
    proc = subprocess.Popen(VALGRIND + [rmmhunt, "run", "--emit", "events",
                                        "--stats-interval", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    records, ready = [], threading.Event()

    def read():
        for line in proc.stdout:
            rec = json.loads(line)
            records.append(rec)
            if rec.get("RecordType") == "Status" and rec.get("State") == "ready":
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    stderr = []
    err_reader = threading.Thread(target=lambda: stderr.append(proc.stderr.read().decode()),
                                  daemon=True)
    err_reader.start()
    try:
        assert ready.wait(READY_TIMEOUT), "rmmhunt under valgrind never became ready"
        # A few execs go through capture, enrichment and output.
        for args in ([str(exe), "one", "two words"], [str(exe), "again"], ["/bin/true"]):
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = [r for r in list(records) if r.get("FolderPath") == str(exe)]
            if len(seen) == 2:
                break
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=READY_TIMEOUT)
        reader.join(timeout=10)
        err_reader.join(timeout=10)
    assert_clean(returncode, stderr[0] if stderr else "")
    cmdlines = sorted(r["ProcessCommandLine"] for r in records
                      if r.get("FolderPath") == str(exe))
    assert cmdlines == [f"{exe} again", f'{exe} one "two words"']


def test_inspect__pe_elf_and_script_clean(rmmhunt, tmp_path):
    fixtures = REPO / "build" / "fixtures" / "pe"
    subprocess.run([str(REPO / "tests" / "fixtures" / "pe" / "build.sh"), str(fixtures)],
                   check=True, capture_output=True, timeout=600)
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    paths = [fixtures / "atera.x64.exe", fixtures / "atera.x86.exe",
             fixtures / "m_truncated_tree.exe", Path("/bin/true"), script]
    r = subprocess.run(VALGRIND + [rmmhunt, "inspect", *map(str, paths)],
                       capture_output=True, text=True, timeout=300)
    # the truncated image has an Error, so inspect exits 1 by design
    assert r.returncode in (0, 1), r.stderr[-6000:]
    assert "ERROR SUMMARY: 0 errors" in r.stderr, r.stderr[-6000:]
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["ProcessVersionInfoCompanyName"] for o in out[:2]] == ["Atera Networks Ltd."] * 2
    assert out[2].get("Error")
    assert [o["FileType"] for o in out[3:]] == ["elf", "script"]


def test_inspect__signed_pe_clean(rmmhunt):
    # Authenticode: nested, both timestamp kinds, changed after signing, broken tables.
    fixtures = REPO / "build" / "fixtures" / "pe"
    subprocess.run([str(REPO / "tests" / "fixtures" / "pe" / "sign.py"), str(fixtures)],
                   check=True, capture_output=True, timeout=600)
    signed = fixtures / "signed"
    names = ["nested_sha256_sha1.x64.exe", "timestamped.x86.exe", "timestamped_legacy.x64.exe",
             "expired_timestamped.x64.exe", "tampered.x64.exe", "cut.x86.exe", "pastend.x64.exe"]
    env = dict(os.environ, SSL_CERT_FILE=str(signed / "ca.crt"))
    r = subprocess.run(VALGRIND + [rmmhunt, "inspect", *(str(signed / n) for n in names)],
                       capture_output=True, text=True, timeout=300, env=env)
    assert_clean(r.returncode, r.stderr)
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["IsSigned"] for o in out] == [True] * 4 + [False] * 3
    assert out[0]["NestedSignatures"][0]["IsSigned"] and out[1]["IsTrusted"]


def test_replay__alerts_clean(rmmhunt, tmp_path):
    def event(report, company, t):
        return json.dumps({
            "RecordType": "DeviceProcessEvents", "Timestamp": t, "DeviceId": "host-a",
            "DeviceName": "host-a.example", "ReportId": report, "ActionType": "ProcessCreated",
            "FileName": "AteraAgent.exe", "FolderPath": "/opt/atera/AteraAgent.exe",
            "ProcessCommandLine": "AteraAgent.exe --service",
            "ProcessVersionInfoCompanyName": company})

    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([
        event(1, "Atera Networks Ltd.", "2026-11-28T05:00:00.000000Z"),
        event(2, "Atera Networks Ltd.", "2026-11-28T05:30:00.000000Z"),
        event(3, "Microsoft Corporation", "2026-11-28T05:40:00.000000Z"),
        "this is not json",
    ]) + "\n")
    r = subprocess.run(VALGRIND + [rmmhunt, "replay", str(events)],
                       capture_output=True, text=True, timeout=300)
    assert_clean(r.returncode, r.stderr)
    alerts = [json.loads(line) for line in r.stdout.splitlines()]
    atera = [a for a in alerts if a.get("RuleId") == "532c895a-75b9-4c9f-969c-30bb3cfb6ac7"]
    assert len(atera) == 1
    assert sorted(atera[0]["Report"]) == [1, 2] and atera[0]["Count"] == 2
