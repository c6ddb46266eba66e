import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))

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
