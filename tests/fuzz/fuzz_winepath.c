// SPDX-License-Identifier: MIT
/*
 * winepath__find_program() on arbitrary program paths (argv[1] of a loader
 * exec is whatever a Windows program passed to CreateProcess) over a small
 * prefix tree built once in a temp dir, with a dosdevices link climbing out
 * of the root and a symlink loop.
 * Sources: tests/fuzz/fuzz_winepath.c user/identity/winepath.c
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identity/winepath.h"

static int root_fd = -1;
static char dir[] = "/tmp/rmmhunt-fuzz-winepath-XXXXXX";

static void remove_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

static void build_tree(void)
{
	char cmd[512];

	if (!mkdtemp(dir))
		abort();
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p p/dosdevices p/drive_c/windows/system32 'p/drive_c/Program "
		 "Files/A' w"
		 " && ln -s ../drive_c p/dosdevices/c: && ln -s / p/dosdevices/z:"
		 " && ln -s ../../../../.. p/dosdevices/e: && ln -s loop w/loop && ln -s .. w/up"
		 " && touch p/drive_c/windows/system32/start.exe 'p/drive_c/Program Files/A/X.exe'"
		 " w/App.exe",
		 dir);
	atexit(remove_tree);
	if (system(cmd))
		abort();
	root_fd = open(dir, O_PATH | O_DIRECTORY);
	if (root_fd < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct winepath wp;
	char path[8192], out[4096], win[1024];

	if (root_fd < 0)
		build_tree();
	if (size >= sizeof(path))
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	wp = (struct winepath){root_fd, "/p", "/w"};
	if (!winepath__find_program(&wp, path, "/w/up", out, sizeof(out)))
		winepath__to_windows(&wp, out, win, sizeof(win));
	winepath__resolve(root_fd, "/w", path, out, sizeof(out));
	return 0;
}
