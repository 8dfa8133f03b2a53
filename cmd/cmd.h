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
/* Prints "escdb: CMD: usage: ..." help text for a command. */

/* Opens the database: flags as store_open.  Prints the error and returns
 * the exit status (EXIT_USAGE for a missing database when reading,
 * EXIT_INTERNAL otherwise) or EXIT_OK. */
int cmd_open_store(struct cmdctx *cx, int flags, struct store **out);
/* Resolves SEL (NULL means latest); prints candidates on failure and
 * returns EXIT_USAGE, else EXIT_OK. */
int cmd_select(struct store *st, const char *sel, int64_t *id);
/* Opens -o FILE (or stdout for NULL / "-"); prints the error. */
FILE *cmd_output(const char *path);
/* Closes an output opened by cmd_output, reporting write errors; returns
 * EXIT_OK or EXIT_INTERNAL. */
int cmd_output_close(FILE *fp, const char *path);
/* Whether colour is wanted on fp: a terminal and no NO_COLOR. */
int cmd_want_color(FILE *fp);
/* Parses a --date value (RFC 3339, "YYYY-MM-DD[ HH:MM[:SS]]", or Unix
 * seconds "@N"); returns 0 or -1. */
int cmd_parse_date(const char *s, int64_t *out);

/* Output formats shared by reporting commands. */
enum fmt { FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_CSV, FMT_MD, FMT_SARIF, FMT_GITHUB, FMT_HTML };
/* Parses --format NAME among the allowed mask (1 << FMT_x); prints the
 * error listing allowed names and returns -1 when not allowed. */
int cmd_parse_format(const char *cmd, const char *name, unsigned allowed);

/* The commands. */
int cmd_run(struct cmdctx *cx, int argc, char **argv);
int cmd_ingest(struct cmdctx *cx, int argc, char **argv);
int cmd_runs(struct cmdctx *cx, int argc, char **argv);
int cmd_summary(struct cmdctx *cx, int argc, char **argv);
int cmd_export(struct cmdctx *cx, int argc, char **argv);

#endif
