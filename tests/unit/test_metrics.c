// SPDX-License-Identifier: MIT
/*
 * The metrics endpoint over a real socket: the exposition text is checked
 * line by line against the Prometheus text format (0.0.4) by a strict parser
 * here, then for the values the main loop set.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ops/metrics.h"

static int connect_to(const char *ip, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct timeval tv = {.tv_sec = 5};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Sends @request raw and returns the whole response (malloc'd); *status from its first line. */
static char *http_raw(int port, const char *request, size_t len, int *status)
{
	size_t cap = 1 << 16, got = 0;
	char *resp = malloc(cap);
	int fd = connect_to("127.0.0.1", port);
	ssize_t n;

	assert_true(fd >= 0);
	assert_int_equal(send(fd, request, len, MSG_NOSIGNAL), (ssize_t)len);
	while ((n = recv(fd, resp + got, cap - 1 - got, 0)) > 0)
		got += n;
	close(fd);
	resp[got] = '\0';
	assert_int_equal(sscanf(resp, "HTTP/1.1 %d ", status), 1);
	return resp;
}

static char *http_get(int port, const char *path, int *status, char **body)
{
	char req[256];
	char *resp;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", path);
	resp = http_raw(port, req, strlen(req), status);
	*body = strstr(resp, "\r\n\r\n");
	assert_non_null(*body);
	*body += 4;
	return resp;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no ':'); returns the length, 0 if none. */
static size_t name_len(const char *s, bool label)
{
	size_t n = 0;

	while (isalpha((unsigned char)s[n]) || s[n] == '_' || (!label && s[n] == ':') ||
	       (n && isdigit((unsigned char)s[n])))
		n++;
	return n;
}

struct family {
	char name[128];
	char type[16];
};

/*
 * Parses the exposition text strictly: HELP and TYPE comments, one TYPE per
 * family before its samples, names and label names well formed, label values
 * with only \\ \" \n escapes, values floats, each line ending in '\n', no
 * series twice. Returns the number of samples; fails the test otherwise.
 */
static int parse_exposition(const char *text)
{
	static struct family fams[64];
	static char seen[256][512];
	int nfam = 0, nseen = 0, samples = 0;
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n');
		char buf[1024], series[512];
		size_t len, n;

		assert_non_null(eol); /* the last line ends with '\n' too */
		len = eol - line;
		assert_true(len < sizeof(buf));
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = eol + 1;

		if (!strncmp(buf, "# HELP ", 7)) {
			assert_true(name_len(buf + 7, false) > 0);
			continue;
		}
		if (!strncmp(buf, "# TYPE ", 7)) {
			n = name_len(buf + 7, false);
			assert_true(n > 0 && buf[7 + n] == ' ');
			for (int i = 0; i < nfam; i++)
				assert_false(strlen(fams[i].name) == n &&
					     !strncmp(fams[i].name, buf + 7, n));
			assert_true(nfam < 64);
			memcpy(fams[nfam].name, buf + 7, n);
			fams[nfam].name[n] = '\0';
			snprintf(fams[nfam].type, sizeof(fams[nfam].type), "%s", buf + 8 + n);
			assert_true(!strcmp(fams[nfam].type, "counter") ||
				    !strcmp(fams[nfam].type, "gauge"));
			nfam++;
			continue;
		}
		assert_int_not_equal(buf[0], '#');

		/* name{label="value",...} value */
		const char *p = buf;
		n = name_len(p, false);
		assert_true(n > 0);
		assert_true(nfam > 0 && strlen(fams[nfam - 1].name) == n &&
			    !strncmp(fams[nfam - 1].name, p, n));
		p += n;
		if (*p == '{') {
			p++;
			while (*p != '}') {
				size_t ln = name_len(p, true);

				assert_true(ln > 0);
				p += ln;
				assert_true(p[0] == '=' && p[1] == '"');
				p += 2;
				while (*p != '"') {
					assert_true(*p != '\0' && *p != '\n');
					if (*p == '\\') {
						assert_non_null(strchr("\\\"n", p[1]));
						p++;
					}
					p++;
				}
				p++;
				if (*p == ',')
					p++;
				else
					assert_int_equal(*p, '}');
			}
			p++;
		}
		assert_true((size_t)(p - buf) < sizeof(series));
		memcpy(series, buf, p - buf);
		series[p - buf] = '\0';
		for (int i = 0; i < nseen; i++)
			assert_string_not_equal(seen[i], series);
		assert_true(nseen < 256);
		strcpy(seen[nseen++], series);

		assert_int_equal(*p, ' ');
		char *end;
		strtod(p + 1, &end);
		assert_true(end != p + 1 && *end == '\0');
		samples++;
	}
	return samples;
}

