// SPDX-License-Identifier: MIT
/*
 * PE version info parser: see pe.h.
 *
 * Path through the file: DOS header -> NT headers -> section table -> the
 * resource directory (type RT_VERSION -> name -> language -> data entry) ->
 * the VS_VERSIONINFO blob (at most 64 KiB, its wLength is a WORD) -> its
 * StringFileInfo -> string tables -> strings. The resource tree has exactly
 * three levels, walked by three nested loops: no recursion. Every node of the
 * blob is clamped to its parent, every RVA is mapped through the section
 * table and every read is bounded by the source's budget.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/file.h"
#include "identity/pe.h"

#define MZ_MAGIC	   0x5a4d
#define PE_SIGNATURE	   0x00004550
#define OPT_MAGIC_PE32	   0x10b
#define OPT_MAGIC_PE32PLUS 0x20b
#define DIR_RESOURCE	   2
#define RT_VERSION	   16
#define MAX_SECTIONS	   96 /* the Windows loader's limit */
#define MAX_DIR_ENTRIES	   4096
#define MAX_VISITED	   4096 /* directory entries read, over the whole tree */
#define VS_BLOB_MAX	   65536
#define VS_FIXED_SIG	   0xfeef04bd
#define VS_FIXED_SIZE	   52
#define MAX_NODES	   8192 /* blob nodes looked at per version resource */

static const char *const field_keys[PE_VI__COUNT] = {
    [PE_VI_COMPANY_NAME] = "CompanyName",	  [PE_VI_PRODUCT_NAME] = "ProductName",
    [PE_VI_PRODUCT_VERSION] = "ProductVersion",	  [PE_VI_FILE_VERSION] = "FileVersion",
    [PE_VI_INTERNAL_NAME] = "InternalName",	  [PE_VI_ORIGINAL_FILENAME] = "OriginalFilename",
    [PE_VI_FILE_DESCRIPTION] = "FileDescription",
};

const char *pe__field_key(enum pe_vi_field f)
{
	return f < PE_VI__COUNT ? field_keys[f] : NULL;
}

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* --- source ------------------------------------------------------------- */

void pe_source__init_fd(struct pe_source *s, int fd, uint64_t size)
{
	s->fd = fd;
	s->mem = NULL;
	s->size = size;
	s->budget = PE_READ_BUDGET;
	s->win_off = 0;
	s->win_len = 0;
}

void pe_source__init_mem(struct pe_source *s, const void *buf, size_t len)
{
	s->fd = -1;
	s->mem = buf;
	s->size = len;
	s->budget = PE_READ_BUDGET;
	s->win_off = 0;
	s->win_len = 0;
}

/* The one place bytes come in: fds and buffers cost the same budget. */
static int pread_full(struct pe_source *s, uint64_t off, void *buf, size_t len)
{
	if (len > s->budget)
		return -E2BIG;
	s->budget -= len;
	if (s->mem) {
		memcpy(buf, s->mem + off, len);
		return 0;
	}
	/* -ENODATA: the file shrank under us */
	return file__pread_exact(s->fd, buf, len, (off_t)off);
}

int pe_source__read(struct pe_source *s, uint64_t off, void *buf, size_t len)
{
	size_t n;
	int err;

	if (off > s->size || len > s->size - off)
		return -ENODATA;
	if (off >= s->win_off && off - s->win_off <= s->win_len &&
	    len <= s->win_len - (off - s->win_off)) {
		memcpy(buf, s->win + (off - s->win_off), len);
		return 0;
	}
	if (len > sizeof(s->win))
		return pread_full(s, off, buf, len);
	/* Refill the window from a 512-byte boundary: neighbours come next. */
	s->win_off = off & ~(uint64_t)511;
	if (off + len > s->win_off + sizeof(s->win))
		s->win_off = off;
	n = s->size - s->win_off < sizeof(s->win) ? s->size - s->win_off : sizeof(s->win);
	s->win_len = 0;
	err = pread_full(s, s->win_off, s->win, n);
	if (err)
		return err;
	s->win_len = n;
	memcpy(buf, s->win + (off - s->win_off), len);
	return 0;
}

/* --- UTF-16 ------------------------------------------------------------- */

static size_t put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

