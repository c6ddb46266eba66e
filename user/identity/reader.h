/* SPDX-License-Identifier: MIT */
/*
 * The executable behind one exec, read off the event loop: opened as it was
 * exec'd (never a look-alike at the same path), classified for Wine, and
 * identified. Each step is an fsguard job with a deadline (fsguard.h), and
 * each job owns copies of all it uses, so a job abandoned in a hung mount
 * shares nothing with the loop that goes on without it.
 */
#ifndef RMMHUNT_READER_H
#define RMMHUNT_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/decode.h"
#include "event.h"
#include "identity/fsguard.h"
#include "identity/identity.h"
#include "identity/wine.h"

#define READER_TIMEOUT_MS 500 /* the default deadline of one job */
#define READER_WINE_ARGS  256 /* argv entries a Wine query may carry */
#define READER_LOCAL_DEVS 16  /* devices remembered as local file systems */
#define READER_KNOWN_EXES 256 /* executables the loop answers without opening them */

struct reader;

/* The files of one exec; the fds are the caller's to close. */
struct reader_files {
	int exe_fd;	     /* the executable as exec'd, or -1 */
	bool known;	     /* not opened (exe_fd -1): the caches knew it, as if open */
	int file_fd;	     /* the exec'd file when not the executable (script, binfmt), or -1 */
	enum wine_kind kind; /* see wine.h */
	bool preloader;	     /* the executable is wine-preloader: argv[2] is the program */
	bool replaced;	     /* the file at the path is no longer the one exec'd */
	char account[64];    /* the uid's name in the process's root, or "" (accounts.h) */
};

/* @w and @ids are shared with the workers (both lock their caches); @ids may be NULL. */
struct reader *reader__new(struct wine *w, struct identity_cache *ids, unsigned int timeout_ms);
void reader__free(struct reader *r); /* NULL is fine */

/*
 * Opens and classifies the files of exec @x: its executable through @proc_fd
 * (/proc/PID, or -1 once the process is gone), else at @path inside the root
 * @root_fd, accepted only if it is still the inode and ctime exec'd.
 * Returns 0, or a negative errno with both fds -1: -ETIMEDOUT when the file
 * system did not answer within the deadline, -EBUSY when the executable's
 * device still has a job stuck (fsguard__run), or why it could not be opened.
 */
int reader__open(struct reader *r, const struct exec_info *x, int proc_fd, int root_fd,
		 const char *path, struct reader_files *out);

/*
 * reader__open() when the loop can answer it from the caches alone (a cached
 * executable on a local file system, exec'd in the monitor's own root), so
 * without /proc/PID (an executable it opened before, unchanged since, not even
 * opened: out->known); -EAGAIN, @out as a failed open's, when a worker must:
 * then the caller's reader__open() of the same exec goes straight to one.
 */
int reader__open_cached(struct reader *r, const struct exec_info *x, int root_fd, const char *path,
			struct reader_files *out);

/*
 * Opens the image of Wine program @t run by @pid: the file it maps, when
 * /proc/PID/maps confirmed it, else its path inside @root_fd. An fd, or a
 * negative errno as reader__open.
 */
int reader__open_image(struct reader *r, int pid, const struct wine_target *t, int root_fd);

/*
 * wine__resolve() and wine__try_maps() (wine.h) on a worker: both look in the
 * Wine prefix and at the program's path, which may be on a hung mount. @q is
 * copied (at most READER_WINE_ARGS argv entries, no environ, exe_fd unused:
 * set preloader); @t is updated only when the job ran. Their return values,
 * or -ETIMEDOUT / -EBUSY as reader__open.
 */
int reader__wine_resolve(struct reader *r, const struct wine_query *q, struct wine_target *t);
int reader__wine_try_maps(struct reader *r, const struct wine_query *q, struct wine_target *t);

/*
 * identity__fill_in() for the file open at @fd, on a worker: sets the
 * identity columns of @e and, when @cert is not NULL, makes @cert the file's
 * certificate record (no column set when it carries no signature); or unsets
 * them all and returns a negative errno (-ETIMEDOUT, -EBUSY as above). @dev
 * names the file's device for fsguard (0: unknown); the wait in the package
 * database is charged to the root @root_fd instead, and when that root is
 * hung, the package is not looked up (IdentityError says so) while the rest
 * is read. reader__open identifies a plain exec so; @fd -1 takes what it
 * identified of an executable it did not open (reader_files.known).
 */
int reader__identify(struct reader *r, int fd, uint64_t dev, int root_fd, const char *path,
		     struct event *e, struct event *cert);

/*
 * What IdentityError says of @err, the error of the last reader__ call: which
 * file system did not answer (the executable's, or the package database of
 * the root it was exec'd in). NULL when @err is not a file system's silence.
 */
const char *reader__error(struct reader *r, int err);

/*
 * The monitor's own root directory ("/"), open for the reader's life (-1 if
 * it could not be): a root to pass as is, never closed by the caller, which
 * reader__open knows for ours without looking at it.
 */
int reader__own_root(const struct reader *r);

void reader__stats(struct reader *r, struct fsguard_stats *out);
/* fsguard__wait_unstuck() */
unsigned int reader__wait_unstuck(struct reader *r, unsigned int ms);

#endif
