/* SPDX-License-Identifier: MIT */
/*
 * Builds small ELF images in memory for the unit tests, of either class and
 * byte order: two segments, a .dynsym holding one defined symbol and its
 * .strtab, which is what the Wine loader check looks for.
 */
#ifndef RMMHUNT_TEST_ELF_BUILDER_H
#define RMMHUNT_TEST_ELF_BUILDER_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Writes the @size-byte @v at @p in big- or little-endian order. */
static inline void eb_put(unsigned char *p, size_t size, uint64_t v, bool be)
{
	for (size_t i = 0; i < size; i++)
		p[be ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/* T's @field at @img, in the byte order of the caller's `be`. */
#define EB_PUT(img, T, field, v)                                                                   \
	eb_put((img) + offsetof(T, field), sizeof(((T *)0)->field), (v), be)

struct eb_layout {
	size_t ehsize, phentsize, shentsize, symsize;
	size_t phoff, shoff, symoff, stroff, size;
};

static const char eb_strtab[] = "\0wine_main_preload_info";

/*
 * An image with two segments (PT_LOAD, then PT_NOTE at 0x40 for 0x10 bytes,
 * align 8), three sections (null, .dynsym linked to 2, .strtab) and one
 * defined symbol, "wine_main_preload_info" in section 7. @stride pads each
 * table entry to that many bytes (0: the struct's size).
 */
static inline unsigned char *eb_build(bool is64, bool be, size_t stride, struct eb_layout *l)
{
	unsigned char *img, *p;

	l->ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	l->phentsize = stride ?: (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
	l->shentsize = stride ?: (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
	l->symsize = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	l->phoff = l->ehsize;
	l->shoff = l->phoff + 2 * l->phentsize;
	l->symoff = l->shoff + 3 * l->shentsize;
	l->stroff = l->symoff + 2 * l->symsize;
	l->size = l->stroff + sizeof(eb_strtab);
	img = calloc(1, l->size);
	if (!img)
		abort();

	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	img[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	if (is64) {
		EB_PUT(img, Elf64_Ehdr, e_phoff, l->phoff);
		EB_PUT(img, Elf64_Ehdr, e_shoff, l->shoff);
		EB_PUT(img, Elf64_Ehdr, e_phentsize, l->phentsize);
		EB_PUT(img, Elf64_Ehdr, e_phnum, 2);
		EB_PUT(img, Elf64_Ehdr, e_shentsize, l->shentsize);
		EB_PUT(img, Elf64_Ehdr, e_shnum, 3);
	} else {
		EB_PUT(img, Elf32_Ehdr, e_phoff, l->phoff);
		EB_PUT(img, Elf32_Ehdr, e_shoff, l->shoff);
		EB_PUT(img, Elf32_Ehdr, e_phentsize, l->phentsize);
		EB_PUT(img, Elf32_Ehdr, e_phnum, 2);
		EB_PUT(img, Elf32_Ehdr, e_shentsize, l->shentsize);
		EB_PUT(img, Elf32_Ehdr, e_shnum, 3);
	}
	for (int i = 0; i < 2; i++) {
		p = img + l->phoff + i * l->phentsize;
		if (is64) {
			EB_PUT(p, Elf64_Phdr, p_type, i ? PT_NOTE : PT_LOAD);
			EB_PUT(p, Elf64_Phdr, p_offset, i ? 0x40 : 0);
			EB_PUT(p, Elf64_Phdr, p_filesz, i ? 0x10 : l->size);
			EB_PUT(p, Elf64_Phdr, p_align, i ? 8 : 0x1000);
		} else {
			EB_PUT(p, Elf32_Phdr, p_type, i ? PT_NOTE : PT_LOAD);
			EB_PUT(p, Elf32_Phdr, p_offset, i ? 0x40 : 0);
			EB_PUT(p, Elf32_Phdr, p_filesz, i ? 0x10 : l->size);
			EB_PUT(p, Elf32_Phdr, p_align, i ? 8 : 0x1000);
		}
	}
	for (int i = 1; i < 3; i++) {
		p = img + l->shoff + i * l->shentsize;
		if (is64) {
			EB_PUT(p, Elf64_Shdr, sh_type, i == 1 ? SHT_DYNSYM : SHT_STRTAB);
			EB_PUT(p, Elf64_Shdr, sh_link, i == 1 ? 2 : 0);
			EB_PUT(p, Elf64_Shdr, sh_offset, i == 1 ? l->symoff : l->stroff);
			EB_PUT(p, Elf64_Shdr, sh_size, i == 1 ? 2 * l->symsize : sizeof(eb_strtab));
		} else {
			EB_PUT(p, Elf32_Shdr, sh_type, i == 1 ? SHT_DYNSYM : SHT_STRTAB);
			EB_PUT(p, Elf32_Shdr, sh_link, i == 1 ? 2 : 0);
			EB_PUT(p, Elf32_Shdr, sh_offset, i == 1 ? l->symoff : l->stroff);
			EB_PUT(p, Elf32_Shdr, sh_size, i == 1 ? 2 * l->symsize : sizeof(eb_strtab));
		}
	}
	p = img + l->symoff + l->symsize; /* symbol 0 is the null symbol */
	if (is64) {
		EB_PUT(p, Elf64_Sym, st_name, 1);
		EB_PUT(p, Elf64_Sym, st_shndx, 7);
	} else {
		EB_PUT(p, Elf32_Sym, st_name, 1);
		EB_PUT(p, Elf32_Sym, st_shndx, 7);
	}
	memcpy(img + l->stroff, eb_strtab, sizeof(eb_strtab));
	return img;
}

#endif
