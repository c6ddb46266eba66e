// SPDX-License-Identifier: MIT
/* pe.c: version info of images built in memory by pe_builder.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "identity/pe.h"
#include "pe_builder.h"

static uint8_t img[PB_MAX_IMG + (1 << 20)];
static struct vblob blobs[4];
static struct pe_info info;

static const char *const atera[][2] = {
    {"CompanyName", "Atera Networks Ltd."},
    {"ProductName", "AteraAgent"},
    {"FileVersion", "1.8.7.2"},
    {"OriginalFilename", "AteraAgent.exe"},
    {"InternalName", "AteraAgent"},
    {"FileDescription", "AteraAgent service"},
    {"ProductVersion", "1.8.7.2"},
};
#define N_ATERA (sizeof(atera) / sizeof(atera[0]))

static const char *const decoy[][2] = {
    {"CompanyName", "Microsoft Corporation"},
    {"ProductName", "Windows"},
};

/* A string table of @n (key, value) pairs. */
static void table(struct vblob *b, const char *lang, const char *const (*kv)[2], size_t n)
{
	size_t t = vb_begin(b, lang);

	for (size_t i = 0; i < n; i++)
		vb_string(b, kv[i][0], kv[i][1]);
	vb_end(b, t, 0, 0, 1);
}

/* VS_VERSION_INFO -> StringFileInfo -> @n_tables tables, VarFileInfo first or last. */
static void version(struct vblob *b, uint32_t base, bool var_first, const char *const (*t1)[2],
		    size_t n1, const char *const (*t2)[2], size_t n2)
{
	size_t root, sfi;

	vb_init(b, base);
	root = vb_root(b, "VS_VERSION_INFO");
	if (var_first)
		vb_varfileinfo(b);
	sfi = vb_begin(b, "StringFileInfo");
	table(b, "040904b0", t1, n1);
	if (t2)
		table(b, "040704b0", t2, n2);
	vb_end(b, sfi, 0, 0, 1);
	if (!var_first)
		vb_varfileinfo(b);
	vb_end(b, root, 0, 52, 0);
}

static int parse(const uint8_t *data, size_t len)
{
	struct pe_source src;

	pe_source__init_mem(&src, data, len);
	return pe__parse(&src, &info);
}

static size_t atera_image(const struct pe_opts *o)
{
	struct vblob *b = &blobs[0];

	version(b, pb_blob_rva(o, 0), false, atera, N_ATERA, NULL, 0);
	return pe_build(img, o, &b, 1);
}

static void assert_atera(void)
{
	for (size_t i = 0; i < N_ATERA; i++) {
		int f;

		for (f = 0; f < PE_VI__COUNT; f++)
			if (!strcmp(pe__field_key(f), atera[i][0]))
				break;
		assert_int_not_equal(f, PE_VI__COUNT);
		assert_true(info.has[f]);
		assert_string_equal(info.value[f], atera[i][1]);
	}
	assert_int_equal(info.n_companies, 1);
	assert_string_equal(info.companies[0], "Atera Networks Ltd.");
}

static size_t utf8(const uint16_t *units, size_t n, char *out, size_t cap)
{
	uint8_t raw[64];

	for (size_t i = 0; i < n; i++)
		pb_put16(raw + 2 * i, units[i]);
	return pe__utf16_to_utf8(raw, 2 * n, out, cap);
}

static void utf16__surrogates_and_bad_units__joined_or_replaced(void **state)
{
	const uint16_t pair[] = {'A', 0xd83d, 0xde00, 'B'};
	const uint16_t lone[] = {0xd800, 'x', 0xdc00, 0xd800};
	const uint16_t nul[] = {'a', 0, 'b'};
	const uint16_t bmp[] = {0xe9, 0x20ac};
	uint8_t odd[] = {'h', 0, 'i'};
	char out[64];

	assert_int_equal(utf8(pair, 4, out, sizeof(out)), 6);
	assert_string_equal(out, "A\xf0\x9f\x98\x80"
				 "B");
	utf8(lone, 4, out, sizeof(out));
	assert_string_equal(out, "\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd");
	utf8(nul, 3, out, sizeof(out));
	assert_string_equal(out, "a");
	utf8(bmp, 2, out, sizeof(out));
	assert_string_equal(out, "\xc3\xa9\xe2\x82\xac");
	pe__utf16_to_utf8(odd, sizeof(odd), out, sizeof(out));
	assert_string_equal(out, "h\xef\xbf\xbd");
	/* Cut on a character boundary: é (2 bytes) fits in 4, € (3) does not. */
	assert_int_equal(utf8(bmp, 2, out, 4), 2);
	assert_string_equal(out, "\xc3\xa9");
}

