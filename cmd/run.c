/*
 * run: builds Go packages with escape diagnostics (go build
 * -gcflags='-m=2 -l') and stores the output as one new run.  The go
 * command's output is spooled to a temporary file and parsed as it comes
 * (gotool_follow), in a transaction that is committed only when the build
 * succeeded; packages that printed nothing are asked for again under
 * another action id (run_recheck_silent in run_go.c).  With --shard or
 * --json the build is waited for first.
 */
#include "cmd.h"
#include "opts.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buildfail.h"
#include "gotool.h"
#include "../store/ingest.h"
#include "run_int.h"

static const struct opt_usage usage = {
	"run", "[--] [PKG...]", ".Op Fl -\n.Op Ar PKG ...",
	"Runs go build -gcflags='-m=2 -l' on PKG (default ./...) in DIR and\n"
	"stores its escape-analysis output as one new run.  Packages that print\n"
	"nothing are asked for once more under another action id (their cached\n"
	"output may have been evicted), never with -a.  A failed build stores\n"
	"nothing (exit status 3).\n",
	NULL
};

/* ---- progress (terminal only) ---- */

static void
progress(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->tty)
		return;
	fputs("\r\033[Kescdb: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	r->shown = 1;
}

void
run_progress_clear(struct run *r)
{
	if (!r->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	r->shown = 0;
}

/* ---- options ---- */

/* ---- ingesting ---- */

/* While go build still runs, warnings wait: a build that fails stores
 * nothing and shows its errors, not warnings about its output. */
static void
warn_cb(void *ctx, const char *input, unsigned long line, const char *text)
{
	struct run *r = ctx;

	if (r->defer_warn) {
		sbuf_addf(&r->warnings, "%s%c%lu%c%s%c", input, 0, line, 0, text, 0);
		return;
	}
	run_progress_clear(r);
	msg_warn_at(input, line, text);
}

static void
warnings_flush(struct run *r, int show)
{
	const char *p = r->warnings.buf, *end = p + r->warnings.len;

	r->defer_warn = 0;
	while (show && p != NULL && p < end) {
		const char *line = p + strlen(p) + 1;
		const char *text = line + strlen(line) + 1;
		run_progress_clear(r);
		msg_warn_at(p, strtoul(line, NULL, 10), text);
		p = text + strlen(text) + 1;
	}
	sbuf_release(&r->warnings);
}

/* fp reads the spool file fd from its start (fp itself, or a follower). */
static int
ingest_spool(struct run *r, struct ingest *in, struct store *st, FILE *fp, int fd,
    const char *name)
{
	const struct ingest_stats *s;
	int rc;

	if (fileno(fp) >= 0 && ftello(fp) != 0)
		fd = -1;        /* not read from its start: no cache */
	rc = ingest_spool_file(in, fp, fd, name);
	if (rc == STORE_EDB) {
		run_progress_clear(r);
		msg_error("%s", store_errmsg(st));
		return EXIT_INTERNAL;
	}
	if (rc != STORE_OK) {
		run_progress_clear(r);
		msg_error("cannot read the output of %s: %s", name, strerror(errno));
		return EXIT_INTERNAL;
	}
	s = ingest_stats(in);
	progress(r, "parsed %lu line%s, %lu finding%s", s->lines, plural(s->lines),
	    s->findings, plural(s->findings));
	return EXIT_OK;
}

/* Output cut short (killed, or ending inside a line or a block) is
 * refused unless --partial, and then marked partial. */
static int
check_cut(struct run *r, struct ingest *in)
{
	const struct ingest_stats *s = ingest_stats(in);

	if (!r->cut && !s->truncated)
		return EXIT_OK;
	if (!r->partial) {
		run_progress_clear(r);
		msg_error("%s:%lu: %s (cut short?); no run stored (--partial stores "
		    "it marked partial)", s->trunc_input, s->trunc_line, s->trunc_why);
		return EXIT_USAGE;
	}
	if (ingest_amend(in, NULL, NULL, NULL, 1, NULL) != STORE_OK)
		return EXIT_INTERNAL;
	return EXIT_OK;
}

/* The packages that printed nothing, sorted, as go build arguments. */
static size_t
silent_packages(struct ingest *in, char **pats, int npats, char ***out, char **buf, int *clap)
{
	struct sbuf sb = SBUF_INIT;
	char **v = NULL, *p, *nl;
	size_t n = 0, cap = 0;
	int i, cla = 0;

	ingest_silent_packages(in, &sb);
	*buf = sbuf_detach(&sb);
	for (p = *buf; *p; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (*p == '\0')
			continue;
		if (strcmp(p, "command-line-arguments") == 0)
			cla = 1;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n++] = p;
	}
	if (cla) {
		/* Files named on the command line: only the same files
		 * name that package again. */
		n = 0;
		v = xreallocarray(v, (size_t)npats + 1, sizeof(*v));
		for (i = 0; i < npats; i++)
			v[n++] = pats[i];
	}
	if (n > 1 && !cla)
		qsort(v, n, sizeof(*v), run_str_cmp);
	*clap = cla;
	*out = v;
	return n;
}

