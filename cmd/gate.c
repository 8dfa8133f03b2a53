/*
 * gate: like diff over the gated kinds, and exits 1 when HEAD has more new
 * findings than --max-new that the baseline does not accept.  Appends the
 * Markdown report to $GITHUB_STEP_SUMMARY when that is set.
 */
#include "cmd.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "../report/diff.h"
#include "../report/hot.h"

static const struct opt_usage usage = {
	"gate", NULL, NULL,
	"Compares run SEL (--base) with --head (default latest) over the gated\n"
	"kinds and exits 1 when HEAD has more than N new findings that the\n"
	"baseline does not accept, else 0.  Lists each new and fixed finding.\n",
	"With $GITHUB_STEP_SUMMARY set, the Markdown report is appended to it.\n"
};

#define GATE_FORMATS (1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | \
	1u << FMT_MD | 1u << FMT_SARIF | 1u << FMT_GITHUB | 1u << FMT_CODEQUALITY)
#define GATE_DEFAULT_KINDS (1u << ESC_HEAP | 1u << ESC_MOVED)

static char *
read_file(const char *path, size_t *n)
{
	struct sbuf sb = SBUF_INIT;

	if (sbuf_read_file(&sb, path) < 0) {
		sbuf_release(&sb);
		return NULL;
	}
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
		/* FILE:LINE:COL: for a syntax error, else FILE: */
		msg_error("gate: %s%s%s", path, isdigit((unsigned char)err[0]) ? ":" : ": ", err);
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
	const char *outpath = NULL, *bsel = NULL, *hsel = NULL, *blpath = NULL, *summ;
	const char *profile = NULL, *minshare = NULL;
	double min_share = 0.01;
	unsigned mask = GATE_DEFAULT_KINDS;
	int maxnew = 0, f = FMT_TEXT, color = -1, rc, failed, allow_partial = 0;
	const char *baserev = NULL;
	char *bsel_rev = NULL, *hsel_pin = NULL;
	const char *excl[CMD_MAX_EXCLUDE];
	struct opt_strlist exl = { excl, 0, CMD_MAX_EXCLUDE };
	int inc_ext = 0;
	const struct opt opts[] = {
		OPT_STRING(0, "base", &bsel, "SEL",
		    "the run to compare with (this or --base-rev is required)"),
		OPT_STRING(0, "base-rev", &baserev, "REV",
		    "the run of git commit REV; when the database has none, REV "
		    "is built in a temporary git worktree and stored"),
		OPT_STRING(0, "head", &hsel, "SEL", "the run under test (default latest)"),
		OPT_KINDS(&mask),
		OPT_EXCLUDE(&exl),
		OPT_INCLUDE_EXTERNAL(&inc_ext),
		OPT_INT("max-new", &maxnew, "N", 0, INT_MAX,
		    "tolerate up to N new findings (default 0)"),
		OPT_STRING(0, "baseline", &blpath, "FILE",
		    "accept the findings listed in FILE (escdb baseline)"),
		OPT_PROFILE(&profile, "fail only on new findings at lines of HEAD whose "
		    "share of this pprof profile is at least --min-share"),
		OPT_STRING(0, "min-share", &minshare, "X",
		    "a fraction (0.05) or a percentage (5%); default 1%"),
		OPT_ALLOW_PARTIAL(&allow_partial),
		OPT_FORMAT(&f, GATE_FORMATS),
		OPT_OUTPUT(&outpath),
		OPT_COLOR(&color),
		OPT_END()
	};
	struct store *st = NULL;
	struct run_info b, h;
	struct baseline bl = { NULL, 0, NULL, 0 };
	struct diff d;
	struct diff_render_opts ro;
	struct sbuf kt = SBUF_INIT;
	FILE *fp;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc > 0)
		return opt_usage_error(&usage, opts,
		    "unexpected argument '%s' (runs are --base SEL and --head SEL)", argv[0]);
	if (bsel != NULL && baserev != NULL)
		return opt_usage_error(&usage, opts, "give --base SEL or --base-rev REV, not both");
	if (bsel == NULL && baserev == NULL)
		return opt_usage_error(&usage, opts, "--base SEL (or --base-rev REV) is required");
	if (minshare && hot_parse_share(minshare, &min_share) != 0) {
		msg_error("gate: --min-share wants a fraction (0.05) or a percentage "
		    "(5%%), not '%s'", minshare);
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
	if ((rc = cmd_diff_compute(st, "gate", &b, &h, allow_partial, mask, inc_ext,
	    excl, exl.n, &d)) != EXIT_OK)
		goto out;
	if (blpath && diff_apply_baseline(st, &d, &bl) != STORE_OK) {
		rc = cmd_db_error(st);
		goto outd;
	}
	if (profile && (rc = gate_profile(st, &h, profile, min_share, &d)) != EXIT_OK)
		goto outd;
	failed = d.count[DIFF_NEW] > (size_t)maxnew;
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
	ro.color = f == FMT_TEXT && cmd_want_color(fp, color);
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
		msg_error("gate failed: %zu new %s finding%s (allowed %d)",
		    d.count[DIFF_NEW], kt.buf, plural(d.count[DIFF_NEW]), maxnew);
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
