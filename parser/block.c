/*
 * block.c: the parser's explanation blocks and findings of one package,
 * and how blocks are attached to their verdicts when the package ends.
 * See parser_int.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "parser_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- blocks ---- */

void
flow_close(struct parser *p)
{
	struct esc_flow *f;

	if (p->fln == 0)
		return;
	f = &p->flv[p->fln - 1];
	if (f->steps == NULL && p->stn > 0) {
		size_t len = p->stn * sizeof(*f->steps);
		struct htent *e = NULL;
		/* the steps' strings are interned, so equal arrays are
		 * equal bytes; most arrays were seen before */
		if (len <= UINT32_MAX) {
			uint64_t h = p->sthash;
			e = htab_get(&p->seqtab, h, p->stv, len);
			if (e == NULL)
				e = htab_find(&p->seqtab, h, p->stv, len, 1);
		}
		if (e == NULL || e->v.p == NULL) {
			f->steps = arena_alloc(&p->arena, len);
			memcpy(f->steps, p->stv, len);
			if (e != NULL)
				e->k = e->v.p = f->steps;
		} else
			f->steps = e->v.p;
		f->nsteps = p->stn;
	}
	p->stn = 0;
	p->sthash = 0;
}

void
block_close(struct parser *p)
{
	struct esc_block *b = p->cur;

	if (b == NULL)
		return;
	flow_close(p);
	if (p->fln > 0) {
		b->flows = arena_alloc(&p->arena, p->fln * sizeof(*b->flows));
		memcpy(b->flows, p->flv, p->fln * sizeof(*b->flows));
		b->nflows = p->fln;
	}
	p->fln = 0;
	p->cur = NULL;
}

void
block_open(struct parser *p, const struct esc_pos *pos, const char *msg, size_t n,
    const char *subject, const char *dest, const char *func)
{
	struct esc_block *b;

	block_close(p);
	b = arena_alloc(&p->arena, sizeof(*b));
	memset(b, 0, sizeof(*b));
	b->heading = pstr(p, msg, n > 0 && msg[n - 1] == ':' ? n - 1 : n);
	b->subject = subject;
	b->dest = dest;
	b->func = func;
	b->pos = *pos;
	b->lineno = p->lineno;
	if (p->bn == p->bcap) {
		p->bcap = p->bcap ? 2 * p->bcap : 256;
		p->bv = xreallocarray(p->bv, p->bcap, sizeof(*p->bv));
	}
	p->bv[p->bn++] = b;
	p->cur = b;
	p->saw_m2 = 1;
}

/* ---- findings and packages ---- */

struct esc_finding *
finding_add(struct parser *p, const struct esc_pos *pos, enum esc_kind k,
    const char *msg, size_t n)
{
	struct esc_finding *f;

	if (p->fn == p->fcap) {
		p->fcap = p->fcap ? 2 * p->fcap : 256;
		p->fv = xreallocarray(p->fv, p->fcap, sizeof(*p->fv));
	}
	f = &p->fv[p->fn++];
	memset(f, 0, sizeof(*f));
	f->pos = *pos;
	f->kind = k;
	f->message = astr(p, msg, n);
	f->detail = "";
	f->subject = "";
	f->lineno = p->lineno;
	return f;
}

static uint64_t
site_hash(const struct esc_pos *pos, const char *subject)
{
	uint64_t h = htab_hash(pos->file, strlen(pos->file), (uint64_t)pos->line * 131 + (uint64_t)pos->col);
	return htab_hash(subject, strlen(subject), h);
}

static int
same_site(const struct esc_pos *a, const char *sa, const struct esc_pos *b, const char *sb)
{
	return a->line == b->line && a->col == b->col &&
	    (a->file == b->file || strcmp(a->file, b->file) == 0) &&
	    strcmp(sa, sb) == 0;
}

/* Does block b explain finding f (same site assumed)? */
static int
block_fits(const struct esc_block *b, const struct esc_finding *f)
{
	size_t n;

	if (b->dest == NULL)            /* "X escapes to heap" heading */
		return f->kind == ESC_HEAP || f->kind == ESC_MOVED;
	if (f->kind == ESC_LEAK || f->kind == ESC_LEAK_CONTENT)
		return strcmp(b->dest, "{heap}") == 0;
	if (f->kind == ESC_LEAK_RESULT) {
		n = strlen(b->dest);
		return strncmp(f->detail, b->dest, n) == 0 && f->detail[n] == ' ';
	}
	return 0;
}

