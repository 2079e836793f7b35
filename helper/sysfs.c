/* SPDX-License-Identifier: GPL-2.0-or-later */
/* All file I/O, and no policy: one sysfs root fd, every path below it opened
 * one component at a time with O_NOFOLLOW, and only from validated names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hotplug-online.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define PARAMS "module/memory_hotplug/parameters"

static const char *const class_path[] = {
	[DEV_MEMORY] = "devices/system/memory", [DEV_CPU] = "devices/system/cpu",
};

int sysfs_open(struct ctx *c, const char *root)
{
	c->root = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c->classdir[DEV_MEMORY] = c->classdir[DEV_CPU] = -1;
	return c->root < 0 ? -errno : 0;
}

/* Walk a relative path one directory at a time, following no symlink. */
int open_path(int dirfd, const char *path)
{
	char part[64];
	int fd = dirfd;

	while (*path) {
		size_t n = strcspn(path, "/");
		int next;

		if (n == 0 || n >= sizeof(part))
			return -EINVAL;
		memcpy(part, path, n);
		part[n] = '\0';
		next = openat(fd, part, DIR_FLAGS);
		if (fd != dirfd)
			close(fd);
		if (next < 0)
			return -errno;
		fd = next;
		path += n + (path[n] == '/');
	}
	/* A fresh open of ".", not dup(): its own offset for readdir. */
	return fd == dirfd ? openat(dirfd, ".", DIR_FLAGS) : fd;
}

int class_dir(struct ctx *c, enum devtype t)
{
	if (c->classdir[t] < 0)
		c->classdir[t] = open_path(c->root, class_path[t]);
	return c->classdir[t];
}

int open_device(struct ctx *c, const struct device *d)
{
	int dir = class_dir(c, d->type);
	int fd;

	if (dir < 0)
		return dir;
	fd = openat(dir, d->name, DIR_FLAGS);
	return fd < 0 ? -errno : fd;
}

/* An open small file, read whole into buf, NUL-terminated, and closed:
 * its length, or -errno; -EBADMSG for a NUL byte or more than fits. */
static int read_small(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size);

	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	if ((size_t)n == size || memchr(buf, '\0', (size_t)n))
		return -EBADMSG;
	buf[n] = '\0';
	return (int)n;
}

/* A small attribute, NUL-terminated, trailing newline dropped.  -EBADMSG
 * for contents no attribute has: NUL bytes, more than fits, not a file. */
int read_attr(int dirfd, const char *name, char *buf, size_t size)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EBADMSG;
	}
	n = read_small(fd, buf, size);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/* Write an attribute: 0 or -errno (-EIO for a short write, which to sysfs
 * means the store failed).  O_TRUNC as a shell's "echo online > state": a
 * plain file (a test tree) ends up holding just the value. */
int write_attr(int dirfd, const char *name, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int r, fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	r = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	return r;
}

/* A directory below the root (or dirfd), as a DIR: NULL when absent. */
static DIR *open_dir(int dirfd, const char *path)
{
	int fd = open_path(dirfd, path);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);

	if (!dir && fd >= 0)
		close(fd);
	return dir;
}

/* block_size_bytes, read once; 0 when sysfs does not say. */
unsigned long long block_size(struct ctx *c)
{
	char val[32];

	if (!c->block_size && read_attr(class_dir(c, DEV_MEMORY), "block_size_bytes", val,
					sizeof(val)) >= 0)
		parse_block_size(val, &c->block_size);
	return c->block_size;
}

/* A memory block's node: its "node<N>" link. */
int block_node(int blockfd, unsigned long *node)
{
	DIR *dir = open_dir(blockfd, "");
	struct dirent *e;
	int r = -ENOENT;

	if (!dir)
		return -ENOENT;
	while (r < 0 && (e = readdir(dir)))
		if (parse_node_name(e->d_name, node) == 0)
			r = 0;
	closedir(dir);
	return r;
}

/* The zone of an online block, the first word of its valid_zones. */
int block_zone(int blockfd, char *zone, size_t size)
{
	char val[64];
	int r = read_attr(blockfd, "valid_zones", val, sizeof(val));

	return r < 0 ? r : parse_zone(val, zone, size);
}

