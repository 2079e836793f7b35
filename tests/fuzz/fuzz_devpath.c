/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DEVPATH, device names, indexes and ACTION: what udev and the command
 * line hand the helper.  Input: up to four NUL-separated fields. */
#include "fuzz.h"

static void check_index(const char *s)
{
	unsigned long v = 12345;
	char back[32];

	if (parse_index(s, &v) < 0)
		return;
	/* Accepted means canonical: prints back to exactly the input. */
	CHECK(v <= 999999999UL);
	snprintf(back, sizeof(back), "%lu", v);
	CHECK(strcmp(back, s) == 0);
}

static void check_device(const char *s)
{
	struct device d;

	memset(&d, 0xa5, sizeof(d));
	if (parse_device(s, &d) < 0)
		return;
	CHECK(d.type == DEV_MEMORY || d.type == DEV_CPU);
	CHECK(memchr(d.name, '\0', sizeof(d.name)) != NULL);
	CHECK(strcmp(d.name, s) == 0);
	CHECK(strncmp(s, d.type == DEV_MEMORY ? "memory" : "cpu", d.type == DEV_MEMORY ? 6 : 3) == 0);
}

static void check_devpath(const char *s)
{
	struct device d;
	char canon[64];

	memset(&d, 0xa5, sizeof(d));
	if (parse_devpath(s, &d) < 0)
		return;
	CHECK(d.type == DEV_MEMORY || d.type == DEV_CPU);
	CHECK(memchr(d.name, '\0', sizeof(d.name)) != NULL);
	/* Success means the input was exactly the canonical path of the
	 * device it names: nothing before, after or in between. */
	snprintf(canon, sizeof(canon), "/devices/system/%s/%s",
		 d.type == DEV_MEMORY ? "memory" : "cpu", d.name);
	CHECK(strcmp(canon, s) == 0);
	CHECK(!strstr(s, "..") && !strstr(s, "//"));
}

/* The other direction: every valid index makes a path that is accepted
 * and parses back to the same device (catches a too-tight bound). */
static void check_constructed(const uint8_t *data, size_t size)
{
	uint32_t raw = 0;
	unsigned long idx;
	char path[64], name[32];
	struct device d;

	memcpy(&raw, data, size < 4 ? size : 4);
	idx = raw % 1000000000UL;
	if (size > 4 && data[4] & 1)
		idx = 999999999UL - (raw & 0xff);   /* the edge of the range */
	for (int t = 0; t < 2; t++) {
		const char *kind = t ? "cpu" : "memory";

		snprintf(name, sizeof(name), "%s%lu", kind, idx);
		snprintf(path, sizeof(path), "/devices/system/%s/%s", kind, name);
		CHECK(parse_devpath(path, &d) == 0);
		CHECK(d.index == idx && d.type == (t ? DEV_CPU : DEV_MEMORY));
		CHECK(strcmp(d.name, name) == 0);
		CHECK(parse_device(name, &d) == 0 && d.index == idx);
	}
	/* Ten digits is one too many. */
	snprintf(path, sizeof(path), "/devices/system/memory/memory1%09lu", idx);
	CHECK(parse_devpath(path, &d) < 0);
}

/* The values the header documents. */
_Static_assert(ACT_BAD == -1 && ACT_OTHER == 0 && ACT_ADD == 1 && ACT_ONLINE == 2 &&
	       ACT_OFFLINE == 3 && ACT_REMOVE == 4, "enum action changed");

/* add, online, offline and remove are named; udev's other actions are
 * known and not ours; anything else is not something udev sends. */
static void check_action(const char *s)
{
	static const char *const others[] = { "change", "move", "bind", "unbind" };
	enum action r = parse_action(s), want = ACT_BAD;

	if (strcmp(s, "add") == 0)
		want = ACT_ADD;
	else if (strcmp(s, "online") == 0)
		want = ACT_ONLINE;
	else if (strcmp(s, "offline") == 0)
		want = ACT_OFFLINE;
	else if (strcmp(s, "remove") == 0)
		want = ACT_REMOVE;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (strcmp(s, others[i]) == 0)
			want = ACT_OTHER;
	CHECK(r == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_str(data, size);
	const char *field;

	/* Each NUL-separated field (ACTION, DEVPATH, SUBSYSTEM and one
	 * more) goes through every parser. */
	for (size_t off = 0, i = 0; off <= size && i < 4; off += strlen(buf + off) + 1, i++) {
		field = buf + off;
		check_index(field);
		check_device(field);
		check_devpath(field);
		check_action(field);
		if (off == size)
			break;
	}
	check_constructed(data, size);
	free(buf);
	return 0;
}
