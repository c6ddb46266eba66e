#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: what rmmhunt costs a host, against the performance targets.

Measures, as root, whatever build/rmmhunt does at the time it runs:
  - an exec storm (bench/storm.c: N fork+execs over W workers) unmonitored, under
    `rmmhunt run` (default mode), `rmmhunt run --emit events` and libbpf-tools'
    execsnoop, in alternation over several rounds: execs/s (against the
    unmonitored run of the same round), events seen and lost, the monitor's CPU
    seconds per 1,000 execs, the time the kernel spent in its BPF programs per
    exec (kernel.bpf_stats_enabled, on during the storm), the share of the
    storm's CPU time those two took (a throughput bound no noise hides), and
    its peak RSS; both rmmhunt modes also with --no-network, for what network
    capture adds to an exec;
  - exec -> Alert latency for an Atera fixture, native (an ELF whose .note.package
    names the vendor) and under Wine (a PE whose VERSIONINFO does), warm wineserver;
  - start-up time to "ready", idle and with 1,000 extra processes running;
  - `rmmhunt inspect` throughput over Wine's PE DLLs, cold and warm, against exiftool;
  - Authenticode: `rmmhunt inspect` over the fixtures tests/fixtures/pe/sign.py signs
    (nested, timestamped, tampered...), against `osslsigncode verify` file by file;
  - peak RSS after a storm over 1,000 distinct executables;
  - what network capture costs: a loop of one-byte write()s to /dev/null (bench/
    syscalls.c) unmonitored, under `rmmhunt run --no-network` and `rmmhunt run`
    (network hooks must not tax every syscall), and under `rmmhunt run` while a
    Wine server runs (whose requests are followed: then one hook does); a loopback connect storm (bench/connstorm.c: N connections over W
    workers, each sending an HTTP request's first bytes) under `rmmhunt run --emit
    events` and libbpf-tools' tcpconnect, alternating: connections seen and lost,
    monitor CPU and BPF time per connection, rmmhunt's peak RSS with all three tables.
Prints a table ending in PASS/FAIL lines and writes the results as JSON (--out).
A missed target does not fail: the exit status is 1 only when the harness broke.

Environment: BENCH_N (execs per storm run, default 20000), BENCH_W (workers,
default 2), BENCH_ROUNDS (default 3), BENCH_RSS_N (execs over the 1,000
executables, default 100000), BENCH_NET_N (connections per connect storm,
default 10000), BENCH_SYSCALLS (writes per syscall run, default 3000000),
BENCH_STEPS (a comma-separated subset of storm, rss, latency, startup,
inspect, signatures, syscalls, net; default all), BENCH_QUICK=1 (a one-minute
smoke run). On a
machine too slow to run the defaults in about ten minutes, BENCH_N and
BENCH_RSS_N, when not set, are scaled down to fit and the table says so.

The net_qemu step runs the connect storm against tcpconnect where tcpconnect can
attach: on Debian's 6.12 kernel under QEMU (bench/qemu_net.sh; BENCH_QEMU_N
connections per storm, default 5000, BENCH_QEMU_ROUNDS rounds, default 5).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

QUICK = os.environ.get("BENCH_QUICK") == "1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
EXECSNOOP = "/usr/sbin/execsnoop"
TCPCONNECT = "/usr/sbin/tcpconnect"
TCPLIFE = "/usr/sbin/tcplife"  # where tcpconnect cannot attach: no kprobes, no trampolines
SIGN_PY = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pe" / "sign.py"
WINE_DLLS = Path("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows")
EXIFTOOL_TAGS = ["-CompanyName", "-ProductName", "-ProductVersion", "-FileVersion",
                 "-InternalName", "-OriginalFileName", "-FileDescription"]
MIB = 1024 * 1024
# rules/atera-create-process.yaml's query, one where clause more (bench_rule)
BENCH_RULE = """\
id: 532c895a-75b9-4c9f-969c-30bb3cfb6ac7-bench
name: Remote Management and Monitoring tool - Atera - Create Process (bench fixture only)
tactics: CommandAndControl
relevantTechniques: T1219
query: |
  DeviceProcessEvents
  | where ProcessVersionInfoCompanyName has 'Atera Networks' or VersionInfoCompanyNames has 'Atera Networks'
  | where FolderPath == '{path}'
  | summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp),
  Report=make_set(ReportId), Count=count() by DeviceId, DeviceName
"""

# The targets of the performance issue.
TARGET_THROUGHPUT = 0.97   # rmmhunt default mode, x unmonitored execs/s
TARGET_CPU = 0.2           # rmmhunt CPU per exec, x execsnoop's
TARGET_EVENTS_COST = 1.0   # rmmhunt --emit events CPU + BPF time per exec, x execsnoop's
TARGET_RSS = 16 * MIB      # after 100k execs of 1k executables
TARGET_NATIVE_S = 0.010
TARGET_WINE_S = 0.100
TARGET_INSPECT = 20.0      # x faster than exiftool
TARGET_SYSCALL = 1.05      # syscall time under rmmhunt (network on), x --no-network's
TARGET_EXEC_NET = 1.10     # cost per exec with network capture on, x --no-network's
TARGET_NET_COST = 1.0      # CPU + BPF time per connection, x tcpconnect's
TARGET_NET_RSS = 24 * MIB  # peak RSS with all three tables, after the connect storms
QEMU_NET = Path(__file__).resolve().parent / "qemu_net.sh"
QEMU_LABEL = "Debian 6.12 kernel under QEMU TCG"

STORM_MODES = ("none", "rmmhunt", "rmmhunt-nonet", "rmmhunt-events", "rmmhunt-events-nonet",
               "execsnoop")
# (network capture on, off) in the exec storm
NET_PAIRS = (("rmmhunt", "rmmhunt-nonet"), ("rmmhunt-events", "rmmhunt-events-nonet"))
STORM_LABELS = {"rmmhunt": "rmmhunt run", "rmmhunt-events": "rmmhunt --emit events",
                "rmmhunt-nonet": "rmmhunt --no-network",
                "rmmhunt-events-nonet": "events --no-network"}


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def env_int(name, default):
    v = os.environ.get(name)
    return int(v) if v else default


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ---- /proc ---------------------------------------------------------------------------------

def proc_cpu_s(pid):
    """User + system CPU seconds of a process, all its threads: from schedstat (ns)
    when the kernel has it, else /proc/PID/stat (clock ticks, too coarse for short runs)."""
    try:
        total = 0
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def wait_idle(pid, timeout=30):
    """Waits until the process used under 1% CPU for half a second (it drained its backlog)."""
    deadline = time.monotonic() + timeout
    last, still = proc_cpu_s(pid), 0
    while time.monotonic() < deadline and still < 5:
        time.sleep(0.1)
        now = proc_cpu_s(pid)
        still = still + 1 if now - last < 0.001 else 0
        last = now


def prog_ids(pid):
    """IDs of the BPF programs a process holds, through program or link fds."""
    ids = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    for line in f:
                        if line.startswith("prog_id:"):
                            ids.add(int(line.split()[1]))
            except OSError:
                continue
    except OSError:
        pass
    return ids


def link_count(pid):
    """BPF links a process holds (fdinfo lines "link_id:")."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    n += any(line.startswith("link_id:") for line in f)
            except OSError:
                continue
    except OSError:
        pass
    return n


def bpf_run_s(ids):
    """Seconds the kernel spent running these BPF programs since stats were enabled
    (kernel.bpf_stats_enabled), from bpftool; None when unknown."""
    try:
        out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                             text=True, check=True).stdout
        progs = [p for p in json.loads(out) if p.get("id") in ids]
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    if not progs:
        return None
    # bpftool leaves run_time_ns out for a program that has not run yet
    return sum(p.get("run_time_ns", 0) for p in progs) / 1e9


class BpfStats:
    """kernel.bpf_stats_enabled on for a while: the kernel times every BPF program run."""
    PATH = "/proc/sys/kernel/bpf_stats_enabled"

    def __enter__(self):
        try:
            with open(self.PATH) as f:
                self.old = f.read().strip()
            with open(self.PATH, "w") as f:
                f.write("1\n")
        except OSError:
            self.old = None
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            with open(self.PATH, "w") as f:
                f.write(self.old + "\n")


def host_forks():
    """Processes created on the host since boot (each storm exec is one fork)."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("processes "):
                return int(line.split()[1])
    return 0


def parse_time(s):
    """Seconds since the epoch of an RFC 3339 UTC timestamp as rmmhunt writes them."""
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


# ---- monitors ------------------------------------------------------------------------------

class Monitor:
    """A monitor process whose stdout goes to a file, stopped by a signal."""

    def __init__(self, name, argv, out, stop_signal, ready):
        self.name, self.argv, self.out = name, argv, Path(out)
        self.err = self.out.with_suffix(".err")
        self.stop_signal, self.ready = stop_signal, ready
        self.proc = None

    def start(self, timeout=60):
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=err)
        self.started = time.monotonic()
        deadline = self.started + timeout
        while not self.ready(self):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start: {self.err.read_text()[-500:]}")
            time.sleep(0.05)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def rmmhunt_ready(m):
    return b'"State":"ready"' in m.out.read_bytes()


def execsnoop_ready(m):
    """Attached once it holds its two tracepoint links and one perf buffer per CPU (or,
    built with a BPF ring buffer instead, its two links and three seconds)."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{m.pid}/fd"):
            try:
                link = os.readlink(f"/proc/{m.pid}/fd/{fd}")
            except OSError:
                continue
            n += link in ("anon_inode:[perf_event]", "anon_inode:bpf_link")
    except OSError:
        return False
    if n >= 2 + os.cpu_count() or (n >= 2 and time.monotonic() - m.started > 3):
        time.sleep(0.2)
        return True
    return False


def status_records(path):
    recs = []
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b'{"RecordType":"Status"'):
                recs.append(json.loads(line))
    return recs


def count_rmmhunt_events(path, target):
    """DeviceProcessEvents records of execs (not the snapshot) of the storm target."""
    n, needle = 0, target.encode()
    with open(path, "rb") as f:
        for line in f:
            if needle not in line:
                continue
            rec = json.loads(line)
            if (rec.get("RecordType") == "DeviceProcessEvents" and rec.get("FolderPath") == target
                    and not rec.get("FromSnapshot")):
                n += 1
    return n


def count_execsnoop_events(path, target):
    """execsnoop lines whose ARGS start with the storm target (its argv[0])."""
    n = 0
    with open(path, "rb") as f:
        for line in f:
            cols = line.split(None, 4)
            if len(cols) == 5 and cols[4].split(None, 1)[0] == target.encode():
                n += 1
    return n


# ---- the benchmark -------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.rmmhunt = str(Path(args.rmmhunt).resolve())
        self.static_rmmhunt = str(Path(args.static_rmmhunt).resolve())
        self.bins = Path(args.bin_dir).resolve()
        self.work = self.bins / "work"
        self.storm_bin = str(self.bins / "storm")
        self.results = {"quick": QUICK, "notes": [], "errors": []}
        self.run_help = subprocess.run([self.rmmhunt, "run", "--help"], capture_output=True,
                                       text=True).stdout

    # -- storm --

    def storm(self, n, targets):
        out = subprocess.run([self.storm_bin, "-n", str(n), "-w", str(self.w), *targets],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    def monitor(self, mode, tag):
        out = self.work / f"{mode}-{tag}.out"
        if mode == "rmmhunt":
            argv = [self.rmmhunt, "run", "--stats-interval", "0"]
        elif mode == "rmmhunt-events":
            argv = [self.rmmhunt, "run", "--stats-interval", "0", "--emit", "events"]
        elif mode == "rmmhunt-nonet":
            argv = [self.rmmhunt, "run", "--stats-interval", "0", "--no-network"]
        elif mode == "rmmhunt-events-nonet":
            argv = [self.rmmhunt, "run", "--stats-interval", "0", "--emit", "events",
                    "--no-network"]
        elif mode == "execsnoop":
            return Monitor(mode, [EXECSNOOP], out, signal.SIGINT, execsnoop_ready)
        elif mode == "tcpconnect":
            return Monitor(mode, [TCPCONNECT], out, signal.SIGINT, execsnoop_ready)
        elif mode == "tcplife":
            return Monitor(mode, [TCPLIFE], out, signal.SIGINT, execsnoop_ready)
        else:
            return None
        return Monitor(mode, argv, out, signal.SIGTERM, rmmhunt_ready)

    def storm_under(self, mode, n, targets, tag):
        """One storm run under one monitor (or none): a dict of what it cost."""
        m = self.monitor(mode, tag)
        if m:
            m.start()
        try:
            if m:
                time.sleep(0.3)
                cpu0 = proc_cpu_s(m.pid)
                progs = prog_ids(m.pid)
                bpf0 = bpf_run_s(progs)
            forks0 = host_forks()
            res = self.storm(n, targets)
            res["host_forks"] = host_forks() - forks0
            if not m:
                return res
            bpf1 = bpf_run_s(progs)
            wait_idle(m.pid)
            res["cpu_s"] = proc_cpu_s(m.pid) - cpu0
            res["cpu_s_per_1k"] = res["cpu_s"] / (res["execs"] / 1000)
            if bpf0 is not None and bpf1 is not None:
                # the in-kernel side: time added to the storm's own exec, fork and exit
                res["bpf_s"] = bpf1 - bpf0
                res["cost_us_per_exec"] = (res["cpu_s"] + res["bpf_s"]) / res["execs"] * 1e6
                # what the monitor took from the storm, as a share of the CPU time the
                # storm's workers had: the throughput it can cost, whatever the noise
                res["cost_share"] = (res["cpu_s"] + res["bpf_s"]) / (
                    res["seconds"] * min(res["workers"], os.cpu_count()))
            res["peak_rss_kib"] = proc_status_kib(m.pid, "VmHWM")
            res["rss_kib"] = proc_status_kib(m.pid, "VmRSS")
            # file pages are mostly the ring buffer's mapping, anon the heap
            res["rss_anon_kib"] = proc_status_kib(m.pid, "RssAnon")
            res["rss_file_kib"] = proc_status_kib(m.pid, "RssFile")
        finally:
            if m:
                m.stop()
        res["exit_status"] = m.proc.returncode
        if mode.startswith("rmmhunt"):
            stop = [r for r in status_records(m.out) if r.get("State") == "stopping"]
            if not stop:
                raise RuntimeError(f"{mode}: no final Status record: {m.err.read_text()[-500:]}")
            res["lost"] = stop[-1].get("EventsLost")
            res["kernel_execs"] = stop[-1].get("KernelExecs")
            if mode.startswith("rmmhunt-events") and len(targets) == 1:
                res["observed"] = count_rmmhunt_events(m.out, targets[0])
        elif mode == "execsnoop":
            res["observed"] = count_execsnoop_events(m.out, targets[0])
            reported = sum(int(x) for x in re.findall(r"Lost (\d+) events", m.err.read_text()))
            res["lost"] = max(reported, res["execs"] - res["failed"] - res["observed"])
        if res.get("observed") is not None:
            res["missing"] = res["execs"] - res["failed"] - res["observed"]
        m.out.unlink()
        return res

    def calibrate(self):
        """Scales the unset storm sizes down to what this machine runs in ~10 minutes
        (a busy 2-core VM may fork+exec only ~100 times a second)."""
        res = self.storm(100 if QUICK else 300, [self.target])
        rate = res["execs_per_s"]
        self.results["calibration_execs_per_s"] = rate
        budget_storm, budget_rss = (20, 10) if QUICK else (240, 100)
        n = env_int("BENCH_N", 0)
        if not n:
            n = 2000 if QUICK else 20000
            fit = int(rate * budget_storm / (self.rounds * len(STORM_MODES)) / 100) * 100
            if fit < n:
                n = max(fit, 200)
                self.results["notes"].append(
                    f"BENCH_N scaled down to {n} to fit the time budget ({rate:.0f} execs/s "
                    "unmonitored); set BENCH_N to override")
        rss_n = env_int("BENCH_RSS_N", 0)
        if not rss_n:
            rss_n = 10000 if QUICK else 100000
            fit = int(rate * budget_rss / 1000) * 1000
            if fit < rss_n:
                rss_n = max(fit, 1000)
                self.results["notes"].append(
                    f"BENCH_RSS_N scaled down to {rss_n} to fit the time budget; "
                    "set BENCH_RSS_N to override")
        self.n, self.rss_n = n, rss_n

    def bench_storm(self):
        modes = list(STORM_MODES)
        if not os.access(EXECSNOOP, os.X_OK):
            modes.remove("execsnoop")
            self.results["notes"].append(f"{EXECSNOOP} missing (libbpf-tools): not compared")
        runs = {m: [] for m in modes}
        self.storm(max(self.n // 10, 100), [self.target])  # warm the page cache
        with BpfStats():
            for r in range(self.rounds):
                order = modes[r % len(modes):] + modes[:r % len(modes)]
                for mode in order:
                    log(f"storm round {r + 1}/{self.rounds}: {mode}, {self.n} execs")
                    runs[mode].append(self.storm_under(mode, self.n, [self.target], f"r{r}"))
        summary = {}
        for mode in modes:
            rs = runs[mode]
            s = {"execs_per_s": median(r["execs_per_s"] for r in rs),
                 "execs_per_s_min": min(r["execs_per_s"] for r in rs),
                 "execs_per_s_max": max(r["execs_per_s"] for r in rs),
                 "failed": sum(r["failed"] for r in rs),
                 # forks the storm did not make: other work the monitors saw too
                 "background": 1 - sum(r["execs"] + r["workers"] for r in rs)
                 / max(sum(r["host_forks"] for r in rs), 1)}
            if mode != "none":
                s["cpu_s_per_1k"] = median(r["cpu_s_per_1k"] for r in rs)
                s["bpf_us_per_exec"] = median(r.get("bpf_s") and r["bpf_s"] / r["execs"] * 1e6
                                              for r in rs)
                s["cost_share"] = median(r.get("cost_share") for r in rs)
                s["cpu_us_per_exec"] = median(r["cpu_s"] / r["execs"] * 1e6 for r in rs)
                s["cost_us_per_exec"] = median(r.get("cost_us_per_exec") for r in rs)
                s["peak_rss_kib"] = max(r["peak_rss_kib"] for r in rs)
                s["lost"] = sum(r["lost"] or 0 for r in rs)
                if all("observed" in r for r in rs):
                    s["observed"] = sum(r["observed"] for r in rs)
                    s["expected"] = sum(r["execs"] - r["failed"] for r in rs)
            summary[mode] = s
        # each run against the unmonitored run of its own round: the host's drift
        # between rounds cancels out
        for mode, s in summary.items():
            ratios = [a["execs_per_s"] / b["execs_per_s"] for a, b in zip(runs[mode], runs["none"])]
            s["ratio"] = median(ratios)
            s["ratio_min"], s["ratio_max"] = min(ratios), max(ratios)
            # total cost per exec against execsnoop's in the same round
            if mode != "none" and "execsnoop" in runs:
                costs = [a["cost_us_per_exec"] / b["cost_us_per_exec"]
                         for a, b in zip(runs[mode], runs["execsnoop"])
                         if a.get("cost_us_per_exec") and b.get("cost_us_per_exec")]
                s["cost_x_execsnoop"] = median(costs)
        # network capture on against off (--no-network), round by round: the rounds
        # alternate, so each pair ran close together
        for on_mode, off_mode in NET_PAIRS:
            on, off = runs[on_mode], runs[off_mode]
            s = summary[on_mode]
            s["x_nonet_execs_per_s"] = median(
                a["execs_per_s"] / b["execs_per_s"] for a, b in zip(on, off))
            costs = [a["cost_us_per_exec"] / b["cost_us_per_exec"] for a, b in zip(on, off)
                     if a.get("cost_us_per_exec") and b.get("cost_us_per_exec")]
            s["x_nonet_cost"] = median(costs)
            if costs:
                s["x_nonet_cost_min"], s["x_nonet_cost_max"] = min(costs), max(costs)
        self.results["storm"] = {"execs": self.n, "workers": self.w, "rounds": self.rounds,
                                 "target": self.target, "runs": runs, "summary": summary}

    # -- network --

    def wine_server(self):
        """A Wine server (for an empty prefix: it needs no more), and its stop."""
        env = dict(os.environ, WINEPREFIX=str(self.work / "wine-empty"), WINEDEBUG="-all")
        os.makedirs(env["WINEPREFIX"], exist_ok=True)
        subprocess.run(["wineserver", "-p"], env=env, check=True, timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return lambda: subprocess.run(["wineserver", "-k"], env=env, timeout=30)

    def bench_syscalls(self):
        """One-byte writes to /dev/null: what a monitor adds to every syscall, and
        with a Wine server running (its requests followed: a hook on every syscall)."""
        n = env_int("BENCH_SYSCALLS", 300000 if QUICK else 3000000)
        modes = ["none", "rmmhunt-nonet", "rmmhunt"]
        if shutil.which("wineserver"):
            modes.append("rmmhunt-wine")
        runs = {m: [] for m in modes}
        for r in range(self.rounds):
            for mode in modes[r % len(modes):] + modes[:r % len(modes)]:
                log(f"syscalls round {r + 1}/{self.rounds}: {mode}, {n} writes")
                m = self.monitor(mode.removesuffix("-wine"), f"sys-r{r}")
                stop_wine = None
                if m:
                    m.start()
                    if mode == "rmmhunt-wine":
                        links = link_count(m.pid)
                        stop_wine = self.wine_server()
                        # measured once the monitor has attached its Wine hook
                        deadline = time.monotonic() + 10
                        while link_count(m.pid) == links and time.monotonic() < deadline:
                            time.sleep(0.05)
                    time.sleep(0.3)
                try:
                    out = subprocess.run([str(self.bins / "syscalls"), str(n)], check=True,
                                         capture_output=True, text=True).stdout
                finally:
                    if stop_wine:
                        stop_wine()
                    if m:
                        m.stop()
                        m.out.unlink()
                runs[mode].append(json.loads(out))
        summary = {}
        for mode in modes:
            summary[mode] = {"ns_per_call": median(x["ns_per_call"] for x in runs[mode])}
            for ref in ("none", "rmmhunt-nonet"):
                summary[mode][f"x_{ref}"] = median(
                    a["ns_per_call"] / b["ns_per_call"] for a, b in zip(runs[mode], runs[ref]))
        self.results["syscalls"] = {"calls": n, "rounds": self.rounds, "runs": runs,
                                    "summary": summary}

    def net_storm_under(self, mode, n, tag):
        """One connect storm under one monitor (or none): a dict of what it cost."""
        m = self.monitor(mode, tag)
        if m:
            m.start()
        try:
            if m:
                time.sleep(0.3)
                cpu0 = proc_cpu_s(m.pid)
                progs = prog_ids(m.pid)
                bpf0 = bpf_run_s(progs)
            out = subprocess.run([str(self.bins / "connstorm"), "-n", str(n), "-w", str(self.w)],
                                 check=True, capture_output=True, text=True).stdout
            res = json.loads(out)
            if not m:
                return res
            bpf1 = bpf_run_s(progs)
            wait_idle(m.pid)
            res["cpu_s"] = proc_cpu_s(m.pid) - cpu0
            res["cpu_us_per_conn"] = res["cpu_s"] / n * 1e6
            if bpf0 is not None and bpf1 is not None:
                res["bpf_us_per_conn"] = (bpf1 - bpf0) / n * 1e6
                res["cost_us_per_conn"] = res["cpu_us_per_conn"] + res["bpf_us_per_conn"]
            res["peak_rss_kib"] = proc_status_kib(m.pid, "VmHWM")
        finally:
            if m:
                m.stop()
        expected = n - res["failed"]
        port = res["port"]
        if mode == "rmmhunt-events":
            stop = [r for r in status_records(m.out) if r.get("State") == "stopping"]
            if not stop:
                raise RuntimeError(f"{mode}: no final Status record: {m.err.read_text()[-500:]}")
            res["lost"] = stop[-1].get("NetworkLost")
            res["first_bytes"] = stop[-1].get("NetworkFirstBytes")
            seen = url = 0
            needle = f'"RemotePort":{port},'.encode()
            with open(m.out, "rb") as f:
                for line in f:
                    if needle in line and b'"ActionType":"ConnectionSuccess"' in line:
                        seen += 1
                        url += b'"RemoteUrl":"connstorm.bench.example"' in line
            res["observed"], res["with_url"] = seen, url
        else:
            # tcpconnect: PID COMM IP SADDR DADDR DPORT, one line per connect; tcplife:
            # PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS, one per socket closed
            col = -1 if mode == "tcpconnect" else 5
            seen = 0
            with open(m.out, "rb") as f:
                for line in f:
                    cols = line.split()
                    seen += len(cols) >= 6 and cols[col] == str(port).encode()
            res["observed"] = seen
            reported = sum(int(x) for x in re.findall(r"[Ll]ost (\d+) events", m.err.read_text()))
            res["lost"] = max(reported, expected - seen)
        res["missing"] = expected - res["observed"]
        m.out.unlink()
        return res

    def bench_net(self):
        n = env_int("BENCH_NET_N", 2000 if QUICK else 10000)
        peer = "tcpconnect"
        try:
            probe = self.monitor(peer, "probe").start()
            probe.stop()
            probe.out.unlink()
        except (RuntimeError, OSError) as e:
            peer = "tcplife"
            self.results["notes"].append(
                f"{TCPCONNECT} cannot run here ({str(e).strip().splitlines()[-1]}): the connect "
                f"storm is compared with libbpf-tools' tcplife, a tracepoint-only peer")
        modes = ["none", "rmmhunt-events", peer]
        runs = {m: [] for m in modes}
        with BpfStats():
            for r in range(self.rounds):
                for mode in modes[r % len(modes):] + modes[:r % len(modes)]:
                    log(f"connect storm round {r + 1}/{self.rounds}: {mode}, {n} connections")
                    runs[mode].append(self.net_storm_under(mode, n, f"net-r{r}"))
        summary = {}
        for mode in modes:
            rs = runs[mode]
            s = {"per_s": median(x["per_s"] for x in rs),
                 "x_none": median(a["per_s"] / b["per_s"] for a, b in zip(rs, runs["none"])),
                 "failed": sum(x["failed"] for x in rs)}
            if mode != "none":
                for k in ("cpu_us_per_conn", "bpf_us_per_conn", "cost_us_per_conn"):
                    s[k] = median(x.get(k) for x in rs)
                s["lost"] = sum(x["lost"] or 0 for x in rs)
                s["missing"] = sum(x["missing"] for x in rs)
                s["peak_rss_kib"] = max(x["peak_rss_kib"] for x in rs)
                s["cost_x_peer"] = median(
                    a["cost_us_per_conn"] / b["cost_us_per_conn"]
                    for a, b in zip(rs, runs[peer])
                    if a.get("cost_us_per_conn") and b.get("cost_us_per_conn"))
                s["cpu_x_peer"] = median(
                    a["cpu_us_per_conn"] / b["cpu_us_per_conn"]
                    for a, b in zip(rs, runs[peer]) if b["cpu_us_per_conn"])
            if mode == "rmmhunt-events":
                s["with_url"] = sum(x["with_url"] for x in rs)
                s["first_bytes"] = rs[-1]["first_bytes"]
            summary[mode] = s
        self.results["net"] = {"connections": n, "workers": self.w, "rounds": self.rounds,
                               "peer": peer, "runs": runs, "summary": summary}

    def bench_net_qemu(self):
        """The connect storm against tcpconnect itself, which needs kprobes: bench/qemu_net.sh
        boots Debian's 6.12 kernel under QEMU (software emulation: every cost is many times
        the host's, for both monitors alike, so only the ratios mean anything)."""
        n = env_int("BENCH_QEMU_N", 1000 if QUICK else 5000)
        rounds = env_int("BENCH_QEMU_ROUNDS", 1 if QUICK else 5)
        env = dict(os.environ, RMMHUNT=self.static_rmmhunt,
                   CONNSTORM=str(self.bins / "connstorm-static"), BENCH_QEMU_N=str(n),
                   BENCH_QEMU_ROUNDS=str(rounds), BENCH_W=str(self.w))
        env.setdefault("KERNELS_CACHE", str(QEMU_NET.parents[1] / "build" / "kernels"))
        log(f"connect storm under QEMU: {rounds} rounds of {n} connections per mode")
        t0 = time.monotonic()
        p = subprocess.run(["sh", str(QEMU_NET)], env=env, capture_output=True, text=True)
        if p.returncode == 2:  # a prerequisite is missing: not measured, not a broken harness
            self.results["net_qemu"] = {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
            return
        if p.returncode:
            raise RuntimeError(f"qemu_net.sh exit {p.returncode}: {p.stderr[-800:]}")
        kernel, runs = None, {"none": [], "rmmhunt-events": [], "tcpconnect": []}
        for line in p.stdout.splitlines():
            if line.startswith("RMMHUNT-BENCH-KERNEL "):
                kernel = line.split()[1]
            if not line.startswith("RMMHUNT-BENCH-RUN "):
                continue
            x = json.loads(line.split(" ", 1)[1])
            x.update(x.pop("connstorm"))
            if x["mode"] != "none":
                x["mode"] = {"rmmhunt": "rmmhunt-events"}.get(x["mode"], x["mode"])
                x["cpu_us_per_conn"] = x["cpu_ticks"] / x["clk_tck"] / n * 1e6
                x["bpf_us_per_conn"] = x["bpf_ns"] / 1e3 / n
                x["cost_us_per_conn"] = x["cpu_us_per_conn"] + x["bpf_us_per_conn"]
            runs[x["mode"]].append(x)
        if any(len(rs) != rounds for rs in runs.values()):
            raise RuntimeError(f"qemu_net.sh: {', '.join(f'{m} {len(rs)}' for m, rs in runs.items())}"
                               f" runs of {rounds}")
        byround = {m: {x["round"]: x for x in rs} for m, rs in runs.items()}
        summary = {}
        for mode, rs in runs.items():
            s = {"per_s": median(x["per_s"] for x in rs),
                 "x_none": median(x["per_s"] / byround["none"][x["round"]]["per_s"] for x in rs),
                 "failed": sum(x["failed"] for x in rs)}
            if mode != "none":
                for k in ("cpu_us_per_conn", "bpf_us_per_conn", "cost_us_per_conn"):
                    s[k] = median(x[k] for x in rs)
                s["lost"] = sum(x["lost"] or 0 for x in rs)
                s["seen"] = sum(x["seen"] for x in rs)
                s["expected"] = sum(x["connections"] - x["failed"] for x in rs)
            summary[mode] = s
        ratios = [x["cost_us_per_conn"] / byround["tcpconnect"][x["round"]]["cost_us_per_conn"]
                  for x in runs["rmmhunt-events"]]
        cpu_ratios = [x["cpu_us_per_conn"] / byround["tcpconnect"][x["round"]]["cpu_us_per_conn"]
                      for x in runs["rmmhunt-events"]]
        ev = summary["rmmhunt-events"]
        ev["cost_x_tcpconnect"], ev["cost_x_tcpconnect_min"], ev["cost_x_tcpconnect_max"] = (
            median(ratios), min(ratios), max(ratios))
        ev["cost_x_tcpconnect_rounds"] = ratios
        # the host's load only adds time: each mode's cheapest round is its least disturbed
        ev["best_x_tcpconnect"] = (min(x["cost_us_per_conn"] for x in runs["rmmhunt-events"]) /
                                   min(x["cost_us_per_conn"] for x in runs["tcpconnect"]))
        ev["cpu_x_tcpconnect"] = median(cpu_ratios)
        ev["with_url"] = sum(x["with_url"] for x in runs["rmmhunt-events"])
        ev["first_bytes"] = runs["rmmhunt-events"][-1]["first_bytes"]
        label = QEMU_LABEL + (", -icount (time counts instructions)"
                              if os.environ.get("BENCH_QEMU_ICOUNT") == "1" else "")
        self.results["net_qemu"] = {"label": label, "kernel": kernel, "connections": n,
                                    "workers": self.w, "rounds": rounds,
                                    "seconds": time.monotonic() - t0, "runs": runs,
                                    "summary": summary}

    def bench_rss(self):
        exes = self.work / "distinct"
        exes.mkdir(exist_ok=True)
        targets = []
        for i in range(1000):
            p = exes / f"bench-true-{i:04d}"
            if not p.exists():
                shutil.copy2("/bin/true", p)
            targets.append(str(p))
        log(f"peak RSS: {self.rss_n} execs of 1000 executables under rmmhunt")
        res = self.storm_under("rmmhunt", self.rss_n, targets, "rss")
        res["executables"] = len(targets)
        self.results["rss"] = res

    # -- exec -> alert --

    def bench_rule(self, path):
        """The Atera rule's query limited to one executable, so that other Atera
        processes on a shared host (tests, say) do not open the group first."""
        rule = self.work / "atera-bench.yaml"
        rule.write_text(BENCH_RULE.format(path=path.replace("'", "\\'")))
        return rule

    def one_alert_latency(self, name, cmd, env, path, timeout):
        """(seconds from just before exec of cmd to its Alert line, seconds from the
        matched exec to that line), or a string saying why there is none.

        Other Atera processes may run on a shared host (tests, say): an Alert counts
        only when the match record of one of its ReportIds is an exec of path, so
        the monitor also emits matches; one that alerted before the exec spoils the
        sample (its group would no longer alert at once)."""
        argv = [self.rmmhunt, "run", "--stats-interval", "0", "--device-name", name,
                "--emit", "alerts,matches"]
        if "--state" in self.run_help:
            argv += ["--state", str(self.work / f"{name}.state")]
        if "--rules" in self.run_help:
            argv += ["--rules", str(self.bench_rule(path))]
        err = self.work / f"{name}.err"
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=open(err, "wb"))
        ready, alerts, ours = threading.Event(), [], set()

        def read():
            for line in p.stdout:
                t = time.time()
                rec = json.loads(line)
                kind = rec.get("RecordType")
                if kind == "Status" and rec.get("State") == "ready":
                    ready.set()
                elif kind == "Alert" and "Atera" in str(rec.get("RuleName")):
                    alerts.append((t, rec))
                elif (kind == "DeviceProcessEvents" and rec.get("FolderPath") == path
                      and not rec.get("FromSnapshot")):
                    ours.add(rec.get("ReportId"))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            if not ready.wait(60):
                raise RuntimeError(f"rmmhunt did not start: {err.read_text()[-300:]}")
            time.sleep(0.2)
            t0 = time.time()
            rc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=120).returncode
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if any(t < t0 for t, _ in alerts):
                    return "another Atera process alerted first"
                for t, rec in alerts:
                    if ours & set(rec.get("Report") or []):
                        first = rec.get("FirstSeen")
                        return t - t0, (t - parse_time(first) if first else None)
                time.sleep(0.005)
            return (f"no Alert for {os.path.basename(path)} within {timeout} s (it exited "
                    f"{rc}; {len(ours)} match records of it, {len(alerts)} Atera alerts)")
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=60)
            reader.join(timeout=10)
            for f in (err, self.work / f"{name}.state"):
                f.unlink(missing_ok=True)

    def alert_latency(self, label, cmd, env, path, samples, timeout):
        """Exec -> Alert over samples, each with a fresh monitor (a new group alerts
        at once; later matches wait for the summary interval)."""
        lat, from_exec, errors = [], [], []
        for i in range(samples):
            for attempt in range(3):
                got = self.one_alert_latency(f"bench-{label}-{os.getpid()}-{i}-{attempt}",
                                             cmd, env, path, timeout)
                if not isinstance(got, str):
                    lat.append(got[0])
                    if got[1] is not None:
                        from_exec.append(got[1])
                    break
                errors.append(got)
                if not got.startswith("another"):
                    break
        return {"samples_s": lat, "median_s": median(lat), "errors": errors, "command": cmd,
                "rule": "atera-bench" if "--rules" in self.run_help else "built-in",
                "from_matched_exec_s": from_exec, "from_matched_exec_median_s": median(from_exec)}

    def bench_latency(self):
        samples = 2 if QUICK else 5
        native = str(self.bins / "AteraAgent")
        log(f"exec -> alert, native: {samples} samples")
        self.results["latency_native"] = self.alert_latency("native", [native], None, native,
                                                            samples, 5)
        if not shutil.which("wine") or not shutil.which("wineserver"):
            self.results["latency_wine"] = {"median_s": None, "errors": ["wine not installed"]}
            return
        prefix = self.bins / "wineprefix"  # kept: creating one takes a while
        env = dict(os.environ, WINEPREFIX=str(prefix), WINEDEBUG="-all",
                   WINEDLLOVERRIDES="mscoree,mshtml=")
        env.pop("DISPLAY", None)
        if not (prefix / "dosdevices" / "c:").is_symlink():
            log("creating the Wine prefix (once)")
            subprocess.run(["wineboot", "-i"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=300)
        # a persistent server that outlives each program: the "warm wineserver"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["wineserver", "-k"], env=env, timeout=30, **quiet)
        subprocess.run(["wineserver", "-p"], env=env, check=True, timeout=30, **quiet)
        exe = str(self.bins / "AteraAgent.exe")
        try:
            # Starts Wine's services and warms its files. Not capture_output: the
            # services inherit the pipes and would hold them open.
            for _ in range(2):
                subprocess.run(["wine", exe], env=env, timeout=120, **quiet)
            log(f"exec -> alert, Wine: {samples} samples")
            self.results["latency_wine"] = self.alert_latency("wine", ["wine", exe], env, exe,
                                                              samples, 10)
        finally:
            subprocess.run(["wineserver", "-k"], env=env, timeout=30, **quiet)

    # -- start-up --

    def time_to_ready(self):
        t0 = time.monotonic()
        p = subprocess.Popen([self.rmmhunt, "run", "--stats-interval", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            for line in p.stdout:
                rec = json.loads(line)
                if rec.get("State") == "ready":
                    return time.monotonic() - t0, rec.get("SnapshotProcesses")
            raise RuntimeError("rmmhunt exited before ready")
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=60)

    def bench_startup(self):
        samples = 1 if QUICK else 3
        res = {}
        log("start-up: idle")
        idle = [self.time_to_ready() for _ in range(samples)]
        res["idle_s"] = median(t for t, _ in idle)
        res["idle_snapshot"] = idle[-1][1]
        log("start-up: with 1000 extra processes")
        sleepers = []
        try:
            for _ in range(1000):
                sleepers.append(subprocess.Popen(["sleep", "300"]))
            busy = [self.time_to_ready() for _ in range(samples)]
        finally:
            for s in sleepers:
                s.kill()
            for s in sleepers:
                s.wait()
        res["busy_s"] = median(t for t, _ in busy)
        res["busy_snapshot"] = busy[-1][1]
        res["extra_processes"] = len(sleepers)
        self.results["startup"] = res

    # -- inspect --

    def bench_inspect(self):
        count = 60 if QUICK else 300
        pe = self.work / "pe"
        pe.mkdir(exist_ok=True)
        files = []
        for src in sorted(WINE_DLLS.iterdir()):
            if len(files) == count:
                break
            if src.is_file() and not src.is_symlink():
                dst = pe / src.name
                if not dst.exists():
                    shutil.copyfile(src, dst)
                files.append(src.name)
        if not files:
            raise RuntimeError(f"no PE files in {WINE_DLLS}")
        size = sum((pe / f).stat().st_size for f in files)
        cmds = {
            "rmmhunt --no-hash": [self.rmmhunt, "inspect", "--no-hash", "--", *files],
            "rmmhunt": [self.rmmhunt, "inspect", "--", *files],
            "exiftool": ["exiftool", "-j", "-q", *EXIFTOOL_TAGS, "--", *files],
        }

        def timed(cmd):
            t0 = time.monotonic()
            subprocess.run(cmd, cwd=pe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return time.monotonic() - t0

        res = {"files": len(files), "bytes": size, "source": str(WINE_DLLS),
               "exiftool_command": ["exiftool", "-j", "-q", *EXIFTOOL_TAGS, "FILE..."]}
        cold_ok = True
        for name, cmd in cmds.items():
            log(f"inspect: {name}, cold and warm")
            entry = {}
            try:
                drop_caches()
                entry["cold_s"] = timed(cmd)
            except OSError as e:
                cold_ok = False
                self.results["notes"].append(f"cold inspect runs skipped: {e}")
            timed(cmd)
            entry["warm_s"] = median([timed(cmd) for _ in range(1 if QUICK else 2)])
            for k in ("cold", "warm"):
                if f"{k}_s" in entry:
                    entry[f"{k}_files_per_s"] = len(files) / entry[f"{k}_s"]
            res[name] = entry
        for k in ("cold", "warm") if cold_ok else ("warm",):
            for name in ("rmmhunt --no-hash", "rmmhunt"):
                res[name][f"{k}_speedup"] = res["exiftool"][f"{k}_s"] / res[name][f"{k}_s"]
        self.results["inspect"] = res

    # -- Authenticode --

    def bench_signatures(self):
        copies = 2 if QUICK else 10
        fixtures = self.work / "pe-fixtures"
        subprocess.run([str(SIGN_PY), str(fixtures)], check=True, capture_output=True)
        signed = fixtures / "signed"
        ca = signed / "ca.crt"
        names = sorted(p.name for p in signed.glob("*.exe"))
        # The same set several times over, each copy its own file (its own inode).
        files = []
        for i in range(copies):
            for n in names:
                dst = self.work / "sig" / f"{i}-{n}"
                dst.parent.mkdir(exist_ok=True)
                shutil.copyfile(signed / n, dst)
                files.append(str(dst))
        env = dict(os.environ, SSL_CERT_FILE=str(ca))

        def rmmhunt():
            subprocess.run([self.rmmhunt, "inspect", "--", *files], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def osslsigncode():
            # One file per run, as it takes them; -ignore-cdp keeps it off the network.
            for f in files:
                subprocess.run(["osslsigncode", "verify", "-ignore-cdp", "-CAfile", str(ca),
                                "-TSA-CAfile",
                                str(ca), "-CRLfile", str(signed / "ca.crl"), "-TSA-CRLfile",
                                str(signed / "ca.crl"), "-in", f],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        res = {"files": len(files), "bytes": sum(os.path.getsize(f) for f in files)}
        for name, fn in (("rmmhunt", rmmhunt), ("osslsigncode", osslsigncode)):
            log(f"signatures: {name}, warm")
            fn()
            times = []
            for _ in range(1 if QUICK else 3):
                t0 = time.monotonic()
                fn()
                times.append(time.monotonic() - t0)
            res[name] = {"warm_s": median(times), "files_per_s": len(files) / median(times)}
        res["speedup"] = res["osslsigncode"]["warm_s"] / res["rmmhunt"]["warm_s"]
        self.results["signatures"] = res

    # -- all --

    def run(self):
        self.w = env_int("BENCH_W", 2)
        self.rounds = env_int("BENCH_ROUNDS", 1 if QUICK else 3)
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.target = str(self.work / "bench-true")
        shutil.copy2("/bin/true", self.target)
        self.results["machine"] = machine_info()
        self.results["rmmhunt_version"] = subprocess.run(
            [self.rmmhunt, "--version"], capture_output=True, text=True).stdout.strip()
        self.calibrate()
        t0 = time.monotonic()
        steps = os.environ.get("BENCH_STEPS")
        for step in (self.bench_storm, self.bench_rss, self.bench_latency, self.bench_startup,
                     self.bench_inspect, self.bench_signatures, self.bench_syscalls,
                     self.bench_net, self.bench_net_qemu):
            if steps and step.__name__.removeprefix("bench_") not in steps.split(","):
                continue
            try:
                step()
            except Exception as e:  # one broken step does not hide the others' numbers
                self.results["errors"].append(f"{step.__name__}: {e}")
                traceback.print_exc()
        self.results["seconds"] = time.monotonic() - t0
        self.results["machine"]["loadavg_end"] = os.getloadavg()
        shutil.rmtree(self.work, ignore_errors=True)
        return self.results


def machine_info():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "kernel": platform.release(),
        "cpu": model,
        "loadavg": os.getloadavg(),
        "mem_total_kib": int(open("/proc/meminfo").readline().split()[1]),
    }


# ---- report --------------------------------------------------------------------------------

def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def verdicts(r):
    """[(status, text)], status PASS, FAIL or N/A (could not be measured)."""
    out = []

    def judge(ok, text):
        out.append(("N/A" if ok is None else "PASS" if ok else "FAIL", text))

    st = r.get("storm", {}).get("summary")
    rss = r.get("rss")
    if st:
        lost = {m: s["lost"] for m, s in st.items() if m != "none"}
        missing = {m: s["expected"] - s["observed"] for m, s in st.items() if "observed" in s}
        if rss:
            lost["rmmhunt (1k executables)"] = rss["lost"]
        judge(all(v == 0 for v in lost.values()) and all(v == 0 for v in missing.values()),
              "0 events lost in every mode: lost " + ", ".join(f"{m} {v}" for m, v in lost.items())
              + "; unseen " + ", ".join(f"{m} {v}" for m, v in missing.items()))
        sr = st["rmmhunt"]
        ratio = sr["ratio"]
        text = (f"storm throughput under rmmhunt {ratio:.3f}x unmonitored, median of rounds "
                f"{sr['ratio_min']:.3f}-{sr['ratio_max']:.3f} (>= {TARGET_THROUGHPUT})")
        # rounds that disagree by more than the margin make the ratio noise
        if r["storm"]["rounds"] < 2:
            judge(None, f"{text}: inconclusive, one round says nothing of the noise")
        elif sr["ratio_max"] - sr["ratio_min"] > 2 * (1 - TARGET_THROUGHPUT):
            judge(None, f"{text}: inconclusive, the rounds disagree (a busy host; rerun on a "
                  "quiet one or raise BENCH_ROUNDS)")
        else:
            judge(ratio >= TARGET_THROUGHPUT, text)
        if sr.get("cost_share") is not None:
            # what no noise hides: the CPU time rmmhunt took from the storm
            bound = 1 - sr["cost_share"]
            judge(bound >= TARGET_THROUGHPUT,
                  f"storm throughput by cost: rmmhunt and its BPF programs "
                  f"({sr['bpf_us_per_exec']:.1f} us per exec) took {sr['cost_share']:.2%} of "
                  f"the storm's CPU time, so >= {bound:.3f}x (>= {TARGET_THROUGHPUT})")
        ev = st.get("rmmhunt-events", {})
        if ev.get("cost_x_execsnoop") is not None:
            judge(ev["cost_x_execsnoop"] <= TARGET_EVENTS_COST,
                  f"--emit events CPU + BPF time per exec {ev['cost_x_execsnoop']:.2f}x "
                  f"execsnoop's ({ev['cost_us_per_exec']:.1f} vs "
                  f"{st['execsnoop']['cost_us_per_exec']:.1f} us; <= {TARGET_EVENTS_COST})")
        elif ev:
            judge(None, "--emit events cost per exec vs execsnoop's: not measured (no execsnoop "
                  "or no BPF statistics)")
        a, b = st["rmmhunt"]["cpu_s_per_1k"], st.get("execsnoop", {}).get("cpu_s_per_1k")
        if b:
            judge(a / b <= TARGET_CPU, f"rmmhunt CPU per exec {a / b:.3f}x execsnoop's "
                  f"({a * 1000:.1f} vs {b * 1000:.1f} ms per 1k execs; <= {TARGET_CPU})")
        else:
            judge(None, f"rmmhunt CPU per exec vs execsnoop's: no execsnoop CPU measured "
                  f"(rmmhunt {a * 1000:.1f} ms per 1k execs)")
    if rss:
        peak = rss["peak_rss_kib"] * 1024
        judge(peak <= TARGET_RSS, f"peak RSS {peak / MIB:.1f} MiB after {rss['execs']} execs of "
              f"{rss['executables']} executables (<= {TARGET_RSS // MIB} MiB)")
    for key, label, limit in (("latency_native", "native", TARGET_NATIVE_S),
                              ("latency_wine", "Wine", TARGET_WINE_S)):
        lat = r.get(key)
        if not lat:
            continue
        if lat["median_s"] is None:
            judge(None, f"exec -> alert {label}: not measured ({'; '.join(set(lat['errors']))})")
        else:
            judge(lat["median_s"] <= limit, f"exec -> alert {label} {lat['median_s'] * 1000:.1f} ms "
                  f"median (<= {limit * 1000:.0f} ms)")
    sc = r.get("syscalls", {}).get("summary")
    if sc:
        on = sc["rmmhunt"]
        judge(on["x_rmmhunt-nonet"] <= TARGET_SYSCALL,
              f"syscall time with network capture on {on['x_rmmhunt-nonet']:.3f}x "
              f"--no-network's, {on['x_none']:.3f}x unmonitored "
              f"({on['ns_per_call']:.0f} vs {sc['rmmhunt-nonet']['ns_per_call']:.0f} vs "
              f"{sc['none']['ns_per_call']:.0f} ns per write; <= {TARGET_SYSCALL})")
    for on_mode, off_mode in NET_PAIRS if st else ():
        on, off = st.get(on_mode, {}), st.get(off_mode, {})
        if on.get("x_nonet_cost") is None:
            continue
        text = (f"exec storm, {STORM_LABELS[on_mode]} with network capture on: CPU + BPF time per "
                f"exec {on['x_nonet_cost']:.3f}x --no-network's (median of rounds "
                f"{on['x_nonet_cost_min']:.3f}-{on['x_nonet_cost_max']:.3f}; "
                f"{on['cost_us_per_exec']:.1f} vs {off['cost_us_per_exec']:.1f} us), "
                f"execs/s {on['x_nonet_execs_per_s']:.3f}x (cost <= {TARGET_EXEC_NET})")
        # the default mode's few us per exec move with whatever else the host runs
        if on["x_nonet_cost_max"] - on["x_nonet_cost_min"] > 2 * (TARGET_EXEC_NET - 1):
            judge(None, f"{text}: inconclusive, the rounds disagree (a busy host; rerun on a "
                  "quiet one or raise BENCH_ROUNDS)")
        else:
            judge(on["x_nonet_cost"] <= TARGET_EXEC_NET, text)
    net = r.get("net", {}).get("summary")
    peer = r.get("net", {}).get("peer")
    if net and "rmmhunt-events" in net:
        ev = net["rmmhunt-events"]
        lost = {m: (s["lost"], s["missing"]) for m, s in net.items() if m != "none"}
        judge(ev["lost"] == 0 and ev["missing"] == 0,
              "connect storm: 0 network events lost: " + ", ".join(
                  f"{m} lost {lo}, unseen {mi}" for m, (lo, mi) in lost.items()))
        if ev.get("cost_x_peer") is not None:
            judge(ev["cost_x_peer"] <= TARGET_NET_COST,
                  f"connect storm: rmmhunt --emit events CPU + BPF time per connection "
                  f"{ev['cost_x_peer']:.2f}x {peer}'s ({ev['cost_us_per_conn']:.1f} vs "
                  f"{net[peer]['cost_us_per_conn']:.1f} us; <= {TARGET_NET_COST}"
                  + ("" if peer == "tcpconnect" else "; tcpconnect could not run") + ")")
        peak = ev["peak_rss_kib"] * 1024
        judge(peak <= TARGET_NET_RSS, f"peak RSS with all three tables {peak / MIB:.1f} MiB after "
              f"the connect storms (<= {TARGET_NET_RSS // MIB} MiB)")
    nq = r.get("net_qemu")
    if nq and "summary" in nq:
        ev, tc = nq["summary"]["rmmhunt-events"], nq["summary"]["tcpconnect"]
        lo, hi = ev["cost_x_tcpconnect_min"], ev["cost_x_tcpconnect_max"]
        text = (f"connect storm, {nq['label']}: rmmhunt --emit events CPU + BPF time per "
                f"connection {ev['cost_x_tcpconnect']:.2f}x tcpconnect's (median of per-round "
                f"ratios, rounds {lo:.2f}-{hi:.2f}; {ev['cost_us_per_conn']:.0f} vs "
                f"{tc['cost_us_per_conn']:.0f} us emulated; <= {TARGET_NET_COST})")
        # rounds on both sides of the target: the host's load decided, not the monitors
        judge(None if lo <= TARGET_NET_COST < hi else ev["cost_x_tcpconnect"] <= TARGET_NET_COST,
              text + (": inconclusive, the rounds straddle the target" if lo <= TARGET_NET_COST < hi
                      else ""))
    elif nq:
        judge(None, f"connect storm vs tcpconnect under QEMU: not measured ({nq['error']})")
    ins = r.get("inspect")
    if ins:
        for k in ("warm", "cold"):
            for name in ("rmmhunt --no-hash", "rmmhunt"):
                sp = ins[name].get(f"{k}_speedup")
                if sp is not None:
                    judge(sp >= TARGET_INSPECT, f"inspect {k}{' --no-hash' if 'no-hash' in name else ', hashing'} "
                          f"{sp:.1f}x exiftool (>= {TARGET_INSPECT:.0f}x)")
    return out


def conn_row_head(mode, s):
    """A connect storm table's row up to its monitor columns: mode, conn/s, x none."""
    label = {"rmmhunt-events": "rmmhunt --emit events"}.get(mode, mode)
    return f"  {label:<22}{s['per_s']:>8.0f}{s['x_none']:>8.3f}"


def report(r):
    lines = []
    m = r["machine"]
    lines.append(f"{r.get('rmmhunt_version', 'rmmhunt')} benchmark, {m['date']}: {m['nproc']} x "
                 f"{m['cpu']}, kernel {m['kernel']}, load {m['loadavg'][0]:.1f}"
                 f"-{m['loadavg_end'][0]:.1f}"
                 + (" (BENCH_QUICK)" if r["quick"] else ""))
    for n in r["notes"]:
        lines.append(f"note: {n}")
    st = r.get("storm")
    if st:
        lines.append("")
        lines.append(f"Exec storm: {st['execs']} fork+execs of a copy of /bin/true over "
                     f"{st['workers']} workers, median of {st['rounds']} alternating rounds;"
                     " x none: against the unmonitored run of the same round; BPF: in-kernel"
                     " time per exec; cost: monitor CPU + BPF time, share of the storm's;"
                     " bg: share of the host's forks that were not the storm's")
        lines.append(f"  {'mode':<22}{'execs/s':>9}{' (min-max)':>15}{'x none':>8}"
                     f"{'CPU ms/1k':>11}{'BPF us':>8}{'cost':>7}{'peak RSS':>10}"
                     f"{'seen/execs':>16}{'lost':>6}{'bg':>5}")
        for mode, s in st["summary"].items():
            label = STORM_LABELS.get(mode, mode)
            seen = (f"{s['observed']}/{s['expected']}" if "observed" in s else "-")
            lines.append(
                f"  {label:<22}{s['execs_per_s']:>9.0f}"
                f"{'(%.0f-%.0f)' % (s['execs_per_s_min'], s['execs_per_s_max']):>15}"
                f"{s['ratio']:>8.3f}{fmt(s.get('cpu_s_per_1k') and s['cpu_s_per_1k'] * 1000, '.0f'):>11}"
                f"{fmt(s.get('bpf_us_per_exec'), '.1f'):>8}"
                f"{fmt(s.get('cost_share') and s['cost_share'] * 100, '.2f'):>6}%"
                f"{fmt(s.get('peak_rss_kib') and s['peak_rss_kib'] / 1024, '.1f'):>7} MiB"
                f"{seen:>16}{fmt(s.get('lost'), 'd'):>6}{s['background'] * 100:>4.0f}%"
                if mode != "none" else
                f"  {label:<22}{s['execs_per_s']:>9.0f}"
                f"{'(%.0f-%.0f)' % (s['execs_per_s_min'], s['execs_per_s_max']):>15}"
                f"{s['ratio']:>8.3f}{'-':>11}{'-':>8}{'-':>7}{'-':>10}{'-':>16}{'-':>6}"
                f"{s['background'] * 100:>4.0f}%")
        if any(s.get("cost_us_per_exec") is not None for s in st["summary"].values()):
            lines.append("")
            lines.append("Cost per exec (median of rounds): the monitor's user + system CPU, the "
                         "time in its BPF programs, both; x execsnoop: the total against "
                         "execsnoop's of the same round")
            lines.append(f"  {'mode':<22}{'CPU us':>9}{'BPF us':>9}{'total us':>10}"
                         f"{'x execsnoop':>13}")
            for mode, s in st["summary"].items():
                if mode == "none":
                    continue
                label = STORM_LABELS.get(mode, mode)
                lines.append(f"  {label:<22}{fmt(s.get('cpu_us_per_exec'), '.1f'):>9}"
                             f"{fmt(s.get('bpf_us_per_exec'), '.1f'):>9}"
                             f"{fmt(s.get('cost_us_per_exec'), '.1f'):>10}"
                             f"{fmt(s.get('cost_x_execsnoop'), '.2f'):>13}")
            for on_mode, off_mode in NET_PAIRS:
                on = st["summary"].get(on_mode, {})
                if on.get("x_nonet_cost") is not None:
                    lines.append(f"  network capture on vs off, {STORM_LABELS[on_mode]}: total "
                                 f"{on['x_nonet_cost']:.3f}x (rounds {on['x_nonet_cost_min']:.3f}"
                                 f"-{on['x_nonet_cost_max']:.3f}), execs/s "
                                 f"{on['x_nonet_execs_per_s']:.3f}x")
    rss = r.get("rss")
    if rss:
        lines.append("")
        lines.append(f"1,000 executables: {rss['execs']} execs round-robin under rmmhunt run: "
                     f"peak RSS {rss['peak_rss_kib'] / 1024:.1f} MiB (now {rss['rss_kib'] / 1024:.1f}: "
                     f"anon {rss['rss_anon_kib'] / 1024:.1f}, file {rss['rss_file_kib'] / 1024:.1f}),"
                     f" {rss['cpu_s_per_1k'] * 1000:.0f} ms CPU per 1k execs, "
                     f"{rss['execs_per_s']:.0f} execs/s, lost {rss['lost']}")
    lines.append("")
    bench_rule = r.get("latency_native", {}).get("rule") == "atera-bench"
    lines.append("Exec -> Alert on stdout (median; fresh monitor per sample"
                 + ("; the Atera query limited to the fixture's path)" if bench_rule else ")"))
    for key, label in (("latency_native", "native ELF, vendor in .note.package"),
                       ("latency_wine", "Wine, PE VERSIONINFO, warm wineserver")):
        lat = r.get(key)
        if not lat:
            continue
        if lat["median_s"] is None:
            lines.append(f"  {label:<40} not measured: {'; '.join(sorted(set(lat['errors'])))}")
        else:
            ms = ", ".join(f"{x * 1000:.1f}" for x in lat["samples_s"])
            lines.append(f"  {label:<40} {lat['median_s'] * 1000:7.1f} ms  (samples: {ms})"
                         + (f"; {len(lat['errors'])} spoiled: {lat['errors'][0]}"
                            if lat["errors"] else ""))
            if lat.get("from_matched_exec_median_s") is not None:
                lines.append(f"  {'  of which after the matched exec':<40} "
                             f"{lat['from_matched_exec_median_s'] * 1000:7.1f} ms  "
                             "(alert read - its FirstSeen)")
    su = r.get("startup")
    if su:
        lines.append("")
        lines.append(f"Start-up to ready: {su['idle_s']:.2f} s idle ({su['idle_snapshot']} processes), "
                     f"{su['busy_s']:.2f} s with {su['extra_processes']} more "
                     f"({su['busy_snapshot']} processes)")
    ins = r.get("inspect")
    if ins:
        lines.append("")
        lines.append(f"inspect: {ins['files']} Wine PE files, {ins['bytes'] / MIB:.0f} MiB; files/s "
                     "(x exiftool)")
        lines.append(f"  {'':<8}{'rmmhunt --no-hash':>24}{'rmmhunt (hashes)':>24}{'exiftool':>12}")
        for k in ("cold", "warm"):
            if f"{k}_s" not in ins["exiftool"]:
                continue
            cell = lambda n: (f"{ins[n][f'{k}_files_per_s']:.0f} "
                              f"({ins[n][f'{k}_speedup']:.1f}x)")
            lines.append(f"  {k:<8}{cell('rmmhunt --no-hash'):>24}{cell('rmmhunt'):>24}"
                         f"{ins['exiftool'][f'{k}_files_per_s']:>12.0f}")
    sig = r.get("signatures")
    if sig:
        lines.append("")
        lines.append(f"Authenticode: {sig['files']} signed fixtures, warm; files/s: rmmhunt inspect "
                     f"{sig['rmmhunt']['files_per_s']:.0f}, osslsigncode verify "
                     f"{sig['osslsigncode']['files_per_s']:.0f} ({sig['speedup']:.1f}x)")
    sc = r.get("syscalls")
    if sc:
        lines.append("")
        lines.append(f"Syscalls: {sc['calls']} one-byte write()s to /dev/null, median of "
                     f"{sc['rounds']} alternating rounds")
        lines.append(f"  {'mode':<26}{'ns/write':>10}{'x none':>9}{'x --no-network':>16}")
        for mode, s in sc["summary"].items():
            label = {"rmmhunt": "rmmhunt run (network on)",
                     "rmmhunt-nonet": "rmmhunt run --no-network",
                     "rmmhunt-wine": "rmmhunt run, wineserver up"}.get(mode, mode)
            lines.append(f"  {label:<26}{s['ns_per_call']:>10.0f}{s['x_none']:>9.3f}"
                         f"{s['x_rmmhunt-nonet']:>16.3f}")
    net = r.get("net")
    if net:
        ns = net["summary"]
        lines.append("")
        lines.append(f"Connect storm: {net['connections']} loopback TCP connections over "
                     f"{net['workers']} workers, each sending an HTTP request's first bytes; "
                     f"median of {net['rounds']} alternating rounds; cost: monitor user+sys CPU + "
                     "BPF time per connection")
        lines.append(f"  {'mode':<22}{'conn/s':>8}{'x none':>8}{'CPU us':>8}{'BPF us':>8}"
                     f"{'cost us':>9}{'x ' + net['peer']:>14}{'peak RSS':>10}{'lost':>6}{'unseen':>8}")
        for mode, s in ns.items():
            head = conn_row_head(mode, s)
            if mode == "none":
                lines.append(head)
                continue
            lines.append(
                head + f"{fmt(s.get('cpu_us_per_conn'), '.1f'):>8}{fmt(s.get('bpf_us_per_conn'), '.1f'):>8}"
                f"{fmt(s.get('cost_us_per_conn'), '.1f'):>9}"
                f"{fmt(s.get('cost_x_peer'), '.2f'):>14}"
                f"{s['peak_rss_kib'] / 1024:>6.1f} MiB{s['lost']:>6}{s['missing']:>8}")
        ev = ns.get("rmmhunt-events")
        if ev:
            lines.append(f"  rmmhunt: first bytes by {ev['first_bytes']}; RemoteUrl from them on "
                         f"{ev['with_url']} of the storms' connections")
    nq = r.get("net_qemu")
    if nq and "summary" in nq:
        lines.append("")
        lines.append(f"Connect storm, {nq['label']} ({nq['kernel']}, -smp 2): {nq['connections']}"
                     f" loopback connections over {nq['workers']} workers, median of "
                     f"{nq['rounds']} alternating rounds; emulation slows everything, both "
                     f"monitors alike: compare ratios only; cost: CPU + BPF time per connection;"
                     f" x tcpconnect: median of the rounds' ratios ({nq['seconds']:.0f} s)")
        lines.append(f"  {'mode':<22}{'conn/s':>8}{'x none':>8}{'CPU us':>8}{'BPF us':>8}"
                     f"{'cost us':>9}{'x tcpconnect':>14}{'lost':>6}{'seen/expected':>16}")
        for mode, s in nq["summary"].items():
            head = conn_row_head(mode, s)
            if mode == "none":
                lines.append(head)
                continue
            lines.append(
                head + f"{s['cpu_us_per_conn']:>8.0f}"
                f"{s['bpf_us_per_conn']:>8.0f}{s['cost_us_per_conn']:>9.0f}"
                f"{fmt(s.get('cost_x_tcpconnect'), '.2f', '1.00'):>14}{s['lost']:>6}"
                f"{str(s['seen']) + '/' + str(s['expected']):>16}")
        ev = nq["summary"]["rmmhunt-events"]
        lines.append(f"  rmmhunt: x tcpconnect by round "
                     f"{', '.join(f'{x:.2f}' for x in ev['cost_x_tcpconnect_rounds'])}; "
                     f"cheapest rounds {ev['best_x_tcpconnect']:.2f}x; CPU alone "
                     f"{ev['cpu_x_tcpconnect']:.2f}x; first bytes by {ev['first_bytes']}, RemoteUrl "
                     f"from them on {ev['with_url']} connections")
    lines.append("")
    lines.append("Targets")
    for status, text in r["verdicts"]:
        lines.append(f"  {status:<5} {text}")
    for e in r["errors"]:
        lines.append(f"  ERROR {e}")
    lines.append(f"({r['seconds']:.0f} s)")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rmmhunt", default="build/rmmhunt")
    ap.add_argument("--bin-dir", default="build/bench",
                    help="where storm, AteraAgent and AteraAgent.exe were built")
    ap.add_argument("--out", default="build/bench.json")
    ap.add_argument("--static-rmmhunt", default="build/static/rmmhunt",
                    help="the static build, which the QEMU guest runs (bench_net_qemu)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: run as root (it loads BPF programs and drops the page cache)")
    # execsnoop attaches to syscall tracepoints, which libbpf finds in tracefs
    if not os.path.isdir("/sys/kernel/tracing/events") and \
            not os.path.isdir("/sys/kernel/debug/tracing/events"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], check=False)
    results = Bench(args).run()
    results["verdicts"] = verdicts(results)
    text = report(results)
    print(text)
    results["table"] = text
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {args.out}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
