/*
 * logopt_pkg.c: a logopt package's diagnostics and explanation records,
 * matched into findings and handed to the sink.  See logopt.c.
 */
#include "logopt_int.h"

#include <stdlib.h>
#include <string.h>

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

const char *
lo_astr(struct lopkg *p, const char *s, size_t n)
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
char *
lo_unescape(char *s)
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
const char *
lo_uri_path(struct lopkg *p, const char *uri)
{
	char *s;

	if (strncmp(uri, "file://", 7) == 0)
		uri += 7;
	s = arena_strndup(&p->arena, uri, strlen(uri));
	lo_unescape(s);
	/* file:///C:/x -> C:/x */
	if (s[0] == '/' && s[1] && s[2] == ':')
		s++;
	return s;
}

void
lo_warnf(struct lopkg *p, unsigned long line, const char *fmt, const char *arg)
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

void
lo_keep(struct lopkg *p, enum line_class c, unsigned long line, const char *text, size_t n)
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
/*
 * The inlining chain of a diagnostic: the "inlineLoc" entries that open
 * its relatedInformation (before any "escflow:" one) are the positions
 * inside the inlined bodies, from the call site's callee inwards, when
 * the diagnostic's own position is a call site.  They are kept in the
 * block's heading, "HEADING (inlined: POS <- POS ...)", which explain
 * prints; heading returned unchanged when there are none.
 */
static const char *
inline_chain(struct lopkg *p, const char *heading, const cJSON *rel)
{
	struct sbuf sb = SBUF_INIT;
	const cJSON *r;
	const char *out;
	int n = 0;

	cJSON_ArrayForEach(r, rel) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(r, "message");
		const cJSON *loc = cJSON_GetObjectItemCaseSensitive(r, "location");
		const cJSON *uri = cJSON_GetObjectItemCaseSensitive(loc, "uri");
		struct esc_pos sp;

		if (!cJSON_IsString(m) || strcmp(m->valuestring, "inlineLoc") != 0)
			break;
		if (!cJSON_IsString(uri) ||
		    get_pos(cJSON_GetObjectItemCaseSensitive(loc, "range"), "", &sp) != 0)
			continue;
		sbuf_addf(&sb, "%s%s:%d:%d", n++ ? " <- " : " (inlined: ",
		    lo_uri_path(p, uri->valuestring), sp.line, sp.col);
	}
	if (n == 0) {
		sbuf_release(&sb);
		return heading;
	}
	sbuf_adds(&sb, ")");
	{
		struct sbuf all = SBUF_INIT;

		sbuf_addf(&all, "%s%s", heading, sb.buf);
		out = lo_astr(p, all.buf, all.len);
		sbuf_release(&all);
	}
	sbuf_release(&sb);
	return out;
}

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
	b->heading = inline_chain(p, heading, rel);
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
				f->dst = lo_astr(p, s, n);
				f->src = "";
			} else {
				f->dst = lo_astr(p, s, (size_t)(sep - s));
				f->src = lo_astr(p, sep + w, n - (size_t)(sep + w - s));
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
			st[sn].expr = lo_astr(p, s, (size_t)(e - 1 - s));
			st[sn].reason = lo_astr(p, e + 1, strlen(e + 1) - 1);
		} else {
			st[sn].expr = lo_astr(p, s, strlen(s));
			st[sn].reason = "";
		}
		if (cJSON_IsString(uri) &&
		    get_pos(cJSON_GetObjectItemCaseSensitive(loc, "range"), "", &sp) == 0) {
			sp.file = lo_uri_path(p, uri->valuestring);
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
void
lo_diagnostic(struct lopkg *p, const cJSON *d, const char *file, unsigned long line,
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
		lo_warnf(p, line, "malformed logopt diagnostic (no code or range)", NULL);
		lo_keep(p, LC_UNRECOGNISED, line, text, len);
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
			const char *subj = lo_astr(p, m, n - 16);
			rec_add(p, make_block(p, &pos, lo_astr(p, m, n), subj, NULL, rel, line), 0, 0);
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
			const char *subj = lo_astr(p, m + 10, (size_t)(a - m - 10));
			const char *dest = lo_astr(p, a + 10, (size_t)(w - a - 10));
			int derefs = atoi(w + 13);
			rec_add(p, make_block(p, &pos, lo_astr(p, m, n), subj, dest, rel, line), 1, derefs);
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
		lo_warnf(p, line, "unknown logopt code '%s'; kept verbatim", code->valuestring);
		lo_keep(p, LC_UNRECOGNISED, line, text, len);
		return;
	}
	lo_warnf(p, line, "unrecognised logopt %s message; kept verbatim", code->valuestring);
	lo_keep(p, LC_UNRECOGNISED, line, text, len);
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

int
lo_package_flush(struct lopkg *p)
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
