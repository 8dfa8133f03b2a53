/*
 * pprof_gz: inflates a gzip stream (one or more members) for the pprof
 * reader, through zlib, capped at 1 GiB.  Prints nothing.  Caller:
 * parser/pprof.c only.
 */
#ifndef ESCDB_PPROF_GZ_H
#define ESCDB_PPROF_GZ_H

#include <stddef.h>

/* Inflates len bytes at in into *out (caller frees) of *outlen bytes.
 * Returns 0, or -1 with the reason in err ("truncated gzip stream ...",
 * "bad gzip data at byte N: ...", trailing garbage, over 1 GiB). */
int pprof_gunzip(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen,
    char *err, size_t errsz);

#endif
