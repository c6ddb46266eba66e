"""Issue 2: execs captured in the kernel come out as exact DeviceProcessEvents records."""
import json
import os
import pwd
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from elfpkg import QUICK, RULE_ID, build_elf
from monitor import RMMHUNT, Monitor, raw_string, split_cmdline


@pytest.fixture
def workdir(tmp_path):
    d = tmp_path / f"rmm-{uuid.uuid4().hex[:8]}"
    d.mkdir()
    return d


def unique_copy(workdir, src, stem):
    dst = workdir / f"{stem}-{uuid.uuid4().hex[:10]}"
    shutil.copy(src, dst)
    return str(dst)


def test_named_binary_with_three_arguments(workdir):
    exe = unique_copy(workdir, "/bin/echo", "rmm-echo")
    with Monitor("--emit", "events") as m:
        subprocess.run([exe, "one", "two words", "three"], check=True, stdout=subprocess.DEVNULL)
        evs = m.wait_for(lambda _: m.events(FolderPath=exe))
    assert len(evs) == 1
    ev = evs[0]
    assert ev["FileName"] == os.path.basename(exe)
    assert ev["FolderPath"] == exe
    assert ev["ProcessCommandLine"] == f'{exe} one "two words" three'
    assert ev["AccountName"] == pwd.getpwuid(os.getuid()).pw_name
    assert ev["AccountUid"] == os.getuid()
    assert ev["InitiatingProcessFileName"] == os.path.basename(os.path.realpath(sys.executable))
    assert ev["InitiatingProcessId"] == os.getpid()
    assert ev["ActionType"] == "ProcessCreated"
    assert ev["FromSnapshot"] is False
    assert isinstance(ev["ReportId"], int)


def test_process_that_exits_immediately(workdir):
    exe = unique_copy(workdir, "/bin/true", "rmm-true")
    with Monitor("--emit", "events") as m:
        subprocess.run([exe], check=True)
        evs = m.wait_for(lambda _: m.events(FolderPath=exe))
    assert [e["FileName"] for e in evs] == [os.path.basename(exe)]
    assert evs[0]["ProcessCommandLine"] == exe


def test_pid_namespace_is_the_active_one_after_unshare(workdir):
    """unshare(CLONE_NEWPID) without a fork leaves the process in its pid
    namespace; only its children get the new one. PidNamespace is the former."""
    exe = unique_copy(workdir, "/bin/sleep", "rmm-sleep")
    with Monitor("--emit", "events") as m:
        p = subprocess.Popen(["unshare", "--pid", "--", exe, "2"])
        try:
            evs = m.wait_for(lambda _: m.events(FolderPath=exe))
            active = os.stat(f"/proc/{p.pid}/ns/pid").st_ino
            mnt = os.stat(f"/proc/{p.pid}/ns/mnt").st_ino
        finally:
            p.kill()
            p.wait()
    assert len(evs) == 1
    assert active == os.stat("/proc/self/ns/pid").st_ino
    assert evs[0]["PidNamespace"] == active
    assert evs[0]["MntNamespace"] == mnt


def deep_dir(workdir, depth=60):
    """A directory @depth components below @workdir: deeper than the kernel side walks."""
    d = workdir
    for i in range(depth):
        d = d / f"d{i}"
    d.mkdir(parents=True)
    return d


def test_path_deeper_than_the_kernel_walks_is_whole_or_flagged(workdir):
    """The kernel walks 48 components; a deeper executable and current directory are
    completed from /proc while the process lives, and never reported as the partial,
    absolute-looking path the walk gave."""
    deep = deep_dir(workdir)
    exe = str(deep / "deep-sleep")
    shutil.copy("/bin/sleep", exe)
    quick = str(deep / "deep-true")
    shutil.copy("/bin/true", quick)
    with Monitor("--emit", "events") as m:
        p = subprocess.Popen([exe, "2"], cwd=deep)
        try:
            (ev,) = m.wait_for(lambda _: m.events(ProcessId=p.pid))
        finally:
            p.kill()
            p.wait()
        subprocess.run([quick], cwd=deep, check=True)
        (gone,) = m.wait_for(lambda _: m.events(FileName="deep-true"))
    assert ev["FolderPath"] == exe and ev["FileName"] == "deep-sleep"
    assert ev["FolderPathTruncated"] is False
    assert ev["ProcessCurrentDirectory"] == str(deep)
    assert ev["ProcessCurrentDirectoryTruncated"] is False
    # exited at once: whole if it was still there when read, else unknown and flagged
    assert gone.get("FolderPath") in (quick, None)
    assert gone["FolderPathTruncated"] is (gone.get("FolderPath") is None)
    assert gone.get("ProcessCurrentDirectory") in (str(deep), None)