static void
run_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->npkgs; i++) {
		free(r->pkgs[i].path);
		free(r->pkgs[i].dir);
		free(r->pkgs[i].moddir);
	}
	free(r->pkgs);
	free(r->absdir);
	free(r->goversion);
	free(r->goos);
	free(r->goarch);
	free(r->goroot);
	free(r->gomodcache);
	free(r->goamd64);
	free(r->commit);
	free(r->shard);
	free(r->flags);
	free(r->gomod);
	free(r->gowork);
	run_graph_release(r);
	sbuf_release(&r->warnings);
}

/* The first go build exited while its output is parsed: a clean exit
 * starts the second build for the packages that printed nothing. */
static void
build_exited(void *ctx, int status)
{
	struct build *b = ctx;

	if (status != 0)
		return;
	/* the package list from the graph, if it tells it whole (go list,
	 * when needed, runs after the parse) */
	if (b->run->use_graph && run_graph_packages(b->run, NULL, 0) != EXIT_OK)
		return;
	run_recheck_early_async(b->run, b->spool);
}

/* The spool of a finished build holds its whole output (85 MB for std):
 * closing it frees as much of the page cache, some 10 ms that need not
 * wait.  A thread closes it while the run is committed (whose fsync waits
 * on the disk anyway); cmd_run joins it before it returns. */
static void *
close_spool(void *fp)
{
	fclose(fp);
	return NULL;
}

/* While go build prints nothing new (at first, loading packages): the
 * parse cache's work ahead (ingest_idle). */
static int
build_idle(void *ctx)
{
	struct build *b = ctx;

	return b->in != NULL && ingest_idle(b->in);
}