static void parse__pe32plus_amd64__reports_the_strings(void **state)
{
	struct pe_opts o = {0};

	assert_int_equal(parse(img, atera_image(&o)), 0);
	assert_true(info.pe32plus);
	assert_int_equal(info.machine, PE_MACHINE_AMD64);
	assert_int_equal(info.n_version_res, 1);
	assert_int_equal(info.n_tables, 1);
	assert_null(info.error);
	assert_atera();
}

static void parse__pe32_i386_and_arm64__report_the_strings(void **state)
{
	struct pe_opts pe32 = {.pe32 = true, .machine = PE_MACHINE_I386};
	struct pe_opts arm64 = {.machine = PE_MACHINE_ARM64};

	assert_int_equal(parse(img, atera_image(&pe32)), 0);
	assert_false(info.pe32plus);
	assert_int_equal(info.machine, PE_MACHINE_I386);
	assert_atera();
	assert_int_equal(parse(img, atera_image(&arm64)), 0);
	assert_true(info.pe32plus);
	assert_int_equal(info.machine, PE_MACHINE_ARM64);
	assert_atera();
}

static void parse__decoy_table_first__first_table_reported_all_companies_listed(void **state)
{
	struct pe_opts o = {0};
	struct vblob *b = &blobs[0];

	version(b, pb_blob_rva(&o, 0), true, decoy, 2, atera, N_ATERA);
	assert_int_equal(parse(img, pe_build(img, &o, &b, 1)), 0);
	assert_string_equal(info.value[PE_VI_COMPANY_NAME], "Microsoft Corporation");
	assert_string_equal(info.value[PE_VI_PRODUCT_NAME], "Windows");
	assert_false(info.has[PE_VI_FILE_VERSION]);
	assert_int_equal(info.n_tables, 2);
	assert_int_equal(info.n_companies, 2);
	assert_string_equal(info.companies[0], "Microsoft Corporation");
	assert_string_equal(info.companies[1], "Atera Networks Ltd.");
}

static void parse__two_version_resources__first_reported_both_listed(void **state)
{
	struct pe_opts o = {0};
	struct vblob *b[2] = {&blobs[0], &blobs[1]};

	version(b[0], pb_blob_rva(&o, 0), false, atera, N_ATERA, NULL, 0);
	version(b[1], pb_blob_rva(&o, 1), false, decoy, 2, NULL, 0);
	assert_int_equal(parse(img, pe_build(img, &o, b, 2)), 0);
	assert_int_equal(info.n_version_res, 2);
	assert_string_equal(info.value[PE_VI_COMPANY_NAME], "Atera Networks Ltd.");
	assert_string_equal(info.value[PE_VI_FILE_VERSION], "1.8.7.2");
	assert_int_equal(info.n_companies, 2);
	assert_string_equal(info.companies[1], "Microsoft Corporation");
}

/* Every wrong wValueLength gives the same value: the node's, up to NUL. */
static void parse__wrong_wvaluelength__value_read_to_nul(void **state)
{
	const int wvls[] = {0, 1, 3, 40 /* bytes */, 0xffff};
	struct pe_opts o = {0};
	struct vblob *b = &blobs[0];

	for (size_t i = 0; i < sizeof(wvls) / sizeof(wvls[0]); i++) {
		size_t root, sfi, t;

		vb_init(b, pb_blob_rva(&o, 0));
		root = vb_root(b, "VS_VERSION_INFO");
		sfi = vb_begin(b, "StringFileInfo");
		t = vb_begin(b, "040904b0");
		vb_string_wvl(b, "CompanyName", "Atera Networks Ltd.", wvls[i]);
		vb_string_wvl(b, "ProductName", "AteraAgent", wvls[i]);
		vb_end(b, t, 0, 0, 1);
		vb_end(b, sfi, 0, 0, 1);
		vb_end(b, root, 0, 52, 0);
		assert_int_equal(parse(img, pe_build(img, &o, &b, 1)), 0);
		assert_string_equal(info.value[PE_VI_COMPANY_NAME], "Atera Networks Ltd.");
		assert_string_equal(info.value[PE_VI_PRODUCT_NAME], "AteraAgent");
	}
}

