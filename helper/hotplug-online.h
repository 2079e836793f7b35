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
	bool kernel_online;   /* program the kernel's own auto-online (setup) */
	bool memory_set;      /* the file has a valid `memory =` line */
	bool dax_kmem;        /* online memory the dax kmem driver added (daxctl's) */
};

/* Pages present per node, from /proc/zoneinfo; ZONE_NODES bounds every
 * per-node array (status too). */
#define ZONE_NODES 1024
struct zone_pages {
	unsigned long long kernel[ZONE_NODES], movable[ZONE_NODES];
	unsigned long long kernel_total, movable_total;
};

enum mem_state { ST_ONLINE, ST_OFFLINE, ST_GOING_OFFLINE, ST_UNKNOWN };

enum outcome { OUT_ONLINED, OUT_ALREADY, OUT_SKIPPED, OUT_FAILED, OUT_BAD };

enum action { ACT_BAD = -1, ACT_OTHER, ACT_ADD, ACT_ONLINE, ACT_OFFLINE };

struct ctx {
	int root;            /* the sysfs root, --sysfs */
	int classdir[2];     /* devices/system/{memory,cpu}, opened on first use */
	struct config cfg;
	bool dry_run;
	bool udev;           /* acting on a udev event */
	bool sweep;          /* quiet about devices already online */
	bool replay;         /* the event is a replay (SYNTH_UUID), not a hot-add */
	bool udev_logs;      /* udevd runs our rule: its `online` event logs each block */
	unsigned long long block_size;
};

/* The kernel's auto-online knobs (kernel.c); "" where the file is absent. */
#define KNOB_LEN 32
enum knob { K_AUTO_ONLINE, K_POLICY, K_RATIO, K_NUMA, NKNOBS };
struct knobs {
	char val[NKNOBS][KNOB_LEN];
};

/* What the kernel and its command line offer (inputs of plan_kernel). */
struct kernel_caps {
	bool auto_online;        /* auto_online_blocks exists */
	bool policy;             /* memory_hotplug.online_policy exists (5.15+) */
	bool arch_skip;          /* s390x/ppc64 and skip_s390x_ppc64 = yes */
	char cmdline[64];        /* the first online-related command line word, or "" */
};

/* What setup writes: auto_online_blocks (and, when refused, "offline"),
 * and for auto-movable the policy parameters first. */
struct kernel_plan {
	bool leave;              /* touch nothing: see why */
	const char *auto_online; /* wanted value, NULL: leave it */
	bool fallback;           /* the kernel may refuse it: then "offline" */
	bool auto_movable;       /* ratio, NUMA, online_policy=auto-movable */
	bool conflict;           /* the command line said otherwise */
	char why[256];
};

/* parse.c: every function here takes untrusted bytes. */
int parse_index(const char *s, unsigned long *out);
void device_init(struct device *d, enum devtype t, unsigned long index);
int parse_device(const char *s, struct device *d);
int parse_devpath(const char *s, struct device *d);
enum action parse_action(const char *s);
int parse_cmdline(const char *s, char *word, size_t size);
int parse_knob(enum knob k, const char *s);
/* The innermost "System RAM" resource of /proc/iomem holding an address:
 * the range one add_memory() call registered, before it created the
 * blocks; owner is the driver that added it ("kmem", "virtio_mem"; "" for
 * a DIMM). */
struct iomem_range {
	unsigned long long start, stop;   /* inclusive */
	char owner[32];
};
int parse_iomem(const char *text, size_t len, unsigned long long addr, struct iomem_range *r,
		unsigned *lineno);
/* A uevent message (the kernel's, or udevd's broadcast once it processed
 * one): the properties hotplug-online reads, pointing into the message. */
struct uevent {
	const char *action, *devpath, *subsystem, *synth_uuid;
	const char *log;           /* HOTPLUG_ONLINE_LOG, set by our rule */
	const char *seqnum_text;
	unsigned long long seqnum; /* 0: none */
};
int parse_seqnum(const char *s, unsigned long long *out);
int parse_uevent(const char *msg, size_t len, bool udev, struct uevent *ev);
int parse_event(const struct uevent *ev, struct device *d, enum action *act, char *why,
		size_t size);
