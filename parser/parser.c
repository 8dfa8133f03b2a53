/*
 * parser: streaming parser of the Go compiler's escape-analysis output.
 * See parser.h.  Lines are split by hand; every message is matched by a
 * PCRE2 pattern compiled once (JIT when available).  Explanation blocks
 * are gathered per package and attached to their verdict by position,
 * subject and destination when the package's output ends.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "parser.h"

#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

#define MAX_LINE (16u << 20)    /* a longer line is cut, with a warning */

static const char *const kind_names[ESC_KIND_N] = {
	"heap", "moved", "leak", "leak-result", "leak-content",
	"noescape", "capture", "note"
};

static const char *const class_names[LC_N] = {
	"finding", "explain", "header", "inline", "devirt", "bounds",
	"error", "tool", "other-opt", "blank", "unrecognised"
};

const char *
esc_kind_name(enum esc_kind k)
{
	return (unsigned)k < ESC_KIND_N ? kind_names[k] : "?";
}

int
esc_kind_parse(const char *s, size_t n)
{
	int i;

	for (i = 0; i < ESC_KIND_N; i++)
		if (strlen(kind_names[i]) == n && memcmp(kind_names[i], s, n) == 0)
			return i;
	return -1;
}

const char *
line_class_name(enum line_class c)
{
	return (unsigned)c < LC_N ? class_names[c] : "?";
}

/* The patterns.  Order matters where one message could match several. */
enum pat {
	P_MOVED, P_LEAK_CONTENT, P_LEAK_RESULT, P_LEAK, P_CAPTURE, P_HEAP,
	P_NOESCAPE,
	P_N_SELFASSIGN, P_N_UINTPTR, P_N_MARKING, P_N_MUTATES, P_N_ZEROCOPY,
	P_N_OCONVIFACE, P_N_ALIAS,
	P_H_LEAK, P_H_HEAP,
	P_FLOW, P_FROM, P_OLDFROM, P_OLDPREFIX,
	P_INLINE, P_DEVIRT, P_BOUNDS, P_OTHER_OPT, P_ERROR, P_TOOL,
	P_N
};

static const char *const pat_src[P_N] = {
	[P_MOVED] = "^moved to heap: (.+)$",
	[P_LEAK_CONTENT] = "^leaking param content: (.+)$",
	[P_LEAK_RESULT] = "^leaking param: (.+) to result (.+ level=-?\\d+)$",
	[P_LEAK] = "^leaking param: (.+)$",
	[P_CAPTURE] = "^(.+) capturing by (ref|value): (.+?) \\((.*)\\)$",
	[P_HEAP] = "^(.+) escapes to heap$",
	[P_NOESCAPE] = "^(.+) does not escape(?:, mutate, or call)?$",
	[P_N_SELFASSIGN] = "^(.+?) ignoring self-assignment in (.+)$",
	[P_N_UINTPTR] = "^assuming (.+) is unsafe uintptr$",
	[P_N_MARKING] = "^marking (.+) as escaping (?:\\.\\.\\.)?uintptr$",
	[P_N_MUTATES] = "^(?:mutates|calls) param: (.+) (derefs=-?\\d+)$",
	[P_N_ZEROCOPY] = "^zero-copy (.+) conversion$",
	[P_N_OCONVIFACE] = "^rewriting OCONVIFACE value from (.+?) \\(",
	[P_N_ALIAS] = "^alias analysis: (.*?)(?::|$)",
	[P_H_LEAK] = "^parameter (.+?) leaks to (.+?)(?: for (.+?))? with derefs=(-?\\d+):$",
	[P_H_HEAP] = "^(.+) escapes to heap(?: in (.+))?:$",
	[P_FLOW] = "^  +flow: (.*?) (?:=|\xe2\x86\x90) (.*):$",
	[P_FROM] = "^    +from (.*) \\(([^()]*)\\) at (.+)$",
	[P_OLDFROM] = "^\\tfrom (.*) \\(([^()]*)\\) at (.+)$",
	[P_OLDPREFIX] = "^((?:\\(\\*?[A-Za-z_][\\w.\\[\\]]*\\)\\.)?[A-Za-z_][\\w.]*) ([^ ].*)$",
	[P_INLINE] = "^(?:can inline |cannot inline |inlining call to |inline call to |not inlining |skipping inlining)",
	[P_DEVIRT] = "^(?:PGO |partially )*devirtualiz",
	[P_BOUNDS] = "bounds check|^Found Is(?:Slice)?InBounds",
	[P_OTHER_OPT] = "^(?:stack frame too large|hot-|converting |inlining |write barrier|generated nil check|removed nil check|nil check|Proved |Disproved |Induction variable|.*\\bloop\\b.*rotated)",
	[P_ERROR] = "^(?:syntax error|undefined: |cannot |invalid |missing |too many |not enough |assignment mismatch|declared and not used|\".*\" imported and not used|imported and not used|no new variables|unexpected |expected |duplicate |non-|.* redeclared|.* is not used|.* (?:is not|does not) (?:a |implement|have|exist)|.*: (?:undefined|missing))",
	[P_TOOL] = "^(?:go: |note: |go build |warning: |pattern |package |can't load package|build constraints|found packages )",
};

struct istr {
	uint64_t h;
	const char *s;
	uint32_t n;
};

struct parser {
	struct parser_sink sink;
	pcre2_code *re[P_N];
	pcre2_match_data *md[P_N];
	int jit[P_N];

