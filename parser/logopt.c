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

#define MAX_FILE (256u << 20)   /* a larger .json file is not read */
#define KEEP_MAX 4096           /* kept verbatim text is cut here */

struct rec {                    /* an explanation record, before matching */
	struct esc_block *b;
	int leak;
	int derefs;
};

struct lopkg {
	struct arena arena;
	const struct parser_sink *sink;
	void (*input)(void *, const char *);
	unsigned long *counts, *lines;
	const char *name;
	struct esc_finding *fv;
	size_t fn, fcap;
	size_t *order;                  /* input order of fv, for sorting */
	struct esc_pos *vv;             /* empty "escape" verdict records */
	size_t vn, vcap;
	struct rec *rv;
	size_t rn, rcap;
	struct esc_block **bv;
	size_t bn, bcap;
	int stopped;
	char *curpath;                  /* the file being read, for input() */
};

static const char *const inline_codes[] = {
	"canInlineFunction", "cannotInlineFunction", "inlineCall",
	"cannotInlineCall", NULL
};
static const char *const bounds_codes[] = {
	"isInBounds", "isSliceInBounds", NULL
};
static const char *const other_codes[] = {
	"nilcheck", "copy", NULL
};

static int
in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

static const char *
astr(struct lopkg *p, const char *s, size_t n)
{
	return arena_strndup(&p->arena, s, n);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX decoding (URL path escaping), in place; returns s. */
static char *
unescape(char *s)
{
	char *o = s, *i = s;

	for (; *i; i++) {
		if (i[0] == '%' && hexval((unsigned char)i[1]) >= 0 &&
		    hexval((unsigned char)i[2]) >= 0) {
			*o++ = (char)(hexval((unsigned char)i[1]) * 16 + hexval((unsigned char)i[2]));
			i += 2;
		} else
			*o++ = *i;
	}
	*o = '\0';
	return s;
}

/* The path of a file:// URI, in the arena. */
static const char *
uri_path(struct lopkg *p, const char *uri)
{
	char *s;

	if (strncmp(uri, "file://", 7) == 0)
		uri += 7;
	s = arena_strndup(&p->arena, uri, strlen(uri));
	unescape(s);
	/* file:///C:/x -> C:/x */
	if (s[0] == '/' && s[1] && s[2] == ':')
		s++;
	return s;
}

static void
warnf(struct lopkg *p, unsigned long line, const char *fmt, const char *arg)
{
	char msg[256];

	if (p->sink->warning == NULL)
		return;
	/* fmt is one of this file's literals, some without %s: the extra
	 * argument is then ignored, which is defined behaviour (issue 7) */
	// cppcheck-suppress wrongPrintfScanfArgNum
	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	p->sink->warning(p->sink->ctx, PW_UNRECOGNISED, line, msg);
}

static void
keep(struct lopkg *p, enum line_class c, unsigned long line, const char *text, size_t n)
{
	p->counts[c]++;
	if (n > KEEP_MAX)
		n = KEEP_MAX;
	if (p->sink->line && !p->stopped) {
		int rc = p->sink->line(p->sink->ctx, c, line, text, n);
		if (rc)
			p->stopped = rc;
	}
}

static int
get_pos(const cJSON *range, const char *file, struct esc_pos *pos)
{
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(range, "start");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(start, "line");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(start, "character");

	if (!cJSON_IsNumber(l) || !(l->valuedouble >= 0 && l->valuedouble <= 1e9))
		return -1;
	pos->file = file;
	pos->line = (int)l->valuedouble;
	pos->col = cJSON_IsNumber(c) && c->valuedouble >= 0 && c->valuedouble <= 1e9 ?
	    (int)c->valuedouble : 0;
	return 0;
}

/* ---- explanation records ---- */

static struct esc_flow *
flow_add(struct lopkg *p, struct esc_flow **fl, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		*fl = xreallocarray(*fl, *cap, sizeof(**fl));
	}
	memset(&(*fl)[*n], 0, sizeof(**fl));
	(void)p;
	return &(*fl)[(*n)++];
}

