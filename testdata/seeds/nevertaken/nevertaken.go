// Package nevertaken: the never-taken-branch trick from article 004
// (reflect's escapes()/dummy): escape analysis is flow-insensitive, so a
// store in a branch that never runs still moves x to the heap.
package nevertaken

var a *int

// Trick: x is moved to heap although a = &x never executes.
func Trick() {
	x := 10
	var f bool
	if f {
		a = &x
	}
}

var dummy struct {
	b bool
	x interface{}
}

// Escapes is the reflect-style annotation: x leaks to the heap.
func Escapes(x interface{}) {
	if dummy.b {
		dummy.x = x
	}
}

// Use forces a local's address through Escapes.
func Use() int {
	v := 3
	Escapes(&v)
	return v
}
