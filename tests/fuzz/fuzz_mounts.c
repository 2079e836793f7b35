/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the after-the-hot-add steps read (burst.c, logger.c):
 *   parse_mountinfo()  each line of /proc/self/mountinfo: a mount point
 *                      that is absolute, unescaped, with no newline, and
 *                      every field inside the line; then has_option() and
 *                      option_number() on its options, as the tmpfs step
 *                      reads size= and nr_inodes=;
 *   parse_list()       a cpuset's cpus or mems, or node/has_memory: what
 *                      format_list() writes back parses to the same bits;
 *   parse_meminfo()    /proc/meminfo's MemTotal;
 *   tmpfs_share()      never more than 100 %, and the share it finds gives
 *                      back the size by mm/shmem.c's rounding.
 * Input: the text (lines). */
#include <errno.h>

#include "fuzz.h"

#define LIST_MAX 4096

static void one_line(char *line)
{
	char *end = line + strlen(line);
	struct mount m;
	unsigned long long v;

	if (parse_mountinfo(line, &m) < 0)
		return;
	CHECK(m.point[0] == '/' && !strchr(m.point, '\n'));
	CHECK(m.point >= line && m.point < end && m.options >= line && m.options < end);
	CHECK(m.fstype >= line && m.fstype < end && m.source >= line && m.source < end);
	CHECK(m.super >= line && m.super < end && *m.fstype && *m.super);
	(void)has_option(m.super, "cpuset");
	if (option_number(m.super, "size=", &v) == 0)
		CHECK(strstr(m.super, "size="));
}

static void list(const char *s)
{
	static unsigned long bits[BITMAP_LONGS(LIST_MAX)], again[BITMAP_LONGS(LIST_MAX)];
	static char text[LIST_MAX * 6];

	if (parse_list(s, bits, LIST_MAX) < 0)
		return;
	format_list(bits, LIST_MAX, text, sizeof(text));
	CHECK(parse_list(text, again, LIST_MAX) == 0);
	CHECK(memcmp(bits, again, sizeof(bits)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *copy = strdup(s), *line, *next;
	unsigned long long kb;
	unsigned pct;

	CHECK(copy);
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		list(line);
		one_line(line);
	}
	if (parse_meminfo(s, "MemTotal", &kb) == 0 && kb > 0 && kb < (1ULL << 40)) {
		unsigned long long total = kb / 4, pages = size * 7919 % (total + 1);

		pct = tmpfs_share(pages, total, 4096);
		CHECK(pct <= 100);
		if (pct && pages != total / 2)
			CHECK(pages == (pct * total * 4096 / 100 + 4095) / 4096);
	}
	free(copy);
	free(s);
	return 0;
}
