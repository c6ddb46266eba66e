// SPDX-License-Identifier: MIT
/* cmd/run_opts: `rmmhunt run`'s command line, without starting the monitor. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aggregate/state.h"
#include "base/log.h"
#include "cmd/run_opts.h"
#include "pipeline/pipeline.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define EMIT_EVERYTHING (EMIT_ALERTS | EMIT_EVENTS | EMIT_MATCHES | EMIT_SUPPRESSED)

/* The last message logged (faked with -Wl,--wrap=log__msg: see unit.mk). */
static char logged[512];

void __wrap_log__msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(logged, sizeof(logged), fmt, ap);
	va_end(ap);
}

/* run_opts__parse() of "run ARGS...", with usage and getopt's complaints sent to /dev/null. */
#define PARSE(o, ...) parse((o), (char *[]){"run", __VA_ARGS__, NULL})

static int parse(struct run_opts *o, char **argv)
{
	int argc = 0, out, err, devnull, ret;

	while (argv[argc])
		argc++;
	logged[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	out = dup(STDOUT_FILENO);
	err = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	assert_true(out >= 0 && err >= 0 && devnull >= 0);
	dup2(devnull, STDOUT_FILENO);
	dup2(devnull, STDERR_FILENO);
	ret = run_opts__parse(argc, argv, o);
	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	close(out);
	close(err);
	close(devnull);
	return ret;
}

static void run_opts__parse__no_options__defaults(void **state)
{
	struct run_opts o;

	memset(&o, 0xa5, sizeof(o)); /* what a caller's stack might hold */
	assert_int_equal(parse(&o, (char *[]){"run", NULL}), 0);
	assert_int_equal(o.emit, EMIT_ALERTS);
	assert_int_equal(o.stats_interval_s, 60);
	assert_string_equal(o.detect.state_path, STATE_DEFAULT_PATH);
	assert_int_equal(o.detect.window_us, 0);
	assert_int_equal(o.detect.summary_interval_us, 0);
	assert_int_equal(o.nrule_paths, 0);
	assert_string_equal(o.device_id, "");
	assert_string_equal(o.device_name, "");
	assert_int_equal(o.capture.ringbuf_size, 0);
	assert_null(o.capture.btf_path);
	assert_null(o.metrics_listen);
	assert_int_equal(o.read_timeout_us, 0);
	assert_false(o.capture.no_network);
	assert_int_equal(o.capture.net_ringbuf_size, 0);
	assert_int_equal(o.capture.nnet_exclude, 0);
	assert_ptr_equal(o.capture.net_exclude, o.net_exclude);
}

static void run_opts__parse__emit_lists__combine(void **state)
{
	static const struct {
		const char *list;
		unsigned emit;
	} cases[] = {
	    {"alerts", EMIT_ALERTS},
	    {"events", EMIT_EVENTS | EMIT_ALERTS}, /* every exec, and still the alerts */
	    {"matches", EMIT_MATCHES},
	    {"suppressed", EMIT_SUPPRESSED},
	    {"matches,suppressed", EMIT_MATCHES | EMIT_SUPPRESSED},
	    {"alerts,matches", EMIT_ALERTS | EMIT_MATCHES},
	    {"events,events", EMIT_EVENTS | EMIT_ALERTS},
	    {"all", EMIT_EVERYTHING},
	    {"matches,all", EMIT_EVERYTHING},
	    {",matches,", EMIT_MATCHES},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct run_opts o;

		assert_int_equal(PARSE(&o, "--emit", (char *)cases[i].list), 0);
		if (o.emit != cases[i].emit)
			fail_msg("--emit %s: %#x, not %#x", cases[i].list, o.emit, cases[i].emit);
	}
}

static void run_opts__parse__bad_emit__says_which(void **state)
{
	static const char *const cases[] = {"", ",", "alert", "ALL", "alerts,bogus", "events;all"};

	for (size_t i = 0; i < N(cases); i++) {
		char want[256];
		struct run_opts o;

		assert_int_equal(PARSE(&o, "--emit", (char *)cases[i]), -EINVAL);
		snprintf(want, sizeof(want),
			 "bad --emit '%s': use alerts, events, matches, suppressed or all, "
			 "comma-separated",
			 cases[i]);
		assert_string_equal(logged, want);
	}
}

static void run_opts__parse__rules__repeat_in_order(void **state)
{
	char *argv[2 + 2 * (RUN_MAX_RULE_PATHS + 1)] = {"run"};
	char paths[RUN_MAX_RULE_PATHS + 1][16];
	struct run_opts o;
	int argc = 1;

	assert_int_equal(PARSE(&o, "--rules", "a.yaml", "--rules=dir", "--rules", "b.yaml"), 0);
	assert_int_equal(o.nrule_paths, 3);
	assert_string_equal(o.rule_paths[0], "a.yaml");
	assert_string_equal(o.rule_paths[1], "dir");
	assert_string_equal(o.rule_paths[2], "b.yaml");

	for (int i = 0; i < RUN_MAX_RULE_PATHS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "r%d.yaml", i);
		argv[argc++] = "--rules";
		argv[argc++] = paths[i];
	}
	assert_int_equal(parse(&o, argv), 0);
	assert_int_equal(o.nrule_paths, RUN_MAX_RULE_PATHS);
	assert_string_equal(o.rule_paths[RUN_MAX_RULE_PATHS - 1], "r63.yaml");
	/* one more is refused, not dropped */
	argv[argc++] = "--rules";
	argv[argc++] = "one-too-many.yaml";
	assert_int_equal(parse(&o, argv), -EINVAL);
	assert_string_equal(logged, "at most 64 --rules");
}

