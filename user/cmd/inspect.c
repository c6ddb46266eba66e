// SPDX-License-Identifier: MIT
/*
 * `rmmhunt inspect PATH...`: the identity of each file as one JSON object per
 * line, under the event's column names, for checking what a rule would see.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json_writer.h"
#include "base/log.h"
#include "cmd/commands.h"
#include "event.h"
#include "identity/authenticode.h"
#include "identity/certinfo.h"
#include "identity/identity.h"
#include "identity/probe.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: rmmhunt inspect [--no-hash] [--trust-store PATH]... [--root DIR] [--] "
		"PATH...\n\n"
		"Prints the identity of each file as one JSON object per line: Path, FileType\n"
		"(pe32, pe32+, elf, script, other), the ProcessVersionInfo* columns,\n"
		"VersionInfoCompanyNames, VersionInfoSource, SHA1, SHA256, FileSize, and Error\n"
		"when the file could not be read or is malformed. Exits 1 when any file had an\n"
		"Error, 2 on bad usage.\n\n"
		"PE images also get their Authenticode signature, with Defender's\n"
		"DeviceFileCertificateInfo names: IsSigned, SignatureType, Signer, SignerHash,\n"
		"Issuer, IssuerHash, CertificateSerialNumber, CertificateCreationTime,\n"
		"CertificateExpirationTime, CertificateCountersignatureTime,\n"
		"CrlDistributionPointUrls, IsTrusted, IsRootSignerMicrosoft; SignatureError says\n"
		"why IsSigned is false, SignatureDigestAlgorithm names the signature's digest,\n"
		"NestedSignatures lists the other signatures (nested ones and further\n"
		"certificate-table entries) with the same fields. Chains are verified against\n"
		"the system's CA bundle (SSL_CERT_FILE, SSL_CERT_DIR) and --trust-store.\n\n"
		"A native file from a signed rpm package gets its package's signature the same\n"
		"way, with SignatureType \"Package\" (the key from the rpmdb's gpg-pubkey\n"
		"entries); dpkg keeps no signature of an installed package.\n\n"
		"  --no-hash  leave SHA1 and SHA256 null: read only headers, resources and,\n"
		"             for a signed PE image, what its signature covers\n"
		"  --trust-store PATH  PEM file or directory of PEM files of roots to trust\n"
		"             beside the system's (repeatable)\n"
		"  --root DIR  each PATH is a path inside DIR (a container's or chroot's root),\n"
		"             whose package databases are looked up\n");
}

static void write_column(struct json_writer *w, const struct event *e, enum field_id id)
{
	jw__key(w, event_fields[id].name);
	if (!event__isset(e, id)) {
		jw__null(w);
		return;
	}
	switch (event_fields[id].type) {
	case FT_STRING:
		jw__string(w, event__str(e, id), event__str_len(e, id));
		break;
	case FT_STRLIST:
		jw__array_begin(w);
		for (const char *s = event__list_next(e, id, NULL); s;
		     s = event__list_next(e, id, s))
			jw__string(w, s, strlen(s));
		jw__array_end(w);
		break;
	default:
		jw__long(w, event__long(e, id));
		break;
	}
}

/* A worker's signature buffers: too large for its stack. */
struct inspect_sigs {
	struct authenticode_info pe;
	struct pkg_sigs pkg;
};

static void write_signatures(struct json_writer *w, const struct authenticode_info *info)
{
	certinfo__write_signature(w, info->n_sigs ? &info->sig[0] : NULL, info->reason);
	certinfo__write_nested(w, info);
}

/*
 * Renders the record of @arg into @w. Returns true when it was read without
 * error. @root: the --root DIR @arg is inside, or NULL.
 */
static bool inspect_one(struct json_writer *w, struct event *e, int root_fd, const char *root,
			const char *arg, unsigned int flags, const struct authenticode_trust *trust,
			struct inspect_sigs *sigs)
{
	struct identity_probe probe = {.type = FILE_TYPE_OTHER};
	struct authenticode_info *sig = sigs ? &sigs->pe : NULL;
	struct pkg_sigs *psig = sigs ? &sigs->pkg : NULL;
	char abs[PATH_MAX], host[PATH_MAX];
	/* The package database knows absolute paths. */
	const char *path = root || arg[0] == '/' || !realpath(arg, abs) ? arg : abs;
	const char *error = NULL, *file = arg;
	struct stat st;
	bool typed = false;
	int fd = -1;

