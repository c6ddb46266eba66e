// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/path.h"
#include "pipeline/wine_hold.h"

#define HELD_MAX       64		/* Wine launches waiting at once */
#define ARGV_ITEMS_MAX READER_WINE_ARGS /* argv entries Wine resolution looks at */

/*
 * An exec held back: a Wine launcher step that a loader exec in the same
 * process will replace, or a Wine program start waiting (bounded) for the
 * process to map its PE image. See the contract in identity/wine.h.
 */
struct held {
	bool used;
	enum wine_kind kind;
	uint32_t tgid;
	uint64_t deadline_ns;
	uint64_t next_try_ns;
	unsigned retry_ms;
	struct event ev;
	struct exec_event k; /* header only: what the unmatchable mark and lineage need */
	int root_fd;
	bool resolved;
	int read_err; /* the Wine prefix or program did not answer: read no more */
	struct wine_query q;
	struct wine_target t;
	char argv[ARGV_MAX];
	size_t argv_len;
	size_t prog_idx; /* argv[prog_idx] names the program: 2 after a preloader */
	const char *argvp[ARGV_ITEMS_MAX];
	char cwd[PATH_MAX_BYTES + 2];
	char search_dir[PATH_MAX_BYTES]; /* the Windows parent's directory, or "" */
};

struct wine_hold {
	struct reader *reader;
	const struct lineage *lineage;
	struct wine_hold_ops ops;
	struct wine_hold_stats stats;
	struct held held[HELD_MAX];
	/* slots used: every exec looks for its process here, and the slots are large */
	unsigned int n_held;
	char cmdline[CMDLINE_MAX];
};

struct wine_hold *wine_hold__new(struct reader *r, const struct lineage *lineage,
				 const struct wine_hold_ops *ops)
{
	struct wine_hold *wh = calloc(1, sizeof(*wh));

	if (!wh)
		return NULL;
	wh->reader = r;
	wh->lineage = lineage;
	wh->ops = *ops;
	/*
	 * calloc's zeroes are initialised events (event__init): the slots' pages
	 * stay untouched, so not resident, until a Wine launch is held.
	 */
	return wh;
}

void wine_hold__free(struct wine_hold *wh)
{
	if (!wh)
		return;
	for (int i = 0; i < HELD_MAX; i++) {
		event__free(&wh->held[i].ev);
		if (wh->held[i].used)
			close(wh->held[i].root_fd);
	}
	free(wh);
}

static struct held *find_held(struct wine_hold *wh, uint32_t tgid)
{
	if (!wh->n_held)
		return NULL;
	for (int i = 0; i < HELD_MAX; i++)
		if (wh->held[i].used && wh->held[i].tgid == tgid)
			return &wh->held[i];
	return NULL;
}

bool wine_hold__holds(const struct wine_hold *wh, uint32_t tgid)
{
	return find_held((struct wine_hold *)wh, tgid) != NULL;
}

static void drop_held(struct wine_hold *wh, struct held *h)
{
	close(h->root_fd);
	h->used = false;
	wh->n_held--;
}

/* A held launcher step that turned out to start nothing: an ordinary exec after all. */
static void release_plain(struct wine_hold *wh, struct held *h)
{
	const char *exe = event__str(&h->ev, FIELD_FOLDER_PATH) ?: "";
	struct exec_info x = {.k = &h->k, .exe = exe, .filename = "", .cwd = h->cwd};
	struct reader_files f;
	char path[PATH_MAX_BYTES + 2];
	int proc_fd, err;

	snprintf(path, sizeof(path), "/proc/%u", h->tgid);
	proc_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	err = reader__open(wh->reader, &x, proc_fd, h->root_fd, exe, &f);
	if (f.replaced)
		wh->stats.exe_replaced++;
	wh->ops.finish(wh->ops.ctx, &h->ev, &h->k, f.exe_fd >= 0 ? f.exe_fd : err, h->k.exe_dev,
		       h->root_fd, exe);
	if (f.exe_fd >= 0)
		close(f.exe_fd);
	if (f.file_fd >= 0)
		close(f.file_fd);
	if (proc_fd >= 0)
		close(proc_fd);
	drop_held(wh, h);
}

