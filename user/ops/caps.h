/* SPDX-License-Identifier: MIT */
/*
 * Least privilege after start-up. Loading and attaching BPF needs CAP_BPF,
 * CAP_PERFMON (and on old kernels CAP_SYS_ADMIN); what follows mostly does
 * not: the ring buffer is already mapped, and since Linux 5.19 a BPF map is
 * read and updated through its open fd without any capability (before 5.19,
 * kernel.unprivileged_bpf_disabled made every bpf() call need CAP_BPF, so
 * there it stays). What the monitor still needs is reading other processes'
 * /proc/PID/{exe,root,cwd,environ,maps} (CAP_SYS_PTRACE, as ptrace_may_access()
 * guards them) and the files in their roots whatever their modes
 * (CAP_DAC_READ_SEARCH). So once attached it drops the rest.
 */
#ifndef RMMHUNT_CAPS_H
#define RMMHUNT_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Keeps only the capabilities in @keep (CAP_* numbers) in the effective and
 * permitted sets, clears the inheritable and ambient sets, drops every other
 * capability from the bounding set, and sets PR_SET_NO_NEW_PRIVS. A kept
 * capability the process does not have stays absent (nothing can be gained).
 * The bounding set is left as it is when CAP_SETPCAP is not effective (a
 * container whose runtime already bounded it): no_new_privs then keeps any
 * exec from gaining more. Irreversible. Returns 0, -EINVAL for a number the
 * kernel does not know, or another negative errno.
 */
int caps__drop_to(const int *keep, size_t n);

/*
 * The monitor after attach: caps__drop_to(CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH),
 * plus CAP_BPF where caps__bpf_fd_needs_cap().
 */
int caps__drop_for_monitor(void);

/* True when bpf() on an already open map fd still needs CAP_BPF on this kernel. */
bool caps__bpf_fd_needs_cap(void);

/*
 * Writes "CapEff=<hex> CapPrm=<hex> CapBnd=<hex> NoNewPrivs=<0|1>" as
 * /proc/self/status shows them, for a log line. Returns 0 or a negative errno.
 */
int caps__describe(char *buf, size_t n);

#endif
