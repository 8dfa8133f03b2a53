/*
 * run_graph: what escdb run learns from its go build itself instead of
 * from more go commands.  go build -debug-actiongraph=FILE writes the
 * build's action graph as JSON (Go 1.10 and later; read here from 1.21):
 * the packages the patterns matched (the dependencies of the "go build"
 * root action), each package's compile ("build") action with its action
 * id, and the commands the action ran, none when its result and output
 * came from the build cache.  From it:
 *  - the package list, without go list: a package's directory follows from
 *    GOROOT (standard library) or from the main module's root and path;
 *    when one does not, go list is asked after all;
 *  - which packages that printed nothing need no second build: the
 *    compiler ran in this build (its output, empty, was not replayed), or
 *    the package is built in (unsafe), or a build with the same action id
 *    was found silent before, by a compile or by the second build (which
 *    run trusts as it stores the package).  Those are kept one action id
 *    a line in the silent list of escdb's cache directory ($ESCDB_CACHE,
 *    else $XDG_CACHE_HOME/escdb, else $HOME/.cache/escdb; ESCDB_CACHE=off
 *    keeps none).  An action id names every input of the compile, so the
 *    same id cannot print something later.
 * Callers: run.c and run_go.c.
 */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/htab.h"
#include "run_int.h"

/* The silent list is rewritten with its newer half past this size. */
#define SILENT_MAX (1 << 20)
#define SILENT_FILE "silent-v1"

/* ---- files ---- */

static int
is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* ---- the main module ---- */

/* The module path of go.mod text: the word after "module", quoted or
 * not; NULL when there is none. */
static char *
module_path(const char *text)
{
	const char *p = text, *e, *c;

	while (*p) {
		p += strspn(p, " \t\r\n");
		if (strncmp(p, "module", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
			p += 6;
			p += strspn(p, " \t");
			if (*p == '"' || *p == '`') {
				char q = *p++;
				if ((e = strchr(p, q)) == NULL)
					return NULL;
			} else {
				e = p + strcspn(p, " \t\r\n");
				/* "//" begins a comment; no path holds it */
				for (c = p; c + 1 < e; c++)
					if (c[0] == '/' && c[1] == '/') {
						e = c;
						break;
					}
			}
			return e > p ? xstrndup(p, (size_t)(e - p)) : NULL;
		}
		p += strcspn(p, "\n");
	}
	return NULL;
}

int
run_graph_usable(struct run *r)
{
	struct sbuf gm = SBUF_INIT;
	size_t n;

	if (run_go_minor(r->goversion) < 21)
		return 0;
	/* workspaces list modules of their own; GOPATH mode has none */
	if (r->gowork[0] != '\0' && strcmp(r->gowork, "off") != 0)
		return 0;
	if (r->gomod[0] == '\0')
		return 0;
	if (strcmp(r->gomod, "/dev/null") != 0 && sbuf_read_file(&gm, r->gomod) == 0) {
		r->modpath = module_path(gm.buf ? gm.buf : "");
		n = strlen(r->gomod);
		while (n > 0 && r->gomod[n - 1] != '/')
			n--;
		if (r->modpath != NULL && n > 1)
			r->modroot = xstrndup(r->gomod, n - 1);
		else {
			free(r->modpath);
			r->modpath = NULL;
		}
	}
	sbuf_release(&gm);
	return 1;
}

/* Whether a directory between the main module's root (excluded) and dir
 * (included) holds a go.mod: dir then belongs to a nested module, which
 * the build may well take from the module cache instead. */
static int
nested_module(const struct run *r, const char *dir)
{
	struct sbuf sb = SBUF_INIT;
	size_t root = strlen(r->modroot), end = strlen(dir);
	struct stat st;
	int found = 0;

	while (!found && end > root) {
		sbuf_reset(&sb);
		sbuf_add(&sb, dir, end);
		sbuf_adds(&sb, "/go.mod");
		found = stat(sb.buf, &st) == 0;
		while (end > root && dir[end - 1] != '/')
			end--;
		if (end > root)
			end--;          /* the slash */
	}
	sbuf_release(&sb);
	return found;
}

/* A package's directory as go list gives it, when it follows from GOROOT
 * or the main module (and no nested module's go.mod is on the way); else
 * NULL.  Caller frees. */
static char *
guess_dir(const struct run *r, const char *path)
{
	struct sbuf sb = SBUF_INIT;
	size_t n = r->modpath ? strlen(r->modpath) : 0;
	size_t first = strcspn(path, "/");

	if (n > 0 && strncmp(path, r->modpath, n) == 0 && (path[n] == '\0' || path[n] == '/')) {
		sbuf_addf(&sb, "%s%s", r->modroot, path + n);
		if (nested_module(r, sb.buf)) {
			sbuf_release(&sb);
			return NULL;
		}
	} else if (memchr(path, '.', first) == NULL && r->goroot[0] != '\0' &&
	    strcmp(path, "command-line-arguments") != 0 && path[0] != '\0')
		sbuf_addf(&sb, "%s/src/%s", r->goroot, path);
	else
		return NULL;
	if (!is_dir(sb.buf)) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

const char *
run_graph_dir(struct run *r, const char *path)
{
	size_t n = strlen(path);
	uint64_t h = htab_hash(path, n, 0x9d1);
	struct htent *e = htab_get(&r->guesses, h, path, n);

	if (e == NULL) {
		char *k = xstrdup(path);
		e = htab_find(&r->guesses, h, k, n, 1);
		e->v.p = guess_dir(r, path);
	}
	return e->v.p;
}

/* ---- the action graph ---- */

/* Whether an action ran the compiler: one of its commands is a compile. */
static int
ran_compiler(const cJSON *a)
{
	const cJSON *c, *cmd = cJSON_GetObjectItemCaseSensitive(a, "Cmd");

	cJSON_ArrayForEach(c, cmd) {
		const char *s = cJSON_GetStringValue(c), *e;
		if (s == NULL)
			continue;
		e = s + strcspn(s, " ");
		if (e - s >= 7 && memcmp(e - 7, "compile", 7) == 0 &&
		    (e - s == 7 || e[-8] == '/'))
			return 1;
	}
	return 0;
}

static const char *
str_item(const cJSON *a, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, name));

	return s ? s : "";
}

