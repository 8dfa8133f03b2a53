/*
 * baseline: writing and reading the gate's baseline file, and accepting
 * the new findings a baseline lists — by key, then by the passes of
 * report/match.h so an entry follows its finding through a move or a
 * rename (see diff.h).
 */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "finding_json.h"
#include "format.h"
#include "match.h"

int
baseline_write(struct store *st, int64_t run, const char *commit, unsigned mask, FILE *fp)
{
	struct diff_opts o;
	struct diff_item *v = NULL;
	size_t n = 0, i;
	cJSON *doc, *arr;
	int rc;
	char key[17];

	memset(&o, 0, sizeof(o));
	o.mask = mask;
	o.include_external = 1;
	if ((rc = diff_load_run(st, run, &o, &v, &n, NULL)) != STORE_OK)
		return rc;
	diff_sort_items(st, v, n);
	fmt_json_init();
	doc = cJSON_CreateObject();
	fmt_json_add_int(doc, "version", 1);
	fmt_json_add_int(doc, "run", run);
	fmt_json_add_str(doc, "commit", commit);
	arr = cJSON_AddArrayToObject(doc, "findings");
	for (i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();

		finding_key_hex(v[i].key, key);
		fmt_json_add_str(e, "key", key);
		fmt_json_add_str(e, "package", store_str(st, v[i].pkg));
		fmt_json_add_str(e, "file", store_str(st, v[i].file));
		fmt_json_add_int(e, "line", v[i].line);
		fmt_json_add_str(e, "func", store_str(st, v[i].func));
		fmt_json_add_str(e, "kind", esc_kind_name(v[i].kind));
		fmt_json_add_str(e, "message", store_str(st, v[i].message));
		fmt_json_add_str(e, "reason", "");
		cJSON_AddItemToArray(arr, e);
	}
	fmt_json_print(fp, doc, 1);
	fputc('\n', fp);
	cJSON_Delete(doc);
	free(v);
	return STORE_OK;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static char *
str_field(const cJSON *e, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, name);

	return xstrdup(cJSON_IsString(v) ? v->valuestring : "");
}

int
baseline_parse(const char *text, struct baseline *b, char *err, size_t errsz)
{
	cJSON *doc, *arr, *e;
	size_t cap = 0, idx = 0;
	const char *ep = NULL;

	memset(b, 0, sizeof(*b));
	fmt_json_init();
	doc = cJSON_ParseWithOpts(text, &ep, 0);
	if (doc == NULL) {
		/* the position cJSON stopped at, as LINE:COL (bytes, from 1) */
		unsigned long line = 1, col = 1;
		const char *p;
		int near;
		if (ep == NULL)
			ep = cJSON_GetErrorPtr();
		for (p = text; ep != NULL && p < ep && *p; p++) {
			if (*p == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		near = ep != NULL ? (int)strcspn(ep, "\r\n") : 0;
		if (near > 0)
			snprintf(err, errsz, "%lu:%lu: not valid JSON near '%.*s'", line, col,
			    near > 20 ? 20 : near, ep);
		else
			snprintf(err, errsz, "%lu:%lu: not valid JSON (it ends too soon)", line, col);
		return -1;
	}
	arr = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "findings");
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errsz, "no \"findings\" array");
		cJSON_Delete(doc);
		return -1;
	}
	cJSON_ArrayForEach(e, arr) {
		cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "key");
		cJSON *ln = cJSON_GetObjectItemCaseSensitive(e, "line");
		struct baseline_entry *be;
		char *end;
		uint64_t v;

		idx++;
		if (!cJSON_IsString(k) || strlen(k->valuestring) == 0 ||
		    strlen(k->valuestring) > 16) {
			snprintf(err, errsz, "entry %zu: missing or bad \"key\"", idx);
			goto bad;
		}
		v = strtoull(k->valuestring, &end, 16);
		if (*end != '\0') {
			snprintf(err, errsz, "entry %zu: bad key '%s'", idx, k->valuestring);
			goto bad;
		}
		if (b->n == cap) {
			cap = cap ? cap * 2 : 64;
			b->keys = xreallocarray(b->keys, cap, sizeof(*b->keys));
			b->ent = xreallocarray(b->ent, cap, sizeof(*b->ent));
		}
		b->keys[b->n++] = v;
		be = &b->ent[b->nent++];
		be->key = v;
		be->package = str_field(e, "package");
		be->file = str_field(e, "file");
		be->func = str_field(e, "func");
		be->kind = str_field(e, "kind");
		be->message = str_field(e, "message");
		be->line = cJSON_IsNumber(ln) && ln->valuedouble > 0 && ln->valuedouble < 1e9 ?
		    (int)ln->valuedouble : 0;
	}
	cJSON_Delete(doc);
	if (b->n)
		qsort(b->keys, b->n, sizeof(*b->keys), cmp_u64);
	return 0;
bad:
	cJSON_Delete(doc);
	baseline_release(b);
	return -1;
}

int
baseline_has(const struct baseline *b, uint64_t key)
{
	return b->n && bsearch(&key, b->keys, b->n, sizeof(*b->keys), cmp_u64) != NULL;
}

