/*
 * run: builds Go packages with escape diagnostics (go build
 * -gcflags='-m=2 -l') and stores the output as one new run.  The go
 * command's output is spooled to a temporary file and parsed only after
 * the build succeeded; packages that printed nothing are asked for again
 * under another action id (see recheck_silent).
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

static const struct opt_usage usage = {
	"run", "[--] [PKG...]", ".Op Fl -\n.Op Ar PKG ...",
	"Runs go build -gcflags='-m=2 -l' on PKG (default ./...) in DIR and\n"
	"stores its escape-analysis output as one new run.  Packages that print\n"
	"nothing are asked for once more under another action id (their cached\n"
	"output may have been evicted), never with -a.  A failed build stores\n"
	"nothing (exit status 3).\n",
	NULL
};

struct pkg {
	char *path;             /* import path */
	char *dir;              /* its directory */
	char *moddir;           /* its module's root, or "" */
	int built;              /* in the run's shard (all when not sharded) */
};

struct run {
	char *absdir;
	struct pkg *pkgs;       /* sorted by path */
	size_t npkgs;
	char *goversion, *goos, *goarch, *goroot, *gomodcache;
	char *commit;
	int64_t date;
	int tty;                /* progress lines on stderr */
	int shown;              /* a progress line is on the screen */
	int use_o;              /* pass -o /dev/null to go build */
	char *jsondir;          /* --json: the fresh logopt directory */
	char *cflags;           /* the compiler flags: "-m=2 -l", ... */
	char *gcflags;          /* "-gcflags=" cflags */
	char *tags;             /* "-tags=..." or NULL */
	char **bpats;           /* the package patterns of the run */
	int nbpats;
	int partial;            /* --partial: store cut output marked partial */
	int cut;                /* the go command was killed: output cut */
	int verbose;            /* --verbose: a failed build's whole output */
	int shard_k, shard_n;   /* --shard K/N, else 0 */
	char *shard;            /* "K/N" or "" */
	int inline_;            /* --inline: no -l */
	char *extra_gcflags;    /* --gcflags */
	char *flags;            /* the run's flags column */
	char *goamd64;
	struct store *st;       /* the database, once open */
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

static void
progress_clear(struct run *r)
{
	if (!r->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	r->shown = 0;
}

/* ---- options ---- */

/* ---- spawning ---- */

/* Prints why a command could not be started; returns the exit status. */
static int
spawn_error(struct run *r, const char *what)
{
	int e = errno;

	progress_clear(r);
	msg_error("cannot run %s: %s", what, strerror(e));
	return e == ENOENT || e == EACCES || e == ENOTDIR ? EXIT_USAGE : EXIT_INTERNAL;
}

/* The go command failed: its output verbatim, then ours. */
static int
go_failed(struct run *r, const char *what, const char *text, FILE *spool, int status)
{
	progress_clear(r);
	fflush(stdout);
	if (text != NULL)
		fputs(text, stderr);
	if (spool != NULL && buildfail_show(spool, stderr, r->verbose) < 0)
		msg_error("cannot read the output of %s: %s", what, strerror(errno));
	msg_error("%s failed (exit %d); no run stored", what, status);
	return EXIT_BUILD;
}

static int
pkg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pkg *)a)->path, ((const struct pkg *)b)->path);
}

