# SPDX-License-Identifier: MIT
"""The kernel side of DeviceNetworkEvents, through the Status counters: the
network programs load, --net-exclude drops exactly the connections to its
ranges in the kernel, --no-network turns them off, a bad range is refused.
Real sockets on loopback only, in 127.77.0.0/16, which nothing else here uses."""
import errno
import os
import socket
import struct
import subprocess

from monitor import RMMHUNT, Monitor
from netenv import Dnsmasq

EXCLUDED = "127.77.0.0/16"


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def closed_port(host):
    """A port on @host where nothing listens (bound, never listened, so no one takes it)."""
    s = socket.socket(family(host))
    s.bind((host, 0))
    return s, s.getsockname()[1]


def refused_connects(host, n):
    holder, port = closed_port(host)
    for _ in range(n):
        c = socket.socket(family(host))
        assert c.connect_ex((host, port)) == errno.ECONNREFUSED
        c.close()
    holder.close()


def accepted_connects(host, n):
    """n connects that succeed, each sending a few bytes (first bytes to capture)."""
    srv = socket.socket()
    srv.bind((host, 0))
    srv.listen(n)
    for _ in range(n):
        c = socket.create_connection(srv.getsockname(), timeout=5)
        c.sendall(b"GET / HTTP/1.1\r\nHost: agent-api.atera.com\r\n\r\n")
        a, _ = srv.accept()
        a.close()
        c.close()
    srv.close()


def udp_sends(host, ports, repeat):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for port in ports:
        for _ in range(repeat):
            u.sendto(b"ping", (host, port))
    u.close()


def test_net_exclude_drops_exactly_the_connections_to_its_range():
    with Monitor("--net-exclude", EXCLUDED, "--net-exclude", "fd77::/16") as m:
        ready = m.status("ready")[0]
        assert ready["NetworkCapture"] == "on", m.stderr
        assert ready["NetworkExcluded"] == 0
        # refused: counted at the connect, never again at the failure
        refused_connects("127.77.0.1", 5)
        # accepted: the connect is dropped; the accept's peer is 127.0.0.1, not excluded
        accepted_connects("127.77.0.2", 3)
        # UDP: once per (socket, destination), however many datagrams
        udp_sends("127.77.0.3", [9, 10, 11, 12], repeat=3)
        # outside the range: sent, not counted
        refused_connects("127.0.0.1", 2)
        udp_sends("127.0.0.1", [9], repeat=2)
    stop = m.status("stopping")[0]
    assert m.returncode == 0, m.stderr
    assert stop["NetworkExcluded"] == 5 + 3 + 4
    assert stop["NetworkLost"] == 0
    assert set(stop["NetworkLostBy"]) == {"RingBufferFull", "NoMapEntry", "NoMemory"}
    assert sum(stop["NetworkLostBy"].values()) == stop["NetworkLost"]
    # the 3 accepts and the connects outside the range at least (others run on this host too)
    assert stop["NetworkEvents"] >= 3 + 2 + 1
    # the programs stay attached until after the drain: the kernel may count a few more
    assert 0 < stop["NetworkEventsSeen"] <= stop["NetworkEvents"]


def test_network_events_reach_the_pipeline():
    with Monitor() as m:
        before = m.status("ready")[0]["NetworkEvents"]
        accepted_connects("127.0.0.1", 4)  # each: success, accept, first bytes
        refused_connects("::1", 2)
        udp_sends("127.0.0.1", [9, 10], repeat=2)
    stop = m.status("stopping")[0]
    assert m.returncode == 0, m.stderr
    assert stop["NetworkCapture"] == "on"
    # 1 listen + 4 x 3 + 2 failed + 2 UDP destinations, at least
    assert stop["NetworkEvents"] - before >= 1 + 12 + 2 + 2
    assert stop["NetworkEventsSeen"] - before >= 1 + 12 + 2 + 2
    assert stop["NetworkEventsSeen"] <= stop["NetworkEvents"]
    assert stop["NetworkLost"] == 0
    assert stop["DecodeErrors"] == 0


