/*
 * ingest_cache: escdb's own replay, for run.  The go command replays a
 * package's compiler output from its build cache; escdb keeps what it
 * parsed from that output, so a package whose output and sources have not
 * changed is not parsed (nor its sources scanned for functions) again.
 *
 * The output is cut into blocks, each from a "# pkg" heading to the next.
 * A block's key hashes the escdb binary, what the parse and the scan of
 * sources depend on (the directory relative paths start from, the default
 * package, the Go version) and the block's bytes; file names are made
 * again by ingest_package at each use.  Its entry (pcache_pkg.c) holds
 * the package's findings as the parser handed them over, with the
 * function and cause ingest found for each and its flows laid out as they
 * are stored (texts by number, made ids again at each use), the block's
 * line counts, and the manifest: every source
 * file the function scanner read for it, with a hash of its content (or
 * that it was missing).  An entry is used only when every manifest file
 * still hashes the same; the package then goes through the very
 * ingest_package the parser calls, so the database gets what parsing
 * would have given.
 *
 * Only clean blocks are kept: those that gave one package and no kept
 * line, no warning, and that end outside a raw string spanning lines and
 * not right after an explanation block's heading (parser_idle).
 * Entries live in DIR/parse-v1/XX/KEY (written to a temporary file and
 * renamed), are checked whole (a trailing hash) before use, and those not
 * used for five days are removed, at most once a day.  Any failure of the
 * cache is a miss, never an error.  While go build prints nothing yet, the
 * entries the last run used are loaded ahead (pcache_ahead.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcache_int.h"

#define MAX_PART (16u << 20)    /* a line held whole: the parser's limit */

/* ---- the files the function scanner reads ---- */

static void
hash_source(const char *buf, size_t n, int state, uint64_t h[2])
{
	hash128(buf, n, 0x5eed0000u + (uint64_t)state, h);
}

void
cache_source_read(struct ingest *in, const char *abs, int state, const char *buf, size_t n)
{
	struct htent *e;
	struct srcinfo *si;

	if (in->cache == NULL)
		return;
	e = strmap_find(&in->cache->src, abs, strlen(abs), 1);
	if (e->v.p != NULL)
		return;
	si = xcalloc(1, sizeof(*si));
	si->state = state;
	hash_source(state == SRC_READ ? buf : "", state == SRC_READ ? n : 0, state, si->h);
	e->v.p = si;
}

/* The content hash of abs: as read for the scanner in this run, else
 * read now, once. */
static const struct srcinfo *
source_now(struct ingest *in, const char *abs)
{
	struct htent *e = strmap_find(&in->cache->src, abs, strlen(abs), 0);
	char *buf;
	size_t n;
	int state;

	if (e == NULL || e->v.p == NULL) {
		state = source_read(abs, &buf, &n);
		cache_source_read(in, abs, state, buf, n);
		free(buf);
		e = strmap_find(&in->cache->src, abs, strlen(abs), 0);
	}
	return e ? e->v.p : NULL;
}

void
cache_note_source(struct ingest *in, const char *raw)
{
	struct pcache *c = in->cache;
	const struct srcinfo *si;
	struct htent *e;
	char *abs;

	if (c == NULL || !c->active)
		return;
	e = strmap_find(&c->noted, raw, strlen(raw), 1);
	if (e->v.u == 0) {
		e->v.u = 1;
		abs = path_abs(in, raw);
		si = source_now(in, abs);
		if (si == NULL) {
			c->active = 0;          /* cannot vouch for it: no entry */
		} else {
			sbuf_adds(&c->manifest, abs);
			sbuf_addc(&c->manifest, '\0');
			sbuf_addc(&c->manifest, (char)si->state);
			put_h(&c->manifest, si->h);
			c->nmanifest++;
		}
		free(abs);
	}
}