/* The value of the sample line starting with @series + ' ', or fails. */
static double sample(const char *text, const char *series)
{
	char want[512];
	const char *p;

	snprintf(want, sizeof(want), "\n%s ", series);
	p = strstr(text, want);
	if (!p) {
		print_error("no sample %s in:\n%s", series, text);
		fail();
	}
	return strtod(p + strlen(want), NULL);
}

static void metrics__values_set__exposed_in_valid_text_format(void **state)
{
	char err[256], *body, *resp;
	struct metrics *m = metrics__start("127.0.0.1:0", err, sizeof(err));
	int status, port;

	assert_non_null(m);
	port = metrics__port(m);
	assert_true(port > 0);

	metrics__set(m, METRIC_EVENTS_SEEN, 1234);
	metrics__set(m, METRIC_EVENTS_EMITTED, 1200);
	assert_int_equal(metrics__set_labeled(m, METRIC_EVENTS_LOST, "RingBufferFull", NULL, 3), 0);
	assert_int_equal(metrics__set_labeled(m, METRIC_EVENTS_LOST, "TooLarge", NULL, 0), 0);
	metrics__set(m, METRIC_IDENTITY_CACHE_HITS, 900);
	metrics__set(m, METRIC_IDENTITY_CACHE_MISSES, 334);
	metrics__set(m, METRIC_RINGBUF_FILL_RATIO, 0.25);
	metrics__set(m, METRIC_READ_TIMEOUTS, 2);
	metrics__set(m, METRIC_READS_STUCK, 1);
	metrics__set(m, METRIC_UNMATCHABLE_EXECS, 4321);
	metrics__set(m, METRIC_NET_CAPTURE, 1);
	metrics__set(m, METRIC_NET_EVENTS, 77);
	metrics__set(m, METRIC_NET_EXCLUDED, 5);
	metrics__set(m, METRIC_NET_DATA_CUT, 2);
	assert_int_equal(metrics__set_labeled(m, METRIC_NET_EVENTS_LOST, "NoMapEntry", NULL, 6), 0);
	assert_int_equal(metrics__set_labeled(m, METRIC_ALERTS, "atera-create-process", NULL, 2),
			 0);
	assert_int_equal(metrics__set_labeled(m, METRIC_ALERTS, "atera-create-process", NULL, 7),
			 0);
	assert_int_equal(
	    metrics__set_labeled(m, METRIC_ALERTS, "odd \"rule\"\\\nname\xff", NULL, 1), 0);
	assert_int_equal(
	    metrics__set_labeled(m, METRIC_SUPPRESSED, "atera-create-process", "patch-window", 5),
	    0);
	/* Wrong label arity for the metric. */
	assert_int_equal(metrics__set_labeled(m, METRIC_SUPPRESSED, "r", NULL, 1), -EINVAL);
	assert_int_equal(metrics__set_labeled(m, METRIC_ALERTS, "r", "x", 1), -EINVAL);
	assert_int_equal(metrics__set_labeled(m, METRIC_EVENTS_SEEN, "r", NULL, 1), -EINVAL);

	resp = http_get(port, "/metrics", &status, &body);
	assert_int_equal(status, 200);
	assert_non_null(strstr(resp, "Content-Type: text/plain; version=0.0.4"));
	assert_int_equal(parse_exposition(body), 20);

	assert_true(sample(body - 1, "rmmhunt_up") == 1);
	assert_true(sample(body - 1, "rmmhunt_build_info{version=\"" RMMHUNT_VERSION "\"}") == 1);
	assert_true(sample(body - 1, "rmmhunt_events_seen_total") == 1234);
	assert_true(sample(body - 1, "rmmhunt_events_emitted_total") == 1200);
	assert_true(sample(body - 1, "rmmhunt_events_lost_total{cause=\"RingBufferFull\"}") == 3);
	assert_true(sample(body - 1, "rmmhunt_events_lost_total{cause=\"TooLarge\"}") == 0);
	assert_true(sample(body - 1, "rmmhunt_identity_cache_hits_total") == 900);
	assert_true(sample(body - 1, "rmmhunt_identity_cache_misses_total") == 334);
	assert_true(sample(body - 1, "rmmhunt_ringbuf_fill_ratio") == 0.25);
	assert_true(sample(body - 1, "rmmhunt_read_timeouts_total") == 2);
	assert_true(sample(body - 1, "rmmhunt_reads_stuck") == 1);
	assert_true(sample(body - 1, "rmmhunt_unmatchable_execs_total") == 4321);
	assert_true(sample(body - 1, "rmmhunt_network_capture") == 1);
	assert_true(sample(body - 1, "rmmhunt_network_events_total") == 77);
	assert_true(sample(body - 1, "rmmhunt_network_excluded_total") == 5);
	assert_true(sample(body - 1, "rmmhunt_network_data_cut_total") == 2);
	assert_true(sample(body - 1, "rmmhunt_network_events_lost_total{cause=\"NoMapEntry\"}") ==
		    6);
	assert_true(sample(body - 1, "rmmhunt_alerts_total{rule=\"atera-create-process\"}") == 7);
	assert_true(
	    sample(body - 1, "rmmhunt_alerts_total{rule=\"odd \\\"rule\\\"\\\\\\nname?\"}") == 1);
	assert_true(sample(body - 1, "rmmhunt_events_suppressed_total{rule=\"atera-create-"
				     "process\",exclusion=\"patch-window\"}") == 5);
	assert_non_null(strstr(body, "# TYPE rmmhunt_events_seen_total counter\n"));
	assert_non_null(strstr(body, "# TYPE rmmhunt_ringbuf_fill_ratio gauge\n"));
	free(resp);
	metrics__stop(m);
}