static int
store_run(struct run *r, struct cmdctx *cx, struct store *st, const char *label,
    char **pats, int npats, FILE *spool, struct build *b, struct sbuf *cmdline)
{
	struct ingest *in = NULL;
	struct run_meta m;
	struct ingest_opts o;
	const struct ingest_stats *s;
	char **silent = NULL, *silentbuf = NULL;
	size_t nsilent, i;
	FILE *spool2 = NULL;
	char *repo_prefix = NULL, *cachedir = NULL;
	int64_t id = 0;
	int rc, cla = 0, created = 0;

	run_progress_clear(r);
	if (st == NULL) {
		/* A new database: created now, removed again if the build
		 * that is parsed as it runs fails after all. */
		if ((rc = cmd_open_store(cx, STORE_CREATE | STORE_STAGE, &st)) != EXIT_OK)
			return rc;
		/* a staged one appears only with the run */
		created = b != NULL && !store_staged(st);
	}
	r->st = st;
	memset(&m, 0, sizeof(m));
	m.commit = r->commit;
	m.label = label;
	m.date = r->date;
	m.go_version = r->goversion;
	m.goos = r->goos;
	m.goarch = r->goarch;
	m.dir = r->absdir;
	m.in_repo = gotool_repo_prefix(r->absdir, &repo_prefix);
	m.repo_prefix = repo_prefix;
	m.source = "run";
	m.form = r->jsondir ? "logopt" : "m2";
	m.input = cmdline->buf;
	m.partial = r->cut != 0;
	m.mode = r->inline_ ? "inline" : "noinline";
	m.flags = r->flags;
	m.shard = r->shard;
	memset(&o, 0, sizeof(o));
	o.cwd = r->absdir;
	o.goroot = r->goroot[0] ? r->goroot : NULL;
	o.gomodcache = r->gomodcache[0] ? r->gomodcache : NULL;
	o.modroot = run_modroot(r);
	o.pkgdir = run_pkgdir;
	o.pkgdir_ctx = r;
	o.warn = warn_cb;
	o.warn_ctx = r;
	/* packages whose output and sources did not change: not parsed
	 * again (store/ingest_cache.c) */
	cachedir = run_cache_dir();
	o.cache_dir = cachedir;
	o.cache_tag = cmdline->buf;

	progress(r, "parsing the output of go build\u2026");
	if ((rc = ingest_begin(st, &m, &o, &in)) != STORE_OK) {
		run_progress_clear(r);
		msg_error("%s", store_errmsg(st));
		in = NULL;
		rc = EXIT_INTERNAL;
		goto out;
	}
	if (r->jsondir != NULL) {
		/* The logopt directory is part of the compile flags, so a
		 * fresh one makes the go command compile every named package
		 * again: nothing is replayed from the cache, nothing missed. */
		int lrc = ingest_logopt_dir(in, r->jsondir);
		if (lrc != STORE_OK) {
			run_progress_clear(r);
			msg_error("%s", lrc == STORE_EDB ? store_errmsg(st) :
			    "cannot read the -json=0 output of go build");
			rc = lrc == STORE_EDB ? EXIT_INTERNAL : EXIT_USAGE;
			goto out;
		}
		store_writer_set_form(in, "logopt");
		nsilent = 0;
	} else if (spool == NULL && b == NULL) {
		nsilent = 0;    /* an empty shard: nothing was built */
	} else {
		if (b != NULL) {
			/* Parsed as go build prints it; judged when it ends. */
			r->defer_warn = 1;
			b->in = in;
			rc = ingest_spool(r, in, st, b->follow, fileno(b->spool), "go build");
			b->in = NULL;
			run_recheck_early_join(r);
			fclose(b->follow);      /* at its end: reaped; else stopped */
			b->follow = NULL;
			if (rc == EXIT_OK &&
			    (rc = run_go_build_done(r, b->status, b->npkgs, b->spool)) != EXIT_OK &&
			    created && rc != RUN_RETRY) {
				/* the build failed: no database either */
				ingest_abort(in);
				in = NULL;
				store_close(st);
				r->st = NULL;
				store_remove(cx->dbpath);
			}
			warnings_flush(r, rc == EXIT_OK);
			if (rc != EXIT_OK)
				goto out;
		} else if ((rc = ingest_spool(r, in, st, spool, fileno(spool), "go build")) != EXIT_OK)
			goto out;
		if ((rc = check_cut(r, in)) != EXIT_OK)
			goto out;
		nsilent = 0;
	}
	/* Known now: the packages asked for (go list, or the build's graph) */
	if (r->npkgs == 0 && (rc = run_graph_packages(r, pats, npats)) != EXIT_OK)
		goto out;
	for (i = 0; i < r->npkgs; i++)
		if (r->pkgs[i].built)
			ingest_expect_package(in, r->pkgs[i].path);
	if (r->jsondir == NULL && (spool != NULL || b != NULL)) {
		size_t k = 0;
		nsilent = silent_packages(in, pats, npats, &silent, &silentbuf, &cla);
		/* compiled in this build, or found silent before under the
		 * same action id: asked for no more (.go files named: their
		 * one package, asked for by those names) */
		for (i = 0; i < nsilent; i++)
			if (!r->use_graph ||
			    !run_silent_ok(r, cla ? "command-line-arguments" : silent[i]))
				silent[k++] = silent[i];
		nsilent = k;
	}
	if (nsilent > 0) {
		progress(r, "asking again for %zu package%s that printed nothing\u2026",
		    nsilent, plural(nsilent));
		rc = cla ? RUN_RETRY : run_recheck_early_take(r, silent, nsilent, cmdline, &spool2);
		if (rc == RUN_RETRY)
			rc = run_recheck_silent(r, silent, nsilent, cla, cmdline, &spool2);
		if (rc != EXIT_OK)
			goto out;
		if ((rc = ingest_spool(r, in, st, spool2, fileno(spool2), "go build")) != EXIT_OK)
			goto out;
		if ((rc = check_cut(r, in)) != EXIT_OK)
			goto out;
		if (r->use_graph)
			for (i = 0; i < nsilent; i++)
				run_silent_asked(r, cla ? "command-line-arguments" : silent[i]);
	}
	/* The input column names every go build that was run. */
	ingest_set_input(in, cmdline->buf);

	s = ingest_stats(in);
	{
		unsigned long heap = s->kinds[ESC_HEAP], moved = s->kinds[ESC_MOVED];
		unsigned long leak = s->kinds[ESC_LEAK] + s->kinds[ESC_LEAK_RESULT] +
		    s->kinds[ESC_LEAK_CONTENT];
		unsigned long nfind = s->findings, npk = s->packages;
		struct sbuf still = SBUF_INIT;
		size_t j;

		/* Packages that print nothing even when compiled are stored
		 * with zero findings: they count as packages too. */
		ingest_silent_packages(in, &still);
		for (j = 0; j < still.len; j++)
			npk += still.buf[j] == '\n';
		if (r->use_graph && still.len > 0)
			run_silent_record(r, still.buf);
		sbuf_release(&still);

		if (b != NULL && b->spool != NULL && !r->closing &&
		    pthread_create(&r->closer, NULL, close_spool, b->spool) == 0) {
			r->closing = 1;
			b->spool = NULL;
		}
		rc = ingest_commit(in, &id);
		in = NULL;
		run_progress_clear(r);
		if (rc != STORE_OK) {
			rc = cmd_db_error(st);
			goto out;
		}
		printf("run %lld: %.12s  %lu finding%s (heap %lu, moved %lu, leak %lu) in %lu package%s\n",
		    (long long)id, r->commit[0] ? r->commit : "(no commit)",
		    nfind, plural(nfind), heap, moved, leak,
		    npk, plural(npk));
		rc = EXIT_OK;
	}
out:
	run_recheck_early_stop(r);
	if (in != NULL)
		ingest_abort(in);
	run_progress_clear(r);
	if (spool2 != NULL)
		fclose(spool2);
	free(silent);
	free(silentbuf);
	free(repo_prefix);
	free(cachedir);
	return rc;
}

