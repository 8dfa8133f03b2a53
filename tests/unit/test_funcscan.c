/*
 * Unit test for parser/funcscan: enclosing-function lookup and compiler
 * name normalisation.  The fixtures below are Go files whose escape-analysis
 * headings (POS: ... in F: / ... for F with ...) were captured from go1.26.8
 * `go build -gcflags='-m=2 -l'`; for each, funcscan_lookup(POS) must equal
 * funcname_normalize(F).  Also: hand-written checks of the documented rules,
 * a real file from GOROOT (skipped when absent), robustness on truncated,
 * random and deeply nested input, and a speed bound.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../parser/funcscan.h"
#include "check.h"

struct expect {
	int line, col;
	const char *name;       /* as the compiler printed it */
};

struct fixture {
	const char *pkg;
	const char *src;
	const struct expect *exp;
	size_t n;
};

/* testdata a/a.go, checked against go1.26.8 -gcflags=-m=2 -l */
static const char src_a[] =
	"package a\n"
	"\n"
	"import \"fmt\"\n"
	"\n"
	"var sink any\n"
	"\n"
	"// Package-level literals: init.func1, init.func2.\n"
	"var G = func(p *int) *int { return p }\n"
	"var (\n"
	"\tH = func(p *int) *int { return p }\n"
	"\tM = map[string]int{\"a\": 1, \"b\": 2}\n"
	")\n"
	"\n"
	"type L[T any] struct{ v []T }\n"
	"\n"
	"func (l *L[T]) Set(v T) { l.v = append(l.v, v) }\n"
	"\n"
	"func (l *L[T]) Each(f func(T) error) {\n"
	"\tfor _, x := range l.v {\n"
	"\t\tfunc() {\n"
	"\t\t\tg := func() { sink = f(x) }\n"
	"\t\t\tg()\n"
	"\t\t}()\n"
	"\t}\n"
	"}\n"
	"\n"
	"type S struct{ p *int }\n"
	"\n"
	"func (s *S) M(p *int) func() *int {\n"
	"\treturn func() *int {\n"
	"\t\th := func() *int { return p }\n"
	"\t\treturn h()\n"
	"\t}\n"
	"}\n"
	"\n"
	"func (s S) N() {\n"
	"\tdefer func() { fmt.Println(s) }()\n"
	"\tgo func() { fmt.Println(s.p) }()\n"
	"}\n"
	"\n"
	"func Outer() func() int {\n"
	"\tx := 0\n"
	"\tf := func() func() int {\n"
	"\t\ty := 1\n"
	"\t\treturn func() int { x++; return x + y }\n"
	"\t}\n"
	"\tfor i := 0; i < 3; i++ {\n"
	"\t\tgo func() {\n"
	"\t\t\tfmt.Println(i)\n"
	"\t\t\tfunc() { fmt.Println(func() int { return i }()) }()\n"
	"\t\t}()\n"
	"\t}\n"
	"\t_ = func() {}\n"
	"\treturn f()\n"
	"}\n"
	"\n"
	"func Types(f func(int) error, g func() func() int) func() func() {\n"
	"\tvar h func(int) error = f\n"
	"\t_ = h\n"
	"\tfs := []func(){func() { sink = new(int) }, func() { sink = new(int) }}\n"
	"\tm := map[string]func() int{\"a\": func() int { sink = new(int); return 1 }}\n"
	"\tvar arr [2]func()\n"
	"\tarr[0] = func() { sink = new(int) }\n"
	"\tch := make(chan func(), 1)\n"
	"\tch <- func() { sink = new(int) }\n"
	"\tswitch sink.(type) {\n"
	"\tcase func():\n"
	"\t\tsink = func() { sink = new(int) }\n"
	"\t}\n"
	"\tconv := (func())(fs[0])\n"
	"\t_ = conv\n"
	"\ttype T struct {\n"
	"\t\tcb func() int\n"
	"\t\ts  string `json:\"{\"`\n"
	"\t}\n"
	"\tt := T{cb: func() int { sink = new(int); return 2 }}\n"
	"\t_, _, _ = m, arr, t\n"
	"\treturn func() func() { sink = new(int); return func() { sink = new(int) } }\n"
	"}\n"
	"\n"
	"func Strs(p *int) {\n"
	"\ts := \"}{ func() { \\\" }\"\n"
	"\tr := '}'\n"
	"\tq := '\\''\n"
	"\td := '\"'\n"
	"\traw := `\n"
	"\t} func() {\n"
	"\t`\n"
	"\t/* } func() { */\n"
	"\t// } func() {\n"
	"\tsink = func() *int { return p }\n"
	"\t_, _, _, _, _ = s, r, q, d, raw\n"
	"}\n"
	"\n"
	"func Gen[K comparable, V any](m map[K]V) func() map[K]V {\n"
	"\treturn func() map[K]V { sink = new(int); return m }\n"
	"}\n"
	"\n"
	"func init() {\n"
	"\tf := func(p *int) *int { return p }\n"
	"\tsink = f\n"
	"}\n"
	"\n"
	"func init() {\n"
	"\tg := func(p *int) *int { return p }\n"
	"\tsink = g\n"
	"}\n"
	"\n"
	"func Use() {\n"
	"\tl := &L[int]{}\n"
	"\tl.Set(1)\n"
	"\tl.Each(func(int) error { return nil })\n"
	"\tsink = Gen(map[string]int{})\n"
	"}\n";

static const struct expect exp_a[] = {
	{ 8, 14, "init.func1" },
	{ 10, 11, "init.func2" },
	{ 11, 20, "init" },
	{ 16, 7, "(*L[go.shape.int]).Set" },
	{ 16, 7, "(*L[int]).Set" },
	{ 16, 39, "(*L[go.shape.int]).Set" },
	{ 29, 15, "(*S).M" },
	{ 30, 9, "(*S).M" },
	{ 36, 7, "(*S).N" },
	{ 36, 7, "S.N" },
	{ 38, 5, "S.N" },
	{ 42, 2, "Outer" },
	{ 45, 10, "Outer.func1" },
	{ 48, 6, "Outer" },
	{ 49, 16, "Outer.func2" },
	{ 50, 48, "Outer.func2.1" },
	{ 60, 36, "Types.func1" },
	{ 60, 64, "Types.func2" },
	{ 61, 34, "Types" },
	{ 61, 57, "Types.func3" },
	{ 63, 30, "Types.func4" },
	{ 65, 8, "Types" },
	{ 65, 27, "Types.func5" },
	{ 68, 10, "Types" },
	{ 68, 29, "Types.func6" },
	{ 76, 36, "Types.func7" },
	{ 78, 9, "Types" },
	{ 78, 35, "Types.func8" },
	{ 78, 49, "Types.func8" },
	{ 78, 68, "Types.func8.1" },
	{ 81, 11, "Strs" },
	{ 91, 9, "Strs" },
	{ 95, 6, "Gen[go.shape.string,go.shape.int]" },
	{ 95, 31, "Gen[go.shape.string,go.shape.int]" },
	{ 95, 31, "Gen[string,int]" },
	{ 96, 9, "Gen[go.shape.string,go.shape.int]" },
	{ 96, 36, "Gen[go.shape.string,go.shape.int].func1" },
	{ 100, 7, "init.0" },
	{ 100, 12, "init.0.func1" },
	{ 105, 7, "init.1" },
	{ 105, 12, "init.1.func1" },
	{ 113, 27, "Use" },
};

