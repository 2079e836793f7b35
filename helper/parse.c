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
	static const char *const others[] = { "remove", "change", "move", "bind", "unbind" };

	if (strcmp(s, "add") == 0)
		return ACT_ADD;
	if (strcmp(s, "online") == 0)
		return ACT_ONLINE;
	if (strcmp(s, "offline") == 0)
		return ACT_OFFLINE;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (strcmp(s, others[i]) == 0)
			return ACT_OTHER;
	return ACT_BAD;
}

/* The first kernel command line word that match() takes, cut to `cut`
 * bytes and shown() into word: 1 found, 0 none.  Words after "--" are
 * init's. */
static int first_word(const char *s, bool (*match)(const char *w, size_t n), size_t cut,
		      char *word, size_t size)
{
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
			return 1;
		}
		s += n;
	}
	word[0] = '\0';
	return 0;
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

/* The first word that sets how hot-added memory is onlined. */
int parse_cmdline(const char *s, char *word, size_t size)
{
	return first_word(s, is_memory_word, 256, word, size);
}

static int parse_hex(const char *s, size_t n, unsigned long long *out)
{
	char tmp[17], *end;

	if (n == 0 || n > 16 || strspn(s, "0123456789abcdefABCDEF") < n)
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*out = strtoull(tmp, &end, 16);
	return 0;
}

/* /proc/iomem, "START-END : NAME" lines indented two spaces a level: the
 * innermost "System RAM" resource holding addr, into *r; its driver (the
 * text in parentheses: "kmem", "virtio_mem"; "" for a plain DIMM) in
 * r->owner.  1 found, 0 not, -EINVAL with *lineno at a line of another
 * shape (a NUL, over 511 bytes).  Each line is copied out first: text
 * need not end in a NUL. */
int parse_iomem(const char *text, size_t len, unsigned long long addr, struct iomem_range *r,
		unsigned *lineno)
{
	const char *p = text, *end = text + len;
	size_t best = (size_t)-1;
	int found = 0;

	*lineno = 0;
	memset(r, 0, sizeof(*r));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p), depth;
		unsigned long long start, stop;
		char line[512], *q, *name, *e;

		++*lineno;
		if (n >= sizeof(line) || memchr(p, '\0', n))
			return -EINVAL;
		memcpy(line, p, n);
		line[n] = '\0';
		e = line + n;
		p = nl ? nl + 1 : end;
		depth = strspn(line, " ");
		q = line + depth;
		n = strspn(q, "0123456789abcdefABCDEF");
		if (parse_hex(q, n, &start) < 0 || q[n] != '-')
			return -EINVAL;
		q += n + 1;
		n = strspn(q, "0123456789abcdefABCDEF");
		if (parse_hex(q, n, &stop) < 0 || stop < start || strncmp(q + n, " : ", 3) != 0)
			return -EINVAL;
		name = q + n + 3;
		if (!*name)
			return -EINVAL;
		if (addr >= start && addr <= stop && (best == (size_t)-1 || depth > best) &&
		    strncmp(name, "System RAM", 10) == 0) {
			const char *o = name + 10;
			size_t on = 0;

			if (strncmp(o, " (", 2) == 0 && e[-1] == ')' && e - o >= 3) {
				o += 2;
				on = (size_t)(e - 1 - o);
			}
			if (on >= sizeof(r->owner))
				return -EINVAL;
			memcpy(r->owner, o, on);
			r->owner[on] = '\0';
			r->start = start;
			r->stop = stop;
			best = depth;
			found = 1;
		}
	}
	return found;
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

/* The name of the ACPI device a firmware_node link points to, its last
 * component ("PNP0C80:01"): it names a file in /run, so letters, digits,
 * ':', '_' and '-' only, starting with a letter or digit. */
int parse_acpi_name(const char *link, char *name, size_t size)
{
	const char *base = strrchr(link, '/');
	size_t n;

	base = base ? base + 1 : link;
	n = strlen(base);
	if (n == 0 || n >= size || n > 31 || strspn(base, ALNUM ":_-") != n ||
	    strspn(base, ALNUM) == 0)
		return -EINVAL;
	memcpy(name, base, n + 1);
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
	return first_word(s, is_cpu_word, 64, word, size);
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

/* A device decision record: one line,
 *   "memory<FIRST> <BLOCKS> <INODE> online_movable|online_kernel[ HOW]"
 * with HOW printable ASCII.  Our own words, read back from a file that
 * only root can write, yet checked as strictly as sysfs. */
int parse_decision(const char *text, struct decision *d)
{
	const char *p = text + 6;
	unsigned long long v[3];
	bool movable = false;
	char *end;

	memset(d, 0, sizeof(*d));
	if (strncmp(text, "memory", 6) != 0)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		/* Digits only (strtoull takes signs and spaces), no leading zero. */
		if (!is_digit(*p) || (*p == '0' && is_digit(p[1])))
			return -EINVAL;
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (errno || *end != ' ')
			return -EINVAL;
		p = end + 1;
	}
	if (v[0] > 999999999ULL || v[1] == 0 || v[1] > 999999999ULL - v[0] + 1)
		return -EINVAL;
	if (strncmp(p, "online_movable", 14) == 0)
		movable = true;
	else if (strncmp(p, "online_kernel", 13) != 0)
		return -EINVAL;
	p += movable ? 14 : 13;
	if (*p && (*p++ != ' ' || !*p))
		return -EINVAL;   /* one space, then the text: as format_decision() writes it */
	if (strlen(p) >= sizeof(d->how))
		return -EINVAL;
	for (const char *h = p; *h; h++)
		if (*h < 0x20 || *h > 0x7e)
			return -EINVAL;
	d->first = (unsigned long)v[0];
	d->blocks = (unsigned long)v[1];
	d->ino = v[2];
	d->movable = movable;
	strcpy(d->how, p);
	return 0;
}

