// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/users.h"
#include "event.h"
#include "identity/container.h"
#include "identity/reader.h"
#include "identity/wine.h"
#include "output/event_json.h"
#include "pipeline/lineage.h"
#include "pipeline/pipeline.h"

#define LINEAGE_ENTRIES 65536
#define CMDLINE_MAX	(4 * ARGV_MAX)	 /* quoting can at most ~double argv */
#define HELD_MAX	64		 /* Wine launches waiting at once */
#define ARGV_ITEMS_MAX	READER_WINE_ARGS /* argv entries Wine resolution looks at */

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

struct pipeline {
	struct pipeline_opts opts;
	struct pipeline_stats stats;
	struct lineage *lineage;
	struct wine *wine;
	struct reader *reader; /* every read of an executable, off the loop */
	struct held *held;
	ino_t self_mnt_ns;
	struct event ev;
	struct json_writer jw;
	int64_t last_report_id;
	char cmdline[CMDLINE_MAX];
	char parent_cmdline[CMDLINE_MAX];
	/* the snapshot builds its records here: one exec_event (large) reused */
	struct exec_event *snap_event;
	char snap_argv[ARGV_MAX];
	char parent_argv[ARGV_MAX]; /* not snap_argv: a snapshot record still points there */
};

struct pipeline *pipeline__new(const struct pipeline_opts *opts)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	struct stat st;

	p->opts = *opts;
	p->lineage = lineage__new(LINEAGE_ENTRIES);
	p->snap_event = calloc(1, sizeof(*p->snap_event));
	p->held = calloc(HELD_MAX, sizeof(*p->held));
	p->wine = wine__new();
	p->reader = p->wine ? reader__new(p->wine, opts->identity, opts->read_timeout_ms) : NULL;
	event__init(&p->ev);
	jw__init(&p->jw);
	if (!p->lineage || !p->snap_event || !p->held || !p->wine || !p->reader) {
		pipeline__free(p);
		return NULL;
	}
	for (int i = 0; i < HELD_MAX; i++)
		event__init(&p->held[i].ev);
	if (!stat("/proc/self/ns/mnt", &st))
		p->self_mnt_ns = st.st_ino;
	return p;
}

void pipeline__free(struct pipeline *p)
{
	struct fsguard_stats fs = {};

	if (!p)
		return;
	lineage__free(p->lineage);
	if (p->reader)
		reader__stats(p->reader, &fs);
	reader__free(p->reader);
	/* a worker stuck in a hung mount still uses the loader cache when it returns */
	if (!fs.stuck)
		wine__free(p->wine);
	for (int i = 0; p->held && i < HELD_MAX; i++) {
		event__free(&p->held[i].ev);
		if (p->held[i].used)
			close(p->held[i].root_fd);
	}
	free(p->held);
	event__free(&p->ev);
	jw__free(&p->jw);
	free(p->snap_event);
	free(p);
}

/*
 * ReportId: unique per device across restarts without keeping state. It is
 * the wall clock in microseconds, bumped past the last one issued, so two
 * events never share one and a restarted monitor starts above its past.
 */
