/*
 * baseline: writes the findings of a run that a gate should accept, as
 * JSON with one entry per identity key and an empty "reason" for people
 * to fill in.
 */
#include "cmd.h"

#include <getopt.h>
#include <string.h>

#include "../report/diff.h"

static const char usage_text[] =
	"usage: escdb baseline [--kinds LIST] [-o FILE] [SEL]\n"
	"\n"
	"Writes the findings of run SEL (default latest) of the given kinds as\n"
	"a baseline for 'escdb gate --baseline FILE': a JSON object whose\n"
	"\"findings\" array holds one entry per identity key (key, package,\n"
	"file, func, kind, message, reason).  Fill in \"reason\" to say why a\n"
	"finding is accepted; the gate only reads \"key\".\n"
	"\n"
	"  --kinds LIST   kinds to accept (default heap,moved, the gate's default;\n"
	"                 also leak, leak-result, leak-content, ..., all)\n"
	"  -o FILE        write to FILE instead of standard output\n";

int
cmd_baseline(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kinds", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL, *sel = NULL;
	unsigned mask = 1u << ESC_HEAP | 1u << ESC_MOVED;
	struct store *st = NULL;
	struct run_info ri;
	int64_t run;
	FILE *fp;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if ((rc = cmd_diff_kinds("baseline", optarg, &mask)) != EXIT_OK)
				return rc;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_bad_option("baseline", usage_text, c, optind, argv);
		}
	}
	if (argc - optind > 1) {
		msg_error("baseline: too many arguments");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (optind < argc)
		sel = argv[optind];
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK)
		return rc;
	if ((rc = cmd_select(st, sel, &run)) != EXIT_OK) {
		store_close(st);
		return rc;
	}
	if (store_run_get(st, run, &ri) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		store_close(st);
		return EXIT_INTERNAL;
	}
	if ((fp = cmd_output(outpath)) == NULL)
		rc = EXIT_USAGE;
	else if (baseline_write(st, run, ri.commit, mask, fp) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		cmd_output_close(fp, outpath);
		rc = EXIT_INTERNAL;
	} else
		rc = cmd_output_close(fp, outpath);
	run_info_release(&ri);
	store_close(st);
	return rc;
}
