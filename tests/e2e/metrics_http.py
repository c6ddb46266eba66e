"""Finds the port a monitor serves /metrics on (--metrics-listen ...:0) and reads it."""
import os
import re
import time
import urllib.error
import urllib.request


def listening_port(pid, timeout=10):
    """The TCP port process @pid listens on, from its socket fds and /proc/net/tcp{,6}."""
    deadline = time.monotonic() + timeout
    while True:
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                m = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                continue
            if m:
                inodes.add(m.group(1))
        for table in (f"/proc/{pid}/net/tcp", f"/proc/{pid}/net/tcp6"):
            for line in open(table).readlines()[1:]:
                f = line.split()
                if f[3] == "0A" and f[9] in inodes:  # 0A: LISTEN
                    return int(f[1].rsplit(":", 1)[1], 16)
        if time.monotonic() > deadline:
            raise AssertionError(f"process {pid} listens on no TCP port")
        time.sleep(0.1)


def get(port, path):
    """(status, body) of GET http://127.0.0.1:@port@path."""
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def sample(text, name):
    """The value of the unlabelled series @name in a Prometheus text exposition."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics:\n{text}")
