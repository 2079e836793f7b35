/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers of sysfs attribute contents and names: state, online,
 * block_size_bytes, valid_zones, node<N> link names, a dax device's
 * resource and size.  Input: one byte choosing a buffer size, then the
 * text. */
#include <ctype.h>
#include <stdbool.h>

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

/* A dax device's resource ("0x" and hex) or size (decimal): the value,
 * computed here digit by digit; refused when it does not fit 64 bits. */
static int model_u64(const char *s, unsigned long long *v)
{
	bool hex = s[0] == '0' && s[1] == 'x';
	unsigned base = hex ? 16 : 10;
	const char *p = hex ? s + 2 : s;

	*v = 0;
	if (!*p)
		return -1;
	for (; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : hex && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 :
			hex && *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;

		if (d < 0 || *v > (~0ULL - (unsigned)d) / base)
			return -1;
		*v = *v * base + (unsigned)d;
	}
	return 0;
}

static void check_u64(const char *s)
{
	unsigned long long v = 0, want;
	int r = parse_u64(s, &v), m = model_u64(s, &want);

	if (r == 0) {
		/* Accepted: what the model reads, and never more digits than fit. */
		CHECK(m == 0 && v == want);
		CHECK(strlen(s) <= 20 || (s[0] == '0' && s[1] == 'x' && strlen(s) <= 18));
	} else {
		/* Refused: junk, or digits too many for the kernel to print. */
		CHECK(m < 0 || strlen(s) > 20 || (s[0] == '0' && s[1] == 'x' && strlen(s) > 18));
	}
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
	check_u64(s);
	check_zone(s, zsize);
	check_zone(s, 32);   /* the size the helper uses */
	free(s);
	return 0;
}
