// SPDX-License-Identifier: MIT
/*
 * Wine launch resolution: path translation over a synthetic prefix tree, the
 * environ/maps/passwd parsers, loader identification on this machine's Wine,
 * and (when wine and mingw are installed) real Wine launches resolved live.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "identity/wine.h"
#include "identity/winepath.h"

#define PREFIX	"/home/u/.wine"
#define DRIVE_C PREFIX "/drive_c"
#define ATERA	DRIVE_C "/Program Files/ATERA Networks/AteraAgent/AteraAgent.exe"

static char tmp_dir[] = "/tmp/rmmhunt-test-wine-XXXXXX";
static char root[sizeof(tmp_dir) + 8];
static int root_fd = -1;

static void make_path(const char *rel, const char *link_target)
{
	char path[4096], *slash;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	if (link_target) {
		assert_int_equal(symlink(link_target, path), 0);
	} else {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("MZ", f);
		fclose(f);
	}
}

/*
 * root/
 *   etc/passwd                     u:1000 -> /home/u
 *   home/u/.wine/dosdevices/       c: -> ../drive_c, z: -> /, d: -> /mnt/data,
 *                                  e: -> ../../../../../../etc (clamped at the root)
 *   home/u/.wine/drive_c/...       Program Files/ATERA Networks/..., windows/...
 *   work/App.exe, work/sub/tool.exe, work/up -> ../../.., work/loop -> loop
 * and outside.exe next to root/, which nothing may reach.
 */
static int setup_tree(void **state)
{
	char path[4096];
	FILE *f;

	if (!mkdtemp(tmp_dir))
		return -1;
	snprintf(root, sizeof(root), "%s/root", tmp_dir);
	mkdir(root, 0755);
	make_path("home/u/.wine/dosdevices/c:", "../drive_c");
	make_path("home/u/.wine/dosdevices/z:", "/");
	make_path("home/u/.wine/dosdevices/d:", "/mnt/data");
	make_path("home/u/.wine/dosdevices/e:", "../../../../../../etc");
	make_path("home/u/.wine/dosdevices/com1", "/dev/ttyS0");
	make_path("home/u/.wine/drive_c/Program Files/ATERA Networks/AteraAgent/AteraAgent.exe",
		  NULL);
	make_path("home/u/.wine/drive_c/windows/system32/services.exe", NULL);
	make_path("home/u/.wine/drive_c/windows/notepad.exe", NULL);
	make_path("mnt/data/Setup.exe", NULL);
	make_path("work/App.exe", NULL);
	make_path("work/sub/tool.exe", NULL);
	make_path("work/up", "../../..");
	make_path("work/loop", "loop");
	make_path("parent/App.exe", NULL);
	make_path("etc/passwd", NULL);
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000:U,,,:/home/u:/bin/sh\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/outside.exe", tmp_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fclose(f);
	root_fd = open(root, O_PATH | O_DIRECTORY);
	return root_fd < 0 ? -1 : 0;
}

