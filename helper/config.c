/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /etc/hotplug-online.conf: "key = value" lines, '#' comments.  A bad line
 * is reported and its key keeps the default, so a typo never leaves RAM
 * offline when udev runs us. */
#include <errno.h>
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

static int parse_bool(const char *v, const char *yes, const char *no, bool *out)
{
	if (strcmp(v, yes) == 0)
		*out = true;
	else if (strcmp(v, no) == 0)
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int set_memory(struct config *c, const char *v)
{
	static const enum mem_policy all[] = {
		MEM_ONLINE, MEM_MOVABLE, MEM_KERNEL, MEM_OFF, MEM_AUTO,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(v, policy_name(all[i])) == 0) {
			c->memory = all[i];
			return 0;
		}
	return -EINVAL;
}

static int set_kernel_online(struct config *c, const char *v)
{
	return parse_bool(v, "yes", "no", &c->kernel_online);
}

static int set_dax_kmem(struct config *c, const char *v)
{
	return parse_bool(v, "online", "leave", &c->dax_kmem);
}

static int set_cpu(struct config *c, const char *v)
{
	return parse_bool(v, "on", "off", &c->cpu);
}

static int set_strict(struct config *c, const char *v)
{
	return parse_bool(v, "yes", "no", &c->strict);
}

static int set_skip_arch(struct config *c, const char *v)
{
	return parse_bool(v, "yes", "no", &c->skip_arch);
}

/* A percentage, 1 to 100000, as auto_movable_ratio. */
static int set_ratio(struct config *c, const char *v)
{
	unsigned long n;

	if (parse_index(v, &n) < 0 || n == 0 || n > 100000)
		return -EINVAL;
	c->movable_ratio = (unsigned)n;
	return 0;
}

static int set_numa_aware(struct config *c, const char *v)
{
	return parse_bool(v, "yes", "no", &c->numa_aware);
}

/* Every key with its default, written as in the file. */
static const struct {
	const char *key, *dflt;
	int (*set)(struct config *c, const char *v);
} keys[] = {
	{ "memory", "online", set_memory },
	{ "cpu", "on", set_cpu },
	{ "strict", "no", set_strict },
	{ "skip_s390x_ppc64", "yes", set_skip_arch },
	{ "movable_ratio", "301", set_ratio },   /* the kernel's own default */
	{ "movable_numa_aware", "yes", set_numa_aware },
	{ "kernel_auto_online", "yes", set_kernel_online },
	{ "dax_kmem", "leave", set_dax_kmem },
};

void config_defaults(struct config *c)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		keys[i].set(c, keys[i].dflt);
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
	while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[i].key) != 0)
		i++;
	if (i == sizeof(keys) / sizeof(keys[0])) {
		*why = "unknown key";
		return -EINVAL;
	}
	if (keys[i].set(c, val) == 0) {
		if (keys[i].set == set_memory)
			c->memory_set = true;
		return 0;
	}
	keys[i].set(c, keys[i].dflt);
	if (keys[i].set == set_memory)
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
