/*
 * diff: the multiset difference of two runs by identity key, baselines,
 * and the text/JSON/Markdown renderings (see diff.h).
 */
#include "diff.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "finding_json.h"
#include "format.h"

static const char *const change_names[DIFF_NCHANGE] = { "new", "fixed", "moved" };

const char *
diff_change_name(enum diff_change c)
{
	return (unsigned)c < DIFF_NCHANGE ? change_names[c] : "";
}

int
diff_parse_kinds(const char *list, unsigned *mask, char *bad, size_t badsz)
{
	const char *p = list, *e;
	unsigned m = 0;
	int k;

	for (;;) {
		e = p + strcspn(p, ",");
		while (p < e && *p == ' ')
			p++;
		if (e > p) {
			if ((size_t)(e - p) == 3 && strncmp(p, "all", 3) == 0)
				m |= (1u << ESC_KIND_N) - 1;
			else if ((k = esc_kind_parse(p, (size_t)(e - p))) < 0) {
				if (bad)
					snprintf(bad, badsz, "%.*s", (int)(e - p), p);
				return -1;
			} else
				m |= 1u << k;
		}
		if (*e == '\0')
			break;
		p = e + 1;
	}
	if (m == 0) {
		if (bad)
			snprintf(bad, badsz, "%s", list);
		return -1;
	}
	*mask = m;
	return 0;
}

/* ---- computing ---- */

static int
load_run(struct store *st, int64_t run, unsigned mask, struct diff_item **out, size_t *n)
{
	sqlite3_stmt *s;
	struct diff_item *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT id, key, kind, pkg, file, line, col, func, subject, detail, "
	    "message, cause FROM finding WHERE run = ?", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading findings");
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(s, 2);
		struct diff_item *it;

		if (kind < 0 || kind >= ESC_KIND_N || !(mask & (1u << kind)))
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		it = &v[len++];
		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(s, 0);
		it->run = run;
		it->key = (uint64_t)sqlite3_column_int64(s, 1);
		it->kind = (enum esc_kind)kind;
		it->pkg = sqlite3_column_int64(s, 3);
		it->file = sqlite3_column_int64(s, 4);
		it->line = sqlite3_column_int(s, 5);
		it->col = sqlite3_column_int(s, 6);
		it->func = sqlite3_column_int64(s, 7);
		it->subject = sqlite3_column_int64(s, 8);
		it->detail = sqlite3_column_int64(s, 9);
		it->message = sqlite3_column_int64(s, 10);
		it->cause = sqlite3_column_int(s, 11);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_fail(st, "reading findings");
	}
	*out = v;
	*n = len;
	return STORE_OK;
}

static int
by_key(const void *a, const void *b)
{
	const struct diff_item *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct sorted {
	const char *pkg, *file;
	struct diff_item it;
};

static int
by_pos(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	int c;

	if ((c = strcmp(x->pkg, y->pkg)) != 0)
		return c;
	if ((c = strcmp(x->file, y->file)) != 0)
		return c;
	if (x->it.line != y->it.line)
		return x->it.line < y->it.line ? -1 : 1;
	if (x->it.col != y->it.col)
		return x->it.col < y->it.col ? -1 : 1;
	if (x->it.change != y->it.change)
		return x->it.change < y->it.change ? -1 : 1;
	return x->it.id < y->it.id ? -1 : x->it.id > y->it.id;
}

static void
push(struct diff *d, size_t *cap, const struct diff_item *it, enum diff_change c)
{
	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->items = xreallocarray(d->items, *cap, sizeof(*d->items));
	}
	d->items[d->n] = *it;
	d->items[d->n].change = c;
	d->count[c]++;
	d->n++;
}