static int teardown_tree(void **state)
{
	char cmd[256];

	close(root_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	return system(cmd) ? -1 : 0;
}

static const struct winepath *wp_at(const char *cwd)
{
	static struct winepath wp;

	wp = (struct winepath){root_fd, PREFIX, cwd};
	return &wp;
}

static void expect_program(const char *cwd, const char *path, const char *search_dir,
			   const char *want)
{
	char out[4096];

	assert_int_equal(winepath__find_program(wp_at(cwd), path, search_dir, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void expect_missing(const char *cwd, const char *path, int err)
{
	char out[4096];

	assert_int_equal(winepath__find_program(wp_at(cwd), path, NULL, out, sizeof(out)), err);
}

static void winepath__drive_letters__follow_dosdevices(void **state)
{
	char out[4096];

	assert_int_equal(winepath__drive(wp_at("/"), 'c', out, sizeof(out)), 0);
	assert_string_equal(out, DRIVE_C);
	assert_int_equal(winepath__drive(wp_at("/"), 'Z', out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(winepath__drive(wp_at("/"), 'd', out, sizeof(out)), 0);
	assert_string_equal(out, "/mnt/data");
	/* A link climbing above the root stops at the root. */
	assert_int_equal(winepath__drive(wp_at("/"), 'e', out, sizeof(out)), 0);
	assert_string_equal(out, "/etc");
	assert_int_equal(winepath__drive(wp_at("/"), 'q', out, sizeof(out)), -ENOENT);
}

static void winepath__dos_paths__resolve_through_drives(void **state)
{
	expect_program("/", "C:\\Program Files\\ATERA Networks\\AteraAgent\\AteraAgent.exe", NULL,
		       ATERA);
	expect_program("/", "Z:\\work\\App.exe", NULL, "/work/App.exe");
	expect_program("/", "d:\\Setup.exe", NULL, "/mnt/data/Setup.exe");
	expect_program("/", "\\\\?\\C:\\windows\\notepad.exe", NULL,
		       DRIVE_C "/windows/notepad.exe");
	/* Drive-relative root: the drive the cwd is on (Z: for /work). */
	expect_program("/work", "\\work\\sub\\tool.exe", NULL, "/work/sub/tool.exe");
	expect_missing("/", "\\\\server\\share\\x.exe", -EOPNOTSUPP);
}

static void winepath__components__match_ignoring_case(void **state)
{
	expect_program("/", "c:\\PROGRAM FILES\\atera networks\\ateraagent\\ateraagent.EXE", NULL,
		       ATERA);
	expect_program("/", "C:/program files/Atera Networks/AteraAgent/AteraAgent.exe", NULL,
		       ATERA);
	expect_program("/Work", "SUB\\Tool.exe", NULL, "/work/sub/tool.exe");
}

static void winepath__unix_and_relative_paths__resolve_from_cwd(void **state)
{
	expect_program("/", "/work/App.exe", NULL, "/work/App.exe");
	expect_program("/work", "./App.exe", NULL, "/work/App.exe");
	expect_program("/work", "sub/tool.exe", NULL, "/work/sub/tool.exe");
	expect_program("/work/sub", "..\\App.exe", NULL, "/work/App.exe");
	expect_program("/work", "sub\\tool", NULL, "/work/sub/tool.exe");
	expect_missing("/work", "sub\\nothere.exe", -ENOENT);
}

static void winepath__bare_names__follow_search_order(void **state)
{
	expect_program("/work", "App.exe", NULL, "/work/App.exe");
	expect_program("/work", "app", NULL, "/work/App.exe");
	expect_program("/work", "App.exe", "/parent", "/parent/App.exe");
	expect_program("/", "services", NULL, DRIVE_C "/windows/system32/services.exe");
	expect_program("/", "NOTEPAD.EXE", NULL, DRIVE_C "/windows/notepad.exe");
	expect_missing("/", "nothere", -ENOENT);
	/* A directory is not a program. */
	expect_missing("/", "work", -ENOENT);
}

static void winepath__dotdot_and_links__stay_inside_root(void **state)
{
	char out[4096];

	expect_program("/", "Z:\\..\\..\\..\\work\\App.exe", NULL, "/work/App.exe");
	expect_program("/", "/../../work/App.exe", NULL, "/work/App.exe");
	expect_program("/work", "up/work/up/work/App.exe", NULL, "/work/App.exe");
	expect_missing("/", "Z:\\..\\outside.exe", -ENOENT);
	expect_missing("/work", "up\\..\\..\\outside.exe", -ENOENT);
	expect_missing("/work", "loop\\x.exe", -ELOOP);
	assert_int_equal(winepath__resolve(root_fd, "/", "work/up", out, sizeof(out)), 0);
	assert_string_equal(out, "/");
}

static void winepath__to_windows__picks_longest_drive(void **state)
{
	char out[1024];

	assert_int_equal(winepath__to_windows(wp_at("/"), ATERA, out, sizeof(out)), 0);
	assert_string_equal(out, "C:\\Program Files\\ATERA Networks\\AteraAgent\\AteraAgent.exe");
	assert_int_equal(winepath__to_windows(wp_at("/"), "/work/App.exe", out, sizeof(out)), 0);
	assert_string_equal(out, "Z:\\work\\App.exe");
	assert_int_equal(winepath__to_windows(wp_at("/"), "/mnt/data/Setup.exe", out, sizeof(out)),
			 0);
	assert_string_equal(out, "D:\\Setup.exe");
	/* /mnt/database is not under D: (/mnt/data). */
	assert_int_equal(winepath__to_windows(wp_at("/"), "/mnt/database", out, sizeof(out)), 0);
	assert_string_equal(out, "Z:\\mnt\\database");
	assert_int_equal(winepath__to_windows(wp_at("/"), "/work/App.exe", out, 8), -ENAMETOOLONG);
}

static void wine__environ_get__finds_exact_names(void **state)
{
	static const char env[] =
	    "WINEPREFIXX=/no\0HOME=/home/u\0WINEPREFIX=/p/x\0LAST=unterminated";
	char out[64];

	assert_int_equal(wine__environ_get(env, sizeof(env) - 1, "WINEPREFIX", out, sizeof(out)),
			 0);
	assert_string_equal(out, "/p/x");
	assert_int_equal(wine__environ_get(env, sizeof(env) - 1, "LAST", out, sizeof(out)), 0);
	assert_string_equal(out, "unterminated");
	/* Cut at the buffer's length even without a final NUL. */
	assert_int_equal(wine__environ_get(env, sizeof(env) - 4, "LAST", out, sizeof(out)), 0);
	assert_string_equal(out, "untermina");
	assert_int_equal(wine__environ_get(env, sizeof(env) - 1, "HOM", out, sizeof(out)), -ENOENT);
	assert_int_equal(wine__environ_get(env, sizeof(env) - 1, "HOME", out, 4), -ENAMETOOLONG);
	assert_int_equal(wine__environ_get("", 0, "HOME", out, sizeof(out)), -ENOENT);
}

static void wine__passwd_home__matches_uid_field(void **state)
{
	static const char pw[] = "root:x:0:0:root:/root:/bin/sh\n"
				 "bad line\n"
				 "u:x:1000:1000:U,,,:/home/u:/bin/sh\n"
				 "v:x:10000:1:::/nosh";
	char out[64];

	assert_int_equal(wine__passwd_home(pw, strlen(pw), 1000, out, sizeof(out)), 0);
	assert_string_equal(out, "/home/u");
	assert_int_equal(wine__passwd_home(pw, strlen(pw), 0, out, sizeof(out)), 0);
	assert_string_equal(out, "/root");
	assert_int_equal(wine__passwd_home(pw, strlen(pw), 10000, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(wine__passwd_home(pw, strlen(pw), 100, out, sizeof(out)), -ENOENT);
}

static const char maps_winedevice[] =
    "140000000-140001000 r--p 00000000 fe:01 1234    "
    "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/ntoskrnl.exe\n"
    "150000000-150001000 r--p 00000000 fe:01 1235    "
    "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/winedevice.exe\n"
    "6fffffc40000-6fffffc41000 r--p 00000000 fe:01 99 "
    "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll\n"
    "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n"
    "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]\n";

static void wine__maps_find_image__prefers_wanted_name(void **state)
{
	char out[4096];

	assert_int_equal(wine__maps_find_image(maps_winedevice, strlen(maps_winedevice),
					       "WineDevice.exe", out, sizeof(out)),
			 0);
	assert_string_equal(out, "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/winedevice.exe");
	/* Unknown name: the lowest mapped .exe. */
	assert_int_equal(
	    wine__maps_find_image(maps_winedevice, strlen(maps_winedevice), NULL, out, sizeof(out)),
	    0);
	assert_string_equal(out, "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/ntoskrnl.exe");
}

static void wine__maps_find_image__handles_spaces_deleted_and_absence(void **state)
{
	static const char maps[] =
	    "00400000-00401000 r--p 00000000 fe:01 77       "
	    "/home/u/.wine/drive_c/Program Files/ATERA Networks/AteraAgent.EXE (deleted)\n"
	    "00500000-00501000 r-xp 00000000 fe:01 78       /opt/tool/Helper.exe";
	static const char no_pe[] = "55d0-55d1 r--p 00000000 fe:01 5 /usr/lib/wine/wine64\n"
				    "7f00-7f01 r--p 00000000 fe:01 6 /usr/lib/libc.so.6\n";
	char out[4096];

	assert_int_equal(wine__maps_find_image(maps, strlen(maps), "nope.exe", out, sizeof(out)),
			 0);
	assert_string_equal(out,
			    "/home/u/.wine/drive_c/Program Files/ATERA Networks/AteraAgent.EXE");
	assert_int_equal(wine__maps_find_image(maps, strlen(maps), "helper.exe", out, sizeof(out)),
			 0);
	assert_string_equal(out, "/opt/tool/Helper.exe");
	assert_int_equal(wine__maps_find_image(no_pe, strlen(no_pe), NULL, out, sizeof(out)),
			 -ENOENT);
	/* A line cut short by the read bound has no path. */
	assert_int_equal(wine__maps_find_image(maps, 30, NULL, out, sizeof(out)), -ENOENT);
	assert_int_equal(wine__maps_find_image(maps, strlen(maps), "helper.exe", out, 8),
			 -ENAMETOOLONG);
}

static struct wine_query query(const char *prog, const char *env, size_t env_len)
{
	static const char *argv[2];

	argv[0] = "/usr/lib/wine/wine64";
	argv[1] = prog;
	return (struct wine_query){
	    .root_fd = root_fd,
	    .exe_fd = -1,
	    .cwd = "/work",
	    .loader_path = "/usr/lib/wine/wine64",
	    .argv = argv,
	    .argc = 2,
	    .environ = env,
	    .environ_len = env_len,
	    .uid = 1000,
	};
}

static void wine__resolve__fills_target_from_argv(void **state)
{
	static const char env[] = "HOME=/nowhere\0WINEPREFIX=/home/u/.wine/\0";
	struct wine_query q =
	    query("C:\\program files\\atera networks\\ateraagent\\ateraagent", env, sizeof(env));
	struct wine *w = wine__new();
	struct wine_target t;
	struct event e;

	assert_int_equal(wine__resolve(w, &q, &t), 0);
	assert_string_equal(t.unix_path, ATERA);
	assert_string_equal(t.file_name, "AteraAgent.exe");
	assert_string_equal(t.windows_path,
			    "C:\\Program Files\\ATERA Networks\\AteraAgent\\AteraAgent.exe");
	assert_string_equal(t.prefix, PREFIX);
	assert_string_equal(t.wanted, "ateraagent.exe");
	assert_false(t.from_maps);

	event_init(&e);
	assert_int_equal(wine__fill_event(&t, &e), 0);
	assert_string_equal(event_str(&e, FIELD_FILE_NAME), "AteraAgent.exe");
	assert_string_equal(event_str(&e, FIELD_FOLDER_PATH), ATERA);
	assert_string_equal(event_str(&e, FIELD_WINDOWS_PATH),
			    "C:\\Program Files\\ATERA Networks\\AteraAgent\\AteraAgent.exe");
	assert_string_equal(event_str(&e, FIELD_WINE_PREFIX), PREFIX);
	assert_string_equal(event_str(&e, FIELD_WINE_LOADER_PATH), "/usr/lib/wine/wine64");
	event_free(&e);
	wine__free(w);
}

static void wine__resolve__defaults_prefix_to_home_then_passwd(void **state)
{
	static const char env_home[] = "HOME=/home/u\0";
	static const char env_none[] = "PATH=/bin\0";
	struct wine_query q = query("services.exe", env_home, sizeof(env_home));
	struct wine *w = wine__new();
	struct wine_target t;

	assert_int_equal(wine__resolve(w, &q, &t), 0);
	assert_string_equal(t.unix_path, DRIVE_C "/windows/system32/services.exe");
	assert_string_equal(t.windows_path, "C:\\windows\\system32\\services.exe");

	q = query("services.exe", env_none, sizeof(env_none));
	assert_int_equal(wine__resolve(w, &q, &t), 0);
	assert_string_equal(t.prefix, PREFIX);
	assert_string_equal(t.unix_path, DRIVE_C "/windows/system32/services.exe");

	/* No prefix at all: Unix paths still resolve, DOS paths do not. */
	q = query("/work/App.exe", env_none, sizeof(env_none));
	q.uid = 4242;
	assert_int_equal(wine__resolve(w, &q, &t), 0);
	assert_string_equal(t.unix_path, "/work/App.exe");
	assert_string_equal(t.windows_path, "");
	q = query("C:\\windows\\notepad.exe", env_none, sizeof(env_none));
	q.uid = 4242;
	assert_int_equal(wine__resolve(w, &q, &t), -ENOENT);
	assert_int_equal(wine__fill_event(&t, NULL), -ENOENT);

	q.argc = 1;
	assert_int_equal(wine__resolve(w, &q, &t), -ENOENT);
	wine__free(w);
}

static int open_or_skip(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		skip();
	return fd;
}

static void wine__loader_kind__recognises_loader_by_content(void **state)
{
	char copy[4096], cmd[8192];
	struct wine *w = wine__new();
	int fd;

	fd = open_or_skip("/usr/lib/wine/wine64");
	assert_int_equal(wine__loader_kind(w, fd), WINE_LOADER);
	assert_int_equal(wine__loader_kind(w, fd), WINE_LOADER); /* cached */
	assert_int_equal(wine__classify(w, fd, -1), WINE_PROGRAM);
	assert_false(wine__is_launcher_script(fd));
	close(fd);

	/* Renamed and moved, it is still the loader. */
	snprintf(copy, sizeof(copy), "%s/renamed", tmp_dir);
	snprintf(cmd, sizeof(cmd), "cp /usr/lib/wine/wine64 '%s'", copy);
	assert_int_equal(system(cmd), 0);
	fd = open_or_skip(copy);
	assert_true(wine__is_loader(w, fd));
	close(fd);

	fd = open_or_skip("/bin/ls");
	assert_false(wine__is_loader(w, fd));
	assert_false(wine__is_pe_file(fd));
	assert_int_equal(wine__classify(w, fd, -1), WINE_NOT);
	close(fd);
	wine__free(w);
}

static void wine__classify__launcher_script_and_pe_are_steps(void **state)
{
	static const unsigned char pe_head[0x44] = {'M', 'Z', [0x3c] = 0x40, [0x40] = 'P', 'E'};
	struct wine *w = wine__new();
	int sh, script, pe;
	char path[4096];
	FILE *f;

	sh = open_or_skip("/bin/sh");
	script = open_or_skip("/usr/bin/wine");
	assert_true(wine__is_launcher_script(script));
	assert_int_equal(wine__classify(w, sh, script), WINE_LAUNCHER_STEP);
	assert_int_equal(wine__classify(w, sh, -1), WINE_NOT);
	close(script);

	snprintf(path, sizeof(path), "%s/x.exe", tmp_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(pe_head, 1, sizeof(pe_head), f);
	fclose(f);
	pe = open(path, O_RDONLY);
	assert_true(wine__is_pe_file(pe));
	assert_int_equal(wine__classify(w, sh, pe), WINE_LAUNCHER_STEP);
	close(pe);

	/* "MZ" alone is not a PE. */
	snprintf(path, sizeof(path), "%s/root/work/App.exe", tmp_dir);
	pe = open(path, O_RDONLY);
	assert_false(wine__is_pe_file(pe));
	assert_int_equal(wine__classify(w, sh, pe), WINE_NOT);
	close(pe);
	close(sh);
	wine__free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(winepath__drive_letters__follow_dosdevices),
	    cmocka_unit_test(winepath__dos_paths__resolve_through_drives),
	    cmocka_unit_test(winepath__components__match_ignoring_case),
	    cmocka_unit_test(winepath__unix_and_relative_paths__resolve_from_cwd),
	    cmocka_unit_test(winepath__bare_names__follow_search_order),
	    cmocka_unit_test(winepath__dotdot_and_links__stay_inside_root),
	    cmocka_unit_test(winepath__to_windows__picks_longest_drive),
	    cmocka_unit_test(wine__environ_get__finds_exact_names),
	    cmocka_unit_test(wine__passwd_home__matches_uid_field),
	    cmocka_unit_test(wine__maps_find_image__prefers_wanted_name),
	    cmocka_unit_test(wine__maps_find_image__handles_spaces_deleted_and_absence),
	    cmocka_unit_test(wine__resolve__fills_target_from_argv),
	    cmocka_unit_test(wine__resolve__defaults_prefix_to_home_then_passwd),
	    cmocka_unit_test(wine__loader_kind__recognises_loader_by_content),
	    cmocka_unit_test(wine__classify__launcher_script_and_pe_are_steps),
	};
	int failed;

	failed = cmocka_run_group_tests_name("wine", tests, setup_tree, teardown_tree);
	return failed;
}
