/*
 * writer_bg: the background writer of writer.c — a thread that batches
 * and inserts the rows of str and finding while the caller parses.  See
 * writer_int.h.
 */
#include "writer_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* In the thread: a chunk's rows into the batches. */
static int
run_chunk(struct store_writer *w, const struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct crow *cr = &c->r[i];
		struct row *r = writer_batch_row(w, cr->type, c->data.buf + cr->r.off, cr->r.len);
		if (r == NULL)
			return STORE_EDB;
		memcpy(r->v, cr->r.v, sizeof(r->v));
		r->null_flows = cr->r.null_flows;
	}
	return c->last ? writer_flush_batches(w) : STORE_OK;
}

static void *
writer_thread(void *arg)
{
	struct store_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct chunk *c;
		int rc = STORE_OK;
		while (w->queue == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->queue == NULL)
			break;
		c = w->queue;
		w->queue = c->next;
		if (w->queue == NULL)
			w->queue_tail = NULL;
		w->busy = 1;
		if (!w->failed) {
			pthread_mutex_unlock(&w->mu);
			rc = run_chunk(w, c);
			pthread_mutex_lock(&w->mu);
		}
		if (rc != STORE_OK)
			w->failed = 1;
		c->n = 0;
		c->last = 0;
		sbuf_reset(&c->data);
		c->next = w->spare;
		w->spare = c;
		w->busy = 0;
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Hands the chunk being filled to the thread (an empty one too when it
 * is the last before a drain). */
static void
hand_off(struct store_writer *w, int last)
{
	if (w->cur == NULL || (w->cur->n == 0 && !last))
		return;
	pthread_mutex_lock(&w->mu);
	w->cur->last = last;
	w->cur->next = NULL;
	if (w->queue_tail)
		w->queue_tail->next = w->cur;
	else
		w->queue = w->cur;
	w->queue_tail = w->cur;
	w->cur = NULL;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

/* A chunk to fill, or NULL when the thread has failed. */
static struct chunk *
chunk_get(struct store_writer *w)
{
	int failed;

	pthread_mutex_lock(&w->mu);
	while (w->spare == NULL && w->nchunks >= CHUNKS_MAX && !w->failed)
		pthread_cond_wait(&w->done, &w->mu);
	failed = w->failed;
	if (!failed && w->spare) {
		w->cur = w->spare;
		w->spare = w->cur->next;
	} else if (!failed) {
		w->cur = xcalloc(1, sizeof(*w->cur));
		w->cur->r = xmalloc(CHUNK_ROWS * sizeof(*w->cur->r));
		w->nchunks++;
	}
	pthread_mutex_unlock(&w->mu);
	return failed ? NULL : w->cur;
}

/* A new row in the chunk being filled (see writer_int.h). */
struct row *
writer_bg_row(struct store_writer *w, int type, const void *data, size_t len)
{
	struct crow *cr;

	if (w->cur && (w->cur->n == CHUNK_ROWS || w->cur->data.len >= CHUNK_BYTES))
		hand_off(w, 0);
	if (w->cur == NULL && chunk_get(w) == NULL)
		return NULL;
	cr = &w->cur->r[w->cur->n++];
	cr->type = type;
	cr->r.off = w->cur->data.len;
	cr->r.len = len;
	cr->r.null_flows = 0;
	sbuf_add(&w->cur->data, data, len);
	return &cr->r;
}

int
writer_bg_drain(struct store_writer *w)
{
	int failed;

	if (w->cur == NULL && chunk_get(w) == NULL)
		return STORE_EDB;
	hand_off(w, 1);
	pthread_mutex_lock(&w->mu);
	while (w->queue != NULL || w->busy)
		pthread_cond_wait(&w->done, &w->mu);
	failed = w->failed;
	pthread_mutex_unlock(&w->mu);
	return failed ? STORE_EDB : STORE_OK;
}

/* Writes everything and ends the thread; the rest of the run is written
 * in the caller's thread. */
int
writer_bg_stop(struct store_writer *w)
{
	struct chunk *c;
	int rc;

	if (!w->threaded)
		return STORE_OK;
	rc = writer_bg_drain(w);
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->threaded = 0;
	if (w->cur) {
		w->cur->next = w->spare;
		w->spare = w->cur;
		w->cur = NULL;
	}
	while ((c = w->spare) != NULL) {
		w->spare = c->next;
		free(c->r);
		sbuf_release(&c->data);
		free(c);
	}
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->mu);
	return rc;
}

int
store_writer_background(struct store_writer *w)
{
	if (w->threaded || !w->str_table_was_empty)
		return -1;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&w->work, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		return -1;
	}
	if (pthread_cond_init(&w->done, NULL) != 0) {
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
		return -1;
	}
	w->queue = w->queue_tail = w->spare = w->cur = NULL;
	w->nchunks = w->busy = w->stop = w->failed = 0;
	if (pthread_create(&w->thread, NULL, writer_thread, w) != 0) {
		pthread_cond_destroy(&w->done);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
		return -1;
	}
	w->threaded = 1;
	return 0;
}

