/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fault-injection seam.  Only a test build (-DHOTPLUG_ONLINE_TEST,
 * `make build/hotplug-online-test`) reads these variables; the shipped
 * binary compiles them out and reads no environment but ACTION, DEVPATH
 * and SUBSYSTEM.
 *
 *   HOTPLUG_ONLINE_TEST_FAULTS="memory40=EBUSY*3 cpu2=EPERM ..."
 *       makes writes to that device fail: EBUSY, EAGAIN, EINVAL, ENOENT,
 *       EPERM; RACE (the attribute turns online, then EINVAL); SHORT (a
 *       short write).  "*N" limits it to the first N writes.
 *   HOTPLUG_ONLINE_TEST_ARCH=s390x     pretends to run on that machine.
 *   HOTPLUG_ONLINE_TEST_DEVLOG=PATH, HOTPLUG_ONLINE_TEST_KMSG=PATH
 *       log there instead of /dev/log and /dev/kmsg.
 *   HOTPLUG_ONLINE_TEST_ZONEINFO=PATH, HOTPLUG_ONLINE_TEST_RUNDIR=DIR
 *       read PATH instead of /proc/zoneinfo, keep state in DIR, not
 *       /run/hotplug-online.
 *   HOTPLUG_ONLINE_TEST_USERSPACE_POLICY=1
 *       decide auto-movable in userspace even where the kernel could.
 *   HOTPLUG_ONLINE_TEST_UNBOUND=PATH
 *       while PATH exists, memory blocks have no firmware_node and no node
 *       link yet, as between the kernel's add uevent and its binding them;
 *       PATH may hold an index: only blocks from that one on are unbound
 *       (the kernel binds a range in ascending order).
 *   HOTPLUG_ONLINE_TEST_BIND_WAIT_MS=N
 *       wait at most N ms for a hot-added block's links (0: not at all). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotplug-online.h"

#ifdef HOTPLUG_ONLINE_TEST
static const struct { const char *name; int err; } faults[] = {
	{ "EBUSY", EBUSY }, { "EAGAIN", EAGAIN }, { "EINVAL", EINVAL }, { "ENOENT", ENOENT },
	{ "EPERM", EPERM }, { "RACE", -1 }, { "SHORT", -2 },
};

/* This process's count of faulted writes; one device per spec suffices. */
static unsigned long used;

int fault_write(const char *dev, int dirfd, const char *attr, size_t len)
{
	const char *spec = getenv("HOTPLUG_ONLINE_TEST_FAULTS");
	size_t dl = strlen(dev);

	for (const char *p = spec; p && *p; p += strcspn(p, " ") , p += strspn(p, " ")) {
		const char *f = p + dl + 1;
		unsigned long limit = (unsigned long)-1;
		const char *star;

		if (strncmp(p, dev, dl) != 0 || p[dl] != '=')
			continue;
		star = strchr(f, '*');
		if (star && star < f + strcspn(f, " "))
			limit = strtoul(star + 1, NULL, 10);
		if (used >= limit)
			return (int)len;
		for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
			size_t n = strlen(faults[i].name);

			if (strncmp(f, faults[i].name, n) != 0 || (f[n] && f[n] != ' ' && f[n] != '*'))
				continue;
			used++;
			if (faults[i].err == -2)
				return (int)len - 1;
			if (faults[i].err == -1) {
				const char *on = strcmp(attr, "online") == 0 ? "1\n" : "online\n";
				int fd = openat(dirfd, attr, O_WRONLY | O_TRUNC | O_CLOEXEC);

				if (fd < 0 || write(fd, on, strlen(on)) < 0)
					return -1;
				close(fd);
				errno = EINVAL;
				return -1;
			}
			errno = faults[i].err;
			return -1;
		}
	}
	return (int)len;
}

bool fault_unbound(unsigned long index)
{
	const char *path = getenv("HOTPLUG_ONLINE_TEST_UNBOUND");
	char buf[32];
	ssize_t n;
	int fd;

	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf[0] < '0' || buf[0] > '9' || index >= strtoul(buf, NULL, 10);
}

long fault_number(const char *name, long dflt)
{
	const char *v = fault_path(name, NULL);
	char *end;
	long n;

	if (!v)
		return dflt;
	n = strtol(v, &end, 10);
	return end == v || *end || n < 0 ? dflt : n;
}

/* HOTPLUG_ONLINE_TEST_<name>, else dflt. */
const char *fault_path(const char *name, const char *dflt)
{
	char var[64];
	const char *v;

	snprintf(var, sizeof(var), "HOTPLUG_ONLINE_TEST_%s", name);
	v = getenv(var);
	return v ? v : dflt;
}
#else
int fault_write(const char *dev, int dirfd, const char *attr, size_t len)
{
	(void)dev, (void)dirfd, (void)attr;
	return (int)len;
}

const char *fault_path(const char *name, const char *dflt)
{
	(void)name;
	return dflt;
}

bool fault_unbound(unsigned long index)
{
	(void)index;
	return false;
}

long fault_number(const char *name, long dflt)
{
	(void)name;
	return dflt;
}
#endif
