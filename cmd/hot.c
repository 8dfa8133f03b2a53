/*
 * hot: the findings of a run ranked by a pprof profile (report/hot.h),
 * and cmd_hot_load, which explain, summary and gate use for --profile.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../report/hot.h"

static const char usage_text[] =
	"usage: escdb hot --profile FILE [--run SEL] [--sample-index I] [--top N]\n"
	"                 [--kinds LIST] [--format F] [-o FILE]\n"
	"\n"
	"Joins the samples of a pprof profile (go test -memprofile or -cpuprofile,\n"
	"runtime/pprof, net/http/pprof; gzipped or not) to the findings of run SEL\n"
	"(default latest) by package, file and line, and prints the findings by\n"
	"weight, heaviest first, then the lines of the run's packages with weight\n"
	"and no finding (allocations escape analysis does not explain).  A sample\n"
	"weighs on its innermost frame in the run's packages: direct when that is\n"
	"the leaf, through a callee otherwise.\n"
	"\n"
	"  --profile FILE     the profile\n"
	"  --run SEL          the run: latest, latest~N, id:N, a label or a commit\n"
	"  --sample-index I   the weight: a sample type name (alloc_space,\n"
	"                     inuse_space, inuse_objects, cpu, ...), type/unit or\n"
	"                     index; default alloc_space, else cpu\n"
	"  --top N            rows per list (default 20 for text, md and html,\n"
	"                     all for json, jsonl and csv; 0: all)\n"
	"  --kinds LIST       kinds that take weight (default heap,moved)\n"
	"  --format F         text (default), json, jsonl, csv, md or html\n"
	"  -o FILE            write to FILE instead of standard output\n";

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
	return EXIT_OK;
}

int
cmd_hot(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "run", required_argument, NULL, 'r' },
		{ "sample-index", required_argument, NULL, 'i' },
		{ "top", required_argument, NULL, 't' },
		{ "kinds", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const enum hot_fmt hf[] = {
		[FMT_TEXT] = HF_TEXT, [FMT_JSON] = HF_JSON, [FMT_JSONL] = HF_JSONL,
		[FMT_CSV] = HF_CSV, [FMT_MD] = HF_MD, [FMT_HTML] = HF_HTML
	};
	const char *profile = NULL, *sel = NULL, *sidx = NULL, *outpath = NULL;
	struct hot_render_opts ro;
	struct store *st = NULL;
	struct run_info ri;
	struct pprof p;
	struct hot h;
	unsigned kinds = 0;
	long top = -1;
	int64_t run;
	FILE *fp;
	char *end;
	int c, f = FMT_TEXT, rc, have_ri = 0, have_h = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'r': sel = optarg; break;
		case 'i': sidx = optarg; break;
		case 'o': outpath = optarg; break;
		case 't':
			top = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || top < 0) {
				msg_error("hot: bad --top '%s' (a count, 0 for all)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'k':
			if (cmd_diff_kinds("hot", optarg, &kinds) != 0)
				return EXIT_USAGE;
			break;
		case 'f':
			f = cmd_parse_format("hot", optarg, 1u << FMT_TEXT | 1u << FMT_JSON |
			    1u << FMT_JSONL | 1u << FMT_CSV | 1u << FMT_MD | 1u << FMT_HTML);
			if (f < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_bad_option("hot", usage_text, c, optind, argv);
		}
	}
	if (optind < argc) {
		msg_error("hot: unexpected argument '%s'", argv[optind]);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (profile == NULL) {
		msg_error("hot: missing --profile FILE");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK)
		return rc;
	if ((rc = cmd_select(st, sel, &run)) != EXIT_OK)
		goto out;
	if (store_run_get(st, run, &ri) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		rc = EXIT_INTERNAL;
		goto out;
	}
	have_ri = 1;
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
	ro.color = f == FMT_TEXT && cmd_want_color(fp);
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
