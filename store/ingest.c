/*
 * ingest: see ingest.h.  For each package the parser hands over, files
 * are named relative to the package directory, the enclosing function
 * comes from the compiler's text or from the Go source, the cause from
 * the flow chain, and the identity key from (package, file basename,
 * func, kind, subject, detail, ordinal).
 */
#include "ingest.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../parser/funcscan.h"
#include "../parser/logopt.h"
#include "cause.h"

#define MAX_WARNINGS 20         /* printed per input; the rest are counted */
#define SCAN_CACHE 32           /* Go source files kept scanned */
#define MAX_SOURCE (8u << 20)   /* larger source files are not scanned */

struct scanned {
	char *path;
	struct funcscan *fs;    /* NULL when unreadable */
	unsigned long used;
};

struct strmap_ent {
	uint64_t h;
	char *k, *v;
	size_t klen;            /* keys may hold NUL separators */
	uint64_t n;
};

struct strmap {
	struct strmap_ent *t;
	size_t cap, n;
};

struct ptr_ent {
	const void *p;
	int64_t id;
};

struct ptrtab {
	struct ptr_ent *tab;
	size_t cap, n;
};

struct ingest {
	struct ptrtab texts;            /* parser text address -> id */
	struct ptrtab stepfiles;        /* raw step file address -> id of its
	                                   normalised name */
	struct store *st;
	struct store_writer *w;
	struct parser *parser;
	struct ingest_opts o;
	char *cwd, *goroot, *gomodcache, *modroot;
	const char *input;
	unsigned long input_warnings;
	int rc;
	struct ingest_stats stats;
	struct scanned scan[SCAN_CACHE];
	unsigned long scan_tick;
	struct strmap ordinals;         /* pre-key -> count */
	struct strmap files;            /* raw file -> normalised (per package) */
	struct strmap expected;         /* package -> 1 expected, 2 printed */
	struct sbuf blob, tmp;
	char *pkgdir;                   /* of the package being stored */
	char *form;                     /* set by store_writer_set_form */
	char *go_version;               /* the run's, for old wordings */
	char *last_raw;                 /* scanner_for's one-entry cache */
	struct funcscan *last_fs;
};

/* ---- a small string map ---- */

static struct strmap_ent *
strmap_find(struct strmap *m, const char *k, size_t kn, int create)
{
	uint64_t h = hash64(k, kn, 11);
	size_t i, mask;

	if (create && (m->n + 1) * 2 > m->cap) {
		struct strmap_ent *old = m->t;
		size_t oc = m->cap;
		m->cap = m->cap ? m->cap * 2 : 64;
		m->t = xcalloc(m->cap, sizeof(*m->t));
		for (i = 0; i < oc; i++)
			if (old[i].k) {
				size_t j = (size_t)old[i].h & (m->cap - 1);
				while (m->t[j].k)
					j = (j + 1) & (m->cap - 1);
				m->t[j] = old[i];
			}
		free(old);
	}
	if (m->cap == 0)
		return NULL;
	mask = m->cap - 1;
	for (i = (size_t)h & mask; m->t[i].k; i = (i + 1) & mask)
		if (m->t[i].h == h && m->t[i].klen == kn && memcmp(m->t[i].k, k, kn) == 0)
			return &m->t[i];
	if (!create)
		return NULL;
	m->t[i].h = h;
	m->t[i].k = xstrndup(k, kn);
	m->t[i].klen = kn;
	m->t[i].v = NULL;
	m->t[i].n = 0;
	m->n++;
	return &m->t[i];
}

static void
strmap_clear(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		free(m->t[i].k);
		free(m->t[i].v);
	}
	free(m->t);
	memset(m, 0, sizeof(*m));
}

/* ---- paths ---- */

/* Cleans a path lexically: backslashes to '/', "." and ".." resolved
 * where possible, no trailing '/'.  Returns malloc'd text. */
