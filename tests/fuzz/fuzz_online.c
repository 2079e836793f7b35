/* SPDX-License-Identifier: GPL-2.0-or-later */
/* online_device() against a fake sysfs tree whose contents are fuzzed:
 * state or online, valid_zones, block_size_bytes, the node link name.
 * Input: two flag bytes, then NUL-separated fields in that order.
 * Checks the outcome against a model, that what is on disk changed only
 * as it should (the device and the mark in the run directory), what is
 * logged (nothing when udevd's online event will, see device.c), and that
 * a symlink is never followed; then the online and offline events'
 * log_transition() on the same device. */
#include <dirent.h>
#include <errno.h>

#include "tree.h"

static int top = -1, memdir, cpudir, onlined, offlined;

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
	/* The run directory, as the first helper to leave a mark makes it. */
	CHECK(mkdirat(top, "run", 0700) == 0);
	CHECK(mkdirat(top, "run/onlined", 0700) == 0);
	CHECK(mkdirat(top, "run/offlined", 0700) == 0);
	onlined = openat(top, "run/onlined", O_RDONLY | O_DIRECTORY);
	offlined = openat(top, "run/offlined", O_RDONLY | O_DIRECTORY);
	CHECK(onlined >= 0 && offlined >= 0);
	snprintf(fuzz_rundir, sizeof(fuzz_rundir), "%s/run", tree_root);
	/* The "already online" lines of the online command go to stdout. */
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
 * *left: skipped by the configuration (cpu = off, memory = off). */
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
	if (strcmp(val, "going-offline") == 0)
		return OUT_SKIPPED;
	if (strcmp(val, "offline") != 0)
		return OUT_FAILED;
	*left = c->cfg.memory == MEM_OFF;
	return c->cfg.memory == MEM_OFF ? OUT_SKIPPED : OUT_ONLINED;
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

