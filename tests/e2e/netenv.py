# SPDX-License-Identifier: MIT
"""Fixtures of the network tests (test_network.py): loopback and namespaces only.

A DNS server (dnsmasq, no upstream) answering test names, programs run with a
private resolv.conf that asks it, listeners on loopback addresses, a network
namespace of its own (a container's, with its own DNS), a cgroup shaped as a
Kubernetes pod's, a TLS ClientHello, and the client program built as a native
ELF with a package note. Run as a script, `query SERVER NAME TYPE` asks a DNS
server (inside a namespace too, under `ip netns exec`).
"""
import json
import os
import random
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
NETCLIENT = HERE.parent / "fixtures" / "net" / "netclient.c"
DNS_ADDR = "127.0.77.53"  # systemd-resolved has 127.0.0.53: ours is apart
DNS_TTL = 600  # longer than any run: every answer is valid when its connection comes

QTYPES = {"A": 1, "AAAA": 28, "CNAME": 5}


# --- DNS ---------------------------------------------------------------------

def _name(msg, off):
    """A (possibly compressed) name at off: (name, offset after it)."""
    labels, end, jumps = [], None, 0
    while True:
        n = msg[off]
        if n >= 0xC0:
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumps += 1
            assert jumps < 32, "compression loop"
            continue
        off += 1
        if n == 0:
            break
        labels.append(msg[off:off + n].decode())
        off += n
    return ".".join(labels), end if end is not None else off


def question(name, qtype="A"):
    """A recursive query for @name, with a random id: (id, message)."""
    qid = random.randrange(65536)
    msg = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    msg += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return qid, msg + struct.pack("!HH", QTYPES[qtype], 1)


def tcp_query(server, name, qtype="A"):
    """One question over TCP to server:53 (a 2-byte length, then the message): the
    answer message, checked to be whole and to carry the question's id."""
    _, q = question(name, qtype)
    with socket.create_connection((server, 53), timeout=10) as s:
        s.sendall(struct.pack("!H", len(q)) + q)
        n = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))[0]
        ans = s.recv(n, socket.MSG_WAITALL)
    assert len(ans) == n and ans[:2] == q[:2], ans
    return ans


def query(server, name, qtype="A", timeout=1.0):
    """One UDP question to server:53: [(type, name, data, ttl)] of the answer section,
    data an address string or a CNAME target. Raises socket.timeout if nobody answers."""
    qid, msg = question(name, qtype)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.connect((server, 53))  # connected: a port nobody listens on refuses at once
        s.send(msg)
        while True:
            ans = s.recv(4096)
            if struct.unpack("!H", ans[:2])[0] == qid:
                break
    _, flags, qd, an, _, _ = struct.unpack("!HHHHHH", ans[:12])
    assert flags & 0x8000 and flags & 0xF == 0, f"{name}: rcode {flags & 0xF}"
    off = 12
    for _ in range(qd):
        off = _name(ans, off)[1] + 4
    out = []
    for _ in range(an):
        rname, off = _name(ans, off)
        rtype, _, ttl, rdlen = struct.unpack("!HHIH", ans[off:off + 10])
        off += 10
        rdata = ans[off:off + rdlen]
        if rtype == 1:
            data = socket.inet_ntop(socket.AF_INET, rdata)
        elif rtype == 28:
            data = socket.inet_ntop(socket.AF_INET6, rdata)
        elif rtype == 5:
            data = _name(ans, off)[0]
        else:
            data = rdata
        name_of = {v: k for k, v in QTYPES.items()}
        out.append((name_of.get(rtype, rtype), rname, data, ttl))
        off += rdlen
    return out