/* Builds a block from a record's relatedInformation. */
static struct esc_block *
make_block(struct lopkg *p, const struct esc_pos *pos, const char *heading,
    const char *subject, const char *dest, const cJSON *rel, unsigned long line)
{
	struct esc_block *b = arena_alloc(&p->arena, sizeof(*b));
	struct esc_flow *fl = NULL;
	size_t fn = 0, fcap = 0;
	struct esc_step *st = NULL;
	size_t sn = 0, scap = 0;
	const cJSON *r;
	unsigned long nrel = 0;

	memset(b, 0, sizeof(*b));
	b->heading = heading;
	b->subject = subject;
	b->dest = dest;
	b->pos = *pos;
	b->lineno = line;
	cJSON_ArrayForEach(r, rel) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(r, "message");
		const cJSON *loc = cJSON_GetObjectItemCaseSensitive(r, "location");
		const cJSON *uri = cJSON_GetObjectItemCaseSensitive(loc, "uri");
		const char *s, *e;
		struct esc_pos sp;

		if (!cJSON_IsString(m))
			continue;
		s = m->valuestring;
		if (strncmp(s, "escflow:", 8) != 0)
			continue;       /* inlineLoc and the like */
		nrel++;
		s += 8;
		while (*s == ' ')
			s++;
		if (strncmp(s, "flow: ", 6) == 0) {
			const char *sep;
			size_t n, w = 5;
			struct esc_flow *f;
			if (fn > 0) {
				fl[fn - 1].steps = sn ? arena_alloc(&p->arena, sn * sizeof(*st)) : NULL;
				if (sn)
					memcpy(fl[fn - 1].steps, st, sn * sizeof(*st));
				fl[fn - 1].nsteps = sn;
				sn = 0;
			}
			s += 6;
			n = strlen(s);
			if (n > 0 && s[n - 1] == ':')
				n--;
			sep = strstr(s, " \xe2\x86\x90 ");
			if (sep == NULL || (size_t)(sep - s) > n) {
				sep = strstr(s, " = ");
				w = 3;
			}
			f = flow_add(p, &fl, &fn, &fcap);
			if (sep == NULL || (size_t)(sep - s) > n) {
				f->dst = astr(p, s, n);
				f->src = "";
			} else {
				f->dst = astr(p, s, (size_t)(sep - s));
				f->src = astr(p, sep + w, n - (size_t)(sep + w - s));
			}
			continue;
		}
		if (strncmp(s, "from ", 5) != 0 || fn == 0)
			continue;
		s += 5;
		e = strrchr(s, '(');
		if (sn == scap) {
			scap = scap ? scap * 2 : 4;
			st = xreallocarray(st, scap, sizeof(*st));
		}
		memset(&st[sn], 0, sizeof(*st));
		if (e && e > s && e[-1] == ' ' && s[strlen(s) - 1] == ')') {
			st[sn].expr = astr(p, s, (size_t)(e - 1 - s));
			st[sn].reason = astr(p, e + 1, strlen(e + 1) - 1);
		} else {
			st[sn].expr = astr(p, s, strlen(s));
			st[sn].reason = "";
		}
		if (cJSON_IsString(uri) &&
		    get_pos(cJSON_GetObjectItemCaseSensitive(loc, "range"), "", &sp) == 0) {
			sp.file = uri_path(p, uri->valuestring);
			st[sn].pos = sp;
		} else
			st[sn].pos.file = "";
		sn++;
	}
	if (fn > 0) {
		fl[fn - 1].steps = sn ? arena_alloc(&p->arena, sn * sizeof(*st)) : NULL;
		if (sn)
			memcpy(fl[fn - 1].steps, st, sn * sizeof(*st));
		fl[fn - 1].nsteps = sn;
		b->flows = arena_alloc(&p->arena, fn * sizeof(*fl));
		memcpy(b->flows, fl, fn * sizeof(*fl));
		b->nflows = fn;
	}
	free(fl);
	free(st);
	p->counts[LC_EXPLAIN] += 1 + nrel;
	if (p->bn == p->bcap) {
		p->bcap = p->bcap ? p->bcap * 2 : 64;
		p->bv = xreallocarray(p->bv, p->bcap, sizeof(*p->bv));
	}
	p->bv[p->bn++] = b;
	return b;
}

