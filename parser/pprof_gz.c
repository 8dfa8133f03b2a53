/*
 * pprof_gz: the gzip layer of the profile reader (see pprof_gz.h).
 */
#include "pprof_gz.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../lib/util.h"

#define PPROF_MAX_INFLATED ((size_t)1 << 30)   /* 1 GiB */

int
pprof_gunzip(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen,
    char *err, size_t errsz)
{
	z_stream z;
	size_t cap = len * 4 + 4096, n = 0;
	unsigned char *buf;
	int zr;

	if (cap > PPROF_MAX_INFLATED)
		cap = PPROF_MAX_INFLATED;
	buf = xmalloc(cap);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, errsz, "zlib: cannot start inflating");
		free(buf);
		return -1;
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = len > UINT_MAX ? UINT_MAX : (unsigned)len;
	for (;;) {
		if (n == cap) {
			if (cap >= PPROF_MAX_INFLATED) {
				snprintf(err, errsz, "the decompressed profile is larger than 1 GiB");
				goto bad;
			}
			cap *= 2;
			if (cap > PPROF_MAX_INFLATED)
				cap = PPROF_MAX_INFLATED;
			buf = xrealloc(buf, cap);
		}
		z.next_out = buf + n;
		z.avail_out = (unsigned)(cap - n > UINT_MAX ? UINT_MAX : cap - n);
		zr = inflate(&z, Z_NO_FLUSH);
		n = (size_t)(z.next_out - buf);
		if (zr == Z_STREAM_END) {
			size_t used = (size_t)(z.next_in - in);

			/* another gzip member may follow (gzip allows that) */
			if (used + 2 <= len && in[used] == 0x1f && in[used + 1] == 0x8b) {
				inflateReset(&z);
				z.avail_in = len - used > UINT_MAX ? UINT_MAX : (unsigned)(len - used);
				continue;
			}
			if (used != len) {
				snprintf(err, errsz, "%zu bytes of garbage after the gzip stream at byte %zu",
				    len - used, used);
				goto bad;
			}
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && (size_t)(z.next_in - in) == len) {
			snprintf(err, errsz, "truncated gzip stream (%zu bytes; it ends before its end marker)",
			    len);
			goto bad;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			snprintf(err, errsz, "bad gzip data at byte %zu: %s",
			    (size_t)(z.next_in - in), z.msg ? z.msg : "inflate failed");
			goto bad;
		}
		if (z.avail_in == 0 && (size_t)(z.next_in - in) < len)
			z.avail_in = len - (size_t)(z.next_in - in) > UINT_MAX ? UINT_MAX :
			    (unsigned)(len - (size_t)(z.next_in - in));
	}
	inflateEnd(&z);
	*out = buf;
	*outlen = n;
	return 0;
bad:
	inflateEnd(&z);
	free(buf);
	return -1;
}
