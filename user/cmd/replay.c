// SPDX-License-Identifier: MIT
/*
 * rmmhunt replay: the rules and the aggregator over saved events (the
 * monitor's `--emit events` lines), with event time as the clock. Prints the
 * Alerts the live monitor would show at --now: one per group whose window
 * holds matching events. The events need not be sorted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/log.h"
#include "base/timefmt.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "output/event_json.h"
#include "pipeline/detect.h"
#include "rules/rules.h"

#define REPLAY_MAX_LINE	    (16 << 20) /* bytes of one record; longer lines are skipped */
#define REPLAY_MAX_RULES    64	       /* --rules options */
#define REPLAY_WARN_MAX	    10	       /* skipped lines named one by one, then only counted */
#define REPLAY_EXPIRE_EVERY 4096       /* events between memory reclaims */

struct replay {
	struct detector *det;
	int64_t now; /* --now, or the newest Timestamp so far */
	bool now_given;
	uint64_t lines, events, other, bad, warned;
};

static void usage(FILE *f)
{
	fprintf(
	    f, "Usage: rmmhunt replay [--rules PATH ...] [--now TIME] [--window DUR] "
	       "FILE.jsonl|-\n\n"
	       "Runs the rules over saved records (rmmhunt run --emit events: DeviceProcessEvents\n"
	       "and DeviceFileCertificateInfo, each to its table's rules) and prints the\n"
	       "Alerts the monitor would print at TIME (default: the newest record's).\n\n"
	       "  --rules PATH   rule file or directory (repeatable; default: built-in rules)\n"
	       "  --now TIME     RFC 3339, e.g. 2026-11-28T06:00:00Z\n"
	       "  --window DUR   look-back for every rule instead of its own: 5d, 12h, 30m,\n"
	       "                 90s, 500ms, 10us\n");
}

/*
 * Reads one line into *@buf (NUL-terminated, newline kept). Returns its
 * length, 0 at the end, or -E2BIG for a line over REPLAY_MAX_LINE (skipped).
 */
static long read_line(FILE *f, char **buf, size_t *cap)
{
	size_t len = 0;
	bool too_long = false;

	for (;;) {
		if (*cap - len < 2) {
			size_t ncap = *cap ? *cap * 2 : 65536;
			char *nb;

			if (ncap > REPLAY_MAX_LINE) {
				/* keep reading, to find the next line, but drop this one */
				too_long = true;
				len = 0;
				continue;
			}
			nb = realloc(*buf, ncap);
			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = ncap;
		}
		if (!fgets(*buf + len, *cap - len, f))
			break;
		len += strlen(*buf + len);
		if (len && (*buf)[len - 1] == '\n')
			break;
	}
	if (too_long)
		return -E2BIG;
	return len;
}

static void skip_line(struct replay *r, uint64_t *counter, const char *why)
{
	(*counter)++;
	if (r->warned++ < REPLAY_WARN_MAX)
		pr_warn("line %llu skipped: %s", (unsigned long long)r->lines, why);
}

/* One event through every rule: the monitor's own detection, on event time. */
static void replay_event(struct replay *r, struct event *e)
{
	int64_t ts = event__long(e, FIELD_TIMESTAMP);

	if (!r->now_given && ts > r->now)
		r->now = ts;
	/* a later --now default only widens: this now is never past the final one */
	detector__eval(r->det, e, r->now);
	if (++r->events % REPLAY_EXPIRE_EVERY == 0)
		detector__expire(r->det, r->now);
}

static void replay_line(struct replay *r, const char *line, size_t len, struct event *e)
{
	const char *type;
	json_error_t jerr;
	json_t *j;
	char why[256];

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len)
		return;
	j = json_loadb(line, len, 0, &jerr);
	if (!j) {
		snprintf(why, sizeof(why), "not JSON (column %d: %s)", jerr.column, jerr.text);
		skip_line(r, &r->bad, why);
		return;
	}
	type = json_string_value(json_object_get(j, "RecordType"));
	if (!json_is_object(j) || !type) {
		skip_line(r, &r->bad, "not a record (no RecordType)");
	} else if (event_json__table(type) < 0) {
		snprintf(why, sizeof(why), "RecordType %.64s is not a record rules read", type);
		skip_line(r, &r->other, why);
	} else if (event_json__read(j, e)) {
		skip_line(r, &r->bad, "a column has the wrong type or value");
	} else if (!event__isset(e, FIELD_TIMESTAMP)) {
		skip_line(r, &r->bad, "no Timestamp");
	} else {
		replay_event(r, e);
	}
	json_decref(j);
}

