/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A scratch directory for the harnesses that need real files, made once
 * per process and removed at exit. */
#ifndef HOTPLUG_ONLINE_FUZZ_TREE_H
#define HOTPLUG_ONLINE_FUZZ_TREE_H

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static char tree_root[64];

static int tree_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void tree_cleanup(void)
{
	if (tree_root[0] && nftw(tree_root, tree_rm, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "cannot remove %s\n", tree_root);
}

static int tree_init(void)
{
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	int fd;

	snprintf(tree_root, sizeof(tree_root), "%s/hpo-fuzz.XXXXXX", tmp);
	CHECK(mkdtemp(tree_root) != NULL);
	atexit(tree_cleanup);
	fd = open(tree_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	return fd;
}

static void put(int dirfd, const char *name, const void *data, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	CHECK(fd >= 0);
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

/* The whole file, NUL-terminated; *len its length. */
static char *tree_slurp(int dirfd, const char *name, size_t *len)
{
	static char buf[4096];
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n >= 0);
	close(fd);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Remove whatever is at name: file, symlink, FIFO or empty directory. */
static void clear(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) < 0)
		unlinkat(dirfd, name, AT_REMOVEDIR);
}

#endif
