/*
 * store: see store.h.  This file: the schema and its migrations, opening
 * and closing.  Runs and selectors are in runs.c, the run writer in
 * writer.c, strings, flow blobs and findings (read side) in read.c.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cause.h"
#include "sqlfunc.h"
#include "store_int.h"
#include "../lib/util.h"

static const char *const schema_v1 =
	"CREATE TABLE str(id INTEGER PRIMARY KEY, h INTEGER NOT NULL, s TEXT NOT NULL);\n"
	STORE_INDEX_STR_H ";\n"
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
	STORE_INDEX_FINDING_RUN ";\n"
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

/* How a connection opens the file. */
enum how { HOW_WRITE, HOW_READ_RW, HOW_READ, HOW_IMMUTABLE };

/* The directory holding path, in buf. */
static void
dir_of(const char *path, char *buf, size_t n)
{
	const char *sl = strrchr(path, '/');

	if (sl == NULL)
		snprintf(buf, n, ".");
	else if (sl == path)
		snprintf(buf, n, "/");
	else
		snprintf(buf, n, "%.*s", (int)(sl - path), path);
}

/* Whether an SQLite error is about the file (exit status 2), not SQLite. */
static int
file_error(int code)
{
	switch (code & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_AUTH:
		return 1;
	default:
		return 0;
	}
}

/* Whether a read-only connection failed because it could not set up the
 * WAL's shared memory (then the file is opened immutable). */
static int
wal_error(int code)
{
	return (code & 0xff) == SQLITE_CANTOPEN || (code & 0xff) == SQLITE_READONLY;
}

/* Whether the -wal or -shm file of path exists. */
static int
wal_files(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s-wal", path);
	if (access(buf, F_OK) == 0)
		return 1;
	snprintf(buf, sizeof(buf), "%s-shm", path);
	return access(buf, F_OK) == 0;
}

/* Opens st->db; a file: URI with immutable=1 for HOW_IMMUTABLE. */
static int
connect_db(struct store *st, const char *path, enum how how, int create)
{
	struct sbuf uri = SBUF_INIT;
	const char *p;
	int oflags, rc;

	if (how == HOW_IMMUTABLE) {
		sbuf_adds(&uri, path[0] == '/' ? "file://" : "file:");
		for (p = path; *p; p++)
			if (*p == '%' || *p == '?' || *p == '#')
				sbuf_addf(&uri, "%%%02X", (unsigned char)*p);
			else
				sbuf_addc(&uri, *p);
		sbuf_adds(&uri, "?immutable=1");
	}
	oflags = how == HOW_READ || how == HOW_IMMUTABLE ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (how == HOW_IMMUTABLE)
		oflags |= SQLITE_OPEN_URI;
	rc = sqlite3_open_v2(how == HOW_IMMUTABLE ? uri.buf : path, &st->db,
	    oflags | SQLITE_OPEN_NOMUTEX, NULL);
	sbuf_release(&uri);
	st->immutable = how == HOW_IMMUTABLE;
	return rc;
}

/* Sets err from the connection's error, naming the file; returns the
 * store status (STORE_EUSAGE for errors about the file). */
static int
open_error(struct store *st, const char *path, char *err, size_t errsz)
{
	int code = st->db ? sqlite3_extended_errcode(st->db) : SQLITE_NOMEM;

	if ((code & 0xff) == SQLITE_NOTADB)
		snprintf(err, errsz, "%s: not an escdb database: %s", path, sqlite3_errstr(code));
	else
		snprintf(err, errsz, "cannot open database %s: %s", path, st->errmsg[0] ?
		    st->errmsg : st->db ? sqlite3_errmsg(st->db) : "out of memory");
	return file_error(code) ? STORE_EUSAGE : STORE_EDB;
}

/* Checks that the file can be opened as asked before SQLite tries. */
static int
precheck(const char *path, int flags, int *exists, char *err, size_t errsz)
{
	char dir[4096];
	struct stat sb;

	*exists = stat(path, &sb) == 0;
	if (!*exists && errno != ENOENT) {
		snprintf(err, errsz, "cannot open database %s: %s", path, strerror(errno));
		return STORE_EUSAGE;
	}
	if (!*exists && (flags & STORE_RDONLY)) {
		snprintf(err, errsz, "cannot open database %s: %s", path, strerror(ENOENT));
		return STORE_ENOTFOUND;
	}
	if (*exists && S_ISDIR(sb.st_mode)) {
		snprintf(err, errsz, "cannot open database %s: %s", path, strerror(EISDIR));
		return STORE_EUSAGE;
	}
	if (flags & STORE_RDONLY)
		return STORE_OK;
	dir_of(path, dir, sizeof(dir));
	if (!*exists && !(flags & STORE_CREATE)) {
		snprintf(err, errsz, "cannot open database %s: %s", path, strerror(ENOENT));
		return STORE_ENOTFOUND;
	}
	if (!*exists && access(dir, W_OK) != 0) {
		snprintf(err, errsz, "cannot create database %s: %s", path, strerror(errno));
		return STORE_EUSAGE;
	}
	if (*exists && access(path, W_OK) != 0) {
		snprintf(err, errsz, "cannot write database %s: %s", path, strerror(errno));
		return STORE_EUSAGE;
	}
	if (*exists && access(dir, W_OK) != 0) {
		snprintf(err, errsz, "cannot write database %s: directory %s: %s (SQLite "
		    "keeps its -wal and -shm files there)", path, dir, strerror(errno));
		return STORE_EUSAGE;
	}
	return STORE_OK;
}

