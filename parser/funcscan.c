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
#include "funcscan.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

enum {
	MAX_SRC = INT_MAX / 2,    /* bytes scanned at most */
	MAX_FRAMES = 10000,       /* bracket nesting tracked; deeper is counted */
	MAX_FDEPTH = 64,          /* function nesting recorded (with the root) */
	MAX_NAME = 1024,          /* longest recorded function name */
	MAX_COND = 64,            /* longest condition evaluated, in tokens */
	MAX_PKG = 256
};

enum tk {
	T_EOF, T_IDENT, T_NUM, T_STR, T_RUNE,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_LBRACE, T_RBRACE,
	T_COMMA, T_SEMI, T_COLON, T_DEFINE, T_ASSIGN, T_DOT, T_ELLIPSIS,
	T_STAR, T_ARROW, T_NOT, T_LAND, T_LOR, T_INCDEC, T_OP,
	K_BREAK, K_CASE, K_CHAN, K_CONST, K_CONTINUE, K_DEFAULT, K_DEFER,
	K_ELSE, K_FALLTHROUGH, K_FOR, K_FUNC, K_GO, K_GOTO, K_IF, K_IMPORT,
	K_INTERFACE, K_MAP, K_PACKAGE, K_RANGE, K_RETURN, K_SELECT, K_STRUCT,
	K_SWITCH, K_TYPE, K_VAR
};

struct tok {
	int line, col;          /* 1-based; col is a byte column */
	uint32_t off;           /* byte offset in src */
	uint16_t len;           /* byte length, saturated at 65535 */
	uint8_t kind;
	uint8_t nl;             /* a newline separates it from the previous token */
};

struct fsfunc {
	int sl, sc;             /* first position inside */
	int el, ec;             /* last position inside; INT_MAX when unclosed */
	int parent;             /* enclosing recorded function, or -1 */
	int depth;              /* 0 for top-level functions */
	uint32_t name;          /* offset into names */
};

struct funcscan {
	struct fsfunc *fn;
	size_t nfn, capfn;
	char *names;            /* "" at offset 0, "init" at offset 1 */
	size_t nnames, capnames, budget;
	int nlines;
	int *line_first;        /* [1..nlines]: col of first token start, 0 none */
	int *line_last;         /* [1..nlines]: col of last token start */
	char pkg[MAX_PKG];
};

/* ------------------------------------------------------------------ lex */

struct lexer {
	const unsigned char *s;
	size_t n, p, linestart;
	int line;
	int nl;
	struct tok *t;
	size_t nt, capt;
};

static const struct { const char *w; uint8_t len, k; } keywords[] = {
	{ "break", 5, K_BREAK }, { "case", 4, K_CASE }, { "chan", 4, K_CHAN },
	{ "const", 5, K_CONST }, { "continue", 8, K_CONTINUE },
	{ "default", 7, K_DEFAULT }, { "defer", 5, K_DEFER },
	{ "else", 4, K_ELSE }, { "fallthrough", 11, K_FALLTHROUGH },
	{ "for", 3, K_FOR }, { "func", 4, K_FUNC }, { "go", 2, K_GO },
	{ "goto", 4, K_GOTO }, { "if", 2, K_IF }, { "import", 6, K_IMPORT },
	{ "interface", 9, K_INTERFACE }, { "map", 3, K_MAP },
	{ "package", 7, K_PACKAGE }, { "range", 5, K_RANGE },
	{ "return", 6, K_RETURN }, { "select", 6, K_SELECT },
	{ "struct", 6, K_STRUCT }, { "switch", 6, K_SWITCH },
	{ "type", 4, K_TYPE }, { "var", 3, K_VAR },
};

static uint8_t keyword(const unsigned char *w, size_t n)
{
	size_t i;

	if (n < 2 || n > 11 || w[0] < 'b' || w[0] > 'v')
		return T_IDENT;
	for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (keywords[i].len == n && keywords[i].w[0] == (char)w[0] &&
		    memcmp(keywords[i].w, w, n) == 0)
			return keywords[i].k;
	return T_IDENT;
}

/* Byte classes: 1 starts an identifier (letters, '_', every byte of a
 * multi-byte UTF-8 character), 2 digit, 0 other. */