	struct sbuf carry;              /* a line split across feeds */
	struct sbuf join;               /* lines joined inside a raw string */
	int joining;
	unsigned long join_line, join_lines;
	size_t join_bq, join_prefix;
	int carry_cut;                  /* the carried line passed MAX_LINE */
	unsigned long lineno;
	unsigned long counts[LC_N];
	int saw_m2;
	int old113;                     /* Go 1.13 and older wording */
	int stopped;
	int last_error;                 /* the previous line was an error */
	char *default_pkg;

	/* The current package. */
	struct arena arena;
	const char *pkgname;
	unsigned long pkgline;
	int pkg_has_content;
	struct esc_finding *fv;
	size_t fn, fcap;
	struct esc_block **bv;
	size_t bn, bcap;

	/* The open block and its flows. */
	struct esc_block *cur;
	struct esc_flow *flv;
	size_t fln, flcap;
	struct esc_step *stv;
	size_t stn, stcap;

	/* Recently seen file names and reasons, interned in the arena. */
	struct { const char *s; size_t n; } ring[16];
	unsigned ringpos;

	/* Every explanation text of the package, interned in the arena: a
	 * package's blocks are held until its verdicts (which old compilers
	 * print at the very end), and the same texts recur thousands of times. */
	struct istr *itab;
	size_t icap, in;
};

/* Interns s[0..n) for the current package (arena-backed). */
static const char *
pstr(struct parser *p, const char *s, size_t n)
{
	uint64_t h;
	size_t i, mask;
	const char *r;

	if (s == NULL)
		return NULL;
	h = hash64(s, n, 3);
	if ((p->in + 1) * 2 > p->icap) {
		size_t oc = p->icap, j;
		struct istr *old = p->itab;
		p->icap = p->icap ? 2 * p->icap : 4096;
		p->itab = xcalloc(p->icap, sizeof(*p->itab));
		for (j = 0; j < oc; j++) {
			if (old[j].s == NULL)
				continue;
			i = (size_t)old[j].h & (p->icap - 1);
			while (p->itab[i].s)
				i = (i + 1) & (p->icap - 1);
			p->itab[i] = old[j];
		}
		free(old);
	}
	mask = p->icap - 1;
	for (i = (size_t)h & mask; p->itab[i].s; i = (i + 1) & mask)
		if (p->itab[i].h == h && p->itab[i].n == n && memcmp(p->itab[i].s, s, n) == 0)
			return p->itab[i].s;
	r = arena_strndup(&p->arena, s, n);
	p->itab[i].h = h;
	p->itab[i].s = r;
	p->itab[i].n = (uint32_t)n;
	p->in++;
	return r;
}

static void
pstr_reset(struct parser *p)
{
	if (p->icap > 8192 && p->in < p->icap / 16) {
		/* one huge package must not make every later reset slow */
		free(p->itab);
		p->itab = NULL;
		p->icap = 0;
	} else if (p->in)
		memset(p->itab, 0, p->icap * sizeof(*p->itab));
	p->in = 0;
}

static int
re_match(struct parser *p, enum pat i, const char *s, size_t n)
{
	int rc;

	if (p->jit[i])
		rc = pcre2_jit_match(p->re[i], (PCRE2_SPTR)s, n, 0, 0, p->md[i], NULL);
	else
		rc = pcre2_match(p->re[i], (PCRE2_SPTR)s, n, 0, 0, p->md[i], NULL);
	return rc > 0;
}

/* Group g of the last match of pattern i; *len 0 and "" when unset. */
static const char *
re_group(struct parser *p, enum pat i, const char *s, int g, size_t *len)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md[i]);
	uint32_t cnt = pcre2_get_ovector_count(p->md[i]);

	if ((uint32_t)g >= cnt || ov[2 * g] == PCRE2_UNSET) {
		*len = 0;
		return NULL;
	}
	*len = ov[2 * g + 1] - ov[2 * g];
	return s + ov[2 * g];
}

static const char *
astr(struct parser *p, const char *s, size_t n)
{
	return arena_strndup(&p->arena, s ? s : "", s ? n : 0);
}

static const char *pstr(struct parser *p, const char *s, size_t n);

static const char *
group_str(struct parser *p, enum pat i, const char *s, int g)
{
	size_t n;
	const char *g0 = re_group(p, i, s, g, &n);

	return g0 ? pstr(p, g0, n) : NULL;
}

/* Interns short recurring strings (file names, reasons) for one package. */
static const char *
ring_str(struct parser *p, const char *s, size_t n)
{
	unsigned i;
	const char *r;

	for (i = 0; i < 16; i++)
		if (p->ring[i].s && p->ring[i].n == n && memcmp(p->ring[i].s, s, n) == 0)
			return p->ring[i].s;
	r = astr(p, s, n);
	p->ring[p->ringpos].s = r;
	p->ring[p->ringpos].n = n;
	p->ringpos = (p->ringpos + 1) % 16;
	return r;
}

static int
parse_int(const char *s, size_t n, int *out)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = (int)v;
	return 0;
}

/*
 * A position prefix is FILE:LINE[:COL]: followed by a space.  The first
 * ":digits" run that is followed by ": " or ":digits: " ends the file
 * name, so C:\dir\x.go:3:4: and names with spaces both work.
 */
