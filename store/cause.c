/*
 * cause: see cause.h.  The precedence, first match wins, over every step
 * of every flow of the finding (and, without a chain, over its subject):
 *
 *   1 goroutine   a step whose expression is a go statement
 *   2 send        reason "send"
 *   3 size        "too large for stack", "non-constant size"
 *   4 closure     "captured by a closure"
 *   5 append      "appendee slice", "appended slice...", "append"
 *   6 interface   "interface-converted", or a value boxed into a variadic
 *                 argument list (flow "{storage for ... argument} <- &{storage
 *                 for X}": fmt.Println(x) and friends), or a value that
 *                 allocates nothing itself stored as "{storage for X}" (an
 *                 interface box: constants, variables, fields, call results)
 *   7 element     "slice-literal-element", "slice-element-equals",
 *                 "array-element-equals", "key of map put",
 *                 "value of map put", "map literal key/value"
 *   8 global      a flow into {heap} whose last step assigns
 *                 ("assign", "dot-equals", "star-equals", "star-dot-equals")
 *                 to a name or field (an index on the left is "element")
 *   9 call        "call parameter"
 *  10 return      "return"
 *  11 unknown     any other chain
 *
 * Without a chain (-m output, or no block), or with a chain that names
 * none of these (a go statement's closure is only "spill"): "func
 * literal" is closure,
 * "make(...)" is size, "append" is append, "... argument" is call, and a
 * leak-result is return; the rest is unknown.
 */
#include "cause.h"

#include <string.h>

static const struct {
	const char *name, *hint;
} causes[CAUSE_N] = {
	[CAUSE_NONE] = { "", "" },
	[CAUSE_GOROUTINE] = { "goroutine",
	    "pass values as arguments to the goroutine instead of capturing them" },
	[CAUSE_CLOSURE] = { "closure",
	    "pass the variable as a parameter, or keep the closure from escaping" },
	[CAUSE_SEND] = { "send",
	    "send values rather than pointers, or reuse buffers through a sync.Pool" },
	[CAUSE_SIZE] = { "size",
	    "use a constant size under the stack limit, or reuse one buffer across calls" },
	[CAUSE_APPEND] = { "append",
	    "preallocate with make([]T, 0, N) of constant capacity, or reuse the slice" },
	[CAUSE_IFACE] = { "interface",
	    "avoid interface conversion (fmt, any, error wrapping) on hot paths; use concrete types" },
	[CAUSE_ELEMENT] = { "element",
	    "store values rather than pointers in the slice or map" },
	[CAUSE_GLOBAL] = { "global",
	    "do not keep the pointer in a global or heap object; copy the value" },
	[CAUSE_CALL] = { "call",
	    "the callee keeps its parameter: change the callee, or pass a copy" },
	[CAUSE_RETURN] = { "return",
	    "return a value, or let the caller pass the destination" },
	[CAUSE_UNKNOWN] = { "unknown",
	    "read the chain with escdb explain FILE:LINE" },
};

const char *
cause_name(int c)
{
	return c >= 0 && c < CAUSE_N ? causes[c].name : "";
}

const char *
cause_hint(int c)
{
	return c >= 0 && c < CAUSE_N ? causes[c].hint : "";
}

int
cause_parse(const char *s)
{
	int i;

	for (i = 1; i < CAUSE_N; i++)
		if (strcmp(s, causes[i].name) == 0)
			return i;
	return -1;
}

/* The rank of one step's reason.  Called for every step of every chain
 * (a million on the standard library), so it looks at the first byte
 * before comparing whole words. */
static int
reason_rank(const char *r, const char *expr)
{
	if (expr[0] == 'g' && expr[1] == 'o' && expr[2] == ' ')
		return CAUSE_GOROUTINE;
	switch (r[0]) {
	case 'a':
		if (strncmp(r, "append", 6) == 0 && (r[6] == '\0' ||
		    strcmp(r + 6, "ee slice") == 0 || strncmp(r + 6, "ed slice", 8) == 0))
			return CAUSE_APPEND;
		if (strcmp(r, "array-element-equals") == 0)
			return CAUSE_ELEMENT;
		break;
	case 'c':
		if (r[1] == 'a' && r[2] == 'l' && strcmp(r, "call parameter") == 0)
			return CAUSE_CALL;
		if (r[1] == 'a' && r[2] == 'p' && strcmp(r, "captured by a closure") == 0)
			return CAUSE_CLOSURE;
		break;
	case 'i':
		if (strcmp(r, "interface-converted") == 0)
			return CAUSE_IFACE;
		break;
	case 'k':
		if (strcmp(r, "key of map put") == 0)
			return CAUSE_ELEMENT;
		break;
	case 'm':
		if (strncmp(r, "map literal ", 12) == 0)
			return CAUSE_ELEMENT;
		break;
	case 'n':
		if (strcmp(r, "non-constant size") == 0)
			return CAUSE_SIZE;
		break;
	case 'r':
		if (strcmp(r, "return") == 0)
			return CAUSE_RETURN;
		break;
	case 's':
		if (r[1] == 'e' && strcmp(r, "send") == 0)
			return CAUSE_SEND;
		if (r[1] == 'l' && (strcmp(r, "slice-literal-element") == 0 ||
		    strcmp(r, "slice-element-equals") == 0))
			return CAUSE_ELEMENT;
		break;
	case 't':
		if (strcmp(r, "too large for stack") == 0)
			return CAUSE_SIZE;
		break;
	case 'v':
		if (strcmp(r, "value of map put") == 0)
			return CAUSE_ELEMENT;
		break;
	default:
		break;
	}
	return CAUSE_UNKNOWN;
}

