/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse_iomem(): /proc/iomem, whose innermost "System RAM" range holding a
 * block's address tells auto-movable which blocks the kernel registered
 * in one go, and dax kmem memory from a DIMM.  Input: 8 bytes of address,
 * then the file. */
#include <errno.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long addr = 0;
	struct iomem_range r;
	unsigned line;
	char *text;
	int found;

	if (size < 8)
		return 0;
	memcpy(&addr, data, 8);
	/* Exactly the bytes, not NUL-terminated: the parser takes a length. */
	text = malloc(size - 8 ? size - 8 : 1);
	CHECK(text != NULL);
	memcpy(text, data + 8, size - 8);
	found = parse_iomem(text, size - 8, addr, &r, &line);
	CHECK(found == 1 || found == 0 || found == -EINVAL);
	CHECK(line <= size - 8 + 1);
	if (found == 1) {
		CHECK(r.start <= addr && addr <= r.stop);
		CHECK(strlen(r.owner) < sizeof(r.owner));
		CHECK(strchr(r.owner, '\n') == NULL);
	}
	if (found == 0)
		CHECK(r.start == 0 && r.stop == 0 && r.owner[0] == '\0');
	free(text);
	return 0;
}
