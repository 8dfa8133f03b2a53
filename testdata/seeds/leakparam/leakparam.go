// Package leakparam: "leaking param" verdicts (article 004 and article 000's foo).
package leakparam

var sink *int

type T struct{ p *int }

// Escapes stores x in a global: leaking param: x.
func Escapes(x *int) {
	sink = x
}

// Identity returns its parameter: leaking param: p to result ~r0 level=0.
func Identity(p *int) *int {
	return p
}

// Content returns what t points at: leaking param content.
func Content(t *T) *int {
	return t.p
}

// NoLeak only reads p: p does not escape.
func NoLeak(p *int) int {
	return *p
}

// Method leaks its receiver's field.
func (t *T) Method() {
	sink = t.p
}