/* "K/N" with 1 <= K <= N <= 100000. */
static int
parse_shard(const char *s, int *k, int *n)
{
	char *end;
	long a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (end == s || *end != '/' || errno != 0)
		return -1;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || a < 1 || b < 1 || a > b || b > 100000)
		return -1;
	*k = (int)a;
	*n = (int)b;
	return 0;
}

/* The shard of an import path: FNV-1a (64 bits) of its bytes, modulo N,
 * plus one.  It depends on the path alone, so adding or removing other
 * packages never moves a package to another shard. */
static int
shard_of(const char *path, int n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *path; path++) {
		h ^= (unsigned char)*path;
		h *= 0x100000001b3ULL;
	}
	return (int)(h % (uint64_t)n) + 1;
}

/* Marks the packages of shard K/N as built. */
static int
pick_shard(struct run *r, struct sbuf *fb)
{
	size_t i;

	for (i = 0; i < r->npkgs; i++) {
		if (strcmp(r->pkgs[i].path, "command-line-arguments") == 0) {
			run_progress_clear(r);
			msg_error("run: --shard needs package patterns, not .go files");
			return EXIT_USAGE;
		}
		r->pkgs[i].built = shard_of(r->pkgs[i].path, r->shard_n) == r->shard_k;
	}
	sbuf_addf(fb, "%d/%d", r->shard_k, r->shard_n);
	r->shard = sbuf_detach(fb);
	return EXIT_OK;
}

/* The run's flags column: what changes verdicts besides the Go version,
 * GOOS/GOARCH and the mode: build tags, extra compiler flags, GOAMD64
 * other than v1. */
static void
run_flags(struct run *r, const char *tags, const char *extra)
{
	struct sbuf sb = SBUF_INIT;

	if (tags != NULL && *tags != '\0')
		sbuf_addf(&sb, "-tags=%s", tags);
	if (extra != NULL && *extra != '\0')
		sbuf_addf(&sb, "%s-gcflags=%s", sb.len ? " " : "", extra);
	if (r->goamd64 != NULL && r->goamd64[0] != '\0' && strcmp(r->goamd64, "v1") != 0)
		sbuf_addf(&sb, "%sGOAMD64=%s", sb.len ? " " : "", r->goamd64);
	sbuf_adds(&sb, "");
	r->flags = sbuf_detach(&sb);
}

static int
remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path) == 0 ? 0 : 0;       /* best effort: keep going */
}

