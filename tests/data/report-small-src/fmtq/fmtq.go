package fmtq

import "fmt"

type Pair struct{ A, B int }

func join(a, b string) string { return a + "," + b }

// Or prints a bitwise or: its subject holds a '|'.
func Or(x, y int) {
	fmt.Println(x | y)
}

// Comma prints a call whose subject holds a comma and quotes.
func Comma(a string) {
	fmt.Println(join(a, "\"q\""))
}

// New returns a pointer: moved to heap.
func New() *Pair {
	p := Pair{1, 2}
	return &p
}

// Keep leaks its parameter to a global.
var sink *Pair

func Keep(p *Pair) { sink = p }

// Local does not escape.
func Local(p *Pair) int { return p.A }
