/*
 * merge: copies the runs of other escdb databases into this one.  Each
 * source is opened read-only; texts are re-interned here by their text,
 * and flow blobs are decoded with the source's strings and encoded again
 * with this database's ids.  One transaction per copied run.
 */
#include "merge.h"
#include "opts.h"

#include <stdlib.h>
#include <string.h>

static const struct opt_usage usage = {
	"merge", "[DB...]", ".Op Ar DB ...",
	"Copies every run of each escdb database DB into this one (--db),\n"
	"skipping runs already present: same commit, label, goos/goarch, date,\n"
	"finding count and multiset of finding identity keys.  Each run is\n"
	"copied in its own transaction: a run is stored whole or not at all.\n"
	"The shards of a sharded run (run --shard K/N), in the DBs and in this\n"
	"database, become one run per commit, label and goos/goarch; a missing\n"
	"or duplicated shard is an error and then nothing is merged.  Without\n"
	"DB, merges the shards this database holds.\n",
	NULL
};

/* An order-independent hash of a run's identity keys (a multiset). */
static int
keys_hash(struct store *st, int64_t run, uint64_t *out)
{
	sqlite3_stmt *s;
	uint64_t h = 0;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT key FROM finding WHERE run = ?", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading keys");
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t k = (uint64_t)sqlite3_column_int64(s, 0);
		h += hash64(&k, sizeof(k), 0x6d65726765);
	}
	sqlite3_finalize(s);
	*out = h;
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, "reading keys");
}

/* 1 when dst already holds a run like ri of src, 0 when not, <0 error. */
static int
present(struct store *dst, struct store *src, const struct run_info *ri)
{
	sqlite3_stmt *s;
	uint64_t hs, hd;
	int rc, found = 0;

	if (sqlite3_prepare_v2(store_db(dst), "SELECT id FROM run WHERE commit_id = ?1 AND label = ?2 "
	    "AND goos = ?3 AND goarch = ?4 AND date = ?5 AND nfindings = ?6", -1, &s, NULL) != SQLITE_OK)
		return -store_fail(dst, "looking up runs");
	sqlite3_bind_text(s, 1, ri->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ri->label, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ri->goos, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, ri->goarch, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, ri->date);
	sqlite3_bind_int64(s, 6, ri->nfindings);
	if ((rc = keys_hash(src, ri->id, &hs)) != STORE_OK) {
		sqlite3_finalize(s);
		return -rc;
	}
	while (!found && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (keys_hash(dst, sqlite3_column_int64(s, 0), &hd) != STORE_OK) {
			sqlite3_finalize(s);
			return -STORE_EDB;
		}
		found = hd == hs;
	}
	sqlite3_finalize(s);
	return found;
}

/* Re-encodes a flow blob of src with the texts interned through w.
 * Returns 0, or -1 for a malformed blob or a failed intern. */
static int
reencode(struct store *src, struct store_writer *w, const void *blob, size_t len,
    struct arena *a, struct sbuf *out)
{
	struct block_rec *b;
	size_t nb, i, j, k;
	int64_t id;

#define PUT_STR(s) do { \
		if ((id = store_writer_intern(w, (s), strlen(s))) < 0) \
			return -1; \
		varint_put(out, (uint64_t)id); \
	} while (0)
	if (flows_decode(src, blob, len, a, &b, &nb) < 0)
		return -1;
	varint_put(out, 1);
	varint_put(out, nb);
	for (i = 0; i < nb; i++) {
		PUT_STR(b[i].heading);
		varint_put(out, (uint64_t)b[i].truncated);
		varint_put(out, b[i].nflows);
		for (j = 0; j < b[i].nflows; j++) {
			const struct flow_rec *f = &b[i].flows[j];
			PUT_STR(f->dst);
			PUT_STR(f->src);
			varint_put(out, f->nsteps);
			for (k = 0; k < f->nsteps; k++) {
				const struct step_rec *sr = &f->steps[k];
				PUT_STR(sr->expr);
				PUT_STR(sr->reason);
				PUT_STR(sr->file);
				varint_put(out, (uint64_t)(sr->line > 0 ? sr->line : 0));
				varint_put(out, (uint64_t)(sr->col > 0 ? sr->col : 0));
			}
		}
	}
#undef PUT_STR
	return 0;
}

