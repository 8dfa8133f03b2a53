/*
 * html: self-contained HTML pages (inline CSS and SVG, no scripts, no
 * fonts or anything else fetched from elsewhere) for trend and summary.
 * Every text that came from the compiler or the database is escaped.
 * Writes to the caller's FILE * only.  Callers: cmd/trend.c, cmd/summary.c.
 */
#ifndef ESCDB_HTML_H
#define ESCDB_HTML_H

#include <stdio.h>

#include "../store/store.h"
#include "format.h"
#include "trend.h"

/* Writes s with & < > " ' as entities (NULL writes nothing). */
void html_escape(FILE *fp, const char *s);

/* The trend page: a line chart of heap and moved per week (kinds must be
 * built by kind), small multiples of the packages in pkgs, the findings of
 * the newest weekly run by cause, the new heap and moved findings between
 * the last two weekly runs (positions linked as o says; o may be NULL),
 * and the per-package summary of the newest weekly run.  Returns 0, STORE_EDB (message in
 * store_errmsg) or -1 on a write error. */
struct html_opts {
	/* Positions link to link_base + the path from the repository root
	 * + "#LN", with every "{commit}" in link_base replaced by the run's
	 * commit (e.g. https://github.com/ORG/REPO/blob/{commit}/); NULL:
	 * the path alone, a link relative to the page (written at the
	 * repository root).  Files outside the module get no link. */
	const char *link_base;
};
int html_trend(FILE *fp, struct store *st, const struct trend *kinds, const struct trend *pkgs,
    const struct html_opts *o);

/* The summary page of run ri: table t (from cmd/summary.c) with a bar in
 * every numeric cell, scaled to its column's largest value; total rows
 * go in the table's footer.  Returns 0 or -1 on a write error. */
int html_summary(FILE *fp, const struct run_info *ri, const struct table *t);
/* html_summary with a second table under heading after it (summary
 * --profile: the ten heaviest findings); top NULL: none. */
int html_summary_top(FILE *fp, const struct run_info *ri, const struct table *t,
    const char *heading, const struct table *top);

/* A page of tables: the title (h1), a subtitle line (may be NULL), then
 * each table under its heading (h2; NULL for none) with bars as in
 * html_summary.  Returns 0 or -1 on a write error.  Caller: report/hot.c. */
int html_tables(FILE *fp, const char *title, const char *sub, const char *const *headings,
    const struct table *const *tables, size_t n);

#endif
