/*
 * sql: runs one read-only SQL statement on the database (opened
 * read-only, with PRAGMA query_only and an authorizer that refuses
 * ATTACH, DETACH and pragmas that set something) and prints the rows.
 */
#include "cmd.h"
#include "opts.h"

#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "../report/format.h"
#include "../store/sqlfunc.h"

static const struct opt_usage usage = {
	"sql", "'SELECT ...'", ".Ar STATEMENT",
	"Runs one read-only SQL statement on the database and prints the rows:\n"
	"an aligned table with a header (text), CSV with a header row, or JSON\n"
	"objects keyed by column name.  The schema, the view findings and the\n"
	"functions regexp() and escdb_flows() are described in man escdb.\n",
	NULL
};

/* Pragmas that take an argument and only read. */
static const char *const read_pragmas[] = {
	"table_info", "table_xinfo", "table_list", "index_list", "index_info",
	"index_xinfo", "foreign_key_list", "foreign_key_check", "integrity_check",
	"quick_check", NULL
};

struct authz {
	const char *denied;     /* what was refused, for the message */
};

static int
authorizer(void *ctx, int action, const char *a1, const char *a2, const char *a3, const char *a4)
{
	struct authz *az = ctx;
	size_t i;

	(void)a3;
	(void)a4;
	switch (action) {
	case SQLITE_ATTACH:
		az->denied = "ATTACH";
		return SQLITE_DENY;
	case SQLITE_DETACH:
		az->denied = "DETACH";
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		if (a2 == NULL)
			return SQLITE_OK;
		for (i = 0; read_pragmas[i]; i++)
			if (a1 && strcasecmp(a1, read_pragmas[i]) == 0)
				return SQLITE_OK;
		az->denied = "a PRAGMA that sets a value";
		return SQLITE_DENY;
	case SQLITE_TRANSACTION:
	case SQLITE_SAVEPOINT:
		az->denied = "transaction control";
		return SQLITE_DENY;
	default:
		return SQLITE_OK;
	}
}

static void
hex_blob(struct sbuf *sb, const unsigned char *p, int n)
{
	int i;

	sbuf_adds(sb, "x'");
	for (i = 0; i < n; i++)
		sbuf_addf(sb, "%02x", p[i]);
	sbuf_addc(sb, '\'');
}

/* The text of column i: numbers as SQLite prints them, blobs as x'..'. */
static const char *
cell_text(sqlite3_stmt *s, int i, struct sbuf *sb)
{
	sbuf_reset(sb);
	sbuf_adds(sb, "");
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB:
		hex_blob(sb, sqlite3_column_blob(s, i), sqlite3_column_bytes(s, i));
		break;
	default:
		sbuf_adds(sb, (const char *)sqlite3_column_text(s, i));
		break;
	}
	return sb->buf;
}

static cJSON *
row_json(sqlite3_stmt *s, int ncols, struct sbuf *sb)
{
	cJSON *o = cJSON_CreateObject();
	int i;

	for (i = 0; i < ncols; i++) {
		const char *name = sqlite3_column_name(s, i);
		switch (sqlite3_column_type(s, i)) {
		case SQLITE_NULL:
			cJSON_AddItemToObject(o, name ? name : "", cJSON_CreateNull());
			break;
		case SQLITE_INTEGER:
			fmt_json_add_int(o, name ? name : "", sqlite3_column_int64(s, i));
			break;
		case SQLITE_FLOAT:
			cJSON_AddItemToObject(o, name ? name : "", cJSON_CreateNumber(sqlite3_column_double(s, i)));
			break;
		default:
			fmt_json_add_str(o, name ? name : "", cell_text(s, i, sb));
			break;
		}
	}
	return o;
}

/* Whether the rest of the text holds another statement. */
static int
has_more(sqlite3 *db, const char *tail)
{
	sqlite3_stmt *s = NULL;
	const char *t2 = NULL;

	while (tail && *tail) {
		if (sqlite3_prepare_v2(db, tail, -1, &s, &t2) != SQLITE_OK)
			return 1;
		if (s) {
			sqlite3_finalize(s);
			return 1;
		}
		if (t2 == tail)
			break;
		tail = t2;
	}
	return 0;
}

