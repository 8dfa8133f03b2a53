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
#include "ingest_int.h"

/* ---- a small string map ---- */

struct htent *
strmap_find(struct strmap *m, const char *k, size_t kn, int create)
{
	size_t before = m->n;
	struct htent *e = htab_find(m, hash64(k, kn, 11), k, kn, create);

	if (m->n != before)
		e->k = xstrndup(k, kn);
	return e;
}

void
strmap_clear(struct strmap *m, int values)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (values && m->t[i].k)
			free(m->t[i].v.p);
		free((void *)m->t[i].k);
	}
	htab_release(m);
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
	struct ingest *in = ctx;

	if ((w == PW_NO_NEWLINE || w == PW_TRUNCATED_BLOCK) && !in->stats.truncated) {
		in->stats.truncated = 1;
		in->stats.trunc_input = in->input;
		in->stats.trunc_line = line;
		in->stats.trunc_why = w == PW_NO_NEWLINE ? "input ends in the middle of a line" :
		    "input ends in the middle of an explanation block";
	}
	warn(ctx, line, text);
}

/* "go version go1.26.8 linux/amd64": the first one names the run's Go. */
static void
note_go_version(struct ingest *in, const char *text, size_t n)
{
	char buf[160];
	char v[64], os[32], arch[32];

	if (in->stats.go_version[0] || n < 12 || n >= sizeof(buf) ||
	    memcmp(text, "go version ", 11) != 0)
		return;
	memcpy(buf, text, n);
	buf[n] = '\0';
	os[0] = arch[0] = '\0';
	if (sscanf(buf + 11, "%63s %31[^/ ]/%31s", v, os, arch) < 1 ||
	    strncmp(v, "go", 2) != 0)
		return;
	memcpy(in->stats.go_version, v, sizeof(v));
	memcpy(in->stats.goos, os, sizeof(os));
	memcpy(in->stats.goarch, arch, sizeof(arch));
}

static int
parser_kept_line(void *ctx, enum line_class c, unsigned long lineno, const char *text, size_t n)
{
	struct ingest *in = ctx;

	in->kept++;
	if (c == LC_TOOL)
		note_go_version(in, text, n);
	if (store_writer_line(in->w, c, lineno, text, n) != STORE_OK) {
		in->rc = STORE_EDB;
		return 1;
	}
	return 0;
}

/* ---- the run ---- */

/* Whether SQLite gets a thread of its own beside the parser: only when
 * ESCDB_WRITER_THREAD is 1.  Measured on 2 processors once the run is
 * staged and freed memory is kept, the single thread is as fast (0.52 s
 * against 0.56 s, median of 15 alternating ingests of the corpus) and
 * uses less processor time, which run's go build wants. */
static int
want_writer_thread(void)
{
	const char *e = getenv("ESCDB_WRITER_THREAD");

	return e != NULL && strcmp(e, "1") == 0;
}

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
	cache_open(in);
	(void)err;
	rc = store_writer_begin(st, m, &in->w);
	if (rc != STORE_OK) {
		ingest_abort(in);
		return rc;
	}
	if (want_writer_thread())
		(void)store_writer_background(in->w);
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
	sink.package = ingest_package;
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
	return ingest_spool_file(in, fp, -1, name);
}

int
ingest_spool_file(struct ingest *in, FILE *fp, int fd, const char *name)
{
	char err[256];
	int rc;

	if (input_begin(in, name, err, sizeof(err)) < 0)
		return STORE_EDB;
	rc = in->cache && fd >= 0 ? cache_read(in, fp, fd) : parser_read(in->parser, fp);
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
ingest_idle(struct ingest *in)
{
	return in != NULL && in->cache != NULL ? cache_idle(in) : 0;
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
	struct htent *e = strmap_find(&in->expected, pkg, strlen(pkg), 1);
	e->v.u |= 1;
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
		if (in->expected.t[i].k && in->expected.t[i].v.u == 1) {
			sbuf_adds(out, (const char *)in->expected.t[i].k);
			sbuf_addc(out, '\n');
		}
}

static void
ingest_free(struct ingest *in)
{
	size_t i;

	parser_free(in->parser);
	cache_close(in);
	for (i = 0; i < SCAN_CACHE; i++) {
		free(in->scan[i].path);
		if (in->scan[i].fs)
			funcscan_free(in->scan[i].fs);
	}
	htab_release(&in->ordinals);
	arena_release(&in->okeys);
	strmap_clear(&in->files, 1);
	strmap_clear(&in->expected, 0);
	htab_release(&in->texts);
	htab_release(&in->stepfiles);
	sbuf_release(&in->blob);
	sbuf_release(&in->tmp);
	free(in->cwd);
	free(in->goroot);
	free(in->gomodcache);
	free(in->modroot);
	free(in->pkgdir);
	free(in->form);
	free(in->run_input);
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

void
ingest_set_input(struct ingest *in, const char *input)
{
	free(in->run_input);
	in->run_input = xstrdup(input ? input : "");
}

int
ingest_amend(struct ingest *in, const char *go_version, const char *goos,
    const char *goarch, int partial, const char *note)
{
	if (in->rc)
		return in->rc;
	return store_writer_amend(in->w, go_version, goos, goarch, partial, note);
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
		if (in->expected.t[i].k && in->expected.t[i].v.u == 1 &&
		    store_writer_package(in->w, (const char *)in->expected.t[i].k,
		    in->o.pkgdir ? in->o.pkgdir(in->o.pkgdir_ctx, (const char *)in->expected.t[i].k) : "", 0) != STORE_OK) {
			ingest_abort(in);
			return STORE_EDB;
		}
	if (in->run_input != NULL && store_writer_set_input(in->w, in->run_input) != STORE_OK) {
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
	if (rc == STORE_OK)
		cache_order_save(in);
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
	sink.package = ingest_package;
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
