/*
 * ingest_pkg.c: one package the parser hands over, stored: texts interned,
 * flows encoded, causes and identity keys computed.  See ingest.c.
 */
#include "ingest_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../parser/funcscan.h"
#include "cause.h"

/* ---- one package ---- */

static char *
dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	const char *b = strrchr(path, '\\');

	if (b && (!s || b > s))
		s = b;
	return s ? xstrndup(path, (size_t)(s - path)) : xstrdup(".");
}

/* The package directory: from go list when known, else the directory
 * holding most of the package's findings. */
static void
package_dir(struct ingest *in, const struct esc_package *p)
{
	struct strmap votes = { 0 };
	size_t i;
	uint64_t best = 0;
	const char *bestdir = NULL;
	const char *known = in->o.pkgdir ? in->o.pkgdir(in->o.pkgdir_ctx, p->name) : NULL;

	free(in->pkgdir);
	in->pkgdir = NULL;
	if (known && *known) {
		in->pkgdir = path_clean(known);
		return;
	}
	for (i = 0; i < p->nfindings; i++) {
		const char *f = p->findings[i].pos.file;
		char *d;
		struct htent *e;
		if (f[0] == '<')
			continue;
		d = dir_of(f);
		e = strmap_find(&votes, d, strlen(d), 1);
		if (++e->v.u > best) {
			best = e->v.u;
			bestdir = e->k;
		}
		free(d);
	}
	if (bestdir) {
		char *raw = xmalloc(strlen(bestdir) + 3);
		sprintf(raw, "%s/x", bestdir);
		char *abs = path_abs(in, raw);
		in->pkgdir = dir_of(abs);
		free(abs);
		free(raw);
		infer_goroot(in, p->name, in->pkgdir);
	}
	strmap_clear(&votes, 0);
}

static inline struct near_slot *
near_slot(struct ingest *in, int which, const void *k)
{
	return &in->near[which][((uintptr_t)k >> 3) & (NEAR_SLOTS - 1)];
}

/* The parser hands each distinct text of a package as one pointer, so
 * ids are cached by address for the package's lifetime: first in the
 * direct-mapped near cache, then in texts (one look-up: the entry is
 * made at once, its id 0 until the writer gives one). */
static int64_t
intern(struct ingest *in, const char *s)
{
	struct near_slot *n;
	struct htent *e;
	int64_t id;

	if (s == NULL || s[0] == '\0')
		return 1;
	n = near_slot(in, 0, s);
	if (n->k == s)
		return n->id;
	in->texts.byaddr = 1;
	e = htab_find(&in->texts, htab_addr_hash(s), s, 0, 1);
	if (e->v.i <= 0) {
		id = store_writer_intern(in->w, s, strlen(s));
		if (id < 0)
			return id;
		e->v.i = id;
	}
	n->k = s;
	n->id = e->v.i;
	return n->id;
}

/* A table grown by one large package is freed rather than cleared, so
 * the packages after it do not each clear it. */
static void
forget(struct htab *t)
{
	if (t->cap > 4096)
		htab_release(t);
	else
		htab_reset(t);
}

static void
intern_forget(struct ingest *in)
{
	memset(in->near, 0, sizeof(in->near));
	forget(&in->texts);
	forget(&in->stepfiles);
}

/* The id of a step's normalised file name, cached by the raw text's
 * address (a second table, since the raw text's own id differs). */
static int64_t
step_file(struct ingest *in, const char *raw)
{
	struct near_slot *n;
	struct htent *e;
	const char *norm;
	int64_t id;

	if (raw == NULL || raw[0] == '\0')
		return 1;
	n = near_slot(in, 1, raw);
	if (n->k == raw)
		return n->id;
	in->stepfiles.byaddr = 1;
	e = htab_find(&in->stepfiles, htab_addr_hash(raw), raw, 0, 1);
	if (e->v.i <= 0) {
		norm = file_cached(in, raw);
		id = store_writer_intern(in->w, norm, strlen(norm));
		if (id < 0)
			return id;
		e->v.i = id;
	}
	n->k = raw;
	n->id = e->v.i;
	return n->id;
}

/* Unsigned LEB128 (the layout of lib/util.c's varint_put) written in
 * place; the caller has reserved 10 bytes per value. */
static inline char *
put_varint(char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (char)v;
	return p;
}

/* Reserves room for n varints at the end of the blob; returns where the
 * next one goes. */
static char *
blob_room(struct sbuf *b, size_t n)
{
	sbuf_grow(b, 10 * n);
	return b->buf + b->len;
}

static void
blob_done(struct sbuf *b, char *end)
{
	b->len = (size_t)(end - b->buf);
	b->buf[b->len] = '\0';
}

