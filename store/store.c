/*
 * store: see store.h.  Schema version 1.  Text is interned in table str;
 * a finding's flow chain is one blob of varints (see flows_encode in
 * ingest.c and flows_decode below).  One run is one transaction.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cause.h"
#include "sqlfunc.h"

struct strcache_ent {
	int64_t id;
	char *s;
};

struct store {
	sqlite3 *db;
	char errmsg[512];
	int rdonly;
	/* id -> text cache for reading */
	struct strcache_ent *rc;
	size_t rccap, rcn;
	sqlite3_stmt *get_str, *find_str;
};

static const char *const schema_v1 =
	"CREATE TABLE str(id INTEGER PRIMARY KEY, h INTEGER NOT NULL, s TEXT NOT NULL);\n"
	"CREATE INDEX str_h ON str(h);\n"
	"CREATE TABLE run(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  commit_id TEXT NOT NULL DEFAULT '',\n"
	"  label TEXT NOT NULL DEFAULT '',\n"
	"  date INTEGER NOT NULL,\n"
	"  go_version TEXT NOT NULL DEFAULT '',\n"
	"  goos TEXT NOT NULL DEFAULT '',\n"
	"  goarch TEXT NOT NULL DEFAULT '',\n"
	"  dir TEXT NOT NULL DEFAULT '',\n"
	"  source TEXT NOT NULL DEFAULT '',\n"
	"  form TEXT NOT NULL DEFAULT '',\n"
	"  input TEXT NOT NULL DEFAULT '',\n"
	"  created INTEGER NOT NULL,\n"
	"  nlines INTEGER NOT NULL DEFAULT 0,\n"
	"  nfindings INTEGER NOT NULL DEFAULT 0,\n"
	"  norphans INTEGER NOT NULL DEFAULT 0,\n"
	"  nwarnings INTEGER NOT NULL DEFAULT 0);\n"
	"CREATE TABLE kind(id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
	"CREATE TABLE cause(id INTEGER PRIMARY KEY, name TEXT NOT NULL, hint TEXT NOT NULL);\n"
	"CREATE TABLE package(run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"  name INTEGER NOT NULL, dir TEXT NOT NULL DEFAULT '',\n"
	"  nfindings INTEGER NOT NULL, PRIMARY KEY(run, name)) WITHOUT ROWID;\n"
	"CREATE TABLE finding(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"  pkg INTEGER NOT NULL, file INTEGER NOT NULL,\n"
	"  line INTEGER NOT NULL, col INTEGER NOT NULL,\n"
	"  func INTEGER NOT NULL, kind INTEGER NOT NULL,\n"
	"  subject INTEGER NOT NULL, detail INTEGER NOT NULL,\n"
	"  message INTEGER NOT NULL, cause INTEGER NOT NULL,\n"
	"  key INTEGER NOT NULL, flows BLOB);\n"
	"CREATE INDEX finding_run ON finding(run, kind);\n"
	"CREATE TABLE line_class(run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"  class TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(run, class)) WITHOUT ROWID;\n"
	"CREATE TABLE kept_line(run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"  text TEXT NOT NULL, class TEXT NOT NULL, first_line INTEGER NOT NULL,\n"
	"  n INTEGER NOT NULL, PRIMARY KEY(run, text)) WITHOUT ROWID;\n"
	"CREATE VIEW findings AS SELECT f.id AS id, f.run AS run, r.commit_id AS commit_id,\n"
	"  p.s AS package, fi.s AS file, f.line AS line, f.col AS col, fu.s AS func,\n"
	"  k.name AS kind, su.s AS subject, d.s AS detail, m.s AS message,\n"
	"  c.name AS cause, printf('%016x', f.key) AS key, f.flows AS flows\n"
	"  FROM finding f JOIN run r ON r.id = f.run JOIN str p ON p.id = f.pkg\n"
	"  JOIN str fi ON fi.id = f.file JOIN str fu ON fu.id = f.func\n"
	"  JOIN kind k ON k.id = f.kind JOIN str su ON su.id = f.subject\n"
	"  JOIN str d ON d.id = f.detail JOIN str m ON m.id = f.message\n"
	"  JOIN cause c ON c.id = f.cause;\n"
	"INSERT INTO str(id, h, s) VALUES (1, 0, '');\n";

