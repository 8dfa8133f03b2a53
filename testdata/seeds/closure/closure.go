// Package closure: closures capturing variables (articles 000, 002, 003).
package closure

import "fmt"

// Increase is article 000's example: n is captured by reference and moved to heap.
func Increase() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

// Counter is article 002's counter.
func Counter() func() int {
	count := 0
	return func() int {
		count++
		return count
	}
}

// Use prints in() through fmt.Println (article 000's main).
func Use() {
	in := Increase()
	fmt.Println(in())
}

// Local calls a closure immediately: nothing escapes.
func Local() int {
	x := 1
	f := func() int { return x + 1 }
	return f()
}
