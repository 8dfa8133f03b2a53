/*
 * writer: one run written in one transaction — interning through a cache,
 * findings, packages, kept lines and line-class counts.  See store.h.
 */
#include "writer_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/htab.h"

/* ---- writer ---- */


/* str's index.  A database's first run is loaded without it, and it is
 * not built at the end either: it serves look-ups of texts, which only a
 * later writer needs (readers without it read the texts once, read.c).
 * The next writer builds it at its start, which for run is while go
 * build loads its packages, so no run waits for the sort (0.05 to 0.1 s
 * on the standard library's 120000 texts).  finding_run is kept as rows
 * come: a new run's rows are appended to its few (run, kind) ranges. */
static const char *const drop_index = "DROP INDEX IF EXISTS str_h;";
static const char *const make_index = "CREATE INDEX IF NOT EXISTS str_h ON str(h);";

#define INTERN_MAX (1u << 20)   /* entries kept before the cache is cleared */

/* Binds row r of batch b as the row starting at parameter p. */
static void
bind_row(struct batch *b, int type, sqlite3_stmt *s, int p, const struct row *r)
{
	const char *d = b->data.buf + r->off;
	int i;

	if (type == ROW_STR) {
		sqlite3_bind_int64(s, p, r->v[0]);
		sqlite3_bind_int64(s, p + 1, r->v[1]);
		sqlite3_bind_text(s, p + 2, d, (int)r->len, SQLITE_STATIC);
		return;
	}
	for (i = 0; i < 12; i++)
		sqlite3_bind_int64(s, p + i, r->v[i]);
	if (r->null_flows)
		sqlite3_bind_null(s, p + 12);
	else
		sqlite3_bind_blob(s, p + 12, d, (int)r->len, SQLITE_STATIC);
}

static int
run_stmt(struct store_writer *w, sqlite3_stmt *s, int type)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	return store_fail(w->st, type == ROW_STR ? "storing text" : "storing finding");
}

/* Writes the batch's rows: BATCH at once when full, else one by one. */
static int
flush(struct store_writer *w, int type)
{
	struct batch *b = &w->b[type];
	int per = type == ROW_STR ? 3 : 13, rc = STORE_OK;
	size_t i;

	if (b->n == BATCH) {
		for (i = 0; i < BATCH; i++)
			bind_row(b, type, b->all, 1 + per * (int)i, &b->r[i]);
		rc = run_stmt(w, b->all, type);
	} else
		for (i = 0; i < b->n && rc == STORE_OK; i++) {
			bind_row(b, type, b->one, 1, &b->r[i]);
			rc = run_stmt(w, b->one, type);
		}
	b->n = 0;
	sbuf_reset(&b->data);
	return rc;
}

int
writer_flush_batches(struct store_writer *w)
{
	return flush(w, ROW_STR) == STORE_OK && flush(w, ROW_FINDING) == STORE_OK ?
	    STORE_OK : STORE_EDB;
}

/* A new row of the batch holding a copy of data, or NULL when writing
 * the full batch failed. */
struct row *
writer_batch_row(struct store_writer *w, int type, const void *data, size_t len)
{
	struct batch *b = &w->b[type];
	struct row *r;

	if (b->n == BATCH && flush(w, type) != STORE_OK)
		return NULL;
	r = &b->r[b->n++];
	r->off = b->data.len;
	r->len = len;
	r->null_flows = 0;
	sbuf_add(&b->data, data, len);
	return r;
}

/* A new row holding a copy of data (to be filled in by the caller), in
 * the batch or, with the thread, in a chunk for it; NULL on failure. */
static struct row *
row_new(struct store_writer *w, int type, const void *data, size_t len)
{
	return w->threaded ? writer_bg_row(w, type, data, len) :
	    writer_batch_row(w, type, data, len);
}

/* Every row made is written, by the thread (then idle) or here; after
 * it the caller's thread may use the connection. */
static int
flush_all(struct store_writer *w)
{
	return w->threaded ? writer_bg_drain(w) : writer_flush_batches(w);
}

/* Before the caller's thread runs a statement of its own: the thread,
 * which owns the connection while it works, is drained.  Without it the
 * batches wait until full: rows of other tables may go in between (ids
 * are handed out before insertion, and order within a table is kept). */
static int
own_connection(struct store_writer *w)
{
	return w->threaded ? writer_bg_drain(w) : STORE_OK;
}

