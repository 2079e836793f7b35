/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse_uevent() and parse_event(): a netlink message as the burst logger
 * receives it, from the kernel (first byte of the input even) or udevd
 * (odd), and what the logger then makes of its fields. */
#include "fuzz.h"

/* p points into msg at the start of a value, NUL-terminated inside it. */
static void check_field(const char *msg, size_t len, const char *p)
{
	if (!p)
		return;
	CHECK(p > msg && p < msg + len);
	CHECK(memchr(p, '\0', (size_t)(msg + len - p)) != NULL);
	CHECK(p[-1] == '=');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uevent ev;
	struct device d;
	enum action act;
	char *msg, why[256];
	bool udev;

	if (size < 1)
		return 0;
	udev = data[0] & 1;
	/* Exactly the message's bytes, so ASan sees any read past them. */
	msg = malloc(size - 1 ? size - 1 : 1);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, size - 1);
	memset(&ev, 0xa5, sizeof(ev));
	if (parse_uevent(msg, size - 1, udev, &ev) == 0) {
		CHECK(size - 1 > 0 && msg[size - 2] == '\0');
		if (udev)
			CHECK(size - 1 >= 40 && memcmp(msg, "libudev", 8) == 0);
		check_field(msg, size - 1, ev.action);
		check_field(msg, size - 1, ev.devpath);
		check_field(msg, size - 1, ev.subsystem);
		check_field(msg, size - 1, ev.synth_uuid);
		check_field(msg, size - 1, ev.log);
		check_field(msg, size - 1, ev.seqnum_text);
		CHECK((ev.seqnum != 0) == (ev.seqnum_text != NULL));
		if (parse_event(&ev, &d, &act, why, sizeof(why)) == 0) {
			CHECK(act != ACT_BAD);
			if (act != ACT_OTHER)
				CHECK(parse_devpath(ev.devpath, &d) == 0);
		} else {
			CHECK(why[0] != '\0' && memchr(why, '\0', sizeof(why)));
		}
	}
	free(msg);
	return 0;
}