void
cache_note_func(struct ingest *in, const char *func, int cause)
{
	if (in->cache != NULL && in->cache->active) {
		sbuf_adds(&in->cache->funcs, func);
		sbuf_addc(&in->cache->funcs, '\0');
		sbuf_addc(&in->cache->causes, cause);
	}
}

/* ---- entries on disk ---- */

char *
entry_path(const struct pcache *c, const uint64_t key[2])
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addf(&sb, "%s/%02x/%016llx%016llx", c->dir, (unsigned)(key[0] >> 56),
	    (unsigned long long)key[0], (unsigned long long)key[1]);
	return sbuf_detach(&sb);
}

int
entry_load(struct ingest *in, const uint64_t key[2], struct sbuf *body, struct rd *r)
{
	struct pcache *c = in->cache;
	char *path = entry_path(c, key);
	uint64_t h[2], want[2];
	struct stat sb;
	size_t i, n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size > MAX_ENTRY)
		goto out;
	sbuf_reset(body);
	sbuf_grow(body, (size_t)sb.st_size + 1);
	if (sbuf_read_fd(body, fd, MAX_ENTRY) < 0 || body->len < sizeof(MAGIC) - 1 + 32 ||
	    memcmp(body->buf, MAGIC, sizeof(MAGIC) - 1) != 0)
		goto out;
	/* the trailing hash covers the rest */
	r->p = (const unsigned char *)body->buf + body->len - 16;
	r->end = r->p + 16;
	r->bad = 0;
	get_h(r, want);
	hash128(body->buf, body->len - 16, 0xe5cdbca5e, h);
	if (h[0] != want[0] || h[1] != want[1])
		goto out;
	r->p = (const unsigned char *)body->buf + sizeof(MAGIC) - 1;
	r->end = (const unsigned char *)body->buf + body->len - 16;
	get_h(r, h);
	if (r->bad || h[0] != key[0] || h[1] != key[1])
		goto out;
	n = get_count(r);
	for (i = 0; i < n && !r->bad; i++) {
		const char *file = get_str(r);
		const struct srcinfo *si;
		int state = r->p < r->end ? *r->p++ : -1;
		get_h(r, h);
		if (r->bad || (si = source_now(in, file)) == NULL || si->state != state ||
		    si->h[0] != h[0] || si->h[1] != h[1])
			goto out;
	}
	if (r->bad)
		goto out;
	/* used: keep it from the trim */
	if (time(NULL) - sb.st_mtime > TOUCH_AGE)
		(void)futimens(fd, NULL);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

static void
entry_store(struct pcache *c, const unsigned long counts[LC_N], unsigned long nlines,
    int saw_m2)
{
	struct sbuf out = SBUF_INIT;
	char *path = entry_path(c, c->key);
	const char *m = c->manifest.buf, *mend = m + c->manifest.len;
	uint64_t h[2];
	int i;

	sbuf_add(&out, MAGIC, sizeof(MAGIC) - 1);
	put_h(&out, c->key);
	put_uv(&out, c->nmanifest);
	while (m != NULL && m < mend) {
		size_t n = strlen(m);
		put_uv(&out, n);
		sbuf_add(&out, m, n + 1);
		m += n + 1;
		sbuf_add(&out, m, 17);  /* state, hash */
		m += 17;
	}
	put_uv(&out, nlines);
	for (i = 0; i < LC_N; i++)
		put_uv(&out, counts[i]);
	put_uv(&out, (uint64_t)saw_m2);
	put_uv(&out, c->nstrs);
	sbuf_add(&out, c->table.buf, c->table.len);
	sbuf_add(&out, c->entry.buf, c->entry.len);
	hash128(out.buf, out.len, 0xe5cdbca5e, h);
	put_h(&out, h);

	(void)replace_file(path, out.buf, out.len);    /* a cache: best effort */
	sbuf_release(&out);
	free(path);
}