static size_t
pos_prefix(const char *s, size_t n, struct esc_pos *pos, const char **file, size_t *filelen)
{
	size_t i, j, k;
	const char *c = s + 1, *end = s + n;

	while (c < end && (c = memchr(c, ':', (size_t)(end - c))) != NULL) {
		i = (size_t)(c - s);
		c++;
		if (i + 2 >= n || s[i + 1] < '0' || s[i + 1] > '9')
			continue;
		for (j = i + 1; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j >= n || s[j] != ':')
			continue;
		if (parse_int(s + i + 1, j - i - 1, &pos->line) < 0)
			continue;
		if (j + 1 < n && s[j + 1] == ' ') {
			pos->col = 0;
			*file = s;
			*filelen = i;
			return j + 2;
		}
		if (j + 1 < n && s[j + 1] >= '0' && s[j + 1] <= '9') {
			for (k = j + 1; k < n && s[k] >= '0' && s[k] <= '9'; k++)
				;
			if (k + 1 < n && s[k] == ':' && s[k + 1] == ' ' &&
			    parse_int(s + j + 1, k - j - 1, &pos->col) == 0) {
				*file = s;
				*filelen = i;
				return k + 2;
			}
		}
	}
	return 0;
}

int
esc_pos_split(const char *s, size_t n, const char **file, size_t *filelen,
    int *line, int *col)
{
	size_t e = n, d;
	int a = 0, b = 0;

	/* from the right: COL, then LINE */
	d = e;
	while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
		d--;
	if (d == e || d == 0 || s[d - 1] != ':' || parse_int(s + d, e - d, &a) < 0)
		return -1;
	e = d - 1;
	d = e;
	while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
		d--;
	if (d < e && d > 0 && s[d - 1] == ':' && parse_int(s + d, e - d, &b) == 0) {
		*file = s;
		*filelen = d - 1;
		*line = b;
		*col = a;
	} else {
		*file = s;
		*filelen = e;
		*line = a;
		*col = 0;
	}
	return *filelen > 0 ? 0 : -1;
}

struct parser *
parser_new(const struct parser_sink *sink, char *err, size_t errsz)
{
	struct parser *p = xcalloc(1, sizeof(*p));
	int i, ec;
	PCRE2_SIZE eo;

	p->sink = *sink;
	for (i = 0; i < P_N; i++) {
		p->re[i] = pcre2_compile((PCRE2_SPTR)pat_src[i], PCRE2_ZERO_TERMINATED,
		    PCRE2_DOTALL, &ec, &eo, NULL);
		if (p->re[i] == NULL) {
			PCRE2_UCHAR buf[256];
			pcre2_get_error_message(ec, buf, sizeof(buf));
			snprintf(err, errsz, "pattern %d at offset %zu: %s", i,
			    (size_t)eo, (char *)buf);
			parser_free(p);
			return NULL;
		}
		p->jit[i] = pcre2_jit_compile(p->re[i], PCRE2_JIT_COMPLETE) == 0;
		p->md[i] = pcre2_match_data_create_from_pattern(p->re[i], NULL);
		if (p->md[i] == NULL)
			xalloc_die();
	}
	return p;
}

void
parser_set_go_version(struct parser *p, const char *v)
{
	int major = 0, minor = 0;

	if (v && sscanf(v, "go%d.%d", &major, &minor) == 2 && major == 1 && minor < 14)
		p->old113 = 1;
}

void
parser_set_default_package(struct parser *p, const char *name)
{
	free(p->default_pkg);
	p->default_pkg = name ? xstrdup(name) : NULL;
}

static void
warn(struct parser *p, enum parser_warning w, const char *text)
{
	if (p->sink.warning)
		p->sink.warning(p->sink.ctx, w, p->lineno, text);
}

static int
keep_line(struct parser *p, enum line_class c, const char *s, size_t n)
{
	p->counts[c]++;
	if (p->sink.line && !p->stopped) {
		int rc = p->sink.line(p->sink.ctx, c, p->lineno, s, n);
		if (rc)
			p->stopped = rc;
	}
	return p->stopped;
}

/* ---- blocks ---- */

static void
flow_close(struct parser *p)
{
	struct esc_flow *f;

	if (p->fln == 0)
		return;
	f = &p->flv[p->fln - 1];
	if (f->steps == NULL && p->stn > 0) {
		f->steps = arena_alloc(&p->arena, p->stn * sizeof(*f->steps));
		memcpy(f->steps, p->stv, p->stn * sizeof(*f->steps));
		f->nsteps = p->stn;
	}
	p->stn = 0;
}

static void
block_close(struct parser *p)
{
	struct esc_block *b = p->cur;

	if (b == NULL)
		return;
	flow_close(p);
	if (p->fln > 0) {
		b->flows = arena_alloc(&p->arena, p->fln * sizeof(*b->flows));
		memcpy(b->flows, p->flv, p->fln * sizeof(*b->flows));
		b->nflows = p->fln;
	}
	p->fln = 0;
	p->cur = NULL;
}

static void
block_open(struct parser *p, const struct esc_pos *pos, const char *msg, size_t n,
    const char *subject, const char *dest, const char *func)
{
	struct esc_block *b;

	block_close(p);
	b = arena_alloc(&p->arena, sizeof(*b));
	memset(b, 0, sizeof(*b));
	b->heading = pstr(p, msg, n > 0 && msg[n - 1] == ':' ? n - 1 : n);
	b->subject = subject;
	b->dest = dest;
	b->func = func;
	b->pos = *pos;
	b->lineno = p->lineno;
	if (p->bn == p->bcap) {
		p->bcap = p->bcap ? 2 * p->bcap : 256;
		p->bv = xreallocarray(p->bv, p->bcap, sizeof(*p->bv));
	}
	p->bv[p->bn++] = b;
	p->cur = b;
	p->saw_m2 = 1;
}

/* ---- findings and packages ---- */

