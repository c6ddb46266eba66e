// SPDX-License-Identifier: MIT
/* identity.c and hash.c: columns, cache keys, LRU, special files, packages. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "event.h"
#include "identity/hash.h"
#include "identity/identity.h"
#include "identity/package.h"
#include "identity/probe.h"
#include "pe_builder.h"

#define ABC_SHA1   "a9993e364706816aba3e25717850c26c9cd0d89d"
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char dir[] = "/tmp/test_identity.XXXXXX";
static uint8_t img[PB_MAX_IMG];

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Writes @len bytes to @name under the test dir (replacing it in place). */
static void write_file(const char *name, const void *data, size_t len)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static int open_file(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	assert_true(fd >= 0);
	return fd;
}

/* A PE32+ image whose only string table says CompanyName = @company. */
static size_t pe_image(const char *company)
{
	struct pe_opts o = {0};
	static struct vblob b;
	struct vblob *bp = &b;
	size_t root, sfi, t;

	vb_init(&b, pb_blob_rva(&o, 0));
	root = vb_root(&b, "VS_VERSION_INFO");
	sfi = vb_begin(&b, "StringFileInfo");
	t = vb_begin(&b, "040904b0");
	vb_string(&b, "CompanyName", company);
	vb_string(&b, "ProductName", "AteraAgent");
	vb_string(&b, "OriginalFilename", "AteraAgent.exe");
	vb_end(&b, t, 0, 0, 1);
	vb_end(&b, sfi, 0, 0, 1);
	vb_end(&b, root, 0, 52, 0);
	return pe_build(img, &o, &bp, 1);
}

static void assert_str(const struct event *e, enum field_id id, const char *want)
{
	if (!want) {
		assert_false(event__isset(e, id));
		return;
	}
	assert_true(event__isset(e, id));
	assert_string_equal(event__str(e, id), want);
}

static void hash__abc_and_limits(void **state)
{
	char sha1[HASH_SHA1_HEX], sha256[HASH_SHA256_HEX];
	int fd;

	write_file("abc", "abc", 3);
	fd = open_file("abc");
	assert_int_equal(hash__fd(fd, 3, HASH_MAX_SIZE, sha1, sha256), 0);
	assert_string_equal(sha1, ABC_SHA1);
	assert_string_equal(sha256, ABC_SHA256);
	assert_int_equal(hash__fd(fd, 3, 2, sha1, sha256), -EFBIG);
	/* The file is shorter than its stat said: it changed under us. */
	assert_int_equal(hash__fd(fd, 4, HASH_MAX_SIZE, sha1, sha256), -ENODATA);
	close(fd);
}

static void fill__pe__version_columns_hashes_and_size(void **state)
{
	struct identity_cache *c = identity_cache__new(16);
	size_t len = pe_image("Atera Networks Ltd.");
	struct event e;
	int fd;

	event__init(&e);
	write_file("agent.exe", img, len);
	fd = open_file("agent.exe");
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "/agent.exe", &e), 0);
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Atera Networks Ltd.");
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME, "AteraAgent");
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_ORIGINAL_FILE_NAME, "AteraAgent.exe");
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_FILE_VERSION, NULL);
	assert_str(&e, FIELD_VERSION_INFO_SOURCE, "pe");
	assert_int_equal(event__list_count(&e, FIELD_VERSION_INFO_COMPANY_NAMES), 1);
	assert_string_equal(event__list_next(&e, FIELD_VERSION_INFO_COMPANY_NAMES, NULL),
			    "Atera Networks Ltd.");
	assert_int_equal(event__str_len(&e, FIELD_SHA1), 40);
	assert_int_equal(event__str_len(&e, FIELD_SHA256), 64);
	assert_int_equal(event__long(&e, FIELD_FILE_SIZE), len);
	close(fd);
	event__free(&e);
	identity_cache__free(c);
}

