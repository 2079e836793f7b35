/* SPDX-License-Identifier: GPL-2.0-or-later */
/* After a burst of hot-added memory and CPUs is online, the workloads get
 * them: cgroup v1 cpusets that held every CPU (node) get the new ones,
 * tmpfs sized as a share of RAM keeps its share, and hooks.d runs.  The
 * log service runs this in a child of its own, off the onlining path:
 * nothing waits for it, and what it does cannot stop the logging. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

#define HOOKS SYSCONFDIR "/hotplug-online/hooks.d"
#define MAX_DEPTH 32

/* A cpuset to write: its path below the mount, its new cpus and mems ("" to leave). */
struct grown {
	char path[256], vals[2][512];
};

struct walk {
	const struct burst *b;
	const char *cpus_file, *mems_file;
	unsigned long before_cpus[BITMAP_LONGS(MAX_CPUS)], before_nodes[BITMAP_LONGS(MAX_NODES)];
	struct grown *grown;         /* parents first */
	size_t n, cap;
};

static void add_bits(unsigned long *to, const unsigned long *from, unsigned long max)
{
	for (size_t i = 0; i < BITMAP_LONGS(max); i++)
		to[i] |= from[i];
}

static bool holds(const unsigned long *set, const unsigned long *all, unsigned long max)
{
	bool any = false;

	for (size_t i = 0; i < BITMAP_LONGS(max); i++) {
		if (all[i] & ~set[i])
			return false;
		any |= all[i] != 0;
	}
	return any;
}

/* One list of a cpuset: grown by `add` when it held all of `before`, into
 * out ("" when not).  -EBADMSG (said) for contents no kernel writes. */
static int grow(int dir, const char *path, const char *file, const unsigned long *before,
		const unsigned long *add, unsigned long max, char *out, size_t size)
{
	unsigned long bits[BITMAP_LONGS(MAX_CPUS)];
	char val[512], b[300];
	int r = read_attr(dir, file, val, sizeof(val));

	out[0] = '\0';
	if (r >= 0 && parse_list(val, bits, max) < 0)
		r = -EBADMSG;
	if (r < 0) {
		say(LOG_ERR, "cpusets: '%s/%s': %s: nothing changed", shown(path, b, sizeof(b)),
		    file, r == -EBADMSG ? "unexpected contents" : strerror(-r));
		return -EBADMSG;
	}
	if (holds(bits, before, max)) {
		add_bits(bits, add, max);
		format_list(bits, max, out, size);
		if (strcmp(out, val) == 0)
			out[0] = '\0';
	}
	return 0;
}

