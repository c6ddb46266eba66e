# SPDX-License-Identifier: MIT
"""The kernel side of DeviceNetworkEvents, through the Status counters: the
network programs load, --net-exclude drops exactly the connections to its
ranges in the kernel, --no-network turns them off, a bad range is refused;
and which process a datagram is charged to. Real sockets on loopback only, in
127.77.0.0/16, which nothing else here uses, or in network namespaces of the
tests' own."""
import errno
import json
import os
import socket
import subprocess
import sys

from monitor import RMMHUNT, Monitor
from netenv import HERE, Dnsmasq, Netns, tcp_query

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
    assert set(stop["NetworkLostBy"]) == {"RingBufferFull", "NoMapEntry", "NoMemory",
                                          "PerfBuffer"}
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


def test_dns_answer_over_tcp_names_the_connection():
    """A local DNS server's answer over TCP names the address it gave, as a UDP one does:
    a connection there that carries no name of its own gets it as RemoteUrl. The answer
    is read as received (its payload in the skb's page fragments), not as sent."""
    server, target = "127.77.53.53", "127.77.53.9"
    with Dnsmasq({"tcp-dns.atera.com": [target]}, addr=server), Monitor("--emit", "events") as m:
        assert m.status("ready")[0]["NetworkTcpDns"] == "receive", m.stderr
        tcp_query(server, "tcp-dns.atera.com")
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
    stop = m.status("stopping")[0]
    assert stop["RemoteUrlFrom"]["Dns"] >= 1
    assert stop["NetworkTcpDns"] == "receive"
    assert stop["NetworkLostBy"]["PerfBuffer"] == 0


def test_no_network_loads_no_network_program():
    with Monitor("--no-network") as m:
        assert m.status("ready")[0]["NetworkCapture"] == "off: --no-network"
        assert m.status("ready")[0]["NetworkFirstBytes"] == "off: network capture is off"
        assert m.status("ready")[0]["NetworkTcpDns"] == "off: network capture is off"
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


# --- who sent a datagram --------------------------------------------------------

VETH_NET = "10.78.0."  # inside namespaces of our own: nothing else sees it


class VethPair:
    """Two network namespaces of our own joined by a veth pair: A's end is VETH_NET.1,
    B's VETH_NET.2. In A, a neighbour still unresolved retries its ARP question every
    minute, so it stays INCOMPLETE (its datagrams queued) for the whole test."""

    def __enter__(self):
        self.a, self.b = Netns("10.77.1.1/32"), Netns("10.77.2.1/32")
        self.a.__enter__()
        try:
            self.b.__enter__()
        except BaseException:
            self.a.__exit__()
            raise
        try:
            self.dev = "rmmveth"
            for cmd in (["-n", self.a.name, "link", "add", self.dev, "type", "veth", "peer",
                         "name", self.dev, "netns", self.b.name],
                        ["-n", self.a.name, "addr", "add", VETH_NET + "1/24", "dev", self.dev],
                        ["-n", self.b.name, "addr", "add", VETH_NET + "2/24", "dev", self.dev],
                        ["-n", self.a.name, "link", "set", self.dev, "up"],
                        ["-n", self.b.name, "link", "set", self.dev, "up"]):
                subprocess.run(["ip", *cmd], check=True)
            subprocess.run([*self.a.wrap(), "sysctl", "-q", "-w",
                            f"net.ipv4.neigh.{self.dev}.retrans_time_ms=60000"], check=True)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        self.b.__exit__()
        self.a.__exit__()

    def neigh_state(self, addr):
        out = subprocess.run(["ip", "-n", self.a.name, "-j", "neigh", "show", addr, "dev",
                              self.dev], capture_output=True, text=True, check=True).stdout
        return [s for n in json.loads(out or "[]") for s in n.get("state", [])]

    def neigh_permanent(self, addr, mac):
        """`ip neigh replace` in A: the entry resolved, its queued datagrams sent by ip."""
        subprocess.run(["ip", "-n", self.a.name, "neigh", "replace", addr, "lladdr", mac, "dev",
                        self.dev, "nud", "permanent"], check=True)


# Run in A: one datagram to ADDR:PORT from a socket at fd FD (high: the owner's file
# table is searched beyond its first slots), then "sent", then holds the socket open
# until its stdin closes.
SENDER = """
import fcntl, os, socket, sys
addr, port, fd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
high = socket.socket(fileno=fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, fd))
s.close()
high.sendto(b"who", (addr, port))
print("sent", os.getpid(), high.fileno(), flush=True)
sys.stdin.read()
"""


