/*
 * paths: see paths.h.
 */
#include "paths.h"

#include <stdlib.h>
#include <string.h>

static int
pkgpath_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pkgpath *)a)->pkg, ((const struct pkgpath *)b)->pkg);
}

/* The directory of a package relative to the run's, with a trailing
 * '/', or NULL when it is not inside it. */
static char *
rel_prefix(const char *dir, const char *rundir)
{
	size_t n = strlen(rundir);
	struct sbuf sb = SBUF_INIT;

	if (dir[0] != '/') {
		/* already relative to the run's directory */
		while (dir[0] == '.' && dir[1] == '/')
			dir += 2;
		if (strcmp(dir, ".") == 0 || dir[0] == '\0')
			return xstrdup("");
		if (strncmp(dir, "../", 3) == 0)
			return NULL;
		sbuf_addf(&sb, "%s/", dir);
		return sbuf_detach(&sb);
	}
	while (n > 1 && rundir[n - 1] == '/')
		n--;
	if (n == 0 || strncmp(dir, rundir, n) != 0 || (dir[n] != '\0' && dir[n] != '/'))
		return NULL;
	if (dir[n] == '\0')
		return xstrdup("");
	sbuf_addf(&sb, "%s/", dir + n + 1);
	return sbuf_detach(&sb);
}

int
pkgpaths_load(struct store *st, int64_t run, const char *rundir, struct pkgpaths *pp)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	memset(pp, 0, sizeof(*pp));
	if (sqlite3_prepare_v2(store_db(st), "SELECT str.s, package.dir FROM package "
	    "JOIN str ON str.id = package.name WHERE package.run = ?", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading packages");
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *dir = (const char *)sqlite3_column_text(s, 1);
		char *pre = dir && dir[0] ? rel_prefix(dir, rundir ? rundir : "") : NULL;

		if (pre == NULL) {
			/* outside the run's directory: the import path says where */
			struct sbuf sb = SBUF_INIT;
			sbuf_addf(&sb, "%s/", name ? name : "");
			pre = sbuf_detach(&sb);
		}
		if (pp->n == cap) {
			cap = cap ? cap * 2 : 32;
			pp->v = xreallocarray(pp->v, cap, sizeof(*pp->v));
		}
		pp->v[pp->n].pkg = xstrdup(name ? name : "");
		pp->v[pp->n].prefix = pre;
		pp->n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		pkgpaths_release(pp);
		return store_fail(st, "reading packages");
	}
	if (pp->n)
		qsort(pp->v, pp->n, sizeof(*pp->v), pkgpath_cmp);
	return STORE_OK;
}

void
pkgpaths_release(struct pkgpaths *pp)
{
	size_t i;

	for (i = 0; i < pp->n; i++) {
		free(pp->v[i].pkg);
		free(pp->v[i].prefix);
	}
	free(pp->v);
	memset(pp, 0, sizeof(*pp));
}

const char *
pkgpaths_path(const struct pkgpaths *pp, const char *pkg, const char *file, struct sbuf *out)
{
	struct pkgpath key, *hit = NULL;

	sbuf_reset(out);
	if (file[0] != '\0' && file[0] != '/' && file[0] != '$' && file[0] != '<' &&
	    strchr(file, '/') == NULL && pp->n > 0) {
		memset(&key, 0, sizeof(key));
		key.pkg = (char *)pkg;
		hit = bsearch(&key, pp->v, pp->n, sizeof(*pp->v), pkgpath_cmp);
	}
	if (hit)
		sbuf_adds(out, hit->prefix);
	sbuf_adds(out, file);
	return out->buf ? out->buf : "";
}
