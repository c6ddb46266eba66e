// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "network/addr.h"
#include "network/iptype.h"

static const char *type_of(const char *text)
{
	unsigned char a[16];

	assert_int_equal(addr__parse(text, a), 0);
	return iptype__of(a);
}

#define assert_type(text, want) assert_string_equal(type_of(text), want)

static void iptype__of__v4_classes(void **state)
{
	assert_type("127.0.0.1", "Loopback");
	assert_type("127.255.255.254", "Loopback");
	assert_type("10.0.0.1", "Private");
	assert_type("172.16.0.1", "Private");
	assert_type("172.31.255.255", "Private");
	assert_type("172.32.0.1", "Public"); /* just past 172.16/12 */
	assert_type("192.168.1.1", "Private");
	assert_type("100.64.0.1", "Private");
	assert_type("100.128.0.1", "Public"); /* just past 100.64/10 */
	assert_type("255.255.255.255", "Broadcast");
	assert_type("0.0.0.0", "Reserved");
	assert_type("169.254.169.254", "Reserved");
	assert_type("224.0.0.251", "Reserved");
	assert_type("239.255.255.250", "Reserved");
	assert_type("240.0.0.1", "Reserved");
	assert_type("255.255.255.254", "Reserved");
	assert_type("192.0.2.1", "Reserved");
	assert_type("198.51.100.1", "Reserved");
	assert_type("203.0.113.1", "Reserved");
	assert_type("198.18.0.1", "Reserved");
	assert_type("198.19.255.255", "Reserved");
	assert_type("198.20.0.1", "Public");
	assert_type("8.8.8.8", "Public");
	assert_type("1.1.1.1", "Public");
	assert_type("223.255.255.255", "Public");
}

static void iptype__of__v6_classes(void **state)
{
	assert_type("::1", "Loopback");
	assert_type("::", "Reserved");
	assert_type("2001:4860:4860::8888", "Public");
	assert_type("2606:4700::1111", "Public");
	assert_type("2002:c000:201::1", "Public"); /* 6to4: a global address */
	assert_type("fd00::1", "Private");
	assert_type("fc00::1", "Private");
	assert_type("fe80::1", "Reserved");
	assert_type("fec0::1", "Reserved");
	assert_type("ff02::fb", "Reserved");
	assert_type("2001:db8::1", "Reserved");
	assert_type("3fff::1", "Reserved");
	assert_type("2001:2::1", "Reserved");
	assert_type("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo");
	assert_type("64:ff9b::192.0.2.1", "FourToSixMapping");
	assert_type("64:ff9b:1::c000:201", "FourToSixMapping");
	assert_type("::ffff:0:192.0.2.1", "FourToSixMapping");
	assert_type("4000::1", "Reserved");	/* outside 2000::/3: unallocated */
	assert_type("::192.0.2.1", "Reserved"); /* deprecated IPv4-compatible */
}

static void iptype__of__v4_mapped__its_ipv4_class(void **state)
{
	assert_type("::ffff:127.0.0.1", "Loopback");
	assert_type("::ffff:10.1.2.3", "Private");
	assert_type("::ffff:8.8.8.8", "Public");
	assert_type("::ffff:255.255.255.255", "Broadcast");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(iptype__of__v4_classes),
	    cmocka_unit_test(iptype__of__v6_classes),
	    cmocka_unit_test(iptype__of__v4_mapped__its_ipv4_class),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
