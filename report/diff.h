/*
 * diff: the multiset difference of two stored runs by identity key (new,
 * fixed, moved), the gate's baseline file, and the text, JSON, JSON lines
 * and Markdown renderings of a difference; report/sarif.c and
 * report/github.c add SARIF 2.1.0 and GitHub workflow commands.
 * Prints nothing but to the FILE * it is given.  Callers: cmd/diff.c,
 * cmd/gate.c, cmd/baseline.c.
 */
#ifndef ESCDB_DIFF_H
#define ESCDB_DIFF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../store/store.h"

enum diff_change { DIFF_NEW, DIFF_FIXED, DIFF_MOVED, DIFF_NCHANGE };

/* "new", "fixed", "moved". */
const char *diff_change_name(enum diff_change c);

/* One changed finding: the HEAD row for new and moved, the BASE row for
 * fixed.  Strings are ids in the str table (store_str). */
struct diff_item {
	enum diff_change change;
	int64_t id, run;
	int64_t pkg, file, func, subject, detail, message;
	int line, col, cause;
	enum esc_kind kind;
	uint64_t key;
	int64_t old_file;       /* moved: the BASE position, function and key */
	int old_line, old_col;
	int64_t old_func;
	uint64_t old_key;
	unsigned char pass;     /* moved: enum match_pass (report/match.h) */
	unsigned char external; /* the file is under $GOROOT or $GOMODCACHE */
};

struct diff {
	int64_t base, head;
	struct diff_item *items;        /* sorted by package, file, line, col */
	size_t n;
	size_t count[DIFF_NCHANGE];
	size_t unchanged;               /* same key, same position */
	size_t accepted;                /* new ones dropped by a baseline */
	size_t external, excluded;      /* HEAD findings left out by diff_opts */
};

/* What to compare. */
/* Where BASE's line of a file (repository-relative) is in HEAD: the HEAD
 * line, 0 when that line changed, -1 when unknown (cmd/linemap.c reads
 * it from git). */
typedef int diff_linemap_fn(void *ctx, const char *path, int line);

struct diff_opts {
	diff_linemap_fn *linemap;       /* NULL: none */
	void *linemap_ctx;
	unsigned mask;                  /* kinds, 1 << ESC_x */
	int include_external;           /* also files under $GOROOT, $GOMODCACHE */
	const char *const *exclude;     /* fnmatch globs over the repository- */
	size_t nexclude;                /* and run-relative paths */
	unsigned count_mask;            /* diff_load_run: the kinds its left-out
	                                 * counts count (0: all loaded) */
};

/* 1 when a stored file lies in GOROOT or the module cache. */
int diff_file_external(const char *file);

/* Parses a comma-separated list of kind names ("heap,moved") into a mask
 * of 1 << ESC_x; "all" is every kind.  Returns 0, or -1 with the bad
 * name's text in bad (may be NULL). */
int diff_parse_kinds(const char *list, unsigned *mask, char *bad, size_t badsz);

/* Computes the difference of runs base and head as o says: exact keys,
 * then the passes of report/match.h.  Returns STORE_OK or STORE_EDB
 * (message in store_errmsg).  Caller releases d with diff_release. */
int diff_compute(struct store *st, int64_t base, int64_t head, const struct diff_opts *o,
    struct diff *d);
void diff_release(struct diff *d);

/* For report/: the findings of run that o selects (o NULL: every kind,
 * nothing left out), in no order; *nout (may be NULL) counts the ones
 * left out as external or excluded.  Caller frees *out. */
int diff_load_run(struct store *st, int64_t run, const struct diff_opts *o,
    struct diff_item **out, size_t *n, size_t nout[2]);
/* Sorts items by package, file, line, col, change, id. */
void diff_sort_items(struct store *st, struct diff_item *v, size_t n);
/* The functions of run (report/match.h), every kind. */
struct match_funcs;
int diff_load_funcs(struct store *st, int64_t run, struct match_funcs *fs);
/* A hash of a finding's flow chain: each flow's destination and its
 * steps' reasons; 0 for none.  *stmt as for diff_item_rec. */
