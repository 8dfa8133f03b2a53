/*
 * read: the read side of the store — text by id (with a cache), flow
 * blobs decoded, and findings of a run in order.  See store.h.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- strings (read side) ---- */

const char *
store_str(struct store *st, int64_t id)
{
	struct htent *e;
	const void *key = (const void *)(uintptr_t)id;
	uint64_t h = hash64(&id, sizeof(id), 7);
	char *s;

	if (id <= 1)
		return "";
	st->rc.byaddr = 1;
	if ((e = htab_find(&st->rc, h, key, 0, 0)) != NULL)
		return e->v.p;
	if (st->get_str == NULL &&
	    sqlite3_prepare_v3(st->db, "SELECT s FROM str WHERE id = ?", -1,
	    SQLITE_PREPARE_PERSISTENT, &st->get_str, NULL) != SQLITE_OK)
		return "";
	sqlite3_bind_int64(st->get_str, 1, id);
	if (sqlite3_step(st->get_str) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st->get_str, 0);
		s = xstrdup(t ? t : "");
	} else
		s = xstrdup("");
	sqlite3_reset(st->get_str);
	htab_find(&st->rc, h, key, 0, 1)->v.p = s;
	return s;
}

void
store_texts_forget(struct store *st)
{
	htab_release(&st->texts);
	arena_release(&st->text_keys);
	st->str_index = 0;
}