/* testdata b/b.go, checked against go1.26.8 -gcflags=-m=2 -l */
static const char src_b[] =
	"package b\n"
	"\n"
	"var sink any\n"
	"\n"
	"const debug = false\n"
	"const verbose = true\n"
	"\n"
	"func A(c bool) {\n"
	"\tif c {\n"
	"\t\treturn\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\t_ = func() { sink = new(int) }\n"
	"\tif true {\n"
	"\t} else {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\tif debug && c {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\tif c || verbose {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t} else {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\tif c {\n"
	"\t} else if false {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t} else {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\tfor false {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\t_ = func() { sink = new(int) }\n"
	"}\n"
	"\n"
	"func B(c bool) {\n"
	"\tif c {\n"
	"\t\tpanic(\"x\")\n"
	"\t} else {\n"
	"\t\treturn\n"
	"\t}\n"
	"\t_ = func() { sink = new(int) }\n"
	"L:\n"
	"\t_ = func() { sink = new(int) }\n"
	"\tgoto L\n"
	"}\n"
	"\n"
	"func C(c bool) {\n"
	"\t{\n"
	"\t\treturn\n"
	"\t}\n"
	"\t_ = func() { sink = new(int) }\n"
	"}\n"
	"\n"
	"func D(c bool) {\n"
	"\tswitch {\n"
	"\tcase c:\n"
	"\t\treturn\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\tdefault:\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\tif true {\n"
	"\t\treturn\n"
	"\t}\n"
	"\t_ = func() { sink = new(int) }\n"
	"}\n"
	"\n"
	"func E(c bool) {\n"
	"\tif !(c && false) {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\tif x := func() bool { sink = new(int); return c }(); x {\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\tfor _, f := range []func(){func() { sink = new(int) }} {\n"
	"\t\tf()\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\t}\n"
	"\tselect {\n"
	"\tcase <-func() chan int { sink = new(int); return nil }():\n"
	"\t\t_ = func() { sink = new(int) }\n"
	"\tdefault:\n"
	"\t}\n"
	"}\n"
	"\n"
	"func seq(yield func(int) bool) {}\n"
	"\n"
	"func R(p *int) {\n"
	"\tfor x := range seq {\n"
	"\t\tq := func() *int { sink = new(int); return p }\n"
	"\t\t_ = q\n"
	"\t\tfor y := range seq {\n"
	"\t\t\tsink = []int{x, y}\n"
	"\t\t}\n"
	"\t}\n"
	"\tz := func() *int { sink = new(int); return p }\n"
	"\t_ = z\n"
	"}\n";

static const struct expect exp_b[] = {
	{ 13, 25, "A.func1" },
	{ 22, 26, "A.func2" },
	{ 30, 26, "A.func3" },
	{ 35, 25, "A.func4" },
	{ 40, 9, "B" },
	{ 44, 25, "B.func1" },
	{ 46, 25, "B.func2" },
	{ 63, 26, "D.func1" },
	{ 73, 26, "E.func1" },
	{ 75, 34, "E.func2" },
	{ 76, 26, "E.func3" },
	{ 78, 48, "E.func4" },
	{ 80, 26, "E.func5" },
	{ 83, 37, "E.func6" },
	{ 84, 26, "E.func7" },
	{ 93, 32, "R.func1" },
	{ 96, 16, "R-range2" },
	{ 99, 31, "R.func2" },
};

/* testdata c/c.go, checked against go1.26.8 -gcflags=-m=2 -l */
static const char src_c[] =
	"package c\n"
	"\n"
	"import \"unsafe\"\n"
	"\n"
	"var sink any\n"
	"\n"
	"//go:noescape\n"
	"func asm1(p *int)\n"
	"\n"
	"func asm2(p *int,\n"
	"\tq *int) int\n"
	"\n"
	"func Use(p *int) {\n"
	"\tasm1(p)\n"
	"\t_ = asm2(p, p)\n"
	"\tf := func(x *int) func(*int) *int { return func(y *int) *int { sink = y; return x } }\n"
	"\t_ = f\n"
	"\t_ = unsafe.Sizeof(p)\n"
	"}\n";

static const struct expect exp_c[] = {
	{ 13, 10, "Use" },
	{ 16, 12, "Use.func1" },
	{ 16, 45, "Use.func1" },
	{ 16, 50, "Use.func1.1" },
};

/* testdata d/d.go, checked against go1.26.8 -gcflags=-m=2 -l */
static const char src_d[] =
	"package d\n"
	"\n"
	"var sink any\n"
	"\n"
	"type Tree struct {\n"
	"\tl, r *Tree\n"
	"\tv    int\n"
	"}\n"
	"\n"
	"func (t *Tree) Walk(fn func(*Tree) bool) bool {\n"
	"\tvar walk func(n *Tree) bool\n"
	"\twalk = func(n *Tree) bool {\n"
	"\t\tif n == nil {\n"
	"\t\t\treturn true\n"
	"\t\t}\n"
	"\t\treturn walk(n.l) && fn(n) && walk(n.r)\n"
	"\t}\n"
	"\treturn walk(t)\n"
	"}\n"
	"\n"
	"func Loops(n int) []func() int {\n"
	"\tvar out []func() int\n"
	"\tfor i := 0; i < n; i++ {\n"
	"\t\tfor j := 0; j < n; j++ {\n"
	"\t\t\tout = append(out, func() int {\n"
	"\t\t\t\treturn func() int {\n"
	"\t\t\t\t\treturn func() int { return i * j }()\n"
	"\t\t\t\t}()\n"
	"\t\t\t})\n"
	"\t\t}\n"
	"\t}\n"
	"\treturn out\n"
	"}\n"
	"\n"
	"func Compose(fs ...func(int) int) func(int) int {\n"
	"\treturn func(x int) int {\n"
	"\t\tfor _, f := range fs {\n"
	"\t\t\tx = f(x)\n"
	"\t\t}\n"
	"\t\treturn x\n"
	"\t}\n"
	"}\n"
	"\n"
	"type Handler interface{ Serve(func()) }\n"
	"\n"
	"type handlerFunc func(func())\n"
	"\n"
	"func (h handlerFunc) Serve(f func()) { h(f) }\n"
	"\n"
	"func Wrap(h Handler) Handler {\n"
	"\treturn handlerFunc(func(f func()) {\n"
	"\t\th.Serve(func() { sink = new(int); f() })\n"
	"\t})\n"
	"}\n";

