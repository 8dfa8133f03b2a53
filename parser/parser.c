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
#include "parser_int.h"
#include "../lib/readahead.h"

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
const char *const parser_pat_src[P_N] = {
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
	[P_H_LEAK] = "^parameter (.+?) leaks to (.+?)(?: for ((?:(?! for ).)+))? with derefs=(-?\\d+):$",
	[P_H_HEAP] = "^(.+) escapes to heap(?: in (.+))?:$",
	[P_FLOW] = "^  +flow: (.*?) (?:=|\xe2\x86\x90) (.*):$",
	[P_FROM] = "^    +from (.*) \\(([^()]*)\\) at (.+)$",
	[P_OLDFROM] = "^\\tfrom (.*) \\(([^()]*)\\) at (.+)$",
	[P_OLDPREFIX] = "^((?:\\(\\*?[A-Za-z_][\\w.\\[\\]]*\\)\\.)?[A-Za-z_][\\w.]*) ([^ ].*)$",
	[P_INLINE] = "^(?:can inline |cannot inline |inlining call to |inline call to |not inlining |skipping inlining)",
	[P_DEVIRT] = "^(?:PGO |partially )*devirtualiz",
	[P_BOUNDS] = "bounds check|^Found Is(?:Slice)?InBounds",
	[P_OTHER_OPT] = "^(?:stack frame too large|imprecise interface call$|hot-|converting |inlining |write barrier|generated nil check|removed nil check|nil check|Proved |Disproved |Induction variable|.*\\bloop\\b.*rotated)",
	[P_ERROR] = "^(?:syntax error|undefined: |cannot |invalid |missing |too many |not enough |assignment mismatch|declared and not used|\".*\" imported and not used|imported and not used|no new variables|unexpected |expected |duplicate |non-|.* redeclared|.* is not used|.* (?:is not|does not) (?:a |implement|have|exist)|.*: (?:undefined|missing))",
	[P_TOOL] = "^(?:go: |note: |go build |go version |warning: |pattern |package |can't load package|build constraints|found packages )",
};

/* Interns s[0..n) for the current package (arena-backed). */
const char *
pstr(struct parser *p, const char *s, size_t n)
{
	struct htent *e;
	size_t before = p->itab.n;

	if (s == NULL)
		return NULL;
	e = htab_find(&p->itab, htab_hash(s, n, 3), s, n, 1);
	if (p->itab.n != before)        /* new: keep a copy */
		e->k = arena_strndup(&p->arena, s, n);
	return e->k;
}

void
pstr_reset(struct parser *p)
{
	htab_reset(&p->itab);
	htab_reset(&p->steptab);
	htab_reset(&p->flowtab);
	htab_reset(&p->seqtab);
	p->pfxn = 0;
}

int
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
const char *
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

const char *
astr(struct parser *p, const char *s, size_t n)
{
	return arena_strndup(&p->arena, s ? s : "", s ? n : 0);
}


const char *
group_str(struct parser *p, enum pat i, const char *s, int g)
{
	size_t n;
	const char *g0 = re_group(p, i, s, g, &n);

	return g0 ? pstr(p, g0, n) : NULL;
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
size_t
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
		p->re[i] = pcre2_compile((PCRE2_SPTR)parser_pat_src[i], PCRE2_ZERO_TERMINATED,
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

void
pwarn(struct parser *p, enum parser_warning w, const char *text)
{
	if (p->sink.warning)
		p->sink.warning(p->sink.ctx, w, p->lineno, text);
}

int
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
physical_line(struct parser *p, const char *s, size_t n, int maybe_bq)
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
			p->join_bq += maybe_bq ? count_backquotes(s, n) : 0;
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
	bq = maybe_bq && memchr(s, '`', n) ? count_backquotes(s, n) : 0;
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
	const char *s = buf, *end = buf + len, *nl, *bqnext;

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
			pwarn(p, PW_LONG_LINE, "line longer than 16 MiB; cut");
		physical_line(p, p->carry.buf, p->carry.len, 1);
		sbuf_reset(&p->carry);
		p->carry_cut = 0;
		s = nl + 1;
	}
	/* Backquotes are rare: one search finds the next, and the lines
	 * before it skip theirs. */
	bqnext = memchr(s, '`', (size_t)(end - s));
	if (bqnext == NULL)
		bqnext = end;
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
		if (bqnext < s) {
			bqnext = memchr(s, '`', (size_t)(end - s));
			if (bqnext == NULL)
				bqnext = end;
		}
		if ((size_t)(nl - s) > MAX_LINE) {
			pwarn(p, PW_LONG_LINE, "line longer than 16 MiB; cut");
			physical_line(p, s, MAX_LINE, bqnext < nl);
		} else
			physical_line(p, s, (size_t)(nl - s), bqnext < nl);
		s = nl + 1;
	}
	return p->stopped;
}

int
parser_finish(struct parser *p)
{
	if (!p->stopped && (p->carry.len > 0 || p->carry_cut)) {
		p->lineno++;    /* the warning names the cut line itself */
		pwarn(p, PW_NO_NEWLINE, "input ends without a newline (truncated?)");
		p->lineno--;
		physical_line(p, p->carry.buf, p->carry.len, 1);
		sbuf_reset(&p->carry);
	}
	if (!p->stopped && p->joining)
		join_abandon(p);
	/* A heading is always followed by at least one flow line; a heading
	 * with nothing under it means the log was cut inside the block.  A
	 * flow line with no from lines is complete: the compiler prints
	 * thousands of them (26k in a -m=2 build of std), and the last block
	 * of a parallel build's output may well end with one. */
	if (!p->stopped && p->cur != NULL && p->fln == 0) {
		unsigned long save = p->lineno;
		p->lineno = p->cur->lineno;
		pwarn(p, PW_TRUNCATED_BLOCK, "input ends inside an explanation block");
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
	struct readahead *ra = readahead_start(fp, cap);
	char *buf;
	int rc = 0;

	if (ra != NULL) {
		/* a regular file: read on the other core, a chunk ahead */
		const char *chunk;
		ssize_t k;

		while ((k = readahead_next(ra, &chunk)) > 0)
			if ((rc = parser_feed(p, chunk, (size_t)k)) != 0)
				break;
		readahead_stop(ra);
		if (rc == 0 && k < 0)
			return -1;
		if (rc == 0)
			rc = parser_finish(p);
		return rc;
	}
	buf = xmalloc(cap);
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

int
parser_idle(const struct parser *p)
{
	/* an explanation block's heading with nothing under it yet: the
	 * input may be cut there (parser_finish warns) */
	return !p->joining && p->carry.len == 0 && !p->carry_cut &&
	    !(p->cur != NULL && p->fln == 0);
}

int
parser_flush(struct parser *p)
{
	if (!p->stopped)
		package_flush(p);
	return p->stopped;
}

void
parser_skip(struct parser *p, unsigned long nlines, const unsigned long counts[LC_N],
    int saw_m2)
{
	int i;

	p->lineno += nlines;
	for (i = 0; i < LC_N; i++)
		p->counts[i] += counts[i];
	p->saw_m2 |= saw_m2;
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
	htab_release(&p->itab);
	htab_release(&p->steptab);
	htab_release(&p->flowtab);
	htab_release(&p->seqtab);
	free(p);
}