/* A hit fills exactly what the miss filled, and overwrites stale columns. */
static void fill__same_file_twice__hit_gives_identical_columns(void **state)
{
	struct identity_cache *c = identity_cache__new(16);
	struct identity_stats st;
	struct event miss, hit;
	int fd;

	event__init(&miss);
	event__init(&hit);
	write_file("agent.exe", img, pe_image("Atera Networks Ltd."));
	fd = open_file("agent.exe");
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "/agent.exe", &miss), 0);
	event__set_str(&hit, FIELD_PROCESS_VERSION_INFO_FILE_VERSION, "stale");
	event__set_str(&hit, FIELD_DEVICE_NAME, "host"); /* not an identity column */
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "/agent.exe", &hit), 0);
	for (int id = 0; id < FIELD__COUNT; id++) {
		if (id == FIELD_DEVICE_NAME)
			continue;
		assert_int_equal(event__isset(&miss, id), event__isset(&hit, id));
		if (event_fields[id].type == FT_STRING && event__isset(&miss, id))
			assert_string_equal(event__str(&miss, id), event__str(&hit, id));
	}
	assert_str(&hit, FIELD_DEVICE_NAME, "host");
	assert_int_equal(event__long(&hit, FIELD_FILE_SIZE), event__long(&miss, FIELD_FILE_SIZE));
	assert_string_equal(event__list_next(&hit, FIELD_VERSION_INFO_COMPANY_NAMES, NULL),
			    "Atera Networks Ltd.");
	identity_cache__stats(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.errors, 0);
	close(fd);
	event__free(&miss);
	event__free(&hit);
	identity_cache__free(c);
}

static void fill__file_rewritten__read_again(void **state)
{
	struct identity_cache *c = identity_cache__new(16);
	struct identity_stats st;
	struct event e;
	int fd;

	event__init(&e);
	write_file("agent.exe", img, pe_image("Contoso Ltd."));
	fd = open_file("agent.exe");
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "/agent.exe", &e), 0);
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Contoso Ltd.");
	/*
	 * Same inode, same size, new content: only the ctime tells. Timestamps
	 * may be as coarse as a jiffy: step past one.
	 */
	usleep(20000);
	write_file("agent.exe", img, pe_image("Atera Ltd..."));
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "/agent.exe", &e), 0);
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Atera Ltd...");
	identity_cache__stats(c, &st);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.hits, 0);
	close(fd);
	event__free(&e);
	identity_cache__free(c);
}

static void fill__more_files_than_entries__least_recent_evicted(void **state)
{
	struct identity_cache *c = identity_cache__new(2);
	const char *names[] = {"a", "b", "c"};
	struct identity_stats st;
	struct event e;
	int fd[3];

	event__init(&e);
	for (int i = 0; i < 3; i++) {
		write_file(names[i], names[i], 1);
		fd[i] = open_file(names[i]);
	}
	for (int i = 0; i < 3; i++) /* a b c: a is evicted */
		assert_int_equal(identity__fill(c, fd[i], AT_FDCWD, names[i], &e), 0);
	identity_cache__stats(c, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(identity__fill(c, fd[1], AT_FDCWD, "b", &e), 0); /* hit: b c */
	assert_int_equal(identity__fill(c, fd[0], AT_FDCWD, "a", &e), 0); /* miss: a b */
	assert_int_equal(identity__fill(c, fd[1], AT_FDCWD, "b", &e), 0); /* hit */
	assert_int_equal(identity__fill(c, fd[2], AT_FDCWD, "c", &e), 0); /* miss */
	identity_cache__stats(c, &st);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 5);
	assert_int_equal(st.entries, 2);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	event__free(&e);
	identity_cache__free(c);
}

static void fill__fifo_and_device__refused_without_reading(void **state)
{
	struct identity_cache *c = identity_cache__new(16);
	struct identity_stats st;
	char path[128];
	struct event e;
	int fd;

	event__init(&e);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(fd >= 0);
	/* With no writer a read would block (were the fd blocking) or see EOF. */
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, path, &e), -EINVAL);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "/dev/zero", &e), -EINVAL);
	close(fd);
	assert_false(event__isset(&e, FIELD_FILE_SIZE));
	assert_false(event__isset(&e, FIELD_SHA256));
	identity_cache__stats(c, &st);
	assert_int_equal(st.errors, 2);
	assert_int_equal(st.entries, 0);
	assert_int_equal(identity__fill(c, 12345, AT_FDCWD, "closed", &e), -EBADF);
	event__free(&e);
	identity_cache__free(c);
}