static const struct expect exp_d[] = {
	{ 10, 7, "(*Tree).Walk" },
	{ 12, 14, "(*Tree).Walk.func1" },
	{ 23, 6, "Loops" },
	{ 25, 16, "Loops" },
	{ 25, 22, "Loops" },
	{ 35, 14, "Compose" },
	{ 36, 9, "Compose" },
	{ 48, 28, "(*handlerFunc).Serve" },
	{ 48, 28, "handlerFunc.Serve" },
	{ 50, 11, "Wrap" },
	{ 51, 21, "Wrap" },
	{ 51, 26, "Wrap.func1" },
	{ 52, 11, "Wrap.func1" },
	{ 52, 30, "Wrap.func1.1" },
};

/* testdata e/e.go, checked against go1.26.8 -gcflags=-m=2 -l */
static const char src_e[] =
	"package e\n"
	"\n"
	"var sink any\n"
	"\n"
	"const debug = false\n"
	"\n"
	"func Shadow(debug bool) {\n"
	"\tif debug {\n"
	"\t\tsink = func() { sink = new(int) }\n"
	"\t}\n"
	"\tsink = func() { sink = new(int) }\n"
	"}\n"
	"\n"
	"func Mul(a []int, i int) int {\n"
	"\treturn a[i] * func() int { sink = new(int); return 2 }()\n"
	"}\n"
	"\n"
	"func Ret() func() func() int {\n"
	"\treturn func() func() int { sink = new(int); return func() int { sink = new(int); return 1 } }\n"
	"}\n"
	"\n"
	"type Map[K comparable, V any] struct{ m map[K]V }\n"
	"\n"
	"func (m *Map[K, V]) Get(k K, f func(V) struct{ ok bool }) func() V {\n"
	"\treturn func() V { sink = new(int); return m.m[k] }\n"
	"}\n"
	"\n"
	"func Gen2[T any, U ~int](t T, u U) func() T {\n"
	"\treturn func() T { sink = new(int); return t }\n"
	"}\n"
	"\n"
	"func Runes() {\n"
	"\ta, b, c := '\\'', '\"', '{'\n"
	"\ts := \"\\\\\" + `\\` + \"\\\"{\"\n"
	"\tsink = func() { sink = new(int) }\n"
	"\t_, _, _, _ = a, b, c, s\n"
	"}\n"
	"\n"
	"func Chan(ch chan func() int, in <-chan func()) (chan<- func(), error) {\n"
	"\tch <- func() int { sink = new(int); return 1 }\n"
	"\tgo func(f func()) { sink = new(int); f() }(<-in)\n"
	"\treturn nil, nil\n"
	"}\n"
	"\n"
	"func Multi() (x, y func()) {\n"
	"\tx, y = func() { sink = new(int) }, func() { sink = new(int) }\n"
	"\treturn\n"
	"}\n"
	"\n"
	"func Labels(n int) {\n"
	"outer:\n"
	"\tfor i := 0; i < n; i++ {\n"
	"\t\tswitch {\n"
	"\t\tcase i > 2:\n"
	"\t\t\tcontinue outer\n"
	"\t\tdefault:\n"
	"\t\t\tdefer func() { sink = new(int) }()\n"
	"\t\t}\n"
	"\t}\n"
	"\tif debug {\n"
	"\t\treturn\n"
	"\t}\n"
	"\tsink = func() { sink = new(int) }\n"
	"}\n"
	"\n"
	"func Use() {\n"
	"\tm := &Map[string, int]{}\n"
	"\tsink = m.Get(\"a\", nil)\n"
	"\tsink = Gen2[string, int](\"x\", 1)\n"
	"}\n";

static const struct expect exp_e[] = {
	{ 9, 10, "Shadow" },
	{ 9, 29, "Shadow.func1" },
	{ 11, 9, "Shadow" },
	{ 11, 28, "Shadow.func2" },
	{ 15, 39, "Mul.func1" },
	{ 19, 9, "Ret" },
	{ 19, 39, "Ret.func1" },
	{ 19, 53, "Ret.func1" },
	{ 19, 76, "Ret.func1.1" },
	{ 24, 6, "(*Map[go.shape.string,go.shape.int]).Get" },
	{ 24, 7, "(*Map[go.shape.string,go.shape.int]).Get" },
	{ 24, 7, "(*Map[string,int]).Get" },
	{ 24, 25, "(*Map[go.shape.string,go.shape.int]).Get" },
	{ 24, 25, "(*Map[string,int]).Get" },
	{ 25, 9, "(*Map[go.shape.string,go.shape.int]).Get" },
	{ 25, 30, "(*Map[go.shape.string,go.shape.int]).Get.func1" },
	{ 28, 6, "Gen2[go.shape.string,go.shape.int]" },
	{ 28, 26, "Gen2[go.shape.string,go.shape.int]" },
	{ 28, 26, "Gen2[string,int]" },
	{ 29, 9, "Gen2[go.shape.string,go.shape.int]" },
	{ 29, 30, "Gen2[go.shape.string,go.shape.int].func1" },
	{ 35, 9, "Runes" },
	{ 35, 28, "Runes.func1" },
	{ 40, 8, "Chan" },
	{ 40, 31, "Chan.func1" },
	{ 41, 2, "Chan" },
	{ 41, 5, "Chan" },
	{ 41, 32, "Chan.func2" },
	{ 46, 9, "Multi" },
	{ 46, 28, "Multi.func1" },
	{ 46, 37, "Multi" },
	{ 46, 56, "Multi.func2" },
	{ 57, 10, "Labels" },
	{ 57, 29, "Labels.func1" },
	{ 63, 9, "Labels" },
	{ 63, 28, "Labels.func2" },
	{ 67, 7, "Use" },
};

