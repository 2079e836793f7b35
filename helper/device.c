/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Acting on one device: online a memory block or a CPU.
 *
 * The kernel sends an `online` uevent each time a block or CPU comes
 * online, whoever onlined it, and the log service writes that line.  So
 * plain success says nothing here (a terminal gets it on stdout); what is
 * logged is what an administrator would want to know: a fallback, a device
 * left alone and why, a repair, and every failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

#define MAX_TRIES 10       /* EBUSY/EAGAIN: 10 tries, about 2 s in all */
#define MAX_DELAY_MS 500

/* The kernel command line's words that matter here: 0, or -errno (said). */
int load_cmdline(struct ctx *c)
{
	char line[4096];
	int r = read_attr(AT_FDCWD, "/proc/cmdline", line, sizeof(line));

	if (r < 0) {
		say(LOG_ERR, "cannot read '/proc/cmdline': %s", r == -EBADMSG ?
		    "unexpected contents" : strerror(-r));
		return r;
	}
	parse_cmdline(line, c->cmdline_memory, sizeof(c->cmdline_memory));
	parse_cpu_limit(line, c->cmdline_cpu, sizeof(c->cmdline_cpu));
	return 0;
}

static bool kernel_at_least(unsigned long major, unsigned long minor)
{
	unsigned long ma, mi;

	if (parse_release(kernel_release(), &ma, &mi) < 0)
		return true;   /* unreadable: a current kernel */
	return ma > major || (ma == major && mi >= minor);
}

/* Write until the attribute reads `online`: 0 we did it, 1 somebody else
 * did (the kernel, another rule: daxctl counts that as success too), or
 * -errno.  EBUSY and EAGAIN are retried with backoff, well inside udev's
 * event timeout. */
static int write_until_online(int fd, const char *attr, const char *val, const char *online)
{
	long delay = 10;

	for (int tries = 1;; tries++) {
		char now[32];
		int r = write_attr(fd, attr, val);

		if (r == 0)
			return 0;
		if (read_attr(fd, attr, now, sizeof(now)) >= 0 && strcmp(now, online) == 0)
			return 1;
		if ((r != -EBUSY && r != -EAGAIN) || tries == MAX_TRIES)
			return r;
		sleep_ms(delay);
		delay = delay * 2 > MAX_DELAY_MS ? MAX_DELAY_MS : delay * 2;
	}
}

static enum outcome failed(const struct ctx *c, const struct device *d, const char *what, int r)
{
	if ((r == -ENOENT || r == -ENODEV) && c->why != BY_ADMIN) {
		say(LOG_NOTICE, "%s: removed before it could be onlined", d->name);
		return OUT_SKIPPED;
	}
	say(LOG_ERR, "%s: %s: %s%s", d->name, what, r == -ENOENT ? "no such device" :
	    r == -EBADMSG ? "unexpected contents" : strerror(-r),
	    r == -EACCES || r == -EPERM ? " (are you root?)" : "");
	return OUT_FAILED;
}

static enum outcome already(const struct ctx *c, const struct device *d, const char *extra)
{
	if (c->why == BY_ADMIN)
		printf("%s: already online%s\n", d->name, extra);
	return OUT_ALREADY;
}

/* Left alone on purpose: said, but not at every boot's replay. */
static enum outcome left_alone(const struct ctx *c, const struct device *d, const char *why)
{
	if (c->why != BY_REPLAY)
		say(LOG_INFO, "%s: %s", d->name, why);
	return OUT_SKIPPED;
}

/* " (128 MiB, node 0, zone Normal)", leaving out what sysfs does not say
 * (and the zone of an offline block, whose valid_zones are candidates);
 * "" when it says nothing. */
void describe_block(struct ctx *c, int blockfd, bool zone, char *buf, size_t size)
{
	char mib[32] = "", nd[32] = "", zn[48] = "", name[32];
	unsigned long node;

	if (block_size(c))
		snprintf(mib, sizeof(mib), "%llu MiB", c->block_size >> 20);
	if (block_node(blockfd, &node) == 0)
		snprintf(nd, sizeof(nd), "%snode %lu", mib[0] ? ", " : "", node);
	if (zone && block_zone(blockfd, name, sizeof(name)) == 0)
		snprintf(zn, sizeof(zn), "%szone %s", mib[0] || nd[0] ? ", " : "", name);
	buf[0] = '\0';
	if (mib[0] || nd[0] || zn[0])
		snprintf(buf, size, " (%s%s%s)", mib, nd, zn);
}

static enum outcome onlined(struct ctx *c, const struct device *d, int fd, const char *type)
{
	char desc[80] = "";

	if (c->why == BY_ADMIN || c->why == BY_SWEEP) {
		if (d->type == DEV_MEMORY)
			describe_block(c, fd, true, desc, sizeof(desc));
		printf("%s: onlined%s%s%s\n", d->name, type[0] ? " as " : "", type, desc);
	}
	return OUT_ONLINED;
}

/* The kernel refused `type` (EINVAL): write "online" instead only if the
 * zone it picks is one the configuration allows (policy.c,
 * plan_fallback()), as the offline block's valid_zones says.  0 written,
 * 1 another agent onlined it, -errno; -ECANCELED when left offline (said). */
static int fall_back(const struct device *d, int fd, const char **type)
{
	char zones[64], why[200];
	bool ok;

	if (read_attr(fd, "valid_zones", zones, sizeof(zones)) < 0)
		zones[0] = '\0';
	ok = plan_fallback(*type, zones, why, sizeof(why));
	say(ok ? LOG_NOTICE : LOG_ERR, "%s: the kernel refused %s (%s); %s", d->name, *type,
	    strerror(EINVAL), why);
	if (!ok)
		return -ECANCELED;
	*type = "online";
	return write_until_online(fd, "state", *type, "online");
}

