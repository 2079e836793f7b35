/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /etc/hotplug-online.conf: "key = value" lines, '#' comments.  A bad line
 * is reported and its key keeps the default, so a typo never leaves RAM
 * offline when udev runs us. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

#define CONFIG_MAX (64 * 1024)
#define LINE_MAX_LEN 1024

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Every key, its two words (or NULL: a memory policy, a ratio), its
 * default as written in the file, and where it goes. */
static const struct key {
	const char *key, *yes, *no, *dflt;
	size_t off;
} keys[] = {
	{ "memory", NULL, NULL, "online", offsetof(struct config, memory) },
	{ "cpu", "on", "off", "on", offsetof(struct config, cpu) },
	{ "strict", "yes", "no", "no", offsetof(struct config, strict) },
	{ "skip_s390x_ppc64", "yes", "no", "yes", offsetof(struct config, skip_arch) },
	{ "movable_ratio", NULL, NULL, "301", offsetof(struct config, movable_ratio) },
	{ "movable_numa_aware", "yes", "no", "yes", offsetof(struct config, numa_aware) },
	{ "kernel_auto_online", "yes", "no", "yes", offsetof(struct config, kernel_online) },
	{ "dax_kmem", "online", "leave", "leave", offsetof(struct config, dax_kmem) },
	{ "cpusets", "on", "off", "on", offsetof(struct config, cpusets) },
	{ "tmpfs", "on", "off", "on", offsetof(struct config, tmpfs) },
	{ "hooks", "on", "off", "on", offsetof(struct config, hooks) },
	{ "hook_timeout", NULL, NULL, "30", offsetof(struct config, hook_timeout) },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int set(struct config *c, const struct key *k, const char *v)
{
	char *field = (char *)c + k->off;
	unsigned long n;

	if (k->yes && (strcmp(v, k->yes) == 0 || strcmp(v, k->no) == 0)) {
		*(bool *)field = strcmp(v, k->yes) == 0;
		return 0;
	}
	if (k->yes)
		return -EINVAL;
	/* A percentage, 1 to 100000, as the kernel's auto_movable_ratio;
	 * seconds, 1 to 3600. */
	if (k->off == offsetof(struct config, movable_ratio) ||
	    k->off == offsetof(struct config, hook_timeout)) {
		if (parse_index(v, &n) < 0 || n == 0 || n > (k->key[0] == 'h' ? 3600 : 100000))
			return -EINVAL;
		*(unsigned *)field = (unsigned)n;
		return 0;
	}
	for (enum mem_policy p = MEM_ONLINE; p <= MEM_AUTO; p++)
		if (strcmp(v, policy_name(p)) == 0) {
			c->memory = p;
			return 0;
		}
	return -EINVAL;
}

void config_defaults(struct config *c)
{
	for (size_t i = 0; i < NKEYS; i++)
		set(c, &keys[i], keys[i].dflt);
	c->memory_set = false;
}

/* One line, modified in place.  Returns 0, or -EINVAL with *why set; a
 * known key with a bad value goes back to its default, whatever an earlier
 * line said. */
int config_line(struct config *c, char *line, const char **why)
{
	char *key, *val, *eq;
	size_t i = 0;

	line[strcspn(line, "#")] = '\0';
	key = trim(line);
	if (*key == '\0')
		return 0;
	eq = strchr(key, '=');
	if (!eq) {
		*why = "expected 'key = value'";
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(key);
	val = trim(eq + 1);
	while (i < NKEYS && strcmp(key, keys[i].key) != 0)
		i++;
	if (i == NKEYS) {
		*why = "unknown key";
		return -EINVAL;
	}
	if (set(c, &keys[i], val) == 0) {
		c->memory_set |= i == 0;
		return 0;
	}
	set(c, &keys[i], keys[i].dflt);
	if (i == 0)
		c->memory_set = false;
	*why = *val ? "invalid value" : "missing value";
	return -EINVAL;
}

static int read_config(const char *path, char *buf, size_t size)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	while ((n = read(fd, buf + len, size - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0)
		return -EIO;
	if (len == size)
		return -EFBIG;
	buf[len] = '\0';
	return (int)len;
}

/* Returns the number of bad lines, or -1 when the file could not be read
 * (a missing default file is not an error: it returns 0). */
int config_load(struct config *c, const char *path, bool must_exist)
{
	static char buf[CONFIG_MAX + 1];
	char shown_path[256], shown_line[80];
	int len = read_config(path, buf, CONFIG_MAX);
	int bad = 0, lineno = 0;

	shown(path, shown_path, sizeof(shown_path));
	if (len == -ENOENT && !must_exist)
		return 0;
	if (len < 0) {
		say(LOG_ERR, "config '%s': %s", shown_path,
		    len == -EINVAL ? "not a regular file" : strerror(-len));
		return -1;
	}
	for (char *p = buf; p < buf + len;) {
		char *end = memchr(p, '\n', (size_t)(buf + len - p));
		const char *why = NULL;

		if (!end)
			end = buf + len;
		*end = '\0';
		lineno++;
		if (memchr(p, '\0', (size_t)(end - p)))
			why = "NUL byte";
		else if (end - p >= LINE_MAX_LEN)
			why = "line too long";
		if (!why) {
			/* config_line() cuts its line up: keep p whole for the message. */
			char copy[LINE_MAX_LEN];

			memcpy(copy, p, (size_t)(end - p) + 1);
			config_line(c, copy, &why);
		}
		if (why) {
			shown(trim(p), shown_line, sizeof(shown_line));
			say(LOG_ERR, "config '%s' line %d: %s: '%s'; default kept",
			    shown_path, lineno, why, shown_line);
			bad++;
		}
		p = end + 1;
	}
	return bad;
}