int
store_fail(struct store *st, const char *what)
{
	snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what,
	    st->db ? sqlite3_errmsg(st->db) : "no database");
	return STORE_EDB;
}

const char *
store_errmsg(const struct store *st)
{
	return st->errmsg;
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

static int
exec(struct store *st, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &e) != SQLITE_OK) {
		snprintf(st->errmsg, sizeof(st->errmsg), "%s", e ? e : sqlite3_errmsg(st->db));
		sqlite3_free(e);
		return STORE_EDB;
	}
	return STORE_OK;
}

/* ROLLBACK without touching st->errmsg: after SQLITE_FULL or an I/O error
 * SQLite may already have rolled back, and the ROLLBACK's own "no
 * transaction is active" must not hide the real error (issue 7). */
static void
rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
migrate(struct store *st)
{
	sqlite3_stmt *s;
	int ver = 0, i, rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading schema version");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ver = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	/* issue 7: a database that cannot be read (e.g. WAL mode in a
	 * read-only directory) must say so, not "not an escdb database" */
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "reading schema version");
	if (ver == STORE_SCHEMA_VERSION)
		return STORE_OK;
	if (ver > STORE_SCHEMA_VERSION) {
		snprintf(st->errmsg, sizeof(st->errmsg),
		    "database schema version %d is newer than this escdb (%d)",
		    ver, STORE_SCHEMA_VERSION);
		return STORE_EUSAGE;
	}
	if (st->rdonly) {
		snprintf(st->errmsg, sizeof(st->errmsg), "database is not an escdb database or is empty");
		return STORE_EUSAGE;
	}
	if ((rc = exec(st, "BEGIN IMMEDIATE")) != STORE_OK)
		return rc;
	/* another process may have migrated while we waited */
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading schema version");
	ver = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (ver == 0) {
		/* An empty file only: refuse to write into somebody else's db. */
		if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &s, NULL) != SQLITE_OK)
			return store_fail(st, "reading schema");
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0) {
			sqlite3_finalize(s);
			rollback(st);
			snprintf(st->errmsg, sizeof(st->errmsg), "not an escdb database (it has other tables)");
			return STORE_EUSAGE;
		}
		sqlite3_finalize(s);
		if ((rc = exec(st, schema_v1)) != STORE_OK) {
			rollback(st);
			return rc;
		}
		if (sqlite3_prepare_v2(st->db, "INSERT INTO kind(id, name) VALUES (?, ?)", -1, &s, NULL) != SQLITE_OK)
			return store_fail(st, "creating schema");
		for (i = 0; i < ESC_KIND_N; i++) {
			sqlite3_bind_int(s, 1, i);
			sqlite3_bind_text(s, 2, esc_kind_name(i), -1, SQLITE_STATIC);
			sqlite3_step(s);
			sqlite3_reset(s);
		}
		sqlite3_finalize(s);
		if (sqlite3_prepare_v2(st->db, "INSERT INTO cause(id, name, hint) VALUES (?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
			return store_fail(st, "creating schema");
		for (i = 0; i < CAUSE_N; i++) {
			sqlite3_bind_int(s, 1, i);
			sqlite3_bind_text(s, 2, cause_name(i), -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, cause_hint(i), -1, SQLITE_STATIC);
			sqlite3_step(s);
			sqlite3_reset(s);
		}
		sqlite3_finalize(s);
	}
	if ((rc = exec(st, "PRAGMA user_version = 1")) != STORE_OK ||
	    (rc = exec(st, "COMMIT")) != STORE_OK) {
		rollback(st);
		return rc;
	}
	return STORE_OK;
}

