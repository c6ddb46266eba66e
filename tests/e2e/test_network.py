# SPDX-License-Identifier: MIT
"""Issue 14 end to end: DeviceNetworkEvents from real sockets, loopback and
namespaces only.

One monitor watches a scene played once per module (`scene`): a DNS server of
our own (dnsmasq) answers test names with loopback addresses, and a native
program whose package note names Atera Networks (netclient.c) resolves them
through it, from a mount namespace whose /etc/resolv.conf names it, then
connects and sends: an HTTP request with a Host, a TLS ClientHello with an SNI
to an address it resolved under another name, a protocol with no host name in
it (the DNS answer alone names it, through a CNAME), a connect to a refused
port, IPv6 and a v4-mapped address, UDP datagrams, a listen and an inbound
accept, and the same from a container: a network namespace with its own DNS
server and answers, in a cgroup shaped as a Kubernetes pod's. A control
program from another vendor connects too. Each test then reads the records of
our processes only (by pid and port): the machine is shared.
"""
import hashlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

import netenv
from elfpkg import ATERA, ATERA_NOTE
from monitor import Monitor
from netenv import (Dnsmasq, Listeners, Netns, NetnsListeners, Run, client_hello,
                    host_netns_inode, http_request, in_private_resolver, pod_cgroup,
                    remove_cgroup, resolv_conf, sni_of, unmapped)
from test_capture import cgroup2_mount

REPO = Path(__file__).resolve().parent.parent.parent
RULE = REPO / "rules" / "rmm" / "atera-network.yaml"
RULE_ID = re.search(r"^id: (\S+)$", RULE.read_text(), re.M).group(1)
OTHER = "SomeOtherVendor Inc."
OTHER_NOTE = json.dumps({"type": "deb", "name": "othertool", "version": "2.0",
                         "vendor": OTHER})
TLS_SNI = "pubsub.atera.com"

# The host's DNS answers: every name its own loopback address, so one name's
# answer never renames another's connection.
HOST_DNS = {
    "agent-api.atera.com": ["127.0.77.1"],
    "cdn.example.org": ["127.0.77.2"],  # the TLS client's decoy: its SNI must win
    "edge-7.cdn-example.net": ["127.0.77.3"],  # agent-heartbeat.atera.com's CNAME target
    "offline.atera.com": ["127.0.77.4"],
    "mapped.atera.com": ["127.0.77.5"],
    "telemetry.atera.com": ["127.0.77.6"],
    "v6.atera.com": ["::1"],
}
HOST_CNAMES = {"agent-heartbeat.atera.com": "edge-7.cdn-example.net"}
# The container's: the same name to another address, and one name the host never
# hears, for an address the host connects to by IP
CTR_DNS = {"agent-api.atera.com": ["10.77.0.1"], "ctr-only.atera.com": ["127.0.77.9"]}
LISTENER_ADDR, INBOUND_FROM = "127.0.77.7", "127.0.77.8"

# The columns of a DeviceNetworkEvents record (issue 14)
COLUMNS = {
    "RecordType", "Timestamp", "DeviceId", "DeviceName", "ReportId", "ActionType", "RemoteIP",
    "RemotePort", "RemoteUrl", "LocalIP", "LocalPort", "Protocol", "LocalIPType",
    "RemoteIPType", "InitiatingProcessId", "InitiatingProcessFileName",
    "InitiatingProcessFolderPath", "InitiatingProcessCommandLine",
    "InitiatingProcessCreationTime", "InitiatingProcessAccountName", "InitiatingProcessSHA1",
    "InitiatingProcessSHA256", "InitiatingProcessVersionInfoCompanyName",
    "InitiatingProcessVersionInfoProductName", "InitiatingProcessVersionInfoProductVersion",
    "InitiatingProcessVersionInfoFileVersion", "InitiatingProcessVersionInfoInternalFileName",
    "InitiatingProcessVersionInfoOriginalFileName",
    "InitiatingProcessVersionInfoFileDescription", "InitiatingProcessParentId",
    "InitiatingProcessParentFileName", "ContainerId", "PodUid", "NetNamespace",
}
# the exec record's column each InitiatingProcess… column must equal
FROM_EXEC = {
    "InitiatingProcessFileName": "FileName",
    "InitiatingProcessFolderPath": "FolderPath",
    "InitiatingProcessCommandLine": "ProcessCommandLine",
    "InitiatingProcessCreationTime": "ProcessCreationTime",
    "InitiatingProcessAccountName": "AccountName",
    "InitiatingProcessSHA1": "SHA1",
    "InitiatingProcessSHA256": "SHA256",
    **{f"InitiatingProcessVersionInfo{f}": f"ProcessVersionInfo{f}" for f in (
        "CompanyName", "ProductName", "ProductVersion", "FileVersion", "InternalFileName",
        "OriginalFileName", "FileDescription")},
    "InitiatingProcessParentId": "InitiatingProcessId",
    "InitiatingProcessParentFileName": "InitiatingProcessFileName",
    "ContainerId": "ContainerId",
    "PodUid": "PodUid",
    "DeviceId": "DeviceId",
    "DeviceName": "DeviceName",
}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def network(records, **match):
    return [r for r in records if r.get("RecordType") == "DeviceNetworkEvents"
            and all(r.get(k) == v for k, v in match.items())]


