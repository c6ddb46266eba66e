// SPDX-License-Identifier: MIT
/* The ELF package-metadata note: binaries linked at test time, and hand-made images. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identity/elfnote.h"
#include "pkg_tree.h"

struct fx {
	char dir[PATH_MAX];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tree_new(fx->dir, sizeof(fx->dir));
	tree_puts(fx->dir, "main.c", "int main(void) { return 0; }\n");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	tree_remove(fx->dir);
	free(fx);
	return 0;
}

/* Links main.c into @name, with `ld --package-metadata=@json` unless @json is NULL. */
static int link_exe(const struct fx *fx, const char *name, const char *json)
{
	char cmd[PATH_MAX * 3];

	snprintf(cmd, sizeof(cmd), "gcc -o '%s/%s' '%s/main.c'%s%s%s", fx->dir, name, fx->dir,
		 json ? " -Xlinker '--package-metadata=" : "", json ? json : "", json ? "'" : "");
	return system(cmd);
}

static int open_in(const struct fx *fx, const char *name)
{
	char p[PATH_MAX];
	int fd;

	tree_path(p, sizeof(p), fx->dir, name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static char *slurp(const struct fx *fx, const char *name, size_t *len)
{
	int fd = open_in(fx, name);
	struct stat st;
	char *buf;

	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void read_fd__linked_note__name_version_os(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	int fd;

	assert_int_equal(link_exe(fx, "noted",
				  "{\"type\":\"deb\",\"name\":\"rmmtest\","
				  "\"version\":\"1.2.3\",\"os\":\"debian\"}"),
			 0);
	fd = open_in(fx, "noted");
	assert_int_equal(elfnote__read_fd(fd, &pi), 0);
	assert_string_equal(pi.name, "rmmtest");
	assert_string_equal(pi.version, "1.2.3");
	assert_string_equal(pi.vendor, "debian");
	assert_string_equal(pi.source, "elf-note");
	close(fd);
}

static void read_fd__vendor_key__preferred_to_os(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	int fd;

	assert_int_equal(link_exe(fx, "vendored",
				  "{\"type\":\"rpm\",\"name\":\"agent\",\"version\":\"7\","
				  "\"os\":\"fedora\",\"vendor\":\"Atera Networks\"}"),
			 0);
	fd = open_in(fx, "vendored");
	assert_int_equal(elfnote__read_fd(fd, &pi), 0);
	assert_string_equal(pi.vendor, "Atera Networks");
	assert_string_equal(pi.name, "agent");
	close(fd);
}

static void read_fd__no_note_script_or_dir__enoent(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	int fd;

	assert_int_equal(link_exe(fx, "plain", NULL), 0);
	fd = open_in(fx, "plain");
	assert_int_equal(elfnote__read_fd(fd, &pi), -ENOENT);
	close(fd);
	tree_puts(fx->dir, "script.sh", "#!/bin/sh\necho hi\n");
	fd = open_in(fx, "script.sh");
	assert_int_equal(elfnote__read_fd(fd, &pi), -ENOENT);
	close(fd);
	tree_puts(fx->dir, "empty", "");
	fd = open_in(fx, "empty");
	assert_int_equal(elfnote__read_fd(fd, &pi), -ENOENT);
	close(fd);
	fd = open(fx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(elfnote__read_fd(fd, &pi), -ENOENT);
	close(fd);
}

static void read_mem__every_truncation__no_overread(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	size_t len, found_at = 0;
	char *full;

	assert_int_equal(link_exe(fx, "noted", "{\"name\":\"cut\",\"version\":\"1\"}"), 0);
	full = slurp(fx, "noted", &len);
	assert_int_equal(elfnote__read_mem(full, len, &pi), 0);
	assert_string_equal(pi.vendor, ""); /* neither vendor nor os */
	/* Each prefix in its own allocation, so ASan sees any read past its end. */
	for (size_t n = 0; n < 4096 && n < len; n++) {
		char *cut = malloc(n ? n : 1);

		memcpy(cut, full, n);
		if (!elfnote__read_mem(cut, n, &pi) && !found_at)
			found_at = n;
		free(cut);
	}
	/* Found once the note's segment is whole, and not before. */
	assert_true(found_at > sizeof(Elf64_Ehdr));
	free(full);
}

/* A hand-made ELF image: header, one PT_NOTE, the note. */
struct image {
	unsigned char b[1024];
	size_t len;
};

static void put16(unsigned char *p, uint16_t v, bool be)
{
	p[be ? 0 : 1] = (unsigned char)(v >> 8);
	p[be ? 1 : 0] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

/* An ELF32 image with the note fields given (namesz, descsz, type as stored). */
static void make_elf32(struct image *im, bool be, uint32_t namesz, uint32_t descsz, uint32_t type,
		       const char *json)
{
	size_t note_off = sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr);
	size_t jlen = strlen(json), seg = 12 + 4 + ((jlen + 1 + 3) & ~3u);
	unsigned char *e = im->b, *ph = im->b + sizeof(Elf32_Ehdr), *n = im->b + note_off;

	memset(im, 0, sizeof(*im));
	memcpy(e, ELFMAG, SELFMAG);
	e[EI_CLASS] = ELFCLASS32;
	e[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	e[EI_VERSION] = EV_CURRENT;
	put16(e + offsetof(Elf32_Ehdr, e_type), ET_EXEC, be);
	put32(e + offsetof(Elf32_Ehdr, e_phoff), sizeof(Elf32_Ehdr), be);
	put16(e + offsetof(Elf32_Ehdr, e_phentsize), sizeof(Elf32_Phdr), be);
	put16(e + offsetof(Elf32_Ehdr, e_phnum), 1, be);
	put32(ph + offsetof(Elf32_Phdr, p_type), PT_NOTE, be);
	put32(ph + offsetof(Elf32_Phdr, p_offset), (uint32_t)note_off, be);
	put32(ph + offsetof(Elf32_Phdr, p_filesz), (uint32_t)seg, be);
	put32(ph + offsetof(Elf32_Phdr, p_align), 4, be);
	put32(n, namesz, be);
	put32(n + 4, descsz, be);
	put32(n + 8, type, be);
	memcpy(n + 12, "FDO", 4);
	memcpy(n + 16, json, jlen);
	im->len = note_off + seg;
}

static void read_mem__elf32_big_endian__parsed(void **state)
{
	const char *json = "{\"name\":\"mips-tool\",\"version\":\"2\",\"os\":\"openwrt\"}";
	uint32_t dsz = (uint32_t)strlen(json) + 1;
	struct image im;
	struct pkg_info pi;

	make_elf32(&im, true, 4, dsz, ELFNOTE_TYPE_FDO_PACKAGE, json);
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), 0);
	assert_string_equal(pi.name, "mips-tool");
	assert_string_equal(pi.vendor, "openwrt");
	make_elf32(&im, false, 4, dsz, ELFNOTE_TYPE_FDO_PACKAGE, json);
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), 0);
	assert_string_equal(pi.version, "2");
}

static void read_mem__malformed_notes__enoent(void **state)
{
	const char *json = "{\"name\":\"x\"}";
	uint32_t dsz = (uint32_t)strlen(json) + 1;
	struct image im;
	struct pkg_info pi;

	make_elf32(&im, false, 0xfffffff0u, dsz, ELFNOTE_TYPE_FDO_PACKAGE, json);
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), -ENOENT);
	make_elf32(&im, false, 4, 0xfffffffcu, ELFNOTE_TYPE_FDO_PACKAGE, json);
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), -ENOENT);
	make_elf32(&im, false, 4, dsz, 0x1234, json); /* another type */
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), -ENOENT);
	make_elf32(&im, false, 4, 8, ELFNOTE_TYPE_FDO_PACKAGE, "not json");
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), -ENOENT);
	/* A segment claiming to lie past the end of the file. */
	make_elf32(&im, false, 4, dsz, ELFNOTE_TYPE_FDO_PACKAGE, json);
	put32(im.b + sizeof(Elf32_Ehdr) + offsetof(Elf32_Phdr, p_offset), 0xffffff00u, false);
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), -ENOENT);
	/* More program headers than the file holds. */
	make_elf32(&im, false, 4, dsz, ELFNOTE_TYPE_FDO_PACKAGE, json);
	put16(im.b + offsetof(Elf32_Ehdr, e_phnum), 1000, false);
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), 0);
	put16(im.b + offsetof(Elf32_Ehdr, e_phnum), 0xffff, false);
	assert_int_equal(elfnote__read_mem(im.b, im.len, &pi), -ENOENT);
}

