// SPDX-License-Identifier: MIT
/*
 * `rmmhunt run`: the monitor. Loads the BPF side, reports what already runs,
 * says "ready", then turns each exec into records until SIGINT/SIGTERM, when
 * it drains the ring buffer and says "stopping".
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/device.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "capture/capture.h"
#include "capture/decode.h"
#include "cmd/commands.h"
#include "cmd/run_opts.h"
#include "identity/authenticode.h"
#include "identity/identity.h"
#include "ops/caps.h"
#include "ops/metrics.h"
#include "ops/sd_notify.h"
#include "pipeline/detect.h"
#include "pipeline/pipeline.h"

#define IDENTITY_CACHE 4096 /* executables remembered by (dev, inode, ctime, size) */
/* at stop: how long a read stuck in a hung mount may take to end before it is left */
#define SHUTDOWN_READ_GRACE_MS 3000
/*
 * stdout's buffer: records wait in it until the loop goes idle, a rule
 * matched, OUT_FLUSH_MS passed or one no longer fits, so a storm's records
 * leave in few writes, each of whole lines (jw__flush_line).
 */
#define OUT_BUFFER   (64u << 10)
#define OUT_FLUSH_MS 10
/*
 * Fixed, glibc's defaults: with them set, a freed large buffer (a dynamic
 * symbol table, the dpkg status file) goes back to the kernel at once. Left
 * dynamic, glibc raises both on the first such free and later large buffers
 * stay resident in the reader thread's arena.
 */
#define MALLOC_MMAP_THRESHOLD (128u << 10)
#define MALLOC_TRIM_THRESHOLD (128u << 10)

/* The running monitor's parts, for the loop and the Status records. */
struct monitor {
	struct run_opts *o;
	struct capture *cap;
	struct pipeline *pipe;
	struct detector *det;
	struct identity_cache *ids;
	struct authenticode_trust *trust;
	struct metrics *metrics;
};

static volatile sig_atomic_t exiting, reload;
static char out_buf[OUT_BUFFER];

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		exiting = 1;
}

static int on_exec(void *ctx, const struct exec_event *e, size_t size)
{
	static struct exec_info x;
	struct monitor *m = ctx;

	if (decode__exec(e, size, &x)) {
		pr_warn("dropping a malformed exec record (%zu bytes)", size);
		return 0;
	}
	return pipeline__exec(m->pipe, &x);
}

static int on_net(void *ctx, const struct net_event *e, size_t size)
{
	struct monitor *m = ctx;

	return pipeline__net(m->pipe, e, size);
}

static void on_unmatchable(void *ctx, const struct exec_event *k)
{
	struct monitor *m = ctx;

	capture__mark_unmatchable(m->cap, k);
}

static void on_wine_process(void *ctx, const struct exec_event *k, enum wine_role role)
{
	struct monitor *m = ctx;

	capture__wine_process(m->cap, k->tgid, k->exe_ino, role);
}

static struct ruleset *load_rules(const struct run_opts *o)
{
	struct rules_diag diag = {};
	struct ruleset *rs;

	rs = o->nrule_paths
		 ? ruleset__load_paths_flags(o->rule_paths, o->nrule_paths, o->rule_flags, &diag)
		 : ruleset__load_default(&diag);
	for (unsigned i = 0; i < diag.nwarnings && i < 8; i++)
		pr_warn("%s", diag.warnings[i]);
	if (!rs)
		pr_err("failed to load rules: %s%s", diag.msg,
		       o->rule_flags & RULES_SKIP_REFUSED
			   ? ""
			   : " (--skip-refused leaves such files of a directory out)");
	else if (ruleset__refused(rs))
		pr_warn("%zu rule files left out: `rmmhunt rules check PATH` says why each",
			ruleset__refused(rs));
	return rs;
}

/* SIGHUP: new rules, or the old ones kept when the new ones do not load. */
static void reload_rules(struct monitor *m)
{
	struct ruleset *rs = load_rules(m->o);
	int err;

	if (!rs) {
		pr_warn("rules not reloaded: keeping the %zu rules loaded before",
			ruleset__count(detector__rules(m->det)));
		return;
	}
	err = detector__reload(m->det, rs);
	if (err) {
		pr_warn("rules not reloaded (%s): keeping the old ones", strerror(-err));
		return;
	}
	/* the marks were made against the old rules */
	capture__clear_unmatchable(m->cap);
	pr_info("reloaded %zu rules", ruleset__count(detector__rules(m->det)));
}