int
store_open(const char *path, int flags, struct store **out, char *err, size_t errsz)
{
	struct store *st = xcalloc(1, sizeof(*st));
	int oflags, rc;
	struct stat sb;

	*out = NULL;
	st->rdonly = (flags & STORE_RDONLY) != 0;
	if (st->rdonly && stat(path, &sb) != 0) {
		snprintf(err, errsz, "cannot open database %s: %s", path, strerror(errno));
		free(st);
		return STORE_ENOTFOUND;
	}
	oflags = st->rdonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "cannot open database %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return STORE_EDB;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 600000);
	if (store_register_functions(st->db) != SQLITE_OK) {
		snprintf(err, errsz, "cannot register SQL functions: %s", sqlite3_errmsg(st->db));
		store_close(st);
		return STORE_EDB;
	}
	if (!st->rdonly) {
		/* WAL lets readers and one writer work at once */
		if (exec(st, "PRAGMA journal_mode=WAL") != STORE_OK ||
		    exec(st, "PRAGMA synchronous=NORMAL") != STORE_OK ||
		    exec(st, "PRAGMA foreign_keys=ON") != STORE_OK) {
			snprintf(err, errsz, "cannot open database %s: %s", path, st->errmsg);
			store_close(st);
			return STORE_EDB;
		}
	}
	exec(st, "PRAGMA cache_size=-8000");
	rc = migrate(st);
	if (rc != STORE_OK) {
		snprintf(err, errsz, "%s: %s", path, st->errmsg);
		store_close(st);
		return rc == STORE_EDB ? STORE_EDB : STORE_EUSAGE;
	}
	*out = st;
	return STORE_OK;
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	sqlite3_finalize(st->get_str);
	sqlite3_finalize(st->find_str);
	if (st->db)
		sqlite3_close(st->db);
	for (i = 0; i < st->rccap; i++)
		free(st->rc[i].s);
	free(st->rc);
	free(st);
}

/* ---- strings (read side) ---- */

/* The hash stored beside each text, indexed for look-ups. */
static uint64_t
str_hash(const char *s, size_t n)
{
	return hash64(s, n, 0x5eed);
}

static void
rc_insert(struct store *st, int64_t id, char *s)
{
	size_t i, mask;

	if (st->rcn * 2 >= st->rccap) {
		struct strcache_ent *old = st->rc;
		size_t oldcap = st->rccap;
		st->rccap = st->rccap ? st->rccap * 2 : 1024;
		st->rc = xcalloc(st->rccap, sizeof(*st->rc));
		mask = st->rccap - 1;
		for (i = 0; i < oldcap; i++) {
			if (old[i].s) {
				size_t h = (size_t)hash64(&old[i].id, sizeof(old[i].id), 7) & mask;
				while (st->rc[h].s)
					h = (h + 1) & mask;
				st->rc[h] = old[i];
			}
		}
		free(old);
	}
	mask = st->rccap - 1;
	i = (size_t)hash64(&id, sizeof(id), 7) & mask;
	while (st->rc[i].s)
		i = (i + 1) & mask;
	st->rc[i].id = id;
	st->rc[i].s = s;
	st->rcn++;
}

const char *
store_str(struct store *st, int64_t id)
{
	size_t i, mask;
	char *s;

	if (id <= 1)
		return "";
	if (st->rccap) {
		mask = st->rccap - 1;
		for (i = (size_t)hash64(&id, sizeof(id), 7) & mask; st->rc[i].s; i = (i + 1) & mask)
			if (st->rc[i].id == id)
				return st->rc[i].s;
	}
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
	rc_insert(st, id, s);
	return s;
}

