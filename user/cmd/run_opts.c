// SPDX-License-Identifier: MIT
/* The options of `rmmhunt run`: defaults, the option table, each option's value. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/state.h"
#include "base/log.h"
#include "cmd/options.h"
#include "cmd/run_opts.h"
#include "pipeline/pipeline.h"

enum {
	OPT_EMIT = 256,
	OPT_DEVICE_ID,
	OPT_DEVICE_NAME,
	OPT_RINGBUF,
	OPT_STATS,
	OPT_BTF,
	OPT_RULES,
	OPT_SKIP_REFUSED,
	OPT_TRUST_STORE,
	OPT_WINDOW,
	OPT_SUMMARY,
	OPT_STATE,
	OPT_METRICS,
	OPT_READ_TIMEOUT,
	OPT_NET_EXCLUDE,
	OPT_NO_NETWORK,
	OPT_NET_RINGBUF,
};

static const struct option longopts[] = {
    {"emit", required_argument, NULL, OPT_EMIT},
    {"device-id", required_argument, NULL, OPT_DEVICE_ID},
    {"device-name", required_argument, NULL, OPT_DEVICE_NAME},
    {"ringbuf-size", required_argument, NULL, OPT_RINGBUF},
    {"stats-interval", required_argument, NULL, OPT_STATS},
    {"btf", required_argument, NULL, OPT_BTF},
    {"rules", required_argument, NULL, OPT_RULES},
    {"skip-refused", no_argument, NULL, OPT_SKIP_REFUSED},
    {"trust-store", required_argument, NULL, OPT_TRUST_STORE},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"summary-interval", required_argument, NULL, OPT_SUMMARY},
    {"state", required_argument, NULL, OPT_STATE},
    {"metrics-listen", required_argument, NULL, OPT_METRICS},
    {"read-timeout", required_argument, NULL, OPT_READ_TIMEOUT},
    {"net-exclude", required_argument, NULL, OPT_NET_EXCLUDE},
    {"no-network", no_argument, NULL, OPT_NO_NETWORK},
    {"net-ringbuf-size", required_argument, NULL, OPT_NET_RINGBUF},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {},
};

static void usage(FILE *f)
{
	fprintf(
	    f, "Usage: rmmhunt run [OPTIONS]\n"
	       "Monitors every exec and network connection on this host and prints JSON\n"
	       "Lines to stdout.\n\n"
	       "  --emit LIST            what to print besides Status records, a comma list of\n"
	       "                         alerts, events (every exec), matches, suppressed, all\n"
	       "                         (default: alerts)\n"
	       "  --device-id ID         DeviceId (default: the host's machine-id)\n"
	       "  --device-name NAME     DeviceName (default: $NODE_NAME, else the host's name)\n"
	       "  --ringbuf-size BYTES   kernel ring buffer size, K/M suffixes (default 512K)\n"
	       "  --net-ringbuf-size BYTES  the network records' ring buffer (default 1M)\n"
	       "  --net-exclude CIDR     no network event for connections to or from this\n"
	       "                         range (10.0.0.0/8, fd00::/8; repeatable), dropped\n"
	       "                         in the kernel; DNS answers are still read\n"
	       "  --no-network           execs only: no DeviceNetworkEvents capture\n"
	       "  --stats-interval SECS  Status \"stats\" records every SECS (default 60, 0: off)\n"
	       "  --rules PATH           rule file or directory of *.yaml (repeatable; default:\n"
	       "                         the built-in rules). SIGHUP reloads them.\n"
	       "  --skip-refused         leave out, with a warning, the files of a --rules\n"
	       "                         directory that do not load (as a cloned pack has)\n"
	       "  --window DUR           look-back for every rule instead of its own (5d, 12h)\n"
	       "  --summary-interval DUR least time between two alerts of a group (default 60s)\n"
	       "  --state FILE           alert state kept across restarts (default\n"
	       "                         " STATE_DEFAULT_PATH "; '' keeps none)\n"
	       "  --trust-store PATH     PEM file or directory of roots that Authenticode\n"
	       "                         signatures may chain to, beside the system's CA bundle\n"
	       "                         (repeatable)\n"
	       "  --read-timeout DUR     longest wait for an executable's file system, after\n"
	       "                         which it counts as hung and is not read (default 500ms;\n"
	       "                         a read that is working, or waiting for a CPU, gets 5s)\n"
	       "  --metrics-listen ADDR:PORT  Prometheus /metrics and /healthz (default: off)\n"
	       "  --btf PATH             kernel BTF file, for kernels without /sys/kernel/btf\n"
	       "  -v, --verbose          debug logs (and libbpf's) on stderr\n"
	       "  -h, --help             this text\n");
}

static int parse_emit(const char *s, unsigned *out)
{
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "alerts"))
			*out |= EMIT_ALERTS;
		else if (!strcmp(tok, "events"))
			*out |= EMIT_EVENTS | EMIT_ALERTS;
		else if (!strcmp(tok, "matches"))
			*out |= EMIT_MATCHES;
		else if (!strcmp(tok, "suppressed"))
			*out |= EMIT_SUPPRESSED;
		else if (!strcmp(tok, "all"))
			*out |= EMIT_ALERTS | EMIT_EVENTS | EMIT_MATCHES | EMIT_SUPPRESSED;
		else
			return -EINVAL;
	}
	return *out ? 0 : -EINVAL;
}

/* One option's value into @o: 0, 1 for --help (printed), or -EINVAL (said why). */
static int set_option(struct run_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case OPT_EMIT:
		if (parse_emit(arg, &o->emit)) {
			pr_err("bad --emit '%s': use alerts, events, matches, suppressed "
			       "or all, comma-separated",
			       arg);
			return -EINVAL;
		}
		break;
	case OPT_DEVICE_ID:
		snprintf(o->device_id, sizeof(o->device_id), "%s", arg);
		break;
	case OPT_DEVICE_NAME:
		snprintf(o->device_name, sizeof(o->device_name), "%s", arg);
		break;
	case OPT_RINGBUF:
		if (options__parse_size(arg, 4096, 1UL << 30, &o->capture.ringbuf_size)) {
			pr_err("bad --ringbuf-size '%s': give 4K to 1G", arg);
			return -EINVAL;
		}
		break;
	case OPT_STATS:
		o->stats_interval_s = strtol(arg, &end, 10);
		if (*end || o->stats_interval_s < 0) {
			pr_err("bad --stats-interval '%s'", arg);
			return -EINVAL;
		}
		break;
	case OPT_BTF:
		o->capture.btf_path = arg;
		break;
	case OPT_RULES:
		if (o->nrule_paths == RUN_MAX_RULE_PATHS) {
			pr_err("at most %d --rules", RUN_MAX_RULE_PATHS);
			return -EINVAL;
		}
		o->rule_paths[o->nrule_paths++] = arg;
		break;
	case OPT_SKIP_REFUSED:
		o->rule_flags |= RULES_SKIP_REFUSED;
		break;
	case OPT_TRUST_STORE:
		if (o->ntrust_paths == RUN_MAX_TRUST_PATHS) {
			pr_err("at most %d --trust-store", RUN_MAX_TRUST_PATHS);
			return -EINVAL;
		}
		o->trust_paths[o->ntrust_paths++] = arg;
		break;
	case OPT_WINDOW:
	case OPT_SUMMARY:
		if (options__parse_duration_us(arg, c == OPT_WINDOW
							? &o->detect.window_us
							: &o->detect.summary_interval_us)) {
			pr_err("bad --%s '%s': give a duration such as 5d, 12h, 30s, 500ms",
			       c == OPT_WINDOW ? "window" : "summary-interval", arg);
			return -EINVAL;
		}
		break;
	case OPT_STATE:
		o->detect.state_path = *arg ? arg : NULL;
		break;
	case OPT_METRICS:
		o->metrics_listen = arg;
		break;
	case OPT_READ_TIMEOUT:
		if (options__parse_duration_us(arg, &o->read_timeout_us) ||
		    o->read_timeout_us < 1000 || o->read_timeout_us > 60000000) {
			pr_err("bad --read-timeout '%s': give 1ms to 60s", arg);
			return -EINVAL;
		}
		break;
	case OPT_NET_EXCLUDE:
		if (o->capture.nnet_exclude == RUN_MAX_NET_EXCLUDE) {
			pr_err("at most %d --net-exclude", RUN_MAX_NET_EXCLUDE);
			return -EINVAL;
		}
		if (options__parse_cidr(arg, &o->net_exclude[o->capture.nnet_exclude])) {
			pr_err("bad --net-exclude '%s': give an IPv4 or IPv6 range such as "
			       "10.0.0.0/8 or fd00::/8, or one address",
			       arg);
			return -EINVAL;
		}
		o->capture.nnet_exclude++;
		break;
	case OPT_NO_NETWORK:
		o->capture.no_network = true;
		break;
	case OPT_NET_RINGBUF:
		if (options__parse_size(arg, 4096, 1UL << 30, &o->capture.net_ringbuf_size)) {
			pr_err("bad --net-ringbuf-size '%s': give 4K to 1G", arg);
			return -EINVAL;
		}
		break;
	case 'v':
		log__set_level(LOG_DEBUG);
		break;
	case 'h':
		usage(stdout);
		return 1;
	default: /* getopt said what it did not know */
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int run_opts__parse(int argc, char **argv, struct run_opts *o)
{
	int c, err;

	*o = (struct run_opts){
	    .emit = EMIT_ALERTS,
	    .stats_interval_s = 60,
	    .detect.state_path = STATE_DEFAULT_PATH,
	};
	o->capture.net_exclude = o->net_exclude;
	optind = 0; /* a fresh scan: getopt keeps its place between calls */
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		err = set_option(o, c, optarg);
		if (err)
			return err;
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}
