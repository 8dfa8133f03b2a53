/*
 * trend: see trend.h.  The runs come from store_runs (oldest first, so
 * the last run seen for a week is its last by date, then id); package
 * counts are one GROUP BY per weekly run.
 */
#include "trend.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int64_t
trend_week_monday(int64_t t)
{
	int64_t day = floordiv(t, 86400);
	int64_t wd = ((day + 3) % 7 + 7) % 7;   /* 1970-01-01 was a Thursday; Monday = 0 */

	return day - wd;
}

void
trend_week_label(int64_t monday, char *buf, size_t n)
{
	time_t th = (time_t)((monday + 3) * 86400);     /* the week's Thursday */
	struct tm tm;

	gmtime_r(&th, &tm);
	snprintf(buf, n, "%04u-W%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_yday / 7 + 1) % 100u);
}

static void
series_init(struct trend_series *s, const char *name, size_t nw)
{
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->v = xcalloc(nw ? nw : 1, sizeof(*s->v));
	s->has = xcalloc(nw ? nw : 1, 1);
}

static void
series_change(struct trend_series *s, size_t nw)
{
	size_t i, last = nw, prev = nw;

	for (i = nw; i-- > 0;)
		if (s->has[i]) {
			if (last == nw)
				last = i;
			else {
				prev = i;
				break;
			}
		}
	s->has_change = last != nw && prev != nw;
	s->change = s->has_change ? s->v[last] - s->v[prev] : 0;
}

static int64_t
abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static int
cmp_top(const void *a, const void *b)
{
	const struct trend_series *x = a, *y = b;
	int64_t ax = abs64(x->change), ay = abs64(y->change);

	if (ax != ay)
		return ax > ay ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
package_series(struct store *st, struct trend *t, int top)
{
	sqlite3_stmt *s;
	size_t i, j, cap = 0;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT p.name, (SELECT count(*) FROM finding f WHERE f.run = p.run AND "
	    "f.pkg = p.name AND f.kind IN (?2, ?3)) FROM package p WHERE p.run = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "counting packages");
	for (i = 0; i < t->nw; i++) {
		if (t->w[i].run == 0)
			continue;
		sqlite3_bind_int64(s, 1, t->w[i].run);
		sqlite3_bind_int(s, 2, ESC_HEAP);
		sqlite3_bind_int(s, 3, ESC_MOVED);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *name = store_str(st, sqlite3_column_int64(s, 0));
			for (j = 0; j < t->ns; j++)
				if (strcmp(t->s[j].name, name) == 0)
					break;
			if (j == t->ns) {
				if (t->ns == cap) {
					cap = cap ? cap * 2 : 32;
					t->s = xreallocarray(t->s, cap, sizeof(*t->s));
				}
				series_init(&t->s[t->ns++], name, t->nw);
			}
			t->s[j].v[i] = sqlite3_column_int64(s, 1);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "counting packages");
	/* a package missing from a week's run has no findings that week */
	for (j = 0; j < t->ns; j++) {
		for (i = 0; i < t->nw; i++)
			t->s[j].has[i] = t->w[i].run != 0;
		series_change(&t->s[j], t->nw);
	}
	qsort(t->s, t->ns, sizeof(*t->s), cmp_top);
	if (top >= 0 && t->ns > (size_t)top) {
		for (j = (size_t)top; j < t->ns; j++) {
			free(t->s[j].name);
			free(t->s[j].v);
			free(t->s[j].has);
		}
		t->ns = (size_t)top;
	}
	return STORE_OK;
}

int
trend_build(struct store *st, int weeks, enum trend_by by, int top, struct trend *t)
{
	struct run_info *runs;
	size_t n, i, k;
	int64_t first, last;
	int rc;

	memset(t, 0, sizeof(*t));
	t->by = by;
	if ((rc = store_runs(st, &runs, &n)) != STORE_OK)
		return rc;
	if (n == 0) {
		free(runs);
		return STORE_OK;
	}
	last = trend_week_monday(runs[n - 1].date);
	first = trend_week_monday(runs[0].date);
	/* dates are not monotonic in id; store_runs sorts by date */
	if (weeks < 1)
		weeks = 1;
	if (first < last - 7 * (int64_t)(weeks - 1))
		first = last - 7 * (int64_t)(weeks - 1);
	t->nw = (size_t)((last - first) / 7 + 1);
	t->w = xcalloc(t->nw, sizeof(*t->w));
	for (i = 0; i < t->nw; i++) {
		t->w[i].monday = first + 7 * (int64_t)i;
		trend_week_label(t->w[i].monday, t->w[i].label, sizeof(t->w[i].label));
	}
	for (i = 0; i < n; i++) {
		int64_t m = trend_week_monday(runs[i].date);
		struct trend_week *w;
		if (m < first)
			continue;
		w = &t->w[(m - first) / 7];
		free(w->commit);
		free(w->runlabel);
		w->run = runs[i].id;
		w->date = runs[i].date;
		w->commit = xstrdup(runs[i].commit);
		w->runlabel = xstrdup(runs[i].label);
		w->total = 0;
		for (k = 0; k < ESC_KIND_N; k++) {
			w->kinds[k] = runs[i].kinds[k];
			w->total += runs[i].kinds[k];
		}
	}
	for (i = 0; i < n; i++)
		run_info_release(&runs[i]);
	free(runs);
	if (by == TREND_BY_PACKAGE)
		return package_series(st, t, top);
	t->ns = ESC_KIND_N + 1;
	t->s = xcalloc(t->ns, sizeof(*t->s));
	for (k = 0; k <= ESC_KIND_N; k++) {
		struct trend_series *s = &t->s[k];
		series_init(s, k < ESC_KIND_N ? esc_kind_name((enum esc_kind)k) : "total", t->nw);
		for (i = 0; i < t->nw; i++) {
			s->has[i] = t->w[i].run != 0;
			s->v[i] = k < ESC_KIND_N ? t->w[i].kinds[k] : t->w[i].total;
		}
		series_change(s, t->nw);
	}
	return STORE_OK;
}

void
trend_release(struct trend *t)
{
	size_t i;

	for (i = 0; i < t->nw; i++) {
		free(t->w[i].commit);
		free(t->w[i].runlabel);
	}
	for (i = 0; i < t->ns; i++) {
		free(t->s[i].name);
		free(t->s[i].v);
		free(t->s[i].has);
	}
	free(t->w);
	free(t->s);
	memset(t, 0, sizeof(*t));
}

void
trend_sparkline(const struct trend_series *s, size_t nw, struct sbuf *out)
{
	static const char *const bars[8] = {
		"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"
	};
	int64_t lo = 0, hi = 0;
	size_t i;
	int any = 0;

	for (i = 0; i < nw; i++)
		if (s->has[i]) {
			if (!any || s->v[i] < lo)
				lo = s->v[i];
			if (!any || s->v[i] > hi)
				hi = s->v[i];
			any = 1;
		}
	for (i = 0; i < nw; i++) {
		if (!s->has[i])
			sbuf_addc(out, ' ');
		else if (hi == lo)
			sbuf_adds(out, bars[hi == 0 ? 0 : 3]);
		else
			sbuf_adds(out, bars[(int)((s->v[i] - lo) * 7 / (hi - lo))]);
	}
}

static const char *
by_name(const struct trend *t)
{
	return t->by == TREND_BY_PACKAGE ? "package" : "kind";
}

static void
change_text(const struct trend_series *s, char *buf, size_t n)
{
	if (!s->has_change)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%+lld", (long long)s->change);
	if (s->has_change && s->change == 0)
		snprintf(buf, n, "0");
}

/* One cell's text: a count, "-" for a gap. */
static void
cell_text(const struct trend_series *s, size_t i, char *buf, size_t n)
{
	if (s->has[i])
		snprintf(buf, n, "%lld", (long long)s->v[i]);
	else
		snprintf(buf, n, "-");
}

static int
render_table(FILE *fp, const struct trend *t, int md)
{
	size_t namew = strlen(by_name(t)), i, j, cw = 8;
	char buf[64];
	struct sbuf sp = SBUF_INIT;

	for (j = 0; j < t->ns; j++)
		if (fmt_text_width(t->s[j].name) > namew)
			namew = fmt_text_width(t->s[j].name);
	if (md) {
		fprintf(fp, "| %s |", by_name(t));
		for (i = 0; i < t->nw; i++)
			fprintf(fp, " %s |", t->w[i].label);
		fputs(" change | trend |\n|---|", fp);
		for (i = 0; i < t->nw; i++)
			fputs("--:|", fp);
		fputs("--:|---|\n| run |", fp);
		for (i = 0; i < t->nw; i++)
			if (t->w[i].run)
				fprintf(fp, " %lld |", (long long)t->w[i].run);
			else
				fputs(" - |", fp);
		fputs(" | |\n", fp);
		for (j = 0; j < t->ns; j++) {
			fputs("| ", fp);
			fmt_md_cell(fp, t->s[j].name);
			fputs(" |", fp);
			for (i = 0; i < t->nw; i++) {
				cell_text(&t->s[j], i, buf, sizeof(buf));
				fprintf(fp, " %s |", buf);
			}
			change_text(&t->s[j], buf, sizeof(buf));
			sbuf_reset(&sp);
			trend_sparkline(&t->s[j], t->nw, &sp);
			fprintf(fp, " %s | `%s` |\n", buf, sp.buf ? sp.buf : "");
		}
		sbuf_release(&sp);
		return ferror(fp) ? -1 : 0;
	}
	fmt_text_pad(fp, by_name(t), namew, 0);
	for (i = 0; i < t->nw; i++) {
		fputs("  ", fp);
		fmt_text_pad(fp, t->w[i].label, cw, 1);
	}
	fputs("  change  trend\n", fp);
	fmt_text_pad(fp, "run", namew, 0);
	for (i = 0; i < t->nw; i++) {
		if (t->w[i].run)
			snprintf(buf, sizeof(buf), "%lld", (long long)t->w[i].run);
		else
			snprintf(buf, sizeof(buf), "-");
		fputs("  ", fp);
		fmt_text_pad(fp, buf, cw, 1);
	}
	fputc('\n', fp);
	for (j = 0; j < t->ns; j++) {
		fmt_text_pad(fp, t->s[j].name, namew, 0);
		for (i = 0; i < t->nw; i++) {
			cell_text(&t->s[j], i, buf, sizeof(buf));
			fputs("  ", fp);
			fmt_text_pad(fp, buf, cw, 1);
		}
		change_text(&t->s[j], buf, sizeof(buf));
		fputs("  ", fp);
		fmt_text_pad(fp, buf, 6, 1);
		sbuf_reset(&sp);
		trend_sparkline(&t->s[j], t->nw, &sp);
		fprintf(fp, "  %s\n", sp.buf ? sp.buf : "");
	}
	sbuf_release(&sp);
	return ferror(fp) ? -1 : 0;
}

static int
render_csv(FILE *fp, const struct trend *t)
{
	size_t i, j;
	char buf[64];

	fmt_csv_field(fp, by_name(t));
	for (i = 0; i < t->nw; i++) {
		fputc(',', fp);
		fmt_csv_field(fp, t->w[i].label);
	}
	fputs(",change\n", fp);
	for (j = 0; j < t->ns; j++) {
		fmt_csv_field(fp, t->s[j].name);
		for (i = 0; i < t->nw; i++) {
			fputc(',', fp);
			if (t->s[j].has[i])
				fprintf(fp, "%lld", (long long)t->s[j].v[i]);
		}
		fputc(',', fp);
		if (t->s[j].has_change) {
			snprintf(buf, sizeof(buf), "%lld", (long long)t->s[j].change);
			fputs(buf, fp);
		}
		fputc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}

static int
render_json(FILE *fp, const struct trend *t)
{
	cJSON *o, *weeks, *series;
	size_t i, j;
	char date[32], start[16];

	fmt_json_init();
	o = cJSON_CreateObject();
	fmt_json_add_str(o, "by", by_name(t));
	weeks = cJSON_CreateArray();
	for (i = 0; i < t->nw; i++) {
		cJSON *w = cJSON_CreateObject();
		time_t th = (time_t)(t->w[i].monday * 86400);
		struct tm tm;
		gmtime_r(&th, &tm);
		strftime(start, sizeof(start), "%Y-%m-%d", &tm);
		fmt_json_add_str(w, "week", t->w[i].label);
		fmt_json_add_str(w, "start", start);
		if (t->w[i].run) {
			th = (time_t)t->w[i].date;
			gmtime_r(&th, &tm);
			strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
			fmt_json_add_int(w, "run", t->w[i].run);
			fmt_json_add_str(w, "commit", t->w[i].commit);
			fmt_json_add_str(w, "label", t->w[i].runlabel);
			fmt_json_add_str(w, "date", date);
		} else
			cJSON_AddNullToObject(w, "run");
		cJSON_AddItemToArray(weeks, w);
	}
	cJSON_AddItemToObject(o, "weeks", weeks);
	series = cJSON_CreateArray();
	for (j = 0; j < t->ns; j++) {
		cJSON *s = cJSON_CreateObject(), *v = cJSON_CreateArray();
		fmt_json_add_str(s, "name", t->s[j].name);
		for (i = 0; i < t->nw; i++)
			cJSON_AddItemToArray(v, t->s[j].has[i] ?
			    cJSON_CreateNumber((double)t->s[j].v[i]) : cJSON_CreateNull());
		cJSON_AddItemToObject(s, "values", v);
		if (t->s[j].has_change)
			fmt_json_add_int(s, "change", t->s[j].change);
		else
			cJSON_AddNullToObject(s, "change");
		cJSON_AddItemToArray(series, s);
	}
	cJSON_AddItemToObject(o, "series", series);
	fmt_json_print(fp, o, 1);
	fputc('\n', fp);
	cJSON_Delete(o);
	return ferror(fp) ? -1 : 0;
}

int
trend_render(FILE *fp, const struct trend *t, enum trend_fmt f)
{
	if (t->nw == 0 && f != TRF_JSON)
		return 0;       /* no runs: nothing to tabulate */
	switch (f) {
	case TRF_JSON:
		return render_json(fp, t);
	case TRF_CSV:
		return render_csv(fp, t);
	case TRF_MD:
		return render_table(fp, t, 1);
	default:
		return render_table(fp, t, 0);
	}
}
