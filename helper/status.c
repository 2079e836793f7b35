/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hotplug-online status [--json]`: what is online, per node and zone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

#define ZONE_NODES 1024   /* nodes counted; blocks on higher ones are counted in total only */
static const char *const zone_names[] = {
	"DMA", "DMA32", "Normal", "HighMem", "Movable", "Device", "none", "other",
};
#define NZONES (sizeof(zone_names) / sizeof(zone_names[0]))
#define MOVABLE 4   /* zone_names[MOVABLE] */

struct node_sum {
	unsigned long long online, offline, zone[NZONES];
};

struct mem_sum {
	unsigned long long online_blocks, offline_blocks;
	unsigned long *offline;     /* indexes of the offline blocks */
	size_t noffline;
	struct node_sum node[ZONE_NODES];
	unsigned long nnodes;       /* highest node seen + 1 */
};

static size_t zone_of(const char *valid_zones)
{
	char zone[32];
	size_t i = 0;

	if (parse_zone(valid_zones, zone, sizeof(zone)) < 0)
		return NZONES - 1;
	while (i < NZONES - 1 && strcmp(zone, zone_names[i]) != 0)
		i++;
	return i;
}

static void add_block(struct ctx *c, struct mem_sum *m, unsigned long index)
{
	struct device d;
	char val[64];
	unsigned long node;
	int fd, known_node;
	enum mem_state st;

	device_init(&d, DEV_MEMORY, index);
	if ((fd = open_device(c, &d)) < 0)
		return;
	st = read_attr(fd, "state", val, sizeof(val)) < 0 ? ST_UNKNOWN : parse_state(val);
	known_node = block_node(fd, &node) == 0 && node < ZONE_NODES;
	if (known_node && node >= m->nnodes)
		m->nnodes = node + 1;
	if (st == ST_OFFLINE) {
		m->offline_blocks++;
		m->offline[m->noffline++] = index;
		if (known_node)
			m->node[node].offline += c->block_size;
	} else if (st != ST_UNKNOWN) {   /* going-offline is still online */
		m->online_blocks++;
		if (known_node) {
			m->node[node].online += c->block_size;
			if (read_attr(fd, "valid_zones", val, sizeof(val)) >= 0)
				m->node[node].zone[zone_of(val)] += c->block_size;
		}
	}
	close(fd);
}

/* The text's lists, "32-39,41" or "none", whole (INDEXES_SIZE()). */
static char *list;

static void print_list(const unsigned long *v, size_t n)
{
	format_indexes(v, n, list, INDEXES_SIZE(n));
	fputs(n ? list : "none", stdout);
}

static void print_json_list(const unsigned long *v, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++)
		printf("%s%lu", i ? "," : "", v[i]);
	putchar(']');
}

/* Movable memory in percent of the kernel-zone memory online now (0 when
 * there is none): the figure status always showed, not auto-movable's. */
static unsigned long long percent(const struct node_sum *s)
{
	unsigned long long pct = 0;

	percent_of(s->zone[MOVABLE], s->online - s->zone[MOVABLE], &pct);
	return pct;
}

static void print_size(unsigned long long bytes)
{
	if (bytes && bytes % (1ULL << 30) == 0)
		printf("%llu GiB", bytes >> 30);
	else
		printf("%llu MiB", bytes >> 20);
}

/* The kernel's auto-online knobs, and which of them setup changed. */
static struct knobs knobs_now, knobs_saved;

static void print_kernel_text(const struct knobs *now, const struct knobs *saved)
{
	if (!now->val[K_AUTO_ONLINE][0])
		printf("Kernel auto-online: not available (no auto_online_blocks)\n");
	for (enum knob k = 0; k < NKNOBS; k++) {
		char label[32];

		if (!now->val[k][0])
			continue;
		snprintf(label, sizeof(label), k == K_AUTO_ONLINE ? "Kernel auto-online:" : "  %s:",
			 knob_name(k));
		printf("%-19s %s", label, now->val[k]);
		if (saved->val[k][0])
			printf(" (set by hotplug-online setup, was %s)", saved->val[k]);
		putchar('\n');
	}
	if (now->val[K_AUTO_ONLINE][0] && !now->val[K_POLICY][0])
		printf("  online_policy:    not in this kernel (5.15+): memory = auto-movable "
		       "onlines in a kernel zone\n");
}

static void print_kernel_json(const struct knobs *now, const struct knobs *saved)
{
	const char *sep = "";

	printf(",\"kernel\":{");
	for (enum knob k = 0; k < NKNOBS; k++) {
		printf("%s\"%s\":", k ? "," : "", knob_name(k));
		if (!now->val[k][0])
			printf("null");
		else if (k == K_RATIO)
			printf("%s", now->val[k]);
		else if (k == K_NUMA)
			printf("%s", strcmp(now->val[k], "Y") == 0 ? "true" : "false");
		else
			printf("\"%s\"", now->val[k]);
	}
	printf(",\"set_by_hotplug_online\":{");
	for (enum knob k = 0; k < NKNOBS; k++)
		if (saved->val[k][0]) {
			printf("%s\"%s\":{\"was\":\"%s\"}", sep, knob_name(k), saved->val[k]);
			sep = ",";
		}
	printf("}}");
}

/* Room for a hot-add: the memmap of added memory comes from memory already
 * online unless memmap_on_memory (-1: the kernel has no such parameter). */
static int memmap_on;
static unsigned long long headroom;   /* 0: unknown */
static bool refused;                  /* the kernel's log: it refused a hot-add */

static void load_headroom(struct ctx *c)
{
	unsigned long long avail;

	memmap_on = memmap_on_memory(c);
	if (memmap_on < 0 && memmap_on != -ENOENT)
		memmap_on = -ENOENT;
	headroom = memmap_on != 1 && meminfo("MemAvailable", &avail) == 0 ?
		hotadd_headroom(avail, (unsigned long)getpagesize()) : 0;
	refused = kmsg_says("add_memory failed") == 1;
}

static void print_text(const struct ctx *c, const struct mem_sum *m,
		       const unsigned long *cpu_on, size_t non, const unsigned long *cpu_off, size_t noff)
{
	printf("Memory block size:  ");
	print_size(c->block_size);
	printf("\nMemory online:      ");
	print_size(m->online_blocks * c->block_size);
	printf(" (%llu blocks)\nMemory offline:     ", m->online_blocks);
	print_size(m->offline_blocks * c->block_size);
	printf(" (%llu blocks)\n", m->offline_blocks);
	for (unsigned long n = 0; n < m->nnodes; n++) {
		const struct node_sum *s = &m->node[n];

		if (!s->online && !s->offline)
			continue;
		printf("  node %lu: online ", n);
		print_size(s->online);
		for (size_t z = 0; z < NZONES; z++)
			if (s->zone[z]) {
				printf(", %s ", zone_names[z]);
				print_size(s->zone[z]);
			}
		printf("; offline ");
		print_size(s->offline);
		printf("\n          kernel zones ");
		print_size(s->online - s->zone[MOVABLE]);
		printf(", Movable ");
		print_size(s->zone[MOVABLE]);
		printf(" (%llu%% of kernel zones now)\n", percent(s));
	}
	printf("Offline blocks:     ");
	print_list(m->offline, m->noffline);
	putchar('\n');
	print_kernel_text(&knobs_now, &knobs_saved);
	printf("memmap_on_memory:   %s\n", memmap_on == 1 ? "on (a hot-add brings its own memmap)" :
	       memmap_on == 0 ? "off" : "not in this kernel");
	if (headroom)
		printf("Largest hot-add:    about %llu %s now (its memmap, 64 bytes a page, from "
		       "memory available now)\n", headroom >> (headroom >> 30 ? 30 : 20),
		       headroom >> 30 ? "GiB" : "MiB");
	if (refused)
		printf("The kernel refused a hot-add (its log: 'add_memory failed'): boot with "
		       "memory_hotplug.memmap_on_memory=1 where the kernel has it, or hot-add "
		       "less at a time\n");
	printf("CPUs online:        ");
	print_list(cpu_on, non);
	printf("\nCPUs offline:       ");
	print_list(cpu_off, noff);
	putchar('\n');
}

/* The schema is documented in hotplug-online(8); add keys, never change them. */
static void print_json(const struct ctx *c, const struct mem_sum *m,
		       const unsigned long *cpu_on, size_t non, const unsigned long *cpu_off, size_t noff)
{
	const char *sep = "";

	printf("{\"schema\":2,\"version\":\"%s\",\"block_size_bytes\":%llu,", VERSION, c->block_size);
	printf("\"memory\":{\"online_bytes\":%llu,\"offline_bytes\":%llu,"
	       "\"online_blocks\":%llu,\"offline_blocks\":%llu,\"offline\":",
	       m->online_blocks * c->block_size, m->offline_blocks * c->block_size,
	       m->online_blocks, m->offline_blocks);
	print_json_list(m->offline, m->noffline);
	printf(",\"nodes\":[");
	for (unsigned long n = 0; n < m->nnodes; n++) {
		const struct node_sum *s = &m->node[n];
		const char *zsep = "";

		if (!s->online && !s->offline)
			continue;
		printf("%s{\"node\":%lu,\"online_bytes\":%llu,\"offline_bytes\":%llu,"
		       "\"kernel_bytes\":%llu,\"movable_bytes\":%llu,\"movable_percent\":%llu",
		       sep, n, s->online, s->offline, s->online - s->zone[MOVABLE], s->zone[MOVABLE],
		       percent(s));
		printf(",\"zones\":{");
		for (size_t z = 0; z < NZONES; z++)
			if (s->zone[z]) {
				printf("%s\"%s\":%llu", zsep, zone_names[z], s->zone[z]);
				zsep = ",";
			}
		printf("}}");
		sep = ",";
	}
	printf("]}");
	print_kernel_json(&knobs_now, &knobs_saved);
	printf(",\"memmap_on_memory\":%s,\"max_hot_add_bytes\":", memmap_on == 1 ? "true" :
	       memmap_on == 0 ? "false" : "null");
	printf(headroom ? "%llu" : "null", headroom);
	printf(",\"hot_add_refused\":%s", refused ? "true" : "false");
	printf(",\"cpus\":{\"online\":");
	print_json_list(cpu_on, non);
	printf(",\"offline\":");
	print_json_list(cpu_off, noff);
	printf("}}\n");
}

/* Split the CPUs by their online file, in place: online ones stay in `cpus`
 * (*non of them), offline ones go to `off`.  The boot CPU has no online
 * file and is online. */
static void split_cpus(struct ctx *c, unsigned long *cpus, size_t n, unsigned long *off,
		       size_t *noff, size_t *non)
{
	*non = *noff = 0;
	for (size_t i = 0; i < n; i++) {
		struct device d;
		char val[32];
		int fd, r;

		device_init(&d, DEV_CPU, cpus[i]);
		if ((fd = open_device(c, &d)) < 0)
			continue;
		r = read_attr(fd, "online", val, sizeof(val));
		close(fd);
		if (r == -ENOENT || (r >= 0 && parse_cpu_online(val) == 1))
			cpus[(*non)++] = cpus[i];
		else if (r >= 0 && parse_cpu_online(val) == 0)
			off[(*noff)++] = cpus[i];
	}
}

int status(struct ctx *c, bool json)
{
	static struct mem_sum m;   /* 40 KiB of per-node sums: not on the stack */
	unsigned long *blocks = NULL, *cpus = NULL, *cpu_off = NULL;
	size_t nblocks = 0, ncpus = 0, non = 0, noff = 0;
	enum knob bad;
	int r = 0;

	memset(&m, 0, sizeof(m));
	if (class_dir(c, DEV_MEMORY) >= 0) {
		if (!block_size(c)) {
			say(LOG_ERR, "cannot read a valid 'block_size_bytes'");
			return EXIT_FAIL;
		}
		r = list_devices(c, DEV_MEMORY, &blocks, &nblocks);
	}
	if (r == 0 && !(m.offline = malloc((nblocks + 1) * sizeof(*m.offline))))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < nblocks; i++)
		add_block(c, &m, blocks[i]);
	if (r == 0 && class_dir(c, DEV_CPU) >= 0)
		r = list_devices(c, DEV_CPU, &cpus, &ncpus);
	/* Unreadable knobs or record show as absent: status reports, never fails on them. */
	if (read_knobs(c, &knobs_now, &bad) < 0)
		memset(&knobs_now, 0, sizeof(knobs_now));
	if (read_saved(&knobs_saved) < 0)
		memset(&knobs_saved, 0, sizeof(knobs_saved));
	load_headroom(c);
	if (r == 0 && !(cpu_off = malloc((ncpus + 1) * sizeof(*cpu_off))))
		r = -ENOMEM;
	if (r == 0 && !(list = malloc(INDEXES_SIZE(nblocks + ncpus))))
		r = -ENOMEM;
	if (r == 0) {
		split_cpus(c, cpus, ncpus, cpu_off, &noff, &non);
		if (json)
			print_json(c, &m, cpus, non, cpu_off, noff);
		else
			print_text(c, &m, cpus, non, cpu_off, noff);
		if (fflush(stdout) != 0)
			r = -EIO;
	}
	if (r < 0)
		say(LOG_ERR, "status: cannot read sysfs: %s", strerror(-r));
	free(blocks);
	free(cpus);
	free(m.offline);
	free(cpu_off);
	free(list);
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}
