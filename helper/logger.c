/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `online` and `offline` events' lines, one helper run for a burst.
 *
 * A hot-add of 8 GiB is 64 blocks, and 64 `online` events; one run per
 * event puts 64 execs on the CPU that is onlining the memory.  So the run
 * udevd starts for the first event of a burst logs its line and stays:
 * it follows udevd's broadcast of the events it has processed (what
 * `udevadm monitor --udev` shows), and while it lives the rule marks each
 * transition for it (HOTPLUG_ONLINE_LOG=deferred) instead of running the
 * helper again.  It runs at SCHED_IDLE, so the lines wait until the CPU
 * is done onlining.
 *
 *   /run/hotplug-online/logger        symlink to /proc/PID/fd/N, our
 *                                     socket: the rule's TEST finds it only
 *                                     while we live
 *   /run/hotplug-online/logger.lock   flock: one logger at a time
 *   /run/hotplug-online/waiting/SEQ   the run for event SEQNUM=SEQ waits
 *                                     for the logger to leave
 *
 * One line per transition:
 * - The rule's one TEST decides for each event: marked (the logger logs it
 *   from udevd's broadcast) or run (that run logs it).
 * - The logger binds its socket before it makes the link, so every marked
 *   event's broadcast reaches it.  It removes the link after a second with
 *   no memory or CPU event, and leaves once every online/offline event the
 *   kernel sent before that has come back from udevd, or is held by a run
 *   waiting for it.
 * - A run that finds the lock taken and no link waits until the logger
 *   has left: the lines of one device keep their order, and so do its
 *   marks (device.c).  With the link there it logs at once (wait_lock()).
 * - A run not started by udevd (no SEQNUM) only logs its own line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hotplug-online.h"

#define LINK    "logger"
#define LOCK    "logger.lock"
#define WAITING "waiting"

#define IDLE_MS   1000   /* no memory or CPU event for this long: the burst is over */
#define LIFE_MS  20000   /* then hand over: udevd kills a run after 180 s */
#define DRAIN_MS 10000   /* for events udevd has not broadcast yet */
#define WAIT_MS  30000   /* a run waiting for the logger to leave */
#define PENDING   8192
#define MSG_MAX  16384