static char *
path_clean(const char *p)
{
	size_t n = strlen(p), i, o = 0;
	char *s = xstrdup(p), *out = xmalloc(n + 2);
	int abs;
	char *tok, *save = NULL;
	size_t *stack = xmalloc((n + 2) * sizeof(*stack)), sp = 0, ups = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '\\')
			s[i] = '/';
	abs = s[0] == '/';
	if (abs)
		out[o++] = '/';
	for (tok = strtok_r(s, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (sp > 0) {
				o = stack[--sp];
				continue;
			}
			if (abs)
				continue;
			ups++;
		}
		stack[sp] = o;
		if (strcmp(tok, "..") != 0)
			sp++;
		if (o > 0 && out[o - 1] != '/')
			out[o++] = '/';
		memcpy(out + o, tok, strlen(tok));
		o += strlen(tok);
	}
	(void)ups;
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	free(s);
	free(stack);
	return out;
}

/* An absolute, clean form of a printed path (relative to cwd). */
static char *
path_abs(const struct ingest *in, const char *raw)
{
	char *j, *c;

	if (raw[0] == '/' || (raw[0] && raw[1] == ':'))
		return path_clean(raw);
	if (strncmp(raw, "$GOROOT/", 8) == 0 && in->goroot) {
		j = xmalloc(strlen(in->goroot) + strlen(raw));
		sprintf(j, "%s/%s", in->goroot, raw + 8);
	} else if (strncmp(raw, "$GOMODCACHE/", 12) == 0 && in->gomodcache) {
		j = xmalloc(strlen(in->gomodcache) + strlen(raw));
		sprintf(j, "%s/%s", in->gomodcache, raw + 12);
	} else if (raw[0] == '$') {
		return path_clean(raw);
	} else {
		j = xmalloc(strlen(in->cwd) + strlen(raw) + 2);
		sprintf(j, "%s/%s", in->cwd, raw);
	}
	c = path_clean(j);
	free(j);
	return c;
}

static int
has_prefix_dir(const char *p, const char *dir, const char **rest)
{
	size_t n = strlen(dir);

	if (n == 0 || strncmp(p, dir, n) != 0 || (p[n] != '/' && !(n == 1 && dir[0] == '/')))
		return 0;
	*rest = p + n + (p[n] == '/');
	return 1;
}

/* GOROOT inferred from a standard-library package: DIR ends in /src/PKG. */
static void
infer_goroot(struct ingest *in, const char *pkg, const char *dir)
{
	size_t dn = strlen(dir), pn = strlen(pkg);
	const char *slash;

	if (in->goroot || pn == 0 || strchr(pkg, '.') != NULL || dn < pn + 5)
		return;
	slash = strchr(pkg, '/');
	(void)slash;
	if (strcmp(dir + dn - pn, pkg) != 0 || dir[dn - pn - 1] != '/' ||
	    strncmp(dir + dn - pn - 5, "/src/", 5) != 0)
		return;
	in->goroot = xstrndup(dir, dn - pn - 5);
}

/* The stored name of a file: relative to the package directory, else
 * $GOROOT/..., $GOMODCACHE/..., module-relative, or as printed. */
static char *
file_name(struct ingest *in, const char *raw)
{
	const char *rest;
	char *abs, *out;
	const char *tc;

	if (raw[0] == '<' || raw[0] == '\0')
		return xstrdup(raw);
	if (strncmp(raw, "$GOROOT/", 8) == 0 || strncmp(raw, "$GOMODCACHE/", 12) == 0)
		return path_clean(raw);
	abs = path_abs(in, raw);
	if (in->pkgdir && has_prefix_dir(abs, in->pkgdir, &rest)) {
		out = xstrdup(rest);
	} else if ((tc = strstr(abs, "/golang.org/toolchain@")) != NULL &&
	    (rest = strstr(tc, "/src/")) != NULL) {
		out = xmalloc(strlen(rest) + 16);
		sprintf(out, "$GOROOT%s", rest);
	} else if (in->goroot && has_prefix_dir(abs, in->goroot, &rest)) {
		out = xmalloc(strlen(rest) + 16);
		sprintf(out, "$GOROOT/%s", rest);
	} else if (in->gomodcache && has_prefix_dir(abs, in->gomodcache, &rest)) {
		out = xmalloc(strlen(rest) + 16);
		sprintf(out, "$GOMODCACHE/%s", rest);
	} else if ((tc = strstr(abs, "/pkg/mod/")) != NULL) {
		out = xmalloc(strlen(tc) + 16);
		sprintf(out, "$GOMODCACHE/%s", tc + 9);
	} else if (in->modroot && has_prefix_dir(abs, in->modroot, &rest)) {
		out = xstrdup(rest);
	} else if (has_prefix_dir(abs, in->cwd, &rest)) {
		out = xstrdup(rest);
	} else {
		out = xstrdup(abs);
	}
	free(abs);
	return out;
}

