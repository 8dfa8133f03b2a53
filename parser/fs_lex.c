/*
 * fs_lex.c: the function scanner's lexer: Go tokens with positions and the
 * "newline before" bit that drives semicolon insertion.  See funcscan.c.
 */
#include "funcscan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

/* ------------------------------------------------------------------ lex */

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

/* Where keywords[] (sorted) starts for each first letter 'a'..'z', and its
 * end: an identifier is compared with at most four keywords. */
static const unsigned char kw_first[27] = {
	0, 0, 1, 5, 7, 8, 11, 13, 13, 16, 16, 16, 16, 17, 17, 17, 18, 18, 20, 23, 24, 24, 25, 25, 25, 25, 25
};

static uint8_t keyword(const unsigned char *w, size_t n)
{
	size_t i, end;

	if (n < 2 || n > 11 || w[0] < 'b' || w[0] > 'v')
		return T_IDENT;
	end = kw_first[w[0] - 'a' + 1];
	for (i = kw_first[w[0] - 'a']; i < end; i++)
		if (keywords[i].len == n && memcmp(keywords[i].w, w, n) == 0)
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

void lex(struct lexer *L)
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
