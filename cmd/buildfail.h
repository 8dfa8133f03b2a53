/*
 * buildfail: shows a failed go command's output so that its failure can
 * be seen — the compile errors and the go command's own lines, at most a
 * screenful, with the count of escape-analysis and other diagnostic lines
 * left out — or all of it (--verbose).  Callers: cmd/run.c.
 */
#ifndef ESCDB_BUILDFAIL_H
#define ESCDB_BUILDFAIL_H

#include <stdio.h>

/* Lines of errors shown before the rest is only counted. */
#define BUILDFAIL_MAX_LINES 25

/* Writes the output in fp (read from its start) to out: everything when
 * verbose, else the lines that are not compiler diagnostics (errors, the
 * go command's own messages, lines escdb does not recognise) under their
 * "# pkg" headers, at most BUILDFAIL_MAX_LINES, then a line counting what
 * was left out.  Returns 0, or -1 on a read or write error (errno). */
int buildfail_show(FILE *fp, FILE *out, int verbose);

#endif