static void
graph_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->ngraph; i++) {
		free(r->graph[i].path);
		free(r->graph[i].actionid);
	}
	free(r->graph);
	r->graph = NULL;
	r->ngraph = 0;
}

static int
gpkg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gpkg *)a)->path, ((const struct gpkg *)b)->path);
}

static struct gpkg *
graph_find(struct run *r, const char *path)
{
	struct gpkg key;

	memset(&key, 0, sizeof(key));
	key.path = (char *)path;
	return r->ngraph ? bsearch(&key, r->graph, r->ngraph, sizeof(*r->graph), gpkg_cmp) : NULL;
}

/*
 * Reads the graph of the first build into r->graph: the packages named,
 * sorted, with their compile action.  -1 when the file is missing or not
 * the graph escdb knows (r->graph is then empty).
 */
static int
graph_load(struct run *r)
{
	struct sbuf js = SBUF_INIT;
	cJSON *doc = NULL, *a, *root = NULL, *d;
	int n, i, rc = -1;
	size_t cap = 0;

	/* once per build: the file is gone once read */
	if (r->graph_loaded)
		return r->ngraph > 0 ? 0 : -1;
	r->graph_loaded = 1;
	graph_free(r);
	if (sbuf_read_file(&js, r->graph_path) < 0 || js.buf == NULL ||
	    (doc = cJSON_ParseWithLength(js.buf, js.len)) == NULL || !cJSON_IsArray(doc))
		goto out;
	n = cJSON_GetArraySize(doc);
	cJSON_ArrayForEach(a, doc)
		if (strcmp(str_item(a, "Mode"), "go build") == 0)
			root = a;
	if (root == NULL)
		goto out;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(root, "Deps")) {
		const char *path;
		struct gpkg *g;

		if (!cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble >= n)
			goto out;
		a = cJSON_GetArrayItem(doc, (int)d->valuedouble);
		path = str_item(a, "Package");
		if (*path == '\0')
			goto out;
		if (r->ngraph == cap) {
			cap = cap ? cap * 2 : 64;
			r->graph = xreallocarray(r->graph, cap, sizeof(*r->graph));
		}
		g = &r->graph[r->ngraph++];
		memset(g, 0, sizeof(*g));
		g->path = xstrdup(path);
		g->builtin = strcmp(str_item(a, "Mode"), "built-in package") == 0;
	}
	if (r->ngraph == 0)
		goto out;
	qsort(r->graph, r->ngraph, sizeof(*r->graph), gpkg_cmp);
	for (i = 1; (size_t)i < r->ngraph; i++)
		if (strcmp(r->graph[i - 1].path, r->graph[i].path) == 0)
			goto out;
	/* each named package's compile action */
	cJSON_ArrayForEach(a, doc) {
		struct gpkg *g;
		if (strcmp(str_item(a, "Mode"), "build") != 0 ||
		    (g = graph_find(r, str_item(a, "Package"))) == NULL || g->actionid != NULL)
			continue;
		if (*str_item(a, "ActionID") != '\0')
			g->actionid = xstrdup(str_item(a, "ActionID"));
		g->compiled = ran_compiler(a);
	}
	rc = 0;