/* Removes the entries not used for TRIM_AGE, at most once a day. */
static void
trim(struct pcache *c)
{
	struct sbuf sb = SBUF_INIT;
	struct stat st;
	time_t now = time(NULL);
	int i, fd;

	sbuf_addf(&sb, "%s/trim.txt", c->dir);
	if (stat(sb.buf, &st) == 0 && now - st.st_mtime < 24 * 3600) {
		sbuf_release(&sb);
		return;
	}
	mkdir_parents(sb.buf);
	if ((fd = open(sb.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) >= 0)
		close(fd);
	for (i = 0; i < 256; i++) {
		DIR *d;
		struct dirent *de;
		sbuf_reset(&sb);
		sbuf_addf(&sb, "%s/%02x", c->dir, i);
		if ((d = opendir(sb.buf)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode) && now - st.st_mtime > TRIM_AGE)
				(void)unlinkat(dirfd(d), de->d_name, 0);
		}
		closedir(d);
	}
	sbuf_release(&sb);
}

/* ---- opening ---- */

/* The hash of the running binary: any other escdb parses differently. */
static int
self_hash(uint64_t h[2])
{
	struct sbuf sb = SBUF_INIT;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), rc = -1;

	if (fd >= 0) {
		if (sbuf_read_fd(&sb, fd, MAX_ENTRY) == 0 && sb.len > 0) {
			hash128(sb.buf, sb.len, 0xe5cdb, h);
			rc = 0;
		}
		close(fd);
	}
	sbuf_release(&sb);
	return rc;
}

static void
ctx_add(struct sbuf *sb, const char *s)
{
	sbuf_adds(sb, s ? s : "\001");
	sbuf_addc(sb, '\0');
}

void
cache_open(struct ingest *in)
{
	struct pcache *c;
	struct sbuf sb = SBUF_INIT;
	uint64_t self[2];

	if (in->o.cache_dir == NULL || in->o.cache_dir[0] == '\0' || self_hash(self) < 0)
		return;
	c = xcalloc(1, sizeof(*c));
	sbuf_addf(&sb, "%s/parse-v1", in->o.cache_dir);
	c->dir = sbuf_detach(&sb);
	sbuf_add(&sb, MAGIC, sizeof(MAGIC) - 1);
	put_h(&sb, self);
	/* what the parse and the function scan depend on: file names are
	 * made from them again by ingest_package at each use */
	ctx_add(&sb, in->cwd);
	ctx_add(&sb, in->o.package);
	ctx_add(&sb, in->go_version);
	hash128(sb.buf, sb.len, 1, c->ctx);
	if (in->o.cache_tag != NULL) {
		sbuf_reset(&sb);
		sbuf_add(&sb, MAGIC_ORDER, sizeof(MAGIC_ORDER) - 1);
		put_h(&sb, c->ctx);
		sbuf_adds(&sb, in->o.cache_tag);
		hash128(sb.buf, sb.len, 4, c->okey);
		c->have_okey = 1;
	}
	sbuf_release(&sb);
	in->cache = c;
	trim(c);
}

void
cache_close(struct ingest *in)
{
	struct pcache *c = in->cache;

	if (c == NULL)
		return;
	strmap_clear(&c->src, 1);
	strmap_clear(&c->noted, 0);
	prefetch_free(c);
	sbuf_release(&c->order);
	sbuf_release(&c->manifest);
	sbuf_release(&c->funcs);
	sbuf_release(&c->causes);
	sbuf_release(&c->lflows);
	sbuf_release(&c->entry);
	sbuf_release(&c->body);
	replay_free(&c->rp);
	sbuf_release(&c->table);
	htab_release(&c->strs);
	free(c->dir);
	free(c);
	in->cache = NULL;
}

/* ---- the input, block by block ---- */

#define CHUNK (1u << 20)        /* read at a time */

/* The input being read: the stream, and the file it comes from, where a
 * block's bytes are read again when it has to be parsed.  A block is never
 * held in memory: it is hashed as it passes, so a package that prints
 * tens of megabytes costs its reading and nothing more when it hits. */
