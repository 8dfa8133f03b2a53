/*
 * fs_prepass.c: token helpers, file-level boolean constants and the last
 * label of every statement list, for the function scanner (funcscan.c).
 */
#include "funcscan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

/* -------------------------------------------------------------- helpers */

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
int semi_before(const struct scan *S, int i)
{
	return i > 0 && S->t[i].nl && triggers_semi(S->t[i - 1].kind);
}

/* tok[i] starts a statement (or is the first token after `{`, `;`, `:`). */
int boundary(const struct scan *S, int i)
{
	uint8_t pk;

	if (i == 0)
		return 1;
	pk = S->t[i - 1].kind;
	return pk == T_SEMI || pk == T_LBRACE || pk == T_COLON || semi_before(S, i);
}

int tok_is(const struct scan *S, int i, const char *w)
{
	size_t n = strlen(w);
	return S->t[i].kind == T_IDENT && S->t[i].len == n &&
	    memcmp(S->src + S->t[i].off, w, n) == 0;
}

int is_open(uint8_t k) { return k == T_LPAREN || k == T_LBRACK || k == T_LBRACE; }
int is_close(uint8_t k) { return k == T_RPAREN || k == T_RBRACK || k == T_RBRACE; }

/* tok[j] is an opener: the index after its matching closer (or nt). */
int skip_balanced(const struct scan *S, int j)
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
int has_const_leaf(const struct scan *S, int a, int b)
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
int static_bool(const struct scan *S, int a, int b)
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
void prepass(struct scan *S)
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