static void healthz__follows_heartbeat(void **state)
{
	char err[256], *body, *resp;
	struct metrics *m = metrics__start("127.0.0.1:0", err, sizeof(err));
	int status;

	assert_non_null(m);
	resp = http_get(metrics__port(m), "/healthz", &status, &body);
	assert_int_equal(status, 503); /* no tick yet */
	free(resp);

	metrics__heartbeat(m);
	resp = http_get(metrics__port(m), "/healthz", &status, &body);
	assert_int_equal(status, 200);
	assert_string_equal(body, "ok\n");
	free(resp);

	/* A timeout of 0 s: the last tick is already too old. */
	metrics__set_health_timeout(m, 0);
	resp = http_get(metrics__port(m), "/healthz", &status, &body);
	assert_int_equal(status, 503);
	free(resp);
	metrics__stop(m);
}

static void http__other_requests__refused(void **state)
{
	static const struct {
		const char *request;
		int status;
	} cases[] = {
	    {"GET / HTTP/1.1\r\n\r\n", 404},
	    {"GET /metricsx HTTP/1.1\r\n\r\n", 404},
	    {"GET /../metrics HTTP/1.1\r\n\r\n", 404},
	    {"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405},
	    {"GET /metrics?name[]=x HTTP/1.1\r\n\r\n", 200},
	    {"HEAD /healthz HTTP/1.0\r\n\r\n", 503},
	    {"GET metrics HTTP/1.1\r\n\r\n", 400},
	    {"GET /metrics\r\n\r\n", 400},
	    {"GET /metrics SPDY/3\r\n\r\n", 400},
	    {"garbage\n\n", 400},
	};
	char err[256], big[4096];
	struct metrics *m = metrics__start("127.0.0.1:0", err, sizeof(err));
	int status;
	char *resp;

	assert_non_null(m);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		resp =
		    http_raw(metrics__port(m), cases[i].request, strlen(cases[i].request), &status);
		print_message("case %zu\n", i);
		assert_int_equal(status, cases[i].status);
		if (!strncmp(cases[i].request, "HEAD", 4))
			assert_string_equal(strstr(resp, "\r\n\r\n"), "\r\n\r\n");
		free(resp);
	}
	/* Headers that never end within the limit. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	resp = http_raw(metrics__port(m), big, sizeof(big), &status);
	assert_int_equal(status, 431);
	free(resp);
	metrics__stop(m);
}

static void http__slow_client__does_not_block_others(void **state)
{
	char err[256], *body, *resp;
	struct metrics *m = metrics__start("127.0.0.1:0", err, sizeof(err));
	int idle[3], status;

	assert_non_null(m);
	metrics__heartbeat(m);
	/* Connections that send half a request and wait. */
	for (int i = 0; i < 3; i++) {
		idle[i] = connect_to("127.0.0.1", metrics__port(m));
		assert_true(idle[i] >= 0);
		assert_int_equal(send(idle[i], "GET /hea", 8, 0), 8);
	}
	resp = http_get(metrics__port(m), "/healthz", &status, &body);
	assert_int_equal(status, 200);
	free(resp);
	for (int i = 0; i < 3; i++)
		close(idle[i]);
	metrics__stop(m);
}

