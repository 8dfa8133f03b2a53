/*
 * diff: the difference of two runs: exact identity keys, then the passes
 * of report/match.h; what diff, gate and baselines load (see diff.h).
 */
#include "diff.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/htab.h"
#include "../lib/util.h"
#include "finding_json.h"
#include "format.h"
#include "match.h"

static const char *const change_names[DIFF_NCHANGE] = { "new", "fixed", "moved" };

const char *
diff_change_name(enum diff_change c)
{
	return (unsigned)c < DIFF_NCHANGE ? change_names[c] : "";
}

int
diff_parse_kinds(const char *list, unsigned *mask, char *bad, size_t badsz)
{
	const char *p = list, *e;
	unsigned m = 0;
	int k;

	for (;;) {
		e = p + strcspn(p, ",");
		while (p < e && *p == ' ')
			p++;
		if (e > p) {
			if ((size_t)(e - p) == 3 && strncmp(p, "all", 3) == 0)
				m |= (1u << ESC_KIND_N) - 1;
			else if ((k = esc_kind_parse(p, (size_t)(e - p))) < 0) {
				if (bad)
					snprintf(bad, badsz, "%.*s", (int)(e - p), p);
				return -1;
			} else
				m |= 1u << k;
		}
		if (*e == '\0')
			break;
		p = e + 1;
	}
	if (m == 0) {
		if (bad)
			snprintf(bad, badsz, "%s", list);
		return -1;
	}
	*mask = m;
	return 0;
}

/* ---- computing ---- */

int
diff_file_external(const char *file)
{
	return strncmp(file, "$GOROOT/", 8) == 0 || strncmp(file, "$GOMODCACHE/", 12) == 0;
}

/* The package directories of one run, for --exclude. */
struct pkgdirs {
	int64_t *pkg;
	char **prefix;          /* run-relative, with '/' or "" */
	size_t n;
	char *repo;             /* the run's repository prefix */
};

static void
pkgdirs_release(struct pkgdirs *pd)
{
	size_t i;

	for (i = 0; i < pd->n; i++)
		free(pd->prefix[i]);
	free(pd->pkg);
	free(pd->prefix);
	free(pd->repo);
	memset(pd, 0, sizeof(*pd));
}

static char *pkg_prefix(struct store *st, int64_t run, int64_t pkg, int repo);

static int
pkgdirs_load(struct store *st, int64_t run, struct pkgdirs *pd)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	memset(pd, 0, sizeof(*pd));
	pd->repo = pkg_prefix(st, run, 0, 1);
	if (sqlite3_prepare_v2(store_db(st), "SELECT name FROM package WHERE run = ? "
	    "ORDER BY name", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading packages");
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (pd->n == cap) {
			cap = cap ? cap * 2 : 64;
			pd->pkg = xreallocarray(pd->pkg, cap, sizeof(*pd->pkg));
			pd->prefix = xreallocarray(pd->prefix, cap, sizeof(*pd->prefix));
		}
		pd->pkg[pd->n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "reading packages");
	for (size_t i = 0; i < pd->n; i++)
		pd->prefix[i] = pkg_prefix(st, run, pd->pkg[i], 0);
	return STORE_OK;
}

static const char *
pkgdirs_get(const struct pkgdirs *pd, int64_t pkg)
{
	size_t lo = 0, hi = pd->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pd->pkg[mid] < pkg)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pd->n && pd->pkg[lo] == pkg ? pd->prefix[lo] : "";
}

static int
excluded(const struct diff_opts *o, const struct pkgdirs *pd, int64_t pkg, const char *file,
    struct sbuf *path)
{
	size_t i;

	sbuf_reset(path);
	if (!diff_file_external(file) && file[0] != '/' && file[0] != '<' &&
	    strncmp(file, "../", 3) != 0)
		sbuf_adds(path, pkgdirs_get(pd, pkg));
	sbuf_adds(path, file);
	for (i = 0; i < o->nexclude; i++) {
		if (fnmatch(o->exclude[i], path->buf, 0) == 0)
			return 1;
		if (pd->repo[0]) {
			int m;
			char *r = xmalloc(strlen(pd->repo) + path->len + 1);
			sprintf(r, "%s%s", pd->repo, path->buf);
			m = fnmatch(o->exclude[i], r, 0) == 0;
			free(r);
			if (m)
				return 1;
		}
	}
	return 0;
}