static void
rec_add(struct lopkg *p, struct esc_block *b, int leak, int derefs)
{
	if (p->rn == p->rcap) {
		p->rcap = p->rcap ? p->rcap * 2 : 64;
		p->rv = xreallocarray(p->rv, p->rcap, sizeof(*p->rv));
	}
	p->rv[p->rn].b = b;
	p->rv[p->rn].leak = leak;
	p->rv[p->rn].derefs = derefs;
	p->rn++;
}

/* One diagnostic line. */
static void
diagnostic(struct lopkg *p, const cJSON *d, const char *file, unsigned long line,
    const char *text, size_t len)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(d, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(d, "message");
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(d, "relatedInformation");
	const char *m = cJSON_IsString(msg) ? msg->valuestring : "";
	struct esc_pos pos;
	size_t n = strlen(m);

	if (!cJSON_IsString(code) ||
	    get_pos(cJSON_GetObjectItemCaseSensitive(d, "range"), file, &pos) < 0) {
		warnf(p, line, "malformed logopt diagnostic (no code or range)", NULL);
		keep(p, LC_UNRECOGNISED, line, text, len);
		return;
	}
	if (strcmp(code->valuestring, "escape") == 0 || strcmp(code->valuestring, "escapes") == 0) {
		if (n == 0) {
			if (p->vn == p->vcap) {
				p->vcap = p->vcap ? p->vcap * 2 : 64;
				p->vv = xreallocarray(p->vv, p->vcap, sizeof(*p->vv));
			}
			p->vv[p->vn++] = pos;
			p->counts[LC_FINDING]++;
			return;
		}
		if (n > 16 && strcmp(m + n - 16, " escapes to heap") == 0) {
			const char *subj = astr(p, m, n - 16);
			rec_add(p, make_block(p, &pos, astr(p, m, n), subj, NULL, rel, line), 0, 0);
			return;
		}
	} else if (strcmp(code->valuestring, "leak") == 0) {
		/* parameter X leaks to D with derefs=N */
		/* issue 7 (fuzz_logopt): search after the prefix and require
		 * w after the whole " leaks to ", else the lengths below go
		 * negative ("parameter leaks to with derefs=0") */
		const char *a = n >= 10 ? strstr(m + 10, " leaks to ") : NULL;
		const char *w = strstr(m, " with derefs=");
		if (strncmp(m, "parameter ", 10) == 0 && a && w && w >= a + 10) {
			const char *subj = astr(p, m + 10, (size_t)(a - m - 10));
			const char *dest = astr(p, a + 10, (size_t)(w - a - 10));
			int derefs = atoi(w + 13);
			rec_add(p, make_block(p, &pos, astr(p, m, n), subj, dest, rel, line), 1, derefs);
			return;
		}
	} else if (in_list(inline_codes, code->valuestring)) {
		p->counts[LC_INLINE]++;
		return;
	} else if (in_list(bounds_codes, code->valuestring)) {
		p->counts[LC_BOUNDS]++;
		return;
	} else if (in_list(other_codes, code->valuestring)) {
		p->counts[LC_OTHER_OPT]++;
		return;
	} else {
		warnf(p, line, "unknown logopt code '%s'; kept verbatim", code->valuestring);
		keep(p, LC_UNRECOGNISED, line, text, len);
		return;
	}
	warnf(p, line, "unrecognised logopt %s message; kept verbatim", code->valuestring);
	keep(p, LC_UNRECOGNISED, line, text, len);
}

/* ---- matching records into findings ---- */