/* Every cpuset below dir, parents first, into w: those that grow. */
static int walk(struct walk *w, int dir, const char *path, int depth)
{
	DIR *d = depth > MAX_DEPTH ? NULL : fdopendir(dup(dir));
	struct dirent *e;
	int r = 0;

	if (!d)
		return depth > MAX_DEPTH ? 0 : -errno;
	rewinddir(d);
	while (r == 0 && (e = readdir(d))) {
		struct grown g;
		int fd;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
		    (size_t)snprintf(g.path, sizeof(g.path), "%s/%s", path, e->d_name) >= sizeof(g.path) ||
		    (fd = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		r = grow(fd, g.path, w->cpus_file, w->before_cpus, w->b->cpus, MAX_CPUS, g.vals[0], 512);
		if (r == 0)
			r = grow(fd, g.path, w->mems_file, w->before_nodes, w->b->new_nodes, MAX_NODES,
				 g.vals[1], 512);
		if (r == 0 && (g.vals[0][0] || g.vals[1][0])) {
			if (w->n == w->cap) {
				size_t cap = w->cap ? w->cap * 2 : 64;
				struct grown *p = realloc(w->grown, cap * sizeof(*p));

				if (p) {
					w->grown = p;
					w->cap = cap;
				} else {
					r = -ENOMEM;
				}
			}
			if (r == 0) {
				w->grown[w->n++] = g;
				/* A child cannot hold what its parent lacks: only a
				 * cpuset that grows can have children that do. */
				r = walk(w, fd, g.path, depth + 1);
			}
		}
		close(fd);
	}
	closedir(d);
	return r;
}

/* cgroup v1 cpusets (cgroup v2 needs nothing: a cgroup whose cpuset.cpus
 * is empty follows its parent's effective CPUs; one that is set was set on
 * purpose). */
static int cpusets(struct ctx *c, const struct burst *b, const struct mount *mounts, size_t n)
{
	struct walk w = { .b = b };
	unsigned long online[BITMAP_LONGS(MAX_CPUS)];
	char val[4096], cpus[512], nodes[512];
	const struct mount *m = NULL;
	int root, r;
	size_t ok = 0;

	for (size_t i = 0; i < n && !m; i++)
		if (strcmp(mounts[i].fstype, "cgroup") == 0 && has_option(mounts[i].super, "cpuset"))
			m = &mounts[i];
	if (!m)
		return EXIT_OK;
	/* Before the burst: online now but for its CPUs; nodes with memory then. */
	if (read_attr(class_dir(c, DEV_CPU), "online", val, sizeof(val)) < 0 ||
	    parse_list(val, online, MAX_CPUS) < 0) {
		say(LOG_ERR, "cpusets: cannot read the online CPUs: nothing changed");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < BITMAP_LONGS(MAX_CPUS); i++)
		w.before_cpus[i] = online[i] & ~b->cpus[i];
	memcpy(w.before_nodes, b->nodes_before, sizeof(w.before_nodes));
	w.cpus_file = has_option(m->super, "noprefix") ? "cpus" : "cpuset.cpus";
	w.mems_file = has_option(m->super, "noprefix") ? "mems" : "cpuset.mems";
	if ((root = open(m->point, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return EXIT_FAIL;
	r = walk(&w, root, "", 0);
	/* Written only once every cpuset read well, parents first. */
	for (size_t i = 0; r == 0 && i < w.n; i++) {
		int fd = open_path(root, w.grown[i].path + 1), e = fd;

		for (int k = 0; fd >= 0 && k < 2 && e >= 0; k++)
			if (w.grown[i].vals[k][0])
				e = write_attr(fd, k ? w.mems_file : w.cpus_file, w.grown[i].vals[k]);
		if (fd >= 0)
			close(fd);
		if (e < 0)
			say(LOG_ERR, "cpusets: '%s%s': %s", m->point, w.grown[i].path, strerror(-e));
		else
			ok++;
	}
	close(root);
	format_list(b->cpus, MAX_CPUS, cpus, sizeof(cpus));
	format_list(b->new_nodes, MAX_NODES, nodes, sizeof(nodes));
	if (ok && cpus[0] && nodes[0])
		say(LOG_INFO, "cpusets: %zu of %s get CPUs '%s' and nodes '%s'", ok, m->point, cpus,
		    nodes);
	else if (ok)   /* CPUs alone, or memory on a new node alone */
		say(LOG_INFO, "cpusets: %zu of %s get %s '%s'", ok, m->point,
		    cpus[0] ? "CPUs" : "nodes", cpus[0] ? cpus : nodes);
	free(w.grown);
	return r < 0 ? EXIT_USAGE : ok < w.n ? EXIT_FAIL : EXIT_OK;
}

/* The mount flags a remount must repeat, from the mount's options. */
static unsigned long mount_flags(const char *o)
{
	static const struct { const char *opt; unsigned long flag; } f[] = {
		{ "ro", MS_RDONLY }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV },
		{ "noexec", MS_NOEXEC }, { "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
		{ "relatime", MS_RELATIME },
	};
	unsigned long flags = 0;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (has_option(o, f[i].opt))
			flags |= f[i].flag;
	return flags & (MS_NOATIME | MS_RELATIME) ? flags : flags | MS_STRICTATIME;
}

/* tmpfs whose size (and nr_inodes) was a share of RAM keeps that share.
 * Only ever grown, so never below what is in use. */
static int tmpfs(const struct burst *b, const struct mount *mounts, size_t n)
{
	unsigned long ps = (unsigned long)getpagesize();
	unsigned long long total, before = b->memtotal / ps, now;
	char line[1024] = "";
	int bad = 0;

	if (meminfo("MemTotal", &total) < 0)
		return EXIT_FAIL;
	now = total / ps;
	for (size_t i = 0; i < n; i++) {
		const struct mount *m = &mounts[i];
		unsigned long long size, inodes;
		unsigned pct;
		char data[64], b1[200];
		size_t o = strlen(line);

		/* No size= shown: the kernel's default, half of RAM now. */
		if (strcmp(m->fstype, "tmpfs") != 0 || option_number(m->super, "size=", &size) < 0 ||
		    !(pct = tmpfs_share(size / ps, before, ps)) ||
		    (pct * now * ps / 100 + ps - 1) / ps <= size / ps)
			continue;
		snprintf(data, sizeof(data), "size=%u%%", pct);
		if (option_number(m->super, "nr_inodes=", &inodes) == 0 && inodes == before / 2)
			snprintf(data + strlen(data), sizeof(data) - strlen(data), ",nr_inodes=%llu",
				 now / 2);
		if (mount(m->source, m->point, "tmpfs", MS_REMOUNT | mount_flags(m->options),
			  data) < 0) {
			say(LOG_ERR, "tmpfs: cannot remount '%s' with %s: %s",
			    shown(m->point, b1, sizeof(b1)), data, strerror(errno));
			bad++;
		} else if (o + 100 < sizeof(line)) {
			snprintf(line + o, sizeof(line) - o, "%s%s %u%% (%llu MiB -> %llu MiB)",
				 o ? ", " : "", shown(m->point, b1, 80), pct, size >> 20,
				 pct * total / 100 >> 20);
		}
	}
	if (line[0])
		say(LOG_INFO, "tmpfs: %s", line);
	return bad ? EXIT_FAIL : EXIT_OK;
}

/* What hooks.d runs: not hidden, no editor or package manager leftover. */
static int hook_name(const struct dirent *e)
{
	static const char *const ends[] = { "~", ".bak", ".old", ".orig", ".swp", ".rpmnew",
					    ".rpmsave", ".rpmorig", ".dpkg-old", ".dpkg-new",
					    ".dpkg-dist", ".dpkg-tmp", ".ucf-old", ".ucf-dist" };
	size_t n = strlen(e->d_name);

	if (e->d_name[0] == '.' || e->d_name[0] == '#')
		return 0;
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (n >= strlen(ends[i]) && strcmp(e->d_name + n - strlen(ends[i]), ends[i]) == 0)
			return 0;
	return 1;
}

/* Run one hook, in a process group of its own, for timeout s at most. */
static int run_hook(const char *name, char *const env[], unsigned timeout)
{
	struct sched_param sp = { 0 };
	int status, r;
	pid_t pid;
	long waited = 0;

	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		char path[300];
		char *const argv[] = { path, NULL };

		snprintf(path, sizeof(path), HOOKS "/%s", name);
		setsid();
		sched_setscheduler(0, SCHED_OTHER, &sp);   /* not the log service's idle */
		if (null >= 0)
			dup2(null, 0);
		/* By its path, not fexecve(): the kernel refuses a script
		 * whose fd is close-on-exec (ENOENT), and without
		 * O_CLOEXEC its interpreter would get /dev/fd/N as $0. */
		execve(path, argv, env);
		_exit(127);
	}
	while ((r = (int)waitpid(pid, &status, WNOHANG)) == 0 && waited < timeout * 1000L) {
		sleep_ms(50);
		waited += 50;
	}
	if (r == 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		say(LOG_ERR, "hook %s: killed after %u s (hook_timeout)", name, timeout);
		return 1;
	}
	if (WIFSIGNALED(status))
		say(LOG_ERR, "hook %s: killed by signal %d", name, WTERMSIG(status));
	else
		say(WEXITSTATUS(status) ? LOG_ERR : LOG_INFO, "hook %s: exit %d", name,
		    WEXITSTATUS(status));
	return status != 0;
}

static int hooks(struct ctx *c, const struct burst *b)
{
	char cpus[4096], nodes[512], env[5][4200];
	char *const envp[] = { env[0], env[1], env[2], env[3], env[4],
			       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			       NULL };
	struct dirent **names;
	int n = scandir(HOOKS, &names, hook_name, alphasort), dir, bad = 0;

	if (n <= 0)
		return n < 0 && errno != ENOENT ? EXIT_FAIL : EXIT_OK;
	format_list(b->cpus, MAX_CPUS, cpus, sizeof(cpus));
	format_list(b->nodes, MAX_NODES, nodes, sizeof(nodes));
	snprintf(env[0], sizeof(env[0]), "HOTPLUG_ONLINE_MEMORY_BYTES=%llu", b->bytes);
	snprintf(env[1], sizeof(env[1]), "HOTPLUG_ONLINE_MEMORY_BLOCKS=%s", b->blocks);
	snprintf(env[2], sizeof(env[2]), "HOTPLUG_ONLINE_CPUS=%s", cpus);
	snprintf(env[3], sizeof(env[3]), "HOTPLUG_ONLINE_NODES=%s", nodes);
	snprintf(env[4], sizeof(env[4]), "HOTPLUG_ONLINE_BLOCK_SIZE=%llu", block_size(c));
	dir = open(HOOKS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct stat st;
		char sh[300];

		/* A name a shell would choke on is refused, not run. */
		if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
		    strlen(name)) {
			say(LOG_ERR, "hook '%s': unexpected name: not run", shown(name, sh, sizeof(sh)));
			bad++;
		} else if (dir >= 0 && fstatat(dir, name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
			   faccessat(dir, name, X_OK, 0) == 0) {
			bad += run_hook(name, envp, c->cfg.hook_timeout) != 0;
		}
		free(names[i]);
	}
	free(names);
	if (dir >= 0)
		close(dir);
	return bad ? EXIT_FAIL : EXIT_OK;
}

/* The steps, in order; a failure of one is said and stops no other. */
int burst_steps(struct ctx *c, const struct burst *b)
{
	struct mount *mounts = NULL;
	size_t n = 0, cap = 0;
	int r = EXIT_OK, e, line = 0;
	char *text = read_text(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &e), *p = text;

	while (p && *p && e == 0) {
		char *end = strchr(p, '\n');
		struct mount *more = n < cap ? mounts :
			realloc(mounts, (cap = cap ? cap * 2 : 64) * sizeof(*mounts));

		if (!end || !more)
			e = !end ? -EBADMSG : -ENOMEM;
		else
			*end = '\0';
		if (more)
			mounts = more;
		line++;
		if (e == 0 && parse_mountinfo(p, &mounts[n++]) < 0)
			e = -EBADMSG;
		p = end + 1;
	}
	if (e < 0) {   /* no cpuset or tmpfs step on a mount table we cannot read */
		say(LOG_ERR, "'/proc/self/mountinfo' line %d: %s: cpusets and tmpfs left alone",
		    line, e == -EBADMSG ? "unexpected contents" : strerror(-e));
		r = EXIT_USAGE;
	} else {
		if (c->cfg.cpusets && (e = cpusets(c, b, mounts, n)) != EXIT_OK)
			r = e;
		if (c->cfg.tmpfs && (e = tmpfs(b, mounts, n)) != EXIT_OK)
			r = e;
	}
	if (c->cfg.hooks && (e = hooks(c, b)) != EXIT_OK && r == EXIT_OK)
		r = e;
	free(mounts);
	free(text);
	return r;
}
