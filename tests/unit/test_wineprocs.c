// SPDX-License-Identifier: MIT
/*
 * wineprocs: Wine's processes in the kernel side's map, checked against
 * /proc, and the request hook attached only while a server is among them.
 * libbpf's map and attach calls are faked: a small map in memory, and an
 * attach that returns an fd or fails as a test says.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/wineprocs.h"

#define MAP_FD	42
#define PROG_FD 43
#define SLOTS	8

static struct {
	uint32_t key;
	struct wine_proc value;
	int used;
} map[SLOTS];
static int attaches, attach_errno;

static int find(uint32_t key)
{
	for (int i = 0; i < SLOTS; i++)
		if (map[i].used && map[i].key == key)
			return i;
	return -1;
}

int __wrap_bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)
{
	int i = find(*(const uint32_t *)key);

	assert_int_equal(fd, MAP_FD);
	for (int j = 0; i < 0 && j < SLOTS; j++)
		if (!map[j].used)
			i = j;
	if (i < 0)
		return -E2BIG;
	map[i].used = 1;
	map[i].key = *(const uint32_t *)key;
	memcpy(&map[i].value, value, sizeof(map[i].value));
	return 0;
}

int __wrap_bpf_map_delete_elem(int fd, const void *key)
{
	int i = find(*(const uint32_t *)key);

	assert_int_equal(fd, MAP_FD);
	if (i < 0)
		return -ENOENT;
	map[i].used = 0;
	return 0;
}

int __wrap_bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	int i = find(*(const uint32_t *)key);

	assert_int_equal(fd, MAP_FD);
	if (i < 0)
		return -ENOENT;
	memcpy(value, &map[i].value, sizeof(map[i].value));
	return 0;
}

/* In slot order: the first used slot after @key's (or the first at all). */
int __wrap_bpf_map_get_next_key(int fd, const void *key, void *next)
{
	int i = key ? find(*(const uint32_t *)key) + 1 : 0;

	assert_int_equal(fd, MAP_FD);
	for (; i < SLOTS; i++) {
		if (map[i].used) {
			*(uint32_t *)next = map[i].key;
			return 0;
		}
	}
	return -ENOENT;
}

int __wrap_bpf_raw_tracepoint_open(const char *name, int prog_fd)
{
	assert_null(name);
	assert_int_equal(prog_fd, PROG_FD);
	attaches++;
	if (attach_errno) {
		errno = attach_errno;
		return -1;
	}
	return open("/dev/null", O_RDONLY | O_CLOEXEC); /* closed by the detach */
}

static uint64_t self_ino(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/self/exe", &st), 0);
	return st.st_ino;
}

/* A process that has exited and been reaped: its pid runs nothing now. */
static uint32_t gone_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static int setup(void **state)
{
	memset(map, 0, sizeof(map));
	attaches = attach_errno = 0;
	*state = wineprocs__new(PROG_FD, MAP_FD, "unused");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	wineprocs__free(*state);
	return 0;
}

static void add__client__in_the_map_and_nothing_attached(void **state)
{
	struct wineprocs *w = *state;

	wineprocs__add(w, getpid(), self_ino(), WINE_ROLE_CLIENT);
	assert_int_equal(find(getpid()) >= 0, 1);
	assert_int_equal(map[find(getpid())].value.role, WINE_ROLE_CLIENT);
	assert_int_equal(map[find(getpid())].value.exe_ino, self_ino());
	assert_int_equal(attaches, 0);
	assert_string_equal(wineprocs__state(w), "idle");
}

static void add__server__attaches_once(void **state)
{
	struct wineprocs *w = *state;

	wineprocs__add(w, getpid(), self_ino(), WINE_ROLE_SERVER);
	wineprocs__add(w, getpid(), self_ino(), WINE_ROLE_SERVER);
	assert_int_equal(attaches, 1);
	assert_string_equal(wineprocs__state(w), "attached");
}

