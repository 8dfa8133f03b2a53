/*
 * funcscan: see funcscan.h.  Three linear passes over one file:
 *   1. lex: Go tokens with positions and the "newline before" bit that
 *      drives semicolon insertion (comments, strings, raw strings, runes);
 *   2. prepass: the last label of every statement list (cmd/compile keeps
 *      dead statements before a block's last label) and file-level boolean
 *      constants (for `if debug {` elimination);
 *   3. scan: an explicit bracket stack (depth-capped, no recursion) that
 *      finds declarations, func literals (func + signature + `{` outside a
 *      type context), their ranges and their compiler-compatible names.
 */
#include "funcscan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

/* --------------------------------------------------------------- scan */

enum role {
	R_OTHER, R_FUNC, R_UNREC, R_IFTHEN, R_ELSE, R_BARE, R_FOR
};

enum { DEAD_BLOCK = 1, DEAD_TAIL = 2, DEAD_CHAIN = 4 };
enum { H_NONE, H_IF, H_FOR };

struct frame {
	uint8_t kind;           /* '(' '[' '{' or 'R' (the file) */
	uint8_t role;
	uint8_t typeprefix;     /* '[' of a slice/array/map type, not an index */
	uint8_t saved_complit;
	uint8_t deadbits;
	int8_t cond;            /* R_IFTHEN: static value of the condition */
	uint8_t stmt_term;      /* the current statement terminates */
	uint8_t hdr;            /* pending if/for header */
	uint8_t hdr_semis;
	uint8_t chain_active, chain_acc, chain_done, else_expected;
	int hdr_start, cond_start, cond_end;
	int seg_key;            /* aux[] key of the current statement list */
};

struct fctx {
	int fn;                 /* recorded function, -1 for the package level */
	uint32_t name;
	uint32_t namelen;
	int islit;
	int counter;
};

struct state {
	struct scan *S;
	struct frame *fr;
	int sp;                 /* fr[sp] is the top; fr[0] is the file */
	long over;              /* openers beyond MAX_FRAMES not yet closed */
	int ndead;              /* frames with deadbits */
	int nunrec;             /* open bodies of unrecorded functions */
	struct fctx fc[MAX_FDEPTH];
	int nfc;
	int complit;            /* a composite literal's `{` may come next */
	int vardecl;            /* open package-level var declaration, or -1 */
	int last_close_tp;      /* the last `]` closed a type prefix */
};

static void set_dead(struct state *st, struct frame *f, uint8_t bit, int on)
{
	uint8_t old = f->deadbits;

	f->deadbits = on ? (uint8_t)(old | bit) : (uint8_t)(old & ~bit);
	if (!old && f->deadbits)
		st->ndead++;
	else if (old && !f->deadbits)
		st->ndead--;
}

static struct frame *push(struct state *st, uint8_t kind, int open)
{
	struct frame *f;

	if (st->over || st->sp + 1 >= MAX_FRAMES) {
		st->over++;
		return NULL;
	}
	f = &st->fr[++st->sp];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->seg_key = open;
	f->hdr_start = f->cond_start = f->cond_end = -1;
	return f;
}

/* Appends a[0..an) and a NUL to the names arena; returns its offset.
 * a must not point into the arena.  The caller checked the budget. */
static uint32_t names_add(struct funcscan *fs, const char *a, size_t an)
{
	size_t need = fs->nnames + an + 1;
	uint32_t off = (uint32_t)fs->nnames;

	if (need > fs->capnames) {
		size_t cap = fs->capnames ? fs->capnames : 256;
		while (cap < need)
			cap *= 2;
		fs->names = xrealloc(fs->names, cap);
		fs->capnames = cap;
	}
	if (an)
		memcpy(fs->names + fs->nnames, a, an);
	fs->names[fs->nnames + an] = '\0';
	fs->nnames = need;
	return off;
}

static int record(struct funcscan *fs, int sl, int sc, int parent, int depth,
    uint32_t name)
{
	struct fsfunc *f;

	if (fs->nfn == fs->capfn) {
		fs->capfn = fs->capfn ? fs->capfn * 2 : 64;
		fs->fn = xreallocarray(fs->fn, fs->capfn, sizeof *fs->fn);
	}
	f = &fs->fn[fs->nfn];
	f->sl = sl;
	f->sc = sc;
	f->el = f->ec = INT_MAX;
	f->parent = parent;
	f->depth = depth;
	f->name = name;
	return (int)fs->nfn++;
}

