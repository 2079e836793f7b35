/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers of sysfs attribute contents and names: state, online,
 * block_size_bytes, valid_zones, node<N> link names.  Input: one byte
 * choosing a buffer size, then the text. */
#include <ctype.h>

#include "fuzz.h"

static void check_state(const char *s)
{
	static const char *const name[] = {
		[ST_ONLINE] = "online", [ST_OFFLINE] = "offline", [ST_GOING_OFFLINE] = "going-offline",
	};
	enum mem_state st = parse_state(s);

	CHECK(st == ST_ONLINE || st == ST_OFFLINE || st == ST_GOING_OFFLINE || st == ST_UNKNOWN);
	if (st != ST_UNKNOWN)
		CHECK(strcmp(s, name[st]) == 0);
	else
		for (size_t i = 0; i < 3; i++)
			CHECK(strcmp(s, name[i]) != 0);
}

static void check_cpu_online(const char *s)
{
	int r = parse_cpu_online(s);

	CHECK(r == (strcmp(s, "1") == 0 ? 1 : strcmp(s, "0") == 0 ? 0 : -1));
}

static void check_block_size(const char *s)
{
	unsigned long long v = 7;
	char back[32];
	const char *digits = s;

	if (parse_block_size(s, &v) < 0) {
		CHECK(v == 7);   /* untouched on failure */
		return;
	}
	CHECK(v != 0 && (v & (v - 1)) == 0);
	/* Hex digits only, and it prints back modulo case and leading zeros. */
	while (*digits == '0' && digits[1])
		digits++;
	snprintf(back, sizeof(back), "%llx", v);
	CHECK(strcasecmp(back, digits) == 0);
}

static void check_node_name(const char *s)
{
	unsigned long node;
	char back[32];

	if (parse_node_name(s, &node) < 0)
		return;
	snprintf(back, sizeof(back), "node%lu", node);
	CHECK(strcmp(back, s) == 0);
}

static void check_zone(const char *s, size_t size)
{
	char *zone = malloc(size);   /* exactly size: ASan sees any overrun */
	size_t n;

	if (!zone)
		abort();
	if (parse_zone(s, zone, size) == 0) {
		n = strlen(zone);
		CHECK(n > 0 && n < size);
		CHECK(strncmp(zone, s, n) == 0 && (s[n] == '\0' || s[n] == ' '));
		for (size_t i = 0; i < n; i++)
			CHECK(isalnum((unsigned char)zone[i]) || zone[i] == '_');
	}
	free(zone);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t zsize;
	char *s;

	if (size < 1)
		return 0;
	zsize = data[0] % 40 + 1;
	s = fuzz_str(data + 1, size - 1);
	check_state(s);
	check_cpu_online(s);
	check_block_size(s);
	check_node_name(s);
	check_zone(s, zsize);
	check_zone(s, 32);   /* the size the helper uses */
	free(s);
	return 0;
}
