/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hotplug-online setup` and `restore`: the kernel's own auto-online,
 * programmed from the configuration (plan_kernel() decides), with the
 * values it replaced recorded in /run so that `restore` (the package's
 * removal) puts them back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

/* Policy knobs first: the kernel does not expect ratio and NUMA to change
 * under an enabled policy, and auto_online_blocks turns it all on. */
static const enum knob write_order[NKNOBS] = { K_RATIO, K_NUMA, K_POLICY, K_AUTO_ONLINE };

/* A bad knob or record is bad input: say which, write nothing. */
static int inputs(struct ctx *c, struct knobs *now, struct knobs *saved)
{
	enum knob bad;
	int r = read_knobs(c, now, &bad);

	if (r == -EBADMSG) {
		say(LOG_ERR, "'%s' holds a value the kernel never writes: nothing changed",
		    knob_name(bad));
		return EXIT_USAGE;
	}
	if (r < 0) {
		say(LOG_ERR, "cannot read '%s': %s", knob_name(bad), strerror(-r));
		return EXIT_FAIL;
	}
	r = read_saved(saved);
	if (r < 0) {
		say(LOG_ERR, "'" RUNDIR "/" RECORD "': %s: nothing changed", r == -EBADMSG ? "unexpected contents" : strerror(-r));
		return r == -EBADMSG ? EXIT_USAGE : EXIT_FAIL;
	}
	return EXIT_OK;
}

static void kernel_caps(struct ctx *c, const struct knobs *now, struct kernel_caps *k)
{
	memset(k, 0, sizeof(*k));
	k->auto_online = now->val[K_AUTO_ONLINE][0] != '\0';
	k->policy = now->val[K_POLICY][0] != '\0';
	k->arch_skip = arch_skips_memory();
	k->dax = has_devices(c, "dax") || has_devices(c, "nd") || has_devices(c, "cxl");
	k->cmdline = c->cmdline_memory;
}

/* Set knob k to val, recording what it held first. */
static int set_knob(struct ctx *c, enum knob k, const char *val, struct knobs *now,
		    struct knobs *saved, const char *note)
{
	int r;

	if (strcmp(now->val[k], val) == 0) {
		printf("%s: %s (unchanged)\n", knob_name(k), val);
		return 0;
	}
	if (c->dry_run) {
		printf("%s: would set %s (now %s)%s\n", knob_name(k), val, now->val[k], note);
		return 0;
	}
	if (!saved->val[k][0]) {
		strcpy(saved->val[k], now->val[k]);
		r = write_saved(saved);
		if (r < 0) {
			say(LOG_ERR, "cannot record '%s' before changing it: %s", knob_name(k),
			    strerror(-r));
			return r;
		}
	}
	r = write_knob(c, k, val);
	if (r < 0)
		return r;
	say(LOG_INFO, "%s: %s (was %s)%s", knob_name(k), val, now->val[k], note);
	snprintf(now->val[k], sizeof(now->val[k]), "%s", val);
	return 0;
}

/* Put knob k back to what setup found, and forget it. */
static int put_back(struct ctx *c, enum knob k, struct knobs *now, struct knobs *saved)
{
	int r = 0;

	if (!saved->val[k][0])
		return 0;
	if (c->dry_run) {
		printf("%s: would put back %s (now %s)\n", knob_name(k), saved->val[k], now->val[k]);
		return 0;
	}
	if (strcmp(now->val[k], saved->val[k]) != 0 && now->val[k][0])
		r = write_knob(c, k, saved->val[k]);
	if (r < 0)
		return r;
	if (now->val[k][0] && strcmp(now->val[k], saved->val[k]) != 0)
		say(LOG_INFO, "%s: %s (put back, was %s)", knob_name(k), saved->val[k], now->val[k]);
	saved->val[k][0] = '\0';
	return write_saved(saved);
}

static int failed_knob(enum knob k, int r)
{
	say(LOG_ERR, "cannot set '%s': %s", knob_name(k), strerror(-r));
	return EXIT_FAIL;
}

int cmd_setup(struct ctx *c)
{
	struct knobs now, saved, want = { 0 };
	struct kernel_caps caps;
	struct kernel_plan plan;
	int r = inputs(c, &now, &saved);

	if (r != EXIT_OK)
		return r;
	/* Unreadable, it might hold the administrator's choice: write nothing. */
	if (load_cmdline(c) < 0)
		return EXIT_USAGE;
	kernel_caps(c, &now, &caps);
	plan_kernel(&c->cfg, &caps, &plan);
	say(LOG_INFO, "%s", plan.why);
	if (caps.cmdline[0] && c->cfg.memory_set)   /* shown() already */
		say(LOG_NOTICE, "memory = %s in the configuration overrides '%s' on the kernel "
		    "command line", policy_name(c->cfg.memory), caps.cmdline);
	if (plan.auto_online)
		snprintf(want.val[K_AUTO_ONLINE], KNOB_LEN, "%s", plan.auto_online);
	if (plan.auto_movable) {
		snprintf(want.val[K_RATIO], KNOB_LEN, "%u", c->cfg.movable_ratio);
		snprintf(want.val[K_NUMA], KNOB_LEN, "%s", c->cfg.numa_aware ? "Y" : "N");
		snprintf(want.val[K_POLICY], KNOB_LEN, "auto-movable");
	}
	for (size_t i = 0; i < NKNOBS; i++) {
		enum knob k = write_order[i];

		if (want.val[k][0])
			r = set_knob(c, k, want.val[k], &now, &saved,
				     k == K_AUTO_ONLINE && plan.fallback && c->dry_run ?
				     "; offline if the kernel takes only online/offline there" : "");
		else
			r = put_back(c, k, &now, &saved);
		if (r == -EINVAL && k == K_AUTO_ONLINE && plan.fallback) {
			printf("%s: the kernel takes only online/offline there\n", knob_name(k));
			r = set_knob(c, k, "offline", &now, &saved, ": the udev rule decides");
		}
		if (r < 0)
			return failed_knob(k, r);
	}
	return EXIT_OK;
}

int cmd_restore(struct ctx *c)
{
	struct knobs now, saved;
	int r = inputs(c, &now, &saved), bad = 0;

	if (r != EXIT_OK)
		return r;
	for (size_t i = 0; i < NKNOBS; i++) {
		r = put_back(c, write_order[NKNOBS - 1 - i], &now, &saved);
		if (r < 0 && !bad++)
			failed_knob(write_order[NKNOBS - 1 - i], r);
	}
	return bad ? EXIT_FAIL : EXIT_OK;
}