static int name_fits(const struct funcscan *fs, size_t n)
{
	return n <= MAX_NAME && fs->nnames + n + 1 <= fs->budget;
}

/* The end position (last byte) of token i, for bodyless declarations. */
static void tok_end(const struct scan *S, int i, int *line, int *col)
{
	*line = S->t[i].line;
	*col = S->t[i].col + (S->t[i].len ? S->t[i].len - 1 : 0);
}

/* The index just after one type starting at tok[j] (iterative). */
static int parse_type(const struct scan *S, int j)
{
	for (;;) {
		if (semi_before(S, j))
			return j;
		switch (S->t[j].kind) {
		case T_IDENT:
			j++;
			if (S->t[j].kind == T_DOT && S->t[j + 1].kind == T_IDENT)
				j += 2;
			if (S->t[j].kind == T_LBRACK && !semi_before(S, j))
				j = skip_balanced(S, j);
			return j;
		case T_STAR:
		case T_ELLIPSIS:
			j++;
			continue;
		case T_LBRACK:
			j = skip_balanced(S, j);
			continue;
		case K_MAP:
			j++;
			if (S->t[j].kind == T_LBRACK)
				j = skip_balanced(S, j);
			continue;
		case K_CHAN:
			j++;
			if (S->t[j].kind == T_ARROW)
				j++;
			continue;
		case T_ARROW:
			j++;
			if (S->t[j].kind == K_CHAN)
				j++;
			continue;
		case K_FUNC:
			j++;
			if (S->t[j].kind != T_LPAREN)
				return j;
			j = skip_balanced(S, j);
			if (semi_before(S, j))
				return j;
			switch (S->t[j].kind) {
			case T_LPAREN:
				return skip_balanced(S, j);
			case T_IDENT: case T_STAR: case T_LBRACK: case K_MAP:
			case K_CHAN: case T_ARROW: case K_FUNC: case K_STRUCT:
			case K_INTERFACE:
				continue;
			default:
				return j;
			}
		case K_STRUCT:
		case K_INTERFACE:
			j++;
			if (S->t[j].kind == T_LBRACE)
				j = skip_balanced(S, j);
			return j;
		case T_LPAREN:
			return skip_balanced(S, j);
		default:
			return j;
		}
	}
}

/* After a parameter list ending just before tok[j]: skips the result. */
static int parse_result(const struct scan *S, int j)
{
	if (semi_before(S, j))
		return j;
	if (S->t[j].kind == T_LPAREN)
		return skip_balanced(S, j);
	return parse_type(S, j);
}

static void open_body(struct state *st, int lbrace, int fn, uint32_t name,
    uint32_t namelen, int islit)
{
	struct frame *f = push(st, '{', lbrace);

	if (!f)
		return;
	if (fn < 0) {
		f->role = R_UNREC;
		st->nunrec++;
		return;
	}
	f->role = R_FUNC;
	st->fc[st->nfc].fn = fn;
	st->fc[st->nfc].name = name;
	st->fc[st->nfc].namelen = namelen;
	st->fc[st->nfc].islit = islit;
	st->fc[st->nfc].counter = 0;
	st->nfc++;
}