int64_t
store_str_lookup(struct store *st, const char *s)
{
	int64_t id = 0;

	if (s[0] == '\0')
		return 1;
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

/* ---- runs ---- */

void
run_info_release(struct run_info *ri)
{
	free(ri->commit);
	free(ri->label);
	free(ri->go_version);
	free(ri->goos);
	free(ri->goarch);
	free(ri->dir);
	free(ri->source);
	free(ri->form);
	free(ri->input);
	memset(ri, 0, sizeof(*ri));
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

#define RUN_COLS "id, commit_id, label, date, go_version, goos, goarch, dir, " \
	"source, form, input, created, nlines, nfindings, norphans, nwarnings, " \
	"(SELECT count(*) FROM package p WHERE p.run = run.id)"

static void
run_row(sqlite3_stmt *s, struct run_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->id = sqlite3_column_int64(s, 0);
	ri->commit = col_dup(s, 1);
	ri->label = col_dup(s, 2);
	ri->date = sqlite3_column_int64(s, 3);
	ri->go_version = col_dup(s, 4);
	ri->goos = col_dup(s, 5);
	ri->goarch = col_dup(s, 6);
	ri->dir = col_dup(s, 7);
	ri->source = col_dup(s, 8);
	ri->form = col_dup(s, 9);
	ri->input = col_dup(s, 10);
	ri->created = sqlite3_column_int64(s, 11);
	ri->nlines = sqlite3_column_int64(s, 12);
	ri->nfindings = sqlite3_column_int64(s, 13);
	ri->norphans = sqlite3_column_int64(s, 14);
	ri->nwarnings = sqlite3_column_int64(s, 15);
	ri->npackages = sqlite3_column_int64(s, 16);
}

static int
run_kinds(struct store *st, struct run_info *ri)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "SELECT kind, count(*) FROM finding WHERE run = ? GROUP BY kind",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading run");
	sqlite3_bind_int64(s, 1, ri->id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int k = sqlite3_column_int(s, 0);
		if (k >= 0 && k < ESC_KIND_N)
			ri->kinds[k] = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return STORE_OK;
}

int
store_run_get(struct store *st, int64_t id, struct run_info *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT " RUN_COLS " FROM run WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading run");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		snprintf(st->errmsg, sizeof(st->errmsg), "no run %lld", (long long)id);
		return STORE_ENOTFOUND;
	}
	run_row(s, out);
	sqlite3_finalize(s);
	return run_kinds(st, out);
}

int
store_runs(struct store *st, struct run_info **out, size_t *n)
{
	sqlite3_stmt *s;
	size_t cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT " RUN_COLS " FROM run ORDER BY date, id", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "listing runs");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		run_row(s, &(*out)[(*n)++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "listing runs");
	/* kind counts in one pass */
	if (sqlite3_prepare_v2(st->db, "SELECT run, kind, count(*) FROM finding GROUP BY run, kind",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "listing runs");
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(s, 0);
		int k = sqlite3_column_int(s, 1);
		for (i = 0; i < *n; i++)
			if ((*out)[i].id == r && k >= 0 && k < ESC_KIND_N)
				(*out)[i].kinds[k] = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	return STORE_OK;
}

static void
add_candidates(struct store *st, const char *sql, const char *arg, struct sbuf *c)
{
	sqlite3_stmt *s;
	char when[32];

	if (c == NULL || sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return;
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(s) == SQLITE_ROW) {
		time_t t = (time_t)sqlite3_column_int64(s, 3);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		sbuf_addf(c, "  id:%lld  %.12s  %s  %s\n", (long long)sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1), when,
		    (const char *)sqlite3_column_text(s, 2));
	}
	sqlite3_finalize(s);
}

static int
is_hex(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
			return 0;
	return 1;
}

/* One query answering "which runs match"; 0, 1 or several ids. */
static int
select_ids(struct store *st, const char *sql, const char *arg, int64_t *id, int *count)
{
	sqlite3_stmt *s;
	int rc;

	*count = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "selecting run");
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*count == 0)
			*id = sqlite3_column_int64(s, 0);
		(*count)++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "selecting run");
	return STORE_OK;
}

