/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers for everything that comes from outside: device names, DEVPATH,
 * ACTION and sysfs attribute contents.  None of them trusts its input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotplug-online.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal digits only: no sign, no spaces, no leading zero, bounded. */
int parse_index(const char *s, unsigned long *out)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > MAX_INDEX_DIGITS || s[n] != '\0')
		return -EINVAL;
	if (s[0] == '0' && n > 1)
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, NULL, 10);
	return errno ? -EINVAL : 0;
}

static const char *const prefix[] = { [DEV_MEMORY] = "memory", [DEV_CPU] = "cpu" };

/* A device from a trusted index (one parse_index() accepted). */
void device_init(struct device *d, enum devtype t, unsigned long index)
{
	d->type = t;
	d->index = index;
	snprintf(d->name, sizeof(d->name), "%s%lu", prefix[t], index);
}

/* "memory42" or "cpu3". */
int parse_device(const char *s, struct device *d)
{
	for (enum devtype t = DEV_MEMORY; t <= DEV_CPU; t++) {
		size_t len = strlen(prefix[t]);
		unsigned long index;

		if (strncmp(s, prefix[t], len) != 0)
			continue;
		if (parse_index(s + len, &index) < 0)
			return -EINVAL;
		device_init(d, t, index);
		return 0;
	}
	return -EINVAL;
}

/* Exactly /devices/system/memory/memory<N> or /devices/system/cpu/cpu<N>. */
int parse_devpath(const char *s, struct device *d)
{
	static const char mem[] = "/devices/system/memory/";
	static const char cpu[] = "/devices/system/cpu/";
	const char *name;

	if (strncmp(s, mem, sizeof(mem) - 1) == 0)
		name = s + sizeof(mem) - 1;
	else if (strncmp(s, cpu, sizeof(cpu) - 1) == 0)
		name = s + sizeof(cpu) - 1;
	else
		return -EINVAL;
	if (parse_device(name, d) < 0)
		return -EINVAL;
	/* The directory must match the kind: no /devices/system/cpu/memory1. */
	if ((d->type == DEV_MEMORY) != (name == s + sizeof(mem) - 1))
		return -EINVAL;
	return 0;
}

/* udev's actions; anything else is not something udev sends. */
enum action parse_action(const char *s)
{
	static const char *const others[] = { "change", "move", "bind", "unbind" };

	if (strcmp(s, "add") == 0)
		return ACT_ADD;
	if (strcmp(s, "remove") == 0)
		return ACT_REMOVE;
	if (strcmp(s, "online") == 0)
		return ACT_ONLINE;
	if (strcmp(s, "offline") == 0)
		return ACT_OFFLINE;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (strcmp(s, others[i]) == 0)
			return ACT_OTHER;
	return ACT_BAD;
}

/* The first (or with last, the last) kernel command line word that
 * match() takes, cut to `cut` bytes and shown() into word: 1 found, 0
 * none.  Words after "--" are init's. */
static int find_word(const char *s, bool (*match)(const char *w, size_t n), bool last,
		     size_t cut, char *word, size_t size)
{
	int found = 0;

	word[0] = '\0';
	while (*s) {
		size_t n;

		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n == 2 && strncmp(s, "--", 2) == 0)
			break;
		if (n && match(s, n)) {
			char raw[256];

			if (n >= cut)
				n = cut - 1;
			memcpy(raw, s, n);
			raw[n] = '\0';
			shown(raw, word, size);
			found = 1;
			if (!last)
				break;
		}
		s += strcspn(s, " \t\n");
	}
	return found;
}

static bool is_memhp_word(const char *w, size_t n)
{
	return n >= 20 && strncmp(w, "memhp_default_state=", 20) == 0;
}

