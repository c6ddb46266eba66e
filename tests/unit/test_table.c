// SPDX-License-Identifier: MIT
/* table: the Defender tables a query can name, their columns and "did you mean". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "table.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct table_desc *find(const char *name)
{
	return table__find(name, strlen(name));
}

static void table__find__three_tables__case_sensitive(void **state)
{
	assert_ptr_equal(find("DeviceProcessEvents"), &tables[TABLE_PROCESS]);
	assert_ptr_equal(find("DeviceFileCertificateInfo"), &tables[TABLE_CERTIFICATE]);
	assert_ptr_equal(find("DeviceNetworkEvents"), &tables[TABLE_NETWORK]);
	assert_null(find("deviceprocessevents"));
	assert_null(find("DeviceEvents"));
	assert_true(tables[TABLE_PROCESS].produced);
	assert_true(tables[TABLE_NETWORK].produced);
}

static void table__columns__every_record_starts_with_the_common_four(void **state)
{
	static const char *const first[] = {"Timestamp", "DeviceId", "DeviceName", "ReportId"};

	for (size_t t = 0; t < TABLE__COUNT; t++)
		for (size_t i = 0; i < N(first); i++)
			assert_string_equal(tables[t].fields[i].name, first[i]);
	/* the process table is the event record's own column table */
	assert_ptr_equal(tables[TABLE_PROCESS].fields, event_fields);
	assert_int_equal(tables[TABLE_PROCESS].nfields, FIELD__COUNT);
}

static void table__columns__filled_or_empty_with_defender_types(void **state)
{
	const struct table_desc *net = &tables[TABLE_NETWORK], *cert = &tables[TABLE_CERTIFICATE];
	const struct field_desc *c;

	assert_int_equal(net->fields[table__field(net, "RemotePort", 10)].type, FT_LONG);
	assert_int_equal(cert->fields[table__field(cert, "IsSigned", 8)].type, FT_BOOL);
	assert_int_equal(cert->fields[table__field(cert, "CertificateExpirationTime", 25)].type,
			 FT_TIME);
	assert_int_equal(table__field(net, "AccountUpn", 10), -1);
	assert_null(table__empty_column(net, "AccountUpn", 10));
	c = table__empty_column(net, "InitiatingProcessAccountUpn", 27);
	assert_non_null(c);
	assert_int_equal(c->type, FT_STRING);
	c = table__empty_column(&tables[TABLE_PROCESS], "LogonId", 7);
	assert_non_null(c);
	assert_int_equal(c->type, FT_LONG);
	/* a column is either filled or empty, never both */
	for (size_t t = 0; t < TABLE__COUNT; t++)
		for (size_t i = 0; i < tables[t].nempty; i++)
			assert_int_equal(table__field(&tables[t], tables[t].empty[i].name,
						      strlen(tables[t].empty[i].name)),
					 -1);
}

static void table__nearest__suffix_case_or_edits(void **state)
{
	static const struct {
		int table;
		const char *name, *want;
	} cases[] = {
	    {TABLE_NETWORK, "AccountUpn", "InitiatingProcessAccountUpn"},
	    {TABLE_NETWORK, "FileName", "InitiatingProcessFileName"},
	    {TABLE_PROCESS, "filename", "FileName"},
	    {TABLE_PROCESS, "FileNam", "FileName"},
	    {TABLE_PROCESS, "ProcessVersionInfoCompanyNam", "ProcessVersionInfoCompanyName"},
	    {TABLE_CERTIFICATE, "Signr", "Signer"},
	    {TABLE_PROCESS, "Zebra", NULL},
	    {TABLE_PROCESS, "", NULL},
	};

	for (size_t i = 0; i < N(cases); i++) {
		const char *got =
		    table__nearest(&tables[cases[i].table], cases[i].name, strlen(cases[i].name));

		if (!cases[i].want)
			assert_null(got);
		else
			assert_string_equal(got ? got : "(none)", cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table__find__three_tables__case_sensitive),
	    cmocka_unit_test(table__columns__every_record_starts_with_the_common_four),
	    cmocka_unit_test(table__columns__filled_or_empty_with_defender_types),
	    cmocka_unit_test(table__nearest__suffix_case_or_edits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
