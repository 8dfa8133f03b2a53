/*
 * logopt: see logopt.h.  The compiler writes, per escaping location, one
 * record with code "escape" (or "escapes" for an address flowing straight
 * into the heap) whose message is "X escapes to heap" and whose
 * relatedInformation is the -m=2 explanation ("escflow:    flow: D ← S:",
 * "escflow:      from EXPR (REASON)"); per parameter leak one record
 * "leak", "parameter X leaks to D with derefs=N"; and per heap-allocated
 * expression (not for named variables) one "escape" record with an empty
 * message.  So an explained location with no empty record at its position
 * is a named variable: the text form's "moved to heap: X".
 */
#include "logopt.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "../lib/util.h"
#include "logopt_int.h"

/* ---- files ---- */

static char *
read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char tmp[65536];
	size_t n;

	if (fp == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0) {
		if (sb.len + n > MAX_FILE)
			break;
		sbuf_add(&sb, tmp, n);
	}
	fclose(fp);
	sbuf_addc(&sb, '\0');
	*len = sb.len - 1;
	return sbuf_detach(&sb);
}

static const char *
json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
read_json_file(struct lopkg *p, const char *path, const char *base)
{
	size_t len, off = 0;
	char *buf = read_all(path, &len);
	unsigned long line = 0;
	const char *file = NULL;
	int seen_first = 0;

	free(p->curpath);
	p->curpath = xstrdup(path);
	if (p->input)
		p->input(p->sink->ctx, p->curpath);
	if (buf == NULL) {
		lo_warnf(p, 0, "cannot read logopt file: %s", strerror(errno));
		return;
	}
	while (off < len && !p->stopped) {
		char *s = buf + off, *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;
		cJSON *j;

		off += n + (nl != NULL);
		line++;
		(*p->lines)++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		{
			size_t k = 0;
			while (k < n && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k == n) {
				p->counts[LC_BLANK]++;
				continue;
			}
		}
		j = cJSON_ParseWithLength(s, n);
		if (j == NULL || !cJSON_IsObject(j)) {
			lo_warnf(p, line, "malformed logopt line (not a JSON object); kept verbatim", NULL);
			lo_keep(p, LC_UNRECOGNISED, line, s, n);
			if (!seen_first) {
				seen_first = 1;
				lo_warnf(p, line, "missing logopt header; file name taken from %s", base);
			}
			cJSON_Delete(j);
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(j, "version") != NULL &&
		    cJSON_GetObjectItemCaseSensitive(j, "range") == NULL) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version");
			const char *pk = json_str(j, "package"), *f = json_str(j, "file");
			p->counts[LC_HEADER]++;
			if (!cJSON_IsNumber(v) || v->valuedouble != 0)
				lo_warnf(p, line, "logopt version is not 0; read as version 0", NULL);
			if (pk && *pk) {
				if (p->name && strcmp(p->name, pk) != 0)
					lo_warnf(p, line, "logopt header names another package (%s)", pk);
				else if (p->name == NULL)
					p->name = lo_astr(p, pk, strlen(pk));
			}
			if (f && *f)
				file = lo_astr(p, f, strlen(f));
			else
				lo_warnf(p, line, "logopt header has no file; file name taken from %s", base);
			seen_first = 1;
			cJSON_Delete(j);
			continue;
		}
		if (!seen_first) {
			seen_first = 1;
			lo_warnf(p, line, "missing logopt header; file name taken from %s", base);
		}
		if (file == NULL) {
			/* the escflow locations name the file; else FILE.json */
			const cJSON *rel = cJSON_GetObjectItemCaseSensitive(j, "relatedInformation");
			const cJSON *r0 = cJSON_GetArrayItem(rel, 0);
			const cJSON *loc = cJSON_GetObjectItemCaseSensitive(r0, "location");
			const char *uri = json_str(loc, "uri");
			if (uri)
				file = lo_uri_path(p, uri);
			else {
				size_t bn = strlen(base);
				char *t = arena_strndup(&p->arena, base, bn);
				if (bn > 5 && strcmp(t + bn - 5, ".json") == 0)
					strcpy(t + bn - 5, ".go");
				file = lo_unescape(t);
			}
		}
		lo_diagnostic(p, j, file, line, s, n);
		cJSON_Delete(j);
	}
	if (line == 0)
		lo_warnf(p, 0, "empty logopt file (missing logopt header)", NULL);
	free(buf);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entries of a directory (names only); NULL on error. */
