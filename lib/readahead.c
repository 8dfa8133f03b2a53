/*
 * readahead: see readahead.h.  A ring of NBUF chunks: the thread fills
 * slot head, the reader takes slot tail; a slot is handed back when the
 * reader asks for the next one.  One mutex and one condition variable
 * each way.
 */
#include "readahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util.h"

#define NBUF 3

struct readahead {
	FILE *fp;
	size_t chunk;
	char *buf[NBUF];
	size_t len[NBUF];
	unsigned filled;        /* chunks the thread has filled */
	unsigned taken;         /* chunks the reader has taken */
	int eof, err, stop;
	int holding;            /* the reader still holds chunk taken-1 */
	pthread_mutex_t mu;
	pthread_cond_t more;    /* a chunk was filled, or the end came */
	pthread_cond_t room;    /* a chunk was handed back, or stop */
	pthread_t th;
};

static void *
reader(void *arg)
{
	struct readahead *ra = arg;

	for (;;) {
		size_t n, slot;
		int e = 0;

		pthread_mutex_lock(&ra->mu);
		/* a slot is free when the reader neither waits to take it
		 * nor still holds it */
		while (!ra->stop && ra->filled - ra->taken + (unsigned)ra->holding >= NBUF)
			pthread_cond_wait(&ra->room, &ra->mu);
		if (ra->stop) {
			pthread_mutex_unlock(&ra->mu);
			return NULL;
		}
		slot = ra->filled % NBUF;
		pthread_mutex_unlock(&ra->mu);

		n = fread(ra->buf[slot], 1, ra->chunk, ra->fp);
		if (n == 0 && ferror(ra->fp))
			e = errno ? errno : EIO;

		pthread_mutex_lock(&ra->mu);
		if (n > 0) {
			ra->len[slot] = n;
			ra->filled++;
		} else {
			ra->eof = 1;
			ra->err = e;
		}
		pthread_cond_signal(&ra->more);
		pthread_mutex_unlock(&ra->mu);
		if (n == 0)
			return NULL;
	}
}

/* Frees ra once its thread is gone (or never started). */
static void
ra_free(struct readahead *ra)
{
	int i;

	pthread_cond_destroy(&ra->room);
	pthread_cond_destroy(&ra->more);
	pthread_mutex_destroy(&ra->mu);
	for (i = 0; i < NBUF; i++)
		free(ra->buf[i]);
	free(ra);
}

struct readahead *
readahead_start(FILE *fp, size_t chunk)
{
	struct readahead *ra;
	struct stat sb;
	int i, fd = fileno(fp);

	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return NULL;
	ra = xcalloc(1, sizeof(*ra));
	ra->fp = fp;
	ra->chunk = chunk;
	for (i = 0; i < NBUF; i++)
		ra->buf[i] = xmalloc(chunk);
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->more, NULL);
	pthread_cond_init(&ra->room, NULL);
	if (pthread_create(&ra->th, NULL, reader, ra) != 0) {
		ra_free(ra);
		return NULL;
	}
	return ra;
}

ssize_t
readahead_next(struct readahead *ra, const char **buf)
{
	ssize_t n;

	pthread_mutex_lock(&ra->mu);
	if (ra->holding) {
		ra->holding = 0;
		pthread_cond_signal(&ra->room);
	}
	while (ra->taken == ra->filled && !ra->eof)
		pthread_cond_wait(&ra->more, &ra->mu);
	if (ra->taken < ra->filled) {
		size_t slot = ra->taken % NBUF;
		*buf = ra->buf[slot];
		n = (ssize_t)ra->len[slot];
		ra->taken++;
		ra->holding = 1;
	} else if (ra->err) {
		errno = ra->err;
		n = -1;
	} else
		n = 0;
	pthread_mutex_unlock(&ra->mu);
	return n;
}

void
readahead_stop(struct readahead *ra)
{
	if (ra == NULL)
		return;
	pthread_mutex_lock(&ra->mu);
	ra->stop = 1;
	pthread_cond_signal(&ra->room);
	pthread_mutex_unlock(&ra->mu);
	pthread_join(ra->th, NULL);
	ra_free(ra);
}