static void add__exited_process__taken_out_again(void **state)
{
	struct wineprocs *w = *state;
	uint32_t pid = gone_pid();

	wineprocs__add(w, pid, self_ino(), WINE_ROLE_SERVER);
	assert_int_equal(find(pid), -1);
	assert_int_equal(attaches, 0);
	assert_string_equal(wineprocs__state(w), "idle");
}

static void add__runs_another_executable__taken_out_again(void **state)
{
	struct wineprocs *w = *state;

	wineprocs__add(w, getpid(), self_ino() + 1, WINE_ROLE_SERVER);
	assert_int_equal(find(getpid()), -1);
	assert_int_equal(attaches, 0);
}

static void sweep__last_server_gone__detaches_and_attaches_again_for_the_next(void **state)
{
	struct wineprocs *w = *state;
	uint32_t client = 1;

	map[0] = (typeof(map[0])){.key = client, .value = {.role = WINE_ROLE_CLIENT}, .used = 1};
	wineprocs__add(w, getpid(), self_ino(), WINE_ROLE_SERVER);
	assert_string_equal(wineprocs__state(w), "attached");
	wineprocs__sweep(w);
	assert_string_equal(wineprocs__state(w), "attached");
	/* the kernel side forgets the server at its exit; the client stays */
	map[find(getpid())].used = 0;
	wineprocs__sweep(w);
	assert_string_equal(wineprocs__state(w), "idle");
	assert_int_equal(attaches, 1);
	/* a server the kernel side added itself (an exec, a fork): attached at the sweep */
	map[1] = (typeof(map[1])){.key = 7, .value = {.role = WINE_ROLE_SERVER}, .used = 1};
	wineprocs__sweep(w);
	assert_string_equal(wineprocs__state(w), "attached");
	assert_int_equal(attaches, 2);
}

static void attach_refused__off_with_why_and_tried_again(void **state)
{
	struct wineprocs *w = *state;

	attach_errno = EPERM;
	wineprocs__add(w, getpid(), self_ino(), WINE_ROLE_SERVER);
	assert_string_equal(wineprocs__state(w),
			    "off: failed to attach to sys_enter: Operation not permitted");
	attach_errno = 0;
	wineprocs__sweep(w);
	assert_string_equal(wineprocs__state(w), "attached");
	assert_int_equal(attaches, 2);
}

static void attach_refused__idle_again_once_no_server_is_left(void **state)
{
	struct wineprocs *w = *state;

	attach_errno = EPERM;
	wineprocs__add(w, getpid(), self_ino(), WINE_ROLE_SERVER);
	assert_true(!strncmp(wineprocs__state(w), "off: ", 5));
	map[find(getpid())].used = 0;
	wineprocs__sweep(w);
	assert_string_equal(wineprocs__state(w), "idle");
	assert_int_equal(attaches, 1);
}

static void not_loaded__off_and_no_map_touched(void **state)
{
	struct wineprocs *w = wineprocs__new(-1, -1, "network capture is off");

	assert_non_null(w);
	wineprocs__add(w, getpid(), self_ino(), WINE_ROLE_SERVER);
	wineprocs__sweep(w);
	assert_int_equal(find(getpid()), -1);
	assert_int_equal(attaches, 0);
	assert_string_equal(wineprocs__state(w), "off: network capture is off");
	wineprocs__free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(add__client__in_the_map_and_nothing_attached, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(add__server__attaches_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(add__exited_process__taken_out_again, setup, teardown),
	    cmocka_unit_test_setup_teardown(add__runs_another_executable__taken_out_again, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		sweep__last_server_gone__detaches_and_attaches_again_for_the_next, setup, teardown),
	    cmocka_unit_test_setup_teardown(attach_refused__off_with_why_and_tried_again, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(attach_refused__idle_again_once_no_server_is_left,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(not_loaded__off_and_no_map_touched, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
