/*
 * hot_render: the renderings of a joined profile (see hot.h): aligned
 * text, Markdown, CSV and HTML through the string tables of format.h,
 * JSON and JSON lines through the finding objects of finding_json.h.
 */
#include "hot.h"

#include <math.h>
#include <string.h>

#include "finding_json.h"
#include "format.h"
#include "html.h"
#include "../store/cause.h"

/* The heading of the list of lines with weight and no finding. */
static const char *
unexplained_heading(const struct hot *h)
{
	return h->alloc ? "allocations escape analysis does not explain" :
	    "lines with weight and no finding";
}

static double
share(const struct hot *h, int64_t v)
{
	return h->total[0] ? (double)v / (double)h->total[0] : 0;
}

cJSON *
hot_share_json(const struct hot *h, int64_t v)
{
	return cJSON_CreateNumber(floor(share(h, v) * 1e6 + 0.5) / 1e6);
}

static const char *
via_name(enum hot_via v)
{
	return v == HOT_DIRECT ? "direct" : "callee";
}

/* How many rows of [from, to) to show. */
static size_t
shown(size_t from, size_t to, size_t top)
{
	return top && to - from > top ? top : to - from;
}

static void
pos_text(struct sbuf *sb, const struct hot_row *r)
{
	finding_pos_text(sb, r->path, r->rec.line, r->rec.col);
}

/* ---- tables (text, md, csv, html) ---- */

/* human: weights in units (text, md), else exact numbers (csv, html). */
static void
set_weights(struct table *t, size_t row, size_t col, const struct hot *h,
    const struct hot_row *r, int human, int csv)
{
	char buf[64];
	int c;

	if (csv)
		table_setf(t, row, col, "%.6f", share(h, r->v[0]));
	else
		table_setf(t, row, col, "%.1f%%", 100 * share(h, r->v[0]));
	for (c = 0; c < 2; c++) {
		if (h->key[c] == NULL)
			continue;
		if (human)
			hot_fmt_value(buf, sizeof(buf), r->v[c], h->unit[c]);
		else
			snprintf(buf, sizeof(buf), "%lld", (long long)r->v[c]);
		table_set(t, row, col + 1 + (size_t)c, buf);
	}
}

static void
via_cell(struct table *t, size_t row, size_t col, const struct hot_row *r)
{
	if (r->via == HOT_CALLEE && r->callee[0])
		table_setf(t, row, col, "callee %s", r->callee);
	else
		table_set(t, row, col, via_name(r->via));
}

/* The findings table: share, w0, [w1], via, kind, cause, func, finding. */
void
hot_findings_table(struct table *t, const struct hot *h, size_t top, int human)
{
	const char *hdr[8];
	size_t n = 0, i, k, nw = h->key[1] ? 2 : 1, row;
	struct sbuf pos = SBUF_INIT;

	hdr[n++] = "share";
	hdr[n++] = h->key[0];
	if (h->key[1])
		hdr[n++] = h->key[1];
	hdr[n++] = "via";
	hdr[n++] = "kind";
	hdr[n++] = "cause";
	hdr[n++] = "func";
	hdr[n++] = "finding";
	table_init(t, n, hdr);
	for (i = 0; i <= nw; i++)
		table_col_flags(t, i, TC_NUM);
	k = shown(0, h->nfound, top);
	for (i = 0; i < k; i++) {
		const struct hot_row *r = &h->rows[i];

		row = table_add_row(t);
		set_weights(t, row, 0, h, r, human, 0);
		via_cell(t, row, nw + 1, r);
		table_set(t, row, nw + 2, esc_kind_name(r->rec.kind));
		table_set(t, row, nw + 3, cause_name(r->rec.cause));
		table_set(t, row, nw + 4, r->rec.func);
		pos_text(&pos, r);
		table_setf(t, row, nw + 5, "%s: %s", pos.buf, r->rec.message);
	}
	sbuf_release(&pos);
}

