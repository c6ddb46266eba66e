// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"
#include "identity/dpkg.h"
#include "identity/pathindex.h"
#include "identity/pkg_field.h"
#include "identity/root.h"

#define INFO_DIR    "var/lib/dpkg/info"
#define STATUS_FILE "var/lib/dpkg/status"
/* Seconds after an mtime during which more changes may share that mtime. */
#define DPKG_RACY_SEC 1
/* What a list is read by: more than PATH_MAX, so a longer line is no path. */
#define LIST_CHUNK (64u << 10)

/* ---- parsers of untrusted bytes ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_blank((*s)[*n - 1]))
		(*n)--;
}

static bool field_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(name, want, n);
}

int dpkg__parse_status(const char *buf, size_t len, dpkg_record_cb cb, void *ctx)
{
	struct dpkg_record r = {};
	const char *p = buf, *end = buf + len;
	int ret;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *colon = NULL, *val;
		size_t n = (size_t)(line_end - p), vlen;
		struct dpkg_str *dst = NULL;
		/* Continuation lines (of Description, Conffiles...) start with a blank. */
		bool cont = n && is_blank(p[0]);

		trim(&p, &n);
		if (!n) {
			/* A blank line ends a stanza. */
			if (r.package.len) {
				ret = cb(&r, ctx);
				if (ret)
					return ret;
			}
			memset(&r, 0, sizeof(r));
		} else if (!cont) {
			colon = memchr(p, ':', n);
			if (colon) {
				size_t name_len = (size_t)(colon - p);

				if (field_is(p, name_len, "Package"))
					dst = &r.package;
				else if (field_is(p, name_len, "Architecture"))
					dst = &r.arch;
				else if (field_is(p, name_len, "Version"))
					dst = &r.version;
				else if (field_is(p, name_len, "Maintainer"))
					dst = &r.maintainer;
				else if (field_is(p, name_len, "Origin"))
					dst = &r.origin;
				else if (field_is(p, name_len, "Status"))
					dst = &r.status;
			}
			if (dst) {
				val = colon + 1;
				vlen = (size_t)(p + n - val);
				trim(&val, &vlen);
				dst->s = val;
				dst->len = vlen;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (r.package.len)
		return cb(&r, ctx);
	return 0;
}

int dpkg__parse_list(const char *buf, size_t len, dpkg_path_cb cb, void *ctx)
{
	const char *p = buf, *end = buf + len;
	int ret;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		/* "/." stands for the root directory in every list. */
		if (n >= 2 && n <= PATH_MAX && p[0] == '/' && !(n == 2 && p[1] == '.') &&
		    !memchr(p, '\0', n)) {
			ret = cb(p, n, ctx);
			if (ret)
				return ret;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* ---- per-root index ---- */

/*
 * Locking: cache_lock guards the cache's slots, each index's use count and
 * last_used; an index's own lock guards the rest of it, and is held while
 * its root's database is read. A root on a hung mount (a container's) thus
 * stalls only the lookups in that root, never the host's.
 */
struct dpkg_index {
	dev_t root_dev;
	ino_t root_ino;
	uint64_t last_used;
	pthread_mutex_t lock;
	unsigned int users; /* lookups holding it: freed by the last once evicted */
	bool evicted;

	/* The path index, valid for this state of var/lib/dpkg/info. */
	dev_t info_dev;
	ino_t info_ino;
	struct timespec info_mtime;
	bool info_racy;		  /* built within DPKG_RACY_SEC of that mtime */
	struct path_index *paths; /* path -> index into owners */
	char **owners;		  /* "pkg" or "pkg:arch", from the list file names */
	size_t nowners, owners_cap;
	bool warned;

	/* The status records, valid for this state of var/lib/dpkg/status. */
	dev_t status_dev;
	ino_t status_ino;
	off_t status_size;
	struct timespec status_mtime;
	char *status_buf;	  /* the records' fields (compact_status) */
	struct dpkg_record *recs; /* sorted by package name */
	size_t nrecs, recs_cap;
	bool status_loaded;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dpkg_index *cache[DPKG_CACHE_ROOTS];
static uint64_t use_clock;
static uint64_t n_builds, n_status_loads; /* atomic: bumped under different index locks */

static void index_clear_paths(struct dpkg_index *ix)
{
	for (size_t i = 0; i < ix->nowners; i++)
		free(ix->owners[i]);
	free(ix->owners);
	path_index__free(ix->paths);
	ix->owners = NULL;
	ix->nowners = ix->owners_cap = 0;
	ix->paths = NULL;
	ix->warned = false;
}

static void index_clear_status(struct dpkg_index *ix)
{
	free(ix->recs);
	free(ix->status_buf);
	ix->recs = NULL;
	ix->nrecs = ix->recs_cap = 0;
	ix->status_buf = NULL;
	ix->status_loaded = false;
}

static void index_free(struct dpkg_index *ix)
{
	if (!ix)
		return;
	index_clear_paths(ix);
	index_clear_status(ix);
	pthread_mutex_destroy(&ix->lock);
	free(ix);
}

struct add_ctx {
	struct dpkg_index *ix;
	uint32_t pkg;
};

static int add_path(const char *path, size_t n, void *arg)
{
	struct add_ctx *a = arg;
	struct dpkg_index *ix = a->ix;
	int err = path_index__add(ix->paths, path, n, a->pkg);

	if (err == -E2BIG) {
		pr_warn("dpkg: database too large, indexed only its first %zu paths",
			path_index__count(ix->paths));
		ix->warned = true;
		return 1; /* stop: build_paths() reads no further list */
	}
	return err;
}

static int add_owner(struct dpkg_index *ix, const char *name, size_t n, uint32_t *idx)
{
	if (ix->nowners == ix->owners_cap) {
		size_t cap = ix->owners_cap ? ix->owners_cap * 2 : 256;
		char **o = realloc(ix->owners, cap * sizeof(*o));

		if (!o)
			return -ENOMEM;
		ix->owners = o;
		ix->owners_cap = cap;
	}
	ix->owners[ix->nowners] = strndup(name, n);
	if (!ix->owners[ix->nowners])
		return -ENOMEM;
	*idx = (uint32_t)ix->nowners++;
	return 0;
}

/*
 * Feeds the list @name of the info directory (open at @info_fd) to
 * dpkg__parse_list() a chunk at a time, as it would the whole file: lists run
 * to megabytes, and both the build and every confirmed lookup read them.
 * Resolved inside the info directory itself: a symlink cannot leave it.
 * Returns what the parser returned (a callback's stop), or a negative errno.
 */
static int read_list(int info_fd, const char *name, dpkg_path_cb cb, void *ctx)
{
	size_t have = 0, left, start, end;
	bool skipping = false, eof;
	struct stat st;
	char *buf = NULL;
	int fd, err = 0;

	fd = root__open_regular(info_fd, name, DPKG_MAX_LIST_SIZE, &st);
	if (fd < 0)
		return fd;
	buf = malloc(LIST_CHUNK);
	if (!buf) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* The file may change size under us: read no more than it had. */
	left = (size_t)st.st_size;
	for (;;) {
		size_t want = LIST_CHUNK - have < left ? LIST_CHUNK - have : left;
		ssize_t n = want ? file__read_full(fd, buf + have, want) : 0;

		if (n < 0) {
			err = (int)n;
			goto cleanup;
		}
		if (n == 0)
			left = 0;
		have += (size_t)n;
		left -= (size_t)n;
		eof = !left;
		start = 0;
		if (skipping) {
			const char *nl = memchr(buf, '\n', have);

			start = nl ? (size_t)(nl - buf) + 1 : have;
			skipping = !nl;
		}
		if (eof) {
			end = have;
		} else {
			const char *nl = memrchr(buf + start, '\n', have - start);

			end = nl ? (size_t)(nl - buf) + 1 : start;
		}
		if (end > start) {
			err = dpkg__parse_list(buf + start, end - start, cb, ctx);
			if (err)
				goto cleanup;
		}
		memmove(buf, buf + end, have - end);
		have -= end;
		if (eof)
			break;
		if (have == LIST_CHUNK) {
			/* a line longer than PATH_MAX: no path, as the parser would say */
			skipping = true;
			have = 0;
		}
	}
cleanup:
	free(buf);
	close(fd);
	return err;
}

/* Reads every <pkg>.list of the info directory (already open at @info_fd). */
static int build_paths(struct dpkg_index *ix, int info_fd)
{
	DIR *d = NULL;
	struct dirent *de;
	int dfd, err = 0;

	index_clear_paths(ix);
	ix->paths = path_index__new(DPKG_MAX_ENTRIES);
	if (!ix->paths)
		return -ENOMEM;
	dfd = dup(info_fd);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		err = -errno;
		close(dfd);
		return err;
	}
	while ((de = readdir(d)) && !ix->warned) {
		size_t n = strlen(de->d_name);
		struct add_ctx a = {.ix = ix};
		int r;

		if (n <= 5 || strcmp(de->d_name + n - 5, ".list"))
			continue;
		/* The owner is named first: lists are read again to confirm a lookup. */
		err = add_owner(ix, de->d_name, n - 5, &a.pkg);
		if (err)
			break;
		r = read_list(info_fd, de->d_name, add_path, &a);
		if (r < 0 && r != -ENOMEM) {
			pr_debug("dpkg: skipping %s: %s", de->d_name, strerror(-r));
			continue;
		}
		if (r < 0) {
			err = r;
			break;
		}
	}
	closedir(d);
	path_index__seal(ix->paths);
	__atomic_add_fetch(&n_builds, 1, __ATOMIC_RELAXED);
	return err;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct dpkg_str *x = &((const struct dpkg_record *)a)->package;
	const struct dpkg_str *y = &((const struct dpkg_record *)b)->package;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* A package with files on disk: not "not-installed" nor "config-files". */
static bool rec_installed(const struct dpkg_record *r)
{
	const char *s = r->status.s;
	size_t n = r->status.len;

	if (!n)
		return true;
	return !((n >= 13 && !memcmp(s + n - 13, "not-installed", 13)) ||
		 (n >= 12 && !memcmp(s + n - 12, "config-files", 12)));
}

static int add_rec(const struct dpkg_record *r, void *arg)
{
	struct dpkg_index *ix = arg;

	if (!rec_installed(r))
		return 0;
	if (ix->nrecs == ix->recs_cap) {
		size_t cap = ix->recs_cap ? ix->recs_cap * 2 : 512;
		struct dpkg_record *p = realloc(ix->recs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		ix->recs = p;
		ix->recs_cap = cap;
	}
	ix->recs[ix->nrecs++] = *r;
	return 0;
}

/* Points @f into @pool at *@off, with a copy of what it points at. */
static void str_move(struct dpkg_str *f, char *pool, size_t *off)
{
	if (!f->len) {
		f->s = NULL;
		return;
	}
	memcpy(pool + *off, f->s, f->len);
	f->s = pool + *off;
	*off += f->len;
}

/*
 * The records' fields copied into a buffer of their own, in place of the
 * status file they point into: the file is mostly descriptions and
 * conffiles (800 KiB on a desktop for ~100 KiB of fields), and the index
 * stays as long as the monitor runs.
 */
_Static_assert(sizeof(struct dpkg_record) == 6 * sizeof(struct dpkg_str),
	       "compact_status moves every field of a record");

static int compact_status(struct dpkg_index *ix)
{
	size_t need = 0, off = 0;
	char *pool;

	for (size_t i = 0; i < ix->nrecs; i++) {
		const struct dpkg_record *r = &ix->recs[i];

		need += r->package.len + r->arch.len + r->version.len + r->maintainer.len +
			r->origin.len + r->status.len;
	}
	pool = malloc(need ? need : 1);
	if (!pool)
		return -ENOMEM;
	for (size_t i = 0; i < ix->nrecs; i++) {
		struct dpkg_record *r = &ix->recs[i];

		str_move(&r->package, pool, &off);
		str_move(&r->arch, pool, &off);
		str_move(&r->version, pool, &off);
		str_move(&r->maintainer, pool, &off);
		str_move(&r->origin, pool, &off);
		str_move(&r->status, pool, &off);
	}
	free(ix->status_buf);
	ix->status_buf = pool;
	if (ix->nrecs && ix->nrecs < ix->recs_cap) {
		struct dpkg_record *recs = realloc(ix->recs, ix->nrecs * sizeof(*recs));

		if (recs) {
			ix->recs = recs;
			ix->recs_cap = ix->nrecs;
		}
	}
	return 0;
}

static int load_status(struct dpkg_index *ix, int root_fd)
{
	struct stat st;
	size_t len;
	int err;

	index_clear_status(ix);
	err = root__read_file(root_fd, STATUS_FILE, DPKG_MAX_STATUS, &ix->status_buf, &len, &st);
	if (err)
		return err;
	err = dpkg__parse_status(ix->status_buf, len, add_rec, ix);
	if (err) {
		index_clear_status(ix);
		return err;
	}
	if (ix->nrecs)
		qsort(ix->recs, ix->nrecs, sizeof(*ix->recs), rec_cmp);
	err = compact_status(ix);
	if (err) {
		index_clear_status(ix);
		return err;
	}
	ix->status_dev = st.st_dev;
	ix->status_ino = st.st_ino;
	ix->status_size = st.st_size;
	ix->status_mtime = st.st_mtim;
	ix->status_loaded = true;
	__atomic_add_fetch(&n_status_loads, 1, __ATOMIC_RELAXED);
	return 0;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* With cache_lock: takes @ix out of the cache; the last of its users frees it. */
static void index_evict(struct dpkg_index **slot)
{
	struct dpkg_index *ix = *slot;

	*slot = NULL;
	if (ix && ix->users)
		ix->evicted = true;
	else
		index_free(ix);
}

/* With cache_lock: a lookup is done with @ix. */
static void index_put(struct dpkg_index *ix)
{
	if (!--ix->users && ix->evicted)
		index_free(ix);
}

/*
 * With cache_lock: the cached index of the root, created (but not yet
 * filled) if new, for the caller to use until index_put().
 */
static struct dpkg_index *index_get(const struct stat *root_st)
{
	struct dpkg_index **victim = &cache[0], *ix;

	for (size_t i = 0; i < DPKG_CACHE_ROOTS; i++) {
		ix = cache[i];
		if (ix && ix->root_dev == root_st->st_dev && ix->root_ino == root_st->st_ino) {
			ix->last_used = ++use_clock;
			ix->users++;
			return ix;
		}
		/* An empty slot, else the least recently used root. */
		if (*victim && (!ix || ix->last_used < (*victim)->last_used))
			victim = &cache[i];
	}
	index_evict(victim);
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return NULL;
	pthread_mutex_init(&ix->lock, NULL);
	ix->root_dev = root_st->st_dev;
	ix->root_ino = root_st->st_ino;
	ix->last_used = ++use_clock;
	ix->users = 1;
	*victim = ix;
	return ix;
}

/* With cache_lock: forgets @ix if it is still cached. */
static void index_drop(struct dpkg_index *ix)
{
	for (size_t i = 0; i < DPKG_CACHE_ROOTS; i++)
		if (cache[i] == ix)
			index_evict(&cache[i]);
}

/* Brings the index up to date with the root's database. */
static int index_refresh(struct dpkg_index *ix, int root_fd)
{
	struct stat info_st, status_st;
	struct timespec now;
	int info_fd, err = 0;

	info_fd = root__open(root_fd, INFO_DIR, O_RDONLY | O_DIRECTORY);
	if (info_fd < 0)
		return info_fd;
	if (fstat(info_fd, &info_st)) {
		err = -errno;
		goto cleanup;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	if (!ix->paths || ix->info_dev != info_st.st_dev || ix->info_ino != info_st.st_ino ||
	    !same_time(&ix->info_mtime, &info_st.st_mtim) ||
	    (ix->info_racy && now.tv_sec > info_st.st_mtim.tv_sec + DPKG_RACY_SEC)) {
		/*
		 * The mtime is read before the lists, so a change while reading
		 * rebuilds again. But timestamps are coarse (a jiffy): a list
		 * written in the same tick after the build leaves the mtime as it
		 * was. An index built that close to the mtime is rebuilt once more
		 * when the clock is safely past it (dpkg runs maintainer scripts,
		 * thus lookups, in the middle of installs).
		 */
		ix->info_dev = info_st.st_dev;
		ix->info_ino = info_st.st_ino;
		ix->info_mtime = info_st.st_mtim;
		ix->info_racy = now.tv_sec <= info_st.st_mtim.tv_sec + DPKG_RACY_SEC;
		err = build_paths(ix, info_fd);
		if (err)
			goto cleanup;
	}
	err = root__stat(root_fd, STATUS_FILE, &status_st);
	if (err) {
		index_clear_status(ix);
		err = 0; /* lists without status: names only */
		goto cleanup;
	}
	if (!ix->status_loaded || ix->status_dev != status_st.st_dev ||
	    ix->status_ino != status_st.st_ino || ix->status_size != status_st.st_size ||
	    !same_time(&ix->status_mtime, &status_st.st_mtim)) {
		err = load_status(ix, root_fd);
		if (err) {
			pr_debug("dpkg: cannot read status: %s", strerror(-err));
			err = 0;
		}
	}
cleanup:
	close(info_fd);
	return err;
}

/* A path the index found, confirmed in the list it came from. */
struct confirm_ctx {
	const struct dpkg_index *ix;
	int root_fd, info_fd;
	const char *path;
	size_t n;
	bool listed;
};

static int is_the_path(const char *path, size_t n, void *arg)
{
	struct confirm_ctx *c = arg;

	if (n != c->n || memcmp(path, c->path, n))
		return 0;
	c->listed = true;
	return 1;
}

/* Whether the list of owner @pkg has the path (the index keeps only hashes). */
static int owner_lists(uint32_t pkg, void *arg)
{
	struct confirm_ctx *c = arg;
	char name[NAME_MAX + 1];

	if (pkg >= c->ix->nowners)
		return 0;
	if (c->info_fd < 0)
		c->info_fd = root__open(c->root_fd, INFO_DIR, O_RDONLY | O_DIRECTORY);
	if (c->info_fd < 0)
		return 0;
	if ((size_t)snprintf(name, sizeof(name), "%s.list", c->ix->owners[pkg]) >= sizeof(name))
		return 0;
	c->listed = false;
	read_list(c->info_fd, name, is_the_path, c);
	return c->listed;
}

static int find_path(const struct dpkg_index *ix, int root_fd, const char *path, uint32_t *pkg)
{
	struct confirm_ctx c = {
	    .ix = ix, .root_fd = root_fd, .info_fd = -1, .path = path, .n = strlen(path)};
	int err = path_index__find(ix->paths, path, c.n, owner_lists, &c, pkg);

	if (c.info_fd >= 0)
		close(c.info_fd);
	return err;
}

/* Tries @path as is, then its other spelling on a merged-/usr root. */
static int lookup_path(const struct dpkg_index *ix, int root_fd, const char *path, uint32_t *pkg)
{
	char alt[PATH_MAX + 8];

	if (!find_path(ix, root_fd, path, pkg))
		return 0;
	if (root__usr_alt_path(root_fd, path, alt, sizeof(alt)))
		return find_path(ix, root_fd, alt, pkg);
	return -ENOENT;
}

static const struct dpkg_record *find_record(const struct dpkg_index *ix, const char *owner)
{
	const char *colon = strchr(owner, ':');
	struct dpkg_record key = {};
	const struct dpkg_record *hit, *first = NULL;
	size_t lo, i;

	key.package.s = owner;
	key.package.len = colon ? (size_t)(colon - owner) : strlen(owner);
	hit = bsearch(&key, ix->recs, ix->nrecs, sizeof(*ix->recs), rec_cmp);
	if (!hit)
		return NULL;
	/* Multi-Arch: the same name once per architecture, adjacent after the sort. */
	lo = (size_t)(hit - ix->recs);
	while (lo > 0 && !rec_cmp(&ix->recs[lo - 1], &key))
		lo--;
	for (i = lo; i < ix->nrecs && !rec_cmp(&ix->recs[i], &key); i++) {
		const struct dpkg_str *a = &ix->recs[i].arch;

		if (!first)
			first = &ix->recs[i];
		if (colon && a->len == strlen(colon + 1) && !memcmp(a->s, colon + 1, a->len))
			return &ix->recs[i];
	}
	return first;
}

int dpkg__lookup(int root_fd, const char *path, struct pkg_info *out)
{
	struct stat root_st;
	struct dpkg_index *ix;
	const struct dpkg_record *r;
	uint32_t pkg;
	const char *owner, *colon;
	bool no_dpkg = false;
	int err;

	if (!path || path[0] != '/' || strlen(path) > PATH_MAX)
		return -EINVAL;
	err = root__stat(root_fd, "/", &root_st);
	if (err)
		return err;
	pthread_mutex_lock(&cache_lock);
	ix = index_get(&root_st);
	pthread_mutex_unlock(&cache_lock);
	if (!ix)
		return -ENOMEM;

	pthread_mutex_lock(&ix->lock);
	err = index_refresh(ix, root_fd);
	if (err) {
		no_dpkg = true;
		goto unlock;
	}
	err = lookup_path(ix, root_fd, path, &pkg);
	if (err)
		goto unlock;
	memset(out, 0, sizeof(*out));
	owner = ix->owners[pkg];
	colon = strchr(owner, ':');
	pkg_field__set(out->name, owner, colon ? (size_t)(colon - owner) : strlen(owner));
	r = ix->nrecs ? find_record(ix, owner) : NULL;
	if (r) {
		pkg_field__set(out->version, r->version.s, r->version.len);
		if (r->origin.len)
			pkg_field__set(out->vendor, r->origin.s, r->origin.len);
		else
			pkg_field__set_person(out->vendor, r->maintainer.s, r->maintainer.len);
	}
	out->source = "dpkg";
unlock:
	pthread_mutex_unlock(&ix->lock);
	pthread_mutex_lock(&cache_lock);
	/* No dpkg here (or it vanished): keep no stale index. */
	if (no_dpkg)
		index_drop(ix);
	index_put(ix);
	pthread_mutex_unlock(&cache_lock);
	return err;
}

void dpkg__stats(struct dpkg_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->index_builds = __atomic_load_n(&n_builds, __ATOMIC_RELAXED);
	out->status_loads = __atomic_load_n(&n_status_loads, __ATOMIC_RELAXED);
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < DPKG_CACHE_ROOTS; i++) {
		struct dpkg_index *ix = cache[i];

		if (!ix)
			continue;
		out->roots++;
		pthread_mutex_lock(&ix->lock);
		out->entries += path_index__count(ix->paths);
		out->bytes += path_index__bytes(ix->paths);
		pthread_mutex_unlock(&ix->lock);
	}
	pthread_mutex_unlock(&cache_lock);
}

void dpkg__cache_flush(void)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < DPKG_CACHE_ROOTS; i++)
		index_evict(&cache[i]);
	pthread_mutex_unlock(&cache_lock);
}