def test_huge_command_line_round_trips_losslessly(workdir):
    exe = unique_copy(workdir, "/bin/true", "rmm-args")
    # quotes, backslashes, newlines, tabs, control bytes and invalid UTF-8, 20 KiB in all
    pieces = [b'say "hi"', b"back\\slash\\", b"new\nline", b"tab\there", b"",
              b"\xff\xfe not utf-8 \xc3", b"\x01\x1b[31m", "ünïcødé".encode(),
              b'{"RecordType":"Alert"}']
    args = [exe.encode()]
    while sum(len(a) + 1 for a in args) < 20 * 1024:
        args.extend(pieces)
    with Monitor("--emit", "events") as m:
        subprocess.run(args, check=True)
        evs = m.wait_for(lambda _: m.events(FolderPath=exe))
    assert len(evs) == 1
    ev = evs[0]
    assert ev["ArgvTruncated"] is False
    assert ev["ArgvLength"] == sum(len(a) + 1 for a in args)
    assert split_cmdline(raw_string(ev, "ProcessCommandLine")) == args


def test_command_line_over_the_cap_is_flagged_truncated(workdir):
    exe = unique_copy(workdir, "/bin/true", "rmm-long")
    args = [exe] + ["x" * 1000] * 40  # 40 KiB > 32 KiB captured
    with Monitor("--emit", "events") as m:
        subprocess.run(args, check=True)
        evs = m.wait_for(lambda _: m.events(FolderPath=exe))
    assert evs[0]["ArgvTruncated"] is True
    assert evs[0]["ArgvLength"] == sum(len(a) + 1 for a in args)
    assert evs[0]["ProcessCommandLine"].startswith(exe + " " + "x" * 1000)


def test_double_forked_grandchild_names_its_forker(workdir):
    exe = unique_copy(workdir, "/bin/true", "rmm-daemon")
    with Monitor("--emit", "events") as m:
        child = os.fork()
        if child == 0:
            middle = os.getpid()
            if os.fork() == 0:
                # exec only once the middle process is gone and we were reparented
                while os.getppid() == middle:
                    time.sleep(0.005)
                os.execv(exe, [exe, "grandchild"])
            os._exit(0)
        os.waitpid(child, 0)
        evs = m.wait_for(lambda _: m.events(FolderPath=exe))
    assert len(evs) == 1
    assert evs[0]["InitiatingProcessId"] == child
    assert evs[0]["ParentProcessId"] != child
    assert evs[0]["InitiatingProcessFileName"] == os.path.basename(os.path.realpath(sys.executable))


# Process P: its main thread "rmm-leader" starts thread T ("rmm-thread") and exits,
# leaving a zombie group leader (so /proc/P/exe is unreadable) while T lives on. T forks
# C, which execs argv[1]: "early", C is forked at once and execs when a byte arrives on
# stdin; "late", T forks C when the byte arrives and C execs at once. Prints "TID CHILD"
# (CHILD 0 when late) once the leader has released its memory, then CHILD when late, and
# exits with C's status.
LEADER = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char **args;
static int gone[2]; /* the write end ends up in the leader's own fd table only */

static pid_t spawn(int wait_for_go)
{
	pid_t c = fork();
	char go;

	if (c == 0) {
		if (wait_for_go && read(0, &go, 1) != 1)
			_exit(3);
		execv(args[1], args + 1);
		_exit(127);
	}
	return c;
}

