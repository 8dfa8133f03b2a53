/*
 * diff_render: a difference as text, JSON (lines) and Markdown (see
 * diff.h); report/sarif.c and report/github.c hold the other formats.
 */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "finding_json.h"
#include "format.h"
#include "match.h"

/* ---- text ---- */

static const char markers[DIFF_NCHANGE] = { '+', '-', '~' };

static int
shown(const struct diff_render_opts *o, const struct diff_item *it)
{
	return it->change != DIFF_MOVED || o->show_moved;
}

static void
pos_of(struct store *st, const struct diff_item *it, struct diff_pathcache *pc,
    struct sbuf *path, struct sbuf *out)
{
	diff_item_path(st, it, pc, path);
	sbuf_reset(out);
	if (fmt_pos_unknown(store_str(st, it->file), it->line)) {
		sbuf_adds(out, FMT_POS_UNKNOWN ":");
		return;
	}
	sbuf_adds(out, path->buf);
	sbuf_addf(out, ":%d", it->line);
	if (it->col > 0)
		sbuf_addf(out, ":%d", it->col);
	sbuf_addc(out, ':');
}

static void
run_label(FILE *fp, int64_t id, const char *commit)
{
	fprintf(fp, "run %lld", (long long)id);
	if (commit && *commit)
		fprintf(fp, " (%.12s)", commit);
}

void
diff_summary_line(const struct diff *d, const struct diff_render_opts *o, FILE *fp)
{
	fprintf(fp, "%zu new, %zu fixed, %zu moved", d->count[DIFF_NEW],
	    d->count[DIFF_FIXED], d->count[DIFF_MOVED]);
	if (d->accepted)
		fprintf(fp, ", %zu accepted by the baseline", d->accepted);
	if (d->external)
		fprintf(fp, ", %zu external left out", d->external);
	if (d->excluded)
		fprintf(fp, ", %zu excluded", d->excluded);
	fputs(" between ", fp);
	run_label(fp, d->base, o->base_commit);
	fputs(" and ", fp);
	run_label(fp, d->head, o->head_commit);
	fputc('\n', fp);
}

