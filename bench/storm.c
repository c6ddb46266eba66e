// SPDX-License-Identifier: MIT
/*
 * storm: an exec storm for `make bench`. W worker processes share N fork+execs
 * of the given executables (round-robin over them, argv = the path alone),
 * each waiting for its child before the next; prints one JSON line:
 *
 *	{"execs":N,"failed":F,"workers":W,"seconds":S,"execs_per_s":R}
 *
 * A failed exec is a child that did not exit 0. The clock runs from the first
 * fork of a worker to the exit of the last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 256

static void usage(FILE *f)
{
	fprintf(f, "Usage: storm [-n EXECS] [-w WORKERS] PATH...\n"
		   "Runs EXECS (default 20000) fork+execs of PATH... round-robin over WORKERS\n"
		   "(default 2) processes and prints execs/s as one JSON line.\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs execs first..end-1 (every workers-th one); returns how many failed. */
static unsigned long worker(char **paths, int npaths, unsigned long first, unsigned long end,
			    int workers)
{
	unsigned long failed = 0;

	for (unsigned long i = first; i < end; i += workers) {
		char *path = paths[i % npaths];
		char *argv[] = {path, NULL};
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			failed++;
			continue;
		}
		if (pid == 0) {
			execv(path, argv);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	return failed;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out == 0 || *out > max ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	unsigned long execs = 20000, workers = 2, failed = 0;
	unsigned long *results;
	double start, seconds;
	int c, err = 0;

	while ((c = getopt(argc, argv, "n:w:h")) != -1) {
		switch (c) {
		case 'n':
			err = parse_ulong(optarg, 1UL << 40, &execs);
			break;
		case 'w':
			err = parse_ulong(optarg, MAX_WORKERS, &workers);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			err = -EINVAL;
		}
		if (err) {
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	/* Each worker writes its failure count here before it exits. */
	results = mmap(NULL, workers * sizeof(*results), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (results == MAP_FAILED) {
		perror("storm: mmap");
		return 1;
	}
	start = now_s();
	for (unsigned long w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("storm: fork");
			return 1;
		}
		if (pid == 0) {
			results[w] = worker(argv + optind, argc - optind, w, execs, workers);
			_exit(0);
		}
	}
	for (unsigned long w = 0; w < workers; w++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "storm: a worker died\n");
			return 1;
		}
	}
	seconds = now_s() - start;
	for (unsigned long w = 0; w < workers; w++)
		failed += results[w];
	printf("{\"execs\":%lu,\"failed\":%lu,\"workers\":%lu,\"seconds\":%.6f,"
	       "\"execs_per_s\":%.1f}\n",
	       execs, failed, workers, seconds, execs / seconds);
	return 0;
}
