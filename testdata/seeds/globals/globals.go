// Package globals: globals holding values, pointers and interfaces (articles 002, 004).
package globals

var a int

var p *int

var ai interface{}

// IntValue assigns a local to a global int: a copy, nothing escapes.
func IntValue() {
	x := 10
	a = x
	println(a, x)
}

// Pointer stores &x in a global *int: moved to heap: x.
func Pointer() {
	x := 10
	p = &x
	println(p, x)
}

// LocalPointer keeps the pointer in a local: x stays on the stack.
func LocalPointer() {
	x := 10
	q := &x
	println(q, x)
}

// IfaceValue stores a value in a global interface{}: x escapes to heap.
func IfaceValue() {
	var x int = 10
	ai = x
	println(ai)
}

// IfaceAddr stores &x in a global interface{}: moved to heap: x.
func IfaceAddr() {
	var x int = 10
	ai = &x
	println(ai)
}
