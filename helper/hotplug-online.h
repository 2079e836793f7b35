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

/* CPU and node bitmaps, as the kernel's lists ("0-3,8") say them. */
#define MAX_CPUS 8192
#define MAX_NODES 1024
#define LONG_BITS (8 * sizeof(unsigned long))
#define BITMAP_LONGS(max) (((max) + LONG_BITS - 1) / LONG_BITS)
static inline bool test_bit(const unsigned long *bits, unsigned long i)
{
	return bits[i / LONG_BITS] >> (i % LONG_BITS) & 1;
}

struct device {
	enum devtype type;
	unsigned long index;
	char name[8 + MAX_INDEX_DIGITS]; /* "memory" + digits + NUL */
};

enum mem_policy { MEM_ONLINE, MEM_MOVABLE, MEM_KERNEL, MEM_OFF, MEM_AUTO };

struct config {
	enum mem_policy memory;
	bool memory_set;      /* the file has a valid `memory =` line */
	bool cpu;
	bool strict;          /* never fall back to plain "online" */
	bool skip_arch;       /* leave memory alone on s390x and ppc64 */
	unsigned movable_ratio;   /* auto-movable: the kernel's auto_movable_ratio */
	bool numa_aware;
	bool kernel_online;   /* program the kernel's own auto-online (setup) */
	bool dax_kmem;        /* online memory the dax kmem driver added */
	bool cpusets;         /* after a hot-add: cgroup v1 cpusets get new CPUs, nodes */
	bool tmpfs;           /* after a hot-add: tmpfs sized as a share of RAM keep it */
	bool hooks;           /* after a hot-add: hooks.d */
	unsigned hook_timeout;   /* seconds */
};

enum mem_state { ST_ONLINE, ST_OFFLINE, ST_GOING_OFFLINE, ST_UNKNOWN };

enum outcome { OUT_ONLINED, OUT_ALREADY, OUT_SKIPPED, OUT_FAILED, OUT_BAD };

enum action { ACT_BAD = -1, ACT_OTHER, ACT_ADD, ACT_ONLINE, ACT_OFFLINE, ACT_REMOVE };

/* Why a device is acted on: the line it gets depends on it. */
enum why { BY_ADMIN, BY_SWEEP, BY_UDEV, BY_REPLAY, BY_REPAIR };

struct ctx {
	int root;            /* the sysfs root, --sysfs */
	int classdir[2];     /* devices/system/{memory,cpu}, opened on first use */
	struct config cfg;
	bool dry_run;
	enum why why;
	unsigned long long block_size;
	char cmdline_memory[64];   /* the command line's memhp word, "" none */
	char cmdline_cpu[64];      /* maxcpus=, nosmt: "" none */
};

/* The kernel's auto-online knobs (kernel.c); "" where the file is absent. */
#define KNOB_LEN 32
enum knob { K_AUTO_ONLINE, K_POLICY, K_RATIO, K_NUMA, NKNOBS };
struct knobs {
	char val[NKNOBS][KNOB_LEN];
};

/* What setup writes: auto_online_blocks (and, when refused, "offline"),
 * and for auto-movable the policy parameters first. */
struct kernel_caps {
	bool auto_online;        /* auto_online_blocks exists */
	bool policy;             /* memory_hotplug.online_policy exists (5.15+) */
	bool arch_skip;          /* s390x/ppc64 and skip_s390x_ppc64 = yes */
	bool dax;                /* dax, nd or cxl devices: daxctl may add memory */
	const char *cmdline;     /* the command line's memhp word, "" none */
};
struct kernel_plan {
	bool leave;              /* touch nothing */
	const char *auto_online; /* wanted value */
	bool fallback;           /* the kernel may refuse it: then "offline" */
	bool auto_movable;       /* ratio, NUMA, online_policy=auto-movable */
	char why[256];
};

/* parse.c: every function here takes untrusted bytes. */
int parse_index(const char *s, unsigned long *out);
void device_init(struct device *d, enum devtype t, unsigned long index);
int parse_device(const char *s, struct device *d);
int parse_devpath(const char *s, struct device *d);
enum action parse_action(const char *s);
int parse_cmdline(const char *s, char *word, size_t size);
int parse_cpu_limit(const char *s, char *word, size_t size);
int parse_release(const char *s, unsigned long *major, unsigned long *minor);
int parse_knob(enum knob k, const char *s);
int parse_record(char *text, struct knobs *saved);
enum mem_state parse_state(const char *s);
int parse_cpu_online(const char *s);   /* 1, 0 or -1 */
int parse_block_size(const char *s, unsigned long long *out);
int parse_u64(const char *s, unsigned long long *out);
int parse_node_name(const char *s, unsigned long *node);
int parse_zone(const char *valid_zones, char *zone, size_t size);
int parse_zone_list(const char *valid_zones, char zones[][16], size_t max);
const char *policy_name(enum mem_policy p);
const char *knob_name(enum knob k);
const char *shown(const char *s, char *buf, size_t size);
/* A kernel uevent ("ACTION@DEVPATH\0KEY=VALUE\0..."): the fields point
 * into the message; one it lacks is NULL. */
