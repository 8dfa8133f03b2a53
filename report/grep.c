/*
 * grep: see grep.h.  The filters run inside SQLite as a per-connection
 * function over the finding's string ids, so rows that do not match are
 * never turned into text: the pattern and the globs are evaluated once
 * per distinct string of the run (a bitmap indexed by string id), the
 * reason filter on the flow blob's reason ids.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "grep.h"
#include "hot.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "finding_json.h"
#include "format.h"
#include "paths.h"
#include "../store/cause.h"

/* ---- id bitmaps ---- */

struct bits {
	unsigned char *b;
	size_t n;               /* ids 0..n-1 */
};

static void
bits_init(struct bits *bs, size_t n)
{
	bs->n = n;
	bs->b = xcalloc(n / 8 + 1, 1);
}

static void
bits_set(struct bits *bs, int64_t id)
{
	if (id >= 0 && (size_t)id < bs->n)
		bs->b[id / 8] |= (unsigned char)(1u << (id % 8));
}

static int
bits_get(const struct bits *bs, int64_t id)
{
	return id >= 0 && (size_t)id < bs->n && (bs->b[id / 8] & (1u << (id % 8)));
}

/* ---- the search state ---- */

struct grep {
	struct store *st;
	const struct grep_opts *o;
	pcre2_code *re;
	pcre2_match_data *md;
	struct bits field, pkg, file, func;
	int use_field, use_pkg, use_file, use_func;
	int64_t reason_id;      /* 0: no reason filter */
	struct arena scratch;
	int failed;
	struct pkgpaths paths;  /* text and -l: module-relative paths */
	struct sbuf path;
};

int
grep_field_parse(const char *s)
{
	static const char *const names[] = { "message", "subject", "func", "file", "package", "flow" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static int
re_match(struct grep *g, const char *s, size_t n)
{
	int rc = pcre2_match(g->re, (PCRE2_SPTR)s, n, 0, 0, g->md, NULL);

	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
		g->failed = rc;
	return rc >= 0;
}

static int
compile(struct grep *g, char *err, size_t errsz)
{
	uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	int ecode;
	PCRE2_SIZE eoff;
	PCRE2_UCHAR msg[256];

	if (g->o->icase)
		flags |= PCRE2_CASELESS;
	if (g->o->fixed)
		flags |= PCRE2_LITERAL;
	g->re = pcre2_compile((PCRE2_SPTR)g->o->pattern, PCRE2_ZERO_TERMINATED, flags,
	    &ecode, &eoff, NULL);
	if (g->re == NULL) {
		pcre2_get_error_message(ecode, msg, sizeof(msg));
		snprintf(err, errsz, "bad regex at offset %zu: %s (use -F for a literal string)",
		    (size_t)eoff, (const char *)msg);
		return GREP_EREGEX;
	}
	(void)pcre2_jit_compile(g->re, PCRE2_JIT_COMPLETE);  /* interpreted when JIT is absent */
	g->md = pcre2_match_data_create_from_pattern(g->re, NULL);
	if (g->md == NULL) {
		snprintf(err, errsz, "out of memory (pcre2 match data)");
		return GREP_EDB;
	}
	return GREP_OK;
}

/* Marks in bs the ids of column col's distinct strings in run that pass
 * pred.  col is one of a fixed set of names (never user text). */
static int
compute_set(struct grep *g, int64_t run, const char *col, struct bits *bs,
    int (*pred)(struct grep *, const char *, size_t, const void *), const void *arg,
    char *err, size_t errsz)
{
	sqlite3 *db = store_db(g->st);
	sqlite3_stmt *s;
	char sql[256];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id, s FROM str WHERE id IN "
	    "(SELECT DISTINCT %s FROM finding WHERE run = ?)", col);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "reading strings: %s", sqlite3_errmsg(db));
		return GREP_EDB;
	}
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 1);
		size_t n = (size_t)sqlite3_column_bytes(s, 1);
		if (pred(g, t ? t : "", n, arg))
			bits_set(bs, sqlite3_column_int64(s, 0));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "reading strings: %s", sqlite3_errmsg(db));
		return GREP_EDB;
	}
	return GREP_OK;
}

static int
pred_re(struct grep *g, const char *s, size_t n, const void *arg)
{
	(void)arg;
	return re_match(g, s, n);
}

