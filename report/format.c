/*
 * format: text, colour, CSV, Markdown and JSON writers and the string
 * table every reporting command renders through (see format.h).
 */
#include "format.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

/* ---- plain text ---- */

/* Length of a UTF-8 encoded C1 control (C2 80..C2 9F) at p, else 0. */
static size_t
c1_len(const unsigned char *p)
{
	return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f ? 2 : 0;
}

static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

void
fmt_text(FILE *fp, const char *s)
{
	const unsigned char *p, *run;
	size_t k;

	if (s == NULL)
		return;
	p = run = (const unsigned char *)s;
	while (*p) {
		if (is_ctl(*p))
			k = 1;
		else if ((k = c1_len(p)) == 0) {
			p++;
			continue;
		}
		fwrite(run, 1, (size_t)(p - run), fp);
		fputc('?', fp);
		p += k;
		run = p;
	}
	fwrite(run, 1, (size_t)(p - run), fp);
}

int
fmt_pos_unknown(const char *file, int line)
{
	return line == 0 && (file == NULL || file[0] == '\0');
}

void
fmt_pos(FILE *fp, const char *file, int line, int col, int always_col)
{
	if (fmt_pos_unknown(file, line)) {
		fputs(FMT_POS_UNKNOWN, fp);
		return;
	}
	fmt_text(fp, file);
	fprintf(fp, ":%d", line);
	if (always_col || col > 0)
		fprintf(fp, ":%d", col);
}

size_t
fmt_text_width(const char *s)
{
	const unsigned char *p;
	size_t w = 0;

	if (s == NULL)
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			w++;
	return w;
}

static void
spaces(FILE *fp, size_t n)
{
	while (n-- > 0)
		fputc(' ', fp);
}

void
fmt_text_pad(FILE *fp, const char *s, size_t width, int right)
{
	size_t w = fmt_text_width(s);
	size_t pad = w < width ? width - w : 0;

	if (right)
		spaces(fp, pad);
	fmt_text(fp, s);
	if (!right)
		spaces(fp, pad);
}

/* ---- colour ---- */

static const char *const sgr[FC_N] = {
	"\033[0m", "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m",
	"\033[34m", "\033[35m", "\033[36m"
};

const char *
fmt_sgr(int on, enum fmt_color c)
{
	if (!on || (unsigned)c >= FC_N)
		return "";
	return sgr[c];
}

/* ---- CSV ---- */

void
fmt_csv_field(FILE *fp, const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

void
fmt_csv_row(FILE *fp, const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', fp);
		fmt_csv_field(fp, fields[i]);
	}
	fputc('\n', fp);
}

/* ---- Markdown ---- */

void
fmt_md_cell(FILE *fp, const char *s)
{
	const unsigned char *p;
	size_t k;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '|' || *p == '\\') {
			fputc('\\', fp);
			fputc(*p, fp);
		} else if (*p == '\n' || *p == '\r')
			fputc(' ', fp);
		else if (is_ctl(*p))
			fputc('?', fp);
		else if ((k = c1_len(p)) != 0) {
			fputc('?', fp);
			p += k - 1;
		} else
			fputc(*p, fp);
	}
}

/* ---- JSON ---- */

void
fmt_json_init(void)
{
	static int done;
	cJSON_Hooks h;

	if (done)
		return;
	h.malloc_fn = xmalloc;
	h.free_fn = free;
	cJSON_InitHooks(&h);
	done = 1;
}

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
			return 0;       /* overlong; surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

cJSON *
fmt_json_string(const char *s)
{
	const unsigned char *p;
	struct sbuf sb = SBUF_INIT;
	size_t k;
	cJSON *v;

	fmt_json_init();
	if (s == NULL)
		s = "";
	for (p = (const unsigned char *)s; *p; p += k)
		if ((k = utf8_len(p)) == 0)
			break;
	if (*p == '\0')
		return cJSON_CreateString(s);
	sbuf_add(&sb, s, (size_t)(p - (const unsigned char *)s));
	while (*p) {
		if ((k = utf8_len(p)) == 0) {
			sbuf_adds(&sb, "\xef\xbf\xbd");
			k = 1;
		} else
			sbuf_add(&sb, p, k);
		p += k;
	}
	v = cJSON_CreateString(sb.buf);
	sbuf_release(&sb);
	return v;
}

void
fmt_json_add_str(cJSON *obj, const char *name, const char *s)
{
	cJSON_AddItemToObject(obj, name, fmt_json_string(s));
}

void
fmt_json_add_int(cJSON *obj, const char *name, int64_t v)
{
	fmt_json_init();
	cJSON_AddItemToObject(obj, name, cJSON_CreateNumber((double)v));
}

static void
json_compact(FILE *fp, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	if (s == NULL)
		xalloc_die();
	/* xalloc_die() does not return; cppcheck cannot see that (issue 7) */
	// cppcheck-suppress nullPointerRedundantCheck
	fputs(s, fp);
	free(s);
}

