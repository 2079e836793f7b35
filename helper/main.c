/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hotplug-online: online hot-added memory blocks and CPUs.  See
 * hotplug-online(8). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

static const char usage[] =
	"Usage: hotplug-online [OPTIONS] udev\n"
	"       hotplug-online [OPTIONS] online [--dry-run] [DEVICE...]\n"
	"       hotplug-online [OPTIONS] status [--json]\n"
	"       hotplug-online [OPTIONS] setup [--dry-run]\n"
	"       hotplug-online [OPTIONS] restore\n"
	"       hotplug-online [OPTIONS] log\n"
	"\n"
	"Online hot-added memory blocks and CPUs.\n"
	"\n"
	"Commands:\n"
	"  udev             act on the udev event (ACTION, DEVPATH): online a\n"
	"                   hot-added device\n"
	"  online           online each DEVICE (memory42, cpu3 or a DEVPATH), or\n"
	"                   with none, every offline memory block and CPU\n"
	"  status           block size, memory and CPUs online and offline\n"
	"  setup            program the kernel's own auto-online from the configuration\n"
	"  restore          put back the kernel settings setup changed this boot\n"
	"  log              stay, log each online/offline transition of memory and\n"
	"                   CPUs, repair a failed auto-online (hotplug-online-log.service)\n"
	"\n"
	"Options:\n"
	"      --sysfs DIR    sysfs root (default /sys)\n"
	"      --config FILE  configuration file (default " SYSCONFDIR "/hotplug-online.conf)\n"
	"  -n, --dry-run      online, setup: show what would be done, change nothing\n"
	"      --json         status: machine-readable output\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"Exit status: 0 all online, 1 failure, 2 bad usage or input, 64 partial success.\n"
	"See hotplug-online(8).\n";

struct args {
	const char *cmd, *sysfs, *config;
	bool dry_run, json, help, version;
	char **operands;
	int noperands;
	char error[160];
};

/* The first error wins: "<before>'<what>'<after>". */
static void set_error(struct args *a, const char *before, const char *what, const char *after)
{
	char buf[80];

	if (!a->error[0])
		snprintf(a->error, sizeof(a->error), "%s'%s'%s", before,
			 shown(what, buf, sizeof(buf)), after);
}

/* --opt VALUE or --opt=VALUE; advances *i past a separate value. */
static const char *opt_value(struct args *a, int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);
	const char *v;

	if (argv[*i][len] == '=')
		v = argv[*i] + len + 1;
	else if (*i + 1 < argc)
		v = argv[++*i];
	else
		v = "";
	if (!*v)
		set_error(a, "option ", name, " needs a value");
	return v;
}