static void fill__unowned_elf__no_version_no_source(void **state)
{
	struct identity_cache *c = identity_cache__new(16);
	static const char elf[] = "\x7f"
				  "ELF\2\1\1\0junk";
	struct identity_probe p;
	struct stat st;
	struct event e;
	int fd;

	event__init(&e);
	write_file("tool", elf, sizeof(elf));
	fd = open_file("tool");
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "/tool", &e), 0);
	for (int id = FIELD_PROCESS_VERSION_INFO_COMPANY_NAME; id <= FIELD_VERSION_INFO_SOURCE;
	     id++)
		assert_false(event__isset(&e, id));
	assert_true(event__isset(&e, FIELD_SHA256));
	assert_int_equal(event__long(&e, FIELD_FILE_SIZE), sizeof(elf));
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(identity__probe(fd, &st, AT_FDCWD, "/tool", 0, &e, &p), 0);
	assert_int_equal(p.type, FILE_TYPE_ELF);
	assert_null(p.error);
	close(fd);
	event__free(&e);
	identity_cache__free(c);
}

static int fake_root_fd;
static const char *fake_path;
static int fake_err;

static int fake_lookup(int root_fd, const char *path, int exe_fd, struct pkg_info *out,
		       struct pkg_sigs *sigs)
{
	char head[2];

	fake_root_fd = root_fd;
	fake_path = path;
	/* The exe fd is the one the identity reads. */
	assert_int_equal(pread(exe_fd, head, 2, 0), 2);
	if (fake_err)
		return fake_err;
	strcpy(out->vendor, "Debian");
	strcpy(out->name, "coreutils");
	strcpy(out->version, "9.1-1");
	out->source = "dpkg";
	return 0;
}

/* The hooks around the package lookup: what fill_in's caller sees of it. */
static int entered, left, enter_err;

static int enter_db(void *ctx)
{
	entered++;
	return enter_err;
}

static void leave_db(void *ctx)
{
	left++;
}

static void fill_in__root_refused__no_package_not_cached(void **state)
{
	struct identity_cache *c = identity_cache__new(16);
	struct identity_root root = {
	    .fd = 42, .path = "/usr/bin/ls", .enter = enter_db, .leave = leave_db};
	struct event e;
	int fd;

	event__init(&e);
	identity__set_package_lookup(fake_lookup);
	write_file("ls2",
		   "\x7f"
		   "ELF",
		   4);
	fd = open_file("ls2");
	/* its root is not answering: the rest is read, not the package */
	entered = left = 0;
	enter_err = -EBUSY;
	fake_root_fd = -1;
	assert_int_equal(identity__fill_in(c, fd, &root, &e, NULL), 0);
	assert_int_equal(root.skipped, -EBUSY);
	assert_true(entered == 1 && left == 0);
	assert_int_equal(fake_root_fd, -1); /* never looked up */
	assert_true(event__isset(&e, FIELD_SHA256));
	assert_str(&e, FIELD_VERSION_INFO_SOURCE, NULL);
	/* not cached: the next fill looks again, between enter and leave */
	enter_err = 0;
	assert_int_equal(identity__fill_in(c, fd, &root, &e, NULL), 0);
	assert_int_equal(root.skipped, 0);
	assert_true(entered == 2 && left == 1);
	assert_int_equal(fake_root_fd, 42);
	assert_str(&e, FIELD_VERSION_INFO_SOURCE, "dpkg");
	assert_true(event__isset(&e, FIELD_SHA256));
	close(fd);

	identity__set_package_lookup(NULL);
	event__free(&e);
	identity_cache__free(c);
}

