/*
 * store: the SQLite database — schema and migrations (PRAGMA user_version),
 * string interning, runs, findings with their flow chains (a compact blob
 * per finding), run selectors.  It prints nothing: errors come back as
 * codes with a message in store_errmsg().  Callers: cmd/ and report/.
 */
#ifndef ESCDB_STORE_H
#define ESCDB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "../parser/parser.h"
#include "../lib/util.h"

#define STORE_SCHEMA_VERSION 2

enum store_rc {
	STORE_OK = 0,
	STORE_ENOTFOUND = 1,    /* selector matched nothing; no database */
	STORE_EAMBIGUOUS = 2,   /* selector matched several runs */
	STORE_EUSAGE = 3,       /* bad selector syntax, newer schema, ... */
	STORE_EDB = 4           /* SQLite failed (message in store_errmsg) */
};

struct store;

enum { STORE_RDONLY = 1, STORE_CREATE = 2,
	STORE_NO_UPGRADE = 4,   /* read-only: never upgrade an older schema */
	STORE_PROBE = 8,        /* a missing file that could be created is not
				 * created: STORE_OK with *out NULL */
	STORE_STAGE = 16        /* with STORE_CREATE, a missing file is built
				 * as PATH.tmp-XXXXXX and appears at PATH
				 * only when a run is committed (see
				 * store_publish) */ };

/* Opens (and with STORE_CREATE, creates and migrates) the database.
 * Read-only opening of a missing file gives STORE_ENOTFOUND.  Reading
 * never leaves -wal/-shm files behind: a file the caller may not write
 * (or in a directory it may not write) is opened read-only, or immutable
 * (file:PATH?immutable=1) when no writer has it open.  Errors about the
 * file (not a database, no permission, cannot create) give STORE_EUSAGE
 * with a message naming it; SQLite's own failures STORE_EDB.
 * On failure *out is NULL and err holds the message. */
int store_open(const char *path, int flags, struct store **out, char *err, size_t errsz);
void store_close(struct store *st);
/* Removes the database file path and the -journal, -wal and -shm files
 * SQLite keeps beside it. */
void store_remove(const char *path);
/* Whether st is a new database not yet at its path (STORE_STAGE). */
int store_staged(const struct store *st);
sqlite3 *store_db(struct store *st);
const char *store_errmsg(const struct store *st);
/* Sets the message from the connection's last error; returns STORE_EDB. */
int store_fail(struct store *st, const char *what);

/* ---- strings ---- */
/* The text of a string id; "" for 0 or unknown.  Valid until store_close. */
const char *store_str(struct store *st, int64_t id);
/* The id of a text, or 0 when the database does not hold it. */
int64_t store_str_lookup(struct store *st, const char *s);

/* ---- runs ---- */
struct run_meta {
	const char *commit;
	const char *label;
	int64_t date;           /* Unix seconds, UTC */
	const char *go_version;
	const char *goos;
	const char *goarch;
	const char *dir;        /* the module/package directory (run), or "" */
	const char *source;     /* "run" or "ingest" */
	const char *form;       /* "m2", "m1", "logopt" */
	const char *input;      /* what was read: file names, or the go command */
	/* schema v2 */
	const char *repo_prefix; /* the module directory inside its repository
	                          * ("svc/", "" at the top level); NULL or ""
	                          * with in_repo 0 when not in a repository */
	int in_repo;            /* 1 when dir lies in a git work tree */
	const char *mode;       /* build mode: "noinline" (-l, default) or "inline" */
	const char *flags;      /* build flags that change verdicts: tags,
	                         * gcflags, GOAMD64, ... as one string */
	const char *shard;      /* "K/N" for one shard of a sharded run, else "" */
	int partial;            /* 1: stored from input known to be incomplete */
	const char *note;       /* free text shown by runs (e.g. where the Go
	                         * version came from) */
};

struct run_info {
	int64_t id;
	char *commit, *label, *go_version, *goos, *goarch, *dir, *source,
	    *form, *input;
	char *repo_prefix, *mode, *flags, *shard, *note;     /* schema v2 */
	int in_repo, partial;
	int64_t date, created;
	int64_t nlines, nfindings, npackages, norphans, nwarnings;
	int64_t kinds[ESC_KIND_N];
};
void run_info_release(struct run_info *ri);

/* Resolves a selector (latest, latest~N, id:N, a label, a commit or a
 * unique prefix of >= 4 hex digits).  On STORE_EAMBIGUOUS or
 * STORE_ENOTFOUND, cands (if not NULL) receives a newline-separated list
 * of candidates ("id:N commit label date").  Caller releases cands. */
