/*
 * pprof: a reader of pprof profiles (profile.proto, as Go's runtime/pprof,
 * go test -memprofile/-cpuprofile and net/http/pprof write them): gzip
 * through zlib, then a small protobuf wire-format decoder written here.
 * It owns the decoded profile; it prints nothing and returns an error
 * text (with the byte offset where one makes sense).  Callers:
 * report/hot.c, tests/fuzz/fuzz_pprof.c.
 */
#ifndef ESCDB_PPROF_H
#define ESCDB_PPROF_H

#include <stddef.h>
#include <stdint.h>

/* One frame: a source line of a function.  A location holds its lines
 * innermost first (the first line is the inlined callee, the last the
 * function the machine code belongs to). */
struct pprof_line {
	size_t func;            /* index into pprof.funcs */
	int64_t line;
};

struct pprof_function {
	uint64_t id;
	const char *name, *system_name, *filename;      /* never NULL */
	int64_t start_line;
};

struct pprof_location {
	uint64_t id, mapping_id, address;
	size_t line0, nlines;   /* pprof.lines[line0 .. line0 + nlines) */
};

struct pprof_sample {
	size_t loc0, nlocs;     /* pprof.sample_locs[loc0 ..], leaf first */
	size_t val0;            /* pprof.values[val0 .. val0 + ntypes) */
};

struct pprof_value_type {
	const char *type, *unit;        /* e.g. "alloc_space", "bytes" */
};

struct pprof {
	struct pprof_value_type *types;         /* sample_type */
	size_t ntypes;
	struct pprof_sample *samples;
	size_t nsamples;
	size_t *sample_locs;                    /* indices into locs */
	size_t nsample_locs;
	int64_t *values;                        /* nsamples * ntypes */
	size_t nvalues;
	struct pprof_location *locs;
	size_t nlocs;
	struct pprof_line *lines;
	size_t nlines;
	struct pprof_function *funcs;
	size_t nfuncs;
	char **strings;                         /* string_table, NUL-terminated copies */
	size_t nstrings;
	struct pprof_value_type period_type;
	int64_t period, time_nanos, duration_nanos;
	const char *drop_frames, *keep_frames;
	int default_type;                       /* index into types, or -1 */
	int gzipped;                            /* the input was gzip */
};

/* Decodes a profile from len bytes at data: gzip (detected by its magic
 * bytes) or an uncompressed protobuf.  On success fills p (caller
 * releases with pprof_release) and returns 0; on failure returns -1 with
 * the reason in err ("truncated varint at byte 812 of the decompressed
 * profile", "not a pprof profile: ...").  p is released either way on
 * failure. */
int pprof_decode(const void *data, size_t len, struct pprof *p, char *err, size_t errsz);

/* Reads and decodes the file at path (pprof_decode); err holds the
 * reason without the file name (the caller adds it). */
int pprof_read_file(const char *path, struct pprof *p, char *err, size_t errsz);

/* The index of the sample type named by s: a type name ("alloc_space"),
 * "type/unit", or a decimal index.  -1 when none matches. */
int pprof_type_index(const struct pprof *p, const char *s);

void pprof_release(struct pprof *p);

#endif
