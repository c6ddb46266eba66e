// SPDX-License-Identifier: MIT
/* sd_notify__send to a path socket and an abstract one, as systemd would listen. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "ops/sd_notify.h"

/* Binds a datagram socket at @addr as $NOTIFY_SOCKET spells it. */
static int listen_notify(const char *addr)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len = strlen(addr);
	socklen_t sun_len = offsetof(struct sockaddr_un, sun_path) + len;
	struct timeval tv = {.tv_sec = 5};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sun.sun_path, addr, len);
	if (addr[0] == '@')
		sun.sun_path[0] = '\0';
	else
		sun_len++;
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sun_len), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return fd;
}

static void expect_message(int fd, const char *want)
{
	char buf[1024];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void send__path_socket__datagrams_arrive_in_order(void **state)
{
	char dir[] = "/tmp/test_sd_notify.XXXXXX", path[64];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listen_notify(path);
	setenv("NOTIFY_SOCKET", path, 1);

	assert_int_equal(sd_notify__send("READY=1"), 0);
	assert_int_equal(sd_notify__statusf("watching %d execs/s", 42), 0);
	assert_int_equal(sd_notify__send("STOPPING=1"), 0);
	expect_message(fd, "READY=1");
	expect_message(fd, "STATUS=watching 42 execs/s");
	expect_message(fd, "STOPPING=1");

	close(fd);
	unlink(path);
	rmdir(dir);
	unsetenv("NOTIFY_SOCKET");
}

static void send__abstract_socket__arrives(void **state)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@rmmhunt-test-sd-notify-%d", getpid());
	fd = listen_notify(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sd_notify__send("READY=1\nSTATUS=up"), 0);
	expect_message(fd, "READY=1\nSTATUS=up");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void send__no_socket__nothing_to_do(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sd_notify__send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sd_notify__send("READY=1"), 0);
	unsetenv("NOTIFY_SOCKET");
}

static void send__bad_address__error(void **state)
{
	char long_path[200];

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sd_notify__send("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	assert_int_equal(sd_notify__send("READY=1"), -EINVAL);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	setenv("NOTIFY_SOCKET", long_path, 1);
	assert_int_equal(sd_notify__send("READY=1"), -EINVAL);
	/* Nobody listening: the error is returned, not hidden. */
	setenv("NOTIFY_SOCKET", "/nonexistent/rmmhunt-notify", 1);
	assert_int_equal(sd_notify__send("READY=1"), -ENOENT);
	assert_int_equal(sd_notify__send(NULL), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(send__path_socket__datagrams_arrive_in_order),
	    cmocka_unit_test(send__abstract_socket__arrives),
	    cmocka_unit_test(send__no_socket__nothing_to_do),
	    cmocka_unit_test(send__bad_address__error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
