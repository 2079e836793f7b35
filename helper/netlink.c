/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Uevents off the netlink socket: the kernel's (group 1) and udevd's
 * broadcast of each event once its rules have run (group 2, what
 * `udevadm monitor --udev` shows).  I/O only: what a message says is
 * parse_uevent()'s, what to do with it the logger's. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hotplug-online.h"

/* <linux/netlink.h>, which musl-gcc does not see: the ABI's own values. */
#define NETLINK_KOBJECT_UEVENT 15
struct nl_addr {
	sa_family_t family;
	unsigned short pad;
	unsigned pid, groups;
};

#define GROUP_KERNEL 1
#define GROUP_UDEV   2

/* Each block of a hot-add is four messages (add and online, the kernel's
 * and udevd's), and the buffer is charged each one's whole allocation,
 * a few KiB: 16 MiB holds some thousands, what piles up while the logger
 * waits for an idle CPU.  Past that, -ENOBUFS: the logger says lines may
 * be missing. */
#define RCVBUF (16 << 20)

int uevent_open(void)
{
	struct nl_addr sa = { .family = AF_NETLINK, .groups = GROUP_KERNEL | GROUP_UDEV };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT), one = 1, size = RCVBUF, r;

	if (fd < 0)
		return -errno;
	/* Root may go past rmem_max; anyone else gets what it allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* One message into buf (NUL-terminated past its length): its length, or
 * -EAGAIN (none waiting), -ENOBUFS (the kernel dropped some: the buffer
 * overflowed), another -errno.  *from says who sent it, checked by the
 * kernel's own records: the kernel is port 0 with no credentials to
 * forge, udevd is root multicasting to group 2; anything else, or a
 * message cut short, is UE_OTHER. */
long uevent_recv(int fd, char *buf, size_t size, enum ue_from *from)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct nl_addr sa = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr m = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
	const struct ucred *cred = NULL;
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT);

	*from = UE_OTHER;
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS &&
		    h->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
			cred = (const struct ucred *)(const void *)CMSG_DATA(h);
	if ((m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !cred || cred->uid != 0 ||
	    m.msg_namelen != sizeof(sa) || sa.family != AF_NETLINK)
		return n;
	if (sa.pid == 0 && sa.groups == GROUP_KERNEL)
		*from = UE_KERNEL;
	else if (sa.pid != 0 && sa.groups == GROUP_UDEV)
		*from = UE_UDEV;
	return n;
}
