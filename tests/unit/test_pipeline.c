// SPDX-License-Identifier: MIT
/*
 * The pipeline (pipeline/pipeline.c): execs of live processes (this test and
 * its parent) in, JSON lines out, with the executable reader and the rules
 * faked (-Wl,--wrap, see unit.mk). What is real: the process columns, /proc,
 * lineage, the Wine hold, the snapshot and the JSON writer.
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
#include <jansson.h>

#include "base/proc.h"
#include "identity/reader.h"
#include "pipeline/pipeline.h"

/* ---- the fakes: the executable reader ---- */

static char reader_dummy, detector_dummy, identity_dummy;
static enum wine_kind open_kind; /* what reader__open classifies the exec as */
static int open_err;		 /* its error; 0: the executable opened */
static bool open_script;	 /* the exec'd file was a script: file_fd set too */
static char open_path[PATH_MAX_BYTES];
static bool open_known;	   /* the caches know the executable: no fd, no reader__open */
static int n_worker_opens; /* reader__open calls */
static int identify_err;
static int resolve_err;

struct reader *__wrap_reader__new(struct wine *w, struct identity_cache *ids,
				  unsigned int timeout_ms)
{
	return (struct reader *)&reader_dummy;
}

void __wrap_reader__free(struct reader *r)
{
}

/* none: procfs opens each exec's root, as the pipeline closes it */
int __wrap_reader__own_root(const struct reader *r)
{
	return -1;
}

void __wrap_reader__stats(struct reader *r, struct fsguard_stats *out)
{
	memset(out, 0, sizeof(*out));
}

unsigned int __wrap_reader__wait_unstuck(struct reader *r, unsigned int ms)
{
	return 0;
}

int __wrap_reader__open(struct reader *r, const struct exec_info *x, int proc_fd, int root_fd,
			const char *path, struct reader_files *out)
{
	*out = (struct reader_files){.exe_fd = -1, .file_fd = -1, .kind = open_kind};
	n_worker_opens++;
	snprintf(open_path, sizeof(open_path), "%s", path);
	if (open_err)
		return open_err;
	out->exe_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (open_script)
		out->file_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return 0;
}

/* none from the caches (every open goes to reader__open, as a worker's), unless open_known */
int __wrap_reader__open_cached(struct reader *r, const struct exec_info *x, int root_fd,
			       const char *path, struct reader_files *out)
{
	*out = (struct reader_files){.exe_fd = -1, .file_fd = -1, .kind = WINE_NOT};
	out->known = open_known;
	return open_known ? 0 : -EAGAIN;
}

static const char *identify_signer; /* the file is signed by it; NULL: unsigned */
static const char *identify_sha1 = "0123456789abcdef0123456789abcdef01234567";

int __wrap_reader__identify(struct reader *r, int fd, uint64_t dev, int root_fd, const char *path,
			    struct event *e, struct event *cert)
{
	const char *signers[] = {identify_signer};

	event__reset_table(cert, TABLE_CERTIFICATE);
	if (identify_err)
		return identify_err;
	if (identify_signer) {
		event__set_str(e, FIELD_SHA1, identify_sha1);
		event__set_str(cert, CERT_SHA1, identify_sha1);
		event__set_long(cert, CERT_IS_SIGNED, 1);
		event__set_str(cert, CERT_SIGNATURE_TYPE, "Embedded");
		event__set_str(cert, CERT_SIGNER, identify_signer);
		event__set_list(cert, CERT_SIGNERS, signers, 1);
		event__set_str(cert, CERT_NESTED_SIGNATURES, "[]");
	}
	return event__set_str(e, FIELD_SHA256, "ab");
}

const char *__wrap_reader__error(struct reader *r, int err)
{
	if (err == -ETIMEDOUT)
		return "timed out: the file system did not answer";
	return err == -EBUSY ? "not read: the file system is not answering" : NULL;
}

int __wrap_reader__wine_resolve(struct reader *r, const struct wine_query *q, struct wine_target *t)
{
	if (resolve_err)
		return resolve_err;
	memset(t, 0, sizeof(*t));
	strcpy(t->unix_path, "/home/u/.wine/drive_c/app/prog.exe");
	strcpy(t->windows_path, "C:\\app\\prog.exe");
	strcpy(t->file_name, "prog.exe");
	return 0;
}