/* The unexplained table: share, w0, [w1], via, func, position. */
static void
unexplained_table(struct table *t, const struct hot *h, size_t top, int human)
{
	const char *hdr[6];
	size_t n = 0, i, k, nw = h->key[1] ? 2 : 1, row;
	struct sbuf pos = SBUF_INIT;

	hdr[n++] = "share";
	hdr[n++] = h->key[0];
	if (h->key[1])
		hdr[n++] = h->key[1];
	hdr[n++] = "via";
	hdr[n++] = "func";
	hdr[n++] = "position";
	table_init(t, n, hdr);
	for (i = 0; i <= nw; i++)
		table_col_flags(t, i, TC_NUM);
	k = shown(h->nfound, h->nrows, top);
	for (i = 0; i < k; i++) {
		const struct hot_row *r = &h->rows[h->nfound + i];

		row = table_add_row(t);
		set_weights(t, row, 0, h, r, human, 0);
		via_cell(t, row, nw + 1, r);
		table_set(t, row, nw + 2, r->rec.func);
		pos_text(&pos, r);
		table_set(t, row, nw + 3, pos.buf);
	}
	sbuf_release(&pos);
}

/* "17.7 MB alloc_space (133060 alloc_objects)" and friends. */
static void
amount(struct sbuf *sb, const struct hot *h, const int64_t v[2])
{
	char a[64], b[64];

	hot_fmt_value(a, sizeof(a), v[0], h->unit[0]);
	sbuf_adds(sb, a);
	if (h->key[1]) {
		hot_fmt_value(b, sizeof(b), v[1], h->unit[1]);
		sbuf_addf(sb, " (%s %s)", b, h->key[1]);
	}
}

static void
totals_line(struct sbuf *sb, const struct hot *h)
{
	sbuf_adds(sb, "profile total ");
	amount(sb, h, h->total);
	sbuf_adds(sb, "; in the run's packages ");
	amount(sb, h, h->inrun);
	sbuf_addf(sb, ", %.1f%% of the total: on findings ", 100 * share(h, h->inrun[0]));
	amount(sb, h, h->onfind);
	sbuf_adds(sb, ", not explained ");
	amount(sb, h, h->unexpl);
}

static void
title_line(struct sbuf *sb, const struct hot *h, const struct hot_render_opts *o, int64_t run)
{
	sbuf_addf(sb, "run %lld", (long long)run);
	if (o->commit && o->commit[0])
		sbuf_addf(sb, " (%.12s)", o->commit);
	sbuf_addf(sb, ", profile %s: %s", o->profile ? o->profile : "-", h->type[0]);
	if (h->type[1])
		sbuf_addf(sb, " and %s", h->type[1]);
}

static int
render_text(const struct hot *h, const struct hot_render_opts *o, int64_t run, FILE *fp)
{
	struct table t;
	struct sbuf sb = SBUF_INIT;
	int seen[CAUSE_N] = { 0 };
	size_t i, k = shown(0, h->nfound, o->top);
	int c, any = 0;

	title_line(&sb, h, o, run);
	fprintf(fp, "%s%s%s\n\n", fmt_sgr(o->color, FC_BOLD), sb.buf, fmt_sgr(o->color, FC_RESET));
	if (h->nfound) {
		hot_findings_table(&t, h, o->top, 1);
		table_render(&t, TF_TEXT, fp, o->color);
		table_release(&t);
		if (k < h->nfound)
			fprintf(fp, "(%zu more findings with weight; --top 0 shows all)\n", h->nfound - k);
	} else
		fputs("no finding has weight in this profile\n", fp);
	if (h->nrows > h->nfound) {
		fprintf(fp, "\n%s%s%s\n", fmt_sgr(o->color, FC_BOLD), unexplained_heading(h),
		    fmt_sgr(o->color, FC_RESET));
		unexplained_table(&t, h, o->top, 1);
		table_render(&t, TF_TEXT, fp, o->color);
		table_release(&t);
		k = shown(h->nfound, h->nrows, o->top);
		if (h->nfound + k < h->nrows)
			fprintf(fp, "(%zu more lines; --top 0 shows all)\n", h->nrows - h->nfound - k);
	}
	sbuf_reset(&sb);
	totals_line(&sb, h);
	fprintf(fp, "\n%s\n", sb.buf);
	for (i = 0; i < shown(0, h->nfound, o->top); i++)
		if ((c = h->rows[i].rec.cause) > CAUSE_NONE && c < CAUSE_N && !seen[c]) {
			if (!any++)
				fputs("causes:\n", fp);
			seen[c] = 1;
			fprintf(fp, "  %s: %s\n", cause_name(c), cause_hint(c));
		}
	sbuf_release(&sb);
	return 0;
}

