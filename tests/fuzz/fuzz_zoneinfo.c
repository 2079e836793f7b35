/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse_zoneinfo(): /proc/zoneinfo, or the boot copy of it kept in /run
 * (which outlives the kernel that wrote it only if someone tampers).
 * Input: the file. */
#include "fuzz.h"

static struct zone_pages z;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size bytes, not NUL-terminated: the parser takes a length. */
	char *text = malloc(size ? size : 1);
	unsigned long long k = 0, m = 0;
	int r;

	CHECK(text != NULL);
	memcpy(text, data, size);
	r = parse_zoneinfo(text, size, &z);
	CHECK(r == 0 || r < 0);
	/* The totals are the sums of the per-node counts (modulo 2^64, as
	 * the parser adds and subtracts the same values from both). */
	for (size_t i = 0; i < ZONE_NODES; i++) {
		k += z.kernel[i];
		m += z.movable[i];
	}
	CHECK(k == z.kernel_total && m == z.movable_total);
	/* Without a "present" line nothing is counted (cma only moves pages
	 * already counted as kernel). */
	if (r < 0)
		CHECK(z.kernel_total == 0 && z.movable_total == 0 && k == 0 && m == 0);
	free(text);
	return 0;
}