struct scan {
	struct ingest *in;
	int fd;                 /* the same bytes, from offset 0 */
	char *buf;              /* buf[0] is at offset off */
	size_t cap, len;
	uint64_t off;
	int inblk;              /* since the first heading */
	uint64_t start;         /* the current block's first byte */
	struct hash128_st hs;   /* its bytes so far */
	char *again;            /* CHUNK bytes, to read a block again */
};

/* Feeds the parser bytes [from, to) of the input: from the buffer when
 * they are in it, else read again from the file. */
static int
feed_range(struct scan *s, uint64_t from, uint64_t to)
{
	struct parser *p = s->in->parser;
	int rc = 0;

	if (from >= s->off && to <= s->off + s->len)
		return parser_feed(p, s->buf + (from - s->off), (size_t)(to - from));
	if (s->again == NULL)
		s->again = xmalloc(CHUNK);
	while (rc == 0 && from < to) {
		size_t want = to - from < CHUNK ? (size_t)(to - from) : CHUNK;
		ssize_t n = pread(s->fd, s->again, want, (off_t)from);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;    /* the file is shorter than what was read */
			return -1;
		}
		rc = parser_feed(p, s->again, (size_t)n);
		from += (uint64_t)n;
	}
	return rc;
}

/* One block, [s->start, end), its hash in s->hs: from the cache, else
 * parsed (and kept when clean). */
static int
block_done(struct scan *s, uint64_t end)
{
	struct ingest *in = s->in;
	struct pcache *c = in->cache;
	struct parser *p = in->parser;
	struct rd r;
	struct sbuf sb = SBUF_INIT;
	uint64_t body[2];
	unsigned long counts0[LC_N], counts[LC_N], lines0, nlines, warn0, kept0;
	const unsigned long *pc;
	int i, rc;

	if (end == s->start)
		return 0;
	if (!parser_idle(p))
		return feed_range(s, s->start, end);
	/* the key: what every key shares, and the block's bytes */
	hash128_end(&s->hs, body);
	put_h(&sb, c->ctx);
	put_h(&sb, body);
	hash128(sb.buf, sb.len, 3, c->key);
	sbuf_release(&sb);
	put_h(&c->order, c->key);       /* read back by get_h */
	if ((rc = cache_block_ahead(in, c->key)) >= 0)
		return rc;
	memset(&r, 0, sizeof(r));
	if (entry_load(in, c->key, &c->body, &r) == 0) {
		unsigned long cnt[LC_N], nl = (unsigned long)get_uv(&r);
		int saw;
		for (i = 0; i < LC_N; i++)
			cnt[i] = (unsigned long)get_uv(&r);
		saw = (int)get_uv(&r);
		if (!r.bad && (rc = parser_flush(p)) != 0)
			return rc;
		if (!r.bad && replay_read(&r, &c->rp, parser_lines(p) + 1) == 0 &&
		    r.p == r.end) {
			in->replay = &c->rp.view;
			rc = ingest_package(in, &c->rp.pkg);
			in->replay = NULL;
			parser_skip(p, nl, cnt, saw);
			return rc;
		}
	}
	/* parsed, and captured when it comes out clean */
	pc = parser_counts(p);
	memcpy(counts0, pc, sizeof(counts0));
	lines0 = parser_lines(p);
	warn0 = in->stats.warnings;
	kept0 = in->kept;
	if ((rc = parser_flush(p)) != 0)
		return rc;
	c->active = 1;
	c->packages = 0;
	c->nmanifest = 0;
	sbuf_reset(&c->manifest);
	sbuf_reset(&c->funcs);
	sbuf_reset(&c->causes);
	sbuf_reset(&c->entry);
	strmap_clear(&c->noted, 0);
	c->capture_base = lines0 + 1;
	rc = feed_range(s, s->start, end);
	if (rc == 0 && parser_idle(p))
		rc = parser_flush(p);
	else
		c->active = 0;
	if (rc == 0 && c->active && c->packages == 1 && in->rc == 0 &&
	    in->stats.warnings == warn0 && in->kept == kept0) {
		pc = parser_counts(p);
		for (i = 0; i < LC_N; i++)
			counts[i] = pc[i] - counts0[i];
		nlines = parser_lines(p) - lines0;
		entry_store(c, counts, nlines, c->saw);
	}
	c->active = 0;
	return rc;
}