static int
render_md(const struct hot *h, const struct hot_render_opts *o, int64_t run, FILE *fp)
{
	struct table t;
	struct sbuf sb = SBUF_INIT;

	title_line(&sb, h, o, run);
	fputs("### ", fp);
	fmt_md_cell(fp, sb.buf);
	fputs("\n\n", fp);
	hot_findings_table(&t, h, o->top, 1);
	table_render(&t, TF_MD, fp, 0);
	table_release(&t);
	if (h->nrows > h->nfound) {
		fprintf(fp, "\n#### %c%s\n\n", h->alloc ? 'A' : 'L', unexplained_heading(h) + 1);
		unexplained_table(&t, h, o->top, 1);
		table_render(&t, TF_MD, fp, 0);
		table_release(&t);
	}
	sbuf_reset(&sb);
	totals_line(&sb, h);
	fputc('\n', fp);
	fmt_md_cell(fp, sb.buf);
	fputc('\n', fp);
	sbuf_release(&sb);
	return 0;
}

static int
render_html(const struct hot *h, const struct hot_render_opts *o, int64_t run, FILE *fp)
{
	struct table t[2];
	const struct table *tp[2] = { &t[0], &t[1] };
	const char *heads[2] = { NULL, unexplained_heading(h) };
	struct sbuf title = SBUF_INIT, sub = SBUF_INIT;
	int rc;

	title_line(&title, h, o, run);
	totals_line(&sub, h);
	hot_findings_table(&t[0], h, o->top, 0);
	unexplained_table(&t[1], h, o->top, 0);
	rc = html_tables(fp, title.buf, sub.buf, heads, tp, h->nrows > h->nfound ? 2 : 1);
	table_release(&t[0]);
	table_release(&t[1]);
	sbuf_release(&title);
	sbuf_release(&sub);
	return rc;
}

/* One CSV table of every row: explained, share, the weights, via,
 * callee, then the finding's columns. */
static int
render_csv(const struct hot *h, const struct hot_render_opts *o, int64_t run, FILE *fp)
{
	const char *hdr[20];
	struct table t;
	size_t n = 0, i, row, nw = h->key[1] ? 2 : 1, c, kf = shown(0, h->nfound, o->top),
	    ku = shown(h->nfound, h->nrows, o->top);
	char key[17];

	hdr[n++] = "explained";
	hdr[n++] = "share";
	hdr[n++] = h->key[0];
	if (h->key[1])
		hdr[n++] = h->key[1];
	hdr[n++] = "via";
	hdr[n++] = "callee";
	hdr[n++] = "run";
	hdr[n++] = "commit";
	hdr[n++] = "package";
	hdr[n++] = "file";
	hdr[n++] = "line";
	hdr[n++] = "col";
	hdr[n++] = "func";
	hdr[n++] = "kind";
	hdr[n++] = "cause";
	hdr[n++] = "subject";
	hdr[n++] = "message";
	hdr[n++] = "key";
	table_init(&t, n, hdr);
	for (i = 0; i < h->nrows; i++) {
		const struct hot_row *r = &h->rows[i];
		int found = i < h->nfound;

		if ((found && i >= kf) || (!found && i - h->nfound >= ku))
			continue;
		row = table_add_row(&t);
		c = 0;
		table_set(&t, row, c++, found ? "true" : "false");
		set_weights(&t, row, c, h, r, 0, 1);
		c += 1 + nw;
		table_set(&t, row, c++, via_name(r->via));
		table_set(&t, row, c++, r->callee);
		table_set_int(&t, row, c++, run);
		table_set(&t, row, c++, o->commit);
		table_set(&t, row, c++, r->rec.package);
		table_set(&t, row, c++, r->rec.file);
		table_set_int(&t, row, c++, r->rec.line);
		table_set_int(&t, row, c++, r->rec.col);
		table_set(&t, row, c++, r->rec.func);
		table_set(&t, row, c++, found ? esc_kind_name(r->rec.kind) : "");
		table_set(&t, row, c++, found ? cause_name(r->rec.cause) : "");
		table_set(&t, row, c++, r->rec.subject);
		table_set(&t, row, c++, r->rec.message);
		if (found)
			finding_key_hex(r->rec.key, key);
		table_set(&t, row, c++, found ? key : "");
	}
	table_render(&t, TF_CSV, fp, 0);
	table_release(&t);
	return 0;
}