#define CAND_COLS "SELECT id, commit_id, label, date FROM run "

int
store_select(struct store *st, const char *sel, int64_t *id, struct sbuf *cands)
{
	int n = 0, rc;
	char *end;

	if (strcmp(sel, "latest") == 0 || strncmp(sel, "latest~", 7) == 0) {
		long back = 0;
		sqlite3_stmt *s;
		if (sel[6] == '~') {
			errno = 0;
			back = strtol(sel + 7, &end, 10);
			if (errno || *end || end == sel + 7 || back < 0) {
				snprintf(st->errmsg, sizeof(st->errmsg),
				    "bad run selector '%s' (latest~N takes a number)", sel);
				return STORE_EUSAGE;
			}
		}
		if (sqlite3_prepare_v2(st->db, "SELECT id FROM run ORDER BY date DESC, id DESC LIMIT 1 OFFSET ?",
		    -1, &s, NULL) != SQLITE_OK)
			return store_fail(st, "selecting run");
		sqlite3_bind_int64(s, 1, back);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*id = sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
			return STORE_OK;
		}
		sqlite3_finalize(s);
		add_candidates(st, CAND_COLS "ORDER BY date, id", NULL, cands);
		return STORE_ENOTFOUND;
	}
	if (strncmp(sel, "id:", 3) == 0) {
		errno = 0;
		long long v = strtoll(sel + 3, &end, 10);
		if (errno || *end || end == sel + 3) {
			snprintf(st->errmsg, sizeof(st->errmsg), "bad run selector '%s' (id:N takes a number)", sel);
			return STORE_EUSAGE;
		}
		char num[32];
		snprintf(num, sizeof(num), "%lld", v);
		if ((rc = select_ids(st, "SELECT id FROM run WHERE id = CAST(?1 AS INTEGER)", num, id, &n)) != STORE_OK)
			return rc;
		if (n == 1)
			return STORE_OK;
		add_candidates(st, CAND_COLS "ORDER BY date, id", NULL, cands);
		return STORE_ENOTFOUND;
	}
	/* a label first, then a commit or a unique prefix */
	if ((rc = select_ids(st, "SELECT id FROM run WHERE label = ?1 ORDER BY date DESC, id DESC", sel, id, &n)) != STORE_OK)
		return rc;
	if (n >= 1)
		return STORE_OK;        /* the newest run with that label */
	if ((rc = select_ids(st, "SELECT id FROM run WHERE commit_id = ?1 ORDER BY date DESC, id DESC", sel, id, &n)) != STORE_OK)
		return rc;
	if (n >= 1)
		return STORE_OK;
	if (strlen(sel) >= 4 && is_hex(sel)) {
		sqlite3_stmt *s;
		int distinct = 0;
		if (sqlite3_prepare_v2(st->db,
		    "SELECT count(DISTINCT commit_id) FROM run WHERE substr(commit_id, 1, length(?1)) = lower(?1)",
		    -1, &s, NULL) != SQLITE_OK)
			return store_fail(st, "selecting run");
		sqlite3_bind_text(s, 1, sel, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) == SQLITE_ROW)
			distinct = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		if (distinct == 1) {
			return select_ids(st, "SELECT id FROM run WHERE substr(commit_id, 1, length(?1)) = lower(?1) "
			    "ORDER BY date DESC, id DESC", sel, id, &n);
		}
		if (distinct > 1) {
			add_candidates(st, CAND_COLS "WHERE substr(commit_id, 1, length(?1)) = lower(?1) ORDER BY date, id",
			    sel, cands);
			return STORE_EAMBIGUOUS;
		}
	}
	add_candidates(st, CAND_COLS "ORDER BY date DESC, id DESC LIMIT 10", NULL, cands);
	return STORE_ENOTFOUND;
}

/* ---- writer ---- */

struct intern_ent {
	uint64_t h;
	int64_t id;
	uint32_t len;
	char *s;                /* owned */
};