size_t pe__utf16_to_utf8(const uint8_t *p, size_t n, char *dst, size_t cap)
{
	size_t i = 0, len = 0;

	while (i < n) {
		uint32_t cp;
		char enc[4];
		size_t k;

		if (n - i < 2) {
			cp = 0xfffd; /* a lone trailing byte */
			i = n;
		} else {
			uint16_t u = le16(p + i);

			i += 2;
			if (u == 0)
				break;
			if (u >= 0xd800 && u < 0xdc00 && n - i >= 2 && le16(p + i) >= 0xdc00 &&
			    le16(p + i) < 0xe000) {
				cp = 0x10000 + ((u - 0xd800) << 10) + (le16(p + i) - 0xdc00);
				i += 2;
			} else if (u >= 0xd800 && u < 0xe000) {
				cp = 0xfffd;
			} else {
				cp = u;
			}
		}
		k = put_utf8(cp, enc);
		if (len + k >= cap)
			break;
		memcpy(dst + len, enc, k);
		len += k;
	}
	dst[len] = '\0';
	return len;
}

/* --- headers ------------------------------------------------------------ */

struct section {
	uint32_t va, vsize, raw_size, raw_ptr;
};

struct image {
	struct pe_source *src;
	struct pe_info *out;
	uint32_t file_align;
	uint32_t size_of_headers;
	uint32_t rsrc_rva;
	uint32_t rsrc_size;
	unsigned int n_sections;
	struct section sections[MAX_SECTIONS];
};

static void malformed(struct image *img, const char *why)
{
	if (!img->out->error)
		img->out->error = why;
}

/*
 * File offset of @rva and how many bytes of the file follow it inside its
 * section, as the loader (and pefile) map it: PointerToRawData rounded down
 * to 512 when FileAlignment is at least that, bytes past SizeOfRawData are
 * not in the file. An RVA in no section is taken as a file offset.
 */
static int rva_to_off(const struct image *img, uint32_t rva, uint64_t *off, uint64_t *avail)
{
	for (unsigned int i = 0; i < img->n_sections; i++) {
		const struct section *s = &img->sections[i];
		uint32_t ptr = img->file_align >= 512 ? s->raw_ptr & ~511u : s->raw_ptr;
		uint32_t size = s->vsize > s->raw_size ? s->vsize : s->raw_size;
		uint32_t delta;

		if (rva < s->va || rva - s->va >= size)
			continue;
		delta = rva - s->va;
		if (delta >= s->raw_size || (uint64_t)ptr + delta >= img->src->size)
			return -ENODATA;
		*off = (uint64_t)ptr + delta;
		*avail = s->raw_size - delta;
		if (*avail > img->src->size - *off)
			*avail = img->src->size - *off;
		return 0;
	}
	if (rva >= img->src->size)
		return -ENODATA;
	*off = rva;
	*avail = img->src->size - rva;
	return 0;
}

static int read_rva(struct image *img, uint32_t rva, void *buf, size_t len)
{
	uint64_t off, avail;
	int err = rva_to_off(img, rva, &off, &avail);

	if (err)
		return err;
	if (avail < len)
		return -ENODATA;
	return pe_source__read(img->src, off, buf, len);
}

int pe__headers(struct pe_source *src, struct pe_headers *h)
{
	uint8_t dos[64], nt[24], opt[2];
	uint32_t lfanew;
	uint16_t magic;
	int err;

	if (pe_source__read(src, 0, dos, sizeof(dos)) || le16(dos) != MZ_MAGIC)
		return -ENOEXEC;
	lfanew = le32(dos + 0x3c);
	err = pe_source__read(src, lfanew, nt, sizeof(nt));
	if (err == -ENODATA || (!err && le32(nt) != PE_SIGNATURE))
		return -ENOEXEC;
	if (err)
		return err;
	h->machine = le16(nt + 4);
	h->n_sections = le16(nt + 6);
	h->opt_size = le16(nt + 20);
	h->opt_off = lfanew + 24ull;
	err = h->opt_size < 2 ? -ENODATA : pe_source__read(src, h->opt_off, opt, 2);
	if (err)
		return err == -ENODATA ? -ENOEXEC : err;
	magic = le16(opt);
	if (magic != OPT_MAGIC_PE32 && magic != OPT_MAGIC_PE32PLUS)
		return -ENOEXEC;
	h->pe32plus = magic == OPT_MAGIC_PE32PLUS;
	return 0;
}