int
diff_compute(struct store *st, int64_t base, int64_t head, unsigned mask, struct diff *d)
{
	struct diff_item *b = NULL, *h = NULL;
	size_t nb = 0, nh = 0, i = 0, j = 0, cap = 0;
	struct sorted *srt;
	int rc;

	memset(d, 0, sizeof(*d));
	d->base = base;
	d->head = head;
	if ((rc = load_run(st, base, mask, &b, &nb)) != STORE_OK)
		return rc;
	if ((rc = load_run(st, head, mask, &h, &nh)) != STORE_OK) {
		free(b);
		return rc;
	}
	if (nb)
		qsort(b, nb, sizeof(*b), by_key);
	if (nh)
		qsort(h, nh, sizeof(*h), by_key);
	/* Merge: the k-th BASE finding of a key pairs with the k-th HEAD one. */
	while (i < nb || j < nh) {
		if (j == nh || (i < nb && b[i].key < h[j].key))
			push(d, &cap, &b[i++], DIFF_FIXED);
		else if (i == nb || h[j].key < b[i].key)
			push(d, &cap, &h[j++], DIFF_NEW);
		else {
			if (b[i].file != h[j].file || b[i].line != h[j].line ||
			    b[i].col != h[j].col) {
				struct diff_item m = h[j];
				m.old_file = b[i].file;
				m.old_line = b[i].line;
				m.old_col = b[i].col;
				push(d, &cap, &m, DIFF_MOVED);
			} else
				d->unchanged++;
			i++;
			j++;
		}
	}
	free(b);
	free(h);
	srt = xreallocarray(NULL, d->n ? d->n : 1, sizeof(*srt));
	for (i = 0; i < d->n; i++) {
		srt[i].pkg = store_str(st, d->items[i].pkg);
		srt[i].file = store_str(st, d->items[i].file);
		srt[i].it = d->items[i];
	}
	if (d->n)
		qsort(srt, d->n, sizeof(*srt), by_pos);
	for (i = 0; i < d->n; i++)
		d->items[i] = srt[i].it;
	free(srt);
	return STORE_OK;
}

void
diff_release(struct diff *d)
{
	free(d->items);
	memset(d, 0, sizeof(*d));
}

/* ---- baselines ---- */

int
baseline_write(struct store *st, int64_t run, const char *commit, unsigned mask, FILE *fp)
{
	struct diff_item *v = NULL;
	size_t n = 0, i;
	cJSON *doc, *arr;
	int rc;
	char key[17];

	if ((rc = load_run(st, run, mask, &v, &n)) != STORE_OK)
		return rc;
	{
		struct sorted *srt = xreallocarray(NULL, n ? n : 1, sizeof(*srt));
		for (i = 0; i < n; i++) {
			srt[i].pkg = store_str(st, v[i].pkg);
			srt[i].file = store_str(st, v[i].file);
			srt[i].it = v[i];
		}
		if (n)
			qsort(srt, n, sizeof(*srt), by_pos);
		for (i = 0; i < n; i++)
			v[i] = srt[i].it;
		free(srt);
	}
	fmt_json_init();
	doc = cJSON_CreateObject();
	fmt_json_add_int(doc, "version", 1);
	fmt_json_add_int(doc, "run", run);
	fmt_json_add_str(doc, "commit", commit);
	arr = cJSON_AddArrayToObject(doc, "findings");
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		finding_key_hex(v[i].key, key);
		fmt_json_add_str(o, "key", key);
		fmt_json_add_str(o, "package", store_str(st, v[i].pkg));
		fmt_json_add_str(o, "file", store_str(st, v[i].file));
		fmt_json_add_str(o, "func", store_str(st, v[i].func));
		fmt_json_add_str(o, "kind", esc_kind_name(v[i].kind));
		fmt_json_add_str(o, "message", store_str(st, v[i].message));
		fmt_json_add_str(o, "reason", "");
		cJSON_AddItemToArray(arr, o);
	}
	fmt_json_print(fp, doc, 1);
	fputc('\n', fp);
	cJSON_Delete(doc);
	free(v);
	return STORE_OK;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
baseline_parse(const char *text, struct baseline *b, char *err, size_t errsz)
{
	cJSON *doc, *arr, *e;
	size_t cap = 0, idx = 0;

	memset(b, 0, sizeof(*b));
	fmt_json_init();
	doc = cJSON_Parse(text);
	if (doc == NULL) {
		snprintf(err, errsz, "not valid JSON");
		return -1;
	}
	arr = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "findings");
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errsz, "no \"findings\" array");
		cJSON_Delete(doc);
		return -1;
	}
	cJSON_ArrayForEach(e, arr) {
		cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "key");
		char *end;
		uint64_t v;

		idx++;
		if (!cJSON_IsString(k) || strlen(k->valuestring) == 0 ||
		    strlen(k->valuestring) > 16) {
			snprintf(err, errsz, "entry %zu: missing or bad \"key\"", idx);
			goto bad;
		}
		v = strtoull(k->valuestring, &end, 16);
		if (*end != '\0') {
			snprintf(err, errsz, "entry %zu: bad key '%s'", idx, k->valuestring);
			goto bad;
		}
		if (b->n == cap) {
			cap = cap ? cap * 2 : 64;
			b->keys = xreallocarray(b->keys, cap, sizeof(*b->keys));
		}
		b->keys[b->n++] = v;
	}
	cJSON_Delete(doc);
	if (b->n)
		qsort(b->keys, b->n, sizeof(*b->keys), cmp_u64);
	return 0;
