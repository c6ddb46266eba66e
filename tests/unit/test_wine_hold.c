// SPDX-License-Identifier: MIT
/*
 * The Wine hold/settle state machine (pipeline/wine_hold.c) against the
 * contract in identity/wine.h. The executable reader and the boot clock are
 * faked (-Wl,--wrap, see unit.mk): each test says what the Wine prefix
 * resolves to, when the program maps its image, and what time it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pipeline/wine_hold.h"

#define MS 1000000ULL

/* ---- the fakes ---- */

static uint64_t fake_now;
static int resolve_err;		   /* what reader__wine_resolve returns */
static struct wine_query resolved; /* the query it got; argv points into the hold */
static char resolved_search_dir[PATH_MAX_BYTES];
static int maps_results[64]; /* reader__wine_try_maps, call by call; then the last one */
static int maps_calls;
static int open_image_err; /* 0: a real fd */
static int open_image_calls;
static int open_calls;

uint64_t __wrap_clock__boot_ns(void)
{
	return fake_now;
}

int __wrap_reader__wine_resolve(struct reader *r, const struct wine_query *q, struct wine_target *t)
{
	resolved = *q;
	snprintf(resolved_search_dir, sizeof(resolved_search_dir), "%s", q->search_dir ?: "");
	if (resolve_err)
		return resolve_err;
	memset(t, 0, sizeof(*t));
	strcpy(t->unix_path, "/home/u/.wine/drive_c/app/prog.exe");
	strcpy(t->windows_path, "C:\\app\\prog.exe");
	strcpy(t->file_name, "prog.exe");
	strcpy(t->loader_path, q->loader_path);
	return 0;
}

int __wrap_reader__wine_try_maps(struct reader *r, const struct wine_query *q,
				 struct wine_target *t)
{
	int i = maps_calls < 64 ? maps_calls : 63;

	maps_calls++;
	if (maps_results[i] == 0) {
		strcpy(t->image_path, t->unix_path);
		t->from_maps = true;
	}
	return maps_results[i];
}

int __wrap_reader__open_image(struct reader *r, int pid, const struct wine_target *t, int root_fd)
{
	open_image_calls++;
	return open_image_err ?: open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int __wrap_reader__open(struct reader *r, const struct exec_info *x, int proc_fd, int root_fd,
			const char *path, struct reader_files *out)
{
	open_calls++;
	*out = (struct reader_files){
	    .exe_fd = open("/dev/null", O_RDONLY | O_CLOEXEC), .file_fd = -1, .kind = WINE_NOT};
	return 0;
}

/* ---- what the pipeline gets back ---- */

struct finished {
	uint32_t tgid;
	int fd; /* >= 0: a file to identify; else the error opening it */
	char path[PATH_MAX_BYTES];
	char file_name[256];
	char folder_path[PATH_MAX_BYTES];
	char cmdline[1024];
	bool initiating_set;
};

static struct finished done[80];
static int n_done;
static uint32_t remembered[8];
static int n_remembered;

static void set_initiating(void *ctx, struct event *e, const struct exec_event *k)
{
	event__set_str(e, FIELD_INITIATING_PROCESS_FILE_NAME, "parent.exe");
}

static void finish(void *ctx, struct event *e, const struct exec_event *k, int fd, uint64_t dev,
		   int root_fd, const char *path)
{
	struct finished *f = &done[n_done++];

	assert_true(n_done <= 80);
	f->tgid = k->tgid;
	f->fd = fd;
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->file_name, sizeof(f->file_name), "%s", event__str(e, FIELD_FILE_NAME) ?: "");
	snprintf(f->folder_path, sizeof(f->folder_path), "%s",
		 event__str(e, FIELD_FOLDER_PATH) ?: "");
	snprintf(f->cmdline, sizeof(f->cmdline), "%s",
		 event__str(e, FIELD_PROCESS_COMMAND_LINE) ?: "");
	f->initiating_set = event__isset(e, FIELD_INITIATING_PROCESS_FILE_NAME);
}

