/*
 * pcache_int.h: what the parse cache's two files share: its state in
 * struct ingest, the byte encoding of its entries, and a package read
 * back.  ingest_cache.c keeps entries (blocks, keys, files, the trim);
 * pcache_pkg.c turns a package into bytes and back.  Only those two
 * files include it.
 */
#ifndef ESCDB_PCACHE_INT_H
#define ESCDB_PCACHE_INT_H

#include "ingest_int.h"


#define MAGIC "ESCDBPC2"
#define MAGIC_ORDER "ESCDBPO1"
#define TRIM_AGE (5 * 24 * 3600)
#define TOUCH_AGE 3600
#define MAX_ENTRY (1u << 30)


struct srcinfo {
	uint64_t h[2];
	int state;
};

/* A package read back: its arrays are kept from one package to the next
 * (grown, never shrunk), as the parser keeps its own. */
struct replay {
	struct esc_package pkg;
	struct replay_view view;
	const char **strs;              /* the entry's table */
	size_t nstrs, capstrs;
	struct esc_finding *findings;
	const char **funcs;
	unsigned char *causes;
	const unsigned char **flows;
	size_t *flowslen;
	size_t capfindings;
	int64_t *ids;                   /* 2 (nstrs + 1): view.ids, view.fids */
	size_t capids;
};

/* An entry loaded ahead (cache_idle), until its block comes. */
struct prefetch {
	uint64_t key[2];
	int state;                      /* 0 not loaded, 1 ready, 2 no more */
	struct sbuf body;
	struct replay rp;
	unsigned long nl, cnt[LC_N];
	int saw;
};

struct pcache {
	char *dir;                      /* DIR/parse-v1 */
	uint64_t okey[2];               /* the run's block order's key */
	int have_okey;
	struct sbuf order;              /* this run's blocks' keys, in order */
	/* the prefetch: the last run's order, loaded ahead from its end */
	struct prefetch *pf;
	size_t npf, pnext;
	int ploaded, pdone;
	size_t pbytes;
	struct htab pfmap;              /* key -> 1 + index in pf, by the 16 bytes */
	struct arena pfkeys;
	uint64_t ctx[2];                /* what every key shares */
	struct strmap src;              /* absolute path -> struct srcinfo */
	/* the block being captured */
	int active;
	uint64_t key[2];
	struct sbuf manifest;           /* path NUL state hash[16], ... */
	size_t nmanifest;
	struct strmap noted;            /* paths in the manifest */
	struct sbuf funcs;              /* each finding's function, NUL-ended */
	struct sbuf causes;             /* each finding's cause, a byte */
	struct sbuf lflows;             /* a finding's flows, being made */
	struct sbuf entry;              /* the package, serialised */
	struct sbuf body;               /* an entry read back */
	struct replay rp;
	struct sbuf table;              /* its texts, each once */
	struct htab strs;               /* text address -> 1 + index */
	size_t nstrs;
	int packages;                   /* handed over while capturing */
	int saw;                        /* it had explanation blocks */
	unsigned long capture_base;     /* input line of the block's first */
};


/* A reader of an entry's bytes: bad is set at the first byte that does
 * not fit, and every read after it yields zero. */
struct rd {
	const unsigned char *p, *end;
	int bad;
};

/* Unsigned LEB128, zigzag for signed values, 16 bytes for a hash; a
 * string is its length, its bytes and a NUL (so a string read back is
 * used in place). */
void put_uv(struct sbuf *b, uint64_t v);
void put_sv(struct sbuf *b, int64_t v);
void put_h(struct sbuf *b, const uint64_t h[2]);
void put_str(struct sbuf *b, const char *s);
/* inline: an entry is read a varint at a time */
static inline uint64_t
get_uv(struct rd *r)
{
	uint64_t v = 0;

	if (r->bad || varint_next(&r->p, r->end, &v) < 0) {
		r->bad = 1;
		return 0;
	}
	return v;
}

static inline int64_t
get_sv(struct rd *r)
{
	uint64_t u = get_uv(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}
void get_h(struct rd *r, uint64_t h[2]);
const char *get_str(struct rd *r);
/* A count, bounded by the bytes left. */
size_t get_count(struct rd *r);
/* The package of an entry, its input lines counted from base; -1 when
 * damaged.  Its pointers are valid until the next read into rp. */
int replay_read(struct rd *r, struct replay *rp, unsigned long base);

/* ingest_cache.c: an entry's file, and an entry of key checked whole and
 * against its manifest (body: the whole file, r: at the block's line
 * counts; 0, or -1 for none usable) */
char *entry_path(const struct pcache *c, const uint64_t key[2]);
int entry_load(struct ingest *in, const uint64_t key[2], struct sbuf *body, struct rd *r);
/* pcache_ahead.c: a block whose entry was loaded ahead, stored from it:
 * the return of ingest_package, or -1 when there is none; and the end of
 * the prefetch's state */
int cache_block_ahead(struct ingest *in, const uint64_t key[2]);
void prefetch_free(struct pcache *c);
void replay_free(struct replay *rp);

#endif