static struct esc_finding *
finding_add(struct lopkg *p, const struct esc_pos *pos, enum esc_kind k)
{
	struct esc_finding *f;

	if (p->fn == p->fcap) {
		p->fcap = p->fcap ? p->fcap * 2 : 64;
		p->fv = xreallocarray(p->fv, p->fcap, sizeof(*p->fv));
	}
	f = &p->fv[p->fn++];
	memset(f, 0, sizeof(*f));
	f->pos = *pos;
	f->kind = k;
	f->subject = "";
	f->detail = "";
	f->message = "";
	return f;
}

static int
same_pos(const struct esc_pos *a, const struct esc_pos *b)
{
	return a->line == b->line && a->col == b->col && strcmp(a->file, b->file) == 0;
}

static void
attach(struct lopkg *p, struct esc_finding *f, struct esc_block *b)
{
	struct esc_block **nb = arena_alloc(&p->arena, (f->nblocks + 1) * sizeof(*nb));

	if (f->nblocks)
		memcpy(nb, f->blocks, f->nblocks * sizeof(*nb));
	nb[f->nblocks++] = b;
	f->blocks = nb;
	b->attached = 1;
}

static int
has_heading(const struct esc_finding *f, const char *h)
{
	size_t i;

	for (i = 0; i < f->nblocks; i++)
		if (strcmp(f->blocks[i]->heading, h) == 0)
			return 1;
	return 0;
}

static const struct esc_finding *sort_base;