static void parse__empty_and_duplicate_values__first_kept_empty_is_present(void **state)
{
	static const char *const kv[][2] = {
	    {"companyname", ""}, /* keys match without regard to case */
	    {"CompanyName", "Second"},
	    {"ProductName", "P"},
	};
	struct pe_opts o = {0};
	struct vblob *b = &blobs[0];

	version(b, pb_blob_rva(&o, 0), false, kv, 3, NULL, 0);
	assert_int_equal(parse(img, pe_build(img, &o, &b, 1)), 0);
	assert_true(info.has[PE_VI_COMPANY_NAME]);
	assert_string_equal(info.value[PE_VI_COMPANY_NAME], "");
	assert_int_equal(info.n_companies, 0); /* empty names are not listed */
}

static void parse__string_longer_than_its_table__clamped_and_reported(void **state)
{
	struct pe_opts o = {0};
	struct vblob *b = &blobs[0];
	const uint16_t value[] = {'A', 't', 'e', 'r', 'a'};
	size_t root, sfi, t;

	vb_init(b, pb_blob_rva(&o, 0));
	root = vb_root(b, "VS_VERSION_INFO");
	sfi = vb_begin(b, "StringFileInfo");
	t = vb_begin(b, "040904b0");
	vb_string_raw(b, "CompanyName", value, 5, -1, 0xffff);
	vb_end(b, t, 0, 0, 1);
	vb_end(b, sfi, 0, 0, 1);
	vb_end(b, root, 0, 52, 0);
	assert_int_equal(parse(img, pe_build(img, &o, &b, 1)), -EBADMSG);
	assert_string_equal(info.error, "version info length exceeds its parent");
	assert_string_equal(info.value[PE_VI_COMPANY_NAME], "Atera");
}

static void parse__misaligned_blob_padded_either_way__read(void **state)
{
	struct pe_opts o = {.misalign = 2};
	struct vblob *b = &blobs[0];

	for (int blob_align = 0; blob_align < 2; blob_align++) {
		vb_init(b, pb_blob_rva(&o, 0));
		b->blob_align = blob_align;
		{
			size_t root = vb_root(b, "VS_VERSION_INFO");
			size_t sfi = vb_begin(b, "StringFileInfo");

			table(b, "040904b0", atera, N_ATERA);
			vb_end(b, sfi, 0, 0, 1);
			vb_end(b, root, 0, 52, 0);
		}
		assert_int_equal(parse(img, pe_build(img, &o, &b, 1)), 0);
		assert_atera();
	}
}

static void loop_to_root(uint8_t *rsrc)
{
	pb_put32(rsrc + PB_NAMES + 20, 0x80000000u);
}

static void loop_to_self(uint8_t *rsrc)
{
	pb_put32(rsrc + PB_LANGS + 20, 0x80000000u | PB_LANGS);
}

static void huge_counts(uint8_t *rsrc)
{
	pb_put16(rsrc + PB_NAMES + 12, 0xffff);
	pb_put16(rsrc + PB_NAMES + 14, 0xffff);
}

static void parse__resource_loops_and_huge_counts__bounded_and_reported(void **state)
{
	struct pe_opts root = {.tree = loop_to_root}, self = {.tree = loop_to_self};
	struct pe_opts counts = {.tree = huge_counts};

	assert_int_equal(parse(img, atera_image(&root)), -EBADMSG);
	assert_string_equal(info.error, "resource directory loop");
	assert_int_equal(info.n_version_res, 0);
	assert_int_equal(parse(img, atera_image(&self)), -EBADMSG);
	assert_string_equal(info.error, "resource directory loop");
	assert_int_equal(info.n_version_res, 0);
	/* The first name entry is real: read it, then stop at the cap. */
	assert_int_equal(parse(img, atera_image(&counts)), -EBADMSG);
	assert_non_null(info.error);
	assert_atera();
}

