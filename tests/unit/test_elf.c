// SPDX-License-Identifier: MIT
/* identity/elf.c: hand-made images of both classes and byte orders, in memory and in a file. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "elf_builder.h"
#include "identity/elf.h"

/* What every image from eb_build() must read back as, whatever its class and byte order. */
static void check_image(const struct elf_image *img, const struct eb_layout *l, bool is64)
{
	struct elf_segment seg;
	struct elf_section sec;
	struct elf_symbol sym;
	unsigned char buf[64];

	assert_int_equal(img->is64, is64);
	assert_int_equal(img->phnum, 2);
	assert_int_equal(img->shnum, 3);
	assert_int_equal(img->phoff, l->phoff);
	assert_int_equal(img->shoff, l->shoff);

	assert_int_equal(elf__segment(img, 0, &seg), 0);
	assert_int_equal(seg.type, PT_LOAD);
	assert_int_equal(seg.filesz, l->size);
	assert_int_equal(seg.align, 0x1000);
	assert_int_equal(elf__segment(img, 1, &seg), 0);
	assert_int_equal(seg.type, PT_NOTE);
	assert_int_equal(seg.offset, 0x40);
	assert_int_equal(seg.filesz, 0x10);
	assert_int_equal(seg.align, 8);
	assert_int_equal(elf__segment(img, 2, &seg), -ENOEXEC);

	assert_int_equal(elf__section(img, 1, &sec), 0);
	assert_int_equal(sec.type, SHT_DYNSYM);
	assert_int_equal(sec.link, 2);
	assert_int_equal(sec.offset, l->symoff);
	assert_int_equal(sec.size, 2 * l->symsize);
	assert_int_equal(elf__section(img, 2, &sec), 0);
	assert_int_equal(sec.type, SHT_STRTAB);
	assert_int_equal(sec.size, sizeof(eb_strtab));
	assert_int_equal(elf__section(img, 3, &sec), -ENOEXEC);

	assert_int_equal(elf__symbol_size(img), l->symsize);
	assert_int_equal(elf__read(img, l->symoff + l->symsize, buf, l->symsize), 0);
	elf__symbol(img, buf, &sym);
	assert_int_equal(sym.name, 1);
	assert_int_equal(sym.shndx, 7);
	assert_int_equal(elf__read(img, l->stroff, buf, sizeof(eb_strtab)), 0);
	assert_memory_equal(buf, eb_strtab, sizeof(eb_strtab));
	/* the last byte, and one past it */
	assert_int_equal(elf__read(img, l->size - 1, buf, 1), 0);
	assert_int_equal(elf__read(img, l->size - 1, buf, 2), -ENOEXEC);
	assert_int_equal(elf__read(img, UINT64_MAX, buf, 1), -ENOEXEC);
}

static const struct {
	bool is64, be;
} kinds[] = {{true, false}, {true, true}, {false, false}, {false, true}};

static void elf_open_mem__each_class_and_byte_order__fields_read_back(void **state)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct elf_image img;
		struct eb_layout l;
		unsigned char *buf = eb_build(kinds[k].is64, kinds[k].be, 0, &l);

		assert_int_equal(elf__open_mem(&img, buf, l.size), 0);
		assert_int_equal(img.swap,
				 kinds[k].be == (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__));
		check_image(&img, &l, kinds[k].is64);
		free(buf);
	}
}

static int memfd_with(const void *buf, size_t len)
{
	int fd = memfd_create("elf", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	return fd;
}

static void elf_open_fd__each_class_and_byte_order__same_as_in_memory(void **state)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct elf_image img;
		struct eb_layout l;
		unsigned char *buf = eb_build(kinds[k].is64, kinds[k].be, 0, &l);
		int fd = memfd_with(buf, l.size);

		assert_int_equal(elf__open_fd(&img, fd, l.size), 0);
		check_image(&img, &l, kinds[k].is64);
		close(fd);
		free(buf);
	}
}

static void elf_open__not_elf__enoexec(void **state)
{
	struct elf_image img;
	struct eb_layout l;
	unsigned char *buf = eb_build(true, false, 0, &l);

	assert_int_equal(elf__open_mem(&img, "#!/bin/sh\n", 10), -ENOEXEC);
	assert_int_equal(elf__open_mem(&img, buf, 0), -ENOEXEC);
	/* the identification only, or all but the last byte of the header */
	assert_int_equal(elf__open_mem(&img, buf, EI_NIDENT), -ENOEXEC);
	assert_int_equal(elf__open_mem(&img, buf, sizeof(Elf64_Ehdr) - 1), -ENOEXEC);
	assert_int_equal(elf__open_mem(&img, buf, sizeof(Elf64_Ehdr)), 0);
	buf[EI_CLASS] = ELFCLASSNONE;
	assert_int_equal(elf__open_mem(&img, buf, l.size), -ENOEXEC);
	buf[EI_CLASS] = ELFCLASS64;
	buf[EI_DATA] = 3;
	assert_int_equal(elf__open_mem(&img, buf, l.size), -ENOEXEC);
	buf[EI_DATA] = ELFDATA2LSB;
	buf[1] = 'e';
	assert_int_equal(elf__open_mem(&img, buf, l.size), -ENOEXEC);
	free(buf);
}

