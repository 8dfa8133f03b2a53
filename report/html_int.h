/*
 * html_int: what report/html.c and report/html_chart.c share — the charts
 * (inline SVG, coloured through the page's CSS variables so that the dark
 * style applies to them too).  Not for callers outside report/html*.c.
 */
#ifndef ESCDB_HTML_INT_H
#define ESCDB_HTML_INT_H

#include <stdio.h>

#include "html.h"

/* The heap and moved lines per week, its legend above it (outside the
 * plot); gap weeks are shaded and the lines are drawn across them. */
void html_weekly_chart(FILE *fp, const struct trend *t);
/* One card per package of p: the full name (wrapped at '/', middle-
 * elided past 90 characters, the whole name on hover), the latest
 * heap+moved count with its change, and a sparkline drawn across gaps. */
void html_small_multiples(FILE *fp, const struct trend *p);
/* The heap, moved and leak findings of run by cause, as horizontal
 * stacked bars with their legend above.  Returns STORE_OK or STORE_EDB. */
int html_cause_chart(FILE *fp, struct store *st, int64_t run);
/* A series' change: +N, -N, +-0 or "new", coloured. */
void html_change(FILE *fp, const struct trend_series *s);
/* A package name for reading: breaks allowed after each '/', the middle
 * elided past max characters (0: never). */
void html_name(FILE *fp, const char *name, size_t max);

#endif
