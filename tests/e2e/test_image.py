# SPDX-License-Identifier: MIT
"""The container image: `make image` builds localhost/rmmhunt:latest FROM
scratch out of the static binary, it runs under podman, and a process in a
real podman container is recognised by user/identity/container.c.

Needs podman and runc (scripts/deps/test-deploy.txt). Podman runs with runc
and the cgroupfs manager (crun rejects v1/v2 hybrid hosts), and with no
default ulimits (applying them needs CAP_SYS_RESOURCE, which a CI session
may lack), set through a private CONTAINERS_CONF, not /etc.
"""
import json
import os
import subprocess
import tarfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VERSION = open(os.path.join(ROOT, "VERSION")).read().strip()
IMAGE = "localhost/rmmhunt:latest"
PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text("[containers]\ndefault_ulimits = []\n")
    return dict(os.environ, CONTAINERS_CONF=str(conf))


def run(cmd, env, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, **kw)


@pytest.fixture(scope="module")
def image(env):
    r = run(["make", "--no-print-directory", "image", "CONTAINER=podman"], env, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    return IMAGE


def test_image__runs_the_static_binary(image, env):
    r = run(PODMAN + ["run", "--rm", image, "--version"], env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"rmmhunt {VERSION}\n"
    (info,) = json.loads(run(["podman", "image", "inspect", image], env).stdout)
    assert info["Config"]["Entrypoint"] == ["/rmmhunt"]
    assert info["Config"]["Cmd"] == ["run"]


def test_image__holds_only_the_binary_and_rules(image, env, tmp_path):
    cid = run(PODMAN + ["create", image], env).stdout.strip()
    try:
        tar = tmp_path / "fs.tar"
        r = run(["podman", "export", "-o", str(tar), cid], env)
        assert r.returncode == 0, r.stderr
    finally:
        run(["podman", "rm", cid], env)
    with tarfile.open(tar) as t:
        files = {m.name.lstrip("./") for m in t.getmembers() if m.isfile()}
        exe = t.extractfile("rmmhunt").read()
    rules = {os.path.join("etc/rmmhunt/rules", os.path.relpath(os.path.join(d, f), os.path.join(ROOT, "rules")))
             for d, _, fs in os.walk(os.path.join(ROOT, "rules")) for f in fs}
    assert files == {"rmmhunt"} | rules
    assert exe == open(os.path.join(ROOT, "build", "static", "rmmhunt"), "rb").read()


def test_container_identity__real_podman_container(image, env, tmp_path):
    """container.c on the cgroup of a process podman really started."""
    probe = tmp_path / "cgroup_probe"
    r = run(["gcc", "-static", "-O2", "-std=gnu11", "-D_GNU_SOURCE", "-Iuser",
             "tests/e2e/cgroup_probe.c", "user/identity/container.c", "user/base/file.c",
             "-o", str(probe)],
            env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    cidfile = tmp_path / "cid"
    r = run(PODMAN + ["run", "--rm", "--cidfile", str(cidfile), "-v", f"{probe}:/probe:ro",
                      "--entrypoint", "/probe", image], env)
    assert r.returncode == 0, r.stderr
    cid = cidfile.read_text().strip()
    assert len(cid) == 64
    container_id, runtime, pod_uid, path = r.stdout.split()
    assert container_id == cid
    assert runtime == "podman"
    assert pod_uid == "-"
    assert path.endswith(f"libpod-{cid}") or path.endswith(f"libpod-{cid}.scope")


# --- the monitor in its image, as the DaemonSet runs it -------------------------
#
# The capabilities of deploy/kubernetes/daemonset.yaml and nothing more: no
# SYS_ADMIN, not --privileged. seccomp=unconfined as there too: podman's
# default profile lets bpf(2) through only with SYS_ADMIN, and the monitor
# then fails its first BPF probe.
MONITOR_CAPS = ["--cap-drop", "ALL", "--cap-add", "BPF,PERFMON,SYS_PTRACE,DAC_READ_SEARCH",
                "--security-opt", "seccomp=unconfined"]


@pytest.fixture(scope="module")
def image_id(image, env):
    """The image by id: the tag is shared with anyone else building it here."""
    r = run(["podman", "image", "inspect", "--format", "{{.Id}}", image], env)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_monitor_in_its_image_sees_host_and_container_execs(image_id, env, tmp_path):
    from elfpkg import build_elf, is_atera, last_alert_count, matched
    from monitor import Monitor
    from test_ops import kept_caps, status_fields

    atera = build_elf(tmp_path / "atera-host")
    statedir = tmp_path / "state"
    statedir.mkdir()
    name = f"rmmhunt-e2e-{os.getpid()}"
    m = Monitor(env=env, ready_timeout=120)
    m.args = PODMAN + ["run", "--rm", "--name", name, "--pid=host", *MONITOR_CAPS,
                       "-v", "/sys/kernel/btf:/sys/kernel/btf:ro",
                       "-v", "/etc/machine-id:/etc/machine-id:ro",
                       "-v", f"{statedir}:/var/lib/rmmhunt",
                       "-e", "NODE_NAME=testnode",
                       image_id, "run", "--emit", "events", "--stats-interval", "0"]
    other = f"rmmhunt-e2e-other-{os.getpid()}"
    try:
        with m:
            subprocess.run([atera], check=True)
            r = run(PODMAN + ["run", "--name", other, image_id, "--version"], env)
            assert r.returncode == 0, r.stderr
            cid = run(["podman", "inspect", "--format", "{{.Id}}", other], env).stdout.strip()
            found = m.wait_for(lambda _: m.events(FolderPath=atera) and
                               m.events(ContainerId=cid, FileName="rmmhunt"), timeout=30)
            pid = run(["podman", "inspect", "--format", "{{.State.Pid}}", name], env).stdout
            caps = status_fields(f"/proc/{pid.strip()}/status")
    finally:
        run(["podman", "rm", "-f", other], env)
    assert found, f"container {cid}: " + json.dumps(
        [{k: e[k] for k in ("FolderPath", "ContainerId", "CgroupPath")}
         for e in m.events() if e["ContainerId"]][-4:])
    assert m.returncode == 0, m.stderr
    # BPF and PERFMON were needed only to load: dropped once attached
    assert int(caps["CapEff"], 16) == kept_caps() and caps["NoNewPrivs"] == "1"
    machine_id = open("/etc/machine-id").read().strip()
    (host,) = m.events(FolderPath=atera)
    assert is_atera(host) and host["MatchedRules"]
    assert host["ContainerId"] == "" and host["ContainerRuntime"] is None
    (inner,) = m.events(ContainerId=cid, FileName="rmmhunt")
    assert len(cid) == 64
    assert inner["ContainerRuntime"] == "podman"
    assert inner["ProcessCommandLine"] == "/rmmhunt --version"
    assert inner["FolderPath"] == "/rmmhunt"  # the path inside the container
    for ev in (host, inner):
        assert ev["DeviceName"] == "testnode" and ev["DeviceId"] == machine_id
        assert ev["AccountUid"] == 0
    # the image has no /etc/passwd: names come from each process's own root, the
    # host's for a host process; the FROM-scratch container has none: the number
    import pwd
    assert host["AccountName"] == pwd.getpwuid(0).pw_name
    assert inner["AccountName"] == "0"
    assert {a["DeviceName"] for a in m.alerts()} == {"testnode"}
    assert last_alert_count(m.records) == len(matched(m.records))
    # the state went where the DaemonSet mounts its volume
    assert (statedir / "state.json").exists()


def test_monitor_under_the_default_seccomp_profile_says_why_it_cannot_start(image_id, env):
    caps = [c for c in MONITOR_CAPS if c not in ("--security-opt", "seccomp=unconfined")]
    r = run(PODMAN + ["run", "--rm", "--pid=host", *caps,
                      "-v", "/sys/kernel/btf:/sys/kernel/btf:ro", image_id,
                      "run", "--state", "", "--device-id", "x", "--device-name", "x"], env)
    assert r.returncode == 1
    assert "bpf(2) is not permitted" in r.stderr and "seccomp" in r.stderr, r.stderr
    assert r.stdout == ""
