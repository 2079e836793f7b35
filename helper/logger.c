/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hotplug-online log` (hotplug-online-log.service): one line for each
 * online and offline transition of a memory block or CPU, from the
 * kernel's own uevents, so whoever made the transition (the kernel's
 * auto-online, our udev rule, a distribution rule, an administrator) it is
 * logged once, and nothing else needs to know this process exists.
 *
 * It follows the devices hot-added (an `add` that is not a replay) until a
 * burst is over: no memory or CPU event for QUIET_MS.  Then
 *  - it repairs what the kernel's auto-online could not do: the kernel
 *    ignores a failed online inside add_memory() and sends no event for
 *    it.  A block not online while the kernel was to online it is onlined
 *    as the udev rule's helper would (device.c), and retried;
 *  - it hands what came online to the after-the-burst steps (burst.c), in
 *    a child process, one burst at a time.
 * And it reads the kernel's log from its end on: a hot-add the kernel
 * refused (no memory for its memmap, mostly) sends no uevent, only a line
 * there, which it repeats with the fix. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
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
/* How long a burst waits for a hot-added CPU to come online. */
#define WAIT_MS 10000

struct added {
	struct device d;
	unsigned tries;
	bool online, done;   /* done: repaired, left alone, or given up */
};

static struct added *added;
static size_t nadded, cap;
static long long last_ms;          /* the last memory or CPU event */
static struct burst before;        /* MemTotal and nodes with memory, as of the last burst */
static struct burst next;          /* what came online, for the steps */
static bool next_due;
static unsigned long *blocks;      /* the blocks that came online, for the steps */
static size_t nblocks, capblocks;
static pid_t child;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct added *find(const struct device *d)
{
	for (size_t i = 0; i < nadded; i++)
		if (added[i].d.type == d->type && added[i].d.index == d->index)
			return &added[i];
	return NULL;
}

static void remember(const struct device *d)
{
	if (find(d))
		return;
	if (nadded == cap) {
		struct added *p = realloc(added, (cap ? cap * 2 : 256) * sizeof(*added));

		if (!p) {
			say(LOG_ERR, "%s: out of memory: not followed after its hot-add", d->name);
			return;
		}
		added = p;
		cap = cap ? cap * 2 : 256;
	}
	added[nadded++] = (struct added){ *d, 0, false, false };
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
	say(LOG_INFO, "%s: %s%s", d->name, online ? "online" : "offline", desc);
}

static void handle(struct ctx *c, const char *msg, size_t len)
{
	struct uevent ev;
	struct added *a;
	struct device d;
	enum action act;
	char why[256];

	if (parse_uevent(msg, len, &ev) < 0 || !ev.subsystem || !ev.action)
		return;
	if (strcmp(ev.subsystem, "memory") != 0 && strcmp(ev.subsystem, "cpu") != 0)
		return;
	/* Not a device of ours (memory/auto_online_blocks has none): quietly. */
	if (parse_event(&ev, &d, &act, why, sizeof(why)) < 0 || act == ACT_OTHER)
		return;
	last_ms = now_ms();
	/* A replay (udevadm trigger, a uevent file written) is no transition. */
	if (ev.synth_uuid)
		return;
	if (act == ACT_ONLINE || act == ACT_OFFLINE)
		log_transition(c, &d, act == ACT_ONLINE);
	if (act == ACT_ADD)
		remember(&d);
	else if ((a = find(&d)) && act == ACT_REMOVE) {
		*a = added[--nadded];
	} else if (a) {
		a->online = act == ACT_ONLINE;
		a->done |= act == ACT_OFFLINE;   /* offlined since it came online: a choice */
	}
}

/* Was the kernel to online hot-added memory itself? */
static bool kernel_onlines(struct ctx *c)
{
	char aob[KNOB_LEN];

	return read_attr(class_dir(c, DEV_MEMORY), "auto_online_blocks", aob, sizeof(aob)) >= 0 &&
	       parse_knob(K_AUTO_ONLINE, aob) == 0 && strcmp(aob, "offline") != 0;
}

/* The nodes with memory now (node/has_memory) into bits: 0 or -errno. */
static int nodes_with_memory(struct ctx *c, unsigned long *bits)
{
	char val[512];
	int dir = open_path(c->root, "devices/system/node"), r;

	memset(bits, 0, BITMAP_LONGS(MAX_NODES) * sizeof(*bits));
	r = dir < 0 ? dir : read_attr(dir, "has_memory", val, sizeof(val));
	if (dir >= 0)
		close(dir);
	return r < 0 ? r : parse_list(val, bits, MAX_NODES);
}

/* MemTotal and the nodes with memory now: "before" for the next burst. */
static void snapshot(struct ctx *c)
{
	meminfo("MemTotal", &before.memtotal);
	nodes_with_memory(c, before.nodes_before);
}

/* What came online, added to the next burst's steps. */
static void take(struct ctx *c)
{
	unsigned long node, now[BITMAP_LONGS(MAX_NODES)];

	for (size_t i = 0; i < nadded; i++) {
		unsigned long *more;
		int fd;

		if (!added[i].online)
			continue;
		next_due = true;
		if (added[i].d.type == DEV_CPU) {
			if (added[i].d.index < MAX_CPUS)
				next.cpus[added[i].d.index / LONG_BITS] |= 1UL << added[i].d.index % LONG_BITS;
			continue;
		}
		next.bytes += block_size(c);
		if (nblocks == capblocks &&   /* out of memory: the hooks' list lacks it */
		    (more = realloc(blocks, (capblocks + 256) * sizeof(*blocks)))) {
			blocks = more;
			capblocks += 256;
		}
		if (nblocks < capblocks)
			blocks[nblocks++] = added[i].d.index;
		if ((fd = open_device(c, &added[i].d)) >= 0 && block_node(fd, &node) == 0 &&
		    node < MAX_NODES)
			next.nodes[node / LONG_BITS] |= 1UL << node % LONG_BITS;
		if (fd >= 0)
			close(fd);
	}
	if (nodes_with_memory(c, now) == 0)
		for (size_t i = 0; i < BITMAP_LONGS(MAX_NODES); i++)
			next.new_nodes[i] |= now[i] & ~before.nodes_before[i];
}

/* The kernel's log says it refused a hot-add (the ACPI memory driver's
 * and Hyper-V's balloon's words): no uevent does.  Said with the fix. */
static void kernel_said(struct ctx *c, const char *rec)
{
	unsigned long long avail;
	char fits[80] = "", b[200];
	const char *msg = strchr(rec, ';');

	if (!strstr(rec, "add_memory failed") && !strstr(rec, "hot_add memory failed"))
		return;
	if (memmap_on_memory(c) == 0 && meminfo("MemAvailable", &avail) == 0)
		snprintf(fits, sizeof(fits), "; with memmap_on_memory off, free memory takes "
			 "about %llu MiB now", hotadd_headroom(avail, (unsigned long)getpagesize()) >> 20);
	say(LOG_ERR, "the kernel refused a hot-add ('%s')%s: boot with "
	    "memory_hotplug.memmap_on_memory=1 where the kernel has it, or add less at a time",
	    shown(msg ? msg + 1 : rec, b, sizeof(b)), fits);
}

/* Every record the kernel's log got since the last read: 0 at an end of
 * file, which the kernel's log never has (a container's /dev/null). */
static ssize_t read_kmsg(struct ctx *c, int fd)
{
	char rec[2048];
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE))
		if (n > 0) {
			rec[n] = '\0';
			rec[strcspn(rec, "\n")] = '\0';
			kernel_said(c, rec);
		}
	return n;
}

/* The burst is over: repair, then hand what came online to the steps. */
static void settle(struct ctx *c, const char *config, long long quiet_for)
{
	bool onlines = kernel_onlines(c), waiting = false;

	config_defaults(&c->cfg);
	config_load(&c->cfg, config, false);
	for (size_t i = 0; i < nadded; i++) {
		struct added *a = &added[i];
		enum outcome o;

		if (a->online || a->done)
			continue;
		/* The udev rule's helper onlines it (a CPU, or memory the kernel
		 * does not), which can take seconds (a CPU's bring-up: 2 s under
		 * TCG): the burst waits for it, WAIT_MS at most. */
		if (a->d.type == DEV_CPU || !onlines) {
			waiting |= quiet_for < WAIT_MS;
			continue;
		}
		if (quiet_for < attempt_ms[a->tries]) {
			waiting = true;
			continue;
		}
		/* The repair is said at its first attempt; a retry says only
		 * how it failed. */
		c->why = a->tries ? BY_UDEV : BY_REPAIR;
		o = online_device(c, &a->d);
		/* Onlined now: its event comes, and the burst goes on. */
		waiting |= o == OUT_ONLINED;
		a->done = o != OUT_FAILED || ++a->tries == ATTEMPTS;
		waiting |= !a->done;
		if (o == OUT_FAILED && a->done)
			say(LOG_ERR, "%s: still offline after %zu attempts; 'hotplug-online online "
			    "%s' tries again", a->d.name, ATTEMPTS, a->d.name);
	}
	if (waiting)
		return;
	take(c);
	nadded = 0;
}

/* One child at a time runs the steps; a burst that ends meanwhile waits. */
static void run_steps(struct ctx *c)
{
	size_t n = 0;

	if (child > 0 && waitpid(child, NULL, WNOHANG) == 0)
		return;
	child = 0;
	if (!next_due)
		return;
	/* The blocks of every burst since the last run, each once, ascending. */
	sort_indexes(blocks, nblocks);
	for (size_t i = 0; i < nblocks; i++)
		if (n == 0 || blocks[n - 1] != blocks[i])
			blocks[n++] = blocks[i];
	format_indexes(blocks, n, next.blocks, sizeof(next.blocks));
	nblocks = 0;
	memcpy(next.nodes_before, before.nodes_before, sizeof(next.nodes_before));
	next.memtotal = before.memtotal;
	if ((child = fork()) == 0)
		_exit(burst_steps(c, &next));
	if (child < 0)
		say(LOG_ERR, "cannot start the after-hot-add steps: %s", strerror(errno));
	memset(&next, 0, sizeof(next));
	next_due = false;
	snapshot(c);
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
		/* Only the kernel's (port 0). */
		if (from.pid == 0 && (mh.msg_flags & MSG_TRUNC) == 0)
			handle(c, buf, (size_t)n);
	}
}

int cmd_log(struct ctx *c, const char *config)
{
	int fd = open_socket();
	/* From its end: what the kernel logs from now on (none in a container). */
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	c->why = BY_REPAIR;
	if (fd < 0) {
		say(LOG_ERR, "cannot listen to kernel uevents: %s", strerror(-fd));
		return EXIT_FAIL;
	}
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	snapshot(c);
	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { kmsg, POLLIN, 0 } };
		long long quiet_for = now_ms() - last_ms;
		long timeout = -1;   /* nothing to follow: sleep until an event */
		int r;

		/* Following a burst: its end, then a step a second while repairs wait. */
		if (nadded)
			timeout = quiet_for < QUIET_MS ? QUIET_MS - (long)quiet_for : QUIET_MS;
		if (child > 0 && (timeout < 0 || timeout > 500))
			timeout = 500;   /* reap the steps' child */
		if (poll(p, kmsg >= 0 ? 2 : 1, (int)timeout) < 0 && errno != EINTR) {
			say(LOG_ERR, "poll: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if ((r = drain(c, fd)) < 0) {
			say(LOG_ERR, "cannot read kernel uevents: %s", strerror(-r));
			return EXIT_FAIL;
		}
		/* Not the kernel's log: poll() would say "readable" forever. */
		if (p[1].revents && read_kmsg(c, kmsg) == 0) {
			close(kmsg);
			kmsg = -1;
		}
		quiet_for = now_ms() - last_ms;
		if (nadded && quiet_for >= QUIET_MS)
			settle(c, config, quiet_for);
		if (quiet_for >= QUIET_MS)
			run_steps(c);
	}
}