static bool is_memory_word(const char *w, size_t n)
{
	static const char *const keys[] = {
		"memhp_default_state=", "memory_hotplug.online_policy=",
		"memory_hotplug.auto_movable_ratio=", "memory_hotplug.auto_movable_numa_aware=",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (n >= strlen(keys[i]) && strncmp(w, keys[i], strlen(keys[i])) == 0)
			return true;
	return false;
}

/* The word that sets how hot-added memory is onlined: the last
 * memhp_default_state= (the kernel takes the last), else the first
 * memory_hotplug.* word.  1 found, 0 none. */
int parse_cmdline(const char *s, char *word, size_t size)
{
	return find_word(s, is_memhp_word, true, 256, word, size) ||
	       find_word(s, is_memory_word, false, 256, word, size);
}

/* uname's release, "3.10.0-1160.el7.x86_64": its major and minor. */
int parse_release(const char *s, unsigned long *major, unsigned long *minor)
{
	size_t a = strspn(s, "0123456789"), b;

	if (a == 0 || a > 4 || s[a] != '.')
		return -EINVAL;
	b = strspn(s + a + 1, "0123456789");
	if (b == 0 || b > 4)
		return -EINVAL;
	*major = strtoul(s, NULL, 10);
	*minor = strtoul(s + a + 1, NULL, 10);
	return 0;
}

static bool is_cpu_word(const char *w, size_t n)
{
	return (n > 8 && strncmp(w, "maxcpus=", 8) == 0) || (n == 5 && strncmp(w, "nosmt", 5) == 0) ||
	       (n > 6 && strncmp(w, "nosmt=", 6) == 0);
}

/* The first kernel command line word that keeps CPUs offline at boot. */
int parse_cpu_limit(const char *s, char *word, size_t size)
{
	return find_word(s, is_cpu_word, false, 64, word, size);
}

/* A knob's value as the kernel prints it. */
int parse_knob(enum knob k, const char *s)
{
	static const char *const aob[] = { "offline", "online", "online_kernel", "online_movable" };
	unsigned long n;

	switch (k) {
	case K_AUTO_ONLINE:
		for (size_t i = 0; i < sizeof(aob) / sizeof(aob[0]); i++)
			if (strcmp(s, aob[i]) == 0)
				return 0;
		return -EINVAL;
	case K_POLICY:
		return strcmp(s, "contig-zones") == 0 || strcmp(s, "auto-movable") == 0 ? 0 : -EINVAL;
	case K_RATIO:
		return parse_index(s, &n);
	case K_NUMA:
		return strcmp(s, "Y") == 0 || strcmp(s, "N") == 0 ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* setup's record, "knob=value" lines: every line known and valid, each
 * knob once, or -EINVAL and saved is left empty. */
int parse_record(char *text, struct knobs *saved)
{
	memset(saved, 0, sizeof(*saved));
	for (char *line = text, *next; *line; line = next) {
		char *eq;
		enum knob k = K_AUTO_ONLINE;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (!eq)
			goto bad;
		*eq = '\0';
		while (k < NKNOBS && strcmp(line, knob_name(k)) != 0)
			k++;
		if (k == NKNOBS || saved->val[k][0] || strlen(eq + 1) >= KNOB_LEN ||
		    parse_knob(k, eq + 1) < 0)
			goto bad;
		strcpy(saved->val[k], eq + 1);
	}
	return 0;
bad:
	memset(saved, 0, sizeof(*saved));
	return -EINVAL;
}

enum mem_state parse_state(const char *s)
{
	if (strcmp(s, "online") == 0)
		return ST_ONLINE;
	if (strcmp(s, "offline") == 0)
		return ST_OFFLINE;
	if (strcmp(s, "going-offline") == 0)
		return ST_GOING_OFFLINE;
	return ST_UNKNOWN;
}

int parse_cpu_online(const char *s)
{
	if (strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "0") == 0)
		return 0;
	return -1;
}

/* block_size_bytes is hexadecimal without "0x"; a power of two. */
int parse_block_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s[0] == '\0' || strspn(s, "0123456789abcdefABCDEF") != strlen(s) || strlen(s) > 16)
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno || *end != '\0' || v == 0 || (v & (v - 1)) != 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A memory block's link to its NUMA node is a directory entry "node<N>". */
int parse_node_name(const char *s, unsigned long *node)
{
	if (strncmp(s, "node", 4) != 0 || !is_digit(s[4]))
		return -EINVAL;
	return parse_index(s + 4, node);
}

/* valid_zones of an online block names the block's zone first ("none"
 * when the block spans two zones). */
int parse_zone(const char *valid_zones, char *zone, size_t size)
{
	size_t n = strcspn(valid_zones, " ");

	if (n == 0 || n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = valid_zones[i];

		if (!(is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'))
			return -EINVAL;
	}
	memcpy(zone, valid_zones, n);
	zone[n] = '\0';
	return 0;
}

/* valid_zones as a list: "Normal Movable" (an offline block's candidate
 * zones, the one plain "online" picks first).  The count, or -EINVAL. */
int parse_zone_list(const char *valid_zones, char zones[][16], size_t max)
{
	const char *p = valid_zones;
	size_t n = 0;

	while (*p) {
		size_t len = strcspn(p, " ");

		if (n == max || parse_zone(p, zones[n], 16) < 0)
			return -EINVAL;
		n++;
		p += len;
		if (*p == ' ' && *++p == '\0')
			return -EINVAL;   /* a trailing space: not the kernel's */
	}
	return n ? (int)n : -EINVAL;
}

const char *knob_name(enum knob k)
{
	static const char *const names[NKNOBS] = {
		[K_AUTO_ONLINE] = "auto_online_blocks", [K_POLICY] = "online_policy",
		[K_RATIO] = "auto_movable_ratio", [K_NUMA] = "auto_movable_numa_aware",
	};

	return names[k];
}

/* A sysfs number: decimal, or hexadecimal with "0x" (a dax device's
 * resource); digits only, bounded. */
int parse_u64(const char *s, unsigned long long *out)
{
	bool hex = strncmp(s, "0x", 2) == 0;
	const char *d = hex ? s + 2 : s;
	size_t n = strspn(d, hex ? "0123456789abcdefABCDEF" : "0123456789");
	char *end;

	if (n == 0 || n > (hex ? 16 : 20) || d[n] != '\0')
		return -EINVAL;
	errno = 0;
	*out = strtoull(d, &end, hex ? 16 : 10);
	return errno ? -EINVAL : 0;
}

const char *policy_name(enum mem_policy p)
{
	switch (p) {
	case MEM_MOVABLE: return "online_movable";
	case MEM_KERNEL:  return "online_kernel";
	case MEM_OFF:     return "off";
	case MEM_AUTO:    return "auto-movable";
	default:          return "online";
	}
}

/* Untrusted text made safe for a log line: printable ASCII, bounded.
 * size must be at least 8: one escape plus "..." always fits. */
const char *shown(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (o + 8 > size) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

/* One kernel uevent: "ACTION@DEVPATH\0" then "KEY=VALUE\0" properties,
 * each key read here at most once. */
int parse_uevent(const char *msg, size_t len, struct uevent *ev)
{
	static const char *const keys[] = { "ACTION", "DEVPATH", "SUBSYSTEM", "SYNTH_UUID" };
	const char **slot[] = { &ev->action, &ev->devpath, &ev->subsystem, &ev->synth_uuid };
	const char *p, *end = msg + len;

	memset(ev, 0, sizeof(*ev));
	if (len == 0 || msg[len - 1] != '\0' || !strchr(msg, '@'))
		return -EINVAL;
	for (p = msg + strlen(msg) + 1; p < end; p += strlen(p) + 1) {
		const char *eq = strchr(p, '=');

		if (!eq || eq == p)
			return -EINVAL;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (strlen(keys[k]) != (size_t)(eq - p) || strncmp(p, keys[k], (size_t)(eq - p)))
				continue;
			if (*slot[k])
				return -EINVAL;   /* twice: which one is meant? */
			*slot[k] = eq + 1;
		}
	}
	return 0;
}

/* An event's ACTION, DEVPATH and SUBSYSTEM, from udev's environment or a
 * broadcast: 0 with *act (and *d unless ACT_OTHER: not ours, whatever the
 * rest says), or -EINVAL with why. */
int parse_event(const struct uevent *ev, struct device *d, enum action *act, char *why,
		size_t size)
{
	char b1[80], b2[80];

	why[0] = '\0';
	if (!ev->action) {
		snprintf(why, size, "ACTION is not set: 'udev' runs from a udev rule");
		return -EINVAL;
	}
	*act = parse_action(ev->action);
	if (*act == ACT_BAD) {
		snprintf(why, size, "invalid ACTION '%s'", shown(ev->action, b1, sizeof(b1)));
		return -EINVAL;
	}
	if (*act == ACT_OTHER)
		return 0;
	if (!ev->devpath) {
		snprintf(why, size, "DEVPATH is not set: 'udev' runs from a udev rule");
		return -EINVAL;
	}
	if (parse_devpath(ev->devpath, d) < 0) {
		snprintf(why, size, "invalid DEVPATH '%s': expected /devices/system/memory/memory<N> "
			 "or /devices/system/cpu/cpu<N>", shown(ev->devpath, b1, sizeof(b1)));
		return -EINVAL;
	}
	if (ev->subsystem && strcmp(ev->subsystem, d->type == DEV_MEMORY ? "memory" : "cpu") != 0) {
		snprintf(why, size, "SUBSYSTEM '%s' does not match DEVPATH '%s'",
			 shown(ev->subsystem, b1, sizeof(b1)), shown(ev->devpath, b2, sizeof(b2)));
		return -EINVAL;
	}
	return 0;
}

/* One number of a kernel list: the text after it, or NULL. */
static const char *list_number(const char *s, unsigned long *v)
{
	char num[12];
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n >= sizeof(num))
		return NULL;
	memcpy(num, s, n);
	num[n] = '\0';
	return parse_index(num, v) < 0 ? NULL : s + n;
}

/* A kernel list ("0-3,8,10-11", or "" for none) into a bitmap of max
 * bits: -EINVAL for anything else, or a number past max. */
int parse_list(const char *s, unsigned long *bits, unsigned long max)
{
	memset(bits, 0, BITMAP_LONGS(max) * sizeof(*bits));
	while (*s) {
		unsigned long a, b;

		if (!(s = list_number(s, &a)))
			return -EINVAL;
		b = a;
		if (*s == '-' && (!(s = list_number(s + 1, &b)) || b < a))
			return -EINVAL;
		if (b >= max || (*s && *s != ','))
			return -EINVAL;
		if (*s == ',' && !*++s)
			return -EINVAL;
		for (; a <= b; a++)
			bits[a / LONG_BITS] |= 1UL << (a % LONG_BITS);
	}
	return 0;
}

/* A bitmap as a kernel list: "0-3,8"; "" for none. */
void format_list(const unsigned long *bits, unsigned long max, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned long a = 0; a < max && o < size; a++) {
		unsigned long b = a;

		if (!test_bit(bits, a))
			continue;
		while (b + 1 < max && test_bit(bits, b + 1))
			b++;
		o += (size_t)snprintf(buf + o, size - o, b > a ? "%s%lu-%lu" : "%s%lu",
				      o ? "," : "", a, b);
		a = b;
	}
}

static int cmp_index(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

void sort_indexes(unsigned long *v, size_t n)
{
	if (n)   /* v may be NULL then, which qsort() must not get */
		qsort(v, n, sizeof(*v), cmp_index);
}

/* Ascending indexes as a kernel list, "32-39,41", cut with "..." where
 * it would not fit (never in n * 21 + 48 bytes: ",%lu" is at most 21 an
 * index); "" for none. */
void format_indexes(const unsigned long *v, size_t n, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0, j; i < n; i = j + 1) {
		for (j = i; j + 1 < n && v[j + 1] == v[j] + 1; j++)
			;
		if (o + 48 > size) {
			snprintf(buf + o, size - o, "...");
			return;
		}
		o += (size_t)snprintf(buf + o, size - o, j > i ? "%s%lu-%lu" : "%s%lu",
				      o ? "," : "", v[i], v[j]);
	}
}

/* Octal escapes of /proc/self/mountinfo ("\040" for a space), in place. */
static int unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		if (strspn(s + 1, "01234567") < 3)
			return -EINVAL;
		*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
		s += 3;
	}
	*o = '\0';
	return 0;
}

