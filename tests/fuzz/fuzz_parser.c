/*
 * fuzz_parser: libFuzzer target for parser/parser.h.  The input's first
 * byte chooses how the rest is split into parser_feed() calls (chunk sizes
 * from a small generator seeded by it), so line and package boundaries fall
 * at every possible place.  The sink walks every finding, block, flow and
 * step and touches every string, so ASan sees any bad pointer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parser/parser.h"
#include "walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parser_sink sink = { NULL, on_package, on_line, on_warning };
	char err[256];
	struct parser *p;
	uint32_t seed = 1;
	size_t off = 0;

	if (size > 0) {
		seed = (uint32_t)data[0] * 2654435761u + 1;
		data++;
		size--;
	}
	p = parser_new(&sink, err, sizeof err);
	if (p == NULL)
		__builtin_trap();
	if (seed & 1)
		parser_set_default_package(p, "fuzz/pkg");
	while (off < size) {
		size_t n;
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 97 + 1;
		if ((seed >> 8) % 5 == 0)
			n = size - off;        /* sometimes the whole rest */
		if (n > size - off)
			n = size - off;
		parser_feed(p, (const char *)data + off, n);
		off += n;
	}
	parser_finish(p);
	{
		const unsigned long *c = parser_counts(p);
		for (int i = 0; i < LC_N; i++)
			sink_total += c[i];
	}
	sink_total += parser_lines(p) + (size_t)parser_saw_m2(p);
	parser_free(p);

	/* esc_pos_split on the raw input as well */
	{
		const char *file;
		size_t flen;
		int line, col;
		if (esc_pos_split((const char *)data, size, &file, &flen, &line,
		    &col) == 0)
			sink_total += flen + (size_t)line + (size_t)col;
	}
	return 0;
}
