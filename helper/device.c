/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Acting on one device: online a memory block or a CPU, and log each
 * online/offline transition once, whoever made it.
 *
 * One line per transition: the kernel sends an `online` uevent each time
 * a block or CPU comes online, whoever onlined it, and none at boot
 * replay.  So the helper that onlines a device from a udev `add` event (or
 * a sweep, where udevd runs) says nothing itself: it leaves a mark in
 * /run/hotplug-online/onlined/ saying how it decided, and the `online`
 * event's run logs the line with that mark.  Without udevd a sweep logs
 * its own lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hotplug-online.h"

#define MAX_TRIES 10       /* EBUSY/EAGAIN: 10 tries, about 2 s in all */
#define MAX_DELAY_MS 500
#define ONLINED "onlined"
#define OFFLINED "offlined"

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Write until the attribute reads `online`: 0 we did it, 1 somebody else
 * did (the kernel, another rule: daxctl treats that as success too), or
 * -errno.  EBUSY and EAGAIN are retried with backoff, well inside udev's
 * event timeout. */
static int write_until_online(const struct device *d, int fd, const char *attr,
			      const char *val, const char *online)
{
	long delay = 10;

	for (int tries = 1;; tries++) {
		char now[32];
		int r = write_attr(d->name, fd, attr, val);

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

/* The device went away, or never was: expected mid-event, a mistake when
 * an administrator names it. */
static enum outcome missing(const struct ctx *c, const struct device *d)
{
	if (c->udev) {
		say(LOG_NOTICE, "%s: removed before it could be onlined", d->name);
		return OUT_SKIPPED;
	}
	say(LOG_ERR, "%s: no such device", d->name);
	return OUT_FAILED;
}

static enum outcome failed(const struct ctx *c, const struct device *d, const char *what, int r)
{
	if (r == -ENOENT || r == -ENODEV)
		return missing(c, d);
	say(LOG_ERR, "%s: %s: %s%s", d->name, what,
	    r == -EBADMSG ? "unexpected contents" : strerror(-r),
	    r == -EACCES || r == -EPERM ? " (are you root?)" : "");
	return OUT_FAILED;
}

/* Online already: news only to an administrator who named the device.
 * Under udev the `online` event has logged (or will log) it. */
static enum outcome already(const struct ctx *c, const struct device *d, const char *extra)
{
	if (!c->udev && !c->sweep)
		printf("%s: already online%s\n", d->name, extra);
	return OUT_ALREADY;
}

/* Left alone on purpose: said at a hot-add, not at every boot's replay. */
static enum outcome left_alone(const struct ctx *c, const struct device *d, const char *why)
{
	if (!(c->udev && c->replay))
		say(LOG_INFO, "%s: %s", d->name, why);
	return OUT_SKIPPED;
}

/* Asked once per process: a sweep asks for every block. */
bool arch_skips_memory(void)
{
	static int skips = -1;
	struct utsname u;
	const char *arch = fault_path("ARCH", NULL);

	if (skips >= 0)
		return skips;
	if (!arch && uname(&u) == 0)
		arch = u.machine;
	skips = arch && (strncmp(arch, "s390", 4) == 0 || strncmp(arch, "ppc64", 5) == 0);
	return skips;
}

/* The kernel command line's word that keeps CPUs offline (maxcpus=,
 * nosmt), read once; "" when none.  -errno when it cannot be read. */
static int cpu_limit(char *word, size_t size)
{
	static char cached[64];
	static int r = 1;
	struct buf b = { 0 };

	if (r == 1) {
		r = read_proc("cmdline", &b);
		if (r == 0)
			parse_cpu_limit(b.p, cached, sizeof(cached));
		buf_free(&b);
	}
	snprintf(word, size, "%s", cached);
	return r;
}

/* uname's release (the test build can pretend), asked once. */
const char *kernel_release(void)
{
	static struct utsname u;
	static const char *rel;

	if (!rel)
		rel = fault_path("RELEASE", NULL);
	if (!rel && uname(&u) == 0)
		rel = u.release;
	return rel ? rel : "";
}

/* An unreadable release counts as a current kernel. */
bool kernel_at_least(unsigned long major, unsigned long minor)
{
	unsigned long ma, mi;

	if (parse_release(kernel_release(), &ma, &mi) < 0)
		return true;
	return ma > major || (ma == major && mi >= minor);
}

/* Kernels before 4.13 send replayed events without SYNTH_UUID. */
static bool marks_replays(void)
{
	return kernel_at_least(4, 13);
}

/* The /proc/iomem range holding addr (read and checked once per process):
 * 1 found, with its driver in r->owner ("kmem" for dax kmem, daxctl's;
 * "virtio_mem"; "" for a DIMM); 0 not found or no /proc/iomem; -EBADMSG
 * for contents of another shape. */
static int memory_range(unsigned long long addr, struct iomem_range *range)
{
	static struct buf iomem;
	static int r = 1;
	unsigned line;
	int found;

	memset(range, 0, sizeof(*range));
	if (r == 1) {
		r = read_proc("iomem", &iomem);
		if (r == -EBADMSG)   /* a NUL byte: said, as every refusal is */
			say(LOG_ERR, "'/proc/iomem': unexpected contents: nothing changed");
	}
	if (r == -EBADMSG)
		return r;
	if (r < 0)   /* no /proc/iomem to read: nobody's memory */
		return 0;
	found = parse_iomem(iomem.p, iomem.len, addr, range, &line);
	if (found < 0) {
		say(LOG_ERR, "'/proc/iomem' line %u: unexpected contents: nothing changed", line);
		return -EBADMSG;
	}
	return found;
}

/* ", 128 MiB, node 0, zone Normal", leaving out what sysfs does not say
 * (and the zone of an offline block, whose valid_zones are candidates). */
static void describe_block(struct ctx *c, int blockfd, bool zone, char *buf, size_t size)
{
	char name[32];
	unsigned long node;
	int n = 0;

	buf[0] = '\0';
	if (block_size(c))
		n += snprintf(buf + n, size - (size_t)n, ", %llu MiB", c->block_size >> 20);
	if (block_node(blockfd, &node) == 0)
		n += snprintf(buf + n, size - (size_t)n, ", node %lu", node);
	if (zone && block_zone(blockfd, name, sizeof(name)) == 0)
		snprintf(buf + n, size - (size_t)n, ", zone %s", name);
}

/* A mark names the device directory's inode: a block removed and added
 * again (a new directory) never inherits the old one's mark. */
static void set_mark(const struct device *d, int fd, const char *sub, const char *text)
{
	char line[320];
	struct stat st;
	int dir;

	if (fstat(fd, &st) < 0 || (dir = run_dir(sub, true)) < 0)
		return;
	snprintf(line, sizeof(line), "%llu %s\n", (unsigned long long)st.st_ino, text);
	state_write(dir, d->name, line);
	close(dir);
}

/* Take (read and remove) the device's mark: 1 with its text, 0 none. */
static int take_mark(const struct device *d, int fd, const char *sub, char *text, size_t size)
{
	char line[320], *end;
	unsigned long long ino;
	struct stat st;
	int dir = run_dir(sub, false), r;

	text[0] = '\0';
	if (dir < 0)
		return 0;
	r = state_read(dir, d->name, line, sizeof(line));
	if (r != -ENOENT)
		unlinkat(dir, d->name, 0);
	close(dir);
	if (r < 0 || fstat(fd, &st) < 0)
		return 0;
	errno = 0;
	ino = strtoull(line, &end, 10);
	if (errno || end == line || (*end && *end != ' ') || ino != (unsigned long long)st.st_ino)
		return 0;
	/* Our own words, but read back from a file: printable ASCII only. */
	snprintf(text, size, "%s", *end ? end + 1 : end);
	for (char *t = text; *t; t++)
		if (*t < 0x20 || *t > 0x7e)
			*t = '?';
	return 1;
}

static void drop_mark(const struct device *d, const char *sub)
{
	int dir = run_dir(sub, false);

	if (dir >= 0) {
		unlinkat(dir, d->name, 0);
		close(dir);
	}
}

/* A device we just onlined: the `online` event logs it, or, with nobody
 * to send it to, we do. */
static void onlined(const struct ctx *c, const struct device *d, const char *how,
		    const char *desc)
{
	if (c->sweep || !c->udev)
		printf("%s: onlined%s%s%s%s\n", d->name, how, desc[0] ? " (" : "",
		       desc[0] ? desc + 2 : "", desc[0] ? ")" : "");
	if (!c->udev_logs)
		log_only(LOG_INFO, "%s: online (%s%sby hotplug-online%s)", d->name,
			 desc[0] ? desc + 2 : "", desc[0] ? "; " : "", how);
}

/* Before 4.13 online_movable works only for the highest block of
 * ZONE_NORMAL (policy.c, movable_anywhere()), and udev onlines a DIMM's
 * blocks lowest first: online_movable and auto-movable would leave all
 * but one block of each device in Normal.  Refused: at a terminal with
 * nothing written; from udev the block goes online in a kernel zone,
 * since a configuration the kernel cannot follow must not leave RAM
 * offline (as a typo does not).  NULL: the kernel can do it. */
static const char *old_kernel(const struct ctx *c, const struct device *d)
{
	unsigned long major, minor;
	char rel[64];

	if ((c->cfg.memory != MEM_MOVABLE && c->cfg.memory != MEM_AUTO) ||
	    parse_release(kernel_release(), &major, &minor) < 0 || movable_anywhere(major, minor))
		return NULL;
	shown(kernel_release(), rel, sizeof(rel));
	say(LOG_ERR, "%s: memory = %s needs Linux 4.13 or later: this kernel (%s) takes "
	    "online_movable only for the highest block of ZONE_NORMAL, which would split "
	    "each device between zones; %s", d->name, policy_name(c->cfg.memory), rel,
	    c->udev ? "onlining as online instead" : "nothing changed (memory = online or "
	    "online_kernel work here)");
	return c->udev ? ", memory = auto-movable and online_movable need Linux 4.13+" : "";
}

/* The kernel refused `type` (EINVAL): write "online" instead only if the
 * zone it picks is one the decision allows (policy.c, plan_fallback()),
 * as the offline block's valid_zones says.  0 written, 1 another agent
 * onlined it, -errno; -ECANCELED when no allowed zone is left (said). */
static int fall_back(struct ctx *c, const struct device *d, int fd, const char **type,
		     struct am_result *am, char *mark, size_t size)
{
	char zones[64], why[200], zone[32];
	int r;

	if (read_attr(fd, "valid_zones", zones, sizeof(zones)) < 0)
		zones[0] = '\0';
	if (!plan_fallback(*type, zones, why, sizeof(why))) {
		say(LOG_ERR, "%s: the kernel refused %s (%s); %s", d->name, *type, strerror(EINVAL),
		    why);
		return -ECANCELED;
	}
	say(LOG_NOTICE, "%s: the kernel refused %s (%s); %s", d->name, *type, strerror(EINVAL), why);
	snprintf(am->how + strlen(am->how), sizeof(am->how) - strlen(am->how),
		 ", kernel refused %s", *type);
	*type = "online";
	snprintf(mark, size, " as %s%s", *type, am->how);
	if (c->udev_logs)
		set_mark(d, fd, ONLINED, mark + 1);
	r = write_until_online(d, fd, "state", *type, "online");
	if (r == 0 && c->cfg.memory == MEM_AUTO && block_zone(fd, zone, sizeof(zone)) == 0)
		auto_movable_landed(c, d, am, zone);
	return r;
}

static enum outcome online_memory(struct ctx *c, const struct device *d, int fd)
{
	const char *type = policy_name(c->cfg.memory), *old;
	char state[32], shown_state[48], mark[360], desc[80];
	struct am_result am = { .lock = -1 };
	struct iomem_range range;
	int found = 0, r = read_attr(fd, "state", state, sizeof(state));

	if (r < 0)
		return failed(c, d, "cannot read 'state'", r);
	switch (parse_state(state)) {
	case ST_ONLINE:
		return already(c, d, "");
	case ST_GOING_OFFLINE:
		say(LOG_NOTICE, "%s: going offline, left alone", d->name);
		return OUT_SKIPPED;
	case ST_UNKNOWN:
		say(LOG_ERR, "%s: unexpected state '%s'", d->name,
		    shown(state, shown_state, sizeof(shown_state)));
		return OUT_FAILED;
	case ST_OFFLINE:
		break;
	}
	if (c->cfg.memory == MEM_OFF)
		return left_alone(c, d, "left offline (memory = off)");
	if (c->cfg.skip_arch && arch_skips_memory())
		return left_alone(c, d, "left offline on s390x/ppc64 (skip_s390x_ppc64 = yes)");
	if ((!c->cfg.dax_kmem || c->cfg.memory == MEM_AUTO) && block_size(c)) {
		found = memory_range(d->index * c->block_size, &range);
		if (found < 0)
			return OUT_BAD;
		if (!c->cfg.dax_kmem && found && strcmp(range.owner, "kmem") == 0)
			return left_alone(c, d, "left offline: dax kmem memory is daxctl's "
					  "(dax_kmem = online to online it)");
	}
	if ((old = old_kernel(c, d))) {
		if (!c->udev)
			return OUT_BAD;
		type = "online";
		snprintf(am.how, sizeof(am.how), "%s", old);
	} else if (c->cfg.memory == MEM_AUTO) {
		r = auto_movable(c, d, fd, found ? &range : NULL, &am);
		if (r < 0) {
			if (am.lock >= 0)
				close(am.lock);
			return OUT_BAD;
		}
		type = am.type;
	}
	if (c->dry_run) {
		if (am.lock >= 0)
			close(am.lock);
		say(LOG_INFO, "%s: would online as %s%s", d->name, type, am.how);
		return OUT_ONLINED;
	}
	snprintf(mark, sizeof(mark), " as %s%s", type, am.how);
	if (c->udev_logs)
		set_mark(d, fd, ONLINED, mark + 1);
	r = write_until_online(d, fd, "state", type, "online");
	if (r == -EINVAL && strcmp(type, "online") != 0 && !c->cfg.strict)
		r = fall_back(c, d, fd, &type, &am, mark, sizeof(mark));
	if (am.lock >= 0)
		close(am.lock);   /* the next decision sees this block online */
	if (r != 0 && c->udev_logs)
		drop_mark(d, ONLINED);
	if (r == 1)
		return already(c, d, " (onlined by another agent)");
	if (r == -ECANCELED)
		return OUT_FAILED;   /* said why */
	if (r < 0) {
		snprintf(desc, sizeof(desc), "cannot online as %s", type);
		return failed(c, d, desc, r);
	}
	describe_block(c, fd, true, desc, sizeof(desc));
	onlined(c, d, mark, desc);
	return OUT_ONLINED;
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
	char val[32], shown_val[48], limit[64], why[160];
	int r = read_attr(fd, "online", val, sizeof(val));

	if (r == -ENOENT)   /* the boot CPU cannot be taken offline */
		return c->udev ? OUT_ALREADY : already(c, d, " (no 'online' file)");
	if (r < 0)
		return failed(c, d, "cannot read 'online'", r);
	switch (parse_cpu_online(val)) {
	case 1:
		return already(c, d, "");
	case -1:
		say(LOG_ERR, "%s: unexpected 'online' value '%s'", d->name,
		    shown(val, shown_val, sizeof(shown_val)));
		return OUT_FAILED;
	}
	if (!c->cfg.cpu)
		return left_alone(c, d, "left offline (cpu = off)");
	/* A CPU the kernel kept offline at boot: a sweep asks for every
	 * offline CPU, and on kernels that cannot tell a replay from a
	 * hot-add, neither can we. */
	if ((c->sweep || (c->udev && !marks_replays())) && cpu_limit(limit, sizeof(limit)) == 0 &&
	    limit[0]) {
		snprintf(why, sizeof(why), "left offline ('%s' on the kernel command line%s)", limit,
			 c->sweep ? ": name it to online it" :
			 "; this kernel does not mark replayed events");
		return left_alone(c, d, why);
	}
	if (c->dry_run) {
		say(LOG_INFO, "%s: would online", d->name);
		return OUT_ONLINED;
	}
	if (c->udev_logs)
		set_mark(d, fd, ONLINED, "");
	r = write_until_online(d, fd, "online", "1", "1");
	if (r != 0 && c->udev_logs)
		drop_mark(d, ONLINED);
	/* The kernel refuses an SMT sibling while SMT is off: a choice. */
	if (r == -EPERM && smt_disabled(c))
		return left_alone(c, d, "left offline (SMT disabled)");
	if (r == 1)
		return already(c, d, " (onlined by another agent)");
	if (r < 0)
		return failed(c, d, "cannot online", r);
	onlined(c, d, "", "");
	return OUT_ONLINED;
}

enum outcome online_device(struct ctx *c, const struct device *d)
{
	int fd = open_device(c, d);
	enum outcome o;

	if (fd < 0)
		return failed(c, d, "cannot open", fd);
	/* udev runs events in parallel and an admin may sweep meanwhile: one
	 * of us at a time per device, from reading the state to writing it,
	 * so exactly one process onlines it and the others see it online.
	 * Advisory and best effort: without it the kernel still serializes. */
	flock(fd, LOCK_EX);
	o = d->type == DEV_MEMORY ? online_memory(c, d, fd) : online_cpu(c, d, fd);
	close(fd);
	return o;
}

/* Who onlined a block we did not: the kernel's auto-online onlines only
 * what is being hot-added (a block that never went offline); anything
 * else is another agent (a distribution rule, an administrator, chmem). */
static const char *onliner(struct ctx *c, const struct device *d, int fd)
{
	char aob[KNOB_LEN], unused[8];

	if (take_mark(d, fd, OFFLINED, unused, sizeof(unused)))
		return "by another agent";
	if (read_attr(class_dir(c, DEV_MEMORY), "auto_online_blocks", aob, sizeof(aob)) >= 0 &&
	    parse_knob(K_AUTO_ONLINE, aob) == 0 && strcmp(aob, "offline") != 0)
		return "by the kernel's auto-online";
	return "by another agent";
}

/* ACTION=online or offline: the one line of that transition. */
int log_transition(struct ctx *c, const struct device *d, bool online)
{
	char how[300], desc[80];
	int fd = open_device(c, d);

	if (fd < 0) {   /* gone already (a hot-remove): the transition, without details */
		log_only(LOG_INFO, "%s: %s", d->name, online ? "online" : "offline");
		return EXIT_OK;
	}
	if (d->type == DEV_MEMORY)
		describe_block(c, fd, online, desc, sizeof(desc));
	else
		desc[0] = '\0';
	if (!online) {
		drop_mark(d, ONLINED);
		if (d->type == DEV_MEMORY)
			set_mark(d, fd, OFFLINED, "");
		log_only(LOG_INFO, "%s: offline%s%s%s", d->name, desc[0] ? " (" : "",
			 desc[0] ? desc + 2 : "", desc[0] ? ")" : "");
	} else if (take_mark(d, fd, ONLINED, how, sizeof(how))) {
		log_only(LOG_INFO, "%s: online (%s%sby hotplug-online%s%s)", d->name,
			 desc[0] ? desc + 2 : "", desc[0] ? "; " : "", how[0] ? " " : "", how);
	} else {
		log_only(LOG_INFO, "%s: online (%s%s%s)", d->name, desc[0] ? desc + 2 : "",
			 desc[0] ? "; " : "", d->type == DEV_MEMORY ? onliner(c, d, fd) :
			 "by another agent");
	}
	close(fd);
	return EXIT_OK;
}
