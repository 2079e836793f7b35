/* SPDX-License-Identifier: GPL-2.0-or-later */
/* All sysfs I/O, and no policy: one root directory fd, every path below it opened one
 * component at a time with O_NOFOLLOW, and only from validated names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hotplug-online.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define MAX_TRIES 10       /* EBUSY/EAGAIN: 10 tries, about 2 s in all */
#define MAX_DELAY_MS 500

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
	return fd;
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

/* A small attribute, NUL-terminated, trailing newline dropped.  -EBADMSG
 * for contents no attribute has: NUL bytes, or more than fits. */
int read_attr(int dirfd, const char *name, char *buf, size_t size)
{
	struct stat st;
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EBADMSG;
	}
	n = read(fd, buf, size);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	if ((size_t)n == size || memchr(buf, '\0', (size_t)n))
		return -EBADMSG;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return (int)n;
}

/* Write a value to an attribute: 0 or -errno (-EIO for a short write, which
 * to sysfs means the store failed).  O_TRUNC as a shell's "echo online >
 * state": sysfs ignores it, and a plain file (a test tree) ends up holding
 * just the value. */
int write_file(int dirfd, const char *name, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int r = 0;
	int fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	close(fd);
	return r;
}

/* An attribute of `who` (a device, a kernel knob), through the test
 * build's fault seam. */
int write_attr(const char *who, int dirfd, const char *name, const char *val)
{
	size_t len = strlen(val);
	ssize_t n = fault_write(who, dirfd, name, len);

	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	return write_file(dirfd, name, val);
}

/* Memory without malloc: each growable array is its own mapping, so the
 * helper links no allocator (smaller, and nothing to leak). */
