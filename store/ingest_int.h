/*
 * ingest_int.h: the state of one ingest, shared by ingest.c (the run, its
 * inputs and warnings), ingest_path.c (file names, source scanning) and
 * ingest_pkg.c (storing a package).  Only those files include it.
 */
#ifndef ESCDB_INGEST_INT_H
#define ESCDB_INGEST_INT_H

#include <stdint.h>

#include "../lib/htab.h"
#include "../lib/util.h"
#include "../parser/parser.h"
#include "ingest.h"

#define MAX_WARNINGS 20         /* printed per input; the rest are counted */
#define SCAN_CACHE 32           /* Go source files kept scanned */
#define MAX_SOURCE (8u << 20)   /* larger source files are not scanned */

/* What reading a Go source file gave (source_read). */
enum { SRC_MISSING, SRC_READ, SRC_SKIPPED };

struct scanned {
	char *path;
	struct funcscan *fs;    /* NULL when unreadable */
	unsigned long used;
};

/* A string map: an htab whose keys (bytes, may hold NULs) are owned
 * copies; v.p, when set, is an owned string, else v.u a count. */
#define strmap htab

/* A direct-mapped cache in front of texts and stepfiles: one slot per
 * address bucket; most steps' reasons, files and many expressions hit
 * it without hashing (cleared with them, per package). */
#define NEAR_SLOTS 1024
struct near_slot {
	const void *k;
	int64_t id;
};

struct ingest {
	struct near_slot near[2][NEAR_SLOTS];   /* [0] texts, [1] stepfiles */
	struct htab texts;            /* parser text address -> id */
	struct htab stepfiles;        /* raw step file address -> id of its
	                                   normalised name */
	struct store *st;
	struct store_writer *w;
	struct parser *parser;
	struct ingest_opts o;
	char *cwd, *goroot, *gomodcache, *modroot;
	const char *input;
	char *run_input;                /* replaces the run's input column */
	unsigned long input_warnings;
	int rc;
	struct ingest_stats stats;
	struct scanned scan[SCAN_CACHE];
	unsigned long scan_tick;
	struct htab ordinals;           /* pre-key (in okeys) -> count */
	struct arena okeys;
	struct strmap files;            /* raw file -> normalised (per package) */
	struct strmap expected;         /* package -> 1 expected, 2 printed */
	struct sbuf blob, tmp;
	char *pkgdir;                   /* of the package being stored */
	char *form;                     /* set by store_writer_set_form */
	char *go_version;               /* the run's, for old wordings */
	char *last_raw;                 /* scanner_for's one-entry cache */
	struct funcscan *last_fs;
	unsigned long kept;             /* lines kept verbatim so far */
	struct pcache *cache;           /* the parse cache, or NULL */
	const struct replay_view *replay;       /* a package from it, or NULL */
};

/* The layout encode_flows (ingest_pkg.c) gives a finding's flows: 1 and
 * the number of blocks; per block its heading (a text), truncated and the
 * number of flows; per flow dst and src (texts) and the number of steps;
 * per step expr and reason (texts), file (a file name), line and col.  No
 * bytes at all when there is no block. */
enum flow_part { FLOW_TEXT, FLOW_FILE, FLOW_VALUE };

/* Walks bytes in that layout, handing fn each value with its part (the
 * leading 1 and the counts are FLOW_VALUE): the parse cache checks an
 * entry's flows with it, gives their texts ids ahead and maps them to
 * ids.  fn returns 0 to go on, -1 to stop.  Returns 0 when the bytes are
 * the layout whole (every count within them, nothing left over), else -1.
 * Inline, so that each caller's fn is inlined too (a replay walks 220000
 * steps for go/types). */