/* Copies rows of a per-run table with SQL on both connections. */
static int
copy_rows(struct store *src, struct store *dst, int64_t from, int64_t to, int kept)
{
	sqlite3_stmt *r, *w;
	int rc = SQLITE_DONE, i, ncol = kept ? 4 : 2;

	if (sqlite3_prepare_v2(store_db(src), kept ?
	    "SELECT text, class, first_line, n FROM kept_line WHERE run = ?" :
	    "SELECT class, n FROM line_class WHERE run = ?", -1, &r, NULL) != SQLITE_OK)
		return store_fail(src, "reading run");
	if (sqlite3_prepare_v2(store_db(dst), kept ?
	    "INSERT INTO kept_line(run, text, class, first_line, n) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT(run, text) DO UPDATE SET n = n + excluded.n" :
	    "INSERT INTO line_class(run, class, n) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT(run, class) DO UPDATE SET n = n + excluded.n", -1, &w, NULL) != SQLITE_OK) {
		sqlite3_finalize(r);
		return store_fail(dst, "copying run");
	}
	sqlite3_bind_int64(r, 1, from);
	while (sqlite3_step(r) == SQLITE_ROW) {
		sqlite3_bind_int64(w, 1, to);
		for (i = 0; i < ncol; i++)
			sqlite3_bind_value(w, i + 2, sqlite3_column_value(r, i));
		rc = sqlite3_step(w);
		sqlite3_reset(w);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(r);
	sqlite3_finalize(w);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(dst, "copying run");
}

/* Copies run ri of src (findings, packages, line counts) into the run
 * rid being written through w. */
static int
copy_into(struct store *src, struct store *dst, struct store_writer *w, int64_t rid,
    const struct run_info *ri)
{
	static const unsigned long zero[LC_N];
	struct finding_iter *it;
	struct finding_rec r;
	struct finding_in f;
	struct arena a = ARENA_INIT;
	struct sbuf blob = SBUF_INIT;
	sqlite3_stmt *s;
	int rc;

	if ((rc = finding_iter_new(src, ri->id, NULL, &it)) != STORE_OK)
		return rc;
	while ((rc = finding_iter_next(it, &r)) == 1) {
		memset(&f, 0, sizeof(f));
		f.package = r.package;
		f.file = r.file;
		f.func = r.func;
		f.subject = r.subject;
		f.detail = r.detail;
		f.message = r.message;
		f.line = r.line;
		f.col = r.col;
		f.kind = r.kind;
		f.cause = r.cause;
		f.key = r.key;
		sbuf_reset(&blob);
		arena_reset(&a);
		if (r.flowslen) {
			if (reencode(src, w, r.flows, r.flowslen, &a, &blob) < 0) {
				rc = -store_fail(dst, "copying flow chain");
				break;
			}
			f.flows = blob.buf;
			f.flowslen = blob.len;
		}
		if (store_writer_finding(w, &f) != STORE_OK) {
			rc = -STORE_EDB;
			break;
		}
	}
	finding_iter_free(it);
	sbuf_release(&blob);
	arena_release(&a);
	if (rc < 0)
		return STORE_EDB;
	if (sqlite3_prepare_v2(store_db(src), "SELECT name, dir, nfindings FROM package WHERE run = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(src, "reading packages");
	sqlite3_bind_int64(s, 1, ri->id);
	rc = SQLITE_ROW;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *dir = sqlite3_column_text(s, 1);
		if (store_writer_package(w, store_str(src, sqlite3_column_int64(s, 0)),
		    dir ? (const char *)dir : "", sqlite3_column_int64(s, 2)) != STORE_OK) {
			rc = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	if (rc < 0 || copy_rows(src, dst, ri->id, rid, 0) != STORE_OK ||
	    copy_rows(src, dst, ri->id, rid, 1) != STORE_OK ||
	    store_writer_counts(w, zero, ri->nlines, ri->norphans, ri->nwarnings, NULL) != STORE_OK)
		return STORE_EDB;
	return STORE_OK;
}

void
merge_meta(const struct run_info *ri, struct run_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->commit = ri->commit;
	m->label = ri->label;
	m->date = ri->date;
	m->go_version = ri->go_version;
	m->goos = ri->goos;
	m->goarch = ri->goarch;
	m->dir = ri->dir;
	m->source = ri->source;
	m->form = ri->form;
	m->input = ri->input;
	m->repo_prefix = ri->repo_prefix;
	m->in_repo = ri->in_repo;
	m->mode = ri->mode;
	m->flags = ri->flags;
	m->shard = ri->shard;
	m->partial = ri->partial;
	m->note = ri->note;
}

int
merge_copy_runs(struct store *dst, const struct run_meta *m, struct store *const srcs[],
    const struct run_info *const ris[], size_t n, const int64_t *drop, size_t ndrop,
    int64_t *newid)
{
	struct store_writer *w;
	sqlite3_stmt *s;
	int64_t rid;
	size_t i;

	if (store_writer_begin(dst, m, &w) != STORE_OK)
		return STORE_EDB;
	rid = sqlite3_last_insert_rowid(store_db(dst));   /* the run row just inserted */
	for (i = 0; i < n; i++)
		if (copy_into(srcs[i], dst, w, rid, ris[i]) != STORE_OK)
			goto fail;
	/* The writer's transaction runs with foreign keys off: the rows of
	 * the dropped runs are deleted table by table, the run row last. */
	for (i = 0; i < ndrop; i++) {
		static const char *const del[] = {
			"DELETE FROM finding WHERE run = ?", "DELETE FROM package WHERE run = ?",
			"DELETE FROM line_class WHERE run = ?", "DELETE FROM kept_line WHERE run = ?",
			"DELETE FROM run WHERE id = ?"
		};
		size_t t;

		for (t = 0; t < sizeof(del) / sizeof(del[0]); t++) {
			if (sqlite3_prepare_v2(store_db(dst), del[t], -1, &s, NULL) != SQLITE_OK) {
				store_fail(dst, "removing merged shards");
				goto fail;
			}
			sqlite3_bind_int64(s, 1, drop[i]);
			if (sqlite3_step(s) != SQLITE_DONE) {
				sqlite3_finalize(s);
				store_fail(dst, "removing merged shards");
				goto fail;
			}
			sqlite3_finalize(s);
		}
	}
	return store_writer_commit(w, newid);
fail:
	store_writer_abort(w);
	return STORE_EDB;
}

static int
copy_run(struct store *src, struct store *dst, const struct run_info *ri, int64_t *newid)
{
	struct run_meta m;

	merge_meta(ri, &m);
	return merge_copy_runs(dst, &m, &src, &ri, 1, NULL, 0, newid);
}

int
cmd_merge(struct cmdctx *cx, int argc, char **argv)
{
	const struct opt opts[] = {
		OPT_END()
	};
	struct store *dst = NULL, **srcs = NULL;
	struct run_info **runs = NULL;
	struct shardset *ss = NULL;
	size_t *nruns = NULL, nsrc, i, j;
	int rc = EXIT_OK, a;
	char err[512];
	int64_t id;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	rc = EXIT_OK;
	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], cx->dbpath) == 0) {
			msg_error("merge: %s is the database being merged into", argv[a]);
			return EXIT_USAGE;
		}
	}
	/* every source is checked before anything is written */
	for (a = 0; a < argc; a++) {
		struct store *src;
		int r = store_open(argv[a], STORE_RDONLY, &src, err, sizeof(err));
		if (r != STORE_OK) {
			msg_error("merge: %s", err);
			return r == STORE_EDB ? EXIT_INTERNAL : EXIT_USAGE;
		}
		store_close(src);
	}
	if ((rc = cmd_open_store(cx, STORE_CREATE | STORE_STAGE, &dst)) != EXIT_OK)
		return rc;
	nsrc = (size_t)argc;
	srcs = xcalloc(nsrc + 1, sizeof(*srcs));
	runs = xcalloc(nsrc + 1, sizeof(*runs));
	nruns = xcalloc(nsrc + 1, sizeof(*nruns));
	ss = shards_new();
	/* Every database is read first: the shards are checked before
	 * anything is written. */
	if (store_runs(dst, &runs[nsrc], &nruns[nsrc]) != STORE_OK) {
		msg_error("merge: %s", store_errmsg(dst));
		rc = EXIT_INTERNAL;
		goto out;
	}
	shards_add(ss, dst, cx->dbpath, 1, runs[nsrc], nruns[nsrc]);
	for (i = 0; i < nsrc; i++) {
		const char *name = argv[i];
		int r = store_open(name, STORE_RDONLY, &srcs[i], err, sizeof(err));
		if (r != STORE_OK) {
			msg_error("merge: %s", err);
			rc = r == STORE_EDB ? EXIT_INTERNAL : EXIT_USAGE;
			goto out;
		}
		if (store_runs(srcs[i], &runs[i], &nruns[i]) != STORE_OK) {
			msg_error("merge: %s: %s", name, store_errmsg(srcs[i]));
			rc = EXIT_INTERNAL;
			goto out;
		}
		shards_add(ss, srcs[i], name, 0, runs[i], nruns[i]);
	}
	if (shards_check(ss, dst) > 0) {
		msg_error("merge: nothing merged");
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < nsrc && rc == EXIT_OK; i++) {
		const char *name = argv[i];
		unsigned long copied = 0, skipped = 0, nshards = 0;

		for (j = 0; j < nruns[i] && rc == EXIT_OK; j++) {
			int p;

			if (shards_is_shard(&runs[i][j])) {
				nshards++;
				continue;
			}
			p = present(dst, srcs[i], &runs[i][j]);
			if (p < 0) {
				msg_error("merge: %s", store_errmsg(p == -STORE_EDB ? dst : srcs[i]));
				rc = EXIT_INTERNAL;
			} else if (p) {
				skipped++;
			} else if (copy_run(srcs[i], dst, &runs[i][j], &id) != STORE_OK) {
				msg_error("merge: %s: run %lld: %s", name, (long long)runs[i][j].id,
				    store_errmsg(dst)[0] ? store_errmsg(dst) : store_errmsg(srcs[i]));
				rc = EXIT_INTERNAL;
			} else
				copied++;
		}
		if (rc == EXIT_OK) {
			fprintf(stderr, "escdb: merge: %s: %lu run%s copied, %lu already present",
			    name, copied, plural(copied), skipped);
			if (nshards)
				fprintf(stderr, ", %lu shard run%s", nshards, plural(nshards));
			fputc('\n', stderr);
		}
	}
	if (rc == EXIT_OK)
		rc = shards_merge(ss, dst);
out:
	shards_free(ss);
	for (i = 0; i <= nsrc; i++) {
		for (j = 0; j < nruns[i]; j++)
			run_info_release(&runs[i][j]);
		free(runs[i]);
		if (i < nsrc)
			store_close(srcs[i]);
	}
	free(runs);
	free(nruns);
	free(srcs);
	store_close(dst);
	return rc;
}