class Dnsmasq:
    """dnsmasq on @addr:53 (in network namespace @netns, a Netns, if given) answering
    only @hosts ({name: [address, ...]}) and @cnames ({alias: target}), TTL DNS_TTL.
    Ready once it answered a question about the first host, asked where it listens."""

    def __init__(self, hosts, cnames=None, netns=None, addr=DNS_ADDR):
        self.hosts, self.cnames, self.netns, self.addr = hosts, cnames or {}, netns, addr
        args = ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                "--no-hosts", "--no-poll", "--pid-file", "--user=root", "--bind-interfaces",
                f"--listen-address={addr}", "--port=53", f"--local-ttl={DNS_TTL}",
                "--log-facility=-", "--log-queries"]
        args += [f"--host-record={n},{','.join(a)}" for n, a in hosts.items()]
        args += [f"--cname={alias},{target}" for alias, target in self.cnames.items()]
        self.args = (netns.wrap() if netns else []) + args

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        first = next(iter(self.hosts))
        qtype = "AAAA" if ":" in self.hosts[first][0] else "A"
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"dnsmasq exited: {self.proc.stderr.read().decode()}")
            try:
                if self.ask(first, qtype):
                    return self
            except (OSError, subprocess.CalledProcessError):
                pass  # not listening yet: the question is refused or goes unanswered
            assert time.monotonic() < deadline, "dnsmasq never answered"
            time.sleep(0.05)  # the next question's pace, not a wait for readiness

    def __exit__(self, *exc):
        self.proc.terminate()
        self.log = self.proc.communicate(timeout=20)[1].decode(errors="replace")

    def ask(self, name, qtype="A"):
        """The answer records to a question, asked from dnsmasq's network namespace."""
        if not self.netns:
            return query(self.addr, name, qtype)
        out = subprocess.run([*self.netns.wrap(), sys.executable, __file__, "query",
                              self.addr, name, qtype], capture_output=True, check=True,
                             timeout=30).stdout
        return [tuple(r) for r in json.loads(out)]


def resolv_conf(directory, server=DNS_ADDR):
    """A resolv.conf naming only @server: a lost answer fails at once, never retried."""
    path = Path(directory) / f"resolv-{server}.conf"
    path.write_text(f"nameserver {server}\noptions attempts:1 timeout:5\n")
    return path


# --- namespaces and cgroups ----------------------------------------------------

class Netns:
    """A network namespace of its own (`ip netns add`): lo up, with @private (an
    address/prefix) on it too, so the namespace has a private address."""

    def __init__(self, private="10.77.0.1/32"):
        self.name = f"rmmtest-{uuid.uuid4().hex[:8]}"
        self.private = private

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        try:
            for cmd in (["link", "set", "lo", "up"],
                        ["addr", "add", self.private, "dev", "lo"]):
                subprocess.run(["ip", "-n", self.name, *cmd], check=True)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.name], check=False)

    @property
    def inode(self):
        """The namespace's inode, as /proc/PID/ns/net of a process in it gives."""
        return os.stat(f"/run/netns/{self.name}").st_ino

    def wrap(self):
        return ["ip", "netns", "exec", self.name]


def host_netns_inode():
    return os.stat("/proc/self/ns/net").st_ino


def pod_cgroup(cgroup2_root):
    """A cgroup shaped as a Kubernetes pod's container (cgroupfs driver), under a
    top directory of our own: (top, leaf, container id, pod uid)."""
    top = Path(cgroup2_root) / f"rmmtest-{uuid.uuid4().hex[:8]}"
    pod = str(uuid.uuid4())
    cid = uuid.uuid4().hex + uuid.uuid4().hex
    leaf = top / "kubepods" / "besteffort" / f"pod{pod}" / cid
    leaf.mkdir(parents=True)
    return top, leaf, cid, pod


def remove_cgroup(top):
    """Removes @top and its subtree, leaves first (their processes have exited)."""
    for d in sorted((p for p in Path(top).rglob("*") if p.is_dir()),
                    key=lambda p: len(p.parts), reverse=True):
        d.rmdir()
    Path(top).rmdir()


def in_private_resolver(cmd, resolv, netns=None, cgroup=None):
    """@cmd run in a mount namespace of its own where /etc/resolv.conf is @resolv (so
    glibc asks our DNS server), in @netns, moved into @cgroup first. Every step execs:
    the command keeps the pid of the process started."""
    # ip netns exec makes a mount namespace of its own; unshare -m one for the host
    wrap = netns.wrap() if netns else ["unshare", "-m"]
    wrapped = [*wrap, "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"',
               str(resolv), *map(str, cmd)]
    if cgroup:  # before ip netns exec, which mounts a /sys of the namespace's own
        wrapped = ["sh", "-c", 'echo $$ > "$0"/cgroup.procs && exec "$@"', str(cgroup),
                   *wrapped]
    return wrapped


# --- listeners -----------------------------------------------------------------