int
diff_load_run(struct store *st, int64_t run, const struct diff_opts *o,
    struct diff_item **out, size_t *n, size_t nout[2])
{
	sqlite3_stmt *s;
	struct diff_item *v = NULL;
	struct pkgdirs pd;
	struct sbuf path = SBUF_INIT;
	size_t len = 0, cap = 0;
	unsigned mask = o ? o->mask : (1u << ESC_KIND_N) - 1;
	int64_t last_file = -1;
	int rc, ext = 0, counted;

	memset(&pd, 0, sizeof(pd));
	if (nout)
		nout[0] = nout[1] = 0;
	if (o && o->nexclude && (rc = pkgdirs_load(st, run, &pd)) != STORE_OK) {
		pkgdirs_release(&pd);
		return rc;
	}
	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT id, key, kind, pkg, file, line, col, func, subject, detail, "
	    "message, cause FROM finding WHERE run = ?", -1, &s, NULL) != SQLITE_OK) {
		pkgdirs_release(&pd);
		return store_fail(st, "reading findings");
	}
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(s, 2);
		int64_t file = sqlite3_column_int64(s, 4);
		struct diff_item *it;

		if (kind < 0 || kind >= ESC_KIND_N || !(mask & (1u << kind)))
			continue;
		counted = !o || !o->count_mask || (o->count_mask & (1u << kind));
		/* findings come mostly in file order: one look-up per file */
		if (file != last_file) {
			last_file = file;
			ext = diff_file_external(store_str(st, file));
		}
		if (o && ext && !o->include_external) {
			if (nout && counted)
				nout[0]++;
			continue;
		}
		if (o && o->nexclude && excluded(o, &pd, sqlite3_column_int64(s, 3),
		    store_str(st, sqlite3_column_int64(s, 4)), &path)) {
			if (nout && counted)
				nout[1]++;
			continue;
		}
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		it = &v[len++];
		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(s, 0);
		it->run = run;
		it->key = (uint64_t)sqlite3_column_int64(s, 1);
		it->kind = (enum esc_kind)kind;
		it->pkg = sqlite3_column_int64(s, 3);
		it->file = sqlite3_column_int64(s, 4);
		it->line = sqlite3_column_int(s, 5);
		it->col = sqlite3_column_int(s, 6);
		it->func = sqlite3_column_int64(s, 7);
		it->subject = sqlite3_column_int64(s, 8);
		it->detail = sqlite3_column_int64(s, 9);
		it->message = sqlite3_column_int64(s, 10);
		it->cause = sqlite3_column_int(s, 11);
		it->external = (unsigned char)ext;
	}
	sqlite3_finalize(s);
	sbuf_release(&path);
	pkgdirs_release(&pd);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_fail(st, "reading findings");
	}
	*out = v;
	*n = len;
	return STORE_OK;
}

int
diff_load_funcs(struct store *st, int64_t run, struct match_funcs *fs)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT f.pkg, s.s, min(f.line) FROM finding f "
	    "JOIN str s ON s.id = f.func WHERE f.run = ? GROUP BY f.pkg, f.func",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading functions");
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(s, 1);
		if (f && *f)
			match_funcs_add(fs, sqlite3_column_int64(s, 0), f, sqlite3_column_int(s, 2));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, "reading functions");
}

