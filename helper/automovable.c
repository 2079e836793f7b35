/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memory = auto-movable: put a hot-added memory device in ZONE_MOVABLE (so it
 * can be removed again) while movable memory stays within movable_ratio
 * percent of the kernel-zone memory present at boot, as the kernel's own
 * memory_hotplug.online_policy=auto-movable does (5.15 and later).
 *
 * Where the kernel has that policy we configure it and let it decide.
 * Elsewhere we apply its rule (policy.c, am_movable()) to an ACPI memory
 * device, the blocks behind one firmware_node, and this file gathers what
 * the rule needs:
 *   - the whole device: the kernel binds a DIMM's blocks to their
 *     firmware_node only after it has created them all and sent their add
 *     uevents, so a hot-add waits (a bound, well inside udev's timeout)
 *     until its block and the last block of its /proc/iomem range (the
 *     range add_memory() registered before anything else) are bound, and
 *     its node link is there;
 *   - once per device: its first decision walks the device's blocks and
 *     is recorded under the lock in /run/hotplug-online/devices/; its
 *     other blocks take it from there, so a device costs linear time;
 *   - kernel_early (kernel-zone pages present at boot) is not exported,
 *     so the first decision of a boot copies /proc/zoneinfo to /run;
 *     decisions hold a lock there so two events cannot spend the same
 *     budget. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

#define PARAMS "module/memory_hotplug/parameters"
#define ZONEINFO_MAX (8 << 20)
#define GROUP_MAX 65536      /* blocks in one memory device: 8 TiB of 128 MiB */
#define BIND_WAIT_MS 10000   /* udevd's event timeout is 180 s */

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
	int r = -ENOENT;

	if (run >= 0)
		r = parse_zoneinfo_file(run, "boot-zoneinfo", boot);
	if (r != -ENOENT)
		return r;
	r = slurp(AT_FDCWD, zoneinfo, &b, ZONEINFO_MAX);
	if (r == 0)
		r = parse_zoneinfo(b.p, b.len, boot);
	if (r == 0 && save)
		r = state_write_len(run, "boot-zoneinfo", b.p, b.len);
	buf_free(&b);
	return r;
}

/* Boot and current zone sizes as the kernel's policy counts them, for
 * status, where a userspace decision made a boot snapshot (-ENOENT: none;
 * *have_boot says whether the snapshot parsed). */
int am_figures(struct zone_pages *boot, struct zone_pages *now, bool *have_boot)
{
	int run = run_dir(NULL, false), r = -ENOENT;

	*have_boot = false;
	if (run >= 0) {
		r = parse_zoneinfo_file(run, "boot-zoneinfo", boot);
		close(run);
	}
	if (r < 0)
		return r;
	*have_boot = true;
	return parse_zoneinfo_file(AT_FDCWD, fault_path("ZONEINFO", "/proc/zoneinfo"), now);
}

/* Bound, or with a link no kernel makes (which the decision refuses). */
static bool has_firmware_node(const struct device *d, int fd)
{
	char name[32];

	return device_firmware_node(d, fd, name, sizeof(name)) != -ENOENT;
}

/* The last block of the range is bound: the kernel creates a range's
 * blocks, links them to their node and binds them in ascending order. */
static bool last_bound(struct ctx *c, unsigned long last)
{
	struct device l;
	int fd;
	bool ok;

	device_init(&l, DEV_MEMORY, last);
	if ((fd = open_device(c, &l)) < 0)
		return false;
	ok = has_firmware_node(&l, fd);
	close(fd);
	return ok;
}

/* A hot-added block's add uevent comes before the kernel links it to its
 * node and binds it (and the rest of its DIMM) to the ACPI memory device:
 * wait for both, so no block is decided as if it were alone.  Only while
 * the hot-add is happening: a replay, a sweep or a named block finds the
 * links long made.  *note says what never came. */
