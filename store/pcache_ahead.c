/*
 * pcache_ahead: the parse cache's work ahead (see ingest_cache.c for the
 * cache).  A warm run's go build spends its first part loading packages,
 * printing nothing.  The order of the blocks a run read is kept (under a
 * key of the cache's context and the run's build command), and the next
 * such run uses that time to load the last entries it names (the last
 * blocks are the ones a run waits for, PREFETCH_N): read, checked against their
 * sources and decoded, and their texts given ids ahead
 * (store_writer_intern_ahead: the ones no stored row uses in the end are
 * removed at commit).  A block whose key is one loaded uses it as if it
 * were read then; nothing of an entry loaded ahead goes into the run
 * otherwise.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcache_int.h"

#define PREFETCH_MAX (512u << 20)       /* bytes of entries held ahead */
/* Entries loaded ahead: the last ones of the order only.  They are the
 * ones a run waits for after go build exits; loading all of them competes
 * with go build's own loading on a small machine.  Warm std on 2 cores,
 * 10 alternating rounds: all 1.25x the plain build, the last 10 1.05x,
 * the last 3 1.09x, none 1.16x. */
#define PREFETCH_N 10

void
cache_order_save(struct ingest *in)
{
	struct pcache *c = in->cache;
	struct sbuf out = SBUF_INIT;
	uint64_t h[2];
	char *path;

	if (c == NULL || !c->have_okey || c->order.len == 0)
		return;
	sbuf_add(&out, MAGIC_ORDER, sizeof(MAGIC_ORDER) - 1);
	put_h(&out, c->okey);
	put_uv(&out, c->order.len / 16);
	sbuf_add(&out, c->order.buf, c->order.len);
	hash128(out.buf, out.len, 0xe5cdbca5e, h);
	put_h(&out, h);
	path = entry_path(c, c->okey);
	(void)replace_file(path, out.buf, out.len);     /* a cache: best effort */
	free(path);
	sbuf_release(&out);
}

/* The last run's order, checked whole, into c->pf (not loaded yet). */
static void
order_load(struct pcache *c)
{
	struct sbuf body = SBUF_INIT;
	char *path = entry_path(c, c->okey);
	struct rd r;
	struct stat sb;
	uint64_t h[2], want[2];
	size_t i, n;
	int fd;

	c->ploaded = 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sbuf_read_fd(&body, fd, 64u << 20) < 0 ||
	    body.len < sizeof(MAGIC_ORDER) - 1 + 32 ||
	    memcmp(body.buf, MAGIC_ORDER, sizeof(MAGIC_ORDER) - 1) != 0)
		goto out;
	r.p = (const unsigned char *)body.buf + body.len - 16;
	r.end = r.p + 16;
	r.bad = 0;
	get_h(&r, want);
	hash128(body.buf, body.len - 16, 0xe5cdbca5e, h);
	if (h[0] != want[0] || h[1] != want[1])
		goto out;
	r.p = (const unsigned char *)body.buf + sizeof(MAGIC_ORDER) - 1;
	r.end = (const unsigned char *)body.buf + body.len - 16;
	get_h(&r, h);
	n = (size_t)get_uv(&r);
	if (r.bad || h[0] != c->okey[0] || h[1] != c->okey[1] ||
	    n > (size_t)(r.end - r.p) / 16 || (size_t)(r.end - r.p) != 16 * n)
		goto out;
	c->pf = xcalloc(n + 1, sizeof(*c->pf));
	for (i = 0; i < n; i++)
		get_h(&r, c->pf[i].key);
	c->npf = c->pnext = n;
out:
	if (fd >= 0)
		close(fd);
	if (c->npf == 0)
		c->pdone = 1;
	sbuf_release(&body);
	free(path);
}

/* pfmap: a key's slot in pf, 1 + index; 0 for a key come before the
 * prefetch reached it */
static struct prefetch *
prefetch_find(struct pcache *c, const uint64_t key[2])
{
	struct htent *e = htab_get(&c->pfmap, key[0], key, 16);

	return e != NULL && e->v.u > 0 ? &c->pf[e->v.u - 1] : NULL;
}

static void
prefetch_drop(struct pcache *c, struct prefetch *f)
{
	if (f->state == 1)
		c->pbytes -= f->body.len;
	sbuf_release(&f->body);
	replay_free(&f->rp);
	f->state = 2;
}

void
prefetch_free(struct pcache *c)
{
	size_t i;

	for (i = 0; i < c->npf; i++)
		prefetch_drop(c, &c->pf[i]);
	free(c->pf);
	c->pf = NULL;
	c->npf = c->pnext = 0;
	htab_release(&c->pfmap);
	arena_release(&c->pfkeys);
}

/* A text's id given ahead; 0 (asked again when used) when the writer
 * failed, so that the failure is met where it is reported. */
