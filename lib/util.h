/*
 * util: allocation wrappers that exit on out-of-memory, a growable byte
 * buffer, an arena for short-lived strings, and a 64-bit string hash.
 * Any module may call these; none of them prints except xalloc_die().
 */
#ifndef ESCDB_UTIL_H
#define ESCDB_UTIL_H

#include <stddef.h>
#include <stdint.h>

void  xalloc_die(void);                 /* prints "escdb: out of memory", exit 4 */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable NUL-terminated buffer.  Caller releases with sbuf_release. */
struct sbuf {
	char   *buf;
	size_t  len;
	size_t  cap;
};
#define SBUF_INIT { NULL, 0, 0 }
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_add(struct sbuf *sb, const void *p, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addc(struct sbuf *sb, int c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_reset(struct sbuf *sb);
void sbuf_release(struct sbuf *sb);
/* Returns the buffer (always NUL-terminated, never NULL); the sbuf is reset. */
char *sbuf_detach(struct sbuf *sb);

/* An arena: bump allocation in large blocks, all freed at once. */
struct arena {
	struct arena_block *head;
	struct arena_block *spare;      /* blocks kept by arena_reset */
	size_t used_bytes;              /* total handed out, for accounting */
};
#define ARENA_INIT { NULL, NULL, 0 }
void *arena_alloc(struct arena *a, size_t n);           /* 8-aligned */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void  arena_reset(struct arena *a);     /* forgets everything, keeps blocks */
void  arena_release(struct arena *a);   /* frees every block */

/* 64-bit hash of n bytes (not cryptographic; stable across runs and hosts). */
uint64_t hash64(const void *p, size_t n, uint64_t seed);
/* A stable 128-bit hash of n bytes for keys kept on disk (escdb's parse
 * cache): four independent lanes of 8 bytes, so it runs at memory speed
 * on large inputs; not for adversaries.  Same bytes, same out. */
void hash128(const void *p, size_t n, uint64_t seed, uint64_t out[2]);
/* The same hash over bytes given in pieces: init, add each piece in
 * order, end (any split gives hash128 of the whole). */
struct hash128_st {
	uint64_t a, b, c, d, n;
	unsigned char part[32];
	size_t plen;
};
void hash128_init(struct hash128_st *st, uint64_t seed);
void hash128_add(struct hash128_st *st, const void *p, size_t n);
void hash128_end(struct hash128_st *st, uint64_t out[2]);
/* Appends what fd holds from its offset to its end to sb; -1 on a read
 * error (errno set) or when sb would pass max bytes. */
int sbuf_read_fd(struct sbuf *sb, int fd, size_t max);
/* Appends the whole file at path to sb; -1 with errno set when it cannot
 * be opened or read. */
int sbuf_read_file(struct sbuf *sb, const char *path);
/* Replaces path with n bytes of buf, written to path.tmpPID and renamed
 * over it (creating the directories above it), so a reader sees the old
 * file or the new one, never a part; 0, or -1 (nothing replaced). */
int replace_file(const char *path, const void *buf, size_t n);
/* Creates each missing directory above the last component of path
 * (mode 0777 less the umask), best effort: the caller's open says. */
void mkdir_parents(char *path);

/* Varints (LEB128, unsigned) for compact blobs. */
void   varint_put(struct sbuf *sb, uint64_t v);
/* Reads one varint at *pp (not past end); returns 0 on success, -1 on truncation. */
int    varint_get(const unsigned char **pp, const unsigned char *end, uint64_t *v);
/* The same, inline for one byte (most values of a blob). */
static inline int
varint_next(const unsigned char **pp, const unsigned char *end, uint64_t *v)
{
	if (*pp < end && **pp < 0x80) {
		*v = *(*pp)++;
		return 0;
	}
	return varint_get(pp, end, v);
}

/* "s" unless n is 1: "%lu finding%s", n, plural(n). */
static inline const char *
plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

#endif
