/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hotplug-online log` (hotplug-online-log.service): one line for each
 * online and offline transition of a memory block or CPU, from the
 * kernel's own uevents, so whoever made the transition (the kernel's
 * auto-online, our udev rule, a distribution rule, an administrator) it is
 * logged once, and nothing else needs to know this process exists.
 *
 * It also repairs what the kernel's auto-online could not do: the kernel
 * ignores a failed online inside add_memory() and sends no event for it.
 * A block hot-added (an `add` that is not a replay) and not online once no
 * memory event has come for QUIET_MS, while the kernel was to online it,
 * is onlined as the udev rule's helper would (device.c), and retried. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hotplug-online.h"

/* <linux/netlink.h>, which musl-gcc does not see: the ABI's own values. */
#define NETLINK_KOBJECT_UEVENT 15
struct nl_addr {
	sa_family_t family;
	unsigned short pad;
	unsigned pid, groups;
};

#define QUIET_MS 1000
#define RCVBUF (16 << 20)   /* a 32 GiB hot-add is 512 events: ample while we sleep */
#define MSG_MAX 8192

/* When each attempt to repair a block is made, from the burst's end. */
static const long attempt_ms[] = { QUIET_MS, 4000, 16000 };
#define ATTEMPTS (sizeof(attempt_ms) / sizeof(attempt_ms[0]))

struct added {
	unsigned long index;
	unsigned tries;
};

static struct added *added;
static size_t nadded, cap;
static long long last_memory_ms;   /* the last memory event */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void forget(unsigned long index)
{
	for (size_t i = 0; i < nadded; i++)
		if (added[i].index == index)
			added[i--] = added[--nadded];
}

static void remember(unsigned long index)
{
	if (nadded == cap) {
		struct added *p = realloc(added, (cap = cap ? cap * 2 : 256) * sizeof(*added));

		if (!p) {
			say(LOG_ERR, "memory%lu: out of memory: a failed auto-online of it will not "
			    "be repaired", index);
			cap /= 2;
			return;
		}
		added = p;
	}
	added[nadded++] = (struct added){ index, 0 };
}

/* The line of one transition: size, node and zone as sysfs says them now
 * (a block removed meanwhile gets what is left, or none). */
static void log_transition(struct ctx *c, const struct device *d, bool online)
{
	char desc[80] = "";
	int fd = open_device(c, d);

	if (fd >= 0 && d->type == DEV_MEMORY)
		describe_block(c, fd, online, desc, sizeof(desc));
	if (fd >= 0)
		close(fd);
	say(LOG_INFO, "%s: %s%s%s%s", d->name, online ? "online" : "offline",
	    desc[0] ? " (" : "", desc[0] ? desc + 2 : "", desc[0] ? ")" : "");
}

static void handle(struct ctx *c, const char *msg, size_t len)
{
	struct uevent ev;
	struct device d;
	enum action act;
	char why[256];

	if (parse_uevent(msg, len, &ev) < 0 || !ev.subsystem ||
	    (strcmp(ev.subsystem, "memory") != 0 && strcmp(ev.subsystem, "cpu") != 0))
		return;
	/* Not a device of ours (memory/auto_online_blocks has none): quietly. */
	if (parse_event(&ev, &d, &act, why, sizeof(why)) < 0 || act == ACT_OTHER)
		return;
	if (d.type == DEV_MEMORY)
		last_memory_ms = now_ms();
	/* A replay (udevadm trigger, a uevent file written) is no transition. */
	if (ev.synth_uuid)
		return;
	if (act == ACT_ONLINE || act == ACT_OFFLINE)
		log_transition(c, &d, act == ACT_ONLINE);
	if (d.type != DEV_MEMORY)
		return;
	if (act == ACT_ADD)
		remember(d.index);
	else if (act != ACT_OFFLINE)
		forget(d.index);
}

/* Was the kernel to online hot-added memory itself? */
static bool kernel_onlines(struct ctx *c)
{
	char aob[KNOB_LEN];

	return read_attr(class_dir(c, DEV_MEMORY), "auto_online_blocks", aob, sizeof(aob)) >= 0 &&
	       parse_knob(K_AUTO_ONLINE, aob) == 0 && strcmp(aob, "offline") != 0;
}

/* The burst is over: what the kernel was to online and did not, we do. */
static void repair(struct ctx *c, const char *config, long long quiet_for)
{
	bool onlines = kernel_onlines(c);

	config_defaults(&c->cfg);
	config_load(&c->cfg, config, false);
	for (size_t i = 0; i < nadded; i++) {
		struct device d;

		if (quiet_for < attempt_ms[added[i].tries])
			continue;
		device_init(&d, DEV_MEMORY, added[i].index);
		/* Else the udev rule was this block's onliner, and it said what it did. */
		if (onlines && online_device(c, &d) == OUT_FAILED &&
		    ++added[i].tries < ATTEMPTS)
			continue;
		if (onlines && added[i].tries == ATTEMPTS)
			say(LOG_ERR, "%s: still offline after %zu attempts; 'hotplug-online online "
			    "%s' tries again", d.name, ATTEMPTS, d.name);
		added[i--] = added[--nadded];
	}
}

static int open_socket(void)
{
	struct nl_addr sa = { .family = AF_NETLINK, .groups = 1 };   /* the kernel's group */
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	int size = RCVBUF;

	if (fd < 0)
		return -errno;
	/* FORCE past rmem_max needs CAP_NET_ADMIN; else the largest allowed. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Every message waiting: 1 read some, 0 none, -errno. */
static int drain(struct ctx *c, int fd)
{
	static char buf[MSG_MAX];

	for (;;) {
		struct nl_addr from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0 && errno == ENOBUFS) {
			say(LOG_WARNING, "kernel events were lost (socket buffer overrun): some "
			    "transitions are not logged; 'hotplug-online status' shows the state");
			continue;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
#ifndef HOTPLUG_ONLINE_TEST
		/* Only the kernel (port 0); the test build takes a test's too. */
		if (from.pid != 0)
			continue;
#endif
		if ((mh.msg_flags & MSG_TRUNC) == 0)
			handle(c, buf, (size_t)n);
	}
}

int cmd_log(struct ctx *c, const char *config)
{
	int fd = open_socket();

	c->why = BY_REPAIR;
	if (fd < 0) {
		say(LOG_ERR, "cannot listen to kernel uevents: %s", strerror(-fd));
		return EXIT_FAIL;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long quiet_for = now_ms() - last_memory_ms;
		long timeout = -1;   /* nothing to repair: sleep until an event */
		int r;

		for (size_t i = 0; i < nadded; i++) {
			long t = attempt_ms[added[i].tries] - (long)quiet_for;

			if (timeout < 0 || t < timeout)
				timeout = t < 0 ? 0 : t;
		}
		if (poll(&p, 1, (int)timeout) < 0 && errno != EINTR) {
			say(LOG_ERR, "poll: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if ((r = drain(c, fd)) < 0) {
			say(LOG_ERR, "cannot read kernel uevents: %s", strerror(-r));
			return EXIT_FAIL;
		}
		quiet_for = now_ms() - last_memory_ms;
		if (nadded && quiet_for >= QUIET_MS)
			repair(c, config, quiet_for);
	}
}