/* Every connection's settings: extended result codes, a long busy wait,
 * escdb's SQL functions.  An SQLite result code. */
static int
connection_setup(struct store *st)
{
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 600000);
	return store_register_functions(st->db);
}

/* A writable connection's settings: WAL lets readers and one writer work
 * at once.  A staged file is written by no one else and reaches its path
 * only whole (store_publish): no journal on disk, no syncs until then. */
static int
writable_setup(struct store *st)
{
	if (st->stage)
		return store_exec(st, "PRAGMA journal_mode=MEMORY") != STORE_OK ||
		    store_exec(st, "PRAGMA synchronous=OFF") != STORE_OK ||
		    store_exec(st, "PRAGMA foreign_keys=ON") != STORE_OK ? STORE_EDB : STORE_OK;
	return store_exec(st, "PRAGMA journal_mode=WAL") != STORE_OK ||
	    store_exec(st, "PRAGMA synchronous=NORMAL") != STORE_OK ||
	    store_exec(st, "PRAGMA foreign_keys=ON") != STORE_OK ? STORE_EDB : STORE_OK;
}

void
store_remove(const char *path)
{
	static const char *const sfx[] = { "-journal", "-wal", "-shm", "" };
	char buf[4096];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", path, sfx[i]);
		unlink(buf);
	}
}

/* STORE_STAGE: the new database is built as PATH.tmp-XXXXXX beside PATH
 * (same file system, so publishing is a rename).  Not for a dangling
 * symbolic link at PATH: SQLite would create its target. */