uint64_t diff_flow_hash(struct store *st, int64_t id, sqlite3_stmt **stmt);

/* ---- baselines ---- */
/* The entries of a baseline file (report/baseline.c). */
struct baseline_entry {
	uint64_t key;
	char *package, *file, *func, *kind, *message;
	int line;
};
struct baseline {
	uint64_t *keys;         /* sorted */
	size_t n;
	struct baseline_entry *ent;     /* as listed */
	size_t nent;
};
/* Writes every finding of run whose kind is in mask as a baseline JSON
 * document: {"version":1,"run":N,"commit":C,"findings":[{key, package,
 * file, func, kind, message, reason:""}...]}, one entry per key.
 * Returns STORE_OK or STORE_EDB. */
int baseline_write(struct store *st, int64_t run, const char *commit, unsigned mask, FILE *fp);
/* (The entries also carry "line"; older baselines without it work.) */
/* Reads a baseline from text (the document above, or a bare array of
 * entries); "key" is required, the rest lets an entry follow its finding
 * through a move or rename.  Returns 0, or -1 with a message in err,
 * which starts with "LINE:COL: " for a JSON syntax error. */
int baseline_parse(const char *text, struct baseline *b, char *err, size_t errsz);
int baseline_has(const struct baseline *b, uint64_t key);
void baseline_release(struct baseline *b);
/* Removes new items that b accepts, counting them in d->accepted: by key,
 * then, for entries whose key HEAD no longer has, by the passes of
 * report/match.h (the entries' functions and BASE's are the "BASE"
 * functions).  Returns STORE_OK or STORE_EDB. */
int diff_apply_baseline(struct store *st, struct diff *d, const struct baseline *b);

/* ---- rendering ---- */
struct diff_render_opts {
	const char *base_commit, *head_commit;  /* may be NULL */
	const char *title;      /* "diff" or "gate" */
	int color;
	int show_moved;         /* list moved items (text, md, json) */
	int gate;               /* new items are gate failures (sarif error) */
	unsigned gated;         /* kinds the gate counts */
	size_t max_new;
};

int diff_render_text(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp);
/* lines: JSON lines, else one array.  Objects as finding_to_json plus
 * "change" (and for moved, "was": "file:line:col"). */
int diff_render_json(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp, int lines);
int diff_render_md(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp);
/* report/sarif.c: new items as SARIF 2.1.0 results. */
int diff_render_sarif(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp);
/* report/github.c: ::error for new, ::notice for fixed. */
int diff_render_github(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp);
/* report/codequality.c: new items as a GitLab code quality report;
 * severity major for the gated kinds (gate) or heap and moved (diff). */
int diff_render_codequality(struct store *st, const struct diff *d,
    const struct diff_render_opts *o, FILE *fp);

/* Helpers shared by the renderers. */
/* Fills r from item; with blob not NULL the flows are read into it (r
 * points there) through *stmt, prepared on first use (start with NULL;
 * caller finalizes it).  Strings are valid until store_close.  Returns 0,
 * or -1 with the message in store_errmsg. */
int diff_item_rec(struct store *st, const struct diff_item *it, sqlite3_stmt **stmt,
    struct sbuf *blob, struct finding_rec *r);
/* A two-entry cache of package directory prefixes (zero-initialised;
 * release with diff_pathcache_release). */
struct diff_pathcache {
	int64_t run[2], pkg[2];
	char *prefix[2];
	int next;
	int repo;               /* paths from the repository root */
};
void diff_pathcache_release(struct diff_pathcache *pc);
/* The path to show for a finding: the package directory relative to the
 * run's directory (when the run knows both) joined with the stored file;
 * with pc->repo set, the run's repository prefix before it (the path
 * from the repository root).  Into out, which is reset first.  Returns
 * out->buf. */
const char *diff_item_path(struct store *st, const struct diff_item *it,
    struct diff_pathcache *pc, struct sbuf *out);
/* "N new, M fixed, K moved between run A (c) and run B (c)\n". */
void diff_summary_line(const struct diff *d, const struct diff_render_opts *o, FILE *fp);

#endif
