/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State that one run of the helper leaves for another during a boot, in
 * /run/hotplug-online (tmpfs: gone at the next boot, as it must be):
 *   onlined/<device>   "INODE HOW": we onlined it; the `online` event logs it
 *   offlined/<memory>  "INODE": it went offline; onlining it again is not a hot-add
 *   kernel-saved       the knobs' values before setup first changed them
 *   boot-zoneinfo      auto-movable's copy of /proc/zoneinfo
 *   devices/<acpi>     auto-movable's decision for a memory device, named
 *                      by its firmware_node ("PNP0C80:01"), for its other blocks
 *   logger, burst/alive, logger.lock, waiting/<seqnum>   the burst logger's (logger.c)
 * Only root writes there (0700), yet it is read as carefully as sysfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotplug-online.h"

/* The run directory, or sub (one component) below it; created if asked. */
int run_dir(const char *sub, bool create)
{
	const char *path = fault_path("RUNDIR", "/run/hotplug-online");
	int dir, fd;

	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	dir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0 || !sub)
		return dir < 0 ? -errno : dir;
	if (create && mkdirat(dir, sub, 0700) < 0 && errno != EEXIST) {
		fd = -errno;
		close(dir);
		return fd;
	}
	fd = openat(dir, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(dir);
	return fd;
}

/* Replace name with len bytes, atomically (a reader sees the old or the new). */
int state_write_len(int dir, const char *name, const void *p, size_t len)
{
	char tmp[64];
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), ".%s.new", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, p, len) != (ssize_t)len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dir, tmp, dir, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dir, tmp, 0);
	return r;
}

int state_write(int dir, const char *name, const char *text)
{
	return state_write_len(dir, name, text, strlen(text));
}

/* As read_attr(): a bounded regular file, no NUL, trailing newline dropped. */
int state_read(int dir, const char *name, char *buf, size_t size)
{
	return read_attr(dir, name, buf, size);
}

/* The run directory; with `lock`, created if need be and locked (flock on
 * the directory itself) until the fd is closed. */
int run_lock(bool lock)
{
	int dir = run_dir(NULL, lock);

	if (dir >= 0 && lock && flock(dir, LOCK_EX) < 0) {
		int r = -errno;

		close(dir);
		return r;
	}
	return dir;
}

/* A device's decision: -ENOENT none, -EBADMSG anything else that is not
 * one (another shape, not a regular file, a symlink, unreadable). */
int decision_read(const char *device, struct decision *d)
{
	char text[320];
	int dir = run_dir("devices", false), r;

	if (dir < 0)
		return dir == -ENOENT ? dir : -EBADMSG;
	r = state_read(dir, device, text, sizeof(text));
	close(dir);
	if (r == -ENOENT)
		return r;
	return r < 0 || parse_decision(text, d) < 0 ? -EBADMSG : 0;
}

int decision_write(const char *device, const struct decision *d)
{
	char text[320];
	int dir, r = format_decision(d, text, sizeof(text));

	if (r < 0)
		return r;
	dir = run_dir("devices", true);
	if (dir < 0)
		return dir;
	r = state_write(dir, device, text);
	close(dir);
	return r;
}