int buf_reserve(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 64 << 10;
	void *p;

	if (more > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = b->p ? mremap(b->p, b->cap, cap, MREMAP_MAYMOVE) :
		   mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void buf_free(struct buf *b)
{
	if (b->p)
		munmap(b->p, b->cap);
	memset(b, 0, sizeof(*b));
}

struct dirent64_hdr {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Call fn for each entry of a directory until it returns non-zero.  A fresh
 * open of "." keeps our own offset; getdents64 directly needs no DIR. */
int each_entry(int dirfd, int (*fn)(const char *name, unsigned char type, void *arg), void *arg)
{
	char buf[8192] __attribute__((aligned(8)));
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;
	int r = 0;

	if (fd < 0)
		return -errno;
	while (r == 0 && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; r == 0 && off < n;) {
			const struct dirent64_hdr *e = (const void *)(buf + off);

			r = fn(e->name, e->type, arg);
			off += e->reclen;
		}
	if (r == 0 && n < 0)
		r = -errno;
	close(fd);
	return r < 0 ? r : 0;
}

static int find_node(const char *name, unsigned char type, void *node)
{
	(void)type;
	return parse_node_name(name, node) == 0;
}

int block_node(int blockfd, unsigned long *node)
{
	*node = (unsigned long)-1;
	if (each_entry(blockfd, find_node, node) < 0 || *node == (unsigned long)-1)
		return -ENOENT;
	return 0;
}

/* The node link, through the test build's seam (which can hold it back). */
int device_node(const struct device *d, int blockfd, unsigned long *node)
{
	*node = (unsigned long)-1;
	return fault_unbound(d->index) ? -ENOENT : block_node(blockfd, node);
}

/* The name of the ACPI device a block's firmware_node link points to:
 * -ENOENT when there is none (yet), -EBADMSG for a link no kernel makes. */
int device_firmware_node(const struct device *d, int blockfd, char *name, size_t size)
{
	char link[256];
	ssize_t n;

	if (fault_unbound(d->index))
		return -ENOENT;
	n = readlinkat(blockfd, "firmware_node", link, sizeof(link));
	if (n < 0)
		return errno == ENOENT ? -ENOENT : errno == EINVAL ? -EBADMSG : -errno;
	if ((size_t)n == sizeof(link) || memchr(link, '\0', (size_t)n))
		return -EBADMSG;
	link[n] = '\0';
	return parse_acpi_name(link, name, size) < 0 ? -EBADMSG : 0;
}

static int find_pnp0c80(const char *name, unsigned char type, void *found)
{
	(void)type;
	if (strncmp(name, "PNP0C80:", 8) != 0)
		return 0;
	*(bool *)found = true;
	return 1;
}

static int find_any_node(const char *name, unsigned char type, void *found)
{
	unsigned long node;

	(void)type;
	if (parse_node_name(name, &node) < 0)
		return 0;
	*(bool *)found = true;
	return 1;
}

/* Is there an entry fn likes in the directory path below the root? */
static bool has_entry(struct ctx *c, const char *path,
		      int (*fn)(const char *name, unsigned char type, void *arg))
{
	bool found = false;
	int dir = open_path(c->root, path);

	if (dir >= 0) {
		each_entry(dir, fn, &found);
		close(dir);
	}
	return found;
}

/* Does ACPI describe memory devices here (bus/acpi/devices/PNP0C80:*)?
 * Then a hot-added DIMM's blocks get a firmware_node.  Asked once. */
bool acpi_memory_devices(struct ctx *c)
{
	static int has = -1;

	if (has < 0)
		has = has_entry(c, "bus/acpi/devices", find_pnp0c80);
	return has;
}

/* A NUMA kernel (devices/system/node/node<N>): blocks get a node link. */
bool numa_nodes(struct ctx *c)
{
	static int has = -1;

	if (has < 0)
		has = has_entry(c, "devices/system/node", find_any_node);
	return has;
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

/* The zone of an online block, the first word of its valid_zones. */
int block_zone(int blockfd, char *zone, size_t size)
{
	char val[64];
	int r = read_attr(blockfd, "valid_zones", val, sizeof(val));

	return r < 0 ? r : parse_zone(val, zone, size);
}

/* The whole of a file, NUL-terminated, into b: -EFBIG past max bytes. */
int slurp(int dirfd, const char *path, struct buf *b, size_t max)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t got = 0;
	int r = 0;

	if (fd < 0)
		return -errno;
	b->len = 0;
	while ((r = buf_reserve(b, 4097)) == 0 && b->cap <= max &&
	       (got = read(fd, (char *)b->p + b->len, b->cap - b->len - 1)) > 0)
		b->len += (size_t)got;
	if (r == 0 && got < 0)
		r = -errno;
	else if (r == 0 && b->cap > max)
		r = -EFBIG;
	close(fd);
	if (r == 0)
		((char *)b->p)[b->len] = '\0';
	return r;
}

/* /proc/NAME whole (the test build reads a copy): cmdline, iomem. */
int read_proc(const char *name, struct buf *b)
{
	char path[32];
	int r;

	snprintf(path, sizeof(path), "/proc/%s", name);
	r = slurp(AT_FDCWD, fault_path(strcmp(name, "cmdline") == 0 ? "CMDLINE" : "IOMEM", path),
		  b, 8 << 20);
	if (r == 0 && memchr(b->p, '\0', b->len))
		r = -EBADMSG;
	return r;
}

static int cmp_index(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

struct listing {
	enum devtype type;
	struct buf *out;
};

static int add_index(const char *name, unsigned char type, void *arg)
{
	struct listing *l = arg;
	struct device d;

	if ((type != DT_DIR && type != DT_UNKNOWN) || parse_device(name, &d) < 0 ||
	    d.type != l->type)
		return 0;
	if (buf_reserve(l->out, sizeof(d.index)) < 0)
		return -ENOMEM;
	memcpy((char *)l->out->p + l->out->len, &d.index, sizeof(d.index));
	l->out->len += sizeof(d.index);
	return 0;
}

/* The indexes (unsigned long) of every memory<N> or cpu<N> directory,
 * ascending, in *out. */
int list_devices(struct ctx *c, enum devtype t, struct buf *out)
{
	struct listing l = { t, out };
	int dir = class_dir(c, t);
	int r = dir < 0 ? dir : each_entry(dir, add_index, &l);

	if (r == 0 && out->len)
		qsort(out->p, out->len / sizeof(unsigned long), sizeof(unsigned long), cmp_index);
	return r;
}
