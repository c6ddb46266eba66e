// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json_writer.h"
#include "base/utf8.h"
#include "ops/httpd.h"
#include "ops/metrics.h"

static const struct {
	const char *name;
	const char *type;
	const char *help;
	const char *label[2]; /* NULL where unused */
} defs[METRIC__COUNT] = {
    [METRIC_EVENTS_SEEN] = {"rmmhunt_events_seen_total", "counter",
			    "Execs received from the kernel."},
    [METRIC_EVENTS_EMITTED] = {"rmmhunt_events_emitted_total", "counter",
			       "Events written to stdout."},
    [METRIC_IDENTITY_CACHE_HITS] = {"rmmhunt_identity_cache_hits_total", "counter",
				    "Executable identities found in the cache."},
    [METRIC_IDENTITY_CACHE_MISSES] = {"rmmhunt_identity_cache_misses_total", "counter",
				      "Executable identities read from the file."},
    [METRIC_RINGBUF_FILL_RATIO] = {"rmmhunt_ringbuf_fill_ratio", "gauge",
				   "Share of the ring buffer holding unread events."},
    [METRIC_READ_TIMEOUTS] = {"rmmhunt_read_timeouts_total", "counter",
			      "Reads of executables given up: the file system did not answer."},
    [METRIC_READS_STUCK] = {"rmmhunt_reads_stuck", "gauge",
			    "Reads still waiting for a file system that did not answer."},
    [METRIC_UNMATCHABLE_EXECS] = {"rmmhunt_unmatchable_execs_total", "counter",
				  "Execs of executables no rule can match, counted in the kernel."},
    [METRIC_NET_CAPTURE] = {"rmmhunt_network_capture", "gauge",
			    "Whether network connections are captured (1) or not (0)."},
    [METRIC_NET_EVENTS] = {"rmmhunt_network_events_total", "counter",
			   "Network records sent by the kernel."},
    [METRIC_NET_EXCLUDED] = {"rmmhunt_network_excluded_total", "counter",
			     "Connections to a --net-exclude range, dropped in the kernel."},
    [METRIC_NET_DATA_CUT] = {"rmmhunt_network_data_cut_total", "counter",
			     "DNS answers and first bytes cut to what the kernel side reads."},
    [METRIC_NET_EVENTS_LOST] = {"rmmhunt_network_events_lost_total",
				"counter",
				"Network records that never reached the pipeline, by cause.",
				{"cause"}},
    [METRIC_EVENTS_LOST] = {"rmmhunt_events_lost_total",
			    "counter",
			    "Execs whose event never reached user space's pipeline, by cause.",
			    {"cause"}},
    [METRIC_ALERTS] = {"rmmhunt_alerts_total", "counter", "Events that matched a rule.", {"rule"}},
    [METRIC_SUPPRESSED] = {"rmmhunt_events_suppressed_total",
			   "counter",
			   "Matching events an exclusion suppressed.",
			   {"rule", "exclusion"}},
};

struct series {
	enum metric id;
	char *label[2];
	double value;
};

struct metrics {
	pthread_mutex_t lock;
	double value[METRIC__COUNT];
	struct series *series;
	size_t nseries, cap;
	uint64_t last_beat_ns; /* CLOCK_MONOTONIC; 0 = never */
	unsigned int health_timeout_s;
	struct httpd *httpd;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->p && b->len + n < b->cap) {
			b->len += n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap <= b->len + n)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/*
 * A label value as the exposition format wants it: backslash, quote and
 * newline escaped, and valid UTF-8 (rule names come from files: a byte that
 * is not valid UTF-8 becomes '?').
 */
static void buf_label_value(struct buf *b, const char *s)
{
	bool valid = utf8__valid(s, strlen(s));

	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '\\' || c == '"')
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_printf(b, "\\n");
		else
			buf_printf(b, "%c", c >= 0x80 && !valid ? '?' : c);
	}
}

static void render(struct metrics *m, struct buf *b)
{
	buf_printf(b, "# HELP rmmhunt_up Whether the monitor answers.\n# TYPE rmmhunt_up gauge\n"
		      "rmmhunt_up 1\n");
	buf_printf(b,
		   "# HELP rmmhunt_build_info The running version.\n"
		   "# TYPE rmmhunt_build_info gauge\n"
		   "rmmhunt_build_info{version=\"%s\"} 1\n",
		   RMMHUNT_VERSION);
	for (int id = 0; id < METRIC__COUNT; id++) {
		buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", defs[id].name, defs[id].help,
			   defs[id].name, defs[id].type);
		if (!defs[id].label[0]) {
			buf_printf(b, "%s %.15g\n", defs[id].name, m->value[id]);
			continue;
		}
		for (size_t i = 0; i < m->nseries; i++) {
			const struct series *s = &m->series[i];

			if (s->id != (enum metric)id)
				continue;
			buf_printf(b, "%s{", defs[id].name);
			for (int l = 0; l < 2 && defs[id].label[l]; l++) {
				buf_printf(b, "%s%s=\"", l ? "," : "", defs[id].label[l]);
				buf_label_value(b, s->label[l]);
				buf_printf(b, "\"");
			}
			buf_printf(b, "} %.15g\n", s->value);
		}
	}
}