int __wrap_reader__wine_try_maps(struct reader *r, const struct wine_query *q,
				 struct wine_target *t)
{
	return -EAGAIN;
}

int __wrap_reader__open_image(struct reader *r, int pid, const struct wine_target *t, int root_fd)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* ---- the fakes: the rules ---- */

static enum detect_result eval_result;
static bool unmatchable;

enum detect_result __wrap_detector__eval(struct detector *d, struct event *e, int64_t now_us)
{
	return eval_result;
}

static bool unmatchable_saw_signer; /* the certificate record it was given had a Signer */

bool __wrap_detector__unmatchable(const struct detector *d, const struct event *e,
				  const struct event *cert)
{
	unmatchable_saw_signer = cert && event__isset(cert, CERT_SIGNER);
	return unmatchable;
}

/* ---- the pipeline under test ---- */

static uint32_t marked[8];
static int n_marked;

static void mark(void *ctx, const struct exec_event *k)
{
	assert_true(n_marked < 8);
	marked[n_marked++] = k->tgid;
}

struct fixture {
	struct pipeline *p;
	FILE *out;
	char *buf;
	size_t len;
	size_t read_at;
	struct exec_event k;
	struct exec_info x;
	char self_exe[PATH_MAX_BYTES];
};

static struct fixture *start(void **state, unsigned emit)
{
	struct fixture *fx = *state;
	struct pipeline_opts opts = {
	    .emit = emit,
	    .device_id = "dev-1",
	    .device_name = "host-1",
	    .out = fx->out,
	    .detector = (struct detector *)&detector_dummy,
	    .mark_unmatchable = mark,
	};

