/*
 * runs: lists the stored runs, oldest first, with their counts.
 */
#include "cmd.h"
#include "opts.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../report/format.h"

static const struct opt_usage usage = {
	"runs", NULL, NULL,
	"Lists the stored runs, oldest first: id, commit, label, date (UTC),\n"
	"Go version, goos/goarch, and the counts of findings, heap, moved,\n"
	"leak (leak, leak-result and leak-content) and packages, and a note:\n"
	"'partial' for a run stored from cut input (ingest --partial), 'shard\n"
	"K/N' for one shard of a run (run --shard), 'N shards merged' for\n"
	"their merge, 'inline' for a run built with inlining (run --inline),\n"
	"and where the Go version came from when it was not given or printed.\n"
	"JSON also gives each run's mode, flags and shard.\n",
	NULL
};

/* "YYYY-MM-DD HH:MM" (text) or RFC 3339 (iso) in UTC. */
static void
fmt_date(char *buf, size_t n, int64_t t, int iso)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, n, "@%lld", (long long)t);
		return;
	}
	strftime(buf, n, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M", &tm);
}

static int64_t
leaks(const struct run_info *ri)
{
	return ri->kinds[ESC_LEAK] + ri->kinds[ESC_LEAK_RESULT] + ri->kinds[ESC_LEAK_CONTENT];
}

static void
print_json(FILE *fp, const struct run_info *v, size_t n)
{
	struct json_stream js;
	char date[64];
	size_t i;
	int k;

	fmt_json_init();
	json_stream_begin(&js, fp, 0);
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *kinds = cJSON_CreateObject();

		fmt_json_add_int(o, "id", v[i].id);
		fmt_json_add_str(o, "commit", v[i].commit);
		fmt_json_add_str(o, "label", v[i].label);
		fmt_date(date, sizeof(date), v[i].date, 1);
		fmt_json_add_str(o, "date", date);
		fmt_json_add_str(o, "go_version", v[i].go_version);
		fmt_json_add_str(o, "goos", v[i].goos);
		fmt_json_add_str(o, "goarch", v[i].goarch);
		fmt_json_add_int(o, "findings", v[i].nfindings);
		fmt_json_add_int(o, "heap", v[i].kinds[ESC_HEAP]);
		fmt_json_add_int(o, "moved", v[i].kinds[ESC_MOVED]);
		fmt_json_add_int(o, "leak", leaks(&v[i]));
		fmt_json_add_int(o, "packages", v[i].npackages);
		for (k = 0; k < ESC_KIND_N; k++)
			fmt_json_add_int(kinds, esc_kind_name(k), v[i].kinds[k]);
		cJSON_AddItemToObject(o, "kinds", kinds);
		fmt_json_add_str(o, "source", v[i].source);
		fmt_json_add_str(o, "form", v[i].form);
		cJSON_AddBoolToObject(o, "partial", v[i].partial != 0);
		fmt_json_add_str(o, "mode", v[i].mode ? v[i].mode : "");
		fmt_json_add_str(o, "flags", v[i].flags ? v[i].flags : "");
		fmt_json_add_str(o, "shard", v[i].shard ? v[i].shard : "");
		fmt_json_add_str(o, "note", v[i].note);
		json_stream_add(&js, o);
		cJSON_Delete(o);
	}
	json_stream_end(&js);
}

static void
print_table(FILE *fp, const struct run_info *v, size_t n, int f, int color)
{
	static const char *const hdr[] = {
		"id", "commit", "label", "date", "go", "os/arch", "findings",
		"heap", "moved", "leak", "packages", "note"
	};
	static const int numcols[] = { 0, 6, 7, 8, 9, 10 };
	struct table t;
	struct sbuf note = SBUF_INIT;
	char date[64];
	size_t i, r;

	table_init(&t, sizeof(hdr) / sizeof(hdr[0]), hdr);
	for (i = 0; i < sizeof(numcols) / sizeof(numcols[0]); i++)
		table_col_flags(&t, (size_t)numcols[i], TC_NUM);
	for (i = 0; i < n; i++) {
		r = table_add_row(&t);
		table_set_int(&t, r, 0, v[i].id);
		if (f == FMT_CSV)
			table_set(&t, r, 1, v[i].commit);
		else
			table_setf(&t, r, 1, "%.12s", v[i].commit);
		table_set(&t, r, 2, v[i].label);
		fmt_date(date, sizeof(date), v[i].date, f == FMT_CSV);
		table_set(&t, r, 3, date);
		table_set(&t, r, 4, v[i].go_version);
		if (v[i].goos[0] || v[i].goarch[0])
			table_setf(&t, r, 5, "%s/%s", v[i].goos, v[i].goarch);
		table_set_int(&t, r, 6, v[i].nfindings);
		table_set_int(&t, r, 7, v[i].kinds[ESC_HEAP]);
		table_set_int(&t, r, 8, v[i].kinds[ESC_MOVED]);
		table_set_int(&t, r, 9, leaks(&v[i]));
		table_set_int(&t, r, 10, v[i].npackages);
		sbuf_reset(&note);
		if (v[i].partial)
			sbuf_adds(&note, "partial");
		if (v[i].shard && strncmp(v[i].shard, "*/", 2) == 0)
			sbuf_addf(&note, "%s%s shards merged", note.len ? "; " : "", v[i].shard + 2);
		else if (v[i].shard && v[i].shard[0])
			sbuf_addf(&note, "%sshard %s", note.len ? "; " : "", v[i].shard);
		if (v[i].mode && strcmp(v[i].mode, "inline") == 0)
			sbuf_addf(&note, "%sinline", note.len ? "; " : "");
		if (v[i].note[0])
			sbuf_addf(&note, "%s%s", note.len ? "; " : "", v[i].note);
		table_set(&t, r, 11, note.len ? note.buf : "");
	}
	table_render(&t, f == FMT_CSV ? TF_CSV : f == FMT_MD ? TF_MD : TF_TEXT, fp, color);
	table_release(&t);
	sbuf_release(&note);
}

int
cmd_runs(struct cmdctx *cx, int argc, char **argv)
{
	const char *outpath = NULL;
	int f = FMT_TEXT, color = -1, rc;
	const struct opt opts[] = {
		OPT_FORMAT(&f, 1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV | 1u << FMT_MD),
		OPT_OUTPUT(&outpath),
		OPT_COLOR(&color),
		OPT_END()
	};
	struct store *st = NULL;
	struct run_info *v = NULL;
	size_t n = 0, i;
	FILE *fp;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc > 0)
		return opt_usage_error(&usage, opts, "unexpected argument '%s'", argv[0]);
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK)
		return rc;
	if (store_runs(st, &v, &n) != STORE_OK) {
		rc = cmd_db_error(st);
		goto out;
	}
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (f == FMT_JSON)
		print_json(fp, v, n);
	else
		print_table(fp, v, n, f, cmd_want_color(fp, color));
	rc = cmd_output_close(fp, outpath);
out:
	for (i = 0; i < n; i++)
		run_info_release(&v[i]);
	free(v);
	store_close(st);
	return rc;
}
