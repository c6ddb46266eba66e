// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/json_writer.h"
#include "base/path.h"
#include "base/proc.h"
#include "base/users.h"
#include "capture/snapshot.h"
#include "event.h"
#include "identity/container.h"
#include "identity/reader.h"
#include "identity/root.h"
#include "identity/wine.h"
#include "output/event_json.h"
#include "pipeline/cert_seen.h"
#include "pipeline/lineage.h"
#include "pipeline/net.h"
#include "pipeline/pipeline.h"
#include "pipeline/procfs.h"
#include "pipeline/wine_hold.h"

#define LINEAGE_ENTRIES 65536

struct pipeline {
	struct pipeline_opts opts;
	struct pipeline_stats stats;
	struct lineage *lineage;
	struct wine *wine;
	struct reader *reader; /* every read of an executable, off the loop */
	struct wine_hold *hold;
	struct net *net; /* the network records */
	ino_t self_mnt_ns;
	int own_root_fd;	    /* the reader's "/", or -1: never closed here */
	struct root_id own_root_id; /* its mount and inode, as the kernel records an exec's root */
	struct event ev;
	struct event cert;	/* the signatures of the file finish() identifies */
	struct cert_seen *seen; /* when each signed file was last reported */
	struct json_writer jw;
	int64_t last_report_id;
	char cmdline[CMDLINE_MAX];
	char parent_cmdline[CMDLINE_MAX];
	char parent_argv[ARGV_MAX];
	struct procfs_completion *fixed; /* an exec completed from /proc, and what is missing */
	struct procfs_cgroups *cgroups;	 /* what /proc/PID/cgroup said, by the kernel's key */
};

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