static void write_rule_counters(struct json_writer *w, struct monitor *m)
{
	const struct ruleset *rs = detector__rules(m->det);

	jw__key(w, "AlertsByRule");
	jw__object_begin(w);
	for (size_t i = 0; i < ruleset__count(rs); i++)
		jw__kv_ulong(w, rule__id(ruleset__rule(rs, i)), detector__alerts(m->det, i));
	jw__object_end(w);
	jw__key(w, "SuppressedByExclusion");
	jw__object_begin(w);
	for (size_t i = 0; i < ruleset__count(rs); i++) {
		const struct rule *r = ruleset__rule(rs, i);

		for (size_t x = 0; x < rule__nexclusions(r); x++) {
			char key[512];

			snprintf(key, sizeof(key), "%s/%s", rule__id(r), rule__exclusion_id(r, x));
			jw__kv_ulong(w, key, detector__suppressed(m->det, i, x));
		}
	}
	jw__object_end(w);
}

/* Counters for Prometheus: refreshed with each Status record and each second. */
static void update_metrics(struct monitor *m)
{
	const struct ruleset *rs = detector__rules(m->det);
	struct capture_counters cc = {};
	struct identity_stats is = {};
	struct pipeline_stats ps;

	if (!m->metrics)
		return;
	capture__counters(m->cap, &cc);
	pipeline__stats(m->pipe, &ps);
	identity_cache__stats(m->ids, &is);
	metrics__set(m->metrics, METRIC_EVENTS_SEEN, ps.events_seen);
	metrics__set(m->metrics, METRIC_EVENTS_EMITTED, ps.events_emitted);
	for (int i = 0; i < CAPTURE_LOST__COUNT; i++)
		metrics__set_labeled(m->metrics, METRIC_EVENTS_LOST, capture__lost_name(i), NULL,
				     cc.lost_by[i]);
	metrics__set(m->metrics, METRIC_IDENTITY_CACHE_HITS, is.hits);
	metrics__set(m->metrics, METRIC_IDENTITY_CACHE_MISSES, is.misses);
	metrics__set(m->metrics, METRIC_READ_TIMEOUTS, ps.read_timeouts);
	metrics__set(m->metrics, METRIC_READS_STUCK, ps.read_stuck);
	metrics__set(m->metrics, METRIC_UNMATCHABLE_EXECS, cc.unmatchable);
	metrics__set(m->metrics, METRIC_RINGBUF_FILL_RATIO, capture__ring_fill(m->cap));
	metrics__set(m->metrics, METRIC_NET_CAPTURE, !strcmp(capture__network(m->cap), "on"));
	metrics__set(m->metrics, METRIC_NET_EVENTS, cc.net_events);
	metrics__set(m->metrics, METRIC_NET_EXCLUDED, cc.net_excluded);
	metrics__set(m->metrics, METRIC_NET_DATA_CUT, cc.net_data_cut);
	for (int i = 0; i < CAPTURE_NET_LOST__COUNT; i++)
		metrics__set_labeled(m->metrics, METRIC_NET_EVENTS_LOST, capture__net_lost_name(i),
				     NULL, cc.net_lost_by[i]);
	for (size_t i = 0; i < ruleset__count(rs); i++) {
		const struct rule *r = ruleset__rule(rs, i);

		metrics__set_labeled(m->metrics, METRIC_ALERTS, rule__id(r), NULL,
				     detector__alerts(m->det, i));
		for (size_t x = 0; x < rule__nexclusions(r); x++)
			metrics__set_labeled(m->metrics, METRIC_SUPPRESSED, rule__id(r),
					     rule__exclusion_id(r, x),
					     detector__suppressed(m->det, i, x));
	}
	metrics__heartbeat(m->metrics);
}