static const unsigned char cclass[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int is_ident_start(unsigned c)
{
	return cclass[c & 0xff] == 1;
}

static int is_ident_byte(unsigned c)
{
	return cclass[c & 0xff] != 0;
}

static void emit(struct lexer *L, size_t start, uint8_t kind)
{
	struct tok *t;
	size_t len = L->p - start;

	if (L->nt == L->capt) {
		L->capt = L->capt ? L->capt * 2 : 256;
		L->t = xreallocarray(L->t, L->capt, sizeof *L->t);
	}
	t = &L->t[L->nt++];
	t->off = (uint32_t)start;
	t->len = (uint16_t)(len > 65535 ? 65535 : len);
	t->kind = kind;
	t->nl = (uint8_t)L->nl;
	/* tokens never start inside a newline, so start >= linestart */
	t->col = (int)(start - L->linestart) + 1;
	L->nl = 0;
}

static void newline_at(struct lexer *L, size_t p)
{
	L->line++;
	L->linestart = p + 1;
	L->nl = 1;
}

/* Skips a quoted literal starting at L->p (the quote); stops at a newline. */
static void skip_quoted(struct lexer *L, unsigned char q)
{
	const unsigned char *s = L->s;
	size_t p = L->p + 1, n = L->n;

	while (p < n && s[p] != q && s[p] != '\n') {
		if (s[p] == '\\' && p + 1 < n && s[p + 1] != '\n')
			p++;
		p++;
	}
	if (p < n && s[p] == q)
		p++;
	L->p = p;
}

static void lex_number(struct lexer *L)
{
	const unsigned char *s = L->s;
	size_t p = L->p, n = L->n;
	int hex = p + 1 < n && s[p] == '0' && (s[p + 1] == 'x' || s[p + 1] == 'X');

	while (p < n) {
		unsigned c = s[p];
		if (is_ident_byte(c) || c == '.') {
			p++;
			if (p < n && (s[p] == '+' || s[p] == '-') &&
			    (hex ? (c == 'p' || c == 'P') : (c == 'e' || c == 'E' || c == 'p' || c == 'P')))
				p++;
		} else
			break;
	}
	L->p = p;
}

static void lex(struct lexer *L)
{
	const unsigned char *s = L->s;
	size_t n = L->n;

	L->line = 1;
	L->nl = 0;
	L->p = 0;
	L->linestart = 0;
	L->capt = n / 6 + 64;
	L->t = xreallocarray(NULL, L->capt, sizeof *L->t);
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		L->p = 3;               /* BOM: skipped, but columns count it */
	while (L->p < n) {
		size_t start = L->p;
		unsigned c = s[start];
		unsigned d = start + 1 < n ? s[start + 1] : 0;
		uint8_t k = T_OP;
		int line = L->line;

		if (c == '\n') {
			newline_at(L, start);
			L->p++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			L->p++;
			continue;
		}
		if (c == '/' && d == '/') {
			const unsigned char *e = memchr(s + start, '\n', n - start);
			L->p = e ? (size_t)(e - s) : n;
			continue;
		}
		if (c == '/' && d == '*') {
			size_t p = start + 2;
			for (;;) {
				if (p >= n) {
					break;
				}
				if (s[p] == '\n')
					newline_at(L, p);
				else if (s[p] == '*' && p + 1 < n && s[p + 1] == '/') {
					p += 2;
					break;
				}
				p++;
			}
			L->p = p > n ? n : p;
			continue;
		}
		if (is_ident_start(c)) {
			size_t p = start + 1;
			while (p < n && is_ident_byte(s[p]))
				p++;
			L->p = p;
			k = keyword(s + start, p - start);
		} else if ((c >= '0' && c <= '9') || (c == '.' && d >= '0' && d <= '9')) {
			lex_number(L);
			k = T_NUM;
		} else if (c == '"') {
			skip_quoted(L, '"');
			k = T_STR;
		} else if (c == '\'') {
			skip_quoted(L, '\'');
			k = T_RUNE;
		} else if (c == '`') {
			size_t p = start + 1;
			/* the token keeps its start line; later tokens see the new lines */
			size_t ls = L->linestart;
			int nl = L->nl;
			while (p < n && s[p] != '`') {
				if (s[p] == '\n') {
					L->line++;
					ls = p + 1;
				}
				p++;
			}
			if (p < n)
				p++;
			L->p = p;
			emit(L, start, T_STR);
			L->t[L->nt - 1].line = line;
			L->t[L->nt - 1].nl = (uint8_t)nl;
			L->linestart = ls;
			continue;
		} else {
			size_t w = 1;
			switch (c) {
			case '(': k = T_LPAREN; break;
			case ')': k = T_RPAREN; break;
			case '[': k = T_LBRACK; break;
			case ']': k = T_RBRACK; break;
			case '{': k = T_LBRACE; break;
			case '}': k = T_RBRACE; break;
			case ',': k = T_COMMA; break;
			case ';': k = T_SEMI; break;
			case ':':
				if (d == '=') { k = T_DEFINE; w = 2; } else k = T_COLON;
				break;
			case '.':
				if (d == '.' && start + 2 < n && s[start + 2] == '.') {
					k = T_ELLIPSIS; w = 3;
				} else
					k = T_DOT;
				break;
			case '*':
				if (d == '=') w = 2; else k = T_STAR;
				break;
			case '<':
				if (d == '-') { k = T_ARROW; w = 2; }
				else if (d == '<') w = (start + 2 < n && s[start + 2] == '=') ? 3 : 2;
				else if (d == '=') w = 2;
				break;
			case '>':
				if (d == '>') w = (start + 2 < n && s[start + 2] == '=') ? 3 : 2;
				else if (d == '=') w = 2;
				break;
			case '!':
				if (d == '=') w = 2; else k = T_NOT;
				break;
			case '&':
				if (d == '&') { k = T_LAND; w = 2; }
				else if (d == '^') w = (start + 2 < n && s[start + 2] == '=') ? 3 : 2;
				else if (d == '=') w = 2;
				break;
			case '|':
				if (d == '|') { k = T_LOR; w = 2; }
				else if (d == '=') w = 2;
				break;
			case '+': case '-':
				if (d == c) { k = T_INCDEC; w = 2; }
				else if (d == '=') w = 2;
				break;
			case '=':
				if (d == '=') w = 2; else k = T_ASSIGN;
				break;
			case '/': case '%': case '^':
				if (d == '=') w = 2;
				break;
			default:
				break;          /* ~ and any invalid byte: an operator */
			}
			L->p = start + w;
		}
		emit(L, start, k);
		L->t[L->nt - 1].line = line;
	}
	/* sentinel: tok[nt] is always readable */
	L->p = n;
	emit(L, n, T_EOF);
	L->t[L->nt - 1].line = L->line;
	/* exact size: memory checkers then see any read past the sentinel */
	L->t = xreallocarray(L->t, L->nt, sizeof *L->t);
	L->capt = L->nt;
	L->nt--;
}

/* -------------------------------------------------------------- helpers */

struct scan {
	struct funcscan *fs;
	const char *src;
	const struct tok *t;
	int nt;
	int *aux;               /* per token: last label of the list it opens */
	/* boolean constants: open-addressing table of token indices */
	int *cname;
	int8_t *cval;
	size_t ccap;
};

static int triggers_semi(uint8_t k)
{
	switch (k) {
	case T_IDENT: case T_NUM: case T_STR: case T_RUNE:
	case T_RPAREN: case T_RBRACK: case T_RBRACE: case T_INCDEC:
	case K_BREAK: case K_CONTINUE: case K_FALLTHROUGH: case K_RETURN:
		return 1;
	default:
		return 0;
	}
}

/* An automatic semicolon separates tok[i] from tok[i-1]. */
static int semi_before(const struct scan *S, int i)
{
	return i > 0 && S->t[i].nl && triggers_semi(S->t[i - 1].kind);
}

/* tok[i] starts a statement (or is the first token after `{`, `;`, `:`). */
static int boundary(const struct scan *S, int i)
{
	uint8_t pk;

	if (i == 0)
		return 1;
	pk = S->t[i - 1].kind;
	return pk == T_SEMI || pk == T_LBRACE || pk == T_COLON || semi_before(S, i);
}

static int tok_is(const struct scan *S, int i, const char *w)
{
	size_t n = strlen(w);
	return S->t[i].kind == T_IDENT && S->t[i].len == n &&
	    memcmp(S->src + S->t[i].off, w, n) == 0;
}

static int is_open(uint8_t k) { return k == T_LPAREN || k == T_LBRACK || k == T_LBRACE; }
static int is_close(uint8_t k) { return k == T_RPAREN || k == T_RBRACK || k == T_RBRACE; }

/* tok[j] is an opener: the index after its matching closer (or nt). */
static int skip_balanced(const struct scan *S, int j)
{
	long depth = 0;

	for (; j < S->nt; j++) {
		uint8_t k = S->t[j].kind;
		if (is_open(k))
			depth++;
		else if (is_close(k) && --depth <= 0)
			return j + 1;
	}
	return S->nt;
}

/* Like skip_balanced, but looks no further than tok[end-1]: end when the
 * closer is not there.  Keeps condition evaluation within its range. */
static int skip_balanced_to(const struct scan *S, int j, int end)
{
	long depth = 0;

	for (; j < end; j++) {
		uint8_t k = S->t[j].kind;
		if (is_open(k))
			depth++;
		else if (is_close(k) && --depth <= 0)
			return j + 1;
	}
	return end;
}

/* ---------------------------------------------------- boolean constants */

static uint64_t name_hash(const struct scan *S, int i)
{
	return hash64(S->src + S->t[i].off, S->t[i].len, 0x66756e63);
}

static int same_name(const struct scan *S, int a, int b)
{
	return S->t[a].len == S->t[b].len &&
	    memcmp(S->src + S->t[a].off, S->src + S->t[b].off, S->t[a].len) == 0;
}

/* Slot of identifier tok[i] in the constant table, or -1 when absent. */
static long const_slot(const struct scan *S, int i)
{
	size_t h;

	if (!S->ccap)
		return -1;
	h = (size_t)name_hash(S, i) & (S->ccap - 1);
	while (S->cname[h] >= 0) {
		if (same_name(S, S->cname[h], i))
			return (long)h;
		h = (h + 1) & (S->ccap - 1);
	}
	return -1;
}

/* Records name tok[i] = v; v 0 marks the name as not a known constant. */
static void const_put(struct scan *S, int i, int v)
{
	size_t h;

	h = (size_t)name_hash(S, i) & (S->ccap - 1);
	while (S->cname[h] >= 0) {
		if (same_name(S, S->cname[h], i)) {
			if (S->cval[h] != v)
				S->cval[h] = 0;
			return;
		}
		h = (h + 1) & (S->ccap - 1);
	}
	S->cname[h] = i;
	S->cval[h] = (int8_t)v;
}

/* The top-level (paren depth 0) token of kind k last in [a,b), or -1;
 * -2 when the parentheses in [a,b) do not balance. */
static int last_top(const struct scan *S, int a, int b, uint8_t k)
{
	int depth = 0, found = -1, i;

	for (i = a; i < b; i++) {
		uint8_t tk = S->t[i].kind;
		if (tk == T_LPAREN || tk == T_LBRACK || tk == T_LBRACE)
			depth++;
		else if (tk == T_RPAREN || tk == T_RBRACK || tk == T_RBRACE) {
			if (--depth < 0)
				return -2;
		} else if (tk == k && depth == 0)
			found = i;
	}
	return depth ? -2 : found;
}

static int cond_len_ok(int a, int b) { return b > a && b - a <= MAX_COND; }

/* The value of a constant boolean expression in [a,b): 1 true, -1 false,
 * 0 not (known to be) constant.  Recursion is bounded by MAX_COND. */
static int cval(const struct scan *S, int a, int b)
{
	int k, x, y;

	if (!cond_len_ok(a, b))
		return 0;
	if ((k = last_top(S, a, b, T_LOR)) == -2)
		return 0;
	if (k >= 0) {
		x = cval(S, a, k);
		y = cval(S, k + 1, b);
		return x && y ? (x > 0 || y > 0 ? 1 : -1) : 0;
	}
	if ((k = last_top(S, a, b, T_LAND)) >= 0) {
		x = cval(S, a, k);
		y = cval(S, k + 1, b);
		return x && y ? (x > 0 && y > 0 ? 1 : -1) : 0;
	}
	if (S->t[a].kind == T_NOT)
		return -cval(S, a + 1, b);
	if (S->t[a].kind == T_LPAREN && S->t[b - 1].kind == T_RPAREN &&
	    skip_balanced_to(S, a, b) == b)
		return cval(S, a + 1, b - 1);
	if (b - a == 1 && S->t[a].kind == T_IDENT) {
		long slot;
		if (tok_is(S, a, "true"))
			return 1;
		if (tok_is(S, a, "false"))
			return -1;
		slot = const_slot(S, a);
		return slot >= 0 ? S->cval[slot] : 0;
	}
	return 0;
}

/* [a,b) is one operand: identifiers, literals, selectors, calls, indexes,
 * parenthesised groups and unary prefixes, with no binary operator. */
static int unary_operand(const struct scan *S, int a, int b)
{
	int i = a;

	while (i < b && (S->t[i].kind == T_NOT || S->t[i].kind == T_STAR ||
	    S->t[i].kind == T_ARROW))
		i++;
	if (i >= b)
		return 0;
	while (i < b) {
		uint8_t k = S->t[i].kind;
		if (k == T_LPAREN || k == T_LBRACK) {
			int e = skip_balanced_to(S, i, b);
			if (S->t[e - 1].kind != T_RPAREN && S->t[e - 1].kind != T_RBRACK)
				return 0;
			i = e;
		}
		else if (k == T_IDENT || k == T_NUM || k == T_STR ||
		    k == T_RUNE || k == T_DOT)
			i++;
		else
			return 0;
	}
	return i == b;
}

/* [a,b) mentions true, false or a known constant: else nothing in it can
 * be static, and static_bool can skip its quadratic descent. */
static int has_const_leaf(const struct scan *S, int a, int b)
{
	int i;

	if (!cond_len_ok(a, b))
		return 0;
	for (i = a; i < b; i++) {
		if (S->t[i].kind != T_IDENT)
			continue;
		if (tok_is(S, i, "true") || tok_is(S, i, "false"))
			return 1;
		if (S->ccap && const_slot(S, i) >= 0)
			return 1;
	}
	return 0;
}

/* cmd/compile's (*pkgWriter).staticBool on the condition [a,b). */
static int static_bool(const struct scan *S, int a, int b)
{
	int k, x, y, v;

	if (!cond_len_ok(a, b))
		return 0;
	if ((v = cval(S, a, b)) != 0)
		return v;
	if ((k = last_top(S, a, b, T_LOR)) == -2)
		return 0;
	if (k >= 0) {
		x = static_bool(S, a, k);
		if (x > 0)
			return x;
		y = static_bool(S, k + 1, b);
		return x < 0 || y > 0 ? y : 0;
	}
	if ((k = last_top(S, a, b, T_LAND)) >= 0) {
		x = static_bool(S, a, k);
		if (x < 0)
			return x;
		y = static_bool(S, k + 1, b);
		return x > 0 || y < 0 ? y : 0;
	}
	if (S->t[a].kind == T_NOT && unary_operand(S, a + 1, b))
		return static_bool(S, a + 1, b);
	return 0;
}

/* ------------------------------------------------------------ prepass */

/*
 * aux[i] for a `{` or a case/default token: the index of the last label
 * statement in the statement list it starts, or -1.  Also collects
 * `const NAME [bool] = <constant boolean expression>` anywhere in the file;
 * a name also declared some other way (NAME :=, var NAME, NAME bool) is
 * dropped, as it may shadow the constant.
 */
static void prepass(struct scan *S)
{
	int nt = S->nt, i, sp = 0, over = 0, nconst = 0, scanned;
	int *stack = xmalloc(MAX_FRAMES * sizeof *stack);

	S->aux = xmalloc(((size_t)nt + 1) * sizeof *S->aux);
	for (i = 0; i <= nt; i++)
		S->aux[i] = -1;
	stack[0] = -1;
	for (i = 0; i < nt; i++) {
		uint8_t k = S->t[i].kind;
		if (is_open(k)) {
			if (over || sp + 1 >= MAX_FRAMES)
				over++;
			else
				stack[++sp] = k == T_LBRACE ? i : -1;
		} else if (is_close(k)) {
			if (over)
				over--;
			else if (sp > 0)
				sp--;
		} else if (over) {
			continue;
		} else if (k == K_CASE || k == K_DEFAULT) {
			if (stack[sp] >= 0)
				stack[sp] = i;
		} else if (k == T_IDENT && S->t[i + 1].kind == T_COLON &&
		    stack[sp] >= 0 && boundary(S, i)) {
			S->aux[stack[sp]] = i;
		} else if (k == K_CONST) {
			nconst++;
		}
	}
	free(stack);
	if (!nconst)
		return;

	S->ccap = 16;
	while (S->ccap < (size_t)nconst * 4)
		S->ccap *= 2;
	S->cname = xmalloc(S->ccap * sizeof *S->cname);
	S->cval = xcalloc(S->ccap, sizeof *S->cval);
	for (size_t h = 0; h < S->ccap; h++)
		S->cname[h] = -1;

	/* `scanned` keeps this linear: a const keyword inside a spec already
	 * scanned (only in broken input) is not scanned again. */
	for (i = 0, scanned = 0; i < nt; i++) {
		int grouped, j;
		if (S->t[i].kind != K_CONST || i < scanned)
			continue;
		j = i + 1;
		grouped = S->t[j].kind == T_LPAREN;
		if (grouped)
			j++;
		/* one spec per iteration: NAME [bool] = expr */
		for (;;) {
			int name, e, depth = 0, v;
			while (S->t[j].kind == T_SEMI)
				j++;
			if (S->t[j].kind != T_IDENT)
				break;
			name = j++;
			if (tok_is(S, j, "bool") && !semi_before(S, j))
				j++;
			if (S->t[j].kind != T_ASSIGN || semi_before(S, j)) {
				if (!grouped)
					break;
				/* skip the rest of this spec */
				while (j < nt && S->t[j].kind != T_RPAREN &&
				    !semi_before(S, j) && S->t[j].kind != T_SEMI)
					j++;
				continue;
			}
			e = ++j;
			while (j < nt) {
				uint8_t k = S->t[j].kind;
				if (j > e && (semi_before(S, j) || k == T_SEMI) && depth <= 0)
					break;
				if (is_open(k))
					depth++;
				else if (is_close(k) && --depth < 0)
					break;
				j++;
			}
			if ((v = cval(S, e, j)) != 0)
				const_put(S, name, v);
			if (!grouped)
				break;
			if (S->t[j].kind == T_RPAREN || j >= nt)
				break;
		}
		scanned = j;
	}
	/* drop names that are also declared as something else */
	for (i = 0; i < nt; i++) {
		long slot;
		uint8_t nk;
		if (S->t[i].kind != T_IDENT)
			continue;
		nk = S->t[i + 1].kind;
		if (!(nk == T_DEFINE || (i > 0 && S->t[i - 1].kind == K_VAR) ||
		    (tok_is(S, i + 1, "bool") && !semi_before(S, i + 1)) ||
		    (nk == T_COMMA && i > 0 && S->t[i - 1].kind == K_FOR)))
			continue;
		if ((slot = const_slot(S, i)) >= 0 && S->cname[slot] != i)
			S->cval[slot] = 0;
	}
}

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

/* ------------------------------------------------------------ normalize */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Removes every occurrence of `pat` followed by one or more digits (and,
 * when dot_before, preceded by '.' which is removed too). */
static size_t strip_numbered(char *b, size_t n, const char *pat)
{
	size_t pl = strlen(pat), r = 0, w = 0;

	while (r < n) {
		if (r + pl < n && memcmp(b + r, pat, pl) == 0 && is_digit(b[r + pl])) {
			size_t e = r + pl;
			while (e < n && is_digit(b[e]))
				e++;
			if (e == n || b[e] == '.' || b[e] == '-') {
				r = e;
				continue;
			}
		}
		b[w++] = b[r++];
	}
	b[w] = '\0';
	return w;
}

size_t funcname_normalize(const char *in, char *out, size_t outsz)
{
	size_t n, i, w = 0, len;
	char *b, *res;
	long depth = 0;

	if (!in)
		in = "";
	n = strlen(in);
	b = xmalloc(n + 8);
	res = xmalloc(n + 8);

	/* 1. drop type-argument lists [...] (nested, with any contents) */
	for (i = 0; i < n; i++) {
		if (in[i] == '[')
			depth++;
		else if (in[i] == ']') {
			if (depth > 0)
				depth--;
		} else if (depth == 0)
			b[w++] = in[i];
	}
	b[w] = '\0';
	n = w;

	/* 2. go1.21 and older named package-level literals glob..funcN */
	if (n >= 6 && memcmp(b, "glob..", 6) == 0) {
		memmove(b + 5, b + 6, n - 5);
		memcpy(b, "init.", 5);
		n--;
	}

	/* 3. receiver and package-path prefixes */
	w = 0;
	if (b[0] == '.' && n > 1) {
		/* compiler-generated ".eq.path/pkg.T": keep ".eq.", strip the path */
		const char *dot = memchr(b + 1, '.', n - 1);
		size_t pre = dot ? (size_t)(dot - b) + 1 : n;
		memcpy(res, b, pre);
		w = pre;
		{
			const char *rest = b + pre, *slash = strrchr(rest, '/');
			if (slash) {
				const char *d2 = strchr(slash, '.');
				rest = d2 ? d2 + 1 : slash + 1;
			}
			memcpy(res + w, rest, strlen(rest));
			w += strlen(rest);
		}
	} else if (b[0] == '(') {
		const char *close = memchr(b, ')', n);
		const char *tb = b + 1, *te = close ? close : b + n, *p;
		while (tb < te && (*tb == '*' || *tb == '('))
			tb++;
		for (p = te; p > tb; p--)       /* a type name has no '.': qualifier */
			if (p[-1] == '.' || p[-1] == '/')
				break;
		tb = p;
		memcpy(res, tb, (size_t)(te - tb));
		w = (size_t)(te - tb);
		if (close) {
			size_t rl = n - (size_t)(close + 1 - b);
			memcpy(res + w, close + 1, rl);
			w += rl;
		}
	} else {
		const char *rest = b, *slash = memchr(b, '/', n) ? strrchr(b, '/') : NULL;
		if (slash) {
			const char *d2 = strchr(slash, '.');
			rest = d2 ? d2 + 1 : slash + 1;
		}
		w = n - (size_t)(rest - b);
		memcpy(res, rest, w);
	}
	res[w] = '\0';

	/* 4. init.0 -> init, map.init.0 (outlined map initialiser) -> init;
	 * wrappers and range-over-func bodies -> the enclosing function */
	if (w > 9 && memcmp(res, "map.init.", 9) == 0 && is_digit(res[9])) {
		memmove(res, res + 4, w - 4 + 1);
		w -= 4;
	}
	if (w > 5 && memcmp(res, "init.", 5) == 0 && is_digit(res[5])) {
		size_t e = 5;
		while (e < w && is_digit(res[e]))
			e++;
		if (e == w || res[e] == '.') {
			memmove(res + 4, res + e, w - e + 1);
			w -= e - 4;
		}
	}
	w = strip_numbered(res, w, "-range");
	w = strip_numbered(res, w, ".gowrap");
	w = strip_numbered(res, w, ".deferwrap");
	if (w >= 3 && memcmp(res + w - 3, "-fm", 3) == 0) {
		w -= 3;
		res[w] = '\0';
	}

	/* 5. copy out, truncating at a UTF-8 boundary */
	len = 0;
	if (outsz > 0) {
		len = w < outsz - 1 ? w : outsz - 1;
		if (len < w)
			while (len > 0 && ((unsigned char)res[len] & 0xC0) == 0x80)
				len--;
		memcpy(out, res, len);
		out[len] = '\0';
	}
	free(b);
	free(res);
	return len;
}
