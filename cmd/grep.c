/*
 * grep: PCRE2 search over the findings of a run (report/grep.c).
 */
#include "cmd.h"
#include "opts.h"

#include <stdlib.h>
#include <string.h>

#include "../report/grep.h"

static const struct opt_usage usage = {
	"grep", "REGEX", ".Ar REGEX",
	"Searches the findings of a run (default latest) with a PCRE2 regular\n"
	"expression, matched against the message unless --field says otherwise,\n"
	"and prints each hit as file:line:col: message.  Exits 1 when nothing\n"
	"matched.\n",
	NULL
};

static const char *const field_names[] = {
	"message", "subject", "func", "file", "package", "flow", NULL
};

int
cmd_grep(struct cmdctx *cx, int argc, char **argv)
{
	struct grep_opts o;
	const char *sel = NULL, *outpath = NULL;
	int f = FMT_TEXT, count = 0, files = 0, rc, have_ri = 0, field = 0, color = -1;
	const struct opt opts[] = {
		OPT_BOOL('i', "ignore-case", &o.icase, "match without regard to case"),
		OPT_BOOL('F', "fixed-strings", &o.fixed, "REGEX is a literal string"),
		OPT_BOOL('v', "invert-match", &o.invert, "select the findings that do not match"),
		OPT_BOOL('c', "count", &count, "print the number of matching findings only"),
		OPT_BOOL('l', "files-with-matches", &files,
		    "print the files with a match, one a line"),
		OPT_CHOICE("field", &field, field_names,
		    "match against this field (default message); flow is any "
		    "dst, src, expr or reason of the chain"),
		OPT_KINDS(&o.kinds),
		OPT_STRING(0, "pkg", &o.pkg_glob, "GLOB",
		    "only packages whose import path matches GLOB"),
		OPT_STRING(0, "file", &o.file_glob, "GLOB",
		    "only files (their paths or basenames) matching GLOB"),
		OPT_STRING(0, "func", &o.func_glob, "GLOB", "only enclosing functions matching GLOB"),
		OPT_STRING(0, "reason", &o.reason, "R",
		    "only findings with a flow step of reason R (e.g. interface-converted)"),
		OPT_RUN(&sel),
		OPT_BOOL(0, "explain", &o.explain, "print each hit's flow chain beneath it"),
		OPT_FORMAT(&f, 1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | 1u << FMT_CSV),
		OPT_OUTPUT(&outpath),
		OPT_COLOR(&color),
		OPT_END()
	};
	struct store *st = NULL;
	struct run_info ri;
	int64_t run;
	FILE *fp = NULL;
	char err[512];

	memset(&o, 0, sizeof(o));
	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	o.field = (enum grep_field)field;
	if (argc == 0)
		return opt_usage_error(&usage, opts, "missing REGEX");
	if (argc > 1)
		return opt_usage_error(&usage, opts,
		    "unexpected argument '%s' (one REGEX; the run is --run SEL)", argv[1]);
	if (count && files) {
		msg_error("grep: -c and -l cannot be used together");
		return EXIT_USAGE;
	}
	o.pattern = argv[0];
	o.out = count ? GO_COUNT : files ? GO_FILES : f == FMT_JSON ? GO_JSON :
	    f == FMT_JSONL ? GO_JSONL : f == FMT_CSV ? GO_CSV : GO_TEXT;
	if ((rc = cmd_open_run(cx, sel, &st, &ri)) != EXIT_OK)
		goto out;
	have_ri = 1;
	run = ri.id;
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (o.reason && store_str_lookup(st, o.reason) <= 1)
		msg_warn("grep: no stored flow step has reason '%s'", o.reason);
	o.color = o.out == GO_TEXT && cmd_want_color(fp, color);
	o.rundir = ri.dir;
	rc = grep_run(st, run, ri.commit, &o, fp, err, sizeof(err));
	if (rc == GREP_EREGEX || rc == GREP_EDB) {
		msg_error("grep: %s", err);
		cmd_output_close(fp, outpath);
		rc = rc == GREP_EREGEX ? EXIT_USAGE : EXIT_INTERNAL;
		goto out;
	}
	if (cmd_output_close(fp, outpath) != EXIT_OK)
		rc = EXIT_INTERNAL;
	else
		rc = rc == GREP_OK ? EXIT_OK : EXIT_FOUND;
out:
	if (have_ri)
		run_info_release(&ri);
	store_close(st);
	return rc;
}