static void write_status(const char *state, struct monitor *m)
{
	struct capture_counters cc = {};
	struct identity_stats is = {};
	struct detect_stats ds = {};
	struct pipeline_stats ps;
	struct json_writer w;

	capture__counters(m->cap, &cc);
	pipeline__stats(m->pipe, &ps);
	identity_cache__stats(m->ids, &is);
	detector__stats(m->det, &ds);
	jw__init(&w);
	jw__object_begin(&w);
	jw__kv_str(&w, "RecordType", "Status");
	jw__kv_time(&w, "Timestamp", clock__now_us());
	jw__kv_str(&w, "DeviceId", m->o->device_id);
	jw__kv_str(&w, "DeviceName", m->o->device_name);
	jw__kv_str(&w, "DeviceIdSource", m->o->device_id_source);
	jw__kv_str(&w, "DeviceNameSource", m->o->device_name_source);
	jw__kv_str(&w, "State", state);
	jw__kv_str(&w, "Version", RMMHUNT_VERSION);
	jw__kv_str(&w, "AttachMode", capture__attach_mode(m->cap));
	jw__kv_ulong(&w, "Rules", ruleset__count(detector__rules(m->det)));
	jw__kv_ulong(&w, "RuleFilesLeftOut", ruleset__refused(detector__rules(m->det)));
	jw__kv_ulong(&w, "KernelExecs", cc.execs);
	jw__kv_ulong(&w, "UnmatchableExecs", cc.unmatchable);
	jw__kv_ulong(&w, "EventsSeen", ps.events_seen);
	jw__kv_ulong(&w, "EventsEmitted", ps.events_emitted);
	jw__kv_ulong(&w, "CertificateRecords", ps.certificates);
	jw__kv_ulong(&w, "EventsLost", cc.lost);
	jw__key(&w, "EventsLostBy");
	jw__object_begin(&w);
	for (int i = 0; i < CAPTURE_LOST__COUNT; i++)
		jw__kv_ulong(&w, capture__lost_name(i), cc.lost_by[i]);
	jw__object_end(&w);
	jw__kv_str(&w, "NetworkCapture", capture__network(m->cap));
	jw__kv_str(&w, "NetworkFirstBytes", capture__first_bytes(m->cap));
	jw__kv_str(&w, "NetworkTcpDns", capture__tcp_dns(m->cap));
	jw__kv_str(&w, "NetworkWineRequests", capture__wine_requests(m->cap));
	jw__kv_ulong(&w, "NetworkEvents", cc.net_events);
	jw__kv_ulong(&w, "NetworkEventsSeen", ps.net.records);
	jw__kv_ulong(&w, "NetworkRecords", ps.net.connections);
	jw__kv_ulong(&w, "NetworkBadRecords", ps.net.bad_records);
	jw__kv_ulong(&w, "DnsAnswers", ps.net.dns_answers);
	jw__kv_ulong(&w, "DnsAnswersBad", ps.net.dns_bad);
	jw__kv_ulong(&w, "DnsAnswersCut", ps.net.dns_cut);
	jw__key(&w, "RemoteUrlFrom");
	jw__object_begin(&w);
	jw__kv_ulong(&w, "TlsSni", ps.net.url_from_tls);
	jw__kv_ulong(&w, "HttpHost", ps.net.url_from_http);
	jw__kv_ulong(&w, "Dns", ps.net.url_from_dns);
	jw__object_end(&w);
	jw__kv_ulong(&w, "NetworkHeldOverflow", ps.net.held_overflow);
	jw__kv_ulong(&w, "WineServerConnects", ps.net.wine_connects);
	jw__kv_ulong(&w, "WineServerRequests", cc.net_wine_requests);
	jw__kv_ulong(&w, "NetworkLost", cc.net_lost);
	jw__key(&w, "NetworkLostBy");
	jw__object_begin(&w);
	for (int i = 0; i < CAPTURE_NET_LOST__COUNT; i++)
		jw__kv_ulong(&w, capture__net_lost_name(i), cc.net_lost_by[i]);
	jw__object_end(&w);
	jw__kv_ulong(&w, "NetworkExcluded", cc.net_excluded);
	jw__kv_ulong(&w, "NetworkDataCut", cc.net_data_cut);
	jw__kv_ulong(&w, "SnapshotProcesses", ps.snapshot);
	jw__kv_ulong(&w, "DecodeErrors", ps.decode_errors);
	jw__kv_ulong(&w, "OutputErrors", ps.output_errors);
	jw__kv_ulong(&w, "IdentityErrors", ps.identity_errors);
	jw__kv_ulong(&w, "ExecutableReplaced", ps.exe_replaced);
	jw__kv_ulong(&w, "ReadTimeouts", ps.read_timeouts);
	jw__kv_ulong(&w, "ReadsRefused", ps.read_refused);
	jw__kv_ulong(&w, "ReadsStuck", ps.read_stuck);
	jw__kv_ulong(&w, "IdentityCacheHits", is.hits);
	jw__kv_ulong(&w, "IdentityCacheMisses", is.misses);
	jw__kv_ulong(&w, "IdentityCacheEntries", is.entries);
	jw__kv_ulong(&w, "WinePrograms", ps.wine_programs);
	jw__kv_ulong(&w, "WineStepsCollapsed", ps.wine_collapsed);
	jw__kv_ulong(&w, "UnmatchableMarked", ps.unmatchable_marked);
	jw__kv_ulong(&w, "Matches", ds.matched);
	jw__kv_ulong(&w, "Suppressed", ds.suppressed);
	jw__kv_ulong(&w, "Alerts", ds.alerts);
	jw__kv_ulong(&w, "StateErrors", ds.state_errors);
	write_rule_counters(&w, m);
	jw__key(&w, "RingBufferFill");
	jw__double(&w, capture__ring_fill(m->cap));
	jw__object_end(&w);
	jw__flush_line(&w, stdout);
	jw__free(&w);
	fflush(stdout);
	update_metrics(m);
}