def when(ts):
    assert RFC3339.match(ts), ts
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def sha(path, algo):
    return hashlib.new(algo, Path(path).read_bytes()).hexdigest()


# --- the fixtures on their own (no monitor) ----------------------------------

@pytest.fixture(scope="module")
def workdir():
    """World-readable, out of pytest's tmp tree: the namespaces' programs run from it."""
    d = Path(tempfile.mkdtemp(prefix="rmm-e2e-net-", dir="/tmp"))
    d.chmod(0o755)
    (d / "http.txt").write_bytes(http_request("agent-api.atera.com"))
    (d / "hello.bin").write_bytes(client_hello(TLS_SNI))
    (d / "ping.txt").write_bytes(b"PING\n")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def clients(workdir):
    return {"atera": netenv.build_client(workdir / "AteraNetAgent", ATERA_NOTE),
            "other": netenv.build_client(workdir / "OtherNetAgent", OTHER_NOTE)}


@pytest.fixture(scope="module")
def host_dns():
    with Dnsmasq(HOST_DNS, HOST_CNAMES) as d:
        yield d


def test_fixture__dnsmasq_answers_names_cname_chains_and_aaaa(host_dns):
    assert host_dns.ask("agent-api.atera.com") == [
        ("A", "agent-api.atera.com", "127.0.77.1", netenv.DNS_TTL)]
    assert host_dns.ask("agent-heartbeat.atera.com") == [
        ("CNAME", "agent-heartbeat.atera.com", "edge-7.cdn-example.net", netenv.DNS_TTL),
        ("A", "edge-7.cdn-example.net", "127.0.77.3", netenv.DNS_TTL)]
    assert host_dns.ask("v6.atera.com", "AAAA") == [
        ("AAAA", "v6.atera.com", "::1", netenv.DNS_TTL)]
    with pytest.raises(AssertionError, match="rcode"):
        host_dns.ask("www.example.com")  # no upstream: nothing else is answered


def test_fixture__private_resolv_conf_asks_our_server(host_dns, clients, workdir):
    before = Path("/etc/resolv.conf").read_bytes()
    argv = [clients["atera"], "resolve", "agent-heartbeat.atera.com", "4",
            "resolve", "v6.atera.com", "6"]
    run = Run(argv, in_private_resolver(argv, resolv_conf(workdir)))
    assert run.steps("resolved") == [["127.0.77.3", "0"], ["::1", "0"]]
    assert Path("/etc/resolv.conf").read_bytes() == before  # the host's is untouched


def test_fixture__container_namespace_has_its_own_dns_and_pod_cgroup(clients, workdir):
    top, leaf, cid, pod = pod_cgroup(cgroup2_mount())
    try:
        with Netns() as ns, Dnsmasq(CTR_DNS, netns=ns):
            script = ["/bin/sh", "-c", 'cat /proc/self/cgroup; stat -L -c %i /proc/self/ns/net; '
                      'exec "$@"', "sh", clients["atera"], "resolve", "agent-api.atera.com", "4"]
            run = Run(script, in_private_resolver(script, resolv_conf(workdir), ns, leaf))
            assert ns.inode != host_netns_inode()
            assert [str(ns.inode)] in run.lines
            assert [f"0::/{leaf.relative_to(cgroup2_mount())}"] in run.lines
            assert run.steps("resolved") == [["10.77.0.1", "0"]]
    finally:
        remove_cgroup(top)


