# SPDX-License-Identifier: MIT
"""What Wine's server does for a program is that program's: a connect or listen
the server makes while it acts on a request is named after the process that
wrote the request. Without Wine: fake_wineserver.c does what the server does
(a daemon forked from the exec'd process, requests read from a pipe the client
writes, a reply written back), and its client is Python under a name of Wine's.
The Windows program's own case is in test_monitor_wine.py."""
import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from monitor import Monitor
from netenv import HERE


# The client: forwards each line of stdin to the server as a request, prints each reply.
CLIENT = """
import os, subprocess, sys
req_r, req_w = os.pipe()
rep_r, rep_w = os.pipe()
subprocess.run([sys.argv[1], str(req_r), str(rep_w)], pass_fds=(req_r, rep_w), check=True)
os.close(req_r)
os.close(rep_w)
replies = os.fdopen(rep_r)
print(replies.readline().strip(), flush=True)
for line in sys.stdin:
    os.write(req_w, line.strip().encode())
    if line.startswith("Q"):
        break
    print(replies.readline().strip(), flush=True)
"""


@pytest.fixture(scope="module")
def exes(tmp_path_factory):
    """The server, and Python under a name of Wine's (as a Windows program's loader has)."""
    d = tmp_path_factory.mktemp("wine-requests")
    server, client = d / "wineserver-fake", d / "wine-py"
    subprocess.run(["gcc", "-O2", "-Wall", "-o", str(server), str(HERE / "fake_wineserver.c")],
                   check=True, timeout=120)
    shutil.copy(os.path.realpath(sys.executable), client)
    return server, client


class FakeWine:
    """The client, which starts the server (its exec'd process forks the daemon and exits)."""

    def __init__(self, exes):
        server, client = exes
        self.client = subprocess.Popen([str(client), "-c", CLIENT, str(server)],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.server_pid = int(self.client.stdout.readline())

    def ask(self, *req):
        self.client.stdin.write(" ".join(map(str, req)) + "\n")
        self.client.stdin.flush()
        return self.client.stdout.readline().split()

    def quit(self):
        if self.client.poll() is None:
            self.client.stdin.write("Q\n")
            self.client.stdin.close()
        self.client.wait(timeout=10)


def closed_port():
    """A port on 127.0.0.1 where nothing listens (bound, never listened)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


def stats(m, wine_requests, after=0):
    """The stats records from the @after'th record on that say @wine_requests."""
    return m.wait_for(lambda recs: [r for r in recs[after:] if r.get("RecordType") == "Status"
                                    and r["State"] == "stats"
                                    and r["NetworkWineRequests"] == wine_requests])


def bpftool(*args):
    return json.loads(subprocess.run(["bpftool", "-j", *args], capture_output=True, text=True,
                                     check=True).stdout)


def wine_servers(m):
    """The servers in monitor @m's map of Wine's processes (one that just stopped may
    still have a map of that name)."""
    held = set()
    for fd in os.listdir(f"/proc/{m.proc.pid}/fdinfo"):
        try:
            with open(f"/proc/{m.proc.pid}/fdinfo/{fd}") as f:
                held |= {int(line.split()[1]) for line in f if line.startswith("map_id:")}
        except OSError:
            continue
    (map_id,) = [x["id"] for x in bpftool("map", "show")
                 if x.get("name") == "wine_procs" and x["id"] in held]
    entries = [e["formatted"] for e in bpftool("map", "dump", "id", str(map_id))]
    return {e["key"] for e in entries if e["value"]["role"] == 1}


def network(m, action, **match):
    def pred(recs):
        return [r for r in recs if r.get("RecordType") == "DeviceNetworkEvents"
                and r["ActionType"] == action and all(r[k] == v for k, v in match.items())]
    return m.wait_for(pred)


def serve_and_check(m, wine):
    """H marks the pipe (a pipe's first request), then requests the server acts on
    for the client, then a connect the server makes on its own after replying."""
    holder, port = closed_port()
    own_holder, own_port = closed_port()
    try:
        assert wine.ask("H") == ["H"]
        assert wine.ask("C", port) == ["C", str(errno.ECONNREFUSED)]
        listened = int(wine.ask("L")[1])
        assert listened
        assert wine.ask("S", own_port) == ["S"]
        failed = network(m, "ConnectionFailed", RemotePort=port)
        listen = network(m, "ListeningConnectionCreated", LocalPort=listened)
        own = network(m, "ConnectionFailed", RemotePort=own_port)
    finally:
        wine.quit()
        holder.close()
        own_holder.close()
    for rec in failed + listen:
        assert rec["InitiatingProcessId"] == wine.client.pid, rec
        assert rec["InitiatingProcessFileName"] == "wine-py", rec
    assert len(failed) == 1 and len(listen) == 1
    # after its reply the server acts for no one
    assert len(own) == 1
    assert own[0]["InitiatingProcessId"] == wine.server_pid
    assert own[0]["InitiatingProcessFileName"] == "wineserver-fake"
    return own[0]


def test_server_started_under_the_monitor__acts_for_its_client(exes):
    """(Another Wine server may run meanwhile, a Wine test's: the hook is attached
    exactly while one is in the map.)"""
    with Monitor("--emit", "events", "--stats-interval", "1") as m:
        wine = FakeWine(exes)
        # followed from its exec and the daemon's fork (the exec'd process is gone)
        assert wine.server_pid in wine_servers(m)
        assert stats(m, "attached"), m.status("stats")
        own = serve_and_check(m, wine)
        # the daemon never exec'd: named by the file of the program it runs, and no
        # more (it may have changed its command line since)
        assert own["InitiatingProcessCommandLine"] is None
        # gone from the map at its exit; detached if it was the last
        deadline = time.monotonic() + 10
        while wine.server_pid in wine_servers(m) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = wine_servers(m)
        assert wine.server_pid not in left
        with m._lock:
            seen = len(m.records)
        assert stats(m, "attached" if left else "idle", after=seen)
    stop = m.status("stopping")[0]
    assert m.returncode == 0, m.stderr
    assert stop["WineServerRequests"] == 2
    assert stop["NetworkLost"] == 0


def test_server_running_before_the_monitor__found_at_start(exes):
    wine = FakeWine(exes)
    try:
        with Monitor("--emit", "events", "--stats-interval", "1") as m:
            # found by the snapshot at start
            assert m.status("ready")[0]["NetworkWineRequests"] == "attached", m.stderr
            assert wine.server_pid in wine_servers(m)
            own = serve_and_check(m, wine)
            # the daemon as /proc showed it at start
            assert own["InitiatingProcessCommandLine"].startswith(str(exes[0]))
    finally:
        wine.client.kill()
        try:
            os.kill(wine.server_pid, 9)
        except ProcessLookupError:
            pass
    assert m.returncode == 0, m.stderr
    assert m.status("stopping")[0]["WineServerRequests"] == 2