/* The loop: events, held Wine launches, alerts, stats, until a signal. */
static int run_loop(struct monitor *m)
{
	time_t next_stats = time(NULL) + m->o->stats_interval_s, next_second = time(NULL) + 1;
	struct timespec next_flush = clock__monotonic_after_ms(OUT_FLUSH_MS);
	struct detect_stats ds;
	uint64_t matched = 0;
	int timeout = 100, err = 0;

	while (!exiting) {
		bool busy;
		time_t now;

		err = capture__poll(m->cap, timeout);
		if (err < 0) {
			pr_err("failed to poll the ring buffer: %s", strerror(-err));
			break;
		}
		/* while events come, look again soon: some arrived without a wake-up */
		busy = err > 0;
		err = 0;
		/* drained: held events may be reported now (see identity/wine.h) */
		timeout = pipeline__tick(m->pipe);
		if (timeout < 0 || timeout > 100)
			timeout = 100;
		if (busy && timeout > POLL_BUSY_MS)
			timeout = POLL_BUSY_MS;
		detector__tick(m->det, clock__now_us());
		/* a match (and any Alert) goes out at once; a storm's events together */
		detector__stats(m->det, &ds);
		if (!busy || ds.matched + ds.alerts != matched || !clock__ms_until(&next_flush)) {
			fflush(stdout);
			matched = ds.matched + ds.alerts;
			next_flush = clock__monotonic_after_ms(OUT_FLUSH_MS);
		}
		if (reload) {
			reload = 0;
			reload_rules(m);
		}
		now = time(NULL);
		if (now >= next_second) {
			clock__sync();
			capture__tick(m->cap);
			update_metrics(m);
			next_second = now + 1;
		}
		if (m->o->stats_interval_s && now >= next_stats) {
			write_status("stats", m);
			next_stats = now + m->o->stats_interval_s;
		}
	}
	capture__drain(m->cap);
	pipeline__flush(m->pipe);
	detector__flush(m->det, clock__now_us());
	return err;
}

