/* SPDX-License-Identifier: MIT */
/*
 * --metrics-listen: Prometheus text exposition on /metrics and a liveness
 * answer on /healthz. The main loop sets values (at most every 100 ms) and
 * calls metrics__heartbeat() each time round; the server thread renders
 * whatever was last set, under one mutex. Every function accepts a NULL
 * struct metrics, so the loop needs no check when metrics are off.
 */
#ifndef RMMHUNT_METRICS_H
#define RMMHUNT_METRICS_H

#include <stddef.h>

enum metric {
	/* Without labels: metrics__set(). */
	METRIC_EVENTS_SEEN,	      /* rmmhunt_events_seen_total */
	METRIC_EVENTS_EMITTED,	      /* rmmhunt_events_emitted_total */
	METRIC_IDENTITY_CACHE_HITS,   /* rmmhunt_identity_cache_hits_total */
	METRIC_IDENTITY_CACHE_MISSES, /* rmmhunt_identity_cache_misses_total */
	METRIC_RINGBUF_FILL_RATIO,    /* rmmhunt_ringbuf_fill_ratio, 0..1 */
	METRIC_READ_TIMEOUTS,	      /* rmmhunt_read_timeouts_total: hung file systems */
	METRIC_READS_STUCK,	      /* rmmhunt_reads_stuck: workers waiting for one now */
	METRIC_UNMATCHABLE_EXECS,     /* rmmhunt_unmatchable_execs_total: counted in the kernel */
	METRIC_NET_CAPTURE,	      /* rmmhunt_network_capture: 1 on, 0 off (Status says why) */
	METRIC_NET_EVENTS,	      /* rmmhunt_network_events_total: records the kernel sent */
	METRIC_NET_EXCLUDED,	      /* rmmhunt_network_excluded_total: --net-exclude drops */
	METRIC_NET_DATA_CUT,	      /* rmmhunt_network_data_cut_total */
	/* With labels: metrics__set_labeled(). */
	METRIC_EVENTS_LOST,	/* rmmhunt_events_lost_total{cause} */
	METRIC_NET_EVENTS_LOST, /* rmmhunt_network_events_lost_total{cause} */
	METRIC_ALERTS,		/* rmmhunt_alerts_total{rule} */
	METRIC_SUPPRESSED,	/* rmmhunt_events_suppressed_total{rule,exclusion} */
	METRIC__COUNT,
};

#define METRICS_MAX_SERIES	 1024 /* labelled series in all; more are refused */
#define METRICS_HEALTH_TIMEOUT_S 10   /* default: /healthz fails this long after a heartbeat */

struct metrics;

/*
 * Serves on @listen ("127.0.0.1:9101", "[::]:9101"; port 0 picks a free one)
 * from a thread of its own. Returns NULL with a message in @err on failure.
 */
struct metrics *metrics__start(const char *listen, char *err, size_t n);
void metrics__stop(struct metrics *m);
int metrics__port(const struct metrics *m); /* the port bound, -1 for NULL */

/* Sets an unlabelled metric (a counter's running total, or a gauge). */
void metrics__set(struct metrics *m, enum metric id, double value);
/*
 * Sets one series of a labelled metric, by the values of its labels: @cause
 * for METRIC_EVENTS_LOST, @rule for METRIC_ALERTS, @rule and @exclusion for
 * METRIC_SUPPRESSED (@label2 NULL where there is one label); @cause for
 * METRIC_NET_EVENTS_LOST. Returns 0,
 * -EINVAL for a metric without those labels, -ENOSPC past METRICS_MAX_SERIES,
 * or -ENOMEM.
 */
int metrics__set_labeled(struct metrics *m, enum metric id, const char *label1, const char *label2,
			 double value);

/* The main loop is alive: /healthz answers 200 until the timeout passes. */
void metrics__heartbeat(struct metrics *m);
void metrics__set_health_timeout(struct metrics *m, unsigned int seconds);

#endif
