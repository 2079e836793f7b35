/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uevent-send [--raw] KEY=VALUE...: multicast one event to netlink
 * uevent group 2 as udevd broadcasts a processed event (libudev's header,
 * then the properties), or with --raw the properties alone, to group 1
 * (what only the kernel may send there).  For the logger's tests; run it
 * in a network namespace of its own (unshare -n) to keep it from the
 * host's listeners. */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK, .nl_groups = 2 };
	static char msg[16384];
	size_t off = 40, len = 0;
	int raw = argc > 1 && strcmp(argv[1], "--raw") == 0, fd;
	unsigned hdr[4];

	if (raw) {
		dst.nl_groups = 1;
		off = 0;
	}
	for (int i = 1 + raw; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

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
		hdr[3] = 0;
		memcpy(msg + 12, hdr, sizeof(hdr));
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0 || sendto(fd, msg, off + len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		perror("uevent-send");
		return 1;
	}
	return 0;
}
