/*
 * diff: the findings new in HEAD, fixed since BASE and moved, by identity
 * key.  Also the helpers gate and baseline share (cmd_diff_*).
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../report/diff.h"

static const char usage_text[] =
	"usage: escdb diff [--format F] [--kinds LIST] [--exclude GLOB]...\n"
	"                  [--include-external] [--allow-partial] [-o FILE]\n"
	"                  BASE [HEAD]\n"
	"\n"
	"Compares run BASE with run HEAD (default latest) by finding identity:\n"
	"new findings (+), fixed ones (-) and moved ones (~, same identity at a\n"
	"new position), grouped per package, then the counts.\n"
	"\n"
	"  --format F     text (default), json, jsonl, md, sarif, github or\n"
	"                 codequality (GitLab)\n"
	"  --kinds LIST   comma-separated kinds to compare (default all): heap,\n"
	"                 moved, leak, leak-result, leak-content, noescape,\n"
	"                 capture, note\n"
	"  --allow-partial  compare a run stored from cut input (refused otherwise)\n"
	"  --exclude GLOB leave out findings whose path (from the repository root\n"
	"                 or the run's directory) matches GLOB; repeatable\n"
	"  --include-external  also compare findings in files under GOROOT or the\n"
	"                 module cache (left out by default)\n"
	"  -o FILE        write to FILE instead of standard output\n";

#define DIFF_FORMATS (1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | \
	1u << FMT_MD | 1u << FMT_SARIF | 1u << FMT_GITHUB | 1u << FMT_CODEQUALITY)

int
cmd_diff_kinds(const char *cmd, const char *list, unsigned *mask)
{
	char bad[64];

	if (diff_parse_kinds(list, mask, bad, sizeof(bad)) == 0)
		return EXIT_OK;
	msg_error("%s: unknown kind '%s' (use heap, moved, leak, leak-result, "
	    "leak-content, noescape, capture, note or all)", cmd, bad);
	return EXIT_USAGE;
}

int
cmd_diff_runs(struct store *st, const char *bsel, const char *hsel,
    struct run_info *b, struct run_info *h)
{
	int64_t bid, hid;
	int rc;

	if ((rc = cmd_select(st, bsel, &bid)) != EXIT_OK ||
	    (rc = cmd_select(st, hsel, &hid)) != EXIT_OK)
		return rc;
	if (store_run_get(st, bid, b) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		return EXIT_INTERNAL;
	}
	if (store_run_get(st, hid, h) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		run_info_release(b);
		return EXIT_INTERNAL;
	}
	if (b->go_version[0] && h->go_version[0] && strcmp(b->go_version, h->go_version) != 0)
		msg_warn("runs %lld and %lld were built with %s and %s; the compiler, "
		    "not the code, may explain differences", (long long)b->id,
		    (long long)h->id, b->go_version, h->go_version);
	if (b->goos[0] && h->goos[0] && b->goarch[0] && h->goarch[0] &&
	    (strcmp(b->goos, h->goos) != 0 || strcmp(b->goarch, h->goarch) != 0))
		msg_warn("runs %lld and %lld were built for %s/%s and %s/%s; the "
		    "compiler, not the code, may explain differences", (long long)b->id,
		    (long long)h->id, b->goos, b->goarch, h->goos, h->goarch);
	if (strcmp(b->mode ? b->mode : "", h->mode ? h->mode : "") != 0 ||
	    strcmp(b->flags ? b->flags : "", h->flags ? h->flags : "") != 0)
		msg_warn("runs %lld and %lld were built differently (mode '%s', flags '%s' "
		    "against mode '%s', flags '%s'); the build, not the code, may explain "
		    "differences", (long long)b->id, (long long)h->id,
		    b->mode ? b->mode : "", b->flags ? b->flags : "",
		    h->mode ? h->mode : "", h->flags ? h->flags : "");
	return EXIT_OK;
}

int
cmd_diff_partial(const char *cmd, const struct run_info *b, const struct run_info *h,
    int allow)
{
	const struct run_info *v[2] = { b, h };
	int i;

	for (i = 0; i < 2; i++) {
		if (!v[i]->partial || (i == 1 && v[1]->id == v[0]->id))
			continue;
		if (!allow) {
			msg_error("%s: run %lld is partial (stored from cut input); "
			    "--allow-partial compares it anyway", cmd, (long long)v[i]->id);
			return EXIT_USAGE;
		}
		msg_warn("%s: run %lld is partial (stored from cut input); findings "
		    "it lacks may show as fixed", cmd, (long long)v[i]->id);
	}
	return EXIT_OK;
}

int
cmd_diff_render(struct store *st, const struct diff *d, const struct diff_render_opts *o,
    int f, FILE *fp)
{
	switch (f) {
	case FMT_JSON:
		return diff_render_json(st, d, o, fp, 0);
	case FMT_JSONL:
		return diff_render_json(st, d, o, fp, 1);
	case FMT_MD:
		return diff_render_md(st, d, o, fp);
	case FMT_SARIF:
		return diff_render_sarif(st, d, o, fp);
	case FMT_GITHUB:
		return diff_render_github(st, d, o, fp);
	case FMT_CODEQUALITY:
		return diff_render_codequality(st, d, o, fp);
	default:
		return diff_render_text(st, d, o, fp);
	}
}

int
cmd_diff(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "kinds", required_argument, NULL, 'k' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "include-external", no_argument, NULL, 'X' },
		{ "output", required_argument, NULL, 'o' },
		{ "allow-partial", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL, *bsel, *hsel = NULL;
	int allow_partial = 0;
	unsigned mask = (1u << ESC_KIND_N) - 1;
	struct store *st = NULL;
	struct run_info b, h;
	struct diff d;
	struct diff_opts dopt;
	const char *excl[CMD_MAX_EXCLUDE];
	size_t nexcl = 0;
	int inc_ext = 0;
	struct diff_render_opts ro;
	FILE *fp;
	int c, f = FMT_TEXT, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((f = cmd_parse_format("diff", optarg, DIFF_FORMATS)) < 0)
				return EXIT_USAGE;
			break;
		case 'x':
			if (nexcl == CMD_MAX_EXCLUDE) {
				msg_error("%s: at most %d --exclude", "diff", CMD_MAX_EXCLUDE);
				return EXIT_USAGE;
			}
			excl[nexcl++] = optarg;
			break;
		case 'X':
			inc_ext = 1;
			break;
		case 'k':
			if ((rc = cmd_diff_kinds("diff", optarg, &mask)) != EXIT_OK)
				return rc;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'P':
			allow_partial = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_bad_option("diff", usage_text, c, optind, argv);
		}
	}
	if (optind >= argc || argc - optind > 2) {
		msg_error(optind >= argc ? "diff: missing BASE" : "diff: too many arguments");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	bsel = argv[optind];
	if (argc - optind == 2)
		hsel = argv[optind + 1];
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK)
		return rc;
	if ((rc = cmd_diff_runs(st, bsel, hsel, &b, &h)) != EXIT_OK) {
		store_close(st);
		return rc;
	}
	if ((rc = cmd_diff_partial("diff", &b, &h, allow_partial)) != EXIT_OK)
		goto out;
	memset(&dopt, 0, sizeof(dopt));
	dopt.mask = mask;
	dopt.include_external = inc_ext;
	dopt.exclude = excl;
	dopt.nexclude = nexcl;
	if (diff_compute(st, b.id, h.id, &dopt, &d) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		rc = EXIT_INTERNAL;
		goto out;
	}
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto outd;
	}
	memset(&ro, 0, sizeof(ro));
	ro.base_commit = b.commit;
	ro.head_commit = h.commit;
	ro.title = "diff";
	ro.color = f == FMT_TEXT && cmd_want_color(fp);
	ro.show_moved = 1;
	if (cmd_diff_render(st, &d, &ro, f, fp) != 0 && !ferror(fp)) {
		msg_error("%s", store_errmsg(st));
		cmd_output_close(fp, outpath);
		rc = EXIT_INTERNAL;
		goto outd;
	}
	rc = cmd_output_close(fp, outpath);
outd:
	diff_release(&d);
out:
	run_info_release(&b);
	run_info_release(&h);
	store_close(st);
	return rc;
}
