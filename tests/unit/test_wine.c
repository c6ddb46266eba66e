// SPDX-License-Identifier: MIT
/*
 * Wine launch resolution: path translation over a synthetic prefix tree, the
 * environ/maps/passwd parsers, loader identification on this machine's Wine,
 * and (when wine and mingw are installed) real Wine launches resolved live.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "elf_builder.h"
#include "identity/wine.h"
#include "identity/winepath.h"

#define PREFIX	"/home/u/.wine"
#define DRIVE_C PREFIX "/drive_c"
#define ATERA	DRIVE_C "/Program Files/ATERA Networks/AteraAgent/AteraAgent.exe"

#define LOADER_MARKER_NAME "wine_main_preload_info"

static char tmp_dir[] = "/tmp/rmmhunt-test-wine-XXXXXX";
static char root[sizeof(tmp_dir) + 8];
static int root_fd = -1;

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	status = system(cmd);
	if (status)
		print_message("      (exit %d) %s\n", status, cmd);
	return status;
}

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
	struct wine_image img;

	assert_int_equal(
	    wine__maps_find_image(maps_winedevice, strlen(maps_winedevice), "WineDevice.exe", &img),
	    0);
	assert_string_equal(img.path,
			    "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/winedevice.exe");
	assert_string_equal(img.range, "150000000-150001000");
	/* Unknown name: the lowest mapped .exe. */
	assert_int_equal(
	    wine__maps_find_image(maps_winedevice, strlen(maps_winedevice), NULL, &img), 0);
	assert_string_equal(img.path, "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/ntoskrnl.exe");
	assert_string_equal(img.range, "140000000-140001000");
}

static void wine__maps_find_image__handles_spaces_deleted_and_absence(void **state)
{
	static const char maps[] =
	    "00400000-00401000 r--p 00000000 fe:01 77       "
	    "/home/u/.wine/drive_c/Program Files/ATERA Networks/AteraAgent.EXE (deleted)\n"
	    "00500000-00501000 r-xp 00000000 fe:01 78       /opt/tool/Helper.exe";
	static const char no_pe[] = "55d0-55d1 r--p 00000000 fe:01 5 /usr/lib/wine/wine64\n"
				    "7f00-7f01 r--p 00000000 fe:01 6 /usr/lib/libc.so.6\n";
	char too_long[WINE_PATH_MAX + 64];
	struct wine_image img;

	assert_int_equal(wine__maps_find_image(maps, strlen(maps), "nope.exe", &img), 0);
	assert_string_equal(img.path,
			    "/home/u/.wine/drive_c/Program Files/ATERA Networks/AteraAgent.EXE");
	assert_int_equal(wine__maps_find_image(maps, strlen(maps), "helper.exe", &img), 0);
	assert_string_equal(img.path, "/opt/tool/Helper.exe");
	assert_int_equal(wine__maps_find_image(no_pe, strlen(no_pe), NULL, &img), -ENOENT);
	/* A line cut short by the read bound has no path. */
	assert_int_equal(wine__maps_find_image(maps, 30, NULL, &img), -ENOENT);
	/* A path longer than we keep is skipped, not cut. */
	memset(too_long, 'a', sizeof(too_long));
	memcpy(too_long, "1-2 r--p 0 0:0 1 /", 18);
	memcpy(too_long + sizeof(too_long) - 5, ".exe", 5);
	assert_int_equal(wine__maps_find_image(too_long, strlen(too_long), NULL, &img), -ENOENT);
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

	event__init(&e);
	assert_int_equal(wine__fill_event(&t, &e), 0);
	assert_string_equal(event__str(&e, FIELD_FILE_NAME), "AteraAgent.exe");
	assert_string_equal(event__str(&e, FIELD_FOLDER_PATH), ATERA);
	assert_string_equal(event__str(&e, FIELD_WINDOWS_PATH),
			    "C:\\Program Files\\ATERA Networks\\AteraAgent\\AteraAgent.exe");
	assert_string_equal(event__str(&e, FIELD_WINE_PREFIX), PREFIX);
	assert_string_equal(event__str(&e, FIELD_WINE_LOADER_PATH), "/usr/lib/wine/wine64");
	event__free(&e);
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
	/* Rewritten in place (same inode, new ctime): judged again, not served from cache. */
	snprintf(cmd, sizeof(cmd), "cat /bin/ls > '%s'", copy);
	assert_int_equal(system(cmd), 0);
	fd = open_or_skip(copy);
	assert_false(wine__is_loader(w, fd));
	close(fd);

	fd = open_or_skip("/bin/ls");
	assert_false(wine__is_loader(w, fd));
	assert_false(wine__is_pe_file(fd));
	assert_int_equal(wine__classify(w, fd, -1), WINE_NOT);
	close(fd);
	wine__free(w);
}

