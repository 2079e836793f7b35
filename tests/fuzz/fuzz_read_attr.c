/* SPDX-License-Identifier: GPL-2.0-or-later */
/* read_attr() on a real file holding the fuzzed bytes, then the value
 * through the attribute parsers.  Input: a size byte, a kind byte
 * (regular file, symlink, FIFO, directory, missing), then the contents. */
#include <errno.h>

#include "tree.h"

static int dir = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bufsize, len;
	const char *content;
	unsigned kind;
	char *buf;
	int r;

	if (dir < 0)
		dir = tree_init();
	if (size < 2)
		return 0;
	bufsize = data[0] % 80 + 1;
	kind = data[1] % 8;
	content = (const char *)data + 2;
	len = size - 2;
	clear(dir, "attr");
	put(dir, "target", content, len);
	switch (kind) {
	case 1:   /* a symlink to a file with the same contents: never followed */
		CHECK(symlinkat("target", dir, "attr") == 0);
		break;
	case 2:   /* a FIFO nobody writes to: must not block */
		CHECK(mkfifoat(dir, "attr", 0600) == 0);
		break;
	case 3:
		CHECK(mkdirat(dir, "attr", 0700) == 0);
		break;
	case 4:
		break;   /* missing */
	default:
		put(dir, "attr", content, len);
	}
	buf = malloc(bufsize);   /* exactly bufsize: ASan sees any overrun */
	CHECK(buf != NULL);
	r = read_attr(dir, "attr", buf, bufsize);
	switch (kind) {
	case 1:
		CHECK(r == -ELOOP);
		break;
	case 2:
	case 3:
		CHECK(r == -EBADMSG);
		break;
	case 4:
		CHECK(r == -ENOENT);
		break;
	default:
		if (len >= bufsize || memchr(content, '\0', len)) {
			CHECK(r == -EBADMSG);
			break;
		}
		/* The contents, one trailing newline dropped, NUL-terminated. */
		CHECK(r >= 0 && (size_t)r < bufsize);
		CHECK((size_t)r == len - (len && content[len - 1] == '\n'));
		CHECK(memcmp(buf, content, (size_t)r) == 0 && buf[r] == '\0');
	}
	if (r >= 0) {
		unsigned long long bs;
		unsigned long node;
		char zone[32];

		(void)parse_state(buf);
		(void)parse_cpu_online(buf);
		(void)parse_block_size(buf, &bs);
		(void)parse_node_name(buf, &node);
		(void)parse_zone(buf, zone, sizeof(zone));
	}
	free(buf);
	return 0;
}