def test_fixture__client_hello_carries_the_sni_in_its_first_512_bytes(workdir):
    hello = (workdir / "hello.bin").read_bytes()
    assert hello[:3] == b"\x16\x03\x01" and hello[5] == 1  # a handshake record, ClientHello
    assert sni_of(hello) == [TLS_SNI]  # OpenSSL reads the name from it
    # the kernel sends the first 512 bytes: the name is among them, the record may not be
    assert hello.index(TLS_SNI.encode()) + len(TLS_SNI) <= 512


def test_quick_process_in_a_private_mount_namespace_keeps_its_identity(clients, workdir):
    """Every client here runs in a mount namespace of its own, as a container's
    processes do, and exits at once: a connection names it by the identity its
    exec record got, which must not depend on the process (and so its mount
    namespace) still being there when the file is read."""
    with Monitor("--emit", "events", "--rules", str(rules_dir(workdir))) as m:
        runs = [Run([clients["atera"]], in_private_resolver([clients["atera"]],
                                                            resolv_conf(workdir)))
                for _ in range(10)]
        m.stop()
    for run in runs:
        ev = exec_record(m, run.pid, clients["atera"])
        assert ev["IdentityError"] is None
        assert (ev["ProcessVersionInfoCompanyName"], ev["SHA1"]) == (
            ATERA, sha(clients["atera"], "sha1")), ev


# --- the scene, under one monitor ----------------------------------------------

class Scene:
    """What was run: each case's Run, the ports and addresses, and the records."""


@pytest.fixture(scope="module")
def scene(host_dns, clients, workdir):
    s = Scene()
    s.atera, s.other = clients["atera"], clients["other"]
    resolv = resolv_conf(workdir)
    ping, http = workdir / "ping.txt", workdir / "http.txt"
    ls = Listeners()
    s.port = {"http": ls.tcp("127.0.77.1"), "tls": ls.tcp("127.0.77.2"),
              "dnsonly": ls.tcp("127.0.77.3"), "closed": ls.closed("127.0.77.4"),
              "mapped": ls.tcp("127.0.77.5"), "udp": ls.udp("127.0.77.6"),
              "udpc": ls.udp("127.0.77.6"),
              "v6": ls.tcp("::1"), "byip": ls.tcp("127.0.77.9")}
    top, leaf, s.container_id, s.pod_uid = pod_cgroup(cgroup2_mount())
    s.host_netns = host_netns_inode()
    s.runs = {}

    def run(case, exe, *steps, netns=None, cgroup=None):
        argv = [exe, *steps]
        s.runs[case] = Run(argv, in_private_resolver(argv, resolv, netns, cgroup))
        return s.runs[case]

    try:
        with Netns() as ns, Dnsmasq(CTR_DNS, netns=ns), \
                Monitor("--emit", "events", "--rules", str(rules_dir(workdir)),
                        "--summary-interval", "1s") as m:
            s.ctr_netns = ns.inode
            run("http", s.atera, "resolve", "agent-api.atera.com", "4",
                "connect", "-", s.port["http"], "send", http)
            run("control", s.other, "resolve", "agent-api.atera.com", "4",
                "connect", "-", s.port["http"], "send", http)
            run("tls", s.atera, "resolve", "cdn.example.org", "4",
                "connect", "127.0.77.2", s.port["tls"], "send", workdir / "hello.bin")
            run("dnsonly", s.atera, "resolve", "agent-heartbeat.atera.com", "4",
                "connect", "-", s.port["dnsonly"], "send", ping)
            run("closed", s.atera, "resolve", "offline.atera.com", "4",
                "connect", "-", s.port["closed"])
            run("v6", s.atera, "resolve", "v6.atera.com", "6", "connect", "-", s.port["v6"],
                "send", ping, "resolve", "mapped.atera.com", "4",
                "connect", "::ffff:127.0.77.5", s.port["mapped"], "send", ping)
            run("udp", s.atera, "resolve", "telemetry.atera.com", "4",
                "udpc", "-", s.port["udpc"], "3", "udp", "-", s.port["udp"], "3")
            s.inbound = listen_and_connect(s.atera)
            ctr = NetnsListeners(ns, "10.77.0.1", "127.0.77.9")
            s.port["ctr-http"], s.port["ctr-only"] = ctr.ports["10.77.0.1"], ctr.ports[
                "127.0.77.9"]
            run("container", s.atera, "resolve", "agent-api.atera.com", "4",
                "connect", "-", s.port["ctr-http"], "send", http,
                "resolve", "ctr-only.atera.com", "4", "connect", "-", s.port["ctr-only"],
                "send", ping, netns=ns, cgroup=leaf)
            ctr.close()
            # the host never heard a name for 127.0.77.9: the container's is not its
            run("byip", s.atera, "connect", "127.0.77.9", s.port["byip"], "send", ping)

            pids = {r.pid for r in s.runs.values()} | {s.inbound.pid}
            # the last run's record in, stop: the drain brings any other still on its way
            m.wait_for(lambda recs: network(recs, InitiatingProcessId=s.runs["byip"].pid,
                                            ActionType="ConnectionSuccess"), timeout=30)
            m.stop()
            s.records = list(m.records)
            s.stderr = m.stderr
    finally:
        ls.close()  # got is whole after it
        remove_cgroup(top)
    s.mine = [r for r in network(s.records) if r["InitiatingProcessId"] in pids]
    s.received = ls.got
    return s


