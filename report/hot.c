/*
 * hot: the join of a profile's samples with a run's findings (see hot.h
 * for the rule).  The renderings are in hot_render.c.
 */
#include "hot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

struct pkg {
	const char *name, *dir, *reldir;        /* reldir: "" or "sub/dir/" */
};

/* Per pprof function: its run package (-1: none) and file. */
struct fnmap {
	int pkg;
	const char *file;
};

/* One sample's landing place before grouping. */
struct hit {
	int pkg;
	const char *file;
	int64_t line;
	int via;
	size_t callee;          /* function index, or SIZE_MAX */
	size_t fn;              /* the run frame's function */
	int64_t v[2];
};

struct join {
	struct store *st;
	const struct pprof *p;
	struct hot *h;
	struct pkg *pkgs;
	size_t npkgs;
	struct finding_rec *finds;      /* weighed kinds, sorted by position */
	int *fpkg;                      /* package index per finding */
	size_t nfinds;
	struct fnmap *fm;
	struct hit *hits;
	size_t nhits;
};

/* ---- sample types ---- */

static int
ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static const char *
value_key(const struct pprof_value_type *t)
{
	if (strcmp(t->unit, "bytes") == 0)
		return "bytes";
	if (ends_with(t->type, "_objects") || strcmp(t->type, "objects") == 0)
		return "objects";
	if (strcmp(t->type, "cpu") == 0 && strcmp(t->unit, "nanoseconds") == 0)
		return "cpu_ns";
	return t->type;
}

/* The sample type paired with type index i: alloc_space <-> alloc_objects,
 * inuse_space <-> inuse_objects, cpu <-> samples; -1 when none. */
static int
paired_type(const struct pprof *p, int i)
{
	const char *t = p->types[i].type;
	struct sbuf want = SBUF_INIT;
	int j = -1;

	if (ends_with(t, "_space")) {
		sbuf_add(&want, t, strlen(t) - 6);
		sbuf_adds(&want, "_objects");
	} else if (ends_with(t, "_objects")) {
		sbuf_add(&want, t, strlen(t) - 8);
		sbuf_adds(&want, "_space");
	} else if (strcmp(t, "cpu") == 0)
		sbuf_adds(&want, "samples");
	else if (strcmp(t, "samples") == 0)
		sbuf_adds(&want, "cpu");
	if (want.len)
		j = pprof_type_index(p, want.buf);
	sbuf_release(&want);
	return j == i ? -1 : j;
}

static int
choose_types(const struct pprof *p, const char *sel, struct hot *h, char *err, size_t errsz)
{
	int i;

	if (sel != NULL) {
		if ((i = pprof_type_index(p, sel)) < 0) {
			struct sbuf sb = SBUF_INIT;
			size_t k;

			for (k = 0; k < p->ntypes; k++)
				sbuf_addf(&sb, "%s%zu %s/%s", k ? ", " : "", k, p->types[k].type,
				    p->types[k].unit);
			snprintf(err, errsz, "no sample type '%s' in the profile (it has %s)", sel, sb.buf);
			sbuf_release(&sb);
			return -1;
		}
	} else if ((i = pprof_type_index(p, "alloc_space")) < 0 &&
	    (i = pprof_type_index(p, "cpu")) < 0) {
		i = p->default_type >= 0 ? p->default_type : (int)p->ntypes - 1;
	}
	h->vi[0] = i;
	h->vi[1] = paired_type(p, i);
	h->key[0] = value_key(&p->types[i]);
	h->unit[0] = p->types[i].unit;
	h->type[0] = p->types[i].type;
	h->type[1] = h->vi[1] >= 0 ? p->types[h->vi[1]].type : NULL;
	h->alloc = strcmp(h->unit[0], "bytes") == 0 || ends_with(h->type[0], "_objects");
	h->key[1] = h->vi[1] >= 0 ? value_key(&p->types[h->vi[1]]) : NULL;
	h->unit[1] = h->vi[1] >= 0 ? p->types[h->vi[1]].unit : NULL;
	if (h->key[1] && strcmp(h->key[0], h->key[1]) == 0)
		h->key[1] = p->types[h->vi[1]].type;
	return 0;
}

