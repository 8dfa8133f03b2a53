/*
 * format: the output formats shared by every reporting command — JSON
 * (cJSON), CSV (RFC 4180 quoting), Markdown tables, aligned text tables
 * with control characters made harmless, optional ANSI colour — and a
 * small table of strings rendered in any of them.  Writes to a caller's
 * FILE * and prints nothing else.  Callers: cmd/ and report/.
 */
#ifndef ESCDB_FORMAT_H
#define ESCDB_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* ---- plain text ---- */

/* Writes s with every byte < 0x20, 0x7f and every UTF-8 encoded C1
 * control (U+0080..U+009F) shown as '?', so compiler text cannot inject
 * terminal escapes.  s may be NULL (writes nothing). */
void fmt_text(FILE *fp, const char *s);
/* The display width of s as fmt_text writes it: one column per UTF-8
 * code point (continuation bytes do not count). */
size_t fmt_text_width(const char *s);
/* fmt_text, then spaces up to width columns (left-aligned), or spaces
 * first (right-aligned when right is non-zero). */
void fmt_text_pad(FILE *fp, const char *s, size_t width, int right);
/* A finding's position in text output: FILE:LINE[:COL] as each command
 * prints it, or, for a verdict the compiler printed without a position
 * (file "" and line 0), the compiler's own words for it. */
#define FMT_POS_UNKNOWN "<unknown line number>"
int fmt_pos_unknown(const char *file, int line);
/* Writes FILE:LINE:COL (":COL" only when col > 0 and always_col is 0),
 * or FMT_POS_UNKNOWN, with fmt_text. */
void fmt_pos(FILE *fp, const char *file, int line, int col, int always_col);

/* ---- colour ---- */
enum fmt_color {
	FC_RESET, FC_BOLD, FC_DIM, FC_RED, FC_GREEN, FC_YELLOW, FC_BLUE,
	FC_MAGENTA, FC_CYAN, FC_N
};
/* The SGR sequence of c when on is non-zero, else "".  Static storage. */
const char *fmt_sgr(int on, enum fmt_color c);

/* ---- CSV (RFC 4180 quoting; records end in "\n") ---- */

/* One field: quoted when it holds a comma, a quote, CR or LF, with
 * quotes doubled.  NULL is an empty field. */
void fmt_csv_field(FILE *fp, const char *s);
/* A whole record: n fields separated by commas, then "\n". */
void fmt_csv_row(FILE *fp, const char *const *fields, size_t n);

/* ---- Markdown ---- */

/* A table cell's text: '|' and '\' are backslash-escaped, CR/LF become a
 * space, other control characters '?'. */
void fmt_md_cell(FILE *fp, const char *s);

/* ---- JSON ---- */

/* Makes cJSON allocate through xmalloc (exit 4 on out of memory), so no
 * cJSON_Create* returns NULL.  Idempotent; report/ calls it itself. */
void fmt_json_init(void);
/* A JSON string of s (NULL is ""), with invalid UTF-8 sequences replaced
 * by U+FFFD so the output always parses.  Caller owns the item (usually
 * by adding it to an object). */
cJSON *fmt_json_string(const char *s);
/* Adds "name": fmt_json_string(s) / a number to obj. */
void fmt_json_add_str(cJSON *obj, const char *name, const char *s);
void fmt_json_add_int(cJSON *obj, const char *name, int64_t v);
/* Prints v compactly (pretty == 0) or indented by two spaces (an object
 * or array holding scalars only stays on one line), without a newline.
 * Does not free v.  Returns 0, or -1 if the stream has an error. */
int fmt_json_print(FILE *fp, const cJSON *v, int pretty);

/* Streams a sequence of JSON values without holding them all: as a JSON
 * array ("[", values separated by ",\n", "]\n") or as JSON lines (one
 * value a line).  State only; nothing to release. */
struct json_stream {
	FILE *fp;
	int lines;              /* 1: JSON lines; 0: one array */
	size_t n;               /* values written so far */
};
void json_stream_begin(struct json_stream *js, FILE *fp, int lines);
/* Writes v (compact); does not free it. */
void json_stream_add(struct json_stream *js, const cJSON *v);
/* Closes the array ("[]" when empty); nothing for JSON lines. */
void json_stream_end(struct json_stream *js);

/* ---- tables ---- */
enum table_fmt { TF_TEXT, TF_CSV, TF_MD, TF_JSON, TF_JSONL };

enum {
	TC_NUM = 1,             /* right-aligned in text/md; a JSON number */
	TC_NULLABLE = 2         /* an empty cell is JSON null, not "" */
};

/* A table of strings: a header and rows, each cell owned by the table.
 * Rows marked as totals are drawn in text and md (after a rule) and left
 * out of csv and json, which carry data rows only. */
struct table {
	size_t ncols;
	char **header;          /* owned copies */
	unsigned *colflags;     /* TC_* per column */
	size_t nrows, cap;
	char **cells;           /* nrows * ncols, owned; NULL means "" */
	unsigned char *total;   /* per row: a total row */
};

/* Sets up t with ncols columns named by header (copied). */
void table_init(struct table *t, size_t ncols, const char *const *header);
void table_col_flags(struct table *t, size_t col, unsigned flags);
/* Appends an empty row and returns its index. */
size_t table_add_row(struct table *t);
/* Marks row as a total row. */
void table_mark_total(struct table *t, size_t row);
/* Sets a cell to a copy of s (NULL allowed). */
void table_set(struct table *t, size_t row, size_t col, const char *s);
void table_setf(struct table *t, size_t row, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void table_set_int(struct table *t, size_t row, size_t col, int64_t v);
/* The text of a cell ("" when unset). */
const char *table_get(const struct table *t, size_t row, size_t col);
/* Renders t: text is aligned with the header in bold when color is on
 * (column widths over the header and every row); json is an array of
 * objects keyed by the header, jsonl one object a line.  Returns 0, or -1
 * on a write error (ferror on fp). */
int table_render(const struct table *t, enum table_fmt f, FILE *fp, int color);
/* Row r as a JSON object keyed by the header (TC_NUM cells as numbers).
 * Caller frees with cJSON_Delete (or adds it to a parent). */
cJSON *table_row_to_json(const struct table *t, size_t row);
/* Frees the contents; t may be set up again with table_init. */
void table_release(struct table *t);

#endif