static int read_headers(struct image *img)
{
	struct pe_source *src = img->src;
	uint8_t opt[240], sec[40];
	uint32_t dirs_off, n_dirs;
	uint16_t opt_size, n_sections;
	struct pe_headers h;
	uint64_t sec_off;
	int err;

	err = pe__headers(src, &h);
	if (err)
		return err;
	img->out->machine = h.machine;
	img->out->pe32plus = h.pe32plus;
	n_sections = h.n_sections;
	opt_size = h.opt_size;
	memset(opt, 0, sizeof(opt));

	/* From here on it is a PE image: trouble is a malformation, not a type. */
	err = pe_source__read(src, h.opt_off, opt, opt_size < sizeof(opt) ? opt_size : sizeof(opt));
	if (err == -ENODATA) {
		malformed(img, "truncated optional header");
		return -EBADMSG;
	}
	if (err)
		return err;
	img->file_align = le32(opt + 36);
	img->size_of_headers = le32(opt + 60);
	dirs_off = img->out->pe32plus ? 112 : 96;
	n_dirs = le32(opt + dirs_off - 4);
	if (n_dirs > DIR_RESOURCE && dirs_off + 8 * (DIR_RESOURCE + 1) <= opt_size) {
		img->rsrc_rva = le32(opt + dirs_off + 8 * DIR_RESOURCE);
		img->rsrc_size = le32(opt + dirs_off + 8 * DIR_RESOURCE + 4);
	}

	if (n_sections > MAX_SECTIONS) {
		malformed(img, "too many sections");
		n_sections = MAX_SECTIONS;
	}
	sec_off = h.opt_off + opt_size;
	for (unsigned int i = 0; i < n_sections; i++) {
		struct section *s = &img->sections[i];

		err = pe_source__read(src, sec_off + 40ull * i, sec, sizeof(sec));
		if (err == -ENODATA) {
			malformed(img, "truncated section table");
			break;
		}
		if (err)
			return err;
		s->vsize = le32(sec + 8);
		s->va = le32(sec + 12);
		s->raw_size = le32(sec + 16);
		s->raw_ptr = le32(sec + 20);
		img->n_sections++;
	}
	return 0;
}

/* --- VS_VERSIONINFO ----------------------------------------------------- */

/*
 * One node of the version blob: WORD wLength, WORD wValueLength, WORD wType,
 * WCHAR szKey[], padding, Value, padding, children. [start, end) is clamped
 * to the parent; value is where the value starts after the key and its pad.
 */
struct node {
	size_t start, end;
	size_t key, key_end; /* key_end: the key's NUL, or end */
	size_t value;
	uint16_t wlength, wvalue_length;
};

struct blob {
	const uint8_t *p;
	size_t len;
	unsigned int nodes; /* looked at so far, against MAX_NODES */
	struct image *img;
};

/* Skips alignment padding: zero WORDs, whichever base the writer aligned to. */
static size_t skip_pad(const struct blob *b, size_t pos, size_t limit)
{
	pos += pos & 1;
	while (pos + 2 <= limit && le16(b->p + pos) == 0)
		pos += 2;
	return pos;
}

static bool node_at(struct blob *b, size_t pos, size_t limit, struct node *n)
{
	size_t k;

	if (++b->nodes > MAX_NODES || pos > limit || limit - pos < 6)
		return false;
	n->wlength = le16(b->p + pos);
	n->wvalue_length = le16(b->p + pos + 2);
	if (n->wlength < 6)
		return false;
	n->start = pos;
	n->end = pos + n->wlength;
	if (n->end > limit) {
		/* A length past its parent: trust the parent. */
		malformed(b->img, "version info length exceeds its parent");
		n->end = limit;
	}
	n->key = pos + 6;
	for (k = n->key; k + 2 <= n->end && le16(b->p + k) != 0; k += 2)
		;
	n->key_end = k;
	k = k + 2 <= n->end ? k + 2 : n->end;
	/*
	 * At most one zero WORD of padding, whether the writer aligned to the
	 * blob or to the RVA: a non-empty value cannot start with NUL.
	 */
	if (k + 2 <= n->end && le16(b->p + k) == 0)
		k += 2;
	n->value = k;
	return true;
}

