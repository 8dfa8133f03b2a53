/*
 * match: the passes that pair the findings exact identity keys leave new
 * and fixed, when the code moved rather than changed (DESIGN.md, "Identity
 * across commits"; the man page, diff).  Pure computation over what the
 * caller loaded: prints nothing, reads nothing.  Callers: report/diff.c
 * (diff, gate) and report/baseline.c.
 */
#ifndef ESCDB_MATCH_H
#define ESCDB_MATCH_H

#include <stddef.h>
#include <stdint.h>

/* How a pair was made, in order of precedence. */
enum match_pass {
	MATCH_NONE,
	MATCH_KEY,              /* the same identity key */
	MATCH_FILE,             /* the same function, another file */
	MATCH_CLOSURE,          /* closures of one enclosing function, renumbered */
	MATCH_RENAME,           /* a function only in BASE, one only in HEAD */
	MATCH_EXTRACT,          /* from a function still in HEAD to one new in HEAD */
	MATCH_NPASS
};

/* "", "key", "file", "closure", "rename", "extract". */
const char *match_pass_name(enum match_pass p);

/* One leftover finding.  The class (pkg, kind, subject, detail, message,
 * external) must be equal for two findings to pair. */
struct match_item {
	int64_t pkg, subject, detail, message;
	int kind;
	int external;           /* under GOROOT or the module cache: part of
	                         * the class, never paired with the user's */
	const char *func;       /* "" when unknown: never paired */
	const char *file;       /* the stored path */
	int line, col;
	int off;                /* line minus its function's first finding line */
};

/* The hash of the flow chain of item idx of side 0 (BASE) or 1 (HEAD),
 * asked for only for findings that have a candidate partner. */
typedef uint64_t match_flow_fn(void *ctx, int side, size_t idx);

/* The functions of one run: every (package, function) a finding names,
 * with the enclosing functions of closures, and each one's first line. */
struct match_funcs {
	struct match_fent *v;
	size_t n, cap;
	int sorted;
};
#define MATCH_FUNCS_INIT { NULL, 0, 0, 0 }
void match_funcs_add(struct match_funcs *fs, int64_t pkg, const char *func, int line);
/* 1 when the run has func in pkg. */
int match_funcs_has(struct match_funcs *fs, int64_t pkg, const char *func);
/* The first line of func in pkg, or 0 when unknown. */
int match_funcs_first(struct match_funcs *fs, int64_t pkg, const char *func);
void match_funcs_release(struct match_funcs *fs);

/* func without its trailing closure components (.funcN, .gowrapN,
 * .deferwrapN and the .N of nested closures), as a length of func. */
size_t match_enclosing(const char *func);

/* Pairs BASE leftovers b with HEAD leftovers h: pair[i] is the index in h
 * of b[i]'s partner, or SIZE_MAX, and pass[i] the pass that paired it.
 * fb and fh are the functions of BASE and HEAD.  O(k log k) in the number
 * k of candidate pairs (findings of one class in functions the passes
 * allow to pair).  flow (may be NULL: all chains alike) breaks ties. */
void match_pair(const struct match_item *b, size_t nb, struct match_funcs *fb,
    const struct match_item *h, size_t nh, struct match_funcs *fh,
    match_flow_fn *flow, void *flow_ctx, size_t *pair, unsigned char *pass);

#endif
