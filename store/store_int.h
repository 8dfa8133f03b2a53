/*
 * store_int: what the files of store/ share and nobody else sees — the
 * connection struct and small helpers.  Callers: the .c files of store/ only.
 */
#ifndef ESCDB_STORE_INT_H
#define ESCDB_STORE_INT_H

#include "../lib/htab.h"
#include "store.h"

struct store {
	sqlite3 *db;
	char errmsg[512];
	int rdonly;
	int needs_upgrade;      /* read-only open of an older schema */
	int immutable;          /* opened with immutable=1: no locks, no WAL */
	/* id -> text (owned) cache for reading; the key is the id itself,
	 * held as an address (htab byaddr) */
	struct htab rc;
	sqlite3_stmt *get_str, *find_str;
	/* text -> id (owned keys) for look-ups in a database without str_h
	 * (see writer.c); str_index: 0 not known yet, 1 there, 2 missing */
	struct htab texts;
	struct arena text_keys;
	int str_index;
	/* STORE_STAGE: the temporary file being built and the path it is
	 * published at; both NULL once published or when not staged */
	char *stage, *final;
	int kick_fd;            /* on stage (+ 1), for store_kick_writeback */
	unsigned kicks;
};

/* The two indexes a run's rows go into (store.c's schema; a database's
 * first run is stored without str_h, which the next writer builds, see
 * writer.c). */
#define STORE_INDEX_STR_H "CREATE INDEX str_h ON str(h)"
#define STORE_INDEX_FINDING_RUN "CREATE INDEX finding_run ON finding(run, kind)"

/* Runs sql with sqlite3_exec; on failure sets st->errmsg, returns STORE_EDB. */
int store_exec(struct store *st, const char *sql);
/* A staged database's first committed run: the file is made durable and
 * moved to its path, and st reconnected there.  STORE_OK when st is not
 * staged. */
int store_publish(struct store *st);
/* A staged database being loaded: the pages SQLite has written so far
 * start on their way to the disk (sync_file_range, not waiting), so that
 * the fsync before it is published waits for the last ones only. */
void store_kick_writeback(struct store *st);
/* Forgets what store_str_lookup read of the texts (read.c). */
void store_texts_forget(struct store *st);
/* Every text of table str into t (text -> id, keys in keys), in id order,
 * the first id of a text kept, until t holds max: store_str_lookup without
 * str_h, and a writer's cache (writer.c).  0 when all were read, -1 when
 * stopped at max or by an error. */
int store_texts_read(struct store *st, struct htab *t, struct arena *keys, size_t max);
/* ROLLBACK without touching st->errmsg (see store.c). */
void store_rollback(struct store *st);

/* The hash stored beside each text in table str, indexed for look-ups. */
static inline uint64_t
str_hash(const char *s, size_t n)
{
	return hash64(s, n, 0x5eed);
}

#endif
