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