/* The command line, checked. */
struct replay_args {
	const char *paths[REPLAY_MAX_RULES];
	size_t npaths;	   /* 0: the built-in rules */
	const char *input; /* a file, or "-": stdin */
	int64_t now;	   /* when now_given */
	bool now_given;
	int64_t window_us; /* 0: each rule's own window */
};

/* 0; 1 when --help was printed (exit 0); -EINVAL after saying what is wrong (exit 2). */
static int parse_args(int argc, char **argv, struct replay_args *a)
{
	static const struct option opts[] = {
	    {"rules", required_argument, NULL, 'r'},
	    {"now", required_argument, NULL, 'n'},
	    {"window", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int opt;

	*a = (struct replay_args){0};
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (a->npaths == REPLAY_MAX_RULES) {
				pr_err("at most %d --rules", REPLAY_MAX_RULES);
				return -EINVAL;
			}
			a->paths[a->npaths++] = optarg;
			break;
		case 'n':
			if (timefmt__parse_rfc3339_us(optarg, &a->now)) {
				pr_err("--now %s: not an RFC 3339 time", optarg);
				return -EINVAL;
			}
			a->now_given = true;
			break;
		case 'w':
			if (options__parse_duration_us(optarg, &a->window_us)) {
				pr_err(
				    "--window %s: not a duration (5d, 12h, 30m, 90s, 500ms, 10us)",
				    optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -EINVAL;
	}
	a->input = argv[optind];
	return 0;
}

/* The detector over the rules: 0; -EINVAL when they do not load (exit 2), -ENOMEM. */
static int new_detector(const struct replay_args *a, struct detector **out)
{
	struct detector_opts dopts = {.out = stdout, .window_us = a->window_us};
	struct rules_diag diag = {0};
	struct ruleset *rs;

	rs = a->npaths ? ruleset__load_paths(a->paths, a->npaths, &diag)
		       : ruleset__load_default(&diag);
	for (unsigned i = 0; i < diag.nwarnings && i < 8; i++)
		pr_warn("%s", diag.warnings[i]);
	if (!rs) {
		pr_err("failed to load rules: %s", diag.msg);
		return -EINVAL;
	}
	*out = detector__new(rs, &dopts); /* which owns @rs, even when it fails */
	return *out ? 0 : -ENOMEM;
}

/* Every line of @f through the rules: 0, or -ENOMEM or -EIO after saying so. */
static int replay_stream(struct replay *r, FILE *f, const char *name)
{
	size_t cap = 0;
	char *line = NULL;
	struct event e;
	int err = 0;
	long len;

	event__init(&e);
	while ((len = read_line(f, &line, &cap)) != 0) {
		r->lines++;
		if (len == -ENOMEM) {
			pr_err("out of memory at line %llu", (unsigned long long)r->lines);
			err = -ENOMEM;
			break;
		}
		if (len < 0)
			skip_line(r, &r->bad, "longer than 16 MiB");
		else
			replay_line(r, line, len, &e);
	}
	/* before anything else can change errno */
	if (!err && ferror(f)) {
		pr_err("failed to read %s: %s", name, strerror(errno));
		err = -EIO;
	}
	free(line);
	event__free(&e);
	return err;
}

/* The Alerts still due at the end, then a summary on stderr. */
static void replay_finish(struct replay *r)
{
	struct detect_stats ds;

	if (r->now != INT64_MIN)
		detector__flush(r->det, r->now);
	detector__stats(r->det, &ds);
	fflush(stdout);
	if (r->bad || r->other)
		pr_warn("%llu lines skipped: %llu bad, %llu of other record types",
			(unsigned long long)(r->bad + r->other), (unsigned long long)r->bad,
			(unsigned long long)r->other);
	pr_info("replay: %llu events, %llu matches, %llu suppressed by exclusions, %llu alerts",
		(unsigned long long)r->events, (unsigned long long)ds.matched,
		(unsigned long long)ds.suppressed, (unsigned long long)ds.alerts);
}

int cmd__replay(int argc, char **argv)
{
	struct replay_args a;
	struct replay r = {0};
	FILE *f = NULL;
	int err, ret = 1;

	err = parse_args(argc, argv, &a);
	if (err)
		return err > 0 ? 0 : 2;
	r.now_given = a.now_given;
	r.now = a.now_given ? a.now : INT64_MIN;
	err = new_detector(&a, &r.det);
	if (err)
		return err == -EINVAL ? 2 : 1;
	f = strcmp(a.input, "-") ? fopen(a.input, "r") : stdin;
	if (!f) {
		pr_err("failed to open %s: %s", a.input, strerror(errno));
		goto cleanup;
	}
	if (!replay_stream(&r, f, a.input)) {
		replay_finish(&r);
		ret = 0;
	}
cleanup:
	if (f && f != stdin)
		fclose(f);
	detector__free(r.det);
	return ret;
}