static void fill__owned_elf_and_script__package_mapped(void **state)
{
	struct identity_cache *c = identity_cache__new(16);
	struct identity_probe p;
	struct stat st;
	struct event e;
	int fd;

	event__init(&e);
	identity__set_package_lookup(fake_lookup);
	write_file("ls",
		   "\x7f"
		   "ELF",
		   4);
	fd = open_file("ls");
	assert_int_equal(identity__fill(c, fd, 42, "/usr/bin/ls", &e), 0);
	assert_int_equal(fake_root_fd, 42);
	assert_string_equal(fake_path, "/usr/bin/ls");
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Debian");
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME, "coreutils");
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_PRODUCT_VERSION, "9.1-1");
	assert_str(&e, FIELD_VERSION_INFO_SOURCE, "dpkg");
	assert_int_equal(event__list_count(&e, FIELD_VERSION_INFO_COMPANY_NAMES), 1);
	assert_string_equal(event__list_next(&e, FIELD_VERSION_INFO_COMPANY_NAMES, NULL), "Debian");
	assert_str(&e, FIELD_PROCESS_VERSION_INFO_FILE_VERSION, NULL);
	close(fd);

	write_file("run.sh", "#!/bin/sh\n", 10);
	fd = open_file("run.sh");
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(identity__probe(fd, &st, 7, "/usr/bin/run.sh", 0, &e, &p), 0);
	assert_int_equal(p.type, FILE_TYPE_SCRIPT);
	assert_str(&e, FIELD_VERSION_INFO_SOURCE, "dpkg");
	/* A failed lookup is not a failed read: no package columns, still 0. */
	fake_err = -EIO;
	assert_int_equal(identity__probe(fd, &st, 7, "/usr/bin/run.sh", 0, &e, &p), 0);
	assert_str(&e, FIELD_VERSION_INFO_SOURCE, NULL);
	assert_true(event__isset(&e, FIELD_SHA1));
	fake_err = 0;
	assert_int_equal(identity__probe(fd, &st, 7, "/usr/bin/run.sh", IDENTITY_NO_HASH, &e, &p),
			 0);
	assert_false(event__isset(&e, FIELD_SHA1));
	assert_int_equal(event__long(&e, FIELD_FILE_SIZE), 10);
	close(fd);

	identity__set_package_lookup(NULL);
	event__free(&e);
	identity_cache__free(c);
}

/* An rpm package signed by a key the rpmdb holds, as rpm__lookup_signed reports it. */
static int signed_lookup(int root_fd, const char *path, int exe_fd, struct pkg_info *out,
			 struct pkg_sigs *sigs)
{
	fake_lookup(root_fd, path, exe_fd, out, sigs);
	out->source = "rpm";
	if (!sigs)
		return 0;
	memset(sigs, 0, sizeof(*sigs));
	sigs->n = 2;
	sigs->sig[0] = (struct pkg_sig){.is_signed = true,
					.has_key = true,
					.has_created = true,
					.created = 1700000000,
					.digest_alg = "SHA256",
					.keyid = "fed2fb4701ce6a47",
					.fingerprint = "b84ba01a9b0d9116c134960bfed2fb4701ce6a47",
					.signer = "Atera Networks <rpm@atera.test>",
					.issuer = "Atera Networks <rpm@atera.test>",
					.issuer_fpr = "b84ba01a9b0d9116c134960bfed2fb4701ce6a47"};
	sigs->sig[1] =
	    (struct pkg_sig){.reason = "key not in the rpmdb", .keyid = "0123456789abcdef"};
	return 0;
}

