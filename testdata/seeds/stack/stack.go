// Package stack: locals that stay on the stack (articles 001, 002, 004).
package stack

type point struct{ x, y int }

// Sum uses a local array and a pointer to it without escaping.
func Sum() int {
	arr := [4]int{1, 2, 3, 4}
	p := &arr
	t := 0
	for _, v := range p {
		t += v
	}
	return t
}

// Struct uses a local struct through a pointer.
func Struct() int {
	pt := &point{1, 2}
	pt.x += pt.y
	return pt.x
}

// Deref reads through a pointer parameter: p does not escape.
func Deref(p *int) int {
	return *p + 1
}

// CallDeref passes &x to a non-escaping callee.
func CallDeref() int {
	x := 4
	return Deref(&x)
}

// Slice makes a constant-size slice that stays on the stack.
func Slice() int {
	s := make([]int, 16)
	s[3] = 7
	return s[3]
}