static const struct fixture fixtures[] = {
	{ "a", src_a, exp_a, sizeof exp_a / sizeof exp_a[0] },
	{ "b", src_b, exp_b, sizeof exp_b / sizeof exp_b[0] },
	{ "c", src_c, exp_c, sizeof exp_c / sizeof exp_c[0] },
	{ "d", src_d, exp_d, sizeof exp_d / sizeof exp_d[0] },
	{ "e", src_e, exp_e, sizeof exp_e / sizeof exp_e[0] },
};

/* ------------------------------------------------------------------ */

/* Inline sources for lexical and syntactic corners (line numbers in the
 * comments are used by test_syntax). */
static const char src_syntax[] =
	    "package p\n"                                           /* 1 */
	    "func A() {\n"                                          /* 2 */
	    "\ts := \"}{ \\\" func() {\"\n"                         /* 3 */
	    "\tr1, r2, r3, r4 := '}', '\\'', '\"', '{'\n"           /* 4 */
	    "\tx := `a\n"                                           /* 5 */
	    "} func() { ` + \"\\\\\"\n"                             /* 6 */
	    "\t/* } func() {\n"                                     /* 7 */
	    "\t} */ // } func() {\n"                                /* 8 */
	    "\tf := func() {}\n"                                    /* 9 */
	    "}\n"                                                   /* 10 */
	    "func B[T any, U ~int | ~string](t T) func() func() int {\n" /* 11 */
	    "\treturn func() func() int { return func() int { return 1 } }\n" /* 12 */
	    "}\n"                                                   /* 13 */
	    "func (m *Map[K, V]) Get(k K, f func(V) struct{ ok bool }) (v V, ok bool) {\n" /* 14 */
	    "\tvar g func() = nil; _ = g; h := func() {}\n"         /* 15 */
	    "\tfs := [2]func(){}; ms := map[string]func() int{\"a\": func() int { return 0 }}\n" /* 16 */
	    "\tn := a[i] * func() int { return 2 }()\n"             /* 17 */
	    "\ttype T struct { f func() int; g interface{ M(func()) } }\n" /* 18 */
	    "\t_ = T{f: func() int { return 3 }}\n"                 /* 19 */
	    "\treturn\n"                                            /* 20 */
	    "}\n"                                                   /* 21 */
	    "func init() { _ = func() {} }\n"                       /* 22 */
	    "func init() { _ = func() {} }\n"                       /* 23 */
	    "func _() { _ = func() {} }\n"                          /* 24 */
	    "type F func() int\n"                                   /* 25 */
	    "var V func()\n"                                        /* 26 */
	    "func C(ch chan<- func(), c <-chan func() int) <-chan func() {\n" /* 27 */
	    "\tch <- func() {}\n"                                   /* 28 */
	    "\treturn nil\n"                                        /* 29 */
	    "}\n";

/* Dead code: constant conditions and terminating statements. */
static const char src_dead[] =
	    "package q\n"                                           /* 1 */
	    "const debug, trace = false, true\n"                    /* 2 */
	    "const (\n"                                             /* 3 */
	    "\tverbose = !true\n"                                   /* 4 */
	    "\tloud bool = false || (true && true)\n"               /* 5 */
	    ")\n"                                                   /* 6 */
	    "func F(c bool) {\n"                                    /* 7 */
	    "\tif verbose { _ = func() {} }\n"                      /* 8 */
	    "\tif loud { _ = func() {} } else { _ = func() {} }\n"  /* 9 */
	    "\tif c && verbose { _ = func() {} }\n"                 /* 10 */
	    "\tif x := 1; false { _ = func() {} }\n"                /* 11 */
	    "\tfor i := 0; false; i++ { _ = func() {} }\n"          /* 12 */
	    "\tif c { return } else { panic(1) }\n"                 /* 13 */
	    "\t_ = func() {}\n"                                     /* 14 */
	    "}\n"                                                   /* 15 */
	    "func G(c bool) {\n"                                    /* 16 */
	    "\tif c { _ = func() {} } else if true { _ = func() {} } else { _ = func() {} }\n" /* 17 */
	    "\tswitch { case c: return; _ = func() {}; default: _ = func() {} }\n" /* 18 */
	    "\t_ = func() {}\n"                                     /* 19 */
	    "}\n";

/* Broken input that once made the const scan step past the last token. */
static const char src_broken[] =
	"package z\nconst (\n\ta = true\n\tb bool\n\tc";


static const char *norm(const char *in)
{
	static char buf[512];
	funcname_normalize(in, buf, sizeof buf);
	return buf;
}

static struct funcscan *scan_str(const char *s)
{
	return funcscan_new(s, strlen(s));
}

static const struct fixture *fixture(const char *pkg)
{
	size_t i;
	for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
		if (strcmp(fixtures[i].pkg, pkg) == 0)
			return &fixtures[i];
	return NULL;
}

/* Every compiler heading of every fixture. */
static void test_compiler_fixtures(void)
{
	size_t i, k;

	for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
		const struct fixture *fx = &fixtures[i];
		struct funcscan *fs = scan_str(fx->src);
		CHECK_STR(funcscan_package(fs), fx->pkg);
		for (k = 0; k < fx->n; k++) {
			const struct expect *e = &fx->exp[k];
			char want[256];
			const char *got = funcscan_lookup(fs, e->line, e->col);
			funcname_normalize(e->name, want, sizeof want);
			check_count(strcmp(got, want) == 0);
			if (strcmp(got, want) != 0)
				printf("fixture %s %d:%d: lookup = \"%s\", want \"%s\" (compiler: %s)\n",
				    fx->pkg, e->line, e->col, got, want, e->name);
		}
		funcscan_free(fs);
	}
}

