/*
 * summary: counts of a run's findings per package (default), file, func,
 * kind, cause or flow reason.  The counting is SQL over the finding table
 * (GROUP BY on interned ids); names are resolved once per group.
 */
#include "cmd.h"
#include "opts.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../report/format.h"
#include "../report/hot.h"
#include "../report/html.h"
#include "../store/cause.h"

static const struct opt_usage usage = {
	"summary", "[SEL]", ".Op Ar SEL",
	"Counts the findings of run SEL (default latest; also --run SEL) per\n"
	"package, file, func, kind, cause (heap, moved and leak findings) or\n"
	"reason (findings whose flow chain has a step with that reason).\n",
	NULL
};

enum by { BY_PACKAGE, BY_FILE, BY_FUNC, BY_KIND, BY_REASON, BY_CAUSE };
static const char *const by_names[] = {
	"package", "file", "func", "kind", "reason", "cause", NULL
};

#define ALL_KINDS ((1u << ESC_KIND_N) - 1)
#define LEAK_KINDS (1u << ESC_LEAK | 1u << ESC_LEAK_RESULT | 1u << ESC_LEAK_CONTENT)

/* One row of counts: names (store_str, valid until store_close). */
struct group {
	const char *a, *b;
	int64_t n[ESC_KIND_N];
	int64_t total;
	int id;                 /* kind or cause */
};

struct summary {
	struct store *st;
	int64_t run;
	enum by by;
	unsigned kmask;
	struct group *g;
	size_t n, cap;
	int has_flows;          /* --by reason: any finding had a chain */
};

static struct group *
add_group(struct summary *sm)
{
	if (sm->n == sm->cap) {
		sm->cap = sm->cap ? sm->cap * 2 : 64;
		sm->g = xreallocarray(sm->g, sm->cap, sizeof(*sm->g));
	}
	memset(&sm->g[sm->n], 0, sizeof(sm->g[0]));
	return &sm->g[sm->n++];
}

