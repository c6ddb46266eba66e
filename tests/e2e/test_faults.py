# SPDX-License-Identifier: MIT
"""Issue 7, faults: the monitor under a storm, executables that change or vanish
under it, files that are not what they seem, and a state file it cannot trust
or cannot write. Every case: the right records, a clear warning, exit 0.

The machine is shared, so other people's Atera test programs may show up in a
monitor's output too: alert counts are checked against the matched events the
monitor printed, never against a fixed number.
"""
import datetime
import hashlib
import json
import os
import signal
import shutil
import subprocess
import tempfile
import time

import pytest

from elfpkg import QUICK, RULE_ID, SLEEPER, build_elf, is_atera, last_alert_count, matched
from metrics_http import get, listening_port, sample
from monitor import RMMHUNT, Monitor
from seed_rule import COLUMNS

# forks and execs argv[2:] argv[1] times, 64 at a time: an exec storm
STORM = r"""
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int n = atoi(argv[1]), live = 0;

	for (int i = 0; i < n; i++) {
		if (live == 64 && wait(NULL) > 0)
			live--;
		pid_t p = fork();
		if (p == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
		live += p > 0;
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
"""

GIB4 = 4 << 30


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture(scope="module")
def storm(tmp_path_factory):
    return build_elf(tmp_path_factory.mktemp("storm") / "storm", STORM, note=None)


# --- a ring buffer too small for a storm --------------------------------------

def test_storm_in_a_tiny_ring_buffer_counts_drops_and_keeps_alerts_right(tmp_path, storm):
    atera = build_elf(tmp_path / "atera-after-storm", QUICK)
    with Monitor("--ringbuf-size", "4096", "--emit", "events",
                 "--metrics-listen", "127.0.0.1:0") as m:
        port = listening_port(m.proc.pid)
        # frozen, the monitor reads nothing: the 4 KiB ring must overflow, however fast
        # this machine is (a dozen events fill it; 200 execs are far more)
        os.kill(m.proc.pid, signal.SIGSTOP)
        try:
            subprocess.run([storm, "200", "/bin/true"], check=True)
        finally:
            os.kill(m.proc.pid, signal.SIGCONT)
        # /metrics is refreshed each second
        lost = m.wait_for(lambda _: sample(get(port, "/metrics")[1],
                                           'rmmhunt_events_lost_total{cause="RingBufferFull"}'),
                          timeout=10)
        for _ in range(5):
            subprocess.run([atera], check=True)
            time.sleep(0.2)
        m.wait_for(lambda _: len(m.events(FolderPath=atera)) == 5, timeout=20)
    assert m.returncode == 0, m.stderr
    (stopping,) = m.status("stopping")
    assert stopping["EventsLost"] > 0
    # every loss is the ring's: the kernel built each event, the handler queued what came
    assert stopping["EventsLostBy"] == {"RingBufferFull": stopping["EventsLost"],
                                        "NoScratchSlot": 0, "TooLarge": 0, "NoMemory": 0}
    assert 0 < lost <= stopping["EventsLost"]
    # what did arrive is whole and correctly identified
    mine = m.events(FolderPath=atera)
    assert mine, "no Atera exec after the storm arrived"
    assert all(is_atera(e) and RULE_ID in e["MatchedRules"] for e in mine)
    assert last_alert_count(m.records) == len(matched(m.records))


def test_a_stalled_handler_loses_nothing_from_a_small_ring(tmp_path, storm):
    """The thread that handles events blocks (nobody reads its stdout) through a storm
    of far more events than the ring holds: the ring consumer thread keeps emptying the ring,
    so every exec arrives and none is lost."""
    marker = str(tmp_path / "stalled-handler")
    shutil.copy("/bin/true", marker)
    n = 1000  # ~400 bytes each in the ring: six 64 KiB rings' worth
    with open(tmp_path / "stderr", "wb") as err:
        proc = subprocess.Popen([RMMHUNT, "run", "--stats-interval", "0", "--state", "",
                                 "--ringbuf-size", "64K", "--emit", "events"],
                                stdout=subprocess.PIPE, stderr=err)
        try:
            for line in proc.stdout:
                if b'"State":"ready"' in line:
                    break
            # from here on stdout is not read: its pipe fills within a few dozen
            # events and the handler blocks writing until the storm is over
            subprocess.run([storm, str(n), marker], check=True)
            time.sleep(0.5)
        finally:
            proc.terminate()
            out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, (tmp_path / "stderr").read_text()
    records = [json.loads(line) for line in out.splitlines()]
    (stopping,) = [r for r in records if r.get("RecordType") == "Status"
                   and r["State"] == "stopping"]
    assert stopping["EventsLost"] == 0
    mine = [r for r in records if r.get("RecordType") == "DeviceProcessEvents"
            and r.get("FolderPath") == marker]
    assert len(mine) == n