static struct esc_finding *
finding_add(struct parser *p, const struct esc_pos *pos, enum esc_kind k,
    const char *msg, size_t n)
{
	struct esc_finding *f;

	if (p->fn == p->fcap) {
		p->fcap = p->fcap ? 2 * p->fcap : 256;
		p->fv = xreallocarray(p->fv, p->fcap, sizeof(*p->fv));
	}
	f = &p->fv[p->fn++];
	memset(f, 0, sizeof(*f));
	f->pos = *pos;
	f->kind = k;
	f->message = astr(p, msg, n);
	f->detail = "";
	f->subject = "";
	f->lineno = p->lineno;
	return f;
}

static uint64_t
site_hash(const struct esc_pos *pos, const char *subject)
{
	uint64_t h = hash64(pos->file, strlen(pos->file), (uint64_t)pos->line * 131 + (uint64_t)pos->col);
	return hash64(subject, strlen(subject), h);
}

static int
same_site(const struct esc_pos *a, const char *sa, const struct esc_pos *b, const char *sb)
{
	return a->line == b->line && a->col == b->col &&
	    (a->file == b->file || strcmp(a->file, b->file) == 0) &&
	    strcmp(sa, sb) == 0;
}

/* Does block b explain finding f (same site assumed)? */
static int
block_fits(const struct esc_block *b, const struct esc_finding *f)
{
	size_t n;

	if (b->dest == NULL)            /* "X escapes to heap" heading */
		return f->kind == ESC_HEAP || f->kind == ESC_MOVED;
	if (f->kind == ESC_LEAK || f->kind == ESC_LEAK_CONTENT)
		return strcmp(b->dest, "{heap}") == 0;
	if (f->kind == ESC_LEAK_RESULT) {
		n = strlen(b->dest);
		return strncmp(f->detail, b->dest, n) == 0 && f->detail[n] == ' ';
	}
	return 0;
}

static int
block_loosely_fits(const struct esc_block *b, const struct esc_finding *f)
{
	if (b->dest == NULL)
		return f->kind == ESC_HEAP || f->kind == ESC_MOVED;
	return f->kind == ESC_LEAK || f->kind == ESC_LEAK_CONTENT ||
	    f->kind == ESC_LEAK_RESULT;
}

static void
attach(struct parser *p, struct esc_finding *f, struct esc_block *b)
{
	struct esc_block **nb = arena_alloc(&p->arena, (f->nblocks + 1) * sizeof(*nb));

	if (f->nblocks)
		memcpy(nb, f->blocks, f->nblocks * sizeof(*nb));
	nb[f->nblocks++] = b;
	f->blocks = nb;
	b->attached = 1;
	if (f->func == NULL && b->func != NULL)
		f->func = b->func;
}

/* A heap or moved verdict at b's position, preferring one with no block
 * yet; poshead/posnext chain the verdicts by position alone. */
static struct esc_finding *
same_position_verdict(struct parser *p, const struct esc_block *b,
    const size_t *poshead, const size_t *posnext, size_t mask)
{
	size_t i;
	struct esc_finding *any = NULL;

	for (i = poshead[site_hash(&b->pos, "") & mask]; i != (size_t)-1; i = posnext[i]) {
		struct esc_finding *f = &p->fv[i];
		if ((f->kind != ESC_HEAP && f->kind != ESC_MOVED) ||
		    f->pos.line != b->pos.line || f->pos.col != b->pos.col ||
		    strcmp(f->pos.file, b->pos.file) != 0)
			continue;
		if (f->nblocks == 0)
			return f;
		if (any == NULL)
			any = f;
	}
	return strncmp(b->subject, "append(", 7) == 0 ? any : NULL;
}

/* Attaches every block to the verdict with the same position and subject:
 * the exact destination first, any leak verdict of the site second.
 * Where a site repeats (generic instantiations), blocks go to the first
 * verdict that has none with the same heading yet. */
static void
match_blocks(struct parser *p)
{
	size_t cap = 16, i, j;
	size_t *head, *next, *poshead, *posnext;
	const size_t NONE = (size_t)-1;

	while (cap < 2 * p->fn)
		cap *= 2;
	head = xmalloc(cap * sizeof(*head));
	next = xmalloc((p->fn ? p->fn : 1) * sizeof(*next));
	poshead = xmalloc(cap * sizeof(*poshead));
	posnext = xmalloc((p->fn ? p->fn : 1) * sizeof(*posnext));
	for (i = 0; i < cap; i++)
		head[i] = poshead[i] = NONE;
	/* insert in reverse so each chain is in input order */
	for (i = p->fn; i-- > 0;) {
		struct esc_finding *f = &p->fv[i];
		size_t h;
		if (f->kind != ESC_HEAP && f->kind != ESC_MOVED && f->kind != ESC_LEAK &&
		    f->kind != ESC_LEAK_RESULT && f->kind != ESC_LEAK_CONTENT)
			continue;
		h = site_hash(&f->pos, f->subject) & (cap - 1);
		next[i] = head[h];
		head[h] = i;
		h = site_hash(&f->pos, "") & (cap - 1);
		posnext[i] = poshead[h];
		poshead[h] = i;
	}
	for (j = 0; j < p->bn; j++) {
		struct esc_block *b = p->bv[j];
		size_t h = site_hash(&b->pos, b->subject) & (cap - 1);

		if (b->owner) {
			attach(p, &p->fv[b->owner - 1], b);
			continue;
		}
		struct esc_finding *exact = NULL, *fresh = NULL, *loose = NULL;

		for (i = head[h]; i != NONE; i = next[i]) {
			struct esc_finding *f = &p->fv[i];
			size_t k;
			int dup = 0;
			if (!same_site(&f->pos, f->subject, &b->pos, b->subject))
				continue;
			if (block_fits(b, f)) {
				if (exact == NULL)
					exact = f;
				for (k = 0; k < f->nblocks; k++)
					if (strcmp(f->blocks[k]->heading, b->heading) == 0)
						dup = 1;
				if (!dup && fresh == NULL)
					fresh = f;
			} else if (loose == NULL && block_loosely_fits(b, f))
				loose = f;
		}
		/* Go 1.25+ heads some blocks with another spelling of the
		 * subject than its verdict prints: "append(s, x)" against
		 * "append", or "x" against the constant value "10".  Such a
		 * block goes to a heap or moved verdict at the same position,
		 * one that has no block yet. */
		if (!fresh && !exact && !loose && b->dest == NULL)
			exact = same_position_verdict(p, b, poshead, posnext, cap - 1);
		if (fresh)
			attach(p, fresh, b);
		else if (exact)
			attach(p, exact, b);
		else if (loose)
			attach(p, loose, b);
	}
	free(head);
	free(next);
	free(poshead);
	free(posnext);
}

