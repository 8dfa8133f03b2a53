/*
 * explain: the findings at one position with their flow chains, causes
 * and source line (report/grep.c).
 */
#include "cmd.h"
#include "opts.h"

#include <stdlib.h>
#include <string.h>

#include "gotool.h"
#include "../report/grep.h"
#include "../report/hot.h"

static const struct opt_usage usage = {
	"explain", "FILE:LINE[:COL]", ".Ar FILE : Ns Ar LINE Ns Op : Ns Ar COL",
	"Prints every finding of a run (default latest) at a position: its\n"
	"message, package, function, kind, cause with the usual remedy, the\n"
	"source line when the run's directory holds the file, and the full\n"
	"flow chain.  FILE is the stored file name, its basename, or a path\n"
	"ending in it (e.g. the import path or directory plus the name).\n"
	"Exits 1 when no finding is at the position.\n",
	NULL
};

/* ---- the source as it was at the run's commit ---- */

static char *
git_source(void *ctx, const char *srcdir, const char *path, size_t *len)
{
	const char *sha = ctx;
	size_t n = strlen(srcdir);
	struct sbuf spec = SBUF_INIT;
	char *buf;

	while (n > 1 && srcdir[n - 1] == '/')
		n--;
	if (strncmp(path, srcdir, n) != 0 || path[n] != '/')
		return NULL;
	sbuf_addf(&spec, "%s:./%s", sha, path + n + 1);
	buf = gotool_git(srcdir, "show", spec.buf, (const char *)NULL);
	sbuf_release(&spec);
	if (buf != NULL)
		*len = strlen(buf);
	return buf;
}

/* The run's commit as a full hash when dir is a git work tree that holds
 * it and no longer matches it (another HEAD, or changed files); else
 * NULL: the files in dir are the run's, or nothing better is known (the
 * commit is a label, not in the repository). */
static char *
moved_on(const char *dir, const char *commit)
{
	char *sha, *head, *st;
	int same;

	if (dir == NULL || *dir == '\0' || commit == NULL || *commit == '\0' ||
	    (sha = gotool_git_commit(dir, commit)) == NULL)
		return NULL;
	head = gotool_git_commit(dir, "HEAD");
	same = head != NULL && strcmp(head, sha) == 0;
	free(head);
	if (same) {
		st = gotool_git(dir, "status", "--porcelain", "--untracked-files=no", (const char *)NULL);
		same = st != NULL && st[0] == '\0';
		free(st);
	}
	if (same) {
		free(sha);
		return NULL;
	}
	return sha;
}

int
cmd_explain(struct cmdctx *cx, int argc, char **argv)
{
	const char *sel = NULL, *outpath = NULL, *file, *profile = NULL;
	struct pprof p;
	struct hot h;
	int have_h = 0;
	int f = FMT_TEXT, color = -1, rc, have_ri = 0, line, col;
	const struct opt opts[] = {
		OPT_RUN(&sel),
		OPT_PROFILE(&profile, "also the weight of each finding in this pprof profile "
		    "(escdb hot): bytes and objects, or CPU time and samples"),
		OPT_FORMAT(&f, 1u << FMT_TEXT | 1u << FMT_JSON),
		OPT_OUTPUT(&outpath),
		OPT_COLOR(&color),
		OPT_END()
	};
	struct store *st = NULL;
	struct run_info ri;
	int64_t run;
	FILE *fp = NULL;
	char err[512], *fname = NULL, *atsha = NULL;
	size_t flen;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc != 1)
		return opt_usage_error(&usage, opts, argc == 0 ? "missing FILE:LINE[:COL]" :
		    "one position only");
	if (esc_pos_split(argv[0], strlen(argv[0]), &file, &flen, &line, &col) != 0 ||
	    flen == 0 || line <= 0) {
		msg_error("explain: bad position '%s' (use FILE:LINE or FILE:LINE:COL)", argv[0]);
		return EXIT_USAGE;
	}
	fname = xstrndup(file, flen);
	if (strncmp(fname, "./", 2) == 0)
		memmove(fname, fname + 2, strlen(fname + 2) + 1);
	if ((rc = cmd_open_run(cx, sel, &st, &ri)) != EXIT_OK)
		goto out;
	have_ri = 1;
	run = ri.id;
	if (profile) {
		if ((rc = cmd_hot_load(st, run, ri.dir, profile, NULL, 0, &p, &h)) != EXIT_OK)
			goto out;
		have_h = 1;
	}
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* a run of another commit than the work tree's shows its own
	 * source, from git */
	if ((atsha = moved_on(ri.dir, ri.commit)) != NULL)
		explain_source_reader(git_source, atsha);
	rc = explain_run_hot(st, run, ri.commit, ri.dir, fname, line, col, f == FMT_JSON,
	    f == FMT_TEXT && cmd_want_color(fp, color), have_h ? &h : NULL, fp, err, sizeof(err));
	if (rc == GREP_EDB || rc == GREP_EAMBIGUOUS) {
		msg_error("explain: %s", err);
		cmd_output_close(fp, outpath);
		rc = rc == GREP_EDB ? EXIT_INTERNAL : EXIT_USAGE;
		goto out;
	}
	if (rc == GREP_ENOMATCH)
		msg_error("explain: no finding at %s in run id:%lld", argv[0], (long long)run);
	if (cmd_output_close(fp, outpath) != EXIT_OK)
		rc = EXIT_INTERNAL;
	else
		rc = rc == GREP_OK ? EXIT_OK : EXIT_FOUND;
out:
	if (have_h) {
		hot_release(&h);
		pprof_release(&p);
	}
	explain_source_reader(NULL, NULL);
	free(atsha);
	free(fname);
	if (have_ri)
		run_info_release(&ri);
	store_close(st);
	return rc;
}
