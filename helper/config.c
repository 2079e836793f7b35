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

void config_defaults(struct config *c)
{
	c->memory = MEM_ONLINE;
	c->cpu = true;
	c->strict = false;
	c->skip_arch = true;
	c->movable_ratio = 301;   /* the kernel's auto_movable_ratio default */
	c->numa_aware = true;
}

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

/* A percentage, 1 to 100000 as the kernel's parameter takes any uint. */
static int parse_ratio(const char *v, unsigned *out)
{
	unsigned long n;

	if (parse_index(v, &n) < 0 || n == 0 || n > 100000)
		return -EINVAL;
	*out = (unsigned)n;
	return 0;
}

static int parse_policy(const char *v, enum mem_policy *out)
{
	static const enum mem_policy all[] = {
		MEM_ONLINE, MEM_MOVABLE, MEM_KERNEL, MEM_OFF, MEM_AUTO,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(v, policy_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -EINVAL;
}

/* One line, modified in place.  Returns 0, or -EINVAL with *why set. */
int config_line(struct config *c, char *line, const char **why)
{
	char *key, *val, *eq;
	int r;

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
	if (*val == '\0') {
		*why = "missing value";
		return -EINVAL;
	}
	if (strcmp(key, "memory") == 0)
		r = parse_policy(val, &c->memory);
	else if (strcmp(key, "cpu") == 0)
		r = parse_bool(val, "on", "off", &c->cpu);
	else if (strcmp(key, "strict") == 0)
		r = parse_bool(val, "yes", "no", &c->strict);
	else if (strcmp(key, "skip_s390x_ppc64") == 0)
		r = parse_bool(val, "yes", "no", &c->skip_arch);
	else if (strcmp(key, "movable_ratio") == 0)
		r = parse_ratio(val, &c->movable_ratio);
	else if (strcmp(key, "movable_numa_aware") == 0)
		r = parse_bool(val, "yes", "no", &c->numa_aware);
	else {
		*why = "unknown key";
		return -EINVAL;
	}
	if (r < 0)
		*why = "invalid value";
	return r;
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
		/* Show the line before config_line() cuts it up. */
		shown(trim(p), shown_line, sizeof(shown_line));
		if (!why)
			config_line(c, p, &why);
		if (why) {
			say(LOG_ERR, "config '%s' line %d: %s: '%s'; default kept",
			    shown_path, lineno, why, shown_line);
			bad++;
		}
		p = end + 1;
	}
	return bad;
}
