/*
 * grep: PCRE2 search over the findings of a run (report/grep.c).
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../report/grep.h"

static const char usage_text[] =
	"usage: escdb grep [-iFvcl] [--field F] [--kind K[,K]] [--pkg GLOB]\n"
	"                  [--file GLOB] [--func GLOB] [--reason R] [--run SEL]\n"
	"                  [--explain] [--format text|json|jsonl|csv] [-o FILE] REGEX\n"
	"\n"
	"Searches the findings of a run (default latest) with a PCRE2 regular\n"
	"expression, matched against the message unless --field says otherwise,\n"
	"and prints each hit as file:line:col: message.  Exits 1 when nothing\n"
	"matched.\n"
	"\n"
	"  -i, --ignore-case   match without regard to case\n"
	"  -F, --fixed-strings REGEX is a literal string\n"
	"  -v, --invert-match  select the findings that do not match\n"
	"  -c, --count         print the number of matching findings only\n"
	"  -l, --files-with-matches  print the files with a match, one a line\n"
	"  --field F           message (default), subject, func, file, package\n"
	"                      or flow (any dst, src, expr or reason of the chain)\n"
	"  --kind K[,K]        only these kinds (heap, moved, leak, ...)\n"
	"  --pkg GLOB          only packages whose import path matches GLOB\n"
	"  --file GLOB         only files (or their basenames) matching GLOB\n"
	"  --func GLOB         only enclosing functions matching GLOB\n"
	"  --reason R          only findings with a flow step of reason R\n"
	"                      (e.g. interface-converted)\n"
	"  --run SEL           the run: latest, latest~N, id:N, a label or a commit\n"
	"  --explain           print each hit's flow chain beneath it\n"
	"  --format F          text (default), json, jsonl or csv\n"
	"  -o FILE             write to FILE instead of standard output\n";

static int
parse_kinds(const char *s, unsigned *out)
{
	const char *p = s;

	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int k = esc_kind_parse(p, n);
		if (k < 0) {
			msg_error("grep: unknown kind '%.*s' (use heap, moved, leak, leak-result, "
			    "leak-content, noescape, capture, note)", (int)n, p);
			return -1;
		}
		*out |= 1u << k;
		p += n;
		if (*p == ',')
			p++;
	}
	if (*out == 0) {
		msg_error("grep: --kind needs at least one kind");
		return -1;
	}
	return 0;
}

int
cmd_grep(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ignore-case", no_argument, NULL, 'i' },
		{ "fixed-strings", no_argument, NULL, 'F' },
		{ "invert-match", no_argument, NULL, 'v' },
		{ "count", no_argument, NULL, 'c' },
		{ "files-with-matches", no_argument, NULL, 'l' },
		{ "field", required_argument, NULL, 'e' },
		{ "kind", required_argument, NULL, 'k' },
		{ "pkg", required_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'P' },
		{ "func", required_argument, NULL, 'u' },
		{ "reason", required_argument, NULL, 'R' },
		{ "run", required_argument, NULL, 'r' },
		{ "explain", no_argument, NULL, 'x' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct grep_opts o;
	const char *sel = NULL, *outpath = NULL;
	struct store *st = NULL;
	struct run_info ri;
	int64_t run;
	FILE *fp = NULL;
	char err[512];
	int c, f = FMT_TEXT, count = 0, files = 0, rc, have_ri = 0;

	memset(&o, 0, sizeof(o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":iFvclo:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o.icase = 1; break;
		case 'F': o.fixed = 1; break;
		case 'v': o.invert = 1; break;
		case 'c': count = 1; break;
		case 'l': files = 1; break;
		case 'x': o.explain = 1; break;
		case 'p': o.pkg_glob = optarg; break;
		case 'P': o.file_glob = optarg; break;
		case 'u': o.func_glob = optarg; break;
		case 'R': o.reason = optarg; break;
		case 'r': sel = optarg; break;
		case 'o': outpath = optarg; break;
		case 'e':
			if ((rc = grep_field_parse(optarg)) < 0) {
				msg_error("grep: unknown field '%s' (use message, subject, func, file, "
				    "package or flow)", optarg);
				return EXIT_USAGE;
			}
			o.field = (enum grep_field)rc;
			break;
		case 'k':
			if (parse_kinds(optarg, &o.kinds) < 0)
				return EXIT_USAGE;
			break;
		case 'f':
			f = cmd_parse_format("grep", optarg, 1u << FMT_TEXT | 1u << FMT_JSON |
			    1u << FMT_JSONL | 1u << FMT_CSV);
			if (f < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cmd_bad_option("grep", usage_text, c, optind, argv);
		}
	}
	if (optind >= argc) {
		msg_error("grep: missing REGEX");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		msg_error("grep: unexpected argument '%s' (one REGEX; the run is --run SEL)", argv[optind + 1]);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (count && files) {
		msg_error("grep: -c and -l cannot be used together");
		return EXIT_USAGE;
	}
	o.pattern = argv[optind];
	o.out = count ? GO_COUNT : files ? GO_FILES : f == FMT_JSON ? GO_JSON :
	    f == FMT_JSONL ? GO_JSONL : f == FMT_CSV ? GO_CSV : GO_TEXT;
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
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (o.reason && store_str_lookup(st, o.reason) <= 1)
		msg_warn("grep: no stored flow step has reason '%s'", o.reason);
	o.color = o.out == GO_TEXT && cmd_want_color(fp);
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