/* The whole lines buf[0, n): each heading ends the block before it and
 * starts the next; what precedes the first heading is parsed. */
static int
scan_lines(struct scan *s, size_t n)
{
	const char *b = s->buf, *end = b + n, *seg = b, *q, *p = b, *eol;
	int rc = 0;

	while (rc == 0 && p < end && (q = memchr(p, '#', (size_t)(end - p))) != NULL) {
		if (q != b && q[-1] != '\n') {
			p = q + 1;
			continue;
		}
		eol = memchr(q, '\n', (size_t)(end - q));
		p = eol + 1;
		if (!parser_is_heading(q, (size_t)(eol - q)))
			continue;
		if (s->inblk) {
			hash128_add(&s->hs, seg, (size_t)(q - seg));
			rc = block_done(s, s->off + (uint64_t)(q - b));
		} else
			rc = parser_feed(s->in->parser, seg, (size_t)(q - seg));
		s->inblk = 1;
		s->start = s->off + (uint64_t)(q - b);
		hash128_init(&s->hs, 2);
		seg = q;
	}
	if (rc == 0 && seg < end) {
		if (s->inblk)
			hash128_add(&s->hs, seg, (size_t)(end - seg));
		else
			rc = parser_feed(s->in->parser, seg, (size_t)(end - seg));
	}
	return rc;
}

int
cache_read(struct ingest *in, FILE *fp, int fd)
{
	struct scan s;
	size_t n = 0;
	int rc = 0, plain = 0;

	memset(&s, 0, sizeof(s));
	s.in = in;
	s.fd = fd;
	s.cap = CHUNK;
	s.buf = xmalloc(s.cap);
	while (rc == 0 && (n = fread(s.buf + s.len, 1, s.cap - s.len, fp)) > 0) {
		const char *nl;
		size_t whole;
		if (plain) {
			rc = parser_feed(in->parser, s.buf, n);
			continue;
		}
		s.len += n;
		/* whole lines now; the last, unfinished one waits for more */
		nl = memrchr(s.buf, '\n', s.len);
		whole = nl ? (size_t)(nl + 1 - s.buf) : 0;
		if (whole > 0) {
			size_t len = s.len;
			s.len = whole;  /* what feed_range may find in the buffer */
			rc = scan_lines(&s, whole);
			s.len = len - whole;
			memmove(s.buf, s.buf + whole, s.len);
			s.off += whole;
		} else if (s.len == s.cap) {
			if (s.cap >= MAX_PART) {
				/* a line too long to hold (the parser cuts
				 * it anyway): parsed as it comes from here
				 * on, as without the cache */
				plain = 1;
				rc = s.inblk ? feed_range(&s, s.start, s.off) : 0;
				if (rc == 0)
					rc = parser_feed(in->parser, s.buf, s.len);
				s.len = 0;
				continue;
			}
			s.cap *= 2;
			s.buf = xrealloc(s.buf, s.cap);
		}
	}
	if (rc == 0 && ferror(fp)) {
		int e = errno;
		free(s.buf);
		free(s.again);
		errno = e ? e : EIO;
		return -1;
	}
	/* the last block; with a last line without its newline, parsed */
	if (rc == 0 && !plain) {
		if (s.len > 0) {
			rc = s.inblk ? feed_range(&s, s.start, s.off) : 0;
			if (rc == 0)
				rc = parser_feed(in->parser, s.buf, s.len);
		} else if (s.inblk)
			rc = block_done(&s, s.off);
	}
	if (rc == 0)
		rc = parser_finish(in->parser);
	free(s.buf);
	free(s.again);
	return rc;
}