static void run_opts__parse__trust_store__repeat_in_order_bounded(void **state)
{
	char *argv[2 + 2 * (RUN_MAX_TRUST_PATHS + 1)] = {"run"};
	struct run_opts o;
	int argc = 1;

	assert_int_equal(PARSE(&o, "--trust-store", "ca.pem", "--trust-store=/etc/roots"), 0);
	assert_int_equal(o.ntrust_paths, 2);
	assert_string_equal(o.trust_paths[0], "ca.pem");
	assert_string_equal(o.trust_paths[1], "/etc/roots");
	for (int i = 0; i <= RUN_MAX_TRUST_PATHS; i++) {
		argv[argc++] = "--trust-store";
		argv[argc++] = "x.pem";
	}
	assert_int_equal(parse(&o, argv), -EINVAL);
	assert_string_equal(logged, "at most 16 --trust-store");
}

static void run_opts__parse__values__set_their_field(void **state)
{
	struct run_opts o;

	assert_int_equal(PARSE(&o, "--window", "5d", "--summary-interval", "30s", "--read-timeout",
			       "2s", "--ringbuf-size", "4M", "--stats-interval", "0", "--state",
			       "/tmp/s.json", "--metrics-listen", "127.0.0.1:9100", "--btf",
			       "/tmp/vmlinux", "--device-id", "id-1", "--device-name", "host-1"),
			 0);
	assert_int_equal(o.detect.window_us, 5 * 86400 * 1000000LL);
	assert_int_equal(o.detect.summary_interval_us, 30 * 1000000LL);
	assert_int_equal(o.read_timeout_us, 2 * 1000000LL);
	assert_int_equal(o.capture.ringbuf_size, 4 << 20);
	assert_int_equal(o.stats_interval_s, 0);
	assert_string_equal(o.detect.state_path, "/tmp/s.json");
	assert_string_equal(o.metrics_listen, "127.0.0.1:9100");
	assert_string_equal(o.capture.btf_path, "/tmp/vmlinux");
	assert_string_equal(o.device_id, "id-1");
	assert_string_equal(o.device_name, "host-1");

	/* '' keeps no state file */
	assert_int_equal(PARSE(&o, "--state", ""), 0);
	assert_null(o.detect.state_path);
}

