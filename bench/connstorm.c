// SPDX-License-Identifier: MIT
/*
 * connstorm: a loopback TCP connect storm for `make bench`. W worker threads
 * share N connections to a listener of its own on 127.0.0.1, each sending an
 * HTTP request line and Host header (the first bytes a monitor may read)
 * before it closes; one thread accepts and closes. Prints one JSON line:
 *
 *	{"connections":N,"failed":F,"workers":W,"port":P,"seconds":S,"per_s":R}
 *
 * The clock runs from the first connect to the last close.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64

static const char request[] = "GET / HTTP/1.1\r\nHost: connstorm.bench.example\r\n\r\n";

static struct sockaddr_in addr;
static unsigned long per_worker[MAX_WORKERS], failed[MAX_WORKERS];
static int listener;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *acceptor(void *arg)
{
	unsigned long n = *(unsigned long *)arg;

	for (unsigned long i = 0; i < n; i++) {
		int c = accept(listener, NULL, NULL);

		if (c >= 0)
			close(c);
	}
	return NULL;
}

static void *worker(void *arg)
{
	long w = (long)arg;

	for (unsigned long i = 0; i < per_worker[w]; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr)) ||
		    write(s, request, sizeof(request) - 1) != sizeof(request) - 1)
			failed[w]++;
		if (s >= 0)
			close(s);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long n = 10000, nfailed = 0;
	int w = 2, opt;
	pthread_t acc, th[MAX_WORKERS];
	socklen_t len = sizeof(addr);
	double t0, s;

	while ((opt = getopt(argc, argv, "n:w:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (opt == 'w')
			w = atoi(optarg);
		else
			return 2;
	}
	if (!n || w < 1 || w > MAX_WORKERS) {
		fprintf(stderr, "usage: connstorm [-n CONNECTIONS] [-w WORKERS (1-%d)]\n",
			MAX_WORKERS);
		return 2;
	}
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(listener, 4096) || getsockname(listener, (struct sockaddr *)&addr, &len)) {
		perror("connstorm: listener");
		return 1;
	}
	for (int i = 0; i < w; i++)
		per_worker[i] = n / w + ((unsigned long)i < n % w);
	t0 = now_s();
	pthread_create(&acc, NULL, acceptor, &n);
	for (long i = 0; i < w; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < w; i++) {
		pthread_join(th[i], NULL);
		nfailed += failed[i];
	}
	/* the acceptor waits for connections that failed: it is not joined */
	s = now_s() - t0;
	printf("{\"connections\":%lu,\"failed\":%lu,\"workers\":%d,\"port\":%d,\"seconds\":%.6f,"
	       "\"per_s\":%.1f}\n",
	       n, nfailed, w, ntohs(addr.sin_port), s, n / s);
	fflush(stdout);
	_exit(0);
}