/* Removes the temporary logopt directory (never follows links). */
static void
remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
cmd_run(struct cmdctx *cx, int argc, char **argv)
{
	static char *defpats[] = { "./...", NULL };
	struct run r;
	const char *dir = ".", *rev = NULL, *label = NULL, *date = NULL, *shard = NULL;
	const char *tags = NULL, *extra = NULL;
	int npats, have_date = 0, json = 0, i, rc, stream;
	struct build b;
	const struct opt opts[] = {
		OPT_STRING('C', NULL, &dir, "DIR", "run in DIR (default: the current directory)"),
		OPT_STRING(0, "commit", &rev, "REV",
		    "the run's commit (default: git rev-parse HEAD in DIR)"),
		OPT_STRING(0, "date", &date, "T",
		    "the run's date: RFC 3339, YYYY-MM-DD[ HH:MM[:SS]] or "
		    "@UNIX (default: the commit's date, else now)"),
		OPT_STRING(0, "label", &label, "L", "a label for the run, usable as a run selector"),
		OPT_BOOL(0, "json", &json,
		    "build with -gcflags=-json=0,file://TMP -l instead and "
		    "store the compiler's JSON (logopt) form"),
		OPT_BOOL(0, "partial", &r.partial,
		    "store the output of a go command that was killed, or that "
		    "ends inside a line or block, marked partial"),
		OPT_BOOL(0, "verbose", &r.verbose,
		    "on a failed build, show its whole output (default: the "
		    "errors, at most a screenful)"),
		OPT_STRING(0, "shard", &shard, "K/N",
		    "build only shard K of N of the packages (by a hash of the "
		    "import path); escdb merge combines the shards"),
		OPT_BOOL(0, "inline", &r.inline_,
		    "build without -l, as go build does (with the module's default.pgo)"),
		OPT_STRING(0, "tags", &tags, "T", "build tags, passed to go build as -tags=T"),
		OPT_STRING(0, "gcflags", &extra, "F", "more compiler flags, added after -m=2 [-l]"),
		OPT_END()
	};
	struct sbuf cmdline = SBUF_INIT, fb = SBUF_INIT;
	struct strv fl, targets;
	struct stat sb;
	char **pats;
	FILE *spool = NULL;
	size_t j;

	memset(&r, 0, sizeof(r));
	memset(&b, 0, sizeof(b));
	memset(&fl, 0, sizeof(fl));
	memset(&targets, 0, sizeof(targets));
	r.use_o = 1;
	if ((rc = opt_parse(&usage, opts, OPT_STOP_AT_ARG, &argc, &argv)) >= 0)
		return rc;
	if (date != NULL) {
		if (cmd_parse_date(date, &r.date) < 0) {
			msg_error("run: bad date '%s' (use RFC 3339, "
			    "YYYY-MM-DD[ HH:MM[:SS]] or @UNIX)", date);
			return EXIT_USAGE;
		}
		have_date = 1;
	}
	if (shard != NULL && parse_shard(shard, &r.shard_k, &r.shard_n) < 0)
		return opt_usage_error(&usage, opts, "bad shard '%s' (use K/N with 1 <= K <= N)", shard);
	pats = argv;
	npats = argc;
	if (npats == 0) {
		pats = defpats;
		npats = 1;
	}
	for (i = 0; i < npats; i++)
		if (pats[i][0] == '-' || pats[i][0] == '\0')
			return opt_usage_error(&usage, opts, "bad package pattern '%s'", pats[i]);
	errno = 0;
	if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
		errno = ENOTDIR;
	if (errno != 0 || (r.absdir = realpath(dir, NULL)) == NULL) {
		msg_error("run: cannot use directory '%s': %s", dir, strerror(errno));
		return errno == ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
	}
	/* The database is checked before any go command runs: an existing
	 * one is opened (and its schema checked), a new one only probed. */
	if ((rc = cmd_open_store(cx, STORE_CREATE | STORE_PROBE, &r.st)) != EXIT_OK)
		goto out;
	r.tty = isatty(2);

	/* Without --shard, go build starts at once and go list runs beside
	 * it; its output is parsed as it comes (streamed below). */
	stream = shard == NULL && !json;
	if ((rc = run_go_env(&r)) != EXIT_OK)
		goto out;
	/* The packages from the build's own action graph: no go list
	 * beside the build (see run_graph.c) */
	if (stream && run_graph_usable(&r)) {
		r.graph_path = gotool_tmpname("escdb-graph");
		r.use_graph = r.graph_path != NULL;
	}
	if (json) {
		char tmpl[4096];
		const char *tmp = getenv("TMPDIR");
		snprintf(tmpl, sizeof(tmpl), "%s/escdb-logopt.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(tmpl) == NULL) {
			msg_error("cannot create a temporary directory: %s", strerror(errno));
			rc = EXIT_INTERNAL;
			goto out;
		}
		r.jsondir = xstrdup(tmpl);
		sbuf_addf(&fb, "-json=0,file://%s", tmpl);
	} else
		sbuf_adds(&fb, "-m=2");
	if (!r.inline_)
		sbuf_adds(&fb, " -l");
	if (extra != NULL && *extra != '\0')
		sbuf_addf(&fb, " %s", extra);
	r.cflags = sbuf_detach(&fb);
	sbuf_addf(&fb, "-gcflags=%s", r.cflags);
	r.gcflags = sbuf_detach(&fb);
	if (tags != NULL) {
		sbuf_addf(&fb, "-tags=%s", tags);
		r.tags = sbuf_detach(&fb);
	}
	run_flags(&r, tags, extra);
	r.bpats = pats;
	r.nbpats = npats;
	if (stream) {
		char *gf[1];
		gf[0] = r.gcflags;
		progress(&r, "building\u2026");
		if ((rc = run_go_build_start(&r, gf, 1, pats, (size_t)npats,
		    r.use_graph ? r.graph_path : NULL, &cmdline, &b.spool, &b.pid)) != EXIT_OK)
			goto out;
		b.npkgs = (size_t)npats;
		b.running = 1;
	}
	progress(&r, "listing packages\u2026");
	if (!r.use_graph && (rc = run_list_packages(&r, pats, npats)) != EXIT_OK)
		goto out;
	run_resolve_commit(&r, rev, have_date);
	if (stream) {
		b.run = &r;
		if ((b.follow = gotool_follow(b.spool, b.pid, &b.status, build_exited,
		    build_idle, &b)) == NULL) {
			msg_error("cannot read the output of go build: %s", strerror(errno));
			rc = EXIT_INTERNAL;
			goto out;
		}
		b.running = 0;          /* the stream reaps or stops it */
		rc = store_run(&r, cx, r.st, label, pats, npats, NULL, &b, &cmdline);
		if (rc != RUN_RETRY)
			goto out;
		/* go build refused -o /dev/null: asked again, as below */
		fclose(b.spool);
		b.spool = NULL;
		sbuf_reset(&cmdline);
	}
	if (r.shard_n > 0) {
		if ((rc = pick_shard(&r, &fb)) != EXIT_OK)
			goto out;
		/* Only the shard's packages are named; every package of the
		 * run's patterns keeps the flags it has in the whole run. */
		for (i = 0; i < npats; i++) {
			sbuf_addf(&fb, "-gcflags=%s=%s", pats[i], r.cflags);
			strv_own(&fl, sbuf_detach(&fb));
		}
		for (j = 0; j < r.npkgs; j++)
			if (r.pkgs[j].built)
				strv_add(&targets, r.pkgs[j].path);
	} else {
		strv_add(&fl, r.gcflags);
		for (i = 0; i < npats; i++)
			strv_add(&targets, pats[i]);
	}
	progress(&r, "building %zu package%s\u2026", targets.n, plural(targets.n));
	if (targets.n > 0 &&
	    (rc = run_go_build(&r, fl.v, fl.n, targets.v, targets.n,
	    r.use_graph ? r.graph_path : NULL, &cmdline, &spool)) != EXIT_OK)
		goto out;
	if (targets.n == 0)
		sbuf_addf(&cmdline, "(no package in shard %s)", r.shard);
	if (spool != NULL && r.shard_n > 0) {
		/* Dependencies in other shards print their (replayed) output
		 * too: only the shard's packages are read. */
		FILE *kept = gotool_tmpfile();

		if (kept == NULL || gotool_keep_blocks(spool, kept, targets.v, targets.n) < 0) {
			msg_error("cannot filter the output of go build: %s", strerror(errno));
			if (kept != NULL)
				fclose(kept);
			rc = EXIT_INTERNAL;
			goto out;
		}
		fclose(spool);
		spool = kept;
	}
	rc = store_run(&r, cx, r.st, label, pats, npats, spool, NULL, &cmdline);
out:
	if (b.follow != NULL)
		fclose(b.follow);
	if (b.running) {
		int st;
		gotool_stop(b.pid, &st);
	}
	if (b.spool != NULL)
		fclose(b.spool);
	run_progress_clear(&r);
	if (spool != NULL)
		fclose(spool);
	if (r.jsondir != NULL)
		remove_tree(r.jsondir);
	free(r.jsondir);
	free(r.gcflags);
	free(r.cflags);
	free(r.tags);
	strv_release(&fl);
	strv_release(&targets);
	store_close(r.st);
	if (r.closing)
		pthread_join(r.closer, NULL);
	sbuf_release(&cmdline);
	sbuf_release(&fb);
	run_release(&r);
	return rc;
}
