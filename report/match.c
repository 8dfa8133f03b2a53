/*
 * match: pairing leftover new and fixed findings in passes (see match.h).
 *
 * Candidates are pairs of one BASE and one HEAD finding of the same class
 * whose functions a pass allows to pair; which pass depends only on the
 * two function names, so candidates are enumerated per pair of function
 * groups inside a class.  They are then taken greedily in this order:
 * pass, the similarity of the two functions (how many findings of their
 * classes they share), the same flow chain, the same column, the same
 * offset inside the function, the nearest position.
 */
#include "match.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

static const char *const pass_names[MATCH_NPASS] = {
	"", "key", "file", "closure", "rename", "extract"
};

const char *
match_pass_name(enum match_pass p)
{
	return (unsigned)p < MATCH_NPASS ? pass_names[p] : "";
}

/* ---- functions of a run ---- */

struct match_fent {
	uint64_t h;
	int line;
};

static uint64_t
fhash(int64_t pkg, const char *func, size_t n)
{
	return hash64(func, n, (uint64_t)pkg * 0x9e3779b97f4a7c15ull + 1);
}

static int
closure_part(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 4 && strncmp(s, "func", 4) == 0)
		i = 4;
	else if (n > 6 && strncmp(s, "gowrap", 6) == 0)
		i = 6;
	else if (n > 9 && strncmp(s, "deferwrap", 9) == 0)
		i = 9;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The length of func[0:n] without its last closure component, or n. */
static size_t
strip_one(const char *func, size_t n)
{
	size_t dot;

	for (dot = n; dot > 0 && func[dot - 1] != '.'; dot--)
		;
	if (dot < 2 || !closure_part(func + dot, n - dot))
		return n;
	return dot - 1;
}

size_t
match_enclosing(const char *func)
{
	size_t n = strlen(func), e;

	while ((e = strip_one(func, n)) < n)
		n = e;
	return n;
}

static void
fs_push(struct match_funcs *fs, uint64_t h, int line)
{
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 256;
		fs->v = xreallocarray(fs->v, fs->cap, sizeof(*fs->v));
	}
	fs->v[fs->n].h = h;
	fs->v[fs->n].line = line;
	fs->n++;
	fs->sorted = 0;
}

void
match_funcs_add(struct match_funcs *fs, int64_t pkg, const char *func, int line)
{
	size_t n = strlen(func), e;

	if (n == 0)
		return;
	fs_push(fs, fhash(pkg, func, n), line);
	/* a closure's enclosing functions exist too */
	while ((e = strip_one(func, n)) < n) {
		n = e;
		fs_push(fs, fhash(pkg, func, n), line);
	}
}