static int
pred_glob(struct grep *g, const char *s, size_t n, const void *arg)
{
	(void)g;
	(void)n;
	return fnmatch(arg, s, 0) == 0;
}

/* --file: the stored file or its basename. */
static int
pred_file_glob(struct grep *g, const char *s, size_t n, const void *arg)
{
	const char *base = strrchr(s, '/');

	(void)g;
	(void)n;
	return fnmatch(arg, s, 0) == 0 || (base && fnmatch(arg, base + 1, 0) == 0);
}

static int
reason_is(void *ctx, int64_t id)
{
	return id == *(const int64_t *)ctx;
}

static int
flow_text_match(struct grep *g, const void *blob, size_t len)
{
	struct block_rec *b = NULL;
	size_t nb = 0, i, j, k;
	int hit = 0;

	arena_reset(&g->scratch);
	if (flows_decode(g->st, blob, len, &g->scratch, &b, &nb) != 0)
		return 0;
	for (i = 0; i < nb && !hit; i++)
		for (j = 0; j < b[i].nflows && !hit; j++) {
			const struct flow_rec *f = &b[i].flows[j];
			hit = re_match(g, f->dst, strlen(f->dst)) || re_match(g, f->src, strlen(f->src));
			for (k = 0; k < f->nsteps && !hit; k++)
				hit = re_match(g, f->steps[k].expr, strlen(f->steps[k].expr)) ||
				    re_match(g, f->steps[k].reason, strlen(f->steps[k].reason));
		}
	return hit;
}

/* escdb_grep_row(pkg, file, func, kind, subject, message, flows) */
static void
row_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct grep *g = sqlite3_user_data(ctx);
	const struct grep_opts *o = g->o;
	int kind = sqlite3_value_int(argv[3]), hit;
	static const int fieldarg[] = { 5, 4, 2, 1, 0, -1 };

	(void)argc;
	if ((o->kinds && !(kind >= 0 && kind < 32 && (o->kinds & (1u << kind)))) ||
	    (g->use_pkg && !bits_get(&g->pkg, sqlite3_value_int64(argv[0]))) ||
	    (g->use_file && !bits_get(&g->file, sqlite3_value_int64(argv[1]))) ||
	    (g->use_func && !bits_get(&g->func, sqlite3_value_int64(argv[2])))) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (g->reason_id && !flows_any_reason(sqlite3_value_blob(argv[6]),
	    (size_t)sqlite3_value_bytes(argv[6]), reason_is, &g->reason_id)) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (o->field == GF_FLOW)
		hit = flow_text_match(g, sqlite3_value_blob(argv[6]), (size_t)sqlite3_value_bytes(argv[6]));
	else
		hit = bits_get(&g->field, sqlite3_value_int64(argv[fieldarg[o->field]]));
	sqlite3_result_int(ctx, hit != (o->invert != 0));
}

/* ---- output ---- */

static enum fmt_color
kind_color(enum esc_kind k)
{
	switch (k) {
	case ESC_HEAP: return FC_RED;
	case ESC_MOVED: return FC_YELLOW;
	case ESC_LEAK: case ESC_LEAK_RESULT: case ESC_LEAK_CONTENT: return FC_CYAN;
	case ESC_NOESCAPE: return FC_GREEN;
	case ESC_CAPTURE: return FC_BLUE;
	default: return FC_N;
	}
}