/* go list: the packages that have Go files, with their directories. */
static int
list_packages(struct run *r, char **pats, int npats)
{
	static const char fmt[] = "-f={{if or .GoFiles .CgoFiles}}{{.ImportPath}}\t"
	    "{{.Dir}}\t{{with .Module}}{{.Dir}}{{end}}{{end}}";
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char **argv = xcalloc((size_t)npats + 4, sizeof(*argv));
	char *line, *next, *t1, *t2;
	size_t cap = 0;
	int i, status, rc = EXIT_OK;

	argv[0] = "go";
	argv[1] = "list";
	argv[2] = (char *)fmt;
	for (i = 0; i < npats; i++)
		argv[3 + i] = pats[i];
	if (gotool_capture(r->absdir, argv, &out, &err, &status) < 0) {
		rc = spawn_error(r, "go");
		goto done;
	}
	if (status != 0) {
		rc = go_failed(r, "go list", err.buf, NULL, status);
		goto done;
	}
	for (line = out.buf; line != NULL && *line; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if ((t1 = strchr(line, '\t')) == NULL || (t2 = strchr(t1 + 1, '\t')) == NULL)
			continue;
		*t1++ = '\0';
		*t2++ = '\0';
		if (*line == '\0' || *t1 == '\0')
			continue;       /* no directory: nothing to build */
		if (r->npkgs == cap) {
			cap = cap ? cap * 2 : 16;
			r->pkgs = xreallocarray(r->pkgs, cap, sizeof(*r->pkgs));
		}
		r->pkgs[r->npkgs].path = xstrdup(line);
		r->pkgs[r->npkgs].dir = xstrdup(t1);
		r->pkgs[r->npkgs].moddir = xstrdup(t2);
		r->pkgs[r->npkgs].built = 1;
		r->npkgs++;
	}
	if (r->npkgs == 0) {
		progress_clear(r);
		if (err.len)
			fputs(err.buf, stderr);
		msg_error("run: no Go packages to build in %s", r->absdir);
		rc = EXIT_USAGE;
		goto done;
	}
	qsort(r->pkgs, r->npkgs, sizeof(*r->pkgs), pkg_cmp);
done:
	free(argv);
	sbuf_release(&out);
	sbuf_release(&err);
	return rc;
}

static const char *
pkgdir(void *ctx, const char *path)
{
	struct run *r = ctx;
	struct pkg key, *p;

	memset(&key, 0, sizeof(key));   /* issue 7: cppcheck uninitvar */
	key.path = (char *)path;
	p = bsearch(&key, r->pkgs, r->npkgs, sizeof(*r->pkgs), pkg_cmp);
	return p ? p->dir : NULL;
}

/* The module root: the module holding DIR, else the first one listed. */
static const char *
modroot(const struct run *r)
{
	const char *best = NULL;
	size_t i, n, bestn = 0;

	for (i = 0; i < r->npkgs; i++) {
		const char *m = r->pkgs[i].moddir;

		n = strlen(m);
		if (n == 0)
			continue;
		if (best == NULL)
			best = m;
		if (n > bestn && strncmp(r->absdir, m, n) == 0 &&
		    (r->absdir[n] == '\0' || r->absdir[n] == '/')) {
			best = m;
			bestn = n;
		}
	}
	return best;
}

/* go env: the toolchain's version, target and directories. */
static int
go_env(struct run *r)
{
	char *argv[] = { "go", "env", "GOVERSION", "GOOS", "GOARCH", "GOROOT", "GOMODCACHE",
	    "GOAMD64", NULL };
	char **dst[] = { &r->goversion, &r->goos, &r->goarch, &r->goroot, &r->gomodcache,
	    &r->goamd64 };
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char *line, *next;
	size_t i;
	int status, rc = EXIT_OK;

	if (gotool_capture(r->absdir, argv, &out, &err, &status) < 0) {
		rc = spawn_error(r, "go");
		goto done;
	}
	if (status != 0) {
		rc = go_failed(r, "go env", err.buf, NULL, status);
		goto done;
	}
	line = out.buf;
	for (i = 0; i < sizeof(dst) / sizeof(dst[0]); i++) {
		next = line ? strchr(line, '\n') : NULL;
		if (next != NULL)
			*next++ = '\0';
		*dst[i] = xstrdup(line ? line : "");
		line = next;
	}
done:
	sbuf_release(&out);
	sbuf_release(&err);
	return rc;
}

/* The first line of a git command's output, or NULL when git fails. */
static char *
git_line(const char *dir, const char *a1, const char *a2, const char *a3,
    const char *a4, const char *a5)
{
	char *argv[] = { "git", "-C", (char *)dir, (char *)a1, (char *)a2,
	    (char *)a3, (char *)a4, (char *)a5, NULL };
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	int status;
	char *s = NULL;

	if (gotool_capture(NULL, argv, &out, &err, &status) == 0 && status == 0 &&
	    out.len > 0) {
		out.buf[strcspn(out.buf, "\r\n")] = '\0';
		if (out.buf[0] != '\0')
			s = xstrdup(out.buf);
	}
	sbuf_release(&out);
	sbuf_release(&err);
	return s;
}

/* Whether s looks like a commit hash: 4 to 64 hex digits. */
static int
is_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return s[n] == '\0' && n >= 4 && n <= 64;
}

