/*
 * export: every finding of a run, streamed one at a time as JSON lines
 * (default), one JSON array, or CSV.  Never holds the whole output.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../report/finding_json.h"
#include "../report/format.h"
#include "../store/cause.h"

static const char usage_text[] =
	"usage: escdb export [--run SEL] [--format jsonl|json|csv] [-o FILE]\n"
	"\n"
	"Prints every finding of run SEL (default latest) in (package, file,\n"
	"line, col) order: one JSON object a line (jsonl, the default), one\n"
	"JSON array (json), or CSV with the columns run, commit, package, file,\n"
	"line, col, func, kind, subject, detail, message, cause, key, flows.\n"
	"\n"
	"  --run SEL    the run: latest, latest~N, id:N, a label or a commit\n"
	"  --format F   jsonl (default), json or csv\n"
	"  -o FILE      write to FILE instead of standard output\n";

int
cmd_export(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL, *sel = NULL;
	struct store *st = NULL;
	struct finding_iter *it = NULL;
	struct finding_rec r;
	struct run_info ri;
	struct arena scratch = ARENA_INIT;
	struct sbuf flows = SBUF_INIT;
	struct json_stream js;
	int64_t run;
	FILE *fp = NULL;
	int c, f = FMT_JSONL, rc, n, have_ri = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			sel = optarg;
			break;
		case 'f':
			f = cmd_parse_format("export", optarg,
			    1u << FMT_JSONL | 1u << FMT_JSON | 1u << FMT_CSV);
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
			return cmd_bad_option("export", usage_text, c, optind, argv);
		}
	}
	if (optind < argc) {
		msg_error("export: unexpected argument '%s' (the run is --run SEL)", argv[optind]);
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
	if (finding_iter_new(st, run, NULL, &it) != STORE_OK) {
		msg_error("%s", store_errmsg(st));
		rc = EXIT_INTERNAL;
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
