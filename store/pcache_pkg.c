/*
 * pcache_pkg: a package in the parse cache's bytes and back (see
 * ingest_cache.c for the cache): what the parser handed over, texts kept
 * once each, and the function ingest found for each finding.
 */
#include <stdlib.h>
#include <string.h>

#include "pcache_int.h"

/* ---- bytes ---- */

void
put_uv(struct sbuf *b, uint64_t v)
{
	varint_put(b, v);
}

void
put_sv(struct sbuf *b, int64_t v)
{
	put_uv(b, ((uint64_t)v << 1) ^ (v < 0 ? ~(uint64_t)0 : 0));
}

void
put_h(struct sbuf *b, const uint64_t h[2])
{
	unsigned char t[16];
	int i;

	for (i = 0; i < 8; i++) {
		t[i] = (unsigned char)(h[0] >> (8 * i));
		t[8 + i] = (unsigned char)(h[1] >> (8 * i));
	}
	sbuf_add(b, t, 16);
}


uint64_t
get_uv(struct rd *r)
{
	uint64_t v = 0;

	if (r->bad || varint_get(&r->p, r->end, &v) < 0) {
		r->bad = 1;
		return 0;
	}
	return v;
}

int64_t
get_sv(struct rd *r)
{
	uint64_t u = get_uv(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

void
get_h(struct rd *r, uint64_t h[2])
{
	int i;

	h[0] = h[1] = 0;
	if (r->end - r->p < 16) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < 8; i++) {
		h[0] |= (uint64_t)r->p[i] << (8 * i);
		h[1] |= (uint64_t)r->p[8 + i] << (8 * i);
	}
	r->p += 16;
}

/* A length-prefixed string, NUL-terminated in place of the next byte is
 * not possible in a read-only buffer: entries are loaded into a copy in
 * which each string is followed by a NUL (see put_str). */
void
put_str(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	put_uv(b, n);
	sbuf_add(b, s, n);
	sbuf_addc(b, '\0');
}

const char *
get_str(struct rd *r)
{
	uint64_t n = get_uv(r);
	const char *s;

	if (r->bad || (uint64_t)(r->end - r->p) < n + 1 || r->p[n] != '\0') {
		r->bad = 1;
		return "";
	}
	s = (const char *)r->p;
	r->p += n + 1;
	return s;
}

/* ---- a package, serialised ---- */

/* Texts go to the entry's table once each, as the parser hands them over
 * (one pointer per distinct text of the package), and are referred to by
 * 1 + index, 0 for NULL: read back, a text is again one pointer, so
 * ingest's caches by address hit as they do after a parse. */
static void
put_ref(struct pcache *c, const char *s)
{
	struct htent *e;

	if (s == NULL) {
		put_uv(&c->entry, 0);
		return;
	}
	c->strs.byaddr = 1;
	e = htab_find(&c->strs, htab_addr_hash(s), s, 0, 1);
	if (e->v.u == 0) {
		put_str(&c->table, s);
		e->v.u = ++c->nstrs;
	}
	put_uv(&c->entry, e->v.u);
}

static void
put_pos(struct pcache *c, const struct esc_pos *pos)
{
	put_ref(c, pos->file ? pos->file : "");
	put_sv(&c->entry, pos->line);
	put_sv(&c->entry, pos->col);
}

/* The index of a finding's block in the package's list (filled by
 * cache_capture), or (size_t)-1. */
static size_t
block_index(struct pcache *c, const struct esc_block *b)
{
	struct htent *e = htab_find(&c->blockidx, htab_addr_hash(b), b, 0, 0);

	return e != NULL ? (size_t)(e->v.u - 1) : (size_t)-1;
}

void
cache_capture(struct ingest *in, const struct esc_package *p)
{
	struct pcache *c = in->cache;
	struct sbuf *b;
	const char *fn;
	size_t i, j, k;
	unsigned long base;

	if (c == NULL || !c->active)
		return;
	base = c->capture_base;
	c->saw = p->nblocks > 0;
	if (++c->packages > 1 || p->name[0] == '\0') {
		c->active = 0;
		return;
	}
	b = &c->entry;
	sbuf_reset(b);
	sbuf_reset(&c->table);
	htab_reset(&c->strs);
	c->nstrs = 0;
	htab_reset(&c->blockidx);
	c->blockidx.byaddr = 1;
	put_ref(c, p->name);
	put_sv(b, (int64_t)(p->lineno - base));
	put_uv(b, p->norphans);
	put_uv(b, p->nblocks);
	for (i = 0; i < p->nblocks; i++) {
		const struct esc_block *bl = p->blocks[i];
		htab_find(&c->blockidx, htab_addr_hash(bl), bl, 0, 1)->v.u = i + 1;
		put_ref(c, bl->heading ? bl->heading : "");
		put_ref(c, bl->subject);
		put_ref(c, bl->dest);
		put_ref(c, bl->func);
		put_pos(c, &bl->pos);
		put_sv(b, (int64_t)(bl->lineno - base));
		put_uv(b, (uint64_t)bl->truncated);
		put_uv(b, (uint64_t)bl->attached);
		put_uv(b, bl->owner);
		put_uv(b, bl->nflows);
		for (j = 0; j < bl->nflows; j++) {
			const struct esc_flow *fl = &bl->flows[j];
			put_ref(c, fl->dst);
			put_ref(c, fl->src);
			put_uv(b, fl->nsteps);
			for (k = 0; k < fl->nsteps; k++) {
				put_ref(c, fl->steps[k].expr);
				put_ref(c, fl->steps[k].reason);
				put_pos(c, &fl->steps[k].pos);
			}
		}
	}
	put_uv(b, p->nfindings);
	fn = c->funcs.buf;
	for (i = 0; i < p->nfindings; i++) {
		const struct esc_finding *f = &p->findings[i];
		if (fn == NULL || fn >= c->funcs.buf + c->funcs.len) {
			c->active = 0;  /* a finding without its function */
			return;
		}
		put_pos(c, &f->pos);
		put_uv(b, (uint64_t)f->kind);
		put_ref(c, f->subject);
		put_ref(c, f->detail);
		put_ref(c, f->message);
		put_ref(c, f->func);
		put_sv(b, (int64_t)(f->lineno - base));
		put_uv(b, f->nblocks);
		for (j = 0; j < f->nblocks; j++) {
			size_t bi = block_index(c, f->blocks[j]);
			if (bi == (size_t)-1) {
				c->active = 0;
				return;
			}
			put_uv(b, bi);
		}
		put_ref(c, fn);
		fn += strlen(fn) + 1;
	}
}

/* ---- a package, read back ---- */

void
replay_free(struct replay *rp)
{
	free(rp->blocks);
	free(rp->bptrs);
	free(rp->findings);
	free(rp->fblocks);
	free(rp->flows);
	free(rp->steps);
	free(rp->funcs);
	free(rp->strs);
	memset(rp, 0, sizeof(*rp));
}

/* Room for n elements of size in *v (capacity *cap). */
static void
room(void *v, size_t *cap, size_t n, size_t size)
{
	void **pv = v;

	if (n <= *cap)
		return;
	*cap = n > 2 * *cap ? n : 2 * *cap;
	*pv = xreallocarray(*pv, *cap, size);
}

static const char *
get_ref(struct rd *r, const struct replay *rp)
{
	uint64_t i = get_uv(r);

	if (i > rp->nstrs) {
		r->bad = 1;
		return NULL;
	}
	return i ? rp->strs[i - 1] : NULL;
}

/* A text that may not be NULL. */
static const char *
get_text(struct rd *r, const struct replay *rp)
{
	const char *s = get_ref(r, rp);

	if (s == NULL) {
		r->bad = 1;
		return "";
	}
	return s;
}

static void
get_pos(struct rd *r, const struct replay *rp, struct esc_pos *pos)
{
	pos->file = get_text(r, rp);
	pos->line = (int)get_sv(r);
	pos->col = (int)get_sv(r);
}

/* Counts bound every array by the bytes left, so a damaged entry cannot
 * ask for more memory than it is long. */
size_t
get_count(struct rd *r)
{
	uint64_t n = get_uv(r);

	if (n > (uint64_t)(r->end - r->p)) {
		r->bad = 1;
		return 0;
	}
	return (size_t)n;
}

int
replay_read(struct rd *r, struct replay *rp, unsigned long base)
{
	size_t i, j, k, nfl = 0, nst = 0, nfb = 0;
	struct esc_package *p = &rp->pkg;

	memset(p, 0, sizeof(*p));
	rp->nstrs = get_count(r);
	if (r->bad)
		return -1;
	room(&rp->strs, &rp->capstrs, rp->nstrs + 1, sizeof(*rp->strs));
	for (i = 0; i < rp->nstrs && !r->bad; i++)
		rp->strs[i] = get_str(r);
	p->name = get_text(r, rp);
	p->lineno = base + (unsigned long)get_sv(r);
	p->norphans = get_count(r);
	p->nblocks = get_count(r);
	if (r->bad)
		return -1;
	room(&rp->blocks, &rp->capblocks, p->nblocks + 1, sizeof(*rp->blocks));
	room(&rp->bptrs, &rp->capbptrs, p->nblocks + 1, sizeof(*rp->bptrs));
	/* flows and steps go into growing arrays: blocks and flows hold
	 * indexes until all are read */
	for (i = 0; i < p->nblocks && !r->bad; i++) {
		struct esc_block *bl = &rp->blocks[i];
		rp->bptrs[i] = bl;
		bl->heading = get_text(r, rp);
		bl->subject = get_ref(r, rp);
		bl->dest = get_ref(r, rp);
		bl->func = get_ref(r, rp);
		get_pos(r, rp, &bl->pos);
		bl->lineno = base + (unsigned long)get_sv(r);
		bl->truncated = (int)get_uv(r);
		bl->attached = (int)get_uv(r);
		bl->owner = (size_t)get_uv(r);
		bl->nflows = get_count(r);
		bl->flows = (struct esc_flow *)(uintptr_t)nfl;
		for (j = 0; j < bl->nflows && !r->bad; j++) {
			struct esc_flow *fl;
			room(&rp->flows, &rp->capfl, nfl + 1, sizeof(*rp->flows));
			fl = &rp->flows[nfl++];
			fl->dst = get_ref(r, rp);
			fl->src = get_ref(r, rp);
			fl->nsteps = get_count(r);
			fl->steps = (struct esc_step *)(uintptr_t)nst;
			for (k = 0; k < fl->nsteps && !r->bad; k++) {
				struct esc_step *st;
				room(&rp->steps, &rp->capst, nst + 1, sizeof(*rp->steps));
				st = &rp->steps[nst++];
				st->expr = get_ref(r, rp);
				st->reason = get_ref(r, rp);
				get_pos(r, rp, &st->pos);
			}
		}
	}
	p->nfindings = get_count(r);
	if (r->bad)
		return -1;
	room(&rp->findings, &rp->capfindings, p->nfindings + 1, sizeof(*rp->findings));
	room(&rp->funcs, &rp->capfuncs, p->nfindings + 1, sizeof(*rp->funcs));
	for (i = 0; i < p->nfindings && !r->bad; i++) {
		struct esc_finding *f = &rp->findings[i];
		uint64_t kind;
		get_pos(r, rp, &f->pos);
		kind = get_uv(r);
		if (kind >= ESC_KIND_N)
			r->bad = 1;
		f->kind = (enum esc_kind)(kind < ESC_KIND_N ? kind : 0);
		f->subject = get_text(r, rp);
		f->detail = get_text(r, rp);
		f->message = get_text(r, rp);
		f->func = get_ref(r, rp);
		f->lineno = base + (unsigned long)get_sv(r);
		f->nblocks = get_count(r);
		f->blocks = (struct esc_block **)(uintptr_t)nfb;
		for (j = 0; j < f->nblocks && !r->bad; j++) {
			uint64_t bi = get_uv(r);
			if (bi >= p->nblocks) {
				r->bad = 1;
				break;
			}
			room(&rp->fblocks, &rp->capfb, nfb + 1, sizeof(*rp->fblocks));
			rp->fblocks[nfb++] = &rp->blocks[bi];
		}
		rp->funcs[i] = get_text(r, rp);
	}
	if (r->bad)
		return -1;
	for (i = 0; i < p->nfindings; i++)
		rp->findings[i].blocks = rp->fblocks + (uintptr_t)rp->findings[i].blocks;
	for (i = 0; i < p->nblocks; i++) {
		struct esc_block *bl = &rp->blocks[i];
		bl->flows = rp->flows + (uintptr_t)bl->flows;
		for (j = 0; j < bl->nflows; j++)
			bl->flows[j].steps = rp->steps + (uintptr_t)bl->flows[j].steps;
	}
	p->findings = rp->findings;
	p->blocks = rp->bptrs;
	return 0;
}