struct logger {
	long idle_ms, drain_ms;               /* IDLE_MS, DRAIN_MS (shorter in tests) */
	int sock, waiting;
	bool closing, lost;
	long long start, last;               /* ms */
	unsigned long long cutoff;            /* closing: later events were not marked */
	unsigned long long pending[PENDING];  /* SEQNUMs sent, not yet broadcast */
	size_t npending;
	char link[64];
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* musl's sched_setscheduler() is a stub (ENOSYS): the system call. */
static void idle_priority(void)
{
	struct sched_param p = { 0 };

	if (syscall(SYS_sched_setscheduler, 0, SCHED_IDLE, &p) < 0)
		(void)setpriority(PRIO_PROCESS, 0, 19);
}

static int open_lock(int dir)
{
	struct stat st;
	int fd = openat(dir, LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return -EBADMSG;
	}
	return fd < 0 ? -errno : fd;
}

/* A run that finds the lock taken: if the logger's link is there, udevd
 * checked our event before the logger made it (else our event would be
 * marked), and so every earlier event of our device too: nothing of
 * ours is the logger's, log at once.  With no link the logger is leaving
 * and may still owe our device a line: wait for the lock (our SEQNUM in
 * waiting/ tells the logger not to wait for us in turn), at most WAIT_MS. */
static void wait_lock(int dir, int lock, const char *seq)
{
	int wdir = run_dir(WAITING, true);
	struct stat st;

	if (wdir >= 0 && state_write(wdir, seq, "") < 0) {
		close(wdir);
		wdir = -1;
	}
	for (long t = 0; t < WAIT_MS && flock(lock, LOCK_EX | LOCK_NB) < 0 &&
	     fstatat(dir, LINK, &st, 0) < 0; t += 20)
		sleep_ms(20);
	if (wdir >= 0) {
		unlinkat(wdir, seq, 0);
		close(wdir);
	}
}

static void pending_add(struct logger *lg, unsigned long long seq)
{
	if (lg->npending == PENDING)
		lg->lost = true;
	else
		lg->pending[lg->npending++] = seq;
}

static void pending_del(struct logger *lg, unsigned long long seq)
{
	for (size_t i = 0; i < lg->npending; i++)
		if (lg->pending[i] == seq) {
			memmove(&lg->pending[i], &lg->pending[i + 1],
				(lg->npending - i - 1) * sizeof(lg->pending[0]));
			lg->npending--;
			return;
		}
}

/* Closing: a pending event whose run waits for us is that run's to log. */
static void drop_waiting(struct logger *lg)
{
	char name[24];
	struct stat st;

	if (lg->waiting < 0)
		lg->waiting = run_dir(WAITING, false);
	for (size_t i = 0; lg->waiting >= 0 && i < lg->npending;) {
		snprintf(name, sizeof(name), "%llu", lg->pending[i]);
		if (fstatat(lg->waiting, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			pending_del(lg, lg->pending[i]);
		else
			i++;
	}
}

static bool ours(const struct uevent *ev)
{
	return ev->subsystem && (strcmp(ev->subsystem, "memory") == 0 ||
				 strcmp(ev->subsystem, "cpu") == 0);
}

static void handle(struct ctx *c, struct logger *lg, const char *msg, size_t len,
		   enum ue_from from)
{
	struct uevent ev;
	struct device d;
	enum action act;
	char why[256];

	if (from == UE_OTHER || parse_uevent(msg, len, from == UE_UDEV, &ev) < 0 || !ours(&ev))
		return;
	lg->last = now_ms();
	if (from == UE_KERNEL) {
		if (ev.seqnum && ev.action && (!lg->closing || ev.seqnum <= lg->cutoff) &&
		    (strcmp(ev.action, "online") == 0 || strcmp(ev.action, "offline") == 0))
			pending_add(lg, ev.seqnum);
		return;
	}
	if (ev.seqnum)
		pending_del(lg, ev.seqnum);
	if (!ev.log || strcmp(ev.log, "deferred") != 0 || ev.synth_uuid)
		return;
	if (parse_event(&ev, &d, &act, why, sizeof(why)) < 0)
		say(LOG_WARNING, "udevd's broadcast of an event: %s", why);
	else if (act == ACT_ONLINE || act == ACT_OFFLINE)
		log_transition(c, &d, act == ACT_ONLINE);
}

/* Everything the socket holds. */
static void drain(struct ctx *c, struct logger *lg)
{
	static char msg[MSG_MAX];
	enum ue_from from;
	long n;

	while ((n = uevent_recv(lg->sock, msg, sizeof(msg), &from)) != -EAGAIN) {
		if (n == -ENOBUFS)
			lg->lost = true;
		else if (n == -EINTR)
			continue;
		else if (n < 0)
			return;
		else
			handle(c, lg, msg, (size_t)n, from);
	}
}

/* Stop being found by the rule: the link goes, and the kernel's event
 * count says which events it may still have marked. */
static void close_link(struct ctx *c, struct logger *lg, int dir)
{
	char target[sizeof(lg->link)], seq[32];
	ssize_t n = readlinkat(dir, LINK, target, sizeof(target) - 1);
	int kdir;

	if (n > 0 && (target[n] = '\0', strcmp(target, lg->link) == 0))
		unlinkat(dir, LINK, 0);
	lg->closing = true;
	lg->cutoff = ~0ULL;
	/* Anything after this number was sent after the link went. */
	if ((kdir = open_path(c->root, "kernel")) >= 0) {
		if (read_attr(kdir, "uevent_seqnum", seq, sizeof(seq)) < 0 ||
		    parse_seqnum(seq, &lg->cutoff) < 0)
			lg->cutoff = ~0ULL;
		close(kdir);
	}
}

/* The socket, then the link: from here on the rule marks events for us. */
static int start_burst(struct logger *lg, int dir)
{
	char tmp[] = "." LINK ".new";

	lg->waiting = -1;
	lg->sock = uevent_open();
	if (lg->sock < 0)
		return -1;   /* the rule goes on running us for each event */
	snprintf(lg->link, sizeof(lg->link), "/proc/%d/fd/%d", (int)getpid(), lg->sock);
	unlinkat(dir, tmp, 0);
	if (symlinkat(lg->link, dir, tmp) < 0 || renameat(dir, tmp, dir, LINK) < 0) {
		unlinkat(dir, tmp, 0);
		close(lg->sock);
		return -1;
	}
	lg->start = lg->last = now_ms();
	lg->idle_ms = fault_number("LOGGER_IDLE_MS", IDLE_MS);
	lg->drain_ms = fault_number("LOGGER_DRAIN_MS", DRAIN_MS);
	return 0;
}

static void follow_burst(struct ctx *c, struct logger *lg, int dir)
{
	for (;;) {
		struct pollfd p = { .fd = lg->sock, .events = POLLIN };
		long long now, quiet, wait;

		drain(c, lg);
		now = now_ms();
		quiet = now - lg->last;
		if (lg->npending && (lg->closing || quiet >= lg->idle_ms))
			drop_waiting(lg);
		/* Quiet for a second with nothing owed, or the life is up. */
		if (!lg->closing && (now - lg->start >= LIFE_MS ||
				     (quiet >= lg->idle_ms && (lg->npending == 0 || lg->lost)))) {
			close_link(c, lg, dir);
			continue;   /* what came meanwhile */
		}
		if (lg->closing && (lg->npending == 0 || lg->lost))
			break;
		/* Owed events udevd does not broadcast (a worker it killed). */
		if (quiet >= lg->drain_ms) {
			if (!lg->closing)
				close_link(c, lg, dir);
			break;
		}
		if (lg->npending && (lg->closing || quiet >= lg->idle_ms))
			wait = 20;   /* for a run to say it waits */
		else if ((wait = lg->idle_ms - quiet) > LIFE_MS - (now - lg->start))
			wait = LIFE_MS - (now - lg->start);
		(void)poll(&p, 1, wait > 0 ? (int)wait : 1);
	}
	drain(c, lg);
	if (lg->lost)
		say(LOG_WARNING, "lost udev events during a burst: some online/offline lines "
		    "may be missing ('hotplug-online status' shows every block)");
	else if (lg->npending)
		say(LOG_WARNING, "%zu online/offline events never came back from udevd: "
		    "their lines may be missing", lg->npending);
	if (lg->waiting >= 0)
		close(lg->waiting);
	close(lg->sock);
}

/* ACTION=online or offline, from udev (seq: its SEQNUM) or not. */
int log_event(struct ctx *c, const struct device *d, bool online, const char *seq)
{
	static struct logger lg;
	unsigned long long n;
	int dir = -1, lock = -1;

	/* Until the link is there every event udevd handles is one more
	 * exec: get there first. */
	if (seq && parse_seqnum(seq, &n) == 0 && (setpriority(PRIO_PROCESS, 0, -20),
						  (dir = run_dir(NULL, true)) >= 0))
		lock = open_lock(dir);
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0) {
		bool follow = start_burst(&lg, dir) == 0;

		idle_priority();
		log_transition(c, d, online);
		if (follow)
			follow_burst(c, &lg, dir);
	} else {
		idle_priority();
		/* Not a logger ourselves: the next event finds no link and
		 * starts one. */
		if (lock >= 0)
			wait_lock(dir, lock, seq);
		log_transition(c, d, online);
	}
	if (lock >= 0)
		close(lock);
	if (dir >= 0)
		close(dir);
	return EXIT_OK;
}