static void
json_key(FILE *fp, const char *k)
{
	cJSON *ref = cJSON_CreateStringReference(k ? k : "");

	json_compact(fp, ref);
	cJSON_Delete(ref);
	fputs(": ", fp);
}

/* Two-space indentation; a container of scalars only stays on one line. */
static void
json_pretty(FILE *fp, const cJSON *v, int depth)
{
	const cJSON *c;
	int obj = cJSON_IsObject(v), flat = 1, i;

	if (!obj && !cJSON_IsArray(v)) {
		json_compact(fp, v);
		return;
	}
	for (c = v->child; c; c = c->next)
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			flat = 0;
	fputc(obj ? '{' : '[', fp);
	for (c = v->child; c; c = c->next) {
		if (flat) {
			if (c != v->child)
				fputs(", ", fp);
		} else {
			fputc('\n', fp);
			for (i = 0; i <= depth; i++)
				fputs("  ", fp);
		}
		if (obj)
			json_key(fp, c->string);
		json_pretty(fp, c, depth + 1);
		if (!flat && c->next)
			fputc(',', fp);
	}
	if (!flat) {
		fputc('\n', fp);
		for (i = 0; i < depth; i++)
			fputs("  ", fp);
	}
	fputc(obj ? '}' : ']', fp);
}

int
fmt_json_print(FILE *fp, const cJSON *v, int pretty)
{
	fmt_json_init();
	if (pretty)
		json_pretty(fp, v, 0);
	else
		json_compact(fp, v);
	return ferror(fp) ? -1 : 0;
}

void
json_stream_begin(struct json_stream *js, FILE *fp, int lines)
{
	js->fp = fp;
	js->lines = lines;
	js->n = 0;
	if (!lines)
		fputc('[', fp);
}

void
json_stream_add(struct json_stream *js, const cJSON *v)
{
	if (!js->lines && js->n > 0)
		fputs(",\n", js->fp);
	fmt_json_print(js->fp, v, 0);
	if (js->lines)
		fputc('\n', js->fp);
	js->n++;
}

void
json_stream_end(struct json_stream *js)
{
	if (!js->lines)
		fputs("]\n", js->fp);
}

/* ---- tables ---- */

void
table_init(struct table *t, size_t ncols, const char *const *header)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->header = xcalloc(ncols, sizeof(*t->header));
	t->colflags = xcalloc(ncols, sizeof(*t->colflags));
	for (i = 0; i < ncols; i++)
		t->header[i] = xstrdup(header[i]);
}

void
table_col_flags(struct table *t, size_t col, unsigned flags)
{
	if (col < t->ncols)
		t->colflags[col] = flags;
}

size_t
table_add_row(struct table *t)
{
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		t->cells = xreallocarray(t->cells, ncap * t->ncols, sizeof(*t->cells));
		t->total = xrealloc(t->total, ncap);
		t->cap = ncap;
	}
	memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof(*t->cells));
	t->total[t->nrows] = 0;
	return t->nrows++;
}

void
table_mark_total(struct table *t, size_t row)
{
	if (row < t->nrows)
		t->total[row] = 1;
}

void
table_set(struct table *t, size_t row, size_t col, const char *s)
{
	char **c;

	if (row >= t->nrows || col >= t->ncols)
		return;
	c = &t->cells[row * t->ncols + col];
	free(*c);
	*c = s ? xstrdup(s) : NULL;
}