/* The rules of funcscan.h, on fixture a (line numbers of testdata a/a.go). */
static void test_rules(void)
{
	const struct fixture *fa = fixture("a"), *fc = fixture("c");
	struct funcscan *fs = scan_str(fa->src);

	/* package-level initialisers belong to init; literals are init.funcN */
	CHECK_STR(funcscan_lookup(fs, 8, 1), "init");
	CHECK_STR(funcscan_lookup(fs, 8, 9), "init");           /* the func keyword */
	CHECK_STR(funcscan_lookup(fs, 8, 13), "init.func1");
	CHECK_STR(funcscan_lookup(fs, 10, 13), "init.func2");
	CHECK_STR(funcscan_lookup(fs, 11, 6), "init");
	CHECK_STR(funcscan_lookup(fs, 5, 5), "init");
	CHECK_STR(funcscan_lookup(fs, 3, 1), "");               /* import */
	CHECK_STR(funcscan_lookup(fs, 14, 20), "");             /* type decl */
	CHECK_STR(funcscan_lookup(fs, 13, 1), "");
	/* a declaration's range starts at `func` and ends at its `}` */
	CHECK_STR(funcscan_lookup(fs, 16, 1), "L.Set");
	CHECK_STR(funcscan_lookup(fs, 16, 7), "L.Set");         /* receiver */
	CHECK_STR(funcscan_lookup(fs, 16, 20), "L.Set");        /* parameter */
	CHECK_STR(funcscan_lookup(fs, 16, 48), "L.Set");        /* its } */
	CHECK_STR(funcscan_lookup(fs, 16, 49), "");
	CHECK_STR(funcscan_lookup(fs, 15, 99), "");
	/* a literal's range starts after its func keyword */
	CHECK_STR(funcscan_lookup(fs, 30, 9), "S.M");
	CHECK_STR(funcscan_lookup(fs, 30, 12), "S.M");
	CHECK_STR(funcscan_lookup(fs, 30, 13), "S.M.func1");
	CHECK_STR(funcscan_lookup(fs, 31, 8), "S.M.func1");
	CHECK_STR(funcscan_lookup(fs, 31, 12), "S.M.func1.1");
	CHECK_STR(funcscan_lookup(fs, 31, 31), "S.M.func1.1");  /* inner } */
	CHECK_STR(funcscan_lookup(fs, 31, 32), "S.M.func1");
	CHECK_STR(funcscan_lookup(fs, 33, 2), "S.M.func1");     /* its } */
	CHECK_STR(funcscan_lookup(fs, 33, 3), "S.M");
	CHECK_STR(funcscan_lookup(fs, 37, 8), "S.N");           /* defer func */
	CHECK_STR(funcscan_lookup(fs, 37, 13), "S.N.func1");
	CHECK_STR(funcscan_lookup(fs, 38, 13), "S.N.func2");    /* go func */
	/* closures in closures in loops */
	CHECK_STR(funcscan_lookup(fs, 45, 20), "Outer.func1.1");
	CHECK_STR(funcscan_lookup(fs, 49, 4), "Outer.func2");
	CHECK_STR(funcscan_lookup(fs, 50, 10), "Outer.func2.1");
	CHECK_STR(funcscan_lookup(fs, 50, 40), "Outer.func2.1.1");
	CHECK_STR(funcscan_lookup(fs, 53, 11), "Outer.func3");
	/* func types in signatures are not literals */
	CHECK_STR(funcscan_lookup(fs, 57, 20), "Types");
	CHECK_STR(funcscan_lookup(fs, 57, 40), "Types");
	CHECK_STR(funcscan_lookup(fs, 57, 60), "Types");
	CHECK_STR(funcscan_lookup(fs, 58, 12), "Types");
	CHECK_STR(funcscan_lookup(fs, 60, 12), "Types");        /* []func(){ */
	CHECK_STR(funcscan_lookup(fs, 60, 23), "Types.func1");

	/* col 0: the innermost function enclosing every token of the line */
	CHECK_STR(funcscan_lookup(fs, 29, 0), "S.M");           /* func (s *S) M(...) { */
	CHECK_STR(funcscan_lookup(fs, 30, 0), "S.M");           /* return func() *int { */
	CHECK_STR(funcscan_lookup(fs, 31, 0), "S.M.func1");     /* h := func() ... } */
	CHECK_STR(funcscan_lookup(fs, 32, 0), "S.M.func1");
	CHECK_STR(funcscan_lookup(fs, 33, 0), "S.M.func1");     /* } */
	CHECK_STR(funcscan_lookup(fs, 23, 0), "L.Each");        /* }() */
	CHECK_STR(funcscan_lookup(fs, 21, 0), "L.Each.func1");
	CHECK_STR(funcscan_lookup(fs, 38, 0), "S.N");           /* go func() {...}() */
	CHECK_STR(funcscan_lookup(fs, 16, 0), "L.Set");
	CHECK_STR(funcscan_lookup(fs, 8, 0), "init");
	CHECK_STR(funcscan_lookup(fs, 7, 0), "");               /* comment line */
	CHECK_STR(funcscan_lookup(fs, 40, 0), "");              /* blank line */
	CHECK_STR(funcscan_lookup(fs, 40, -3), "");
	CHECK_STR(funcscan_lookup(fs, 87, 0), "Strs");          /* inside a raw string */
	CHECK_STR(funcscan_lookup(fs, 0, 1), "");
	CHECK_STR(funcscan_lookup(fs, -1, 0), "");
	CHECK_STR(funcscan_lookup(fs, 100000, 0), "");
	CHECK_STR(funcscan_lookup(fs, 100000, 1), "");
	CHECK_STR(funcscan_lookup(NULL, 1, 1), "");
	CHECK_STR(funcscan_package(NULL), "");
	funcscan_free(fs);

	/* bodyless (assembly) declarations cover just their signature */
	fs = scan_str(fc->src);
	CHECK_STR(funcscan_lookup(fs, 8, 1), "asm1");
	CHECK_STR(funcscan_lookup(fs, 8, 11), "asm1");
	CHECK_STR(funcscan_lookup(fs, 8, 17), "asm1");          /* its ) */
	CHECK_STR(funcscan_lookup(fs, 8, 18), "");
	CHECK_STR(funcscan_lookup(fs, 9, 1), "");
	CHECK_STR(funcscan_lookup(fs, 10, 11), "asm2");
	CHECK_STR(funcscan_lookup(fs, 11, 2), "asm2");
	CHECK_STR(funcscan_lookup(fs, 11, 12), "asm2");         /* result type */
	CHECK_STR(funcscan_lookup(fs, 11, 13), "");
	CHECK_STR(funcscan_lookup(fs, 11, 0), "asm2");
	CHECK_STR(funcscan_lookup(fs, 7, 0), "");
	CHECK_STR(funcscan_lookup(fs, 13, 1), "Use");
	CHECK_STR(funcscan_lookup(fs, 16, 50), "Use.func1.1");
	funcscan_free(fs);
}

