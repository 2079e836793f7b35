/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `setup`, `restore` and the helper's memory policy read: the kernel
 * command line (parse_cmdline, and parse_cpu_limit for the CPUs it keeps
 * offline), the knobs' values (parse_knob), setup's record
 * (parse_record), and the decisions made from them (plan_kernel for
 * setup, plan_block for a hot-added block).  Input: a byte choosing the
 * word buffer's size, a byte of configuration and capability bits, then
 * the text, which goes through every parser. */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"

static const char *const cmdline_keys[] = {
	"memhp_default_state=", "memory_hotplug.online_policy=",
	"memory_hotplug.auto_movable_ratio=", "memory_hotplug.auto_movable_numa_aware=",
};

/* The models' result: the word at p, n bytes, cut to cut - 1, shown(). */
static int model_word(const char *p, size_t n, size_t cut, char *word, size_t size)
{
	char raw[256];

	n = n < cut - 1 ? n : cut - 1;
	memcpy(raw, p, n);
	raw[n] = '\0';
	shown(raw, word, size);
	return 1;
}

/* The model: the words (split at space, tab, newline; none after a "--"
 * word); the last one starting with memhp_default_state= (the kernel
 * takes the last), else the first starting with a memory_hotplug. key;
 * cut to 255 bytes, shown(). */
static int model_cmdline(const char *s, char *word, size_t size)
{
	const char *p = s, *found = NULL;
	size_t found_n = 0;

	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		for (n = 0; p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\n'; n++)
			;
		if (n == 2 && p[0] == '-' && p[1] == '-')
			break;
		for (size_t i = 0; i < sizeof(cmdline_keys) / sizeof(cmdline_keys[0]); i++) {
			size_t k = strlen(cmdline_keys[i]);

			if (n < k || memcmp(p, cmdline_keys[i], k) != 0)
				continue;
			/* memhp_default_state=: the last one; a memory_hotplug. key: the first. */
			if (i == 0 || !found)
				found = p, found_n = n;
		}
		p += n;
	}
	word[0] = '\0';
	return found ? model_word(found, found_n, 256, word, size) : 0;
}

static void check_cmdline(const char *s, size_t size)
{
	char *word = malloc(size), *want = malloc(size);   /* exactly size: ASan sees overruns */
	int r;

	CHECK(word && want);
	r = parse_cmdline(s, word, size);
	CHECK(r == model_cmdline(s, want, size));
	CHECK(strcmp(word, want) == 0);
	CHECK(strlen(word) < size && printable(word) && !strchr(word, '\''));
	if (r == 0)
		CHECK(word[0] == '\0');
	free(word);
	free(want);
}

/* The model of parse_cpu_limit(): the first maxcpus=N, nosmt or nosmt=X
 * word (not after "--"), cut to 63 bytes, shown(). */
static int model_cpu_limit(const char *s, char *word, size_t size)
{
	const char *p = s;

	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		for (n = 0; p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\n'; n++)
			;
		if (n == 2 && p[0] == '-' && p[1] == '-')
			break;
		if ((n > 8 && memcmp(p, "maxcpus=", 8) == 0) || (n == 5 && memcmp(p, "nosmt", 5) == 0) ||
		    (n > 6 && memcmp(p, "nosmt=", 6) == 0))
			return model_word(p, n, 64, word, size);
		p += n;
	}
	word[0] = '\0';
	return 0;
}

static void check_cpu_limit(const char *s, size_t size)
{
	char *word = malloc(size), *want = malloc(size);
	int r;

	CHECK(word && want);
	r = parse_cpu_limit(s, word, size);
	CHECK(r == model_cpu_limit(s, want, size));
	CHECK(strcmp(word, want) == 0 && printable(word) && strlen(word) < size);
	free(word);
	free(want);
}