struct uevent {
	const char *action, *devpath, *subsystem, *synth_uuid;
};
int parse_uevent(const char *msg, size_t len, struct uevent *ev);
int parse_event(const struct uevent *ev, struct device *d, enum action *act, char *why,
		size_t size);

/* A line of /proc/self/mountinfo, pointing into it. */
struct mount {
	char *point, *options, *fstype, *source, *super;
};
int parse_list(const char *s, unsigned long *bits, unsigned long max);
void format_list(const unsigned long *bits, unsigned long max, char *buf, size_t size);
void sort_indexes(unsigned long *v, size_t n);
void format_indexes(const unsigned long *v, size_t n, char *buf, size_t size);
/* Room enough that format_indexes() never cuts n indexes short. */
#define INDEXES_SIZE(n) ((n) * 21 + 48)
int parse_mountinfo(char *line, struct mount *m);
bool has_option(const char *options, const char *opt);
int parse_meminfo(const char *text, const char *key, unsigned long long *kb);
int option_number(const char *options, const char *name, unsigned long long *v);

/* config.c */
void config_defaults(struct config *c);
int config_line(struct config *c, char *line, const char **why);
int config_load(struct config *c, const char *path, bool must_exist);

/* log.c */
#define LOG_TO_SYSLOG 1
#define LOG_TO_STDOUT 2
void log_setup(int dest);
void say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* policy.c: pure functions from inputs to a decision. */
void plan_kernel(const struct config *c, const struct kernel_caps *k, struct kernel_plan *p);
const char *plan_block(const struct config *c, const char *cmdline, char *why, size_t size);
bool plan_fallback(const char *refused, const char *valid_zones, char *why, size_t size);
unsigned tmpfs_share(unsigned long long pages, unsigned long long total_pages, unsigned long ps);
unsigned long long hotadd_headroom(unsigned long long available, unsigned long ps);
bool percent_of(unsigned long long part, unsigned long long whole, unsigned long long *pct);

/* sysfs.c: all file I/O below the commands. */
int sysfs_open(struct ctx *c, const char *root);
int open_path(int dirfd, const char *path);
int class_dir(struct ctx *c, enum devtype t);
int open_device(struct ctx *c, const struct device *d);
int read_attr(int dirfd, const char *name, char *buf, size_t size);
int write_attr(int dirfd, const char *name, const char *val);
unsigned long long block_size(struct ctx *c);
int block_node(int blockfd, unsigned long *node);
int block_zone(int blockfd, char *zone, size_t size);
int list_devices(struct ctx *c, enum devtype t, unsigned long **out, size_t *n);
bool has_devices(struct ctx *c, const char *bus);
int dax_owns(struct ctx *c, unsigned long long addr, char *dev, size_t size);
char *read_text(int dirfd, const char *path, size_t max, int *err);
int meminfo(const char *key, unsigned long long *bytes);
int memmap_on_memory(struct ctx *c);
int kmsg_says(const char *text);
void sleep_ms(long ms);
const char *kernel_release(void);
bool arch_skips_memory(void);
/* The kernel's auto-online knobs, and setup's record of what it replaced. */
#define RUNDIR "/run/hotplug-online"
#define RECORD "kernel-saved"
int read_knobs(struct ctx *c, struct knobs *kn, enum knob *bad);
int write_knob(struct ctx *c, enum knob k, const char *val);
int read_saved(struct knobs *saved);
int write_saved(const struct knobs *saved);

/* device.c: acting on one device */
enum outcome online_device(struct ctx *c, const struct device *d);
void describe_block(struct ctx *c, int blockfd, bool zone, char *buf, size_t size);
int load_cmdline(struct ctx *c);

/* kernel.c: setup and restore. */
int cmd_setup(struct ctx *c);
int cmd_restore(struct ctx *c);

/* burst.c: after a burst of hot-added devices is online. */
struct burst {
	unsigned long cpus[BITMAP_LONGS(MAX_CPUS)];           /* CPUs it onlined */
	unsigned long nodes[BITMAP_LONGS(MAX_NODES)];         /* nodes of its memory */
	unsigned long new_nodes[BITMAP_LONGS(MAX_NODES)];     /* nodes without memory before */
	unsigned long nodes_before[BITMAP_LONGS(MAX_NODES)];  /* nodes with memory before */
	unsigned long long bytes, memtotal;                   /* memory added; MemTotal before */
	char blocks[4096];                                    /* its blocks: "32-39" */
};
int burst_steps(struct ctx *c, const struct burst *b);

/* status.c */
int status(struct ctx *c, bool json);

/* logger.c: the log service. */
int cmd_log(struct ctx *c, const char *config);

#endif