static void await_binding(struct ctx *c, const struct device *d, int fd,
			  const struct iomem_range *range, char *note, size_t size)
{
	long bound = fault_number("BIND_WAIT_MS", BIND_WAIT_MS), waited = 0, step = 1;
	unsigned long last = d->index, node;
	bool fw, numa;

	note[0] = '\0';
	if (!c->udev || c->replay)
		return;
	/* Memory a driver added (virtio_mem) never gets a firmware_node. */
	fw = acpi_memory_devices(c) && !(range && range->owner[0]);
	numa = c->cfg.numa_aware && numa_nodes(c);
	if (fw && range && block_size(c) && range->stop / c->block_size > d->index &&
	    range->stop / c->block_size <= 999999999ULL)
		last = (unsigned long)(range->stop / c->block_size);
	for (;;) {
		bool fw_ok = !fw || (has_firmware_node(d, fd) && (last == d->index ||
								  last_bound(c, last)));
		bool node_ok = !numa || device_node(d, fd, &node) == 0;

		if (fw_ok && node_ok)
			return;
		if (waited >= bound) {
			const char *what = !fw_ok && !node_ok ? "firmware_node and node link" :
					   fw_ok ? "node link" : "firmware_node";

			snprintf(note, size, ", %s not there after %ld ms", what, waited);
			say(LOG_NOTICE, "%s: %s not there %ld ms after the hot-add: decided with "
			    "what sysfs shows", d->name, what, waited);
			return;
		}
		/* The time slept: the checks take microseconds. */
		sleep_ms(step);
		waited += step;
		step = step * 2 > 50 ? 50 : step * 2;
	}
}

struct group {
	unsigned long first, blocks, movable;   /* blocks in the device, online in Movable */
	unsigned long long ino;                 /* memory<first>'s directory */
	bool kernel;                            /* some block online in a kernel zone */
};

static void account(struct group *g, int fd, unsigned long index)
{
	char val[64], zone[32];
	struct stat st;

	g->blocks++;
	if (index <= g->first) {
		g->first = index;
		g->ino = fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
	}
	if (read_attr(fd, "state", val, sizeof(val)) < 0 || parse_state(val) != ST_ONLINE)
		return;
	if (block_zone(fd, zone, sizeof(zone)) == 0 && strcmp(zone, "Movable") == 0)
		g->movable++;
	else
		g->kernel = true;
}

/* Walk the neighbours of block `d` while they share its firmware_node
 * `name` (none: the block is its own unit): a DIMM's blocks are
 * contiguous, so this never scans the whole machine, and it runs once per
 * device. */
static void device_group(struct ctx *c, const struct device *d, int fd, const char *name,
			 struct group *g)
{
	char theirs[32];

	memset(g, 0, sizeof(*g));
	g->first = d->index;
	account(g, fd, d->index);
	if (!name[0])
		return;
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
			if (device_firmware_node(&n, nfd, theirs, sizeof(theirs)) < 0 ||
			    strcmp(name, theirs) != 0) {
				close(nfd);
				break;
			}
			account(g, nfd, n.index);
			close(nfd);
		}
}

/* This process's last decision (a sweep, or a dry run, which records
 * nothing), and its device. */
static struct decision cached;
static char cached_for[32];

/* A recorded decision still holds for block d of device `name`. */
static bool decision_holds(struct ctx *c, const struct device *d, int fd, const char *name,
			   const struct decision *dec)
{
	struct device f;
	struct stat st;
	char theirs[32];
	int ffd = fd;
	bool ok;

	if (d->index < dec->first || d->index - dec->first >= dec->blocks)
		return false;
	device_init(&f, DEV_MEMORY, dec->first);
	if (f.index != d->index && (ffd = open_device(c, &f)) < 0)
		return false;
	ok = fstat(ffd, &st) == 0 && (unsigned long long)st.st_ino == dec->ino &&
	     device_firmware_node(&f, ffd, theirs, sizeof(theirs)) == 0 && strcmp(theirs, name) == 0;
	if (ffd != fd)
		close(ffd);
	return ok;
}

/* Userspace decision: 0 with *res filled, -EBADMSG for bad input. */
static int decide(struct ctx *c, const struct device *d, int fd, const struct iomem_range *range,
		  struct am_result *res)
{
	const char *zoneinfo = fault_path("ZONEINFO", "/proc/zoneinfo");
	static struct zone_pages boot, now;
	struct am_inputs in = { .ratio = c->cfg.movable_ratio, .boot = &boot, .now = &now,
				.page_size = (unsigned long long)getpagesize() };
	char note[96], run[160];
	struct decision dec;
	struct group g;
	int r;