static int
package_flush(struct parser *p)
{
	struct esc_package pkg;
	size_t i;
	int rc = 0;

	block_close(p);
	if (p->pkg_has_content || p->pkgname != NULL) {
		match_blocks(p);
		memset(&pkg, 0, sizeof(pkg));
		pkg.name = p->pkgname ? p->pkgname :
		    (p->default_pkg ? p->default_pkg : "");
		pkg.lineno = p->pkgline;
		pkg.findings = p->fv;
		pkg.nfindings = p->fn;
		pkg.blocks = p->bv;
		pkg.nblocks = p->bn;
		/* Blocks of compiler-generated wrappers have no verdict
		 * line; they are counted, not warned about. */
		for (i = 0; i < p->bn; i++)
			if (!p->bv[i]->attached)
				pkg.norphans++;
		if (p->sink.package && !p->stopped)
			rc = p->sink.package(p->sink.ctx, &pkg);
		if (rc)
			p->stopped = rc;
	}
	arena_reset(&p->arena);
	pstr_reset(p);
	memset(p->ring, 0, sizeof(p->ring));
	p->pkgname = NULL;
	p->pkgline = 0;
	p->pkg_has_content = 0;
	p->fn = p->bn = 0;
	return p->stopped;
}

/* ---- lines ---- */

static enum line_class
classify_other(struct parser *p, const char *msg, size_t n)
{
	if (re_match(p, P_INLINE, msg, n))
		return LC_INLINE;
	if (re_match(p, P_DEVIRT, msg, n))
		return LC_DEVIRT;
	if (re_match(p, P_BOUNDS, msg, n))
		return LC_BOUNDS;
	if (re_match(p, P_OTHER_OPT, msg, n))
		return LC_OTHER_OPT;
	if (re_match(p, P_ERROR, msg, n))
		return LC_ERROR;
	return LC_UNRECOGNISED;
}

static int
ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static int
starts_with(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && memcmp(s, pre, k) == 0;
}

/* A verdict or note; returns 1 when the message was one. */
static int
verdict(struct parser *p, const struct esc_pos *pos, const char *msg, size_t n)
{
	struct esc_finding *f;

#define G(pat, g) group_str(p, pat, msg, g)
	if (starts_with(msg, n, "moved to heap: ") && re_match(p, P_MOVED, msg, n)) {
		f = finding_add(p, pos, ESC_MOVED, msg, n);
		f->subject = G(P_MOVED, 1);
	} else if (starts_with(msg, n, "leaking param")) {
		if (re_match(p, P_LEAK_CONTENT, msg, n)) {
			f = finding_add(p, pos, ESC_LEAK_CONTENT, msg, n);
			f->subject = G(P_LEAK_CONTENT, 1);
		} else if (re_match(p, P_LEAK_RESULT, msg, n)) {
			f = finding_add(p, pos, ESC_LEAK_RESULT, msg, n);
			f->subject = G(P_LEAK_RESULT, 1);
			f->detail = G(P_LEAK_RESULT, 2);
		} else if (re_match(p, P_LEAK, msg, n)) {
			f = finding_add(p, pos, ESC_LEAK, msg, n);
			f->subject = G(P_LEAK, 1);
		} else
			return 0;
	} else if (ends_with(msg, n, " escapes to heap") && re_match(p, P_HEAP, msg, n)) {
		f = finding_add(p, pos, ESC_HEAP, msg, n);
		f->subject = G(P_HEAP, 1);
	} else if ((ends_with(msg, n, " does not escape") ||
	    ends_with(msg, n, " does not escape, mutate, or call")) &&
	    re_match(p, P_NOESCAPE, msg, n)) {
		f = finding_add(p, pos, ESC_NOESCAPE, msg, n);
		f->subject = G(P_NOESCAPE, 1);
		/* Go 1.13 printed "F x does not escape" */
		if (p->old113 && re_match(p, P_OLDPREFIX, f->subject, strlen(f->subject))) {
			const char *subj = f->subject;
			f->func = group_str(p, P_OLDPREFIX, subj, 1);
			f->subject = group_str(p, P_OLDPREFIX, subj, 2);
		}
	} else if (ends_with(msg, n, ")") && re_match(p, P_CAPTURE, msg, n)) {
		f = finding_add(p, pos, ESC_CAPTURE, msg, n);
		f->func = G(P_CAPTURE, 1);
		f->detail = G(P_CAPTURE, 2);
		f->subject = G(P_CAPTURE, 3);
	} else if (re_match(p, P_N_SELFASSIGN, msg, n)) {
		f = finding_add(p, pos, ESC_NOTE, msg, n);
		f->func = G(P_N_SELFASSIGN, 1);
		f->subject = G(P_N_SELFASSIGN, 2);
		f->detail = "self-assignment";
	} else if (re_match(p, P_N_UINTPTR, msg, n)) {
		f = finding_add(p, pos, ESC_NOTE, msg, n);
		f->subject = G(P_N_UINTPTR, 1);
		f->detail = "unsafe-uintptr";
	} else if (re_match(p, P_N_MARKING, msg, n)) {
		f = finding_add(p, pos, ESC_NOTE, msg, n);
		f->subject = G(P_N_MARKING, 1);
		f->detail = "escaping-uintptr";
	} else if (re_match(p, P_N_MUTATES, msg, n)) {
		f = finding_add(p, pos, ESC_NOTE, msg, n);
		f->subject = G(P_N_MUTATES, 1);
		f->detail = astr(p, msg, (size_t)(strchr(msg, ' ') - msg));
	} else if (re_match(p, P_N_ZEROCOPY, msg, n)) {
		f = finding_add(p, pos, ESC_NOTE, msg, n);
		f->subject = G(P_N_ZEROCOPY, 1);
		f->detail = "zero-copy";
	} else if (re_match(p, P_N_OCONVIFACE, msg, n)) {
		f = finding_add(p, pos, ESC_NOTE, msg, n);
		f->subject = G(P_N_OCONVIFACE, 1);
		f->detail = "iface-rewrite";
	} else if (re_match(p, P_N_ALIAS, msg, n)) {
		f = finding_add(p, pos, ESC_NOTE, msg, n);
		f->subject = G(P_N_ALIAS, 1);
		f->detail = "alias";
	} else
		return 0;
#undef G
	if (f->subject == NULL)
		f->subject = "";
	if (f->detail == NULL)
		f->detail = "";
	return 1;
}

