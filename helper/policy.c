/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Policy as pure functions: inputs in, a decision out, no I/O. */
#include <stdio.h>
#include <string.h>

#include "hotplug-online.h"

/* What `hotplug-online setup` asks of the kernel.  The kernel onlines a
 * hot-added block inside add_memory(), before any udev rule runs, so where
 * it can express the configured policy it is the fastest and only agent;
 * where it cannot, auto_online_blocks = offline keeps it (and the
 * distribution rules racing it) out, and the udev rule decides.
 *   - the command line sets memhp_default_state= or memory_hotplug.* and
 *     the file has no `memory =`: the administrator chose; leave it;
 *   - both: the file wins (it is the more specific choice), said once;
 *   - s390x/ppc64 with skip_s390x_ppc64 = yes: leave it (standby memory
 *     is the administrator's, as the distribution rules treat it). */
void plan_kernel(const struct config *c, const struct kernel_caps *k, struct kernel_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->leave = true;
	if (!k->auto_online)
		snprintf(p->why, sizeof(p->why), "this kernel has no auto_online_blocks: "
			 "the udev rule onlines memory");
	else if (c->skip_arch && k->arch_skip)
		snprintf(p->why, sizeof(p->why), "s390x/ppc64: memory left alone "
			 "(skip_s390x_ppc64 = yes)");
	else if (k->cmdline[0] && !c->memory_set)
		snprintf(p->why, sizeof(p->why), "'%s' on the kernel command line and no "
			 "'memory =' in the configuration: the kernel's setting stands", k->cmdline);
	else
		p->leave = false;
	if (p->leave)
		return;
	p->auto_online = "offline";
	if (!c->kernel_online)
		snprintf(p->why, sizeof(p->why), "kernel_auto_online = no: the udev rule onlines "
			 "memory");
	else if (c->memory == MEM_OFF)
		snprintf(p->why, sizeof(p->why), "memory = off: hot-added memory stays offline");
	else if (k->dax)   /* daxctl refuses to run while the kernel onlines memory */
		snprintf(p->why, sizeof(p->why), "dax, nvdimm or cxl devices here: the udev rule "
			 "onlines memory, so that daxctl reconfigure-device works");
	else if (c->memory == MEM_AUTO && k->policy) {
		p->auto_online = "online";
		p->auto_movable = true;
		snprintf(p->why, sizeof(p->why), "memory = auto-movable: the kernel's policy, "
			 "ratio %u%%, NUMA-aware %s", c->movable_ratio, c->numa_aware ? "yes" : "no");
	} else if (c->memory == MEM_AUTO) {
		p->auto_online = "online";
		snprintf(p->why, sizeof(p->why), "memory = auto-movable: this kernel has no "
			 "memory_hotplug.online_policy (5.15+): hot-added memory goes online in a "
			 "kernel zone");
	} else {
		p->auto_online = policy_name(c->memory);
		p->fallback = c->memory != MEM_ONLINE;
		snprintf(p->why, sizeof(p->why), "memory = %s: the kernel onlines it",
			 policy_name(c->memory));
	}
}

/* How the helper onlines an offline block: the type to write, or NULL to
 * leave it offline, with why.  Without a `memory =` line the command line
 * decides: memhp_default_state= says how (its "offline" is a choice), a
 * memory_hotplug.* policy word means "online" under that policy. */
const char *plan_block(const struct config *c, const char *cmdline, char *why, size_t size)
{
	static const char *const types[] = { "online", "online_kernel", "online_movable" };
	const char *v = cmdline + 20;

	if (!c->memory_set && strncmp(cmdline, "memhp_default_state=", 20) == 0) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(v, types[i]) == 0)
				return types[i];
		/* Any other value the kernel ignores: no choice was made. */
		if (strcmp(v, "offline") == 0) {
			snprintf(why, size, "left offline ('%s' on the kernel command line)", cmdline);
			return NULL;
		}
	}
	if (c->memory == MEM_OFF) {
		snprintf(why, size, "left offline (memory = off)");
		return NULL;
	}
	/* auto-movable: the kernel's online_policy, set by setup, picks the zone. */
	return c->memory == MEM_AUTO ? "online" : policy_name(c->memory);
}

/* The kernel refused `refused` (online_movable or online_kernel) for an
 * offline block whose valid_zones reads `valid_zones` ("" when unknown):
 * may we write plain "online" instead?  An offline block lists the zones
 * it may go to, the one "online" picks first (4.4 and later).  A refused
 * online_movable may land anywhere: a kernel zone is always within the
 * ratio.  A refused online_kernel may only land in a kernel zone: its
 * decision excluded Movable, and a kernel that refused online_kernel has,
 * as far as it says, no kernel zone for the block now. */
bool plan_fallback(const char *refused, const char *valid_zones, char *why, size_t size)
{
	char zones[8][16];
	int n = parse_zone_list(valid_zones, zones, 8);
	bool any = strcmp(refused, "online_kernel") != 0;
	bool ok = any || (n > 0 && strcmp(zones[0], "Movable") != 0 && strcmp(zones[0], "none") != 0);

	if (n <= 0)
		snprintf(why, size, "%s", any ? "onlining as online instead (no valid_zones: the "
			 "kernel picks the zone)" : "left offline: no valid_zones says where online "
			 "would put it, and online_kernel excludes Movable");
	else
		snprintf(why, size, ok ? "onlining as online instead, into its default zone %s "
			 "(valid_zones '%s')" : "left offline: online would put it in %s (valid_zones "
			 "'%s'), which online_kernel excludes", zones[0], valid_zones);
	return ok;
}

/* part in percent of whole, rounded down; false when whole is 0. */
bool percent_of(unsigned long long part, unsigned long long whole, unsigned long long *pct)
{
	if (whole == 0)
		return false;
	*pct = part > ~0ULL / 100 ? part / whole * 100 : part * 100 / whole;
	return true;
}

/* The share of RAM, in percent, that a tmpfs of `pages` pages was given
 * when RAM was total_pages: mm/shmem.c turns size=N% into
 * DIV_ROUND_UP(N * total * PAGE_SIZE / 100, PAGE_SIZE) pages, and no
 * size= into total / 2.  0: no whole percentage gives it (an absolute
 * size, set on purpose). */
unsigned tmpfs_share(unsigned long long pages, unsigned long long total_pages, unsigned long ps)
{
	if (total_pages == 0 || total_pages > ~0ULL / 100 / ps)
		return 0;
	if (pages == total_pages / 2)
		return 50;
	for (unsigned pct = 1; pct <= 100; pct++)
		if (pages == (pct * total_pages * ps / 100 + ps - 1) / ps)
			return pct;
	return 0;
}

/* The largest hot-add the memory available now can take a memmap for
 * without memmap_on_memory: sizeof(struct page) (64 bytes on 64-bit
 * kernels: an estimate, not read from the kernel) per page added. */
unsigned long long hotadd_headroom(unsigned long long available, unsigned long ps)
{
	return available / 64 * ps;
}
