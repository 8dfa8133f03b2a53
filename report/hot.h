/*
 * hot: the join of a pprof profile (parser/pprof.h) with the findings of
 * one run — which escapes cost how many bytes, objects or CPU — and its
 * renderings (text, json, jsonl, csv, md, html).  Owns the joined rows;
 * writes only to the caller's FILE *.  Callers: cmd/hot.c, and
 * cmd/explain.c, cmd/summary.c, cmd/gate.c for their --profile options.
 *
 * The join (the man page's "hot" section says the same):
 *  - A frame is a (function, file, line) of a location; a location's
 *    first line is its innermost (inlined) frame, and a sample's first
 *    location its leaf.
 *  - A frame is in run package K when the import path in its function
 *    name ("K.F", "K.(*T).M", "K.F[...]") is K; for functions of package
 *    main ("main.F") when the directory of its file ends with the most
 *    '/'-separated components of K's directory or import path.  Frames in
 *    *_test.go files are never the run's: a run compiles no test files.
 *  - The frame's file is the path below K's directory (or below K itself
 *    in a -trimpath build), else its basename.
 *  - A sample weighs on its innermost frame in the run's packages:
 *    "direct" when that is the leaf frame, "callee" otherwise.  Samples
 *    with no frame in the run's packages are counted in the total only.
 *  - The weight of a line is split evenly among the findings of the
 *    weighed kinds (default heap, moved) at that package, file and line
 *    (the profile has no column); a remainder of the integer division
 *    goes to the first findings in column order, so the parts add up
 *    exactly.  A line with no such finding is an allocation that escape
 *    analysis does not explain.
 */
#ifndef ESCDB_HOT_H
#define ESCDB_HOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "../parser/pprof.h"
#include "../store/store.h"
#include "format.h"

enum hot_via { HOT_DIRECT, HOT_CALLEE };

/* One row: a finding (rec.id != 0) or a line no finding explains
 * (rec.id == 0; rec holds package, file, line and func only). */
struct hot_row {
	struct finding_rec rec;         /* flows not loaded (NULL) */
	enum hot_via via;
	const char *callee;             /* heaviest function called from the
	                                   line, for via callee ("" else) */
	const char *path;               /* file as shown: package dir below the
	                                   run's dir, then the file */
	int64_t v[2];                   /* weights: primary, secondary */
};

struct hot {
	int vi[2];                      /* sample type indices; vi[1] -1: none */
	const char *key[2];             /* JSON names: "bytes", "objects",
	                                   "cpu_ns", "samples", or the type */
	const char *unit[2];            /* the profile's units */
	const char *type[2];            /* the profile's type names */
	int alloc;                      /* an allocation profile (bytes, objects) */
	unsigned kinds;                 /* the kinds that take weight */
	int64_t total[2];               /* the whole profile */
	int64_t inrun[2];               /* samples with a frame in the run */
	int64_t onfind[2], unexpl[2];   /* inrun = onfind + unexpl */
	struct hot_row *rows;           /* findings, heaviest first, then */
	size_t nrows, nfound;           /* the unexplained rows from nfound */
	struct arena strs;              /* rows' strings not owned by store */
};

struct hot_opts {
	const char *sample_index;       /* NULL: alloc_space, else cpu, else the
	                                   profile's default, else the last */
	unsigned kinds;                 /* kinds that take weight; 0: heap,moved */
};

enum hot_rc { HOT_OK = 0, HOT_EUSAGE = 2, HOT_EDB = 4 };

/* Joins profile p to the findings of run (its directory rundir, may be
 * "").  Returns HOT_OK, HOT_EUSAGE (bad sample index: message in err)
 * or HOT_EDB (message in err).  Caller releases h with hot_release; p
 * must outlive h. */
int hot_join(struct store *st, int64_t run, const char *rundir, const struct pprof *p,
    const struct hot_opts *o, struct hot *h, char *err, size_t errsz);
void hot_release(struct hot *h);

/* The primary weight of the findings with id (all rows, both vias), and
 * the share of the profile's total it is (0 when the total is 0). */
int64_t hot_finding_weight(const struct hot *h, int64_t id, double *share);
/* The share of the profile's total on package pkg, file, line (findings
 * and unexplained rows, both vias). */
double hot_line_share(const struct hot *h, const char *pkg, const char *file, int line);
/* Parses a share: a fraction ("0.05") or a percentage ("5%"), 0..1.
 * Returns 0, or -1 when s is neither. */
int hot_parse_share(const char *s, double *out);
/* A weight as text: "17.6 MB", "1.20 s", or the number, by unit. */
void hot_fmt_value(char *buf, size_t n, int64_t v, const char *unit);

enum hot_fmt { HF_TEXT, HF_JSON, HF_JSONL, HF_CSV, HF_MD, HF_HTML };

struct hot_render_opts {
	int64_t run;
	const char *commit;             /* the run's, may be "" */
	const char *profile;            /* the file name, for titles */
	size_t top;                     /* rows per list; 0: all */
	int color;
};

/* Renders h.  json and jsonl: finding objects (report/finding_json.h)
 * with the two weights, "share", "via", "callee" and "explained": true,
 * then objects for the unexplained lines ("explained": false, kind and
 * key null).  Returns 0, or -1 on a write error or HOT_EDB with the
 * message in store_errmsg. */
int hot_render(struct store *st, const struct hot *h, const struct hot_render_opts *o,
    enum hot_fmt f, FILE *fp);
/* v's share of the profile's total as a JSON number rounded to six
 * decimals.  Caller owns the item. */
cJSON *hot_share_json(const struct hot *h, int64_t v);
/* The findings table of the text form (share, the weights, via, kind,
 * cause, func, finding), its top rows (0: all); human: weights with
 * units, else exact numbers.  Caller releases t (summary's html page). */
void hot_findings_table(struct table *t, const struct hot *h, size_t top, int human);

/* ---- report/hot_views.c: weight where people already look ---- */

/* explain: the weight line of finding r ("  weight: 17.6 MB alloc_space
 * (98.9% of the profile), 128066 alloc_objects, direct"), or the weights
 * and "share" added to its JSON object; nothing for the kinds that take
 * no weight. */
void hot_explain_text(FILE *fp, const struct hot *h, const struct finding_rec *r);
void hot_explain_json(cJSON *obj, const struct hot *h, const struct finding_rec *r);

/* summary: a copy of table in with a column of the primary weight on the
 * findings of each row appended (the total row: all findings' weight).
 * The rows' first cells name the group: package; package and file;
 * package and func; kind; cause.  Caller releases out. */
enum hot_group { HG_PACKAGE, HG_FILE, HG_FUNC, HG_KIND, HG_CAUSE, HG_NONE };
void hot_summary_column(const struct table *in, struct table *out, const struct hot *h,
    enum hot_group g, int human);

/* gate: removes the new items of d at lines (of the HEAD run, which h
 * must be joined to) whose share of the profile is below min_share, and
 * returns how many it removed. */
struct diff;
size_t hot_filter_diff(struct store *st, struct diff *d, const struct hot *h, double min_share);

#endif