static void remember(void *ctx, const struct exec_event *k, const struct event *e)
{
	assert_true(n_remembered < 8);
	remembered[n_remembered++] = k->tgid;
}

/* ---- one exec, as the pipeline hands it over ---- */

struct fixture {
	struct lineage *lineage;
	struct wine_hold *wh;
	int root_fd;
	int fds_before;
	struct exec_event k;
	struct exec_info x;
	struct event ev;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static int setup(void **state)
{
	static const struct wine_hold_ops ops = {
	    .set_initiating = set_initiating, .finish = finish, .remember = remember};
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fake_now = 1000000 * MS;
	resolve_err = 0;
	memset(maps_results, 0, sizeof(maps_results));
	maps_results[0] = -EAGAIN; /* the image is mapped on the 2nd try */
	maps_calls = open_image_calls = open_calls = 0;
	open_image_err = 0;
	n_done = n_remembered = 0;
	fx->root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fx->lineage = lineage__new(64);
	fx->wh = wine_hold__new(NULL, fx->lineage, &ops);
	event__init(&fx->ev);
	fx->fds_before = count_fds();
	*state = fx;
	return fx->root_fd < 0 || !fx->lineage || !fx->wh ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	wine_hold__free(fx->wh);
	lineage__free(fx->lineage);
	event__free(&fx->ev);
	close(fx->root_fd);
	free(fx);
	return 0;
}

/* Exec of @exe by process @tgid (created by @parent) with NUL-separated @argv of @argv_size. */
static const struct exec_info *exec_of(struct fixture *fx, uint32_t tgid, uint32_t parent,
				       const char *exe, const char *argv, size_t argv_size)
{
	memset(&fx->k, 0, EXEC_EVENT_HDR_SIZE);
	fx->k.tgid = fx->k.pid = tgid;
	fx->k.ppid = fx->k.forker_tgid = fx->k.image_tgid = parent;
	fx->k.uid = 1000;
	fx->x = (struct exec_info){.k = &fx->k,
				   .filename = exe,
				   .exe = exe,
				   .cwd = "/home/u",
				   .cgroup = "/",
				   .argv = argv,
				   .argv_size = argv_size};
	event__reset(&fx->ev);
	event__set_str(&fx->ev, FIELD_FOLDER_PATH, exe);
	event__set_str(&fx->ev, FIELD_FILE_NAME, strrchr(exe, '/') + 1);
	return &fx->x;
}

static int hold(struct fixture *fx, const struct exec_info *x, enum wine_kind kind)
{
	struct reader_files f = {.exe_fd = -1, .file_fd = -1, .kind = kind};

	wine_hold__reexec(fx->wh, x->k->tgid, kind);
	return wine_hold__hold(fx->wh, &fx->ev, x, &f, fx->root_fd);
}

static const char loader_argv[] = "wine64\0C:\\app\\prog.exe\0-x";

static int hold_loader(struct fixture *fx, uint32_t tgid, uint32_t parent)
{
	return hold(
	    fx, exec_of(fx, tgid, parent, "/usr/lib/wine/wine64", loader_argv, sizeof(loader_argv)),
	    WINE_PROGRAM);
}

static const char script_argv[] = "wine\0prog.exe";

static int hold_script(struct fixture *fx, uint32_t tgid)
{
	return hold(fx, exec_of(fx, tgid, 1, "/usr/bin/wine", script_argv, sizeof(script_argv)),
		    WINE_LAUNCHER_STEP);
}

static struct wine_hold_stats stats_of(struct fixture *fx)
{
	struct wine_hold_stats s;