static void parse_json__fields__mapped_and_bounded(void **state)
{
	char big[600], json[700];
	struct pkg_info pi;
	const char ok[] = "{\"name\":\"n\",\"version\":\"v\",\"os\":\"o\"}\0\0\0";

	assert_int_equal(elfnote__parse_json(ok, sizeof(ok), &pi), 0);
	assert_string_equal(pi.vendor, "o");
	assert_int_equal(elfnote__parse_json("[1]", 3, &pi), -EINVAL);
	assert_int_equal(elfnote__parse_json("{\"version\":\"1\"}", 15, &pi), -EINVAL);
	assert_int_equal(elfnote__parse_json("{\"name\":\"a\",\"name\":\"b\"}", 23, &pi), -EINVAL);
	assert_int_equal(elfnote__parse_json("{\"name\":\"a\",\"version\":3}", 24, &pi), 0);
	assert_string_equal(pi.version, "");
	/* A name longer than the field, in two-byte characters: cut on a boundary. */
	for (size_t i = 0; i < 300; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[600 - 1] = '\0';
	snprintf(json, sizeof(json), "{\"name\":\"xy%.*s\"}", 598, big);
	assert_int_equal(elfnote__parse_json(json, strlen(json), &pi), 0);
	assert_int_equal(strlen(pi.name), PKG_FIELD_MAX - 2); /* "xy" + 126 "é" */
	assert_int_equal((unsigned char)pi.name[PKG_FIELD_MAX - 3], 0xa9);
	/* Control characters cannot reach the output. */
	assert_int_equal(elfnote__parse_json("{\"name\":\"a\\nb\\u0007c\"}", 22, &pi), 0);
	assert_string_equal(pi.name, "a b c");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(read_fd__linked_note__name_version_os),
	    T(read_fd__vendor_key__preferred_to_os),
	    T(read_fd__no_note_script_or_dir__enoent),
	    T(read_mem__every_truncation__no_overread),
	    T(read_mem__elf32_big_endian__parsed),
	    T(read_mem__malformed_notes__enoent),
	    cmocka_unit_test(parse_json__fields__mapped_and_bounded),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
