/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse_uevent() and parse_event(): a netlink message as the log service
 * receives it from the kernel ("ACTION@DEVPATH\0KEY=VALUE\0..."), and
 * what it then makes of its fields.  Input: the message. */
#include "fuzz.h"

/* p points into msg at the start of a value, NUL-terminated inside it. */
static void check_field(const char *msg, size_t len, const char *p, const char *key)
{
	size_t k = strlen(key);

	if (!p)
		return;
	CHECK(p > msg + k && p < msg + len);
	CHECK(memchr(p, '\0', (size_t)(msg + len - p)) != NULL);
	/* The property it came from: "KEY=" right before it, at a field's start. */
	CHECK(p[-1] == '=' && memcmp(p - 1 - k, key, k) == 0);
	CHECK(p - 1 - k == msg || p[-2 - (long)k] == '\0');
}

/* How many properties (fields after the header) have this key. */
static unsigned count_key(const char *msg, size_t len, const char *key)
{
	size_t k = strlen(key);
	unsigned n = 0;

	for (const char *p = msg + strlen(msg) + 1; p < msg + len; p += strlen(p) + 1)
		if (strncmp(p, key, k) == 0 && p[k] == '=')
			n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "ACTION", "DEVPATH", "SUBSYSTEM", "SYNTH_UUID" };
	struct uevent ev;
	struct device d;
	enum action act;
	char *msg, why[256];
	int r;

	/* Exactly the message's bytes, so ASan sees any read past them. */
	msg = malloc(size ? size : 1);
	if (!msg)
		return 0;
	memcpy(msg, data, size);
	memset(&ev, 0xa5, sizeof(ev));
	r = parse_uevent(msg, size, &ev);
	if (r == 0) {
		/* A header with '@', and every field NUL-terminated. */
		CHECK(size > 0 && msg[size - 1] == '\0' && strchr(msg, '@'));
		check_field(msg, size, ev.action, "ACTION");
		check_field(msg, size, ev.devpath, "DEVPATH");
		check_field(msg, size, ev.subsystem, "SUBSYSTEM");
		check_field(msg, size, ev.synth_uuid, "SYNTH_UUID");
		/* Each key at most once, and found when it is there. */
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *const *f[] = { &ev.action, &ev.devpath, &ev.subsystem,
						   &ev.synth_uuid };

			CHECK(count_key(msg, size, keys[i]) == (*f[i] != NULL));
		}
		memset(why, 0x5a, sizeof(why));
		if (parse_event(&ev, &d, &act, why, sizeof(why)) == 0) {
			CHECK(act != ACT_BAD && ev.action);
			if (act != ACT_OTHER) {
				CHECK(parse_devpath(ev.devpath, &d) == 0);
				CHECK(!ev.subsystem || strcmp(ev.subsystem, d.type == DEV_MEMORY ?
							      "memory" : "cpu") == 0);
			}
		} else {
			CHECK(why[0] != '\0' && memchr(why, '\0', sizeof(why)) && printable(why));
		}
	} else if (size > 0 && msg[size - 1] == '\0' && strchr(msg, '@')) {
		/* Refused a well-framed message: a property without '=', or a key twice. */
		bool bad = false;

		for (const char *p = msg + strlen(msg) + 1; p < msg + size; p += strlen(p) + 1)
			bad |= !strchr(p, '=') || p[0] == '=';
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			bad |= count_key(msg, size, keys[i]) > 1;
		CHECK(bad);
	}
	free(msg);
	return 0;
}