out:
	if (rc < 0)
		graph_free(r);
	cJSON_Delete(doc);
	sbuf_release(&js);
	unlink(r->graph_path);  /* read: a kill from here leaves nothing */
	return rc;
}

/* ---- the silent list ---- */

char *
run_cache_dir(void)
{
	const char *e = getenv("ESCDB_CACHE"), *x;
	struct sbuf sb = SBUF_INIT;

	if (e != NULL && *e != '\0') {
		if (strcmp(e, "off") == 0)
			return NULL;
		return xstrdup(e);
	}
	if ((x = getenv("XDG_CACHE_HOME")) != NULL && x[0] == '/')
		sbuf_addf(&sb, "%s/escdb", x);
	else if ((x = getenv("HOME")) != NULL && x[0] == '/')
		sbuf_addf(&sb, "%s/.cache/escdb", x);
	else
		return NULL;
	return sbuf_detach(&sb);
}

static int
is_actionid(const char *s, size_t n)
{
	size_t i;

	if (n < 16 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* Loads the silent list once into r->silent (a set of action ids); a
 * missing, unreadable or damaged list is an empty one. */
static void
silent_load(struct run *r)
{
	struct sbuf sb = SBUF_INIT;
	char *dir, *p, *nl;

	if (r->silent_loaded)
		return;
	r->silent_loaded = 1;
	if ((dir = run_cache_dir()) == NULL)
		return;
	sbuf_addf(&sb, "%s/" SILENT_FILE, dir);
	r->silent_path = sbuf_detach(&sb);
	free(dir);
	if (sbuf_read_file(&sb, r->silent_path) < 0 || sb.buf == NULL) {
		sbuf_release(&sb);
		return;
	}
	for (p = sb.buf; *p; p = nl) {
		size_t n;
		if ((nl = strchr(p, '\n')) == NULL)
			break;          /* a line cut short by a crash */
		n = (size_t)(nl - p);
		nl++;
		if (is_actionid(p, n)) {
			char *k = xstrndup(p, n);
			struct htent *e = htab_find(&r->silent, htab_hash(k, n, 0x51e), k, n, 1);
			if (e->v.u)
				free(k);        /* listed twice */
			else
				e->v.u = 1;
		}
	}
	sbuf_release(&sb);
}

static int
silent_known(struct run *r, const char *id)
{
	size_t n = strlen(id);

	silent_load(r);
	return htab_get(&r->silent, htab_hash(id, n, 0x51e), id, n) != NULL;
}

/* Adds ids (NUL-separated in add) to the silent list: best effort, a
 * cache.  A list grown past SILENT_MAX keeps its newer half. */
static void
silent_append(struct run *r, const struct sbuf *add)
{
	struct sbuf all = SBUF_INIT;
	const char *keep;
	struct stat sb;
	int fd;

	if (add->len == 0 || r->silent_path == NULL)
		return;
	mkdir_parents(r->silent_path);
	if ((fd = open(r->silent_path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666)) < 0)
		return;
	/* after a line cut short, on a line of its own */
	if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
		char last = '\n';
		if (pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n')
			(void)!write(fd, "\n", 1);
	}
	if (write(fd, add->buf, add->len) != (ssize_t)add->len || fstat(fd, &sb) < 0 ||
	    sb.st_size <= SILENT_MAX) {
		close(fd);
		return;
	}
	close(fd);
	/* the newer half, from a line's start */
	if (sbuf_read_file(&all, r->silent_path) == 0 && all.len > SILENT_MAX / 2 &&
	    (keep = strchr(all.buf + all.len - SILENT_MAX / 2, '\n')) != NULL) {
		keep++;
		(void)replace_file(r->silent_path, keep, all.len - (size_t)(keep - all.buf));
	}
	sbuf_release(&all);
}

/* ---- what run asks ---- */

int
run_graph_packages(struct run *r, char **pats, int npats)
{
	size_t i;
	int guessed = 1;

	if (r->npkgs > 0)
		return EXIT_OK;
	if (graph_load(r) == 0) {
		for (i = 0; i < r->ngraph && guessed; i++)
			guessed = run_graph_dir(r, r->graph[i].path) != NULL;
		if (guessed) {
			r->pkgs = xcalloc(r->ngraph, sizeof(*r->pkgs));
			for (i = 0; i < r->ngraph; i++) {
				struct pkg *p = &r->pkgs[i];
				p->path = xstrdup(r->graph[i].path);
				p->dir = xstrdup(run_graph_dir(r, p->path));
				p->moddir = xstrdup(r->modroot && strncmp(p->dir, r->modroot,
				    strlen(r->modroot)) == 0 ? r->modroot : "");
				p->built = 1;
			}
			r->npkgs = r->ngraph;
			return EXIT_OK;
		}
	}
	/* not from the graph: as go list says */
	return pats == NULL ? RUN_RETRY : run_list_packages(r, pats, npats);
}

int
run_silent_ok(struct run *r, const char *path)
{
	struct gpkg *g = graph_find(r, path);

	if (g == NULL)
		return 0;
	if (g->builtin || (g->actionid != NULL && g->compiled))
		return 1;
	return g->actionid != NULL && silent_known(r, g->actionid);
}

void
run_silent_asked(struct run *r, const char *path)
{
	struct gpkg *g = graph_find(r, path);

	if (g != NULL)
		g->asked = 1;
}

void
run_silent_record(struct run *r, const char *still)
{
	struct sbuf add = SBUF_INIT;
	const char *p, *nl;

	for (p = still; p && *p; p = nl + 1) {
		struct gpkg *g;
		char *path;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		path = xstrndup(p, (size_t)(nl - p));
		g = graph_find(r, path);
		free(path);
		if (g == NULL || g->builtin || g->actionid == NULL ||
		    !(g->compiled || g->asked) || silent_known(r, g->actionid))
			continue;
		sbuf_addf(&add, "%s\n", g->actionid);
	}
	silent_append(r, &add);
	sbuf_release(&add);
}

void
run_graph_release(struct run *r)
{
	size_t i;

	graph_free(r);
	for (i = 0; i < r->guesses.cap; i++)
		if (r->guesses.t[i].k) {
			free((void *)r->guesses.t[i].k);
			free(r->guesses.t[i].v.p);
		}
	free(r->guesses.t);
	for (i = 0; i < r->silent.cap; i++)
		free((void *)r->silent.t[i].k);
	free(r->silent.t);
	if (r->graph_path != NULL)
		unlink(r->graph_path);
	free(r->graph_path);
	free(r->silent_path);
	free(r->modpath);
	free(r->modroot);
}
