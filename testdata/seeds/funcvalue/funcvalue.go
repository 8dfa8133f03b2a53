// Package funcvalue: calling through function values (article 003, scenarios 6 and 7).
package funcvalue

import "fmt"

func foo(a *int) {
}

// Indirect is scenario 6: f := foo; f(&data).
func Indirect() {
	data := 10
	f := foo
	f(&data)
	fmt.Println(data)
}

// Dynamic calls a function value passed in: the argument escapes.
func Dynamic(f func(*int)) {
	data := 10
	f(&data)
}

func bar(a []string) {
}

// SliceArg is scenario 7: []string{"aceld"} passed to bar and fmt.Println.
func SliceArg() {
	s := []string{"aceld"}
	bar(s)
	fmt.Println(s)
}