static unsigned int ascii_lower(unsigned int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The key of @n starts with the ASCII @s, ignoring case (as VerQueryValue). */
static bool key_is(const struct blob *b, const struct node *n, const char *s, bool prefix)
{
	size_t k = n->key;

	for (; *s; s++, k += 2) {
		uint16_t u;

		if (k + 2 > n->key_end)
			return false;
		u = le16(b->p + k);
		if (u >= 0x80 || ascii_lower(u) != ascii_lower((unsigned char)*s))
			return false;
	}
	return prefix || k == n->key_end;
}

/* First child of @n, or the sibling after @prev; false at the end of @n. */
static bool next_child(struct blob *b, const struct node *n, size_t first, const struct node *prev,
		       struct node *child)
{
	size_t pos = prev ? prev->end : first;

	pos = skip_pad(b, pos, n->end);
	return node_at(b, pos, n->end, child);
}

static void add_company(struct pe_info *out, const char *s)
{
	if (!*s)
		return;
	for (unsigned int i = 0; i < out->n_companies; i++)
		if (!strcmp(out->companies[i], s))
			return;
	if (out->n_companies < PE_VI_MAX_COMPANIES)
		strcpy(out->companies[out->n_companies++], s);
}

static void parse_string_table(struct blob *b, const struct node *table)
{
	struct pe_info *out = b->img->out;
	bool first = out->n_tables == 0, company_seen = false;
	struct node s, *prev = NULL;
	char value[PE_VI_VALUE_MAX];

	out->n_tables++;
	while (next_child(b, table, table->value, prev, &s)) {
		prev = &s;
		for (int f = 0; f < PE_VI__COUNT; f++) {
			if (!key_is(b, &s, field_keys[f], false))
				continue;
			/*
			 * wValueLength is in words, in bytes, or wrong: the value
			 * is what the node holds, up to the first NUL.
			 */
			pe__utf16_to_utf8(b->p + s.value, s.end - s.value, value, sizeof(value));
			if (first && !out->has[f]) {
				out->has[f] = true;
				strcpy(out->value[f], value);
			}
			if (f == PE_VI_COMPANY_NAME && !company_seen) {
				company_seen = true;
				add_company(out, value);
			}
			break;
		}
	}
}

static void parse_version_blob(struct blob *b)
{
	struct pe_info *out = b->img->out;
	struct node root, child, *prev = NULL;
	size_t first;

	if (!node_at(b, 0, b->len, &root) || !key_is(b, &root, "VS_VERSION_INFO", false)) {
		malformed(b->img, "bad VS_VERSIONINFO header");
		return;
	}
	out->n_version_res++;
	/* The fixed info is 52 bytes when present, whatever wValueLength says. */
	first = root.value;
	if (root.value + 4 <= root.end && le32(b->p + root.value) == VS_FIXED_SIG)
		first += VS_FIXED_SIZE;
	else if (root.wvalue_length <= root.end - root.value)
		first += root.wvalue_length;
	if (first > root.end)
		first = root.end;

	/* StringFileInfo and VarFileInfo in any order, maybe several of each. */
	while (next_child(b, &root, first, prev, &child)) {
		struct node table, *tprev = NULL;

		prev = &child;
		if (!key_is(b, &child, "StringFileInfo", true))
			continue;
		while (out->n_tables < PE_MAX_TABLES &&
		       next_child(b, &child, child.value, tprev, &table)) {
			tprev = &table;
			parse_string_table(b, &table);
		}
	}
}

static int read_version_resource(struct image *img, uint32_t data_entry_rva, uint8_t *buf)
{
	uint8_t de[16];
	uint64_t off, avail;
	uint32_t rva, size;
	struct blob b = {.p = buf, .img = img};
	int err;

	err = read_rva(img, data_entry_rva, de, sizeof(de));
	if (err)
		goto bad;
	rva = le32(de);
	size = le32(de + 4);
	err = rva_to_off(img, rva, &off, &avail);
	if (err)
		goto bad;
	if (size > VS_BLOB_MAX)
		size = VS_BLOB_MAX;
	if (size > avail) {
		malformed(img, "truncated version resource");
		size = avail;
	}
	err = pe_source__read(img->src, off, buf, size);
	if (err)
		goto bad;
	b.len = size;
	parse_version_blob(&b);
	return 0;
bad:
	if (err == -ENODATA) {
		malformed(img, "version resource outside the file");
		return 0;
	}
	return err;
}

struct dir_entry {
	uint32_t name;
	uint32_t target; /* offset from the resource root; high bit: a directory */
};

/* Reads the entry count of the directory at @off (from the resource root). */
static int read_dir(struct image *img, uint32_t off, unsigned int *count)
{
	uint8_t hdr[16];
	int err;

	if ((uint64_t)img->rsrc_rva + off > UINT32_MAX - 16)
		return -ENODATA;
	err = read_rva(img, img->rsrc_rva + off, hdr, sizeof(hdr));
	if (err)
		return err;
	*count = le16(hdr + 12) + le16(hdr + 14);
	if (*count > MAX_DIR_ENTRIES) {
		malformed(img, "resource directory too large");
		*count = MAX_DIR_ENTRIES;
	}
	return 0;
}

static int read_dir_entry(struct image *img, uint32_t dir, unsigned int i, unsigned int *visited,
			  struct dir_entry *e)
{
	uint8_t raw[8];
	uint64_t rva = (uint64_t)img->rsrc_rva + dir + 16 + 8ull * i;
	int err;

	if (++*visited > MAX_VISITED) {
		malformed(img, "too many resource directory entries");
		return -E2BIG;
	}
	if (rva > UINT32_MAX - 8)
		return -ENODATA;
	err = read_rva(img, rva, raw, sizeof(raw));
	if (err)
		return err;
	e->name = le32(raw);
	e->target = le32(raw + 4);
	return 0;
}

/*
 * The three levels of the resource tree for RT_VERSION: type -> name ->
 * language -> data. A subdirectory that points back at one of its ancestors
 * is a loop and is skipped.
 */
static int walk_resources(struct image *img, uint8_t *buf)
{
	unsigned int n_types, n_names, n_langs, visited = 0, tried = 0;
	struct dir_entry type, name, lang;
	int err;

	err = read_dir(img, 0, &n_types);
	if (err)
		goto bad;
	for (unsigned int t = 0; t < n_types; t++) {
		uint32_t names_dir;

		err = read_dir_entry(img, 0, t, &visited, &type);
		if (err)
			goto bad;
		if (type.name != RT_VERSION)
			continue;
		names_dir = type.target & 0x7fffffff;
		if (!(type.target >> 31)) {
			malformed(img, "bad resource directory");
			continue;
		}
		if (names_dir == 0) {
			malformed(img, "resource directory loop");
			continue;
		}
		err = read_dir(img, names_dir, &n_names);
		if (err)
			goto bad;
		for (unsigned int n = 0; n < n_names; n++) {
			uint32_t langs_dir;

			err = read_dir_entry(img, names_dir, n, &visited, &name);
			if (err)
				goto bad;
			langs_dir = name.target & 0x7fffffff;
			if (!(name.target >> 31)) {
				malformed(img, "bad resource directory");
				continue;
			}
			if (langs_dir == 0 || langs_dir == names_dir) {
				malformed(img, "resource directory loop");
				continue;
			}
			err = read_dir(img, langs_dir, &n_langs);
			if (err)
				goto bad;
			for (unsigned int l = 0; l < n_langs; l++) {
				err = read_dir_entry(img, langs_dir, l, &visited, &lang);
				if (err)
					goto bad;
				if (lang.target >> 31) {
					/* Only a loop can make the tree deeper than 3. */
					malformed(img, "resource directory loop");
					continue;
				}
				if (++tried > PE_MAX_VERSION_RES)
					return 0;
				if ((uint64_t)img->rsrc_rva + lang.target > UINT32_MAX) {
					malformed(img, "resource directory outside the file");
					continue;
				}
				err = read_version_resource(img, img->rsrc_rva + lang.target, buf);
				if (err)
					return err;
			}
		}
	}
	return 0;
bad:
	if (err == -ENODATA) {
		malformed(img, "resource directory outside the file");
		return 0;
	}
	if (err == -E2BIG) {
		malformed(img, "read budget exceeded");
		return 0;
	}
	return err;
}

int pe__parse(struct pe_source *src, struct pe_info *out)
{
	struct image *img;
	uint8_t *buf = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->src = src;
	img->out = out;
	err = read_headers(img);
	if (err)
		goto cleanup;
	if (img->rsrc_rva) {
		buf = malloc(VS_BLOB_MAX);
		if (!buf) {
			err = -ENOMEM;
			goto cleanup;
		}
		err = walk_resources(img, buf);
		if (err == -E2BIG) {
			malformed(img, "read budget exceeded");
			err = 0;
		}
	}
cleanup:
	if (!err && out->error)
		err = -EBADMSG;
	free(buf);
	free(img);
	return err;
}
