// SPDX-License-Identifier: MIT
/*
 * Fuzzes the PE version-info parser through the same bounded pe_source the
 * fd path uses. Checks what callers rely on: every reported string is valid
 * UTF-8 within its buffer, and the error says why whenever -EBADMSG is given.
 * Sources: tests/fuzz/fuzz_pe.c user/identity/pe.c user/base/json_writer.c
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_writer.h"
#include "base/utf8.h"
#include "identity/pe.h"

static struct pe_info info;

static void check(const char *s)
{
	size_t n = strnlen(s, PE_VI_VALUE_MAX);

	if (n == PE_VI_VALUE_MAX || !utf8__valid(s, n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_source src;
	int err;

	pe_source__init_mem(&src, data, size);
	err = pe__parse(&src, &info);
	if (err != 0 && err != -EBADMSG && err != -ENOEXEC && err != -E2BIG)
		abort();
	if ((err == -EBADMSG) != (info.error != NULL) && err != -ENOEXEC)
		abort();
	for (int f = 0; f < PE_VI__COUNT; f++)
		check(info.value[f]);
	if (info.n_companies > PE_VI_MAX_COMPANIES)
		abort();
	for (unsigned int i = 0; i < info.n_companies; i++)
		check(info.companies[i]);
	return 0;
}