class Listeners:
    """TCP listeners and UDP receivers on given addresses, ports chosen by the kernel;
    each keeps the bytes of every connection or datagram it got."""

    def __init__(self):
        self._socks, self._threads, self.got = [], [], {}
        self._lock = threading.Lock()

    def tcp(self, addr):
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.bind((addr, 0))
        s.listen(16)
        return self._serve(s, self._accept)

    def udp(self, addr):
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((addr, 0))
        return self._serve(s, self._recv)

    def closed(self, addr):
        """A port bound but not listening: a connect to it is refused, and no other
        program can take the port meanwhile."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((addr, 0))
        self._socks.append(s)
        return s.getsockname()[1]

    def _serve(self, s, loop):
        port = s.getsockname()[1]
        self.got[port] = []
        self._socks.append(s)
        t = threading.Thread(target=loop, args=(s, port), daemon=True)
        t.start()
        self._threads.append(t)
        return port

    def _accept(self, s, port):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            with c:
                data = b""
                while chunk := c.recv(4096):
                    data += chunk
            with self._lock:
                self.got[port].append(data)

    def _recv(self, s, port):
        while True:
            data = s.recv(4096)
            if not data:  # close()'s cue
                return
            with self._lock:
                self.got[port].append(data)

    def close(self):
        """Stops every listener once it has what was sent to it: got is complete."""
        for s in self._socks:
            if s.type == socket.SOCK_DGRAM:
                s.sendto(b"", s.getsockname())  # an empty datagram ends the receiver
            else:
                try:
                    s.shutdown(socket.SHUT_RDWR)  # wakes accept() on a listening socket
                except OSError:
                    pass  # a port only bound: not listening
        for t in self._threads:
            t.join(timeout=20)
            assert not t.is_alive(), "a listener did not stop"
        for s in self._socks:
            s.close()


class NetnsListeners:
    """TCP listeners inside @netns: this file run as `listen ADDR...` under ip netns
    exec, which prints {addr: port} once every one listens."""

    def __init__(self, netns, *addrs):
        self.proc = subprocess.Popen([*netns.wrap(), sys.executable, __file__, "listen",
                                      *addrs], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.ports = json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()  # the listener's cue to go
        self.proc.wait(timeout=20)


def _listen_main(addrs):
    ls = Listeners()
    print(json.dumps({a: ls.tcp(a) for a in addrs}), flush=True)
    sys.stdin.read()
    ls.close()


# --- what the clients send -----------------------------------------------------

def client_hello(sni):
    """The first flight of a TLS client (Python's ssl) to @sni: a ClientHello record."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def sni_of(hello):
    """The server name a TLS server (Python's ssl, OpenSSL) reads from @hello."""
    seen = []
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.sni_callback = lambda _tls, name, _ctx: seen.append(name)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
    incoming.write(hello)
    try:
        tls.do_handshake()
    except ssl.SSLError:
        pass  # no certificate to answer with: the name was read before that
    return seen


def http_request(host):
    return (f"GET /api/v1/agent HTTP/1.1\r\nUser-Agent: rmmtest\r\nHost: {host}\r\n"
            "Accept: */*\r\n\r\n").encode()


# --- the client program ---------------------------------------------------------

def build_client(path, note):
    """tests/fixtures/net/netclient.c built at @path with package note @note."""
    from elfpkg import build_elf
    return build_elf(path, NETCLIENT.read_text(), note=note)


class Run:
    """A finished client run: its pid, argv and what it printed, step by step."""

    def __init__(self, argv, wrapped, timeout=60):
        self.argv = [str(a) for a in argv]
        p = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pid = p.pid
        out, err = p.communicate(timeout=timeout)
        self.lines = [line.split() for line in out.decode().splitlines()]
        assert p.returncode == 0, (wrapped, out, err)
        assert ["pid", str(self.pid)] in self.lines, self.lines  # every wrapper exec'd it

    def steps(self, tag):
        return [line[1:] for line in self.lines if line[0] == tag]

    @property
    def command_line(self):
        return " ".join(self.argv)


def unmapped(addr):
    """The IPv4 address of a v4-mapped IPv6 one (Defender reports those as IPv4)."""
    return addr[7:] if addr.startswith("::ffff:") and "." in addr else addr


if __name__ == "__main__":
    if sys.argv[1] == "query":
        print(json.dumps(query(*sys.argv[2:5])))
    elif sys.argv[1] == "listen":
        _listen_main(sys.argv[2:])