def test_execs_close_together_all_arrive_without_more_execs(tmp_path, storm):
    """Execs within a wake-up batch (WAKEUP_BATCH_NS, 4 ms) of each other: the last must not wait for another."""
    marker = str(tmp_path / "close-together")
    shutil.copy("/bin/true", marker)
    with Monitor("--emit", "events") as m:
        for _ in range(10):
            subprocess.run([storm, "4", marker], check=True)
            time.sleep(0.3)
        got = m.wait_for(lambda _: len(m.events(FolderPath=marker)) == 40, timeout=15)
    assert got, "they came only with the drain at the stop"


# --- executables that change or vanish ----------------------------------------

def test_executable_deleted_right_after_exec(tmp_path):
    exe = build_elf(tmp_path / "atera-deleted", SLEEPER)
    digest = sha256(exe)
    with Monitor("--emit", "events") as m:
        p = subprocess.Popen([exe])
        os.unlink(exe)
        evs = m.wait_for(lambda _: m.events(ProcessId=p.pid))
        p.kill()
        p.wait()
    assert m.returncode == 0
    (ev,) = evs
    assert ev["FolderPath"] == exe
    assert is_atera(ev)
    assert ev["SHA256"] == digest
    assert ev["MatchedRules"]


def test_executable_replaced_while_it_runs(tmp_path):
    """A rename over the path names the new file; the event is about the old one."""
    atera = build_elf(tmp_path / "atera", SLEEPER)
    benign = build_elf(tmp_path / "benign", SLEEPER, note=None)
    ran_atera, ran_benign = str(tmp_path / "agent-a"), str(tmp_path / "agent-b")
    shutil.copy(atera, ran_atera)
    shutil.copy(benign, ran_benign)
    with Monitor("--emit", "events") as m:
        pa = subprocess.Popen([ran_atera])  # returns once exec succeeded
        shutil.copy(benign, ran_atera + ".new")
        os.rename(ran_atera + ".new", ran_atera)
        pb = subprocess.Popen([ran_benign])
        shutil.copy(atera, ran_benign + ".new")
        os.rename(ran_benign + ".new", ran_benign)
        evs = m.wait_for(lambda _: m.events(ProcessId=pa.pid) and m.events(ProcessId=pb.pid))
        for p in (pa, pb):
            p.kill()
            p.wait()
    assert evs
    (ea,) = m.events(ProcessId=pa.pid)
    (eb,) = m.events(ProcessId=pb.pid)
    assert is_atera(ea) and ea["SHA256"] == sha256(atera) and ea["MatchedRules"]
    assert not is_atera(eb) and eb["SHA256"] == sha256(benign) and not eb.get("MatchedRules")


def test_unreadable_executable_is_still_identified(tmp_path):
    """chmod 000 after exec, and an execute-only file run by nobody."""
    d = tempfile.mkdtemp(prefix="rmm-xonly-", dir="/tmp")
    try:
        os.chmod(d, 0o755)
        hidden = build_elf(os.path.join(d, "atera-000"), SLEEPER)
        xonly = build_elf(os.path.join(d, "atera-x"), SLEEPER)
        os.chmod(xonly, 0o111)
        with Monitor("--emit", "events") as m:
            p1 = subprocess.Popen([hidden])
            os.chmod(hidden, 0)
            p2 = subprocess.Popen([xonly], user="nobody", group="nogroup")
            m.wait_for(lambda _: m.events(ProcessId=p1.pid) and m.events(ProcessId=p2.pid))
            for p in (p1, p2):
                p.kill()
                p.wait()
        (e1,) = m.events(ProcessId=p1.pid)
        (e2,) = m.events(ProcessId=p2.pid)
        assert e1["FolderPath"] == hidden and is_atera(e1)
        assert e2["FolderPath"] == xonly and is_atera(e2) and e2["AccountName"] == "nobody"
    finally:
        shutil.rmtree(d)