static int
heading(struct parser *p, const struct esc_pos *pos, const char *msg, size_t n)
{
	if (starts_with(msg, n, "parameter ") && re_match(p, P_H_LEAK, msg, n)) {
		block_open(p, pos, msg, n, group_str(p, P_H_LEAK, msg, 1),
		    group_str(p, P_H_LEAK, msg, 2), group_str(p, P_H_LEAK, msg, 3));
		return 1;
	}
	if (re_match(p, P_H_HEAP, msg, n)) {
		block_open(p, pos, msg, n, group_str(p, P_H_HEAP, msg, 1), NULL,
		    group_str(p, P_H_HEAP, msg, 2));
		return 1;
	}
	return 0;
}

/* Appends the step that pattern i (groups: expr, reason, position) just
 * matched in msg to the open flow. */
static void
step_push(struct parser *p, enum pat i, const char *msg)
{
	struct esc_step *st;
	const char *g, *file;
	size_t gl, flen;

	if (p->stn == p->stcap) {
		p->stcap = p->stcap ? 2 * p->stcap : 64;
		p->stv = xreallocarray(p->stv, p->stcap, sizeof(*p->stv));
	}
	st = &p->stv[p->stn];
	memset(st, 0, sizeof(*st));
	g = re_group(p, i, msg, 1, &gl);
	st->expr = pstr(p, g, gl);
	g = re_group(p, i, msg, 2, &gl);
	st->reason = pstr(p, g, gl);
	g = re_group(p, i, msg, 3, &gl);
	if (esc_pos_split(g, gl, &file, &flen, &st->pos.line, &st->pos.col) == 0)
		st->pos.file = pstr(p, file, flen);
	else
		st->pos.file = pstr(p, g, gl);
	p->stn++;
}