	wine_hold__stats(fx->wh, &s);
	return s;
}

/* Nothing held any more, and every fd the hold opened is closed again. */
static void assert_empty(struct fixture *fx)
{
	assert_int_equal(wine_hold__tick(fx->wh), -1);
	assert_int_equal(count_fds(), fx->fds_before);
}

/* ---- the states ---- */

static void wine_hold__launcher_then_loader__collapses_into_program(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(hold_script(fx, 100), 0);
	assert_int_equal(hold_loader(fx, 100, 1), 0); /* the same pid execs the loader */
	assert_int_equal(stats_of(fx).collapsed, 1);
	assert_int_equal(n_done, 0);

	wine_hold__flush(fx->wh);
	assert_int_equal(n_done, 1);
	assert_string_equal(done[0].file_name, "prog.exe");
	assert_int_equal(stats_of(fx).programs, 1);
	assert_empty(fx);
}

static void wine_hold__loader_reexec__replaces_held_program(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(hold_loader(fx, 100, 1), 0);
	assert_int_equal(hold_loader(fx, 100, 1), 0); /* the loader re-execs itself */
	assert_int_equal(stats_of(fx).collapsed, 1);
	wine_hold__flush(fx->wh);
	assert_int_equal(n_done, 1);
	assert_empty(fx);
}

static void wine_hold__launcher_starts_nothing__released_plain_at_deadline(void **state)
{
	struct fixture *fx = *state;
	uint64_t t0 = fake_now;

	assert_int_equal(hold_script(fx, 100), 0);
	/* a launcher step is never retried: only its deadline is due */
	assert_int_equal(wine_hold__tick(fx->wh), WINE_HOLD_MS);
	fake_now = t0 + 10 * MS;
	assert_int_equal(wine_hold__tick(fx->wh), WINE_HOLD_MS - 10);
	fake_now = t0 + (WINE_HOLD_MS - 1) * MS;
	assert_int_equal(wine_hold__tick(fx->wh), 1);
	assert_int_equal(n_done, 0);

	fake_now = t0 + WINE_HOLD_MS * MS;
	wine_hold__tick(fx->wh);
	assert_int_equal(n_done, 1);
	assert_int_equal(done[0].tgid, 100);
	assert_string_equal(done[0].file_name, "wine");
	assert_string_equal(done[0].path, "/usr/bin/wine");
	assert_true(done[0].fd >= 0); /* reopened as an ordinary exec */
	assert_int_equal(open_calls, 1);
	assert_int_equal(maps_calls, 0);
	assert_int_equal(stats_of(fx).programs, 0);
	assert_int_equal(n_remembered, 0);
	assert_empty(fx);
}

static void wine_hold__launcher_then_plain_exec__released_plain_at_once(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(hold_script(fx, 100), 0);
	/* the wineserver script execs wineserver64: not a program start */
	wine_hold__reexec(fx->wh, 100, WINE_NOT);
	assert_int_equal(n_done, 1);
	assert_string_equal(done[0].file_name, "wine");
	assert_int_equal(stats_of(fx).collapsed, 0);
	assert_empty(fx);
}

static void wine_hold__image_mapped_on_second_try__released_as_program(void **state)
{
	struct fixture *fx = *state;
	uint64_t t0 = fake_now;

	assert_int_equal(hold_loader(fx, 100, 1), 0);
	assert_int_equal(resolved.argc, 3);
	assert_false(resolved.preloader);
	assert_string_equal(resolved.argv[1], "C:\\app\\prog.exe");
	assert_int_equal(wine_hold__tick(fx->wh), 2);
	assert_int_equal(maps_calls, 0);

	fake_now = t0 + 2 * MS;
	assert_int_equal(wine_hold__tick(fx->wh), 4);
	assert_int_equal(maps_calls, 1);
	assert_int_equal(n_done, 0);

	fake_now = t0 + 6 * MS;
	assert_int_equal(wine_hold__tick(fx->wh), -1);
	assert_int_equal(maps_calls, 2);
	assert_int_equal(n_done, 1);
	assert_int_equal(done[0].tgid, 100);
	assert_string_equal(done[0].file_name, "prog.exe");
	assert_string_equal(done[0].folder_path, "/home/u/.wine/drive_c/app/prog.exe");
	assert_string_equal(done[0].path, "/home/u/.wine/drive_c/app/prog.exe");
	/* the command line Windows gives the program: without the loader */
	assert_string_equal(done[0].cmdline, "C:\\app\\prog.exe -x");
	assert_true(done[0].initiating_set);
	assert_true(done[0].fd >= 0);
	assert_int_equal(open_image_calls, 1);
	assert_int_equal(n_remembered, 1);
	assert_int_equal(remembered[0], 100);
	assert_int_equal(stats_of(fx).programs, 1);
	assert_empty(fx);
}

static void wine_hold__retries__back_off_from_2_to_50_ms(void **state)
{
	static const int want[] = {2, 4, 8, 16, 32, 50, 50, 50};
	struct fixture *fx = *state;
	uint64_t t0 = fake_now;
	int next;

	for (int i = 0; i < 64; i++)
		maps_results[i] = -EAGAIN;
	assert_int_equal(hold_loader(fx, 100, 1), 0);
	next = wine_hold__tick(fx->wh);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(next, want[i]);
		fake_now += next * MS;
		next = wine_hold__tick(fx->wh);
		assert_int_equal(maps_calls, i + 1);
	}
	assert_int_equal(n_done, 0);
	assert_int_equal(fake_now - t0, (2 + 4 + 8 + 16 + 32 + 50 + 50 + 50) * MS);
}