/* The indexes of every memory<N> or cpu<N> directory, ascending, in a
 * malloc'd array. */
int list_devices(struct ctx *c, enum devtype t, unsigned long **out, size_t *n)
{
	DIR *dir = class_dir(c, t) < 0 ? NULL : open_dir(class_dir(c, t), "");
	size_t cap = 0;
	struct dirent *e;

	*out = NULL;
	*n = 0;
	if (!dir)
		return class_dir(c, t) < 0 ? class_dir(c, t) : -errno;
	while ((e = readdir(dir))) {
		struct device d;

		if (parse_device(e->d_name, &d) < 0 || d.type != t)
			continue;
		if (*n == cap) {
			unsigned long *p = realloc(*out, (cap = cap ? cap * 2 : 256) * sizeof(**out));

			if (!p) {
				closedir(dir);
				return -ENOMEM;
			}
			*out = p;
		}
		(*out)[(*n)++] = d.index;
	}
	closedir(dir);
	sort_indexes(*out, *n);
	return 0;
}

/* bus/<bus>/devices has an entry: such hardware is here. */
bool has_devices(struct ctx *c, const char *bus)
{
	char path[64];
	DIR *dir;
	struct dirent *e;
	bool any = false;

	snprintf(path, sizeof(path), "bus/%s/devices", bus);
	if (!(dir = open_dir(c->root, path)))
		return false;
	while (!any && (e = readdir(dir)))
		any = e->d_name[0] != '.';
	closedir(dir);
	return any;
}

/* Is the address inside a dax device's range (bus/dax/devices/<dev>/
 * resource and size, as daxctl reads them)?  1 with its name, 0 not, and
 * -EBADMSG (said, naming the file) for contents no kernel writes. */
