/*
 * html_chart: the SVG charts of the trend page (see html_int.h).  Fixed
 * geometry; colours are presentation attributes overridden by classes
 * whose CSS uses the page's variables (light and dark).
 */
#include "html_int.h"

#include <stdlib.h>
#include <string.h>

#include "../store/cause.h"

/* A round step for about four ticks up to max. */
static int64_t
nice_step(int64_t max)
{
	int64_t step = 1, m = max / 4 + 1;

	while (step < m) {
		if (step * 2 >= m)
			return step * 2;
		if (step * 5 >= m)
			return step * 5;
		step *= 10;
	}
	return step;
}

void
html_name(FILE *fp, const char *name, size_t max)
{
	size_t n = strlen(name), i, head = n, tail = n;
	char c[2] = { 0, 0 };

	if (max > 10 && n > max) {
		head = max * 2 / 5;
		tail = n - (max - head - 1);
	}
	for (i = 0; i < n; i++) {
		if (i == head) {
			fputs("&#8230;<wbr>", fp);
			i = tail - 1;
			continue;
		}
		c[0] = name[i];
		html_escape(fp, c);
		if (name[i] == '/')
			fputs("<wbr>", fp);
	}
}

/* ---- lines ---- */

static double
px(size_t i, size_t nw, double x0, double w)
{
	return nw <= 1 ? x0 + w / 2 : x0 + (double)i * w / (double)(nw - 1);
}

/*
 * One path through every week that has a value, drawn across the weeks
 * without one (a gap has no run, not a zero).  A single value is a short
 * tick, so every path draws something.  With dots, a circle per value
 * with its count in a <title>.
 */
static void
chart_line(FILE *fp, const struct trend_series *s, size_t nw, int64_t ymax,
    double x0, double y0, double w, double h, const char *cls, const char *color, int dots)
{
	size_t i, npts = 0;
	double lx = 0, ly = 0;

	for (i = 0; i < nw; i++)
		npts += s->has[i] != 0;
	if (npts == 0)
		return;
	fprintf(fp, "<path class=\"ln %s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" "
	    "stroke-linejoin=\"round\" d=\"", cls, color, dots ? "2.5" : "1.8");
	npts = 0;
	for (i = 0; i < nw; i++) {
		double x, y;
		if (!s->has[i])
			continue;
		x = px(i, nw, x0, w);
		y = y0 + h - (ymax ? (double)s->v[i] * h / (double)ymax : 0);
		fprintf(fp, "%s%.1f %.1f ", npts ? "L" : "M", x, y);
		lx = x;
		ly = y;
		npts++;
	}
	if (npts == 1)
		fprintf(fp, "M%.1f %.1f L%.1f %.1f", lx - 4, ly, lx + 4, ly);
	fputs("\"/>\n", fp);
	for (i = 0; i < nw; i++) {
		double x, y;
		if (!s->has[i])
			continue;
		x = px(i, nw, x0, w);
		y = y0 + h - (ymax ? (double)s->v[i] * h / (double)ymax : 0);
		if (dots) {
			fprintf(fp, "<circle class=\"pt %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
			    "fill=\"%s\"><title>", cls, x, y, color);
			html_escape(fp, s->name);
			fprintf(fp, " %lld</title></circle>\n", (long long)s->v[i]);
		} else if (i + 1 == nw || npts == 1) {
			/* the last value stands out */
			fprintf(fp, "<circle class=\"pt %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
			    cls, x, y, color);
		}
	}
}

/* ---- the weekly chart ---- */

#define CW 1000
#define CH 280
#define ML 56
#define MR 20
#define MT 12
#define MB 56

static void
legend(FILE *fp, const char *const *cls, const char *const *text, size_t n)
{
	size_t i;

	fputs("<div class=\"legend\">", fp);
	for (i = 0; i < n; i++) {
		fprintf(fp, "<span><i class=\"sw %s\"></i>", cls[i]);
		html_escape(fp, text[i]);
		fputs("</span>", fp);
	}
	fputs("</div>\n", fp);
}

