/*
 * line.c: what one logical line of compiler output means: a package
 * header, a verdict, an explanation heading, flow or step line, or one of
 * the other line classes.  See parser_int.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "parser_int.h"

#include <stdlib.h>
#include <string.h>

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

/* "    +from EXPR (REASON) at POS", read as P_FROM reads it (EXPR is
 * greedy): the rightmost " (" whose parenthesis closes before any other
 * parenthesis, followed by ") at " and at least one more byte.  No
 * backtracking: each candidate's scan stops at the next parenthesis. */
int
explain_from(const char *s, size_t n, struct span g[3])
{
	size_t i = 0, start, p, q;

	while (i < n && s[i] == ' ')
		i++;
	if (i < 4 || n - i < 5 || memcmp(s + i, "from ", 5) != 0)
		return 0;
	start = i + 5;
	for (p = n; p > start + 1;) {
		const char *c = memrchr(s + start + 1, '(', p - (start + 1));
		if (c == NULL)
			break;
		p = (size_t)(c - s);
		if (s[p - 1] != ' ')
			continue;
		for (q = p + 1; q < n && s[q] != '(' && s[q] != ')'; q++)
			;
		if (q >= n || s[q] != ')' || n - q < 6 || memcmp(s + q, ") at ", 5) != 0)
			continue;
		g[0].s = s + start;
		g[0].n = p - 1 - start;
		g[1].s = s + p + 1;
		g[1].n = q - p - 1;
		g[2].s = s + q + 5;
		g[2].n = n - q - 5;
		return 1;
	}
	return 0;
}

/* "  +flow: DST = SRC:" (or DST \u2190 SRC), read as P_FLOW reads it: DST
 * is lazy (the first separator), SRC runs to the final ':' (before one
 * final newline, as $ allows). */
int
explain_flow(const char *s, size_t n, struct span g[2])
{
	size_t i = 0, start, d, end, k;

	while (i < n && s[i] == ' ')
		i++;
	if (i < 2 || n - i < 6 || memcmp(s + i, "flow: ", 6) != 0)
		return 0;
	start = i + 6;
	if (s[n - 1] == ':')
		end = n - 1;
	else if (n >= 2 && s[n - 1] == '\n' && s[n - 2] == ':')
		end = n - 2;
	else
		return 0;
	for (d = start; d < end; d++) {
		if (s[d] != ' ')
			continue;
		if (d + 3 <= end && s[d + 1] == '=' && s[d + 2] == ' ')
			k = 3;
		else if (d + 5 <= end && memcmp(s + d + 1, "\xe2\x86\x90 ", 4) == 0)
			k = 5;
		else
			continue;
		g[0].s = s + start;
		g[0].n = d - start;
		g[1].s = s + d + k;
		g[1].n = end - d - k;
		return 1;
	}
	return 0;
}

/* Reads a step (expr, reason, position) into st, its texts interned. */
static void
step_read(struct parser *p, const struct span g[3], struct esc_step *st)
{
	const char *file;
	size_t flen;

	memset(st, 0, sizeof(*st));
	st->expr = pstr(p, g[0].s, g[0].n);
	st->reason = pstr(p, g[1].s, g[1].n);
	if (esc_pos_split(g[2].s, g[2].n, &file, &flen, &st->pos.line, &st->pos.col) == 0)
		st->pos.file = pstr(p, file, flen);
	else
		st->pos.file = pstr(p, g[2].s, g[2].n);
}

/* Appends step st, whose bytes hash to h, to the open flow. */
static void
step_add(struct parser *p, const struct esc_step *st, uint64_t h)
{
	if (p->stn == p->stcap) {
		p->stcap = p->stcap ? 2 * p->stcap : 64;
		p->stv = xreallocarray(p->stv, p->stcap, sizeof(*p->stv));
	}
	p->stv[p->stn++] = *st;
	p->sthash = step_hash_add(p->sthash, h);
}

/* Opens a flow of the open block. */
static void
flow_add(struct parser *p, const struct flow_text *ft)
{
	struct esc_flow *f;

	flow_close(p);
	if (p->fln == p->flcap) {
		p->flcap = p->flcap ? 2 * p->flcap : 32;
		p->flv = xreallocarray(p->flv, p->flcap, sizeof(*p->flv));
	}
	f = &p->flv[p->fln++];
	memset(f, 0, sizeof(*f));
	f->dst = ft->dst;
	f->src = ft->src;
}

