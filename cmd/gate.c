/*
 * gate: like diff over the gated kinds, and exits 1 when HEAD has more new
 * findings than --max-new that the baseline does not accept.  Appends the
 * Markdown report to $GITHUB_STEP_SUMMARY when that is set.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../report/diff.h"
#include "../report/hot.h"

static const char usage_text[] =
	"usage: escdb gate --base SEL | --base-rev REV [--head SEL] [--kinds LIST]\n"
	"                  [--max-new N] [--baseline FILE] [--exclude GLOB]...\n"
	"                  [--include-external] [--allow-partial] [--format F]\n"
	"                  [-o FILE]\n"
	"\n"
	"Compares run SEL (--base) with --head (default latest) over the gated\n"
	"kinds and exits 1 when HEAD has more than N new findings that the\n"
	"baseline does not accept, else 0.  Lists each new and fixed finding.\n"
	"\n"
	"  --base SEL       the run to compare with (this or --base-rev is required)\n"
	"  --base-rev REV   the run of git commit REV; when the database has none,\n"
	"                   REV is built in a temporary git worktree and stored\n"
	"  --head SEL       the run under test (default latest)\n"
	"  --kinds LIST     the gated kinds (default heap,moved; also leak,\n"
	"                   leak-result, leak-content, noescape, capture, note, all)\n"
	"  --max-new N      tolerate up to N new findings (default 0)\n"
	"  --baseline FILE  accept the findings listed in FILE (escdb baseline)\n"
	"  --profile FILE   fail only on new findings at lines of HEAD whose share\n"
	"                   of this pprof profile is at least --min-share\n"
	"  --min-share X    a fraction (0.05) or a percentage (5%%); default 1%%\n"
	"  --allow-partial  compare a run stored from cut input (refused otherwise)\n"
	"  --exclude GLOB   leave out findings whose path (from the repository root\n"
	"                   or the run's directory) matches GLOB; repeatable\n"
	"  --include-external  also gate findings in files under GOROOT or the\n"
	"                   module cache (left out by default)\n"
	"  --format F       text (default), json, jsonl, md, sarif, github or\n"
	"                   codequality (GitLab)\n"
	"  -o FILE          write to FILE instead of standard output\n"
	"\n"
	"With $GITHUB_STEP_SUMMARY set, the Markdown report is appended to it.\n";

#define GATE_FORMATS (1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | \
	1u << FMT_MD | 1u << FMT_SARIF | 1u << FMT_GITHUB | 1u << FMT_CODEQUALITY)
#define GATE_DEFAULT_KINDS (1u << ESC_HEAP | 1u << ESC_MOVED)

static char *
read_file(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[8192];
	size_t k;

	if (fp == NULL)
		return NULL;
	while ((k = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, k);
	if (ferror(fp)) {
		fclose(fp);
		sbuf_release(&sb);
		return NULL;
	}
	fclose(fp);
	*n = sb.len;
	return sbuf_detach(&sb);
}

static int
load_baseline(const char *path, struct baseline *bl)
{
	char err[256];
	size_t n = 0;
	char *text = read_file(path, &n);

	if (text == NULL) {
		msg_error("gate: cannot read %s: %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (baseline_parse(text, bl, err, sizeof(err)) != 0) {
		msg_error("gate: %s: %s", path, err);
		free(text);
		return EXIT_USAGE;
	}
	free(text);
	return EXIT_OK;
}

static void
kinds_text(unsigned mask, struct sbuf *out)
{
	int k;

	for (k = 0; k < ESC_KIND_N; k++)
		if (mask & (1u << k)) {
			if (out->len)
				sbuf_addc(out, ',');
			sbuf_adds(out, esc_kind_name((enum esc_kind)k));
		}
}

/* --profile: leaves out the new findings on lines colder than min_share. */
static int
gate_profile(struct store *st, const struct run_info *h, const char *path, double min_share,
    struct diff *d)
{
	struct pprof p;
	struct hot hj;
	size_t n;
	int rc;

	if ((rc = cmd_hot_load(st, h->id, h->dir, path, NULL, 0, &p, &hj)) != EXIT_OK)
		return rc;
	if ((n = hot_filter_diff(st, d, &hj, min_share)) > 0)
		msg_warn("gate: %zu new finding%s on lines below %g%% of %s left out (--min-share)",
		    n, n == 1 ? "" : "s", 100 * min_share, path);
	hot_release(&hj);
	pprof_release(&p);
	return EXIT_OK;
}

