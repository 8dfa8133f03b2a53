/*
 * runs: run rows (run_info), the list of runs and run selectors
 * (latest, latest~N, id:N, label, commit or its prefix).  See store.h.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	free(ri->repo_prefix);
	free(ri->mode);
	free(ri->flags);
	free(ri->shard);
	free(ri->note);
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
	"(SELECT count(*) FROM package p WHERE p.run = run.id), " \
	"repo_prefix, in_repo, mode, flags, shard, partial, note"

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
	ri->repo_prefix = col_dup(s, 17);
	ri->in_repo = sqlite3_column_int(s, 18);
	ri->mode = col_dup(s, 19);
	ri->flags = col_dup(s, 20);
	ri->shard = col_dup(s, 21);
	ri->partial = sqlite3_column_int(s, 22);
	ri->note = col_dup(s, 23);
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

/* The runs matching where (with ?1 = arg), for a message: the newest
 * CAND_MAX of them, listed oldest first like escdb runs, then how many
 * older ones are not listed. */
#define CAND_MAX 10

static void
add_candidates(struct store *st, const char *where, const char *arg, struct sbuf *c)
{
	struct sbuf sql = SBUF_INIT;
	sqlite3_stmt *s;
	char when[32];
	long long total = 0;
	int listed = 0;

	if (c == NULL)
		return;
	sbuf_addf(&sql, "SELECT id, commit_id, label, date, total FROM (SELECT id, commit_id, "
	    "label, date, count(*) OVER () AS total FROM run %s ORDER BY date DESC, id DESC "
	    "LIMIT %d) ORDER BY date, id", where, CAND_MAX);
	if (sqlite3_prepare_v2(st->db, sql.buf, -1, &s, NULL) != SQLITE_OK) {
		sbuf_release(&sql);
		return;
	}
	sbuf_release(&sql);
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
		total = sqlite3_column_int64(s, 4);
		listed++;
	}
	sqlite3_finalize(s);
	if (total > listed)
		sbuf_addf(c, "  (and %lld older run%s; escdb runs lists them all)\n",
		    total - listed, plural((unsigned long long)(total - listed)));
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
		add_candidates(st, "", NULL, cands);
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
		add_candidates(st, "", NULL, cands);
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
			add_candidates(st, "WHERE substr(commit_id, 1, length(?1)) = lower(?1)",
			    sel, cands);
			return STORE_EAMBIGUOUS;
		}
	}
	add_candidates(st, "", NULL, cands);
	return STORE_ENOTFOUND;
}