/* A declaration `func [recv] name[...](...) result [body]` at tok[i]. */
static int func_decl(struct state *st, int i)
{
	struct scan *S = st->S;
	struct funcscan *fs = S->fs;
	int j = i + 1, recv = -1, name, fn = -1;
	uint32_t noff = 0, nlen = 0;

	if (S->t[j].kind == T_LPAREN) {
		long pd = 0, bd = 0;
		for (; j < S->nt; j++) {
			uint8_t k = S->t[j].kind;
			if (k == T_LBRACK)
				bd++;
			else if (k == T_RBRACK)
				bd--;
			else if (k == T_LPAREN || k == T_LBRACE)
				pd++;
			else if ((k == T_RPAREN || k == T_RBRACE) && --pd <= 0) {
				j++;
				break;
			} else if (k == T_IDENT && bd <= 0)
				recv = j;
		}
	}
	if (S->t[j].kind != T_IDENT)
		return -1;
	name = j++;
	if (S->t[j].kind == T_LBRACK && !semi_before(S, j))
		j = skip_balanced(S, j);
	if (S->t[j].kind == T_LPAREN && !semi_before(S, j))
		j = parse_result(S, skip_balanced(S, j));

	{
		size_t rl = recv >= 0 ? S->t[recv].len : 0;
		size_t nl = S->t[name].len;
		size_t total = rl + (recv >= 0) + nl;
		if (name_fits(fs, total)) {
			char buf[MAX_NAME + 1];
			if (recv >= 0) {
				memcpy(buf, S->src + S->t[recv].off, rl);
				buf[rl] = '.';
				memcpy(buf + rl + 1, S->src + S->t[name].off, nl);
			} else
				memcpy(buf, S->src + S->t[name].off, nl);
			noff = names_add(fs, buf, total);
			nlen = (uint32_t)total;
			fn = record(fs, S->t[i].line, S->t[i].col, -1, 0, noff);
		}
	}
	if (S->t[j].kind == T_LBRACE && !semi_before(S, j)) {
		open_body(st, j, fn, noff, nlen, 0);
		return j + 1;
	}
	if (fn >= 0) {
		int last = j > i + 1 ? j - 1 : i;
		tok_end(S, last, &fs->fn[fn].el, &fs->fn[fn].ec);
	}
	return j;
}

/* A func literal at tok[i] whose body `{` is tok[body]. */
static void func_lit(struct state *st, int i, int body)
{
	struct scan *S = st->S;
	struct funcscan *fs = S->fs;
	struct fctx *p;
	char suf[32];
	int n, fn = -1;
	uint32_t noff = 0;
	size_t total;

	if (st->ndead || st->nunrec || st->over) {
		open_body(st, body, -1, 0, 0, 1);
		return;
	}
	p = &st->fc[st->nfc - 1];
	p->counter++;
	if (st->nfc >= MAX_FDEPTH) {
		open_body(st, body, -1, 0, 0, 1);
		return;
	}
	n = snprintf(suf, sizeof suf, p->islit ? ".%d" : ".func%d", p->counter);
	total = p->namelen + (size_t)n;
	if (n > 0 && name_fits(fs, total)) {
		char buf[MAX_NAME + 1];
		memcpy(buf, fs->names + p->name, p->namelen);
		memcpy(buf + p->namelen, suf, (size_t)n);
		noff = names_add(fs, buf, total);
		fn = record(fs, S->t[i].line, S->t[i].col + 4, p->fn,
		    p->fn >= 0 ? fs->fn[p->fn].depth + 1 : 0, noff);
	}
	open_body(st, body, fn, noff, (uint32_t)total, 1);
}

/* `func` in expression or type position: a literal or a func type. */
static int func_expr(struct state *st, int i, int typectx)
{
	const struct scan *S = st->S;
	int j = i + 1;

	if (S->t[j].kind != T_LPAREN)
		return i + 1;
	j = parse_result(S, skip_balanced(S, j));
	if (!typectx && S->t[j].kind == T_LBRACE && !semi_before(S, j)) {
		func_lit(st, i, j);
		return j + 1;
	}
	st->complit = typectx;
	return j;
}

static void chain_end(struct state *st, struct frame *f, int had_else)
{
	if (!had_else && !f->chain_done)
		f->chain_acc = 0;
	f->stmt_term = f->chain_acc;
	f->chain_active = 0;
	f->else_expected = 0;
	set_dead(st, f, DEAD_CHAIN, 0);
}