/* Exactly what the kernel prints for each knob. */
static int model_knob(enum knob k, const char *s)
{
	static const char *const aob[] = { "offline", "online", "online_kernel", "online_movable" };
	size_t n = strspn(s, "0123456789");

	switch (k) {
	case K_AUTO_ONLINE:
		for (size_t i = 0; i < sizeof(aob) / sizeof(aob[0]); i++)
			if (strcmp(s, aob[i]) == 0)
				return 0;
		return -1;
	case K_POLICY:
		return strcmp(s, "contig-zones") == 0 || strcmp(s, "auto-movable") == 0 ? 0 : -1;
	case K_RATIO:   /* decimal, canonical, at most nine digits */
		return n > 0 && n <= 9 && s[n] == '\0' && (s[0] != '0' || n == 1) ? 0 : -1;
	case K_NUMA:
		return strcmp(s, "Y") == 0 || strcmp(s, "N") == 0 ? 0 : -1;
	default:
		return -1;
	}
}

static void check_knobs(const char *s)
{
	for (enum knob k = K_AUTO_ONLINE; k < NKNOBS; k++) {
		int r = parse_knob(k, s);

		CHECK(r == 0 || r < 0);
		CHECK((r == 0) == (model_knob(k, s) == 0));
		/* Every accepted value fits where the helper keeps it. */
		if (r == 0)
			CHECK(strlen(s) < KNOB_LEN && printable(s));
	}
	CHECK(parse_knob(NKNOBS, s) < 0);
	CHECK(knob_name(K_AUTO_ONLINE) && strcmp(knob_name(K_NUMA), "auto_movable_numa_aware") == 0);
}

/* The model of a record: "knob=value" lines ('\n' after each; the last
 * may lack it), each knob known, once, with a value the kernel prints. */
static int model_record(const char *s, struct knobs *want)
{
	memset(want, 0, sizeof(*want));
	while (*s) {
		const char *nl = strchr(s, '\n'), *eq;
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char line[512];
		enum knob k = K_AUTO_ONLINE;

		if (n >= sizeof(line))
			return -1;
		memcpy(line, s, n);
		line[n] = '\0';
		eq = strchr(line, '=');
		if (!eq)
			return -1;
		while (k < NKNOBS && (strncmp(line, knob_name(k), (size_t)(eq - line)) != 0 ||
				      knob_name(k)[eq - line] != '\0'))
			k++;
		if (k == NKNOBS || want->val[k][0] || strlen(eq + 1) >= KNOB_LEN ||
		    model_knob(k, eq + 1) < 0)
			return -1;
		strcpy(want->val[k], eq + 1);
		s += n + (nl != NULL);
	}
	return 0;
}

static void check_record(const char *s)
{
	struct knobs saved, want, again;
	char *text = strdup(s), *copy;
	char back[NKNOBS * (KNOB_LEN + 32)] = "";
	int r;

	CHECK(text != NULL);
	memset(&saved, 0xa5, sizeof(saved));
	r = parse_record(text, &saved);
	CHECK(r == 0 || r == -EINVAL);
	if (model_record(s, &want) < 0) {
		CHECK(r == -EINVAL);
		memset(&want, 0, sizeof(want));   /* refused: nothing half-read */
	} else {
		CHECK(r == 0);
	}
	CHECK(memcmp(&saved, &want, sizeof(saved)) == 0);
	/* What setup writes back (kernel.c's write_record) reads back the same. */
	for (enum knob k = K_AUTO_ONLINE; k < NKNOBS; k++)
		if (saved.val[k][0])
			snprintf(back + strlen(back), sizeof(back) - strlen(back), "%s=%s\n",
				 knob_name(k), saved.val[k]);
	copy = strdup(back);
	CHECK(copy != NULL);
	CHECK(parse_record(copy, &again) == 0);
	CHECK(memcmp(&again, &saved, sizeof(saved)) == 0);
	free(copy);
	free(text);
}

/* plan_kernel() from any configuration and any capabilities, against
 * the design's table. */