static void
add_weights(cJSON *o, const struct hot *h, const struct hot_row *r)
{
	fmt_json_add_int(o, h->key[0], r->v[0]);
	if (h->key[1])
		fmt_json_add_int(o, h->key[1], r->v[1]);
	cJSON_AddItemToObject(o, "share", hot_share_json(h, r->v[0]));
	fmt_json_add_str(o, "via", via_name(r->via));
	fmt_json_add_str(o, "callee", r->callee);
}

static int
render_json(struct store *st, const struct hot *h, const struct hot_render_opts *o,
    int64_t run, FILE *fp, int lines)
{
	struct json_stream js;
	struct arena scratch = ARENA_INIT;
	size_t i, kf = shown(0, h->nfound, o->top), ku = shown(h->nfound, h->nrows, o->top);
	int rc = 0;

	fmt_json_init();
	json_stream_begin(&js, fp, lines);
	for (i = 0; i < kf && rc == 0; i++) {
		const struct hot_row *r = &h->rows[i];
		struct finding_iter *it = NULL;
		struct finding_rec fr;
		char where[48];
		cJSON *obj;

		/* the flows were not kept by the join: read the row again */
		snprintf(where, sizeof(where), "f.id = %lld", (long long)r->rec.id);
		if (finding_iter_new(st, run, where, &it) != STORE_OK)
			return HOT_EDB;
		if (finding_iter_next(it, &fr) != 1)
			fr = r->rec;
		obj = finding_to_json(st, &fr, o->commit, &scratch);
		finding_iter_free(it);
		add_weights(obj, h, r);
		cJSON_AddItemToObject(obj, "explained", cJSON_CreateTrue());
		json_stream_add(&js, obj);
		cJSON_Delete(obj);
		arena_reset(&scratch);
	}
	for (i = 0; i < ku; i++) {
		const struct hot_row *r = &h->rows[h->nfound + i];
		cJSON *obj = cJSON_CreateObject();

		fmt_json_add_int(obj, "run", run);
		fmt_json_add_str(obj, "commit", o->commit);
		fmt_json_add_str(obj, "package", r->rec.package);
		fmt_json_add_str(obj, "file", r->rec.file);
		fmt_json_add_int(obj, "line", r->rec.line);
		fmt_json_add_str(obj, "func", r->rec.func);
		cJSON_AddItemToObject(obj, "kind", cJSON_CreateNull());
		cJSON_AddItemToObject(obj, "key", cJSON_CreateNull());
		add_weights(obj, h, r);
		cJSON_AddItemToObject(obj, "explained", cJSON_CreateFalse());
		json_stream_add(&js, obj);
		cJSON_Delete(obj);
	}
	json_stream_end(&js);
	arena_release(&scratch);
	return rc;
}

int
hot_render(struct store *st, const struct hot *h, const struct hot_render_opts *o,
    enum hot_fmt f, FILE *fp)
{
	int64_t run = o->run;
	int rc = 0;

	switch (f) {
	case HF_TEXT:
		rc = render_text(h, o, run, fp);
		break;
	case HF_MD:
		rc = render_md(h, o, run, fp);
		break;
	case HF_HTML:
		rc = render_html(h, o, run, fp);
		break;
	case HF_CSV:
		rc = render_csv(h, o, run, fp);
		break;
	case HF_JSON:
	case HF_JSONL:
		rc = render_json(st, h, o, run, fp, f == HF_JSONL);
		break;
	}
	if (rc == 0 && ferror(fp))
		rc = -1;
	return rc;
}