/* Counts per package, (package, file) or (package, func). */
static int
count_groups(struct summary *sm)
{
	static const char *const second[] = { "1", "file", "func" };
	struct sbuf sql = SBUF_INIT;
	sqlite3_stmt *s;
	int k, rc;

	sbuf_addf(&sql, "SELECT pkg, %s", second[sm->by]);
	for (k = 0; k < ESC_KIND_N; k++)
		sbuf_addf(&sql, ", sum(kind = %d)", k);
	sbuf_adds(&sql, " FROM finding WHERE run = ?1 AND ((1 << kind) & ?2) != 0 GROUP BY pkg");
	if (sm->by != BY_PACKAGE)
		sbuf_addf(&sql, ", %s", second[sm->by]);
	if (sm->by == BY_PACKAGE)
		/* packages with nothing to count still get their row */
		sbuf_adds(&sql, " UNION ALL SELECT name, 1, 0, 0, 0, 0, 0, 0, 0, 0 "
		    "FROM package WHERE run = ?1 AND name NOT IN (SELECT pkg FROM "
		    "finding WHERE run = ?1 AND ((1 << kind) & ?2) != 0)");
	rc = sqlite3_prepare_v2(store_db(sm->st), sql.buf, -1, &s, NULL);
	sbuf_release(&sql);
	if (rc != SQLITE_OK)
		return store_fail(sm->st, "counting findings");
	sqlite3_bind_int64(s, 1, sm->run);
	sqlite3_bind_int64(s, 2, sm->kmask);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct group *g = add_group(sm);
		g->a = store_str(sm->st, sqlite3_column_int64(s, 0));
		g->b = sm->by == BY_PACKAGE ? "" : store_str(sm->st, sqlite3_column_int64(s, 1));
		for (k = 0; k < ESC_KIND_N; k++) {
			g->n[k] = sqlite3_column_int64(s, 2 + k);
			g->total += g->n[k];
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(sm->st, "counting findings");
}

static int
count_kinds(struct summary *sm)
{
	sqlite3_stmt *s;
	int k, rc;

	for (k = 0; k < ESC_KIND_N; k++)
		if (sm->kmask & (1u << k)) {
			struct group *g = add_group(sm);
			g->id = k;
			g->a = esc_kind_name(k);
		}
	if (sqlite3_prepare_v2(store_db(sm->st), "SELECT kind, count(*) FROM finding "
	    "WHERE run = ?1 AND ((1 << kind) & ?2) != 0 GROUP BY kind", -1, &s, NULL) != SQLITE_OK)
		return store_fail(sm->st, "counting findings");
	sqlite3_bind_int64(s, 1, sm->run);
	sqlite3_bind_int64(s, 2, sm->kmask);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t i;
		k = sqlite3_column_int(s, 0);
		for (i = 0; i < sm->n; i++)
			if (sm->g[i].id == k) {
				sm->g[i].total = sqlite3_column_int64(s, 1);
				if (k >= 0 && k < ESC_KIND_N)
					sm->g[i].n[k] = sm->g[i].total;
			}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(sm->st, "counting findings");
}

static int
count_causes(struct summary *sm)
{
	struct sbuf sql = SBUF_INIT;
	sqlite3_stmt *s;
	int k, rc;

	sbuf_adds(&sql, "SELECT cause");
	for (k = 0; k < ESC_KIND_N; k++)
		sbuf_addf(&sql, ", sum(kind = %d)", k);
	sbuf_adds(&sql, " FROM finding WHERE run = ?1 AND ((1 << kind) & ?2) != 0 GROUP BY cause");
	rc = sqlite3_prepare_v2(store_db(sm->st), sql.buf, -1, &s, NULL);
	sbuf_release(&sql);
	if (rc != SQLITE_OK)
		return store_fail(sm->st, "counting findings");
	sqlite3_bind_int64(s, 1, sm->run);
	sqlite3_bind_int64(s, 2, sm->kmask & (1u << ESC_HEAP | 1u << ESC_MOVED | LEAK_KINDS));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct group *g = add_group(sm);
		g->id = sqlite3_column_int(s, 0);
		g->a = g->id > CAUSE_NONE && g->id < CAUSE_N ? cause_name(g->id) : "(none)";
		g->b = cause_hint(g->id);
		for (k = 0; k < ESC_KIND_N; k++) {
			g->n[k] = sqlite3_column_int64(s, 1 + k);
			g->total += g->n[k];
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(sm->st, "counting findings");
}

/* --by reason: a hash from reason id to its group, and the sequence
 * number of the finding that counted last, so a finding whose chain
 * repeats a reason counts once. */
struct reason_ctx {
	struct summary *sm;
	int64_t *ids;
	size_t *idx;
	int64_t *stamp;
	size_t cap, n;
	int64_t seq;
	int kind;
};

static size_t
reason_slot(struct reason_ctx *rc, int64_t id)
{
	size_t mask = rc->cap - 1, i = (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ull >> 32) & mask;

	while (rc->ids[i] != 0 && rc->ids[i] != id)
		i = (i + 1) & mask;
	return i;
}

static void
reason_grow(struct reason_ctx *rc)
{
	int64_t *oids = rc->ids, *ostamp = rc->stamp;
	size_t *oidx = rc->idx, ocap = rc->cap, i, j;

	rc->cap = rc->cap ? rc->cap * 2 : 64;
	rc->ids = xcalloc(rc->cap, sizeof(*rc->ids));
	rc->idx = xcalloc(rc->cap, sizeof(*rc->idx));
	rc->stamp = xcalloc(rc->cap, sizeof(*rc->stamp));
	for (i = 0; i < ocap; i++)
		if (oids[i] != 0) {
			j = reason_slot(rc, oids[i]);
			rc->ids[j] = oids[i];
			rc->idx[j] = oidx[i];
			rc->stamp[j] = ostamp[i];
		}
	free(oids);
	free(oidx);
	free(ostamp);
}

static int
reason_seen(void *ctx, int64_t id)
{
	struct reason_ctx *rc = ctx;
	struct group *g;
	size_t i;

	if (id <= 1)
		return 0;       /* no reason printed */
	if ((rc->n + 1) * 2 > rc->cap)
		reason_grow(rc);
	i = reason_slot(rc, id);
	if (rc->ids[i] == 0) {
		rc->ids[i] = id;
		rc->idx[i] = rc->sm->n;
		rc->stamp[i] = 0;
		rc->n++;
		g = add_group(rc->sm);
		g->a = store_str(rc->sm->st, id);
	}
	if (rc->stamp[i] != rc->seq) {
		rc->stamp[i] = rc->seq;
		g = &rc->sm->g[rc->idx[i]];
		g->n[rc->kind]++;
		g->total++;
	}
	return 0;
}

static int
count_reasons(struct summary *sm)
{
	struct reason_ctx rc;
	sqlite3_stmt *s;
	int r;

	memset(&rc, 0, sizeof(rc));
	rc.sm = sm;
	if (sqlite3_prepare_v2(store_db(sm->st), "SELECT kind, flows FROM finding WHERE run = ?1 "
	    "AND ((1 << kind) & ?2) != 0 AND flows IS NOT NULL", -1, &s, NULL) != SQLITE_OK)
		return store_fail(sm->st, "counting findings");
	sqlite3_bind_int64(s, 1, sm->run);
	sqlite3_bind_int64(s, 2, sm->kmask);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(s, 1);
		size_t len = (size_t)sqlite3_column_bytes(s, 1);

		rc.kind = sqlite3_column_int(s, 0);
		if (rc.kind < 0 || rc.kind >= ESC_KIND_N || len == 0)
			continue;
		sm->has_flows = 1;
		rc.seq++;
		flows_any_reason(blob, len, reason_seen, &rc);
	}
	sqlite3_finalize(s);
	free(rc.ids);
	free(rc.idx);
	free(rc.stamp);
	return r == SQLITE_DONE ? STORE_OK : store_fail(sm->st, "counting findings");
}

static int
cmp_groups(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	int64_t ha = a->n[ESC_HEAP] + a->n[ESC_MOVED], hb = b->n[ESC_HEAP] + b->n[ESC_MOVED];
	int c;

	if (ha != hb)
		return ha > hb ? -1 : 1;
	if ((c = strcmp(a->a, b->a)) != 0)
		return c;
	return strcmp(a->b, b->b);
}

/* cause and reason: the biggest first, then cause precedence or name */
static int
cmp_total(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return strcmp(a->a, b->a);
}

/* Builds the table: key columns, then counts. */
static void
build_table(const struct summary *sm, struct table *t, int with_total)
{
	const char *hdr[ESC_KIND_N + 4];
	int kcol[ESC_KIND_N];
	size_t nh = 0, nkeys, i, r;
	int k, nk = 0, leakcol = 0, hintcol = 0;
	int64_t sum[ESC_KIND_N + 1];

	memset(sum, 0, sizeof(sum));
	hdr[nh++] = sm->by == BY_FILE || sm->by == BY_FUNC ? "package" : by_names[sm->by];
	if (sm->by == BY_FILE || sm->by == BY_FUNC)
		hdr[nh++] = by_names[sm->by];
	nkeys = nh;
	if (sm->by == BY_KIND) {
		hdr[nh++] = "findings";
	} else if (sm->by == BY_CAUSE || sm->by == BY_REASON) {
		/* heap, moved, leak (all three leak kinds) */
		for (k = 0; k < ESC_KIND_N; k++)
			if ((k == ESC_HEAP || k == ESC_MOVED) && (sm->kmask & (1u << k))) {
				kcol[nk++] = k;
				hdr[nh++] = esc_kind_name(k);
			}
		if (sm->kmask & LEAK_KINDS) {
			leakcol = 1;
			hdr[nh++] = "leak";
		}
		if (sm->by == BY_REASON && (sm->kmask & ~(1u << ESC_HEAP | 1u << ESC_MOVED | LEAK_KINDS)))
			hdr[nh++] = "other";
		hdr[nh++] = sm->by == BY_REASON ? "findings" : "total";
		if (sm->by == BY_CAUSE) {
			hintcol = 1;
			hdr[nh++] = "hint";
		}
	} else {
		for (k = 0; k < ESC_KIND_N; k++)
			if (sm->kmask & (1u << k)) {
				kcol[nk++] = k;
				hdr[nh++] = esc_kind_name(k);
			}
		hdr[nh++] = "total";
	}
	table_init(t, nh, hdr);
	for (i = nkeys; i < nh - (size_t)hintcol; i++)
		table_col_flags(t, i, TC_NUM);
	for (i = 0; i < sm->n; i++) {
		const struct group *g = &sm->g[i];
		size_t c = 0;
		int64_t leaks = g->n[ESC_LEAK] + g->n[ESC_LEAK_RESULT] + g->n[ESC_LEAK_CONTENT];

		r = table_add_row(t);
		table_set(t, r, c++, g->a);
		if (nkeys > 1)
			table_set(t, r, c++, g->b);
		if (sm->by == BY_KIND) {
			table_set_int(t, r, c++, g->total);
			sum[ESC_KIND_N] += g->total;
			continue;
		}
		for (k = 0; k < nk; k++) {
			table_set_int(t, r, c++, g->n[kcol[k]]);
			sum[kcol[k]] += g->n[kcol[k]];
		}
		if (leakcol)
			table_set_int(t, r, c++, leaks);
		if (c + 1 + (size_t)hintcol < nh)       /* "other" */
			table_set_int(t, r, c++, g->total - leaks - g->n[ESC_HEAP] - g->n[ESC_MOVED]);
		table_set_int(t, r, c++, g->total);
		sum[ESC_KIND_N] += g->total;
		if (hintcol)
			table_set(t, r, c++, g->b);
	}
	/* a total row: not for reasons, where a finding counts under each */
	if (!with_total || sm->by == BY_REASON)
		return;
	r = table_add_row(t);
	table_mark_total(t, r);
	table_set(t, r, 0, "total");
	i = nkeys;
	if (sm->by != BY_KIND) {
		for (k = 0; k < nk; k++)
			table_set_int(t, r, i++, sum[kcol[k]]);
		if (leakcol) {
			int64_t l = 0;
			size_t j;
			for (j = 0; j < sm->n; j++)
				l += sm->g[j].n[ESC_LEAK] + sm->g[j].n[ESC_LEAK_RESULT] +
				    sm->g[j].n[ESC_LEAK_CONTENT];
			table_set_int(t, r, i++, l);
		}
	}
	table_set_int(t, r, i, sum[ESC_KIND_N]);
}

static const char *
go_prefix(const char *v)
{
	return strncmp(v, "go", 2) == 0 ? "" : "go";
}

static void
print_header(FILE *fp, const struct run_info *ri, int md, int color)
{
	char date[32];
	time_t t = (time_t)ri->date;
	struct tm tm;
	struct sbuf sb = SBUF_INIT;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
	sbuf_addf(&sb, "run %lld  %.12s  %s  %s%s  %s/%s", (long long)ri->id,
	    ri->commit[0] ? ri->commit : "-", date,
	    ri->go_version[0] ? go_prefix(ri->go_version) : "go", ri->go_version[0] ? ri->go_version : "?",
	    ri->goos[0] ? ri->goos : "?", ri->goarch[0] ? ri->goarch : "?");
	if (ri->label[0])
		sbuf_addf(&sb, "  %s", ri->label);
	if (md)
		fmt_md_cell(fp, sb.buf);
	else {
		fputs(fmt_sgr(color, FC_BOLD), fp);
		fmt_text(fp, sb.buf);
		fputs(fmt_sgr(color, FC_RESET), fp);
	}
	fputs("\n\n", fp);
	sbuf_release(&sb);
}

static void
print_json(FILE *fp, const struct summary *sm, const struct run_info *ri, const struct table *t)
{
	cJSON *o, *rows, *kinds;
	char date[32];
	time_t tt = (time_t)ri->date;
	struct tm tm;
	size_t r;
	int k;

	fmt_json_init();
	gmtime_r(&tt, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = cJSON_CreateObject();
	fmt_json_add_int(o, "run", ri->id);
	fmt_json_add_str(o, "commit", ri->commit);
	fmt_json_add_str(o, "label", ri->label);
	fmt_json_add_str(o, "date", date);
	fmt_json_add_str(o, "go_version", ri->go_version);
	fmt_json_add_str(o, "goos", ri->goos);
	fmt_json_add_str(o, "goarch", ri->goarch);
	fmt_json_add_str(o, "by", by_names[sm->by]);
	kinds = cJSON_CreateArray();
	for (k = 0; k < ESC_KIND_N; k++)
		if (sm->kmask & (1u << k))
			cJSON_AddItemToArray(kinds, fmt_json_string(esc_kind_name(k)));
	cJSON_AddItemToObject(o, "kinds", kinds);
	rows = cJSON_CreateArray();
	for (r = 0; r < t->nrows; r++)
		if (!t->total[r])
			cJSON_AddItemToArray(rows, table_row_to_json(t, r));
	cJSON_AddItemToObject(o, "rows", rows);
	for (r = 0; r < t->nrows; r++)
		if (t->total[r]) {
			/* the counts only: no key or hint columns */
			cJSON *tot = table_row_to_json(t, r);
			size_t c;
			for (c = 0; c < t->ncols; c++)
				if (!(t->colflags[c] & TC_NUM))
					cJSON_DeleteItemFromObjectCaseSensitive(tot, t->header[c]);
			cJSON_AddItemToObject(o, "total", tot);
		}
	fmt_json_print(fp, o, 1);
	fputc('\n', fp);
	cJSON_Delete(o);
}

int
cmd_summary(struct cmdctx *cx, int argc, char **argv)
{
	const char *outpath = NULL, *sel = NULL, *profile = NULL;
	struct pprof p;
	struct hot h;
	int have_h = 0;
	struct summary sm;
	int f = FMT_TEXT, rc, have_ri = 0, color = -1, by = BY_PACKAGE;
	const struct opt opts[] = {
		OPT_RUN(&sel),
		OPT_CHOICE("by", &by, by_names, "count per this key (default package)"),
		OPT_KINDS(&sm.kmask),
		OPT_PROFILE(&profile, "add a column: the weight (bytes, or CPU time) of a "
		    "pprof profile on each row's heap and moved findings (escdb hot); "
		    "the html page also lists the ten heaviest"),
		OPT_FORMAT(&f, 1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV | 1u << FMT_MD |
		    1u << FMT_HTML),
		OPT_OUTPUT(&outpath),
		OPT_COLOR(&color),
		OPT_END()
	};
	struct run_info ri;
	struct table t;
	FILE *fp;

	memset(&sm, 0, sizeof(sm));
	memset(&t, 0, sizeof(t));
	sm.kmask = ALL_KINDS;
	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	sm.by = (enum by)by;
	if (argc > 1 || (argc == 1 && sel != NULL))
		return opt_usage_error(&usage, opts, "unexpected argument '%s'", argv[argc - 1]);
	if (argc == 1)
		sel = argv[0];
	if (profile && sm.by == BY_REASON) {
		msg_error("summary: --profile weighs packages, files, funcs, kinds and causes, "
		    "not reasons");
		return EXIT_USAGE;
	}
	if (sm.by == BY_CAUSE && !(sm.kmask & (1u << ESC_HEAP | 1u << ESC_MOVED | LEAK_KINDS))) {
		msg_error("summary: --by cause counts heap, moved and leak findings only");
		return EXIT_USAGE;
	}
	if ((rc = cmd_open_run(cx, sel, &sm.st, &ri)) != EXIT_OK)
		goto out;
	have_ri = 1;
	sm.run = ri.id;
	switch (sm.by) {
	case BY_PACKAGE:
	case BY_FILE:
	case BY_FUNC:
		rc = count_groups(&sm);
		if (rc == STORE_OK && sm.n > 1)
			qsort(sm.g, sm.n, sizeof(*sm.g), cmp_groups);
		break;
	case BY_KIND:
		rc = count_kinds(&sm);
		break;
	case BY_CAUSE:
		rc = count_causes(&sm);
		if (rc == STORE_OK && sm.n > 1)
			qsort(sm.g, sm.n, sizeof(*sm.g), cmp_total);
		break;
	case BY_REASON:
		rc = count_reasons(&sm);
		if (rc == STORE_OK && sm.n > 1)
			qsort(sm.g, sm.n, sizeof(*sm.g), cmp_total);
		break;
	}
	if (rc != STORE_OK) {
		rc = cmd_db_error(sm.st);
		goto out;
	}
	if (sm.by == BY_REASON && !sm.has_flows)
		msg_warn("run %lld has no flow chains (a -m=2 log has them); "
		    "nothing to count by reason", (long long)sm.run);
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	build_table(&sm, &t, f == FMT_TEXT || f == FMT_MD || f == FMT_JSON || f == FMT_HTML);
	if (profile) {
		struct table tw;

		if ((rc = cmd_hot_load(sm.st, sm.run, ri.dir, profile, NULL, 0, &p, &h)) != EXIT_OK) {
			cmd_output_close(fp, outpath);
			goto out;
		}
		have_h = 1;
		hot_summary_column(&t, &tw, &h,
		    sm.by == BY_CAUSE ? HG_CAUSE : (enum hot_group)sm.by, f == FMT_TEXT || f == FMT_MD);
		table_release(&t);
		t = tw;
	}
	color = f == FMT_TEXT && cmd_want_color(fp, color);
	switch (f) {
	case FMT_JSON:
		print_json(fp, &sm, &ri, &t);
		break;
	case FMT_CSV:
		table_render(&t, TF_CSV, fp, 0);
		break;
	case FMT_HTML:
		if (have_h) {
			struct table top;

			hot_findings_table(&top, &h, 10, 0);
			html_summary_top(fp, &ri, &t, "The ten heaviest findings of the profile", &top);
			table_release(&top);
		} else
			html_summary(fp, &ri, &t);
		break;
	case FMT_MD:
		print_header(fp, &ri, 1, 0);
		table_render(&t, TF_MD, fp, 0);
		break;
	default:
		print_header(fp, &ri, 0, color);
		table_render(&t, TF_TEXT, fp, color);
		break;
	}
	rc = cmd_output_close(fp, outpath);
out:
	if (have_h) {
		hot_release(&h);
		pprof_release(&p);
	}
	table_release(&t);
	if (have_ri)
		run_info_release(&ri);
	free(sm.g);
	store_close(sm.st);
	return rc;
}
