/*
 * run_go: the go and git commands of escdb run — listing packages, the go
 * environment, the commit, the build itself and the second ask for
 * packages that printed nothing.  Never through a shell.  See run.c.
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

/* ---- spawning ---- */

/* Prints why a command could not be started; returns the exit status. */
static int
spawn_error(struct run *r, const char *what)
{
	int e = errno;

	run_progress_clear(r);
	msg_error("cannot run %s: %s", what, strerror(e));
	return e == ENOENT || e == EACCES || e == ENOTDIR ? EXIT_USAGE : EXIT_INTERNAL;
}

/* The go command failed: its output verbatim, then ours. */
static int
go_failed(struct run *r, const char *what, const char *text, FILE *spool, int status)
{
	run_progress_clear(r);
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
int
run_list_packages(struct run *r, char **pats, int npats)
{
	static const char fmt[] = "-f={{if or .GoFiles .CgoFiles}}{{.ImportPath}}\t"
	    "{{.Dir}}\t{{with .Module}}{{.Dir}}{{end}}{{end}}";
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char **argv = xcalloc((size_t)npats + 7, sizeof(*argv));
	char *line, *next, *t1, *t2;
	size_t cap = 0;
	int i, k, status, rc = EXIT_OK;

	/* -find: the packages and their files, not their dependencies
	 * (go build reports those), which takes a third less time. */
	argv[0] = "go";
	argv[1] = "list";
	argv[2] = "-find";
	/* no VCS stamp: else go list runs git status, which takes seconds
	 * in a large repository; and the build's tags, so it lists what the
	 * build builds */
	argv[3] = "-buildvcs=false";
	argv[4] = (char *)fmt;
	k = 5;
	if (r->tags != NULL)
		argv[k++] = r->tags;
	for (i = 0; i < npats; i++)
		argv[k + i] = pats[i];
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
		run_progress_clear(r);
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

const char *
run_pkgdir(void *ctx, const char *path)
{
	struct run *r = ctx;
	struct pkg key, *p;

	memset(&key, 0, sizeof(key));   /* issue 7: cppcheck uninitvar */
	key.path = (char *)path;
	if (r->npkgs == 0 && r->use_graph)
		return run_graph_dir(r, path);  /* parsed before the list is known */
	p = bsearch(&key, r->pkgs, r->npkgs, sizeof(*r->pkgs), pkg_cmp);
	return p ? p->dir : NULL;
}

/* The module root: the module holding DIR, else the first one listed. */
const char *
run_modroot(const struct run *r)
{
	const char *best = NULL;
	size_t i, n, bestn = 0;

	/* the graph's run: GOMOD names the module holding DIR */
	if (r->use_graph && r->modroot != NULL)
		return r->modroot;
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
int
run_go_env(struct run *r)
{
	char *argv[] = { "go", "env", "GOVERSION", "GOOS", "GOARCH", "GOROOT", "GOMODCACHE",
	    "GOAMD64", "GOMOD", "GOWORK", NULL };
	char **dst[] = { &r->goversion, &r->goos, &r->goarch, &r->goroot, &r->gomodcache,
	    &r->goamd64, &r->gomod, &r->gowork };
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

/* Whether s looks like a commit hash: 4 to 64 hex digits. */
static int
is_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return s[n] == '\0' && n >= 4 && n <= 64;
}

/* The commit (HEAD, or REV resolved) and, unless given, its date. */
void
run_resolve_commit(struct run *r, const char *rev, int have_date)
{
	char *ct, *end;
	long long v;

	if (rev == NULL)
		r->commit = gotool_git_commit(r->absdir, "HEAD");
	else if (rev[0] != '-' && rev[0] != '\0')
		r->commit = gotool_git_commit(r->absdir, rev);
	if (r->commit == NULL) {
		/* No repository, no git, or a revision git does not know:
		 * the commit is what was given (or empty), the date now.  A
		 * hash is kept quietly (a shallow clone may lack it). */
		if (rev != NULL && !is_hash(rev)) {
			run_progress_clear(r);
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
	ct = gotool_git_line(r->absdir, "show", "-s", "--format=%ct", r->commit, NULL);
	if (ct != NULL) {
		errno = 0;
		v = strtoll(ct, &end, 10);
		if (errno == 0 && end != ct && *end == '\0')
			r->date = v;
		free(ct);
	}
}

int
run_go_minor(const char *v)
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

void
strv_add(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	sv->v[sv->n++] = (char *)s;
	sv->v[sv->n] = NULL;
}

void
strv_own(struct strv *sv, char *s)
{
	if (sv->nown == sv->capown) {
		sv->capown = sv->capown ? sv->capown * 2 : 16;
		sv->own = xreallocarray(sv->own, sv->capown, sizeof(*sv->own));
	}
	sv->own[sv->nown++] = s;
	strv_add(sv, s);
}

void
strv_release(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->nown; i++)
		free(sv->own[i]);
	free(sv->own);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/* The go build command line: FLAGS [-o /dev/null] PKGS, and first the
 * action graph's file when graph is not NULL. */
static void
build_argv(struct run *r, struct strv *av, char **flags, size_t nflags, char **pkgs,
    size_t npkgs, const char *graph)
{
	size_t i;

	av->n = 0;
	strv_add(av, "go");
	strv_add(av, "build");
	if (graph != NULL) {
		struct sbuf sb = SBUF_INIT;
		sbuf_addf(&sb, "-debug-actiongraph=%s", graph);
		strv_own(av, sbuf_detach(&sb));
	}
	if (run_go_minor(r->goversion) >= 18)
		strv_add(av, "-buildvcs=false");  /* no git status; the binary is discarded */
	if (r->tags != NULL)
		strv_add(av, r->tags);
	for (i = 0; i < nflags; i++)
		strv_add(av, flags[i]);
	if (r->use_o) {
		strv_add(av, "-o");
		strv_add(av, "/dev/null");
	}
	for (i = 0; i < npkgs; i++)
		strv_add(av, pkgs[i]);
}

int
run_go_build_start(struct run *r, char **flags, size_t nflags, char **pkgs, size_t npkgs,
    const char *graph, struct sbuf *cmdline, FILE **spool, pid_t *pid)
{
	struct strv av;
	int rc = EXIT_OK;

	memset(&av, 0, sizeof(av));
	if (graph != NULL)
		r->graph_loaded = 0;    /* this build writes it anew */
	build_argv(r, &av, flags, nflags, pkgs, npkgs, graph);
	if ((*spool = gotool_tmpfile()) == NULL) {
		run_progress_clear(r);
		msg_error("cannot create a temporary file: %s", strerror(errno));
		rc = EXIT_INTERNAL;
	} else if (gotool_spool_start(r->absdir, av.v, *spool, pid) < 0) {
		rc = errno == ENOENT ? spawn_error(r, "go") : EXIT_INTERNAL;
		if (rc == EXIT_INTERNAL) {
			run_progress_clear(r);
			msg_error("cannot run go build: %s", strerror(errno));
		}
		fclose(*spool);
		*spool = NULL;
	} else {
		if (cmdline->len)
			sbuf_adds(cmdline, "; ");
		/* the graph's file changes nothing built: not recorded */
		if (graph != NULL)
			memmove(&av.v[2], &av.v[3], (av.n - 2) * sizeof(*av.v));
		gotool_cmdline(cmdline, av.v);
	}
	strv_release(&av);
	return rc;
}

int
run_go_build_done(struct run *r, int status, size_t npkgs, FILE *spool)
{
	if (status != 0 && r->use_o && npkgs > 1 &&
	    spool_has(spool, "multiple packages to non-directory")) {
		r->use_o = 0;
		return RUN_RETRY;
	}
	if (status > 128 && r->partial) {
		r->cut = status;        /* killed: keep what it printed */
		status = 0;
	}
	if (status > 128) {
		go_failed(r, "go build", NULL, spool, status);
		msg_error("go build was killed (signal %d): its output is cut "
		    "(--partial stores it marked partial)", status - 128);
		return EXIT_USAGE;
	}
	if (status != 0)
		return go_failed(r, "go build", NULL, spool, status);
	return EXIT_OK;
}

/*
 * go build FLAGS [-o /dev/null] PKGS in DIR, spooled.  Returns EXIT_OK
 * with *out open at its start, or prints the failure.  Every command run
 * is appended to cmdline.  A go command that refuses -o /dev/null for
 * several packages is asked again without -o (it then writes nothing for
 * libraries and several mains).
 */
int
run_go_build(struct run *r, char **flags, size_t nflags, char **pkgs, size_t npkgs,
    const char *graph, struct sbuf *cmdline, FILE **out)
{
	FILE *fp;
	pid_t pid;
	int status, rc;

	*out = NULL;
	for (;;) {
		if ((rc = run_go_build_start(r, flags, nflags, pkgs, npkgs, graph, cmdline, &fp,
		    &pid)) != EXIT_OK)
			return rc;
		if (gotool_wait(pid, &status) < 0 || fseeko(fp, 0, SEEK_SET) != 0) {
			run_progress_clear(r);
			msg_error("cannot run go build: %s", strerror(errno));
			fclose(fp);
			return EXIT_INTERNAL;
		}
		rc = run_go_build_done(r, status, npkgs, fp);
		if (rc == RUN_RETRY) {
			fclose(fp);
			continue;
		}
		if (rc != EXIT_OK) {
			fclose(fp);
			return rc;
		}
		*out = fp;
		return EXIT_OK;
	}
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
/* The second build's -gcflags: see run_recheck_silent. */
static void
recheck_flags(struct run *r, struct strv *fl, char **silent, size_t nsilent, int cla)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	if (cla) {
		sbuf_addf(&sb, "-gcflags=%s -m=2", r->cflags);
		strv_own(fl, sbuf_detach(&sb));
		return;
	}
	for (i = 0; i < (size_t)r->nbpats; i++) {
		sbuf_addf(&sb, "-gcflags=%s=%s", r->bpats[i], r->cflags);
		strv_own(fl, sbuf_detach(&sb));
	}
	for (i = 0; i < nsilent; i++) {
		sbuf_addf(&sb, "-gcflags=%s=%s -m=2", silent[i], r->cflags);
		strv_own(fl, sbuf_detach(&sb));
	}
}

/* Keeps only the silent packages' blocks of the second build's output. */
static int
recheck_keep(struct run *r, FILE *raw, char **silent, size_t nsilent, int cla, FILE **out)
{
	int rc = EXIT_OK;

	if (cla) {
		*out = raw;
		return EXIT_OK;
	}
	if ((*out = gotool_tmpfile()) == NULL ||
	    gotool_keep_blocks(raw, *out, silent, nsilent) < 0) {
		run_progress_clear(r);
		msg_error("cannot filter the output of go build: %s", strerror(errno));
		rc = EXIT_INTERNAL;
	}
	fclose(raw);
	return rc;
}

int
run_recheck_silent(struct run *r, char **silent, size_t nsilent, int cla,
    struct sbuf *cmdline, FILE **out)
{
	struct strv fl;
	FILE *raw = NULL;
	int rc;

	*out = NULL;
	memset(&fl, 0, sizeof(fl));
	recheck_flags(r, &fl, silent, nsilent, cla);
	rc = run_go_build(r, fl.v, fl.n, silent, nsilent, NULL, cmdline, &raw);
	strv_release(&fl);
	if (rc != EXIT_OK)
		return rc;
	return recheck_keep(r, raw, silent, nsilent, cla, out);
}

/*
 * The second build, started early: when the first go build exits, the
 * packages that printed no "# PKG" heading are known from its output
 * before all of it is parsed, so their second build runs beside the rest
 * of the parse.  Used only when it asks for exactly the packages the
 * parse then finds silent.
 */
int
run_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
run_recheck_early(struct run *r, FILE *spool)
{
	struct strv fl, seen;
	struct sbuf line = SBUF_INIT;
	char buf[65536];
	off_t off = 0;
	ssize_t n;
	int state = 1;          /* 0 in a line, 1 at its start, 2 after "#", 3 in "# " */
	size_t i;

	/* .go files named: command-line-arguments, asked for again by
	 * those names afterwards */
	for (i = 0; i < r->npkgs; i++)
		if (strcmp(r->pkgs[i].path, "command-line-arguments") == 0)
			return;
	memset(&fl, 0, sizeof(fl));
	memset(&seen, 0, sizeof(seen));
	/* the headings, read by offset: the parse reads the same file */
	while ((n = pread(fileno(spool), buf, sizeof(buf), off)) > 0) {
		const char *p = buf, *end = buf + n, *nl;

		off += n;
		while (p < end) {
			if (state == 3) {               /* in a heading */
				nl = memchr(p, '\n', (size_t)(end - p));
				sbuf_add(&line, p, (size_t)((nl ? nl : end) - p));
				if (nl == NULL)
					break;
				/* as gotool_keep_blocks reads a heading */
				while (line.len > 0 && line.buf[line.len - 1] == '\r')
					line.buf[--line.len] = '\0';
				strv_own(&seen, sbuf_detach(&line));
				p = nl + 1;
				state = 1;
			} else if (state == 1 && *p == '#') {
				state = 2;
				p++;
			} else if (state == 2 && *p == ' ') {
				state = 3;
				p++;
			} else if (*p == '\n') {
				state = 1;
				p++;
			} else {                        /* to the next line */
				nl = memchr(p, '\n', (size_t)(end - p));
				state = 0;
				if (nl == NULL)
					break;
				p = nl + 1;
				state = 1;
			}
		}
	}
	sbuf_release(&line);
	if (n < 0)
		goto done;
	if (seen.n > 1)
		qsort(seen.v, seen.n, sizeof(*seen.v), run_str_cmp);
	r->early.n = 0;
	for (i = 0; i < r->npkgs; i++) {
		if (!r->pkgs[i].built || (seen.n > 0 && bsearch(&r->pkgs[i].path,
		    seen.v, seen.n, sizeof(*seen.v), run_str_cmp) != NULL) ||
		    run_silent_ok(r, r->pkgs[i].path))
			continue;
		strv_add(&r->early, r->pkgs[i].path);
	}
	if (r->early.n == 0)
		goto done;
	recheck_flags(r, &fl, r->early.v, r->early.n, 0);
	if (run_go_build_start(r, fl.v, fl.n, r->early.v, r->early.n, NULL,
	    &r->early_cmd, &r->early_spool, &r->early_pid) == EXIT_OK)
		r->early_running = 1;
done:
	strv_release(&fl);
	strv_release(&seen);
}

static void *
recheck_early_main(void *arg)
{
	struct run *r = arg;

	run_recheck_early(r, r->early_from);
	return NULL;
}

void
run_recheck_early_async(struct run *r, FILE *spool)
{
	r->early_from = spool;
	if (pthread_create(&r->early_thread, NULL, recheck_early_main, r) == 0)
		r->early_threaded = 1;
	else
		run_recheck_early(r, spool);
}

void
run_recheck_early_join(struct run *r)
{
	if (r->early_threaded) {
		pthread_join(r->early_thread, NULL);
		r->early_threaded = 0;
	}
}

int
run_recheck_early_take(struct run *r, char **silent, size_t nsilent, struct sbuf *cmdline,
    FILE **out)
{
	int status, rc;
	size_t i;

	*out = NULL;
	run_recheck_early_join(r);
	if (!r->early_running)
		return RUN_RETRY;
	for (i = 0; i < nsilent && nsilent == r->early.n; i++)
		if (strcmp(silent[i], r->early.v[i]) != 0)
			break;
	if (i != nsilent || nsilent != r->early.n) {
		run_recheck_early_stop(r);
		return RUN_RETRY;
	}
	r->early_running = 0;
	if (gotool_wait(r->early_pid, &status) < 0 ||
	    fseeko(r->early_spool, 0, SEEK_SET) != 0) {
		run_progress_clear(r);
		msg_error("cannot run go build: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	if (cmdline->len)
		sbuf_adds(cmdline, "; ");
	sbuf_add(cmdline, r->early_cmd.buf, r->early_cmd.len);
	if ((rc = run_go_build_done(r, status, nsilent, r->early_spool)) != EXIT_OK)
		return rc == RUN_RETRY ? EXIT_INTERNAL : rc;
	rc = recheck_keep(r, r->early_spool, silent, nsilent, 0, out);
	r->early_spool = NULL;
	return rc;
}

void
run_recheck_early_stop(struct run *r)
{
	int st;

	run_recheck_early_join(r);
	if (r->early_running) {
		gotool_stop(r->early_pid, &st);
		r->early_running = 0;
	}
	if (r->early_spool != NULL)
		fclose(r->early_spool);
	r->early_spool = NULL;
	strv_release(&r->early);
	sbuf_release(&r->early_cmd);
}