def kernel_has_tcp_sendmsg_locked():
    """The tracepoint has a BTF type (btf_trace_...) where tp_btf can attach to it."""
    with open("/sys/kernel/btf/vmlinux", "rb") as f:
        return b"\0btf_trace_tcp_sendmsg_locked\0" in f.read()


def test_first_bytes_hook_is_reported_and_reads_them():
    with Monitor("--emit", "events") as m:
        ready = m.status("ready")[0]
        accepted_connects("127.0.0.1", 1)
    stop = m.status("stopping")[0]
    assert m.returncode == 0, m.stderr
    hook = ready["NetworkFirstBytes"]
    if kernel_has_tcp_sendmsg_locked():
        assert hook == "tcp_sendmsg_locked", hook
    else:
        assert hook == "fentry" or hook.startswith("off: no tcp_sendmsg_locked tracepoint, "), hook
    assert stop["NetworkFirstBytes"] == hook
    if hook.startswith("off"):
        return
    # the HTTP request's Host header, read from the first bytes by the hook
    assert stop["RemoteUrlFrom"]["HttpHost"] >= 1
    urls = [r for r in m.records if r.get("RecordType") == "DeviceNetworkEvents"
            and r["ActionType"] == "ConnectionSuccess" and r["InitiatingProcessId"] == os.getpid()]
    assert [r["RemoteUrl"] for r in urls] == ["agent-api.atera.com"]


def tcp_dns_query(server, name):
    """One A question over TCP to server:53 (a 2-byte length, then the message)."""
    q = struct.pack("!HHHHHH", 0x7a7a, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack("!HH", 1, 1)
    with socket.create_connection((server, 53), timeout=10) as s:
        s.sendall(struct.pack("!H", len(q)) + q)
        n = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))[0]
        ans = s.recv(n, socket.MSG_WAITALL)
    assert len(ans) == n and ans[:2] == q[:2], ans


def test_dns_answer_over_tcp_names_the_connection():
    """A local DNS server's answer over TCP names the address it gave, as a UDP one does:
    a connection there that carries no name of its own gets it as RemoteUrl."""
    server, target = "127.77.53.53", "127.77.53.9"
    with Dnsmasq({"tcp-dns.atera.com": [target]}, addr=server), Monitor("--emit", "events") as m:
        tcp_dns_query(server, "tcp-dns.atera.com")
        srv = socket.socket()
        srv.bind((target, 0))
        srv.listen(1)
        with socket.create_connection(srv.getsockname(), timeout=5) as c:
            c.sendall(b"PING\n")  # no host name of its own
            srv.accept()[0].close()
        srv.close()
    recs = [r for r in m.records if r.get("RecordType") == "DeviceNetworkEvents"
            and r["ActionType"] == "ConnectionSuccess" and r["RemoteIP"] == target
            and r["InitiatingProcessId"] == os.getpid()]
    assert [r["RemoteUrl"] for r in recs] == ["tcp-dns.atera.com"], recs
    assert m.status("stopping")[0]["RemoteUrlFrom"]["Dns"] >= 1


def test_no_network_loads_no_network_program():
    with Monitor("--no-network") as m:
        assert m.status("ready")[0]["NetworkCapture"] == "off: --no-network"
        assert m.status("ready")[0]["NetworkFirstBytes"] == "off: network capture is off"
        accepted_connects("127.0.0.1", 2)
    stop = m.status("stopping")[0]
    assert m.returncode == 0, m.stderr
    assert stop["NetworkCapture"] == "off: --no-network"
    assert stop["NetworkEvents"] == 0
    assert stop["NetworkEventsSeen"] == 0


def test_bad_net_exclude_is_refused():
    for bad in ("10.0.0.0/33", "example.com", "fd00::/129", "10.0.0.0/"):
        r = subprocess.run([RMMHUNT, "run", "--net-exclude", bad], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 2, (bad, r.stderr)
        assert f"bad --net-exclude '{bad}'" in r.stderr
        assert r.stdout == ""