static const char *
file_cached(struct ingest *in, const char *raw)
{
	struct strmap_ent *e = strmap_find(&in->files, raw, strlen(raw), 1);

	if (e->v == NULL)
		e->v = file_name(in, raw);
	return e->v;
}

/* ---- functions from source ---- */

static struct funcscan *scanner_lookup(struct ingest *in, const char *raw);

static struct funcscan *
scanner_for(struct ingest *in, const char *raw)
{
	if (raw[0] == '<')
		return NULL;
	/* consecutive findings are mostly in one file */
	if (in->last_raw && strcmp(in->last_raw, raw) == 0)
		return in->last_fs;
	free(in->last_raw);
	in->last_raw = xstrdup(raw);
	in->last_fs = scanner_lookup(in, raw);
	return in->last_fs;
}

static struct funcscan *
scanner_lookup(struct ingest *in, const char *raw)
{
	char *abs;
	size_t i, victim = 0;
	FILE *fp;
	struct stat sb;
	struct scanned *s;

	abs = path_abs(in, raw);
	for (i = 0; i < SCAN_CACHE; i++) {
		if (in->scan[i].path && strcmp(in->scan[i].path, abs) == 0) {
			in->scan[i].used = ++in->scan_tick;
			free(abs);
			return in->scan[i].fs;
		}
		if (in->scan[i].used < in->scan[victim].used)
			victim = i;
	}
	s = &in->scan[victim];
	free(s->path);
	if (s->fs)
		funcscan_free(s->fs);
	s->path = abs;
	s->fs = NULL;
	s->used = ++in->scan_tick;
	fp = fopen(abs, "rb");
	if (fp != NULL) {
		if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (uint64_t)sb.st_size <= MAX_SOURCE) {
			size_t n = (size_t)sb.st_size;
			char *buf = xmalloc(n + 1);
			size_t got = fread(buf, 1, n, fp);
			s->fs = funcscan_new(buf, got);
			free(buf);
		}
		fclose(fp);
	}
	return s->fs;
}

/* ---- warnings ---- */

static void
warn(struct ingest *in, unsigned long line, const char *text)
{
	in->stats.warnings++;
	in->input_warnings++;
	if (in->o.warn == NULL)
		return;
	if (in->input_warnings <= MAX_WARNINGS)
		in->o.warn(in->o.warn_ctx, in->input, line, text);
}

static void
parser_warning(void *ctx, enum parser_warning w, unsigned long line, const char *text)
{
	(void)w;
	warn(ctx, line, text);
}

static int
parser_kept_line(void *ctx, enum line_class c, unsigned long lineno, const char *text, size_t n)
{
	struct ingest *in = ctx;

	if (store_writer_line(in->w, c, lineno, text, n) != STORE_OK) {
		in->rc = STORE_EDB;
		return 1;
	}
	return 0;
}

/* ---- one package ---- */

static char *
dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	const char *b = strrchr(path, '\\');

	if (b && (!s || b > s))
		s = b;
	return s ? xstrndup(path, (size_t)(s - path)) : xstrdup(".");
}

/* The package directory: from go list when known, else the directory
 * holding most of the package's findings. */
