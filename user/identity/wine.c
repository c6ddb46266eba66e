// SPDX-License-Identifier: MIT
/* Wine launches: classification and program resolution. See wine.h. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/path.h"
#include "base/proc.h"
#include "base/strhash.h"
#include "identity/accounts.h"
#include "identity/elf.h"
#include "identity/root.h"
#include "identity/wine.h"
#include "identity/winepath.h"

#define LOADER_CACHE_SIZE  1024 /* distinct executables remembered */
#define LOADER_CACHE_WAYS  4
#define LOADER_MARKER	   "wine_main_preload_info"
#define ELF_MAX_SECTIONS   4096
#define ELF_MAX_TABLE	   (16u << 20) /* dynsym or its string table */
#define ELF_SCAN_CHUNK	   (64u << 10) /* what those are read by */
#define MARKER_OFFS_MAX	   16	       /* copies of the marker's name looked up at once */
#define PRELOADER_MAX_SIZE (4u << 20)  /* preloaders are ~100 KiB */
#define SCRIPT_MAX_SIZE	   (16u << 10)
#define ENVIRON_MAX	   (256u << 10)
#define MAPS_MAX	   (4u << 20)
#define PASSWD_MAX	   (1u << 20)

struct loader_entry {
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
	off_t size;
	int kind; /* enum wine_loader_kind, or FILE_STEP */
	bool used;
};

/* The lock guards the cache only, never a read: readers run on fsguard workers. */
struct wine {
	pthread_mutex_t lock;
	struct loader_entry cache[LOADER_CACHE_SIZE];
	unsigned int next; /* which way a full bucket evicts */
};

struct wine *wine__new(void)
{
	struct wine *w = calloc(1, sizeof(struct wine));

	if (w)
		pthread_mutex_init(&w->lock, NULL);
	return w;
}