/* Does the subject allocate by itself, or is "{storage for X}" the
 * interface box the compiler made for a plain value? */
static int
allocates(const char *x)
{
	static const char *const pre[] = { "&", "new(", "make(", "func literal",
	    "append", "[]", "map[", "string(", "[", "... argument", NULL };
	int i;

	for (i = 0; pre[i]; i++)
		if (strncmp(x, pre[i], strlen(pre[i])) == 0)
			return 1;
	return strchr(x, '{') != NULL || strstr(x, " + ") != NULL;
}

/* The block's own subject: Go 1.25+ prints a constant's value in the
 * verdict ("10 escapes to heap") and the variable in the heading. */
static int
is_boxing(const struct esc_finding *f, const struct esc_block *b, const struct esc_flow *fl)
{
	const char *x = b->subject ? b->subject : f->subject;
	size_t n = strlen(x);

	if (f->kind != ESC_HEAP || allocates(x))
		return 0;
	return strncmp(fl->src, "&{storage for ", 14) == 0 &&
	    strncmp(fl->src + 14, x, n) == 0 && strcmp(fl->src + 14 + n, "}") == 0;
}

/* "m[k] = v", "s[i] = v": a store into an element, not a global. */
static int
index_store(const char *expr)
{
	const char *eq = strstr(expr, " = ");
	const char *br = strchr(expr, '[');

	return eq != NULL && br != NULL && br < eq;
}

static int
is_assign(const char *r)
{
	return strcmp(r, "assign") == 0 || strcmp(r, "dot-equals") == 0 ||
	    strcmp(r, "star-equals") == 0 || strcmp(r, "star-dot-equals") == 0;
}

int
cause_derive(const struct esc_finding *f)
{
	size_t i, j, k;
	int best = CAUSE_N, any = 0;

	if (f->kind != ESC_HEAP && f->kind != ESC_MOVED && f->kind != ESC_LEAK &&
	    f->kind != ESC_LEAK_CONTENT && f->kind != ESC_LEAK_RESULT)
		return CAUSE_NONE;
	for (i = 0; i < f->nblocks; i++) {
		const struct esc_block *b = f->blocks[i];
		for (j = 0; j < b->nflows; j++) {
			const struct esc_flow *fl = &b->flows[j];
			if (((fl->dst[0] == '{' && fl->dst[1] == 's' &&
			    strcmp(fl->dst, "{storage for ... argument}") == 0 &&
			    strncmp(fl->src, "&{storage for ", 14) == 0) || (j == 0 && is_boxing(f, b, fl))) &&
			    CAUSE_IFACE < best)
				best = CAUSE_IFACE;
			for (k = 0; k < fl->nsteps; k++) {
				int c = reason_rank(fl->steps[k].reason, fl->steps[k].expr);
				any = 1;
				if (c == CAUSE_CALL || c == CAUSE_RETURN || c == CAUSE_UNKNOWN) {
					/* a store into {heap} outranks call and return */
					if (k + 1 == fl->nsteps && fl->dst[0] == '{' && fl->dst[1] == 'h' &&
					    strcmp(fl->dst, "{heap}") == 0 &&
					    is_assign(fl->steps[k].reason))
						c = index_store(fl->steps[k].expr) ? CAUSE_ELEMENT : CAUSE_GLOBAL;
				}
				if (c < best)
					best = c;
			}
		}
	}
	if (any && !(best == CAUSE_UNKNOWN && strcmp(f->subject, "func literal") == 0))
		return best;
	if (strcmp(f->subject, "func literal") == 0)
		return CAUSE_CLOSURE;
	if (strncmp(f->subject, "make(", 5) == 0)
		return CAUSE_SIZE;
	if (strcmp(f->subject, "append") == 0)
		return CAUSE_APPEND;
	if (strcmp(f->subject, "... argument") == 0)
		return CAUSE_CALL;
	if (f->kind == ESC_LEAK_RESULT)
		return CAUSE_RETURN;
	return CAUSE_UNKNOWN;
}