/* The commit (HEAD, or REV resolved) and, unless given, its date. */
static void
resolve_commit(struct run *r, const char *rev, int have_date)
{
	struct sbuf spec = SBUF_INIT;
	char *ct, *end;
	long long v;

	if (rev == NULL)
		r->commit = git_line(r->absdir, "rev-parse", "--verify", "--quiet",
		    "HEAD^{commit}", NULL);
	else if (rev[0] != '-' && rev[0] != '\0') {
		sbuf_addf(&spec, "%s^{commit}", rev);
		r->commit = git_line(r->absdir, "rev-parse", "--verify", "--quiet",
		    spec.buf, NULL);
		sbuf_release(&spec);
	}
	if (r->commit == NULL) {
		/* No repository, no git, or a revision git does not know:
		 * the commit is what was given (or empty), the date now.  A
		 * hash is kept quietly (a shallow clone may lack it). */
		if (rev != NULL && !is_hash(rev)) {
			progress_clear(r);
			msg_warn("run: cannot resolve commit '%s' with git; stored as given", rev);
		}
		r->commit = xstrdup(rev ? rev : "");
		if (!have_date)
			r->date = (int64_t)time(NULL);
		return;
	}
	if (have_date)
		return;
	r->date = (int64_t)time(NULL);
	ct = git_line(r->absdir, "show", "-s", "--format=%ct", r->commit, NULL);
	if (ct != NULL) {
		errno = 0;
		v = strtoll(ct, &end, 10);
		if (errno == 0 && end != ct && *end == '\0')
			r->date = v;
		free(ct);
	}
}

/* The minor version of "go1.N[.P]" or "devel go1.N-...", else 0. */
static int
go_minor(const char *v)
{
	const char *p = strstr(v, "go1.");

	return p ? atoi(p + 4) : 0;
}

/* Whether the first 64 KB of fp hold s. */
static int
spool_has(FILE *fp, const char *s)
{
	static char buf[65536];
	size_t n;

	if (fseeko(fp, 0, SEEK_SET) != 0)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fseeko(fp, 0, SEEK_SET);
	return memmem(buf, n, s, strlen(s)) != NULL;
}

/* A growable NULL-terminated argument vector; the strings are owned by
 * the vector when added with strv_own. */
struct strv {
	char **v;
	size_t n, cap;
	char **own;
	size_t nown, capown;
};

static void
strv_add(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	sv->v[sv->n++] = (char *)s;
	sv->v[sv->n] = NULL;
}

static void
strv_own(struct strv *sv, char *s)
{
	if (sv->nown == sv->capown) {
		sv->capown = sv->capown ? sv->capown * 2 : 16;
		sv->own = xreallocarray(sv->own, sv->capown, sizeof(*sv->own));
	}
	sv->own[sv->nown++] = s;
	strv_add(sv, s);
}

static void
strv_release(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->nown; i++)
		free(sv->own[i]);
	free(sv->own);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/*
 * go build FLAGS [-o /dev/null] PKGS in DIR, spooled.  Returns EXIT_OK
 * with *out open at its start, or prints the failure.  Every command run
 * is appended to cmdline.  A go command that refuses -o /dev/null for
 * several packages is asked again without -o (it then writes nothing for
 * libraries and several mains).
 */
static int
go_build(struct run *r, char **flags, size_t nflags, char **pkgs, size_t npkgs,
    struct sbuf *cmdline, FILE **out)
{
	struct strv av;
	FILE *fp = NULL;
	size_t i;
	int status, rc = EXIT_OK;