bad:
	cJSON_Delete(doc);
	baseline_release(b);
	return -1;
}

int
baseline_has(const struct baseline *b, uint64_t key)
{
	return b->n && bsearch(&key, b->keys, b->n, sizeof(*b->keys), cmp_u64) != NULL;
}

void
baseline_release(struct baseline *b)
{
	free(b->keys);
	memset(b, 0, sizeof(*b));
}

void
diff_apply_baseline(struct diff *d, const struct baseline *b)
{
	size_t i, j = 0;

	for (i = 0; i < d->n; i++) {
		if (d->items[i].change == DIFF_NEW && baseline_has(b, d->items[i].key)) {
			d->accepted++;
			d->count[DIFF_NEW]--;
			continue;
		}
		d->items[j++] = d->items[i];
	}
	d->n = j;
}

/* ---- shared helpers ---- */

int
diff_item_rec(struct store *st, const struct diff_item *it, sqlite3_stmt **stmt,
    struct sbuf *blob, struct finding_rec *r)
{
	sqlite3_stmt *s;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->id = it->id;
	r->run = it->run;
	r->package = store_str(st, it->pkg);
	r->file = store_str(st, it->file);
	r->line = it->line;
	r->col = it->col;
	r->func = store_str(st, it->func);
	r->kind = it->kind;
	r->subject = store_str(st, it->subject);
	r->detail = store_str(st, it->detail);
	r->message = store_str(st, it->message);
	r->cause = it->cause;
	r->key = it->key;
	if (blob == NULL || stmt == NULL)
		return 0;
	sbuf_reset(blob);
	if (*stmt == NULL && sqlite3_prepare_v2(store_db(st),
	    "SELECT flows FROM finding WHERE id = ?", -1, stmt, NULL) != SQLITE_OK) {
		store_fail(st, "reading flows");
		return -1;
	}
	s = *stmt;
	sqlite3_bind_int64(s, 1, it->id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) > 0) {
			sbuf_add(blob, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
			r->flows = blob->buf;
			r->flowslen = blob->len;
		}
	} else
		rc = (store_fail(st, "reading flows"), -1);
	sqlite3_reset(s);
	return rc;
}

/* The package directory relative to the run's directory, with a
 * trailing '/', or "" when unknown. */
static char *
pkg_prefix(struct store *st, int64_t run, int64_t pkg)
{
	sqlite3_stmt *s;
	char *res = xstrdup("");

	if (sqlite3_prepare_v2(store_db(st), "SELECT r.dir, p.dir FROM run r JOIN package p "
	    "ON p.run = r.id WHERE r.id = ? AND p.name = ?", -1, &s, NULL) != SQLITE_OK)
		return res;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, pkg);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *rd = (const char *)sqlite3_column_text(s, 0);
		const char *pd = (const char *)sqlite3_column_text(s, 1);
		size_t n = rd ? strlen(rd) : 0;

		while (n > 1 && rd[n - 1] == '/')
			n--;
		if (n && pd && strncmp(pd, rd, n) == 0 && pd[n] == '/' && pd[n + 1]) {
			free(res);
			res = xmalloc(strlen(pd + n + 1) + 2);
			sprintf(res, "%s/", pd + n + 1);
		}
	}
	sqlite3_finalize(s);
	return res;
}

const char *
diff_item_path(struct store *st, const struct diff_item *it, struct diff_pathcache *pc,
    struct sbuf *out)
{
	const char *file = store_str(st, it->file);
	int slot = 0;

	sbuf_reset(out);
	if (file[0] != '/' && file[0] != '$' && file[0] != '<' && strncmp(file, "../", 3) != 0) {
		if (pc->prefix[0] && pc->run[0] == it->run && pc->pkg[0] == it->pkg)
			slot = 0;
		else if (pc->prefix[1] && pc->run[1] == it->run && pc->pkg[1] == it->pkg)
			slot = 1;
		else {
			slot = pc->next;
			pc->next ^= 1;
			free(pc->prefix[slot]);
			pc->prefix[slot] = pkg_prefix(st, it->run, it->pkg);
			pc->run[slot] = it->run;
			pc->pkg[slot] = it->pkg;
		}
		sbuf_adds(out, pc->prefix[slot]);
	}
	sbuf_adds(out, file);
	return out->buf;
}

void
diff_pathcache_release(struct diff_pathcache *pc)
{
	free(pc->prefix[0]);
	free(pc->prefix[1]);
	memset(pc, 0, sizeof(*pc));
}

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
	struct diff_pathcache pc = { { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0 };
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
	struct diff_pathcache pc = { { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0 };
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