static void fill_in__signed_rpm_package__certificate_record_cached(void **state)
{
	struct identity_cache *c = identity_cache__new(16);
	struct identity_root root = {.fd = 42, .path = "/usr/bin/agent"};
	struct event e, cert;
	struct stat st;
	int fd;

	event__init(&e);
	event__init(&cert);
	identity__set_package_lookup(signed_lookup);
	write_file("agent",
		   "\x7f"
		   "ELF",
		   4);
	fd = open_file("agent");
	assert_int_equal(identity__fill_in(c, fd, &root, &e, &cert), 0);
	assert_str(&e, FIELD_VERSION_INFO_SOURCE, "rpm");
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(cert.table, TABLE_CERTIFICATE);
		assert_int_equal(event__long(&cert, CERT_IS_SIGNED), 1);
		assert_string_equal(event__str(&cert, CERT_SIGNATURE_TYPE), "Package");
		assert_string_equal(event__str(&cert, CERT_SIGNER),
				    "Atera Networks <rpm@atera.test>");
		assert_string_equal(event__str(&cert, CERT_SIGNER_HASH),
				    "b84ba01a9b0d9116c134960bfed2fb4701ce6a47");
		assert_string_equal(event__str(&cert, CERT_CERTIFICATE_SERIAL_NUMBER),
				    "fed2fb4701ce6a47");
		assert_int_equal(event__long(&cert, CERT_CERTIFICATE_CREATION_TIME),
				 1700000000ll * 1000000);
		assert_string_equal(event__str(&cert, CERT_SHA1), event__str(&e, FIELD_SHA1));
		/* the second signature, whose key is not there, is listed beside it */
		assert_non_null(strstr(event__str(&cert, CERT_NESTED_SIGNATURES),
				       "\"CertificateSerialNumber\":\"0123456789abcdef\""));
		assert_int_equal(event__list_count(&cert, CERT_SIGNERS), 1);
		/* the second time from the cache, with the same columns */
		assert_int_equal(fstat(fd, &st), 0);
		event__reset_table(&cert, TABLE_CERTIFICATE);
		assert_int_equal(identity__fill_cached(c, &st, &e, &cert), 0);
	}
	close(fd);

	/* without a signature: no certificate columns */
	identity__set_package_lookup(fake_lookup);
	write_file("agent2",
		   "\x7f"
		   "ELF",
		   4);
	fd = open_file("agent2");
	assert_int_equal(identity__fill_in(c, fd, &root, &e, &cert), 0);
	assert_false(event__isset(&cert, CERT_SIGNATURE_TYPE));
	close(fd);

	identity__set_package_lookup(NULL);
	event__free(&cert);
	event__free(&e);
	identity_cache__free(c);
}

static void fill__over_hash_limit__size_but_no_hashes(void **state)
{
	struct identity_cache *c = identity_cache__new(0); /* caching off */
	struct identity_stats st;
	struct event e;
	int fd;

	event__init(&e);
	write_file("big", "x", 1);
	fd = open_file("big");
	close(fd);
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/big", dir);
		assert_int_equal(truncate(path, HASH_MAX_SIZE + 1), 0); /* sparse */
	}
	fd = open_file("big");
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "big", &e), 0);
	assert_int_equal(event__long(&e, FIELD_FILE_SIZE), HASH_MAX_SIZE + 1);
	assert_false(event__isset(&e, FIELD_SHA1));
	assert_false(event__isset(&e, FIELD_SHA256));
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, "big", &e), 0);
	identity_cache__stats(c, &st);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.entries, 0);
	close(fd);
	event__free(&e);
	identity_cache__free(c);
	identity_cache__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hash__abc_and_limits),
	    cmocka_unit_test(fill__pe__version_columns_hashes_and_size),
	    cmocka_unit_test(fill__same_file_twice__hit_gives_identical_columns),
	    cmocka_unit_test(fill__file_rewritten__read_again),
	    cmocka_unit_test(fill__more_files_than_entries__least_recent_evicted),
	    cmocka_unit_test(fill__fifo_and_device__refused_without_reading),
	    cmocka_unit_test(fill__unowned_elf__no_version_no_source),
	    cmocka_unit_test(fill__owned_elf_and_script__package_mapped),
	    cmocka_unit_test(fill_in__root_refused__no_package_not_cached),
	    cmocka_unit_test(fill_in__signed_rpm_package__certificate_record_cached),
	    cmocka_unit_test(fill__over_hash_limit__size_but_no_hashes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
