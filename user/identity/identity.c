// SPDX-License-Identifier: MIT
/*
 * Executable identity and its cache: see identity.h and probe.h.
 *
 * The cache maps (st_dev, st_ino, st_ctim, st_size) to the identity columns
 * as one packed record, so a hit fills the event exactly as the miss did. A
 * file rewritten in place gets a new ctime and is read again. Eviction is
 * least-recently-used. The lock guards the table, never a read of a file:
 * fills run on fsguard workers, and one stuck in a hung mount holds nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/strhash.h"
#include "identity/authenticode.h"
#include "identity/certinfo.h"
#include "identity/hash.h"
#include "identity/identity.h"
#include "identity/package.h"
#include "identity/pe.h"
#include "identity/probe.h"

/* The columns this module owns, in the order a cache record stores them. */
const enum field_id identity_columns[IDENTITY_NCOLUMNS] = {
    FIELD_PROCESS_VERSION_INFO_COMPANY_NAME,
    FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME,
    FIELD_PROCESS_VERSION_INFO_PRODUCT_VERSION,
    FIELD_PROCESS_VERSION_INFO_FILE_VERSION,
    FIELD_PROCESS_VERSION_INFO_INTERNAL_FILE_NAME,
    FIELD_PROCESS_VERSION_INFO_ORIGINAL_FILE_NAME,
    FIELD_PROCESS_VERSION_INFO_FILE_DESCRIPTION,
    FIELD_VERSION_INFO_COMPANY_NAMES,
    FIELD_VERSION_INFO_SOURCE,
    FIELD_SHA1,
    FIELD_SHA256,
    FIELD_FILE_SIZE,
};

/* pe_info's fields in event column order. */
static const enum field_id pe_columns[PE_VI__COUNT] = {
    [PE_VI_COMPANY_NAME] = FIELD_PROCESS_VERSION_INFO_COMPANY_NAME,
    [PE_VI_PRODUCT_NAME] = FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME,
    [PE_VI_PRODUCT_VERSION] = FIELD_PROCESS_VERSION_INFO_PRODUCT_VERSION,
    [PE_VI_FILE_VERSION] = FIELD_PROCESS_VERSION_INFO_FILE_VERSION,
    [PE_VI_INTERNAL_NAME] = FIELD_PROCESS_VERSION_INFO_INTERNAL_FILE_NAME,
    [PE_VI_ORIGINAL_FILENAME] = FIELD_PROCESS_VERSION_INFO_ORIGINAL_FILE_NAME,
    [PE_VI_FILE_DESCRIPTION] = FIELD_PROCESS_VERSION_INFO_FILE_DESCRIPTION,
};

static identity_package_lookup_fn package_lookup = package__lookup_signed;

void identity__set_package_lookup(identity_package_lookup_fn fn)
{
	package_lookup = fn ? fn : package__lookup_signed;
}

void identity__clear(struct event *e)
{
	for (size_t i = 0; i < IDENTITY_NCOLUMNS; i++)
		event__unset(e, identity_columns[i]);
}

static int fill_pe(struct pe_info *info, struct event *e)
{
	const char *companies[PE_VI_MAX_COMPANIES];
	int err = 0;

	if (!info->n_version_res)
		return 0;
	for (int f = 0; f < PE_VI__COUNT; f++)
		if (info->has[f])
			err = err ?: event__set_str(e, pe_columns[f], info->value[f]);
	for (unsigned int i = 0; i < info->n_companies; i++)
		companies[i] = info->companies[i];
	err = err
		  ?: event__set_list(e, FIELD_VERSION_INFO_COMPANY_NAMES, companies,
				     info->n_companies);
	return err ?: event__set_str(e, FIELD_VERSION_INFO_SOURCE, "pe");
}

