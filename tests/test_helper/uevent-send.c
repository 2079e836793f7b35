/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uevent-send [-t PID] [-c COUNT] [-x] FIELD... [-- FIELD...]...: multicast
 * messages to netlink uevent group 1, the kernel's, as the kernel sends a
 * uevent: each FIELD followed by a NUL, so that
 *   uevent-send online@/devices/system/memory/memory5 ACTION=online \
 *       DEVPATH=/devices/system/memory/memory5 SUBSYSTEM=memory SEQNUM=7
 * is what the kernel sends for memory5's online event.  "--" starts the
 * next message; -c sends each one COUNT times, -x leaves off the last NUL
 * of each (no kernel message lacks it).  -t PID sends from PID's network
 * namespace: run the listener (hotplug-online log) in one of its own
 * (unshare -n) and neither the host's events reach it nor these the
 * host's listeners.  Only a test build of the helper takes a message
 * from a sender other than the kernel. */
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_one(int fd, const char *msg, size_t len, unsigned long count)
{
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK, .nl_groups = 1 };

	for (unsigned long i = 0; i < count; i++)
		if (sendto(fd, msg, len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			perror("uevent-send: sendto");
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	static char msg[16384];
	unsigned long count = 1;
	size_t len = 0;
	int opt, fd, nofinal = 0;

	while ((opt = getopt(argc, argv, "+t:c:x")) != -1) {
		char path[64];

		switch (opt) {
		case 't':
			snprintf(path, sizeof(path), "/proc/%s/ns/net", optarg);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
				perror(path);
				return 1;
			}
			close(fd);
			break;
		case 'c':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'x':
			nofinal = 1;
			break;
		default:
			fprintf(stderr, "usage: uevent-send [-t PID] [-c COUNT] [-x] FIELD... [-- FIELD...]...\n");
			return 2;
		}
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0) {
		perror("uevent-send: socket");
		return 1;
	}
	for (int i = optind; i <= argc; i++) {
		size_t n;

		if (i == argc || strcmp(argv[i], "--") == 0) {
			if (len && send_one(fd, msg, len - (size_t)nofinal, count))
				return 1;
			len = 0;
			continue;
		}
		n = strlen(argv[i]) + 1;
		if (len + n > sizeof(msg)) {
			fprintf(stderr, "uevent-send: message too long\n");
			return 2;
		}
		memcpy(msg + len, argv[i], n);
		len += n;
	}
	return 0;
}