static void
package_dir(struct ingest *in, const struct esc_package *p)
{
	struct strmap votes = { 0 };
	size_t i;
	uint64_t best = 0;
	const char *bestdir = NULL;
	const char *known = in->o.pkgdir ? in->o.pkgdir(in->o.pkgdir_ctx, p->name) : NULL;

	free(in->pkgdir);
	in->pkgdir = NULL;
	if (known && *known) {
		in->pkgdir = path_clean(known);
		return;
	}
	for (i = 0; i < p->nfindings; i++) {
		const char *f = p->findings[i].pos.file;
		char *d;
		struct strmap_ent *e;
		if (f[0] == '<')
			continue;
		d = dir_of(f);
		e = strmap_find(&votes, d, strlen(d), 1);
		if (++e->n > best) {
			best = e->n;
			bestdir = e->k;
		}
		free(d);
	}
	if (bestdir) {
		char *raw = xmalloc(strlen(bestdir) + 3);
		sprintf(raw, "%s/x", bestdir);
		char *abs = path_abs(in, raw);
		in->pkgdir = dir_of(abs);
		free(abs);
		free(raw);
		infer_goroot(in, p->name, in->pkgdir);
	}
	strmap_clear(&votes);
}

/* An address -> id table.  The parser hands each distinct text of a
 * package as one pointer, so ids are cached by address for the
 * package's lifetime. */
static size_t
ptr_slot(const struct ptrtab *t, const void *p)
{
	return (size_t)(((uintptr_t)p >> 3) * 0x9e3779b97f4a7c15ULL >> 20) & (t->cap - 1);
}

static struct ptr_ent *
ptr_find(struct ptrtab *t, const void *p)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		struct ptr_ent *old = t->tab;
		size_t oc = t->cap, j;
		t->cap = t->cap ? t->cap * 2 : 4096;
		t->tab = xcalloc(t->cap, sizeof(*t->tab));
		for (j = 0; j < oc; j++)
			if (old[j].p) {
				i = ptr_slot(t, old[j].p);
				while (t->tab[i].p)
					i = (i + 1) & (t->cap - 1);
				t->tab[i] = old[j];
			}
		free(old);
	}
	for (i = ptr_slot(t, p); t->tab[i].p; i = (i + 1) & (t->cap - 1))
		if (t->tab[i].p == p)
			return &t->tab[i];
	return &t->tab[i];              /* the empty slot; caller fills it */
}

static void
ptr_forget(struct ptrtab *t)
{
	if (t->cap > 8192 && t->n < t->cap / 16) {
		free(t->tab);
		t->tab = NULL;
		t->cap = 0;
	} else if (t->n)
		memset(t->tab, 0, t->cap * sizeof(*t->tab));
	t->n = 0;
}

static int64_t
intern(struct ingest *in, const char *s)
{
	struct ptr_ent *e;
	int64_t id;

	if (s == NULL || s[0] == '\0')
		return 1;
	e = ptr_find(&in->texts, s);
	if (e->p)
		return e->id;
	id = store_writer_intern(in->w, s, strlen(s));
	if (id < 0)
		return id;
	e->p = s;
	e->id = id;
	in->texts.n++;
	return id;
}

static void
intern_forget(struct ingest *in)
{
	ptr_forget(&in->texts);
	ptr_forget(&in->stepfiles);
}

/* The id of a step's normalised file name, cached by the raw text's
 * address (a second table, since the raw text's own id differs). */
static int64_t
step_file(struct ingest *in, const char *raw)
{
	struct ptr_ent *e;
	const char *norm;
	int64_t id;

	if (raw == NULL || raw[0] == '\0')
		return 1;
	e = ptr_find(&in->stepfiles, raw);
	if (e->p)
		return e->id;
	norm = file_cached(in, raw);
	id = store_writer_intern(in->w, norm, strlen(norm));
	if (id < 0)
		return id;
	e->p = raw;
	e->id = id;
	in->stepfiles.n++;
	return id;
}

