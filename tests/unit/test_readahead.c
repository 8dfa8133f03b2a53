/*
 * test_readahead: the chunks of lib/readahead.c are the file's bytes in
 * order, for files of sizes around the chunk size; a stop before the end
 * returns; a pipe is not read ahead.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/readahead.h"
#include "check.h"

/* Reads a file of n pseudo-random bytes through readahead with chunk c;
 * stop_after > 0 stops after that many chunks. */
static void
one(size_t n, size_t c, int stop_after)
{
	char *data = malloc(n + 1), *got = malloc(n + 1);
	FILE *fp = tmpfile();
	struct readahead *ra;
	const char *buf;
	ssize_t k;
	size_t off = 0;
	unsigned x = (unsigned)n * 2654435761u + 7;
	int chunks = 0, i;

	for (size_t j = 0; j < n; j++) {
		x = x * 1103515245u + 12345u;
		data[j] = (char)(x >> 16);
	}
	CHECK(fp != NULL && fwrite(data, 1, n, fp) == n && fseek(fp, 0, SEEK_SET) == 0);
	ra = readahead_start(fp, c);
	CHECK(ra != NULL);
	if (ra == NULL)
		goto out;
	while ((k = readahead_next(ra, &buf)) > 0) {
		CHECK((size_t)k <= c && off + (size_t)k <= n);
		if (off + (size_t)k > n)
			break;
		memcpy(got + off, buf, (size_t)k);
		off += (size_t)k;
		if (stop_after > 0 && ++chunks == stop_after)
			break;
	}
	if (stop_after > 0) {
		size_t want = (size_t)stop_after * c;
		CHECK_INT(off, want < n ? want : n);
	} else {
		CHECK_INT(k, 0);
		CHECK_INT(off, n);
	}
	CHECK(memcmp(got, data, off) == 0);
	if (stop_after == 0) {
		/* the end stays the end */
		for (i = 0; i < 2; i++)
			CHECK_INT(readahead_next(ra, &buf), 0);
	}
	readahead_stop(ra);
out:
	if (fp)
		fclose(fp);
	free(data);
	free(got);
}

int
main(void)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 3 * 4096, 3 * 4096 + 1,
	    7 * 4096 - 1, 100000, 1 << 20 };
	int fds[2];
	FILE *p;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		one(sizes[i], 4096, 0);
		one(sizes[i], 1000, 0);
		one(sizes[i], 4096, 1);
		one(sizes[i], 1000, 2);
	}
	/* a pipe: read by the caller, as before */
	CHECK(pipe(fds) == 0);
	p = fdopen(fds[0], "r");
	CHECK(p != NULL && readahead_start(p, 4096) == NULL);
	if (p)
		fclose(p);
	close(fds[1]);
	return check_report("readahead");
}
