/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test build's seams, linked into build/hotplug-online-test and the
 * sanitizer builds with -Wl,--wrap (never into the shipped helper, whose
 * source has no test code):
 *   HOTPLUG_ONLINE_TEST_FAULTS="memory40=EBUSY*3 cpu2=EPERM" fails the
 *     opening for writing of that device's attributes (or of the knob so
 *     named), the first N times only with *N: the errno write_attr() sees;
 *   HOTPLUG_ONLINE_TEST_ARCH and _RELEASE: uname(2) says another machine
 *     or kernel, which no namespace fakes;
 *   HOTPLUG_ONLINE_TEST_WRITES=FILE: each attribute opened for writing
 *     gets a line "DIR/NAME" there (tests/300-concurrency.bats counts
 *     them; inotify merges two writes it has not read yet into one);
 *   a uevent a test multicasts (tests/test_helper/uevent-send.c) counts as
 *     the kernel's: its sender's port reads 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

int __real_openat(int dirfd, const char *name, int flags, ...);
int __wrap_openat(int dirfd, const char *name, int flags, ...);
int __real_uname(struct utsname *u);
int __wrap_uname(struct utsname *u);
ssize_t __real_recvmsg(int fd, struct msghdr *mh, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags);

/* The errno HOTPLUG_ONLINE_TEST_FAULTS names for the directory `dir` (a
 * device) or the file `file` (a knob), 0 none. */
static int injected(const char *dir, const char *file)
{
	static const struct { const char *name; int err; } errs[] = {
		{ "EBUSY", EBUSY }, { "EAGAIN", EAGAIN }, { "EINVAL", EINVAL },
		{ "ENOENT", ENOENT }, { "EPERM", EPERM }, { "ENOMEM", ENOMEM }, { "EIO", EIO },
	};
	static unsigned long used;
	const char *p = getenv("HOTPLUG_ONLINE_TEST_FAULTS");

	for (; p && *p; p += strcspn(p, " "), p += strspn(p, " ")) {
		size_t wl = strcspn(p, "="), n = strcspn(p + wl + 1, " *");

		if (p[wl] != '=' || !((strlen(dir) == wl && strncmp(p, dir, wl) == 0) ||
				      (strlen(file) == wl && strncmp(p, file, wl) == 0)))
			continue;
		if (p[wl + 1 + n] == '*' && used >= strtoul(p + wl + 2 + n, NULL, 10))
			return 0;
		for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
			if (strlen(errs[i].name) == n && strncmp(p + wl + 1, errs[i].name, n) == 0) {
				used++;
				return errs[i].err;
			}
	}
	return 0;
}

int __wrap_openat(int dirfd, const char *name, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if ((flags & O_ACCMODE) == O_WRONLY && dirfd != AT_FDCWD &&
	    (getenv("HOTPLUG_ONLINE_TEST_FAULTS") || getenv("HOTPLUG_ONLINE_TEST_WRITES"))) {
		const char *log = getenv("HOTPLUG_ONLINE_TEST_WRITES"), *dir;
		char link[64], path[4096] = "", line[4200];
		ssize_t n;
		int e, fd;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		if ((n = readlink(link, path, sizeof(path) - 1)) > 0)
			path[n] = '\0';
		dir = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		if ((e = injected(dir, name))) {
			errno = e;
			return -1;
		}
		fd = __real_openat(dirfd, name, flags, mode);
		if (fd >= 0 && log) {   /* one write(2) of O_APPEND: whole lines */
			int l = __real_openat(AT_FDCWD, log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
					      0644);

			n = snprintf(line, sizeof(line), "%s/%s\n", dir, name);
			if (l < 0 || write(l, line, (size_t)n) != n)
				abort();   /* a line lost would let a test count too few */
			close(l);
		}
		return fd;
	}
	return __real_openat(dirfd, name, flags, mode);
}

int __wrap_uname(struct utsname *u)
{
	int r = __real_uname(u);

	if (r == 0 && getenv("HOTPLUG_ONLINE_TEST_ARCH"))
		snprintf(u->machine, sizeof(u->machine), "%s", getenv("HOTPLUG_ONLINE_TEST_ARCH"));
	if (r == 0 && getenv("HOTPLUG_ONLINE_TEST_RELEASE"))
		snprintf(u->release, sizeof(u->release), "%s", getenv("HOTPLUG_ONLINE_TEST_RELEASE"));
	return r;
}

/* struct sockaddr_nl: family, pad, then the sender's port. */
ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags)
{
	ssize_t n = __real_recvmsg(fd, mh, flags);

	if (n >= 0 && mh->msg_name && mh->msg_namelen >= 8)
		memset((char *)mh->msg_name + 4, 0, 4);
	return n;
}
