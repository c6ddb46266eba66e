/* SPDX-License-Identifier: MIT */
/* The options of `rmmhunt run`, parsed apart from the monitor (and testable without it). */
#ifndef RMMHUNT_RUN_OPTS_H
#define RMMHUNT_RUN_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "pipeline/detect.h"

#define RUN_MAX_RULE_PATHS  64
#define RUN_MAX_TRUST_PATHS 16
#define RUN_MAX_NET_EXCLUDE 256 /* --net-exclude ranges */

struct run_opts {
	struct capture_opts capture; /* its net_exclude points into net_exclude[] */
	struct net_prefix net_exclude[RUN_MAX_NET_EXCLUDE];
	unsigned emit; /* EMIT_* of pipeline/pipeline.h */
	int stats_interval_s;
	char device_id[64];		/* "": the host's machine-id (device__id) */
	char device_name[256];		/* "": $NODE_NAME, else the host's name (device__name) */
	const char *device_id_source;	/* which file, or "--device-id" */
	const char *device_name_source; /* NODE_NAME, pid 1's UTS namespace, ... */
	const char *rule_paths[RUN_MAX_RULE_PATHS];
	size_t nrule_paths;			      /* 0: the built-in rules */
	unsigned rule_flags;			      /* RULES_SKIP_REFUSED (rules/rules.h) */
	const char *trust_paths[RUN_MAX_TRUST_PATHS]; /* --trust-store */
	size_t ntrust_paths;
	struct detector_opts detect;
	const char *metrics_listen;
	int64_t read_timeout_us; /* 0: the pipeline's default */
};

/*
 * Fills @o from the command line (argv[0], the command, is skipped). What no
 * option sets keeps its default: alerts, Status stats every 60 s, the
 * default state file. Returns 0; 1 when --help was printed (exit 0); or
 * -EINVAL after saying on stderr what is wrong (exit 2).
 */
int run_opts__parse(int argc, char **argv, struct run_opts *o);

#endif