struct store_writer {
	struct store *st;
	int64_t run;
	int64_t nfindings;
	sqlite3_stmt *ins_str, *find_str, *ins_finding, *ins_pkg, *ins_line;
	/* intern cache: text -> id */
	struct intern_ent *tab;
	size_t cap, n;
	int str_table_was_empty;        /* every hit is in the cache */
};

#define INTERN_MAX (1u << 20)   /* entries kept before the cache is cleared */

static void
intern_clear(struct store_writer *w)
{
	size_t i;

	for (i = 0; i < w->cap; i++)
		free(w->tab[i].s);
	memset(w->tab, 0, w->cap * sizeof(*w->tab));
	w->n = 0;
	w->str_table_was_empty = 0;
}

static void
intern_put(struct store_writer *w, uint64_t h, const char *s, size_t n, int64_t id)
{
	size_t i, mask;

	if (w->n >= INTERN_MAX)
		intern_clear(w);
	if ((w->n + 1) * 2 > w->cap) {
		struct intern_ent *old = w->tab;
		size_t oldcap = w->cap;
		w->cap = w->cap ? w->cap * 2 : 4096;
		w->tab = xcalloc(w->cap, sizeof(*w->tab));
		mask = w->cap - 1;
		for (i = 0; i < oldcap; i++)
			if (old[i].s) {
				size_t j = (size_t)old[i].h & mask;
				while (w->tab[j].s)
					j = (j + 1) & mask;
				w->tab[j] = old[i];
			}
		free(old);
	}
	mask = w->cap - 1;
	i = (size_t)h & mask;
	while (w->tab[i].s)
		i = (i + 1) & mask;
	w->tab[i].h = h;
	w->tab[i].id = id;
	w->tab[i].len = (uint32_t)n;
	w->tab[i].s = xstrndup(s, n);
	w->n++;
}

int64_t
store_writer_intern(struct store_writer *w, const char *s, size_t n)
{
	uint64_t h;
	size_t i, mask;
	int64_t id = 0;

	if (n == 0)
		return 1;
	h = str_hash(s, n);
	if (w->cap) {
		mask = w->cap - 1;
		for (i = (size_t)h & mask; w->tab[i].s; i = (i + 1) & mask)
			if (w->tab[i].h == h && w->tab[i].len == n && memcmp(w->tab[i].s, s, n) == 0)
				return w->tab[i].id;
	}
	if (!w->str_table_was_empty) {
		sqlite3_bind_int64(w->find_str, 1, (int64_t)h);
		sqlite3_bind_text(w->find_str, 2, s, (int)n, SQLITE_STATIC);
		if (sqlite3_step(w->find_str) == SQLITE_ROW)
			id = sqlite3_column_int64(w->find_str, 0);
		sqlite3_reset(w->find_str);
	}
	if (id == 0) {
		sqlite3_bind_int64(w->ins_str, 1, (int64_t)h);
		sqlite3_bind_text(w->ins_str, 2, s, (int)n, SQLITE_STATIC);
		if (sqlite3_step(w->ins_str) != SQLITE_DONE) {
			sqlite3_reset(w->ins_str);
			return -1;
		}
		sqlite3_reset(w->ins_str);
		id = sqlite3_last_insert_rowid(w->st->db);
	}
	intern_put(w, h, s, n, id);
	return id;
}

static int
prep(struct store *st, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
		return store_fail(st, "preparing statement");
	return STORE_OK;
}

static void
writer_free(struct store_writer *w)
{
	size_t i;

	sqlite3_finalize(w->ins_str);
	sqlite3_finalize(w->find_str);
	sqlite3_finalize(w->ins_finding);
	sqlite3_finalize(w->ins_pkg);
	sqlite3_finalize(w->ins_line);
	for (i = 0; i < w->cap; i++)
		free(w->tab[i].s);
	free(w->tab);
	free(w);
}