void wine__free(struct wine *w)
{
	if (!w)
		return;
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static int read_proc(int pid, const char *what, size_t max, char **out, size_t *len)
{
	char path[64];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	err = file__read_at(AT_FDCWD, path, max, FILE_TRUNCATE, out, len);
	return err == -ENOENT ? -ESRCH : err;
}

/* ---- Loader identification ---------------------------------------------- */

/*
 * Where in the string table @strtab a string equal to @name starts (a linker
 * may point a symbol into the tail of a longer string): into @offs, at most
 * MARKER_OFFS_MAX. Read ELF_SCAN_CHUNK bytes at a time, into @buf. The number
 * found, MARKER_OFFS_MAX + 1 when there are more, or a negative errno.
 */
static int strtab_offsets(const struct elf_image *img, const struct elf_section *strtab,
			  const char *name, uint64_t *offs, char *buf)
{
	/* the name with its NUL; each read starts with the last n - 1 bytes of the one before */
	size_t n = strlen(name) + 1, keep = 0;
	uint64_t off = 0;
	int found = 0, err;

	while (off < strtab->size) {
		size_t want = strtab->size - off < ELF_SCAN_CHUNK ? (size_t)(strtab->size - off)
								  : ELF_SCAN_CHUNK;
		const char *p = buf, *end;

		err = elf__read(img, strtab->offset + off, buf + keep, want);
		if (err)
			return err;
		end = buf + keep + want;
		while ((p = memmem(p, (size_t)(end - p), name, n))) {
			if (found == MARKER_OFFS_MAX)
				return MARKER_OFFS_MAX + 1;
			offs[found++] = off - keep + (uint64_t)(p - buf);
			p++;
		}
		off += want;
		keep += want;
		if (keep > n - 1) {
			memmove(buf, buf + keep - (n - 1), n - 1);
			keep = n - 1;
		}
	}
	return found;
}

/* Whether @name, NUL-terminated, is at @off in @strtab: for a table with many copies. */
static bool strtab_has_at(const struct elf_image *img, const struct elf_section *strtab,
			  uint64_t off, const char *name)
{
	char s[sizeof(LOADER_MARKER)];
	size_t n = strlen(name) + 1;

	if (n > sizeof(s) || off >= strtab->size || strtab->size - off < n ||
	    elf__read(img, strtab->offset + off, s, n))
		return false;
	return !memcmp(s, name, n);
}

/*
 * Whether the dynamic symbol table defines @name (at most LOADER_MARKER's
 * length). Both tables are read a chunk at a time: a large program's are
 * megabytes, every exec of a new executable comes here, and a whole copy
 * would count in the monitor's peak RSS.
 */
static bool elf_exports(const struct elf_image *img, const char *name)
{
	size_t symsize = elf__symbol_size(img), step, j;
	struct elf_section dynsym, strtab;
	uint64_t offs[MARKER_OFFS_MAX], off;
	bool found = false;
	unsigned int i;
	char *buf;
	int noffs;

	for (i = 0; i < img->shnum; i++) {
		if (elf__section(img, i, &dynsym))
			return false;
		if (dynsym.type == SHT_DYNSYM)
			break;
	}
	if (i == img->shnum || elf__section(img, dynsym.link, &strtab) ||
	    strtab.type != SHT_STRTAB || dynsym.size > ELF_MAX_TABLE ||
	    strtab.size > ELF_MAX_TABLE || !symsize || strlen(name) >= sizeof(LOADER_MARKER))
		return false;
	buf = malloc(ELF_SCAN_CHUNK + sizeof(LOADER_MARKER));
	if (!buf)
		return false;
	noffs = strtab_offsets(img, &strtab, name, offs, buf);
	if (noffs <= 0)
		goto cleanup;
	step = ELF_SCAN_CHUNK / symsize * symsize;
	for (off = 0; off + symsize <= dynsym.size && !found; off += step) {
		size_t want = dynsym.size - off < step ? (size_t)(dynsym.size - off) : step;

		want -= want % symsize;
		if (elf__read(img, dynsym.offset + off, buf, want))
			break;
		for (j = 0; j + symsize <= want && !found; j += symsize) {
			struct elf_symbol sym;

			elf__symbol(img, buf + j, &sym);
			if (sym.shndx == SHN_UNDEF)
				continue;
			if (noffs > MARKER_OFFS_MAX) {
				found = strtab_has_at(img, &strtab, sym.name, name);
				continue;
			}
			for (int k = 0; k < noffs && !found; k++)
				found = sym.name == offs[k];
		}
	}
cleanup:
	free(buf);
	return found;
}

static bool elf_has_interp(const struct elf_image *img)
{
	struct elf_segment seg;

	for (unsigned int i = 0; i < img->phnum; i++) {
		if (elf__segment(img, i, &seg))
			return false;
		if (seg.type == PT_INTERP)
			return true;
	}
	return false;
}

/* Cached alongside the loader kinds: a launcher script or a PE image. */
#define FILE_STEP (-1)

static int file_kind_uncached(int fd, const struct stat *st)
{
	struct elf_image img;

	if (!S_ISREG(st->st_mode))
		return WINE_LOADER_NONE;
	if (wine__is_launcher_script(fd) || wine__is_pe_file(fd))
		return FILE_STEP;
	if (elf__open_fd(&img, fd, st->st_size) || img.shnum > ELF_MAX_SECTIONS)
		return WINE_LOADER_NONE;
	/* The loader exports the symbol the preloader fills in. */
	if (elf_exports(&img, LOADER_MARKER))
		return WINE_LOADER;
	/* The preloader is static and looks that symbol up by name. */
	if (!elf_has_interp(&img) && st->st_size <= PRELOADER_MAX_SIZE &&
	    file__contains(fd, (uint64_t)st->st_size, LOADER_MARKER, strlen(LOADER_MARKER)) == 1)
		return WINE_PRELOADER;
	return WINE_LOADER_NONE;
}

static bool same_entry(const struct loader_entry *e, const struct stat *st)
{
	return e->used && e->dev == st->st_dev && e->ino == st->st_ino &&
	       e->ctime.tv_sec == st->st_ctim.tv_sec && e->ctime.tv_nsec == st->st_ctim.tv_nsec &&
	       e->size == st->st_size;
}

/*
 * What @fd is, judged once per (dev, ino, ctime, size): every exec on the host
 * comes here. @cached: the file's stat, and -EAGAIN rather than read a file
 * not judged yet.
 */
static int file_kind_of(struct wine *w, int fd, const struct stat *cached)
{
	struct loader_entry *e, *slot = NULL;
	unsigned int i, h;
	struct stat st;
	int kind;

	if (cached)
		st = *cached;
	else if (fstat(fd, &st))
		return -errno;
	h = (unsigned int)(strhash__mix64(st.st_ino ^ strhash__mix64(st.st_dev)) %
			   LOADER_CACHE_SIZE);
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < LOADER_CACHE_WAYS; i++) {
		e = &w->cache[(h + i) % LOADER_CACHE_SIZE];
		if (same_entry(e, &st)) {
			kind = e->kind;
			pthread_mutex_unlock(&w->lock);
			return kind;
		}
	}
	pthread_mutex_unlock(&w->lock);
	if (cached)
		return -EAGAIN;

	kind = file_kind_uncached(fd, &st);

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < LOADER_CACHE_WAYS && !slot; i++) {
		e = &w->cache[(h + i) % LOADER_CACHE_SIZE];
		/* a free way, or this file's own entry (stale, or filled meanwhile) */
		if (!e->used || (e->dev == st.st_dev && e->ino == st.st_ino))
			slot = e;
	}
	if (!slot)
		slot = &w->cache[(h + w->next++ % LOADER_CACHE_WAYS) % LOADER_CACHE_SIZE];
	*slot = (struct loader_entry){
	    .dev = st.st_dev,
	    .ino = st.st_ino,
	    .ctime = st.st_ctim,
	    .size = st.st_size,
	    .kind = kind,
	    .used = true,
	};
	pthread_mutex_unlock(&w->lock);
	return kind;
}