static void start__binds_the_given_address_only(void **state)
{
	char err[256];
	struct metrics *m = metrics__start("127.0.0.1:0", err, sizeof(err));
	int fd;

	assert_non_null(m);
	/* 127.0.0.2 is local too, but not the address asked for. */
	assert_int_equal(connect_to("127.0.0.2", metrics__port(m)), -ECONNREFUSED);
	fd = connect_to("127.0.0.1", metrics__port(m));
	assert_true(fd >= 0);
	close(fd);
	metrics__stop(m);
}

static void start__bad_listen__error_message(void **state)
{
	static const char *const bad[] = {
	    "9101",	  ":9101",	   "localhost:9101", "[::1]9101", "127.0.0.1:99999",
	    "127.0.0.1:", "127.0.0.1:91a", "999.0.0.1:9101", "[::1:9101", "",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_null(metrics__start(bad[i], err, sizeof(err)));
		assert_true(strlen(err) > 0);
	}
}

static void metrics__null_and_series_limit(void **state)
{
	char err[256], rule[32];
	struct metrics *m;

	/* Metrics off: the main loop calls these with NULL. */
	metrics__set(NULL, METRIC_EVENTS_SEEN, 1);
	assert_int_equal(metrics__set_labeled(NULL, METRIC_ALERTS, "r", NULL, 1), 0);
	metrics__heartbeat(NULL);
	metrics__stop(NULL);
	assert_int_equal(metrics__port(NULL), -1);

	m = metrics__start("127.0.0.1:0", err, sizeof(err));
	assert_non_null(m);
	for (int i = 0; i < METRICS_MAX_SERIES; i++) {
		snprintf(rule, sizeof(rule), "rule-%d", i);
		assert_int_equal(metrics__set_labeled(m, METRIC_ALERTS, rule, NULL, i), 0);
	}
	assert_int_equal(metrics__set_labeled(m, METRIC_ALERTS, "one-too-many", NULL, 1), -ENOSPC);
	/* An existing series can still be updated. */
	assert_int_equal(metrics__set_labeled(m, METRIC_ALERTS, "rule-0", NULL, 9), 0);
	metrics__stop(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(metrics__values_set__exposed_in_valid_text_format),
	    cmocka_unit_test(healthz__follows_heartbeat),
	    cmocka_unit_test(http__other_requests__refused),
	    cmocka_unit_test(http__slow_client__does_not_block_others),
	    cmocka_unit_test(start__binds_the_given_address_only),
	    cmocka_unit_test(start__bad_listen__error_message),
	    cmocka_unit_test(metrics__null_and_series_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