static int
explain_line(struct parser *p, const char *msg, size_t n)
{
	if (starts_with(msg, n, "    ") && re_match(p, P_FROM, msg, n)) {
		if (p->cur == NULL || p->fln == 0)
			return 0;
		step_push(p, P_FROM, msg);
		return 1;
	}
	if (starts_with(msg, n, "  flow: ") || starts_with(msg, n, "   flow: ")) {
		struct esc_flow *f;

		if (p->cur == NULL || !re_match(p, P_FLOW, msg, n))
			return 0;
		flow_close(p);
		if (p->fln == p->flcap) {
			p->flcap = p->flcap ? 2 * p->flcap : 32;
			p->flv = xreallocarray(p->flv, p->flcap, sizeof(*p->flv));
		}
		f = &p->flv[p->fln++];
		memset(f, 0, sizeof(*f));
		f->dst = group_str(p, P_FLOW, msg, 1);
		f->src = group_str(p, P_FLOW, msg, 2);
		return 1;
	}
	if (starts_with(msg, n, "  warning: truncated explanation")) {
		if (p->cur == NULL)
			return 0;
		p->cur->truncated = 1;
		return 1;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at s, or 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t k, i;
	unsigned c = s[0];
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

/* Replaces bytes that are not valid UTF-8 with '?'; returns how many. */
static size_t
utf8_fix(char *s, size_t n)
{
	size_t i = 0, bad = 0, k;

	while (i < n) {
		k = utf8_len((const unsigned char *)s + i, n - i);
		if (k == 0) {
			s[i++] = '?';
			bad++;
		} else
			i += k;
	}
	return bad;
}

/* Bit 0: the line has a NUL byte; bit 1: a byte >= 0x80.  Eight bytes
 * at a time: this runs on every line. */
static int
odd_bytes(const char *s, size_t n)
{
	const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
	uint64_t w, acc_hi = 0, acc_nul = 0;
	size_t i = 0;
	int r = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		acc_hi |= w;
		acc_nul |= (w - lo) & ~w;
	}
	for (; i < n; i++) {
		acc_hi |= (unsigned char)s[i];
		if (s[i] == '\0')
			r |= 1;
	}
	if (acc_hi & hi)
		r |= 2;
	if (acc_nul & hi)
		r |= 1;         /* may be a false alarm for bytes >= 0x80 */
	return r;
}

/* Go 1.13 and older: "\tfrom EXPR (REASON) at POS" lines follow their
 * verdict at the same position; they become one flow of one block. */
static int
old_step(struct parser *p, const struct esc_pos *pos, const char *msg, size_t n)
{
	struct esc_finding *f;

	if (!re_match(p, P_OLDFROM, msg, n) || p->fn == 0)
		return 0;
	f = &p->fv[p->fn - 1];
	if (f->pos.line != pos->line || f->pos.col != pos->col ||
	    strcmp(f->pos.file, pos->file) != 0)
		return 0;
	p->old113 = 1;
	if (p->cur == NULL || p->cur->owner != p->fn) {
		block_open(p, pos, f->message, strlen(f->message), f->subject, NULL, NULL);
		p->cur->owner = p->fn;
		if (p->fln == p->flcap) {
			p->flcap = p->flcap ? 2 * p->flcap : 32;
			p->flv = xreallocarray(p->flv, p->flcap, sizeof(*p->flv));
		}
		memset(&p->flv[p->fln], 0, sizeof(p->flv[0]));
		p->flv[p->fln].dst = "";
		p->flv[p->fln].src = f->subject;
		p->fln++;
	}
	step_push(p, P_OLDFROM, msg);
	return 1;
}

static void
process_line(struct parser *p, const char *s, size_t n)
{
	struct esc_pos pos;
	const char *file, *msg;
	size_t flen, off, mn;
	char *clean = NULL;
	int odd;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n == 0) {
		p->counts[LC_BLANK]++;
		return;
	}
	odd = odd_bytes(s, n);
	if ((odd & 1) && memchr(s, '\0', n) != NULL) {
		size_t i;
		warn(p, PW_NUL, "NUL byte in line; replaced with '?'");
		clean = xstrndup(s, n);
		for (i = 0; i < n; i++)
			if (clean[i] == '\0')
				clean[i] = '?';
		s = clean;
	}
	if (odd & 2) {
		char *fixed = xstrndup(s, n);
		if (utf8_fix(fixed, n) > 0) {
			warn(p, PW_UTF8, "invalid UTF-8; bytes replaced with '?'");
			free(clean);
			clean = fixed;
			s = clean;
		} else
			free(fixed);
	}
	if (s[0] == '#' && (n == 1 || s[1] == ' ')) {
		block_close(p);
		package_flush(p);
		p->counts[LC_HEADER]++;
		p->pkgname = n > 2 ? astr(p, s + 2, n - 2) : "";
		p->pkgline = p->lineno;
		p->last_error = 0;
		goto out;
	}
	off = pos_prefix(s, n, &pos, &file, &flen);
	if (off == 0) {
		enum line_class c;
		block_close(p);
		if (p->last_error && (s[0] == '\t' || s[0] == ' '))
			c = LC_ERROR;
		else if (re_match(p, P_TOOL, s, n))
			c = LC_TOOL;
		else {
			c = LC_UNRECOGNISED;
			warn(p, PW_UNRECOGNISED, "unrecognised line");
		}
		keep_line(p, c, s, n);
		goto out;
	}
	pos.file = ring_str(p, file, flen);
	msg = s + off;
	mn = n - off;
	p->pkg_has_content = 1;
	p->last_error = 0;
	if (mn > 0 && msg[0] == '\t' && old_step(p, &pos, msg, mn)) {
		p->counts[LC_EXPLAIN]++;
		goto out;
	}
	if (mn > 0 && msg[0] == ' ') {
		if (explain_line(p, msg, mn)) {
			p->counts[LC_EXPLAIN]++;
		} else {
			warn(p, PW_ORPHAN_FLOW, "explanation line outside a block");
			keep_line(p, LC_UNRECOGNISED, s, n);
		}
		goto out;
	}
	if (mn > 0 && msg[mn - 1] == ':' && heading(p, &pos, msg, mn)) {
		p->counts[LC_EXPLAIN]++;
		goto out;
	}
	block_close(p);
	if (verdict(p, &pos, msg, mn)) {
		p->counts[LC_FINDING]++;
		goto out;
	}
	{
		enum line_class c = classify_other(p, msg, mn);
		if (c == LC_ERROR)
			p->last_error = 1;
		if (c == LC_UNRECOGNISED)
			warn(p, PW_UNRECOGNISED, "unrecognised line");
		if (c == LC_UNRECOGNISED || c == LC_ERROR)
			keep_line(p, c, s, n);
		else
			p->counts[c]++;
	}
out:
	free(clean);
}

static size_t
count_backquotes(const char *s, size_t n)
{
	size_t c = 0;
	const char *q = s, *end = s + n;

	while ((q = memchr(q, '`', (size_t)(end - q))) != NULL) {
		c++;
		q++;
	}
	return c;
}

/* Processes the joined lines one by one, as they were. */
static void
join_abandon(struct parser *p)
{
	size_t i, start = 0;
	unsigned long save = p->lineno;

	p->joining = 0;
	p->lineno = p->join_line;
	for (i = 0; i <= p->join.len; i++) {
		if (i == p->join.len || p->join.buf[i] == '\n') {
			process_line(p, p->join.buf + start, i - start);
			start = i + 1;
			if (i < p->join.len)
				p->lineno++;
		}
	}
	p->lineno = save;
	sbuf_reset(&p->join);
}