static void
print_hit(struct grep *g, FILE *fp, const struct finding_rec *r)
{
	int color = g->o->color;
	enum fmt_color kc = kind_color(r->kind);
	PCRE2_SIZE *ov;

	fputs(fmt_sgr(color, FC_MAGENTA), fp);
	fmt_pos(fp, pkgpaths_path(&g->paths, r->package, r->file, &g->path), r->line, r->col, 1);
	fputs(fmt_sgr(color, FC_RESET), fp);
	fputs(": ", fp);
	fputs(fmt_sgr(color, kc), fp);
	ov = pcre2_get_ovector_pointer(g->md);
	if (color && g->o->field == GF_MESSAGE && !g->o->invert &&
	    pcre2_match(g->re, (PCRE2_SPTR)r->message, strlen(r->message), 0, 0, g->md, NULL) >= 0 &&
	    ov[1] > ov[0] && ov[1] <= strlen(r->message)) {
		char *m = xstrdup(r->message);
		char save = m[ov[0]];
		m[ov[0]] = '\0';
		fmt_text(fp, m);
		m[ov[0]] = save;
		save = m[ov[1]];
		m[ov[1]] = '\0';
		fprintf(fp, "%s", fmt_sgr(1, FC_BOLD));
		fmt_text(fp, m + ov[0]);
		fprintf(fp, "%s%s", fmt_sgr(1, FC_RESET), fmt_sgr(1, kc));
		m[ov[1]] = save;
		fmt_text(fp, m + ov[1]);
		free(m);
	} else
		fmt_text(fp, r->message);
	fputs(fmt_sgr(color, FC_RESET), fp);
	fputc('\n', fp);
}

void
grep_print_chain(FILE *fp, struct store *st, const struct finding_rec *r, int indent, int color)
{
	struct arena a = ARENA_INIT;
	struct block_rec *b = NULL;
	struct sbuf pos = SBUF_INIT;
	size_t nb = 0, i, j, k;

	if (r->flows == NULL || r->flowslen == 0)
		goto out;
	if (flows_decode(st, r->flows, r->flowslen, &a, &b, &nb) != 0) {
		fprintf(fp, "%*s(malformed flows)\n", indent, "");
		goto out;
	}
	for (i = 0; i < nb; i++) {
		fprintf(fp, "%*s%s", indent, "", fmt_sgr(color, FC_BOLD));
		fmt_text(fp, b[i].heading);
		fprintf(fp, "%s\n", fmt_sgr(color, FC_RESET));
		for (j = 0; j < b[i].nflows; j++) {
			const struct flow_rec *f = &b[i].flows[j];
			fprintf(fp, "%*sflow: ", indent + 2, "");
			fmt_text(fp, f->dst);
			fputs(" \xe2\x86\x90 ", fp);
			fmt_text(fp, f->src);
			fputc('\n', fp);
			for (k = 0; k < f->nsteps; k++) {
				const struct step_rec *s = &f->steps[k];
				fprintf(fp, "%*sfrom ", indent + 4, "");
				fmt_text(fp, s->expr);
				fputs(" (", fp);
				fmt_text(fp, s->reason);
				fputc(')', fp);
				finding_pos_text(&pos, s->file, s->line, s->col);
				if (pos.len) {
					fputs(" at ", fp);
					fmt_text(fp, pos.buf);
				}
				fputc('\n', fp);
			}
		}
		if (b[i].truncated)
			fprintf(fp, "%*s(the compiler cut this chain short)\n", indent + 2, "");
	}
out:
	sbuf_release(&pos);
	arena_release(&a);
}