void
baseline_release(struct baseline *b)
{
	size_t i;

	for (i = 0; i < b->nent; i++) {
		free(b->ent[i].package);
		free(b->ent[i].file);
		free(b->ent[i].func);
		free(b->ent[i].kind);
		free(b->ent[i].message);
	}
	free(b->ent);
	free(b->keys);
	memset(b, 0, sizeof(*b));
}

/* The keys of every finding of run, sorted. */
static int
run_keys(struct store *st, int64_t run, uint64_t **out, size_t *n)
{
	struct diff_item *v = NULL;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = diff_load_run(st, run, NULL, &v, n, NULL)) != STORE_OK)
		return rc;
	*out = xreallocarray(NULL, *n ? *n : 1, sizeof(**out));
	for (i = 0; i < *n; i++)
		(*out)[i] = v[i].key;
	free(v);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_u64);
	return STORE_OK;
}

/* The entries whose key HEAD no longer has, paired with d's remaining
 * new items by the passes; paired items are marked in acc. */
static int
follow(struct store *st, struct diff *d, const struct baseline *b, unsigned char *acc)
{
	struct match_funcs fb = MATCH_FUNCS_INIT, fh = MATCH_FUNCS_INIT;
	struct match_item *mb = NULL, *mh = NULL;
	size_t nmb = 0, nmh = 0, i, nkeys = 0, *hidx, *pair;
	uint64_t *keys = NULL;
	unsigned char *pass;
	int rc;

	if ((rc = run_keys(st, d->head, &keys, &nkeys)) != STORE_OK ||
	    (rc = diff_load_funcs(st, d->base, &fb)) != STORE_OK ||
	    (rc = diff_load_funcs(st, d->head, &fh)) != STORE_OK)
		goto out;
	mb = xreallocarray(NULL, b->nent ? b->nent : 1, sizeof(*mb));
	for (i = 0; i < b->nent; i++) {
		const struct baseline_entry *e = &b->ent[i];
		struct match_item *m = &mb[nmb];
		int kind = esc_kind_parse(e->kind, strlen(e->kind));

		if (nkeys && bsearch(&e->key, keys, nkeys, sizeof(*keys), cmp_u64))
			continue;       /* its finding is still there */
		if (kind < 0 || (m->pkg = store_str_lookup(st, e->package)) <= 0 ||
		    (m->message = store_str_lookup(st, e->message)) <= 0)
			continue;       /* cannot match anything stored */
		m->kind = kind;
		m->external = diff_file_external(e->file);
		m->subject = m->detail = 0;
		m->func = e->func;
		m->file = e->file;
		m->line = e->line;
		m->col = 0;             /* not compared: entries keep no column */
		m->off = 0;
		match_funcs_add(&fb, m->pkg, e->func, e->line);
		nmb++;
	}
	for (i = 0; i < nmb; i++) {
		int first = match_funcs_first(&fb, mb[i].pkg, mb[i].func);
		mb[i].off = first > 0 && mb[i].line > 0 ? mb[i].line - first : 0;
	}
	mh = xreallocarray(NULL, d->n ? d->n : 1, sizeof(*mh));
	hidx = xreallocarray(NULL, d->n ? d->n : 1, sizeof(*hidx));
	for (i = 0; i < d->n; i++) {
		const struct diff_item *it = &d->items[i];
		struct match_item *m = &mh[nmh];
		int first;

		if (it->change != DIFF_NEW || acc[i])
			continue;
		m->pkg = it->pkg;
		m->kind = (int)it->kind;
		m->external = it->external;
		m->message = it->message;
		m->subject = m->detail = 0;
		m->func = store_str(st, it->func);
		m->file = store_str(st, it->file);
		m->line = it->line;
		m->col = 0;
		first = match_funcs_first(&fh, it->pkg, m->func);
		m->off = first > 0 ? it->line - first : 0;
		hidx[nmh++] = i;
	}
	pair = xreallocarray(NULL, nmb ? nmb : 1, sizeof(*pair));
	pass = xreallocarray(NULL, nmb ? nmb : 1, 1);
	match_pair(mb, nmb, &fb, mh, nmh, &fh, NULL, NULL, pair, pass);
	for (i = 0; i < nmb; i++)
		if (pair[i] != SIZE_MAX)
			acc[hidx[pair[i]]] = 1;
	free(pair);
	free(pass);
	free(hidx);
out:
	free(keys);
	free(mb);
	free(mh);
	match_funcs_release(&fb);
	match_funcs_release(&fh);
	return rc;
}

int
diff_apply_baseline(struct store *st, struct diff *d, const struct baseline *b)
{
	unsigned char *acc = xcalloc(d->n ? d->n : 1, 1);
	size_t i, j = 0, left = 0;
	int rc = STORE_OK;

	for (i = 0; i < d->n; i++) {
		if (d->items[i].change != DIFF_NEW)
			continue;
		if (baseline_has(b, d->items[i].key))
			acc[i] = 1;
		else
			left++;
	}
	if (left && b->nent && (rc = follow(st, d, b, acc)) != STORE_OK) {
		free(acc);
		return rc;
	}
	for (i = 0; i < d->n; i++) {
		if (acc[i]) {
			d->accepted++;
			d->count[DIFF_NEW]--;
			continue;
		}
		d->items[j++] = d->items[i];
	}
	d->n = j;
	free(acc);
	return STORE_OK;
}