static void
intern_clear(struct store_writer *w)
{
	htab_release(&w->cache);
	arena_release(&w->keys);
	w->str_table_was_empty = 0;
	w->all_cached = 0;
}

#define PRELOAD_MAX (INTERN_MAX / 2)

/* Into a database that holds runs already: its texts, all of them, in the
 * cache, when there are not too many.  A text the cache then lacks is new
 * without a look-up, and a run of code stored before finds nearly all of
 * its texts there.  It costs one read of the table, done while go build
 * is still loading its packages. */
static void
preload_texts(struct store_writer *w, int64_t count)
{
	if (count > PRELOAD_MAX)
		return;
	if (store_texts_read(w->st, &w->cache, &w->keys, PRELOAD_MAX) == 0 &&
	    w->cache.n < PRELOAD_MAX)
		w->all_cached = 1;
	else
		intern_clear(w);
}

/* Texts made ahead (store_writer_intern_ahead) that nothing used yet:
 * one byte per id made by this writer, from first_id. */
static void
ahead_mark(struct store_writer *w, int64_t id, unsigned char v)
{
	size_t i;

	if (id < w->first_id)
		return;
	i = (size_t)(id - w->first_id);
	if (i >= w->ahead.len) {
		if (v == 0)
			return;
		sbuf_grow(&w->ahead, i + 1 - w->ahead.len);
		memset(w->ahead.buf + w->ahead.len, 0, i + 1 - w->ahead.len);
		w->ahead.len = i + 1;
	}
	w->ahead.buf[i] = (char)v;
}

void
store_writer_used(struct store_writer *w, int64_t id)
{
	if (w->nahead > 0)
		ahead_mark(w, id, 0);
}

static int64_t intern_text(struct store_writer *w, const char *s, size_t n, int ahead);

int64_t
store_writer_intern_ahead(struct store_writer *w, const char *s, size_t n)
{
	w->nahead++;
	return intern_text(w, s, n, 1);
}

/* The texts made ahead that no run's row uses: removed before the run is
 * committed, so the table holds what it would without them. */