static void close_frame(struct state *st, int i)
{
	struct scan *S = st->S;
	struct frame b, *f;

	if (st->over) {
		st->over--;
		return;
	}
	if (st->sp == 0)
		return;
	b = st->fr[st->sp];
	set_dead(st, &st->fr[st->sp], 0xff, 0);
	st->sp--;
	f = &st->fr[st->sp];
	if (b.kind == '[') {
		st->last_close_tp = b.typeprefix;
		st->complit = b.typeprefix ? 1 : b.saved_complit;
	}
	switch (b.role) {
	case R_FUNC:
		st->nfc--;
		S->fs->fn[st->fc[st->nfc].fn].el = S->t[i].line;
		S->fs->fn[st->fc[st->nfc].fn].ec = S->t[i].col;
		break;
	case R_UNREC:
		st->nunrec--;
		break;
	case R_BARE:
		f->stmt_term = b.stmt_term;
		break;
	case R_IFTHEN:
		if (!f->chain_active)
			break;
		if (!f->chain_done) {
			f->chain_acc = (uint8_t)(f->chain_acc && (b.cond < 0 || b.stmt_term));
			if (b.cond > 0)
				f->chain_done = 1;
		}
		if (S->t[i + 1].kind == K_ELSE)
			f->else_expected = 1;
		else
			chain_end(st, f, 0);
		break;
	case R_ELSE:
		if (!f->chain_active)
			break;
		if (!f->chain_done)
			f->chain_acc = (uint8_t)(f->chain_acc && b.stmt_term);
		chain_end(st, f, 1);
		break;
	default:
		break;
	}
}

static void open_brace(struct state *st, int i, int cl_now)
{
	struct scan *S = st->S;
	struct frame *f = &st->fr[st->sp], *b;
	uint8_t role = R_OTHER;
	int cond = 0, dead = 0;
	int atstmt = (f->kind == '{' || f->kind == 'R') && boundary(S, i);

	if (st->over) {
		st->over++;
		return;
	}
	if (cl_now && !atstmt) {
		role = R_OTHER;                 /* T{...}: keeps a pending header */
	} else if (f->hdr == H_IF) {
		cond = has_const_leaf(S, f->hdr_start, i) ?
		    static_bool(S, f->hdr_start, i) : 0;
		role = R_IFTHEN;
		dead = cond < 0;
		f->hdr = H_NONE;
	} else if (f->hdr == H_FOR) {
		if (f->hdr_semis == 0)
			cond = static_bool(S, f->hdr_start, i);
		else if (f->hdr_semis == 2 && f->cond_start >= 0 && f->cond_end >= 0)
			cond = static_bool(S, f->cond_start, f->cond_end);
		role = R_FOR;
		dead = cond < 0;
		f->hdr = H_NONE;
	} else if (i > 0 && S->t[i - 1].kind == K_ELSE && f->chain_active) {
		role = R_ELSE;
	} else if (atstmt) {
		role = R_BARE;
	}
	b = push(st, '{', i);
	if (!b)
		return;
	b->role = role;
	b->cond = (int8_t)cond;
	if (dead)
		set_dead(st, b, DEAD_BLOCK, 1);
}

static void stmt_start(struct state *st, struct frame *f, int i)
{
	const struct scan *S = st->S;
	uint8_t k = S->t[i].kind;

	if (k == T_SEMI || k == T_RBRACE || k == T_EOF)
		return;
	if (k == K_CASE || k == K_DEFAULT) {
		f->seg_key = i;
		f->stmt_term = 0;
		set_dead(st, f, DEAD_TAIL, 0);
		return;
	}
	if (f->stmt_term && f->kind == '{' &&
	    (f->seg_key < 0 || i > S->aux[f->seg_key]))
		set_dead(st, f, DEAD_TAIL, 1);
	if (k == T_IDENT && S->t[i + 1].kind == T_COLON) {
		set_dead(st, f, DEAD_TAIL, 0);
		f->stmt_term = 0;
		return;
	}
	f->stmt_term = (uint8_t)(k == K_RETURN || k == K_GOTO ||
	    (tok_is(S, i, "panic") && S->t[i + 1].kind == T_LPAREN));
}

static void end_vardecl(struct state *st, int last)
{
	struct funcscan *fs = st->S->fs;

	tok_end(st->S, last, &fs->fn[st->vardecl].el, &fs->fn[st->vardecl].ec);
	st->vardecl = -1;
	st->fc[0].fn = -1;
}