int
diff_render_text(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp)
{
	struct sbuf path = SBUF_INIT, pos = SBUF_INIT, old = SBUF_INIT;
	struct diff_pathcache pc = { { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0, 0 };
	size_t i = 0, j, k, w;
	static const enum fmt_color mcolor[DIFF_NCHANGE] = { FC_RED, FC_GREEN, FC_DIM };

	while (i < d->n) {
		/* One package: [i, j). */
		for (j = i; j < d->n && d->items[j].pkg == d->items[i].pkg; j++)
			;
		for (w = 0, k = i; k < j; k++)
			if (shown(o, &d->items[k])) {
				pos_of(st, &d->items[k], &pc, &path, &pos);
				if (fmt_text_width(pos.buf) > w)
					w = fmt_text_width(pos.buf);
			}
		if (w == 0) {
			i = j;
			continue;
		}
		fprintf(fp, "%s", fmt_sgr(o->color, FC_BOLD));
		fmt_text(fp, store_str(st, d->items[i].pkg));
		fprintf(fp, "%s\n", fmt_sgr(o->color, FC_RESET));
		for (k = i; k < j; k++) {
			const struct diff_item *it = &d->items[k];

			if (!shown(o, it))
				continue;
			pos_of(st, it, &pc, &path, &pos);
			fprintf(fp, "%s%c ", fmt_sgr(o->color, mcolor[it->change]), markers[it->change]);
			fmt_text_pad(fp, pos.buf, w, 0);
			fputc(' ', fp);
			fmt_text(fp, store_str(st, it->message));
			if (it->change == DIFF_MOVED) {
				fputs(" (was ", fp);
				if (it->old_file != it->file) {
					struct diff_item oi = *it;
					oi.file = it->old_file;
					diff_item_path(st, &oi, &pc, &old);
					fmt_text(fp, old.buf);
					fputc(':', fp);
				}
				fprintf(fp, "%d", it->old_line);
				if (it->old_col > 0)
					fprintf(fp, ":%d", it->old_col);
				if (it->old_func != it->func && store_str(st, it->old_func)[0]) {
					fputs(" in ", fp);
					fmt_text(fp, store_str(st, it->old_func));
				}
				fputc(')', fp);
			}
			fprintf(fp, "%s\n", fmt_sgr(o->color, FC_RESET));
		}
		i = j;
	}
	diff_summary_line(d, o, fp);
	sbuf_release(&path);
	sbuf_release(&pos);
	sbuf_release(&old);
	diff_pathcache_release(&pc);
	return ferror(fp) ? -1 : 0;
}

/* ---- JSON ---- */

/* "old": where a moved finding was in BASE, its key there, and the pass
 * that paired it. */
static void
was_object(struct store *st, const struct diff_item *it, cJSON *obj)
{
	cJSON *w = cJSON_AddObjectToObject(obj, "old");
	char key[17];

	fmt_json_add_str(w, "file", store_str(st, it->old_file));
	fmt_json_add_int(w, "line", it->old_line);
	fmt_json_add_int(w, "col", it->old_col);
	fmt_json_add_str(w, "func", store_str(st, it->old_func));
	finding_key_hex(it->old_key, key);
	fmt_json_add_str(w, "key", key);
	fmt_json_add_str(w, "match", match_pass_name((enum match_pass)it->pass));
}

int
diff_render_json(struct store *st, const struct diff *d, const struct diff_render_opts *o,
    FILE *fp, int lines)
{
	struct json_stream js;
	struct arena scratch = ARENA_INIT;
	struct sbuf blob = SBUF_INIT, pos = SBUF_INIT;
	struct finding_rec r;
	sqlite3_stmt *fs = NULL;
	size_t i;
	int rc = 0;

	json_stream_begin(&js, fp, lines);
	for (i = 0; i < d->n && !ferror(fp); i++) {
		const struct diff_item *it = &d->items[i];
		const char *commit = it->run == d->base ? o->base_commit : o->head_commit;
		cJSON *obj;

		if (!shown(o, it))
			continue;
		if (diff_item_rec(st, it, &fs, &blob, &r) != 0) {
			rc = -1;
			break;
		}
		obj = finding_to_json(st, &r, commit, &scratch);
		finding_json_set_change(obj, diff_change_name(it->change));
		if (it->change == DIFF_MOVED) {
			finding_pos_text(&pos, store_str(st, it->old_file), it->old_line, it->old_col);
			fmt_json_add_str(obj, "was", pos.buf);
			was_object(st, it, obj);
		}
		json_stream_add(&js, obj);
		cJSON_Delete(obj);
		arena_reset(&scratch);
	}
	json_stream_end(&js);
	sqlite3_finalize(fs);
	arena_release(&scratch);
	sbuf_release(&blob);
	sbuf_release(&pos);
	return rc || ferror(fp) ? -1 : 0;
}

/* ---- Markdown ---- */

/* s as a code span in a table cell: '|' escaped (GFM unescapes it before
 * the span), CR/LF a space, other control bytes '?', and a longer fence
 * when s holds backticks.  Backslashes stay literal, as code spans want. */
static void
md_code(FILE *fp, const char *s)
{
	const char *p;
	int tick = strchr(s, '`') != NULL;

	fputs(tick ? "`` " : "`", fp);
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '|')
			fputs("\\|", fp);
		else if (c == '\r' || c == '\n')
			fputc(' ', fp);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', fp);
		else
			fputc(c, fp);
	}
	fputs(tick ? " ``" : "`", fp);
}

int
diff_render_md(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp)
{
	struct sbuf path = SBUF_INIT, pos = SBUF_INIT;
	struct diff_pathcache pc = { { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0, 1 };
	size_t i, nshown = 0;
	char key[17];

	fprintf(fp, "### escdb %s: ", o->gate ? "gate" : "diff");
	if (o->gate)
		fputs(d->count[DIFF_NEW] > o->max_new ? "**failed**, " : "passed, ", fp);
	diff_summary_line(d, o, fp);
	for (i = 0; i < d->n; i++)
		nshown += shown(o, &d->items[i]);
	if (nshown) {
		fputs("\n| change | package | position | kind | message | key |\n"
		    "|---|---|---|---|---|---|\n", fp);
		for (i = 0; i < d->n; i++) {
			const struct diff_item *it = &d->items[i];

			if (!shown(o, it))
				continue;
			pos_of(st, it, &pc, &path, &pos);
			pos.buf[--pos.len] = '\0';      /* the trailing ':' */
			fprintf(fp, "| %s | ", diff_change_name(it->change));
			md_code(fp, store_str(st, it->pkg));
			fputs(" | ", fp);
			md_code(fp, pos.buf);
			fprintf(fp, " | %s | ", esc_kind_name(it->kind));
			md_code(fp, store_str(st, it->message));
			finding_key_hex(it->key, key);
			fprintf(fp, " | `%s` |\n", key);
		}
	}
	sbuf_release(&path);
	sbuf_release(&pos);
	diff_pathcache_release(&pc);
	return ferror(fp) ? -1 : 0;
}
