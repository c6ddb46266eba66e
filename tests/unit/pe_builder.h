/* SPDX-License-Identifier: MIT */
/*
 * Builds PE images in memory for the unit tests: VS_VERSIONINFO blobs node by
 * node, and a PE32/PE32+ image with one .rsrc section holding the resource
 * tree RT_VERSION -> name 1 -> one language per blob -> the blobs. Knobs let a
 * test break one thing at a time.
 */
#ifndef RMMHUNT_TEST_PE_BUILDER_H
#define RMMHUNT_TEST_PE_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define PB_SEC_RVA  0x1000u
#define PB_SEC_RAW  0x400u
#define PB_NAMES    0x18u
#define PB_LANGS    0x30u
#define PB_DATA	    0x50u
#define PB_BLOB(i)  (0x100u + (i)*0x2000u)
#define PB_MAX_BLOB 0x2000u
#define PB_MAX_IMG  (PB_SEC_RAW + PB_BLOB(4))

static inline void pb_put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void pb_put32(uint8_t *p, uint32_t v)
{
	pb_put16(p, v);
	pb_put16(p + 2, v >> 16);
}

/* A version blob under construction, at RVA @base. */
struct vblob {
	uint8_t data[PB_MAX_BLOB];
	size_t len;
	uint32_t base;
	bool blob_align; /* pad relative to the blob instead of the RVA */
};

static inline void vb_init(struct vblob *b, uint32_t base)
{
	memset(b, 0, sizeof(*b));
	b->base = base;
}

static inline void vb_align(struct vblob *b)
{
	uint32_t at = b->blob_align ? b->len : b->base + b->len;

	while (at & 3) {
		b->data[b->len++] = 0;
		at++;
	}
}

static inline void vb_utf16z(struct vblob *b, const char *ascii)
{
	for (; *ascii; ascii++, b->len += 2)
		pb_put16(b->data + b->len, (unsigned char)*ascii);
	pb_put16(b->data + b->len, 0);
	b->len += 2;
}

/* Starts a node: header (patched by vb_end), key, padding. Returns its start. */
static inline size_t vb_begin(struct vblob *b, const char *key)
{
	size_t start;

	if (b->len) /* the blob itself starts where the data entry says */
		vb_align(b);
	start = b->len;
	b->len += 6;
	vb_utf16z(b, key);
	vb_align(b);
	return start;
}

/* Ends the node at @start; @wlength 0 means the real length. */
static inline void vb_end(struct vblob *b, size_t start, uint16_t wlength, uint16_t wvalue_length,
			  uint16_t type)
{
	pb_put16(b->data + start, wlength ? wlength : (uint16_t)(b->len - start));
	pb_put16(b->data + start + 2, wvalue_length);
	pb_put16(b->data + start + 4, type);
}

/* A String node; @wvl < 0 means the right wValueLength (in words). */
static inline void vb_string_raw(struct vblob *b, const char *key, const uint16_t *units, size_t n,
				 int wvl, uint16_t wlength)
{
	size_t start = vb_begin(b, key);

	for (size_t i = 0; i < n; i++, b->len += 2)
		pb_put16(b->data + b->len, units[i]);
	pb_put16(b->data + b->len, 0);
	b->len += 2;
	vb_end(b, start, wlength, wvl < 0 ? (uint16_t)(n + 1) : (uint16_t)wvl, 1);
}

static inline void vb_string_wvl(struct vblob *b, const char *key, const char *value, int wvl)
{
	uint16_t units[512];
	size_t n = 0;

	for (; value[n] && n < 512; n++)
		units[n] = (unsigned char)value[n];
	vb_string_raw(b, key, units, n, wvl, 0);
}

static inline void vb_string(struct vblob *b, const char *key, const char *value)
{
	vb_string_wvl(b, key, value, -1);
}

/* VS_VERSION_INFO with a fixed info; returns its start for vb_end(..., 52, 0). */
static inline size_t vb_root(struct vblob *b, const char *key)
{
	size_t start = vb_begin(b, key);

	pb_put32(b->data + b->len, 0xfeef04bd);
	b->len += 52;
	return start;
}