static int
encode_flows(struct ingest *in, const struct esc_finding *f)
{
	size_t i, j, k;
	int64_t id;

	sbuf_reset(&in->blob);
	if (f->nblocks == 0)
		return 0;
	varint_put(&in->blob, 1);
	varint_put(&in->blob, f->nblocks);
	for (i = 0; i < f->nblocks; i++) {
		const struct esc_block *b = f->blocks[i];
		if ((id = intern(in, b->heading)) < 0)
			return -1;
		varint_put(&in->blob, (uint64_t)id);
		varint_put(&in->blob, (uint64_t)b->truncated);
		varint_put(&in->blob, b->nflows);
		for (j = 0; j < b->nflows; j++) {
			const struct esc_flow *fl = &b->flows[j];
			int64_t d = intern(in, fl->dst), s = intern(in, fl->src);
			if (d < 0 || s < 0)
				return -1;
			varint_put(&in->blob, (uint64_t)d);
			varint_put(&in->blob, (uint64_t)s);
			varint_put(&in->blob, fl->nsteps);
			for (k = 0; k < fl->nsteps; k++) {
				const struct esc_step *st = &fl->steps[k];
				int64_t e = intern(in, st->expr), r = intern(in, st->reason),
				    fi = step_file(in, st->pos.file);
				if (e < 0 || r < 0 || fi < 0)
					return -1;
				varint_put(&in->blob, (uint64_t)e);
				varint_put(&in->blob, (uint64_t)r);
				varint_put(&in->blob, (uint64_t)fi);
				varint_put(&in->blob, (uint64_t)(st->pos.line > 0 ? st->pos.line : 0));
				varint_put(&in->blob, (uint64_t)(st->pos.col > 0 ? st->pos.col : 0));
			}
		}
	}
	return 0;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static uint64_t
identity_key(struct ingest *in, const char *pkg, const char *file, const char *func,
    enum esc_kind kind, const char *subject, const char *detail)
{
	struct strmap_ent *e;
	uint64_t ord;

	sbuf_reset(&in->tmp);
	sbuf_adds(&in->tmp, pkg);
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, base_name(file));
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, func);
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, esc_kind_name(kind));
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, subject);
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, detail);
	e = strmap_find(&in->ordinals, in->tmp.buf, in->tmp.len, 1);
	ord = e->n++;
	sbuf_addc(&in->tmp, '\0');
	sbuf_addf(&in->tmp, "%llu", (unsigned long long)ord);
	return hash64(in->tmp.buf, in->tmp.len, 0xe5cdb);
}

static int
store_package(void *ctx, const struct esc_package *p)
{
	struct ingest *in = ctx;
	const char *pkg = p->name;
	char fnbuf[1024];
	size_t i;
	struct strmap_ent *e;

	if (in->rc)
		return 1;
	strmap_clear(&in->files);
	package_dir(in, p);
	if (pkg[0] == '\0' && in->o.package)
		pkg = in->o.package;
	if (pkg[0] == '\0' && p->nfindings > 0) {
		struct funcscan *fs = scanner_for(in, p->findings[0].pos.file);
		if (fs)
			pkg = funcscan_package(fs);
	}
	in->stats.packages++;
	in->stats.blocks += p->nblocks;
	in->stats.orphans += p->norphans;
	e = strmap_find(&in->expected, pkg, strlen(pkg), 1);
	e->n |= 2;
	for (i = 0; i < p->nfindings; i++) {
		const struct esc_finding *f = &p->findings[i];
		struct finding_in fi;
		const char *func = "";

		memset(&fi, 0, sizeof(fi));
		fi.package = pkg;
		fi.file = file_cached(in, f->pos.file);
		fi.line = f->pos.line;
		fi.col = f->pos.col;
		if (f->func && f->func[0]) {
			funcname_normalize(f->func, fnbuf, sizeof(fnbuf));
			func = fnbuf;
		} else {
			struct funcscan *fs = scanner_for(in, f->pos.file);
			if (fs)
				func = funcscan_lookup(fs, f->pos.line, f->pos.col);
		}
		fi.func = func;
		fi.kind = f->kind;
		fi.subject = f->subject;
		fi.detail = f->detail;
		fi.message = f->message;
		fi.cause = cause_derive(f);
		fi.key = identity_key(in, pkg, fi.file, func, f->kind, f->subject, f->detail);
		if (encode_flows(in, f) < 0) {
			in->rc = store_fail(in->st, "storing flows");
			return 1;
		}
		fi.flows = in->blob.buf;
		fi.flowslen = in->blob.len;
		if (store_writer_finding(in->w, &fi) != STORE_OK) {
			in->rc = STORE_EDB;
			return 1;
		}
		in->stats.findings++;
		in->stats.kinds[f->kind]++;
	}
	if (store_writer_package(in->w, pkg, in->pkgdir, (int64_t)p->nfindings) != STORE_OK) {
		in->rc = STORE_EDB;
		return 1;
	}
	intern_forget(in);
	return 0;
}