int
cmd_gate(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "head", required_argument, NULL, 'H' },
		{ "kinds", required_argument, NULL, 'k' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "include-external", no_argument, NULL, 'X' },
		{ "max-new", required_argument, NULL, 'm' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "profile", required_argument, NULL, 'p' },
		{ "min-share", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "allow-partial", no_argument, NULL, 'P' },
		{ "base-rev", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL, *bsel = NULL, *hsel = NULL, *blpath = NULL, *summ;
	const char *profile = NULL, *minshare = NULL;
	double min_share = 0.01;
	unsigned mask = GATE_DEFAULT_KINDS;
	unsigned long long maxnew = 0;
	struct store *st = NULL;
	struct run_info b, h;
	struct baseline bl = { NULL, 0, NULL, 0 };
	struct diff d;
	struct diff_opts dopt;
	const char *excl[CMD_MAX_EXCLUDE];
	size_t nexcl = 0;
	int inc_ext = 0;
	struct diff_render_opts ro;
	struct sbuf kt = SBUF_INIT;
	FILE *fp;
	char *end;
	int c, f = FMT_TEXT, rc, failed, allow_partial = 0;
	const char *baserev = NULL;
	char *bsel_rev = NULL, *hsel_pin = NULL;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bsel = optarg;
			break;
		case 'H':
			hsel = optarg;
			break;
		case 'x':
			if (nexcl == CMD_MAX_EXCLUDE) {
				msg_error("%s: at most %d --exclude", "gate", CMD_MAX_EXCLUDE);
				return EXIT_USAGE;
			}
			excl[nexcl++] = optarg;
			break;
		case 'X':
			inc_ext = 1;
			break;
		case 'k':
			if ((rc = cmd_diff_kinds("gate", optarg, &mask)) != EXIT_OK)
				return rc;
			break;
		case 'm':
			errno = 0;
			maxnew = strtoull(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-') {
				msg_error("gate: --max-new wants a count, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'B':
			blpath = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		case 's':
			minshare = optarg;
			if (hot_parse_share(optarg, &min_share) != 0) {
				msg_error("gate: --min-share wants a fraction (0.05) or a percentage "
				    "(5%%), not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if ((f = cmd_parse_format("gate", optarg, GATE_FORMATS)) < 0)
				return EXIT_USAGE;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'P':
			allow_partial = 1;
			break;
		case 'R':
			baserev = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_bad_option("gate", usage_text, c, optind, argv);
		}
	}
	if (optind < argc) {
		msg_error("gate: unexpected argument '%s' (runs are --base SEL and --head SEL)",
		    argv[optind]);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (bsel != NULL && baserev != NULL) {
		msg_error("gate: give --base SEL or --base-rev REV, not both");
		return EXIT_USAGE;
	}
	if (bsel == NULL && baserev == NULL) {
		msg_error("gate: --base SEL (or --base-rev REV) is required");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (minshare && profile == NULL) {
		msg_error("gate: --min-share needs --profile FILE");
		return EXIT_USAGE;
	}
	if (blpath && (rc = load_baseline(blpath, &bl)) != EXIT_OK)
		return rc;
	if (baserev != NULL) {
		rc = cmd_gate_base_rev(cx, baserev, &bsel_rev, hsel ? NULL : &hsel_pin);
		if (rc != EXIT_OK) {
			free(hsel_pin);
			baseline_release(&bl);
			return rc;
		}
		bsel = bsel_rev;
		if (hsel_pin != NULL)
			hsel = hsel_pin;
	}
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK) {
		free(bsel_rev);
		free(hsel_pin);
		baseline_release(&bl);
		return rc;
	}
	if ((rc = cmd_diff_runs(st, bsel, hsel, &b, &h)) != EXIT_OK) {
		store_close(st);
		free(bsel_rev);
		free(hsel_pin);
		baseline_release(&bl);
		return rc;
	}
	if ((rc = cmd_diff_partial("gate", &b, &h, allow_partial)) != EXIT_OK)
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
	if (blpath && diff_apply_baseline(st, &d, &bl) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		rc = EXIT_INTERNAL;
		goto outd;
	}
	if (profile && (rc = gate_profile(st, &h, profile, min_share, &d)) != EXIT_OK)
		goto outd;
	failed = d.count[DIFF_NEW] > maxnew;
	memset(&ro, 0, sizeof(ro));
	ro.base_commit = b.commit;
	ro.head_commit = h.commit;
	ro.title = "gate";
	ro.gate = 1;
	ro.gated = mask;
	ro.max_new = (size_t)maxnew;
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto outd;
	}
	ro.color = f == FMT_TEXT && cmd_want_color(fp);
	if (cmd_diff_render(st, &d, &ro, f, fp) != 0 && !ferror(fp)) {
		msg_error("%s", store_errmsg(st));
		cmd_output_close(fp, outpath);
		rc = EXIT_INTERNAL;
		goto outd;
	}
	if ((rc = cmd_output_close(fp, outpath)) != EXIT_OK)
		goto outd;
	summ = getenv("GITHUB_STEP_SUMMARY");
	if (summ && *summ) {
		FILE *sf = fopen(summ, "a");
		if (sf == NULL)
			msg_warn("cannot append to $GITHUB_STEP_SUMMARY %s: %s", summ, strerror(errno));
		else {
			ro.color = 0;
			diff_render_md(st, &d, &ro, sf);
			if (fclose(sf) != 0)
				msg_warn("write error on %s: %s", summ, strerror(errno));
		}
	}
	kinds_text(mask, &kt);
	if (failed) {
		msg_error("gate failed: %zu new %s finding%s (allowed %llu)",
		    d.count[DIFF_NEW], kt.buf, d.count[DIFF_NEW] == 1 ? "" : "s", maxnew);
		rc = EXIT_FOUND;
	}
outd:
	diff_release(&d);
out:
	sbuf_release(&kt);
	run_info_release(&b);
	run_info_release(&h);
	store_close(st);
	baseline_release(&bl);
	free(bsel_rev);
	free(hsel_pin);
	return rc;
}
