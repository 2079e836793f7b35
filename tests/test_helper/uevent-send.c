/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uevent-send [--raw] [--header-subsystem=NAME] KEY=VALUE...: multicast
 * one event to netlink uevent group 2 as udevd broadcasts a processed event
 * (libudev's header, with the hash of SUBSYSTEM or of NAME, then the
 * properties), or with --raw the properties alone, to group 1 (what only
 * the kernel may send there).  For the logger's tests; run it
 * in a network namespace of its own (unshare -n) to keep it from the
 * host's listeners. */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* As udevd fills its header: systemd's string_hash32() of SUBSYSTEM
 * (MurmurHash2, seed 0), here written after its reference code. */
static uint32_t hash32(const char *key)
{
	const uint32_t m = 0x5bd1e995;
	int len = (int)strlen(key);
	uint32_t h = 0 ^ (uint32_t)len;
	const unsigned char *data = (const unsigned char *)key;

	while (len >= 4) {
		uint32_t k;

		memcpy(&k, data, sizeof(k));
		k *= m;
		k ^= k >> 24;
		k *= m;
		h *= m;
		h ^= k;
		data += 4;
		len -= 4;
	}
	if (len == 3)
		h ^= (uint32_t)data[2] << 16;
	if (len >= 2)
		h ^= (uint32_t)data[1] << 8;
	if (len >= 1) {
		h ^= data[0];
		h *= m;
	}
	h ^= h >> 13;
	h *= m;
	h ^= h >> 15;
	return h;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK, .nl_groups = 2 };
	static char msg[16384];
	size_t off = 40, len = 0;
	int raw = argc > 1 && strcmp(argv[1], "--raw") == 0, fd;
	const char *header_subsystem = NULL;
	unsigned hdr[4];
	const char *subsystem = "";

	if (raw) {
		dst.nl_groups = 1;
		off = 0;
	}
	for (int i = 1 + raw; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (strncmp(argv[i], "--header-subsystem=", 19) == 0) {
			header_subsystem = argv[i] + 19;
			continue;
		}
		if (strncmp(argv[i], "SUBSYSTEM=", 10) == 0)
			subsystem = argv[i] + 10;

		if (off + len + n > sizeof(msg))
			return 2;
		memcpy(msg + off + len, argv[i], n);
		len += n;
	}
	if (!raw) {
		unsigned magic = htonl(0xfeedcafe);

		memcpy(msg, "libudev", 8);
		memcpy(msg + 8, &magic, 4);
		hdr[0] = 40;                 /* header_size */
		hdr[1] = 40;                 /* properties_off */
		hdr[2] = (unsigned)len;      /* properties_len */
		/* filter_subsystem_hash: SUBSYSTEM's, or another's for a test */
		hdr[3] = htonl(hash32(header_subsystem ? header_subsystem : subsystem));
		memcpy(msg + 12, hdr, sizeof(hdr));
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0 || sendto(fd, msg, off + len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		perror("uevent-send");
		return 1;
	}
	return 0;
}
