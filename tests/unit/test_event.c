// SPDX-License-Identifier: MIT
/* event: the DeviceProcessEvents record, its columns and values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "event.h"

static void set__strings_lists_numbers__read_back_and_copied(void **state)
{
	const char *names[] = {"Atera Networks Ltd.", "Decoy Inc"};
	struct event e, copy;
	const char *it;

	event__init(&e);
	event__init(&copy);
	assert_int_equal(event__field_lookup("ProcessVersionInfoCompanyName"),
			 FIELD_PROCESS_VERSION_INFO_COMPANY_NAME);
	assert_int_equal(event__field_lookup("processversioninfocompanyname"), -1);

	event__set_str(&e, FIELD_FILE_NAME, "a.exe");
	event__set_strn(&e, FIELD_FOLDER_PATH, "/x\0hidden", 9); /* cut at the NUL */
	event__set_list(&e, FIELD_VERSION_INFO_COMPANY_NAMES, names, 2);
	event__set_long(&e, FIELD_PROCESS_ID, 99);
	for (int i = 0; i < 100; i++) /* grow the arena: earlier values stay valid */
		event__set_fmt(&e, FIELD_PROCESS_COMMAND_LINE, "arg %d", i);
	assert_string_equal(event__str(&e, FIELD_FILE_NAME), "a.exe");
	assert_string_equal(event__str(&e, FIELD_FOLDER_PATH), "/x");
	assert_string_equal(event__str(&e, FIELD_PROCESS_COMMAND_LINE), "arg 99");
	assert_int_equal(event__long(&e, FIELD_PROCESS_ID), 99);
	assert_null(event__str(&e, FIELD_SHA1));

	assert_int_equal(event__copy(&copy, &e), 0);
	event__reset(&e);
	assert_false(event__isset(&e, FIELD_FILE_NAME));
	assert_int_equal(event__list_count(&copy, FIELD_VERSION_INFO_COMPANY_NAMES), 2);
	it = event__list_next(&copy, FIELD_VERSION_INFO_COMPANY_NAMES, NULL);
	assert_string_equal(it, "Atera Networks Ltd.");
	it = event__list_next(&copy, FIELD_VERSION_INFO_COMPANY_NAMES, it);
	assert_string_equal(it, "Decoy Inc");
	assert_null(event__list_next(&copy, FIELD_VERSION_INFO_COMPANY_NAMES, it));
	event__free(&e);
	event__free(&copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(set__strings_lists_numbers__read_back_and_copied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
