/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shown(): untrusted text made fit for a log line.  Input: one byte
 * choosing the buffer size (at least the documented minimum, 8), then
 * the text. */
#include "fuzz.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bufsize, len, i = 0, o = 0;
	char *s, *buf;
	const char *r;
	int cut;

	if (size < 1)
		return 0;
	bufsize = 8 + data[0] % 250;
	s = fuzz_str(data + 1, size - 1);
	buf = malloc(bufsize);      /* exactly bufsize: ASan sees any overrun */
	if (!buf)
		abort();
	r = shown(s, buf, bufsize);
	CHECK(r == buf);
	len = strnlen(buf, bufsize);
	CHECK(len < bufsize);
	CHECK(printable(buf));
	CHECK(!strchr(buf, '\''));  /* it goes between single quotes */
	/* Undo the escapes: the output is a prefix of the input, and "..."
	 * marks exactly the cases where it is not all of it. */
	cut = len >= 3 && strcmp(buf + len - 3, "...") == 0 && strlen(s) > 0;
	while (o < len) {
		unsigned char c;

		if (cut && o == len - 3)
			break;
		if (buf[o] == '\\') {
			CHECK(o + 3 < len && buf[o + 1] == 'x');
			CHECK(hexval(buf[o + 2]) >= 0 && hexval(buf[o + 3]) >= 0);
			c = (unsigned char)(hexval(buf[o + 2]) * 16 + hexval(buf[o + 3]));
			o += 4;
		} else {
			c = (unsigned char)buf[o++];
		}
		CHECK(s[i] != '\0' && (unsigned char)s[i] == c);
		i++;
	}
	if (s[i] != '\0')
		CHECK(cut);           /* text was lost: it must say so */
	/* Short printable text without quotes or backslashes comes out as is. */
	if (strlen(s) + 8 <= bufsize && printable(s) && !strpbrk(s, "'\\"))
		CHECK(strcmp(buf, s) == 0);
	free(buf);
	free(s);
	return 0;
}
