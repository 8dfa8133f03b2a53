/*
 * parser: a streaming parser of the Go compiler's escape-analysis text
 * output (go build -gcflags=-m or -m=2, go tool compile -m, every Go
 * version from 1.14).  It owns the PCRE2 patterns and one package's worth
 * of parsed text at a time; it prints nothing and calls the caller's sink.
 * Callers: cmd/ (through store/ingest glue) and the fuzz target.
 */
#ifndef ESCDB_PARSER_H
#define ESCDB_PARSER_H

#include <stddef.h>
#include <stdio.h>

enum esc_kind {
	ESC_HEAP, ESC_MOVED, ESC_LEAK, ESC_LEAK_RESULT, ESC_LEAK_CONTENT,
	ESC_NOESCAPE, ESC_CAPTURE, ESC_NOTE, ESC_KIND_N
};
const char *esc_kind_name(enum esc_kind k);    /* "heap", "leak-result", ... */
int esc_kind_parse(const char *s, size_t n);   /* -1 when unknown */

/* What each input line was.  Counted per run, never lost. */
enum line_class {
	LC_FINDING,        /* a verdict: one finding */
	LC_EXPLAIN,        /* heading, flow:, from, truncation warning */
	LC_HEADER,         /* # import/path */
	LC_INLINE,         /* can inline, cannot inline, inlining call to */
	LC_DEVIRT,         /* devirtualizing */
	LC_BOUNDS,         /* bounds-check lines */
	LC_ERROR,          /* compile errors and their continuation lines */
	LC_TOOL,           /* the go command's own lines: go: ..., note: ... */
	LC_OTHER_OPT,      /* other optimisation diagnostics (e.g. PGO, stack) */
	LC_BLANK,
	LC_UNRECOGNISED,
	LC_N
};
const char *line_class_name(enum line_class c);

/* A position as printed: file is the text before :LINE[:COL]. */
struct esc_pos {
	const char *file;
	int line;
	int col;                /* 0 when the compiler printed none */
};

struct esc_step {
	const char *expr;
	const char *reason;
	struct esc_pos pos;
};

struct esc_flow {
	const char *dst;
	const char *src;        /* with its operator prefix (&, *) when printed */
	size_t nsteps;
	struct esc_step *steps;
};

/* One explanation block: a heading and the flows below it. */
struct esc_block {
	const char *heading;    /* the heading text without the trailing ':' */
	const char *subject;
	const char *dest;       /* leak blocks: {heap} or a result; heap blocks: NULL */
	const char *func;       /* "in F" / "for F" when printed, else NULL */
	struct esc_pos pos;
	unsigned long lineno;   /* input line of the heading */
	int truncated;          /* the assignment-cycle warning was seen */
	size_t nflows;
	struct esc_flow *flows;
	int attached;
	size_t owner;           /* old format: 1 + index of its verdict, else 0 */
};

struct esc_finding {
	struct esc_pos pos;
	enum esc_kind kind;
	const char *subject;
	const char *detail;     /* "" when none */
	const char *message;    /* the compiler's text after the position */
	const char *func;       /* as printed by the compiler (raw), or NULL */
	unsigned long lineno;
	size_t nblocks;
	struct esc_block **blocks;
};

/* Everything of one package, handed over when the package's output ends.
 * All pointers are valid only during the callback. */
struct esc_package {
	const char *name;               /* import path from "# pkg"; "" if none */
	unsigned long lineno;           /* line of the header, 0 if none */
	size_t nfindings;
	struct esc_finding *findings;   /* in input order */
	size_t nblocks;
	struct esc_block **blocks;      /* all blocks, attached or not */
	size_t norphans;                /* blocks that matched no verdict */
};

enum parser_warning {
	PW_UNRECOGNISED,        /* a line escdb does not know */
	PW_NUL,                 /* NUL or other binary bytes in a line */
	PW_UTF8,                /* invalid UTF-8, replaced with '?' */
	PW_LONG_LINE,           /* a line over the length limit, cut */
	PW_NO_NEWLINE,          /* the input ended inside a line */
	PW_ORPHAN_FLOW,         /* flow:/from line outside a block */
	PW_TRUNCATED_BLOCK,     /* input ended inside an explanation block */
	PW_ORPHAN_BLOCK,        /* an explanation block with no verdict */
	PW_N
};

struct parser_sink {
	void *ctx;
	/* A package's findings and blocks; return non-zero to stop parsing. */
	int (*package)(void *ctx, const struct esc_package *pkg);
	/* A line kept verbatim (unrecognised, compile error, tool message). */
	int (*line)(void *ctx, enum line_class c, unsigned long lineno,
	    const char *text, size_t len);
	/* A warning at an input line; text is a short lowercase phrase. */
	void (*warning)(void *ctx, enum parser_warning w, unsigned long lineno,
	    const char *text);
};

struct parser;

/* Returns NULL and fills err (a message) when PCRE2 cannot compile a
 * pattern.  Caller frees with parser_free. */
struct parser *parser_new(const struct parser_sink *sink, char *err, size_t errsz);
/* Default package name for output with no "# pkg" header. */
void parser_set_default_package(struct parser *p, const char *name);
/* The Go version that printed the input, when known ("go1.13"): before
 * 1.14, "does not escape" verdicts carry the function's name first. */
void parser_set_go_version(struct parser *p, const char *v);
/* Feed bytes; lines may be split anywhere.  Returns 0, or the sink's
 * non-zero stop value. */
int parser_feed(struct parser *p, const char *buf, size_t len);
/* End of input: flushes the last line and package.  Same return. */
int parser_finish(struct parser *p);
/* Convenience: read a whole stream with parser_feed/parser_finish.
 * Returns 0, the sink's stop value, or -1 on a read error (errno set). */
int parser_read(struct parser *p, FILE *fp);
const unsigned long *parser_counts(const struct parser *p);   /* [LC_N] */
unsigned long parser_lines(const struct parser *p);
int parser_saw_m2(const struct parser *p);   /* any explanation block seen */
/* Whether a line, without its newline and the one CR the parser drops,
 * is a "# pkg" heading: "#" alone, or "# " and more.  Inline: the parser
 * asks it of every line. */
static inline int
parser_heading_text(const char *s, size_t n)
{
	return n > 0 && s[0] == '#' && (n == 1 || s[1] == ' ');
}

/* The same of a line as read, without its newline (one CR dropped). */
static inline int
parser_is_heading(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	return parser_heading_text(s, n);
}
/* Between whole lines, outside a raw string that spans lines and not
 * right after an explanation block's heading: the next bytes fed begin a
 * line of their own, and the input could end here without a warning. */
int parser_idle(const struct parser *p);
/* Hands over the current package now, as the next "# pkg" line would.
 * Same return as parser_feed. */
int parser_flush(struct parser *p);
/* Counts nlines input lines as read, with their classes, without reading
 * them (lines whose package the caller stored from elsewhere, see
 * store/ingest_cache.c); saw_m2 as if one had an explanation block. */
void parser_skip(struct parser *p, unsigned long nlines, const unsigned long counts[LC_N],
    int saw_m2);
void parser_free(struct parser *p);

/* Splits "FILE:LINE[:COL]" (from the right, so C:\x\y.go:3:4 works).
 * Returns 0 or -1 if s is not a position. file/filelen point into s. */
int esc_pos_split(const char *s, size_t n, const char **file, size_t *filelen,
    int *line, int *col);

#endif