/* The process that created this one: from lineage, else /proc, else its comm. */
static void set_initiating(void *ctx, struct event *e, const struct exec_event *k)
{
	struct pipeline *p = ctx;
	const struct proc_record *r = lineage__get(p->lineage, k->image_tgid);
	char path[PATH_MAX_BYTES];

	event__set_long(e, FIELD_INITIATING_PROCESS_ID, k->forker_tgid);
	if (r) {
		event__set_str(e, FIELD_INITIATING_PROCESS_FILE_NAME, r->col[PROC_FILE_NAME] ?: "");
		event__set_str(e, FIELD_INITIATING_PROCESS_FOLDER_PATH,
			       r->col[PROC_FOLDER_PATH] ?: "");
		event__set_str(e, FIELD_INITIATING_PROCESS_COMMAND_LINE,
			       r->col[PROC_CMDLINE] ?: "");
		event__set_str(e, FIELD_INITIATING_PROCESS_ACCOUNT_NAME,
			       r->col[PROC_ACCOUNT] ?: "");
		if (r->creation_us)
			event__set_long(e, FIELD_INITIATING_PROCESS_CREATION_TIME, r->creation_us);
		return;
	}
	if (proc__readlink(k->image_tgid, "exe", path, sizeof(path)) > 0) {
		ssize_t n = proc__read_file(k->image_tgid, "cmdline", p->parent_argv,
					    sizeof(p->parent_argv));

		event__set_str(e, FIELD_INITIATING_PROCESS_FILE_NAME, path__base(path));
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

/* The exec record's column for each kept one (lineage.h). */
static const int proc_cols[PROC_COL__COUNT] = {
    [PROC_FILE_NAME] = FIELD_FILE_NAME,
    [PROC_FOLDER_PATH] = FIELD_FOLDER_PATH,
    [PROC_CMDLINE] = FIELD_PROCESS_COMMAND_LINE,
    [PROC_ACCOUNT] = FIELD_ACCOUNT_NAME,
    [PROC_COMPANY] = FIELD_PROCESS_VERSION_INFO_COMPANY_NAME,
    [PROC_PRODUCT] = FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME,
    [PROC_PRODUCT_VERSION] = FIELD_PROCESS_VERSION_INFO_PRODUCT_VERSION,
    [PROC_FILE_VERSION] = FIELD_PROCESS_VERSION_INFO_FILE_VERSION,
    [PROC_INTERNAL_NAME] = FIELD_PROCESS_VERSION_INFO_INTERNAL_FILE_NAME,
    [PROC_ORIGINAL_NAME] = FIELD_PROCESS_VERSION_INFO_ORIGINAL_FILE_NAME,
    [PROC_DESCRIPTION] = FIELD_PROCESS_VERSION_INFO_FILE_DESCRIPTION,
    [PROC_SHA1] = FIELD_SHA1,
    [PROC_SHA256] = FIELD_SHA256,
    [PROC_CREATOR_NAME] = FIELD_INITIATING_PROCESS_FILE_NAME,
    [PROC_CONTAINER_ID] = FIELD_CONTAINER_ID,
    [PROC_POD_UID] = FIELD_POD_UID,
};

/*
 * What @k's process runs, as @e names it: its children will name it as their
 * initiating process, and its connections as theirs.
 */
static void remember(void *ctx, const struct exec_event *k, const struct event *e)
{
	struct pipeline *p = ctx;
	struct proc_record r = {
	    .tgid = k->tgid,
	    .creator = event__long(e, FIELD_INITIATING_PROCESS_ID),
	    .exe_ino = k->exe_ino,
	    .creation_us = event__long(e, FIELD_PROCESS_CREATION_TIME),
	};

	for (int c = 0; c < PROC_COL__COUNT; c++)
		r.col[c] = event__str(e, proc_cols[c]);
	lineage__put(p->lineage, &r);
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
	/* a truncated path still ends in the executable's own name */
	event__set_str(e, FIELD_FILE_NAME, x->exe[0] ? path__base(x->exe) : p->fixed->exe_leaf);
	event__set_str(e, FIELD_FOLDER_PATH, x->exe[0] ? x->exe : NULL);
	event__set_long(e, FIELD_FOLDER_PATH_TRUNCATED, !!(p->fixed->missing & EXEC_EXE_TRUNCATED));
	event__set_long(e, FIELD_PROCESS_ID, k->tgid);
	decode__cmdline(x->argv, x->argv_size, p->cmdline, sizeof(p->cmdline));
	event__set_str(e, FIELD_PROCESS_COMMAND_LINE, p->cmdline);
	event__set_long(e, FIELD_PROCESS_CREATION_TIME, created);
	event__set_str(e, FIELD_PROCESS_CURRENT_DIRECTORY, x->cwd[0] ? x->cwd : NULL);
	event__set_long(e, FIELD_PROCESS_CURRENT_DIRECTORY_TRUNCATED,
			!!(p->fixed->missing & EXEC_CWD_TRUNCATED));
	/* our own root's name for the uid, until the process's own root gives one */
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
	event__set_long(e, FIELD_ARGV_UNREADABLE, !!(k->flags & EXEC_ARGV_UNREADABLE));
	event__set_long(e, FIELD_FROM_SNAPSHOT, x->from_snapshot);
}

static void emit_event(struct pipeline *p, const struct event *e)
{
	event_json__write(&p->jw, e);
	if (jw__flush_line(&p->jw, p->opts.out))
		p->stats.output_errors++;
	else
		p->stats.events_emitted++;
}

/*
 * A file on no mount (memfd_create: a fileless exec) has no path for the
 * kernel-side walk, which gives "/". /proc/PID/exe names it: "/memfd:NAME".
 */
static int name_unmounted_exe(struct event *e, struct procfs_dir *d, const struct exec_event *k)
{
	char path[PATH_MAX_BYTES];

	if (procfs__exe(procfs__dir(d), k, path, sizeof(path)) <= 0)
		return -ESRCH;
	event__set_str(e, FIELD_FOLDER_PATH, path);
	return event__set_str(e, FIELD_FILE_NAME, path__base(path));
}

/*
 * ContainerId, ContainerRuntime, PodUid from the most telling cgroup path:
 * /proc's, else the kernel's. A cgroup path the kernel could not walk whole
 * is unknown then, but its leaf, which names the container, is still there.
 */
static void set_container(struct pipeline *p, struct event *e, struct procfs_dir *d)
{
	const struct exec_event *k = d->x->k;
	struct container_info ci = {};
	char path[PATH_MAX_BYTES] = "";
	const char *cgroup;

	if (!procfs__cgroup(p->cgroups, d, path, sizeof(path))) {
		event__set_str(e, FIELD_CGROUP_PATH, path);
	} else if (k->flags & EXEC_CGROUP_TRUNCATED) {
		snprintf(path, sizeof(path), "%s", event__str(e, FIELD_CGROUP_PATH) ?: "/");
		event__unset(e, FIELD_CGROUP_PATH);
		event__set_long(e, FIELD_CGROUP_PATH_TRUNCATED, 1);
	}
	cgroup = event__str(e, FIELD_CGROUP_PATH) ?: path;
	if (!event__isset(e, FIELD_CGROUP_PATH_TRUNCATED))
		event__set_long(e, FIELD_CGROUP_PATH_TRUNCATED, 0);
	if (container__parse_cgroup(cgroup[0] ? cgroup : "/", &ci))
		return;
	event__set_str(e, FIELD_CONTAINER_ID, ci.id);
	if (ci.runtime[0])
		event__set_str(e, FIELD_CONTAINER_RUNTIME, ci.runtime);
	if (ci.pod_uid[0])
		event__set_str(e, FIELD_POD_UID, ci.pod_uid);
}

/* Why the executable was not read, when it is a file system that does not answer. */
static void note_read_error(struct pipeline *p, struct event *e, int err)
{
	const char *why = reader__error(p->reader, err);

	if (why)
		event__set_str(e, FIELD_IDENTITY_ERROR, why);
}

/* A record other than an exec's meets its table's rules, and goes out as events do. */
static void judge(struct pipeline *p, struct event *e)
{
	enum detect_result res = DETECT_NONE;

	if (p->opts.detector)
		res = detector__eval(p->opts.detector, e, clock__now_us());
	if ((p->opts.emit & EMIT_EVENTS) || (res == DETECT_MATCH && (p->opts.emit & EMIT_MATCHES)))
		emit_event(p, e);
}

static void judge_net(void *ctx, struct event *e)
{
	judge(ctx, e);
}

static int64_t report_id(void *ctx)
{
	return next_report_id(ctx);
}

/* A column of process record @e into certificate record @c, where both tables have it. */
/* A held Wine launch: its process's connections wait to name the program it starts. */
static bool settling(void *ctx, uint32_t tgid)
{
	struct pipeline *p = ctx;

	return p->hold && wine_hold__holds(p->hold, tgid);
}

static int copy_across(struct event *c, int cid, const struct event *e, int eid)
{
	if (!event__isset(e, eid))
		return 0;
	return event__set_strn(c, cid, event__str(e, eid), event__str_len(e, eid));
}

/*
 * The DeviceFileCertificateInfo record of the signed file exec @e ran, when
 * it is due (cert_seen.h): the signature columns from identity, the rest from
 * the exec. It meets the certificate rules and goes out as events do.
 */
static void report_certificate(struct pipeline *p, const struct event *e)
{
	struct event *c = &p->cert;
	int64_t ts = event__long(e, FIELD_TIMESTAMP);
	int err;

	if (!cert_seen__due(p->seen, event__str(c, CERT_SHA1), ts, CERT_SEEN_PERIOD_US))
		return;
	event__set_long(c, CERT_TIMESTAMP, ts);
	event__set_long(c, CERT_REPORT_ID, next_report_id(p));
	err = copy_across(c, CERT_DEVICE_ID, e, FIELD_DEVICE_ID);
	err = err ?: copy_across(c, CERT_DEVICE_NAME, e, FIELD_DEVICE_NAME);
	err = err ?: copy_across(c, CERT_FOLDER_PATH, e, FIELD_FOLDER_PATH);
	err = err ?: copy_across(c, CERT_FILE_NAME, e, FIELD_FILE_NAME);
	if (err) {
		p->stats.output_errors++;
		return;
	}
	p->stats.certificates++;
	judge(p, c);
}

/*
 * Identity, rules, output: the end of every exec's way. @fd is the file to
 * identify (on device @dev, 0 if unknown), or the error opening it; with
 * @known, -1: the reader identified it without opening it.
 */
static void finish(struct pipeline *p, struct event *e, const struct exec_event *k, int fd,
		   bool known, uint64_t dev, int root_fd, const char *path, bool may_mark)
{
	enum detect_result res = DETECT_NONE;
	bool opened = fd >= 0 || known;
	int err = known ? 0 : fd;

	event__reset_table(&p->cert, TABLE_CERTIFICATE);
	if (opened && p->opts.identity)
		err = reader__identify(p->reader, fd, dev, root_fd, path, e, &p->cert);
	if (err < 0)
		note_read_error(p, e, err);
	if (opened && err < 0)
		p->stats.identity_errors++;
	if (p->opts.detector)
		res = detector__eval(p->opts.detector, e, clock__now_us());
	if ((p->opts.emit & EMIT_EVENTS) ||
	    (res == DETECT_MATCH && (p->opts.emit & EMIT_MATCHES)) ||
	    (res == DETECT_SUPPRESSED && (p->opts.emit & EMIT_SUPPRESSED)))
		emit_event(p, e);
	if (err >= 0 && event__isset(&p->cert, CERT_SIGNATURE_TYPE))
		report_certificate(p, e);
	remember(p, k, e);
	/*
	 * --emit events wants every exec: then the kernel must keep sending them.
	 * A file that could not be read is not known to be unmatchable.
	 */
	if (may_mark && opened && err >= 0 && p->opts.mark_unmatchable && p->opts.detector &&
	    !(p->opts.emit & EMIT_EVENTS) && detector__unmatchable(p->opts.detector, e, &p->cert)) {
		p->opts.mark_unmatchable(p->opts.capture_ctx, k);
		p->stats.unmatchable_marked++;
	}
}

/*
 * A released Wine launch is never marked unmatchable: the mark would skip its
 * loader or interpreter, which runs every other Windows program too.
 */
static void finish_held(void *ctx, struct event *e, const struct exec_event *k, int fd,
			uint64_t dev, int root_fd, const char *path)
{
	finish(ctx, e, k, fd, false, dev, root_fd, path, false);
}

struct pipeline *pipeline__new(const struct pipeline_opts *opts)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	struct wine_hold_ops ops = {
	    .set_initiating = set_initiating,
	    .finish = finish_held,
	    .remember = remember,
	    .ctx = p,
	};
	struct net_ops net_ops = {
	    .finish = judge_net, .report_id = report_id, .settling = settling, .ctx = p};
	struct stat st;

	if (!p)
		return NULL;
	p->opts = *opts;
	p->lineage = lineage__new(LINEAGE_ENTRIES);
	p->fixed = calloc(1, sizeof(*p->fixed));
	p->wine = wine__new();
	p->reader = p->wine ? reader__new(p->wine, opts->identity, opts->read_timeout_ms) : NULL;
	p->hold = p->reader && p->lineage ? wine_hold__new(p->reader, p->lineage, &ops) : NULL;
	p->net =
	    p->lineage ? net__new(p->lineage, opts->device_id, opts->device_name, &net_ops) : NULL;
	p->own_root_fd = p->reader ? reader__own_root(p->reader) : -1;
	if (p->own_root_fd >= 0 && root__id(p->own_root_fd, &p->own_root_id))
		p->own_root_fd = -1;
	event__init(&p->ev);
	event__init(&p->cert);
	p->seen = cert_seen__new(CERT_SEEN_MAX);
	p->cgroups = procfs__cgroups_new();
	jw__init(&p->jw);
	if (!p->hold || !p->net || !p->fixed || !p->seen || !p->cgroups) {
		pipeline__free(p);
		return NULL;
	}
	if (!stat("/proc/self/ns/mnt", &st))
		p->self_mnt_ns = st.st_ino;
	return p;
}

void pipeline__free(struct pipeline *p)
{
	struct fsguard_stats fs = {};

	if (!p)
		return;
	wine_hold__free(p->hold);
	net__free(p->net);
	lineage__free(p->lineage);
	if (p->reader)
		reader__stats(p->reader, &fs);
	reader__free(p->reader);
	/* a worker stuck in a hung mount still uses the loader cache when it returns */
	if (!fs.stuck)
		wine__free(p->wine);
	event__free(&p->ev);
	event__free(&p->cert);
	cert_seen__free(p->seen);
	jw__free(&p->jw);
	free(p->fixed);
	procfs__cgroups_free(p->cgroups);
	free(p);
}

int pipeline__exec(struct pipeline *p, const struct exec_info *x)
{
	struct reader_files f;
	struct procfs_dir d;
	int root_fd, err;
	bool held = false, wine_named, wine_server;
	const char *exe_path;

	p->stats.events_seen++;
	procfs__dir_init(&d, x);
	x = procfs__complete(p->fixed, x, &d);
	build_event(p, x);
	/* Wine's by name, as the kernel side knows them; a server is never marked unmatchable */
	wine_named = !strncmp(path__base(x->exe), WINE_NAME, WINE_NAME_LEN);
	wine_server =
	    wine_named && !strncmp(path__base(x->exe), WINE_SERVER_NAME, WINE_SERVER_NAME_LEN);
	/*
	 * Exec'd in our own root (the same mount and directory): the reader's fd
	 * for it, which needs no look, and the kernel's path is the path in it.
	 */
	if (p->own_root_fd >= 0 && x->k->root_mnt_id &&
	    x->k->root_mnt_id == p->own_root_id.mnt_id && x->k->root_ino == p->own_root_id.ino) {
		root_fd = p->own_root_fd;
		exe_path = x->exe;
	} else {
		root_fd = procfs__open_root(procfs__dir(&d), x->k, p->self_mnt_ns);
		exe_path = procfs__path_in_root(root_fd, x->exe);
	}
	set_container(p, &p->ev, &d);
	if (!x->exe[0] || !*path__base(x->exe))
		name_unmounted_exe(&p->ev, &d, x->k);
	/* /proc/PID only for a worker's open: the inline one reads the cached files */
	err = reader__open_cached(p->reader, x, root_fd, exe_path, &f);
	if (err == -EAGAIN)
		err = reader__open(p->reader, x, procfs__dir(&d), root_fd, exe_path, &f);
	if (f.replaced)
		p->stats.exe_replaced++;
	if (f.account[0])
		event__set_str(&p->ev, FIELD_ACCOUNT_NAME, f.account);
	if (p->opts.wine_process && (wine_named || f.kind == WINE_PROGRAM))
		p->opts.wine_process(p->opts.capture_ctx, x->k,
				     wine_server ? WINE_ROLE_SERVER : WINE_ROLE_CLIENT);
	/* a held launch's children name it as their initiating process meanwhile */
	if (f.kind != WINE_NOT)
		remember(p, x->k, &p->ev);

	/* a Wine launch waits for what it starts (identity/wine.h) */
	wine_hold__reexec(p->hold, x->k->tgid, f.kind);
	if (f.kind == WINE_PROGRAM && !x->from_snapshot)
		wine_hold__settle_parent(p->hold, x->k);
	if (f.kind != WINE_NOT && root_fd >= 0) {
		int hold_err = wine_hold__hold(p->hold, &p->ev, x, &f, root_fd);

		held = !hold_err;
		note_read_error(p, &p->ev, hold_err);
	}
	if (!held)
		finish(p, &p->ev, x->k, f.exe_fd >= 0 || f.known ? f.exe_fd : err, f.known,
		       x->k->exe_dev, root_fd, exe_path,
		       f.kind == WINE_NOT && f.file_fd < 0 && !x->from_snapshot && !wine_server);

	if (f.file_fd >= 0)
		close(f.file_fd);
	if (f.exe_fd >= 0)
		close(f.exe_fd);
	if (root_fd >= 0 && root_fd != p->own_root_fd)
		close(root_fd);
	procfs__dir_close(&d);
	return 0;
}

int pipeline__net(struct pipeline *p, const struct net_event *k, size_t size)
{
	return net__record(p->net, k, size);
}

int pipeline__tick(struct pipeline *p)
{
	int wine = wine_hold__tick(p->hold), net = net__tick(p->net);

	return wine < 0 ? net : net < 0 || wine < net ? wine : net;
}

void pipeline__flush(struct pipeline *p)
{
	wine_hold__flush(p->hold);
	net__flush(p->net);
}

static int snapshot_exec(void *ctx, const struct exec_info *x)
{
	struct pipeline *p = ctx;

	p->stats.snapshot++;
	pipeline__exec(p, x);
	return 0;
}

int pipeline__snapshot(struct pipeline *p)
{
	return snapshot__run(snapshot_exec, p);
}

unsigned int pipeline__wait_reads(struct pipeline *p, unsigned int ms)
{
	return reader__wait_unstuck(p->reader, ms);
}

void pipeline__stats(const struct pipeline *p, struct pipeline_stats *out)
{
	struct fsguard_stats fs;
	struct wine_hold_stats ws;

	*out = p->stats;
	net__stats(p->net, &out->net);
	wine_hold__stats(p->hold, &ws);
	out->exe_replaced += ws.exe_replaced;
	out->wine_programs = ws.programs;
	out->wine_collapsed = ws.collapsed;
	out->held_overflow = ws.overflow;
	reader__stats(p->reader, &fs);
	out->read_timeouts = fs.timeouts;
	out->read_refused = fs.refused;
	out->read_stuck = fs.stuck;
}
