/*
 * readahead: reads a regular file on a thread of its own, a few chunks
 * ahead of its reader, so the copy out of the page cache runs on the other
 * core while the caller parses.  The caller sees the file's bytes in
 * order, chunk by chunk, as from fread.  Callers: parser_read.
 */
#ifndef ESCDB_READAHEAD_H
#define ESCDB_READAHEAD_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct readahead;

/* Starts reading fp (from its current position) in chunks of chunk
 * bytes.  NULL when fp is not a regular file or no thread can be started:
 * the caller then reads fp itself.  Until readahead_stop, only the thread
 * touches fp. */
struct readahead *readahead_start(FILE *fp, size_t chunk);
/* The next chunk: its length (>0) with *buf pointing at it, valid until
 * the next call; 0 at the end of the file; -1 on a read error, errno set. */
ssize_t readahead_next(struct readahead *ra, const char **buf);
/* Stops the thread (at once, even before the end) and frees ra. */
void readahead_stop(struct readahead *ra);

#endif
