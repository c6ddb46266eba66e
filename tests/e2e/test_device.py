# SPDX-License-Identifier: MIT
"""DeviceId and DeviceName in a container that shares the host's pid namespace:
the host's, read through pid 1, never the container's.

The tests build that container here: a new pid namespace whose pid 1 stands
for the host (its root and UTS namespace are this machine's), and inside it
the monitor in mount and UTS namespaces of its own, with /etc/machine-id
hidden and another host name, as a container image has them."""
import os
import subprocess

from monitor import RMMHUNT, Monitor

CONTAINER_HOSTNAME = "rmmhunt-test-container"


def in_container(*setup):
    """A wrap for Monitor: pid 1 of a new pid namespace, then the monitor in mount
    and UTS namespaces of its own after the shell commands @setup."""
    inner = "; ".join([*setup, 'exec "$0" "$@"'])
    return ["unshare", "--pid", "--fork", "--mount-proc", "--", "sh", "-c",
            'unshare --mount --uts -- sh -c "$0" "$@"', inner]


def ready(m):
    (rec,) = m.status("ready")
    return rec


def test_machine_id_from_pid_1s_root_when_the_containers_is_missing():
    host_id = open("/etc/machine-id").read().strip()
    with Monitor(wrap=in_container("mount --bind /dev/null /etc/machine-id")) as m:
        rec = ready(m)
    assert m.returncode == 0, m.stderr
    assert rec["DeviceId"] == host_id
    assert rec["DeviceIdSource"] == "/proc/1/root/etc/machine-id"


def test_device_name_is_the_hosts_not_the_containers():
    with Monitor(wrap=in_container(f"hostname {CONTAINER_HOSTNAME}")) as m:
        rec = ready(m)
    assert m.returncode == 0, m.stderr
    assert rec["DeviceName"] == os.uname().nodename != CONTAINER_HOSTNAME
    assert rec["DeviceNameSource"] == "pid 1's UTS namespace"


def test_node_name_wins(tmp_path):
    env = dict(os.environ, NODE_NAME="node-7.cluster")
    with Monitor(env=env, wrap=in_container(f"hostname {CONTAINER_HOSTNAME}")) as m:
        rec = ready(m)
    assert rec["DeviceName"] == "node-7.cluster" and rec["DeviceNameSource"] == "NODE_NAME"


def test_without_a_machine_id_the_error_says_what_to_do(tmp_path):
    env = dict(os.environ, RMMHUNT_MACHINE_ID_FILE=str(tmp_path / "none"))
    res = subprocess.run([RMMHUNT, "run", "--state", ""], env=env, capture_output=True,
                         text=True, timeout=30)
    assert res.returncode == 1
    assert "machine id" in res.stderr and "--device-id" in res.stderr
