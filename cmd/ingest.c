/*
 * ingest: stores one run from saved compiler output (go build -m / -m=2
 * logs, go tool compile -m output, standard input).
 */
#include "cmd.h"
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gotool.h"
#include "../parser/logopt.h"
#include "../store/ingest.h"

static const struct opt_usage usage = {
	"ingest", "[FILE | DIR | -]...", ".Op Ar FILE | DIR | Fl ...",
	"Stores saved compiler output (go build -gcflags=-m=2 or -m logs, go tool\n"
	"compile -m output) as one run.  With no FILE, or with -, reads standard\n"
	"input.  A DIR is a -json=0 logopt directory (go build\n"
	"-gcflags=-json=0,file://DIR); the Go version, goos and goarch default to\n"
	"its headers'.  The date defaults to now.  --repo-prefix P says where\n"
	"the -C directory sits in its repository (\"svc/\", \"\" at the top), for\n"
	"paths in SARIF, github and md output; by default git is asked when the\n"
	"directory is in a work tree.\n"
	"\n"
	"Input that ends in the middle of a line or of an explanation block is\n"
	"refused (exit 2); --partial stores it marked partial.  The Go version\n"
	"is --go-version, else the log's (a 'go version' line, a logopt\n"
	"header), else go env GOVERSION (noted on the run).\n",
	NULL
};

static void
warn_cb(void *ctx, const char *input, unsigned long line, const char *text)
{
	(void)ctx;
	msg_warn_at(input, line, text);
}

/* go env GOVERSION GOOS GOARCH in dir; 0, or -1 when go cannot say. */
static int
go_env_version(const char *dir, char *v, size_t vn, char *os, size_t osn,
    char *arch, size_t archn)
{
	char *argv[] = { "go", "env", "GOVERSION", "GOOS", "GOARCH", NULL };
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	char *dst[3] = { v, os, arch }, *line, *nl;
	size_t dn[3] = { vn, osn, archn };
	int status, i, rc = -1;

	if (gotool_capture(dir, argv, &out, &err, &status) == 0 && status == 0 && out.len) {
		line = out.buf;
		for (i = 0; i < 3 && line; i++) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl++ = '\0';
			snprintf(dst[i], dn[i], "%s", line);
			line = nl;
		}
		rc = v[0] ? 0 : -1;
	}
	sbuf_release(&out);
	sbuf_release(&err);
	return rc;
}

/* What was learnt while reading: partial input, and the Go version from
 * the log (a "go version" line) or from go env, with a note saying so. */
static int
amend_meta(struct ingest *in, const struct run_meta *m, const char *dir,
    const struct ingest_stats *s)
{
	char v[64] = "", os[32] = "", arch[32] = "";
	const char *note = NULL;

	if (m->go_version == NULL && s->go_version[0]) {
		snprintf(v, sizeof(v), "%s", s->go_version);
		snprintf(os, sizeof(os), "%s", s->goos);
		snprintf(arch, sizeof(arch), "%s", s->goarch);
	} else if (m->go_version == NULL) {
		if (go_env_version(dir, v, sizeof(v), os, sizeof(os), arch, sizeof(arch)) == 0)
			note = "go version from go env";
		else
			note = "go version unknown";
	}
	return ingest_amend(in, m->go_version == NULL && v[0] ? v : NULL,
	    m->goos == NULL && os[0] ? os : NULL, m->goarch == NULL && arch[0] ? arch : NULL,
	    s->truncated, note);
}

