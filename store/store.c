/*
 * store: see store.h.  This file: the schema and its migrations, opening
 * and closing.  Runs and selectors are in runs.c, the run writer in
 * writer.c, strings, flow blobs and findings (read side) in read.c.
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
#include "store_int.h"

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

/* v1 -> v2: where the module sits in its repository, how it was built,
 * shards, partial input and a note per run. */
static const char *const schema_v2 =
	"ALTER TABLE run ADD COLUMN repo_prefix TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN in_repo INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE run ADD COLUMN mode TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN flags TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN shard TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE run ADD COLUMN note TEXT NOT NULL DEFAULT '';\n";

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

int
store_exec(struct store *st, const char *sql)
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
void
store_rollback(struct store *st)
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
	if (st->rdonly && ver > 0) {
		st->needs_upgrade = 1;
		snprintf(st->errmsg, sizeof(st->errmsg), "database has schema version %d and "
		    "needs an upgrade to %d: open it once with a writing command (e.g. escdb runs "
		    "on a writable copy)", ver, STORE_SCHEMA_VERSION);
		return STORE_EUSAGE;
	}
	if (st->rdonly) {
		snprintf(st->errmsg, sizeof(st->errmsg), "database is not an escdb database or is empty");
		return STORE_EUSAGE;
	}
	if ((rc = store_exec(st, "BEGIN IMMEDIATE")) != STORE_OK)
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
			store_rollback(st);
			snprintf(st->errmsg, sizeof(st->errmsg), "not an escdb database (it has other tables)");
			return STORE_EUSAGE;
		}
		sqlite3_finalize(s);
		if ((rc = store_exec(st, schema_v1)) != STORE_OK) {
			store_rollback(st);
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
	if (ver <= 1 && (rc = store_exec(st, schema_v2)) != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	if ((rc = store_exec(st, "PRAGMA user_version = 2")) != STORE_OK ||
	    (rc = store_exec(st, "COMMIT")) != STORE_OK) {
		store_rollback(st);
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
		if (store_exec(st, "PRAGMA journal_mode=WAL") != STORE_OK ||
		    store_exec(st, "PRAGMA synchronous=NORMAL") != STORE_OK ||
		    store_exec(st, "PRAGMA foreign_keys=ON") != STORE_OK) {
			snprintf(err, errsz, "cannot open database %s: %s", path, st->errmsg);
			store_close(st);
			return STORE_EDB;
		}
	}
	store_exec(st, "PRAGMA cache_size=-8000");
	rc = migrate(st);
	if (rc != STORE_OK && st->needs_upgrade && !(flags & STORE_NO_UPGRADE)) {
		/* An older escdb's database opened for reading: upgrade it
		 * once through a writable connection when the file allows,
		 * then read as asked. */
		struct store *up;
		char uerr[256];
		store_close(st);
		if (store_open(path, 0, &up, uerr, sizeof(uerr)) == STORE_OK) {
			store_close(up);
			return store_open(path, flags | STORE_NO_UPGRADE, out, err, errsz);
		}
		return store_open(path, flags | STORE_NO_UPGRADE, out, err, errsz);
	}
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