static inline int
flows_walk(const unsigned char *p, const unsigned char *end,
    int (*fn)(void *ctx, enum flow_part part, uint64_t v), void *ctx)
{
	uint64_t v, nb, nf, ns, i, j, k;

#define FW_NEXT(part, x) do { \
	if (varint_next(&p, end, &(x)) < 0 || fn(ctx, (part), (x)) < 0) \
		return -1; \
} while (0)
#define FW_COUNT(x) do { \
	FW_NEXT(FLOW_VALUE, x); \
	if ((x) > (uint64_t)(end - p)) \
		return -1; \
} while (0)
	if (p == end)
		return 0;
	FW_NEXT(FLOW_VALUE, v);
	FW_COUNT(nb);
	if (v != 1 || nb == 0)
		return -1;
	for (i = 0; i < nb; i++) {
		FW_NEXT(FLOW_TEXT, v);
		FW_NEXT(FLOW_VALUE, v);
		FW_COUNT(nf);
		for (j = 0; j < nf; j++) {
			FW_NEXT(FLOW_TEXT, v);
			FW_NEXT(FLOW_TEXT, v);
			FW_COUNT(ns);
			for (k = 0; k < ns; k++) {
				FW_NEXT(FLOW_TEXT, v);
				FW_NEXT(FLOW_TEXT, v);
				FW_NEXT(FLOW_FILE, v);
				FW_NEXT(FLOW_VALUE, v);
				FW_NEXT(FLOW_VALUE, v);
			}
		}
	}
#undef FW_NEXT
#undef FW_COUNT
	return p == end ? 0 : -1;
}

/* A package read back from the parse cache (ingest_cache.c), beside the
 * esc_package it gives (whose findings have no blocks): per finding, its
 * function, its cause and its flows laid out as encode_flows lays them
 * out, with each text given by its number in the entry's table (i for
 * texts[i - 1], 0 for none). */
struct replay_view {
	const char *const *funcs;
	const unsigned char *causes;
	const unsigned char *const *flows;
	const size_t *flowslen;
	const char *const *texts;
	size_t ntexts;
	int64_t *ids, *fids;    /* per number: its id, its step file's (0: not yet) */
};

/* ingest.c */
struct htent *strmap_find(struct strmap *m, const char *k, size_t kn, int create);
/* Frees the keys, and the values too when values is non-zero. */
void strmap_clear(struct strmap *m, int values);
/* ingest_path.c */
char *path_clean(const char *p);
char *path_abs(const struct ingest *in, const char *raw);
void infer_goroot(struct ingest *in, const char *pkg, const char *dir);
const char *file_cached(struct ingest *in, const char *raw);
struct funcscan *scanner_for(struct ingest *in, const char *raw);
/* A Go source file as the function scanner takes it: SRC_READ with its
 * bytes in *buf (caller frees) and *n; SRC_MISSING when it cannot be
 * opened, SRC_SKIPPED when it is not a regular file or is larger than
 * MAX_SOURCE (*buf NULL, *n 0 for both). */
int source_read(const char *abs, char **buf, size_t *n);
/* ingest_pkg.c: the parser sink's package callback */
int ingest_package(void *ctx, const struct esc_package *p);
/* ingest_cache.c: the parse cache (run's), see there */
void cache_open(struct ingest *in);
void cache_close(struct ingest *in);
/* ingest_idle's work, and the block order kept at a commit */
int cache_idle(struct ingest *in);
void cache_order_save(struct ingest *in);
/* Reads fp through the cache, as parser_read would; fd is the regular
 * file fp reads from its offset 0 (a block to parse is read again). */
int cache_read(struct ingest *in, FILE *fp, int fd);
/* A source file read for the function scanner, as source_read gave it. */
void cache_source_read(struct ingest *in, const char *abs, int state, const char *buf, size_t n);
/* While a block is captured: a source file the scanner is asked about,
 * a finding's function, and the package at the end of ingest_package. */
void cache_note_source(struct ingest *in, const char *raw);
void cache_note_func(struct ingest *in, const char *func, int cause);
void cache_capture(struct ingest *in, const struct esc_package *p);

#endif
