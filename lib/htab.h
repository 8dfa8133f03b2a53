/*
 * htab: the one hash table of escdb (open addressing, linear probing,
 * power-of-two capacity, at most half full), used by the parser's string
 * interning, ingest's maps and the store writer's text cache.  Keys are
 * byte strings (compared with memcmp) or, with byaddr set, addresses
 * (compared as pointers).  The caller hashes (so each user keeps its own
 * hash), owns the keys and whatever v points to; the table owns its slots,
 * 24 bytes each (the parser holds one per distinct text of a package).
 */
#ifndef ESCDB_HTAB_H
#define ESCDB_HTAB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct htent {
	uint32_t h;             /* the low bits of the caller's hash */
	uint32_t klen;          /* keys are shorter than 4 GiB */
	const void *k;          /* NULL marks an empty slot */
	union {
		int64_t i;
		uint64_t u;
		void *p;
	} v;
};

struct htab {
	struct htent *t;
	size_t cap, n;
	int byaddr;             /* keys are addresses, klen unused */
};

/* A fast hash of n bytes for keys of these tables: word loads, one
 * multiply a word.  Native byte order, and free to change in any version:
 * never store it (hash64 in util.h is the stable one). */
static inline uint64_t
htab_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL), w;
	uint32_t a, b;

	for (; n > 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h = h << 31 | h >> 33;
	}
	if (n >= 4) {           /* 4..8 bytes: two loads that may overlap */
		memcpy(&a, s, 4);
		memcpy(&b, s + (n - 4), 4);
		w = (uint64_t)a << 32 | b;
	} else if (n > 0)
		w = (uint64_t)s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16;
	else
		w = 0;
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ h >> 29;
}

/* A hash for an address key. */
uint64_t htab_addr_hash(const void *p);
/* The entry of key k (hash h) or NULL; with create, when absent, a new
 * entry holding h, k, klen and a zero v (point k at a copy the caller
 * owns, if k does not outlive the entry).  Entries move when the table
 * grows: a pointer to one is valid until the next create. */
struct htent *htab_find(struct htab *t, uint64_t h, const void *k, size_t klen, int create);
/* htab_find(t, h, k, klen, 0) for byte-string keys, inline: the hit
 * path of a hot look-up costs no call. */
static inline struct htent *
htab_get(struct htab *t, uint64_t h, const void *k, size_t klen)
{
	size_t i, mask = t->cap - 1;
	uint32_t h32 = (uint32_t)h;

	if (t->cap == 0)
		return NULL;
	for (i = (size_t)h32 & mask; t->t[i].k; i = (i + 1) & mask)
		if (t->t[i].h == h32 && t->t[i].klen == klen &&
		    memcmp(t->t[i].k, k, klen) == 0)
			return &t->t[i];
	return NULL;
}

/* Forgets every entry (the caller frees keys and values first); a table
 * much larger than its entries need is replaced by a smaller one, so one
 * huge package does not make every later reset slow. */
void htab_reset(struct htab *t);
/* Frees the slots. */
void htab_release(struct htab *t);

#endif
