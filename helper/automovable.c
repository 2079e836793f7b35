/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memory = auto-movable: put a hot-added memory device in ZONE_MOVABLE (so it
 * can be removed again) while movable memory stays within movable_ratio
 * percent of the kernel-zone memory present at boot, as the kernel's own
 * memory_hotplug.online_policy=auto-movable does (5.15 and later).
 *
 * Where the kernel has that policy we configure it and let it decide.
 * Elsewhere we apply the same rule as mm/memory_hotplug.c's
 * auto_movable_zone_for_pfn() for an ACPI memory device (a "static memory
 * group": the blocks behind one firmware_node):
 *   - if any block of the device is online in a kernel zone, the rest
 *     follows it;
 *   - else the device's remaining blocks go movable if
 *       movable_now + remaining <= ratio * kernel_early / 100
 *     over the whole machine and, when NUMA-aware, on the block's node.
 * kernel_early (kernel-zone pages present at boot) is not exported, so the
 * first decision of a boot copies /proc/zoneinfo to /run; decisions hold a
 * lock there so two events cannot spend the same budget. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

#define PARAMS "module/memory_hotplug/parameters"
#define ZONEINFO_MAX (8 << 20)
#define GROUP_MAX 65536   /* blocks in one memory device: 8 TiB of 128 MiB */

static unsigned long long mib(unsigned long long pages)
{
	return pages * (unsigned long long)getpagesize() >> 20;
}

/* Set a module parameter unless it already reads `val`. */
static int set_param(int dir, const char *name, const char *val)
{
	char now[64];

	if (read_attr(dir, name, now, sizeof(now)) >= 0 && strcmp(now, val) == 0)
		return 0;
	return write_file(dir, name, val);
}

/* 1: the kernel now decides; 0: it cannot; -errno: configuring it failed. */
static int use_kernel_policy(struct ctx *c)
{
	char ratio[16];
	int dir, r;

	if (fault_path("USERSPACE_POLICY", NULL))
		return 0;
	dir = open_path(c->root, PARAMS);
	if (dir < 0)
		return 0;
	if (read_attr(dir, "online_policy", ratio, sizeof(ratio)) < 0) {
		close(dir);
		return 0;   /* before 5.15: no such policy */
	}
	if (c->dry_run) {
		close(dir);
		return 1;
	}
	snprintf(ratio, sizeof(ratio), "%u", c->cfg.movable_ratio);
	/* Ratio and NUMA first: the kernel does not expect them to change
	 * under an enabled policy. */
	r = set_param(dir, "auto_movable_ratio", ratio);
	if (r == 0)
		r = set_param(dir, "auto_movable_numa_aware", c->cfg.numa_aware ? "Y" : "N");
	if (r == 0)
		r = set_param(dir, "online_policy", "auto-movable");
	close(dir);
	return r < 0 ? r : 1;
}

static int parse_zoneinfo_file(int dirfd, const char *path, struct zone_pages *z)
{
	struct buf b = { 0 };
	int r = slurp(dirfd, path, &b, ZONEINFO_MAX);

	if (r == 0)
		r = parse_zoneinfo(b.p, b.len, z);
	buf_free(&b);
	return r;
}

/* The boot-time copy of /proc/zoneinfo in the run directory; the first
 * decision of a boot makes it (a dry run only reads /proc/zoneinfo). */
static int boot_snapshot(int run, const char *zoneinfo, struct zone_pages *boot, bool save)
{
	struct buf b = { 0 };
	int fd, r = -ENOENT;

	if (run >= 0)
		r = parse_zoneinfo_file(run, "boot-zoneinfo", boot);
	if (r != -ENOENT)
		return r;
	r = slurp(AT_FDCWD, zoneinfo, &b, ZONEINFO_MAX);
	if (r == 0 && save) {
		fd = openat(run, "boot-zoneinfo.new",
			    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			r = -errno;
		else if (write(fd, b.p, b.len) != (ssize_t)b.len)
			r = -EIO;
		if (fd >= 0 && close(fd) < 0 && r == 0)
			r = -errno;
		if (r == 0 && renameat(run, "boot-zoneinfo.new", run, "boot-zoneinfo") < 0)
			r = -errno;
	}
	if (r == 0)
		r = parse_zoneinfo(b.p, b.len, boot);
	buf_free(&b);
	return r;
}

/* The run directory; with `lock`, created if need be and locked (flock on
 * the directory itself) until the fd is closed. */
static int open_rundir(bool lock)
{
	const char *path = fault_path("RUNDIR", "/run/hotplug-online");
	int dir;

	if (lock && mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	dir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	if (lock && flock(dir, LOCK_EX) < 0) {
		int r = -errno;

		close(dir);
		return r;
	}
	return dir;
}

/* A block's firmware_node link text: blocks of one device share it. */
static int firmware_node(int blockfd, char *buf, size_t size)
{
	ssize_t n = readlinkat(blockfd, "firmware_node", buf, size - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

struct group {
	unsigned long blocks, movable;   /* blocks in the device, online in Movable */
	bool kernel;                     /* some block online in a kernel zone */
};

static void account(struct group *g, int fd)
{
	char val[64], zone[32];

	g->blocks++;
	if (read_attr(fd, "state", val, sizeof(val)) < 0 || parse_state(val) != ST_ONLINE)
		return;
	if (block_zone(fd, zone, sizeof(zone)) == 0 && strcmp(zone, "Movable") == 0)
		g->movable++;
	else
		g->kernel = true;
}

/* Walk the neighbours of block `d` while they share its firmware_node:
 * a DIMM's blocks are contiguous, so this never scans the whole machine. */
static void device_group(struct ctx *c, const struct device *d, int fd, struct group *g)
{
	char mine[256], theirs[256];

	memset(g, 0, sizeof(*g));
	account(g, fd);
	if (firmware_node(fd, mine, sizeof(mine)) < 0)
		return;   /* no ACPI device: the block is its own unit */
	for (int dir = -1; dir <= 1; dir += 2)
		for (unsigned long i = 1; g->blocks < GROUP_MAX; i++) {
			struct device n;
			int nfd;

			if ((dir < 0 && i > d->index) || d->index + (unsigned long)dir * i > 999999999UL)
				break;
			device_init(&n, DEV_MEMORY, d->index + (unsigned long)dir * i);
			nfd = open_device(c, &n);
			if (nfd < 0)
				break;
			if (firmware_node(nfd, theirs, sizeof(theirs)) < 0 || strcmp(mine, theirs) != 0) {
				close(nfd);
				break;
			}
			account(g, nfd);
			close(nfd);
		}
}

/* Userspace decision.  Returns the online type; *lock is the held lock. */
static const char *decide(struct ctx *c, const struct device *d, int fd, int *lock,
			  char *how, size_t size)
{
	const char *zoneinfo = fault_path("ZONEINFO", "/proc/zoneinfo");
	static struct zone_pages boot, now;
	unsigned long long ppb = block_size(c) / (unsigned long long)getpagesize();
	unsigned long long nr, limit;
	unsigned long node = 0;
	bool numa, fits;
	struct group g;
	int r;

	*lock = open_rundir(!c->dry_run);
	if (*lock < 0 && !(c->dry_run && *lock == -ENOENT)) {
		snprintf(how, size, ", auto-movable: no lock in /run (%s), kernel picks",
			 strerror(-*lock));
		return "online";
	}
	r = boot_snapshot(*lock, zoneinfo, &boot, !c->dry_run);
	if (r == 0)
		r = parse_zoneinfo_file(AT_FDCWD, zoneinfo, &now);
	if (r < 0 || ppb == 0) {
		snprintf(how, size, ", auto-movable: no usable boot zoneinfo snapshot (%s), kernel picks",
			 strerror(r < 0 ? -r : EINVAL));
		return "online";
	}
	device_group(c, d, fd, &g);
	if (g.kernel) {
		snprintf(how, size, ", auto-movable: its device already has kernel-zone memory");
		return "online_kernel";
	}
	nr = (g.blocks - g.movable) * ppb;
	limit = c->cfg.movable_ratio * boot.kernel_total / 100;
	fits = now.movable_total + nr <= limit;
	numa = c->cfg.numa_aware && block_node(fd, &node) == 0 && node < ZONE_NODES;
	snprintf(how, size, ", auto-movable: %llu+%llu MiB movable %s %u%% of %llu MiB kernel",
		 mib(now.movable_total), mib(nr), fits ? "within" : "exceeds",
		 c->cfg.movable_ratio, mib(boot.kernel_total));
	if (fits && numa) {
		limit = c->cfg.movable_ratio * boot.kernel[node] / 100;
		fits = now.movable[node] + nr <= limit;
		snprintf(how + strlen(how), size - strlen(how),
			 "; node %lu: %llu+%llu MiB %s %u%% of %llu MiB kernel", node,
			 mib(now.movable[node]), mib(nr), fits ? "within" : "exceeds",
			 c->cfg.movable_ratio, mib(boot.kernel[node]));
	}
	return fits ? "online_movable" : "online_kernel";
}

/* The online type for block `d` under auto-movable; *lock is -1 or a lock
 * to hold until the block is online. */
const char *auto_movable(struct ctx *c, const struct device *d, int fd, int *lock,
			 char *how, size_t size)
{
	int r = use_kernel_policy(c);

	*lock = -1;
	if (r > 0) {
		snprintf(how, size, ", zone chosen by the kernel's auto-movable policy");
		return "online";
	}
	if (r < 0) {
		snprintf(how, size, ", cannot set the kernel's auto-movable policy (%s), kernel picks",
			 strerror(-r));
		return "online";
	}
	return decide(c, d, fd, lock, how, size);
}
