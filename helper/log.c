/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging.  syslog(3) drops messages silently when nothing listens on
 * /dev/log (initramfs, early boot, no syslog daemon), so we speak the
 * datagram protocol ourselves and fall back to /dev/kmsg when connect()
 * or send() fails: a helper that onlines RAM must not be silent. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "hotplug-online.h"

#define IDENT "hotplug-online"

static int log_dest;
static int log_pid;   /* getpid() once: a sweep logs thousands of lines */
static int log_fd = -1;

void log_setup(int dest)
{
	log_dest = dest;
	log_pid = (int)getpid();
}

/* /dev/log is a datagram socket for rsyslog, journald and busybox, a
 * stream socket for a syslog-ng set up so (glibc's syslog(3) tries both). */
static int log_type = SOCK_DGRAM;

static int syslog_connect(void)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, "/dev/log");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			log_type = types[i];
			return fd;
		}
		close(fd);
		if (errno != EPROTOTYPE)
			return -1;
	}
	return -1;
}

/* No timestamp: syslogd, rsyslog and journald stamp a message that lacks
 * one, and leaving it out spares us the time zone code. */
static int send_syslog(int prio, const char *msg)
{
	char line[600];
	int n;

	if (log_fd < 0 && (log_fd = syslog_connect()) < 0)
		return -1;
	n = snprintf(line, sizeof(line), "<%d>%s[%d]: %s", LOG_DAEMON | prio, IDENT,
		     log_pid, msg);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* On a stream the NUL ends the message, as glibc sends it. */
	if (log_type == SOCK_STREAM)
		n++;
	return send(log_fd, line, (size_t)n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void send_kmsg(int prio, const char *msg)
{
	char line[600];
	int fd = open("/dev/kmsg", O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "<%d>%s[%d]: %s\n", LOG_DAEMON | prio, IDENT,
		     log_pid, msg);
	/* A failed write has nowhere left to be reported. */
	if (n > 0)
		(void)!write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	close(fd);
}

static void vlog(int dest, int prio, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (prio <= LOG_WARNING)
		fprintf(stderr, IDENT ": %s\n", msg);
	else if (dest & LOG_TO_STDOUT)
		printf("%s\n", msg);
	if ((dest & LOG_TO_SYSLOG) && send_syslog(prio, msg) < 0) {
		/* Tried again at the next line: a syslog daemon may start. */
		if (log_fd >= 0)
			close(log_fd);
		log_fd = -1;
		send_kmsg(prio, msg);
	}
}

/* One message, formatted once, to syslog (or kmsg) and the terminal.
 * Warnings and errors always reach stderr; udev keeps it in its debug log. */
void say(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(log_dest, prio, fmt, ap);
	va_end(ap);
}
