/*
 * writer_int: the run writer's state, shared by writer.c (statements,
 * batches) and writer_bg.c (the background thread).  Only those include it.
 */
#ifndef ESCDB_WRITER_INT_H
#define ESCDB_WRITER_INT_H

#include <pthread.h>

#include "../lib/util.h"
#include "store_int.h"

/* Rows of str and finding wait in a batch and go in BATCH at a time
 * through one INSERT of BATCH rows (one statement's set-up and halt per
 * batch, not per row).  Ids of new texts are handed out here, the
 * table's largest plus one as SQLite would.  A batch is flushed before
 * any other statement of the writer (flush_all), so the order of rows
 * and what every statement sees is as if each row went in at once. */
#define BATCH 32

enum { ROW_STR, ROW_FINDING, ROW_N };

struct row {
	int64_t v[12];  /* str: id, h; finding: the columns run..key */
	size_t off, len;        /* the text or the flows, in the batch's data */
	int null_flows;
};

struct batch {
	struct row r[BATCH];
	size_t n;
	struct sbuf data;
	sqlite3_stmt *one, *all;        /* INSERT of one row, of BATCH rows */
};

/* With store_writer_background, rows go instead to a thread of their
 * own in chunks (at most CHUNKS_MAX in flight), which batches and inserts
 * them while the caller parses.  Every other statement first drains:
 * the thread writes all it was handed, batches included, and goes idle,
 * so the connection is never used by two threads at once.  New texts
 * get ids without a look-up only while every text of the database is in
 * the cache, so the thread starts only on a str table holding nothing
 * but '', and stops (the rest written in the caller's thread) if the
 * cache is ever cleared.  The thread's first error stops its work; the
 * caller sees it at its next row or drain, and the run is rolled back. */
struct crow {
	int type;
	struct row r;   /* off is in the chunk's data */
};

struct chunk {
	struct crow *r;
	size_t n;
	int last;       /* the batches are flushed after it */
	struct sbuf data;
	struct chunk *next;
};

#define CHUNK_ROWS 1024
#define CHUNK_BYTES (1u << 20)
#define CHUNKS_MAX 4

struct store_writer {
	struct store *st;
	int64_t run;
	int64_t nfindings;
	int64_t next_id;                /* of the next new text */
	int64_t first_id;               /* the first this writer made */
	struct sbuf ahead;              /* per id from first_id: 1 made ahead, unused */
	size_t nahead;                  /* texts asked for ahead */
	sqlite3_stmt *find_str, *ins_pkg, *ins_line;
	struct batch b[ROW_N];
	struct htab cache;              /* text (in keys) -> id */
	struct arena keys;
	int str_table_was_empty;        /* every hit is in the cache */
	int all_cached;                 /* so too: every text was read in */
	int deferred;                   /* a first run: loaded without str_h */
	/* the background writer: threaded is set while it runs */
	int threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct chunk *queue, *queue_tail, *spare, *cur;
	int nchunks, busy, stop, failed;
};

/* writer.c: a new row of the batch of type (flushing a full one), NULL
 * when that failed; all batches written */
struct row *writer_batch_row(struct store_writer *w, int type, const void *data, size_t len);
int writer_flush_batches(struct store_writer *w);
/* writer_bg.c: a new row for the thread, NULL when it has failed; wait
 * until the thread has written every row and gone idle (STORE_EDB when
 * it failed); write everything and end the thread (no-op without one) */
struct row *writer_bg_row(struct store_writer *w, int type, const void *data, size_t len);
int writer_bg_drain(struct store_writer *w);
int writer_bg_stop(struct store_writer *w);

#endif