static int file_kind(struct wine *w, int fd)
{
	return file_kind_of(w, fd, NULL);
}

int wine__loader_kind(struct wine *w, int exe_fd)
{
	int kind = file_kind(w, exe_fd);

	return kind == FILE_STEP ? WINE_LOADER_NONE : kind;
}

int wine__loader_kind_cached(struct wine *w, const struct stat *st)
{
	int kind = file_kind_of(w, -1, st);

	return kind == FILE_STEP ? WINE_LOADER_NONE : kind;
}

bool wine__is_loader(struct wine *w, int exe_fd)
{
	return wine__loader_kind(w, exe_fd) > 0;
}

bool wine__is_launcher_script(int fd)
{
	char buf[SCRIPT_MAX_SIZE + 1];
	ssize_t len = file__pread_full(fd, buf, SCRIPT_MAX_SIZE, 0);
	const char *line, *end;

	if (len < 2 || memcmp(buf, "#!", 2))
		return false;
	/* A line `exec <something naming wine> ...`, as /usr/bin/wine and wineapploader. */
	for (line = buf, end = buf + len; line < end;) {
		const char *eol = memchr(line, '\n', end - line);
		size_t n = (eol ? eol : end) - line;

		while (n && (*line == ' ' || *line == '\t')) {
			line++;
			n--;
		}
		if (n > 5 && !memcmp(line, "exec", 4) && (line[4] == ' ' || line[4] == '\t')) {
			for (size_t i = 5; i + 4 <= n; i++)
				if (!strncasecmp(line + i, "wine", 4))
					return true;
		}
		line += n + 1;
	}
	return false;
}

bool wine__is_pe_file(int fd)
{
	unsigned char mz[64], sig[4];
	uint32_t lfanew;

	if (file__pread_exact(fd, mz, sizeof(mz), 0) || mz[0] != 'M' || mz[1] != 'Z')
		return false;
	memcpy(&lfanew, mz + 0x3c, sizeof(lfanew));
	if (lfanew > (16u << 20) || file__pread_exact(fd, sig, sizeof(sig), lfanew))
		return false;
	return !memcmp(sig, "PE\0\0", 4);
}

enum wine_kind wine__classify(struct wine *w, int exe_fd, int file_fd)
{
	if (exe_fd >= 0 && wine__loader_kind(w, exe_fd) > 0)
		return WINE_PROGRAM;
	if (file_fd >= 0 && file_kind(w, file_fd) == FILE_STEP)
		return WINE_LAUNCHER_STEP;
	return WINE_NOT;
}

/* ---- Text parsers --------------------------------------------------------- */