static int64_t next_report_id(struct pipeline *p)
{
	int64_t now = clock__now_us();

	p->last_report_id = now > p->last_report_id ? now : p->last_report_id + 1;
	return p->last_report_id;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The process that created this one: from lineage, else /proc, else its comm. */
static void set_initiating(struct pipeline *p, struct event *e, const struct exec_event *k)
{
	const struct proc_record *r = lineage__get(p->lineage, k->image_tgid);
	char path[PATH_MAX_BYTES];

	event__set_long(e, FIELD_INITIATING_PROCESS_ID, k->forker_tgid);
	if (r) {
		event__set_str(e, FIELD_INITIATING_PROCESS_FILE_NAME, r->file_name);
		event__set_str(e, FIELD_INITIATING_PROCESS_FOLDER_PATH, r->folder_path);
		event__set_str(e, FIELD_INITIATING_PROCESS_COMMAND_LINE, r->cmdline);
		event__set_str(e, FIELD_INITIATING_PROCESS_ACCOUNT_NAME, r->account);
		if (r->creation_us)
			event__set_long(e, FIELD_INITIATING_PROCESS_CREATION_TIME, r->creation_us);
		return;
	}
	if (proc__readlink(k->image_tgid, "exe", path, sizeof(path)) > 0) {
		ssize_t n = proc__read_file(k->image_tgid, "cmdline", p->parent_argv,
					    sizeof(p->parent_argv));

		event__set_str(e, FIELD_INITIATING_PROCESS_FILE_NAME, base_name(path));
		event__set_str(e, FIELD_INITIATING_PROCESS_FOLDER_PATH, path);
		if (n > 0) {
			decode__cmdline(p->parent_argv, n, p->parent_cmdline,
					sizeof(p->parent_cmdline));
			event__set_str(e, FIELD_INITIATING_PROCESS_COMMAND_LINE, p->parent_cmdline);
		}
		return;
	}
	event__set_strn(e, FIELD_INITIATING_PROCESS_FILE_NAME, k->forker_comm,
			strnlen(k->forker_comm, sizeof(k->forker_comm)));
}

/* What @tgid runs, as @e names it: its children will name it as their initiating process. */
static void remember(struct pipeline *p, uint32_t tgid, const struct event *e)
{
	lineage__put(p->lineage, tgid, event__long(e, FIELD_PROCESS_CREATION_TIME),
		     event__str(e, FIELD_FILE_NAME), event__str(e, FIELD_FOLDER_PATH),
		     event__str(e, FIELD_PROCESS_COMMAND_LINE), event__str(e, FIELD_ACCOUNT_NAME));
}

static void build_event(struct pipeline *p, const struct exec_info *x)
{
	const struct exec_event *k = x->k;
	struct event *e = &p->ev;
	int64_t created = clock__boot_ns_to_wall_us(k->start_boot_ns);

	event__reset(e);
	/* a snapshot record is observed now; when it began is ProcessCreationTime */
	event__set_long(e, FIELD_TIMESTAMP,
			x->from_snapshot ? clock__now_us() : clock__boot_ns_to_wall_us(k->boot_ns));
	event__set_str(e, FIELD_DEVICE_ID, p->opts.device_id);
	event__set_str(e, FIELD_DEVICE_NAME, p->opts.device_name);
	event__set_long(e, FIELD_REPORT_ID, next_report_id(p));
	event__set_str(e, FIELD_ACTION_TYPE, "ProcessCreated");
	event__set_str(e, FIELD_FILE_NAME, base_name(x->exe));
	event__set_str(e, FIELD_FOLDER_PATH, x->exe);
	event__set_long(e, FIELD_PROCESS_ID, k->tgid);
	decode__cmdline(x->argv, x->argv_size, p->cmdline, sizeof(p->cmdline));
	event__set_str(e, FIELD_PROCESS_COMMAND_LINE, p->cmdline);
	event__set_long(e, FIELD_PROCESS_CREATION_TIME, created);
	event__set_str(e, FIELD_PROCESS_CURRENT_DIRECTORY, x->cwd);
	event__set_str(e, FIELD_ACCOUNT_NAME, users__name(k->uid));
	event__set_long(e, FIELD_ACCOUNT_UID, k->uid);
	set_initiating(p, e, k);
	event__set_long(e, FIELD_PARENT_PROCESS_ID, k->ppid);
	event__set_str(e, FIELD_EXEC_FILENAME, x->filename);
	event__set_long(e, FIELD_EXECUTABLE_DELETED, !!(k->flags & EXEC_EXE_DELETED));
	if (k->loginuid != (uint32_t)-1)
		event__set_long(e, FIELD_LOGIN_UID, k->loginuid);
	if (k->sessionid != (uint32_t)-1)
		event__set_long(e, FIELD_SESSION_ID, k->sessionid);
	if (k->cgroup_id)
		event__set_long(e, FIELD_CGROUP_ID, k->cgroup_id);
	event__set_str(e, FIELD_CGROUP_PATH, x->cgroup);
	if (k->pid_ns)
		event__set_long(e, FIELD_PID_NAMESPACE, k->pid_ns);
	if (k->mnt_ns)
		event__set_long(e, FIELD_MNT_NAMESPACE, k->mnt_ns);
	event__set_long(e, FIELD_ARGV_TRUNCATED, !!(k->flags & EXEC_ARGV_TRUNCATED));
	event__set_long(e, FIELD_ARGV_LENGTH, k->argv_len);
	event__set_long(e, FIELD_FROM_SNAPSHOT, x->from_snapshot);

	remember(p, k->tgid, e);
}

static void emit_event(struct pipeline *p, const struct event *e)
{
	event_json__write(&p->jw, e);
	if (jw__flush_line(&p->jw, p->opts.out))
		p->stats.output_errors++;
	else
		p->stats.events_emitted++;
}

/* /proc/PID of the process that exec'd, or -ESRCH once it is gone (or the pid reused). */
static int open_proc_dir(const struct exec_info *x)
{
	const uint64_t tick_ns = 1000000000ULL / (sysconf(_SC_CLK_TCK) ?: 100);
	struct proc_stat st;
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/proc/%u", x->k->tgid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (x->from_snapshot)
		return fd;
	if (proc__read_stat(x->k->tgid, &st) ||
	    st.start_boot_ns + 2 * tick_ns < x->k->start_boot_ns ||
	    st.start_boot_ns > x->k->start_boot_ns + 2 * tick_ns) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* The root of @pid if it is in mount namespace @mnt_ns, else -1. */
static int open_root_of(uint32_t pid, uint64_t mnt_ns)
{
	char path[48];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/ns/mnt", pid);
	if (stat(path, &st) || st.st_ino != mnt_ns)
		return -1;
	snprintf(path, sizeof(path), "/proc/%u/root", pid);
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/*
 * The root the process sees. Once it is gone: ours when it shared our mounts,
 * else that of its parent or of init in the same mounts (a monitor in a
 * container sees the host's processes so). open_exe checks what it finds there.
 */
static int open_root(struct pipeline *p, int proc_fd, const struct exec_event *k)
{
	int fd = -1;

	if (proc_fd >= 0)
		fd = openat(proc_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || !k->mnt_ns)
		return fd;
	if (k->mnt_ns == p->self_mnt_ns)
		return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = open_root_of(k->ppid, k->mnt_ns);
	return fd >= 0 ? fd : open_root_of(1, k->mnt_ns);
}

/*
 * The executable's path inside the process's root. The kernel names it from
 * our root, so for a process chroot'ed in our mounts the path starts with its
 * root's: lookups inside that root need the rest.
 */
static const char *path_in_root(int proc_fd, const char *path)
{
	char root[PATH_MAX_BYTES];
	ssize_t n = proc_fd < 0 ? -1 : readlinkat(proc_fd, "root", root, sizeof(root) - 1);

	if (n <= 1 || (size_t)n >= sizeof(root) - 1)
		return path; /* gone, unreadable, or "/" */
	if (strncmp(path, root, n) || path[n] != '/')
		return path;
	return path + n;
}

/*
 * A file on no mount (memfd_create: a fileless exec) has no path for the
 * kernel-side walk, which gives "/". /proc/PID/exe names it: "/memfd:NAME".
 */
static int name_unmounted_exe(struct event *e, int proc_fd, const struct exec_event *k)
{
	char path[PATH_MAX_BYTES];
	struct stat st;
	ssize_t n;

	if (proc_fd < 0 || fstatat(proc_fd, "exe", &st, 0) || st.st_ino != k->exe_ino)
		return -ESRCH;
	n = readlinkat(proc_fd, "exe", path, sizeof(path) - 1);
	if (n <= 0)
		return -ESRCH;
	path[n] = '\0';
	if (n > 10 && !strcmp(path + n - 10, " (deleted)"))
		path[n - 10] = '\0';
	event__set_str(e, FIELD_FOLDER_PATH, path);
	return event__set_str(e, FIELD_FILE_NAME, base_name(path));
}

/* ContainerId, ContainerRuntime, PodUid from the most telling cgroup path. */
static void set_container(struct event *e, int proc_fd)
{
	struct container_info ci = {};
	char path[PATH_MAX_BYTES];

	if (proc_fd >= 0 && !container__read_proc_cgroup(proc_fd, path, sizeof(path)))
		event__set_str(e, FIELD_CGROUP_PATH, path);
	if (container__parse_cgroup(event__str(e, FIELD_CGROUP_PATH) ?: "/", &ci))
		return;
	event__set_str(e, FIELD_CONTAINER_ID, ci.id);
	if (ci.runtime[0])
		event__set_str(e, FIELD_CONTAINER_RUNTIME, ci.runtime);
	if (ci.pod_uid[0])
		event__set_str(e, FIELD_POD_UID, ci.pod_uid);
}

/* Why the executable was not read, when it is its file system that does not answer. */
static void note_read_error(struct event *e, int err)
{
	if (err == -ETIMEDOUT)
		event__set_str(e, FIELD_IDENTITY_ERROR,
			       "timed out: the file system did not answer");
	else if (err == -EBUSY)
		event__set_str(e, FIELD_IDENTITY_ERROR,
			       "not read: the file system is not answering");
}

/*
 * Identity, rules, output: the end of every exec's way. @fd is the file to
 * identify (on device @dev, 0 if unknown), or the error opening it.
 */
static void finish(struct pipeline *p, struct event *e, const struct exec_event *k, int fd,
		   uint64_t dev, int root_fd, const char *path, bool may_mark)
{
	enum detect_result res = DETECT_NONE;
	int err = fd;

	if (fd >= 0 && p->opts.identity)
		err = reader__identify(p->reader, fd, dev, root_fd, path, e);
	if (err < 0)
		note_read_error(e, err);
	if (fd >= 0 && err < 0)
		p->stats.identity_errors++;
	if (p->opts.detector)
		res = detector__eval(p->opts.detector, e, clock__now_us());
	if ((p->opts.emit & EMIT_EVENTS) ||
	    (res == DETECT_MATCH && (p->opts.emit & EMIT_MATCHES)) ||
	    (res == DETECT_SUPPRESSED && (p->opts.emit & EMIT_SUPPRESSED)))
		emit_event(p, e);
	/*
	 * --emit events wants every exec: then the kernel must keep sending them.
	 * A file that could not be read is not known to be unmatchable.
	 */
	if (may_mark && fd >= 0 && err >= 0 && p->opts.mark_unmatchable && p->opts.detector &&
	    !(p->opts.emit & EMIT_EVENTS) && detector__unmatchable(p->opts.detector, e)) {
		p->opts.mark_unmatchable(p->opts.mark_ctx, k);
		p->stats.unmatchable_marked++;
	}
}

static struct held *find_held(struct pipeline *p, uint32_t tgid)
{
	for (int i = 0; i < HELD_MAX; i++)
		if (p->held[i].used && p->held[i].tgid == tgid)
			return &p->held[i];
	return NULL;
}

static void drop_held(struct held *h)
{
	close(h->root_fd);
	h->used = false;
}

/* A held launcher step that turned out to start nothing: an ordinary exec after all. */
static void release_plain(struct pipeline *p, struct held *h)
{
	const char *exe = event__str(&h->ev, FIELD_FOLDER_PATH) ?: "";
	struct exec_info x = {.k = &h->k, .exe = exe, .filename = "", .cwd = h->cwd};
	struct reader_files f;
	char path[PATH_MAX_BYTES + 2];
	int proc_fd, err;

	snprintf(path, sizeof(path), "/proc/%u", h->tgid);
	proc_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	err = reader__open(p->reader, &x, proc_fd, h->root_fd, exe, &f);
	if (f.replaced)
		p->stats.exe_replaced++;
	finish(p, &h->ev, &h->k, f.exe_fd >= 0 ? f.exe_fd : err, h->k.exe_dev, h->root_fd, exe,
	       false);
	if (f.exe_fd >= 0)
		close(f.exe_fd);
	if (f.file_fd >= 0)
		close(f.file_fd);
	if (proc_fd >= 0)
		close(proc_fd);
	drop_held(h);
}

/* A Wine program start: the event names the Windows program and carries its identity. */
static void release_program(struct pipeline *p, struct held *h)
{
	struct wine_target *t = &h->t;
	struct event *e = &h->ev;
	const char *argv = h->argvp[h->prog_idx < h->q.argc ? h->prog_idx : 0];
	int fd;

	wine__fill_event(t, e);
	/* the command line Windows gives the program: argv without the loader */
	decode__cmdline(argv, h->argv + h->argv_len - argv, p->cmdline, sizeof(p->cmdline));
	event__set_str(e, FIELD_PROCESS_COMMAND_LINE, p->cmdline);
	set_initiating(p, e, &h->k);
	fd = h->read_err ?: reader__open_image(p->reader, h->tgid, t, h->root_fd);
	finish(p, e, &h->k, fd, 0, h->root_fd, t->unix_path, false);
	if (fd >= 0)
		close(fd);
	/* its children name the Windows program as their initiating process */
	remember(p, h->tgid, e);
	p->stats.wine_programs++;
	drop_held(h);
}

static void release(struct pipeline *p, struct held *h)
{
	if (h->kind == WINE_PROGRAM && h->resolved)
		release_program(p, h);
	else
		release_plain(p, h);
}

/*
 * Windows looks for a bare program name in the directory of the program that
 * calls CreateProcess first: that is the parent when lineage names a Windows
 * program (release_program recorded its .exe), else there is no such place.
 */
static void set_search_dir(struct pipeline *p, struct held *h)
{
	const struct proc_record *r = lineage__get(p->lineage, h->k.image_tgid);
	size_t len, dir_len;

	h->search_dir[0] = '\0';
	if (!r || !r->folder_path || r->folder_path[0] != '/')
		return;
	len = strlen(r->folder_path);
	dir_len = strrchr(r->folder_path, '/') - r->folder_path;
	if (len < 4 || strcasecmp(r->folder_path + len - 4, ".exe") ||
	    dir_len >= sizeof(h->search_dir))
		return;
	/* "/x.exe" lives in "/" */
	snprintf(h->search_dir, sizeof(h->search_dir), "%.*s", (int)(dir_len ?: 1), r->folder_path);
}

static const char *path_base(const char *path)
{
	const char *b = path + strlen(path);

	while (b > path && b[-1] != '/' && b[-1] != '\\')
		b--;
	return b;
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
	    !strcmp(path_base(h->argvp[0]), path_base(x->exe)))
		return false;
	while (n > 1 && !h->argvp[n - 1][0])
		n--;
	h->argv_len = h->argvp[n - 1] + strlen(h->argvp[n - 1]) + 1 - h->argv;
	memmove(h->argvp + 1, h->argvp, n * sizeof(h->argvp[0]));
	h->argvp[0] = loader;
	*argc = n + 1;
	return true;
}

/* Holds the current event (p->ev) as @kind; NULL when a Wine program cannot be resolved. */
static struct held *hold(struct pipeline *p, const struct exec_info *x,
			 const struct reader_files *f, int root_fd)
{
	enum wine_kind kind = f->kind;
	uint64_t now = clock__boot_ns();
	struct held *h = NULL, *oldest = &p->held[0];
	size_t n = 0, argc = 0;
	bool rewritten;
	int err;

	for (int i = 0; i < HELD_MAX && !h; i++) {
		if (!p->held[i].used)
			h = &p->held[i];
		else if (p->held[i].deadline_ns < oldest->deadline_ns)
			oldest = &p->held[i];
	}
	if (!h) {
		p->stats.held_overflow++;
		release(p, oldest);
		h = oldest;
	}
	if (event__copy(&h->ev, &p->ev))
		return NULL;
	h->root_fd = dup(root_fd);
	if (h->root_fd < 0)
		return NULL;
	h->used = true;
	h->kind = kind;
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
	if (kind != WINE_PROGRAM)
		return h;

	rewritten = running_program_argv(h, x, &argc);
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
	set_search_dir(p, h);
	if (h->search_dir[0])
		h->q.search_dir = h->search_dir;
	h->prog_idx = h->q.preloader ? 2 : 1;
	err = reader__wine_resolve(p->reader, &h->q, &h->t);
	if (err) {
		note_read_error(&p->ev, err);
		drop_held(h);
		return NULL;
	}
	h->resolved = true;
	return h;
}

/* Has the held program mapped its image yet? A file system that did not answer ends the wait. */
static int try_maps(struct pipeline *p, struct held *h)
{
	int err = reader__wine_try_maps(p->reader, &h->q, &h->t);

	if (err == -ETIMEDOUT || err == -EBUSY)
		h->read_err = err;
	return err;
}

/*
 * A Wine program starting another (CreateProcess) shows that its parent
 * already runs its final image: report the parent's held start now, when it
 * is settled, so the child can name it (InitiatingProcess*, the directory a
 * bare name is looked up in) even when both execs come in one batch.
 */
static void settle_parent(struct pipeline *p, const struct exec_event *k)
{
	struct held *h = k->image_tgid != k->tgid ? find_held(p, k->image_tgid) : NULL;

	if (h && h->kind == WINE_PROGRAM && h->resolved && try_maps(p, h) != -EAGAIN)
		release(p, h);
}

int pipeline__exec(struct pipeline *p, const struct exec_info *x)
{
	struct held *prev, *h = NULL;
	struct reader_files f;
	int proc_fd, root_fd, err;
	const char *exe_path;

	p->stats.events_seen++;
	build_event(p, x);
	proc_fd = open_proc_dir(x);
	root_fd = open_root(p, proc_fd, x->k);
	set_container(&p->ev, proc_fd);
	/* its children name it as their initiating process by that name too */
	if (!*base_name(x->exe) && !name_unmounted_exe(&p->ev, proc_fd, x->k))
		remember(p, x->k->tgid, &p->ev);
	exe_path = path_in_root(proc_fd, x->exe);
	err = reader__open(p->reader, x, proc_fd, root_fd, exe_path, &f);
	if (f.replaced)
		p->stats.exe_replaced++;

	/* the same process exec'd again: a Wine chain collapses into one event */
	prev = find_held(p, x->k->tgid);
	if (prev && prev->kind == WINE_LAUNCHER_STEP && f.kind == WINE_NOT) {
		release_plain(p, prev);
	} else if (prev) {
		p->stats.wine_collapsed++;
		drop_held(prev);
	}
	if (f.kind == WINE_PROGRAM && !x->from_snapshot)
		settle_parent(p, x->k);
	if (f.kind != WINE_NOT && root_fd >= 0)
		h = hold(p, x, &f, root_fd);
	/* a snapshot's program already maps its image: no need to wait */
	if (h && x->from_snapshot)
		release(p, h);
	else if (!h)
		finish(p, &p->ev, x->k, f.exe_fd >= 0 ? f.exe_fd : err, x->k->exe_dev, root_fd,
		       exe_path, f.kind == WINE_NOT && f.file_fd < 0 && !x->from_snapshot);

	if (f.file_fd >= 0)
		close(f.file_fd);
	if (f.exe_fd >= 0)
		close(f.exe_fd);
	if (root_fd >= 0)
		close(root_fd);
	if (proc_fd >= 0)
		close(proc_fd);
	return 0;
}

int pipeline__tick(struct pipeline *p)
{
	uint64_t now = clock__boot_ns(), next = UINT64_MAX;

	for (int i = 0; i < HELD_MAX; i++) {
		struct held *h = &p->held[i];

		if (!h->used)
			continue;
		if (h->kind == WINE_PROGRAM && h->resolved && now >= h->next_try_ns) {
			int err = try_maps(p, h);

			if (err != -EAGAIN || now >= h->deadline_ns) {
				release(p, h);
				continue;
			}
			h->retry_ms = h->retry_ms * 2 < WINE_RETRY_MAX_MS ? h->retry_ms * 2
									  : WINE_RETRY_MAX_MS;
			h->next_try_ns = now + h->retry_ms * 1000000ULL;
		} else if (now >= h->deadline_ns) {
			release(p, h);
			continue;
		}
		if (h->next_try_ns < next)
			next = h->next_try_ns;
		if (h->deadline_ns < next)
			next = h->deadline_ns;
	}
	return next == UINT64_MAX ? -1 : (int)((next - now + 999999) / 1000000);
}

void pipeline__flush(struct pipeline *p)
{
	for (int i = 0; i < HELD_MAX; i++)
		if (p->held[i].used)
			release(p, &p->held[i]);
}

/* Builds an exec_info for a running process from /proc; -errno if it is gone. */
static int snapshot_one(void *ctx, pid_t pid)
{
	struct pipeline *p = ctx;
	struct exec_event *k = p->snap_event;
	struct exec_info *x;
	struct proc_stat st;
	char status[4096], num[32];
	ssize_t n;

	/* kernel threads have no exe; skip them and ourselves */
	if (pid == getpid() || proc__read_stat(pid, &st))
		return 0;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	if (proc__readlink(pid, "exe", x->exe_buf, sizeof(x->exe_buf)) <= 0)
		goto out;
	memset(k, 0, EXEC_EVENT_HDR_SIZE);
	k->tgid = k->pid = pid;
	k->ppid = k->forker_tgid = k->image_tgid = st.ppid;
	k->start_boot_ns = st.start_boot_ns;
	memcpy(k->comm, st.comm, sizeof(k->comm));
	n = proc__read_file(pid, "status", status, sizeof(status) - 1);
	if (n > 0) {
		status[n] = '\0';
		proc__parse_status_ids(status, &k->uid, &k->euid, &k->gid);
	}
	n = proc__read_file(pid, "loginuid", num, sizeof(num) - 1);
	k->loginuid = n > 0 ? (num[n] = '\0', (uint32_t)strtoul(num, NULL, 10)) : (uint32_t)-1;
	n = proc__read_file(pid, "sessionid", num, sizeof(num) - 1);
	k->sessionid = n > 0 ? (num[n] = '\0', (uint32_t)strtoul(num, NULL, 10)) : (uint32_t)-1;
	n = proc__read_file(pid, "cmdline", p->snap_argv, sizeof(p->snap_argv));
	x->argv = p->snap_argv;
	x->argv_size = n > 0 ? n : 0;
	k->argv_len = x->argv_size;
	if (proc__readlink(pid, "cwd", x->cwd_buf, sizeof(x->cwd_buf)) <= 0)
		strcpy(x->cwd_buf, "");
	n = proc__read_file(pid, "cgroup", status, sizeof(status) - 1);
	strcpy(x->cgroup_buf, "/");
	if (n > 0) {
		char *v2;

		status[n] = '\0';
		v2 = strstr(status, "0::");
		if (v2 && (v2 == status || v2[-1] == '\n'))
			sscanf(v2 + 3, "%4095[^\n]", x->cgroup_buf);
	}
	/* "/usr/bin/x (deleted)" is how /proc shows an unlinked executable */
	if (strlen(x->exe_buf) > 10 &&
	    !strcmp(x->exe_buf + strlen(x->exe_buf) - 10, " (deleted)")) {
		x->exe_buf[strlen(x->exe_buf) - 10] = '\0';
		k->flags |= EXEC_EXE_DELETED;
	}
	x->k = k;
	x->exe = x->exe_buf;
	x->filename = x->exe_buf;
	x->cwd = x->cwd_buf;
	x->cgroup = x->cgroup_buf;
	x->from_snapshot = true;
	p->stats.snapshot++;
	pipeline__exec(p, x);
out:
	free(x);
	return 0;
}

int pipeline__snapshot(struct pipeline *p)
{
	return proc__for_each_pid(snapshot_one, p);
}

unsigned int pipeline__wait_reads(struct pipeline *p, unsigned int ms)
{
	return reader__wait_unstuck(p->reader, ms);
}

void pipeline__stats(const struct pipeline *p, struct pipeline_stats *out)
{
	struct fsguard_stats fs;

	*out = p->stats;
	reader__stats(p->reader, &fs);
	out->read_timeouts = fs.timeouts;
	out->read_refused = fs.refused;
	out->read_stuck = fs.stuck;
}
