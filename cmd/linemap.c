/* linemap: see linemap.h */
#include "linemap.h"

#include <stdlib.h>
#include <string.h>

#include "gotool.h"

struct hunk {
	int old_start, old_count, new_count;
};

struct lfile {
	char *path;
	struct hunk *h;
	size_t n, cap;
};

struct linemap {
	char *dir, *base, *head;        /* the runs' commits as stored */
	int loaded;                     /* 1 read, -1 unknown */
	struct lfile *f;
	size_t nf, capf, last;
};

/* "-a,b" or "+c,d" at *p: start and count (1 when omitted). */
static int
range(const char **p, char sign, int *start, int *count)
{
	char *end;
	long v;

	if (**p != sign)
		return -1;
	v = strtol(*p + 1, &end, 10);
	if (end == *p + 1 || v < 0)
		return -1;
	*start = (int)v;
	*count = 1;
	if (*end == ',') {
		const char *c = end + 1;
		v = strtol(c, &end, 10);
		if (end == c || v < 0)
			return -1;
		*count = (int)v;
	}
	*p = end;
	return 0;
}

static void
parse(struct linemap *lm, char *out)
{
	char *line, *next;
	struct lfile *cur = NULL;

	for (line = out; line != NULL && *line; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strncmp(line, "+++ ", 4) == 0) {
			cur = NULL;
			if (strncmp(line + 4, "b/", 2) != 0)
				continue;       /* +++ /dev/null: deleted */
			if (lm->nf == lm->capf) {
				lm->capf = lm->capf ? 2 * lm->capf : 16;
				lm->f = xreallocarray(lm->f, lm->capf, sizeof(*lm->f));
			}
			cur = &lm->f[lm->nf++];
			memset(cur, 0, sizeof(*cur));
			cur->path = xstrdup(line + 6);
		} else if (cur != NULL && strncmp(line, "@@ ", 3) == 0) {
			const char *p = line + 3;
			struct hunk hk;
			int ns;

			if (range(&p, '-', &hk.old_start, &hk.old_count) < 0 || *p++ != ' ' ||
			    range(&p, '+', &ns, &hk.new_count) < 0)
				continue;
			if (cur->n == cur->cap) {
				cur->cap = cur->cap ? 2 * cur->cap : 8;
				cur->h = xreallocarray(cur->h, cur->cap, sizeof(*cur->h));
			}
			cur->h[cur->n++] = hk;
		}
	}
}

static void
load(struct linemap *lm)
{
	char *bs, *hs, *cur, *out;

	lm->loaded = -1;
	bs = gotool_git_commit(lm->dir, lm->base);
	hs = gotool_git_commit(lm->dir, lm->head);
	cur = gotool_git_commit(lm->dir, "HEAD");
	if (bs == NULL || hs == NULL)
		out = NULL;
	else if (cur != NULL && strcmp(cur, hs) == 0)
		/* HEAD's run built from the checked-out commit: its files
		 * are the work tree's, edits not committed included */
		out = gotool_git(lm->dir, "diff", "-U0", "--no-renames", "--no-color",
		    "--no-ext-diff", bs, "--", "*.go", (const char *)NULL);
	else
		out = gotool_git(lm->dir, "diff", "-U0", "--no-renames", "--no-color",
		    "--no-ext-diff", bs, hs, "--", "*.go", (const char *)NULL);
	free(bs);
	free(hs);
	free(cur);
	if (out == NULL)
		return;
	parse(lm, out);
	free(out);
	lm->loaded = 1;
}

int
linemap_get(void *ctx, const char *path, int line)
{
	struct linemap *lm = ctx;
	const struct lfile *f = NULL;
	int off = 0;
	size_t i;

	if (lm == NULL)
		return -1;
	if (lm->loaded == 0)
		load(lm);
	if (lm->loaded < 0 || line <= 0)
		return -1;
	if (lm->last < lm->nf && strcmp(lm->f[lm->last].path, path) == 0)
		f = &lm->f[lm->last];
	for (i = 0; f == NULL && i < lm->nf; i++)
		if (strcmp(lm->f[i].path, path) == 0) {
			f = &lm->f[i];
			lm->last = i;
		}
	if (f == NULL)
		return line;            /* a file the change did not touch */
	for (i = 0; i < f->n; i++) {
		const struct hunk *h = &f->h[i];

		if (h->old_count == 0) {
			/* lines added after old_start */
			if (line <= h->old_start)
				break;
		} else {
			if (line < h->old_start)
				break;
			if (line < h->old_start + h->old_count)
				return 0;       /* changed or removed */
		}
		off += h->new_count - h->old_count;
	}
	return line + off;
}

struct linemap *
linemap_new(const struct run_info *b, const struct run_info *h)
{
	struct linemap *lm;
	const char *dir = h->dir && h->dir[0] ? h->dir : b->dir;

	if (dir == NULL || dir[0] == '\0' || b->commit == NULL || b->commit[0] == '\0' ||
	    h->commit == NULL || h->commit[0] == '\0' || b->commit[0] == '-' || h->commit[0] == '-')
		return NULL;
	/* git runs only when a group needs it (linemap_get) */
	lm = xcalloc(1, sizeof(*lm));
	lm->dir = xstrdup(dir);
	lm->base = xstrdup(b->commit);
	lm->head = xstrdup(h->commit);
	return lm;
}

void
linemap_free(struct linemap *lm)
{
	size_t i;

	if (lm == NULL)
		return;
	for (i = 0; i < lm->nf; i++) {
		free(lm->f[i].path);
		free(lm->f[i].h);
	}
	free(lm->f);
	free(lm->dir);
	free(lm->base);
	free(lm->head);
	free(lm);
}
