/*
 * merge_shards: the shards of one sharded run (run --shard K/N), found in
 * the databases given to merge and in the database merged into, become
 * one run with shard "*" "/N": gate and diff see one run.  A group is one
 * commit, label and goos/goarch; it must hold N shards of one Go version,
 * mode and flags, each K from 1 to N exactly once, or nothing is merged.
 */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

struct part {
	struct store *st;
	const char *db;         /* the database's name, for messages */
	int is_dst;
	const struct run_info *ri;
	int k, n;
};

struct shardset {
	struct part *p;
	size_t n, cap;
	int sorted;
};

struct shardset *
shards_new(void)
{
	return xcalloc(1, sizeof(struct shardset));
}

void
shards_free(struct shardset *ss)
{
	if (ss == NULL)
		return;
	free(ss->p);
	free(ss);
}

/* "K/N" with digits only; fills k and n. */
static int
parse_kn(const char *s, int *k, int *n)
{
	char *end;
	long a, b;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	a = strtol(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return 0;
	b = strtol(end + 1, &end, 10);
	if (*end != '\0' || a < 1 || b < 1 || a > b)
		return 0;
	*k = (int)a;
	*n = (int)b;
	return 1;
}

int
shards_is_shard(const struct run_info *ri)
{
	int k, n;

	return parse_kn(ri->shard, &k, &n);
}

void
shards_add(struct shardset *ss, struct store *st, const char *name, int is_dst,
    const struct run_info *runs, size_t n)
{
	size_t i;
	int k, nn;

	for (i = 0; i < n; i++) {
		if (!parse_kn(runs[i].shard, &k, &nn))
			continue;
		if (ss->n == ss->cap) {
			ss->cap = ss->cap ? ss->cap * 2 : 16;
			ss->p = xreallocarray(ss->p, ss->cap, sizeof(*ss->p));
		}
		ss->p[ss->n].st = st;
		ss->p[ss->n].db = name;
		ss->p[ss->n].is_dst = is_dst;
		ss->p[ss->n].ri = &runs[i];
		ss->p[ss->n].k = k;
		ss->p[ss->n].n = nn;
		ss->n++;
	}
}

static int
group_cmp(const struct part *a, const struct part *b)
{
	int c;

	if ((c = strcmp(a->ri->commit, b->ri->commit)) != 0 ||
	    (c = strcmp(a->ri->label, b->ri->label)) != 0 ||
	    (c = strcmp(a->ri->goos, b->ri->goos)) != 0 ||
	    (c = strcmp(a->ri->goarch, b->ri->goarch)) != 0)
		return c;
	return 0;
}

static int
part_cmp(const void *x, const void *y)
{
	const struct part *a = x, *b = y;
	int c = group_cmp(a, b);

	if (c != 0)
		return c;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	if (a->is_dst != b->is_dst)
		return a->is_dst ? -1 : 1;
	return a->ri->id < b->ri->id ? -1 : a->ri->id > b->ri->id;
}

/* "commit 1a2b3c4d5e6f label L linux/amd64" */
static void
group_name(const struct part *p, struct sbuf *sb)
{
	sbuf_reset(sb);
	sbuf_addf(sb, "commit %.12s", p->ri->commit[0] ? p->ri->commit : "(none)");
	if (p->ri->label[0])
		sbuf_addf(sb, " label %s", p->ri->label);
	if (p->ri->goos[0])
		sbuf_addf(sb, " %s/%s", p->ri->goos, p->ri->goarch);
}

/* The id of a merged run of the group in dst, else 0. */
static int64_t
merged_in(struct store *dst, const struct part *p)
{
	sqlite3_stmt *s;
	int64_t id = 0;

	if (sqlite3_prepare_v2(store_db(dst), "SELECT id FROM run WHERE commit_id = ?1 AND "
	    "label = ?2 AND goos = ?3 AND goarch = ?4 AND shard LIKE '*/%'", -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, p->ri->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->ri->label, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->ri->goos, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->ri->goarch, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return id;
}

/* The end of the group starting at i. */
static size_t
group_end(const struct shardset *ss, size_t i)
{
	size_t j = i + 1;

	while (j < ss->n && group_cmp(&ss->p[i], &ss->p[j]) == 0)
		j++;
	return j;
}

static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int
shards_check(struct shardset *ss, struct store *dst)
{
	struct sbuf name = SBUF_INIT, have = SBUF_INIT;
	size_t i, j, e;
	int errors = 0, k;

	if (ss->n > 1)
		qsort(ss->p, ss->n, sizeof(*ss->p), part_cmp);
	ss->sorted = 1;
	for (i = 0; i < ss->n; i = e) {
		const struct part *g = &ss->p[i];
		int bad = 0;

		e = group_end(ss, i);
		group_name(g, &name);
		if (merged_in(dst, g) != 0)
			continue;       /* reported by shards_merge */
		for (j = i + 1; j < e; j++) {
			const struct part *p = &ss->p[j];

			if (p->n != g->n) {
				msg_error("merge: %s: shard %s (%s, run %lld) and shard %s (%s, run %lld) "
				    "split the packages differently", name.buf, g->ri->shard, g->db,
				    (long long)g->ri->id, p->ri->shard, p->db, (long long)p->ri->id);
				bad = 1;
			} else if (!same(p->ri->go_version, g->ri->go_version) ||
			    !same(p->ri->mode, g->ri->mode) || !same(p->ri->flags, g->ri->flags)) {
				msg_error("merge: %s: shard %s (%s, run %lld) and shard %s (%s, run %lld) "
				    "were built differently (%s %s %s / %s %s %s)", name.buf,
				    g->ri->shard, g->db, (long long)g->ri->id, p->ri->shard, p->db,
				    (long long)p->ri->id, g->ri->go_version, g->ri->mode, g->ri->flags,
				    p->ri->go_version, p->ri->mode, p->ri->flags);
				bad = 1;
			} else if (p->k == ss->p[j - 1].k) {
				msg_error("merge: %s: shard %s is duplicated: %s run %lld and %s run %lld",
				    name.buf, p->ri->shard, ss->p[j - 1].db,
				    (long long)ss->p[j - 1].ri->id, p->db, (long long)p->ri->id);
				bad = 1;
			}
		}
		if (bad) {
			errors++;
			continue;
		}
		sbuf_reset(&have);
		for (j = i; j < e; j++)
			sbuf_addf(&have, "%s%s", j > i ? ", " : "", ss->p[j].ri->shard);
		for (k = 1, j = i; k <= g->n; k++) {
			if (j < e && ss->p[j].k == k) {
				j++;
				continue;
			}
			msg_error("merge: %s: shard %d/%d is missing (have %s)", name.buf, k, g->n, have.buf);
			bad = 1;
		}
		errors += bad;
	}
	sbuf_release(&name);
	sbuf_release(&have);
	return errors;
}

int
shards_merge(struct shardset *ss, struct store *dst)
{
	struct sbuf name = SBUF_INIT, input = SBUF_INIT, shard = SBUF_INIT;
	struct store **srcs = NULL;
	const struct run_info **ris = NULL;
	int64_t *drop = NULL, id, old;
	struct run_meta m;
	size_t i, j, e, nd;
	int rc = EXIT_OK;

	if (!ss->sorted && ss->n > 1)
		qsort(ss->p, ss->n, sizeof(*ss->p), part_cmp);
	for (i = 0; i < ss->n && rc == EXIT_OK; i = e) {
		const struct part *g = &ss->p[i];

		e = group_end(ss, i);
		group_name(g, &name);
		if ((old = merged_in(dst, g)) != 0) {
			fprintf(stderr, "escdb: merge: %s: already merged as run %lld; %zu shard run%s "
			    "not merged again\n", name.buf, (long long)old, e - i, e - i == 1 ? "" : "s");
			continue;
		}
		srcs = xreallocarray(srcs, e - i, sizeof(*srcs));
		ris = xreallocarray(ris, e - i, sizeof(*ris));
		drop = xreallocarray(drop, e - i, sizeof(*drop));
		sbuf_reset(&input);
		sbuf_reset(&shard);
		nd = 0;
		for (j = i; j < e; j++) {
			srcs[j - i] = ss->p[j].st;
			ris[j - i] = ss->p[j].ri;
			if (ss->p[j].is_dst)
				drop[nd++] = ss->p[j].ri->id;
			if (ss->p[j].ri->input[0])
				sbuf_addf(&input, "%s%s", input.len ? "; " : "", ss->p[j].ri->input);
		}
		merge_meta(g->ri, &m);
		sbuf_addf(&shard, "*/%d", g->n);
		m.shard = shard.buf;
		m.input = input.buf ? input.buf : "";
		for (j = i; j < e; j++)
			m.partial |= ss->p[j].ri->partial;
		if (merge_copy_runs(dst, &m, srcs, ris, e - i, drop, nd, &id) != STORE_OK) {
			msg_error("merge: %s: %s", name.buf, store_errmsg(dst));
			rc = EXIT_INTERNAL;
			break;
		}
		fprintf(stderr, "escdb: merge: %s: shards 1/%d to %d/%d merged into run %lld\n",
		    name.buf, g->n, g->n, g->n, (long long)id);
	}
	free(srcs);
	free(ris);
	free(drop);
	sbuf_release(&name);
	sbuf_release(&input);
	sbuf_release(&shard);
	return rc;
}