int store_select(struct store *st, const char *sel, int64_t *id, struct sbuf *cands);
int store_run_get(struct store *st, int64_t id, struct run_info *out);
/* Every run, oldest first; caller frees each with run_info_release and
 * the array with free. */
int store_runs(struct store *st, struct run_info **out, size_t *n);

/* ---- writing a run (one transaction) ---- */
struct store_writer;

struct finding_in {
	const char *package, *file, *func, *subject, *detail, *message;
	int line, col;
	enum esc_kind kind;
	int cause;
	uint64_t key;
	const void *flows;      /* encoded with flows_encode below */
	size_t flowslen;
	/* When not NULL: the ids of package, file, func, subject, detail and
	 * message, in that order, interned by the caller (ingest caches them
	 * by address); the six texts are then not looked at. */
	const int64_t *ids;
};

/* Begins the run's transaction (BEGIN IMMEDIATE, waiting on the busy
 * timeout).  Caller ends it with store_writer_commit or _abort. */
int store_writer_begin(struct store *st, const struct run_meta *m, struct store_writer **out);
/* Moves the inserts of texts and findings to a thread of their own, so
 * they overlap the caller's parsing (see writer.c); only into a database
 * whose texts are all new (else, or when the thread cannot start, -1:
 * the writer goes on in the caller's thread).  The caller then uses the
 * connection only through the writer until commit or abort. */
int store_writer_background(struct store_writer *w);
/* Interns text; ids are valid in this database only. */
int64_t store_writer_intern(struct store_writer *w, const char *s, size_t n);
/* The same for a text a run may use later (the parse cache's prefetch):
 * a new one is removed at commit unless store_writer_intern asked for it
 * since, or store_writer_used was told its id. */
int64_t store_writer_intern_ahead(struct store_writer *w, const char *s, size_t n);
void store_writer_used(struct store_writer *w, int64_t id);
int store_writer_finding(struct store_writer *w, const struct finding_in *f);
int store_writer_package(struct store_writer *w, const char *name, const char *dir, int64_t nfindings);
int store_writer_line(struct store_writer *w, enum line_class c, unsigned long lineno, const char *text, size_t n);
/* Adds the line-class counts and totals; form (may be NULL) replaces
 * the run's form. */
int store_writer_counts(struct store_writer *w, const unsigned long counts[LC_N],
    int64_t nlines, int64_t norphans, int64_t nwarnings, const char *form);
/* Replaces the run's input column. */
int store_writer_set_input(struct store_writer *w, const char *input);
/* Rewrites what is learnt only while reading: the Go version, goos and
 * goarch (each when not NULL), partial and note (when not NULL). */
int store_writer_amend(struct store_writer *w, const char *go_version,
    const char *goos, const char *goarch, int partial, const char *note);
/* Commits; *id receives the run id.  The writer is freed either way. */
int store_writer_commit(struct store_writer *w, int64_t *id);
void store_writer_abort(struct store_writer *w);

/* ---- flow chains ----
 * Blob layout (all unsigned LEB128 varints): version(1), nblocks, then per
 * block: heading-id, truncated, nflows, and per flow: dst-id, src-id,
 * nsteps, and per step: expr-id, reason-id, file-id, line, col. */
struct step_rec { const char *expr, *reason, *file; int line, col; int64_t reason_id; };
struct flow_rec { const char *dst, *src; size_t nsteps; struct step_rec *steps; };
struct block_rec { const char *heading; int truncated; size_t nflows; struct flow_rec *flows; };

/* Decodes a blob; strings come from store_str, arrays from the arena.
 * Returns 0, or -1 for a malformed blob. */
int flows_decode(struct store *st, const void *blob, size_t len, struct arena *a,
    struct block_rec **blocks, size_t *nblocks);
/* Calls fn for each step's reason id without building records (fast
 * filters).  Returns 1 when fn returned 1 for some step, else 0. */
int flows_any_reason(const void *blob, size_t len, int (*fn)(void *, int64_t), void *ctx);

/* ---- reading findings ---- */
struct finding_rec {
	int64_t id, run;
	const char *package, *file, *func, *subject, *detail, *message;
	int line, col;
	enum esc_kind kind;
	int cause;
	uint64_t key;
	const void *flows;      /* the blob; valid until the next step */
	size_t flowslen;
};

struct finding_iter;
/* Findings of a run in (package, file, line, col, id) order; extra_where
 * is a trusted SQL fragment over the "finding" table alias f (may be NULL).
 * Caller frees with finding_iter_free. */
int finding_iter_new(struct store *st, int64_t run, const char *extra_where, struct finding_iter **out);
/* 1 with *r filled, 0 at the end, STORE_EDB negated (-4) on error. */
int finding_iter_next(struct finding_iter *it, struct finding_rec *r);
void finding_iter_free(struct finding_iter *it);

#endif
