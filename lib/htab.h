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

/* A hash for an address key. */
uint64_t htab_addr_hash(const void *p);
/* The entry of key k (hash h) or NULL; with create, when absent, a new
 * entry holding h, k, klen and a zero v (point k at a copy the caller
 * owns, if k does not outlive the entry).  Entries move when the table
 * grows: a pointer to one is valid until the next create. */
struct htent *htab_find(struct htab *t, uint64_t h, const void *k, size_t klen, int create);
/* Forgets every entry (the caller frees keys and values first); a large
 * table that was mostly empty is freed, so one huge package does not make
 * every later reset slow. */
void htab_reset(struct htab *t);
/* Frees the slots. */
void htab_release(struct htab *t);

#endif
