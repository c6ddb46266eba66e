"""Runs the real rmmhunt monitor for end-to-end tests and collects its JSON Lines."""
import json
import os
import signal
import subprocess
import threading
import time

RMMHUNT = os.environ.get("RMMHUNT", os.path.join(os.path.dirname(__file__), "../../build/rmmhunt"))


class Monitor:
    """`with Monitor("--emit", "events") as m:` starts rmmhunt and waits for ready."""

    def __init__(self, *args, env=None, ready_timeout=60, state=None, wrap=()):
        # each monitor keeps its own alert state unless a test shares one on purpose
        if state is None:
            import tempfile
            self._statedir = tempfile.TemporaryDirectory(prefix="rmmhunt-state-")
            state = os.path.join(self._statedir.name, "state.json")
        self.state = state
        # wrap: a command line the monitor runs under (unshare ...), "$@"-style
        self.args = [*wrap, RMMHUNT, "run", "--stats-interval", "0", "--state", state, *args]
        self.env = env
        self.ready_timeout = ready_timeout
        self.records = []
        self.stderr = ""
        self.returncode = None
        self._lock = threading.RLock()
        self._ready = threading.Event()

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=self.env)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._read_err, daemon=True)
        self._err_reader.start()
        if not self._ready.wait(self.ready_timeout):
            self.stop()
            raise AssertionError(f"rmmhunt never became ready: {self.stderr}")
        return self

    def __exit__(self, *exc):
        self.stop()

    def _read(self):
        for line in self.proc.stdout:
            rec = json.loads(line)  # every line must be one JSON object
            with self._lock:
                self.records.append(rec)
            if rec.get("RecordType") == "Status" and rec.get("State") == "ready":
                self._ready.set()

    def _read_err(self):
        self.stderr = self.proc.stderr.read().decode(errors="replace")

    def _monitor_pid(self):
        """The rmmhunt process: under a wrap, the descendant that runs RMMHUNT (a
        wrap such as unshare --fork need not pass SIGTERM on)."""
        todo = [self.proc.pid]
        while todo:
            pid = todo.pop()
            try:
                if os.path.realpath(f"/proc/{pid}/exe") == os.path.realpath(RMMHUNT):
                    return pid
                for tid in os.listdir(f"/proc/{pid}/task"):
                    todo += [int(c) for c in open(f"/proc/{pid}/task/{tid}/children").read().split()]
            except OSError:
                continue
        return self.proc.pid

    def stop(self):
        """SIGTERM, then wait for the drain and the final Status."""
        if self.returncode is None:
            try:
                if self.proc.poll() is None:  # a test may have killed it already
                    os.kill(self._monitor_pid(), signal.SIGTERM)
            except ProcessLookupError:
                pass
            self.returncode = self.proc.wait(timeout=60)
            self._reader.join(timeout=30)
            self._err_reader.join(timeout=30)
        return self.returncode

    def events(self, **match):
        with self._lock:
            recs = list(self.records)
        return [r for r in recs if r.get("RecordType") == "DeviceProcessEvents"
                and all(r.get(k) == v for k, v in match.items())]

    def status(self, state):
        return [r for r in self.records if r.get("RecordType") == "Status" and r["State"] == state]

    def alerts(self, **match):
        with self._lock:
            recs = list(self.records)
        return [r for r in recs if r.get("RecordType") == "Alert"
                and all(r.get(k) == v for k, v in match.items())]

    def wait_for(self, pred, timeout=20):
        """Polls the records until pred(records) is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                got = pred(list(self.records))
            if got or time.monotonic() > deadline:
                return got
            time.sleep(0.05)


def raw_string(rec, column):
    """The exact bytes of a string column: RawBase64 when the text was repaired."""
    import base64
    raw = rec.get("RawBase64", {})
    if column in raw:
        return base64.b64decode(raw[column])
    return rec[column].encode()


def split_cmdline(line: bytes):
    """Splits a command line by CommandLineToArgvW's rules (the inverse of rmmhunt's quoting)."""
    args, cur, i, quoted, have = [], bytearray(), 0, False, False
    while i < len(line):
        c = line[i:i + 1]
        if c == b"\\":
            n = 0
            while i < len(line) and line[i:i + 1] == b"\\":
                n += 1
                i += 1
            if i < len(line) and line[i:i + 1] == b'"':
                cur += b"\\" * (n // 2)
                if n % 2:
                    cur += b'"'
                    i += 1
                have = True
            else:
                cur += b"\\" * n
                have = True
            continue
        if c == b'"':
            quoted = not quoted
            have = True
        elif c in (b" ", b"\t") and not quoted:
            if have:
                args.append(bytes(cur))
            cur, have = bytearray(), False
        else:
            cur += c
            have = True
        i += 1
    if have:
        args.append(bytes(cur))
    return args
