/*
 * diff: the findings new in HEAD, fixed since BASE and moved, by identity
 * key.  Also the helpers gate and baseline share (cmd_diff_*).
 */
#include "cmd.h"
#include "linemap.h"

#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "../report/diff.h"

static const struct opt_usage usage = {
	"diff", "[BASE [HEAD]]", ".Op Ar BASE Op Ar HEAD",
	"Compares run BASE (default latest~1) with run HEAD (default latest) by\n"
	"finding identity: new findings (+), fixed ones (-) and moved ones (~,\n"
	"same identity at a new position), grouped per package, then the counts.\n",
	NULL
};

#define DIFF_FORMATS (1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | \
	1u << FMT_MD | 1u << FMT_SARIF | 1u << FMT_GITHUB | 1u << FMT_CODEQUALITY)

/* A shard "K/N" of a run not merged yet ("*" "/N" is a merged one). */
static int
is_shard(const struct run_info *ri)
{
	return ri->shard[0] >= '0' && ri->shard[0] <= '9';
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
	if (store_run_get(st, bid, b) != STORE_OK)
		return cmd_db_error(st);
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
	/* an empty mode is unknown (ingested logs, runs stored before schema
	 * v2): nothing to compare */
	if (b->mode && h->mode && b->mode[0] && h->mode[0] &&
	    (strcmp(b->mode, h->mode) != 0 ||
	    strcmp(b->flags ? b->flags : "", h->flags ? h->flags : "") != 0))
		msg_warn("runs %lld and %lld were built differently (mode '%s', flags '%s' "
		    "against mode '%s', flags '%s'); the build, not the code, may explain "
		    "differences", (long long)b->id, (long long)h->id,
		    b->mode ? b->mode : "", b->flags ? b->flags : "",
		    h->mode ? h->mode : "", h->flags ? h->flags : "");
	if (is_shard(b) || is_shard(h)) {
		const struct run_info *x = is_shard(b) ? b : h;

		msg_error("run %lld is shard %s of a sharded run, not the whole run; merge "
		    "its shards first (escdb merge)", (long long)x->id, x->shard);
		run_info_release(b);
		run_info_release(h);
		return EXIT_USAGE;
	}
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
cmd_diff_compute(struct store *st, const char *cmd, const struct run_info *b,
    const struct run_info *h, int allow_partial, unsigned mask, int include_external,
    const char *const *exclude, size_t nexclude, struct diff *d)
{
	struct diff_opts dopt;
	struct linemap *lm;
	int rc;

	if ((rc = cmd_diff_partial(cmd, b, h, allow_partial)) != EXIT_OK)
		return rc;
	memset(&dopt, 0, sizeof(dopt));
	dopt.mask = mask;
	dopt.include_external = include_external;
	dopt.exclude = exclude;
	dopt.nexclude = nexclude;
	/* where BASE's lines went, from git, for findings of one text that
	 * one run has more of */
	lm = linemap_new(b, h);
	if (lm != NULL) {
		dopt.linemap = linemap_get;
		dopt.linemap_ctx = lm;
	}
	rc = diff_compute(st, b->id, h->id, &dopt, d);
	linemap_free(lm);
	if (rc != STORE_OK)
		return cmd_db_error(st);
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
	const char *outpath = NULL, *bsel = "latest~1", *hsel = NULL;
	unsigned mask = 0;
	int f = FMT_TEXT, color = -1, rc, allow_partial = 0;
	const char *excl[CMD_MAX_EXCLUDE];
	struct opt_strlist exl = { excl, 0, CMD_MAX_EXCLUDE };
	int inc_ext = 0;
	const struct opt opts[] = {
		OPT_FORMAT(&f, DIFF_FORMATS),
		OPT_KINDS(&mask),
		OPT_EXCLUDE(&exl),
		OPT_INCLUDE_EXTERNAL(&inc_ext),
		OPT_ALLOW_PARTIAL(&allow_partial),
		OPT_OUTPUT(&outpath),
		OPT_COLOR(&color),
		OPT_END()
	};
	struct store *st = NULL;
	struct run_info b, h;
	struct diff d;
	struct diff_render_opts ro;
	FILE *fp;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc > 2)
		return opt_usage_error(&usage, opts, "too many arguments");
	if (argc >= 1)
		bsel = argv[0];
	if (argc == 2)
		hsel = argv[1];
	if (mask == 0)
		mask = (1u << ESC_KIND_N) - 1;
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK)
		return rc;
	if ((rc = cmd_diff_runs(st, bsel, hsel, &b, &h)) != EXIT_OK) {
		store_close(st);
		return rc;
	}
	if ((rc = cmd_diff_compute(st, "diff", &b, &h, allow_partial, mask, inc_ext,
	    excl, exl.n, &d)) != EXIT_OK)
		goto out;
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto outd;
	}
	memset(&ro, 0, sizeof(ro));
	ro.base_commit = b.commit;
	ro.head_commit = h.commit;
	ro.title = "diff";
	ro.color = f == FMT_TEXT && cmd_want_color(fp, color);
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
