// SPDX-License-Identifier: MIT
/*
 * `rmmhunt run`: the monitor. Loads the BPF side, reports what already runs,
 * says "ready", then turns each exec into records until SIGINT/SIGTERM, when
 * it drains the ring buffer and says "stopping".
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "capture/clock.h"
#include "capture/decode.h"
#include "capture/device.h"
#include "commands.h"
#include "log.h"
#include "output/json_writer.h"
#include "pipeline.h"

struct run_opts {
	struct capture_opts capture;
	unsigned emit;
	int stats_interval_s;
	char device_id[64];
	char device_name[256];
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static void usage(FILE *f)
{
	fprintf(
	    f, "Usage: rmmhunt run [OPTIONS]\n"
	       "Monitors every exec on this host and prints JSON Lines to stdout.\n\n"
	       "  --emit LIST            what to print besides Status records, a comma list of\n"
	       "                         alerts, events (every exec), matches, suppressed, all\n"
	       "                         (default: alerts)\n"
	       "  --device-id ID         DeviceId (default: /etc/machine-id)\n"
	       "  --device-name NAME     DeviceName (default: $NODE_NAME, else the FQDN)\n"
	       "  --ringbuf-size BYTES   kernel ring buffer size, K/M suffixes (default 16M)\n"
	       "  --stats-interval SECS  Status \"stats\" records every SECS (default 60, 0: off)\n"
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

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end || v < 4096 || v > (1ULL << 30))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_EMIT = 256, OPT_DEVICE_ID, OPT_DEVICE_NAME, OPT_RINGBUF, OPT_STATS, OPT_BTF };
	static const struct option longopts[] = {
	    {"emit", required_argument, NULL, OPT_EMIT},
	    {"device-id", required_argument, NULL, OPT_DEVICE_ID},
	    {"device-name", required_argument, NULL, OPT_DEVICE_NAME},
	    {"ringbuf-size", required_argument, NULL, OPT_RINGBUF},
	    {"stats-interval", required_argument, NULL, OPT_STATS},
	    {"btf", required_argument, NULL, OPT_BTF},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	char *end;
	int c;

	o->emit = EMIT_ALERTS;
	o->stats_interval_s = 60;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_EMIT:
			if (parse_emit(optarg, &o->emit)) {
				pr_err("bad --emit '%s': use alerts, events, matches, suppressed "
				       "or all, comma-separated",
				       optarg);
				return -EINVAL;
			}
			break;
		case OPT_DEVICE_ID:
			snprintf(o->device_id, sizeof(o->device_id), "%s", optarg);
			break;
		case OPT_DEVICE_NAME:
			snprintf(o->device_name, sizeof(o->device_name), "%s", optarg);
			break;
		case OPT_RINGBUF:
			if (parse_size(optarg, &o->capture.ringbuf_size)) {
				pr_err("bad --ringbuf-size '%s': give 4K to 1G", optarg);
				return -EINVAL;
			}
			break;
		case OPT_STATS:
			o->stats_interval_s = strtol(optarg, &end, 10);
			if (*end || o->stats_interval_s < 0) {
				pr_err("bad --stats-interval '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_BTF:
			o->capture.btf_path = optarg;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int on_exec(void *ctx, const struct exec_event *e, size_t size)
{
	static struct exec_info x;
	struct pipeline *p = ctx;

	if (decode__exec(e, size, &x)) {
		pr_warn("dropping a malformed exec record (%zu bytes)", size);
		return 0;
	}
	return pipeline__exec(p, &x);
}

static void write_status(const char *state, struct capture *cap, struct pipeline *p,
			 const struct run_opts *o)
{
	struct capture_counters cc = {};
	struct pipeline_stats ps;
	struct json_writer w;

	capture__counters(cap, &cc);
	pipeline__stats(p, &ps);
	jw_init(&w);
	jw_object_begin(&w);
	jw_kv_str(&w, "RecordType", "Status");
	jw_kv_time(&w, "Timestamp", clock__now_us());
	jw_kv_str(&w, "DeviceId", o->device_id);
	jw_kv_str(&w, "DeviceName", o->device_name);
	jw_kv_str(&w, "State", state);
	jw_kv_str(&w, "Version", RMMHUNT_VERSION);
	jw_kv_str(&w, "AttachMode", capture__attach_mode(cap));
	jw_kv_ulong(&w, "KernelExecs", cc.execs);
	jw_kv_ulong(&w, "EventsSeen", ps.events_seen);
	jw_kv_ulong(&w, "EventsEmitted", ps.events_emitted);
	jw_kv_ulong(&w, "EventsLost", cc.lost);
	jw_kv_ulong(&w, "SnapshotProcesses", ps.snapshot);
	jw_kv_ulong(&w, "DecodeErrors", ps.decode_errors);
	jw_kv_ulong(&w, "OutputErrors", ps.output_errors);
	jw_key(&w, "RingBufferFill");
	jw_double(&w, capture__ring_fill(cap));
	jw_object_end(&w);
	jw_flush_line(&w, stdout);
	jw_free(&w);
	fflush(stdout);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {};
	struct pipeline_opts popts;
	struct capture *cap = NULL;
	struct pipeline *p = NULL;
	time_t next_stats, next_sync;
	int err;

	if (parse_args(argc, argv, &o))
		return 2;
	if (!o.device_id[0] && (err = device__id(o.device_id, sizeof(o.device_id)))) {
		pr_err("cannot read /etc/machine-id (%s): give --device-id", strerror(-err));
		return 1;
	}
	if (!o.device_name[0] && (err = device__name(o.device_name, sizeof(o.device_name)))) {
		pr_err("cannot find the host name (%s): give --device-name", strerror(-err));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	clock__sync();

	popts = (struct pipeline_opts){
	    .emit = o.emit,
	    .device_id = o.device_id,
	    .device_name = o.device_name,
	    .out = stdout,
	};
	p = pipeline__new(&popts);
	if (!p) {
		pr_err("out of memory");
		return 1;
	}
	err = capture__open(&cap, &o.capture, on_exec, p);
	if (err)
		goto cleanup;
	/* attached first, then the snapshot: a process is either seen exec or found running */
	pipeline__snapshot(p);
	write_status("ready", cap, p, &o);
	pr_info("ready: monitoring execs (%s)", capture__attach_mode(cap));

	next_stats = time(NULL) + o.stats_interval_s;
	next_sync = time(NULL) + 1;
	while (!exiting) {
		time_t now;

		err = capture__poll(cap, 100);
		if (err < 0) {
			pr_err("failed to poll the ring buffer: %s", strerror(-err));
			break;
		}
		fflush(stdout);
		now = time(NULL);
		if (now >= next_sync) {
			clock__sync();
			next_sync = now + 1;
		}
		if (o.stats_interval_s && now >= next_stats) {
			write_status("stats", cap, p, &o);
			next_stats = now + o.stats_interval_s;
		}
	}
	capture__drain(cap);
	write_status("stopping", cap, p, &o);
	err = err < 0 ? err : 0;
cleanup:
	capture__free(cap);
	pipeline__free(p);
	fflush(stdout);
	return err ? 1 : 0;
}
