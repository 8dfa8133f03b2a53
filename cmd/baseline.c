/*
 * baseline: writes the findings of a run that a gate should accept, as
 * JSON with one entry per identity key and an empty "reason" for people
 * to fill in.
 */
#include "cmd.h"

#include <string.h>

#include "opts.h"
#include "../report/diff.h"

static const struct opt_usage usage = {
	"baseline", "[SEL]", ".Op Ar SEL",
	"Writes the findings of run SEL (default latest; also --run SEL) of the\n"
	"given kinds (default heap,moved, the gate's default) as a baseline for\n"
	"'escdb gate --baseline FILE': a JSON object whose \"findings\" array\n"
	"holds one entry per identity key (key, package, file, func, kind,\n"
	"message, reason).  Fill in \"reason\" to say why a finding is\n"
	"accepted; the gate only reads \"key\".\n",
	NULL
};

int
cmd_baseline(struct cmdctx *cx, int argc, char **argv)
{
	const char *outpath = NULL, *sel = NULL;
	unsigned mask = 1u << ESC_HEAP | 1u << ESC_MOVED;
	const struct opt opts[] = {
		OPT_RUN(&sel),
		OPT_KINDS(&mask),
		OPT_OUTPUT(&outpath),
		OPT_END()
	};
	struct store *st = NULL;
	struct run_info ri;
	int64_t run;
	FILE *fp;
	int rc;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc > 1 || (argc == 1 && sel != NULL))
		return opt_usage_error(&usage, opts, "too many arguments");
	if (argc == 1)
		sel = argv[0];
	if ((rc = cmd_open_run(cx, sel, &st, &ri)) != EXIT_OK)
		return rc;
	run = ri.id;
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