int dax_owns(struct ctx *c, unsigned long long addr, char *dev, size_t size)
{
	DIR *dir = open_dir(c->root, "bus/dax/devices");
	struct dirent *e;
	int found = 0;

	if (!dir)
		return 0;
	while (found != 1 && (e = readdir(dir))) {   /* a garbled one: look on */
		char res[32], len[32], b[80];
		unsigned long long start, bytes;
		int d;

		if (e->d_name[0] == '.')
			continue;
		/* Each entry is a link to the device: followed, as daxctl does. */
		if ((d = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		if (read_attr(d, "resource", res, sizeof(res)) == -ENOENT ||
		    read_attr(d, "size", len, sizeof(len)) == -ENOENT) {
			close(d);   /* before 5.x no resource file: not knowable */
			continue;
		}
		close(d);
		if (parse_u64(res, &start) < 0 || parse_u64(len, &bytes) < 0) {
			say(LOG_ERR, "'/sys/bus/dax/devices/%s/resource' or 'size': unexpected "
			    "contents", shown(e->d_name, b, sizeof(b)));
			found = -EBADMSG;
		} else if (addr >= start && addr - start < bytes) {
			shown(e->d_name, dev, size);
			found = 1;
		}
	}
	closedir(dir);
	return found;
}

/* A whole text file (dirfd: AT_FDCWD or a directory) in a malloc'd,
 * NUL-terminated buffer; NULL with *err: -errno, -EFBIG past max bytes,
 * -EBADMSG for a NUL byte. */
char *read_text(int dirfd, const char *path, size_t max, int *err)
{
	int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	size_t len = 0, cap = 0;
	char *buf = NULL, *p;
	ssize_t n = 1;

	*err = fd < 0 ? -errno : 0;
	while (!*err && n > 0) {
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 16384;
			if (cap > max + 1)
				cap = max + 1;
			if (len + 1 >= cap || !(p = realloc(buf, cap))) {
				*err = len + 1 >= cap ? -EFBIG : -ENOMEM;
				break;
			}
			buf = p;
		}
		if ((n = read(fd, buf + len, cap - len - 1)) < 0)
			*err = -errno;
		else
			len += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	if (!*err && buf && memchr(buf, '\0', len))   /* buf: for gcc -fanalyzer */
		*err = -EBADMSG;
	if (*err) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* A /proc/meminfo figure, in bytes. */
int meminfo(const char *key, unsigned long long *bytes)
{
	int r;
	char *text = read_text(AT_FDCWD, "/proc/meminfo", 1 << 20, &r);

	if (text && (r = parse_meminfo(text, key, bytes)) == 0)
		*bytes *= 1024;
	free(text);
	return r;
}

/* memory_hotplug.memmap_on_memory: 1 on, 0 off, -ENOENT not in this kernel. */
int memmap_on_memory(struct ctx *c)
{
	char val[16];
	int dir = open_path(c->root, PARAMS), r;

	r = dir < 0 ? dir : read_attr(dir, "memmap_on_memory", val, sizeof(val));
	if (dir >= 0)
		close(dir);
	return r < 0 ? r : strcmp(val, "N") != 0 && strcmp(val, "0") != 0;   /* Y, force */
}

/* Does a record of the kernel's log still held in its buffer say this?
 * 1 yes, 0 no, -errno when it cannot be read. */
int kmsg_says(const char *text)
{
	char rec[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC), found = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	/* One record a read; EPIPE: overwritten while we read, go on. */
	while (!found && ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)))
		if (n > 0) {
			rec[n] = '\0';
			found = strstr(rec, text) != NULL;
		}
	close(fd);
	return found;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static struct utsname uts;

static void load_uname(void)
{
	if (!uts.release[0])
		uname(&uts);
}

const char *kernel_release(void)
{
	load_uname();
	return uts.release;
}

/* On s390x and ppc64 memory is the administrator's (standby memory, DLPAR). */
bool arch_skips_memory(void)
{
	load_uname();
	return strncmp(uts.machine, "s390", 4) == 0 || strncmp(uts.machine, "ppc64", 5) == 0;
}

static int knob_dir(struct ctx *c, enum knob k)
{
	return k == K_AUTO_ONLINE ? open_path(class_dir(c, DEV_MEMORY), "") :
		open_path(c->root, PARAMS);
}

/* Every knob's value, "" where absent; -EBADMSG names the bad one in *bad. */
int read_knobs(struct ctx *c, struct knobs *kn, enum knob *bad)
{
	memset(kn, 0, sizeof(*kn));
	for (enum knob k = 0; k < NKNOBS; k++) {
		int dir = knob_dir(c, k), r;

		if (dir < 0)
			continue;
		r = read_attr(dir, knob_name(k), kn->val[k], sizeof(kn->val[k]));
		close(dir);
		if (r == -ENOENT) {
			kn->val[k][0] = '\0';
			continue;
		}
		if (r >= 0 && parse_knob(k, kn->val[k]) < 0)
			r = -EBADMSG;
		if (r < 0) {
			*bad = k;
			kn->val[k][0] = '\0';
			return r;
		}
	}
	return 0;
}

int write_knob(struct ctx *c, enum knob k, const char *val)
{
	int dir = knob_dir(c, k), r;

	if (dir < 0)
		return dir;
	r = write_attr(dir, knob_name(k), val);
	close(dir);
	return r;
}

/* setup's record of what it replaced this boot, in RUNDIR/kernel-saved:
 * empty when there is none. */
int read_saved(struct knobs *saved)
{
	char text[NKNOBS * (KNOB_LEN + 32)];
	int fd = open(RUNDIR "/" RECORD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), r;

	memset(saved, 0, sizeof(*saved));
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = read_small(fd, text, sizeof(text));
	if (r < 0)
		return r;
	return parse_record(text, saved) < 0 ? -EBADMSG : 0;
}

/* Written whole to a temporary file and renamed over the old one. */
int write_saved(const struct knobs *saved)
{
	char text[NKNOBS * (KNOB_LEN + 32)] = "";
	int fd, r = 0;
	size_t len;

	for (enum knob k = 0; k < NKNOBS; k++)
		if (saved->val[k][0])
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s=%s\n",
				 knob_name(k), saved->val[k]);
	if (!text[0])
		return unlink(RUNDIR "/" RECORD) < 0 && errno != ENOENT ? -errno : 0;
	if (mkdir(RUNDIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(RUNDIR "/" RECORD ".new", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return -errno;
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(RUNDIR "/" RECORD ".new", RUNDIR "/" RECORD) < 0)
		r = -errno;
	return r;
}