static void scan_all(struct scan *S)
{
	struct state st;
	struct funcscan *fs = S->fs;
	int i = 0;

	memset(&st, 0, sizeof st);
	st.S = S;
	st.fr = xmalloc(MAX_FRAMES * sizeof *st.fr);
	memset(&st.fr[0], 0, sizeof st.fr[0]);
	st.fr[0].kind = 'R';
	st.fr[0].seg_key = -1;
	st.fc[0].fn = -1;
	st.fc[0].name = 1;              /* "init" */
	st.fc[0].namelen = 4;
	st.nfc = 1;
	st.vardecl = -1;

	while (i < S->nt) {
		const struct tok *t = &S->t[i];
		struct frame *f = &st.fr[st.sp];
		uint8_t k = t->kind;
		int cl_now = st.complit;

		st.complit = 0;
		if (st.over) {
			if (is_open(k))
				st.over++;
			else if (is_close(k))
				st.over--;
			i++;
			continue;
		}
		if ((f->kind == '{' || f->kind == 'R') && boundary(S, i)) {
			if (st.sp == 0 && st.vardecl >= 0)
				end_vardecl(&st, i - 1);
			stmt_start(&st, f, i);
		}

		switch (k) {
		case K_VAR:
			/* package-level initialisers run in the package's init */
			if (st.sp == 0 && boundary(S, i) && st.vardecl < 0 &&
			    name_fits(fs, 0)) {
				st.vardecl = record(fs, t->line, t->col, -1, 0, 1);
				st.fc[0].fn = st.vardecl;
			}
			break;
		case K_PACKAGE:
			if (st.sp == 0 && !fs->pkg[0] && S->t[i + 1].kind == T_IDENT) {
				size_t n = S->t[i + 1].len;
				if (n >= MAX_PKG)
					n = MAX_PKG - 1;
				memcpy(fs->pkg, S->src + S->t[i + 1].off, n);
				fs->pkg[n] = '\0';
			}
			break;
		case K_FUNC: {
			int next = -1;
			if (st.sp == 0 && boundary(S, i))
				next = func_decl(&st, i);
			if (next < 0)
				next = func_expr(&st, i, cl_now);
			i = next;
			continue;
		}
		case K_STRUCT:
		case K_INTERFACE:
			if (S->t[i + 1].kind == T_LBRACE) {
				st.complit = cl_now;
				i = skip_balanced(S, i + 1);
				continue;
			}
			break;
		case T_IDENT:
		case T_DOT:
		case T_STAR:
		case T_ARROW:
		case K_CHAN:
		case K_MAP:
			st.complit = cl_now;
			break;
		case T_LPAREN: {
			push(&st, '(', -1);
			break;
		}
		case T_LBRACK: {
			int tp = 1;
			struct frame *b;
			if (i > 0) {
				uint8_t pk = S->t[i - 1].kind;
				switch (pk) {
				case T_IDENT: case T_NUM: case T_STR: case T_RUNE:
				case T_RPAREN: case T_RBRACE:
					tp = 0;
					break;
				case T_RBRACK:
					tp = st.last_close_tp;
					break;
				default:
					break;
				}
			}
			b = push(&st, '[', -1);
			if (b) {
				b->typeprefix = (uint8_t)tp;
				b->saved_complit = (uint8_t)cl_now;
			}
			break;
		}
		case T_LBRACE:
			open_brace(&st, i, cl_now);
			break;
		case T_RPAREN:
		case T_RBRACK:
		case T_RBRACE:
			close_frame(&st, i);
			break;
		case T_SEMI:
			if (f->hdr != H_NONE) {
				if (f->hdr_semis < 255)
					f->hdr_semis++;
				if (f->hdr_semis == 1)
					f->cond_start = i + 1;
				else if (f->hdr_semis == 2)
					f->cond_end = i;
				f->hdr_start = i + 1;
			}
			break;
		case K_IF:
			if (!(i > 0 && S->t[i - 1].kind == K_ELSE && f->chain_active)) {
				f->chain_active = 1;
				f->chain_acc = 1;
				f->chain_done = 0;
				f->else_expected = 0;
				set_dead(&st, f, DEAD_CHAIN, 0);
			}
			f->hdr = H_IF;
			f->hdr_start = i + 1;
			f->hdr_semis = 0;
			break;
		case K_FOR:
			f->hdr = H_FOR;
			f->hdr_start = i + 1;
			f->hdr_semis = 0;
			f->cond_start = f->cond_end = -1;
			break;
		case K_ELSE:
			if (f->chain_active && f->else_expected) {
				f->else_expected = 0;
				if (f->chain_done)
					set_dead(&st, f, DEAD_CHAIN, 1);
			}
			break;
		default:
			break;
		}
		i++;
	}
	if (st.vardecl >= 0 && S->nt > 0)
		end_vardecl(&st, S->nt - 1);
	free(st.fr);
}