/* The record's line, newline-terminated: -EOVERFLOW when it does not fit. */
int format_decision(const struct decision *d, char *buf, size_t size)
{
	int n = snprintf(buf, size, "memory%lu %lu %llu %s%s%s\n", d->first, d->blocks, d->ino,
			 d->movable ? "online_movable" : "online_kernel", d->how[0] ? " " : "",
			 d->how);

	return n < 0 || (size_t)n >= size ? -EOVERFLOW : 0;
}

static int parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!is_digit(*s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || (*end && *end != '\n' && *end != ' ') ? -EINVAL : 0;
}

/* "Node N, zone NAME": the node, or ZONE_NODES when the line is not one. */
static unsigned long zone_header(const char *line, bool *movable)
{
	char *end;
	unsigned long node;

	if (strncmp(line, "Node ", 5) != 0 || !is_digit(line[5]))
		return ZONE_NODES;
	errno = 0;
	node = strtoul(line + 5, &end, 10);
	if (errno || strncmp(end, ", zone ", 7) != 0 || node >= ZONE_NODES)
		return ZONE_NODES;
	end += 7 + strspn(end + 7, " ");
	*movable = strcmp(end, "Movable") == 0;
	return node;
}

/* /proc/zoneinfo: "Node N, zone NAME" headers, then "present" and "cma"
 * page counts.  CMA pages count as movable, as the kernel counts them. */
int parse_zoneinfo(const char *text, size_t len, struct zone_pages *z)
{
	const char *p = text, *end = text + len;
	unsigned long node = ZONE_NODES;
	bool movable = false, seen = false;

	memset(z, 0, sizeof(*z));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char line[128];
		unsigned long long v;
		const char *w;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (strncmp(line, "Node ", 5) == 0) {
			node = zone_header(line, &movable);
			continue;
		}
		w = line + strspn(line, " \t");
		if (node >= ZONE_NODES)
			continue;
		if (strncmp(w, "present ", 8) == 0 && parse_u64(w + 8 + strspn(w + 8, " "), &v) == 0) {
			if (movable) {
				z->movable[node] += v;
				z->movable_total += v;
			} else {
				z->kernel[node] += v;
				z->kernel_total += v;
			}
			seen = true;
		} else if (strncmp(w, "cma ", 4) == 0 && !movable &&
			   parse_u64(w + 4 + strspn(w + 4, " "), &v) == 0) {
			if (v > z->kernel[node])
				v = z->kernel[node];
			z->kernel[node] -= v;
			z->kernel_total -= v;
			z->movable[node] += v;
			z->movable_total += v;
		}
	}
	return seen ? 0 : -EINVAL;
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

/* SEQNUM: decimal, no leading zero, at most 20 digits, not 0. */
int parse_seqnum(const char *s, unsigned long long *out)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 20 || s[n] != '\0' || s[0] == '0')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, NULL, 10);
	return errno ? -EINVAL : 0;
}

/* "KEY=VALUE\0" strings filling [p, end), end[-1] being a NUL.  The keys
 * read here may come once each. */
static int parse_properties(const char *p, const char *end, struct uevent *ev)
{
	static const char *const keys[] = { "ACTION", "DEVPATH", "SUBSYSTEM", "SEQNUM",
					    "SYNTH_UUID", "HOTPLUG_ONLINE_LOG" };
	const char **slot[] = { &ev->action, &ev->devpath, &ev->subsystem, &ev->seqnum_text,
				&ev->synth_uuid, &ev->log };

	for (size_t len; p < end; p += len + 1) {
		const char *eq = strchr(p, '=');

		len = strlen(p);
		if (!eq || eq == p)
			return -EINVAL;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (strlen(keys[k]) != (size_t)(eq - p) || strncmp(p, keys[k], (size_t)(eq - p)))
				continue;
			if (*slot[k])
				return -EINVAL;   /* twice: which one would udev mean? */
			*slot[k] = eq + 1;
		}
	}
	if (ev->seqnum_text && parse_seqnum(ev->seqnum_text, &ev->seqnum) < 0)
		return -EINVAL;
	return 0;
}

/* One netlink uevent message: the kernel's ("ACTION@DEVPATH\0" and its
 * properties) or udevd's broadcast of an event it has processed (libudev's
 * header, then the properties).  The fields point into msg; a field the
 * message lacks is NULL. */
int parse_uevent(const char *msg, size_t len, bool udev, struct uevent *ev)
{
	static const char magic[4] = { '\xfe', '\xed', '\xca', '\xfe' };
	unsigned hdr[4];   /* header_size, properties_off, properties_len, (unused) */
	const char *p;

	memset(ev, 0, sizeof(*ev));
	if (len == 0 || msg[len - 1] != '\0')
		return -EINVAL;
	if (!udev) {
		p = memchr(msg, '\0', len);
		if (!strchr(msg, '@') || p == msg + len - 1)
			return -EINVAL;
		return parse_properties(p + 1, msg + len, ev);
	}
	if (len < 40 || memcmp(msg, "libudev", 8) != 0 || memcmp(msg + 8, magic, 4) != 0)
		return -EINVAL;
	memcpy(hdr, msg + 12, sizeof(hdr));
	if (hdr[0] < 40 || hdr[0] > len || hdr[1] < hdr[0] || hdr[1] >= len ||
	    hdr[2] == 0 || hdr[2] > len - hdr[1] || msg[hdr[1] + hdr[2] - 1] != '\0')
		return -EINVAL;
	return parse_properties(msg + hdr[1], msg + hdr[1] + hdr[2], ev);
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