/* One line of /proc/self/mountinfo, cut up in place:
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
int parse_mountinfo(char *line, struct mount *m)
{
	char *f[6], *p = line;
	int n = 0;

	memset(m, 0, sizeof(*m));
	while (n < 6 && (f[n] = strsep(&p, " ")) && *f[n])
		n++;
	if (n < 6 || !p)
		return -EINVAL;
	while ((m->fstype = strsep(&p, " ")) && strcmp(m->fstype, "-") != 0)
		if (!*m->fstype)
			return -EINVAL;
	if (!m->fstype || !p || !(m->fstype = strsep(&p, " ")) || !*m->fstype ||
	    !(m->source = strsep(&p, " ")) || !p || !*p || strchr(p, ' '))
		return -EINVAL;
	m->point = f[4];
	m->options = f[5];
	m->super = p;
	if (m->point[0] != '/' || unescape(m->point) < 0 || unescape(m->source) < 0 ||
	    strchr(m->point, '\n'))
		return -EINVAL;
	return 0;
}

/* Is opt one of the comma-separated options? */
bool has_option(const char *options, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = options; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* A "NAME=NUMBER[k]" option's number (k: times 1024); -ENOENT absent. */
int option_number(const char *options, const char *name, unsigned long long *v)
{
	size_t n = strlen(name);

	for (const char *p = options; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		char num[24];
		size_t len;
		bool k;

		/* The name first: an option shorter than it ends before p + n. */
		if (strncmp(p, name, n) != 0)
			continue;
		len = strcspn(p + n, ",");
		if (len == 0 || len >= sizeof(num))
			continue;
		memcpy(num, p + n, len);
		num[len] = '\0';
		if ((k = num[len - 1] == 'k'))
			num[len - 1] = '\0';
		if (parse_u64(num, v) < 0 || (k && *v > ~0ULL / 1024))
			return -EINVAL;
		if (k)
			*v *= 1024;
		return 0;
	}
	return -ENOENT;
}

/* /proc/meminfo's "Key:   1234 kB" line. */
int parse_meminfo(const char *text, const char *key, unsigned long long *kb)
{
	size_t n = strlen(key);

	for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char num[24];
		size_t len;

		if (strncmp(p, key, n) != 0 || p[n] != ':')
			continue;
		p += n + 1 + strspn(p + n + 1, " ");
		len = strspn(p, "0123456789");
		if (len == 0 || len >= sizeof(num) || strncmp(p + len, " kB", 3) != 0)
			return -EINVAL;
		memcpy(num, p, len);
		num[len] = '\0';
		return parse_u64(num, kb);
	}
	return -ENOENT;
}
