/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HOTPLUG_ONLINE_H
#define HOTPLUG_ONLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes, as chmem(8) uses them. */
#define EXIT_OK       0
#define EXIT_FAIL     1
#define EXIT_USAGE    2
#define EXIT_PARTIAL 64

#define MAX_INDEX_DIGITS 9

enum devtype { DEV_MEMORY, DEV_CPU };

struct device {
	enum devtype type;
	unsigned long index;
	char name[8 + MAX_INDEX_DIGITS]; /* "memory" + digits + NUL */
};

enum mem_policy { MEM_ONLINE, MEM_MOVABLE, MEM_KERNEL, MEM_OFF, MEM_AUTO };

struct config {
	enum mem_policy memory;
	bool cpu;
	bool strict;      /* never fall back to plain "online" */
	bool skip_arch;   /* leave memory alone on s390x and ppc64 */
	unsigned movable_ratio;   /* auto-movable: percent of boot kernel memory */
	bool numa_aware;
};

/* Pages present per node, from /proc/zoneinfo; ZONE_NODES bounds every
 * per-node array (status too). */
#define ZONE_NODES 1024
struct zone_pages {
	unsigned long long kernel[ZONE_NODES], movable[ZONE_NODES];
	unsigned long long kernel_total, movable_total;
};

enum mem_state { ST_ONLINE, ST_OFFLINE, ST_GOING_OFFLINE, ST_UNKNOWN };

enum outcome { OUT_ONLINED, OUT_ALREADY, OUT_SKIPPED, OUT_FAILED };

struct ctx {
	int root;            /* the sysfs root, --sysfs */
	int classdir[2];     /* devices/system/{memory,cpu}, opened on first use */
	struct config cfg;
	bool dry_run;
	bool udev;           /* acting on a udev event */
	bool sweep;          /* quiet about devices already online */
	unsigned long long block_size;
};

/* parse.c: every function here takes untrusted bytes. */
int parse_index(const char *s, unsigned long *out);
void device_init(struct device *d, enum devtype t, unsigned long index);
int parse_device(const char *s, struct device *d);
int parse_devpath(const char *s, struct device *d);
int parse_action(const char *s);   /* 1 add, 0 other known action, -1 bad */
enum mem_state parse_state(const char *s);
int parse_cpu_online(const char *s);   /* 1, 0 or -1 */
int parse_block_size(const char *s, unsigned long long *out);
int parse_node_name(const char *s, unsigned long *node);
int parse_zone(const char *valid_zones, char *zone, size_t size);
int parse_zoneinfo(const char *text, size_t len, struct zone_pages *z);
const char *policy_name(enum mem_policy p);
const char *shown(const char *s, char *buf, size_t size);

/* config.c */
void config_defaults(struct config *c);
int config_line(struct config *c, char *line, const char **why);
int config_load(struct config *c, const char *path, bool must_exist);

/* log.c */
#define LOG_TO_SYSLOG 1
#define LOG_TO_STDOUT 2
void log_setup(int dest);
void say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sysfs.c */
int sysfs_open(struct ctx *c, const char *root);
int open_path(int dirfd, const char *path);
unsigned long long block_size(struct ctx *c);
int write_file(int dirfd, const char *name, const char *val);
int block_zone(int blockfd, char *zone, size_t size);
int class_dir(struct ctx *c, enum devtype t);
int read_attr(int dirfd, const char *name, char *buf, size_t size);
int open_device(struct ctx *c, const struct device *d);
int block_node(int blockfd, unsigned long *node);
struct buf {
	void *p;
	size_t len, cap;   /* bytes */
};
int buf_reserve(struct buf *b, size_t more);
void buf_free(struct buf *b);
int each_entry(int dirfd, int (*fn)(const char *name, unsigned char type, void *arg), void *arg);
int list_devices(struct ctx *c, enum devtype t, struct buf *out);
enum outcome online_device(struct ctx *c, const struct device *d);

/* automovable.c */
const char *auto_movable(struct ctx *c, const struct device *d, int fd, int *lock,
			 char *how, size_t size);

/* status.c */
int status(struct ctx *c, bool json);

/* fault.c: the test build's fault-injection seam; no-ops otherwise. */
int fault_write(const char *dev, int dirfd, const char *attr, size_t len);
const char *fault_path(const char *name, const char *dflt);

#endif
