/*
 * fuzz_pprof: libFuzzer target for parser/pprof.h.  Each input is a whole
 * profile file (gzip or a bare protobuf); a decoded profile is walked
 * completely (every sample's locations, lines, functions and strings, as
 * report/hot.c does) so out-of-range indices show up under ASan.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parser/pprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "alloc_space", "cpu", "0", "3", "samples/count", "x/" };
	struct pprof p;
	char err[512];
	size_t i, j, k, n = 0;

	if (pprof_decode(data, size, &p, err, sizeof(err)) != 0) {
		sink += strlen(err);
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		n += (size_t)(pprof_type_index(&p, names[i]) + 1);
	for (i = 0; i < p.ntypes; i++)
		n += strlen(p.types[i].type) + strlen(p.types[i].unit);
	for (i = 0; i < p.nsamples; i++) {
		const struct pprof_sample *s = &p.samples[i];

		for (k = 0; k < p.ntypes; k++)
			n += (size_t)p.values[s->val0 + k];
		for (j = 0; j < s->nlocs; j++) {
			const struct pprof_location *l = &p.locs[p.sample_locs[s->loc0 + j]];

			for (k = 0; k < l->nlines; k++) {
				const struct pprof_line *ln = &p.lines[l->line0 + k];
				const struct pprof_function *f = &p.funcs[ln->func];

				n += strlen(f->name) + strlen(f->filename) + strlen(f->system_name) +
				    (size_t)ln->line;
			}
		}
	}
	n += strlen(p.drop_frames) + strlen(p.keep_frames) + strlen(p.period_type.type);
	sink += n;
	pprof_release(&p);
	return 0;
}