/* The step of "from ..." text t (the line from "from" on), read once per
 * package: NULL when it is not one. */
static const struct step_text *
step_text(struct parser *p, const char *msg, size_t n, const char *t, size_t tn)
{
	struct htent *e;
	struct step_text *st;
	struct span g[3];

	e = htab_get(&p->steptab, htab_hash(t, tn, 7), t, tn);
	if (e != NULL)
		return e->v.p;
	if (!explain_from(msg, n, g))
		return NULL;
	st = arena_alloc(&p->arena, sizeof(*st));
	step_read(p, g, &st->st);
	st->h = htab_hash(&st->st, sizeof(st->st), 5);
	e = htab_find(&p->steptab, htab_hash(t, tn, 7), t, tn, 1);
	e->k = arena_strndup(&p->arena, t, tn);
	e->v.p = st;
	return st;
}

/* The two texts of "flow: ..." text t (the line from "flow: " on), read
 * once per package: NULL when it is not one. */
static const struct flow_text *
flow_text(struct parser *p, const char *msg, size_t n, const char *t, size_t tn)
{
	struct htent *e;
	struct flow_text *ft;
	struct span g[2];

	e = htab_get(&p->flowtab, htab_hash(t, tn, 9), t, tn);
	if (e != NULL)
		return e->v.p;
	if (!explain_flow(msg, n, g))
		return NULL;
	ft = arena_alloc(&p->arena, sizeof(*ft));
	ft->dst = pstr(p, g[0].s, g[0].n);
	ft->src = pstr(p, g[1].s, g[1].n);
	e = htab_find(&p->flowtab, htab_hash(t, tn, 9), t, tn, 1);
	e->k = arena_strndup(&p->arena, t, tn);
	e->v.p = ft;
	return ft;
}

/*
 * Most lines are the previous line's position prefix and a step or flow
 * text read before in this package.  Such a line is made of bytes that
 * were checked (NUL, UTF-8) and read already, so it is taken as it is,
 * with the outcome process_line would reach; anything else (a text not
 * seen yet, a step outside a flow) returns 0 and takes the long way.
 */
static int
explain_seen(struct parser *p, const char *s, size_t n)
{
	const char *msg;
	size_t mn, i;
	struct htent *e;
	const struct step_text *st;

	if (p->pfxn == 0 || n < p->pfxn + 8 || memcmp(s, p->pfx, p->pfxn) != 0)
		return 0;
	msg = s + p->pfxn;
	mn = n - p->pfxn;
	if (msg[0] != ' ' || msg[1] != ' ')
		return 0;
	for (i = 2; i < mn && msg[i] == ' '; i++)
		;
	if (i >= 4 && mn - i >= 5 && memcmp(msg + i, "from ", 5) == 0) {
		if (p->cur == NULL || p->fln == 0)
			return 0;
		e = htab_get(&p->steptab, htab_hash(msg + i, mn - i, 7), msg + i, mn - i);
		if (e == NULL)
			return 0;
		st = e->v.p;
		step_add(p, &st->st, st->h);
	} else if (i <= 3 && mn - i >= 6 && memcmp(msg + i, "flow: ", 6) == 0) {
		if (p->cur == NULL)
			return 0;
		e = htab_get(&p->flowtab, htab_hash(msg + i, mn - i, 9), msg + i, mn - i);
		if (e == NULL)
			return 0;
		flow_add(p, e->v.p);
	} else
		return 0;
	p->pkg_has_content = 1;
	p->last_error = 0;
	p->counts[LC_EXPLAIN]++;
	return 1;
}