class Sender:
    def __init__(self, netns, addr, port, fd=3):
        self.proc = subprocess.Popen([*netns.wrap(), sys.executable, "-c", SENDER, addr,
                                      str(port), str(fd)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        # sendto has returned: its datagram is sent or queued
        line = self.proc.stdout.readline().split()
        assert line[:2] == ["sent", str(self.proc.pid)], line  # ip netns exec exec'd it
        assert int(line[2]) >= fd, line

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=20) == 0


def udp_requests(m, addr, port):
    return [r for r in m.records if r.get("RecordType") == "DeviceNetworkEvents"
            and r["ActionType"] == "ConnectionRequest" and r["RemoteIP"] == addr
            and r["RemotePort"] == port]


def test_datagram_queued_for_arp_never_names_who_resolved_it():
    """A datagram held for ARP leaves when another process (ip neigh replace) completes
    the neighbour entry, from that process's context: the record names the sender or
    no process, never ip. A datagram to a resolved neighbour names its sender."""
    python = os.path.basename(os.path.realpath(sys.executable))
    queued, resolved, port = VETH_NET + "99", VETH_NET + "98", 4099
    with VethPair() as net, Monitor("--emit", "events") as m:
        assert m.status("ready")[0]["NetworkCapture"] == "on", m.stderr
        netns = net.a.inode
        # the control: its neighbour resolved first, its datagram sent by its sender
        net.neigh_permanent(resolved, "02:00:00:00:00:98")
        control = Sender(net.a, resolved, port, fd=300)
        control.close()
        # nothing holds .99: its ARP question goes unanswered, the datagram waits
        sender = Sender(net.a, queued, port)
        assert net.neigh_state(queued) == ["INCOMPLETE"]
        net.neigh_permanent(queued, "02:00:00:00:00:99")
        assert net.neigh_state(queued) == ["PERMANENT"]
        sender.close()
    stop = m.status("stopping")[0]
    assert m.returncode == 0, m.stderr
    assert stop["NetworkLost"] == 0

    recs = udp_requests(m, resolved, port)
    assert len(recs) == 1, recs
    assert recs[0]["InitiatingProcessId"] == control.proc.pid, recs
    assert recs[0]["InitiatingProcessFileName"] == python, recs
    assert recs[0]["NetNamespace"] == netns, recs

    recs = udp_requests(m, queued, port)
    assert len(recs) == 1, recs
    rec = recs[0]
    assert rec["LocalIP"] == VETH_NET + "1" and rec["NetNamespace"] == netns, rec
    who = (rec.get("InitiatingProcessFileName"), rec.get("InitiatingProcessId"))
    assert who in ((python, sender.proc.pid), (None, None)), (who, sender.proc.pid, rec)


# --- DNS over TCP from a server in another namespace ------------------------------

# Run in a namespace: a DNS server on ADDR:53 over TCP only, answering each name of
# the JSON object NAMES with one A record per address (TTL 600), "ready" once it
# listens, until its stdin closes. Length and message go in one send.
TCP_DNS_SERVER = r"""
import json, select, socket, struct, sys
addr, names = sys.argv[1], json.loads(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, 53))
srv.listen(8)
print("ready", flush=True)
while select.select([srv, sys.stdin], [], [])[0] != [sys.stdin]:
    c = srv.accept()[0]
    with c:
        n = struct.unpack("!H", c.recv(2, socket.MSG_WAITALL))[0]
        q = c.recv(n, socket.MSG_WAITALL)
        end = q.index(0, 12) + 5
        labels, off = [], 12
        while q[off]:
            labels.append(q[off + 1:off + 1 + q[off]].decode())
            off += 1 + q[off]
        addrs = names.get(".".join(labels), [])
        msg = q[:2] + struct.pack("!HHHHH", 0x8180, 1, len(addrs), 0, 0) + q[12:end]
        for a in addrs:
            msg += struct.pack("!HHHIH", 0xC00C, 1, 1, 600, 4) + socket.inet_aton(a)
        c.sendall(struct.pack("!H", len(msg)) + msg)
"""

# Run in a namespace: listens on LISTEN (any port); asks SERVER for each name of the
# JSON list QUERIES over TCP, then connects to the listener and sends bytes with no
# host name in them; prints "done PID PORT" and holds the listener until stdin closes.
TCP_DNS_ASKER = r"""
import json, os, socket, sys, threading
from netenv import tcp_query
server, queries, listen = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
srv = socket.socket()
srv.bind((listen, 0))
srv.listen(16)
def serve():
    while True:
        try:
            c = srv.accept()[0]
        except OSError:
            return
        c.close()
threading.Thread(target=serve, daemon=True).start()
for name in queries:
    tcp_query(server, name)
for addr in sys.argv[4:]:
    with socket.create_connection((addr, srv.getsockname()[1]), timeout=10) as c:
        c.sendall(b"PING\n")
print("done", os.getpid(), srv.getsockname()[1], flush=True)
sys.stdin.read()
"""


class TcpDnsServer:
    def __init__(self, netns, addr, names):
        self.proc = subprocess.Popen([*netns.wrap(), sys.executable, "-c", TCP_DNS_SERVER,
                                      addr, json.dumps(names)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline() == "ready\n"

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=20) == 0


class TcpDnsAsker:
    """In @netns: the answers to @queries from @server, then a connection to each of
    @connect_to, at a port it listens on at @listen (held until close)."""

    def __init__(self, netns, server, queries, listen, connect_to):
        # netenv's tcp_query, imported from beside this file
        env = {**os.environ, "PYTHONPATH": str(HERE)}
        self.proc = subprocess.Popen([*netns.wrap(), sys.executable, "-c", TCP_DNS_ASKER,
                                      server, json.dumps(queries), listen, *connect_to],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env)
        line = self.proc.stdout.readline().split()
        assert line[:2] == ["done", str(self.proc.pid)], line  # ip netns exec exec'd it
        self.port = int(line[2])

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=20) == 0


def connect_from(netns, addr, port):
    """A connection from @netns to addr:port, with bytes naming no host: the pid."""
    p = subprocess.run([*netns.wrap(), sys.executable, "-c",
                        "import os, socket, sys\n"
                        "with socket.create_connection((sys.argv[1], int(sys.argv[2])), 10) as c:\n"
                        "    c.sendall(b'PING')\n"
                        "print(os.getpid())", addr, str(port)],
                       capture_output=True, text=True, check=True, timeout=30)
    return int(p.stdout)


def connects(m, addr, pid):
    return [r for r in m.records if r.get("RecordType") == "DeviceNetworkEvents"
            and r["ActionType"] == "ConnectionSuccess" and r["RemoteIP"] == addr
            and r["InitiatingProcessId"] == pid]


def test_dns_answer_over_tcp_from_another_namespace_is_filed_under_the_askers():
    """A server in another namespace answers over TCP through a veth pair: the answer
    is read as the asker's namespace receives it, so the asker's connection to the
    address is named, and the same address from the server's namespace is not."""
    name, server, target = "veth-dns.atera.com", VETH_NET + "2", VETH_NET + "1"
    with VethPair() as net, Monitor("--emit", "events") as m:
        assert m.status("ready")[0]["NetworkTcpDns"] == "receive", m.stderr
        ns_a, ns_b = net.a.inode, net.b.inode
        dns = TcpDnsServer(net.b, server, {name: [target]})
        try:
            asker = TcpDnsAsker(net.a, server, [name], target, [target])
            try:
                other = connect_from(net.b, target, asker.port)
            finally:
                asker.close()
        finally:
            dns.close()
    stop = m.status("stopping")[0]
    assert m.returncode == 0, m.stderr
    assert stop["NetworkLost"] == 0, stop

    (rec,) = connects(m, target, asker.proc.pid)
    assert rec["RemoteUrl"] == name, rec
    assert rec["NetNamespace"] == ns_a, rec
    (rec,) = connects(m, target, other)
    assert rec.get("RemoteUrl") is None, rec
    assert rec["NetNamespace"] == ns_b, rec


def test_long_dns_answer_over_tcp_is_read_whole_or_reported_cut():
    """An answer longer than a ring record's data (NET_DATA_MAX, 512 bytes) is read
    whole up to NET_DNS_TCP_MAX (4096): its last address is named. One longer than
    that is read up to the cut and reported cut: its first addresses are named, and
    one past the cut is not."""
    server = VETH_NET + "2"
    long_addrs = [f"10.79.0.{i}" for i in range(1, 61)]  # 12 + 24 + 60 * 16: 996 bytes
    huge_addrs = [f"10.79.{1 + i // 250}.{1 + i % 250}" for i in range(300)]  # 4836 bytes
    names = {"long-dns.atera.com": long_addrs, "huge-dns.atera.com": huge_addrs}
    connect_to = [long_addrs[-1], huge_addrs[0], huge_addrs[-1]]
    with VethPair() as net, Monitor("--emit", "events") as m:
        assert m.status("ready")[0]["NetworkTcpDns"] == "receive", m.stderr
        for addr in connect_to:
            subprocess.run(["ip", "-n", net.a.name, "addr", "add", addr + "/32", "dev", "lo"],
                           check=True)
        before, ns_a = m.status("ready")[0], net.a.inode
        dns = TcpDnsServer(net.b, server, names)
        try:
            asker = TcpDnsAsker(net.a, server, list(names), "0.0.0.0", connect_to)
            asker.close()
        finally:
            dns.close()
    stop = m.status("stopping")[0]
    assert m.returncode == 0, m.stderr
    assert stop["NetworkLost"] == 0, stop
    # the huge answer, at least (other answers on this host may be cut too)
    assert stop["DnsAnswersCut"] > before["DnsAnswersCut"], stop
    assert stop["NetworkDataCut"] > before["NetworkDataCut"], stop

    urls = {}
    for addr in connect_to:
        (rec,) = connects(m, addr, asker.proc.pid)
        assert rec["NetNamespace"] == ns_a, rec
        urls[addr] = rec.get("RemoteUrl")
    assert urls == {long_addrs[-1]: "long-dns.atera.com", huge_addrs[0]: "huge-dns.atera.com",
                    huge_addrs[-1]: None}, urls