static void wine_hold__image_never_mapped__released_at_deadline_from_argv(void **state)
{
	struct fixture *fx = *state;
	uint64_t t0 = fake_now;
	int next;

	for (int i = 0; i < 64; i++)
		maps_results[i] = -EAGAIN;
	assert_int_equal(hold_loader(fx, 100, 1), 0);
	while ((next = wine_hold__tick(fx->wh)) >= 0) {
		assert_int_equal(n_done, 0);
		assert_true(fake_now < t0 + WINE_HOLD_MS * MS);
		fake_now += next * MS;
	}
	assert_int_equal(fake_now, t0 + WINE_HOLD_MS * MS);
	assert_int_equal(n_done, 1);
	assert_string_equal(done[0].file_name, "prog.exe"); /* what argv resolved to */
	assert_int_equal(open_image_calls, 1);
	assert_int_equal(stats_of(fx).programs, 1);
	assert_empty(fx);
}

static void wine_hold__process_gone__released_at_once(void **state)
{
	struct fixture *fx = *state;

	maps_results[0] = -ESRCH;
	assert_int_equal(hold_loader(fx, 100, 1), 0);
	fake_now += 2 * MS;
	assert_int_equal(wine_hold__tick(fx->wh), -1);
	assert_int_equal(n_done, 1);
	assert_string_equal(done[0].file_name, "prog.exe");
	assert_int_equal(open_image_calls, 1);
	assert_empty(fx);
}

static void check_fs_not_answering(struct fixture *fx, int err)
{
	maps_results[0] = err;
	assert_int_equal(hold_loader(fx, 100, 1), 0);
	fake_now += 2 * MS;
	assert_int_equal(wine_hold__tick(fx->wh), -1);
	assert_int_equal(maps_calls, 1);
	assert_int_equal(n_done, 1);
	/* no further read: the error is what identity gets */
	assert_int_equal(open_image_calls, 0);
	assert_int_equal(done[0].fd, err);
	assert_string_equal(done[0].file_name, "prog.exe");
	assert_empty(fx);
}

static void wine_hold__fs_timed_out__ends_wait_reads_no_more(void **state)
{
	check_fs_not_answering(*state, -ETIMEDOUT);
}

static void wine_hold__fs_busy__ends_wait_reads_no_more(void **state)
{
	check_fs_not_answering(*state, -EBUSY);
}

static void wine_hold__resolve_fails__not_held(void **state)
{
	struct fixture *fx = *state;

	resolve_err = -ETIMEDOUT;
	assert_int_equal(hold_loader(fx, 100, 1), -ETIMEDOUT);
	assert_int_equal(n_done, 0); /* the caller reports it */
	assert_empty(fx);

	/* nor does a later exec of the pid find it held */
	resolve_err = 0;
	assert_int_equal(hold_loader(fx, 100, 1), 0);
	assert_int_equal(stats_of(fx).collapsed, 0);
}

