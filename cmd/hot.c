/*
 * hot: the findings of a run ranked by a pprof profile (report/hot.h),
 * and cmd_hot_load, which explain, summary and gate use for --profile.
 */
#include "cmd.h"
#include "opts.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../report/hot.h"

static const struct opt_usage usage = {
	"hot", NULL, NULL,
	"Joins the samples of a pprof profile (go test -memprofile or -cpuprofile,\n"
	"runtime/pprof, net/http/pprof; gzipped or not) to the findings of run SEL\n"
	"(default latest) by package, file and line, and prints the findings by\n"
	"weight, heaviest first, then the lines of the run's packages with weight\n"
	"and no finding (allocations escape analysis does not explain).  A sample\n"
	"weighs on its innermost frame in the run's packages: direct when that is\n"
	"the leaf, through a callee otherwise.\n",
	NULL
};

int
cmd_hot_load(struct store *st, int64_t run, const char *rundir, const char *path,
    const char *sample_index, unsigned kinds, struct pprof *p, struct hot *h)
{
	struct hot_opts ho;
	char err[512];
	int rc;

	if (pprof_read_file(path, p, err, sizeof(err)) != 0) {
		msg_error("%s: %s", path, err);
		return EXIT_USAGE;
	}
	ho.sample_index = sample_index;
	ho.kinds = kinds;
	if ((rc = hot_join(st, run, rundir, p, &ho, h, err, sizeof(err))) != HOT_OK) {
		msg_error("%s: %s", path, err);
		pprof_release(p);
		return rc == HOT_EUSAGE ? EXIT_USAGE : EXIT_INTERNAL;
	}
	if (h->inrun[0] == 0 && h->inrun[1] == 0 && (h->total[0] != 0 || h->total[1] != 0))
		msg_warn("%s: no sample has a frame in the run's packages "
		    "(a profile of other code, or of a binary built from other packages?)", path);
	return EXIT_OK;
}

int
cmd_hot(struct cmdctx *cx, int argc, char **argv)
{
	static const enum hot_fmt hf[] = {
		[FMT_TEXT] = HF_TEXT, [FMT_JSON] = HF_JSON, [FMT_JSONL] = HF_JSONL,
		[FMT_CSV] = HF_CSV, [FMT_MD] = HF_MD, [FMT_HTML] = HF_HTML
	};
	const char *profile = NULL, *sel = NULL, *sidx = NULL, *outpath = NULL;
	unsigned kinds = 1u << ESC_HEAP | 1u << ESC_MOVED;
	int top = -1, f = FMT_TEXT, color = -1, rc, have_ri = 0, have_h = 0;
	const struct opt opts[] = {
		OPT_STRING_REQ(0, "profile", &profile, "FILE", "the profile"),
		OPT_RUN(&sel),
		OPT_STRING(0, "sample-index", &sidx, "I",
		    "the weight: a sample type name (alloc_space, inuse_space, "
		    "inuse_objects, cpu, ...), type/unit or index; default "
		    "alloc_space, else cpu"),
		OPT_INT("top", &top, "N", 0, INT_MAX,
		    "rows per list (default 20 for text, md and html, all for "
		    "json, jsonl and csv; 0: all)"),
		OPT_KINDS(&kinds),
		OPT_FORMAT(&f, 1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | 1u << FMT_CSV |
		    1u << FMT_MD | 1u << FMT_HTML),
		OPT_OUTPUT(&outpath),
		OPT_COLOR(&color),
		OPT_END()
	};
	struct hot_render_opts ro;
	struct store *st = NULL;
	struct run_info ri;
	struct pprof p;
	struct hot h;
	int64_t run;
	FILE *fp;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc > 0)
		return opt_usage_error(&usage, opts, "unexpected argument '%s'", argv[0]);
	if ((rc = cmd_open_run(cx, sel, &st, &ri)) != EXIT_OK)
		goto out;
	have_ri = 1;
	run = ri.id;
	if ((rc = cmd_hot_load(st, run, ri.dir, profile, sidx, kinds, &p, &h)) != EXIT_OK)
		goto out;
	have_h = 1;
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	memset(&ro, 0, sizeof(ro));
	ro.run = run;
	ro.commit = ri.commit;
	ro.profile = profile;
	ro.top = top >= 0 ? (size_t)top :
	    (f == FMT_TEXT || f == FMT_MD || f == FMT_HTML) ? 20 : 0;
	ro.color = f == FMT_TEXT && cmd_want_color(fp, color);
	if (hot_render(st, &h, &ro, hf[f], fp) == HOT_EDB) {
		msg_error("%s", store_errmsg(st));
		cmd_output_close(fp, outpath);
		rc = EXIT_INTERNAL;
		goto out;
	}
	rc = cmd_output_close(fp, outpath);
out:
	if (have_h) {
		hot_release(&h);
		pprof_release(&p);
	}
	if (have_ri)
		run_info_release(&ri);
	store_close(st);
	return rc;
}