static int
encode_flows(struct ingest *in, const struct esc_finding *f)
{
	struct sbuf *blob = &in->blob;
	size_t i, j, k;
	int64_t id;
	char *p;

	sbuf_reset(blob);
	if (f->nblocks == 0)
		return 0;
	p = blob_room(blob, 2);
	p = put_varint(p, 1);
	p = put_varint(p, f->nblocks);
	blob_done(blob, p);
	for (i = 0; i < f->nblocks; i++) {
		const struct esc_block *b = f->blocks[i];
		if ((id = intern(in, b->heading)) < 0)
			return -1;
		p = blob_room(blob, 3);
		p = put_varint(p, (uint64_t)id);
		p = put_varint(p, (uint64_t)b->truncated);
		p = put_varint(p, b->nflows);
		blob_done(blob, p);
		for (j = 0; j < b->nflows; j++) {
			const struct esc_flow *fl = &b->flows[j];
			int64_t d = intern(in, fl->dst), s = intern(in, fl->src);
			if (d < 0 || s < 0)
				return -1;
			p = blob_room(blob, 3);
			p = put_varint(p, (uint64_t)d);
			p = put_varint(p, (uint64_t)s);
			p = put_varint(p, fl->nsteps);
			blob_done(blob, p);
			for (k = 0; k < fl->nsteps; k++) {
				const struct esc_step *st = &fl->steps[k];
				int64_t e = intern(in, st->expr), r = intern(in, st->reason),
				    fi = step_file(in, st->pos.file);
				if (e < 0 || r < 0 || fi < 0)
					return -1;
				p = blob_room(blob, 5);
				p = put_varint(p, (uint64_t)e);
				p = put_varint(p, (uint64_t)r);
				p = put_varint(p, (uint64_t)fi);
				p = put_varint(p, (uint64_t)(st->pos.line > 0 ? st->pos.line : 0));
				p = put_varint(p, (uint64_t)(st->pos.col > 0 ? st->pos.col : 0));
				blob_done(blob, p);
			}
		}
	}
	return 0;
}

/* A text of a replayed package by its number in the entry (0: none),
 * as intern would give it; step files as step_file would. */
static int64_t
replay_text(struct ingest *in, const struct replay_view *v, uint64_t i)
{
	if (i == 0)
		return 1;
	/* numbered once each: no cache by address needed in front */
	if (v->ids[i] == 0)
		v->ids[i] = store_writer_intern(in->w, v->texts[i - 1], strlen(v->texts[i - 1]));
	return v->ids[i];
}

static int64_t
replay_file(struct ingest *in, const struct replay_view *v, uint64_t i)
{
	if (i == 0)
		return 1;
	if (v->fids[i] == 0)
		v->fids[i] = step_file(in, v->texts[i - 1]);
	return v->fids[i];
}

struct remap {
	struct ingest *in;
	const struct replay_view *v;
};

/* flows_walk's fn for remap_flows: each value into the blob, a text as
 * its id, a file as its normalised name's id, the rest as it is */
static inline int
remap_value(void *ctx, enum flow_part part, uint64_t x)
{
	struct remap *m = ctx;
	struct sbuf *blob = &m->in->blob;
	int64_t id = (int64_t)x;
	char *o;

	if (part == FLOW_TEXT)
		id = replay_text(m->in, m->v, x);
	else if (part == FLOW_FILE)
		id = replay_file(m->in, m->v, x);
	if (id < 0)
		return -1;
	/* a call per value: room is asked for only when it runs short */
	o = blob->len + 10 < blob->cap ? blob->buf + blob->len : blob_room(blob, 1);
	blob_done(blob, put_varint(o, (uint64_t)id));
	return 0;
}

/* A replayed finding's flows (struct replay_view): the layout of
 * encode_flows with the entry's text numbers, made the run's ids in the
 * order encode_flows asks for them, so the blob and the ids handed out
 * are the same.  The entry was checked whole (pcache_pkg.c). */
