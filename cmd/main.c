/*
 * main: option parsing for the global options, the subcommand table and
 * the shared helpers of every command (messages, database, outputs).
 */
#include "cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/util.h"

#define ESCDB_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(struct cmdctx *, int, char **);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "build Go packages with escape diagnostics and store a run" },
	{ "ingest", cmd_ingest, "store a run from saved compiler output" },
	{ "runs", cmd_runs, "list the stored runs" },
	{ "summary", cmd_summary, "count findings per package, file, func, kind, reason or cause" },
	{ "export", cmd_export, "print every finding of a run" },
#include "commands.inc"
	{ NULL, NULL, NULL }
};

static void
usage(FILE *fp)
{
	const struct command *c;

	fputs("usage: escdb [--db PATH] COMMAND [OPTIONS] [ARGS]\n\ncommands:\n", fp);
	for (c = commands; c->name; c++)
		fprintf(fp, "  %-9s %s\n", c->name, c->summary);
	fputs("\n'escdb COMMAND --help' describes a command; man escdb has it all.\n", fp);
}

static void
vmsg(const char *kind, const char *fmt, va_list ap)
{
	fputs("escdb: ", stderr);
	if (kind)
		fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
msg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void
msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void
msg_warn_at(const char *file, unsigned long line, const char *text)
{
	if (line)
		fprintf(stderr, "escdb: %s:%lu: warning: %s\n", file, line, text);
	else
		fprintf(stderr, "escdb: %s: warning: %s\n", file, text);
}

int
cmd_open_store(struct cmdctx *cx, int flags, struct store **out)
{
	char err[512];
	int rc = store_open(cx->dbpath, flags, out, err, sizeof(err));

	if (rc == STORE_OK)
		return EXIT_OK;
	msg_error("%s", err);
	return rc == STORE_EDB ? EXIT_INTERNAL : EXIT_USAGE;
}

int
cmd_select(struct store *st, const char *sel, int64_t *id)
{
	struct sbuf cands = SBUF_INIT;
	int rc = store_select(st, sel ? sel : "latest", id, &cands);

	if (rc == STORE_OK) {
		sbuf_release(&cands);
		return EXIT_OK;
	}
	if (rc == STORE_EDB) {
		msg_error("%s", store_errmsg(st));
		sbuf_release(&cands);
		return EXIT_INTERNAL;
	}
	if (rc == STORE_EAMBIGUOUS)
		msg_error("run selector '%s' is ambiguous; candidates, oldest first:", sel);
	else if (rc == STORE_EUSAGE)
		msg_error("%s", store_errmsg(st));
	else {
		/* A bare number is no selector (a commit prefix needs more
		 * digits): the user meant a run id, which is id:N. */
		char hint[64] = "";
		if (sel != NULL && *sel && strlen(sel) < 20 &&
		    strspn(sel, "0123456789") == strlen(sel))
			snprintf(hint, sizeof(hint), " (a run id is written id:%s)", sel);
		msg_error("no run matches '%s'%s%s", sel ? sel : "latest", hint,
		    cands.len ? "; stored runs, oldest first:" : " (the database has no runs)");
	}
	if (cands.len)
		fputs(cands.buf, stderr);
	sbuf_release(&cands);
	return EXIT_USAGE;
}

int
cmd_open_run(struct cmdctx *cx, const char *sel, struct store **st, struct run_info *ri)
{
	int64_t id;
	int rc;

	*st = NULL;
	if ((rc = cmd_open_store(cx, STORE_RDONLY, st)) != EXIT_OK)
		return rc;
	if ((rc = cmd_select(*st, sel, &id)) == EXIT_OK && store_run_get(*st, id, ri) != STORE_OK)
		rc = cmd_db_error(*st);
	if (rc != EXIT_OK) {
		store_close(*st);
		*st = NULL;
	}
	return rc;
}

int
cmd_db_error(struct store *st)
{
	msg_error("%s", store_errmsg(st));
	return EXIT_INTERNAL;
}

FILE *
cmd_output(const char *path)
{
	FILE *fp;

	if (path == NULL || strcmp(path, "-") == 0)
		return stdout;
	fp = fopen(path, "w");
	if (fp == NULL)
		msg_error("cannot write %s: %s", path, strerror(errno));
	return fp;
}

int
cmd_output_close(FILE *fp, const char *path)
{
	int bad;

	if (fp == NULL)
		return EXIT_OK;
	bad = fflush(fp) != 0 || ferror(fp);
	if (fp != stdout)
		bad |= fclose(fp) != 0;
	if (bad) {
		msg_error("write error on %s: %s", fp == stdout ? "standard output" : path,
		    strerror(errno ? errno : EIO));
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

int
cmd_want_color(FILE *fp, int when)
{
	const char *nc = getenv("NO_COLOR");

	if (when >= 0)
		return when;
	if (nc != NULL && nc[0] != '\0')
		return 0;
	return isatty(fileno(fp));
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
cmd_parse_date(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh = 0, om = 0;
	const char *p;
	int64_t t;

	if (s[0] == '@') {
		char *end;
		long long v;
		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || *end || end == s + 1)
			return -1;
		*out = v;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		int k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2)
			return -1;
		p += 1 + k;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &k) != 1)
				return -1;
			p += 1 + k;
		}
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2)
			return -1;
		oh *= sign;
		om *= sign;
		p += 1 + k;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= oh * 3600 + om * 60;
	*out = t;
	return 0;
}

int
main(int argc, char **argv)
{
	struct cmdctx cx;
	const struct command *c;
	int i = 1, rc;

	/* Freed memory stays with the process for the next package: without
	 * this glibc gives a buffer above 128 KiB (a source file's tokens, a
	 * package's blocks) back to the kernel when freed, and each new one
	 * costs page faults and zeroed pages; a tenth of ingest's time. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	memset(&cx, 0, sizeof(cx));
	cx.argv0 = argv[0];
	cx.dbpath = getenv("ESCDB_DB");
	if (cx.dbpath == NULL || cx.dbpath[0] == '\0')
		cx.dbpath = "escdb.db";
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			cx.dbpath = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			cx.dbpath = argv[i] + 5;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return cmd_output_close(stdout, NULL);
		} else if (strcmp(argv[i], "--synopsis") == 0) {
			/* the man page's synopsis of every command (man/assemble.sh) */
			char *sargv[] = { NULL, "--synopsis", NULL };
			for (c = commands; c->name; c++) {
				sargv[0] = (char *)c->name;
				c->fn(&cx, 2, sargv);
			}
			return cmd_output_close(stdout, NULL);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("escdb %s\n", ESCDB_VERSION);
			return cmd_output_close(stdout, NULL);
		} else {
			msg_error("unknown option '%s'", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[i]) == 0)
			break;
	if (c->name == NULL) {
		msg_error("unknown command '%s'", argv[i]);
		usage(stderr);
		return EXIT_USAGE;
	}
	rc = c->fn(&cx, argc - i, argv + i);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_error("write error on standard output: %s", strerror(errno ? errno : EIO));
		if (rc == EXIT_OK)
			rc = EXIT_INTERNAL;
	}
	return rc;
}