/* The loader is found by its exported marker in either ELF class and byte order. */
static void wine__loader_kind__marker_export_any_class_or_byte_order__loader(void **state)
{
	static const bool is64[] = {true, true, false, false}, be[] = {false, true, false, true};

	for (size_t k = 0; k < sizeof(is64) / sizeof(is64[0]); k++) {
		struct wine *w = wine__new();
		struct eb_layout l;
		unsigned char *img = eb_build(is64[k], be[k], 0, &l);
		int fd = memfd_create("loader", MFD_CLOEXEC);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, img, l.size), (ssize_t)l.size);
		assert_int_equal(wine__loader_kind(w, fd), WINE_LOADER);
		close(fd);
		/* Dynamic (PT_INTERP) and importing the marker, as a program that calls it. */
		eb_put(img + l.phoff + l.phentsize, 4, PT_INTERP, be[k]); /* p_type leads */
		eb_put(
		    img + l.symoff + l.symsize +
			(is64[k] ? offsetof(Elf64_Sym, st_shndx) : offsetof(Elf32_Sym, st_shndx)),
		    2, SHN_UNDEF, be[k]);
		fd = memfd_create("import", MFD_CLOEXEC);
		assert_int_equal(write(fd, img, l.size), (ssize_t)l.size);
		assert_int_equal(wine__loader_kind(w, fd), WINE_LOADER_NONE);
		close(fd);
		free(img);
		wine__free(w);
	}
}

/*
 * The string table is read 64 KiB at a time: the marker's name found wherever
 * it falls, across a chunk's end included, and only at the symbol's offset.
 */
static void wine__loader_kind__marker_name_across_chunks__loader(void **state)
{
	static const size_t chunk = 64u << 10, n = sizeof(LOADER_MARKER_NAME); /* with its NUL */
	const size_t at[] = {chunk - n, chunk - n + 1, chunk - n / 2, chunk - 1,
			     chunk,	2 * chunk - 5, 3 * chunk - n};

	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		for (int shifted = 0; shifted < 2; shifted++) {
			struct wine *w = wine__new();
			struct eb_layout l;
			unsigned char *img = eb_build(true, false, 0, &l), *big;
			size_t strsize = at[k] + n, size = l.size + strsize;
			unsigned char *sh = NULL;
			int fd;

			/* the string table moved to the end, the name at at[k] */
			big = calloc(1, size);
			assert_non_null(big);
			memcpy(big, img, l.size);
			memcpy(big + l.size + at[k], LOADER_MARKER_NAME, n);
			sh = big + l.shoff + 2 * l.shentsize;
			eb_put(sh + offsetof(Elf64_Shdr, sh_offset), 8, l.size, false);
			eb_put(sh + offsetof(Elf64_Shdr, sh_size), 8, strsize, false);
			/*
			 * the symbol names it, or one byte past it (a name that is no
			 * marker): then only the static-preloader check still sees the bytes
			 */
			eb_put(big + l.symoff + l.symsize + offsetof(Elf64_Sym, st_name), 4,
			       at[k] + (size_t)shifted, false);
			fd = memfd_create("loader", MFD_CLOEXEC);
			assert_true(fd >= 0);
			assert_int_equal(write(fd, big, size), (ssize_t)size);
			assert_int_equal(wine__loader_kind(w, fd),
					 shifted ? WINE_PRELOADER : WINE_LOADER);
			close(fd);
			free(big);
			free(img);
			wine__free(w);
		}
	}
}