static int
block_loosely_fits(const struct esc_block *b, const struct esc_finding *f)
{
	if (b->dest == NULL)
		return f->kind == ESC_HEAP || f->kind == ESC_MOVED;
	return f->kind == ESC_LEAK || f->kind == ESC_LEAK_CONTENT ||
	    f->kind == ESC_LEAK_RESULT;
}

/* The first pass of match_blocks: records that b goes to f (blocks of a
 * finding are chained through bnext, newest first) and counts them; the
 * arrays are allocated once, exactly, when every block has its verdict. */
struct attach_state {
	size_t *target;         /* per block: 1 + index of its verdict, or 0 */
	size_t *fhead;          /* per finding: 1 + its newest block, or 0 */
	size_t *bnext;          /* per block: 1 + the previous one of its verdict */
};

static void
attach(struct parser *p, struct attach_state *as, struct esc_finding *f, size_t j)
{
	struct esc_block *b = p->bv[j];
	size_t fi = (size_t)(f - p->fv);

	as->target[j] = fi + 1;
	as->bnext[j] = as->fhead[fi];
	as->fhead[fi] = j + 1;
	f->nblocks++;
	b->attached = 1;
	if (f->func == NULL && b->func != NULL)
		f->func = b->func;
}

/* Does f already hold a block with b's heading? */
static int
has_heading(const struct parser *p, const struct attach_state *as, size_t fi,
    const struct esc_block *b)
{
	size_t k;

	for (k = as->fhead[fi]; k != 0; k = as->bnext[k - 1])
		if (p->bv[k - 1]->heading == b->heading ||
		    strcmp(p->bv[k - 1]->heading, b->heading) == 0)
			return 1;
	return 0;
}

/* The second pass: each finding's array, in block order. */
static void
attach_fill(struct parser *p, const struct attach_state *as)
{
	size_t i, j;

	for (i = 0; i < p->fn; i++) {
		struct esc_finding *f = &p->fv[i];
		if (f->nblocks == 0)
			continue;
		f->blocks = arena_alloc(&p->arena, f->nblocks * sizeof(*f->blocks));
		f->nblocks = 0;
	}
	for (j = 0; j < p->bn; j++) {
		struct esc_finding *f;
		if (as->target[j] == 0)
			continue;
		f = &p->fv[as->target[j] - 1];
		f->blocks[f->nblocks++] = p->bv[j];
	}
}

/* A heap or moved verdict at b's position, preferring one with no block
 * yet; poshead/posnext chain the verdicts by position alone. */
static struct esc_finding *
same_position_verdict(struct parser *p, const struct esc_block *b,
    const size_t *poshead, const size_t *posnext, size_t mask)
{
	size_t i;
	struct esc_finding *any = NULL;

	for (i = poshead[site_hash(&b->pos, "") & mask]; i != (size_t)-1; i = posnext[i]) {
		struct esc_finding *f = &p->fv[i];
		if ((f->kind != ESC_HEAP && f->kind != ESC_MOVED) ||
		    f->pos.line != b->pos.line || f->pos.col != b->pos.col ||
		    strcmp(f->pos.file, b->pos.file) != 0)
			continue;
		if (f->nblocks == 0)
			return f;
		if (any == NULL)
			any = f;
	}
	return strncmp(b->subject, "append(", 7) == 0 ? any : NULL;
}

/* Attaches every block to the verdict with the same position and subject:
 * the exact destination first, any leak verdict of the site second.
 * Where a site repeats (generic instantiations), blocks go to the first
 * verdict that has none with the same heading yet. */