	await_binding(c, d, fd, range, note, sizeof(note));
	r = device_firmware_node(d, fd, res->device, sizeof(res->device));
	if (r == -EBADMSG) {
		say(LOG_ERR, "%s: 'firmware_node' is not a link to an ACPI device: nothing changed",
		    d->name);
		return r;
	}
	if (r < 0)
		res->device[0] = '\0';
	res->lock = run_lock(!c->dry_run);
	if (res->lock < 0 && !(c->dry_run && res->lock == -ENOENT)) {
		snprintf(res->how, sizeof(res->how), ", auto-movable: no lock in /run (%s), kernel picks",
			 strerror(-res->lock));
		return 0;
	}
	/* This process's decision for the device (a sweep's, a dry run's), or
	 * the one recorded by another. */
	if (res->device[0] && strcmp(cached_for, res->device) != 0) {
		r = decision_read(res->device, &cached);
		if (r == -EBADMSG) {
			shown(fault_path("RUNDIR", "/run/hotplug-online"), run, sizeof(run));
			say(LOG_ERR, "'%s/devices/%s': not a decision record: nothing changed", run,
			    res->device);
			return r;
		}
		snprintf(cached_for, sizeof(cached_for), "%s", r == 0 ? res->device : "");
	}
	if (res->device[0] && strcmp(cached_for, res->device) == 0 &&
	    decision_holds(c, d, fd, res->device, &cached)) {
		res->type = cached.movable ? "online_movable" : "online_kernel";
		res->recorded = true;
		snprintf(res->how, sizeof(res->how), ", auto-movable: as decided for %s at memory%lu "
			 "(%s)", res->device, cached.first, cached.how);
		return 0;
	}
	r = boot_snapshot(res->lock, zoneinfo, &boot, !c->dry_run);
	if (r == 0)
		r = parse_zoneinfo_file(AT_FDCWD, zoneinfo, &now);
	if (r < 0 || block_size(c) < in.page_size) {
		snprintf(res->how, sizeof(res->how), ", auto-movable: no usable boot zoneinfo "
			 "snapshot (%s), kernel picks", strerror(r < 0 ? -r : EINVAL));
		return 0;
	}
	device_group(c, d, fd, res->device, &g);
	in.unit_pages = (g.blocks - g.movable) * (c->block_size / in.page_size);
	in.unit_kernel = g.kernel;
	in.numa = c->cfg.numa_aware && device_node(d, fd, &in.node) == 0 && in.node < ZONE_NODES;
	dec = (struct decision){ .first = g.first, .blocks = g.blocks, .ino = g.ino };
	dec.movable = am_movable(&in, dec.how, sizeof(dec.how));
	res->type = dec.movable ? "online_movable" : "online_kernel";
	snprintf(res->how, sizeof(res->how), ", auto-movable: %s%s", dec.how, note);
	if (!res->device[0] || !dec.ino)
		return 0;
	cached = dec;
	snprintf(cached_for, sizeof(cached_for), "%s", res->device);
	if (!c->dry_run && decision_write(res->device, &dec) == 0)
		res->recorded = true;
	return 0;
}

/* The online type for block `d` under auto-movable, in *res: res->lock is
 * -1 or a lock to hold until the block is online.  -EBADMSG: bad input,
 * reported, nothing written. */
int auto_movable(struct ctx *c, const struct device *d, int fd, const struct iomem_range *range,
		 struct am_result *res)
{
	int r = use_kernel_policy(c);

	memset(res, 0, sizeof(*res));
	res->type = "online";
	res->lock = -1;
	if (r > 0) {
		snprintf(res->how, sizeof(res->how), ", zone chosen by the kernel's auto-movable policy");
		return 0;
	}
	if (r < 0) {
		snprintf(res->how, sizeof(res->how), ", cannot set the kernel's auto-movable policy "
			 "(%s), kernel picks", strerror(-r));
		return 0;
	}
	return decide(c, d, fd, range, res);
}

/* The kernel refused online_movable and block d went to `zone` instead:
 * its device now has kernel-zone memory, and the kernel's rule sends the
 * rest there too.  Called with the lock held; the decision is this
 * process's (decide() loaded or made it). */
void auto_movable_landed(struct ctx *c, const struct device *d, const struct am_result *res,
			 const char *zone)
{
	if (!res->recorded || strcmp(res->type, "online_movable") != 0 ||
	    strcmp(zone, "Movable") == 0 || strcmp(cached_for, res->device) != 0)
		return;
	cached.movable = false;
	snprintf(cached.how, sizeof(cached.how), "%s went to %s, the kernel refused online_movable",
		 d->name, zone);
	if (!c->dry_run)
		decision_write(res->device, &cached);
}