int
store_texts_read(struct store *st, struct htab *t, struct arena *keys, size_t max)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT id, s FROM str ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && t->n < max) {
		const char *x = (const char *)sqlite3_column_text(s, 1);
		size_t n = (size_t)sqlite3_column_bytes(s, 1);
		struct htent *e;
		if (x == NULL || n == 0)
			continue;
		/* the first of two rows with one text, as the look-up finds */
		e = htab_find(t, str_hash(x, n), x, n, 1);
		if (e->v.i == 0) {
			e->k = arena_strndup(keys, x, n);
			e->v.i = sqlite3_column_int64(s, 0);
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Is str_h missing?  A database's first run is stored without it (the
 * next writer builds it, see writer.c); look-ups then go to every text
 * read once into st->texts, the first id of a text as the index finds. */
static int
str_index_missing(struct store *st)
{
	sqlite3_stmt *s;

	if (st->str_index != 0)
		return st->str_index == 2;
	st->str_index = 1;
	if (sqlite3_prepare_v2(st->db, "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master "
	    "WHERE type = 'index' AND name = 'str_h')", -1, &s, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 1)
		st->str_index = 2;
	sqlite3_finalize(s);
	if (st->str_index == 2)
		(void)store_texts_read(st, &st->texts, &st->text_keys, SIZE_MAX);
	return st->str_index == 2;
}

int64_t
store_str_lookup(struct store *st, const char *s)
{
	int64_t id = 0;

	if (s[0] == '\0')
		return 1;
	if (str_index_missing(st)) {
		size_t n = strlen(s);
		struct htent *e = htab_get(&st->texts, str_hash(s, n), s, n);
		return e ? e->v.i : 0;
	}
	if (st->find_str == NULL &&
	    sqlite3_prepare_v3(st->db, "SELECT id FROM str WHERE h = ?1 AND s = ?2", -1,
	    SQLITE_PREPARE_PERSISTENT, &st->find_str, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st->find_str, 1, (int64_t)str_hash(s, strlen(s)));
	sqlite3_bind_text(st->find_str, 2, s, -1, SQLITE_STATIC);
	if (sqlite3_step(st->find_str) == SQLITE_ROW)
		id = sqlite3_column_int64(st->find_str, 0);
	sqlite3_reset(st->find_str);
	return id;
}

/* ---- flow blobs ---- */

int
flows_decode(struct store *st, const void *blob, size_t len, struct arena *a,
    struct block_rec **blocks, size_t *nblocks)
{
	const unsigned char *p = blob, *end = p + len;
	uint64_t v, nb, nf, ns, i, j, k;
	struct block_rec *bv;

	*blocks = NULL;
	*nblocks = 0;
	if (len == 0)
		return 0;
#define GET(x) do { if (varint_get(&p, end, &(x)) < 0) return -1; } while (0)
	GET(v);
	if (v != 1)
		return -1;
	GET(nb);
	if (nb > len)
		return -1;
	bv = arena_alloc(a, (nb ? nb : 1) * sizeof(*bv));
	for (i = 0; i < nb; i++) {
		GET(v);
		bv[i].heading = store_str(st, (int64_t)v);
		GET(v);
		bv[i].truncated = v != 0;
		GET(nf);
		if (nf > len)
			return -1;
		bv[i].nflows = nf;
		bv[i].flows = arena_alloc(a, (nf ? nf : 1) * sizeof(*bv[i].flows));
		for (j = 0; j < nf; j++) {
			struct flow_rec *f = &bv[i].flows[j];
			GET(v);
			f->dst = store_str(st, (int64_t)v);
			GET(v);
			f->src = store_str(st, (int64_t)v);
			GET(ns);
			if (ns > len)
				return -1;
			f->nsteps = ns;
			f->steps = arena_alloc(a, (ns ? ns : 1) * sizeof(*f->steps));
			for (k = 0; k < ns; k++) {
				struct step_rec *s = &f->steps[k];
				GET(v);
				s->expr = store_str(st, (int64_t)v);
				GET(v);
				s->reason_id = (int64_t)v;
				s->reason = store_str(st, (int64_t)v);
				GET(v);
				s->file = store_str(st, (int64_t)v);
				GET(v);
				s->line = (int)v;
				GET(v);
				s->col = (int)v;
			}
		}
	}
#undef GET
	*blocks = bv;
	*nblocks = nb;
	return 0;
}

int
flows_any_reason(const void *blob, size_t len, int (*fn)(void *, int64_t), void *ctx)
{
	const unsigned char *p = blob, *end = p + len;
	uint64_t v, nb, nf, ns, i, j, k;

	if (len == 0)
		return 0;
#define GET(x) do { if (varint_get(&p, end, &(x)) < 0) return 0; } while (0)
	GET(v);
	if (v != 1)
		return 0;
	GET(nb);
	for (i = 0; i < nb; i++) {
		GET(v);
		GET(v);
		GET(nf);
		for (j = 0; j < nf; j++) {
			GET(v);
			GET(v);
			GET(ns);
			for (k = 0; k < ns; k++) {
				GET(v);
				GET(v);
				if (fn(ctx, (int64_t)v))
					return 1;
				GET(v);
				GET(v);
				GET(v);
			}
		}
	}
#undef GET
	return 0;
}

/* ---- reading findings ---- */

struct finding_iter {
	struct store *st;
	sqlite3_stmt *s;
};

int
finding_iter_new(struct store *st, int64_t run, const char *extra_where, struct finding_iter **out)
{
	struct finding_iter *it;
	struct sbuf sql = SBUF_INIT;

	*out = NULL;
	sbuf_adds(&sql, "SELECT f.id, f.run, f.pkg, f.file, f.line, f.col, f.func, f.kind, "
	    "f.subject, f.detail, f.message, f.cause, f.key, f.flows FROM finding f "
	    "WHERE f.run = ?");
	if (extra_where && *extra_where)
		sbuf_addf(&sql, " AND (%s)", extra_where);
	sbuf_adds(&sql, " ORDER BY (SELECT s FROM str WHERE id = f.pkg), "
	    "(SELECT s FROM str WHERE id = f.file), f.line, f.col, f.id");
	it = xcalloc(1, sizeof(*it));
	it->st = st;
	if (sqlite3_prepare_v2(st->db, sql.buf, -1, &it->s, NULL) != SQLITE_OK) {
		sbuf_release(&sql);
		free(it);
		return store_fail(st, "reading findings");
	}
	sbuf_release(&sql);
	sqlite3_bind_int64(it->s, 1, run);
	*out = it;
	return STORE_OK;
}

int
finding_iter_next(struct finding_iter *it, struct finding_rec *r)
{
	sqlite3_stmt *s = it->s;
	int rc = sqlite3_step(s);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		store_fail(it->st, "reading findings");
		return -STORE_EDB;
	}
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->run = sqlite3_column_int64(s, 1);
	r->package = store_str(it->st, sqlite3_column_int64(s, 2));
	r->file = store_str(it->st, sqlite3_column_int64(s, 3));
	r->line = sqlite3_column_int(s, 4);
	r->col = sqlite3_column_int(s, 5);
	r->func = store_str(it->st, sqlite3_column_int64(s, 6));
	r->kind = (enum esc_kind)sqlite3_column_int(s, 7);
	r->subject = store_str(it->st, sqlite3_column_int64(s, 8));
	r->detail = store_str(it->st, sqlite3_column_int64(s, 9));
	r->message = store_str(it->st, sqlite3_column_int64(s, 10));
	r->cause = sqlite3_column_int(s, 11);
	r->key = (uint64_t)sqlite3_column_int64(s, 12);
	r->flows = sqlite3_column_blob(s, 13);
	r->flowslen = (size_t)sqlite3_column_bytes(s, 13);
	return 1;
}

void
finding_iter_free(struct finding_iter *it)
{
	if (it == NULL)
		return;
	sqlite3_finalize(it->s);
	free(it);
}
