/* SPDX-License-Identifier: MIT */
/*
 * Wine launches: which execs start a Windows program, and which program.
 *
 * What an exec monitor sees of Wine 8 (Debian, measured; see the e2e test):
 *   wine X.exe a   pid P: exec /usr/bin/wine (sh script) argv [wine, X.exe, a]
 *                  pid P: exec /usr/lib/wine/wine64      argv [wine64, X.exe, a]
 *                  pid P: exec /usr/lib/wine/wine64      argv [wine64, X.exe, a]
 *                         (the loader re-execs itself, or the preloader with
 *                          argv [wine64-preloader, wine64, X.exe, a] where shipped)
 *                  then P maps X.exe, renames itself (comm, argv) to X.exe.
 *   CreateProcess  a new pid, double-forked (ppid 1), one exec of the loader
 *                  with argv [wine64, <first token of the command line>, ...]
 *                  as the Windows side wrote it: C:\..., a bare name, a Unix path.
 *   binfmt_misc    exec of X.exe itself (bprm->filename), run by /usr/bin/wine,
 *                  then the loader execs as above with argv[1] = the typed path.
 *
 * The pipeline classifies each exec (wine__classify), resolves a WINE_PROGRAM
 * to its exe from argv (wine__resolve), confirms it against the image the
 * process maps (wine__try_maps, retried without blocking) and fills the event
 * (wine__fill_event).
 *
 * Contract for the pipeline, per pid:
 *   WINE_NOT            report as usual.
 *   WINE_LAUNCHER_STEP  hold the event up to WINE_HOLD_MS. If the same pid's
 *                       next exec is a WINE_LAUNCHER_STEP or WINE_PROGRAM, drop
 *                       the held event (the chain ends in one program event:
 *                       wineboot -> wineapploader -> wine-stable -> loader).
 *                       If it is WINE_NOT (the wineserver script execs
 *                       wineserver64), or at the deadline, report the held
 *                       event as a plain exec.
 *   WINE_PROGRAM        wine__resolve() now, then hold the event and call
 *                       wine__try_maps() on the retry schedule below. A later exec of
 *                       the same pid replaces the held event (the loader's
 *                       re-exec). Report when try_maps returns 0 or -ESRCH,
 *                       or at WINE_HOLD_MS, with whatever was resolved; if
 *                       wine__resolve() failed, report it as a plain exec.
 *   Report held events only from a pass that runs after the ring buffer was
 *   drained (capture__poll() returned), never from the exec callback itself,
 *   even when wine__resolve() confirmed the image at once: the re-exec's
 *   event is queued before the re-exec'd image maps the PE, so once
 *   try_maps succeeds any superseding exec of that pid has already been seen.
 *   The one exception: a WINE_PROGRAM exec whose parent's program start is
 *   still held; the parent forked it from its final image, so its execs
 *   were all seen, and the child needs it reported to name its parent.
 *
 * A 32-bit program under a 64-bit-only Wine (this machine) shows as two
 * WINE_PROGRAM execs: the launching pid, which never maps the PE and exits,
 * then a new pid whose argv[1] is the Z:\ path, which crashes at once; both
 * resolve from argv (-ESRCH from try_maps). `wine name` without ".exe" runs
 * start.exe in the launching pid, which CreateProcess()es name.exe.
 */
#ifndef RMMHUNT_WINE_H
#define RMMHUNT_WINE_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/*
 * Waiting for the PE image (measured here, loader exec -> PE mapped, on a
 * busy 2-core machine): 1-10 ms for a CreateProcess child, 30-250 ms for
 * `wine X.exe` with a running wineserver, 2-3.5 s when the launch has to
 * start the wineserver (and wineboot) first. Retry after
 * WINE_RETRY_MS, doubling up to WINE_RETRY_MAX_MS between tries; give up at
 * WINE_HOLD_MS and report the argv answer.
 */
#define WINE_RETRY_MS	  2
#define WINE_RETRY_MAX_MS 50
#define WINE_HOLD_MS	  1000

enum wine_kind {
	WINE_NOT,	    /* not a Windows program start (wineserver64 included) */
	WINE_LAUNCHER_STEP, /* a script or binfmt step a loader exec usually follows */
	WINE_PROGRAM,	    /* the Wine loader starting a Windows program */
};

enum wine_loader_kind {
	WINE_LOADER_NONE,
	WINE_LOADER,	/* wine / wine64: argv[1] is the program */
	WINE_PRELOADER, /* wine-preloader: argv[1] is the loader, argv[2] the program */
};

struct wine;

/* Caches of loader identification; safe to share with fsguard workers. */
struct wine *wine__new(void);
void wine__free(struct wine *w); /* NULL is fine */

/*
 * What the ELF open at @exe_fd is, judged by its content, not its name: a
 * loader exports the wine_main_preload_info symbol, a preloader is a static
 * ELF carrying the same name. Cached by (dev, inode, ctime, size).
 * Returns an enum wine_loader_kind, or a negative errno.
 */
