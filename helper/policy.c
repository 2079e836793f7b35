/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Policy as pure functions: inputs in, a decision out, no I/O. */
#include <stdio.h>
#include <string.h>

#include "hotplug-online.h"

const char *knob_name(enum knob k)
{
	static const char *const names[NKNOBS] = {
		[K_AUTO_ONLINE] = "auto_online_blocks", [K_POLICY] = "online_policy",
		[K_RATIO] = "auto_movable_ratio", [K_NUMA] = "auto_movable_numa_aware",
	};

	return names[k];
}

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
	if (!k->auto_online) {
		p->leave = true;
		snprintf(p->why, sizeof(p->why), "this kernel has no auto_online_blocks: "
			 "the udev rule onlines memory");
		return;
	}
	if (c->skip_arch && k->arch_skip) {
		p->leave = true;
		snprintf(p->why, sizeof(p->why), "s390x/ppc64: memory left alone "
			 "(skip_s390x_ppc64 = yes)");
		return;
	}
	if (k->cmdline[0] && !c->memory_set) {
		p->leave = true;
		snprintf(p->why, sizeof(p->why), "'%s' on the kernel command line and no "
			 "'memory =' in the configuration: the kernel's setting stands", k->cmdline);
		return;
	}
	p->conflict = k->cmdline[0] && c->memory_set;
	if (!c->kernel_online) {
		p->auto_online = "offline";
		snprintf(p->why, sizeof(p->why), "kernel_auto_online = no: the udev rule decides");
		return;
	}
	switch (c->memory) {
	case MEM_ONLINE:
		p->auto_online = "online";
		snprintf(p->why, sizeof(p->why), "memory = online: the kernel onlines it");
		break;
	case MEM_MOVABLE:
	case MEM_KERNEL:
		p->auto_online = policy_name(c->memory);
		p->fallback = true;
		snprintf(p->why, sizeof(p->why), "memory = %s: the kernel onlines it; a kernel "
			 "that takes only online/offline leaves it to the udev rule",
			 policy_name(c->memory));
		break;
	case MEM_AUTO:
		if (k->policy) {
			p->auto_online = "online";
			p->auto_movable = true;
			snprintf(p->why, sizeof(p->why), "memory = auto-movable: the kernel's own "
				 "policy, ratio %u%%, NUMA-aware %s", c->movable_ratio,
				 c->numa_aware ? "yes" : "no");
		} else {
			p->auto_online = "offline";
			snprintf(p->why, sizeof(p->why), "memory = auto-movable: this kernel has no "
				 "online_policy (5.15+): the udev rule decides");
		}
		break;
	case MEM_OFF:
		p->auto_online = "offline";
		snprintf(p->why, sizeof(p->why), "memory = off: hot-added memory stays offline");
		break;
	}
}

static unsigned long long mib(unsigned long long pages, unsigned long long page_size)
{
	return pages * page_size >> 20;
}

/* ratio * pages / 100 exactly, as the kernel computes it, saturating where
 * it would not fit (a snapshot may hold any number). */
static unsigned long long ratio_of(unsigned ratio, unsigned long long pages)
{
	unsigned long long q = pages / 100, extra = pages % 100 * ratio / 100;

	if (ratio == 0)
		return 0;
	return q > (~0ULL - extra) / ratio ? ~0ULL : q * ratio + extra;
}

static bool fits(unsigned long long movable, unsigned long long nr, unsigned long long limit)
{
	return nr <= limit && movable <= limit - nr;
}

/* mm/memory_hotplug.c, auto_movable_zone_for_pfn() for a static memory
 * group (an ACPI memory device): if any of its memory is in a kernel zone,
 * the rest follows; else Movable if movable memory now plus all of the
 * device that is not yet in Movable stays within ratio percent of the
 * kernel-zone pages present at boot (CMA counted as movable), over the
 * machine and, when NUMA-aware, on the block's node.  The kernel asks this
 * at each block, counting the device's online Movable blocks on both
 * sides; nobody interfering, every block of a device gets the answer its
 * first one got. */
bool am_movable(const struct am_inputs *in, char *how, size_t size)
{
	unsigned long long nr = in->unit_pages, ps = in->page_size, limit;
	bool ok;
	int n;

	if (in->unit_kernel) {
		snprintf(how, size, "its device already has kernel-zone memory");
		return false;
	}
	limit = ratio_of(in->ratio, in->boot->kernel_total);
	ok = fits(in->now->movable_total, nr, limit);
	n = snprintf(how, size, "%llu+%llu MiB movable %s %u%% of %llu MiB kernel",
		     mib(in->now->movable_total, ps), mib(nr, ps), ok ? "within" : "exceeds",
		     in->ratio, mib(in->boot->kernel_total, ps));
	if (ok && in->numa && in->node < ZONE_NODES && n > 0 && (size_t)n < size) {
		limit = ratio_of(in->ratio, in->boot->kernel[in->node]);
		ok = fits(in->now->movable[in->node], nr, limit);
		snprintf(how + n, size - (size_t)n,
			 "; node %lu: %llu+%llu MiB %s %u%% of %llu MiB kernel", in->node,
			 mib(in->now->movable[in->node], ps), mib(nr, ps), ok ? "within" : "exceeds",
			 in->ratio, mib(in->boot->kernel[in->node], ps));
	}
	return ok;
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

/* Before 4.13 a hot-added block belongs to ZONE_NORMAL from the moment it
 * is added, and online_movable moves it only when it is the highest block
 * of Normal, next to ZONE_MOVABLE (Documentation/memory-hotplug.txt:
 * "this memory block must be adjacent to ZONE_MOVABLE").  From 4.13 ("mm,
 * memory_hotplug: do not associate hotadded memory to zones until online")
 * any offline block may go either way. */
bool movable_anywhere(unsigned long major, unsigned long minor)
{
	return major > 4 || (major == 4 && minor >= 13);
}

/* part in percent of whole, rounded down; false when whole is 0. */
bool percent_of(unsigned long long part, unsigned long long whole, unsigned long long *pct)
{
	if (whole == 0)
		return false;
	*pct = part > ~0ULL / 100 ? part / whole * 100 : part * 100 / whole;
	return true;
}