/* Small inline sources for lexical and syntactic corners. */
static void test_syntax(void)
{
	struct funcscan *fs;

	fs = scan_str(src_syntax);
	CHECK_STR(funcscan_package(fs), "p");
	CHECK_STR(funcscan_lookup(fs, 3, 10), "A");
	CHECK_STR(funcscan_lookup(fs, 6, 4), "A");
	CHECK_STR(funcscan_lookup(fs, 8, 20), "A");
	CHECK_STR(funcscan_lookup(fs, 9, 13), "A.func1");       /* the first literal */
	CHECK_STR(funcscan_lookup(fs, 10, 1), "A");
	CHECK_STR(funcscan_lookup(fs, 11, 20), "B");
	CHECK_STR(funcscan_lookup(fs, 12, 22), "B.func1");
	CHECK_STR(funcscan_lookup(fs, 12, 48), "B.func1.1");
	CHECK_STR(funcscan_lookup(fs, 14, 40), "Map.Get");
	CHECK_STR(funcscan_lookup(fs, 15, 15), "Map.Get");      /* func type in var */
	CHECK_STR(funcscan_lookup(fs, 15, 42), "Map.Get.func1");
	CHECK_STR(funcscan_lookup(fs, 16, 16), "Map.Get");      /* [2]func(){} */
	CHECK_STR(funcscan_lookup(fs, 16, 40), "Map.Get");      /* map[..]func() int{ */
	CHECK_STR(funcscan_lookup(fs, 16, 65), "Map.Get.func2");
	CHECK_STR(funcscan_lookup(fs, 17, 20), "Map.Get.func3"); /* a[i] * func()... */
	CHECK_STR(funcscan_lookup(fs, 18, 30), "Map.Get");
	CHECK_STR(funcscan_lookup(fs, 19, 20), "Map.Get.func4");
	CHECK_STR(funcscan_lookup(fs, 20, 2), "Map.Get");
	CHECK_STR(funcscan_lookup(fs, 22, 1), "init");
	CHECK_STR(funcscan_lookup(fs, 22, 25), "init.func1");
	CHECK_STR(funcscan_lookup(fs, 23, 25), "init.func1");   /* per init function */
	CHECK_STR(funcscan_lookup(fs, 24, 22), "_.func1");
	CHECK_STR(funcscan_lookup(fs, 25, 10), "");
	CHECK_STR(funcscan_lookup(fs, 26, 10), "init");
	CHECK_STR(funcscan_lookup(fs, 27, 30), "C");
	CHECK_STR(funcscan_lookup(fs, 28, 13), "C.func1");
	CHECK_STR(funcscan_lookup(fs, 29, 2), "C");
	funcscan_free(fs);

	/* dead code: constant conditions and terminating statements */
	fs = scan_str(src_dead);
	CHECK_STR(funcscan_lookup(fs, 9, 22), "F.func1");
	CHECK_STR(funcscan_lookup(fs, 9, 44), "F");             /* dead else */
	CHECK_STR(funcscan_lookup(fs, 14, 12), "F");            /* after if/else returning */
	CHECK_STR(funcscan_lookup(fs, 8, 23), "F");
	CHECK_STR(funcscan_lookup(fs, 17, 20), "G.func1");
	CHECK_STR(funcscan_lookup(fs, 17, 50), "G.func2");
	CHECK_STR(funcscan_lookup(fs, 17, 73), "G");            /* else after true */
	CHECK_STR(funcscan_lookup(fs, 18, 60), "G.func3");      /* default: is live */
	CHECK_STR(funcscan_lookup(fs, 19, 12), "G.func4");
	funcscan_free(fs);

	/* an unterminated function runs to the end of the file */
	fs = scan_str("package r\nfunc H() {\n\tx := func() {\n\t\ty := 1\n");
	CHECK_STR(funcscan_lookup(fs, 4, 3), "H.func1");
	CHECK_STR(funcscan_lookup(fs, 4, 0), "H.func1");
	CHECK_STR(funcscan_lookup(fs, 2, 1), "H");
	funcscan_free(fs);

	/* a BOM is skipped but counted in columns, like cmd/compile */
	fs = scan_str("\xEF\xBB\xBFpackage s\nfunc K() {}\n");
	CHECK_STR(funcscan_package(fs), "s");
	CHECK_STR(funcscan_lookup(fs, 2, 1), "K");
	funcscan_free(fs);

	/* CRLF line ends */
	fs = scan_str("package t\r\nfunc K() {\r\n\t_ = func() {}\r\n}\r\n");
	CHECK_STR(funcscan_lookup(fs, 3, 12), "K.func1");
	CHECK_STR(funcscan_lookup(fs, 4, 1), "K");
	funcscan_free(fs);
}

static void test_normalize(void)
{
	char out[64];

	CHECK_STR(norm("(*T).M"), "T.M");
	CHECK_STR(norm("(*L[go.shape.int]).Set"), "L.Set");
	CHECK_STR(norm("(*L[int]).Set"), "L.Set");
	CHECK_STR(norm("T.M"), "T.M");
	CHECK_STR(norm("Map[...]"), "Map");
	CHECK_STR(norm("main.func1"), "main.func1");
	CHECK_STR(norm("outer.func1.1"), "outer.func1.1");
	CHECK_STR(norm("pkg/path.F"), "F");
	CHECK_STR(norm("example.com/a/b.F.func2"), "F.func2");
	CHECK_STR(norm("(*example.com/a/b.T).M"), "T.M");
	CHECK_STR(norm("(*atomic.Pointer[go.shape.struct { os.mu sync.Mutex; os.buf *[]uint8 }]).Load"),
	    "Pointer.Load");
	CHECK_STR(norm("Generic[go.shape.string,go.shape.int].func1"), "Generic.func1");
	CHECK_STR(norm("(*Box[go.shape.map[string][]int]).Get.func1.2"), "Box.Get.func1.2");
	CHECK_STR(norm("S.N"), "S.N");
	CHECK_STR(norm("init"), "init");
	CHECK_STR(norm("init.func3"), "init.func3");
	CHECK_STR(norm("init.0"), "init");
	CHECK_STR(norm("init.12.func1.1"), "init.func1.1");
	CHECK_STR(norm("map.init.0"), "init");
	CHECK_STR(norm("glob..func1"), "init.func1");
	CHECK_STR(norm("R-range1"), "R");
	CHECK_STR(norm("R-range2.func1"), "R.func1");
	CHECK_STR(norm("(*S).M-fm"), "S.M");
	CHECK_STR(norm("F.gowrap1"), "F");
	CHECK_STR(norm("F.func1.deferwrap2"), "F.func1");
	CHECK_STR(norm(".eq.escdb.test/demo/lineparse.SyntaxError"), ".eq.SyntaxError");
	CHECK_STR(norm(""), "");
	CHECK_STR(norm("[[[]"), "");
	CHECK_STR(norm("(((*"), "");
	CHECK_STR(norm("a]]b"), "ab");
	CHECK_STR(norm("init."), "init.");
	CHECK_STR(norm("/"), "");
	CHECK_STR(norm("."), ".");
	CHECK_STR(norm(NULL), "");

	/* truncation: NUL-terminated, at a UTF-8 boundary, length returned */
	CHECK_INT(funcname_normalize("(*T).Method", out, sizeof out), 8);
	CHECK_INT(funcname_normalize("(*T).Method", out, 5), 4);
	CHECK_STR(out, "T.Me");
	CHECK_INT(funcname_normalize("T.M", out, 1), 0);
	CHECK_STR(out, "");
	memset(out, 'x', sizeof out);
	CHECK_INT(funcname_normalize("T.M", out, 0), 0);
	CHECK(out[0] == 'x');
	CHECK_INT(funcname_normalize("T.\xC3\xA9t\xC3\xA9", out, 5), 4); /* T.é|té */
	CHECK_STR(out, "T.\xC3\xA9");
	CHECK_INT(funcname_normalize("T.\xC3\xA9t\xC3\xA9", out, 4), 2);
	CHECK_STR(out, "T.");
}

