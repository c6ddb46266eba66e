/* SPDX-License-Identifier: MIT */
/*
 * PE version info: the RT_VERSION resources of a Windows image, parsed the
 * way Windows, Defender, pefile and exiftool read them, from a bounded number
 * of bytes read through a pe_source (an fd or a memory buffer).
 *
 * Reported: the seven usual strings of the first string table of the first
 * version resource (in resource-directory order: type, name, language; when
 * that resource has no table, the first table of the next one), and the
 * distinct CompanyName values of every table of every version resource (a
 * decoy table may come first). Keys match without regard to ASCII case and
 * the first of duplicate keys wins, as with VerQueryValue.
 */
#ifndef RMMHUNT_PE_H
#define RMMHUNT_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What pe__parse may read of one file, headers and resources together. */
#define PE_READ_BUDGET (4u << 20)
#define PE_WINDOW_SIZE 4096

/*
 * A bounded random-access view of a file. Reads go through one small window,
 * so walking headers and resource directories costs a few preads.
 */
struct pe_source {
	int fd; /* -1 when reading from @mem */
	const uint8_t *mem;
	uint64_t size;	 /* bytes in the file */
	uint64_t budget; /* bytes it may still read (fd or memory alike) */
	uint64_t win_off;
	size_t win_len;
	uint8_t win[PE_WINDOW_SIZE];
};

void pe_source__init_fd(struct pe_source *s, int fd, uint64_t size);
void pe_source__init_mem(struct pe_source *s, const void *buf, size_t len);
/*
 * Reads exactly @len bytes at @off. Returns 0, -ENODATA when they are past the
 * end of the file, -E2BIG when the read budget is spent, or -EIO.
 */
int pe_source__read(struct pe_source *s, uint64_t off, void *buf, size_t len);

/* What a PE image's DOS and NT headers say: where its optional header lies, and its kind. */
struct pe_headers {
	uint64_t opt_off; /* file offset of the optional header */
	uint16_t opt_size;
	uint16_t machine; /* IMAGE_FILE_HEADER.Machine */
	uint16_t n_sections;
	bool pe32plus; /* optional header magic 0x20b */
};

/*
 * Reads the headers every PE reader starts from. Returns 0; -ENOEXEC when it
 * is no PE32/PE32+ image (no MZ, no PE signature, unknown optional header
 * magic); or the error of a failed read.
 */
int pe__headers(struct pe_source *src, struct pe_headers *h);

enum pe_vi_field {
	PE_VI_COMPANY_NAME,
	PE_VI_PRODUCT_NAME,
	PE_VI_PRODUCT_VERSION,
	PE_VI_FILE_VERSION,
	PE_VI_INTERNAL_NAME,
	PE_VI_ORIGINAL_FILENAME,
	PE_VI_FILE_DESCRIPTION,
	PE_VI__COUNT
};

#define PE_VI_VALUE_MAX	    1024 /* UTF-8 bytes kept per value, NUL included */
#define PE_VI_MAX_COMPANIES 16
#define PE_MAX_VERSION_RES  16 /* version resources looked at */
#define PE_MAX_TABLES	    64 /* string tables looked at, over all resources */

#define PE_MACHINE_I386	 0x014c
#define PE_MACHINE_AMD64 0x8664
#define PE_MACHINE_ARM64 0xaa64

struct pe_info {
	bool pe32plus;		    /* optional header magic 0x20b */
	uint16_t machine;	    /* IMAGE_FILE_HEADER.Machine */
	unsigned int n_version_res; /* VS_VERSION_INFO blocks parsed */
	unsigned int n_tables;	    /* string tables parsed */
	bool has[PE_VI__COUNT];	    /* present in the first table (maybe empty) */
	char value[PE_VI__COUNT][PE_VI_VALUE_MAX];
	unsigned int n_companies;
	char companies[PE_VI_MAX_COMPANIES][PE_VI_VALUE_MAX];
	const char *error; /* the first malformation met, static text; NULL if none */
};

/* The StringFileInfo key of @f: "CompanyName", "InternalName", ... */
const char *pe__field_key(enum pe_vi_field f);

/*
 * Parses the headers and the version info of the image in @src into @out.
 * Returns 0; -ENOEXEC when it is no PE32/PE32+ image (no MZ, no PE signature,
 * unknown optional header); -EBADMSG when it is one but malformed: @out then
 * holds what could be read and @out->error says what was wrong; or the error
 * of a failed read (-EIO).
 */
int pe__parse(struct pe_source *src, struct pe_info *out);

/*
 * UTF-16LE @n bytes at @p to NUL-terminated UTF-8 in @dst (@cap > 0), up to
 * the first NUL unit. Surrogate pairs are joined, any other surrogate and a
 * trailing odd byte become U+FFFD, and the output is cut on a character
 * boundary when @dst is full. Returns the UTF-8 length.
 */
size_t pe__utf16_to_utf8(const uint8_t *p, size_t n, char *dst, size_t cap);

#endif
