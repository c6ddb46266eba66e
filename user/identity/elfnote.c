// SPDX-License-Identifier: MIT
#include <elf.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "identity/elfnote.h"
#include "identity/pkg_field.h"

/* An ELF image to read from: a file descriptor or a buffer. */
struct src {
	int fd;
	const unsigned char *mem;
	uint64_t size;
	bool swap; /* file endianness differs from ours */
	bool is64;
};

static int src_read(const struct src *s, uint64_t off, void *dst, size_t n)
{
	if (off > s->size || n > s->size - off)
		return -ENOENT;
	if (s->mem) {
		memcpy(dst, s->mem + off, n);
		return 0;
	}
	/* -ENODATA: truncated under us */
	return file__pread_exact(s->fd, dst, n, (off_t)off);
}

static uint16_t rd16(const struct src *s, const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return s->swap ? __builtin_bswap16(v) : v;
}

static uint32_t rd32(const struct src *s, const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return s->swap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const struct src *s, const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return s->swap ? __builtin_bswap64(v) : v;
}

static const char *json_str(json_t *obj, const char *key, size_t *len)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

int elfnote__parse_json(const char *json, size_t len, struct pkg_info *out)
{
	const char *name, *version, *vendor;
	size_t name_len, version_len = 0, vendor_len = 0;
	json_error_t jerr;
	json_t *root;
	int err = 0;

	/* The payload is NUL-terminated and padded to the note alignment. */
	while (len && json[len - 1] == '\0')
		len--;
	/* jansson bounds its own nesting depth (JSON_PARSER_MAX_DEPTH). */
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		err = -EINVAL;
		goto cleanup;
	}
	name = json_str(root, "name", &name_len);
	if (!name || !name_len) {
		err = -EINVAL;
		goto cleanup;
	}
	version = json_str(root, "version", &version_len);
	vendor = json_str(root, "vendor", &vendor_len);
	if (!vendor || !vendor_len)
		vendor = json_str(root, "os", &vendor_len);
	memset(out, 0, sizeof(*out));
	pkg_field__set(out->name, name, name_len);
	pkg_field__set(out->version, version, version ? version_len : 0);
	pkg_field__set(out->vendor, vendor, vendor ? vendor_len : 0);
	out->source = "elf-note";
	if (!out->name[0]) /* only blanks */
		err = -EINVAL;
cleanup:
	json_decref(root);
	return err;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Walks the notes of one PT_NOTE segment (@len bytes at @buf). */
static int parse_notes(const struct src *s, const unsigned char *buf, size_t len, size_t align,
		       struct pkg_info *out)
{
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz = rd32(s, buf + off);
		uint32_t descsz = rd32(s, buf + off + 4);
		uint32_t type = rd32(s, buf + off + 8);
		size_t name_off = off + 12, desc_off, next;

		/* Every size is checked against what is left of the segment. */
		if (namesz > len - name_off)
			return -ENOENT;
		desc_off = align_up(name_off + namesz, align);
		if (desc_off > len || descsz > len - desc_off)
			return -ENOENT;
		next = align_up(desc_off + descsz, align);
		if (type == ELFNOTE_TYPE_FDO_PACKAGE && namesz == 4 &&
		    !memcmp(buf + name_off, "FDO", 4) &&
		    !elfnote__parse_json((const char *)buf + desc_off, descsz, out))
			return 0;
		if (next <= off || next > len)
			break;
		off = next;
	}
	return -ENOENT;
}

static int read_notes(struct src *s, struct pkg_info *out)
{
	unsigned char ehdr[sizeof(Elf64_Ehdr)], phdr[sizeof(Elf64_Phdr)];
	unsigned char *buf = NULL;
	uint64_t phoff, total = 0;
	uint16_t phentsize, phnum;
	size_t ehsize, min_phent;
	int err = -ENOENT;

	if (s->size < EI_NIDENT || src_read(s, 0, ehdr, EI_NIDENT))
		return -ENOENT;
	if (memcmp(ehdr, ELFMAG, SELFMAG))
		return -ENOENT; /* scripts and everything else */
	if (ehdr[EI_CLASS] != ELFCLASS32 && ehdr[EI_CLASS] != ELFCLASS64)
		return -ENOENT;
	if (ehdr[EI_DATA] != ELFDATA2LSB && ehdr[EI_DATA] != ELFDATA2MSB)
		return -ENOENT;
	s->is64 = ehdr[EI_CLASS] == ELFCLASS64;
	s->swap = (ehdr[EI_DATA] == ELFDATA2LSB) != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
	ehsize = s->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	min_phent = s->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (src_read(s, 0, ehdr, ehsize))
		return -ENOENT;
	if (s->is64) {
		phoff = rd64(s, ehdr + offsetof(Elf64_Ehdr, e_phoff));
		phentsize = rd16(s, ehdr + offsetof(Elf64_Ehdr, e_phentsize));
		phnum = rd16(s, ehdr + offsetof(Elf64_Ehdr, e_phnum));
	} else {
		phoff = rd32(s, ehdr + offsetof(Elf32_Ehdr, e_phoff));
		phentsize = rd16(s, ehdr + offsetof(Elf32_Ehdr, e_phentsize));
		phnum = rd16(s, ehdr + offsetof(Elf32_Ehdr, e_phnum));
	}
	/* PN_XNUM (more headers than fit in e_phnum) is refused with the rest of the oversized. */
	if (phentsize < min_phent || phnum > ELFNOTE_MAX_PHNUM)
		return -ENOENT;
	for (uint16_t i = 0; i < phnum; i++) {
		uint64_t off, filesz, align;
		uint32_t type;

		if (phoff > s->size || (uint64_t)i * phentsize > s->size - phoff ||
		    src_read(s, phoff + (uint64_t)i * phentsize, phdr, min_phent))
			break;
		if (s->is64) {
			type = rd32(s, phdr + offsetof(Elf64_Phdr, p_type));
			off = rd64(s, phdr + offsetof(Elf64_Phdr, p_offset));
			filesz = rd64(s, phdr + offsetof(Elf64_Phdr, p_filesz));
			align = rd64(s, phdr + offsetof(Elf64_Phdr, p_align));
		} else {
			type = rd32(s, phdr + offsetof(Elf32_Phdr, p_type));
			off = rd32(s, phdr + offsetof(Elf32_Phdr, p_offset));
			filesz = rd32(s, phdr + offsetof(Elf32_Phdr, p_filesz));
			align = rd32(s, phdr + offsetof(Elf32_Phdr, p_align));
		}
		if (type != PT_NOTE || !filesz || filesz > ELFNOTE_MAX_SEGMENT)
			continue;
		total += filesz;
		if (total > ELFNOTE_MAX_NOTE_READ)
			break;
		free(buf);
		buf = malloc(filesz);
		if (!buf) {
			err = -ENOMEM;
			break;
		}
		if (src_read(s, off, buf, filesz))
			continue;
		/* Notes are 4-aligned, or 8-aligned in segments that say so (GNU properties). */
		if (!parse_notes(s, buf, filesz, align == 8 ? 8 : 4, out)) {
			err = 0;
			break;
		}
	}
	free(buf);
	return err;
}

int elfnote__read_mem(const void *buf, size_t len, struct pkg_info *out)
{
	struct src s = {.fd = -1, .mem = buf, .size = len};

	return read_notes(&s, out);
}

int elfnote__read_fd(int fd, struct pkg_info *out)
{
	struct src s = {.fd = fd};
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOENT;
	s.size = (uint64_t)st.st_size;
	return read_notes(&s, out);
}