static int64_t
max_str_id(struct store *st)
{
	sqlite3_stmt *s;
	int64_t n = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT max(id) FROM str", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int
grep_run(struct store *st, int64_t run, const char *commit,
    const struct grep_opts *o, FILE *fp, char *err, size_t errsz)
{
	static const char *const cols[] = { "message", "subject", "func", "file", "pkg", NULL };
	struct grep g;
	struct finding_iter *it = NULL;
	struct finding_rec r;
	struct json_stream js;
	struct sbuf flows = SBUF_INIT;
	const char *lastpkg = NULL, *lastfile = NULL;
	sqlite3 *db = store_db(st);
	int64_t nids, count = 0;
	int rc, n;

	memset(&g, 0, sizeof(g));
	g.st = st;
	g.o = o;
	if ((rc = compile(&g, err, errsz)) != GREP_OK)
		goto out;
	if ((nids = max_str_id(st)) < 0) {
		snprintf(err, errsz, "reading strings: %s", sqlite3_errmsg(db));
		rc = GREP_EDB;
		goto out;
	}
	if ((o->out == GO_TEXT || o->out == GO_FILES) && o->rundir != NULL &&
	    pkgpaths_load(st, run, o->rundir, &g.paths) != STORE_OK) {
		snprintf(err, errsz, "%s", store_errmsg(st));
		rc = GREP_EDB;
		goto out;
	}
	bits_init(&g.field, (size_t)nids + 1);
	bits_init(&g.pkg, (size_t)nids + 1);
	bits_init(&g.file, (size_t)nids + 1);
	bits_init(&g.func, (size_t)nids + 1);
	if (o->reason) {
		g.reason_id = store_str_lookup(st, o->reason);
		if (g.reason_id <= 1) {
			rc = GREP_ENOMATCH;
			if (o->out == GO_COUNT)
				fputs("0\n", fp);
			goto out;
		}
	}
	if (o->field != GF_FLOW &&
	    (rc = compute_set(&g, run, cols[o->field], &g.field, pred_re, NULL, err, errsz)) != GREP_OK)
		goto out;
	if ((g.use_pkg = o->pkg_glob != NULL) &&
	    (rc = compute_set(&g, run, "pkg", &g.pkg, pred_glob, o->pkg_glob, err, errsz)) != GREP_OK)
		goto out;
	if ((g.use_file = o->file_glob != NULL) &&
	    (rc = compute_set(&g, run, "file", &g.file, pred_file_glob, o->file_glob, err, errsz)) != GREP_OK)
		goto out;
	if ((g.use_func = o->func_glob != NULL) &&
	    (rc = compute_set(&g, run, "func", &g.func, pred_glob, o->func_glob, err, errsz)) != GREP_OK)
		goto out;
	if (sqlite3_create_function_v2(db, "escdb_grep_row", 7, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	    &g, row_fn, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "registering the filter: %s", sqlite3_errmsg(db));
		rc = GREP_EDB;
		goto out;
	}
	if (finding_iter_new(st, run, "escdb_grep_row(f.pkg, f.file, f.func, f.kind, f.subject, "
	    "f.message, f.flows)", &it) != STORE_OK) {
		snprintf(err, errsz, "%s", store_errmsg(st));
		rc = GREP_EDB;
		goto unreg;
	}
	if (o->out == GO_CSV)
		finding_csv_header(fp);
	else if (o->out == GO_JSON || o->out == GO_JSONL)
		json_stream_begin(&js, fp, o->out == GO_JSONL);
	while ((n = finding_iter_next(it, &r)) == 1) {
		count++;
		switch (o->out) {
		case GO_TEXT:
			print_hit(&g, fp, &r);
			if (o->explain)
				grep_print_chain(fp, st, &r, 2, o->color);
			break;
		case GO_JSON:
		case GO_JSONL: {
			cJSON *obj = finding_to_json(st, &r, commit, &g.scratch);
			json_stream_add(&js, obj);
			cJSON_Delete(obj);
			break;
		}
		case GO_CSV:
			finding_csv_row(fp, st, &r, commit, &g.scratch, &flows);
			break;
		case GO_FILES:
			if (r.package != lastpkg || r.file != lastfile) {
				fmt_text(fp, pkgpaths_path(&g.paths, r.package, r.file, &g.path));
				fputc('\n', fp);
			}
			lastpkg = r.package;
			lastfile = r.file;
			break;
		case GO_COUNT:
			break;
		}
		arena_reset(&g.scratch);
		if (ferror(fp))
			break;
	}
	if (o->out == GO_JSON || o->out == GO_JSONL)
		json_stream_end(&js);
	if (o->out == GO_COUNT)
		fprintf(fp, "%lld\n", (long long)count);
	if (n < 0) {
		snprintf(err, errsz, "%s", store_errmsg(st));
		rc = GREP_EDB;
	} else if (g.failed) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(g.failed, msg, sizeof(msg));
		snprintf(err, errsz, "pcre2 match failed: %s", (const char *)msg);
		rc = GREP_EDB;
	} else
		rc = count ? GREP_OK : GREP_ENOMATCH;
unreg:
	finding_iter_free(it);
	sqlite3_create_function_v2(db, "escdb_grep_row", 7, SQLITE_UTF8, NULL, NULL, NULL, NULL, NULL);
out:
	sbuf_release(&flows);
	pkgpaths_release(&g.paths);
	sbuf_release(&g.path);
	arena_release(&g.scratch);
	free(g.field.b);
	free(g.pkg.b);
	free(g.file.b);
	free(g.func.b);
	pcre2_match_data_free(g.md);
	pcre2_code_free(g.re);
	return rc;
}

/* ---- explain ---- */

