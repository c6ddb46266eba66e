// SPDX-License-Identifier: MIT
/*
 * Test program, built as "wineserver-fake": does what Wine's server does
 * with a program's socket requests, without Wine. It forks its daemon and
 * exits (as `wineserver -p` does); the daemon waits for a request on fd
 * argv[1] (the client's request pipe), reads it once it is there (as the
 * server's poll loop does), acts, and writes a one-line reply to fd argv[2]:
 *   "H"        hello: nothing (a pipe's first request)
 *   "C PORT"   connect to 127.0.0.1:PORT; replies "C ERRNO"
 *   "L"        listen on 127.0.0.1, any port; replies "L PORT"
 *   "S PORT"   after the reply, connect to 127.0.0.1:PORT on its own
 *   "Q"        exit
 * It writes its daemon's pid first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_to(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int s = socket(AF_INET, SOCK_STREAM, 0), err;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	err = connect(s, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
	close(s);
	return err;
}

static unsigned listen_any(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
	    getsockname(s, (struct sockaddr *)&a, &len))
		return 0;
	return ntohs(a.sin_port); /* left open: the listen stays */
}

static int out;

static void reply(const char *fmt, unsigned v)
{
	char line[32];
	int n = snprintf(line, sizeof(line), fmt, v);

	if (write(out, line, n) != n)
		exit(3);
}

int main(int argc, char **argv)
{
	char req[32];
	ssize_t n;
	int in;

	if (argc != 3)
		return 2;
	in = atoi(argv[1]);
	out = atoi(argv[2]);
	if (fork())
		return 0;
	reply("%u\n", getpid());
	for (;;) {
		struct pollfd p = {.fd = in, .events = POLLIN};
		unsigned port = 0;

		if (poll(&p, 1, -1) != 1 || (n = read(in, req, sizeof(req) - 1)) <= 0)
			return 2;
		req[n] = '\0';
		sscanf(req + 1, "%u", &port);
		switch (req[0]) {
		case 'H':
			reply("H\n", 0);
			break;
		case 'C':
			reply("C %u\n", connect_to(port));
			break;
		case 'L':
			reply("L %u\n", listen_any());
			break;
		case 'S':
			reply("S\n", 0);
			connect_to(port);
			break;
		case 'Q':
			return 0;
		}
	}
}