/* ---------------------------------------------------------------- API */

struct funcscan *funcscan_new(const char *src, size_t len)
{
	struct funcscan *fs = xcalloc(1, sizeof *fs);
	struct lexer L;
	struct scan S;
	int line;

	if (!src)
		len = 0;
	if (len > MAX_SRC)
		len = MAX_SRC;
	fs->budget = 4 * len + 4096;
	names_add(fs, "", 0);          /* offset 0: "" */
	names_add(fs, "init", 4);      /* offset 1: package level */

	memset(&L, 0, sizeof L);
	L.s = (const unsigned char *)(src ? src : "");
	L.n = len;
	lex(&L);

	fs->nlines = L.line;
	fs->line_first = xcalloc((size_t)fs->nlines + 1, sizeof *fs->line_first);
	fs->line_last = xcalloc((size_t)fs->nlines + 1, sizeof *fs->line_last);
	for (size_t k = 0; k < L.nt; k++) {
		line = L.t[k].line;
		if (line < 1 || line > fs->nlines)
			continue;
		if (!fs->line_first[line])
			fs->line_first[line] = L.t[k].col;
		fs->line_last[line] = L.t[k].col;
	}

	memset(&S, 0, sizeof S);
	S.fs = fs;
	S.src = src ? src : "";
	S.t = L.t;
	S.nt = (int)L.nt;
	prepass(&S);
	scan_all(&S);

	free(S.aux);
	free(S.cname);
	free(S.cval);
	free(L.t);
	return fs;
}

static int pos_le(int l1, int c1, int l2, int c2)
{
	return l1 < l2 || (l1 == l2 && c1 <= c2);
}

/* Index of the innermost recorded function containing line:col, or -1. */
static long innermost(const struct funcscan *fs, int line, int col)
{
	size_t lo = 0, hi = fs->nfn;
	long k;

	while (lo < hi) {               /* first function starting after pos */
		size_t mid = lo + (hi - lo) / 2;
		if (pos_le(fs->fn[mid].sl, fs->fn[mid].sc, line, col))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = (long)lo - 1; k >= 0; k = fs->fn[k].parent)
		if (pos_le(line, col, fs->fn[k].el, fs->fn[k].ec))
			return k;
	return -1;
}

const char *funcscan_lookup(const struct funcscan *fs, int line, int col)
{
	long a, b;

	if (!fs || line < 1)
		return "";
	if (col > 0) {
		a = innermost(fs, line, col);
		return a >= 0 ? fs->names + fs->fn[a].name : "";
	}
	if (line > fs->nlines)
		return "";
	if (!fs->line_first[line]) {
		a = innermost(fs, line, 1);
		return a >= 0 ? fs->names + fs->fn[a].name : "";
	}
	a = innermost(fs, line, fs->line_first[line]);
	b = innermost(fs, line, fs->line_last[line]);
	while (a >= 0 && b >= 0 && a != b) {
		if (fs->fn[a].depth > fs->fn[b].depth)
			a = fs->fn[a].parent;
		else if (fs->fn[b].depth > fs->fn[a].depth)
			b = fs->fn[b].parent;
		else {
			a = fs->fn[a].parent;
			b = fs->fn[b].parent;
		}
	}
	return a >= 0 && a == b ? fs->names + fs->fn[a].name : "";
}

const char *funcscan_package(const struct funcscan *fs)
{
	return fs ? fs->pkg : "";
}

void funcscan_free(struct funcscan *fs)
{
	if (!fs)
		return;
	free(fs->fn);
	free(fs->names);
	free(fs->line_first);
	free(fs->line_last);
	free(fs);
}