struct explain {
	struct store *st;
	int64_t run;
	const char *file;
	int line, col;
	sqlite3_stmt *pkgdir;
	char *want;             /* the path of the one file FILE names */
	const struct pkgpaths *pp;
	struct sbuf path;
};

/* Whether want equals a '/'-boundary suffix of path. */
static int
path_suffix(const char *path, const char *want)
{
	size_t pn = strlen(path), wn = strlen(want);

	if (wn == 0 || wn > pn || strcmp(path + pn - wn, want) != 0)
		return 0;
	return wn == pn || path[pn - wn - 1] == '/';
}

static const char *
package_dir(struct explain *x, int64_t pkg, struct sbuf *out)
{
	sbuf_reset(out);
	sbuf_adds(out, "");
	if (x->pkgdir == NULL && sqlite3_prepare_v2(store_db(x->st),
	    "SELECT dir FROM package WHERE run = ? AND name = ?", -1, &x->pkgdir, NULL) != SQLITE_OK)
		return out->buf;
	sqlite3_bind_int64(x->pkgdir, 1, x->run);
	sqlite3_bind_int64(x->pkgdir, 2, pkg);
	if (sqlite3_step(x->pkgdir) == SQLITE_ROW && sqlite3_column_text(x->pkgdir, 0))
		sbuf_adds(out, (const char *)sqlite3_column_text(x->pkgdir, 0));
	sqlite3_reset(x->pkgdir);
	return out->buf;
}

static int
file_matches(struct explain *x, int64_t pkg, int64_t file)
{
	const char *f = store_str(x->st, file);
	struct sbuf sb = SBUF_INIT, dir = SBUF_INIT;
	int hit;

	if (path_suffix(f, x->file))
		return 1;
	sbuf_addf(&sb, "%s/%s", store_str(x->st, pkg), f);
	hit = path_suffix(sb.buf, x->file);
	if (!hit && *package_dir(x, pkg, &dir)) {
		sbuf_reset(&sb);
		sbuf_addf(&sb, "%s/%s", dir.buf, f);
		hit = path_suffix(sb.buf, x->file);
	}
	sbuf_release(&sb);
	sbuf_release(&dir);
	return hit;
}

/* escdb_explain_row(line, col, pkg, file) */
static void
explain_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct explain *x = sqlite3_user_data(ctx);

	(void)argc;
	sqlite3_result_int(ctx, sqlite3_value_int(argv[0]) == x->line &&
	    (x->col == 0 || sqlite3_value_int(argv[1]) == x->col) &&
	    strcmp(pkgpaths_path(x->pp, store_str(x->st, sqlite3_value_int64(argv[2])),
	    store_str(x->st, sqlite3_value_int64(argv[3])), &x->path), x->want) == 0);
}

/* Finds the one file of the run that x->file names (a '/'-boundary
 * suffix of its path), by the path it prints as: an inlined body's file
 * stored under its caller's package is the same file.  GREP_OK with
 * x->want set, GREP_ENOMATCH, or GREP_EAMBIGUOUS with the candidates in
 * err. */