/* A Wine program start: the event names the Windows program and carries its identity. */
static void release_program(struct wine_hold *wh, struct held *h)
{
	struct wine_target *t = &h->t;
	struct event *e = &h->ev;
	const char *argv = h->argvp[h->prog_idx < h->q.argc ? h->prog_idx : 0];
	int fd;

	wine__fill_event(t, e);
	/* the command line Windows gives the program: argv without the loader */
	decode__cmdline(argv, h->argv + h->argv_len - argv, wh->cmdline, sizeof(wh->cmdline));
	event__set_str(e, FIELD_PROCESS_COMMAND_LINE, wh->cmdline);
	wh->ops.set_initiating(wh->ops.ctx, e, &h->k);
	fd = h->read_err ?: reader__open_image(wh->reader, h->tgid, t, h->root_fd);
	wh->ops.finish(wh->ops.ctx, e, &h->k, fd, 0, h->root_fd, t->unix_path);
	if (fd >= 0)
		close(fd);
	/* its children name the Windows program as their initiating process */
	wh->ops.remember(wh->ops.ctx, &h->k, e);
	wh->stats.programs++;
	drop_held(wh, h);
}

static void release(struct wine_hold *wh, struct held *h)
{
	if (h->kind == WINE_PROGRAM && h->resolved)
		release_program(wh, h);
	else
		release_plain(wh, h);
}

/*
 * Windows looks for a bare program name in the directory of the program that
 * calls CreateProcess first: that is the parent when lineage names a Windows
 * program (release_program recorded its .exe), else there is no such place.
 */
static void set_search_dir(struct wine_hold *wh, struct held *h)
{
	const struct proc_record *r = lineage__get(wh->lineage, h->k.image_tgid);
	const char *path = r ? r->col[PROC_FOLDER_PATH] : NULL;
	size_t len, dir_len;

	h->search_dir[0] = '\0';
	if (!path || path[0] != '/')
		return;
	len = strlen(path);
	dir_len = strrchr(path, '/') - path;
	if (len < 4 || strcasecmp(path + len - 4, ".exe") || dir_len >= sizeof(h->search_dir))
		return;
	/* "/x.exe" lives in "/" */
	snprintf(h->search_dir, sizeof(h->search_dir), "%.*s", (int)(dir_len ?: 1), path);
}

/*
 * A Wine program found running by the snapshot shows its argv as Wine
 * rewrote it: the Windows command line, NUL-padded to the original length,
 * no loader in front. Drops the padding and puts a stand-in loader at
 * argv[0], so the program is argv[1] as in a loader exec. True when it did.
 */
static bool running_program_argv(struct held *h, const struct exec_info *x, size_t *argc)
{
	static const char loader[] = "";
	size_t n = *argc;

	if (!x->from_snapshot || !n || n >= ARGV_ITEMS_MAX ||
	    !strcmp(path__base_win(h->argvp[0]), path__base_win(x->exe)))
		return false;
	while (n > 1 && !h->argvp[n - 1][0])
		n--;
	h->argv_len = h->argvp[n - 1] + strlen(h->argvp[n - 1]) + 1 - h->argv;
	memmove(h->argvp + 1, h->argvp, n * sizeof(h->argvp[0]));
	h->argvp[0] = loader;
	*argc = n + 1;
	return true;
}

/* A free slot, or the oldest one reported early to make room. */
static struct held *free_slot(struct wine_hold *wh)
{
	struct held *h = NULL, *oldest = &wh->held[0];

	for (int i = 0; i < HELD_MAX && !h; i++) {
		if (!wh->held[i].used)
			h = &wh->held[i];
		else if (wh->held[i].deadline_ns < oldest->deadline_ns)
			oldest = &wh->held[i];
	}
	if (!h) {
		wh->stats.overflow++;
		release(wh, oldest);
		h = oldest;
	}
	return h;
}

/* Resolves the program a held loader exec names; a negative errno drops it. */
static int resolve(struct wine_hold *wh, struct held *h, const struct exec_info *x,
		   const struct reader_files *f, size_t argc)
{
	bool rewritten = running_program_argv(h, x, &argc);
	int err;

	h->q = (struct wine_query){
	    .pid = x->k->tgid,
	    .root_fd = h->root_fd,
	    .exe_fd = -1, /* the reader found out whether it is the preloader */
	    .preloader = !rewritten && f->preloader,
	    .cwd = h->cwd,
	    .loader_path = x->exe,
	    .argv = h->argvp,
	    .argc = argc,
	    .uid = x->k->uid,
	};
	set_search_dir(wh, h);
	if (h->search_dir[0])
		h->q.search_dir = h->search_dir;
	h->prog_idx = h->q.preloader ? 2 : 1;
	err = reader__wine_resolve(wh->reader, &h->q, &h->t);
	if (err) {
		drop_held(wh, h);
		return err;
	}
	h->resolved = true;
	return 0;
}

