/*
 * htab: see htab.h.
 */
#include "htab.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

uint64_t
htab_addr_hash(const void *p)
{
	return ((uint64_t)(uintptr_t)p >> 3) * 0x9e3779b97f4a7c15ULL >> 20;
}

static void
grow(struct htab *t)
{
	struct htent *old = t->t;
	size_t oc = t->cap, i, j, mask;

	t->cap = t->cap ? 2 * t->cap : 64;
	t->t = xcalloc(t->cap, sizeof(*t->t));
	mask = t->cap - 1;
	for (i = 0; i < oc; i++) {
		if (old[i].k == NULL)
			continue;
		for (j = (size_t)old[i].h & mask; t->t[j].k; j = (j + 1) & mask)
			;
		t->t[j] = old[i];
	}
	free(old);
}

struct htent *
htab_find(struct htab *t, uint64_t h, const void *k, size_t klen, int create)
{
	size_t i, mask;
	uint32_t h32 = (uint32_t)h;

	if (create && (t->n + 1) * 2 > t->cap)
		grow(t);
	if (t->cap == 0)
		return NULL;
	mask = t->cap - 1;
	for (i = (size_t)h32 & mask; t->t[i].k; i = (i + 1) & mask) {
		struct htent *e = &t->t[i];
		if (e->h != h32)
			continue;
		if (t->byaddr ? e->k == k : e->klen == klen && memcmp(e->k, k, klen) == 0)
			return e;
	}
	if (!create)
		return NULL;
	t->t[i].h = h32;
	t->t[i].k = k;
	t->t[i].klen = (uint32_t)klen;
	t->t[i].v.u = 0;
	t->n++;
	return &t->t[i];
}

void
htab_reset(struct htab *t)
{
	size_t want = 64;

	if (t->n == 0)
		return;
	/* clearing costs the capacity, not the entries: a table sized for
	 * a big package shrinks to what this one needed, so the packages
	 * after it do not each pay for it */
	while (want < 4 * t->n)
		want *= 2;
	if (t->cap > 1024 && t->cap > 2 * want) {
		free(t->t);
		t->cap = want;
		t->t = xcalloc(t->cap, sizeof(*t->t));
	} else
		memset(t->t, 0, t->cap * sizeof(*t->t));
	t->n = 0;
}

void
htab_release(struct htab *t)
{
	free(t->t);
	t->t = NULL;
	t->cap = t->n = 0;
}