int
cmd_sql(struct cmdctx *cx, int argc, char **argv)
{
	const char *outpath = NULL, *tail = NULL;
	int f = FMT_TEXT, color = -1, rc, ncols, i, step, have_table = 0, dummy;
	const struct opt opts[] = {
		OPT_FORMAT(&f, 1u << FMT_TEXT | 1u << FMT_CSV | 1u << FMT_JSON | 1u << FMT_JSONL),
		OPT_OUTPUT(&outpath),
		OPT_COLOR(&color),
		OPT_END()
	};
	struct store *st = NULL;
	struct authz az = { NULL };
	struct table t;
	struct json_stream js;
	struct sbuf sb = SBUF_INIT;
	sqlite3 *db;
	sqlite3_stmt *s = NULL;
	FILE *fp = NULL;

	if ((rc = opt_parse(&usage, opts, 0, &argc, &argv)) >= 0)
		return rc;
	if (argc != 1)
		return opt_usage_error(&usage, opts, argc == 0 ? "missing the SQL statement" :
		    "one SQL statement as one argument (quote it)");
	if ((rc = cmd_open_store(cx, STORE_RDONLY, &st)) != EXIT_OK)
		return rc;
	db = store_db(st);
	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &dummy) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA query_only=1", NULL, NULL, NULL) != SQLITE_OK ||
	    store_register_functions(db) != SQLITE_OK) {
		msg_error("sql: %s", sqlite3_errmsg(db));
		rc = EXIT_INTERNAL;
		goto out;
	}
	sqlite3_set_authorizer(db, authorizer, &az);
	if (sqlite3_prepare_v2(db, argv[0], -1, &s, &tail) != SQLITE_OK) {
		if (az.denied)
			msg_error("sql: %s is not allowed (the database is read-only here)", az.denied);
		else
			msg_error("sql: %s", sqlite3_errmsg(db));
		rc = EXIT_USAGE;
		goto out;
	}
	if (s == NULL) {
		msg_error("sql: no SQL statement");
		rc = EXIT_USAGE;
		goto out;
	}
	if (has_more(db, tail)) {
		msg_error("sql: only one statement is allowed (remove what follows the first ';')");
		rc = EXIT_USAGE;
		goto out;
	}
	if (!sqlite3_stmt_readonly(s)) {
		msg_error("sql: only read-only statements are allowed (SELECT, WITH, read-only PRAGMA)");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((fp = cmd_output(outpath)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	ncols = sqlite3_column_count(s);
	if (f == FMT_TEXT) {
		const char **hdr = xcalloc((size_t)ncols + 1, sizeof(*hdr));
		for (i = 0; i < ncols; i++)
			hdr[i] = sqlite3_column_name(s, i);
		table_init(&t, (size_t)ncols, hdr);
		free(hdr);
		have_table = 1;
	} else if (f == FMT_CSV) {
		for (i = 0; i < ncols; i++) {
			if (i)
				fputc(',', fp);
			fmt_csv_field(fp, sqlite3_column_name(s, i));
		}
		fputc('\n', fp);
	} else {
		fmt_json_init();
		json_stream_begin(&js, fp, f == FMT_JSONL);
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (f == FMT_TEXT) {
			size_t r = table_add_row(&t);
			for (i = 0; i < ncols; i++)
				table_set(&t, r, (size_t)i, cell_text(s, i, &sb));
		} else if (f == FMT_CSV) {
			for (i = 0; i < ncols; i++) {
				if (i)
					fputc(',', fp);
				fmt_csv_field(fp, cell_text(s, i, &sb));
			}
			fputc('\n', fp);
		} else {
			cJSON *o = row_json(s, ncols, &sb);
			json_stream_add(&js, o);
			cJSON_Delete(o);
		}
		if (ferror(fp))
			break;
	}
	if (f == FMT_JSON || f == FMT_JSONL)
		json_stream_end(&js);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		int code = sqlite3_errcode(db) & 0xff;
		msg_error("sql: %s", sqlite3_errmsg(db));
		cmd_output_close(fp, outpath);
		rc = code == SQLITE_ERROR || code == SQLITE_READONLY || code == SQLITE_AUTH ?
		    EXIT_USAGE : EXIT_INTERNAL;
		goto out;
	}
	if (f == FMT_TEXT)
		table_render(&t, TF_TEXT, fp, cmd_want_color(fp, color));
	rc = cmd_output_close(fp, outpath);
out:
	if (have_table)
		table_release(&t);
	sbuf_release(&sb);
	sqlite3_finalize(s);
	if (st)
		sqlite3_set_authorizer(store_db(st), NULL, NULL);
	store_close(st);
	return rc;
}
