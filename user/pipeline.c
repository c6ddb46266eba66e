// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/clock.h"
#include "capture/lineage.h"
#include "capture/proc.h"
#include "capture/users.h"
#include "event.h"
#include "log.h"
#include "output/event_json.h"
#include "output/json_writer.h"
#include "pipeline.h"

#define LINEAGE_ENTRIES 65536
#define CMDLINE_MAX	(4 * ARGV_MAX) /* quoting can at most ~double argv */

struct pipeline {
	struct pipeline_opts opts;
	struct pipeline_stats stats;
	struct lineage *lineage;
	struct event ev;
	struct json_writer jw;
	int64_t last_report_id;
	char cmdline[CMDLINE_MAX];
	char parent_cmdline[CMDLINE_MAX];
	/* the snapshot builds its records here: one exec_event (large) reused */
	struct exec_event *snap_event;
	char snap_argv[ARGV_MAX];
};

struct pipeline *pipeline__new(const struct pipeline_opts *opts)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->opts = *opts;
	p->lineage = lineage__new(LINEAGE_ENTRIES);
	p->snap_event = calloc(1, sizeof(*p->snap_event));
	if (!p->lineage || !p->snap_event) {
		pipeline__free(p);
		return NULL;
	}
	event_init(&p->ev);
	jw_init(&p->jw);
	return p;
}

void pipeline__free(struct pipeline *p)
{
	if (!p)
		return;
	lineage__free(p->lineage);
	event_free(&p->ev);
	jw_free(&p->jw);
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
static void set_initiating(struct pipeline *p, const struct exec_info *x)
{
	struct event *e = &p->ev;
	const struct exec_event *k = x->k;
	const struct proc_record *r = lineage__get(p->lineage, k->image_tgid);
	char path[PATH_MAX_BYTES];

	event_set_long(e, FIELD_INITIATING_PROCESS_ID, k->forker_tgid);
	if (r) {
		event_set_str(e, FIELD_INITIATING_PROCESS_FILE_NAME, r->file_name);
		event_set_str(e, FIELD_INITIATING_PROCESS_FOLDER_PATH, r->folder_path);
		event_set_str(e, FIELD_INITIATING_PROCESS_COMMAND_LINE, r->cmdline);
		event_set_str(e, FIELD_INITIATING_PROCESS_ACCOUNT_NAME, r->account);
		if (r->creation_us)
			event_set_long(e, FIELD_INITIATING_PROCESS_CREATION_TIME, r->creation_us);
		return;
	}
	if (proc__readlink(k->image_tgid, "exe", path, sizeof(path)) > 0) {
		ssize_t n =
		    proc__read_file(k->image_tgid, "cmdline", p->snap_argv, sizeof(p->snap_argv));

		event_set_str(e, FIELD_INITIATING_PROCESS_FILE_NAME, base_name(path));
		event_set_str(e, FIELD_INITIATING_PROCESS_FOLDER_PATH, path);
		if (n > 0) {
			decode__cmdline(p->snap_argv, n, p->parent_cmdline,
					sizeof(p->parent_cmdline));
			event_set_str(e, FIELD_INITIATING_PROCESS_COMMAND_LINE, p->parent_cmdline);
		}
		return;
	}
	event_set_strn(e, FIELD_INITIATING_PROCESS_FILE_NAME, k->forker_comm,
		       strnlen(k->forker_comm, sizeof(k->forker_comm)));
}

static void build_event(struct pipeline *p, const struct exec_info *x)
{
	const struct exec_event *k = x->k;
	struct event *e = &p->ev;
	int64_t created = clock__boot_ns_to_wall_us(k->start_boot_ns);

	event_reset(e);
	/* a snapshot record is observed now; when it began is ProcessCreationTime */
	event_set_long(e, FIELD_TIMESTAMP,
		       x->from_snapshot ? clock__now_us() : clock__boot_ns_to_wall_us(k->boot_ns));
	event_set_str(e, FIELD_DEVICE_ID, p->opts.device_id);
	event_set_str(e, FIELD_DEVICE_NAME, p->opts.device_name);
	event_set_long(e, FIELD_REPORT_ID, next_report_id(p));
	event_set_str(e, FIELD_ACTION_TYPE, "ProcessCreated");
	event_set_str(e, FIELD_FILE_NAME, base_name(x->exe));
	event_set_str(e, FIELD_FOLDER_PATH, x->exe);
	event_set_long(e, FIELD_PROCESS_ID, k->tgid);
	decode__cmdline(x->argv, x->argv_size, p->cmdline, sizeof(p->cmdline));
	event_set_str(e, FIELD_PROCESS_COMMAND_LINE, p->cmdline);
	event_set_long(e, FIELD_PROCESS_CREATION_TIME, created);
	event_set_str(e, FIELD_PROCESS_CURRENT_DIRECTORY, x->cwd);
	event_set_str(e, FIELD_ACCOUNT_NAME, users__name(k->uid));
	event_set_long(e, FIELD_ACCOUNT_UID, k->uid);
	set_initiating(p, x);
	event_set_long(e, FIELD_PARENT_PROCESS_ID, k->ppid);
	event_set_str(e, FIELD_EXEC_FILENAME, x->filename);
	event_set_long(e, FIELD_EXECUTABLE_DELETED, !!(k->flags & EXEC_EXE_DELETED));
	if (k->loginuid != (uint32_t)-1)
		event_set_long(e, FIELD_LOGIN_UID, k->loginuid);
	if (k->sessionid != (uint32_t)-1)
		event_set_long(e, FIELD_SESSION_ID, k->sessionid);
	if (k->cgroup_id)
		event_set_long(e, FIELD_CGROUP_ID, k->cgroup_id);
	event_set_str(e, FIELD_CGROUP_PATH, x->cgroup);
	if (k->pid_ns)
		event_set_long(e, FIELD_PID_NAMESPACE, k->pid_ns);
	if (k->mnt_ns)
		event_set_long(e, FIELD_MNT_NAMESPACE, k->mnt_ns);
	event_set_long(e, FIELD_ARGV_TRUNCATED, !!(k->flags & EXEC_ARGV_TRUNCATED));
	event_set_long(e, FIELD_ARGV_LENGTH, k->argv_len);
	event_set_long(e, FIELD_FROM_SNAPSHOT, x->from_snapshot);

	/* this process's children will name it as their initiating process */
	lineage__put(p->lineage, k->tgid, created, event_str(e, FIELD_FILE_NAME), x->exe,
		     p->cmdline, event_str(e, FIELD_ACCOUNT_NAME));
}

static void emit_event(struct pipeline *p)
{
	event_write_json(&p->jw, &p->ev);
	if (jw_flush_line(&p->jw, p->opts.out))
		p->stats.output_errors++;
	else
		p->stats.events_emitted++;
}

int pipeline__exec(struct pipeline *p, const struct exec_info *x)
{
	p->stats.events_seen++;
	build_event(p, x);
	if (p->opts.emit & EMIT_EVENTS)
		emit_event(p);
	return 0;
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

void pipeline__stats(const struct pipeline *p, struct pipeline_stats *out)
{
	*out = p->stats;
}