static void parse__bad_headers__not_pe_or_malformed(void **state)
{
	struct pe_opts o = {0}, outside = {.rsrc_rva = 0x7fff0000};
	struct pe_opts sections = {.n_sections = 0xffff};
	static const uint8_t elf[] = "\x7f"
				     "ELF\2\1\1";
	size_t len;

	assert_int_equal(parse(elf, sizeof(elf)), -ENOEXEC);
	assert_int_equal(parse((const uint8_t *)"MZ", 2), -ENOEXEC);
	assert_int_equal(parse(img, 0), -ENOEXEC);
	len = atera_image(&o);
	img[0x40] = 'X'; /* no PE signature: a DOS program */
	assert_int_equal(parse(img, len), -ENOEXEC);
	len = atera_image(&o);
	pb_put16(img + 0x58, 0x107); /* ROM image */
	assert_int_equal(parse(img, len), -ENOEXEC);
	len = atera_image(&o);
	img[PB_SEC_RAW + PB_BLOB(0) + 6] = 'X'; /* XS_VERSION_INFO */
	assert_int_equal(parse(img, len), -EBADMSG);
	assert_string_equal(info.error, "bad VS_VERSIONINFO header");
	assert_int_equal(parse(img, atera_image(&outside)), -EBADMSG);
	assert_string_equal(info.error, "resource directory outside the file");
	assert_int_equal(parse(img, atera_image(&sections)), -EBADMSG);
	assert_string_equal(info.error, "too many sections");
	assert_atera();
}

/* Every prefix of an image parses to an error or to prefixes of its strings. */
static void parse__every_truncation__no_overread_and_prefixes_only(void **state)
{
	struct pe_opts o = {0};
	size_t len = atera_image(&o);
	uint8_t *copy;

	for (size_t cut = 0; cut <= len; cut++) {
		int err;

		/* An exact-size heap copy, so ASan sees any read past the end. */
		copy = malloc(cut ? cut : 1);
		assert_non_null(copy);
		memcpy(copy, img, cut);
		err = parse(copy, cut);
		free(copy);
		assert_true(err == 0 || err == -EBADMSG || err == -ENOEXEC);
		assert_true(err != 0 || cut == len || info.n_version_res == 1);
		for (int f = 0; f < PE_VI__COUNT; f++) {
			if (!info.has[f])
				continue;
			for (size_t i = 0; i < N_ATERA; i++) {
				const char *v = info.value[f];
				size_t n = strlen(v);

				if (strcmp(atera[i][0], pe__field_key(f)))
					continue;
				/* A cut inside a unit ends in U+FFFD. */
				if (n >= 3 && !strcmp(v + n - 3, "\xef\xbf\xbd"))
					n -= 3;
				assert_memory_equal(v, atera[i][1], n);
			}
		}
	}
}

/*
 * Through an fd the parser reads headers and resources only: an 8 MiB file
 * costs a few KiB of reads, whatever its size.
 */
static void parse__from_fd__reads_only_what_it_needs(void **state)
{
	char path[] = "/tmp/test_pe.XXXXXX";
	struct pe_opts o = {0};
	struct pe_source src;
	size_t len = atera_image(&o);
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, img, len), (ssize_t)len);
	assert_int_equal(ftruncate(fd, 8 << 20), 0);
	pe_source__init_fd(&src, fd, 8 << 20);
	assert_int_equal(pe__parse(&src, &info), 0);
	assert_atera();
	assert_true(PE_READ_BUDGET - src.budget <= 4 * PE_WINDOW_SIZE);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(utf16__surrogates_and_bad_units__joined_or_replaced),
	    cmocka_unit_test(parse__pe32plus_amd64__reports_the_strings),
	    cmocka_unit_test(parse__pe32_i386_and_arm64__report_the_strings),
	    cmocka_unit_test(parse__decoy_table_first__first_table_reported_all_companies_listed),
	    cmocka_unit_test(parse__two_version_resources__first_reported_both_listed),
	    cmocka_unit_test(parse__wrong_wvaluelength__value_read_to_nul),
	    cmocka_unit_test(parse__empty_and_duplicate_values__first_kept_empty_is_present),
	    cmocka_unit_test(parse__string_longer_than_its_table__clamped_and_reported),
	    cmocka_unit_test(parse__misaligned_blob_padded_either_way__read),
	    cmocka_unit_test(parse__resource_loops_and_huge_counts__bounded_and_reported),
	    cmocka_unit_test(parse__bad_headers__not_pe_or_malformed),
	    cmocka_unit_test(parse__every_truncation__no_overread_and_prefixes_only),
	    cmocka_unit_test(parse__from_fd__reads_only_what_it_needs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