	*out = NULL;
	memset(&av, 0, sizeof(av));
	for (;;) {
		av.n = 0;
		strv_add(&av, "go");
		strv_add(&av, "build");
		if (go_minor(r->goversion) >= 18)
			strv_add(&av, "-buildvcs=false");  /* no git status; the binary is discarded */
		if (r->tags != NULL)
			strv_add(&av, r->tags);
		for (i = 0; i < nflags; i++)
			strv_add(&av, flags[i]);
		if (r->use_o) {
			strv_add(&av, "-o");
			strv_add(&av, "/dev/null");
		}
		for (i = 0; i < npkgs; i++)
			strv_add(&av, pkgs[i]);
		if ((fp = gotool_tmpfile()) == NULL) {
			progress_clear(r);
			msg_error("cannot create a temporary file: %s", strerror(errno));
			rc = EXIT_INTERNAL;
			break;
		}
		if (gotool_spool(r->absdir, av.v, fp, &status) < 0) {
			rc = errno == ENOENT ? spawn_error(r, "go") : EXIT_INTERNAL;
			if (rc == EXIT_INTERNAL) {
				progress_clear(r);
				msg_error("cannot run go build: %s", strerror(errno));
			}
			break;
		}
		if (cmdline->len)
			sbuf_adds(cmdline, "; ");
		gotool_cmdline(cmdline, av.v);
		if (status != 0 && r->use_o && npkgs > 1 &&
		    spool_has(fp, "multiple packages to non-directory")) {
			r->use_o = 0;
			fclose(fp);
			fp = NULL;
			continue;
		}
		if (status > 128 && r->partial) {
			r->cut = status;        /* killed: keep what it printed */
			status = 0;
		}
		if (status > 128) {
			rc = go_failed(r, "go build", NULL, fp, status);
			msg_error("go build was killed (signal %d): its output is cut "
			    "(--partial stores it marked partial)", status - 128);
			rc = EXIT_USAGE;
			break;
		}
		if (status != 0) {
			rc = go_failed(r, "go build", NULL, fp, status);
			break;
		}
		*out = fp;
		fp = NULL;
		break;
	}
	if (fp != NULL)
		fclose(fp);
	strv_release(&av);
	return rc;
}

/*
 * Asks again for the packages that printed nothing.  The go command
 * replays a package's cached compiler output with its cached object; when
 * the output entry is gone and the object is not (a trimmed or partly
 * restored cache, a GOCACHEPROG that evicts on its own) it prints nothing
 * and never compiles the package again.  So each silent package is built
 * with flags that mean the same to the compiler but differ in text (the
 * run's flags with "-m=2" once more), which gives it another action id:
 * the first time it is compiled, later its output is replayed from that
 * other entry.  Its dependencies keep the flags they had (each pattern of
 * the run repeated as -gcflags=PATTERN=FLAGS) and stay cached; their
 * replayed output is dropped, only the silent packages' blocks are kept.
 */
static int
recheck_silent(struct run *r, char **silent, size_t nsilent, int cla,
    struct sbuf *cmdline, FILE **out)
{
	struct strv fl;
	struct sbuf sb = SBUF_INIT;
	FILE *raw = NULL;
	size_t i;
	int rc;

	*out = NULL;
	memset(&fl, 0, sizeof(fl));
	if (cla) {
		sbuf_addf(&sb, "-gcflags=%s -m=2", r->cflags);
		strv_own(&fl, sbuf_detach(&sb));
	} else {
		for (i = 0; i < (size_t)r->nbpats; i++) {
			sbuf_addf(&sb, "-gcflags=%s=%s", r->bpats[i], r->cflags);
			strv_own(&fl, sbuf_detach(&sb));
		}
		for (i = 0; i < nsilent; i++) {
			sbuf_addf(&sb, "-gcflags=%s=%s -m=2", silent[i], r->cflags);
			strv_own(&fl, sbuf_detach(&sb));
		}
	}
	rc = go_build(r, fl.v, fl.n, silent, nsilent, cmdline, &raw);
	strv_release(&fl);
	if (rc != EXIT_OK)
		return rc;
	if (cla) {
		*out = raw;
		return EXIT_OK;
	}
	if ((*out = gotool_tmpfile()) == NULL ||
	    gotool_keep_blocks(raw, *out, silent, nsilent) < 0) {
		progress_clear(r);
		msg_error("cannot filter the output of go build: %s", strerror(errno));
		rc = EXIT_INTERNAL;
	}
	fclose(raw);
	return rc;
}

/* ---- ingesting ---- */

static void
warn_cb(void *ctx, const char *input, unsigned long line, const char *text)
{
	progress_clear(ctx);
	msg_warn_at(input, line, text);
}

