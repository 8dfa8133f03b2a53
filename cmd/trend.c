/*
 * trend: per ISO week the last run of the week, its counts per kind or
 * per package and the change from the previous week (report/trend.c);
 * --format html draws the page of report/html.c.
 */
#include "cmd.h"
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../report/html.h"
#include "../report/trend.h"

static const struct opt_usage usage = {
	"trend", NULL, NULL,
	"Per ISO week (UTC, weeks start on Monday) the last run of the week:\n"
	"counts per kind, or heap+moved per package for the K packages that\n"
	"changed most, and the change from the previous week with data.  A\n"
	"week without runs is a gap.\n",
	NULL
};

static const char *const by_names[] = { "kind", "package", NULL };

int
cmd_trend(struct cmdctx *cx, int argc, char **argv)
{
	const char *outpath = NULL;
	struct html_opts hopts = { NULL };
	int f = FMT_TEXT, weeks = 12, top = 10, rc, wr, by = TREND_BY_KIND;
	const struct opt opts[] = {
		OPT_INT("weeks", &weeks, "N", 1, 100000,
		    "the N weeks ending with the newest run's week (default 12)"),
		OPT_CHOICE("by", &by, by_names, "kind (default) or package"),
		OPT_INT("top", &top, "K", 0, 100000,
		    "packages shown with --by package and in html (default 10)"),
		OPT_FORMAT(&f, 1u << FMT_TEXT | 1u << FMT_MD | 1u << FMT_JSON | 1u << FMT_CSV |
		    1u << FMT_HTML),
		OPT_STRING(0, "link-base", &hopts.link_base, "URL",
		    "html: positions link to URL + the path from the repository "
		    "root, {commit} replaced by the run's commit "
		    "(https://github.com/ORG/REPO/blob/{commit}/); default: a link "
		    "relative to the page (written at the repository root)"),
		OPT_OUTPUT(&outpath),
		OPT_END()
	};
	struct store *st = NULL;
	struct trend tk, tp;
	FILE *fp;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc > 0)
		return opt_usage_error(&usage, opts, "unexpected argument '%s'", argv[0]);
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK)
		return rc;
	memset(&tk, 0, sizeof(tk));
	memset(&tp, 0, sizeof(tp));
	if (f == FMT_HTML) {
		rc = trend_build(st, weeks, TREND_BY_KIND, top, &tk);
		if (rc == STORE_OK)
			rc = trend_build(st, weeks, TREND_BY_PACKAGE, top, &tp);
	} else
		rc = trend_build(st, weeks, by, top, &tk);
	if (rc != STORE_OK) {
		rc = cmd_db_error(st);
		goto out;
	}
	if (tk.nw == 0 && f != FMT_HTML)
		msg_warn("the database has no runs");
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	switch (f) {
	case FMT_HTML:
		wr = html_trend(fp, st, &tk, &tp, &hopts);
		break;
	case FMT_JSON:
		wr = trend_render(fp, &tk, TRF_JSON);
		break;
	case FMT_CSV:
		wr = trend_render(fp, &tk, TRF_CSV);
		break;
	case FMT_MD:
		wr = trend_render(fp, &tk, TRF_MD);
		break;
	default:
		wr = trend_render(fp, &tk, TRF_TEXT);
		break;
	}
	if (wr > 0) {
		msg_error("%s", store_errmsg(st));
		if (fp != stdout)
			fclose(fp);
		rc = EXIT_INTERNAL;
		goto out;
	}
	rc = cmd_output_close(fp, outpath);
out:
	trend_release(&tk);
	trend_release(&tp);
	store_close(st);
	return rc;
}