/* A file from GOROOT: functions found by searching their text. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* 1-based line and column of the first occurrence of needle, or 0. */
static int find(const char *buf, const char *needle, int *col)
{
	const char *p = strstr(buf, needle), *q;
	int line = 1;

	if (!p)
		return 0;
	for (q = buf; q < p; q++)
		if (*q == '\n')
			line++;
	for (q = p; q > buf && q[-1] != '\n'; q--)
		;
	*col = (int)(p - q) + 1;
	return line;
}

static void test_real_file(void)
{
	size_t len = 0;
	char *buf = read_file("/usr/local/go/src/strings/strings.go", &len);
	struct funcscan *fs;
	int l, c, lt, ct;

	if (!buf)
		return;                 /* no GOROOT here: nothing to check */
	fs = funcscan_new(buf, len);
	CHECK_STR(funcscan_package(fs), "strings");
	if ((l = find(buf, "\nfunc explode(s string, n int) []string {", &c)) != 0) {
		CHECK_STR(funcscan_lookup(fs, l + 1, 1), "explode");
		CHECK_STR(funcscan_lookup(fs, l + 1, 14), "explode");   /* param s */
		CHECK_STR(funcscan_lookup(fs, l + 2, 0), "explode");
	} else
		CHECK(!"strings.go: no func explode");
	if ((lt = find(buf, "\nfunc Title(s string) string {", &ct)) != 0 &&
	    (l = find(buf, "\t\tfunc(r rune) rune {\n\t\t\tif isSeparator(prev)", &c)) != 0) {
		CHECK_STR(funcscan_lookup(fs, lt + 1, 1), "Title");
		CHECK_STR(funcscan_lookup(fs, l, c + 2), "Title");      /* func keyword */
		CHECK_STR(funcscan_lookup(fs, l, c + 6), "Title.func1");
		CHECK_STR(funcscan_lookup(fs, l + 1, 0), "Title.func1");
	} else
		CHECK(!"strings.go: no Title closure");
	if ((l = find(buf, "\nfunc (as *asciiSet) contains(c byte) bool {", &c)) != 0) {
		CHECK_STR(funcscan_lookup(fs, l + 1, 7), "asciiSet.contains");
		CHECK_STR(funcscan_lookup(fs, l + 2, 2), "asciiSet.contains");
	} else
		CHECK(!"strings.go: no asciiSet.contains");
	if ((l = find(buf, "\nfunc Map(mapping func(rune) rune, s string) string {", &c)) != 0)
		CHECK_STR(funcscan_lookup(fs, l + 1, 20), "Map");       /* func type param */
	else
		CHECK(!"strings.go: no func Map");
	funcscan_free(fs);
	free(buf);
}

/* ---------------------------------------------------------- robustness */

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Looks up a spread of positions; every answer must be a short string. */
static int poke(const struct funcscan *fs, int lines)
{
	int ok = 1, l, c;

	for (l = -1; l <= lines + 2; l++)
		for (c = -1; c < 120; c += 7) {
			const char *s = funcscan_lookup(fs, l, c);
			if (!s || strlen(s) > 2048)
				ok = 0;
		}
	return ok && funcscan_package(fs) != NULL;
}

static void test_truncated(void)
{
	size_t i, n, cut;
	int ok = 1;

	static const char *const extra[] = { src_syntax, src_dead, src_broken };
	size_t nfix = sizeof fixtures / sizeof fixtures[0];

	for (i = 0; i < nfix + sizeof extra / sizeof extra[0]; i++) {
		const char *src = i < nfix ? fixtures[i].src : extra[i - nfix];
		n = strlen(src);
		for (cut = 0; cut <= n; cut += 1 + cut / 64) {
			/* a heap copy of exactly cut bytes, so ASan sees over-reads */
			char *p = malloc(cut ? cut : 1);
			struct funcscan *fs;
			memcpy(p, src, cut);
			fs = funcscan_new(p, cut);
			free(p);                        /* the result must not need src */
			ok &= poke(fs, 12);
			funcscan_free(fs);
		}
	}
	CHECK(ok);
}

static const char *const pieces[] = {
	"func", "func ", "(", ")", "{", "}", "[", "]", "\"", "`", "'", "/*", "*/",
	"//", "\n", " ", "\t", "if", "else", "for", "return", "goto", "panic(",
	"var", "const", "type", "struct", "interface", "map", "chan", "<-", "*",
	"&&", "||", "!", "=", ":=", ":", ";", ",", ".", "...", "x", "T", "true",
	"false", "debug", "package", "p", "init", "_", "case", "default",
	"switch", "select", "go", "defer", "\\", "0x1p-2", "1e+3", "\xEF\xBB\xBF",
	"\0", "\xff", "L:", "range", "~", "|",
};

