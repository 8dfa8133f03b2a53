/*
 * sqlfunc: regexp() and escdb_flows() (see sqlfunc.h).  The compiled
 * pattern of regexp() is kept with sqlite3_set_auxdata, so a constant
 * pattern is compiled once per statement.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sqlfunc.h"

#include <stdio.h>
#include <string.h>

#include <pcre2.h>

#include "../lib/util.h"

struct re {
	pcre2_code *code;
	pcre2_match_data *md;
};

static void
re_free(void *p)
{
	struct re *r = p;

	if (r == NULL)
		return;
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->code);
	sqlite3_free(r);
}

static void
regexp_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct re *r;
	const char *text;
	int rc, fresh = 0;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
		return;         /* NULL */
	r = sqlite3_get_auxdata(ctx, 0);
	if (r == NULL) {
		const char *pat = (const char *)sqlite3_value_text(argv[0]);
		int ecode;
		PCRE2_SIZE eoff;

		if (pat == NULL) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		if ((r = sqlite3_malloc(sizeof(*r))) == NULL) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		r->md = NULL;
		r->code = pcre2_compile((PCRE2_SPTR)pat, (PCRE2_SIZE)sqlite3_value_bytes(argv[0]),
		    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ecode, &eoff, NULL);
		if (r->code == NULL) {
			PCRE2_UCHAR msg[256];
			char *e;
			pcre2_get_error_message(ecode, msg, sizeof(msg));
			e = sqlite3_mprintf("regexp: bad pattern at offset %d: %s",
			    (int)eoff, (const char *)msg);
			sqlite3_result_error(ctx, e ? e : "regexp: bad pattern", -1);
			sqlite3_free(e);
			sqlite3_free(r);
			return;
		}
		(void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
		r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
		if (r->md == NULL) {
			re_free(r);
			sqlite3_result_error_nomem(ctx);
			return;
		}
		fresh = 1;
	}
	text = (const char *)sqlite3_value_text(argv[1]);
	if (text == NULL)
		sqlite3_result_error_nomem(ctx);
	else {
		rc = pcre2_match(r->code, (PCRE2_SPTR)text, (PCRE2_SIZE)sqlite3_value_bytes(argv[1]),
		    0, 0, r->md, NULL);
		if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(rc, msg, sizeof(msg));
			sqlite3_result_error(ctx, (const char *)msg, -1);
		} else
			sqlite3_result_int(ctx, rc >= 0);
	}
	/* kept for the next row when the pattern is a constant; SQLite owns
	 * it from here (and may free it at once) */
	if (fresh)
		sqlite3_set_auxdata(ctx, 0, r, re_free);
}

/* ---- escdb_flows ---- */

/* A JSON string: invalid UTF-8 becomes U+FFFD, controls are escaped. */
static void
json_str(struct sbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	sbuf_addc(sb, '"');
	while (*p) {
		unsigned c = *p;
		size_t n = 0, i;
		if (c == '"' || c == '\\') {
			sbuf_addc(sb, '\\');
			sbuf_addc(sb, (int)c);
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			sbuf_addf(sb, "\\u%04x", c);
			p++;
			continue;
		}
		if (c < 0x80) {
			sbuf_addc(sb, (int)c);
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		for (i = 1; n && i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				n = 0;
		if (n == 2 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
			n = 0;
		if (n == 3 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
			n = 0;
		if (n == 0) {
			sbuf_adds(sb, "\xef\xbf\xbd");
			p++;
			continue;
		}
		sbuf_add(sb, p, n + 1);
		p += n + 1;
	}
	sbuf_addc(sb, '"');
}

static const char *
lookup(sqlite3_stmt *s, uint64_t id, struct sbuf *tmp)
{
	sbuf_reset(tmp);
	sbuf_adds(tmp, "");
	if (id <= 1)
		return tmp->buf;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		sbuf_adds(tmp, (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return tmp->buf;
}

static void
flows_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *p, *end;
	uint64_t v, nb, nf, ns, i, j, k, file, line, col, dst, src, expr, reason;
	sqlite3_stmt *s = NULL;
	struct sbuf out = SBUF_INIT, tmp = SBUF_INIT;
	size_t nflows = 0;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	p = sqlite3_value_blob(argv[0]);
	/* issue 7: no arithmetic on a NULL blob pointer (undefined) */
	end = p ? p + sqlite3_value_bytes(argv[0]) : p;
	sbuf_addc(&out, '[');
	if (p == NULL || p == end)
		goto done;
	if (sqlite3_prepare_v2(sqlite3_context_db_handle(ctx), "SELECT s FROM str WHERE id = ?",
	    -1, &s, NULL) != SQLITE_OK) {
		sqlite3_result_error(ctx, "escdb_flows: cannot read table str", -1);
		goto out;
	}
#define GET(x) do { if (varint_get(&p, end, &(x)) < 0) goto bad; } while (0)
	GET(v);
	if (v != 1)
		goto bad;
	GET(nb);
	for (i = 0; i < nb; i++) {
		GET(v);         /* heading */
		GET(v);         /* truncated */
		GET(nf);
		for (j = 0; j < nf; j++) {
			GET(dst);
			GET(src);
			GET(ns);
			if (nflows++)
				sbuf_addc(&out, ',');
			sbuf_adds(&out, "{\"dst\":");
			json_str(&out, lookup(s, dst, &tmp));
			sbuf_adds(&out, ",\"src\":");
			json_str(&out, lookup(s, src, &tmp));
			sbuf_adds(&out, ",\"steps\":[");
			for (k = 0; k < ns; k++) {
				GET(expr);
				GET(reason);
				GET(file);
				GET(line);
				GET(col);
				if (k)
					sbuf_addc(&out, ',');
				sbuf_adds(&out, "{\"expr\":");
				json_str(&out, lookup(s, expr, &tmp));
				sbuf_adds(&out, ",\"reason\":");
				json_str(&out, lookup(s, reason, &tmp));
				sbuf_adds(&out, ",\"pos\":");
				{
					/* the position as "file:line[:col]", "" when unknown */
					struct sbuf pos = SBUF_INIT;
					const char *f = lookup(s, file, &tmp);
					sbuf_adds(&pos, "");
					if (*f || line) {
						sbuf_addf(&pos, "%s:%llu", f, (unsigned long long)line);
						if (col)
							sbuf_addf(&pos, ":%llu", (unsigned long long)col);
					}
					json_str(&out, pos.buf);
					sbuf_release(&pos);
				}
				sbuf_addc(&out, '}');
			}
			sbuf_adds(&out, "]}");
		}
	}
#undef GET
done:
	sbuf_addc(&out, ']');
	sqlite3_result_text(ctx, out.buf, (int)out.len, SQLITE_TRANSIENT);
	goto out;
bad:
	sqlite3_result_error(ctx, "escdb_flows: malformed flow blob", -1);
out:
	sqlite3_finalize(s);
	sbuf_release(&out);
	sbuf_release(&tmp);
}

int
store_register_functions(sqlite3 *db)
{
	int rc;

	rc = sqlite3_create_function_v2(db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	    NULL, regexp_fn, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "escdb_flows", 1,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, flows_fn, NULL, NULL, NULL);
	return rc;
}