int cmd__run(int argc, char **argv)
{
	struct run_opts o = {};
	struct pipeline_opts popts;
	struct monitor m = {.o = &o};
	unsigned int stuck = 0; /* reads left in hung mounts at exit */
	struct ruleset *rs;
	char err_msg[256], caps[256];
	int err = 0;

	mallopt(M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD);
	err = run_opts__parse(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2; /* 1: --help */
	o.device_id_source = "--device-id";
	o.device_name_source = "--device-name";
	if (!o.device_id[0] &&
	    (err = device__id(o.device_id, sizeof(o.device_id), &o.device_id_source))) {
		pr_err(
		    "cannot read the machine id from %s or /etc/machine-id (%s): give --device-id",
		    "/proc/1/root/etc/machine-id", strerror(-err));
		return 1;
	}
	if (!o.device_name[0] &&
	    (err = device__name(o.device_name, sizeof(o.device_name), &o.device_name_source))) {
		pr_err("cannot find the host name (%s): give --device-name", strerror(-err));
		return 1;
	}
	/* before the first record: stdio keeps the buffer it was first given */
	setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	/* a bad rule never starts a monitor with half its rules */
	rs = load_rules(&o);
	if (!rs)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	clock__sync();

	o.detect.alert_at_once = true;
	o.detect.out = stdout;
	m.det = detector__new(rs, &o.detect);
	m.ids = identity_cache__new(IDENTITY_CACHE);
	/* before capture drops privileges: the system's bundle and --trust-store files */
	m.trust = authenticode_trust__new(o.trust_paths, o.ntrust_paths, &err);
	if (!m.trust && o.ntrust_paths) {
		pr_err("cannot load --trust-store: %s", strerror(-err));
		err = err ?: -ENOMEM;
		goto cleanup;
	}
	if (!m.trust)
		pr_warn("no trust store: no signature will be trusted");
	err = 0;
	if (m.ids)
		identity_cache__set_trust(m.ids, m.trust);
	popts = (struct pipeline_opts){
	    .emit = o.emit,
	    .device_id = o.device_id,
	    .device_name = o.device_name,
	    .out = stdout,
	    .detector = m.det,
	    .identity = m.ids,
	    .mark_unmatchable = on_unmatchable,
	    .wine_process = on_wine_process,
	    .capture_ctx = &m,
	    .read_timeout_ms = o.read_timeout_us / 1000,
	};
	m.pipe = pipeline__new(&popts);
	if (!m.det || !m.ids || !m.pipe) {
		pr_err("out of memory");
		err = -ENOMEM;
		goto cleanup;
	}
	err = capture__open(&m.cap, &o.capture, on_exec, on_net, &m);
	if (err)
		goto cleanup;
	/* BPF is loaded: keep only what reading other processes needs */
	err = caps__drop_for_monitor();
	if (err) {
		pr_err("failed to drop capabilities: %s", strerror(-err));
		goto cleanup;
	}
	/* after the drop too: the ring consumer thread is born with our capabilities */
	err = capture__start(m.cap);
	if (err)
		goto cleanup;
	/* after the drop: capabilities are per thread, and the server's is born with ours */
	if (o.metrics_listen) {
		m.metrics = metrics__start(o.metrics_listen, err_msg, sizeof(err_msg));
		if (!m.metrics) {
			pr_err("failed to serve metrics on %s: %s", o.metrics_listen, err_msg);
			err = -EINVAL;
			goto cleanup;
		}
	}
	caps__describe(caps, sizeof(caps));
	pr_debug("capabilities now: %s", caps);
	/* attached first, then the snapshot: a process is either seen exec or found running */
	pipeline__snapshot(m.pipe);
	write_status("ready", &m);
	sd_notify__send("READY=1");
	pr_info("ready: %zu rules, monitoring execs (%s), network capture %s",
		ruleset__count(detector__rules(m.det)), capture__attach_mode(m.cap),
		capture__network(m.cap));

	err = run_loop(&m);
	sd_notify__send("STOPPING=1");
	write_status("stopping", &m);
cleanup:
	capture__free(m.cap);
	/* a mount that just answered again: let its reads end, then free all */
	if (m.pipe)
		stuck = pipeline__wait_reads(m.pipe, SHUTDOWN_READ_GRACE_MS);
	pipeline__free(m.pipe);
	detector__free(m.det);
	/* a worker stuck in a hung mount fills the cache when it returns: leave it that */
	if (!stuck) {
		identity_cache__free(m.ids);
		authenticode_trust__free(m.trust);
	}
	metrics__stop(m.metrics);
	fflush(stdout);
	return err ? 1 : 0;
}