static bool is_opt(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return strncmp(arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

static void parse_args(struct args *a, int argc, char **argv)
{
	bool opts = true;

	a->sysfs = "/sys";
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (opts && strcmp(s, "--") == 0)
			opts = false;
		else if (opts && (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0))
			a->help = true;
		else if (opts && (strcmp(s, "-V") == 0 || strcmp(s, "--version") == 0))
			a->version = true;
		else if (opts && (strcmp(s, "-n") == 0 || strcmp(s, "--dry-run") == 0))
			a->dry_run = true;
		else if (opts && strcmp(s, "--json") == 0)
			a->json = true;
		else if (opts && is_opt(s, "--sysfs"))
			a->sysfs = opt_value(a, argc, argv, &i, "--sysfs");
		else if (opts && is_opt(s, "--config"))
			a->config = opt_value(a, argc, argv, &i, "--config");
		else if (opts && s[0] == '-' && s[1] != '\0')
			set_error(a, "unknown option ", s, "");
		else if (!a->cmd)
			a->cmd = s;
		else   /* operands move down over the options: argv is ours */
			argv[a->noperands++] = argv[i];
	}
	if (a->help || a->version || a->error[0])
		return;
	if (!a->cmd)
		snprintf(a->error, sizeof(a->error), "no command given");
	else if (strcmp(a->cmd, "udev") && strcmp(a->cmd, "online") && strcmp(a->cmd, "status") &&
		 strcmp(a->cmd, "setup") && strcmp(a->cmd, "restore") && strcmp(a->cmd, "log"))
		set_error(a, "unknown command ", a->cmd, "");
	else if (a->dry_run && strcmp(a->cmd, "online") && strcmp(a->cmd, "setup"))
		set_error(a, "--dry-run works only with 'online' and 'setup', not ", a->cmd, "");
	else if (a->json && strcmp(a->cmd, "status"))
		set_error(a, "--json works only with 'status', not ", a->cmd, "");
	else if (a->noperands && strcmp(a->cmd, "online"))
		set_error(a, "unexpected argument ", a->operands[0], "");
}

static int bad_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_input(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say(LOG_ERR, "%s", msg);
	return EXIT_USAGE;
}

/* udev runs us on a memory or CPU `add` (the rule says which); other
 * actions are not ours: the log service logs online and offline. */
static int cmd_udev(struct ctx *c)
{
	const struct uevent ev = { .action = getenv("ACTION"), .devpath = getenv("DEVPATH"),
				   .subsystem = getenv("SUBSYSTEM"),
				   .synth_uuid = getenv("SYNTH_UUID") };
	char why[256];
	struct device d;
	enum action act;

	if (parse_event(&ev, &d, &act, why, sizeof(why)) < 0)
		return bad_input("%s", why);
	if (act != ACT_ADD)
		return EXIT_OK;
	/* Written to a uevent file (udevadm trigger, a boot's coldplug): a
	 * replay, not a hot-add (kernels from 4.13 mark it).  A replayed CPU
	 * is one the kernel or an administrator left offline. */
	c->why = ev.synth_uuid ? BY_REPLAY : BY_UDEV;
	if (d.type == DEV_CPU && ev.synth_uuid)
		return EXIT_OK;
	switch (online_device(c, &d)) {
	case OUT_FAILED: return EXIT_FAIL;
	case OUT_BAD:    return EXIT_USAGE;
	default:         return EXIT_OK;
	}
}

/* Devices left alone on purpose count neither way, and a sweep counts
 * only the devices it had to act on. */
static void count(enum outcome o, const struct ctx *c, size_t *ok, size_t *bad)
{
	if (o == OUT_FAILED)
		(*bad)++;
	else if (o == OUT_ONLINED || (o == OUT_ALREADY && c->why != BY_SWEEP))
		(*ok)++;
}

/* Over several devices: all good 0, none good 1, some 64. */
static int exit_code(size_t ok, size_t bad)
{
	return bad == 0 ? EXIT_OK : ok == 0 ? EXIT_FAIL : EXIT_PARTIAL;
}

/* Every offline memory block, ascending, then every offline CPU. */
static int sweep(struct ctx *c)
{
	static const enum devtype order[] = { DEV_MEMORY, DEV_CPU };
	size_t ok = 0, bad = 0;

	c->why = BY_SWEEP;
	for (size_t t = 0; t < 2; t++) {
		unsigned long *v;
		size_t n;
		int e = list_devices(c, order[t], &v, &n);

		if (e < 0 && e != -ENOENT) {   /* ENOENT: no memory hotplug, or no CPUs */
			say(LOG_ERR, "cannot list %s devices: %s",
			    order[t] == DEV_MEMORY ? "memory" : "cpu", strerror(-e));
			bad++;
		}
		for (size_t i = 0; i < n; i++) {
			struct device d;

			device_init(&d, order[t], v[i]);
			count(online_device(c, &d), c, &ok, &bad);
		}
		free(v);
	}
	return exit_code(ok, bad);
}

static int cmd_online(struct ctx *c, char **names, int n)
{
	struct device d;
	size_t ok = 0, bad = 0;
	char b[80];

	if (n == 0)
		return sweep(c);
	c->why = BY_ADMIN;
	/* All names are checked before any device is touched. */
	for (int i = 0; i < n; i++)
		if (parse_device(names[i], &d) < 0 && parse_devpath(names[i], &d) < 0)
			return bad_input("invalid device '%s': expected memory<N>, cpu<N> or a DEVPATH",
					 shown(names[i], b, sizeof(b)));
	for (int i = 0; i < n; i++) {
		if (parse_device(names[i], &d) < 0)
			parse_devpath(names[i], &d);
		count(online_device(c, &d), c, &ok, &bad);
	}
	return exit_code(ok, bad);
}

int main(int argc, char **argv)
{
	struct args a = { .operands = argv };
	struct ctx c = { .root = -1 };
	const char *config;
	bool udev;
	char b[80];
	int r;

	parse_args(&a, argc, argv);
	if (a.help || a.version) {
		fputs(a.help ? usage : "hotplug-online " VERSION "\n", stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	log_setup(a.cmd && (strcmp(a.cmd, "udev") == 0 || strcmp(a.cmd, "log") == 0) ? LOG_TO_SYSLOG :
		  a.cmd && strcmp(a.cmd, "status") != 0 && !a.dry_run ? LOG_TO_SYSLOG | LOG_TO_STDOUT :
		  LOG_TO_STDOUT);
	if (a.error[0] || !a.cmd) {
		say(LOG_ERR, "%s", a.error);
		fputs("Try 'hotplug-online --help' for more information.\n", stderr);
		return EXIT_USAGE;
	}
	udev = strcmp(a.cmd, "udev") == 0;
	c.dry_run = a.dry_run;
	config_defaults(&c.cfg);
	config = a.config ? a.config : SYSCONFDIR "/hotplug-online.conf";
	/* udev and the log service: a typo must not leave RAM offline, so go
	 * on with defaults.  An administrator at a terminal fixes the file. */
	if (strcmp(a.cmd, "status") != 0 && strcmp(a.cmd, "restore") != 0 &&
	    config_load(&c.cfg, config, a.config != NULL) != 0 && !udev &&
	    strcmp(a.cmd, "log") != 0)
		return EXIT_USAGE;
	r = sysfs_open(&c, a.sysfs);
	if (r < 0) {
		say(LOG_ERR, "cannot open sysfs root '%s': %s", shown(a.sysfs, b, sizeof(b)),
		    strerror(-r));
		return EXIT_USAGE;
	}
	/* One check for online and status, so a wrong --sysfs is an error for
	 * both, before anything is read or written.  udev always has the real
	 * /sys, where a missing device directory means it was removed; setup
	 * and restore look at module parameters too. */
	if ((strcmp(a.cmd, "online") == 0 || strcmp(a.cmd, "status") == 0) &&
	    class_dir(&c, DEV_MEMORY) < 0 && class_dir(&c, DEV_CPU) < 0) {
		say(LOG_ERR, "'%s' is not a sysfs tree: no devices/system/memory or "
		    "devices/system/cpu", shown(a.sysfs, b, sizeof(b)));
		return EXIT_USAGE;
	}
	/* Unreadable: as if it said nothing, so that no RAM stays offline. */
	if (udev || strcmp(a.cmd, "online") == 0 || strcmp(a.cmd, "log") == 0)
		load_cmdline(&c);
	if (udev)
		r = cmd_udev(&c);
	else if (strcmp(a.cmd, "online") == 0)
		r = cmd_online(&c, a.operands, a.noperands);
	else if (strcmp(a.cmd, "setup") == 0)
		r = cmd_setup(&c);
	else if (strcmp(a.cmd, "restore") == 0)
		r = cmd_restore(&c);
	else if (strcmp(a.cmd, "log") == 0)
		r = cmd_log(&c, config);
	else
		r = status(&c, a.json);
	if (fflush(stdout) != 0 && r == EXIT_OK)
		r = EXIT_FAIL;
	return r;
}