int wine__loader_kind(struct wine *w, int exe_fd);
/*
 * wine__loader_kind() from the cache alone, for the file whose fstat is @st:
 * -EAGAIN when it was not judged yet.
 */
struct stat;
int wine__loader_kind_cached(struct wine *w, const struct stat *st);
bool wine__is_loader(struct wine *w, int exe_fd);

/* A "#!" script (first 16 KiB) with an `exec ...wine...` line, like /usr/bin/wine. */
bool wine__is_launcher_script(int fd);
/* A PE image (MZ header pointing at a PE signature): a binfmt_misc launch. */
bool wine__is_pe_file(int fd);

/*
 * Classifies one exec: @exe_fd is the binary the process runs now
 * (/proc/PID/exe), @file_fd the file that was exec'd (bprm->filename) when it
 * differs (a script, a binfmt_misc target), else -1.
 */
enum wine_kind wine__classify(struct wine *w, int exe_fd, int file_fd);

/* One loader exec, as the pipeline knows it. Paths are inside @root_fd. */
struct wine_query {
	int pid;		 /* 0: no live process to look at (tests, replay) */
	int root_fd;		 /* the process's root: /proc/PID/root */
	int exe_fd;		 /* the loader (/proc/PID/exe); -1: as preloader says */
	bool preloader;		 /* with exe_fd -1: the loader is wine-preloader */
	const char *cwd;	 /* the process's cwd; NULL: readlink /proc/PID/cwd */
	const char *loader_path; /* NULL: readlink /proc/PID/exe */
	const char *const *argv;
	size_t argc;
	const char *environ; /* NUL-separated; NULL: read /proc/PID/environ */
	size_t environ_len;
	unsigned int uid;	/* whose ~/.wine is the default prefix */
	const char *search_dir; /* for bare names: the parent's directory, or NULL */
};

#define WINE_PATH_MAX 4096

struct wine_target {
	/*
	 * The program as Windows names it: FolderPath. For Wine's builtin
	 * programs (services.exe...) this is the prefix's placeholder file and
	 * image_path the builtin that runs; identity should read image_path
	 * when set (the bytes executing), else unix_path.
	 */
	char unix_path[WINE_PATH_MAX];
	char image_path[WINE_PATH_MAX]; /* what the process maps; "" until confirmed */
	char image_range[40];		/* its first mapping, "start-end" as in maps */
	char windows_path[1024];	/* C:\...; "" when no drive covers it */
	char prefix[WINE_PATH_MAX];
	char loader_path[WINE_PATH_MAX];
	char file_name[256];  /* on-disk base name: FileName */
	char wanted[256];     /* base name argv asked for, ".exe" added if bare */
	bool from_maps;	      /* unix_path/image_path confirmed by /proc/PID/maps */
	bool prefix_from_env; /* the prefix came from an environment read, not the uid's default */
};

/*
 * Resolves the program a loader exec names: prefix (WINEPREFIX, else
 * $HOME/.wine, else the uid's home in the root's /etc/passwd), then argv
 * through winepath__find_program(), then one look at /proc/PID/maps.
 * 0 when the program was found one way or the other, else a negative errno.
 */
int wine__resolve(struct wine *w, const struct wine_query *q, struct wine_target *out);

/*
 * Confirms @t against the PE image process @q->pid maps, without blocking.
 * 0 (t updated: image_path, from_maps, unix_path unless the image is a
 * Wine builtin standing in for the prefix file the program path names, and
 * the prefix when the process still shows its environment),
 * -EAGAIN (no PE mapped yet: retry), -ESRCH (the process is gone).
 */
int wine__try_maps(const struct wine_query *q, struct wine_target *t);

/*
 * The confirmed image of @pid opened through /proc/PID/map_files (needs
 * CAP_SYS_ADMIN): the very file the process maps, whatever its mount
 * namespace, for identity__fill. An fd, or a negative errno.
 */
int wine__open_image(int pid, const struct wine_target *t);

/* The PE image a running loader process maps (for InitiatingProcess*). */
int wine__process_image(int pid, char *unix_path, size_t n);

/* FileName, FolderPath, WindowsPath, WinePrefix, WineLoaderPath. */
int wine__fill_event(const struct wine_target *t, struct event *e);

/* Parsers, exposed for tests and fuzzing. All bounded by @len. */
/* The value of @name in a NUL-separated environment block. 0 or -ENOENT. */
int wine__environ_get(const char *buf, size_t len, const char *name, char *out, size_t n);
struct wine_image {
	char path[WINE_PATH_MAX];
	char range[40]; /* "start-end" of its first mapping */
};

/*
 * The main PE image in /proc/PID/maps text: the mapping whose base name is
 * @want (ignoring case) if any, else the lowest mapped *.exe. 0 or -ENOENT.
 */
int wine__maps_find_image(const char *buf, size_t len, const char *want, struct wine_image *out);

#endif
