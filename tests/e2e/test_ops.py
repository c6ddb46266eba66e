# SPDX-License-Identifier: MIT
"""Operations: /metrics and /healthz, the capabilities the running monitor
keeps (in every thread), and the sd_notify protocol."""
import os
import socket
import subprocess
import threading
import time
from datetime import datetime, timezone

import pytest

from elfpkg import RULE_ID, build_elf, last_alert_count, matched
from metrics_http import get, listening_port, sample
from monitor import Monitor

CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE, CAP_BPF = 2, 19, 39


def test_metrics_on_port_0_and_healthz(tmp_path):
    atera = build_elf(tmp_path / "atera-metrics")
    with Monitor("--emit", "events", "--metrics-listen", "127.0.0.1:0") as m:
        port = listening_port(m.proc.pid)
        assert port != 0
        subprocess.run([atera], check=True)
        m.wait_for(lambda _: m.events(FolderPath=atera))
        n = len(m.events())
        # refreshed each second: wait until it counts what was printed
        text = m.wait_for(lambda _: (lambda t: sample(t, "rmmhunt_events_emitted_total") >= n
                                     and t)(get(port, "/metrics")[1]), timeout=10)
        assert text
        assert "# TYPE rmmhunt_events_seen_total counter" in text
        assert sample(text, "rmmhunt_events_seen_total") >= n
        for cause in ("RingBufferFull", "NoScratchSlot", "TooLarge", "NoMemory"):
            assert sample(text, f'rmmhunt_events_lost_total{{cause="{cause}"}}') == 0
        assert 0 <= sample(text, "rmmhunt_ringbuf_fill_ratio") <= 1
        assert f'rmmhunt_alerts_total{{rule="{RULE_ID}"}}' in text
        assert get(port, "/healthz")[0] == 200
        assert get(port, "/nothing-here")[0] == 404
    assert m.returncode == 0
    assert last_alert_count(m.records) == len(matched(m.records))
    # stopped with the monitor
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def status_fields(path):
    out = {}
    for line in open(path):
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def kept_caps():
    """caps__drop_for_monitor's set: CAP_BPF only where bpf() on an fd still checks it."""
    major, minor = (int(x) for x in os.uname().release.split(".")[:2])
    keep = {CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE}
    if (major, minor) < (5, 19):
        keep.add(CAP_BPF)
    return sum(1 << c for c in keep)


def test_every_thread_keeps_only_the_monitor_capabilities():
    """Capabilities are per thread: the metrics server's thread too."""
    with Monitor("--metrics-listen", "127.0.0.1:0") as m:
        listening_port(m.proc.pid)  # the server thread is up
        tasks = os.listdir(f"/proc/{m.proc.pid}/task")
        fields = [status_fields(f"/proc/{m.proc.pid}/task/{t}/status") for t in tasks]
    assert len(tasks) >= 2
    for f in fields:
        assert int(f["CapEff"], 16) == kept_caps(), f
        assert int(f["CapPrm"], 16) == kept_caps()
        assert int(f["CapBnd"], 16) == kept_caps()
        assert int(f["CapInh"], 16) == 0 and int(f["CapAmb"], 16) == 0
        assert f["NoNewPrivs"] == "1"


@pytest.mark.parametrize("abstract", [False, True])
def test_sd_notify_ready_after_the_ready_record_and_stopping(tmp_path, abstract):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    addr = f"@rmmhunt-test-{os.getpid()}-{time.monotonic_ns()}" if abstract \
        else str(tmp_path / "notify")
    sock.bind("\0" + addr[1:] if abstract else addr)
    got = []

    def receive():
        sock.settimeout(90)
        try:
            while True:
                msg = sock.recv(4096).decode()
                got.append((msg, datetime.now(timezone.utc)))
                if msg == "STOPPING=1":
                    return
        except OSError:
            pass
    t = threading.Thread(target=receive, daemon=True)
    t.start()
    with Monitor(env=dict(os.environ, NOTIFY_SOCKET=addr)) as m:
        m.wait_for(lambda _: got, timeout=10)
        assert [g[0] for g in got] == ["READY=1"]
    t.join(30)
    sock.close()
    assert m.returncode == 0
    assert [g[0] for g in got] == ["READY=1", "STOPPING=1"]
    (ready,) = m.status("ready")
    stamp = datetime.strptime(ready["Timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc)
    assert got[0][1] >= stamp  # READY=1 only once the ready record was written
    assert m.status("stopping")


def test_unmatchable_executables_are_counted_in_the_kernel(tmp_path):
    """An executable no rule can match is marked once read; its later execs are
    counted in the kernel (UnmatchableExecs, rmmhunt_unmatchable_execs_total)
    and never reach user space."""
    plain = build_elf(tmp_path / "plain-tool", note=None)
    with Monitor("--metrics-listen", "127.0.0.1:0") as m:
        port = listening_port(m.proc.pid)

        def counted(_):
            subprocess.run([plain], check=True)
            return sample(get(port, "/metrics")[1], "rmmhunt_unmatchable_execs_total") > 0

        # the mark comes once user space has read the first exec: exec until it shows
        assert m.wait_for(counted, timeout=20)
    assert m.returncode == 0
    final = m.status("stopping")[-1]
    assert final["UnmatchableMarked"] >= 1
    assert final["UnmatchableExecs"] >= 1
    assert "KernelSkipped" not in final and "Verdicts" not in final


def test_emit_events_marks_nothing_unmatchable(tmp_path):
    """--emit events wants every exec: no executable is marked, none is counted."""
    plain = build_elf(tmp_path / "plain-tool", note=None)
    with Monitor("--emit", "events") as m:
        for _ in range(3):
            subprocess.run([plain], check=True)
        assert m.wait_for(lambda _: len(m.events(FolderPath=plain)) == 3)
    final = m.status("stopping")[-1]
    assert final["UnmatchableMarked"] == 0 and final["UnmatchableExecs"] == 0