	event__reset(e);
	if (root) {
		if (snprintf(host, sizeof(host), "%s%s", root, arg) >= (int)sizeof(host))
			error = strerror(ENAMETOOLONG);
		file = host;
	}
	/*
	 * Refuse what is not a regular file before opening it (opening some
	 * devices has effects), and again after, in case it was swapped.
	 * O_NONBLOCK: opening a FIFO must not wait for a writer.
	 */
	if (error)
		;
	else if (stat(file, &st))
		error = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		error = "not a regular file";
	else if ((fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		error = strerror(errno);
	else if (fstat(fd, &st))
		error = strerror(errno);
	else {
		/* A malformed PE is typed, with what could be read and an Error. */
		typed = !identity__probe_signed(fd, &st, root_fd, path, flags, trust, sig, psig, e,
						&probe);
		error = probe.error;
	}
	if (fd >= 0)
		close(fd);

	jw__object_begin(w);
	jw__key(w, "Path");
	jw__string(w, arg, strlen(arg));
	jw__key(w, "FileType");
	if (typed)
		jw__cstring(w, filetype__name(probe.type));
	else
		jw__null(w);
	for (size_t i = 0; i < IDENTITY_NCOLUMNS; i++)
		write_column(w, e, identity_columns[i]);
	if (typed && (probe.type == FILE_TYPE_PE32 || probe.type == FILE_TYPE_PE32PLUS)) {
		if (sig)
			write_signatures(w, sig);
		else
			jw__kv_str(w, "SignatureError", "out of memory");
	} else if (typed && psig && psig->n) {
		certinfo__write_package_signature(w, &psig->sig[0]);
		certinfo__write_package_nested(w, psig);
	}
	if (error)
		jw__kv_str(w, "Error", error);
	jw__object_end(w);
	return !error;
}

/*
 * Files are read by a pool of threads and printed in argument order. A cold
 * cache makes inspect wait on the disk, two small reads per PE file: many
 * reads in flight let the disk serve them together, and hashing uses every
 * core. Workers run at most INSPECT_WINDOW records ahead of the printer, so
 * memory stays bounded however many paths are given.
 */
#define INSPECT_THREADS_MAX 8
#define INSPECT_WINDOW	    (4 * INSPECT_THREADS_MAX)

struct inspect_slot {
	struct json_writer w;
	bool done;
	bool ok;
};

struct inspect_pool {
	pthread_mutex_t lock;
	pthread_cond_t done; /* a slot was filled */
	pthread_cond_t room; /* a slot was printed */
	char **paths;
	int npaths;
	int next;    /* next path to claim */
	int printed; /* paths printed so far */
	int root_fd;
	const char *root; /* --root, or NULL */
	unsigned int flags;
	const struct authenticode_trust *trust;
	struct inspect_slot slot[INSPECT_WINDOW];
};

static void *inspect_worker(void *arg)
{
	struct inspect_pool *pool = arg;
	/* Without it (no memory), records go out without signatures. */
	struct inspect_sigs *sig = malloc(sizeof(*sig));
	struct event e;

	event__init(&e);
	pthread_mutex_lock(&pool->lock);
	while (pool->next < pool->npaths) {
		int i = pool->next;
		struct inspect_slot *slot = &pool->slot[i % INSPECT_WINDOW];

		if (i >= pool->printed + INSPECT_WINDOW) {
			pthread_cond_wait(&pool->room, &pool->lock);
			continue;
		}
		pool->next++;
		pthread_mutex_unlock(&pool->lock);
		/* The slot is this worker's until done: the printer is behind it. */
		slot->ok = inspect_one(&slot->w, &e, pool->root_fd, pool->root, pool->paths[i],
				       pool->flags, pool->trust, sig);
		pthread_mutex_lock(&pool->lock);
		slot->done = true;
		pthread_cond_broadcast(&pool->done);
	}
	pthread_mutex_unlock(&pool->lock);
	event__free(&e);
	free(sig);
	return NULL;
}

static bool print_slot(struct inspect_slot *slot, const char *path)
{
	if (jw__flush_line(&slot->w, stdout))
		pr_err("failed to write the record of %s", path);
	return slot->ok;
}

/* Returns 0 when every file was read without error, 1 otherwise. */
static int inspect_all(struct inspect_pool *pool)
{
	pthread_t threads[INSPECT_THREADS_MAX];
	int nthreads = 0, status = 0;

	while (nthreads < INSPECT_THREADS_MAX && nthreads < pool->npaths &&
	       !pthread_create(&threads[nthreads], NULL, inspect_worker, pool))
		nthreads++;
	if (!nthreads) {
		/* No thread to be had: do it all here, one file at a time. */
		struct inspect_sigs *sig = malloc(sizeof(*sig));
		struct event e;

		event__init(&e);
		for (int i = 0; i < pool->npaths; i++) {
			pool->slot[0].ok =
			    inspect_one(&pool->slot[0].w, &e, pool->root_fd, pool->root,
					pool->paths[i], pool->flags, pool->trust, sig);
			if (!print_slot(&pool->slot[0], pool->paths[i]))
				status = 1;
		}
		free(sig);
		event__free(&e);
		return status;
	}
	for (int i = 0; i < pool->npaths; i++) {
		struct inspect_slot *slot = &pool->slot[i % INSPECT_WINDOW];

		pthread_mutex_lock(&pool->lock);
		while (!slot->done)
			pthread_cond_wait(&pool->done, &pool->lock);
		pthread_mutex_unlock(&pool->lock);
		if (!print_slot(slot, pool->paths[i]))
			status = 1;
		pthread_mutex_lock(&pool->lock);
		slot->done = false;
		pool->printed++;
		pthread_cond_broadcast(&pool->room);
		pthread_mutex_unlock(&pool->lock);
	}
	while (nthreads)
		pthread_join(threads[--nthreads], NULL);
	return status;
}

int cmd__inspect(int argc, char **argv)
{
	struct inspect_pool pool = {
	    .lock = PTHREAD_MUTEX_INITIALIZER,
	    .done = PTHREAD_COND_INITIALIZER,
	    .room = PTHREAD_COND_INITIALIZER,
	};
	const char *trust_paths[16];
	struct authenticode_trust *trust;
	unsigned int flags = 0;
	size_t ntrust = 0;
	int i, status, err = 0;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--no-hash")) {
			flags |= IDENTITY_NO_HASH;
		} else if (!strcmp(argv[i], "--trust-store")) {
			if (i + 1 >= argc ||
			    ntrust == sizeof(trust_paths) / sizeof(trust_paths[0])) {
				pr_err("inspect: --trust-store needs a PATH (at most %zu)",
				       sizeof(trust_paths) / sizeof(trust_paths[0]));
				usage(stderr);
				return 2;
			}
			trust_paths[ntrust++] = argv[++i];
		} else if (!strcmp(argv[i], "--root")) {
			if (i + 1 >= argc) {
				pr_err("inspect: --root needs a DIR");
				usage(stderr);
				return 2;
			}
			pool.root = argv[++i];
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			pr_err("inspect: unknown option '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	pool.paths = argv + i;
	pool.npaths = argc - i;
	pool.flags = flags;
	/* Package lookups resolve paths in the host's own root, or in --root's. */
	pool.root_fd = open(pool.root ? pool.root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pool.root && pool.root_fd < 0) {
		pr_err("inspect: cannot open --root %s: %s", pool.root, strerror(errno));
		return 2;
	}
	if (pool.root) {
		for (int k = i; k < argc; k++) {
			if (argv[k][0] != '/') {
				pr_err("inspect: with --root, PATH must be absolute: %s", argv[k]);
				close(pool.root_fd);
				return 2;
			}
		}
	}
	/* The system's roots and --trust-store's: a file that cannot chain is reported untrusted.
	 */
	trust = authenticode_trust__new(trust_paths, ntrust, &err);
	if (!trust && ntrust) {
		pr_err("inspect: cannot load --trust-store: %s", strerror(-err));
		if (pool.root_fd >= 0)
			close(pool.root_fd);
		return 2;
	}
	if (!trust)
		pr_warn("inspect: no trust store: no signature will be trusted");
	pool.trust = trust;
	for (i = 0; i < INSPECT_WINDOW; i++)
		jw__init(&pool.slot[i].w);
	status = inspect_all(&pool);
	fflush(stdout);
	for (i = 0; i < INSPECT_WINDOW; i++)
		jw__free(&pool.slot[i].w);
	if (pool.root_fd >= 0)
		close(pool.root_fd);
	authenticode_trust__free(trust);
	return status;
}