static int
which_file(struct explain *x, const struct pkgpaths *pp, char *err, size_t errsz)
{
	struct sbuf names = SBUF_INIT, path = SBUF_INIT, seen = SBUF_INIT, key = SBUF_INIT;
	sqlite3_stmt *s;
	int n = 0, rc;

	sbuf_addc(&seen, '\n');
	if (sqlite3_prepare_v2(store_db(x->st), "SELECT DISTINCT pkg, file FROM finding "
	    "WHERE run = ? ORDER BY pkg, file", -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(store_db(x->st)));
		return GREP_EDB;
	}
	sqlite3_bind_int64(s, 1, x->run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t pkg = sqlite3_column_int64(s, 0), file = sqlite3_column_int64(s, 1);
		const char *p;

		if (!file_matches(x, pkg, file))
			continue;
		p = pkgpaths_path(pp, store_str(x->st, pkg), store_str(x->st, file), &path);
		sbuf_reset(&key);
		sbuf_addf(&key, "\n%s\n", p);
		if (strstr(seen.buf, key.buf) != NULL)
			continue;       /* the same file under another package */
		sbuf_adds(&seen, key.buf + 1);
		if (n++ == 0)
			x->want = xstrdup(p);
		if (n <= 6) {
			sbuf_adds(&names, n > 1 ? ", " : "");
			sbuf_adds(&names, n == 6 ? "..." : p);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		snprintf(err, errsz, "%s", sqlite3_errmsg(store_db(x->st)));
	else if (n > 1)
		snprintf(err, errsz, "'%s' names %d files of the run: %s", x->file, n,
		    names.buf);
	sbuf_release(&names);
	sbuf_release(&path);
	sbuf_release(&seen);
	sbuf_release(&key);
	return rc != SQLITE_DONE ? GREP_EDB : n == 0 ? GREP_ENOMATCH :
	    n > 1 ? GREP_EAMBIGUOUS : GREP_OK;
}

static explain_source_fn *src_reader;
static void *src_reader_ctx;

void
explain_source_reader(explain_source_fn *fn, void *ctx)
{
	src_reader = fn;
	src_reader_ctx = ctx;
}

/* Line n (from 1) of buf[0..len), without its line end; NULL if none. */
static char *
nth_line(const char *buf, size_t len, int n)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t l;

	for (; n > 1 && p < end; n--) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		p = nl + 1;
	}
	if (n > 1 || p >= end)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	l = (size_t)((nl ? nl : end) - p);
	while (l > 0 && p[l - 1] == '\r')
		l--;
	return xstrndup(p, l);
}

/* The source line, read only from a file under srcdir (after resolving
 * symbolic links and ".."), or through the source reader; NULL when not
 * readable.  Caller frees. */