static int
ingest_spool(struct run *r, struct ingest *in, struct store *st, FILE *fp, const char *name)
{
	const struct ingest_stats *s;
	int rc;

	rc = ingest_file(in, fp, name);
	if (rc == STORE_EDB) {
		progress_clear(r);
		msg_error("%s", store_errmsg(st));
		return EXIT_INTERNAL;
	}
	if (rc != STORE_OK) {
		progress_clear(r);
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
		progress_clear(r);
		msg_error("%s:%lu: %s (cut short?); no run stored (--partial stores "
		    "it marked partial)", s->trunc_input, s->trunc_line, s->trunc_why);
		return EXIT_USAGE;
	}
	if (ingest_amend(in, NULL, NULL, NULL, 1, NULL) != STORE_OK)
		return EXIT_INTERNAL;
	return EXIT_OK;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		qsort(v, n, sizeof(*v), str_cmp);
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
}

static int
store_run(struct run *r, struct cmdctx *cx, struct store *st, const char *label,
    char **pats, int npats, FILE *spool, struct sbuf *cmdline)
{
	struct ingest *in = NULL;
	struct run_meta m;
	struct ingest_opts o;
	const struct ingest_stats *s;
	char **silent = NULL, *silentbuf = NULL;
	size_t nsilent, i;
	FILE *spool2 = NULL;
	char *repo_prefix = NULL;
	int64_t id = 0;
	int rc, cla = 0;

	progress_clear(r);
	if (st == NULL && (rc = cmd_open_store(cx, STORE_CREATE, &st)) != EXIT_OK)
		return rc;
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
	o.modroot = modroot(r);
	o.pkgdir = pkgdir;
	o.pkgdir_ctx = r;
	o.warn = warn_cb;
	o.warn_ctx = r;

	progress(r, "parsing the output of go build\u2026");
	if ((rc = ingest_begin(st, &m, &o, &in)) != STORE_OK) {
		progress_clear(r);
		msg_error("%s", store_errmsg(st));
		in = NULL;
		rc = EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < r->npkgs; i++)
		if (r->pkgs[i].built)
			ingest_expect_package(in, r->pkgs[i].path);
	if (r->jsondir != NULL) {
		/* The logopt directory is part of the compile flags, so a
		 * fresh one makes the go command compile every named package
		 * again: nothing is replayed from the cache, nothing missed. */
		int lrc = ingest_logopt_dir(in, r->jsondir);
		if (lrc != STORE_OK) {
			progress_clear(r);
			msg_error("%s", lrc == STORE_EDB ? store_errmsg(st) :
			    "cannot read the -json=0 output of go build");
			rc = lrc == STORE_EDB ? EXIT_INTERNAL : EXIT_USAGE;
			goto out;
		}
		store_writer_set_form(in, "logopt");
		nsilent = 0;
	} else if (spool == NULL) {
		nsilent = 0;    /* an empty shard: nothing was built */
	} else {
		if ((rc = ingest_spool(r, in, st, spool, "go build")) != EXIT_OK)
			goto out;
		if ((rc = check_cut(r, in)) != EXIT_OK)
			goto out;
		nsilent = silent_packages(in, pats, npats, &silent, &silentbuf, &cla);
	}
	if (nsilent > 0) {
		progress(r, "asking again for %zu package%s that printed nothing\u2026",
		    nsilent, plural(nsilent));
		if ((rc = recheck_silent(r, silent, nsilent, cla, cmdline, &spool2)) != EXIT_OK)
			goto out;
		if ((rc = ingest_spool(r, in, st, spool2, "go build")) != EXIT_OK)
			goto out;
		if ((rc = check_cut(r, in)) != EXIT_OK)
			goto out;
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
		sbuf_release(&still);

		rc = ingest_commit(in, &id);
		in = NULL;
		progress_clear(r);
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
	if (in != NULL)
		ingest_abort(in);
	progress_clear(r);
	if (spool2 != NULL)
		fclose(spool2);
	free(silent);
	free(silentbuf);
	free(repo_prefix);
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
			progress_clear(r);
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
	int npats, have_date = 0, json = 0, i, rc;
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

	progress(&r, "listing packages\u2026");
	if ((rc = list_packages(&r, pats, npats)) != EXIT_OK ||
	    (rc = go_env(&r)) != EXIT_OK)
		goto out;
	resolve_commit(&r, rev, have_date);

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
	    (rc = go_build(&r, fl.v, fl.n, targets.v, targets.n, &cmdline, &spool)) != EXIT_OK)
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
	rc = store_run(&r, cx, r.st, label, pats, npats, spool, &cmdline);
out:
	progress_clear(&r);
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
	sbuf_release(&cmdline);
	sbuf_release(&fb);
	run_release(&r);
	return rc;
}