uint64_t
diff_flow_hash(struct store *st, int64_t id, sqlite3_stmt **stmt)
{
	struct arena a = ARENA_INIT;
	struct block_rec *bl;
	size_t nb, i, j, k;
	uint64_t h = 0;

	if (*stmt == NULL && sqlite3_prepare_v2(store_db(st),
	    "SELECT flows FROM finding WHERE id = ?", -1, stmt, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(*stmt, 1, id);
	if (sqlite3_step(*stmt) == SQLITE_ROW && sqlite3_column_bytes(*stmt, 0) > 0 &&
	    flows_decode(st, sqlite3_column_blob(*stmt, 0), (size_t)sqlite3_column_bytes(*stmt, 0),
	    &a, &bl, &nb) == 0) {
		for (i = 0; i < nb; i++)
			for (j = 0; j < bl[i].nflows; j++) {
				const struct flow_rec *f = &bl[i].flows[j];
				h = hash64(f->dst, strlen(f->dst), h + 1);
				for (k = 0; k < f->nsteps; k++)
					h = hash64(f->steps[k].reason, strlen(f->steps[k].reason), h + 2);
			}
	}
	sqlite3_reset(*stmt);
	arena_release(&a);
	return h;
}

/*
 * Exact identity keys hold an ordinal: the k-th finding of a function
 * with the same kind, subject and detail.  So a group of such findings
 * (the same key but for the ordinal: a "pre-key") pairs k-th with k-th
 * when both runs have as many; when one has more (an append added above
 * three others), the k-th with k-th rule would call the last one new and
 * the really new one moved.  Then the group is aligned instead: in
 * ordinal order, every finding of the smaller side pairs with one of the
 * other, choosing the pairing that costs least, where a different column
 * or message costs as much as a thousand lines and otherwise the cost is
 * how far the line moved.  With as many on both sides this is k-th with
 * k-th, as the keys say.
 */
struct keyed {
	uint64_t pk;
	int64_t id;             /* the finding's: ordinal order */
	size_t i;               /* index into the run's items */
};

static int
by_prekey(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->pk != y->pk)
		return x->pk < y->pk ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The key without its ordinal, as store/ingest_pkg.c's identity_key forms
 * it: package, file base name, function, kind, subject, detail (texts are
 * stored once, so equal ids are equal texts). */
static uint64_t
pre_key(struct store *st, const struct diff_item *it)
{
	const char *f = store_str(st, it->file), *sl = strrchr(f, '/');
	uint64_t v[6];

	if (sl != NULL)
		f = sl + 1;
	v[0] = (uint64_t)it->pkg;
	v[1] = hash64(f, strlen(f), 0x70726b);
	v[2] = (uint64_t)it->func;
	v[3] = (uint64_t)it->kind;
	v[4] = (uint64_t)it->subject;
	v[5] = (uint64_t)it->detail;
	return hash64(v, sizeof(v), 0x6b6579);
}

/* Items v[0..n) in ordinal order (by id) grouped by pre-key. */
static struct keyed *
group_items(struct store *st, const struct diff_item *v, size_t n)
{
	struct keyed *k = xreallocarray(NULL, n ? n : 1, sizeof(*k));
	size_t i;

	for (i = 0; i < n; i++) {
		k[i].pk = pre_key(st, &v[i]);
		k[i].id = v[i].id;
		k[i].i = i;
	}
	if (n)
		qsort(k, n, sizeof(*k), by_prekey);
	return k;
}

#define ALIGN_MAX_CELLS (1u << 20)      /* larger groups pair k-th with k-th */

/* The cost of pairing BASE finding x with HEAD finding y: a different
 * column or message as much as a thousand lines, else how far the line
 * is from where x's line went (mapped, from git: mx > 0), or from x's
 * own line. */
static uint64_t
align_cost(const struct diff_item *x, int mx, const struct diff_item *y)
{
	int from = mx > 0 ? mx : x->line;
	uint64_t c = (uint64_t)(from > y->line ? from - y->line : y->line - from);

	if (x->col != y->col)
		c += 1000;
	if (x->message != y->message)
		c += 1000;
	return c;
}

/*
 * Pairs in order the m findings of the smaller side with m of the n of
 * the other, at least cost; c[a * n + b] is the cost of the a-th with the
 * b-th.  to[a] = b.  Ties leave the later ones of the larger side
 * unpaired, as k-th with k-th does.
 */
static void
align(const uint64_t *c, size_t m, size_t n, size_t *to)
{
	uint64_t *f, inf = UINT64_MAX / 4;
	size_t a, b, w = n + 1;

	f = xreallocarray(NULL, (m + 1) * w, sizeof(*f));
	for (b = 0; b <= n; b++)
		f[b] = 0;
	for (a = 1; a <= m; a++)
		for (b = 0; b <= n; b++) {
			uint64_t skip, take;

			if (b < a) {
				f[a * w + b] = inf;
				continue;
			}
			skip = b > a ? f[a * w + b - 1] : inf;
			take = f[(a - 1) * w + b - 1] + c[(a - 1) * n + b - 1];
			f[a * w + b] = skip < take ? skip : take;
		}
	for (a = m, b = n; a > 0; ) {
		if (b > a && f[a * w + b] == f[a * w + b - 1]) {
			b--;            /* the larger side's b-1 unpaired */
			continue;
		}
		to[a - 1] = b - 1;
		a--;
		b--;
	}
	free(f);
}

/* The pairing of one group: BASE's gm findings kb[0..gm) with HEAD's gn
 * kh[0..gn); bto[a] is the index in kh of the one BASE's a-th pairs
 * with, or SIZE_MAX.  to is scratch for min(gm, gn). */
static void
align_group(struct store *st, const struct diff_opts *o, struct diff_pathcache *pc,
    struct sbuf *path, const struct diff_item *b, const struct keyed *kb, size_t gm,
    const struct diff_item *h, const struct keyed *kh, size_t gn, size_t *to, size_t *bto)
{
	size_t m = gm < gn ? gm : gn, n = gm < gn ? gn : gm, a, k;
	uint64_t *c;
	int *mx;

	for (a = 0; a < gm; a++)
		bto[a] = SIZE_MAX;
	if (gm == gn || (m + 1) * (n + 1) > ALIGN_MAX_CELLS) {
		for (a = 0; a < m; a++)
			bto[a] = a;     /* k-th with k-th */
		return;
	}
	mx = xreallocarray(NULL, gm, sizeof(*mx));
	for (a = 0; a < gm; a++) {
		const struct diff_item *x = &b[kb[a].i];
		mx[a] = o && o->linemap ? o->linemap(o->linemap_ctx,
		    diff_item_path(st, x, pc, path), x->line) : -1;
	}
	c = xreallocarray(NULL, m * n, sizeof(*c));
	for (a = 0; a < m; a++)
		for (k = 0; k < n; k++) {
			size_t ib = gm <= gn ? a : k, ih = gm <= gn ? k : a;
			c[a * n + k] = align_cost(&b[kb[ib].i], mx[ib], &h[kh[ih].i]);
		}
	align(c, m, n, to);
	for (a = 0; a < m; a++) {
		if (gm <= gn)
			bto[a] = to[a];
		else
			bto[to[a]] = a;
	}
	free(c);
	free(mx);
}

struct sorted {
	const char *pkg, *file;
	struct diff_item it;
};

static int
by_pos(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	int c;

	if ((c = strcmp(x->pkg, y->pkg)) != 0)
		return c;
	if ((c = strcmp(x->file, y->file)) != 0)
		return c;
	if (x->it.line != y->it.line)
		return x->it.line < y->it.line ? -1 : 1;
	if (x->it.col != y->it.col)
		return x->it.col < y->it.col ? -1 : 1;
	if (x->it.change != y->it.change)
		return x->it.change < y->it.change ? -1 : 1;
	return x->it.id < y->it.id ? -1 : x->it.id > y->it.id;
}

void
diff_sort_items(struct store *st, struct diff_item *v, size_t n)
{
	struct sorted *srt = xreallocarray(NULL, n ? n : 1, sizeof(*srt));
	size_t i;

	for (i = 0; i < n; i++) {
		srt[i].pkg = store_str(st, v[i].pkg);
		srt[i].file = store_str(st, v[i].file);
		srt[i].it = v[i];
	}
	if (n)
		qsort(srt, n, sizeof(*srt), by_pos);
	for (i = 0; i < n; i++)
		v[i] = srt[i].it;
	free(srt);
}

static void
push(struct diff *d, size_t *cap, const struct diff_item *it, enum diff_change c)
{
	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->items = xreallocarray(d->items, *cap, sizeof(*d->items));
	}
	d->items[d->n] = *it;
	d->items[d->n].change = c;
	d->count[c]++;
	d->n++;
}

/* The moved item of HEAD finding h paired with BASE finding b. */
static struct diff_item
moved_item(const struct diff_item *b, const struct diff_item *h, enum match_pass p)
{
	struct diff_item m = *h;

	m.old_file = b->file;
	m.old_line = b->line;
	m.old_col = b->col;
	m.old_func = b->func;
	m.old_key = b->key;
	m.pass = (unsigned char)p;
	return m;
}

/*
 * Compiler temporaries are numbered in order within their function
 * (".autotmp_21.String()"), so an edit above one renumbers it.  For
 * pairing leftovers, a text with such names is compared with the numbers
 * left out: it gets a class id of its own (negative, never a string id),
 * the same on both sides for the same normalised text.
 */
struct tmpnorm {
	struct htab t;
	struct arena a;
	int64_t next;
};

static int64_t
tmp_class(struct store *st, struct tmpnorm *tn, int64_t id)
{
	static const char pre[] = ".autotmp_";
	const char *s = store_str(st, id), *p;
	struct sbuf sb = SBUF_INIT;
	struct htent *e;

	if (s == NULL || (p = strstr(s, pre)) == NULL)
		return id;
	while (p != NULL) {
		sbuf_add(&sb, s, (size_t)(p - s) + sizeof(pre) - 1);
		s = p + sizeof(pre) - 1;
		while (*s >= '0' && *s <= '9')
			s++;
		p = strstr(s, pre);
	}
	sbuf_adds(&sb, s);
	/* one look-up: a new entry (v zero; ids are negative) gets a key
	 * of its own and the next id */
	e = htab_find(&tn->t, htab_hash(sb.buf, sb.len, 0x746d70), sb.buf, sb.len, 1);
	if (e->v.i == 0) {
		e->k = arena_strndup(&tn->a, sb.buf, sb.len);
		e->v.i = --tn->next;
	}
	sbuf_release(&sb);
	return e->v.i;
}

/* The match_item of a leftover finding. */
static void
to_match(struct store *st, const struct diff_item *it, struct match_funcs *fs,
    struct tmpnorm *tn, struct match_item *m)
{
	int first;

	m->pkg = it->pkg;
	m->subject = tmp_class(st, tn, it->subject);
	m->detail = it->detail;
	/* a capture's message names its function: compare the rest */
	m->message = it->kind == ESC_CAPTURE ? 0 : tmp_class(st, tn, it->message);
	m->kind = (int)it->kind;
	m->external = it->external;
	m->func = store_str(st, it->func);
	m->file = store_str(st, it->file);
	m->line = it->line;
	m->col = it->col;
	first = match_funcs_first(fs, it->pkg, m->func);
	m->off = first > 0 ? it->line - first : 0;
}

struct flow_ctx {
	struct store *st;
	const struct diff_item *side[2];
	sqlite3_stmt *stmt;
};

static uint64_t
leftover_flow(void *ctx, int side, size_t idx)
{
	struct flow_ctx *fc = ctx;

	return diff_flow_hash(fc->st, fc->side[side][idx].id, &fc->stmt);
}

/* The passes over the leftovers lb (fixed) and lh (new). */
static int
pair_leftovers(struct store *st, const struct diff_opts *o, struct diff_pathcache *pc,
    struct sbuf *path, struct diff *d, size_t *cap,
    struct diff_item *lb, size_t nb, struct diff_item *lh, size_t nh)
{
	struct match_funcs fb = MATCH_FUNCS_INIT, fh = MATCH_FUNCS_INIT;
	struct match_item *mb, *mh;
	struct tmpnorm tn;
	struct flow_ctx fc;
	size_t *pair, i;
	unsigned char *pass, *hused;
	int rc;

	if (nb && nh) {
		if ((rc = diff_load_funcs(st, d->base, &fb)) != STORE_OK ||
		    (rc = diff_load_funcs(st, d->head, &fh)) != STORE_OK) {
			match_funcs_release(&fb);
			match_funcs_release(&fh);
			return rc;
		}
	}
	mb = xreallocarray(NULL, nb ? nb : 1, sizeof(*mb));
	mh = xreallocarray(NULL, nh ? nh : 1, sizeof(*mh));
	pair = xreallocarray(NULL, nb ? nb : 1, sizeof(*pair));
	pass = xreallocarray(NULL, nb ? nb : 1, 1);
	hused = xcalloc(nh ? nh : 1, 1);
	memset(&tn, 0, sizeof(tn));
	tn.next = -1;
	if (nb && nh) {
		for (i = 0; i < nb; i++) {
			to_match(st, &lb[i], &fb, &tn, &mb[i]);
			/* the nearest position is measured from where git says
			 * BASE's line went, when it says */
			if (o && o->linemap) {
				int ml = o->linemap(o->linemap_ctx,
				    diff_item_path(st, &lb[i], pc, path), lb[i].line);
				if (ml > 0)
					mb[i].line = ml;
			}
		}
		for (i = 0; i < nh; i++)
			to_match(st, &lh[i], &fh, &tn, &mh[i]);
	}
	htab_release(&tn.t);
	arena_release(&tn.a);
	fc.st = st;
	fc.side[0] = lb;
	fc.side[1] = lh;
	fc.stmt = NULL;
	match_pair(mb, nb, &fb, mh, nh, &fh, leftover_flow, &fc, pair, pass);
	sqlite3_finalize(fc.stmt);
	for (i = 0; i < nb; i++) {
		if (pair[i] == SIZE_MAX) {
			push(d, cap, &lb[i], DIFF_FIXED);
			continue;
		}
		{
			struct diff_item m = moved_item(&lb[i], &lh[pair[i]], (enum match_pass)pass[i]);
			push(d, cap, &m, DIFF_MOVED);
		}
		hused[pair[i]] = 1;
	}
	for (i = 0; i < nh; i++)
		if (!hused[i])
			push(d, cap, &lh[i], DIFF_NEW);
	free(mb);
	free(mh);
	free(pair);
	free(pass);
	free(hused);
	match_funcs_release(&fb);
	match_funcs_release(&fh);
	return STORE_OK;
}

/* The difference over the kinds in load; pairs the leftovers only with
 * pair set, else *again says whether pairing would have had work. */
static int
compute(struct store *st, const struct diff_opts *o, unsigned load, int pair,
    struct diff *d, int *again)
{
	struct diff_item *b = NULL, *h = NULL, *lb, *lh;
	struct keyed *kb, *kh;
	struct diff_pathcache pc = { { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0, 1 };
	struct sbuf path = SBUF_INIT;
	size_t nb = 0, nh = 0, i = 0, j = 0, cap = 0, nlb = 0, nlh = 0, nout[2], *to, *bto;
	unsigned char *hit;
	struct diff_opts all;
	unsigned mask;
	int64_t base = d->base, head = d->head;
	int rc;

	memset(&all, 0, sizeof(all));
	if (o)
		all = *o;
	mask = o ? o->mask : (1u << ESC_KIND_N) - 1;
	all.mask = load;
	all.count_mask = mask;
	if ((rc = diff_load_run(st, base, &all, &b, &nb, NULL)) != STORE_OK)
		return rc;
	if ((rc = diff_load_run(st, head, &all, &h, &nh, nout)) != STORE_OK) {
		free(b);
		return rc;
	}
	d->external = nout[0];
	d->excluded = nout[1];
	kb = group_items(st, b, nb);
	kh = group_items(st, h, nh);
	lb = xreallocarray(NULL, nb ? nb : 1, sizeof(*lb));
	lh = xreallocarray(NULL, nh ? nh : 1, sizeof(*lh));
	to = xreallocarray(NULL, (nb < nh ? nb : nh) + 1, sizeof(*to));
	bto = xreallocarray(NULL, nb + 1, sizeof(*bto));
	hit = xreallocarray(NULL, nh + 1, 1);
	/* Keys: each group of one pre-key pairs as align says; the rest
	 * are left over for the passes. */
	while (i < nb || j < nh) {
		size_t ie, je, a, gm, gn;
		const struct diff_item *x, *y;

		if (j == nh || (i < nb && kb[i].pk < kh[j].pk)) {
			lb[nlb++] = b[kb[i++].i];
			continue;
		}
		if (i == nb || kh[j].pk < kb[i].pk) {
			lh[nlh++] = h[kh[j++].i];
			continue;
		}
		for (ie = i; ie < nb && kb[ie].pk == kb[i].pk; ie++)
			;
		for (je = j; je < nh && kh[je].pk == kh[j].pk; je++)
			;
		gm = ie - i;
		gn = je - j;
		align_group(st, o, &pc, &path, b, kb + i, gm, h, kh + j, gn, to, bto);
		memset(hit, 0, gn);
		for (a = 0; a < gm; a++) {
			x = &b[kb[i + a].i];
			if (bto[a] == SIZE_MAX) {
				lb[nlb++] = *x;
				continue;
			}
			hit[bto[a]] = 1;
			y = &h[kh[j + bto[a]].i];
			if (x->file != y->file || x->line != y->line || x->col != y->col) {
				struct diff_item m = moved_item(x, y, MATCH_KEY);
				push(d, &cap, &m, DIFF_MOVED);
			} else if (mask & (1u << y->kind))
				d->unchanged++;
		}
		for (a = 0; a < gn; a++)
			if (!hit[a])
				lh[nlh++] = h[kh[j + a].i];
		i = ie;
		j = je;
	}
	free(kb);
	free(kh);
	free(to);
	free(bto);
	free(hit);
	free(b);
	free(h);
	*again = 0;
	if (pair)
		rc = pair_leftovers(st, o, &pc, &path, d, &cap, lb, nlb, lh, nlh);
	else {
		*again = nlb && nlh;
		for (i = 0; i < nlb; i++)
			push(d, &cap, &lb[i], DIFF_FIXED);
		for (i = 0; i < nlh; i++)
			push(d, &cap, &lh[i], DIFF_NEW);
	}
	free(lb);
	free(lh);
	diff_pathcache_release(&pc);
	sbuf_release(&path);
	if (rc != STORE_OK)
		return rc;
	for (i = j = 0; i < d->n; i++) {
		if (!(mask & (1u << d->items[i].kind))) {
			d->count[d->items[i].change]--;
			continue;
		}
		d->items[j++] = d->items[i];
	}
	d->n = j;
	diff_sort_items(st, d->items, d->n);
	return STORE_OK;
}

int
diff_compute(struct store *st, int64_t base, int64_t head, const struct diff_opts *o,
    struct diff *d)
{
	unsigned all = (1u << ESC_KIND_N) - 1, mask = o ? o->mask : all;
	int again = 0, rc;

	memset(d, 0, sizeof(*d));
	d->base = base;
	d->head = head;
	/* Every kind takes part in pairing, so how much two functions share
	 * does not depend on --kinds; the others are dropped at the end.
	 * Loading only the kinds asked for first is enough when nothing is
	 * left to pair (the usual case). */
	rc = compute(st, o, mask, mask == all, d, &again);
	if (rc == STORE_OK && again) {
		diff_release(d);
		d->base = base;
		d->head = head;
		rc = compute(st, o, all, 1, d, &again);
	}
	return rc;
}

void
diff_release(struct diff *d)
{
	free(d->items);
	memset(d, 0, sizeof(*d));
}

/* ---- shared helpers ---- */

int
diff_item_rec(struct store *st, const struct diff_item *it, sqlite3_stmt **stmt,
    struct sbuf *blob, struct finding_rec *r)
{
	sqlite3_stmt *s;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->id = it->id;
	r->run = it->run;
	r->package = store_str(st, it->pkg);
	r->file = store_str(st, it->file);
	r->line = it->line;
	r->col = it->col;
	r->func = store_str(st, it->func);
	r->kind = it->kind;
	r->subject = store_str(st, it->subject);
	r->detail = store_str(st, it->detail);
	r->message = store_str(st, it->message);
	r->cause = it->cause;
	r->key = it->key;
	if (blob == NULL || stmt == NULL)
		return 0;
	sbuf_reset(blob);
	if (*stmt == NULL && sqlite3_prepare_v2(store_db(st),
	    "SELECT flows FROM finding WHERE id = ?", -1, stmt, NULL) != SQLITE_OK) {
		store_fail(st, "reading flows");
		return -1;
	}
	s = *stmt;
	sqlite3_bind_int64(s, 1, it->id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) > 0) {
			sbuf_add(blob, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
			r->flows = blob->buf;
			r->flowslen = blob->len;
		}
	} else
		rc = (store_fail(st, "reading flows"), -1);
	sqlite3_reset(s);
	return rc;
}

/* The package directory relative to the run's directory, with a
 * trailing '/', or "" when unknown; with repo, the run's repository
 * prefix before it.  pkg 0: the repository prefix alone. */
static char *
pkg_prefix(struct store *st, int64_t run, int64_t pkg, int repo)
{
	sqlite3_stmt *s;
	struct sbuf sb = SBUF_INIT;

	if (sqlite3_prepare_v2(store_db(st), "SELECT r.dir, p.dir, r.repo_prefix FROM run r "
	    "LEFT JOIN package p ON p.run = r.id AND p.name = ?2 WHERE r.id = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		return sbuf_detach(&sb);
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, pkg);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *rd = (const char *)sqlite3_column_text(s, 0);
		const char *pd = (const char *)sqlite3_column_text(s, 1);
		const char *rp = (const char *)sqlite3_column_text(s, 2);
		size_t n = rd ? strlen(rd) : 0;

		if (repo && rp && *rp && strcmp(rp, "./") != 0) {
			sbuf_adds(&sb, rp);
			if (rp[strlen(rp) - 1] != '/')
				sbuf_addc(&sb, '/');
		}
		while (n > 1 && rd[n - 1] == '/')
			n--;
		if (pkg && n && pd && strncmp(pd, rd, n) == 0 && pd[n] == '/' && pd[n + 1])
			sbuf_addf(&sb, "%s/", pd + n + 1);
	}
	sqlite3_finalize(s);
	return sbuf_detach(&sb);
}

const char *
diff_item_path(struct store *st, const struct diff_item *it, struct diff_pathcache *pc,
    struct sbuf *out)
{
	const char *file = store_str(st, it->file);
	int slot = 0;

	sbuf_reset(out);
	if (file[0] != '/' && file[0] != '$' && file[0] != '<' && strncmp(file, "../", 3) != 0) {
		if (pc->prefix[0] && pc->run[0] == it->run && pc->pkg[0] == it->pkg)
			slot = 0;
		else if (pc->prefix[1] && pc->run[1] == it->run && pc->pkg[1] == it->pkg)
			slot = 1;
		else {
			slot = pc->next;
			pc->next ^= 1;
			free(pc->prefix[slot]);
			pc->prefix[slot] = pkg_prefix(st, it->run, it->pkg, pc->repo);
			pc->run[slot] = it->run;
			pc->pkg[slot] = it->pkg;
		}
		sbuf_adds(out, pc->prefix[slot]);
	}
	sbuf_adds(out, file);
	return out->buf;
}

void
diff_pathcache_release(struct diff_pathcache *pc)
{
	free(pc->prefix[0]);
	free(pc->prefix[1]);
	memset(pc, 0, sizeof(*pc));
}