def test_process_gone_before_user_space_looks(tmp_path, storm):
    """Atera programs that exit at once while a storm keeps the monitor busy."""
    quick = build_elf(tmp_path / "atera-quick", QUICK)
    with Monitor("--emit", "events") as m:
        load = subprocess.Popen([storm, "300", "/bin/true"])
        for _ in range(20):
            subprocess.run([quick], check=True)
        load.wait()
        m.wait_for(lambda _: len(m.events(FolderPath=quick)) >= 20, timeout=30)
    assert m.returncode == 0, m.stderr
    evs = m.events(FolderPath=quick)
    assert len(evs) == 20
    assert all(is_atera(e) and e["FileName"] == "atera-quick" for e in evs)
    assert last_alert_count(m.records) == len(matched(m.records))


def test_busy_read_on_a_starved_host_is_not_a_hung_mount(tmp_path):
    """A read that is working (hashing 48 MiB) on a host whose CPUs are all busy,
    twice over, takes longer than --read-timeout: it is waited for, not taken
    for a hung mount, and the exec keeps its identity."""
    big = build_elf(tmp_path / "atera-big", QUICK)
    with open(big, "ab") as f:
        f.write(os.urandom(48 << 20))
    hogs = []
    with Monitor("--emit", "events", "--read-timeout", "20ms") as m:
        def warm(_):
            # the first package lookup reads dpkg's database, maybe from disk: a
            # read that sleeps, which this deadline would rightly give up on, and
            # the host's root is refused until it is done (execs get no package)
            subprocess.run(["/bin/true"], check=True)
            return [e for e in m.events(FolderPath="/usr/bin/true")
                    if e.get("SHA256") and e.get("IdentityError") is None]

        m.wait_for(warm)
        try:
            hogs = [subprocess.Popen(["sh", "-c", "while :; do :; done"])
                    for _ in range(2 * os.cpu_count())]
            for _ in range(3):
                subprocess.run([big], check=True)
            m.wait_for(lambda _: len(m.events(FolderPath=big)) >= 3, timeout=60)
        finally:
            for h in hogs:
                h.kill()
                h.wait()
    evs = m.events(FolderPath=big)
    assert [e.get("IdentityError") for e in evs] == [None] * 3
    assert all(is_atera(e) and e["SHA256"] == sha256(big) for e in evs)


def test_exec_again_at_once_keeps_each_identity(tmp_path):
    """sh execs Atera at once: the sh event must not take Atera's file for its own."""
    atera = build_elf(tmp_path / "atera-execd", QUICK)
    with Monitor("--emit", "events") as m:
        pids = [subprocess.Popen(["/bin/sh", "-c", f"exec {atera}"]).pid for _ in range(10)]
        m.wait_for(lambda _: len(m.events(FolderPath=atera)) == 10)
    for pid in pids:
        (sh,) = [e for e in m.events(ProcessId=pid) if e["FolderPath"] != atera]
        (ae,) = m.events(ProcessId=pid, FolderPath=atera)
        assert is_atera(ae) and ae["SHA256"] == sha256(atera)
        assert not is_atera(sh) and sh["SHA256"] != ae["SHA256"] and not sh.get("MatchedRules")


# --- files that are not what they seem ----------------------------------------

def inspect(*paths):
    r = subprocess.run([RMMHUNT, "inspect", *map(str, paths)], capture_output=True,
                       timeout=60)
    return r.returncode, [json.loads(line) for line in r.stdout.splitlines()]