int parse_release(const char *s, unsigned long *major, unsigned long *minor);
int parse_acpi_name(const char *link, char *name, size_t size);
int parse_cpu_limit(const char *s, char *word, size_t size);
int parse_record(char *text, struct knobs *saved);
enum mem_state parse_state(const char *s);
int parse_cpu_online(const char *s);   /* 1, 0 or -1 */
int parse_block_size(const char *s, unsigned long long *out);
int parse_node_name(const char *s, unsigned long *node);
int parse_zone(const char *valid_zones, char *zone, size_t size);
int parse_zone_list(const char *valid_zones, char zones[][16], size_t max);
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
void log_retry(void);
void say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_only(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* auto-movable: one memory device's decision, made at its first block and
 * recorded in /run/hotplug-online/devices/<its firmware_node's name> for
 * the others.  It holds while memory<first> is the directory it was
 * (same inode) and the block asking is one of memory<first>..+blocks-1. */
#define DECISION_HOW 160
struct decision {
	unsigned long first, blocks;
	unsigned long long ino;
	bool movable;
	char how[DECISION_HOW];   /* the numbers behind it, printable ASCII */
};
int parse_decision(const char *text, struct decision *d);
int format_decision(const struct decision *d, char *buf, size_t size);

/* The inputs of the userspace auto-movable rule: the kernel's
 * auto_movable_zone_for_pfn() for a static memory group. */
struct am_inputs {
	unsigned ratio;                    /* percent */
	bool numa;                         /* check the node too */
	unsigned long node;                /* < ZONE_NODES when numa */
	const struct zone_pages *boot, *now;
	unsigned long long unit_pages;     /* the device's pages not online in Movable */
	bool unit_kernel;                  /* some block of the device is in a kernel zone */
	unsigned long long page_size;
};

/* policy.c: pure functions from inputs to a decision. */
void plan_kernel(const struct config *c, const struct kernel_caps *k, struct kernel_plan *p);
const char *knob_name(enum knob k);
bool am_movable(const struct am_inputs *in, char *how, size_t size);
bool plan_fallback(const char *refused, const char *valid_zones, char *why, size_t size);
bool movable_anywhere(unsigned long major, unsigned long minor);
bool percent_of(unsigned long long part, unsigned long long whole, unsigned long long *pct);

/* state.c: what one run leaves for another during this boot, under
 * /run/hotplug-online. */
int run_dir(const char *sub, bool create);
int state_write(int dir, const char *name, const char *text);
int state_read(int dir, const char *name, char *buf, size_t size);
int state_write_len(int dir, const char *name, const void *p, size_t len);
int run_lock(bool create);
int decision_read(const char *device, struct decision *d);
int decision_write(const char *device, const struct decision *d);

/* kernel.c: the kernel's auto-online knobs; setup and restore. */
int read_knobs(struct ctx *c, struct knobs *k);
int read_saved(struct knobs *saved);
int cmd_setup(struct ctx *c);
int cmd_restore(struct ctx *c);

/* device.c: acting on one device */
enum outcome online_device(struct ctx *c, const struct device *d);
int log_transition(struct ctx *c, const struct device *d, bool online);
bool arch_skips_memory(void);
void sleep_ms(long ms);
const char *kernel_release(void);
bool kernel_at_least(unsigned long major, unsigned long minor);

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
int device_node(const struct device *d, int blockfd, unsigned long *node);
int device_firmware_node(const struct device *d, int blockfd, char *name, size_t size);
bool acpi_memory_devices(struct ctx *c);
bool numa_nodes(struct ctx *c);
struct buf {
	void *p;
	size_t len, cap;   /* bytes */
};
int buf_reserve(struct buf *b, size_t more);
void buf_free(struct buf *b);
int each_entry(int dirfd, int (*fn)(const char *name, unsigned char type, void *arg), void *arg);
int list_devices(struct ctx *c, enum devtype t, struct buf *out);
int slurp(int dirfd, const char *path, struct buf *b, size_t max);
int read_proc(const char *name, struct buf *b);
int write_attr(const char *who, int dirfd, const char *name, const char *val);

/* netlink.c: uevents as the kernel and udevd multicast them. */
enum ue_from { UE_OTHER, UE_KERNEL, UE_UDEV };
int uevent_open(void);
long uevent_recv(int fd, char *buf, size_t size, enum ue_from *from);

/* logger.c: the online and offline events' lines, one run for a burst. */
int log_event(struct ctx *c, const struct device *d, bool online, const char *seqnum);
int cmd_log(struct ctx *c);

/* automovable.c */
struct am_result {
	const char *type;        /* the online type to write */
	int lock;                /* -1, or the lock to hold until it is written */
	char device[32];         /* the firmware_node's name, "" when none */
	bool recorded;           /* a decision recorded for the device */
	char how[320];
};
int auto_movable(struct ctx *c, const struct device *d, int fd, const struct iomem_range *range,
		 struct am_result *res);
void auto_movable_landed(struct ctx *c, const struct device *d, const struct am_result *res,
			 const char *zone);
int am_figures(struct zone_pages *boot, struct zone_pages *now, bool *have_boot);

/* status.c */
int status(struct ctx *c, bool json);

/* fault.c: the test build's fault-injection seam; no-ops otherwise. */
int fault_write(const char *dev, int dirfd, const char *attr, size_t len);
const char *fault_path(const char *name, const char *dflt);
bool fault_unbound(unsigned long index);
long fault_number(const char *name, long dflt);

#endif
