/*
 * prune: retention.  Runs before the kept window of N ISO weeks (ending
 * with the newest run's week) are deleted, except the last run of each
 * week and the newest run; their packages, findings and line counts go
 * with them (ON DELETE CASCADE).  One transaction.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../report/trend.h"

static const char usage_text[] =
	"usage: escdb prune --keep-weeks N [--dry-run] [--vacuum]\n"
	"\n"
	"Keeps every run of the N ISO weeks (UTC) ending with the newest run's\n"
	"week; of older weeks only the last run of each week.  The newest run\n"
	"is never deleted.  Prints the deleted runs.\n"
	"\n"
	"  --keep-weeks N  weeks kept whole (N >= 1)\n"
	"  --dry-run       print what would be deleted, delete nothing\n"
	"  --vacuum        VACUUM the database afterwards to give space back\n";

static int
exec_sql(struct store *st, const char *sql)
{
	if (sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, sql);
	return STORE_OK;
}

int
cmd_prune(struct cmdctx *cx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keep-weeks", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "vacuum", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st = NULL;
	struct run_info *runs = NULL;
	size_t n = 0, i;
	int c, rc, dry = 0, vacuum = 0, keep = 0;
	unsigned long ndel = 0;
	int64_t lastweek, cutoff;
	sqlite3_stmt *del = NULL;
	char *end;
	long v;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > 100000) {
				msg_error("prune: --keep-weeks takes a number of at least 1, not '%s'", optarg);
				return EXIT_USAGE;
			}
			keep = (int)v;
			break;
		case 'n':
			dry = 1;
			break;
		case 'v':
			vacuum = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case ':':
			msg_error("prune: option '%s' needs a value", argv[optind - 1]);
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		default:
			msg_error("prune: unknown option '%.*s'", (int)strcspn(argv[optind - 1], "="),
			    argv[optind - 1]);
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		msg_error("prune: unexpected argument '%s'", argv[optind]);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (keep == 0) {
		msg_error("prune: --keep-weeks N is required");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if ((rc = cmd_open_store(cx, dry ? STORE_RDONLY : 0, &st)) != EXIT_OK)
		return rc;
	if (!dry && exec_sql(st, "BEGIN IMMEDIATE") != STORE_OK)
		goto dbfail;
	if (store_runs(st, &runs, &n) != STORE_OK)
		goto dbfail;
	if (n == 0)
		goto done;
	lastweek = trend_week_monday(runs[n - 1].date);
	cutoff = lastweek - 7 * (int64_t)(keep - 1);   /* Monday of the oldest kept week */
	if (!dry && sqlite3_prepare_v2(store_db(st), "DELETE FROM run WHERE id = ?", -1, &del, NULL) != SQLITE_OK)
		goto dbfail;
	/* runs are oldest first: a run is its week's last when the next run
	 * is in a later week */
	for (i = 0; i + 1 < n; i++) {
		int64_t w = trend_week_monday(runs[i].date);
		char when[32], label[16];
		time_t t = (time_t)runs[i].date;
		struct tm tm;

		if (w >= cutoff || trend_week_monday(runs[i + 1].date) != w)
			continue;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		trend_week_label(w, label, sizeof(label));
		printf("%s id:%lld  %.12s  %s  %s  %s\n", dry ? "would delete" : "deleted",
		    (long long)runs[i].id, runs[i].commit[0] ? runs[i].commit : "-", when, label,
		    runs[i].label);
		ndel++;
		if (dry)
			continue;
		sqlite3_bind_int64(del, 1, runs[i].id);
		if (sqlite3_step(del) != SQLITE_DONE) {
			sqlite3_reset(del);
			goto dbfail;
		}
		sqlite3_reset(del);
	}
	sqlite3_finalize(del);
	del = NULL;
	if (!dry && exec_sql(st, "COMMIT") != STORE_OK)
		goto dbfail;
	if (!dry && vacuum && exec_sql(st, "VACUUM") != STORE_OK)
		goto dbfail;
done:
	fprintf(stderr, "escdb: prune: %lu of %zu runs %s\n", ndel, n, dry ? "would be deleted" : "deleted");
	for (i = 0; i < n; i++)
		run_info_release(&runs[i]);
	free(runs);
	store_close(st);
	return EXIT_OK;
dbfail:
	msg_error("prune: %s", store_errmsg(st));
	sqlite3_finalize(del);
	if (!dry)
		sqlite3_exec(store_db(st), "ROLLBACK", NULL, NULL, NULL);
	for (i = 0; i < n; i++)
		run_info_release(&runs[i]);
	free(runs);
	store_close(st);
	return EXIT_INTERNAL;
}
