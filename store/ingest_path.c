/*
 * ingest_path.c: file names as stored (relative to the package directory,
 * GOROOT and the module cache inferred) and the Go source scanned for the
 * enclosing functions.  See ingest.c.
 */
#include "ingest_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../parser/funcscan.h"
#include "cause.h"

/* ---- paths ---- */

/* Cleans a path lexically: backslashes to '/', "." and ".." resolved
 * where possible, no trailing '/'.  Returns malloc'd text. */
char *
path_clean(const char *p)
{
	size_t n = strlen(p), i, o = 0;
	char *s = xstrdup(p), *out = xmalloc(n + 2);
	int abs;
	char *tok, *save = NULL;
	size_t *stack = xmalloc((n + 2) * sizeof(*stack)), sp = 0, ups = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '\\')
			s[i] = '/';
	abs = s[0] == '/';
	if (abs)
		out[o++] = '/';
	for (tok = strtok_r(s, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (sp > 0) {
				o = stack[--sp];
				continue;
			}
			if (abs)
				continue;
			ups++;
		}
		stack[sp] = o;
		if (strcmp(tok, "..") != 0)
			sp++;
		if (o > 0 && out[o - 1] != '/')
			out[o++] = '/';
		memcpy(out + o, tok, strlen(tok));
		o += strlen(tok);
	}
	(void)ups;
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	free(s);
	free(stack);
	return out;
}

/* An absolute, clean form of a printed path (relative to cwd). */
char *
path_abs(const struct ingest *in, const char *raw)
{
	char *j, *c;

	if (raw[0] == '/' || (raw[0] && raw[1] == ':'))
		return path_clean(raw);
	if (strncmp(raw, "$GOROOT/", 8) == 0 && in->goroot) {
		j = xmalloc(strlen(in->goroot) + strlen(raw));
		sprintf(j, "%s/%s", in->goroot, raw + 8);
	} else if (strncmp(raw, "$GOMODCACHE/", 12) == 0 && in->gomodcache) {
		j = xmalloc(strlen(in->gomodcache) + strlen(raw));
		sprintf(j, "%s/%s", in->gomodcache, raw + 12);
	} else if (raw[0] == '$') {
		return path_clean(raw);
	} else {
		j = xmalloc(strlen(in->cwd) + strlen(raw) + 2);
		sprintf(j, "%s/%s", in->cwd, raw);
	}
	c = path_clean(j);
	free(j);
	return c;
}

static int
has_prefix_dir(const char *p, const char *dir, const char **rest)
{
	size_t n = strlen(dir);

	if (n == 0 || strncmp(p, dir, n) != 0 || (p[n] != '/' && !(n == 1 && dir[0] == '/')))
		return 0;
	*rest = p + n + (p[n] == '/');
	return 1;
}

/* GOROOT inferred from a standard-library package: DIR ends in /src/PKG. */
void
infer_goroot(struct ingest *in, const char *pkg, const char *dir)
{
	size_t dn = strlen(dir), pn = strlen(pkg);
	const char *slash;

	if (in->goroot || pn == 0 || strchr(pkg, '.') != NULL || dn < pn + 5)
		return;
	slash = strchr(pkg, '/');
	(void)slash;
	if (strcmp(dir + dn - pn, pkg) != 0 || dir[dn - pn - 1] != '/' ||
	    strncmp(dir + dn - pn - 5, "/src/", 5) != 0)
		return;
	in->goroot = xstrndup(dir, dn - pn - 5);
}

/* The stored name of a file: relative to the package directory, else
 * $GOROOT/..., $GOMODCACHE/..., module-relative, or as printed. */
