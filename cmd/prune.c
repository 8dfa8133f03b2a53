/*
 * prune: retention.  Runs before the kept window of N ISO weeks (ending
 * with the newest run's week) are deleted, except the last run of each
 * week and the newest run; their packages, findings and line counts go
 * with them (ON DELETE CASCADE).  One transaction.
 */
#include "cmd.h"
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../report/trend.h"

static const struct opt_usage usage = {
	"prune", NULL, NULL,
	"Keeps every run of the N ISO weeks (UTC) ending with the newest run's\n"
	"week; of older weeks only the last run of each week.  The newest run\n"
	"is never deleted.  Prints the deleted runs.\n",
	NULL
};

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
	int rc, dry = 0, vacuum = 0, keep = 0;
	const struct opt opts[] = {
		OPT_INT_REQ("keep-weeks", &keep, "N", 1, 100000, "weeks kept whole (N >= 1)"),
		OPT_BOOL(0, "dry-run", &dry, "print what would be deleted, delete nothing"),
		OPT_BOOL(0, "vacuum", &vacuum, "VACUUM the database afterwards to give space back"),
		OPT_END()
	};
	struct store *st = NULL;
	struct run_info *runs = NULL;
	size_t n = 0, i;
	unsigned long ndel = 0;
	int64_t lastweek, cutoff;
	sqlite3_stmt *del = NULL;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc > 0)
		return opt_usage_error(&usage, opts, "unexpected argument '%s'", argv[0]);
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
	fprintf(stderr, "escdb: prune: %lu of %zu run%s %s\n", ndel, n, plural(n), dry ? "would be deleted" : "deleted");
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