static int
cmp_finding(const void *x, const void *y)
{
	const struct esc_finding *a = &sort_base[*(const size_t *)x];
	const struct esc_finding *b = &sort_base[*(const size_t *)y];
	int c = strcmp(a->pos.file, b->pos.file);

	if (c)
		return c;
	if (a->pos.line != b->pos.line)
		return a->pos.line < b->pos.line ? -1 : 1;
	if (a->pos.col != b->pos.col)
		return a->pos.col < b->pos.col ? -1 : 1;
	return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

static void
build_findings(struct lopkg *p, size_t *norphans)
{
	size_t i, j, nverd;
	int *mind;
	char buf[64];

	/* heap verdicts: subjects come from the explanation at the site */
	for (i = 0; i < p->vn; i++) {
		struct esc_finding *f = finding_add(p, &p->vv[i], ESC_HEAP);
		f->subject = NULL;
	}
	nverd = p->fn;
	for (i = 0; i < p->rn; i++) {
		struct esc_block *b = p->rv[i].b;
		struct esc_finding *hit = NULL;
		if (p->rv[i].leak)
			continue;
		for (j = 0; j < nverd && hit == NULL; j++) {
			struct esc_finding *f = &p->fv[j];
			if (same_pos(&f->pos, &b->pos) && (f->subject == NULL ||
			    (strcmp(f->subject, b->subject) == 0 && !has_heading(f, b->heading))))
				hit = f;
		}
		for (j = nverd; j < p->fn && hit == NULL; j++) {
			struct esc_finding *f = &p->fv[j];
			if (f->kind == ESC_MOVED && same_pos(&f->pos, &b->pos) &&
			    strcmp(f->subject, b->subject) == 0)
				hit = f;
		}
		if (hit == NULL) {
			/* no verdict record: a named variable */
			hit = finding_add(p, &b->pos, ESC_MOVED);
			hit->subject = b->subject;
			{
				size_t n = strlen(b->subject);
				char *s = arena_alloc(&p->arena, n + 16);
				memcpy(s, "moved to heap: ", 15);
				memcpy(s + 15, b->subject, n + 1);
				hit->message = s;
			}
		} else if (hit->subject == NULL)
			hit->subject = b->subject;
		attach(p, hit, b);
	}
	for (i = 0; i < nverd; i++) {
		struct esc_finding *f = &p->fv[i];
		size_t n;
		char *s;
		if (f->subject == NULL)
			f->subject = "";
		n = strlen(f->subject);
		s = arena_alloc(&p->arena, n + 17);
		memcpy(s, f->subject, n);
		memcpy(s + n, n ? " escapes to heap" : "escapes to heap", n ? 17 : 16);
		f->message = s;
	}
	/* leaks: one finding per site, subject and destination */
	/* indexed by finding: those so far plus at most one per record
	 * (issue 7: was p->rn + 1, overflowed; found by fuzz_logopt) */
	mind = xcalloc(p->fn + p->rn + 1, sizeof(*mind));
	for (i = 0; i < p->rn; i++) {
		struct esc_block *b = p->rv[i].b;
		struct esc_finding *hit = NULL;
		const char *dest;
		if (!p->rv[i].leak)
			continue;
		if (b->pos.file[0] == '<') {
			/* compiler-generated wrappers: the text form prints
			 * their explanation but no verdict */
			continue;
		}
		{
			/* A qualified parameter ("atomic.x") belongs to another
			 * package's generic code instantiated here: the text
			 * form explains it but prints no verdict. */
			const char *dot = strchr(b->subject, '.');
			if (dot != NULL && dot != b->subject)
				continue;
		}
		/* A destination "{storage for X}" is a heap-allocated object
		 * (roots that outlive a parameter are the heap, results, and
		 * heap objects): the text form's verdict is a heap leak. */
		dest = b->dest[0] == '{' ? "{heap}" : b->dest;
		for (j = nverd; j < p->fn && hit == NULL; j++) {
			struct esc_finding *f = &p->fv[j];
			if (f->kind == ESC_LEAK && same_pos(&f->pos, &b->pos) &&
			    strcmp(f->subject, b->subject) == 0 &&
			    strcmp(f->detail, dest) == 0)
				hit = f;
		}
		if (hit == NULL) {
			hit = finding_add(p, &b->pos, ESC_LEAK);
			hit->subject = b->subject;
			hit->detail = dest;     /* fixed below */
			mind[hit - p->fv] = p->rv[i].derefs;
		} else if (p->rv[i].derefs < mind[hit - p->fv])
			mind[hit - p->fv] = p->rv[i].derefs;
		attach(p, hit, b);
	}
	for (i = nverd; i < p->fn; i++) {
		struct esc_finding *f = &p->fv[i];
		const char *dest = f->detail;
		size_t n;
		char *s;
		if (f->kind != ESC_LEAK)
			continue;
		n = strlen(f->subject) + strlen(dest) + 64;
		s = arena_alloc(&p->arena, n);
		if (strcmp(dest, "{heap}") == 0) {
			f->detail = "";
			if (mind[i] > 0) {
				f->kind = ESC_LEAK_CONTENT;
				snprintf(s, n, "leaking param content: %s", f->subject);
			} else
				snprintf(s, n, "leaking param: %s", f->subject);
		} else {
			f->kind = ESC_LEAK_RESULT;
			snprintf(buf, sizeof(buf), " level=%d", mind[i]);
			f->detail = arena_alloc(&p->arena, strlen(dest) + strlen(buf) + 1);
			sprintf((char *)f->detail, "%s%s", dest, buf);
			snprintf(s, n, "leaking param: %s to result %s", f->subject, f->detail);
		}
		f->message = s;
	}
	free(mind);
	/* As the text form: a parameter that leaks to the heap gets that
	 * one verdict; its result leaks are explained under it. */
	for (i = nverd; i < p->fn; i++) {
		struct esc_finding *f = &p->fv[i];
		if (f->kind != ESC_LEAK_RESULT)
			continue;
		for (j = nverd; j < p->fn; j++) {
			struct esc_finding *h = &p->fv[j];
			size_t k;
			if ((h->kind != ESC_LEAK && h->kind != ESC_LEAK_CONTENT) ||
			    !same_pos(&h->pos, &f->pos) || strcmp(h->subject, f->subject) != 0)
				continue;
			for (k = 0; k < f->nblocks; k++)
				attach(p, h, f->blocks[k]);
			f->kind = ESC_KIND_N;   /* dropped below */
			break;
		}
	}
	for (i = j = nverd; i < p->fn; i++)
		if (p->fv[i].kind != ESC_KIND_N)
			p->fv[j++] = p->fv[i];
	p->fn = j;
	/* explanation-only leak blocks join a leak verdict of their site */
	for (i = 0; i < p->rn; i++) {
		struct esc_block *b = p->rv[i].b;
		if (!p->rv[i].leak || b->attached)
			continue;
		for (j = nverd; j < p->fn; j++) {
			struct esc_finding *f = &p->fv[j];
			if ((f->kind == ESC_LEAK || f->kind == ESC_LEAK_CONTENT ||
			    f->kind == ESC_LEAK_RESULT) && same_pos(&f->pos, &b->pos) &&
			    strcmp(f->subject, b->subject) == 0) {
				attach(p, f, b);
				break;
			}
		}
	}
	*norphans = 0;
	for (i = 0; i < p->bn; i++)
		if (!p->bv[i]->attached)
			(*norphans)++;
	/* input order is file by file; within a file, by position */
	free(p->order);
	p->order = xmalloc((p->fn + 1) * sizeof(*p->order));
	for (i = 0; i < p->fn; i++)
		p->order[i] = i;
	sort_base = p->fv;
	qsort(p->order, p->fn, sizeof(*p->order), cmp_finding);
}

static int
package_flush(struct lopkg *p)
{
	struct esc_package pkg;
	struct esc_finding *sorted;
	size_t i;
	int rc = 0;

	memset(&pkg, 0, sizeof(pkg));
	build_findings(p, &pkg.norphans);
	sorted = xmalloc((p->fn + 1) * sizeof(*sorted));
	for (i = 0; i < p->fn; i++)
		sorted[i] = p->fv[p->order[i]];
	pkg.name = p->name ? p->name : "";
	pkg.findings = sorted;
	pkg.nfindings = p->fn;
	pkg.blocks = p->bv;
	pkg.nblocks = p->bn;
	if (p->sink->package && !p->stopped)
		rc = p->sink->package(p->sink->ctx, &pkg);
	if (rc)
		p->stopped = rc;
	free(sorted);
	p->fn = p->vn = p->rn = p->bn = 0;
	p->name = NULL;
	arena_reset(&p->arena);
	return p->stopped;
}

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
		warnf(p, 0, "cannot read logopt file: %s", strerror(errno));
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
			warnf(p, line, "malformed logopt line (not a JSON object); kept verbatim", NULL);
			keep(p, LC_UNRECOGNISED, line, s, n);
			if (!seen_first) {
				seen_first = 1;
				warnf(p, line, "missing logopt header; file name taken from %s", base);
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
				warnf(p, line, "logopt version is not 0; read as version 0", NULL);
			if (pk && *pk) {
				if (p->name && strcmp(p->name, pk) != 0)
					warnf(p, line, "logopt header names another package (%s)", pk);
				else if (p->name == NULL)
					p->name = astr(p, pk, strlen(pk));
			}
			if (f && *f)
				file = astr(p, f, strlen(f));
			else
				warnf(p, line, "logopt header has no file; file name taken from %s", base);
			seen_first = 1;
			cJSON_Delete(j);
			continue;
		}
		if (!seen_first) {
			seen_first = 1;
			warnf(p, line, "missing logopt header; file name taken from %s", base);
		}
		if (file == NULL) {
			/* the escflow locations name the file; else FILE.json */
			const cJSON *rel = cJSON_GetObjectItemCaseSensitive(j, "relatedInformation");
			const cJSON *r0 = cJSON_GetArrayItem(rel, 0);
			const cJSON *loc = cJSON_GetObjectItemCaseSensitive(r0, "location");
			const char *uri = json_str(loc, "uri");
			if (uri)
				file = uri_path(p, uri);
			else {
				size_t bn = strlen(base);
				char *t = arena_strndup(&p->arena, base, bn);
				if (bn > 5 && strcmp(t + bn - 5, ".json") == 0)
					strcpy(t + bn - 5, ".go");
				file = unescape(t);
			}
		}
		diagnostic(p, j, file, line, s, n);
		cJSON_Delete(j);
	}
	if (line == 0)
		warnf(p, 0, "empty logopt file (missing logopt header)", NULL);
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
			p.name = unescape(t);
		}
		package_flush(&p);
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