/* @sigs: where the package's signatures go, NULL when not wanted. */
static int fill_package(struct identity_root *root, int fd, struct pkg_sigs *sigs, struct event *e)
{
	struct pkg_info pkg;
	const char *vendor = pkg.vendor;
	int err;

	memset(&pkg, 0, sizeof(pkg));
	/* the database's file system, not the file's (the small ELF note is read there too) */
	if (root->enter && (err = root->enter(root->ctx))) {
		root->skipped = err;
		return 0;
	}
	err = package_lookup(root->fd, root->path, fd, &pkg, sigs);
	if (root->leave)
		root->leave(root->ctx);
	if (err && sigs)
		sigs->n = 0;
	if (err == -ENOENT)
		return 0;
	if (err) {
		pr_debug("failed to look up the package of %s: %s", root->path, strerror(-err));
		return 0;
	}
	/* Fields filled by the lookup end in NUL; make sure of it anyway. */
	pkg.vendor[PKG_FIELD_MAX - 1] = pkg.name[PKG_FIELD_MAX - 1] = '\0';
	pkg.version[PKG_FIELD_MAX - 1] = '\0';
	if (pkg.vendor[0]) {
		err = event__set_str(e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, pkg.vendor);
		err = err ?: event__set_list(e, FIELD_VERSION_INFO_COMPANY_NAMES, &vendor, 1);
	}
	if (!err && pkg.name[0])
		err = event__set_str(e, FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME, pkg.name);
	if (!err && pkg.version[0])
		err = event__set_str(e, FIELD_PROCESS_VERSION_INFO_PRODUCT_VERSION, pkg.version);
	return err ?: event__set_str(e, FIELD_VERSION_INFO_SOURCE, pkg.source);
}

static void tee_authenticode(void *arg, uint64_t off, const void *buf, size_t len)
{
	authenticode__update(arg, off, buf, len);
}

static int probe_file(int fd, const struct stat *st, struct identity_root *root, unsigned int flags,
		      const struct authenticode_trust *trust, struct authenticode_info *sig,
		      struct pkg_sigs *psig, struct event *e, struct identity_probe *p)
{
	struct authenticode *ac = NULL;
	char sha1[HASH_SHA1_HEX], sha256[HASH_SHA256_HEX];
	struct pe_source *src = NULL;
	struct pe_info *info = NULL;
	uint8_t head[4];
	bool maybe_pe;
	int err;

	p->type = FILE_TYPE_OTHER;
	p->error = NULL;
	if (sig)
		memset(sig, 0, sizeof(*sig));
	if (psig)
		psig->n = 0;
	identity__clear(e);
	if (!S_ISREG(st->st_mode)) {
		p->error = "not a regular file";
		return -EINVAL;
	}
	src = malloc(sizeof(*src));
	info = malloc(sizeof(*info));
	if (!src || !info) {
		err = -ENOMEM;
		goto cleanup;
	}
	pe_source__init_fd(src, fd, st->st_size);
	err = pe_source__read(src, 0, head, st->st_size < 4 ? st->st_size : 4);
	if (err)
		goto cleanup;
	p->type = filetype__sniff(head, st->st_size < 4 ? st->st_size : 4, &maybe_pe);

	if (maybe_pe) {
		err = pe__parse(src, info);
		if (err == -ENOEXEC) {
			err = 0; /* MZ, but no PE: a DOS program or junk */
		} else if (!err || err == -EBADMSG) {
			p->type = info->pe32plus ? FILE_TYPE_PE32PLUS : FILE_TYPE_PE32;
			p->error = info->error;
			err = fill_pe(info, e);
			if (!err && sig) {
				/* A fresh budget: the version info may have spent some. */
				pe_source__init_fd(src, fd, st->st_size);
				err = authenticode__begin(src, trust, sig, &ac);
				if (err == -ENOEXEC)
					err = 0;
			}
		}
	} else if (p->type == FILE_TYPE_ELF || p->type == FILE_TYPE_SCRIPT) {
		err = fill_package(root, fd, psig, e);
	}
	if (err)
		goto cleanup;

	if (!(flags & IDENTITY_NO_HASH)) {
		/* The signature's digest rides along the hashes' pass. */
		err = hash__fd_tee(fd, st->st_size, HASH_MAX_SIZE, sha1, sha256,
				   authenticode__wants_data(ac) ? tee_authenticode : NULL, ac);
		if (!err) {
			err = event__set_str(e, FIELD_SHA1, sha1);
			err = err ?: event__set_str(e, FIELD_SHA256, sha256);
		} else if (err == -EFBIG) {
			err = 0; /* too large to hash on every exec */
		}
	}
	/* Not hashed (too large, or not asked): a pass of its own. */
	if (!err && ac)
		err = authenticode__read(ac, src);
	if (!err) {
		authenticode__finish(ac);
		ac = NULL;
		event__set_long(e, FIELD_FILE_SIZE, st->st_size);
	}
cleanup:
	authenticode__free(ac);
	if (err) {
		/* Unreadable outranks malformed: say why the columns are empty. */
		identity__clear(e);
		if (psig)
			psig->n = 0;
		p->error = err == -ENODATA  ? "file changed while read"
			   : err == -ENOMEM ? "out of memory"
					    : "read error";
	}
	free(info);
	free(src);
	return err;
}