static void *thread(void *unused)
{
	int late = !strcmp(args[2], "late"), status;
	pid_t child = 0;
	char c;

	(void)unused;
	prctl(PR_SET_NAME, "rmm-thread");
	/* the leader has its own fd table: drop the write end from ours */
	if (read(gone[0], &c, 1) != 1)
		exit(1);
	close(gone[1]);
	/* end of file: the leader's fd table is released, which do_exit() does after its mm */
	if (read(gone[0], &c, 1) != 0)
		exit(1);
	if (!late)
		child = spawn(1);
	printf("%d %d\n", (int)gettid(), (int)child);
	fflush(stdout);
	if (late) {
		if (read(0, &c, 1) != 1)
			exit(3);
		child = spawn(0);
		printf("%d\n", (int)child);
		fflush(stdout);
	}
	if (child <= 0 || waitpid(child, &status, 0) != child)
		exit(1);
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 3 || pipe2(gone, O_CLOEXEC))
		return 1;
	args = argv;
	prctl(PR_SET_NAME, "rmm-leader");
	if (pthread_create(&t, NULL, thread, NULL) || unshare(CLONE_FILES))
		return 1;
	close(gone[0]);
	if (write(gone[1], "u", 1) != 1)
		return 1;
	pthread_exit(NULL);
}
"""


@pytest.fixture(scope="module")
def leader(tmp_path_factory):
    exe = tmp_path_factory.mktemp("leader") / "leader"
    subprocess.run(["gcc", "-O1", "-pthread", "-x", "c", "-", "-o", str(exe)],
                   input=LEADER.encode(), check=True)
    return str(exe)


def comm(path):
    with open(path) as f:
        return f.read().rstrip("\n")


def status_field(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return line.split()[1]
    raise KeyError(key)


def start_exited_leader(leader, exe, mode):
    """Starts the leader fixture and checks what the test depends on. The group
    leader has exited, so /proc cannot show P's executable: the start-up snapshot
    skips P (it never enters lineage) and the monitor's /proc fallback finds
    nothing, which leaves the forker's name the kernel side recorded. The leader's
    comm is "rmm-leader", T's "rmm-thread", and C (when already forked) is T's
    child. Returns P's Popen and C's pid (0 when not yet forked)."""
    p = subprocess.Popen([leader, exe, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = p.stdout.readline().split()
    assert len(line) == 2, f"leader fixture failed: exit {p.wait()}"
    tid, child = map(int, line)
    with pytest.raises(FileNotFoundError):
        os.readlink(f"/proc/{p.pid}/exe")
    assert comm(f"/proc/{p.pid}/comm") == "rmm-leader"
    assert comm(f"/proc/{p.pid}/task/{tid}/comm") == "rmm-thread"
    if child:
        assert int(status_field(child, "PPid")) == p.pid
        assert children(tid) == [str(child)] and children(p.pid) == []
    return p, child


def release(p):
    p.stdin.write(b"\n")
    p.stdin.flush()


def leader_child_event(leader, workdir, mode):
    """Runs the leader fixture in @mode ("early": C forked before the monitor starts,
    "late": while it runs) with C an Atera-like ELF, and returns C's record, checked
    to be C's (pid, rule, parent P), but for the name it gives the forker."""
    exe = build_elf(workdir / "atera-child", QUICK)
    p, child = start_exited_leader(leader, exe, mode)
    try:
        with Monitor("--emit", "matches") as m:
            release(p)
            if mode == "late":
                child = int(p.stdout.readline())
            evs = m.wait_for(lambda _: m.events(FolderPath=exe))
    except BaseException:
        p.kill()
        raise
    finally:
        p.stdin.close()
    # C's status, through T: C ran and T outlived it
    assert p.wait(timeout=30) == 0
    (ev,) = evs
    assert ev["ProcessId"] == child
    assert ev["MatchedRules"] == [RULE_ID]
    assert ev["ParentProcessId"] == ev["InitiatingProcessId"] == p.pid
    return ev


def test_exec_forked_before_start_names_the_forkers_group_leader(workdir, leader):
    """C was forked before the monitor attached, so the exec hook reads its forker
    from the real parent: a thread, whose group leader's name is the process's."""
    ev = leader_child_event(leader, workdir, "early")
    assert ev["InitiatingProcessFileName"] == "rmm-leader"


def test_fork_by_a_thread_names_the_group_leader_as_forker(workdir, leader):
    """T forks C while the monitor runs: the fork hook records the forking
    thread's group leader's name, not the thread's."""
    ev = leader_child_event(leader, workdir, "late")
    assert ev["InitiatingProcessFileName"] == "rmm-leader"


def test_script_through_its_shebang(workdir):
    script = workdir / f"rmm-script-{uuid.uuid4().hex[:8]}.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    with Monitor("--emit", "events") as m:
        subprocess.run([str(script), "arg1"], check=True)
        evs = m.wait_for(lambda _: m.events(ExecFilename=str(script)))
    assert len(evs) == 1
    ev = evs[0]
    # the process runs the interpreter; the script is what was exec'd and argv[1]
    assert ev["FolderPath"] == os.path.realpath("/bin/sh")
    assert ev["ProcessCommandLine"] == f"/bin/sh {script} arg1"


