/*
 * parser_int.h: the parser's state and the helpers its three files share
 * (parser.c: patterns, strings, input lines; block.c: explanation blocks,
 * findings and the per-package hand-over; line.c: one line's meaning).
 * Only parser/parser*.c, parser/block.c and parser/line.c include it.
 */
#ifndef ESCDB_PARSER_INT_H
#define ESCDB_PARSER_INT_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdint.h>

#include "../lib/htab.h"
#include "../lib/util.h"
#include "parser.h"

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
	uint64_t sthash;                /* of stv[0..stn), by step_hash_add */

	/* Every explanation text of the package, interned in the arena: a
	 * package's blocks are held until its verdicts (which old compilers
	 * print at the very end), and the same texts recur thousands of times. */
	struct htab itab;
	/* Whole "from ..." and "flow: ..." texts already read in this
	 * package, with what they meant (struct esc_step, struct flow_text):
	 * most step and flow lines repeat one seen before. */
	struct htab steptab, flowtab;
	/* Step arrays of the package's flows, each kept once: flows share
	 * them (the same path is explained under many headings). */
	struct htab seqtab;
	/* The previous line's position prefix (bytes and meaning): the
	 * lines of a block all start with their heading's. */
	char pfx[120];
	size_t pfxn;                    /* 0: none */
	struct esc_pos pfxpos;          /* file interned */
};

/* A step line's meaning, and the hash of its bytes. */
struct step_text {
	struct esc_step st;
	uint64_t h;
};

/* The hash of a step array: each step's hash added in order. */
static inline uint64_t
step_hash_add(uint64_t acc, uint64_t h)
{
	acc = (acc ^ h) * 0x9e3779b97f4a7c15ULL;
	return acc << 27 | acc >> 37;
}

/* A flow line's two texts, interned. */
struct flow_text {
	const char *dst, *src;
};

/* parser.c: strings interned for the current package, patterns, positions */
const char *pstr(struct parser *p, const char *s, size_t n);
void pstr_reset(struct parser *p);
const char *astr(struct parser *p, const char *s, size_t n);
int re_match(struct parser *p, enum pat i, const char *s, size_t n);
const char *re_group(struct parser *p, enum pat i, const char *s, int g, size_t *len);
const char *group_str(struct parser *p, enum pat i, const char *s, int g);
size_t pos_prefix(const char *s, size_t n, struct esc_pos *pos, const char **file,
    size_t *filelen);
void pwarn(struct parser *p, enum parser_warning w, const char *text);
int keep_line(struct parser *p, enum line_class c, const char *s, size_t n);

/* block.c: the open block, findings, and the package's hand-over */
void flow_close(struct parser *p);
void block_close(struct parser *p);
void block_open(struct parser *p, const struct esc_pos *pos, const char *msg, size_t n,
    const char *subject, const char *dest, const char *func);
struct esc_finding *finding_add(struct parser *p, const struct esc_pos *pos,
    enum esc_kind k, const char *msg, size_t n);
int package_flush(struct parser *p);

/* line.c: one logical line */
void process_line(struct parser *p, const char *s, size_t n);
/* A piece of a line. */
struct span {
	const char *s;
	size_t n;
};
/* The groups P_FROM and P_FLOW would capture, without PCRE2 (these two
 * lines are most of the input); 1 on a match, else 0. */
int explain_from(const char *s, size_t n, struct span g[3]);
int explain_flow(const char *s, size_t n, struct span g[2]);
extern const char *const parser_pat_src[P_N];

#endif