static int
fent_cmp(const void *a, const void *b)
{
	const struct match_fent *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static const struct match_fent *
fs_find(struct match_funcs *fs, int64_t pkg, const char *func)
{
	struct match_fent k;
	size_t lo = 0, hi, i, j;

	if (!fs->sorted) {
		if (fs->n)
			qsort(fs->v, fs->n, sizeof(*fs->v), fent_cmp);
		/* keep the first (smallest line) entry of each hash */
		for (i = j = 0; i < fs->n; i++)
			if (j == 0 || fs->v[j - 1].h != fs->v[i].h)
				fs->v[j++] = fs->v[i];
		fs->n = j;
		fs->sorted = 1;
	}
	k.h = fhash(pkg, func, strlen(func));
	hi = fs->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fs->v[mid].h < k.h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < fs->n && fs->v[lo].h == k.h ? &fs->v[lo] : NULL;
}

int
match_funcs_has(struct match_funcs *fs, int64_t pkg, const char *func)
{
	return func[0] != '\0' && fs_find(fs, pkg, func) != NULL;
}

int
match_funcs_first(struct match_funcs *fs, int64_t pkg, const char *func)
{
	const struct match_fent *e = func[0] ? fs_find(fs, pkg, func) : NULL;

	return e ? e->line : 0;
}

void
match_funcs_release(struct match_funcs *fs)
{
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

/* ---- pairing ---- */

struct ctx {
	const struct match_item *b, *h;
	struct match_funcs *fb, *fh;
	match_flow_fn *flow;
	void *flow_ctx;
	uint64_t *fl[2];        /* flow hashes, computed on first use */
	unsigned char *known[2];
};

static uint64_t
flow_of(struct ctx *cx, int side, size_t idx)
{
	if (cx->flow == NULL)
		return 0;
	if (!cx->known[side][idx]) {
		cx->fl[side][idx] = cx->flow(cx->flow_ctx, side, idx);
		cx->known[side][idx] = 1;
	}
	return cx->fl[side][idx];
}

static int
class_cmp(const struct match_item *x, const struct match_item *y)
{
	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->message != y->message)
		return x->message < y->message ? -1 : 1;
	if (x->subject != y->subject)
		return x->subject < y->subject ? -1 : 1;
	if (x->detail != y->detail)
		return x->detail < y->detail ? -1 : 1;
	return (x->external > y->external) - (x->external < y->external);
}

/* qsort has no context argument; the sort of one side at a time uses
 * this (match_pair is not reentrant across threads, nor need it be). */
static const struct match_item *sort_items;

static int
idx_cmp(const void *a, const void *b)
{
	const struct match_item *x = &sort_items[*(const size_t *)a];
	const struct match_item *y = &sort_items[*(const size_t *)b];
	int c;

	if ((c = class_cmp(x, y)) != 0)
		return c;
	if ((c = strcmp(x->func, y->func)) != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

static size_t *
sorted_index(const struct match_item *v, size_t n)
{
	size_t *ix = xreallocarray(NULL, n ? n : 1, sizeof(*ix)), i;

	for (i = 0; i < n; i++)
		ix[i] = i;
	sort_items = v;
	if (n)
		qsort(ix, n, sizeof(*ix), idx_cmp);
	sort_items = NULL;
	return ix;
}

/* The pass that may pair a finding of function fb (BASE) with one of fh
 * (HEAD) in package pkg, or MATCH_NONE. */
static enum match_pass
pass_for(struct ctx *cx, int64_t pkg, const char *fb, const char *fh)
{
	size_t eb, eh;
	int b_in_head, h_in_base;

	if (fb[0] == '\0' || fh[0] == '\0')
		return MATCH_NONE;
	if (strcmp(fb, fh) == 0)
		return MATCH_FILE;
	eb = match_enclosing(fb);
	eh = match_enclosing(fh);
	if (eb == eh && (fb[eb] != '\0' && fh[eh] != '\0') && strncmp(fb, fh, eb) == 0)
		return MATCH_CLOSURE;
	b_in_head = match_funcs_has(cx->fh, pkg, fb);
	h_in_base = match_funcs_has(cx->fb, pkg, fh);
	if (h_in_base)
		return MATCH_NONE;      /* never into a function BASE had */
	return b_in_head ? MATCH_EXTRACT : MATCH_RENAME;
}

struct cand {
	size_t bi, hi;
	size_t si;              /* its function pair's score entry */
	unsigned pass, score, flow, col;
	unsigned off, dist;
};

struct score {
	uint64_t a, b;          /* function hashes */
	unsigned add, total;
	int ok;                 /* rename/extract evidence: -1 not yet known */
};

static int
score_cmp(const void *x, const void *y)
{
	const struct score *p = *(const struct score *const *)x, *q = *(const struct score *const *)y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (p->b > q->b) - (p->b < q->b);
}

static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *p = x, *q = y;

	if (p->pass != q->pass)
		return p->pass < q->pass ? -1 : 1;
	if (p->score != q->score)
		return p->score > q->score ? -1 : 1;
	if (p->flow != q->flow)
		return p->flow < q->flow ? -1 : 1;
	if (p->col != q->col)
		return p->col < q->col ? -1 : 1;
	if (p->off != q->off)
		return p->off < q->off ? -1 : 1;
	if (p->dist != q->dist)
		return p->dist < q->dist ? -1 : 1;
	if (p->bi != q->bi)
		return p->bi < q->bi ? -1 : 1;
	return (p->hi > q->hi) - (p->hi < q->hi);
}

static unsigned
absdiff(int x, int y)
{
	return x > y ? (unsigned)x - (unsigned)y : (unsigned)y - (unsigned)x;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

struct vecs {
	struct cand *c;
	size_t nc, capc;
	struct score *s;
	size_t ns, caps;
};

/* Candidates between the BASE group [b0,b1) and HEAD group [h0,h1) of
 * one class, each group one function. */
static void
group_pair(struct ctx *cx, struct vecs *vv, const size_t *ib, size_t b0, size_t b1,
    const size_t *ih, size_t h0, size_t h1)
{
	const struct match_item *fb = &cx->b[ib[b0]], *fh = &cx->h[ih[h0]];
	enum match_pass p = pass_for(cx, fb->pkg, fb->func, fh->func);
	size_t i, j, nb = b1 - b0, nh = h1 - h0;
	struct score *s;

	if (p == MATCH_NONE)
		return;
	if (vv->ns == vv->caps) {
		vv->caps = vv->caps ? vv->caps * 2 : 64;
		vv->s = xreallocarray(vv->s, vv->caps, sizeof(*vv->s));
	}
	s = &vv->s[vv->ns++];
	s->a = fhash(fb->pkg, fb->func, strlen(fb->func));
	s->b = fhash(fh->pkg, fh->func, strlen(fh->func));
	s->add = (unsigned)(nb < nh ? nb : nh);
	s->total = 0;
	s->ok = -1;
	for (i = b0; i < b1; i++)
		for (j = h0; j < h1; j++) {
			const struct match_item *x = &cx->b[ib[i]], *y = &cx->h[ih[j]];
			struct cand *c;

			if (vv->nc == vv->capc) {
				vv->capc = vv->capc ? vv->capc * 2 : 256;
				vv->c = xreallocarray(vv->c, vv->capc, sizeof(*vv->c));
			}
			c = &vv->c[vv->nc++];
			c->bi = ib[i];
			c->hi = ih[j];
			c->si = vv->ns - 1;
			c->pass = (unsigned)p;
			c->score = 0;
			c->flow = flow_of(cx, 0, ib[i]) != flow_of(cx, 1, ih[j]);
			c->col = x->col != y->col;
			c->off = absdiff(x->off, y->off);
			c->dist = absdiff(x->line, y->line);
			if (strcmp(base_name(x->file), base_name(y->file)) != 0)
				c->dist += 1u << 24;
		}
}

static size_t
group_end(const struct match_item *v, const size_t *ix, size_t i, size_t end)
{
	size_t j = i + 1;

	while (j < end && strcmp(v[ix[j]].func, v[ix[i]].func) == 0)
		j++;
	return j;
}

/* How many leftover findings each function has: sorted hashes with
 * counts. */
struct fsize {
	uint64_t h;
	unsigned n;
};

static int
fsize_cmp(const void *x, const void *y)
{
	const struct fsize *p = x, *q = y;

	return (p->h > q->h) - (p->h < q->h);
}

static struct fsize *
func_sizes(const struct match_item *v, size_t n, size_t *nout)
{
	struct fsize *f = xreallocarray(NULL, n ? n : 1, sizeof(*f));
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		f[i].h = fhash(v[i].pkg, v[i].func, strlen(v[i].func));
		f[i].n = 1;
	}
	if (n)
		qsort(f, n, sizeof(*f), fsize_cmp);
	for (i = 0; i < n; i++) {
		if (j && f[j - 1].h == f[i].h)
			f[j - 1].n++;
		else
			f[j++] = f[i];
	}
	*nout = j;
	return f;
}

static unsigned
fsize_get(const struct fsize *f, size_t n, uint64_t h)
{
	struct fsize k = { h, 0 };
	const struct fsize *e = n ? bsearch(&k, f, n, sizeof(*f), fsize_cmp) : NULL;

	return e ? e->n : 0;
}

/* Rename and extract need evidence that the code moved, as git wants
 * half of a file's lines for a rename: two functions with shared
 * findings (score) that are more than half of the larger one's leftovers
 * (rename), or of either one's (extract: the new function is mostly the
 * old one's code, which may have gone to several helpers; or most of what
 * left the old function is in the new one, which has new code too). */
static int
moved_enough(enum match_pass pass, unsigned score, unsigned nb, unsigned nh)
{
	unsigned need;

	if (pass == MATCH_RENAME)
		need = nb > nh ? nb : nh;
	else
		need = nb < nh ? nb : nh;
	return 2 * score > need;
}

/* The similarity total of the function pair (a, b), 0 if they share no
 * class; sp is sorted by score_cmp. */
static unsigned
pair_total(struct score *const *sp, size_t n, uint64_t a, uint64_t b)
{
	struct score k, *kp = &k;
	struct score *const *e;

	k.a = a;
	k.b = b;
	e = n ? bsearch(&kp, sp, n, sizeof(*sp), score_cmp) : NULL;
	return e ? (*e)->total : 0;
}

/* A closure is code of its enclosing function: one closure pairs with a
 * closure (or function) of another enclosing function only when the
 * enclosing functions themselves may pair (pass_for) and moved (renamed,
 * or code extracted from one into the other, by the same evidence), else
 * two unrelated closures of one signature would pair.  Two enclosing
 * functions without any finding of their own pair only as a rename (both
 * gone / both new). */
static int
closure_moved(struct ctx *cx, const struct cand *c, struct score *const *sp, size_t nsp,
    const struct fsize *szb, size_t nszb, const struct fsize *szh, size_t nszh)
{
	const struct match_item *x = &cx->b[c->bi], *y = &cx->h[c->hi];
	size_t eb = match_enclosing(x->func), eh = match_enclosing(y->func);
	char *ob, *oh;
	enum match_pass p;
	uint64_t hb, hh;
	unsigned nb, nh;

	if (x->func[eb] == '\0' && y->func[eh] == '\0')
		return 1;               /* neither is a closure */
	if (eb == eh && strncmp(x->func, y->func, eb) == 0)
		return 1;
	ob = xstrndup(x->func, eb);
	oh = xstrndup(y->func, eh);
	p = pass_for(cx, x->pkg, ob, oh);
	free(ob);
	free(oh);
	if (p != MATCH_RENAME && p != MATCH_EXTRACT)
		return 0;
	hb = fhash(x->pkg, x->func, eb);
	hh = fhash(y->pkg, y->func, eh);
	nb = fsize_get(szb, nszb, hb);
	nh = fsize_get(szh, nszh, hh);
	if (nb == 0 && nh == 0)
		return p == MATCH_RENAME;
	return moved_enough(p, pair_total(sp, nsp, hb, hh), nb, nh);
}

void
match_pair(const struct match_item *b, size_t nb, struct match_funcs *fb,
    const struct match_item *h, size_t nh, struct match_funcs *fh,
    match_flow_fn *flow, void *flow_ctx, size_t *pair, unsigned char *pass)
{
	struct ctx cx = { b, h, fb, fh, flow, flow_ctx, { NULL, NULL }, { NULL, NULL } };
	struct vecs vv = { NULL, 0, 0, NULL, 0, 0 };
	size_t *ib, *ih, i = 0, j = 0, k;
	unsigned char *hused;
	struct score **sp;
	struct fsize *szb, *szh;
	size_t nszb, nszh;

	for (k = 0; k < nb; k++) {
		pair[k] = SIZE_MAX;
		pass[k] = MATCH_NONE;
	}
	if (nb == 0 || nh == 0)
		return;
	ib = sorted_index(b, nb);
	ih = sorted_index(h, nh);
	cx.fl[0] = xreallocarray(NULL, nb, sizeof(uint64_t));
	cx.fl[1] = xreallocarray(NULL, nh, sizeof(uint64_t));
	cx.known[0] = xcalloc(nb, 1);
	cx.known[1] = xcalloc(nh, 1);
	while (i < nb && j < nh) {
		int c = class_cmp(&b[ib[i]], &h[ih[j]]);
		size_t be, he, bg, hg, bn, hn;

		if (c < 0) {
			i++;
			continue;
		}
		if (c > 0) {
			j++;
			continue;
		}
		for (be = i + 1; be < nb && class_cmp(&b[ib[be]], &b[ib[i]]) == 0; be++)
			;
		for (he = j + 1; he < nh && class_cmp(&h[ih[he]], &h[ih[j]]) == 0; he++)
			;
		for (bg = i; bg < be; bg = bn) {
			bn = group_end(b, ib, bg, be);
			for (hg = j; hg < he; hg = hn) {
				hn = group_end(h, ih, hg, he);
				group_pair(&cx, &vv, ib, bg, bn, ih, hg, hn);
			}
		}
		i = be;
		j = he;
	}
	/* function similarity: the findings their classes share, summed */
	sp = xreallocarray(NULL, vv.ns ? vv.ns : 1, sizeof(*sp));
	for (k = 0; k < vv.ns; k++)
		sp[k] = &vv.s[k];
	if (vv.ns)
		qsort(sp, vv.ns, sizeof(*sp), score_cmp);
	for (i = 0; i < vv.ns; i = j) {
		unsigned t = 0;
		for (j = i; j < vv.ns && sp[j]->a == sp[i]->a && sp[j]->b == sp[i]->b; j++)
			t += sp[j]->add;
		for (k = i; k < j; k++)
			sp[k]->total = t;
	}
	for (k = 0; k < vv.nc; k++)
		vv.c[k].score = vv.s[vv.c[k].si].total;
	if (vv.nc)
		qsort(vv.c, vv.nc, sizeof(*vv.c), cand_cmp);
	hused = xcalloc(nh, 1);
	szb = func_sizes(b, nb, &nszb);
	szh = func_sizes(h, nh, &nszh);
	for (k = 0; k < vv.nc; k++) {
		const struct cand *c = &vv.c[k];

		if (pair[c->bi] != SIZE_MAX || hused[c->hi])
			continue;
		if (c->pass == MATCH_RENAME || c->pass == MATCH_EXTRACT) {
			/* the evidence is the two functions': decided once for
			 * their score entry */
			struct score *sc = &vv.s[c->si];

			if (sc->ok < 0)
				sc->ok = moved_enough((enum match_pass)c->pass, c->score,
				    fsize_get(szb, nszb, sc->a), fsize_get(szh, nszh, sc->b)) &&
				    closure_moved(&cx, c, sp, vv.ns, szb, nszb, szh, nszh);
			if (!sc->ok)
				continue;
		}
		pair[c->bi] = c->hi;
		pass[c->bi] = (unsigned char)c->pass;
		hused[c->hi] = 1;
	}
	free(hused);
	free(szb);
	free(szh);
	free(cx.fl[0]);
	free(cx.fl[1]);
	free(cx.known[0]);
	free(cx.known[1]);
	free(sp);
	free(vv.c);
	free(vv.s);
	free(ib);
	free(ih);
}