static char **
list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n + 1 >= cap) {
			cap = cap ? cap * 2 : 32;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (v == NULL)
		v = xcalloc(1, sizeof(*v));
	qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *
join(const char *a, const char *b)
{
	char *s = xmalloc(strlen(a) + strlen(b) + 2);
	sprintf(s, "%s/%s", a, b);
	return s;
}

static int
is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int
ends_json(const char *s)
{
	size_t n = strlen(s);
	return n > 5 && strcmp(s + n - 5, ".json") == 0;
}

/* Does the first line of a .json file look like logopt output? */
static int
looks_logopt(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char line[8192];
	cJSON *j;
	int yes = 0;

	if (fp == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) && (j = cJSON_Parse(line)) != NULL) {
		yes = cJSON_IsObject(j) &&
		    (cJSON_GetObjectItemCaseSensitive(j, "gc_version") != NULL ||
		    (cJSON_GetObjectItemCaseSensitive(j, "version") != NULL &&
		    cJSON_GetObjectItemCaseSensitive(j, "package") != NULL) ||
		    (cJSON_GetObjectItemCaseSensitive(j, "range") != NULL &&
		    cJSON_GetObjectItemCaseSensitive(j, "code") != NULL));
		cJSON_Delete(j);
	}
	fclose(fp);
	return yes;
}

int
logopt_is_dir(const char *dir)
{
	size_t n, i, m, k;
	char **v = list_dir(dir, &n);
	int yes = 0, other = 0, empty = 0;

	if (v == NULL)
		return 0;
	for (i = 0; i < n && !yes; i++) {
		char *sub = join(dir, v[i]);
		char **w;
		if (!is_dir(sub)) {
			other++;
			free(sub);
			continue;
		}
		if ((w = list_dir(sub, &m)) != NULL) {
			if (m == 0)
				empty++;
			for (k = 0; k < m; k++) {
				char *path = join(sub, w[k]);
				if (ends_json(w[k]) && looks_logopt(path))
					yes = 1;
				else if (!ends_json(w[k]))
					other++;
				free(path);
			}
			free_list(w, m);
		}
		free(sub);
	}
	free_list(v, n);
	/* a build with no escapes at all leaves only empty folders */
	return yes || (empty > 0 && other == 0 && empty == (int)n);
}

int
logopt_probe(const char *dir, struct logopt_info *info)
{
	size_t n, i, m, k;
	char **v = list_dir(dir, &n);
	int found = -1;

	memset(info, 0, sizeof(*info));
	if (v == NULL)
		return -1;
	for (i = 0; i < n && found < 0; i++) {
		char *sub = join(dir, v[i]);
		char **w = list_dir(sub, &m);
		for (k = 0; w && k < m && found < 0; k++) {
			char *path, line[8192];
			FILE *fp;
			cJSON *j;
			if (!ends_json(w[k]))
				continue;
			path = join(sub, w[k]);
			fp = fopen(path, "rb");
			free(path);
			if (fp == NULL)
				continue;
			if (fgets(line, sizeof(line), fp) &&
			    (j = cJSON_Parse(line)) != NULL) {
				const char *s;
				if (cJSON_GetObjectItemCaseSensitive(j, "version") &&
				    cJSON_GetObjectItemCaseSensitive(j, "range") == NULL) {
					if ((s = json_str(j, "gc_version")) != NULL)
						snprintf(info->gc_version, sizeof(info->gc_version), "%s", s);
					if ((s = json_str(j, "goos")) != NULL)
						snprintf(info->goos, sizeof(info->goos), "%s", s);
					if ((s = json_str(j, "goarch")) != NULL)
						snprintf(info->goarch, sizeof(info->goarch), "%s", s);
					found = 0;
				}
				cJSON_Delete(j);
			}
			fclose(fp);
		}
		if (w)
			free_list(w, m);
		free(sub);
	}
	free_list(v, n);
	return found;
}

int
logopt_read_dir(const char *dir, const struct parser_sink *sink,
    void (*input)(void *ctx, const char *path), unsigned long counts[LC_N],
    unsigned long *lines)
{
	struct lopkg p;
	size_t n, i, m, k;
	char **v = list_dir(dir, &n);
	int rc;

	if (v == NULL)
		return -1;
	memset(&p, 0, sizeof(p));
	p.sink = sink;
	p.input = input;
	p.counts = counts;
	p.lines = lines;
	for (i = 0; i < n && !p.stopped; i++) {
		char *sub = join(dir, v[i]);
		char **w;
		if (!is_dir(sub)) {
			free(sub);
			continue;
		}
		w = list_dir(sub, &m);
		for (k = 0; w && k < m && !p.stopped; k++) {
			char *path;
			if (!ends_json(w[k]))
				continue;
			path = join(sub, w[k]);
			read_json_file(&p, path, w[k]);
			free(path);
		}
		if (w)
			free_list(w, m);
		if (p.name == NULL) {
			/* no header: the folder is the escaped import path */
			char *t = arena_strndup(&p.arena, v[i], strlen(v[i]));
			p.name = lo_unescape(t);
		}
		lo_package_flush(&p);
		free(sub);
	}
	free_list(v, n);
	rc = p.stopped;
	free(p.fv);
	free(p.order);
	free(p.vv);
	free(p.rv);
	free(p.bv);
	if (p.input)
		p.input(sink->ctx, dir);
	free(p.curpath);
	arena_release(&p.arena);
	return rc;
}