static int
stage_file(struct store *st, const char *path, char *err, size_t errsz)
{
	struct stat sb;
	struct timespec ts;
	size_t n = strlen(path) + 32;
	unsigned long r;
	int fd, tries;

	if (lstat(path, &sb) == 0 || errno != ENOENT)
		return STORE_OK;
	st->stage = xmalloc(n);
	clock_gettime(CLOCK_REALTIME, &ts);
	r = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 20);
	/* open, not mkstemp: the file gets the mode SQLite would give it
	 * (0666 less the umask) */
	for (tries = 0; tries < 100; tries++) {
		snprintf(st->stage, n, "%s.tmp-%06lx", path, (r + (unsigned long)tries * 7919) & 0xffffff);
		if ((fd = open(st->stage, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0 ||
		    errno != EEXIST)
			break;
	}
	if (fd < 0) {
		snprintf(err, errsz, "cannot create database %s: %s", path, strerror(errno));
		free(st->stage);
		st->stage = NULL;
		return STORE_EUSAGE;
	}
	close(fd);
	st->final = xstrdup(path);
	return STORE_OK;
}

/* Moves from to to unless to exists (EEXIST then). */
static int
rename_noreplace(const char *from, const char *to)
{
	struct stat sb;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* a file system without RENAME_NOREPLACE: link refuses an
	 * existing name too */
	if (link(from, to) == 0)
		return unlink(from) == 0 || errno == ENOENT ? 0 : -1;
	if (errno == EEXIST)
		return -1;
	if (lstat(to, &sb) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

static int
fsync_path(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

void
store_kick_writeback(struct store *st)
{
	if (st->stage == NULL || ++st->kicks % 16 != 0)
		return;
	if (st->kick_fd == 0)   /* the descriptor + 1; -1: none to be had */
		st->kick_fd = open(st->stage, O_RDONLY | O_CLOEXEC) + 1;
	if (st->kick_fd > 0)
		(void)sync_file_range(st->kick_fd - 1, 0, 0, SYNC_FILE_RANGE_WRITE);
	else
		st->kick_fd = -1;
}

static void
kick_close(struct store *st)
{
	if (st->kick_fd > 0)
		close(st->kick_fd - 1);
	st->kick_fd = 0;
}

int
store_publish(struct store *st)
{
	char dir[4096];

	if (st->stage == NULL)
		return STORE_OK;
	kick_close(st);
	sqlite3_finalize(st->get_str);
	sqlite3_finalize(st->find_str);
	st->get_str = st->find_str = NULL;
	/* the file says WAL from now on, as every escdb database does */
	if (store_exec(st, "PRAGMA journal_mode=WAL") != STORE_OK)
		return STORE_EDB;
	if (sqlite3_close(st->db) != SQLITE_OK) {
		snprintf(st->errmsg, sizeof(st->errmsg), "closing %s: %s", st->stage,
		    sqlite3_errmsg(st->db));
		return STORE_EDB;
	}
	st->db = NULL;
	dir_of(st->final, dir, sizeof(dir));
	if (fsync_path(st->stage, 0) < 0 || rename_noreplace(st->stage, st->final) < 0) {
		if (errno == EEXIST)
			snprintf(st->errmsg, sizeof(st->errmsg), "%s was created by someone else "
			    "while this run was stored; the run is kept in %s (add it with: "
			    "escdb --db %s merge %s)", st->final, st->stage, st->final, st->stage);
		else
			snprintf(st->errmsg, sizeof(st->errmsg), "cannot create %s: %s; the run "
			    "is kept in %s", st->final, strerror(errno), st->stage);
		free(st->stage);        /* kept: store_close leaves it */
		st->stage = NULL;
		return STORE_EDB;
	}
	fsync_path(dir, O_DIRECTORY);
	free(st->stage);
	st->stage = NULL;
	if (connect_db(st, st->final, HOW_WRITE, 0) != SQLITE_OK ||
	    connection_setup(st) != SQLITE_OK || writable_setup(st) != STORE_OK) {
		snprintf(st->errmsg, sizeof(st->errmsg), "the run is stored in %s, but the "
		    "file cannot be opened again: %s", st->final,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		return STORE_EDB;
	}
	store_exec(st, "PRAGMA cache_size=-8000");
	return STORE_OK;
}

int
store_staged(const struct store *st)
{
	return st != NULL && st->stage != NULL;
}

int
store_open(const char *path, int flags, struct store **out, char *err, size_t errsz)
{
	struct store *st;
	char dir[4096];
	enum how how = HOW_WRITE;
	int rc, exists;

	*out = NULL;
	if ((rc = precheck(path, flags, &exists, err, errsz)) != STORE_OK)
		return rc;
	if ((flags & STORE_PROBE) && !exists)
		return STORE_OK;        /* could be created: not yet */
	if (flags & STORE_RDONLY) {
		/* A file we may write is read through a writable connection
		 * (query_only), whose close removes the -wal and -shm files;
		 * else read-only, sharing the WAL of a writer at work, or
		 * immutable when there is none (no files left behind). */
		dir_of(path, dir, sizeof(dir));
		if (access(path, W_OK) == 0 && access(dir, W_OK) == 0)
			how = HOW_READ_RW;
		else
			how = wal_files(path) ? HOW_READ : HOW_IMMUTABLE;
	}
	/* before SQLite initialises, once: no memory statistics (escdb
	 * reads none), so each allocation skips a global mutex */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
again:
	st = xcalloc(1, sizeof(*st));
	st->rdonly = (flags & STORE_RDONLY) != 0;
	if ((flags & STORE_STAGE) && !exists && !st->rdonly &&
	    (rc = stage_file(st, path, err, errsz)) != STORE_OK) {
		store_close(st);
		return rc;
	}
	if (connect_db(st, st->stage ? st->stage : path, how, (flags & STORE_CREATE) != 0) != SQLITE_OK) {
		rc = open_error(st, path, err, errsz);
		store_close(st);
		return rc;
	}
	if (connection_setup(st) != SQLITE_OK) {
		snprintf(err, errsz, "cannot register SQL functions: %s", sqlite3_errmsg(st->db));
		store_close(st);
		return STORE_EDB;
	}
	if (!st->rdonly) {
		/* a new database: pages of 8 KiB (half the pages and WAL
		 * frames of 4 KiB for a run's bulk load; the database stays
		 * under a tenth of the log) */
		if (!exists)
			store_exec(st, "PRAGMA page_size=8192");
		if (writable_setup(st) != STORE_OK) {
			rc = open_error(st, path, err, errsz);
			store_close(st);
			return rc;
		}
	} else if (how == HOW_READ_RW)
		store_exec(st, "PRAGMA query_only=1");
	store_exec(st, "PRAGMA cache_size=-8000");
	rc = migrate(st);
	if (rc != STORE_OK && how == HOW_READ && wal_error(sqlite3_extended_errcode(st->db))) {
		store_close(st);
		how = HOW_IMMUTABLE;
		goto again;
	}
	if (rc != STORE_OK && st->needs_upgrade && !(flags & STORE_NO_UPGRADE)) {
		/* An older escdb's database opened for reading: upgrade it
		 * once through a writable connection when the file allows,
		 * then read as asked. */
		struct store *up;
		char uerr[256];
		store_close(st);
		if (store_open(path, 0, &up, uerr, sizeof(uerr)) == STORE_OK)
			store_close(up);
		return store_open(path, flags | STORE_NO_UPGRADE, out, err, errsz);
	}
	if (rc != STORE_OK) {
		if (rc == STORE_EDB)
			rc = open_error(st, path, err, errsz);
		else
			snprintf(err, errsz, "%s: %s", path, st->errmsg);
		store_close(st);
		return rc;
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
	kick_close(st);
	if (st->db)
		sqlite3_close(st->db);
	if (st->stage)          /* never published: no run in it */
		store_remove(st->stage);
	free(st->stage);
	free(st->final);
	for (i = 0; i < st->rc.cap; i++)
		free(st->rc.t[i].v.p);
	htab_release(&st->rc);
	store_texts_forget(st);
	free(st);
}