def test_inspect_refuses_fifo_and_device_without_blocking(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    rc, recs = inspect(fifo, "/dev/zero")
    assert rc == 1
    assert [r["Error"] for r in recs] == ["not a regular file"] * 2
    assert all(r["FileType"] is None and r["SHA256"] is None for r in recs)


def test_inspect_4gib_sparse_files_skips_the_hashes(tmp_path):
    """Files over HASH_MAX_SIZE (256 MiB) keep their identity but are not hashed."""
    blank = tmp_path / "sparse"
    blank.touch()
    os.truncate(blank, GIB4)
    elf = build_elf(tmp_path / "atera-huge", QUICK)
    os.truncate(elf, GIB4)
    rc, (rb, re_) = inspect(blank, elf)
    assert rc == 0
    assert rb["FileType"] == "other" and "Error" not in rb
    assert re_["FileType"] == "elf" and re_["ProcessVersionInfoCompanyName"] == "Atera Networks Ltd."
    for r in (rb, re_):
        assert r["FileSize"] == GIB4
        assert r["SHA1"] is None and r["SHA256"] is None


def test_exec_of_a_4gib_sparse_executable_does_not_stall_the_monitor(tmp_path):
    huge = build_elf(tmp_path / "atera-4g", QUICK)
    os.truncate(huge, GIB4)
    marker = tmp_path / "after-huge"
    shutil.copy("/bin/true", marker)
    with Monitor("--emit", "events") as m:
        subprocess.run([huge], check=True)
        subprocess.run([marker], check=True)
        after = m.wait_for(lambda _: m.events(FolderPath=str(marker)), timeout=20)
        (ev,) = m.wait_for(lambda _: m.events(FolderPath=huge))
    assert after
    assert is_atera(ev) and ev["MatchedRules"]
    assert ev["FileSize"] == GIB4 and ev["SHA256"] is None


# --- state: kill -9, corrupt, read-only, full --------------------------------

def saved_count(state):
    """Events the state file holds: the sum over every group's timeline."""
    doc = json.load(open(state))
    return sum(t[2] for r in doc["Rules"] for g in r["Groups"] for t in g["Timeline"])


def test_kill_9_and_restart_continues_the_count(tmp_path):
    atera = build_elf(tmp_path / "atera-restart", QUICK)
    state = str(tmp_path / "state.json")
    m1 = Monitor("--emit", "events", "--summary-interval", "1s", state=state)
    with m1:
        for _ in range(2):
            subprocess.run([atera], check=True)
        m1.wait_for(lambda _: len(m1.events(FolderPath=atera)) == 2)
        # saved each summary interval
        assert m1.wait_for(lambda _: os.path.exists(state) and saved_count(state) >= 2)
        m1.proc.kill()
        m1.returncode = m1.proc.wait()
    assert m1.returncode == -9
    before = saved_count(state)
    assert not m1.status("stopping")

    with Monitor("--emit", "events", "--summary-interval", "1s", state=state) as m2:
        subprocess.run([atera], check=True)
        m2.wait_for(lambda _: m2.events(FolderPath=atera))
    assert m2.returncode == 0
    assert "restored" in m2.stderr
    assert last_alert_count(m2.records) == before + len(matched(m2.records))


def state_text():
    """A well-formed state file with one Atera group (as `rmmhunt run` writes it)."""
    now = int(time.time() * 1e6)
    return json.dumps({
        "Rules": [{"RuleId": RULE_ID, "Columns": [
            {"Name": name, "Kind": kind, "Field": field} for name, kind, field in COLUMNS],
            "Groups": [{"By": ["otherdevice", "other"],
                        "Timeline": [[now, now, 1, False]],
                        "Values": [None, None, None, None,
                                   {"Truncated": False, "Items": [[now, now]]},
                                   None],
                        "Emitted": True, "Dirty": False, "LastEmit": now}]}],
        "Format": "rmmhunt-state", "Version": 1, "Saved": "2026-01-01T00:00:00Z"})


def run_with_state(state, tmp_path):
    """A monitor on @state that sees one Atera exec, stopped with SIGTERM."""
    atera = build_elf(tmp_path / "atera-state", QUICK)
    with Monitor("--emit", "events", state=str(state)) as m:
        subprocess.run([atera], check=True)
        m.wait_for(lambda _: m.events(FolderPath=atera))
    assert m.returncode == 0, m.stderr
    assert m.status("stopping")
    return m


def test_valid_state_fixture_is_restored(tmp_path):
    """The hand-written state below is one the monitor accepts (so the bad ones are bad)."""
    state = tmp_path / "state.json"
    state.write_text(state_text())
    m = run_with_state(state, tmp_path)
    assert "restored" in m.stderr and "warning: state" not in m.stderr
    assert saved_count(state) == 1 + len(matched(m.records))


@pytest.mark.parametrize("bad", ["garbage", "truncated", "empty", "binary", "other-format"])
def test_corrupt_state_is_set_aside_with_a_warning(tmp_path, bad):
    good = state_text()
    content = {"garbage": b"{not json at all",
               "truncated": good[:len(good) // 2].encode(),
               "empty": b"",
               "binary": bytes(range(256)) * 4,
               "other-format": json.dumps({"Format": "something-else", "Version": 1}).encode(),
               }[bad]
    state = tmp_path / "state.json"
    state.write_bytes(content)
    m = run_with_state(state, tmp_path)
    assert f"warning: state {state}: " in m.stderr and "moved to" in m.stderr
    (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith("state.json.corrupt-")]
    assert aside.read_bytes() == content
    # named by the time it was set aside, so a second bad file does not replace it
    when = datetime.datetime.strptime(aside.name.split("corrupt-")[1], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert abs(when - datetime.datetime.utcnow()) < datetime.timedelta(minutes=5)
    # a fresh state was saved at stop
    assert saved_count(state) == len(matched(m.records))


@pytest.fixture
def tmpfs(tmp_path):
    d = tmp_path / "mnt"
    d.mkdir()
    mounted = []

    def mount(opts):
        subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "rmmhunt-test", str(d)], check=True)
        mounted.append(d)
        return d
    yield mount
    for m in mounted:
        subprocess.run(["umount", str(m)], check=False)


def test_read_only_state_directory_warns_and_keeps_running(tmp_path, tmpfs):
    d = tmpfs("size=1m,mode=0700")
    old = state_text()
    (d / "state.json").write_text(old)
    (d / "bad.json").write_text("{corrupt")
    subprocess.run(["mount", "-o", "remount,ro", str(d)], check=True)
    m = run_with_state(d / "state.json", tmp_path)
    assert f"failed to save state {d}/state.json: Read-only file system; still running" in m.stderr
    assert m.status("stopping")[0]["StateErrors"] >= 1
    assert (d / "state.json").read_text() == old

    m = run_with_state(d / "bad.json", tmp_path)
    assert "could not set it aside: Read-only file system; starting empty" in m.stderr
    assert m.status("stopping")[0]["StateErrors"] >= 1


def test_full_disk_for_the_state_warns_and_keeps_the_old_state(tmp_path, tmpfs):
    d = tmpfs("size=64k,mode=0700")
    old = state_text()
    (d / "state.json").write_text(old)
    with open(d / "fill", "wb", buffering=0) as f:
        with pytest.raises(OSError):
            while True:
                f.write(b"\0" * 4096)
    m = run_with_state(d / "state.json", tmp_path)
    assert f"failed to save state {d}/state.json: No space left on device; still running" \
        in m.stderr
    assert m.status("stopping")[0]["StateErrors"] >= 1
    assert (d / "state.json").read_text() == old
    assert sorted(os.listdir(d)) == ["fill", "state.json"]  # no temporary file left


# --- a hung mount ---------------------------------------------------------------

def test_executable_on_a_hung_mount_never_blocks_the_monitor(tmp_path, hung_mount):
    src = tmp_path / "src"
    src.mkdir()
    build_elf(src / "atera-on-nfs", QUICK)
    native = build_elf(tmp_path / "atera-native", QUICK)
    with Monitor("--emit", "events", "--read-timeout", "300ms") as m:
        mnt = hung_mount(src, m.proc.pid)
        hung = str(mnt.path / "atera-on-nfs")
        subprocess.run([hung], check=True)
        # the exec after it, elsewhere, is reported and alerted on: the loop goes on
        subprocess.run([native], check=True)
        (ev,) = m.wait_for(lambda _: m.events(FolderPath=native))
        assert is_atera(ev) and ev["MatchedRules"]
        (first,) = m.wait_for(lambda _: m.events(FolderPath=hung))
        assert first["IdentityError"].startswith("timed out"), first
        assert first["SHA256"] is None and not is_atera(first)

        # still hung: the next exec from there is not read at all (no second wait)
        subprocess.run([hung], check=True)
        evs = m.wait_for(lambda _: len(m.events(FolderPath=hung)) == 2 and m.events(FolderPath=hung))
        assert evs and evs[1]["IdentityError"].startswith("not read"), evs

        # the file system answers again: the stuck read ends, and the file is read
        mnt.release()

        def identified(_):
            subprocess.run([hung], check=True)
            return [e for e in m.events(FolderPath=hung) if is_atera(e)]

        (read,) = m.wait_for(identified)[:1]
        assert read["SHA256"] == sha256(os.path.join(src, "atera-on-nfs"))
        assert "IdentityError" not in read or read["IdentityError"] is None
    assert m.returncode == 0, m.stderr
    (stopping,) = m.status("stopping")
    # one wait for the hung mount (more only if a read after the release overran
    # too, on a loaded machine), then refusals, not one wait per exec
    assert stopping["ReadTimeouts"] >= 1 and stopping["ReadsRefused"] >= 1
    assert stopping["ReadsStuck"] == 0


# chroot(2)s into argv[1] right after its exec, says so, waits for a line, execs argv[2] there
CHROOTER = r"""
#include <unistd.h>
int main(int argc, char **argv)
{
	char c;

	if (argc < 3 || chroot(argv[1]) || chdir("/") || write(1, "chrooted\n", 9) != 9)
		return 1;
	if (read(0, &c, 1) != 1)
		return 1;
	execv(argv[2], argv + 2);
	return 127;
}
"""
# runs until its stdin closes
WAITER = "#include <unistd.h>\nint main(void) { char c; return read(0, &c, 1) < 0; }\n"


def test_hung_package_database_in_a_container_root_stalls_only_that_root(tmp_path,
                                                                         hung_mount):
    """A host program that chroot(2)s, right after its exec, into a root whose
    var/lib/dpkg hangs, handled by the monitor only after the chroot (it is
    frozen until then, so this order happens every run): its executable is the
    host's, and its package is looked up in the host's root, where it was
    exec'd. The program it then runs in there waits on that root's database,
    and only that root is refused: the host's execs keep their identity."""
    root = tmp_path / "croot"
    info = root / "var" / "lib" / "dpkg" / "info"
    info.mkdir(parents=True)
    subprocess.run(["gcc", "-static", "-O1", "-x", "c", "-", "-o", str(root / "waiter")],
                   input=WAITER.encode(), check=True)
    (info / "fakepkg.list").write_text("/waiter\n")
    (root / "var" / "lib" / "dpkg" / "status").write_text(
        "Package: fakepkg\nStatus: install ok installed\nVersion: 1\n\n")
    chrooter = build_elf(tmp_path / "chrooter", CHROOTER, note=None)
    host = str(tmp_path / "host-true")
    shutil.copy("/bin/true", host)
    with Monitor("--emit", "events", "--read-timeout", "300ms") as m:
        mnt = hung_mount(root, m.proc.pid, "/var/lib/dpkg")
        os.kill(m.proc.pid, signal.SIGSTOP)
        try:
            proc = subprocess.Popen([chrooter, str(mnt.path), "/waiter"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            assert proc.stdout.readline() == b"chrooted\n"
        finally:
            os.kill(m.proc.pid, signal.SIGCONT)
        try:
            (cev,) = m.wait_for(lambda _: m.events(FolderPath=chrooter))
            assert cev.get("IdentityError") is None, cev
            assert cev["SHA256"] == sha256(chrooter)
            subprocess.run([host], check=True)
            (hev,) = m.wait_for(lambda _: m.events(FolderPath=host))
            assert hev.get("IdentityError") is None and hev["SHA256"] == sha256(host), hev

            # its program in there: the lookup waits on the hung root's database
            proc.stdin.write(b"\n")
            proc.stdin.flush()
            (ev,) = m.wait_for(lambda _: m.events(ProcessId=proc.pid, FileName="waiter"))
            assert ev["IdentityError"] == "timed out: its root directory's file system did not answer", ev
            # the stuck lookup holds that root, not the host's disk nor the host's root
            subprocess.run([host], check=True)
            hevs = m.wait_for(lambda _: len(m.events(FolderPath=host)) == 2
                              and m.events(FolderPath=host))
            assert hevs and hevs[1].get("IdentityError") is None, hevs
            assert hevs[1]["SHA256"] == sha256(host)
        finally:
            mnt.release()
            proc.stdin.close()
            proc.wait(timeout=30)
    assert m.returncode == 0, m.stderr
    # the waiter's lookup is counted as a timeout
    (stopping,) = m.status("stopping")
    assert stopping["ReadTimeouts"] >= 1


def test_monitor_stops_cleanly_while_a_read_is_stuck(tmp_path, hung_mount):
    src = tmp_path / "src"
    src.mkdir()
    build_elf(src / "sleeper-on-nfs", SLEEPER, note=None)
    with Monitor("--emit", "events", "--read-timeout", "200ms") as m:
        mnt = hung_mount(src, m.proc.pid)
        hung = str(mnt.path / "sleeper-on-nfs")
        subprocess.run([hung], check=True)
        (ev,) = m.wait_for(lambda _: m.events(FolderPath=hung))
        assert ev["IdentityError"].startswith("timed out")
        # SIGTERM with a worker still in the mount: everything is written at once ...
        m.proc.terminate()
        (stopping,) = m.wait_for(lambda _: m.status("stopping"), timeout=10)
        assert stopping["ReadsStuck"] == 1
        # ... but a FUSE request its daemon has taken holds even a dying thread
        # (the kernel waits for the answer), so the process ends once it comes
        mnt.release()
    assert m.returncode == 0, m.stderr