int
cmd_ingest(struct cmdctx *cx, int argc, char **argv)
{
	struct run_meta m;
	struct ingest_opts o;
	const char *date = NULL;
	const char *repo_opt = NULL;
	int partial = 0;
	const struct opt opts[] = {
		OPT_STRING(0, "commit", &m.commit, "REV", "the run's commit"),
		OPT_STRING(0, "date", &date, "T",
		    "the run's date: RFC 3339, YYYY-MM-DD[ HH:MM[:SS]] or @UNIX"),
		OPT_STRING(0, "label", &m.label, "L", "a label for the run, usable as a run selector"),
		OPT_STRING(0, "go-version", &m.go_version, "V", "the Go version that compiled it"),
		OPT_STRING(0, "goos", &m.goos, "OS", "the target operating system"),
		OPT_STRING(0, "goarch", &m.goarch, "ARCH", "the target architecture"),
		OPT_STRING(0, "package", &o.package, "P",
		    "the import path of output with no \"# PKG\" header"),
		OPT_STRING('C', NULL, &o.cwd, "DIR",
		    "the directory the log's relative paths are relative to "
		    "(default: the current directory), where Go sources are "
		    "read to find enclosing functions"),
		OPT_BOOL(0, "partial", &partial, "store input cut short, marked partial"),
		OPT_STRING(0, "repo-prefix", &repo_opt, "P",
		    "where the -C directory sits in its repository"),
		OPT_END()
	};
	struct store *st = NULL;
	struct ingest *in = NULL;
	struct sbuf inputs = SBUF_INIT;
	int i, rc, nin, nlogopt = 0;
	int64_t id;
	char **files;
	char *rundir = NULL, *repo_prefix = NULL, *commit_sha = NULL;
	static char *dash[] = { "-" };

	memset(&m, 0, sizeof(m));
	memset(&o, 0, sizeof(o));
	if ((rc = opt_parse(&usage, opts, OPT_STOP_AT_ARG, &argc, &argv)) >= 0)
		return rc;
	if (date) {
		if (cmd_parse_date(date, &m.date) < 0) {
			msg_error("ingest: bad --date '%s' (use YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM] or @UNIX)", date);
			return EXIT_USAGE;
		}
	} else
		m.date = (int64_t)time(NULL);
	files = argv;
	nin = argc;
	if (nin == 0) {
		files = dash;
		nin = 1;
	}
	/* Check every input first: a missing file stores nothing. */
	for (i = 0; i < nin; i++) {
		struct stat sb;
		if (strcmp(files[i], "-") == 0)
			continue;
		if (stat(files[i], &sb) != 0) {
			msg_error("cannot open %s: %s", files[i], strerror(errno));
			return EXIT_USAGE;
		}
		if (S_ISDIR(sb.st_mode) && !logopt_is_dir(files[i])) {
			msg_error("%s: is a directory but not a -json=0 logopt directory "
			    "(no PKG/FILE.json inside)", files[i]);
			return EXIT_USAGE;
		}
		if (S_ISDIR(sb.st_mode) && m.go_version == NULL) {
			/* the version the headers name, unless given */
			static struct logopt_info li;
			if (logopt_probe(files[i], &li) == 0 && li.gc_version[0]) {
				m.go_version = li.gc_version;
				if (m.goos == NULL && li.goos[0])
					m.goos = li.goos;
				if (m.goarch == NULL && li.goarch[0])
					m.goarch = li.goarch;
			}
		}
	}
	for (i = 0; i < nin; i++) {
		if (i)
			sbuf_addc(&inputs, ' ');
		sbuf_adds(&inputs, files[i]);
	}
	m.source = "ingest";
	/* The directory the log's paths are relative to: explain reads
	 * source lines only under it. */
	rundir = realpath(o.cwd ? o.cwd : ".", NULL);
	m.dir = rundir ? rundir : "";
	/* a revision git knows there (HEAD~1, a short hash, a tag) is
	 * stored as its full hash, as run stores it; anything else (a
	 * label, a hash of another repository) as given */
	if (m.commit != NULL && m.commit[0] != '\0' && m.commit[0] != '-' && rundir != NULL &&
	    (commit_sha = gotool_git_commit(rundir, m.commit)) != NULL)
		m.commit = commit_sha;
	if (repo_opt) {
		while (strncmp(repo_opt, "./", 2) == 0)
			repo_opt += 2;
		m.repo_prefix = strcmp(repo_opt, ".") == 0 ? "" : repo_opt;
		m.in_repo = 1;
	} else if (rundir) {
		m.in_repo = gotool_repo_prefix(rundir, &repo_prefix);
		m.repo_prefix = repo_prefix;
	}
	m.form = "";
	m.input = inputs.buf;
	o.warn = warn_cb;
	if ((rc = cmd_open_store(cx, STORE_CREATE | STORE_STAGE, &st)) != EXIT_OK)
		goto out;
	if (ingest_begin(st, &m, &o, &in) != STORE_OK) {
		rc = cmd_db_error(st);
		goto out;
	}
	for (i = 0; i < nin; i++) {
		const char *name = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
		FILE *fp;
		unsigned long before = ingest_stats(in)->lines;
		const struct ingest_stats *s;
		struct stat sb;
		int r;

		if (strcmp(files[i], "-") != 0 && stat(files[i], &sb) == 0 &&
		    S_ISDIR(sb.st_mode)) {
			r = ingest_logopt_dir(in, files[i]);
			if (r < 0) {
				msg_error("cannot read %s: %s; no run stored", name, strerror(errno));
				ingest_abort(in);
				rc = EXIT_USAGE;
				goto out;
			}
			if (r != STORE_OK) {
				msg_error("%s", store_errmsg(st));
				ingest_abort(in);
				rc = EXIT_INTERNAL;
				goto out;
			}
			nlogopt++;
			continue;
		}
		fp = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "rb");
		if (fp == NULL) {
			msg_error("cannot open %s: %s", files[i], strerror(errno));
			ingest_abort(in);
			rc = EXIT_USAGE;
			goto out;
		}
		r = ingest_file(in, fp, name);
		if (fp != stdin)
			fclose(fp);
		if (r < 0) {
			msg_error("cannot read %s: %s; no run stored", name, strerror(errno));
			ingest_abort(in);
			rc = EXIT_USAGE;
			goto out;
		}
		if (r != STORE_OK) {
			msg_error("%s", store_errmsg(st));
			ingest_abort(in);
			rc = EXIT_INTERNAL;
			goto out;
		}
		s = ingest_stats(in);
		if (s->lines == before) {
			msg_error("%s: empty input; no run stored", name);
			ingest_abort(in);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	{
		const struct ingest_stats *s = ingest_stats(in);
		unsigned long known = s->counts[LC_FINDING] + s->counts[LC_EXPLAIN] +
		    s->counts[LC_HEADER] + s->counts[LC_INLINE] + s->counts[LC_DEVIRT] +
		    s->counts[LC_BOUNDS];
		char summary[256];
		if (known == 0 && nlogopt > 0 && nlogopt == nin) {
			/* only empty package folders: packages with no escapes */
		} else if (known == 0) {
			msg_error("%s:1: no Go compiler diagnostics found (%lu line%s, none "
			    "recognised); no run stored", m.input, s->lines, plural(s->lines));
			ingest_abort(in);
			rc = EXIT_USAGE;
			goto out;
		} else if (known == s->counts[LC_HEADER] && s->counts[LC_UNRECOGNISED] > 0) {
			/* "# word" lines and text: a Markdown file, not a build
			 * log (a package the compiler has nothing to say about
			 * prints no heading) */
			msg_error("%s:1: no Go compiler diagnostics found (%lu line%s: %lu \"# \" "
			    "heading%s, %lu unrecognised); no run stored", m.input, s->lines,
			    plural(s->lines), s->counts[LC_HEADER], plural(s->counts[LC_HEADER]),
			    s->counts[LC_UNRECOGNISED]);
			ingest_abort(in);
			rc = EXIT_USAGE;
			goto out;
		}
		snprintf(summary, sizeof(summary), "%lu finding%s (heap %lu, moved %lu, leak %lu) in %lu package%s",
		    s->findings, plural(s->findings), s->kinds[ESC_HEAP], s->kinds[ESC_MOVED],
		    s->kinds[ESC_LEAK] + s->kinds[ESC_LEAK_RESULT] + s->kinds[ESC_LEAK_CONTENT],
		    s->packages, plural(s->packages));
		if (nlogopt == 0)
			store_writer_set_form(in, s->saw_m2 ? "m2" : "m1");
		if (s->truncated && !partial) {
			msg_error("%s:%lu: %s (cut short?); no run stored (--partial stores "
			    "it marked partial)", s->trunc_input, s->trunc_line, s->trunc_why);
			ingest_abort(in);
			rc = EXIT_USAGE;
			goto out;
		}
		if (amend_meta(in, &m, o.cwd, s) != STORE_OK) {
			in = NULL;
			msg_error("%s; no run stored", store_errmsg(st));
			rc = EXIT_INTERNAL;
			goto out;
		}
		if (ingest_commit(in, &id) != STORE_OK) {
			in = NULL;
			msg_error("%s; no run stored", store_errmsg(st));
			rc = EXIT_INTERNAL;
			goto out;
		}
		in = NULL;
		printf("run %lld: %s\n", (long long)id, summary);
		rc = EXIT_OK;
	}
out:
	free(rundir);
	free(commit_sha);
	free(repo_prefix);
	sbuf_release(&inputs);
	store_close(st);
	return rc;
}
