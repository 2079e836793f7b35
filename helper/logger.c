/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `online` and `offline` events' lines, one helper run for a burst.
 *
 * A hot-add of 8 GiB is 64 blocks, and 64 `online` events; one run per
 * event puts 64 execs on the CPU that is onlining the memory.  So the run
 * udevd starts for the first event of a burst logs its line and stays:
 * it follows udevd's broadcast of the events it has processed (what
 * `udevadm monitor --udev` shows), and while it lives the rule leaves each
 * transition to it instead of running the helper again (only a run's
 * event is marked, HOTPLUG_ONLINE_LOG=run: a mark is a write to udev's
 * database).  It runs at SCHED_IDLE; while memory or CPU events come it
 * reads its socket once a step of HOLD_MS, not once an event, and holds
 * the `online` lines until a step brings none: a hot-add's lines are
 * written after it.
 *
 *   /run/hotplug-online/logger        symlink to /proc/PID/fd/N, our open
 *                                     fd of burst/: the rule's TEST of
 *                                     logger/alive2 finds it only while we
 *                                     live (a dead logger's link dangles,
 *                                     or names another process's fd)
 *   /run/hotplug-online/burst/alive2  an empty file, found through the link
 *   /run/hotplug-online/burst/alive   the same for the rule of before
 *                                     (HOTPLUG_ONLINE_LOG=deferred on the
 *                                     logger's events, which we log too),
 *                                     while a package upgrade replaces it:
 *                                     the rule of now tests alive2, which
 *                                     an older logger, logging only events
 *                                     marked deferred, does not make
 *   /run/hotplug-online/logger.lock   flock: one logger at a time
 *   /run/hotplug-online/waiting/SEQ   the run for event SEQNUM=SEQ (of the
 *                                     device the file names) waits for the
 *                                     logger to leave
 *
 * One line per transition:
 * - The rule's one TEST decides for each event: the logger's (it logs it
 *   from udevd's broadcast) or a run's (marked; that run logs it).
 * - The logger binds its socket before it makes the link, so the
 *   broadcast of every event left to it reaches it.  It removes the link
 *   after a second with no memory or CPU event, and leaves once every
 *   online/offline event the kernel sent before that has come back from
 *   udevd, or is held by a run waiting for it (udevd holds a device's
 *   later events behind the one it is running: those of the logger's own
 *   device, and of a waiting run's, are not waited for).  It stays
 *   GRACE_MS more for broadcasts on their way, and DRAIN_MS at most.
 * - A run that finds the lock taken and no link waits until the logger
 *   has left: the lines of one device keep their order, and so do its
 *   marks (device.c).  With the link there it logs at once (wait_lock()).
 * - A run not started by udevd (no SEQNUM) only logs its own line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hotplug-online.h"

#define LINK    "logger"
#define BURST   "burst"
#define ALIVE   "alive"
#define ALIVE2  "alive2"
#define LOCK    "logger.lock"
#define WAITING "waiting"

#define IDLE_MS   1000   /* no memory or CPU event for this long: the burst is over */
#define LIFE_MS  20000   /* then hand over: udevd kills a run after 180 s */
#define DRAIN_MS 10000   /* after the link went, for events udevd has not broadcast yet */
#define GRACE_MS   200   /* after the link went, for broadcasts on their way */
#define WAIT_MS  30000   /* a run waiting for the logger to leave */
#define HOLD_MS    100   /* `online` lines wait for a step this long with no event */
#define HOLD_MAX_MS 5000 /* and this long at most */
#define PENDING   8192
#define MSG_MAX  16384

/* An event the kernel sent and udevd has not broadcast yet. */
struct pending {
	unsigned long long seq, dev;          /* dev: dev_key() */
	long long t;                          /* ms, when the kernel sent it */
};

struct logger {
	long idle_ms, drain_ms;               /* IDLE_MS, DRAIN_MS (shorter in tests) */
	long hold_ms, hold_max_ms;            /* HOLD_MS, HOLD_MAX_MS (longer in tests) */
	int sock, burst, waiting;
	bool resident, closing, lost;        /* resident: `hotplug-online log` */
	long long start, last, closed;        /* ms */
	unsigned long long self;              /* dev_key() of our own event */
	unsigned long long cutoff;            /* closing: later events were not left to us */
	struct pending pending[PENDING];
	size_t npending;
	unsigned long long held[PENDING];     /* dev_key() of `online` lines not written yet */
	size_t nheld;
	long long held_since;                 /* ms */
	char link[64];
};

/* One per process: its pending list is big for a stack. */
static struct logger the_logger;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One number for a device: its type and index. */
static unsigned long long dev_key(const struct device *d)
{
	return ((unsigned long long)d->type + 1) << 56 | d->index;
}

/* And back (an index has MAX_INDEX_DIGITS digits at most). */
_Static_assert(MAX_INDEX_DIGITS <= 16, "an index fits in dev_key()'s 56 bits");
static void key_device(unsigned long long k, struct device *d)
{
	device_init(d, (enum devtype)((k >> 56) - 1), (unsigned long)(k & ((1ULL << 56) - 1)));
}

/* musl's sched_setscheduler() is a stub (ENOSYS): the system call.
 * SCHED_IDLE while the burst goes on; the ordinary class again once the
 * link is gone, so that a busy CPU cannot keep us past udevd's timeout. */
static void priority(bool idle)
{
	struct sched_param p = { 0 };

	if (syscall(SYS_sched_setscheduler, 0, idle ? SCHED_IDLE : SCHED_OTHER, &p) < 0 && idle)
		(void)setpriority(PRIO_PROCESS, 0, 19);
	else if (!idle)
		(void)setpriority(PRIO_PROCESS, 0, 0);
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
 * checked our event before the logger made it (else it would have been
 * left to the logger, with no run), and so every earlier event of our
 * device too: nothing of ours is the logger's, log at once.  With no link the logger is leaving
 * and may still owe our device a line: wait for the lock (our SEQNUM in
 * waiting/ tells the logger not to wait for us in turn), at most WAIT_MS. */
static void wait_lock(int dir, int lock, const char *seq, const struct device *d)
{
	int wdir = run_dir(WAITING, true);
	struct stat st;

	if (wdir >= 0 && state_write(wdir, seq, d->name) < 0) {
		close(wdir);
		wdir = -1;
	}
	for (long t = 0; t < WAIT_MS && flock(lock, LOCK_EX | LOCK_NB) < 0 &&
	     fstatat(dir, LINK, &st, AT_SYMLINK_NOFOLLOW) < 0; t += 20)
		sleep_ms(20);
	if (wdir >= 0) {
		unlinkat(wdir, seq, 0);
		close(wdir);
	}
}

static void pending_drop(struct logger *lg, size_t i)
{
	memmove(&lg->pending[i], &lg->pending[i + 1],
		(lg->npending - i - 1) * sizeof(lg->pending[0]));
	lg->npending--;
}

/* A burst of more than PENDING blocks ahead of udevd: the oldest is
 * forgotten (only the wait before leaving is the weaker for it). */
static void pending_add(struct logger *lg, unsigned long long seq, unsigned long long dev)
{
	if (lg->npending == PENDING)
		pending_drop(lg, 0);
	lg->pending[lg->npending++] = (struct pending){ seq, dev, now_ms() };
}

static void pending_del(struct logger *lg, unsigned long long seq)
{
	for (size_t i = 0; i < lg->npending; i++)
		if (lg->pending[i].seq == seq) {
			pending_drop(lg, i);
			return;
		}
}

/* Closing: a pending event whose run waits for us is that run's to log,
 * and its device's later events wait behind it in udevd, for after us. */
static void drop_waiting(struct logger *lg)
{
	/* getdents64, not readdir(): musl's opendir() would bring malloc in. */
	struct dirent64_raw {
		unsigned long long ino;
		long long off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	};
	char buf[2048] __attribute__((aligned(8)));
	long n;

	if (lg->waiting < 0)
		lg->waiting = run_dir(WAITING, false);
	if (lg->waiting < 0 || lseek(lg->waiting, 0, SEEK_SET) < 0)
		return;
	while ((n = syscall(SYS_getdents64, lg->waiting, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64_raw *e = (const void *)(buf + off);
			unsigned long long seq;
			struct device d;
			char text[32];
			bool dev;

			off += e->reclen;
			if (e->reclen == 0 || off > n)
				return;
			if (parse_seqnum(e->name, &seq) < 0)
				continue;   /* ".", "..", a file being written */
			dev = state_read(lg->waiting, e->name, text, sizeof(text)) > 0 &&
			      parse_device(text, &d) == 0;
			for (size_t j = lg->npending; j-- > 0;)
				if (lg->pending[j].seq == seq ||
				    (dev && lg->pending[j].dev == dev_key(&d) &&
				     lg->pending[j].seq > seq))
					pending_drop(lg, j);
		}
	}
}

static bool ours(const struct uevent *ev)
{
	return ev->subsystem && (strcmp(ev->subsystem, "memory") == 0 ||
				 strcmp(ev->subsystem, "cpu") == 0);
}

/* The `online` lines held back while the burst goes on: a hot-add's
 * lines are written after it, not between its blocks (with syslogd or
 * journald woken for each). */
static void flush(struct ctx *c, struct logger *lg)
{
	for (size_t i = 0; i < lg->nheld; i++) {
		struct device d;

		key_device(lg->held[i], &d);
		log_transition(c, &d, true);
	}
	lg->nheld = 0;
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
		/* Our own device's next event waits for us in udevd: not ours. */
		if (ev.seqnum && ev.action && (!lg->closing || ev.seqnum <= lg->cutoff) &&
		    (strcmp(ev.action, "online") == 0 || strcmp(ev.action, "offline") == 0) &&
		    ev.devpath && parse_devpath(ev.devpath, &d) == 0 && dev_key(&d) != lg->self)
			pending_add(lg, ev.seqnum, dev_key(&d));
		return;
	}
	if (ev.seqnum)
		pending_del(lg, ev.seqnum);
	/* A run of its own logs it; a replay has no line. */
	if ((ev.log && strcmp(ev.log, "run") == 0) || ev.synth_uuid)
		return;
	if (parse_event(&ev, &d, &act, why, sizeof(why)) < 0) {
		say(LOG_WARNING, "udevd's broadcast of an event: %s", why);
	} else if (act == ACT_ONLINE) {
		if (lg->nheld == PENDING)
			flush(c, lg);
		if (lg->nheld == 0)
			lg->held_since = lg->last;
		lg->held[lg->nheld++] = dev_key(&d);
	} else if (act == ACT_OFFLINE) {
		/* The block's held line first, and its marks (ONLINED taken);
		 * then this line, whose marks decide the block's next one. */
		flush(c, lg);
		log_transition(c, &d, false);
	}
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
 * count says which events it may still have left to us. */
static void close_link(struct ctx *c, struct logger *lg, int dir)
{
	char target[sizeof(lg->link)], seq[32];
	ssize_t n = readlinkat(dir, LINK, target, sizeof(target) - 1);
	int kdir;

	if (n > 0 && (target[n] = '\0', strcmp(target, lg->link) == 0))
		unlinkat(dir, LINK, 0);
	lg->closing = true;
	lg->closed = now_ms();
	priority(false);
	lg->cutoff = ~0ULL;
	/* Anything after this number was sent after the link went. */
	if ((kdir = open_path(c->root, "kernel")) >= 0) {
		if (read_attr(kdir, "uevent_seqnum", seq, sizeof(seq)) < 0 ||
		    parse_seqnum(seq, &lg->cutoff) < 0)
			lg->cutoff = ~0ULL;
		close(kdir);
	}
}

/* The socket, then the link: from here on the rule leaves events to us.
 * d: the device of the event we run for (none for `hotplug-online log`). */
static int start_burst(struct logger *lg, int dir, const struct device *d)
{
	char tmp[] = "." LINK ".new";
	struct stat st;

	lg->waiting = -1;
	lg->self = d ? dev_key(d) : 0;   /* 0: no device's key */
	lg->sock = uevent_open();
	if (lg->sock < 0)
		return -1;   /* the rule goes on running us for each event */
	lg->burst = run_dir(BURST, true);
	if (lg->burst < 0 || (fstatat(lg->burst, ALIVE, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
			      state_write(lg->burst, ALIVE, "") < 0) ||
	    (fstatat(lg->burst, ALIVE2, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	     state_write(lg->burst, ALIVE2, "") < 0))
		goto fail;
	snprintf(lg->link, sizeof(lg->link), "/proc/%d/fd/%d", (int)getpid(), lg->burst);
	unlinkat(dir, tmp, 0);
	if (symlinkat(lg->link, dir, tmp) < 0 || renameat(dir, tmp, dir, LINK) < 0) {
		unlinkat(dir, tmp, 0);
		goto fail;
	}
	lg->start = lg->last = now_ms();
	lg->idle_ms = fault_number("LOGGER_IDLE_MS", IDLE_MS);
	lg->drain_ms = fault_number("LOGGER_DRAIN_MS", DRAIN_MS);
	lg->hold_ms = fault_number("LOGGER_HOLD_MS", HOLD_MS);
	lg->hold_max_ms = fault_number("LOGGER_HOLD_MAX_MS", HOLD_MAX_MS);
	return 0;
fail:
	if (lg->burst >= 0)
		close(lg->burst);
	close(lg->sock);
	return -1;
}

/* `hotplug-online log` stops on SIGTERM, SIGINT or SIGHUP: blocked, and
 * read from this signalfd beside the socket. */
static int stop_fd = -1;

static bool stop_requested(void)
{
	char si[128];

	return stop_fd >= 0 && read(stop_fd, si, sizeof(si)) > 0;
}

/* The two warnings: the socket's buffer overflowed, or events the kernel
 * sent never came back from udevd (a worker it killed). */
static void say_lost(void)
{
	say(LOG_WARNING, "lost udev events during a burst: some online/offline lines "
	    "may be missing ('hotplug-online status' shows every block)");
}

static void say_owed(size_t n)
{
	say(LOG_WARNING, "%zu online/offline events never came back from udevd: "
	    "their lines may be missing", n);
}

/* Resident: an event owed for DRAIN_MS will not come back (a worker udevd
 * killed); say so now, not at exit. */
static void expire(struct logger *lg, long long now)
{
	size_t n = 0;

	/* udevd may be far behind in a big hot-add (a run at the add waits
	 * for the kernel's binding): only a quiet DRAIN_MS says it is done. */
	while (lg->npending && now - lg->last >= lg->drain_ms &&
	       now - lg->pending[0].t >= lg->drain_ms) {
		pending_drop(lg, 0);
		n++;
	}
	if (n)
		say_owed(n);
	if (lg->lost) {
		say_lost();
		lg->lost = false;
	}
}

static void follow_burst(struct ctx *c, struct logger *lg, int dir)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = lg->sock, .events = POLLIN },
				       { .fd = stop_fd, .events = POLLIN } };
		nfds_t np = stop_fd >= 0 ? 2 : 1;
		long long now, quiet, wait, hold;

		if (lg->resident)
			log_retry();
		drain(c, lg);
		now = now_ms();
		quiet = now - lg->last;
		if (lg->nheld && (lg->closing || quiet >= lg->hold_ms ||
				  now - lg->held_since >= lg->hold_max_ms))
			flush(c, lg);
		/* While events come, the socket is read once a step, not woken
		 * for each one. */
		hold = -1;
		if (!lg->closing && quiet < lg->hold_ms) {
			hold = lg->hold_ms - quiet;
			if (lg->nheld && hold > lg->held_since + lg->hold_max_ms - now)
				hold = lg->held_since + lg->hold_max_ms - now;
			p[0].fd = -1;
		}
		if (lg->npending && (lg->closing || quiet >= lg->idle_ms))
			drop_waiting(lg);
		if (lg->resident && !lg->closing) {
			if (stop_requested()) {
				close_link(c, lg, dir);
				continue;
			}
			expire(lg, now);
			/* Until a message, a signal, or the oldest owed event's
			 * time is up. */
			wait = lg->npending ? (lg->pending[0].t > lg->last ? lg->pending[0].t :
					       lg->last) + lg->drain_ms - now : -1;
			if (hold >= 0 && (wait < 0 || wait > hold))
				wait = hold;
			(void)poll(p, np, wait < 0 ? -1 : wait > 0 ? (int)wait : 1);
			continue;
		}
		/* Quiet for a second with nothing owed, or the life is up, or
		 * owed events udevd does not broadcast (a worker it killed). */
		if (!lg->closing && (now - lg->start >= LIFE_MS || quiet >= lg->drain_ms ||
				     (quiet >= lg->idle_ms && (lg->npending == 0 || lg->lost)))) {
			close_link(c, lg, dir);
			continue;   /* what came meanwhile */
		}
		/* Nothing owed, or a deadline, whatever else comes. */
		if (lg->closing && ((lg->npending == 0 || lg->lost) ? now - lg->closed >= GRACE_MS :
				    (quiet >= lg->drain_ms || now - lg->closed >= lg->drain_ms)))
			break;
		if (lg->closing && lg->npending == 0)
			wait = GRACE_MS - (now - lg->closed);
		else if (lg->npending && (lg->closing || quiet >= lg->idle_ms))
			wait = 20;   /* for a run to say it waits */
		else if ((wait = lg->idle_ms - quiet) > LIFE_MS - (now - lg->start))
			wait = LIFE_MS - (now - lg->start);
		if (hold >= 0 && wait > hold)
			wait = hold;
		(void)poll(p, 1, wait > 0 ? (int)wait : 1);
	}
	drain(c, lg);
	flush(c, lg);
	if (lg->lost)
		say_lost();
	else if (lg->npending)
		say_owed(lg->npending);
	if (lg->waiting >= 0)
		close(lg->waiting);
	close(lg->burst);
	close(lg->sock);
}

/* ACTION=online or offline, from udev (seq: its SEQNUM) or not. */
int log_event(struct ctx *c, const struct device *d, bool online, const char *seq)
{
	unsigned long long n;
	int dir = -1, lock = -1;

	/* Until the link is there every event udevd handles is one more
	 * exec: get there first. */
	if (seq && parse_seqnum(seq, &n) == 0 && (setpriority(PRIO_PROCESS, 0, -20),
						  (dir = run_dir(NULL, true)) >= 0))
		lock = open_lock(dir);
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0) {
		bool follow = start_burst(&the_logger, dir, d) == 0;

		priority(true);
		log_transition(c, d, online);
		if (follow)
			follow_burst(c, &the_logger, dir);
	} else {
		priority(true);
		/* Not a logger ourselves: the next event finds no link and
		 * starts one. */
		if (lock >= 0)
			wait_lock(dir, lock, seq, d);
		log_transition(c, d, online);
	}
	if (lock >= 0)
		close(lock);
	if (dir >= 0)
		close(dir);
	return EXIT_OK;
}

/* `hotplug-online log`: a logger that stays (hotplug-online-log.service),
 * so that no burst runs the helper at all.  It waits for a burst's logger
 * to leave first. */
int cmd_log(struct ctx *c)
{
	sigset_t stop;
	int dir = run_dir(NULL, true), lock = -1, r = EXIT_FAIL;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0 ||
	    (stop_fd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		say(LOG_ERR, "cannot take SIGTERM through a signalfd: %s", strerror(errno));
		goto out;
	}
	if (dir < 0 || (lock = open_lock(dir)) < 0) {
		say(LOG_ERR, "cannot open /run/hotplug-online/" LOCK ": %s",
		    strerror(-(dir < 0 ? dir : lock)));
		goto out;
	}
	/* A burst's logger leaves within 30 s; another `log` stays. */
	for (long t = 0; flock(lock, LOCK_EX | LOCK_NB) < 0; t += 100) {
		struct pollfd p = { .fd = stop_fd, .events = POLLIN };

		if (errno != EWOULDBLOCK) {
			say(LOG_ERR, "cannot lock /run/hotplug-online/" LOCK ": %s", strerror(errno));
			goto out;
		}
		if (stop_requested()) {
			r = EXIT_OK;
			goto out;
		}
		if (t == 2 * WAIT_MS)
			say(LOG_WARNING, "another logger has held /run/hotplug-online/" LOCK
			    " for %d s (a second 'hotplug-online log'?): waiting for it",
			    2 * WAIT_MS / 1000);
		(void)poll(&p, 1, 100);
	}
	the_logger.resident = true;
	if (start_burst(&the_logger, dir, NULL) < 0) {
		say(LOG_ERR, "cannot follow udevd's events (a netlink socket, "
		    "/run/hotplug-online/" LINK " and " BURST "/): %s", strerror(errno));
		goto out;
	}
	priority(true);
	follow_burst(c, &the_logger, dir);
	r = EXIT_OK;
out:
	if (lock >= 0)
		close(lock);
	if (dir >= 0)
		close(dir);
	return r;
}