static void run_opts__parse__bounds__inclusive(void **state)
{
	struct run_opts o;

	assert_int_equal(PARSE(&o, "--read-timeout", "1ms"), 0);
	assert_int_equal(o.read_timeout_us, 1000);
	assert_int_equal(PARSE(&o, "--read-timeout", "60s"), 0);
	assert_int_equal(o.read_timeout_us, 60000000);
	assert_int_equal(PARSE(&o, "--ringbuf-size", "4K"), 0);
	assert_int_equal(o.capture.ringbuf_size, 4096);
	assert_int_equal(PARSE(&o, "--ringbuf-size", "1G"), 0);
	assert_int_equal(o.capture.ringbuf_size, 1 << 30);
}

static void run_opts__parse__bad_values__say_what_to_give(void **state)
{
	static const struct {
		const char *opt, *val, *msg;
	} cases[] = {
	    {"--ringbuf-size", "2K", "bad --ringbuf-size '2K': give 4K to 1G"},
	    {"--ringbuf-size", "2G", "bad --ringbuf-size '2G': give 4K to 1G"},
	    {"--ringbuf-size", "lots", "bad --ringbuf-size 'lots': give 4K to 1G"},
	    {"--stats-interval", "-1", "bad --stats-interval '-1'"},
	    {"--stats-interval", "5s", "bad --stats-interval '5s'"},
	    {"--window", "0s", "bad --window '0s': give a duration such as 5d, 12h, 30s, 500ms"},
	    {"--window", "5", "bad --window '5': give a duration such as 5d, 12h, 30s, 500ms"},
	    {"--summary-interval", "1.5h",
	     "bad --summary-interval '1.5h': give a duration such as 5d, 12h, 30s, 500ms"},
	    {"--read-timeout", "999us", "bad --read-timeout '999us': give 1ms to 60s"},
	    {"--read-timeout", "61s", "bad --read-timeout '61s': give 1ms to 60s"},
	    {"--read-timeout", "500", "bad --read-timeout '500': give 1ms to 60s"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct run_opts o;

		assert_int_equal(PARSE(&o, (char *)cases[i].opt, (char *)cases[i].val), -EINVAL);
		assert_string_equal(logged, cases[i].msg);
	}
}

static void run_opts__parse__stray_or_unknown__refused(void **state)
{
	struct run_opts o;

	assert_int_equal(PARSE(&o, "--emit", "all", "extra"), -EINVAL);
	assert_string_equal(logged, "unexpected argument 'extra'");
	assert_int_equal(PARSE(&o, "extra", "--emit", "all"), -EINVAL);
	assert_string_equal(logged, "unexpected argument 'extra'");
	/* getopt says these itself; the parse fails all the same */
	assert_int_equal(PARSE(&o, "--bogus"), -EINVAL);
	assert_int_equal(PARSE(&o, "-x"), -EINVAL);
	assert_int_equal(PARSE(&o, "--emit"), -EINVAL);
}

static void run_opts__parse__help__returns_one(void **state)
{
	struct run_opts o;

	assert_int_equal(PARSE(&o, "--help"), 1);
	assert_int_equal(PARSE(&o, "-h"), 1);
	assert_int_equal(PARSE(&o, "--emit", "all", "-h", "--bogus"), 1);
}

static void run_opts__parse__verbose__enables_debug_logs(void **state)
{
	struct run_opts o;

	log__set_level(LOG_INFO);
	assert_false(log__enabled(LOG_DEBUG));
	assert_int_equal(PARSE(&o, "-v"), 0);
	assert_true(log__enabled(LOG_DEBUG));
	log__set_level(LOG_INFO);
	assert_int_equal(PARSE(&o, "--verbose"), 0);
	assert_true(log__enabled(LOG_DEBUG));
	log__set_level(LOG_INFO);
}

/* getopt keeps its place between calls: each parse starts from argv[1]. */
static void run_opts__parse__called_again__starts_afresh(void **state)
{
	struct run_opts o;

	assert_int_equal(PARSE(&o, "--rules", "a.yaml", "--emit", "matches"), 0);
	assert_int_equal(PARSE(&o, "--emit", "events"), 0);
	assert_int_equal(o.emit, EMIT_EVENTS | EMIT_ALERTS);
	assert_int_equal(o.nrule_paths, 0);
	/* and after a parse that stopped half-way */
	assert_int_equal(PARSE(&o, "--window", "0s", "--emit", "all"), -EINVAL);
	assert_int_equal(PARSE(&o, "--emit", "matches"), 0);
	assert_int_equal(o.emit, EMIT_MATCHES);
}

static void run_opts__parse__network__set_their_fields(void **state)
{
	static const unsigned char lo77[16] = {[10] = 0xff, [11] = 0xff, [12] = 127, [13] = 77};
	static const unsigned char fd[16] = {0xfd};
	struct run_opts o;

	assert_int_equal(PARSE(&o, "--net-exclude", "127.77.0.0/16", "--net-exclude=fd00::/8",
			       "--net-ringbuf-size", "256K", "--no-network"),
			 0);
	assert_true(o.capture.no_network);
	assert_int_equal(o.capture.net_ringbuf_size, 256 << 10);
	assert_int_equal(o.capture.nnet_exclude, 2);
	assert_ptr_equal(o.capture.net_exclude, o.net_exclude);
	assert_int_equal(o.net_exclude[0].prefixlen, 112);
	assert_memory_equal(o.net_exclude[0].addr, lo77, 16);
	assert_int_equal(o.net_exclude[1].prefixlen, 8);
	assert_memory_equal(o.net_exclude[1].addr, fd, 16);
}

static void run_opts__parse__bad_net_exclude__says_which(void **state)
{
	char *argv[2 + 2 * (RUN_MAX_NET_EXCLUDE + 1)] = {"run"};
	struct run_opts o;
	int argc = 1;

	assert_int_equal(PARSE(&o, "--net-exclude", "10.0.0.0/33"), -EINVAL);
	assert_string_equal(logged, "bad --net-exclude '10.0.0.0/33': give an IPv4 or IPv6 range "
				    "such as 10.0.0.0/8 or fd00::/8, or one address");
	assert_int_equal(PARSE(&o, "--net-exclude", "example.com"), -EINVAL);
	assert_int_equal(PARSE(&o, "--net-ringbuf-size", "1K"), -EINVAL);
	assert_string_equal(logged, "bad --net-ringbuf-size '1K': give 4K to 1G");
	for (int i = 0; i <= RUN_MAX_NET_EXCLUDE; i++) {
		argv[argc++] = "--net-exclude";
		argv[argc++] = "10.0.0.0/8";
	}
	assert_int_equal(parse(&o, argv), -EINVAL);
	assert_string_equal(logged, "at most 256 --net-exclude");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(run_opts__parse__no_options__defaults),
	    cmocka_unit_test(run_opts__parse__emit_lists__combine),
	    cmocka_unit_test(run_opts__parse__bad_emit__says_which),
	    cmocka_unit_test(run_opts__parse__rules__repeat_in_order),
	    cmocka_unit_test(run_opts__parse__trust_store__repeat_in_order_bounded),
	    cmocka_unit_test(run_opts__parse__values__set_their_field),
	    cmocka_unit_test(run_opts__parse__bounds__inclusive),
	    cmocka_unit_test(run_opts__parse__bad_values__say_what_to_give),
	    cmocka_unit_test(run_opts__parse__stray_or_unknown__refused),
	    cmocka_unit_test(run_opts__parse__help__returns_one),
	    cmocka_unit_test(run_opts__parse__verbose__enables_debug_logs),
	    cmocka_unit_test(run_opts__parse__called_again__starts_afresh),
	    cmocka_unit_test(run_opts__parse__network__set_their_fields),
	    cmocka_unit_test(run_opts__parse__bad_net_exclude__says_which),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
