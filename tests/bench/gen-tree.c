/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gen-tree DIR N [FIRST]: a fake sysfs root DIR with N memory blocks reading
 * offline, numbered from FIRST (default 0), each laid out as a Debian 12
 * kernel shows a hot-added block (state, online, phys_index, phys_device,
 * removable, valid_zones, node0 link), plus block_size_bytes (128 MiB),
 * auto_online_blocks and node0.  gen-tree --reset DIR N [FIRST] writes
 * "offline" to the N state files again.  Python takes ~20 s for 100 000
 * blocks; this takes well under a second of CPU. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "gen-tree: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0)
		die(path);
}

static void mkdirs(const char *path)
{
	char buf[4096];
	size_t i;

	snprintf(buf, sizeof(buf), "%s", path);
	for (i = 1; buf[i]; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			die(buf);
		buf[i] = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		die(buf);
}

int main(int argc, char **argv)
{
	int reset = argc > 1 && strcmp(argv[1], "--reset") == 0;
	char p[4096], v[32];
	const char *root;
	unsigned long n, first, i;
	size_t len;

	if (argc - reset < 3 || argc - reset > 4) {
		fprintf(stderr, "usage: gen-tree [--reset] DIR N [FIRST]\n");
		return 2;
	}
	root = argv[1 + reset];
	n = strtoul(argv[2 + reset], NULL, 10);
	first = argc - reset > 3 ? strtoul(argv[3 + reset], NULL, 10) : 0;
	if (!reset) {
		snprintf(p, sizeof(p), "%s/devices/system/node/node0", root);
		mkdirs(p);
		snprintf(p, sizeof(p), "%s/devices/system/cpu", root);
		mkdirs(p);
		snprintf(p, sizeof(p), "%s/devices/system/memory", root);
		mkdirs(p);
		snprintf(p, sizeof(p), "%s/devices/system/memory/block_size_bytes", root);
		put(p, "8000000\n");
		snprintf(p, sizeof(p), "%s/devices/system/memory/auto_online_blocks", root);
		put(p, "offline\n");
	}
	for (i = first; i < first + n; i++) {
		len = (size_t)snprintf(p, sizeof(p), "%s/devices/system/memory/memory%lu", root, i);
		if (len > sizeof(p) - 32)
			return 1;
		if (!reset && mkdir(p, 0755) < 0 && errno != EEXIST)
			die(p);
		strcpy(p + len, "/state");
		put(p, "offline\n");
		if (reset)
			continue;
		strcpy(p + len, "/online");
		put(p, "0\n");
		snprintf(v, sizeof(v), "%08lx\n", i);
		strcpy(p + len, "/phys_index");
		put(p, v);
		strcpy(p + len, "/phys_device");
		put(p, "0\n");
		strcpy(p + len, "/removable");
		put(p, "1\n");
		strcpy(p + len, "/valid_zones");
		put(p, "Normal Movable\n");
		strcpy(p + len, "/node0");
		if (symlink("../../node/node0", p) < 0 && errno != EEXIST)
			die(p);
	}
	return 0;
}