static char *
file_name(struct ingest *in, const char *raw)
{
	const char *rest;
	char *abs, *out;
	const char *tc;

	if (raw[0] == '<' || raw[0] == '\0')
		return xstrdup(raw);
	if (strncmp(raw, "$GOROOT/", 8) == 0 || strncmp(raw, "$GOMODCACHE/", 12) == 0)
		return path_clean(raw);
	abs = path_abs(in, raw);
	if (in->pkgdir && has_prefix_dir(abs, in->pkgdir, &rest)) {
		out = xstrdup(rest);
	} else if ((tc = strstr(abs, "/golang.org/toolchain@")) != NULL &&
	    (rest = strstr(tc, "/src/")) != NULL) {
		out = xmalloc(strlen(rest) + 16);
		sprintf(out, "$GOROOT%s", rest);
	} else if (in->goroot && has_prefix_dir(abs, in->goroot, &rest)) {
		out = xmalloc(strlen(rest) + 16);
		sprintf(out, "$GOROOT/%s", rest);
	} else if (in->gomodcache && has_prefix_dir(abs, in->gomodcache, &rest)) {
		out = xmalloc(strlen(rest) + 16);
		sprintf(out, "$GOMODCACHE/%s", rest);
	} else if ((tc = strstr(abs, "/pkg/mod/")) != NULL) {
		out = xmalloc(strlen(tc) + 16);
		sprintf(out, "$GOMODCACHE/%s", tc + 9);
	} else if (in->modroot && has_prefix_dir(abs, in->modroot, &rest)) {
		out = xstrdup(rest);
	} else if (has_prefix_dir(abs, in->cwd, &rest)) {
		out = xstrdup(rest);
	} else {
		out = xstrdup(abs);
	}
	free(abs);
	return out;
}

const char *
file_cached(struct ingest *in, const char *raw)
{
	struct htent *e = strmap_find(&in->files, raw, strlen(raw), 1);

	if (e->v.p == NULL)
		e->v.p = file_name(in, raw);
	return e->v.p;
}

/* ---- functions from source ---- */

static struct funcscan *scanner_lookup(struct ingest *in, const char *raw);

struct funcscan *
scanner_for(struct ingest *in, const char *raw)
{
	if (raw[0] == '<' || raw[0] == '\0')
		return NULL;
	/* consecutive findings are mostly in one file */
	if (in->last_raw == NULL || strcmp(in->last_raw, raw) != 0) {
		free(in->last_raw);
		in->last_raw = xstrdup(raw);
		in->last_fs = scanner_lookup(in, raw);
	}
	/* after the look-up, which hashed what it read for the cache */
	cache_note_source(in, raw);
	return in->last_fs;
}

static struct funcscan *
scanner_lookup(struct ingest *in, const char *raw)
{
	char *abs, *buf;
	size_t i, n, victim = 0;
	struct scanned *s;
	int state;

	abs = path_abs(in, raw);
	for (i = 0; i < SCAN_CACHE; i++) {
		if (in->scan[i].path && strcmp(in->scan[i].path, abs) == 0) {
			in->scan[i].used = ++in->scan_tick;
			free(abs);
			return in->scan[i].fs;
		}
		if (in->scan[i].used < in->scan[victim].used)
			victim = i;
	}
	s = &in->scan[victim];
	free(s->path);
	if (s->fs)
		funcscan_free(s->fs);
	s->path = abs;
	s->fs = NULL;
	s->used = ++in->scan_tick;
	state = source_read(abs, &buf, &n);
	cache_source_read(in, abs, state, buf, n);
	if (state == SRC_READ)
		s->fs = funcscan_new(buf, n);
	free(buf);
	return s->fs;
}

int
source_read(const char *abs, char **buf, size_t *n)
{
	FILE *fp = fopen(abs, "rb");
	struct stat sb;
	int state = SRC_SKIPPED;

	*buf = NULL;
	*n = 0;
	if (fp == NULL)
		return SRC_MISSING;
	if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (uint64_t)sb.st_size <= MAX_SOURCE) {
		*buf = xmalloc((size_t)sb.st_size + 1);
		*n = fread(*buf, 1, (size_t)sb.st_size, fp);
		state = SRC_READ;
	}
	fclose(fp);
	return state;
}
