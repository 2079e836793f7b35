/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Uevents off the netlink socket: the kernel's (group 1) and udevd's
 * broadcast of each event once its rules have run (group 2, what
 * `udevadm monitor --udev` shows).  I/O only: what a message says is
 * parse_uevent()'s, what to do with it the logger's. */
#include <errno.h>
#include <stdint.h>
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

/* <linux/filter.h>: classic BPF, the ABI's own values. */
struct sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};
#define BPF_LD   0x00
#define BPF_JMP  0x05
#define BPF_RET  0x06
#define BPF_W    0x00
#define BPF_H    0x08
#define BPF_B    0x10
#define BPF_ABS  0x20
#define BPF_JEQ  0x10
#define BPF_K    0x00
#define BPF_STMT(code, k) { (uint16_t)(code), 0, 0, k }
#define BPF_JUMP(code, k, jt, jf) { (uint16_t)(code), jt, jf, k }

#define GROUP_KERNEL 1
#define GROUP_UDEV   2

/* Each block of a hot-add is four messages (add and online, the kernel's
 * and udevd's), and the buffer is charged each one's whole allocation,
 * a few KiB: 16 MiB holds some thousands, what piles up while the logger
 * waits for an idle CPU.  Past that, -ENOBUFS: the logger says lines may
 * be missing. */
#define RCVBUF (16 << 20)

/* systemd's string_hash32() (MurmurHash2, seed 0, native byte order), as
 * udevd puts it in its broadcast's header for a subsystem. */
static uint32_t subsystem_hash(const char *s)
{
	const uint32_t m = 0x5bd1e995;
	size_t len = strlen(s);
	uint32_t h = (uint32_t)len, k;
	const unsigned char *p = (const unsigned char *)s;

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&k, p, 4);
		k *= m;
		k ^= k >> 24;
		k *= m;
		h = h * m ^ k;
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)p[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint32_t)p[1] << 8;
		/* fall through */
	case 1:
		h ^= p[0];
		h *= m;
	}
	h ^= h >> 13;
	h *= m;
	return h ^ h >> 15;
}

/* Only what the logger reads reaches its buffer: the kernel's online and
 * offline events, and udevd's broadcasts of memory and CPU events (its
 * header's subsystem hash, at byte 24, as libudev's own filter reads it).
 * Without it every uevent of the system would wake it and fill its buffer
 * (a boot's coldplug of thousands of blocks). */
static int attach_filter(int fd)
{
	struct sock_filter f[] = {
		/*  0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		/*  1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x6c696275, 3, 0),   /* "libu": 5 */
		/*  2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x6f6e6c69, 9, 0),   /* "onli": 12 */
		/*  3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x6f66666c, 12, 0),  /* "offl": 16 */
		/*  4 */ BPF_STMT(BPF_RET | BPF_K, 0),
		/*  5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		/*  6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x64657600, 0, 12),  /* "dev\0" */
		/*  7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),
		/*  8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xfeedcafe, 0, 10),  /* the magic */
		/*  9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 24),
		/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, subsystem_hash("memory"), 7, 0),
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, subsystem_hash("cpu"), 6, 7),
		/* 12 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),
		/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x6e65, 0, 5),       /* "ne" */
		/* 14 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
		/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, '@', 2, 3),
		/* 16 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		/* 17 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x696e6540, 0, 1),   /* "ine@" */
		/* 18 */ BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		/* 19 */ BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

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
	if (attach_filter(fd) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
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
