/*
 * merge: shared by cmd/merge.c (copying runs between databases) and
 * cmd/merge_shards.c (combining the shards of one sharded run).
 */
#ifndef ESCDB_MERGE_H
#define ESCDB_MERGE_H

#include "cmd.h"

/* The meta of a stored run, for writing a copy of it. */
void merge_meta(const struct run_info *ri, struct run_meta *m);

/* Writes one new run m into dst holding the findings, packages and line
 * counts of the runs ris[i] of srcs[i] (srcs[i] may be dst), deletes the
 * runs drop[] of dst, all in one transaction.  Returns a store_rc. */
int merge_copy_runs(struct store *dst, const struct run_meta *m, struct store *const srcs[],
    const struct run_info *const ris[], size_t n, const int64_t *drop, size_t ndrop,
    int64_t *newid);

/* The shard runs ("K/N") of the databases given, grouped by commit,
 * label and goos/goarch. */
struct shardset;

struct shardset *shards_new(void);
/* Takes note of the shard runs among runs[0..n-1] of st (named name for
 * messages; is_dst when st is the database merged into).  runs must
 * outlive the set. */
void shards_add(struct shardset *ss, struct store *st, const char *name, int is_dst,
    const struct run_info *runs, size_t n);
/* Whether run ri is one shard of a sharded run ("K/N"). */
int shards_is_shard(const struct run_info *ri);
/* Checks every group: one N, one Go version, mode and flags, each shard
 * 1..N exactly once.  Prints each problem; returns their number. */
int shards_check(struct shardset *ss, struct store *dst);
/* Writes one run per complete group into dst (shard "*" "/N") and drops
 * the shard runs dst held.  Prints one line per merged run.  Returns an
 * exit status. */
int shards_merge(struct shardset *ss, struct store *dst);
void shards_free(struct shardset *ss);

#endif
