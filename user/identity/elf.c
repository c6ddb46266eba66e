// SPDX-License-Identifier: MIT
/* ELF headers of untrusted files: see elf.h. */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "base/file.h"
#include "identity/elf.h"

uint16_t elf__u16(const struct elf_image *img, const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return img->swap ? __builtin_bswap16(v) : v;
}

uint32_t elf__u32(const struct elf_image *img, const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return img->swap ? __builtin_bswap32(v) : v;
}

uint64_t elf__u64(const struct elf_image *img, const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return img->swap ? __builtin_bswap64(v) : v;
}

int elf__read(const struct elf_image *img, uint64_t off, void *dst, size_t n)
{
	if (off > img->size || n > img->size - off)
		return -ENOEXEC;
	if (img->mem) {
		memcpy(dst, img->mem + off, n);
		return 0;
	}
	return file__pread_exact(img->fd, dst, n, (off_t)off);
}

#define EH64(field) offsetof(Elf64_Ehdr, field)
#define EH32(field) offsetof(Elf32_Ehdr, field)

static int read_header(struct elf_image *img)
{
	unsigned char e[sizeof(Elf64_Ehdr)];
	int err;

	err = elf__read(img, 0, e, EI_NIDENT);
	if (err)
		return err;
	if (memcmp(e, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (e[EI_CLASS] != ELFCLASS32 && e[EI_CLASS] != ELFCLASS64)
		return -ENOEXEC;
	if (e[EI_DATA] != ELFDATA2LSB && e[EI_DATA] != ELFDATA2MSB)
		return -ENOEXEC;
	img->is64 = e[EI_CLASS] == ELFCLASS64;
	img->swap = (e[EI_DATA] == ELFDATA2LSB) != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
	err = elf__read(img, 0, e, img->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr));
	if (err)
		return err;
	if (img->is64) {
		img->phoff = elf__u64(img, e + EH64(e_phoff));
		img->shoff = elf__u64(img, e + EH64(e_shoff));
		img->phentsize = elf__u16(img, e + EH64(e_phentsize));
		img->phnum = elf__u16(img, e + EH64(e_phnum));
		img->shentsize = elf__u16(img, e + EH64(e_shentsize));
		img->shnum = elf__u16(img, e + EH64(e_shnum));
	} else {
		img->phoff = elf__u32(img, e + EH32(e_phoff));
		img->shoff = elf__u32(img, e + EH32(e_shoff));
		img->phentsize = elf__u16(img, e + EH32(e_phentsize));
		img->phnum = elf__u16(img, e + EH32(e_phnum));
		img->shentsize = elf__u16(img, e + EH32(e_shentsize));
		img->shnum = elf__u16(img, e + EH32(e_shnum));
	}
	return 0;
}

int elf__open_fd(struct elf_image *img, int fd, uint64_t size)
{
	*img = (struct elf_image){.fd = fd, .size = size};
	return read_header(img);
}

int elf__open_mem(struct elf_image *img, const void *buf, size_t len)
{
	*img = (struct elf_image){.fd = -1, .mem = buf, .size = len};
	return read_header(img);
}

/*
 * Entry @i of a table of @num entries of @entsize bytes at @off: its first @n
 * bytes, the struct. An entry may be larger than the struct (the stride is
 * what the header says), never smaller.
 */
static int read_entry(const struct elf_image *img, uint64_t off, unsigned int num,
		      unsigned int entsize, unsigned int i, void *dst, size_t n)
{
	uint64_t at = (uint64_t)i * entsize; /* at most 65535 * 65535: no overflow */

	if (i >= num || entsize < n || off > img->size || at > img->size - off)
		return -ENOEXEC;
	return elf__read(img, off + at, dst, n);
}

#define PH64(field) offsetof(Elf64_Phdr, field)
#define PH32(field) offsetof(Elf32_Phdr, field)

int elf__segment(const struct elf_image *img, unsigned int i, struct elf_segment *out)
{
	unsigned char p[sizeof(Elf64_Phdr)];
	int err;

	err = read_entry(img, img->phoff, img->phnum, img->phentsize, i, p,
			 img->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
	if (err)
		return err;
	out->type = elf__u32(img, p); /* p_type leads in both classes */
	if (img->is64) {
		out->offset = elf__u64(img, p + PH64(p_offset));
		out->filesz = elf__u64(img, p + PH64(p_filesz));
		out->align = elf__u64(img, p + PH64(p_align));
	} else {
		out->offset = elf__u32(img, p + PH32(p_offset));
		out->filesz = elf__u32(img, p + PH32(p_filesz));
		out->align = elf__u32(img, p + PH32(p_align));
	}
	return 0;
}

#define SH64(field) offsetof(Elf64_Shdr, field)
#define SH32(field) offsetof(Elf32_Shdr, field)

int elf__section(const struct elf_image *img, unsigned int i, struct elf_section *out)
{
	unsigned char s[sizeof(Elf64_Shdr)];
	int err;

	err = read_entry(img, img->shoff, img->shnum, img->shentsize, i, s,
			 img->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
	if (err)
		return err;
	if (img->is64) {
		out->type = elf__u32(img, s + SH64(sh_type));
		out->link = elf__u32(img, s + SH64(sh_link));
		out->offset = elf__u64(img, s + SH64(sh_offset));
		out->size = elf__u64(img, s + SH64(sh_size));
	} else {
		out->type = elf__u32(img, s + SH32(sh_type));
		out->link = elf__u32(img, s + SH32(sh_link));
		out->offset = elf__u32(img, s + SH32(sh_offset));
		out->size = elf__u32(img, s + SH32(sh_size));
	}
	if (out->type != SHT_NOBITS &&
	    (out->offset > img->size || out->size > img->size - out->offset))
		return -ENOEXEC;
	return 0;
}

size_t elf__symbol_size(const struct elf_image *img)
{
	return img->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
}

void elf__symbol(const struct elf_image *img, const void *p, struct elf_symbol *out)
{
	const unsigned char *s = p;

	if (img->is64) {
		out->name = elf__u32(img, s + offsetof(Elf64_Sym, st_name));
		out->shndx = elf__u16(img, s + offsetof(Elf64_Sym, st_shndx));
	} else {
		out->name = elf__u32(img, s + offsetof(Elf32_Sym, st_name));
		out->shndx = elf__u16(img, s + offsetof(Elf32_Sym, st_shndx));
	}
}
