/*
 * gotool: runs the go and git commands for cmd/ without a shell (fork and
 * execvp, stdin from /dev/null) and collects their output in memory or in
 * an anonymous temporary file.  Prints nothing: failures come back as -1
 * with errno set.  Callers: cmd/run.c, cmd/ingest.c.
 */
#ifndef ESCDB_GOTOOL_H
#define ESCDB_GOTOOL_H

#include <stdio.h>
#include <sys/types.h>

#include "../lib/util.h"

/* Runs argv (argv[0] is looked up on PATH) in dir (NULL: the current
 * directory).  Its standard output is appended to out, its standard error
 * to err, or to out as well when err is NULL.  *status receives the exit
 * status, 128+N when killed by signal N.  Returns 0, or -1 with errno set
 * when the command could not be started (ENOENT: not on PATH; a chdir
 * error is reported the same way).  For small outputs: all in memory. */
int gotool_capture(const char *dir, char *const argv[], struct sbuf *out,
    struct sbuf *err, int *status);
/* Runs git -C dir with the arguments that follow (NULL-terminated): its
 * standard output ("" when none), or NULL when git cannot run or exits
 * non-zero.  Caller frees. */
char *gotool_git(const char *dir, ...);
/* gotool_git's first line, or NULL when git fails or prints nothing. */
char *gotool_git_line(const char *dir, const char *a1, const char *a2, const char *a3,
    const char *a4, const char *a5);
/* The full hash of the commit rev names in dir's repository (git
 * rev-parse --verify --quiet REV^{commit}), or NULL when git does not
 * know it there. */
char *gotool_git_commit(const char *dir, const char *rev);

/* Like gotool_capture, but the command's standard output and standard
 * error both go to fp (opened for writing, e.g. from gotool_tmpfile), so
 * output of any size is spooled to disk.  On return fp is positioned at
 * its start, ready to be read.  Same return values. */
int gotool_spool(const char *dir, char *const argv[], FILE *fp, int *status);

/* Starts argv as gotool_spool does, its output going to fp, and returns
 * at once with *pid running.  Wait for it with gotool_wait or read its
 * output as it comes with gotool_follow.  Same return values. */
int gotool_spool_start(const char *dir, char *const argv[], FILE *fp, pid_t *pid);
/* Waits for pid; *status as gotool_capture.  0, or -1 with errno set. */
int gotool_wait(pid_t pid, int *status);
/* Stops pid (SIGTERM) and waits for it, as gotool_wait. */
int gotool_stop(pid_t pid, int *status);
/* A stream that reads fp from its start while the command pid (started
 * with gotool_spool_start on fp) still writes it: at the end of what is
 * written so far it waits until more comes or the command exits; then it
 * reaps pid, sets *status (as gotool_capture; 255 until then) and ends.
 * on_exit, when not NULL, is called with ctx and the status the moment the
 * command is reaped, before the rest of its output is read.  idle, when
 * not NULL, is called with ctx while nothing new is written: 1 when it
 * did some work (asked again at once), 0 when none is left (a short nap).
 * Closing it early stops the command (SIGTERM) and reaps it.  NULL with
 * errno set on failure (pid is left running). */
FILE *gotool_follow(FILE *fp, pid_t pid, int *status, void (*on_exit)(void *ctx, int status),
    int (*idle)(void *ctx), void *ctx);

/* An anonymous temporary file (already unlinked) under $TMPDIR, else
 * /tmp, open for reading and writing.  NULL with errno set on failure.
 * Caller closes it with fclose. */
FILE *gotool_tmpfile(void);
/* The path of a new empty file PREFIX-XXXXXX there, which the caller
 * removes and frees; NULL with errno set. */
char *gotool_tmpname(const char *prefix);

/* Copies fp from its start to out; returns 0, or -1 on a read or write
 * error.  Leaves fp at its end. */
int gotool_copy(FILE *fp, FILE *out);

/* Copies from fp (read from its start) to out the lines of the blocks
 * whose "# NAME" heading names one of names[0..n-1] (sorted with strcmp),
 * headings included; lines before the first heading are dropped.  out is
 * left at its start.  Returns 0, or -1 with errno set. */
int gotool_keep_blocks(FILE *fp, FILE *out, char *const names[], size_t n);

/* The command line as text, for messages and the run's input column:
 * arguments joined by spaces, those with spaces or quotes in single
 * quotes.  Appended to sb. */
void gotool_cmdline(struct sbuf *sb, char *const argv[]);

/* Where dir sits in its git work tree: 1 with *prefix the path from the
 * top level ("svc/", "" at the top; `git rev-parse --show-prefix`), or 0
 * with *prefix NULL outside a work tree or without git.  Caller frees
 * *prefix. */
int gotool_repo_prefix(const char *dir, char **prefix);

#endif
