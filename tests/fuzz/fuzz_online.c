/* SPDX-License-Identifier: GPL-2.0-or-later */
/* online_device() against a fake sysfs tree whose contents are fuzzed:
 * state or online, valid_zones, block_size_bytes, the node link name.
 * Input: two flag bytes, then NUL-separated fields in that order.
 * Checks the outcome against a model, that what is on disk changed only
 * as it should, that a symlink is never followed, and what is logged:
 * nothing for a plain success (the log service logs the kernel's online
 * event), a line for a device left alone (but not at a replay) and for
 * every failure, every line printable. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>

#include "tree.h"

static int top = -1, memdir, cpudir;

static void setup(void)
{
	int fd;

	top = tree_init();
	CHECK(mkdirat(top, "sys", 0755) == 0);
	CHECK(mkdirat(top, "victim", 0755) == 0);
	fd = openat(top, "victim", O_RDONLY | O_DIRECTORY);
	put(fd, "state", "offline\n", 8);
	put(fd, "online", "0\n", 2);
	close(fd);
	CHECK(mkdirat(top, "sys/devices", 0755) == 0);
	CHECK(mkdirat(top, "sys/devices/system", 0755) == 0);
	CHECK(mkdirat(top, "sys/devices/system/memory", 0755) == 0);
	CHECK(mkdirat(top, "sys/devices/system/cpu", 0755) == 0);
	memdir = openat(top, "sys/devices/system/memory", O_RDONLY | O_DIRECTORY);
	cpudir = openat(top, "sys/devices/system/cpu", O_RDONLY | O_DIRECTORY);
	CHECK(memdir >= 0 && cpudir >= 0);
	/* The online command's lines go to stdout. */
	fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0 && dup2(fd, 1) == 1);
	close(fd);
}

static void victim_intact(void)
{
	int fd = openat(top, "victim", O_RDONLY | O_DIRECTORY);
	size_t n;

	CHECK(fd >= 0);
	CHECK(strcmp(tree_slurp(fd, "state", &n), "offline\n") == 0);
	CHECK(strcmp(tree_slurp(fd, "online", &n), "0\n") == 0);
	close(fd);
}

/* The next NUL-separated field of the input. */
static const char *field(const char **p, const char *end, size_t *len)
{
	const char *s = *p;
	const char *nul = *p < end ? memchr(*p, '\0', (size_t)(end - *p)) : NULL;

	*len = nul ? (size_t)(nul - s) : (size_t)(end - s > 0 ? end - s : 0);
	*p = nul ? nul + 1 : end;
	return s;
}

/* What online_device() must do with a value read from the attribute;
 * *left: left alone on purpose, said unless at a replay. */
static enum outcome model(const struct ctx *c, enum devtype t, const char *v, size_t len,
			  bool *left)
{
	char val[64];

	*left = false;
	if (len >= 32)
		return OUT_FAILED;   /* more than read_attr()'s buffer */
	memcpy(val, v, len);
	val[len - (len && v[len - 1] == '\n')] = '\0';
	if (t == DEV_CPU) {
		if (strcmp(val, "1") == 0)
			return OUT_ALREADY;
		if (strcmp(val, "0") != 0)
			return OUT_FAILED;
		*left = !c->cfg.cpu;
		return c->cfg.cpu ? OUT_ONLINED : OUT_SKIPPED;
	}
	if (strcmp(val, "online") == 0)
		return OUT_ALREADY;
	if (strcmp(val, "going-offline") == 0) {
		*left = true;
		return OUT_SKIPPED;
	}
	if (strcmp(val, "offline") != 0)
		return OUT_FAILED;
	*left = c->cfg.memory == MEM_OFF;
	return c->cfg.memory == MEM_OFF ? OUT_SKIPPED : OUT_ONLINED;
}

