/*
 * trend: per ISO week (UTC, Monday 00:00 starts a week) the last run of
 * the week by date (ties by id), its counts per kind and per package, and
 * the change from the previous week; rendered as text (with sparklines),
 * md, json or csv.  report/html.c draws the same data as a page.  Prints
 * nothing but to the caller's FILE *.  Callers: cmd/trend.c, report/html.c.
 */
#ifndef ESCDB_TREND_H
#define ESCDB_TREND_H

#include <stdio.h>
#include <stdint.h>

#include "../store/store.h"

/* Week arithmetic on Unix seconds (UTC). */
/* The day number (days since 1970-01-01) of the Monday of t's week. */
int64_t trend_week_monday(int64_t t);
/* "2026-W03" for the week starting at day number monday (buf >= 16). */
void trend_week_label(int64_t monday, char *buf, size_t n);

struct trend_week {
	int64_t monday;         /* day number of the week's Monday */
	char label[16];         /* "2026-W03" */
	int64_t run;            /* 0: no run that week (a gap) */
	int64_t date;
	char *commit, *runlabel;
	int64_t kinds[ESC_KIND_N];
	int64_t total;
};

/* A row: one kind, the total, or one package; values per week. */
struct trend_series {
	char *name;
	int64_t *v;             /* per week; meaningful where has[i] */
	unsigned char *has;
	int64_t change;         /* latest week with data minus the one before */
	int has_change;
};

enum trend_by { TREND_BY_KIND, TREND_BY_PACKAGE };

struct trend {
	enum trend_by by;
	struct trend_week *w;
	size_t nw;
	struct trend_series *s;
	size_t ns;
};

/* Builds the trend over the last `weeks` ISO weeks that end with the week
 * of the newest run (never before the first run's week); for packages the
 * top `top` by absolute change (ties by name).  Caller releases with
 * trend_release.  An empty database gives nw == 0. */
int trend_build(struct store *st, int weeks, enum trend_by by, int top, struct trend *out);
void trend_release(struct trend *t);

enum trend_fmt { TRF_TEXT, TRF_MD, TRF_JSON, TRF_CSV };
/* Writes t; returns 0, or -1 on a write error. */
int trend_render(FILE *fp, const struct trend *t, enum trend_fmt f);

/* The sparkline of a series (UTF-8, a space for a gap) into buf. */
void trend_sparkline(const struct trend_series *s, size_t nw, struct sbuf *out);

#endif
