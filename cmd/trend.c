/*
 * trend: per ISO week the last run of the week, its counts per kind or
 * per package and the change from the previous week (report/trend.c);
 * --format html draws the page of report/html.c.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../report/html.h"
#include "../report/trend.h"

static const char usage_text[] =
	"usage: escdb trend [--weeks N] [--by package|kind] [--top K]\n"
	"                   [--format text|md|json|csv|html] [-o FILE]\n"
	"\n"
	"Per ISO week (UTC, weeks start on Monday) the last run of the week:\n"
	"counts per kind, or heap+moved per package for the K packages that\n"
	"changed most, and the change from the previous week with data.  A\n"
	"week without runs is a gap.\n"
	"\n"
	"  --weeks N     the N weeks ending with the newest run's week (default 12)\n"
	"  --by KEY      kind (default) or package\n"
	"  --top K       packages shown with --by package and in html (default 10)\n"
	"  --format F    text (default), md, json, csv or html\n"
	"  -o FILE       write to FILE instead of standard output\n";

static int
parse_count(const char *opt, const char *s, int min, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > 100000) {
		msg_error("trend: %s takes a number of at least %d, not '%s'", opt, min, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int
cmd_trend(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "weeks", required_argument, NULL, 'w' },
		{ "by", required_argument, NULL, 'b' },
		{ "top", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL;
	int c, f = FMT_TEXT, weeks = 12, top = 10, rc, wr;
	enum trend_by by = TREND_BY_KIND;
	struct store *st = NULL;
	struct trend tk, tp;
	FILE *fp;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (parse_count("--weeks", optarg, 1, &weeks) < 0)
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_count("--top", optarg, 0, &top) < 0)
				return EXIT_USAGE;
			break;
		case 'b':
			if (strcmp(optarg, "kind") == 0)
				by = TREND_BY_KIND;
			else if (strcmp(optarg, "package") == 0)
				by = TREND_BY_PACKAGE;
			else {
				msg_error("trend: unknown --by '%s' (use kind, package)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			f = cmd_parse_format("trend", optarg, 1u << FMT_TEXT | 1u << FMT_JSON |
			    1u << FMT_CSV | 1u << FMT_MD | 1u << FMT_HTML);
			if (f < 0)
				return EXIT_USAGE;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_bad_option("trend", usage_text, c, optind, argv);
		}
	}
	if (optind < argc) {
		msg_error("trend: unexpected argument '%s'", argv[optind]);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
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
		msg_error("%s", store_errmsg(st));
		rc = EXIT_INTERNAL;
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
		wr = html_trend(fp, st, &tk, &tp);
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