static void empty_dir(int classfd, const char *name)
{
	int fd = openat(classfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	DIR *dp = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!dp) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			CHECK(unlinkat(dirfd(dp), e->d_name, 0) == 0);
	closedir(dp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum why whys[] = { BY_ADMIN, BY_SWEEP, BY_UDEV, BY_REPLAY };
	const char *p = (const char *)data + 2, *end = (const char *)data + size;
	const char *value, *zones, *bsize, *link;
	size_t vlen, zlen, blen, llen, n;
	unsigned f, g;
	struct ctx c = { .root = -1 };
	struct device d;
	enum outcome want, got;
	const char *attr, *written;
	char linkname[256];
	bool left = false;
	int dev, classfd;

	if (top < 0)
		setup();
	if (size < 2)
		return 0;
	f = data[0];
	g = data[1];
	value = field(&p, end, &vlen);
	zones = field(&p, end, &zlen);
	bsize = field(&p, end, &blen);
	link = field(&p, end, &llen);

	device_init(&d, f & 1 ? DEV_CPU : DEV_MEMORY, g >> 7);
	classfd = d.type == DEV_CPU ? cpudir : memdir;
	attr = d.type == DEV_CPU ? "online" : "state";

	/* Build the device. */
	put(memdir, "block_size_bytes", bsize, blen);
	if (g & 4)
		clear(memdir, "block_size_bytes");
	clear(classfd, d.name);
	if (f & 0x80)   /* the device directory is a symlink */
		CHECK(symlinkat("../../../../victim", classfd, d.name) == 0);
	else
		CHECK(mkdirat(classfd, d.name, 0755) == 0);
	dev = openat(classfd, d.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (dev >= 0) {
		if (f & 0x40)   /* the attribute is a symlink */
			CHECK(symlinkat("../../../../../victim/state", dev, attr) == 0);
		else if (!(g & 8))
			put(dev, attr, value, vlen);
		if (!(g & 2))
			put(dev, "valid_zones", zones, zlen);
		/* A NUMA node link named by the input, if it can be a name. */
		n = llen < sizeof(linkname) - 1 ? llen : sizeof(linkname) - 1;
		memcpy(linkname, link, n);
		linkname[n] = '\0';
		if (!(g & 1) && n && !strchr(linkname, '/') && strcmp(linkname, ".") != 0 &&
		    strcmp(linkname, "..") != 0 && strcmp(linkname, attr) != 0 &&
		    strcmp(linkname, "valid_zones") != 0)
			CHECK(symlinkat("../../node/node0", dev, linkname) == 0);
	}

	/* Run it. */
	snprintf(linkname, sizeof(linkname), "%s/sys", tree_root);
	CHECK(sysfs_open(&c, linkname) == 0);
	config_defaults(&c.cfg);
	c.cfg.memory = (enum mem_policy)((f >> 1) & 3);   /* online, movable, kernel, off */
	c.cfg.strict = f & 8;
	c.dry_run = f & 0x20;
	c.cfg.cpu = !(g & 0x10);
	c.why = whys[(f >> 4 & 1) | (g >> 5 & 2)];
	fuzz_said = 0;
	got = online_device(&c, &d);

	/* Check it. */
	if (f & 0xc0)
		want = OUT_FAILED;   /* ELOOP or ENOTDIR: never followed */
	else if (g & 8)      /* no attribute: the boot CPU, or a block removed meanwhile */
		want = d.type == DEV_CPU ? OUT_ALREADY : c.why == BY_ADMIN ? OUT_FAILED : OUT_SKIPPED;
	else
		want = model(&c, d.type, value, vlen, &left);
	CHECK(got == want);
	victim_intact();
	if (dev >= 0 && !(f & 0x40) && !(g & 8)) {
		written = tree_slurp(dev, attr, &n);
		if (got == OUT_ONLINED && !c.dry_run)
			CHECK(strcmp(written, d.type == DEV_CPU ? "1" :
				     policy_name(c.cfg.memory)) == 0);
		else
			CHECK(n == vlen && memcmp(written, value, vlen) == 0);
	}
	/* Logged: nothing for a success or a device already online, one line
	 * for a device left alone (none at a replay), at least one for a
	 * failure or a removed block. */
	if (got == OUT_ONLINED || got == OUT_ALREADY)
		CHECK(fuzz_said == 0);
	else if (got == OUT_SKIPPED && left)
		CHECK(fuzz_said == (c.why == BY_REPLAY ? 0U : 1U));
	else
		CHECK(fuzz_said >= 1);
	if (fuzz_said)
		CHECK(strncmp(fuzz_last, d.name, strlen(d.name)) == 0 || got == OUT_FAILED);

	if (dev >= 0) {
		if (f & 0x40)
			clear(dev, attr);
		close(dev);
	}
	for (int t = 0; t < 2; t++)
		if (c.classdir[t] >= 0)
			close(c.classdir[t]);
	close(c.root);
	/* Empty the device directory for the next input. */
	if (!(f & 0x80))
		empty_dir(classfd, d.name);
	clear(classfd, d.name);
	return 0;
}