void
html_weekly_chart(FILE *fp, const struct trend *t)
{
	static const char *const cls[] = { "s-heap", "s-moved", "s-gap" };
	static const char *const text[] = { "heap (escapes to heap)",
	    "moved (moved to heap)", "week without a run" };
	const struct trend_series *heap = &t->s[ESC_HEAP], *moved = &t->s[ESC_MOVED];
	int64_t ymax = 0, step, y;
	size_t i, ngap = 0;
	double pw = CW - ML - MR, ph = CH - MT - MB;
	double slot = t->nw > 1 ? pw / (double)(t->nw - 1) : pw;

	for (i = 0; i < t->nw; i++) {
		if (heap->has[i] && heap->v[i] > ymax)
			ymax = heap->v[i];
		if (moved->has[i] && moved->v[i] > ymax)
			ymax = moved->v[i];
		ngap += t->w[i].run == 0;
	}
	step = nice_step(ymax);
	ymax = (ymax / step + 1) * step;
	legend(fp, cls, text, ngap ? 3 : 2);
	fprintf(fp, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"heap and moved findings per week\" "
	    "font-family=\"system-ui,sans-serif\" font-size=\"11\">\n", CW, CH, CW, CH);
	for (i = 0; i < t->nw; i++) {
		double x = px(i, t->nw, ML, pw), x1 = x - slot / 2, x2 = x + slot / 2;
		if (t->w[i].run)
			continue;
		if (x1 < ML)
			x1 = ML;
		if (x2 > CW - MR)
			x2 = CW - MR;
		fprintf(fp, "<rect class=\"gap\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.0f\" "
		    "fill=\"#f1f3f6\"><title>", x1, MT, x2 - x1, ph);
		html_escape(fp, t->w[i].label);
		fputs(": no run</title></rect>\n", fp);
	}
	for (y = 0; y <= ymax; y += step) {
		double py = MT + ph - (double)y * ph / (double)ymax;
		fprintf(fp, "<line class=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
		    y ? "gl" : "ax", ML, CW - MR, py, py, y ? "#eceff4" : "#8a93a3");
		fprintf(fp, "<text class=\"tx\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#5b6475\">%lld</text>\n",
		    ML - 6, py + 4, (long long)y);
	}
	fprintf(fp, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%.0f\" stroke=\"#8a93a3\"/>\n",
	    ML, ML, MT, MT + ph);
	for (i = 0; i < t->nw; i++) {
		double x = px(i, t->nw, ML, pw);
		fprintf(fp, "<line class=\"ax\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#8a93a3\"/>\n",
		    x, x, MT + ph, MT + ph + 5);
		fprintf(fp, "<text class=\"%s\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"end\" fill=\"%s\" "
		    "transform=\"rotate(-35 %.1f %.0f)\">", t->w[i].run ? "tx" : "tx0", x, MT + ph + 16,
		    t->w[i].run ? "#5b6475" : "#b0b7c3", x, MT + ph + 16);
		html_escape(fp, t->w[i].label);
		fputs("</text>\n", fp);
	}
	fprintf(fp, "<text class=\"tx\" x=\"14\" y=\"%.0f\" transform=\"rotate(-90 14 %.0f)\" "
	    "text-anchor=\"middle\" fill=\"#5b6475\">findings</text>\n", MT + ph / 2, MT + ph / 2);
	chart_line(fp, heap, t->nw, ymax, ML, MT, pw, ph, "s-heap", "#c0392b", 1);
	chart_line(fp, moved, t->nw, ymax, ML, MT, pw, ph, "s-moved", "#2c6fbb", 1);
	fputs("</svg>\n", fp);
}

/* ---- small multiples ---- */

void
html_change(FILE *fp, const struct trend_series *s)
{
	if (!s->has_change)
		fputs("<span class=\"muted\">new</span>", fp);
	else if (s->change > 0)
		fprintf(fp, "<span class=\"up\">+%lld</span>", (long long)s->change);
	else if (s->change < 0)
		fprintf(fp, "<span class=\"down\">%lld</span>", (long long)s->change);
	else
		fputs("<span class=\"muted\">&#177;0</span>", fp);
}

void
html_small_multiples(FILE *fp, const struct trend *p)
{
	size_t j, i;

	if (p->ns == 0) {
		fputs("<p class=\"muted\">No packages.</p>\n", fp);
		return;
	}
	fputs("<div class=\"grid\">\n", fp);
	for (j = 0; j < p->ns; j++) {
		const struct trend_series *s = &p->s[j];
		int64_t ymax = 0, last = 0;
		for (i = 0; i < p->nw; i++)
			if (s->has[i]) {
				if (s->v[i] > ymax)
					ymax = s->v[i];
				last = s->v[i];
			}
		fputs("<div class=\"card\"><div class=\"t\" title=\"", fp);
		html_escape(fp, s->name);
		fputs("\">", fp);
		html_name(fp, s->name, 90);
		fprintf(fp, "</div><div>%lld heap+moved, ", (long long)last);
		html_change(fp, s);
		fputs("</div>\n<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" "
		    "height=\"48\" viewBox=\"0 0 230 48\" preserveAspectRatio=\"none\"><title>", fp);
		html_escape(fp, s->name);
		fputs("</title>\n<line class=\"ax\" x1=\"2\" x2=\"228\" y1=\"44\" y2=\"44\" stroke=\"#dde2ea\"/>\n", fp);
		chart_line(fp, s, p->nw, ymax ? ymax : 1, 4, 4, 222, 40, "s-spark", "#7a4fb5", 0);
		fputs("</svg></div>\n", fp);
	}
	fputs("</div>\n", fp);
}