static int64_t
ahead_id(struct ingest *in, const char *s)
{
	int64_t id = s && s[0] ? store_writer_intern_ahead(in->w, s, strlen(s)) : 1;

	return id > 0 ? id : 0;
}

struct ahead_walk {
	struct ingest *in;
	struct replay_view *v;
};

/* flows_walk's fn: a text of the flows given its id ahead, into the
 * view's ids (the file is made a name at use, not ahead) */
static inline int
ahead_text(void *ctx, enum flow_part part, uint64_t x)
{
	struct ahead_walk *w = ctx;

	if (part == FLOW_TEXT && x && w->v->ids[x] == 0)
		w->v->ids[x] = ahead_id(w->in, w->v->texts[x - 1]);
	return 0;
}

/* The texts of a loaded entry's flows, and of its findings, given ids
 * ahead; the flows' go to the view's ids, where the replay looks first.
 * The flows were checked by replay_read. */
static void
prefetch_texts(struct ingest *in, struct prefetch *f)
{
	struct ahead_walk w = { in, &f->rp.view };
	const struct esc_package *p = &f->rp.pkg;
	size_t i;

	(void)ahead_id(in, p->name);
	for (i = 0; i < p->nfindings; i++) {
		const struct esc_finding *fd = &p->findings[i];
		(void)ahead_id(in, fd->subject);
		(void)ahead_id(in, fd->detail);
		(void)ahead_id(in, fd->message);
		(void)ahead_id(in, w.v->funcs[i]);
		(void)flows_walk(w.v->flows[i], w.v->flows[i] + w.v->flowslen[i], ahead_text, &w);
	}
}

int
cache_idle(struct ingest *in)
{
	struct pcache *c = in->cache;
	struct prefetch *f;
	struct rd r;
	int i;

	if (c == NULL || c->pdone || in->w == NULL || in->rc)
		return 0;
	if (!c->ploaded) {
		if (c->have_okey)
			order_load(c);
		else
			c->pdone = 1;
		return !c->pdone;
	}
	while (c->pnext > 0 && c->npf - c->pnext < PREFETCH_N) {
		f = &c->pf[--c->pnext];
		if (htab_get(&c->pfmap, f->key[0], f->key, 16) != NULL)
			continue;       /* come already, or twice in the order */
		htab_find(&c->pfmap, f->key[0], f->key, 16, 1)->v.u = (uint64_t)(f - c->pf) + 1;
		if (c->pbytes >= PREFETCH_MAX)
			break;
		memset(&r, 0, sizeof(r));
		f->state = 2;
		if (entry_load(in, f->key, &f->body, &r) == 0) {
			f->nl = (unsigned long)get_uv(&r);
			for (i = 0; i < LC_N; i++)
				f->cnt[i] = (unsigned long)get_uv(&r);
			f->saw = (int)get_uv(&r);
			if (!r.bad && replay_read(&r, &f->rp, 0) == 0 && r.p == r.end) {
				f->state = 1;
				c->pbytes += f->body.len;
				prefetch_texts(in, f);
				return 1;
			}
		}
		prefetch_drop(c, f);
		return 1;
	}
	c->pdone = 1;
	return 0;
}

/* A block whose entry was loaded ahead: stored from it (as block_done
 * does from one it loads), and the return of ingest_package; -1 when
 * there is none (and none will be loaded for key from now on). */
int
cache_block_ahead(struct ingest *in, const uint64_t key[2])
{
	struct pcache *c = in->cache;
	struct parser *p = in->parser;
	struct prefetch *f = c->pf ? prefetch_find(c, key) : NULL;
	struct replay_view *v;
	unsigned long base;
	size_t i;
	int rc;

	if (f == NULL) {
		/* come: not to be loaded from now on */
		if (!c->pdone && htab_get(&c->pfmap, key[0], key, 16) == NULL)
			htab_find(&c->pfmap, key[0], arena_strndup(&c->pfkeys,
			    (const char *)key, 16), 16, 1);
		return -1;
	}
	if (f->state != 1)
		return -1;
	if ((rc = parser_flush(p)) != 0)
		return rc;
	base = parser_lines(p) + 1;
	f->rp.pkg.lineno += base;
	for (i = 0; i < f->rp.pkg.nfindings; i++)
		f->rp.findings[i].lineno += base;
	v = &f->rp.view;
	for (i = 1; i <= v->ntexts; i++)
		if (v->ids[i] > 1)
			store_writer_used(in->w, v->ids[i]);
	in->replay = v;
	rc = ingest_package(in, &f->rp.pkg);
	in->replay = NULL;
	parser_skip(p, f->nl, f->cnt, f->saw);
	prefetch_drop(c, f);
	return rc;
}