static enum outcome online_memory(struct ctx *c, const struct device *d, int fd)
{
	char state[32], b[48], why[160], dax[64];
	const char *type;
	int r = read_attr(fd, "state", state, sizeof(state));

	if (r < 0)
		return failed(c, d, "cannot read 'state'", r);
	switch (parse_state(state)) {
	case ST_ONLINE:
		return already(c, d, "");
	case ST_GOING_OFFLINE:
		return left_alone(c, d, "going offline, left alone");
	case ST_UNKNOWN:
		say(LOG_ERR, "%s: unexpected state '%s'", d->name, shown(state, b, sizeof(b)));
		return OUT_FAILED;
	case ST_OFFLINE:
		break;
	}
	if (c->cfg.skip_arch && arch_skips_memory())
		return left_alone(c, d, "left offline on s390x/ppc64 (skip_s390x_ppc64 = yes)");
	if (!(type = plan_block(&c->cfg, c->cmdline_memory, why, sizeof(why))))
		return left_alone(c, d, why);
	/* A dax range we cannot read is said, and the block onlined. */
	if (!c->cfg.dax_kmem && block_size(c) &&
	    dax_owns(c, d->index * c->block_size, dax, sizeof(dax)) == 1) {
		snprintf(why, sizeof(why), "left offline: memory of %s, daxctl's (dax_kmem = online "
			 "to online it)", dax);
		return left_alone(c, d, why);
	}
	/* Before 4.13 online_movable takes only the highest block of Normal
	 * (policy.c, movable_anywhere()): a device would be split between
	 * zones.  A policy the kernel cannot follow must not leave RAM offline. */
	if (strcmp(type, "online_movable") == 0 && !kernel_at_least(4, 13)) {
		say(LOG_NOTICE, "%s: online_movable needs Linux 4.13 or later here; onlining as "
		    "online", d->name);
		type = "online";
	}
	if (c->dry_run) {
		printf("%s: would online as %s\n", d->name, type);
		return OUT_ONLINED;
	}
	if (c->why == BY_REPAIR)
		say(LOG_NOTICE, "%s: the kernel's auto-online left it offline; onlining it as %s",
		    d->name, type);
	r = write_until_online(fd, "state", type, "online");
	if (r == -EINVAL && strcmp(type, "online") != 0 && !c->cfg.strict)
		r = fall_back(d, fd, &type);
	if (r == 1)
		return already(c, d, " (onlined by another agent)");
	if (r == -ECANCELED)
		return OUT_FAILED;   /* said why */
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot online as %s", type);
		return failed(c, d, why, r);
	}
	return onlined(c, d, fd, type);
}

/* smt/control: "on", "off", "forceoff", "notsupported", "notimplemented". */
static bool smt_disabled(struct ctx *c)
{
	char val[32];
	int dir = open_path(class_dir(c, DEV_CPU), "smt");
	int r = dir < 0 ? dir : read_attr(dir, "control", val, sizeof(val));

	if (dir >= 0)
		close(dir);
	return r >= 0 && (strcmp(val, "off") == 0 || strcmp(val, "forceoff") == 0);
}

static enum outcome online_cpu(struct ctx *c, const struct device *d, int fd)
{
	char val[32], b[48], why[160];
	int r = read_attr(fd, "online", val, sizeof(val));

	if (r == -ENOENT)   /* the boot CPU cannot be taken offline */
		return already(c, d, " (no 'online' file)");
	if (r < 0)
		return failed(c, d, "cannot read 'online'", r);
	switch (parse_cpu_online(val)) {
	case 1:
		return already(c, d, "");
	case -1:
		say(LOG_ERR, "%s: unexpected 'online' value '%s'", d->name, shown(val, b, sizeof(b)));
		return OUT_FAILED;
	}
	if (!c->cfg.cpu)
		return left_alone(c, d, "left offline (cpu = off)");
	/* A CPU the kernel kept offline at boot: a sweep asks for every
	 * offline CPU, and kernels before 4.13 do not mark replays. */
	if (c->cmdline_cpu[0] && (c->why == BY_SWEEP || !kernel_at_least(4, 13))) {
		snprintf(why, sizeof(why), "left offline ('%s' on the kernel command line%s)",
			 c->cmdline_cpu, c->why == BY_SWEEP ? ": name it to online it" :
			 "; this kernel does not mark replayed events");
		return left_alone(c, d, why);
	}
	if (c->dry_run) {
		printf("%s: would online\n", d->name);
		return OUT_ONLINED;
	}
	r = write_until_online(fd, "online", "1", "1");
	/* The kernel refuses an SMT sibling while SMT is off: a choice. */
	if (r == -EPERM && smt_disabled(c))
		return left_alone(c, d, "left offline (SMT disabled)");
	if (r == 1)
		return already(c, d, " (onlined by another agent)");
	if (r < 0)
		return failed(c, d, "cannot online", r);
	return onlined(c, d, fd, "");
}

enum outcome online_device(struct ctx *c, const struct device *d)
{
	int fd = open_device(c, d);
	enum outcome o;

	if (fd < 0)
		return failed(c, d, "cannot open", fd);
	/* udev runs events in parallel and an admin may sweep meanwhile: one
	 * of us at a time per device, from reading the state to writing it.
	 * Advisory; without it the kernel still serializes. */
	flock(fd, LOCK_EX);
	o = d->type == DEV_MEMORY ? online_memory(c, d, fd) : online_cpu(c, d, fd);
	close(fd);
	return o;
}
