/*
 * export: every finding of a run, streamed one at a time as JSON lines
 * (default), one JSON array, or CSV.  Never holds the whole output.
 */
#include "cmd.h"
#include "opts.h"

#include <stdlib.h>
#include <string.h>

#include "../report/finding_json.h"
#include "../report/format.h"
#include "../store/cause.h"

static const struct opt_usage usage = {
	"export", NULL, NULL,
	"Prints every finding of run SEL (default latest) in (package, file,\n"
	"line, col) order: one JSON object a line (jsonl, the default), one\n"
	"JSON array (json), or CSV with the columns run, commit, package, file,\n"
	"line, col, func, kind, subject, detail, message, cause, key, flows.\n",
	NULL
};

int
cmd_export(struct cmdctx *cx, int argc, char **argv)
{
	const char *outpath = NULL, *sel = NULL;
	int f = FMT_JSONL, rc, n, have_ri = 0;
	const struct opt opts[] = {
		OPT_RUN(&sel),
		OPT_FORMAT(&f, 1u << FMT_JSONL | 1u << FMT_JSON | 1u << FMT_CSV),
		OPT_OUTPUT(&outpath),
		OPT_END()
	};
	struct store *st = NULL;
	struct finding_iter *it = NULL;
	struct finding_rec r;
	struct run_info ri;
	struct arena scratch = ARENA_INIT;
	struct sbuf flows = SBUF_INIT;
	struct json_stream js;
	int64_t run;
	FILE *fp = NULL;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc > 0)
		return opt_usage_error(&usage, opts,
		    "unexpected argument '%s' (the run is --run SEL)", argv[0]);
	if ((rc = cmd_open_run(cx, sel, &st, &ri)) != EXIT_OK)
		goto out;
	have_ri = 1;
	run = ri.id;
	if (finding_iter_new(st, run, NULL, &it) != STORE_OK) {
		rc = cmd_db_error(st);
		goto out;
	}
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (f == FMT_CSV)
		finding_csv_header(fp);
	else
		json_stream_begin(&js, fp, f == FMT_JSONL);
	while ((n = finding_iter_next(it, &r)) == 1) {
		if (f == FMT_CSV)
			finding_csv_row(fp, st, &r, ri.commit, &scratch, &flows);
		else {
			cJSON *o = finding_to_json(st, &r, ri.commit, &scratch);
			json_stream_add(&js, o);
			cJSON_Delete(o);
		}
		arena_reset(&scratch);
		if (ferror(fp))
			break;
	}
	if (f != FMT_CSV)
		json_stream_end(&js);
	if (n < 0) {
		msg_error("%s", store_errmsg(st));
		cmd_output_close(fp, outpath);
		rc = EXIT_INTERNAL;
		goto out;
	}
	rc = cmd_output_close(fp, outpath);
out:
	finding_iter_free(it);
	if (have_ri)
		run_info_release(&ri);
	arena_release(&scratch);
	sbuf_release(&flows);
	store_close(st);
	return rc;
}