def rules_dir(workdir):
    d = workdir / "rules"
    d.mkdir(exist_ok=True)
    shutil.copy(RULE, d / RULE.name)
    return d


def listen_and_connect(exe):
    """@exe listens on LISTENER_ADDR; we connect to it from INBOUND_FROM and send."""
    p = subprocess.Popen([str(exe), "listen", LISTENER_ADDR], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().split() == ["pid", str(p.pid)]
    tag, addr, port = p.stdout.readline().split()
    assert (tag, addr) == ("listening", LISTENER_ADDR)
    with socket.socket() as c:
        c.bind((INBOUND_FROM, 0))
        c.connect((LISTENER_ADDR, int(port)))
        c.sendall(b"PING\n")
        src = c.getsockname()[1]
    rest = p.stdout.read().split()
    assert p.wait(timeout=30) == 0 and rest == ["accepted", INBOUND_FROM, str(src)], rest

    class Inbound:
        pass
    ib = Inbound()
    ib.pid, ib.port, ib.src, ib.argv = p.pid, int(port), src, [str(exe), "listen",
                                                               LISTENER_ADDR]
    return ib


def exec_record(s, pid, exe):
    evs = [e for e in s.records if e.get("RecordType") == "DeviceProcessEvents"
           and e["ProcessId"] == pid and e["FolderPath"] == os.path.realpath(exe)]
    assert len(evs) == 1, evs
    return evs[0]


def one(s, case, action, remote_port, **match):
    recs = network(s.mine, InitiatingProcessId=s.runs[case].pid, ActionType=action,
                   RemotePort=remote_port, **match)
    assert len(recs) == 1, (case, action, network(s.mine, InitiatingProcessId=s.runs[case].pid))
    return recs[0]


def connected(run, i=0):
    """The local (address, port) of the run's @i-th connection, as it printed them."""
    addr, port = run.steps("connected")[i]
    return unmapped(addr), int(port)


def assert_process_columns(s, rec, run, netns, exe):
    """Every column that names the process, against the facts and its exec record."""
    assert COLUMNS <= set(rec), COLUMNS - set(rec)
    ev = exec_record(s, run.pid, exe)
    for col, exec_col in FROM_EXEC.items():
        assert rec[col] == ev[exec_col], (col, rec[col], ev[exec_col])
    assert rec["InitiatingProcessId"] == run.pid
    assert rec["InitiatingProcessFileName"] == Path(exe).name
    assert rec["InitiatingProcessFolderPath"] == os.path.realpath(exe)
    assert rec["InitiatingProcessCommandLine"] == run.command_line
    assert rec["InitiatingProcessAccountName"] == pwd.getpwuid(os.geteuid()).pw_name
    assert rec["InitiatingProcessSHA1"] == sha(exe, "sha1")
    assert rec["InitiatingProcessSHA256"] == sha(exe, "sha256")
    assert rec["InitiatingProcessParentId"] == os.getpid()
    assert rec["InitiatingProcessParentFileName"] == Path(os.path.realpath(sys.executable)).name
    assert rec["NetNamespace"] == netns
    assert isinstance(rec["ReportId"], int)
    if rec["ActionType"] != "ConnectionFailed":
        assert "ConnectionError" not in rec  # left out, not null, when there is none
    created = when(rec["InitiatingProcessCreationTime"])
    assert created <= when(ev["Timestamp"]) <= when(rec["Timestamp"])


def assert_connection(rec, local, remote, protocol="Tcp", iptype="Loopback"):
    assert (rec["LocalIP"], rec["LocalPort"]) == local
    assert (rec["RemoteIP"], rec["RemotePort"]) == remote
    assert rec["Protocol"] == protocol
    assert rec["LocalIPType"] == rec["RemoteIPType"] == iptype


# --- the records ------------------------------------------------------------------

def test_http_host__every_column(scene):
    run = scene.runs["http"]
    rec = one(scene, "http", "ConnectionSuccess", scene.port["http"])
    assert_process_columns(scene, rec, run, scene.host_netns, scene.atera)
    assert rec["InitiatingProcessVersionInfoCompanyName"] == ATERA
    assert rec["ContainerId"] in ("", None) and rec["PodUid"] is None
    assert_connection(rec, connected(run), ("127.0.77.1", scene.port["http"]))
    assert rec["RemoteUrl"] == "agent-api.atera.com"
    assert scene.received[scene.port["http"]][0] == http_request("agent-api.atera.com")


def test_report_ids_are_unique(scene):
    ids = [r["ReportId"] for r in scene.records if "ReportId" in r and r.get("RecordType") in (
        "DeviceNetworkEvents", "DeviceProcessEvents")]
    assert len(ids) == len(set(ids))


def test_tls_sni_names_the_connection_over_the_dns_name_of_its_address(scene):
    run = scene.runs["tls"]
    assert run.steps("resolved") == [["127.0.77.2", "0"]]  # cdn.example.org, the decoy
    rec = one(scene, "tls", "ConnectionSuccess", scene.port["tls"])
    assert_process_columns(scene, rec, run, scene.host_netns, scene.atera)
    assert_connection(rec, connected(run), ("127.0.77.2", scene.port["tls"]))
    assert rec["RemoteUrl"] == TLS_SNI


def test_dns_answer_alone_names_a_connection__the_name_asked_not_the_cname(scene):
    run = scene.runs["dnsonly"]
    rec = one(scene, "dnsonly", "ConnectionSuccess", scene.port["dnsonly"])
    assert_process_columns(scene, rec, run, scene.host_netns, scene.atera)
    assert_connection(rec, connected(run), ("127.0.77.3", scene.port["dnsonly"]))
    assert rec["RemoteUrl"] == "agent-heartbeat.atera.com"


def test_closed_port__connection_failed(scene):
    run = scene.runs["closed"]
    assert run.steps("failed") == [["111"]]  # ECONNREFUSED
    rec = one(scene, "closed", "ConnectionFailed", scene.port["closed"])
    assert_process_columns(scene, rec, run, scene.host_netns, scene.atera)
    assert (rec["RemoteIP"], rec["Protocol"]) == ("127.0.77.4", "Tcp")
    assert rec["RemoteIPType"] == "Loopback"
    assert rec["RemoteUrl"] == "offline.atera.com"
    assert "REFUSED" in rec["ConnectionError"].upper()  # ECONNREFUSED, by name or text
    assert not network(scene.mine, InitiatingProcessId=run.pid, ActionType="ConnectionSuccess")


def test_ipv6_and_v4_mapped(scene):
    run = scene.runs["v6"]
    v6 = one(scene, "v6", "ConnectionSuccess", scene.port["v6"])
    assert_process_columns(scene, v6, run, scene.host_netns, scene.atera)
    assert_connection(v6, connected(run, 0), ("::1", scene.port["v6"]))
    assert v6["RemoteUrl"] == "v6.atera.com"
    # an AF_INET6 socket to ::ffff:127.0.77.5 is an IPv4 connection for Defender
    mapped = one(scene, "v6", "ConnectionSuccess", scene.port["mapped"])
    assert_connection(mapped, connected(run, 1), ("127.0.77.5", scene.port["mapped"]))
    assert mapped["RemoteUrl"] == "mapped.atera.com"


def test_udp__one_connection_request_per_destination(scene):
    run = scene.runs["udp"]
    # connected (connect, send): its source address is the socket's
    assert len(scene.received[scene.port["udpc"]]) == 3
    rec = one(scene, "udp", "ConnectionRequest", scene.port["udpc"])
    assert_process_columns(scene, rec, run, scene.host_netns, scene.atera)
    (addr, port), = run.steps("udpc")
    assert_connection(rec, (addr, int(port)), ("127.0.77.6", scene.port["udpc"]), "Udp")
    assert rec["RemoteUrl"] == "telemetry.atera.com"
    # unconnected (sendto): a local port, and an address chosen per datagram
    assert len(scene.received[scene.port["udp"]]) == 3
    rec = one(scene, "udp", "ConnectionRequest", scene.port["udp"])
    assert_process_columns(scene, rec, run, scene.host_netns, scene.atera)
    (addr, port), = run.steps("udp")
    assert rec["LocalPort"] == int(port)
    assert (rec["RemoteIP"], rec["Protocol"], rec["RemoteIPType"]) == ("127.0.77.6", "Udp",
                                                                      "Loopback")
    assert rec["RemoteUrl"] == "telemetry.atera.com"


def test_the_resolvers_question_is_a_udp_request_to_port_53(scene):
    for case in ("http", "tls", "dnsonly", "closed", "v6", "udp", "control"):
        run = scene.runs[case]
        recs = network(scene.mine, InitiatingProcessId=run.pid, ActionType="ConnectionRequest",
                       RemoteIP=netenv.DNS_ADDR, RemotePort=53)
        assert recs, case
        for r in recs:
            assert r["Protocol"] == "Udp" and r["RemoteIPType"] == "Loopback"
            assert r["RemoteUrl"] is None  # no DNS answer named the server's address


def test_listen_and_inbound_accept(scene):
    ib = scene.inbound
    recs = network(scene.mine, InitiatingProcessId=ib.pid)
    listen = [r for r in recs if r["ActionType"] == "ListeningConnectionCreated"]
    inbound = [r for r in recs if r["ActionType"] == "InboundConnectionAccepted"]
    assert len(listen) == 1 and len(inbound) == 1, recs
    for rec in listen + inbound:
        assert COLUMNS <= set(rec)
        assert (rec["LocalIP"], rec["LocalPort"]) == (LISTENER_ADDR, ib.port)
        assert rec["Protocol"] == "Tcp" and rec["LocalIPType"] == "Loopback"
        assert rec["InitiatingProcessCommandLine"] == " ".join(ib.argv)
        assert rec["InitiatingProcessVersionInfoCompanyName"] == ATERA
        assert rec["NetNamespace"] == scene.host_netns
        assert rec["RemoteUrl"] is None
    (rec,) = inbound
    assert (rec["RemoteIP"], rec["RemotePort"]) == (INBOUND_FROM, ib.src)
    assert rec["RemoteIPType"] == "Loopback"


def test_container_namespace__its_own_dns_answers_and_its_ids(scene):
    run = scene.runs["container"]
    assert run.steps("resolved") == [["10.77.0.1", "0"], ["127.0.77.9", "0"]]
    api = one(scene, "container", "ConnectionSuccess", scene.port["ctr-http"])
    assert_process_columns(scene, api, run, scene.ctr_netns, scene.atera)
    assert api["ContainerId"] == scene.container_id and api["PodUid"] == scene.pod_uid
    # the container's answer for the same name as the host's: another address
    assert_connection(api, connected(run, 0), ("10.77.0.1", scene.port["ctr-http"]),
                      iptype="Private")
    assert api["RemoteUrl"] == "agent-api.atera.com"
    only = one(scene, "container", "ConnectionSuccess", scene.port["ctr-only"])
    assert only["NetNamespace"] == scene.ctr_netns
    assert_connection(only, connected(run, 1), ("127.0.77.9", scene.port["ctr-only"]))
    assert only["RemoteUrl"] == "ctr-only.atera.com"


def test_names_are_per_network_namespace__an_unnamed_address_has_no_url(scene):
    """The host connects by IP to the address only the container's DNS named."""
    run = scene.runs["byip"]
    rec = one(scene, "byip", "ConnectionSuccess", scene.port["byip"])
    assert_process_columns(scene, rec, run, scene.host_netns, scene.atera)
    assert_connection(rec, connected(run), ("127.0.77.9", scene.port["byip"]))
    assert rec["RemoteUrl"] is None


def test_control_program_is_recorded_as_itself(scene):
    run = scene.runs["control"]
    rec = one(scene, "control", "ConnectionSuccess", scene.port["http"])
    assert_process_columns(scene, rec, run, scene.host_netns, scene.other)
    assert rec["InitiatingProcessVersionInfoCompanyName"] == OTHER
    assert rec["RemoteUrl"] == "agent-api.atera.com"


# --- the alerts and the counters -------------------------------------------------------

# RemoteUrl -> the (case, remote port) of the Atera records it must report
ALERTED = {
    "agent-api.atera.com": [("http", "http"), ("container", "ctr-http")],
    TLS_SNI: [("tls", "tls")],
    "agent-heartbeat.atera.com": [("dnsonly", "dnsonly")],
    "offline.atera.com": [("closed", "closed")],
    "v6.atera.com": [("v6", "v6")],
    "mapped.atera.com": [("v6", "mapped")],
    "telemetry.atera.com": [("udp", "udpc"), ("udp", "udp")],
    "ctr-only.atera.com": [("container", "ctr-only")],
}


def test_atera_alert_per_remote_url_reports_exactly_its_records(scene):
    alerts = [a for a in scene.records if a.get("RecordType") == "Alert"
              and a["RuleId"] == RULE_ID]
    for url, cases in ALERTED.items():
        mine = {r["ReportId"] for case, port in cases
                for r in network(scene.mine, InitiatingProcessId=scene.runs[case].pid,
                                 RemotePort=scene.port[port])}
        assert len(mine) == len(cases), url
        group = [a for a in alerts if a.get("RemoteUrl") == url]
        assert group, (url, alerts)
        last = group[-1]  # the one at shutdown: the group's whole count
        assert last["Table"] == "DeviceNetworkEvents"
        assert {"DeviceId", "DeviceName", "InitiatingProcessAccountUpn", "RemoteUrl",
                "FirstSeen", "LastSeen", "Report", "Count"} <= set(last), last
        # every Atera record of that name the monitor printed, ours and any other's
        every = [r for r in network(scene.records, RemoteUrl=url)
                 if "Atera Networks" in (r["InitiatingProcessVersionInfoCompanyName"] or "")]
        assert mine <= set(last["Report"])
        assert set(last["Report"]) == {r["ReportId"] for r in every}
        assert last["Count"] == len(last["Report"]) == len(every)
        assert last["FirstSeen"] == min((r["Timestamp"] for r in every), key=when)
        assert last["LastSeen"] == max((r["Timestamp"] for r in every), key=when)
        assert (last["DeviceId"], last["DeviceName"]) == (every[0]["DeviceId"],
                                                          every[0]["DeviceName"])


def test_matched_rules_name_the_rule_on_exactly_the_alerted_records(scene):
    alerted = {(scene.runs[case].pid, scene.port[port]) for cases in ALERTED.values()
               for case, port in cases}
    for rec in scene.mine:
        if (rec["InitiatingProcessId"], rec["RemotePort"]) in alerted:
            assert rec.get("MatchedRules") == [RULE_ID], rec
        else:
            assert "MatchedRules" not in rec, rec


def test_no_alert_reports_the_control_program_or_an_unnamed_connection(scene):
    reported = {i for a in scene.records if a.get("RecordType") == "Alert"
                for i in a["Report"]}
    for case in ("control", "byip"):
        ids = {r["ReportId"] for r in network(scene.mine, InitiatingProcessId=scene.runs[
            case].pid)}
        assert ids and not ids & reported, case
    ib = {r["ReportId"] for r in network(scene.mine, InitiatingProcessId=scene.inbound.pid)}
    assert ib and not ib & reported


def test_nothing_lost(scene):
    (stop,) = [r for r in scene.records if r.get("RecordType") == "Status"
               and r["State"] == "stopping"]
    assert (stop["EventsLost"], stop["NetworkLost"]) == (0, 0), stop
    assert set(stop["EventsLostBy"].values()) == {0}, stop
    assert set(stop["NetworkLostBy"].values()) == {0}, stop
    assert stop["NetworkBadRecords"] == 0, stop
    # every record the kernel sent reached the pipeline, ours among those it made
    assert stop["NetworkEventsSeen"] == stop["NetworkEvents"], stop
    assert stop["NetworkRecords"] >= len(scene.mine), stop
