/*
 * explain: the findings at one position with their flow chains, causes
 * and source line (report/grep.c).
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../report/grep.h"
#include "../report/hot.h"

static const char usage_text[] =
	"usage: escdb explain [--run SEL] [--profile FILE] [--format text|json] [-o FILE]\n"
	"                     FILE:LINE[:COL]\n"
	"\n"
	"Prints every finding of a run (default latest) at a position: its\n"
	"message, package, function, kind, cause with the usual remedy, the\n"
	"source line when the run's directory holds the file, and the full\n"
	"flow chain.  FILE is the stored file name, its basename, or a path\n"
	"ending in it (e.g. the import path or directory plus the name).\n"
	"Exits 1 when no finding is at the position.\n"
	"\n"
	"  --run SEL    the run: latest, latest~N, id:N, a label or a commit\n"
	"  --profile FILE  also the weight of each finding in this pprof profile\n"
	"               (escdb hot): bytes and objects, or CPU time and samples\n"
	"  --format F   text (default) or json\n"
	"  -o FILE      write to FILE instead of standard output\n";

int
cmd_explain(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "profile", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sel = NULL, *outpath = NULL, *file, *profile = NULL;
	struct pprof p;
	struct hot h;
	int have_h = 0;
	struct store *st = NULL;
	struct run_info ri;
	int64_t run;
	FILE *fp = NULL;
	char err[512], *fname = NULL;
	size_t flen;
	int c, f = FMT_TEXT, rc, have_ri = 0, line, col;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': sel = optarg; break;
		case 'p': profile = optarg; break;
		case 'o': outpath = optarg; break;
		case 'f':
			f = cmd_parse_format("explain", optarg, 1u << FMT_TEXT | 1u << FMT_JSON);
			if (f < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_bad_option("explain", usage_text, c, optind, argv);
		}
	}
	if (optind + 1 != argc) {
		msg_error(optind >= argc ? "explain: missing FILE:LINE[:COL]" :
		    "explain: one position only");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (esc_pos_split(argv[optind], strlen(argv[optind]), &file, &flen, &line, &col) != 0 ||
	    flen == 0 || line <= 0) {
		msg_error("explain: bad position '%s' (use FILE:LINE or FILE:LINE:COL)", argv[optind]);
		return EXIT_USAGE;
	}
	fname = xstrndup(file, flen);
	if (strncmp(fname, "./", 2) == 0)
		memmove(fname, fname + 2, strlen(fname + 2) + 1);
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK)
		goto out;
	if ((rc = cmd_select(st, sel, &run)) != EXIT_OK)
		goto out;
	if (store_run_get(st, run, &ri) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		rc = EXIT_INTERNAL;
		goto out;
	}
	have_ri = 1;
	if (profile) {
		if ((rc = cmd_hot_load(st, run, ri.dir, profile, NULL, 0, &p, &h)) != EXIT_OK)
			goto out;
		have_h = 1;
	}
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	rc = explain_run_hot(st, run, ri.commit, ri.dir, fname, line, col, f == FMT_JSON,
	    f == FMT_TEXT && cmd_want_color(fp), have_h ? &h : NULL, fp, err, sizeof(err));
	if (rc == GREP_EDB) {
		msg_error("explain: %s", err);
		cmd_output_close(fp, outpath);
		rc = EXIT_INTERNAL;
		goto out;
	}
	if (rc == GREP_ENOMATCH)
		msg_error("explain: no finding at %s in run id:%lld", argv[optind], (long long)run);
	if (cmd_output_close(fp, outpath) != EXIT_OK)
		rc = EXIT_INTERNAL;
	else
		rc = rc == GREP_OK ? EXIT_OK : EXIT_FOUND;
out:
	if (have_h) {
		hot_release(&h);
		pprof_release(&p);
	}
	free(fname);
	if (have_ri)
		run_info_release(&ri);
	store_close(st);
	return rc;
}
