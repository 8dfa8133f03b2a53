/*
 * ingest: turns parsed compiler output into one stored run.  It owns the
 * parser, the run's writer, the per-file function scanners and the
 * identity-key ordinals; it resolves files (package-relative names),
 * enclosing functions, causes and keys.  Prints nothing: warnings go to
 * the caller's callback.  Callers: cmd/run.c, cmd/ingest.c.
 */
#ifndef ESCDB_INGEST_H
#define ESCDB_INGEST_H

#include <stdio.h>

#include "store.h"

struct ingest_opts {
	const char *package;    /* package for output with no "# pkg" header */
	const char *cwd;        /* directory the compiler's relative paths are
	                           relative to (run: -C DIR), or NULL for "." */
	const char *goroot;     /* known GOROOT, or NULL (inferred from paths) */
	const char *gomodcache; /* known GOMODCACHE, or NULL */
	const char *modroot;    /* module root directory, or NULL */
	/* The directory of a package, if known (run asks go list), else NULL. */
	const char *(*pkgdir)(void *ctx, const char *pkg);
	void *pkgdir_ctx;
	/* A warning: input name, line (0 if none) and text. */
	void (*warn)(void *ctx, const char *input, unsigned long line, const char *text);
	void *warn_ctx;
	/* escdb's cache directory: packages whose output and sources did
	 * not change are not parsed again (store/ingest_cache.c); NULL: no */
	const char *cache_dir;
	/* what the run asks for (its build command; read by ingest_begin
	 * only): the cache keeps the order of its blocks under it, for the
	 * next run's prefetch */
	const char *cache_tag;
};

struct ingest_stats {
	unsigned long lines, findings, packages, blocks, orphans, warnings;
	unsigned long kinds[ESC_KIND_N];
	unsigned long counts[LC_N];
	int saw_m2;
	/* The input ended inside a line or inside an explanation block:
	 * where (input name as given to ingest_file, line) and why. */
	int truncated;
	const char *trunc_input, *trunc_why;
	unsigned long trunc_line;
	/* From a "go version goX.Y.Z OS/ARCH" line in the input, else "". */
	char go_version[64], goos[32], goarch[32];
};

struct ingest;

/* Opens the run's transaction.  Caller ends with ingest_commit or
 * ingest_abort (which also frees). */
int ingest_begin(struct store *st, const struct run_meta *m,
    const struct ingest_opts *o, struct ingest **out);
/* Parses one input into the run.  Returns STORE_OK, STORE_EDB, or -1 on a
 * read error (errno set).  name labels warnings ("-" for stdin). */
int ingest_file(struct ingest *in, FILE *fp, const char *name);
/* The same for a spool: fp reads the regular file fd from its offset 0
 * (it may still be growing), which lets the parse cache (ingest_opts
 * cache_dir) read a block again instead of holding it. */
int ingest_spool_file(struct ingest *in, FILE *fp, int fd, const char *name);
/* Work that can be done while the input has nothing new (run calls it
 * while go build is loading packages): the parse cache loads and checks
 * ahead the entries the last such run used, last first.  Returns 1 when
 * it did some, 0 when there is none left. */
int ingest_idle(struct ingest *in);
/* Parses bytes already in memory (tests, fuzzing, logopt bridging). */
int ingest_bytes(struct ingest *in, const char *buf, size_t len, const char *name);
/* Reads a -json=0 logopt directory (parser/logopt.h) into the run and
 * records the form "logopt".  Warnings name DIR/PKG/FILE.json:LINE.
 * Returns STORE_OK, STORE_EDB, or -1 when dir cannot be read (errno). */
int ingest_logopt_dir(struct ingest *in, const char *dir);
/* Records that a package was asked for; packages that printed nothing
 * are stored with zero findings so "no escapes" is explicit. */
void ingest_expect_package(struct ingest *in, const char *pkg);
const struct ingest_stats *ingest_stats(const struct ingest *in);
/* The packages that printed nothing so far, newline-separated. */
void ingest_silent_packages(const struct ingest *in, struct sbuf *out);
/* Replaces the run's input column (e.g. every go command run). */
void ingest_set_input(struct ingest *in, const char *input);
/* Records the form of the output ("m2", "m1", "logopt") on the run. */
void store_writer_set_form(struct ingest *in, const char *form);
/* Rewrites the run's Go version, goos, goarch (each when not NULL),
 * partial flag and note (when not NULL) before the commit. */
int ingest_amend(struct ingest *in, const char *go_version, const char *goos,
    const char *goarch, int partial, const char *note);
int ingest_commit(struct ingest *in, int64_t *run_id);
void ingest_abort(struct ingest *in);

#endif
