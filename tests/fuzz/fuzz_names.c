/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Short strings from sysfs and uname:
 *   parse_zone_list()  an offline block's valid_zones, and plan_fallback()
 *                      on it: a refused online_kernel never falls back to
 *                      "online" unless a kernel zone comes first, and the
 *                      reason logged is printable whatever the input;
 *   parse_release()    uname's release.
 * Input: the string. */
#include <errno.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), zones[8][16], why[256];
	unsigned long major, minor;
	int n;

	n = parse_zone_list(s, zones, 8);
	CHECK(n == -EINVAL || (n >= 1 && n <= 8));
	for (int i = 0; i < n; i++)
		CHECK(zones[i][0] && strlen(zones[i]) < 16 && printable(zones[i]));
	CHECK(plan_fallback("online_movable", s, why, sizeof(why)));
	CHECK(printable(why));
	if (plan_fallback("online_kernel", s, why, sizeof(why)))
		CHECK(n >= 1 && strcmp(zones[0], "Movable") != 0 && strcmp(zones[0], "none") != 0);
	CHECK(printable(why));
	if (parse_release(s, &major, &minor) == 0)
		CHECK(major <= 9999 && minor <= 9999);
	free(s);
	return 0;
}
