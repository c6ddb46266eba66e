#!/usr/bin/python3
"""A FUSE file system that hangs for one process: a stand-in for a hung NFS
or FUSE mount, as the monitor sees it.

    hangfs.py SRC MOUNTPOINT PID RELEASE [PREFIX]

Mounts a read-only view of the tree SRC at MOUNTPOINT. Every request made by
a thread of process PID (the monitor) for a path under PREFIX (default: /,
everything) blocks, the way an NFS server that went away blocks it;
requests from everyone else (the programs the test runs from the mount) are
served, so their execs succeed. Once the file RELEASE exists (outside the
mount: the daemon's threads may all be held), blocked requests are answered
and no more are held. It runs in the foreground until unmounted.
"""
import errno
import os
import stat
import sys
import time

from fusepy import FUSE, FuseOSError, Operations, fuse_get_context


def tgid_of(tid):
    """The process of thread @tid (FUSE names the thread that asked)."""
    try:
        with open(f"/proc/{tid}/status") as f:
            for line in f:
                if line.startswith("Tgid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return tid


class HangFS(Operations):
    def __init__(self, src, pid, release, prefix="/"):
        self.src, self.pid, self.release_path, self.prefix = src, pid, release, prefix
        self.files, self.dirs = {}, {"/": set()}
        for top, dirs, files in os.walk(src):
            rel = "/" + os.path.relpath(top, src) if top != src else "/"
            for d in dirs:
                path = os.path.join(rel, d)
                self.dirs[path] = set()
                self.dirs[rel].add(d)
            for name in files:
                with open(os.path.join(top, name), "rb") as f:
                    self.files[os.path.join(rel, name)] = f.read()
                self.dirs[rel].add(name)

    def hold(self, path):
        if path.startswith(self.prefix) and tgid_of(fuse_get_context()[2]) == self.pid:
            while not os.path.exists(self.release_path):
                time.sleep(0.05)

    def getattr(self, path, fh=None):
        self.hold(path)
        if path in self.dirs:
            return {"st_mode": stat.S_IFDIR | 0o755, "st_nlink": 2}
        if path not in self.files:
            raise FuseOSError(errno.ENOENT)
        return {"st_mode": stat.S_IFREG | 0o755, "st_nlink": 1,
                "st_size": len(self.files[path])}

    def readdir(self, path, fh):
        self.hold(path)
        return [".", ".."] + sorted(self.dirs.get(path, ()))

    def open(self, path, flags):
        self.hold(path)
        if path not in self.files:
            raise FuseOSError(errno.ENOENT)
        return 0

    def read(self, path, size, offset, fh):
        self.hold(path)
        return self.files[path][offset:offset + size]


def main():
    src, mnt, pid, release = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    prefix = sys.argv[5] if len(sys.argv) > 5 else "/"
    FUSE(HangFS(src, pid, release, prefix), mnt, foreground=True, ro=True, allow_other=True)


if __name__ == "__main__":
    main()
