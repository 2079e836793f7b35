/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the libFuzzer harnesses: a say() and a log_only() that check
 * every log line instead of sending it (log.c is not linked), the test
 * seam's fault_path() and fault_write() (fault.c is not linked either: no
 * harness reads the environment, and none touches /run), and an
 * assertion that survives -DNDEBUG. */
#ifndef HOTPLUG_ONLINE_FUZZ_H
#define HOTPLUG_ONLINE_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../helper/hotplug-online.h"

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* Lines the harness saw logged since the last reset, for assertions:
 * fuzz_said counts both kinds, fuzz_logged the log_only() ones. */
static unsigned fuzz_said, fuzz_logged;
static char fuzz_last[512];

/* The run directory (/run/hotplug-online) a harness sets up, if any. */
static char fuzz_rundir[128];

static inline int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* log.c is not linked: every message must be printable ASCII, whatever
 * the untrusted input was (shown() is the only way bytes reach a log). */
static void fuzz_check_line(const char *fmt, va_list ap)
{
	vsnprintf(fuzz_last, sizeof(fuzz_last), fmt, ap);
	CHECK(printable(fuzz_last));
	fuzz_said++;
}

void say(int prio, const char *fmt, ...)
{
	va_list ap;

	(void)prio;
	va_start(ap, fmt);
	fuzz_check_line(fmt, ap);
	va_end(ap);
}

/* The transition lines: the same checks, counted apart too. */
void log_only(int prio, const char *fmt, ...)
{
	va_list ap;

	(void)prio;
	va_start(ap, fmt);
	fuzz_check_line(fmt, ap);
	va_end(ap);
	fuzz_logged++;
}

/* The resident logger's syslog reconnect: nothing to reconnect here. */
void log_retry(void)
{
}

/* No faults: every write goes through. */
int fault_write(const char *dev, int dirfd, const char *attr, size_t len)
{
	(void)dev, (void)dirfd, (void)attr;
	return (int)len;
}

/* Nothing of the machine's: the run directory is the harness's, or one
 * that cannot exist, as /proc/cmdline, /proc/iomem, /proc/zoneinfo and
 * the log sockets cannot; an x86_64 running 6.1 (the models do not expect
 * s390x's choices, nor a kernel that cannot tell a replay). */
const char *fault_path(const char *name, const char *dflt)
{
	static const char *const absent[] = { "CMDLINE", "IOMEM", "ZONEINFO", "DEVLOG", "KMSG" };

	if (strcmp(name, "RUNDIR") == 0)
		return fuzz_rundir[0] ? fuzz_rundir : "/nonexistent/hotplug-online-fuzz";
	if (strcmp(name, "ARCH") == 0)
		return "x86_64";
	if (strcmp(name, "RELEASE") == 0)
		return "6.1.0";
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (strcmp(name, absent[i]) == 0)
			return "/nonexistent/hotplug-online-fuzz";
	return dflt;
}

/* Links are never late here, numbers are their defaults. */
bool fault_unbound(unsigned long index)
{
	(void)index;
	return false;
}

long fault_number(const char *name, long dflt)
{
	(void)name;
	return dflt;
}

/* The fuzz input as a NUL-terminated string (cut at the first NUL). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