void
table_setf(struct table *t, size_t row, size_t col, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sbuf_grow(&sb, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(sb.buf, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb.len = (size_t)n;
	s = sbuf_detach(&sb);
	if (row < t->nrows && col < t->ncols) {
		free(t->cells[row * t->ncols + col]);
		t->cells[row * t->ncols + col] = s;
	} else
		free(s);
}

void
table_set_int(struct table *t, size_t row, size_t col, int64_t v)
{
	table_setf(t, row, col, "%lld", (long long)v);
}

const char *
table_get(const struct table *t, size_t row, size_t col)
{
	const char *s;

	if (row >= t->nrows || col >= t->ncols)
		return "";
	s = t->cells[row * t->ncols + col];
	return s ? s : "";
}

/* One line of an aligned table: cells after the last non-empty one are
 * left out and the last one is not padded on the right, so no line ends
 * in blanks. */
static void
text_line(const struct table *t, FILE *fp, const size_t *w, char *const *cells,
    const char *pre, const char *post)
{
	size_t c, last = 0;

	fputs(pre, fp);
	for (c = 0; c < t->ncols; c++)
		if (cells[c] != NULL && cells[c][0] != '\0')
			last = c;
	for (c = 0; c <= last; c++) {
		int right = (t->colflags[c] & TC_NUM) != 0;
		if (c)
			fputs("  ", fp);
		fmt_text_pad(fp, cells[c], c < last || right ? w[c] : 0, right);
	}
	fputs(post, fp);
	fputc('\n', fp);
}

static int
render_text(const struct table *t, FILE *fp, int color)
{
	size_t *w = xcalloc(t->ncols, sizeof(*w));
	size_t r, c, total = 0;

	for (c = 0; c < t->ncols; c++) {
		w[c] = fmt_text_width(t->header[c]);
		for (r = 0; r < t->nrows; r++) {
			size_t cw = fmt_text_width(table_get(t, r, c));
			if (cw > w[c])
				w[c] = cw;
		}
		total += w[c] + (c ? 2 : 0);
	}
	text_line(t, fp, w, t->header, fmt_sgr(color, FC_BOLD), fmt_sgr(color, FC_RESET));
	for (r = 0; r < t->nrows; r++) {
		if (t->total[r] && (r == 0 || !t->total[r - 1])) {
			for (c = 0; c < total; c++)
				fputc('-', fp);
			fputc('\n', fp);
		}
		text_line(t, fp, w, t->cells + r * t->ncols,
		    fmt_sgr(color && t->total[r], FC_BOLD),
		    fmt_sgr(color && t->total[r], FC_RESET));
	}
	free(w);
	return 0;
}

static void
render_csv(const struct table *t, FILE *fp)
{
	size_t r, c;

	fmt_csv_row(fp, (const char *const *)t->header, t->ncols);
	for (r = 0; r < t->nrows; r++) {
		if (t->total[r])
			continue;
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', fp);
			fmt_csv_field(fp, table_get(t, r, c));
		}
		fputc('\n', fp);
	}
}

static void
render_md(const struct table *t, FILE *fp)
{
	size_t r, c;

	fputc('|', fp);
	for (c = 0; c < t->ncols; c++) {
		fputc(' ', fp);
		fmt_md_cell(fp, t->header[c]);
		fputs(" |", fp);
	}
	fputs("\n|", fp);
	for (c = 0; c < t->ncols; c++)
		fputs(t->colflags[c] & TC_NUM ? "---:|" : "---|", fp);
	fputc('\n', fp);
	for (r = 0; r < t->nrows; r++) {
		fputc('|', fp);
		for (c = 0; c < t->ncols; c++) {
			const char *s = table_get(t, r, c);
			int bold = t->total[r] && s[0] != '\0';
			fputc(' ', fp);
			if (bold)
				fputs("**", fp);
			fmt_md_cell(fp, s);
			if (bold)
				fputs("**", fp);
			fputs(" |", fp);
		}
		fputc('\n', fp);
	}
}

cJSON *
table_row_to_json(const struct table *t, size_t r)
{
	cJSON *o;
	size_t c;

	fmt_json_init();
	o = cJSON_CreateObject();
	for (c = 0; c < t->ncols; c++) {
		const char *s = table_get(t, r, c);
		cJSON *v;
		char *end;

		if (s[0] == '\0' && (t->colflags[c] & (TC_NULLABLE | TC_NUM)))
			v = cJSON_CreateNull();
		else if (t->colflags[c] & TC_NUM) {
			double d = strtod(s, &end);
			v = *end == '\0' ? cJSON_CreateNumber(d) : fmt_json_string(s);
		} else
			v = fmt_json_string(s);
		cJSON_AddItemToObject(o, t->header[c], v);
	}
	return o;
}

static void
render_json(const struct table *t, FILE *fp, int lines)
{
	struct json_stream js;
	size_t r;

	fmt_json_init();
	json_stream_begin(&js, fp, lines);
	for (r = 0; r < t->nrows; r++) {
		cJSON *o;
		if (t->total[r])
			continue;
		o = table_row_to_json(t, r);
		json_stream_add(&js, o);
		cJSON_Delete(o);
	}
	json_stream_end(&js);
}

int
table_render(const struct table *t, enum table_fmt f, FILE *fp, int color)
{
	switch (f) {
	case TF_TEXT:
		render_text(t, fp, color);
		break;
	case TF_CSV:
		render_csv(t, fp);
		break;
	case TF_MD:
		render_md(t, fp);
		break;
	case TF_JSON:
	case TF_JSONL:
		render_json(t, fp, f == TF_JSONL);
		break;
	}
	return ferror(fp) ? -1 : 0;
}

void
table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		free(t->header[i]);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->header);
	free(t->colflags);
	free(t->cells);
	free(t->total);
	memset(t, 0, sizeof(*t));
}
