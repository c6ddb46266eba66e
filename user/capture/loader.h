/* SPDX-License-Identifier: MIT */
/*
 * Loading the kernel side. To relocate the programs (CO-RE), libbpf parses the
 * kernel's whole BTF: some 11 MiB on a 6.x kernel, most of the monitor's peak
 * memory. The load therefore runs in a short-lived child, which hands back
 * only what the monitor keeps: the maps it reads and writes, and the links
 * that keep the programs attached for as long as their fds stay open.
 */
#ifndef RMMHUNT_LOADER_H
#define RMMHUNT_LOADER_H

#include <stdbool.h>
#include <stddef.h>

enum { LOADER_NLINKS = 3 }; /* exec, fork, exit */

struct bpf_handles {
	int events_fd;	    /* the ring buffer */
	int counters_fd;    /* per-CPU counters, enum counter */
	int unmatchable_fd; /* unmatchable executables by struct exe_key */
	int link_fd[LOADER_NLINKS];
	bool raw_tp; /* attached as raw_tp: the kernel has no tracepoint BTF */
};

/*
 * Checks privileges, BTF and ring-buffer support, then loads and attaches
 * the programs with a ring buffer of @ringbuf_size bytes (a power of two).
 * On failure, logs one clear message saying what is missing and returns a
 * negative errno, with every fd of @h -1.
 */
int loader__load(const char *btf_path, size_t ringbuf_size, struct bpf_handles *h);
/* Detaches the programs: closes every fd. */
void loader__close(struct bpf_handles *h);

#endif
