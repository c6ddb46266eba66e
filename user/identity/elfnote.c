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

#include "identity/elf.h"
#include "identity/elfnote.h"
#include "identity/pkg_field.h"

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
static int parse_notes(const struct elf_image *img, const unsigned char *buf, size_t len,
		       size_t align, struct pkg_info *out)
{
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz = elf__u32(img, buf + off);
		uint32_t descsz = elf__u32(img, buf + off + 4);
		uint32_t type = elf__u32(img, buf + off + 8);
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

static int read_notes(const struct elf_image *img, struct pkg_info *out)
{
	struct elf_segment seg;
	unsigned char *buf = NULL;
	uint64_t total = 0;
	int err = -ENOENT;

	/* PN_XNUM (more headers than fit in e_phnum) is refused with the rest of the oversized. */
	if (img->phnum > ELFNOTE_MAX_PHNUM)
		return -ENOENT;
	for (unsigned int i = 0; i < img->phnum; i++) {
		if (elf__segment(img, i, &seg))
			break;
		if (seg.type != PT_NOTE || !seg.filesz || seg.filesz > ELFNOTE_MAX_SEGMENT)
			continue;
		total += seg.filesz;
		if (total > ELFNOTE_MAX_NOTE_READ)
			break;
		free(buf);
		buf = malloc(seg.filesz);
		if (!buf) {
			err = -ENOMEM;
			break;
		}
		if (elf__read(img, seg.offset, buf, seg.filesz))
			continue;
		/* Notes are 4-aligned, or 8-aligned in segments that say so (GNU properties). */
		if (!parse_notes(img, buf, seg.filesz, seg.align == 8 ? 8 : 4, out)) {
			err = 0;
			break;
		}
	}
	free(buf);
	return err;
}

int elfnote__read_mem(const void *buf, size_t len, struct pkg_info *out)
{
	struct elf_image img;

	/* Scripts and everything else that is not ELF have no note. */
	if (elf__open_mem(&img, buf, len))
		return -ENOENT;
	return read_notes(&img, out);
}

int elfnote__read_fd(int fd, struct pkg_info *out)
{
	struct elf_image img;
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode) || elf__open_fd(&img, fd, (uint64_t)st.st_size))
		return -ENOENT;
	return read_notes(&img, out);
}