static int
ahead_drop(struct store_writer *w)
{
	sqlite3_stmt *s;
	size_t i;
	int rc = SQLITE_DONE;

	if (w->ahead.len == 0 || memchr(w->ahead.buf, 1, w->ahead.len) == NULL)
		return STORE_OK;
	if (sqlite3_prepare_v2(w->st->db, "DELETE FROM str WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return store_fail(w->st, "removing texts");
	for (i = 0; i < w->ahead.len && rc == SQLITE_DONE; i++) {
		if (w->ahead.buf[i] != 1)
			continue;
		sqlite3_bind_int64(s, 1, w->first_id + (int64_t)i);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(w->st, "removing texts");
}

int64_t
store_writer_intern(struct store_writer *w, const char *s, size_t n)
{
	return intern_text(w, s, n, 0);
}

/* A text's id, found or made; ahead: for store_writer_intern_ahead (a new
 * one is marked unused, a found one is left as it is). */
static int64_t
intern_text(struct store_writer *w, const char *s, size_t n, int ahead)
{
	uint64_t h;
	struct htent *e;
	int64_t id = 0;

	if (n == 0)
		return 1;
	h = str_hash(s, n);
	if ((e = htab_find(&w->cache, h, s, n, 0)) != NULL) {
		if (w->nahead > 0 && !ahead)
			ahead_mark(w, e->v.i, 0);
		return e->v.i;
	}
	if (!w->str_table_was_empty && !w->all_cached) {
		sqlite3_bind_int64(w->find_str, 1, (int64_t)h);
		sqlite3_bind_text(w->find_str, 2, s, (int)n, SQLITE_STATIC);
		if (sqlite3_step(w->find_str) == SQLITE_ROW)
			id = sqlite3_column_int64(w->find_str, 0);
		sqlite3_reset(w->find_str);
	}
	if (id == 0) {
		struct row *r = row_new(w, ROW_STR, s, n);
		if (r == NULL)
			return -1;
		id = w->next_id++;
		r->v[0] = id;
		r->v[1] = (int64_t)h;
		if (ahead)
			ahead_mark(w, id, 1);
	} else if (w->nahead > 0 && !ahead)
		ahead_mark(w, id, 0);   /* made ahead before the cache was cleared */
	if (w->cache.n >= INTERN_MAX) {
		/* later look-ups must find the texts of this run */
		if (writer_bg_stop(w) != STORE_OK || flush_all(w) != STORE_OK)
			return -1;
		intern_clear(w);
	}
	e = htab_find(&w->cache, h, s, n, 1);
	e->k = arena_strndup(&w->keys, s, n);
	e->v.i = id;
	return id;
}

/* For the run's transaction: no foreign-key check per row (the run row is
 * inserted first in the same transaction, so every reference holds; the
 * pragma is a no-op inside a transaction, so it is set before), and a
 * page cache of 4 MB (the bulk load appends; the one index that is not
 * appended to, str's, fits).  Both are restored after. */
static void
bulk_mode(struct store *st, int on)
{
	store_exec(st, on ? "PRAGMA foreign_keys=OFF" : "PRAGMA foreign_keys=ON");
	store_exec(st, on ? "PRAGMA cache_size=-4000" : "PRAGMA cache_size=-8000");
}

static int
prep(struct store *st, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
		return store_fail(st, "preparing statement");
	return STORE_OK;
}

/* The batch's two statements: head then one values tuple, or BATCH. */
static int
prep_batch(struct store *st, const char *head, const char *tuple, struct batch *b)
{
	struct sbuf sql = SBUF_INIT;
	int i, rc;

	sbuf_adds(&sql, head);
	sbuf_adds(&sql, tuple);
	rc = prep(st, sql.buf, &b->one);
	for (i = 1; i < BATCH && rc == STORE_OK; i++) {
		sbuf_addc(&sql, ',');
		sbuf_adds(&sql, tuple);
	}
	if (rc == STORE_OK)
		rc = prep(st, sql.buf, &b->all);
	sbuf_release(&sql);
	return rc;
}

static void
writer_free(struct store_writer *w)
{
	int i;

	writer_bg_stop(w);
	for (i = 0; i < ROW_N; i++) {
		sqlite3_finalize(w->b[i].one);
		sqlite3_finalize(w->b[i].all);
		sbuf_release(&w->b[i].data);
	}
	sbuf_release(&w->ahead);
	sqlite3_finalize(w->find_str);
	sqlite3_finalize(w->ins_pkg);
	sqlite3_finalize(w->ins_line);
	intern_clear(w);
	free(w);
}

int
store_writer_begin(struct store *st, const struct run_meta *m, struct store_writer **out)
{
	struct store_writer *w;
	sqlite3_stmt *s;
	int64_t nstr;
	int rc;

	*out = NULL;
	bulk_mode(st, 1);
	if ((rc = store_exec(st, "BEGIN IMMEDIATE")) != STORE_OK) {
		bulk_mode(st, 0);
		return rc;
	}
	w = xcalloc(1, sizeof(*w));
	w->st = st;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM str", -1, &s, NULL) != SQLITE_OK)
		goto dbfail;
	nstr = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	w->str_table_was_empty = nstr <= 1;
	sqlite3_finalize(s);
	if (w->str_table_was_empty) {
		if (sqlite3_prepare_v2(st->db, "SELECT NOT EXISTS (SELECT 1 FROM finding)",
		    -1, &s, NULL) != SQLITE_OK)
			goto dbfail;
		w->deferred = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 1;
		sqlite3_finalize(s);
		if (w->deferred && store_exec(st, drop_index) != STORE_OK)
			goto fail;
	} else if (store_exec(st, make_index) != STORE_OK)
		goto fail;
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(id), 0) + 1 FROM str", -1, &s, NULL) != SQLITE_OK)
		goto dbfail;
	w->next_id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	w->first_id = w->next_id;
	sqlite3_finalize(s);
	if (w->next_id <= 0)
		goto dbfail;
	if (!w->str_table_was_empty)
		preload_texts(w, nstr);
	if (prep_batch(st, "INSERT INTO str(id, h, s) VALUES ", "(?,?,?)", &w->b[ROW_STR]) ||
	    prep(st, "SELECT id FROM str WHERE h = ?1 AND s = ?2", &w->find_str) ||
	    prep_batch(st, "INSERT INTO finding(run, pkg, file, line, col, func, kind, subject, detail, "
	    "message, cause, key, flows) VALUES ", "(?,?,?,?,?,?,?,?,?,?,?,?,?)", &w->b[ROW_FINDING]) ||
	    prep(st, "INSERT INTO package(run, name, dir, nfindings) VALUES (?,?,?,?) "
	    "ON CONFLICT(run, name) DO UPDATE SET nfindings = nfindings + excluded.nfindings, "
	    "dir = CASE WHEN dir = '' THEN excluded.dir ELSE dir END", &w->ins_pkg) ||
	    prep(st, "INSERT INTO kept_line(run, text, class, first_line, n) VALUES (?,?,?,?,1) "
	    "ON CONFLICT(run, text) DO UPDATE SET n = n + 1", &w->ins_line))
		goto fail;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO run(commit_id, label, date, go_version, goos, goarch, "
	    "dir, source, form, input, created, repo_prefix, in_repo, mode, flags, shard, "
	    "partial, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK)
		goto dbfail;
#define T(i, v) sqlite3_bind_text(s, i, (v) ? (v) : "", -1, SQLITE_TRANSIENT)
	T(1, m->commit);
	T(2, m->label);
	sqlite3_bind_int64(s, 3, m->date);
	T(4, m->go_version);
	T(5, m->goos);
	T(6, m->goarch);
	T(7, m->dir);
	T(8, m->source);
	T(9, m->form);
	T(10, m->input);
	sqlite3_bind_int64(s, 11, (int64_t)time(NULL));
	T(12, m->repo_prefix);
	sqlite3_bind_int(s, 13, m->in_repo != 0);
	T(14, m->mode);
	T(15, m->flags);
	T(16, m->shard);
	sqlite3_bind_int(s, 17, m->partial != 0);
	T(18, m->note);
#undef T
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		goto dbfail;
	}
	sqlite3_finalize(s);
	w->run = sqlite3_last_insert_rowid(st->db);
	*out = w;
	return STORE_OK;
dbfail:
	store_fail(st, "starting run");
fail:
	writer_free(w);
	store_rollback(st);
	bulk_mode(st, 0);
	return STORE_EDB;
}

int
store_writer_amend(struct store_writer *w, const char *go_version,
    const char *goos, const char *goarch, int partial, const char *note)
{
	sqlite3_stmt *s;
	int rc;

	if (own_connection(w) != STORE_OK)
		return STORE_EDB;
	if (sqlite3_prepare_v2(w->st->db, "UPDATE run SET go_version = coalesce(?1, go_version), "
	    "goos = coalesce(?2, goos), goarch = coalesce(?3, goarch), partial = ?4, "
	    "note = coalesce(?5, note) WHERE id = ?6", -1, &s, NULL) != SQLITE_OK)
		return store_fail(w->st, "amending run");
	if (go_version)
		sqlite3_bind_text(s, 1, go_version, -1, SQLITE_TRANSIENT);
	if (goos)
		sqlite3_bind_text(s, 2, goos, -1, SQLITE_TRANSIENT);
	if (goarch)
		sqlite3_bind_text(s, 3, goarch, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, partial != 0);
	if (note)
		sqlite3_bind_text(s, 5, note, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, w->run);
	rc = sqlite3_step(s) == SQLITE_DONE ? STORE_OK : store_fail(w->st, "amending run");
	sqlite3_finalize(s);
	return rc;
}

int
store_writer_finding(struct store_writer *w, const struct finding_in *f)
{
	int64_t own[6];
	const int64_t *ids = f->ids;
	struct row *r;
	int i;

	if (ids == NULL) {
		const char *txt[6] = { f->package, f->file, f->func, f->subject, f->detail, f->message };
		for (i = 0; i < 6; i++) {
			own[i] = store_writer_intern(w, txt[i] ? txt[i] : "", txt[i] ? strlen(txt[i]) : 0);
			if (own[i] < 0)
				return store_fail(w->st, "storing text");
		}
		ids = own;
	}
	if ((r = row_new(w, ROW_FINDING, f->flows, f->flowslen)) == NULL)
		return STORE_EDB;
	r->v[0] = w->run;
	r->v[1] = ids[0];
	r->v[2] = ids[1];
	r->v[3] = f->line;
	r->v[4] = f->col;
	r->v[5] = ids[2];
	r->v[6] = (int64_t)f->kind;
	r->v[7] = ids[3];
	r->v[8] = ids[4];
	r->v[9] = ids[5];
	r->v[10] = f->cause;
	r->v[11] = (int64_t)f->key;
	r->null_flows = f->flowslen == 0;
	w->nfindings++;
	return STORE_OK;
}

int
store_writer_package(struct store_writer *w, const char *name, const char *dir, int64_t nfindings)
{
	sqlite3_stmt *s = w->ins_pkg;
	int64_t id = store_writer_intern(w, name, strlen(name));
	int rc;

	store_kick_writeback(w->st);
	if (id < 0)
		return store_fail(w->st, "storing package");
	if (own_connection(w) != STORE_OK)
		return STORE_EDB;
	sqlite3_bind_int64(s, 1, w->run);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_text(s, 3, dir ? dir : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, nfindings);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(w->st, "storing package");
}

int
store_writer_line(struct store_writer *w, enum line_class c, unsigned long lineno,
    const char *text, size_t n)
{
	sqlite3_stmt *s = w->ins_line;
	int rc;

	if (own_connection(w) != STORE_OK)
		return STORE_EDB;
	if (n > 4096)
		n = 4096;       /* the count is what matters for long lines */
	sqlite3_bind_int64(s, 1, w->run);
	sqlite3_bind_text(s, 2, text, (int)n, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, line_class_name(c), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (int64_t)lineno);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(w->st, "storing line");
}

int
store_writer_counts(struct store_writer *w, const unsigned long counts[LC_N],
    int64_t nlines, int64_t norphans, int64_t nwarnings, const char *form)
{
	sqlite3_stmt *s;
	int i, rc = SQLITE_DONE;

	if (own_connection(w) != STORE_OK)
		return STORE_EDB;
	if (sqlite3_prepare_v2(w->st->db, "INSERT INTO line_class(run, class, n) VALUES (?,?,?) "
	    "ON CONFLICT(run, class) DO UPDATE SET n = n + excluded.n", -1, &s, NULL) != SQLITE_OK)
		return store_fail(w->st, "storing counts");
	for (i = 0; i < LC_N && rc == SQLITE_DONE; i++) {
		if (counts[i] == 0)
			continue;
		sqlite3_bind_int64(s, 1, w->run);
		sqlite3_bind_text(s, 2, line_class_name(i), -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (int64_t)counts[i]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(w->st, "storing counts");
	if (sqlite3_prepare_v2(w->st->db, "UPDATE run SET nlines = nlines + ?, norphans = norphans + ?, "
	    "nwarnings = nwarnings + ?, form = coalesce(?, form) WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return store_fail(w->st, "storing counts");
	sqlite3_bind_int64(s, 1, nlines);
	sqlite3_bind_int64(s, 2, norphans);
	sqlite3_bind_int64(s, 3, nwarnings);
	if (form)
		sqlite3_bind_text(s, 4, form, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_int64(s, 5, w->run);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(w->st, "storing counts");
}

int
store_writer_set_input(struct store_writer *w, const char *input)
{
	sqlite3_stmt *s;
	int rc;

	if (own_connection(w) != STORE_OK)
		return STORE_EDB;
	if (sqlite3_prepare_v2(w->st->db, "UPDATE run SET input = ? WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return store_fail(w->st, "storing the input");
	sqlite3_bind_text(s, 1, input, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, w->run);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(w->st, "storing the input");
}

int
store_writer_commit(struct store_writer *w, int64_t *id)
{
	struct store *st = w->st;
	sqlite3_stmt *s;
	int rc;

	if ((rc = writer_bg_stop(w)) != STORE_OK || (rc = flush_all(w)) != STORE_OK ||
	    (rc = ahead_drop(w)) != STORE_OK)
		goto fail;
	if (sqlite3_prepare_v2(st->db, "UPDATE run SET nfindings = ? WHERE id = ?", -1, &s, NULL) != SQLITE_OK) {
		rc = store_fail(st, "finishing run");
		goto fail;
	}
	sqlite3_bind_int64(s, 1, w->nfindings);
	sqlite3_bind_int64(s, 2, w->run);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		rc = store_fail(st, "finishing run");
		goto fail;
	}
	*id = w->run;
	writer_free(w);
	store_texts_forget(st);
	if ((rc = store_exec(st, "COMMIT")) != STORE_OK) {
		store_rollback(st);
		bulk_mode(st, 0);
		return rc;
	}
	bulk_mode(st, 0);
	return store_publish(st);
fail:
	writer_free(w);
	store_rollback(st);
	bulk_mode(st, 0);
	return rc;
}

void
store_writer_abort(struct store_writer *w)
{
	struct store *st;

	if (w == NULL)
		return;
	st = w->st;
	writer_free(w);
	store_rollback(st);
	bulk_mode(st, 0);
}