int identity__probe(int fd, const struct stat *st, int root_fd, const char *path,
		    unsigned int flags, struct event *e, struct identity_probe *p)
{
	return identity__probe_signed(fd, st, root_fd, path, flags, NULL, NULL, NULL, e, p);
}

int identity__probe_signed(int fd, const struct stat *st, int root_fd, const char *path,
			   unsigned int flags, const struct authenticode_trust *trust,
			   struct authenticode_info *sig, struct pkg_sigs *psig, struct event *e,
			   struct identity_probe *p)
{
	struct identity_root root = {.fd = root_fd, .path = path};

	return probe_file(fd, st, &root, flags, trust, sig, psig, e, p);
}

/* --- cache -------------------------------------------------------------- */

struct key {
	uint64_t dev, ino;
	int64_t ctime_sec, ctime_nsec;
	int64_t size;
};
/* Hashed as bytes: padding would be bytes nobody set. */
_Static_assert(sizeof(struct key) == 5 * sizeof(uint64_t), "struct key has padding");

struct entry {
	struct key key;
	struct entry *hnext;	   /* hash chain */
	struct entry *prev, *next; /* LRU list, most recent first */
	uint32_t set_mask;	   /* bit i: identity_columns[i] is set */
	uint32_t n_items;	   /* of the list column */
	int64_t file_size;
	bool sig_checked; /* the signatures were read: sig_len 0 says there are none */
	size_t sig_len;	  /* bytes of the packed signature columns, after the blob */
	size_t blob_len;
	char blob[]; /* the set string columns, each item NUL-terminated; then the signature's */
};

struct identity_cache {
	pthread_mutex_t lock;
	const struct authenticode_trust *trust;
	size_t max_entries;
	size_t n_buckets; /* a power of two */
	struct entry **buckets;
	struct entry *head, *tail;
	struct identity_stats stats;
};