/* A larger e_phentsize / e_shentsize is the stride; a smaller one cannot be read. */
static void elf_tables__entry_size__stride_or_enoexec(void **state)
{
	struct elf_image img;
	struct elf_segment seg;
	struct elf_section sec;
	struct eb_layout l;
	unsigned char *buf = eb_build(false, true, 80, &l);

	assert_int_equal(elf__open_mem(&img, buf, l.size), 0);
	check_image(&img, &l, false);
	free(buf);

	buf = eb_build(true, false, 0, &l);
	eb_put(buf + offsetof(Elf64_Ehdr, e_phentsize), 2, sizeof(Elf64_Phdr) - 1, false);
	assert_int_equal(elf__open_mem(&img, buf, l.size), 0);
	assert_int_equal(elf__segment(&img, 0, &seg), -ENOEXEC);
	/* the section table is still readable */
	assert_int_equal(elf__section(&img, 1, &sec), 0);
	free(buf);
}

static void elf_tables__past_the_end__enoexec(void **state)
{
	struct elf_image img;
	struct elf_segment seg;
	struct elf_section sec;
	struct eb_layout l;
	unsigned char *buf = eb_build(true, true, 0, &l);

	/* cut inside the second section header */
	assert_int_equal(elf__open_mem(&img, buf, l.shoff + 2 * l.shentsize - 1), 0);
	assert_int_equal(elf__section(&img, 0, &sec), 0);
	assert_int_equal(elf__section(&img, 1, &sec), -ENOEXEC);
	/* the program header table at an offset that wraps */
	eb_put(buf + offsetof(Elf64_Ehdr, e_phoff), 8, UINT64_MAX - 8, true);
	assert_int_equal(elf__open_mem(&img, buf, l.size), 0);
	assert_int_equal(elf__segment(&img, 1, &seg), -ENOEXEC);
	free(buf);
}

static void elf_section__data_past_the_end__enoexec_but_nobits(void **state)
{
	struct elf_image img;
	struct elf_section sec;
	struct eb_layout l;
	unsigned char *buf = eb_build(true, false, 0, &l);
	unsigned char *sh = buf + l.shoff + 2 * l.shentsize;

	eb_put(sh + offsetof(Elf64_Shdr, sh_size), 8, l.size, false);
	assert_int_equal(elf__open_mem(&img, buf, l.size), 0);
	assert_int_equal(elf__section(&img, 2, &sec), -ENOEXEC);
	/* .bss-like: a size but no bytes in the file */
	eb_put(sh + offsetof(Elf64_Shdr, sh_type), 4, SHT_NOBITS, false);
	assert_int_equal(elf__section(&img, 2, &sec), 0);
	assert_int_equal(sec.type, SHT_NOBITS);
	assert_int_equal(sec.size, l.size);
	free(buf);
}

/* The file is shorter than the size given (it shrank after fstat): -ENODATA, no overread. */
static void elf_open_fd__file_shrank__enodata(void **state)
{
	struct elf_image img;
	struct elf_section sec;
	struct eb_layout l;
	unsigned char *buf = eb_build(true, false, 0, &l);
	int fd = memfd_with(buf, l.size);

	assert_int_equal(elf__open_fd(&img, fd, l.size), 0);
	assert_int_equal(ftruncate(fd, (off_t)l.shoff), 0);
	assert_int_equal(elf__section(&img, 1, &sec), -ENODATA);
	close(fd);
	free(buf);
}

/* The test binary itself: a real ELF of our own class and byte order. */
static void elf_open_fd__this_program__loadable_segments(void **state)
{
	struct elf_image img;
	struct elf_segment seg;
	struct stat st;
	bool load = false;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(elf__open_fd(&img, fd, (uint64_t)st.st_size), 0);
	assert_int_equal(img.is64, sizeof(void *) == 8);
	assert_false(img.swap);
	for (unsigned int i = 0; i < img.phnum; i++) {
		assert_int_equal(elf__segment(&img, i, &seg), 0);
		load |= seg.type == PT_LOAD;
	}
	assert_true(load);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(elf_open_mem__each_class_and_byte_order__fields_read_back),
	    cmocka_unit_test(elf_open_fd__each_class_and_byte_order__same_as_in_memory),
	    cmocka_unit_test(elf_open__not_elf__enoexec),
	    cmocka_unit_test(elf_tables__entry_size__stride_or_enoexec),
	    cmocka_unit_test(elf_tables__past_the_end__enoexec),
	    cmocka_unit_test(elf_section__data_past_the_end__enoexec_but_nobits),
	    cmocka_unit_test(elf_open_fd__file_shrank__enodata),
	    cmocka_unit_test(elf_open_fd__this_program__loadable_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