/* ---- by cause ---- */

#define BW 1000
#define BLABEL 170
#define BROW 26

int
html_cause_chart(FILE *fp, struct store *st, int64_t run)
{
	static const char *const cls[] = { "s-heap", "s-moved", "s-leak" };
	static const char *const colors[] = { "#c0392b", "#2c6fbb", "#d08a1c" };
	static const char *const text[] = { "heap", "moved", "leak (all three leak kinds)" };
	int64_t n[CAUSE_N][3], tot[CAUSE_N], max = 0;
	int order[CAUSE_N], nrows = 0, c, k, rc, r;
	sqlite3_stmt *s;

	memset(n, 0, sizeof(n));
	if (sqlite3_prepare_v2(store_db(st), "SELECT cause, CASE kind WHEN ?2 THEN 0 WHEN ?3 THEN 1 "
	    "ELSE 2 END, count(*) FROM finding WHERE run = ?1 AND kind IN (?2, ?3, ?4, ?5, ?6) "
	    "GROUP BY 1, 2", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "counting causes");
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int(s, 2, ESC_HEAP);
	sqlite3_bind_int(s, 3, ESC_MOVED);
	sqlite3_bind_int(s, 4, ESC_LEAK);
	sqlite3_bind_int(s, 5, ESC_LEAK_RESULT);
	sqlite3_bind_int(s, 6, ESC_LEAK_CONTENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c = sqlite3_column_int(s, 0);
		k = sqlite3_column_int(s, 1);
		if (c < 0 || c >= CAUSE_N)
			c = CAUSE_UNKNOWN;
		n[c][k] += sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "counting causes");
	for (c = 0; c < CAUSE_N; c++) {
		tot[c] = n[c][0] + n[c][1] + n[c][2];
		if (tot[c] == 0)
			continue;
		/* insertion by total, descending; ties in cause order */
		for (r = nrows; r > 0 && tot[order[r - 1]] < tot[c]; r--)
			order[r] = order[r - 1];
		order[r] = c;
		nrows++;
		if (tot[c] > max)
			max = tot[c];
	}
	if (nrows == 0) {
		fputs("<p class=\"muted\">No heap, moved or leak findings.</p>\n", fp);
		return STORE_OK;
	}
	legend(fp, cls, text, 3);
	fprintf(fp, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"findings by cause\" "
	    "font-family=\"system-ui,sans-serif\" font-size=\"12\">\n", BW, nrows * BROW + 4,
	    BW, nrows * BROW + 4);
	for (r = 0; r < nrows; r++) {
		double x = BLABEL, y = r * BROW + 4, scale = (BW - BLABEL - 60) / (double)max;
		const char *name;
		c = order[r];
		/* findings without a flow chain (-m logs) have no cause */
		name = cause_name(c)[0] ? cause_name(c) : "no chain";
		fprintf(fp, "<g><title>%s: heap %lld, moved %lld, leak %lld. ", name,
		    (long long)n[c][0], (long long)n[c][1], (long long)n[c][2]);
		html_escape(fp, cause_hint(c));
		fputs("</title>\n", fp);
		fprintf(fp, "<text class=\"tx\" x=\"%d\" y=\"%.0f\" text-anchor=\"end\" fill=\"#5b6475\">%s</text>\n",
		    BLABEL - 8, y + 15, name);
		for (k = 0; k < 3; k++) {
			double w = (double)n[c][k] * scale;
			if (n[c][k] == 0)
				continue;
			fprintf(fp, "<rect class=\"bar %s\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"18\" "
			    "fill=\"%s\"/>\n", cls[k], x, y, w, colors[k]);
			x += w;
		}
		fprintf(fp, "<text class=\"tx\" x=\"%.1f\" y=\"%.0f\" fill=\"#5b6475\">%lld</text>\n</g>\n",
		    x + 6, y + 15, (long long)tot[c]);
	}
	fputs("</svg>\n", fp);
	return STORE_OK;
}