static void wine_hold__full__overflow_releases_oldest(void **state)
{
	struct fixture *fx = *state;

	for (uint32_t pid = 1000; pid < 1064; pid++) {
		assert_int_equal(hold_script(fx, pid), 0);
		fake_now += MS; /* pid 1000 is due first */
	}
	assert_int_equal(n_done, 0);
	assert_int_equal(hold_script(fx, 2000), 0);
	assert_int_equal(stats_of(fx).overflow, 1);
	assert_int_equal(n_done, 1);
	assert_int_equal(done[0].tgid, 1000);

	assert_int_equal(hold_script(fx, 2001), 0);
	assert_int_equal(n_done, 2);
	assert_int_equal(done[1].tgid, 1001);

	wine_hold__flush(fx->wh);
	assert_int_equal(n_done, 66);
	assert_int_equal(stats_of(fx).overflow, 2);
	assert_empty(fx);
}

static void wine_hold__child_program__settles_mapped_parent(void **state)
{
	struct fixture *fx = *state;

	maps_results[0] = 0;
	assert_int_equal(hold_loader(fx, 200, 1), 0);
	/* CreateProcess: a loader exec in a new pid whose image is the parent */
	exec_of(fx, 300, 200, "/usr/lib/wine/wine64", loader_argv, sizeof(loader_argv));
	wine_hold__settle_parent(fx->wh, &fx->k);
	assert_int_equal(n_done, 1);
	assert_int_equal(done[0].tgid, 200);
	assert_string_equal(done[0].file_name, "prog.exe");
	assert_int_equal(maps_calls, 1);
	assert_empty(fx);
}

static void wine_hold__child_program__parent_not_mapped_stays_held(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(hold_loader(fx, 200, 1), 0); /* first try: -EAGAIN */
	exec_of(fx, 300, 200, "/usr/lib/wine/wine64", loader_argv, sizeof(loader_argv));
	wine_hold__settle_parent(fx->wh, &fx->k);
	assert_int_equal(maps_calls, 1);
	assert_int_equal(n_done, 0);
	/* a thread of the process itself is no child */
	exec_of(fx, 200, 200, "/usr/lib/wine/wine64", loader_argv, sizeof(loader_argv));
	wine_hold__settle_parent(fx->wh, &fx->k);
	assert_int_equal(maps_calls, 1);
	assert_int_not_equal(wine_hold__tick(fx->wh), -1);
}

static void wine_hold__child_program__held_launcher_parent_stays_held(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(hold_script(fx, 200), 0);
	exec_of(fx, 300, 200, "/usr/lib/wine/wine64", loader_argv, sizeof(loader_argv));
	wine_hold__settle_parent(fx->wh, &fx->k);
	assert_int_equal(maps_calls, 0);
	assert_int_equal(n_done, 0);
}

/* What lineage knows of @tgid: the program it runs. */
static void put_path(struct lineage *l, uint32_t tgid, const char *path)
{
	struct proc_record r = {.tgid = tgid};

	r.col[PROC_FOLDER_PATH] = path;
	assert_int_equal(lineage__put(l, &r), 0);
}

static void wine_hold__windows_parent__bare_name_looked_up_in_its_dir(void **state)
{
	struct fixture *fx = *state;

	put_path(fx->lineage, 200, "/home/u/.wine/drive_c/app/parent.exe");
	put_path(fx->lineage, 201, "/usr/bin/bash");
	put_path(fx->lineage, 202, "/root.exe");
	assert_int_equal(hold_loader(fx, 300, 200), 0);
	assert_string_equal(resolved_search_dir, "/home/u/.wine/drive_c/app");
	assert_int_equal(hold_loader(fx, 302, 202), 0);
	assert_string_equal(resolved_search_dir, "/");
	assert_int_equal(hold_loader(fx, 301, 201), 0);
	assert_string_equal(resolved_search_dir, "");
	assert_null(resolved.search_dir);
}

