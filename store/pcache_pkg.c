/*
 * pcache_pkg: a package in the parse cache's bytes and back (see
 * ingest_cache.c for the cache): what the parser handed over, texts kept
 * once each, and the function ingest found for each finding.
 */
#include <stdlib.h>
#include <string.h>

#include "cause.h"
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
static uint64_t
text_ref(struct pcache *c, const char *s)
{
	struct htent *e;

	if (s == NULL)
		return 0;
	c->strs.byaddr = 1;
	e = htab_find(&c->strs, htab_addr_hash(s), s, 0, 1);
	if (e->v.u == 0) {
		put_str(&c->table, s);
		e->v.u = ++c->nstrs;
	}
	return e->v.u;
}

static void
put_ref(struct pcache *c, const char *s)
{
	put_uv(&c->entry, text_ref(c, s));
}

static void
put_pos(struct pcache *c, const struct esc_pos *pos)
{
	put_ref(c, pos->file ? pos->file : "");
	put_sv(&c->entry, pos->line);
	put_sv(&c->entry, pos->col);
}

/* A finding's flows as encode_flows (ingest_pkg.c) lays them out, each
 * text by its number in the table and each step's file as given (it is
 * made a file name again at each use): length-prefixed. */
static void
put_flows(struct pcache *c, const struct esc_finding *f)
{
	struct sbuf *t = &c->lflows;
	size_t i, j, k;

	sbuf_reset(t);
	if (f->nblocks > 0) {
		put_uv(t, 1);
		put_uv(t, f->nblocks);
	}
	for (i = 0; i < f->nblocks; i++) {
		const struct esc_block *b = f->blocks[i];
		put_uv(t, text_ref(c, b->heading));
		put_uv(t, (uint64_t)b->truncated);
		put_uv(t, b->nflows);
		for (j = 0; j < b->nflows; j++) {
			const struct esc_flow *fl = &b->flows[j];
			put_uv(t, text_ref(c, fl->dst));
			put_uv(t, text_ref(c, fl->src));
			put_uv(t, fl->nsteps);
			for (k = 0; k < fl->nsteps; k++) {
				const struct esc_step *st = &fl->steps[k];
				put_uv(t, text_ref(c, st->expr));
				put_uv(t, text_ref(c, st->reason));
				put_uv(t, text_ref(c, st->pos.file));
				put_uv(t, (uint64_t)(st->pos.line > 0 ? st->pos.line : 0));
				put_uv(t, (uint64_t)(st->pos.col > 0 ? st->pos.col : 0));
			}
		}
	}
	put_uv(&c->entry, t->len);
	sbuf_add(&c->entry, t->buf, t->len);
}

/* The package as ingest_package needs it again: its name, counts, and
 * each finding with the function and cause ingest found for it (noted
 * by cache_note_func) and its flows already laid out.  The blocks
 * themselves are not kept: nothing reads them again. */
void
cache_capture(struct ingest *in, const struct esc_package *p)
{
	struct pcache *c = in->cache;
	struct sbuf *b;
	const char *fn;
	size_t i;
	unsigned long base;

	if (c == NULL || !c->active)
		return;
	base = c->capture_base;
	c->saw = p->nblocks > 0;
	if (++c->packages > 1 || p->name[0] == '\0' || c->causes.len != p->nfindings) {
		c->active = 0;
		return;
	}
	b = &c->entry;
	sbuf_reset(b);
	sbuf_reset(&c->table);
	htab_reset(&c->strs);
	c->nstrs = 0;
	put_ref(c, p->name);
	put_sv(b, (int64_t)(p->lineno - base));
	put_uv(b, p->norphans);
	put_uv(b, p->nblocks);
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
		put_uv(b, (unsigned char)c->causes.buf[i]);
		put_flows(c, f);
		put_ref(c, fn);
		fn += strlen(fn) + 1;
	}
}

/* ---- a package, read back ---- */

void
replay_free(struct replay *rp)
{
	free(rp->findings);
	free(rp->funcs);
	free(rp->causes);
	free(rp->flows);
	free(rp->flowslen);
	free(rp->ids);
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

/* Flows laid out by put_flows, checked whole (flows_walk): every count
 * within the bytes, every text number within the table (ctx), nothing
 * left over. */
static inline int
text_in_table(void *ctx, enum flow_part part, uint64_t v)
{
	return part != FLOW_VALUE && v > *(const size_t *)ctx ? -1 : 0;
}

static int
flows_ok(const unsigned char *p, const unsigned char *end, size_t ntexts)
{
	return flows_walk(p, end, text_in_table, &ntexts) == 0;
}

int
replay_read(struct rd *r, struct replay *rp, unsigned long base)
{
	size_t i;
	struct esc_package *p = &rp->pkg;
	struct replay_view *v = &rp->view;

	memset(p, 0, sizeof(*p));
	rp->nstrs = get_count(r);
	if (r->bad)
		return -1;
	room(&rp->strs, &rp->capstrs, rp->nstrs + 1, sizeof(*rp->strs));
	for (i = 0; i < rp->nstrs && !r->bad; i++)
		rp->strs[i] = get_str(r);
	p->name = get_text(r, rp);
	p->lineno = base + (unsigned long)get_sv(r);
	p->norphans = (size_t)get_uv(r);
	p->nblocks = (size_t)get_uv(r);
	p->nfindings = get_count(r);
	if (r->bad)
		return -1;
	if (p->nfindings + 1 > rp->capfindings) {
		size_t cap = p->nfindings + 1 > 2 * rp->capfindings ?
		    p->nfindings + 1 : 2 * rp->capfindings;
		rp->findings = xreallocarray(rp->findings, cap, sizeof(*rp->findings));
		rp->funcs = xreallocarray(rp->funcs, cap, sizeof(*rp->funcs));
		rp->causes = xreallocarray(rp->causes, cap, sizeof(*rp->causes));
		rp->flows = xreallocarray(rp->flows, cap, sizeof(*rp->flows));
		rp->flowslen = xreallocarray(rp->flowslen, cap, sizeof(*rp->flowslen));
		rp->capfindings = cap;
	}
	for (i = 0; i < p->nfindings && !r->bad; i++) {
		struct esc_finding *f = &rp->findings[i];
		uint64_t kind, cause;
		size_t n;
		memset(f, 0, sizeof(*f));
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
		cause = get_uv(r);
		if (cause >= CAUSE_N)
			r->bad = 1;
		rp->causes[i] = (unsigned char)cause;
		n = get_count(r);
		if (r->bad || !flows_ok(r->p, r->p + n, rp->nstrs)) {
			r->bad = 1;
			break;
		}
		rp->flows[i] = r->p;
		rp->flowslen[i] = n;
		r->p += n;
		rp->funcs[i] = get_text(r, rp);
	}
	if (r->bad)
		return -1;
	room(&rp->ids, &rp->capids, 2 * (rp->nstrs + 1), sizeof(*rp->ids));
	memset(rp->ids, 0, 2 * (rp->nstrs + 1) * sizeof(*rp->ids));
	p->findings = rp->findings;
	v->funcs = rp->funcs;
	v->causes = rp->causes;
	v->flows = rp->flows;
	v->flowslen = rp->flowslen;
	v->texts = rp->strs;
	v->ntexts = rp->nstrs;
	v->ids = rp->ids;
	v->fids = rp->ids + rp->nstrs + 1;
	return 0;
}
