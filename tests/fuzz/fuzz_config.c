/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file: config_line() on each line and config_load()
 * on the whole input, through a memfd.  Input: the file. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static void check_config(const struct config *c)
{
	CHECK(c->memory == MEM_ONLINE || c->memory == MEM_MOVABLE ||
	      c->memory == MEM_KERNEL || c->memory == MEM_OFF || c->memory == MEM_AUTO);
	CHECK(c->movable_ratio >= 1 && c->movable_ratio <= 100000);
	CHECK(c->numa_aware == 0 || c->numa_aware == 1);
	CHECK(c->cpu == 0 || c->cpu == 1);
	CHECK(c->strict == 0 || c->strict == 1);
	CHECK(c->skip_arch == 0 || c->skip_arch == 1);
	CHECK(c->kernel_online == 0 || c->kernel_online == 1);
	CHECK(c->memory_set == 0 || c->memory_set == 1);
	CHECK(c->dax_kmem == 0 || c->dax_kmem == 1);
	CHECK(c->cpusets == 0 || c->cpusets == 1);
	CHECK(c->tmpfs == 0 || c->tmpfs == 1);
	CHECK(c->hooks == 0 || c->hooks == 1);
	CHECK(c->hook_timeout >= 1 && c->hook_timeout <= 3600);
}

static int same(const struct config *a, const struct config *b)
{
	return a->memory == b->memory && a->cpu == b->cpu && a->strict == b->strict &&
	       a->skip_arch == b->skip_arch && a->movable_ratio == b->movable_ratio &&
	       a->numa_aware == b->numa_aware && a->kernel_online == b->kernel_online &&
	       a->memory_set == b->memory_set && a->dax_kmem == b->dax_kmem &&
	       a->cpusets == b->cpusets && a->tmpfs == b->tmpfs && a->hooks == b->hooks &&
	       a->hook_timeout == b->hook_timeout;
}

/* after is before with at most one setting put back to its default; a
 * bad `memory =` value also clears memory_set (no valid memory line). */
static int reset_one(const struct config *before, const struct config *after)
{
	struct config d;
	int changed = 0;

	config_defaults(&d);
	if (before->memory_set != after->memory_set &&
	    (after->memory_set || after->memory != d.memory))
		return 0;
#define FIELD(f) \
	if (before->f != after->f) { \
		if (after->f != d.f) \
			return 0; \
		changed++; \
	}
	FIELD(memory) FIELD(cpu) FIELD(strict) FIELD(skip_arch) FIELD(movable_ratio)
	FIELD(numa_aware) FIELD(kernel_online) FIELD(dax_kmem) FIELD(cpusets) FIELD(tmpfs)
	FIELD(hooks) FIELD(hook_timeout)
#undef FIELD
	/* memory_set went with memory, not with another key. */
	if (before->memory_set != after->memory_set && changed && before->memory == after->memory)
		return 0;
	return changed <= 1;
}

/* config_line on one line, in a buffer of exactly its size. */
static int one_line(struct config *c, const char *p, size_t n)
{
	char *line = malloc(n + 1);
	const char *why = NULL;
	struct config before = *c;
	int r;

	if (!line)
		abort();
	memcpy(line, p, n);
	line[n] = '\0';
	r = config_line(c, line, &why);
	CHECK(r == 0 || r == -EINVAL);
	CHECK((r == 0) == (why == NULL));
	if (r < 0) {
		CHECK(printable(why));
		/* An unknown key or a line without '=' changes nothing; a bad
		 * value puts its key, and only it, back to the default (man
		 * page: "the key keeps its default"). */
		if (strcmp(why, "invalid value") != 0 && strcmp(why, "missing value") != 0)
			CHECK(same(&before, c));
		else
			CHECK(reset_one(&before, c));
	} else {
		/* A good line sets memory_set, or leaves it: only `memory =` sets it,
		 * and then memory is what the line said (never cleared by a good line). */
		CHECK(c->memory_set >= before.memory_set);
		if (c->memory_set != before.memory_set)
			CHECK(strstr(line, "memory") != NULL);
	}
	check_config(c);
	free(line);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config byline, loaded;
	unsigned lines = 0, bad = 0;
	char path[64];
	int fd, r;

	/* The model: split on '\n'; a line with a NUL or 1024+ bytes is bad. */
	config_defaults(&byline);
	for (size_t off = 0; off < size;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : size - off;

		lines++;
		if (memchr(data + off, '\0', n) || n >= 1024 ||
		    one_line(&byline, (const char *)data + off, n) < 0)
			bad++;
		off += n + 1;
	}

	fd = memfd_create("hotplug-online.conf", MFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_defaults(&loaded);
	fuzz_said = 0;
	r = config_load(&loaded, path, true);
	close(fd);
	/* config_load agrees with the line-by-line model, logs one line per
	 * bad line, and never lets a bad line change a setting. */
	CHECK(r >= 0);
	CHECK((unsigned)r == bad);
	CHECK(fuzz_said == bad);
	CHECK(same(&byline, &loaded));
	check_config(&loaded);
	return 0;
}
