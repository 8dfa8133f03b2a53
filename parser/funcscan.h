/*
 * funcscan: a lexical scan of one Go source file that maps a position
 * (line:col as the Go compiler prints it) to the enclosing function's name,
 * and normalises compiler-printed function names to the same form.
 * It owns only its own copies of names; any module may call it (the parser
 * and store use it to fill each finding's `func`).  It prints nothing.
 *
 * Naming (escdb's form; equal to funcname_normalize() of the compiler's name):
 *   func F()                    -> "F"
 *   func (l *List[T]) Push()    -> "List.Push"   (star and type params dropped)
 *   func init()                 -> "init"        (compiler: init.0, init.1, ...)
 *   k-th func literal directly in F or in a method -> "F.funck", "T.M.funck"
 *   k-th literal directly inside literal X       -> "X.k"  (e.g. outer.func1.2)
 *   k-th literal at package level (var initialisers) -> "init.funck"
 *   a package-level `var` declaration (its initialisers) -> "init"
 * k counts in source order from 1, skipping literals in code the compiler
 * drops before naming closures: branches of `if`/`for` whose condition is a
 * constant (true, false, file-level `const x = true|false`, combined with
 * ! && || as cmd/compile's staticBool does) and statements after return,
 * goto, panic(...) or a terminating if/else/block (up to the last label).
 * A function's range starts at its `func` keyword (so parameters and results
 * belong to it) and ends at its closing brace; a bodyless (assembly)
 * declaration covers just its signature.  A literal's range starts just
 * after its `func` keyword: "func literal escapes" findings, which the
 * compiler reports at the keyword, belong to the enclosing function.
 * Range-over-func loop bodies belong to the enclosing function (the
 * compiler's "F-range1" normalises to "F").
 * Limits (one file, no type information).  On GOROOT's std and cmd (207,000
 * compiler headings) all but 0.12% agree, not counting the wrappers below,
 * which make up the rest; the 0.12% come from the other limits:
 *  - package-level literals are numbered in this file's source order; the
 *    compiler numbers them per package in initialisation order;
 *  - a condition constant only through another file's const, runtime.GOOS
 *    or other constant expressions is not known, so literals in the dropped
 *    branch still count;
 *  - compiler-generated wrappers (promoted methods of embedded fields,
 *    interface-method wrappers, cgo call wrappers) are reported at the
 *    wrapped method's position: lookup gives the wrapped method, or "" for
 *    an interface method;
 *  - literals nested more than 62 deep belong to their 62nd-level
 *    ancestor; a function whose name would exceed 1024 bytes is not
 *    recorded (its positions belong to the enclosing function, or "").
 */
#ifndef ESCDB_FUNCSCAN_H
#define ESCDB_FUNCSCAN_H

#include <stddef.h>

struct funcscan;

/*
 * Scans src[0..len).  Never fails: unparsable input gives fewer functions
 * (it exits through xalloc_die() only when memory runs out).  The result
 * does not point into src; src may be freed right after.  Time and memory
 * are linear in len.  Caller frees with funcscan_free.
 */
struct funcscan *funcscan_new(const char *src, size_t len);

/*
 * The innermost function enclosing line:col (both 1-based, col a byte
 * column), or "" when none.  col <= 0 means the column is unknown: the
 * answer is then the innermost function that encloses every token starting
 * on that line (for "\tgo func() {" that is the function containing the go
 * statement, for "func F() {" it is F, for "\t}()" closing a literal it is
 * the literal's parent); a line with no token start (blank, comment, inside
 * a raw string) uses column 1.  The string is owned by fs and valid until
 * funcscan_free.  Thread-safe for concurrent lookups.
 */
const char *funcscan_lookup(const struct funcscan *fs, int line, int col);

/* The package clause's name, or "".  Owned by fs, valid until funcscan_free. */
const char *funcscan_package(const struct funcscan *fs);

/* Frees fs and every string it returned.  NULL is allowed. */
void funcscan_free(struct funcscan *fs);

/*
 * Normalises a function name as the Go compiler prints it into escdb's form:
 * "(*T).M" -> "T.M", "(*L[go.shape.int]).Set" -> "L.Set", "(*L[int]).Set" ->
 * "L.Set", "T.M" stays, "Map[...]" -> "Map", "main.func1" stays,
 * "outer.func1.1" stays, "pkg/path.F" -> "F", "(*pkg/path.T).M" -> "T.M",
 * "init.0.func1" -> "init.func1", "map.init.0" -> "init", "glob..func1" (go1.21 and older) ->
 * "init.func1", "F-range1" -> "F", "T.M-fm" -> "T.M", "F.gowrap1" -> "F",
 * ".eq.path/pkg.T" -> ".eq.T".  Works on any bytes; in and out must not
 * overlap.  Writes a NUL-terminated result into out[0..outsz) (when outsz >
 * 0), truncating at a UTF-8 character boundary, and returns the length
 * written (strlen(out); 0 when outsz is 0).
 */
size_t funcname_normalize(const char *in, char *out, size_t outsz);

#endif