/* ---- the run ---- */

int
ingest_begin(struct store *st, const struct run_meta *m, const struct ingest_opts *o,
    struct ingest **out)
{
	struct ingest *in = xcalloc(1, sizeof(*in));
	char err[256], cwdbuf[PATH_MAX];
	int rc;

	*out = NULL;
	in->st = st;
	in->o = *o;
	in->go_version = m->go_version ? xstrdup(m->go_version) : NULL;
	if (o->cwd) {
		char *c = path_clean(o->cwd);
		if (c[0] != '/' && getcwd(cwdbuf, sizeof(cwdbuf))) {
			char *j = xmalloc(strlen(cwdbuf) + strlen(c) + 2);
			sprintf(j, "%s/%s", cwdbuf, c);
			in->cwd = path_clean(j);
			free(j);
			free(c);
		} else
			in->cwd = c;
	} else
		in->cwd = xstrdup(getcwd(cwdbuf, sizeof(cwdbuf)) ? cwdbuf : ".");
	in->goroot = o->goroot && *o->goroot ? path_clean(o->goroot) : NULL;
	in->gomodcache = o->gomodcache && *o->gomodcache ? path_clean(o->gomodcache) : NULL;
	in->modroot = o->modroot && *o->modroot ? path_clean(o->modroot) : NULL;
	(void)err;
	rc = store_writer_begin(st, m, &in->w);
	if (rc != STORE_OK) {
		ingest_abort(in);
		return rc;
	}
	*out = in;
	return STORE_OK;
}

/* Each input is parsed separately, so one input's last package does not
 * run into the next. */
static int
input_begin(struct ingest *in, const char *name, char *err, size_t errsz)
{
	struct parser_sink sink;

	in->input = name;
	in->input_warnings = 0;
	if (in->parser)
		return 0;
	memset(&sink, 0, sizeof(sink));
	sink.ctx = in;
	sink.package = store_package;
	sink.line = parser_kept_line;
	sink.warning = parser_warning;
	in->parser = parser_new(&sink, err, errsz);
	if (in->parser && in->o.package)
		parser_set_default_package(in->parser, in->o.package);
	if (in->parser && in->go_version)
		parser_set_go_version(in->parser, in->go_version);
	return in->parser ? 0 : -1;
}

static void
input_end(struct ingest *in)
{
	const unsigned long *c = parser_counts(in->parser);
	int i;

	for (i = 0; i < LC_N; i++)
		in->stats.counts[i] += c[i];
	in->stats.lines += parser_lines(in->parser);
	in->stats.saw_m2 |= parser_saw_m2(in->parser);
	if (in->input_warnings > MAX_WARNINGS && in->o.warn) {
		char msg[96];
		snprintf(msg, sizeof(msg), "%lu more warnings not shown",
		    in->input_warnings - MAX_WARNINGS);
		in->o.warn(in->o.warn_ctx, in->input, 0, msg);
	}
	parser_free(in->parser);
	in->parser = NULL;
}

int
ingest_file(struct ingest *in, FILE *fp, const char *name)
{
	char err[256];
	int rc;

	if (input_begin(in, name, err, sizeof(err)) < 0)
		return STORE_EDB;
	rc = parser_read(in->parser, fp);
	if (rc < 0) {
		int e = errno;
		input_end(in);
		errno = e;
		return -1;
	}
	input_end(in);
	return in->rc;
}

int
ingest_bytes(struct ingest *in, const char *buf, size_t len, const char *name)
{
	char err[256];

	if (input_begin(in, name, err, sizeof(err)) < 0)
		return STORE_EDB;
	if (parser_feed(in->parser, buf, len) == 0)
		parser_finish(in->parser);
	input_end(in);
	return in->rc;
}