	fx->p = pipeline__new(&opts);
	assert_non_null(fx->p);
	return fx;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	open_kind = WINE_NOT;
	open_err = identify_err = resolve_err = 0;
	open_script = open_known = false;
	n_worker_opens = 0;
	identify_signer = NULL;
	eval_result = DETECT_NONE;
	unmatchable = false;
	n_marked = 0;
	fx->out = open_memstream(&fx->buf, &fx->len);
	if (!fx->out || readlink("/proc/self/exe", fx->self_exe, sizeof(fx->self_exe) - 1) <= 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	pipeline__free(fx->p);
	fclose(fx->out);
	free(fx->buf);
	free(fx);
	return 0;
}

/* The exec of process @pid (alive, or 0x3ffffff0 and up: gone) by @parent. */
static struct exec_info *exec_of(struct fixture *fx, pid_t pid, pid_t parent, const char *exe,
				 const char *argv, size_t argv_size)
{
	struct proc_stat st = {};

	proc__read_stat(pid, &st);
	memset(&fx->k, 0, EXEC_EVENT_HDR_SIZE);
	fx->k.tgid = fx->k.pid = pid;
	fx->k.ppid = fx->k.forker_tgid = fx->k.image_tgid = parent;
	fx->k.start_boot_ns = st.start_boot_ns;
	fx->k.uid = getuid();
	fx->k.loginuid = fx->k.sessionid = (uint32_t)-1;
	fx->k.argv_len = argv_size;
	strcpy(fx->k.forker_comm, "forker");
	fx->x = (struct exec_info){.k = &fx->k,
				   .filename = exe,
				   .exe = exe,
				   .cwd = "/tmp",
				   .cgroup = "/",
				   .argv = argv,
				   .argv_size = argv_size};
	return &fx->x;
}

static const char self_argv[] = "test_pipeline\0--flag\0two words";

static struct exec_info *exec_self(struct fixture *fx)
{
	return exec_of(fx, getpid(), getppid(), fx->self_exe, self_argv, sizeof(self_argv));
}

/* The next JSON line written, or NULL when there is none. */
static json_t *next_line(struct fixture *fx)
{
	json_error_t err;
	json_t *obj;
	char *nl;

	fflush(fx->out);
	if (fx->read_at >= fx->len)
		return NULL;
	nl = memchr(fx->buf + fx->read_at, '\n', fx->len - fx->read_at);
	assert_non_null(nl);
	obj = json_loadb(fx->buf + fx->read_at, nl - (fx->buf + fx->read_at), 0, &err);
	assert_non_null(obj);
	fx->read_at = nl + 1 - fx->buf;
	return obj;
}

static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static json_int_t num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *base_of(const char *path)
{
	return strrchr(path, '/') + 1;
}

/* ---- the tests ---- */

static void pipeline__exec_live_process__writes_its_columns(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	char parent_exe[PATH_MAX_BYTES] = "";
	struct pipeline_stats ps;
	json_t *ev;

	assert_true(proc__readlink(getppid(), "exe", parent_exe, sizeof(parent_exe)) > 0);
	unmatchable = true;
	assert_int_equal(pipeline__exec(fx->p, exec_self(fx)), 0);
	ev = next_line(fx);
	assert_non_null(ev);
	assert_string_equal(str(ev, "RecordType"), "DeviceProcessEvents");
	assert_string_equal(str(ev, "ActionType"), "ProcessCreated");
	assert_string_equal(str(ev, "DeviceId"), "dev-1");
	assert_string_equal(str(ev, "DeviceName"), "host-1");
	assert_string_equal(str(ev, "FileName"), base_of(fx->self_exe));
	assert_string_equal(str(ev, "FolderPath"), fx->self_exe);
	assert_int_equal(num(ev, "ProcessId"), getpid());
	assert_string_equal(str(ev, "ProcessCommandLine"), "test_pipeline --flag \"two words\"");
	assert_string_equal(str(ev, "ProcessCurrentDirectory"), "/tmp");
	assert_true(json_is_false(json_object_get(ev, "FromSnapshot")));
	/* the parent was never seen exec: named from /proc */
	assert_int_equal(num(ev, "InitiatingProcessId"), getppid());
	assert_string_equal(str(ev, "InitiatingProcessFolderPath"), parent_exe);
	assert_string_equal(str(ev, "InitiatingProcessFileName"), base_of(parent_exe));
	assert_string_equal(open_path, fx->self_exe);
	assert_null(next_line(fx));
	json_decref(ev);

	pipeline__stats(fx->p, &ps);
	assert_int_equal(ps.events_seen, 1);
	assert_int_equal(ps.events_emitted, 1);
	assert_int_equal(n_marked, 0); /* --emit events wants every exec */
}

static void pipeline__exec_twice__report_ids_increase(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	json_t *a, *b;

	pipeline__exec(fx->p, exec_self(fx));
	pipeline__exec(fx->p, exec_self(fx));
	a = next_line(fx);
	b = next_line(fx);
	assert_non_null(b);
	assert_true(num(a, "ReportId") > 0);
	assert_true(num(b, "ReportId") > num(a, "ReportId"));
	json_decref(a);
	json_decref(b);
}

static void pipeline__parent_seen_exec__named_from_lineage(void **state)
{
	static const char parent_argv[] = "parent\0--as-seen";
	struct fixture *fx = start(state, EMIT_EVENTS);
	json_t *parent, *child;

	pipeline__exec(
	    fx->p, exec_of(fx, getppid(), 1, "/usr/bin/parent", parent_argv, sizeof(parent_argv)));
	pipeline__exec(fx->p, exec_self(fx));
	parent = next_line(fx);
	child = next_line(fx);
	assert_non_null(child);
	assert_string_equal(str(child, "InitiatingProcessFileName"), "parent");
	assert_string_equal(str(child, "InitiatingProcessFolderPath"), "/usr/bin/parent");
	assert_string_equal(str(child, "InitiatingProcessCommandLine"), "parent --as-seen");
	assert_string_equal(str(child, "InitiatingProcessCreationTime"),
			    str(parent, "ProcessCreationTime"));
	json_decref(parent);
	json_decref(child);
}

static void pipeline__parent_gone__named_by_its_comm(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	json_t *ev;

	pipeline__exec(fx->p, exec_of(fx, 0x3ffffff1, 0x3ffffff0, "/usr/bin/gone", "gone", 5));
	ev = next_line(fx);
	assert_non_null(ev);
	assert_string_equal(str(ev, "InitiatingProcessFileName"), "forker");
	assert_true(json_is_null(json_object_get(ev, "InitiatingProcessFolderPath")));
	json_decref(ev);
}

static void pipeline__rules__emit_what_emit_asks(void **state)
{
	struct fixture *fx = start(state, EMIT_MATCHES);
	json_t *ev;

	eval_result = DETECT_NONE;
	pipeline__exec(fx->p, exec_self(fx));
	assert_null(next_line(fx));
	eval_result = DETECT_SUPPRESSED;
	pipeline__exec(fx->p, exec_self(fx));
	assert_null(next_line(fx));
	eval_result = DETECT_MATCH;
	pipeline__exec(fx->p, exec_self(fx));
	ev = next_line(fx);
	assert_non_null(ev);
	assert_int_equal(num(ev, "ProcessId"), getpid());
	json_decref(ev);
}

static void pipeline__unmatchable_exe__marked(void **state)
{
	struct fixture *fx = start(state, EMIT_ALERTS);
	struct pipeline_stats ps;

	unmatchable = true;
	pipeline__exec(fx->p, exec_self(fx));
	assert_int_equal(n_marked, 1);
	assert_int_equal(marked[0], getpid());
	pipeline__stats(fx->p, &ps);
	assert_int_equal(ps.unmatchable_marked, 1);
	assert_null(next_line(fx));
}

static void pipeline__known_exe__no_fd_no_worker_still_marked(void **state)
{
	struct fixture *fx = start(state, EMIT_ALERTS);
	struct pipeline_stats ps;

	open_known = unmatchable = true;
	pipeline__exec(fx->p, exec_self(fx));
	assert_int_equal(n_worker_opens, 0);
	/* as sure of the file as with an fd: the kernel stops sending it */
	assert_int_equal(n_marked, 1);
	pipeline__stats(fx->p, &ps);
	assert_int_equal(ps.identity_errors, 0);
}

static void pipeline__unmatchable_exe__not_marked_unless_sure(void **state)
{
	struct fixture *fx = start(state, EMIT_ALERTS);
	struct exec_info *x;

	pipeline__exec(fx->p, exec_self(fx)); /* a rule may match it */
	assert_int_equal(n_marked, 0);

	unmatchable = true;
	open_err = -ETIMEDOUT; /* not read: not known to be unmatchable */
	pipeline__exec(fx->p, exec_self(fx));
	open_err = 0;
	open_script = true; /* the interpreter runs other scripts too */
	pipeline__exec(fx->p, exec_self(fx));
	open_script = false;
	x = exec_self(fx);
	x->from_snapshot = true; /* not an exec the kernel reported */
	pipeline__exec(fx->p, x);
	assert_int_equal(n_marked, 0);
}

static void pipeline__read_timed_out__says_so(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	json_t *ev;

	open_err = -ETIMEDOUT;
	pipeline__exec(fx->p, exec_self(fx));
	ev = next_line(fx);
	assert_non_null(ev);
	assert_string_equal(str(ev, "IdentityError"), "timed out: the file system did not answer");
	json_decref(ev);
}

static void pipeline__identity__read_or_error_counted(void **state)
{
	struct fixture *fx = *state;
	struct pipeline_opts opts = {.emit = EMIT_EVENTS,
				     .out = fx->out,
				     .identity = (struct identity_cache *)&identity_dummy};
	struct pipeline_stats ps;
	json_t *ok, *busy;

	fx->p = pipeline__new(&opts);
	assert_non_null(fx->p);
	pipeline__exec(fx->p, exec_self(fx));
	identify_err = -EBUSY;
	pipeline__exec(fx->p, exec_self(fx));
	ok = next_line(fx);
	busy = next_line(fx);
	assert_non_null(busy);
	assert_string_equal(str(ok, "SHA256"), "ab");
	assert_string_equal(str(busy, "IdentityError"),
			    "not read: the file system is not answering");
	pipeline__stats(fx->p, &ps);
	assert_int_equal(ps.identity_errors, 1);
	json_decref(ok);
	json_decref(busy);
}

/* A signed file: one certificate record when first run, then at most one a day. */
static void pipeline__signed_file__one_certificate_record_a_day(void **state)
{
	struct fixture *fx = *state;
	struct pipeline_opts opts = {.emit = EMIT_EVENTS,
				     .device_id = "dev-1",
				     .device_name = "host-1",
				     .out = fx->out,
				     .identity = (struct identity_cache *)&identity_dummy};
	const int64_t hour_ns = 3600LL * 1000000000;
	struct pipeline_stats ps;
	struct exec_info *x;
	json_t *ev, *cert;

	fx->p = pipeline__new(&opts);
	assert_non_null(fx->p);
	identify_signer = "Atera Networks Ltd";
	x = exec_self(fx);
	fx->k.boot_ns = hour_ns;
	pipeline__exec(fx->p, x);
	ev = next_line(fx);
	cert = next_line(fx);
	assert_non_null(cert);
	assert_string_equal(str(ev, "RecordType"), "DeviceProcessEvents");
	assert_string_equal(str(cert, "RecordType"), "DeviceFileCertificateInfo");
	assert_string_equal(str(cert, "Signer"), "Atera Networks Ltd");
	assert_string_equal(str(cert, "SHA1"), identify_sha1);
	assert_string_equal(str(cert, "DeviceId"), "dev-1");
	assert_string_equal(str(cert, "DeviceName"), "host-1");
	assert_string_equal(str(cert, "FolderPath"), fx->self_exe);
	assert_string_equal(str(cert, "FileName"), base_of(fx->self_exe));
	assert_string_equal(str(cert, "Timestamp"), str(ev, "Timestamp"));
	assert_true(num(cert, "ReportId") > num(ev, "ReportId"));
	assert_true(json_is_array(json_object_get(cert, "NestedSignatures")));
	assert_null(json_object_get(cert, "ProcessId"));
	json_decref(ev);
	json_decref(cert);

	/* run again within the day: no record; a day after the first: one more */
	x = exec_self(fx);
	fx->k.boot_ns = 24 * hour_ns;
	pipeline__exec(fx->p, x);
	ev = next_line(fx);
	assert_null(next_line(fx));
	json_decref(ev);
	x = exec_self(fx);
	fx->k.boot_ns = 25 * hour_ns;
	pipeline__exec(fx->p, x);
	ev = next_line(fx);
	cert = next_line(fx);
	assert_non_null(cert);
	assert_string_equal(str(cert, "RecordType"), "DeviceFileCertificateInfo");
	json_decref(ev);
	json_decref(cert);

	/* an unsigned file: none */
	identify_signer = NULL;
	pipeline__exec(fx->p, exec_self(fx));
	ev = next_line(fx);
	assert_null(next_line(fx));
	json_decref(ev);
	pipeline__stats(fx->p, &ps);
	assert_int_equal(ps.certificates, 2);
	assert_int_equal(ps.events_emitted, 6);
}

/* The unmatchable test is given the file's certificate record, for the certificate rules. */
static void pipeline__signed_file__unmatchable_sees_its_certificate(void **state)
{
	struct fixture *fx = *state;
	struct pipeline_opts opts = {.emit = EMIT_ALERTS,
				     .out = fx->out,
				     .detector = (struct detector *)&detector_dummy,
				     .identity = (struct identity_cache *)&identity_dummy,
				     .mark_unmatchable = mark};

	fx->p = pipeline__new(&opts);
	assert_non_null(fx->p);
	identify_signer = "Atera Networks Ltd";
	unmatchable = false; /* a certificate rule matches its signer */
	pipeline__exec(fx->p, exec_self(fx));
	assert_true(unmatchable_saw_signer);
	assert_int_equal(n_marked, 0);
	identify_signer = NULL;
	unmatchable = true;
	pipeline__exec(fx->p, exec_self(fx));
	assert_false(unmatchable_saw_signer);
	assert_int_equal(n_marked, 1);
}

static const char loader_argv[] = "wine64\0C:\\app\\prog.exe\0-x";

static void pipeline__wine_program__held_then_names_its_children(void **state)
{
	struct fixture *fx = start(state, EMIT_MATCHES);
	struct pipeline_stats ps;
	json_t *prog, *child;

	eval_result = DETECT_MATCH;
	unmatchable = true; /* still, the loader runs every Windows program: never marked */
	open_kind = WINE_PROGRAM;
	pipeline__exec(fx->p, exec_of(fx, getpid(), getppid(), "/usr/lib/wine/wine64", loader_argv,
				      sizeof(loader_argv)));
	assert_null(next_line(fx)); /* held: waits for the image */
	assert_true(pipeline__tick(fx->p) > 0);

	pipeline__flush(fx->p);
	prog = next_line(fx);
	assert_non_null(prog);
	assert_string_equal(str(prog, "FileName"), "prog.exe");
	assert_string_equal(str(prog, "FolderPath"), "/home/u/.wine/drive_c/app/prog.exe");
	assert_string_equal(str(prog, "WindowsPath"), "C:\\app\\prog.exe");
	assert_string_equal(str(prog, "ProcessCommandLine"), "C:\\app\\prog.exe -x");
	assert_int_equal(num(prog, "InitiatingProcessId"), getppid());
	assert_int_equal(pipeline__tick(fx->p), -1);

	open_kind = WINE_NOT;
	unmatchable = false;
	pipeline__exec(fx->p, exec_of(fx, 0x3ffffff1, getpid(), "/usr/bin/child", "child", 6));
	child = next_line(fx);
	assert_non_null(child);
	assert_string_equal(str(child, "InitiatingProcessFileName"), "prog.exe");
	assert_string_equal(str(child, "InitiatingProcessCommandLine"), "C:\\app\\prog.exe -x");

	pipeline__stats(fx->p, &ps);
	assert_int_equal(ps.wine_programs, 1);
	assert_int_equal(n_marked, 0);
	json_decref(prog);
	json_decref(child);
}

static void pipeline__wine_prefix_not_answering__reported_at_once(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	json_t *ev;

	open_kind = WINE_PROGRAM;
	resolve_err = -ETIMEDOUT;
	pipeline__exec(fx->p, exec_of(fx, getpid(), getppid(), "/usr/lib/wine/wine64", loader_argv,
				      sizeof(loader_argv)));
	ev = next_line(fx);
	assert_non_null(ev);
	assert_string_equal(str(ev, "FileName"), "wine64");
	assert_string_equal(str(ev, "IdentityError"), "timed out: the file system did not answer");
	assert_int_equal(pipeline__tick(fx->p), -1);
	json_decref(ev);
}

static void pipeline__snapshot__reports_running_processes_but_itself(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	struct pipeline_stats ps;
	struct proc_stat parent;
	bool parent_seen = false;
	json_t *ev;

	assert_int_equal(proc__read_stat(getppid(), &parent), 0);
	assert_int_equal(pipeline__snapshot(fx->p), 0);
	while ((ev = next_line(fx))) {
		assert_true(json_is_true(json_object_get(ev, "FromSnapshot")));
		assert_int_not_equal(num(ev, "ProcessId"), getpid());
		if (num(ev, "ProcessId") == getppid()) {
			parent_seen = true;
			assert_int_equal(num(ev, "ParentProcessId"), parent.ppid);
		}
		json_decref(ev);
	}
	assert_true(parent_seen);
	pipeline__stats(fx->p, &ps);
	assert_true(ps.snapshot > 0);
	assert_int_equal(ps.events_seen, ps.snapshot);
	assert_int_equal(ps.events_emitted, ps.snapshot);
	assert_int_equal(n_marked, 0);
}

static bool is_true(json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

/* The kernel's partial walk of a deep path: the leaf end, which reads as a wrong absolute path. */
static const char partial_exe[] = "/d14/d15/deep-exe";

static void pipeline__exe_path_truncated__completed_from_proc(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	struct exec_info *x = exec_self(fx);
	struct stat st;
	json_t *ev;

	assert_int_equal(stat("/proc/self/exe", &st), 0);
	fx->k.exe_ino = st.st_ino;
	fx->k.flags = EXEC_EXE_TRUNCATED | EXEC_CWD_TRUNCATED;
	x->exe = partial_exe;
	x->cwd = "/d14/d15";
	pipeline__exec(fx->p, x);
	ev = next_line(fx);
	assert_string_equal(str(ev, "FolderPath"), fx->self_exe);
	assert_string_equal(str(ev, "FileName"), base_of(fx->self_exe));
	assert_false(is_true(ev, "FolderPathTruncated"));
	assert_string_equal(open_path, fx->self_exe); /* and identified at that path */
	json_decref(ev);
}

static void pipeline__exe_path_truncated_process_gone__unknown_never_wrong(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	struct exec_info *x =
	    exec_of(fx, 0x3ffffff0, getpid(), partial_exe, self_argv, sizeof(self_argv));
	json_t *ev;

	fx->k.flags = EXEC_EXE_TRUNCATED | EXEC_CWD_TRUNCATED | EXEC_CGROUP_TRUNCATED;
	x->cwd = "/d14/d15";
	x->cgroup = "/kubepods/d14/cri-containerd-0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcdef.scope";
	pipeline__exec(fx->p, x);
	ev = next_line(fx);
	assert_true(json_is_null(json_object_get(ev, "FolderPath")) ||
		    !json_object_get(ev, "FolderPath"));
	assert_string_equal(str(ev, "FileName"), "deep-exe");
	assert_true(is_true(ev, "FolderPathTruncated"));
	assert_true(!json_object_get(ev, "ProcessCurrentDirectory") ||
		    json_is_null(json_object_get(ev, "ProcessCurrentDirectory")));
	assert_true(is_true(ev, "ProcessCurrentDirectoryTruncated"));
	assert_true(!json_object_get(ev, "CgroupPath") ||
		    json_is_null(json_object_get(ev, "CgroupPath")));
	assert_true(is_true(ev, "CgroupPathTruncated"));
	/* the leaf still names the container */
	assert_string_equal(str(ev, "ContainerId"),
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_string_equal(open_path, ""); /* never looked up at the partial path */
	json_decref(ev);
}

static void pipeline__argv_unreadable__command_line_from_proc(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	struct exec_info *x = exec_self(fx);
	char cmdline[4096], want[4096];
	ssize_t n = proc__read_file(getpid(), "cmdline", cmdline, sizeof(cmdline));
	json_t *ev;

	assert_true(n > 0);
	decode__cmdline(cmdline, n, want, sizeof(want));
	fx->k.flags = EXEC_ARGV_UNREADABLE;
	x->argv = "";
	x->argv_size = 0;
	pipeline__exec(fx->p, x);
	ev = next_line(fx);
	assert_string_equal(str(ev, "ProcessCommandLine"), want);
	assert_true(is_true(ev, "ArgvUnreadable"));
	assert_false(is_true(ev, "ArgvTruncated"));
	json_decref(ev);
}

static void pipeline__argv_unreadable_process_gone__flagged_empty(void **state)
{
	struct fixture *fx = start(state, EMIT_EVENTS);
	struct exec_info *x = exec_of(fx, 0x3ffffff0, getpid(), "/usr/bin/gone", "", 0);
	json_t *ev;

	fx->k.flags = EXEC_ARGV_UNREADABLE;
	fx->k.argv_len = 42;
	pipeline__exec(fx->p, x);
	ev = next_line(fx);
	assert_string_equal(str(ev, "ProcessCommandLine"), "");
	assert_true(is_true(ev, "ArgvUnreadable"));
	assert_int_equal(num(ev, "ArgvLength"), 42);
	json_decref(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(pipeline__exec_live_process__writes_its_columns),
	    T(pipeline__exec_twice__report_ids_increase),
	    T(pipeline__parent_seen_exec__named_from_lineage),
	    T(pipeline__parent_gone__named_by_its_comm),
	    T(pipeline__rules__emit_what_emit_asks),
	    T(pipeline__unmatchable_exe__marked),
	    T(pipeline__known_exe__no_fd_no_worker_still_marked),
	    T(pipeline__unmatchable_exe__not_marked_unless_sure),
	    T(pipeline__read_timed_out__says_so),
	    T(pipeline__identity__read_or_error_counted),
	    T(pipeline__signed_file__one_certificate_record_a_day),
	    T(pipeline__signed_file__unmatchable_sees_its_certificate),
	    T(pipeline__wine_program__held_then_names_its_children),
	    T(pipeline__wine_prefix_not_answering__reported_at_once),
	    T(pipeline__snapshot__reports_running_processes_but_itself),
	    T(pipeline__exe_path_truncated__completed_from_proc),
	    T(pipeline__exe_path_truncated_process_gone__unknown_never_wrong),
	    T(pipeline__argv_unreadable__command_line_from_proc),
	    T(pipeline__argv_unreadable_process_gone__flagged_empty),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