static inline void vb_varfileinfo(struct vblob *b)
{
	size_t vfi = vb_begin(b, "VarFileInfo"), var = vb_begin(b, "Translation");

	pb_put32(b->data + b->len, 0x04b00409);
	b->len += 4;
	vb_end(b, var, 0, 4, 0);
	vb_end(b, vfi, 0, 0, 1);
}

struct pe_opts {
	uint16_t machine;  /* 0: AMD64 */
	bool pe32;	   /* PE32 instead of PE32+ */
	uint32_t misalign; /* added to every blob's RVA */
	uint32_t rsrc_rva; /* 0: the section's */
	uint16_t n_sections;
	void (*tree)(uint8_t *rsrc); /* edits the resource directory */
};

/* Writes the image into @img (PB_MAX_IMG bytes); returns its size. */
static inline size_t pe_build(uint8_t *img, const struct pe_opts *o, struct vblob *const *blobs,
			      int n)
{
	uint8_t *rsrc = img + PB_SEC_RAW;
	uint16_t opt_size = o->pe32 ? 224 : 240;
	uint32_t opt = 0x58, dirs = opt + (o->pe32 ? 96 : 112), sec = opt + opt_size;
	size_t rsrc_len = PB_BLOB(n);

	memset(img, 0, PB_MAX_IMG);
	img[0] = 'M';
	img[1] = 'Z';
	pb_put32(img + 0x3c, 0x40);
	memcpy(img + 0x40, "PE\0\0", 4);
	pb_put16(img + 0x44, o->machine ? o->machine : 0x8664);
	pb_put16(img + 0x46, o->n_sections ? o->n_sections : 1);
	pb_put16(img + 0x54, opt_size);
	pb_put16(img + opt, o->pe32 ? 0x10b : 0x20b);
	pb_put32(img + opt + 32, 0x1000);
	pb_put32(img + opt + 36, 0x200);
	pb_put32(img + opt + 60, PB_SEC_RAW);
	pb_put32(img + dirs - 4, 16);
	pb_put32(img + dirs + 16, o->rsrc_rva ? o->rsrc_rva : PB_SEC_RVA);
	pb_put32(img + dirs + 20, rsrc_len);
	memcpy(img + sec, ".rsrc", 5);
	pb_put32(img + sec + 8, rsrc_len);
	pb_put32(img + sec + 12, PB_SEC_RVA);
	pb_put32(img + sec + 16, rsrc_len);
	pb_put32(img + sec + 20, PB_SEC_RAW);

	pb_put16(rsrc + 14, 1);
	pb_put32(rsrc + 16, 16);
	pb_put32(rsrc + 20, 0x80000000u | PB_NAMES);
	pb_put16(rsrc + PB_NAMES + 14, 1);
	pb_put32(rsrc + PB_NAMES + 16, 1);
	pb_put32(rsrc + PB_NAMES + 20, 0x80000000u | PB_LANGS);
	pb_put16(rsrc + PB_LANGS + 14, n);
	for (int i = 0; i < n; i++) {
		pb_put32(rsrc + PB_LANGS + 16 + 8 * i, 0x409 + i);
		pb_put32(rsrc + PB_LANGS + 20 + 8 * i, PB_DATA + 16 * i);
		pb_put32(rsrc + PB_DATA + 16 * i, PB_SEC_RVA + PB_BLOB(i) + o->misalign);
		pb_put32(rsrc + PB_DATA + 16 * i + 4, blobs[i]->len);
		memcpy(rsrc + PB_BLOB(i) + o->misalign, blobs[i]->data, blobs[i]->len);
	}
	if (o->tree)
		o->tree(rsrc);
	return PB_SEC_RAW + rsrc_len;
}

/* The RVA blob @i of an image will have. */
static inline uint32_t pb_blob_rva(const struct pe_opts *o, int i)
{
	return PB_SEC_RVA + PB_BLOB(i) + o->misalign;
}

#endif