struct identity_cache *identity_cache__new(size_t max_entries)
{
	struct identity_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->max_entries = max_entries;
	c->n_buckets = 16;
	while (c->n_buckets < max_entries && c->n_buckets < (1u << 24))
		c->n_buckets *= 2;
	c->buckets = calloc(c->n_buckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	return c;
}

void identity_cache__free(struct identity_cache *c)
{
	struct entry *n;

	if (!c)
		return;
	for (struct entry *e = c->head; e; e = n) {
		n = e->next;
		free(e);
	}
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void identity_cache__set_trust(struct identity_cache *c, const struct authenticode_trust *trust)
{
	c->trust = trust;
}

void identity_cache__stats(struct identity_cache *c, struct identity_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}

static size_t key_hash(const struct key *k)
{
	return strhash__bytes(k, sizeof(*k), 0);
}

static struct entry **bucket(struct identity_cache *c, const struct key *k)
{
	return &c->buckets[key_hash(k) & (c->n_buckets - 1)];
}

static void lru_unlink(struct identity_cache *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
}

static void lru_push(struct identity_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

static void evict(struct identity_cache *c, struct entry *e)
{
	struct entry **pp = bucket(c, &e->key);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(c, e);
	free(e);
	c->stats.entries--;
}

/*
 * The signature columns of a certificate record (CERT_IS_SIGNED through
 * CERT_SIGNERS), packed: per column a set byte, then 8 bytes of a number, or
 * a 4-byte length and the bytes of a string or of a list's NUL-ended items
 * (a list's item count first).
 */
#define SIG_FIRST CERT_IS_SIGNED
#define SIG_LAST  CERT_SIGNERS

static size_t sig_pack(const struct event *cert, char *out)
{
	size_t n = 0;

	for (int id = SIG_FIRST; id <= SIG_LAST; id++) {
		const struct field_value *v = &cert->f[id];
		enum field_type type = cert_fields[id].type;
		uint32_t len = v->len + (type != FT_STRLIST), count = v->num;

		if (out)
			out[n] = v->set;
		n++;
		if (!v->set)
			continue;
		if (type != FT_STRING && type != FT_JSON && type != FT_STRLIST) {
			if (out)
				memcpy(out + n, &v->num, 8);
			n += 8;
			continue;
		}
		if (type == FT_STRLIST) {
			if (out)
				memcpy(out + n, &count, 4);
			n += 4;
		}
		if (out) {
			memcpy(out + n, &len, 4);
			memcpy(out + n + 4, cert->arena + v->off, len);
		}
		n += 4 + len;
	}
	return n;
}

/* Sets the signature columns of certificate record @cert from sig_pack's bytes. */
static int sig_unpack(const char *p, struct event *cert)
{
	const char *items[AUTHENTICODE_MAX_SIGNATURES];
	int err = 0;

	for (int id = SIG_FIRST; id <= SIG_LAST && !err; id++) {
		enum field_type type = cert_fields[id].type;
		uint32_t len, count = 0;
		int64_t num;

		if (!*p++)
			continue;
		if (type != FT_STRING && type != FT_JSON && type != FT_STRLIST) {
			memcpy(&num, p, 8);
			p += 8;
			event__set_long(cert, id, num);
			continue;
		}
		if (type == FT_STRLIST) {
			memcpy(&count, p, 4);
			p += 4;
		}
		memcpy(&len, p, 4);
		p += 4;
		if (type == FT_STRLIST) {
			const char *it = p;
			size_t n = 0;

			for (uint32_t i = 0; i < count; i++, it += strlen(it) + 1)
				if (n < AUTHENTICODE_MAX_SIGNATURES)
					items[n++] = it;
			err = event__set_list(cert, id, items, n);
		} else {
			err = event__set_strn(cert, id, p, len - 1);
		}
		p += len;
	}
	return err;
}

static struct entry *record(const struct key *k, const struct event *ev, const struct event *cert)
{
	size_t len = 0, off = 0,
	       sig_len = cert && event__isset(cert, CERT_SIGNATURE_TYPE) ? sig_pack(cert, NULL) : 0;
	struct entry *e;

	for (size_t i = 0; i < IDENTITY_NCOLUMNS; i++) {
		if (event_fields[identity_columns[i]].type == FT_STRING)
			len += event__str_len(ev, identity_columns[i]) + 1;
		else if (event_fields[identity_columns[i]].type == FT_STRLIST)
			len += ev->f[identity_columns[i]].len;
	}
	e = calloc(1, sizeof(*e) + len + sig_len);
	if (!e)
		return NULL;
	e->key = *k;
	e->blob_len = len;
	e->sig_checked = cert != NULL;
	e->sig_len = sig_len;
	if (sig_len)
		sig_pack(cert, e->blob + len);
	for (size_t i = 0; i < IDENTITY_NCOLUMNS; i++) {
		enum field_id id = identity_columns[i];

		if (!event__isset(ev, id))
			continue;
		e->set_mask |= 1u << i;
		if (event_fields[id].type == FT_STRING) {
			memcpy(e->blob + off, event__str(ev, id), event__str_len(ev, id) + 1);
			off += event__str_len(ev, id) + 1;
		} else if (event_fields[id].type == FT_STRLIST) {
			for (const char *s = event__list_next(ev, id, NULL); s;
			     s = event__list_next(ev, id, s)) {
				memcpy(e->blob + off, s, strlen(s) + 1);
				off += strlen(s) + 1;
				e->n_items++;
			}
		} else {
			e->file_size = event__long(ev, id);
		}
	}
	return e;
}

static int replay(const struct entry *r, struct event *ev)
{
	const char *items[PE_VI_MAX_COMPANIES];
	const char *p = r->blob;
	int err = 0;

	for (size_t i = 0; i < IDENTITY_NCOLUMNS && !err; i++) {
		enum field_id id = identity_columns[i];

		if (!(r->set_mask & 1u << i))
			continue;
		if (event_fields[id].type == FT_STRING) {
			err = event__set_str(ev, id, p);
			p += strlen(p) + 1;
		} else if (event_fields[id].type == FT_STRLIST) {
			uint32_t n = 0;

			for (uint32_t k = 0; k < r->n_items; k++) {
				if (n < PE_VI_MAX_COMPANIES)
					items[n++] = p;
				p += strlen(p) + 1;
			}
			err = event__set_list(ev, id, items, n);
		} else {
			event__set_long(ev, id, r->file_size);
		}
	}
	return err;
}

/* SHA1 and SHA256 of the file into its certificate record, once it has signature columns. */
static int cert_hashes(const struct event *e, struct event *cert)
{
	int err;

	if (!event__isset(cert, CERT_SIGNATURE_TYPE))
		return 0;
	err = event__set_str(cert, CERT_SHA1, event__str(e, FIELD_SHA1));
	return err ?: event__set_str(cert, CERT_SHA256, event__str(e, FIELD_SHA256));
}

/* The uncached read: identity columns into @e, signature columns into @cert when asked. */
static int probe(struct identity_cache *c, int fd, const struct stat *st,
		 struct identity_root *root, struct event *e, struct event *cert)
{
	struct authenticode_info *sig = NULL;
	struct pkg_sigs *psig = NULL;
	struct identity_probe probe;
	int err;

	/*
	 * A file too large to hash has no SHA1 to key its record by: its
	 * signatures would cost a pass of their own for nothing.
	 */
	if (cert && (uint64_t)st->st_size <= HASH_MAX_SIZE) {
		/* large (signatures of 16 certificate chains): off the worker's stack */
		sig = malloc(sizeof(*sig));
		psig = malloc(sizeof(*psig));
		if (!sig || !psig) {
			free(sig);
			free(psig);
			return -ENOMEM;
		}
	}
	err = probe_file(fd, st, root, 0, c->trust, sig, psig, e, &probe);
	if (!err && probe.error)
		pr_debug("%s: %s", root->path, probe.error);
	if (!err && sig && sig->n_sigs)
		err = certinfo__fill(sig, cert);
	else if (!err && psig && psig->n)
		err = certinfo__fill_package(psig, cert);
	free(psig);
	free(sig);
	return err;
}

int identity__fill(struct identity_cache *c, int fd, int root_fd, const char *path, struct event *e)
{
	struct identity_root root = {.fd = root_fd, .path = path};

	return identity__fill_in(c, fd, &root, e, NULL);
}

/* @cached: the file's stat, and nothing read when it is not cached; else from @fd. */
static int fill_in(struct identity_cache *c, int fd, struct identity_root *root, struct event *e,
		   struct event *cert, const struct stat *cached)
{
	struct entry *r, **pp;
	struct stat st;
	struct key k;
	int err;

	identity__clear(e);
	root->skipped = 0;
	if (cert)
		event__reset_table(cert, TABLE_CERTIFICATE);
	if (cached) {
		st = *cached;
	} else if (fstat(fd, &st)) {
		err = -errno;
		pthread_mutex_lock(&c->lock);
		c->stats.errors++;
		pthread_mutex_unlock(&c->lock);
		return err;
	}
	k = (struct key){.dev = st.st_dev,
			 .ino = st.st_ino,
			 .ctime_sec = st.st_ctim.tv_sec,
			 .ctime_nsec = st.st_ctim.tv_nsec,
			 .size = st.st_size};
	pthread_mutex_lock(&c->lock);
	for (r = *bucket(c, &k); r; r = r->hnext) {
		if (memcmp(&r->key, &k, sizeof(k)))
			continue;
		/* cached without its signatures: read again, with them */
		if (cert && !r->sig_checked)
			break;
		c->stats.hits++;
		lru_unlink(c, r);
		lru_push(c, r);
		err = replay(r, e);
		if (!err && cert && r->sig_len)
			err = sig_unpack(r->blob + r->blob_len, cert);
		pthread_mutex_unlock(&c->lock);
		err = err ?: (cert ? cert_hashes(e, cert) : 0);
		if (err) {
			identity__clear(e);
			if (cert)
				event__reset_table(cert, TABLE_CERTIFICATE);
		}
		return err;
	}
	if (cached) {
		/* not a miss: the caller asks again with the file read */
		pthread_mutex_unlock(&c->lock);
		return -EAGAIN;
	}
	c->stats.misses++;
	pthread_mutex_unlock(&c->lock);

	err = probe(c, fd, &st, root, e, cert);
	err = err ?: (cert ? cert_hashes(e, cert) : 0);
	if (err) {
		identity__clear(e);
		if (cert)
			event__reset_table(cert, TABLE_CERTIFICATE);
		pthread_mutex_lock(&c->lock);
		c->stats.errors++;
		pthread_mutex_unlock(&c->lock);
		return err;
	}
	if (!c->max_entries || root->skipped)
		return 0;
	r = record(&k, e, cert);
	if (!r)
		return 0; /* the event is filled; only the caching failed */
	pthread_mutex_lock(&c->lock);
	/* another worker may have cached the same file meanwhile: keep one, with signatures */
	for (struct entry *o = *bucket(c, &k); o; o = o->hnext) {
		if (memcmp(&o->key, &k, sizeof(k)))
			continue;
		if (o->sig_checked || !r->sig_checked) {
			pthread_mutex_unlock(&c->lock);
			free(r);
			return 0;
		}
		evict(c, o);
		break;
	}
	pp = bucket(c, &k);
	r->hnext = *pp;
	*pp = r;
	lru_push(c, r);
	if (++c->stats.entries > c->max_entries)
		evict(c, c->tail);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int identity__fill_in(struct identity_cache *c, int fd, struct identity_root *root, struct event *e,
		      struct event *cert)
{
	return fill_in(c, fd, root, e, cert, NULL);
}

int identity__fill_cached(struct identity_cache *c, const struct stat *st, struct event *e,
			  struct event *cert)
{
	struct identity_root root = {.fd = -1};

	return fill_in(c, -1, &root, e, cert, st);
}