static void
match_blocks(struct parser *p)
{
	size_t cap = 16, i, j;
	size_t *head, *next, *poshead, *posnext;
	const size_t NONE = (size_t)-1;
	struct attach_state as;

	while (cap < 2 * p->fn)
		cap *= 2;
	head = xmalloc(cap * sizeof(*head));
	next = xmalloc((p->fn ? p->fn : 1) * sizeof(*next));
	poshead = xmalloc(cap * sizeof(*poshead));
	posnext = xmalloc((p->fn ? p->fn : 1) * sizeof(*posnext));
	for (i = 0; i < cap; i++)
		head[i] = poshead[i] = NONE;
	as.target = xcalloc(p->bn ? p->bn : 1, sizeof(*as.target));
	as.bnext = xcalloc(p->bn ? p->bn : 1, sizeof(*as.bnext));
	as.fhead = xcalloc(p->fn ? p->fn : 1, sizeof(*as.fhead));
	/* insert in reverse so each chain is in input order */
	for (i = p->fn; i-- > 0;) {
		struct esc_finding *f = &p->fv[i];
		size_t h;
		if (f->kind != ESC_HEAP && f->kind != ESC_MOVED && f->kind != ESC_LEAK &&
		    f->kind != ESC_LEAK_RESULT && f->kind != ESC_LEAK_CONTENT)
			continue;
		h = site_hash(&f->pos, f->subject) & (cap - 1);
		next[i] = head[h];
		head[h] = i;
		h = site_hash(&f->pos, "") & (cap - 1);
		posnext[i] = poshead[h];
		poshead[h] = i;
	}
	for (j = 0; j < p->bn; j++) {
		struct esc_block *b = p->bv[j];
		size_t h = site_hash(&b->pos, b->subject) & (cap - 1);

		if (b->owner) {
			attach(p, &as, &p->fv[b->owner - 1], j);
			continue;
		}
		struct esc_finding *exact = NULL, *fresh = NULL, *loose = NULL, *after = NULL;
		/* Blocks with no position (Go 1.26+ range-over-func: every
		 * "#next" of the package shares the site) come just before
		 * their verdict: the next unexplained one goes first. */
		int nopos = b->pos.line == 0 && b->pos.file[0] == '\0';

		for (i = head[h]; i != NONE; i = next[i]) {
			struct esc_finding *f = &p->fv[i];
			int dup = 0;
			if (!same_site(&f->pos, f->subject, &b->pos, b->subject))
				continue;
			if (block_fits(b, f)) {
				if (exact == NULL)
					exact = f;
				if (nopos && after == NULL && f->nblocks == 0 && f->lineno > b->lineno)
					after = f;
				if (f->nblocks > 0 && has_heading(p, &as, i, b))
					dup = 1;
				if (!dup && fresh == NULL)
					fresh = f;
			} else if (loose == NULL && block_loosely_fits(b, f))
				loose = f;
		}
		/* Go 1.25+ heads some blocks with another spelling of the
		 * subject than its verdict prints: "append(s, x)" against
		 * "append", or "x" against the constant value "10".  Such a
		 * block goes to a heap or moved verdict at the same position,
		 * one that has no block yet. */
		if (!fresh && !exact && !loose && b->dest == NULL)
			exact = same_position_verdict(p, b, poshead, posnext, cap - 1);
		if (after)
			attach(p, &as, after, j);
		else if (fresh)
			attach(p, &as, fresh, j);
		else if (exact)
			attach(p, &as, exact, j);
		else if (loose)
			attach(p, &as, loose, j);
	}
	attach_fill(p, &as);
	free(as.target);
	free(as.bnext);
	free(as.fhead);
	free(head);
	free(next);
	free(poshead);
	free(posnext);
}

int
package_flush(struct parser *p)
{
	struct esc_package pkg;
	size_t i;
	int rc = 0;

	block_close(p);
	if (p->pkg_has_content || p->pkgname != NULL) {
		match_blocks(p);
		memset(&pkg, 0, sizeof(pkg));
		pkg.name = p->pkgname ? p->pkgname :
		    (p->default_pkg ? p->default_pkg : "");
		pkg.lineno = p->pkgline;
		pkg.findings = p->fv;
		pkg.nfindings = p->fn;
		pkg.blocks = p->bv;
		pkg.nblocks = p->bn;
		/* Blocks of compiler-generated wrappers have no verdict
		 * line; they are counted, not warned about. */
		for (i = 0; i < p->bn; i++)
			if (!p->bv[i]->attached)
				pkg.norphans++;
		if (p->sink.package && !p->stopped)
			rc = p->sink.package(p->sink.ctx, &pkg);
		if (rc)
			p->stopped = rc;
	}
	arena_reset(&p->arena);
	pstr_reset(p);
	p->pkgname = NULL;
	p->pkgline = 0;
	p->pkg_has_content = 0;
	p->fn = p->bn = 0;
	return p->stopped;
}
