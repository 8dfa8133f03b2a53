/* util: see util.h */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
xalloc_die(void)
{
	fputs("escdb: out of memory\n", stderr);
	exit(4);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		xalloc_die();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		xalloc_die();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		xalloc_die();
	return p;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		xalloc_die();
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - sb->len - 1)
		xalloc_die();
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	if (sb->cap < 64)
		sb->cap = 64;
	while (sb->cap < need)
		sb->cap = sb->cap > SIZE_MAX / 2 ? need : sb->cap * 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void
sbuf_add(struct sbuf *sb, const void *p, size_t n)
{
	sbuf_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
sbuf_adds(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void
sbuf_addc(struct sbuf *sb, int c)
{
	char ch = (char)c;
	sbuf_add(sb, &ch, 1);
}

void
sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sbuf_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void
sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void
sbuf_release(struct sbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *
sbuf_detach(struct sbuf *sb)
{
	char *p;

	if (sb->buf == NULL)
		return xstrdup("");
	p = sb->buf;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	/* data follows, 16-aligned */
	max_align_t data[];
};

#define ARENA_BLOCK (256 * 1024)

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + 7) & ~(size_t)7;
	void *p;

	if (need < n)
		xalloc_die();
	if (b == NULL || b->size - b->used < need) {
		size_t sz = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
		if (sz == ARENA_BLOCK && a->spare != NULL) {
			b = a->spare;
			a->spare = b->next;
		} else
			b = xmalloc(sizeof(*b) + sz);
		b->size = sz;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += need;
	a->used_bytes += need;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (b->size == ARENA_BLOCK) {
			b->next = a->spare;
			a->spare = b;
		} else
			free(b);
	}
	a->head = NULL;
	a->used_bytes = 0;
}

void
arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	arena_reset(a);
	for (b = a->spare; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->spare = NULL;
}

/* A multiply-xorshift hash over 8-byte words; quality is ample for
 * interning and identity keys, and it is endian-independent. */
/* The last mixing of a 64-bit hash (MurmurHash3's fmix64 constants). */
static inline uint64_t
fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
hash64(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ (0x9e3779b97f4a7c15ULL * (n + 1));
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w = (uint64_t)s[i] | (uint64_t)s[i + 1] << 8 |
		    (uint64_t)s[i + 2] << 16 | (uint64_t)s[i + 3] << 24 |
		    (uint64_t)s[i + 4] << 32 | (uint64_t)s[i + 5] << 40 |
		    (uint64_t)s[i + 6] << 48 | (uint64_t)s[i + 7] << 56;
		w *= 0xff51afd7ed558ccdULL;
		w ^= w >> 32;
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 29;
	}
	if (i < n) {
		uint64_t w = 0;
		size_t k;
		for (k = 0; i + k < n; k++)
			w |= (uint64_t)s[i + k] << (8 * k);
		w *= 0xff51afd7ed558ccdULL;
		w ^= w >> 32;
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	return fmix(h);
}

void
varint_put(struct sbuf *sb, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		unsigned char c = v & 0x7f;
		v >>= 7;
		tmp[n++] = c | (v ? 0x80 : 0);
	} while (v);
	sbuf_add(sb, tmp, n);
}

int
varint_get(const unsigned char **pp, const unsigned char *end, uint64_t *v)
{
	const unsigned char *p = *pp;
	uint64_t r = 0;
	unsigned shift = 0;

	while (p < end && shift < 64) {
		unsigned char c = *p++;
		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*pp = p;
			*v = r;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

static inline uint64_t
le64(const unsigned char *s)
{
	return (uint64_t)s[0] | (uint64_t)s[1] << 8 | (uint64_t)s[2] << 16 |
	    (uint64_t)s[3] << 24 | (uint64_t)s[4] << 32 | (uint64_t)s[5] << 40 |
	    (uint64_t)s[6] << 48 | (uint64_t)s[7] << 56;
}

static inline uint64_t
lane(uint64_t h, uint64_t w)
{
	h ^= w * 0x9fb21c651e98df25ULL;
	h = (h << 29 | h >> 35) * 0xff51afd7ed558ccdULL;
	return h;
}

void
hash128_init(struct hash128_st *st, uint64_t seed)
{
	st->a = seed ^ 0x243f6a8885a308d3ULL;
	st->b = seed ^ 0x13198a2e03707344ULL;
	st->c = seed ^ 0xa4093822299f31d0ULL;
	st->d = seed ^ 0x082efa98ec4e6c89ULL;
	st->n = 0;
	st->plen = 0;
}

static inline void
hash128_group(struct hash128_st *st, const unsigned char *s)
{
	st->a = lane(st->a, le64(s));
	st->b = lane(st->b, le64(s + 8));
	st->c = lane(st->c, le64(s + 16));
	st->d = lane(st->d, le64(s + 24));
}

void
hash128_add(struct hash128_st *st, const void *p, size_t n)
{
	const unsigned char *s = p;

	st->n += n;
	if (st->plen > 0) {
		size_t k = 32 - st->plen < n ? 32 - st->plen : n;
		memcpy(st->part + st->plen, s, k);
		st->plen += k;
		s += k;
		n -= k;
		if (st->plen < 32)
			return;
		hash128_group(st, st->part);
		st->plen = 0;
	}
	for (; n >= 32; s += 32, n -= 32)
		hash128_group(st, s);
	memcpy(st->part, s, n);
	st->plen = n;
}

void
hash128_end(struct hash128_st *st, uint64_t out[2])
{
	uint64_t a;

	memset(st->part + st->plen, 0, 32 - st->plen);
	hash128_group(st, st->part);
	a = st->a ^ st->n;
	out[0] = fmix(a + fmix(st->b ^ st->c));
	out[1] = fmix(st->d + fmix(st->c ^ out[0]) + st->n);
}

void
hash128(const void *p, size_t n, uint64_t seed, uint64_t out[2])
{
	struct hash128_st st;

	hash128_init(&st, seed);
	hash128_add(&st, p, n);
	hash128_end(&st, out);
}

void
mkdir_parents(char *path)
{
	char *s;

	for (s = path + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			(void)mkdir(path, 0777);
			*s = '/';
		}
}

int
sbuf_read_fd(struct sbuf *sb, int fd, size_t max)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if ((size_t)n > max || sb->len > max - (size_t)n) {
			errno = EFBIG;
			return -1;
		}
		sbuf_add(sb, buf, (size_t)n);
	}
	return n < 0 ? -1 : 0;
}

int
sbuf_read_file(struct sbuf *sb, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc, e;

	if (fd < 0)
		return -1;
	rc = sbuf_read_fd(sb, fd, (size_t)-1);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int
replace_file(const char *path, const void *buf, size_t n)
{
	struct sbuf tmp = SBUF_INIT;
	int fd, ok = 0;

	sbuf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	mkdir_parents(tmp.buf);
	if ((fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) >= 0) {
		ok = write(fd, buf, n) == (ssize_t)n;
		if (close(fd) != 0)
			ok = 0;
		if (ok)
			ok = rename(tmp.buf, path) == 0;
		if (!ok)
			unlink(tmp.buf);
	}
	sbuf_release(&tmp);
	return ok ? 0 : -1;
}
