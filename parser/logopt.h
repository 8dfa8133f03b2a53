/*
 * logopt: a reader of the Go compiler's -json=0 logopt directory
 * (go build -gcflags=-json=0,file://DIR): one folder per package, named
 * by the URL-escaped import path, one FILE.json per source file holding a
 * header line then one LSP-style diagnostic per line.  It turns the
 * diagnostics into the same findings and explanation blocks the text
 * parser produces and hands them, one package at a time, to the caller's
 * parser_sink.  Prints nothing.  Callers: store/ingest.c.
 */
#ifndef ESCDB_LOGOPT_H
#define ESCDB_LOGOPT_H

#include "parser.h"

/* The first header found: fields are "" when absent. */
struct logopt_info {
	char gc_version[64];
	char goos[32];
	char goarch[32];
};

/* Is dir a logopt directory (holds at least one PKG/FILE.json, or only
 * empty package folders)?  1 yes, 0 no. */
int logopt_is_dir(const char *dir);
/* Reads the first header of dir into info.  0 when one was found, else -1. */
int logopt_probe(const char *dir, struct logopt_info *info);

/* Reads every package folder of dir in name order.  Before each .json
 * file, input(ctx, path) names it so the sink's warnings (whose line
 * numbers are lines of that file) can say which file; path stays valid
 * until the next call.  counts[LC_N] and *lines are incremented: a
 * header is LC_HEADER, a verdict LC_FINDING, an explanation record
 * LC_EXPLAIN (1 + its escflow entries), inlining LC_INLINE, bounds
 * LC_BOUNDS, other known codes LC_OTHER_OPT, the rest LC_UNRECOGNISED.
 * Returns 0, the sink's non-zero stop value, or -1 when dir cannot be
 * read (errno set). */
int logopt_read_dir(const char *dir, const struct parser_sink *sink,
    void (*input)(void *ctx, const char *path), unsigned long counts[LC_N],
    unsigned long *lines);

#endif
