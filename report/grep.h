/*
 * grep: PCRE2 search over the stored findings of one run (escdb grep)
 * and the findings at one position (escdb explain).  Owns the compiled
 * pattern and the id sets the filters are evaluated on; writes to a
 * caller's FILE * and prints nothing else.  Callers: cmd/grep.c,
 * cmd/explain.c.
 */
#ifndef ESCDB_GREP_H
#define ESCDB_GREP_H

#include <stdint.h>
#include <stdio.h>

#include "../store/store.h"

enum grep_field { GF_MESSAGE, GF_SUBJECT, GF_FUNC, GF_FILE, GF_PACKAGE, GF_FLOW };
enum grep_out { GO_TEXT, GO_JSON, GO_JSONL, GO_CSV, GO_COUNT, GO_FILES };

enum grep_rc {
	GREP_OK = 0,
	GREP_ENOMATCH = 1,      /* nothing matched */
	GREP_EREGEX = 2,        /* bad pattern: message in err */
	GREP_EAMBIGUOUS = 3,    /* explain: FILE names several files (err) */
	GREP_EDB = 4            /* SQLite or PCRE2 failed: message in err */
};

struct grep_opts {
	const char *pattern;
	int icase, fixed, invert, explain, color;
	enum grep_field field;
	enum grep_out out;
	unsigned kinds;         /* 1 << ESC_x; 0: every kind */
	const char *pkg_glob, *file_glob, *func_glob;   /* NULL: any */
	const char *reason;     /* a flow step's reason, or NULL */
	const char *rundir;     /* the run's directory: paths are printed
				 * relative to it (NULL: as stored) */
};

/* Parses a field name; -1 when unknown. */
int grep_field_parse(const char *s);

/* Searches run (whose commit is commit) and writes the hits to fp in
 * o->out.  Returns a grep_rc; err receives the message of EREGEX/EDB. */
int grep_run(struct store *st, int64_t run, const char *commit,
    const struct grep_opts *o, FILE *fp, char *err, size_t errsz);

/* Prints the flow chain of r (heading, "flow: dst ← src", "from expr
 * (reason) at pos") indented by indent spaces. */
void grep_print_chain(FILE *fp, struct store *st, const struct finding_rec *r,
    int indent, int color);

/* explain: the findings of run at FILE:LINE[:COL] (col 0: any column).
 * FILE is any '/'-boundary suffix of the package path + "/" + file or of
 * the package directory + "/" + file that names one file of the run (else
 * GREP_EAMBIGUOUS with the candidates in err); positions print as paths
 * relative to srcdir, the run's directory (report/paths.h).  Text
 * shows each finding, its cause and hint, its chain and (when srcdir is
 * not "" and the file is readable under it) the source line; json is an
 * array of finding objects with "hint" and "source" added.  Returns
 * GREP_OK, GREP_ENOMATCH, GREP_EAMBIGUOUS or GREP_EDB. */
struct hot;
int explain_run(struct store *st, int64_t run, const char *commit,
    const char *srcdir, const char *file, int line, int col, int json,
    int color, FILE *fp, char *err, size_t errsz);
/* explain_run with each finding's weight in profile hot (report/hot.h;
 * NULL: none) after its cause, or added to its JSON object. */
int explain_run_hot(struct store *st, int64_t run, const char *commit,
    const char *srcdir, const char *file, int line, int col, int json,
    int color, const struct hot *hot, FILE *fp, char *err, size_t errsz);
/* The source file path (under srcdir) as it was when the run was built,
 * e.g. from git at the run's commit when the working tree has moved on:
 * its bytes (malloc'd, *len set) or NULL when it did not exist.  Set by
 * the caller before explain_run; NULL (the default) reads the file. */
typedef char *explain_source_fn(void *ctx, const char *srcdir, const char *path, size_t *len);
void explain_source_reader(explain_source_fn *fn, void *ctx);

#endif