int wine_hold__hold(struct wine_hold *wh, const struct event *e, const struct exec_info *x,
		    const struct reader_files *f, int root_fd)
{
	uint64_t now = clock__boot_ns();
	struct held *h = free_slot(wh);
	size_t n = 0, argc = 0;
	int err;

	if (event__copy(&h->ev, e))
		return -ENOMEM;
	h->root_fd = dup(root_fd);
	if (h->root_fd < 0)
		return -errno;
	h->used = true;
	wh->n_held++;
	h->kind = f->kind;
	h->tgid = x->k->tgid;
	memcpy(&h->k, x->k, EXEC_EVENT_HDR_SIZE);
	n = x->argv_size < sizeof(h->argv) - 1 ? x->argv_size : sizeof(h->argv) - 1;
	memcpy(h->argv, x->argv, n);
	h->argv[n] = '\0';
	h->argv_len = n;
	for (size_t i = 0; i < n && argc < ARGV_ITEMS_MAX; i += strlen(h->argv + i) + 1)
		h->argvp[argc++] = h->argv + i;
	snprintf(h->cwd, sizeof(h->cwd), "%s", x->cwd);
	h->deadline_ns = now + WINE_HOLD_MS * 1000000ULL;
	h->retry_ms = WINE_RETRY_MS;
	h->next_try_ns = now + h->retry_ms * 1000000ULL;
	h->resolved = false;
	h->read_err = 0;
	if (h->kind == WINE_PROGRAM) {
		err = resolve(wh, h, x, f, argc);
		if (err)
			return err;
	}
	/* a snapshot's program already maps its image: no need to wait */
	if (x->from_snapshot)
		release(wh, h);
	return 0;
}

/* Has the held program mapped its image yet? A file system that did not answer ends the wait. */
static int try_maps(struct wine_hold *wh, struct held *h)
{
	int err = reader__wine_try_maps(wh->reader, &h->q, &h->t);

	if (err == -ETIMEDOUT || err == -EBUSY)
		h->read_err = err;
	return err;
}

void wine_hold__reexec(struct wine_hold *wh, uint32_t tgid, enum wine_kind kind)
{
	struct held *prev = find_held(wh, tgid);

	if (prev && prev->kind == WINE_LAUNCHER_STEP && kind == WINE_NOT) {
		release_plain(wh, prev);
	} else if (prev) {
		wh->stats.collapsed++;
		drop_held(wh, prev);
	}
}

/*
 * A Wine program starting another (CreateProcess) shows that its parent
 * already runs its final image: report the parent's held start now, when it
 * is settled, so the child can name it (InitiatingProcess*, the directory a
 * bare name is looked up in) even when both execs come in one batch.
 */
void wine_hold__settle_parent(struct wine_hold *wh, const struct exec_event *k)
{
	struct held *h = k->image_tgid != k->tgid ? find_held(wh, k->image_tgid) : NULL;

	if (h && h->kind == WINE_PROGRAM && h->resolved && try_maps(wh, h) != -EAGAIN)
		release(wh, h);
}

int wine_hold__tick(struct wine_hold *wh)
{
	uint64_t now = clock__boot_ns(), next = UINT64_MAX;

	for (int i = 0; i < HELD_MAX && wh->n_held; i++) {
		struct held *h = &wh->held[i];

		if (!h->used)
			continue;
		if (h->kind == WINE_PROGRAM && h->resolved && now >= h->next_try_ns) {
			int err = try_maps(wh, h);

			if (err != -EAGAIN || now >= h->deadline_ns) {
				release(wh, h);
				continue;
			}
			h->retry_ms = h->retry_ms * 2 < WINE_RETRY_MAX_MS ? h->retry_ms * 2
									  : WINE_RETRY_MAX_MS;
			h->next_try_ns = now + h->retry_ms * 1000000ULL;
		} else if (now >= h->deadline_ns) {
			release(wh, h);
			continue;
		}
		/* only a resolved program is retried; a launcher step waits for its deadline */
		if (h->kind == WINE_PROGRAM && h->resolved && h->next_try_ns < next)
			next = h->next_try_ns;
		if (h->deadline_ns < next)
			next = h->deadline_ns;
	}
	return next == UINT64_MAX ? -1 : (int)((next - now + 999999) / 1000000);
}

void wine_hold__flush(struct wine_hold *wh)
{
	for (int i = 0; i < HELD_MAX; i++)
		if (wh->held[i].used)
			release(wh, &wh->held[i]);
}

void wine_hold__stats(const struct wine_hold *wh, struct wine_hold_stats *out)
{
	*out = wh->stats;
}
