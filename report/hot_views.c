/*
 * hot_views: a joined profile's weight where people already look — the
 * weight line of explain, the weight column of summary, and the
 * --min-share filter of gate (see hot.h).
 */
#include "hot.h"

#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "format.h"
#include "../store/cause.h"

/* The weights of finding id, direct and through callees together. */
static void
finding_weights(const struct hot *h, int64_t id, int64_t v[2], int *vias)
{
	size_t i;

	v[0] = v[1] = 0;
	*vias = 0;
	for (i = 0; i < h->nfound; i++)
		if (h->rows[i].rec.id == id) {
			v[0] += h->rows[i].v[0];
			v[1] += h->rows[i].v[1];
			*vias |= 1 << h->rows[i].via;
		}
}

void
hot_explain_text(FILE *fp, const struct hot *h, const struct finding_rec *r)
{
	int64_t v[2];
	char a[64], b[64];
	int vias;

	if (!(h->kinds & (1u << r->kind)))
		return;
	finding_weights(h, r->id, v, &vias);
	hot_fmt_value(a, sizeof(a), v[0], h->unit[0]);
	fprintf(fp, "  weight: %s %s (%.1f%% of the profile)", a, h->type[0],
	    h->total[0] ? 100.0 * (double)v[0] / (double)h->total[0] : 0.0);
	if (h->type[1]) {
		hot_fmt_value(b, sizeof(b), v[1], h->unit[1]);
		fprintf(fp, ", %s %s", b, h->type[1]);
	}
	fprintf(fp, "%s\n", vias == 3 ? ", direct and through callees" :
	    vias == 2 ? ", through callees" : vias == 1 ? ", direct" : "");
}

void
hot_explain_json(cJSON *obj, const struct hot *h, const struct finding_rec *r)
{
	int64_t v[2];
	int vias;

	if (!(h->kinds & (1u << r->kind)))
		return;
	finding_weights(h, r->id, v, &vias);
	fmt_json_add_int(obj, h->key[0], v[0]);
	if (h->key[1])
		fmt_json_add_int(obj, h->key[1], v[1]);
	cJSON_AddItemToObject(obj, "share", hot_share_json(h, v[0]));
}

/* The weight on findings of one summary row. */
static int64_t
group_weight(const struct hot *h, enum hot_group g, const char *a, const char *b)
{
	int64_t w = 0;
	size_t i;

	for (i = 0; i < h->nfound; i++) {
		const struct finding_rec *r = &h->rows[i].rec;
		int hit;

		switch (g) {
		case HG_PACKAGE: hit = strcmp(r->package, a) == 0; break;
		case HG_FILE: hit = strcmp(r->package, a) == 0 && strcmp(r->file, b) == 0; break;
		case HG_FUNC: hit = strcmp(r->package, a) == 0 && strcmp(r->func, b) == 0; break;
		case HG_KIND: hit = strcmp(esc_kind_name(r->kind), a) == 0; break;
		case HG_CAUSE: hit = strcmp(cause_name(r->cause), a) == 0; break;
		default: hit = 0; break;
		}
		if (hit)
			w += h->rows[i].v[0];
	}
	return w;
}

void
hot_summary_column(const struct table *in, struct table *out, const struct hot *h,
    enum hot_group g, int human)
{
	const char **hdr = xcalloc(in->ncols + 1, sizeof(*hdr));
	size_t r, c, nk = g == HG_FILE || g == HG_FUNC ? 2 : 1, at = in->ncols;
	char buf[64];

	/* the weight goes last, or before a trailing hint column */
	if (at > 0 && strcmp(in->header[at - 1], "hint") == 0)
		at--;
	for (c = 0; c < in->ncols; c++)
		hdr[c + (c >= at)] = in->header[c];
	hdr[at] = h->key[0];
	table_init(out, in->ncols + 1, (const char *const *)hdr);
	free(hdr);
	for (c = 0; c < in->ncols; c++)
		table_col_flags(out, c + (c >= at), in->colflags[c]);
	table_col_flags(out, at, TC_NUM);
	for (r = 0; r < in->nrows; r++) {
		size_t o = table_add_row(out);
		int64_t w;

		for (c = 0; c < in->ncols; c++)
			table_set(out, o, c + (c >= at), table_get(in, r, c));
		if (in->total[r]) {
			table_mark_total(out, o);
			w = h->onfind[0];
		} else
			w = group_weight(h, g, table_get(in, r, 0), nk > 1 ? table_get(in, r, 1) : NULL);
		if (human)
			hot_fmt_value(buf, sizeof(buf), w, h->unit[0]);
		else
			snprintf(buf, sizeof(buf), "%lld", (long long)w);
		table_set(out, o, at, buf);
	}
}

size_t
hot_filter_diff(struct store *st, struct diff *d, const struct hot *h, double min_share)
{
	size_t i, k = 0, dropped = 0;

	for (i = 0; i < d->n; i++) {
		const struct diff_item *it = &d->items[i];

		if (it->change == DIFF_NEW &&
		    hot_line_share(h, store_str(st, it->pkg), store_str(st, it->file), it->line) < min_share) {
			dropped++;
			continue;
		}
		d->items[k++] = *it;
	}
	d->n = k;
	d->count[DIFF_NEW] -= dropped;
	return dropped;
}