/* The mark of the device in dir, "" when there is none. */
static const char *mark_of(int dir, const char *name)
{
	size_t n;

	if (faccessat(dir, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
		return "";
	return tree_slurp(dir, name, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 2, *end = (const char *)data + size;
	const char *value, *zones, *bsize, *link;
	size_t vlen, zlen, blen, llen, n;
	unsigned f, g;
	struct ctx c = { .root = -1 };
	struct device d;
	enum outcome want, got;
	const char *attr, *written;
	char linkname[256], mark[320], tail[64];
	struct stat st;
	bool left = false, marked;
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

	d.type = f & 1 ? DEV_CPU : DEV_MEMORY;
	d.index = g >> 7;
	snprintf(d.name, sizeof(d.name), "%s%lu", d.type == DEV_CPU ? "cpu" : "memory", d.index);
	classfd = d.type == DEV_CPU ? cpudir : memdir;
	attr = d.type == DEV_CPU ? "online" : "state";

	/* Build the device. */
	put(memdir, "block_size_bytes", bsize, blen);
	if (g & 4)
		clear(memdir, "block_size_bytes");
	clear(classfd, d.name);
	if (f & 0x80) {   /* the device directory is a symlink */
		CHECK(symlinkat("../../../../victim", classfd, d.name) == 0);
	} else {
		CHECK(mkdirat(classfd, d.name, 0755) == 0);
	}
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
	c.cfg.memory = (enum mem_policy)((f >> 1) & 3);
	c.cfg.strict = f & 8;
	c.udev = f & 0x10;
	c.dry_run = f & 0x20;
	c.cfg.cpu = !(g & 0x10);
	c.sweep = g & 0x20;
	/* As main() sets them: under udev, udevd runs our rule (its online
	 * event logs) and the event may be a replay; else udevd may run. */
	c.replay = c.udev && (g & 0x40);
	c.udev_logs = c.udev || (g & 0x40);
	fuzz_said = fuzz_logged = 0;
	got = online_device(&c, &d);

	/* Check it. */
	if (f & 0xc0)
		want = OUT_FAILED;   /* ELOOP on the directory or the attribute */
	else if (g & 8)                            /* no attribute */
		want = d.type == DEV_CPU ? OUT_ALREADY : c.udev ? OUT_SKIPPED : OUT_FAILED;
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
	/* A mark is left exactly when we onlined it and udevd's online event
	 * will log it: "INODE as TYPE" for a block, "INODE " for a CPU. */
	marked = got == OUT_ONLINED && !c.dry_run && c.udev_logs;
	CHECK(mark_of(offlined, d.name)[0] == '\0');
	if (marked) {
		CHECK(dev >= 0 && fstat(dev, &st) == 0);
		snprintf(mark, sizeof(mark), "%llu %s%s\n", (unsigned long long)st.st_ino,
			 d.type == DEV_CPU ? "" : "as ", d.type == DEV_CPU ? "" : policy_name(c.cfg.memory));
		CHECK(strcmp(mark_of(onlined, d.name), mark) == 0);
	} else {
		CHECK(mark_of(onlined, d.name)[0] == '\0');
	}
	/* "as online_movable)": how it was onlined ends the transition line. */
	snprintf(tail, sizeof(tail), "by hotplug-online%s%s)", d.type == DEV_CPU ? "" : " as ",
		 d.type == DEV_CPU ? "" : policy_name(c.cfg.memory));
	if (got == OUT_ONLINED && c.dry_run) {
		CHECK(fuzz_said == 1 && fuzz_logged == 0);
		CHECK(strncmp(fuzz_last, d.name, strlen(d.name)) == 0);
		CHECK(strstr(fuzz_last, ": would online") != NULL);
	} else if (marked) {
		CHECK(fuzz_said == 0);             /* the online event's to say */
	} else if (got == OUT_ONLINED) {
		CHECK(fuzz_said == 1 && fuzz_logged == 1);
		CHECK(strncmp(fuzz_last, d.name, strlen(d.name)) == 0);
		CHECK(strncmp(fuzz_last + strlen(d.name), ": online (", 10) == 0);
		CHECK(ends_with(fuzz_last, tail));
	}
	if (got == OUT_ALREADY)
		CHECK(fuzz_said == 0);             /* the online event said it */
	if (got == OUT_SKIPPED && left)        /* said at a hot-add, not at a replay */
		CHECK(fuzz_said == (c.udev && c.replay ? 0U : 1U) && fuzz_logged == 0);
	else if (got == OUT_SKIPPED)
		CHECK(fuzz_said >= 1);
	if (got == OUT_FAILED)
		CHECK(fuzz_said >= 1);             /* a failure is never silent */

	/* The online event: one line, with the mark (used up), or another
	 * agent's (no auto_online_blocks here).  Then the offline event: one
	 * line, and a block leaves an offline mark. */
	fuzz_said = fuzz_logged = 0;
	CHECK(log_transition(&c, &d, true) == EXIT_OK);
	if (dev < 0) {
		/* No directory (a symlink is none): the transition, no details. */
		snprintf(mark, sizeof(mark), "%s: online", d.name);
		CHECK(fuzz_said == 1 && fuzz_logged == 1 && strcmp(fuzz_last, mark) == 0);
		fuzz_said = fuzz_logged = 0;
		CHECK(log_transition(&c, &d, false) == EXIT_OK);
		snprintf(mark, sizeof(mark), "%s: offline", d.name);
		CHECK(fuzz_said == 1 && fuzz_logged == 1 && strcmp(fuzz_last, mark) == 0);
		CHECK(mark_of(offlined, d.name)[0] == '\0');
	} else {
		CHECK(fuzz_said == 1 && fuzz_logged == 1);
		CHECK(strncmp(fuzz_last, d.name, strlen(d.name)) == 0);
		CHECK(strncmp(fuzz_last + strlen(d.name), ": online (", 10) == 0);
		CHECK(ends_with(fuzz_last, marked ? tail : "by another agent)"));
		CHECK(mark_of(onlined, d.name)[0] == '\0');
		fuzz_said = fuzz_logged = 0;
		CHECK(log_transition(&c, &d, false) == EXIT_OK);
		CHECK(fuzz_said == 1 && fuzz_logged == 1);
		CHECK(strncmp(fuzz_last, d.name, strlen(d.name)) == 0);
		CHECK(strncmp(fuzz_last + strlen(d.name), ": offline", 9) == 0);
		CHECK(!strstr(fuzz_last, "zone"));  /* an offline block has none */
		CHECK((mark_of(offlined, d.name)[0] != '\0') == (d.type == DEV_MEMORY));
		clear(offlined, d.name);
	}
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
	if (!(f & 0x80)) {
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "%s/sys/devices/system/%s/%s",
			 tree_root, d.type == DEV_CPU ? "cpu" : "memory", d.name);
		dev = open(cmd, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		CHECK(dev >= 0);
		{
			DIR *dp = fdopendir(dev);
			struct dirent *e;

			CHECK(dp != NULL);
			while ((e = readdir(dp)))
				if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
					CHECK(unlinkat(dirfd(dp), e->d_name, 0) == 0);
			closedir(dp);
		}
	}
	clear(classfd, d.name);
	return 0;
}
