/* SPDX-License-Identifier: MIT */
/*
 * ELF headers of an untrusted file (a descriptor, read with pread) or of a
 * whole file in memory: the identification, either class, either byte order,
 * and entries of the program and section header tables. Every offset the file
 * gives is checked against its size before it is read, so a hostile file can
 * make a read fail but never reach past its end.
 *
 * Errors: -ENOEXEC for what is not an ELF file this reads, or a header or
 * entry that does not fit in the file; -ENODATA when the file shrank under
 * us; another negative errno from pread.
 */
#ifndef RMMHUNT_ELF_H
#define RMMHUNT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_image {
	int fd;			  /* read with pread, or -1 when @mem holds the file */
	const unsigned char *mem; /* the whole file, or NULL */
	uint64_t size;
	bool is64;
	bool swap; /* the file's byte order is not ours */
	/* As the header gives them (PN_XNUM and SHN_XINDEX are not followed). */
	uint64_t phoff, shoff;
	unsigned int phnum, shnum;
	unsigned int phentsize, shentsize; /* the tables' strides */
};

/* The program header fields we use, for either class and byte order. */
struct elf_segment {
	uint32_t type;
	uint64_t offset, filesz, align;
};

/* The section header fields we use. */
struct elf_section {
	uint32_t type, link;
	uint64_t offset, size;
};

/* The symbol fields we use. */
struct elf_symbol {
	uint32_t name;
	uint16_t shndx;
};

/* Reads the ELF header of @fd, a file of @size bytes. 0 or a negative errno. */
int elf__open_fd(struct elf_image *img, int fd, uint64_t size);
/* The same for @len bytes at @buf, which must outlive @img. */
int elf__open_mem(struct elf_image *img, const void *buf, size_t len);

/* @n bytes at @off of the file: -ENOEXEC when they are not all inside it. */
int elf__read(const struct elf_image *img, uint64_t off, void *dst, size_t n);

/* Program header @i: -ENOEXEC past e_phnum, past the end of the file, or when the
 * header's entry size is smaller than its class's struct. */
int elf__segment(const struct elf_image *img, unsigned int i, struct elf_segment *out);
/* Section header @i, as elf__segment(); -ENOEXEC also when its data (SHT_NOBITS
 * has none) is not inside the file. */
int elf__section(const struct elf_image *img, unsigned int i, struct elf_section *out);

/* The size of a symbol table entry, and the entry at @p (inside a symbol table read). */
size_t elf__symbol_size(const struct elf_image *img);
void elf__symbol(const struct elf_image *img, const void *p, struct elf_symbol *out);

/* A 16-, 32- or 64-bit word at @p (file data already read) in the file's byte order. */
uint16_t elf__u16(const struct elf_image *img, const void *p);
uint32_t elf__u32(const struct elf_image *img, const void *p);
uint64_t elf__u64(const struct elf_image *img, const void *p);

#endif