int
store_writer_begin(struct store *st, const struct run_meta *m, struct store_writer **out)
{
	struct store_writer *w;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((rc = exec(st, "BEGIN IMMEDIATE")) != STORE_OK)
		return rc;
	w = xcalloc(1, sizeof(*w));
	w->st = st;
	if (prep(st, "INSERT INTO str(h, s) VALUES (?, ?)", &w->ins_str) ||
	    prep(st, "SELECT id FROM str WHERE h = ?1 AND s = ?2", &w->find_str) ||
	    prep(st, "INSERT INTO finding(run, pkg, file, line, col, func, kind, subject, detail, "
	    "message, cause, key, flows) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", &w->ins_finding) ||
	    prep(st, "INSERT INTO package(run, name, dir, nfindings) VALUES (?,?,?,?) "
	    "ON CONFLICT(run, name) DO UPDATE SET nfindings = nfindings + excluded.nfindings, "
	    "dir = CASE WHEN dir = '' THEN excluded.dir ELSE dir END", &w->ins_pkg) ||
	    prep(st, "INSERT INTO kept_line(run, text, class, first_line, n) VALUES (?,?,?,?,1) "
	    "ON CONFLICT(run, text) DO UPDATE SET n = n + 1", &w->ins_line))
		goto fail;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM str", -1, &s, NULL) != SQLITE_OK)
		goto dbfail;
	w->str_table_was_empty = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) <= 1;
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "INSERT INTO run(commit_id, label, date, go_version, goos, goarch, "
	    "dir, source, form, input, created) VALUES (?,?,?,?,?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK)
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
#undef T
	sqlite3_bind_int64(s, 11, (int64_t)time(NULL));
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
	rollback(st);
	return STORE_EDB;
}

int
store_writer_finding(struct store_writer *w, const struct finding_in *f)
{
	sqlite3_stmt *s = w->ins_finding;
	int64_t ids[6];
	const char *txt[6] = { f->package, f->file, f->func, f->subject, f->detail, f->message };
	int i, rc;

	for (i = 0; i < 6; i++) {
		ids[i] = store_writer_intern(w, txt[i] ? txt[i] : "", txt[i] ? strlen(txt[i]) : 0);
		if (ids[i] < 0)
			return store_fail(w->st, "storing text");
	}
	sqlite3_bind_int64(s, 1, w->run);
	sqlite3_bind_int64(s, 2, ids[0]);
	sqlite3_bind_int64(s, 3, ids[1]);
	sqlite3_bind_int(s, 4, f->line);
	sqlite3_bind_int(s, 5, f->col);
	sqlite3_bind_int64(s, 6, ids[2]);
	sqlite3_bind_int(s, 7, (int)f->kind);
	sqlite3_bind_int64(s, 8, ids[3]);
	sqlite3_bind_int64(s, 9, ids[4]);
	sqlite3_bind_int64(s, 10, ids[5]);
	sqlite3_bind_int(s, 11, f->cause);
	sqlite3_bind_int64(s, 12, (int64_t)f->key);
	if (f->flowslen)
		sqlite3_bind_blob(s, 13, f->flows, (int)f->flowslen, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 13);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(w->st, "storing finding");
	w->nfindings++;
	return STORE_OK;
}

int
store_writer_package(struct store_writer *w, const char *name, const char *dir, int64_t nfindings)
{
	sqlite3_stmt *s = w->ins_pkg;
	int64_t id = store_writer_intern(w, name, strlen(name));
	int rc;

	if (id < 0)
		return store_fail(w->st, "storing package");
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
store_writer_commit(struct store_writer *w, int64_t *id)
{
	struct store *st = w->st;
	sqlite3_stmt *s;
	int rc;

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
	if ((rc = exec(st, "COMMIT")) != STORE_OK) {
		rollback(st);
		return rc;
	}
	return STORE_OK;
fail:
	writer_free(w);
	rollback(st);
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
	rollback(st);
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