def test_process_running_before_start_is_in_the_snapshot(workdir):
    exe = unique_copy(workdir, "/bin/sleep", "rmm-early")
    proc = subprocess.Popen([exe, "30"])
    try:
        time.sleep(0.3)
        with Monitor("--emit", "events") as m:
            evs = m.events(FolderPath=exe)
            live = subprocess.Popen([exe, "30"])
            try:
                (live_ev,) = m.wait_for(lambda _: m.events(ProcessId=live.pid))
            finally:
                live.kill()
                live.wait()
        assert len(evs) == 1
        ev = evs[0]
        assert ev["FromSnapshot"] is True
        assert ev["ProcessId"] == proc.pid
        assert ev["ProcessCommandLine"] == f"{exe} 30"
        # the namespaces as the kernel side reports them for a live exec
        assert ev["PidNamespace"] == live_ev["PidNamespace"] == os.stat(
            f"/proc/{proc.pid}/ns/pid").st_ino
        assert ev["MntNamespace"] == live_ev["MntNamespace"] == os.stat(
            f"/proc/{proc.pid}/ns/mnt").st_ino
        # the real start time, not the time the monitor looked
        start = ev["ProcessCreationTime"]
        ts = ev["Timestamp"]
        assert start < ts
    finally:
        proc.kill()
        proc.wait()


def cgroup2_mount():
    for line in open("/proc/mounts"):
        dev, path, fstype = line.split()[:3]
        if fstype == "cgroup2":
            return path
    pytest.fail("no cgroup2 hierarchy mounted")


def test_process_in_a_fresh_cgroup(workdir):
    exe = unique_copy(workdir, "/bin/true", "rmm-cg")
    name = f"rmmtest-{uuid.uuid4().hex[:8]}"
    cg = os.path.join(cgroup2_mount(), name)
    os.mkdir(cg)
    try:
        with Monitor("--emit", "events") as m:
            subprocess.run(["/bin/sh", "-c", f"echo $$ > {cg}/cgroup.procs && exec {exe}"],
                           check=True)
            evs = m.wait_for(lambda _: m.events(FolderPath=exe))
        assert len(evs) == 1
        assert evs[0]["CgroupPath"] == "/" + name
        assert evs[0]["CgroupId"] == os.stat(cg).st_ino
    finally:
        os.rmdir(cg)


def test_storm_of_5000_execs_loses_nothing(workdir):
    exe = unique_copy(workdir, "/bin/true", "rmm-storm")
    with Monitor("--emit", "events") as m:
        subprocess.run(["/bin/sh", "-c", f"i=0; while [ $i -lt 5000 ]; do {exe}; i=$((i+1)); done"],
                       check=True)
        m.wait_for(lambda _: len(m.events(FolderPath=exe)) >= 5000, timeout=60)
        m.stop()
    assert len(m.events(FolderPath=exe)) == 5000
    stopping = m.status("stopping")
    assert len(stopping) == 1
    assert stopping[0]["EventsLost"] == 0
    assert m.returncode == 0


def test_stop_drains_and_reports_counters(workdir):
    with Monitor("--emit", "events") as m:
        m.stop()
    assert m.returncode == 0
    assert len(m.status("ready")) == 1
    stop = m.status("stopping")[0]
    for key in ("EventsSeen", "EventsEmitted", "EventsLost", "KernelExecs"):
        assert isinstance(stop[key], int)
    # every cause of a loss has its counter, and they add up to EventsLost
    assert set(stop["EventsLostBy"]) == {"RingBufferFull", "NoScratchSlot", "TooLarge",
                                         "NoMemory"}
    assert sum(stop["EventsLostBy"].values()) == stop["EventsLost"]
    assert stop["EventsSeen"] >= stop["SnapshotProcesses"] > 0


def test_without_privileges_the_error_says_what_is_needed():
    res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                          "--inh-caps=-all", RMMHUNT, "run"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert "not enough privileges" in res.stderr
    assert "CAP_BPF" in res.stderr
    assert res.stdout == ""


