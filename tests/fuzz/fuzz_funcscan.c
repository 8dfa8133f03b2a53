/*
 * fuzz_funcscan: libFuzzer target for parser/funcscan.h.  Scans the input
 * as a Go source file, looks up many line:col positions (every line at
 * columns 0, 1, a few inside and past the end, and lines outside the file),
 * and normalises slices of the input as compiler-printed function names
 * into buffers of several sizes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parser/funcscan.h"

static volatile size_t sink_total;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	struct funcscan *fs = funcscan_new(src, size);
	int lines = 1, col = 0, maxcol = 0;

	for (size_t i = 0; i < size; i++) {
		col++;
		if (src[i] == '\n') {
			if (col > maxcol)
				maxcol = col;
			lines++;
			col = 0;
		}
	}
	if (col > maxcol)
		maxcol = col;
	sink_total += strlen(funcscan_package(fs));
	for (int l = -1; l <= lines + 2; l++) {
		static const int cols[] = { -5, 0, 1, 2, 3, 5, 8, 13, 40 };
		for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
			sink_total += strlen(funcscan_lookup(fs, l, cols[k]));
		sink_total += strlen(funcscan_lookup(fs, l, maxcol + 1));
		sink_total += strlen(funcscan_lookup(fs, l, 1 << 30));
	}
	sink_total += strlen(funcscan_lookup(fs, 1 << 30, 1));
	funcscan_free(fs);

	/* funcname_normalize on each line of the input (NUL-terminated copy),
	 * into buffers of sizes 0, 1, 7 and 512 */
	{
		char in[1024], out[512];
		size_t start = 0;
		for (size_t i = 0; i <= size; i++) {
			if (i < size && src[i] != '\n')
				continue;
			size_t n = i - start;
			if (n >= sizeof in)
				n = sizeof in - 1;
			memcpy(in, src + start, n);
			in[n] = '\0';
			static const size_t sizes[] = { 0, 1, 7, sizeof out };
			for (size_t k = 0; k < 4; k++) {
				size_t r = funcname_normalize(in, out, sizes[k]);
				if (sizes[k] > 0 && r != strlen(out))
					__builtin_trap();
				if (sizes[k] > 0 && r >= sizes[k])
					__builtin_trap();
				sink_total += r;
			}
			start = i + 1;
		}
	}
	return 0;
}
