/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the libFuzzer harnesses: a say() that checks every log line
 * instead of sending it (log.c is not linked), and an assertion that
 * survives -DNDEBUG.  The helper is built without the test seams
 * (tests/test_helper/seams.c); no harness reads the machine's
 * /proc/cmdline or /run (none calls what would). */
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

/* Lines the harness saw logged since the last reset, for assertions. */
static unsigned fuzz_said;
static char fuzz_last[512];

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