static void wine_hold__preloader__program_is_argv2(void **state)
{
	static const char argv[] = "wine64-preloader\0wine64\0C:\\app\\prog.exe\0-x";
	struct fixture *fx = *state;
	struct reader_files f = {
	    .exe_fd = -1, .file_fd = -1, .kind = WINE_PROGRAM, .preloader = true};
	const struct exec_info *x =
	    exec_of(fx, 100, 1, "/usr/lib/wine/wine64-preloader", argv, sizeof(argv));

	assert_int_equal(wine_hold__hold(fx->wh, &fx->ev, x, &f, fx->root_fd), 0);
	assert_true(resolved.preloader);
	wine_hold__flush(fx->wh);
	assert_int_equal(n_done, 1);
	assert_string_equal(done[0].cmdline, "C:\\app\\prog.exe -x");
}

static void wine_hold__snapshot_program__released_at_once_with_windows_argv(void **state)
{
	/* as Wine rewrote it: the Windows command line, NUL-padded, no loader */
	static const char argv[] = "C:\\app\\prog.exe\0-x\0\0\0\0";
	struct fixture *fx = *state;
	struct exec_info *x =
	    (struct exec_info *)exec_of(fx, 100, 1, "/usr/lib/wine/wine64", argv, sizeof(argv));
	/* the loader was the preloader, but argv no longer shows it */
	struct reader_files f = {
	    .exe_fd = -1, .file_fd = -1, .kind = WINE_PROGRAM, .preloader = true};

	x->from_snapshot = true;
	assert_int_equal(wine_hold__hold(fx->wh, &fx->ev, x, &f, fx->root_fd), 0);
	assert_int_equal(resolved.argc, 3);
	assert_false(resolved.preloader);
	assert_string_equal(resolved.argv[0], ""); /* a stand-in loader */
	assert_string_equal(resolved.argv[1], "C:\\app\\prog.exe");
	assert_string_equal(resolved.argv[2], "-x");
	assert_int_equal(n_done, 1);
	assert_int_equal(maps_calls, 0);
	assert_string_equal(done[0].file_name, "prog.exe");
	assert_string_equal(done[0].cmdline, "C:\\app\\prog.exe -x");
	assert_empty(fx);
}

static void wine_hold__flush__reports_every_held_event(void **state)
{
	struct fixture *fx = *state;

	for (int i = 0; i < 64; i++)
		maps_results[i] = -EAGAIN;
	assert_int_equal(hold_script(fx, 100), 0);
	assert_int_equal(hold_loader(fx, 101, 1), 0);
	wine_hold__flush(fx->wh);
	assert_int_equal(n_done, 2);
	assert_int_equal(stats_of(fx).programs, 1);
	assert_int_equal(maps_calls, 0); /* the program as argv resolved it */
	assert_empty(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(wine_hold__launcher_then_loader__collapses_into_program),
	    T(wine_hold__loader_reexec__replaces_held_program),
	    T(wine_hold__launcher_starts_nothing__released_plain_at_deadline),
	    T(wine_hold__launcher_then_plain_exec__released_plain_at_once),
	    T(wine_hold__image_mapped_on_second_try__released_as_program),
	    T(wine_hold__retries__back_off_from_2_to_50_ms),
	    T(wine_hold__image_never_mapped__released_at_deadline_from_argv),
	    T(wine_hold__process_gone__released_at_once),
	    T(wine_hold__fs_timed_out__ends_wait_reads_no_more),
	    T(wine_hold__fs_busy__ends_wait_reads_no_more),
	    T(wine_hold__resolve_fails__not_held),
	    T(wine_hold__full__overflow_releases_oldest),
	    T(wine_hold__child_program__settles_mapped_parent),
	    T(wine_hold__child_program__parent_not_mapped_stays_held),
	    T(wine_hold__child_program__held_launcher_parent_stays_held),
	    T(wine_hold__windows_parent__bare_name_looked_up_in_its_dir),
	    T(wine_hold__preloader__program_is_argv2),
	    T(wine_hold__snapshot_program__released_at_once_with_windows_argv),
	    T(wine_hold__flush__reports_every_held_event),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
