/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse_decision(): auto-movable's record of a device's decision in
 * /run/hotplug-online/devices/, read back by the device's other blocks.
 * Input: the record's text (as state_read() leaves it: no NUL, the
 * trailing newline dropped).  What parses is exactly what
 * format_decision() writes. */
#include <errno.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), line[400];
	struct decision d, again;

	if (parse_decision(text, &d) == 0) {
		CHECK(d.first <= 999999999UL && d.blocks >= 1 && d.blocks - 1 <= 999999999UL - d.first);
		CHECK(strlen(d.how) < sizeof(d.how) && printable(d.how));
		CHECK(format_decision(&d, line, sizeof(line)) == 0);
		CHECK(strlen(line) == strlen(text) + 1 && line[strlen(text)] == '\n');
		CHECK(strncmp(line, text, strlen(text)) == 0);
		line[strlen(text)] = '\0';
		CHECK(parse_decision(line, &again) == 0);
		CHECK(again.first == d.first && again.blocks == d.blocks && again.ino == d.ino &&
		      again.movable == d.movable && strcmp(again.how, d.how) == 0);
	} else {
		CHECK(d.first == 0 && d.blocks == 0 && d.ino == 0 && !d.movable && !d.how[0]);
	}
	free(text);
	return 0;
}