static char *
source_line(struct explain *x, const char *srcdir, const struct finding_rec *r, int64_t pkg)
{
	struct sbuf path = SBUF_INIT, dir = SBUF_INIT;
	char *root = NULL, *real = NULL, *line = NULL;
	size_t cap = 0, rootn;
	ssize_t len = -1;
	FILE *fp;
	int i;

	if (srcdir == NULL || *srcdir == '\0' || r->file[0] == '$' || r->file[0] == '<' || r->line <= 0)
		return NULL;
	package_dir(x, pkg, &dir);
	if (r->file[0] == '/')
		sbuf_adds(&path, r->file);
	else {
		if (dir.buf[0] != '/')
			sbuf_addf(&path, "%s/", srcdir);
		if (dir.buf[0])
			sbuf_addf(&path, "%s/", dir.buf);
		sbuf_adds(&path, r->file);
	}
	if (src_reader != NULL) {
		size_t n = 0;
		char *buf = src_reader(src_reader_ctx, srcdir, path.buf, &n);

		if (buf != NULL)
			line = nth_line(buf, n, r->line);
		free(buf);
		goto out;
	}
	if ((root = realpath(srcdir, NULL)) == NULL || (real = realpath(path.buf, NULL)) == NULL)
		goto out;
	rootn = strlen(root);
	if (!(strncmp(real, root, rootn) == 0 && (real[rootn] == '/' || (rootn == 1 && root[0] == '/'))))
		goto out;       /* escapes the run's directory */
	if ((fp = fopen(real, "r")) == NULL)
		goto out;
	for (i = 0; i < r->line && (len = getline(&line, &cap, fp)) >= 0; i++)
		;
	fclose(fp);
	if (len < 0 || i < r->line) {
		free(line);
		line = NULL;
		goto out;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
out:
	free(root);
	free(real);
	sbuf_release(&path);
	sbuf_release(&dir);
	return line;
}

int
explain_run(struct store *st, int64_t run, const char *commit,
    const char *srcdir, const char *file, int line, int col, int json,
    int color, FILE *fp, char *err, size_t errsz)
{
	return explain_run_hot(st, run, commit, srcdir, file, line, col, json, color, NULL,
	    fp, err, errsz);
}

int
explain_run_hot(struct store *st, int64_t run, const char *commit,
    const char *srcdir, const char *file, int line, int col, int json,
    int color, const struct hot *hot, FILE *fp, char *err, size_t errsz)
{
	struct explain x;
	struct finding_iter *it = NULL;
	struct finding_rec r;
	struct arena scratch = ARENA_INIT;
	struct json_stream js;
	sqlite3 *db = store_db(st);
	sqlite3_stmt *pk = NULL;
	int64_t count = 0;
	int rc = GREP_OK, n;
	struct pkgpaths pp;
	struct sbuf path = SBUF_INIT;

	memset(&x, 0, sizeof(x));
	x.st = st;
	x.run = run;
	x.file = file;
	x.line = line;
	x.col = col;
	if (pkgpaths_load(st, run, srcdir, &pp) != STORE_OK) {
		snprintf(err, errsz, "%s", store_errmsg(st));
		return GREP_EDB;
	}
	x.pp = &pp;
	if ((rc = which_file(&x, &pp, err, errsz)) != GREP_OK)
		goto out;
	if (sqlite3_create_function_v2(db, "escdb_explain_row", 4, SQLITE_UTF8 | SQLITE_DIRECTONLY,
	    &x, explain_fn, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT pkg FROM finding WHERE id = ?", -1, &pk, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "explain: %s", sqlite3_errmsg(db));
		return GREP_EDB;
	}
	if (finding_iter_new(st, run, "escdb_explain_row(f.line, f.col, f.pkg, f.file)", &it) != STORE_OK) {
		snprintf(err, errsz, "%s", store_errmsg(st));
		rc = GREP_EDB;
		goto out;
	}
	if (json)
		json_stream_begin(&js, fp, 0);
	while ((n = finding_iter_next(it, &r)) == 1) {
		int64_t pkg = 0;
		char *src;
		int hascause = r.cause > CAUSE_NONE && r.cause < CAUSE_N;

		sqlite3_bind_int64(pk, 1, r.id);
		if (sqlite3_step(pk) == SQLITE_ROW)
			pkg = sqlite3_column_int64(pk, 0);
		sqlite3_reset(pk);
		src = source_line(&x, srcdir, &r, pkg);
		count++;
		if (json) {
			cJSON *o = finding_to_json(st, &r, commit, &scratch);
			if (hascause)
				fmt_json_add_str(o, "hint", cause_hint(r.cause));
			else
				cJSON_AddItemToObject(o, "hint", cJSON_CreateNull());
			if (src)
				fmt_json_add_str(o, "source", src);
			else
				cJSON_AddItemToObject(o, "source", cJSON_CreateNull());
			if (hot)
				hot_explain_json(o, hot, &r);
			json_stream_add(&js, o);
			cJSON_Delete(o);
		} else {
			if (count > 1)
				fputc('\n', fp);
			fprintf(fp, "%s", fmt_sgr(color, FC_MAGENTA));
			fmt_pos(fp, pkgpaths_path(&pp, r.package, r.file, &path), r.line, r.col, 1);
			fprintf(fp, "%s: %s", fmt_sgr(color, FC_RESET),
			    fmt_sgr(color, kind_color(r.kind)));
			fmt_text(fp, r.message);
			fprintf(fp, "%s\n", fmt_sgr(color, FC_RESET));
			fputs("  package ", fp);
			fmt_text(fp, r.package);
			if (r.func[0]) {
				fputs(", func ", fp);
				fmt_text(fp, r.func);
			}
			fprintf(fp, ", kind %s\n", esc_kind_name(r.kind));
			if (hascause)
				fprintf(fp, "  cause: %s; %s\n", cause_name(r.cause), cause_hint(r.cause));
			if (hot)
				hot_explain_text(fp, hot, &r);
			if (src) {
				fputs("  source: ", fp);
				fmt_text(fp, src + strspn(src, " \t"));
				fputc('\n', fp);
			}
			grep_print_chain(fp, st, &r, 2, color);
		}
		free(src);
		arena_reset(&scratch);
	}
	if (json)
		json_stream_end(&js);
	if (n < 0) {
		snprintf(err, errsz, "%s", store_errmsg(st));
		rc = GREP_EDB;
	} else if (count == 0)
		rc = GREP_ENOMATCH;
out:
	finding_iter_free(it);
	sqlite3_finalize(x.pkgdir);
	sqlite3_finalize(pk);
	sqlite3_create_function_v2(db, "escdb_explain_row", 4, SQLITE_UTF8, NULL, NULL, NULL, NULL, NULL);
	arena_release(&scratch);
	pkgpaths_release(&pp);
	sbuf_release(&path);
	sbuf_release(&x.path);
	free(x.want);
	return rc;
}