static void test_random(void)
{
	int round, ok = 1;
	char *buf = malloc(8192);

	for (round = 0; round < 3000; round++) {
		size_t n = 0, want = next_rand() % 4096;
		struct funcscan *fs;
		int bytes = round % 3 == 0;
		while (n < want) {
			if (bytes)
				buf[n++] = (char)(next_rand() & 0xff);
			else {
				const char *pc = pieces[next_rand() % (sizeof pieces / sizeof pieces[0])];
				size_t pl = pc[0] ? strlen(pc) : 1;
				if (n + pl > want)
					break;
				memcpy(buf + n, pc, pl);
				n += pl;
			}
		}
		{
			char *p = malloc(n ? n : 1);
			memcpy(p, buf, n);
			fs = funcscan_new(p, n);
			free(p);
		}
		ok &= poke(fs, 40);
		funcscan_free(fs);
	}
	free(buf);
	CHECK(ok);
}

static char *repeat(const char *head, const char *unit, size_t count, const char *tail, size_t *len)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *b = malloc(hl + ul * count + tl + 1), *p = b;

	memcpy(p, head, hl);
	p += hl;
	for (i = 0; i < count; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl);
	p += tl;
	*p = '\0';
	*len = (size_t)(p - b);
	return b;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_deep(void)
{
	size_t len;
	char *s;
	struct funcscan *fs;
	char want[512];
	int i;

	/* literals nested 100 deep: names follow the compiler 62 levels deep */
	s = repeat("package d\nfunc F() {\n", "_ = func() {\n", 100, "", &len);
	{
		char *t = malloc(len + 200 + 2);
		memcpy(t, s, len);
		for (i = 0; i < 100; i++)
			t[len + (size_t)i * 2] = '}', t[len + (size_t)i * 2 + 1] = '\n';
		memcpy(t + len + 200, "}", 2);
		free(s);
		s = t;
		len = strlen(s);
	}
	fs = funcscan_new(s, len);
	strcpy(want, "F.func1");
	CHECK_STR(funcscan_lookup(fs, 3, 12), "F.func1");
	for (i = 1; i < 10; i++)
		strcat(want, ".1");
	CHECK_STR(funcscan_lookup(fs, 12, 12), want);           /* depth 10 */
	CHECK_STR(funcscan_lookup(fs, 100, 1), funcscan_lookup(fs, 70, 1));
	CHECK(strlen(funcscan_lookup(fs, 100, 1)) < 200);
	CHECK_STR(funcscan_lookup(fs, 2, 1), "F");
	funcscan_free(fs);
	free(s);

	/* brackets nested far beyond the frame cap, each kind */
	s = repeat("package d\nfunc F() {\n", "{", 200000, "", &len);
	fs = funcscan_new(s, len);
	CHECK_STR(funcscan_lookup(fs, 2, 1), "F");
	CHECK_STR(funcscan_lookup(fs, 3, 100000), "F");
	funcscan_free(fs);
	free(s);
	s = repeat("package d\nvar x = ", "func(){", 100000, "", &len);
	fs = funcscan_new(s, len);
	CHECK_STR(funcscan_lookup(fs, 2, 9), "init");           /* the first func */
	CHECK_STR(funcscan_lookup(fs, 2, 13), "init.func1");
	CHECK_STR(funcscan_lookup(fs, 2, 20), "init.func1.1");
	CHECK(poke(fs, 4));
	funcscan_free(fs);
	free(s);
	s = repeat("package d\nfunc F() {\n", "(", 200000, "))))", &len);
	fs = funcscan_new(s, len);
	CHECK(poke(fs, 4));
	funcscan_free(fs);
	free(s);
	s = repeat("package d\nfunc F() { if ", "!(", 50000, "", &len);
	fs = funcscan_new(s, len);
	CHECK(poke(fs, 4));
	funcscan_free(fs);
	free(s);

	/* an identifier longer than any recorded name: skipped, not truncated */
	s = repeat("package d\nfunc ", "x", 5000, "() {}\nfunc G() { _ = func() {} }\n", &len);
	fs = funcscan_new(s, len);
	CHECK_STR(funcscan_lookup(fs, 2, 1), "");
	CHECK_STR(funcscan_lookup(fs, 3, 1), "G");
	CHECK_STR(funcscan_lookup(fs, 3, 20), "G.func1");
	funcscan_free(fs);
	free(s);

	/* empty and NULL input */
	fs = funcscan_new(NULL, 0);
	CHECK_STR(funcscan_package(fs), "");
	CHECK_STR(funcscan_lookup(fs, 1, 1), "");
	CHECK_STR(funcscan_lookup(fs, 1, 0), "");
	funcscan_free(fs);
	fs = funcscan_new("", 0);
	CHECK_STR(funcscan_lookup(fs, 1, 0), "");
	funcscan_free(fs);
	funcscan_free(NULL);
}

/* A 5,000+-line file scans in milliseconds and lookups are cheap. */
static void test_speed(void)
{
	const struct fixture *fa = fixture("a");
	size_t one = strlen(fa->src), len, k;
	int copies = 45, lines, i;
	char *s = malloc(one * (size_t)copies + 1);
	struct funcscan *fs;
	double t0, t1, best = 1e9;
	int found = 0;

	for (i = 0; i < copies; i++)
		memcpy(s + (size_t)i * one, fa->src, one);
	len = one * (size_t)copies;
	s[len] = '\0';
	for (lines = 1, k = 0; k < len; k++)
		lines += s[k] == '\n';
	CHECK(lines >= 5000);
	for (i = 0; i < 5; i++) {
		t0 = now();
		fs = funcscan_new(s, len);
		t1 = now();
		if (t1 - t0 < best)
			best = t1 - t0;
		if (i < 4)
			funcscan_free(fs);
	}
	/* generous: ~1 ms optimised; sanitizers and slow machines included */
	if (best > 0.1)
		printf("test_speed: funcscan_new took %.1f ms for %d lines\n", best * 1e3, lines);
	CHECK(best < 0.1);
	t0 = now();
	for (i = 0; i < 200000; i++)
		found += funcscan_lookup(fs, 1 + i % lines, i % 50)[0] != '\0';
	t1 = now();
	if (t1 - t0 > 0.5)
		printf("test_speed: 200000 lookups took %.1f ms\n", (t1 - t0) * 1e3);
	CHECK(t1 - t0 < 0.5);
	CHECK(found > 0);
	funcscan_free(fs);
	free(s);
}

int main(void)
{
	test_compiler_fixtures();
	test_rules();
	test_syntax();
	test_normalize();
	test_real_file();
	test_truncated();
	test_random();
	test_deep();
	test_speed();
	return check_report("funcscan");
}