static void check_plan(unsigned bits, const char *cmdline)
{
	struct config c;
	struct kernel_caps k;
	struct kernel_plan p;
	char word[64];
	bool leave;

	config_defaults(&c);
	c.memory = (enum mem_policy)(bits % 5);
	c.memory_set = bits & 8;
	c.kernel_online = !(bits & 16);
	c.skip_arch = bits & 32;
	c.numa_aware = bits & 64;
	c.dax_kmem = bits & 256;
	c.movable_ratio = 1 + (bits >> 1) % 100000;
	memset(&k, 0, sizeof(k));
	k.auto_online = bits & 128;
	k.policy = bits & 4;
	k.arch_skip = bits & 2;
	k.dax = bits & 512;
	parse_cmdline(cmdline, word, sizeof(word));
	k.cmdline = word;
	memset(&p, 0xa5, sizeof(p));
	plan_kernel(&c, &k, &p);

	CHECK(memchr(p.why, '\0', sizeof(p.why)) && p.why[0] && printable(p.why));
	/* The command line's word without a `memory =` line: the kernel's setting stands. */
	leave = !k.auto_online || (c.skip_arch && k.arch_skip) || (word[0] && !c.memory_set);
	CHECK(p.leave == leave);
	if (leave) {
		CHECK(!p.auto_online && !p.auto_movable && !p.fallback);
		return;
	}
	CHECK(p.auto_online && parse_knob(K_AUTO_ONLINE, p.auto_online) == 0);
	/* daxctl refuses to run while the kernel onlines memory. */
	if (!c.kernel_online || c.memory == MEM_OFF || k.dax) {
		CHECK(strcmp(p.auto_online, "offline") == 0 && !p.auto_movable && !p.fallback);
		return;
	}
	CHECK(p.auto_movable == (c.memory == MEM_AUTO && k.policy));
	CHECK(p.fallback == (c.memory == MEM_MOVABLE || c.memory == MEM_KERNEL));
	if (c.memory == MEM_ONLINE || c.memory == MEM_AUTO)
		CHECK(strcmp(p.auto_online, "online") == 0);
	else
		CHECK(strcmp(p.auto_online, policy_name(c.memory)) == 0);
}

/* plan_block(): how the helper onlines an offline block.  The `memory =`
 * line wins; without it memhp_default_state= says how, and its "offline"
 * (only that: a value the kernel ignores is no choice) leaves it offline. */
static void check_block(unsigned bits, const char *cmdline)
{
	static const char *const types[] = { "online", "online_kernel", "online_movable" };
	struct config c;
	char word[64], why[160];
	const char *type, *want = NULL, *v = word + 20;
	bool set = false;

	config_defaults(&c);
	c.memory = (enum mem_policy)(bits % 5);
	c.memory_set = bits & 8;
	parse_cmdline(cmdline, word, sizeof(word));
	why[0] = '\0';
	type = plan_block(&c, word, why, sizeof(why));
	if (!c.memory_set && strncmp(word, "memhp_default_state=", 20) == 0) {
		for (size_t i = 0; i < 3; i++)
			if (strcmp(v, types[i]) == 0)
				want = types[i], set = true;
		if (strcmp(v, "offline") == 0) {
			CHECK(type == NULL && strstr(why, word) && printable(why));
			return;
		}
	}
	if (!set)
		want = c.memory == MEM_OFF ? NULL : c.memory == MEM_AUTO ? "online" :
			policy_name(c.memory);
	if (!want) {
		CHECK(type == NULL && strcmp(why, "left offline (memory = off)") == 0);
		return;
	}
	CHECK(type && strcmp(type, want) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t wsize;
	char *s;

	if (size < 2)
		return 0;
	wsize = 8 + data[0] % 72;   /* shown()'s documented minimum is 8 */
	s = fuzz_str(data + 2, size - 2);
	check_cmdline(s, wsize);
	check_cmdline(s, 64);       /* the size kernel_caps uses */
	check_cpu_limit(s, wsize);
	check_knobs(s);
	check_record(s);
	check_plan(data[1] | (size > 2 ? (unsigned)data[2] << 8 : 0), s);
	check_block(data[1], s);
	free(s);
	return 0;
}