/* Builds @name in tmp_dir from C source @src with gcc @flags; skips without gcc. */
static int build_elf(const char *name, const char *flags, const char *src)
{
	char path[4096];
	FILE *f;
	int fd;

	if (system("command -v gcc >/dev/null"))
		skip();
	snprintf(path, sizeof(path), "%s/%s.c", tmp_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	assert_int_equal(run("cd '%s' && gcc %s -o '%s' '%s.c'", tmp_dir, flags, name, name), 0);
	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/*
 * The symbol tables are read a chunk at a time: the marker's name past the
 * first chunks, in the tail of longer names, many times over, is still found
 * exactly when a defined symbol has it.
 */
static void wine__loader_kind__marker_among_many_names__loader_when_defined(void **state)
{
	static const struct {
		const char *name;
		int before, tails; /* other exported symbols: plain, ending in the marker's name */
		bool marker;
	} cases[] = {
	    {"past_chunks", 6000, 0, true},	/* the tables' end is megabytes-scale away */
	    {"one_tail", 0, 1, true},		/* its name may be a tail of another's */
	    {"many_tails", 40, 30, true},	/* more copies than looked up at once */
	    {"many_tails_none", 40, 30, false}, /* only longer names end in it */
	    {"past_chunks_none", 6000, 0, false},
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		size_t cap = 512u << 10, len = 0;
		char *src = malloc(cap);
		struct wine *w = wine__new();
		int fd;

		assert_non_null(src);
		for (int i = 0; i < cases[k].before; i++)
			len += (size_t)snprintf(src + len, cap - len,
						"int padding_symbol_with_a_long_name_%05d = %d;\n",
						i, i);
		for (int i = 0; i < cases[k].tails; i++)
			len += (size_t)snprintf(src + len, cap - len,
						"int t%d_" LOADER_MARKER_NAME " = 1;\n", i);
		if (cases[k].marker)
			len += (size_t)snprintf(src + len, cap - len,
						"int " LOADER_MARKER_NAME " = 1;\n");
		snprintf(src + len, cap - len, "int main(void) { return 0; }\n");
		fd = build_elf(cases[k].name, "-rdynamic", src);
		assert_int_equal(wine__loader_kind(w, fd),
				 cases[k].marker ? WINE_LOADER : WINE_LOADER_NONE);
		close(fd);
		free(src);
		wine__free(w);
	}
}

/* A static ELF naming the marker is a preloader; a dynamic one (like rmmhunt) is not. */
static void wine__loader_kind__static_marker_is_preloader(void **state)
{
	static const char *const argv[] = {"/opt/w/wine64-preloader", "/opt/w/wine64",
					   "C:\\windows\\notepad.exe"};
	static const char env[] = "WINEPREFIX=" PREFIX;
	struct wine_query q = {.root_fd = root_fd,
			       .cwd = "/",
			       .argv = argv,
			       .argc = 3,
			       .environ = env,
			       .environ_len = sizeof(env)};
	struct wine *w = wine__new();
	struct wine_target t;
	char path[4096];
	int fd;

	if (system("command -v gcc >/dev/null"))
		skip();
	snprintf(path, sizeof(path), "%s/pre.c", tmp_dir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("const char *volatile m = \"wine_main_preload_info\";\n"
		      "int main(void) { return m[0] == 0; }\n",
		      f);
		fclose(f);
	}
	if (run("cd '%s' && gcc -static -o preloader pre.c 2>/dev/null", tmp_dir))
		skip(); /* no static libc */
	assert_int_equal(run("cd '%s' && gcc -o dynamic pre.c", tmp_dir), 0);

	snprintf(path, sizeof(path), "%s/preloader", tmp_dir);
	fd = open(path, O_RDONLY);
	assert_int_equal(wine__loader_kind(w, fd), WINE_PRELOADER);
	assert_int_equal(wine__classify(w, fd, -1), WINE_PROGRAM);
	/* The program is argv[2] behind a preloader. */
	q.exe_fd = fd;
	assert_int_equal(wine__resolve(w, &q, &t), 0);
	assert_string_equal(t.unix_path, DRIVE_C "/windows/notepad.exe");
	close(fd);

	snprintf(path, sizeof(path), "%s/dynamic", tmp_dir);
	fd = open(path, O_RDONLY);
	assert_int_equal(wine__loader_kind(w, fd), WINE_LOADER_NONE);
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

	/* Scripts: an exec line naming wine makes a launcher, a mention does not. */
	snprintf(path, sizeof(path), "%s/apploader", tmp_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh -e\nappname=$(basename \"$0\" .exe)\n\texec wine-stable \"$name.exe\" "
	      "\"$@\"\n",
	      f);
	fclose(f);
	script = open(path, O_RDONLY);
	assert_true(wine__is_launcher_script(script));
	close(script);
	snprintf(path, sizeof(path), "%s/other", tmp_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n# runs without wine\nexec /bin/true \"$@\"\necho wine\n", f);
	fclose(f);
	script = open(path, O_RDONLY);
	assert_false(wine__is_launcher_script(script));
	assert_int_equal(wine__classify(w, sh, script), WINE_NOT);
	close(script);

	/* "MZ" alone is not a PE. */
	snprintf(path, sizeof(path), "%s/root/work/App.exe", tmp_dir);
	pe = open(path, O_RDONLY);
	assert_false(wine__is_pe_file(pe));
	assert_int_equal(wine__classify(w, sh, pe), WINE_NOT);
	close(pe);
	close(sh);
	wine__free(w);
}

/*
 * Live: real Wine runs mingw-built fixtures; the resolver must name them.
 * One prefix under /tmp, keyed by uid, is booted once and reused across runs.
 * The argv passed to the resolver is what the kernel reports for the loader's
 * exec: [loader, <program as typed>, args...] (see wine.h).
 */
#define LIVE_TIMEOUT_MS 15000 /* a cold Wine start; the pipeline's bound is WINE_HOLD_MS */

static bool live_ok;
static char live_dir[64], live_prefix[128], live_build[128], live_pf[256];
static struct wine *live_wine;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int setup_live(void **state)
{
	char src[4096], *slash;
	int err = 0;

	if (access("/usr/bin/wine", X_OK) || run("command -v x86_64-w64-mingw32-gcc >/dev/null") ||
	    run("command -v wineserver >/dev/null"))
		return 0; /* every live test skips */

	/* The fixtures' sources, next to this file. */
	snprintf(src, sizeof(src), "%s", __FILE__);
	slash = strrchr(src, '/');
	snprintf(slash ? slash : src, sizeof(src) - (slash ? slash - src : 0), "/../fixtures/wine");

	snprintf(live_dir, sizeof(live_dir), "/tmp/rmmhunt-wine-test-%u", getuid());
	snprintf(live_prefix, sizeof(live_prefix), "%s/prefix", live_dir);
	snprintf(live_build, sizeof(live_build), "%s/build-XXXXXX", live_dir);
	snprintf(live_pf, sizeof(live_pf), "%s/drive_c/Program Files/RMM Test", live_prefix);
	mkdir(live_dir, 0700);
	if (!mkdtemp(live_build))
		return -1;
	setenv("WINEPREFIX", live_prefix, 1);
	setenv("WINEDEBUG", "-all", 1);
	setenv("WINEDLLOVERRIDES", "mscoree,mshtml=", 1);

	err = err
		  ?: run("x86_64-w64-mingw32-gcc -O2 -o '%s/Sleeper.exe' '%s/sleeper.c'",
			 live_build, src);
	err = err
		  ?: run("x86_64-w64-mingw32-gcc -O2 -o '%s/spawner.exe' '%s/spawner.c'",
			 live_build, src);
	if (!run("command -v i686-w64-mingw32-gcc >/dev/null"))
		err = err
			  ?: run("i686-w64-mingw32-gcc -O2 -o '%s/s32.exe' '%s/sleeper.c'",
				 live_build, src);
	/*
	 * Boots the prefix the first time only (~15 s), then keeps one server up.
	 * One an interrupted boot left without its DLLs is booted again.
	 */
	if (!err && run("test -f '%s/drive_c/windows/system32/kernel32.dll'", live_prefix)) {
		run("rm -rf '%s'", live_prefix);
		run("wineboot -i >/dev/null 2>&1");
		err = run("test -L '%s/dosdevices/c:' && "
			  "test -f '%s/drive_c/windows/system32/kernel32.dll'",
			  live_prefix, live_prefix);
	}
	err = err
		  ?: run("mkdir -p '%s' && cp '%s/Sleeper.exe' '%s/' && "
			 "cp '%s/Sleeper.exe' '%s/RmmChild.exe'",
			 live_pf, live_build, live_pf, live_build, live_pf);
	/* A server left by wineboot or an earlier run is not persistent: replace it. */
	run("wineserver -k >/dev/null 2>&1");
	err = err ?: run("wineserver -p");
	live_wine = wine__new();
	live_ok = !err && live_wine;
	return live_ok ? 0 : -1;
}

static int teardown_live(void **state)
{
	if (live_dir[0]) {
		run("wineserver -k >/dev/null 2>&1");
		run("rm -rf '%s' '%s'", live_build, live_pf);
	}
	wine__free(live_wine);
	return 0;
}

/* Runs `wine args...` in @cwd; the returned pid becomes the loader. */
static pid_t spawn_wine(const char *cwd, const char *const *args)
{
	const char *argv[8] = {"wine"};
	pid_t pid;
	int i;

	for (i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		if (chdir(cwd))
			_exit(127);
		execvp("wine", (char **)argv);
		_exit(127);
	}
	assert_true(pid > 0);
	return pid;
}

static void end(pid_t pid, bool ours)
{
	kill(pid, SIGKILL);
	if (ours)
		waitpid(pid, NULL, 0);
}

/* The pid of a process of our prefix whose comm is @comm (a renamed Wine program). */
static pid_t find_program(const char *comm)
{
	long deadline = now_ms() + LIVE_TIMEOUT_MS;
	char path[64], buf[256], want[160];

	snprintf(want, sizeof(want), "WINEPREFIX=%s", live_prefix);
	while (now_ms() < deadline) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && (de = readdir(d))) {
			pid_t pid = atoi(de->d_name);
			char *env = NULL;
			size_t len;
			FILE *f;

			if (pid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
			buf[strcspn(buf, "\n")] = '\0';
			if (strcmp(buf, comm))
				continue;
			snprintf(path, sizeof(path), "/proc/%d/environ", pid);
			f = fopen(path, "r");
			if (!f)
				continue;
			len = getdelim(&env, &len, 0, f) > 0 ? 1 : 0;
			while (len && strcmp(env, want) && getdelim(&env, &len, 0, f) > 0)
				;
			if (len && !strcmp(env, want)) {
				free(env);
				fclose(f);
				closedir(d);
				return pid;
			}
			free(env);
			fclose(f);
		}
		if (d)
			closedir(d);
		usleep(10000);
	}
	return -1;
}

/* Whether our child @pid has exited; it stays a zombie for end() to reap. */
static bool exited(pid_t pid)
{
	siginfo_t info = {};

	return !waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) && info.si_pid == pid;
}

/*
 * What the pipeline does for a WINE_PROGRAM exec of @pid: classify the
 * process's binary, resolve from argv, then retry the maps until confirmed.
 * Returns 0, or -ESRCH when the process ended before it mapped the program.
 */
static int try_resolve_live(pid_t pid, const char *const *argv, size_t argc, struct wine_target *t)
{
	long start = now_ms(), deadline = start + LIVE_TIMEOUT_MS, waited;
	struct wine_query q = {.pid = pid, .argv = argv, .argc = argc, .uid = getuid()};
	char path[64];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	for (;;) {
		q.exe_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (q.exe_fd >= 0 && wine__classify(live_wine, q.exe_fd, -1) == WINE_PROGRAM)
			break;
		if (q.exe_fd >= 0)
			close(q.exe_fd);
		if (exited(pid))
			return -ESRCH; /* gone before its loader ran */
		assert_true(now_ms() < deadline);
		usleep(1000);
	}
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	q.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(q.root_fd >= 0);

	wine__resolve(live_wine, &q, t);
	while ((err = wine__try_maps(&q, t)) == -EAGAIN && now_ms() < deadline)
		usleep(WINE_RETRY_MS * 1000);
	waited = now_ms() - start;
	close(q.exe_fd);
	close(q.root_fd);
	if (err == -ESRCH)
		return err;
	print_message("      %s: loader seen -> PE mapped in %ld ms\n", t->file_name, waited);
	assert_int_equal(err, 0);
	assert_true(t->from_maps);
	return 0;
}

static void resolve_live(pid_t pid, const char *const *argv, size_t argc, struct wine_target *t)
{
	assert_int_equal(try_resolve_live(pid, argv, argc, t), 0);
}

/*
 * Starts `wine ARGS` in @cwd and resolves it. On a loaded machine Wine now
 * and then quits at start-up, before it maps any program (seen under ASan,
 * both cores busy): that says nothing of the resolver, so it starts again.
 */
static pid_t spawn_resolved(const char *cwd, const char *const *args, const char *const *argv,
			    size_t argc, struct wine_target *t)
{
	for (int attempt = 1;; attempt++) {
		pid_t pid = spawn_wine(cwd, args);

		if (!try_resolve_live(pid, argv, argc, t))
			return pid;
		end(pid, true);
		print_message("      wine %s ended before mapping it (attempt %d)\n", args[0],
			      attempt);
		assert_true(attempt < 3);
	}
}

/*
 * wine__open_image() opens @path itself, through the process's mapping. The
 * kernel opens /proc/PID/map_files/ only for CAP_SYS_ADMIN (or
 * CAP_CHECKPOINT_RESTORE), which the monitor has and a test run as a user
 * does not: such a run leaves the comparison to a run as root.
 */
static void expect_same_file(pid_t pid, const struct wine_target *t, const char *path)
{
	struct stat a, b;
	int fd = wine__open_image(pid, t);

	if (fd == -EPERM && geteuid() != 0) {
		print_message("      map_files refused to uid %u: image not compared\n", geteuid());
		return;
	}
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	close(fd);
}

static void expect_sleeper(const char *cwd, const char *prog, const char *unix_path,
			   const char *windows_path)
{
	const char *const args[] = {prog, "3000", NULL};
	const char *const argv[] = {"/usr/lib/wine/wine64", prog, "3000"};
	struct wine_target t;
	struct event e;
	pid_t pid;

	if (!live_ok)
		skip();
	pid = spawn_resolved(cwd, args, argv, 3, &t);
	assert_string_equal(t.unix_path, unix_path);
	assert_string_equal(t.image_path, unix_path);
	assert_string_equal(t.windows_path, windows_path);
	assert_string_equal(t.prefix, live_prefix);
	assert_string_equal(t.loader_path, "/usr/lib/wine/wine64");

	event__init(&e);
	assert_int_equal(wine__fill_event(&t, &e), 0);
	assert_string_equal(event__str(&e, FIELD_FILE_NAME), strrchr(unix_path, '/') + 1);
	assert_string_equal(event__str(&e, FIELD_FOLDER_PATH), unix_path);
	event__free(&e);
	end(pid, true);
}

static void unix_to_windows(const char *unix_path, char *out, size_t n)
{
	size_t i;

	snprintf(out, n, "Z:%s", unix_path);
	for (i = 0; out[i]; i++)
		if (out[i] == '/')
			out[i] = '\\';
}

static void live__absolute_unix_path(void **state)
{
	char exe[512], win[1024];

	if (!live_ok)
		skip();
	snprintf(exe, sizeof(exe), "%s/Sleeper.exe", live_build);
	unix_to_windows(exe, win, sizeof(win));
	expect_sleeper("/", exe, exe, win);
}

static void live__relative_and_bare_names(void **state)
{
	char exe[512], win[1024];

	if (!live_ok)
		skip();
	snprintf(exe, sizeof(exe), "%s/Sleeper.exe", live_build);
	unix_to_windows(exe, win, sizeof(win));
	expect_sleeper(live_build, "./Sleeper.exe", exe, win);
	expect_sleeper(live_build, "sleeper.exe", exe, win);
}

static void live__name_without_extension_runs_start_exe(void **state)
{
	const char *const args[] = {"sleeper", "3000", NULL};
	const char *const argv[] = {"/usr/lib/wine/wine64", "sleeper", "3000"};
	char want[512], child[512], win[1024];
	const char *const child_argv[] = {"/usr/lib/wine/wine64", win, "3000"};
	struct wine_target t;
	pid_t pid, start;

	if (!live_ok)
		skip();
	/*
	 * `wine sleeper` runs start.exe in the launched process, which
	 * CreateProcess()es Z:\...\sleeper.exe: the event is start.exe's.
	 */
	pid = spawn_resolved(live_build, args, argv, 3, &t);
	snprintf(want, sizeof(want), "%s/drive_c/windows/system32/start.exe", live_prefix);
	assert_string_equal(t.unix_path, want);
	assert_string_equal(t.windows_path, "C:\\windows\\system32\\start.exe");
	assert_string_equal(t.file_name, "start.exe");
	start = pid;

	/* The child names the program as typed, in lower case: the disk says Sleeper.exe. */
	snprintf(child, sizeof(child), "%s/sleeper.exe", live_build);
	unix_to_windows(child, win, sizeof(win));
	pid = find_program("sleeper.exe");
	assert_true(pid > 0);
	resolve_live(pid, child_argv, 3, &t);
	snprintf(want, sizeof(want), "%s/Sleeper.exe", live_build);
	assert_string_equal(t.unix_path, want);
	assert_string_equal(t.file_name, "Sleeper.exe");
	end(pid, false);
	end(start, true);
}

static void live__dos_paths(void **state)
{
	char exe[512], win[1024], pf[512];

	if (!live_ok)
		skip();
	snprintf(exe, sizeof(exe), "%s/Sleeper.exe", live_build);
	unix_to_windows(exe, win, sizeof(win));
	expect_sleeper("/", win, exe, win);

	snprintf(pf, sizeof(pf), "%s/Sleeper.exe", live_pf);
	expect_sleeper("/", "C:\\Program Files\\RMM Test\\Sleeper.exe", pf,
		       "C:\\Program Files\\RMM Test\\Sleeper.exe");
	expect_sleeper("/", "c:/program files/rmm test/SLEEPER.EXE", pf,
		       "C:\\Program Files\\RMM Test\\Sleeper.exe");
}

static void live__createprocess_child_and_its_parent(void **state)
{
	const char *child = "C:\\Program Files\\RMM Test\\RmmChild.exe";
	const char *const args[] = {"spawner.exe", child, "3000", NULL};
	const char *const argv[] = {"/usr/lib/wine/wine64", child, "3000"};
	char pf[512], image[4096];
	struct wine_target t;
	pid_t parent, pid;

	if (!live_ok)
		skip();
	parent = spawn_wine(live_build, args);
	pid = find_program("RmmChild.exe");
	assert_true(pid > 0);
	resolve_live(pid, argv, 3, &t);
	snprintf(pf, sizeof(pf), "%s/RmmChild.exe", live_pf);
	assert_string_equal(t.unix_path, pf);
	assert_string_equal(t.windows_path, child);
	assert_string_equal(t.file_name, "RmmChild.exe");

	/* What the lineage table asks about a running Wine program. */
	assert_int_equal(wine__process_image(pid, image, sizeof(image)), 0);
	assert_string_equal(image, pf);
	expect_same_file(pid, &t, pf);
	end(pid, false);
	waitpid(parent, NULL, 0);
}

static void live__wine_own_programs_keep_prefix_path(void **state)
{
	const char *const argv[] = {"/usr/lib/wine/wine64", "C:\\windows\\system32\\services.exe"};
	char want[1024];
	struct wine_target t;
	pid_t pid;

	if (!live_ok)
		skip();
	pid = find_program("services.exe");
	assert_true(pid > 0);
	resolve_live(pid, argv, 2, &t);
	snprintf(want, sizeof(want), "%s/drive_c/windows/system32/services.exe", live_prefix);
	assert_string_equal(t.unix_path, want);
	assert_string_equal(t.windows_path, "C:\\windows\\system32\\services.exe");
	/* The bytes running are Wine's builtin image, outside the prefix. */
	assert_null(strstr(t.image_path, live_prefix));
	assert_non_null(strstr(t.image_path, "/services.exe"));
	expect_same_file(pid, &t, t.image_path);
}

static void live__gone_process_resolves_from_argv(void **state)
{
	const char *const args[] = {"s32.exe", "10", NULL};
	const char *const argv[] = {"/usr/lib/wine/wine64", "s32.exe", "10"};
	struct wine_query q = {.argv = argv, .argc = 3, .exe_fd = -1, .uid = getuid()};
	struct wine_target t;
	char exe[1024];

	if (!live_ok)
		skip();
	snprintf(exe, sizeof(exe), "%s/s32.exe", live_build);
	if (access(exe, F_OK))
		skip();
	/* A 32-bit program under a 64-bit-only Wine: the launch dies at once. */
	q.pid = spawn_wine(live_build, args);
	waitpid(q.pid, NULL, 0);
	q.root_fd = open("/", O_PATH | O_DIRECTORY);
	q.cwd = live_build;
	assert_int_equal(wine__resolve(live_wine, &q, &t), 0);
	assert_string_equal(t.unix_path, exe);
	assert_false(t.from_maps);
	assert_int_equal(wine__try_maps(&q, &t), -ESRCH);
	close(q.root_fd);
}

/*
 * Empty maps end the wait only when the process has exited: an exec in
 * flight shows them empty for a moment too. A kernel thread (no memory,
 * alive) stands in for that moment; a zombie child for an exit.
 */
static void wine__try_maps__empty_maps_of_a_live_process_mean_not_yet(void **state)
{
	struct wine_query q = {.root_fd = -1, .cwd = "/"};
	struct wine_target t = {0};
	siginfo_t info;
	char buf[64];
	int fd;

	q.pid = 2; /* kthreadd */
	fd = open("/proc/2/maps", O_RDONLY);
	if (fd < 0)
		skip();
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	assert_int_equal(wine__try_maps(&q, &t), -EAGAIN);

	q.pid = fork();
	if (!q.pid)
		_exit(0);
	assert_true(q.pid > 0);
	/* exited, and left a zombie until reaped */
	assert_int_equal(waitid(P_PID, q.pid, &info, WEXITED | WNOWAIT), 0);
	assert_int_equal(wine__try_maps(&q, &t), -ESRCH);
	waitpid(q.pid, NULL, 0);
	assert_int_equal(wine__try_maps(&q, &t), -ESRCH);
}

/*
 * The image can show in maps just before the process exits, and an exited
 * process shows no environment. That must not turn the prefix into the
 * uid's default (here /root/.wine, which has no drives): the one found at
 * exec stays. A live process with an empty environment reads the same.
 */
static void wine__try_maps__no_environment_left_keeps_the_prefix(void **state)
{
	char *const argv[] = {"sleep", "30", NULL}, *const envp[] = {NULL};
	struct wine_query q = {.root_fd = root_fd, .cwd = "/", .uid = 0};
	struct wine_target t = {0};
	char link[64], exe[1024] = "", want[1024] = "Z:";
	ssize_t len = -1;
	size_t i;
	int err;

	q.pid = fork();
	if (!q.pid) {
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	assert_true(q.pid > 0);
	snprintf(link, sizeof(link), "/proc/%d/exe", q.pid);
	for (int tries = 0; tries < 1000 && (len < 0 || !strstr(exe, "sleep")); tries++) {
		usleep(1000);
		len = readlink(link, exe, sizeof(exe) - 1);
		exe[len > 0 ? len : 0] = '\0';
	}
	assert_non_null(strstr(exe, "sleep"));
	for (i = 0; exe[i]; i++)
		want[2 + i] = exe[i] == '/' ? '\\' : exe[i];
	want[2 + i] = '\0';

	strcpy(t.prefix, PREFIX);
	strcpy(t.wanted, "sleep");
	/* exe names the new binary a moment before maps show it: retry, as the pipeline does */
	for (int tries = 0; tries < 1000 && (err = wine__try_maps(&q, &t)) == -EAGAIN; tries++)
		usleep(1000);
	assert_int_equal(err, 0);
	kill(q.pid, SIGKILL);
	waitpid(q.pid, NULL, 0);
	assert_string_equal(t.image_path, exe);
	assert_string_equal(t.prefix, PREFIX);
	assert_string_equal(t.windows_path, want);
}

/*
 * A loader caught in its next exec shows an empty environment for a moment:
 * the prefix found then is the uid's default, a stand-in. While the program
 * is awaited, the environment is read again, and its WINEPREFIX then names
 * the prefix and the Windows path.
 */
static void wine__try_maps__environment_caught_empty__read_again(void **state)
{
	char *const argv[] = {"sleep", "30", NULL};
	char env_prefix[sizeof("WINEPREFIX=") + sizeof(PREFIX)] = "WINEPREFIX=";
	char *const envp[] = {strcat(env_prefix, PREFIX), NULL};
	struct wine_query q = {.root_fd = root_fd, .cwd = "/", .uid = 0};
	struct wine_target t = {0};
	char link[64], exe[1024] = "";
	ssize_t len = -1;
	int err = -EAGAIN;

	q.pid = fork();
	if (!q.pid) {
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	assert_true(q.pid > 0);
	snprintf(link, sizeof(link), "/proc/%d/exe", q.pid);
	for (int tries = 0; tries < 1000 && (len < 0 || !strstr(exe, "sleep")); tries++) {
		usleep(1000);
		len = readlink(link, exe, sizeof(exe) - 1);
		exe[len > 0 ? len : 0] = '\0';
	}
	assert_non_null(strstr(exe, "sleep"));

	strcpy(t.prefix, "/root/.wine");
	strcpy(t.unix_path, "/opt/app/prog.exe");
	strcpy(t.wanted, "prog.exe"); /* never mapped: the program is still awaited */
	err = wine__try_maps(&q, &t);
	kill(q.pid, SIGKILL);
	waitpid(q.pid, NULL, 0);
	assert_int_equal(err, -EAGAIN);
	assert_true(t.prefix_from_env);
	assert_string_equal(t.prefix, PREFIX);
	assert_string_equal(t.windows_path, "Z:\\opt\\app\\prog.exe");
	assert_string_equal(t.file_name, "prog.exe");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(wine__try_maps__environment_caught_empty__read_again),
	    cmocka_unit_test(winepath__drive_letters__follow_dosdevices),
	    cmocka_unit_test(wine__try_maps__empty_maps_of_a_live_process_mean_not_yet),
	    cmocka_unit_test(wine__try_maps__no_environment_left_keeps_the_prefix),
	    cmocka_unit_test(winepath__dos_paths__resolve_through_drives),
	    cmocka_unit_test(winepath__components__match_ignoring_case),
	    cmocka_unit_test(winepath__unix_and_relative_paths__resolve_from_cwd),
	    cmocka_unit_test(winepath__bare_names__follow_search_order),
	    cmocka_unit_test(winepath__dotdot_and_links__stay_inside_root),
	    cmocka_unit_test(winepath__to_windows__picks_longest_drive),
	    cmocka_unit_test(wine__environ_get__finds_exact_names),
	    cmocka_unit_test(wine__maps_find_image__prefers_wanted_name),
	    cmocka_unit_test(wine__maps_find_image__handles_spaces_deleted_and_absence),
	    cmocka_unit_test(wine__resolve__fills_target_from_argv),
	    cmocka_unit_test(wine__resolve__defaults_prefix_to_home_then_passwd),
	    cmocka_unit_test(wine__loader_kind__recognises_loader_by_content),
	    cmocka_unit_test(wine__loader_kind__marker_export_any_class_or_byte_order__loader),
	    cmocka_unit_test(wine__loader_kind__marker_name_across_chunks__loader),
	    cmocka_unit_test(wine__loader_kind__marker_among_many_names__loader_when_defined),
	    cmocka_unit_test(wine__loader_kind__static_marker_is_preloader),
	    cmocka_unit_test(wine__classify__launcher_script_and_pe_are_steps),
	};
	const struct CMUnitTest live[] = {
	    cmocka_unit_test(live__absolute_unix_path),
	    cmocka_unit_test(live__relative_and_bare_names),
	    cmocka_unit_test(live__name_without_extension_runs_start_exe),
	    cmocka_unit_test(live__dos_paths),
	    cmocka_unit_test(live__createprocess_child_and_its_parent),
	    cmocka_unit_test(live__wine_own_programs_keep_prefix_path),
	    cmocka_unit_test(live__gone_process_resolves_from_argv),
	};
	int failed;

	failed = cmocka_run_group_tests_name("wine", tests, setup_tree, teardown_tree);
	failed |= cmocka_run_group_tests_name("wine-live", live, setup_live, teardown_live);
	return failed;
}