static int copy_out(const char *s, size_t len, char *out, size_t n)
{
	if (len >= n)
		return -ENAMETOOLONG;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int wine__environ_get(const char *buf, size_t len, const char *name, char *out, size_t n)
{
	size_t name_len = strlen(name), i = 0;

	while (i < len) {
		const char *entry = buf + i;
		const char *end = memchr(entry, '\0', len - i);
		size_t elen = end ? (size_t)(end - entry) : len - i;

		if (elen > name_len && entry[name_len] == '=' && !memcmp(entry, name, name_len))
			return copy_out(entry + name_len + 1, elen - name_len - 1, out, n);
		i += elen + 1;
	}
	return -ENOENT;
}

static bool ends_with_nocase(const char *s, size_t len, const char *suffix)
{
	size_t slen = strlen(suffix);

	return len >= slen && !strncasecmp(s + len - slen, suffix, slen);
}

/* One maps line's address range and path: 0, or -ENOENT for an anonymous or cut line. */
static int maps_line(const char *p, const char *line_end, struct wine_image *img)
{
	const char *path = p;
	size_t path_len, range_len = 0;
	int field;

	while (p + range_len < line_end && p[range_len] != ' ')
		range_len++;

	/* start-end perms offset dev inode, then the path. */
	for (field = 0; field < 5 && path < line_end; field++) {
		while (path < line_end && *path != ' ')
			path++;
		while (path < line_end && *path == ' ')
			path++;
	}
	if (path >= line_end || *path != '/' || range_len >= sizeof(img->range))
		return -ENOENT;
	path_len = line_end - path;
	if (ends_with_nocase(path, path_len, " (deleted)"))
		path_len -= strlen(" (deleted)");
	copy_out(p, range_len, img->range, sizeof(img->range));
	return copy_out(path, path_len, img->path, sizeof(img->path));
}

int wine__maps_find_image(const char *buf, size_t len, const char *want, struct wine_image *out)
{
	const char *exe = NULL, *exe_end = NULL, *p = buf, *end = buf + len;
	size_t want_len = want ? strlen(want) : 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *line_end = eol ? eol : end, *line = p, *base;
		size_t base_len;

		p = line_end + 1;
		if (maps_line(line, line_end, out))
			continue;
		base = path__base(out->path);
		base_len = strlen(base);
		if (want_len && base_len == want_len && !strncasecmp(base, want, want_len))
			return 0;
		if (!exe && ends_with_nocase(base, base_len, ".exe")) {
			exe = line;
			exe_end = line_end;
		}
	}
	return exe ? maps_line(exe, exe_end, out) : -ENOENT;
}

/* ---- Resolution --------------------------------------------------------- */