void
ingest_expect_package(struct ingest *in, const char *pkg)
{
	struct strmap_ent *e = strmap_find(&in->expected, pkg, strlen(pkg), 1);
	e->n |= 1;
}

const struct ingest_stats *
ingest_stats(const struct ingest *in)
{
	return &in->stats;
}

void
ingest_silent_packages(const struct ingest *in, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < in->expected.cap; i++)
		if (in->expected.t[i].k && in->expected.t[i].n == 1) {
			sbuf_adds(out, in->expected.t[i].k);
			sbuf_addc(out, '\n');
		}
}

static void
ingest_free(struct ingest *in)
{
	size_t i;

	parser_free(in->parser);
	for (i = 0; i < SCAN_CACHE; i++) {
		free(in->scan[i].path);
		if (in->scan[i].fs)
			funcscan_free(in->scan[i].fs);
	}
	strmap_clear(&in->ordinals);
	strmap_clear(&in->files);
	strmap_clear(&in->expected);
	free(in->texts.tab);
	free(in->stepfiles.tab);
	sbuf_release(&in->blob);
	sbuf_release(&in->tmp);
	free(in->cwd);
	free(in->goroot);
	free(in->gomodcache);
	free(in->modroot);
	free(in->pkgdir);
	free(in->form);
	free(in->go_version);
	free(in->last_raw);
	free(in);
}

void
store_writer_set_form(struct ingest *in, const char *form)
{
	free(in->form);
	in->form = xstrdup(form);
}

int
ingest_commit(struct ingest *in, int64_t *run_id)
{
	size_t i;
	int rc;

	if (in->rc) {
		rc = in->rc;
		ingest_abort(in);
		return rc;
	}
	/* packages asked for that printed nothing: stored with no findings */
	for (i = 0; i < in->expected.cap; i++)
		if (in->expected.t[i].k && in->expected.t[i].n == 1 &&
		    store_writer_package(in->w, in->expected.t[i].k,
		    in->o.pkgdir ? in->o.pkgdir(in->o.pkgdir_ctx, in->expected.t[i].k) : "", 0) != STORE_OK) {
			ingest_abort(in);
			return STORE_EDB;
		}
	if (store_writer_counts(in->w, in->stats.counts, (int64_t)in->stats.lines,
	    (int64_t)in->stats.orphans, (int64_t)in->stats.warnings, in->form) != STORE_OK) {
		ingest_abort(in);
		return STORE_EDB;
	}
	rc = store_writer_commit(in->w, run_id);
	in->w = NULL;
	ingest_free(in);
	return rc;
}

void
ingest_abort(struct ingest *in)
{
	if (in == NULL)
		return;
	if (in->w)
		store_writer_abort(in->w);
	in->w = NULL;
	ingest_free(in);
}

/* ---- the -json=0 logopt directory (parser/logopt.c) ---- */

static void
logopt_input(void *ctx, const char *path)
{
	((struct ingest *)ctx)->input = path;
}

int
ingest_logopt_dir(struct ingest *in, const char *dir)
{
	struct parser_sink sink;
	unsigned long lines = 0;
	int rc;

	in->input = dir;
	in->input_warnings = 0;
	memset(&sink, 0, sizeof(sink));
	sink.ctx = in;
	sink.package = store_package;
	sink.line = parser_kept_line;
	sink.warning = parser_warning;
	rc = logopt_read_dir(dir, &sink, logopt_input, in->stats.counts, &lines);
	in->input = dir;
	in->stats.lines += lines;
	in->stats.saw_m2 = 1;
	if (in->input_warnings > MAX_WARNINGS && in->o.warn) {
		char msg[96];
		snprintf(msg, sizeof(msg), "%lu more warnings not shown",
		    in->input_warnings - MAX_WARNINGS);
		in->o.warn(in->o.warn_ctx, dir, 0, msg);
	}
	if (rc < 0)
		return -1;
	store_writer_set_form(in, "logopt");
	return in->rc;
}