/*
 * Go prints raw string literals inside expressions verbatim, so one
 * message can span several lines.  A line with an odd number of
 * backquotes starts a join that ends at the line that balances them; a
 * line carrying the first line's position prefix, or too many lines,
 * abandons it.
 */
static void
physical_line(struct parser *p, const char *s, size_t n)
{
	size_t bq;

	p->lineno++;
	if (p->joining) {
		if (n >= p->join_prefix && p->join_prefix > 0 &&
		    memcmp(s, p->join.buf, p->join_prefix) == 0) {
			join_abandon(p);
		} else {
			sbuf_addc(&p->join, '\n');
			sbuf_add(&p->join, s, n);
			p->join_lines++;
			p->join_bq += count_backquotes(s, n);
			if (p->join_bq % 2 == 0) {
				unsigned long save = p->lineno;
				p->joining = 0;
				p->lineno = p->join_line;
				process_line(p, p->join.buf, p->join.len);
				p->lineno = save;
				sbuf_reset(&p->join);
			} else if (p->join_lines > 4096 || p->join.len > (4u << 20)) {
				join_abandon(p);
			}
			return;
		}
	}
	bq = memchr(s, '`', n) ? count_backquotes(s, n) : 0;
	if (bq % 2 == 1) {
		struct esc_pos pos;
		const char *file;
		size_t flen, off = pos_prefix(s, n, &pos, &file, &flen);
		p->joining = 1;
		p->join_line = p->lineno;
		p->join_lines = 1;
		p->join_bq = bq;
		p->join_prefix = off;
		sbuf_reset(&p->join);
		sbuf_add(&p->join, s, n);
		return;
	}
	process_line(p, s, n);
}

int
parser_feed(struct parser *p, const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len, *nl;

	if (p->stopped)
		return p->stopped;
	if (p->carry.len > 0 || p->carry_cut) {
		nl = memchr(s, '\n', len);
		if (nl == NULL) {
			size_t room = MAX_LINE > p->carry.len ? MAX_LINE - p->carry.len : 0;
			if (len > room) {
				p->carry_cut = 1;
				len = room;
			}
			sbuf_add(&p->carry, s, len);
			return 0;
		}
		{
			size_t piece = (size_t)(nl - s);
			size_t room = MAX_LINE > p->carry.len ? MAX_LINE - p->carry.len : 0;
			if (piece > room) {
				p->carry_cut = 1;
				piece = room;
			}
			sbuf_add(&p->carry, s, piece);
		}
		if (p->carry_cut)
			warn(p, PW_LONG_LINE, "line longer than 16 MiB; cut");
		physical_line(p, p->carry.buf, p->carry.len);
		sbuf_reset(&p->carry);
		p->carry_cut = 0;
		s = nl + 1;
	}
	while (s < end && !p->stopped) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL) {
			size_t rest = (size_t)(end - s);
			if (rest > MAX_LINE) {
				rest = MAX_LINE;
				p->carry_cut = 1;
			}
			sbuf_add(&p->carry, s, rest);
			break;
		}
		if ((size_t)(nl - s) > MAX_LINE) {
			warn(p, PW_LONG_LINE, "line longer than 16 MiB; cut");
			physical_line(p, s, MAX_LINE);
		} else
			physical_line(p, s, (size_t)(nl - s));
		s = nl + 1;
	}
	return p->stopped;
}

int
parser_finish(struct parser *p)
{
	if (!p->stopped && (p->carry.len > 0 || p->carry_cut)) {
		warn(p, PW_NO_NEWLINE, "input ends without a newline (truncated?)");
		physical_line(p, p->carry.buf, p->carry.len);
		sbuf_reset(&p->carry);
	}
	if (!p->stopped && p->joining)
		join_abandon(p);
	/* A complete block ends with a from line; a heading or flow line
	 * with nothing under it means the log was cut inside the block. */
	if (!p->stopped && p->cur != NULL && (p->fln == 0 || p->stn == 0)) {
		unsigned long save = p->lineno;
		p->lineno = p->cur->lineno;
		warn(p, PW_TRUNCATED_BLOCK, "input ends inside an explanation block");
		p->lineno = save;
	}
	if (!p->stopped)
		package_flush(p);
	return p->stopped;
}

int
parser_read(struct parser *p, FILE *fp)
{
	size_t cap = 1 << 20, n;
	char *buf = xmalloc(cap);
	int rc = 0;

	while ((n = fread(buf, 1, cap, fp)) > 0) {
		rc = parser_feed(p, buf, n);
		if (rc)
			break;
	}
	if (rc == 0 && ferror(fp)) {
		int e = errno;
		free(buf);
		errno = e ? e : EIO;
		return -1;
	}
	free(buf);
	if (rc == 0)
		rc = parser_finish(p);
	return rc;
}

const unsigned long *
parser_counts(const struct parser *p)
{
	return p->counts;
}

unsigned long
parser_lines(const struct parser *p)
{
	return p->lineno;
}

int
parser_saw_m2(const struct parser *p)
{
	return p->saw_m2;
}

void
parser_free(struct parser *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < P_N; i++) {
		pcre2_match_data_free(p->md[i]);
		pcre2_code_free(p->re[i]);
	}
	arena_release(&p->arena);
	sbuf_release(&p->carry);
	sbuf_release(&p->join);
	free(p->fv);
	free(p->bv);
	free(p->flv);
	free(p->stv);
	free(p->default_pkg);
	free(p->itab);
	free(p);
}
