/*
 * cmd: escdb's front end, the only part that prints to the user or exits.
 * main.c holds the subcommand table and the shared set-up; each command
 * lives in its own file as cmd_NAME().  Messages follow "escdb: text".
 */
#ifndef ESCDB_CMD_H
#define ESCDB_CMD_H

#include <stdio.h>
#include <stdint.h>

#include "../store/store.h"

/* Exit statuses (man/escdb.1, EXIT STATUS). */
enum {
	EXIT_OK = 0,
	EXIT_FOUND = 1,         /* gate: new findings; grep: nothing matched */
	EXIT_USAGE = 2,         /* usage, bad selector, unreadable input */
	EXIT_BUILD = 3,         /* go build failed; nothing stored */
	EXIT_INTERNAL = 4       /* SQLite, PCRE2, out of memory */
};

struct cmdctx {
	const char *dbpath;     /* --db, $ESCDB_DB, or "escdb.db" */
	const char *argv0;
};

/* Messages (stderr), all prefixed "escdb: ". */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "escdb: FILE:LINE: warning: TEXT"; line 0 omits it. */
void msg_warn_at(const char *file, unsigned long line, const char *text);
/* Opens the database: flags as store_open.  Prints the error and returns
 * the exit status (EXIT_USAGE for a missing database when reading,
 * EXIT_INTERNAL otherwise) or EXIT_OK. */
int cmd_open_store(struct cmdctx *cx, int flags, struct store **out);
/* Resolves SEL (NULL means latest); prints candidates on failure and
 * returns EXIT_USAGE, else EXIT_OK. */
int cmd_select(struct store *st, const char *sel, int64_t *id);
/* Opens the database read-only and reads run SEL (NULL: latest) into
 * *ri (caller releases it with run_info_release).  On failure prints the
 * error, leaves *st NULL and returns the exit status. */
int cmd_open_run(struct cmdctx *cx, const char *sel, struct store **st,
    struct run_info *ri);
/* Prints the store's last error; returns EXIT_INTERNAL. */
int cmd_db_error(struct store *st);
/* Opens -o FILE (or stdout for NULL / "-"); prints the error. */
FILE *cmd_output(const char *path);
/* Closes an output opened by cmd_output, reporting write errors; returns
 * EXIT_OK or EXIT_INTERNAL. */
int cmd_output_close(FILE *fp, const char *path);
/* Whether colour is wanted on fp: when is --color (0 never, 1 always,
 * -1 auto: a terminal and no $NO_COLOR). */
int cmd_want_color(FILE *fp, int when);
/* Parses a --date value (RFC 3339, "YYYY-MM-DD[ HH:MM[:SS]]", or Unix
 * seconds "@N"); returns 0 or -1. */
int cmd_parse_date(const char *s, int64_t *out);

/* Output formats shared by reporting commands. */
enum fmt { FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_CSV, FMT_MD, FMT_SARIF, FMT_GITHUB, FMT_HTML,
	FMT_CODEQUALITY };
/* The commands. */
int cmd_run(struct cmdctx *cx, int argc, char **argv);
int cmd_ingest(struct cmdctx *cx, int argc, char **argv);
int cmd_runs(struct cmdctx *cx, int argc, char **argv);
int cmd_summary(struct cmdctx *cx, int argc, char **argv);
int cmd_export(struct cmdctx *cx, int argc, char **argv);
int cmd_grep(struct cmdctx *cx, int argc, char **argv);
int cmd_explain(struct cmdctx *cx, int argc, char **argv);
int cmd_sql(struct cmdctx *cx, int argc, char **argv);
int cmd_diff(struct cmdctx *cx, int argc, char **argv);
int cmd_gate(struct cmdctx *cx, int argc, char **argv);
int cmd_baseline(struct cmdctx *cx, int argc, char **argv);

/* Shared by diff, gate and baseline (cmd/diff.c). */
struct diff;
struct diff_render_opts;

/* The most --exclude options diff and gate take. */
#define CMD_MAX_EXCLUDE 64
int cmd_diff_runs(struct store *st, const char *bsel, const char *hsel,
    struct run_info *b, struct run_info *h);
/* Refuses (EXIT_USAGE, with the message) a partial run unless allow; a
 * warning when allowed.  EXIT_OK otherwise. */
int cmd_diff_partial(const char *cmd, const struct run_info *b,
    const struct run_info *h, int allow);
/* cmd_diff_partial, then diff_compute of b and h over the kinds of mask,
 * externals and excluded globs as asked; EXIT_OK with *d filled (caller
 * releases it), else the exit status with the message printed. */
struct diff;
int cmd_diff_compute(struct store *st, const char *cmd, const struct run_info *b,
    const struct run_info *h, int allow_partial, unsigned mask, int include_external,
    const char *const *exclude, size_t nexclude, struct diff *d);
int cmd_diff_render(struct store *st, const struct diff *d,
    const struct diff_render_opts *o, int f, FILE *fp);
/* gate --base-rev REV (cmd/baserev.c): *sel receives REV's full commit,
 * built and stored first in a temporary git worktree when the database
 * has no run of it; then *head (when it was NULL and the database had
 * runs) receives "id:N" of the run that was latest before.  Returns an
 * exit status; the caller frees *sel and *head. */
int cmd_gate_base_rev(struct cmdctx *cx, const char *rev, char **sel, char **head);
int cmd_trend(struct cmdctx *cx, int argc, char **argv);
int cmd_merge(struct cmdctx *cx, int argc, char **argv);
int cmd_prune(struct cmdctx *cx, int argc, char **argv);
int cmd_hot(struct cmdctx *cx, int argc, char **argv);

/* Reads the profile at path and joins it to run (cmd/hot.c), for the
 * --profile options of hot, explain, summary and gate.  Prints the error
 * and returns the exit status; on EXIT_OK the caller releases h with
 * hot_release, then p with pprof_release. */
struct pprof;
struct hot;
int cmd_hot_load(struct store *st, int64_t run, const char *rundir, const char *path,
    const char *sample_index, unsigned kinds, struct pprof *p, struct hot *h);

#endif
