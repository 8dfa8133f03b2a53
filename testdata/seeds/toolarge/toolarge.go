// Package toolarge: too large for the stack, and make with a non-constant size (articles 000, 001, 003).
package toolarge

// Small is article 001's Fun: make([]int, 1000, 1000) does not escape.
func Small() {
	_ = make([]int, 1000, 1000)
}

// Large is article 001's Fun1: make([]int, 10000, 10000) is too large for the stack.
func Large() {
	_ = make([]int, 10000, 10000)
}

// BigArray is a local array bigger than the implicit-variable limit.
func BigArray() int {
	var a [1 << 20]int
	a[0] = 1
	return a[0]
}

// NonConst makes a slice whose size is only known at run time.
func NonConst(n int) int {
	s := make([]int, n)
	return len(s)
}

// NonConstKeep makes a runtime-sized slice and returns it: escapes in every version.
func NonConstKeep(n int) []int {
	return make([]int, n)
}