static int readlink_proc(int pid, const char *what, char *out, size_t n)
{
	char path[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	len = readlink(path, out, n - 1);
	if (len < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	out[len] = '\0';
	return 0;
}

/* The home of @uid in the root's own /etc/passwd: containers have their own users. */
static int root_home(int root_fd, unsigned int uid, char *out, size_t n)
{
	size_t len;
	char *buf;
	int fd, err;

	fd = root__open(root_fd, "etc/passwd", O_RDONLY);
	if (fd < 0)
		return fd;
	err = file__read_fd(fd, PASSWD_MAX, FILE_TRUNCATE, &buf, &len);
	close(fd);
	if (err)
		return err;
	err = accounts__passwd_field(buf, len, uid, PASSWD_HOME, out, n);
	free(buf);
	return err;
}

/*
 * WINEPREFIX, else $HOME/.wine, else ~uid/.wine: Wine's own order. *@from_env
 * says an environment was read: a process caught in its next exec shows an
 * empty one for a moment, and the uid's default is then only a stand-in.
 */
static int find_prefix(const struct wine_query *q, char *out, size_t n, bool *from_env)
{
	const char *env = q->environ;
	size_t env_len = q->environ_len;
	char value[WINE_PATH_MAX], *owned = NULL;
	int err;

	/* A process already gone leaves only the uid's default. */
	if (!env && q->pid > 0 && !read_proc(q->pid, "environ", ENVIRON_MAX, &owned, &env_len))
		env = owned;
	*from_env = env && env_len;
	err = -ENOENT;
	if (env && !wine__environ_get(env, env_len, "WINEPREFIX", value, sizeof(value)) &&
	    value[0] == '/') {
		err = copy_out(value, strlen(value), out, n);
		goto cleanup;
	}
	if ((!env || wine__environ_get(env, env_len, "HOME", value, sizeof(value)) ||
	     value[0] != '/') &&
	    root_home(q->root_fd, q->uid, value, sizeof(value)))
		goto cleanup;
	err = (size_t)snprintf(out, n, "%s/.wine", value) >= n ? -ENAMETOOLONG : 0;
cleanup:
	free(owned);
	return err;
}

static void set_names(const struct winepath *wp, struct wine_target *t)
{
	const char *base = path__base(t->unix_path);

	copy_out(base, strlen(base), t->file_name, sizeof(t->file_name));
	if (winepath__to_windows(wp, t->unix_path, t->windows_path, sizeof(t->windows_path)))
		t->windows_path[0] = '\0';
}

/* The prefix as it is on disk, so drive targets compare with resolved paths. */
static void set_prefix(const struct wine_query *q, const char *cwd, struct wine_target *t)
{
	char prefix[WINE_PATH_MAX];

	t->prefix[0] = '\0';
	if (find_prefix(q, prefix, sizeof(prefix), &t->prefix_from_env))
		return;
	if (winepath__resolve(q->root_fd, cwd, prefix, t->prefix, sizeof(t->prefix)))
		copy_out(prefix, strlen(prefix), t->prefix, sizeof(t->prefix));
}

/*
 * Wine runs its own programs (services.exe, start.exe, ...) from builtin
 * images in .../wine/<arch>-windows/, outside the prefix; Windows sees the
 * prefix's C:\windows\system32 (or syswow64) file, so name that one.
 */
static int builtin_stand_in(const struct winepath *wp, const char *image, char *out, size_t n)
{
	static const char *const dirs[] = {"syswow64", "system32"};
	const char *base = strrchr(image, '/'), *dir;
	char win[512];
	size_t dir_len, i;

	if (!base || base == image)
		return -ENOENT;
	for (dir = base - 1; dir > image && dir[-1] != '/'; dir--)
		;
	dir_len = base - dir;
	if (dir_len < 8 || strncmp(base - 8, "-windows", 8) || dir - image < 6 ||
	    strncmp(dir - 6, "/wine/", 6))
		return -ENOENT;
	/* 32-bit builtins live in syswow64 of a 64-bit prefix. */
	for (i = !(dir_len == 12 && !strncmp(dir, "i386", 4)); i < 2; i++) {
		if ((size_t)snprintf(win, sizeof(win), "C:\\windows\\%s\\%s", dirs[i], base + 1) >=
		    sizeof(win))
			return -ENAMETOOLONG;
		if (!winepath__find_program(wp, win, NULL, out, n))
			return 0;
	}
	return -ENOENT;
}

/*
 * A process maps nothing once it has exited (a zombie), but also for a moment
 * while it execs: maps opened just before the exec and read after it shows
 * the old memory, released by then. Only the first ends the wait.
 */
static bool process_exited(int pid)
{
	struct proc_stat st;

	return proc__read_stat(pid, &st) || st.state == 'Z' || st.state == 'X';
}

/*
 * The process runs its final image now, so its environment is final too.
 * One that exited since the maps were read shows none, and the uid's
 * default prefix would name one it never used: keep what the exec showed.
 */
static int refresh_prefix(const struct wine_query *q, struct wine_target *t)
{
	struct wine_query live = *q;
	size_t len;
	char *env;
	int err;

	err = read_proc(q->pid, "environ", ENVIRON_MAX, &env, &len);
	if (err)
		return err;
	err = -ENODATA;
	if (len) {
		live.environ = env;
		live.environ_len = len;
		set_prefix(&live, q->cwd, t);
		err = 0;
	}
	free(env);
	return err;
}

int wine__try_maps(const struct wine_query *q, struct wine_target *t)
{
	struct winepath wp = {q->root_fd, t->prefix, q->cwd};
	struct wine_image image;
	size_t len;
	char *maps;
	int err;

	if (q->pid <= 0)
		return -ESRCH;
	err = read_proc(q->pid, "maps", MAPS_MAX, &maps, &len);
	if (err)
		return err;
	if (!len) {
		free(maps);
		return process_exited(q->pid) ? -ESRCH : -EAGAIN;
	}
	err = wine__maps_find_image(maps, len, t->wanted[0] ? t->wanted : NULL, &image);
	free(maps);
	if (err == -ENOENT) {
		/* not yet; an environment caught empty at exec may show by now */
		if (!q->environ && !t->prefix_from_env && !refresh_prefix(q, t))
			set_names(&wp, t);
		return -EAGAIN;
	}
	if (err)
		return err;

	strcpy(t->image_path, image.path);
	strcpy(t->image_range, image.range);
	t->from_maps = true;
	if (!q->environ)
		refresh_prefix(q, t);
	if (builtin_stand_in(&wp, image.path, t->unix_path, sizeof(t->unix_path)))
		strcpy(t->unix_path, image.path);
	set_names(&wp, t);
	return 0;
}

int wine__resolve(struct wine *w, const struct wine_query *q, struct wine_target *t)
{
	char cwd[WINE_PATH_MAX];
	struct winepath wp = {q->root_fd, t->prefix, q->cwd};
	size_t idx = 1, len;
	const char *prog, *base;
	int err;

	memset(t, 0, sizeof(*t));
	if (q->exe_fd >= 0 ? wine__loader_kind(w, q->exe_fd) == WINE_PRELOADER : q->preloader)
		idx = 2;
	if (q->argc <= idx || !q->argv[idx] || !q->argv[idx][0])
		return -ENOENT;
	prog = q->argv[idx];

	if (q->loader_path)
		copy_out(q->loader_path, strlen(q->loader_path), t->loader_path,
			 sizeof(t->loader_path));
	else if (q->pid > 0)
		readlink_proc(q->pid, "exe", t->loader_path, sizeof(t->loader_path));
	if (!wp.cwd && q->pid > 0 && !readlink_proc(q->pid, "cwd", cwd, sizeof(cwd)))
		wp.cwd = cwd;

	set_prefix(q, wp.cwd, t);

	/* The name the program maps under: argv's last component, ".exe" if bare. */
	base = path__base_win(prog);
	len = strlen(base);
	if (len < sizeof(t->wanted) - 4) {
		memcpy(t->wanted, base, len + 1);
		if (!strchr(base, '.'))
			strcat(t->wanted, ".exe");
	}

	err = winepath__find_program(&wp, prog, q->search_dir, t->unix_path, sizeof(t->unix_path));
	if (err)
		t->unix_path[0] = '\0';
	else
		set_names(&wp, t);
	if (q->pid > 0 && !wine__try_maps(q, t))
		err = 0;
	return err;
}

int wine__process_image(int pid, char *unix_path, size_t n)
{
	struct wine_image image;
	char want[256] = "";
	size_t len;
	const char *base;
	char *buf;
	int err;

	/* A running program's argv[0] is its Windows path: prefer that image. */
	if (!read_proc(pid, "cmdline", 4096, &buf, &len)) {
		base = path__base_win(buf);
		copy_out(base, strlen(base), want, sizeof(want));
		free(buf);
	}
	err = read_proc(pid, "maps", MAPS_MAX, &buf, &len);
	if (err)
		return err;
	err = wine__maps_find_image(buf, len, want[0] ? want : NULL, &image);
	free(buf);
	return err ?: copy_out(image.path, strlen(image.path), unix_path, n);
}

int wine__open_image(int pid, const struct wine_target *t)
{
	char path[96];
	int fd;

	if (!t->image_range[0])
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%s", pid, t->image_range);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int wine__fill_event(const struct wine_target *t, struct event *e)
{
	int err = 0;

	if (!t->unix_path[0])
		return -ENOENT;
	err = err ?: event__set_str(e, FIELD_FILE_NAME, t->file_name);
	err = err ?: event__set_str(e, FIELD_FOLDER_PATH, t->unix_path);
	if (t->windows_path[0])
		err = err ?: event__set_str(e, FIELD_WINDOWS_PATH, t->windows_path);
	if (t->prefix[0])
		err = err ?: event__set_str(e, FIELD_WINE_PREFIX, t->prefix);
	if (t->loader_path[0])
		err = err ?: event__set_str(e, FIELD_WINE_LOADER_PATH, t->loader_path);
	return err;
}
