import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))
# scripts/seed_rule.py: the seed rule the tests write their rules and Alerts from
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))

BINFMT = Path("/proc/sys/fs/binfmt_misc")


@pytest.fixture
def binfmt_wine():
    """Registers Wine for MZ files with binfmt_misc (so ./X.exe runs), and removes it after."""
    if os.geteuid() != 0:
        pytest.skip("registering a binfmt_misc entry needs root")
    mounted = False
    if not (BINFMT / "register").exists():
        if subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(BINFMT)],
                          capture_output=True).returncode:
            pytest.skip("binfmt_misc cannot be mounted here")
        mounted = True
    # our own name: never touches an entry someone else registered
    name = f"rmmtest-wine-{os.getpid()}"
    (BINFMT / "register").write_text(f":{name}:M::MZ::/usr/bin/wine:")
    try:
        yield
    finally:
        (BINFMT / name).write_text("-1")
        if mounted:
            subprocess.run(["umount", str(BINFMT)])


HANGFS = os.path.join(os.path.dirname(__file__), "hangfs.py")


class HungMount:
    """A FUSE view of a directory that hangs the requests of one process (under a prefix)."""

    def __init__(self, tmp_path, src, pid, prefix="/"):
        self.path = tmp_path / f"hung-{pid}"
        self.path.mkdir()
        self._release = tmp_path / f"hung-{pid}.release"
        self._log = tmp_path / f"hung-{pid}.log"
        with open(self._log, "wb") as log:
            self._fs = subprocess.Popen(["/usr/bin/python3", HANGFS, str(src), str(self.path),
                                         str(pid), str(self._release), prefix],
                                        stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not os.path.ismount(self.path):
            assert self._fs.poll() is None and time.monotonic() < deadline, "hangfs: no mount"
            time.sleep(0.05)

    def release(self):
        """The file system answers again, held requests included."""
        self._release.touch()

    def remove(self):
        self.release()
        subprocess.run(["umount", "-l", str(self.path)], check=False)
        try:
            self._fs.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._fs.kill()  # aborts the connection: whatever waits gets an error
        # an operation that raised (fusepy logs it and answers EINVAL) is a bug of the stand-in
        log = self._log.read_text(errors="replace")
        assert "Traceback" not in log and "Uncaught exception" not in log, log


@pytest.fixture
def hung_mount(tmp_path):
    """hung_mount(src, pid, prefix="/") -> HungMount of src that hangs for process
    pid, on the paths under prefix."""
    mounts = []

    def mount(src, pid, prefix="/"):
        mounts.append(HungMount(tmp_path, src, pid, prefix))
        return mounts[-1]

    yield mount
    for m in mounts:
        m.remove()
