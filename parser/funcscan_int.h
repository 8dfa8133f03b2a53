/*
 * funcscan_int.h: the tokens, lexer and scan state shared by the files of
 * the function scanner: fs_lex.c (Go tokens), fs_prepass.c (token helpers,
 * boolean constants, last labels) and funcscan.c (the scan and the API).
 * Only those files include it.
 */
#ifndef ESCDB_FUNCSCAN_INT_H
#define ESCDB_FUNCSCAN_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "funcscan.h"

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


struct lexer {
	const unsigned char *s;
	size_t n, p, linestart;
	int line;
	int nl;
	struct tok *t;
	size_t nt, capt;
};


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

/* fs_lex.c */
void lex(struct lexer *L);

/* fs_prepass.c */
void prepass(struct scan *S);
int semi_before(const struct scan *S, int i);
int skip_balanced(const struct scan *S, int j);
int boundary(const struct scan *S, int i);
int has_const_leaf(const struct scan *S, int a, int b);
int static_bool(const struct scan *S, int a, int b);
int tok_is(const struct scan *S, int i, const char *w);
int is_open(uint8_t k);
int is_close(uint8_t k);

#endif
