/* SPDX-License-Identifier: MIT */
/*
 * The pipeline's parts, for the files that make it up (pipeline.c, net.c):
 * no other module includes this.
 */
#ifndef RMMHUNT_PIPELINE_INT_H
#define RMMHUNT_PIPELINE_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "base/json_writer.h"
#include "event.h"
#include "identity/root.h"
#include "pipeline/pipeline.h"

struct pipeline {
	struct pipeline_opts opts;
	struct pipeline_stats stats;
	struct lineage *lineage;
	struct wine *wine;
	struct reader *reader; /* every read of an executable, off the loop */
	struct wine_hold *hold;
	ino_t self_mnt_ns;
	int own_root_fd;	    /* the reader's "/", or -1: never closed here */
	struct root_id own_root_id; /* its mount and inode, as the kernel records an exec's root */
	struct event ev;
	struct event cert;	/* the signatures of the file finish() identifies */
	struct cert_seen *seen; /* when each signed file was last reported */
	struct json_writer jw;
	int64_t last_report_id;
	char cmdline[CMDLINE_MAX];
	char parent_cmdline[CMDLINE_MAX];
	char parent_argv[ARGV_MAX];
	struct procfs_completion *fixed; /* an exec completed from /proc, and what is missing */
};

#endif
