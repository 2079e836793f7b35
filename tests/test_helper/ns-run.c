/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns-run [-n] DIR CMD [ARG...]: run CMD in a mount namespace of its own
 * (and with -n a network namespace too) where the files the helper reads
 * from the machine are the test's:
 *   /proc/cmdline       DIR/cmdline bound over it (whatever kind of file
 *                       it is: a socket there makes it unreadable)
 *   /proc/meminfo       DIR/meminfo bound over it, if there is one
 *   /run                DIR/run bound over it (made if missing), so
 *                       /run/hotplug-online is DIR/run/hotplug-online
 *   /dev                a tmpfs with null, zero, full, random, urandom and
 *                       tty bound from the real /dev, and two symlinks:
 *                       /dev/log -> DIR/devlog, /dev/kmsg -> DIR/kmsg
 *                       (dangling until the test makes them: then absent)
 * Nothing mounted here propagates back: the host is never touched.  One
 * process and no exec of mount(8): the unit suite runs the helper through
 * this about 2,000 times.  Needs root (CAP_SYS_ADMIN). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "ns-run: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
		strerror(errno));
	exit(125);
}

static void path(char *buf, const char *dir, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		die("path", dir);
	}
}

int main(int argc, char **argv)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	int fds[sizeof(nodes) / sizeof(nodes[0])];
	char p[PATH_MAX], src[64], dst[64];
	int net = 0, i = 1, fd;
	const char *dir;

	if (argc > 1 && strcmp(argv[1], "-n") == 0)
		net = 1, i++;
	if (argc - i < 2) {
		fprintf(stderr, "usage: ns-run [-n] DIR CMD [ARG...]\n");
		return 125;
	}
	dir = argv[i++];
	if (unshare(CLONE_NEWNS | (net ? CLONE_NEWNET : 0)) < 0)
		die("unshare", NULL);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("mount --make-rprivate", "/");
	for (size_t n = 0; n < sizeof(nodes) / sizeof(nodes[0]); n++) {
		snprintf(dst, sizeof(dst), "/dev/%s", nodes[n]);
		fds[n] = open(dst, O_PATH | O_CLOEXEC);
	}
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755") < 0)
		die("mount tmpfs", "/dev");
	for (size_t n = 0; n < sizeof(nodes) / sizeof(nodes[0]); n++) {
		if (fds[n] < 0)
			continue;
		snprintf(dst, sizeof(dst), "/dev/%s", nodes[n]);
		snprintf(src, sizeof(src), "/proc/self/fd/%d", fds[n]);
		if ((fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) < 0)
			die("create", dst);
		close(fd);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			die("mount --bind", dst);
		close(fds[n]);
	}
	if (symlink("/proc/self/fd", "/dev/fd") < 0 || symlink("/proc/self/fd/0", "/dev/stdin") < 0 ||
	    symlink("/proc/self/fd/1", "/dev/stdout") < 0 ||
	    symlink("/proc/self/fd/2", "/dev/stderr") < 0)
		die("symlink", "/dev/fd");
	path(p, dir, "devlog");
	if (symlink(p, "/dev/log") < 0)
		die("symlink", "/dev/log");
	path(p, dir, "kmsg");
	if (symlink(p, "/dev/kmsg") < 0)
		die("symlink", "/dev/kmsg");
	path(p, dir, "cmdline");
	if (mount(p, "/proc/cmdline", NULL, MS_BIND, NULL) < 0)
		die("mount --bind", p);
	path(p, dir, "meminfo");
	if (access(p, F_OK) == 0 && mount(p, "/proc/meminfo", NULL, MS_BIND, NULL) < 0)
		die("mount --bind", p);
	path(p, dir, "run");
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("mkdir", p);
	if (mount(p, "/run", NULL, MS_BIND, NULL) < 0)
		die("mount --bind", p);
	execvp(argv[i], argv + i);
	die("exec", argv[i]);
}