static int
remap_flows(struct ingest *in, const struct replay_view *v, size_t fi)
{
	struct remap m = { in, v };

	sbuf_reset(&in->blob);
	return flows_walk(v->flows[fi], v->flows[fi] + v->flowslen[fi], remap_value, &m);
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static uint64_t
identity_key(struct ingest *in, const char *pkg, const char *file, const char *func,
    enum esc_kind kind, const char *subject, const char *detail)
{
	struct htent *e;
	uint64_t ord;

	sbuf_reset(&in->tmp);
	sbuf_adds(&in->tmp, pkg);
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, base_name(file));
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, func);
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, esc_kind_name(kind));
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, subject);
	sbuf_addc(&in->tmp, '\0');
	sbuf_adds(&in->tmp, detail);
	/* one key per finding of the run: kept in an arena, freed at once */
	e = htab_find(&in->ordinals, hash64(in->tmp.buf, in->tmp.len, 11), in->tmp.buf, in->tmp.len, 1);
	if (e->k == in->tmp.buf)
		e->k = arena_strndup(&in->okeys, in->tmp.buf, in->tmp.len);
	ord = e->v.u++;
	sbuf_addc(&in->tmp, '\0');
	/* the ordinal in decimal, as "%llu" would print it */
	{
		char dec[24], *d = dec + sizeof(dec);
		do {
			*--d = (char)('0' + ord % 10);
			ord /= 10;
		} while (ord);
		sbuf_add(&in->tmp, d, (size_t)(dec + sizeof(dec) - d));
	}
	return hash64(in->tmp.buf, in->tmp.len, 0xe5cdb);
}

int
ingest_package(void *ctx, const struct esc_package *p)
{
	struct ingest *in = ctx;
	const char *pkg = p->name;
	char fnbuf[1024];
	size_t i;
	struct htent *e;

	if (in->rc)
		return 1;
	strmap_clear(&in->files, 1);
	package_dir(in, p);
	if (pkg[0] == '\0' && in->o.package)
		pkg = in->o.package;
	if (pkg[0] == '\0' && p->nfindings > 0) {
		struct funcscan *fs = scanner_for(in, p->findings[0].pos.file);
		if (fs)
			pkg = funcscan_package(fs);
	}
	in->stats.blocks += p->nblocks;
	in->stats.orphans += p->norphans;
	e = strmap_find(&in->expected, pkg, strlen(pkg), 1);
	/* a package whose output comes in two blocks (a cgo warning
	 * prints its heading again) is one package, as in the table */
	if (!(e->v.u & 2))
		in->stats.packages++;
	e->v.u |= 2;
	for (i = 0; i < p->nfindings; i++) {
		const struct esc_finding *f = &p->findings[i];
		struct finding_in fi;
		int64_t ids[6];
		const char *func = "";

		memset(&fi, 0, sizeof(fi));
		fi.package = pkg;
		fi.file = file_cached(in, f->pos.file);
		fi.line = f->pos.line;
		fi.col = f->pos.col;
		if (in->replay) {
			func = in->replay->funcs[i];    /* from the parse cache */
		} else if (f->func && f->func[0]) {
			funcname_normalize(f->func, fnbuf, sizeof(fnbuf));
			func = fnbuf;
		} else {
			struct funcscan *fs = scanner_for(in, f->pos.file);
			if (fs)
				func = funcscan_lookup(fs, f->pos.line, f->pos.col);
		}
		fi.func = func;
		fi.kind = f->kind;
		fi.subject = f->subject;
		fi.detail = f->detail;
		fi.message = f->message;
		fi.cause = in->replay ? in->replay->causes[i] : cause_derive(f);
		cache_note_func(in, func, fi.cause);
		fi.key = identity_key(in, pkg, fi.file, func, f->kind, f->subject, f->detail);
		if ((in->replay ? remap_flows(in, in->replay, i) : encode_flows(in, f)) < 0) {
			in->rc = store_fail(in->st, "storing flows");
			return 1;
		}
		fi.flows = in->blob.buf;
		fi.flowslen = in->blob.len;
		/* the six texts, in store_writer_finding's order (ids are
		 * handed out in order of first use); func may sit in fnbuf,
		 * which is reused, so it is not cached by address */
		ids[0] = intern(in, pkg);
		ids[1] = intern(in, fi.file);
		ids[2] = in->replay ? intern(in, func) :        /* the entry's, by address */
		    store_writer_intern(in->w, func, strlen(func));
		ids[3] = intern(in, f->subject);
		ids[4] = intern(in, f->detail);
		ids[5] = intern(in, f->message);
		if (ids[0] < 0 || ids[1] < 0 || ids[2] < 0 || ids[3] < 0 || ids[4] < 0 || ids[5] < 0) {
			in->rc = store_fail(in->st, "storing text");
			return 1;
		}
		fi.ids = ids;
		if (store_writer_finding(in->w, &fi) != STORE_OK) {
			in->rc = STORE_EDB;
			return 1;
		}
		in->stats.findings++;
		in->stats.kinds[f->kind]++;
	}
	if (store_writer_package(in->w, pkg, in->pkgdir, (int64_t)p->nfindings) != STORE_OK) {
		in->rc = STORE_EDB;
		return 1;
	}
	cache_capture(in, p);
	intern_forget(in);
	return 0;
}
