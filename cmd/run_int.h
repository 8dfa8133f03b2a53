/*
 * run_int: what cmd/run.c and cmd/run_go.c share — the state of one run
 * and the go and git commands it spawns.  Callers: those two files only.
 */
#ifndef ESCDB_RUN_INT_H
#define ESCDB_RUN_INT_H

#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>

#include "cmd.h"
#include "../lib/htab.h"

struct strv {
	char **v;
	size_t n, cap;
	char **own;
	size_t nown, capown;
};

struct pkg {
	char *path;             /* import path */
	char *dir;              /* its directory */
	char *moddir;           /* its module's root, or "" */
	int built;              /* in the run's shard (all when not sharded) */
};

/* A package named in the first build's action graph (run_graph.c). */
struct gpkg {
	char *path;
	char *actionid;         /* of its compile action, or NULL */
	int compiled;           /* the compiler ran in the first build */
	int asked;              /* asked for in the second build */
	int builtin;            /* unsafe: never compiled */
};

struct run {
	char *absdir;
	struct pkg *pkgs;       /* sorted by path */
	size_t npkgs;
	char *goversion, *goos, *goarch, *goroot, *gomodcache;
	char *commit;
	int64_t date;
	int tty;                /* progress lines on stderr */
	int shown;              /* a progress line is on the screen */
	int use_o;              /* pass -o /dev/null to go build */
	char *jsondir;          /* --json: the fresh logopt directory */
	char *cflags;           /* the compiler flags: "-m=2 -l", ... */
	char *gcflags;          /* "-gcflags=" cflags */
	char *tags;             /* "-tags=..." or NULL */
	char **bpats;           /* the package patterns of the run */
	int nbpats;
	int partial;            /* --partial: store cut output marked partial */
	int cut;                /* the go command was killed: output cut */
	int verbose;            /* --verbose: a failed build's whole output */
	int shard_k, shard_n;   /* --shard K/N, else 0 */
	char *shard;            /* "K/N" or "" */
	int inline_;            /* --inline: no -l */
	char *extra_gcflags;    /* --gcflags */
	char *flags;            /* the run's flags column */
	char *goamd64;
	struct store *st;       /* the database, once open */
	int defer_warn;         /* hold warnings in warnings until the build ends */
	struct sbuf warnings;   /* input NUL line NUL text NUL, ... */
	/* the second build, started when the first one exited */
	struct strv early;      /* the packages it asks for, sorted */
	struct sbuf early_cmd;
	FILE *early_spool;
	pid_t early_pid;
	int early_running;
	pthread_t early_thread; /* run_recheck_early, beside the parse */
	FILE *early_from;
	int early_threaded;
	/* the action graphs of the builds (run_graph.c) */
	char *gomod, *gowork;   /* go env GOMOD, GOWORK */
	char *modpath, *modroot; /* the main module, when GOMOD names one */
	int use_graph;          /* packages from the graph, not go list first */
	pthread_t closer;       /* closing the build's spool (store_run) */
	int closing;
	char *graph_path;       /* the first build's -debug-actiongraph file */
	int graph_loaded;       /* read (and removed) since that build began */
	struct gpkg *graph;     /* sorted by path */
	size_t ngraph;
	struct htab guesses;    /* path -> guessed directory (or NULL) */
	struct htab silent;     /* action ids known silent */
	int silent_loaded;
	char *silent_path;
};

/* A go build whose output is parsed while it runs. */
struct build {
	struct run *run;
	FILE *spool;            /* where it writes */
	FILE *follow;           /* gotool_follow of spool */
	pid_t pid;
	int status;             /* set when follow ends */
	int running;            /* started, and neither followed nor reaped */
	size_t npkgs;
	struct ingest *in;      /* while its output is parsed */
};


/* strcmp of two char * elements (qsort, bsearch). */
int run_str_cmp(const void *a, const void *b);
int run_list_packages(struct run *r, char **pats, int npats);
const char *run_modroot(const struct run *r);
int run_go_env(struct run *r);
/* The minor version of "go1.N[.P]" or "devel go1.N-...", else 0. */
int run_go_minor(const char *v);
void run_resolve_commit(struct run *r, const char *rev, int have_date);
/* go build in two steps: start it, its output spooled to *spool (read it
 * as it comes with gotool_follow), then judge its exit status: EXIT_OK,
 * RUN_RETRY (ask again: use_o was dropped), or the failure, printed with
 * its output. */
#define RUN_RETRY (-2)
int run_go_build_start(struct run *r, char **flags, size_t nflags, char **pkgs, size_t npkgs,
    const char *graph, struct sbuf *cmdline, FILE **spool, pid_t *pid);
int run_go_build_done(struct run *r, int status, size_t npkgs, FILE *spool);
int run_go_build(struct run *r, char **flags, size_t nflags, char **pkgs, size_t npkgs,
    const char *graph, struct sbuf *cmdline, FILE **out);
/* Starts the second build for the packages with no heading in spool (the
 * first build's whole output); nothing when there are none, or when the
 * run names .go files (command-line-arguments: asked for afterwards). */
void run_recheck_early(struct run *r, FILE *spool);
/* The same in a thread of its own, which the parse does not wait for:
 * the spool is read again whole for its headings (std: 85 MB), and the
 * build that wrote it has just exited, so a processor is free.  Every
 * other use of r->early, and of the silent list, joins it first. */
void run_recheck_early_async(struct run *r, FILE *spool);
void run_recheck_early_join(struct run *r);
/* The early second build's output for silent (sorted), in *out as
 * run_recheck_silent gives it, when it asked for exactly those packages;
 * else RUN_RETRY (it is stopped). */
int run_recheck_early_take(struct run *r, char **silent, size_t nsilent, struct sbuf *cmdline,
    FILE **out);
/* Stops and forgets an early second build not taken. */
void run_recheck_early_stop(struct run *r);
int run_recheck_silent(struct run *r, char **silent, size_t nsilent, int cla,
    struct sbuf *cmdline, FILE **out);
void strv_add(struct strv *sv, const char *s);
void strv_own(struct strv *sv, char *s);
void strv_release(struct strv *sv);
void run_progress_clear(struct run *r);
/* run_graph.c.  Whether the first build's graph can stand for go list:
 * Go 1.21 or later, module mode outside a workspace (reads the main
 * module's path from GOMOD). */
int run_graph_usable(struct run *r);
/* A package's directory from GOROOT or the main module, else NULL. */
const char *run_graph_dir(struct run *r, const char *path);
/* Fills r->pkgs (when empty) from the first build's graph, or from go
 * list when the graph is unreadable or a directory cannot be told (then,
 * with pats NULL, returns RUN_RETRY instead). */
int run_graph_packages(struct run *r, char **pats, int npats);
/* Whether package path, silent in the first build, needs no second one. */
int run_silent_ok(struct run *r, const char *path);
/* Notes that package path was asked for in the second build. */
void run_silent_asked(struct run *r, const char *path);
/* Adds to the silent list the packages of still (one a line, silent at
 * the end) that were compiled in the first build or asked again. */
void run_silent_record(struct run *r, const char *still);
void run_graph_release(struct run *r);
/* escdb's cache directory ($ESCDB_CACHE, $XDG_CACHE_HOME/escdb,
 * $HOME/.cache/escdb), or NULL when off or unknown.  Caller frees. */
char *run_cache_dir(void);
/* The directory of package path (a pkgdir callback of ingest). */
const char *run_pkgdir(void *ctx, const char *path);

#endif