/* ---- packages and findings ---- */

static int
pkg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pkg *)a)->name, ((const struct pkg *)b)->name);
}

static int
pkg_find(const struct join *j, const char *name, size_t n)
{
	size_t lo = 0, hi = j->npkgs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(j->pkgs[mid].name, name, n);

		if (c == 0 && j->pkgs[mid].name[n] != '\0')
			c = 1;
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
load_pkgs(struct join *j, int64_t run, const char *rundir)
{
	sqlite3 *db = store_db(j->st);
	sqlite3_stmt *s = NULL;
	size_t cap = 0, rl = strlen(rundir);
	int rc;

	if (sqlite3_prepare_v2(db,
	    "SELECT s.s, p.dir FROM package p JOIN str s ON s.id = p.name WHERE p.run = ?1 "
	    "UNION SELECT DISTINCT s.s, '' FROM finding f JOIN str s ON s.id = f.pkg "
	    "WHERE f.run = ?1 AND f.pkg NOT IN (SELECT name FROM package WHERE run = ?1)",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(j->st, "reading packages");
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *dir = (const char *)sqlite3_column_text(s, 1);
		struct pkg *k;

		j->pkgs = xreallocarray(j->pkgs, ++cap, sizeof(*j->pkgs));
		k = &j->pkgs[j->npkgs++];
		name = name ? name : "";
		dir = dir ? dir : "";
		k->name = arena_strndup(&j->h->strs, name, strlen(name));
		k->dir = arena_strndup(&j->h->strs, dir, strlen(dir));
		k->reldir = "";
		if (rl && strncmp(dir, rundir, rl) == 0 && dir[rl] == '/') {
			struct sbuf sb = SBUF_INIT;

			sbuf_adds(&sb, dir + rl + 1);
			sbuf_addc(&sb, '/');
			k->reldir = arena_strndup(&j->h->strs, sb.buf, sb.len);
			sbuf_release(&sb);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(j->st, "reading packages");
	if (j->npkgs > 1)
		qsort(j->pkgs, j->npkgs, sizeof(*j->pkgs), pkg_cmp);
	return STORE_OK;
}

/* Orders findings (and lookups) by package index, file, line, col. */
static int
pos_cmp(int pa, const char *fa, int64_t la, int ca, int pb, const char *fb, int64_t lb, int cb)
{
	int c;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	if ((c = strcmp(fa, fb)) != 0)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	return ca < cb ? -1 : ca > cb;
}

static const struct join *sort_join;    /* qsort has no context pointer */

static int
find_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct join *j = sort_join;
	const struct finding_rec *fa = &j->finds[x], *fb = &j->finds[y];
	int c = pos_cmp(j->fpkg[x], fa->file, fa->line, fa->col, j->fpkg[y], fb->file, fb->line, fb->col);

	return c ? c : (fa->id < fb->id ? -1 : fa->id > fb->id);
}

static int
load_findings(struct join *j, int64_t run, unsigned kinds)
{
	struct finding_iter *it = NULL;
	struct finding_rec r, *f2;
	size_t cap = 0, i, *ord;
	int n, *p2;

	if (finding_iter_new(j->st, run, NULL, &it) != STORE_OK)
		return STORE_EDB;
	while ((n = finding_iter_next(it, &r)) == 1) {
		if (!(kinds & (1u << r.kind)))
			continue;
		if (j->nfinds == cap) {
			cap = cap ? 2 * cap : 256;
			j->finds = xreallocarray(j->finds, cap, sizeof(*j->finds));
			j->fpkg = xreallocarray(j->fpkg, cap, sizeof(*j->fpkg));
		}
		r.flows = NULL;
		r.flowslen = 0;
		j->fpkg[j->nfinds] = pkg_find(j, r.package, strlen(r.package));
		j->finds[j->nfinds++] = r;
	}
	finding_iter_free(it);
	if (n < 0)
		return STORE_EDB;
	/* sort through an index array, then permute */
	ord = xreallocarray(NULL, j->nfinds ? j->nfinds : 1, sizeof(*ord));
	for (i = 0; i < j->nfinds; i++)
		ord[i] = i;
	sort_join = j;
	qsort(ord, j->nfinds, sizeof(*ord), find_cmp);
	f2 = xreallocarray(NULL, j->nfinds ? j->nfinds : 1, sizeof(*f2));
	p2 = xreallocarray(NULL, j->nfinds ? j->nfinds : 1, sizeof(*p2));
	for (i = 0; i < j->nfinds; i++) {
		f2[i] = j->finds[ord[i]];
		p2[i] = j->fpkg[ord[i]];
	}
	free(ord);
	free(j->finds);
	free(j->fpkg);
	j->finds = f2;
	j->fpkg = p2;
	return STORE_OK;
}

/* The first finding at package pk, file, line (or nfinds). */
static size_t
find_first(const struct join *j, int pk, const char *file, int64_t line)
{
	size_t lo = 0, hi = j->nfinds;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct finding_rec *f = &j->finds[mid];

		if (pos_cmp(j->fpkg[mid], f->file, f->line, 0, pk, file, line, 0) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- frames ---- */

/* Trailing '/'-separated components a and b have in common. */
static int
common_tail(const char *a, size_t na, const char *b, size_t nb)
{
	int n = 0;

	while (na && nb) {
		size_t sa = na, sb = nb;

		while (sa && a[sa - 1] != '/')
			sa--;
		while (sb && b[sb - 1] != '/')
			sb--;
		if (na - sa != nb - sb || memcmp(a + sa, b + sb, na - sa) != 0 || na == sa)
			break;
		n++;
		na = sa ? sa - 1 : 0;
		nb = sb ? sb - 1 : 0;
		if (sa == 0 || sb == 0)
			break;
	}
	return n;
}

/* The run package of function name with file filename, or -1. */
static int
frame_pkg(const struct join *j, const char *name, const char *filename)
{
	size_t end = strcspn(name, "[("), k, dirlen;
	const char *slash = NULL, *dot, *fs;
	int best = -1, bestn = 0, n, i;

	if (ends_with(filename, "_test.go") || ends_with(filename, "_testmain.go"))
		return -1;
	for (k = 0; k < end; k++)
		if (name[k] == '/')
			slash = name + k;
	for (dot = slash ? slash : name; (dot = memchr(dot, '.', (size_t)(name + end - dot))) != NULL;
	    dot++)
		if ((i = pkg_find(j, name, (size_t)(dot - name))) >= 0)
			return i;
	if (slash != NULL || strncmp(name, "main.", 5) != 0)
		return -1;
	/* package main: by the directory of the file */
	fs = strrchr(filename, '/');
	dirlen = fs ? (size_t)(fs - filename) : 0;
	for (i = 0; i < (int)j->npkgs; i++) {
		const struct pkg *pk = &j->pkgs[i];

		n = common_tail(filename, dirlen, pk->dir, strlen(pk->dir));
		if ((k = (size_t)common_tail(filename, dirlen, pk->name, strlen(pk->name))) > (size_t)n)
			n = (int)k;
		if (n > bestn) {
			bestn = n;
			best = i;
		}
	}
	return best;
}

static const struct fnmap *
fn_map(struct join *j, size_t fi)
{
	struct fnmap *m = &j->fm[fi];
	const struct pprof_function *f = &j->p->funcs[fi];
	const char *file = f->filename, *b;
	const struct pkg *pk;
	size_t n;

	if (m->file != NULL)
		return m;
	m->pkg = frame_pkg(j, f->name, file);
	m->file = "";
	if (m->pkg < 0)
		return m;
	pk = &j->pkgs[m->pkg];
	if ((n = strlen(pk->dir)) && strncmp(file, pk->dir, n) == 0 && file[n] == '/')
		m->file = file + n + 1;
	else if ((n = strlen(pk->name)) && strncmp(file, pk->name, n) == 0 && file[n] == '/')
		m->file = file + n + 1;
	else
		m->file = (b = strrchr(file, '/')) ? b + 1 : file;
	return m;
}

/* ---- grouping ---- */

static int
hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	int c = pos_cmp(x->pkg, x->file, x->line, 0, y->pkg, y->file, y->line, 0);

	if (c)
		return c;
	if (x->via != y->via)
		return x->via < y->via ? -1 : 1;
	return x->callee < y->callee ? -1 : x->callee > y->callee;
}

static void
add_sample(struct join *j, const struct pprof_sample *s, size_t *cap)
{
	const struct pprof *p = j->p;
	struct hot *h = j->h;
	size_t l, k, prev = SIZE_MAX;
	int64_t v0 = p->values[s->val0 + (size_t)h->vi[0]];
	int64_t v1 = h->vi[1] >= 0 ? p->values[s->val0 + (size_t)h->vi[1]] : 0;
	int first = 1;

	h->total[0] += v0;
	h->total[1] += v1;
	if (v0 == 0 && v1 == 0)
		return;
	for (l = 0; l < s->nlocs; l++) {
		const struct pprof_location *loc = &p->locs[p->sample_locs[s->loc0 + l]];

		for (k = 0; k < loc->nlines; k++, first = 0) {
			const struct pprof_line *ln = &p->lines[loc->line0 + k];
			const struct fnmap *m = fn_map(j, ln->func);
			struct hit *ht;

			if (m->pkg < 0) {
				prev = ln->func;
				continue;
			}
			if (j->nhits == *cap) {
				*cap = *cap ? 2 * *cap : 1024;
				j->hits = xreallocarray(j->hits, *cap, sizeof(*j->hits));
			}
			ht = &j->hits[j->nhits++];
			ht->pkg = m->pkg;
			ht->file = m->file;
			ht->line = ln->line;
			ht->via = first ? HOT_DIRECT : HOT_CALLEE;
			ht->callee = first ? SIZE_MAX : prev;
			ht->fn = ln->func;
			ht->v[0] = v0;
			ht->v[1] = v1;
			h->inrun[0] += v0;
			h->inrun[1] += v1;
			return;
		}
		if (loc->nlines == 0)
			first = 0;
	}
}

static struct hot_row *
new_row(struct hot *h, size_t *cap)
{
	struct hot_row *r;

	if (h->nrows == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		h->rows = xreallocarray(h->rows, *cap, sizeof(*h->rows));
	}
	r = &h->rows[h->nrows++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* "escdb.test/p.(*T).M" -> "(*T).M" for package name pk. */
static const char *
short_func(const char *name, const char *pk)
{
	size_t n = strlen(pk);

	if (strncmp(name, pk, n) == 0 && name[n] == '.')
		return name + n + 1;
	if (strncmp(name, "main.", 5) == 0)
		return name + 5;
	return name;
}

static const char *
row_path(struct hot *h, const struct pkg *pk, const char *file)
{
	struct sbuf sb = SBUF_INIT;
	const char *s;

	if (pk->reldir[0] == '\0' || file[0] == '$')
		return file;
	sbuf_adds(&sb, pk->reldir);
	sbuf_adds(&sb, file);
	s = arena_strndup(&h->strs, sb.buf, sb.len);
	sbuf_release(&sb);
	return s;
}

/* Turns one group of hits [a, b) (same position and via) into rows. */
static int
same_site(const struct hit *x, const struct hit *y)
{
	return x->via == y->via && pos_cmp(x->pkg, x->file, x->line, 0, y->pkg, y->file, y->line, 0) == 0;
}

static void
emit_group(struct join *j, const struct hit *a, const struct hit *b, size_t *cap)
{
	struct hot *h = j->h;
	const struct pkg *pk = &j->pkgs[a->pkg];
	const struct hit *x;
	int64_t v[2] = { 0, 0 }, cv = 0, best = 0;
	size_t callee = SIZE_MAX, cur = SIZE_MAX, f0, f, nf, i, c;
	const char *path = NULL;

	for (x = a; x < b; x++) {
		if (x == a || x->callee != cur) {
			cur = x->callee;
			cv = 0;
		}
		cv += x->v[0];
		if (cur != SIZE_MAX && (callee == SIZE_MAX || cv > best)) {
			best = cv;
			callee = cur;
		}
		v[0] += x->v[0];
		v[1] += x->v[1];
	}
	f0 = find_first(j, a->pkg, a->file, a->line);
	for (nf = 0, f = f0; f < j->nfinds && j->fpkg[f] == a->pkg &&
	    strcmp(j->finds[f].file, a->file) == 0 && j->finds[f].line == a->line; f++)
		nf++;
	if (nf == 0) {
		struct hot_row *r = new_row(h, cap);

		r->rec.package = pk->name;
		r->rec.file = arena_strndup(&h->strs, a->file, strlen(a->file));
		r->rec.line = (int)a->line;
		r->rec.func = short_func(j->p->funcs[a->fn].name, pk->name);
		r->via = (enum hot_via)a->via;
		r->callee = callee == SIZE_MAX ? "" : j->p->funcs[callee].name;
		r->path = row_path(h, pk, r->rec.file);
		r->v[0] = v[0];
		r->v[1] = v[1];
		h->unexpl[0] += v[0];
		h->unexpl[1] += v[1];
		return;
	}
	for (i = 0; i < nf; i++) {
		struct hot_row *r = new_row(h, cap);

		r->rec = j->finds[f0 + i];
		r->via = (enum hot_via)a->via;
		r->callee = callee == SIZE_MAX ? "" : j->p->funcs[callee].name;
		if (path == NULL)
			path = row_path(h, pk, r->rec.file);
		r->path = path;
		for (c = 0; c < 2; c++) {
			/* even split; the remainder (either sign) to the first */
			int64_t base = v[c] / (int64_t)nf, rem = v[c] - base * (int64_t)nf;
			int64_t step = rem > 0 ? 1 : -1;

			r->v[c] = base + ((int64_t)i < (rem > 0 ? rem : -rem) ? step : 0);
			h->onfind[c] += r->v[c];
		}
	}
}

static int
row_cmp(const void *a, const void *b)
{
	const struct hot_row *x = a, *y = b;
	int c;

	if ((x->rec.id == 0) != (y->rec.id == 0))
		return x->rec.id == 0 ? 1 : -1;
	if (x->v[0] != y->v[0])
		return x->v[0] > y->v[0] ? -1 : 1;
	if (x->v[1] != y->v[1])
		return x->v[1] > y->v[1] ? -1 : 1;
	if ((c = strcmp(x->path, y->path)) != 0)
		return c;
	if (x->rec.line != y->rec.line)
		return x->rec.line < y->rec.line ? -1 : 1;
	if (x->rec.col != y->rec.col)
		return x->rec.col < y->rec.col ? -1 : 1;
	return (int)x->via - (int)y->via;
}

int
hot_join(struct store *st, int64_t run, const char *rundir, const struct pprof *p,
    const struct hot_opts *o, struct hot *h, char *err, size_t errsz)
{
	struct join j;
	size_t i, a, cap = 0, rcap = 0;
	int rc = HOT_OK;

	memset(h, 0, sizeof(*h));
	memset(&j, 0, sizeof(j));
	if (choose_types(p, o->sample_index, h, err, errsz) != 0)
		return HOT_EUSAGE;
	j.st = st;
	j.p = p;
	j.h = h;
	h->kinds = o->kinds ? o->kinds : (1u << ESC_HEAP | 1u << ESC_MOVED);
	if (load_pkgs(&j, run, rundir ? rundir : "") != STORE_OK ||
	    load_findings(&j, run, h->kinds) != STORE_OK) {
		snprintf(err, errsz, "%s", store_errmsg(st));
		rc = HOT_EDB;
		goto out;
	}
	j.fm = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(*j.fm));
	for (i = 0; i < p->nsamples; i++)
		add_sample(&j, &p->samples[i], &cap);
	if (j.nhits > 1)
		qsort(j.hits, j.nhits, sizeof(*j.hits), hit_cmp);
	for (a = 0, i = 1; i <= j.nhits; i++)
		if (i == j.nhits || !same_site(&j.hits[a], &j.hits[i])) {
			emit_group(&j, &j.hits[a], &j.hits[i], &rcap);
			a = i;
		}
	/* findings first, then the unexplained, each heaviest first */
	if (h->nrows > 1)
		qsort(h->rows, h->nrows, sizeof(*h->rows), row_cmp);
	for (h->nfound = 0; h->nfound < h->nrows && h->rows[h->nfound].rec.id != 0; h->nfound++)
		;
out:
	free(j.pkgs);
	free(j.finds);
	free(j.fpkg);
	free(j.fm);
	free(j.hits);
	if (rc != HOT_OK)
		hot_release(h);
	return rc;
}

void
hot_release(struct hot *h)
{
	free(h->rows);
	arena_release(&h->strs);
	memset(h, 0, sizeof(*h));
}

int64_t
hot_finding_weight(const struct hot *h, int64_t id, double *share)
{
	int64_t w = 0;
	size_t i;

	for (i = 0; i < h->nfound; i++)
		if (h->rows[i].rec.id == id)
			w += h->rows[i].v[0];
	if (share)
		*share = h->total[0] ? (double)w / (double)h->total[0] : 0;
	return w;
}

double
hot_line_share(const struct hot *h, const char *pkg, const char *file, int line)
{
	int64_t w = 0;
	size_t i;

	for (i = 0; i < h->nrows; i++) {
		const struct hot_row *r = &h->rows[i];

		if (r->rec.line == line && strcmp(r->rec.file, file) == 0 &&
		    strcmp(r->rec.package, pkg) == 0)
			w += r->v[0];
	}
	return h->total[0] ? (double)w / (double)h->total[0] : 0;
}

int
hot_parse_share(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0)
		return -1;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end != '\0' || !(v >= 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}

void
hot_fmt_value(char *buf, size_t n, int64_t v, const char *unit)
{
	double a = (double)(v < 0 ? -v : v);

	if (unit && strcmp(unit, "bytes") == 0) {
		static const char *const u[] = { "B", "kB", "MB", "GB", "TB" };
		int k = 0;

		while (a >= 1024 && k < 4) {
			a /= 1024;
			k++;
		}
		if (k == 0)
			snprintf(buf, n, "%lld B", (long long)v);
		else
			snprintf(buf, n, "%s%.1f %s", v < 0 ? "-" : "", a, u[k]);
	} else if (unit && strcmp(unit, "nanoseconds") == 0) {
		if (a >= 1e9)
			snprintf(buf, n, "%s%.2f s", v < 0 ? "-" : "", a / 1e9);
		else if (a >= 1e6)
			snprintf(buf, n, "%s%.0f ms", v < 0 ? "-" : "", a / 1e6);
		else if (a >= 1e3)
			snprintf(buf, n, "%s%.0f us", v < 0 ? "-" : "", a / 1e3);
		else
			snprintf(buf, n, "%lld ns", (long long)v);
	} else
		snprintf(buf, n, "%lld", (long long)v);
}