def test_kernel_without_btf_gets_a_clear_error():
    # hide /sys/kernel/btf in a private mount namespace, as on a kernel built without BTF
    res = subprocess.run(["unshare", "-m", "sh", "-c",
                          f"mount -t tmpfs none /sys/kernel/btf && exec {RMMHUNT} run"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert "has no BTF" in res.stderr
    assert os.uname().release in res.stderr
    assert "CONFIG_DEBUG_INFO_BTF" in res.stderr


def test_missing_btf_file_given_with_option():
    res = subprocess.run([RMMHUNT, "run", "--btf", "/nonexistent/vmlinux.btf"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert "cannot read BTF file /nonexistent/vmlinux.btf" in res.stderr


def our_programs():
    """IDs of the loaded BPF programs that are rmmhunt's (by program name)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True,
                         check=True).stdout
    return {p["id"] for p in json.loads(out)
            if p.get("name") in ("exec_btf", "exec_raw", "fork_btf", "fork_raw",
                                 "exit_btf", "exit_raw", "net_tcp_state", "net_udp",
                                 "net_udp_bounded", "net_dns", "net_first_bytes_tp",
                                 "net_first_bytes_fentry", "wine_request")}


def prog_name(prog_id):
    out = subprocess.run(["bpftool", "-j", "prog", "show", "id", str(prog_id)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["name"]


def read_fdinfo(pid, fd):
    """/proc/PID/fdinfo/FD, or None: an fd the monitor closed since it was listed (each
    exec it handles opens and closes a few, /proc/self/fdinfo among them)."""
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}") as f:
            return f.read()
    except FileNotFoundError:
        return None


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return f.read().split()


def test_unusable_btf_file_fails_with_the_loaders_error(tmp_path):
    # the programs are loaded in a child: its error must still reach the user
    btf = tmp_path / "vmlinux.btf"
    btf.write_bytes(open("/sys/kernel/btf/vmlinux", "rb").read(4096))
    before = our_programs()
    res = subprocess.run([RMMHUNT, "run", "--btf", str(btf)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 1
    assert "failed to load the BPF programs" in res.stderr
    assert res.stdout == ""
    assert our_programs() <= before


def test_programs_stay_attached_by_the_monitor_alone_and_go_with_it(workdir):
    before = our_programs()
    with Monitor("--emit", "events") as m:
        # the loader child handed its links over and is gone, and with it the
        # BPF object (libbpf's copy of the kernel's BTF): the one program fd left
        # is the Wine server requests hook's, attached only while a server runs
        assert children(m.proc.pid) == []
        fdinfo = [i for i in (read_fdinfo(m.proc.pid, fd)
                              for fd in os.listdir(f"/proc/{m.proc.pid}/fdinfo")) if i]
        # exec, fork, exit; TCP states, UDP datagrams, DNS answers, first bytes (if read)
        ready = m.status("ready")[0]
        assert ready["NetworkCapture"] == "on"
        # (and its link, if a Wine server runs: another test's may)
        assert ready["NetworkWineRequests"] in ("idle", "attached")
        links = 6 + (not ready["NetworkFirstBytes"].startswith("off"))
        wine_link = ready["NetworkWineRequests"] == "attached"
        assert sum("link_type:" in i for i in fdinfo) == links + wine_link
        progs = [int(line.split()[1]) for i in fdinfo if "prog_type:" in i
                 for line in i.splitlines() if line.startswith("prog_id:")]
        assert [prog_name(p) for p in progs] == ["wine_request"]
        attached = our_programs() - before
        assert len(attached) == links + 1
        exe = unique_copy(workdir, "/bin/true", "rmm-loaded")
        subprocess.run([exe], check=True)
        assert m.wait_for(lambda _: m.events(FolderPath=exe))
        m.proc.kill()
        m.proc.wait(timeout=30)
        # links and maps are held by the monitor's fds only: a kill -9 detaches them
        deadline = time.monotonic() + 10
        while our_programs() & attached and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not our_programs() & attached


def test_account_name_from_the_processes_own_root(workdir):
    """A container's processes are named by the container's /etc/passwd (here: a
    mount namespace with its own file), the host's by the host's."""
    passwd = workdir / "passwd"
    passwd.write_text("container-admin:x:0:0::/root:/bin/sh\n")
    exe = unique_copy(workdir, "/bin/sleep", "rmm-in-ns")
    host_exe = unique_copy(workdir, "/bin/true", "rmm-on-host")
    with Monitor("--emit", "events") as m:
        p = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                              f'mount --bind {passwd} /etc/passwd && exec "$0" 2', exe])
        try:
            (inner,) = m.wait_for(lambda _: m.events(FolderPath=exe))
        finally:
            p.kill()
            p.wait()
        subprocess.run([host_exe], check=True)
        (host,) = m.wait_for(lambda _: m.events(FolderPath=host_exe))
    assert inner["AccountUid"] == 0 and inner["AccountName"] == "container-admin"
    assert host["AccountUid"] == 0 and host["AccountName"] == pwd.getpwuid(0).pw_name