static bool healthy(struct metrics *m)
{
	uint64_t beat = __atomic_load_n(&m->last_beat_ns, __ATOMIC_RELAXED);
	unsigned int timeout = __atomic_load_n(&m->health_timeout_s, __ATOMIC_RELAXED);

	return beat && mono_ns() - beat <= timeout * 1000000000ULL;
}

static int handle(void *ctx, const char *path, struct httpd_response *resp)
{
	struct metrics *m = ctx;
	struct buf b = {0};

	resp->content_type = "text/plain; charset=utf-8";
	if (!strcmp(path, "/metrics")) {
		resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
		resp->status = 200;
		pthread_mutex_lock(&m->lock);
		render(m, &b);
		pthread_mutex_unlock(&m->lock);
	} else if (!strcmp(path, "/healthz")) {
		/* Not yet ticked, or stuck: either way, not live. */
		resp->status = healthy(m) ? 200 : 503;
		buf_printf(&b, resp->status == 200 ? "ok\n" : "main loop stalled\n");
	} else {
		resp->status = 404;
		buf_printf(&b, "not found\n");
	}
	if (b.failed) {
		free(b.p);
		return -ENOMEM;
	}
	resp->body = b.p;
	resp->len = b.len;
	return 0;
}

struct metrics *metrics__start(const char *listen, char *err, size_t n)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->health_timeout_s = METRICS_HEALTH_TIMEOUT_S;
	m->httpd = httpd__start(listen, handle, m, err, n);
	if (!m->httpd) {
		pthread_mutex_destroy(&m->lock);
		free(m);
		return NULL;
	}
	return m;
}

void metrics__stop(struct metrics *m)
{
	if (!m)
		return;
	httpd__stop(m->httpd);
	for (size_t i = 0; i < m->nseries; i++) {
		free(m->series[i].label[0]);
		free(m->series[i].label[1]);
	}
	free(m->series);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int metrics__port(const struct metrics *m)
{
	return m ? httpd__port(m->httpd) : -1;
}

void metrics__set(struct metrics *m, enum metric id, double value)
{
	if (!m || id < 0 || id >= METRIC__COUNT || defs[id].label[0])
		return;
	pthread_mutex_lock(&m->lock);
	m->value[id] = value;
	pthread_mutex_unlock(&m->lock);
}

static bool label_eq(const char *a, const char *b)
{
	return !a || !b ? a == b : !strcmp(a, b);
}

int metrics__set_labeled(struct metrics *m, enum metric id, const char *label1, const char *label2,
			 double value)
{
	const char *want[2] = {label1, label2};
	struct series *s = NULL;
	int err = 0;

	if (!m)
		return 0;
	if (id < 0 || id >= METRIC__COUNT || !defs[id].label[0])
		return -EINVAL;
	for (int l = 0; l < 2; l++)
		if (!defs[id].label[l] != !want[l])
			return -EINVAL;

	pthread_mutex_lock(&m->lock);
	/* A few dozen series, updated every 100 ms: a linear search is enough. */
	for (size_t i = 0; i < m->nseries && !s; i++)
		if (m->series[i].id == id && label_eq(m->series[i].label[0], want[0]) &&
		    label_eq(m->series[i].label[1], want[1]))
			s = &m->series[i];
	if (!s) {
		if (m->nseries == METRICS_MAX_SERIES) {
			err = -ENOSPC;
			goto cleanup;
		}
		if (m->nseries == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 16;
			struct series *p = realloc(m->series, cap * sizeof(*p));

			if (!p) {
				err = -ENOMEM;
				goto cleanup;
			}
			m->series = p;
			m->cap = cap;
		}
		s = &m->series[m->nseries];
		memset(s, 0, sizeof(*s));
		s->id = id;
		for (int l = 0; l < 2; l++) {
			if (want[l] && !(s->label[l] = strdup(want[l]))) {
				free(s->label[0]);
				err = -ENOMEM;
				goto cleanup;
			}
		}
		m->nseries++;
	}
	s->value = value;
cleanup:
	pthread_mutex_unlock(&m->lock);
	return err;
}

void metrics__heartbeat(struct metrics *m)
{
	if (m)
		__atomic_store_n(&m->last_beat_ns, mono_ns(), __ATOMIC_RELAXED);
}

void metrics__set_health_timeout(struct metrics *m, unsigned int seconds)
{
	if (m)
		__atomic_store_n(&m->health_timeout_s, seconds, __ATOMIC_RELAXED);
}