static int
explain_line(struct parser *p, const char *msg, size_t n)
{
	size_t i;

	if (starts_with(msg, n, "    ")) {
		const struct step_text *st = NULL;
		for (i = 4; i < n && msg[i] == ' '; i++)
			;
		if (n - i >= 5 && memcmp(msg + i, "from ", 5) == 0)
			st = step_text(p, msg, n, msg + i, n - i);
		if (st != NULL) {
			if (p->cur == NULL || p->fln == 0)
				return 0;
			step_add(p, &st->st, st->h);
			return 1;
		}
	}
	if (starts_with(msg, n, "  flow: ") || starts_with(msg, n, "   flow: ")) {
		const struct flow_text *ft;

		i = msg[2] == 'f' ? 2 : 3;
		if (p->cur == NULL || (ft = flow_text(p, msg, n, msg + i, n - i)) == NULL)
			return 0;
		flow_add(p, ft);
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
	{
		struct span g[3];
		struct esc_step st;
		int k;
		for (k = 0; k < 3; k++)
			g[k].s = re_group(p, P_OLDFROM, msg, k + 1, &g[k].n);
		step_read(p, g, &st);
		step_add(p, &st, htab_hash(&st, sizeof(st), 5));
	}
	return 1;
}

static const char UNKNOWN_POS[] = "<unknown line number>: ";

/* Go 1.26+ prints some range-over-func verdicts with no position at all
 * ("moved to heap: #next", "F capturing by ref: #next (...)"): stored
 * with an empty file and line 0. */
static int
nopos_verdict(struct parser *p, const char *s, size_t n)
{
	struct esc_pos pos = { "", 0, 0 };

	if (!verdict(p, &pos, s, n))
		return 0;
	p->pkg_has_content = 1;
	p->last_error = 0;
	return 1;
}

void
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
	if (explain_seen(p, s, n))
		return;
	odd = odd_bytes(s, n);
	if ((odd & 1) && memchr(s, '\0', n) != NULL) {
		size_t i;
		pwarn(p, PW_NUL, "NUL byte in line; replaced with '?'");
		clean = xstrndup(s, n);
		for (i = 0; i < n; i++)
			if (clean[i] == '\0')
				clean[i] = '?';
		s = clean;
	}
	if (odd & 2) {
		char *fixed = xstrndup(s, n);
		if (utf8_fix(fixed, n) > 0) {
			pwarn(p, PW_UTF8, "invalid UTF-8; bytes replaced with '?'");
			free(clean);
			clean = fixed;
			s = clean;
		} else
			free(fixed);
	}
	if (parser_heading_text(s, n)) {       /* its CR dropped above */
		block_close(p);
		package_flush(p);
		p->counts[LC_HEADER]++;
		p->pkgname = n > 2 ? astr(p, s + 2, n - 2) : "";
		p->pkgline = p->lineno;
		p->last_error = 0;
		goto out;
	}
	/* the lines of a block repeat their heading's prefix: the same
	 * bytes read the same (pos_prefix looks at nothing past them) */
	if (p->pfxn > 0 && n >= p->pfxn && memcmp(s, p->pfx, p->pfxn) == 0) {
		off = p->pfxn;
		pos = p->pfxpos;
		goto positioned;
	}
	off = pos_prefix(s, n, &pos, &file, &flen);
	if (off == 0 && starts_with(s, n, UNKNOWN_POS)) {
		/* Go 1.26+: range-over-func rewrites print some blocks at
		 * "<unknown line number>"; they have no position */
		off = sizeof(UNKNOWN_POS) - 1;
		file = "";
		flen = 0;
		pos.line = pos.col = 0;
	}
	if (off == 0) {
		enum line_class c;
		block_close(p);
		if (p->last_error && (s[0] == '\t' || s[0] == ' '))
			c = LC_ERROR;
		else if (re_match(p, P_TOOL, s, n))
			c = LC_TOOL;
		else if (nopos_verdict(p, s, n)) {
			p->counts[LC_FINDING]++;
			goto out;
		} else {
			c = LC_UNRECOGNISED;
			pwarn(p, PW_UNRECOGNISED, "unrecognised line");
		}
		keep_line(p, c, s, n);
		goto out;
	}
	pos.file = flen ? pstr(p, file, flen) : "";
	if (flen > 0 && off <= sizeof(p->pfx)) {        /* not UNKNOWN_POS */
		memcpy(p->pfx, s, off);
		p->pfxn = off;
		p->pfxpos = pos;
	}
positioned:
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
			pwarn(p, PW_ORPHAN_FLOW, "explanation line outside a block");
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
			pwarn(p, PW_UNRECOGNISED, "unrecognised line");
		if (c == LC_UNRECOGNISED || c == LC_ERROR)
			keep_line(p, c, s, n);
		else
			p->counts[c]++;
	}
out:
	free(clean);
}
